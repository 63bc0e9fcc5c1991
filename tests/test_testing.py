"""The test client, as a Flask user drives it."""

from __future__ import annotations

import io
import typing as t
from datetime import datetime, timezone

import pytest

from vial import Request, Response, Vial, g, redirect, request, session, url_for
from vial.datastructures import MultiDict
from vial.globals import _cv_request
from vial.test import ClientRedirectError as WerkzeugNamedClientRedirectError
from vial.testing import ClientRedirectError, EnvironBuilder, VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


@pytest.fixture
def echo(app: Vial) -> Vial:
    @app.route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
    def echo_view() -> dict[str, t.Any]:
        return {
            "method": request.method,
            "args": request.args.to_dict(flat=False),
            "form": request.form.to_dict(flat=False),
            "data": request.get_data(as_text=True),
            "content_type": request.content_type,
            "headers": {k: v for k, v in request.headers.items() if k.startswith("X-")},
            "cookies": request.cookies.to_dict(),
        }

    return app


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_method_helpers(echo: Vial, client: VialClient, method: str) -> None:
    response = getattr(client, method)("/echo")
    assert response.status_code == 200
    assert response.json["method"] == method.upper()


def test_head_and_options_and_open(echo: Vial, client: VialClient) -> None:
    assert client.head("/echo").data == b""
    assert client.options("/echo").json["method"] == "OPTIONS"
    assert client.open("/echo", method="PUT").json["method"] == "PUT"


def test_response_is_streamed_unless_buffered(echo: Vial, client: VialClient) -> None:
    """As Werkzeug's client: the body is the app's iterable, so ``is_streamed`` is true
    unless ``buffered=True``, through ASGI as through WSGI (Flask-Compress's tests
    check a compressed stream this way)."""

    @echo.route("/s")
    def streamed() -> Response:
        return Response(c for c in ["a", "b"])

    for path in ("/echo", "/s"):
        response = client.get(path)
        assert response.is_streamed is True
        assert response.data == response.data
        assert response.is_streamed is False
        assert client.get(path, buffered=True).is_streamed is False
    assert client.get("/s").data == b"ab"


def test_query_string_as_dict_str_and_in_path(echo: Vial, client: VialClient) -> None:
    assert client.get("/echo", query_string={"a": "1", "b": ["2", "3"]}).json["args"] == {
        "a": ["1"],
        "b": ["2", "3"],
    }
    assert client.get("/echo", query_string="x=1&x=2").json["args"] == {"x": ["1", "2"]}
    assert client.get("/echo?y=é").json["args"] == {"y": ["é"]}
    assert client.get("/echo", query_string={"s": "a b&c"}).json["args"] == {"s": ["a b&c"]}


def test_query_string_in_path_and_argument_is_value_error(echo: Vial, client: VialClient) -> None:
    with pytest.raises(ValueError, match="defined in the path and as an argument"):
        client.get("/echo?z=9", query_string={"a": "1"})


def test_headers_as_dict_or_list(echo: Vial, client: VialClient) -> None:
    assert client.get("/echo", headers={"X-One": "1"}).json["headers"] == {"X-One": "1"}
    headers = [("X-Two", "a"), ("X-Two", "b")]
    assert client.get("/echo", headers=headers).json["headers"] == {"X-Two": "a, b"}


def test_json_argument(echo: Vial, client: VialClient) -> None:
    body = client.post("/echo", json={"k": [1, "é"]}).json
    assert body["content_type"] == "application/json"
    assert body["data"] in ('{"k": [1, "é"]}', '{"k": [1, "\\u00e9"]}', '{"k":[1,"é"]}')


def test_data_dict_is_form(echo: Vial, client: VialClient) -> None:
    body = client.post("/echo", data={"a": "1", "b": ["x", "y"]}).json
    assert body["content_type"] == "application/x-www-form-urlencoded"
    assert body["form"] == {"a": ["1"], "b": ["x", "y"]}
    body = client.post("/echo", data=MultiDict([("m", "1"), ("m", "2")])).json
    assert body["form"] == {"m": ["1", "2"]}


