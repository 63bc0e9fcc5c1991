"""Serve static files from folders (or packages) in front of a WSGI application."""

from __future__ import annotations

import mimetypes
import os
import typing as t
import zlib
from collections.abc import Callable, Iterable
from fnmatch import fnmatch
from time import time

from ..scaffold import get_root_path
from ..security import _safe_file_path
from ..wrappers.file_body import FileBody
from ..wrappers.response import Response

if t.TYPE_CHECKING:
    from ..typing import StartResponse, WSGIApplication, WSGIEnvironment

# Finds the file for the part of the path after an export's prefix ("" for the
# prefix itself); None when it has none.
_Loader = Callable[[str], "str | None"]


def _directory_loader(directory: str) -> _Loader:
    def load(path: str) -> str | None:
        return _safe_file_path(directory, path) if path else None

    return load


def _file_loader(filename: str) -> _Loader:
    def load(path: str) -> str | None:
        return filename if not path and os.path.isfile(filename) else None

    return load


class SharedDataMiddleware:
    """Answer requests under some URL prefixes with files, and pass the rest to ``app``.

    ``exports`` maps a URL prefix to a folder, a single file, or a
    ``(package, path)`` pair naming a folder inside an installed package::

        app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {
            "/static": "/srv/site/static",
            "/favicon.ico": "/srv/site/favicon.ico",
            "/widgets": ("my_widgets", "assets"),
        })

    Files are sent with a guessed ``Content-Type`` (``fallback_mimetype`` when
    none is known) and, with ``cache``, an ``ETag``, ``Last-Modified``,
    ``Cache-Control: public, max-age=cache_timeout`` and ``Expires``;
    conditional and range requests get ``304`` and ``206`` answers.

    A path that could leave its folder is never served: ``..`` segments,
    absolute paths, backslashes, NUL characters (and their percent-encoded forms,
    which arrive decoded) and symlinks out of the folder; such requests, paths
    with no file, methods other than GET and HEAD, and files matching
    ``disallow`` all go to the wrapped app (which usually answers 404).

    :param app: the WSGI application to wrap (``app.wsgi_app``).
    :param exports: URL prefix to folder, file or ``(package, path)``; a dict or
        a list of pairs, searched in order.
    :param disallow: a :mod:`fnmatch` pattern of file paths never to serve.
    :param cache: send the caching headers and answer conditional requests.
    :param cache_timeout: seconds browsers may cache a file.
    :param fallback_mimetype: the type of files whose type cannot be guessed.
    """

    def __init__(
        self,
        app: WSGIApplication,
        exports: t.Mapping[str, str | tuple[str, str]]
        | Iterable[tuple[str, str | tuple[str, str]]],
        disallow: str | None = None,
        cache: bool = True,
        cache_timeout: int = 60 * 60 * 12,
        fallback_mimetype: str = "application/octet-stream",
    ) -> None:
        self.app = app
        self.exports: list[tuple[str, _Loader]] = []
        self.cache = cache
        self.cache_timeout = cache_timeout
        self.fallback_mimetype = fallback_mimetype
        self.disallow = disallow
        items = exports.items() if isinstance(exports, t.Mapping) else exports
        for prefix, target in items:
            if isinstance(target, tuple):
                package, path = target
                loader = _directory_loader(os.path.join(get_root_path(package), path))
            elif os.path.isfile(target):
                loader = _file_loader(target)
            else:
                loader = _directory_loader(target)
            self.exports.append((prefix, loader))

    def is_allowed(self, filename: str) -> bool:
        """Whether ``filename`` may be served (it does not match ``disallow``)."""
        return self.disallow is None or not fnmatch(filename, self.disallow)

    def find_file(self, path: str) -> str | None:
        """The file for the URL path ``path``, or ``None`` when no export has one."""
        for prefix, loader in self.exports:
            if path == prefix:
                found = loader("")
                if found is not None:
                    return found
            folder_prefix = prefix if prefix.endswith("/") else f"{prefix}/"
            if path.startswith(folder_prefix):
                found = loader(path[len(folder_prefix) :])
                if found is not None:
                    return found
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        # PEP 3333: PATH_INFO holds the URL's bytes as latin-1 characters.
        raw_path = environ.get("PATH_INFO", "") or "/"
        path = raw_path.encode("latin-1", "replace").decode("utf-8", "replace")
        filename = self.find_file(path)
        if filename is None or not self.is_allowed(filename):
            return self.app(environ, start_response)
        try:
            response = self._file_response(environ, filename)
        except OSError:
            return self.app(environ, start_response)
        return response(environ, start_response)

    def _file_response(self, environ: WSGIEnvironment, filename: str) -> Response:
        mimetype = mimetypes.guess_type(filename)[0] or self.fallback_mimetype
        file = open(filename, "rb")  # noqa: SIM115 - closed with the response
        try:
            stat = os.fstat(file.fileno())
            body = FileBody(file, stat.st_size, filename)
            response = Response(body, mimetype=mimetype, direct_passthrough=True)
            response.headers["Content-Length"] = str(stat.st_size)
            if self.cache:
                checksum = zlib.adler32(filename.encode("utf-8", "replace")) & 0xFFFFFFFF
                response.set_etag(f"vial-sdm-{stat.st_mtime}-{stat.st_size}-{checksum}")
                response.last_modified = stat.st_mtime
                response.cache_control.public = True
                response.cache_control.max_age = self.cache_timeout
                response.expires = int(time() + self.cache_timeout)
                response.make_conditional(environ, accept_ranges=True, complete_length=stat.st_size)
        except BaseException:
            file.close()
            raise
        return response
