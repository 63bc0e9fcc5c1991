"""Blueprints: routes, prefixes, names, hooks, error handlers, templates, static files, nesting."""

from __future__ import annotations

import os
import typing as t

import pytest

from vial import (
    Blueprint,
    Vial,
    abort,
    g,
    render_template,
    render_template_string,
    request,
    url_for,
)
from vial.blueprints import BlueprintSetupState
from vial.testing import VialClient

TESTS = os.path.dirname(__file__)
BLUEPRINT_ROOT = os.path.join(TESTS, "blueprintapp")


pytestmark = pytest.mark.usefixtures("no_context_left")


def make_client(app: Vial, interface: str) -> VialClient:
    return app.test_client(asgi=interface == "asgi")


# -- routes and names ---------------------------------------------------------------------------


def test_routes_get_the_prefix_and_dotted_endpoints(app: Vial, client: VialClient) -> None:
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/")
    def index() -> str:
        return f"{request.endpoint} {request.blueprint} {url_for('.users')}"

    @bp.get("/users")
    def users() -> str:
        return url_for("admin.index")

    app.register_blueprint(bp)
    assert client.get("/admin/").text == "admin.index admin /admin/users"
    assert client.get("/admin/users").text == "/admin/"
    assert client.get("/users").status_code == 404
    assert app.blueprints == {"admin": bp}
    assert list(app.iter_blueprints()) == [bp]


