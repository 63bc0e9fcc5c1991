"""Routing behavior: matching, redirects, errors and URL building (Werkzeug's semantics)."""

from __future__ import annotations

import typing as t

import pytest

from vial.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound
from vial.routing import (
    BuildError,
    Map,
    MapAdapter,
    RequestRedirect,
    RoutingException,
    Rule,
    WebsocketMismatch,
)


def adapter(*rules: Rule, **bind: t.Any) -> MapAdapter:
    return Map(list(rules)).bind(bind.pop("server_name", "example.com"), **bind)


# -- basic matching -----------------------------------------------------------------


def test_static_and_dynamic_match() -> None:
    a = adapter(
        Rule("/", endpoint="index"),
        Rule("/users/<int:user_id>/posts/<slug>", endpoint="post"),
        Rule("/about", endpoint="about"),
    )
    assert a.match("/") == ("index", {})
    assert a.match("/about") == ("about", {})
    assert a.match("/users/42/posts/hello") == ("post", {"user_id": 42, "slug": "hello"})


def test_not_found() -> None:
    a = adapter(Rule("/about", endpoint="about"), Rule("/u/<int:id>", endpoint="u"))
    for path in ["/nope", "/about/x", "/u/abc", "/u/", ""]:
        with pytest.raises(NotFound):
            a.match(path)


def test_match_returns_rule_and_a_fresh_dict() -> None:
    rule = Rule("/static", endpoint="s")
    a = adapter(rule)
    found, args = a.match("/static", return_rule=True)
    assert found is rule
    args["x"] = 1
    assert a.match("/static") == ("s", {})


def test_static_beats_converter_and_weights_order_converters() -> None:
    a = adapter(
        Rule("/<name>", endpoint="name"),
        Rule("/<int:id>", endpoint="id"),
        Rule("/new", endpoint="new"),
        Rule("/<name>.json", endpoint="json"),
    )
    assert a.match("/new") == ("new", {})
    assert a.match("/12") == ("id", {"id": 12})
    assert a.match("/bob") == ("name", {"name": "bob"})
    assert a.match("/bob.json") == ("json", {"name": "bob"})


def test_backtracks_when_a_deeper_segment_fails() -> None:
    a = adapter(
        Rule("/a/<x>/edit", endpoint="edit"),
        Rule("/<y>/b/view", endpoint="view"),
    )
    assert a.match("/a/b/view") == ("view", {"y": "a"})
    assert a.match("/a/b/edit") == ("edit", {"x": "b"})


def test_mixed_segment_and_path_converter() -> None:
    a = adapter(
        Rule("/file-<int:id>.txt", endpoint="file"),
        Rule("/static/<path:filename>", endpoint="static"),
        Rule("/<path:p>/edit", endpoint="edit"),
    )
    assert a.match("/file-7.txt") == ("file", {"id": 7})
    assert a.match("/static/css/site.css") == ("static", {"filename": "css/site.css"})
    assert a.match("/a/b/c/edit") == ("edit", {"p": "a/b/c"})
    with pytest.raises(NotFound):
        a.match("/static/")


def test_validation_error_moves_on_to_next_rule() -> None:
    a = adapter(
        Rule("/n/<int(max=9):small>", endpoint="small"),
        Rule("/n/<int:big>", endpoint="big"),
        Rule("/p/<int(max=9):x>/<path:rest>", endpoint="tail"),
        Rule("/p/<path:all>", endpoint="all"),
    )
    assert a.match("/n/5") == ("small", {"small": 5})
    assert a.match("/n/50") == ("big", {"big": 50})
    assert a.match("/p/5/x/y") == ("tail", {"x": 5, "rest": "x/y"})
    assert a.match("/p/50/x") == ("all", {"all": "50/x"})


def test_defaults_are_part_of_view_args() -> None:
    a = adapter(
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/x/<int:n>", defaults={"flag": True}, endpoint="x"),
    )
    assert a.match("/page/") == ("page", {"n": 1})
    assert a.match("/page/2") == ("page", {"n": 2})
    assert a.match("/x/3") == ("x", {"n": 3, "flag": True})


def test_build_only_rules_never_match() -> None:
    a = adapter(Rule("/ext", endpoint="ext", build_only=True))
    with pytest.raises(NotFound):
        a.match("/ext")
    assert a.build("ext") == "/ext"


def test_unicode_paths() -> None:
    a = adapter(Rule("/Fräulein/<name>", endpoint="f"))
    assert a.match("/Fräulein/Müller") == ("f", {"name": "Müller"})
    assert a.build("f", {"name": "Müller"}) == "/Fr%C3%A4ulein/M%C3%BCller"


# -- methods and websockets --------------------------------------------------------------


def test_methods_and_405() -> None:
    a = adapter(
        Rule("/item", methods=["GET"], endpoint="get"),
        Rule("/item", methods=["post", "PUT"], endpoint="write"),
    )
    assert a.match("/item", "GET") == ("get", {})
    assert a.match("/item", "HEAD") == ("get", {})
    assert a.match("/item", "PUT") == ("write", {})
    with pytest.raises(MethodNotAllowed) as info:
        a.match("/item", "DELETE")
    assert info.value.valid_methods == ["GET", "HEAD", "POST", "PUT"]
    assert ("Allow", "GET, HEAD, POST, PUT") in info.value.get_headers()
    assert a.allowed_methods("/item") == ["GET", "HEAD", "POST", "PUT"]
    assert a.allowed_methods("/nothing") == []


