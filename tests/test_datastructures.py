from __future__ import annotations

import copy
import io
import pickle
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vial.datastructures import (
    CombinedMultiDict,
    EnvironHeaders,
    FileStorage,
    Headers,
    HeaderSet,
    ImmutableDict,
    ImmutableList,
    ImmutableMultiDict,
    ImmutableTypeConversionDict,
    MultiDict,
    TypeConversionDict,
    iter_multi_items,
)
from vial.exceptions import BadRequest, BadRequestKeyError

# -- MultiDict ----------------------------------------------------------------


def test_multidict_construction() -> None:
    assert MultiDict([("a", 1), ("b", 2), ("a", 3)]).getlist("a") == [1, 3]
    md = MultiDict({"a": [1, 2], "b": 3, "empty": []})
    assert md.getlist("a") == [1, 2]
    assert md["b"] == 3
    assert "empty" not in md
    assert MultiDict({"t": (1, 2)}).getlist("t") == [1, 2]
    again = MultiDict(md)
    again.add("a", 9)
    assert md.getlist("a") == [1, 2]
    assert MultiDict() == {}
    assert not MultiDict()


def test_multidict_getitem_and_missing() -> None:
    md = MultiDict([("a", "1"), ("a", "2")])
    assert md["a"] == "1"
    with pytest.raises(BadRequestKeyError) as exc:
        md["missing"]
    assert isinstance(exc.value, KeyError)
    assert isinstance(exc.value, BadRequest)
    assert exc.value.code == 400


def test_multidict_get_with_type() -> None:
    md = MultiDict([("n", "3"), ("x", "abc"), ("n", "4")])
    assert md.get("n") == "3"
    assert md.get("n", type=int) == 3
    assert md.get("x", type=int) is None
    assert md.get("x", -1, type=int) == -1
    assert md.get("missing", "d") == "d"
    assert md.getlist("n", type=int) == [3, 4]
    assert MultiDict([("v", "1"), ("v", "a"), ("v", None)]).getlist("v", type=int) == [1]
    assert md.getlist("missing") == []
    lst = md.getlist("n")
    lst.append("x")
    assert md.getlist("n") == ["3", "4"]


def test_multidict_setters() -> None:
    md: MultiDict[str, object] = MultiDict()
    md["a"] = 1
    md["a"] = 2
    assert md.getlist("a") == [2]
    md.add("a", 3)
    assert md.getlist("a") == [2, 3]
    md.setlist("b", iter([4, 5]))
    assert md.getlist("b") == [4, 5]
    md.setlist("b", [])
    assert "b" not in md
    assert md.setdefault("a", 99) == 2
    assert md.setdefault("c", 7) == 7
    assert md["c"] == 7
    lst = md.setlistdefault("d", [1])
    lst.append(2)
    assert md.getlist("d") == [1, 2]
    assert md.setlistdefault("d") == [1, 2]
    assert md.setlistdefault("e") == []


def test_multidict_views() -> None:
    md = MultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert list(md) == ["a", "b"]
    assert list(md.keys()) == ["a", "b"]
    assert len(md) == 2
    assert list(md.items()) == [("a", 1), ("b", 2)]
    assert list(md.items(multi=True)) == [("a", 1), ("a", 3), ("b", 2)]
    assert list(md.values()) == [1, 2]
    assert list(md.listvalues()) == [[1, 3], [2]]
    assert list(md.lists()) == [("a", [1, 3]), ("b", [2])]
    assert md.to_dict() == {"a": 1, "b": 2}
    assert md.to_dict(flat=False) == {"a": [1, 3], "b": [2]}
    assert repr(md) == "MultiDict([('a', 1), ('a', 3), ('b', 2)])"


def test_multidict_update_adds() -> None:
    md = MultiDict({"a": 1})
    md.update({"a": 2, "b": [3, 4]})
    md.update(MultiDict([("c", 5)]), d=6)
    md.update([("e", 7)])
    assert md.getlist("a") == [1, 2]
    assert md.getlist("b") == [3, 4]
    assert md["c"] == 5 and md["d"] == 6 and md["e"] == 7
    merged = md | {"a": 9}
    assert merged.getlist("a") == [1, 2, 9]
    assert md.getlist("a") == [1, 2]
    md |= {"z": 0}
    assert md["z"] == 0
    assert md.__or__(1) is NotImplemented
    assert md.__ior__(1) is NotImplemented


