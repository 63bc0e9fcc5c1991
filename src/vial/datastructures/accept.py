"""``Accept``-family request headers: media types, languages and charsets."""

from __future__ import annotations

import codecs
import typing as t
from collections.abc import Iterable, Iterator

from .multidict import ImmutableList


class Accept(ImmutableList[tuple[str, float]]):
    """The parsed value of an ``Accept``-style header: ``(value, quality)`` pairs.

    The pairs are ordered by quality, highest first, then by specificity
    (``text/html`` before ``text/*`` before ``*/*``), then as the client sent
    them. Indexing with an integer or a slice returns pairs; indexing with a
    string returns that value's quality, as :meth:`quality` does.

    >>> a = Accept([("gzip", 1), ("br", 0.5)])
    >>> a["br"], a.best, "identity" in a
    (0.5, 'gzip', False)

    :param values: ``(value, quality)`` pairs, or ``None`` when the client
        sent no header (then :attr:`provided` is ``False``).
    """

    def __init__(self, values: Iterable[tuple[str, float]] | None = ()) -> None:
        if values is None:
            super().__init__()
            self.provided = False
            return
        self.provided = True
        # Stable sort: equal keys keep the client's order.
        items = sorted(
            ((value, float(quality)) for value, quality in values),
            key=lambda item: (item[1], self._specificity(item[0])),
            reverse=True,
        )
        super().__init__(items)

    def _specificity(self, value: str) -> tuple[int, ...]:
        return (value != "*",)

    def _value_matches(self, value: str, item: str) -> bool:
        """Whether the server's ``value`` is covered by the client's ``item``."""
        return item == "*" or item.lower() == value.lower()

    @t.overload
    def __getitem__(self, key: str) -> float: ...
    @t.overload
    def __getitem__(self, key: t.SupportsIndex) -> tuple[str, float]: ...
    @t.overload
    def __getitem__(self, key: slice) -> list[tuple[str, float]]: ...
    def __getitem__(
        self, key: str | t.SupportsIndex | slice
    ) -> float | tuple[str, float] | list[tuple[str, float]]:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def _best_entry(self, value: str) -> tuple[tuple[int, ...], float] | None:
        """The specificity and quality of the most specific entry covering ``value``.

        RFC 9110 section 12.5.1: the most specific matching range decides the
        quality; among equally specific ones the highest quality counts.
        """
        best: tuple[tuple[int, ...], float] | None = None
        for item, quality in self:
            if self._value_matches(value, item):
                candidate = (self._specificity(item), quality)
                if best is None or candidate > best:
                    best = candidate
        return best

    def quality(self, key: str) -> float:
        """The quality the client gives ``key``, wildcards included; ``0`` if none.

        :param key: the value to look up, e.g. ``"text/html"``.
        """
        entry = self._best_entry(key)
        return 0 if entry is None else entry[1]

    def __contains__(self, value: object) -> bool:
        """Whether the client accepts ``value`` (a wildcard counts; quality 0 does not)."""
        if isinstance(value, str):
            return self.quality(value) > 0
        return list.__contains__(self, value)

    def __repr__(self) -> str:
        pairs = ", ".join(f"({value!r}, {quality})" for value, quality in self)
        return f"{type(self).__name__}([{pairs}])"

    def index(self, key: t.Any, *args: t.Any) -> int:
        """The position of the first entry covering ``key`` (a value or a pair).

        :raises ValueError: if there is none.
        """
        if isinstance(key, str):
            for i, (value, _quality) in enumerate(self):
                if self._value_matches(key, value):
                    return i
            raise ValueError(key)
        return list.index(self, key, *args)

    def find(self, key: t.Any) -> int:
        """Like :meth:`index`, but return ``-1`` when ``key`` is missing."""
        try:
            return self.index(key)
        except ValueError:
            return -1

    def values(self) -> Iterator[str]:
        """Iterate over the values, best first."""
        for value, _quality in self:
            yield value

    def to_header(self) -> str:
        """The header value, e.g. ``text/html,application/json;q=0.9``."""
        parts = []
        for value, quality in self:
            if quality != 1:
                parts.append(f"{value};q={quality:g}")
            else:
                parts.append(value)
        return ",".join(parts)

    def __str__(self) -> str:
        return self.to_header()

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """The server offer the client likes best, or ``default``.

        The offer with the highest quality wins; a tie goes to the one matched
        by the more specific client entry, then to the earlier offer.

        :param matches: the values the server can produce, in its preference order.
        :param default: returned when no offer is acceptable.
        """
        result = default
        best: tuple[float, tuple[int, ...]] | None = None
        for offer in matches:
            entry = self._best_entry(offer)
            if entry is None or entry[1] <= 0:
                continue
            rank = (entry[1], entry[0])
            if best is None or rank > best:
                best = rank
                result = offer
        return result

    @property
    def best(self) -> str | None:
        """The value with the highest quality, or ``None`` if the list is empty."""
        return self[0][0] if self else None


