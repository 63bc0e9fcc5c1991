"""Entity-tag sets (``If-Match``, ``If-None-Match``) and ``If-Range`` values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from .._http_date import http_date
from .._http_header import generate_etag, quote_etag, unquote_etag


class ETags:
    """A set of entity tags, as sent in ``If-Match`` or ``If-None-Match``.

    ``etag in etags`` tests strong tags only (and is always true for ``*``);
    use :meth:`contains_weak` for the weak comparison ``If-None-Match`` calls for.

    :param strong_etags: unquoted strong tags.
    :param weak_etags: unquoted weak tags.
    :param star_tag: the header was ``*``, matching any tag.
    """

    __slots__ = ("_strong", "_weak", "star_tag")

    def __init__(
        self,
        strong_etags: Iterable[str] | None = None,
        weak_etags: Iterable[str] | None = None,
        star_tag: bool = False,
    ) -> None:
        self._strong = frozenset(strong_etags or ())
        self._weak = frozenset(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        """The tags as a set of strings.

        :param include_weak: add the weak tags to the strong ones.
        """
        result = set(self._strong)
        if include_weak:
            result.update(self._weak)
        return result

    def is_weak(self, etag: str) -> bool:
        """Whether ``etag`` is in the set as a weak tag."""
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        """Whether ``etag`` is in the set as a strong tag."""
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: the tag is present, strong or weak (or the set is ``*``)."""
        return self.is_weak(etag) or self.contains(etag)

    def contains(self, etag: str) -> bool:
        """Strong comparison: the tag is present as a strong tag (or the set is ``*``)."""
        return self.star_tag or self.is_strong(etag)

    def contains_raw(self, etag: str) -> bool:
        """Like :meth:`contains` for a quoted tag, and :meth:`contains_weak` if it is weak."""
        value, weak = unquote_etag(etag)
        return self.contains_weak(value) if weak else self.contains(value)

    def to_header(self) -> str:
        """The header value: ``*`` or a comma-separated list of quoted tags."""
        if self.star_tag:
            return "*"
        tags = [quote_etag(tag) for tag in sorted(self._strong)]
        tags += [quote_etag(tag, weak=True) for tag in sorted(self._weak)]
        return ", ".join(tags)

    def __call__(
        self, etag: str | None = None, data: bytes | None = None, include_weak: bool = False
    ) -> bool:
        """Test a tag, or the tag of ``data`` (see :func:`vial.http.generate_etag`)."""
        if etag is None:
            if data is None:
                raise TypeError("'data' is required when 'etag' is not given.")
            etag = generate_etag(data)
        return self.contains_weak(etag) if include_weak else self.contains(etag)

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __str__(self) -> str:
        return self.to_header()

    def __len__(self) -> int:
        return len(self._strong)

    def __iter__(self) -> Iterator[str]:
        return iter(self._strong)

    def __contains__(self, etag: object) -> bool:
        return isinstance(etag, str) and self.contains(etag)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ETags):
            return NotImplemented
        return (self.star_tag, self._strong, self._weak) == (
            other.star_tag,
            other._strong,
            other._weak,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class IfRange:
    """An ``If-Range`` value: an entity tag or a date, or neither if absent.

    :param etag: the unquoted entity tag.
    :param date: the date, an aware UTC datetime.
    """

    __slots__ = ("date", "etag")

    def __init__(self, etag: str | None = None, date: datetime | None = None) -> None:
        self.etag = etag
        self.date = date

    def to_header(self) -> str:
        """The header value, or ``""`` when there is neither tag nor date."""
        if self.date is not None:
            return http_date(self.date)
        if self.etag is not None:
            return quote_etag(self.etag)
        return ""

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"
