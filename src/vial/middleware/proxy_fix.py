"""Trust ``X-Forwarded-*`` headers from a known number of proxies in front of the app."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from ..typing import StartResponse, WSGIApplication, WSGIEnvironment


def _trusted_value(value: str | None, trusted: int) -> str | None:
    """The value the ``trusted``-th proxy from the right added, or None.

    Values further left were written by clients and cannot be trusted; if fewer
    values than ``trusted`` are present, nothing is trusted.
    """
    if not value or trusted <= 0:
        return None
    parts = [part.strip() for part in value.split(",")]
    if len(parts) < trusted:
        return None
    chosen = parts[-trusted]
    if not chosen or any(c in chosen for c in "\r\n\x00"):
        return None
    return chosen


class ProxyFix:
    """Set the client address, scheme, host, port and prefix from ``X-Forwarded-*`` headers.

    Each argument is the number of proxies that set that header; ``0`` ignores it.
    Use exactly as many as there really are: every value beyond them may have
    been forged by the client. The original values are kept in
    ``environ["werkzeug.proxy_fix.orig"]``.

    :param app: the WSGI application (usually ``app.wsgi_app``).
    :param x_for: proxies setting ``X-Forwarded-For`` (``REMOTE_ADDR``).
    :param x_proto: proxies setting ``X-Forwarded-Proto`` (``wsgi.url_scheme``).
    :param x_host: proxies setting ``X-Forwarded-Host`` (``HTTP_HOST``).
    :param x_port: proxies setting ``X-Forwarded-Port`` (``SERVER_PORT``).
    :param x_prefix: proxies setting ``X-Forwarded-Prefix`` (``SCRIPT_NAME``).
    """

    def __init__(
        self,
        app: WSGIApplication,
        x_for: int = 1,
        x_proto: int = 1,
        x_host: int = 0,
        x_port: int = 0,
        x_prefix: int = 0,
    ) -> None:
        self.app = app
        self.x_for = x_for
        self.x_proto = x_proto
        self.x_host = x_host
        self.x_port = x_port
        self.x_prefix = x_prefix

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        environ["werkzeug.proxy_fix.orig"] = {
            "REMOTE_ADDR": environ.get("REMOTE_ADDR"),
            "wsgi.url_scheme": environ.get("wsgi.url_scheme"),
            "HTTP_HOST": environ.get("HTTP_HOST"),
            "SERVER_NAME": environ.get("SERVER_NAME"),
            "SERVER_PORT": environ.get("SERVER_PORT"),
            "SCRIPT_NAME": environ.get("SCRIPT_NAME"),
        }
        client = _trusted_value(environ.get("HTTP_X_FORWARDED_FOR"), self.x_for)
        if client:
            environ["REMOTE_ADDR"] = client
        proto = _trusted_value(environ.get("HTTP_X_FORWARDED_PROTO"), self.x_proto)
        if proto and proto.lower() in ("http", "https", "ws", "wss"):
            environ["wsgi.url_scheme"] = proto.lower()
        host = _trusted_value(environ.get("HTTP_X_FORWARDED_HOST"), self.x_host)
        if host and "/" not in host and " " not in host:
            environ["HTTP_HOST"] = host
            name, _, port = (
                host.rpartition(":") if host.rfind(":") > host.rfind("]") else (host, "", "")
            )
            environ["SERVER_NAME"] = name or host
            if port.isdigit():
                environ["SERVER_PORT"] = port
        forwarded_port = _trusted_value(environ.get("HTTP_X_FORWARDED_PORT"), self.x_port)
        if forwarded_port and forwarded_port.isdigit():
            port = forwarded_port
            environ["SERVER_PORT"] = port
            current = environ.get("HTTP_HOST")
            if current:
                base = (
                    current.rpartition(":")[0]
                    if current.rfind(":") > current.rfind("]")
                    else current
                )
                environ["HTTP_HOST"] = f"{base}:{port}"
        prefix = _trusted_value(environ.get("HTTP_X_FORWARDED_PREFIX"), self.x_prefix)
        if prefix:
            environ["SCRIPT_NAME"] = "/" + prefix.strip("/") if prefix.strip("/") else ""
        return self.app(environ, start_response)