def test_data_str_and_bytes_are_raw(echo: Vial, client: VialClient) -> None:
    body = client.post("/echo", data="raw text é").json
    assert (body["data"], body["form"], body["content_type"]) == ("raw text é", {}, None)
    body = client.post("/echo", data=b"raw bytes", content_type="text/plain").json
    assert (body["data"], body["content_type"]) == ("raw bytes", "text/plain")


def test_data_file_without_a_name_is_a_form_field(app: Vial, client: VialClient) -> None:
    @app.post("/upload")
    def upload() -> dict[str, t.Any]:
        return {
            "form": request.form.to_dict(),
            "files": {k: [f.filename, f.read().decode()] for k, f in request.files.items()},
        }

    body = client.post(
        "/upload",
        data={
            "anonymous": io.BytesIO(b"a"),
            "none": (io.BytesIO(b"n"), None),
            "empty": (io.BytesIO(b"e"), ""),
            "named": (io.BytesIO(b"x"), "x.txt"),
        },
    ).json
    assert body["form"] == {"anonymous": "a", "none": "n"}
    assert body["files"] == {"empty": ["", "e"], "named": ["x.txt", "x"]}


def test_data_filename_given_is_sent_as_given(
    app: Vial, client: VialClient, tmp_path: t.Any
) -> None:
    @app.post("/upload")
    def upload() -> dict[str, t.Any]:
        return {k: f.filename for k, f in request.files.items()}

    path = tmp_path / "on-disk.txt"
    path.write_bytes(b"d")
    with path.open("rb") as on_disk:
        body = client.post(
            "/upload",
            data={
                "traversal": (io.BytesIO(b"x"), "../../etc/passwd"),
                "nested": (io.BytesIO(b"y"), "dir/sub/a.txt"),
                "opened": on_disk,
            },
        ).json
    assert body == {
        "traversal": "../../etc/passwd",
        "nested": "dir/sub/a.txt",
        "opened": "on-disk.txt",
    }


def test_data_stream_is_read_as_the_body(echo: Vial, client: VialClient) -> None:
    body = client.post("/echo", data=io.BytesIO(b"streamed body")).json
    assert body["data"] == "streamed body"
    body = client.post("/echo", data=io.StringIO("text é")).json
    assert body["data"] == "text é"


def test_content_type_argument_wins(echo: Vial, client: VialClient) -> None:
    body = client.post("/echo", data="a=1", content_type="application/x-www-form-urlencoded").json
    assert body["form"] == {"a": ["1"]}


@pytest.mark.parametrize(
    "declared",
    [
        {"content_type": "multipart/form-data"},
        {"content_type": "multipart/form-data; charset=utf-8"},
        {"mimetype": "multipart/form-data"},
        {"headers": {"Content-Type": "multipart/form-data"}},
    ],
)
def test_data_dict_with_a_declared_multipart_type_is_encoded_with_a_boundary(
    app: Vial, client: VialClient, declared: dict[str, t.Any]
) -> None:
    """client.post(data={...}, content_type="multipart/form-data"), as Flask's tests upload."""

    @app.post("/upload")
    def upload() -> dict[str, t.Any]:
        upload = request.files.get("file")
        return {
            "form": request.form.to_dict(flat=False),
            "file": [upload.filename, upload.read().decode()] if upload else None,
            "mimetype": request.mimetype,
            "boundary": "boundary" in request.mimetype_params,
        }

    for data, file in [
        ({"a": ["1", "2"], "file": (io.BytesIO(b"xyz"), "a.txt")}, ["a.txt", "xyz"]),
        ({"a": ["1", "2"]}, None),
    ]:
        response = client.post("/upload", data=data, **declared)
        assert response.status_code == 200, response.data
        assert response.json == {
            "form": {"a": ["1", "2"]},
            "file": file,
            "mimetype": "multipart/form-data",
            "boundary": True,
        }


def test_data_dict_with_another_declared_type(echo: Vial, client: VialClient) -> None:
    """As in Werkzeug: URL-encoding leaves files out, and another type sends no body."""
    fields = {"a": "1", "file": (io.BytesIO(b"xyz"), "a.txt")}
    body = client.post("/echo", data=fields, mimetype="application/x-www-form-urlencoded").json
    assert (body["form"], body["data"]) == ({"a": ["1"]}, "")
    body = client.post("/echo", data={"a": "1"}, content_type="text/plain").json
    assert (body["content_type"], body["data"]) == ("text/plain", "")


