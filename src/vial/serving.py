"""Serving an app on uvicorn, for ``app.run()`` and ``vial run``."""

from __future__ import annotations

import os
import sys
import sysconfig
import typing as t

if t.TYPE_CHECKING:
    from .app import Vial
    from .asgi import ASGIApp

#: The uvicorn factory that server processes (reloader child, workers) load the app with.
SERVER_FACTORY = "vial.serving:load_app_for_server"


def run_app(
    app: Vial,
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    app_import_path: str | None = None,
    reload: bool = False,
    workers: int | None = None,
    extra_files: t.Iterable[str] | None = None,
    exclude_patterns: t.Iterable[str] | None = None,
    **options: t.Any,
) -> None:
    """Serve ``app`` over ASGI on uvicorn until interrupted.

    Reloading and several workers need new processes that import the app afresh:
    uvicorn then gets an import string (:data:`SERVER_FACTORY`), and each process
    finds the app again from ``app_import_path`` (an ``--app`` value such as
    ``hello:app``, passed as ``VIAL_APP``), with ``VIAL_DEBUG`` set to the app's
    debug flag. Without ``app_import_path``, the app is served in this process,
    without reloading.

    :param app_import_path: how to import the app again in a new process.
    :param reload: restart when a ``.py`` file changes under the working folder or
        the app's folder (``.html`` files too when ``watchfiles`` is installed).
    :param workers: the number of worker processes.
    :param extra_files: more files whose changes restart the server when reloading
        (files other than ``.py`` ones need ``watchfiles``).
    :param exclude_patterns: fnmatch patterns of files whose changes do not restart
        the server (needs ``watchfiles``).
    :param options: passed to ``uvicorn.run`` (for example ``log_level``).
    """
    import uvicorn

    workers = workers or 1
    print(f" * Serving vial app '{app.name}'", file=sys.stderr)
    print(f" * Debug mode: {'on' if app.debug else 'off'}", file=sys.stderr)
    options.setdefault("log_level", "info")
    if (reload or workers > 1) and app_import_path is None:
        print(
            " * Cannot reload or start workers: the app is not importable by name"
            " (use 'vial --app module:name'); serving in this process.",
            file=sys.stderr,
        )
        reload, workers = False, 1
    if reload:
        print(" * Restarting on source changes", file=sys.stderr)
    scheme = "https" if options.get("ssl_certfile") else "http"
    print(f" * Running on {scheme}://{host}:{port} (press CTRL+C to quit)", file=sys.stderr)
    sys.stderr.flush()
    if not reload and workers == 1:
        uvicorn.run(app.asgi, host=host, port=port, **options)
        return
    # New processes inherit the environment: tell them which app, and its debug flag.
    os.environ["VIAL_APP"] = t.cast(str, app_import_path)
    os.environ["VIAL_DEBUG"] = "1" if app.debug else "0"
    if reload:
        extra = [os.path.abspath(path) for path in extra_files or ()]
        dirs = _reload_dirs(app)
        for folder in map(os.path.dirname, extra):
            if not any((folder + os.sep).startswith(d.rstrip(os.sep) + os.sep) for d in dirs):
                dirs.append(folder)
        options.setdefault("reload_dirs", dirs)
        if _has_watchfiles():
            includes = ["*.py", "*.html", *(os.path.basename(path) for path in extra)]
            options.setdefault("reload_includes", list(dict.fromkeys(includes)))
            if exclude_patterns:
                options.setdefault("reload_excludes", list(exclude_patterns))
        elif exclude_patterns or any(not path.endswith(".py") for path in extra):
            print(
                " * Extra files other than .py ones and exclude patterns need watchfiles"
                " ('pip install watchfiles'); without it they are ignored.",
                file=sys.stderr,
            )
    uvicorn.run(
        SERVER_FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        **options,
    )


def load_app_for_server() -> ASGIApp:
    """The uvicorn factory of server processes: the app named by ``VIAL_APP``, as ASGI."""
    from .cli import ScriptInfo

    info = ScriptInfo(app_import_path=os.environ.get("VIAL_APP"), load_dotenv_defaults=False)
    return info.load_app().asgi


def _reload_dirs(app: Vial) -> list[str]:
    """The working folder, and the app's folder when it lies elsewhere (not in a library)."""
    dirs = [os.getcwd()]
    root = os.path.abspath(app.root_path)
    libraries = {sysconfig.get_path("stdlib"), sysconfig.get_path("purelib")}
    inside_cwd = (root + os.sep).startswith(dirs[0].rstrip(os.sep) + os.sep)
    in_library = any(lib and (root + os.sep).startswith(lib + os.sep) for lib in libraries)
    if not inside_cwd and not in_library and os.path.isdir(root):
        dirs.append(root)
    return dirs


def _has_watchfiles() -> bool:
    import importlib.util

    return importlib.util.find_spec("watchfiles") is not None


def app_import_path(app: Vial) -> str | None:
    """An import path (``module:name``) that finds ``app`` again, or None.

    The app must be a module-level variable of its own module or of the script
    being run (``__main__``, given as its file path or ``-m`` module name).
    """
    for module_name in dict.fromkeys((app.import_name, "__main__")):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is not app:
                continue
            if module_name != "__main__":
                return f"{module_name}:{attr}"
            spec = getattr(module, "__spec__", None)
            if spec is not None and spec.name and spec.name != "__main__":
                return f"{spec.name}:{attr}"
            filename = getattr(module, "__file__", None)
            if filename:
                return f"{os.path.abspath(filename)}:{attr}"
    return None
