"""The posts: index, create, update, delete, and who may do what."""

from __future__ import annotations

import pytest

from blog.db import get_db
from vial import Vial
from vial.testing import VialClient

from .conftest import AuthActions, csrf_token


def test_index(client: VialClient, auth: AuthActions) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Log in" in page
    assert "Register" in page
    assert "test title" in page
    assert "by test on 2024-01-01" in page
    assert "test\nbody" in page
    assert "/1/update" not in page

    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page
    assert 'href="/1/update"' in page
    assert 'href="/create"' in page


@pytest.mark.parametrize("path", ["/create", "/1/update", "/1/delete"])
def test_login_required(client: VialClient, path: str) -> None:
    response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_author_required(client: VialClient, auth: AuthActions, app: Vial) -> None:
    with app.app_context():
        db = get_db()
        with db:
            db.execute("UPDATE post SET author_id = 2 WHERE id = 1")
    auth.login()
    token = csrf_token(client, "/")
    assert client.get("/1/update").status_code == 403
    assert client.post("/1/update", data={"title": "x", "csrf_token": token}).status_code == 403
    assert client.post("/1/delete", data={"csrf_token": token}).status_code == 403
    assert 'href="/1/update"' not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert get_db().execute("SELECT title FROM post WHERE id = 1").fetchone()[0] == "test title"


@pytest.mark.parametrize("path", ["/2/update", "/2/delete"])
def test_missing_post_is_404(client: VialClient, auth: AuthActions, path: str) -> None:
    auth.login()
    assert client.post(path, data={"csrf_token": csrf_token(client, "/")}).status_code == 404


def test_create(client: VialClient, auth: AuthActions, app: Vial) -> None:
    auth.login()
    assert client.get("/create").status_code == 200
    response = client.post(
        "/create",
        data={"title": "  created  ", "body": "hello", "csrf_token": csrf_token(client, "/create")},
    )
    assert response.headers["Location"] == "/"
    with app.app_context():
        row = get_db().execute("SELECT * FROM post WHERE id = 2").fetchone()
    assert (row["title"], row["body"], row["author_id"]) == ("created", "hello", 1)
    page = client.get("/").get_data(as_text=True)
    assert "Your post is published." in page
    assert page.index("created") < page.index("test title")  # newest first


def test_update(client: VialClient, auth: AuthActions, app: Vial) -> None:
    auth.login()
    page = client.get("/1/update").get_data(as_text=True)
    assert 'value="test title"' in page
    response = client.post(
        "/1/update", data={"title": "updated", "body": "", "csrf_token": csrf_token(client, "/")}
    )
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert get_db().execute("SELECT title FROM post WHERE id = 1").fetchone()[0] == "updated"
    assert "Your post is updated." in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/create", "/1/update"])
@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Title is required."), ("x" * 201, "Title must be 200 characters or fewer.")],
)
def test_create_update_validate(
    client: VialClient, auth: AuthActions, path: str, title: str, message: str
) -> None:
    auth.login()
    response = client.post(
        path, data={"title": title, "body": "kept", "csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert ">kept</textarea>" in page


def test_delete(client: VialClient, auth: AuthActions, app: Vial) -> None:
    auth.login()
    response = client.post("/1/delete", data={"csrf_token": csrf_token(client, "/")})
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert get_db().execute("SELECT * FROM post WHERE id = 1").fetchone() is None
    page = client.get("/").get_data(as_text=True)
    assert "Your post is deleted." in page
    assert "No posts yet." in page


def test_delete_is_post_only(client: VialClient, auth: AuthActions) -> None:
    auth.login()
    assert client.get("/1/delete").status_code == 405


def test_posts_are_escaped(client: VialClient, auth: AuthActions) -> None:
    auth.login()
    client.post(
        "/create",
        data={
            "title": "<script>alert(1)</script>",
            "body": "<b>bold</b>",
            "csrf_token": csrf_token(client, "/"),
        },
    )
    page = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
