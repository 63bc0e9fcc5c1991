"""Async views, hooks and handlers under both interfaces; thread pool and event loop reuse."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import typing as t

import pytest

from vial import (
    Blueprint,
    Vial,
    abort,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from vial.testing import VialClient
from vial.views import MethodView, View


def test_async_view(app: Vial, client: VialClient) -> None:
    @app.get("/")
    async def index() -> str:
        await asyncio.sleep(0)
        return f"hello {request.args['name']}"

    assert client.get("/?name=bob").text == "hello bob"


def test_async_view_returns_tuple_and_dict(app: Vial, client: VialClient) -> None:
    @app.get("/created")
    async def created() -> tuple[dict[str, int], int, dict[str, str]]:
        return {"a": 1}, 201, {"X-Thing": "yes"}

    response = client.get("/created")
    assert response.status_code == 201
    assert response.json == {"a": 1}
    assert response.headers["X-Thing"] == "yes"


def test_async_hooks_share_g_with_view_and_teardown(app: Vial, client: VialClient) -> None:
    seen: list[t.Any] = []

    @app.url_value_preprocessor
    async def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        await asyncio.sleep(0)
        assert values is not None
        g.lang = values.pop("lang")

    @app.before_request
    async def before() -> None:
        await asyncio.sleep(0)
        g.trail = ["before"]

    @app.before_request
    def sync_before() -> None:
        g.trail.append("sync-before")

    @app.get("/<lang>/page")
    async def page() -> str:
        g.trail.append("view")
        return f"{g.lang}:{','.join(g.trail)}"

    @app.after_request
    async def after(response: t.Any) -> t.Any:
        g.trail.append("after")
        response.headers["X-Trail"] = ",".join(g.trail)
        return response

    @app.teardown_request
    async def teardown(exc: BaseException | None) -> None:
        await asyncio.sleep(0)
        seen.append((g.lang, list(g.trail), exc))

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        seen.append(("appctx", g.get("lang")))

    response = client.get("/fr/page")
    assert response.text == "fr:before,sync-before,view"
    assert response.headers["X-Trail"] == "before,sync-before,view,after"
    assert seen == [("fr", ["before", "sync-before", "view", "after"], None), ("appctx", "fr")]


def test_teardown_appcontext_runs_after_the_request_context_is_gone(
    app: Vial, client: VialClient
) -> None:
    # As in Flask (and vial's sync path): teardown_request still sees the request,
    # teardown_appcontext runs once it is popped, with the app context and g left.
    seen: list[t.Any] = []

    @app.get("/")
    async def index() -> str:
        await asyncio.sleep(0)
        g.value = "kept"
        return "ok"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(("request", has_request_context(), request.path))

    @app.teardown_appcontext
    async def teardown_app(exc: BaseException | None) -> None:
        seen.append(("app", has_request_context(), has_app_context(), g.get("value")))

    assert client.get("/").text == "ok"
    assert seen == [("request", True, "/"), ("app", False, True, "kept")]


def test_async_before_request_short_circuits(app: Vial, client: VialClient) -> None:
    @app.before_request
    async def deny() -> t.Any:
        if request.path == "/secret":
            return "denied", 403
        return None

    @app.get("/secret")
    async def secret() -> str:
        raise AssertionError("view must not run")

    response = client.get("/secret")
    assert (response.status_code, response.text) == (403, "denied")


def test_async_blueprint_hooks(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    order: list[str] = []

    @bp.before_request
    async def bp_before() -> None:
        order.append("bp-before")

    @bp.get("/")
    async def index() -> str:
        order.append("view")
        return "bp"

    @bp.after_request
    async def bp_after(response: t.Any) -> t.Any:
        order.append("bp-after")
        return response

    @bp.teardown_request
    async def bp_teardown(exc: BaseException | None) -> None:
        order.append("bp-teardown")

    app.register_blueprint(bp)
    assert client.get("/bp/").text == "bp"
    assert order == ["bp-before", "view", "bp-after", "bp-teardown"]


def test_async_error_handlers(app: Vial, client: VialClient) -> None:
    class Oops(Exception):
        pass

    @app.errorhandler(Oops)
    async def handle_oops(e: Oops) -> tuple[str, int]:
        await asyncio.sleep(0)
        return f"oops handled for {request.path}", 418

    @app.errorhandler(404)
    async def handle_404(e: Exception) -> tuple[str, int]:
        return "async not found", 404

    @app.get("/sync")
    def sync_view() -> str:
        raise Oops()

    @app.get("/async")
    async def async_view() -> str:
        await asyncio.sleep(0)
        raise Oops()

    @app.get("/abort")
    async def async_abort() -> str:
        abort(404)

    for path in ("/sync", "/async"):
        response = client.get(path)
        assert (response.status_code, response.text) == (418, f"oops handled for {path}")
    assert client.get("/abort").text == "async not found"
    assert client.get("/nowhere").text == "async not found"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_raising_view_takes_the_500_path(
    interface: str, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An async view that raises is handled exactly like a sync one."""
    app = Vial(__name__)
    app.config["SECRET_KEY"] = "key"
    got: list[t.Any] = []

    @app.errorhandler(500)
    async def internal(e: t.Any) -> tuple[str, int]:
        got.append(type(e.original_exception).__name__)
        return "custom 500", 500

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        got.append(("teardown", type(exc).__name__))

    if kind == "sync":

        @app.get("/")
        def view() -> str:
            raise ZeroDivisionError("boom")

    else:

        @app.get("/")
        async def view() -> str:
            await asyncio.sleep(0)
            raise ZeroDivisionError("boom")

    client = app.test_client(asgi=interface == "asgi")
    response = client.get("/")
    assert (response.status_code, response.text) == (500, "custom 500")
    assert got == ["ZeroDivisionError", ("teardown", "ZeroDivisionError")]
    records = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(records) == 1 and "Exception on / [GET]" in records[0].getMessage()
    assert records[0].exc_info is not None and records[0].exc_info[0] is ZeroDivisionError


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_raising_view_without_handler_gives_default_500(interface: str, kind: str) -> None:
    app = Vial(__name__)

    async def async_view() -> str:
        raise KeyError("x")

    def sync_view() -> str:
        raise KeyError("x")

    app.add_url_rule("/", "v", async_view if kind == "async" else sync_view)
    client = app.test_client(asgi=interface == "asgi")
    response = client.get("/")
    assert response.status_code == 500
    assert "Internal Server Error" in response.text


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_raising_view_propagates_in_testing(interface: str, kind: str) -> None:
    app = Vial(__name__)
    app.testing = True

    async def async_view() -> str:
        raise KeyError("x")

    def sync_view() -> str:
        raise KeyError("x")

    app.add_url_rule("/", "v", async_view if kind == "async" else sync_view)
    client = app.test_client(asgi=interface == "asgi")
    with pytest.raises(KeyError):
        client.get("/")


