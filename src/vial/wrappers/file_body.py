"""A response body that streams a file in chunks, optionally a byte range of it."""

from __future__ import annotations

import typing as t

#: Bytes read per chunk when streaming a file.
FILE_CHUNK_SIZE = 64 * 1024


class FileBody:
    """Iterates over an open binary file (or part of it) without reading it whole.

    The server gets the file itself through ``wsgi.file_wrapper`` (or ASGI's
    ``http.response.pathsend`` via :attr:`path`) when nothing but the whole file
    is wanted; a range set by :meth:`set_range` is honoured by seeking.
    """

    __slots__ = ("_closed", "_position", "file", "path", "size", "start", "stop")

    def __init__(self, file: t.IO[bytes], size: int | None, path: str | None = None) -> None:
        self.file = file
        self.path = path
        self.size = size
        self.start = 0
        self.stop = size
        self._position: int | None = None
        self._closed = False

    @property
    def is_whole_file(self) -> bool:
        """True unless a range was set."""
        return self.start == 0 and self.stop == self.size

    def set_range(self, start: int, stop: int) -> None:
        """Send only bytes ``start`` up to (not including) ``stop``."""
        self.start = start
        self.stop = stop

    def __iter__(self) -> t.Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = self.read_chunk()
        if not chunk:
            raise StopIteration
        return chunk

    def read_chunk(self, size: int = FILE_CHUNK_SIZE) -> bytes:
        """The next chunk of the wanted bytes (``b""`` at the end)."""
        if self._position is None:
            if self.start:
                self.file.seek(self.start)
            self._position = self.start
        if self.stop is not None:
            size = min(size, self.stop - self._position)
            if size <= 0:
                return b""
        chunk = self.file.read(size)
        self._position += len(chunk)
        return chunk

    def close(self) -> None:
        """Close the file."""
        if not self._closed:
            self._closed = True
            self.file.close()
