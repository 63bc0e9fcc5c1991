"""Streamed responses: chunk by chunk, with the request context, and cleanup on disconnect."""

from __future__ import annotations

import asyncio
import threading
import typing as t

import pytest

from vial import Response, Vial, request, stream_with_context
from vial.testing import VialClient


def http_scope(path: str, query: bytes = b"") -> dict[str, t.Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"localhost")],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 5000),
    }


def run_asgi(
    app: Vial,
    path: str,
    on_body: t.Callable[[bytes], None],
    disconnect_after: int | None = None,
    query: bytes = b"",
) -> list[dict[str, t.Any]]:
    """Serve one GET through ``app.asgi`` as a server would; ``on_body`` sees each chunk.

    With ``disconnect_after``, the client goes away after that many body chunks.
    """
    sent: list[dict[str, t.Any]] = []

    async def main() -> None:
        gone = asyncio.Event()
        requested = False

        async def receive() -> dict[str, t.Any]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, t.Any]) -> None:
            if gone.is_set():
                raise OSError("client disconnected")
            sent.append(message)
            if message["type"] == "http.response.body":
                on_body(message.get("body", b""))
                chunks = sum(1 for m in sent if m["type"] == "http.response.body")
                if disconnect_after is not None and chunks >= disconnect_after:
                    gone.set()
                    await asyncio.sleep(0.05)  # let the app notice

        try:
            await asyncio.wait_for(app.asgi(http_scope(path, query), receive, send), 10)
        except OSError:
            pass  # the send after the disconnect; a server swallows it the same way

    asyncio.run(main())
    return sent


@pytest.fixture
def log() -> list[str]:
    return []


@pytest.fixture
def stream_app(app: Vial, log: list[str]) -> Vial:
    @app.route("/stream")
    def stream() -> Response:
        def generate() -> t.Iterator[str]:
            try:
                for i in range(5):
                    log.append(f"yield {i}")
                    yield f"chunk {i}\n"
                log.append("finished")
            finally:
                log.append("generator closed")

        rv = Response(generate(), mimetype="text/plain")
        rv.call_on_close(lambda: log.append("call_on_close"))
        return rv

    return app


# -- chunk by chunk ------------------------------------------------------------------------------


def test_streamed_body_complete(stream_app: Vial, client: VialClient, log: list[str]) -> None:
    rv = client.get("/stream")
    assert rv.status_code == 200
    assert rv.text == "".join(f"chunk {i}\n" for i in range(5))
    assert "Content-Length" not in rv.headers
    rv.close()
    assert sorted(log[-2:]) == ["call_on_close", "generator closed"]
    assert "finished" in log


def test_first_chunk_before_generator_finishes_wsgi(stream_app: Vial, log: list[str]) -> None:
    # WSGI half; the ASGI test client gathers the whole body, so ASGI is driven directly below.
    client = stream_app.test_client()
    rv = client.get("/stream")
    body = iter(rv.response)
    assert next(body) == b"chunk 0\n"
    assert log == ["yield 0"]
    assert next(body) == b"chunk 1\n"
    assert log == ["yield 0", "yield 1"]
    rest = list(body)
    assert len(rest) == 3
    assert "finished" in log
    rv.close()


def test_first_chunk_before_generator_finishes_asgi(stream_app: Vial, log: list[str]) -> None:
    seen_at_chunk: list[list[str]] = []
    sent = run_asgi(stream_app, "/stream", lambda chunk: seen_at_chunk.append(list(log)))
    bodies = [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]
    assert b"".join(bodies) == b"".join(f"chunk {i}\n".encode() for i in range(5))
    # When the first chunk reached the client, the generator had produced only that one.
    assert seen_at_chunk[0] == ["yield 0"]
    assert seen_at_chunk[1] == ["yield 0", "yield 1"]
    assert "finished" in log and "call_on_close" in log


def test_slow_generator_streams_each_chunk_asgi(app: Vial) -> None:
    # The first chunk arrives while the generator is still blocked producing the second.
    release = threading.Event()

    @app.route("/slow")
    def slow() -> Response:
        def generate() -> t.Iterator[bytes]:
            yield b"first"
            release.wait(5)
            yield b"second"

        return Response(generate())

    def on_body(chunk: bytes) -> None:
        if chunk == b"first":
            order.append("first arrived")
            release.set()

    order: list[str] = []
    sent = run_asgi(app, "/slow", on_body)
    assert order == ["first arrived"]
    assert b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body") == (
        b"firstsecond"
    )


