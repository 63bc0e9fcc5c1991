"""Where the blog may send a visitor back to after logging in."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_local_url(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (``/create?x=1``), not another site.

    Refuses absolute URLs (``https://evil.example/``), scheme-relative ones
    (``//evil.example``), backslashes (``/\\evil.example``, which browsers read as
    ``//``) and control characters (browsers drop tabs and newlines, so
    ``/\\t/evil.example`` would become ``//evil.example``).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_url(target: str | None, fallback: str) -> str:
    """``target`` when it is local (see :func:`is_local_url`), else ``fallback``."""
    return target if target is not None and is_local_url(target) else fallback
