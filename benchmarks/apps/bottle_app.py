"""The benchmark endpoints in Bottle (WSGI): an explicit ``Bottle()`` app, dicts returned as JSON."""

from __future__ import annotations

from typing import Any

import bottle
import jinja2

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

_TEMPLATE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True
).get_template("fortunes.html")

app = bottle.Bottle()


@app.get("/plaintext")
def plaintext() -> str:
    bottle.response.content_type = "text/plain"
    return "Hello, World!"


@app.get("/json")
def json() -> dict[str, Any]:
    return {"message": "Hello, World!"}


def _other_rule(id: int) -> dict[str, Any]:
    return {"id": id}


for _i in range(EXTRA_RULES):
    app.route(f"/r{_i}/<id:int>/x{_i}", callback=_other_rule)


@app.get("/users/<user_id:int>/posts/<slug>")
def user_post(user_id: int, slug: str) -> dict[str, Any]:
    return {"user_id": user_id, "slug": slug}


@app.post("/echo")
def echo() -> dict[str, Any]:
    return {"tag": bottle.request.query["tag"], "data": bottle.request.json}


@app.get("/fortunes")
def fortunes() -> str:
    return _TEMPLATE.render(fortunes=fortune_rows())
