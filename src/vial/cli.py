"""The ``vial`` command: app discovery, ``run`` on uvicorn, ``routes``, ``shell`` and app commands.

It follows Flask's ``flask`` command. The app is found from ``--app`` (or the
``VIAL_APP`` variable), else from ``wsgi.py`` or ``app.py`` in the working folder::

    vial --app hello run --debug
    vial --app 'hello:create_app("dev")' routes
    vial shell

Commands added with ``@app.cli.command()`` (and blueprints' command groups) run
inside an app context. ``.vialenv`` and ``.env`` files are loaded through
python-dotenv when it is installed.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import sys
import traceback
import types
import typing as t
from functools import update_wrapper
from operator import itemgetter

import click
from click.core import ParameterSource
from click.testing import CliRunner, Result

from ._env_flags import get_debug_flag as get_debug_flag
from ._env_flags import get_load_dotenv as get_load_dotenv
from .globals import current_app

if t.TYPE_CHECKING:
    from .app import Vial

__all__ = [
    "AppGroup",
    "NoAppException",
    "ScriptInfo",
    "VialCliRunner",
    "VialGroup",
    "cli",
    "find_best_app",
    "get_debug_flag",
    "get_load_dotenv",
    "load_dotenv",
    "locate_app",
    "main",
    "pass_script_info",
    "prepare_import",
    "with_appcontext",
]

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

_APP_HELP = (
    "Use the 'vial --app' option, the 'VIAL_APP' environment variable, or a 'wsgi.py' or"
    " 'app.py' file in the current folder."
)


class NoAppException(click.UsageError):
    """The app could not be found or loaded; the message says why."""


# -- environment -------------------------------------------------------------------------------


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load variables from dotenv files into :data:`os.environ` (needs python-dotenv).

    Precedence, highest first: variables already set, the file at ``path``, then the
    nearest ``.env`` and ``.vialenv`` (searched from the working folder upwards) when
    ``load_defaults`` is true. Unlike older Flask versions, the working folder is
    never changed.

    :return: whether any variable was read from a file.
    """
    try:
        import dotenv
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".vialenv"):
            click.secho(
                " * Tip: There are .env or .vialenv files present. Install python-dotenv"
                " to use them.",
                fg="yellow",
                err=True,
            )
        return False
    data: dict[str, str | None] = {}
    if load_defaults:
        for name in (".vialenv", ".env"):
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                data.update(dotenv.dotenv_values(found, encoding="utf-8"))
    if path is not None and os.path.isfile(path):
        data.update(dotenv.dotenv_values(path, encoding="utf-8"))
    for key, value in data.items():
        if key not in os.environ and value is not None:
            os.environ[key] = value
    return bool(data)


# -- app discovery -----------------------------------------------------------------------------


def prepare_import(path: str) -> str:
    """The module name for a file or folder path, with its root folder put on ``sys.path``.

    ``src/hello.py`` gives ``hello`` (``src`` is importable afterwards);
    ``pkg/sub/__init__.py`` inside packages gives ``pkg.sub``; a plain module name
    such as ``hello.web`` is returned as it is.
    """
    path = os.path.realpath(path)
    base, ext = os.path.splitext(path)
    if ext == ".py":
        path = base
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    parts: list[str] = []
    while True:
        path, name = os.path.split(path)
        parts.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(parts))


def _is_missing_module(error: ImportError, module_name: str) -> bool:
    """Whether ``error`` says ``module_name`` itself (or a parent package) does not exist."""
    missing = error.name
    if not isinstance(error, ModuleNotFoundError) or not missing:
        return False
    return module_name == missing or module_name.startswith(missing + ".")


def _where(error: BaseException) -> str:
    """``file, line N`` of the innermost frame of ``error`` outside the import machinery."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith("<frozen ") and frame.filename != __file__
    ]
    if not frames:
        return ""
    frame = frames[-1]
    return f" ({frame.filename}, line {frame.lineno})"


def _import_failure_message(module_name: str, error: BaseException) -> str:
    """A one-paragraph account of an exception raised while importing the app's module."""
    if isinstance(error, SyntaxError):
        where = f"{error.filename or module_name}, line {error.lineno}"
        text = f"\n    {error.text.strip()}" if error.text and error.text.strip() else ""
        return (
            f"Could not import {module_name!r}: {type(error).__name__} in {where}:"
            f" {error.msg}.{text}"
        )
    kind = "an ImportError" if isinstance(error, ImportError) else type(error).__name__
    return (
        f"While importing {module_name!r}, {kind} was raised{_where(error)}:"
        f" {type(error).__name__}: {error}. Run 'python -c \"import {module_name}\"' for the"
        " full traceback."
    )


