"""The ASGI interface: ``uvicorn module:app.asgi``.

The adapter translates and nothing more. An HTTP request becomes a PEP 3333
environ whose ``wsgi.input`` pulls the body from ``receive()`` on demand, and
the app's one request pipeline runs in a bounded thread pool with the context
variables copied, exactly as it runs under a WSGI server. Async views and hooks
are sent back to the server's event loop to run (see :mod:`vial._async`), and
async response bodies are iterated on the loop.

Why ``app.asgi`` rather than ``app`` itself: WSGI servers call ``app(environ,
start_response)`` and ASGI servers ``await app(scope, receive, send)``; one
``__call__`` cannot be both a plain function and a coroutine function without
making every server guess (uvicorn would take a sync ``__call__`` for ASGI 2).
``app`` stays Flask's WSGI callable, so WSGI middleware keeps wrapping
``app.wsgi_app``, and ``app.asgi`` is the ASGI 3 application.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import tempfile
import typing as t
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote_to_bytes

from . import _async, _fast_pipeline
from ._async import executor_for
from ._body_deadlines import deadlines_for
from .async_dispatch import is_async, run_request
from .exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge, RequestTimeout
from .helpers import views_stream_body
from .lifespan import run_lifespan
from .wrappers.request import (
    Request,
    RequestFromScope,
    host_is_invalid,
    valid_hosts,
)
from .wsgi import FileWrapper

if t.TYPE_CHECKING:
    from .app import Vial
    from .ctx import RequestContext
    from .typing import Message, Receive, Scope, Send, WSGIEnvironment
    from .wrappers.response import Response

_SENTINEL = object()


class ClientDisconnect(ClientDisconnected, OSError):
    """The client went away while the request body was being received.

    A 400 :class:`~vial.exceptions.ClientDisconnected` (so it takes the HTTP error path,
    not the 500 one, and is not logged as an application error) and an ``OSError`` as
    WSGI servers raise for a broken input stream. No response is sent for it.
    """


class ASGIBodyReader:
    """``wsgi.input`` under ASGI: reads ``http.request`` messages as they are asked for.

    Reading blocks the worker thread (never the event loop) until the next
    message arrives, or until ``timeout`` seconds pass (408).
    """

    # PERF: defaults on the class; a request without a body never creates its buffer.
    _more = True
    disconnected = False
    _spooled: t.IO[bytes] | None = None
    _read_started = False
    #: Set when a receive waited longer than the timeout.
    timed_out = False
    _error: HTTPException | None = None

    def __init__(
        self, receive: Receive, loop: asyncio.AbstractEventLoop, timeout: float | None
    ) -> None:
        self._receive = receive
        self.loop = loop
        self._timeout = timeout
        self._buffer = bytearray()

    @property
    def streamable(self) -> bool:
        """Whether nothing was read through ``read()`` yet (the body can still be streamed)."""
        return self._spooled is None and not self._read_started

    @property
    def complete(self) -> bool:
        """Whether the last body message has been received."""
        return not self._more

    def mark_empty(self) -> None:
        """The request has no body (HTTP/1 without Content-Length or Transfer-Encoding)."""
        self._more = False

    async def _next_message(self) -> None:
        timeout = self._timeout
        # PERF: the loop given, asyncio.current_task() skips get_running_loop(), which
        # costs a getpid() system call on Python 3.11.
        task = None if timeout is None else asyncio.current_task(self.loop)
        if timeout is None or task is None:
            message = await self._receive()
        else:
            # PERF: one timer per loop for every receive (see vial._body_deadlines).
            deadlines = deadlines_for(self.loop)
            deadlines.start(self, task, timeout)
            try:
                message = await self._receive()
            except asyncio.CancelledError:
                if not self.timed_out:
                    raise
                uncancel = getattr(task, "uncancel", None)  # Python 3.11+
                if uncancel is not None and uncancel() > 0:
                    raise  # the task was cancelled by someone else too: that wins
                raise RequestTimeout("The client was too slow sending the request body.") from None
            finally:
                deadlines.waiting.pop(self, None)
        if message["type"] == "http.disconnect":
            self._more = False
            self.disconnected = True
            raise ClientDisconnect("The client disconnected while sending the body.")
        self._buffer += message.get("body", b"")
        self._more = bool(message.get("more_body", False))

    def _fill(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            raise RuntimeError(
                "The request body cannot be read synchronously on the event loop. Under ASGI,"
                " vial receives the body before an async view runs, unless the view is marked"
                " with @stream_request_body: such a view reads it with 'async for chunk in"
                " request.iter_body()'."
            )
        if not self.loop.is_running():
            # The loop has stopped: a test client ran it for this request and kept the
            # context (``with client:``), and the body is read after the response.
            if self.loop.is_closed():
                raise ClientDisconnect("The request's event loop is closed; its body is gone.")
            self.loop.run_until_complete(self._next_message())
            return
        asyncio.run_coroutine_threadsafe(self._next_message(), self.loop).result()

    def fail_reads_with(self, error: HTTPException) -> None:
        """Make every later read raise ``error``: receiving the body ahead of a sync view
        failed (413, 408, a disconnect), and the view answers it when it reads the body."""
        self._error = error

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (everything left when negative)."""
        self._read_started = True
        if self._error is not None:
            raise self._error
        if self._spooled is not None:
            return self._spooled.read(size)
        if size is None or size < 0:
            while self._more:
                self._fill()
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        while self._more and len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def receive_ahead(self, limit: int | None, size: int) -> None:
        """Receive the body now (on the loop) into memory, until it is complete or more
        than ``size`` bytes are held; 413 past ``limit``."""
        while self._more and len(self._buffer) <= size:
            await self._next_message()
            if limit is not None and len(self._buffer) > limit:
                raise RequestEntityTooLarge()

    async def buffer_all(self, limit: int | None, spool_size: int) -> None:
        """Receive the whole body now (on the loop), spooling to disk past ``spool_size``."""
        if self._spooled is not None or not self._more:
            return
        # PERF: a body that fits in ``spool_size`` stays in the buffer (no temp file object);
        # receive_ahead() inlined, one coroutine less.
        while len(self._buffer) <= spool_size:
            await self._next_message()
            if limit is not None and len(self._buffer) > limit:
                raise RequestEntityTooLarge()
            if not self._more:
                return
        spool = tempfile.SpooledTemporaryFile(max_size=spool_size)  # noqa: SIM115 - closed in close()
        spool.write(self._buffer)
        total = len(self._buffer)
        self._buffer.clear()
        try:
            while self._more:
                await self._next_message()
                total += len(self._buffer)
                if limit is not None and total > limit:
                    raise RequestEntityTooLarge()
                spool.write(self._buffer)
                self._buffer.clear()
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        self._spooled = spool

    async def iter_messages(self, limit: int | None) -> t.AsyncIterator[bytes]:
        """Yield the body as it arrives (on the loop), refusing it past ``limit`` with 413."""
        total = 0
        while True:
            if self._buffer:
                chunk = bytes(self._buffer)
                self._buffer.clear()
                total += len(chunk)
                if limit is not None and total > limit:
                    raise RequestEntityTooLarge()
                yield chunk
            if not self._more:
                return
            await self._next_message()

    def close(self) -> None:
        """Release a spooled body."""
        if self._spooled is not None:
            self._spooled.close()


