"""A short run of ``scripts/soak.py``: gunicorn and uvicorn under load, no errors, flat RSS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


@pytest.mark.server
def test_short_soak_has_no_errors_and_flat_memory() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--seconds", "5", "--clients", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "OK"
    rows = {line.split()[0]: line.split() for line in lines[2:-1] if not line.startswith(" ")}
    assert set(rows) == {"gunicorn", "uvicorn"}
    for row in rows.values():
        assert int(row[1]) > 100  # requests served
        assert row[2] == "0"  # errors
