"""The ASGI adapter driven directly: hand-written scopes, receive and send, no test client."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import os
import tempfile
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vial._async
import vial.asgi
from vial import (
    Response,
    Vial,
    g,
    request,
    send_file,
    stream_request_body,
    stream_with_context,
    url_for,
)
from vial.globals import _cv_app, _cv_request
from vial.wrappers import Request

Message = dict[str, t.Any]


def http_scope(
    path: str = "/",
    method: str = "GET",
    headers: t.Sequence[tuple[str, str]] = (),
    query_string: bytes = b"",
    root_path: str = "",
    extensions: dict[str, t.Any] | None = None,
) -> dict[str, t.Any]:
    """An HTTP scope as uvicorn builds it: ``path`` includes ``root_path``.

    A request that may carry a body and has no Content-Length is sent chunked, as an
    HTTP/1.1 client does (the server passes ``Transfer-Encoding: chunked`` on).
    """
    full = root_path + path
    names = {name.lower() for name, _ in headers}
    if method not in ("GET", "HEAD") and not names & {"content-length", "transfer-encoding"}:
        headers = [*headers, ("Transfer-Encoding", "chunked")]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": full,
        "raw_path": full.encode(),
        "root_path": root_path,
        "query_string": query_string,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50123),
        "extensions": extensions if extensions is not None else {},
    }


class FakeServer:
    """Plays the server: scripted ``receive`` messages, recorded ``send`` messages.

    After the scripted messages, ``receive`` waits until the response is complete and
    then reports ``http.disconnect`` (as a server does), unless ``hang`` is set, in which
    case it never returns (a client that stopped sending).
    """

    def __init__(
        self,
        messages: t.Sequence[Message] = (),
        hang: bool = False,
        disconnect_after_chunks: int | None = None,
    ) -> None:
        # A server always sends at least one http.request message, even for a GET.
        self.messages = list(messages) or [
            {"type": "http.request", "body": b"", "more_body": False}
        ]
        self.hang = hang
        self.disconnect_after_chunks = disconnect_after_chunks
        self.sent: list[Message] = []
        self.receive_calls = 0
        self.body_messages_taken = 0
        self._changed: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    @property
    def finished(self) -> bool:
        return any(
            m["type"] == "http.response.pathsend"
            or (m["type"] == "http.response.body" and not m.get("more_body"))
            for m in self.sent
        )

    @property
    def body_chunks(self) -> list[bytes]:
        return [m.get("body", b"") for m in self.sent if m["type"] == "http.response.body"]

    async def receive(self) -> Message:
        self.receive_calls += 1
        if self.messages:
            message = self.messages.pop(0)
            if message["type"] == "http.request":
                self.body_messages_taken += 1
            return message
        if self.hang:
            await asyncio.Event().wait()
        while True:
            if self.finished:
                return {"type": "http.disconnect"}
            if (
                self.disconnect_after_chunks is not None
                and len([c for c in self.body_chunks if c]) >= self.disconnect_after_chunks
            ):
                return {"type": "http.disconnect"}
            event = self._event()
            event.clear()
            await event.wait()

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        self._event().set()

    @property
    def start(self) -> Message:
        return next(m for m in self.sent if m["type"] == "http.response.start")

    @property
    def status(self) -> int:
        return int(self.start["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.start["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(self.body_chunks)


def body_messages(body: bytes, parts: int) -> list[Message]:
    """``body`` split into ``parts`` ``http.request`` messages."""
    size = max(1, -(-len(body) // parts))
    chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    return [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]


def serve(app: Vial, scope: dict[str, t.Any], server: FakeServer, timeout: float = 10.0) -> None:
    async def main() -> None:
        await asyncio.wait_for(app.asgi(scope, server.receive, server.send), timeout)
        # Nothing the request started is left running on the loop.
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(main())


@pytest.fixture
def app() -> Vial:
    app = Vial(__name__)
    app.config.update(TESTING=True, SECRET_KEY="key")
    return app


# -- the ASGI 3 call ---------------------------------------------------------------------------


def test_asgi3_single_callable(app: Vial) -> None:
    @app.get("/")
    def index() -> str:
        return "hello"

    asgi = app.asgi
    assert asgi is app.asgi
    assert inspect.iscoroutinefunction(asgi.__call__)
    assert list(inspect.signature(asgi).parameters) == ["scope", "receive", "send"]
    server = FakeServer()
    serve(app, http_scope("/"), server)
    assert server.status == 200
    assert server.headers["content-type"].startswith("text/html")
    assert server.body == b"hello"
    assert server.sent[-1] == {"type": "http.response.body", "body": b"hello", "more_body": False}


def test_unknown_scope_type_raises(app: Vial) -> None:
    async def main() -> None:
        await app.asgi({"type": "unknown"}, FakeServer().receive, FakeServer().send)

    with pytest.raises(RuntimeError, match="unknown"):
        asyncio.run(main())


def test_root_path_like_script_name(app: Vial) -> None:
    @app.get("/hello/<name>")
    def hello(name: str) -> dict[str, str]:
        return {
            "path": request.path,
            "script_root": request.script_root,
            "url": request.url,
            "url_for": url_for("hello", name="x"),
            "external": url_for("hello", name="x", _external=True),
        }

    server = FakeServer()
    serve(app, http_scope("/hello/bob", root_path="/mount"), server)
    assert server.status == 200
    assert json.loads(server.body) == {
        "path": "/hello/bob",
        "script_root": "/mount",
        "url": "http://127.0.0.1:8000/mount/hello/bob",
        "url_for": "/mount/hello/x",
        "external": "http://127.0.0.1:8000/mount/hello/x",
    }


def test_query_headers_and_client(app: Vial) -> None:
    @app.get("/")
    def index() -> dict[str, t.Any]:
        return {
            "args": request.args.getlist("a"),
            "accept": request.headers.get("Accept"),
            "cookies": dict(request.cookies),
            "remote": request.remote_addr,
        }

    scope = http_scope(
        "/",
        query_string=b"a=1&a=2",
        headers=[("Accept", "text/plain"), ("Cookie", "x=1"), ("Cookie", "y=2")],
    )
    server = FakeServer()
    serve(app, scope, server)
    assert json.loads(server.body) == {
        "args": ["1", "2"],
        "accept": "text/plain",
        "cookies": {"x": "1", "y": "2"},
        "remote": "127.0.0.1",
    }


# -- request bodies ----------------------------------------------------------------------------


def _body_views(app: Vial) -> None:
    @app.post("/sync/data")
    def sync_data() -> dict[str, t.Any]:
        return {"len": len(request.get_data()), "json": request.get_json(silent=True)}

    @app.post("/async/data")
    async def async_data() -> dict[str, t.Any]:
        await asyncio.sleep(0)
        return {"len": len(request.get_data()), "json": request.get_json(silent=True)}

    @app.post("/sync/form")
    def sync_form() -> dict[str, t.Any]:
        upload = request.files.get("upload")
        return {
            "form": request.form.to_dict(),
            "file": None if upload is None else [upload.filename, upload.read().decode()],
        }

    @app.post("/async/form")
    async def async_form() -> dict[str, t.Any]:
        upload = request.files.get("upload")
        return {
            "form": request.form.to_dict(),
            "file": None if upload is None else [upload.filename, upload.read().decode()],
        }


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_json_body_in_several_messages(app: Vial, kind: str, with_length: bool) -> None:
    _body_views(app)
    body = json.dumps({"items": list(range(200))}).encode()
    headers = [("Content-Type", "application/json")]
    if with_length:
        headers.append(("Content-Length", str(len(body))))
    else:  # HTTP/1.1 without a length: the server passes the chunked Transfer-Encoding on
        headers.append(("Transfer-Encoding", "chunked"))
    server = FakeServer(body_messages(body, 7))
    serve(app, http_scope(f"/{kind}/data", "POST", headers), server)
    assert server.status == 200, server.body
    assert json.loads(server.body) == {"len": len(body), "json": {"items": list(range(200))}}
    assert server.body_messages_taken == 7


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_urlencoded_form_in_several_messages(app: Vial, kind: str) -> None:
    _body_views(app)
    body = b"a=1&b=" + b"x" * 500 + b"&c=%C3%A9"
    headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Length", str(len(body))),
    ]
    server = FakeServer(body_messages(body, 5))
    serve(app, http_scope(f"/{kind}/form", "POST", headers), server)
    assert server.status == 200, server.body
    assert json.loads(server.body) == {"form": {"a": "1", "b": "x" * 500, "c": "é"}, "file": None}


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_multipart_files_in_several_messages(app: Vial, kind: str) -> None:
    _body_views(app)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="field"\r\n\r\n'
        "value\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="upload"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        f"{'line of text ' * 300}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    headers = [
        ("Content-Type", f"multipart/form-data; boundary={boundary}"),
        ("Content-Length", str(len(body))),
    ]
    server = FakeServer(body_messages(body, 9))
    serve(app, http_scope(f"/{kind}/form", "POST", headers), server)
    assert server.status == 200, server.body
    assert json.loads(server.body) == {
        "form": {"field": "value"},
        "file": ["a.txt", "line of text " * 300],
    }


def test_large_body_spools_to_disk_before_async_view(
    app: Vial, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["ASGI_BODY_SPOOL_SIZE"] = 1024
    real = tempfile.SpooledTemporaryFile
    spools: list[t.Any] = []

    def recording(*args: t.Any, **kwargs: t.Any) -> t.Any:
        spool = real(*args, **kwargs)
        spools.append(spool)
        return spool

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", recording)

    @app.post("/upload")
    async def upload() -> dict[str, t.Any]:
        data = request.get_data()
        reader = request.environ["vial.asgi.body"]
        spooled = reader._spooled
        on_disk = spooled is not None and bool(spooled._rolled)
        return {"len": len(data), "on_disk": on_disk, "ok": data == body}

    body = os.urandom(10_000)
    server = FakeServer(body_messages(body, 10))
    scope = http_scope("/upload", "POST", [("Content-Type", "application/octet-stream")])
    serve(app, scope, server)
    assert json.loads(server.body) == {"len": 10_000, "on_disk": True, "ok": True}
    assert len(spools) == 1 and spools[0].closed

    # A small body stays in memory.
    server = FakeServer(body_messages(b"small", 2))
    serve(app, http_scope("/upload", "POST"), server)
    assert json.loads(server.body)["on_disk"] is False


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_max_content_length_stops_receiving(app: Vial, kind: str) -> None:
    _body_views(app)
    app.config["MAX_CONTENT_LENGTH"] = 100
    body = b"x" * 1000
    server = FakeServer(body_messages(body, 20))  # 50 bytes per message
    serve(app, http_scope(f"/{kind}/data", "POST"), server)
    assert server.status == 413
    # 100 bytes are 2 messages; the third passes the limit; the other 17 are never taken.
    assert server.body_messages_taken <= 4


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_declared_length_over_limit_receives_nothing(app: Vial, kind: str) -> None:
    _body_views(app)
    app.config["MAX_CONTENT_LENGTH"] = 100
    server = FakeServer(body_messages(b"x" * 1000, 20))
    serve(app, http_scope(f"/{kind}/data", "POST", [("Content-Length", "1000")]), server)
    assert server.status == 413
    assert server.body_messages_taken == 0


@pytest.mark.parametrize("path", ["/missing", "/sync/data"])
def test_body_not_received_before_a_view_is_found(app: Vial, path: str) -> None:
    _body_views(app)
    server = FakeServer(body_messages(b"x" * 1000, 5))
    # /missing is a 404, /sync/data with PUT is a 405: neither may take the body.
    serve(app, http_scope(path, "PUT", [("Content-Length", "1000")]), server)
    assert server.status in (404, 405)
    assert server.body_messages_taken == 0


def test_body_not_received_when_view_ignores_it(app: Vial) -> None:
    @app.post("/ignore")
    async def ignore() -> str:
        return "ok"

    server = FakeServer(body_messages(b"x" * 1000, 5))
    serve(app, http_scope("/ignore", "POST", [("Content-Length", "1000")]), server)
    assert server.status == 200
    # Async code runs after the body is received (documented); a sync view would not.
    assert server.body_messages_taken == 5


def test_sync_view_ignoring_a_large_body_receives_only_its_start(app: Vial) -> None:
    # Without MAX_CONTENT_LENGTH, the loop receives SYNC_VIEW_RECEIVE_AHEAD bytes for a sync
    # view (so that a stalled upload does not hold a worker thread) and no more.
    from vial.asgi import SYNC_VIEW_RECEIVE_AHEAD

    @app.post("/ignore")
    def ignore() -> str:
        return "ok"

    size = 50 * 4096
    server = FakeServer(body_messages(b"x" * size, 50))
    serve(app, http_scope("/ignore", "POST", [("Content-Length", str(size))]), server)
    assert server.status == 200
    assert server.body_messages_taken == SYNC_VIEW_RECEIVE_AHEAD // 4096 + 1


def test_sync_view_gets_a_small_body_received_before_it_runs(app: Vial) -> None:
    taken: list[int] = []

    @app.post("/read")
    def read() -> str:
        taken.append(server.body_messages_taken)  # before the view reads anything
        return str(len(request.get_data()))

    size = 10 * 4096
    server = FakeServer(body_messages(b"x" * size, 10))
    serve(app, http_scope("/read", "POST", [("Content-Length", str(size))]), server)
    assert server.status == 200 and server.body == str(size).encode()
    assert taken == [10]


def test_sync_view_body_past_the_limit_is_413_from_its_error_handler(app: Vial) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        return "too large, said the app", 413

    @app.post("/read")
    def read() -> str:
        return str(len(request.get_data()))

    server = FakeServer(body_messages(b"x" * 5000, 5))  # chunked: no Content-Length
    serve(app, http_scope("/read", "POST"), server)
    assert server.status == 413 and server.body == b"too large, said the app"


def test_async_view_reads_body_as_it_arrives(app: Vial) -> None:
    seen: list[int] = []

    @app.post("/stream")
    @stream_request_body
    async def stream_upload() -> str:
        async for chunk in request.iter_body():
            seen.append(len(chunk))
        return "ok"

    server = FakeServer(body_messages(b"x" * 1000, 5))
    serve(app, http_scope("/stream", "POST"), server)
    assert server.status == 200
    assert seen == [200] * 5


def test_streaming_view_reading_its_body_synchronously_is_told_how_to_read_it(
    app: Vial,
) -> None:
    errors: list[str] = []

    @app.post("/stream")
    @stream_request_body
    async def stream_upload() -> str:
        try:
            request.get_data()
        except RuntimeError as error:
            errors.append(str(error))
        return "ok"

    serve(app, http_scope("/stream", "POST"), FakeServer(body_messages(b"x" * 100, 2)))
    (message,) = errors
    assert "request.iter_body()" in message
    assert callable(Request.iter_body)  # the API the message names exists


def test_streamed_body_past_max_content_length_is_413(app: Vial) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 500
    seen: list[int] = []

    @app.post("/stream")
    @stream_request_body
    async def stream_upload() -> str:
        async for chunk in request.iter_body():
            seen.append(len(chunk))
        return "ok"

    server = FakeServer(body_messages(b"x" * 1000, 5))
    serve(app, http_scope("/stream", "POST"), server)
    assert server.status == 413
    assert sum(seen) <= 500


# -- responses ---------------------------------------------------------------------------------


def test_bytes_response_is_one_message(app: Vial) -> None:
    @app.get("/")
    def index() -> bytes:
        return b"raw bytes"

    server = FakeServer()
    serve(app, http_scope("/"), server)
    assert [m["type"] for m in server.sent] == ["http.response.start", "http.response.body"]
    assert server.body == b"raw bytes"
    assert server.headers["content-length"] == "9"


def test_sync_generator_streams_several_messages(app: Vial) -> None:
    @app.get("/")
    def index() -> t.Any:
        def generate() -> t.Iterator[str]:
            for i in range(4):
                yield f"chunk {i};"

        return generate()

    server = FakeServer()
    serve(app, http_scope("/"), server)
    assert server.status == 200
    assert [c for c in server.body_chunks if c] == [f"chunk {i};".encode() for i in range(4)]
    assert server.sent[-1]["more_body"] is False


def test_async_generator_streams_several_messages(app: Vial) -> None:
    @app.get("/")
    async def index() -> t.Any:
        async def generate() -> t.AsyncIterator[bytes]:
            for i in range(4):
                await asyncio.sleep(0)
                yield f"chunk {i};".encode()

        return Response(generate(), mimetype="text/plain")

    server = FakeServer()
    serve(app, http_scope("/"), server)
    assert server.status == 200
    assert [c for c in server.body_chunks if c] == [f"chunk {i};".encode() for i in range(4)]


def test_streamed_chunks_are_sent_before_generator_finishes(app: Vial) -> None:
    """Back-pressure: each chunk is sent (awaited) before the next is produced."""
    produced: list[int] = []
    sent_when_produced: list[int] = []
    server = FakeServer()

    @app.get("/")
    def index() -> t.Any:
        def generate() -> t.Iterator[bytes]:
            for i in range(3):
                sent_when_produced.append(len([c for c in server.body_chunks if c]))
                produced.append(i)
                yield b"x"

        return generate()

    serve(app, http_scope("/"), server)
    assert sent_when_produced == [0, 1, 2]


@pytest.fixture
def big_file(tmp_path: t.Any) -> str:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(200_000))
    return str(path)


def test_send_file_streamed_in_chunks(app: Vial, big_file: str) -> None:
    @app.get("/file")
    def file() -> Response:
        return send_file(big_file)

    server = FakeServer()
    serve(app, http_scope("/file"), server)
    assert server.status == 200
    chunks = [c for c in server.body_chunks if c]
    assert len(chunks) >= 3
    with open(big_file, "rb") as f:
        assert b"".join(chunks) == f.read()
    assert not any(m["type"] == "http.response.pathsend" for m in server.sent)


def test_send_file_uses_pathsend_when_offered(app: Vial, big_file: str) -> None:
    @app.get("/file")
    def file() -> Response:
        return send_file(big_file)

    server = FakeServer()
    serve(app, http_scope("/file", extensions={"http.response.pathsend": {}}), server)
    assert server.status == 200
    assert server.headers["content-length"] == "200000"
    assert server.sent[1:] == [{"type": "http.response.pathsend", "path": big_file}]


def test_send_file_range_does_not_use_pathsend(app: Vial, big_file: str) -> None:
    @app.get("/file")
    def file() -> Response:
        return send_file(big_file)

    server = FakeServer()
    scope = http_scope(
        "/file", headers=[("Range", "bytes=100-199")], extensions={"http.response.pathsend": {}}
    )
    serve(app, scope, server)
    assert server.status == 206
    with open(big_file, "rb") as f:
        assert server.body == f.read()[100:200]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_disconnect_mid_stream_stops_and_cleans_up(app: Vial, kind: str) -> None:
    events: list[str] = []
    produced: list[int] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        events.append("teardown")

    if kind == "sync":

        @app.get("/")
        def index() -> Response:
            def generate() -> t.Iterator[bytes]:
                try:
                    for i in range(1000):
                        produced.append(i)
                        time.sleep(0.01)
                        yield b"tick"
                finally:
                    events.append("finally")

            response = Response(stream_with_context(generate()))
            response.call_on_close(lambda: events.append("on_close"))
            return response

    else:

        @app.get("/")
        async def index() -> Response:
            async def generate() -> t.AsyncIterator[bytes]:
                try:
                    for i in range(1000):
                        produced.append(i)
                        await asyncio.sleep(0.01)
                        yield b"tick"
                finally:
                    events.append("finally")

            response = Response(generate())
            response.call_on_close(lambda: events.append("on_close"))
            return response

    server = FakeServer(disconnect_after_chunks=3)
    serve(app, http_scope("/"), server)
    assert server.status == 200
    assert len(produced) < 20
    assert "finally" in events and "on_close" in events and "teardown" in events
    assert not server.finished  # no final "more_body": False after the client left


def test_disconnect_while_generator_waits(app: Vial) -> None:
    """A generator that waits a long time for its next item is stopped at once."""
    closed = threading.Event()

    @app.get("/")
    async def index() -> Response:
        async def generate() -> t.AsyncIterator[bytes]:
            try:
                yield b"first"
                await asyncio.sleep(60)
                yield b"never"
            finally:
                closed.set()

        return Response(generate())

    server = FakeServer(disconnect_after_chunks=1)
    started = time.monotonic()
    serve(app, http_scope("/"), server)
    assert time.monotonic() - started < 5
    assert closed.is_set()
    assert server.body_chunks == [b"first"]


# -- bad input: slow bodies and disconnects ----------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_slow_body_times_out_with_408(app: Vial, kind: str) -> None:
    _body_views(app)
    app.config["ASGI_BODY_TIMEOUT"] = 0.2
    server = FakeServer([{"type": "http.request", "body": b"{", "more_body": True}], hang=True)
    started = time.monotonic()
    serve(app, http_scope(f"/{kind}/data", "POST", [("Content-Length", "100")]), server)
    assert server.status == 408
    assert time.monotonic() - started < 5


_JSON = [("Content-Type", "application/json")]


class TricklingServer(FakeServer):
    """Sends each scripted body message ``delay`` seconds after the previous one."""

    def __init__(self, messages: t.Sequence[Message], delay: float, hang: bool = False) -> None:
        super().__init__(messages, hang=hang)
        self.delay = delay

    async def receive(self) -> Message:
        if self.messages:
            await asyncio.sleep(self.delay)
        return await super().receive()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_body_timeout_is_per_message_not_per_body(app: Vial, kind: str) -> None:
    """Each piece arrives within the timeout; the whole body takes longer, and that is fine."""
    _body_views(app)
    app.config["ASGI_BODY_TIMEOUT"] = 0.5
    server = TricklingServer(body_messages(b"[1, 2, 3, 4, 5]", 5), delay=0.15)
    started = time.monotonic()
    serve(app, http_scope(f"/{kind}/data", "POST", _JSON), server)
    assert time.monotonic() - started > 0.5
    assert server.status == 200
    assert json.loads(server.body) == {"len": 15, "json": [1, 2, 3, 4, 5]}


def test_body_timeouts_of_concurrent_requests_are_their_own(app: Vial) -> None:
    """On one loop, a stalled upload times out while a slow but live one completes,
    and one with a longer timeout (another app) is left alone."""
    _body_views(app)
    app.config["ASGI_BODY_TIMEOUT"] = 0.4
    patient = Vial("patient")
    _body_views(patient)
    patient.config["ASGI_BODY_TIMEOUT"] = 5.0
    stalled = FakeServer([{"type": "http.request", "body": b"{", "more_body": True}], hang=True)
    live = TricklingServer(body_messages(b'{"a": 1}', 4), delay=0.1)
    slow = TricklingServer(body_messages(b'"late"', 1), delay=0.6)

    async def main() -> None:
        await asyncio.wait_for(
            asyncio.gather(
                app.asgi(http_scope("/async/data", "POST", _JSON), stalled.receive, stalled.send),
                app.asgi(http_scope("/sync/data", "POST", _JSON), live.receive, live.send),
                patient.asgi(http_scope("/async/data", "POST", _JSON), slow.receive, slow.send),
            ),
            10,
        )

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 5
    assert stalled.status == 408
    assert (live.status, json.loads(live.body)) == (200, {"len": 8, "json": {"a": 1}})
    assert (slow.status, json.loads(slow.body)) == (200, {"len": 6, "json": "late"})


def test_body_timeout_leaves_the_task_usable(app: Vial) -> None:
    """After a 408, the request's own async code (a teardown) still awaits normally."""
    _body_views(app)
    app.config["ASGI_BODY_TIMEOUT"] = 0.1
    torn_down: list[str] = []

    @app.teardown_request
    async def note(error: BaseException | None) -> None:
        await asyncio.sleep(0.01)
        torn_down.append("done")

    server = FakeServer([{"type": "http.request", "body": b"{", "more_body": True}], hang=True)
    serve(app, http_scope("/async/data", "POST"), server)
    assert server.status == 408
    assert torn_down == ["done"]


