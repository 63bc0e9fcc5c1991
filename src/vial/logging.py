"""The app's logger, and keeping request-supplied text from forging log lines."""

from __future__ import annotations

import copy
import logging
import re
import sys
import traceback
import typing as t

from .globals import _cv_contexts

__all__ = [
    "SanitizingFormatter",
    "create_logger",
    "default_handler",
    "has_level_handler",
    "sanitize_for_log",
    "wsgi_errors_stream",
]

# C0 controls, DEL, C1 controls, and the Unicode line and paragraph
# separators (which str.splitlines and some viewers treat as line breaks).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code > 0xFF:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def sanitize_for_log(text: str) -> str:
    """Escape control characters so ``text`` stays on one log line and cannot drive a terminal.

    CR, LF and tab become ``\\r``, ``\\n`` and ``\\t``; other C0 and C1
    control characters and DEL become ``\\xNN`` (so ESC is ``\\x1b``); the
    Unicode line and paragraph separators become ``\\u2028`` and
    ``\\u2029``. Other text, backslashes included, is unchanged.

    .. code-block:: python

        app.logger.warning("Bad path %s", sanitize_for_log(request.path))

    :param text: text that may come from a client.
    :return: ``text`` itself when there is nothing to escape.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape_control, text)


class SanitizingFormatter(logging.Formatter):
    """A formatter that passes each record's message through :func:`sanitize_for_log`.

    Only the message (``record.getMessage()``, the log call's format string
    with its arguments) is escaped; the rest of the format, and the
    traceback and stack appended after it, keep their line breaks. The
    record itself is not changed, so other handlers see the original.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        safe = sanitize_for_log(record.message)
        if safe is not record.message:
            record = copy.copy(record)
            record.message = safe
        return super().formatMessage(record)

    def formatException(self, ei: t.Any) -> str:
        """The traceback with its own line breaks, but each exception's message escaped.

        A message can carry a client's text (``ValueError(request.data)``); its CR, LF
        and escape sequences must not start a forged line or drive a terminal.
        """
        lines: list[str] = []
        exc = ei[1]
        if exc is None:
            return super().formatException(ei)
        for chunk in traceback.TracebackException.from_exception(exc).format():
            if chunk.startswith(_TRACEBACK_STRUCTURE) or chunk in _CHAIN_MESSAGES:
                lines.append(chunk)
            else:  # "ExcType: message" (and notes): the part that may hold client text
                lines.append(sanitize_for_log(chunk[:-1] if chunk.endswith("\n") else chunk))
                lines.append("\n")
        return "".join(lines).rstrip("\n")


_TRACEBACK_STRUCTURE = ("Traceback (most recent call last):", "  File ", "  [Previous line")
_CHAIN_MESSAGES = frozenset(
    {
        "\nThe above exception was the direct cause of the following exception:\n\n",
        "\nDuring handling of the above exception, another exception occurred:\n\n",
    }
)


class _ErrorsStream:
    """Writes to the current request's ``wsgi.errors``, or to :data:`sys.stderr` outside a request.

    ``sys.stderr`` is looked up at the time of each call: a handler bound to it at
    import time would keep writing to the original stream after it is replaced
    (by a test runner, a server or the user). Other attributes (``encoding``,
    ``isatty``, ...) are those of the stream a write would go to.
    """

    @staticmethod
    def _stream() -> t.TextIO:
        ctx = _cv_contexts.get()[1]
        if ctx is not None:
            stream = ctx.request.environ.get("wsgi.errors")
            if stream is not None:
                return t.cast("t.TextIO", stream)
        return sys.stderr

    def _get_current_object(self) -> t.TextIO:
        """The stream a write would go to now, as on Flask's ``LocalProxy``."""
        return self._stream()

    def write(self, text: str) -> int:
        return self._stream().write(text)

    def flush(self) -> None:
        self._stream().flush()

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._stream(), name)


#: The stream :data:`default_handler` writes to: the ``wsgi.errors`` stream of the
#: request being handled, or the current :data:`sys.stderr` outside a request.
wsgi_errors_stream = _ErrorsStream()

#: Added to an app's logger by :func:`create_logger` when nothing else would
#: handle its messages. Writes ``[time] LEVEL in module: message`` lines
#: with the message sanitized (see :class:`SanitizingFormatter`). Remove it
#: with ``app.logger.removeHandler(default_handler)``.
default_handler: logging.StreamHandler[_ErrorsStream] = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(
    SanitizingFormatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler would emit records at ``logger``'s effective level.

    Looks at the logger's handlers and, while propagation allows, its
    ancestors'.

    :param logger: the logger to check.
    """
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


def create_logger(app: t.Any) -> logging.Logger:
    """Get the logger named after the app and set it up.

    If the app is in debug mode and the logger has no level of its own, its
    level becomes :data:`logging.DEBUG`. If no handler (on it or, through
    propagation, its ancestors) would emit records at its effective level,
    :data:`default_handler` is added.

    :param app: the application; its ``name`` and ``debug`` are used.
    """
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