def test_multidict_pop() -> None:
    md = MultiDict([("a", 1), ("a", 2), ("b", 3)])
    assert md.pop("a") == 1
    assert "a" not in md
    assert md.pop("a", "d") == "d"
    with pytest.raises(BadRequestKeyError):
        md.pop("a")
    assert md.popitem() == ("b", 3)
    with pytest.raises(BadRequestKeyError):
        md.popitem()
    md = MultiDict([("a", 1), ("a", 2), ("b", 3)])
    assert md.poplist("a") == [1, 2]
    assert md.poplist("a") == []
    assert md.popitemlist() == ("b", [3])
    with pytest.raises(BadRequestKeyError):
        md.popitemlist()
    md = MultiDict()
    md.setlistdefault("empty", [])
    with pytest.raises(BadRequestKeyError):  # not IndexError: there is no first value
        md.popitem()


def test_multidict_copies_and_pickle() -> None:
    md = MultiDict([("a", [1]), ("a", [2])])
    shallow = md.copy()
    shallow.add("a", [3])
    assert md.getlist("a") == [[1], [2]]
    assert copy.copy(md).getlist("a")[0] is md.getlist("a")[0]
    deep = copy.deepcopy(md)
    assert deep.getlist("a") == [[1], [2]]
    assert deep.getlist("a")[0] is not md.getlist("a")[0]
    assert md.deepcopy() == md
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        loaded = pickle.loads(pickle.dumps(md, proto))
        assert type(loaded) is MultiDict
        assert loaded.getlist("a") == [[1], [2]]


def test_multidict_fromkeys() -> None:
    md = MultiDict.fromkeys(["a", "b", "a"], "x")
    assert list(md.items(multi=True)) == [("a", "x"), ("b", "x")]
    assert type(ImmutableMultiDict.fromkeys(["a"])) is ImmutableMultiDict


def test_iter_multi_items() -> None:
    assert list(iter_multi_items({"a": [1, 2], "b": 3})) == [("a", 1), ("a", 2), ("b", 3)]
    assert list(iter_multi_items([("a", 1)])) == [("a", 1)]
    assert list(iter_multi_items(MultiDict([("a", 1), ("a", 2)]))) == [("a", 1), ("a", 2)]


def test_immutable_multidict() -> None:
    md = ImmutableMultiDict([("a", 1), ("a", 2)])
    for call in (
        lambda: md.__setitem__("a", 1),
        lambda: md.__delitem__("a"),
        lambda: md.add("a", 1),
        lambda: md.setlist("a", [1]),
        lambda: md.setdefault("a", 1),
        lambda: md.setlistdefault("a"),
        lambda: md.update({"a": 1}),
        lambda: md.pop("a"),
        lambda: md.popitem(),
        lambda: md.poplist("a"),
        lambda: md.popitemlist(),
        lambda: md.clear(),
        lambda: md.__ior__({}),
    ):
        with pytest.raises(TypeError):
            call()
    assert md.getlist("a") == [1, 2]
    assert hash(md) == hash(ImmutableMultiDict([("a", 1), ("a", 2)]))
    assert {md: 1}[ImmutableMultiDict([("a", 1), ("a", 2)])] == 1
    mutable = md.copy()
    assert type(mutable) is MultiDict
    mutable.add("a", 3)
    assert md.getlist("a") == [1, 2]
    assert copy.copy(md) is md
    loaded = pickle.loads(pickle.dumps(md))
    assert type(loaded) is ImmutableMultiDict and loaded.getlist("a") == [1, 2]


