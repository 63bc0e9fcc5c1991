"""Mount several WSGI applications under path prefixes of one server."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from ..typing import StartResponse, WSGIApplication, WSGIEnvironment


class DispatcherMiddleware:
    """Send each request to the app mounted at the longest matching path prefix.

    The prefix moves from ``PATH_INFO`` to ``SCRIPT_NAME``, so the mounted app's
    ``url_for`` builds URLs under its prefix::

        application = DispatcherMiddleware(frontend, {"/api": api_app})

    :param app: the app for everything no mount matches.
    :param mounts: prefix (``"/api"``) to WSGI application.
    """

    def __init__(
        self, app: WSGIApplication, mounts: dict[str, WSGIApplication] | None = None
    ) -> None:
        self.app = app
        self.mounts = {prefix.rstrip("/"): mounted for prefix, mounted in (mounts or {}).items()}

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        script = environ.get("PATH_INFO", "")
        path_info = ""
        while "/" in script:
            if script in self.mounts:
                app = self.mounts[script]
                break
            script, last = script.rsplit("/", 1)
            path_info = f"/{last}{path_info}"
        else:
            app = self.mounts.get(script, self.app)
            if app is self.app:
                return self.app(environ, start_response)
        original_script = environ.get("SCRIPT_NAME", "")
        environ["SCRIPT_NAME"] = original_script + script
        environ["PATH_INFO"] = path_info
        return app(environ, start_response)
