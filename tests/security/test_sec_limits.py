"""Oversized and deeply nested JSON, huge query strings, long URLs and many headers.

In process through both interfaces (bodies fed lazily, memory traced), then the same
attacks over loopback against gunicorn and uvicorn, whose own request-line and header
limits answer before vial is called. ``tests/test_bad_input.py`` already checks malformed
JSON, Content-Length tricks and MAX_CONTENT_LENGTH before the body is read.
"""

from __future__ import annotations

import http.client
import os
import socket
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sec_support import GeneratedBody, bounded, send_streamed

from servers import free_port, gunicorn, http_request, running_server, uvicorn
from vial import Vial, request
from vial.testing import VialClient

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 1024 * 1024


@pytest.fixture
def app(app: Vial) -> Vial:
    app.config["MAX_CONTENT_LENGTH"] = LIMIT

    @app.post("/json")
    def json_body() -> dict[str, str]:
        return {"type": type(request.get_json()).__name__}

    @app.get("/args")
    def args() -> dict[str, int]:
        return {"fields": len(request.args)}

    @app.post("/form")
    def form() -> dict[str, int]:
        return {"fields": len(request.form)}

    @app.get("/headers")
    def headers() -> dict[str, int]:
        return {"count": len(request.headers)}

    @app.get("/path/<path:rest>")
    def path(rest: str) -> dict[str, int]:
        return {"length": len(rest)}

    return app


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_oversized_json_413_without_reading_it_all(
    app: Vial, interface: str, with_length: bool
) -> None:
    size = 100 * LIMIT
    body = GeneratedBody(b'{"a": "', b"x", size)
    with bounded(megabytes=8):
        status, _ = send_streamed(
            app, interface, body, "application/json", "/json", size if with_length else None
        )
    assert status == 413
    assert body.consumed <= LIMIT + 128 * 1024


@pytest.mark.parametrize("opener", [b"[", b'{"a":', b"[{}, ["])
def test_deeply_nested_json_400_bounded(app: Vial, interface: str, opener: bytes) -> None:
    size = LIMIT - 1
    body = GeneratedBody(b"", opener, size)
    with bounded(megabytes=24):
        status, _ = send_streamed(app, interface, body, "application/json", "/json", size)
    assert status == 400


def test_wide_json_under_the_limit_is_fine(app: Vial, client: VialClient) -> None:
    payload = b"{" + b",".join(b'"k%d":0' % i for i in range(80_000)) + b"}"
    assert len(payload) < LIMIT
    with bounded(megabytes=48):
        response = client.post("/json", data=payload, content_type="application/json")
    assert response.status_code == 200


def test_huge_query_string_field_cap(client: VialClient) -> None:
    query = "&".join(f"k{i}=v" for i in range(200_000))
    with bounded(megabytes=48):
        response = client.get("/args?" + query)
    assert response.status_code == 413
    assert b"1000 fields" in response.get_data()
    assert client.get("/args?" + "&".join(f"k{i}=v" for i in range(1000))).json == {"fields": 1000}


