"""The benchmark endpoints in Falcon's ASGI flavour (``falcon.asgi.App``, async responders)."""

from __future__ import annotations

import falcon
import falcon.asgi
import jinja2

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

_TEMPLATE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True
).get_template("fortunes.html")


class Plaintext:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class Json:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"message": "Hello, World!"}


class Other:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response, id: int) -> None:
        resp.media = {"id": id}


class UserPost:
    async def on_get(
        self, req: falcon.asgi.Request, resp: falcon.asgi.Response, user_id: int, slug: str
    ) -> None:
        resp.media = {"user_id": user_id, "slug": slug}


class Echo:
    async def on_post(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.media = {"tag": req.get_param("tag", required=True), "data": await req.get_media()}


class Fortunes:
    async def on_get(self, req: falcon.asgi.Request, resp: falcon.asgi.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = _TEMPLATE.render(fortunes=fortune_rows())


app = falcon.asgi.App()
app.add_route("/plaintext", Plaintext())
app.add_route("/json", Json())
_other = Other()
for _i in range(EXTRA_RULES):
    app.add_route(f"/r{_i}/{{id:int}}/x{_i}", _other)
app.add_route("/users/{user_id:int}/posts/{slug}", UserPost())
app.add_route("/echo", Echo())
app.add_route("/fortunes", Fortunes())
