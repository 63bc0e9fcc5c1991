"""The instance folder and resources: instance_path, instance_relative_config, open_*_resource."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from vial import Vial
from vial.blueprints import Blueprint
from vial.scaffold import _install_prefix
from vial.testing import VialClient

APP_MODULE = "from vial import Vial\napp = Vial(__name__)\n"


@pytest.fixture
def importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path; modules imported from it are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def import_app(name: str) -> Vial:
    importlib.invalidate_caches()
    app = importlib.import_module(name).app
    assert isinstance(app, Vial)
    return app


# -- instance_path -------------------------------------------------------------------------------


def test_instance_path_beside_a_module(importable: Path) -> None:
    write(importable / "inst_module.py", APP_MODULE)
    app = import_app("inst_module")
    assert app.instance_path == str(importable / "instance")


def test_instance_path_beside_a_package(importable: Path) -> None:
    write(importable / "inst_pkg" / "__init__.py", APP_MODULE)
    app = import_app("inst_pkg")
    # Next to the package folder, not inside it.
    assert app.instance_path == str(importable / "instance")


def test_instance_path_for_a_submodule_of_a_package(importable: Path) -> None:
    write(importable / "inst_pkg2" / "__init__.py", "")
    write(importable / "inst_pkg2" / "web.py", APP_MODULE)
    app = import_app("inst_pkg2.web")
    assert app.instance_path == str(importable / "instance")
    assert app.root_path == str(importable / "inst_pkg2")


@pytest.mark.parametrize("package", [True, False])
def test_instance_path_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: bool
) -> None:
    prefix = tmp_path / "prefix"
    site = prefix / "lib" / "python3.11" / "site-packages"
    name = "installed_pkg" if package else "installed_mod"
    if package:
        write(site / name / "__init__.py", APP_MODULE)
    else:
        write(site / f"{name}.py", APP_MODULE)
    monkeypatch.syspath_prepend(str(site))
    try:
        app = import_app(name)
        assert app.instance_path == str(prefix / "var" / f"{name}-instance")
    finally:
        sys.modules.pop(name, None)


def test_instance_path_installed_in_sys_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A virtual environment: site-packages under sys.prefix gives <sys.prefix>/var/.
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    write(site / "venv_mod.py", APP_MODULE)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    try:
        app = import_app("venv_mod")
        assert app.instance_path == str(tmp_path / "venv" / "var" / "venv_mod-instance")
    finally:
        sys.modules.pop("venv_mod", None)


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("/env", "/env"),  # the prefix itself
        ("/env/lib/python3.11/site-packages", "/env"),  # under sys.prefix (a virtualenv)
        ("/envy/lib/python3.11/site-packages", "/envy"),  # a sibling that starts alike
        ("/envy/lib", None),
        ("/opt/py/Lib/site-packages", "/opt/py"),  # Windows layout
        ("/opt/odd/site-packages", "/opt/odd"),  # neither layout: the parent
        ("/home/me/project", None),  # not installed
    ],
)
def test_install_prefix_of_a_folder(
    monkeypatch: pytest.MonkeyPatch, folder: str, expected: str | None
) -> None:
    monkeypatch.setattr(sys, "prefix", "/env")
    assert _install_prefix(folder) == expected


def test_explicit_instance_path(tmp_path: Path) -> None:
    app = Vial("explicit", instance_path=str(tmp_path / "data"))
    assert app.instance_path == str(tmp_path / "data")
    with pytest.raises(ValueError, match="must be absolute"):
        Vial("relative", instance_path="data")


def test_instance_folder_is_not_created(tmp_path: Path) -> None:
    Vial("lazy", root_path=str(tmp_path), instance_path=str(tmp_path / "instance"))
    assert not (tmp_path / "instance").exists()


# -- instance_relative_config --------------------------------------------------------------------


def test_instance_relative_config(tmp_path: Path) -> None:
    root = tmp_path / "root"
    instance = tmp_path / "instance"
    write(root / "settings.cfg", "WHERE = 'root'\n")
    write(instance / "settings.cfg", "WHERE = 'instance'\nSECRET_KEY = 'from instance'\n")
    app = Vial(
        "rel", root_path=str(root), instance_path=str(instance), instance_relative_config=True
    )
    assert app.config.root_path == str(instance)
    assert app.config.from_pyfile("settings.cfg")
    assert app.config["WHERE"] == "instance"
    assert app.secret_key == "from instance"
    plain = Vial("plain", root_path=str(root), instance_path=str(instance))
    assert plain.config.root_path == str(root)
    plain.config.from_pyfile("settings.cfg")
    assert plain.config["WHERE"] == "root"
    assert plain.config.from_pyfile("missing.cfg", silent=True) is False


# -- open_instance_resource ----------------------------------------------------------------------


def test_open_instance_resource_reads_and_writes(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    app = Vial("res", root_path=str(tmp_path), instance_path=str(instance))
    with app.open_instance_resource("notes.txt", "w") as f:
        f.write("café\n")
    assert (instance / "notes.txt").read_bytes() == "café\n".encode()
    with app.open_instance_resource("notes.txt") as f:
        assert f.read() == "café\n".encode()
    with app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "café\n"
    with app.open_instance_resource("notes.txt", "a", encoding="latin-1") as f:
        f.write("é")
    assert (instance / "notes.txt").read_bytes().endswith(b"\xe9")
    with app.open_instance_resource("data.bin", "wb") as f:
        f.write(b"\x00\x01")
    assert (instance / "data.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(FileNotFoundError):
        app.open_instance_resource("missing.txt")


# -- open_resource -------------------------------------------------------------------------------


def test_open_resource(tmp_path: Path) -> None:
    write(tmp_path / "schema.sql", "CREATE TABLE t (x);\n")
    app = Vial("resources", root_path=str(tmp_path))
    with app.open_resource("schema.sql") as f:
        assert f.read() == b"CREATE TABLE t (x);\n"
    with app.open_resource("schema.sql", "rt", encoding="utf-8") as f:
        assert f.read() == "CREATE TABLE t (x);\n"
    with app.open_resource("schema.sql", "r") as f:
        assert f.read().startswith("CREATE")


@pytest.mark.parametrize("mode", ["w", "wb", "a", "r+", "x"])
def test_open_resource_is_read_only(tmp_path: Path, mode: str) -> None:
    app = Vial("resources", root_path=str(tmp_path))
    with pytest.raises(ValueError, match="only be opened for reading"):
        app.open_resource("anything.txt", mode)
    assert not (tmp_path / "anything.txt").exists()


def test_blueprint_open_resource(tmp_path: Path) -> None:
    write(tmp_path / "bp" / "data.txt", "blueprint data")
    bp = Blueprint("bp", __name__, root_path=str(tmp_path / "bp"))
    with bp.open_resource("data.txt", "r", encoding="utf-8") as f:
        assert f.read() == "blueprint data"


def test_resources_inside_requests(tmp_path: Path, interface: str) -> None:
    write(tmp_path / "greeting.txt", "hello from a resource")
    instance = tmp_path / "instance"
    app = Vial("req_res", root_path=str(tmp_path), instance_path=str(instance))

    @app.route("/resource")
    def resource() -> str:
        with app.open_resource("greeting.txt", "r", encoding="utf-8") as f:
            return f.read()

    @app.post("/counter")
    def counter() -> str:
        os.makedirs(app.instance_path, exist_ok=True)
        try:
            with app.open_instance_resource("count.txt", "r") as f:
                count = int(f.read())
        except FileNotFoundError:
            count = 0
        with app.open_instance_resource("count.txt", "w") as f:
            f.write(str(count + 1))
        return str(count + 1)

    client = VialClient(app, asgi=interface == "asgi")
    assert client.get("/resource").data == b"hello from a resource"
    assert [client.post("/counter").data for _ in range(3)] == [b"1", b"2", b"3"]
    assert (instance / "count.txt").read_text() == "3"
