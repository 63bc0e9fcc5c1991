"""The inlined request pipeline answers exactly as the full one, and steps aside when it must.

A plain app is served by ``vial._fast_pipeline`` (and the ASGI adapter's inlined path); an app
that replaces a pipeline method runs every method. Both must send the same bytes.
"""

from __future__ import annotations

import typing as t

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vial import Response, Vial, request, request_finished
from vial.testing import VialClient
from vial.wrappers.request import Request


class FullPipelineVial(Vial):
    """Replaces a pipeline method (with the same behavior), so nothing is inlined."""

    def process_response(self, response: Response) -> Response:
        return super().process_response(response)


def _app(cls: type[Vial], holder: dict[str, t.Any]) -> Vial:
    app = cls(__name__)

    @app.route("/value", methods=["GET", "HEAD", "POST"])
    def value() -> t.Any:
        return holder["rv"]

    @app.route("/items/<int:item_id>")
    def item(item_id: int) -> t.Any:
        return {"id": item_id, "path": request.path}

    return app


def _answer(client: VialClient, method: str = "GET") -> tuple[int, list[tuple[str, str]], bytes]:
    response = client.open("/value", method=method)
    return response.status_code, list(response.headers.items()), response.get_data()


header_names = st.sampled_from(
    [
        "X-Thing",
        "Content-Type",
        "content-type",
        "Content-Length",
        "Location",
        "Bad:Name",
        "",
        "X-Ünï",
    ]
)
header_values = st.one_of(
    st.sampled_from(
        ["text/plain", "a b", "tab\there", "del\x7f", "line\r\nbreak", "nul\x00", "café", "☃"]
    ),
    st.integers(min_value=0, max_value=999),
    st.lists(st.sampled_from(["a", "b\nc"]), max_size=2),  # unhashable: Headers decides
)
bodies = st.one_of(
    st.text(max_size=20),
    st.binary(max_size=20),
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=5), st.booleans()),
        max_size=3,
    ),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
)
statuses = st.one_of(st.sampled_from([200, 201, 204, 299, 304, 404, 418, 500, 599]), st.just("202"))
return_values = st.one_of(
    bodies,
    st.tuples(bodies, statuses),
    st.tuples(bodies, st.dictionaries(header_names, header_values, max_size=3)),
    st.tuples(bodies, statuses, st.dictionaries(header_names, header_values, max_size=3)),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rv=return_values, method=st.sampled_from(["GET", "HEAD"]))
def test_inlined_and_full_pipelines_send_the_same_response(
    interface: str, rv: t.Any, method: str
) -> None:
    holder = {"rv": rv}
    fast = _app(Vial, holder).test_client(asgi=interface == "asgi")
    full = _app(FullPipelineVial, holder).test_client(asgi=interface == "asgi")
    try:
        expected = _answer(full, method)
    except Exception as error:  # the full pipeline refuses it: so must the inlined one
        with pytest.raises(type(error)):
            _answer(fast, method)
        return
    assert _answer(fast, method) == expected


def test_json_with_values_orjson_writes_differently_matches_the_standard_library(
    client: VialClient, app: Vial
) -> None:
    value = {"none": None, "small": 1e-05, "big": 1e16, "nan": float("nan"), "é": "ü\x7f"}

    @app.get("/odd-json")
    def odd_json() -> t.Any:
        return value

    import json

    expected = json.dumps(value, separators=(",", ":"), sort_keys=True).encode() + b"\n"
    assert client.get("/odd-json").get_data() == expected


def test_a_method_replaced_on_the_instance_after_the_first_request_is_used(
    client: VialClient, app: Vial
) -> None:
    @app.get("/")
    def index() -> str:
        return "hello"

    assert client.get("/").text == "hello"
    original = app.process_response

    def process_response(response: Response) -> Response:
        response = original(response)
        response.headers["X-Replaced"] = "yes"
        return response

    app.process_response = process_response  # type: ignore[method-assign]
    assert client.get("/").headers["X-Replaced"] == "yes"


def test_middleware_wrapped_after_the_first_request_sees_every_later_one(
    client: VialClient, app: Vial
) -> None:
    @app.get("/")
    def index() -> str:
        return "hello"

    assert client.get("/").text == "hello"
    inner = app.wsgi_app
    seen: list[str] = []

    def middleware(environ: dict[str, t.Any], start_response: t.Any) -> t.Any:
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    assert client.get("/").text == "hello"
    assert seen == ["/"]


