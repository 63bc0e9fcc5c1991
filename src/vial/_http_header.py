"""Tokenizing, quoting and formatting of HTTP header field values.

Private helpers behind :mod:`vial.http`. Every function here scans its input
once, character by character or with ``str.split``/``str.partition``, so the
cost is linear in the length of the header; no regular expression that could
backtrack is involved.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote as _url_quote
from urllib.parse import unquote as _url_unquote
from urllib.parse import unquote_to_bytes as _url_unquote_to_bytes

# RFC 9110 section 5.6.2: tchar
TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_OWS = " \t"
# Characters that can never appear in a header value sent on the wire.
_FORBIDDEN = frozenset("\r\n\x00")


def is_token(value: str) -> bool:
    """Whether ``value`` is a non-empty RFC 9110 token."""
    return bool(value) and all(c in TOKEN_CHARS for c in value)


def quote_header_value(value: t.Any, allow_token: bool = True) -> str:
    """Quote a header value if it is not a valid token.

    Backslashes and double quotes are escaped; an empty value becomes ``""``.

    :param value: the value; anything other than a string is passed through
        :class:`str` first.
    :param allow_token: if ``False``, quote even a valid token.
    """
    value_str = str(value)
    if allow_token and is_token(value_str):
        return value_str
    escaped = value_str.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def unquote_header_value(value: str) -> str:
    """Remove the quotes from a quoted header value, undoing :func:`quote_header_value`.

    Only ``\\\\`` and ``\\"`` are unescaped, as browsers do; any other backslash
    is kept, so a Windows path sent as a filename survives. A value that is not
    wrapped in double quotes is returned unchanged.

    :param value: the value to unquote.
    """
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    if "\\" not in inner:
        return inner
    out: list[str] = []
    i = 0
    n = len(inner)
    while i < n:
        c = inner[i]
        if c == "\\" and i + 1 < n and inner[i + 1] in '\\"':
            out.append(inner[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_outside_quotes(value: str, sep: str, escapes: bool = True) -> Iterator[str]:
    """Split ``value`` on ``sep`` where it is not inside a quoted string.

    A backslash inside a quoted string escapes the next character, unless
    ``escapes`` is false (entity tags have no escapes). An unterminated
    quoted string runs to the end of the value.
    """
    if '"' not in value:
        # PERF: the common case needs no scan; str.split is ~50x faster than the loop.
        yield from value.split(sep)
        return
    start = 0
    in_quotes = False
    escaped = False
    for i, c in enumerate(value):
        if in_quotes:
            if escaped:
                escaped = False
            elif c == "\\" and escapes:
                escaped = True
            elif c == '"':
                in_quotes = False
        elif c == '"':
            in_quotes = True
        elif c == sep:
            yield value[start:i]
            start = i + 1
    yield value[start:]


def parse_list_header(value: str) -> list[str]:
    """Parse a comma-separated list header, as in RFC 9110 section 5.6.1.

    Items may be quoted strings, which are unquoted; empty items are dropped.

    >>> parse_list_header('token, "quoted value"')
    ['token', 'quoted value']

    :param value: the header value.
    """
    result = []
    for item in split_outside_quotes(value, ","):
        item = item.strip(_OWS)
        if item:
            result.append(unquote_header_value(item))
    return result


def _decode_rfc2231(value: str) -> str:
    """Decode an RFC 2231 / 5987 extended value ``charset'lang'%xx``."""
    charset, sep, rest = value.partition("'")
    if not sep:
        return _url_unquote(value, errors="replace")
    _language, sep, encoded = rest.partition("'")
    if not sep:
        encoded = rest
    charset = charset.strip().lower() or "utf-8"
    try:
        return _url_unquote(encoded, encoding=charset, errors="replace")
    except LookupError:
        return _url_unquote(encoded, encoding="latin-1")


def _decode_bytes(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("latin-1")


def parse_dict_header(value: str) -> dict[str, str | None]:
    """Parse a comma-separated list of ``key=value`` pairs into a dict.

    Values may be quoted; a key without ``=`` maps to ``None``. A key written
    ``key*=charset'lang'value`` (RFC 5987) is percent-decoded and stored under
    ``key``. If a key repeats, the last value wins.

    >>> parse_dict_header('foo="is a fish", bar="as well", flag')
    {'foo': 'is a fish', 'bar': 'as well', 'flag': None}

    :param value: the header value.
    """
    result: dict[str, str | None] = {}
    for item in split_outside_quotes(value, ","):
        key, sep, raw = item.partition("=")
        key = key.strip(_OWS)
        if not key:
            continue
        if not sep:
            result[key] = None
            continue
        raw = raw.strip(_OWS)
        if key[-1] == "*":
            key = key[:-1].rstrip(_OWS)
            if not key:
                continue
            result[key] = _decode_rfc2231(unquote_header_value(raw))
        else:
            result[key] = unquote_header_value(raw)
    return result


def parse_options_header(value: str | None) -> tuple[str, dict[str, str]]:
    """Parse a header such as ``Content-Type`` into its value and parameters.

    Parameter names are lower-cased; quoted values are unquoted. RFC 2231
    extended parameters (``name*=UTF-8''%e2%82%ac``) are decoded, and their
    continuations (``name*0=...; name*1=...``) are joined in order. A
    parameter without ``=`` is ignored.

    >>> parse_options_header('text/html; charset="utf-8"')
    ('text/html', {'charset': 'utf-8'})

    :param value: the header value; ``None`` or an empty string gives
        ``("", {})``.
    """
    if not value:
        return "", {}
    parts = split_outside_quotes(value, ";")
    main = next(parts).strip(_OWS)
    options: dict[str, str] = {}
    # name -> {section number -> (decoded text, was extended)}
    continued: dict[str, dict[int, tuple[str, bool]]] = {}
    for part in parts:
        key, sep, raw = part.partition("=")
        if not sep:
            continue
        key = key.strip(_OWS).lower()
        raw = raw.strip(_OWS)
        if not key:
            continue
        extended = key[-1] == "*"
        if extended:
            key = key[:-1]
        name, star, section = key.partition("*")
        if star and section.isascii() and section.isdigit() and len(section) < 5:
            continued.setdefault(name, {})[int(section)] = (
                unquote_header_value(raw),
                extended,
            )
            continue
        if not key:
            continue
        text = unquote_header_value(raw)
        options[key] = _decode_rfc2231(text) if extended else text
    for name, sections in continued.items():
        if name in options or not name:
            continue
        # Section 0 carries the charset. Extended sections are %-encoded bytes
        # in that charset (a character may span two sections), plain ones literal.
        charset = "utf-8"
        raw_bytes = bytearray()
        index = 0
        while index in sections:
            text, extended = sections[index]
            if extended:
                if index == 0 and text.count("'") >= 2:
                    cs, _, rest = text.partition("'")
                    _, _, text = rest.partition("'")
                    charset = cs.strip().lower() or "utf-8"
                raw_bytes += _url_unquote_to_bytes(text)
            else:
                raw_bytes += text.encode("utf-8")
            index += 1
        if index:
            options[name] = _decode_bytes(bytes(raw_bytes), charset)
    return main, options


def dump_options_header(header: str | None, options: Mapping[str, t.Any]) -> str:
    """Produce a header value with parameters, the reverse of :func:`parse_options_header`.

    Values that are not tokens are quoted; an option whose value is ``None``
    is left out, as in Werkzeug 3. A value that cannot be quoted losslessly
    (it contains a line break or NUL) raises :exc:`ValueError`.

    >>> dump_options_header("text/html", {"charset": "utf-8"})
    'text/html; charset=utf-8'

    :param header: the main value, or ``None`` for parameters only.
    :param options: the parameters.
    """
    segments = [] if header is None else [header]
    for key, value in options.items():
        if value is None:
            continue
        text = str(value)
        if _FORBIDDEN.intersection(text):
            raise ValueError(f"Header parameter {key!r} contains a line break or NUL.")
        segments.append(f"{key}={quote_header_value(text)}")
    return "; ".join(segments)


def dump_header(iterable: Mapping[str, t.Any] | Iterable[t.Any]) -> str:
    """Join a list or a dict into a comma-separated header value.

    Items (or dict values) that are not tokens are quoted; a dict value of
    ``None`` writes the bare key.

    >>> dump_header({"foo": "bar baz", "flag": None})
    'foo="bar baz", flag'
    >>> dump_header(["foo", "bar baz"])
    'foo, "bar baz"'

    :param iterable: a mapping or an iterable of values.
    """
    if isinstance(iterable, Mapping):
        items = []
        for key, value in iterable.items():
            if value is None:
                items.append(str(key))
            else:
                items.append(f"{key}={quote_header_value(value)}")
        return ", ".join(items)
    return ", ".join(quote_header_value(item) for item in iterable)


def encode_rfc5987(value: str) -> str:
    """Encode ``value`` as an RFC 5987 ``UTF-8''...`` extended value."""
    return "UTF-8''" + _url_quote(value, safe="!#$&+-.^_`|~", encoding="utf-8")


def quote_etag(etag: str, weak: bool = False) -> str:
    """Quote an entity tag, optionally marking it weak.

    :param etag: the unquoted tag; it may not contain a double quote.
    :param weak: add the ``W/`` prefix.
    :raises ValueError: if the tag contains ``"`` or a line break.
    """
    if '"' in etag or _FORBIDDEN.intersection(etag):
        raise ValueError("invalid etag")
    quoted = f'"{etag}"'
    return f"W/{quoted}" if weak else quoted


@t.overload
def unquote_etag(etag: None) -> tuple[None, None]: ...
@t.overload
def unquote_etag(etag: str) -> tuple[str, bool]: ...
def unquote_etag(etag: str | None) -> tuple[str, bool] | tuple[None, None]:
    """Split an entity tag into its value and whether it is weak.

    >>> unquote_etag('W/"abc"')
    ('abc', True)

    :param etag: the tag as sent; unquoted tags are accepted too.
    """
    if etag is None:
        return None, None
    etag = etag.strip(_OWS)
    weak = etag[:2] in ("W/", "w/")
    if weak:
        etag = etag[2:]
    if len(etag) >= 2 and etag[0] == etag[-1] == '"':
        etag = etag[1:-1]
    return etag, weak


def generate_etag(data: bytes) -> str:
    """A strong entity tag for ``data``: the hex SHA-1 digest of the bytes.

    :param data: the representation's bytes.
    """
    # hashlib (with its OpenSSL binding) loads on the first tag, not with vial.
    import hashlib

    return hashlib.sha1(data, usedforsecurity=False).hexdigest()