def test_combined_multidict() -> None:
    first = MultiDict([("a", "1"), ("b", "x")])
    second = MultiDict([("a", "2"), ("c", "3")])
    cmd = CombinedMultiDict([first, second])
    assert cmd["a"] == "1"
    assert cmd.getlist("a") == ["1", "2"]
    assert cmd.getlist("a", type=int) == [1, 2]
    assert cmd.get("b", type=int) is None
    assert cmd.get("c", type=int) == 3
    assert cmd.get("c") == "3"
    assert cmd.get("zz", 0) == 0
    with pytest.raises(BadRequestKeyError):
        cmd["zz"]
    assert list(cmd) == ["a", "b", "c"]
    assert list(cmd.keys()) == ["a", "b", "c"]
    assert len(cmd) == 3
    assert "c" in cmd and "zz" not in cmd
    assert list(cmd.items()) == [("a", "1"), ("b", "x"), ("c", "3")]
    assert list(cmd.items(multi=True)) == [("a", "1"), ("a", "2"), ("b", "x"), ("c", "3")]
    assert list(cmd.values()) == ["1", "x", "3"]
    assert list(cmd.listvalues()) == [["1", "2"], ["x"], ["3"]]
    assert cmd.to_dict() == {"a": "1", "b": "x", "c": "3"}
    assert cmd.to_dict(flat=False)["a"] == ["1", "2"]
    copied = cmd.copy()
    assert type(copied) is MultiDict and copied.getlist("a") == ["1", "2"]
    assert copy.copy(cmd) is cmd
    assert cmd == MultiDict([("a", "1"), ("a", "2"), ("b", "x"), ("c", "3")])
    assert cmd != MultiDict()
    assert (cmd == 1) is False
    assert hash(cmd) == hash(CombinedMultiDict([first, second]))
    second.add("d", "4")  # a view, not a copy
    assert cmd["d"] == "4"
    with pytest.raises(TypeError):
        cmd["a"] = "z"
    with pytest.raises(TypeError):
        cmd.add("a", "z")
    with pytest.raises(TypeError):
        CombinedMultiDict.fromkeys(["a"])
    assert repr(cmd).startswith("CombinedMultiDict([MultiDict(")
    loaded = pickle.loads(pickle.dumps(cmd))
    assert loaded.getlist("a") == ["1", "2"]
    assert not CombinedMultiDict()


def test_type_conversion_dict() -> None:
    d = TypeConversionDict(page="3", size="big")
    assert d.get("page", type=int) == 3
    assert d.get("size", 10, type=int) == 10
    assert d.get("missing", 1) == 1
    assert d.get("size") == "big"
    imm = ImmutableTypeConversionDict(a="1")
    assert imm.get("a", type=int) == 1
    with pytest.raises(TypeError):
        imm["b"] = "2"
    assert type(imm.copy()) is TypeConversionDict
    assert copy.copy(imm) is imm


def test_immutable_dict_and_list() -> None:
    d = ImmutableDict(a=1)
    for call in (
        lambda: d.__setitem__("a", 2),
        lambda: d.__delitem__("a"),
        lambda: d.update(b=1),
        lambda: d.setdefault("b", 1),
        lambda: d.pop("a"),
        lambda: d.popitem(),
        lambda: d.clear(),
    ):
        with pytest.raises(TypeError):
            call()
    assert hash(d) == hash(ImmutableDict(a=1))
    assert d.copy() == {"a": 1} and type(d.copy()) is dict
    assert copy.copy(d) is d
    assert repr(d) == "ImmutableDict({'a': 1})"
    assert pickle.loads(pickle.dumps(d)) == d

    lst = ImmutableList([1, 2])
    for call in (
        lambda: lst.append(3),
        lambda: lst.extend([3]),
        lambda: lst.insert(0, 3),
        lambda: lst.remove(1),
        lambda: lst.pop(),
        lambda: lst.reverse(),
        lambda: lst.sort(),
        lambda: lst.clear(),
        lambda: lst.__setitem__(0, 3),
        lambda: lst.__delitem__(0),
        lambda: lst.__iadd__([3]),
        lambda: lst.__imul__(2),
    ):
        with pytest.raises(TypeError):
            call()
    assert lst == [1, 2]
    assert hash(lst) == hash((1, 2))
    assert repr(lst) == "ImmutableList([1, 2])"
    assert type(pickle.loads(pickle.dumps(lst))) is ImmutableList


# -- Headers ------------------------------------------------------------------


def test_headers_basic_access() -> None:
    h = Headers([("Content-Type", "text/html"), ("X-Num", 3), ("x-num", "4")])
    assert h["content-type"] == "text/html"
    assert h["X-NUM"] == "3"
    assert h.get("x-num", type=int) == 3
    assert h.get("content-type", type=int) is None
    assert h.get("missing") is None
    assert h.get("missing", "d") == "d"
    assert h.getlist("X-Num") == ["3", "4"]
    assert h.getlist("X-Num", type=int) == [3, 4]
    assert h.getlist("content-type", type=int) == []
    with pytest.raises(KeyError):
        h["missing"]
    with pytest.raises(BadRequestKeyError):
        h["missing"]
    assert h[0] == ("Content-Type", "text/html")
    assert isinstance(h[1:], Headers) and len(h[1:]) == 2
    with pytest.raises(KeyError):
        h[1.5]  # type: ignore[call-overload]
    assert "CONTENT-TYPE" in h and "nope" not in h and 1 not in h
    assert list(h) == [("Content-Type", "text/html"), ("X-Num", "3"), ("x-num", "4")]
    assert len(h) == 3
    assert list(h.keys()) == ["Content-Type", "X-Num", "x-num"]
    assert list(h.keys(lower=True)) == ["content-type", "x-num", "x-num"]
    assert list(h.values()) == ["text/html", "3", "4"]
    assert next(iter(h.items(lower=True))) == ("content-type", "text/html")
    assert next(iter(h.items())) == ("Content-Type", "text/html")


