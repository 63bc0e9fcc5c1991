"""A JSON REST API for to-do items, written with vial.

Run it from the ``examples`` folder::

    VIAL_API_TOKENS='{"secret-token": "alice"}' gunicorn -w 2 "todo_api:create_app()"
    curl -H "Authorization: Bearer secret-token" http://127.0.0.1:8000/todos

See ``README.md`` next to this file.
"""

from __future__ import annotations

import os
import typing as t

from vial import Vial

from . import db, errors, todos


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Vial:
    """Build the API.

    Settings: ``DATABASE`` (the SQLite file), ``API_TOKENS`` (bearer token -> user
    name; each user sees only their own items), ``PER_PAGE`` and ``MAX_PER_PAGE``.
    Outside tests they come from ``instance/config.py`` and ``VIAL_*`` environment
    variables (``VIAL_API_TOKENS`` is JSON).

    :param test_config: settings that replace the instance configuration (for tests).
    """
    app = Vial(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "todo.sqlite"),
        API_TOKENS={},
        PER_PAGE=20,
        MAX_PER_PAGE=100,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    os.makedirs(os.path.dirname(os.path.abspath(app.config["DATABASE"])), exist_ok=True)

    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(todos.bp)

    @app.get("/")
    def index() -> dict[str, t.Any]:
        """Where things are; needs no token."""
        return {"todos": "/todos", "auth": "Authorization: Bearer <token>"}

    return app
