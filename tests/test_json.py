from __future__ import annotations

import dataclasses
import datetime
import decimal
import io
import json
import math
import sys
import time
import types
import typing as t
import uuid
from collections import OrderedDict, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import vial.json
from vial import Vial, jsonify, request
from vial.datastructures import ImmutableMultiDict, MultiDict
from vial.json import provider as provider_module
from vial.json.provider import (
    DefaultJSONProvider,
    JSONProvider,
    OrJSONProvider,
    default_provider_class,
)


class FakeResponse:
    def __init__(self, body: str | bytes, mimetype: str) -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.mimetype = mimetype


class FakeApp:
    """Stands in for the app: what providers use of it."""

    name = "fake"
    response_class = FakeResponse

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug


@dataclasses.dataclass
class Point:
    y: int
    x: int


class HTMLThing:
    def __html__(self) -> str:
        return "<b>thing</b>"


PROVIDERS = [DefaultJSONProvider, OrJSONProvider]


@pytest.fixture(params=PROVIDERS, ids=["default", "orjson"])
def provider_class(request: pytest.FixtureRequest) -> type[DefaultJSONProvider]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


# -- the default hook -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2024, 2, 29), '"Thu, 29 Feb 2024 00:00:00 GMT"'),
        (datetime.datetime(2024, 2, 29, 13, 5, 9), '"Thu, 29 Feb 2024 13:05:09 GMT"'),
        (
            datetime.datetime(
                2024, 2, 29, 13, 5, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
            '"Thu, 29 Feb 2024 11:05:09 GMT"',
        ),
        (decimal.Decimal("10.50"), '"10.50"'),
        (
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            '"12345678-1234-5678-1234-567812345678"',
        ),
        (Point(y=2, x=1), '{"x": 1, "y": 2}'),
        (HTMLThing(), '"<b>thing</b>"'),
        (Markup("<i>&</i>"), '"<i>&</i>"'),
    ],
)
def test_extra_types(
    provider_class: type[DefaultJSONProvider], app: FakeApp, value: t.Any, expected: str
) -> None:
    assert provider_class(app).dumps(value) == expected


@pytest.mark.parametrize("value", [object(), {1, 2}, Point, datetime.time(1, 2), 1j])
def test_unserializable_raises_type_error(
    provider_class: type[DefaultJSONProvider], app: FakeApp, value: t.Any
) -> None:
    provider = provider_class(app)
    with pytest.raises(TypeError, match=f"Object of type {type(value).__name__} is not JSON"):
        provider.dumps(value)
    with pytest.raises(TypeError, match="is not JSON serializable"):
        provider.response({"a": [value]})


def test_default_can_be_replaced(provider_class: type[DefaultJSONProvider], app: FakeApp) -> None:
    provider = provider_class(app)
    provider.default = lambda o: sorted(o)  # type: ignore[method-assign]
    assert provider.dumps({3, 1, 2}, separators=(",", ":")) == "[1,2,3]"
    assert provider.response({"s": {2, 1}}).body == b'{"s":[1,2]}\n'


def test_replaced_default_sees_enum_members(
    provider_class: type[DefaultJSONProvider], app: FakeApp
) -> None:
    # json calls default for an Enum member (Flask's apps rely on it to write
    # names, say); orjson would write the value without asking.
    import enum

    class Color(enum.Enum):
        RED = 1

    provider = provider_class(app)
    provider.default = lambda o: o.name if isinstance(o, enum.Enum) else str(o)  # type: ignore[method-assign]
    assert provider.response({"c": Color.RED}).body == b'{"c":"RED"}\n'
    assert provider.dumps([Color.RED], separators=(",", ":")) == '["RED"]'

    class Named(provider_class):  # type: ignore[valid-type,misc]
        @staticmethod
        def default(o: t.Any) -> t.Any:
            return f"enum:{o.name}"

    assert Named(app).response(Color.RED).body == b'"enum:RED"\n'


# -- dumps and response --------------------------------------------------------------


