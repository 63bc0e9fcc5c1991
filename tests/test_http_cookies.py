"""Cookie header parsing and Set-Cookie formatting."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from vial.datastructures import ImmutableMultiDict, MultiDict
from vial.http import MAX_COOKIES, dump_cookie, parse_cookie


def test_parse_cookie_basic() -> None:
    cookies = parse_cookie("a=1; b = two ;c=3=4;  d=")
    assert isinstance(cookies, ImmutableMultiDict)
    assert cookies.to_dict() == {"a": "1", "b": "two", "c": "3=4", "d": ""}


def test_parse_cookie_ignores_nameless_and_valueless_pairs() -> None:
    # CVE-2023-23934: "=value" must not shadow a real cookie.
    cookies = parse_cookie("=evil; session=good; flag; ;==; =")
    assert list(cookies.items(multi=True)) == [("session", "good")]


def test_parse_cookie_duplicates_first_wins() -> None:
    cookies = parse_cookie("a=1; a=2; b=3")
    assert cookies["a"] == "1"
    assert cookies.getlist("a") == ["1", "2"]


def test_parse_cookie_unquotes() -> None:
    cookies = parse_cookie(
        r'a="quoted"; b="x\"y\\z"; c="semi\073colon"; d="\303\251t\303\251"; e="\q"; '
        r'f="\777"; g="\"; h="'
    )
    assert cookies["a"] == "quoted"
    assert cookies["b"] == 'x"y\\z'
    assert cookies["c"] == "semi;colon"
    assert cookies["d"] == "été"
    assert cookies["e"] == "q"
    assert cookies["f"] == "777"
    assert cookies["g"] == "\\"
    assert cookies["h"] == '"'


def test_parse_cookie_invalid_utf8_escapes_are_replaced() -> None:
    assert parse_cookie(r'a="\377"')["a"] == "\ufffd"


def test_parse_cookie_inputs() -> None:
    assert parse_cookie(None) == ImmutableMultiDict()
    assert parse_cookie("") == ImmutableMultiDict()
    assert parse_cookie("a=é".encode())["a"] == "é"
    assert parse_cookie(b"a=\xff")["a"] == "\ufffd"
    cookies = parse_cookie("a=1", cls=MultiDict)
    assert type(cookies) is MultiDict


def test_parse_cookie_decodes_wsgi_latin1_strings() -> None:
    # A WSGI environ carries the header's UTF-8 bytes as latin-1 characters.
    wsgi = "fö=fö; s=☃".encode().decode("latin-1")
    assert parse_cookie(wsgi).to_dict() == {"fö": "fö", "s": "☃"}
    # Text that is not such a transport is kept as it is.
    assert parse_cookie("fö=fö")["fö"] == "fö"
    assert parse_cookie("s=☃")["s"] == "☃"


def test_parse_cookie_cap() -> None:
    header = "; ".join(f"c{i}={i}" for i in range(MAX_COOKIES + 50))
    cookies = parse_cookie(header)
    assert len(cookies) == MAX_COOKIES
    assert f"c{MAX_COOKIES - 1}" in cookies
    assert f"c{MAX_COOKIES}" not in cookies


def test_dump_cookie_defaults() -> None:
    assert dump_cookie("a", "b") == "a=b; Path=/"
    assert dump_cookie("a") == "a=; Path=/"
    assert dump_cookie("a", "b", path=None) == "a=b"


def test_dump_cookie_all_attributes() -> None:
    value = dump_cookie(
        "session",
        "abc",
        max_age=60,
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        path="/app",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="lax",
        partitioned=True,
    )
    assert value == (
        "session=abc; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; "
        "Max-Age=60; Secure; HttpOnly; Path=/app; SameSite=Lax; Partitioned"
    )


def test_dump_cookie_max_age_sets_expires() -> None:
    value = dump_cookie("a", "b", max_age=timedelta(hours=1))
    assert "Max-Age=3600" in value
    expires = value.split("Expires=")[1].split(";")[0]
    parsed = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert abs(parsed - datetime.now(timezone.utc) - timedelta(hours=1)) < timedelta(seconds=5)
    assert "Expires" not in dump_cookie("a", "b", max_age=10, sync_expires=False)


def test_dump_cookie_expires_forms() -> None:
    assert "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in dump_cookie("a", expires=0)
    assert "Expires=Sat, 01 Jan 2000" in dump_cookie("a", expires=datetime(2000, 1, 1).date())
    assert "Expires=soon;" in dump_cookie("a", expires="soon")
    with pytest.raises(ValueError):
        dump_cookie("a", expires="x; Domain=evil")


@pytest.mark.parametrize("samesite", ["Strict", "strict", "LAX", "none"])
def test_dump_cookie_samesite(samesite: str) -> None:
    assert f"SameSite={samesite.title()}" in dump_cookie("a", samesite=samesite)


def test_dump_cookie_samesite_invalid() -> None:
    with pytest.raises(ValueError):
        dump_cookie("a", samesite="sometimes")


def test_dump_cookie_partitioned_implies_secure() -> None:
    assert dump_cookie("a", partitioned=True, path=None) == "a=; Secure; Partitioned"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain-value_1.2!#$%&'()*+/:<=>?@[]^`{|}~", "plain-value_1.2!#$%&'()*+/:<=>?@[]^`{|}~"),
        ("two words", '"two\\040words"'),
        ('q"b\\s', '"q\\"b\\\\s"'),
        ("a;b,c", '"a\\073b\\054c"'),
        ("é", '"\\303\\251"'),
        ("\r\n", '"\\015\\012"'),
    ],
)
def test_dump_cookie_quotes_value(value: str, expected: str) -> None:
    assert dump_cookie("k", value, path=None) == f"k={expected}"
    assert parse_cookie(dump_cookie("k", value))["k"] == value


@pytest.mark.parametrize("key", ["", "a b", "a;b", "a=b", "a\r\nb", "a\x00", "é", 'a"', "a,b"])
def test_dump_cookie_rejects_bad_keys(key: str) -> None:
    with pytest.raises(ValueError):
        dump_cookie(key, "v")


def test_dump_cookie_domain_and_path() -> None:
    assert "Domain=xn--bcher-kva.example;" in dump_cookie("a", domain="bücher.example")
    with pytest.raises(ValueError):
        dump_cookie("a", domain="a.com; Secure")
    with pytest.raises(ValueError):
        dump_cookie("a", domain="." * 70 + "é")
    assert dump_cookie("a", path="/a b;c/é") == "a=; Path=/a%20b%3Bc/%C3%A9"


def test_dump_cookie_oversize_is_returned_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="over the limit of 4093 bytes"):
        value = dump_cookie("a", "x" * 5000)
    assert len(value) > 4093
    assert len(dump_cookie("a", "x" * 5000, max_size=0)) == len(value)  # 0: no warning