def test_relative_url_for_in_an_app_view_means_the_app(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/bp")
    def index() -> str:
        return url_for(".index")

    @app.route("/")
    def index_view() -> str:
        return url_for(".index_view") + " " + url_for("bp.index")

    app.register_blueprint(bp)
    assert client.get("/").text == "/ /bp"
    assert client.get("/bp").text == "/bp"


@pytest.mark.parametrize(
    ("prefix", "rule", "path"),
    [
        ("/pre", "/x", "/pre/x"),
        ("/pre/", "/x", "/pre/x"),
        ("/pre/", "x", "/pre/x"),
        ("/pre", "", "/pre"),
        ("/pre", "/", "/pre/"),
        (None, "/x", "/x"),
    ],
)
def test_url_prefix_joining(
    app: Vial, client: VialClient, prefix: str | None, rule: str, path: str
) -> None:
    bp = Blueprint("bp", __name__, url_prefix=prefix)
    bp.add_url_rule(rule, "view", lambda: "joined")
    app.register_blueprint(bp)
    assert client.get(path).text == "joined"


def test_url_prefix_given_at_registration_wins(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/own")
    bp.add_url_rule("/v", "v", lambda: "v")
    app.register_blueprint(bp, url_prefix="/given")
    assert client.get("/given/v").text == "v"
    assert client.get("/own/v").status_code == 404


def test_add_url_rule_and_endpoint_decorator(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    def view() -> str:
        return "added"

    bp.add_url_rule("/a", view_func=view)
    bp.add_url_rule("/b", "named", view)
    app.register_blueprint(bp)
    assert client.get("/bp/a").text == "added"
    assert client.get("/bp/b").text == "added"
    assert app.view_functions["bp.view"] is view
    assert app.view_functions["bp.named"] is view


def test_url_defaults_of_the_blueprint_and_the_registration(app: Vial, client: VialClient) -> None:
    bp = Blueprint("pages", __name__, url_defaults={"page": "home", "lang": "en"})

    @bp.route("/<lang>/", defaults={"page": "index"})
    @bp.route("/<lang>/<page>")
    def show(lang: str, page: str) -> str:
        return f"{lang}:{page}"

    @bp.route("/fixed")
    def fixed(lang: str, page: str) -> str:
        return f"{lang}:{page}"

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="german", url_prefix="/de", url_defaults={"lang": "de"})
    assert client.get("/en/").text == "en:index"
    assert client.get("/fr/about").text == "fr:about"
    assert client.get("/fixed").text == "en:home"
    assert client.get("/de/fixed").text == "de:home"


def test_subdomain(interface: str) -> None:
    app = Vial("sub", root_path=TESTS, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    api = Blueprint("api", __name__, subdomain="api")

    @api.route("/")
    def index() -> str:
        return "api " + url_for("api.index", _external=True)

    other = Blueprint("other", __name__)
    other.add_url_rule("/", "index", lambda user: f"{user} on a subdomain")
    app.register_blueprint(api)
    app.register_blueprint(other, subdomain="<user>")
    client = make_client(app, interface)
    assert client.get("/", base_url="http://api.example.com").text == (
        "api http://api.example.com/"
    )
    assert client.get("/", base_url="http://ada.example.com").text == "ada on a subdomain"
    assert client.get("/", base_url="http://example.com").status_code == 404


def test_async_views_and_hooks(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.before_request
    async def before() -> None:
        g.seen = "before"

    @bp.route("/")
    async def index() -> str:
        return f"{g.seen} " + render_template_string("{{ request.blueprint }}")

    app.register_blueprint(bp)
    assert client.get("/").text == "before bp"


# -- names and registration errors ------------------------------------------------------------


def test_register_twice_under_different_names(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index() -> str:
        return f"{request.blueprint} {url_for('.index')}"

    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="two")
    assert client.get("/one/").text == "bp /one/"
    assert client.get("/two/").text == "two /two/"
    assert app.blueprints == {"bp": bp, "two": bp}


def test_same_name_twice_is_an_error(app: Vial) -> None:
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(ValueError) as info:
        app.register_blueprint(bp)
    assert str(info.value) == (
        "The name 'bp' is already registered for this blueprint. Use 'name=' to provide a"
        " unique name."
    )
    with pytest.raises(ValueError) as info:
        app.register_blueprint(Blueprint("bp", __name__))
    assert str(info.value) == (
        "The name 'bp' is already registered for a different blueprint. Use 'name=' to"
        " provide a unique name."
    )


def test_nested_name_collision_names_the_full_name(app: Vial) -> None:
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    parent.register_blueprint(child)
    parent.register_blueprint(child)
    with pytest.raises(ValueError) as info:
        app.register_blueprint(parent)
    assert str(info.value) == (
        "The name 'child' is already registered for this blueprint 'parent.child'. Use"
        " 'name=' to provide a unique name."
    )


@pytest.mark.parametrize("name", ["a.b", ""])
def test_bad_blueprint_names(name: str) -> None:
    with pytest.raises(ValueError, match="'name' may not"):
        Blueprint(name, __name__)


def test_dotted_endpoint_or_view_name_is_an_error() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="'endpoint' may not contain a dot"):
        bp.add_url_rule("/", "a.b", lambda: "")

    def view() -> str:
        return ""

    view.__name__ = "a.b"
    with pytest.raises(ValueError, match="'view_func' name may not contain a dot"):
        bp.add_url_rule("/", view_func=view)


def test_register_on_itself_is_an_error() -> None:
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="Cannot register a blueprint on itself"):
        bp.register_blueprint(bp)


def test_setup_after_registration_is_an_error(app: Vial) -> None:
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match="can no longer be called on the blueprint 'bp'"):
        bp.add_url_rule("/late", "late", lambda: "")


def test_one_blueprint_on_two_apps(interface: str) -> None:
    bp = Blueprint("shared", __name__, url_prefix="/s")
    bp.add_url_rule("/", "index", lambda: "shared")
    apps = [Vial(f"app{i}", root_path=TESTS) for i in range(2)]
    for app in apps:
        app.register_blueprint(bp)
        assert make_client(app, interface).get("/s/").text == "shared"


# -- record and record_once -------------------------------------------------------------------


def test_record_runs_on_every_registration(app: Vial) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    states: list[BlueprintSetupState] = []
    once: list[str] = []
    bp.record(states.append)
    bp.record_once(lambda state: once.append(state.name))
    app.register_blueprint(bp, extra="option")
    app.register_blueprint(bp, name="again", url_prefix="/again")
    assert [(s.name, s.url_prefix, s.first_registration) for s in states] == [
        ("bp", "/bp", True),
        ("again", "/again", False),
    ]
    assert states[0].app is app and states[0].blueprint is bp
    assert states[0].options == {"extra": "option"}
    assert once == ["bp"]
    other = Vial("other", root_path=TESTS)
    other.register_blueprint(bp)
    assert once == ["bp", "bp"]


def test_make_setup_state_is_overridable(app: Vial, client: VialClient) -> None:
    class PrefixedState(BlueprintSetupState):
        def add_url_rule(
            self, rule: str, endpoint: str | None = None, *a: t.Any, **k: t.Any
        ) -> None:
            super().add_url_rule("/custom" + rule, endpoint, *a, **k)

    class CustomBlueprint(Blueprint):
        def make_setup_state(
            self, app: Vial, options: dict[str, t.Any], first_registration: bool = False
        ) -> BlueprintSetupState:
            return PrefixedState(self, app, options, first_registration)

    bp = CustomBlueprint("bp", __name__)
    bp.add_url_rule("/x", "x", lambda: "custom state")
    app.register_blueprint(bp)
    assert client.get("/custom/x").text == "custom state"


# -- hooks -----------------------------------------------------------------------------------


def _hooked_app(app: Vial, log: list[str]) -> Blueprint:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @app.before_request
    def app_before() -> None:
        log.append("app before")

    @bp.before_request
    def bp_before() -> None:
        log.append("bp before")

    @bp.before_app_request
    def bp_before_app() -> None:
        log.append("bp before app")

    @app.after_request
    def app_after(response: t.Any) -> t.Any:
        log.append("app after")
        return response

    @bp.after_request
    def bp_after(response: t.Any) -> t.Any:
        log.append("bp after")
        response.headers["X-Bp"] = "yes"
        return response

    @bp.after_app_request
    def bp_after_app(response: t.Any) -> t.Any:
        log.append("bp after app")
        return response

    @bp.teardown_request
    def bp_teardown(error: BaseException | None) -> None:
        log.append("bp teardown")

    @bp.teardown_app_request
    def bp_teardown_app(error: BaseException | None) -> None:
        log.append("bp teardown app")

    bp.add_url_rule("/", "index", lambda: "bp view")
    app.add_url_rule("/", "index", lambda: "app view")
    app.register_blueprint(bp)
    return bp


def test_blueprint_hooks_run_only_for_its_requests(app: Vial, client: VialClient) -> None:
    log: list[str] = []
    _hooked_app(app, log)
    response = client.get("/bp/")
    assert response.text == "bp view"
    assert response.headers["X-Bp"] == "yes"
    assert log == [
        "app before",
        "bp before app",
        "bp before",
        "bp after",
        "bp after app",
        "app after",
        "bp teardown",
        "bp teardown app",
    ]
    log.clear()
    response = client.get("/")
    assert response.text == "app view"
    assert "X-Bp" not in response.headers
    assert log == ["app before", "bp before app", "bp after app", "app after", "bp teardown app"]


def test_blueprint_before_request_can_answer(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_request
    def stop() -> tuple[str, int]:
        return "stopped by the blueprint", 403

    bp.add_url_rule("/", "index", lambda: "never")
    app.add_url_rule("/", "index", lambda: "app")
    app.register_blueprint(bp)
    response = client.get("/bp/")
    assert (response.status_code, response.text) == (403, "stopped by the blueprint")
    assert client.get("/").text == "app"


def test_url_value_preprocessor_and_url_defaults(app: Vial, client: VialClient) -> None:
    bp = Blueprint("i18n", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("lang_code", g.lang_code)

    @bp.url_value_preprocessor
    def pull_language(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        assert values is not None
        g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index() -> str:
        return f"{g.lang_code} {url_for('.about')}"

    @bp.route("/about")
    def about() -> str:
        return "about"

    app.register_blueprint(bp)
    assert client.get("/fr/").text == "fr /fr/about"


def test_app_url_value_preprocessor_and_app_url_defaults(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__)
    seen: list[str | None] = []

    @bp.app_url_value_preprocessor
    def record(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        seen.append(endpoint)

    @bp.app_url_defaults
    def version(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("v", "2")

    @app.route("/")
    def index() -> str:
        return url_for("index")

    app.register_blueprint(bp)
    assert client.get("/").text == "/?v=2"
    assert seen == ["index"]


# -- error handlers ----------------------------------------------------------------------------


def test_blueprint_error_handlers(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(403)
    def bp_forbidden(error: t.Any) -> tuple[str, int]:
        return "blueprint forbidden", 403

    @bp.errorhandler(KeyError)
    def bp_key_error(error: KeyError) -> tuple[str, int]:
        return f"blueprint key error {error}", 400

    @app.errorhandler(403)
    def app_forbidden(error: t.Any) -> tuple[str, int]:
        return "app forbidden", 403

    @app.errorhandler(404)
    def app_not_found(error: t.Any) -> tuple[str, int]:
        return "app not found", 404

    @bp.route("/forbidden")
    def bp_view() -> str:
        abort(403)

    @bp.route("/key")
    def bp_key() -> str:
        raise KeyError("k")

    @app.route("/forbidden")
    def app_view() -> str:
        abort(403)

    app.register_blueprint(bp)
    assert client.get("/bp/forbidden").text == "blueprint forbidden"
    assert client.get("/bp/key").text == "blueprint key error 'k'"
    assert client.get("/forbidden").text == "app forbidden"
    assert client.get("/bp/missing").text == "app not found"


def test_app_errorhandler_from_a_blueprint(app: Vial, client: VialClient) -> None:
    bp = Blueprint("errors", __name__)

    @bp.app_errorhandler(404)
    def not_found(error: t.Any) -> tuple[str, int]:
        return "custom 404 from a blueprint", 404

    @bp.app_errorhandler(ZeroDivisionError)
    def division(error: ZeroDivisionError) -> str:
        return "division handled"

    @app.route("/div")
    def div() -> str:
        return str(1 / 0)

    app.register_blueprint(bp)
    response = client.get("/nowhere")
    assert (response.status_code, response.text) == (404, "custom 404 from a blueprint")
    assert client.get("/div").text == "division handled"


# -- nested blueprints ------------------------------------------------------------------------


def test_nested_blueprints(app: Vial, client: VialClient) -> None:
    log: list[str] = []
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    grandchild = Blueprint("grandchild", __name__, url_prefix="/grandchild")

    @parent.before_request
    def parent_before() -> None:
        log.append("parent before")

    @child.before_request
    def child_before() -> None:
        log.append("child before")

    @parent.after_request
    def parent_after(response: t.Any) -> t.Any:
        log.append("parent after")
        return response

    @child.after_request
    def child_after(response: t.Any) -> t.Any:
        log.append("child after")
        return response

    @child.route("/")
    def index() -> str:
        return f"{request.blueprint} {request.blueprints} {url_for('.index')}"

    @grandchild.route("/")
    def deep() -> str:
        return f"{request.endpoint} {url_for('parent.child.index')}"

    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/").text == (
        "parent.child ['parent.child', 'parent'] /parent/child/"
    )
    assert log == ["parent before", "child before", "child after", "parent after"]
    assert client.get("/parent/child/grandchild/").text == (
        "parent.child.grandchild.deep /parent/child/"
    )
    assert set(app.blueprints) == {"parent", "parent.child", "parent.child.grandchild"}


def test_nested_error_handlers_child_then_parent_then_app(app: Vial, client: VialClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @parent.errorhandler(403)
    def parent_403(error: t.Any) -> str:
        return "parent 403"

    @parent.errorhandler(404)
    def parent_404(error: t.Any) -> str:
        return "parent 404"

    @child.errorhandler(403)
    def child_403(error: t.Any) -> str:
        return "child 403"

    @app.errorhandler(410)
    def app_410(error: t.Any) -> str:
        return "app 410"

    @child.route("/<int:code>")
    def fail(code: int) -> str:
        abort(code)

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/parent/child/403").text == "child 403"
    assert client.get("/parent/child/404").text == "parent 404"
    assert client.get("/parent/child/410").text == "app 410"


def test_nested_prefixes_and_registration_options(app: Vial, client: VialClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p/")
    child = Blueprint("child", __name__)
    child.add_url_rule("/", "index", lambda: request.endpoint or "")
    other = Blueprint("other", __name__, url_prefix="/own")
    other.add_url_rule("/x", "x", lambda: request.endpoint or "")
    parent.register_blueprint(child, url_prefix="/c")
    parent.register_blueprint(other)
    parent.register_blueprint(other, name="renamed", url_prefix="/r")
    app.register_blueprint(parent)
    app.register_blueprint(parent, name="second", url_prefix="/second")
    assert client.get("/p/c/").text == "parent.child.index"
    assert client.get("/p/own/x").text == "parent.other.x"
    assert client.get("/p/r/x").text == "parent.renamed.x"
    assert client.get("/second/c/").text == "second.child.index"


def test_nested_subdomains_are_joined(interface: str) -> None:
    app = Vial("sub", root_path=TESTS, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com"
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, subdomain="v1")
    child.add_url_rule("/", "index", lambda: "v1 api")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = make_client(app, interface)
    assert client.get("/", base_url="http://v1.api.example.com").text == "v1 api"


# -- templates ---------------------------------------------------------------------------------


def _frontend(**kwargs: t.Any) -> Blueprint:
    return Blueprint(
        "frontend",
        "blueprintapp",
        template_folder="templates",
        static_folder="static",
        url_prefix="/front",
        **kwargs,
    )


def test_blueprint_root_path_comes_from_its_package() -> None:
    assert _frontend().root_path == BLUEPRINT_ROOT


def test_blueprint_template_folder(app: Vial, client: VialClient) -> None:
    bp = _frontend()

    @bp.context_processor
    def bp_only() -> dict[str, t.Any]:
        return {"bp_value": "<from the blueprint processor>"}

    @bp.route("/page")
    def page() -> str:
        return render_template("frontend/page.html")

    @app.route("/page")
    def app_page() -> str:
        return render_template("frontend/page.html")

    app.register_blueprint(bp)
    assert client.get("/front/page").text == (
        "frontend template: frontend &lt;from the blueprint processor&gt;"
    )
    assert client.get("/page").text == "frontend template: None "


def test_app_templates_are_searched_before_blueprint_templates(
    app: Vial, client: VialClient
) -> None:
    bp = _frontend()
    bp.add_url_rule("/shadowed", "shadowed", lambda: render_template("shadowed.html"))
    app.register_blueprint(bp)
    assert client.get("/front/shadowed").text == "from the app"


def test_blueprints_are_searched_in_registration_order(tmp_path: t.Any, interface: str) -> None:
    for name in ("first", "second"):
        (tmp_path / name / "templates").mkdir(parents=True)
        (tmp_path / name / "templates" / "page.html").write_text(f"from {name}")
    app = Vial("order", root_path=str(tmp_path), template_folder=None)
    for name in ("second", "first"):
        app.register_blueprint(
            Blueprint(name, __name__, root_path=str(tmp_path / name), template_folder="templates")
        )
    app.add_url_rule("/", "index", lambda: render_template("page.html"))
    assert make_client(app, interface).get("/").text == "from second"


def test_app_context_processor_from_a_blueprint(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.app_context_processor
    def everywhere() -> dict[str, t.Any]:
        return {"everywhere": "yes"}

    @bp.context_processor
    def scoped() -> dict[str, t.Any]:
        return {"scoped": "bp"}

    template = "{{ everywhere }}/{{ scoped|default('none') }}"
    bp.add_url_rule("/", "index", lambda: render_template_string(template))
    app.add_url_rule("/", "index", lambda: render_template_string(template))
    app.register_blueprint(bp)
    assert client.get("/bp/").text == "yes/bp"
    assert client.get("/").text == "yes/none"


def test_nested_context_processors_parent_then_child(app: Vial, client: VialClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")

    @parent.context_processor
    def from_parent() -> dict[str, t.Any]:
        return {"who": "parent", "parent_only": "p"}

    @child.context_processor
    def from_child() -> dict[str, t.Any]:
        return {"who": "child"}

    child.add_url_rule("/", "index", lambda: render_template_string("{{ who }} {{ parent_only }}"))
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/p/c/").text == "child p"


def test_app_template_filter_test_and_global(app: Vial, client: VialClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.app_template_filter()
    def reverse(s: str) -> str:
        return s[::-1]

    @bp.app_template_filter("shout")
    def make_loud(s: str) -> str:
        return s.upper()

    @bp.app_template_filter
    def twice(s: str) -> str:
        return s * 2

    @bp.app_template_test()
    def short(s: str) -> bool:
        return len(s) < 3

    @bp.app_template_test("long")
    def is_long(s: str) -> bool:
        return len(s) > 3

    @bp.app_template_global()
    def answer() -> int:
        return 42

    @bp.app_template_global("site")
    def site_name() -> str:
        return "vial"

    bp.add_app_template_filter(lambda s: f"<{s}>", "angle")
    bp.add_app_template_test(lambda s: s == "x", "x")
    bp.add_app_template_global(lambda: "g", "added")

    app.register_blueprint(bp)

    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ 'ab'|reverse }} {{ 'ab'|shout }} {{ 'ab'|twice }} {{ 'ab' is short }}"
            " {{ 'abcd' is long }} {{ answer() }} {{ site() }} {{ 'a'|angle }}"
            " {{ 'x' is x }} {{ added() }}"
        )

    assert client.get("/").text == "ba AB abab True True 42 vial &lt;a&gt; True g"
    assert reverse("ab") == "ba"


# -- static files ------------------------------------------------------------------------------


def test_blueprint_static_folder(app: Vial, client: VialClient) -> None:
    bp = _frontend()

    @bp.route("/link")
    def link() -> str:
        return url_for(".static", filename="style.css")

    app.register_blueprint(bp)
    response = client.get("/front/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.text == "body { color: red; }\n"
    response.close()
    assert client.get("/front/link").text == "/front/static/style.css"
    assert client.get("/front/static/missing.css").status_code == 404
    assert client.get("/front/static/../__init__.py").status_code == 404


def test_blueprint_static_url_path(app: Vial, client: VialClient) -> None:
    app.register_blueprint(_frontend(static_url_path="/assets"))
    response = client.get("/front/assets/style.css")
    assert response.text == "body { color: red; }\n"
    response.close()
    with app.test_request_context():
        assert url_for("frontend.static", filename="style.css") == "/front/assets/style.css"


def test_blueprint_without_static_folder_has_no_static_route(app: Vial) -> None:
    app.register_blueprint(Blueprint("plain", __name__, url_prefix="/plain"))
    assert "plain.static" not in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_blueprint_send_static_file_without_folder_is_an_error(app: Vial) -> None:
    with app.test_request_context(), pytest.raises(RuntimeError, match="static_folder"):
        Blueprint("plain", __name__).send_static_file("x.css")
