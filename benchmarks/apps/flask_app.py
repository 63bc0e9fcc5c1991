"""The benchmark endpoints in Flask: the reference that vial_app.py must match line for line.

vial_app.py is this file with ``flask`` renamed ``vial`` and ``Flask`` renamed ``Vial``; the smoke
test checks that, so the comparison stays one of frameworks, not of app code.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

app = Flask(__name__, template_folder=TEMPLATE_DIR)


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
