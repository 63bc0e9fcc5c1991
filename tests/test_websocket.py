"""WebSockets under ASGI: rules, the ``websocket`` global, hooks, errors and limits."""

from __future__ import annotations

import asyncio
import logging
import typing as t

import pytest

from vial import Blueprint, Vial, abort, g, request, session, websocket
from vial.asgi_testing import WebSocketClosed, WebSocketDenied
from vial.websockets import WebSocketDisconnect


@pytest.fixture
def app() -> Vial:
    app = Vial(__name__)
    app.config.update(SECRET_KEY="key")
    return app


def test_rule_with_converters_and_echo(app: Vial) -> None:
    @app.websocket("/ws/<room>/<int:n>")
    async def chat(room: str, n: int) -> None:
        await websocket.accept()
        for _ in range(n):
            message = await websocket.receive()
            await websocket.send(f"{room}: {message!r}")
        await websocket.close()

    client = app.test_client()
    with client.websocket("/ws/lobby/2") as ws:
        ws.send("hi")
        assert ws.receive() == "lobby: 'hi'"
        ws.send(b"\x00\x01")
        assert ws.receive() == "lobby: b'\\x00\\x01'"
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
        assert info.value.code == 1000

    # The int converter refuses a non-number: no rule, closed before accept.
    with pytest.raises(WebSocketDenied), client.websocket("/ws/lobby/x"):
        pass


def test_accept_with_subprotocol_and_headers(app: Vial) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        assert websocket.requested_subprotocols == ["chat.v2", "chat.v1"]
        await websocket.accept(subprotocol="chat.v1", headers=[("X-Server", "vial")])
        await websocket.send_text("hello")
        await websocket.close()

    with app.test_client().websocket("/ws", subprotocols=["chat.v2", "chat.v1"]) as ws:
        assert ws.accepted_subprotocol == "chat.v1"
        assert (b"x-server", b"vial") in ws.accept_headers
        assert ws.receive_text() == "hello"


def test_header_with_newline_refused(app: Vial) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        await websocket.accept(headers=[("X-Bad", "a\r\nInjected: 1")])

    with pytest.raises(WebSocketDenied), app.test_client().websocket("/ws"):
        pass


def test_text_bytes_and_json_helpers(app: Vial) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        text = await websocket.receive_text()
        data = await websocket.receive_bytes()
        obj = await websocket.receive_json()
        await websocket.send_text(text.upper())
        await websocket.send_bytes(data[::-1])
        await websocket.send_json({"got": obj, "n": len(data)})
        await websocket.close()

    with app.test_client().websocket("/ws") as ws:
        ws.send_text("abc")
        ws.send_bytes(b"\x01\x02\x03")
        ws.send_json({"x": [1, 2]})
        assert ws.receive_text() == "ABC"
        assert ws.receive_bytes() == b"\x03\x02\x01"
        assert ws.receive_json() == {"got": {"x": [1, 2]}, "n": 3}


def test_async_iteration_and_close_code_reason(app: Vial) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        received = []
        async for message in websocket:
            if message == "bye":
                break
            received.append(message)
            await websocket.send(f"ack {len(received)}")
        await websocket.close(4001, "done here")

    with app.test_client().websocket("/ws") as ws:
        ws.send("one")
        assert ws.receive() == "ack 1"
        ws.send("two")
        assert ws.receive() == "ack 2"
        ws.send("bye")
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
        assert (info.value.code, info.value.reason) == (4001, "done here")


def test_iteration_ends_when_client_disconnects(app: Vial) -> None:
    seen: list[t.Any] = []

    @app.websocket("/ws")
    async def ws_view() -> None:
        async for message in websocket:
            seen.append(message)
        seen.append("loop ended")

    with app.test_client().websocket("/ws") as ws:
        ws.send("a")
        ws.close(1001)
    assert seen == ["a", "loop ended"]


def test_disconnect_raises_websocket_disconnect(app: Vial) -> None:
    caught: list[tuple[int, str]] = []

    @app.websocket("/ws")
    async def ws_view() -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.receive()
        except WebSocketDisconnect as e:
            caught.append((e.code, e.reason))
            raise

    with app.test_client().websocket("/ws") as ws:
        ws.send("x")
        ws.close(1001)
    assert caught == [(1001, "")]


