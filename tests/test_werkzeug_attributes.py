"""Request and Response attributes Werkzeug documents that Flask apps and extensions use:
CORS preflight headers, Content-Encoding/MD5, Max-Forwards, REMOTE_USER, the wsgi.* flags,
Pragma, COOP/COEP, and the class helpers (from_values, application, from_app)."""

from __future__ import annotations

import typing as t
from datetime import timedelta

import pytest

from vial import Vial, request
from vial.exceptions import Aborter, NotFound
from vial.http import COEP, COOP
from vial.testing import VialClient
from vial.wrappers import Request, Response


def test_request_header_attributes(app: Vial, interface: str) -> None:
    client = app.test_client(asgi=interface == "asgi")

    @app.route("/", methods=["GET", "OPTIONS"])
    def index() -> dict[str, t.Any]:
        return {
            "encoding": request.content_encoding,
            "md5": request.content_md5,
            "max_forwards": request.max_forwards,
            "acr_headers": sorted(request.access_control_request_headers),
            "acr_has_type": "content-type" in request.access_control_request_headers,
            "acr_method": request.access_control_request_method,
            "pragma": sorted(request.pragma),
            "no_cache": "no-cache" in request.pragma,
            "remote_user": request.remote_user,
            "multithread": request.is_multithread,
            "run_once": request.is_run_once,
            "form_wanted": request.want_form_data_parsed,
        }

    got = client.options(
        "/",
        headers={
            "Content-Encoding": "gzip",
            "Content-MD5": "Q2hlY2sgSW50ZWdyaXR5IQ==",
            "Max-Forwards": "7",
            "Access-Control-Request-Headers": "X-Token, Content-Type",
            "Access-Control-Request-Method": "PUT",
            "Pragma": "no-cache",
        },
        environ_base={"REMOTE_USER": "ann"},
    ).json
    assert got == {
        "encoding": "gzip",
        "md5": "Q2hlY2sgSW50ZWdyaXR5IQ==",
        "max_forwards": 7,
        "acr_headers": ["Content-Type", "X-Token"],
        "acr_has_type": True,
        "acr_method": "PUT",
        "pragma": ["no-cache"],
        "no_cache": True,
        "remote_user": "ann",
        # The ASGI adapter runs sync views in a thread pool; the test client's WSGI
        # environ says one thread, as Werkzeug's does.
        "multithread": interface == "asgi",
        "run_once": False,
        "form_wanted": False,
    }
    empty = client.get("/", headers={"Max-Forwards": "many"}).json
    assert empty["pragma"] == [] and empty["max_forwards"] is None
    assert empty["acr_headers"] == [] and empty["acr_method"] is None


def test_request_from_values_and_want_form_data_parsed() -> None:
    made = Request.from_values("/page?x=1", method="POST", data={"a": "b"})
    assert (made.method, made.path, made.args["x"], made.form["a"]) == ("POST", "/page", "1", "b")
    assert made.want_form_data_parsed
    json_request = Request.from_values("/", data=b"{}", content_type="application/json")
    assert not json_request.want_form_data_parsed


def test_request_application_decorator() -> None:
    @Request.application
    def app(req: Request) -> Response:
        if req.path == "/missing":
            raise NotFound()
        return Response(f"hello {req.args.get('name', 'you')}")

    client = VialClient(app)
    assert client.get("/?name=ann").text == "hello ann"
    assert client.get("/missing").status_code == 404


