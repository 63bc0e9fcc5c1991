"""WSGI helpers with Werkzeug's names: files as bodies, closing iterators, body limits, URLs.

``wrap_file`` turns a file into a response body the server can send itself::

    from vial.wsgi import wrap_file

    @app.get("/report")
    def report():
        file = open("report.pdf", "rb")
        return Response(wrap_file(request.environ, file), mimetype="application/pdf",
                        direct_passthrough=True)

It works through both of vial's interfaces: under ASGI the adapter's own file
wrapper is used.
"""

from __future__ import annotations

import io
import typing as t
from collections.abc import Callable, Iterable, Iterator
from functools import update_wrapper

from .wrappers.body import BodyStream

if t.TYPE_CHECKING:
    from .typing import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "ClosingIterator",
    "FileWrapper",
    "LimitedStream",
    "get_current_url",
    "get_host",
    "responder",
    "wrap_file",
]


class FileWrapper:
    """Iterates over a binary file in blocks of ``buffer_size`` bytes; ``close()`` closes it.

    What :func:`wrap_file` falls back to when the server offers no
    ``wsgi.file_wrapper``. ``seekable``, ``seek`` and ``tell`` pass through to the
    file when it has them.

    :param file: a file object opened for binary reading.
    :param buffer_size: the size of each block.
    """

    def __init__(self, file: t.IO[bytes], buffer_size: int = 8192) -> None:
        self.file = file
        self.buffer_size = buffer_size

    def close(self) -> None:
        """Close the file."""
        close = getattr(self.file, "close", None)
        if close is not None:
            close()

    def seekable(self) -> bool:
        """Whether the file can seek."""
        seekable = getattr(self.file, "seekable", None)
        if seekable is not None:
            return bool(seekable())
        return hasattr(self.file, "seek")

    def seek(self, *args: t.Any) -> None:
        """Move in the file, as ``file.seek``."""
        if hasattr(self.file, "seek"):
            self.file.seek(*args)

    def tell(self) -> int | None:
        """The position in the file (None when it cannot tell)."""
        if hasattr(self.file, "tell"):
            return self.file.tell()
        return None

    def __iter__(self) -> FileWrapper:
        return self

    def __next__(self) -> bytes:
        data = self.file.read(self.buffer_size)
        if data:
            return data
        raise StopIteration()


def wrap_file(
    environ: WSGIEnvironment, file: t.IO[bytes], buffer_size: int = 8192
) -> Iterable[bytes]:
    """An iterable body for ``file``: the server's ``wsgi.file_wrapper`` or a :class:`FileWrapper`.

    A server's wrapper may send the file with ``sendfile()``; under ASGI, vial's
    adapter sends it as ``http.response.pathsend`` when the server supports it.
    Return it in a :class:`~vial.Response` with ``direct_passthrough=True`` so it
    is handed on as it is; the file is closed with the response.

    :param environ: the request's WSGI environ (``request.environ``).
    :param file: a file object opened for binary reading.
    :param buffer_size: the size of each block read.
    """
    wrapper: Callable[[t.IO[bytes], int], Iterable[bytes]] = environ.get(
        "wsgi.file_wrapper", FileWrapper
    )
    return wrapper(file, buffer_size)


class ClosingIterator:
    """Wraps a WSGI body so that closing it also runs ``callbacks``.

    ``close()`` calls the iterable's own ``close`` first (when it has one), then
    each callback in order, once. Use it in middleware that must clean up after
    the body was sent::

        return ClosingIterator(app(environ, start_response), [cleanup, release])

    :param iterable: the body to wrap.
    :param callbacks: a callable or a list of callables taking no arguments.
    """

    def __init__(
        self,
        iterable: Iterable[bytes],
        callbacks: Callable[[], t.Any] | Iterable[Callable[[], t.Any]] | None = None,
    ) -> None:
        self._iterator: Iterator[bytes] = iter(iterable)
        if callbacks is None:
            callback_list: list[Callable[[], t.Any]] = []
        elif callable(callbacks):
            callback_list = [callbacks]
        else:
            callback_list = list(callbacks)
        iterable_close = getattr(iterable, "close", None)
        if iterable_close is not None:
            callback_list.insert(0, iterable_close)
        self._callbacks = callback_list
        self._closed = False

    def __iter__(self) -> ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        """Run the callbacks (only the first call does anything)."""
        if self._closed:
            return
        self._closed = True
        for callback in self._callbacks:
            callback()


