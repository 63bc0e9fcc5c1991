"""Hooks: before/after/teardown request, teardown_appcontext, URL processors, after_this_request."""

from __future__ import annotations

import typing as t

import pytest

from vial import Response, Vial, after_this_request, g, request, url_for
from vial.testing import VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


def test_hook_order(app: Vial, client: VialClient) -> None:
    calls: list[str] = []

    @app.before_request
    def before1() -> None:
        calls.append("before1")

    @app.before_request
    def before2() -> None:
        calls.append("before2")

    @app.after_request
    def after1(response: Response) -> Response:
        calls.append("after1")
        return response

    @app.after_request
    def after2(response: Response) -> Response:
        calls.append("after2")
        return response

    @app.teardown_request
    def teardown1(exc: BaseException | None) -> None:
        calls.append("teardown1")

    @app.teardown_request
    def teardown2(exc: BaseException | None) -> None:
        calls.append("teardown2")

    @app.teardown_appcontext
    def app_teardown(exc: BaseException | None) -> None:
        calls.append("appctx")

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "ok"

    assert client.get("/").text == "ok"
    assert calls == [
        "before1",
        "before2",
        "view",
        "after2",
        "after1",
        "teardown2",
        "teardown1",
        "appctx",
    ]


def test_before_request_short_circuits_the_view(app: Vial, client: VialClient) -> None:
    calls: list[str] = []

    @app.before_request
    def gate() -> t.Any:
        if request.args.get("blocked"):
            return "blocked by hook", 403
        return None

    @app.before_request
    def second() -> None:
        calls.append("second")

    @app.after_request
    def after(response: Response) -> Response:
        response.headers["X-After"] = "ran"
        return response

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "view"

    response = client.get("/?blocked=1")
    assert (response.status_code, response.text) == (403, "blocked by hook")
    assert response.headers["X-After"] == "ran"
    assert calls == []
    assert client.get("/").text == "view"
    assert calls == ["second", "view"]


def test_before_request_runs_for_404_too(app: Vial, client: VialClient) -> None:
    @app.before_request
    def everything() -> str:
        return "hooked"

    assert client.get("/no-such-route").text == "hooked"


def test_after_request_can_replace_the_response(app: Vial, client: VialClient) -> None:
    @app.after_request
    def replace(response: Response) -> Response:
        return Response(f"wrapped[{response.get_data(as_text=True)}]", status=201)

    @app.route("/")
    def index() -> str:
        return "inner"

    response = client.get("/")
    assert (response.status_code, response.text) == (201, "wrapped[inner]")


def test_after_request_sees_error_responses(app: Vial, client: VialClient) -> None:
    @app.after_request
    def tag(response: Response) -> Response:
        response.headers["X-Status"] = str(response.status_code)
        return response

    assert client.get("/missing").headers["X-Status"] == "404"


