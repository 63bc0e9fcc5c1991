"""ASGI lifespan: run the app's start-up and shut-down hooks around serving."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import typing as t
from functools import partial

_DONE = object()

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import Receive, Send


async def _in_app_context(app: Vial, func: t.Callable[[], t.Any]) -> t.Any:
    """``func()`` with an app context: on the loop if async, else in the worker pool.

    Sync functions run in a worker thread, as sync views do, so that they may call
    async code through ``app.ensure_sync`` (which hands it back to this loop).
    """
    if inspect.iscoroutinefunction(func):
        with app.app_context():
            return await func()
    from . import _async
    from ._async import executor_for

    loop = asyncio.get_running_loop()
    _async.server_loop.set(loop)

    def run() -> t.Any:
        with app.app_context():
            return func()

    executor = executor_for(int(app.config["ASGI_THREAD_POOL_SIZE"]))
    return await loop.run_in_executor(executor, contextvars.copy_context().run, run)


async def _call(app: Vial, func: t.Callable[[], t.Any]) -> None:
    result = await _in_app_context(app, func)
    if inspect.isawaitable(result):
        with app.app_context():
            await result


async def _startup(app: Vial) -> list[t.Any]:
    for func in app.before_serving_funcs:
        await _call(app, func)
    running = []
    for factory in app.while_serving_gens:
        with app.app_context():
            gen = factory()
        if inspect.isasyncgen(gen):
            with app.app_context():
                await gen.__anext__()
        elif await _in_app_context(app, partial(next, gen, _DONE)) is _DONE:
            raise RuntimeError("A while_serving generator must yield once.")
        running.append(gen)
    return running


async def _shutdown(app: Vial, running: list[t.Any]) -> None:
    for gen in reversed(running):
        try:
            if inspect.isasyncgen(gen):
                with app.app_context():
                    await gen.__anext__()
            # StopIteration cannot cross a future: the sync step returns a sentinel instead.
            elif await _in_app_context(app, partial(next, gen, _DONE)) is _DONE:
                continue
        except StopAsyncIteration:
            continue
        raise RuntimeError("A while_serving generator must yield exactly once.")
    for func in app.after_serving_funcs:
        await _call(app, func)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


async def run_lifespan(app: Vial, receive: Receive, send: Send) -> None:
    """Answer the ``lifespan`` scope: start-up hooks, then shut-down hooks when asked."""
    running: list[t.Any] = []
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "lifespan.startup":
            try:
                running = await _startup(app)
            except BaseException as error:
                app.logger.exception("Error during start-up; the server should not start.")
                await send({"type": "lifespan.startup.failed", "message": _describe(error)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif kind == "lifespan.shutdown":
            try:
                await _shutdown(app, running)
            except BaseException as error:
                app.logger.exception("Error during shut-down.")
                await send({"type": "lifespan.shutdown.failed", "message": _describe(error)})
                return
            await send({"type": "lifespan.shutdown.complete"})
            return