def test_many_urlencoded_fields_413(client: VialClient) -> None:
    body = "&".join(f"k{i}=v" for i in range(50_000))
    response = client.post("/form", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_overlong_url_bounded(client: VialClient) -> None:
    with bounded(megabytes=48):
        missing = client.get("/" + "a/" * 500_000)
        matched = client.get("/path/" + "b/" * 500_000 + "c")
    assert missing.status_code == 404
    assert matched.status_code == 200
    assert matched.json == {"length": 1_000_001}


def test_many_headers_bounded(client: VialClient) -> None:
    headers = [(f"X-H{i}", "v") for i in range(20_000)]
    with bounded(megabytes=48):
        response = client.get("/headers", headers=headers)
    assert response.status_code == 200
    assert response.json["count"] >= 20_000


# -- the same attacks against real servers ---------------------------------------------------


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server_port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    if request.param == "gunicorn":
        argv = gunicorn("sec_server_app:app", port)
    else:
        argv = uvicorn("sec_server_app:app.asgi", port)
    with running_server(argv, port, cwd=HERE):
        yield port


def raw_exchange(port: int, data: bytes) -> bytes:
    """Send raw bytes, return what the server answered (until it closes or 5 s pass)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may refuse and close before reading everything
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    break
        except OSError:
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


@pytest.mark.server
def test_real_server_overlong_request_line(server_port: int) -> None:
    answer = raw_exchange(server_port, b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert 400 <= status_of(answer) < 500


@pytest.mark.server
def test_real_server_too_many_headers(server_port: int) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(20_000))
    answer = raw_exchange(server_port, b"GET /headers HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert 400 <= status_of(answer) < 500


@pytest.mark.server
def test_real_server_oversized_json_413(server_port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    try:
        conn.putrequest("POST", "/json")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(50 * LIMIT))
        conn.endheaders()
        try:
            conn.send(b"[" * (2 * LIMIT))
        except OSError:
            pass
        assert conn.getresponse().status == 413
    finally:
        conn.close()


@pytest.mark.server
def test_real_server_query_field_cap_and_header_injection(server_port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    try:
        # 1,500 fields in 3 kB: under the request-line limits of both servers.
        conn.request("GET", "/args?" + "&".join(["a"] * 1500))
        response = conn.getresponse()
        response.read()
        assert response.status == 413
    finally:
        conn.close()
    answer = raw_exchange(
        server_port,
        b"GET /echo-header?v=a%0d%0aX-Injected:%201 HTTP/1.1\r\n"
        b"Host: x\r\nConnection: close\r\n\r\n",
    )
    assert status_of(answer) == 500
    assert b"X-Injected" not in answer


@pytest.mark.server
@pytest.mark.parametrize("hook", ["view", "teardown"])
def test_real_server_failing_view_or_teardown_is_500_then_fine(server_port: int, hook: str) -> None:
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
        try:
            conn.request("GET", f"/fail/{hook}")
            response = conn.getresponse()
            response.read()
            assert response.status == 500
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
            conn.request("GET", "/plaintext")
            assert conn.getresponse().status == 200
        finally:
            conn.close()


@pytest.mark.server
@pytest.mark.parametrize(
    "chunks",
    [
        b"3;" + b"a" * 100_000 + b"\r\nabc\r\n0\r\n\r\n",  # a chunk extension of 100 kB
        b"zz\r\nabc\r\n0\r\n\r\n",  # a chunk size that is not hex
        b"3\r\nabcXX0\r\n\r\n",  # a chunk without its CRLF
    ],
    ids=["long-extension", "bad-size", "no-terminator"],
)
def test_real_server_malformed_chunked_body_is_400(server_port: int, chunks: bytes) -> None:
    # gunicorn parses a chunked body while the app reads it and raises its own parse
    # errors from wsgi.input.read(): they are the client's, so 400, not 500 (uvicorn's
    # h11 refuses the last two before the app runs, and takes the long extension).
    answer = raw_exchange(
        server_port,
        b"POST /data HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks,
    )
    if b"server: uvicorn" in answer.lower() and len(chunks) > 100_000:
        assert status_of(answer) == 200
    else:
        assert status_of(answer) == 400


@pytest.mark.server
def test_real_server_chunked_body_cut_off_is_400(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as sock:
        sock.sendall(
            b"POST /data HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n10\r\nabc"
        )
        sock.shutdown(socket.SHUT_WR)
        answer = sock.recv(65536)
    # gunicorn: vial answers 400; uvicorn treats the half-close as a disconnect and
    # closes without an answer. Never a 500.
    assert answer == b"" or status_of(answer) == 400


@pytest.mark.server
def test_real_server_max_forwards_redirect_and_bracket_host_are_not_500(
    server_port: int,
) -> None:
    status, _, body = http_request(
        server_port, "GET", "/max-forwards", headers={"Max-Forwards": "9" * 5000}
    )
    assert (status, body) == (200, b'{"max_forwards":null}\n')
    status, headers, _ = http_request(server_port, "GET", "/go?next=http://%5B::1/x")
    assert status == 400 and "location" not in headers
    # An unbalanced bracket is a malformed Host: 400 before routing (it was served as
    # "http://[::1/url", and before that made request.url a 500).
    status, _, _ = http_request(server_port, "GET", "/url", headers={"Host": "[::1"})
    assert status == 400


@pytest.mark.server
@pytest.mark.parametrize("trick", ["http://{host}\\@evil.example/", "//{host}\\@evil.example/x"])
def test_real_server_login_next_with_a_backslash_stays_on_the_site(
    server_port: int, trick: str
) -> None:
    # is_safe_redirect_url read "\\" as a browser does ("/"), but redirect() sent it as
    # "%5C" and "http://host%5C@evil.example/" takes a browser to evil.example.
    host = f"127.0.0.1:{server_port}"
    query = urlencode({"next": trick.format(host=host)})
    status, headers, _ = http_request(server_port, "GET", f"/login?{query}")
    assert status == 302
    assert headers["location"] == "/"
