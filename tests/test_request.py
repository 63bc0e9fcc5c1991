"""The Request object as views see it: every attribute issue 2 lists, laziness, JSON errors."""

from __future__ import annotations

import io
import typing as t

import pytest

from vial import Vial, request
from vial.datastructures import MultiDict
from vial.exceptions import BadRequest, UnsupportedMediaType
from vial.testing import EnvironBuilder, VialClient
from vial.wrappers import Request

pytestmark = pytest.mark.usefixtures("no_context_left")


def _capture(
    app: Vial, rule: str = "/", methods: tuple[str, ...] = ("GET", "POST")
) -> dict[str, t.Any]:
    """Register a view that stores what it computes from ``request`` into the returned dict."""
    seen: dict[str, t.Any] = {}

    def view(**kwargs: t.Any) -> str:
        seen["request"] = request._get_current_object()  # type: ignore[attr-defined]
        result = seen["compute"]()
        seen["result"] = result
        return "ok"

    app.add_url_rule(rule, "view", view, methods=list(methods))
    return seen


def _result(
    client: VialClient,
    seen: dict[str, t.Any],
    compute: t.Callable[[], t.Any],
    *args: t.Any,
    **kwargs: t.Any,
) -> t.Any:
    seen["compute"] = compute
    method = kwargs.pop("method", "GET")
    response = client.open(*args, method=method, **kwargs)
    assert response.status_code == 200, response.text
    return seen["result"]


# -- the request line and URLs ------------------------------------------------------------------


def test_method_scheme_path_and_urls(app: Vial, client: VialClient) -> None:
    seen = _capture(app, "/p/<name>")

    def compute() -> dict[str, t.Any]:
        return {
            "method": request.method,
            "scheme": request.scheme,
            "host": request.host,
            "path": request.path,
            "full_path": request.full_path,
            "script_root": request.script_root,
            "root_path": request.root_path,
            "url": request.url,
            "base_url": request.base_url,
            "url_root": request.url_root,
            "host_url": request.host_url,
            "is_secure": request.is_secure,
        }

    got = _result(client, seen, compute, "/p/x", query_string="a=1&b=2", method="POST")
    assert got == {
        "method": "POST",
        "scheme": "http",
        "host": "localhost",
        "path": "/p/x",
        "full_path": "/p/x?a=1&b=2",
        "script_root": "",
        "root_path": "",
        "url": "http://localhost/p/x?a=1&b=2",
        "base_url": "http://localhost/p/x",
        "url_root": "http://localhost/",
        "host_url": "http://localhost/",
        "is_secure": False,
    }


def test_urls_under_a_mount_point_and_https(app: Vial, client: VialClient) -> None:
    seen = _capture(app, "/p")

    def compute() -> tuple[str, ...]:
        return (
            request.script_root,
            request.root_path,
            request.path,
            request.url,
            request.url_root,
            request.host_url,
            request.host,
            str(request.is_secure),
        )

    got = _result(client, seen, compute, "/p", base_url="https://example.com:8443/mount")
    assert got == (
        "/mount",
        "/mount",
        "/p",
        "https://example.com:8443/mount/p",
        "https://example.com:8443/mount/",
        "https://example.com:8443/",
        "example.com:8443",
        "True",
    )


