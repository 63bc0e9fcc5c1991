"""Errors that explain a common mistake, in debug mode only (Flask's ``flask.debughelpers``)."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from .datastructures import MultiDict
    from .routing import RequestRedirect
    from .wrappers.request import Request

__all__ = [
    "DebugFilesKeyError",
    "FormDataRoutingRedirect",
    "UnexpectedUnicodeError",
    "attach_enctype_error_multidict",
]


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Raised in places where vial wants bytes or ASCII and got other text."""


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` failed because the form was not sent as
    ``multipart/form-data``, so the browser sent file names instead of files."""

    def __init__(self, request: Request, key: str) -> None:
        sent = request.form.getlist(key)
        message = (
            f"request.files has no file {key!r}: the request's content type is"
            f" {request.mimetype!r}, not 'multipart/form-data', so no file was uploaded."
            ' Add enctype="multipart/form-data" to the <form> that sends it.'
        )
        if sent:
            message += (
                "\n\nThe browser sent the file names as text instead: "
                + ", ".join(repr(name) for name in sent)
            )
        super().__init__(message)
        self.msg = message

    def __str__(self) -> str:
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """Routing answered a request with a body with a redirect (301/302/303) that makes
    browsers resend it as GET, without its form data."""

    def __init__(self, request: Request) -> None:
        redirect = t.cast("RequestRedirect", request.routing_exception)
        message = (
            f"A {request.method} request was sent to {request.url!r}, and routing redirects"
            f" it to its canonical URL {redirect.new_url!r} with status {redirect.code}."
        )
        if f"{request.base_url}/" == redirect.new_url.partition("?")[0]:
            message += (
                " The rule's URL ends with a slash, and the request's does not: send the"
                " request to the URL with the slash."
            )
        message += (
            " Browsers drop form data on this redirect; send requests to the canonical URL,"
            " or make routing redirects 307 or 308."
        )
        super().__init__(message)


def attach_enctype_error_multidict(request: Request) -> None:
    """Make a missing key of ``request.files`` raise :class:`DebugFilesKeyError` when the
    form has a field of that name (the browser sent a file name, not a file)."""
    files = request.files
    original: type[MultiDict[str, t.Any]] = type(files)

    class _ExplainingFiles(original):  # type: ignore[valid-type, misc]
        def __getitem__(self, key: str) -> t.Any:
            try:
                return super().__getitem__(key)
            except KeyError as error:
                if key not in request.form:
                    raise
                raise DebugFilesKeyError(request, key).with_traceback(
                    error.__traceback__
                ) from None

    _ExplainingFiles.__name__ = original.__name__
    _ExplainingFiles.__qualname__ = original.__qualname__
    files.__class__ = _ExplainingFiles
