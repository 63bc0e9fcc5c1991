"""Templates: rendering and streaming, autoescaping, context, template helpers, loading errors."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import typing as t

import jinja2
import pytest
from markupsafe import Markup

from vial import (
    Blueprint,
    Vial,
    before_render_template,
    flash,
    g,
    get_template_attribute,
    render_template,
    render_template_string,
    session,
    stream_template,
    stream_template_string,
    template_rendered,
)
from vial.templating import DispatchingJinjaLoader, Environment
from vial.testing import VialClient

TESTS = os.path.dirname(__file__)
APP_TEMPLATES = os.path.join(TESTS, "templates")
BLUEPRINT_ROOT = os.path.join(TESTS, "blueprintapp")


pytestmark = pytest.mark.usefixtures("no_context_left")


# -- rendering --------------------------------------------------------------------------------


def test_render_template_from_the_template_folder(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("index.html", name="World")

    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.text == "Hello World!"


def test_render_template_string(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template_string("{{ a }} + {{ b }} = {{ a + b }}", a=1, b=2)

    assert client.get("/").text == "1 + 2 = 3"


def test_inheritance_and_include(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("child.html", name="<x>")

    assert client.get("/").text == ("<title>child of base</title>\n<main><p>&lt;x&gt;</p></main>")


def test_first_existing_template_of_a_list_is_rendered(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template(["missing.html", "index.html"], name="list")

    assert client.get("/").text == "Hello list!"


def test_async_view_renders_a_template(app: Vial, client: VialClient) -> None:
    @app.route("/")
    async def index() -> str:
        return render_template("index.html", name="async")

    assert client.get("/").text == "Hello async!"


def test_rendering_needs_an_app_context(app: Vial) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        render_template_string("x")
    with app.app_context():
        assert render_template_string("{{ config.TESTING }}") == "True"


# -- autoescaping -------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["html", "htm", "xml", "xhtml", "svg"])
def test_autoescape_by_extension(app: Vial, client: VialClient, extension: str) -> None:
    @app.route("/")
    def index() -> str:
        return render_template(f"autoescape/page.{extension}", text="<b>&</b>")

    assert client.get("/").text == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_no_autoescape_for_other_extensions(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("autoescape/page.txt", text="<b>&</b>")

    assert client.get("/").text == "<b>&</b>"


def test_template_strings_are_autoescaped(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ text }}|{{ markup }}|{{ text|safe }}|{% autoescape false %}{{ text }}"
            "{% endautoescape %}",
            text="<script>",
            markup=Markup("<em>ok</em>"),
        )

    assert client.get("/").text == "&lt;script&gt;|<em>ok</em>|<script>|<script>"


def test_select_jinja_autoescape_is_overridable(tmp_path: t.Any) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.txt").write_text("{{ text }}")

    class EscapeEverything(Vial):
        def select_jinja_autoescape(self, filename: str | None) -> bool:
            return True

    app = EscapeEverything("custom", root_path=str(tmp_path))
    with app.app_context():
        assert render_template("page.txt", text="<b>") == "&lt;b&gt;"


def test_tojson_filter_uses_the_app_json_provider(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return render_template_string("<script>var d = {{ data|tojson }};</script>", data=data)

    data = {"b": "</script>", "a": 1}
    assert client.get("/").text == (
        '<script>var d = {"a": 1, "b": "\\u003c/script\\u003e"};</script>'
    )


# -- the template context ---------------------------------------------------------------------


def test_default_context_in_every_template(app: Vial, client: VialClient) -> None:
    app.config["SITE_NAME"] = "Vial site"

    @app.route("/login")
    def login() -> str:
        session["user"] = "ada"
        flash("first")
        flash("second")
        return "ok"

    @app.route("/context")
    def context_view() -> str:
        g.who = "g-value"
        return render_template("context.html")

    client.get("/login")
    lines = client.get("/context").text.splitlines()
    assert lines == [
        "config=Vial site",
        "path=/context",
        "session=ada",
        "g=g-value",
        "url=/context",
        "flashes=first,second",
    ]
    assert client.get("/context").text.splitlines()[-1] == "flashes="


def test_default_context_in_template_strings(app: Vial, client: VialClient) -> None:
    @app.route("/s")
    def view() -> str:
        return render_template_string(
            "{{ request.args['q'] }} {{ url_for('view', x=1) }} {{ config.TESTING }}"
        )

    assert client.get("/s?q=<q>").text == "&lt;q&gt; /s?x=1 True"


def test_template_that_does_not_read_the_session_sets_no_cookie(
    app: Vial, client: VialClient
) -> None:
    @app.route("/")
    def index() -> str:
        return render_template("index.html", name="x")

    response = client.get("/")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_context_processors_add_values_and_given_values_win(app: Vial, client: VialClient) -> None:
    @app.context_processor
    def site() -> dict[str, t.Any]:
        return {"site": "processor", "name": "from processor"}

    @app.context_processor
    async def extra() -> dict[str, t.Any]:
        return {"extra": "async processor"}

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ site }}/{{ name }}/{{ extra }}", name="given")

    assert client.get("/").text == "processor/given/async processor"


def test_context_processor_can_override_the_defaults(app: Vial, client: VialClient) -> None:
    @app.context_processor
    def replace_g() -> dict[str, t.Any]:
        return {"g": "replaced"}

    @app.route("/")
    def index() -> str:
        return render_template_string("{{ g }}")

    assert client.get("/").text == "replaced"


def test_update_template_context_outside_a_request(app: Vial) -> None:
    @app.context_processor
    def value() -> dict[str, t.Any]:
        return {"value": 1}

    with app.app_context():
        context: dict[str, t.Any] = {"value": 2}
        app.update_template_context(context)
        assert context["value"] == 2
        assert "g" in context
        assert "request" not in context


# -- filters, tests, globals ------------------------------------------------------------------


def test_template_filter_forms(app: Vial, client: VialClient) -> None:
    @app.template_filter()
    def reverse(s: str) -> str:
        return s[::-1]

    @app.template_filter("shout")
    def make_loud(s: str) -> str:
        return s.upper() + "!"

    @app.template_filter
    def double(s: str) -> str:
        return s * 2

    def strip_x(s: str) -> str:
        return s.replace("x", "")

    app.add_template_filter(strip_x)
    app.add_template_filter(strip_x, "no_x")
    app.jinja_env.filters["direct"] = lambda s: f"[{s}]"
    assert reverse("ab") == "ba"  # the decorator returns the function

    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ 'abc'|reverse }} {{ 'hi'|shout }} {{ 'ab'|double }} {{ 'xax'|strip_x }}"
            " {{ 'xbx'|no_x }} {{ 'd'|direct }}"
        )

    assert client.get("/").text == "cba HI! abab a b [d]"


def test_template_test_forms(app: Vial, client: VialClient) -> None:
    @app.template_test()
    def boolean(value: object) -> bool:
        return isinstance(value, bool)

    @app.template_test("even_length")
    def has_even_length(value: str) -> bool:
        return len(value) % 2 == 0

    @app.template_test
    def empty(value: str) -> bool:
        return not value

    app.add_template_test(lambda value: value == 42, "answer")

    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ (true is boolean, 1 is boolean, 'ab' is even_length, '' is empty,"
            " 42 is answer)|join(',') }}"
        )

    assert client.get("/").text == "True,False,True,True,True"


def test_template_global_forms(app: Vial, client: VialClient) -> None:
    @app.template_global()
    def double(n: int) -> int:
        return 2 * n

    @app.template_global("triple")
    def times_three(n: int) -> int:
        return 3 * n

    @app.template_global
    def greeting() -> str:
        return "hi"

    app.add_template_global(lambda: "added", "added")
    app.jinja_env.globals["site"] = "vial"

    @app.route("/")
    def index() -> str:
        return render_template_string(
            "{{ double(2) }} {{ triple(2) }} {{ greeting() }} {{ added() }} {{ site }}"
        )

    assert client.get("/").text == "4 6 hi added vial"


def test_get_template_attribute(app: Vial) -> None:
    with app.app_context():
        hello = get_template_attribute("macros.html", "hello")
        assert hello("<World>") == "Hello &lt;World&gt;!"
        assert get_template_attribute("macros.html", "answer") == 42


# -- streaming ----------------------------------------------------------------------------------


def test_stream_template_keeps_the_request_while_streaming(app: Vial, client: VialClient) -> None:
    @app.route("/stream/here")
    def view() -> t.Iterator[str]:
        return stream_template("stream.html", items=["a", "<b>"])

    response = client.get("/stream/here")
    assert response.status_code == 200
    assert response.text == "<a><&lt;b&gt;>|/stream/here"


def test_stream_template_string(app: Vial, client: VialClient) -> None:
    seen: list[str] = []

    @app.route("/s")
    def view() -> t.Iterator[str]:
        def generate() -> t.Iterator[str]:
            seen.append("started")
            yield from ("one", "two")

        return stream_template_string(
            "{% for x in items %}[{{ x }}]{% endfor %}{{ request.args.q }}", items=generate()
        )

    response = client.get("/s?q=<end>")
    assert response.text == "[one][two]&lt;end&gt;"
    assert seen == ["started"]


def test_stream_template_is_lazy() -> None:
    app = Vial("lazy", root_path=TESTS)
    steps: list[str] = []

    def items() -> t.Iterator[str]:
        steps.append("first")
        yield "1"
        steps.append("second")
        yield "2"

    with app.test_request_context("/"):
        stream = stream_template_string("{% for i in items %}{{ i }}{% endfor %}", items=items())
        assert steps == []
        chunks = list(stream)
    assert "".join(chunks) == "12"
    assert steps == ["first", "second"]


# -- signals ------------------------------------------------------------------------------------


def test_render_signals(app: Vial, client: VialClient) -> None:
    events: list[tuple[str, str | None, dict[str, t.Any]]] = []

    def before(sender: Vial, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        assert sender is app
        context["added_by_signal"] = "signal"
        events.append(("before", template.name, dict(context)))

    def after(sender: Vial, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        events.append(("rendered", template.name, dict(context)))

    @app.route("/")
    def index() -> str:
        return render_template("index.html", name="{{ added_by_signal }}") + render_template_string(
            "{{ added_by_signal }}"
        )

    with before_render_template.connected_to(before), template_rendered.connected_to(after):
        assert client.get("/").text == "Hello {{ added_by_signal }}!signal"
    assert [(kind, name) for kind, name, _ in events] == [
        ("before", "index.html"),
        ("rendered", "index.html"),
        ("before", None),
        ("rendered", None),
    ]
    assert events[1][2]["name"] == "{{ added_by_signal }}"
    assert events[1][2]["request"] is not None


def test_template_rendered_is_sent_after_streaming(app: Vial, client: VialClient) -> None:
    events: list[str] = []

    def after(sender: Vial, template: jinja2.Template, context: dict[str, t.Any]) -> None:
        events.append(f"rendered {template.name}")

    @app.route("/")
    def index() -> t.Iterator[str]:
        events.append("view returned")
        return stream_template("stream.html", items=["x"])

    with template_rendered.connected_to(after):
        assert client.get("/").text == "<x>|/"
    assert events == ["view returned", "rendered stream.html"]


# -- the environment ---------------------------------------------------------------------------


def test_jinja_env_is_made_once_and_bound_to_the_app(app: Vial) -> None:
    env = app.jinja_env
    assert env is app.jinja_env
    assert isinstance(env, Environment)
    assert env.app is app
    assert isinstance(env.loader, DispatchingJinjaLoader)
    assert env.globals["config"] is app.config


def test_jinja_options_are_used(tmp_path: t.Any) -> None:
    class TrimmingApp(Vial):
        jinja_options = {"trim_blocks": True, "autoescape": False}

    app = TrimmingApp("trim", root_path=str(tmp_path))
    with app.app_context():
        assert render_template_string("{% if true %}\nx{{ '<' }}{% endif %}\n") == "x<"


def test_create_jinja_environment_and_environment_class_are_overridable(
    tmp_path: t.Any,
) -> None:
    class MyEnvironment(Environment):
        pass

    class CustomApp(Vial):
        jinja_environment = MyEnvironment

        def create_jinja_environment(self) -> Environment:
            env = super().create_jinja_environment()
            env.globals["custom"] = "from the override"
            return env

    app = CustomApp("custom", root_path=str(tmp_path))
    assert type(app.jinja_env) is MyEnvironment
    with app.app_context():
        assert render_template_string("{{ custom }}") == "from the override"


def _write(path: t.Any, text: str, mtime: float) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def _reload_app(tmp_path: t.Any, **config: t.Any) -> Vial:
    (tmp_path / "templates").mkdir()
    _write(tmp_path / "templates" / "page.html", "version 1", 1_000_000)
    app = Vial("reload", root_path=str(tmp_path))
    app.config.update(config)
    return app


def _render_twice(app: Vial, tmp_path: t.Any) -> tuple[str, str]:
    with app.app_context():
        first = render_template("page.html")
        _write(tmp_path / "templates" / "page.html", "version 2", 2_000_000)
        return first, render_template("page.html")


def test_templates_are_cached_without_auto_reload(tmp_path: t.Any) -> None:
    app = _reload_app(tmp_path)
    assert app.jinja_env.auto_reload is False
    assert _render_twice(app, tmp_path) == ("version 1", "version 1")


def test_templates_auto_reload_in_debug(tmp_path: t.Any) -> None:
    app = _reload_app(tmp_path, DEBUG=True)
    assert _render_twice(app, tmp_path) == ("version 1", "version 2")


def test_templates_auto_reload_config_wins_over_debug(tmp_path: t.Any) -> None:
    app = _reload_app(tmp_path, DEBUG=True, TEMPLATES_AUTO_RELOAD=False)
    assert app.jinja_env.auto_reload is False
    app2 = Vial("reload2", root_path=str(tmp_path))
    app2.config["TEMPLATES_AUTO_RELOAD"] = True
    assert app2.jinja_env.auto_reload is True


def test_setting_debug_later_turns_auto_reload_on(tmp_path: t.Any) -> None:
    app = _reload_app(tmp_path)
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert _render_twice(app, tmp_path) == ("version 1", "version 2")


def test_import_vial_does_not_import_jinja() -> None:
    code = (
        "import sys, vial\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
        "app = vial.Vial('x')\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported by Vial()'\n"
        "with app.app_context(): vial.render_template_string('x')\n"
        "assert 'jinja2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=TESTS)


# -- bad input: missing templates and templates that raise ----------------------------------


def _app_with_blueprint_templates() -> Vial:
    app = Vial("test_app", root_path=TESTS)
    app.config["TESTING"] = True
    app.register_blueprint(
        Blueprint("frontend", "blueprintapp", root_path=BLUEPRINT_ROOT, template_folder="templates")
    )
    app.register_blueprint(Blueprint("no_templates", __name__))
    return app


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_missing_template_names_every_folder_searched(interface: str) -> None:
    app = _app_with_blueprint_templates()

    @app.route("/")
    def index() -> str:
        return render_template("missing.html")

    client = app.test_client(asgi=interface == "asgi")
    with pytest.raises(jinja2.TemplateNotFound) as info:
        client.get("/")
    assert info.value.name == "missing.html"
    message = str(info.value)
    assert "'missing.html'" in message
    assert f"{APP_TEMPLATES} (application 'test_app')" in message
    assert f"{os.path.join(BLUEPRINT_ROOT, 'templates')} (blueprint 'frontend'" in message


def test_missing_template_in_a_list_names_the_folders(app: Vial) -> None:
    with app.app_context(), pytest.raises(jinja2.TemplatesNotFound) as info:
        render_template(["nope1.html", "nope2.html"])
    message = str(info.value)
    assert "nope1.html" in message and "nope2.html" in message
    assert APP_TEMPLATES in message


def test_missing_included_template_names_the_folders(app: Vial) -> None:
    with app.app_context(), pytest.raises(jinja2.TemplateNotFound) as info:
        render_template("includes_missing.html")
    assert info.value.name == "not_there.html"
    assert APP_TEMPLATES in str(info.value)


def test_missing_template_without_any_template_folder(tmp_path: t.Any) -> None:
    app = Vial("bare", root_path=str(tmp_path), template_folder=None)
    with app.app_context(), pytest.raises(jinja2.TemplateNotFound, match="No template folder"):
        render_template("index.html")


def test_template_not_found_is_a_500_when_not_testing(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False

    @app.route("/")
    def index() -> str:
        return render_template("missing.html")

    response = client.get("/")
    assert response.status_code == 500
    assert "missing.html" not in response.text


def test_template_that_raises_renders_the_500_path(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False
    caught: list[BaseException] = []

    @app.errorhandler(500)
    def server_error(error: t.Any) -> tuple[str, int]:
        caught.append(error.original_exception)
        return render_template_string("custom 500 for {{ request.path }}"), 500

    @app.route("/broken")
    def broken() -> str:
        return render_template("raises.html")

    response = client.get("/broken")
    assert response.status_code == 500
    assert response.text == "custom 500 for /broken"
    assert isinstance(caught[0], jinja2.UndefinedError)


def test_template_that_raises_gives_the_default_500(
    app: Vial, client: VialClient, quiet_logger: None
) -> None:
    app.testing = False

    @app.route("/broken")
    def broken() -> str:
        return render_template_string("{{ explode() }}", explode=lambda: 1 / 0)

    response = client.get("/broken")
    assert response.status_code == 500
    assert "Internal Server Error" in response.text
    assert "ZeroDivisionError" not in response.text


def test_template_that_raises_propagates_when_testing(app: Vial, client: VialClient) -> None:
    @app.route("/broken")
    def broken() -> str:
        return render_template("raises.html")

    with pytest.raises(jinja2.UndefinedError):
        client.get("/broken")


def test_explain_template_loading(caplog: pytest.LogCaptureFixture) -> None:
    app = _app_with_blueprint_templates()
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with caplog.at_level(logging.INFO, logger=app.logger.name), app.app_context():
        assert render_template("shadowed.html") == "from the app"
        with pytest.raises(jinja2.TemplateNotFound):
            render_template("nowhere.html")
    found, missing = (r.getMessage() for r in caplog.records if r.name == app.logger.name)
    assert found.startswith("Locating template 'shadowed.html':")
    assert "trying loader of application 'test_app'" in found
    assert "trying loader of blueprint 'frontend'" in found
    assert f"found ('{os.path.join(APP_TEMPLATES, 'shadowed.html')}')" in found
    assert "more than one loader" in found
    assert "Error: the template could not be found." in missing


@pytest.mark.parametrize(
    ("blueprint", "hint"),
    [
        ("frontend", "Is the template in the right folder?"),
        ("no_templates", "which has no template folder"),
    ],
)
def test_explain_template_loading_names_the_blueprint_of_the_endpoint(
    caplog: pytest.LogCaptureFixture, blueprint: str, hint: str
) -> None:
    # As Flask: a template missing for a blueprint's view gets a hint naming that
    # blueprint, whether or not it has a template folder of its own.
    app = _app_with_blueprint_templates()
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.add_url_rule("/missing", endpoint=f"{blueprint}.missing")
    with (
        caplog.at_level(logging.INFO, logger=app.logger.name),
        app.test_request_context("/missing"),
        pytest.raises(jinja2.TemplateNotFound),
    ):
        render_template("nowhere.html")
    (message,) = (r.getMessage() for r in caplog.records if r.name == app.logger.name)
    assert f"looked up from an endpoint of the blueprint {blueprint!r}" in message
    assert hint in message


def test_loader_lists_templates_of_app_and_blueprints() -> None:
    app = _app_with_blueprint_templates()
    names = app.jinja_env.list_templates()
    assert "index.html" in names
    assert "frontend/page.html" in names
    assert names.count("shadowed.html") == 1


def test_macros_see_request_and_session_through_the_globals(app: Vial, client: VialClient) -> None:
    @app.route("/m")
    def view() -> str:
        return render_template_string(
            "{% macro show() %}{{ request.path }}:{{ session.get('k', 'none') }}{% endmacro %}"
            "{{ show() }}"
        )

    assert client.get("/m").text == "/m:none"