def test_json_and_data_together_is_type_error(echo: Vial, client: VialClient) -> None:
    with pytest.raises(TypeError):
        client.post("/echo", json={}, data="x")


def test_response_attributes(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> tuple[dict[str, str], int, dict[str, str]]:
        return {"msg": "héllo"}, 201, {"X-Resp": "yes"}

    response = client.get("/")
    assert response.status_code == 201
    assert response.status == "201 CREATED"
    assert response.headers["X-Resp"] == "yes"
    assert response.json == {"msg": "héllo"}
    assert response.get_json() == {"msg": "héllo"}
    assert response.data == response.get_data()
    assert response.text == response.get_data(as_text=True)
    assert response.text == '{"msg":"h\\u00e9llo"}\n'  # ensure_ascii, as in Flask
    assert response.mimetype == "application/json"
    assert response.request.path == "/"


def test_follow_redirects_and_history(app: Vial, client: VialClient) -> None:
    @app.route("/a")
    def a() -> Response:
        return redirect(url_for("b"))

    @app.route("/b")
    def b() -> Response:
        return redirect("/c?done=1", 301)

    @app.route("/c")
    def c() -> str:
        return f"arrived {request.args['done']}"

    response = client.get("/a", follow_redirects=True)
    assert response.status_code == 200
    assert response.text == "arrived 1"
    assert [r.status_code for r in response.history] == [302, 301]
    assert response.request.path == "/c"
    not_followed = client.get("/a")
    assert not_followed.status_code == 302
    assert not_followed.headers["Location"] == "/b"
    assert not_followed.history == ()


def test_history_keeps_the_bodies_of_streamed_redirects(app: Vial, client: VialClient) -> None:
    @app.route("/streamed")
    def streamed() -> Response:
        def body() -> t.Iterator[str]:
            yield "moved "
            yield "on"

        return Response(body(), status=302, headers={"Location": "/done"})

    @app.route("/done")
    def done() -> str:
        return "done"

    response = client.get("/streamed", follow_redirects=True)
    assert response.text == "done"
    assert [r.data for r in response.history] == [b"moved on"]


def test_redirect_after_post_becomes_get(app: Vial, client: VialClient) -> None:
    @app.post("/submit")
    def submit() -> Response:
        return redirect("/result")

    @app.route("/result", methods=["GET", "POST"])
    def result() -> str:
        return request.method

    assert client.post("/submit", data={"a": "1"}, follow_redirects=True).text == "GET"


def test_307_redirect_keeps_method_and_body(app: Vial, client: VialClient) -> None:
    @app.post("/old")
    def old() -> Response:
        return redirect("/new", 307)

    @app.post("/new")
    def new() -> str:
        return f"{request.method} {request.form['a']}"

    assert client.post("/old", data={"a": "1"}, follow_redirects=True).text == "POST 1"


def test_redirect_loop_is_reported(app: Vial, client: VialClient) -> None:
    @app.route("/loop")
    def loop() -> Response:
        return redirect("/loop")

    @app.route("/away/<int:n>")
    def away(n: int) -> Response:
        return redirect(f"/away/{n + 1}")

    assert WerkzeugNamedClientRedirectError is ClientRedirectError
    with pytest.raises(ClientRedirectError, match="Loop detected: A 302 redirect to /loop"):
        client.get("/loop", follow_redirects=True)
    with pytest.raises(ClientRedirectError, match="More than 30 redirects"):
        client.get("/away/0", follow_redirects=True)


@pytest.fixture
def redirector(app: Vial) -> Vial:
    app.config["SERVER_NAME"] = "ex.test"

    @app.route("/go", methods=["GET", "POST"])
    def go() -> Response:
        return redirect(request.args["to"], int(request.args.get("code", 302)))

    @app.route("/seen", methods=["GET", "POST"])
    @app.route("/seen", subdomain="sub", methods=["GET", "POST"], endpoint="seen_sub")
    def seen() -> dict[str, t.Any]:
        return {
            "host": request.host,
            "method": request.method,
            "data": request.get_data(as_text=True),
            "headers": {
                k: v
                for k, v in request.headers.items()
                if k in ("X-Custom", "Authorization", "Content-Type", "Cookie")
            },
        }

    return app


def test_redirect_keeps_the_request_headers(redirector: Vial, client: VialClient) -> None:
    headers = {"X-Custom": "1", "Authorization": "Bearer t", "Cookie": "sent=once"}
    body = client.get("/go?to=/seen", headers=headers, follow_redirects=True).json
    assert body["headers"] == {"X-Custom": "1", "Authorization": "Bearer t"}
    body = client.post(
        "/go?to=http://ex.test/seen&code=307",
        data="raw",
        headers={**headers, "Content-Type": "text/plain"},
        follow_redirects=True,
    ).json
    assert body["method"] == "POST"
    assert body["data"] == "raw"
    assert body["headers"] == {
        "X-Custom": "1",
        "Authorization": "Bearer t",
        "Content-Type": "text/plain",
    }
    body = client.post(
        "/go?to=/seen&code=303", data="raw", content_type="text/plain", follow_redirects=True
    ).json
    assert (body["method"], body["data"], body["headers"]) == ("GET", "", {})


def test_redirect_to_another_host_is_not_followed(redirector: Vial, client: VialClient) -> None:
    with pytest.raises(RuntimeError, match="Following external redirects is not supported"):
        client.get("/go?to=http://other.test/seen", follow_redirects=True)
    with pytest.raises(RuntimeError, match="Following subdomain redirects is not enabled"):
        client.get("/go?to=http://sub.ex.test/seen", follow_redirects=True)
    assert client.get("/go?to=https://ex.test:8443/seen", follow_redirects=True).status_code == 200


def test_subdomain_redirects_when_allowed(redirector: Vial, interface: str) -> None:
    client = redirector.test_client(asgi=interface == "asgi", allow_subdomain_redirects=True)
    response = client.get(
        "/go?to=http://sub.ex.test/seen",
        headers={"X-Custom": "1", "Authorization": "Bearer t"},
        follow_redirects=True,
    )
    assert response.json["host"] == "sub.ex.test"
    assert response.json["headers"] == {"X-Custom": "1"}


def test_open_takes_an_environ_builder(echo: Vial, app: Vial, client: VialClient) -> None:
    builder = EnvironBuilder(app, "/echo", method="POST", json={"b": 1}, query_string={"q": "1"})
    body = client.open(builder).json
    assert (body["method"], body["args"], body["data"]) == ("POST", {"q": ["1"]}, '{"b": 1}')


def test_open_takes_a_request(echo: Vial, app: Vial, client: VialClient) -> None:
    environ = EnvironBuilder(app, "/echo?x=1", method="POST", data="body").get_environ()
    body = client.open(Request(environ)).json
    assert (body["method"], body["args"], body["data"]) == ("POST", {"x": ["1"]}, "body")


def test_environ_builder_base_url(app: Vial) -> None:
    assert EnvironBuilder(app).base_url == "http://localhost/"
    assert EnvironBuilder(app, subdomain="api").base_url == "http://api.localhost/"
    app.config.update(SERVER_NAME="srv.test", APPLICATION_ROOT="/root")
    builder = EnvironBuilder(app, "/x")
    assert builder.base_url == "http://srv.test/root/"
    builder.base_url = "https://other.test:8443/mount"
    environ = builder.get_environ()
    assert (environ["wsgi.url_scheme"], environ["HTTP_HOST"], environ["SCRIPT_NAME"]) == (
        "https",
        "other.test:8443",
        "/mount",
    )


@pytest.mark.parametrize("extra", [{"subdomain": "api"}, {"url_scheme": "https"}])
def test_base_url_with_subdomain_or_scheme_is_an_error(
    app: Vial, client: VialClient, extra: dict[str, str]
) -> None:
    with pytest.raises(AssertionError, match="Cannot pass"):
        client.get("/", base_url="http://example.test/", **extra)
    with pytest.raises(AssertionError, match="Cannot pass"):
        app.test_request_context("/", base_url="http://example.test/", **extra)


def test_cookies_are_kept_across_requests(echo: Vial, app: Vial, client: VialClient) -> None:
    @app.route("/login")
    def login() -> Response:
        response = Response("in")
        response.set_cookie("user", "alice")
        return response

    @app.route("/logout")
    def logout() -> Response:
        response = Response("out")
        response.delete_cookie("user")
        return response

    assert client.get("/echo").json["cookies"] == {}
    client.get("/login")
    cookie = client.get_cookie("user")
    assert cookie is not None
    assert cookie.value == "alice"
    assert client.get("/echo").json["cookies"] == {"user": "alice"}
    client.get("/logout")
    assert client.get_cookie("user") is None
    assert client.get("/echo").json["cookies"] == {}


def test_client_set_and_delete_cookie(echo: Vial, client: VialClient) -> None:
    client.set_cookie("flavour", "oat")
    assert client.get("/echo").json["cookies"] == {"flavour": "oat"}
    client.delete_cookie("flavour")
    assert client.get("/echo").json["cookies"] == {}


def test_get_cookie_has_the_attributes_it_was_set_with(app: Vial, client: VialClient) -> None:
    @app.route("/set")
    def set_() -> Response:
        response = Response("")
        response.set_cookie("plain", "v")
        response.set_cookie(
            "rich",
            "a;é",
            secure=True,
            httponly=True,
            samesite="Strict",
            expires=datetime(2099, 1, 2, tzinfo=timezone.utc),
        )
        response.set_cookie("shared", "s", domain=".localhost", max_age=60)
        return response

    client.get("/set")
    plain = client.get_cookie("plain")
    assert plain is not None
    assert (plain.value, plain.decoded_value) == ("v", "v")
    assert (plain.path, plain.domain) == ("/", "localhost")
    assert (plain.secure, plain.http_only, plain.same_site, plain.expires) == (
        False,
        False,
        None,
        None,
    )
    assert plain.origin_only
    rich = client.get_cookie("rich")
    assert rich is not None
    assert rich.value.startswith('"')
    assert (rich.decoded_key, rich.decoded_value) == ("rich", "a;é")
    assert (rich.secure, rich.http_only, rich.same_site) == (True, True, "Strict")
    assert rich.expires == datetime(2099, 1, 2, tzinfo=timezone.utc)
    shared = client.get_cookie("shared")
    assert shared is not None
    assert (shared.max_age, shared.origin_only) == (60, False)


def test_client_set_cookie_takes_the_cookie_attributes(echo: Vial, client: VialClient) -> None:
    client.set_cookie("k", "v é", max_age=30, secure=True, httponly=True, samesite="Lax")
    cookie = client.get_cookie("k")
    assert cookie is not None
    assert (cookie.decoded_value, cookie.max_age, cookie.secure, cookie.http_only) == (
        "v é",
        30,
        True,
        True,
    )
    assert cookie.same_site == "Lax"
    assert client.get("/echo").json["cookies"] == {"k": "v é"}
    client.set_cookie("gone", "x", max_age=0)
    assert client.get_cookie("gone") is None


def test_cookie_path_is_respected(app: Vial, client: VialClient) -> None:
    @app.route("/set")
    def set_() -> Response:
        response = Response("")
        response.set_cookie("scoped", "1", path="/admin")
        return response

    @app.route("/admin/page")
    @app.route("/public")
    def page() -> str:
        return request.cookies.get("scoped", "none")

    client.get("/set")
    assert client.get("/admin/page").text == "1"
    assert client.get("/public").text == "none"


def test_cookie_without_path_belongs_to_the_request_directory(
    app: Vial, client: VialClient
) -> None:
    @app.route("/a/b/set")
    def set_() -> Response:
        response = Response("")
        response.set_cookie("here", "1", path=None)
        return response

    @app.route("/a/b/page")
    @app.route("/a/page")
    def page() -> str:
        return request.cookies.get("here", "none")

    client.get("/a/b/set")
    assert client.get("/a/b/page").text == "1"
    assert client.get("/a/page").text == "none"
    assert client.get_cookie("here", path="/a/b") is not None
    assert client.get_cookie("here") is None


def test_use_cookies_false(echo: Vial, app: Vial, interface: str) -> None:
    client = app.test_client(use_cookies=False, asgi=interface == "asgi")
    with pytest.raises(TypeError, match="Cookies are disabled"):
        client.get_cookie("x")


def test_session_round_trip(app: Vial, client: VialClient) -> None:
    @app.route("/set")
    def set_() -> str:
        session["user"] = "bob"
        return ""

    @app.route("/get")
    def get() -> str:
        return str(session.get("user"))

    client.get("/set")
    assert client.get("/get").text == "bob"
    with client.session_transaction() as sess:
        assert sess["user"] == "bob"
        sess["user"] = "carol"
    assert client.get("/get").text == "carol"


def test_session_transaction_block_runs_in_the_callers_context(
    app: Vial, client: VialClient
) -> None:
    # As in Flask, the temporary request context only opens and saves the session:
    # inside the block, request is whatever the caller had pushed (or nothing).
    with client.session_transaction() as sess:
        assert _cv_request.get(None) is None
        sess["user"] = "dave"
    with app.test_request_context("/outer"):
        outer = request._get_current_object()  # type: ignore[attr-defined]
        with client.session_transaction() as sess:
            assert request._get_current_object() is outer  # type: ignore[attr-defined]
            assert sess["user"] == "dave"
        assert request._get_current_object() is outer  # type: ignore[attr-defined]


def test_cookies_scoped_to_the_application_root_are_sent(app: Vial, client: VialClient) -> None:
    app.config["APPLICATION_ROOT"] = "/app"

    @app.route("/count")
    def count() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    assert client.get("/count").text == "1"
    assert client.get("/count").text == "2"
    cookie = client.get_cookie("session", path="/app")
    assert cookie is not None
    with client.session_transaction() as sess:
        assert sess["n"] == 2


def test_with_client_keeps_last_request_context(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        g.marker = request.args.get("m")
        session["seen"] = True
        return "ok"

    with client:
        client.get("/?m=first")
        assert request.args["m"] == "first"
        client.get("/?m=second")
        assert request.args["m"] == "second"
        assert g.marker == "second"
        assert session["seen"] is True
    assert _cv_request.get(None) is None


def test_with_client_tears_the_kept_contexts_down_in_order(app: Vial, client: VialClient) -> None:
    # The kept contexts are re-pushed app context first, so popping them runs the
    # request teardown, then the app context's teardown once, as in Flask.
    log: list[str] = []

    @app.route("/")
    def index() -> str:
        return "ok"

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        log.append("request")

    @app.teardown_appcontext
    def teardown_app(exc: BaseException | None) -> None:
        log.append("app")

    with client:
        client.get("/")
        assert log == ["request", "app"]
        log.clear()
        client.get("/")
        assert log == ["request", "app", "request", "app"]
        log.clear()
    assert log == ["request", "app"]


def test_without_with_no_context_is_kept(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return "ok"

    client.get("/")
    with pytest.raises(RuntimeError):
        request.path  # noqa: B018


def test_with_client_cannot_nest(client: VialClient) -> None:
    with client, pytest.raises(RuntimeError, match="nest"):
        client.__enter__()


def test_base_url_and_environ_overrides(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return f"{request.url} {request.remote_addr}"

    response = client.get(
        "/", base_url="https://example.com", environ_overrides={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert response.text == "https://example.com/ 10.0.0.1"


def test_test_client_class_can_be_replaced(app: Vial) -> None:
    class MyClient(VialClient):
        pass

    app.test_client_class = MyClient
    assert isinstance(app.test_client(), MyClient)


@pytest.mark.parametrize("view_kind", ["sync", "async"])
def test_environ_base_keys_reach_the_view(app: Vial, client: VialClient, view_kind: str) -> None:
    def seen() -> dict[str, t.Any]:
        return {
            "remote_user": request.remote_user,
            "tenant": request.environ.get("myapp.tenant"),
            "remote_addr": request.remote_addr,
        }

    if view_kind == "sync":
        app.get("/")(seen)
    else:

        async def seen_async() -> dict[str, t.Any]:
            return seen()

        app.get("/")(seen_async)
    environ_base = {"REMOTE_USER": "ann", "myapp.tenant": "t1", "REMOTE_ADDR": "10.0.0.7"}
    assert client.get("/", environ_base=environ_base).json == {
        "remote_user": "ann",
        "tenant": "t1",
        "remote_addr": "10.0.0.7",
    }
