"""Registering, logging in and out, login_required and the ``next`` redirect."""

from __future__ import annotations

import pytest

from blog.db import get_db
from vial import Vial, session
from vial.testing import VialClient

from .conftest import AuthActions, csrf_token


def test_register(client: VialClient, app: Vial) -> None:
    assert client.get("/auth/register").status_code == 200
    response = client.post(
        "/auth/register",
        data={"username": "a", "password": "secret", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    with app.app_context():
        row = get_db().execute("SELECT * FROM user WHERE username = 'a'").fetchone()
    assert row is not None
    assert row["password"] != "secret"
    assert row["password"].startswith("scrypt:")
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Registered. You can log in now." in page


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", "Username is required."),
        ("   ", "x", "Username is required."),
        ("a", "", "Password is required."),
        ("x" * 41, "x", "Username must be 40 characters or fewer."),
        ("test", "test", "User test is already registered."),
    ],
)
def test_register_validation(
    client: VialClient, username: str, password: str, message: str
) -> None:
    response = client.post(
        "/auth/register",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_login(client: VialClient, auth: AuthActions) -> None:
    assert client.get("/auth/login").status_code == 200
    response = auth.login()
    assert response.headers["Location"] == "/"
    with client:
        page = client.get("/").get_data(as_text=True)
        assert session["user_id"] == 1
    assert "Welcome back, test." in page
    assert "Log out" in page
    assert 'href="/1/update"' in page


@pytest.mark.parametrize(
    ("username", "password"), [("nobody", "test"), ("test", "wrong"), ("", "")]
)
def test_login_refused_with_one_message(auth: AuthActions, username: str, password: str) -> None:
    response = auth.login(username, password)
    assert response.status_code == 200
    assert "Incorrect username or password." in response.get_data(as_text=True)


def test_login_starts_a_fresh_session(client: VialClient, auth: AuthActions) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
    auth.login()
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["user_id"] == 1


def test_logout(client: VialClient, auth: AuthActions) -> None:
    auth.login()
    response = auth.logout()
    assert response.headers["Location"] == "/"
    with client:
        page = client.get("/").get_data(as_text=True)
        assert "user_id" not in session
    assert "You have been logged out." in page
    assert "Log in" in page


def test_logout_is_not_a_get(client: VialClient, auth: AuthActions) -> None:
    auth.login()
    assert client.get("/auth/logout").status_code == 405
    with client.session_transaction() as sess:
        assert sess["user_id"] == 1


@pytest.mark.parametrize("path", ["/create", "/1/update"])
def test_login_required_sends_back_after_login(
    client: VialClient, auth: AuthActions, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/auth/login?next=")
    page = client.get(location).get_data(as_text=True)
    assert f'name="next" value="{path}"' in page
    response = auth.login(query_string={"next": path})
    assert response.headers["Location"] == path
    assert client.get(path).status_code == 200


def test_login_required_keeps_the_query_string(client: VialClient, auth: AuthActions) -> None:
    response = client.get("/create?draft=1")
    assert response.headers["Location"] == "/auth/login?next=/create?draft%3D1"
    response = auth.login(query_string={"next": "/create?draft=1"})
    assert response.headers["Location"] == "/create?draft=1"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_login_never_redirects_off_site(auth: AuthActions, target: str) -> None:
    response = auth.login(query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_from_the_form_field(client: VialClient) -> None:
    data = {
        "username": "test",
        "password": "test",
        "next": "/create",
        "csrf_token": csrf_token(client),
    }
    assert client.post("/auth/login", data=data).headers["Location"] == "/create"
