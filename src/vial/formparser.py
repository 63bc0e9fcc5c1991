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

Every limit is enforced while the bytes arrive, never after buffering them:

``max_content_length`` (Flask's ``MAX_CONTENT_LENGTH``)
    total body bytes; a larger ``Content-Length`` is refused at construction and a
    body without one (chunked) that grows past it is refused while feeding -> 413.
``max_form_memory_size`` (``MAX_FORM_MEMORY_SIZE``)
    the whole urlencoded body, or any single non-file multipart field -> 413.
``max_form_parts`` (``MAX_FORM_PARTS``)
    the number of multipart parts, or of urlencoded fields -> 413.

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
- Field values are decoded with ``charset`` (UTF-8); invalid bytes -> 400.
- A completely empty body parses as an empty form; any other body must end with
  the closing boundary. Up to 64 KiB of preamble and of epilogue are tolerated.
- Files up to ``spool_threshold`` bytes stay in memory (:class:`io.BytesIO`); larger
  ones move to an anonymous :func:`tempfile.TemporaryFile` (no name on POSIX, so
  nothing is left on disk even if the process is killed) that :meth:`close` closes.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import tempfile
import typing as t

import python_multipart
from python_multipart.exceptions import FormParserError

from .datastructures import FileStorage, Headers, MultiDict
from .exceptions import BadRequest, ClientDisconnected, HTTPException, RequestEntityTooLarge

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from python_multipart.multipart import MultipartCallbacks

__all__ = ["FormDataParser", "parse_content_type", "parse_form_data"]

#: The mimetypes this module parses; anything else yields empty results.
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

#: Bytes tolerated before the first boundary of a multipart body.
MAX_PREAMBLE_SIZE = 64 * 1024
#: Bytes tolerated after the closing boundary of a multipart body.
MAX_EPILOGUE_SIZE = 64 * 1024
#: Bytes of header names and values allowed in a single multipart part.
MAX_PART_HEADER_SIZE = 8 * 1024
#: Header lines allowed in a single multipart part.
MAX_PART_HEADER_COUNT = 16

# python-multipart logs a warning for every malformed body before raising; each one
# becomes a 400 here, so route them under vial's logger name, where apps configure
# (or silence) them, instead of the library's.
_log = logging.getLogger(__name__)

# RFC 2046 section 5.1.1: 1 to 70 characters from bchars, not ending with a space.
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")

# One ``; key=value`` parameter of a header value; the value is a quoted string
# (with backslash escapes) or anything up to the next semicolon.
_PARAM_RE = re.compile(
    r"""
    ;\s*(?P<key>[^\s;=]+)\s*
    (?:=\s*(?:"(?P<quoted>(?:\\.|[^"\\])*)"|(?P<token>[^;]*)))?
    """,
    re.VERBOSE | re.DOTALL,
)
_QUOTED_PAIR_RE = re.compile(r"\\([\\\"])")

_HEXDIGITS = "0123456789abcdefABCDEF"
# PERF: one dict lookup per escape; a regex substitution with a callback was slower
# and ``urllib.parse.unquote_to_bytes`` silently keeps invalid escapes.
_HEX_BYTE = {
    (a + b).encode("ascii"): bytes((int(a + b, 16),)) for a in _HEXDIGITS for b in _HEXDIGITS
}


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a ``Content-Type``-like header value into a lowercase mimetype and its
    parameters (keys lowercased, quoted values unquoted).

    RFC 2231/5987 extended parameters (``filename*=UTF-8''%E2%82%AC.txt``) are decoded
    and replace their plain counterpart; continuations (``key*0=``) are not supported.

    >>> parse_content_type('multipart/form-data; boundary="abc"')
    ('multipart/form-data', {'boundary': 'abc'})
    """
    if not value:
        return "", {}
    semi = value.find(";")
    if semi == -1:
        return value.strip().lower(), {}
    options: dict[str, str] = {}
    extended: dict[str, str] = {}
    pos = semi
    end = len(value)
    while pos < end:
        match = _PARAM_RE.match(value, pos)
        if match is None:
            nxt = value.find(";", pos + 1)
            if nxt == -1:
                break
            pos = nxt
            continue
        key = match["key"].lower()
        quoted = match["quoted"]
        if quoted is not None:
            text = _QUOTED_PAIR_RE.sub(r"\1", quoted) if "\\" in quoted else quoted
        else:
            text = (match["token"] or "").strip()
        if key.endswith("*"):
            extended[key[:-1]] = _decode_extended(text)
        else:
            options[key] = text
        nxt = value.find(";", match.end())
        if nxt == -1:
            break
        pos = nxt
    options.update(extended)
    return value[:semi].strip().lower(), options


def _decode_extended(text: str) -> str:
    """Decode an RFC 2231 ``charset'language'percent-encoded`` value."""
    charset, sep, rest = text.partition("'")
    if not sep:
        return text
    rest = rest.partition("'")[2]
    try:
        raw = _unquote(rest.encode("latin-1"), plus=False)
        return raw.decode(charset or "utf-8")
    except (BadRequest, LookupError, UnicodeError):
        return text


def _unquote(raw: bytes, *, plus: bool = True) -> bytes:
    """Percent-decode ``raw`` strictly (``+`` is a space when ``plus``); 400 on a bad escape."""
    if plus and b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw
    pieces = raw.split(b"%")
    out = [pieces[0]]
    for piece in pieces[1:]:
        byte = _HEX_BYTE.get(piece[:2])
        if byte is None:
            raise BadRequest(f"Invalid percent-encoding in form data: '%{piece[:2]!r}'.")
        out.append(byte)
        out.append(piece[2:])
    return b"".join(out)


def _decode(raw: bytes, charset: str, what: str) -> str:
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        raise BadRequest(f"The {what} is not valid {charset}.") from None


def _too_large(what: str, limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"The {what} exceeds the limit of {limit}.")


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
    # once with bytes.split at finish; python-multipart's QuerystringParser calls back
    # per field and would still need our strict percent-decoding on top.
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


class _MultipartBody:
    """``multipart/form-data``: python-multipart's state machine plus our part handling."""

    __slots__ = (
        "_charset",
        "_delimiter",
        "_disk_threshold",
        "_ended",
        "_epilogue",
        "_field",
        "_fields",
        "_file",
        "_file_size",
        "_files",
        "_header_name",
        "_header_size",
        "_header_value",
        "_headers",
        "_max_field_size",
        "_max_parts",
        "_on_disk",
        "_parser",
        "_part_content_type",
        "_part_count",
        "_part_filename",
        "_part_name",
        "_preamble",
        "_preamble_dropped",
        "_received",
        "_streams",
        "_tempdir",
    )

    def __init__(
        self,
        boundary: str,
        *,
        charset: str,
        max_field_size: int | None,
        max_parts: int | None,
        spool_threshold: int,
        tempdir: str | None,
    ) -> None:
        self._charset = charset
        self._max_field_size = max_field_size
        self._max_parts = max_parts
        self._disk_threshold = spool_threshold
        self._tempdir = tempdir
        self._received = 0
        self._delimiter = b"--" + boundary.encode("ascii")
        self._preamble: bytes | None = b""
        self._preamble_dropped = 0
        self._ended = False
        self._epilogue = 0
        self._part_count = 0
        self._fields: list[tuple[str, str]] = []
        self._files: list[tuple[str, FileStorage]] = []
        self._streams: list[t.IO[bytes]] = []
        self._reset_part()
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        self._parser = python_multipart.MultipartParser(
            boundary.encode("ascii"),
            callbacks,
            max_header_count=MAX_PART_HEADER_COUNT,
            max_header_size=MAX_PART_HEADER_SIZE,
        )
        self._parser.logger = _log

    def _reset_part(self) -> None:
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._header_size = 0
        self._headers: list[tuple[str, str]] = []
        self._part_name = ""
        self._part_filename: str | None = None
        self._part_content_type: str | None = None
        self._field = bytearray()
        self._file: t.IO[bytes] | None = None
        self._file_size = 0
        self._on_disk = False

    # -- feeding ---------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._ended:
            # PERF: the epilogue is dropped without entering the state machine.
            self._epilogue += len(chunk)
            if self._epilogue > MAX_EPILOGUE_SIZE:
                raise BadRequest(
                    f"More than {MAX_EPILOGUE_SIZE} bytes after the closing multipart boundary."
                )
            return
        self._received += len(chunk)
        if self._preamble is not None:
            body = self._skip_preamble(chunk)
            if body is None:
                return
            chunk = body
        try:
            self._parser.write(chunk)
        except FormParserError as exc:
            raise BadRequest(f"Malformed multipart body: {exc}") from None

    def _skip_preamble(self, chunk: bytes) -> bytes | None:
        """Drop what precedes the first delimiter; return the body from it, once seen.

        RFC 2046 allows any text before the first ``--boundary`` line. python-multipart
        only skips leading newlines, and its outcome for other text depends on where
        the chunks are cut, so the preamble is handled here, identically for any cut.
        """
        assert self._preamble is not None
        buf = self._preamble + chunk if self._preamble else chunk
        delimiter = self._delimiter
        if not self._preamble_dropped and buf.startswith(delimiter):
            start = 0
        else:
            start = buf.find(b"\r\n" + delimiter)
            if start == -1:
                # PERF: keep only a tail that may hold the start of a delimiter line,
                # so 1-byte chunks cost O(1) each, not a copy of the whole preamble.
                keep = len(delimiter) + 1
                if len(buf) > keep:
                    self._preamble_dropped += len(buf) - keep
                    buf = buf[-keep:]
                if self._preamble_dropped + len(buf) > MAX_PREAMBLE_SIZE:
                    raise BadRequest(
                        f"No multipart boundary found in the first {MAX_PREAMBLE_SIZE} bytes."
                    )
                self._preamble = buf
                return None
            start += 2
        self._preamble = None
        return buf[start:] if start else buf

    def finish(self) -> tuple[list[tuple[str, str]], list[tuple[str, FileStorage]]]:
        if not self._ended and self._received:
            raise BadRequest("The multipart body ended before its closing boundary.")
        return self._fields, self._files

    def close(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            stream.close()

    # -- python-multipart callbacks ----------------------------------------------

    def _on_part_begin(self) -> None:
        self._part_count += 1
        if self._max_parts is not None and self._part_count > self._max_parts:
            raise _too_large("number of multipart parts (MAX_FORM_PARTS)", self._max_parts)
        self._reset_part()

    def _count_header_bytes(self, n: int) -> None:
        self._header_size += n
        if self._header_size > MAX_PART_HEADER_SIZE:
            raise BadRequest(f"A multipart part's headers exceed {MAX_PART_HEADER_SIZE} bytes.")

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        # The library only lets RFC 7230 token characters into a header name.
        name = self._header_name.decode("ascii")
        raw = bytes(self._header_value).rstrip(b" \t")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("latin-1")
        self._headers.append((name, value))
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _on_headers_finished(self) -> None:
        disposition = content_type = None
        for key, value in self._headers:
            lower = key.lower()
            if lower == "content-disposition":
                disposition = value
            elif lower == "content-type":
                content_type = value
        if disposition is None:
            raise BadRequest("A multipart part has no Content-Disposition header.")
        kind, params = parse_content_type(disposition)
        if kind != "form-data":
            raise BadRequest(f"A multipart part's Content-Disposition is {kind!r}, not form-data.")
        name = params.get("name")
        if name is None:
            raise BadRequest("A multipart part's Content-Disposition has no name.")
        self._part_name = name
        self._part_content_type = content_type
        filename = params.get("filename")
        if filename is not None:
            self._part_filename = filename
            stream = io.BytesIO()
            self._streams.append(stream)
            self._file = stream

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        stream = self._file
        if stream is None:
            limit = self._max_field_size
            if limit is not None and len(self._field) + size > limit:
                raise _too_large("form field (MAX_FORM_MEMORY_SIZE)", limit)
            self._field += data[start:end]
            return
        self._file_size += size
        if not self._on_disk and self._file_size > self._disk_threshold:
            stream = self._move_to_disk(stream)
        # PERF: a memoryview hands the bytes to write() without copying a slice.
        stream.write(memoryview(data)[start:end])

    def _move_to_disk(self, memory: t.IO[bytes]) -> t.IO[bytes]:
        disk = tempfile.TemporaryFile(dir=self._tempdir)  # noqa: SIM115 - closed by close()
        self._streams.append(disk)
        assert isinstance(memory, io.BytesIO)
        with memory.getbuffer() as view:
            disk.write(view)
        memory.close()
        self._streams.remove(memory)
        self._file = disk
        self._on_disk = True
        return disk

    def _on_part_end(self) -> None:
        stream = self._file
        if stream is None:
            value = _decode(
                bytes(self._field), self._charset, f"value of field {self._part_name!r}"
            )
            self._fields.append((self._part_name, value))
            self._field = bytearray()
            return
        stream.seek(0)
        self._files.append(
            (
                self._part_name,
                FileStorage(
                    stream,
                    filename=self._part_filename,
                    name=self._part_name,
                    content_type=self._part_content_type,
                    headers=Headers(self._headers),
                ),
            )
        )
        self._file = None

    def _on_end(self) -> None:
        self._ended = True


class FormDataParser:
    """Parse a form body pushed in chunks; enforces Flask's size limits while feeding.

    :param mimetype: the body's mimetype, lowercase (``parse_content_type`` gives it).
    :param options: the ``Content-Type`` parameters; multipart needs ``boundary``.
    :param content_length: the ``Content-Length``, or ``None`` for a chunked body.
    :param max_content_length: most body bytes accepted (``MAX_CONTENT_LENGTH``).
    :param max_form_memory_size: most bytes of the urlencoded body, or of one non-file
        multipart field (``MAX_FORM_MEMORY_SIZE``).
    :param max_form_parts: most multipart parts or urlencoded fields (``MAX_FORM_PARTS``).
    :param spool_threshold: file parts larger than this move from memory to a
        temporary file.
    :param charset: encoding of field names and values.
    :param tempdir: directory for temporary files (default: :func:`tempfile.gettempdir`).
    :raises RequestEntityTooLarge: ``content_length`` exceeds a limit.
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
            boundary = next((v for k, v in options.items() if k.lower() == "boundary"), None)
            if not boundary:
                raise BadRequest("The multipart/form-data Content-Type has no boundary.")
            if not _BOUNDARY_RE.fullmatch(boundary):
                raise BadRequest(
                    "The multipart boundary must be 1 to 70 characters allowed by RFC 2046."
                )
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