def test_method_mismatch_falls_through_to_dynamic_rule() -> None:
    a = adapter(
        Rule("/u/new", methods=["GET"], endpoint="new"),
        Rule("/u/<name>", methods=["POST"], endpoint="create"),
    )
    assert a.match("/u/new", "POST") == ("create", {"name": "new"})
    with pytest.raises(MethodNotAllowed) as info:
        a.match("/u/other", "GET")
    assert info.value.valid_methods == ["POST"]


def test_rule_methods_normalised() -> None:
    rule = Rule("/", methods=["get", "post"])
    assert rule.methods == {"GET", "HEAD", "POST"}
    assert Rule("/").methods is None
    with pytest.raises(TypeError):
        Rule("/", methods="GET")


def test_websocket_rules() -> None:
    a = adapter(
        Rule("/ws", endpoint="ws", websocket=True),
        Rule("/http", endpoint="http"),
    )
    assert a.match("/ws", websocket=True) == ("ws", {})
    with pytest.raises(WebsocketMismatch) as info:
        a.match("/ws")
    assert isinstance(info.value, BadRequest)
    with pytest.raises(WebsocketMismatch):
        a.match("/http", websocket=True)
    with pytest.raises(ValueError, match="WebSocket"):
        Rule("/ws", websocket=True, methods=["POST"])
    assert (
        Map([Rule("/ws", endpoint="ws", websocket=True)])
        .bind("example.com", url_scheme="https")
        .build("ws")
        == "wss://example.com/ws"
    )
    ws_adapter = Map([Rule("/ws", endpoint="ws", websocket=True)]).bind(
        "example.com", url_scheme="ws"
    )
    assert ws_adapter.websocket is True
    assert ws_adapter.match("/ws") == ("ws", {})
    assert ws_adapter.build("ws") == "/ws"


# -- slashes and redirects ------------------------------------------------------------


def test_strict_slashes_redirect_keeps_query() -> None:
    a = adapter(Rule("/docs/", endpoint="docs"), script_name="/app", query_args="q=1&r=2")
    with pytest.raises(RequestRedirect) as info:
        a.match("/docs")
    redirect = info.value
    assert redirect.code == 308
    assert redirect.new_url == "http://example.com/app/docs/?q=1&r=2"
    assert ("Location", redirect.new_url) in redirect.get_headers()
    assert "docs/" in redirect.get_body()
    assert isinstance(redirect, HTTPException)
    assert isinstance(redirect, RoutingException)
    with pytest.raises(RequestRedirect) as info:
        a.match("/docs", query_args={"a": "b c"})
    assert info.value.new_url.endswith("/docs/?a=b+c")


def test_no_slash_rule_does_not_match_with_slash() -> None:
    a = adapter(Rule("/about", endpoint="about"))
    with pytest.raises(NotFound):
        a.match("/about/")


def test_strict_slashes_false_accepts_both() -> None:
    url_map = Map(strict_slashes=False)
    url_map.add(Rule("/a/", endpoint="a"))
    url_map.add(Rule("/b", endpoint="b"))
    url_map.add(Rule("/c/", endpoint="c", strict_slashes=True))
    a = url_map.bind("example.com")
    assert a.match("/a") == ("a", {})
    assert a.match("/a/") == ("a", {})
    assert a.match("/b/") == ("b", {})
    with pytest.raises(RequestRedirect):
        a.match("/c")


def test_slash_redirect_beats_catch_all_but_not_for_other_methods() -> None:
    a = adapter(Rule("/f/", endpoint="f", methods=["GET"]), Rule("/<a>", endpoint="a"))
    with pytest.raises(RequestRedirect):
        a.match("/f", "GET")
    assert a.match("/f", "POST") == ("a", {"a": "f"})


def test_strict_slashes_redirect_for_path_converter_rules() -> None:
    a = adapter(
        Rule("/bar/", endpoint="bar", methods=["GET"]),
        Rule("/<path:var>/", endpoint="path", methods=["GET"]),
        Rule("/docs/<path:page>/", endpoint="docs"),
        Rule("/files/<path:name>", endpoint="files"),
    )
    assert a.match("/abc/") == ("path", {"var": "abc"})
    for path, target in [("/abc", "/abc/"), ("/docs/a/b", "/docs/a/b/"), ("/x/y", "/x/y/")]:
        with pytest.raises(RequestRedirect) as info:
            a.match(path)
        assert info.value.new_url == "http://example.com" + target
    assert a.match("/files/a/b") == ("files", {"name": "a/b"})
    lenient = Map([Rule("/docs/<path:page>/", endpoint="docs", strict_slashes=False)])
    assert lenient.bind("example.com").match("/docs/a/b") == ("docs", {"page": "a/b"})


