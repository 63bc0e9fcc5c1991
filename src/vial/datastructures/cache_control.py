"""``Cache-Control`` directives (RFC 9111 section 5.2) as typed, settable properties."""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Iterable, Mapping

from .._http_header import dump_header
from .callback_dict import UpdateDictMixin

_Self = t.TypeVar("_Self", bound="_CacheControl")


def _as_seconds(raw: str | None) -> int | None:
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 15:
        return None
    return int(raw)


class _Directive:
    """A property reading and writing one directive of a cache-control dict.

    ``kind`` is one of:

    - ``"flag"``: ``True`` when present, ``False`` when not.
    - ``"seconds"``: an ``int``, ``None`` when absent or not a number.
    - ``"flag_or_str"``: ``True`` when present without a value, the value
      (e.g. field names) when given one, ``None`` when absent.
    - ``"flag_or_seconds"``: ``True`` when present without a value, an
      ``int`` when given one, ``None`` when absent.
    """

    def __init__(self, key: str, kind: str, doc: str) -> None:
        self.key = key
        self.kind = kind
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @t.overload
    def __get__(self, obj: None, owner: type | None = None) -> _Directive: ...
    @t.overload
    def __get__(self, obj: _CacheControl, owner: type | None = None) -> t.Any: ...
    def __get__(self, obj: _CacheControl | None, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        if self.key not in obj:
            return False if self.kind == "flag" else None
        raw = obj[self.key]
        if self.kind == "flag":
            return True
        if self.kind == "seconds":
            return _as_seconds(raw)
        if raw is None:
            return True
        if self.kind == "flag_or_seconds":
            return _as_seconds(raw)
        return raw

    def __set__(self, obj: _CacheControl, value: t.Any) -> None:
        if value is None or value is False:
            obj.pop(self.key, None)
        elif value is True:
            if self.kind == "seconds":
                raise TypeError(f"{self.name} needs a number of seconds, not True.")
            obj[self.key] = None
        elif self.kind == "flag":
            obj[self.key] = None
        elif self.kind == "flag_or_str":
            obj[self.key] = str(value)
        else:
            seconds = int(value)
            if seconds < 0:
                raise ValueError(f"{self.name} may not be negative.")
            obj[self.key] = str(seconds)

    def __delete__(self, obj: _CacheControl) -> None:
        obj.pop(self.key, None)


class _CacheControl(UpdateDictMixin[str, str | None]):
    """Directives by lower-case name; a directive without a value maps to ``None``.

    Any change, through a property or the dict methods, calls ``on_update``
    with this object, which is how a response keeps its header in sync.
    """

    def __init__(
        self,
        values: Mapping[str, str | None] | Iterable[tuple[str, str | None]] = (),
        on_update: Callable[[_CacheControl], None] | None = None,
    ) -> None:
        super().__init__(values)
        self.on_update = on_update
        self.provided = len(self) > 0

    def to_header(self) -> str:
        """The header value, e.g. ``max-age=60, public``."""
        return dump_header(self)

    def __str__(self) -> str:
        return self.to_header()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"

    no_store = _Directive("no-store", "flag", "``no-store``: do not store at all.")
    no_transform = _Directive("no-transform", "flag", "``no-transform``.")
    max_age = _Directive("max-age", "seconds", "``max-age`` in seconds.")


class RequestCacheControl(_CacheControl):
    """The ``Cache-Control`` header of a request.

    ``no_cache`` is a flag here; ``max_stale`` is ``True`` when the client
    accepts any staleness and an ``int`` when it sets a bound.
    """

    no_cache = _Directive("no-cache", "flag", "``no-cache``: revalidate before using a copy.")
    max_stale = _Directive(
        "max-stale", "flag_or_seconds", "``max-stale``: ``True`` or the seconds accepted."
    )
    min_fresh = _Directive("min-fresh", "seconds", "``min-fresh`` in seconds.")
    only_if_cached = _Directive("only-if-cached", "flag", "``only-if-cached``.")
    stale_if_error = _Directive("stale-if-error", "seconds", "``stale-if-error`` (RFC 5861).")


class ResponseCacheControl(_CacheControl):
    """The ``Cache-Control`` header of a response.

    ``no_cache`` and ``private`` are ``True`` when set without a value and
    the field-name list (a string) when given one.
    """

    no_cache = _Directive(
        "no-cache", "flag_or_str", "``no-cache``: ``True`` or the field names it covers."
    )
    public = _Directive("public", "flag", "``public``.")
    private = _Directive(
        "private", "flag_or_str", "``private``: ``True`` or the field names it covers."
    )
    must_revalidate = _Directive("must-revalidate", "flag", "``must-revalidate``.")
    proxy_revalidate = _Directive("proxy-revalidate", "flag", "``proxy-revalidate``.")
    must_understand = _Directive("must-understand", "flag", "``must-understand``.")
    s_maxage = _Directive("s-maxage", "seconds", "``s-maxage`` in seconds.")
    immutable = _Directive("immutable", "flag", "``immutable`` (RFC 8246).")
    stale_while_revalidate = _Directive(
        "stale-while-revalidate", "seconds", "``stale-while-revalidate`` (RFC 5861)."
    )
    stale_if_error = _Directive("stale-if-error", "seconds", "``stale-if-error`` (RFC 5861).")
