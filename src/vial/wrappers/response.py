"""The outgoing response: status, a header list and a body."""

from __future__ import annotations

import json as _stdlib_json
import typing as t
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from ..datastructures import Headers
from ..globals import _cv_contexts
from ..statuses import HTTP_STATUS_CODES
from .file_body import FILE_CHUNK_SIZE
from .response_headers import ResponseHeaderMixin

if t.TYPE_CHECKING:
    from ..typing import StartResponse, WSGIEnvironment
    from .response_stream import ResponseStream

_TEXT_LIKE = frozenset(
    (
        "application/xml",
        "application/javascript",
        "application/ecmascript",
        "application/x-www-form-urlencoded",
    )
)
_content_type_cache: dict[str, str] = {}


def _has_control(value: str) -> bool:
    return "\r" in value or "\n" in value or "\x00" in value


_status_cache: dict[int, str] = {}


#: Headers a plain answer leaves to the full path: its own length, and URLs to quote.
_FULL_PATH_HEADERS = ("content-length", "location", "content-location")

# What plain_header_items() found a checked ``(name, value)`` pair to be.
_OTHER_HEADER, _CONTENT_TYPE_HEADER, _FULL_PATH_HEADER = 0, 1, 2
#: ``(name, value)`` pairs already checked -> their kind and the pair itself. PERF: views
#: often return the same header dict on every request; a lookup costs a tenth of the
#: checks. The stored pair is what is sent, not the one looked up: an object that only
#: compares and hashes equal to a checked pair (a str subclass, a ``UserAgent``) must not
#: reach the server unconverted.
_checked_items: dict[tuple[str, str], tuple[int, tuple[str, str]]] = {}
_CHECKED_ITEMS_MAX = 1024
_CHECKED_ITEM_MAX_LENGTH = 256  # longer pairs are checked each time, not kept


def _header_item_kind(name: t.Any, value: t.Any) -> int | None:
    """The kind of a ``(name, value)`` pair, or None when it needs :class:`Headers`."""
    if type(name) is not str or type(value) is not str or not name:
        return None
    joined = name + value
    # isprintable() is false for CR, LF, NUL and every other control character.
    if not (joined.isascii() and joined.isprintable()) or ":" in name:
        return None
    lowered = name.lower()
    if lowered == "content-type":
        kind = _CONTENT_TYPE_HEADER
    elif lowered in _FULL_PATH_HEADERS:
        kind = _FULL_PATH_HEADER
    else:
        kind = _OTHER_HEADER
    if len(joined) <= _CHECKED_ITEM_MAX_LENGTH:
        if len(_checked_items) >= _CHECKED_ITEMS_MAX:
            # Full: start again, so that pairs which change with every request (request
            # IDs, lengths) cannot keep the common ones out for good.
            _checked_items.clear()
        pair = (name, value)
        _checked_items[pair] = (kind, pair)
    return kind


def plain_header_items(
    mapping: dict[t.Any, t.Any], content_type: str | None = None
) -> list[tuple[str, str]] | None:
    """The ``(name, value)`` pairs of a plain ``{"Name": "value"}`` dict (int values as
    text), or None when anything needs the full checks of :class:`Headers` (lists,
    non-str names, control characters, a colon in a name, non-ASCII text).

    With ``content_type``, the list a plain answer starts with: ``Content-Type:
    content_type`` first unless the dict names one, and None if it names a
    ``Content-Length`` (the caller computes that header) or a URL header (the full
    path quotes it, see :func:`check_latin1_headers`).
    """
    items = []
    has_type = False
    checked = _checked_items
    for item in mapping.items():
        try:
            known = checked.get(item)
        except TypeError:  # an unhashable value: Headers knows what to do with it
            return None
        if known is not None:
            kind, item = known
        else:
            name, value = item
            if type(value) is int:
                value = str(value)
                item = (name, value)
            found = _header_item_kind(name, value)
            if found is None:
                return None
            kind = found
        if kind and content_type is not None:
            if kind == _FULL_PATH_HEADER:
                return None
            has_type = True
        items.append(item)
    if content_type is not None and not has_type:
        items.insert(0, ("Content-Type", content_type))
    return items