@pytest.mark.parametrize(
    ("rules", "path", "expected"),
    [
        # A path-converter rule with more literal text is tried first, as in Werkzeug.
        (["/<path:name>/edit", "/<admin>/<manage>/<things>"], "/Some/Page/edit", 0),
        (["/<a>/<b>/<c>", "/<path:name>/edit"], "/Some/Page/edit", 1),
        (["/<path:p>/c", "/<path:p>/<a>/<b>"], "/a/b/c", 0),
        (["/<path:p>/<a>/<b>", "/<path:p>/c"], "/a/b/c", 1),
        (["/<a>/edit", "/<path:p>/edit"], "/y/edit", 1),
        # Slashes are not literal text: lower converter weight decides.
        (["/<path:p>", "/<a>/<b>"], "/x/y", 1),
        (["/<path:p>", "/<a>/<b>"], "/x/y/z", 0),
        (["/files/<path:p>", "/<a>/<b>"], "/files/y", 0),
    ],
)
def test_path_converter_rules_take_werkzeugs_priority(
    rules: list[str], path: str, expected: int
) -> None:
    a = adapter(*(Rule(rule, endpoint=index) for index, rule in enumerate(rules)))
    assert a.match(path)[0] == expected


def test_strict_slash_redirect_of_a_path_rule_comes_in_priority_order() -> None:
    # As in Werkzeug: the higher-priority rule asks for its slash before a lower one matches.
    a = adapter(Rule("/<path:a>/<path:b>/", endpoint="ab"), Rule("/<path:p>", endpoint="p"))
    with pytest.raises(RequestRedirect) as info:
        a.match("/x/y")
    assert info.value.new_url == "http://example.com/x/y/"
    assert a.match("/x") == ("p", {"p": "x"})


def test_merge_slashes() -> None:
    a = adapter(Rule("/a/b", endpoint="ab"), Rule("/f/", endpoint="f"))
    with pytest.raises(RequestRedirect) as info:
        a.match("/a//b")
    assert info.value.new_url == "http://example.com/a/b"
    with pytest.raises(RequestRedirect) as info:
        a.match("//f//")
    assert info.value.new_url == "http://example.com/f/"
    with pytest.raises(NotFound):
        a.match("/x//y")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a%3Fb", "http://example.com/a%3Fb/"),  # a decoded "?" must not start a query
        ("/a%23b", "http://example.com/a%23b/"),
        ("/a%25b", "http://example.com/a%25b/"),
        ("/\u00f6\u00e4\u00fc", "http://example.com/%C3%B6%C3%A4%C3%BC/"),
    ],
)
def test_slash_redirect_quotes_the_decoded_path(path: str, expected: str) -> None:
    from urllib.parse import unquote

    a = adapter(Rule("/<name>/", endpoint="n"))
    with pytest.raises(RequestRedirect) as info:
        a.match(unquote(path))
    assert info.value.new_url == expected


def test_merge_slashes_redirect_quotes_the_decoded_path() -> None:
    a = adapter(Rule("/merge/<some>/path", endpoint="m"))
    with pytest.raises(RequestRedirect) as info:
        a.match("/merge/%?#//path")
    assert info.value.new_url == "http://example.com/merge/%25%3F%23/path"


