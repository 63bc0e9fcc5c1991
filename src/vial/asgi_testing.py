"""Driving an app's ASGI interface in-process, for the test client (``asgi=True``)."""

from __future__ import annotations

import sys
import typing as t

from . import _async
from .datastructures import Headers
from .statuses import HTTP_STATUS_CODES

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import Message, Scope, WSGIEnvironment

#: Request bodies are delivered in messages of this size, to exercise streaming.
BODY_MESSAGE_SIZE = 64 * 1024
#: Environ keys the scope carries by other means (or the app sets itself).
_KEYS_FROM_THE_SCOPE = frozenset(
    (
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "REMOTE_PORT",
        "REQUEST_URI",
        "RAW_URI",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "werkzeug.request",
    )
)


def scope_from_environ(environ: WSGIEnvironment) -> Scope:
    """The ASGI HTTP scope for a request described by a WSGI environ."""

    def text(key: str, default: str = "") -> str:
        return str(environ.get(key, default)).encode("latin-1").decode("utf-8", "surrogateescape")

    headers: list[tuple[bytes, bytes]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        headers.append((name.encode("latin-1"), str(value).encode("latin-1")))
    root_path = text("SCRIPT_NAME")
    path = text("PATH_INFO", "/")
    raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    raw_path = raw_uri.partition("?")[0].encode("latin-1") if raw_uri else None
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": environ.get("REQUEST_METHOD", "GET"),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "path": root_path + path,
        "raw_path": raw_path,
        "root_path": root_path,
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            int(environ.get("SERVER_PORT", 80) or 80),
        ),
        "client": (environ.get("REMOTE_ADDR", "127.0.0.1"), 50000),
        "extensions": {},
    }
    # Keys an ASGI server would not send (environ_base's REMOTE_USER, an app's own keys,
    # the test client's context preservation) reach the app's environ as they do under WSGI.
    extra = {
        key: value
        for key, value in environ.items()
        if (key == "wsgi.errors" and value is not sys.stderr)
        or not (key.startswith(("HTTP_", "wsgi.")) or key in _KEYS_FROM_THE_SCOPE)
    }
    if extra:
        scope["vial.environ"] = extra
    return scope


def run_asgi_app(
    app: Vial, environ: WSGIEnvironment, buffered: bool = False
) -> tuple[t.Iterable[bytes], str, Headers]:
    """Send one request through ``app.asgi``; returns ``(body_chunks, status, headers)``.

    The body is always received whole; unless ``buffered``, it is handed back as an
    iterator, as the WSGI path hands back the app's iterable, so the test response's
    ``is_streamed`` reads the same through both interfaces.
    """
    scope = scope_from_environ(environ)
    stream = environ["wsgi.input"]
    length = str(environ.get("CONTENT_LENGTH") or "")
    # An invalid Content-Length is sent as it is: answering it is the app's job.
    valid = length.isascii() and length.isdigit()
    body = stream.read(int(length)) if valid else stream.read()
    if body and not length and not environ.get("HTTP_TRANSFER_ENCODING"):
        # A body without a length travels chunked over HTTP/1.1; the server says so.
        scope["headers"].append((b"transfer-encoding", b"chunked"))
    messages: list[Message] = []
    offset = 0
    while True:
        chunk = body[offset : offset + BODY_MESSAGE_SIZE]
        offset += len(chunk)
        messages.append({"type": "http.request", "body": chunk, "more_body": offset < len(body)})
        if offset >= len(body):
            break
    sent: list[Message] = []

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        # After the body, the client stays connected until the response is complete.
        while not any(m["type"] == "http.response.body" and not m.get("more_body") for m in sent):
            import asyncio

            await asyncio.sleep(0.001)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    _async.run_coroutine_sync(app.asgi(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None:
        raise RuntimeError("The ASGI app finished without starting a response.")
    code = int(start["status"])
    status = f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"
    headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]])
    chunks: list[bytes] = []
    for message in sent:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        elif message["type"] == "http.response.pathsend":
            with open(message["path"], "rb") as file:
                chunks.append(file.read())
    return (chunks if buffered else iter(chunks)), status, headers


class WebSocketDenied(Exception):
    """The app closed the WebSocket before accepting it (a real server answers 403)."""