def test_headers_construction_sources() -> None:
    assert Headers({"A": ["1", "2"], "B": "3"}).getlist("a") == ["1", "2"]
    assert Headers(MultiDict([("A", "1"), ("A", "2")])).getlist("a") == ["1", "2"]
    original = Headers([("A", "1")])
    copied = Headers(original)
    copied.add("A", "2")
    assert original.getlist("A") == ["1"]
    assert Headers(EnvironHeaders({"HTTP_X": "y"}))["x"] == "y"
    assert Headers(None) == Headers()


def test_headers_add_with_params() -> None:
    h = Headers()
    h.add("Content-Type", "text/plain", charset="utf-8")
    h.add("Content-Disposition", "attachment", filename="a b.txt", size=None)
    h.add_header("X-Thing", "v", some_key="tok")
    h.add("Content-Disposition", "inline", filename="résumé.pdf")
    h.add("X-Star", "v", title_="x")
    h.add("X-Ext", "v", **{"filename*": "UTF-8''a"})
    h.add("X-Quote", "v", q='a"b\\c')
    assert h.getlist("content-type") == ["text/plain; charset=utf-8"]
    assert h.getlist("content-disposition") == [
        'attachment; filename="a b.txt"',
        "inline; filename=resume.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
    ]
    assert h["x-thing"] == "v; some-key=tok"
    assert h["x-star"] == "v; title-=x"
    assert h["x-ext"] == "v; filename*=UTF-8''a"
    assert h["x-quote"] == 'v; q="a\\"b\\\\c"'


def test_headers_set_and_friends() -> None:
    h = Headers([("A", "1"), ("B", "x"), ("a", "2"), ("C", "y"), ("A", "3")])
    h.set("a", "new")
    assert list(h) == [("a", "new"), ("B", "x"), ("C", "y")]
    h.set("D", 4, q="1")
    assert h["d"] == "4; q=1"
    h["b"] = "changed"
    assert h.getlist("B") == ["changed"]
    h.setlist("E", ["1", "2"])
    assert h.getlist("e") == ["1", "2"]
    h.setlist("E", [])
    assert "E" not in h
    assert h.setdefault("C", "ignored") == "y"
    assert h.setdefault("F", 5) == "5"
    assert h.setlistdefault("G", ["1", "2"]) == ["1", "2"]
    got = h.setlistdefault("G", ["x"])
    got.append("3")
    assert h.getlist("G") == ["1", "2"]
    h[0] = ("Z", 1)
    assert h[0] == ("Z", "1")
    h[0:1] = [("Y", "2")]
    assert h[0] == ("Y", "2")
    with pytest.raises(TypeError):
        h[1.5] = "x"  # type: ignore[index]
    del h[0]
    assert "Y" not in h
    del h["g"]
    assert "G" not in h
    del h["never-there"]  # no error, as in Werkzeug
    h.remove("f")
    assert "F" not in h


def test_headers_pop() -> None:
    h = Headers([("A", "1"), ("B", "2"), ("a", "3"), ("C", "4")])
    assert h.pop("a") == "1"
    assert "A" not in h
    assert h.pop("missing", "d") == "d"
    with pytest.raises(KeyError):
        h.pop("missing")
    assert h.pop() == ("C", "4")
    assert h.pop(0) == ("B", "2")
    h.add("X", "y")
    assert h.popitem() == ("X", "y")
    assert len(h) == 0


