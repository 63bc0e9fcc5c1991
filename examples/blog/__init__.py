"""A small blog, the classic microframework tutorial app written the vial way.

Run it from the ``examples`` folder::

    vial --app blog init-db
    vial --app blog run              # or: gunicorn "blog:create_app()"

See ``README.md`` next to this file.
"""

from __future__ import annotations

import os
import typing as t

from vial import Vial

from . import auth, csrf, db, posts


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Vial:
    """Build the blog application.

    :param test_config: settings that replace the instance configuration (for tests).
    """
    app = Vial(__name__, instance_relative_config=True)
    app.config.from_mapping(
        # "dev" is for a first run on your machine only; set VIAL_SECRET_KEY or
        # SECRET_KEY in instance/config.py anywhere else.
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)
    # The index lives in the "blog" blueprint; "/" is also known as plain "index".
    app.add_url_rule("/", endpoint="index")
    return app
