"""Typed access to response headers, and conditional requests (304, 412, 206, 416)."""

from __future__ import annotations

import typing as t
from datetime import datetime, timedelta, timezone

from ..utils import cached_property

if t.TYPE_CHECKING:
    from ..datastructures import (
        CallbackDict,
        ContentRange,
        Headers,
        HeaderSet,
        ResponseCacheControl,
        WWWAuthenticate,
    )
    from ..typing import WSGIEnvironment


def _header_property(name: str, doc: str) -> t.Any:
    def getter(self: ResponseHeaderMixin) -> str | None:
        return self.headers.get(name)

    def setter(self: ResponseHeaderMixin, value: str | None) -> None:
        if value is None:
            self.headers.remove(name)
        else:
            self.headers[name] = value

    return property(getter, setter, doc=doc)


def _date_property(name: str, doc: str) -> t.Any:
    def getter(self: ResponseHeaderMixin) -> datetime | None:
        from ..http import parse_date

        return parse_date(self.headers.get(name))

    def setter(self: ResponseHeaderMixin, value: datetime | int | float | str | None) -> None:
        from ..http import http_date

        if value is None:
            self.headers.remove(name)
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = http_date(value)

    return property(getter, setter, doc=doc)


def _set_header_property(name: str, doc: str) -> t.Any:
    def getter(self: ResponseHeaderMixin) -> HeaderSet:
        from ..datastructures import HeaderSet

        values = [v.strip() for v in (self.headers.get(name) or "").split(",") if v.strip()]

        def on_update(header_set: HeaderSet) -> None:
            if header_set:
                self.headers[name] = header_set.to_header()
            else:
                self.headers.remove(name)

        return HeaderSet(values, on_update)

    def setter(self: ResponseHeaderMixin, value: t.Any) -> None:
        if not value:
            self.headers.remove(name)
        elif isinstance(value, str):
            self.headers[name] = value
        else:
            self.headers[name] = ", ".join(value)

    return property(getter, setter, doc=doc)


def _policy_property(name: str, enum_name: str, doc: str) -> t.Any:
    """A header holding one value of the :mod:`vial.http` enum ``enum_name`` (``COOP``,
    ``COEP``): ``unsafe-none`` when absent; set from the enum, text, or ``None``."""

    def getter(self: ResponseHeaderMixin) -> t.Any:
        from .. import http

        enum = getattr(http, enum_name)
        return enum(self.headers.get(name) or enum.UNSAFE_NONE.value)

    def setter(self: ResponseHeaderMixin, value: t.Any) -> None:
        if value is None:
            self.headers.remove(name)
        else:
            self.headers[name] = str(getattr(value, "value", value))

    return property(getter, setter, doc=f"{doc} ``unsafe-none`` when absent.")


