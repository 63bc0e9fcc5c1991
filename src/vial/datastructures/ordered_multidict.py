"""Deprecated multi-dicts that remember the order of every pair, not only of keys.

Werkzeug 3.1 still ships ``OrderedMultiDict`` and ``ImmutableOrderedMultiDict``,
deprecated, and removes them in 3.2. They are here so code written against
Werkzeug keeps running; new code uses :class:`~vial.datastructures.MultiDict`,
whose keys are ordered too (only ``items(multi=True)`` groups values by key).
"""

from __future__ import annotations

import typing as t
import warnings
from collections.abc import Iterator

from ..exceptions import BadRequestKeyError

# The raw dict methods reach the stored value lists past MultiDict's public (first value)
# methods, as in multidict.py.
from .multidict import (
    ImmutableMultiDictMixin,
    MultiDict,
    _dict_pop,
    _dict_popitem,
    _missing,
    iter_multi_items,
)

K = t.TypeVar("K")
V = t.TypeVar("V")


def _warn_deprecated(name: str, instead: str, stacklevel: int) -> None:
    warnings.warn(
        f"{name!r} is deprecated and will be removed, as in Werkzeug 3.2. Use {instead!r} instead.",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


class OrderedMultiDict(MultiDict[K, V]):
    """A :class:`~vial.datastructures.MultiDict` that keeps the order of every pair.

    ``items(multi=True)`` yields the pairs in the order they were added, across
    keys (a :class:`~vial.datastructures.MultiDict` yields all values of its
    first key, then of the next); equality between two ordered multi-dicts
    compares that order. Setting a key (``d[key] = value``, :meth:`setlist`)
    drops its old pairs and appends the new ones at the end.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     d = OrderedMultiDict([("a", 1), ("b", 2), ("a", 3)])
    >>> list(d.items(multi=True))
    [('a', 1), ('b', 2), ('a', 3)]

    .. deprecated:: 3.1
        Werkzeug 3.1 deprecates it and 3.2 removes it; creating one warns with
        :exc:`DeprecationWarning`. Use :class:`~vial.datastructures.MultiDict`.

    :param mapping: a multi-dict, a mapping (list or tuple values give several
        values) or an iterable of ``(key, value)`` pairs.
    """

    # Besides MultiDict's storage (key -> list of values), every pair has a
    # sequence number: ``_pairs`` maps it to the pair, in the order pairs were
    # added, and ``_numbers`` maps each key to the numbers of its pairs, so a
    # key's pairs leave ``_pairs`` without a scan.
    _pairs: dict[int, tuple[K, V]]
    _numbers: dict[K, list[int]]
    _counter: int

    def __init__(self, mapping: t.Any = None) -> None:
        _warn_deprecated("OrderedMultiDict", "MultiDict", 2)
        self._start()
        if mapping is not None:
            self.update(mapping)

    def _start(self) -> None:
        super().__init__()
        self._pairs = {}
        self._numbers = {}
        self._counter = 0

    def _forget(self, key: K) -> None:
        for number in self._numbers.pop(key, ()):
            del self._pairs[number]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiDict):
            return NotImplemented
        if isinstance(other, OrderedMultiDict):
            return list(self.items(multi=True)) == list(other.items(multi=True))
        return len(self) == len(other) and all(
            other.getlist(key) == values for key, values in self.lists()
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]

    def __setitem__(self, key: K, value: V) -> None:
        """Replace every value of ``key`` with ``value``, now the last pair."""
        self.poplist(key)
        self.add(key, value)

    def __delitem__(self, key: K) -> None:
        """Remove ``key``; :exc:`~vial.exceptions.BadRequestKeyError` if missing."""
        self.pop(key)

    def add(self, key: K, value: V) -> None:
        """Append the pair ``(key, value)`` after every other pair.

        :param key: the key, created if missing.
        :param value: the value to append.
        """
        super().add(key, value)
        number = self._counter
        self._counter = number + 1
        self._pairs[number] = (key, value)
        numbers = self._numbers.get(key)
        if numbers is None:
            self._numbers[key] = [number]
        else:
            numbers.append(number)

    def setlist(self, key: K, new_list: t.Iterable[V]) -> None:
        """Replace the values of ``key`` with ``new_list``, appended as the last pairs.

        :param key: the key to set; an empty ``new_list`` removes it.
        :param new_list: the new values.
        """
        values = list(new_list)
        self.poplist(key)
        for value in values:
            self.add(key, value)

    def setlistdefault(self, key: t.Any, default_list: t.Any = None) -> t.NoReturn:
        """Not supported: the returned list could not keep the pair order (as in Werkzeug).

        :raises TypeError: always.
        """
        raise TypeError("setlistdefault is unsupported for ordered multi dicts")

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Iterate over ``(key, first value)`` pairs, or every pair in order with ``multi=True``.

        :param multi: yield every pair, in the order they were added.
        """
        if multi:
            yield from list(self._pairs.values())
        else:
            yield from super().items()

    def pop(self, key: K, default: t.Any = _missing) -> t.Any:
        """Remove ``key`` and return its first value.

        :param key: the key to remove.
        :param default: returned when the key is missing; without it a missing
            key raises :exc:`~vial.exceptions.BadRequestKeyError`.
        """
        values = _dict_pop(self, key, None)
        if values is None:
            if default is _missing:
                raise BadRequestKeyError(key)  # type: ignore[arg-type]
            return default
        self._forget(key)
        return values[0]

    def popitem(self) -> tuple[K, V]:
        """Remove the last inserted key and return it with its first value."""
        key, values = self.popitemlist()
        return key, values[0]

    def poplist(self, key: K) -> list[V]:
        """Remove ``key`` and return all its values (an empty list if missing)."""
        values: list[V] = _dict_pop(self, key, [])
        self._forget(key)
        return values

    def popitemlist(self) -> tuple[K, list[V]]:
        """Remove the last inserted key and return it with all its values."""
        try:
            key, values = _dict_popitem(self)
        except KeyError:
            raise BadRequestKeyError() from None
        self._forget(key)
        return key, values

    def clear(self) -> None:
        """Remove every pair."""
        super().clear()
        self._pairs.clear()
        self._numbers.clear()

    def deepcopy(self, memo: t.Any = None) -> MultiDict[K, V]:
        """A deep copy, pairs in the same order."""
        import copy

        return type(self)(copy.deepcopy(list(self.items(multi=True)), memo))


class ImmutableOrderedMultiDict(ImmutableMultiDictMixin, OrderedMultiDict[K, V]):  # type: ignore[misc]
    """An :class:`OrderedMultiDict` that cannot change; hashable, order included.

    .. deprecated:: 3.1
        Werkzeug 3.1 deprecates it and 3.2 removes it; creating one warns with
        :exc:`DeprecationWarning`. Use
        :class:`~vial.datastructures.ImmutableMultiDict`.

    :param mapping: as for :class:`OrderedMultiDict`.
    """

    def __init__(self, mapping: t.Any = None) -> None:
        _warn_deprecated("ImmutableOrderedMultiDict", "ImmutableMultiDict", 2)
        self._start()
        if mapping is not None:
            for key, value in iter_multi_items(mapping):
                OrderedMultiDict.add(self, key, value)

    def _iter_hashitems(self) -> t.Iterable[t.Any]:
        return enumerate(self.items(multi=True))

    def copy(self) -> OrderedMultiDict[K, V]:
        """A mutable shallow copy, as an :class:`OrderedMultiDict` (which warns too)."""
        return OrderedMultiDict(self)

    def __copy__(self) -> ImmutableOrderedMultiDict[K, V]:
        return self
