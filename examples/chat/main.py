"""The app for servers: ``uvicorn chat.main:app.asgi`` (from the ``examples`` folder)."""

from __future__ import annotations

from . import create_app

app = create_app()
