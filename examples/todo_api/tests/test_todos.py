"""The todo API in-process: CRUD, pagination and filters, validation, tokens, ETags, errors."""

from __future__ import annotations

import sqlite3
import typing as t

import pytest

from vial import Vial
from vial.testing import TestResponse, VialClient

from .conftest import ALICE, BOB


def create(client: VialClient, headers: dict[str, str] = ALICE, **fields: t.Any) -> TestResponse:
    response = client.post("/todos", json=fields, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def assert_problem(response: TestResponse, status: int, title: str) -> dict[str, t.Any]:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body: dict[str, t.Any] = response.get_json()
    assert body["status"] == status
    assert body["title"] == title
    assert body["type"] == "about:blank"
    assert isinstance(body["detail"], str)
    return body


# -- tokens ------------------------------------------------------------------------------------


def test_index_needs_no_token(client: VialClient) -> None:
    assert client.get("/").get_json()["todos"] == "/todos"


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="todo_api"'),
        ({"Authorization": "Basic YWxpY2U6eA=="}, 'Bearer realm="todo_api"'),
        ({"Authorization": "Bearer"}, 'Bearer realm="todo_api"'),
        ({"Authorization": "Bearer nope"}, 'Bearer realm="todo_api", error="invalid_token"'),
        (
            {"Authorization": "Bearer alice-token-and-more"},
            'Bearer realm="todo_api", error="invalid_token"',
        ),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/todos"), ("POST", "/todos"), ("GET", "/todos/1")]
)
def test_401_without_a_valid_token(
    client: VialClient, headers: dict[str, str], challenge: str, method: str, path: str
) -> None:
    response = client.open(path, method=method, headers=headers, json={"title": "x"})
    assert_problem(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"] == challenge


def test_bearer_scheme_is_case_insensitive(client: VialClient) -> None:
    assert client.get("/todos", headers={"Authorization": "bearer alice-token"}).status_code == 200


def test_each_token_sees_its_own_items(client: VialClient) -> None:
    create(client, title="alice's")
    assert client.get("/todos", headers=BOB).get_json()["total"] == 0
    assert_problem(client.get("/todos/1", headers=BOB), 404, "Not Found")
    assert_problem(client.delete("/todos/1", headers=BOB), 404, "Not Found")
    assert client.get("/todos/1", headers=ALICE).status_code == 200


# -- create, read, update, delete --------------------------------------------------------------


def test_create_and_read(client: VialClient) -> None:
    response = create(client, title="  Buy milk ", notes="2 litres")
    body = response.get_json()
    assert response.headers["Location"] == "/todos/1"
    assert response.headers["ETag"] == '"1.1"'
    assert {k: body[k] for k in ("id", "title", "notes", "done", "url")} == {
        "id": 1,
        "title": "Buy milk",
        "notes": "2 litres",
        "done": False,
        "url": "/todos/1",
    }
    assert body["created"] == body["updated"]
    read = client.get("/todos/1", headers=ALICE)
    assert read.get_json() == body
    assert read.headers["ETag"] == '"1.1"'


def test_replace_with_put(client: VialClient) -> None:
    create(client, title="a", notes="old notes")
    response = client.put("/todos/1", json={"title": "b", "done": True}, headers=ALICE)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["notes"], body["done"]) == ("b", "", True)
    assert response.headers["ETag"] == '"1.2"'
    assert client.get("/todos/1", headers=ALICE).get_json() == body


def test_put_needs_every_required_field(client: VialClient) -> None:
    create(client, title="a")
    body = assert_problem(
        client.put("/todos/1", json={"notes": "x"}, headers=ALICE), 422, "Unprocessable Entity"
    )
    assert body["errors"] == {"title": "Required.", "done": "Required."}


def test_update_with_patch(client: VialClient) -> None:
    create(client, title="a", notes="keep")
    response = client.patch("/todos/1", json={"done": True}, headers=ALICE)
    body = response.get_json()
    assert (body["title"], body["notes"], body["done"]) == ("a", "keep", True)
    assert response.headers["ETag"] == '"1.2"'
    assert body["updated"] >= body["created"]


def test_empty_patch_changes_nothing(client: VialClient) -> None:
    create(client, title="a")
    response = client.patch("/todos/1", json={}, headers=ALICE)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1.1"'