def test_dumps_sorts_keys_and_escapes_non_ascii(
    provider_class: type[DefaultJSONProvider], app: FakeApp
) -> None:
    provider = provider_class(app)
    assert (
        provider.dumps({"b": "é", "a": "\U0001f600"}) == '{"a": "\\ud83d\\ude00", "b": "\\u00e9"}'
    )
    provider.sort_keys = False
    provider.ensure_ascii = False
    assert provider.dumps({"b": "é", "a": 1}) == '{"b": "é", "a": 1}'
    assert provider.response({"b": "é", "a": "\x7f"}).body == '{"b":"é","a":"\x7f"}\n'.encode()


def test_dumps_kwargs_override(provider_class: type[DefaultJSONProvider], app: FakeApp) -> None:
    provider = provider_class(app)
    assert provider.dumps({"b": 1, "a": 2}, sort_keys=False, indent=1) == '{\n "b": 1,\n "a": 2\n}'


def test_response_compact_unless_debug(
    provider_class: type[DefaultJSONProvider], app: FakeApp
) -> None:
    provider = provider_class(app)
    rv = provider.response({"b": [1, 2], "a": None})
    assert rv.mimetype == "application/json"
    assert rv.body == b'{"a":null,"b":[1,2]}\n'
    app.debug = True
    assert provider.response({"b": [1, 2]}).body == b'{\n  "b": [\n    1,\n    2\n  ]\n}\n'


@pytest.mark.parametrize(("compact", "debug"), [(True, True), (False, False)])
def test_response_compact_setting_wins(
    provider_class: type[DefaultJSONProvider], compact: bool, debug: bool
) -> None:
    app = FakeApp(debug=debug)
    provider = provider_class(app)
    provider.compact = compact
    body = provider.response(a=1).body
    assert body == (b'{"a":1}\n' if compact else b'{\n  "a": 1\n}\n')


def test_response_mimetype(provider_class: type[DefaultJSONProvider], app: FakeApp) -> None:
    provider = provider_class(app)
    provider.mimetype = "application/vnd.api+json"
    assert provider.response([]).mimetype == "application/vnd.api+json"


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((), {}, b"null\n"),
        ((1,), {}, b"1\n"),
        (([1, 2],), {}, b"[1,2]\n"),
        ((1, "a"), {}, b'[1,"a"]\n'),
        ((), {"b": 1, "a": 2}, b'{"a":2,"b":1}\n'),
    ],
)
def test_response_arguments(
    provider_class: type[DefaultJSONProvider],
    app: FakeApp,
    args: tuple[t.Any, ...],
    kwargs: dict[str, t.Any],
    expected: bytes,
) -> None:
    assert provider_class(app).response(*args, **kwargs).body == expected


def test_response_args_and_kwargs_is_error(
    provider_class: type[DefaultJSONProvider], app: FakeApp
) -> None:
    with pytest.raises(TypeError, match="either args or kwargs"):
        provider_class(app).response(1, a=2)


def test_provider_does_not_keep_app_alive() -> None:
    provider = DefaultJSONProvider(FakeApp())
    with pytest.raises(ReferenceError):
        provider.response(1)


# -- loads -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32"])
def test_loads_bytes_detects_encoding(
    provider_class: type[DefaultJSONProvider], app: FakeApp, encoding: str
) -> None:
    doc = '{"name": "Zoë ☃ \U0001f600", "n": [1, 2.5, null]}'
    assert provider_class(app).loads(doc.encode(encoding)) == {
        "name": "Zoë ☃ \U0001f600",
        "n": [1, 2.5, None],
    }


@pytest.mark.parametrize("doc", ["", "{", "[1,]", "{'a': 1}", "nul", "\ufeff[1]", b"\xff\xfe\xff"])
def test_loads_invalid(
    provider_class: type[DefaultJSONProvider], app: FakeApp, doc: str | bytes
) -> None:
    with pytest.raises(ValueError):
        provider_class(app).loads(doc)


