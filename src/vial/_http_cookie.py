"""Reading a ``Cookie`` request header and writing a ``Set-Cookie`` header (RFC 6265)."""

from __future__ import annotations

import typing as t
import warnings
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote as _url_quote

if t.TYPE_CHECKING:
    from .datastructures.multidict import MultiDict

#: Cookies past this many in one header are ignored (a browser sends far fewer;
#: the cap bounds the work an attacker can make a request cost).
MAX_COOKIES = 1000

# RFC 6265 section 4.1.1 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
_COOKIE_OCTETS = frozenset(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\')
# Printable ASCII a browser keeps in a cookie name.
_NAME_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"(),;=\\')
_ATTRIBUTE_FORBIDDEN = frozenset(";\r\n\x00")
_PATH_SAFE = "/%!$&'()*+,:=@~-._"
_OCTAL = frozenset("01234567")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _unquote_cookie_value(value: str) -> str:
    """Unquote a ``"..."`` cookie value: ``\\"``, ``\\\\`` and ``\\ooo`` octal bytes.

    Octal escapes are bytes of the UTF-8 encoding, so the result is decoded
    as UTF-8 (invalid sequences become U+FFFD).
    """
    inner = value[1:-1]
    if "\\" not in inner:
        return inner
    out = bytearray()
    i = 0
    n = len(inner)
    while i < n:
        c = inner[i]
        if c == "\\" and i + 1 < n:
            octal = inner[i + 1 : i + 4]
            if len(octal) == 3 and _OCTAL.issuperset(octal) and octal[0] in "0123":
                out.append(int(octal, 8))
                i += 4
            else:
                out += inner[i + 1].encode("utf-8", "surrogatepass")
                i += 2
        else:
            out += c.encode("utf-8", "surrogatepass")
            i += 1
    return out.decode("utf-8", "replace")


def _iter_cookie_pairs(header: str) -> t.Iterator[tuple[str, str]]:
    count = 0
    for piece in header.split(";"):
        name, sep, value = piece.partition("=")
        name = name.strip(" \t")
        if not sep or not name:
            continue
        value = value.strip(" \t")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = _unquote_cookie_value(value)
        yield name, value
        count += 1
        if count >= MAX_COOKIES:
            return


def parse_cookie(
    header: str | bytes | None,
    cls: type[MultiDict[str, str]] | None = None,
) -> MultiDict[str, str]:
    """Parse a ``Cookie`` request header into an immutable multi-dict.

    The header is split on ``;`` and each ``name=value`` pair is stripped of
    surrounding spaces. A pair without ``=`` or with an empty name is ignored,
    so a ``=value`` pair can never shadow a real cookie (CVE-2023-23934).
    A value in double quotes is unquoted, undoing backslash escapes and
    ``\\ooo`` octal bytes as :func:`dump_cookie` writes them. Every value of
    a repeated name is kept; indexing returns the first, which is the one
    the browser considers most specific. At most :data:`MAX_COOKIES` (1,000)
    pairs are read; the rest of the header is ignored. Never raises.

    :param header: the header value; bytes are decoded as UTF-8 (invalid
        sequences replaced), ``None`` gives an empty result. A string may be
        the text itself or, as in a WSGI environ (``HTTP_COOKIE``), UTF-8 bytes
        carried as latin-1 characters; the latter is decoded, so a cookie a
        browser sent as ``fö=fö`` reads ``fö`` under every server, as in Werkzeug.
    :param cls: the multi-dict class to build, by default
        :class:`~vial.datastructures.ImmutableMultiDict`.
    """
    if cls is None:
        from .datastructures.multidict import ImmutableMultiDict

        cls = ImmutableMultiDict
    if not header:
        return cls()
    if isinstance(header, (bytes, bytearray)):
        header = bytes(header).decode("utf-8", "replace")
    elif not header.isascii():
        header = _wsgi_text(header)
    return cls(list(_iter_cookie_pairs(header)))


def _wsgi_text(header: str) -> str:
    """``header`` decoded from WSGI's latin-1 transport when it is UTF-8 carried that
    way (``"fÃ¶"`` -> ``"fö"``); otherwise, already text, it is returned as it is."""
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:  # characters past U+00FF, or bytes that are not UTF-8: text
        return header


def _quote_cookie_value(value: str) -> str:
    if _COOKIE_OCTETS.issuperset(value):
        return value
    out = ['"']
    for byte in value.encode("utf-8", "surrogatepass"):
        c = chr(byte)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c in _COOKIE_OCTETS:
            out.append(c)
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def _check_attribute(name: str, value: str) -> str:
    if _ATTRIBUTE_FORBIDDEN.intersection(value):
        raise ValueError(f"The cookie {name} may not contain ';', CR, LF or NUL.")
    return value


def dump_cookie(
    key: str,
    value: str = "",
    max_age: timedelta | int | None = None,
    expires: str | datetime | date | int | float | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    sync_expires: bool = True,
    max_size: int = 4093,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Build the value of a ``Set-Cookie`` header.

    The value is written bare when every character is a cookie-octet
    (RFC 6265); otherwise it is wrapped in double quotes with ``"`` and
    ``\\`` backslash-escaped and every other byte outside that set (including
    the UTF-8 bytes of non-ASCII text) written as ``\\ooo`` octal, which
    :func:`parse_cookie` undoes. Attributes come in the order Domain,
    Expires, Max-Age, Secure, HttpOnly, Path, SameSite, Partitioned.

    :param key: the cookie name: printable ASCII without spaces, ``=``,
        ``;``, ``,``, ``"``, ``\\``, ``(`` or ``)``.
    :param value: the cookie value, any text.
    :param max_age: lifetime in seconds or as a :class:`~datetime.timedelta`.
    :param expires: a datetime, date, Unix timestamp, or an already
        formatted date string.
    :param path: the path the cookie applies to; characters not allowed in
        a URL path are percent-encoded. ``None`` leaves it out.
    :param domain: the domain the cookie applies to; non-ASCII names are
        IDNA-encoded.
    :param secure: send only over HTTPS.
    :param httponly: hide from JavaScript.
    :param sync_expires: when ``max_age`` is given and ``expires`` is not,
        also set ``Expires`` to now plus ``max_age`` for old clients.
    :param max_size: the size browsers are known to accept; a larger header is
        still returned, with a :class:`UserWarning` (browsers may drop it
        silently). ``0`` turns the warning off.
    :param samesite: ``"Strict"``, ``"Lax"`` or ``"None"`` (any case).
    :param partitioned: set the ``Partitioned`` (CHIPS) attribute; implies
        ``secure``.
    :raises ValueError: for an invalid name, an attribute containing ``;``,
        CR, LF or NUL, or an unknown ``samesite`` value.
    """
    if not key or not _NAME_CHARS.issuperset(key):
        raise ValueError(f"Invalid cookie name {key!r}.")
    segments = [f"{key}={_quote_cookie_value(value)}"]

    if domain:
        _check_attribute("domain", domain)
        if not domain.isascii():
            try:
                domain = domain.encode("idna").decode("ascii")
            except UnicodeError as e:
                raise ValueError(f"Invalid cookie domain {domain!r}.") from e
        # A leading dot means nothing to browsers (RFC 6265 5.2.3); Werkzeug drops it too.
        segments.append(f"Domain={domain.lstrip('.')}")

    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    # The date formatter is imported for a cookie with a lifetime only: parsing
    # request cookies does not need it, so it does not load with vial.
    if expires is not None:
        if isinstance(expires, str):
            expires = _check_attribute("expires", expires)
        else:
            from ._http_date import http_date

            expires = http_date(expires)
    elif max_age is not None and sync_expires:
        from ._http_date import http_date

        expires = http_date(datetime.now(timezone.utc) + timedelta(seconds=max_age))
    if expires is not None:
        segments.append(f"Expires={expires}")
    if max_age is not None:
        segments.append(f"Max-Age={int(max_age)}")

    if partitioned:
        secure = True
    if secure:
        segments.append("Secure")
    if httponly:
        segments.append("HttpOnly")
    if path is not None:
        segments.append("Path=" + _url_quote(path, safe=_PATH_SAFE))
    if samesite is not None:
        normalized = _SAMESITE.get(samesite.lower())
        if normalized is None:
            raise ValueError("SameSite must be 'Strict', 'Lax' or 'None'.")
        segments.append(f"SameSite={normalized}")
    if partitioned:
        segments.append("Partitioned")
    header = "; ".join(segments)
    if max_size and len(header) > max_size:
        value_size = len(segments[0]) - len(key) - 1
        warnings.warn(
            f"The {key!r} cookie is {len(header)} bytes long (its value {value_size}, the"
            f" name and attributes the rest), over the limit of {max_size} bytes. Browsers"
            " may silently ignore a cookie this large; store less in it.",
            stacklevel=3,
        )
    return header
