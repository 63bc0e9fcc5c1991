"""Helpers shared by the security tests: endless bodies and bounded time and memory."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from vial import Vial

#: Wall-clock bound for any single attack, generous for a loaded 2-core machine.
TIME_LIMIT = 5.0


class GeneratedBody(io.RawIOBase):
    """A request body made on demand: ``head``, then ``filler`` up to ``size`` bytes.

    Nothing is held in memory beyond one chunk, so a tracemalloc peak measures what
    the framework keeps, not the attack.
    """

    def __init__(self, head: bytes, filler: bytes, size: int) -> None:
        self._head = head
        self._filler = filler
        self._left = size
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._left)
        if want <= 0:
            return 0
        chunk, self._head = self._head[:want], self._head[want:]
        if len(chunk) < want:
            missing = want - len(chunk)
            chunk += (self._filler * (missing // len(self._filler) + 1))[:missing]
        buffer[: len(chunk)] = chunk
        self._left -= len(chunk)
        self.consumed += len(chunk)
        return len(chunk)


@contextlib.contextmanager
def bounded(seconds: float = TIME_LIMIT, megabytes: float = 16.0) -> Iterator[Callable[[], int]]:
    """Assert that the block takes less than ``seconds`` and a memory peak under ``megabytes``."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < megabytes * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"


def send_streamed(
    app: Vial,
    interface: str,
    body: GeneratedBody,
    content_type: str,
    path: str = "/upload",
    content_length: int | None = None,
) -> tuple[int, bytes]:
    """POST ``body`` to ``app`` over ``interface`` without ever holding all of it.

    WSGI goes through the test client with a lazy ``wsgi.input``. The ASGI test client
    buffers the whole body first, so ASGI requests are driven here directly: one
    ``http.request`` message of 64 KiB at a time, made only when the app asks for it.
    """
    if interface == "wsgi":
        overrides = {} if content_length is not None else {"wsgi.input_terminated": True}
        response = app.test_client().post(
            path,
            input_stream=body,
            content_type=content_type,
            content_length=content_length,
            environ_overrides=overrides,
        )
        return response.status_code, response.get_data()
    headers = [(b"content-type", content_type.encode()), (b"host", b"localhost")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    return asyncio.run(asgi_request(app, "POST", path, headers, body))


async def asgi_request(
    app: Vial,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: io.RawIOBase | None = None,
    query_string: bytes = b"",
) -> tuple[int, bytes]:
    """One HTTP request through ``app.asgi`` with a body read lazily from ``body``."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogateescape"),
        "query_string": query_string,
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 12345),
    }
    status = 0
    chunks: list[bytes] = []
    finished = asyncio.Event()

    body_done = False

    async def receive() -> dict[str, Any]:
        nonlocal body_done
        if not body_done and not finished.is_set():
            assert body is not None
            chunk = body.read(64 * 1024) or b""
            if chunk:
                return {"type": "http.request", "body": chunk, "more_body": True}
            body_done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if body is None and not body_done:
            body_done = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                finished.set()

    await app.asgi(scope, receive, send)
    return status, b"".join(chunks)