def test_delete(client: VialClient) -> None:
    create(client, title="a")
    response = client.delete("/todos/1", headers=ALICE)
    assert response.status_code == 204
    assert response.data == b""
    assert_problem(client.get("/todos/1", headers=ALICE), 404, "Not Found")
    assert_problem(client.delete("/todos/1", headers=ALICE), 404, "Not Found")


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, {"title": "Required."}),
        ({"title": ""}, {"title": "Must not be empty."}),
        ({"title": "   "}, {"title": "Must not be empty."}),
        ({"title": 3}, {"title": "Must be a string."}),
        ({"title": "x" * 201}, {"title": "Must be at most 200 characters."}),
        ({"title": "a", "done": 1}, {"done": "Must be true or false."}),
        ({"title": "a", "done": "yes"}, {"done": "Must be true or false."}),
        ({"title": "a", "notes": None}, {"notes": "Must be a string."}),
        ({"title": "a", "owner": "bob"}, {"owner": "Unknown field."}),
        (
            {"title": None, "done": None, "x": 1},
            {"title": "Must be a string.", "done": "Must be true or false.", "x": "Unknown field."},
        ),
    ],
)
def test_422_with_a_message_per_field(
    client: VialClient, fields: dict[str, t.Any], errors: dict[str, str]
) -> None:
    body = assert_problem(
        client.post("/todos", json=fields, headers=ALICE), 422, "Unprocessable Entity"
    )
    assert body["errors"] == errors
    assert client.get("/todos", headers=ALICE).get_json()["total"] == 0


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_422_on_update_changes_nothing(client: VialClient, method: str) -> None:
    create(client, title="a")
    response = client.open(
        "/todos/1", method=method, json={"title": "", "done": True}, headers=ALICE
    )
    assert assert_problem(response, 422, "Unprocessable Entity")["errors"] == {
        "title": "Must not be empty."
    }
    assert client.get("/todos/1", headers=ALICE).headers["ETag"] == '"1.1"'


@pytest.mark.parametrize("body", ["[1, 2]", '"title"', "null", "3"])
def test_422_when_the_body_is_not_an_object(client: VialClient, body: str) -> None:
    response = client.post("/todos", data=body, content_type="application/json", headers=ALICE)
    assert assert_problem(response, 422, "Unprocessable Entity")["errors"] == {
        "$": "The body must be a JSON object."
    }


@pytest.mark.parametrize("body", ['{"title": ', "{'title': 'a'}", "", "\xff"])
def test_400_for_malformed_json(client: VialClient, body: str) -> None:
    response = client.post(
        "/todos", data=body.encode("latin-1"), content_type="application/json", headers=ALICE
    )
    assert_problem(response, 400, "Bad Request")


def test_415_when_the_body_is_not_json(client: VialClient) -> None:
    response = client.post("/todos", data={"title": "a"}, headers=ALICE)
    assert_problem(response, 415, "Unsupported Media Type")


# -- listing -----------------------------------------------------------------------------------


def test_pagination(client: VialClient) -> None:
    for n in range(1, 26):
        create(client, title=f"item {n}")
    first = client.get("/todos?per_page=10", headers=ALICE).get_json()
    assert [item["id"] for item in first["items"]] == list(range(1, 11))
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (25, 1, 10, 3)
    assert first["links"] == {
        "self": "/todos?page=1&per_page=10",
        "first": "/todos?page=1&per_page=10",
        "last": "/todos?page=3&per_page=10",
        "prev": None,
        "next": "/todos?page=2&per_page=10",
    }
    second = client.get(first["links"]["next"], headers=ALICE).get_json()
    assert [item["id"] for item in second["items"]] == list(range(11, 21))
    assert second["links"]["prev"] == "/todos?page=1&per_page=10"
    last = client.get(second["links"]["last"], headers=ALICE).get_json()
    assert [item["id"] for item in last["items"]] == list(range(21, 26))
    assert last["links"]["next"] is None
    beyond = client.get("/todos?page=4&per_page=10", headers=ALICE).get_json()
    assert beyond["items"] == []
    assert beyond["links"]["prev"] == "/todos?page=3&per_page=10"


def test_default_page_size(client: VialClient, app: Vial) -> None:
    for n in range(21):
        create(client, title=f"item {n}")
    body = client.get("/todos", headers=ALICE).get_json()
    assert (len(body["items"]), body["per_page"], body["pages"]) == (20, 20, 2)


def test_empty_list(client: VialClient) -> None:
    body = client.get("/todos", headers=ALICE).get_json()
    assert (body["items"], body["total"], body["pages"]) == ([], 0, 1)
    assert body["links"]["next"] is None and body["links"]["prev"] is None