def _headers_from_dict(mapping: dict[str, t.Any]) -> Headers:
    """PERF: a plain dict becomes Headers with one cheap check per item."""
    items = plain_header_items(mapping)
    return Headers(mapping) if items is None else Headers._from_trusted(items)


#: Headers whose value is a URL, quoted with iri_to_uri() on the way out.
_URL_HEADERS = ("location", "content-location")


def check_latin1_headers(headers: Headers) -> None:
    """Refuse header text an HTTP/1 server cannot send (it carries Latin-1 bytes), and
    turn a ``Location`` or ``Content-Location`` IRI into a URI, as Werkzeug does.

    Called when a response is finalized, so the ValueError takes the app's own 500
    path (and its handler) instead of failing later in the server. Parsed request
    data (multipart part headers, for instance) may hold any text.
    """
    items = headers._list
    for index, (name, value) in enumerate(items):
        ascii_text = name.isascii() and value.isascii()
        # Every Location is quoted, as Werkzeug does: an ASCII '/\\evil.example' would
        # otherwise reach browsers, which read it as '//evil.example' (another host).
        # PERF: the length test spares the lower() for most other headers.
        if len(name) in (8, 16) and name.lower() in _URL_HEADERS:
            from ..urls import iri_to_uri

            items[index] = (name, iri_to_uri(value))
            continue
        if not ascii_text:
            try:
                name.encode("latin-1")
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise ValueError(
                    f"The response header {name!r} is not Latin-1 text; encode it first"
                    " (RFC 5987 for parameters, percent-encoding for URLs)."
                ) from None


def get_content_type(mimetype: str, charset: str = "utf-8") -> str:
    """``text/html`` → ``text/html; charset=utf-8``; non-text types stay as they are."""
    cached = _content_type_cache.get(mimetype)
    if cached is not None:
        return cached
    if _has_control(mimetype):
        raise ValueError("Header values must not contain CR, LF or NUL characters.")
    value = mimetype
    if (
        mimetype.startswith("text/") or mimetype in _TEXT_LIKE or mimetype.endswith("+xml")
    ) and "charset" not in mimetype:
        value = f"{mimetype}; charset={charset}"
    if len(_content_type_cache) < 256:
        _content_type_cache[mimetype] = value
    return value


def _status_text(code: int) -> str:
    text = _status_cache.get(code)
    if text is None:
        text = f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"
        if 100 <= code <= 999:
            _status_cache[code] = text
    return text


