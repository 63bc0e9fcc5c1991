"""WebSocket requests under ASGI.

WebSocket routes are not implemented yet: every WebSocket handshake is refused
before it is accepted (the server answers the handshake with HTTP 403).
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import Receive, Scope, Send


async def handle_websocket(app: Vial, scope: Scope, receive: Receive, send: Send) -> None:
    """Refuse the connection: no WebSocket rule can match yet."""
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1000})
