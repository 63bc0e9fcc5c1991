"""CSRF protection: every form carries a token, every POST without the right one is 400."""

from __future__ import annotations

import re

import pytest

from blog.db import get_db
from blog.urls import is_local_url, safe_next_url
from vial import Vial
from vial.testing import VialClient

from .conftest import AuthActions, csrf_token

FORMS = [
    ("/auth/register", {"username": "new", "password": "pw"}),
    ("/auth/login", {"username": "test", "password": "test"}),
    ("/auth/logout", {}),
    ("/create", {"title": "t", "body": "b"}),
    ("/1/update", {"title": "t", "body": "b"}),
    ("/1/delete", {}),
]


@pytest.mark.parametrize("path", ["/auth/register", "/auth/login", "/", "/create", "/1/update"])
def test_every_form_has_the_token(client: VialClient, auth: AuthActions, path: str) -> None:
    auth.login()
    page = client.get(path).get_data(as_text=True)
    forms = re.findall(r"<form\b.*?</form>", page, re.S)
    assert forms
    token = csrf_token(client, path)
    for form in forms:
        assert f'name="csrf_token" value="{token}"' in form


@pytest.mark.parametrize(("path", "data"), FORMS)
@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_post_without_the_right_token_is_400(
    client: VialClient,
    auth: AuthActions,
    app: Vial,
    path: str,
    data: dict[str, str],
    token: str | None,
) -> None:
    auth.login()
    form = dict(data) if token is None else {**data, "csrf_token": token}
    response = client.post(path, data=form)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    with app.app_context():
        db = get_db()
        assert db.execute("SELECT title FROM post WHERE id = 1").fetchone()[0] == "test title"
        assert db.execute("SELECT count(*) FROM user").fetchone()[0] == 2
    with client.session_transaction() as sess:
        assert sess["user_id"] == 1


def test_a_token_from_another_session_is_refused(app: Vial, auth: AuthActions) -> None:
    attacker = app.test_client()
    stolen = csrf_token(attacker)
    victim = app.test_client()
    AuthActions(victim).login()
    response = victim.post("/create", data={"title": "x", "body": "", "csrf_token": stolen})
    assert response.status_code == 400


def test_a_post_without_a_session_is_refused(app: Vial) -> None:
    client = app.test_client()
    response = client.post("/auth/login", data={"username": "test", "password": "test"})
    assert response.status_code == 400


def test_token_in_a_header(client: VialClient, auth: AuthActions) -> None:
    auth.login()
    token = csrf_token(client, "/")
    response = client.post(
        "/create", data={"title": "from js", "body": ""}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 302


def test_token_changes_on_login(client: VialClient, auth: AuthActions) -> None:
    before = csrf_token(client)
    auth.login()
    assert csrf_token(client, "/") != before


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("/", True),
        ("/create?x=1#top", True),
        ("/a/b/../c", True),
        ("", False),
        (None, False),
        ("create", False),
        ("//evil.example", False),
        ("///evil.example", False),
        ("/\\evil.example", False),
        ("/\t/evil.example", False),
        ("/\n/evil.example", False),
        ("http://evil.example/", False),
        ("https:/evil.example", False),
        ("javascript:alert(1)", False),
    ],
)
def test_is_local_url(target: str | None, local: bool) -> None:
    assert is_local_url(target) is local
    assert safe_next_url(target, "/fallback") == (target if local else "/fallback")
