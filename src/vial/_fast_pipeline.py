"""The request pipeline with its common steps inlined, for WSGI and ASGI.

:meth:`vial.Vial.wsgi_app` calls :func:`serve` when the app runs vial's own
pipeline (no pipeline method replaced on the class or the instance). It does
what ``request_context()``, ``push()``, ``full_dispatch_request()``,
``finalize_request()``, ``response(environ, start_response)`` and ``pop()``
do, in that order, with the same results; each step falls back to the method
it stands for as soon as the request needs more than the plain case (a hook,
a signal receiver, a session, an error, an unusual path or return value).
The ASGI adapter and :func:`vial.async_dispatch.run_request` use the same
steps (:func:`make_context`, :func:`push`, :func:`match`,
:func:`needs_finalizing`, :func:`plain_response`, :func:`pop`) for async views.

Why a second copy of the steps: a plain request through the methods is about
45 Python calls; most of their cost is the calls themselves, not the work.
"""

from __future__ import annotations

import sys
import typing as t

from ._fast_response import PlainAnswer, plain_answer
from .ctx import AppContext, RequestContext
from .exceptions import SecurityError
from .globals import _cv_contexts
from .response_making import make_response_from_return_value
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    request_finished,
    request_started,
    request_tearing_down,
)
from .wrappers.request import (
    Request,
    RequestFromScope,
    host_is_invalid,
    valid_hosts,
)
from .wrappers.response import Response, check_latin1_headers

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import StartResponse, WSGIEnvironment


#: Methods that, when replaced on an app's class or instance, make :func:`serve` step aside.
PIPELINE_METHODS = frozenset(
    (
        "request_context",
        "app_context",
        "match_url",
        "full_dispatch_request",
        "preprocess_request",
        "dispatch_request",
        "finalize_request",
        "process_response",
        "make_response",
        "handle_user_exception",
        "handle_http_exception",
        "handle_exception",
        "do_teardown_request",
        "do_teardown_appcontext",
        "should_ignore_error",
        "log_exception",
    )
)
_standard_classes: dict[type[t.Any], bool] = {}
_new_object = object.__new__


#: ``Vial.session_interface`` (the property), looked up on first use.
_default_session_property: t.Any = None


def _load_default_session_property() -> t.Any:
    global _default_session_property
    from .app import Vial

    _default_session_property = Vial.__dict__["session_interface"]
    return _default_session_property


def is_standard(app: Vial) -> bool:
    """Whether ``app`` runs vial's own pipeline methods (so :func:`serve` may stand in)."""
    if any(name in app.__dict__ for name in PIPELINE_METHODS):
        return False
    cls = type(app)
    standard = _standard_classes.get(cls)
    if standard is None:
        from .app import Vial

        standard = _standard_classes[cls] = all(
            getattr(cls, name) is getattr(Vial, name) for name in PIPELINE_METHODS
        )
    return standard


def serves_directly(app: Vial) -> bool:
    """Whether ``app`` runs vial's own pipeline behind vial's own ``wsgi_app`` (no
    middleware wrapped around it), so that :func:`serve` may answer for both."""
    direct = app._serves_directly
    if direct is None:
        from .app import Vial

        direct = app._serves_directly = (
            is_standard(app)
            and "wsgi_app" not in app.__dict__
            and type(app).wsgi_app is Vial.wsgi_app
        )
    return direct


def make_context(
    app: Vial, environ: WSGIEnvironment, request: Request | None = None
) -> RequestContext:
    """``app.request_context(environ)`` for an environ the ASGI adapter did not prepare
    (or for ``request``, a request already made)."""
    if request is None:
        request_class = app.request_class
        if request_class is Request:
            # PERF: Request(environ) without its __init__ call, as for the contexts below.
            request = _new_object(Request)
            request.environ = environ
            environ["werkzeug.request"] = request
        else:
            request = request_class(environ)
    trusted = app.config["TRUSTED_HOSTS"]
    if trusted is not None:
        request.trusted_hosts = trusted
    # PERF: RequestContext(app, environ, request) without its __init__ call (about 600
    # instructions); tests check that both make the same context.
    ctx: RequestContext = _new_object(RequestContext)
    ctx.app = app
    ctx.request = request
    ctx._session = None
    ctx._cv_tokens = []
    return ctx


