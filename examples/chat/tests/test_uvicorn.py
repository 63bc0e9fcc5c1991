"""The chat under uvicorn: real WebSockets (the websockets library) and a real event feed."""

from __future__ import annotations

import http.client
import json
import os
import signal
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

EXAMPLES = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[tuple[int, t.Any]]:
    """``(port, process)`` of uvicorn serving the chat with its lifespan on."""
    from servers import free_port, running_server, uvicorn

    port = free_port()
    # Info level, so the log shows the lifespan shut-down completing.
    argv = uvicorn("chat.main:app.asgi", port, "--lifespan", "on", "--log-level", "info")
    with running_server(argv, port, cwd=str(EXAMPLES)) as process:
        yield port, process


def fetch(port: int, method: str, path: str, body: t.Any = None) -> tuple[int, t.Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


class EventFeed:
    """A real ``text/event-stream`` response, read event by event."""

    def __init__(self, port: int, path: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()

    def next_event(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        while True:
            line = self.response.fp.readline().decode().rstrip("\n")
            if not line:
                if "data" in fields:
                    return fields
                fields = {}
                continue
            if not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value

    def close(self) -> None:
        self.conn.close()


def test_rooms_feed_and_shutdown(server: tuple[int, t.Any]) -> None:
    sync_client = pytest.importorskip(
        "websockets.sync.client", reason="the websockets client is not installed"
    )
    port, process = server
    assert fetch(port, "GET", "/health") == (200, {"status": "ok", "rooms": 0, "listeners": 0})

    feed = EventFeed(port, "/events/lobby")
    assert feed.response.status == 200
    assert feed.response.getheader("Content-Type", "").startswith("text/event-stream")
    url = f"ws://127.0.0.1:{port}/ws"
    try:
        with (
            sync_client.connect(f"{url}/lobby?user=ada", open_timeout=10) as ada,
            sync_client.connect(f"{url}/lobby?user=bob", open_timeout=10) as bob,
            sync_client.connect(f"{url}/kitchen?user=cy", open_timeout=10) as cy,
        ):
            assert fetch(port, "GET", "/health")[1]["listeners"] == 4

            ada.send("hello, lobby")
            for ws in (ada, bob):
                message = json.loads(ws.recv(timeout=10))
                assert (message["user"], message["room"], message["text"]) == (
                    "ada",
                    "lobby",
                    "hello, lobby",
                )
            event = feed.next_event()
            assert event["event"] == "message"
            assert json.loads(event["data"])["text"] == "hello, lobby"

            cy.send("hello, kitchen")
            assert json.loads(cy.recv(timeout=10))["text"] == "hello, kitchen"

            status, posted = fetch(
                port, "POST", "/rooms/lobby/messages", {"user": "curl", "text": "via HTTP"}
            )
            assert status == 201
            assert json.loads(bob.recv(timeout=10))["user"] == "curl"
            assert json.loads(ada.recv(timeout=10))["user"] == "curl"
            event = feed.next_event()
            assert event["id"] == str(posted["id"])
            assert json.loads(event["data"])["text"] == "via HTTP"

            # Nothing from the lobby reached the kitchen.
            with pytest.raises(TimeoutError):
                cy.recv(timeout=0.3)

            bob.send("   ")
            assert "error" in json.loads(bob.recv(timeout=10))
    finally:
        feed.close()

    status, history = fetch(port, "GET", "/rooms/lobby/messages")
    assert [m["text"] for m in history["messages"]] == ["hello, lobby", "via HTTP"]

    # Lifespan shut-down: uvicorn runs after_serving and exits cleanly on SIGTERM.
    stop(process)


def stop(process: t.Any) -> None:
    """SIGTERM, then check uvicorn shut down gracefully with the app's lifespan."""
    os.kill(process.pid, signal.SIGTERM)
    # uvicorn re-raises the signal it handled once it has shut down (-15), older ones exit 0.
    assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    assert "Application startup complete." in output, output
    assert "Application shutdown complete." in output, output
    assert "Traceback" not in output, output


def test_a_socket_open_at_shutdown_is_closed_going_away(server: tuple[int, t.Any]) -> None:
    sync_client = pytest.importorskip(
        "websockets.sync.client", reason="the websockets client is not installed"
    )
    from websockets.exceptions import ConnectionClosed

    port, process = server
    with sync_client.connect(f"ws://127.0.0.1:{port}/ws/lobby", open_timeout=10) as ws:
        os.kill(process.pid, signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    # uvicorn closes open sockets itself (1012, service restart) before the lifespan
    # shut-down; an app that closes first says 1001 (going away).
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code in (1001, 1012)
    stop(process)
