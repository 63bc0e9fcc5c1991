"""Server-sent events: stream ``text/event-stream`` from a sync or async generator.

::

    from vial.sse import ServerSentEvent, event_stream

    @app.get("/events")
    async def events():
        async def generate():
            for n in range(3):
                yield ServerSentEvent(data=f"tick {n}", event="tick", id=str(n))
                await asyncio.sleep(1)
        return event_stream(generate(), keep_alive=15)

Items may be :class:`ServerSentEvent` objects, strings (sent as ``data``) or
dicts of the event's fields. The response is never buffered (``Cache-Control:
no-cache``, ``X-Accel-Buffering: no``). With an async generator, a comment line
is sent every ``keep_alive`` seconds while the generator is idle, so proxies do
not drop the connection; when the client disconnects, the stream stops and the
generator is closed (under ASGI).
"""

from __future__ import annotations

import asyncio
import typing as t
from dataclasses import dataclass

if t.TYPE_CHECKING:
    from .wrappers.response import Response


@dataclass
class ServerSentEvent:
    """One event: ``data`` (may span lines), and optional ``event``, ``id`` and ``retry`` (ms)."""

    data: str = ""
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    def encode(self) -> bytes:
        """The event in the wire format, ending with a blank line."""
        lines = []
        if self.event is not None:
            lines.append(f"event: {_single_line(self.event, 'event')}")
        if self.id is not None:
            lines.append(f"id: {_single_line(self.id, 'id')}")
        if self.retry is not None:
            lines.append(f"retry: {int(self.retry)}")
        for line in str(self.data).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            lines.append(f"data: {line}")
        return ("\n".join(lines) + "\n\n").encode("utf-8")


def _single_line(value: str, field: str) -> str:
    if "\n" in value or "\r" in value or "\x00" in value:
        raise ValueError(f"The SSE {field!r} field must be a single line without NUL.")
    return value


KEEP_ALIVE_COMMENT = b": keep-alive\n\n"


def _to_event(item: t.Any) -> bytes:
    if isinstance(item, ServerSentEvent):
        return item.encode()
    if isinstance(item, dict):
        return ServerSentEvent(**item).encode()
    if isinstance(item, bytes):
        return ServerSentEvent(item.decode("utf-8")).encode()
    return ServerSentEvent(str(item)).encode()


async def _async_events(
    source: t.AsyncIterator[t.Any], keep_alive: float | None
) -> t.AsyncIterator[bytes]:
    iterator = source.__aiter__()
    pending: asyncio.Future[t.Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=keep_alive)
            if not done:
                yield KEEP_ALIVE_COMMENT
                continue
            try:
                item = pending.result()
            except StopAsyncIteration:
                return
            finally:
                if done:
                    pending = None
            yield _to_event(item)
    finally:
        if pending is not None:
            pending.cancel()
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()


def _sync_events(source: t.Iterable[t.Any]) -> t.Iterator[bytes]:
    iterator = iter(source)
    try:
        for item in iterator:
            yield _to_event(item)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def event_stream(
    source: t.Iterable[t.Any] | t.AsyncIterable[t.Any],
    *,
    keep_alive: float | None = 15.0,
    retry: int | None = None,
    status: int = 200,
) -> Response:
    """A streamed ``text/event-stream`` response of the events ``source`` yields.

    :param source: a sync or async iterable of events.
    :param keep_alive: seconds of silence before a keep-alive comment (async sources).
    :param retry: a reconnection delay (ms) sent first, if given.
    :param status: the status code.
    """
    from .globals import _cv_contexts
    from .wrappers.response import Response

    ctx = _cv_contexts.get()[0]
    response_class = ctx.app.response_class if ctx is not None else Response
    body: t.Any
    if hasattr(source, "__aiter__"):
        body = _async_events(t.cast("t.AsyncIterator[t.Any]", source), keep_alive)
    else:
        body = _sync_events(source)
    if retry is not None:
        body = _prefixed(f"retry: {int(retry)}\n\n".encode(), body)
    response = response_class(body, status=status, content_type="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    return response


def _prefixed(first: bytes, body: t.Any) -> t.Any:
    if hasattr(body, "__aiter__"):

        async def async_body() -> t.AsyncIterator[bytes]:
            yield first
            async for chunk in body:
                yield chunk

        return async_body()

    def sync_body() -> t.Iterator[bytes]:
        yield first
        yield from body

    return sync_body()