def test_filters(client: VialClient) -> None:
    create(client, title="Buy milk", done=True)
    create(client, title="Call Bob", notes="about MILK prices")
    create(client, title="100% done", done=True)
    create(client, title="under_score")

    def ids(query: str) -> list[int]:
        return [
            item["id"] for item in client.get(f"/todos?{query}", headers=ALICE).get_json()["items"]
        ]

    assert ids("done=true") == [1, 3]
    assert ids("done=1") == [1, 3]
    assert ids("done=false") == [2, 4]
    assert ids("q=milk") == [1, 2]
    assert ids("q=milk&done=false") == [2]
    assert ids("q=%25") == [3]
    assert ids("q=_") == [4]
    assert ids("q=nothing") == []
    body = client.get("/todos?q=milk&done=true&per_page=1", headers=ALICE).get_json()
    assert body["links"]["self"] == "/todos?page=1&per_page=1&done=true&q=milk"


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=0", {"page": "Must be at least 1."}),
        ("page=x", {"page": "Must be a whole number."}),
        ("page=-1", {"page": "Must be a whole number."}),
        ("per_page=0", {"per_page": "Must be between 1 and 100."}),
        ("per_page=101", {"per_page": "Must be between 1 and 100."}),
        ("done=maybe", {"done": "Must be true or false."}),
        (
            "page=0&per_page=x&done=2",
            {
                "page": "Must be at least 1.",
                "per_page": "Must be a whole number.",
                "done": "Must be true or false.",
            },
        ),
    ],
)
def test_invalid_query_is_422(client: VialClient, query: str, errors: dict[str, str]) -> None:
    response = client.get(f"/todos?{query}", headers=ALICE)
    assert assert_problem(response, 422, "Unprocessable Entity")["errors"] == errors


# -- conditional requests ----------------------------------------------------------------------


def test_if_none_match_gives_304_until_the_item_changes(client: VialClient) -> None:
    etag = create(client, title="a").headers["ETag"]
    response = client.get("/todos/1", headers={**ALICE, "If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    weak = client.get("/todos/1", headers={**ALICE, "If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    client.patch("/todos/1", json={"done": True}, headers=ALICE)
    changed = client.get("/todos/1", headers={**ALICE, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("method", "json"),
    [("PUT", {"title": "b", "done": True}), ("PATCH", {"done": True}), ("DELETE", None)],
)
def test_if_match_gives_412_on_a_stale_etag(
    client: VialClient, method: str, json: dict[str, t.Any] | None
) -> None:
    stale = create(client, title="a").headers["ETag"]
    client.patch("/todos/1", json={"notes": "changed by someone else"}, headers=ALICE)
    response = client.open(
        "/todos/1", method=method, json=json, headers={**ALICE, "If-Match": stale}
    )
    assert_problem(response, 412, "Precondition Failed")
    current = client.get("/todos/1", headers=ALICE)
    assert current.get_json()["notes"] == "changed by someone else"
    fresh = current.headers["ETag"]
    matching = [lambda: fresh, lambda: f'"nope", {fresh}', lambda: "*"]
    for if_match in matching[:1] if method == "DELETE" else matching:
        response = client.open(
            "/todos/1", method=method, json=json, headers={**ALICE, "If-Match": if_match()}
        )
        assert response.status_code in (200, 204), response.get_json()
        fresh = response.headers.get("ETag", "")


def test_if_match_needs_a_strong_match(client: VialClient) -> None:
    etag = create(client, title="a").headers["ETag"]
    response = client.patch(
        "/todos/1", json={"done": True}, headers={**ALICE, "If-Match": f"W/{etag}"}
    )
    assert_problem(response, 412, "Precondition Failed")


# -- error bodies ------------------------------------------------------------------------------


def test_404_405_as_json(client: VialClient) -> None:
    assert_problem(client.get("/nothing-here", headers=ALICE), 404, "Not Found")
    response = client.post("/todos/1", headers=ALICE)
    assert_problem(response, 405, "Method Not Allowed")
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PUT",
        "PATCH",
        "DELETE",
    }


def test_500_as_json_without_details(app: Vial, client: VialClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # TESTING would re-raise instead
    with sqlite3.connect(app.config["DATABASE"]) as db:
        db.execute("DROP TABLE todo")
    body = assert_problem(client.get("/todos", headers=ALICE), 500, "Internal Server Error")
    assert body["detail"] == "The server failed to answer; try again later."
    assert "todo" not in body["detail"]
