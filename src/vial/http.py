"""Sans-IO parsers and formatters for HTTP header values.

Every function takes and returns plain values (strings, bytes, datetimes and
the small structures in :mod:`vial.datastructures`); none reads a WSGI
environ or an ASGI scope except where Werkzeug's signature calls for one, and
those also accept the raw header values. Parsers never raise on malformed
input: they return ``None``, an empty structure, or skip the bad part. Each
runs in time linear in the length of its input.
"""

from __future__ import annotations

import enum
import typing as t
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone

from ._http_cookie import MAX_COOKIES, dump_cookie, parse_cookie
from ._http_date import dump_age, http_date, parse_age, parse_date
from ._http_header import (
    TOKEN_CHARS,
    dump_header,
    dump_options_header,
    generate_etag,
    parse_dict_header,
    parse_list_header,
    parse_options_header,
    quote_etag,
    quote_header_value,
    split_outside_quotes,
    unquote_etag,
    unquote_header_value,
)
from .datastructures.accept import Accept, MIMEAccept
from .datastructures.cache_control import RequestCacheControl
from .datastructures.etags import ETags, IfRange
from .datastructures.headers import HeaderSet
from .datastructures.range import ContentRange, Range
from .statuses import HTTP_STATUS_CODES

if t.TYPE_CHECKING:
    from .datastructures.cache_control import _CacheControl

__all__ = [
    "COEP",
    "COOP",
    "HTTP_STATUS_CODES",
    "MAX_COOKIES",
    "MAX_RANGES",
    "dump_age",
    "dump_cookie",
    "dump_header",
    "dump_options_header",
    "generate_etag",
    "http_date",
    "is_byte_range_valid",
    "is_entity_header",
    "is_hop_by_hop_header",
    "is_resource_modified",
    "parse_accept_header",
    "parse_age",
    "parse_cache_control_header",
    "parse_content_range_header",
    "parse_cookie",
    "parse_date",
    "parse_dict_header",
    "parse_etags",
    "parse_if_range_header",
    "parse_list_header",
    "parse_options_header",
    "parse_range_header",
    "parse_set_header",
    "quote_etag",
    "quote_header_value",
    "remove_entity_headers",
    "remove_hop_by_hop_headers",
    "unquote_etag",
    "unquote_header_value",
]

#: A ``Range`` header asking for more ranges than this is ignored
#: (:func:`parse_range_header` returns ``None``), as RFC 9110 section 14.2
#: allows; it bounds the work a single request can ask for.
MAX_RANGES = 100
_FORBIDDEN = frozenset("\r\n\x00")
# Positions longer than this many digits do not fit a 64-bit file offset.
_MAX_DIGITS = 19

_ENTITY_HEADERS = frozenset(
    {
        "allow",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
        "content-md5",
        "content-range",
        "content-type",
        "expires",
        "last-modified",
    }
)
_HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

_A = t.TypeVar("_A", bound=Accept)
_CC = t.TypeVar("_CC", bound="_CacheControl")


def _parse_qvalue(raw: str) -> float | None:
    raw = raw.strip(" \t")
    if not raw or len(raw) > 8 or raw.count(".") > 1 or not raw.replace(".", "").isdigit():
        return None
    if not raw.isascii() or raw == ".":
        return None
    quality = float(raw)
    return quality if 0 <= quality <= 1 else None


@t.overload
def parse_accept_header(value: str | None) -> Accept: ...
@t.overload
def parse_accept_header(value: str | None, cls: type[_A]) -> _A: ...
@t.overload
def parse_accept_header(value: str | None, cls: type[Accept] | None = None) -> Accept: ...
def parse_accept_header(value: str | None, cls: type[Accept] | None = None) -> Accept:
    """Parse an ``Accept``-style header into an :class:`~vial.datastructures.Accept`.

    Each item's ``q`` parameter becomes its quality (``1`` when absent); other
    parameters stay part of the value (``text/html;level=1``). Items with an
    invalid or out-of-range quality, and empty items, are skipped; for
    :class:`~vial.datastructures.MIMEAccept` a lone ``*`` is read as ``*/*``
    and items without a ``/`` are skipped. Never raises.

    >>> parse_accept_header("text/html, */*;q=0.5", MIMEAccept).best_match(["application/json"])
    'application/json'

    :param value: the header value; ``None`` gives an empty result whose
        ``provided`` is ``False``.
    :param cls: the :class:`~vial.datastructures.Accept` subclass to build.
    """
    if cls is None:
        cls = Accept
    if not value:
        return cls(None)
    is_mime = issubclass(cls, MIMEAccept)
    items: list[tuple[str, float]] = []
    for item in split_outside_quotes(value, ","):
        main, *params = split_outside_quotes(item, ";")
        main = main.strip(" \t")
        if is_mime and main == "*":
            main = "*/*"
        if not main or (is_mime and "/" not in main):
            continue
        quality: float | None = 1
        kept = [main]
        for param in params:
            key, sep, raw = param.partition("=")
            key = key.strip(" \t")
            if key.lower() == "q" and sep:
                quality = _parse_qvalue(raw)
                if quality is None:
                    break
            elif key:
                kept.append(key + "=" + raw.strip(" \t") if sep else key)
        if quality is None:
            continue
        items.append((";".join(kept), quality))
    return cls(items)


