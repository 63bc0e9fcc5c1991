"""Typed views of request headers: Accept-*, Cache-Control, conditionals, Range, Authorization."""

from __future__ import annotations

import typing as t
from datetime import datetime

from ..utils import cached_property

if t.TYPE_CHECKING:
    from ..datastructures import (
        Authorization,
        CharsetAccept,
        ETags,
        HeaderSet,
        IfRange,
        LanguageAccept,
        MIMEAccept,
        Range,
        RequestCacheControl,
    )
    from ..typing import WSGIEnvironment


class RequestHeaderMixin:
    """Parsed request headers, each parsed on first access only."""

    environ: WSGIEnvironment

    @cached_property
    def accept_mimetypes(self) -> MIMEAccept:
        """The Accept header: ``best_match([...])``, ``quality(...)``, ``in``."""
        from ..datastructures import MIMEAccept
        from ..http import parse_accept_header

        return parse_accept_header(self.environ.get("HTTP_ACCEPT"), MIMEAccept)

    @cached_property
    def accept_charsets(self) -> CharsetAccept:
        """The Accept-Charset header."""
        from ..datastructures import CharsetAccept
        from ..http import parse_accept_header

        return parse_accept_header(self.environ.get("HTTP_ACCEPT_CHARSET"), CharsetAccept)

    @cached_property
    def accept_encodings(self) -> t.Any:
        """The Accept-Encoding header."""
        from ..http import parse_accept_header

        return parse_accept_header(self.environ.get("HTTP_ACCEPT_ENCODING"))

    @cached_property
    def accept_languages(self) -> LanguageAccept:
        """The Accept-Language header."""
        from ..datastructures import LanguageAccept
        from ..http import parse_accept_header

        return parse_accept_header(self.environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)

    @cached_property
    def cache_control(self) -> RequestCacheControl:
        """The Cache-Control header, read-only."""
        from ..datastructures import RequestCacheControl
        from ..http import parse_cache_control_header

        return parse_cache_control_header(
            self.environ.get("HTTP_CACHE_CONTROL"), None, RequestCacheControl
        )

    @cached_property
    def if_match(self) -> ETags:
        """The If-Match header as a set of ETags."""
        from ..http import parse_etags

        return parse_etags(self.environ.get("HTTP_IF_MATCH"))

    @cached_property
    def if_none_match(self) -> ETags:
        """The If-None-Match header as a set of ETags."""
        from ..http import parse_etags

        return parse_etags(self.environ.get("HTTP_IF_NONE_MATCH"))

    @cached_property
    def if_modified_since(self) -> datetime | None:
        """The If-Modified-Since header as an aware datetime."""
        from ..http import parse_date

        return parse_date(self.environ.get("HTTP_IF_MODIFIED_SINCE"))

    @cached_property
    def if_unmodified_since(self) -> datetime | None:
        """The If-Unmodified-Since header as an aware datetime."""
        from ..http import parse_date

        return parse_date(self.environ.get("HTTP_IF_UNMODIFIED_SINCE"))

    @cached_property
    def if_range(self) -> IfRange:
        """The If-Range header (an ETag or a date)."""
        from ..http import parse_if_range_header

        return parse_if_range_header(self.environ.get("HTTP_IF_RANGE"))

    @cached_property
    def range(self) -> Range | None:
        """The Range header, or ``None`` when absent or invalid."""
        from ..http import parse_range_header

        return parse_range_header(self.environ.get("HTTP_RANGE"))

    @cached_property
    def authorization(self) -> Authorization | None:
        """The Authorization header (Basic, Bearer, ...), or ``None``."""
        from ..datastructures import Authorization

        return Authorization.from_header(self.environ.get("HTTP_AUTHORIZATION"))

    @property
    def referrer(self) -> str | None:
        """The Referer header."""
        value: str | None = self.environ.get("HTTP_REFERER")
        return value

    @cached_property
    def date(self) -> datetime | None:
        """The Date header."""
        from ..http import parse_date

        return parse_date(self.environ.get("HTTP_DATE"))

    @property
    def origin(self) -> str | None:
        """The Origin header."""
        value: str | None = self.environ.get("HTTP_ORIGIN")
        return value

    @cached_property
    def pragma(self) -> HeaderSet:
        """The Pragma header as a set of directives (empty when absent), as in Werkzeug."""
        from ..http import parse_set_header

        return parse_set_header(self.environ.get("HTTP_PRAGMA"))

    @property
    def content_encoding(self) -> str | None:
        """The Content-Encoding header."""
        value: str | None = self.environ.get("HTTP_CONTENT_ENCODING")
        return value

    @property
    def content_md5(self) -> str | None:
        """The Content-MD5 header."""
        value: str | None = self.environ.get("HTTP_CONTENT_MD5")
        return value

    @property
    def max_forwards(self) -> int | None:
        """The Max-Forwards header as an int (``None`` when absent or not a number)."""
        value = self.environ.get("HTTP_MAX_FORWARDS")
        if value is None or not value.strip().isdigit() or not value.isascii():
            return None
        return int(value)

    @cached_property
    def access_control_request_headers(self) -> HeaderSet:
        """The headers a CORS preflight asks to send (Access-Control-Request-Headers)."""
        from ..http import parse_set_header

        return parse_set_header(self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"))

    @property
    def access_control_request_method(self) -> str | None:
        """The method a CORS preflight asks to use (Access-Control-Request-Method)."""
        value: str | None = self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        return value

    @property
    def remote_user(self) -> str | None:
        """The user the server authenticated (``REMOTE_USER``), if any."""
        value: str | None = self.environ.get("REMOTE_USER")
        return value

    @property
    def is_multithread(self) -> bool:
        """Whether the server may run requests in several threads (``wsgi.multithread``)."""
        return bool(self.environ.get("wsgi.multithread", False))

    @property
    def is_multiprocess(self) -> bool:
        """Whether the server may run requests in several processes (``wsgi.multiprocess``)."""
        return bool(self.environ.get("wsgi.multiprocess", False))

    @property
    def is_run_once(self) -> bool:
        """Whether the server runs the app once per process, as CGI does (``wsgi.run_once``)."""
        return bool(self.environ.get("wsgi.run_once", False))