class ResponseHeaderMixin:
    """Header properties of :class:`~vial.wrappers.Response`."""

    headers: Headers
    charset: str
    _status_code: int
    status_code: int
    response: t.Any

    location = _header_property("Location", "The Location header (redirect target).")
    content_encoding = _header_property("Content-Encoding", "The Content-Encoding header.")
    content_language = _set_header_property(
        "Content-Language", "The Content-Language header as a set of language tags."
    )
    content_location = _header_property("Content-Location", "The Content-Location header.")
    accept_ranges = _header_property("Accept-Ranges", "The Accept-Ranges header.")
    content_security_policy = _header_property(
        "Content-Security-Policy", "The Content-Security-Policy header."
    )
    access_control_allow_origin = _header_property(
        "Access-Control-Allow-Origin", "The Access-Control-Allow-Origin header."
    )
    date = _date_property("Date", "The Date header as a datetime.")
    expires = _date_property("Expires", "The Expires header as a datetime.")
    last_modified = _date_property("Last-Modified", "The Last-Modified header as a datetime.")
    vary = _set_header_property("Vary", "The Vary header as a set of header names.")
    allow = _set_header_property("Allow", "The Allow header as a set of methods.")
    content_md5 = _header_property("Content-MD5", "The Content-MD5 header.")
    content_security_policy_report_only = _header_property(
        "Content-Security-Policy-Report-Only", "The Content-Security-Policy-Report-Only header."
    )
    access_control_allow_headers = _set_header_property(
        "Access-Control-Allow-Headers", "The headers a CORS request may send, as a set."
    )
    access_control_allow_methods = _set_header_property(
        "Access-Control-Allow-Methods", "The methods a CORS request may use, as a set."
    )
    access_control_expose_headers = _set_header_property(
        "Access-Control-Expose-Headers", "The headers a CORS response shows scripts, as a set."
    )

    @property
    def access_control_allow_credentials(self) -> bool:
        """Whether Access-Control-Allow-Credentials is ``true``; false removes it."""
        return self.headers.get("Access-Control-Allow-Credentials") == "true"

    @access_control_allow_credentials.setter
    def access_control_allow_credentials(self, value: bool | None) -> None:
        if value:
            self.headers["Access-Control-Allow-Credentials"] = "true"
        else:
            self.headers.remove("Access-Control-Allow-Credentials")

    @property
    def access_control_max_age(self) -> int | None:
        """Access-Control-Max-Age in seconds (``None`` when absent or not a number)."""
        value = self.headers.get("Access-Control-Max-Age")
        if value is None or not value.isdigit() or not value.isascii():
            return None
        return int(value)

    @access_control_max_age.setter
    def access_control_max_age(self, value: int | timedelta | None) -> None:
        if value is None:
            self.headers.remove("Access-Control-Max-Age")
        else:
            if isinstance(value, timedelta):
                value = int(value.total_seconds())
            self.headers["Access-Control-Max-Age"] = str(int(value))

    cross_origin_opener_policy = _policy_property(
        "Cross-Origin-Opener-Policy",
        "COOP",
        "Cross-Origin-Opener-Policy as a :class:`vial.http.COOP`.",
    )
    cross_origin_embedder_policy = _policy_property(
        "Cross-Origin-Embedder-Policy",
        "COEP",
        "Cross-Origin-Embedder-Policy as a :class:`vial.http.COEP`.",
    )

    @property
    def content_type(self) -> str | None:
        """The Content-Type header."""
        return self.headers.get("Content-Type")

    @content_type.setter
    def content_type(self, value: str | None) -> None:
        if value is None:
            self.headers.remove("Content-Type")
        else:
            self.headers["Content-Type"] = value

    @property
    def mimetype(self) -> str | None:
        """The mimetype, without parameters; setting it adds a charset for text types."""
        value = self.headers.get("Content-Type")
        if value is None:
            return None
        return value.split(";", 1)[0].strip().lower()

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        from .response import get_content_type

        self.headers["Content-Type"] = get_content_type(value, self.charset)

    @property
    def mimetype_params(self) -> CallbackDict[str, str]:
        """The Content-Type parameters, such as ``charset``; changing the dict
        rewrites the header."""
        from ..datastructures import CallbackDict
        from ..http import dump_options_header, parse_options_header

        def on_update(params: CallbackDict[str, str]) -> None:
            self.headers["Content-Type"] = dump_options_header(self.mimetype, params)

        params = parse_options_header(self.headers.get("Content-Type", ""))[1]
        return CallbackDict(params, on_update)

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as an int."""
        value = self.headers.get("Content-Length")
        if value is None or not value.isdigit():
            return None
        return int(value)

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self.headers.remove("Content-Length")
        else:
            self.headers["Content-Length"] = str(int(value))

    @property
    def age(self) -> timedelta | None:
        """The Age header."""
        value = self.headers.get("Age")
        if value is None or not value.isdigit():
            return None
        return timedelta(seconds=int(value))

    @age.setter
    def age(self, value: timedelta | int | None) -> None:
        if value is None:
            self.headers.remove("Age")
        else:
            seconds = int(value.total_seconds()) if isinstance(value, timedelta) else int(value)
            self.headers["Age"] = str(seconds)

    @property
    def retry_after(self) -> datetime | None:
        """The Retry-After header as a datetime (seconds are added to now)."""
        from ..http import parse_date

        value = self.headers.get("Retry-After")
        if value is None:
            return None
        if value.isdigit():
            return datetime.now(timezone.utc) + timedelta(seconds=int(value))
        return parse_date(value)

    @retry_after.setter
    def retry_after(self, value: datetime | int | None) -> None:
        from ..http import http_date

        if value is None:
            self.headers.remove("Retry-After")
        elif isinstance(value, datetime):
            self.headers["Retry-After"] = http_date(value)
        else:
            self.headers["Retry-After"] = str(int(value))

    @cached_property
    def cache_control(self) -> ResponseCacheControl:
        """The Cache-Control header; changing an attribute rewrites the header."""
        from ..datastructures import ResponseCacheControl
        from ..http import parse_cache_control_header

        def on_update(control: t.Any) -> None:
            value = control.to_header()
            if value:
                self.headers["Cache-Control"] = value
            else:
                self.headers.remove("Cache-Control")

        return parse_cache_control_header(
            self.headers.get("Cache-Control"), on_update, ResponseCacheControl
        )

    @property
    def www_authenticate(self) -> WWWAuthenticate:
        """The WWW-Authenticate challenge (a ``basic`` one when the header is absent).

        Changing the returned object updates the header, as in Werkzeug
        (``response.www_authenticate.realm = "Admin"``); assign a
        :class:`~vial.datastructures.WWWAuthenticate`, a list of them (one header
        each) or ``None``, or ``del`` it, to replace or remove the header.
        """
        from ..datastructures import WWWAuthenticate

        value = WWWAuthenticate.from_header(self.headers.get("WWW-Authenticate"))
        if value is None:
            value = WWWAuthenticate("basic")

        def on_update(challenge: WWWAuthenticate) -> None:
            self.www_authenticate = challenge

        value.on_update = on_update
        return value

    @www_authenticate.setter
    def www_authenticate(
        self, value: WWWAuthenticate | list[WWWAuthenticate] | tuple[WWWAuthenticate, ...] | None
    ) -> None:
        self.headers.remove("WWW-Authenticate")
        if isinstance(value, (list, tuple)):
            for challenge in value:
                self.headers.add("WWW-Authenticate", challenge.to_header())
        elif value is not None:
            self.headers["WWW-Authenticate"] = value.to_header()

    @www_authenticate.deleter
    def www_authenticate(self) -> None:
        self.headers.remove("WWW-Authenticate")

    @property
    def content_range(self) -> ContentRange:
        """The Content-Range header (an unset, falsy ContentRange when absent, as in
        Werkzeug); changing the returned object updates the header, and assigning a
        :class:`~vial.datastructures.ContentRange`, text or ``None`` sets it."""
        from ..datastructures import ContentRange
        from ..http import parse_content_range_header

        def on_update(content_range: ContentRange) -> None:
            self.content_range = content_range

        value = parse_content_range_header(self.headers.get("Content-Range"), on_update)
        if value is None:
            value = ContentRange(None, None, None, on_update=on_update)
        return value

    @content_range.setter
    def content_range(self, value: ContentRange | str | None) -> None:
        if value is None:
            self.headers.remove("Content-Range")
        elif isinstance(value, str):
            self.headers["Content-Range"] = value
        else:
            header = value.to_header()
            if header:
                self.headers["Content-Range"] = header
            else:
                self.headers.remove("Content-Range")

    # -- ETags and conditional responses ----------------------------------------------------------

    def get_etag(self) -> tuple[str, bool] | tuple[None, None]:
        """The ETag and whether it is weak, or ``(None, None)``."""
        from ..http import unquote_etag

        value = self.headers.get("ETag")
        if value is None:
            return None, None
        etag, weak = unquote_etag(value)
        if etag is None:
            return None, None
        return etag, weak

    def set_etag(self, etag: str, weak: bool = False) -> None:
        """Set the ETag header (quoted for you)."""
        from ..http import quote_etag

        self.headers["ETag"] = quote_etag(etag, weak)

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag computed from the body, unless one is set (or ``overwrite``)."""
        from ..http import generate_etag

        if overwrite or "ETag" not in self.headers:
            self.set_etag(generate_etag(self.get_data()), weak)  # type: ignore[attr-defined]

    def make_conditional(
        self,
        request_or_environ: t.Any,
        accept_ranges: bool | str = False,
        complete_length: int | None = None,
    ) -> t.Any:
        """Answer conditional and range requests for this response, in place.

        Evaluates the preconditions in RFC 9110's order: If-Match and
        If-Unmodified-Since (412), If-None-Match and If-Modified-Since (304),
        then a single-part Range with If-Range (206, or 416 when unsatisfiable).

        :param request_or_environ: the request (or its WSGI environ).
        :param accept_ranges: ``True`` (``"bytes"``) or a unit to advertise and honour ranges.
        :param complete_length: the full length, when the body is a file.
        """
        from ..http import http_date

        environ: WSGIEnvironment = getattr(request_or_environ, "environ", request_or_environ)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if "Date" not in self.headers:
            self.headers["Date"] = http_date()
        if accept_ranges:
            self.headers["Accept-Ranges"] = "bytes" if accept_ranges is True else accept_ranges
        if not 200 <= self._status_code < 300:
            return self
        failed = self._precondition_status(environ, method)
        if failed is not None:
            self._set_status_code(failed)
            return self
        if method == "GET" and accept_ranges and self._status_code == 200:
            self._apply_range(environ, complete_length)
        return self

    def _set_status_code(self, code: int) -> None:
        self.status_code = code

    def _precondition_status(self, environ: WSGIEnvironment, method: str) -> int | None:
        from ..http import parse_date, parse_etags

        etag, weak = self.get_etag()
        last_modified = self.last_modified
        if last_modified is not None:
            last_modified = last_modified.replace(microsecond=0)
        if_match = environ.get("HTTP_IF_MATCH")
        if if_match is not None:
            tags = parse_etags(if_match)
            if not (tags.star_tag or (etag is not None and not weak and tags.contains(etag))):
                return 412
        else:
            since = parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
            if since is not None and last_modified is not None and last_modified > since:
                return 412
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            tags = parse_etags(if_none_match)
            if tags.star_tag or (etag is not None and tags.contains_weak(etag)):
                return 304 if method in ("GET", "HEAD") else 412
        elif method in ("GET", "HEAD"):
            since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
            if since is not None and last_modified is not None and last_modified <= since:
                return 304
        return None

    def _apply_range(self, environ: WSGIEnvironment, complete_length: int | None) -> None:
        from ..exceptions import RequestedRangeNotSatisfiable
        from ..http import parse_if_range_header, parse_range_header

        header = environ.get("HTTP_RANGE")
        if header is None:
            return
        if_range = environ.get("HTTP_IF_RANGE")
        if if_range is not None and not self._if_range_matches(parse_if_range_header(if_range)):
            return
        ranges = parse_range_header(header)
        if ranges is None or len(ranges.ranges) != 1:
            return  # RFC 9110: an invalid or multi-part Range may be ignored (full 200).
        body = self.response
        seekable = hasattr(body, "set_range")
        if complete_length is None:
            if seekable or not isinstance(body, (list, tuple)):
                return
            complete_length = self.content_length
            if complete_length is None:
                complete_length = sum(len(x) for x in body)
        bounds = ranges.range_for_length(complete_length)
        if bounds is None:
            raise RequestedRangeNotSatisfiable(length=complete_length)
        start, stop = bounds
        if seekable:
            body.set_range(start, stop)
        else:
            data = b"".join(x if isinstance(x, bytes) else x.encode(self.charset) for x in body)
            self.response = [data[start:stop]]
        self.headers["Content-Length"] = str(stop - start)
        self.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{complete_length}"
        self._set_status_code(206)

    def _if_range_matches(self, if_range: t.Any) -> bool:
        if if_range.date is not None:
            last_modified = self.last_modified
            return (
                last_modified is not None and last_modified.replace(microsecond=0) == if_range.date
            )
        etag, weak = self.get_etag()
        return etag is not None and not weak and if_range.etag == etag
