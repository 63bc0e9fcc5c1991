from __future__ import annotations

import json
import os
import sys
import textwrap
import types
import typing as t
from pathlib import Path

import pytest

from vial import Vial
from vial.config import Config, ConfigAttribute
from vial.utils import ImportStringError


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(tmp_path)


@pytest.fixture
def settings_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> t.Iterator[str]:
    """An importable package ``vial_test_settings`` with a module and a class."""
    package = tmp_path / "vial_test_settings"
    package.mkdir()
    (package / "__init__.py").write_text("SECRET_KEY = 'pkg'\n")
    (package / "prod.py").write_text(
        textwrap.dedent(
            """
            SECRET_KEY = "prod"
            DEBUG = False
            lower = "ignored"

            class Dev:
                SECRET_KEY = "dev"
                DEBUG = True
                helper = "ignored"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "vial_test_settings"
    for name in [n for n in sys.modules if n.startswith("vial_test_settings")]:
        del sys.modules[name]


def test_is_a_dict_with_defaults(tmp_path: Path) -> None:
    config = Config(tmp_path, {"A": 1})
    assert isinstance(config, dict)
    assert config == {"A": 1}
    assert config.root_path == tmp_path
    assert Config(tmp_path) == {}


def test_repr(config: Config) -> None:
    config["X"] = 1
    assert repr(config) == "<Config {'X': 1}>"

    class Sub(Config):
        pass

    assert repr(Sub(".")) == "<Sub {}>"


# -- from_object ------------------------------------------------------------------


def test_from_object_takes_upper_case_only(config: Config) -> None:
    class Settings:
        DEBUG = True
        SECRET_KEY = "s"
        lower = 1
        Mixed = 2
        _PRIVATE_ISH = 3

    config.from_object(Settings)
    assert config == {"DEBUG": True, "SECRET_KEY": "s", "_PRIVATE_ISH": 3}


def test_from_object_module_instance_and_inheritance(config: Config) -> None:
    module = types.ModuleType("m")
    module.A = 1  # type: ignore[attr-defined]
    config.from_object(module)

    class Base:
        B = 2

    class Child(Base):
        C = 3

    config.from_object(Child())
    assert config == {"A": 1, "B": 2, "C": 3}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("vial_test_settings", "pkg"),
        ("vial_test_settings.prod", "prod"),
        ("vial_test_settings.prod.Dev", "dev"),
        ("vial_test_settings.prod:Dev", "dev"),
        ("vial_test_settings:prod.Dev", "dev"),
    ],
)
def test_from_object_import_string(
    config: Config, settings_module: str, name: str, expected: str
) -> None:
    config.from_object(name)
    assert config["SECRET_KEY"] == expected
    assert "lower" not in config
    assert "helper" not in config


@pytest.mark.parametrize(
    ("name", "cause", "message"),
    [
        ("vial_test_settings.missing", ImportError, "no attribute or submodule 'missing'"),
        ("vial_no_such_module_anywhere", ModuleNotFoundError, "vial_no_such_module_anywhere"),
        ("vial_no_such_module_anywhere.X", ModuleNotFoundError, "vial_no_such_module_anywhere"),
        ("vial_test_settings.prod:Nope", ImportError, "no attribute or submodule 'Nope'"),
        ("vial_test_settings.prod:Dev.nope", AttributeError, "nope"),
    ],
)
def test_from_object_import_errors_are_import_string_errors(
    config: Config, settings_module: str, name: str, cause: type[Exception], message: str
) -> None:
    with pytest.raises(ImportStringError, match=message) as info:
        config.from_object(name)
    assert isinstance(info.value, ImportError)
    assert info.value.import_name == name
    assert type(info.value.exception) is cause
    assert info.value.__cause__ is info.value.exception


def test_from_object_submodule_error_is_not_hidden(
    config: Config, settings_module: str, tmp_path: Path
) -> None:
    (tmp_path / "vial_test_settings" / "broken.py").write_text("import vial_no_such_dependency\n")
    with pytest.raises(ImportStringError, match="vial_no_such_dependency") as info:
        config.from_object("vial_test_settings.broken")
    assert isinstance(info.value.exception, ModuleNotFoundError)
    assert info.value.exception.name == "vial_no_such_dependency"


# -- from_pyfile and from_envvar ----------------------------------------------------


def test_from_pyfile_relative_to_root(config: Config, tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text(
        "import os\nSECRET_KEY = 'py'\nPATH = __file__\nlower = 1\nNUM = 2 * 21\n"
    )
    assert config.from_pyfile("settings.py") is True
    assert config == {"SECRET_KEY": "py", "PATH": str(tmp_path / "settings.py"), "NUM": 42}


def test_from_pyfile_absolute_and_pathlike(tmp_path: Path) -> None:
    (tmp_path / "s.cfg").write_text("A = 1\n")
    config = Config("/somewhere/else")
    assert config.from_pyfile(tmp_path / "s.cfg")
    assert config == {"A": 1}


def test_from_pyfile_missing(config: Config, tmp_path: Path) -> None:
    with pytest.raises(OSError, match="Unable to load configuration file") as exc_info:
        config.from_pyfile("missing.py")
    assert "missing.py" in str(exc_info.value)
    assert config.from_pyfile("missing.py", silent=True) is False
    assert config.from_pyfile(tmp_path, silent=True) is False  # a directory


def test_from_pyfile_errors_propagate(config: Config, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("A = 1 / 0\n")
    with pytest.raises(ZeroDivisionError):
        config.from_pyfile("bad.py", silent=True)
    (tmp_path / "syntax.py").write_text("A = (\n")
    with pytest.raises(SyntaxError):
        config.from_pyfile("syntax.py")


def test_from_pyfile_oserror_while_running_the_file(config: Config, tmp_path: Path) -> None:
    # As in Flask: a file the config file opens counts as the config file itself.
    (tmp_path / "opens.py").write_text(
        f"A = 1\nwith open({str(tmp_path / 'secret.txt')!r}) as f:\n    B = f.read()\n"
    )
    assert config.from_pyfile("opens.py", silent=True) is False
    with pytest.raises(FileNotFoundError, match="Unable to load configuration file") as exc_info:
        config.from_pyfile("opens.py")
    assert "secret.txt" in str(exc_info.value)
    assert config == {}
    (tmp_path / "secret.txt").write_text("s3")
    assert config.from_pyfile("opens.py") is True
    assert config == {"A": 1, "B": "s3"}


def test_from_envvar(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "env.py").write_text("FROM_ENV = True\n")
    monkeypatch.setenv("VIAL_TEST_SETTINGS", str(tmp_path / "env.py"))
    assert config.from_envvar("VIAL_TEST_SETTINGS") is True
    assert config == {"FROM_ENV": True}


def test_from_envvar_unset(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIAL_TEST_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'VIAL_TEST_SETTINGS' is not set") as exc_info:
        config.from_envvar("VIAL_TEST_SETTINGS")
    assert "Set this variable" in str(exc_info.value)
    assert config.from_envvar("VIAL_TEST_SETTINGS", silent=True) is False
    monkeypatch.setenv("VIAL_TEST_SETTINGS", "")
    with pytest.raises(RuntimeError):
        config.from_envvar("VIAL_TEST_SETTINGS")


def test_from_envvar_missing_file(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIAL_TEST_SETTINGS", "nope.py")
    with pytest.raises(OSError, match=r"nope\.py"):
        config.from_envvar("VIAL_TEST_SETTINGS")
    assert config.from_envvar("VIAL_TEST_SETTINGS", silent=True) is False


# -- from_prefixed_env ----------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith(("VIAL_", "APP_")):
            monkeypatch.delenv(key)
    return monkeypatch


def test_from_prefixed_env(config: Config, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VIAL_STRING", "some text")
    clean_env.setenv("VIAL_INT", "42")
    clean_env.setenv("VIAL_FLOAT", "1.5")
    clean_env.setenv("VIAL_BOOL", "true")
    clean_env.setenv("VIAL_NULL", "null")
    clean_env.setenv("VIAL_LIST", "[1, 2]")
    clean_env.setenv("VIAL_QUOTED", '"7"')
    clean_env.setenv("VIAL_lower", "1")
    clean_env.setenv("VIALNOUNDERSCORE", "1")
    clean_env.setenv("OTHER_INT", "1")
    assert config.from_prefixed_env() is True
    assert config == {
        "STRING": "some text",
        "INT": 42,
        "FLOAT": 1.5,
        "BOOL": True,
        "NULL": None,
        "LIST": [1, 2],
        "QUOTED": "7",
        "lower": 1,
    }


def test_from_prefixed_env_custom_prefix_and_loads(
    config: Config, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("APP_A", "1")
    clean_env.setenv("VIAL_B", "2")

    def loads(value: str) -> t.Any:
        return f"<{value}>"

    config.from_prefixed_env("APP", loads=loads)
    assert config == {"A": "<1>"}


def test_from_prefixed_env_nested(config: Config, clean_env: pytest.MonkeyPatch) -> None:
    config["EXIST"] = {"ok": "value", "flag": False}
    clean_env.setenv("VIAL_EXIST__ok", "other")
    clean_env.setenv("VIAL_EXIST__inner__ik", "2")
    clean_env.setenv("VIAL_EXIST__flag", "true")
    clean_env.setenv("VIAL_NEW__K", "v")
    config.from_prefixed_env()
    assert config == {
        "EXIST": {"ok": "other", "flag": True, "inner": {"ik": 2}},
        "NEW": {"K": "v"},
    }


def test_from_prefixed_env_is_sorted(config: Config, clean_env: pytest.MonkeyPatch) -> None:
    # A later, more specific variable refines an earlier one.
    clean_env.setenv("VIAL_DB__HOST", "h")
    clean_env.setenv("VIAL_DB", '{"HOST": "x", "PORT": 1}')
    config.from_prefixed_env()
    assert config == {"DB": {"HOST": "h", "PORT": 1}}


# -- from_file and from_mapping ---------------------------------------------------------


def test_from_file_json(config: Config, tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(json.dumps({"TEST_KEY": "föo", "lower": 1}), "utf-8")
    assert config.from_file("c.json", load=json.load) is True
    assert config == {"TEST_KEY": "föo"}


def test_from_file_binary(config: Config, tmp_path: Path) -> None:
    tomllib = pytest.importorskip("tomllib")

    (tmp_path / "c.toml").write_text('TEST_KEY = "toml"\n[NESTED]\nx = 1\n')
    assert config.from_file("c.toml", load=tomllib.load, text=False)
    assert config == {"TEST_KEY": "toml", "NESTED": {"x": 1}}


def test_from_file_missing(config: Config) -> None:
    with pytest.raises(OSError, match=r"Unable to load configuration file .*missing\.json"):
        config.from_file("missing.json", load=json.load)
    assert config.from_file("missing.json", load=json.load, silent=True) is False


def test_from_file_load_error_propagates(config: Config, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(json.JSONDecodeError):
        config.from_file("bad.json", load=json.load, silent=True)


def test_from_mapping(config: Config) -> None:
    assert config.from_mapping({"A": 1, "b": 2}, C=3, d=4) is True
    assert config == {"A": 1, "C": 3}
    config.from_mapping([("E", 5)], A=0)  # type: ignore[arg-type]
    assert config == {"A": 0, "C": 3, "E": 5}
    config.from_mapping()
    assert config == {"A": 0, "C": 3, "E": 5}


# -- get_namespace ------------------------------------------------------------------------


def test_get_namespace(config: Config) -> None:
    config.update(
        FOO_OPTION_1="foo option 1",
        FOO_OPTION_2="foo option 2",
        BAR_STUFF_1="bar stuff 1",
    )
    assert config.get_namespace("FOO_") == {"option_1": "foo option 1", "option_2": "foo option 2"}
    assert config.get_namespace("FOO_", lowercase=False) == {
        "OPTION_1": "foo option 1",
        "OPTION_2": "foo option 2",
    }
    assert config.get_namespace("BAR_", trim_namespace=False) == {"bar_stuff_1": "bar stuff 1"}
    assert config.get_namespace("BAR_", lowercase=False, trim_namespace=False) == {
        "BAR_STUFF_1": "bar stuff 1"
    }
    assert config.get_namespace("NOPE_") == {}


# -- ConfigAttribute ------------------------------------------------------------------------


class Holder:
    testing = ConfigAttribute[bool]("TESTING")
    timeout = ConfigAttribute("TIMEOUT", get_converter=int)

    def __init__(self) -> None:
        self.config = Config(".", {"TESTING": False, "TIMEOUT": "30"})


def test_config_attribute_forwards() -> None:
    holder = Holder()
    assert holder.testing is False
    holder.testing = True
    assert holder.config["TESTING"] is True
    assert holder.testing is True
    holder.config["TESTING"] = False
    assert holder.testing is False


def test_config_attribute_converter() -> None:
    holder = Holder()
    assert holder.timeout == 30
    holder.timeout = "45"
    assert holder.config["TIMEOUT"] == "45"
    assert holder.timeout == 45


def test_config_attribute_on_class() -> None:
    assert isinstance(Holder.testing, ConfigAttribute)
    assert Holder.__dict__["timeout"].__name__ == "TIMEOUT"


def test_config_attribute_missing_key() -> None:
    holder = Holder()
    del holder.config["TESTING"]
    with pytest.raises(KeyError):
        holder.testing  # noqa: B018


def test_debug_is_false_by_default_and_follows_vial_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Flask's DEBUG follows FLASK_DEBUG: False (not None) when the variable is unset."""
    monkeypatch.delenv("VIAL_DEBUG", raising=False)
    assert Vial(__name__).config["DEBUG"] is False
    monkeypatch.setenv("VIAL_DEBUG", "1")
    assert Vial(__name__).config["DEBUG"] is True
    monkeypatch.setenv("VIAL_DEBUG", "false")
    assert Vial(__name__).config["DEBUG"] is False