def test_slash_redirect_through_the_app_keeps_the_path_and_query() -> None:
    from vial import Vial

    app = Vial(__name__)

    @app.route("/<name>/")
    def show(name: str) -> str:
        return name

    client = app.test_client()
    response = client.get("/a%3Fb?x=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/a%3Fb/?x=1"
    assert client.get("/a%3Fb?x=1", follow_redirects=True).data == b"a?b"


def test_merge_slashes_off_and_slashes_in_path_values_kept() -> None:
    url_map = Map(merge_slashes=False)
    url_map.add(Rule("/a/b", endpoint="ab"))
    url_map.add(Rule("/p/<path:rest>", endpoint="p"))
    a = url_map.bind("example.com")
    with pytest.raises(NotFound):
        a.match("/a//b")
    assert a.match("/p/x//y") == ("p", {"rest": "x//y"})
    assert adapter(Rule("/p/<path:rest>", endpoint="p")).match("/p/x//y") == (
        "p",
        {"rest": "x//y"},
    )


def test_rule_with_double_slash_is_merged() -> None:
    a = adapter(Rule("/a//b", endpoint="ab"))
    assert a.match("/a/b") == ("ab", {})
    assert a.build("ab") == "/a/b"


def test_merge_slashes_with_method_mismatch_is_405() -> None:
    a = adapter(Rule("/a/b", endpoint="ab", methods=["POST"]))
    with pytest.raises(MethodNotAllowed):
        a.match("/a/b", "GET")
    with pytest.raises(RequestRedirect):
        a.match("/a//b", "POST")


def test_redirect_defaults() -> None:
    a = adapter(
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
        Rule("/page/<int:n>", endpoint="page"),
        query_args="x=1",
    )
    with pytest.raises(RequestRedirect) as info:
        a.match("/page/1")
    assert info.value.new_url == "http://example.com/page/?x=1"
    assert a.match("/page/2") == ("page", {"n": 2})
    no_redirect = Map(
        [Rule("/page/", defaults={"n": 1}, endpoint="p"), Rule("/page/<int:n>", endpoint="p")],
        redirect_defaults=False,
    ).bind("example.com")
    assert no_redirect.match("/page/1") == ("p", {"n": 1})


def test_redirect_to_string_and_callable() -> None:
    def to_user(adapter: MapAdapter, id: int) -> str:
        return f"/people/{id}"

    a = adapter(
        Rule("/old/<int:id>", redirect_to="new/<id>", endpoint="old"),
        Rule("/older/<int:id>", redirect_to=to_user, endpoint="older"),
        Rule("/abs", redirect_to="https://other.example/x", endpoint="abs"),
        script_name="/app",
    )
    with pytest.raises(RequestRedirect) as info:
        a.match("/old/5")
    assert info.value.new_url == "http://example.com/app/new/5"
    with pytest.raises(RequestRedirect) as info:
        a.match("/older/5")
    assert info.value.new_url == "http://example.com/people/5"
    with pytest.raises(RequestRedirect) as info:
        a.match("/abs")
    assert info.value.new_url == "https://other.example/x"


def test_adapter_test_helper() -> None:
    a = adapter(Rule("/x/", endpoint="x"))
    assert a.test("/x/")
    assert a.test("/x")
    assert not a.test("/y")


# -- Map.match_path, the app's fast path -----------------------------------------------


def test_match_path() -> None:
    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/u/<int:id>", endpoint="user", methods=["GET"]),
            Rule("/docs/", endpoint="docs"),
            Rule("/old", redirect_to="/new", endpoint="old"),
            Rule("/call", redirect_to=lambda adapter: "/called", endpoint="call"),
        ]
    )
    rule, args = url_map.match_path("/u/3", "GET")
    assert (rule.endpoint, args) == ("user", {"id": 3})
    assert url_map.match_path("", "GET")[0].endpoint == "index"
    assert url_map.match_path("u/3", "GET")[1] == {"id": 3}
    with pytest.raises(MethodNotAllowed):
        url_map.match_path("/u/3", "POST")
    with pytest.raises(NotFound):
        url_map.match_path("/nope", "GET")
    with pytest.raises(RequestRedirect) as info:
        url_map.match_path("/docs", "GET", script_name="/app/", query_string="a=1")
    assert info.value.new_url == "/app/docs/?a=1"
    with pytest.raises(RequestRedirect) as info:
        url_map.match_path("/docs", "GET")
    assert info.value.new_url == "/docs/"
    with pytest.raises(RequestRedirect) as info:
        url_map.match_path("/old", "GET", script_name="/app")
    assert info.value.new_url == "/new"
    with pytest.raises(RequestRedirect) as info:
        url_map.match_path("/call", "GET")
    assert info.value.new_url == "/called"


def test_rules_added_after_matching_started() -> None:
    url_map = Map([Rule("/a", endpoint="a")])
    assert url_map.match_path("/a", "GET")[0].endpoint == "a"
    url_map.add(Rule("/b/<int:x>", endpoint="b"))
    assert url_map.match_path("/b/1", "GET")[1] == {"x": 1}
    assert url_map.bind("h").build("b", {"x": 2}) == "/b/2"


def test_rule_refresh_after_changing_the_pattern() -> None:
    url_map = Map([Rule("/a", endpoint="a"), Rule("/b/<int:x>", endpoint="b")])
    a = url_map.bind("example.com")
    assert a.match("/a") == ("a", {})  # the map is compiled before the change
    rule = next(url_map.iter_rules("a"))
    rule.rule = "/c/<name>/"
    rule.refresh()
    assert a.match("/c/z/") == ("a", {"name": "z"})
    with pytest.raises(NotFound):
        a.match("/a")
    assert a.build("a", {"name": "y"}) == "/c/y/"
    assert rule.arguments == {"name"} and rule.is_branch
    # The strict-slash redirect follows the new pattern too.
    with pytest.raises(RequestRedirect) as info:
        a.match("/c/z")
    assert info.value.new_url == "http://example.com/c/z/"
    # A converter change: the dynamic rule now takes any text.
    rule = next(url_map.iter_rules("b"))
    rule.rule = "/b/<x>"
    rule.refresh()
    assert a.match("/b/xyz") == ("b", {"x": "xyz"})


def test_rule_refresh_after_changing_methods_defaults_and_subdomain() -> None:
    url_map = Map([Rule("/d/<name>", endpoint="d", defaults={"k": 1}, methods=["POST"])])
    rule = next(url_map.iter_rules("d"))
    assert url_map.bind("h").match("/d/z", "POST") == ("d", {"name": "z", "k": 1})
    rule.methods = {"get"}
    rule.defaults = {"k": 2, "extra": True}
    rule.refresh()
    assert rule.methods == {"GET", "HEAD"}
    assert rule.arguments == {"name", "k", "extra"}
    assert url_map.bind("h").match("/d/z", "GET") == ("d", {"name": "z", "k": 2, "extra": True})
    with pytest.raises(MethodNotAllowed):
        url_map.bind("h").match("/d/z", "POST")
    rule.subdomain = "api"
    rule.refresh()
    with pytest.raises(NotFound):
        url_map.bind("example.com").match("/d/z")
    api = url_map.bind("example.com", subdomain="api")
    assert api.match("/d/z")[0] == "d"
    assert url_map.bind("example.com").build("d", {"name": "q"}) == "http://api.example.com/d/q"


