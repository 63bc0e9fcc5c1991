"""App and routes: registration, endpoints, methods, slashes, HEAD/OPTIONS, 404/405, url_for."""

from __future__ import annotations

import uuid

import pytest

from vial import Vial, url_for
from vial.routing import BaseConverter, BuildError, ValidationError
from vial.testing import VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


# -- registration -------------------------------------------------------------------------------


def test_route_decorator_returns_the_function_unchanged(app: Vial, client: VialClient) -> None:
    def index() -> str:
        return "hello"

    assert app.route("/")(index) is index
    response = client.get("/")
    assert response.status_code == 200
    assert response.text == "hello"
    assert response.mimetype == "text/html"


def test_add_url_rule_registers_view_and_endpoint(app: Vial, client: VialClient) -> None:
    def view() -> str:
        return "added"

    app.add_url_rule("/added", view_func=view)
    app.add_url_rule("/named", "custom_name", view)
    assert app.view_functions["view"] is view
    assert app.view_functions["custom_name"] is view
    assert client.get("/added").text == "added"
    assert client.get("/named").text == "added"


def test_add_url_rule_endpoint_then_view(app: Vial, client: VialClient) -> None:
    app.add_url_rule("/later", endpoint="later")

    @app.endpoint("later")
    def later() -> str:
        return "attached later"

    assert client.get("/later").text == "attached later"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_method_shortcuts(app: Vial, client: VialClient, method: str) -> None:
    decorator = getattr(app, method)

    @decorator("/thing")
    def thing() -> str:
        return f"via {method}"

    response = getattr(client, method)("/thing")
    assert response.status_code == 200
    assert response.text == f"via {method}"
    other = "post" if method == "get" else "get"
    assert getattr(client, other)("/thing").status_code == 405


def test_method_shortcut_refuses_methods_argument(app: Vial) -> None:
    with pytest.raises(TypeError, match="methods"):
        app.get("/x", methods=["POST"])


def test_default_endpoint_is_function_name(app: Vial) -> None:
    @app.route("/a")
    def my_view() -> str:
        return ""

    assert [r.endpoint for r in app.url_map.iter_rules() if r.rule == "/a"] == ["my_view"]
    with app.test_request_context():
        assert url_for("my_view") == "/a"


def test_duplicate_endpoint_is_assertion_error_with_endpoint_name(app: Vial) -> None:
    @app.route("/one")
    def index() -> str:
        return "one"

    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: index"):

        @app.route("/two", endpoint="index")
        def other() -> str:
            return "two"


def test_same_function_on_two_rules_is_allowed(app: Vial, client: VialClient) -> None:
    def page(num: int = 1) -> str:
        return f"page {num}"

    app.add_url_rule("/", view_func=page, defaults={"num": 1})
    app.add_url_rule("/page/<int:num>", view_func=page)
    assert client.get("/").text == "page 1"
    assert client.get("/page/3").text == "page 3"


def test_methods_as_string_is_type_error(app: Vial) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        app.add_url_rule("/x", "x", lambda: "", methods="POST")


