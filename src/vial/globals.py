"""The context globals: ``current_app``, ``g``, ``request``, ``session``.

Each is a proxy that looks up the object of the current context on every use,
through :mod:`contextvars`, so threads and asyncio tasks each see their own.
``app_ctx`` and ``request_ctx`` are proxies to the contexts themselves, for
extension authors; they are falsy when no context is pushed.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from .proxy import ContextProxy

if t.TYPE_CHECKING:
    from .app import Vial
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .websockets import WebSocket
    from .wrappers.request import Request

_T = t.TypeVar("_T")

_no_app_msg = """\
Working outside of application context.

This typically means that you attempted to use functionality that needed
the current application. To solve this, set up an application context
with app.app_context(). See the documentation for more information.\
"""
_no_req_msg = """\
Working outside of request context.

This typically means that you attempted to use functionality that needed
an active HTTP request. Consult the documentation on testing for
information about how to avoid this problem.\
"""

#: The current ``(app context, request context)`` pair; ``None`` for a context not pushed.
#: PERF: one variable for both, so that a request pushes and pops with one ``set()``
#: each instead of two; a ``set()`` costs about 1,500 CPU instructions (valgrind),
#: and the single variable saved about 3,000 per request.
_cv_contexts: ContextVar[tuple[AppContext | None, RequestContext | None]] = ContextVar(
    "vial.contexts", default=(None, None)
)


class _ContextSlot(t.Generic[_T]):
    """Read access to one half of the current contexts, with ``ContextVar.get(default)``.

    ``_cv_app`` and ``_cv_request`` keep the names (and the read API) Flask gives its
    private context variables, for extensions written against them.
    """

    __slots__ = ("_index", "name")

    def __init__(self, index: int, name: str) -> None:
        self._index = index
        self.name = name

    def get(self, default: _T | None = None) -> _T | None:
        """The current context of this kind, or ``default`` when none is pushed."""
        value: _T | None = _cv_contexts.get()[self._index]  # type: ignore[assignment]
        return default if value is None else value

    def __repr__(self) -> str:
        return f"<context slot {self.name!r}>"


_cv_app: _ContextSlot[AppContext] = _ContextSlot(0, "vial.app_ctx")
_cv_request: _ContextSlot[RequestContext] = _ContextSlot(1, "vial.request_ctx")


def _get_app_ctx() -> AppContext:
    ctx = _cv_contexts.get()[0]
    if ctx is None:
        raise LookupError
    return ctx


def _get_current_app() -> Vial:
    ctx = _cv_contexts.get()[0]
    if ctx is None:
        raise LookupError
    return ctx.app


def _get_g() -> _AppCtxGlobals:
    ctx = _cv_contexts.get()[0]
    if ctx is None:
        raise LookupError
    return ctx.g


def _get_request_ctx() -> RequestContext:
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise LookupError
    return ctx


def _get_request() -> Request:
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise LookupError
    return ctx.request


def _get_websocket() -> WebSocket:
    ctx = _cv_contexts.get()[1]
    if ctx is None or ctx.websocket is None:
        raise LookupError
    return ctx.websocket


def _get_session() -> SessionMixin:
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise LookupError
    return ctx.session


app_ctx: AppContext = t.cast("AppContext", ContextProxy(_get_app_ctx, _no_app_msg))
current_app: Vial = t.cast("Vial", ContextProxy(_get_current_app, _no_app_msg))
g: _AppCtxGlobals = t.cast("_AppCtxGlobals", ContextProxy(_get_g, _no_app_msg))
request_ctx: RequestContext = t.cast("RequestContext", ContextProxy(_get_request_ctx, _no_req_msg))
request: Request = t.cast("Request", ContextProxy(_get_request, _no_req_msg))
session: SessionMixin = t.cast("SessionMixin", ContextProxy(_get_session, _no_req_msg))
websocket: WebSocket = t.cast(
    "WebSocket",
    ContextProxy(
        _get_websocket,
        "Working outside of a WebSocket handler: 'websocket' is only available while an"
        " @app.websocket view runs (under ASGI).",
    ),
)
