"""The debug page (vial.debug): shown in debug mode only, read-only, no secrets."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from vial import Vial, render_template
from vial.debug import render_debug_page


def make_app(debug: bool) -> Vial:
    app = Vial("debug_app", root_path=os.path.dirname(__file__))
    app.config.update(SECRET_KEY="s3cr3t-k3y-value", DATABASE_PASSWORD="hunter2-password")
    app.debug = debug

    @app.route("/boom")
    def boom() -> str:
        marker = "<b>not markup</b>"  # a source line with markup in it
        raise ValueError(f"bad value {marker}")

    @app.route("/chained")
    def chained() -> str:
        try:
            {}["missing"]
        except KeyError as e:
            raise RuntimeError("while looking up") from e
        return ""

    @app.route("/ok")
    def ok() -> str:
        return "fine"

    @app.route("/abort")
    def abort_view() -> str:
        from vial import abort

        abort(404)

    @app.route("/async")
    async def async_boom() -> str:
        raise LookupError("async failure")

    return app


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL + 1, logger="debug_app")


def test_debug_page_shows_traceback_and_source(interface: str) -> None:
    app = make_app(debug=True)
    response = app.test_client(asgi=interface == "asgi").get("/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src" not in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "ValueError" in page
    # The message and the source line are escaped, never markup.
    assert "bad value &lt;b&gt;not markup&lt;/b&gt;" in page
    assert "<b>not markup</b>" not in page
    assert "&lt;b&gt;not markup&lt;/b&gt;&quot;  # a source line with markup in it" in page
    # The frame: this test file, the view's name, the failing line highlighted.
    assert "test_debug.py" in page
    assert "in <b>boom</b>" in page
    assert '<span class="current">' in page
    assert "raise ValueError(f&quot;bad value {marker}&quot;)" in page
    # Lines around the failing one are shown too.
    assert "def boom() -&gt; str:" in page


def test_debug_page_for_async_views(interface: str) -> None:
    app = make_app(debug=True)
    response = app.test_client(asgi=interface == "asgi").get("/async")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "LookupError" in page and "async failure" in page
    assert "in <b>async_boom</b>" in page


def test_debug_page_shows_chained_exceptions(interface: str) -> None:
    app = make_app(debug=True)
    page = app.test_client(asgi=interface == "asgi").get("/chained").get_data(as_text=True)
    assert page.index("KeyError") < page.index("direct cause") < page.rindex("RuntimeError")
    assert "while looking up" in page


def test_debug_page_never_shows_config(interface: str) -> None:
    app = make_app(debug=True)
    page = app.test_client(asgi=interface == "asgi").get("/boom").get_data(as_text=True)
    assert "s3cr3t-k3y-value" not in page
    assert "hunter2-password" not in page
    assert "SECRET_KEY" not in page


def test_debug_page_has_no_console_or_script(interface: str) -> None:
    app = make_app(debug=True)
    client = app.test_client(asgi=interface == "asgi")
    page = client.get("/boom").get_data(as_text=True).lower()
    assert "<script" not in page
    assert "<form" not in page
    assert "<input" not in page
    assert "console" not in page
    # Werkzeug's debugger endpoints do nothing here.
    assert client.get("/boom?__debugger__=yes&cmd=print(1)&frm=0&s=x").status_code == 500
    response = client.get("/?__debugger__=yes&cmd=resource&f=debugger.js")
    assert response.status_code == 404


def test_no_debug_page_when_debug_is_off(interface: str) -> None:
    app = make_app(debug=False)
    response = app.test_client(asgi=interface == "asgi").get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Internal Server Error" in page
    assert "Traceback" not in page
    assert "ValueError" not in page
    assert "bad value" not in page
    assert "test_debug.py" not in page


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?debug=1", {}),
        ("?debug=true&DEBUG=1&__debugger__=yes", {}),
        ("", {"X-Debug": "1", "X-Vial-Debug": "1"}),
        ("", {"Cookie": "debug=1; VIAL_DEBUG=1"}),
        ("", {"X-Forwarded-For": "127.0.0.1"}),
    ],
)
def test_request_cannot_turn_debug_on(interface: str, query: str, headers: dict[str, str]) -> None:
    app = make_app(debug=False)
    response = app.test_client(asgi=interface == "asgi").get(f"/boom{query}", headers=headers)
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert app.debug is False


def test_debug_on_does_not_change_http_errors_or_success(interface: str) -> None:
    app = make_app(debug=True)
    client = app.test_client(asgi=interface == "asgi")
    assert client.get("/ok").data == b"fine"
    response = client.get("/abort")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_debug_page_replaces_the_500_handler_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(debug=True)

    @app.errorhandler(500)
    def handler(e: Exception) -> tuple[str, int]:
        return "custom 500", 500

    caplog.set_level(logging.ERROR, logger="debug_app")
    response = app.test_client().get("/boom")
    assert "Traceback" in response.get_data(as_text=True)
    assert any("Exception on /boom [GET]" in r.getMessage() for r in caplog.records)
    app.debug = False
    assert app.test_client().get("/boom").data == b"custom 500"


def test_testing_and_propagate_exceptions_still_propagate() -> None:
    app = make_app(debug=True)
    app.testing = True
    with pytest.raises(ValueError, match="bad value"):
        app.test_client().get("/boom")
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(ValueError, match="bad value"):
        app.test_client().get("/boom")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/boom").status_code == 500


def test_vial_debug_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIAL_DEBUG", "1")
    app = Vial("env_debug_app")
    assert app.debug is True

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError("zero")

    assert "ZeroDivisionError" in app.test_client().get("/").get_data(as_text=True)
    monkeypatch.setenv("VIAL_DEBUG", "0")
    assert Vial("env_debug_app").debug is False


def test_render_debug_page_directly() -> None:
    try:
        raise TypeError("<script>alert(1)</script>")
    except TypeError as e:
        page = render_debug_page(e, "my<app>")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "my&lt;app&gt;" in page
    assert page.startswith("<!doctype html>")


def test_render_debug_page_with_unprintable_exception_and_missing_source() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str")

    code = compile("raise exc", "/nonexistent/generated.py", "exec")
    try:
        exec(code, {"exc": Unprintable()})
    except Unprintable as e:
        page = render_debug_page(e)
    assert "Unprintable" in page
    assert "&lt;exception str() failed&gt;" in page
    assert "/nonexistent/generated.py" in page


def test_context_cycle_does_not_loop() -> None:
    a = ValueError("a")
    b = KeyError("b")
    a.__context__ = b
    b.__context__ = a
    page = render_debug_page(a)
    assert "ValueError" in page and "KeyError" in page


def test_debug_page_for_a_template_error(tmp_path: Path, interface: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "broken.html").write_text(
        "<h1>Title</h1>\n{{ 1 // 0 }}\n<p>after</p>\n", encoding="utf-8"
    )
    app = Vial("template_debug_app", root_path=str(tmp_path))

    @app.route("/")
    def index() -> str:
        return render_template("broken.html")

    asgi = interface == "asgi"
    app.debug = True
    page = app.test_client(asgi=asgi).get("/").get_data(as_text=True)
    assert "ZeroDivisionError" in page
    # Jinja puts the template's own line into the traceback; its source is shown, escaped.
    assert "broken.html" in page
    assert "{{ 1 // 0 }}" in page
    assert "&lt;h1&gt;Title&lt;/h1&gt;" in page
    app.debug = False
    response = app.test_client(asgi=asgi).get("/")
    assert response.status_code == 500
    assert "ZeroDivisionError" not in response.get_data(as_text=True)
