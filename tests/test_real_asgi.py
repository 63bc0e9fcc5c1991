"""The ASGI app under real servers (uvicorn, granian, hypercorn): HTTP, streaming, disconnects,
WebSockets with a real client library, server-sent events."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import pathlib
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from servers import free_port, running_server, uvicorn
from servers import http_request as fetch

pytestmark = pytest.mark.server

SERVERS = ["uvicorn", "granian", "hypercorn"]


def granian(app: str, port: int) -> list[str]:
    """granian's argv for an ASGI ``app`` on 127.0.0.1:``port`` (it resolves ``app.asgi``)."""
    return [
        "granian",
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        app,
    ]


def hypercorn(app: str, port: int) -> list[str]:
    """hypercorn's argv for an ASGI ``app`` on 127.0.0.1:``port``."""
    return ["hypercorn", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app]


@pytest.fixture(scope="module", params=SERVERS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, str]]:
    """``(name, port, marker_dir)`` of a running server; markers are the app's side notes."""
    name = request.param
    if name != "uvicorn" and importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed (pip install {name})")
    marker_dir = str(tmp_path_factory.mktemp(f"{name}-markers"))
    port = free_port()
    if name == "uvicorn":
        argv = uvicorn("asgi_server_app:app.asgi", port, "--lifespan", "on")
    elif name == "granian":
        argv = granian("asgi_server_app:app.asgi", port)
    else:
        argv = hypercorn("asgi_server_app:app.asgi", port)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIAL_TEST_DIR", marker_dir)
        with running_server(argv, port):
            yield name, port, marker_dir


def wait_for_file(path: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.02)
    return False


# -- HTTP ----------------------------------------------------------------------------------------


def test_plaintext(server: tuple[str, int, str]) -> None:
    _, port, _ = server
    status, headers, body = fetch(port, "GET", "/plaintext")
    assert (status, body) == (200, b"Hello, World!")
    assert headers["content-type"] == "text/plain"
    assert fetch(port, "GET", "/missing")[0] == 404


def test_async_view_reads_json_body(server: tuple[str, int, str]) -> None:
    _, port, _ = server
    payload = {"items": list(range(2000))}
    body = json.dumps(payload).encode()
    status, _, answer = fetch(port, "POST", "/aecho", body, {"Content-Type": "application/json"})
    assert status == 200
    assert json.loads(answer) == {"data": payload, "root": ""}


def test_hypercorn_keeping_the_clients_header_case(tmp_path: pathlib.Path) -> None:
    # hypercorn's h11_pass_raw_headers passes header names as the client wrote them
    # ("Content-Length", "Content-Type"), which the ASGI spec allows; bodies must still be
    # read, by async and sync views alike.
    if importlib.util.find_spec("hypercorn") is None:
        pytest.skip("hypercorn is not installed (pip install hypercorn)")
    port = free_port()
    config = tmp_path / "hypercorn.toml"
    config.write_text(f'h11_pass_raw_headers = true\nbind = ["127.0.0.1:{port}"]\n')
    argv = ["hypercorn", "--config", str(config), "asgi_server_app:app.asgi"]
    body = json.dumps({"a": [1, None]}).encode()
    json_type = {"Content-Type": "application/json"}
    with running_server(argv, port):
        status, _, answer = fetch(port, "POST", "/aecho", body, json_type)
        assert (status, json.loads(answer)) == (200, {"data": {"a": [1, None]}, "root": ""})
        status, _, answer = fetch(port, "POST", "/sync-body", b"x" * 1000)
        assert (status, json.loads(answer)) == (200, {"size": 1000})


def test_multipart_upload(server: tuple[str, int, str]) -> None:
    _, port, _ = server
    data = os.urandom(300_000)
    body = (
        b'--bnd\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n'
        b'--bnd\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--bnd--\r\n"
    )
    status, _, answer = fetch(
        port, "POST", "/upload", body, {"Content-Type": "multipart/form-data; boundary=bnd"}
    )
    assert status == 200
    assert json.loads(answer) == {"name": "x.bin", "size": 300_000, "field": "value"}


def test_body_over_max_content_length_is_413(server: tuple[str, int, str]) -> None:
    _, port, _ = server
    body = b"x" * (1024 * 1024 + 1)
    try:
        status, _, _ = fetch(port, "POST", "/aecho", body, {"Content-Type": "application/json"})
    except (ConnectionError, http.client.HTTPException):
        pytest.skip("the server closed the connection while the client was still sending")
    assert status == 413


