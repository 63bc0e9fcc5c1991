"""WebSockets under ASGI: ``@app.websocket`` rules and the ``websocket`` global.

A WebSocket handler is an ``async def`` view registered with
:meth:`vial.Vial.websocket`. It runs on the event loop with a request context
pushed, so ``request`` (path, args, headers, cookies), ``session``, ``g`` and
``current_app`` work, and talks to the client through the ``websocket``
global::

    @app.websocket("/ws/<room>")
    async def chat(room):
        await websocket.accept()
        async for message in websocket:
            await websocket.send(f"{room}: {message}")

A connection to a path with no WebSocket rule, or one refused by a
``before_websocket`` hook (it returned a value or raised), is closed before it
is accepted, which the server answers with HTTP 403. An exception in the
handler is logged and closes the socket with code 1011. Under WSGI there are
no WebSockets: an HTTP request for a WebSocket rule gets 426 Upgrade Required.
"""

from __future__ import annotations

import contextvars
import inspect
import typing as t

from .exceptions import HTTPException

if t.TYPE_CHECKING:
    from .app import Vial
    from .ctx import RequestContext
    from .typing import Message, Receive, Scope, Send


class WebSocketDisconnect(Exception):
    """The client closed the connection (``code`` is the close code it sent)."""

    def __init__(self, code: int = 1000, reason: str = "") -> None:
        super().__init__(f"The WebSocket client disconnected (code {code}).")
        self.code = code
        self.reason = reason


class WebSocket:
    """One WebSocket connection; the ``websocket`` global during a WebSocket handler.

    ``receive`` and the ``send_*`` methods accept the connection first if the
    handler has not called :meth:`accept` itself.
    """

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, max_message_size: int | None
    ) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.max_message_size = max_message_size
        self.accepted = False
        self.closed = False

    @property
    def requested_subprotocols(self) -> list[str]:
        """The subprotocols the client offered, in its order of preference."""
        return list(self.scope.get("subprotocols") or ())

    async def accept(
        self, subprotocol: str | None = None, headers: t.Iterable[tuple[str, str]] | None = None
    ) -> None:
        """Accept the connection, optionally choosing a subprotocol and adding headers."""
        if self.accepted:
            return
        message: Message = {"type": "websocket.accept", "subprotocol": subprotocol}
        if headers:
            encoded = []
            for name, value in headers:
                if any(c in f"{name}{value}" for c in "\r\n\x00"):
                    raise ValueError("Header names and values must not contain CR, LF or NUL.")
                encoded.append((name.lower().encode("latin-1"), value.encode("latin-1")))
            message["headers"] = encoded
        await self._send(message)
        self.accepted = True

    async def receive(self) -> str | bytes:
        """The next message (text as str, binary as bytes).

        :raises WebSocketDisconnect: the client closed the connection.
        """
        await self.accept()
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.disconnect":
            self.closed = True
            raise WebSocketDisconnect(int(message.get("code", 1000)), message.get("reason") or "")
        data: str | bytes | None = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
        limit = self.max_message_size
        # The limit is in bytes: a text message is measured as UTF-8 (up to 4 bytes per
        # character), encoding it only when its character count leaves a doubt.
        if (
            limit is not None
            and len(data) > limit // 4
            and (len(data.encode("utf-8")) if isinstance(data, str) else len(data)) > limit
        ):
            await self.close(1009, "Message too big")
            raise WebSocketDisconnect(1009, "Message too big")
        return data

    async def receive_text(self) -> str:
        """The next message as text (binary messages are decoded as UTF-8)."""
        data = await self.receive()
        return data.decode("utf-8") if isinstance(data, bytes) else data

    async def receive_bytes(self) -> bytes:
        """The next message as bytes (text messages are encoded as UTF-8)."""
        data = await self.receive()
        return data.encode("utf-8") if isinstance(data, str) else data

    async def receive_json(self) -> t.Any:
        """The next message parsed as JSON with the app's provider."""
        from .globals import current_app

        return current_app.json.loads(await self.receive())

    async def send(self, data: str | bytes) -> None:
        """Send a text (str) or binary (bytes) message."""
        await self.accept()
        if isinstance(data, str):
            await self._send({"type": "websocket.send", "text": data})
        else:
            await self._send({"type": "websocket.send", "bytes": bytes(data)})

    async def send_text(self, data: str) -> None:
        """Send a text message."""
        await self.send(str(data))

    async def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        await self.send(bytes(data))

    async def send_json(self, obj: t.Any) -> None:
        """Send ``obj`` as a JSON text message (the app's provider, compact)."""
        from .globals import current_app

        await self.send(current_app.json.dumps(obj, separators=(",", ":")))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (before acceptance this refuses it: HTTP 403)."""
        if self.closed:
            return
        self.closed = True
        await self._send({"type": "websocket.close", "code": code, "reason": reason})

    def __aiter__(self) -> t.AsyncIterator[str | bytes]:
        return self._messages()

    async def _messages(self) -> t.AsyncIterator[str | bytes]:
        while True:
            try:
                yield await self.receive()
            except WebSocketDisconnect:
                return


async def _call_hook(app: Vial, func: t.Callable[..., t.Any], *args: t.Any) -> t.Any:
    if inspect.iscoroutinefunction(func):
        return await func(*args)
    import asyncio

    from ._async import executor_for

    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    executor = executor_for(int(app.config["ASGI_THREAD_POOL_SIZE"]))
    return await loop.run_in_executor(executor, context.run, func, *args)


async def _run_before_hooks(app: Vial, ctx: RequestContext) -> t.Any:
    request = ctx.request
    names = (None, *reversed(request.blueprints))
    for name in names:
        for func in app.url_value_preprocessors.get(name, ()):
            await _call_hook(app, func, request.endpoint, request.view_args)
    for name in names:
        for hook in app.before_websocket_funcs.get(name, ()):
            rv = await _call_hook(app, hook)
            if rv is not None:
                return rv
    return None


async def handle_websocket(app: Vial, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one WebSocket connection (the ASGI ``websocket`` scope)."""
    from .asgi import build_environ

    message = await receive()
    if message["type"] != "websocket.connect":
        return
    environ = build_environ(scope, None)
    ctx = app.request_context(environ)
    socket = WebSocket(scope, receive, send, app.config["WEBSOCKET_MAX_MESSAGE_SIZE"])
    ctx.websocket = socket
    error: BaseException | None = None
    ctx.push()
    try:
        request = ctx.request
        if request.routing_exception is not None or request.url_rule is None:
            await socket.close()
            return
        if not getattr(request.url_rule, "websocket", False):
            await socket.close()
            return
        try:
            refused = await _run_before_hooks(app, ctx)
        except HTTPException:
            refused = True
        if refused is not None:
            await socket.close()
            return
        handler = app.view_functions[request.url_rule.endpoint]
        try:
            result = handler(**(request.view_args or {}))
            if inspect.isawaitable(result):
                await result
        except WebSocketDisconnect:
            pass
        except Exception as e:
            error = e
            app.log_exception((type(e), e, e.__traceback__))
            await socket.close(
                1011 if socket.accepted else 1000, "Internal error" if socket.accepted else ""
            )
            return
        await socket.close()
    finally:
        ctx.pop(error)
