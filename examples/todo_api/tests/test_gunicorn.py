"""The todo API over real HTTP, served by gunicorn with two worker processes."""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import time
import typing as t
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

EXAMPLES = Path(__file__).resolve().parents[2]
TOKEN = {"Authorization": "Bearer gunicorn-token"}


class Server(t.NamedTuple):
    port: int
    database: Path
    pid: int


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from servers import free_port, gunicorn, running_server

    database = tmp_path_factory.mktemp("todo_api") / "todo.sqlite"
    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIAL_DATABASE", str(database))
        mp.setenv("VIAL_API_TOKENS", json.dumps({"gunicorn-token": "alice"}))
        argv = gunicorn("todo_api:create_app()", port, "--workers", "2")
        with running_server(argv, port, cwd=str(EXAMPLES)) as process:
            yield Server(port, database, process.pid)
            assert process.poll() is None, "gunicorn died during the tests"


def call(
    server: Server,
    method: str,
    path: str,
    body: t.Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], t.Any]:
    """One request on a new connection: ``(status, lower-cased headers, JSON or None)``."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        all_headers = {**TOKEN, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        parsed = json.loads(raw) if raw else None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed
    finally:
        conn.close()


def _children(pid: int) -> set[int]:
    children = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.add(int(entry))
    return children


def test_gunicorn_runs_two_workers(server: Server) -> None:
    if not os.path.isdir("/proc"):
        pytest.skip("counting worker processes needs /proc")
    deadline = time.monotonic() + 10
    while len(_children(server.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_children(server.pid)) == 2


def test_crud_over_http(server: Server) -> None:
    status, headers, body = call(server, "POST", "/todos", {"title": "over HTTP"})
    assert status == 201
    location, etag = headers["location"], headers["etag"]
    assert headers["content-type"] == "application/json"

    status, headers, fetched = call(server, "GET", location)
    assert (status, headers["etag"], fetched) == (200, etag, body)
    status, headers, _ = call(server, "GET", location, headers={"If-None-Match": etag})
    assert (status, headers["etag"]) == (304, etag)

    status, headers, patched = call(server, "PATCH", location, {"done": True}, {"If-Match": etag})
    assert status == 200 and patched["done"] is True
    new_etag = headers["etag"]
    assert new_etag != etag
    status, headers, problem = call(
        server, "PUT", location, {"title": "x", "done": False}, {"If-Match": etag}
    )
    assert status == 412
    assert headers["content-type"] == "application/problem+json"
    assert problem["title"] == "Precondition Failed"

    status, _, replaced = call(
        server, "PUT", location, {"title": "replaced", "done": False}, {"If-Match": new_etag}
    )
    assert (status, replaced["title"]) == (200, "replaced")
    status, _, body = call(server, "DELETE", location)
    assert (status, body) == (204, None)
    assert call(server, "GET", location)[0] == 404


def test_errors_over_http(server: Server) -> None:
    status, headers, body = call(server, "GET", "/todos", headers={"Authorization": "Bearer x"})
    assert status == 401
    assert headers["www-authenticate"] == 'Bearer realm="todo_api", error="invalid_token"'
    assert body["status"] == 401
    status, _, body = call(server, "POST", "/todos", {"title": 5, "done": "no"})
    assert status == 422
    assert body["errors"] == {"title": "Must be a string.", "done": "Must be true or false."}
    status, headers, body = call(server, "DELETE", "/todos")
    assert status == 405 and "POST" in headers["allow"] and body["status"] == 405


def test_concurrent_writes_land_in_the_database(server: Server) -> None:
    titles = [f"concurrent {n}" for n in range(40)]
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda title: call(server, "POST", "/todos", {"title": title}), titles)
        )
    assert [status for status, _, _ in results] == [201] * 40
    ids = {body["id"] for _, _, body in results}
    assert len(ids) == 40

    status, _, page = call(server, "GET", "/todos?q=concurrent&per_page=15&page=3")
    assert status == 200
    assert (page["total"], page["pages"], len(page["items"])) == (40, 3, 10)

    # Whatever worker answered, the rows are in the file the server was given.
    with sqlite3.connect(server.database) as db:
        stored = {row[0] for row in db.execute("SELECT title FROM todo WHERE owner = 'alice'")}
    assert set(titles) <= stored