@pytest.fixture
def tracked_temp_files(monkeypatch: pytest.MonkeyPatch) -> list[t.Any]:
    files: list[t.Any] = []
    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile"):
        real = getattr(tempfile, name)

        def recording(*args: t.Any, _real: t.Any = real, **kwargs: t.Any) -> t.Any:
            file = _real(*args, **kwargs)
            files.append(file)
            return file

        monkeypatch.setattr(tempfile, name, recording)
    return files


def _isolated_pool(app: Vial, size: int) -> ThreadPoolExecutor:
    app.config["ASGI_THREAD_POOL_SIZE"] = size
    vial._async._executors.pop(size, None)
    return vial._async.executor_for(size)


def _assert_pool_idle(pool: ThreadPoolExecutor, size: int) -> None:
    """No worker is blocked: the pool shuts down promptly and its threads end."""
    done = threading.Event()

    def shutdown() -> None:
        pool.shutdown(wait=True)
        done.set()

    threading.Thread(target=shutdown, daemon=True).start()
    assert done.wait(5), "a worker thread is still blocked"
    vial._async._executors.pop(size, None)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("content", ["raw", "multipart"])
def test_client_disconnect_mid_upload_leaves_nothing_behind(
    app: Vial, kind: str, content: str, tracked_temp_files: list[t.Any]
) -> None:
    size = 3  # a pool of our own, so the threads can be counted and shut down
    pool = _isolated_pool(app, size)
    app.config["ASGI_BODY_SPOOL_SIZE"] = 100
    reached: list[str] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        reached.append("teardown")

    if content == "raw":
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", "100000")]
        first = b"x" * 5000
    else:
        headers = [
            ("Content-Type", "multipart/form-data; boundary=bnd"),
            ("Content-Length", "100000"),
        ]
        first = (
            b'--bnd\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'
            + b"y" * 600_00
        )

    def read_body() -> str:
        if content == "raw":
            request.get_data()
        else:
            request.files.get("f")
        return "unreachable"

    if kind == "sync":
        app.add_url_rule("/up", "up", read_body, methods=["POST"])
    else:

        async def async_read_body() -> str:
            return read_body()

        app.add_url_rule("/up", "up", async_read_body, methods=["POST"])

    baseline = threading.active_count()
    for _ in range(3):
        server = FakeServer(
            [
                {"type": "http.request", "body": first, "more_body": True},
                {"type": "http.disconnect"},
            ]
        )
        serve(app, http_scope("/up", "POST", headers), server)
        assert server.sent == []  # nobody to answer
        assert threading.active_count() <= baseline + size

    assert reached == ["teardown"] * 3
    assert _cv_request.get(None) is None and _cv_app.get(None) is None

    # Contexts do not leak into the worker threads' own context either.
    def contexts_in_worker() -> tuple[t.Any, t.Any]:
        return _cv_request.get(None), _cv_app.get(None)

    assert pool.submit(contexts_in_worker).result(5) == (None, None)
    _assert_pool_idle(pool, size)
    assert threading.active_count() <= baseline
    assert all(f.closed for f in tracked_temp_files), tracked_temp_files


