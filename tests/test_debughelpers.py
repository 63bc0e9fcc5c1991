"""Debug-mode explanations of common mistakes, as Flask gives them (``vial.debughelpers``)."""

from __future__ import annotations

import io
import typing as t

import pytest

from vial import Vial, request
from vial.debughelpers import DebugFilesKeyError, FormDataRoutingRedirect
from vial.exceptions import BadRequestKeyError
from vial.routing import RequestRedirect
from vial.testing import VialClient


@pytest.fixture
def upload_view(app: Vial) -> Vial:
    @app.post("/upload")
    def upload() -> dict[str, t.Any]:
        return {"name": request.files["photo"].filename}

    return app


def test_files_key_sent_as_a_field_is_explained_in_debug_mode(
    upload_view: Vial, client: VialClient
) -> None:
    upload_view.debug = True
    upload_view.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(DebugFilesKeyError) as raised:
        client.post("/upload", data={"photo": "cat.png"})  # a form without enctype
    message = str(raised.value)
    assert "'photo'" in message and "application/x-www-form-urlencoded" in message
    assert 'enctype="multipart/form-data"' in message
    assert "'cat.png'" in message
    assert isinstance(raised.value, KeyError)


def test_files_key_without_debug_mode_is_a_400(upload_view: Vial, client: VialClient) -> None:
    assert client.post("/upload", data={"photo": "cat.png"}).status_code == 400


def test_files_key_absent_from_the_form_is_the_usual_key_error_in_debug_mode(
    upload_view: Vial, client: VialClient
) -> None:
    upload_view.debug = True  # debug mode traps the 400 and propagates it, as in Flask
    with pytest.raises(BadRequestKeyError) as raised:
        client.post("/upload", data={"other": "x"})
    assert not isinstance(raised.value, DebugFilesKeyError)


def test_a_real_upload_is_unaffected_in_debug_mode(upload_view: Vial, client: VialClient) -> None:
    upload_view.debug = True
    response = client.post("/upload", data={"photo": (io.BytesIO(b"png"), "cat.png")})
    assert response.json == {"name": "cat.png"}


def test_a_redirect_dropping_form_data_is_explained_in_debug_mode(
    app: Vial, client: VialClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    @app.post("/items/")
    def items() -> str:
        return "ok"

    monkeypatch.setattr(RequestRedirect, "code", 301)
    assert client.post("/items", data={"a": "1"}).status_code == 301  # not in debug mode
    app.debug = True
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(FormDataRoutingRedirect) as raised:
        client.post("/items", data={"a": "1"})
    assert "http://localhost/items/" in str(raised.value)
    assert "ends with a slash" in str(raised.value)
    monkeypatch.setattr(RequestRedirect, "code", 308)
    assert client.post("/items", data={"a": "1"}).status_code == 308  # keeps the body
