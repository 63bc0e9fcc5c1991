"""The status line, headers and body for a view's most common return values.

When nothing will look at the :class:`~vial.wrappers.Response` object (no
after-request function, session, signal receiver or custom response class),
the inlined pipelines (:mod:`vial._fast_pipeline`, the ASGI adapter) send what
:func:`plain_answer` gives instead of building one. The result is the one
:func:`vial.response_making.make_response_from_return_value` would give; any
value it is not sure about gives ``None``, and the caller takes that path.
"""

from __future__ import annotations

import typing as t

from .json.provider import DefaultJSONProvider
from .wrappers.response import (
    Response,
    _content_type_cache,
    _status_cache,
    _status_text,
    get_content_type,
    plain_header_items,
)

if t.TYPE_CHECKING:
    from .app import Vial

#: ``(status line, header list, body)``.
PlainAnswer = tuple[str, list[tuple[str, str]], bytes]


def plain_answer(app: Vial, rv: t.Any) -> PlainAnswer | None:
    """What to send for ``rv`` (str, bytes, dict, list, or a tuple of one with a status
    and, for text, a dict of headers), or ``None`` when the full path must decide."""
    if not Response.automatically_set_content_length or Response.default_status != 200:
        return None  # Response's own defaults were changed: let it apply them
    status = 200
    extra: t.Any = None
    if type(rv) is tuple:
        length = len(rv)
        if length == 3:
            rv, status, extra = rv
            if type(extra) is not dict:
                return None
        elif length == 2:
            second = rv[1]
            if type(second) is int:
                rv, status = rv
            elif type(second) is dict:
                rv, extra = rv
            else:
                return None
        else:
            return None
        # 1xx, 204 and 304 lose headers or the body on the way out: the full path knows how.
        if type(status) is not int or not 200 <= status <= 599 or status in (204, 304):
            return None
    kind = type(rv)
    if kind is str or kind is bytes:
        mimetype = Response.default_mimetype
        if mimetype is None:
            return None
        body: bytes = rv.encode(Response.charset) if kind is str else rv
        content_type = _content_type_cache.get(mimetype) or get_content_type(
            mimetype, Response.charset
        )
    elif kind is dict or kind is list:
        if extra is not None:  # Headers.update() semantics: leave them to the full path
            return None
        json = app.json
        if type(json).response is not DefaultJSONProvider.response or not isinstance(
            json, DefaultJSONProvider
        ):
            return None
        compact = json.compact  # PERF: json._is_compact(), inlined
        if compact is None:
            # PERF: the debug property's value without its call (about 500 instructions).
            compact = not app.config["DEBUG"]
        if not compact:
            return None  # indented output: the full path
        written = json._compact_body(rv)
        body = written.encode() if isinstance(written, str) else written
        mimetype = json.mimetype
        content_type = _content_type_cache.get(mimetype) or get_content_type(
            mimetype, Response.charset
        )
        if not content_type.isascii():
            return None
    else:
        return None
    if extra:
        headers = plain_header_items(extra, content_type)
        if headers is None:
            return None
        headers.append(("Content-Length", str(len(body))))
    else:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    return _status_cache.get(status) or _status_text(status), headers, body
