"""The app factory, the database helper and the init-db command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from blog import create_app
from blog.db import get_db
from vial import Vial
from vial.testing import VialClient


def test_config() -> None:
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


def test_database_in_instance_folder_by_default() -> None:
    app = create_app()
    assert app.config["DATABASE"] == str(Path(app.instance_path) / "blog.sqlite")


def test_one_connection_per_app_context_closed_afterwards(app: Vial) -> None:
    with app.app_context():
        db = get_db()
        assert get_db() is db
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_init_db_command_recreates_tables(app: Vial) -> None:
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Initialized the database" in result.output
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM user").fetchone()[0] == 0
        assert get_db().execute("SELECT count(*) FROM post").fetchone()[0] == 0


def test_static_css(client: VialClient) -> None:
    response = client.get("/static/style.css")
    response.close()  # a file response holds its file open until closed, as in Flask
    assert response.status_code == 200
    assert response.mimetype == "text/css"
