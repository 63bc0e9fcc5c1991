"""The in-process harness: the benchmark endpoints, their correctness checks, and the drivers that
call a WSGI or ASGI app with prebuilt requests (no sockets).

Every mode of ``bench.py`` and the smoke test go through here, so an app is always judged by the
same checks: ``check_framework("vial-wsgi")`` is the public entry point for a correctness-only run.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import io
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from benchmarks.apps._data import fortune_rows

Message = dict[str, Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# --------------------------------------------------------------------------------------------
# Endpoints and their correctness checks
# --------------------------------------------------------------------------------------------

#: The ``/echo`` request body: about 200 bytes of JSON with a bit of everything in it.
ECHO_DATA: dict[str, Any] = {
    "id": 12345,
    "name": "benchmark payload",
    "active": True,
    "score": 98.25,
    "tags": ["alpha", "beta", "gamma", "delta"],
    "owner": {"id": 7, "login": "vial", "email": "bench@example.org"},
    "notes": None,
    "text": "Grüße, 世界",
}
ECHO_BODY = json.dumps(ECHO_DATA, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Response:
    """One response as the harness saw it; header names lower-cased."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    query: str
    body: bytes
    content_type: str  # the expected media type, without parameters
    check_body: Callable[[bytes], str | None]
    request_content_type: str | None = None

    @property
    def label(self) -> str:
        target = self.path + (f"?{self.query}" if self.query else "")
        return f"{self.method} {target}"


def _expect_bytes(expected: bytes) -> Callable[[bytes], str | None]:
    def check(body: bytes) -> str | None:
        return None if body == expected else f"body {body[:80]!r}, expected {expected!r}"

    return check


def _expect_json(expected: Any) -> Callable[[bytes], str | None]:
    def check(body: bytes) -> str | None:
        try:
            value = json.loads(body)
        except ValueError as error:
            return f"body is not JSON ({error}): {body[:80]!r}"
        return None if value == expected else f"JSON {value!r}, expected {expected!r}"

    return check


class _TableRows(HTMLParser):
    """Collects the text of each ``<td>`` row; enough to read the fortunes table back."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []
        elif tag == "script":
            self.rows.append(["<script> element in the page: the message was not escaped"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _check_fortunes(body: bytes) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"body is not UTF-8: {error}"
    if not text.lstrip().lower().startswith("<!doctype html>"):
        return f"not an HTML page: {text[:60]!r}"
    parser = _TableRows()
    parser.feed(text)
    rows = [tuple(row) for row in parser.rows if row]  # the header row has <th>, not <td>
    expected = [(str(id), message) for id, message in fortune_rows()]
    if rows != expected:
        return f"table rows {rows!r}, expected {expected!r}"
    return None


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("plaintext", "GET", "/plaintext", "", b"", "text/plain", _expect_bytes(b"Hello, World!")),
    Endpoint("json", "GET", "/json", "", b"", "application/json", _expect_json({"message": "Hello, World!"})),
    Endpoint(
        "routing", "GET", "/users/42/posts/hello-world", "", b"", "application/json",
        _expect_json({"user_id": 42, "slug": "hello-world"}),
    ),
    Endpoint(
        "echo", "POST", "/echo", "tag=abc", ECHO_BODY, "application/json",
        _expect_json({"tag": "abc", "data": ECHO_DATA}), request_content_type="application/json",
    ),
    Endpoint("fortunes", "GET", "/fortunes", "", b"", "text/html", _check_fortunes),
)


def check_response(endpoint: Endpoint, response: Response) -> str | None:
    """Return why ``response`` is a wrong answer to ``endpoint``, or None when it is right."""
    if response.status != 200:
        return f"status {response.status}, body {response.body[:120]!r}"
    content_type = response.header("content-type")
    if content_type is None:
        return "no Content-Type header"
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() != endpoint.content_type:
        return f"Content-Type {content_type!r}, expected {endpoint.content_type}"
    # The fortunes page holds non-ASCII text: without a charset a browser may guess wrong.
    if endpoint.content_type == "text/html" and "charset=utf-8" not in params.replace(" ", "").lower():
        return f"Content-Type {content_type!r} does not say charset=utf-8"
    length = response.header("content-length")
    if length is not None and int(length) != len(response.body):
        return f"Content-Length {length} but the body has {len(response.body)} bytes"
    return endpoint.check_body(response.body)


# --------------------------------------------------------------------------------------------
# Frameworks and drivers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    name: str
    interface: str  # "wsgi" or "asgi"
    module: str
    label: str
    attribute: str = "app"

    @property
    def key(self) -> str:
        return f"{self.name}-{self.interface}"


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("bare", "wsgi", "benchmarks.apps.bare_wsgi", "bare WSGI"),
    Framework("vial", "wsgi", "benchmarks.apps.vial_app", "vial WSGI"),
    Framework("falcon", "wsgi", "benchmarks.apps.falcon_wsgi", "Falcon WSGI"),
    Framework("bottle", "wsgi", "benchmarks.apps.bottle_app", "Bottle"),
    Framework("flask", "wsgi", "benchmarks.apps.flask_app", "Flask"),
    Framework("bare", "asgi", "benchmarks.apps.bare_asgi", "bare ASGI"),
    Framework("vial", "asgi", "benchmarks.apps.vial_async_app", "vial ASGI", "asgi_app"),
    Framework("vial-sync", "asgi", "benchmarks.apps.vial_app", "vial ASGI, sync views", "asgi_app"),
    Framework("falcon", "asgi", "benchmarks.apps.falcon_asgi", "Falcon ASGI"),
    Framework("starlette", "asgi", "benchmarks.apps.starlette_app", "Starlette"),
    Framework("fastapi", "asgi", "benchmarks.apps.fastapi_app", "FastAPI"),
    Framework("quart", "asgi", "benchmarks.apps.quart_app", "Quart"),
)
FRAMEWORKS_BY_KEY = {framework.key: framework for framework in FRAMEWORKS}


def load_app(framework: Framework) -> Any:
    """Import the framework's benchmark module (building its app, once) and return the app."""
    module = importlib.import_module(framework.module)
    return getattr(module, framework.attribute)