def test_headers_extend_update() -> None:
    h = Headers([("A", "1")])
    h.extend({"A": "2", "B": ["3", "4"]}, C="5")
    h.extend([("D", "6")])
    h.extend(Headers([("E", "7")]))
    assert h.getlist("a") == ["1", "2"]
    assert h.getlist("b") == ["3", "4"]
    assert h["c"] == "5" and h["d"] == "6" and h["e"] == "7"
    h.update({"a": "x", "b": ["y", "z"]}, C="w")
    assert h.getlist("A") == ["x"]
    assert h.getlist("B") == ["y", "z"]
    assert h.getlist("C") == ["w"]
    h.update(Headers([("D", "1"), ("D", "2")]))
    assert h.getlist("D") == ["1", "2"]
    h.update(MultiDict([("E", "8")]))
    assert h.getlist("E") == ["8"]
    h.update([("F", "9"), ("F", "10")])
    assert h.getlist("F") == ["10"]
    merged = h | {"G": "1"}
    assert "G" in merged and "G" not in h
    h |= {"G": "2"}
    assert h["G"] == "2"
    assert h.__or__(1) is NotImplemented
    assert h.__ior__(1) is NotImplemented


def test_headers_eq_copy_str() -> None:
    h = Headers([("A", "1"), ("B", "2")])
    assert h == Headers([("b", "2"), ("a", "1")])
    assert h != Headers([("A", "1")])
    assert h != Headers([("A", "1"), ("B", "3")])
    assert (h == [("A", "1")]) is False
    with pytest.raises(TypeError):
        hash(h)
    c = h.copy()
    c.add("C", "3")
    assert "C" not in h
    assert copy.copy(h) == h
    assert h.to_wsgi_list() == [("A", "1"), ("B", "2")]
    assert h.to_wsgi_list() is not h._list
    assert str(h) == "A: 1\r\nB: 2\r\n\r\n"
    assert str(Headers()) == "\r\n"
    assert repr(h) == "Headers([('A', '1'), ('B', '2')])"
    h.clear()
    assert len(h) == 0 and not h


def test_headers_trusted_constructor_shares_list() -> None:
    items = [("Content-Type", "text/plain")]
    h = Headers._from_trusted(items)
    assert h._list is items
    h._list.append(("X", "y"))
    assert h["x"] == "y"


def test_headers_reject_bytes_and_bad_names() -> None:
    h = Headers()
    with pytest.raises(TypeError):
        h.add("A", b"bytes")
    with pytest.raises(TypeError):
        h.add(1, "x")  # type: ignore[arg-type]


BAD = ["\r", "\n", "\0"]


@pytest.mark.parametrize("bad", BAD)
def test_headers_reject_injection_everywhere(bad: str) -> None:
    value = f"ok{bad}Set-Cookie: evil=1"
    name = f"X{bad}Y"
    h = Headers([("A", "1")])
    for call in (
        lambda: h.add("X", value),
        lambda: h.add(name, "v"),
        lambda: h.add("X", "v", filename=value),
        lambda: h.add_header("X", value),
        lambda: h.set("X", value),
        lambda: h.set("A", value),
        lambda: h.setlist("X", ["ok", value]),
        lambda: h.setdefault("X", value),
        lambda: h.setlistdefault("X", [value]),
        lambda: h.__setitem__("X", value),
        lambda: h.__setitem__(0, ("X", value)),
        lambda: h.__setitem__(slice(0, 1), [("X", value)]),
        lambda: h.extend({"X": value}),
        lambda: h.extend([(name, "v")]),
        lambda: h.extend(X=value),
        lambda: h.update({"X": value}),
        lambda: h.update([("A", value)]),
        lambda: Headers([("X", value)]),
        lambda: Headers({name: "v"}),
        lambda: HeaderSet(["a", value]),
    ):
        with pytest.raises(ValueError):
            call()
    assert all(bad not in k and bad not in v for k, v in h)


@given(st.text(), st.text())
def test_headers_reject_control_chars_property(name: str, value: str) -> None:
    h = Headers()
    unsafe = any(c in name + value for c in "\r\n\0")
    if unsafe:
        with pytest.raises(ValueError):
            h.add(name, value)
        with pytest.raises(ValueError):
            h.set(name, value)
        assert len(h) == 0
    else:
        h.add(name, value)
        h.set(name, value)
        assert h.getlist(name) == [value]


# -- EnvironHeaders -----------------------------------------------------------

ENVIRON = {
    "HTTP_HOST": "example.com",
    "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    "HTTP_X_EMPTY": "",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "",
    "HTTP_CONTENT_TYPE": "ignored",
    "REQUEST_METHOD": "GET",
    "wsgi.input": None,
}


