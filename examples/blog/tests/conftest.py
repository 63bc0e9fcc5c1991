"""Fixtures for the blog's tests: an app on a fresh database, clients over WSGI and ASGI."""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest

from blog import create_app
from blog.db import get_db, init_db
from vial import Vial
from vial.security import generate_password_hash
from vial.testing import TestResponse, VialClient

# Cheap hashes for the fixture users; the app itself uses the default (scrypt).
_FAST_HASH = "pbkdf2:sha256:1000"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Vial]:
    """The blog with two users (``test``, ``other``) and one post by ``test``."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DATABASE": str(tmp_path / "blog.sqlite")}
    )
    with app.app_context():
        init_db()
        db = get_db()
        with db:
            db.executemany(
                "INSERT INTO user (username, password) VALUES (?, ?)",
                [
                    ("test", generate_password_hash("test", _FAST_HASH)),
                    ("other", generate_password_hash("other", _FAST_HASH)),
                ],
            )
            db.execute(
                "INSERT INTO post (title, body, author_id, created)"
                " VALUES ('test title', 'test\nbody', 1, '2024-01-01 00:00:00')"
            )
    yield app


@pytest.fixture(params=["wsgi", "asgi"])
def client(app: Vial, request: pytest.FixtureRequest) -> VialClient:
    """A test client through the WSGI interface, then through the ASGI one."""
    return app.test_client(asgi=request.param == "asgi")


def csrf_token(client: VialClient, path: str = "/auth/login") -> str:
    """The CSRF token of ``client``'s session, read from a form as a browser would."""
    match = _CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match is not None, f"no CSRF field on {path}"
    return match.group(1)


class AuthActions:
    """Log in and out as a browser does (with the form's CSRF token)."""

    def __init__(self, client: VialClient) -> None:
        self._client = client

    def login(self, username: str = "test", password: str = "test", **kw: t.Any) -> TestResponse:
        data = {"username": username, "password": password, "csrf_token": csrf_token(self._client)}
        return self._client.post("/auth/login", data=data, **kw)

    def logout(self) -> TestResponse:
        return self._client.post("/auth/logout", data={"csrf_token": csrf_token(self._client, "/")})


@pytest.fixture
def auth(client: VialClient) -> AuthActions:
    return AuthActions(client)
