"""Dictionaries that hold several values per key, and their immutable variants.

A query string or a form can repeat a key (``?tag=a&tag=b``); :class:`MultiDict`
keeps every value while still answering ``d[key]`` with the first one, so code
that expects a plain dict keeps working.
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Iterable, Iterator, Mapping

from ..exceptions import BadRequestKeyError

K = t.TypeVar("K")
V = t.TypeVar("V")
T = t.TypeVar("T")

_missing: t.Any = object()

# The raw dict methods, reaching the value lists a MultiDict stores. Typed as Any
# because the storage type (list[V]) differs from the public value type (V).
# PERF: module globals also skip the attribute lookup on ``dict`` per call.
_dict_get: t.Any = dict.get
_dict_setitem: t.Any = dict.__setitem__
_dict_pop: t.Any = dict.pop
_dict_popitem: t.Any = dict.popitem
_dict_items: t.Any = dict.items
_dict_values: t.Any = dict.values


def _unsupported(obj: object) -> t.NoReturn:
    raise TypeError(f"{type(obj).__name__!r} objects are immutable")


def iter_multi_items(mapping: t.Any) -> Iterator[tuple[t.Any, t.Any]]:
    """Iterate over the ``(key, value)`` pairs of a mapping, multi-dict or pair iterable.

    A :class:`MultiDict` yields every value of every key; in a plain mapping a
    list or tuple value yields one pair per item.

    :param mapping: a :class:`MultiDict`, a mapping or an iterable of pairs.
    """
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, Mapping):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


class ImmutableListMixin:
    """Turns off the mutating methods of a list subclass and makes it hashable."""

    def __hash__(self) -> int:
        return hash(tuple(t.cast("list[t.Any]", self)))

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> tuple[t.Any, ...]:
        return type(self), (list(t.cast("list[t.Any]", self)),)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"

    def __delitem__(self, key: t.Any) -> t.NoReturn:
        _unsupported(self)

    def __iadd__(self, other: t.Any) -> t.NoReturn:
        _unsupported(self)

    def __imul__(self, other: t.Any) -> t.NoReturn:
        _unsupported(self)

    def __setitem__(self, key: t.Any, value: t.Any) -> t.NoReturn:
        _unsupported(self)

    def append(self, item: t.Any) -> t.NoReturn:
        _unsupported(self)

    def remove(self, item: t.Any) -> t.NoReturn:
        _unsupported(self)

    def extend(self, iterable: t.Any) -> t.NoReturn:
        _unsupported(self)

    def insert(self, pos: t.Any, value: t.Any) -> t.NoReturn:
        _unsupported(self)

    def pop(self, index: t.Any = -1) -> t.NoReturn:
        _unsupported(self)

    def reverse(self) -> t.NoReturn:
        _unsupported(self)

    def sort(self, key: t.Any = None, reverse: t.Any = False) -> t.NoReturn:
        _unsupported(self)

    def clear(self) -> t.NoReturn:
        _unsupported(self)


class ImmutableList(ImmutableListMixin, list[V]):  # type: ignore[misc]
    """A list that raises :exc:`TypeError` on any attempt to change it; hashable."""


class ImmutableDictMixin:
    """Turns off the mutating methods of a dict subclass and makes it hashable."""

    _hash_cache: int | None = None

    def _iter_hashitems(self) -> Iterable[t.Any]:
        return self.items()  # type: ignore[attr-defined, no-any-return]

    def __hash__(self) -> int:
        if self._hash_cache is None:
            self._hash_cache = hash(frozenset(self._iter_hashitems()))
        return self._hash_cache

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> tuple[t.Any, ...]:
        return type(self), (dict(self),)  # type: ignore[call-overload]

    def setdefault(self, key: t.Any, default: t.Any = None) -> t.NoReturn:
        _unsupported(self)

    def update(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        _unsupported(self)

    def __ior__(self, other: t.Any) -> t.NoReturn:
        _unsupported(self)

    def pop(self, key: t.Any, default: t.Any = None) -> t.NoReturn:
        _unsupported(self)

    def popitem(self) -> t.NoReturn:
        _unsupported(self)

    def __setitem__(self, key: t.Any, value: t.Any) -> t.NoReturn:
        _unsupported(self)

    def __delitem__(self, key: t.Any) -> t.NoReturn:
        _unsupported(self)

    def clear(self) -> t.NoReturn:
        _unsupported(self)


class ImmutableDict(ImmutableDictMixin, dict[K, V]):  # type: ignore[misc]
    """A dict that raises :exc:`TypeError` on any attempt to change it; hashable."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def copy(self) -> dict[K, V]:
        """A mutable shallow copy, as a plain :class:`dict`."""
        return dict(self)

    def __copy__(self) -> ImmutableDict[K, V]:
        return self


