"""Behavior of vial.http and the header structures it builds."""

from __future__ import annotations

import base64
import typing as t
from datetime import date, datetime, timedelta, timezone

import pytest

from vial import http
from vial.datastructures import (
    Accept,
    Authorization,
    CharsetAccept,
    ContentRange,
    ETags,
    Headers,
    IfRange,
    LanguageAccept,
    MIMEAccept,
    Range,
    RequestCacheControl,
    ResponseCacheControl,
    WWWAuthenticate,
)
from vial.statuses import HTTP_STATUS_CODES

# --- quoting, lists, dicts ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("token", "token"),
        ("two words", '"two words"'),
        ("", '""'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        (42, "42"),
    ],
)
def test_quote_header_value(value: object, expected: str) -> None:
    assert http.quote_header_value(value) == expected


def test_quote_header_value_can_force_quotes() -> None:
    assert http.quote_header_value("token", allow_token=False) == '"token"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"two words"', "two words"),
        ('"a\\"b\\\\c"', 'a"b\\c'),
        ("plain", "plain"),
        ('"', '"'),
        ('"C:\\dir\\file.txt"', "C:\\dir\\file.txt"),
        ('"trailing\\"', "trailing\\"),
    ],
)
def test_unquote_header_value(value: str, expected: str) -> None:
    assert http.unquote_header_value(value) == expected


def test_parse_list_header() -> None:
    assert http.parse_list_header('token, "quoted, value", , x') == [
        "token",
        "quoted, value",
        "x",
    ]
    assert http.parse_list_header("") == []


def test_parse_dict_header() -> None:
    assert http.parse_dict_header('foo="is a fish", bar="as, well", flag, =x') == {
        "foo": "is a fish",
        "bar": "as, well",
        "flag": None,
    }
    assert http.parse_dict_header("title*=UTF-8''%e2%82%ac%20rates") == {"title": "€ rates"}
    assert http.parse_dict_header("*=x") == {}


def test_dump_header() -> None:
    assert http.dump_header({"foo": "bar baz", "flag": None, "n": 1}) == 'foo="bar baz", flag, n=1'
    assert http.dump_header(["foo", "bar baz"]) == 'foo, "bar baz"'