def test_a_subclass_with_its_own_wsgi_app_is_called_through_it(interface: str) -> None:
    class Counting(Vial):
        calls = 0

        def wsgi_app(self, environ: t.Any, start_response: t.Any) -> t.Any:
            Counting.calls += 1
            return super().wsgi_app(environ, start_response)

    app = Counting(__name__)

    @app.get("/")
    def index() -> str:
        return "hello"

    client = app.test_client(asgi=interface == "asgi")
    assert client.get("/").text == "hello"
    assert client.get("/").text == "hello"
    assert Counting.calls == 2


def test_a_signal_connected_after_the_first_request_is_sent(client: VialClient, app: Vial) -> None:
    @app.get("/")
    def index() -> str:
        return "hello"

    assert client.get("/").text == "hello"
    seen: list[int] = []

    def on_finished(sender: Vial, response: Response, **extra: t.Any) -> None:
        seen.append(response.status_code)

    with request_finished.connected_to(on_finished, app):
        client.get("/")
    assert seen == [200]


def test_a_request_class_with_its_own_path_is_matched_by_that_path(interface: str) -> None:
    class LowerPathRequest(Request):
        @property
        def path(self) -> str:
            return t.cast(str, self.environ["PATH_INFO"]).lower()

    app = Vial(__name__)
    app.request_class = LowerPathRequest

    @app.get("/hello")
    def hello() -> str:
        return "matched"

    assert app.test_client(asgi=interface == "asgi").get("/HELLO").text == "matched"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/7", 200),
        ("/items/%37", 200),
        ("/items//7", 308),
        ("/items/x", 404),
        ("/caf%C3%A9", 404),
        ("/items/7?x=%ZZ", 200),
    ],
)
def test_unusual_paths_answer_as_the_full_pipeline(interface: str, path: str, status: int) -> None:
    holder: dict[str, t.Any] = {}
    answers = []
    for cls in (Vial, FullPipelineVial):
        client = _app(cls, holder).test_client(asgi=interface == "asgi")
        response = client.get(path)
        answers.append((response.status_code, list(response.headers.items()), response.get_data()))
    assert answers[0] == answers[1]
    assert answers[0][0] == status


def _static_rules_app(cls: type[Vial]) -> Vial:
    """Static rules of every kind the inlined match must either answer or leave alone."""
    app = cls(__name__)
    app.add_url_rule("/plain", "plain_get", lambda: "get")
    app.add_url_rule("/plain", "plain_post", lambda: "post", methods=["POST"])
    app.add_url_rule("/plain", "plain_post_2", lambda: "shadowed", methods=["POST", "PUT"])
    # A Rule without methods allows every method (add_url_rule() would make it GET-only).
    app.url_map.add(app.url_rule_class("/any", endpoint="any_method"))
    app.url_map.add(app.url_rule_class("/any", endpoint="after_any", methods=["GET"]))
    app.view_functions.update(any_method=lambda: "any", after_any=lambda: "shadowed")

    def page(page: int) -> str:
        return f"page {page}"

    app.add_url_rule("/page/", "page", page, defaults={"page": 1})
    app.add_url_rule("/page/<int:page>", "page", page)
    app.add_url_rule("/main", "main", lambda: "main")
    app.add_url_rule("/alias", "main", alias=True)
    app.add_url_rule("/old", "old", redirect_to="/plain")
    app.add_url_rule("/slash/", "slash", lambda: "slash")

    @app.websocket("/plain")
    async def socket() -> None:  # a WebSocket rule on the same path: HTTP ignores it
        pass

    return app


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/plain", 200, b"get"),
        ("HEAD", "/plain", 200, b""),
        ("POST", "/plain", 200, b"post"),
        ("PUT", "/plain", 200, b"shadowed"),
        ("DELETE", "/plain", 405, None),
        ("GET", "/any", 200, b"any"),
        ("PATCH", "/any", 200, b"any"),
        ("GET", "/page/", 200, b"page 1"),
        ("GET", "/page/1", 308, None),
        ("GET", "/alias", 308, None),
        ("GET", "/old", 308, None),
        ("GET", "/slash", 308, None),
        ("GET", "/missing", 404, None),
    ],
)
def test_static_rules_answer_as_the_full_pipeline(
    interface: str, method: str, path: str, status: int, body: bytes | None
) -> None:
    answers = []
    for cls in (Vial, FullPipelineVial):
        client = _static_rules_app(cls).test_client(asgi=interface == "asgi")
        client.get("/plain")  # the rules are compiled by the first request
        response = client.open(path, method=method)
        answers.append((response.status_code, response.headers.get("Location"), response.data))
    assert answers[0] == answers[1]
    assert answers[0][0] == status
    if body is not None:
        assert answers[0][2] == body


