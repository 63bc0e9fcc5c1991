"""Shared by the examples' tests: the project's real-server helpers (``tests/servers.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent.parent / "tests")
if _TESTS not in sys.path:
    # The examples' real-server tests start gunicorn and uvicorn with the same helpers
    # as the framework's own (``from servers import free_port, running_server``).
    sys.path.append(_TESTS)
