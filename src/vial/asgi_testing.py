"""Driving an app's ASGI interface in-process, for the test client (``asgi=True``)."""

from __future__ import annotations

import typing as t

from . import _async
from .datastructures import Headers
from .statuses import HTTP_STATUS_CODES

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import Message, Scope, WSGIEnvironment

#: Request bodies are delivered in messages of this size, to exercise streaming.
BODY_MESSAGE_SIZE = 64 * 1024
_TEST_ONLY_KEYS = ("werkzeug.debug.preserve_context",)


def scope_from_environ(environ: WSGIEnvironment) -> Scope:
    """The ASGI HTTP scope for a request described by a WSGI environ."""

    def text(key: str, default: str = "") -> str:
        return str(environ.get(key, default)).encode("latin-1").decode("utf-8", "surrogateescape")

    headers: list[tuple[bytes, bytes]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        headers.append((name.encode("latin-1"), str(value).encode("latin-1")))
    root_path = text("SCRIPT_NAME")
    path = text("PATH_INFO", "/")
    raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    raw_path = raw_uri.partition("?")[0].encode("latin-1") if raw_uri else None
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": environ.get("REQUEST_METHOD", "GET"),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "path": root_path + path,
        "raw_path": raw_path,
        "root_path": root_path,
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "headers": headers,
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            int(environ.get("SERVER_PORT", 80) or 80),
        ),
        "client": (environ.get("REMOTE_ADDR", "127.0.0.1"), 50000),
        "extensions": {},
    }
    extra = {key: environ[key] for key in _TEST_ONLY_KEYS if key in environ}
    if extra:
        scope["vial.environ"] = extra
    return scope


def run_asgi_app(
    app: Vial, environ: WSGIEnvironment, buffered: bool = False
) -> tuple[list[bytes], str, Headers]:
    """Send one request through ``app.asgi``; returns ``(body_chunks, status, headers)``."""
    scope = scope_from_environ(environ)
    stream = environ["wsgi.input"]
    length = str(environ.get("CONTENT_LENGTH") or "")
    # An invalid Content-Length is sent as it is: answering it is the app's job.
    valid = length.isascii() and length.isdigit()
    body = stream.read(int(length)) if valid else stream.read()
    messages: list[Message] = []
    offset = 0
    while True:
        chunk = body[offset : offset + BODY_MESSAGE_SIZE]
        offset += len(chunk)
        messages.append({"type": "http.request", "body": chunk, "more_body": offset < len(body)})
        if offset >= len(body):
            break
    sent: list[Message] = []

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        # After the body, the client stays connected until the response is complete.
        while not any(m["type"] == "http.response.body" and not m.get("more_body") for m in sent):
            import asyncio

            await asyncio.sleep(0.001)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    _async.run_coroutine_sync(app.asgi(scope, receive, send))
    start = next((m for m in sent if m["type"] == "http.response.start"), None)
    if start is None:
        raise RuntimeError("The ASGI app finished without starting a response.")
    code = int(start["status"])
    status = f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"
    headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]])
    chunks: list[bytes] = []
    for message in sent:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        elif message["type"] == "http.response.pathsend":
            with open(message["path"], "rb") as file:
                chunks.append(file.read())
    return chunks, status, headers
