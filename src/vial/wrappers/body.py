"""Reading a request body safely: exact lengths, size limits and truncation checks."""

from __future__ import annotations

import typing as t

from ..exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge

#: How much :meth:`BodyStream.__iter__` and form parsing ask for at a time.
CHUNK_SIZE = 64 * 1024


class BinaryReader(t.Protocol):
    """Anything with a ``read(size)`` returning bytes (``wsgi.input``, a BytesIO, ...)."""

    def read(self, size: int = -1, /) -> bytes: ...


#: Modules whose exceptions, raised by ``wsgi.input.read()``, mean the *client* sent a
#: malformed or cut-off body: gunicorn parses chunked bodies lazily, inside the app's
#: read, and raises ``InvalidChunkSize``, ``ChunkMissingTerminator``,
#: ``InvalidChunkExtension`` (``ParseException``) or ``NoMoreData`` (an ``IOError``).
_SERVER_PARSE_ERROR_MODULES = ("gunicorn.http.errors",)


def _is_server_parse_error(error: Exception) -> bool:
    return type(error).__module__ in _SERVER_PARSE_ERROR_MODULES


def _as_client_error(error: Exception) -> BadRequest:
    if type(error).__name__ == "NoMoreData":
        return ClientDisconnected("The client stopped sending before the end of the body.")
    return BadRequest("The request body is malformed (its chunked encoding is invalid).")


class BodyStream:
    """A read-only view of the request body that never reads past its end or its limit.

    With a Content-Length it yields exactly that many bytes and raises
    :class:`~vial.exceptions.ClientDisconnected` (400) when the client sends fewer.
    Without one it reads until the server signals the end (``wsgi.input_terminated``,
    chunked uploads) and raises :class:`~vial.exceptions.RequestEntityTooLarge` (413)
    as soon as more than ``limit`` bytes arrive, so a large body is never cut
    silently and handed on as if complete.
    """

    __slots__ = ("_exhausted", "_limit", "_read_so_far", "_remaining", "_source")

    def __init__(self, source: BinaryReader, length: int | None, limit: int | None) -> None:
        if length is not None and limit is not None and length > limit:
            raise RequestEntityTooLarge()
        self._source = source
        self._remaining = length
        self._limit = limit
        self._read_so_far = 0
        self._exhausted = length == 0

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all that is left when ``size`` is negative)."""
        if self._exhausted or size == 0:
            return b""
        if size < 0:
            return self.readall()
        if self._remaining is not None:
            size = min(size, self._remaining)
        elif self._limit is not None:
            # Ask for no more than one byte past the limit, so an unsized (chunked) body
            # that is too large is refused before the rest of it is taken in.
            size = min(size, self._limit - self._read_so_far + 1)
        try:
            chunk = self._source.read(size)
        except Exception as error:
            self._raise_read_error(error)
        self._account(chunk, size)
        return chunk

    def _raise_read_error(self, error: Exception) -> t.NoReturn:
        """Raise what the server's read raised, as a 400 when the client's body is at fault."""
        if _is_server_parse_error(error):
            self._exhausted = True
            raise _as_client_error(error) from None
        raise error

    def readall(self) -> bytes:
        """Read the rest of the body."""
        parts: list[bytes] = []
        remaining = self._remaining
        if remaining is not None and 0 < remaining <= CHUNK_SIZE and not self._exhausted:
            # PERF: a small body of known length usually comes in one read.
            try:
                chunk = self._source.read(remaining)
            except Exception as error:
                self._raise_read_error(error)
            self._account(chunk, remaining)
            if self._exhausted:
                return chunk
            parts.append(chunk)
        while True:
            chunk = self.read(CHUNK_SIZE)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def _account(self, chunk: bytes, asked: int) -> None:
        got = len(chunk)
        self._read_so_far += got
        if self._remaining is not None:
            if got == 0:
                self._exhausted = True
                raise ClientDisconnected(
                    "The client sent less data than its Content-Length announced."
                )
            self._remaining -= got
            if self._remaining <= 0:
                self._exhausted = True
        elif got == 0:
            self._exhausted = True
        if self._limit is not None and self._read_so_far > self._limit:
            self._exhausted = True
            raise RequestEntityTooLarge()

    def __iter__(self) -> t.Iterator[bytes]:
        while True:
            chunk = self.read(CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def readable(self) -> bool:
        """Always true: this is an input stream."""
        return True

    @property
    def bytes_read(self) -> int:
        """How many body bytes were read so far."""
        return self._read_so_far


def parse_content_length(value: str | None) -> int | None:
    """Parse a Content-Length header value; a negative or non-numeric one is a 400."""
    if value is None or value == "":
        return None
    value = value.strip()
    if not value.isdigit() or not value.isascii():
        raise BadRequest("The Content-Length header is not a non-negative integer.")
    return int(value)
