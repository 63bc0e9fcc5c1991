"""Parse ``application/x-www-form-urlencoded`` and ``multipart/form-data`` bodies.

The parser is push-based and does no I/O: the caller reads the body however its
server hands it over (``wsgi.input``, ASGI ``receive()``, a test client, a fuzzer)
and passes each chunk to :meth:`FormDataParser.feed`::

    parser = FormDataParser(mimetype, options, content_length=length)
    try:
        for chunk in body:
            parser.feed(chunk)
        form, files = parser.finish()
        ...
    finally:
        parser.close()  # deletes the temporary files of large uploads

The limits are enforced while the bytes arrive, never after buffering past them:

``max_content_length`` (Flask's ``MAX_CONTENT_LENGTH``)
    total body bytes; a larger ``Content-Length`` is refused at construction and a
    body without one (chunked) that grows past it is refused while feeding -> 413.
``max_form_memory_size`` (``MAX_FORM_MEMORY_SIZE``)
    the whole urlencoded body, or any single non-file multipart field -> 413.
``max_form_parts`` (``MAX_FORM_PARTS``)
    the number of multipart parts (checked as each part begins), or of urlencoded
    fields (counted at :meth:`~FormDataParser.finish`, on a body that
    ``max_form_memory_size`` already bounds) -> 413.

Malformed input raises :exc:`~vial.exceptions.BadRequest` (400) with a description
of what was wrong; nothing else escapes from :meth:`~FormDataParser.feed` or
:meth:`~FormDataParser.finish` for any input.

Multipart decisions, where the RFCs or browsers leave room:

- A part without a ``name`` is refused (400): RFC 7578 requires one, and silently
  dropping data hides client bugs.
- ``Content-Disposition`` must be ``form-data``; ``filename*`` (RFC 5987) is honoured.
  Part header values are UTF-8 (what browsers send), falling back to Latin-1.
- A part with a ``filename`` parameter, even an empty one, is a file; the filename
  is the client's raw string (``../`` included): securing it is the app's job.
- ``Content-Transfer-Encoding`` is ignored (deprecated by RFC 7578), as browsers
  never send it.
- Field values are decoded with ``charset`` (UTF-8); invalid bytes -> 400. A field
  part whose ``Content-Type`` names ``charset=`` ASCII, UTF-8 or ISO-8859-1 (any
  alias, ``latin-1`` say) is decoded with that; any other charset is ignored, as
  in Werkzeug, which honours only these. ``_charset_`` fields are ordinary fields.
- A completely empty body parses as an empty form; any other body must end with
  the closing boundary. Up to 64 KiB of preamble and of epilogue are tolerated.
- Files stay in memory (:class:`io.BytesIO`) while all the files of the form hold at
  most ``spool_threshold`` bytes together; the file that goes over, and every file
  after it, moves to an anonymous :func:`tempfile.TemporaryFile` (no name on POSIX, so
  nothing is left on disk even if the process is killed) that :meth:`close` closes.
"""

from __future__ import annotations

import codecs
import typing as t

from ._multipart import (
    MAX_EPILOGUE_SIZE,
    MAX_PART_HEADER_COUNT,
    MAX_PART_HEADER_SIZE,
    MAX_PREAMBLE_SIZE,
    _decode,
    _MultipartBody,
    _too_large,
    _unquote,
    parse_content_type,
)
from .datastructures import FileStorage, MultiDict
from .exceptions import BadRequest, ClientDisconnected, HTTPException

if t.TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MAX_EPILOGUE_SIZE",
    "MAX_PART_HEADER_COUNT",
    "MAX_PART_HEADER_SIZE",
    "MAX_PREAMBLE_SIZE",
    "MULTIPART",
    "URLENCODED",
    "FormDataParser",
    "parse_content_type",
    "parse_form_data",
]

#: The mimetypes this module parses; anything else yields empty results.
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class _Body(t.Protocol):
    def feed(self, chunk: bytes) -> None: ...
    def finish(self) -> tuple[list[tuple[str, str]], list[tuple[str, FileStorage]]]: ...
    def close(self) -> None: ...