def _wsgi_environ(endpoint: Endpoint) -> dict[str, Any]:
    """The environ a WSGI server would build for ``endpoint``, without ``wsgi.input``."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": endpoint.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": endpoint.path,
        "QUERY_STRING": endpoint.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "vial-bench/1",
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_CONNECTION": "keep-alive",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if endpoint.body or endpoint.method == "POST":
        environ["CONTENT_LENGTH"] = str(len(endpoint.body))
    if endpoint.request_content_type:
        environ["CONTENT_TYPE"] = endpoint.request_content_type
    return environ


def _asgi_scope(endpoint: Endpoint) -> dict[str, Any]:
    """The HTTP scope an ASGI server would build for ``endpoint``."""
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"user-agent", b"vial-bench/1"),
        (b"accept", b"*/*"),
        (b"accept-encoding", b"gzip, deflate"),
        (b"connection", b"keep-alive"),
    ]
    if endpoint.body or endpoint.method == "POST":
        headers.append((b"content-length", str(len(endpoint.body)).encode()))
    if endpoint.request_content_type:
        headers.append((b"content-type", endpoint.request_content_type.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": endpoint.method,
        "scheme": "http",
        "path": endpoint.path,
        "raw_path": endpoint.path.encode(),
        "query_string": endpoint.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


class _Receive:
    """An ASGI ``receive`` for one request: the whole body in one message, then a disconnect."""

    __slots__ = ("_messages",)

    _DISCONNECT: Message = {"type": "http.disconnect"}

    def __init__(self, body: bytes) -> None:
        self._messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def __call__(self) -> Message:
        if self._messages:
            return self._messages.pop()
        return dict(self._DISCONNECT)


class Driver:
    """Calls one app in process: ``prepare`` builds N requests, ``run`` times them."""

    def prepare(self, endpoint: Endpoint, count: int) -> list[Any]:
        raise NotImplementedError

    def run(self, prepared: list[Any]) -> tuple[int, list[Response]]:
        """Send every prepared request; return the elapsed nanoseconds and the responses."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class WSGIDriver(Driver):
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def prepare(self, endpoint: Endpoint, count: int) -> list[Any]:
        base = _wsgi_environ(endpoint)
        prepared = []
        for _ in range(count):
            # A fresh environ per request: frameworks cache parsed values in it (Bottle does),
            # and reusing one would measure the cache instead of the framework.
            environ = base.copy()
            environ["wsgi.input"] = io.BytesIO(endpoint.body)
            prepared.append(environ)
        return prepared

    def run(self, prepared: list[Any]) -> tuple[int, list[Response]]:
        app = self.app
        starts: list[tuple[str, list[tuple[str, str]]]] = []
        bodies: list[bytes] = []
        append_start = starts.append
        append_body = bodies.append

        def write(data: bytes) -> None:
            raise RuntimeError("the harness does not support the WSGI write() callable")

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            append_start((status, headers))
            return write

        perf_counter_ns = time.perf_counter_ns
        started = perf_counter_ns()
        for environ in prepared:
            iterable = app(environ, start_response)
            try:
                append_body(b"".join(iterable))
            finally:
                close = getattr(iterable, "close", None)
                if close is not None:
                    close()
        elapsed = perf_counter_ns() - started

        if len(starts) != len(bodies):
            raise RuntimeError(f"{len(bodies)} responses but start_response was called {len(starts)} times")
        responses = [
            Response(int(status.split(None, 1)[0]), [(k.lower(), v) for k, v in headers], body)
            for (status, headers), body in zip(starts, bodies, strict=True)
        ]
        return elapsed, responses