class _FileToSend(FileWrapper):
    """What ``wsgi.file_wrapper`` returns under ASGI: the adapter sends the file itself
    (``http.response.pathsend`` where the server offers it, else in 64 KiB blocks)."""

    def __init__(self, file: t.IO[bytes], block_size: int = 64 * 1024) -> None:
        super().__init__(file, block_size)


def receive_body_before_async_code() -> None:
    """Receive the current request's body, if unread, before async code runs on the loop.

    Async views and hooks run on the event loop, where the synchronous request API
    (``get_data``, ``json``, ``form``) cannot wait for the client. So the body is
    received first, from the worker thread: only once routing has found a view,
    held in memory up to ``ASGI_BODY_SPOOL_SIZE`` and on disk beyond, and refused
    with 413 as soon as it passes ``MAX_CONTENT_LENGTH``.
    """
    from .globals import _cv_contexts

    ctx = _cv_contexts.get()[1]
    if ctx is None:
        return
    request = ctx.request
    reader = request.environ.get("vial.asgi.body")
    if not isinstance(reader, ASGIBodyReader) or reader.complete:
        return
    if views_stream_body(ctx.app, request):
        return
    if request.routing_exception is not None:
        # Async hooks also run for a 404/405; no view will read this body.
        return
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge()
    spool_size = int(ctx.app.config["ASGI_BODY_SPOOL_SIZE"])
    asyncio.run_coroutine_threadsafe(reader.buffer_all(limit, spool_size), reader.loop).result()