class _IgnoredBody:
    """Any other mimetype: the bytes are counted by the caller and dropped."""

    __slots__ = ()

    def feed(self, chunk: bytes) -> None:
        pass

    def finish(self) -> tuple[list[tuple[str, str]], list[tuple[str, FileStorage]]]:
        return [], []

    def close(self) -> None:
        pass


class _UrlencodedBody:
    """``application/x-www-form-urlencoded``: buffered (bounded) and split at the end."""

    # PERF: the body is capped by max_form_memory_size, so it is buffered and split
    # once at finish. Splitting a 550 KB body of 10,000 fields into name/value pairs
    # takes 2 ms this way, 14 ms through python-multipart's QuerystringParser callbacks
    # (which would still need the strict percent-decoding on top).
    __slots__ = ("_charset", "_chunks", "_max_fields", "_max_size", "_size")

    def __init__(self, charset: str, max_size: int | None, max_fields: int | None) -> None:
        self._charset = charset
        self._max_size = max_size
        self._max_fields = max_fields
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        size = self._size + len(chunk)
        if self._max_size is not None and size > self._max_size:
            raise _too_large("form data (MAX_FORM_MEMORY_SIZE)", self._max_size)
        self._size = size
        self._chunks.append(chunk)

    def finish(self) -> tuple[list[tuple[str, str]], list[tuple[str, FileStorage]]]:
        body = b"".join(self._chunks)
        self._chunks = []
        charset = self._charset
        max_fields = self._max_fields
        pairs: list[tuple[str, str]] = []
        for segment in body.split(b"&"):
            if not segment:
                continue
            name, _, value = segment.partition(b"=")
            pairs.append(
                (
                    _decode(_unquote(name), charset, "form field name"),
                    _decode(_unquote(value), charset, "form field value"),
                )
            )
            if max_fields is not None and len(pairs) > max_fields:
                raise _too_large("number of form fields (MAX_FORM_PARTS)", max_fields)
        return pairs, []

    def close(self) -> None:
        self._chunks = []