@pytest.mark.parametrize("path", ["/sync-body", "/aecho"])
def test_a_stalled_upload_ends_with_408(server: tuple[str, int, str], path: str) -> None:
    """A client that announces 100 bytes, sends 10 and goes quiet gets a 408 once
    ASGI_BODY_TIMEOUT (2 s in this app) passes, from a sync or an async view."""
    _, port, _ = server
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n"
            "Content-Type: application/json\r\n\r\n[1, 2, 3,".encode()
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert 1.5 < time.monotonic() - started < 12


# -- streaming and disconnects -------------------------------------------------------------------


def test_first_chunk_arrives_before_generator_finishes(server: tuple[str, int, str]) -> None:
    _, port, marker_dir = server
    token = uuid.uuid4().hex
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", f"/stream/{token}")
        response = conn.getresponse()
        assert response.status == 200
        # The generator will not produce its second chunk until this marker exists.
        assert response.readline() == b"first\n"
        with open(os.path.join(marker_dir, f"{token}.got-first"), "w"):
            pass
        assert response.read() == b"second\n"
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_client_disconnect_mid_stream_closes_generator(
    server: tuple[str, int, str], kind: str
) -> None:
    _, port, marker_dir = server
    token = uuid.uuid4().hex
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(f"GET /forever/{kind}/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        received = b""
        while b"tick 3" not in received:
            chunk = sock.recv(4096)
            assert chunk, "server closed the stream early"
            received += chunk
        assert b" 200 " in received.split(b"\r\n", 1)[0]
    finally:
        sock.close()
    marker = os.path.join(marker_dir, f"{token}.closed")
    assert wait_for_file(marker), "the generator's finally did not run after the disconnect"
    with open(marker) as file:
        assert file.read() == kind


# -- server-sent events --------------------------------------------------------------------------


def test_server_sent_events(server: tuple[str, int, str]) -> None:
    _, port, _ = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/sse")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type", "").startswith("text/event-stream")
        assert response.getheader("Cache-Control") == "no-cache"
        assert response.getheader("X-Accel-Buffering") == "no"
        assert response.getheader("Content-Length") is None
        first = response.readline()
        assert first == b"retry: 1000\n"
        text = (first + response.read()).decode()
    finally:
        conn.close()
    blocks = [block for block in text.split("\n\n") if block]
    events = [b for b in blocks if not b.startswith(":") and not b.startswith("retry")]
    assert events == [f"event: tick\nid: {i}\ndata: tick {i}" for i in range(3)]
    assert any(b.startswith(": keep-alive") for b in blocks)


# -- WebSockets ----------------------------------------------------------------------------------


def test_websocket_conversation(server: tuple[str, int, str]) -> None:
    websockets_sync = pytest.importorskip("websockets.sync.client")
    from websockets.exceptions import ConnectionClosed

    _, port, _ = server
    _, headers, _ = fetch(port, "GET", "/login/ann")
    cookie = headers["set-cookie"].split(";", 1)[0]
    with websockets_sync.connect(
        f"ws://127.0.0.1:{port}/ws/lobby",
        subprotocols=["chat"],
        additional_headers={"Cookie": cookie},
        open_timeout=10,
    ) as ws:
        assert ws.subprotocol == "chat"
        assert json.loads(ws.recv(timeout=10)) == {"room": "lobby", "user": "ann"}
        ws.send("hello")
        assert ws.recv(timeout=10) == "lobby: hello"
        ws.send(b"\x01\x02\x03")
        assert ws.recv(timeout=10) == b"\x03\x02\x01"
        ws.send("close")
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=10)
    assert info.value.rcvd is not None
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (4000, "bye")


def test_websocket_without_rule_is_refused(server: tuple[str, int, str]) -> None:
    websockets_sync = pytest.importorskip("websockets.sync.client")
    from websockets.exceptions import InvalidStatus

    _, port, _ = server
    with pytest.raises(InvalidStatus) as info:
        websockets_sync.connect(f"ws://127.0.0.1:{port}/plaintext", open_timeout=10)
    assert info.value.response.status_code == 403


def test_websocket_client_vanishing_ends_the_handler(server: tuple[str, int, str]) -> None:
    """A client that drops the TCP connection (no close frame) ends the handler."""
    websockets_sync = pytest.importorskip("websockets.sync.client")
    _, port, marker_dir = server
    for _ in range(3):
        room = uuid.uuid4().hex
        with websockets_sync.connect(f"ws://127.0.0.1:{port}/ws/{room}", open_timeout=10) as ws:
            ws.recv(timeout=10)
            ws.socket.shutdown(socket.SHUT_RDWR)
        assert wait_for_file(os.path.join(marker_dir, f"ws-{room}.closed"))
    status, _, body = fetch(port, "GET", "/plaintext")
    assert (status, body) == (200, b"Hello, World!")
