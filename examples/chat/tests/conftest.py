"""Fixtures for the chat's tests: the app with its lifespan running, as under a server."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import typing as t
from collections.abc import Iterator

import pytest

from chat import create_app
from chat.rooms import Rooms
from vial import Vial


@contextlib.contextmanager
def serving(app: Vial) -> Iterator[Rooms]:
    """Run the app's ASGI lifespan on a background event loop, as a server would.

    Start-up runs on entry, shut-down on exit; yields the rooms the start-up made.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="lifespan", daemon=True)
    thread.start()
    to_app: asyncio.Queue[dict[str, t.Any]] | None = None
    sent: list[str] = []
    started = threading.Event()
    stopped = threading.Event()

    async def conversation() -> None:
        nonlocal to_app
        to_app = asyncio.Queue()
        await to_app.put({"type": "lifespan.startup"})

        async def receive() -> dict[str, t.Any]:
            assert to_app is not None
            return await to_app.get()

        async def send(message: dict[str, t.Any]) -> None:
            sent.append(message["type"])
            if message["type"].startswith("lifespan.startup"):
                started.set()
            if message["type"].startswith("lifespan.shutdown"):
                stopped.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        await app.asgi(scope, receive, send)

    running = asyncio.run_coroutine_threadsafe(conversation(), loop)
    try:
        assert started.wait(5), "lifespan start-up did not finish"
        assert sent == ["lifespan.startup.complete"], sent
        yield app.extensions["chat.rooms"]
        assert to_app is not None
        loop.call_soon_threadsafe(to_app.put_nowait, {"type": "lifespan.shutdown"})
        assert stopped.wait(5), "lifespan shut-down did not finish"
        assert sent[-1] == "lifespan.shutdown.complete", sent
        running.result(5)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


@pytest.fixture
def app() -> Vial:
    return create_app({"TESTING": True, "CHAT_HISTORY": 5, "CHAT_MAX_MESSAGE": 50})


@pytest.fixture
def rooms(app: Vial) -> Iterator[Rooms]:
    """The app's rooms, with the lifespan started (and shut down afterwards)."""
    with serving(app) as rooms:
        yield rooms
