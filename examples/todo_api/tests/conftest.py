"""Fixtures for the todo API's tests: an app on a fresh database, clients over WSGI and ASGI."""

from __future__ import annotations

from pathlib import Path

import pytest

from todo_api import create_app
from vial import Vial
from vial.testing import VialClient

ALICE = {"Authorization": "Bearer alice-token"}
BOB = {"Authorization": "Bearer bob-token"}


@pytest.fixture
def app(tmp_path: Path) -> Vial:
    return create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "todo.sqlite"),
            "API_TOKENS": {"alice-token": "alice", "bob-token": "bob"},
        }
    )


@pytest.fixture(params=["wsgi", "asgi"])
def client(app: Vial, request: pytest.FixtureRequest) -> VialClient:
    """A test client through the WSGI interface, then through the ASGI one."""
    return app.test_client(asgi=request.param == "asgi")
