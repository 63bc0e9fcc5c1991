"""The same app under real servers: gunicorn (WSGI) and uvicorn (ASGI), over loopback HTTP."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from servers import free_port, gunicorn, running_server, uvicorn
from servers import http_request as request

pytestmark = pytest.mark.server


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server_port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    if request.param == "gunicorn":
        argv = gunicorn("server_app:app", port, "--worker-class", "gthread", "--threads", "4")
    else:
        argv = uvicorn("server_app:app.asgi", port)
    with running_server(argv, port):
        yield port


def test_plaintext_and_json(server_port: int) -> None:
    status, headers, body = request(server_port, "GET", "/plaintext")
    assert (status, body) == (200, b"Hello, World!")
    assert headers["content-type"] == "text/plain"
    status, headers, body = request(server_port, "GET", "/json")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"message": "Hello, World!"}


def test_json_post_sync_and_async_views(server_port: int) -> None:
    payload = json.dumps({"items": list(range(20))}).encode()
    status, _, body = request(
        server_port, "POST", "/echo?tag=abc", payload, {"Content-Type": "application/json"}
    )
    assert status == 200
    assert json.loads(body) == {"tag": "abc", "data": {"items": list(range(20))}}
    status, _, body = request(
        server_port, "POST", "/aecho", payload, {"Content-Type": "application/json"}
    )
    assert status == 200
    assert json.loads(body) == {"data": {"items": list(range(20))}, "length": len(payload)}


def test_multipart_upload(server_port: int) -> None:
    boundary = "XyZ"
    content = bytes(range(256)) * 100
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, reply = request(
        server_port,
        "POST",
        "/form",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200
    assert json.loads(reply) == {"fields": {"title": "hello"}, "upload": ["a.bin", len(content)]}


def test_body_over_max_content_length_is_413(server_port: int) -> None:
    status, _, _ = request(
        server_port, "POST", "/echo", b"x" * (1024 * 1024 + 1), {"Content-Type": "application/json"}
    )
    assert status == 413


def test_not_found_and_method_not_allowed(server_port: int) -> None:
    assert request(server_port, "GET", "/missing")[0] == 404
    status, headers, _ = request(server_port, "DELETE", "/json")
    assert status == 405
    assert set(headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_head_has_headers_and_no_body(server_port: int) -> None:
    status, headers, body = request(server_port, "HEAD", "/plaintext")
    assert status == 200
    assert body == b""
    assert headers["content-type"] == "text/plain"


def test_utf8_path_and_invalid_utf8_is_400(server_port: int) -> None:
    status, _, body = request(server_port, "GET", "/path/%C3%A9t%C3%A9")
    assert status == 200
    assert json.loads(body)["rest"] == "été"
    assert request(server_port, "GET", "/path/%FF%FE")[0] == 400


def test_streamed_response_arrives_in_chunks(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=10) as sock:
        sock.sendall(b"GET /stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        started = time.monotonic()
        first = b""
        while b"chunk 0" not in first:
            data = sock.recv(4096)
            assert data, "connection closed before the first chunk"
            first += data
        first_at = time.monotonic() - started
        rest = b""
        while True:
            data = sock.recv(4096)
            if not data:
                break
            rest += data
        total = time.monotonic() - started
    assert b"chunk 2" in first + rest
    # The generator sleeps 0.2 s between chunks: the first must come well before the end.
    assert first_at < total - 0.25