class TypeConversionDict(dict[K, V]):
    """A dict whose :meth:`get` can convert the value it returns."""

    @t.overload  # type: ignore[override]
    def get(self, key: K) -> V | None: ...
    @t.overload
    def get(self, key: K, default: V) -> V: ...
    @t.overload
    def get(self, key: K, default: T) -> V | T: ...
    @t.overload
    def get(self, key: K, default: T | None = None, *, type: Callable[[V], T]) -> T | None: ...

    def get(
        self,
        key: K,
        default: t.Any = None,
        type: Callable[[V], t.Any] | None = None,
    ) -> t.Any:
        """The value for ``key``, or ``default`` if it is missing.

        With ``type``, the value is passed through it first; a :exc:`ValueError`
        or :exc:`TypeError` from the conversion makes ``default`` the result::

            >>> d = TypeConversionDict(page="3", size="big")
            >>> d.get("page", type=int), d.get("size", 10, type=int)
            (3, 10)

        :param key: the key to look up.
        :param default: returned when the key is missing or the conversion fails.
        :param type: a callable converting the value.
        """
        try:
            rv = self[key]
        except KeyError:
            return default
        if type is None:
            return rv
        try:
            return type(rv)
        except (ValueError, TypeError):
            return default


class ImmutableTypeConversionDict(ImmutableDictMixin, TypeConversionDict[K, V]):  # type: ignore[misc]
    """An immutable :class:`TypeConversionDict`."""

    def copy(self) -> TypeConversionDict[K, V]:
        """A mutable shallow copy, as a :class:`TypeConversionDict`."""
        return TypeConversionDict(self)

    def __copy__(self) -> ImmutableTypeConversionDict[K, V]:
        return self