@pytest.mark.parametrize("as_bytes", [False, True])
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_loads_deep_nesting_is_value_error(
    provider_class: type[DefaultJSONProvider], app: FakeApp, as_bytes: bool, opener: str
) -> None:
    doc = opener * 100_000 + "1" + ("]" if opener == "[" else "}") * 100_000
    provider = provider_class(app)
    start = time.perf_counter()
    with pytest.raises(ValueError, match="nested too deeply"):
        provider.loads(doc.encode() if as_bytes else doc)
    assert time.perf_counter() - start < 1


def test_loads_kwargs(provider_class: type[DefaultJSONProvider], app: FakeApp) -> None:
    rv = provider_class(app).loads('{"a": 1.5}', parse_float=decimal.Decimal)
    assert rv == {"a": decimal.Decimal("1.5")}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("100000000000000000000000", 10**23),
        ("-9223372036854775809", -(2**63) - 1),
        ("18446744073709551616", 2**64),
        ('"\\ud800"', "\ud800"),
        ("1E400", math.inf),
        ("[-Infinity]", [-math.inf]),
    ],
)
def test_loads_beyond_strict_json(
    provider_class: type[DefaultJSONProvider], app: FakeApp, doc: str, expected: t.Any
) -> None:
    rv = provider_class(app).loads(doc)
    assert rv == expected
    assert type(rv) is type(expected)


def test_load_and_dump_files(provider_class: type[DefaultJSONProvider], app: FakeApp) -> None:
    provider = provider_class(app)
    out = io.StringIO()
    provider.dump({"b": 1, "a": (1, 2)}, out)
    assert out.getvalue() == '{"a": [1, 2], "b": 1}'
    assert provider.load(io.StringIO(out.getvalue())) == {"a": [1, 2], "b": 1}
    assert provider.load(io.BytesIO(b"[true]")) == [True]


# -- the base class -----------------------------------------------------------------


class ReprProvider(JSONProvider):
    """A provider on another "library", to check what the base class builds on it."""

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        return repr(obj)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        return f"loaded {s!r}"


def test_base_class_needs_dumps_and_loads(app: FakeApp) -> None:
    provider = JSONProvider(app)
    with pytest.raises(NotImplementedError):
        provider.dumps(1)
    with pytest.raises(NotImplementedError):
        provider.loads("1")


def test_base_class_builds_on_dumps_and_loads(app: FakeApp) -> None:
    provider = ReprProvider(app)
    out = io.StringIO()
    provider.dump((1,), out)
    assert out.getvalue() == "(1,)"
    assert provider.load(io.StringIO("x")) == "loaded 'x'"
    rv = provider.response(1, 2)
    assert (rv.body, rv.mimetype) == (b"(1, 2)", "application/json")
    assert provider.response(a=1).body == b"{'a': 1}"


# -- OrJSONProvider is DefaultJSONProvider, faster ------------------------------------


class Color(str):
    pass


class Count(int):
    pass


class Ratio(float):
    pass


SAME_OUTPUT_VALUES: list[t.Any] = [
    None,
    True,
    0,
    -1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63),
    -(2**63) - 1,
    10**30,
    0.0,
    -0.0,
    1.5,
    0.1,
    1e16,
    1e15,
    1.5e-7,
    0.00001,
    0.0001,
    5e-324,
    1.7976931348623157e308,
    math.nan,
    math.inf,
    -math.inf,
    "",
    "plain",
    "\x00\x1f\x7f\x80\xff",
    "del \x7f",
    'quote " backslash \\ slash /',
    "é€\U0001f600",
    "\ud800 lone surrogate",
    "null",
    "1e5",
    "0.00001",
    [],
    {},
    [[[]]],
    {"z": {"y": [1, {"x": None}]}, "a": ()},
    {"é": 1, "e": 2, "\U0001f600": 3, "\uffff": 4},
    {1: "int key"},
    {"a": 1, 2: "mixed keys"},
    {None: 1, True: 2, 1.5: 3},
    (1, "tuple"),
    Color("red"),
    Count(7),
    Ratio(0.5),
    True,
    [datetime.date(2000, 1, 1), datetime.datetime(1999, 12, 31, 23, 59, 59)],
    {"when": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},
    [decimal.Decimal("1e-10"), uuid.UUID(int=1), Point(1, 2), Markup("<x>"), HTMLThing()],
    {"p": Point(y=[Point(1, 2)], x={"k": 1.5})},  # type: ignore[arg-type]
    # A None beside what orjson also writes as null (json: NaN, Infinity), or beside
    # values that do not read back as themselves (a tuple, a type through default).
    [None, math.nan],
    {"a": None, "b": [1.5, -math.inf]},
    {"a": None, "b": {"c": math.inf}},
    [None, (1, 2)],
    [None, uuid.UUID(int=3), decimal.Decimal("2.5")],
    [None, Ratio(math.nan)],
    {"null": "null", "none": None, "s": "é"},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    # Deeper than orjson goes, not as deep as json does.
    json.loads("[" * 300 + "]" * 300),
]


