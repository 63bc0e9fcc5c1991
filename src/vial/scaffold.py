"""What the app and blueprints share: routes, hooks, error handlers and folders."""

from __future__ import annotations

import os
import sys
import typing as t
from collections import defaultdict
from functools import cached_property, update_wrapper

from ._async import is_coroutine_function
from .exceptions import HTTPException, default_exceptions

if t.TYPE_CHECKING:
    from jinja2 import BaseLoader

    from .cli import AppGroup
    from .typing import (
        AfterRequestCallable,
        BeforeRequestCallable,
        ErrorHandlerCallable,
        TeardownCallable,
        TemplateContextProcessorCallable,
        URLDefaultCallable,
        URLValuePreprocessorCallable,
    )
    from .wrappers.response import Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
T_route = t.TypeVar("T_route", bound=t.Callable[..., t.Any])
T_error_handler = t.TypeVar("T_error_handler", bound=t.Callable[..., t.Any])
T_before_request = t.TypeVar("T_before_request", bound=t.Callable[..., t.Any])
T_after_request = t.TypeVar("T_after_request", bound=t.Callable[..., t.Any])
T_teardown = t.TypeVar("T_teardown", bound=t.Callable[..., t.Any])
T_template_context_processor = t.TypeVar(
    "T_template_context_processor", bound=t.Callable[..., t.Any]
)
T_url_defaults = t.TypeVar("T_url_defaults", bound=t.Callable[..., t.Any])
T_url_value_preprocessor = t.TypeVar("T_url_value_preprocessor", bound=t.Callable[..., t.Any])

_sentinel: t.Any = object()


