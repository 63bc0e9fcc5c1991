"""The app the real-server tests start under gunicorn and uvicorn."""

from __future__ import annotations

import asyncio
import time

from vial import Vial, request, stream_with_context

app = Vial(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024


@app.get("/plaintext")
def plaintext():  # type: ignore[no-untyped-def]
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/json")
def json_view():  # type: ignore[no-untyped-def]
    return {"message": "Hello, World!"}


@app.post("/echo")
def echo():  # type: ignore[no-untyped-def]
    return {"tag": request.args.get("tag"), "data": request.get_json()}


@app.post("/aecho")
async def async_echo():  # type: ignore[no-untyped-def]
    await asyncio.sleep(0)
    return {"data": request.get_json(), "length": request.content_length}


@app.post("/form")
def form():  # type: ignore[no-untyped-def]
    upload = request.files.get("upload")
    return {
        "fields": request.form.to_dict(),
        "upload": None if upload is None else [upload.filename, len(upload.read())],
    }


@app.get("/stream")
def stream():  # type: ignore[no-untyped-def]
    def generate():  # type: ignore[no-untyped-def]
        for i in range(3):
            yield f"chunk {i}\n"
            time.sleep(0.2)

    return stream_with_context(generate())


@app.get("/path/<path:rest>")
def path_echo(rest: str):  # type: ignore[no-untyped-def]
    return {"rest": rest, "root": request.root_path, "url": request.url}
