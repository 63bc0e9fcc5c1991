"""Jinja2 templates: rendering, streaming, and the app's template registration.

Jinja itself is imported when an app first builds its environment (the first
render, or the first ``template_filter``), not by ``import vial``.
:class:`Environment` and :class:`DispatchingJinjaLoader` live in
``vial._jinja`` and are importable from here.
"""

from __future__ import annotations

import typing as t

from .globals import _cv_contexts, current_app, g, request, session
from .scaffold import setupmethod
from .signals import before_render_template, template_rendered

if t.TYPE_CHECKING:
    from jinja2 import Template

    from ._jinja import DispatchingJinjaLoader as DispatchingJinjaLoader
    from ._jinja import Environment as Environment
    from .app import Vial

T_template_filter = t.TypeVar("T_template_filter", bound=t.Callable[..., t.Any])
T_template_global = t.TypeVar("T_template_global", bound=t.Callable[..., t.Any])
T_template_test = t.TypeVar("T_template_test", bound=t.Callable[..., bool])

_AUTOESCAPE_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg")


def __getattr__(name: str) -> t.Any:
    if name in {"Environment", "DispatchingJinjaLoader"}:
        from . import _jinja

        return getattr(_jinja, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_template_ctx_processor() -> dict[str, t.Any]:
    """Put ``g``, ``request`` and ``session`` into every template's context."""
    app_ctx, req_ctx = _cv_contexts.get()
    rv: dict[str, t.Any] = {}
    if app_ctx is not None:
        rv["g"] = app_ctx.g
    if req_ctx is not None:
        rv["request"] = req_ctx.request
        # The proxy, not the session: a template that never reads it does not open it.
        rv["session"] = session
    return rv


def _current_app() -> Vial:
    ctx = _cv_contexts.get()[0]
    if ctx is None:
        return current_app._get_current_object()  # type: ignore[attr-defined, no-any-return]
    return ctx.app


def _render(app: Vial, template: Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    rv = template.render(context)
    if template_rendered.receivers:
        template_rendered.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )
    return rv


def render_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> str:
    """Render a template from the template folders with the given context.

    :param template_name_or_list: a template name, or a list of names: the first
        that exists is rendered.
    :param context: variables for the template, on top of ``config``, ``request``,
        ``session``, ``g``, ``url_for``, ``get_flashed_messages`` and what the
        context processors return.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template from a source string (autoescaped) with the given context."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def _stream(app: Vial, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if before_render_template.receivers:
        before_render_template.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if template_rendered.receivers:
            template_rendered.send(
                app, _async_wrapper=app.ensure_sync, template=template, context=context
            )

    rv = generate()
    if _cv_contexts.get()[1] is not None:
        from .helpers import stream_with_context

        rv = stream_with_context(rv)
    return rv


def stream_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> t.Iterator[str]:
    """Render a template piece by piece, as an iterator to return from a view.

    The request context stays available to the template while it streams.
    """
    app = _current_app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Render a template source string piece by piece; see :func:`stream_template`."""
    app = _current_app()
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)


class _LazyEnvironmentClass:
    """``Vial.jinja_environment``: :class:`Environment`, imported when first read.

    Subclasses (or instances) replace it by plain assignment.
    """

    def __get__(self, obj: object, owner: type | None = None) -> type[Environment]:
        from ._jinja import Environment

        return Environment