# --- options headers --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", {})),
        ("", ("", {})),
        ("text/html", ("text/html", {})),
        ('text/html; Charset="utf-8"', ("text/html", {"charset": "utf-8"})),
        ('form-data; name="a;b"; flag; x=1', ("form-data", {"name": "a;b", "x": "1"})),
        ('attachment; filename="a \\"q\\".txt"', ("attachment", {"filename": 'a "q".txt'})),
        ("attachment; filename*=UTF-8''%e2%82%ac.txt", ("attachment", {"filename": "€.txt"})),
        ("attachment; filename*=iso-8859-1'en'%A3.txt", ("attachment", {"filename": "£.txt"})),
        ("attachment; filename*=bogus''%41.txt", ("attachment", {"filename": "A.txt"})),
        ("attachment; filename*=%41.txt", ("attachment", {"filename": "A.txt"})),
        ("a; =x; *=y", ("a", {})),
    ],
)
def test_parse_options_header(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert http.parse_options_header(value) == expected


def test_parse_options_header_rfc2231_continuations() -> None:
    value = 'message/external-body; url*0="ftp://"; url*1*=%63%6F%6D; URL*2=/x; other=1'
    assert http.parse_options_header(value) == (
        "message/external-body",
        {"url": "ftp://com/x", "other": "1"},
    )
    value = "x; title*0*=UTF-8'en'%e2%82; title*1*=%ac; title*3=lost"
    assert http.parse_options_header(value) == ("x", {"title": "€"})
    # A plain parameter wins over continuations of the same name.
    assert http.parse_options_header("x; a=1; a*0=2") == ("x", {"a": "1"})
    value = "x; t*0*=bogus''%41; t*1*=%42"
    assert http.parse_options_header(value) == ("x", {"t": "AB"})


def test_dump_options_header() -> None:
    assert http.dump_options_header("text/html", {"charset": "utf-8"}) == "text/html; charset=utf-8"
    # None leaves the parameter out, as in Werkzeug 3.
    assert http.dump_options_header("a", {"name": "x y", "flag": None}) == 'a; name="x y"'
    assert http.dump_options_header(None, {"k": "v"}) == "k=v"
    with pytest.raises(ValueError):
        http.dump_options_header("a", {"k": "x\r\nSet-Cookie: a=b"})


def test_parse_set_header() -> None:
    hs = http.parse_set_header('Accept-Encoding, "Cookie", bad\r\n')
    assert list(hs) == ["Accept-Encoding", "Cookie"]
    assert list(http.parse_set_header(None)) == []


# --- Accept -----------------------------------------------------------------


def test_accept_orders_by_quality_then_specificity() -> None:
    accept = http.parse_accept_header(
        "*/*;q=0.1, text/*;q=0.9, text/html;q=0.5, application/json, text/plain;q=0.9",
        MIMEAccept,
    )
    assert list(accept.values()) == [
        "application/json",
        "text/plain",
        "text/*",
        "text/html",
        "*/*",
    ]
    assert accept.best == "application/json"
    assert accept[0] == ("application/json", 1)
    assert accept[1:2] == [("text/plain", 0.9)]
    assert accept.to_header() == (
        "application/json,text/plain;q=0.9,text/*;q=0.9,text/html;q=0.5,*/*;q=0.1"
    )
    assert str(accept) == accept.to_header()
    assert accept.provided


def test_accept_quality_uses_most_specific_match() -> None:
    accept = http.parse_accept_header("text/*;q=0.9, text/html;q=0.2, */*;q=0.1", MIMEAccept)
    assert accept.quality("text/html") == 0.2
    assert accept["text/plain"] == 0.9
    assert accept["image/png"] == 0.1
    assert "image/png" in accept  # type: ignore[comparison-overlap]
    assert ("text/*", 0.9) in accept
    assert accept.best_match(["text/html", "text/plain"]) == "text/plain"


def test_accept_zero_quality_means_not_acceptable() -> None:
    accept = http.parse_accept_header("text/html;q=0, */*", MIMEAccept)
    assert "text/html" not in accept  # type: ignore[comparison-overlap]
    assert "image/png" in accept  # type: ignore[comparison-overlap]
    assert accept.best_match(["text/html"]) is None
    assert accept.best_match(["text/html"], default="x") == "x"
    assert accept.best_match(["text/html", "image/png"]) == "image/png"


def test_best_match_tie_breaks() -> None:
    accept = http.parse_accept_header("text/*, text/html", MIMEAccept)
    # Same quality: the more specific client entry wins over server order.
    assert accept.best_match(["text/plain", "text/html"]) == "text/html"
    accept = http.parse_accept_header("text/html, application/json", MIMEAccept)
    assert accept.best_match(["application/json", "text/html"]) == "application/json"
    assert accept.best_match([]) is None


def test_mime_accept_parameters_and_wildcards() -> None:
    accept = http.parse_accept_header("text/html;level=1, */*;q=0.1", MIMEAccept)
    assert accept.quality("text/html;level=1") == 1
    assert accept.quality("text/html") == 0.1
    # Parameters must be the same set (Werkzeug): */* is what covers this one.
    assert accept.quality("text/html;level=1;charset=utf-8") == 0.1
    assert accept.quality("nonsense") == 0
    assert accept.quality("*/html") == 0
    assert http.parse_accept_header("*/html, text/plain", MIMEAccept).quality("text/html") == 0
    # Server offering a wildcard matches any client type.
    assert http.parse_accept_header("image/png", MIMEAccept).best_match(["image/*"]) == "image/*"
    # A lone "*" (as some Java clients send) is "*/*"; values without "/" are skipped.
    accept = http.parse_accept_header("*; q=.2, bogus, text/html", MIMEAccept)
    assert list(accept) == [("text/html", 1), ("*/*", 0.2)]


def test_best_match_offers_with_parameters() -> None:
    plain = http.parse_accept_header("text/html, application/json", MIMEAccept)
    # An offer with parameters is not covered by a client range without them.
    assert plain.best_match(["text/html; version=1", "application/json"]) == "application/json"
    assert plain.best_match(["text/html;charset=utf-8"]) is None
    versioned = http.parse_accept_header("text/html; version=1, application/json", MIMEAccept)
    assert versioned.best_match(["text/html", "application/json"]) == "application/json"
    assert versioned.best_match(["text/html; version=2", "application/json"]) == "application/json"
    assert (
        versioned.best_match(["text/html; version=1", "application/json"]) == "text/html; version=1"
    )
    # Parameter order, case and spacing do not matter.
    both = http.parse_accept_header("TEXT/HTML; A=1; b=2", MIMEAccept)
    assert both.best_match(["text/html;b=2;a=1"]) == "text/html;b=2;a=1"
    assert both.best_match(["text/html;a=1"]) is None
    assert both.quality("text/html;a=1;b=2;c=3") == 0


def test_best_match_parameters_under_wildcards() -> None:
    offers = ["text/html; version=1", "application/json"]
    anything = http.parse_accept_header("*/*", MIMEAccept)
    assert anything.best_match(offers) == "text/html; version=1"
    assert anything.best_match(offers[::-1]) == "application/json"
    text = http.parse_accept_header("text/*", MIMEAccept)
    assert text.best_match(offers) == "text/html; version=1"
    # A range's parameters do not narrow a wildcard subtype.
    assert http.parse_accept_header("text/*;a=1", MIMEAccept).quality("text/plain") == 1
    lower = http.parse_accept_header("text/*;q=0.5, application/json", MIMEAccept)
    assert lower.best_match(offers) == "application/json"
    # The most specific range decides, also when it carries parameters.
    levels = http.parse_accept_header("text/html;level=1;q=0.5, text/html", MIMEAccept)
    assert levels.best_match(["text/html;level=1", "text/html"]) == "text/html"
    levels = http.parse_accept_header("text/html;level=1, text/html;q=0.5", MIMEAccept)
    assert levels.best_match(["text/html", "text/html;level=1"]) == "text/html;level=1"
    # Quality ties go to the earlier offer (this already held before).
    accept = http.parse_accept_header("text/html;q=0.8, application/json;q=0.8", MIMEAccept)
    assert accept.best_match(["application/json", "text/html"]) == "application/json"
    assert accept.best_match(["text/html", "application/json"]) == "text/html"
    accept = http.parse_accept_header("application/*, text/html;q=0.9", MIMEAccept)
    assert accept.best_match(["text/html", "application/json;x=1"]) == "application/json;x=1"


def test_mime_accept_properties() -> None:
    html = http.parse_accept_header("text/html", MIMEAccept)
    assert html.accept_html and not html.accept_json and not html.accept_xhtml
    xml = http.parse_accept_header("application/xml", MIMEAccept)
    assert xml.accept_xhtml and xml.accept_html
    json = http.parse_accept_header("application/json", MIMEAccept)
    assert json.accept_json and not json.accept_html
    anything = http.parse_accept_header("*/*", MIMEAccept)
    assert anything.accept_json and anything.accept_html


@pytest.mark.parametrize(
    "value",
    ["a;q=2", "a;q=-1", "a;q=nan", "a;q=inf", "a;q=", "a;q=1e0", "a;q=0.5.5", "a;q=.", "a;q=١"],
)
def test_accept_skips_invalid_quality(value: str) -> None:
    assert list(http.parse_accept_header(value + ", b")) == [("b", 1)]


def test_accept_missing_and_empty() -> None:
    accept = http.parse_accept_header(None)
    assert not accept.provided
    assert accept.best is None
    assert accept.best_match(["a"], "d") == "d"
    assert isinstance(http.parse_accept_header("", MIMEAccept), MIMEAccept)
    assert http.parse_accept_header(" , ;q=1") == Accept([])


def test_accept_keeps_extension_params() -> None:
    accept = http.parse_accept_header('text/html; level = 2; q=0.5; x="a,b"; flag', MIMEAccept)
    assert list(accept) == [('text/html;level=2;x="a,b";flag', 0.5)]


def test_accept_is_immutable_and_indexable() -> None:
    accept = Accept([("gzip", 1), ("br", 0.5), ("*", 0.1)])
    with pytest.raises(TypeError):
        accept.append(("x", 1))
    assert accept.index("br") == 1
    assert accept.index(("gzip", 1.0)) == 0
    assert accept.find("identity") == 2  # covered by "*"
    assert Accept([("gzip", 1)]).find("identity") == -1
    with pytest.raises(ValueError):
        Accept([]).index("x")
    assert repr(Accept([("a", 1)])) == "Accept([('a', 1.0)])"
    assert "GZIP" in accept  # type: ignore[comparison-overlap]


def test_language_accept() -> None:
    accept = http.parse_accept_header("en-US, fr;q=0.8, de_AT;q=0.5", LanguageAccept)
    assert accept.best_match(["fr", "en_us"]) == "en_us"
    assert accept.quality("de-at") == 0.5
    # Falls back to primary subtags in both directions, as Werkzeug does...
    assert accept.best_match(["en", "de"]) == "en"
    assert accept.best_match(["it"], default="en") == "en"
    assert http.parse_accept_header("de", LanguageAccept).best_match(["de-CH"]) == "de-CH"
    # ... but one region does not stand in for another.
    assert accept.best_match(["de-DE", "it"]) is None
    en_gb = LanguageAccept([("en-GB", 1)])
    assert en_gb.best_match(["en-US"]) is None
    assert en_gb.best_match(["en-US", "en"], default="en-US") == "en"
    assert LanguageAccept([("de_AT", 0.9), ("en-US", 1)]).best_match(["en", "de"]) == "en"


def test_charset_accept() -> None:
    accept = http.parse_accept_header("UTF8, latin1;q=0.5, x-unknown;q=0.2", CharsetAccept)
    assert accept.best_match(["iso-8859-1", "utf-8"]) == "utf-8"
    assert accept.quality("ISO-8859-1") == 0.5
    assert accept.quality("X-UNKNOWN") == 0.2
    assert http.parse_accept_header("*", CharsetAccept).quality("ascii") == 1


# --- Cache-Control ----------------------------------------------------------


def test_request_cache_control() -> None:
    cc = http.parse_cache_control_header(
        "No-Cache, max-age=60, max-stale, min-fresh=10, only-if-cached, no-transform"
    )
    assert isinstance(cc, RequestCacheControl)
    assert cc.no_cache is True
    assert cc.max_age == 60
    assert cc.max_stale is True
    assert cc.min_fresh == 10
    assert cc.only_if_cached is True
    assert cc.no_transform is True
    assert cc.no_store is False
    assert cc.stale_if_error is None
    assert http.parse_cache_control_header("max-stale=5").max_stale == 5
    assert http.parse_cache_control_header("max-stale=x").max_stale is None
    assert http.parse_cache_control_header(None).max_stale is None
    assert not http.parse_cache_control_header(None).provided


def test_response_cache_control() -> None:
    cc = http.parse_cache_control_header(
        'public, no-cache="Set-Cookie, Foo", private, s-maxage=5, immutable, '
        "stale-while-revalidate=30, must-revalidate, proxy-revalidate, max-age=bad",
        cls=ResponseCacheControl,
    )
    assert cc.public is True
    assert cc.no_cache == "Set-Cookie, Foo"
    assert cc.private is True
    assert cc.s_maxage == 5
    assert cc.immutable is True
    assert cc.stale_while_revalidate == 30
    assert cc.must_revalidate and cc.proxy_revalidate
    assert cc.must_understand is False
    assert cc.max_age is None
    empty = http.parse_cache_control_header("", None, ResponseCacheControl)
    assert empty.no_cache is None and empty.private is None


def test_cache_control_setters_call_on_update() -> None:
    seen: list[str] = []
    cc = http.parse_cache_control_header(
        "", on_update=lambda c: seen.append(c.to_header()), cls=ResponseCacheControl
    )
    cc.max_age = 3600
    cc.public = True
    cc.no_cache = "Set-Cookie"
    cc.private = True
    assert cc.to_header() == "max-age=3600, public, no-cache=Set-Cookie, private"
    cc.public = False
    cc.max_age = None
    cc.no_cache = True
    del cc.private
    cc.immutable = "yes"
    assert str(cc) == "no-cache, immutable"
    assert seen[0] == "max-age=3600"
    assert seen[-1] == "no-cache, immutable"
    with pytest.raises(TypeError):
        cc.max_age = True
    with pytest.raises(ValueError):
        cc.s_maxage = -1
    assert repr(cc) == "<ResponseCacheControl 'no-cache, immutable'>"
    assert isinstance(type(cc).max_age, object)


def test_cache_control_dict_methods_call_on_update() -> None:
    seen: list[int] = []
    cc = RequestCacheControl([("no-store", None)], on_update=lambda c: seen.append(len(c)))
    cc["max-age"] = "1"
    cc.update({"a": "1"})
    cc.setdefault("b", "2")
    cc.setdefault("b", "3")
    assert cc.pop("a") == "1"
    cc.pop("missing", None)
    del cc["b"]
    cc.popitem()
    cc.clear()
    assert seen == [2, 3, 4, 3, 2, 1, 0]
    cc.max_stale = 7
    assert cc.to_header() == "max-stale=7"
    cc.max_stale = True
    assert cc.to_header() == "max-stale"


# --- ETags --------------------------------------------------------------------


def test_quote_and_unquote_etag() -> None:
    assert http.quote_etag("abc") == '"abc"'
    assert http.quote_etag("abc", weak=True) == 'W/"abc"'
    with pytest.raises(ValueError):
        http.quote_etag('a"b')
    assert http.unquote_etag('W/"abc"') == ("abc", True)
    assert http.unquote_etag(' "abc" ') == ("abc", False)
    assert http.unquote_etag("abc") == ("abc", False)
    assert http.unquote_etag(None) == (None, None)


def test_parse_etags() -> None:
    assert http.parse_etags('"\\", "a"').as_set() == {"\\", "a"}
    etags = http.parse_etags('"a", W/"b", c, "d,e", , w/"f"')
    assert "a" in etags
    assert "b" not in etags
    assert etags.contains_weak("b")
    assert etags.is_weak("f") and etags.is_strong("d,e") and etags.is_strong("c")
    assert etags.contains_raw('W/"b"') and etags.contains_raw('"a"')
    assert not etags.contains_raw('"b"')
    assert etags.as_set() == {"a", "c", "d,e"}
    assert etags.as_set(include_weak=True) == {"a", "b", "c", "d,e", "f"}
    assert etags.to_header() == '"a", "c", "d,e", W/"b", W/"f"'
    assert http.parse_etags(etags.to_header()) == etags
    assert len(etags) == 3 and set(etags) == {"a", "c", "d,e"}
    assert etags("a") and not etags("b") and etags("b", include_weak=True)
    assert 1 not in etags
    assert etags != "x"
    assert repr(ETags(["x"])) == "<ETags '\"x\"'>"


def test_etags_star_and_empty() -> None:
    star = http.parse_etags(" * ")
    assert star.star_tag and "anything" in star and star.contains_weak("x")
    assert star.to_header() == "*" and str(star) == "*"
    assert bool(star)
    assert not http.parse_etags(None)
    assert not http.parse_etags("")


def test_etags_call_with_data() -> None:
    data = b"hello"
    etags = ETags([http.generate_etag(data)])
    assert etags(data=data)
    with pytest.raises(TypeError):
        etags()


def test_generate_etag() -> None:
    assert http.generate_etag(b"hello") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"


def test_if_range() -> None:
    assert http.parse_if_range_header('"abc"').etag == "abc"
    parsed = http.parse_if_range_header("Sun, 06 Nov 1994 08:49:37 GMT")
    assert parsed.date == datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)
    assert parsed.etag is None
    assert parsed.to_header() == "Sun, 06 Nov 1994 08:49:37 GMT"
    empty = http.parse_if_range_header(None)
    assert empty.etag is None and empty.date is None and empty.to_header() == ""
    assert str(IfRange("x")) == '"x"'
    assert repr(IfRange("x")) == "<IfRange '\"x\"'>"


