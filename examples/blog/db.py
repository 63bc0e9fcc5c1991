"""The blog's SQLite database: one connection per app context, kept on ``g``."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from vial import Vial, current_app, g


def _parse_timestamp(value: bytes) -> datetime:
    # SQLite's CURRENT_TIMESTAMP is "YYYY-MM-DD HH:MM:SS" in UTC. Our own converter,
    # because the sqlite3 module's default one is deprecated since Python 3.12.
    return datetime.fromisoformat(value.decode())


sqlite3.register_converter("timestamp", _parse_timestamp)


def get_db() -> sqlite3.Connection:
    """The connection for this app context, opened on first use."""
    if "db" not in g:
        connection = sqlite3.connect(
            current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES
        )
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        g.db = connection
    connection: sqlite3.Connection = g.db
    return connection


def close_db(error: BaseException | None = None) -> None:
    """Close this app context's connection, if one was opened."""
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def init_db() -> None:
    """Drop and recreate the tables from ``schema.sql``."""
    with current_app.open_resource("schema.sql") as schema:
        get_db().executescript(schema.read().decode("utf-8"))


def init_app(app: Vial) -> None:
    """Close connections after each app context and add the ``init-db`` command."""
    app.teardown_appcontext(close_db)

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Clear the existing data and create new tables."""
        init_db()
        print(f"Initialized the database in {current_app.config['DATABASE']}.")