def _both(app: FakeApp) -> tuple[DefaultJSONProvider, OrJSONProvider]:
    return DefaultJSONProvider(app), OrJSONProvider(app)


def _result(fn: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
    try:
        rv = fn(*args, **kwargs)
    except Exception as e:
        return type(e), str(e)
    return rv.body if isinstance(rv, FakeResponse) else rv


def _assert_same_output(value: t.Any, app: FakeApp) -> None:
    default, fast = _both(app)
    for ensure_ascii in (True, False):
        for sort_keys in (True, False):
            default.ensure_ascii = fast.ensure_ascii = ensure_ascii
            default.sort_keys = fast.sort_keys = sort_keys
            for debug in (False, True):
                app.debug = debug
                assert _result(fast.response, value) == _result(default.response, value)
            assert _result(fast.dumps, value) == _result(default.dumps, value)
            compact = (",", ":")
            assert _result(fast.dumps, value, separators=compact) == _result(
                default.dumps, value, separators=compact
            )


@pytest.mark.parametrize("value", SAME_OUTPUT_VALUES, ids=lambda v: repr(v)[:40])
def test_orjson_provider_same_output(value: t.Any) -> None:
    _assert_same_output(value, FakeApp())


def test_orjson_provider_same_errors() -> None:
    circular: dict[str, t.Any] = {}
    circular["self"] = circular
    for value in [circular, {(1, 2): 3}, {"a": object()}, datetime.time()]:
        _assert_same_output(value, FakeApp())


class RaisesOnCompare(dict):  # type: ignore[type-arg]
    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no comparing")

    __hash__ = None  # type: ignore[assignment]


def test_orjson_provider_null_with_a_failing_comparison() -> None:
    # Telling a None's null from a NaN's compares the value with its reading back; a
    # comparison that raises leaves the answer to json, not to an error.
    value = RaisesOnCompare(a=None, b=1)
    _assert_same_output(value, FakeApp())
    assert OrJSONProvider(FakeApp()).dumps(value, separators=(",", ":")) == '{"a":null,"b":1}'


def test_orjson_provider_writes_dict_subclasses_from_their_items() -> None:
    # json writes a dict subclass from items(): a MultiDict's first values, an
    # OrderedDict's own order. orjson would write the dict's storage (MultiDict's lists,
    # the order before move_to_end()), so subclasses go to json.
    pytest.importorskip("orjson")
    ordered = OrderedDict(a=1, b=2)
    ordered.move_to_end("a")
    counts: defaultdict[str, int] = defaultdict(int, z=1, y=2)
    for value in [
        MultiDict([("a", "1"), ("a", "2"), ("b", "3")]),
        {"n": None, "q": ImmutableMultiDict([("a", "1")])},
        ordered,
        [counts, None],
    ]:
        _assert_same_output(value, FakeApp())


def test_view_returning_request_args_answers_as_flask() -> None:
    app = Vial(__name__)

    @app.get("/args")
    def args() -> t.Any:
        return request.args

    @app.post("/form")
    def form() -> t.Any:
        return jsonify(form=request.form)

    for asgi in (False, True):
        client = app.test_client(asgi=asgi)
        assert client.get("/args?x=1&x=2").get_data() == b'{"x":"1"}\n'
        assert client.post("/form", data={"f": "2"}).get_json() == {"form": {"f": "2"}}


class LooseDict(dict):  # type: ignore[type-arg]
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


class LooseList(list):  # type: ignore[type-arg]
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass(eq=False)
class LoosePoint:
    x: float

    def __eq__(self, other: object) -> bool:
        return True


def test_orjson_provider_null_is_not_trusted_to_an_apps_eq() -> None:
    # A null next to a NaN (which json writes as NaN) must not pass for a None because a
    # value of the app's own type says it equals anything.
    for value in [
        LooseDict(a=math.nan),
        [LooseDict(a=math.nan), None],
        LooseList([math.inf, None]),
        [LoosePoint(math.nan), None],
    ]:
        _assert_same_output(value, FakeApp())


def test_orjson_provider_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_module, "_orjson", None)
    assert default_provider_class() is DefaultJSONProvider
    for value in SAME_OUTPUT_VALUES[:40]:
        _assert_same_output(value, FakeApp())
    app = FakeApp()
    provider = OrJSONProvider(app)
    assert provider.loads(b'{"a": [1]}') == {"a": [1]}
    assert provider.response({"b": 1}).body == b'{"b":1}\n'