def test_client_disconnect_mid_stream_leaves_nothing_behind(app: Vial) -> None:
    size = 2
    pool = _isolated_pool(app, size)

    @app.get("/")
    def index() -> t.Any:
        def generate() -> t.Iterator[bytes]:
            while True:
                g.setdefault("n", 0)
                time.sleep(0.005)
                yield b"."

        return stream_with_context(generate())

    baseline = threading.active_count()
    for _ in range(3):
        serve(app, http_scope("/"), FakeServer(disconnect_after_chunks=2))
    assert _cv_request.get(None) is None and _cv_app.get(None) is None
    _assert_pool_idle(pool, size)
    assert threading.active_count() <= baseline


def test_hung_client_body_does_not_block_worker_after_timeout(app: Vial) -> None:
    size = 2
    pool = _isolated_pool(app, size)
    app.config["ASGI_BODY_TIMEOUT"] = 0.1

    @app.post("/")
    def index() -> str:
        return str(len(request.get_data()))

    server = FakeServer([{"type": "http.request", "body": b"x", "more_body": True}], hang=True)
    serve(app, http_scope("/", "POST"), server)
    assert server.status == 408
    _assert_pool_idle(pool, size)


def test_async_hook_on_unrouted_path_does_not_receive_body(app: Vial) -> None:
    """An async before_request hook runs for a 404 too; that must not pull the body in."""
    ran: list[str] = []

    @app.before_request
    async def hook() -> None:
        ran.append(request.path)

    server = FakeServer(body_messages(b"x" * 1000, 5))
    serve(app, http_scope("/missing", "POST", [("Content-Length", "1000")]), server)
    assert server.status == 404
    assert ran == ["/missing"]
    assert server.body_messages_taken == 0


