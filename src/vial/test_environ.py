"""Building WSGI environs for made-up requests (the test client and test_request_context)."""

from __future__ import annotations

import io
import json as _json
import mimetypes
import os
import secrets
import sys
import typing as t
from urllib.parse import quote, unquote_to_bytes, urlsplit

from .datastructures import FileStorage, Headers, MultiDict
from .urls import url_encode

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import WSGIEnvironment
    from .wrappers.request import Request


_BODYLESS_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "DELETE", "TRACE"))


def _wsgi_str(value: str) -> str:
    """PEP 3333 strings: UTF-8 bytes seen through latin-1."""
    return value.encode("utf-8").decode("latin-1")


def _is_file_value(value: t.Any) -> bool:
    return (
        isinstance(value, FileStorage)
        or hasattr(value, "read")
        or (isinstance(value, tuple) and len(value) >= 1 and hasattr(value[0], "read"))
    )


def _fields_from_data(data: t.Any) -> MultiDict[str, t.Any]:
    """Fields of a ``data=`` dict: a list is several values, a tuple is one file."""
    fields: MultiDict[str, t.Any] = MultiDict()
    items = data.items() if hasattr(data, "items") else data
    for key, value in items:
        if isinstance(value, list):
            for item in value:
                fields.add(key, item)
        else:
            fields.add(key, value)
    return fields


def _stream_file_name(stream: t.Any) -> str | None:
    """The base name of the file a stream was opened from, as a browser sends it."""
    name = getattr(stream, "name", None)
    if not isinstance(name, (str, bytes, os.PathLike)):
        return None
    return os.path.basename(os.fsdecode(name)) or None


def encode_multipart(
    fields: MultiDict[str, t.Any], boundary: str | None = None
) -> tuple[bytes, str]:
    """Encode fields and files as ``multipart/form-data``; returns ``(body, content_type)``.

    A file is a file object, a :class:`FileStorage`, or ``(file, filename[, content_type])``.
    A filename given is sent as it is; a file opened from disk, and a
    :class:`FileStorage` named after the path it was opened from, are sent under the
    file's base name, as a browser sends them (Werkzeug sends the whole path). A
    file without a name (a ``BytesIO``, a ``None`` filename) is sent as a field
    without ``filename``, which the server reads as a form value, as Werkzeug does.
    """
    boundary = boundary or f"----vialBoundary{secrets.token_hex(12)}"
    out = io.BytesIO()
    for name, value in fields.items(multi=True):
        out.write(f"--{boundary}\r\n".encode())
        if _is_file_value(value):
            if isinstance(value, FileStorage):
                stream, filename, content_type = value.stream, value.filename, value.content_type
                if filename is not None and filename == getattr(stream, "name", None):
                    filename = _stream_file_name(stream)
            elif isinstance(value, tuple) and len(value) > 1:
                stream, filename = value[0], value[1]
                content_type = value[2] if len(value) > 2 else None
            else:
                stream = value[0] if isinstance(value, tuple) else value
                filename, content_type = _stream_file_name(stream), None
            if content_type is None:
                guessed = mimetypes.guess_type(str(filename))[0] if filename else None
                content_type = guessed or "application/octet-stream"
            if filename is None:
                disposition = f'form-data; name="{name}"'
            else:
                quoted = str(filename).replace("\\", "\\\\").replace('"', '\\"')
                disposition = f'form-data; name="{name}"; filename="{quoted}"'
            out.write(
                f"Content-Disposition: {disposition}\r\n"
                f"Content-Type: {content_type}\r\n\r\n".encode()
            )
            data = stream.read()
            out.write(data.encode() if isinstance(data, str) else data)
        else:
            out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            out.write(value if isinstance(value, bytes) else str(value).encode())
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _encode_fields(fields: MultiDict[str, t.Any], declared: str | None) -> tuple[bytes, str | None]:
    """The body and Content-Type of ``data=`` fields; the declared mimetype picks the encoding.

    As in Werkzeug: ``multipart/form-data`` (also when declared without a boundary)
    encodes fields and files with a new boundary; ``application/x-www-form-urlencoded``
    encodes the fields and leaves files out; another type sends no body. Without a
    declared type, files make it multipart and plain fields URL-encoded.
    """
    mimetype = declared.partition(";")[0].strip().lower() if declared else None
    if mimetype is None:
        has_files = any(_is_file_value(v) for _, v in fields.items(multi=True))
        mimetype = "multipart/form-data" if has_files else "application/x-www-form-urlencoded"
    if mimetype == "multipart/form-data":
        return encode_multipart(fields)
    if mimetype == "application/x-www-form-urlencoded":
        plain = [(k, v) for k, v in fields.items(multi=True) if not _is_file_value(v)]
        return url_encode(MultiDict(plain)).encode("ascii"), declared or mimetype
    return b"", declared