def _called_with_wrong_args(func: t.Callable[..., t.Any]) -> bool:
    """Whether the TypeError being handled came from calling ``func`` (not from inside it)."""
    tb = sys.exc_info()[2]
    code = getattr(func, "__code__", None)
    try:
        while tb is not None:
            if tb.tb_frame.f_code is code:
                return False
            tb = tb.tb_next
        return True
    finally:
        del tb


def _is_app(value: object) -> bool:
    from .app import Vial

    return isinstance(value, Vial)


def find_best_app(module: types.ModuleType) -> Vial:
    """The app of ``module``: ``app`` or ``application``, the only app, or a factory's result.

    Factories are functions named ``create_app`` or ``make_app``, called without
    arguments. Raises :class:`NoAppException` when none or several apps are found.
    """
    for attr in ("app", "application"):
        value = getattr(module, attr, None)
        if _is_app(value):
            return t.cast("Vial", value)
    matches = [value for value in vars(module).values() if _is_app(value)]
    if len(matches) == 1:
        return t.cast("Vial", matches[0])
    if len(matches) > 1:
        raise NoAppException(
            f"Detected multiple vial applications in module {module.__name__!r}."
            f" Use '{module.__name__}:name' to specify the correct one."
        )
    for attr in ("create_app", "make_app"):
        factory = getattr(module, attr, None)
        if inspect.isfunction(factory):
            try:
                app = factory()
            except TypeError as e:
                if not _called_with_wrong_args(factory):
                    raise
                raise NoAppException(
                    f"Detected factory {attr!r} in module {module.__name__!r}, but could not"
                    f" call it without arguments. Use '{module.__name__}:{attr}(args)' to"
                    " specify arguments."
                ) from e
            if _is_app(app):
                return t.cast("Vial", app)
    raise NoAppException(
        f"Failed to find a vial application or factory in module {module.__name__!r}."
        f" Use '{module.__name__}:name' to specify one."
    )


def _parse_app_expression(expression: str) -> tuple[str, list[t.Any], dict[str, t.Any]]:
    """``name`` or ``name(literal args)`` → ``(name, args, kwargs)``."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(
            f"Failed to parse {expression!r} as an attribute name or function call."
        ) from None
    if isinstance(node, ast.Name):
        return node.id, [], {}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {
                kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg is not None
            }
        except ValueError:
            raise NoAppException(
                f"Failed to parse arguments as literal values: {expression!r}."
            ) from None
        if any(kw.arg is None for kw in node.keywords):
            raise NoAppException(f"Failed to parse arguments as literal values: {expression!r}.")
        return node.func.id, args, kwargs
    raise NoAppException(f"Failed to parse {expression!r} as an attribute name or function call.")


def find_app_by_string(module: types.ModuleType, expression: str) -> Vial:
    """The app named by ``expression`` in ``module``: a variable, or a factory call.

    ``create_app("dev", debug=True)`` calls the factory with literal arguments.
    """
    name, args, kwargs = _parse_app_expression(expression)
    try:
        attr = getattr(module, name)
    except AttributeError:
        raise NoAppException(f"Failed to find attribute {name!r} in {module.__name__!r}.") from None
    if inspect.isfunction(attr):
        try:
            app = attr(*args, **kwargs)
        except TypeError as e:
            if not _called_with_wrong_args(attr):
                raise
            raise NoAppException(
                f"The factory {expression!r} in module {module.__name__!r} could not be called"
                " with the specified arguments."
            ) from e
    else:
        app = attr
    if _is_app(app):
        return t.cast("Vial", app)
    raise NoAppException(
        f"A valid vial application was not obtained from '{module.__name__}:{expression}'."
    )


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> Vial: ...


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> Vial | None: ...


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> Vial | None:
    """Import ``module_name`` and find the app in it (see :func:`find_best_app`).

    Anything raised while importing the module becomes a :class:`NoAppException`
    with a one-paragraph message (file, line and error) instead of a traceback.
    """
    try:
        importlib.import_module(module_name)
    except ImportError as e:
        if _is_missing_module(e, module_name):
            if raise_if_not_found:
                raise NoAppException(f"Could not import {module_name!r}.") from None
            return None
        raise NoAppException(_import_failure_message(module_name, e)) from None
    except Exception as e:  # SyntaxError and whatever the module body raised
        raise NoAppException(_import_failure_message(module_name, e)) from None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


class ScriptInfo:
    """What the ``vial`` command knows about the app it works on, passed as ``ctx.obj``.

    :param app_import_path: the ``--app`` value (``module``, ``module:name``,
        ``module:factory(args)`` or a file path).
    :param create_app: a function returning the app; used instead of discovery.
    :param set_debug_flag: set ``app.debug`` from ``VIAL_DEBUG`` after loading, as
        ``vial --debug`` / ``--no-debug`` ask. Unlike Flask, an app's own ``DEBUG``
        setting is kept when ``VIAL_DEBUG`` is not set at all.
    :param load_dotenv_defaults: load ``.env`` and ``.vialenv`` before loading the app.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., Vial] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        #: Free-form data for commands and extensions.
        self.data: dict[t.Any, t.Any] = {}
        #: The import path that found the app, to load it again in server processes
        #: (``None`` when the app came from ``create_app``).
        self.found_import_path: str | None = None
        self._loaded_app: Vial | None = None

    def load_app(self) -> Vial:
        """Find, import or create the app (once; later calls return the same app)."""
        if self._loaded_app is not None:
            return self._loaded_app
        app: Vial | None = None
        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            # "module:name"; a colon before a slash is a Windows drive ("C:\\app.py").
            path, *name = re.split(r":(?![\\/])", self.app_import_path, maxsplit=1)
            app = locate_app(prepare_import(path), name[0] if name else None)
            self.found_import_path = self.app_import_path
        else:
            for path in ("wsgi.py", "app.py"):
                app = locate_app(prepare_import(path), None, raise_if_not_found=False)
                if app is not None:
                    self.found_import_path = path
                    break
        if app is None:
            raise NoAppException(f"Could not locate a vial application. {_APP_HELP}")
        if self.set_debug_flag and "VIAL_DEBUG" in os.environ:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app


