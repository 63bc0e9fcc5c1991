"""The benchmark endpoints in Starlette: a ``Route`` table and async endpoint functions."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

templates = Jinja2Templates(directory=TEMPLATE_DIR)


async def plaintext(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


async def other(request: Request) -> Response:
    return JSONResponse({"id": request.path_params["id"]})


async def user_post(request: Request) -> Response:
    params = request.path_params
    return JSONResponse({"user_id": params["user_id"], "slug": params["slug"]})


async def echo(request: Request) -> Response:
    return JSONResponse({"tag": request.query_params["tag"], "data": await request.json()})


async def fortunes(request: Request) -> Response:
    return templates.TemplateResponse(request, "fortunes.html", {"fortunes": fortune_rows()})


routes = [
    Route("/plaintext", plaintext),
    Route("/json", json),
    *(Route(f"/r{i}/{{id:int}}/x{i}", other) for i in range(EXTRA_RULES)),
    Route("/users/{user_id:int}/posts/{slug}", user_post),
    Route("/echo", echo, methods=["POST"]),
    Route("/fortunes", fortunes),
]
app = Starlette(routes=routes)
