"""Werkzeug's context-local objects: :class:`LocalProxy`, :class:`Local`, :class:`LocalStack`.

Extensions build their own globals with these, as Flask-Login does::

    from vial.local import LocalProxy

    current_user = LocalProxy(lambda: _get_user())

:class:`Local` and :class:`LocalStack` keep their data in context variables, so
each thread and each asyncio task sees its own values, as in Werkzeug 2.3+.
"""

from __future__ import annotations

import operator
import typing as t
from contextvars import ContextVar

from .proxy import ContextProxy

__all__ = ["Local", "LocalProxy", "LocalStack", "release_local"]

_T = t.TypeVar("_T")

_DEFAULT_UNBOUND = "object is not bound"


class Local:
    """An object whose attributes belong to the current context (thread or task).

    Attribute values are stored in one :class:`~contextvars.ContextVar` holding a
    dict; setting an attribute copies the dict, so other contexts never see it.
    ``local("name")`` returns a :class:`LocalProxy` to that attribute.

    :param context_var: the variable to store the values in (a new one by default).
    """

    __slots__ = ("_storage",)

    def __init__(self, context_var: ContextVar[dict[str, t.Any]] | None = None) -> None:
        if context_var is None:
            context_var = ContextVar(f"vial.Local<{id(self)}>.storage")
        object.__setattr__(self, "_storage", context_var)

    def __iter__(self) -> t.Iterator[tuple[str, t.Any]]:
        return iter(self._storage.get({}).items())

    def __call__(self, name: str, *, unbound_message: str | None = None) -> LocalProxy:
        """A proxy to attribute ``name`` of this local."""
        return LocalProxy(self, name, unbound_message=unbound_message)

    def __release_local__(self) -> None:
        self._storage.set({})

    def __getattr__(self, name: str) -> t.Any:
        values = self._storage.get({})
        try:
            return values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: t.Any) -> None:
        values = self._storage.get({}).copy()
        values[name] = value
        self._storage.set(values)

    def __delattr__(self, name: str) -> None:
        values = self._storage.get({})
        if name not in values:
            raise AttributeError(name)
        values = values.copy()
        del values[name]
        self._storage.set(values)


class LocalStack(t.Generic[_T]):
    """A stack whose items belong to the current context (thread or task).

    :meth:`push` and :meth:`pop` change the stack, :attr:`top` is the last item
    pushed (``None`` when empty); ``stack()`` returns a proxy to the top item
    and ``stack("name")`` one to an attribute of it.

    :param context_var: the variable to store the stack in (a new one by default).
    """

    __slots__ = ("_storage",)

    def __init__(self, context_var: ContextVar[list[_T]] | None = None) -> None:
        if context_var is None:
            context_var = ContextVar(f"vial.LocalStack<{id(self)}>.storage")
        self._storage = context_var

    def __release_local__(self) -> None:
        self._storage.set([])

    def push(self, obj: _T) -> list[_T]:
        """Add ``obj`` on top of the stack; returns the new stack (a copy)."""
        stack = [*self._storage.get([]), obj]
        self._storage.set(stack)
        return stack

    def pop(self) -> _T | None:
        """Remove and return the top item (``None`` when the stack is empty)."""
        stack = self._storage.get([])
        if not stack:
            return None
        self._storage.set(stack[:-1])
        return stack[-1]

    @property
    def top(self) -> _T | None:
        """The top item, or ``None`` when the stack is empty."""
        stack = self._storage.get([])
        return stack[-1] if stack else None

    def __call__(
        self, name: str | None = None, *, unbound_message: str | None = None
    ) -> LocalProxy:
        """A proxy to the top item, or to its attribute ``name``."""
        return LocalProxy(self, name, unbound_message=unbound_message)


def release_local(local: Local | LocalStack[t.Any]) -> None:
    """Empty ``local`` for the current context (its attributes or its stack)."""
    local.__release_local__()