def test_rule_refresh_errors_keep_the_rule() -> None:
    with pytest.raises(RuntimeError, match="not bound"):
        Rule("/x", endpoint="x").refresh()
    url_map = Map([Rule("/x/<int:n>", endpoint="x")])
    rule = next(url_map.iter_rules("x"))
    for bad in ("no-slash", "/x/<nope:n>", "/x/<a>/<a>"):
        rule.rule = bad
        with pytest.raises(ValueError):
            rule.refresh()
    # The failed refreshes left the rule (and the map) as compiled before.
    assert url_map.bind("h").match("/x/3") == ("x", {"n": 3})
    assert url_map.bind("h").build("x", {"n": 4}) == "/x/4"
    rule.rule = "/y/<int:n>"
    rule.refresh()
    assert url_map.bind("h").match("/y/3") == ("x", {"n": 3})


# -- subdomains and hosts -----------------------------------------------------------------


def test_subdomains_match_and_build() -> None:
    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Rule("/", subdomain="<user>", endpoint="user_index"),
            Rule("/about", subdomain="www", endpoint="about"),
        ],
        default_subdomain="www",
    )
    a = url_map.bind("example.com", subdomain="alice")
    assert a.match("/") == ("user_index", {"user": "alice"})
    assert a.build("user_index", {"user": "alice"}) == "/"
    assert a.build("user_index", {"user": "bob"}) == "http://bob.example.com/"
    assert a.build("about") == "http://www.example.com/about"
    www = url_map.bind("example.com")
    assert www.match("/") == ("index", {})
    assert www.match("/about") == ("about", {})
    assert url_map.match_path("/", "GET", subdomain="carol")[1] == {"user": "carol"}


def test_bind_to_environ_subdomain_and_port() -> None:
    url_map = Map([Rule("/", subdomain="<user>", endpoint="u"), Rule("/x", endpoint="x")])
    environ = {
        "HTTP_HOST": "alice.example.com:80",
        "wsgi.url_scheme": "http",
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
    }
    a = url_map.bind_to_environ(environ, server_name="example.com")
    assert a.server_name == "example.com"
    assert a.subdomain == "alice"
    assert a.match() == ("u", {"user": "alice"})
    other = url_map.bind_to_environ(dict(environ, HTTP_HOST="evil.test"), "example.com")
    with pytest.raises(NotFound):
        other.match()
    plain = url_map.bind_to_environ(dict(environ, HTTP_HOST="example.com", PATH_INFO="/x"))
    assert plain.subdomain == ""
    assert plain.match() == ("x", {})


@pytest.mark.parametrize(
    ("scheme", "server_name"), [("http", "example.com:80"), ("https", "example.com:443")]
)
def test_bind_to_environ_server_name_with_default_port(scheme: str, server_name: str) -> None:
    url_map = Map([Rule("/", subdomain="<user>", endpoint="u"), Rule("/x", endpoint="x")])
    environ = {
        "HTTP_HOST": "alice.example.com",
        "wsgi.url_scheme": scheme,
        "PATH_INFO": "/",
        "SCRIPT_NAME": "",
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "",
    }
    a = url_map.bind_to_environ(environ, server_name=server_name)
    assert a.server_name == "example.com"
    assert a.match() == ("u", {"user": "alice"})
    assert a.build("x", force_external=True) == f"{scheme}://example.com/x"
    assert a.build("u", {"user": "bob"}) == f"{scheme}://bob.example.com/"


