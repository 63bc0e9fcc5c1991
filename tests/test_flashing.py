"""Message flashing: flash() in one request, get_flashed_messages() in the next."""

from __future__ import annotations

import typing as t

import pytest

from vial import Vial, flash, get_flashed_messages, message_flashed
from vial.testing import VialClient


@pytest.fixture
def app(app: Vial) -> Vial:
    @app.route("/flash")
    def do_flash() -> str:
        flash("plain")
        flash("saved", "success")
        flash("oops", "error")
        flash("careful", "warning")
        return "flashed"

    @app.route("/messages")
    def messages() -> t.Any:
        return {"messages": get_flashed_messages()}

    @app.route("/with-categories")
    def with_categories() -> t.Any:
        return {"messages": get_flashed_messages(with_categories=True)}

    @app.route("/filtered")
    def filtered() -> t.Any:
        return {
            "plain": get_flashed_messages(category_filter=["error", "warning"]),
            "pairs": get_flashed_messages(with_categories=True, category_filter=["success"]),
        }

    @app.route("/one-category")
    def one_category() -> t.Any:
        return {"messages": get_flashed_messages(category_filter="error")}

    @app.route("/twice")
    def twice() -> t.Any:
        return {"first": get_flashed_messages(), "second": get_flashed_messages()}

    return app


def test_messages_shown_once(client: VialClient) -> None:
    client.get("/flash")
    assert client.get("/messages").json == {"messages": ["plain", "saved", "oops", "careful"]}
    assert client.get("/messages").json == {"messages": []}


def test_with_categories(client: VialClient) -> None:
    client.get("/flash")
    assert client.get("/with-categories").json == {
        "messages": [
            ["message", "plain"],
            ["success", "saved"],
            ["error", "oops"],
            ["warning", "careful"],
        ]
    }


def test_category_filter(client: VialClient) -> None:
    client.get("/flash")
    assert client.get("/filtered").json == {
        "plain": ["oops", "careful"],
        "pairs": [["success", "saved"]],
    }
    # Filtering does not keep the others for later: the flashes were consumed.
    assert client.get("/messages").json == {"messages": []}


def test_category_filter_may_be_one_category_as_a_string(client: VialClient) -> None:
    client.get("/flash")
    assert client.get("/one-category").json == {"messages": ["oops"]}


def test_repeated_calls_in_one_request_agree(client: VialClient) -> None:
    client.get("/flash")
    rv = client.get("/twice")
    assert rv.json == {
        "first": ["plain", "saved", "oops", "careful"],
        "second": ["plain", "saved", "oops", "careful"],
    }


def test_flash_then_redirect(app: Vial, client: VialClient) -> None:
    from vial import redirect

    @app.route("/save")
    def save() -> t.Any:
        flash("Saved!", "success")
        return redirect("/messages")

    rv = client.get("/save", follow_redirects=True)
    assert rv.json == {"messages": ["Saved!"]}


def test_flashes_accumulate_across_requests(client: VialClient) -> None:
    client.get("/flash")
    client.get("/flash")
    assert len(client.get("/messages").json["messages"]) == 8


def test_message_flashed_signal(app: Vial, client: VialClient) -> None:
    recorded: list[tuple[str, str]] = []

    def record(sender: Vial, message: str, category: str, **extra: t.Any) -> None:
        recorded.append((message, category))

    with message_flashed.connected_to(record, app):
        client.get("/flash")
    assert recorded == [
        ("plain", "message"),
        ("saved", "success"),
        ("oops", "error"),
        ("careful", "warning"),
    ]


def test_flash_marks_session_and_varies(client: VialClient) -> None:
    rv = client.get("/flash")
    assert rv.headers["Vary"] == "Cookie"
    assert any(k.lower() == "set-cookie" for k, _ in rv.headers.items())