def test_environ_headers_read() -> None:
    environ = dict(ENVIRON)
    h = EnvironHeaders(environ)
    assert h["host"] == "example.com"
    assert h["X-Forwarded-For"] == "1.2.3.4"
    assert h["content-type"] == "application/json"
    assert h["X-Empty"] == ""
    assert h.get("content-length") is None
    assert "Content-Length" not in h
    assert "content-type" in h and 1 not in h
    with pytest.raises(BadRequestKeyError):
        h["missing"]
    with pytest.raises(KeyError):
        h[0]
    assert list(h) == [
        ("Host", "example.com"),
        ("X-Forwarded-For", "1.2.3.4"),
        ("X-Empty", ""),
        ("Content-Type", "application/json"),
    ]
    assert len(h) == 4
    assert next(iter(h.keys(lower=True))) == "host"
    assert h.getlist("HOST") == ["example.com"]
    assert h.get("host", type=len) == 11
    assert h.to_wsgi_list()[0] == ("Host", "example.com")
    assert h == Headers(list(h))
    assert (h == 1) is False
    assert repr(h).startswith("EnvironHeaders([('Host'")
    # A live view: no copy of the environ.
    environ["HTTP_X_LATE"] = "yes"
    assert h["x-late"] == "yes"
    assert h.environ is environ


def test_environ_headers_read_only() -> None:
    h = EnvironHeaders(dict(ENVIRON))
    for call in (
        lambda: h.add("A", "1"),
        lambda: h.set("A", "1"),
        lambda: h.setlist("A", ["1"]),
        lambda: h.extend({"A": "1"}),
        lambda: h.update({"A": "1"}),
        lambda: h.remove("host"),
        lambda: h.pop("host"),
        lambda: h.popitem(),
        lambda: h.clear(),
        lambda: h.__setitem__("A", "1"),
        lambda: h.__delitem__("host"),
        lambda: h.setdefault("A", "1"),
    ):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        h._list = []
    with pytest.raises(TypeError):
        hash(h)
    copied = h.copy()
    assert type(copied) is Headers
    copied.add("A", "1")
    assert copied["host"] == "example.com"


# -- HeaderSet ----------------------------------------------------------------


def test_header_set() -> None:
    calls: list[HeaderSet] = []
    hs = HeaderSet(["Accept", "Cookie"], on_update=calls.append)
    assert "accept" in hs and "COOKIE" in hs and 1 not in hs
    hs.add("accept")
    assert calls == [] and len(hs) == 2
    hs.add("Origin")
    assert len(calls) == 1
    hs.update(["origin", "X-Thing"])
    assert list(hs) == ["Accept", "Cookie", "Origin", "X-Thing"]
    hs.update(["accept"])
    assert len(calls) == 2
    assert hs.find("x-thing") == 3 and hs.find("nope") == -1
    assert hs.index("COOKIE") == 1
    with pytest.raises(IndexError):
        hs.index("nope")
    hs.remove("cookie")
    with pytest.raises(KeyError):
        hs.remove("cookie")
    hs.discard("cookie")
    hs.discard("origin")
    assert hs.to_header() == "Accept, X-Thing"
    assert str(hs) == "Accept, X-Thing"
    assert hs.as_set() == {"accept", "x-thing"}
    assert hs.as_set(preserve_casing=True) == {"Accept", "X-Thing"}
    assert hs[0] == "Accept"
    hs[0] = "Vary-Me"
    assert "accept" not in hs and "vary-me" in hs
    del hs[0]
    assert list(hs) == ["X-Thing"]
    assert repr(hs) == "HeaderSet(['X-Thing'])"
    assert hs
    hs.clear()
    assert not hs and len(hs) == 0
    assert HeaderSet(["a b"]).to_header() == '"a b"'
    assert not HeaderSet()


def test_header_set_is_a_set() -> None:
    from collections.abc import MutableSet

    from vial.wrappers import Request

    hs = HeaderSet(["X-A", "X-B"])
    assert isinstance(hs, MutableSet)
    assert hs == {"X-A", "X-B"}
    assert hs != {"X-A"}
    assert hs <= {"X-A", "X-B", "X-C"}
    union = hs | {"X-C"}
    assert isinstance(union, HeaderSet)
    assert union.to_header() == "X-A, X-B, X-C"
    assert (hs - {"X-A"}).to_header() == "X-B"
    assert (hs & {"X-B", "X-Z"}).to_header() == "X-B"
    request = Request.from_values(headers={"Access-Control-Request-Headers": "X-A, X-B"})
    assert request.access_control_request_headers == {"X-A", "X-B"}


