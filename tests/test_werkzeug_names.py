"""Names Flask apps and extensions import from Flask's and Werkzeug's modules, under vial's."""

from __future__ import annotations

import os
import sys

import pytest

from vial import helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("0", False), ("false", False), ("No", False), ("1", True)],
)
def test_get_debug_flag_reads_vial_debug(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("VIAL_DEBUG", raising=False)
    else:
        monkeypatch.setenv("VIAL_DEBUG", value)
    assert helpers.get_debug_flag() is expected


def test_get_load_dotenv_reads_vial_skip_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIAL_SKIP_DOTENV", raising=False)
    assert helpers.get_load_dotenv() is True
    assert helpers.get_load_dotenv(False) is False
    monkeypatch.setenv("VIAL_SKIP_DOTENV", "1")
    assert helpers.get_load_dotenv() is False
    monkeypatch.setenv("VIAL_SKIP_DOTENV", "false")
    assert helpers.get_load_dotenv(False) is True


def test_get_root_path_is_the_folder_of_a_module() -> None:
    assert helpers.get_root_path(__name__) == os.path.dirname(os.path.abspath(__file__))
    assert helpers.get_root_path("vial") == os.path.dirname(sys.modules["vial"].__file__ or "")


def test_the_cli_uses_the_same_flags() -> None:
    from vial import cli

    assert cli.get_debug_flag is helpers.get_debug_flag
    assert cli.get_load_dotenv is helpers.get_load_dotenv
