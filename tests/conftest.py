"""Shared fixtures: an app, and a client that runs every behavior test over WSGI and ASGI."""

from __future__ import annotations

import logging
import os
import typing as t

import pytest

from vial import Vial
from vial.globals import _cv_app, _cv_request
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


@pytest.fixture
def no_context_left() -> t.Iterator[None]:
    """After the test, no request or app context is left pushed."""
    yield
    assert _cv_request.get(None) is None
    assert _cv_app.get(None) is None


@pytest.fixture
def quiet_logger(app: Vial) -> t.Iterator[None]:
    """Keep the expected 500s' tracebacks out of the test output."""
    handler = logging.NullHandler()
    app.logger.addHandler(handler)
    propagate = app.logger.propagate
    app.logger.propagate = False
    yield
    app.logger.removeHandler(handler)
    app.logger.propagate = propagate
