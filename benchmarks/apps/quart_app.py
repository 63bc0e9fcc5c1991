"""The benchmark endpoints in Quart: Flask's API made async, the natural ASGI peer for vial."""

from __future__ import annotations

from typing import Any

from quart import Quart, render_template, request

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

app = Quart(__name__, template_folder=TEMPLATE_DIR)


@app.route("/plaintext")
async def plaintext() -> tuple[str, int, dict[str, str]]:
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.route("/json")
async def json() -> dict[str, Any]:
    return {"message": "Hello, World!"}


async def _other_rule(id: int) -> dict[str, Any]:
    return {"id": id}


for _i in range(EXTRA_RULES):
    app.add_url_rule(f"/r{_i}/<int:id>/x{_i}", f"other_{_i}", _other_rule)


@app.route("/users/<int:user_id>/posts/<slug>")
async def user_post(user_id: int, slug: str) -> dict[str, Any]:
    return {"user_id": user_id, "slug": slug}


@app.route("/echo", methods=["POST"])
async def echo() -> dict[str, Any]:
    return {"tag": request.args["tag"], "data": await request.get_json()}


@app.route("/fortunes")
async def fortunes() -> str:
    return await render_template("fortunes.html", fortunes=fortune_rows())
