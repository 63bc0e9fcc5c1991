"""A small extension in the Flask pattern: one SQLite connection per app context."""

import sqlite3

import click

from vial import current_app, g
from vial.cli import with_appcontext


class SQLite:
    def __init__(self, app=None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        # per-app settings and state go on the app, never on the extension object,
        # so that one extension instance can serve several apps
        app.config.setdefault("SQLITE_DATABASE", ":memory:")
        app.teardown_appcontext(self._close)
        app.cli.add_command(init_db_command)
        app.extensions["sqlite"] = self

    @property
    def connection(self):
        if "sqlite_db" not in g:
            g.sqlite_db = sqlite3.connect(current_app.config["SQLITE_DATABASE"])
            g.sqlite_db.row_factory = sqlite3.Row
        return g.sqlite_db

    def _close(self, exc):
        db = g.pop("sqlite_db", None)
        if db is not None:
            db.close()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the tables."""
    db = current_app.extensions["sqlite"].connection
    db.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    db.commit()
    click.echo("Initialized the database.")
