"""Every error as JSON: RFC 9457 problem details (``application/problem+json``).

::

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "..."}

Validation errors (422) add ``"errors": {"field": "message", ...}`` (``"$"`` is the
whole body).
"""

from __future__ import annotations

import typing as t

from vial import Response, Vial, jsonify
from vial.exceptions import HTTPException, InternalServerError

PROBLEM_JSON = "application/problem+json"


class ValidationFailed(HTTPException):
    """422: the request was well-formed JSON but its fields are not acceptable."""

    code = 422
    description = "The request has invalid fields."

    def __init__(self, errors: dict[str, str], description: str | None = None) -> None:
        super().__init__(description)
        self.errors = errors


def problem(
    status: int, title: str, detail: str, headers: t.Iterable[tuple[str, str]] = (), **extra: t.Any
) -> Response:
    """A problem-details response."""
    response = jsonify(type="about:blank", title=title, status=status, detail=detail, **extra)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_http_exception(error: HTTPException) -> Response:
    """4xx and 5xx raised with ``abort`` or by routing (404, 405 with its Allow header...)."""
    extra = {"errors": error.errors} if isinstance(error, ValidationFailed) else {}
    return problem(
        error.code or 500,
        error.name,
        error.description or "",
        error.get_headers(),
        **extra,
    )


def handle_internal_error(error: InternalServerError) -> Response:
    """An unhandled exception: logged with its traceback by vial, answered without details."""
    return problem(500, "Internal Server Error", "The server failed to answer; try again later.")


def init_app(app: Vial) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_internal_error)
