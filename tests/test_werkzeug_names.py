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


# -- vial.datastructures -----------------------------------------------------------------------


def test_callback_dict_reports_every_change() -> None:
    from vial.datastructures import CallbackDict

    calls: list[dict[str, int]] = []
    d: CallbackDict[str, int] = CallbackDict({"a": 1}, on_update=lambda d: calls.append(dict(d)))
    assert d == {"a": 1} and calls == []
    d["b"] = 2
    d.update(c=3)
    d |= {"e": 5}
    assert d.setdefault("a", 9) == 1  # present: no change
    assert d.setdefault("d", 4) == 4
    assert d.pop("zz", None) is None  # missing: no change
    assert d.pop("a") == 1
    del d["b"]
    d.popitem()
    d.clear()
    assert calls == [
        {"a": 1, "b": 2},
        {"a": 1, "b": 2, "c": 3},
        {"a": 1, "b": 2, "c": 3, "e": 5},
        {"a": 1, "b": 2, "c": 3, "e": 5, "d": 4},
        {"b": 2, "c": 3, "e": 5, "d": 4},
        {"c": 3, "e": 5, "d": 4},
        {"c": 3, "e": 5},
        {},
    ]
    assert repr(CallbackDict({"x": 1})) == "<CallbackDict {'x': 1}>"
    CallbackDict()["no"] = 1  # no callback: nothing to call


def test_cache_control_still_keeps_its_header_in_sync() -> None:
    response = Response("x")
    response.cache_control.max_age = 60
    response.cache_control.update({"public": None})
    assert response.headers["Cache-Control"] == "max-age=60, public"
    response.cache_control.pop("public")
    assert response.headers["Cache-Control"] == "max-age=60"


def test_immutable_mixins_make_custom_classes_read_only() -> None:
    from vial.datastructures import (
        ImmutableDictMixin,
        ImmutableListMixin,
        ImmutableMultiDictMixin,
        MultiDict,
    )

    class FrozenDict(ImmutableDictMixin, dict[str, int]):  # type: ignore[misc]
        pass

    class FrozenList(ImmutableListMixin, list[int]):  # type: ignore[misc]
        pass

    class FrozenMulti(ImmutableMultiDictMixin, MultiDict[str, str]):  # type: ignore[misc]
        pass

    frozen_dict, frozen_list = FrozenDict(a=1), FrozenList([1, 2])
    frozen_multi = FrozenMulti([("a", "1"), ("a", "2")])
    for change in (
        lambda: frozen_dict.__setitem__("b", 2),
        lambda: frozen_dict.update(b=2),
        lambda: frozen_list.append(3),
        lambda: frozen_list.__setitem__(0, 3),
        lambda: frozen_multi.add("b", "3"),
        lambda: frozen_multi.setlist("a", []),
    ):
        with pytest.raises(TypeError):
            change()
    assert hash(frozen_dict) == hash(FrozenDict(a=1)) and hash(frozen_list) == hash((1, 2))
    assert frozen_multi.getlist("a") == ["1", "2"] and isinstance(hash(frozen_multi), int)


def test_file_multidict_uploads_through_the_test_client(
    client: VialClient, tmp_path: t.Any
) -> None:
    import io

    from vial import request
    from vial.datastructures import FileMultiDict, FileStorage

    path = tmp_path / "report.csv"
    path.write_bytes(b"a,b\n")
    files = FileMultiDict()
    files.add_file("doc", str(path))
    files.add_file("doc", io.BytesIO(b"hello"), "notes.txt")
    files.add_file("raw", io.BytesIO(b"\x00\x01"), "blob", content_type="application/x-thing")
    existing = FileStorage(io.BytesIO(b"kept"), "kept.bin", "other", "application/octet-stream")
    files.add_file("other", existing)
    assert all(isinstance(f, FileStorage) for f in files.values())
    assert files["other"] is existing
    assert files.getlist("doc")[0].filename == str(path)
    assert files.getlist("doc")[1].content_type == "text/plain"

    @client.application.post("/upload")
    def upload() -> list[list[str]]:
        return [
            [name, f.filename or "", f.content_type or "", f.read().decode("latin-1")]
            for name, f in request.files.items(multi=True)
        ]

    response = client.post("/upload", data=files)
    assert response.json == [
        ["doc", "report.csv", "text/csv", "a,b\n"],
        ["doc", "notes.txt", "text/plain", "hello"],
        ["raw", "blob", "application/x-thing", "\x00\x01"],
        ["other", "kept.bin", "application/octet-stream", "kept"],
    ]
    for _, f in files.items(multi=True):
        f.close()


# -- vial.test ---------------------------------------------------------------------------------


def _echo_app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
    """A plain WSGI app: sets a cookie, redirects /old, echoes the rest."""
    if environ["PATH_INFO"] == "/old":
        start_response("302 Found", [("Location", "/new")])
        return [b""]
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    text = (
        f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {environ['QUERY_STRING']}"
        f" cookie={environ.get('HTTP_COOKIE', '')} body={body.decode()}"
    )
    start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "seen=1; Path=/")])
    return [text.encode()]


