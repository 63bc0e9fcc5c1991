"""Shared fixtures: an app, and a client that runs every behavior test over WSGI and ASGI."""

from __future__ import annotations

import os

import pytest

from vial import Vial
from vial.testing import VialClient


@pytest.fixture
def app() -> Vial:
    """A fresh app in testing mode, rooted in the tests folder."""
    app = Vial("test_app", root_path=os.path.dirname(__file__))
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


@pytest.fixture(params=["wsgi", "asgi"])
def client(app: Vial, request: pytest.FixtureRequest) -> VialClient:
    """The test client, once through the WSGI interface and once through ASGI."""
    return app.test_client(asgi=request.param == "asgi")


@pytest.fixture(params=["wsgi", "asgi"])
def interface(request: pytest.FixtureRequest) -> str:
    """The interface name, for tests that build their own app and client."""
    return str(request.param)