def test_full_path_without_query_has_trailing_question_mark(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    assert _result(client, seen, lambda: request.full_path, "/") == "/?"


def test_non_ascii_path(app: Vial, client: VialClient) -> None:
    seen = _capture(app, "/<word>")
    got = _result(client, seen, lambda: (request.path, request.view_args), "/caf%C3%A9")
    assert got == ("/café", {"word": "café"})


# -- args --------------------------------------------------------------------------------------


def test_args_multidict(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        args = request.args
        return (
            args["a"],
            args.get("a"),
            args.getlist("a"),
            args.get("n", type=int),
            args.get("bad", -1, type=int),
            args.get("missing", "dflt"),
            args.get("missing"),
            args.getlist("missing"),
            args.get("space"),
            args.get("e"),
            dict(args),
        )

    got = _result(client, seen, compute, "/", query_string="a=1&a=2&n=42&bad=x&space=a+b&e=%C3%A9")
    first = {"a": "1", "n": "42", "bad": "x", "space": "a b", "e": "é"}
    assert got == ("1", "1", ["1", "2"], 42, -1, "dflt", None, [], "a b", "é", first)


def test_args_missing_key_is_400(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return request.args["nope"]

    response = client.get("/")
    assert response.status_code == 400
    assert "Bad Request" in response.text


def test_args_are_immutable(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> str:
        try:
            request.args["x"] = "y"  # type: ignore[index]
        except TypeError:
            return "immutable"
        return "mutable"

    assert _result(client, seen, compute, "/") == "immutable"


def test_query_string_dict_with_lists(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client, seen, lambda: request.args.getlist("k"), "/", query_string={"k": ["1", "2"]}
    )
    assert got == ["1", "2"]


# -- headers, cookies, client ------------------------------------------------------------------


def test_headers_case_insensitive_multi_valued(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        h = request.headers
        return (
            h["x-thing"],
            h["X-THING"],
            h.get("X-Missing"),
            h.get("X-Missing", "d"),
            "x-thing" in h,
            h.get("X-Num", type=int),
        )

    got = _result(client, seen, compute, "/", headers={"X-Thing": "v", "X-Num": "5"})
    assert got == ("v", "v", None, "d", True, 5)


def test_headers_repeated_are_joined(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: request.headers.get("X-Rep"),
        "/",
        headers=[("X-Rep", "a"), ("X-Rep", "b")],
    )
    assert got == "a, b"


def test_missing_header_is_400_by_key(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return request.headers["X-Required"]

    assert client.get("/").status_code == 400


def test_cookies_use_the_dict_storage_class(app: Vial, client: VialClient) -> None:
    # As in Werkzeug, request.cookies is made with dict_storage_class (as form is).
    class OrderedCookies(MultiDict[str, str]):
        pass

    class CookieRequest(Request):
        dict_storage_class = OrderedCookies

    app.request_class = CookieRequest

    @app.get("/")
    def index() -> str:
        return f"{type(request.cookies).__name__} {request.cookies.getlist('a')}"

    client.set_cookie("a", "1")
    assert client.get("/").text == "OrderedCookies ['1']"


def test_cookies(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: request.cookies.to_dict(),
        "/",
        headers={"Cookie": 'a=1; b="two words"; c=%C3%A9'},
    )
    assert got["a"] == "1"
    assert got["b"] == "two words"


def test_remote_addr_user_agent_access_route(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (
            request.remote_addr,
            str(request.user_agent),
            request.user_agent.string,
            request.access_route,
        )

    got = _result(client, seen, compute, "/", headers={"User-Agent": "Agent/1.0"})
    assert got == ("127.0.0.1", "Agent/1.0", "Agent/1.0", ["127.0.0.1"])
    got = _result(client, seen, compute, "/", headers={"X-Forwarded-For": "1.2.3.4, 5.6.7.8"})
    assert got[3] == ["1.2.3.4", "5.6.7.8"]
    assert got[0] == "127.0.0.1"


def test_environ_is_the_wsgi_environ(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client, seen, lambda: (request.environ["REQUEST_METHOD"], request.environ["PATH_INFO"]), "/"
    )
    assert got == ("GET", "/")


# -- body --------------------------------------------------------------------------------------


def test_get_data_and_data(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (request.get_data(), request.data, request.get_data(as_text=True))

    got = _result(
        client,
        seen,
        compute,
        "/",
        data=b"raw \xc3\xa9",
        method="POST",
        content_type="application/octet-stream",
    )
    assert got == (b"raw \xc3\xa9", b"raw \xc3\xa9", "raw é")


def test_content_type_mimetype_params_length(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (
            request.content_type,
            request.mimetype,
            request.mimetype_params,
            request.content_length,
        )

    got = _result(
        client,
        seen,
        compute,
        "/",
        data=b"12345",
        method="POST",
        content_type="Text/Plain; charset=latin-1",
    )
    assert got == ("Text/Plain; charset=latin-1", "text/plain", {"charset": "latin-1"}, 5)


def test_no_body_means_no_content_type_and_length(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: (request.content_type, request.mimetype, request.content_length, request.data),
        "/",
    )
    assert got == (None, "", None, b"")


def test_form_urlencoded_and_values(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (
            request.form["name"],
            request.form.getlist("tag"),
            request.values["q"],
            request.values["name"],
            request.form.get("missing"),
        )

    data = MultiDict([("name", "café"), ("tag", "a"), ("tag", "b")])
    got = _result(client, seen, compute, "/", query_string="q=search", data=data, method="POST")
    assert got == ("café", ["a", "b"], "search", "café", None)


def test_values_ignore_form_for_get(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(client, seen, lambda: request.values.get("f"), "/", data={"f": "1"}, method="GET")
    assert got is None


def test_missing_form_key_is_400(app: Vial, client: VialClient) -> None:
    @app.post("/")
    def index() -> str:
        return request.form["nope"]

    response = client.post("/", data={"other": "1"})
    assert response.status_code == 400


def test_form_of_non_form_body_is_empty(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: (dict(request.form), request.get_data()),
        "/",
        json={"a": 1},
        method="POST",
    )
    assert got == ({}, b'{"a": 1}')


# -- JSON --------------------------------------------------------------------------------------


def test_json_and_is_json(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (request.is_json, request.json, request.get_json())

    got = _result(client, seen, compute, "/", json={"a": [1, 2]}, method="POST")
    assert got == (True, {"a": [1, 2]}, {"a": [1, 2]})


def test_json_suffix_mimetype_is_json(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: (request.is_json, request.get_json()),
        "/",
        data=b"[1]",
        content_type="application/vnd.api+json",
        method="POST",
    )
    assert got == (True, [1])


def test_get_json_wrong_content_type_is_415(app: Vial, client: VialClient) -> None:
    @app.post("/")
    def index() -> str:
        return str(request.get_json())

    response = client.post("/", data=b'{"a": 1}', content_type="text/plain")
    assert response.status_code == 415
    assert "Unsupported Media Type" in response.text
    assert "application/json" in response.text


def test_json_attribute_wrong_content_type_is_415(app: Vial, client: VialClient) -> None:
    @app.post("/")
    def index() -> str:
        return str(request.json)

    assert client.post("/", data=b"{}").status_code == 415


def test_get_json_force_and_silent(app: Vial, client: VialClient) -> None:
    seen = _capture(app)

    def compute() -> tuple[t.Any, ...]:
        return (request.get_json(silent=True), request.get_json(force=True))

    got = _result(
        client, seen, compute, "/", data=b'{"a": 1}', content_type="text/plain", method="POST"
    )
    assert got == (None, {"a": 1})


def test_get_json_silent_on_malformed_body(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    got = _result(
        client,
        seen,
        lambda: request.get_json(silent=True),
        "/",
        data=b"{nope",
        content_type="application/json",
        method="POST",
    )
    assert got is None


def test_malformed_json_is_400(app: Vial, client: VialClient) -> None:
    @app.post("/")
    def index() -> str:
        return str(request.get_json())

    response = client.post("/", data=b"{nope", content_type="application/json")
    assert response.status_code == 400
    assert "The browser (or proxy) sent a request" in response.text


def test_get_json_errors_raise_the_http_exceptions() -> None:
    app = Vial("direct")
    ctx = app.test_request_context(data=b"x", content_type="text/plain", method="POST")
    with ctx, pytest.raises(UnsupportedMediaType):
        request.get_json()
    ctx = app.test_request_context(data=b"{", content_type="application/json", method="POST")
    with ctx, pytest.raises(BadRequest):
        request.get_json()


# -- routing information ----------------------------------------------------------------------


def test_endpoint_view_args_url_rule(app: Vial, client: VialClient) -> None:
    seen = _capture(app, "/items/<int:item_id>")

    def compute() -> tuple[t.Any, ...]:
        rule = request.url_rule
        assert rule is not None
        return (request.endpoint, request.view_args, rule.rule)

    got = _result(client, seen, compute, "/items/5")
    assert got == ("view", {"item_id": 5}, "/items/<int:item_id>")


def test_routing_info_of_an_unmatched_request(app: Vial) -> None:
    with app.test_request_context("/nowhere"):
        assert request.endpoint is None
        assert request.url_rule is None
        assert request.view_args is None
        assert request.routing_exception is not None
        assert getattr(request.routing_exception, "code", None) == 404


def test_max_content_length_from_config(app: Vial, client: VialClient) -> None:
    seen = _capture(app)
    assert _result(client, seen, lambda: request.max_content_length, "/") is None
    app.config["MAX_CONTENT_LENGTH"] = 1234
    assert _result(client, seen, lambda: request.max_content_length, "/") == 1234


def test_form_limits_outside_an_app_are_werkzeugs_defaults(app: Vial) -> None:
    # As Flask's Request: Werkzeug's defaults without an app, the config in one,
    # and a value set on the request over both.
    app.config.update(MAX_CONTENT_LENGTH=100, MAX_FORM_MEMORY_SIZE=50, MAX_FORM_PARTS=3)
    r = Request({})
    assert (r.max_content_length, r.max_form_memory_size, r.max_form_parts) == (
        None,
        500_000,
        1_000,
    )
    with app.app_context():
        assert (r.max_content_length, r.max_form_memory_size, r.max_form_parts) == (100, 50, 3)
    r.max_content_length, r.max_form_memory_size, r.max_form_parts = 90, 30, 4
    assert (r.max_content_length, r.max_form_memory_size, r.max_form_parts) == (90, 30, 4)


def test_invalid_host_header_is_400_before_routing(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return "ok"

    for host in ("\x8a", "a b", "evil.test/x", "good@evil.test"):
        assert client.get("/", headers={"Host": host}).status_code == 400, host
    # Valid hosts are remembered (a bounded set); the next invalid one is still refused.
    for number in range(300):
        assert client.get("/", headers={"Host": f"h{number}.test"}).status_code == 200
    assert client.get("/", headers={"Host": "h1.test/x"}).status_code == 400
    environ = EnvironBuilder(app).get_environ()
    environ["HTTP_HOST"] = "\x8a"
    with app.request_context(environ):
        assert app.full_dispatch_request().status_code == 400


# -- laziness ----------------------------------------------------------------------------------


class _ExplodingInput(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readinto(self, buffer: t.Any) -> int:
        raise AssertionError("the body was read")


def test_body_not_read_unless_asked(app: Vial) -> None:
    # WSGI only: the ASGI adapter owns its input stream; this checks the Request itself.
    @app.post("/")
    def index() -> str:
        content_type = request.headers["Content-Type"]
        return f"{request.method} {request.path} {request.args.get('a')} {content_type}"

    environ_overrides = {"wsgi.input": _ExplodingInput()}
    client = app.test_client()
    response = client.post(
        "/?a=1", data=b"x" * 10, content_type="text/plain", environ_overrides=environ_overrides
    )
    assert response.status_code == 200
    assert response.text == "POST / 1 text/plain"


def test_attributes_are_computed_on_first_access() -> None:
    # A Request over a bare environ: nothing is parsed until it is read.
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/x",
        "QUERY_STRING": "a=1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": _ExplodingInput(),
        "HTTP_COOKIE": "k=v",
    }
    req = Request(environ)
    assert "args" not in req.__dict__
    assert "cookies" not in req.__dict__
    environ["QUERY_STRING"] = "a=2"
    assert req.args["a"] == "2"
    environ["QUERY_STRING"] = "a=3"
    assert req.args["a"] == "2"  # computed once, then cached
    assert req.cookies["k"] == "v"


def test_invalid_content_length_only_fails_when_read(app: Vial, client: VialClient) -> None:
    @app.post("/lazy")
    def lazy() -> str:
        return "did not touch the body"

    @app.post("/eager")
    def eager() -> str:
        return str(request.content_length)

    headers = {"Content-Length": "abc"}
    assert client.post("/lazy", headers=headers).status_code == 200
    assert client.post("/eager", headers=headers).status_code == 400


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        # (url, base_url, root_url, host_url), as Werkzeug gives them: IRIs.
        (
            {"path": "/caf%C3%A9/x y", "query_string": "q=%C3%A9&r=a b"},
            (
                "http://localhost/café/x%20y?q=é&r=a%20b",
                "http://localhost/café/x%20y",
                "http://localhost/",
                "http://localhost/",
            ),
        ),
        (
            {
                "base_url": "http://xn--n3h.net/app%C3%A9",
                "path": "/p%C3%A5th",
                "query_string": "a=%2F&b=%ZZ",
            },
            (
                "http://☃.net/appé/påth?a=/&b=%ZZ",
                "http://☃.net/appé/påth",
                "http://☃.net/appé/",
                "http://☃.net/",
            ),
        ),
        (
            {"path": "/100%25/a%2Fb"},
            (
                "http://localhost/100%/a/b",
                "http://localhost/100%/a/b",
                "http://localhost/",
                "http://localhost/",
            ),
        ),
        (
            {"base_url": "https://h:8443/root/", "path": "/x"},
            (
                "https://h:8443/root/x",
                "https://h:8443/root/x",
                "https://h:8443/root/",
                "https://h:8443/",
            ),
        ),
    ],
)
def test_url_properties_are_iris_as_in_werkzeug(
    builder: dict[str, str], expected: tuple[str, str, str, str]
) -> None:
    from vial.test import EnvironBuilder as WerkzeugStyleBuilder

    request = Request(WerkzeugStyleBuilder(**builder).get_environ())
    assert (request.url, request.base_url, request.root_url, request.host_url) == expected
