"""A hand-written WSGI callable serving the benchmark endpoints: the floor for WSGI frameworks.

No framework, no request object: it dispatches on ``PATH_INFO`` with a dict for the static paths and
string splitting for the 101 parametrised ones, and encodes JSON with the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import jinja2

from ._data import EXTRA_RULES, TEMPLATE_DIR, fortune_rows

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

_TEMPLATE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True
).get_template("fortunes.html")

_HTML = "text/html; charset=utf-8"
_JSON = "application/json"
_OTHER_PREFIXES = frozenset(f"r{i}" for i in range(EXTRA_RULES))


def _send(start_response: StartResponse, content_type: str, body: bytes) -> list[bytes]:
    start_response(
        "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    )
    return [body]


def _not_found(start_response: StartResponse) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"Not Found"]


def _plaintext(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _send(start_response, "text/plain", b"Hello, World!")


def _json(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _send(start_response, _JSON, json.dumps({"message": "Hello, World!"}).encode())


def _echo(environ: Environ, start_response: StartResponse) -> list[bytes]:
    if environ["REQUEST_METHOD"] != "POST":
        start_response("405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")])
        return []
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = json.loads(environ["wsgi.input"].read(length))
    tag = parse_qs(environ.get("QUERY_STRING", ""))["tag"][0]
    return _send(start_response, _JSON, json.dumps({"tag": tag, "data": data}).encode())


def _fortunes(environ: Environ, start_response: StartResponse) -> list[bytes]:
    return _send(start_response, _HTML, _TEMPLATE.render(fortunes=fortune_rows()).encode())


_STATIC = {"/plaintext": _plaintext, "/json": _json, "/echo": _echo, "/fortunes": _fortunes}


def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    view = _STATIC.get(path)
    if view is not None:
        return view(environ, start_response)
    parts = path.split("/")
    # /users/<int>/posts/<slug>
    if len(parts) == 5 and parts[1] == "users" and parts[3] == "posts":
        if parts[2].isdigit() and parts[4]:
            body = json.dumps({"user_id": int(parts[2]), "slug": parts[4]}).encode()
            return _send(start_response, _JSON, body)
    # /r<i>/<int>/x<i>
    elif (
        len(parts) == 4
        and parts[1] in _OTHER_PREFIXES
        and parts[3] == "x" + parts[1][1:]
        and parts[2].isdigit()
    ):
        return _send(start_response, _JSON, json.dumps({"id": int(parts[2])}).encode())
    return _not_found(start_response)
