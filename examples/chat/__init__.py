"""A real-time chat on ASGI, written with vial.

WebSocket rooms (``/ws/<room>``), a server-sent-events feed of each room
(``/events/<room>``), posting over plain HTTP, and a health check. Serve it with
an ASGI server, from the ``examples`` folder::

    uvicorn chat.main:app.asgi          # or: vial --app chat run

See ``README.md`` next to this file.
"""

from __future__ import annotations

import typing as t

from vial import Vial

from . import views
from .rooms import Rooms


def create_app(test_config: t.Mapping[str, t.Any] | None = None) -> Vial:
    """Build the chat application.

    Settings: ``CHAT_HISTORY`` (messages kept per room, default 50),
    ``CHAT_MAX_MESSAGE`` (characters, default 2000) and ``CHAT_KEEP_ALIVE`` (seconds
    between keep-alive comments on idle event feeds, default 15).
    """
    app = Vial(__name__, instance_relative_config=True)
    app.config.from_mapping(CHAT_HISTORY=50, CHAT_MAX_MESSAGE=2000, CHAT_KEEP_ALIVE=15.0)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)

    @app.before_serving
    async def open_rooms() -> None:
        """Lifespan start-up: the registry lives as long as the server process serves."""
        app.extensions["chat.rooms"] = Rooms(history=int(app.config["CHAT_HISTORY"]))

    @app.after_serving
    async def close_rooms() -> None:
        """Lifespan shut-down: end every feed and socket, then forget the rooms."""
        rooms: Rooms = app.extensions.pop("chat.rooms")
        rooms.close()
        app.logger.info("chat: rooms closed")

    app.register_blueprint(views.bp)
    return app
