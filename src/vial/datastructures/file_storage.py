"""An uploaded file, as found in ``request.files``."""

from __future__ import annotations

import os
import re
import typing as t
from collections.abc import Iterator
from io import BytesIO
from shutil import copyfileobj

from .headers import Headers

# ``; name=value`` or ``; name="quoted \" value"`` after the media type.
_param_re = re.compile(
    r';\s*([^\s;=]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;]*))?',
)


def _split_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Split ``text/plain; charset=UTF-8`` into ``("text/plain", {"charset": "UTF-8"})``."""
    base, sep, rest = value.partition(";")
    params: dict[str, str] = {}
    if sep:
        for match in _param_re.finditer(";" + rest):
            key, raw = match.group(1), match.group(2)
            if raw is None:
                continue
            raw = raw.strip()
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            params[key.lower()] = raw
    return base.strip().lower(), params


class FileStorage:
    """An uploaded file: a stream plus its filename, form field name and headers.

    Attributes it does not define are read from the stream, so ``f.read()``,
    ``f.seek(0)`` and ``f.tell()`` work on the file itself. A ``FileStorage`` is
    true when it has a filename (an empty file field in a form has none).

    :param stream: the file content; an empty :class:`~io.BytesIO` if not given.
    :param filename: the filename the client sent; taken from ``stream.name``
        when not given (unless that looks like ``<stdin>``).
    :param name: the name of the form field.
    :param content_type: sets the ``Content-Type`` header.
    :param content_length: sets the ``Content-Length`` header.
    :param headers: the part's headers, as :class:`Headers` or anything it accepts.
    """

    def __init__(
        self,
        stream: t.IO[bytes] | None = None,
        filename: str | None = None,
        name: str | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        headers: t.Any = None,
    ) -> None:
        self.name = name
        self.stream: t.IO[bytes] = stream if stream is not None else BytesIO()
        if filename is None:
            raw = getattr(stream, "name", None)
            if isinstance(raw, bytes):
                raw = os.fsdecode(raw)
            if isinstance(raw, str) and not (raw[:1] == "<" and raw[-1:] == ">"):
                filename = raw
        self.filename: str | None = filename
        if headers is None:
            headers = Headers()
        elif not isinstance(headers, Headers):
            headers = Headers(headers)
        self.headers: Headers = headers
        if content_type is not None:
            headers["Content-Type"] = content_type
        if content_length is not None:
            headers["Content-Length"] = str(content_length)

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header of the part, as sent."""
        return self.headers.get("content-type")

    @property
    def content_length(self) -> int:
        """The ``Content-Length`` header of the part, or ``0`` if missing or invalid."""
        try:
            return int(self.headers.get("content-length") or 0)
        except ValueError:
            return 0

    @property
    def mimetype(self) -> str:
        """The media type without parameters, lower-cased: ``"text/html"``."""
        return _split_media_type(self.content_type or "")[0]

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The parameters of the media type: ``{"charset": "utf-8"}``."""
        return _split_media_type(self.content_type or "")[1]

    def save(self, dst: str | os.PathLike[str] | t.IO[bytes], buffer_size: int = 16384) -> None:
        """Copy the stream to ``dst``, from its current position.

        A path is opened for writing and closed afterwards; a file object is
        written to and left open. Use :func:`~vial.utils.secure_filename` before
        building a path from :attr:`filename`.

        :param dst: a path or a binary file object.
        :param buffer_size: bytes copied at a time.
        """
        if isinstance(dst, (str, os.PathLike)):
            with open(dst, "wb") as f:
                copyfileobj(self.stream, f, buffer_size)
        else:
            copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        """Close the stream, ignoring errors."""
        try:
            self.stream.close()
        except Exception:
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> t.Any:
        if name == "stream":  # not set yet (copy, unpickling): avoid recursion
            raise AttributeError(name)
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # A SpooledTemporaryFile hides some file methods on its ``_file``.
            inner = self.stream.__dict__.get("_file") if hasattr(self.stream, "__dict__") else None
            if inner is not None:
                return getattr(inner, name)
            raise

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"