# -- FileStorage --------------------------------------------------------------


def test_file_storage_basics() -> None:
    fs = FileStorage(
        io.BytesIO(b"hello\nworld\n"),
        filename="a.txt",
        name="upload",
        content_type='Text/Plain; charset="UTF-8"; format=flowed',
        content_length=12,
    )
    assert fs
    assert fs.filename == "a.txt" and fs.name == "upload"
    assert fs.content_type == 'Text/Plain; charset="UTF-8"; format=flowed'
    assert fs.mimetype == "text/plain"
    assert fs.mimetype_params == {"charset": "UTF-8", "format": "flowed"}
    assert fs.content_length == 12
    assert fs.headers["Content-Length"] == "12"
    assert list(fs) == [b"hello\n", b"world\n"]
    fs.seek(0)
    assert fs.read(5) == b"hello"
    assert fs.tell() == 5
    assert repr(fs) == "<FileStorage: 'a.txt' ('Text/Plain; charset=\"UTF-8\"; format=flowed')>"
    with pytest.raises(AttributeError):
        fs.no_such_attribute  # noqa: B018
    fs.close()
    assert fs.stream.closed
    fs.close()  # twice is fine


def test_file_storage_defaults() -> None:
    fs = FileStorage()
    assert not fs
    assert fs.filename is None
    assert fs.read() == b""
    assert fs.content_type is None
    assert fs.mimetype == "" and fs.mimetype_params == {}
    assert fs.content_length == 0
    fs = FileStorage(headers={"Content-Length": "nope", "Content-Type": 'text/x; a; b="\\"q"'})
    assert fs.content_length == 0
    assert fs.mimetype_params == {"b": '"q'}
    headers = Headers([("Content-Length", "3")])
    assert FileStorage(headers=headers).headers is headers
    assert FileStorage(headers=headers).content_length == 3


def test_file_storage_filename_from_stream(tmp_path: object) -> None:
    named = io.BytesIO(b"x")
    named.name = "/tmp/report.pdf"  # type: ignore[attr-defined]
    assert FileStorage(named).filename == "/tmp/report.pdf"
    bnamed = io.BytesIO(b"x")
    bnamed.name = b"b.txt"  # type: ignore[attr-defined]
    assert FileStorage(bnamed).filename == "b.txt"
    stdin = io.BytesIO(b"x")
    stdin.name = "<stdin>"  # type: ignore[attr-defined]
    assert FileStorage(stdin).filename is None


def test_file_storage_save(tmp_path: pytest.TempPathFactory) -> None:
    import pathlib

    base = pathlib.Path(str(tmp_path))
    fs = FileStorage(io.BytesIO(b"data" * 10000), filename="d.bin")
    fs.save(base / "out.bin", buffer_size=1024)
    assert (base / "out.bin").read_bytes() == b"data" * 10000
    fs.seek(0)
    fs.save(str(base / "out2.bin"))
    assert (base / "out2.bin").read_bytes() == b"data" * 10000
    fs.seek(0)
    dst = io.BytesIO()
    fs.save(dst)
    assert not dst.closed
    assert dst.getvalue() == b"data" * 10000


def test_file_storage_spooled_fallthrough() -> None:
    import tempfile

    with tempfile.SpooledTemporaryFile() as spooled:
        spooled.write(b"abc")
        spooled.seek(0)
        fs = FileStorage(spooled, filename="s")  # type: ignore[arg-type]
        assert fs.read() == b"abc"
        assert fs.readable()
        with pytest.raises(AttributeError):
            fs.no_such_thing  # noqa: B018


def test_file_storage_close_swallows_errors() -> None:
    class Broken(io.BytesIO):
        def close(self) -> None:
            raise OSError("boom")

    FileStorage(Broken()).close()


def test_file_storage_copy_does_not_recurse() -> None:
    fs = FileStorage(io.BytesIO(b"x"), filename="f")
    clone = copy.copy(fs)
    assert clone.filename == "f"


# -- OrderedMultiDict (deprecated, as in Werkzeug 3.1) ----------------------------------------


def _ordered(pairs: object = None) -> t.Any:
    from vial.datastructures.ordered_multidict import OrderedMultiDict

    with pytest.warns(DeprecationWarning, match="'OrderedMultiDict' is deprecated"):
        return OrderedMultiDict(pairs)


