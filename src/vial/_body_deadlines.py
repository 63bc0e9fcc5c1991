"""``ASGI_BODY_TIMEOUT`` for every body receive on an event loop, with one timer.

Why not ``asyncio.timeout()`` around each ``receive()``: it arms and cancels a
timer handle and runs its own state machine per message, about 4 µs, which
was a tenth of a small JSON POST under ASGI. Here a receive records its
deadline in a dict (two dict operations and a clock read), and one timer per
loop, armed only while some receive could expire before it fires, cancels the
tasks whose deadline has passed. A deadline is honoured to within
:data:`GRANULARITY` seconds.
"""

from __future__ import annotations

import asyncio
import typing as t
import weakref

#: How late, at most, a deadline may be enforced: the timer never fires more often.
GRANULARITY = 0.05


class Expirable(t.Protocol):
    """What waits on a deadline: it is told when the wait timed out."""

    timed_out: bool


class BodyDeadlines:
    """The pending body receives of one loop and the timer that expires them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        #: waiter -> (deadline on the loop's clock, the task awaiting the receive)
        self.waiting: dict[Expirable, tuple[float, asyncio.Task[t.Any]]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_when = float("inf")

    def start(self, waiter: Expirable, task: asyncio.Task[t.Any], timeout: float) -> None:
        """``task`` now awaits a receive for ``waiter`` that may last ``timeout`` seconds."""
        deadline = self.loop.time() + timeout
        self.waiting[waiter] = (deadline, task)
        if deadline < self._timer_when:
            self._arm(deadline)

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_at(when, self._expire)
        self._timer_when = when

    def _expire(self) -> None:
        self._timer = None
        self._timer_when = float("inf")
        now = self.loop.time()
        earliest = float("inf")
        for waiter, (deadline, task) in list(self.waiting.items()):
            if deadline <= now:
                del self.waiting[waiter]
                waiter.timed_out = True
                task.cancel()
            elif deadline < earliest:
                earliest = deadline
        if earliest != float("inf"):
            self._arm(max(earliest, now + GRANULARITY))


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BodyDeadlines] = (
    weakref.WeakKeyDictionary()
)
# PERF: the last loop asked for, checked before the weak dictionary.
_last: BodyDeadlines | None = None


def deadlines_for(loop: asyncio.AbstractEventLoop) -> BodyDeadlines:
    """The :class:`BodyDeadlines` of ``loop`` (made on first use)."""
    global _last
    last = _last
    if last is not None and last.loop is loop:
        return last
    deadlines = _by_loop.get(loop)
    if deadlines is None:
        deadlines = _by_loop[loop] = BodyDeadlines(loop)
    _last = deadlines
    return deadlines