def test_header_names_with_underscores_are_dropped(app: Vial) -> None:
    """``X_Forwarded_For`` would become the environ key of ``X-Forwarded-For`` and pass
    for the header a proxy set; like Werkzeug's server and gunicorn, vial drops it."""

    @app.get("/")
    def index() -> dict[str, t.Any]:
        return {
            "forwarded": request.headers.getlist("X-Forwarded-For"),
            "environ": request.environ.get("HTTP_X_FORWARDED_FOR"),
            "other": request.headers.get("X-Other"),
        }

    server = FakeServer()
    headers = [("X_Forwarded_For", "6.6.6.6"), ("X-Forwarded-For", "10.0.0.1"), ("X-Other", "1")]
    serve(app, http_scope("/", headers=headers), server)
    assert json.loads(server.body) == {
        "forwarded": ["10.0.0.1"],
        "environ": "10.0.0.1",
        "other": "1",
    }


@pytest.mark.skipif(not hasattr(asyncio.Task, "uncancel"), reason="needs Task.uncancel (3.11+)")
def test_a_server_cancellation_is_not_taken_for_a_body_timeout() -> None:
    """The server cancels the request's task in the same loop step as the body deadline
    passes: the task must still end cancelled, not carry on with a 408."""
    from vial._body_deadlines import deadlines_for
    from vial.asgi import ASGIBodyReader

    async def main() -> str:
        loop = asyncio.get_running_loop()
        never = asyncio.Event()

        async def receive() -> Message:
            await never.wait()
            return {"type": "http.request"}

        reader = ASGIBodyReader(receive, loop, 60.0)
        task = loop.create_task(reader.buffer_all(None, 1024))
        deadlines = deadlines_for(loop)
        while reader not in deadlines.waiting:
            await asyncio.sleep(0)
        deadlines.waiting[reader] = (0.0, task)  # the deadline has passed
        task.cancel()  # the server's own cancellation...
        deadlines._expire()  # ...and the timeout, in the same step
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        except Exception as error:
            return type(error).__name__
        return "finished"

    assert asyncio.run(main()) == "cancelled"


