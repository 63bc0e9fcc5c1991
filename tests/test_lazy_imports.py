"""What ``from vial import Vial`` loads, and that what it leaves out loads on first use.

Each check runs in a fresh interpreter, since this one has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import typing as t

import pytest

import vial

TESTS = os.path.dirname(__file__)

# Modules a minimal app does not need at import: optional features (templates, the CLI, form
# parsing, uploads, blueprints, the helpers, the header-value parsers) and the standard library
# modules that only those use.
NOT_IMPORTED = [
    "jinja2",
    "click",
    "vial.cli",
    "vial.formparser",
    "vial._multipart",
    "vial._jinja",
    "vial.blueprints",
    "vial.helpers",
    "vial.http",
    "vial._http_date",
    "vial.datastructures.file_storage",
    "vial.datastructures.accept",
    "vial.datastructures.cache_control",
    "vial.datastructures.etags",
    "vial.datastructures.range",
    "vial.sessions",
    "vial.testing",
    "logging",
    "uuid",
    "hashlib",
    "pathlib",
    "html",
    "difflib",
    "pprint",
    "dataclasses",
    "mimetypes",
    "shutil",
    "blinker",
    "inspect",
]


def run_python(code: str) -> dict[str, t.Any]:
    """Run ``code`` in a fresh interpreter and return what it printed, parsed as JSON."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        check=True,
        capture_output=True,
        text=True,
        cwd=TESTS,
    )
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def test_from_vial_import_vial_leaves_heavy_modules_out() -> None:
    result = run_python(
        f"""
        import json, sys
        from vial import Vial
        print(json.dumps({{"loaded": [m for m in {NOT_IMPORTED!r} if m in sys.modules]}}))
        """
    )
    assert result["loaded"] == []


def test_what_was_left_out_loads_and_works_on_first_use() -> None:
    result = run_python(
        """
        import io, json, sys
        from vial import Vial

        app = Vial("lazy")
        app.config.update(TESTING=True, SECRET_KEY="k")

        from vial import Blueprint, redirect, render_template_string, request, url_for

        bp = Blueprint("bp", __name__)

        @bp.get("/item/<uuid:key>")
        def item(key):
            return {"key": str(key), "type": type(key).__name__}

        @bp.get("/page")
        def page():
            return render_template_string("<b>{{ name }}</b>", name="<x>")

        @bp.post("/upload")
        def upload():
            f = request.files["f"]
            return {"name": f.filename, "data": f.read().decode(), "field": request.form["a"]}

        @bp.get("/go")
        def go():
            return redirect(url_for("bp.page"))

        app.register_blueprint(bp)
        client = app.test_client()
        key = "12345678-1234-5678-1234-567812345678"
        checks = {
            "item": client.get(f"/item/{key}").json,
            "page": client.get("/page").get_data(as_text=True),
            "upload": client.post(
                "/upload", data={"a": "1", "f": (io.BytesIO(b"hi"), "hi.txt")}
            ).json,
            "go": client.get("/go").headers["Location"],
        }

        from vial.cli import AppGroup, cli

        checks["cli"] = [isinstance(app.cli, AppGroup), cli.name]
        print(json.dumps({"checks": checks, "modules": sorted(sys.modules)}))
        """
    )
    checks = result["checks"]
    assert checks["item"] == {"key": "12345678-1234-5678-1234-567812345678", "type": "UUID"}
    assert checks["page"] == "<b>&lt;x&gt;</b>"
    assert checks["upload"] == {"name": "hi.txt", "data": "hi", "field": "1"}
    assert checks["go"] == "/page"
    assert checks["cli"] == [True, "vial"]
    loaded = ["jinja2", "click", "vial.cli", "vial.formparser", "vial.blueprints", "vial.helpers"]
    assert [name for name in loaded if name not in result["modules"]] == []


def test_lazy_names_of_the_package() -> None:
    from vial import blueprints, helpers

    assert vial.Blueprint is blueprints.Blueprint
    assert vial.url_for is helpers.url_for
    assert vial.helpers is helpers
    assert {"Blueprint", "url_for", "helpers", "Vial"} <= set(dir(vial))
    assert set(vial.__all__) <= set(dir(vial))
    with pytest.raises(AttributeError, match="no_such_name"):
        vial.no_such_name  # noqa: B018 - the attribute access is the test