class ASGIDriver(Driver):
    """Drives an ASGI app on one event loop, kept for the app's whole life.

    The lifespan protocol is run first (startup before the first request, shutdown on close),
    as a server would; an app that raises on a lifespan scope is taken not to support it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._state: dict[str, Any] = {}
        self._shutdown: asyncio.Event | None = None
        self._lifespan: asyncio.Task[None] | None = None
        self._start_lifespan()

    def _start_lifespan(self) -> None:
        loop = self.loop
        started: asyncio.Future[str | None] = loop.create_future()
        shutdown = asyncio.Event()
        sent_startup = False

        async def receive() -> Message:
            nonlocal sent_startup
            if not sent_startup:
                sent_startup = True
                return {"type": "lifespan.startup"}
            await shutdown.wait()
            return {"type": "lifespan.shutdown"}

        async def send(message: Message) -> None:
            kind = message["type"]
            if kind == "lifespan.startup.complete" and not started.done():
                started.set_result(None)
            elif kind == "lifespan.startup.failed" and not started.done():
                started.set_result(message.get("message", "lifespan startup failed"))

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self._state}
        task = loop.create_task(self.app(scope, receive, send))
        loop.run_until_complete(asyncio.wait([started, task], return_when=asyncio.FIRST_COMPLETED))
        if started.done():
            failure = started.result()
            if failure is not None:
                raise RuntimeError(f"lifespan startup failed: {failure}")
            self._shutdown = shutdown
            self._lifespan = task
        else:
            # The app returned or raised before completing startup: no lifespan support.
            if not task.cancelled():
                task.exception()  # retrieved, so asyncio does not log it as never retrieved
            started.cancel()

    def prepare(self, endpoint: Endpoint, count: int) -> list[Any]:
        base = _asgi_scope(endpoint)
        prepared = []
        for _ in range(count):
            scope = base.copy()  # frameworks add keys to the scope (Starlette does)
            scope["state"] = self._state.copy()
            prepared.append((scope, _Receive(endpoint.body)))
        return prepared

    def run(self, prepared: list[Any]) -> tuple[int, list[Response]]:
        app = self.app
        messages: list[Message] = []
        append = messages.append

        async def send(message: Message) -> None:
            append(message)

        async def batch() -> None:
            for scope, receive in prepared:
                await app(scope, receive, send)

        perf_counter_ns = time.perf_counter_ns
        started = perf_counter_ns()
        self.loop.run_until_complete(batch())
        elapsed = perf_counter_ns() - started
        return elapsed, _responses_from_messages(messages)

    def close(self) -> None:
        if self._lifespan is not None and self._shutdown is not None:
            self._shutdown.set()
            try:
                self.loop.run_until_complete(asyncio.wait_for(self._lifespan, 5))
            except Exception as error:  # a failing shutdown is not a benchmark result
                print(f"  (lifespan shutdown failed: {error!r})", file=sys.stderr)
        self.loop.close()


def _responses_from_messages(messages: list[Message]) -> list[Response]:
    responses: list[Response] = []
    status = 0
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    open_response = False
    for message in messages:
        kind = message["type"]
        if kind == "http.response.start":
            if open_response:
                raise RuntimeError("http.response.start before the previous body was finished")
            status = message["status"]
            headers = [(bytes(k).decode("latin-1").lower(), bytes(v).decode("latin-1")) for k, v in message.get("headers", ())]
            chunks = []
            open_response = True
        elif kind == "http.response.body":
            if not open_response:
                raise RuntimeError("http.response.body without http.response.start")
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                responses.append(Response(status, headers, b"".join(chunks)))
                open_response = False
    if open_response:
        raise RuntimeError("the last response body was never finished (more_body stayed true)")
    return responses


def make_driver(framework: Framework) -> Driver:
    """Load the framework's app and wrap it in the driver for its interface."""
    app = load_app(framework)
    return WSGIDriver(app) if framework.interface == "wsgi" else ASGIDriver(app)


def call(driver: Driver, endpoint: Endpoint, count: int) -> tuple[int, str | None]:
    """Send ``count`` requests; return the nanoseconds taken and the first wrong answer, if any."""
    prepared = driver.prepare(endpoint, count)
    gc.collect()  # garbage left by the previous cell should not be collected on this one's time
    try:
        elapsed, responses = driver.run(prepared)
    except Exception as error:
        return 0, f"raised {error!r}"
    if len(responses) != count:
        return elapsed, f"{len(responses)} responses to {count} requests"
    for response in responses:
        problem = check_response(endpoint, response)
        if problem is not None:
            return elapsed, problem
    return elapsed, None


@dataclass
class CheckResult:
    endpoint: str
    error: str | None


def check_framework(key: str, requests: int = 3) -> list[CheckResult]:
    """Run a few requests per endpoint through the app ``key`` (e.g. ``"vial-wsgi"``) and check them.

    No timing. Raises whatever importing the app raises, so a broken app fails loudly.
    """
    driver = make_driver(FRAMEWORKS_BY_KEY[key])
    try:
        return [CheckResult(endpoint.name, call(driver, endpoint, requests)[1]) for endpoint in ENDPOINTS]
    finally:
        driver.close()
