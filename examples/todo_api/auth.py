"""API tokens: ``Authorization: Bearer <token>``, one user per token."""

from __future__ import annotations

import hmac

from vial import current_app, g, request
from vial.exceptions import Unauthorized


def _user_for(token: str) -> str | None:
    tokens: dict[str, str] = current_app.config["API_TOKENS"]
    user = None
    for known, name in tokens.items():
        # Compare with every token in constant time, so timing reveals nothing.
        if hmac.compare_digest(known.encode(), token.encode()):
            user = name
    return user


def require_token() -> None:
    """Set ``g.user`` from the bearer token, or answer 401 with a Bearer challenge."""
    credentials = request.authorization
    if credentials is None or credentials.type != "bearer" or not credentials.token:
        raise Unauthorized(
            "This API needs a token: 'Authorization: Bearer <token>'.",
            www_authenticate='Bearer realm="todo_api"',
        )
    user = _user_for(credentials.token)
    if user is None:
        raise Unauthorized(
            "The token is not valid.",
            www_authenticate='Bearer realm="todo_api", error="invalid_token"',
        )
    g.user = user
