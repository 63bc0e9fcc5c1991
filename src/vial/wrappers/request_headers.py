"""Typed views of request headers: Accept-*, Cache-Control, conditionals, Range, Authorization."""

from __future__ import annotations

import typing as t
from datetime import datetime

from ..utils import cached_property, environ_property

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

    @cached_property
    def date(self) -> datetime | None:
        """The Date header."""
        from ..http import parse_date

        return parse_date(self.environ.get("HTTP_DATE"))

    @cached_property
    def pragma(self) -> HeaderSet:
        """The Pragma header as a set of directives (empty when absent), as in Werkzeug."""
        from ..http import parse_set_header

        return parse_set_header(self.environ.get("HTTP_PRAGMA"))

    @property
    def max_forwards(self) -> int | None:
        """The Max-Forwards header as an int (``None`` when absent or not a number)."""
        value = self.environ.get("HTTP_MAX_FORWARDS")
        if value is None:
            return None
        value = value.strip()
        # More digits than any hop count would hit Python's int-from-str limit (4,300
        # digits raises ValueError, a 500): such a value is as meaningless as "abc".
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            return None
        return int(value)

    @cached_property
    def access_control_request_headers(self) -> HeaderSet:
        """The headers a CORS preflight asks to send (Access-Control-Request-Headers)."""
        from ..http import parse_set_header

        return parse_set_header(self.environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"))

    # Plain environ values, read as they are (``None`` or ``False`` when absent).
    referrer = environ_property[str | None]("HTTP_REFERER", doc="The Referer header.")
    origin = environ_property[str | None]("HTTP_ORIGIN", doc="The Origin header.")
    content_encoding = environ_property[str | None](
        "HTTP_CONTENT_ENCODING", doc="The Content-Encoding header."
    )
    content_md5 = environ_property[str | None]("HTTP_CONTENT_MD5", doc="The Content-MD5 header.")
    access_control_request_method = environ_property[str | None](
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
        doc="The method a CORS preflight asks to use (Access-Control-Request-Method).",
    )
    remote_user = environ_property[str | None](
        "REMOTE_USER", doc="The user the server authenticated (``REMOTE_USER``), if any."
    )
    is_multithread = environ_property[bool](
        "wsgi.multithread",
        default=False,
        load_func=bool,
        doc="Whether the server may run requests in several threads (``wsgi.multithread``).",
    )
    is_multiprocess = environ_property[bool](
        "wsgi.multiprocess",
        default=False,
        load_func=bool,
        doc="Whether the server may run requests in several processes (``wsgi.multiprocess``).",
    )
    is_run_once = environ_property[bool](
        "wsgi.run_once",
        default=False,
        load_func=bool,
        doc="Whether the server runs the app once per process, as CGI does (``wsgi.run_once``).",
    )
