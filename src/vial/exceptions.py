"""HTTP exceptions: raise one anywhere in a view to answer with its status.

Every class here is also a tiny response: :meth:`HTTPException.get_response`
builds a short HTML page, and an instance is itself a WSGI application.
The names and constructor arguments are Werkzeug's, so ``from werkzeug.exceptions
import NotFound`` becomes ``from vial.exceptions import NotFound``.
"""

from __future__ import annotations

import typing as t

from .statuses import HTTP_STATUS_CODES

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from .typing import StartResponse, WSGIEnvironment
    from .wrappers.response import Response


def _escape_html(text: str) -> str:
    """``text`` with ``& < > " '`` replaced by character references, as MarkupSafe (and so
    Werkzeug's error pages) writes them: ``&#34;`` and ``&#39;`` for the quotes.

    PERF: the stdlib's ``html`` module imports ``html.entities``, a 2,000-entry table
    none of these pages needs, with vial; this keeps it out of ``import vial``.
    """
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


class HTTPException(Exception):
    """Base class of every HTTP error; ``code`` and ``description`` describe the answer."""

    code: int | None = None
    description: str | None = None

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The reason phrase, for example ``"Not Found"``."""
        if self.code is None:
            return "Unknown Error"
        return HTTP_STATUS_CODES.get(self.code, "Unknown Error")

    def get_description(self, environ: WSGIEnvironment | None = None, scope: t.Any = None) -> str:
        """The description as an HTML paragraph, escaped."""
        text = _escape_html(self.description or "").replace("\n", "<br>")
        return f"<p>{text}</p>"

    def get_body(self, environ: WSGIEnvironment | None = None, scope: t.Any = None) -> str:
        """The HTML page sent as the response body."""
        return (
            "<!doctype html>\n<html lang=en>\n"
            f"<title>{self.code} {_escape_html(self.name)}</title>\n"
            f"<h1>{_escape_html(self.name)}</h1>\n"
            f"{self.get_description(environ)}\n"
        )

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        """Headers of the error response."""
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(self, environ: t.Any = None, scope: t.Any = None) -> Response:
        """The response to send for this error (``self.response`` when one was given)."""
        from .wrappers.response import Response

        if self.response is not None:
            return self.response
        return Response(
            self.get_body(environ, scope), self.code or 500, self.get_headers(environ, scope)
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a WSGI request with this error."""
        return self.get_response(environ)(environ, start_response)

    def __str__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"{code} {self.name}: {self.description}"

    def __repr__(self) -> str:
        code = self.code if self.code is not None else "???"
        return f"<{type(self).__name__} '{code}: {self.name}'>"


class BadRequest(HTTPException):
    """400: the request could not be understood."""

    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


class ClientDisconnected(BadRequest):
    """The client went away before the whole request body arrived."""


class SecurityError(BadRequest):
    """A request that looks like an attack (for example a path escaping its folder)."""


class BadHost(BadRequest):
    """The Host header is not one the app trusts."""