def test_uncaught_disconnect_is_not_an_error(app: Vial, caplog: pytest.LogCaptureFixture) -> None:
    teardown: list[t.Any] = []

    @app.teardown_request
    def on_teardown(exc: BaseException | None) -> None:
        teardown.append(exc)

    @app.websocket("/ws")
    async def ws_view() -> None:
        while True:
            await websocket.receive()

    with app.test_client().websocket("/ws"):
        pass
    assert teardown == [None]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_request_cookies_and_session_in_handler(app: Vial) -> None:
    @app.post("/login")
    def login() -> str:
        session["user"] = request.form["user"]
        return "ok"

    @app.websocket("/ws")
    async def ws_view() -> None:
        user = session.get("user")
        if user is None:
            await websocket.close(4401, "login first")
            return
        await websocket.accept()
        await websocket.send_json(
            {
                "user": user,
                "cookie": request.cookies.get("theme"),
                "path": request.path,
                "args": request.args.get("q"),
                "header": request.headers.get("X-Token"),
            }
        )
        await websocket.close()

    client = app.test_client()
    with pytest.raises(WebSocketDenied), client.websocket("/ws"):
        pass
    assert client.post("/login", data={"user": "ann"}).text == "ok"
    client.set_cookie("theme", "dark")
    with client.websocket("/ws", query_string="q=1", headers={"X-Token": "t"}) as ws:
        assert ws.receive_json() == {
            "user": "ann",
            "cookie": "dark",
            "path": "/ws",
            "args": "1",
            "header": "t",
        }


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_before_websocket_hooks(app: Vial, kind: str) -> None:
    calls: list[str] = []

    def check() -> t.Any:
        calls.append("hook")
        g.checked = True
        if request.args.get("token") != "secret":
            return "refused"
        return None

    async def async_check() -> t.Any:
        return check()

    app.before_websocket(check if kind == "sync" else async_check)

    @app.before_request
    def not_for_websockets() -> None:
        calls.append("before_request")

    @app.websocket("/ws")
    async def ws_view() -> None:
        assert g.checked
        calls.append("handler")
        await websocket.send("welcome")
        await websocket.close()

    client = app.test_client()
    with pytest.raises(WebSocketDenied), client.websocket("/ws"):
        pass
    assert calls == ["hook"]
    with client.websocket("/ws?token=secret") as ws:
        assert ws.receive() == "welcome"
    assert calls == ["hook", "hook", "handler"]


def test_before_websocket_abort_refuses(app: Vial) -> None:
    @app.before_websocket
    def deny() -> None:
        abort(403)

    @app.websocket("/ws")
    async def ws_view() -> None:
        raise AssertionError("must not run")

    with pytest.raises(WebSocketDenied), app.test_client().websocket("/ws"):
        pass


def test_url_value_preprocessor_runs_for_websocket(app: Vial) -> None:
    @app.url_value_preprocessor
    def pull(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
        if values is not None and "lang" in values:
            g.lang = values.pop("lang")

    @app.websocket("/<lang>/ws")
    async def ws_view() -> None:
        await websocket.send(g.lang)
        await websocket.close()

    with app.test_client().websocket("/de/ws") as ws:
        assert ws.receive() == "de"


def test_blueprint_websocket_rule(app: Vial) -> None:
    bp = Blueprint("chat", __name__, url_prefix="/chat")

    @bp.before_websocket
    def only_members() -> t.Any:
        return None if request.args.get("member") else "refused"

    @bp.websocket("/ws")
    async def ws_view() -> None:
        await websocket.send(f"{request.blueprint} {request.endpoint}")
        await websocket.close()

    app.register_blueprint(bp)
    client = app.test_client()
    with client.websocket("/chat/ws?member=1") as ws:
        assert ws.receive() == "chat chat.ws_view"
    with pytest.raises(WebSocketDenied), client.websocket("/chat/ws"):
        pass


def test_handler_error_closes_1011_and_is_logged(
    app: Vial, caplog: pytest.LogCaptureFixture
) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        await websocket.accept()
        await websocket.receive()
        raise ZeroDivisionError("handler bug")

    with app.test_client().websocket("/ws") as ws:
        ws.send("go")
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
        assert info.value.code == 1011
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is ZeroDivisionError


def test_handler_error_before_accept_refuses_and_is_logged(
    app: Vial, caplog: pytest.LogCaptureFixture
) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        raise ValueError("early bug")

    with pytest.raises(WebSocketDenied), app.test_client().websocket("/ws"):
        pass
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)


def test_teardown_runs_with_handler_error(app: Vial) -> None:
    seen: list[t.Any] = []

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        seen.append(type(exc).__name__)

    @app.websocket("/ws")
    async def ws_view() -> None:
        await websocket.accept()
        raise KeyError("x")

    with app.test_client().websocket("/ws") as ws, pytest.raises(WebSocketClosed):
        ws.receive()
    assert seen == ["KeyError"]


def test_path_without_websocket_rule_closed_before_accept(app: Vial) -> None:
    @app.get("/http-only")
    def http_only() -> str:
        return "x"

    client = app.test_client()
    for path in ("/nowhere", "/http-only"):
        with pytest.raises(WebSocketDenied), client.websocket(path):
            pass


