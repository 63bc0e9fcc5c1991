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

#: The current contexts; ``None`` (or unset) when no context is pushed.
_cv_app: ContextVar[AppContext | None] = ContextVar("vial.app_ctx", default=None)
_cv_request: ContextVar[RequestContext | None] = ContextVar("vial.request_ctx", default=None)


def _get_app_ctx() -> AppContext:
    ctx = _cv_app.get()
    if ctx is None:
        raise LookupError
    return ctx


def _get_current_app() -> Vial:
    ctx = _cv_app.get()
    if ctx is None:
        raise LookupError
    return ctx.app


def _get_g() -> _AppCtxGlobals:
    ctx = _cv_app.get()
    if ctx is None:
        raise LookupError
    return ctx.g


def _get_request_ctx() -> RequestContext:
    ctx = _cv_request.get()
    if ctx is None:
        raise LookupError
    return ctx


def _get_request() -> Request:
    ctx = _cv_request.get()
    if ctx is None:
        raise LookupError
    return ctx.request


def _get_websocket() -> WebSocket:
    ctx = _cv_request.get()
    if ctx is None or ctx.websocket is None:
        raise LookupError
    return ctx.websocket


def _get_session() -> SessionMixin:
    ctx = _cv_request.get()
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