def _getter(local: t.Any, name: str | None, unbound_message: str) -> t.Callable[[], t.Any]:
    """The function that finds the proxied object, raising RuntimeError when unbound."""
    get_name = operator.attrgetter(name) if name is not None else None

    if isinstance(local, Local):
        if get_name is None:
            raise TypeError("'name' is required when proxying a 'Local' object.")
        local_attr = get_name

        def from_local() -> t.Any:
            try:
                return local_attr(local)
            except AttributeError:
                raise RuntimeError(unbound_message) from None

        return from_local
    if isinstance(local, LocalStack):

        def from_stack() -> t.Any:
            top = local.top
            if top is None:
                raise RuntimeError(unbound_message)
            return top if get_name is None else get_name(top)

        return from_stack
    if isinstance(local, ContextVar):
        var = local

        def from_var() -> t.Any:
            try:
                value = var.get()
            except LookupError:
                raise RuntimeError(unbound_message) from None
            return value if get_name is None else get_name(value)

        return from_var
    if callable(local):
        if get_name is None:
            return t.cast("t.Callable[[], t.Any]", local)
        function = local

        def from_call() -> t.Any:
            return get_name(function())

        return from_call
    raise TypeError(f"Don't know how to proxy {type(local).__name__!r}.")


def _binary(op: t.Callable[[t.Any, t.Any], t.Any]) -> t.Callable[[LocalProxy, t.Any], t.Any]:
    def method(self: LocalProxy, other: t.Any) -> t.Any:
        return op(self._get_current_object(), other)

    return method


def _reflected(op: t.Callable[[t.Any, t.Any], t.Any]) -> t.Callable[[LocalProxy, t.Any], t.Any]:
    def method(self: LocalProxy, other: t.Any) -> t.Any:
        return op(other, self._get_current_object())

    return method


def _in_place(op: t.Callable[[t.Any, t.Any], t.Any]) -> t.Callable[[LocalProxy, t.Any], t.Any]:
    # As in Werkzeug: the operation runs on the object and the proxy is the result,
    # so ``proxy += [1]`` extends the proxied list and ``proxy`` stays a proxy.
    def method(self: LocalProxy, other: t.Any) -> LocalProxy:
        op(self._get_current_object(), other)
        return self

    return method


def _unary(op: t.Callable[[t.Any], t.Any]) -> t.Callable[[LocalProxy], t.Any]:
    def method(self: LocalProxy) -> t.Any:
        return op(self._get_current_object())

    return method


class _LocalProxyType(type):
    """Makes vial's globals (``current_app``, ``request``, ...) instances of :class:`LocalProxy`.

    They are lighter :class:`~vial.proxy.ContextProxy` objects, but in Flask they are
    ``LocalProxy`` objects, and code tells a proxy from the object it stands for with
    ``isinstance(request, LocalProxy)``.
    """

    def __instancecheck__(cls, instance: t.Any) -> bool:
        if cls is LocalProxy and type(instance) is ContextProxy:
            return True
        return super().__instancecheck__(instance)