#: A decorator passing the :class:`ScriptInfo` to the command as its first argument.
pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run the decorated click command inside the app's app context.

    Commands registered with ``app.cli.command()`` (or any :class:`AppGroup`) get
    this automatically.
    """

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        if not current_app:
            app = ctx.ensure_object(ScriptInfo).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return t.cast(F, update_wrapper(decorator, f))


class AppGroup(click.Group):
    """A click group whose commands run in the app context (pass ``with_appcontext=False``
    to opt out) and whose subgroups are :class:`AppGroup` too. ``app.cli`` is one.
    """

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like :meth:`click.Group.command`, wrapping the callback in :func:`with_appcontext`."""
        wrap = kwargs.pop("with_appcontext", True)
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.command()(args[0])  # used as @group.command without parentheses

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap:
                f = with_appcontext(f)
            return t.cast(click.Command, click.Group.command(self, *args, **kwargs)(f))

        return decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like :meth:`click.Group.group`, making an :class:`AppGroup` by default."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)


# -- the vial group ----------------------------------------------------------------------------


def _set_app(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


def _set_debug(ctx: click.Context, param: click.Option, value: bool | None) -> bool | None:
    source = ctx.get_parameter_source(param.name or "debug")
    if source is None or source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return None
    # An environment variable, so that the app (and server processes) see it when created.
    os.environ["VIAL_DEBUG"] = "1" if value else "0"
    return value


def _load_env_file(ctx: click.Context, param: click.Option, value: str | None) -> str | None:
    try:
        import dotenv  # noqa: F401
    except ImportError:
        if value is not None:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file.", ctx=ctx, param=param
            ) from None
    info = ctx.ensure_object(ScriptInfo)
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