class EnvironBuilder:
    """Builds the WSGI environ of a made-up request from Flask test-client arguments.

    A query string in ``path`` and a ``query_string`` argument together raise
    :exc:`ValueError`, as in Werkzeug.

    :param path: the path, optionally with ``?query``.
    :param base_url: scheme, host and mount point (from the app's config by default).
    :param query_string: a dict or a str.
    :param method: the request method.
    :param headers: a dict, a list of pairs or :class:`~vial.datastructures.Headers`.
    :param data: a dict (form fields and files) or str/bytes (the raw body).
    :param json: an object to send as a JSON body.
    :param content_type: the Content-Type.
    :param environ_base: extra environ keys (overridden by the computed ones).
    :param environ_overrides: environ keys that win over the computed ones.
    :param errors_stream: ``wsgi.errors``; :data:`sys.stderr` (as it is when the
        environ is built) by default, as in Werkzeug.
    :param multithread: ``wsgi.multithread``.
    :param multiprocess: ``wsgi.multiprocess``.
    :param run_once: ``wsgi.run_once``.
    """

    url_scheme: str
    host: str
    script_root: str

    def __init__(
        self,
        app: Vial | None = None,
        path: str = "/",
        base_url: str | None = None,
        subdomain: str | None = None,
        url_scheme: str | None = None,
        query_string: t.Any = None,
        method: str = "GET",
        headers: t.Any = None,
        data: t.Any = None,
        json: t.Any = None,
        content_type: str | None = None,
        content_length: int | None = None,
        input_stream: t.IO[bytes] | None = None,
        environ_base: dict[str, t.Any] | None = None,
        environ_overrides: dict[str, t.Any] | None = None,
        mimetype: str | None = None,
        auth: t.Any = None,
        follow_redirects: bool = False,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
    ) -> None:
        if base_url is None:
            base_url = self._base_url_from_app(app, subdomain, url_scheme)
        elif subdomain or url_scheme:
            raise AssertionError('Cannot pass "subdomain" or "url_scheme" with "base_url".')
        if query_string is not None and "?" in path:
            raise ValueError("Query string is defined in the path and as an argument")
        parts = urlsplit(path)
        if parts.scheme or parts.netloc:
            base_url = f"{parts.scheme or 'http'}://{parts.netloc}"
        self.path = parts.path or "/"
        if query_string is None and parts.query:
            query_string = parts.query
        self.base_url = base_url
        if isinstance(query_string, str):
            self.query_string = query_string
        elif query_string is not None:
            self.query_string = url_encode(query_string)
        else:
            self.query_string = ""
        self.method = method.upper()
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        self.environ_base = environ_base or {}
        self.environ_overrides = environ_overrides or {}
        self.errors_stream = errors_stream
        self.multithread = multithread
        self.multiprocess = multiprocess
        self.run_once = run_once
        self._files: list[t.Any] = []
        body: bytes | None = None
        if json is not None:
            if data is not None:
                raise TypeError("can't provide both json and data")
            dumps = app.json.dumps if app is not None else _json.dumps
            body = dumps(json).encode("utf-8")
            content_type = content_type or "application/json"
        elif isinstance(data, (str, bytes, bytearray)):
            body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        elif data is not None and hasattr(data, "read"):
            read = data.read()
            body = read.encode("utf-8") if isinstance(read, str) else bytes(read)
        elif data is not None:
            fields = data if isinstance(data, MultiDict) else _fields_from_data(data)
            declared = content_type or mimetype or self.headers.get("Content-Type")
            body, content_type = _encode_fields(fields, declared)
            if "Content-Type" in self.headers:
                self.headers["Content-Type"] = t.cast(str, content_type)
        if mimetype is not None and content_type is None:
            content_type = mimetype
        self.content_type = content_type or self.headers.get("Content-Type")
        if auth is not None:
            self._set_auth(auth)
        if input_stream is not None:
            self.input_stream = input_stream
            self.content_length = content_length
        else:
            body = body or b""
            self.input_stream = io.BytesIO(body)
            if content_length is None and (body or self.method not in _BODYLESS_METHODS):
                content_length = len(body)
            self.content_length = content_length
        self.body = body

    @property
    def base_url(self) -> str:
        """Scheme, host and script root, ending in ``/``; setting it sets all three."""
        return f"{self.url_scheme}://{self.host}{self.script_root}/"

    @base_url.setter
    def base_url(self, value: str) -> None:
        parts = urlsplit(value)
        self.url_scheme = parts.scheme or "http"
        self.host = parts.netloc or "localhost"
        self.script_root = parts.path.rstrip("/")

    @staticmethod
    def _base_url_from_app(app: Vial | None, subdomain: str | None, url_scheme: str | None) -> str:
        if app is None:
            return f"{url_scheme or 'http'}://localhost/"
        config = app.config
        server_name = config.get("SERVER_NAME") or "localhost"
        root = (config.get("APPLICATION_ROOT") or "/").lstrip("/")
        if subdomain:
            server_name = f"{subdomain}.{server_name}"
        scheme = url_scheme or config.get("PREFERRED_URL_SCHEME") or "http"
        return f"{scheme}://{server_name}/{root}"

    def _set_auth(self, auth: t.Any) -> None:
        import base64

        if isinstance(auth, tuple):
            username, password = auth
            token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        elif hasattr(auth, "to_header"):
            self.headers["Authorization"] = auth.to_header()
        else:
            self.headers["Authorization"] = str(auth)

    def get_environ(self) -> WSGIEnvironment:
        """The environ of this request."""
        host, _, port = self.host.partition(":")
        if not port:
            port = "443" if self.url_scheme in ("https", "wss") else "80"
        environ: WSGIEnvironment = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": _wsgi_str(self.script_root),
            # As a server does: percent-escapes decoded to bytes, seen through latin-1.
            "PATH_INFO": unquote_to_bytes(self.path).decode("latin-1"),
            "QUERY_STRING": _wsgi_str(self.query_string),
            "REQUEST_URI": quote(self.script_root + self.path, safe="/%:@!$&'()*+,;=~")
            + (f"?{self.query_string}" if self.query_string else ""),
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "HTTP_HOST": self.host,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.url_scheme,
            "wsgi.input": self.input_stream,
            "wsgi.errors": sys.stderr if self.errors_stream is None else self.errors_stream,
            "wsgi.multithread": self.multithread,
            "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": self.run_once,
        }
        environ.update(self.environ_base)
        environ["REQUEST_METHOD"] = self.method
        if self.content_type is not None:
            environ["CONTENT_TYPE"] = self.content_type
        if self.content_length is not None:
            environ["CONTENT_LENGTH"] = str(self.content_length)
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[name] = value
                continue
            name = f"HTTP_{name}"
            if name in environ and name != "HTTP_HOST":
                separator = "; " if name == "HTTP_COOKIE" else ", "
                environ[name] = f"{environ[name]}{separator}{value}"
            else:
                environ[name] = value
        environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: type[Request] | None = None) -> Request:
        """A request object (``cls``, :class:`~vial.wrappers.Request` by default) for
        this builder's environ."""
        if cls is None:
            from .wrappers.request import Request

            cls = Request
        return cls(self.get_environ())

    def close(self) -> None:
        """Close files this builder opened."""
        for file in self._files:
            file.close()
        self._files.clear()