#: How much of a sync view's body is received on the loop before a worker thread takes
#: the request (see _receive_body_for_sync_view).
SYNC_VIEW_RECEIVE_AHEAD = 64 * 1024


async def _receive_body_for_sync_view(app: Vial, request: Request, body: ASGIBodyReader) -> None:
    """Receive the start of the body of a request for a sync view here, on the loop,
    before the view takes a worker thread: read there, a client that trickles its upload
    holds the thread for up to ``ASGI_BODY_TIMEOUT``, and a few such clients every thread
    of the pool.

    Only once routing found a view that does not stream its body, and only its first
    :data:`SYNC_VIEW_RECEIVE_AHEAD` bytes (or ``MAX_CONTENT_LENGTH``, if lower), in memory
    (most bodies entirely), and nothing of a body declared larger than that limit. The rest is
    read on demand in the thread, as before, so that the limits the view and its hooks
    set (``request.max_content_length`` may be raised per request) and the form
    parser's early refusal still apply, and nothing goes to disk unasked. A failure
    here (408, a disconnect) is raised when the view reads the body, so that its error
    handlers answer it as before.
    """
    if request.routing_exception is not None or views_stream_body(app, request):
        return
    limit = app.config["MAX_CONTENT_LENGTH"]
    try:
        length = request.content_length
        if limit is not None:
            if length is not None and length > limit:
                return  # 413 when read, unless a hook raises request.max_content_length
            window = min(limit, SYNC_VIEW_RECEIVE_AHEAD)
        else:
            window = SYNC_VIEW_RECEIVE_AHEAD
        await body.receive_ahead(None, window)
    except HTTPException as error:
        body.fail_reads_with(error)


def _encode_wsgi(value: str) -> str:
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


#: Raw header name -> environ key (``b"user-agent"`` -> ``"HTTP_USER_AGENT"``).
_environ_keys: dict[bytes, str] = {}
_ENVIRON_TEMPLATE: WSGIEnvironment = {
    "wsgi.version": (1, 0),
    "wsgi.input_terminated": True,
    "wsgi.multithread": True,
    "wsgi.multiprocess": True,
    "wsgi.run_once": False,
    "wsgi.file_wrapper": _FileToSend,
}


def _environ_key(raw_name: bytes) -> str | None:
    """The environ key of a header name; ``None`` for one with an underscore, which
    would otherwise pass for its dashed twin (``X_Forwarded_For`` for
    ``X-Forwarded-For``, past a proxy that sets only the latter). Werkzeug's server
    and gunicorn drop such headers too."""
    key = _environ_keys.get(raw_name)
    if key is None:
        name = raw_name.decode("latin-1").upper()
        if "_" in name:
            return None
        name = name.replace("-", "_")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        if len(_environ_keys) < 1024:
            _environ_keys[raw_name] = key
    return key


def path_info(scope: Scope) -> str:
    """The ``PATH_INFO`` of an ASGI scope: the path below ``root_path``, as WSGI strings are."""
    return path_info_and_escapes(scope)[0]


def path_info_and_escapes(scope: Scope) -> tuple[str, bool]:
    """:func:`path_info`, and whether the raw path had percent-escapes."""
    root_path: str = scope.get("root_path", "")
    raw_path: bytes | None = scope.get("raw_path")
    escaped = False
    if raw_path:
        # The raw bytes keep what the decoded "path" loses (invalid UTF-8 becomes U+FFFD).
        # PERF: decoded first, then searched: 'b"%" in raw_path' first tries b"%" as an
        # integer and clears the TypeError (about 2,000 instructions), and most servers'
        # raw_path has no query to cut off.
        path = raw_path.decode("latin-1")
        if "?" in path:
            path = path.partition("?")[0]
        if "%" in path:
            escaped = True
            path = unquote_to_bytes(path.encode("latin-1")).decode("latin-1")
        if root_path:
            encoded_root = _encode_wsgi(root_path)
            if path.startswith(encoded_root):
                path = path[len(encoded_root) :]
    else:
        path = scope["path"]
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        path = _encode_wsgi(path)
    return path, escaped


