"""A hand-written ASGI callable serving the benchmark endpoints: the floor for ASGI frameworks.

The same dispatch as bare_wsgi.py, speaking ASGI 3; it answers lifespan events so servers and the
harness can start it like any other app.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import jinja2

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_TEMPLATE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True
).get_template("fortunes.html")

_JSON = b"application/json"
_OTHER_PREFIXES = frozenset(f"r{i}" for i in range(EXTRA_RULES))


async def _send(send: Send, content_type: bytes, body: bytes, status: int = 200) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    path = scope["path"]
    if path == "/plaintext":
        await _send(send, b"text/plain", b"Hello, World!")
    elif path == "/json":
        await _send(send, _JSON, json.dumps({"message": "Hello, World!"}).encode())
    elif path == "/echo" and scope["method"] == "POST":
        data = json.loads(await _read_body(receive))
        tag = parse_qs(scope["query_string"].decode("latin-1"))["tag"][0]
        await _send(send, _JSON, json.dumps({"tag": tag, "data": data}).encode())
    elif path == "/fortunes":
        body = _TEMPLATE.render(fortunes=fortune_rows()).encode()
        await _send(send, b"text/html; charset=utf-8", body)
    else:
        parts = path.split("/")
        if (
            len(parts) == 5
            and parts[1] == "users"
            and parts[3] == "posts"
            and parts[2].isdigit()
            and parts[4]
        ):
            body = json.dumps({"user_id": int(parts[2]), "slug": parts[4]}).encode()
            await _send(send, _JSON, body)
        elif (
            len(parts) == 4
            and parts[1] in _OTHER_PREFIXES
            and parts[3] == "x" + parts[1][1:]
            and parts[2].isdigit()
        ):
            await _send(send, _JSON, json.dumps({"id": int(parts[2])}).encode())
        else:
            await _send(send, b"text/plain", b"Not Found", status=404)