@t.overload
def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[_CacheControl], None] | None = None,
) -> RequestCacheControl: ...
@t.overload
def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[_CacheControl], None] | None,
    cls: type[_CC],
) -> _CC: ...
@t.overload
def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[_CacheControl], None] | None = None,
    *,
    cls: type[_CC],
) -> _CC: ...
def parse_cache_control_header(
    value: str | None,
    on_update: Callable[[_CacheControl], None] | None = None,
    cls: type[_CacheControl] | None = None,
) -> _CacheControl:
    """Parse a ``Cache-Control`` header into a cache-control dict.

    Directive names are lower-cased; quoted arguments are unquoted. Never raises.

    :param value: the header value.
    :param on_update: called with the object after every later change.
    :param cls: :class:`~vial.datastructures.RequestCacheControl` (the
        default) or :class:`~vial.datastructures.ResponseCacheControl`.
    """
    if cls is None:
        cls = RequestCacheControl
    if not value:
        return cls((), on_update)
    pairs = [(key.lower(), arg) for key, arg in parse_dict_header(value).items()]
    return cls(pairs, on_update)


class COOP(str, enum.Enum):
    """Values of the Cross-Origin-Opener-Policy header."""

    UNSAFE_NONE = "unsafe-none"
    SAME_ORIGIN_ALLOW_POPUPS = "same-origin-allow-popups"
    SAME_ORIGIN = "same-origin"


class COEP(str, enum.Enum):
    """Values of the Cross-Origin-Embedder-Policy header."""

    UNSAFE_NONE = "unsafe-none"
    REQUIRE_CORP = "require-corp"


def parse_set_header(
    value: str | None, on_update: Callable[[HeaderSet], None] | None = None
) -> HeaderSet:
    """Parse a comma-separated set of tokens (e.g. ``Vary``) into a ``HeaderSet``.

    Items containing CR, LF or NUL are dropped. Never raises.

    :param value: the header value.
    :param on_update: called with the set after every change.
    """
    if not value:
        return HeaderSet(None, on_update)
    items = [item for item in parse_list_header(value) if not _FORBIDDEN.intersection(item)]
    return HeaderSet(items, on_update)


def _is_valid_etag(tag: str) -> bool:
    return '"' not in tag and not _FORBIDDEN.intersection(tag)


def parse_etags(value: str | None) -> ETags:
    """Parse an ``If-Match`` / ``If-None-Match`` header into an :class:`~vial.datastructures.ETags`.

    Unquoted tags are accepted too; tags containing ``"``, CR, LF or NUL are
    dropped. Never raises.

    :param value: the header value.
    """
    if not value:
        return ETags()
    value = value.strip(" \t")
    if value == "*":
        return ETags(star_tag=True)
    strong: list[str] = []
    weak: list[str] = []
    for item in split_outside_quotes(value, ",", escapes=False):
        item = item.strip(" \t")
        if not item:
            continue
        tag, is_weak = unquote_etag(item)
        if _is_valid_etag(tag):
            (weak if is_weak else strong).append(tag)
    return ETags(strong, weak)


def parse_if_range_header(value: str | None) -> IfRange:
    """Parse an ``If-Range`` header, which holds a date or an entity tag.

    :param value: the header value; ``None`` gives an empty :class:`~vial.datastructures.IfRange`.
    """
    if not value:
        return IfRange()
    date = parse_date(value)
    if date is not None:
        return IfRange(date=date)
    tag = unquote_etag(value)[0]
    return IfRange(tag if _is_valid_etag(tag) else None)