def setupmethod(f: F) -> F:
    """Mark a registration method: calling it after the first request is an error."""
    name = f.__name__

    def wrapper_func(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(name)
        return f(self, *args, **kwargs)

    return t.cast(F, update_wrapper(wrapper_func, f))


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name`` (the working folder for ``__main__``)."""
    module = sys.modules.get(import_name)
    module_file: str | None = getattr(module, "__file__", None)
    if module_file:
        return os.path.dirname(os.path.abspath(module_file))
    import importlib.util

    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.origin in (None, "namespace"):
        if spec is not None and spec.submodule_search_locations:
            return os.path.abspath(next(iter(spec.submodule_search_locations)))
        return os.getcwd()
    return os.path.dirname(os.path.abspath(spec.origin))


def _endpoint_from_view_func(view_func: t.Callable[..., t.Any]) -> str:
    assert view_func is not None, "expected view func if endpoint is not provided."
    return view_func.__name__


class Scaffold:
    """Registration shared by :class:`~vial.Vial` and :class:`~vial.Blueprint`.

    The hook dictionaries are keyed by blueprint name, ``None`` for the app, as in Flask.
    """

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None
    _cli: AppGroup | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        self.root_path = root_path
        self.view_functions: dict[str, t.Callable[..., t.Any]] = {}
        self.error_handler_spec: dict[
            str | None, dict[int | None, dict[type[BaseException], ErrorHandlerCallable]]
        ] = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[str | None, list[BeforeRequestCallable]] = defaultdict(list)
        self.after_request_funcs: dict[str | None, list[AfterRequestCallable]] = defaultdict(list)
        self.teardown_request_funcs: dict[str | None, list[TeardownCallable]] = defaultdict(list)
        self.template_context_processors: dict[
            str | None, list[TemplateContextProcessorCallable]
        ] = defaultdict(list)
        self.url_value_preprocessors: dict[str | None, list[URLValuePreprocessorCallable]] = (
            defaultdict(list)
        )
        self.url_default_functions: dict[str | None, list[URLDefaultCallable]] = defaultdict(list)
        #: ``before_websocket`` hooks, keyed like the other hook dicts.
        self.before_websocket_funcs: dict[str | None, list[t.Callable[[], t.Any]]] = defaultdict(
            list
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def cli(self) -> AppGroup:
        """The click group of this app's (or blueprint's) commands, made on first use.

        ``@app.cli.command()`` adds a command to ``vial``; it runs in an app context.
        A blueprint's commands become a ``vial`` subgroup named after its ``cli_group``.
        """
        group = self._cli
        if group is None:
            from .cli import AppGroup  # click is imported only once commands are used

            group = self._cli = AppGroup(self.name)
        return group

    @cli.setter
    def cli(self, value: AppGroup) -> None:
        self._cli = value

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- folders ---------------------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        """The absolute path of the static folder, or ``None``."""
        if self._static_folder is not None:
            return os.path.join(self.root_path, self._static_folder)
        return None

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        """Whether a static folder is set."""
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        """The URL prefix of static files (``/static`` by default)."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:
        """The Jinja loader of :attr:`template_folder` (``None`` without a template folder)."""
        if self.template_folder is None:
            return None
        from jinja2 import FileSystemLoader

        return FileSystemLoader(os.path.join(self.root_path, os.fspath(self.template_folder)))

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The max age of static files: ``SEND_FILE_MAX_AGE_DEFAULT`` (None: conditional only)."""
        from .globals import current_app

        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if hasattr(value, "total_seconds"):
            return int(value.total_seconds())
        return int(value)

    def send_static_file(self, filename: str) -> Response:
        """The view of the static route: send ``filename`` from the static folder."""
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        from .helpers import send_from_directory

        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(t.cast(str, self.static_folder), filename, max_age=max_age)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open a file relative to :attr:`root_path` for reading."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- routes ------------------------------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[T_route], T_route]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["GET"]``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["POST"]``."""
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["PUT"]``."""
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["DELETE"]``."""
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Shortcut for :meth:`route` with ``methods=["PATCH"]``."""
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Register the decorated function as the view for ``rule``.

        :param rule: the URL rule, such as ``/users/<int:user_id>``.
        :param options: ``endpoint``, ``methods``, ``defaults``, ``strict_slashes`` and
            the other :class:`~vial.routing.Rule` arguments.
        """

        def decorator(f: T_route) -> T_route:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule (and optionally its view); see :meth:`route`."""
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of ``endpoint``."""

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks ---------------------------------------------------------------------------------

    @setupmethod
    def before_request(self, f: T_before_request) -> T_before_request:
        """Run ``f()`` before each request; a non-None return value becomes the response."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: T_after_request) -> T_after_request:
        """Run ``f(response)`` after each request; it returns the response to send."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: T_teardown) -> T_teardown:
        """Run ``f(error_or_None)`` when the request context is popped, whatever happened."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: T_template_context_processor) -> T_template_context_processor:
        """Register a function whose returned dict is added to every template's context."""
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: T_url_value_preprocessor) -> T_url_value_preprocessor:
        """Run ``f(endpoint, view_args)`` before the before-request hooks (may edit the args)."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Run ``f(endpoint, values)`` when building URLs, to fill in values."""
        self.url_default_functions[None].append(f)
        return f

    # -- WebSockets (ASGI only) ----------------------------------------------------------------

    @setupmethod
    def websocket(self, rule: str, **options: t.Any) -> t.Callable[[T_route], T_route]:
        """Register the decorated ``async def`` function as the WebSocket handler of ``rule``.

        It runs under ASGI only; see :mod:`vial.websockets`.
        """

        def decorator(f: T_route) -> T_route:
            if not is_coroutine_function(f):
                raise TypeError(
                    f"WebSocket handler {f.__name__!r} must be an 'async def' function."
                )
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(
                rule, endpoint, f, websocket=True, provide_automatic_options=False, **options
            )
            return f

        return decorator

    @setupmethod
    def before_websocket(self, f: T_before_request) -> T_before_request:
        """Run ``f()`` before each WebSocket handler; a non-None return refuses the connection."""
        self.before_websocket_funcs[None].append(f)
        return f

    # -- errors --------------------------------------------------------------------------------

    @setupmethod
    def errorhandler(
        self, code_or_exception: type[BaseException] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Register the decorated function to handle an HTTP status code or exception class."""

        def decorator(f: T_error_handler) -> T_error_handler:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(
        self, code_or_exception: type[BaseException] | int, f: ErrorHandlerCallable
    ) -> None:
        """Non-decorator form of :meth:`errorhandler`."""
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: type[BaseException] | int,
    ) -> tuple[type[BaseException], int | None]:
        exc_class: type[BaseException]
        if isinstance(exc_class_or_code, int):
            try:
                exc_class = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"'{exc_class_or_code}' is not a recognized HTTP error code. Use a"
                    " subclass of HTTPException with that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, Exception):
            raise TypeError(
                f"{exc_class!r} is an instance, not a class. Handlers can only be registered"
                " for Exception classes or HTTP error codes."
            )
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(
                f"'{getattr(exc_class, '__name__', exc_class)}' is not a subclass of Exception."
                " Handlers can only be registered for Exception classes or HTTP error codes."
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None


def find_package(import_name: str) -> tuple[str | None, str]:
    """Where the top-level package of ``import_name`` lives: ``(install_prefix, folder)``.

    ``folder`` holds the top-level module (the parent folder of a package).
    ``install_prefix`` is None unless the package is installed: ``sys.prefix`` when
    ``folder`` lies under it (a virtual environment), else the prefix of the
    ``site-packages`` folder holding it (``<prefix>/lib/pythonX.Y/site-packages`` or
    ``<prefix>/Lib/site-packages``).
    """
    root_name = import_name.partition(".")[0]
    root_path = get_root_path(root_name)
    module = sys.modules.get(root_name)
    is_package = module is not None and hasattr(module, "__path__")
    if module is None:
        import importlib.util

        try:
            spec = importlib.util.find_spec(root_name)
        except (ImportError, ValueError):
            spec = None
        is_package = spec is not None and spec.submodule_search_locations is not None
    folder = os.path.dirname(root_path) if is_package else root_path
    return _install_prefix(folder), folder


def _install_prefix(folder: str) -> str | None:
    """The installation prefix of a package folder, or None when it is not installed.

    ``folder`` is absolute and normalized (as :func:`get_root_path` returns it).
    """
    # PERF: os.path rather than pathlib, which (with fnmatch and ntpath) would load
    # with vial only for this.
    py_prefix = os.path.abspath(sys.prefix)
    inside = os.path.normcase(folder)
    prefix = os.path.normcase(py_prefix)
    if inside == prefix or inside.startswith(os.path.join(prefix, "")):
        return py_prefix
    if os.path.basename(folder).lower() != "site-packages":
        return None
    site_parent = os.path.dirname(folder)
    if os.path.basename(site_parent).lower() == "lib":  # Windows: <prefix>/Lib/site-packages
        return os.path.dirname(site_parent)
    lib = os.path.dirname(site_parent)
    if os.path.basename(lib).lower() == "lib":  # <prefix>/lib/pythonX.Y/site-packages
        return os.path.dirname(lib)
    return site_parent