def test_subdomain_matching_with_server_name_default_port() -> None:
    from vial import Vial

    app = Vial(__name__, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.com:80"

    @app.route("/", subdomain="<user>")
    def home(user: str) -> str:
        return user

    response = app.test_client().get("/", base_url="http://alice.example.com")
    assert response.status_code == 200
    assert response.data == b"alice"


def test_bind_to_environ_decodes_path_and_detects_websocket() -> None:
    url_map = Map([Rule("/ü/<x>", endpoint="u"), Rule("/ws", endpoint="ws", websocket=True)])
    environ = {
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "8080",
        "wsgi.url_scheme": "https",
        "PATH_INFO": "/ü/ä".encode().decode("latin-1"),
        "SCRIPT_NAME": "/app",
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "a=1",
    }
    a = url_map.bind_to_environ(environ)
    assert a.server_name == "example.com:8080"
    assert a.script_name == "/app/"
    assert a.default_method == "POST"
    assert a.match() == ("u", {"x": "ä"})
    ws = url_map.bind_to_environ(
        dict(environ, PATH_INFO="/ws", HTTP_UPGRADE="websocket", HTTP_CONNECTION="Upgrade")
    )
    assert ws.url_scheme == "wss"
    assert ws.match() == ("ws", {})

    class Request:
        def __init__(self, environ: dict[str, t.Any]) -> None:
            self.environ = environ

    assert url_map.bind_to_environ(Request(environ)).match() == ("u", {"x": "ä"})


def test_host_matching() -> None:
    url_map = Map(
        [
            Rule("/", host="example.com", endpoint="main"),
            Rule("/", host="<user>.example.org", endpoint="user"),
            Rule("/static/<path:f>", host="cdn.example.com", endpoint="static"),
        ],
        host_matching=True,
    )
    a = url_map.bind("example.com")
    assert a.match("/") == ("main", {})
    assert url_map.bind("bob.example.org").match("/") == ("user", {"user": "bob"})
    with pytest.raises(NotFound):
        url_map.bind("other.net").match("/")
    assert a.build("main") == "/"
    assert a.build("user", {"user": "al"}) == "http://al.example.org/"
    assert a.build("static", {"f": "a.css"}) == "http://cdn.example.com/static/a.css"
    assert url_map.match_path("/", "GET", host="zed.example.org")[1] == {"user": "zed"}
    with pytest.raises(RuntimeError):
        url_map.bind("example.com", subdomain="x")


def test_host_matching_builds_the_rule_of_the_bound_host() -> None:
    url_map = Map(
        [
            Rule("/", endpoint="index", host="alpha.example.com"),
            Rule("/", endpoint="index", host="beta.example.com"),
            Rule("/", endpoint="gamma", host="gamma.example.com"),
        ],
        host_matching=True,
    )
    alpha = url_map.bind("alpha.example.com")
    assert alpha.build("index") == "/"
    assert alpha.build("gamma") == "http://gamma.example.com/"
    assert url_map.bind("BeTa.ExAmPlE.CoM").build("index") == "/"
    assert url_map.bind("other.example.com").build("index") == "http://alpha.example.com/"


def test_host_matching_bind_to_environ() -> None:
    url_map = Map([Rule("/", host="example.com:8080", endpoint="main")], host_matching=True)
    environ = {"HTTP_HOST": "Example.com:8080", "wsgi.url_scheme": "http", "PATH_INFO": "/"}
    assert url_map.bind_to_environ(environ).match() == ("main", {})


# -- building --------------------------------------------------------------------------


def test_build_basics_and_script_name() -> None:
    a = adapter(
        Rule("/", endpoint="index"),
        Rule("/u/<int:id>", endpoint="user"),
        script_name="/app",
    )
    assert a.build("index") == "/app/"
    assert a.build("user", {"id": 5}) == "/app/u/5"
    assert a.build("user", {"id": 5}, force_external=True) == "http://example.com/app/u/5"
    assert a.build("user", {"id": 5}, url_scheme="https") == "https://example.com/app/u/5"


def test_build_quotes_path_and_query() -> None:
    a = adapter(
        Rule("/s/<x>", endpoint="s"), Rule("/q", endpoint="q"), Rule("/p/<path:p>", endpoint="p")
    )
    tricky = "a b/c?d#e&f=g~!$'()*+,;:@%ü"
    assert a.build("s", {"x": tricky}) == "/s/a%20b/c%3Fd%23e&f=g~!$'()*+,;:@%25%C3%BC"
    assert a.build("q", {"x": tricky}) == "/q?x=a+b/c?d%23e%26f%3Dg~!$'()*%2B,;:@%25%C3%BC"
    assert a.build("p", {"p": "a b/c"}) == "/p/a%20b/c"


def test_build_query_lists_none_and_order() -> None:
    a = adapter(Rule("/q", endpoint="q"))
    assert a.build("q", {"b": [1, 2], "a": "x", "n": None}) == "/q?b=1&b=2&a=x"
    assert a.build("q", {"b": 1}, append_unknown=False) == "/q"
    sorted_map = Map([Rule("/q", endpoint="q")], sort_parameters=True)
    assert sorted_map.bind("h").build("q", {"b": 1, "a": 2}) == "/q?a=2&b=1"
    keyed = Map([Rule("/q", endpoint="q")], sort_parameters=True, sort_key=lambda kv: -kv[1])
    assert keyed.bind("h").build("q", {"b": 1, "a": 2}) == "/q?a=2&b=1"


def test_build_multidict_like_values() -> None:
    class Multi:
        def __init__(self, data: dict[str, list[t.Any]]) -> None:
            self.data = data

        def __iter__(self) -> t.Iterator[str]:
            return iter(self.data)

        def getlist(self, key: str) -> list[t.Any]:
            return self.data[key]

        def items(self) -> t.Any:  # pragma: no cover - not used for multidicts
            return self.data.items()

    a = adapter(Rule("/u/<int:id>", endpoint="u"))
    assert a.build("u", t.cast(t.Any, Multi({"id": [3], "t": ["a", "b"], "e": []}))) == (
        "/u/3?t=a&t=b"
    )


def test_build_picks_rule_by_values_defaults_and_method() -> None:
    a = adapter(
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
        Rule("/page/<int:n>", endpoint="page"),
        Rule("/item", methods=["GET"], endpoint="item"),
        Rule("/item/new", methods=["POST"], endpoint="item"),
        Rule("/alias", endpoint="al", alias=True),
        Rule("/canonical", endpoint="al"),
    )
    assert a.build("page") == "/page/"
    assert a.build("page", {"n": 1}) == "/page/"
    assert a.build("page", {"n": 2}) == "/page/2"
    assert a.build("item") == "/item"
    assert a.build("item", method="POST") == "/item/new"
    assert a.build("al") == "/canonical"


def test_alias_match_redirects_to_a_rule_that_is_not_an_alias() -> None:
    a = adapter(
        Rule("/page/<int:n>", endpoint="p"),
        Rule("/p/<int:n>", endpoint="p", alias=True),
        Rule("/x/<int:n>", endpoint="x", methods=["POST"]),
        Rule("/xa/<int:n>", endpoint="x", alias=True, methods=["GET", "POST"]),
        Rule("/only", endpoint="o", alias=True),
        script_name="/root",
    )
    with pytest.raises(RequestRedirect) as info:
        a.match("/p/3", query_args="a=1")
    assert info.value.new_url == "http://example.com/root/page/3?a=1"
    with pytest.raises(RequestRedirect) as info:
        a.match("/xa/2", "POST")
    assert info.value.new_url == "http://example.com/root/x/2"
    assert a.match("/xa/2", "GET") == ("x", {"n": 2})
    assert a.match("/only") == ("o", {})
    unredirected = Map(
        [Rule("/page/<int:n>", endpoint="p"), Rule("/p/<int:n>", endpoint="p", alias=True)],
        redirect_defaults=False,
    )
    assert unredirected.bind("example.com").match("/p/1") == ("p", {"n": 1})


def test_build_prefers_default_method_then_any() -> None:
    a = adapter(Rule("/only-post", methods=["POST"], endpoint="p"))
    assert a.build("p") == "/only-post"


def test_build_error_messages() -> None:
    a = adapter(
        Rule("/u/<int:id>", endpoint="user"),
        Rule("/p", endpoint="post_only", methods=["POST"]),
        Rule("/page/", defaults={"n": 1}, endpoint="page"),
    )
    with pytest.raises(BuildError) as info:
        a.build("usr", {"id": 1})
    error = info.value
    assert isinstance(error, LookupError)
    assert isinstance(error, RoutingException)
    assert (error.endpoint, error.values, error.method) == ("usr", {"id": 1}, None)
    assert "Could not build url for endpoint 'usr' with values ['id']." in str(error)
    assert "Did you mean 'user' instead?" in str(error)
    assert error.suggested is None
    with pytest.raises(BuildError) as info:
        a.build("user")
    assert "Did you forget to specify values ['id']?" in str(info.value)
    assert info.value.suggested is not None
    with pytest.raises(BuildError) as info:
        a.build("post_only", method="GET")
    assert "Did you mean to use methods ['POST']?" in str(info.value)
    assert "('GET')" in str(info.value)
    with pytest.raises(BuildError) as info:
        a.build("page", {"n": 2})
    assert "differ from the rule's defaults" in str(info.value)
    assert str(BuildError("zzz", {}, None, a)) == "Could not build url for endpoint 'zzz'."
    assert "Could not build url" in str(BuildError("zzz", {}, None))


def test_build_with_to_url_refusing_value() -> None:
    a = adapter(Rule("/<any(a, b):x>", endpoint="x"))
    assert a.build("x", {"x": "a"}) == "/a"
    with pytest.raises(ValueError, match="not one of"):
        a.build("x", {"x": "c"})


# -- rules and the map ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("string", "message"),
    [
        ("no-slash", "must start with a slash"),
        ("/<a>/<a>", "twice"),
        ("/<a", "malformed"),
        ("/a>", "malformed"),
        ("/<int:>", "malformed"),
    ],
)
def test_invalid_rules(string: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rule(string)


def test_invalid_rules_at_bind() -> None:
    with pytest.raises(LookupError, match="does not exist"):
        Map([Rule("/<nope:x>")])
    with pytest.raises(ValueError, match="does not exist"):
        Map([Rule("/<nope:x>")])
    with pytest.raises(ValueError, match="twice"):
        Map([Rule("/<user>", subdomain="<user>")])
    with pytest.raises(ValueError, match="cannot parse"):
        Map([Rule("/<int(min=):x>")])
    rule = Rule("/x")
    Map([rule])
    with pytest.raises(RuntimeError, match="already bound"):
        Map([rule])


def test_rule_attributes_and_repr() -> None:
    rule = Rule(
        "/u/<int:id>", endpoint="user", methods=["GET"], defaults={"page": 1}, subdomain="api"
    )
    assert repr(rule) == "<Rule (unbound)>"
    assert rule.arguments == {"id", "page"}
    assert rule.provide_automatic_options is False
    url_map = Map([rule])
    assert rule.map is url_map
    assert rule.rule == "/u/<int:id>"
    assert rule.endpoint == "user"
    assert rule.subdomain == "api"
    assert rule.strict_slashes is True
    assert rule.websocket is False
    assert repr(rule) == "<Rule '/u/<int:id>' (GET, HEAD) -> user>"
    assert "Map([<Rule '/u/<int:id>'" in repr(url_map)


def test_rule_str_is_its_pattern() -> None:
    """``str(rule)`` is the pattern, as in Werkzeug; listings such as Flask-Limiter's
    ``limits`` command print ``f"{endpoint}: {rule}"`` and expect ``root: /``."""
    rule = Rule("/u/<int:id>", endpoint="user")
    assert str(rule) == "/u/<int:id>"
    Map([rule])
    assert str(rule) == f"{rule}" == "/u/<int:id>"
    assert repr(rule).startswith("<Rule '/u/<int:id>'")


def test_rule_trace_lists_pieces_in_order() -> None:
    """Werkzeug's private ``Rule._trace``: Flask-Smorest builds each OpenAPI path
    parameter from its variable entries, and failed on every route without it."""
    rule = Rule("/users/<int:user_id>/posts/<slug>", endpoint="post", subdomain="<tenant>")
    Map([rule])
    assert rule._trace == [
        (True, "tenant"),
        (False, "|"),
        (False, "/users/"),
        (True, "user_id"),
        (False, "/posts/"),
        (True, "slug"),
    ]
    static = Rule("/about", endpoint="about")
    Map([static])
    assert static._trace == [(False, "|"), (False, "/about")]


def test_map_iteration_and_endpoint_queries() -> None:
    rules = [
        Rule("/a", endpoint="a"),
        Rule("/b/<x>", endpoint="b"),
        Rule("/b/<x>/<y>", endpoint="b"),
    ]
    url_map = Map(rules)
    assert list(url_map) == rules
    assert list(url_map.iter_rules()) == rules
    assert list(url_map.iter_rules("b")) == rules[1:]
    with pytest.raises(KeyError):
        url_map.iter_rules("nope")
    assert url_map.is_endpoint_expecting("b", "x")
    assert url_map.is_endpoint_expecting("b", "x", "y")
    assert not url_map.is_endpoint_expecting("a", "x")


def test_map_converters_are_per_map() -> None:
    from vial.routing import BaseConverter

    class ListConverter(BaseConverter):
        def to_python(self, value: str) -> list[str]:
            return value.split(",")

        def to_url(self, value: t.Any) -> str:
            return ",".join(super(ListConverter, self).to_url(v) for v in value)

    url_map = Map()
    url_map.converters["list"] = ListConverter
    url_map.add(Rule("/l/<list:items>", endpoint="l"))
    assert "list" not in Map().converters
    assert "list" not in Map.default_converters
    a = url_map.bind("h")
    assert a.match("/l/a,b") == ("l", {"items": ["a", "b"]})
    assert a.build("l", {"items": ["x y", "z"]}) == "/l/x%20y,z"
    other = Map(converters={"list": ListConverter})
    other.add(Rule("/<list:x>", endpoint="x"))
    assert other.bind("h").match("/a,b") == ("x", {"x": ["a", "b"]})


def test_rule_factories_via_get_rules() -> None:
    class Prefixed:
        def __init__(self, prefix: str, rules: list[Rule]) -> None:
            self.prefix = prefix
            self.rules = rules

        def get_rules(self, map: Map) -> t.Iterator[Rule]:
            for rule in self.rules:
                yield Rule(self.prefix + rule.rule, endpoint=rule.endpoint)

    url_map = Map([Prefixed("/api", [Rule("/x", endpoint="x")])])
    assert url_map.bind("h").match("/api/x") == ("x", {})


def test_many_rules_sharing_a_converter_prefix() -> None:
    url_map = Map([Rule(f"/<lang>/page{i}/<int:id>", endpoint=f"p{i}") for i in range(200)])
    assert url_map.match_path("/en/page199/7", "GET")[0].endpoint == "p199"
    root = url_map.update().root.static[""]
    assert len(root.dynamic) == 1  # one shared edge, not 200


# -- rule factories (Werkzeug's Submount, Subdomain, EndpointPrefix, RuleTemplate) -------------


def test_rule_factories_prefix_paths_subdomains_and_endpoints() -> None:
    from vial.routing import EndpointPrefix, Subdomain, Submount

    url_map = Map(
        [
            Rule("/", endpoint="index"),
            Subdomain(
                "kb",
                [
                    EndpointPrefix(
                        "kb/",
                        [
                            Rule("/", endpoint="index"),
                            Submount("/browse/", [Rule("/<int:id>", endpoint="browse")]),
                        ],
                    )
                ],
            ),
        ],
        default_subdomain="www",
    )
    www = url_map.bind("example.com", subdomain="www")
    kb = url_map.bind("example.com", subdomain="kb")
    assert www.match("/") == ("index", {})
    assert kb.match("/") == ("kb/index", {})
    assert kb.match("/browse/4") == ("kb/browse", {"id": 4})
    with pytest.raises(NotFound):
        www.match("/browse/4")
    assert www.build("kb/browse", {"id": 7}) == "http://kb.example.com/browse/7"


def test_rule_template_substitutes_rules_endpoints_and_defaults() -> None:
    from vial.routing import RuleTemplate

    resource = RuleTemplate(
        [
            Rule("/$name/", endpoint="$name.list"),
            Rule("/$name/<int:id>", endpoint="$name.show", defaults={"kind": "$name"}),
        ]
    )
    urls = Map([resource(name="blog"), resource({"name": "wiki"})]).bind("example.com")
    assert urls.match("/blog/") == ("blog.list", {})
    assert urls.match("/wiki/3") == ("wiki.show", {"id": 3, "kind": "wiki"})


def test_rule_empty_is_an_unbound_copy() -> None:
    rule = Rule("/x/<int:id>", endpoint="x", methods=["POST"], defaults={"a": 1}, alias=True)
    Map([rule])
    copy = rule.empty()
    assert type(copy) is Rule and copy.map is None
    assert (copy.rule, copy.endpoint, copy.methods, copy.defaults, copy.alias) == (
        "/x/<int:id>",
        "x",
        {"POST"},
        {"a": 1},
        True,
    )
    assert copy.defaults is not rule.defaults
    Map([copy])  # binds again without complaint
