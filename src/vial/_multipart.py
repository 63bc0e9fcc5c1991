"""The multipart/form-data half of :mod:`vial.formparser`, and helpers both halves share.

:class:`_MultipartBody` drives python-multipart's state machine and turns its events
into form fields and :class:`~vial.datastructures.FileStorage` objects; the module
also parses header parameters (``Content-Type``, ``Content-Disposition``) and
percent-decodes strictly. Private: import the public names from :mod:`vial.formparser`.
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

from .datastructures import FileStorage, Headers
from .exceptions import BadRequest, RequestEntityTooLarge

if t.TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

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
_log = logging.getLogger("vial.formparser")

# RFC 2046 section 5.1.1 allows 1 to 70 characters from a small set, but clients send
# more (WebTest's boundaries end in "$"), and Werkzeug takes any printable ASCII: so
# does vial, up to 200 characters, not ending with a space.
_BOUNDARY_RE = re.compile(r"[ -~]{0,199}[!-~]")

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
# PERF: one dict lookup per escape. On a 550 KB body of 10,000 fields with 6 escapes
# each: 61 ms, against 111 ms for re.sub with a callback; the stdlib's 52 ms
# ``unquote_to_bytes`` silently keeps invalid escapes, which must be a 400 here.
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
    # PERF: no 'b"%" in raw' tests: bytes containment first tries its argument as an
    # integer and clears the TypeError, about 2,000 instructions, more than these calls.
    if plus:
        raw = raw.replace(b"+", b" ")
    pieces = raw.split(b"%")
    if len(pieces) == 1:
        return raw
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


# The charsets a field part may declare, as codec names (Werkzeug's list: clients
# send ASCII or UTF-8, and an arbitrary codec such as UTF-7 could smuggle markup).
_PART_CHARSETS = frozenset({"ascii", "utf-8", "iso8859-1"})


def _part_charset(content_type: str, default: str) -> str:
    """The charset a field part's ``Content-Type`` names, if it is one we honour.

    ASCII, UTF-8 and ISO-8859-1 (under any of their aliases, ``latin-1`` say)
    are; any other or unknown charset falls back to ``default``, as in Werkzeug.
    """
    declared = parse_content_type(content_type)[1].get("charset")
    if not declared:
        return default
    try:
        name = codecs.lookup(declared).name
    except (LookupError, ValueError):
        return default
    return name if name in _PART_CHARSETS else default


def _too_large(what: str, limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"The {what} exceeds the limit of {limit}.")


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
        "_memory_files",
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
        if not boundary:
            raise BadRequest("The multipart/form-data Content-Type has no boundary.")
        if not _BOUNDARY_RE.fullmatch(boundary):
            raise BadRequest("The multipart boundary must be 1 to 200 printable ASCII characters.")
        self._charset = charset
        self._max_field_size = max_field_size
        self._max_parts = max_parts
        self._disk_threshold = spool_threshold
        # Bytes of file parts held in memory, all parts together: the threshold bounds
        # the sum, not each file, or 1,000 files just under it would all stay in memory.
        self._memory_files = 0
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
        raw = bytes(self._header_value).strip(b" \t")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("latin-1")
        # Tested on the text (both decodings keep these bytes as they are): a test on
        # bytes costs several times more (see _unquote).
        if "\x00" in value or "\n" in value or "\r" in value:
            # python-multipart lets a bare LF (and NUL) through inside a value.
            raise BadRequest("A multipart part header contains a NUL, CR or LF byte.")
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
        if not self._on_disk:
            self._memory_files += size
            # This file's bytes are part of the sum, so one file over the threshold
            # moves too.
            if self._memory_files > self._disk_threshold:
                self._memory_files -= self._file_size
                stream = self._move_to_disk(stream)
        # PERF: a memoryview hands the bytes to write() without allocating a slice
        # copy (64 KiB chunks: ~10% faster, and the copy no longer counts in peak memory).
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
            charset = self._charset
            if self._part_content_type is not None:
                charset = _part_charset(self._part_content_type, charset)
            value = _decode(bytes(self._field), charset, f"value of field {self._part_name!r}")
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
