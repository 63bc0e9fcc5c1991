"""Turning what a view returns into a response, by Flask's rules."""

from __future__ import annotations

import collections.abc as cabc
import typing as t

from .datastructures import Headers
from .exceptions import HTTPException
from .globals import _cv_contexts
from .wrappers.response import Response

if t.TYPE_CHECKING:
    from .app import Vial

_TUPLE_ERROR = (
    "The view function did not return a valid response tuple. The tuple must have the form"
    " (body, status, headers), (body, status), or (body, headers)."
)


def _endpoint_name() -> str:
    ctx = _cv_contexts.get()[1]
    if ctx is None:
        return "(no request)"
    return repr(ctx.request.endpoint)


def make_response_from_return_value(app: Vial, rv: t.Any) -> Response:
    """Build the response for a view's return value.

    Accepted: a response object; str or bytes (the body); dict or list (JSON);
    a generator or iterator, sync or async (streamed); an HTTPException; a WSGI
    callable; or a tuple ``(body, status)``, ``(body, headers)`` or
    ``(body, status, headers)``. ``None`` is a TypeError naming the view.
    """
    response_class = app.response_class
    # PERF: the common cases (str, dict, a ready response) are decided by exact type first.
    kind = type(rv)
    if kind is str or kind is bytes:
        return response_class(rv)
    if kind is dict or kind is list:
        return app.json.response(rv)  # type: ignore[no-any-return]
    if isinstance(rv, response_class):
        return rv

    status: t.Any = None
    headers: t.Any = None
    if isinstance(rv, tuple):
        length = len(rv)
        if length == 3:
            rv, status, headers = rv
        elif length == 2:
            if isinstance(rv[1], (Headers, dict, tuple, list)):
                rv, headers = rv
            else:
                rv, status = rv
        else:
            raise TypeError(_TUPLE_ERROR)

    if rv is None:
        raise TypeError(
            f"The view function for {_endpoint_name()} did not return a valid response. The"
            " function either returned None or ended without a return statement."
        )

    if not isinstance(rv, response_class):
        if isinstance(rv, (str, bytes, bytearray, cabc.Iterator, cabc.AsyncIterator)):
            rv = response_class(rv, status=status, headers=headers)
            status = headers = None
        elif isinstance(rv, (dict, list)):
            rv = app.json.response(rv)
        elif isinstance(rv, HTTPException):
            rv = rv.get_response()
            if not isinstance(rv, response_class):
                rv = response_class.force_type(rv)
        elif isinstance(rv, Response):
            rv = response_class.force_type(rv)
        elif callable(rv):
            ctx = _cv_contexts.get()[1]
            environ = ctx.request.environ if ctx is not None else None
            try:
                rv = response_class.force_type(rv, environ)
            except TypeError as e:
                raise TypeError(
                    f"{e}\nThe view function did not return a valid response. The return type"
                    f" must be a string, dict, list, tuple with headers or status, Response"
                    f" instance, or WSGI callable, but it was a {type(rv).__name__}."
                ).with_traceback(sys_exc_traceback()) from None
        else:
            raise TypeError(
                "The view function did not return a valid response. The return type must be a"
                " string, dict, list, tuple with headers or status, Response instance, or WSGI"
                f" callable, but it was a {type(rv).__name__}."
            )

    if status is not None:
        if isinstance(status, (str, bytes, bytearray)):
            rv.status = status if isinstance(status, str) else bytes(status).decode("latin-1")
        else:
            rv.status_code = status
    if headers:
        rv.headers.update(headers)
    return rv  # type: ignore[no-any-return]


def sys_exc_traceback() -> t.Any:
    """The traceback of the exception being handled."""
    import sys

    return sys.exc_info()[2]
