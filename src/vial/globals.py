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
    from .websocket import WebSocket
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

_cv_app: ContextVar[AppContext] = ContextVar("vial.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("vial.request_ctx")


def _get_app_ctx() -> AppContext:
    return _cv_app.get()


def _get_current_app() -> Vial:
    return _cv_app.get().app


def _get_g() -> _AppCtxGlobals:
    return _cv_app.get().g


def _get_request_ctx() -> RequestContext:
    return _cv_request.get()


def _get_request() -> Request:
    return _cv_request.get().request


def _get_websocket() -> WebSocket:
    socket = _cv_request.get().websocket
    if socket is None:
        raise LookupError
    return socket


def _get_session() -> SessionMixin:
    return _cv_request.get().session


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
