"""Names Flask apps and extensions import from Flask's and Werkzeug's modules, under vial's."""

from __future__ import annotations

import os
import sys
import typing as t

import pytest

from vial import Request, Response, helpers
from vial.testing import VialClient


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("0", False), ("false", False), ("No", False), ("1", True)],
)
def test_get_debug_flag_reads_vial_debug(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("VIAL_DEBUG", raising=False)
    else:
        monkeypatch.setenv("VIAL_DEBUG", value)
    assert helpers.get_debug_flag() is expected


def test_get_load_dotenv_reads_vial_skip_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIAL_SKIP_DOTENV", raising=False)
    assert helpers.get_load_dotenv() is True
    assert helpers.get_load_dotenv(False) is False
    monkeypatch.setenv("VIAL_SKIP_DOTENV", "1")
    assert helpers.get_load_dotenv() is False
    monkeypatch.setenv("VIAL_SKIP_DOTENV", "false")
    assert helpers.get_load_dotenv(False) is True


def test_get_root_path_is_the_folder_of_a_module() -> None:
    assert helpers.get_root_path(__name__) == os.path.dirname(os.path.abspath(__file__))
    assert helpers.get_root_path("vial") == os.path.dirname(sys.modules["vial"].__file__ or "")


def test_the_cli_uses_the_same_flags() -> None:
    from vial import cli

    assert cli.get_debug_flag is helpers.get_debug_flag
    assert cli.get_load_dotenv is helpers.get_load_dotenv


# -- vial.utils --------------------------------------------------------------------------------


def test_utils_offers_vials_file_and_redirect_helpers() -> None:
    from vial import security, utils
    from vial.wrappers import response

    assert utils.redirect is helpers.redirect
    assert utils.send_file is helpers.send_file
    assert utils.send_from_directory is helpers.send_from_directory
    assert utils.safe_join is security.safe_join
    assert utils.get_content_type is response.get_content_type
    assert {"redirect", "safe_join", "header_property"} <= set(dir(utils))
    with pytest.raises(AttributeError, match="no_such_name"):
        utils.no_such_name  # noqa: B018 - the access is the test


def test_utils_safe_join_and_get_content_type_behave_as_werkzeugs() -> None:
    from vial.utils import get_content_type, safe_join

    assert safe_join("/srv", "a", "b.txt") == "/srv/a/b.txt"
    assert safe_join("/srv", "../etc/passwd") is None
    assert get_content_type("text/html", "utf-8") == "text/html; charset=utf-8"
    assert get_content_type("image/png", "utf-8") == "image/png"


def test_utils_redirect_works_outside_an_app() -> None:
    from vial.utils import redirect

    response = redirect("/next", 301)
    assert response.status_code == 301 and response.headers["Location"] == "/next"


@pytest.mark.parametrize(
    ("path", "location"),
    [("/user/42", "42/?tab=1"), ("/docs", "docs/?tab=1")],
)
def test_append_slash_redirect(client: VialClient, path: str, location: str) -> None:
    from vial import request
    from vial.utils import append_slash_redirect

    app = client.application

    @app.get("/user/<int:id>")
    def user(id: int) -> Response:
        return append_slash_redirect(request.environ)

    @app.get("/docs")
    def docs() -> Response:
        return append_slash_redirect(request.environ, code=301)

    response = client.get(path, query_string={"tab": "1"})
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == location


def test_header_property_reads_writes_and_deletes_a_header(client: VialClient) -> None:
    from vial.utils import header_property

    class MyResponse(Response):
        request_id = header_property[str]("X-Request-Id", doc="The request id.")
        retries = header_property[int]("X-Retries", default=0, load_func=int, dump_func=str)

    app = client.application
    app.response_class = MyResponse

    @app.get("/")
    def index() -> MyResponse:
        response = MyResponse("ok")
        assert response.request_id is None and response.retries == 0
        response.request_id = "abc"
        response.retries = 3
        assert response.retries == 3
        response.headers["X-Broken"] = "x"
        return response

    response = client.get("/")
    assert response.headers["X-Request-Id"] == "abc"
    assert response.headers["X-Retries"] == "3"
    assert MyResponse.request_id.__doc__ == "The request id."
    assert repr(MyResponse.retries) == "<header_property X-Retries>"
    plain = MyResponse("x", headers={"X-Retries": "many"})
    assert plain.retries == 0
    del plain.retries
    assert "X-Retries" not in plain.headers


def test_environ_property_is_read_only_by_default(client: VialClient) -> None:
    from vial import request
    from vial.utils import environ_property

    class MyRequest(Request):
        tenant = environ_property[str]("myapp.tenant", default="public")
        agent = environ_property[str]("HTTP_USER_AGENT")

    app = client.application
    app.request_class = MyRequest

    @app.get("/")
    def index() -> dict[str, t.Any]:
        req = t.cast(MyRequest, request._get_current_object())  # type: ignore[attr-defined]
        with pytest.raises(AttributeError, match="read only"):
            req.tenant = "other"
        return {"tenant": req.tenant, "agent": req.agent}

    assert client.get("/", headers={"User-Agent": "probe"}).json == {
        "tenant": "public",
        "agent": "probe",
    }