def _split_media_type(value: str) -> tuple[str, str, frozenset[tuple[str, str]]]:
    main, _, rest = value.partition(";")
    kind, _, subtype = main.strip().lower().partition("/")
    params = []
    if rest:
        for piece in rest.split(";"):
            key, _, val = piece.partition("=")
            key = key.strip().lower()
            if key and key != "q":
                params.append((key, val.strip().strip('"').lower()))
    return kind.strip(), subtype.strip(), frozenset(params)


class MIMEAccept(Accept):
    """An ``Accept`` header: media types with ``*/*`` and ``type/*`` wildcards.

    As in Werkzeug, media type parameters take part in matching only when both
    sides name a concrete type and subtype: then they must be the same set
    (``text/html;level=1`` covers ``text/html; level=1`` but neither
    ``text/html`` nor ``text/html;level=1;charset=utf-8``). A wildcard on
    either side (``*/*``, ``text/*``) covers any parameters. Offers that are
    not media types (``"html"``, ``"*/html"``) match nothing.
    """

    def _specificity(self, value: str) -> tuple[int, ...]:
        kind, subtype, params = _split_media_type(value)
        return (kind != "*", subtype != "*", len(params))

    def _value_matches(self, value: str, item: str) -> bool:
        if "/" not in value or "/" not in item:
            return False
        v_type, v_sub, v_params = _split_media_type(value)
        i_type, i_sub, i_params = _split_media_type(item)
        # "*/html" is not a valid range or offer.
        if (i_type == "*" and i_sub != "*") or (v_type == "*" and v_sub != "*"):
            return False
        if i_type == "*" or v_type == "*":
            return True
        if i_type != v_type:
            return False
        if i_sub == "*" or v_sub == "*":
            return True
        return i_sub == v_sub and i_params == v_params

    @property
    def accept_html(self) -> bool:
        """Whether HTML is acceptable (``text/html`` or XHTML)."""
        return self.quality("text/html") > 0 or self.accept_xhtml

    @property
    def accept_xhtml(self) -> bool:
        """Whether XHTML is acceptable (``application/xhtml+xml`` or ``application/xml``)."""
        return self.quality("application/xhtml+xml") > 0 or self.quality("application/xml") > 0

    @property
    def accept_json(self) -> bool:
        """Whether ``application/json`` is acceptable."""
        return self.quality("application/json") > 0


def _normalize_language(value: str) -> str:
    return value.replace("_", "-").lower()


class LanguageAccept(Accept):
    """An ``Accept-Language`` header; ``en_US`` and ``en-us`` are the same tag."""

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _normalize_language(value) == _normalize_language(item)

    def best_match(self, matches: Iterable[str], default: str | None = None) -> str | None:
        """The offered language the client likes best, or ``default``.

        When no offer matches exactly, as in Werkzeug, the primary subtag of
        each accepted language is tried against the offers (a client asking for
        ``en-US`` gets an offered ``en``), then the primary subtag of each offer
        against the accepted languages (one asking for ``de`` gets ``de-AT``).
        Two regions of a language do not match each other: ``en-GB`` does not
        get ``en-US``.

        :param matches: the languages the server can produce.
        :param default: returned when nothing matches.
        """
        offers = list(matches)
        result = super().best_match(offers)
        if result is not None:
            return result
        primary = LanguageAccept([(_primary_language(item), q) for item, q in self])
        result = Accept.best_match(primary, offers)
        if result is not None:
            return result
        by_primary: dict[str, str] = {}
        for offer in offers:
            by_primary.setdefault(_primary_language(offer), offer)
        found = Accept.best_match(self, by_primary)
        return default if found is None else by_primary[found]


def _primary_language(value: str) -> str:
    return _normalize_language(value).partition("-")[0]


def _normalize_charset(value: str) -> str:
    try:
        return codecs.lookup(value).name
    except (LookupError, ValueError):
        return value.lower()


class CharsetAccept(Accept):
    """An ``Accept-Charset`` header; codec aliases (``utf8``, ``UTF-8``) match."""

    def _value_matches(self, value: str, item: str) -> bool:
        return item == "*" or _normalize_charset(value) == _normalize_charset(item)
