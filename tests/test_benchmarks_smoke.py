"""Smoke test of the benchmark harness: the vial and bare apps give correct answers through it.

Correctness only (no timing) and no peers needed: the checks are the ones ``benchmarks/run`` applies
before it times anything, reached through the harness's public ``check_framework``.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "benchmarks" / "apps"


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    # benchmarks/ is a package at the repository root, which pytest does not put on sys.path.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("benchmarks.harness")


@pytest.mark.parametrize("key", ["bare-wsgi", "bare-asgi", "vial-wsgi", "vial-asgi"])
def test_app_answers_every_endpoint_correctly(harness: ModuleType, key: str) -> None:
    results = harness.check_framework(key)
    assert [result.endpoint for result in results] == [e.name for e in harness.ENDPOINTS]
    failures = {result.endpoint: result.error for result in results if result.error is not None}
    assert failures == {}


def test_vial_app_is_the_flask_app_renamed() -> None:
    # The comparison with Flask is only fair if both apps are the same code.
    flask_code = _code(APPS / "flask_app.py").replace("flask", "vial").replace("Flask", "Vial")
    vial_code = _code(APPS / "vial_app.py")
    vial_code, _, asgi_tail = vial_code.partition("# The ASGI side")
    assert vial_code.rstrip("\n") == flask_code.rstrip("\n")
    assert "asgi_app = app.asgi" in asgi_tail


def _code(path: Path) -> str:
    """The file's text after its module docstring."""
    text = path.read_text(encoding="utf-8")
    return text[text.index('"""', 3) + 3 :]


def test_the_checks_reject_a_wrong_answer(harness: ModuleType) -> None:
    fortunes = next(e for e in harness.ENDPOINTS if e.name == "fortunes")
    unescaped = (
        b"<!DOCTYPE html><table><tr><td>11</td><td><script>alert(1)</script></td></tr></table>"
    )
    response = harness.Response(200, [("content-type", "text/html; charset=utf-8")], unescaped)
    assert harness.check_response(fortunes, response) is not None
    plaintext = next(e for e in harness.ENDPOINTS if e.name == "plaintext")
    wrong_type = harness.Response(200, [("content-type", "text/html")], b"Hello, World!")
    assert "Content-Type" in harness.check_response(plaintext, wrong_type)


def test_runner_quick_mode_prints_a_table(
    harness: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = importlib.import_module("benchmarks.bench")
    assert bench.main(["--quick", "--frameworks", "bare"]) == 0
    report = capsys.readouterr().out
    assert "| `GET /fortunes` |" in report
    assert "bare WSGI" in report and "bare ASGI" in report
    assert "FAILED" not in report


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_counts_per_request(harness: ModuleType) -> None:
    instructions = importlib.import_module("benchmarks.instructions")
    framework = harness.FRAMEWORKS_BY_KEY["bare-wsgi"]
    plaintext = next(e for e in harness.ENDPOINTS if e.name == "plaintext")
    echo = next(e for e in harness.ENDPOINTS if e.name == "echo")
    small = instructions._per_request(framework, plaintext, 200)
    large = instructions._per_request(framework, echo, 200)
    # Start-up and imports cancel out: what is left is a request's share, and parsing
    # and answering a JSON body takes more than answering a constant. (Under coverage
    # the child is traced too, so there is no tight upper bound.)
    assert small > 1_000
    assert large > 2 * small