# --- Range / Content-Range -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ranges"),
    [
        ("bytes=0-499", [(0, 500)]),
        ("Bytes = 0-0", [(0, 1)]),
        ("bytes=500-", [(500, None)]),
        ("bytes=-500", [(-500, None)]),
        ("bytes=-0", [(0, 0)]),
        ("bytes=0-1, 5-9,,-3", [(0, 2), (5, 10), (-3, None)]),
        ("bytes=5-9,0-1", [(5, 10), (0, 2)]),
    ],
)
def test_parse_range_header(value: str, ranges: list[tuple[int, int | None]]) -> None:
    rng = http.parse_range_header(value)
    assert rng is not None
    assert rng.units == "bytes"
    assert rng.ranges == ranges


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "bytes=5-2",
        "bytes=",
        "bytes",
        "items=0-1",
        "bytes=a-b",
        "bytes=1",
        "bytes=-",
        "bytes=--1",
        "bytes=+1-2",
        "bytes=1_0-20",
        "bytes=١-٢",
        "bytes=0-1-2",
        "bytes=-x",
        "bytes=0-x",
        "bytes=" + "9" * 20 + "-",
        "bytes=" + ",".join(["0-1"] * 101),
    ],
)
def test_parse_range_header_rejects(value: str | None) -> None:
    assert http.parse_range_header(value) is None