def test_response_cors_and_policy_headers() -> None:
    response = Response("x")
    assert response.access_control_allow_credentials is False
    assert response.cross_origin_opener_policy is COOP.UNSAFE_NONE
    assert response.cross_origin_embedder_policy is COEP.UNSAFE_NONE
    response.access_control_allow_credentials = True
    response.access_control_allow_methods = ["GET", "POST"]
    response.access_control_allow_headers.add("X-Token")
    response.access_control_expose_headers = "X-Total"
    response.access_control_max_age = timedelta(minutes=10)
    response.content_md5 = "abc="
    response.content_security_policy_report_only = "default-src 'self'"
    response.cross_origin_opener_policy = COOP.SAME_ORIGIN
    response.cross_origin_embedder_policy = "require-corp"
    headers = response.headers
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert headers["Access-Control-Allow-Headers"] == "X-Token"
    assert headers["Access-Control-Expose-Headers"] == "X-Total"
    assert headers["Access-Control-Max-Age"] == "600"
    assert response.access_control_max_age == 600
    assert headers["Content-MD5"] == "abc="
    assert headers["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.cross_origin_embedder_policy is COEP.REQUIRE_CORP
    response.access_control_allow_credentials = False
    response.access_control_max_age = None
    assert "Access-Control-Allow-Credentials" not in headers
    assert "Access-Control-Max-Age" not in headers


def test_response_get_wsgi_response_and_from_app() -> None:
    response = Response("body", 201, {"X-A": "1"})
    environ = Request.from_values("/").environ
    body, status, headers = response.get_wsgi_response(environ)
    assert (b"".join(body), status) == (b"body", "201 CREATED")
    assert ("X-A", "1") in headers

    def wsgi_app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("202 ACCEPTED", [("Content-Type", "text/plain")])
        return [b"from ", b"app"]

    wrapped = Response.from_app(wsgi_app, environ, buffered=True)
    assert (wrapped.status_code, wrapped.get_data(), wrapped.mimetype) == (
        202,
        b"from app",
        "text/plain",
    )


def test_an_app_makes_its_aborter_from_aborter_class() -> None:
    class TeapotAborter(Aborter):
        def __call__(self, code: t.Any, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
            super().__call__(418 if code == 400 else code, *args, **kwargs)

    class TeapotVial(Vial):
        aborter_class = TeapotAborter

    assert Vial.aborter_class is Aborter
    app = TeapotVial(__name__)

    @app.get("/")
    def index() -> str:
        from vial import abort

        abort(400)

    assert app.test_client().get("/").status_code == 418


@pytest.mark.parametrize("value", [None, ""])
def test_an_absent_pragma_is_an_empty_set(value: str | None) -> None:
    headers = {} if value is None else {"Pragma": value}
    assert len(Request.from_values("/", headers=headers).pragma) == 0


def test_headers_get_all_and_header_set_pop_and_isdisjoint() -> None:
    from vial.datastructures import Headers, HeaderSet

    headers = Headers([("X-A", "1"), ("x-a", "2"), ("X-B", "3")])
    assert headers.get_all("X-A") == ["1", "2"]
    changes: list[str] = []
    header_set = HeaderSet(["Accept", "Cookie"], on_update=lambda s: changes.append(s.to_header()))
    assert header_set.isdisjoint(["Origin"])
    assert not header_set.isdisjoint(["origin", "COOKIE"])
    assert header_set.pop() == "Accept"
    assert changes == ["Cookie"]
    assert header_set.pop() == "Cookie"
    with pytest.raises(KeyError):
        header_set.pop()


def test_map_adapter_dispatch() -> None:
    from vial.exceptions import HTTPException
    from vial.routing import Map, RequestRedirect, Rule

    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/user/<int:id>", endpoint="user"),
            Rule("/dir/", endpoint="dir"),
        ]
    )
    adapter = url_map.bind("example.com", "/")

    def view(endpoint: str, args: dict[str, t.Any]) -> str:
        if endpoint == "user" and args["id"] == 0:
            raise NotFound()
        return f"{endpoint} {args}"

    assert adapter.dispatch(view, "/user/5") == "user {'id': 5}"
    assert isinstance(adapter.dispatch(view, "/dir"), RequestRedirect)
    with pytest.raises(NotFound):
        adapter.dispatch(view, "/nowhere")
    caught = adapter.dispatch(view, "/user/0", catch_http_exceptions=True)
    assert isinstance(caught, HTTPException) and caught.code == 404
    assert adapter.dispatch(view, "/missing", catch_http_exceptions=True).code == 404
