"""Dicts that report their changes: :class:`UpdateDictMixin` and :class:`CallbackDict`."""

from __future__ import annotations

import typing as t
from collections.abc import Callable

K = t.TypeVar("K")
V = t.TypeVar("V")
_D = t.TypeVar("_D", bound="UpdateDictMixin[t.Any, t.Any]")


class UpdateDictMixin(dict[K, V]):
    """A dict that calls ``on_update(self)`` after every change.

    Setting, deleting, :meth:`update`, ``|=``, :meth:`clear` and :meth:`popitem`
    always report; :meth:`pop` and :meth:`setdefault` only when they changed
    something (the key was there, or was missing). Changes to mutable values
    held in the dict are not seen.
    """

    on_update: Callable[[t.Any], None] | None = None

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: K) -> None:
        super().__delitem__(key)
        self._changed()

    def setdefault(self, key: K, default: V | None = None) -> V:
        """``d[key]``, after setting it to ``default`` if it was missing."""
        if key in self:
            return self[key]
        self[key] = t.cast(V, default)
        return t.cast(V, default)

    def pop(self, key: K, *default: t.Any) -> t.Any:
        """Remove ``key`` and return its value (``default`` when missing)."""
        had = key in self
        value = super().pop(key, *default)
        if had:
            self._changed()
        return value

    def popitem(self) -> tuple[K, V]:
        """Remove and return the last inserted pair."""
        item = super().popitem()
        self._changed()
        return item

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Add or replace pairs, as :meth:`dict.update`."""
        super().update(*args, **kwargs)
        self._changed()

    def __ior__(self: _D, other: t.Any) -> _D:  # type: ignore[override, misc]
        self.update(other)
        return self

    def clear(self) -> None:
        """Remove every pair."""
        super().clear()
        self._changed()


class CallbackDict(UpdateDictMixin[K, V]):
    """A dict that calls ``on_update(self)`` after every change (see :class:`UpdateDictMixin`).

    :param initial: the starting items (a mapping or pairs); filling it does not report.
    :param on_update: the function to call with the dict.
    """

    def __init__(
        self,
        initial: t.Mapping[K, V] | t.Iterable[tuple[K, V]] | None = None,
        on_update: Callable[[CallbackDict[K, V]], None] | None = None,
    ) -> None:
        super().__init__(initial or ())
        self.on_update = on_update

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
