"""The test client: send requests to an app in-process, through WSGI or ASGI."""

from __future__ import annotations

import typing as t
from contextlib import ExitStack
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .datastructures import Headers
from .test_environ import EnvironBuilder, encode_multipart
from .wrappers.request import Request
from .wrappers.response import Response

if t.TYPE_CHECKING:
    from .app import Vial
    from .cli import VialCliRunner as VialCliRunner
    from .typing import WSGIApplication, WSGIEnvironment

__all__ = [
    "ClientRedirectError",
    "EnvironBuilder",
    "TestResponse",
    "VialCliRunner",
    "VialClient",
    "encode_multipart",
    "run_wsgi_app",
]


def __getattr__(name: str) -> t.Any:
    # VialCliRunner lives in vial.cli, so that the test client does not import click.
    if name == "VialCliRunner":
        from .cli import VialCliRunner

        return VialCliRunner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_REDIRECT_CODES = frozenset((301, 302, 303, 305, 307, 308))
_MAX_REDIRECTS = 30
# The request headers that describe a body, dropped when a redirect turns it into a GET.
_BODY_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING")


class ClientRedirectError(RuntimeError):
    """``follow_redirects`` met a redirect it had already followed: the app loops."""


def run_wsgi_app(
    app: WSGIApplication, environ: WSGIEnvironment, buffered: bool = False
) -> tuple[t.Iterable[bytes], str, Headers]:
    """Call a WSGI app; returns ``(body_iterable, status, headers)``.

    With ``buffered`` the body is read whole (and the iterable closed) before returning.
    """
    response: list[t.Any] = []
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Callable[[bytes], None]:
        if exc_info is not None and response:
            raise exc_info[1].with_traceback(exc_info[2])
        response[:] = [status, headers]
        return written.append

    app_rv = app(environ, start_response)
    close = getattr(app_rv, "close", None)
    iterator: t.Iterator[bytes] = iter(app_rv)
    if not response:
        # Some apps only call start_response on the first iteration.
        first = []
        for chunk in iterator:
            first.append(chunk)
            if response:
                break
        iterator = _chain_and_close(first, iterator, close)
        close = None
    if buffered:
        try:
            body: t.Iterable[bytes] = [*written, *iterator]
        finally:
            if close is not None:
                close()
    else:
        body = _chain_and_close(written, iterator, close) if written or close else iterator
    status, headers = response
    return body, status, Headers(headers)


class _chain_and_close:
    def __init__(
        self, first: list[bytes], rest: t.Iterator[bytes], close: t.Callable[[], t.Any] | None
    ) -> None:
        self._first = list(first)
        self._rest = rest
        self._close = close

    def __iter__(self) -> _chain_and_close:
        return self

    def __next__(self) -> bytes:
        if self._first:
            return self._first.pop(0)
        return next(self._rest)

    def close(self) -> None:
        close = getattr(self._rest, "close", None)
        if close is not None:
            close()
        if self._close is not None:
            self._close()
            self._close = None


class TestResponse(Response):
    """A response as the test client returns it: adds ``request``, ``history`` and ``text``."""

    __test__ = False
    default_mimetype = None

    request: Request
    history: tuple[TestResponse, ...] = ()

    def __init__(
        self,
        response: t.Any,
        status: str,
        headers: Headers,
        request: Request,
        history: tuple[TestResponse, ...] = (),
        **kwargs: t.Any,
    ) -> None:
        super().__init__(response, status, headers, **kwargs)
        self.request = request
        self.history = history
        self._compat_tuple = response, status, headers

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(self._compat_tuple)


