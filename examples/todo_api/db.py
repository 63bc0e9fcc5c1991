"""The API's SQLite storage: one connection per app context, the table created on start."""

from __future__ import annotations

import sqlite3

from vial import Vial, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS todo (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  title TEXT NOT NULL,
  notes TEXT NOT NULL DEFAULT '',
  done INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS todo_owner ON todo (owner, id);
"""


def connect(path: str) -> sqlite3.Connection:
    """A connection that waits for other processes' writes instead of failing at once."""
    connection = sqlite3.connect(path, timeout=15)
    connection.row_factory = sqlite3.Row
    return connection


def get_db() -> sqlite3.Connection:
    """The connection for this app context, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    connection: sqlite3.Connection = g.db
    return connection


def close_db(error: BaseException | None = None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def create_tables(path: str) -> None:
    """Create the table if needed; safe to run from several worker processes at once."""
    connection = connect(path)
    try:
        # WAL lets readers in one worker go on while another writes.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(SCHEMA)
    finally:
        connection.close()


def init_app(app: Vial) -> None:
    create_tables(app.config["DATABASE"])
    app.teardown_appcontext(close_db)
