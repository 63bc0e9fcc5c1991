"""Running coroutines from synchronous code, and sync code from the event loop."""

from __future__ import annotations

import threading
import typing as t
from contextvars import ContextVar

if t.TYPE_CHECKING:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

# PERF: asyncio and concurrent.futures are imported on first use, not with vial: a
# WSGI app with sync views never needs them (about 45 ms of a cold start).

_T = t.TypeVar("_T")

#: The event loop of the ASGI server, set before sync code is sent to a worker thread (the
#: context is copied there) and for lifespan handlers; see :func:`running_server_loop`.
server_loop: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar(
    "vial.server_loop", default=None
)


def running_server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's loop for the code running now (``None`` under WSGI).

    Sync code in a worker thread finds it in :data:`server_loop`; code started from an
    async view (``asyncio.to_thread``), whose request never set it, through the request
    context's request, which the ASGI adapter made with the loop.
    """
    loop = server_loop.get()
    if loop is None:
        from .globals import _cv_contexts

        request_ctx = _cv_contexts.get()[1]
        if request_ctx is not None:
            request = request_ctx.request
            source = request._environ_source
            if source is not None:
                loop = source[2]
            else:
                loop = getattr(request.environ.get("vial.asgi.body"), "loop", None)
    return loop


class _LoopHolder:
    """Owns one thread's private loop and closes it when the thread ends."""

    __slots__ = ("loop",)

    def __init__(self) -> None:
        import asyncio

        self.loop = asyncio.new_event_loop()

    def __del__(self) -> None:
        # At interpreter shutdown the selector module may already be torn down.
        try:
            if not self.loop.is_closed():
                self.loop.close()
        except Exception:
            pass


_thread_loops = threading.local()


def run_coroutine_sync(coro: t.Coroutine[t.Any, t.Any, _T]) -> _T:
    """Run ``coro`` to completion from synchronous code and return its result.

    In a worker thread of the ASGI server the coroutine runs on the server's loop.
    Elsewhere (WSGI) each thread reuses one private loop, created on first use,
    rather than paying for a new loop per call.
    """
    import asyncio

    loop = running_server_loop()
    if loop is not None and loop.is_running():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not loop:
            return asyncio.run_coroutine_threadsafe(coro, loop).result()
    holder: _LoopHolder | None = getattr(_thread_loops, "holder", None)
    if holder is None or holder.loop.is_closed():
        holder = _thread_loops.holder = _LoopHolder()
    return holder.loop.run_until_complete(coro)


_executors: dict[int, ThreadPoolExecutor] = {}


def executor_for(size: int) -> ThreadPoolExecutor:
    """One shared pool per configured size; threads start only when needed."""
    executor = _executors.get(size)
    if executor is None:
        from concurrent.futures import ThreadPoolExecutor

        executor = _executors[size] = ThreadPoolExecutor(
            max_workers=size, thread_name_prefix="vial-asgi"
        )
    return executor


CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect at start-up


def is_coroutine_function(func: t.Any) -> bool:
    """Whether calling ``func`` returns a coroutine (``async def``, also behind a
    ``functools.partial`` or a bound method); what :func:`inspect.iscoroutinefunction`
    answers, without its import cost."""
    while True:
        inner = getattr(func, "func", None)  # functools.partial
        if inner is not None and hasattr(func, "args") and hasattr(func, "keywords"):
            func = inner
            continue
        method_function = getattr(func, "__func__", None)  # bound methods
        if method_function is not None:
            func = method_function
            continue
        break
    code = getattr(func, "__code__", None)
    if code is not None:
        return bool(code.co_flags & CO_COROUTINE)
    if getattr(func, "_is_coroutine", None) is not None:  # asyncio's marker
        import inspect

        return inspect.iscoroutinefunction(func)
    return False
