from __future__ import annotations

import os
import re
import typing as t

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vial.utils import ImportStringError, cached_property, import_string, secure_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("My cool movie.mov", "My_cool_movie.mov"),
        ("../../../etc/passwd", "etc_passwd"),
        ("i contain cool \xfcml\xe4uts.txt", "i_contain_cool_umlauts.txt"),
        ("..\\..\\windows\\system32", "windows_system32"),
        ("/absolute/path.txt", "absolute_path.txt"),
        ("C:\\Users\\x.txt", "C_Users_x.txt"),
        ("nul\0byte.txt", "nulbyte.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("lpt1.log", "_lpt1.log"),
        ("CONSOLE.txt", "CONSOLE.txt"),
        ("...", ""),
        ("漢字", ""),
        ("  spaced\tout\n.txt ", "spaced_out_.txt"),
        ("._hidden_", "hidden"),
        ("a..b", "a..b"),
    ],
)
def test_secure_filename(raw: str, expected: str) -> None:
    assert secure_filename(raw) == expected


@given(st.text())
def test_secure_filename_is_a_single_safe_name(raw: str) -> None:
    name = secure_filename(raw)
    assert name.isascii()
    assert "/" not in name and "\\" not in name and "\0" not in name
    assert name not in (".", "..")
    assert not name.startswith(".")
    assert re.fullmatch(r"[A-Za-z0-9_.-]*", name)
    assert secure_filename(name) == name  # idempotent


class Thing:
    def __init__(self) -> None:
        self.calls = 0

    @cached_property
    def value(self) -> int:
        """The docs."""
        self.calls += 1
        return 42


def test_cached_property() -> None:
    thing = Thing()
    assert thing.value == 42
    assert thing.value == 42
    assert thing.calls == 1
    thing.value = 7
    assert thing.value == 7
    del thing.value
    assert thing.value == 42
    assert thing.calls == 2
    assert isinstance(Thing.value, cached_property)
    assert Thing.value.__doc__ == "The docs."
    assert Thing.value.__name__ == "value"
    # Each instance has its own value.
    assert Thing().value == 42


def test_cached_property_explicit_name_and_slots() -> None:
    def compute(self: object) -> str:
        return "x"

    class Named:
        alias = cached_property(compute, name="stored", doc="Doc.")

    obj = Named()
    assert obj.alias == "x"
    assert obj.__dict__["stored"] == "x"
    assert Named.alias.__doc__ == "Doc."

    class Slotted:
        __slots__ = ()

        @cached_property
        def value(self) -> int:
            return 1

    with pytest.raises(TypeError, match="__dict__"):
        Slotted().value  # noqa: B018


def test_import_string() -> None:
    assert import_string("os.path") is os.path
    assert import_string("os.path:join") is os.path.join
    assert import_string("os.path.join") is os.path.join
    assert import_string(" os ") is os
    assert import_string("vial.utils.secure_filename") is secure_filename
    with pytest.raises(ImportStringError) as exc:
        import_string("os.path.nope")
    assert exc.value.import_name == "os.path.nope"
    assert isinstance(exc.value, ImportError)
    assert "os.path.nope" in str(exc.value)
    assert repr(exc.value).startswith("<ImportStringError('os.path.nope'")
    with pytest.raises(ImportStringError):
        import_string("no_such_module_hopefully")
    with pytest.raises(ImportStringError):
        import_string("no_such_pkg_hopefully.mod")
    assert import_string("os.path.nope", silent=True) is None
    assert import_string("no_such_module_hopefully", silent=True) is None


def test_import_string_module_raising_import_error(
    tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pathlib
    import sys

    pkg = pathlib.Path(tmp_path) / "vial_test_pkg_broken"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text("import no_such_module_hopefully_either\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(ImportStringError) as exc:
            import_string("vial_test_pkg_broken.bad")
        assert "no_such_module_hopefully_either" in str(exc.value)
    finally:
        for mod in [m for m in sys.modules if m.startswith("vial_test_pkg_broken")]:
            del sys.modules[mod]


def test_find_modules(tmp_path: t.Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from vial.utils import find_modules

    root = tmp_path / "fm_pkg"
    (root / "sub" / "deep").mkdir(parents=True)
    for path in ["__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py"]:
        (root / path).write_text("")
    (root / "sub" / "deep" / "__init__.py").write_text("")
    (root / "sub" / "deep" / "d.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert sorted(find_modules("fm_pkg")) == ["fm_pkg.a", "fm_pkg.b"]
    assert sorted(find_modules("fm_pkg", include_packages=True)) == [
        "fm_pkg.a",
        "fm_pkg.b",
        "fm_pkg.sub",
    ]
    assert sorted(find_modules("fm_pkg", recursive=True)) == [
        "fm_pkg.a",
        "fm_pkg.b",
        "fm_pkg.sub.c",
        "fm_pkg.sub.deep.d",
    ]
    with pytest.raises(ValueError, match="not a package"):
        list(find_modules("fm_pkg.a"))