def test_a_static_rule_added_after_the_first_request_is_matched(interface: str) -> None:
    app = Vial(__name__)
    app.add_url_rule("/first", "first", lambda: "first")
    client = app.test_client(asgi=interface == "asgi")
    assert client.get("/first").text == "first"
    # Flask refuses add_url_rule() once requests are served; the map itself still takes rules.
    app.url_map.add(app.url_rule_class("/later", endpoint="later"))
    app.url_map.add(app.url_rule_class("/first", endpoint="first_post", methods=["POST"]))
    app.view_functions.update(later=lambda: "later", first_post=lambda: "posted")
    assert client.get("/later").text == "later"
    assert client.post("/first").text == "posted"
    assert client.get("/first").text == "first"


def test_a_request_that_uses_no_session_does_not_load_the_session_machinery() -> None:
    import subprocess
    import sys

    code = """
import sys
from vial import Vial
app = Vial("x")

@app.get("/")
def index():
    return {"ok": True}

environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "x",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": None}
seen = []
assert b"".join(app(environ, lambda status, headers: seen.append(status))) == b'{"ok":true}\\n'
assert seen == ["200 OK"], seen
print("vial.sessions" in sys.modules, "itsdangerous" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]


def test_response_defaults_changed_on_the_class_still_apply(
    client: VialClient, app: Vial, monkeypatch: pytest.MonkeyPatch
) -> None:
    @app.get("/")
    def index() -> str:
        return "hello"

    assert client.get("/").headers["Content-Length"] == "5"
    monkeypatch.setattr(Response, "automatically_set_content_length", False)
    monkeypatch.setattr(Response, "default_mimetype", "text/plain")
    response = client.get("/")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.get_data() == b"hello"
    assert "Content-Length" not in response.headers


def test_a_returned_dict_follows_debug_and_the_compact_setting(
    client: VialClient, app: Vial
) -> None:
    @app.get("/")
    def index() -> dict[str, int]:
        return {"b": 2, "a": 1}

    assert client.get("/").get_data() == b'{"a":1,"b":2}\n'
    app.debug = True
    assert client.get("/").get_data() == b'{\n  "a": 1,\n  "b": 2\n}\n'
    app.json.compact = True  # type: ignore[attr-defined]
    assert client.get("/").get_data() == b'{"a":1,"b":2}\n'
    app.debug = False
    app.json.compact = False  # type: ignore[attr-defined]
    assert client.get("/").get_data() == b'{\n  "a": 1,\n  "b": 2\n}\n'


def test_a_returned_dict_calls_the_apps_json_default_for_enum_members(
    client: VialClient, app: Vial
) -> None:
    # As in Flask: app.json.default decides how an Enum member is written.
    import enum

    class Color(enum.Enum):
        RED = 1

    @app.get("/")
    def index() -> dict[str, t.Any]:
        return {"c": Color.RED}

    app.json.default = lambda o: o.name  # type: ignore[attr-defined]
    assert client.get("/").get_data() == b'{"c":"RED"}\n'


def test_the_inlined_pipeline_makes_contexts_as_their_constructors_do(interface: str) -> None:
    # The inlined pipeline creates both contexts without calling their __init__; an
    # attribute added to either __init__ must be added there too.
    from vial.ctx import AppContext, RequestContext
    from vial.globals import _cv_contexts

    app = Vial(__name__)
    seen: dict[str, set[str]] = {}

    @app.get("/")
    def index() -> str:
        app_ctx, request_ctx = _cv_contexts.get()
        seen["app"] = set(vars(app_ctx))
        seen["request"] = set(vars(request_ctx))
        seen["request object"] = set(vars(request_ctx.request))
        return "ok"

    assert app.test_client(asgi=interface == "asgi").get("/").text == "ok"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    assert seen["request"] == set(vars(RequestContext(app, environ, Request(environ))))
    assert seen["app"] == set(vars(AppContext(app)))
    if interface == "wsgi":  # under ASGI the request comes from the scope (RequestFromScope)
        assert set(vars(Request(dict(environ)))) <= seen["request object"]


def test_a_header_value_equal_to_a_checked_pair_is_sent_as_text(
    client: VialClient, app: Vial
) -> None:
    # Plain answers remember checked (name, value) pairs; an object that only compares
    # and hashes equal to one (request.user_agent does) must still be sent as its text,
    # as the full path sends it. It reached the server unconverted (a 500 under ASGI).
    @app.get("/text")
    def text() -> t.Any:
        return "x", {"X-Agent": "probe-agent/1"}

    @app.get("/agent")
    def agent() -> t.Any:
        return "x", {"X-Agent": request.user_agent}

    assert client.get("/text").headers["X-Agent"] == "probe-agent/1"
    response = client.get("/agent", headers={"User-Agent": "probe-agent/1"})
    assert response.status_code == 200
    assert response.headers["X-Agent"] == "probe-agent/1"
    # What the server was handed is text, not the UserAgent object.
    seen: list[t.Any] = []

    def start_response(
        status: str, headers: list[tuple[str, t.Any]], exc_info: t.Any = None
    ) -> t.Any:
        seen.extend(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/agent",
        "HTTP_USER_AGENT": "probe-agent/1",
        "wsgi.url_scheme": "http",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
    }
    b"".join(app(environ, start_response))
    assert all(type(name) is str and type(value) is str for name, value in seen)


def test_a_request_class_that_reports_options_gets_the_automatic_answer_under_wsgi() -> None:
    # A request class may report another method than the environ's (a method-override
    # header, say); Flask answers the method it reports.
    class OverridingRequest(Request):
        def __init__(self, environ: t.Any, *args: t.Any, **kwargs: t.Any) -> None:
            super().__init__(environ, *args, **kwargs)
            self.method = self.headers.get("X-Method", environ["REQUEST_METHOD"]).upper()

    app = Vial(__name__)
    app.request_class = OverridingRequest

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "view"

    client = app.test_client()
    assert client.post("/", headers={"X-Method": "OPTIONS"}).data == b""
    response = client.get("/", headers={"X-Method": "OPTIONS"})
    assert response.data == b""
    assert "OPTIONS" in response.headers["Allow"]


def test_header_caches_stay_bounded_and_answers_stay_right_past_the_bound(
    client: VialClient, app: Vial
) -> None:
    # Both caches of checked/encoded header pairs hold at most 1,024 entries (a full one
    # starts again, so pairs seen later are kept too); answers stay those of the full path.
    import vial.asgi
    from vial.wrappers import response as response_module

    @app.get("/<int:n>")
    def numbered(n: int) -> t.Any:
        return "x", {"X-Number": str(n), "X-Bad": "a\x7fb" if n % 2 else "ok"}

    for n in range(1100):
        response = client.get(f"/{n}")
        assert response.status_code == 200
        assert response.headers["X-Number"] == str(n)
    assert len(response_module._checked_items) <= 1024
    assert len(vial.asgi._encoded_items) <= 1024
    assert client.get("/1099").headers["X-Bad"] == "a\x7fb"
    assert client.get("/1098").headers["X-Bad"] == "ok"
    # Pairs that changed with every request did not keep a late common pair out.
    assert ("X-Number", "1098") in response_module._checked_items


def test_an_unhashable_view_callable_is_served(interface: str) -> None:
    # Flask serves any callable; a dataclass instance (eq=True makes it unhashable) used to
    # fail the inlined pipelines' cache lookups (a 500 under WSGI, an error under ASGI).
    import dataclasses

    @dataclasses.dataclass
    class Greeter:
        greeting: str

        def __call__(self, name: str) -> str:
            return f"{self.greeting}, {name}"

    app = Vial(__name__)
    app.add_url_rule("/hello/<name>", "hello", Greeter("Hello"))
    client = app.test_client(asgi=interface == "asgi")
    for _ in range(2):
        response = client.get("/hello/ann")
        assert (response.status_code, response.text) == (200, "Hello, ann")
