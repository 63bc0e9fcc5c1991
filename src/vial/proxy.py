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

    __slots__ = ("_get_current_object", "_unbound_message")

    _get_current_object: t.Callable[[], t.Any]

    def __init__(self, get_object: t.Callable[[], t.Any], unbound_message: str) -> None:
        def get_current_object() -> t.Any:
            try:
                return get_object()
            except LookupError:
                raise RuntimeError(unbound_message) from None

        object.__setattr__(self, "_get_current_object", get_current_object)
        object.__setattr__(self, "_unbound_message", unbound_message)

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._get_current_object(), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(self._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    def __bool__(self) -> bool:
        try:
            return bool(self._get_current_object())
        except RuntimeError:
            return False

    def __repr__(self) -> str:
        try:
            return repr(self._get_current_object())
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"

    def __str__(self) -> str:
        return str(self._get_current_object())

    def __dir__(self) -> list[str]:
        try:
            return dir(self._get_current_object())
        except RuntimeError:
            return []

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return ContextProxy

    def __eq__(self, other: object) -> bool:
        return bool(self._get_current_object() == other)

    def __ne__(self, other: object) -> bool:
        return bool(self._get_current_object() != other)

    def __hash__(self) -> int:
        return hash(self._get_current_object())

    def __len__(self) -> int:
        return len(self._get_current_object())

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(self._get_current_object())

    def __contains__(self, item: object) -> bool:
        return item in self._get_current_object()

    def __getitem__(self, key: t.Any) -> t.Any:
        return self._get_current_object()[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        self._get_current_object()[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del self._get_current_object()[key]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self._get_current_object()(*args, **kwargs)

    def __aiter__(self) -> t.Any:
        return self._get_current_object().__aiter__()

    def __enter__(self) -> t.Any:
        return self._get_current_object().__enter__()

    def __exit__(self, *exc_info: t.Any) -> t.Any:
        return self._get_current_object().__exit__(*exc_info)
