"""Contexts: app and request contexts, the globals, copying, and isolation between requests."""

from __future__ import annotations

import asyncio
import threading
import typing as t

import pytest

from vial import (
    Vial,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from vial.globals import _cv_app, _cv_request, app_ctx, request_ctx
from vial.testing import VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


# -- globals outside their context ------------------------------------------------------------


@pytest.mark.parametrize(
    ("use", "message"),
    [
        (lambda: request.path, "Working outside of request context"),
        (lambda: request.args, "Working outside of request context"),
        (lambda: session.get("x"), "Working outside of request context"),
        (lambda: current_app.name, "Working outside of application context"),
        (lambda: g.x, "Working outside of application context"),
        (lambda: setattr(g, "x", 1), "Working outside of application context"),
    ],
)
def test_globals_outside_context_raise_clear_runtime_error(
    use: t.Callable[[], t.Any], message: str
) -> None:
    with pytest.raises(RuntimeError, match=message):
        use()


def test_request_outside_request_but_inside_app_context(app: Vial) -> None:
    with app.app_context():
        assert current_app.name == app.name
        with pytest.raises(RuntimeError, match="Working outside of request context"):
            request.method  # noqa: B018


def test_context_proxies_are_falsy_without_context() -> None:
    assert not app_ctx
    assert not request_ctx
    assert not has_app_context()
    assert not has_request_context()


def test_unbound_proxies_keep_their_own_attributes() -> None:
    from vial.proxy import ContextProxy

    assert repr(request) == "<ContextProxy unbound>"
    assert request.__class__ is ContextProxy
    assert callable(request._get_current_object)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        request._get_current_object()  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="Working outside of request context"):
        hasattr(request, "args")  # not an AttributeError: hasattr does not hide it


def test_bound_proxies_forward_attributes_and_errors(app: Vial) -> None:
    from vial import Request

    class BrokenRequest(Request):
        @property
        def broken(self) -> t.Any:
            raise AttributeError("inner detail")

    app.request_class = BrokenRequest
    with app.test_request_context("/?q=1"):
        real = request._get_current_object()  # type: ignore[attr-defined]
        assert type(real) is BrokenRequest and request.__class__ is BrokenRequest
        assert request.args["q"] == "1"
        assert not hasattr(g, "missing")
        with pytest.raises(AttributeError, match="inner detail"):
            request.broken  # noqa: B018
        with pytest.raises(AttributeError):
            request.no_such_attribute  # noqa: B018
        assert session.get("k") is None  # dict methods reach the session
        session["k"] = "v"
        assert "k" in session and len(session) == 1 and session["k"] == "v"


# -- app context ---------------------------------------------------------------------------------


def test_app_context(app: Vial) -> None:
    with app.app_context() as ctx:
        assert has_app_context()
        assert not has_request_context()
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert app_ctx._get_current_object() is ctx  # type: ignore[attr-defined]
        g.value = 1
        assert g.value == 1
        assert g.get("missing", "d") == "d"
        assert "value" in g
        assert g.pop("value") == 1
    assert not has_app_context()


def test_g_is_new_per_app_context(app: Vial) -> None:
    with app.app_context():
        g.value = "first"
    with app.app_context():
        assert "value" not in g


def test_deleting_a_missing_g_attribute_names_it(app: Vial) -> None:
    with app.app_context():
        g.value = 1
        del g.value
        assert "value" not in g
        with pytest.raises(AttributeError) as raised:
            del g.missing
        assert raised.value.args == ("missing",)  # as Flask's g says it


def test_nested_app_contexts_restore_the_outer(app: Vial) -> None:
    other = Vial("other")
    with app.app_context():
        with other.app_context():
            assert current_app.name == "other"
        assert current_app.name == app.name


def test_app_context_pushed_inside_a_request_keeps_the_request(app: Vial) -> None:
    other = Vial("other")
    with app.test_request_context("/inner?x=1"):
        with other.app_context():
            assert current_app.name == "other"
            assert request.args["x"] == "1"  # the request context stays current, as in Flask
        assert current_app.name == app.name
        assert request.path == "/inner"
    assert not has_app_context() and not has_request_context()