def push(app: Vial, ctx: RequestContext) -> AppContext | None:
    """``ctx.push()`` but the matching; returns the app context it pushed, if any."""
    previous = _cv_contexts.get()
    previous_app_ctx = previous[0]
    if previous_app_ctx is None or previous_app_ctx.app is not app:
        # PERF: AppContext(app) without its __init__ call, as make_context() does.
        app_ctx: AppContext = _new_object(AppContext)
        app_ctx.app = app
        app_ctx._cv_tokens = [previous]
        with_app_ctx = (app_ctx, previous[1])
        if appcontext_pushed.receivers:
            # Receivers run with the app context pushed and the request context not yet.
            _cv_contexts.set(with_app_ctx)
            appcontext_pushed.send(app, _async_wrapper=app.ensure_sync)
        ctx._cv_tokens.append((with_app_ctx, app_ctx))
        _cv_contexts.set((app_ctx, ctx))
        return app_ctx
    ctx._cv_tokens.append((previous, None))
    _cv_contexts.set((previous_app_ctx, ctx))
    return None


def match(
    app: Vial,
    ctx: RequestContext,
    path: str,
    method: str,
    raw_has_escapes: bool,
    bad_host: bool,
) -> None:
    """``ctx.match_request()``, without its steps for a plain path on a map without hosts.

    ``path`` and ``method`` are the request's ``PATH_INFO`` and ``REQUEST_METHOD``,
    ``raw_has_escapes`` whether its raw URI has a ``%``, and ``bad_host`` whether its Host
    header holds a character no host may (the caller reads them from the environ or,
    under ASGI, from the scope, so that the environ need not exist yet).
    """
    request = ctx.request
    if bad_host:
        # As Werkzeug's URL adapter does for Flask: 400 before routing, whether or not
        # anything would have read the host.
        request.routing_exception = SecurityError("The Host header is not valid.")
        return
    url_map = app.url_map
    if (
        # A path Request.path would return unchanged:
        path[:1] != "/"
        or path[1:2] == "/"
        or not path.isascii()
        or "\x00" in path
        or raw_has_escapes
        # and a map without hosts:
        or request.trusted_hosts is not None
        or url_map.host_matching
        or app.subdomain_matching
        or not method.isupper()
        or (type(request) is not Request and type(request) is not RequestFromScope)
    ):
        ctx.match_request()
        return
    cache = request.__dict__
    cache["path"] = path
    cache["method"] = method
    # PERF: a static rule with nothing to redirect or fill in is one lookup here
    # (match_path and its matcher are two calls, about 1,000 instructions more).
    by_method = url_map._plain_static.get(path)
    if by_method is not None:
        rule = by_method.get(method)
        if rule is not None:
            request.url_rule = rule
            request.view_args = {}
            return
    try:
        # PERF: the matching step of url_map.match_path(path, method), for a path it would
        # pass on as it is; a redirect or an error is left to match_request() below.
        request.url_rule, request.view_args = url_map._resolve(
            url_map.default_subdomain, path, method, False
        )
        return
    except Exception:
        pass
    ctx.match_request()  # the error, with match_url's own handling (outside the except)


def serve(app: Vial, environ: WSGIEnvironment, start_response: StartResponse) -> t.Iterable[bytes]:
    """Answer one WSGI request (see the module docstring)."""
    ctx = make_context(app, environ)
    request = ctx.request
    app_ctx = push(app, ctx)
    error: BaseException | None = None
    try:
        # The raw method, as the full path's Response decides on a HEAD body from it.
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            host = environ.get("HTTP_HOST")
            match(
                app,
                ctx,
                environ.get("PATH_INFO") or "",
                method,
                "%" in (environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""),
                host is not None and host not in valid_hosts and host_is_invalid(host),
            )
            response = _dispatch(app, ctx, request)
        except Exception as e:
            error = e
            response = app.handle_exception(e)
        except BaseException:
            error = sys.exc_info()[1]
            raise

        if isinstance(response, tuple):
            status, headers, data = response
            start_response(status, headers)
            return () if method == "HEAD" else [data]
        # response(environ, start_response), for a body already in memory.
        if (
            type(response) is Response
            and response._length_from_data
            and type(response.response) is list
            and len(response.response) == 1
            and type(response.response[0]) is bytes
            and not response._on_close
            and not response.direct_passthrough
            and 200 <= response._status_code != 204
            and response._status_code != 304
            and method != "HEAD"
        ):
            start_response(response._status, response.headers._list)
            chunks: list[bytes] = response.response
            return chunks
        return response(environ, start_response)
    finally:
        pop(app, ctx, app_ctx, environ, error)


