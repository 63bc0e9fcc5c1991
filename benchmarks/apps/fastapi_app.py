"""The benchmark endpoints in FastAPI: typed path, query and body parameters, async endpoints.

Returned dicts go through FastAPI's own JSON encoding (the common way to write it); the body of
``/echo`` is declared as a dict so FastAPI validates it as JSON without a model class.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

templates = Jinja2Templates(directory=TEMPLATE_DIR)
app = FastAPI()


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> str:
    return "Hello, World!"


@app.get("/json")
async def json() -> dict[str, Any]:
    return {"message": "Hello, World!"}


async def other(id: int) -> dict[str, Any]:
    return {"id": id}


for _i in range(EXTRA_RULES):
    app.add_api_route(f"/r{_i}/{{id}}/x{_i}", other, methods=["GET"])


@app.get("/users/{user_id}/posts/{slug}")
async def user_post(user_id: int, slug: str) -> dict[str, Any]:
    return {"user_id": user_id, "slug": slug}


@app.post("/echo")
async def echo(tag: str, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return {"tag": tag, "data": data}


@app.get("/fortunes", response_class=HTMLResponse)
async def fortunes(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "fortunes.html", {"fortunes": fortune_rows()})
