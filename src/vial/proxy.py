"""A cheap proxy to an object found through a context variable."""

from __future__ import annotations

import typing as t


class ContextProxy:
    """Forwards every use to the object ``get_object()`` returns at that moment.

    ``get_object`` raises :class:`LookupError` when nothing is bound; the proxy
    turns that into a :class:`RuntimeError` carrying ``unbound_message``, and
    is falsy. ``_get_current_object()`` returns the real object, for code that
    must not hold a proxy (signals' senders, objects kept past the request).
    """

    __slots__ = ("_get_current_object", "_get_object", "_unbound_message")

    _get_current_object: t.Callable[[], t.Any]

    def __init__(self, get_object: t.Callable[[], t.Any], unbound_message: str) -> None:
        def get_current_object() -> t.Any:
            try:
                return get_object()
            except LookupError:
                raise RuntimeError(unbound_message) from None

        object.__setattr__(self, "_get_current_object", get_current_object)
        object.__setattr__(self, "_get_object", get_object)
        object.__setattr__(self, "_unbound_message", unbound_message)

    def __getattribute__(self, name: str) -> t.Any:
        # PERF: with only __getattr__, `request.args` first fails the normal lookup on the
        # proxy, which raises and clears an AttributeError, then makes two more calls:
        # about 1,500 CPU instructions per use. The object's attributes come first here;
        # the proxy's own (its slots, __class__) when the object has no such attribute.
        try:
            target = _get_object_of(self)()
        except LookupError:
            try:  # unbound: the proxy's own attributes (repr, __class__, ...) still work
                return object.__getattribute__(self, name)
            except AttributeError:
                raise RuntimeError(_unbound_message_of(self)) from None
        try:
            return getattr(target, name)
        except AttributeError:
            if name in _PROXY_ATTRIBUTES:
                return object.__getattribute__(self, name)
            raise

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(_current(self), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(_current(self), name)

    def __bool__(self) -> bool:
        try:
            return bool(_current(self))
        except RuntimeError:
            return False

    def __repr__(self) -> str:
        try:
            return repr(_current(self))
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"

    def __str__(self) -> str:
        return str(_current(self))

    def __dir__(self) -> list[str]:
        try:
            return dir(_current(self))
        except RuntimeError:
            return []

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        try:
            return type(_current(self))
        except RuntimeError:
            return ContextProxy

    def __eq__(self, other: object) -> bool:
        return bool(_current(self) == other)

    def __ne__(self, other: object) -> bool:
        return bool(_current(self) != other)

    def __hash__(self) -> int:
        return hash(_current(self))

    def __len__(self) -> int:
        return len(_current(self))

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(_current(self))

    def __contains__(self, item: object) -> bool:
        return item in _current(self)

    def __getitem__(self, key: t.Any) -> t.Any:
        return _current(self)[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        _current(self)[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del _current(self)[key]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return _current(self)(*args, **kwargs)

    def __aiter__(self) -> t.Any:
        return _current(self).__aiter__()

    def __enter__(self) -> t.Any:
        return _current(self).__enter__()

    def __exit__(self, *exc_info: t.Any) -> t.Any:
        return _current(self).__exit__(*exc_info)


def _current(proxy: ContextProxy) -> t.Any:
    """The object behind ``proxy`` (``proxy._get_current_object()`` without the lookup)."""
    try:
        return _get_object_of(proxy)()
    except LookupError:
        raise RuntimeError(_unbound_message_of(proxy)) from None


_get_object_of: t.Callable[[ContextProxy], t.Callable[[], t.Any]] = ContextProxy.__dict__[
    "_get_object"
].__get__
_unbound_message_of: t.Callable[[ContextProxy], str] = ContextProxy.__dict__[
    "_unbound_message"
].__get__
#: Attributes of the proxy itself, found when the object has none of that name.
_PROXY_ATTRIBUTES = frozenset(("_get_current_object", "_get_object", "_unbound_message"))