# -- the environ of a request without a body, built when first read ---------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_view_sees_the_environ_a_wsgi_server_would_build(app: Vial, kind: str) -> None:
    seen: dict[str, t.Any] = {}

    def look() -> str:
        environ = request.environ
        seen.update(environ)
        seen["same object each time"] = request.environ is environ
        seen["request"] = environ["werkzeug.request"] is request._get_current_object()  # type: ignore[attr-defined]
        seen["body"] = environ["wsgi.input"].read()
        return "ok"

    if kind == "sync":
        app.get("/page")(look)
    else:

        async def look_async() -> str:
            return look()

        app.get("/page")(look_async)
    scope = http_scope(
        "/page",
        query_string=b"q=caf%C3%A9",
        root_path="/app",
        headers=[("Accept", "text/plain"), ("X-Custom", "1"), ("Cookie", "a=1")],
    )
    server = FakeServer()
    serve(app, scope, server)
    assert server.body == b"ok"
    assert seen["same object each time"] and seen["request"]
    assert seen["body"] == b""
    assert seen["asgi.scope"] is scope
    expected = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "/app",
        "PATH_INFO": "/page",
        "QUERY_STRING": "q=caf%C3%A9",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT": "text/plain",
        "HTTP_X_CUSTOM": "1",
        "HTTP_COOKIE": "a=1",
        "wsgi.url_scheme": "http",
    }
    assert {key: seen.get(key) for key in expected} == expected


