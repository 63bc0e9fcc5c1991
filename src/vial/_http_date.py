"""HTTP dates (RFC 9110 section 5.6.7) and delta-seconds (``Age``, ``Max-Age``)."""

from __future__ import annotations

import email.utils
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


def parse_date(value: str | None) -> datetime | None:
    """Parse an HTTP date into an aware UTC :class:`~datetime.datetime`.

    Accepts the IMF-fixdate (RFC 1123), RFC 850 and ANSI C ``asctime()``
    formats, and numeric zones such as ``+0200`` (converted to UTC). A date
    without a zone is taken as UTC. Anything that is not a date gives
    ``None``; this function never raises.

    :param value: the header value.
    """
    if not value or len(value) > _MAX_DATE_LENGTH:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc)
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