def test_range_header_cap_is_inclusive_of_100() -> None:
    rng = http.parse_range_header("bytes=" + ",".join(["0-1"] * http.MAX_RANGES))
    assert rng is not None and len(rng.ranges) == 100


def test_parse_range_header_exclusive() -> None:
    rng = http.parse_range_header("bytes=0-499", make_inclusive=False)
    assert rng is not None and rng.ranges == [(0, 499)]


@pytest.mark.parametrize(
    ("value", "length", "expected"),
    [
        ("bytes=0-499", 1000, (0, 500)),
        ("bytes=0-499", 100, (0, 100)),
        ("bytes=500-", 1000, (500, 1000)),
        ("bytes=-300", 1000, (700, 1000)),
        ("bytes=-3000", 1000, (0, 1000)),
        ("bytes=-0", 1000, None),
        ("bytes=1000-", 1000, None),
        ("bytes=1000-2000", 1000, None),
        ("bytes=-1", 0, None),
        ("bytes=0-", 0, None),
        ("bytes=0-1,3-4", 1000, None),
        ("bytes=0-1", None, None),
    ],
)
def test_range_for_length(value: str, length: int | None, expected: tuple[int, int] | None) -> None:
    rng = http.parse_range_header(value)
    assert rng is not None
    assert rng.range_for_length(length) == expected


