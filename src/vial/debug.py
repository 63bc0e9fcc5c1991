"""The debug page: an HTML traceback for unhandled exceptions when ``app.debug`` is on.

The page is read-only by design. It shows the exception type and message and, for
each frame, the file, line, function and the source lines around it — all
HTML-escaped. It never offers a console, never evaluates anything sent by the
browser, and never shows local variables or configuration values (``SECRET_KEY``
and friends stay out of it). Whether it appears depends only on ``app.debug``,
which comes from the app's configuration (``DEBUG``, ``VIAL_DEBUG``, ``vial run
--debug``); nothing in a request can turn it on.
"""

from __future__ import annotations

import linecache
import os
import sysconfig
import types
import typing as t
from html import escape

if t.TYPE_CHECKING:
    from .app import Vial
    from .wrappers.response import Response

__all__ = ["debug_response", "render_debug_page"]

#: How many source lines to show before and after each frame's current line.
CONTEXT_LINES = 5

_VIAL_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_LIBRARY_DIRS = tuple(
    os.path.abspath(path) + os.sep
    for path in {sysconfig.get_path("stdlib"), sysconfig.get_path("purelib")}
    if path
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #8b1a1a; color: #fff; padding: 1em 1.5em; }
header h1 { margin: 0 0 .3em; font-size: 1.4em; }
header p { margin: 0; white-space: pre-wrap; font-family: ui-monospace, monospace; }
main { padding: 1em 1.5em; }
.chain { margin: 1.5em 0 .5em; font-style: italic; color: #555; }
.frame { background: #fff; border: 1px solid #ddd; margin: .6em 0; border-radius: 4px; }
.frame.library { opacity: .65; }
.frame h3 { margin: 0; padding: .4em .7em; font-size: .9em; font-weight: normal;
  background: #f0f0f0; font-family: ui-monospace, monospace; }
.frame pre { margin: 0; padding: .4em 0; overflow-x: auto; font-size: .85em; }
.frame pre span { display: block; padding: 0 .7em; }
.frame pre span.current { background: #fde7e7; font-weight: bold; }
.summary { white-space: pre-wrap; font-family: ui-monospace, monospace;
  background: #fff; border: 1px solid #ddd; padding: .7em; font-size: .85em; }
footer { padding: 1em 1.5em; color: #777; font-size: .85em; }
"""


def _is_library_file(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_VIAL_DIR) or path.startswith(_LIBRARY_DIRS)


def _exception_title(exc: BaseException) -> str:
    cls = type(exc)
    name = cls.__qualname__
    if cls.__module__ not in {"builtins", "__main__"}:
        name = f"{cls.__module__}.{name}"
    return name


def _exception_message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return "<exception str() failed>"


def _render_frame(frame: types.FrameType, lineno: int) -> str:
    code = frame.f_code
    filename = code.co_filename
    css = "frame library" if _is_library_file(filename) else "frame"
    header = (
        f"<h3>File <b>{escape(filename)}</b>, line {lineno}, in <b>{escape(code.co_name)}</b></h3>"
    )
    linecache.checkcache(filename)
    first = max(1, lineno - CONTEXT_LINES)
    rows = []
    for number in range(first, lineno + CONTEXT_LINES + 1):
        line = linecache.getline(filename, number, frame.f_globals)
        if not line and number > lineno:
            break
        marker = ' class="current"' if number == lineno else ""
        text = escape(line.rstrip("\r\n").expandtabs(4))
        rows.append(f"<span{marker}>{number:>5}  {text}</span>")
    source = f"<pre>{''.join(rows)}</pre>" if rows else ""
    return f'<div class="{css}">{header}{source}</div>'


def _chain(exc: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exception and its causes, oldest first.

    Each item carries the sentence Python prints between it and the older exception
    shown before it (``None`` for the oldest).
    """
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        older: BaseException | None = None
        link: str | None = None
        if current.__cause__ is not None:
            older = current.__cause__
            link = "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            older = current.__context__
            link = "During handling of the above exception, another exception occurred:"
        chain.append((current, link if older is not None and id(older) not in seen else None))
        current = older
    chain.reverse()
    return chain


def _render_exception(exc: BaseException) -> str:
    parts = []
    tb = exc.__traceback__
    while tb is not None:
        parts.append(_render_frame(tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    title = escape(_exception_title(exc))
    message = escape(_exception_message(exc))
    parts.append(f'<div class="summary"><b>{title}</b>: {message}</div>')
    return "".join(parts)


def render_debug_page(exc: BaseException, app_name: str = "") -> str:
    """The HTML page for ``exc``: its type and message, then each traceback frame with source.

    Chained exceptions (``raise ... from ...`` and exceptions raised while handling
    another) are shown oldest first, as Python prints them. Every piece of text is
    HTML-escaped; no local variables or configuration values are included.
    """
    title = escape(_exception_title(exc))
    message = escape(_exception_message(exc))
    sections = []
    for item, link in _chain(exc):
        if link is not None:
            sections.append(f'<p class="chain">{escape(link)}</p>')
        sections.append(_render_exception(item))
    app_part = f" in {escape(app_name)}" if app_name else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}: {message[:200]}{app_part} (vial debug)</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<header><h1>{title}</h1><p>{message}</p></header>"
        f"<main><h2>Traceback <small>(most recent call last)</small></h2>{''.join(sections)}</main>"
        "<footer>This page is shown because the app runs in debug mode. Never enable"
        " debug mode on a server that others can reach.</footer>"
        "</body></html>\n"
    )


def debug_response(app: Vial, exc: BaseException) -> Response:
    """A 500 response carrying :func:`render_debug_page` for ``exc``."""
    body = render_debug_page(exc, app.name)
    response = app.response_class(body, status=500, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The page holds only inert text; forbid scripts outright.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    return response