class BadRequestKeyError(BadRequest, KeyError):
    """A key missing from ``request.form`` / ``request.args``: a 400 that is also a KeyError."""

    show_exception = False

    def __init__(self, arg: str | None = None, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        if arg is None:
            KeyError.__init__(self)
        else:
            KeyError.__init__(self, arg)

    @property
    def description(self) -> str:
        if self.show_exception:
            return f"{self._description}\nKeyError: {KeyError.__str__(self)}"
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._description = value

    _description = BadRequest.description or ""

    def __str__(self) -> str:
        return HTTPException.__str__(self)


class Unauthorized(HTTPException):
    """401: credentials are missing or wrong; ``www_authenticate`` sets the challenge header."""

    code = 401
    description = (
        "The server could not verify that you are authorized to access the URL requested."
        " You either supplied the wrong credentials (e.g. a bad password), or your browser"
        " doesn't understand how to supply the credentials required."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: t.Any = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and not isinstance(www_authenticate, (list, tuple)):
            www_authenticate = [www_authenticate]
        self.www_authenticate = www_authenticate

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.www_authenticate:
            headers.extend(("WWW-Authenticate", str(value)) for value in self.www_authenticate)
        return headers


class Forbidden(HTTPException):
    """403: the client may not have this resource."""

    code = 403
    description = (
        "You don't have the permission to access the requested resource. It is either"
        " read-protected or not readable by the server."
    )


class NotFound(HTTPException):
    """404: nothing lives at this URL."""

    code = 404
    description = (
        "The requested URL was not found on the server. If you entered the URL manually"
        " please check your spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    """405: the URL exists but not for this method; ``valid_methods`` fill the Allow header."""

    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.valid_methods = list(valid_methods) if valid_methods is not None else None

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    """406: no representation matches the Accept headers."""

    code = 406
    description = (
        "The resource identified by the request is only capable of generating response"
        " entities which have content characteristics not acceptable according to the"
        " accept headers sent in the request."
    )


class RequestTimeout(HTTPException):
    """408: the client was too slow to send its request."""

    code = 408
    description = (
        "The server closed the network connection because the browser didn't finish the"
        " request within the specified time."
    )


class Conflict(HTTPException):
    """409: the request conflicts with the resource's current state."""

    code = 409
    description = (
        "A conflict happened while processing the request. The resource might have been"
        " modified while the request was being processed."
    )


class Gone(HTTPException):
    """410: the resource was here and is gone for good."""

    code = 410
    description = (
        "The requested URL is no longer available on this server and there is no"
        " forwarding address. If you followed a link from a foreign page, please contact"
        " the author of this page."
    )


class LengthRequired(HTTPException):
    """411: the request needs a Content-Length."""

    code = 411
    description = "A request with this method requires a valid <code>Content-Length</code> header."


class PreconditionFailed(HTTPException):
    """412: an If-Match / If-Unmodified-Since precondition failed."""

    code = 412
    description = "The precondition on the request for the URL failed positive evaluation."


class RequestEntityTooLarge(HTTPException):
    """413: the body is larger than the app accepts."""

    code = 413
    description = "The data value transmitted exceeds the capacity limit."


class RequestURITooLarge(HTTPException):
    """414: the URL is too long."""

    code = 414
    description = (
        "The length of the requested URL exceeds the capacity limit for this server. The"
        " request cannot be processed."
    )


class UnsupportedMediaType(HTTPException):
    """415: the body's media type is not one the view reads."""

    code = 415
    description = "The server does not support the media type transmitted in the request."


class RequestedRangeNotSatisfiable(HTTPException):
    """416: the requested byte range lies outside the resource."""

    code = 416
    description = "The server cannot provide the requested range."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description=description, response=response)
        self.length = length
        self.units = units

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    """417: the Expect header cannot be met."""

    code = 417
    description = "The server could not meet the requirements of the Expect header"


class ImATeapot(HTTPException):
    """418: RFC 2324."""

    code = 418
    description = "This server is a teapot, not a coffee machine"


class MisdirectedRequest(HTTPException):
    """421: the request went to a server that cannot answer for this host."""

    code = 421
    description = "The server is not able to produce a response."


class UnprocessableEntity(HTTPException):
    """422: well-formed, but semantically wrong."""

    code = 422
    description = (
        "The request was well-formed but was unable to be followed due to semantic errors."
    )


class Locked(HTTPException):
    """423: the resource is locked."""

    code = 423
    description = "The resource that is being accessed is locked."


class FailedDependency(HTTPException):
    """424: a request this one depended on failed."""

    code = 424
    description = (
        "The method could not be performed on the resource because the requested action"
        " depended on another action and that action failed."
    )


class UpgradeRequired(HTTPException):
    """426: this URL needs another protocol (a WebSocket endpoint asked for over plain HTTP)."""

    code = 426
    description = (
        "This URL is a WebSocket endpoint. Connect with a WebSocket client; WebSockets"
        " need the app served over ASGI (for example 'uvicorn module:app.asgi')."
    )

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        headers.append(("Upgrade", "websocket"))
        return headers


class PreconditionRequired(HTTPException):
    """428: the request must be conditional."""

    code = 428
    description = (
        'This request is required to be conditional; try using "If-Match" or "If-Unmodified-Since".'
    )


class _RetryAfter(HTTPException):
    """Adds a Retry-After header when ``retry_after`` is given (seconds or a datetime)."""

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: t.Any = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        if self.retry_after is not None:
            if hasattr(self.retry_after, "timetuple"):
                from ._http_date import http_date

                # A naive datetime is taken as UTC, as Werkzeug's http_date does.
                value = http_date(self.retry_after)
            else:
                value = str(int(self.retry_after))
            headers.append(("Retry-After", value))
        return headers


class TooManyRequests(_RetryAfter):
    """429: rate limited."""

    code = 429
    description = "This user has exceeded an allotted request count. Try again later."


class RequestHeaderFieldsTooLarge(HTTPException):
    """431: the headers are too large."""

    code = 431
    description = "One or more header fields exceeds the maximum size."


class UnavailableForLegalReasons(HTTPException):
    """451: unavailable for legal reasons."""

    code = 451
    description = "Unavailable for legal reasons."


class InternalServerError(HTTPException):
    """500: the app failed; ``original_exception`` holds the unhandled error, if any."""

    code = 500
    description = (
        "The server encountered an internal error and was unable to complete your request."
        " Either the server is overloaded or there is an error in the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        self.original_exception = original_exception
        super().__init__(description=description, response=response)


class NotImplemented(HTTPException):
    """501: the server does not support this method or feature."""

    code = 501
    description = "The server does not support the action requested by the browser."


class BadGateway(HTTPException):
    """502: an upstream server answered badly."""

    code = 502
    description = "The proxy server received an invalid response from an upstream server."


class ServiceUnavailable(_RetryAfter):
    """503: the service is down for now."""

    code = 503
    description = (
        "The server is temporarily unable to service your request due to maintenance"
        " downtime or capacity problems. Please try again later."
    )


class GatewayTimeout(HTTPException):
    """504: an upstream server took too long."""

    code = 504
    description = "The connection to an upstream server timed out."


class HTTPVersionNotSupported(HTTPException):
    """505: the HTTP version is not supported."""

    code = 505
    description = "The server does not support the HTTP protocol version used in the request."


default_exceptions: dict[int, type[HTTPException]] = {}


def _collect_default_exceptions() -> None:
    for obj in list(globals().values()):
        if (
            isinstance(obj, type)
            and issubclass(obj, HTTPException)
            and obj.code is not None
            and not obj.__name__.startswith("_")
        ):
            default_exceptions.setdefault(obj.code, obj)


_collect_default_exceptions()


class Aborter:
    """Raise the HTTP exception for a status code; ``abort`` is an instance of this."""

    def __init__(
        self,
        mapping: dict[int, type[HTTPException]] | None = None,
        extra: dict[int, type[HTTPException]] | None = None,
    ) -> None:
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra is not None:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        from .wrappers.response import Response

        if isinstance(code, Response):
            raise HTTPException(response=code)
        if code not in self.mapping:
            raise LookupError(f"no exception for status code {code!r}")
        raise self.mapping[code](*args, **kwargs)


_aborter = Aborter()


def abort(status: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP exception for ``status`` (a code or a ready Response)."""
    _aborter(status, *args, **kwargs)