class _CookieJar:
    """The client's cookies, keyed by (domain, path, name), with expiry and attributes."""

    def __init__(self) -> None:
        self.cookies: dict[tuple[str, str, str], tuple[str, float | None, dict[str, str]]] = {}

    def set(
        self,
        key: str,
        value: str,
        domain: str = "localhost",
        path: str = "/",
        expires: float | None = None,
        attributes: dict[str, str] | None = None,
    ) -> None:
        self.cookies[(domain.lstrip("."), path, key)] = (value, expires, attributes or {})

    def delete(self, key: str, domain: str = "localhost", path: str = "/") -> None:
        self.cookies.pop((domain.lstrip("."), path, key), None)

    def get(
        self, key: str, domain: str = "localhost", path: str = "/"
    ) -> tuple[str, float | None, dict[str, str]] | None:
        return self.cookies.get((domain.lstrip("."), path, key))

    def header_for(self, host: str, path: str) -> str | None:
        now = datetime.now(timezone.utc).timestamp()
        host = host.partition(":")[0]
        pairs = []
        for (domain, cookie_path, name), (value, expires, _) in list(self.cookies.items()):
            if expires is not None and expires <= now:
                del self.cookies[(domain, cookie_path, name)]
                continue
            if not (host == domain or host.endswith(f".{domain}") or domain == "localhost.local"):
                continue
            if not (
                path == cookie_path
                or path.startswith(cookie_path.rstrip("/") + "/")
                or cookie_path == "/"
            ):
                continue
            pairs.append(f"{name}={value}")
        return "; ".join(pairs) if pairs else None

    def update_from(self, headers: Headers, host: str, request_path: str = "/") -> None:
        default_domain = host.partition(":")[0]
        # RFC 6265 5.1.4: without a Path, a cookie belongs to the request's directory.
        directory = request_path.rpartition("/")[0] if request_path.startswith("/") else ""
        for header in headers.getlist("Set-Cookie"):
            parsed = _parse_set_cookie(header)
            if parsed is not None:
                name, value, attributes = parsed
                self.store(name, value, attributes, default_domain, directory or "/")

    def store(
        self,
        name: str,
        value: str,
        attributes: dict[str, str],
        default_domain: str,
        default_path: str = "/",
    ) -> None:
        now = datetime.now(timezone.utc).timestamp()
        domain = attributes.get("domain") or default_domain
        path = attributes.get("path", "")
        if not path.startswith("/"):
            path = default_path
        expires: float | None = None
        if attributes.get("max-age"):
            try:
                expires = now + int(attributes["max-age"])
            except ValueError:
                expires = None
        elif attributes.get("expires"):
            from .http import parse_date

            date = parse_date(attributes["expires"])
            expires = date.timestamp() if date is not None else None
        self.set(name, value, domain, path, expires, attributes)
        if expires is not None and expires <= now:
            self.delete(name, domain, path)


def _full_path(environ: WSGIEnvironment) -> str:
    """The request's path below the host (script root included), to match cookie paths."""
    return f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '') or '/'}"


def _parse_set_cookie(header: str) -> tuple[str, str, dict[str, str]] | None:
    """``(name, raw value, {attribute: value})`` of a Set-Cookie header, as a browser
    reads it (RFC 6265 5.2): attributes it does not know (``Partitioned``, say) are
    skipped, not a reason to drop the cookie. ``None`` without a ``name=``."""
    pair, *attribute_parts = header.split(";")
    name, equals, value = pair.partition("=")
    name = name.strip()
    if not equals or not name:
        return None
    attributes: dict[str, str] = {}
    for part in attribute_parts:
        key, _, attribute_value = part.partition("=")
        attributes[key.strip().lower()] = attribute_value.strip()
    return name, value.strip(), attributes


