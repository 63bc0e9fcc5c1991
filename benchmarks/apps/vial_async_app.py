"""The benchmark endpoints in vial for ASGI: the same Flask-API code with ``async def`` views.

Async views are what an ASGI app is written with (Starlette's, FastAPI's, Quart's and
Falcon ASGI's endpoints here are all ``async def``), and they are valid Flask code too.
Under ASGI vial runs them on the event loop; sync views (``vial_app.py``) run in the
worker thread pool, as the ``vial-sync-asgi`` entry measures.
"""

from __future__ import annotations

from typing import Any

from vial import Vial, render_template, request

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

app = Vial(__name__, template_folder=TEMPLATE_DIR)


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
    return {"tag": request.args["tag"], "data": request.get_json()}


@app.route("/fortunes")
async def fortunes() -> str:
    return render_template("fortunes.html", fortunes=fortune_rows())


asgi_app = app.asgi
