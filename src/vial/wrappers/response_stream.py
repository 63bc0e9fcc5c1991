"""``response.stream``: a write-only file object that appends to a response's body."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .response import Response


class ResponseStream:
    """Werkzeug's ``ResponseStream``: ``write()`` appends a chunk to the response's body
    (``print("...", file=response.stream)`` works), and the Content-Length set from
    earlier data is dropped, to be computed again when the response is sent.
    """

    mode = "wb+"

    def __init__(self, response: Response) -> None:
        self.response = response
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def write(self, value: str | bytes) -> int:
        """Append ``value`` (text is encoded with the response's charset) to the body."""
        self._check_open()
        response = self.response
        response._ensure_sequence()
        if not isinstance(response.response, list):
            response.response = list(response.response)
        response.response.append(value)
        response.headers.pop("Content-Length", None)
        response._length_from_data = False
        return len(value)

    def writelines(self, lines: t.Iterable[str | bytes]) -> None:
        """Write each item of ``lines``."""
        for line in lines:
            self.write(line)

    def tell(self) -> int:
        """The length of the body so far, in bytes."""
        self.response._ensure_sequence()
        return sum(map(len, self.response.iter_encoded()))

    def flush(self) -> None:
        """Nothing to flush: the body is in memory."""
        self._check_open()

    def isatty(self) -> bool:
        """Never a terminal."""
        self._check_open()
        return False

    def close(self) -> None:
        """Refuse further writes."""
        self.closed = True

    @property
    def encoding(self) -> str:
        """The charset text is encoded with."""
        return self.response.charset