def test_async_view_request_attributes_without_reading_the_environ(app: Vial) -> None:
    @app.get("/files/<path:name>")
    async def files(name: str) -> dict[str, t.Any]:
        return {
            "name": name,
            "path": request.path,
            "url": request.url,
            "args": request.args.to_dict(),
            "cookies": request.cookies.to_dict(),
            "host": request.host,
            "repr": repr(request._get_current_object()),  # type: ignore[attr-defined]
            "is a Request": isinstance(request._get_current_object(), Request),  # type: ignore[attr-defined]
        }

    scope = http_scope(
        "/files/caf%C3%A9/a b",
        query_string=b"x=1",
        headers=[("Host", "example.test"), ("Cookie", "a=1"), ("Cookie", "b=2")],
    )
    scope["raw_path"] = b"/files/caf%C3%A9/a%20b"
    server = FakeServer()
    serve(app, scope, server)
    assert server.status == 200
    assert json.loads(server.body) == {
        "name": "café/a b",
        "path": "/files/café/a b",
        "url": "http://example.test/files/café/a%20b?x=1",
        "args": {"x": "1"},
        "cookies": {"a": "1", "b": "2"},
        "host": "example.test",
        "repr": "<Request 'http://example.test/files/café/a%20b?x=1' [GET]>",
        "is a Request": True,
    }


def _post_scope(body: bytes, content_type: str, **kwargs: t.Any) -> dict[str, t.Any]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    return http_scope("/data", method="POST", headers=headers, **kwargs)


def _body_messages(body: bytes) -> list[Message]:
    # Two messages, as a server hands over a body that came in two packets.
    half = len(body) // 2
    return [
        {"type": "http.request", "body": body[:half], "more_body": True},
        {"type": "http.request", "body": body[half:], "more_body": False},
    ]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_view_with_a_body_sees_the_environ_a_wsgi_server_would_build(app: Vial, kind: str) -> None:
    seen: dict[str, t.Any] = {}

    def look() -> str:
        environ = request.environ
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read()
        return "ok"

    if kind == "sync":
        app.post("/data")(look)
    else:

        async def look_async() -> str:
            return look()

        app.post("/data")(look_async)
    server = FakeServer(_body_messages(b'{"a": 1}'))
    serve(app, _post_scope(b'{"a": 1}', "application/json", query_string=b"x=1"), server)
    assert server.body == b"ok"
    expected = {
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "x=1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "8",
        "body": b'{"a": 1}',
    }
    assert {key: seen.get(key) for key in expected} == expected


def test_async_view_reads_a_body_as_under_wsgi(app: Vial) -> None:
    # An async view's request answers its arguments and its body's length, type and
    # stream from the scope until something reads the environ; the answers must be the
    # ones the environ gives.
    @app.post("/data")
    async def data() -> dict[str, t.Any]:
        answer = {
            "args": request.args.to_dict(flat=False),
            "content_length": request.content_length,
            "is_json": request.is_json,
            "json": request.get_json(silent=True),
            "data": request.get_data(as_text=True),
        }
        answer["mimetype"] = request.mimetype  # reads the environ
        answer["environ args"] = request.environ["QUERY_STRING"]
        return answer

    cases = [
        ('{"n": null, "s": "café"}'.encode(), "application/json", b"a=1&a=2&b=%C3%A9"),
        (b'{"x": [1, 2]}', "application/vnd.api+json", b""),
        (b'{"x": 1}', "text/plain; charset=utf-8", b"q"),
        (b"not json", "application/json", b"a=%41&c"),
    ]
    for body, content_type, query in cases:
        server = FakeServer(_body_messages(body))
        serve(app, _post_scope(body, content_type, query_string=query), server)
        with app.test_request_context(
            "/data?" + query.decode(), method="POST", data=body, content_type=content_type
        ):
            expected = {
                "args": request.args.to_dict(flat=False),
                "content_length": request.content_length,
                "is_json": request.is_json,
                "json": request.get_json(silent=True),
                "data": request.get_data(as_text=True),
                "mimetype": request.mimetype,
                "environ args": query.decode(),
            }
        assert server.status == 200, server.body
        assert json.loads(server.body) == expected