def test_bytes_generator_and_empty_chunks(app: Vial, client: VialClient) -> None:
    @app.route("/bytes")
    def data() -> t.Any:
        def generate() -> t.Iterator[bytes]:
            yield b"a"
            yield b""
            yield b"b"

        return generate()

    rv = client.get("/bytes")
    assert rv.data == b"ab"
    rv.close()


# -- stream_with_context -------------------------------------------------------------------------


def test_stream_with_context(app: Vial, client: VialClient) -> None:
    @app.route("/ctx")
    def ctx() -> Response:
        @stream_with_context
        def generate() -> t.Iterator[str]:
            yield "hello "
            yield request.args["name"]
            yield f" at {request.path}"

        return Response(generate())

    @app.route("/ctx-wrapped")
    def wrapped() -> Response:
        def generate() -> t.Iterator[str]:
            yield request.args["name"]

        return Response(stream_with_context(generate()))

    rv = client.get("/ctx?name=ann")
    assert rv.text == "hello ann at /ctx"
    rv.close()
    rv = client.get("/ctx-wrapped?name=bob")
    assert rv.text == "bob"
    rv.close()


def test_without_stream_with_context_request_is_gone(app: Vial, client: VialClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = True
    seen: list[str] = []

    @app.route("/no-ctx")
    def no_ctx() -> Response:
        def generate() -> t.Iterator[str]:
            yield "a"
            try:
                seen.append(request.path)
            except RuntimeError:
                seen.append("no request context")
            yield "b"

        return Response(generate())

    rv = client.get("/no-ctx")
    assert rv.text == "ab"
    rv.close()
    assert seen == ["no request context"]


def test_stream_with_context_outside_request_fails() -> None:
    def generate() -> t.Iterator[str]:
        yield "x"

    with pytest.raises(RuntimeError, match="request context"):
        stream_with_context(generate())


# -- the client goes away ------------------------------------------------------------------------


def test_client_gone_closes_generator_wsgi(stream_app: Vial, log: list[str]) -> None:
    # WSGI: a server whose client left stops iterating and calls close() on the iterable.
    client = stream_app.test_client()
    rv = client.get("/stream")
    body = iter(rv.response)
    assert next(body) == b"chunk 0\n"
    rv.close()
    assert "finished" not in log
    assert "generator closed" in log
    assert "call_on_close" in log
    assert log.count("generator closed") == 1
    assert log.count("call_on_close") == 1


def test_client_gone_closes_generator_asgi(stream_app: Vial, log: list[str]) -> None:
    # ASGI: the client sends http.disconnect (and further sends fail) after two chunks.
    run_asgi(stream_app, "/stream", lambda chunk: None, disconnect_after=2)
    assert "finished" not in log
    assert "yield 4" not in log
    assert log.count("generator closed") == 1
    assert log.count("call_on_close") == 1


def test_client_gone_with_stream_with_context(app: Vial, log: list[str], interface: str) -> None:
    @app.route("/ctx-stream")
    def ctx_stream() -> Response:
        @stream_with_context
        def generate() -> t.Iterator[str]:
            try:
                for i in range(100):
                    yield f"{request.path} {i}\n"
            finally:
                log.append("closed")

        return Response(generate())

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        log.append("teardown")

    if interface == "wsgi":
        rv = app.test_client().get("/ctx-stream")
        assert next(iter(rv.response)) == b"/ctx-stream 0\n"
        rv.close()
    else:
        run_asgi(app, "/ctx-stream", lambda chunk: None, disconnect_after=1)
    assert log.count("closed") == 1
    assert log.count("teardown") == 1


def test_head_of_a_stream_with_context_tears_down_without_error(
    app: Vial, client: VialClient
) -> None:
    # HEAD never reads the body: the stream is closed unstarted, which is no error,
    # so teardown gets None (as in Flask), not GeneratorExit; the generator is closed.
    log: list[t.Any] = []

    @app.route("/s")
    def s() -> Response:
        def generate() -> t.Iterator[str]:
            try:
                log.append("started")
                yield "x"
            finally:
                log.append("closed")

        return Response(stream_with_context(generate()))

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        log.append(("teardown", exc))

    rv = client.head("/s")
    assert rv.data == b""
    rv.close()
    assert log == [("teardown", None)]
    log.clear()
    rv = client.get("/s")
    assert rv.data == b"x"
    rv.close()
    assert log == ["started", "closed", ("teardown", None)]