def test_request_of_another_app_inside_a_request_restores_both(app: Vial) -> None:
    other = Vial("other")
    with app.test_request_context("/outer"):
        g.mark = "outer"
        with other.test_request_context("/nested"):
            assert current_app.name == "other"
            assert request.path == "/nested"
            assert "mark" not in g  # the other app's own app context
        assert current_app.name == app.name
        assert request.path == "/outer"
        assert g.mark == "outer"


def test_appcontext_pushed_receivers_run_before_the_request_is_pushed(
    app: Vial, client: VialClient
) -> None:
    from vial.signals import appcontext_pushed

    seen: list[tuple[bool, bool]] = []

    def receiver(sender: Vial, **extra: t.Any) -> None:
        seen.append((has_app_context(), has_request_context()))

    @app.route("/")
    def index() -> str:
        return request.path

    with appcontext_pushed.connected_to(receiver, app):
        assert client.get("/").text == "/"
    assert seen == [(True, False)]


def test_teardown_appcontext_runs_on_pop(app: Vial) -> None:
    seen: list[t.Any] = []
    app.teardown_appcontext(seen.append)
    with app.app_context():
        pass
    assert seen == [None]
    with pytest.raises(ZeroDivisionError), app.app_context():
        1 / 0  # noqa: B018
    assert isinstance(seen[1], ZeroDivisionError)


# -- request context -------------------------------------------------------------------------------


def test_test_request_context(app: Vial) -> None:
    @app.route("/items/<int:n>", methods=["POST"])
    def items(n: int) -> str:
        return ""

    with app.test_request_context(
        "/items/3?x=1", method="POST", json={"a": 1}, headers={"X-H": "h"}
    ) as ctx:
        assert has_request_context()
        assert has_app_context()
        assert request.path == "/items/3"
        assert request.args["x"] == "1"
        assert request.json == {"a": 1}
        assert request.headers["X-H"] == "h"
        assert request.endpoint == "items"
        assert request.view_args == {"n": 3}
        assert request_ctx._get_current_object() is ctx  # type: ignore[attr-defined]
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
    assert not has_request_context()


def test_request_context_reuses_a_pushed_app_context(app: Vial) -> None:
    with app.app_context():
        g.outer = "kept"
        with app.test_request_context():
            assert g.outer == "kept"
        assert g.outer == "kept"


def test_request_context_push_pop_manually(app: Vial) -> None:
    ctx = app.test_request_context("/manual")
    ctx.push()
    try:
        assert request.path == "/manual"
    finally:
        ctx.pop()
    assert not has_request_context()


def test_g_is_per_request(app: Vial, client: VialClient) -> None:
    @app.route("/set")
    def set_() -> str:
        g.value = "leaked?"
        return "set"

    @app.route("/get")
    def get() -> str:
        return str(g.get("value"))

    client.get("/set")
    assert client.get("/get").text == "None"


def test_copy_current_request_context_in_a_thread(app: Vial, client: VialClient) -> None:
    results: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        g.in_view = "from view"

        @copy_current_request_context
        def work() -> None:
            results.append(
                (request.path, request.args["q"], current_app.name, has_request_context())
            )

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return "done"

    assert client.get("/?q=42").text == "done"
    assert results == [("/", "42", app.name, True)]


def test_copy_current_request_context_shares_the_session(app: Vial, client: VialClient) -> None:
    # The session is opened lazily: the copy must still share the view's session
    # object, so a value the view sets after copying is seen by the worker.
    results: list[t.Any] = []

    @app.route("/")
    def index() -> str:
        @copy_current_request_context
        def work() -> None:
            results.append(session.get("s"))
            session["from_worker"] = 1

        session["s"] = "set after copying"
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return str(session.get("from_worker"))

    assert client.get("/").text == "1"
    assert results == ["set after copying"]


def test_copy_current_request_context_outside_request_is_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        copy_current_request_context(lambda: None)