def build_environ(scope: Scope, body: t.Any) -> WSGIEnvironment:
    """The PEP 3333 environ of an ASGI HTTP (or WebSocket) scope."""
    root_path: str = scope.get("root_path", "")
    raw_path: bytes | None = scope.get("raw_path")
    path = path_info(scope)
    server = scope.get("server") or ("localhost", 80)
    # PERF: one copy of the constant keys, then the per-request ones.
    environ = _ENVIRON_TEMPLATE.copy()
    environ["REQUEST_METHOD"] = scope.get("method", "GET")
    environ["SCRIPT_NAME"] = _encode_wsgi(root_path) if root_path else ""
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = scope.get("query_string", b"").decode("latin-1")
    host, port = server[0], server[1]
    environ["SERVER_NAME"] = host if type(host) is str else str(host)
    environ["SERVER_PORT"] = "80" if port is None else str(port)
    version = scope.get("http_version", "1.1")
    environ["SERVER_PROTOCOL"] = _PROTOCOLS.get(version) or f"HTTP/{version}"
    environ["wsgi.url_scheme"] = scope.get("scheme", "http")
    environ["wsgi.input"] = body
    environ["wsgi.errors"] = sys.stderr
    environ["asgi.scope"] = scope
    extra = scope.get("vial.environ")
    if extra:  # set by the test client: context preservation and other test-only keys
        environ.update(extra)
    if raw_path:
        environ["RAW_URI"] = raw_path.decode("latin-1")
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = str(client[0])
        environ["REMOTE_PORT"] = str(client[1])
    known_keys = _environ_keys
    for raw_name, raw_value in scope.get("headers", ()):
        key = known_keys.get(raw_name) or _environ_key(raw_name)
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        if key in environ:
            separator = "; " if key == "HTTP_COOKIE" else ", "
            value = f"{environ[key]}{separator}{value}"
        environ[key] = value
    return environ


_PROTOCOLS = {"1.1": "HTTP/1.1", "2": "HTTP/2", "1.0": "HTTP/1.0", "3": "HTTP/3"}

#: Header names seen in lower case (at most 1,024), so that a request whose names are all
#: known is checked with one subset test in C.
_lowercase_names: set[bytes] = set()


def _all_lowercase(names: t.Iterable[bytes]) -> bool:
    """Whether every header name is in lower case (and so may be looked up as such)."""
    for name in names:
        if name not in _lowercase_names:
            if not name.islower():
                return False
            if len(_lowercase_names) < 1024:
                _lowercase_names.add(name)
    return True


_NO_ENVIRON: WSGIEnvironment = {}


def context_from_scope(
    app: Vial,
    scope: Scope,
    receive: Receive,
    loop: asyncio.AbstractEventLoop,
    body: ASGIBodyReader | None,
    names: dict[bytes, bytes],
) -> RequestContext:
    """The request context of an HTTP scope, with a
    :class:`~vial.wrappers.request.RequestFromScope`, whose environ is built on first use
    (see :func:`environ_for_request`).

    ``body`` is the reader of the body the request announced (``None``: it has none), and
    ``names`` its headers as a dict, which needs every name to be unique.
    """
    request = RequestFromScope.__new__(RequestFromScope)
    request._environ_source = (scope, receive, loop, body, names)
    return _fast_pipeline.make_context(app, _NO_ENVIRON, request)


def environ_for_request(
    request: Request,
    scope: Scope,
    receive: Receive,
    loop: asyncio.AbstractEventLoop,
    body: ASGIBodyReader | None,
) -> WSGIEnvironment:
    """Build the environ of a request made by :func:`context_from_scope`, with ``body``
    (an empty one when ``None``), and keep it on the request (as ``Request(environ)``
    would have)."""
    if body is None:
        body = ASGIBodyReader(receive, loop, None)
        body.mark_empty()
    environ = build_environ(scope, body)
    environ["vial.asgi.body"] = body
    environ["werkzeug.request"] = request
    request.__dict__["environ"] = environ
    return environ


