"""Issue 2's "Bad input" list, one test per item, each through WSGI and ASGI where it applies.

After every one of these, no request context is left pushed (checked by an autouse fixture).
"""

from __future__ import annotations

import asyncio
import io
import logging
import typing as t

import pytest

from vial import Response, Vial, redirect, request
from vial.datastructures import Headers
from vial.logging import default_handler
from vial.testing import EnvironBuilder, VialClient

_FORBIDDEN = ("\r", "\n", "\x00")


pytestmark = pytest.mark.usefixtures("no_context_left")


def _checked_start_response(seen: list[tuple[str, list[tuple[str, str]]]]) -> t.Any:
    """A server's start_response that fails if anything with CR, LF or NUL reaches it."""

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        assert isinstance(status, str)
        assert not any(c in status for c in _FORBIDDEN), repr(status)
        for name, value in headers:
            assert isinstance(name, str) and isinstance(value, str)
            assert not any(c in name for c in _FORBIDDEN), repr(name)
            assert not any(c in value for c in _FORBIDDEN), repr(value)
        seen.append((status, headers))
        return lambda data: None

    return start_response


def _call_wsgi(app: Vial, path: str = "/", **kwargs: t.Any) -> tuple[str, Headers, bytes]:
    builder = EnvironBuilder(app, path, **kwargs)
    environ = builder.get_environ()
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    body_iter = app(environ, _checked_start_response(seen))
    try:
        body = b"".join(body_iter)
    finally:
        close = getattr(body_iter, "close", None)
        if close is not None:
            close()
    assert len(seen) == 1
    status, headers = seen[0]
    return status, Headers(headers), body


# -- invalid percent-encoding / UTF-8 ------------------------------------------------------------


@pytest.fixture
def echo_app(app: Vial) -> Vial:
    @app.route("/<path:anything>")
    def echo(anything: str) -> str:
        return anything

    @app.route("/")
    def args() -> str:
        return repr(request.args.to_dict())

    return app


