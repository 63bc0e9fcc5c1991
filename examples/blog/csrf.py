"""Cross-site request forgery protection for every form of the blog.

Each session gets a random token. Every page that shows a form puts it in a
hidden ``csrf_token`` field (``{{ csrf_field() }}`` in a template), and every
unsafe request (POST, PUT, PATCH, DELETE) must send it back, in that field or in
an ``X-CSRF-Token`` header, or it is refused with 400 Bad Request. Another site
can make a visitor's browser post to the blog with the visitor's cookie, but it
cannot read the token, so its forms fail.
"""

from __future__ import annotations

import hmac
import secrets

from markupsafe import Markup

from vial import Vial, abort, request, session

FIELD_NAME = "csrf_token"
HEADER_NAME = "X-CSRF-Token"
_SESSION_KEY = "_csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token() -> str:
    """This session's token, created on first use."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def csrf_field() -> Markup:
    """The hidden form field that carries the token."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD_NAME, csrf_token())


def check_csrf() -> None:
    """Refuse an unsafe request whose token is missing or wrong (400)."""
    if request.method in _SAFE_METHODS:
        return
    expected = session.get(_SESSION_KEY)
    sent = request.form.get(FIELD_NAME) or request.headers.get(HEADER_NAME)
    if (
        not isinstance(expected, str)
        or not sent
        or not hmac.compare_digest(expected.encode(), sent.encode())
    ):
        abort(400, "The form's security token is missing or out of date. Reload the page.")


def init_app(app: Vial) -> None:
    """Check every unsafe request and give templates ``csrf_token()`` and ``csrf_field()``."""
    app.before_request(check_csrf)
    app.add_template_global(csrf_token)
    app.add_template_global(csrf_field)
