"""The chat rooms: who listens where, and the recent messages of each room.

Each listener (a WebSocket or a server-sent-events feed) holds a
:class:`Subscription`, an ``asyncio.Queue`` on its own event loop. Publishing
puts the message on every queue of the room; a queue on another loop (a sync
view in a worker thread, a test's loop) is reached with ``call_soon_threadsafe``,
so the registry works wherever it is called from.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import typing as t
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from datetime import datetime, timezone

Message = dict[str, t.Any]

_CLOSED: t.Final = object()


class Subscription:
    """One listener's queue of a room's messages; iterate it with ``async for``."""

    def __init__(self, rooms: Rooms, room: str, max_queue: int) -> None:
        self.room = room
        self._rooms = rooms
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[t.Any] = asyncio.Queue(max_queue + 1)
        self._max_queue = max_queue
        self.dropped = False

    def _deliver(self, item: t.Any) -> None:
        # On the subscriber's loop. A listener too slow to keep up is dropped rather
        # than letting its queue grow without bound.
        if self.dropped:
            return
        if item is not _CLOSED and self._queue.qsize() >= self._max_queue:
            self.dropped = True
            item = _CLOSED
        self._queue.put_nowait(item)

    def deliver(self, item: t.Any) -> None:
        """Hand ``item`` to this listener, from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._deliver(item)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver, item)

    async def __aiter__(self) -> AsyncIterator[Message]:
        while True:
            item = await self._queue.get()
            if item is _CLOSED:
                return
            yield item

    def close(self) -> None:
        """Stop listening (the iteration ends)."""
        self._rooms._unsubscribe(self)
        self.deliver(_CLOSED)


class Rooms:
    """All rooms of one server process.

    :param history: messages kept per room for late joiners.
    :param max_queue: messages a listener may fall behind before it is dropped.
    """

    def __init__(self, history: int = 50, max_queue: int = 100) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, set[Subscription]] = defaultdict(set)
        self._history: dict[str, deque[Message]] = defaultdict(lambda: deque(maxlen=history))
        self._ids = itertools.count(1)
        self._max_queue = max_queue
        self.closed = False

    def subscribe(self, room: str) -> Subscription:
        """Start listening to ``room`` (call from the listener's event loop)."""
        subscription = Subscription(self, room, self._max_queue)
        with self._lock:
            if self.closed:
                subscription.deliver(_CLOSED)
            else:
                self._listeners[room].add(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            listeners = self._listeners.get(subscription.room)
            if listeners is not None:
                listeners.discard(subscription)
                if not listeners:
                    del self._listeners[subscription.room]

    def publish(self, room: str, user: str, text: str) -> Message:
        """Store a message and send it to everyone in ``room``; returns it."""
        with self._lock:
            message: Message = {
                "id": next(self._ids),
                "room": room,
                "user": user,
                "text": text,
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            }
            self._history[room].append(message)
            listeners = list(self._listeners.get(room, ()))
        for subscription in listeners:
            subscription.deliver(message)
        return message

    def history(self, room: str, after: int = 0) -> list[Message]:
        """The room's kept messages with an id above ``after``, oldest first."""
        with self._lock:
            return [m for m in self._history.get(room, ()) if m["id"] > after]

    def listeners(self, room: str | None = None) -> int:
        """How many listen to ``room`` (to any room when None)."""
        with self._lock:
            if room is not None:
                return len(self._listeners.get(room, ()))
            return sum(map(len, self._listeners.values()))

    def room_names(self) -> list[str]:
        """Rooms with listeners or kept messages."""
        with self._lock:
            return sorted(set(self._listeners) | set(self._history))

    def close(self) -> None:
        """End every listener's iteration; no one can subscribe afterwards."""
        with self._lock:
            self.closed = True
            listeners = [s for group in self._listeners.values() for s in group]
            self._listeners.clear()
        for subscription in listeners:
            subscription.deliver(_CLOSED)