def test_range_other_units_and_negative_stop() -> None:
    assert Range("items", [(0, 5)]).range_for_length(10) is None
    assert Range("bytes", [(-5, 10)]).range_for_length(10) is None


def test_range_to_header_and_content_range() -> None:
    rng = http.parse_range_header("bytes=0-499,1000-,-5,-0")
    assert rng is not None
    assert rng.to_header() == "bytes=0-499,1000-,-5,-0"
    assert str(rng) == rng.to_header()
    single = Range("bytes", [(0, 500)])
    content_range = single.make_content_range(1234)
    assert content_range == ContentRange("bytes", 0, 500, 1234)
    assert single.to_content_range_header(1234) == "bytes 0-499/1234"
    assert single.to_content_range_header(0) is None
    assert single.make_content_range(0) is None
    assert single == Range("bytes", [(0, 500)])
    assert single != "bytes=0-499"
    assert repr(single) == "<Range 'bytes=0-499'>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 0-499/1234", ("bytes", 0, 500, 1234)),
        ("bytes 0-499/*", ("bytes", 0, 500, None)),
        ("bytes */1234", ("bytes", None, None, 1234)),
        (" Bytes  0-0/1 ", ("bytes", 0, 1, 1)),
    ],
)
def test_parse_content_range_header(value: str, expected: tuple[object, ...]) -> None:
    cr = http.parse_content_range_header(value)
    assert cr is not None
    assert (cr.units, cr.start, cr.stop, cr.length) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "bytes",
        "bytes 0-499",
        "bytes */*",
        "bytes 5-2/10",
        "bytes 0-10/10",
        "bytes 0-/10",
        "bytes 0-1/x",
        "b(y) 0-1/2",
        "bytes 1/2",
    ],
)
def test_parse_content_range_header_rejects(value: str | None) -> None:
    assert http.parse_content_range_header(value) is None