def test_submodules_are_attributes_after_a_bare_import() -> None:
    """``import vial`` then ``vial.cli.AppGroup``, as Flask-Smorest writes
    ``flask.cli.AppGroup`` at import time; each submodule loads on first access."""
    result = run_python(
        """
        import json, sys
        import vial

        before = "vial.cli" in sys.modules
        names = {
            "cli": vial.cli.AppGroup.__name__,
            "views": vial.views.MethodView.__name__,
            "sessions": vial.sessions.SessionInterface.__name__,
            "testing": vial.testing.VialClient.__name__,
            "exceptions": vial.exceptions.NotFound.code,
            "routing": vial.routing.Rule.__name__,
            "security": vial.security.safe_join.__name__,
            "middleware": vial.middleware.ProxyFix.__name__,
            "missing": hasattr(vial, "no_such_module"),
            "private": hasattr(vial, "_no_such_module"),
        }
        print(json.dumps({"before": before, "names": names}))
        """
    )
    assert result["before"] is False
    assert result["names"] == {
        "cli": "AppGroup",
        "views": "MethodView",
        "sessions": "SessionInterface",
        "testing": "VialClient",
        "exceptions": 404,
        "routing": "Rule",
        "security": "safe_join",
        "middleware": "ProxyFix",
        "missing": False,
        "private": False,
    }


def test_star_import_includes_the_lazy_names() -> None:
    namespace: dict[str, object] = {}
    exec("from vial import *", namespace)
    assert namespace["Blueprint"] is vial.Blueprint
    assert namespace["redirect"] is vial.redirect
    assert namespace["Vial"] is vial.Vial


def test_signals_load_blinker_on_first_use_and_work() -> None:
    result = run_python(
        """
        import json, sys
        from vial import Vial, request_finished, template_rendered
        import vial.signals

        app = Vial("lazy")

        @app.get("/")
        def index():
            return "hi"

        client = app.test_client()
        client.get("/")
        before = "blinker" in sys.modules
        seen = []

        def on_finished(sender, response, **extra):
            seen.append((sender.name, response.status_code))

        request_finished.connect(on_finished, app)
        client.get("/")
        with template_rendered.connected_to(lambda *a, **k: seen.append("rendered"), app):
            from vial import render_template_string

            with app.test_request_context():
                render_template_string("x")
        request_finished.disconnect(on_finished, app)
        client.get("/")

        import blinker

        print(json.dumps({
            "before": before,
            "after": "blinker" in sys.modules,
            "seen": seen,
            "namespace": vial.signals.Namespace is blinker.Namespace,
            "real": isinstance(request_finished._get_current_object(), blinker.NamedSignal),
            "shared_receivers": request_finished.receivers
            is request_finished._get_current_object().receivers,
        }))
        """
    )
    assert result == {
        "before": False,
        "after": True,
        "seen": [["lazy", 200], "rendered"],
        "namespace": True,
        "real": True,
        "shared_receivers": True,
    }


def test_lazy_signals_offer_every_public_attribute_of_a_blinker_signal() -> None:
    import blinker

    import vial.signals

    real = blinker.NamedSignal("probe")
    public = {name for name in [*dir(real), *vars(real)] if not name.startswith("_")}
    signal = vial.signals.LazySignal("probe-lazy")
    missing = sorted(name for name in public if not hasattr(signal, name))
    assert missing == []
    fired: list[object] = []
    with signal.muted():
        signal.connect(fired.append, weak=False)
        signal.send("muted")
    assert signal.is_muted is False
    signal.send("heard")
    assert fired == ["heard"]
    assert signal.has_receivers_for("x") and list(signal.receivers_for("x"))


def test_names_that_are_not_submodule_names_are_missing_attributes() -> None:
    # hasattr(vial, "a.b") raised ModuleNotFoundError ("No module named 'vial.a'") and
    # hasattr(vial, "") was True (the package imported itself), where Flask answers False.
    assert not hasattr(vial, "a.b")
    assert not hasattr(vial, "json.nope")
    assert not hasattr(vial, "")
    assert not hasattr(vial, "nope")
    with pytest.raises(AttributeError):
        getattr(vial, "json.provider")
