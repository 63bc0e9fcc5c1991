"""Server-sent events: encoding, headers, sync/async sources, keep-alive and disconnects."""

from __future__ import annotations

import asyncio
import threading
import time
import typing as t

import pytest

from vial import Vial, g, request
from vial.sse import KEEP_ALIVE_COMMENT, ServerSentEvent, event_stream
from vial.testing import VialClient


def test_event_encoding() -> None:
    assert ServerSentEvent("hello").encode() == b"data: hello\n\n"
    assert ServerSentEvent("").encode() == b"data: \n\n"
    assert ServerSentEvent("line 1\nline 2\r\nline 3\rline 4").encode() == (
        b"data: line 1\ndata: line 2\ndata: line 3\ndata: line 4\n\n"
    )
    assert ServerSentEvent("x", event="update", id="42", retry=3000).encode() == (
        b"event: update\nid: 42\nretry: 3000\ndata: x\n\n"
    )
    assert ServerSentEvent("caf\u00e9").encode() == "data: café\n\n".encode()


@pytest.mark.parametrize("field", ["event", "id"])
@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b"])
def test_single_line_fields_refuse_newlines(field: str, bad: str) -> None:
    with pytest.raises(ValueError, match=field):
        ServerSentEvent("x", **{field: bad}).encode()  # type: ignore[arg-type]


def test_items_strings_dicts_and_bytes(app: Vial, client: VialClient) -> None:
    @app.get("/events")
    def events() -> t.Any:
        return event_stream(
            [
                "plain",
                {"data": "two\nlines", "event": "multi", "id": "2"},
                ServerSentEvent("obj", retry=10),
                b"raw",
            ]
        )

    response = client.get("/events")
    assert response.data == (
        b"data: plain\n\n"
        b"event: multi\nid: 2\ndata: two\ndata: lines\n\n"
        b"retry: 10\ndata: obj\n\n"
        b"data: raw\n\n"
    )


def test_headers(app: Vial, client: VialClient) -> None:
    @app.get("/events")
    def events() -> t.Any:
        return event_stream(iter(["x"]))

    response = client.get("/events")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert "Content-Length" not in response.headers


def test_retry_prefix_and_status(app: Vial, client: VialClient) -> None:
    @app.get("/events")
    def events() -> t.Any:
        return event_stream(["x"], retry=5000, status=201)

    response = client.get("/events")
    assert response.status_code == 201
    assert response.data == b"retry: 5000\n\ndata: x\n\n"


def test_sync_generator_with_request_context(app: Vial, client: VialClient) -> None:
    from vial import stream_with_context

    @app.get("/events")
    def events() -> t.Any:
        g.prefix = request.args["p"]

        @stream_with_context
        def generate() -> t.Iterator[ServerSentEvent]:
            for i in range(3):
                yield ServerSentEvent(f"{g.prefix}{i}", id=str(i))

        return event_stream(generate())

    assert client.get("/events?p=n").data == b"".join(
        f"id: {i}\ndata: n{i}\n\n".encode() for i in range(3)
    )


def test_async_generator(app: Vial, client: VialClient) -> None:
    @app.get("/events")
    async def events() -> t.Any:
        async def generate() -> t.AsyncIterator[t.Any]:
            for i in range(3):
                await asyncio.sleep(0)
                yield {"data": str(i), "event": "tick"}

        return event_stream(generate())

    assert client.get("/events").data == b"".join(
        f"event: tick\ndata: {i}\n\n".encode() for i in range(3)
    )


def _collect_asgi(
    app: Vial, path: str, disconnect_after: int | None = None, timeout: float = 10
) -> list[bytes]:
    """Drive app.asgi directly; disconnect once ``disconnect_after`` chunks arrived."""
    chunks: list[bytes] = []

    async def main() -> None:
        changed = asyncio.Event()
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, t.Any]:
            if messages:
                return messages.pop()
            while disconnect_after is None or len(chunks) < disconnect_after:
                changed.clear()
                await changed.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, t.Any]) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                chunks.append(message["body"])
            changed.set()

        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "root_path": "",
            "query_string": b"",
            "headers": [],
        }
        await asyncio.wait_for(app.asgi(scope, receive, send), timeout)
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(main())
    return chunks


def test_keep_alive_comments_while_async_source_idles(app: Vial) -> None:
    @app.get("/events")
    async def events() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            yield "first"
            await asyncio.sleep(0.35)
            yield "second"

        return event_stream(generate(), keep_alive=0.1)

    chunks = _collect_asgi(app, "/events")
    assert chunks[0] == b"data: first\n\n"
    assert chunks[-1] == b"data: second\n\n"
    keep_alives = chunks[1:-1]
    assert 2 <= len(keep_alives) <= 4
    assert set(keep_alives) == {KEEP_ALIVE_COMMENT}
    assert KEEP_ALIVE_COMMENT.startswith(b":")


def test_keep_alive_under_wsgi(app: Vial) -> None:
    @app.get("/events")
    async def events() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            await asyncio.sleep(0.25)
            yield "late"

        return event_stream(generate(), keep_alive=0.1)

    response = app.test_client().get("/events")
    assert response.data.endswith(b"data: late\n\n")
    assert response.data.startswith(KEEP_ALIVE_COMMENT)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_clean_shutdown_on_disconnect(app: Vial, kind: str) -> None:
    finished = threading.Event()
    torn_down = threading.Event()
    produced: list[int] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        torn_down.set()

    if kind == "async":

        @app.get("/events")
        async def events() -> t.Any:
            async def generate() -> t.AsyncIterator[str]:
                try:
                    for i in range(10_000):
                        produced.append(i)
                        yield f"event {i}"
                        await asyncio.sleep(0.01 if i < 2 else 30)
                finally:
                    finished.set()

            return event_stream(generate(), keep_alive=None)

    else:

        @app.get("/events")
        def events() -> t.Any:
            def generate() -> t.Iterator[str]:
                try:
                    for i in range(10_000):
                        produced.append(i)
                        yield f"event {i}"
                        time.sleep(0.01)
                finally:
                    finished.set()

            return event_stream(generate())

    started = time.monotonic()
    chunks = _collect_asgi(app, "/events", disconnect_after=3)
    assert time.monotonic() - started < 5
    assert chunks[:3] == [f"data: event {i}\n\n".encode() for i in range(3)]
    assert len(produced) < 50
    assert finished.is_set()
    assert torn_down.is_set()


def test_disconnect_while_waiting_for_keep_alive(app: Vial) -> None:
    finished = threading.Event()

    @app.get("/events")
    async def events() -> t.Any:
        async def generate() -> t.AsyncIterator[str]:
            try:
                yield "hello"
                await asyncio.sleep(60)
            finally:
                finished.set()

        return event_stream(generate(), keep_alive=0.05)

    chunks = _collect_asgi(app, "/events", disconnect_after=3)
    assert chunks[0] == b"data: hello\n\n"
    assert finished.is_set()
