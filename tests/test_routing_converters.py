"""Converters: built-ins, arguments parsed from the rule text, and property tests."""

from __future__ import annotations

import string
import typing as t
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vial.exceptions import BadRequest, MethodNotAllowed, NotFound
from vial.routing import (
    BaseConverter,
    Map,
    PathConverter,
    RequestRedirect,
    Rule,
    UnicodeConverter,
    ValidationError,
)
from vial.routing.converters import parse_converter_args


def match(rule: str, path: str) -> dict[str, t.Any]:
    return Map([Rule(rule, endpoint="e")]).bind("h").match(path)[1]


def build(rule: str, **values: t.Any) -> str:
    return Map([Rule(rule, endpoint="e")]).bind("h").build("e", values)


def test_string_lengths() -> None:
    assert match("/<string(length=2):c>", "/de") == {"c": "de"}
    with pytest.raises(NotFound):
        match("/<string(length=2):c>", "/deu")
    assert match("/<string(minlength=2, maxlength=3):c>", "/abc") == {"c": "abc"}
    with pytest.raises(NotFound):
        match("/<string(minlength=2,maxlength=3):c>", "/a")
    with pytest.raises(NotFound):
        match("/<string(maxlength=3):c>", "/abcd")


def test_int_options() -> None:
    assert match("/<int:n>", "/42") == {"n": 42}
    with pytest.raises(NotFound):
        match("/<int:n>", "/-1")
    assert match("/<int(signed=True):n>", "/-1") == {"n": -1}
    assert match("/<int(min=1, max=9):n>", "/9") == {"n": 9}
    for path in ["/0", "/10"]:
        with pytest.raises(NotFound):
            match("/<int(min=1, max=9):n>", path)
    assert match("/<int(fixed_digits=3):n>", "/007") == {"n": 7}
    with pytest.raises(NotFound):
        match("/<int(fixed_digits=3):n>", "/7")
    assert build("/<int(fixed_digits=3):n>", n=7) == "/007"
    assert build("/<int:n>", n="12") == "/12"


def test_float_options() -> None:
    assert match("/<float:x>", "/1.5") == {"x": 1.5}
    with pytest.raises(NotFound):
        match("/<float:x>", "/1")
    assert match("/<float(signed=True):x>", "/-0.5") == {"x": -0.5}
    with pytest.raises(NotFound):
        match("/<float(max=1.0):x>", "/1.5")
    assert build("/<float:x>", x=2.25) == "/2.25"


def test_any_and_uuid() -> None:
    rule = '/<any(about, help, "x y"):page>'
    assert match(rule, "/help") == {"page": "help"}
    assert match(rule, "/x y") == {"page": "x y"}
    with pytest.raises(NotFound):
        match(rule, "/other")
    with pytest.raises(ValueError, match="at least one"):
        Map([Rule("/<any():x>")])
    value = uuid.uuid4()
    assert match("/<uuid:u>", f"/{value}") == {"u": value}
    assert match("/<uuid:u>", f"/{str(value).upper()}") == {"u": value}
    with pytest.raises(NotFound):
        match("/<uuid:u>", "/not-a-uuid")
    assert build("/<uuid:u>", u=value) == f"/{value}"


def test_path_converter_weight_and_isolation() -> None:
    assert PathConverter.part_isolating is False
    assert UnicodeConverter.part_isolating is True
    url_map = Map([Rule("/<path:p>", endpoint="path"), Rule("/<name>", endpoint="name")])
    a = url_map.bind("h")
    assert a.match("/x") == ("name", {"name": "x"})
    assert a.match("/x/y") == ("path", {"p": "x/y"})


def test_custom_converter_part_isolating_is_inferred() -> None:
    class Words(BaseConverter):
        regex = r"[a-z]+(?:/[a-z]+)*"

    class NotSlash(BaseConverter):
        regex = r"[^/]+"

    class Explicit(BaseConverter):
        regex = r"[a-z/]+"
        part_isolating = True

    assert Words.part_isolating is False
    assert NotSlash.part_isolating is True
    assert Explicit.part_isolating is True
    url_map = Map(converters={"words": Words})
    url_map.add(Rule("/w/<words:w>/end", endpoint="w"))
    assert url_map.bind("h").match("/w/a/b/c/end") == ("w", {"w": "a/b/c"})


def test_validation_error_from_custom_converter() -> None:
    class Even(BaseConverter):
        regex = r"\d+"

        def to_python(self, value: str) -> int:
            if int(value) % 2:
                raise ValidationError()
            return int(value)

    url_map = Map(converters={"even": Even})
    url_map.add(Rule("/<even:n>", endpoint="even"))
    url_map.add(Rule("/<n>", endpoint="other"))
    a = url_map.bind("h")
    assert a.match("/4") == ("even", {"n": 4})
    assert a.match("/5") == ("other", {"n": "5"})