def _parse_position(raw: str) -> int | None:
    raw = raw.strip(" \t")
    if not raw or len(raw) > _MAX_DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def parse_range_header(value: str | None, make_inclusive: bool = True) -> Range | None:
    """Parse a ``Range`` request header into a :class:`~vial.datastructures.Range`.

    Only the ``bytes`` unit is understood. ``None`` is returned for anything
    invalid: another unit, a missing ``=``, a range whose last position is
    before its first (``bytes=5-2``), a position that is not a non-negative
    integer of at most 19 digits, or more than :data:`MAX_RANGES` (100)
    ranges. Ranges are kept in the client's order; overlapping ranges are
    not merged. Never raises.

    >>> parse_range_header("bytes=0-499").ranges
    [(0, 500)]

    :param value: the header value.
    :param make_inclusive: store ``stop`` one past the last position, as
        :class:`~vial.datastructures.Range` expects. Leave it on.
    """
    if not value:
        return None
    units, sep, spec = value.partition("=")
    if not sep or units.strip(" \t").lower() != "bytes":
        return None
    if spec.count(",") >= MAX_RANGES:
        return None
    ranges: list[tuple[int, int | None]] = []
    for part in spec.split(","):
        part = part.strip(" \t")
        if not part:
            continue
        first, dash, last = part.partition("-")
        if not dash:
            return None
        if not first.strip(" \t"):
            suffix = _parse_position(last)
            if suffix is None:
                return None
            ranges.append((0, 0) if suffix == 0 else (-suffix, None))
            continue
        start = _parse_position(first)
        if start is None:
            return None
        if not last.strip(" \t"):
            ranges.append((start, None))
            continue
        end = _parse_position(last)
        if end is None or end < start:
            return None
        ranges.append((start, end + 1 if make_inclusive else end))
    if not ranges:
        return None
    return Range("bytes", ranges)


def parse_content_range_header(
    value: str | None,
    on_update: Callable[[ContentRange], None] | None = None,
) -> ContentRange | None:
    """Parse a ``Content-Range`` header into a :class:`~vial.datastructures.ContentRange`.

    ``bytes 0-499/1234``, ``bytes 0-499/*`` and ``bytes */1234`` are
    understood; ``None`` is returned for anything else, including a range
    that ends before it starts or past the complete length. Never raises.

    :param value: the header value.
    :param on_update: passed to the :class:`~vial.datastructures.ContentRange`.
    """
    if not value:
        return None
    units, _, rest = value.strip(" \t").partition(" ")
    if not units or not TOKEN_CHARS.issuperset(units):
        return None
    spec, slash, length_raw = rest.strip(" \t").partition("/")
    if not slash:
        return None
    length: int | None = None
    if length_raw.strip(" \t") != "*":
        length = _parse_position(length_raw)
        if length is None:
            return None
    spec = spec.strip(" \t")
    if spec == "*":
        if length is None:
            return None
        return ContentRange(units.lower(), None, None, length, on_update)
    first, dash, last = spec.partition("-")
    start = _parse_position(first)
    end = _parse_position(last)
    if not dash or start is None or end is None or end < start:
        return None
    if length is not None and end >= length:
        return None
    return ContentRange(units.lower(), start, end + 1, length, on_update)


def is_byte_range_valid(start: int | None, stop: int | None, length: int | None) -> bool:
    """Whether ``start``/``stop`` (exclusive) is a valid range of ``length`` bytes.

    ``start`` and ``stop`` must be both ``None`` (an unsatisfied range) or
    both set with ``0 <= start < stop``, and ``start < length`` when the
    length is known.
    """
    if (start is None) != (stop is None):
        return False
    if start is None or stop is None:
        return length is None or length >= 0
    if not 0 <= start < stop:
        return False
    return length is None or start < length


def _header(explicit: str | None, environ: Mapping[str, t.Any] | None, key: str) -> str | None:
    if explicit is not None:
        return explicit
    if environ is None:
        return None
    value = environ.get(key)
    return value if isinstance(value, str) else None


