"""The Flask extension pattern, unchanged: a small SQLite extension, through both interfaces.

``SQLiteExt`` is written the way Flask's extension guide teaches: created without an
app, bound with ``init_app`` inside an app factory, state in ``app.extensions``,
one connection per app context kept on ``g``, closed by ``teardown_appcontext``,
and ``current_app`` wherever the extension needs the app.
"""

from __future__ import annotations

import asyncio
import sqlite3
import typing as t
from pathlib import Path

import click
import pytest

from vial import Vial, current_app, g, jsonify, request
from vial.globals import app_ctx


class SQLiteExt:
    """Keeps one SQLite connection per app context for the current app."""

    def __init__(self, app: Vial | None = None) -> None:
        self.closed: list[sqlite3.Connection] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Vial) -> None:
        app.config.setdefault("SQLITE_DATABASE", ":memory:")
        app.extensions["sqlite_ext"] = self
        app.teardown_appcontext(self.teardown)

        @app.cli.command("init-db")
        def init_db() -> None:
            """Create the tables."""
            self.connection.execute("CREATE TABLE notes (body TEXT)")
            self.connection.commit()
            click.echo(f"initialised {current_app.config['SQLITE_DATABASE']}")

    def connect(self) -> sqlite3.Connection:
        # Async views run on an event loop thread (the server's under ASGI; in Flask,
        # asgiref's loop thread), while teardown runs where the request is handled: the
        # connection may be used from both, one at a time.
        return sqlite3.connect(current_app.config["SQLITE_DATABASE"], check_same_thread=False)

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection of the current app context (opened on first use)."""
        if "_sqlite_ext_db" not in g:
            g._sqlite_ext_db = self.connect()
        return t.cast(sqlite3.Connection, g._sqlite_ext_db)

    def teardown(self, exception: BaseException | None) -> None:
        db = g.pop("_sqlite_ext_db", None)
        if db is not None:
            db.close()
            current_app.extensions["sqlite_ext"].closed.append(db)


db = SQLiteExt()


def create_app(config: dict[str, t.Any]) -> Vial:
    """An app factory, as an extension user writes it."""
    app = Vial("ext_app")
    app.config.update(config)
    db.init_app(app)

    @app.post("/notes")
    def add_note() -> t.Any:
        db.connection.execute("INSERT INTO notes VALUES (?)", (request.get_json()["body"],))
        db.connection.commit()
        return {"count": _count()}, 201

    @app.get("/notes")
    def list_notes() -> t.Any:
        rows = db.connection.execute("SELECT body FROM notes ORDER BY rowid").fetchall()
        return jsonify(notes=[row[0] for row in rows], same=db.connection is db.connection)

    @app.get("/async-notes")
    async def async_notes() -> t.Any:
        await asyncio.sleep(0)
        return {"count": _count()}

    @app.get("/fail")
    def fail() -> str:
        db.connection.execute("SELECT 1")
        raise RuntimeError("view failed")

    return app


def _count() -> int:
    return int(db.connection.execute("SELECT count(*) FROM notes").fetchone()[0])


@pytest.fixture(autouse=True)
def _fresh_closed_list() -> None:
    db.closed.clear()


def make(tmp_path: Path, name: str = "notes.db", **config: t.Any) -> Vial:
    app = create_app({"TESTING": True, "SQLITE_DATABASE": str(tmp_path / name), **config})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == f"initialised {tmp_path / name}\n"
    return app


def test_init_app_registers_the_extension(tmp_path: Path) -> None:
    app = make(tmp_path)
    assert app.extensions["sqlite_ext"] is db
    assert app.config["SQLITE_DATABASE"].endswith("notes.db")
    assert db.teardown in app.teardown_appcontext_funcs
    # The CLI command ran in its own app context, whose connection was closed.
    assert len(db.closed) == 1


def test_views_use_a_connection_per_request(tmp_path: Path, interface: str) -> None:
    app = make(tmp_path)
    db.closed.clear()
    client = app.test_client(asgi=interface == "asgi")
    assert client.post("/notes", json={"body": "first"}).get_json() == {"count": 1}
    assert client.post("/notes", json={"body": "<second>"}).status_code == 201
    data = client.get("/notes").get_json()
    assert data == {"notes": ["first", "<second>"], "same": True}
    assert client.get("/async-notes").get_json() == {"count": 2}
    # Each request's app context opened one connection and teardown closed it.
    assert len(db.closed) == 4
    assert len({id(conn) for conn in db.closed}) == 4
    for conn in db.closed:
        with pytest.raises(sqlite3.ProgrammingError):
            conn.execute("SELECT 1")


def test_teardown_runs_when_the_view_fails(tmp_path: Path, interface: str) -> None:
    app = make(tmp_path, TESTING=False)
    db.closed.clear()
    seen: list[BaseException | None] = []
    app.teardown_appcontext(seen.append)
    response = app.test_client(asgi=interface == "asgi").get("/fail")
    assert response.status_code == 500
    assert len(db.closed) == 1
    assert len(seen) == 1 and isinstance(seen[0], RuntimeError)


def test_state_is_per_app(tmp_path: Path, interface: str) -> None:
    one = make(tmp_path, "one.db")
    two = make(tmp_path, "two.db")
    asgi = interface == "asgi"
    one.test_client(asgi=asgi).post("/notes", json={"body": "only in one"})
    assert one.test_client(asgi=asgi).get("/notes").get_json()["notes"] == ["only in one"]
    assert two.test_client(asgi=asgi).get("/notes").get_json()["notes"] == []
    assert one.extensions["sqlite_ext"] is two.extensions["sqlite_ext"] is db


def test_connection_in_a_plain_app_context(tmp_path: Path) -> None:
    app = make(tmp_path)
    with app.app_context():
        conn = db.connection
        assert conn is db.connection
        assert app_ctx.g._sqlite_ext_db is conn
        conn.execute("INSERT INTO notes VALUES ('from a script')")
        conn.commit()
    assert db.closed[-1] is conn
    with app.app_context():
        assert _count() == 1
        # A nested app context of the same app shares nothing but the app.
        with app.app_context():
            assert db.connection is not None


def test_extension_needs_an_app_context() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        db.connection  # noqa: B018


def test_extension_constructed_with_app(tmp_path: Path) -> None:
    app = Vial("direct")
    app.config["SQLITE_DATABASE"] = str(tmp_path / "direct.db")
    ext = SQLiteExt(app)
    assert app.extensions["sqlite_ext"] is ext
    with app.app_context():
        assert ext.connection.execute("SELECT 40 + 2").fetchone() == (42,)
    assert len(ext.closed) == 1


def test_sansio_names_are_the_vial_classes() -> None:
    """Flask-SQLAlchemy-Lite imports ``flask.sansio.app.App`` at import time to annotate
    ``init_app``; under vial the same paths give vial's own classes."""
    from vial import Blueprint
    from vial.sansio.app import App
    from vial.sansio.blueprints import Blueprint as SansioBlueprint
    from vial.sansio.blueprints import BlueprintSetupState
    from vial.sansio.scaffold import Scaffold

    app = Vial(__name__)
    assert isinstance(app, App) and isinstance(app, Scaffold)
    assert SansioBlueprint is Blueprint
    assert isinstance(Blueprint("bp", __name__), Scaffold)
    state = BlueprintSetupState(Blueprint("bp", __name__), app, {}, True)
    assert state.app is app
