"""The chat's HTTP, WebSocket and server-sent-events endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import json
import typing as t
from collections.abc import AsyncIterator

from vial import Blueprint, abort, current_app, request, websocket
from vial.sse import ServerSentEvent, event_stream
from vial.websockets import WebSocketDisconnect

from .rooms import Message, Rooms

bp = Blueprint("chat", __name__)

# Room names are path segments (vial's default converter); users come from a query arg.
USER_MAX = 40


def get_rooms() -> Rooms:
    """This process's rooms; 503 when the server never ran the lifespan start-up."""
    rooms: Rooms | None = current_app.extensions.get("chat.rooms")
    if rooms is None:
        abort(503, "The chat is not serving: run it on an ASGI server with lifespan.")
    return rooms


def check_text(text: t.Any) -> str | None:
    """The message text, or None if it is not one: a non-empty string, not too long."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > int(current_app.config["CHAT_MAX_MESSAGE"]):
        return None
    return text


def user_name(value: t.Any) -> str:
    name = value.strip()[:USER_MAX] if isinstance(value, str) else ""
    return name or "anonymous"


@bp.get("/health")
async def health() -> tuple[dict[str, t.Any], int]:
    rooms: Rooms | None = current_app.extensions.get("chat.rooms")
    if rooms is None:
        return {"status": "unavailable", "detail": "lifespan start-up has not run"}, 503
    return {"status": "ok", "rooms": len(rooms.room_names()), "listeners": rooms.listeners()}, 200


@bp.get("/rooms/<room>/messages")
async def history(room: str) -> dict[str, t.Any]:
    return {"room": room, "messages": get_rooms().history(room)}


@bp.post("/rooms/<room>/messages")
async def post_message(room: str) -> tuple[Message, int]:
    rooms = get_rooms()
    data = request.get_json()
    if not isinstance(data, dict):
        abort(422, 'Send a JSON object: {"user": ..., "text": ...}.')
    text = check_text(data.get("text"))
    if text is None:
        limit = current_app.config["CHAT_MAX_MESSAGE"]
        abort(422, f"'text' must be a non-empty string of at most {limit} characters.")
    return rooms.publish(room, user_name(data.get("user")), text), 201


@bp.get("/events/<room>")
async def events(room: str) -> t.Any:
    """The room's messages as server-sent events, from ``Last-Event-ID`` on if sent."""
    rooms = get_rooms()
    last_id = request.headers.get("Last-Event-ID", "")
    after = int(last_id) if last_id.isascii() and last_id.isdigit() else None

    async def feed() -> AsyncIterator[ServerSentEvent]:
        subscription = rooms.subscribe(room)
        try:
            # A reconnecting browser sends Last-Event-ID: replay what it missed first.
            seen = 0
            if after is not None:
                for message in rooms.history(room, after):
                    seen = message["id"]
                    yield _event(message)
            async for message in subscription:
                if message["id"] > seen:
                    yield _event(message)
        finally:
            subscription.close()

    keep_alive = float(current_app.config["CHAT_KEEP_ALIVE"])
    return event_stream(feed(), keep_alive=keep_alive, retry=2000)


def _event(message: Message) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(message), event="message", id=str(message["id"]))


@bp.websocket("/ws/<room>")
async def chat(room: str) -> None:
    """Every text frame a client sends goes to everyone in the room as JSON.

    ``?user=<name>`` names the sender. An empty or too long message gets an
    ``{"error": ...}`` frame back, to that client only.
    """
    rooms = get_rooms()
    user = user_name(request.args.get("user"))
    await websocket.accept()
    subscription = rooms.subscribe(room)

    async def forward() -> None:
        async for message in subscription:
            await websocket.send_json(message)
        # The rooms closed (server shutting down) or this client fell too far behind.
        code = 1008 if subscription.dropped else 1001
        await websocket.close(code)

    forwarding = asyncio.create_task(forward())
    try:
        while not forwarding.done():
            receiving = asyncio.ensure_future(websocket.receive())
            await asyncio.wait({receiving, forwarding}, return_when=asyncio.FIRST_COMPLETED)
            if not receiving.done():
                receiving.cancel()
                break
            data = receiving.result()
            text = check_text(data)
            if text is None:
                limit = current_app.config["CHAT_MAX_MESSAGE"]
                await websocket.send_json(
                    {"error": f"Send non-empty text of at most {limit} characters."}
                )
            else:
                rooms.publish(room, user, text)
    except WebSocketDisconnect:
        pass
    finally:
        subscription.close()
        forwarding.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await forwarding
