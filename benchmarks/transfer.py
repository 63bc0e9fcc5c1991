"""``--transfer``: a 100 MB multipart upload and a 100 MB send_file download, per framework.

Each measurement runs in its own subprocess (``python -m benchmarks.transfer --child KEY KIND``)
so that the peak resident size belongs to that framework alone. The request body is produced
lazily, 64 KiB at a time, and the response body is read and dropped chunk by chunk, so the
harness itself holds no more than a chunk: whatever the peak grows by is the framework's. No
``wsgi.file_wrapper`` is offered, so the download goes through each framework's own streaming.
Every answer is checked (the upload's byte count, the download's length).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE = 100 * 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "vialTransferBoundary"
FRAMEWORKS = ("vial-wsgi", "flask-wsgi", "vial-asgi", "starlette-asgi")


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("VmRSS not in /proc/self/status")


def _peak_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class MultipartBody:
    """A 100 MB multipart body made on demand: ``read(n)`` for WSGI, ``chunks()`` for ASGI."""

    def __init__(self, size: int) -> None:
        head = (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.head, self.tail, self.size = head, tail, size
        self.length = len(head) + size + len(tail)
        self.block = bytes(range(256)) * (CHUNK // 256)
        self.position = 0

    def _produce(self, n: int) -> bytes:
        out = bytearray()
        while n > 0 and self.position < self.length:
            pos = self.position
            if pos < len(self.head):
                piece = self.head[pos : pos + n]
            elif pos < len(self.head) + self.size:
                offset = pos - len(self.head)
                take = min(n, self.size - offset, CHUNK - offset % CHUNK)
                start = offset % CHUNK
                piece = self.block[start : start + take]
            else:
                offset = pos - len(self.head) - self.size
                piece = self.tail[offset : offset + n]
            out += piece
            self.position += len(piece)
            n -= len(piece)
        return bytes(out)

    def read(self, n: int = -1) -> bytes:
        return self._produce(self.length if n is None or n < 0 else n)

    def readline(self, limit: int = -1) -> bytes:  # some parsers ask for lines
        return self.read(CHUNK if limit is None or limit < 0 else limit)


def _build(key: str, big_file: str) -> Any:
    name = key.split("-")[0]
    if name in ("vial", "flask"):
        if name == "vial":
            from vial import Vial as App
            from vial import request, send_file
        else:
            from flask import Flask as App  # type: ignore[no-redef]
            from flask import request, send_file
        app = App(__name__)

        @app.post("/upload")
        def upload() -> dict[str, int]:
            stream = request.files["file"].stream
            total = 0
            while chunk := stream.read(CHUNK):
                total += len(chunk)
            return {"size": total}

        @app.get("/download")
        def download() -> Any:
            return send_file(big_file, mimetype="application/octet-stream")

        return app.asgi if key == "vial-asgi" else app
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Route

    async def s_upload(request: Request) -> JSONResponse:
        form = await request.form(max_part_size=SIZE * 2)
        upload = form["file"]
        total = 0
        while chunk := await upload.read(CHUNK):  # type: ignore[union-attr]
            total += len(chunk)
        await form.close()
        return JSONResponse({"size": total})

    async def s_download(request: Request) -> FileResponse:
        return FileResponse(big_file, media_type="application/octet-stream")

    return Starlette(routes=[Route("/upload", s_upload, methods=["POST"]), Route("/download", s_download)])


def _run_wsgi(app: Any, kind: str) -> tuple[int, bytes | int]:
    body = MultipartBody(SIZE)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST" if kind == "upload" else "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": f"/{kind}",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if kind == "upload":
        environ["CONTENT_TYPE"] = f"multipart/form-data; boundary={BOUNDARY}"
        environ["CONTENT_LENGTH"] = str(body.length)
    status: list[str] = []
    iterable = app(environ, lambda s, h, e=None: status.append(s))
    received = 0
    kept = b""
    try:
        for chunk in iterable:
            received += len(chunk)
            if kind == "upload":
                kept += chunk
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return int(status[0][:3]), kept if kind == "upload" else received


def _run_asgi(app: Any, kind: str) -> tuple[int, bytes | int]:
    body = MultipartBody(SIZE)
    headers = [(b"host", b"127.0.0.1:8000")]
    if kind == "upload":
        headers += [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"content-length", str(body.length).encode()),
        ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST" if kind == "upload" else "GET",
        "scheme": "http",
        "path": f"/{kind}",
        "raw_path": f"/{kind}".encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "extensions": {},
    }
    state = {"status": 0, "received": 0, "kept": b"", "done": False}

    async def receive() -> dict[str, Any]:
        if kind == "upload" and body.position < body.length:
            chunk = body.read(CHUNK)
            return {"type": "http.request", "body": chunk, "more_body": body.position < body.length}
        if kind != "upload" and not state["done"] and body.position == 0:
            body.position = body.length
            return {"type": "http.request", "body": b"", "more_body": False}
        while not state["done"]:
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            state["status"] = message["status"]
        elif message["type"] == "http.response.body":
            chunk = message.get("body", b"")
            state["received"] += len(chunk)
            if kind == "upload":
                state["kept"] += chunk
            if not message.get("more_body"):
                state["done"] = True

    asyncio.run(app(scope, receive, send))
    return int(state["status"]), state["kept"] if kind == "upload" else int(state["received"])


def child(key: str, kind: str, big_file: str) -> int:
    """Measure one framework and one transfer; print one JSON line."""
    app = _build(key, big_file)
    idle = _rss_kib()
    peak_before = _peak_kib()
    started = time.perf_counter()
    runner = _run_asgi if key.endswith("asgi") else _run_wsgi
    status, result = runner(app, kind)
    seconds = time.perf_counter() - started
    peak = _peak_kib()
    if kind == "upload":
        ok = status == 200 and json.loads(result) == {"size": SIZE}  # type: ignore[arg-type]
    else:
        ok = status == 200 and result == SIZE
    print(
        json.dumps(
            {
                "key": key,
                "kind": kind,
                "ok": ok,
                "seconds": round(seconds, 3),
                "idle_mib": round(idle / 1024, 1),
                "peak_growth_mib": round(max(peak - max(idle, peak_before), 0) / 1024, 1),
            }
        )
    )
    return 0 if ok else 1


def run(keys: Sequence[str] = FRAMEWORKS) -> str:
    """Measure every framework on both transfers; return a Markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        big_file = os.path.join(folder, "big.bin")
        block = bytes(range(256)) * (CHUNK // 256)
        with open(big_file, "wb") as f:
            for _ in range(SIZE // CHUNK):
                f.write(block)
        rows = ["| framework | transfer | seconds | peak RSS growth (MiB) | idle RSS (MiB) | checked |", "|---|---|---:|---:|---:|---|"]
        for key in keys:
            for kind in ("upload", "download"):
                print(f"  transfer: {key} {kind} ...", file=sys.stderr, flush=True)
                proc = subprocess.run(
                    [sys.executable, "-m", "benchmarks.transfer", "--child", key, kind, big_file],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
                try:
                    data = json.loads(line)
                except ValueError:
                    rows.append(f"| {key} | {kind} | FAILED | | | {proc.stderr.strip()[-200:]!r} |")
                    continue
                rows.append(
                    f"| {key} | {kind} | {data['seconds']} | {data['peak_growth_mib']} | {data['idle_mib']} | {'ok' if data['ok'] else 'WRONG ANSWER'} |"
                )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--child"]:
        return child(args[1], args[2], args[3])
    keys = args[0].split(",") if args else FRAMEWORKS
    print("## 100 MB upload (multipart) and download (send_file), in process\n")
    print(run(keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
