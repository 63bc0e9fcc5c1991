"""Application and request contexts, on :mod:`contextvars`."""

from __future__ import annotations

import sys
import typing as t
from functools import update_wrapper

from .globals import _cv_contexts
from .signals import appcontext_popped, appcontext_pushed
from .wrappers.request import environ_if_built

if t.TYPE_CHECKING:
    from .app import Vial
    from .routing import MapAdapter
    from .sessions import SessionMixin
    from .typing import AfterRequestCallable, WSGIEnvironment
    from .websockets import WebSocket
    from .wrappers.request import Request

_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])
_sentinel: t.Any = object()


class _AppCtxGlobals:
    """The ``g`` object: a plain namespace that lives as long as the app context."""

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __delattr__(self, name: str) -> None:
        try:
            del self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any = None) -> t.Any:
        """An attribute, or ``default``."""
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        """Remove an attribute and return it (or ``default``)."""
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        """An attribute, set to ``default`` first when missing."""
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_contexts.get()[0]
        if ctx is not None:
            return f"<vial.g of '{ctx.app.name}'>"
        return object.__repr__(self)


class AppContext:
    """Makes ``current_app`` and ``g`` available; pushed for every request and CLI command."""

    # PERF: defaults live on the class; __init__ sets only what differs per context.
    _url_adapter: MapAdapter | None = _sentinel
    _g: _AppCtxGlobals | None = None

    def __init__(self, app: Vial) -> None:
        self.app = app
        #: The contexts current before each push of this one, restored by its pop.
        self._cv_tokens: list[tuple[AppContext | None, RequestContext | None]] = []

    @property
    def g(self) -> _AppCtxGlobals:
        """The ``g`` namespace of this context (made on first use)."""
        g = self._g
        if g is None:
            g = self._g = self.app.app_ctx_globals_class()
        return g

    @g.setter
    def g(self, value: _AppCtxGlobals) -> None:
        self._g = value

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL adapter used by ``url_for`` outside requests (needs SERVER_NAME)."""
        if self._url_adapter is _sentinel:
            self._url_adapter = self.app.create_url_adapter(None)
        return self._url_adapter

    def push(self) -> None:
        """Make this the current app context."""
        # PERF and robustness: we keep the previous value rather than a Token, so a
        # context pushed in one contextvars.Context (a streamed generator's) can be
        # popped in another (the server's worker thread) without ValueError.
        previous = _cv_contexts.get()
        self._cv_tokens.append(previous)
        _cv_contexts.set((self, previous[1]))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        """Tear down (on the outermost pop) and restore the previous context."""
        self._pop(exc, teardown=True)

    def _pop(self, exc: BaseException | None, teardown: bool) -> None:
        try:
            if teardown and len(self._cv_tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            current = _cv_contexts.get()[0]
            _cv_contexts.set(self._cv_tokens.pop())
        if current is not self:
            raise AssertionError(f"Popped wrong app context. ({current!r} instead of {self!r})")
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<AppContext of {self.app.name!r}>"


class RequestContext:
    """Holds the request, its session and URL adapter while the request is handled.

    Pushing it also pushes an app context when none for this app is active.
    """

    # PERF: a shared empty tuple until after_this_request() is used; the other
    # defaults also live on the class, so __init__ sets only what differs.
    _after_request_functions: t.Sequence[AfterRequestCallable] = ()
    _url_adapter: MapAdapter | None = _sentinel
    flashes: list[tuple[str, str]] | None = None
    #: The connection, when this context serves a WebSocket handler.
    websocket: WebSocket | None = None

    def __init__(
        self,
        app: Vial,
        environ: WSGIEnvironment,
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
            trusted = app.config["TRUSTED_HOSTS"]
            if trusted is not None:
                request.trusted_hosts = trusted
        self.request = request
        self._session = session
        #: Per push: the contexts to restore when popping this one (its app context still
        #: current, when it pushed one), and the app context it pushed (or ``None``).
        self._cv_tokens: list[
            tuple[tuple[AppContext | None, RequestContext | None], AppContext | None]
        ] = []

    @property
    def url_adapter(self) -> MapAdapter | None:
        """The URL map bound to this request, for ``url_for`` (made on first use)."""
        if self._url_adapter is _sentinel:
            self._url_adapter = self.app.create_url_adapter(self.request)
        return self._url_adapter

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    @property
    def session(self) -> SessionMixin:
        """The session, opened from the request on first use."""
        session = self._session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._session = session
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._session = value

    @property
    def session_opened(self) -> bool:
        """Whether the session was used (and so must be saved)."""
        return self._session is not None

    def copy(self) -> RequestContext:
        """A new context for the same request and session (for background work).

        The session is opened here if it was not yet, so that both contexts share
        one session object: what the view writes to it after copying is seen by
        the copy, as in Flask, where the session is opened when the request starts.
        """
        return self.__class__(
            self.app, self.request.environ, request=self.request, session=self.session
        )

    def match_request(self) -> None:
        """Match the URL; a routing error is stored on the request and raised in dispatch."""
        request = self.request
        try:
            request.url_rule, request.view_args = self.app.match_url(
                request, websocket=self.websocket is not None
            )
        except Exception as error:
            request.routing_exception = error

    def push(self) -> None:
        """Make this the current request context (and its app's context)."""
        current = _cv_contexts.get()
        app_ctx = current[0]
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
            current = _cv_contexts.get()
        else:
            app_ctx = None
        self._cv_tokens.append((current, app_ctx))
        _cv_contexts.set((current[0], self))
        if self.request.url_rule is None and self.request.routing_exception is None:
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        """Tear down the request (on the outermost pop) and restore the previous context."""
        self._pop(exc, teardown=True)

    @property
    def owns_app_context(self) -> bool:
        """Whether popping this context also pops an app context it pushed."""
        return bool(self._cv_tokens) and self._cv_tokens[-1][1] is not None

    def _pop(self, exc: BaseException | None, teardown: bool) -> None:
        """Pop; with ``teardown=False`` the caller has run the teardown functions itself."""
        clear_request = len(self._cv_tokens) == 1
        try:
            if teardown and clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
        finally:
            try:
                if clear_request:
                    self.request.close()
            finally:
                current = _cv_contexts.get()[1]
                previous, app_ctx = self._cv_tokens.pop()
                _cv_contexts.set(previous)
                if clear_request:
                    environ = environ_if_built(self.request)
                    if environ is not None:
                        environ["werkzeug.request"] = None
                if app_ctx is not None:
                    app_ctx._pop(exc, teardown)
        if current is not self:
            raise AssertionError(f"Popped wrong request context. ({current!r} instead of {self!r})")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: t.Any, exc_value: BaseException | None, tb: t.Any) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"<{name} {self.request.url!r} [{self.request.method}] of {self.app.name}>"


def has_app_context() -> bool:
    """Whether an application context is active."""
    return _cv_contexts.get()[0] is not None


def has_request_context() -> bool:
    """Whether a request context is active."""
    return _cv_contexts.get()[1] is not None


def after_this_request(f: _F) -> _F:
    """Run ``f(response)`` after this request only (a decorator usable in views)."""
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request context is active, such as"
            " in a view function."
        )
    if not isinstance(ctx._after_request_functions, list):
        ctx._after_request_functions = []
    ctx._after_request_functions.append(f)
    return f


def copy_current_request_context(f: _F) -> _F:
    """Wrap ``f`` so it runs in a copy of the current request context (for threads, greenlets)."""
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a request context is"
            " active, such as in a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return t.cast(_F, update_wrapper(wrapper, f))