def test_converter_args_parsing() -> None:
    assert parse_converter_args("") == ((), {})
    assert parse_converter_args("1, 2.5, x, 'q,r', \"s\", True, None, k=False,") == (
        (1, 2.5, "x", "q,r", "s", True, None),
        {"k": False},
    )
    for bad in ["a=1, b", "x y", "(", "a=", "'unterminated"]:
        with pytest.raises(ValueError):
            parse_converter_args(bad)


# -- property tests ---------------------------------------------------------------

PROPERTY_MAP = Map(
    [
        Rule("/", endpoint="index"),
        Rule("/docs/", endpoint="docs"),
        Rule("/u/<int:id>", endpoint="user", methods=["GET"]),
        Rule("/u/<int:id>/<slug>", endpoint="slug"),
        Rule("/f/<float(signed=True):x>", endpoint="float"),
        Rule("/p/<path:rest>", endpoint="path"),
        Rule("/id/<uuid:u>", endpoint="uuid"),
        Rule("/a/<any(one, two):w>", endpoint="any"),
        Rule("/s/<string(length=3):code>.json", endpoint="code"),
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/ws", endpoint="ws", websocket=True),
    ]
)
ALLOWED = (NotFound, MethodNotAllowed, RequestRedirect, BadRequest)


@settings(max_examples=300, deadline=None)
@given(
    path=st.text(alphabet=st.sampled_from("/ab1.-_%é?#uvwxyzpfs0"), max_size=30),
    method=st.sampled_from(["GET", "POST", "HEAD", "--"]),
    websocket=st.booleans(),
)
def test_random_paths_raise_only_http_errors(path: str, method: str, websocket: bool) -> None:
    try:
        PROPERTY_MAP.match_path(path, method, websocket=websocket)
    except ALLOWED:
        pass
    try:
        PROPERTY_MAP.bind("h").match(path, method, websocket=websocket)
    except ALLOWED:
        pass


@settings(max_examples=200, deadline=None)
@given(path=st.text(max_size=40))
def test_any_unicode_path_raises_only_http_errors(path: str) -> None:
    try:
        PROPERTY_MAP.match_path("/" + path, "GET")
    except ALLOWED:
        pass


SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/"),
    min_size=1,
    max_size=20,
)


def round_trip(rule: str, values: dict[str, t.Any]) -> dict[str, t.Any]:
    """Build a URL, decode it as a server would, and match it back."""
    from urllib.parse import unquote

    url_map = Map([Rule(rule, endpoint="e")])
    url = url_map.bind("h").build("e", values)
    path, _, query = url.partition("?")
    assert not query
    return url_map.match_path(unquote(path), "GET")[1]


@settings(max_examples=150, deadline=None)
@given(value=SEGMENT)
def test_round_trip_string(value: str) -> None:
    assert round_trip("/x/<v>", {"v": value}) == {"v": value}


@settings(max_examples=150, deadline=None)
@given(
    value=st.lists(SEGMENT, min_size=1, max_size=4)
    .map("/".join)
    .filter(lambda v: not v.startswith("/"))
)
def test_round_trip_path(value: str) -> None:
    assert round_trip("/x/<path:v>", {"v": value}) == {"v": value}


@settings(max_examples=150, deadline=None)
@given(value=st.integers(min_value=0, max_value=10**30), signed=st.integers())
def test_round_trip_int(value: int, signed: int) -> None:
    assert round_trip("/x/<int:v>", {"v": value}) == {"v": value}
    assert round_trip("/x/<int(signed=True):v>", {"v": signed}) == {"v": signed}


@settings(max_examples=150, deadline=None)
@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(
        lambda f: "e" not in repr(f)
    )
)
def test_round_trip_float(value: float) -> None:
    assert round_trip("/x/<float(signed=True):v>", {"v": value}) == {"v": value}


@settings(max_examples=100, deadline=None)
@given(value=st.uuids())
def test_round_trip_uuid(value: uuid.UUID) -> None:
    assert round_trip("/x/<uuid:v>", {"v": value}) == {"v": value}


@settings(max_examples=50, deadline=None)
@given(value=st.sampled_from(["about", "help", "x y", "ä"]))
def test_round_trip_any(value: str) -> None:
    rule = '/x/<any(about, help, "x y", "ä"):v>'
    assert round_trip(rule, {"v": value}) == {"v": value}


@settings(max_examples=100, deadline=None)
@given(
    key=st.text(alphabet=string.ascii_letters, min_size=1, max_size=5),
    value=st.text(max_size=10).filter(lambda v: "\x00" not in v),
)
def test_query_args_round_trip(key: str, value: str) -> None:
    from urllib.parse import parse_qsl

    url = Map([Rule("/q", endpoint="q")]).bind("h").build("q", {key: value})
    path, _, query = url.partition("?")
    assert path == "/q"
    assert parse_qsl(query, keep_blank_values=True) == [(key, value)]
