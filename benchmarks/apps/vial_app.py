"""The benchmark endpoints in vial, written with Flask's API only.

Apart from this docstring and the ``asgi_app`` line at the end, this file is flask_app.py with
``flask`` renamed ``vial`` and ``Flask`` renamed ``Vial``; the smoke test checks that, so the
comparison is one of frameworks, not of app code.
"""

from __future__ import annotations

from typing import Any

from vial import Vial, render_template, request

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

app = Vial(__name__, template_folder=TEMPLATE_DIR)


@app.route("/plaintext")
def plaintext() -> tuple[str, int, dict[str, str]]:
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.route("/json")
def json() -> dict[str, Any]:
    return {"message": "Hello, World!"}


def _other_rule(id: int) -> dict[str, Any]:
    return {"id": id}


# Registered before the users rule so that its match has a realistic table to get through.
for _i in range(EXTRA_RULES):
    app.add_url_rule(f"/r{_i}/<int:id>/x{_i}", f"other_{_i}", _other_rule)


@app.route("/users/<int:user_id>/posts/<slug>")
def user_post(user_id: int, slug: str) -> dict[str, Any]:
    return {"user_id": user_id, "slug": slug}


@app.route("/echo", methods=["POST"])
def echo() -> dict[str, Any]:
    return {"tag": request.args["tag"], "data": request.get_json()}


@app.route("/fortunes")
def fortunes() -> str:
    return render_template("fortunes.html", fortunes=fortune_rows())


# The ASGI side of the same app object (vial's addition to Flask's API).
asgi_app = app.asgi
