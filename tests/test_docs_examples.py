"""The documentation's code samples, run: the files under docs/snippets/ that the pages
include, and the names the "Coming from Flask" table promises."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
import typing as t
import warnings
from pathlib import Path

import pytest

from vial import Vial, session

DOCS = Path(__file__).resolve().parent.parent / "docs"
SNIPPETS = DOCS / "snippets"


def load_snippet(name: str) -> types.ModuleType:
    """Import docs/snippets/<name>.py as a fresh module."""
    module_name = f"_docs_snippet_{name}"
    spec = importlib.util.spec_from_file_location(module_name, SNIPPETS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=[False, True], ids=["wsgi", "asgi"])
def asgi(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_hello(asgi: bool) -> None:
    app = load_snippet("hello").app
    response = app.test_client(asgi=asgi).get("/")
    assert response.status_code == 200
    assert response.text == "Hello, World!"


def test_quickstart(asgi: bool) -> None:
    app = load_snippet("quickstart").app
    client = app.test_client(asgi=asgi)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/hello/world"
    page = client.get("/hello/<b>")
    assert "Hello, &lt;b&gt;!" in page.text
    assert client.get("/books").json == [{"id": 1, "title": "Dune", "author": "Frank Herbert"}]
    assert client.get("/books/1").json["title"] == "Dune"
    assert client.get("/books/9").status_code == 404
    assert client.post("/books", json={"author": "nobody"}).status_code == 400
    created = client.post("/books", json={"title": "Emma", "author": "Jane Austen"})
    assert created.status_code == 201
    assert created.headers["Location"] == "/books/2"
    assert client.get("/books/2").json["author"] == "Jane Austen"


def test_live_http(asgi: bool) -> None:
    app = load_snippet("live").app
    client = app.test_client(asgi=asgi)
    assert client.get("/health").json == {"status": "ok"}
    assert client.post("/upload", data=b"x" * 100_000).json == {"received": 100_000}
    assert client.get("/report?line=a&line=b").json == {"lines": 2}
    events = client.get("/clock")
    assert events.mimetype == "text/event-stream"
    assert "event: tick\nid: 2\ndata: tick 2\n\n" in events.text


def test_live_websocket() -> None:
    app = load_snippet("live").app
    with app.test_client().websocket("/ws/echo") as ws:
        ws.send("hi")
        assert ws.receive() == "echo: hi"


def test_live_lifespan() -> None:
    import asyncio

    app = load_snippet("live").app
    seen: list[bool] = []

    async def main() -> None:
        incoming: asyncio.Queue[dict[str, t.Any]] = asyncio.Queue()
        await incoming.put({"type": "lifespan.startup"})

        async def receive() -> dict[str, t.Any]:
            return await incoming.get()

        async def send(message: dict[str, t.Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                seen.append("bus" in app.extensions)
                await incoming.put({"type": "lifespan.shutdown"})

        await app.asgi({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)

    asyncio.run(asyncio.wait_for(main(), 5))
    assert seen == [True]
    assert "bus" not in app.extensions


def test_class_based_views(asgi: bool) -> None:
    app = load_snippet("views").app
    client = app.test_client(asgi=asgi)
    assert client.get("/items/").json == [{"name": "first"}]
    assert client.put("/items/2", json={"name": "second"}).json == {"name": "second"}
    assert client.get("/items/2").json == {"name": "second"}
    assert client.delete("/items/2").status_code == 204
    assert client.post("/items/1").status_code == 405


class FakeRedis:
    """The three Redis calls the session interface makes, in memory."""

    def __init__(self) -> None:
        self.data: dict[str, t.Any] = {}
        self.ttl: dict[str, int] = {}

    def get(self, key: str) -> t.Any:
        return self.data.get(key)

    def setex(self, key: str, ttl: int, value: t.Any) -> None:
        self.data[key] = value
        self.ttl[key] = ttl

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def test_redis_sessions(asgi: bool) -> None:
    mod = load_snippet("redis_sessions")
    redis = FakeRedis()
    app = Vial(__name__)
    mod.RedisSessions(app, client=redis)
    assert app.extensions["redis_sessions"]

    @app.post("/login")
    def login() -> str:
        session["user"] = "ada"
        return "ok"

    @app.get("/me")
    def me() -> dict[str, t.Any]:
        return {"user": session.get("user")}

    @app.post("/logout")
    def logout() -> str:
        session.clear()
        return "bye"

    client = app.test_client(asgi=asgi)
    assert client.get("/me").json == {"user": None}
    assert redis.data == {}  # an untouched session is not stored
    response = client.post("/login")
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]
    (key,) = redis.data
    sid = key.removeprefix("session:")
    assert f"session={sid}" in response.headers["Set-Cookie"]
    assert "ada" not in response.headers["Set-Cookie"]  # only the id travels
    assert redis.ttl[key] == 31 * 24 * 3600
    assert client.get("/me").json == {"user": "ada"}
    assert client.get("/me").headers["Vary"] == "Cookie"
    client.post("/logout")
    assert redis.data == {}
    assert client.get("/me").json == {"user": None}


def test_sqlite_extension(tmp_path: Path, asgi: bool) -> None:
    mod = load_snippet("sqlite_ext")
    db = mod.SQLite()
    app = Vial(__name__)
    app.config["SQLITE_DATABASE"] = str(tmp_path / "notes.db")
    db.init_app(app)

    @app.post("/notes")
    def add_note() -> tuple[dict[str, int], int]:
        from vial import request

        cur = db.connection.execute("INSERT INTO note (body) VALUES (?)", (request.form["body"],))
        db.connection.commit()
        return {"id": t.cast(int, cur.lastrowid)}, 201

    @app.get("/notes")
    def notes() -> list[str]:
        return [row["body"] for row in db.connection.execute("SELECT body FROM note")]

    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Initialized" in result.output
    client = app.test_client(asgi=asgi)
    assert client.post("/notes", data={"body": "hello"}).status_code == 201
    assert client.get("/notes").json == ["hello"]


# -- the "Coming from Flask" table --------------------------------------------------------------

_ROW = re.compile(r"^\|\s*`(?P<flask>[\w.]+)`\s*\|\s*`(?P<vial>[\w.]+)`\s*\|", re.M)


def _table_rows() -> list[tuple[str, str]]:
    text = (DOCS / "flask.md").read_text(encoding="utf-8")
    rows = [(m["flask"], m["vial"]) for m in _ROW.finditer(text)]
    assert len(rows) > 150
    return rows


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_name_in_the_flask_table_imports() -> None:
    missing = []
    for _flask_name, vial_name in _table_rows():
        try:
            with warnings.catch_warnings():
                # Deprecated names (OrderedMultiDict) warn on import, as Werkzeug's do.
                warnings.simplefilter("ignore", DeprecationWarning)
                _resolve(vial_name)
        except (ImportError, AttributeError):
            missing.append(vial_name)
    assert missing == []


def test_proxy_headers(asgi: bool) -> None:
    from vial import request

    app = Vial(__name__)
    app.wsgi_app = load_snippet("proxy").ProxyHeaders(app.wsgi_app)  # type: ignore[method-assign]

    @app.get("/where")
    def where() -> dict[str, t.Any]:
        return {"remote": request.remote_addr, "url": request.url, "secure": request.is_secure}

    @app.get("/async")
    async def where_async() -> dict[str, t.Any]:
        return {"remote": request.remote_addr}

    client = app.test_client(asgi=asgi)
    headers = {
        "X-Forwarded-For": "203.0.113.9, 198.51.100.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "example.com",
    }
    assert client.get("/where", headers=headers).json == {
        "remote": "198.51.100.7",
        "url": "https://example.com/where",
        "secure": True,
    }
    assert client.get("/async", headers=headers).json == {"remote": "198.51.100.7"}
    assert client.get("/where").json["url"] == "http://localhost/where"


def test_production_factory(asgi: bool) -> None:
    app = load_snippet("production").create_app()
    app.config["TESTING"] = False
    assert app.config["SESSION_COOKIE_SECURE"] is True

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    client = app.test_client(asgi=asgi)
    assert client.get("/healthz").json == {"status": "ok"}
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json == {"error": "internal server error"}