def is_resource_modified(
    environ: Mapping[str, t.Any] | None = None,
    etag: str | None = None,
    data: bytes | None = None,
    last_modified: datetime | str | None = None,
    ignore_if_range: bool = True,
    *,
    http_range: str | None = None,
    if_range: str | None = None,
    if_modified_since: str | None = None,
    if_none_match: str | None = None,
) -> bool:
    """Whether the client's cached copy is stale, i.e. a full response is due.

    Without an environ, pass the raw request header values as keywords::

        is_resource_modified(etag="abc", if_none_match='"abc"')  # False: send 304

    With an environ (Werkzeug's form), any header not given as a keyword is
    read from its ``HTTP_*`` key.

    Per RFC 9110 section 13.2.2, ``If-None-Match`` (weak comparison; ``*``
    matches any existing representation) takes precedence over
    ``If-Modified-Since`` (second precision). When ``ignore_if_range`` is
    false and a ``Range`` header is present, ``If-Range`` decides instead:
    the result is ``False`` (serve the range) only if its date is not older
    than ``last_modified`` or its tag strongly equals ``etag``.
    ``If-Match`` and ``If-Unmodified-Since`` are preconditions answered with
    412, not 304; check them with :func:`parse_etags` / :func:`parse_date`.

    :param environ: a WSGI environ to read headers from, or ``None``.
    :param etag: the current entity tag (quoted or not).
    :param data: the body, to compute the tag with :func:`generate_etag`.
    :param last_modified: when the resource last changed.
    :param ignore_if_range: do not look at ``If-Range``.
    :param http_range: the ``Range`` header value.
    :param if_range: the ``If-Range`` header value.
    :param if_modified_since: the ``If-Modified-Since`` header value.
    :param if_none_match: the ``If-None-Match`` header value.
    :raises TypeError: if both ``etag`` and ``data`` are given.
    """
    if etag is None and data is not None:
        etag = generate_etag(data)
    elif data is not None:
        raise TypeError("Pass either 'etag' or 'data', not both.")
    if etag is not None:
        etag = unquote_etag(etag)[0]

    if isinstance(last_modified, str):
        last_modified = parse_date(last_modified)
    if last_modified is not None:
        if last_modified.tzinfo is None:
            last_modified = last_modified.replace(tzinfo=timezone.utc)
        last_modified = last_modified.replace(microsecond=0)

    http_range = _header(http_range, environ, "HTTP_RANGE")
    if_range = _header(if_range, environ, "HTTP_IF_RANGE")
    if not ignore_if_range and http_range and if_range:
        parsed = parse_if_range_header(if_range)
        if parsed.date is not None:
            return last_modified is None or last_modified > parsed.date
        tag, weak = unquote_etag(if_range)
        return weak or etag is None or tag != etag

    if_none_match = _header(if_none_match, environ, "HTTP_IF_NONE_MATCH")
    if if_none_match and if_none_match.strip(" \t"):
        tags = parse_etags(if_none_match)
        if tags.star_tag:
            return False
        return etag is None or not tags.contains_weak(etag)

    if_modified_since = _header(if_modified_since, environ, "HTTP_IF_MODIFIED_SINCE")
    since = parse_date(if_modified_since)
    if since is not None and last_modified is not None:
        return last_modified > since
    return True


def is_entity_header(header: str) -> bool:
    """Whether ``header`` describes the representation (``Content-Type``, ``Expires``...)."""
    return header.lower() in _ENTITY_HEADERS


def is_hop_by_hop_header(header: str) -> bool:
    """Whether ``header`` applies to one connection only (``Connection``, ``TE``...)."""
    return header.lower() in _HOP_BY_HOP_HEADERS


def _remove_headers(headers: t.Any, remove: Callable[[str], bool]) -> None:
    if isinstance(headers, list):
        headers[:] = [(key, value) for key, value in headers if not remove(key)]
        return
    doomed = {key for key, _value in list(_iter_pairs(headers)) if remove(key)}
    for key in doomed:
        del headers[key]


def _iter_pairs(headers: t.Any) -> Iterable[tuple[str, t.Any]]:
    items = getattr(headers, "items", None)
    if items is not None:
        try:
            return list(items(multi=True))
        except TypeError:
            return list(items())
    return list(headers)


def remove_entity_headers(
    headers: t.Any, allowed: Iterable[str] = ("expires", "content-location")
) -> None:
    """Remove the entity headers from a header list or ``Headers``, in place.

    :param headers: a list of ``(name, value)`` pairs or a ``Headers`` object.
    :param allowed: entity headers to keep, case-insensitive.
    """
    keep = {name.lower() for name in allowed}
    _remove_headers(headers, lambda key: is_entity_header(key) and key.lower() not in keep)


def remove_hop_by_hop_headers(headers: t.Any) -> None:
    """Remove the hop-by-hop headers from a header list or ``Headers``, in place.

    :param headers: a list of ``(name, value)`` pairs or a ``Headers`` object.
    """
    _remove_headers(headers, is_hop_by_hop_header)
