"""ASGI lifespan: run the app's start-up and shut-down hooks around serving."""

from __future__ import annotations

import inspect
import typing as t

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import Receive, Send


async def _call(app: Vial, func: t.Callable[[], t.Any]) -> None:
    with app.app_context():
        result = func()
        if inspect.isawaitable(result):
            await result


async def _startup(app: Vial) -> list[t.Any]:
    for func in app.before_serving_funcs:
        await _call(app, func)
    running = []
    for factory in app.while_serving_gens:
        with app.app_context():
            gen = factory()
            if inspect.isasyncgen(gen):
                await gen.__anext__()
            else:
                next(gen)
        running.append(gen)
    return running


async def _shutdown(app: Vial, running: list[t.Any]) -> None:
    for gen in reversed(running):
        with app.app_context():
            try:
                if inspect.isasyncgen(gen):
                    await gen.__anext__()
                else:
                    next(gen)
            except (StopIteration, StopAsyncIteration):
                pass
            else:
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