class MultiDict(TypeConversionDict[K, V]):
    """A dict that can hold several values for one key.

    Indexing and :meth:`get` return the first value of a key; :meth:`getlist`
    returns all of them; :meth:`add` appends one. A missing key raises
    :exc:`~vial.exceptions.BadRequestKeyError`, a :exc:`KeyError` that, left
    unhandled in a view, becomes a 400 Bad Request instead of a 500::

        >>> d = MultiDict([("a", "b"), ("a", "c")])
        >>> d["a"], d.getlist("a")
        ('b', ['b', 'c'])

    :param mapping: a :class:`MultiDict`, a mapping (list or tuple values give
        several values, an empty list none) or an iterable of ``(key, value)`` pairs.
    """

    # Storage: every dict value is a non-empty ``list[V]``; the dict methods are
    # reached through ``dict.xxx(self, ...)`` and the public ones show first values.

    def __init__(self, mapping: t.Any = None) -> None:
        data: dict[t.Any, t.Any]
        if mapping is None:
            # PERF: dict.__new__ already made an empty dict; skipping
            # dict.__init__ saves ~0.3 µs on every empty MultiDict.
            return
        if isinstance(mapping, MultiDict):
            data = dict(mapping.lists())
        elif isinstance(mapping, Mapping):
            data = {}
            for key, value in mapping.items():
                if isinstance(value, (list, tuple)):
                    if not value:
                        continue
                    data[key] = list(value)
                else:
                    data[key] = [value]
        else:
            data = {}
            for key, value in mapping:
                if key in data:
                    data[key].append(value)
                else:
                    data[key] = [value]
        super().__init__(data)

    def _lists(self) -> Iterator[tuple[K, list[V]]]:
        return _dict_items(self)  # type: ignore[no-any-return]

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> tuple[t.Any, ...]:
        # A dict subclass would otherwise be pickled through __setitem__, keeping
        # only the first value of each key.
        return type(self), (list(self.items(multi=True)),)

    def __iter__(self) -> Iterator[K]:
        # Defined so that dict(multidict) goes through keys() and __getitem__ (first
        # values, as Werkzeug's) instead of CPython's dict-copy fast path (the lists).
        return dict.__iter__(self)

    def __getitem__(self, key: K) -> V:
        """The first value for ``key``; :exc:`~vial.exceptions.BadRequestKeyError` if missing."""
        # PERF: one dict lookup, no try/except, on the hot ``request.args[...]`` path.
        lst = _dict_get(self, key)
        if lst:
            return lst[0]  # type: ignore[no-any-return]
        raise BadRequestKeyError(key)  # type: ignore[arg-type]

    def __setitem__(self, key: K, value: V) -> None:
        """Replace every value of ``key`` with ``value``."""
        _dict_setitem(self, key, [value])

    def add(self, key: K, value: V) -> None:
        """Append ``value`` to the values of ``key``.

        :param key: the key, created if missing.
        :param value: the value to append.
        """
        lst = _dict_get(self, key)
        if lst is None:
            _dict_setitem(self, key, [value])
        else:
            lst.append(value)

    @t.overload  # type: ignore[override]
    def get(self, key: K) -> V | None: ...
    @t.overload
    def get(self, key: K, default: V) -> V: ...
    @t.overload
    def get(self, key: K, default: T) -> V | T: ...
    @t.overload
    def get(self, key: K, default: T | None = None, *, type: Callable[[V], T]) -> T | None: ...

    def get(
        self,
        key: K,
        default: t.Any = None,
        type: Callable[[V], t.Any] | None = None,
    ) -> t.Any:
        """The first value of ``key``, or ``default``; see :meth:`TypeConversionDict.get`.

        :param key: the key to look up.
        :param default: returned when the key is missing or the conversion fails.
        :param type: a callable converting the value; ``ValueError`` or
            ``TypeError`` from it gives ``default``.
        """
        lst = _dict_get(self, key)
        if not lst:
            return default
        rv = lst[0]
        if type is None:
            return rv
        try:
            return type(rv)
        except (ValueError, TypeError):
            return default

    @t.overload
    def getlist(self, key: K) -> list[V]: ...
    @t.overload
    def getlist(self, key: K, type: Callable[[V], T]) -> list[T]: ...

    def getlist(
        self,
        key: K,
        type: Callable[[V], t.Any] | None = None,
    ) -> list[t.Any]:
        """Every value of ``key`` (a new list; empty if the key is missing).

        :param key: the key to look up.
        :param type: a callable converting each value; values whose conversion
            raises ``ValueError`` or ``TypeError`` are left out.
        """
        lst: list[V] | None = _dict_get(self, key)
        if not lst:
            return []
        if type is None:
            return list(lst)
        rv = []
        for item in lst:
            try:
                rv.append(type(item))
            except (ValueError, TypeError):
                pass
        return rv

    def setlist(self, key: K, new_list: Iterable[V]) -> None:
        """Replace the values of ``key`` with those of ``new_list``.

        An empty ``new_list`` removes the key.

        :param key: the key to set.
        :param new_list: the new values.
        """
        values = list(new_list)
        if values:
            _dict_setitem(self, key, values)
        else:
            _dict_pop(self, key, None)

    def setdefault(self, key: K, default: V = None) -> V:  # type: ignore[assignment]
        """The first value of ``key``; if missing, set it to ``default`` and return that.

        :param key: the key to look up.
        :param default: the value stored when the key is missing.
        """
        lst = _dict_get(self, key)
        if lst:
            return lst[0]  # type: ignore[no-any-return]
        self.add(key, default)  # add(), which OrderedMultiDict extends to keep pair order
        return default

    def setlistdefault(self, key: K, default_list: Iterable[V] | None = None) -> list[V]:
        """The list of values of ``key``, created from ``default_list`` if missing.

        The returned list is the stored one: appending to it adds values.

        :param key: the key to look up.
        :param default_list: the values stored when the key is missing.
        """
        lst: list[V] | None = _dict_get(self, key)
        if lst is None:
            lst = list(default_list or ())
            _dict_setitem(self, key, lst)
        return lst

    def items(self, multi: bool = False) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        """Iterate over ``(key, first value)`` pairs, or every pair with ``multi=True``.

        :param multi: yield one pair per value instead of one per key.
        """
        if multi:
            for key, values in self._lists():
                for value in values:
                    yield key, value
        else:
            for key, values in self._lists():
                yield key, values[0]

    def lists(self) -> Iterator[tuple[K, list[V]]]:
        """Iterate over ``(key, list of values)`` pairs (each list a copy)."""
        for key, values in self._lists():
            yield key, list(values)

    def values(self) -> Iterator[V]:  # type: ignore[override]
        """Iterate over the first value of every key."""
        for values in _dict_values(self):
            yield values[0]

    def listvalues(self) -> Iterator[list[V]]:
        """Iterate over the list of values of every key."""
        for values in _dict_values(self):
            yield list(values)

    def copy(self) -> MultiDict[K, V]:
        """A shallow copy (the value lists are new, the values shared)."""
        return type(self)(self)

    def deepcopy(self, memo: t.Any = None) -> MultiDict[K, V]:
        """A deep copy: the values are copied too."""
        import copy  # only here, so not with vial

        return type(self)(copy.deepcopy(self.to_dict(flat=False), memo))

    def __copy__(self) -> MultiDict[K, V]:
        return self.copy()

    def __deepcopy__(self, memo: t.Any) -> MultiDict[K, V]:
        return self.deepcopy(memo=memo)

    @t.overload
    def to_dict(self) -> dict[K, V]: ...
    @t.overload
    def to_dict(self, flat: t.Literal[False]) -> dict[K, list[V]]: ...
    @t.overload
    def to_dict(self, flat: bool = True) -> dict[K, V] | dict[K, list[V]]: ...

    def to_dict(self, flat: bool = True) -> dict[K, V] | dict[K, list[V]]:
        """A plain dict: first values, or with ``flat=False`` lists of values.

        :param flat: keep only the first value of each key.
        """
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def update(self, mapping: t.Any = None, /, **kwargs: t.Any) -> None:
        """Add the values of ``mapping`` and ``kwargs``, keeping the existing ones.

        Unlike :meth:`dict.update`, this appends: ``{"a": 1}`` updated with
        ``{"a": 2}`` holds both values for ``"a"``.

        :param mapping: a :class:`MultiDict`, a mapping or an iterable of pairs.
        """
        if mapping is not None:
            for key, value in iter_multi_items(mapping):
                self.add(key, value)
        for key, value in iter_multi_items(kwargs):
            self.add(key, value)

    def __or__(self, other: t.Any) -> MultiDict[K, V]:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        rv = self.copy()
        rv.update(other)
        return rv

    def __ior__(self, other: t.Any) -> MultiDict[K, V]:  # type: ignore[override]
        if not isinstance(other, (Mapping, Iterable)):
            return NotImplemented
        self.update(other)
        return self

    @t.overload
    def pop(self, key: K) -> V: ...
    @t.overload
    def pop(self, key: K, default: V) -> V: ...
    @t.overload
    def pop(self, key: K, default: T) -> V | T: ...

    def pop(self, key: K, default: t.Any = _missing) -> t.Any:
        """Remove ``key`` and return its first value.

        :param key: the key to remove.
        :param default: returned when the key is missing; without it a missing
            key raises :exc:`~vial.exceptions.BadRequestKeyError`.
        """
        lst = _dict_pop(self, key, None)
        if lst:
            return lst[0]
        if default is not _missing:
            return default
        raise BadRequestKeyError(key)  # type: ignore[arg-type]

    def popitem(self) -> tuple[K, V]:
        """Remove the last inserted key and return it with its first value."""
        try:
            key, values = _dict_popitem(self)
        except KeyError:
            raise BadRequestKeyError() from None
        if not values:  # left by setlistdefault(key, []): no first value to return
            raise BadRequestKeyError(key)
        return key, values[0]

    def poplist(self, key: K) -> list[V]:
        """Remove ``key`` and return all its values (an empty list if missing)."""
        return _dict_pop(self, key, [])  # type: ignore[no-any-return]

    def popitemlist(self) -> tuple[K, list[V]]:
        """Remove the last inserted key and return it with all its values."""
        try:
            return _dict_popitem(self)  # type: ignore[no-any-return]
        except KeyError:
            raise BadRequestKeyError() from None

    @classmethod
    def fromkeys(  # type: ignore[override]
        cls, keys: Iterable[K], value: t.Any = None
    ) -> MultiDict[K, t.Any]:
        """A new multi-dict with every key of ``keys`` set to the single ``value``."""
        return cls([(key, value) for key in dict.fromkeys(keys)])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDictMixin(ImmutableDictMixin):
    """Turns off the mutating methods of a :class:`MultiDict` subclass and makes it hashable."""

    def _iter_hashitems(self) -> Iterable[t.Any]:
        return self.items(multi=True)  # type: ignore[attr-defined, no-any-return]

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> tuple[t.Any, ...]:
        return type(self), (list(self.items(multi=True)),)  # type: ignore[attr-defined]

    def add(self, key: t.Any, value: t.Any) -> t.NoReturn:
        _unsupported(self)

    def popitemlist(self) -> t.NoReturn:
        _unsupported(self)

    def poplist(self, key: t.Any) -> t.NoReturn:
        _unsupported(self)

    def setlist(self, key: t.Any, new_list: t.Any) -> t.NoReturn:
        _unsupported(self)

    def setlistdefault(self, key: t.Any, default_list: t.Any = None) -> t.NoReturn:
        _unsupported(self)


class ImmutableMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):  # type: ignore[misc]
    """A :class:`MultiDict` that cannot change (``request.args`` and ``request.form``).

    Every mutating method raises :exc:`TypeError`; :meth:`copy` gives a mutable
    :class:`MultiDict`. Instances are hashable.
    """

    def copy(self) -> MultiDict[K, V]:
        """A mutable shallow copy, as a :class:`MultiDict`."""
        return MultiDict(self)

    def __copy__(self) -> ImmutableMultiDict[K, V]:
        return self


class CombinedMultiDict(ImmutableMultiDictMixin, MultiDict[K, V]):
    """A read-only view over several multi-dicts, searched in order (``request.values``).

    ``d[key]`` and :meth:`get` return the value from the first dict holding the
    key; :meth:`getlist` concatenates the values of all of them. The dicts are
    not copied: later changes to them show through.

    :param dicts: the multi-dicts to combine, first one winning.
    """

    def __init__(self, dicts: Iterable[MultiDict[K, V]] | None = None) -> None:
        super().__init__()
        self.dicts: list[MultiDict[K, V]] = list(dicts or ())

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> tuple[t.Any, ...]:
        return type(self), (self.dicts,)

    @classmethod
    def fromkeys(cls, keys: t.Any, value: t.Any = None) -> t.NoReturn:
        """Not supported: raises :exc:`TypeError`."""
        raise TypeError(f"cannot create {cls.__name__!r} instances by fromkeys")

    def __getitem__(self, key: K) -> V:
        for d in self.dicts:
            if key in d:
                return d[key]
        raise BadRequestKeyError(key)  # type: ignore[arg-type]

    def get(
        self,
        key: K,
        default: t.Any = None,
        type: Callable[[V], t.Any] | None = None,
    ) -> t.Any:
        """The first value of ``key`` in the first dict that has one.

        With ``type``, a dict whose value fails the conversion is skipped and the
        next one tried.
        """
        for d in self.dicts:
            if key in d:
                if type is None:
                    return d[key]
                try:
                    return type(d[key])
                except (ValueError, TypeError):
                    continue
        return default

    def getlist(
        self,
        key: K,
        type: Callable[[V], t.Any] | None = None,
    ) -> list[t.Any]:
        """The values of ``key`` from every dict, in order."""
        rv: list[t.Any] = []
        for d in self.dicts:
            rv.extend(d.getlist(key, type))  # type: ignore[arg-type]
        return rv

    def _keys(self) -> dict[K, None]:
        rv: dict[K, None] = {}
        for d in self.dicts:
            rv.update(dict.fromkeys(d.keys()))
        return rv

    def keys(self) -> t.KeysView[K]:  # type: ignore[override]
        """The keys of all dicts, each once, in first-seen order."""
        return self._keys().keys()

    def __iter__(self) -> Iterator[K]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: object) -> bool:
        return any(key in d for d in self.dicts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict(flat=False) == MultiDict(other).to_dict(flat=False)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        rv = self.__eq__(other)
        return rv if rv is NotImplemented else not rv

    __hash__ = ImmutableMultiDictMixin.__hash__  # type: ignore[assignment]

    def _lists(self) -> Iterator[tuple[K, list[V]]]:
        rv: dict[K, list[V]] = {}
        for d in self.dicts:
            for key, values in d._lists():
                if key in rv:
                    rv[key].extend(values)
                else:
                    rv[key] = list(values)
        return iter(rv.items())

    def values(self) -> Iterator[V]:  # type: ignore[override]
        for _key, values in self._lists():
            yield values[0]

    def listvalues(self) -> Iterator[list[V]]:
        for _key, values in self._lists():
            yield values

    def copy(self) -> MultiDict[K, V]:
        """A mutable :class:`MultiDict` holding every value of every dict."""
        return MultiDict(self)

    def __copy__(self) -> CombinedMultiDict[K, V]:
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"