class ASGIApp:
    """The ASGI 3 application of a :class:`~vial.Vial` app (``app.asgi``)."""

    def __init__(self, app: Vial) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request, WebSocket connection or lifespan."""
        # PERF: HTTP is served right here, one coroutine less per request.
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":
                from .websockets import handle_websocket

                await handle_websocket(self.app, scope, receive, send)
            elif kind == "lifespan":
                await run_lifespan(self.app, receive, send)
            else:
                raise RuntimeError(f"vial does not handle ASGI scopes of type {kind!r}.")
            return
        app = self.app
        loop = asyncio.get_running_loop()
        config = app.config
        direct = app._serves_directly  # PERF: serves_directly()'s cached answer, inlined
        if direct is None:
            direct = _fast_pipeline.serves_directly(app)
        # HTTP/1 without Content-Length or Transfer-Encoding has no body (HTTP/2 bodies
        # need no such headers).
        http1 = scope.get("http_version", "1.1") in ("1.1", "1.0")
        body: ASGIBodyReader | None = None
        environ: WSGIEnvironment | None = None
        ctx: RequestContext | None = None
        cookie_sent: bool | None = None
        bad_host = False
        headers = scope.get("headers", ())
        # PERF: the header names once, in C; a repeated name (rare) takes the environ path,
        # and so do names in upper or mixed case (the ASGI spec asks servers to lower-case
        # them but allows keeping the client's case), which the environ reads in any case.
        names = dict(headers) if type(headers) is list else None
        if (
            names is not None
            and len(names) == len(headers)
            and (names.keys() <= _lowercase_names or _all_lowercase(names))
            and b"transfer-encoding" not in names
            and http1
            and "vial.environ" not in scope
            and direct
            and app.request_class is Request
        ):
            # PERF: the request gets its environ only if something reads it, which most
            # async views do not: routing and the fast path read the scope, and the request
            # answers its query arguments and its body's length, type and stream from it.
            cookie_sent = b"cookie" in names
            if names.get(b"content-length", b"0") not in (b"", b"0"):
                body = ASGIBodyReader(receive, loop, config["ASGI_BODY_TIMEOUT"])
            ctx = context_from_scope(app, scope, receive, loop, body, names)
            path, escaped = path_info_and_escapes(scope)
            raw_host = names.get(b"host")
            bad_host = (
                raw_host is not None and raw_host not in valid_hosts and host_is_invalid(raw_host)
            )
        else:
            body = ASGIBodyReader(receive, loop, config["ASGI_BODY_TIMEOUT"])
            environ = build_environ(scope, body)
            environ["vial.asgi.body"] = body
            if (
                http1
                and environ.get("CONTENT_LENGTH", "0") in ("", "0")
                and "HTTP_TRANSFER_ENCODING" not in environ
            ):
                body.mark_empty()  # PERF: nothing is awaited for a body there is not
            if direct:
                ctx = _fast_pipeline.make_context(app, environ)
                host = environ.get("HTTP_HOST")
                bad_host = host is not None and host not in valid_hosts and host_is_invalid(host)
            path = environ["PATH_INFO"]
            escaped = "%" in environ.get("RAW_URI", "")
        if ctx is not None:
            method = scope.get("method", "GET")
            _fast_pipeline.match(app, ctx, path, method, escaped, bad_host)
            rule = ctx.request.url_rule
            if rule is not None and is_async(app.view_functions[rule.endpoint]):
                # PERF: an async view runs on the loop, with no hop to a worker thread.
                try:
                    response = await run_request(app, ctx, body, environ, cookie_sent)
                    if not isinstance(response, tuple):
                        environ = ctx.request.environ
                        await self._send_response_object(
                            response, environ, send, receive, environ["vial.asgi.body"], scope, loop
                        )
                    elif body is None or not body.disconnected:
                        status, response_headers, data = response
                        await send(
                            {
                                "type": "http.response.start",
                                # A plain answer's status is one plain_answer() checked.
                                "status": int(status[:3]),
                                "headers": _encode_headers(response_headers),
                            }
                        )
                        if method == "HEAD":  # the scope's, as the WSGI path decides
                            data = b""
                        await send({"type": "http.response.body", "body": data})
                finally:
                    if body is not None:
                        body.close()
                return
            environ = ctx.request.environ
            environ["vial.request_context"] = ctx
        assert environ is not None
        body = environ["vial.asgi.body"]
        if ctx is not None and not body.complete:
            await _receive_body_for_sync_view(app, ctx.request, body)
        executor = executor_for(int(config["ASGI_THREAD_POOL_SIZE"]))
        started: list[t.Any] = []
        # Set here, not per request: async views find the loop through their request
        # (_async.running_server_loop), and a ContextVar.set costs about 1,500 instructions.
        _async.server_loop.set(loop)
        context = contextvars.copy_context()

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
        ) -> t.Callable[[bytes], None]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return _no_write

        try:
            iterable = await loop.run_in_executor(
                executor, context.run, app.wsgi_app, environ, start_response
            )
            await self._send_and_close(
                started, iterable, send, receive, body, scope, executor, context, loop
            )
        finally:
            body.close()

    async def _send_response_object(
        self,
        response: Response,
        environ: WSGIEnvironment,
        send: Send,
        receive: Receive,
        body: ASGIBodyReader,
        scope: Scope,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        headers = response.get_wsgi_headers(environ)
        iterable = response.get_app_iter(environ)
        started = [response.status, headers._list]
        executor = executor_for(int(self.app.config["ASGI_THREAD_POOL_SIZE"]))
        _async.server_loop.set(loop)
        await self._send_and_close(
            started,
            iterable,
            send,
            receive,
            body,
            scope,
            executor,
            contextvars.copy_context(),
            loop,
        )

    async def _send_and_close(
        self,
        started: list[t.Any],
        iterable: t.Any,
        send: Send,
        receive: Receive,
        body: ASGIBodyReader,
        scope: Scope,
        executor: ThreadPoolExecutor,
        context: contextvars.Context,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        """Send the response (unless the client already left mid-upload), then close its body."""
        try:
            if not body.disconnected:
                await self._send_response(
                    started, iterable, send, receive, body, scope, executor, context, loop
                )
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                await loop.run_in_executor(executor, context.run, close)

    async def _send_response(
        self,
        started: list[t.Any],
        iterable: t.Any,
        send: Send,
        receive: Receive,
        body: ASGIBodyReader,
        scope: Scope,
        executor: ThreadPoolExecutor,
        context: contextvars.Context,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        if not started:
            # The app produced its iterable without calling start_response yet.
            first = await loop.run_in_executor(executor, _next_in, context, iter(iterable))
            if not started:
                raise RuntimeError("The application did not call start_response.")
            prefix = [] if first is _SENTINEL else [first]
        else:
            prefix = []
        status, headers = started
        await send(
            {
                "type": "http.response.start",
                "status": _status_code(status),
                "headers": _encode_headers(headers),
            }
        )
        for chunk in prefix:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if isinstance(iterable, (list, tuple)):
            count = len(iterable)
            for index, chunk in enumerate(iterable):
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": index < count - 1}
                )
            if count == 0:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        disconnected = asyncio.Event()
        watcher = loop.create_task(_watch_disconnect(receive, body, disconnected))
        try:
            await _stream_body(iterable, send, scope, executor, context, loop, disconnected)
        finally:
            watcher.cancel()
            try:
                await watcher
            except (asyncio.CancelledError, Exception):
                pass


async def _watch_disconnect(
    receive: Receive, body: ASGIBodyReader, disconnected: asyncio.Event
) -> None:
    """Wait for ``http.disconnect`` once the request body is no longer being read."""
    if body.disconnected:
        disconnected.set()
        return
    while True:
        # Body messages the view did not read are drained here.
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            disconnected.set()
            return


async def _stream_body(
    iterable: t.Any,
    send: Send,
    scope: Scope,
    executor: ThreadPoolExecutor,
    context: contextvars.Context,
    loop: asyncio.AbstractEventLoop,
    disconnected: asyncio.Event,
) -> None:
    target = iterable
    if isinstance(target, _FileToSend):
        name = getattr(target.file, "name", None)
        extensions = scope.get("extensions") or {}
        if (
            isinstance(name, str)
            and "http.response.pathsend" in extensions
            and target.file.tell() == 0
        ):
            await send({"type": "http.response.pathsend", "path": os.path.abspath(name)})
            return
    iterator: t.AsyncIterator[t.Any] | None = None
    if hasattr(target, "__aiter__"):
        iterator = target.__aiter__()
        async_iterator = iterator

        def next_chunk() -> t.Awaitable[t.Any]:
            return asyncio.ensure_future(_anext_or_sentinel(async_iterator))
    else:
        sync_iterator = iter(iterable)

        def next_chunk() -> t.Awaitable[t.Any]:
            return loop.run_in_executor(executor, _next_in, context, sync_iterator)

    disconnect_wait = asyncio.ensure_future(disconnected.wait())
    pending: asyncio.Future[t.Any] | None = None
    try:
        while True:
            # A generator may wait a long time for its next chunk (server-sent events):
            # a client that goes away meanwhile ends the stream at once.
            pending = asyncio.ensure_future(next_chunk())
            await asyncio.wait({pending, disconnect_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not pending.done():
                return
            chunk = pending.result()
            pending = None
            if chunk is _SENTINEL:
                break
            if disconnected.is_set():
                return
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        disconnect_wait.cancel()
        if pending is not None and not pending.done():
            # The client left while a chunk was being produced. An async iterator is
            # cancelled where it waits; a sync one cannot be interrupted in its thread, so
            # its current step is awaited: only then can it be closed (and the request's
            # context, which that step has entered, be used again for clean-up).
            if iterator is not None:
                pending.cancel()
            await asyncio.wait({pending})
            _ignore_result(pending)
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:
                pass
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _anext_or_sentinel(iterator: t.AsyncIterator[t.Any]) -> t.Any:
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return _SENTINEL


def _ignore_result(future: asyncio.Future[t.Any]) -> None:
    if not future.cancelled():
        future.exception()


def _next_in(context: contextvars.Context, iterator: t.Iterator[t.Any]) -> t.Any:
    """``next(iterator)`` inside ``context`` (the request's), or the sentinel at the end."""
    return context.run(next, iterator, _SENTINEL)


#: Header name -> its lower-case bytes (``"Content-Type"`` -> ``b"content-type"``).
_encoded_names: dict[str, bytes] = {}


def _encode_name(name: str) -> bytes:
    encoded = name.lower().encode("latin-1")
    if len(_encoded_names) < 256:
        _encoded_names[name] = encoded
    return encoded


#: ``(name, value)`` -> its ``http.response.start`` form, for pairs seen before.
_encoded_items: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _encode_pair(name: str, value: str) -> tuple[bytes, bytes]:
    return (_encoded_names.get(name) or _encode_name(name), value.encode("latin-1"))


def _encode_headers(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """A WSGI header list in the form of ``http.response.start``."""
    known = _encoded_items
    encoded = []
    # PERF: a loop, not a list comprehension, which is a function call of its own (3.11);
    # most answers repeat their pairs (Content-Type, a Content-Length of the same size).
    for item in headers:
        try:
            pair = known.get(item)
        except TypeError:  # a [name, value] list from WSGI middleware: encoded, not kept
            encoded.append(_encode_pair(*item))
            continue
        if pair is None:
            name, value = item
            pair = _encode_pair(name, value)
            # Not kept: long pairs, and cookies (per client, and better not held). A full
            # cache starts again, as in plain_header_items().
            if len(name) + len(value) <= 256 and pair[0] != b"set-cookie":
                if len(known) >= 1024:
                    known.clear()
                known[item] = pair
        encoded.append(pair)
    return encoded


def _status_code(status: str) -> int:
    """The code of a WSGI status line, which must start with three digits and a space."""
    code = status[:3]
    if not (code.isascii() and code.isdigit() and status[3:4] in (" ", "")):
        raise ValueError(f"The status {status!r} does not start with a three-digit code.")
    return int(code)


def _no_write(data: bytes) -> None:
    raise RuntimeError("The WSGI write() callable is not supported under ASGI; return an iterable.")
