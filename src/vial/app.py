"""The application object: registration, configuration and the request pipeline."""

from __future__ import annotations

import os
import sys
import typing as t
import weakref
from datetime import timedelta
from itertools import chain
from threading import Lock
from types import MethodType
from urllib.parse import quote

from . import _async, _chains, _fast_pipeline
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .datastructures import ImmutableDict
from .exceptions import (
    Aborter,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
    SecurityError,
    UpgradeRequired,
)
from .globals import _cv_contexts, request_ctx
from .response_making import make_response_from_return_value
from .routing import (
    BuildError,
    Map,
    MapAdapter,
    RequestRedirect,
    RoutingException,
    Rule,
    WebsocketMismatch,
)
from .scaffold import Scaffold, _endpoint_from_view_func, find_package, setupmethod
from .signals import (
    appcontext_tearing_down,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from .templating import _TemplatingMixin, default_template_ctx_processor
from .wrappers.request import Request, host_is_invalid, valid_hosts
from .wrappers.response import Response, check_latin1_headers

if t.TYPE_CHECKING:
    import logging

    from .asgi import ASGIApp
    from .blueprints import Blueprint
    from .cli import VialCliRunner
    from .json.provider import JSONProvider
    from .sessions import SessionInterface
    from .testing import VialClient
    from .typing import (
        ErrorHandlerCallable,
        ResponseReturnValue,
        StartResponse,
        TeardownCallable,
        WSGIEnvironment,
    )

T_teardown = t.TypeVar("T_teardown", bound=t.Callable[..., t.Any])
T_shell_context_processor = t.TypeVar("T_shell_context_processor", bound=t.Callable[..., t.Any])
_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def _make_timedelta(value: timedelta | int) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def _default_json_provider_class() -> type[JSONProvider]:
    from .json.provider import default_provider_class

    return default_provider_class()


class Vial(Scaffold, _TemplatingMixin):
    """The central object of a vial application; Flask's ``Flask`` class.

    :param import_name: the name of the app's module or package, usually ``__name__``.
    :param static_url_path: URL prefix of the static route (``/static`` by default).
    :param static_folder: folder of static files, relative to :attr:`root_path`.
    :param static_host: the host of the static route, with ``host_matching``.
    :param host_matching: match rules by host as well as path.
    :param subdomain_matching: match subdomains relative to ``SERVER_NAME``.
    :param template_folder: folder of templates, relative to :attr:`root_path`.
    :param instance_path: the instance folder (``instance/`` beside the app by default).
    :param instance_relative_config: load relative config files from the instance folder.
    :param root_path: the app's folder, when it cannot be found from ``import_name``.
    """

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    url_rule_class = Rule
    url_map_class = Map
    test_client_class: type[VialClient] | None = None
    test_cli_runner_class: type[VialCliRunner] | None = None
    jinja_options: dict[str, t.Any] = {}

    testing = ConfigAttribute[bool]("TESTING")
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME", get_converter=_make_timedelta
    )

    default_config = ImmutableDict(
        {
            "DEBUG": None,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": None,
            "SECRET_KEY": None,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
            "USE_X_SENDFILE": False,
            "TRUSTED_HOSTS": None,
            "SERVER_NAME": None,
            "APPLICATION_ROOT": "/",
            "SESSION_COOKIE_NAME": "session",
            "SESSION_COOKIE_DOMAIN": None,
            "SESSION_COOKIE_PATH": None,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_PARTITIONED": False,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_REFRESH_EACH_REQUEST": True,
            "MAX_CONTENT_LENGTH": None,
            "MAX_FORM_MEMORY_SIZE": 500_000,
            "MAX_FORM_PARTS": 1_000,
            "SEND_FILE_MAX_AGE_DEFAULT": None,
            "TRAP_BAD_REQUEST_ERRORS": None,
            "TRAP_HTTP_EXCEPTIONS": False,
            "EXPLAIN_TEMPLATE_LOADING": False,
            "PREFERRED_URL_SCHEME": "http",
            "TEMPLATES_AUTO_RELOAD": None,
            "MAX_COOKIE_SIZE": 4093,
            "PROVIDE_AUTOMATIC_OPTIONS": True,
            "ASGI_THREAD_POOL_SIZE": 40,
            "ASGI_BODY_TIMEOUT": 60.0,
            "ASGI_BODY_SPOOL_SIZE": 1024 * 1024,
            "WEBSOCKET_MAX_MESSAGE_SIZE": 1024 * 1024,
        }
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.make_aborter()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[TeardownCallable] = []
        self.shell_context_processors: list[t.Callable[[], dict[str, t.Any]]] = []
        self.before_serving_funcs: list[t.Callable[[], t.Any]] = []
        self.after_serving_funcs: list[t.Callable[[], t.Any]] = []
        self.while_serving_gens: list[t.Callable[[], t.Any]] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False
        self._sync_cache: dict[t.Callable[..., t.Any], t.Callable[..., t.Any]] = {}
        self._logger: logging.Logger | None = None
        self._logger_lock = Lock()
        self._asgi: ASGIApp | None = None
        self._session_interface: SessionInterface | None = None
        self._jinja_env: t.Any = None
        self._cli: t.Any = None
        self.template_context_processors[None].append(default_template_ctx_processor)
        if self.has_static_folder:
            assert bool(static_host) == host_matching, (
                "Invalid static_host/host_matching combination"
            )
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=_static_view(self),
            )

    json_provider_class: type[JSONProvider] = t.cast("type[JSONProvider]", None)
    #: The class of :attr:`aborter`, made by :meth:`make_aborter`.
    aborter_class: type[Aborter] = Aborter
    #: Whether :mod:`vial._fast_pipeline` may serve requests (None: not decided yet).
    _standard_pipeline: bool | None = None
    #: Whether it may also stand in for ``wsgi_app`` (not replaced or wrapped).
    _serves_directly: bool | None = None

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)

    # -- identity and configuration ------------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        """The app's name: the import name, or the script's name when run as ``__main__``."""
        if self.import_name == "__main__":
            fn: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if fn is None:
                return "__main__"
            return os.path.splitext(os.path.basename(fn))[0]
        return self.import_name

    @property
    def debug(self) -> bool:
        """Debug mode (the ``DEBUG`` config key)."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and self._jinja_env is not None:
            self._jinja_env.auto_reload = value

    @property
    def logger(self) -> logging.Logger:
        """The app's logger, named after the app (a default handler is added if none is set)."""
        if self._logger is None:
            with self._logger_lock:
                if self._logger is None:
                    from .logging import create_logger

                    self._logger = create_logger(self)
        return self._logger

    def make_config(self, instance_relative: bool = False) -> Config:
        """Create :attr:`config` from :attr:`default_config`; ``DEBUG`` is what
        ``VIAL_DEBUG`` says (false without it), as Flask does with ``FLASK_DEBUG``."""
        from ._env_flags import get_debug_flag

        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def make_aborter(self) -> t.Any:
        """The :class:`~vial.exceptions.Aborter` used by ``vial.abort``: an instance of
        :attr:`aborter_class`."""
        return self.aborter_class()

    def auto_find_instance_path(self) -> str:
        """``instance/`` beside the package (``<prefix>/var/<name>-instance`` if installed)."""
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def open_instance_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open a file in the instance folder (writing is allowed there)."""
        path = os.path.join(self.instance_path, resource)
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding=encoding or "utf-8")

    @property
    def session_interface(self) -> SessionInterface:
        """How sessions are loaded and saved (signed cookies by default); replaceable."""
        if self._session_interface is None:
            from .sessions import SecureCookieSessionInterface

            self._session_interface = SecureCookieSessionInterface()
        return self._session_interface

    @session_interface.setter
    def session_interface(self, value: SessionInterface) -> None:
        self._session_interface = value

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the application. It"
                " has already handled its first request, any changes will not be applied"
                " consistently.\nMake sure all imports, decorators, functions, etc. needed to"
                " set up the application are done before running it."
            )

    # -- routes --------------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a URL rule, and ``view_func`` as the view of its endpoint.

        :param rule: the URL rule string.
        :param endpoint: the endpoint name (the function's name by default).
        :param view_func: the view; may be omitted and attached later with :meth:`endpoint`.
        :param provide_automatic_options: answer OPTIONS automatically (default: unless the
            view handles OPTIONS itself).
        :param options: ``methods``, ``defaults``, ``strict_slashes`` ... for the Rule.
        """
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for example:"
                ' @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False
        methods |= required_methods
        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options
        self.url_map.add(rule_obj)
        if view_func is not None:
            old_func = self.view_functions.get(endpoint)
            if old_func is not None and old_func != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing endpoint function:"
                    f" {endpoint}"
                )
            self.view_functions[endpoint] = view_func

    def match_url(self, request: Request, websocket: bool = False) -> tuple[Rule, dict[str, t.Any]]:
        """Find the rule and arguments for ``request`` (raises the routing HTTP errors)."""
        url_map = self.url_map
        try:
            path_error = request.path_error
            if path_error is not None:
                raise path_error
            host = request.environ.get("HTTP_HOST")
            if host is not None and host not in valid_hosts and host_is_invalid(host):
                raise SecurityError("The Host header is not valid.")  # as _fast_pipeline.match
            if request.trusted_hosts is not None:
                # TRUSTED_HOSTS: an unlisted Host is a 400 for every request, not only
                # the ones that build a URL (SecurityError is a BadRequest).
                request.host  # noqa: B018
            if url_map.host_matching or self.subdomain_matching:
                adapter = self.create_url_adapter(request)
                assert adapter is not None
                rule, args = adapter.match(return_rule=True, websocket=websocket)
                return t.cast(Rule, rule), args
            return url_map.match_path(request.path, request.method, websocket=websocket)
        except WebsocketMismatch:
            if websocket:
                raise
            raise UpgradeRequired() from None
        except RequestRedirect:
            # Redirects are rare: only now build the absolute target with the query string.
            try:
                url_map.match_path(
                    request.path,
                    request.method,
                    script_name=quote(request.root_path, safe="/"),
                    query_string=request.environ.get("QUERY_STRING", ""),
                )
            except RequestRedirect as full:
                redirect = full
            if "://" not in redirect.new_url:
                redirect.new_url = f"{request.scheme}://{request.host}{redirect.new_url}"
            raise redirect from None
        except HTTPException as e:
            # Matched again after a failed first try: not "during handling of" that try.
            e.__context__ = None
            raise

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """Bind the URL map to a request, or to SERVER_NAME when there is no request."""
        config = self.config
        if request is not None:
            server_name = config["SERVER_NAME"]
            if self.url_map.host_matching or self.subdomain_matching:
                subdomain = (
                    None if self.subdomain_matching else self.url_map.default_subdomain or None
                )
                return self.url_map.bind_to_environ(
                    request.environ, server_name=server_name, subdomain=subdomain
                )
            return self.url_map.bind(
                server_name or request.host,
                script_name=request.root_path or "/",
                url_scheme=request.scheme,
                default_method=request.method,
                path_info=request.path,
                query_args=request.environ.get("QUERY_STRING", ""),
            )
        if config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                config["SERVER_NAME"],
                script_name=config["APPLICATION_ROOT"],
                url_scheme=config["PREFERRED_URL_SCHEME"],
            )
        return None

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        """Run the ``url_defaults`` functions of the app and the endpoint's blueprints."""
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            parts = endpoint.split(".")[:-1]
            names = chain(names, (".".join(parts[:i]) for i in range(1, len(parts) + 1)))
        for name in names:
            if name in self.url_default_functions:
                for func in self.url_default_functions[name]:
                    func(endpoint, values)

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """Build the URL of ``endpoint``; see :func:`vial.url_for`."""
        req_ctx = _cv_contexts.get()[1]
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint_name = req_ctx.request.blueprint
            if endpoint[:1] == ".":
                endpoint = (
                    f"{blueprint_name}{endpoint}" if blueprint_name is not None else endpoint[1:]
                )
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_contexts.get()[0]
            url_adapter = (
                app_ctx.url_adapter if app_ctx is not None else self.create_url_adapter(None)
            )
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request without 'SERVER_NAME'"
                    " configured. Also configure 'APPLICATION_ROOT' and"
                    " 'PREFERRED_URL_SCHEME' as needed."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")
        self.inject_url_defaults(endpoint, values)
        assert url_adapter is not None
        try:
            rv = url_adapter.build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=_external
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe='%!#$&()*+,/:;=?@')}"
        return rv

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        """Try the ``url_build_error_handlers``; re-raise the BuildError when none answers."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    def redirect(self, location: str, code: int = 302) -> Response:
        """A redirect response; used by :func:`vial.redirect` inside an app context."""
        from .helpers import _redirect

        return _redirect(location, code, self.response_class)

    # -- hooks only the app has ----------------------------------------------------------------

    @setupmethod
    def teardown_appcontext(self, f: T_teardown) -> T_teardown:
        """Run ``f(error_or_None)`` when the app context is popped."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def before_serving(self, f: _F) -> _F:
        """Run ``f()`` (sync or async) once when an ASGI server starts, in an app context.

        If it raises, the server reports ``lifespan.startup.failed`` and does not start.
        """
        self.before_serving_funcs.append(f)
        return f

    @setupmethod
    def after_serving(self, f: _F) -> _F:
        """Run ``f()`` (sync or async) once when an ASGI server shuts down."""
        self.after_serving_funcs.append(f)
        return f

    @setupmethod
    def while_serving(self, f: _F) -> _F:
        """Register a generator that yields once: start-up before the yield, shut-down after."""
        self.while_serving_gens.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: T_shell_context_processor) -> T_shell_context_processor:
        """Register a function whose dict is added to ``vial shell``'s namespace."""
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        """The namespace of ``vial shell``: ``app``, ``g`` and the shell context processors'."""
        from .globals import g

        namespace: dict[str, t.Any] = {"app": self, "g": g}
        for processor in self.shell_context_processors:
            namespace.update(processor())
        return namespace

    # -- blueprints ----------------------------------------------------------------------------

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a :class:`~vial.Blueprint` on the app.

        :param options: ``url_prefix``, ``subdomain``, ``url_defaults`` and ``name``
            (to register one blueprint twice) override the blueprint's own values;
            every option is passed to its :meth:`~vial.Blueprint.record` functions.
        """
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        """The registered blueprints, in registration order."""
        return self.blueprints.values()

    # -- async support -------------------------------------------------------------------------

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """A sync callable for ``func`` (async functions are wrapped to run to completion)."""
        try:
            cached = self._sync_cache.get(func)
        except TypeError:  # an unhashable callable, never cached (see below)
            cached = None
        if cached is not None:
            return cached
        wrapped = self.async_to_sync(func) if _async.is_coroutine_function(func) else func
        if type(func) is not MethodType:  # a bound method is a new object each time
            try:
                self._sync_cache[func] = wrapped
            except TypeError:  # unhashable callables are rare; skip the cache for them
                pass
        return wrapped

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """Wrap a coroutine function so sync code can call it (on a reused event loop)."""

        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if _async.running_server_loop() is not None:
                from .asgi import receive_body_before_async_code

                receive_body_before_async_code()
            return _async.run_coroutine_sync(func(*args, **kwargs))

        run.__wrapped__ = func  # type: ignore[attr-defined]
        return run

    # -- the request pipeline ------------------------------------------------------------------

    def preprocess_request(self) -> ResponseReturnValue | None:
        """Run URL value preprocessors and before-request hooks; a non-None hook result wins."""
        # PERF: an app without these hooks skips building the chains (most requests).
        if not (self.url_value_preprocessors or self.before_request_funcs):
            return None
        req = _current_request_ctx().request
        for url_func in _chains.url_value_preprocessors(self, req):
            self.ensure_sync(url_func)(req.endpoint, req.view_args)
        for before_func in _chains.before_request_funcs(self, req):
            rv = self.ensure_sync(before_func)()
            if rv is not None:
                return rv  # type: ignore[no-any-return]
        return None

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the routing error stored on the request.

        In debug mode, a redirect that would make a browser drop a request's form data
        (a 301/302/303 for a method other than GET, HEAD or OPTIONS) raises
        :class:`~vial.debughelpers.FormDataRoutingRedirect` instead, as in Flask.
        """
        error = request.routing_exception
        if (
            self.debug
            and isinstance(error, RequestRedirect)
            and error.code not in (307, 308)
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            from .debughelpers import FormDataRoutingRedirect

            raise FormDataRoutingRedirect(request)
        raise t.cast(Exception, error)

    def dispatch_request(self) -> ResponseReturnValue:
        """Call the matched view with its URL arguments (or answer OPTIONS automatically)."""
        req = _current_request_ctx().request
        if req.routing_exception is not None:
            self.raise_routing_exception(req)
        rule: Rule = req.url_rule  # type: ignore[assignment]
        if rule.provide_automatic_options and req.method == "OPTIONS":
            return self.make_default_options_response()
        view_args: dict[str, t.Any] = req.view_args  # type: ignore[assignment]
        return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]

    def full_dispatch_request(self) -> Response:
        """Hooks, view, error handling and after-request processing for one request."""
        self._got_first_request = True
        try:
            if request_started.receivers:
                request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def finalize_request(
        self, rv: ResponseReturnValue | HTTPException, from_error_handler: bool = False
    ) -> Response:
        """Turn ``rv`` into a response and run the after-request processing."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            check_latin1_headers(response.headers)
            if request_finished.receivers:
                request_finished.send(self, _async_wrapper=self.ensure_sync, response=response)
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def make_default_options_response(self) -> Response:
        """The automatic answer to OPTIONS: an empty 200 with an Allow header."""
        adapter = request_ctx.url_adapter
        assert adapter is not None
        methods = adapter.allowed_methods()
        rv = self.response_class()
        rv.headers["Allow"] = ", ".join(sorted(methods))
        return rv

    def make_response(self, rv: ResponseReturnValue | HTTPException) -> Response:
        """Turn a view's return value into a :attr:`response_class` instance (see Flask's rules)."""
        return make_response_from_return_value(self, rv)

    def process_response(self, response: Response) -> Response:
        """Run after-request functions (the request's, blueprints', app's); save the session."""
        ctx = _current_request_ctx()
        if ctx._after_request_functions or self.after_request_funcs:
            for func in _chains.after_request_funcs(self, ctx):
                response = self.ensure_sync(func)(response)
        if _fast_pipeline.session_may_need_saving(self, ctx):
            self.save_session_if_used(ctx, response)
        return response

    def save_session_if_used(self, ctx: RequestContext, response: Response) -> None:
        """Save the session into ``response`` when the request opened (or sent) one."""
        interface = self.session_interface
        if (
            ctx.session_opened or _session_needs_saving(self, interface, ctx.request)
        ) and not interface.is_null_session(ctx.session):
            interface.save_session(self, ctx.session, response)

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        """Run teardown-request functions (blueprints', then the app's; last registered first)."""
        if self.teardown_request_funcs:
            ctx = t.cast(RequestContext, _cv_contexts.get()[1])
            for func in _chains.teardown_request_funcs(self, ctx.request):
                self.ensure_sync(func)(exc)
        if request_tearing_down.receivers:
            request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        """Run the teardown-appcontext functions, last registered first."""
        for func in reversed(self.teardown_appcontext_funcs):
            self.ensure_sync(func)(exc)
        if appcontext_tearing_down.receivers:
            appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    # -- errors --------------------------------------------------------------------------------

    def _find_error_handler(
        self, e: BaseException, blueprints: list[str]
    ) -> ErrorHandlerCallable | None:
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        spec = self.error_handler_spec
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = spec[name][c] if name in spec and c in spec[name] else None
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether an HTTP exception should propagate instead of becoming its response."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequestKeyError) or getattr(e, "code", None) == 400
        return False

    def handle_http_exception(self, e: HTTPException) -> HTTPException | ResponseReturnValue:
        """Answer an HTTP exception with its registered handler, or with the exception itself."""
        if e.code is None:
            return e
        if isinstance(e, RoutingException):
            return e
        handler = self._find_error_handler(e, request_ctx.request.blueprints)
        if handler is None:
            return e
        return t.cast("ResponseReturnValue", self.ensure_sync(handler)(e))

    def handle_user_exception(self, e: Exception) -> HTTPException | ResponseReturnValue:
        """Answer an exception raised by a hook or view, or re-raise it when unhandled."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, request_ctx.request.blueprints)
        if handler is None:
            raise
        return t.cast("ResponseReturnValue", self.ensure_sync(handler)(e))

    def handle_exception(self, e: Exception) -> Response:
        """Answer an unhandled exception with a 500 (or re-raise it when propagating).

        Exceptions propagate when ``PROPAGATE_EXCEPTIONS`` is set, or when it is None
        and the app is testing. Unlike Flask, debug mode alone does not propagate:
        with :attr:`debug` on (and no propagation), the exception is logged and
        answered with the read-only debug page (:mod:`vial.debug`: traceback and
        source, never a console) with status 500, in place of the 500 handler.
        """
        exc_info = sys.exc_info()
        if got_request_exception.receivers:
            got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing
        if propagate:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        if self.debug:
            from .debug import debug_response

            return debug_response(self, e)
        server_error: InternalServerError | ResponseReturnValue = InternalServerError(
            original_exception=e
        )
        handler = self._find_error_handler(server_error, request_ctx.request.blueprints)  # type: ignore[arg-type]
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(self, exc_info: t.Any) -> None:
        """Log an unhandled exception (request-derived text is escaped first)."""
        from .logging import sanitize_for_log

        req = request_ctx.request
        try:
            path = req.path
        except Exception:
            path = req.environ.get("PATH_INFO", "")
        self.logger.error(
            f"Exception on {sanitize_for_log(path)} [{sanitize_for_log(req.method)}]",
            exc_info=exc_info,
        )

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions should see ``error`` as None (never, by default)."""
        return False

    # -- contexts ------------------------------------------------------------------------------

    def app_context(self) -> AppContext:
        """A new application context (``with app.app_context(): ...``)."""
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        """A new request context for a WSGI environ (or the one the ASGI adapter prepared)."""
        prepared = environ.pop("vial.request_context", None)
        if prepared is not None:
            return t.cast(RequestContext, prepared)
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a made-up request; takes the test client's arguments."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> VialClient:
        """A client that sends requests to the app in-process; ``asgi=True`` uses the ASGI path."""
        from .testing import VialClient

        cls = self.test_client_class or VialClient
        return cls(self, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> VialCliRunner:
        """A click runner for the app's commands: ``runner.invoke(args=["my-command"])``."""
        from .cli import VialCliRunner

        cls = self.test_cli_runner_class or VialCliRunner
        return cls(self, **kwargs)

    # -- the interfaces ------------------------------------------------------------------------

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """The WSGI application; wrap this (not the app) in middleware, as in Flask."""
        standard = self._standard_pipeline
        if standard is None:
            standard = self._standard_pipeline = _fast_pipeline.is_standard(self)
        if standard and "vial.request_context" not in environ:
            return _fast_pipeline.serve(self, environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except BaseException:
                error = sys.exc_info()[1]
                raise
            return response(environ, start_response)
        finally:
            _fast_pipeline.pop_with_teardown(self, ctx, environ, error)

    def __setattr__(self, name: str, value: t.Any) -> None:
        # A pipeline method or wsgi_app replaced on the instance turns the inlined
        # pipeline off (the cached decisions are made again).
        if name in _fast_pipeline.PIPELINE_METHODS or name == "wsgi_app":
            object.__setattr__(self, "_standard_pipeline", None)
            object.__setattr__(self, "_serves_directly", None)
        object.__setattr__(self, name, value)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Serve WSGI: ``gunicorn module:app``. For ASGI use :attr:`asgi`."""
        direct = self._serves_directly
        if direct is None:
            direct = _fast_pipeline.serves_directly(self)
        if direct:  # PERF: what wsgi_app() would do, one call less
            return _fast_pipeline.serve(self, environ, start_response)
        return self.wsgi_app(environ, start_response)

    @property
    def asgi(self) -> ASGIApp:
        """The ASGI 3 application for this app: ``uvicorn module:app.asgi``."""
        if self._asgi is None:
            from .asgi import ASGIApp

            self._asgi = ASGIApp(self)
        return self._asgi

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app on uvicorn; ``vial run`` does the same from a shell.

        :param host: the interface (``127.0.0.1``, or SERVER_NAME's host).
        :param port: the port (5000, or SERVER_NAME's port).
        :param debug: set :attr:`debug` first (the debug page, and reloading by default).
        :param load_dotenv: load ``.env`` and ``.vialenv`` (with python-dotenv); a
            ``VIAL_DEBUG`` found there sets :attr:`debug`.
        :param options: ``use_reloader`` (default: :attr:`debug`) restarts the server
            when a source file changes, and ``workers`` starts several processes. Both
            need new processes that import the app again, so they work only when the
            app is a module-level variable (of its module, or of the script run as
            ``__main__``); otherwise the app is served without them. Werkzeug's
            ``use_debugger``, ``use_evalex``, ``threaded``, ``processes``,
            ``passthrough_errors``, ``reloader_type`` and ``reloader_interval`` are
            accepted and ignored (the debug page follows :attr:`debug` and never runs
            code); ``extra_files`` and ``exclude_patterns`` are used when reloading,
            and ``ssl_context=(cert_file, key_file)`` serves HTTPS. The rest go to
            ``uvicorn.run``.

        Inside the ``vial`` command (for example a module that calls ``app.run()``
        when imported by ``vial run``), the call is ignored with a message.
        """
        if os.environ.get("VIAL_RUN_FROM_CLI") == "true":
            print(
                " * Ignoring a call to app.run() that would block the current 'vial' command."
                " Only call app.run() in an 'if __name__ == \"__main__\":' block.",
                file=sys.stderr,
            )
            return
        from .serving import app_import_path, run_app

        if load_dotenv:
            from .cli import get_debug_flag, get_load_dotenv
            from .cli import load_dotenv as load_dotenv_files

            if get_load_dotenv():
                load_dotenv_files()
                if "VIAL_DEBUG" in os.environ:
                    self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)
        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None
        if server_name:
            sn_host, _, sn_port = server_name.partition(":")
        host = host or sn_host or "127.0.0.1"
        # port=0 (any free port) is a choice, not a missing value.
        port = int(port if port or port == 0 else sn_port or 5000)
        for werkzeug_only in (
            "use_debugger",
            "use_evalex",
            "threaded",
            "processes",
            "passthrough_errors",
            "reloader_type",
            "reloader_interval",
        ):
            options.pop(werkzeug_only, None)
        ssl_context = options.pop("ssl_context", None)
        if ssl_context is not None:
            if not isinstance(ssl_context, tuple):
                raise ValueError(
                    "app.run() serves HTTPS from files only: pass ssl_context=(cert_file,"
                    " key_file); 'adhoc' and SSLContext objects are not supported."
                )
            options["ssl_certfile"], options["ssl_keyfile"] = ssl_context
        reload = bool(options.pop("use_reloader", self.debug))
        workers = int(options.pop("workers", None) or 1)
        import_path = app_import_path(self) if reload or workers > 1 else None
        run_app(
            self,
            host=host,
            port=port,
            app_import_path=import_path,
            reload=reload,
            workers=workers,
            **options,
        )


def _static_view(app: Vial) -> t.Callable[..., Response]:
    """The static route's view: ``app.send_static_file``, holding the app weakly.

    A bound method in ``app.view_functions`` would be a reference cycle (app → view
    functions → method → app), so an app dropped by its factory or a test would live
    until the cycle collector ran.
    """
    app_ref = weakref.ref(app)

    def send_static_file(**kwargs: t.Any) -> Response:
        app = app_ref()
        assert app is not None  # the app serves this request, so it is alive
        return app.send_static_file(**kwargs)

    return send_static_file


def _current_request_ctx() -> RequestContext:
    """The active request context (the pipeline only runs inside one)."""
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        raise RuntimeError("This needs an active request context.")
    return ctx


def _session_needs_saving(app: Vial, interface: SessionInterface, request: Request) -> bool:
    """Whether a session no view opened must still be opened and saved, as Flask always does.

    The signed-cookie session is opened lazily; without its cookie it would open
    empty and save nothing, so only a request carrying the cookie pays (a permanent
    session is refreshed each request). Any other interface is saved on every request.
    """
    if getattr(interface, "opens_lazily", False):
        if not request.environ.get("HTTP_COOKIE"):
            return False
        return interface.get_cookie_name(app) in request.cookies
    return True


Vial.json_provider_class = _default_json_provider_class()