def _show_version(ctx: click.Context, param: click.Option, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__

    click.echo(f"Python {sys.version.split()[0]}\nVial {__version__}", color=ctx.color)
    ctx.exit()


_env_file_option = click.Option(
    ["-e", "--env-file"],
    type=click.Path(exists=True, dir_okay=False),
    help="Load environment variables from this file (needs python-dotenv).",
    is_eager=True,
    expose_value=False,
    callback=_load_env_file,
)
_app_option = click.Option(
    ["-A", "--app"],
    metavar="IMPORT",
    help=(
        "The app to load: 'module', 'module:name' or 'module:factory(args)'. Default: the"
        " VIAL_APP variable, else 'wsgi.py' or 'app.py' in the current folder."
    ),
    is_eager=True,
    expose_value=False,
    callback=_set_app,
    envvar="VIAL_APP",
)
_debug_option = click.Option(
    ["--debug/--no-debug"],
    help="Set debug mode (debug page and reloader).",
    expose_value=False,
    callback=_set_debug,
)
_version_option = click.Option(
    ["--version"],
    help="Show the vial version.",
    expose_value=False,
    callback=_show_version,
    is_flag=True,
    is_eager=True,
)


class VialGroup(AppGroup):
    """The ``vial`` command group: app discovery options, built-in and app commands.

    Build your own to give a project its own script, for example with a fixed
    ``create_app``.

    :param add_default_commands: add ``run``, ``shell`` and ``routes``.
    :param create_app: a function returning the app, instead of discovery.
    :param add_version_option: add ``--version``.
    :param load_dotenv: load ``.env`` and ``.vialenv`` files.
    :param set_debug_flag: set the app's debug flag from ``--debug`` / ``VIAL_DEBUG``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., Vial] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        params.extend((_env_file_option, _app_option, _debug_option))
        if add_version_option:
            params.append(_version_option)
        context_settings = dict(extra.pop("context_settings", None) or {})
        context_settings.setdefault("auto_envvar_prefix", "VIAL")
        super().__init__(params=params, context_settings=context_settings, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)
        self._loaded_plugin_commands = False

    def _load_plugin_commands(self) -> None:
        if self._loaded_plugin_commands:
            return
        from importlib.metadata import entry_points

        for entry_point in entry_points(group="vial.commands"):
            self.add_command(entry_point.load(), entry_point.name)
        self._loaded_plugin_commands = True

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A built-in or plugin command, else one of the app's (loading the app)."""
        self._load_plugin_commands()
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        info = ctx.ensure_object(ScriptInfo)
        try:
            app = info.load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None
        if not current_app or current_app._get_current_object() is not app:  # type: ignore[attr-defined]
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in, plugin and app commands (an app that fails to load is reported)."""
        self._load_plugin_commands()
        names = set(super().list_commands(ctx))
        info = ctx.ensure_object(ScriptInfo)
        try:
            names.update(info.load_app().cli.list_commands(ctx))
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        except Exception:
            click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
        return sorted(names)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Create the context with a :class:`ScriptInfo` as ``obj``; mark the CLI as running."""
        # app.run() in an imported module must not start a second server.
        os.environ["VIAL_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Read ``--env-file`` and ``--app`` early when only help is asked for."""
        if (not args and self.no_args_is_help) or (
            len(args) == 1 and args[0] in self.get_help_option_names(ctx)
        ):
            _env_file_option.handle_parse_result(ctx, {}, [])
            _app_option.handle_parse_result(ctx, {}, [])
        try:
            return super().parse_args(ctx, args)
        except BaseException:
            # click does not close a context whose parsing ends early (--help, --version,
            # usage errors); pop the app context that listing app commands may have pushed.
            ctx.close()
            raise


# -- built-in commands -------------------------------------------------------------------------


@click.command("run", short_help="Serve the app on uvicorn.")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", "-p", default=5000, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--debug/--no-debug",
    default=None,
    help="Set debug mode (same as 'vial --debug run').",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Restart when source files change. On by default in debug mode.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Number of worker processes (not with --reload).",
)
@click.option(
    "--cert",
    type=click.Path(dir_okay=False),
    help="Serve HTTPS with this certificate file (PEM).",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    help="The private key file of --cert, when the certificate file does not hold it.",
)
@click.option(
    "--extra-files",
    type=click.Path(),
    help="Extra files that trigger a reload on change. Multiple paths are separated"
    f" by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    type=click.Path(),
    help="Files matching these fnmatch patterns do not trigger a reload (needs"
    f" watchfiles). Multiple patterns are separated by {os.pathsep!r}.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Accepted for Flask's sake; the debug page follows debug mode.",
)
@click.option(
    "--with-threads/--without-threads",
    default=True,
    help="Accepted for Flask's sake; sync views always run in a thread pool.",
)
@pass_script_info
def run_command(
    info: ScriptInfo,
    host: str,
    port: int,
    debug: bool | None,
    reload: bool | None,
    workers: int,
    cert: str | None,
    key: str | None,
    extra_files: str | None,
    exclude_patterns: str | None,
    debugger: bool | None,
    with_threads: bool,
) -> None:
    """Serve the app on uvicorn, a real ASGI server.

    In debug mode unhandled errors show the debug page and the server restarts
    when a ``.py`` file under the current folder (or the app's folder) changes;
    templates are re-read by Jinja on change. With ``watchfiles`` installed,
    ``.html`` changes also restart the server.
    """
    ssl = _ssl_files(cert, key)
    if debug is not None:
        os.environ["VIAL_DEBUG"] = "1" if debug else "0"
    app = info.load_app()
    if debug is not None:
        app.debug = debug
    if reload and workers > 1:
        raise click.BadParameter(
            "--reload cannot be combined with more than one worker.", param_hint="'--reload'"
        )
    if reload is None:
        reload = app.debug and workers == 1
    from .serving import run_app

    run_app(
        app,
        host=host,
        port=port,
        app_import_path=info.found_import_path,
        reload=reload,
        workers=workers,
        extra_files=extra_files.split(os.pathsep) if extra_files else None,
        exclude_patterns=exclude_patterns.split(os.pathsep) if exclude_patterns else None,
        **ssl,
    )


def _ssl_files(cert: str | None, key: str | None) -> dict[str, str]:
    """uvicorn's SSL options for ``--cert`` and ``--key``, checked as Flask checks them."""
    if cert is None:
        if key is not None:
            raise click.BadParameter('"--cert" must also be specified.', param_hint="'--key'")
        return {}
    if not os.path.isfile(cert):
        raise click.BadParameter(
            f"{cert!r} is not a certificate file. vial run serves HTTPS from certificate"
            " files only ('adhoc' and SSLContext import paths are not supported).",
            param_hint="'--cert'",
        )
    files = {"ssl_certfile": os.path.abspath(cert)}
    if key is not None:
        files["ssl_keyfile"] = key
    return files


@click.command("shell", short_help="Run a Python shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run a Python shell in the app context, with ``app``, ``g`` and the names from
    ``shell_context_processor`` functions. When standard input is not a terminal, its
    text is run as a script instead.
    """
    app: Vial = current_app._get_current_object()  # type: ignore[attr-defined]
    namespace: dict[str, t.Any] = {}
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as f:
            exec(compile(f.read(), startup, "exec"), namespace)
    namespace.update(app.make_shell_context())
    if not sys.stdin.isatty():
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), namespace)
        return
    import code

    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    hook = getattr(sys, "__interactivehook__", None)
    if hook is not None:
        try:
            import readline
            from rlcompleter import Completer
        except ImportError:
            pass
        else:
            readline.set_completer(Completer(namespace).complete)
        hook()
    code.interact(banner=banner, local=namespace)


@click.command("routes", short_help="Show the routes of the app.")
@click.option(
    "--sort",
    "-s",
    type=click.Choice(("endpoint", "methods", "domain", "rule", "match")),
    default="endpoint",
    show_default=True,
    help="Sort by this column; 'match' is the order routes are tried in.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show every route: endpoint, methods, host or subdomain (when used), rule."""
    app: Vial = current_app._get_current_object()  # type: ignore[attr-defined]
    rules = list(app.url_map.iter_rules())
    if not rules:
        click.echo("No routes were registered.")
        return
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = app.url_map.host_matching
    has_domain = any(rule.host if host_matching else rule.subdomain for rule in rules)
    headers = ["Endpoint", "Methods"]
    columns = ["endpoint", "methods"]
    if has_domain:
        headers.append("Host" if host_matching else "Subdomain")
        columns.append("domain")
    headers.append("Rule")
    columns.append("rule")
    rows: list[list[str]] = []
    for rule in rules:
        methods = sorted((rule.methods or set()) - hidden)
        if getattr(rule, "websocket", False):
            methods = ["WEBSOCKET"]
        row = [str(rule.endpoint), ", ".join(methods)]
        if has_domain:
            row.append((rule.host if host_matching else rule.subdomain) or "")
        row.append(rule.rule)
        rows.append(row)
    if sort in columns:
        rows.sort(key=itemgetter(columns.index(sort)))
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(f"{{{i}:<{width}}}" for i, width in enumerate(widths))
    click.echo(line.format(*headers).rstrip())
    click.echo(line.format(*("-" * width for width in widths)).rstrip())
    for row in rows:
        click.echo(line.format(*row).rstrip())


cli = VialGroup(
    name="vial",
    help="""\
A general utility script for vial applications.

An application to load must be given with the '--app' option, the 'VIAL_APP'
environment variable, or with a 'wsgi.py' or 'app.py' file in the current folder.
""",
)


def main() -> None:
    """The entry point of the ``vial`` console script and ``python -m vial``."""
    cli.main()


# -- testing -----------------------------------------------------------------------------------


class VialCliRunner(CliRunner):
    """A :class:`click.testing.CliRunner` for an app's commands; see ``app.test_cli_runner()``.

    :meth:`invoke` runs ``app.cli`` by default, with a :class:`ScriptInfo` that
    returns the app.
    """

    def __init__(self, app: Vial, **kwargs: t.Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(  # type: ignore[override]
        self, cli: click.Command | None = None, args: t.Any = None, **kwargs: t.Any
    ) -> Result:
        """Invoke ``cli`` (``app.cli`` by default) with ``args``; returns the click Result."""
        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app, set_debug_flag=False)
        return super().invoke(cli, args, **kwargs)