class _TemplatingMixin:
    """The template half of :class:`~vial.Vial`: environment, loaders and template helpers."""

    if t.TYPE_CHECKING:
        jinja_environment: type[Environment]
    else:
        jinja_environment = _LazyEnvironmentClass()

    @property
    def jinja_env(self) -> Environment:
        """The app's Jinja environment, made by :meth:`create_jinja_environment` on first use."""
        app = t.cast("Vial", self)
        env = app._jinja_env
        if env is None:
            env = app._jinja_env = app.create_jinja_environment()
        return t.cast("Environment", env)

    @jinja_env.setter
    def jinja_env(self, value: Environment) -> None:
        t.cast("Vial", self)._jinja_env = value

    def create_jinja_environment(self) -> Environment:
        """Build :attr:`jinja_env` from :attr:`jinja_options`; override to customize it.

        Autoescaping follows :meth:`select_jinja_autoescape` and ``auto_reload``
        follows ``TEMPLATES_AUTO_RELOAD`` (debug mode when it is ``None``), unless
        ``jinja_options`` sets them. The globals ``url_for``, ``get_flashed_messages``,
        ``config``, ``request``, ``session`` and ``g`` are added.
        """
        from .helpers import get_flashed_messages

        app = t.cast("Vial", self)
        options = dict(app.jinja_options)
        if "autoescape" not in options:
            options["autoescape"] = app.select_jinja_autoescape
        if "auto_reload" not in options:
            auto_reload = app.config["TEMPLATES_AUTO_RELOAD"]
            options["auto_reload"] = app.debug if auto_reload is None else auto_reload
        env = app.jinja_environment(app, **options)
        env.globals.update(
            url_for=app.url_for,
            get_flashed_messages=get_flashed_messages,
            config=app.config,
            request=request,
            session=session,
            g=g,
        )
        env.policies["json.dumps_function"] = app.json.dumps
        return env

    def create_global_jinja_loader(self) -> DispatchingJinjaLoader:
        """The loader of :attr:`jinja_env`: the app's templates, then each blueprint's."""
        from ._jinja import DispatchingJinjaLoader

        return DispatchingJinjaLoader(t.cast("Vial", self))

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Whether to autoescape a template: template strings and .html/.htm/.xml/.xhtml/.svg."""
        if filename is None:
            return True
        return filename.endswith(_AUTOESCAPE_SUFFIXES)

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add what the context processors return to ``context`` (the given values win).

        The app's processors run first, then those of the request's blueprints,
        outermost first.
        """
        app = t.cast("Vial", self)
        processors = app.template_context_processors
        app_ctx, req_ctx = _cv_contexts.get()
        names: tuple[str | None, ...] = (None,)
        if req_ctx is not None and len(processors) > 1:  # blueprints registered some
            blueprints = req_ctx.request.blueprints
            if blueprints:
                names = (None, *reversed(blueprints))
        app_funcs = processors.get(None)
        if (
            len(names) == 1
            and app_funcs is not None
            and len(app_funcs) == 1
            and app_funcs[0] is default_template_ctx_processor
        ):
            # PERF: only the built-in processor: setdefault lets the given values win
            # without copying the context twice.
            if app_ctx is not None:
                context.setdefault("g", app_ctx.g)
            if req_ctx is not None:
                context.setdefault("request", req_ctx.request)
                context.setdefault("session", session)
            return
        original = context.copy() if context else None
        ensure_sync = app.ensure_sync
        for name in names:
            funcs = processors.get(name)
            if funcs:
                for func in funcs:
                    context.update(ensure_sync(func)())
        if original:
            context.update(original)

    # -- template filters, tests and globals ----------------------------------------------------

    @t.overload
    def template_filter(self, name: T_template_filter) -> T_template_filter: ...
    @t.overload
    def template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]: ...
    @setupmethod
    def template_filter(
        self, name: T_template_filter | str | None = None
    ) -> T_template_filter | t.Callable[[T_template_filter], T_template_filter]:
        """Register the decorated function as a Jinja filter (named after it by default).

        Use ``@app.template_filter()``, ``@app.template_filter("name")`` or
        ``@app.template_filter``.
        """
        if callable(name):
            self.add_template_filter(name)
            return name

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register ``f`` as a Jinja filter; the non-decorator form of :meth:`template_filter`."""
        self.jinja_env.filters[name or f.__name__] = f

    @t.overload
    def template_test(self, name: T_template_test) -> T_template_test: ...
    @t.overload
    def template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]: ...
    @setupmethod
    def template_test(
        self, name: T_template_test | str | None = None
    ) -> T_template_test | t.Callable[[T_template_test], T_template_test]:
        """Register the decorated function as a Jinja test (``{% if x is name %}``)."""
        if callable(name):
            self.add_template_test(name)
            return name

        def decorator(f: T_template_test) -> T_template_test:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        """Register ``f`` as a Jinja test; the non-decorator form of :meth:`template_test`."""
        self.jinja_env.tests[name or f.__name__] = f

    @t.overload
    def template_global(self, name: T_template_global) -> T_template_global: ...
    @t.overload
    def template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]: ...
    @setupmethod
    def template_global(
        self, name: T_template_global | str | None = None
    ) -> T_template_global | t.Callable[[T_template_global], T_template_global]:
        """Register the decorated function as a global available in every template."""
        if callable(name):
            self.add_template_global(name)
            return name

        def decorator(f: T_template_global) -> T_template_global:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Register ``f`` as a template global; non-decorator form of :meth:`template_global`."""
        self.jinja_env.globals[name or f.__name__] = f