class VialClient:
    """Sends requests to an app in-process and returns :class:`TestResponse` objects.

    ``with client:`` keeps the last request's context pushed for assertions on
    ``request``, ``session`` and ``g``. Pass ``asgi=True`` to go through the app's
    ASGI interface instead of WSGI (same behavior, other adapter).

    ``follow_redirects=True`` follows redirects to the same host name (any port or
    scheme), and to its subdomains when ``allow_subdomain_redirects`` is true; a
    redirect to another host raises :exc:`RuntimeError`, and a redirect followed
    twice raises :exc:`ClientRedirectError`.
    """

    __test__ = False

    def __init__(
        self,
        application: Vial,
        response_wrapper: type[TestResponse] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
        asgi: bool = False,
    ) -> None:
        self.application = application
        self.response_wrapper = response_wrapper or TestResponse
        self._cookies: _CookieJar | None = _CookieJar() if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects
        self.asgi = asgi
        self.environ_base: dict[str, t.Any] = {
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "vial-test-client",
        }
        self.preserve_context = False
        self._new_contexts: list[t.Any] = []
        self._context_stack = ExitStack()

    # -- cookies -------------------------------------------------------------------------------

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> _Cookie | None:
        """The cookie the client holds for ``key`` (with ``.value``), or None."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        item = self._cookies.get(key, domain, path)
        if item is None:
            return None
        value, _, attributes = item
        return _Cookie(key, value, domain, path, attributes)

    def set_cookie(
        self,
        key: str,
        value: str = "",
        *,
        domain: str = "localhost",
        path: str = "/",
        **kwargs: t.Any,
    ) -> None:
        """Give the client a cookie to send.

        ``kwargs`` are :func:`~vial.http.dump_cookie`'s attributes (``max_age``,
        ``expires``, ``secure``, ``httponly``, ``samesite``...).
        """
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        from .http import dump_cookie

        parsed = _parse_set_cookie(dump_cookie(key, value, path=path, **kwargs))
        assert parsed is not None
        _, quoted_value, attributes = parsed
        attributes.pop("domain", None)
        self._cookies.store(key, quoted_value, attributes, domain)

    def delete_cookie(
        self, key: str, *, domain: str = "localhost", path: str = "/", **kwargs: t.Any
    ) -> None:
        """Remove a cookie from the client."""
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        self._cookies.delete(key, domain, path)

    # -- requests ------------------------------------------------------------------------------

    def _run(
        self, environ: WSGIEnvironment, buffered: bool
    ) -> tuple[t.Iterable[bytes], str, Headers]:
        if self.asgi:
            from .asgi_testing import run_asgi_app

            return run_asgi_app(self.application, environ, buffered)
        return run_wsgi_app(self.application, environ, buffered)

    def _environ_builder(self, *args: t.Any, **kwargs: t.Any) -> EnvironBuilder:
        # The base URL and JSON come from the app when it is a vial app; any other
        # WSGI app (werkzeug.test.Client takes those) gets http://localhost/.
        app = self.application if hasattr(self.application, "config") else None
        return EnvironBuilder(app, *args, **kwargs)

    def open(
        self, *args: t.Any, buffered: bool = False, follow_redirects: bool = False, **kwargs: t.Any
    ) -> TestResponse:
        """Send a request; takes :class:`EnvironBuilder`'s arguments (``path``, ``json``, ...),
        or one :class:`EnvironBuilder`, WSGI environ or :class:`~vial.wrappers.Request`."""
        if args and isinstance(args[0], EnvironBuilder):
            builder = args[0]
        elif args and isinstance(args[0], (dict, Request)):
            builder = None
            environ = {**(args[0].environ if isinstance(args[0], Request) else args[0])}
        else:
            builder = self._environ_builder(*args, **kwargs)
        if builder is not None:
            try:
                environ = builder.get_environ()
            finally:
                builder.close()
        self._context_stack.close()
        response = self._open_environ(environ, buffered)
        history: list[TestResponse] = []
        followed: set[tuple[str | None, int]] = set()
        while follow_redirects and response.status_code in _REDIRECT_CODES:
            redirect = (response.location, response.status_code)
            if redirect in followed:
                raise ClientRedirectError(
                    f"Loop detected: A {response.status_code} redirect"
                    f" to {response.location} was already made."
                )
            followed.add(redirect)
            history.append(response)
            if len(history) > _MAX_REDIRECTS:
                raise ClientRedirectError(
                    f"More than {_MAX_REDIRECTS} redirects: the app redirects in a loop."
                )
            response.make_sequence()
            response.close()
            environ = self._redirect_environ(response, environ)
            self._context_stack.close()
            response = self._open_environ(environ, buffered)
            response.history = tuple(history)
        # Re-pushed in the order they were preserved: the app context, then the
        # request context on it (which so does not push an app context of its own).
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def _open_environ(self, environ: WSGIEnvironment, buffered: bool) -> TestResponse:
        environ = {**self.environ_base, **environ}
        if self._cookies is not None:
            cookie = self._cookies.header_for(
                environ.get("HTTP_HOST", "localhost"), _full_path(environ)
            )
            if cookie is not None:
                environ["HTTP_COOKIE"] = cookie
        if self.preserve_context:
            environ["werkzeug.debug.preserve_context"] = self._new_contexts.append
        request = Request(environ, populate_request=False)
        body, status, headers = self._run(environ, buffered)
        response = self.response_wrapper(body, status, headers, request=request)
        json_module = getattr(self.application, "json", None)
        if json_module is not None:
            response.json_module = json_module
        if self._cookies is not None:
            self._cookies.update_from(
                headers, environ.get("HTTP_HOST", "localhost"), _full_path(environ)
            )
        return response

    def _redirect_environ(
        self, response: TestResponse, environ: WSGIEnvironment
    ) -> WSGIEnvironment:
        location = response.headers.get("Location", "")
        parts = urlsplit(location)
        host = parts.netloc or environ.get("HTTP_HOST", "localhost")
        self._check_redirect_host(host, environ.get("HTTP_HOST", "localhost"))
        scheme = parts.scheme or environ.get("wsgi.url_scheme", "http")
        path = parts.path or environ.get("PATH_INFO", "/")
        if not path.startswith("/"):
            base = environ.get("PATH_INFO", "/").rpartition("/")[0]
            path = f"{base}/{path}"
        script = environ.get("SCRIPT_NAME", "")
        if script and path.startswith(script):
            path = path[len(script) :] or "/"
        method = environ["REQUEST_METHOD"]
        keep_body = response.status_code in (307, 308)
        if not keep_body and method != "HEAD":
            method = "GET"
        builder = self._environ_builder(
            path=path,
            base_url=f"{scheme}://{host}{script}",
            query_string=parts.query,
            method=method,
            data=environ["wsgi.input"].getvalue()
            if keep_body and hasattr(environ["wsgi.input"], "getvalue")
            else None,
            content_type=environ.get("CONTENT_TYPE") if keep_body else None,
        )
        try:
            new_environ = builder.get_environ()
        finally:
            builder.close()
        same_host = host == environ.get("HTTP_HOST")
        for key, value in environ.items():
            if key in new_environ or key in ("HTTP_HOST", "HTTP_COOKIE"):
                continue
            if key in _BODY_KEYS and not keep_body:
                continue
            if key == "HTTP_AUTHORIZATION" and not same_host:
                continue
            if key.startswith("HTTP_") or key in ("REMOTE_ADDR", *_BODY_KEYS):
                new_environ[key] = value
        return new_environ

    def _check_redirect_host(self, target: str, current: str) -> None:
        target_name = target.partition(":")[0].lower()
        current_name = current.partition(":")[0].lower()
        if target_name == current_name:
            return
        if target_name.endswith(f".{current_name}"):
            if not self.allow_subdomain_redirects:
                raise RuntimeError("Following subdomain redirects is not enabled.")
            return
        raise RuntimeError("Following external redirects is not supported.")

    def get(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a GET request."""
        return self.open(*args, method="GET", **kw)

    def post(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a POST request."""
        return self.open(*args, method="POST", **kw)

    def put(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a PUT request."""
        return self.open(*args, method="PUT", **kw)

    def patch(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a PATCH request."""
        return self.open(*args, method="PATCH", **kw)

    def delete(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a DELETE request."""
        return self.open(*args, method="DELETE", **kw)

    def head(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a HEAD request."""
        return self.open(*args, method="HEAD", **kw)

    def options(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send an OPTIONS request."""
        return self.open(*args, method="OPTIONS", **kw)

    def trace(self, *args: t.Any, **kw: t.Any) -> TestResponse:
        """Send a TRACE request."""
        return self.open(*args, method="TRACE", **kw)

    def websocket(
        self,
        path: str,
        *,
        subprotocols: t.Sequence[str] = (),
        timeout: float = 10.0,
        **kwargs: t.Any,
    ) -> t.Any:
        """Open a WebSocket to ``path`` through the app's ASGI interface (a context manager).

        ``kwargs`` are :class:`EnvironBuilder`'s (``headers``, ``query_string``...);
        the client's cookies are sent. Raises ``WebSocketDenied`` when refused.
        """
        from .asgi_testing import WebSocketTestSession, websocket_scope

        builder = EnvironBuilder(self.application, path, **kwargs)
        try:
            environ = {**self.environ_base, **builder.get_environ()}
        finally:
            builder.close()
        if self._cookies is not None:
            cookie = self._cookies.header_for(
                environ.get("HTTP_HOST", "localhost"), _full_path(environ)
            )
            if cookie is not None:
                environ["HTTP_COOKIE"] = cookie
        return WebSocketTestSession(
            self.application, websocket_scope(environ, subprotocols), timeout
        )

    # -- context preservation and sessions -----------------------------------------------------

    def __enter__(self) -> VialClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.preserve_context = False
        self._context_stack.close()

    def session_transaction(self, *args: t.Any, **kwargs: t.Any) -> t.ContextManager[t.Any]:
        """Open the session the client would send, to read or change it in a ``with`` block."""
        from contextlib import contextmanager

        @contextmanager
        def transaction() -> t.Iterator[t.Any]:
            if self._cookies is None:
                raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
            app = self.application
            ctx = app.test_request_context(*args, **kwargs)
            cookie = self._cookies.header_for(ctx.request.host, _full_path(ctx.request.environ))
            if cookie is not None:
                ctx.request.environ["HTTP_COOKIE"] = cookie
                ctx.request.__dict__.pop("cookies", None)
            interface = app.session_interface
            # The temporary context is pushed only to open and to save the session, as
            # in Flask: the block itself runs in the caller's context.
            with ctx:
                sess = interface.open_session(app, ctx.request)
                if sess is None:
                    raise RuntimeError("Session backend did not open a session.")
            yield sess
            resp = app.response_class()
            if interface.is_null_session(sess):
                return
            with ctx:
                interface.save_session(app, sess, resp)
            self._cookies.update_from(
                resp.headers, ctx.request.host, _full_path(ctx.request.environ)
            )

        return transaction()


class _Cookie:
    """A cookie held by the test client, with the attributes it was set with.

    ``value`` is the value as sent (quoted when it had to be); ``decoded_value`` is
    the value the app reads. ``expires`` is an aware datetime or None.
    """

    __slots__ = (
        "decoded_key",
        "decoded_value",
        "domain",
        "expires",
        "http_only",
        "key",
        "max_age",
        "origin_only",
        "partitioned",
        "path",
        "same_site",
        "secure",
        "value",
    )

    def __init__(
        self,
        key: str,
        value: str,
        domain: str,
        path: str,
        attributes: dict[str, str] | None = None,
    ) -> None:
        from .http import parse_cookie, parse_date

        attributes = attributes or {}
        self.key = key
        self.value = value
        self.decoded_key, self.decoded_value = next(
            iter(parse_cookie(f"{key}={value}").items()), (key, value)
        )
        self.domain = domain
        self.origin_only = "domain" not in attributes
        self.path = path
        self.expires = parse_date(attributes["expires"]) if "expires" in attributes else None
        max_age = attributes.get("max-age", "")
        self.max_age = int(max_age) if max_age.lstrip("-").isdigit() else None
        self.secure = "secure" in attributes
        self.http_only = "httponly" in attributes
        self.same_site = attributes.get("samesite") or None
        self.partitioned = "partitioned" in attributes

    def __repr__(self) -> str:
        return f"<Cookie {self.key}={self.value!r}>"