def test_websocket_rule_over_http(app: Vial, interface: str) -> None:
    @app.websocket("/ws")
    async def ws_view() -> None:
        raise AssertionError("must not run over HTTP")

    response = app.test_client(asgi=interface == "asgi").get("/ws")
    assert response.status_code in (426, 404)
    if interface == "wsgi":
        assert response.status_code == 426
        assert "websocket" in response.headers.get("Upgrade", "").lower()


def test_http_and_websocket_on_same_path(app: Vial) -> None:
    @app.get("/live")
    def page() -> str:
        return "page"

    @app.websocket("/live", endpoint="live_ws")
    async def live() -> None:
        await websocket.send("socket")
        await websocket.close()

    client = app.test_client()
    assert client.get("/live").text == "page"
    with client.websocket("/live") as ws:
        assert ws.receive() == "socket"


def test_sync_handler_refused_at_registration(app: Vial) -> None:
    with pytest.raises(TypeError, match="async def"):

        @app.websocket("/ws")
        def ws_view() -> None:
            pass


@pytest.mark.parametrize("data", ["x" * 101, b"x" * 101])
def test_message_over_limit_closes_1009(app: Vial, data: str | bytes) -> None:
    app.config["WEBSOCKET_MAX_MESSAGE_SIZE"] = 100
    handled: list[str] = []

    @app.websocket("/ws")
    async def ws_view() -> None:
        async for message in websocket:
            handled.append(message if isinstance(message, str) else message.decode())
            await websocket.send("ok")

    with app.test_client().websocket("/ws") as ws:
        ws.send("x" * 100)
        assert ws.receive() == "ok"
        ws.send(data)
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
        assert info.value.code == 1009
    assert handled == ["x" * 100]


def test_websocket_global_outside_handler(app: Vial) -> None:
    with pytest.raises(RuntimeError, match="WebSocket"):
        websocket.accepted  # noqa: B018

    @app.get("/")
    def index() -> str:
        try:
            websocket.accepted  # noqa: B018
        except RuntimeError:
            return "no websocket here"
        return "?"

    assert app.test_client().get("/").text == "no websocket here"


def test_direct_asgi_conversation(app: Vial) -> None:
    """The adapter with a hand-written websocket scope (no test client)."""

    @app.websocket("/ws/<room>")
    async def ws_view(room: str) -> None:
        await websocket.accept()
        message = await websocket.receive()
        await websocket.send(f"{room}:{message}")
        await websocket.close(1000)

    incoming = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "hi"},
    ]
    sent: list[dict[str, t.Any]] = []

    async def receive() -> dict[str, t.Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(10)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, t.Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/ws/blue",
        "raw_path": b"/ws/blue",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"example.com")],
        "subprotocols": [],
    }
    asyncio.run(asyncio.wait_for(app.asgi(scope, receive, send), 5))
    assert [m["type"] for m in sent] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert sent[1]["text"] == "blue:hi"
    assert sent[2]["code"] == 1000


def test_message_limit_counts_utf8_bytes(app: Vial) -> None:
    app.config["WEBSOCKET_MAX_MESSAGE_SIZE"] = 100

    @app.websocket("/ws")
    async def ws_view() -> None:
        async for message in websocket:
            await websocket.send(f"ok {len(message)}")

    with app.test_client().websocket("/ws") as ws:
        ws.send("é" * 50)  # 100 bytes: at the limit
        assert ws.receive() == "ok 50"
        ws.send("é" * 51)  # 51 characters, 102 bytes: over it
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
        assert info.value.code == 1009


def test_test_client_disconnects_a_pending_receive_after_the_app_closes(app: Vial) -> None:
    """As a server does: once the app closed, a receive() still awaited gets a disconnect."""
    ended: list[int] = []

    @app.websocket("/ws")
    async def closer() -> None:
        await websocket.accept()
        pending = asyncio.ensure_future(websocket.receive())
        await websocket.close(1001)
        try:
            await asyncio.wait_for(pending, 5)
        except WebSocketDisconnect as error:
            ended.append(error.code)

    with app.test_client().websocket("/ws", timeout=5) as ws, pytest.raises(WebSocketClosed):
        ws.receive()
    assert ended == [1001]


def test_url_for_in_a_websocket_builds_http_urls_for_http_routes(app: Vial) -> None:
    from vial import url_for

    @app.route("/page")
    def page() -> str:
        return ""

    @app.websocket("/ws")
    async def ws_view() -> None:
        await websocket.accept()
        await websocket.send_text(
            " ".join(
                (
                    url_for("page"),
                    url_for("page", _external=True),
                    url_for("ws_view"),
                    url_for("ws_view", _external=True),
                )
            )
        )
        await websocket.close()

    with app.test_client().websocket("/ws") as ws:
        assert ws.receive_text() == "/page http://localhost/page /ws ws://localhost/ws"
    with app.test_client().websocket("/ws", base_url="https://example.com") as ws:
        assert ws.receive_text() == "/page https://example.com/page /ws wss://example.com/ws"
