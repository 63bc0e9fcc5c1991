"""The request pipeline on the event loop, for async views under ASGI.

When the matched view is an ``async def`` function (and the app has not
replaced any pipeline method or wrapped ``wsgi_app``), the ASGI adapter runs
the request here, on the server's loop, with no thread hop: async hooks and
handlers are awaited directly, sync ones run in the worker pool with the
context variables copied. The steps, their order and their error handling are
those of the sync pipeline in :mod:`vial.app`; only the calling convention
differs. Everything else goes through ``app.wsgi_app`` in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import typing as t
from types import MethodType

from . import _chains, _fast_pipeline
from ._async import executor_for, is_coroutine_function
from .exceptions import (
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)
from .globals import _cv_contexts
from .helpers import views_stream_body
from .routing import RoutingException
from .signals import (
    appcontext_tearing_down,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from .wrappers.request import environ_if_built
from .wrappers.response import check_latin1_headers

if t.TYPE_CHECKING:
    from ._fast_response import PlainAnswer
    from .app import Vial
    from .asgi import ASGIBodyReader
    from .ctx import RequestContext
    from .typing import WSGIEnvironment
    from .wrappers.response import Response

_is_coroutine_function: dict[t.Callable[..., t.Any], bool] = {}


def is_async(func: t.Callable[..., t.Any]) -> bool:
    """Whether ``func`` is an ``async def`` function (cached)."""
    try:
        known = _is_coroutine_function.get(func)
    except TypeError:  # an unhashable callable, never cached (see below)
        known = None
    if known is None:
        known = is_coroutine_function(func)
        if type(func) is not MethodType:  # a bound method is a new object each time
            try:
                _is_coroutine_function[func] = known
            except TypeError:
                pass
    return known


async def call(app: Vial, func: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
    """Await an async user function; run a sync one in the worker pool."""
    if is_async(func):
        return await func(*args, **kwargs)
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    executor = executor_for(int(app.config["ASGI_THREAD_POOL_SIZE"]))
    if kwargs:
        return await loop.run_in_executor(executor, lambda: context.run(func, *args, **kwargs))
    return await loop.run_in_executor(executor, context.run, func, *args)


async def preprocess_request(app: Vial, ctx: RequestContext) -> t.Any:
    """URL value preprocessors, then before-request hooks (a non-None result wins)."""
    request = ctx.request
    for url_func in _chains.url_value_preprocessors(app, request):
        await call(app, url_func, request.endpoint, request.view_args)
    for before_func in _chains.before_request_funcs(app, request):
        rv = await call(app, before_func)
        if rv is not None:
            return rv
    return None


async def dispatch_request(app: Vial, ctx: RequestContext) -> t.Any:
    """Call the matched view."""
    request = ctx.request
    if request.routing_exception is not None:
        app.raise_routing_exception(request)
    rule = request.url_rule
    assert rule is not None
    if rule.provide_automatic_options and request.method == "OPTIONS":
        return app.make_default_options_response()
    return await call(app, app.view_functions[rule.endpoint], **(request.view_args or {}))


async def full_dispatch_request(
    app: Vial, ctx: RequestContext, body: ASGIBodyReader | None
) -> Response:
    """Hooks, view, error handling and after-request processing (as the sync pipeline)."""
    app._got_first_request = True
    try:
        if request_started.receivers:
            request_started.send(app, _async_wrapper=app.ensure_sync)
        if body is not None and not body.complete:
            await _receive_body(app, ctx, body)
        # PERF: awaiting a coroutine that has nothing to do still costs its creation.
        rv = None
        if app.url_value_preprocessors or app.before_request_funcs:
            rv = await preprocess_request(app, ctx)
        if rv is None:
            rv = await dispatch_request(app, ctx)
    except Exception as e:
        rv = await handle_user_exception(app, ctx, e)
    return await finalize_request(app, ctx, rv)


async def finalize_request(
    app: Vial, ctx: RequestContext, rv: t.Any, from_error_handler: bool = False
) -> Response:
    """Make the response, run after-request functions and save the session."""
    response = app.make_response(rv)
    try:
        if ctx._after_request_functions or app.after_request_funcs:
            for func in _chains.after_request_funcs(app, ctx):
                response = await call(app, func, response)
        app.save_session_if_used(ctx, response)
        check_latin1_headers(response.headers)
        if request_finished.receivers:
            request_finished.send(app, _async_wrapper=app.ensure_sync, response=response)
    except Exception:
        if not from_error_handler:
            raise
        app.logger.exception("Request finalizing failed with an error while handling an error")
    return response


async def handle_user_exception(app: Vial, ctx: RequestContext, e: Exception) -> t.Any:
    """Answer an exception from a hook or view with its handler, or re-raise it."""
    if isinstance(e, BadRequestKeyError) and (app.debug or app.config["TRAP_BAD_REQUEST_ERRORS"]):
        e.show_exception = True
    blueprints = ctx.request.blueprints
    if isinstance(e, HTTPException) and not app.trap_http_exception(e):
        if e.code is None or isinstance(e, RoutingException):
            return e
        handler = app._find_error_handler(e, blueprints)
        return e if handler is None else await call(app, handler, e)
    handler = app._find_error_handler(e, blueprints)
    if handler is None:
        raise e
    return await call(app, handler, e)


async def handle_exception(app: Vial, ctx: RequestContext, e: Exception) -> Response:
    """Answer an unhandled exception: propagate, the debug page, or the 500 path."""
    if got_request_exception.receivers:
        got_request_exception.send(app, _async_wrapper=app.ensure_sync, exception=e)
    propagate = app.config["PROPAGATE_EXCEPTIONS"]
    if propagate is None:
        propagate = app.testing
    if propagate:
        raise e
    app.log_exception((type(e), e, e.__traceback__))
    if app.debug:
        from .debug import debug_response

        return debug_response(app, e)
    server_error: t.Any = InternalServerError(original_exception=e)
    handler = app._find_error_handler(server_error, ctx.request.blueprints)
    if handler is not None:
        server_error = await call(app, handler, server_error)
    return await finalize_request(app, ctx, server_error, from_error_handler=True)


async def teardown(app: Vial, ctx: RequestContext, exc: BaseException | None) -> None:
    """Run the teardown functions the sync ``ctx.pop()`` would run, awaiting async ones."""
    errors: list[BaseException] = []
    for func in _chains.teardown_request_funcs(app, ctx.request):
        try:
            await call(app, func, exc)
        except Exception as error:  # the others still run; the first error is raised
            errors.append(error)
    if request_tearing_down.receivers:
        request_tearing_down.send(app, _async_wrapper=app.ensure_sync, exc=exc)
    if ctx.owns_app_context:
        # As in ctx.pop(): the app context is torn down once the request context
        # is gone (has_request_context() is false there); it is put back after,
        # for ctx._pop() to pop.
        current = _cv_contexts.get()
        _cv_contexts.set(ctx._cv_tokens[-1][0])
        try:
            for func in reversed(app.teardown_appcontext_funcs):
                try:
                    await call(app, func, exc)
                except Exception as error:
                    errors.append(error)
            if appcontext_tearing_down.receivers:
                appcontext_tearing_down.send(app, _async_wrapper=app.ensure_sync, exc=exc)
        finally:
            _cv_contexts.set(current)
    if errors:
        raise errors[0]


def _has_teardown(app: Vial) -> bool:
    return bool(
        app.teardown_request_funcs
        or app.teardown_appcontext_funcs
        or request_tearing_down.receivers
        or appcontext_tearing_down.receivers
    )


async def run_request(
    app: Vial,
    ctx: RequestContext,
    body: ASGIBodyReader | None,
    environ: WSGIEnvironment | None,
    cookie_sent: bool | None,
) -> Response | PlainAnswer:
    """The whole request for an async view: push, dispatch, handle errors, tear down, pop.

    ``body`` is the request's body reader (``None`` for a request made from its scope
    without a body), ``environ`` its environ (``None`` for any request made from its scope,
    see :func:`vial.asgi.context_from_scope`) and ``cookie_sent`` whether it has a Cookie
    header (``None``: look in its environ).

    PERF: a request with no hooks or signal receivers takes the steps of
    :func:`_run_request_full` inlined, as :mod:`vial._fast_pipeline` does for WSGI, and
    may answer with a :data:`~vial._fast_response.PlainAnswer` instead of a Response.
    The request's environ is not built here (see :func:`vial.asgi.context_from_scope`).
    """
    request = ctx.request
    rule = request.url_rule
    if (
        rule is None
        or request.routing_exception is not None
        or request_started.receivers
        or app.url_value_preprocessors
        or app.before_request_funcs
        or (rule.provide_automatic_options and request.method == "OPTIONS")
        or (environ is not None and "werkzeug.debug.preserve_context" in environ)
    ):
        return await _run_request_full(app, ctx, body)
    app_ctx = _fast_pipeline.push(app, ctx)
    error: BaseException | None = None
    try:
        try:
            if not app._got_first_request:
                app._got_first_request = True
            try:
                if body is not None and not body.complete:
                    await _receive_body(app, ctx, body)
                rv = await app.view_functions[rule.endpoint](**(request.view_args or {}))
            except Exception as e:
                rv = await handle_user_exception(app, ctx, e)
            if _fast_pipeline.needs_finalizing(app, ctx, cookie_sent):
                return await finalize_request(app, ctx, rv)
            return _fast_pipeline.plain_response(app, rv)
        except Exception as e:
            error = e
            return await handle_exception(app, ctx, e)
        except BaseException:
            error = sys.exc_info()[1]
            raise
    finally:
        # PERF: _has_teardown(app), inlined (a call less per request).
        if (
            app.teardown_request_funcs
            or app.teardown_appcontext_funcs
            or request_tearing_down.receivers
            or appcontext_tearing_down.receivers
        ):
            try:
                await teardown(app, ctx, error)
            finally:
                ctx._pop(error, teardown=False)
        else:
            _fast_pipeline.pop(app, ctx, app_ctx, environ, error)


async def _run_request_full(
    app: Vial, ctx: RequestContext, body: ASGIBodyReader | None
) -> Response:
    """The whole request on the loop: push, dispatch, handle errors, tear down, pop."""
    error: BaseException | None = None
    ctx.push()
    try:
        try:
            response = await full_dispatch_request(app, ctx, body)
        except Exception as e:
            error = e
            response = await handle_exception(app, ctx, e)
        except BaseException:
            error = sys.exc_info()[1]
            raise
        return response
    finally:
        environ = environ_if_built(ctx.request)
        preserve = None if environ is None else environ.get("werkzeug.debug.preserve_context")
        if preserve is not None:
            preserve(_cv_contexts.get()[0])
            preserve(ctx)
        try:
            if _has_teardown(app):
                await teardown(app, ctx, error)
        finally:
            ctx._pop(error, teardown=False)


async def _receive_body(app: Vial, ctx: RequestContext, reader: ASGIBodyReader) -> None:
    """Receive the body before the async view runs (see ``receive_body_before_async_code``)."""
    request = ctx.request
    if request.routing_exception is not None or views_stream_body(app, request):
        return
    if reader.complete:
        return
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge()
    await reader.buffer_all(limit, int(app.config["ASGI_BODY_SPOOL_SIZE"]))