def test_after_request_runs_on_unhandled_500(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False

    @app.after_request
    def tag(response: Response) -> Response:
        response.headers["X-After"] = "yes"
        return response

    @app.route("/")
    def index() -> str:
        raise RuntimeError()

    response = client.get("/")
    assert response.status_code == 500
    assert response.headers["X-After"] == "yes"


def test_teardown_request_receives_the_unhandled_exception(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False
    seen: list[BaseException | None] = []
    app_seen: list[BaseException | None] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(exc)

    @app.teardown_appcontext
    def app_teardown(exc: BaseException | None) -> None:
        app_seen.append(exc)

    @app.route("/ok")
    def ok() -> str:
        return "ok"

    @app.route("/boom")
    def boom() -> str:
        raise KeyError("boom")

    assert client.get("/ok").status_code == 200
    assert client.get("/boom").status_code == 500
    assert seen[0] is None
    assert isinstance(seen[1], KeyError)
    assert app_seen[0] is None
    assert app_seen[1] is seen[1]


def test_teardown_request_gets_none_for_handled_errors(app: Vial, client: VialClient) -> None:
    seen: list[BaseException | None] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(exc)

    @app.errorhandler(ValueError)
    def handled(e: ValueError) -> tuple[str, int]:
        return "handled", 400

    @app.route("/")
    def index() -> str:
        raise ValueError()

    assert client.get("/").status_code == 400
    assert client.get("/missing").status_code == 404
    assert seen == [None, None]


def test_teardown_runs_when_the_exception_propagates(app: Vial, client: VialClient) -> None:
    seen: list[BaseException | None] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(exc)

    @app.route("/")
    def index() -> str:
        raise OSError("propagates")

    with pytest.raises(OSError, match="propagates"):
        client.get("/")
    assert len(seen) == 1
    assert isinstance(seen[0], OSError)


def test_teardown_runs_when_before_request_raises(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False
    seen: list[t.Any] = []

    @app.before_request
    def broken() -> None:
        raise RuntimeError("before broke")

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(type(exc).__name__)

    assert client.get("/").status_code == 500
    assert seen == ["RuntimeError"]


def test_teardown_request_has_the_request_and_g(app: Vial, client: VialClient) -> None:
    seen: list[t.Any] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append((request.path, g.get("marker")))

    @app.route("/here")
    def here() -> str:
        g.marker = "set in view"
        return ""

    client.get("/here")
    assert seen == [("/here", "set in view")]


def test_url_value_preprocessor_and_url_defaults(app: Vial, client: VialClient) -> None:
    @app.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None:
            g.lang = values.pop("lang", None)

    @app.url_defaults
    def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
        if "lang" in values or not g.get("lang"):
            return
        if app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.lang

    @app.route("/<lang>/about")
    def about() -> str:
        return f"{g.lang}: {url_for('about')} {url_for('about', lang='fr')}"

    assert client.get("/en/about").text == "en: /en/about /fr/about"


def test_url_value_preprocessor_runs_before_before_request(app: Vial, client: VialClient) -> None:
    calls: list[str] = []

    @app.before_request
    def before() -> None:
        calls.append("before")

    @app.url_value_preprocessor
    def pre(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        calls.append(f"pre:{endpoint}:{values}")

    @app.route("/p/<int:n>")
    def p(n: int) -> str:
        return str(n)

    assert client.get("/p/3").text == "3"
    assert calls == ["pre:p:{'n': 3}", "before"]


def test_after_this_request(app: Vial, client: VialClient) -> None:
    @app.route("/once")
    def once() -> str:
        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-Once"] = "yes"
            return response

        return "once"

    @app.route("/other")
    def other() -> str:
        return "other"

    assert client.get("/once").headers["X-Once"] == "yes"
    assert "X-Once" not in client.get("/other").headers


def test_after_this_request_runs_before_after_request(app: Vial, client: VialClient) -> None:
    order: list[str] = []

    @app.after_request
    def global_after(response: Response) -> Response:
        order.append("global")
        return response

    @app.route("/")
    def index() -> str:
        after_this_request(lambda r: order.append("this") or r)
        return ""

    client.get("/")
    assert order == ["this", "global"]


def test_after_this_request_outside_request_is_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        after_this_request(lambda r: r)


def test_async_hooks(app: Vial, client: VialClient) -> None:
    @app.before_request
    async def before() -> None:
        g.trail = ["before"]

    @app.after_request
    async def after(response: Response) -> Response:
        response.headers["X-Trail"] = ",".join([*g.trail, "after"])
        return response

    @app.route("/")
    async def index() -> str:
        g.trail.append("view")
        return "async"

    response = client.get("/")
    assert response.text == "async"
    assert response.headers["X-Trail"] == "before,view,after"


def test_hook_registries_have_flask_shapes(app: Vial) -> None:
    def before() -> None:
        pass

    app.before_request(before)
    assert app.before_request_funcs[None] == [before]
    assert isinstance(app.after_request_funcs, dict)
    assert isinstance(app.teardown_request_funcs, dict)
