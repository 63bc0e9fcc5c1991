"""The chat in-process: lifespan, health, posting, WebSocket rooms and the event feed."""

from __future__ import annotations

import json
import threading
import time
import typing as t

import pytest

from chat.rooms import Rooms
from vial import Vial
from vial.asgi_testing import WebSocketClosed, WebSocketDenied
from vial.testing import TestResponse, VialClient

from .conftest import serving


def wait_for(condition: t.Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def parse_events(body: str) -> list[dict[str, str]]:
    """The events of a text/event-stream body (comments and retry lines skipped)."""
    events = []
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":")
        )
        if "data" in fields:
            events.append(fields)
    return events


@pytest.fixture(params=["wsgi", "asgi"])
def client(app: Vial, request: pytest.FixtureRequest) -> VialClient:
    return app.test_client(asgi=request.param == "asgi")


# -- lifespan and health -----------------------------------------------------------------------


def test_health_before_and_after_start_up(app: Vial) -> None:
    client = app.test_client(asgi=True)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    with serving(app) as rooms:
        assert isinstance(rooms, Rooms)
        assert client.get("/health").get_json() == {"status": "ok", "rooms": 0, "listeners": 0}
    assert "chat.rooms" not in app.extensions
    assert rooms.closed
    assert client.get("/health").status_code == 503


def test_without_lifespan_the_chat_answers_503(app: Vial) -> None:
    # Under WSGI there is no lifespan (and no WebSocket): the chat is an ASGI app.
    client = app.test_client()
    assert client.get("/rooms/a/messages").status_code == 503
    assert client.post("/rooms/a/messages", json={"text": "hi"}).status_code == 503


# -- posting over HTTP -------------------------------------------------------------------------


def test_post_and_history(client: VialClient, rooms: Rooms) -> None:
    response = client.post("/rooms/lobby/messages", json={"user": "ada", "text": " hello "})
    assert response.status_code == 201
    message = response.get_json()
    assert {k: message[k] for k in ("id", "room", "user", "text")} == {
        "id": 1,
        "room": "lobby",
        "user": "ada",
        "text": "hello",
    }
    client.post("/rooms/other/messages", json={"text": "elsewhere"})
    history = client.get("/rooms/lobby/messages").get_json()
    assert history == {"room": "lobby", "messages": [message]}
    assert client.get("/health").get_json()["rooms"] == 2


def test_history_keeps_the_last_messages(client: VialClient, rooms: Rooms) -> None:
    for n in range(8):
        client.post("/rooms/r/messages", json={"text": f"m{n}"})
    texts = [m["text"] for m in client.get("/rooms/r/messages").get_json()["messages"]]
    assert texts == ["m3", "m4", "m5", "m6", "m7"]  # CHAT_HISTORY = 5


@pytest.mark.parametrize(
    "body", [{"text": ""}, {"text": "   "}, {"text": 3}, {}, {"text": "x" * 51}, ["text"]]
)
def test_post_rejects_bad_messages(client: VialClient, rooms: Rooms, body: t.Any) -> None:
    assert client.post("/rooms/r/messages", json=body).status_code == 422
    assert rooms.history("r") == []


def test_anonymous_and_long_names(client: VialClient, rooms: Rooms) -> None:
    assert client.post("/rooms/r/messages", json={"text": "a"}).get_json()["user"] == "anonymous"
    named = client.post("/rooms/r/messages", json={"text": "a", "user": "n" * 99}).get_json()
    assert named["user"] == "n" * 40


# -- WebSockets --------------------------------------------------------------------------------


def test_websocket_broadcasts_to_the_room_only(app: Vial, rooms: Rooms) -> None:
    client = app.test_client(asgi=True)
    with (
        client.websocket("/ws/lobby?user=ada") as ada,
        client.websocket("/ws/lobby?user=bob") as bob,
        client.websocket("/ws/kitchen?user=cy") as cy,
    ):
        wait_for(lambda: rooms.listeners() == 3)
        ada.send_text("hello, lobby")
        for ws in (ada, bob):
            message = ws.receive_json()
            assert (message["user"], message["room"], message["text"]) == (
                "ada",
                "lobby",
                "hello, lobby",
            )
        cy.send_text("hello, kitchen")
        assert cy.receive_json()["text"] == "hello, kitchen"
        bob.send_text("hi ada")
        assert ada.receive_json()["text"] == "hi ada"
        assert bob.receive_json()["text"] == "hi ada"
        # Posting over HTTP reaches the sockets too.
        client.post("/rooms/kitchen/messages", json={"user": "http", "text": "from HTTP"})
        assert cy.receive_json()["user"] == "http"
    wait_for(lambda: rooms.listeners() == 0)
    assert [m["text"] for m in rooms.history("lobby")] == ["hello, lobby", "hi ada"]
    assert [m["text"] for m in rooms.history("kitchen")] == ["hello, kitchen", "from HTTP"]


