"""HTTP dates (RFC 9110 section 5.6.7) and delta-seconds (``Age``, ``Max-Age``)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Dates are short; anything far longer is not a date and is not worth scanning.
_MAX_DATE_LENGTH = 200


def _to_utc(value: datetime | date | int | float | time.struct_time | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=timezone.utc)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"Cannot format {type(value).__name__} as an HTTP date.")
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (OverflowError, OSError) as e:
        raise ValueError(f"Timestamp {value!r} is out of range.") from e


def http_date(timestamp: datetime | date | int | float | time.struct_time | None = None) -> str:
    """Format a moment as an IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``.

    :param timestamp: a :class:`~datetime.datetime` (naive values are taken
        as UTC, aware ones converted), a :class:`~datetime.date` (midnight UTC),
        a Unix timestamp, a UTC :class:`time.struct_time`, or ``None`` for now.
    """
    dt = _to_utc(timestamp)
    return (
        f"{_WEEKDAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


_MONTH_NUMBERS = {name.lower(): i for i, name in enumerate(_MONTHS, 1)}
_WEEKDAY_PREFIXES = frozenset(day.lower() for day in _WEEKDAYS)
_UTC_NAMES = frozenset({"gmt", "utc", "ut", "z"})


def _digits(value: str, min_len: int, max_len: int) -> int | None:
    if min_len <= len(value) <= max_len and value.isascii() and value.isdigit():
        return int(value)
    return None


def _parse_year(value: str) -> int | None:
    if len(value) == 2:
        two = _digits(value, 2, 2)
        if two is None:
            return None
        # RFC 9110 section 5.6.7: a two-digit year more than 50 years in the
        # future is the most recent past year with those digits.
        year = 2000 + two
        return year - 100 if year > datetime.now(timezone.utc).year + 50 else year
    return _digits(value, 4, 4)


def _parse_clock(value: str) -> tuple[int, int, int] | None:
    fields = value.split(":")
    if len(fields) not in (2, 3):
        return None
    numbers = []
    for field in fields:
        number = _digits(field, 1, 2)
        if number is None:
            return None
        numbers.append(number)
    second = numbers[2] if len(numbers) == 3 else 0
    return numbers[0], numbers[1], min(second, 59)  # a leap second is read as :59


def _parse_zone(parts: list[str]) -> timedelta | None:
    if not parts:
        return timedelta(0)
    if len(parts) > 1:
        return None
    zone = parts[0]
    if zone.lower() in _UTC_NAMES:
        return timedelta(0)
    if len(zone) == 5 and zone[0] in "+-":
        hours = _digits(zone[1:3], 2, 2)
        minutes = _digits(zone[3:], 2, 2)
        if hours is None or minutes is None or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        return -offset if zone[0] == "-" else offset
    return None


def parse_date(value: str | None) -> datetime | None:
    """Parse an HTTP date into an aware UTC :class:`~datetime.datetime`.

    Accepts the three formats of RFC 9110 section 5.6.7: the IMF-fixdate
    (``Sun, 06 Nov 1994 08:49:37 GMT``), RFC 850
    (``Sunday, 06-Nov-94 08:49:37 GMT``, two-digit years resolved as the RFC
    says) and ANSI C ``asctime()`` (``Sun Nov  6 08:49:37 1994``). The weekday
    is optional and not checked; a missing zone means GMT and a numeric zone
    (``+0200``) is converted to UTC. Anything else gives ``None``; this
    function never raises.

    :param value: the header value.
    """
    if not value or len(value) > _MAX_DATE_LENGTH:
        return None
    parts = value.replace(",", " ").split()
    if parts and parts[0][:3].lower() in _WEEKDAY_PREFIXES and not parts[0][:1].isdigit():
        parts = parts[1:]
    if not parts:
        return None
    first = parts[0]
    if first.count("-") == 2:  # RFC 850: 06-Nov-94 08:49:37 GMT
        day_s, month_s, year_s = first.split("-")
        rest = parts[1:]
        clock_s = rest[0] if rest else ""
        zone_parts = rest[1:]
    elif first.lower() in _MONTH_NUMBERS:  # asctime: Nov 6 08:49:37 1994
        if len(parts) < 4:
            return None
        month_s, day_s, clock_s, year_s = parts[:4]
        zone_parts = parts[4:]
    else:  # IMF-fixdate: 06 Nov 1994 08:49:37 GMT
        if len(parts) < 4:
            return None
        day_s, month_s, year_s, clock_s = parts[:4]
        zone_parts = parts[4:]
    day = _digits(day_s, 1, 2)
    month = _MONTH_NUMBERS.get(month_s.lower())
    year = _parse_year(year_s)
    clock = _parse_clock(clock_s)
    offset = _parse_zone(zone_parts)
    if day is None or month is None or year is None or clock is None or offset is None:
        return None
    try:
        local = datetime(year, month, day, *clock, tzinfo=timezone.utc)
        return local - offset
    except (ValueError, OverflowError):
        return None


def parse_age(value: str | None = None) -> timedelta | None:
    """Parse delta-seconds (as in ``Age`` or ``max-age``) into a :class:`~datetime.timedelta`.

    Returns ``None`` for a missing, negative, non-numeric or absurdly large
    value.

    :param value: the header value.
    """
    if not value:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 15:
        return None
    try:
        return timedelta(seconds=int(value))
    except OverflowError:
        return None


def dump_age(age: timedelta | int | None = None) -> str | None:
    """Format an age in whole seconds, the reverse of :func:`parse_age`.

    :param age: a :class:`~datetime.timedelta` or a number of seconds;
        ``None`` gives ``None``.
    :raises ValueError: if the age is negative.
    """
    if age is None:
        return None
    seconds = int(age.total_seconds()) if isinstance(age, timedelta) else int(age)
    if seconds < 0:
        raise ValueError("The age must be positive.")
    return str(seconds)