def test_async_class_based_views(app: Vial, client: VialClient) -> None:
    class Items(MethodView):
        async def get(self, item_id: int) -> dict[str, t.Any]:
            await asyncio.sleep(0)
            return {"id": item_id, "method": request.method}

        async def post(self, item_id: int) -> tuple[dict[str, t.Any], int]:
            return {"id": item_id, "body": request.get_json()}, 201

        def delete(self, item_id: int) -> tuple[str, int]:
            return "", 204

    class Hello(View):
        async def dispatch_request(self) -> str:
            return f"hello from {current_app.name}"

    app.add_url_rule("/items/<int:item_id>", view_func=Items.as_view("items"))
    app.add_url_rule("/hello", view_func=Hello.as_view("hello"))
    assert client.get("/items/3").json == {"id": 3, "method": "GET"}
    assert client.head("/items/3").status_code == 200
    response = client.post("/items/4", json={"x": 1})
    assert (response.status_code, response.json) == (201, {"id": 4, "body": {"x": 1}})
    assert client.delete("/items/5").status_code == 204
    assert client.get("/hello").text == "hello from test_app"


def test_async_view_reads_body_and_session(app: Vial, client: VialClient) -> None:
    @app.post("/login")
    async def login() -> str:
        session["user"] = request.get_json()["user"]
        return "ok"

    @app.post("/form")
    async def form() -> dict[str, t.Any]:
        return {"form": request.form.to_dict(), "user": session.get("user")}

    assert client.post("/login", json={"user": "ann"}).text == "ok"
    response = client.post("/form", data={"a": "1"})
    assert response.json == {"form": {"a": "1"}, "user": "ann"}


def test_async_signal_receivers_and_after_this_request(app: Vial, client: VialClient) -> None:
    from vial import after_this_request

    @app.get("/")
    async def index() -> str:
        @after_this_request
        async def add_header(response: t.Any) -> t.Any:
            response.headers["X-After"] = "1"
            return response

        return "ok"

    assert client.get("/").headers["X-After"] == "1"


# -- under ASGI: sync code in the worker pool ---------------------------------------------------


def test_asgi_sync_functions_run_in_worker_pool_with_context(app: Vial) -> None:
    seen: dict[str, t.Any] = {}
    loop_thread: list[threading.Thread] = []

    @app.before_request
    def before() -> None:
        seen["before"] = threading.current_thread().name
        g.user = "ann"

    @app.get("/")
    def index() -> str:
        seen["view"] = threading.current_thread().name
        session["visits"] = session.get("visits", 0) + 1
        return f"{g.user} {current_app.name} {request.path} {session['visits']}"

    @app.get("/async")
    async def async_index() -> str:
        loop_thread.append(threading.current_thread())
        return "async"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen["teardown"] = (threading.current_thread().name, g.user)

    client = app.test_client(asgi=True)
    assert client.get("/").text == "ann test_app / 1"
    assert client.get("/").text == "ann test_app / 2"
    assert seen["before"].startswith("vial-asgi")
    assert seen["view"].startswith("vial-asgi")
    assert seen["teardown"][0].startswith("vial-asgi") and seen["teardown"][1] == "ann"
    # Async functions run on the server's event loop (here: the test client's thread).
    assert client.get("/async").text == "async"
    assert loop_thread == [threading.current_thread()]


