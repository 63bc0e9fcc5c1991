"""Template globals follow ChainMap's rules (Jinja's), though vial keeps them as dicts."""

from __future__ import annotations

import pytest

from vial import Vial


@pytest.fixture
def env_app() -> Vial:
    app = Vial(__name__)
    app.jinja_env.globals["site"] = "vial"
    return app


def render(app: Vial, source: str, **globals_: object) -> str:
    with app.app_context():
        return app.jinja_env.from_string(source, globals=globals_ or None).render()


def test_a_global_added_after_the_template_was_loaded_is_seen(env_app: Vial) -> None:
    with env_app.app_context():
        template = env_app.jinja_env.from_string("{{ site }} {{ late|default('none') }}")
        assert template.render() == "vial none"
        env_app.jinja_env.globals["late"] = "here"
        env_app.jinja_env.globals.update(site="changed")
        assert template.render() == "changed here"
        del env_app.jinja_env.globals["late"]
        env_app.jinja_env.globals.pop("site")
        assert template.render() == " none"


def test_a_template_s_own_global_wins_over_the_environment(env_app: Vial) -> None:
    with env_app.app_context():
        template = env_app.jinja_env.from_string("{{ site }}", globals={"site": "own"})
        env_app.jinja_env.globals["site"] = "env"
        assert template.render() == "own"
        template.globals["site"] = "changed own"
        assert template.render() == "changed own"
        del template.globals["site"]  # back to the environment's value
        assert template.render() == "env"
        with pytest.raises(KeyError):
            del template.globals["site"]  # only a template's own names can be deleted


def test_other_templates_do_not_see_a_template_s_own_globals(env_app: Vial) -> None:
    assert render(env_app, "{{ site }}", site="own") == "own"
    assert render(env_app, "{{ site }}") == "vial"


def test_template_globals_read_like_a_chain_map(env_app: Vial) -> None:
    with env_app.app_context():
        template = env_app.jinja_env.from_string("", globals={"mine": 1})
        names = template.globals
        assert names["mine"] == 1 and names["site"] == "vial"
        assert "url_for" in names and "request" in names
        assert names.maps[0] == {"mine": 1}
        assert names.maps[1] is env_app.jinja_env.globals
        names.setdefault("site", "ignored")
        assert names["site"] == "vial"
        assert names.pop("mine") == 1 and "mine" not in names
        names.clear()
        assert names["site"] == "vial"


def test_add_template_global_and_render_template_string(app: Vial) -> None:
    from vial import render_template_string

    @app.template_global()
    def twice(value: int) -> int:
        return value * 2

    with app.test_request_context("/"):
        assert render_template_string("{{ twice(21) }} {{ request.path }}") == "42 /"