class LimitedStream(io.RawIOBase):
    """A read-only stream that gives at most ``limit`` bytes of another stream.

    With ``is_max=False`` (the default) ``limit`` is the exact length of the data,
    as a Content-Length: a stream that ends before it raises
    :exc:`~vial.exceptions.ClientDisconnected` (400). With ``is_max=True`` it is a
    maximum: the data may end earlier, and data past it raises
    :exc:`~vial.exceptions.RequestEntityTooLarge` (413).

    :param stream: the stream to read from (``environ["wsgi.input"]``).
    :param limit: the length, or the maximum length, in bytes.
    :param is_max: whether ``limit`` is a maximum rather than the exact length.
    """

    def __init__(self, stream: t.Any, limit: int, is_max: bool = False) -> None:
        super().__init__()
        self._body = BodyStream(stream, None, limit) if is_max else BodyStream(stream, limit, None)
        self.limit = limit
        self.is_max = is_max

    @property
    def is_exhausted(self) -> bool:
        """Whether everything there was to read has been read."""
        return self._body._exhausted

    def exhaust(self) -> bytes:
        """Read and return the rest of the data."""
        return self._body.readall()

    def readable(self) -> bool:
        """Always true."""
        return True

    def readinto(self, buffer: t.Any) -> int:
        """Read into ``buffer``; returns the number of bytes read (0 at the end)."""
        view = memoryview(buffer).cast("B")
        data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        """Read the rest of the data."""
        return self._body.readall()

    def tell(self) -> int:
        """How many bytes were read so far."""
        return self._body.bytes_read


def _request(environ: WSGIEnvironment, trusted_hosts: Iterable[str] | None) -> t.Any:
    from .wrappers.request import Request

    request = Request(environ, populate_request=False)
    if trusted_hosts is not None:
        request.trusted_hosts = list(trusted_hosts)
    return request


def get_host(environ: WSGIEnvironment, trusted_hosts: Iterable[str] | None = None) -> str:
    """The host of the request, as :attr:`Request.host <vial.Request.host>` finds it.

    The ``Host`` header, else ``SERVER_NAME`` with a non-default ``SERVER_PORT``;
    the default port for the scheme is dropped.

    :param environ: the WSGI environ.
    :param trusted_hosts: when given, a host not matching one of them raises
        :exc:`~vial.exceptions.SecurityError` (``.example.com`` matches subdomains).
    """
    return t.cast(str, _request(environ, trusted_hosts).host)


def get_current_url(
    environ: WSGIEnvironment,
    root_only: bool = False,
    strip_querystring: bool = False,
    host_only: bool = False,
    trusted_hosts: Iterable[str] | None = None,
) -> str:
    """The URL of the request as an IRI, as the ``Request`` URL properties give it.

    :param environ: the WSGI environ.
    :param root_only: only scheme, host and mount point (``SCRIPT_NAME``), with a slash.
    :param strip_querystring: leave out the query string.
    :param host_only: only scheme and host, with a slash.
    :param trusted_hosts: checked as :func:`get_host` does.
    """
    request = _request(environ, trusted_hosts)
    if host_only:
        return t.cast(str, request.host_url)
    if root_only:
        return t.cast(str, request.root_url)
    if strip_querystring:
        return t.cast(str, request.base_url)
    return t.cast(str, request.url)


def responder(f: Callable[..., WSGIApplication]) -> Callable[..., Iterable[bytes]]:
    """Turn a function returning a WSGI app (a response, say) into a WSGI app.

    The function gets the WSGI arguments (``environ, start_response``, after
    ``self`` for methods) and what it returns is called with them::

        @responder
        def app(environ, start_response):
            return Response("Hello")
    """

    def application(*args: t.Any) -> Iterable[bytes]:
        environ: WSGIEnvironment = args[-2]
        start_response: StartResponse = args[-1]
        return f(*args)(environ, start_response)

    return update_wrapper(application, f)