@pytest.mark.parametrize("with_body", [False, True])
def test_asgi_async_view_thread_hands_coroutines_back_to_the_server_loop(
    app: Vial, with_body: bool
) -> None:
    # A thread started from an async view (asyncio.to_thread) that calls async code
    # through ensure_sync runs it on the server's loop, as sync views' threads do.
    ran_on: list[threading.Thread] = []

    async def fetch() -> str:
        ran_on.append(threading.current_thread())
        await asyncio.sleep(0)
        return "fetched"

    def blocking_work() -> str:
        assert threading.current_thread() is not loop_thread
        return t.cast(str, current_app.ensure_sync(fetch)())

    @app.route("/", methods=["GET", "POST"])
    async def index() -> str:
        return await asyncio.to_thread(blocking_work)

    client = app.test_client(asgi=True)
    loop_thread = threading.current_thread()
    response = client.post("/", data=b"x" * 10) if with_body else client.get("/")
    assert response.text == "fetched"
    assert ran_on == [loop_thread]


def test_asgi_thread_pool_bounded_by_config() -> None:
    app = Vial(__name__)
    size = 3
    app.config["ASGI_THREAD_POOL_SIZE"] = size
    import vial._async

    vial._async._executors.pop(size, None)
    lock = threading.Lock()
    active = [0]
    peak = [0]
    threads: set[str] = set()

    @app.get("/")
    def index() -> str:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            threads.add(threading.current_thread().name)
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return "ok"

    async def one(i: int) -> int:
        sent: list[dict[str, t.Any]] = []
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, t.Any]:
            if messages:
                return messages.pop()
            await asyncio.sleep(1)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, t.Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "root_path": "",
            "query_string": b"",
            "headers": [],
            "server": ("127.0.0.1", 80),
            "client": ("127.0.0.1", 1000 + i),
        }
        await app.asgi(scope, receive, send)
        return int(sent[0]["status"])

    async def main() -> list[int]:
        return list(await asyncio.gather(*(one(i) for i in range(12))))

    try:
        assert asyncio.run(main()) == [200] * 12
    finally:
        vial._async._executors.pop(size).shutdown()
    assert peak[0] == size
    assert len(threads) == size


# -- under WSGI: async code on a reused loop ----------------------------------------------------


def test_wsgi_async_functions_reuse_one_loop_per_thread(app: Vial) -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    @app.before_request
    async def before() -> None:
        loops.append(asyncio.get_running_loop())

    @app.get("/")
    async def index() -> str:
        loops.append(asyncio.get_running_loop())
        return "ok"

    client = app.test_client()
    assert client.get("/").text == "ok"
    assert client.get("/").text == "ok"
    assert len(loops) == 4
    assert all(loop is loops[0] for loop in loops)
    assert not loops[0].is_closed()

    # Another thread gets its own loop, also reused.
    other: list[asyncio.AbstractEventLoop] = []

    def in_thread() -> None:
        for _ in range(2):
            client.get("/")
        other.extend(loops[4:])

    thread = threading.Thread(target=in_thread)
    thread.start()
    thread.join()
    assert len(other) == 4
    assert all(loop is other[0] for loop in other)
    assert other[0] is not loops[0]


def test_wsgi_async_view_with_async_generator_body(app: Vial) -> None:
    from vial import Response

    @app.get("/")
    async def index() -> Response:
        async def generate() -> t.AsyncIterator[str]:
            for i in range(3):
                await asyncio.sleep(0)
                yield f"{i};"

        return Response(generate())

    assert app.test_client().get("/").text == "0;1;2;"


def test_concurrent_async_views_under_asgi_interleave(app: Vial) -> None:
    """Async views run on the server loop, so two of them can wait at the same time."""
    both_waiting = asyncio.Event  # created on the loop below
    state: dict[str, t.Any] = {"count": 0}

    @app.get("/")
    async def index() -> str:
        state["count"] += 1
        if state["count"] == 2:
            state["event"].set()
        await asyncio.wait_for(state["event"].wait(), 5)
        return "ok"

    async def main() -> list[int]:
        state["event"] = both_waiting()
        results = []

        async def one() -> None:
            sent: list[dict[str, t.Any]] = []
            messages = [{"type": "http.request", "body": b"", "more_body": False}]

            async def receive() -> dict[str, t.Any]:
                if messages:
                    return messages.pop()
                await asyncio.sleep(5)
                return {"type": "http.disconnect"}

            async def send(message: dict[str, t.Any]) -> None:
                sent.append(message)

            scope = {
                "type": "http",
                "method": "GET",
                "path": "/",
                "root_path": "",
                "query_string": b"",
                "headers": [],
            }
            await app.asgi(scope, receive, send)
            results.append(int(sent[0]["status"]))

        await asyncio.gather(one(), one())
        return results

    assert asyncio.run(main()) == [200, 200]


def test_json_round_trip_through_async_view(app: Vial, client: VialClient) -> None:
    @app.post("/echo")
    async def echo() -> t.Any:
        return request.get_json()

    payload = {"items": list(range(50)), "nested": {"a": [1, 2, {"b": None}]}}
    assert json.loads(client.post("/echo", json=payload).data) == payload