@pytest.mark.parametrize("path", ["/a%zzb", "/a%2", "/%", "/a%G0"])
def test_invalid_percent_encoding_in_path_is_400(
    echo_app: Vial, client: VialClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "Bad Request" in response.text


@pytest.mark.parametrize("path", ["/%FF", "/a%C3", "/%C0%AF", "/%ED%A0%80"])
def test_invalid_utf8_in_path_is_400(echo_app: Vial, client: VialClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "UTF-8" in response.text


@pytest.mark.parametrize("query", ["a=%zz", "a=%", "%G1=x", "a=%2"])
def test_invalid_percent_encoding_in_query_is_400(
    echo_app: Vial, client: VialClient, query: str
) -> None:
    response = client.get("/", query_string=query)
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["a=%FF", "a=%C3", "%FE=1", "a=%ED%A0%80"])
def test_invalid_utf8_in_query_is_400(echo_app: Vial, client: VialClient, query: str) -> None:
    response = client.get("/", query_string=query)
    assert response.status_code == 400


def test_valid_encoding_still_works(echo_app: Vial, client: VialClient) -> None:
    assert client.get("/caf%C3%A9").text == "café"
    assert client.get("/", query_string="a=caf%C3%A9&b=%2B").text == "{'a': 'café', 'b': '+'}"


def test_bad_path_400_even_when_not_testing_and_with_handlers(
    echo_app: Vial, client: VialClient
) -> None:
    echo_app.testing = False
    seen: list[int] = []

    @echo_app.errorhandler(400)
    def bad(e: t.Any) -> tuple[str, int]:
        seen.append(e.code)
        return "custom 400", 400

    response = client.get("/%FF")
    assert (response.status_code, response.text, seen) == (400, "custom 400", [400])


# -- CR / LF / NUL in headers, status lines and redirect locations -------------------------------


@pytest.mark.parametrize("bad", ["a\r\nSet-Cookie: x=y", "a\nb", "a\rb", "a\x00b"])
def test_crlf_nul_in_header_value_refused_when_set(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError):
        r.headers["X-A"] = bad
    with pytest.raises(ValueError):
        r.headers.add("X-A", bad)
    with pytest.raises(ValueError):
        r.headers.set("X-A", bad)
    with pytest.raises(ValueError):
        r.headers.setlist("X-A", ["ok", bad])
    with pytest.raises(ValueError):
        r.headers.extend({"X-A": bad})
    with pytest.raises(ValueError):
        r.headers.update({"X-A": bad})
    with pytest.raises(ValueError):
        Response(headers={"X-A": bad})
    with pytest.raises(ValueError):
        Response(headers=[("X-A", bad)])
    with pytest.raises(ValueError):
        Response(content_type=f"text/plain{bad}")
    with pytest.raises(ValueError):
        r.location = f"/x{bad}"
    assert "X-A" not in r.headers
    assert r.headers.getlist("X-A") == []


@pytest.mark.parametrize("bad", ["X\r\nY", "X\nY", "X\rY", "X\x00Y"])
def test_crlf_nul_in_header_name_refused_when_set(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError):
        r.headers[bad] = "v"
    with pytest.raises(ValueError):
        r.headers.add(bad, "v")
    with pytest.raises(ValueError):
        Response(headers=[(bad, "v")])
    assert all(bad not in name for name, _ in r.headers.items())


@pytest.mark.parametrize("bad", ["200 OK\r\nX-Injected: 1", "200 OK\n", "200 O\rK", "200 OK\x00"])
def test_crlf_nul_in_status_line_refused_when_set(bad: str) -> None:
    with pytest.raises(ValueError):
        Response("x", status=bad)
    r = Response("x")
    with pytest.raises(ValueError):
        r.status = bad
    assert r.status == "200 OK"


@pytest.mark.parametrize("bad", ["v\r\nSet-Cookie: admin=1", "v\x00"])
def test_crlf_nul_in_cookie_refused(bad: str) -> None:
    r = Response()
    with pytest.raises(ValueError):
        r.set_cookie("k", "v", domain=f"example.com{bad}")
    assert "Set-Cookie" not in r.headers
    r.set_cookie("k", "v", path=f"/{bad}")  # the path is percent-encoded, as Werkzeug's
    r.set_cookie("k", bad)  # the value is quoted with octal escapes
    for header in r.headers.getlist("Set-Cookie"):
        assert not any(c in header for c in _FORBIDDEN)


@pytest.mark.parametrize("bad", ["/next\r\nSet-Cookie: admin=1", "/next\nX: y", "/a\x00b"])
def test_crlf_nul_in_redirect_location_never_sent_raw(app: Vial, bad: str) -> None:
    response = redirect(bad)
    location = response.headers["Location"]
    assert not any(c in location for c in _FORBIDDEN)
    assert "Set-Cookie" not in response.headers
    with app.app_context():
        location = redirect(bad, 301).headers["Location"]
    assert not any(c in location for c in _FORBIDDEN)


def _cookie_response(path: str) -> Response:
    response = Response("x")
    response.set_cookie("k", "v", path=path)
    return response


_INJECTIONS: dict[str, t.Callable[[], t.Any]] = {
    "tuple-headers": lambda: ("x", {"X-A": "a\r\nX-Injected: 1"}),
    "tuple-status": lambda: ("x", "200 OK\r\nX-Injected: 1"),
    "status-and-headers": lambda: ("x", 200, [("X-A\n", "v")]),
    "headers-add": lambda: Response("x").headers.add("X-A", "\r\n"),
    "header-from-request": lambda: ("x", {"X-Echo": request.args["v"]}),
    "redirect": lambda: redirect(request.args["v"]),
    "location": lambda: setattr(Response(status=302), "location", request.args["v"]),
    "cookie-path": lambda: _cookie_response(request.args["v"]),
    "mimetype": lambda: Response("x", mimetype="text/plain\r\nX-Injected: 1"),
}


@pytest.mark.parametrize("kind", sorted(_INJECTIONS))
@pytest.mark.usefixtures("quiet_logger")
def test_nothing_unchecked_reaches_start_response(app: Vial, kind: str) -> None:
    # WSGI only: start_response is the WSGI server's; the ASGI adapter builds its
    # messages from the same checked status and header list.
    app.testing = False
    make = _INJECTIONS[kind]

    @app.route("/")
    def index() -> t.Any:
        rv = make()
        return rv if rv is not None else "not reached"

    status, headers, _ = _call_wsgi(app, "/", query_string={"v": "/x\r\nX-Injected: 1"})
    assert status.startswith(("500", "302", "200"))
    assert "X-Injected" not in headers


@pytest.mark.parametrize("kind", sorted(_INJECTIONS))
@pytest.mark.usefixtures("quiet_logger")
def test_injection_attempt_through_both_interfaces(
    app: Vial, client: VialClient, kind: str
) -> None:
    app.testing = False
    make = _INJECTIONS[kind]

    @app.route("/")
    def index() -> t.Any:
        rv = make()
        return rv if rv is not None else "not reached"

    response = client.get("/", query_string={"v": "/x\r\nX-Injected: 1"})
    assert response.status_code in (500, 302, 200)
    assert "X-Injected" not in response.headers
    for name, value in response.headers.items():
        assert not any(c in name + value for c in _FORBIDDEN)


# -- Content-Length ----------------------------------------------------------------------------


@pytest.fixture
def body_app(app: Vial) -> Vial:
    @app.post("/data")
    def data() -> str:
        return f"{len(request.get_data())}"

    @app.post("/form")
    def form() -> str:
        return repr(request.form.to_dict())

    @app.post("/json")
    def json() -> str:
        return repr(request.get_json())

    return app


@pytest.mark.parametrize("value", ["-1", "-0", "abc", "1.5", "1e3", "0x10", "+5", " 5 5", "²"])
@pytest.mark.parametrize("route", ["/data", "/form", "/json"])
def test_negative_or_non_numeric_content_length_is_400(
    body_app: Vial, client: VialClient, value: str, route: str
) -> None:
    content_type = {
        "/data": "application/octet-stream",
        "/form": "application/x-www-form-urlencoded",
        "/json": "application/json",
    }[route]
    response = client.post(
        route, data=b"a=1", headers={"Content-Length": value}, content_type=content_type
    )
    assert response.status_code == 400
    assert "Content-Length" in response.text


def test_valid_content_length_still_works(body_app: Vial, client: VialClient) -> None:
    assert client.post("/data", data=b"12345").text == "5"
    assert client.post("/form", data={"a": "1"}).text == "{'a': '1'}"


# -- unknown and absurd methods ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["FOO", "X" * 10_240, "GET2", "PROPFIND", "BREW"])
def test_unknown_or_absurd_method_is_405_or_501(app: Vial, client: VialClient, method: str) -> None:
    app.testing = False

    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "ok"

    response = client.open("/", method=method)
    assert response.status_code in (405, 501)
    if response.status_code == 405:
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    missing = client.open("/nowhere", method=method)
    assert missing.status_code in (404, 405, 501)


def test_absurd_method_is_not_echoed_whole(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        return "ok"

    method = "Y" * 10_240
    response = client.open("/", method=method)
    assert response.status_code in (405, 501)
    assert method not in response.text


# -- log lines ---------------------------------------------------------------------------------


def _logger_output(app: Vial, formatter: logging.Formatter) -> tuple[io.StringIO, logging.Handler]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    app.logger.addHandler(handler)
    app.logger.propagate = False
    return stream, handler


@pytest.mark.parametrize("formatter", ["default", "plain"])
def test_log_lines_never_carry_raw_crlf_or_escape(
    app: Vial, client: VialClient, formatter: str
) -> None:
    app.testing = False
    fmt = default_handler.formatter if formatter == "default" else logging.Formatter("%(message)s")
    assert fmt is not None
    stream, handler = _logger_output(app, fmt)

    @app.before_request
    def fail() -> None:
        raise RuntimeError("hook failed")

    try:
        response = client.get("/a%0d%0aFORGED%1b[31mred%0dCR")
    finally:
        app.logger.removeHandler(handler)
        app.logger.propagate = True
    assert response.status_code == 500
    output = stream.getvalue()
    assert "Exception on" in output
    assert "\x1b" not in output
    assert "\r" not in output
    lines = output.splitlines()
    assert not any(line.startswith(("FORGED", "CR")) for line in lines)
    first = next(line for line in lines if "Exception on" in line)
    assert "FORGED" in first
    assert "\\x1b" in first


def test_log_of_escape_in_path_literal(app: Vial, client: VialClient) -> None:
    app.testing = False
    stream, handler = _logger_output(app, logging.Formatter("%(message)s"))

    @app.before_request
    def fail() -> None:
        raise RuntimeError("hook failed")

    try:
        response = client.get("/esc\x1b[2Jcleared\x7f")
    finally:
        app.logger.removeHandler(handler)
        app.logger.propagate = True
    assert response.status_code == 500
    output = stream.getvalue()
    assert "\x1b" not in output
    assert "\x7f" not in output


# -- MAX_CONTENT_LENGTH --------------------------------------------------------------------------


class _MustNotBeRead(io.RawIOBase):
    """A wsgi.input that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read before the size check")

    def readinto(self, buffer: t.Any) -> int:
        raise AssertionError("the body was read before the size check")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read before the size check")


@pytest.fixture
def limited_app(app: Vial) -> Vial:
    app.config["MAX_CONTENT_LENGTH"] = 100

    @app.post("/data")
    def data() -> str:
        return str(len(request.get_data()))

    @app.post("/form")
    def form() -> str:
        return repr(request.form.to_dict())

    @app.post("/json")
    def json() -> str:
        return repr(request.get_json())

    @app.post("/async")
    async def async_view() -> str:
        return str(len(request.get_data()))

    return app


@pytest.mark.parametrize("route", ["/data", "/form", "/json", "/async"])
def test_max_content_length_413_before_body_is_read_wsgi(limited_app: Vial, route: str) -> None:
    # WSGI: the server's wsgi.input must not be touched. (ASGI: the next test.)
    client = limited_app.test_client()
    response = client.post(
        route,
        input_stream=_MustNotBeRead(),
        content_length=101,
        content_type="application/x-www-form-urlencoded"
        if route == "/form"
        else "application/json",
    )
    assert response.status_code == 413
    assert "Request Entity Too Large" in response.text


@pytest.mark.parametrize("route", ["/data", "/form", "/json", "/async"])
def test_max_content_length_413_before_body_is_received_asgi(limited_app: Vial, route: str) -> None:
    # ASGI: receive() must not be asked for a body message before the 413 is decided.
    sent: list[dict[str, t.Any]] = []
    received: list[str] = []

    async def receive() -> dict[str, t.Any]:
        received.append("called")
        if len(sent) == 0:
            raise AssertionError("the body was received before the size check")
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, t.Any]) -> None:
        sent.append(message)

    content_type = b"application/x-www-form-urlencoded" if route == "/form" else b"application/json"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"localhost"),
            (b"content-length", b"101"),
            (b"content-type", content_type),
        ],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(limited_app.asgi(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413


def test_max_content_length_allows_smaller_bodies(limited_app: Vial, client: VialClient) -> None:
    assert client.post("/data", data=b"x" * 100).text == "100"


def test_max_content_length_without_content_length_cuts_at_limit(limited_app: Vial) -> None:
    # WSGI only: a chunked upload is a WSGI server's wsgi.input_terminated stream.
    client = limited_app.test_client()
    response = client.post(
        "/data",
        input_stream=io.BytesIO(b"x" * 1000),
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413


# -- malformed JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b"{", b"{'a': 1}", b"[1,]", b"nul", b"\xff\xfe", b"", b'{"a": 1} x']
)
def test_malformed_json_is_400_with_message(app: Vial, client: VialClient, body: bytes) -> None:
    @app.post("/")
    def index() -> str:
        return repr(request.json)

    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code == 400
    # As in Flask, the parser's message is shown in debug mode only.
    assert "could not understand" in response.text
    assert "Failed to decode JSON object" not in response.text
    app.debug = True
    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "Failed to decode JSON object" in response.text


def test_deeply_nested_json_is_400_not_500(app: Vial, client: VialClient) -> None:
    app.testing = False

    @app.post("/")
    def index() -> str:
        return repr(request.json)[:10]

    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code in (200, 400)