def test_plain_thread_does_not_see_the_request(app: Vial, client: VialClient) -> None:
    results: list[bool] = []

    @app.route("/")
    def index() -> str:
        thread = threading.Thread(target=lambda: results.append(has_request_context()))
        thread.start()
        thread.join()
        return "done"

    client.get("/")
    assert results == [False]


# -- isolation between concurrent requests ------------------------------------------------------


def _isolation_app(app: Vial, barrier: threading.Barrier) -> None:
    @app.route("/<ident>")
    def view(ident: str) -> str:
        g.ident = ident
        # Every request is inside its view at the same time before any continues.
        barrier.wait(timeout=10)
        seen = (request.view_args or {}).get("ident"), request.args["q"], g.ident, request.path
        assert seen == (ident, ident, ident, f"/{ident}"), seen
        return f"{ident}:{request.args['q']}:{g.ident}"


def test_concurrent_requests_on_threads_are_isolated_wsgi(app: Vial) -> None:
    # WSGI on threads, as gunicorn's gthread worker runs them; ASGI is the next test.
    count = 8
    barrier = threading.Barrier(count)
    _isolation_app(app, barrier)
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(ident: str) -> None:
        try:
            response = app.test_client().get(f"/{ident}", query_string={"q": ident})
            results[ident] = response.text
            assert _cv_request.get(None) is None
        except BaseException as e:  # collected and re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(f"r{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == {f"r{i}": f"r{i}:r{i}:r{i}" for i in range(count)}


def test_concurrent_requests_are_isolated_asgi(app: Vial) -> None:
    # ASGI: many requests in flight on one event loop, views on the adapter's threads.
    count = 8
    barrier = threading.Barrier(count)
    _isolation_app(app, barrier)

    async def one(ident: str) -> tuple[int, bytes]:
        sent: list[dict[str, t.Any]] = []
        done = asyncio.Event()

        async def receive() -> dict[str, t.Any]:
            if not sent:
                return {"type": "http.request", "body": b"", "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, t.Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": f"/{ident}",
            "raw_path": f"/{ident}".encode(),
            "root_path": "",
            "query_string": f"q={ident}".encode(),
            "headers": [(b"host", b"localhost")],
            "server": ("localhost", 80),
            "client": ("127.0.0.1", 5000),
        }
        await app.asgi(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, body

    async def main() -> list[tuple[int, bytes]]:
        return await asyncio.gather(*(one(f"a{i}") for i in range(count)))

    results = asyncio.run(main())
    assert results == [(200, f"a{i}:a{i}:a{i}".encode()) for i in range(count)]


# -- no context left behind on any path -----------------------------------------------------------


@pytest.mark.usefixtures("quiet_logger")
@pytest.mark.parametrize("testing", [True, False])
def test_no_context_left_after_any_path(app: Vial, client: VialClient, testing: bool) -> None:
    app.testing = testing

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    @app.route("/raise")
    def raise_() -> str:
        raise RuntimeError("x")

    @app.route("/none")
    def none() -> None:
        return None

    @app.route("/abort")
    def abort_() -> str:
        from vial import abort

        abort(418)

    @app.route("/stream")
    def stream() -> t.Any:
        def gen() -> t.Iterator[str]:
            yield "a"
            raise RuntimeError("mid-stream")

        return gen()

    for path in ("/ok", "/abort", "/missing", "/ok/", "/%FF"):
        client.get(path)
        assert _cv_request.get(None) is None
        assert _cv_app.get(None) is None
    for path in ("/raise", "/none", "/stream"):
        try:
            client.get(path)
        except (RuntimeError, TypeError):
            pass
        assert _cv_request.get(None) is None
        assert _cv_app.get(None) is None


def test_no_context_left_when_teardown_raises(app: Vial, client: VialClient) -> None:
    @app.teardown_request
    def broken(exc: BaseException | None) -> None:
        raise ValueError("teardown broke")

    @app.route("/")
    def index() -> str:
        return "ok"

    with pytest.raises(ValueError, match="teardown broke"):
        client.get("/")
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None