class Response(ResponseHeaderMixin):
    """An HTTP response.

    :param response: the body: str, bytes, or an iterable (or async iterable) of either.
    :param status: an int (``404``) or a status line (``"404 NOT FOUND"``).
    :param headers: a :class:`~vial.datastructures.Headers`, a dict or a list of pairs.
    :param mimetype: the mimetype; ``charset=utf-8`` is added for text types.
    :param content_type: the full Content-Type, used as given.
    :param direct_passthrough: hand an iterable body to the server untouched.
    """

    default_status = 200
    default_mimetype: str | None = "text/html"
    charset = "utf-8"
    automatically_set_content_length = True
    autocorrect_location_header = False
    #: With ``False``, reading a streamed body (``get_data``, ``add_etag``, ...) is a
    #: RuntimeError unless :meth:`make_sequence` was called first.
    implicit_sequence_conversion = True

    @property
    def max_cookie_size(self) -> int:
        """The size of a Set-Cookie header past which :meth:`set_cookie` warns: the
        current app's ``MAX_COOKIE_SIZE``, or 4093 outside an app context (``0``: no
        warning). Read-only, as in Flask; a subclass may replace it with a number."""
        ctx = _cv_contexts.get()[0]
        if ctx is None:
            return 4093
        size: int = ctx.app.config["MAX_COOKIE_SIZE"]
        return size

    #: Whether Content-Length was set from the body by :meth:`set_data`.
    _length_from_data = False
    # PERF: a shared empty tuple until call_on_close() is used (one allocation less
    # per response, which also means fewer garbage-collector passes under load).
    _on_close: t.Sequence[t.Callable[[], t.Any]] = ()
    json_module: t.Any = _stdlib_json

    headers: Headers
    response: t.Any
    _status: str
    _status_code: int

    def __init__(
        self,
        response: t.Any = None,
        status: int | str | None = None,
        headers: t.Any = None,
        mimetype: str | None = None,
        content_type: str | None = None,
        direct_passthrough: bool = False,
    ) -> None:
        # PERF: the header list is built here directly (one pass over the caller's
        # headers, no per-call Headers validation for the values we make ourselves);
        # this took Response construction from about 6 to 2 us for the common cases.
        if headers is None:
            self.headers = Headers._from_trusted([])
        elif type(headers) is dict:
            self.headers = _headers_from_dict(headers)
        else:
            self.headers = headers if isinstance(headers, Headers) else Headers(headers)
        items = self.headers._list
        has_type = has_length = False
        for name, _ in items:
            lowered = name.lower()
            if lowered == "content-type":
                has_type = True
            elif lowered == "content-length":
                has_length = True
        if content_type is None:
            if mimetype is None and not has_type:
                mimetype = self.default_mimetype
            if mimetype is not None:
                content_type = get_content_type(mimetype, self.charset)
        elif _has_control(content_type):
            raise ValueError("Header values must not contain CR, LF or NUL characters.")
        if content_type is not None:
            if has_type:
                self.headers["Content-Type"] = content_type
            else:
                items.insert(0, ("Content-Type", content_type))
        if status is None:
            self._status_code = self.default_status
            self._status = _status_text(self.default_status)
        elif type(status) is int:
            self._status_code = status
            self._status = _status_text(status)
        else:
            self.status = status
        self.direct_passthrough = direct_passthrough
        kind = type(response)
        if kind is str or kind is bytes:
            data: bytes = response.encode(self.charset) if kind is str else response
            self.response = [data]
            if self.automatically_set_content_length:
                if has_length:
                    self.headers["Content-Length"] = str(len(data))
                else:
                    items.append(("Content-Length", str(len(data))))
                self._length_from_data = True
        elif response is None:
            self.response = []
        elif isinstance(response, (str, bytes, bytearray)):
            # Subclasses too (Markup from a template macro): one body, not an iterable.
            self.set_data(response)
        else:
            self.response = response

    # -- status ------------------------------------------------------------------------------

    @property
    def status_code(self) -> int:
        """The status as an int."""
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        code = int(code)
        self._status_code = code
        self._status = _status_text(code)

    @property
    def status(self) -> str:
        """The status line, for example ``"200 OK"``."""
        return self._status

    @status.setter
    def status(self, value: int | str | t.Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.status_code = value
            return
        if not isinstance(value, str):
            raise TypeError("The status must be an int or a str, such as 200 or '200 OK'.")
        if any(c in value for c in "\r\n\x00"):
            raise ValueError("The status line must not contain CR, LF or NUL characters.")
        value = value.strip()
        if not value:
            raise ValueError("The status must not be empty.")
        code_text, _, reason = value.partition(" ")
        if not (code_text.isdigit() and code_text.isascii() and len(code_text) == 3):
            raise ValueError(f"The status {value!r} does not start with a three-digit code.")
        code = int(code_text)
        self._status_code = code
        self._status = f"{code} {reason}" if reason else _status_text(code)

    # -- body -------------------------------------------------------------------------------

    @property
    def is_streamed(self) -> bool:
        """True when the body is an iterable of unknown length (a generator, ...)."""
        return not isinstance(self.response, (list, tuple))

    @property
    def is_sequence(self) -> bool:
        """True when the body is a list or tuple already in memory."""
        return isinstance(self.response, (list, tuple))

    def set_data(self, value: str | bytes | bytearray) -> None:
        """Replace the body and set Content-Length."""
        value = _chunk_bytes(value, self.charset)
        self.response = [value]
        if self.automatically_set_content_length:
            self.headers["Content-Length"] = str(len(value))
            self._length_from_data = True

    def get_data(self, as_text: bool = False) -> t.Any:
        """The whole body (a streamed body is read into memory first)."""
        self._ensure_sequence()
        data = b"".join(self.iter_encoded())
        if as_text:
            return data.decode(self.charset)
        return data

    @property
    def data(self) -> bytes:
        """The body as bytes; settable."""
        data: bytes = self.get_data()
        return data

    @data.setter
    def data(self, value: str | bytes) -> None:
        self.set_data(value)

    @property
    def text(self) -> str:
        """The body decoded as text (useful in tests)."""
        text: str = self.get_data(as_text=True)
        return text

    @property
    def stream(self) -> ResponseStream:
        """A write-only file object that appends to the body, as Werkzeug's:
        ``response.stream.write("text")`` or ``print(..., file=response.stream)``."""
        stream: ResponseStream | None = self.__dict__.get("_stream")
        if stream is None:
            from .response_stream import ResponseStream

            stream = self.__dict__["_stream"] = ResponseStream(self)
        return stream

    def _ensure_sequence(self) -> None:
        if self.is_sequence:
            return
        if hasattr(self.response, "__aiter__") and not hasattr(self.response, "__iter__"):
            raise RuntimeError(
                "This response streams an async iterable; its body can only be read by an"
                " ASGI server or an async test."
            )
        if not self.implicit_sequence_conversion:
            raise RuntimeError(
                "The response object required the iterable to be a sequence, but the"
                " implicit conversion was disabled. Call make_sequence() yourself."
            )
        self.make_sequence()

    def make_sequence(self) -> None:
        """Read a streamed body into a list, keeping what ``close`` must still do."""
        if not self.is_sequence:
            close = getattr(self.response, "close", None)
            self.response = list(self.iter_encoded())
            if close is not None:
                self.call_on_close(close)

    def iter_encoded(self) -> Iterator[bytes]:
        """The body as bytes chunks (str chunks are encoded).

        The body is taken when this is called, not when the iterator is first read, so
        ``response.response = wrap(response.iter_encoded())`` works (as in Werkzeug).
        """
        return _encoded_chunks(self.response, self.charset)

    def freeze(self) -> None:
        """Buffer the body (whatever ``implicit_sequence_conversion`` says), set
        Content-Length, and an ETag unless one is set: ready to be cached or pickled."""
        self.response = list(self.iter_encoded())
        self.headers["Content-Length"] = str(sum(map(len, self.response)))
        self.add_etag()

    def calculate_content_length(self) -> int | None:
        """The body's length when it is in memory, else ``None``."""
        if not self.is_sequence:
            return None
        charset = self.charset
        return sum(len(_chunk_bytes(item, charset)) for item in self.response)

    # -- JSON ----------------------------------------------------------------------------------

    @property
    def is_json(self) -> bool:
        """True when the mimetype is JSON."""
        mimetype = self.mimetype or ""
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    @property
    def json(self) -> t.Any:
        """The body parsed as JSON (``None`` when the mimetype is not JSON)."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> t.Any:
        """Parse the body as JSON; ``None`` when not JSON unless ``force``."""
        if not (force or self.is_json):
            return None
        try:
            return self.json_module.loads(self.get_data())
        except ValueError:
            if not silent:
                raise
            return None

    # -- cookies -------------------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: timedelta | int | None = None,
        expires: str | datetime | int | float | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Add a Set-Cookie header; every attribute of RFC 6265 (and CHIPS) is supported."""
        from ..http import dump_cookie

        self.headers.add(
            "Set-Cookie",
            dump_cookie(
                key,
                value=value,
                max_age=max_age,
                expires=expires,
                path=path,
                domain=domain,
                secure=secure,
                httponly=httponly,
                max_size=self.max_cookie_size,
                samesite=samesite,
                partitioned=partitioned,
            ),
        )

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
        partitioned: bool = False,
    ) -> None:
        """Tell the client to drop a cookie (expires in the past, max-age 0)."""
        self.set_cookie(
            key,
            expires=0,
            max_age=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    # -- closing -------------------------------------------------------------------------------

    def call_on_close(self, func: t.Callable[[], t.Any]) -> t.Callable[[], t.Any]:
        """Run ``func`` when the server is done with the response (usable as a decorator)."""
        if not isinstance(self._on_close, list):
            self._on_close = []
        self._on_close.append(func)
        return func

    def close(self) -> None:
        """Close the body iterable and run the ``call_on_close`` functions."""
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
            else:
                aclose = getattr(self.response, "aclose", None)
                if aclose is not None:
                    from .._async import run_coroutine_sync

                    run_coroutine_sync(aclose())
        finally:
            for func in self._on_close:
                func()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- WSGI ----------------------------------------------------------------------------------

    def _body_is_empty_for(self, method: str) -> bool:
        code = self._status_code
        return method == "HEAD" or code < 200 or code in (204, 304)

    def get_wsgi_headers(self, environ: WSGIEnvironment) -> Headers:
        """The headers to send (304 and 204 lose what they must not carry)."""
        headers = self.headers
        code = self._status_code
        if code == 304 or code == 204 or code < 200:
            headers = headers.copy()
            if code != 304:
                headers.remove("Content-Length")
            else:
                from ..http import remove_entity_headers

                remove_entity_headers(headers)
        elif (
            self.automatically_set_content_length
            and not self._length_from_data
            and "Content-Length" not in headers
            and self.is_sequence
        ):
            # HEAD too: it answers with the headers GET would send.
            length = self.calculate_content_length()
            if length is not None:
                headers = headers.copy()
                headers["Content-Length"] = str(length)
        return headers

    def get_wsgi_response(
        self, environ: WSGIEnvironment
    ) -> tuple[Iterable[bytes], str, list[tuple[str, str]]]:
        """``(body iterable, status line, header list)`` to send for ``environ``."""
        headers = self.get_wsgi_headers(environ)
        return self.get_app_iter(environ), self._status, headers.to_wsgi_list()

    @classmethod
    def from_app(
        cls, app: t.Callable[..., Iterable[bytes]], environ: WSGIEnvironment, buffered: bool = False
    ) -> Response:
        """Call the WSGI ``app`` with ``environ`` and wrap what it answers (for tests).

        :param buffered: read the whole body now (and close the app's iterable).
        """
        from ..testing import run_wsgi_app

        body, status, headers = run_wsgi_app(app, environ, buffered)
        return cls(body, status, headers)

    def get_app_iter(self, environ: WSGIEnvironment) -> Iterable[bytes]:
        """The body iterable to hand to the server (it calls ``close()`` when done)."""
        body = self.response
        if self._body_is_empty_for(environ.get("REQUEST_METHOD", "GET")):
            iterable: Iterable[bytes] = ()
        elif hasattr(body, "__aiter__") and not hasattr(body, "__iter__"):
            if "asgi.scope" in environ:
                return t.cast("Iterable[bytes]", AsyncBody(body, self.close, self.charset))
            iterable = _iterate_async_body(body, self.charset)
        elif self.direct_passthrough:
            iterable = body
            file_wrapper = environ.get("wsgi.file_wrapper")
            if (
                file_wrapper is not None
                and not self._on_close
                and getattr(body, "is_whole_file", False)
            ):
                # The server may send the file with sendfile(); it closes the file itself.
                return t.cast("Iterable[bytes]", file_wrapper(body.file, FILE_CHUNK_SIZE))
        elif type(body) is list and (
            (len(body) == 1 and type(body[0]) is bytes) or all(type(x) is bytes for x in body)
        ):
            iterable = body
        else:
            iterable = self.iter_encoded()
        if self._on_close or hasattr(body, "close") or hasattr(body, "aclose"):
            return ClosingIterator(iterable, self.close)
        return iterable

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer as a WSGI application."""
        headers = self.get_wsgi_headers(environ)
        app_iter = self.get_app_iter(environ)
        # PERF: the list itself, not a copy: it was validated as it was built.
        start_response(self._status, headers._list)
        return app_iter

    @classmethod
    def force_type(cls, response: Response, environ: WSGIEnvironment | None = None) -> Response:
        """Return ``response`` as an instance of this class (or run a WSGI app to get one)."""
        if isinstance(response, cls):
            return response
        if isinstance(response, Response):
            response.__class__ = cls
            return response
        if environ is None:
            raise TypeError("Cannot convert a WSGI application into a response without an environ.")
        from ..testing import run_wsgi_app

        body, status, headers = run_wsgi_app(response, environ)
        return cls(body, status, headers)

    def __repr__(self) -> str:
        if self.is_sequence:
            size = f"{sum(map(len, self.response))} bytes"
        else:
            size = "streamed" if self.is_streamed else "likely-streamed"
        return f"<{type(self).__name__} {size} [{self.status}]>"


class ClosingIterator:
    """Wraps a body iterable so the server's ``close()`` also runs our clean-up."""

    __slots__ = ("_close", "_closed", "_iterator")

    def __init__(self, iterable: Iterable[bytes], close: t.Callable[[], None]) -> None:
        self._iterator = iter(iterable)
        self._close = close
        self._closed = False

    def __iter__(self) -> ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        """Run the clean-up once, whatever the server does."""
        if not self._closed:
            self._closed = True
            self._close()


class AsyncBody:
    """An async body handed to the ASGI adapter, which iterates it on the event loop."""

    __slots__ = ("_charset", "_close", "_iterable")

    def __init__(
        self, iterable: t.AsyncIterable[t.Any], close: t.Callable[[], None], charset: str
    ) -> None:
        self._iterable = iterable
        self._close = close
        self._charset = charset

    async def __aiter__(self) -> t.AsyncIterator[bytes]:
        charset = self._charset
        async for item in self._iterable:
            yield _chunk_bytes(item, charset)

    def close(self) -> None:
        """Close the async iterable (from a worker thread) and run the response's clean-up."""
        self._close()


def _iterate_async_body(iterable: t.AsyncIterable[t.Any], charset: str) -> Iterator[bytes]:
    """Pull an async body from sync code (WSGI), one chunk at a time on a reused loop."""
    from .._async import run_coroutine_sync

    iterator = iterable.__aiter__()
    while True:
        try:
            item = run_coroutine_sync(_anext(iterator))
        except StopAsyncIteration:
            return
        yield _chunk_bytes(item, charset)


def _chunk_bytes(item: t.Any, charset: str) -> bytes:
    """A body chunk as bytes: text encoded with ``charset``; bytes, bytearray,
    memoryview or any other buffer as its bytes.

    Anything else is a TypeError, as in Werkzeug; ``bytes(5)`` would be five NUL bytes.
    """
    if type(item) is bytes:
        return item
    if isinstance(item, str):
        return item.encode(charset)
    try:
        return memoryview(item).tobytes()
    except TypeError:
        raise TypeError(
            f"A response body chunk must be str or bytes, not {type(item).__name__}."
        ) from None


def _encoded_chunks(body: t.Iterable[t.Any], charset: str) -> Iterator[bytes]:
    for item in body:
        yield _chunk_bytes(item, charset)


async def _anext(iterator: t.AsyncIterator[t.Any]) -> t.Any:
    return await iterator.__anext__()