def _dispatch(app: Vial, ctx: RequestContext, request: t.Any) -> Response | PlainAnswer:
    """``app.full_dispatch_request()`` for a request with no hooks or signal receivers."""
    if (
        request.routing_exception is not None
        or request_started.receivers
        or app.url_value_preprocessors
        or app.before_request_funcs
    ):
        return app.full_dispatch_request()
    if not app._got_first_request:
        app._got_first_request = True
    rule = request.url_rule
    # request.method, not the environ's: a request class may report another method.
    if rule.provide_automatic_options and request.method == "OPTIONS":
        return app.full_dispatch_request()
    view = app.view_functions[rule.endpoint]
    try:
        try:
            sync_view = app._sync_cache.get(view)
        except TypeError:  # an unhashable callable (no cost on 3.11 until it happens)
            sync_view = None
        rv = (sync_view or app.ensure_sync(view))(**request.view_args)
    except Exception as e:
        rv = app.handle_user_exception(e)
    if needs_finalizing(app, ctx):
        return app.finalize_request(rv)
    return plain_response(app, rv)


def needs_finalizing(app: Vial, ctx: RequestContext, cookie_sent: bool | None = None) -> bool:
    """Whether after-request functions, a session or a receiver will see the response.

    ``cookie_sent``: whether the request has a Cookie header (``None``: look in its environ).
    """
    if ctx._after_request_functions or app.after_request_funcs or request_finished.receivers:
        return True
    # PERF: session_may_need_saving()'s answer for the default interface, without its call.
    if cookie_sent is None:
        cookie_sent = "HTTP_COOKIE" in ctx.request.environ
    if cookie_sent or ctx._session is not None:
        return True
    if app._session_interface is None and type(app).session_interface is _default_session_property:
        return False
    return session_may_need_saving(app, ctx, cookie_sent)


def session_may_need_saving(
    app: Vial, ctx: RequestContext, cookie_sent: bool | None = None
) -> bool:
    """Whether the request opened a session, sent a cookie, or the interface opens eagerly."""
    if cookie_sent is None:
        cookie_sent = "HTTP_COOKIE" in ctx.request.environ
    if cookie_sent or ctx._session is not None:
        return True
    interface = app._session_interface
    if interface is None:
        default = _default_session_property or _load_default_session_property()
        if type(app).session_interface is default:
            # The default signed-cookie interface opens lazily; not building it keeps
            # vial.sessions (and itsdangerous) unloaded until a session is used.
            return False
        interface = app.session_interface
    return not getattr(interface, "opens_lazily", False)


def plain_response(app: Vial, rv: t.Any) -> Response | PlainAnswer:
    """``app.make_response(rv)`` when nothing else will see the response."""
    if app.response_class is Response:
        answer = plain_answer(app, rv)
        if answer is not None:
            return answer
    response: Response = make_response_from_return_value(app, rv)
    check_latin1_headers(response.headers)
    return response


def pop(
    app: Vial,
    ctx: RequestContext,
    app_ctx: AppContext | None,
    environ: WSGIEnvironment | None,
    error: BaseException | None,
) -> None:
    """``ctx.pop(error)``; inline when nothing is registered to run at teardown.

    ``environ`` is ``None`` for a request the ASGI adapter made from its scope, whose
    environ exists only if something read it.
    """
    request = ctx.request
    # PERF: environ_if_built(request), inlined.
    if environ is None and (request._environ_source is None or "environ" in request.__dict__):
        environ = request.environ
    current = _cv_contexts.get()
    if (
        len(ctx._cv_tokens) != 1
        or (environ is not None and "werkzeug.debug.preserve_context" in environ)
        or app.teardown_request_funcs
        or app.teardown_appcontext_funcs
        or request_tearing_down.receivers
        or appcontext_tearing_down.receivers
        or appcontext_popped.receivers
        or current[1] is not ctx
        or (app_ctx is not None and current[0] is not app_ctx)
    ):
        pop_with_teardown(app, ctx, environ, error)
        return
    try:
        if request._form_parser is not None or request.__dict__.get("files"):
            request.close()
    finally:
        previous, _ = ctx._cv_tokens.pop()
        if app_ctx is not None:
            previous = app_ctx._cv_tokens.pop()
        _cv_contexts.set(previous)
        if environ is not None:
            environ["werkzeug.request"] = None


def pop_with_teardown(
    app: Vial, ctx: RequestContext, environ: WSGIEnvironment | None, error: BaseException | None
) -> None:
    """The end of ``wsgi_app``: preserve the contexts if asked, then ``ctx.pop(error)``."""
    preserve = None if environ is None else environ.get("werkzeug.debug.preserve_context")
    if preserve is not None:
        app_ctx, request_ctx = _cv_contexts.get()
        preserve(app_ctx)
        preserve(request_ctx)
    if error is not None and app.should_ignore_error(error):
        error = None
    ctx.pop(error)
