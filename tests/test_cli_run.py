"""A real ``vial run``: uvicorn on a loopback port, reloading on a source change, stopped by PID."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import textwrap
import time
from pathlib import Path

import pytest

from servers import free_port, running_server

pytestmark = pytest.mark.server

RELOAD_TIMEOUT = 20.0

APP_TEMPLATE = """\
from vial import Vial, render_template

app = Vial(__name__)


@app.route("/")
def index():
    return "{body}"


@app.route("/page")
def page():
    return render_template("page.html", name="vial")


@app.route("/boom")
def boom():
    raise ValueError("kaboom <here>")
"""


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_for_body(port: int, path: str, expected: bytes, timeout: float = RELOAD_TIMEOUT) -> None:
    """Poll ``path`` until it answers ``expected`` (the server may be restarting meanwhile)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            status, body = get(port, path)
        except (OSError, http.client.HTTPException) as e:
            last = e
        else:
            last = (status, body)
            if status == 200 and body == expected:
                return
        time.sleep(0.2)
    raise AssertionError(f"{path} did not answer {expected!r} within {timeout} s; last: {last!r}")


def write_app(folder: Path, body: str) -> None:
    path = folder / "hello.py"
    path.write_text(APP_TEMPLATE.format(body=body), encoding="utf-8")
    # Make sure the change is seen even on filesystems with coarse timestamps.
    stamp = time.time() + 2
    os.utime(path, (stamp, stamp))


def port_is_closed(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return False
    return True


def test_vial_run_debug_reloads_on_source_change(tmp_path: Path) -> None:
    write_app(tmp_path, "first version")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>Hello {{ name }}</p>", encoding="utf-8")
    port = free_port()
    argv = ["vial", "--app", "hello", "run", "--port", str(port), "--debug"]
    with running_server(argv, port, cwd=str(tmp_path)) as process:
        wait_for_body(port, "/", b"first version")
        # Debug mode: the debug page, escaped.
        status, body = get(port, "/boom")
        assert status == 500
        assert b"kaboom &lt;here&gt;" in body
        assert b"hello.py" in body
        # A source change restarts the app. uvicorn's StatReload takes its first
        # snapshot of the files' mtimes reload_delay (0.25 s) after it starts the
        # worker; a change written before that snapshot is its baseline and is never
        # seen, and the worker can now answer sooner than that.
        time.sleep(1)
        write_app(tmp_path, "second version")
        wait_for_body(port, "/", b"second version")
        # A template change is picked up too.
        wait_for_body(port, "/page", b"<p>Hello vial</p>")
        (templates / "page.html").write_text("<p>Bye {{ name }}</p>", encoding="utf-8")
        wait_for_body(port, "/page", b"<p>Bye vial</p>")
        pid = process.pid
    # running_server stopped it by PID (SIGTERM); the reloader took its child down with it.
    assert process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    deadline = time.monotonic() + 10
    while not port_is_closed(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert port_is_closed(port)


def test_vial_run_without_debug_has_no_debug_page_and_no_reload(tmp_path: Path) -> None:
    write_app(tmp_path, "steady")
    port = free_port()
    argv = ["vial", "--app", "hello", "run", "--port", str(port)]
    with running_server(argv, port, cwd=str(tmp_path)):
        wait_for_body(port, "/", b"steady")
        status, body = get(port, "/boom")
        assert status == 500
        assert b"kaboom" not in body and b"Traceback" not in body
        write_app(tmp_path, "changed")
        time.sleep(1.5)
        assert get(port, "/") == (200, b"steady")


def test_vial_run_workers(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import os
            from vial import Vial

            app = Vial(__name__)

            @app.route("/")
            def index():
                return "from a worker"
            """
        ),
        encoding="utf-8",
    )
    port = free_port()
    argv = ["vial", "run", "--port", str(port), "--workers", "2"]
    with running_server(argv, port, cwd=str(tmp_path)):
        for _ in range(4):
            wait_for_body(port, "/", b"from a worker")
