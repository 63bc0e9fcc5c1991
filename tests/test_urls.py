from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vial.datastructures import ImmutableMultiDict, MultiDict
from vial.exceptions import BadRequest, HTTPException, RequestEntityTooLarge
from vial.urls import iri_to_uri, quote, unquote, url_decode, url_encode


def test_url_decode_basic() -> None:
    md = url_decode("a=1&a=2&q=fish+%26+chips&flag&=empty-key&&")
    assert type(md) is MultiDict
    assert list(md.items(multi=True)) == [
        ("a", "1"),
        ("a", "2"),
        ("q", "fish & chips"),
        ("flag", ""),
        ("", "empty-key"),
    ]
    assert url_decode("") == MultiDict()
    assert url_decode(b"") == MultiDict()
    assert url_decode("a=b=c")["a"] == "b=c"


def test_url_decode_only_ampersand_separates() -> None:
    assert list(url_decode("a=1;b=2").items()) == [("a", "1;b=2")]


def test_url_decode_unicode() -> None:
    assert url_decode(b"x=%C3%A9t%C3%A9")["x"] == "été"
    assert url_decode("x=%E2%82%AC")["x"] == "€"
    # Raw UTF-8 in bytes (some clients do not percent-encode) and text input.
    assert url_decode("x=été".encode())["x"] == "été"
    assert url_decode("x=été")["x"] == "été"
    assert url_decode(bytearray(b"a=1"))["a"] == "1"
    assert url_decode(memoryview(b"a=1"))["a"] == "1"


@pytest.mark.parametrize(
    "query", [b"a=%", b"a=%2", b"a=%zz", b"%g0=1", b"a=%ff", b"a=%C3", b"a=\xff", "a=%80"]
)
def test_url_decode_strict_errors_are_bad_request(query: str | bytes) -> None:
    with pytest.raises(BadRequest) as exc:
        url_decode(query)
    assert exc.value.code == 400
    assert exc.value.description
    assert "query or form data" in exc.value.description


def test_url_decode_lenient_modes() -> None:
    md = url_decode(b"a=%zz&b=%ff&c=100%&d=\xff", errors="replace")
    assert md["a"] == "%zz"
    assert md["b"] == "\ufffd"
    assert md["c"] == "100%"
    assert md["d"] == "\ufffd"
    assert url_decode(b"b=a%ffb", errors="ignore")["b"] == "ab"


def test_url_decode_max_fields() -> None:
    assert len(url_decode("a=1&b=2", max_fields=2)) == 2
    assert len(url_decode("a=1&&&b=2&", max_fields=2)) == 2  # empty fields do not count
    with pytest.raises(RequestEntityTooLarge) as exc:
        url_decode("a=1&b=2&c=3", max_fields=2)
    assert exc.value.code == 413


def test_url_decode_cls() -> None:
    md = url_decode("a=1&a=2", cls=ImmutableMultiDict)
    assert type(md) is ImmutableMultiDict
    assert md.getlist("a") == ["1", "2"]
    with pytest.raises(TypeError):
        md.add("a", "3")
    assert type(url_decode("", cls=ImmutableMultiDict)) is ImmutableMultiDict


def test_url_decode_type_error() -> None:
    with pytest.raises(TypeError):
        url_decode(1)  # type: ignore[call-overload]


def test_url_encode() -> None:
    assert (
        url_encode({"q": "fish & chips", "page": 2, "tag": ["a", "b"], "none": None})
        == "q=fish+%26+chips&page=2&tag=a&tag=b"
    )
    assert url_encode(MultiDict([("b", "1"), ("a", "2"), ("a", "1")]), sort=True) == ("a=1&a=2&b=1")
    assert url_encode([("b", 1), ("a", 2)], sort=True, key=lambda kv: kv[1]) == "b=1&a=2"
    assert url_encode({"k": "é/:?@=+&%"}) == "k=%C3%A9/:?@%3D%2B%26%25"
    assert url_encode({b"raw": b"\xff"}) == "raw=%FF"
    assert url_encode({1: 2}) == "1=2"
    assert url_encode({}) == ""


def test_quote_unquote() -> None:
    assert quote("a b/é") == "a%20b/%C3%A9"
    assert quote("a/b", safe="") == "a%2Fb"
    assert quote(b"\xff") == "%FF"
    assert unquote("a%20b%C3%A9") == "a bé"
    assert unquote("%ff") == "\ufffd"


def test_iri_to_uri() -> None:
    assert (
        iri_to_uri("https://bücher.example/straße?q=é#frag ment")
        == "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9#frag%20ment"
    )
    assert iri_to_uri("http://üser:pässword@bücher.example:8080/") == (
        "http://%C3%BCser:p%C3%A4ssword@xn--bcher-kva.example:8080/"
    )
    # Already a URI: unchanged.
    uri = "https://example.com/a%20b/c?x=1&y=%2F#top"
    assert iri_to_uri(uri) == uri
    assert iri_to_uri("/relative/ü") == "/relative/%C3%BC"
    assert iri_to_uri("http://[::1]:80/ä") == "http://[::1]:80/%C3%A4"
    # Control characters become escapes; nothing splits a Location header.
    assert iri_to_uri("/a\r\nSet-Cookie: x=1") == "/a%0D%0ASet-Cookie:%20x=1"
    assert iri_to_uri("/tab\there") == "/tab%09here"
    # A host IDNA refuses is percent-encoded instead of failing.
    assert iri_to_uri("http://a\u00ad\u0300..b/").startswith("http://")


def test_iri_to_uri_keeps_an_empty_authority() -> None:
    # iOS app installs: a redirect there must keep the "//".
    url = "itms-services://?action=download-manifest&url=https://test.example/path"
    assert iri_to_uri(url) == url
    assert iri_to_uri("x-app://é") == "x-app://xn--9ca"
    assert iri_to_uri("x-app:///path/é") == "x-app:///path/%C3%A9"
    assert iri_to_uri("mailto:a@example.com") == "mailto:a@example.com"


@given(st.binary(max_size=200))
def test_url_decode_never_raises_other_errors(data: bytes) -> None:
    try:
        md = url_decode(data)
    except BadRequest:
        return
    assert isinstance(md, MultiDict)


@given(st.text(max_size=200))
def test_url_decode_text_never_raises_other_errors(data: str) -> None:
    try:
        md = url_decode(data, max_fields=5)
    except HTTPException as e:
        assert e.code in (400, 413)
        return
    assert isinstance(md, MultiDict)


@given(st.binary(max_size=200))
def test_url_decode_lenient_never_raises(data: bytes) -> None:
    assert isinstance(url_decode(data, errors="replace"), MultiDict)


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


@settings(deadline=None)  # a loaded 2-core host took over hypothesis's 200 ms once
@given(st.lists(st.tuples(_text, _text), max_size=10))
def test_url_encode_decode_round_trip(pairs: list[tuple[str, str]]) -> None:
    md = MultiDict(pairs)
    decoded = url_decode(url_encode(md))
    # Pairs whose key and value are both empty encode as "=", which decodes
    # back to the ("", "") pair; every pair survives.
    assert decoded.to_dict(flat=False) == md.to_dict(flat=False)
    assert url_decode(url_encode(md).encode("ascii")) == decoded


@given(st.text(max_size=50))
def test_iri_to_uri_is_ascii_without_controls(iri: str) -> None:
    try:
        uri = iri_to_uri(iri)
    except ValueError:
        # urlsplit refuses some malformed netlocs (e.g. an unbalanced "[").
        return
    assert uri.isascii()
    assert not any(ord(c) < 0x21 or c == "\x7f" for c in uri)
