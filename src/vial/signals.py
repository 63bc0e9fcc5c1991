"""Signals (blinker), with Flask's names.

The framework checks ``signal.receivers`` before sending, so a signal nobody
listens to costs one attribute lookup per request.

PERF: blinker (and the :mod:`inspect` module it imports, about 9 ms together)
loads when a signal is first connected to or sent, not with ``import vial``.
Until then each signal is a :class:`LazySignal` with an empty ``receivers``;
from then on it forwards blinker's API to its blinker signal and shares its
``receivers`` dict, so the check stays one attribute lookup.
"""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from blinker import NamedSignal
    from blinker import Namespace as Namespace

__all__ = [
    "LazySignal",
    "Namespace",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]

#: The blinker namespace of vial's own signals, made with the first of them.
_namespace: t.Any = None


class _Forwarded:
    """An attribute of a :class:`LazySignal` that is its blinker signal's."""

    __slots__ = ("attribute",)

    def __set_name__(self, owner: type[LazySignal], name: str) -> None:
        self.attribute = name

    def __get__(self, signal: LazySignal | None, owner: type[LazySignal] | None = None) -> t.Any:
        if signal is None:
            return self
        return getattr(signal._get_current_object(), self.attribute)


class LazySignal:
    """A blinker ``NamedSignal`` made on first use; its public attributes but ``name`` and
    ``receivers`` are the real signal's (``connect``, ``send``, ``connected_to``, ...).

    ``isinstance(signal, blinker.Signal)`` is false for it; use
    :meth:`_get_current_object` for the blinker signal itself.

    PERF: the blinker API is forwarded attribute by attribute, not by ``__getattr__``,
    which would keep CPython from specialising the ``receivers`` check made on every
    request (about 280 instructions each, six checks per request).
    """

    __slots__ = ("_signal", "name", "receivers")

    ANY = _Forwarded()
    connect = _Forwarded()
    connect_via = _Forwarded()
    connected_to = _Forwarded()
    disconnect = _Forwarded()
    has_receivers_for = _Forwarded()
    is_muted = _Forwarded()
    muted = _Forwarded()
    receiver_connected = _Forwarded()
    receiver_disconnected = _Forwarded()
    receivers_for = _Forwarded()
    send = _Forwarded()
    send_async = _Forwarded()
    set_class = _Forwarded()

    def __init__(self, name: str) -> None:
        self.name = name
        #: The receivers by id: empty until the blinker signal exists, then its own dict.
        self.receivers: dict[t.Any, t.Any] = {}
        self._signal: NamedSignal | None = None

    def _get_current_object(self) -> NamedSignal:
        """The blinker signal (made now if it does not exist yet)."""
        signal = self._signal
        if signal is None:
            global _namespace
            if _namespace is None:
                from blinker import Namespace

                _namespace = Namespace()
            signal = self._signal = _namespace.signal(self.name)
            self.receivers = signal.receivers
        return signal

    def __repr__(self) -> str:
        return f"<vial signal {self.name!r}>"


template_rendered = LazySignal("template-rendered")
before_render_template = LazySignal("before-render-template")
request_started = LazySignal("request-started")
request_finished = LazySignal("request-finished")
request_tearing_down = LazySignal("request-tearing-down")
got_request_exception = LazySignal("got-request-exception")
appcontext_tearing_down = LazySignal("appcontext-tearing-down")
appcontext_pushed = LazySignal("appcontext-pushed")
appcontext_popped = LazySignal("appcontext-popped")
message_flashed = LazySignal("message-flashed")


def __getattr__(name: str) -> t.Any:
    # blinker's Namespace, for an extension's own signals, loads blinker when asked for.
    if name == "Namespace":
        from blinker import Namespace

        return Namespace
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