def test_async_view_sees_changes_to_the_environ_made_before_reading(app: Vial) -> None:
    @app.post("/data")
    async def data() -> dict[str, t.Any]:
        request.environ["QUERY_STRING"] = "changed=1"
        request.environ["CONTENT_TYPE"] = "text/plain"
        return {"args": request.args.to_dict(), "is_json": request.is_json}

    server = FakeServer(_body_messages(b"{}"))
    serve(app, _post_scope(b"{}", "application/json", query_string=b"x=1"), server)
    assert json.loads(server.body) == {"args": {"changed": "1"}, "is_json": False}


def test_async_view_refuses_a_bad_query_string_with_a_body(app: Vial) -> None:
    @app.post("/data")
    async def data() -> dict[str, t.Any]:
        return {"args": request.args.to_dict(), "json": request.get_json()}

    server = FakeServer(_body_messages(b"{}"))
    serve(app, _post_scope(b"{}", "application/json", query_string=b"a=%zz"), server)
    assert server.status == 400
    assert b"percent-encoding" in server.body


@pytest.mark.parametrize(("length", "status"), [("abc", 400), ("-1", 400), ("5000", 413)])
def test_async_view_refuses_a_bad_or_too_large_content_length(
    app: Vial, length: str, status: int
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    views_ran: list[bool] = []

    @app.post("/data")
    async def data() -> str:
        views_ran.append(True)
        return request.get_data(as_text=True)

    scope = http_scope(
        "/data", method="POST", headers=[("Content-Type", "text/plain"), ("Content-Length", length)]
    )
    server = FakeServer(_body_messages(b"x" * 10))
    serve(app, scope, server)
    assert server.status == status
    assert not views_ran


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_header_names_in_the_clients_case_mean_the_same(app: Vial, kind: str) -> None:
    # The ASGI spec lets a server keep the client's case ("Content-Length"): the body,
    # the cookies and the Host check must not depend on it.
    def data() -> dict[str, t.Any]:
        return {"json": request.get_json(), "cookie": request.cookies.get("a")}

    if kind == "sync":
        app.post("/data")(data)
    else:

        async def data_async() -> dict[str, t.Any]:
            return data()

        app.post("/data")(data_async)

    def send(host: bytes) -> FakeServer:
        scope = http_scope("/data", "POST", headers=[("Content-Length", "8")])
        scope["headers"] = [
            (b"Host", host),
            (b"Content-Type", b"application/json"),
            (b"Content-Length", b"8"),
            (b"Cookie", b"a=1"),
        ]
        server = FakeServer(_body_messages(b'{"a": 1}'))
        serve(app, scope, server)
        return server

    server = send(b"example.test")
    assert server.status == 200
    assert json.loads(server.body) == {"json": {"a": 1}, "cookie": "1"}
    assert send(b"bad host").status == 400


def _answer_everything() -> dict[str, t.Any]:
    # In this order, the attributes a request from the scope answers from it come first.
    return {
        "data": request.get_data(as_text=True),
        "args": request.args.to_dict(flat=False),
        "content_length": request.content_length,
        "is_json": request.is_json,
        "json": request.get_json(silent=True),
        "mimetype": request.mimetype,
        "cookies": request.cookies.to_dict(),
        "host": request.host,
    }


@st.composite
def _scope_headers(draw: st.DrawFn, body: bytes) -> list[tuple[str, str]]:
    """Headers a client might send with ``body``: mostly right, sometimes not."""
    lower_case = draw(st.sampled_from([True, True, True, False]))

    def name(lower: str) -> str:
        return lower if lower_case else lower.title()

    headers: list[tuple[str, str]] = []
    if draw(st.booleans()):
        headers.append((name("host"), draw(st.sampled_from(["example.test", "bad host"]))))
    if draw(st.booleans()):
        content_types = ["application/json", "application/x+json", "text/plain", ""]
        headers.append((name("content-type"), draw(st.sampled_from(content_types))))
    right = str(len(body))
    length = draw(st.sampled_from([right, right, right, "0", "3", " 7 ", "-1", "1e3", "", None]))
    if length is not None:
        headers.append((name("content-length"), length))
    if draw(st.booleans()):
        headers.append((name("cookie"), "a=1; b=2"))
    if draw(st.integers(0, 5)) == 0:
        headers.append(("transfer-encoding", "chunked"))
    if headers and draw(st.integers(0, 5)) == 0:
        headers.append(draw(st.sampled_from(headers)))  # a repeated header
    return list(draw(st.permutations(headers)))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    body=st.sampled_from([b"", b'{"a": 1}', b'{"n": null}', b"x=1&y", "é".encode()]),
    query=st.sampled_from([b"", b"a=1&a=2", b"b=%C3%A9", b"c=%zz"]),
    kind=st.sampled_from(["sync", "async"]),
)
def test_a_request_from_the_scope_answers_as_one_from_its_environ(
    data: st.DataObject, body: bytes, query: bytes, kind: str
) -> None:
    # Whatever the headers (repeated, in any case, invalid), a request served from its
    # scope answers exactly as the same request served through its environ (which a
    # "vial.environ" key in the scope forces).
    headers = data.draw(_scope_headers(body))
    app = Vial(__name__)

    if kind == "sync":
        app.post("/data")(_answer_everything)
    else:

        async def answer_async() -> dict[str, t.Any]:
            return _answer_everything()

        app.post("/data")(answer_async)

    def send(force_environ: bool) -> tuple[int | None, bytes]:
        scope = http_scope("/data", "POST", headers=[("X-Base", "1")], query_string=query)
        scope["headers"] = [(n.encode(), v.encode()) for n, v in headers]
        if force_environ:
            scope["vial.environ"] = {}
        server = FakeServer([{"type": "http.request", "body": body, "more_body": False}])
        serve(app, scope, server)
        return server.status, server.body

    assert send(force_environ=False) == send(force_environ=True)