def test_content_range_updates() -> None:
    seen: list[str] = []
    cr = ContentRange("bytes", 0, 10, 100, on_update=lambda c: seen.append(c.to_header()))
    cr.start = 5
    cr.stop = 20
    cr.length = None
    cr.units = "bytes"
    assert seen == ["bytes 5-9/100", "bytes 5-19/100", "bytes 5-19/*", "bytes 5-19/*"]
    cr.set(0, 1, 2)
    assert str(cr) == "bytes 0-0/2" and bool(cr)
    cr.unset()
    assert cr.to_header() == "" and not cr
    assert repr(cr) == "<ContentRange ''>"
    assert cr != "x"


def test_is_byte_range_valid() -> None:
    assert http.is_byte_range_valid(0, 10, 10)
    assert http.is_byte_range_valid(0, 10, None)
    assert http.is_byte_range_valid(None, None, 5)
    assert http.is_byte_range_valid(None, None, None)
    assert not http.is_byte_range_valid(None, None, -1)
    assert not http.is_byte_range_valid(0, None, 10)
    assert not http.is_byte_range_valid(5, 5, 10)
    assert not http.is_byte_range_valid(10, 11, 10)


# --- Authorization / WWW-Authenticate ----------------------------------------


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def test_basic_authorization() -> None:
    auth = Authorization.from_header(_basic(b"ann:p:w"))
    assert auth is not None
    assert auth.type == "basic"
    assert auth.username == "ann" and auth.password == "p:w"
    assert auth["username"] == "ann" and auth.get("nope", "d") == "d"
    assert auth.token is None
    assert auth.to_header() == _basic(b"ann:p:w")
    assert str(auth) == auth.to_header()
    utf8 = Authorization.from_header(_basic("jörg:€".encode()))
    assert utf8 is not None and (utf8.username, utf8.password) == ("jörg", "€")
    latin1 = Authorization.from_header(_basic("jörg:pw".encode("latin-1")))
    assert latin1 is not None and latin1.username == "jörg"
    empty = Authorization.from_header(_basic(b":"))
    assert empty is not None and empty.username == "" and empty.password == ""


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "Basic", "Basic !!!", "Basic YWJj", "Basic YW5u OnB3", "Basic YW5uOnB"],
)
def test_basic_authorization_malformed(value: str | None) -> None:
    assert Authorization.from_header(value) is None


def test_token_and_parameter_authorization() -> None:
    bearer = Authorization.from_header("Bearer  abc.DEF-123_~+/==")
    assert bearer is not None
    assert (bearer.type, bearer.token, bearer.parameters) == ("bearer", "abc.DEF-123_~+/==", {})
    assert bearer.to_header() == "Bearer abc.DEF-123_~+/=="
    digest = Authorization.from_header(
        'Digest username="Mufasa", realm="a b", nonce=xyz, qop=auth, Response="6629"'
    )
    assert digest is not None and digest.token is None
    assert digest.username == "Mufasa" and digest.realm == "a b" and digest.qop == "auth"
    assert digest.response == "6629"
    assert digest.to_header() == (
        'Digest username=Mufasa, realm="a b", nonce=xyz, qop=auth, response=6629'
    )
    bare = Authorization.from_header("Negotiate")
    assert bare is not None and bare.token is None and bare.to_header() == "Negotiate"
    assert bare == Authorization("NEGOTIATE")
    assert bare != "Negotiate"
    assert repr(bare) == "<Authorization 'Negotiate'>"
    with pytest.raises(AttributeError):
        bare.__wrapped__  # noqa: B018


@pytest.mark.parametrize(
    ("value", "token", "parameters"),
    [
        ("MyToken this-is-the-token!", "this-is-the-token!", {}),
        ("Token  a b ", "a b", {}),
        ("Bearer abc==", "abc==", {}),
        ("Custom a=b", None, {"a": "b"}),
        ("Custom x, a=b==", None, {"a": "b=="}),
    ],
)
def test_authorization_token_or_parameters(
    value: str, token: str | None, parameters: dict[str, str]
) -> None:
    """An ``=`` that is not trailing means parameters; otherwise the rest is the token."""
    auth = Authorization.from_header(value)
    assert auth is not None
    assert (auth.token, auth.parameters) == (token, parameters)
    challenge = WWWAuthenticate.from_header(value)
    assert challenge is not None
    assert (challenge.token, dict(challenge.parameters)) == (token, parameters)