def test_websocket_refuses_bad_messages_to_the_sender_only(app: Vial, rooms: Rooms) -> None:
    client = app.test_client(asgi=True)
    with client.websocket("/ws/r") as ws, client.websocket("/ws/r") as other:
        wait_for(lambda: rooms.listeners("r") == 2)
        ws.send_text("  ")
        assert "error" in ws.receive_json()
        ws.send_text("x" * 51)
        assert "error" in ws.receive_json()
        ws.send_bytes(b"binary")
        assert "error" in ws.receive_json()
        ws.send_text("fine")
        assert ws.receive_json()["text"] == "fine"
        assert other.receive_json()["text"] == "fine"  # the errors never reached it
    assert [m["user"] for m in rooms.history("r")] == ["anonymous"]


def test_shutdown_closes_websockets_with_going_away(app: Vial) -> None:
    client = app.test_client(asgi=True)
    with serving(app) as rooms, client.websocket("/ws/r") as ws:
        wait_for(lambda: rooms.listeners() == 1)
        rooms.close()
        with pytest.raises(WebSocketClosed) as closed:
            ws.receive()
        assert closed.value.code == 1001  # going away


def test_websocket_without_lifespan_is_refused(app: Vial) -> None:
    with pytest.raises(WebSocketDenied), app.test_client(asgi=True).websocket("/ws/r"):
        pass


# -- server-sent events ------------------------------------------------------------------------


def _read_feed(
    client: VialClient, path: str, headers: dict[str, str] | None = None
) -> tuple[threading.Thread, list[TestResponse]]:
    """GET an event feed in a thread; its response arrives when the feed ends."""
    responses: list[TestResponse] = []
    thread = threading.Thread(
        target=lambda: responses.append(client.get(path, headers=headers or {})), daemon=True
    )
    thread.start()
    return thread, responses


def test_event_feed_streams_the_room_until_shutdown(app: Vial) -> None:
    client = app.test_client(asgi=True)
    with serving(app) as rooms:
        rooms.publish("r", "early", "before the feed opened")
        thread, responses = _read_feed(client, "/events/r")
        wait_for(lambda: rooms.listeners("r") == 1)
        client.post("/rooms/r/messages", json={"user": "ada", "text": "one"})
        client.post("/rooms/elsewhere/messages", json={"user": "ada", "text": "not here"})
        with client.websocket("/ws/r?user=bob") as ws:
            ws.send_text("two\nlines")
            ws.receive_json()
        # Shutting down ends every feed, so the in-process request returns.
    thread.join(5)
    (response,) = responses
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert body.startswith("retry: 2000\n\n")
    events = parse_events(body)
    assert [e["event"] for e in events] == ["message", "message"]
    assert [json.loads(e["data"])["text"] for e in events] == ["one", "two\nlines"]
    assert [e["id"] for e in events] == [str(json.loads(e["data"])["id"]) for e in events]


def test_event_feed_replays_after_last_event_id(app: Vial) -> None:
    client = app.test_client(asgi=True)
    with serving(app) as rooms:
        first = rooms.publish("r", "a", "first")
        rooms.publish("r", "a", "second")
        rooms.publish("r", "a", "third")
        thread, responses = _read_feed(client, "/events/r", {"Last-Event-ID": str(first["id"])})
        wait_for(lambda: rooms.listeners("r") == 1)
        rooms.publish("r", "a", "live")
    thread.join(5)
    events = parse_events(responses[0].get_data(as_text=True))
    assert [json.loads(e["data"])["text"] for e in events] == ["second", "third", "live"]


def test_idle_feed_sends_keep_alive_comments() -> None:
    from chat import create_app

    app = create_app({"TESTING": True, "CHAT_KEEP_ALIVE": 0.05})
    client = app.test_client(asgi=True)
    with serving(app) as rooms:
        thread, responses = _read_feed(client, "/events/quiet")
        wait_for(lambda: rooms.listeners() == 1)
        time.sleep(0.3)
    thread.join(5)
    assert ": keep-alive\n\n" in responses[0].get_data(as_text=True)


# -- the registry ------------------------------------------------------------------------------


def test_a_listener_that_falls_behind_is_dropped() -> None:
    import asyncio

    async def main() -> None:
        rooms = Rooms(max_queue=3)
        slow = rooms.subscribe("r")
        for n in range(5):
            rooms.publish("r", "u", str(n))
        received = [m["text"] async for m in slow]
        assert received == ["0", "1", "2"]
        assert slow.dropped
        slow.close()
        assert rooms.listeners() == 0

    asyncio.run(main())