def test_request_kept_after_the_response_still_has_its_environ(app: Vial) -> None:
    kept: list[t.Any] = []

    @app.get("/")
    async def index() -> str:
        kept.append(request._get_current_object())  # type: ignore[attr-defined]
        return "ok"

    serve(app, http_scope("/", headers=[("X-Trace", "abc")]), FakeServer())
    (stored,) = kept
    assert stored.environ["HTTP_X_TRACE"] == "abc"
    assert stored.headers["X-Trace"] == "abc"
    assert stored.path == "/"


def test_environ_read_in_an_async_view_no_longer_points_at_the_request(app: Vial) -> None:
    environs: list[dict[str, t.Any]] = []

    @app.get("/")
    async def index() -> str:
        environs.append(request.environ)
        return "ok"

    serve(app, http_scope("/"), FakeServer())
    assert environs[0]["werkzeug.request"] is None  # as after a WSGI request: no cycle left


def test_session_cookie_is_refreshed_by_an_async_view_that_ignores_it(app: Vial) -> None:
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True

    @app.get("/login")
    def login() -> str:
        from vial import session

        session.permanent = True
        session["user"] = "ann"
        return "in"

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    first = FakeServer()
    serve(app, http_scope("/login"), first)
    cookie = first.headers["set-cookie"].split(";")[0]
    second = FakeServer()
    serve(app, http_scope("/ping", headers=[("Cookie", cookie)]), second)
    assert second.body == b"pong"
    assert second.headers["set-cookie"].split(";")[0] == cookie
    third = FakeServer()
    serve(app, http_scope("/ping"), third)
    assert "set-cookie" not in third.headers


def test_trusted_hosts_apply_to_an_async_view(app: Vial) -> None:
    app.config["TRUSTED_HOSTS"] = ["good.test"]

    @app.get("/")
    async def index() -> str:
        return request.host

    good, bad = FakeServer(), FakeServer()
    serve(app, http_scope("/", headers=[("Host", "good.test")]), good)
    serve(app, http_scope("/", headers=[("Host", "evil.test")]), bad)
    assert (good.status, good.body) == (200, b"good.test")
    assert bad.status == 400


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_status_of_four_digits_is_refused_not_sent_as_its_first_three(
    app: Vial, kind: str
) -> None:
    def four_digits() -> tuple[str, int]:
        return "x", 1000

    if kind == "sync":
        app.get("/")(four_digits)
    else:

        async def four_digits_async() -> tuple[str, int]:
            return four_digits()

        app.get("/")(four_digits_async)
    server = FakeServer()
    with pytest.raises(ValueError, match="three-digit code"):
        serve(app, http_scope("/"), server)
    assert server.sent == []  # the server answers 500 for an app that raised


def test_utf8_cookie_is_decoded_under_wsgi_and_asgi(app: Vial) -> None:
    # Servers hand header bytes over as latin-1 (PEP 3333, and vial's ASGI environ).
    @app.route("/cookie")
    def cookie() -> str:
        return request.cookies["name"]

    raw = "name=José ☃".encode()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/cookie",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "HTTP_COOKIE": raw.decode("latin-1"),
    }
    body = b"".join(app(environ, lambda status, headers: None))
    assert body.decode() == "José ☃"

    scope = http_scope("/cookie")
    scope["headers"] = [(b"cookie", raw)]
    server = FakeServer()
    serve(app, scope, server)
    assert server.body.decode() == "José ☃"


def test_form_read_after_the_response_in_a_kept_context(app: Vial) -> None:
    # Flask's test_full_url_request through the ASGI client: `with client:` keeps the
    # last request context, and a form the view did not read is still readable after.
    @app.route("/action", methods=["POST"])
    def action() -> str:
        return "x"

    outcome: dict[str, t.Any] = {}

    def run() -> None:
        # In a thread of its own (its own event loop and contexts), so a hang cannot
        # block the test run: the thread is left waiting and the test fails.
        try:
            with app.test_client(asgi=True) as client:
                assert client.post("/action?vodka=42", data={"gin": "43"}).text == "x"
                outcome["form"] = request.form.to_dict()
        except BaseException as e:  # reported through outcome, not as a thread error
            outcome["error"] = e

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(3)
    assert "error" not in outcome
    assert outcome.get("form") == {"gin": "43"}


def test_wsgi_middleware_headers_as_lists_are_sent(client: t.Any, app: Vial) -> None:
    # start_response received [name, value] lists from a middleware: the ASGI adapter's
    # cache of encoded pairs looked them up and failed with "unhashable type: 'list'".
    @app.route("/")
    def index() -> str:
        return "hi"

    inner = app.wsgi_app

    def middleware(environ: t.Any, start_response: t.Any) -> t.Any:
        def listed(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
            pairs = [list(pair) for pair in headers] + [["X-Middleware", "1"]]
            return start_response(status, pairs, exc_info)

        return inner(environ, listed)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert response.text == "hi"
        assert response.headers["X-Middleware"] == "1"


def test_encoded_header_pairs_kept_are_short(app: Vial) -> None:
    # The adapter keeps encoded (name, value) pairs for reuse, at most 256 characters
    # each so that its memory stays bounded; only the value's length was tested, so a
    # pair with a long name (here 4,000 characters) was kept whole.
    long_name = "X-" + "n" * 4000

    @app.route("/")
    def index() -> t.Any:
        return "hi", {long_name: "v"}

    response = app.test_client(asgi=True).get("/")
    assert response.headers[long_name] == "v"
    assert all(len(name) + len(value) <= 256 for name, value in vial.asgi._encoded_items)