def test_www_authenticate() -> None:
    seen: list[str] = []
    challenge = WWWAuthenticate("basic", {"realm": "Admin area"})
    challenge.on_update = lambda w: seen.append(w.to_header())
    assert challenge.to_header() == 'Basic realm="Admin area"'
    challenge.charset = "UTF-8"
    assert seen[-1] == 'Basic realm="Admin area", charset="UTF-8"'
    challenge.charset = None
    challenge["realm"] = "x"
    assert challenge.realm == "x" and challenge["realm"] == "x"
    assert challenge.get("nope") is None and challenge.nope is None
    challenge["realm"] = None
    challenge.parameters["realm"] = "y"
    challenge.parameters.update(algorithm="MD5", stale="true")
    assert seen[-1] == 'Basic realm="y", algorithm=MD5, stale=true'
    challenge.parameters.pop("stale")
    challenge.parameters.pop("missing", None)
    del challenge.parameters["algorithm"]
    del challenge.realm
    challenge.parameters.clear()
    challenge.type = "Digest"
    assert challenge.type == "digest"
    challenge.parameters = {"nonce": "n"}
    assert challenge.to_header() == 'Digest nonce="n"'
    challenge.token = "tok"
    assert str(challenge) == "Digest tok"
    assert len(seen) == 13
    with pytest.raises(AttributeError):
        challenge._missing  # noqa: B018
    assert challenge == WWWAuthenticate("digest", {"nonce": "n"}, "tok")
    assert challenge != 1
    assert repr(WWWAuthenticate("bearer")) == "<WWWAuthenticate 'Bearer'>"


def test_www_authenticate_from_header() -> None:
    parsed = WWWAuthenticate.from_header('Digest realm="r", nonce="n", algorithm=MD5')
    assert parsed is not None
    assert (parsed.type, parsed.realm, parsed.nonce, parsed.algorithm) == (
        "digest",
        "r",
        "n",
        "MD5",
    )
    assert parsed.to_header() == 'Digest realm="r", nonce="n", algorithm=MD5'
    token = WWWAuthenticate.from_header("Newauth abc==")
    assert token is not None and token.token == "abc=="
    assert WWWAuthenticate.from_header(None) is None
    assert WWWAuthenticate.from_header("  ") is None


# --- dates ------------------------------------------------------------------

_NOV6 = datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 09:49:37 +0100",
        "  Sun, 06 Nov 1994 08:49:37 GMT  ",
    ],
)
def test_parse_date_formats(value: str) -> None:
    parsed = http.parse_date(value)
    assert parsed == _NOV6
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value", [None, "", "garbage", "Sun, 06 Nov 0000 08:49:37 GMT", "Sun, 32 Nov 1994", "1" * 300]
)
def test_parse_date_garbage(value: str | None) -> None:
    assert http.parse_date(value) is None


def test_http_date() -> None:
    assert http.http_date(_NOV6) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert http.http_date(datetime(1994, 11, 6, 8, 49, 37)) == "Sun, 06 Nov 1994 08:49:37 GMT"
    tz = timezone(timedelta(hours=2))
    assert http.http_date(datetime(1994, 11, 6, 10, 49, 37, tzinfo=tz)).endswith("08:49:37 GMT")
    assert http.http_date(date(1994, 11, 6)) == "Sun, 06 Nov 1994 00:00:00 GMT"
    assert http.http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert http.http_date(784111777.5) == "Sun, 06 Nov 1994 08:49:37 GMT"
    import time

    assert http.http_date(time.gmtime(0)) == "Thu, 01 Jan 1970 00:00:00 GMT"
    now = http.parse_date(http.http_date())
    assert now is not None
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert http.http_date(datetime(5, 1, 1)) == "Sat, 01 Jan 0005 00:00:00 GMT"
    with pytest.raises(TypeError):
        http.http_date("yesterday")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        http.http_date(True)
    with pytest.raises(ValueError):
        http.http_date(1e20)


def test_age() -> None:
    assert http.parse_age("3600") == timedelta(hours=1)
    assert http.parse_age(" 0 ") == timedelta(0)
    for bad in (None, "", "-1", "1.5", "abc", "9" * 16, "999999999999999"):
        assert http.parse_age(bad) is None
    assert http.dump_age(timedelta(hours=1)) == "3600"
    assert http.dump_age(30) == "30"
    assert http.dump_age(None) is None
    with pytest.raises(ValueError):
        http.dump_age(-1)


# --- conditional requests ---------------------------------------------------

_LAST = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
_LAST_HTTP = "Mon, 01 Jan 2024 12:00:00 GMT"


def test_is_resource_modified_if_none_match() -> None:
    assert not http.is_resource_modified(etag="abc", if_none_match='"abc"')
    assert not http.is_resource_modified(etag='"abc"', if_none_match='W/"abc", "x"')
    assert http.is_resource_modified(etag="abc", if_none_match='"other"')
    assert not http.is_resource_modified(if_none_match="*")
    # If-None-Match wins over If-Modified-Since.
    assert http.is_resource_modified(
        etag="abc", last_modified=_LAST, if_none_match='"x"', if_modified_since=_LAST_HTTP
    )
    # A tag to compare against is needed.
    assert http.is_resource_modified(if_none_match='"abc"')
    assert not http.is_resource_modified(
        data=b"hello", if_none_match=f'"{http.generate_etag(b"hello")}"'
    )
    with pytest.raises(TypeError):
        http.is_resource_modified(etag="a", data=b"a")


