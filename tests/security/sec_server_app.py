"""A tiny app the security, fault and soak tests run under real servers.

Writes go to the SQLite file named by ``VIAL_SEC_DB`` (WAL mode, committed before the
response), so a test can check that every acknowledged write survived a killed worker.
"""

from __future__ import annotations

import os
import sqlite3

from vial import Vial, g, is_safe_redirect_url, redirect, request
from vial.wrappers import Response

app = Vial(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024

DB_PATH = os.environ.get("VIAL_SEC_DB", "")


def init_db(path: str) -> None:
    """Create the todos table (once, before the server starts)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS todos (id INTEGER PRIMARY KEY, title TEXT UNIQUE)")


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(DB_PATH, timeout=30)
    return g.db  # type: ignore[no-any-return]


@app.teardown_appcontext
def close_db(exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.get("/plaintext")
def plaintext() -> tuple[str, int, dict[str, str]]:
    return "Hello, World!", 200, {"Content-Type": "text/plain"}


@app.get("/path/<path:rest>")
def path(rest: str) -> dict[str, int]:
    return {"length": len(rest)}


@app.get("/args")
def args() -> dict[str, int]:
    return {"fields": len(request.args)}


@app.get("/headers")
def headers() -> dict[str, int]:
    return {"count": len(request.headers)}


@app.post("/json")
def json_body() -> dict[str, str]:
    return {"type": type(request.get_json()).__name__}


@app.get("/echo-header")
def echo_header() -> tuple[str, int, dict[str, str]]:
    return "x", 200, {"X-Echo": request.args.get("v", "")}


@app.post("/data")
def data() -> dict[str, int]:
    return {"length": len(request.get_data())}


@app.get("/max-forwards")
def max_forwards() -> dict[str, int | None]:
    return {"max_forwards": request.max_forwards}


@app.get("/url")
def url() -> str:
    return request.url


@app.get("/go")
def go() -> Response:
    return redirect(request.args.get("next", "/"))


@app.get("/login")
def login() -> Response:
    target = request.args.get("next", "")
    return redirect(target if is_safe_redirect_url(target) else "/")


@app.post("/todos")
def add_todo() -> tuple[dict[str, object], int]:
    title = request.get_json()["title"]
    db = get_db()
    with db:
        cursor = db.execute("INSERT INTO todos (title) VALUES (?)", (title,))
    return {"id": cursor.lastrowid, "title": title}, 201


@app.get("/todos/count")
def count_todos() -> dict[str, int]:
    return {"count": get_db().execute("SELECT COUNT(*) FROM todos").fetchone()[0]}


@app.get("/fail/<hook>")
def fail(hook: str) -> str:
    if hook == "view":
        raise RuntimeError("view failed")
    return "ok"


@app.teardown_request
def failing_teardown(exc: BaseException | None) -> None:
    if request.path == "/fail/teardown":
        raise RuntimeError("teardown failed")
