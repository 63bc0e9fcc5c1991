"""``Range`` requests and ``Content-Range`` responses (RFC 9110 section 14)."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class ContentRange:
    """A ``Content-Range`` value: which part of how long a representation is sent.

    ``stop`` is exclusive, like a Python slice: ``bytes 0-499/1234`` is
    ``ContentRange("bytes", 0, 500, 1234)``. ``start`` and ``stop`` are
    ``None`` for an unsatisfied range (``bytes */1234``); ``length`` is
    ``None`` when unknown (``*``). Setting an attribute calls ``on_update``.

    :param units: the range unit, usually ``"bytes"``; ``None`` means unset.
    :param start: the first position sent.
    :param stop: one past the last position sent.
    :param length: the full length, or ``None`` if unknown.
    :param on_update: called with this object after every change.
    """

    def __init__(
        self,
        units: str | None,
        start: int | None,
        stop: int | None,
        length: int | None = None,
        on_update: Callable[[ContentRange], None] | None = None,
    ) -> None:
        self._units = units
        self._start = start
        self._stop = stop
        self._length = length
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    @property
    def units(self) -> str | None:
        """The range unit, e.g. ``"bytes"``."""
        return self._units

    @units.setter
    def units(self, value: str | None) -> None:
        self._units = value
        self._changed()

    @property
    def start(self) -> int | None:
        """The first position sent."""
        return self._start

    @start.setter
    def start(self, value: int | None) -> None:
        self._start = value
        self._changed()

    @property
    def stop(self) -> int | None:
        """One past the last position sent."""
        return self._stop

    @stop.setter
    def stop(self, value: int | None) -> None:
        self._stop = value
        self._changed()

    @property
    def length(self) -> int | None:
        """The full length of the representation, ``None`` if unknown."""
        return self._length

    @length.setter
    def length(self, value: int | None) -> None:
        self._length = value
        self._changed()

    def set(
        self, start: int | None, stop: int | None, length: int | None = None, units: str = "bytes"
    ) -> None:
        """Set everything at once, calling ``on_update`` once."""
        self._units, self._start, self._stop, self._length = units, start, stop, length
        self._changed()

    def unset(self) -> None:
        """Clear the value, so that the header is removed."""
        self.set(None, None, None, units=None)  # type: ignore[arg-type]

    def to_header(self) -> str:
        """The header value, e.g. ``bytes 0-499/1234``; ``""`` when unset."""
        if self._units is None:
            return ""
        length = "*" if self._length is None else str(self._length)
        if self._start is None or self._stop is None:
            return f"{self._units} */{length}"
        return f"{self._units} {self._start}-{self._stop - 1}/{length}"

    def __bool__(self) -> bool:
        return self._units is not None

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ContentRange):
            return NotImplemented
        return (self._units, self._start, self._stop, self._length) == (
            other._units,
            other._start,
            other._stop,
            other._length,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class Range:
    """A ``Range`` request header.

    Each range is a ``(start, stop)`` pair with ``stop`` exclusive; ``stop``
    is ``None`` for an open range (``bytes=500-``), and a suffix range
    (``bytes=-500``, the last 500 bytes) is ``(-500, None)``. The one
    suffix range that cannot be written that way, ``bytes=-0``, is the empty
    range ``(0, 0)``, which is never satisfiable.

    :param units: the range unit, ``"bytes"``.
    :param ranges: the ranges, in the client's order.
    """

    def __init__(self, units: str, ranges: Iterable[tuple[int, int | None]]) -> None:
        self.units = units
        self.ranges = list(ranges)

    def range_for_length(self, length: int | None) -> tuple[int, int] | None:
        """The ``(start, stop)`` to send for a representation of ``length`` bytes.

        Only a single byte range can be answered this way; for several ranges,
        another unit, an unknown length or an unsatisfiable range (it starts
        at or past the end, or is ``bytes=-0``) the result is ``None``. An
        open or too-long range is clamped to the end; a suffix longer than
        the representation covers all of it.

        :param length: the full length in bytes.
        """
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if stop is None:
            stop = length
            if start < 0:
                start = max(length + start, 0)
        elif start < 0:
            return None
        stop = min(stop, length)
        if not 0 <= start < stop:
            return None
        return start, stop

    def make_content_range(self, length: int | None) -> ContentRange | None:
        """The :class:`ContentRange` answering this range, or ``None`` if unsatisfiable.

        :param length: the full length in bytes.
        """
        rng = self.range_for_length(length)
        if rng is None:
            return None
        return ContentRange(self.units, rng[0], rng[1], length)

    def to_header(self) -> str:
        """The header value, e.g. ``bytes=0-499,1000-``."""
        specs = []
        for start, stop in self.ranges:
            if stop is None:
                specs.append(f"{start}-" if start >= 0 else str(start))
            elif start == stop == 0:
                specs.append("-0")
            else:
                specs.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(specs)}"

    def to_content_range_header(self, length: int | None) -> str | None:
        """The ``Content-Range`` value answering this range, or ``None``.

        :param length: the full length in bytes.
        """
        content_range = self.make_content_range(length)
        return None if content_range is None else content_range.to_header()

    def __str__(self) -> str:
        return self.to_header()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Range):
            return NotImplemented
        return (self.units, self.ranges) == (other.units, other.ranges)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"