def test_is_resource_modified_if_modified_since() -> None:
    assert not http.is_resource_modified(last_modified=_LAST, if_modified_since=_LAST_HTTP)
    # Sub-second precision is dropped.
    later = _LAST.replace(microsecond=500)
    assert not http.is_resource_modified(last_modified=later, if_modified_since=_LAST_HTTP)
    naive = datetime(2024, 1, 1, 12, 0, 0)
    assert not http.is_resource_modified(last_modified=naive, if_modified_since=_LAST_HTTP)
    assert not http.is_resource_modified(last_modified=_LAST_HTTP, if_modified_since=_LAST_HTTP)
    newer = _LAST + timedelta(seconds=1)
    assert http.is_resource_modified(last_modified=newer, if_modified_since=_LAST_HTTP)
    assert http.is_resource_modified(last_modified=_LAST, if_modified_since="garbage")
    assert http.is_resource_modified(if_modified_since=_LAST_HTTP)
    assert http.is_resource_modified()


def test_is_resource_modified_if_range() -> None:
    kwargs: dict[str, t.Any] = {"http_range": "bytes=0-1", "ignore_if_range": False}
    assert not http.is_resource_modified(etag="abc", if_range='"abc"', **kwargs)
    assert http.is_resource_modified(etag="abc", if_range='"x"', **kwargs)
    assert http.is_resource_modified(etag="abc", if_range='W/"abc"', **kwargs)
    assert http.is_resource_modified(if_range='"abc"', **kwargs)
    assert not http.is_resource_modified(last_modified=_LAST, if_range=_LAST_HTTP, **kwargs)
    assert http.is_resource_modified(
        last_modified=_LAST + timedelta(seconds=1), if_range=_LAST_HTTP, **kwargs
    )
    assert http.is_resource_modified(if_range=_LAST_HTTP, **kwargs)
    # Ignored by default, and without a Range header.
    assert not http.is_resource_modified(
        etag="abc", http_range="bytes=0-1", if_range='"x"', if_none_match='"abc"'
    )
    assert not http.is_resource_modified(
        etag="abc", ignore_if_range=False, if_range='"x"', if_none_match='"abc"'
    )


def test_is_resource_modified_from_environ() -> None:
    environ = {"HTTP_IF_NONE_MATCH": '"abc"', "HTTP_IF_MODIFIED_SINCE": 5}
    assert not http.is_resource_modified(environ, etag="abc")
    # Explicit keywords take precedence over the environ.
    assert http.is_resource_modified(environ, etag="abc", if_none_match='"x"')
    environ = {"HTTP_RANGE": "bytes=0-1", "HTTP_IF_RANGE": '"x"'}
    assert http.is_resource_modified(environ, etag="abc", ignore_if_range=False)


def test_entity_and_hop_by_hop_headers() -> None:
    assert http.is_entity_header("Content-Type")
    assert not http.is_entity_header("X-Foo")
    assert http.is_hop_by_hop_header("Transfer-Encoding")
    assert not http.is_hop_by_hop_header("Content-Type")
    headers = [
        ("Content-Type", "text/html"),
        ("Expires", "0"),
        ("ETag", '"x"'),
        ("Connection", "close"),
        ("Content-Location", "/x"),
    ]
    http.remove_entity_headers(headers)
    assert headers == [
        ("Expires", "0"),
        ("ETag", '"x"'),
        ("Connection", "close"),
        ("Content-Location", "/x"),
    ]
    http.remove_entity_headers(headers, allowed=["EXPIRES"])
    http.remove_hop_by_hop_headers(headers)
    assert headers == [("Expires", "0"), ("ETag", '"x"')]


def test_remove_headers_from_headers_object() -> None:
    headers = Headers([("Content-Type", "text/html"), ("Keep-Alive", "5"), ("X-A", "1")])
    http.remove_entity_headers(headers)
    http.remove_hop_by_hop_headers(headers)
    assert list(headers.items()) == [("X-A", "1")]


def test_remove_headers_from_mapping() -> None:
    headers = {"Content-Type": "text/html", "X-A": "1"}
    http.remove_entity_headers(headers)
    assert headers == {"X-A": "1"}


def test_status_codes_reexported() -> None:
    assert http.HTTP_STATUS_CODES is HTTP_STATUS_CODES
    assert http.HTTP_STATUS_CODES[404] == "Not Found"


def test_parse_date_clock_edge_cases() -> None:
    assert http.parse_date("Sun, 06 Nov 1994 08:49:60 GMT") == _NOV6.replace(second=59)
    assert http.parse_date("06 Nov 1994 08:49 GMT") == _NOV6.replace(second=0)
    for bad in ("Sun, 06 Nov 1994 08:x:00 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", "Nov 6 1994"):
        assert http.parse_date(bad) is None
    assert http.parse_date("Sun, 06 Nov 1994 08:49:37 EST") is None
    assert http.parse_date("Sun, 06 Nov 1994 08:49:37 +01x0") is None
    assert http.parse_date("Sun, 06 Nov 1994 08:49:37 GMT extra") is None