class FormDataParser:
    """Parse a form body pushed in chunks; enforces Flask's size limits while feeding.

    :param mimetype: the body's mimetype, any case (``parse_content_type`` gives it).
    :param options: the ``Content-Type`` parameters; multipart needs ``boundary``.
    :param content_length: the ``Content-Length``, or ``None`` for a chunked body.
    :param max_content_length: most body bytes accepted (``MAX_CONTENT_LENGTH``).
    :param max_form_memory_size: most bytes of the urlencoded body, or of one non-file
        multipart field (``MAX_FORM_MEMORY_SIZE``).
    :param max_form_parts: most multipart parts or urlencoded fields (``MAX_FORM_PARTS``).
    :param spool_threshold: most bytes the file parts keep in memory, all together;
        beyond it they move to temporary files.
    :param charset: encoding of field names and values.
    :param tempdir: directory for temporary files (default: :func:`tempfile.gettempdir`).
    :raises RequestEntityTooLarge: ``content_length`` exceeds ``max_content_length``, or
        ``max_form_memory_size`` for an urlencoded body.
    :raises BadRequest: a multipart type without a valid ``boundary``.

    Any mimetype other than urlencoded and ``multipart/form-data`` parses to two empty
    dicts (the bytes still count against ``max_content_length``).
    """

    __slots__ = (
        "_body",
        "_closed",
        "_content_length",
        "_error",
        "_max_content_length",
        "_received",
        "_result",
    )

    def __init__(
        self,
        mimetype: str,
        options: dict[str, str],
        *,
        content_length: int | None,
        max_content_length: int | None = None,
        max_form_memory_size: int | None = 500_000,
        max_form_parts: int | None = 1_000,
        spool_threshold: int = 500 * 1024,
        charset: str = "utf-8",
        tempdir: str | None = None,
    ) -> None:
        codecs.lookup(charset)  # a typo in the app's charset fails here, not per request
        self._content_length = content_length
        self._max_content_length = max_content_length
        self._received = 0
        self._error: HTTPException | None = None
        self._result: tuple[MultiDict[str, str], MultiDict[str, FileStorage]] | None = None
        self._closed = False
        self._body: _Body
        if content_length is not None:
            if content_length < 0:
                raise BadRequest("The Content-Length is negative.")
            if max_content_length is not None and content_length > max_content_length:
                raise _too_large("request body (MAX_CONTENT_LENGTH)", max_content_length)
        mimetype = mimetype.lower()
        if mimetype == URLENCODED:
            if (
                content_length is not None
                and max_form_memory_size is not None
                and content_length > max_form_memory_size
            ):
                raise _too_large("form data (MAX_FORM_MEMORY_SIZE)", max_form_memory_size)
            self._body = _UrlencodedBody(charset, max_form_memory_size, max_form_parts)
        elif mimetype == MULTIPART:
            boundary = next((v for k, v in options.items() if k.lower() == "boundary"), "")
            self._body = _MultipartBody(
                boundary,
                charset=charset,
                max_field_size=max_form_memory_size,
                max_parts=max_form_parts,
                spool_threshold=spool_threshold,
                tempdir=tempdir,
            )
        else:
            self._body = _IgnoredBody()

    def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body; chunks may have any size.

        :raises RequestEntityTooLarge: a limit was exceeded.
        :raises BadRequest: the body is malformed or longer than its Content-Length.

        After an error every further call raises the same error again.
        """
        if self._error is not None:
            raise self._error
        if self._result is not None or self._closed:
            raise RuntimeError("FormDataParser.feed() called after finish() or close().")
        if not chunk:
            return
        received = self._received + len(chunk)
        try:
            limit = self._max_content_length
            if limit is not None and received > limit:
                raise _too_large("request body (MAX_CONTENT_LENGTH)", limit)
            if self._content_length is not None and received > self._content_length:
                raise BadRequest("The request body is longer than its Content-Length.")
            self._received = received
            self._body.feed(chunk)
        except HTTPException as exc:
            self._fail(exc)
            raise

    def finish(self) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
        """Signal the end of the body and return ``(form, files)``.

        File streams are positioned at 0. Calling it again returns the same objects.

        :raises ClientDisconnected: fewer bytes than ``content_length`` were fed.
        :raises BadRequest: the body is truncated or malformed.
        :raises RequestEntityTooLarge: too many urlencoded fields.
        """
        if self._error is not None:
            raise self._error
        if self._result is not None:
            return self._result
        if self._closed:
            raise RuntimeError("FormDataParser.finish() called after close().")
        try:
            if self._content_length is not None and self._received < self._content_length:
                raise ClientDisconnected(
                    f"The body ended after {self._received} of {self._content_length} bytes."
                )
            fields, files = self._body.finish()
        except HTTPException as exc:
            self._fail(exc)
            raise
        self._result = (MultiDict(fields), MultiDict(files))
        return self._result

    def close(self) -> None:
        """Close every stream of the uploaded files, deleting their temporary files.

        Safe to call more than once, and whether or not parsing succeeded.
        """
        self._closed = True
        self._body.close()

    def _fail(self, exc: HTTPException) -> None:
        self._error = exc
        # Nobody can reach the files of a failed parse: free them now.
        self._body.close()

    def __enter__(self) -> FormDataParser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def parse_form_data(
    chunks: Iterable[bytes],
    content_type: str | None,
    *,
    content_length: int | None = None,
    max_content_length: int | None = None,
    max_form_memory_size: int | None = 500_000,
    max_form_parts: int | None = 1_000,
    spool_threshold: int = 500 * 1024,
    charset: str = "utf-8",
    tempdir: str | None = None,
) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage], FormDataParser]:
    """Parse a whole body from a sync iterable of chunks.

    Returns ``(form, files, parser)``; call ``parser.close()`` when the files are no
    longer needed. On error the parser is closed before the exception propagates.

    >>> form, files, parser = parse_form_data([b"a=1&a=2"], URLENCODED)
    >>> form.getlist("a")
    ['1', '2']
    """
    mimetype, options = parse_content_type(content_type)
    parser = FormDataParser(
        mimetype,
        options,
        content_length=content_length,
        max_content_length=max_content_length,
        max_form_memory_size=max_form_memory_size,
        max_form_parts=max_form_parts,
        spool_threshold=spool_threshold,
        charset=charset,
        tempdir=tempdir,
    )
    try:
        for chunk in chunks:
            parser.feed(chunk)
        form, files = parser.finish()
    except BaseException:
        parser.close()
        raise
    return form, files, parser