def test_werkzeug_environ_builder_takes_the_path_first() -> None:
    import io

    from vial.test import EnvironBuilder

    errors = io.StringIO()
    builder = EnvironBuilder(
        "/search",
        "https://example.com/app",
        query_string={"q": "x y"},
        method="POST",
        data={"a": "1"},
        errors_stream=errors,
        multithread=True,
        headers={"X-Test": "yes"},
    )
    environ = builder.get_environ()
    assert environ["PATH_INFO"] == "/search" and environ["SCRIPT_NAME"] == "/app"
    assert environ["QUERY_STRING"] == "q=x+y" and environ["HTTP_HOST"] == "example.com"
    assert environ["wsgi.url_scheme"] == "https" and environ["REQUEST_METHOD"] == "POST"
    assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert environ["wsgi.input"].read() == b"a=1" and environ["HTTP_X_TEST"] == "yes"
    assert environ["wsgi.errors"] is errors and environ["wsgi.multithread"] is True
    assert environ["wsgi.multiprocess"] is False and environ["wsgi.run_once"] is False


def test_create_environ() -> None:
    from vial.test import create_environ

    environ = create_environ("/a%20b?x=1", json={"k": 1})
    assert environ["PATH_INFO"] == "/a b" and environ["QUERY_STRING"] == "x=1"
    assert environ["HTTP_HOST"] == "localhost" and environ["CONTENT_TYPE"] == "application/json"
    assert environ["wsgi.input"].read() == b'{"k": 1}'
    overridden = create_environ("/", environ_overrides={"wsgi.run_once": True})
    assert overridden["wsgi.run_once"] is True


def test_werkzeug_client_drives_any_wsgi_app() -> None:
    from vial.test import Client, TestResponse, run_wsgi_app
    from vial.testing import run_wsgi_app as vial_run_wsgi_app

    assert run_wsgi_app is vial_run_wsgi_app
    client = Client(_echo_app)
    first = client.get("/x", query_string="a=1")
    assert first.status_code == 200 and first.text == "GET /x a=1 cookie= body="
    assert client.post("/y", data="payload").text == "POST /y  cookie=seen=1 body=payload"
    followed = client.open("/old", follow_redirects=True)
    assert followed.text.startswith("GET /new ") and len(followed.history) == 1

    class MyResponse(TestResponse):
        pass

    no_cookies = Client(_echo_app, response_wrapper=MyResponse, use_cookies=False)
    no_cookies.get("/")
    response = no_cookies.get("/")
    assert isinstance(response, MyResponse) and "cookie= " in response.text


def test_werkzeug_client_with_a_vial_app_and_middleware() -> None:
    from vial import Vial
    from vial.middleware import ProxyFix
    from vial.test import Client

    app = Vial(__name__)

    @app.get("/info")
    def info() -> dict[str, t.Any]:
        from vial import request

        return {"url": request.url, "remote": request.remote_addr}

    assert Client(app).get("/info").json == {"url": "http://localhost/info", "remote": "127.0.0.1"}
    app.wsgi_app = ProxyFix(app.wsgi_app)  # type: ignore[method-assign]
    wrapped = Client(app.wsgi_app)
    response = wrapped.get("/info", headers={"X-Forwarded-For": "203.0.113.5"})
    assert response.json == {"url": "http://localhost/info", "remote": "203.0.113.5"}


# -- vial.urls.uri_to_iri ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "iri"),
    [
        ("http://xn--n3h.net/p%C3%A5th?q=%C3%A8ry%DF", "http://\u2603.net/p\u00e5th?q=\u00e8ry%DF"),
        (
            "/a%2Fb%20c%25/%E2%82%AC?x=%26%3D%2B%E2%82%AC#f%E2%82%AC%20",
            "/a%2Fb%20c%25/\u20ac?x=%26%3D%2B\u20ac#f\u20ac%20",
        ),
        ("http://us%C3%A9r:p%40ss@XN--N3H.net:8080/", "http://us\u00e9r:p%40ss@\u2603.net:8080/"),
        ("/bad%E2%82/%0A%7F", "/bad%E2%82/%0A%7F"),
        ("/%F0%9F%98%80%41", "/\U0001f600A"),
        ("http://[::1]:80/x", "http://[::1]:80/x"),
        ("plain/path?q=1", "plain/path?q=1"),
    ],
)
def test_uri_to_iri(uri: str, iri: str) -> None:
    from vial.urls import iri_to_uri, uri_to_iri

    assert uri_to_iri(uri) == iri
    # The IRI leads back to the same resource.
    assert uri_to_iri(iri_to_uri(iri)) == iri


def test_flask_typing_names() -> None:
    """Every name of flask.typing is in vial.typing, for extensions' annotations."""
    import vial.typing

    names = [
        *("AfterRequestCallable", "AppOrBlueprintKey", "BeforeFirstRequestCallable"),
        *("BeforeRequestCallable", "ErrorHandlerCallable", "HeaderValue", "HeadersValue"),
        *("ResponseClass", "ResponseReturnValue", "ResponseValue", "RouteCallable"),
        *("ShellContextProcessorCallable", "TeardownCallable", "TemplateContextProcessorCallable"),
        *("TemplateFilterCallable", "TemplateGlobalCallable", "TemplateTestCallable"),
        *("URLDefaultCallable", "URLValuePreprocessorCallable"),
    ]
    assert [name for name in names if not hasattr(vial.typing, name)] == []
    assert vial.typing.ResponseClass.__bound__ is not None
