"""Property tests: every parser takes arbitrary text without raising, and round trips hold."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vial import http
from vial.datastructures import (
    Authorization,
    CharsetAccept,
    LanguageAccept,
    MIMEAccept,
    Range,
    ResponseCacheControl,
    WWWAuthenticate,
)

# Header-ish text: biased towards the characters parsers care about.
_SPECIAL = st.sampled_from([*' \t,;="\\/*-=:W', "q=", "bytes=", '"', "\\0", "*/*"])
header_text = st.one_of(
    st.text(),
    st.lists(st.one_of(_SPECIAL, st.text(max_size=4)), max_size=30).map("".join),
)
printable_ascii = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
cookie_names = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='"(),;=\\'),
    min_size=1,
)


@given(header_text)
def test_header_parsers_never_raise(value: str) -> None:
    http.parse_list_header(value)
    http.parse_dict_header(value)
    main, options = http.parse_options_header(value)
    assert isinstance(main, str) and all(isinstance(v, str) for v in options.values())
    http.unquote_header_value(value)
    http.unquote_etag(value)
    http.parse_set_header(value)


@given(header_text)
def test_accept_parsers_never_raise(value: str) -> None:
    for cls in (None, MIMEAccept, LanguageAccept, CharsetAccept):
        accept = http.parse_accept_header(value, cls)
        assert all(0 <= quality <= 1 for _, quality in accept)
        accept.best_match(["text/html", "en", "utf-8", "*/*", value])
        accept.quality(value)
        accept.to_header()


@given(
    st.lists(st.tuples(st.sampled_from(["text/html", "a/b", "*/*", "x/*"]), st.integers(0, 1000)))
)
def test_accept_round_trip(items: list[tuple[str, int]]) -> None:
    accept = MIMEAccept([(value, q / 1000) for value, q in items])
    reparsed = http.parse_accept_header(accept.to_header(), MIMEAccept)
    assert sorted(reparsed) == sorted(accept)


@given(header_text)
def test_cache_control_never_raises(value: str) -> None:
    request_cc = http.parse_cache_control_header(value)
    response_cc = http.parse_cache_control_header(value, cls=ResponseCacheControl)
    for name in ("max_age", "no_cache", "no_store", "max_stale", "min_fresh", "only_if_cached"):
        getattr(request_cc, name)
    for name in ("max_age", "s_maxage", "no_cache", "private", "public", "immutable"):
        getattr(response_cc, name)
    request_cc.to_header()


@given(st.dictionaries(st.sampled_from(["max-age", "no-cache", "private", "x"]), st.text()))
def test_cache_control_round_trip(directives: dict[str, str]) -> None:
    cc = ResponseCacheControl(directives)
    again = http.parse_cache_control_header(cc.to_header(), cls=ResponseCacheControl)
    assert dict(again) == directives


@given(header_text)
def test_etag_parsers_never_raise(value: str) -> None:
    etags = http.parse_etags(value)
    etags.to_header()
    etags.contains_raw(value)
    http.parse_if_range_header(value)


@given(st.text().filter(lambda s: '"' not in s and not set(s) & set("\r\n\x00")), st.booleans())
def test_etag_round_trip(etag: str, weak: bool) -> None:
    assert http.unquote_etag(http.quote_etag(etag, weak)) == (etag, weak)


@given(st.lists(st.text(st.characters(exclude_characters='",\r\n\x00')), max_size=5))
def test_etags_round_trip(tags: list[str]) -> None:
    etags = http.parse_etags(", ".join(http.quote_etag(tag) for tag in tags))
    assert etags.as_set() == set(tags)


@given(header_text)
def test_range_parsers_never_raise(value: str) -> None:
    for candidate in (value, "bytes=" + value, "bytes " + value):
        rng = http.parse_range_header(candidate)
        if rng is not None:
            rng.range_for_length(100)
            rng.to_content_range_header(100)
            assert http.parse_range_header(rng.to_header()) == rng
        content_range = http.parse_content_range_header(candidate)
        if content_range is not None:
            assert http.parse_content_range_header(content_range.to_header()) == content_range


range_specs = st.one_of(
    st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(lambda p: (min(p), max(p) + 1)),
    st.tuples(st.integers(0, 10**6), st.none()),
    st.tuples(st.integers(-(10**6), -1), st.none()),
    st.just((0, 0)),
)


@given(st.lists(range_specs, min_size=1, max_size=http.MAX_RANGES))
def test_range_round_trip(ranges: list[tuple[int, int | None]]) -> None:
    rng = Range("bytes", ranges)
    assert http.parse_range_header(rng.to_header()) == rng


@given(range_specs, st.integers(0, 2 * 10**6))
def test_range_for_length_within_bounds(spec: tuple[int, int | None], length: int) -> None:
    result = Range("bytes", [spec]).range_for_length(length)
    if result is not None:
        start, stop = result
        assert 0 <= start < stop <= length
        content_range = http.parse_content_range_header(
            Range("bytes", [spec]).to_content_range_header(length)
        )
        assert content_range is not None
        assert (content_range.start, content_range.stop) == result


@given(header_text)
def test_auth_parsers_never_raise(value: str) -> None:
    for candidate in (value, "Basic " + value, "Digest " + value, "Bearer " + value):
        auth = Authorization.from_header(candidate)
        if auth is not None:
            auth.to_header()
        challenge = WWWAuthenticate.from_header(candidate)
        if challenge is not None:
            challenge.to_header()


@given(st.text(), st.text())
def test_basic_auth_round_trip(username: str, password: str) -> None:
    auth = Authorization("basic", {"username": username.replace(":", ""), "password": password})
    parsed = Authorization.from_header(auth.to_header())
    assert parsed == auth


@given(st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1))
def test_bearer_round_trip(token: str) -> None:
    parsed = Authorization.from_header(Authorization("bearer", token=token).to_header())
    assert parsed is not None and parsed.token == token


@given(header_text)
def test_date_parsers_never_raise(value: str) -> None:
    parsed = http.parse_date(value)
    assert parsed is None or parsed.tzinfo is not None
    http.parse_age(value)


@given(st.datetimes(min_value=datetime(1, 1, 1), timezones=st.just(timezone.utc)))
def test_date_round_trip(moment: datetime) -> None:
    assert http.parse_date(http.http_date(moment)) == moment.replace(microsecond=0)


@given(st.one_of(header_text, st.binary()))
def test_parse_cookie_never_raises(value: str | bytes) -> None:
    cookies = http.parse_cookie(value)
    assert "" not in cookies
    assert len(cookies) <= http.MAX_COOKIES


@given(cookie_names, st.text())
def test_cookie_round_trip(key: str, value: str) -> None:
    value = value.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    header = http.dump_cookie(key, value, max_age=10, samesite="Lax", httponly=True)
    cookie_pair = header.split("; ", 1)[0]
    assert http.parse_cookie(f"other=1; {cookie_pair}; x=2")[key] == value


@given(st.text(), st.text())
def test_dump_cookie_output_is_one_header_line(key: str, value: str) -> None:
    try:
        header = http.dump_cookie(key, value, path=key, domain=None)
    except ValueError:
        return
    assert not set(header) & set("\r\n\x00")


@given(
    st.dictionaries(st.text(st.characters(codec="ascii", categories=["L"]), min_size=1), st.text())
)
def test_options_header_round_trip(options: dict[str, str]) -> None:
    options = {k.lower(): v for k, v in options.items()}
    options = {k: v for k, v in options.items() if not set(v) & set("\r\n\x00")}
    header = http.dump_options_header("text/plain", options)
    assert http.parse_options_header(header) == ("text/plain", options)


@given(st.lists(st.text(min_size=1).filter(lambda s: s.strip(" \t") == s)))
def test_list_header_round_trip(items: list[str]) -> None:
    assert http.parse_list_header(http.dump_header(items)) == items


# --- linear time on adversarial input ----------------------------------------

_ADVERSARIAL = [
    "a" * 100_000,
    '"' + "\\" * 100_000,
    ";" * 100_000,
    "," * 100_000,
    "=" * 100_000,
    '"a",' * 25_000,
    "a=" * 50_000,
    "*/*;q=0.1," * 10_000,
    "bytes=" + "0-1," * 25_000,
    "x*0*=%ff;" * 11_000,
    '"\\\\' * 33_000,
    "W/" * 50_000,
    "\t " * 50_000,
]


_PARSERS: dict[str, Callable[[str], object]] = {
    "options": http.parse_options_header,
    "list": http.parse_list_header,
    "dict": http.parse_dict_header,
    "accept": lambda v: http.parse_accept_header(v, MIMEAccept),
    "language": lambda v: http.parse_accept_header(v, LanguageAccept),
    "cache_control": http.parse_cache_control_header,
    "etags": http.parse_etags,
    "if_range": http.parse_if_range_header,
    "range": http.parse_range_header,
    "content_range": http.parse_content_range_header,
    "cookie": http.parse_cookie,
    "date": http.parse_date,
    "digest": lambda v: Authorization.from_header("Digest " + v),
    "basic": lambda v: Authorization.from_header("Basic " + v),
    "www_authenticate": WWWAuthenticate.from_header,
}


@pytest.mark.parametrize("name", sorted(_PARSERS))
def test_parsers_are_fast_on_100kb_headers(name: str) -> None:
    # Each takes well under 0.2 s per input here; a quadratic parser would take
    # minutes on 100 KB, so the generous limit only absorbs slow CI and coverage.
    parse = _PARSERS[name]
    for value in _ADVERSARIAL:
        started = time.perf_counter()
        parse(value)
        assert time.perf_counter() - started < 5.0, repr(value[:12])
