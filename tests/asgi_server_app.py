"""The app the real ASGI server tests start under uvicorn (and granian).

``VIAL_TEST_DIR`` names a folder where the app leaves marker files, so a test can see
what happened on the server side (a generator's ``finally`` ran, a chunk was sent).
"""

from __future__ import annotations

import asyncio
import os
import time
import typing as t

from vial import Vial, request, session, websocket
from vial.sse import ServerSentEvent, event_stream

app = Vial(__name__)
app.config.update(
    SECRET_KEY="real server key", MAX_CONTENT_LENGTH=1024 * 1024, ASGI_BODY_TIMEOUT=2.0
)

#: For servers that cannot address a nested attribute.
asgi_app = app.asgi


def _marker(name: str) -> str:
    return os.path.join(os.environ.get("VIAL_TEST_DIR", "."), name)


def _write_marker(name: str, text: str = "") -> None:
    # Written aside and renamed into place: a test that polls for the file must never
    # find it created but still empty.
    path = _marker(name)
    with open(path + ".tmp", "w") as file:
        file.write(text)
    os.replace(path + ".tmp", path)


def _wait_for_marker(name: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(_marker(name)):
            return True
        time.sleep(0.01)
    return False


@app.get("/plaintext")
def plaintext() -> t.Any:
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.post("/aecho")
async def async_echo() -> t.Any:
    await asyncio.sleep(0)
    return {"data": request.get_json(), "root": request.root_path}


@app.post("/sync-body")
def sync_body() -> t.Any:
    return {"size": len(request.get_data())}


@app.post("/upload")
def upload() -> t.Any:
    file = request.files["file"]
    return {"name": file.filename, "size": len(file.read()), "field": request.form["field"]}


@app.get("/login/<user>")
def login(user: str) -> str:
    session["user"] = user
    return "ok"


@app.get("/stream/<token>")
def stream(token: str) -> t.Any:
    """The second chunk waits until the client says it has the first."""

    def generate() -> t.Iterator[bytes]:
        yield b"first\n"
        got_it = _wait_for_marker(f"{token}.got-first")
        yield b"second\n" if got_it else b"timeout\n"

    return generate()


@app.get("/forever/<kind>/<token>")
def forever(kind: str, token: str) -> t.Any:
    """Streams until the client goes away, then records that the generator was closed."""

    def generate() -> t.Iterator[bytes]:
        try:
            for i in range(100_000):
                time.sleep(0.02)
                yield f"tick {i}\n".encode()
        finally:
            _write_marker(f"{token}.closed", "sync")

    async def agenerate() -> t.AsyncIterator[bytes]:
        try:
            for i in range(100_000):
                await asyncio.sleep(0.02)
                yield f"tick {i}\n".encode()
        finally:
            _write_marker(f"{token}.closed", "async")

    return generate() if kind == "sync" else agenerate()


@app.get("/sse")
async def sse() -> t.Any:
    async def generate() -> t.AsyncIterator[ServerSentEvent]:
        for i in range(3):
            await asyncio.sleep(0.05)
            yield ServerSentEvent(f"tick {i}", event="tick", id=str(i))

    return event_stream(generate(), keep_alive=0.02, retry=1000)


@app.websocket("/ws/<room>")
async def chat(room: str) -> None:
    try:
        subprotocol = "chat" if "chat" in websocket.requested_subprotocols else None
        await websocket.accept(subprotocol=subprotocol)
        await websocket.send_json({"room": room, "user": session.get("user")})
        async for message in websocket:
            if message == "close":
                await websocket.close(4000, "bye")
                return
            if isinstance(message, bytes):
                await websocket.send(message[::-1])
            else:
                await websocket.send(f"{room}: {message}")
    finally:
        _write_marker(f"ws-{room}.closed")