def test_setup_after_first_request_is_refused(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return ""

    client.get("/")
    with pytest.raises(AssertionError, match="already handled its first request"):
        app.add_url_rule("/late", "late", lambda: "")


def test_url_map_lists_rules(app: Vial) -> None:
    @app.route("/users/<int:user_id>", methods=["GET", "POST"])
    def user(user_id: int) -> str:
        return ""

    rules = {r.rule: r for r in app.url_map.iter_rules()}
    assert "/users/<int:user_id>" in rules
    assert rules["/users/<int:user_id>"].endpoint == "user"
    assert {"GET", "POST", "HEAD", "OPTIONS"} <= set(rules["/users/<int:user_id>"].methods or ())
    assert "/static/<path:filename>" in rules
    assert len(list(app.url_map)) == len(rules)


# -- methods, defaults, slashes ---------------------------------------------------------------


def test_methods_are_case_insensitive_and_view_sees_method(app: Vial, client: VialClient) -> None:
    from vial import request

    @app.route("/m", methods=["get", "post"])
    def m() -> str:
        return request.method

    assert client.get("/m").text == "GET"
    assert client.post("/m").text == "POST"
    assert client.put("/m").status_code == 405


def test_defaults_fill_view_arguments(app: Vial, client: VialClient) -> None:
    @app.route("/users/", defaults={"page": 1})
    @app.route("/users/page/<int:page>")
    def users(page: int) -> str:
        return f"page={page!r}"

    assert client.get("/users/").text == "page=1"
    assert client.get("/users/page/7").text == "page=7"


def test_defaults_url_redirects_to_canonical_url(app: Vial, client: VialClient) -> None:
    # Werkzeug's redirect_defaults: /users/page/1 is the same as /users/, which is canonical.
    @app.route("/users/", defaults={"page": 1})
    @app.route("/users/page/<int:page>")
    def users(page: int) -> str:
        return f"page={page}"

    response = client.get("/users/page/1")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/users/")


def test_alias_rule_redirects_to_the_canonical_url(app: Vial, client: VialClient) -> None:
    @app.route("/page/<int:n>")
    @app.route("/p/<int:n>", alias=True)
    def page(n: int) -> str:
        return f"page {n}"

    response = client.get("/p/4?x=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/page/4?x=1"
    assert client.get("/p/4", follow_redirects=True).text == "page 4"


def test_strict_slashes_redirects_with_308(app: Vial, client: VialClient) -> None:
    @app.route("/x/")
    def x() -> str:
        return "x"

    response = client.get("/x?a=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/x/?a=1"
    assert client.get("/x/").text == "x"
    followed = client.get("/x", follow_redirects=True)
    assert followed.text == "x"
    assert followed.request.path == "/x/"


def test_strict_slashes_308_keeps_the_method_and_body(app: Vial, client: VialClient) -> None:
    from vial import request

    @app.post("/form/")
    def form() -> str:
        return request.get_data(as_text=True)

    response = client.post("/form", data=b"payload", follow_redirects=True)
    assert response.status_code == 200
    assert response.text == "payload"
    assert response.history[0].status_code == 308


def test_trailing_slash_not_added_when_rule_has_none(app: Vial, client: VialClient) -> None:
    @app.route("/y")
    def y() -> str:
        return "y"

    assert client.get("/y").status_code == 200
    assert client.get("/y/").status_code == 404


def test_strict_slashes_false_matches_both(app: Vial, client: VialClient) -> None:
    @app.route("/z/", strict_slashes=False)
    def z() -> str:
        return "z"

    assert client.get("/z").status_code == 200
    assert client.get("/z/").status_code == 200


def test_redirect_under_script_root_keeps_the_mount_point(app: Vial, client: VialClient) -> None:
    @app.route("/x/")
    def x() -> str:
        return "x"

    response = client.get("/x", base_url="http://localhost/mount")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/mount/x/"


# -- HEAD, OPTIONS, 405, 404 ---------------------------------------------------------------------


def test_automatic_head_same_headers_no_body(app: Vial, client: VialClient) -> None:
    @app.route("/h")
    def h() -> tuple[str, dict[str, str]]:
        return "twelve bytes", {"X-Custom": "yes"}

    get = client.get("/h")
    head = client.head("/h")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["X-Custom"] == "yes"
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"] == "12"


def test_head_of_a_streamed_view_sends_no_body(app: Vial, client: VialClient) -> None:
    @app.route("/s")
    def s() -> object:
        return iter(["a", "b"])

    head = client.head("/s")
    assert head.status_code == 200
    assert head.data == b""


def test_automatic_options_lists_allowed_methods(app: Vial, client: VialClient) -> None:
    @app.route("/o", methods=["GET", "POST"])
    def o() -> str:
        return "body"

    response = client.options("/o")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.data == b""


def test_options_collects_methods_of_all_rules_on_the_path(app: Vial, client: VialClient) -> None:
    @app.get("/o")
    def read() -> str:
        return ""

    @app.delete("/o")
    def remove() -> str:
        return ""

    allow = set(client.options("/o").headers["Allow"].split(", "))
    assert allow == {"GET", "HEAD", "OPTIONS", "DELETE"}


def test_view_handling_options_itself(app: Vial, client: VialClient) -> None:
    @app.route("/own", methods=["GET", "OPTIONS"])
    def own() -> str:
        return "mine"

    response = client.options("/own")
    assert response.text == "mine"
    assert "Allow" not in response.headers


def test_provide_automatic_options_false(app: Vial, client: VialClient) -> None:
    app.add_url_rule("/none", "none", lambda: "x", provide_automatic_options=False)
    response = client.options("/none")
    assert response.status_code == 405
    assert "OPTIONS" not in response.headers["Allow"]


def test_405_carries_allow_header(app: Vial, client: VialClient) -> None:
    @app.route("/only-post", methods=["POST"])
    def only_post() -> str:
        return ""

    response = client.get("/only-post")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    assert response.mimetype == "text/html"
    assert "Method Not Allowed" in response.text


def test_404_for_unknown_path(app: Vial, client: VialClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.text
    assert "The requested URL was not found on the server." in response.text


def test_404_when_only_the_prefix_matches(app: Vial, client: VialClient) -> None:
    @app.route("/a/<int:n>")
    def a(n: int) -> str:
        return str(n)

    assert client.get("/a/notanint").status_code == 404
    assert client.get("/a/1/2").status_code == 404
    assert client.get("/a/5").text == "5"


# -- converters --------------------------------------------------------------------------------


def test_builtin_converters(app: Vial, client: VialClient) -> None:
    @app.route("/s/<string(length=3):code>")
    def s(code: str) -> str:
        return f"s:{code}"

    @app.route("/i/<int(min=1, max=10):n>")
    def i(n: int) -> str:
        return f"i:{n * 2}"

    @app.route("/f/<float:x>")
    def f(x: float) -> str:
        return f"f:{x + 1}"

    @app.route("/p/<path:rest>")
    def p(rest: str) -> str:
        return f"p:{rest}"

    @app.route("/u/<uuid:ident>")
    def u(ident: uuid.UUID) -> str:
        return f"u:{type(ident).__name__}:{ident}"

    @app.route("/a/<any(red, blue):colour>")
    def a(colour: str) -> str:
        return f"a:{colour}"

    assert client.get("/s/abc").text == "s:abc"
    assert client.get("/s/abcd").status_code == 404
    assert client.get("/i/5").text == "i:10"
    assert client.get("/i/11").status_code == 404
    assert client.get("/i/0").status_code == 404
    assert client.get("/f/1.5").text == "f:2.5"
    assert client.get("/f/1").status_code == 404
    assert client.get("/p/a/b/c.txt").text == "p:a/b/c.txt"
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert client.get(f"/u/{ident}").text == f"u:UUID:{ident}"
    assert client.get("/u/not-a-uuid").status_code == 404
    assert client.get("/a/red").text == "a:red"
    assert client.get("/a/green").status_code == 404


def test_int_converter_signed_and_fixed_digits(app: Vial, client: VialClient) -> None:
    @app.route("/signed/<int(signed=True):n>")
    def signed(n: int) -> str:
        return str(n)

    @app.route("/fixed/<int(fixed_digits=4):n>")
    def fixed(n: int) -> str:
        return str(n)

    assert client.get("/signed/-3").text == "-3"
    assert client.get("/fixed/0042").text == "42"
    assert client.get("/fixed/42").status_code == 404
    with app.test_request_context():
        assert url_for("fixed", n=7) == "/fixed/0007"


def test_string_converter_minlength_maxlength(app: Vial, client: VialClient) -> None:
    @app.route("/name/<string(minlength=2, maxlength=4):name>")
    def name(name: str) -> str:
        return name

    assert client.get("/name/a").status_code == 404
    assert client.get("/name/ab").text == "ab"
    assert client.get("/name/abcd").text == "abcd"
    assert client.get("/name/abcde").status_code == 404


def test_percent_encoded_path_values_are_decoded(app: Vial, client: VialClient) -> None:
    @app.route("/w/<word>")
    def w(word: str) -> str:
        return f"[{word}]"

    assert client.get("/w/caf%C3%A9").text == "[café]"
    assert client.get("/w/a%20b").text == "[a b]"
    # As under any WSGI server, %2F is decoded before routing: it is a path separator.
    assert client.get("/w/a%2Fb").status_code == 404


class _ListConverter(BaseConverter):
    def to_python(self, value: str) -> list[str]:
        return value.split(",")

    def to_url(self, value: list[str]) -> str:
        return ",".join(BaseConverter.to_url(self, v) for v in value)


class _EvenConverter(BaseConverter):
    regex = r"\d+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValidationError()
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def test_custom_converter_to_python_and_to_url(app: Vial, client: VialClient) -> None:
    app.url_map.converters["list"] = _ListConverter

    @app.route("/l/<list:items>")
    def items(items: list[str]) -> str:
        return "|".join(items)

    assert client.get("/l/a,b,c").text == "a|b|c"
    with app.test_request_context():
        assert url_for("items", items=["x", "y z"]) == "/l/x,y%20z"


def test_validation_error_means_try_next_rule(app: Vial, client: VialClient) -> None:
    app.url_map.converters["even"] = _EvenConverter

    @app.route("/n/<even:n>")
    def even(n: int) -> str:
        return f"even {n}"

    @app.route("/n/<path:n>")
    def other(n: str) -> str:
        return f"other {n}"

    assert client.get("/n/4").text == "even 4"
    assert client.get("/n/5").text == "other 5"
    assert client.get("/n/6/7").text == "other 6/7"


def test_validation_error_with_no_other_rule_is_404(app: Vial, client: VialClient) -> None:
    app.url_map.converters["even"] = _EvenConverter

    @app.route("/e/<even:n>")
    def even(n: int) -> str:
        return str(n)

    assert client.get("/e/3").status_code == 404


def test_static_and_dynamic_rules_on_one_prefix(app: Vial, client: VialClient) -> None:
    @app.route("/users/me")
    def me() -> str:
        return "me"

    @app.route("/users/<name>")
    def user(name: str) -> str:
        return f"user {name}"

    assert client.get("/users/me").text == "me"
    assert client.get("/users/bob").text == "user bob"


# -- url_for ---------------------------------------------------------------------------------------


@pytest.fixture
def routed_app(app: Vial) -> Vial:
    @app.route("/")
    def index() -> str:
        return ""

    @app.route("/post/<int:post_id>")
    def post(post_id: int) -> str:
        return ""

    @app.route("/item", methods=["GET"])
    def item_get() -> str:
        return ""

    app.add_url_rule("/item/new", "item", lambda: "", methods=["POST"])
    app.add_url_rule("/item/<int:id>", "item", methods=["GET"])
    return app


def test_url_for_basic_and_query_string(routed_app: Vial) -> None:
    with routed_app.test_request_context():
        assert url_for("index") == "/"
        assert url_for("post", post_id=3) == "/post/3"
        assert url_for("post", post_id=3, q="a b", page=2) == "/post/3?q=a+b&page=2"
        assert url_for("index", tags=["a", "b"]) == "/?tags=a&tags=b"


def test_url_for_none_values_are_dropped(routed_app: Vial) -> None:
    with routed_app.test_request_context():
        assert url_for("index", q=None) == "/"


def test_url_for_external_and_scheme(routed_app: Vial) -> None:
    with routed_app.test_request_context(base_url="http://example.com"):
        assert url_for("post", post_id=1, _external=True) == "http://example.com/post/1"
        assert url_for("post", post_id=1, _scheme="https") == "https://example.com/post/1"
        assert (
            url_for("post", post_id=1, _scheme="https", _external=True)
            == "https://example.com/post/1"
        )
        with pytest.raises(ValueError, match="_external"):
            url_for("index", _scheme="https", _external=False)


def test_url_for_anchor_is_quoted(routed_app: Vial) -> None:
    with routed_app.test_request_context():
        assert url_for("index", _anchor="top") == "/#top"
        assert url_for("index", _anchor="a b") == "/#a%20b"
        assert url_for("post", post_id=2, x="1", _anchor="s") == "/post/2?x=1#s"


def test_url_for_method_picks_rule(routed_app: Vial) -> None:
    with routed_app.test_request_context():
        assert url_for("item", _method="POST") == "/item/new"
        assert url_for("item", id=4, _method="GET") == "/item/4"


def test_url_for_percent_encodes_values(app: Vial) -> None:
    @app.route("/w/<word>")
    def w(word: str) -> str:
        return ""

    @app.route("/p/<path:rest>")
    def p(rest: str) -> str:
        return ""

    with app.test_request_context():
        # Werkzeug's converters keep "/" unquoted; "?" and "#" must be quoted.
        assert url_for("w", word="a b/c?d#e") == "/w/a%20b/c%3Fd%23e"
        assert url_for("w", word="café") == "/w/caf%C3%A9"
        assert url_for("p", rest="a b/c") == "/p/a%20b/c"
        assert url_for("w", word="x", q="&=?é") == "/w/x?q=%26%3D?%C3%A9"


def test_url_for_under_script_root(routed_app: Vial) -> None:
    with routed_app.test_request_context(base_url="http://localhost/app"):
        assert url_for("post", post_id=1) == "/app/post/1"
        assert url_for("post", post_id=1, _external=True) == "http://localhost/app/post/1"


def test_url_for_build_error_names_missing_values(routed_app: Vial) -> None:
    with routed_app.test_request_context(), pytest.raises(BuildError) as info:
        url_for("post")
    message = str(info.value)
    assert "post" in message
    assert "post_id" in message


def test_url_for_unknown_endpoint_is_build_error(routed_app: Vial) -> None:
    with routed_app.test_request_context(), pytest.raises(BuildError, match="nothere"):
        url_for("nothere")


def test_url_for_outside_request_needs_server_name(routed_app: Vial) -> None:
    with routed_app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("index")
    routed_app.config["SERVER_NAME"] = "example.org"
    routed_app.config["PREFERRED_URL_SCHEME"] = "https"
    with routed_app.app_context():
        assert url_for("post", post_id=9) == "https://example.org/post/9"


def test_url_for_inside_a_view(app: Vial, client: VialClient) -> None:
    @app.route("/target/<int:n>")
    def target(n: int) -> str:
        return ""

    @app.route("/")
    def index() -> str:
        return url_for("target", n=1) + " " + url_for("target", n=2, _external=True)

    assert client.get("/").text == "/target/1 http://localhost/target/2"


def test_url_build_error_handler(app: Vial) -> None:
    def handler(error: BuildError, endpoint: str, values: dict[str, object]) -> str:
        return f"/fallback/{endpoint}"

    app.url_build_error_handlers.append(handler)
    with app.test_request_context():
        assert url_for("missing") == "/fallback/missing"


def test_url_for_accepts_a_self_value(app: Vial) -> None:
    # Flask's app.url_for takes self positionally only, so a rule variable can be named self.
    @app.route("/<self>")
    def index(self: str) -> str:
        return self

    with app.test_request_context():
        assert url_for("index", self="2") == "/2"
        assert app.url_for("index", self="3") == "/3"


def test_endpoint_decorator_serves_rules_added_through_a_submount(
    app: Vial, client: VialClient
) -> None:
    from vial.routing import Rule, Submount

    app.url_map.add(Submount("/foo", [Rule("/bar", endpoint="bar"), Rule("/", endpoint="index")]))

    @app.endpoint("bar")
    def bar() -> str:
        return "bar"

    @app.endpoint("index")
    def index() -> str:
        return "index"

    assert client.get("/foo/").text == "index"
    assert client.get("/foo/bar").text == "bar"
    with app.test_request_context():
        assert url_for("bar") == "/foo/bar"
