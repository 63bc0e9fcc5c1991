from __future__ import annotations

import typing as t
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from markupsafe import Markup

from vial.json.tag import JSONTag, PassDict, TagDict, TaggedJSONSerializer


@pytest.fixture
def serializer() -> TaggedJSONSerializer:
    return TaggedJSONSerializer()


@pytest.mark.parametrize(
    "value",
    [
        {" t": (1, 2, 3)},
        {" t__": b"a"},
        {" di": " di"},
        {"x": (1, 2, 3), "y": 4},
        (1, 2, 3),
        [(1, 2, 3)],
        b"\xff",
        Markup("<html>"),
        uuid4(),
        datetime.now(tz=timezone.utc).replace(microsecond=0),
        {"a": [{"b": (b"c", {" u": "x"})}]},
        [],
        {},
        "text",
        None,
        1.5,
    ],
    ids=repr,
)
def test_round_trip(serializer: TaggedJSONSerializer, value: t.Any) -> None:
    out = serializer.loads(serializer.dumps(value))
    assert out == value
    assert type(out) is type(value)


def test_output_is_compact_json(serializer: TaggedJSONSerializer) -> None:
    assert serializer.dumps({"a": (1, b"x")}) == '{"a":{" t":[1,{" b":"eA=="}]}}'
    uid = UUID(int=255)
    assert serializer.dumps(uid) == '{" u":"000000000000000000000000000000ff"}'
    assert serializer.dumps(Markup("<b>")) == '{" m":"<b>"}'


def test_datetime_is_http_date_in_utc(serializer: TaggedJSONSerializer) -> None:
    moment = datetime(2024, 3, 1, 14, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    dumped = serializer.dumps(moment)
    assert dumped == '{" d":"Fri, 01 Mar 2024 12:00:00 GMT"}'
    loaded = serializer.loads(dumped)
    assert loaded == moment
    assert loaded.tzinfo == timezone.utc
    # A naive datetime is taken as UTC.
    assert serializer.loads(serializer.dumps(datetime(2024, 3, 1))) == datetime(
        2024, 3, 1, tzinfo=timezone.utc
    )


def test_invalid_datetime_is_value_error(serializer: TaggedJSONSerializer) -> None:
    with pytest.raises(ValueError, match="Invalid tagged datetime"):
        serializer.loads('{" d":"yesterday"}')


def test_objects_with_html_load_as_markup(serializer: TaggedJSONSerializer) -> None:
    class HTML:
        def __html__(self) -> str:
            return "<em>hi</em>"

    assert serializer.loads(serializer.dumps([HTML()])) == [Markup("<em>hi</em>")]


def test_tag_lookalike_dicts_are_escaped(serializer: TaggedJSONSerializer) -> None:
    assert serializer.dumps({" t": 1}) == '{" di":{" t__":1}}'
    # Not a registered tag, or more than one key: left alone.
    assert serializer.dumps({" x": 1}) == '{" x":1}'
    assert serializer.loads('{" x":1}') == {" x": 1}
    assert serializer.loads('{" t":[1],"a":2}') == {" t": [1], "a": 2}


def test_untag_leaves_plain_dicts(serializer: TaggedJSONSerializer) -> None:
    assert serializer.untag({"a": 1}) == {"a": 1}
    assert serializer.untag({}) == {}
    assert serializer.untag({" t": [1]}) == (1,)


def test_unknown_types_are_left_to_json(serializer: TaggedJSONSerializer) -> None:
    assert serializer.tag(1.5) == 1.5
    with pytest.raises(TypeError):
        serializer.dumps(object())


def test_duplicate_tag_is_error(serializer: TaggedJSONSerializer) -> None:
    with pytest.raises(KeyError, match="' di' is already registered"):
        serializer.register(TagDict)


def test_force_replaces_in_place(serializer: TaggedJSONSerializer) -> None:
    before = [type(tag) for tag in serializer.order]
    serializer.register(TagDict, force=True)
    assert [type(tag) for tag in serializer.order] == before
    assert serializer.tags[" di"] is serializer.order[0]
    assert serializer.dumps({" t": 1}) == '{" di":{" t__":1}}'


def test_force_with_index_moves_the_tag(serializer: TaggedJSONSerializer) -> None:
    serializer.register(TagDict, force=True, index=2)
    assert [type(tag) for tag in serializer.order][:3] == [
        PassDict,
        type(serializer.order[1]),
        TagDict,
    ]
    assert len(serializer.order) == len(TaggedJSONSerializer.default_tags)


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and other.cents == self.cents

    __hash__ = None  # type: ignore[assignment]


class TagMoney(JSONTag):
    __slots__ = ()
    key = " $"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, Money)

    def to_json(self, value: t.Any) -> t.Any:
        return value.cents

    def to_python(self, value: t.Any) -> t.Any:
        return Money(value)


def test_custom_tag(serializer: TaggedJSONSerializer) -> None:
    serializer.register(TagMoney)
    assert serializer.dumps({"price": Money(250)}) == '{"price":{" $":250}}'
    assert serializer.loads('{"price":{" $":250}}') == {"price": Money(250)}
    # Its key is now escaped in plain dicts too.
    assert serializer.loads(serializer.dumps({" $": 1})) == {" $": 1}


class TagTupleFirst(JSONTag):
    __slots__ = ()
    key = " tt"

    def check(self, value: t.Any) -> bool:
        return isinstance(value, tuple) and len(value) == 2

    def to_json(self, value: t.Any) -> t.Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: t.Any) -> t.Any:
        return ("pair", *value)


def test_index_puts_tag_first(serializer: TaggedJSONSerializer) -> None:
    serializer.register(TagTupleFirst, index=0)
    assert serializer.dumps((1, 2)) == '{" tt":[1,2]}'
    assert serializer.loads(serializer.dumps((1, 2))) == ("pair", 1, 2)
    assert serializer.loads(serializer.dumps((1, 2, 3))) == (1, 2, 3)


def test_keyless_tag_is_not_looked_up(serializer: TaggedJSONSerializer) -> None:
    class Upper(JSONTag):
        __slots__ = ()

        def check(self, value: t.Any) -> bool:
            return isinstance(value, str)

        def tag(self, value: t.Any) -> t.Any:
            return value.upper()

    serializer.register(Upper)
    serializer.register(Upper)  # no key, nothing to clash with
    assert "" not in serializer.tags
    assert serializer.dumps(["a"]) == '["A"]'


def test_base_tag_is_abstract(serializer: TaggedJSONSerializer) -> None:
    tag = JSONTag(serializer)
    for method in (tag.check, tag.to_json, tag.to_python):
        with pytest.raises(NotImplementedError):
            method(1)