def test_ordered_multidict_import_and_creation_warn() -> None:
    with pytest.warns(DeprecationWarning, match="Use 'MultiDict' instead") as record:
        from vial.datastructures import OrderedMultiDict
    assert record[0].filename == __file__
    with pytest.warns(DeprecationWarning, match="Use 'ImmutableMultiDict' instead"):
        from vial.datastructures import ImmutableOrderedMultiDict
    with pytest.warns(DeprecationWarning) as record:
        OrderedMultiDict([("a", "b")])
    assert record[0].filename == __file__  # points at the caller
    with pytest.warns(DeprecationWarning, match="'ImmutableOrderedMultiDict'") as record:
        ImmutableOrderedMultiDict()
    assert record[0].filename == __file__
    with pytest.warns(DeprecationWarning):
        assert isinstance(OrderedMultiDict(), MultiDict)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ordered_multidict_keeps_the_order_of_every_pair() -> None:
    d = _ordered([("a", 1), ("b", 2), ("a", 3)])
    assert list(d.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    assert list(MultiDict(d).items(multi=True)) == [("a", 1), ("a", 3), ("b", 2)]
    assert d["a"] == 1 and d.getlist("a") == [1, 3] and list(d) == ["a", "b"]
    assert list(d.values()) == [1, 2] and d.to_dict() == {"a": 1, "b": 2}
    assert repr(d) == "OrderedMultiDict([('a', 1), ('b', 2), ('a', 3)])"
    d.add("b", 4)
    d.update({"c": [5, 6]})
    assert list(d.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3), ("b", 4), ("c", 5), ("c", 6)]
    # Setting a key moves it, with its new values, to the end.
    d["a"] = 7
    d.setlist("b", [8, 9])
    assert list(d.items(multi=True)) == [("c", 5), ("c", 6), ("a", 7), ("b", 8), ("b", 9)]
    assert d.setdefault("c", 0) == 5 and d.setdefault("e", 0) == 0
    assert d.pop("c") == 5 and d.poplist("a") == [7] and d.pop("zz", None) is None
    assert d.popitem() == ("e", 0) and d.popitemlist() == ("b", [8, 9])
    assert list(d.items(multi=True)) == [] and len(d) == 0
    with pytest.raises(BadRequestKeyError):
        d.pop("a")
    with pytest.raises(BadRequestKeyError):
        del d["a"]
    with pytest.raises(BadRequestKeyError):
        d.popitem()
    with pytest.raises(TypeError, match="unsupported"):
        d.setlistdefault("a")
    d |= [("x", 1), ("y", 2), ("x", 3)]
    del d["y"]
    d.clear()
    d.add("z", 1)
    assert list(d.items(multi=True)) == [("z", 1)]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_ordered_multidict_equality_copies_and_pickling() -> None:
    d = _ordered([("a", 1), ("b", 2), ("a", 3)])
    assert d == _ordered([("a", 1), ("b", 2), ("a", 3)])
    assert d != _ordered([("a", 1), ("a", 3), ("b", 2)])
    # Against a MultiDict only the values of each key count.
    assert d == MultiDict([("b", 2), ("a", 1), ("a", 3)])
    assert d != MultiDict([("a", 1)])
    for other in (d.copy(), copy.copy(d), copy.deepcopy(d), pickle.loads(pickle.dumps(d))):
        assert type(other) is type(d)
        assert list(other.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    with pytest.raises(TypeError):
        hash(d)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_immutable_ordered_multidict() -> None:
    from vial.datastructures.ordered_multidict import (
        ImmutableOrderedMultiDict,
        OrderedMultiDict,
    )

    d = ImmutableOrderedMultiDict([("a", 1), ("b", 2), ("a", 3)])
    assert list(d.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    assert hash(d) == hash(ImmutableOrderedMultiDict([("a", 1), ("b", 2), ("a", 3)]))
    assert hash(d) != hash(ImmutableOrderedMultiDict([("a", 1), ("a", 3), ("b", 2)]))
    for change in (
        lambda: d.add("a", 1),
        lambda: d.__setitem__("a", 1),
        lambda: d.pop("a"),
        lambda: d.setlist("a", [1]),
        lambda: d.clear(),
        lambda: d.update({"a": 1}),
    ):
        with pytest.raises(TypeError):
            change()
    mutable = d.copy()
    assert type(mutable) is OrderedMultiDict
    assert list(mutable.items(multi=True)) == [("a", 1), ("b", 2), ("a", 3)]
    assert copy.copy(d) is d
    assert pickle.loads(pickle.dumps(d)) == d