def test_default_provider_class_prefers_orjson() -> None:
    pytest.importorskip("orjson")
    assert default_provider_class() is OrJSONProvider


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(exclude_categories=())),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_orjson_provider_same_output_property(value: t.Any) -> None:
    _assert_same_output(value, FakeApp())


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([{}, {"ensure_ascii": False}, {"indent": 1}]))
def test_orjson_provider_same_loads_property(value: t.Any, options: dict[str, t.Any]) -> None:
    doc = json.dumps(value, **options)
    default, fast = _both(FakeApp())
    for form in (doc, doc.encode("utf-8", "surrogatepass")):
        expected = _result(default.loads, form)
        got = _result(fast.loads, form)
        assert repr(got) == repr(expected)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30) | st.binary(max_size=30))
def test_orjson_provider_same_loads_on_any_input(doc: str | bytes) -> None:
    default, fast = _both(FakeApp())
    expected = _result(default.loads, doc)
    got = _result(fast.loads, doc)
    if isinstance(expected, tuple) and isinstance(expected[0], type):
        assert isinstance(got, tuple)
        assert issubclass(got[0], ValueError)
        assert issubclass(expected[0], ValueError)
    else:
        assert repr(got) == repr(expected)


# -- the module functions, outside an app context -------------------------------------


def test_dumps_without_app() -> None:
    # Like json.dumps (keys keep their order), plus the extra types.
    assert vial.json.dumps({"b": datetime.date(2020, 1, 2), "a": "é"}) == (
        '{"b": "Thu, 02 Jan 2020 00:00:00 GMT", "a": "\\u00e9"}'
    )
    assert vial.json.dumps([1], separators=(",", ":")) == "[1]"
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        vial.json.dumps(object())


def test_dump_without_app() -> None:
    out = io.StringIO()
    vial.json.dump({"u": uuid.UUID(int=0)}, out, indent=1)
    assert out.getvalue() == '{\n "u": "00000000-0000-0000-0000-000000000000"\n}'


