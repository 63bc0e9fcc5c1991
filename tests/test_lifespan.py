"""ASGI lifespan: before_serving / after_serving / while_serving, failures, and real uvicorn."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import typing as t

import pytest

from vial import Vial, current_app, g
from vial.globals import _cv_app

Message = dict[str, t.Any]


def run_lifespan(app: Vial, shutdown: bool = True) -> list[Message]:
    """Play a server's lifespan conversation; returns what the app sent."""
    sent: list[Message] = []

    async def main() -> None:
        incoming: asyncio.Queue[Message] = asyncio.Queue()
        await incoming.put({"type": "lifespan.startup"})

        async def receive() -> Message:
            return await incoming.get()

        async def send(message: Message) -> None:
            sent.append(message)
            if message["type"] == "lifespan.startup.complete" and shutdown:
                await incoming.put({"type": "lifespan.shutdown"})

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        await asyncio.wait_for(app.asgi(scope, receive, send), 5)

    asyncio.run(main())
    return sent


def test_startup_and_shutdown_hooks_sync_and_async() -> None:
    app = Vial(__name__)
    app.config["RESOURCE"] = "db"
    events: list[t.Any] = []

    @app.before_serving
    def sync_start() -> None:
        events.append(("sync start", current_app.config["RESOURCE"]))
        g.flag = True

    @app.before_serving
    async def async_start() -> None:
        await asyncio.sleep(0)
        events.append(("async start", current_app.name))

    @app.after_serving
    async def async_stop() -> None:
        events.append(("async stop", current_app.config["RESOURCE"]))

    @app.after_serving
    def sync_stop() -> None:
        events.append(("sync stop", _cv_app.get(None) is not None))

    sent = run_lifespan(app)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == [
        ("sync start", "db"),
        ("async start", "test_lifespan"),
        ("async stop", "db"),
        ("sync stop", True),
    ]
    assert _cv_app.get(None) is None


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_while_serving_generator(kind: str) -> None:
    app = Vial(__name__)
    events: list[str] = []

    if kind == "sync":

        @app.while_serving
        def lifespan() -> t.Iterator[None]:
            events.append(f"open {current_app.name}")
            yield
            events.append("close")

    else:

        @app.while_serving
        async def lifespan() -> t.AsyncIterator[None]:
            await asyncio.sleep(0)
            events.append(f"open {current_app.name}")
            yield
            events.append("close")

    @app.before_serving
    def first() -> None:
        events.append("before_serving")

    @app.after_serving
    def last() -> None:
        events.append("after_serving")

    sent = run_lifespan(app)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == ["before_serving", "open test_lifespan", "close", "after_serving"]


def test_app_context_available_to_requests_after_startup() -> None:
    app = Vial(__name__)

    @app.before_serving
    def connect() -> None:
        app.extensions["pool"] = "connected"

    @app.get("/")
    def index() -> str:
        return str(current_app.extensions["pool"])

    run_lifespan(app, shutdown=True)
    assert app.test_client(asgi=True).get("/").text == "connected"


@pytest.mark.parametrize("kind", ["sync", "async", "while_serving"])
def test_failing_startup_reports_failed(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    app = Vial(__name__)

    if kind == "sync":

        @app.before_serving
        def broken() -> None:
            raise RuntimeError("database unreachable")

    elif kind == "async":

        @app.before_serving
        async def broken() -> None:
            raise RuntimeError("database unreachable")

    else:

        @app.while_serving
        def broken() -> t.Iterator[None]:
            raise RuntimeError("database unreachable")
            yield

    sent = run_lifespan(app)
    assert len(sent) == 1
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert "database unreachable" in sent[0]["message"]
    assert "RuntimeError" in sent[0]["message"]
    assert any("start-up" in r.getMessage() for r in caplog.records)


def test_failing_shutdown_reports_failed() -> None:
    app = Vial(__name__)

    @app.after_serving
    def broken() -> None:
        raise ValueError("flush failed")

    sent = run_lifespan(app)
    assert sent[0]["type"] == "lifespan.startup.complete"
    assert sent[1]["type"] == "lifespan.shutdown.failed"
    assert "flush failed" in sent[1]["message"]


def test_while_serving_must_yield_once() -> None:
    app = Vial(__name__)

    @app.while_serving
    def twice() -> t.Iterator[None]:
        yield
        yield

    sent = run_lifespan(app)
    assert sent[-1]["type"] == "lifespan.shutdown.failed"


def test_no_hooks_still_answers() -> None:
    sent = run_lifespan(Vial(__name__))
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


@pytest.mark.server
def test_uvicorn_refuses_to_start_when_startup_fails(tmp_path: t.Any) -> None:
    module = tmp_path / "failing_app.py"
    module.write_text(
        textwrap.dedent(
            """
            from vial import Vial

            app = Vial(__name__)

            @app.before_serving
            async def broken():
                raise RuntimeError("cannot reach the database")

            @app.get("/")
            def index():
                return "should never be served"
            """
        )
    )
    from servers import free_port, uvicorn

    port = free_port()
    argv = uvicorn("failing_app:app.asgi", port, "--lifespan", "on")
    argv[argv.index("--log-level") + 1] = "info"
    process = subprocess.Popen(
        [sys.executable, "-m", *argv],
        cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    text = output.decode(errors="replace")
    assert process.returncode != 0, text
    assert "cannot reach the database" in text
    assert "Application startup failed" in text


def test_sync_hooks_may_call_async_code() -> None:
    """Sync lifespan hooks run like sync views: ``ensure_sync`` of a coroutine works."""
    app = Vial(__name__)
    events: list[t.Any] = []

    async def connect(name: str) -> str:
        await asyncio.sleep(0)
        return f"connected {name}"

    @app.before_serving
    def start() -> None:
        events.append(app.ensure_sync(connect)(current_app.name))

    @app.while_serving
    def around() -> t.Iterator[None]:
        events.append(app.ensure_sync(connect)("pool"))
        yield
        events.append(app.ensure_sync(connect)("closing"))

    sent = run_lifespan(app)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == ["connected test_lifespan", "connected pool", "connected closing"]


def test_while_serving_without_yield_fails_startup() -> None:
    app = Vial(__name__)

    @app.while_serving
    def never_yields() -> t.Iterator[None]:
        return
        yield

    sent = run_lifespan(app)
    assert sent[0]["type"] == "lifespan.startup.failed"