class WebSocketTestSession:
    """A WebSocket conversation with an app in-process: ``with client.websocket(path) as ws``.

    The app runs on an event loop in a background thread; ``send_*`` and
    ``receive_*`` talk to it through queues, with a timeout so a test never hangs.
    """

    def __init__(self, app: Vial, scope: Scope, timeout: float = 10.0) -> None:
        import queue

        self.app = app
        self.scope = scope
        self.timeout = timeout
        self._to_app: queue.Queue[Message] = queue.Queue()
        self._from_app: queue.Queue[Message] = queue.Queue()
        self._thread: t.Any = None
        self._error: BaseException | None = None
        self.accepted_subprotocol: str | None = None
        self.accept_headers: list[tuple[bytes, bytes]] = []
        self.close_code: int | None = None

    def _run(self) -> None:
        import asyncio

        async def receive() -> Message:
            return await asyncio.to_thread(self._to_app.get)

        async def send(message: Message) -> None:
            self._from_app.put(message)

        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self.app.asgi(self.scope, receive, send))
        except BaseException as error:
            self._error = error
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            self._from_app.put({"type": "vial.test.finished"})

    def __enter__(self) -> WebSocketTestSession:
        import threading

        self._thread = threading.Thread(target=self._run, name="vial-websocket-test", daemon=True)
        self._thread.start()
        self._to_app.put({"type": "websocket.connect"})
        message = self._next()
        if message["type"] == "websocket.accept":
            self.accepted_subprotocol = message.get("subprotocol")
            self.accept_headers = list(message.get("headers") or [])
            return self
        self._finish()
        raise WebSocketDenied(f"The app refused the WebSocket connection ({message!r}).")

    def __exit__(self, *exc_info: object) -> None:
        if self.close_code is None:
            self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        self._finish()

    def _finish(self) -> None:
        if self._thread is not None:
            self._thread.join(self.timeout)
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _next(self) -> Message:
        import queue

        try:
            message = self._from_app.get(timeout=self.timeout)
        except queue.Empty:
            raise TimeoutError(f"The app sent nothing within {self.timeout} s.") from None
        if message["type"] == "vial.test.finished":
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            raise RuntimeError("The WebSocket handler finished without closing the connection.")
        if message["type"] == "websocket.close":
            self.close_code = int(message.get("code", 1000))
            # As a server does: once the app closed, a receive() it still awaits (e.g.
            # in another task) gets websocket.disconnect instead of waiting forever.
            self._to_app.put({"type": "websocket.disconnect", "code": self.close_code})
        return message

    def send(self, data: str | bytes) -> None:
        """Send a text (str) or binary (bytes) message to the app."""
        if isinstance(data, str):
            self._to_app.put({"type": "websocket.receive", "text": data})
        else:
            self._to_app.put({"type": "websocket.receive", "bytes": bytes(data)})

    def send_text(self, data: str) -> None:
        """Send a text message."""
        self.send(str(data))

    def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        self.send(bytes(data))

    def send_json(self, obj: t.Any) -> None:
        """Send ``obj`` as a JSON text message."""
        import json

        self.send(json.dumps(obj))

    def receive(self) -> str | bytes:
        """The next message from the app.

        :raises WebSocketClosed: the app closed the connection instead.
        """
        message = self._next()
        if message["type"] == "websocket.close":
            raise WebSocketClosed(self.close_code or 1000, message.get("reason") or "")
        if message.get("text") is not None:
            return str(message["text"])
        return bytes(message.get("bytes") or b"")

    def receive_text(self) -> str:
        """The next message, which must be text."""
        data = self.receive()
        assert isinstance(data, str), f"expected a text message, got {data!r}"
        return data

    def receive_bytes(self) -> bytes:
        """The next message, which must be binary."""
        data = self.receive()
        assert isinstance(data, bytes), f"expected a binary message, got {data!r}"
        return data

    def receive_json(self) -> t.Any:
        """The next message parsed as JSON."""
        import json

        return json.loads(self.receive())

    def close(self, code: int = 1000) -> None:
        """Close the connection from the client side."""
        self._to_app.put({"type": "websocket.disconnect", "code": code})
        self.close_code = code


class WebSocketClosed(Exception):
    """The app closed the WebSocket; ``code`` is the close code it sent."""

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"The app closed the WebSocket with code {code}.")
        self.code = code
        self.reason = reason


def websocket_scope(environ: WSGIEnvironment, subprotocols: t.Sequence[str] = ()) -> Scope:
    """The ASGI ``websocket`` scope for a handshake described by a WSGI environ."""
    scope = scope_from_environ(environ)
    scope["type"] = "websocket"
    scope["scheme"] = "wss" if scope["scheme"] == "https" else "ws"
    scope["subprotocols"] = list(subprotocols)
    scope.pop("method", None)
    return scope