def test_loads_and_load_without_app() -> None:
    assert vial.json.loads('{"a": [1, 2]}') == {"a": [1, 2]}
    assert vial.json.loads('{"a": [1, 2]}'.encode("utf-16")) == {"a": [1, 2]}
    assert vial.json.load(io.StringIO("[null]")) == [None]
    assert vial.json.load(io.BytesIO(b"[1.5]"), parse_float=str) == ["1.5"]
    with pytest.raises(ValueError, match="nested too deeply"):
        vial.json.loads("[" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        vial.json.load(io.BytesIO(b"[" * 100_000))


def test_jsonify_needs_app_context() -> None:
    with pytest.raises(RuntimeError):
        vial.json.jsonify(a=1)


# -- with an app context (the real app) -----------------------------------------------


@pytest.fixture
def real_app() -> t.Any:
    app_module = pytest.importorskip("vial.app", reason="needs the app core")
    return app_module.Vial(__name__)


def test_functions_use_app_provider(real_app: t.Any) -> None:
    calls: list[str] = []

    class Recording(DefaultJSONProvider):
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            calls.append("dumps")
            return super().dumps(obj, **kwargs)

        def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
            calls.append("loads")
            return super().loads(s, **kwargs)

    real_app.json = Recording(real_app)
    with real_app.app_context():
        assert vial.json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
        out = io.StringIO()
        vial.json.dump([1], out)
        assert vial.json.loads("[1]") == [1]
        assert vial.json.load(io.StringIO("[2]")) == [2]
        rv = vial.json.jsonify(b=1, a=2)
    assert calls == ["dumps", "dumps", "loads", "loads", "dumps"]
    assert rv.mimetype == "application/json"
    assert rv.get_data() == b'{"a":2,"b":1}\n'


def test_jsonify_indents_in_debug(real_app: t.Any) -> None:
    real_app.debug = True
    with real_app.app_context():
        assert vial.json.jsonify([1]).get_data() == b"[\n  1\n]\n"


@pytest.mark.parametrize("base", PROVIDERS, ids=["default", "orjson"])
def test_response_uses_overridden_dumps(base: type[DefaultJSONProvider], app: FakeApp) -> None:
    class Shouting(base):  # type: ignore[valid-type,misc]
        def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
            return super().dumps(obj, **kwargs).upper()

    provider = Shouting(app)
    assert provider.response({"a": "b"}).body == b'{"A":"B"}\n'
    app.debug = True
    assert provider.response({"a": "b"}).body == b'{\n  "A": "B"\n}\n'


@pytest.mark.parametrize("version", ["3.9.15", "3.8.0", "unknown"])
def test_orjson_before_3_10_is_not_used(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    # orjson before 3.10 wrote 1e16 where json (and later orjson) write 1e+16; the
    # provider's checks rely on the sign, so an older orjson is left aside for json.
    orjson = pytest.importorskip("orjson")
    old_orjson = types.ModuleType("orjson")
    old_orjson.__dict__.update(orjson.__dict__)
    old_orjson.__version__ = version  # type: ignore[attr-defined]

    def dumps(*args: t.Any, **kwargs: t.Any) -> bytes:
        out: bytes = orjson.dumps(*args, **kwargs)
        return out.replace(b"e+", b"e")

    old_orjson.dumps = dumps  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "orjson", old_orjson)
    monkeypatch.setattr(provider_module, "_orjson", provider_module._NOT_LOADED)
    for value in [1e16, [1.5e300, -1e22], {"a": 12345678901234567890.0}]:
        _assert_same_output(value, FakeApp())
    assert provider_module._orjson is None


@pytest.mark.parametrize("value", SAME_OUTPUT_VALUES, ids=lambda v: repr(v)[:40])
def test_compact_response_is_json_dumps_with_compact_separators(value: t.Any) -> None:
    """The compact body (written by the C encoder directly) is what json.dumps writes."""
    app = FakeApp()
    provider = DefaultJSONProvider(app)
    for ensure_ascii in (True, False):
        for sort_keys in (True, False):
            provider.ensure_ascii = ensure_ascii
            provider.sort_keys = sort_keys

            def reference(
                obj: t.Any, ascii_only: bool = ensure_ascii, sort: bool = sort_keys
            ) -> bytes:
                text = json.dumps(
                    obj,
                    separators=(",", ":"),
                    ensure_ascii=ascii_only,
                    sort_keys=sort,
                    default=provider.default,
                )
                return (text + "\n").encode()

            assert _result(provider.response, value) == _result(reference, value)


def test_compact_response_refuses_a_value_that_contains_itself() -> None:
    circular: list[t.Any] = []
    circular.append(circular)
    app = FakeApp()
    with pytest.raises(ValueError, match="Circular reference"):
        DefaultJSONProvider(app).response(circular)