class LocalProxy(ContextProxy, metaclass=_LocalProxyType):
    """Forwards every use to an object found anew each time: Werkzeug's ``LocalProxy``.

    The object comes from what the proxy was given:

    - a callable: its return value (``LocalProxy(lambda: _get_user())``);
    - a :class:`~contextvars.ContextVar`: its value in the current context;
    - a :class:`Local` and an attribute name: that attribute of the local;
    - a :class:`LocalStack`: its top item.

    With ``name``, the proxy forwards to that attribute of the object instead
    (``LocalProxy(request_var, "user")``). When nothing is bound, using the proxy
    raises :class:`RuntimeError` with ``unbound_message``; ``bool(proxy)`` is then
    false and ``repr`` says ``unbound``. Attribute access, operators, ``len``,
    iteration, calls, item access and ``isinstance`` (through ``__class__``) all
    act on the object; :meth:`_get_current_object` returns it.

    :param local: where the object is found (see above).
    :param name: an attribute of the object to proxy instead.
    :param unbound_message: the error message when nothing is bound.
    """

    __slots__ = ("__wrapped",)

    # Werkzeug's lookup order: the proxy's own attributes (``__wrapped__``, its methods)
    # first, then the object's.
    __getattribute__ = object.__getattribute__

    def __getattr__(self, name: str) -> t.Any:
        return getattr(self._get_current_object(), name)

    def __init__(
        self,
        local: t.Any,
        name: str | None = None,
        *,
        unbound_message: str | None = None,
    ) -> None:
        message = unbound_message or _DEFAULT_UNBOUND
        getter = _getter(local, name, message)
        object.__setattr__(self, "_get_current_object", getter)
        object.__setattr__(self, "_get_object", getter)
        object.__setattr__(self, "_unbound_message", message)
        object.__setattr__(self, "_LocalProxy__wrapped", local)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return LocalProxy

    @property
    def __wrapped__(self) -> t.Any:
        """What the proxy was created with (the callable, variable, local or stack)."""
        return self.__wrapped

    __lt__ = _binary(operator.lt)
    __le__ = _binary(operator.le)
    __gt__ = _binary(operator.gt)
    __ge__ = _binary(operator.ge)

    __add__ = _binary(operator.add)
    __sub__ = _binary(operator.sub)
    __mul__ = _binary(operator.mul)
    __matmul__ = _binary(operator.matmul)
    __truediv__ = _binary(operator.truediv)
    __floordiv__ = _binary(operator.floordiv)
    __mod__ = _binary(operator.mod)
    __divmod__ = _binary(divmod)
    __pow__ = _binary(pow)
    __lshift__ = _binary(operator.lshift)
    __rshift__ = _binary(operator.rshift)
    __and__ = _binary(operator.and_)
    __xor__ = _binary(operator.xor)
    __or__ = _binary(operator.or_)

    __radd__ = _reflected(operator.add)
    __rsub__ = _reflected(operator.sub)
    __rmul__ = _reflected(operator.mul)
    __rmatmul__ = _reflected(operator.matmul)
    __rtruediv__ = _reflected(operator.truediv)
    __rfloordiv__ = _reflected(operator.floordiv)
    __rmod__ = _reflected(operator.mod)
    __rdivmod__ = _reflected(divmod)
    __rpow__ = _reflected(pow)
    __rlshift__ = _reflected(operator.lshift)
    __rrshift__ = _reflected(operator.rshift)
    __rand__ = _reflected(operator.and_)
    __rxor__ = _reflected(operator.xor)
    __ror__ = _reflected(operator.or_)

    __iadd__ = _in_place(operator.iadd)
    __isub__ = _in_place(operator.isub)
    __imul__ = _in_place(operator.imul)
    __imatmul__ = _in_place(operator.imatmul)
    __itruediv__ = _in_place(operator.itruediv)
    __ifloordiv__ = _in_place(operator.ifloordiv)
    __imod__ = _in_place(operator.imod)
    __ipow__ = _in_place(operator.ipow)
    __ilshift__ = _in_place(operator.ilshift)
    __irshift__ = _in_place(operator.irshift)
    __iand__ = _in_place(operator.iand)
    __ixor__ = _in_place(operator.ixor)
    __ior__ = _in_place(operator.ior)

    __neg__ = _unary(operator.neg)
    __pos__ = _unary(operator.pos)
    __abs__ = _unary(abs)
    __invert__ = _unary(operator.invert)
    __int__ = _unary(int)
    __float__ = _unary(float)
    __complex__ = _unary(complex)
    __index__ = _unary(operator.index)
    __bytes__ = _unary(bytes)
    __reversed__ = _unary(reversed)
    __length_hint__ = _unary(operator.length_hint)

    def __round__(self, ndigits: int | None = None) -> t.Any:
        return round(self._get_current_object(), ndigits)

    def __format__(self, format_spec: str) -> str:
        return format(self._get_current_object(), format_spec)

    def __await__(self) -> t.Any:
        return self._get_current_object().__await__()

    def __anext__(self) -> t.Any:
        return self._get_current_object().__anext__()

    def __aenter__(self) -> t.Any:
        return self._get_current_object().__aenter__()

    def __aexit__(self, *exc_info: t.Any) -> t.Any:
        return self._get_current_object().__aexit__(*exc_info)

    def __copy__(self) -> t.Any:
        import copy

        return copy.copy(self._get_current_object())

    def __deepcopy__(self, memo: dict[int, t.Any]) -> t.Any:
        import copy

        return copy.deepcopy(self._get_current_object(), memo)
