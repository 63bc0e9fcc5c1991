"""vial.local: Werkzeug's LocalProxy, Local, LocalStack and release_local."""

from __future__ import annotations

import asyncio
import threading
import typing as t
from contextvars import ContextVar

import pytest

from vial import Vial, g
from vial.local import Local, LocalProxy, LocalStack, release_local
from vial.testing import VialClient


class User:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_authenticated = True

    def greet(self, greeting: str) -> str:
        return f"{greeting}, {self.name}"


def test_callable_proxy_forwards_to_what_the_callable_returns_now() -> None:
    box: dict[str, t.Any] = {"user": User("ann")}
    current_user = t.cast(User, LocalProxy(lambda: box["user"]))
    assert current_user.name == "ann"
    assert current_user.greet("hi") == "hi, ann"
    box["user"] = User("bob")
    assert current_user.name == "bob"
    assert isinstance(current_user, User)
    assert current_user._get_current_object() is box["user"]  # type: ignore[attr-defined]


def test_attribute_set_and_delete_reach_the_object() -> None:
    user = User("ann")
    proxy = t.cast(t.Any, LocalProxy(lambda: user))
    proxy.name = "bob"
    proxy.extra = 1
    assert user.name == "bob" and user.extra == 1  # type: ignore[attr-defined]
    del proxy.extra
    assert not hasattr(user, "extra")


def test_contextvar_proxy_and_unbound_message() -> None:
    var: ContextVar[list[int]] = ContextVar("numbers")
    proxy = t.cast(t.Any, LocalProxy(var, unbound_message="no numbers here"))
    assert not proxy
    assert repr(proxy) == "<LocalProxy unbound>"
    assert proxy.__class__ is LocalProxy
    with pytest.raises(RuntimeError, match="no numbers here"):
        proxy.append(1)
    with pytest.raises(RuntimeError, match="no numbers here"):
        len(proxy)
    token = var.set([1, 2])
    try:
        assert proxy and len(proxy) == 2 and repr(proxy) == "[1, 2]"
        assert isinstance(proxy, list)
    finally:
        var.reset(token)


def test_contextvar_with_attribute_name() -> None:
    var: ContextVar[User] = ContextVar("user")
    name = t.cast(t.Any, LocalProxy(var, "name"))
    token = var.set(User("cy"))
    try:
        assert name == "cy" and name.upper() == "CY" and str(name) == "cy"
    finally:
        var.reset(token)
    with pytest.raises(RuntimeError, match="not bound"):
        str(name)


def test_operators_act_on_the_object() -> None:
    value = {"n": 6}
    n = t.cast(t.Any, LocalProxy(lambda: value["n"]))
    assert n + 1 == 7 and 1 + n == 7 and n - 1 == 5 and 10 - n == 4
    assert n * 2 == 12 and n / 4 == 1.5 and n // 4 == 1 and n % 4 == 2 and 2**n == 64
    assert divmod(n, 4) == (1, 2) and n**2 == 36 and n << 1 == 12 and n >> 1 == 3
    assert n & 3 == 2 and n | 1 == 7 and n ^ 2 == 4 and -n == -6 and +n == 6 and ~n == -7
    assert abs(LocalProxy(lambda: -3)) == 3
    assert n < 7 and n <= 6 and n > 5 and n >= 6 and n != 5 and n == 6
    assert int(n) == 6 and float(n) == 6.0 and [0, 1, 2, 3, 4, 5, 6][n] == 6
    assert hash(n) == hash(6) and f"{n:03d}" == "006" and round(LocalProxy(lambda: 2.6)) == 3


def test_containers_calls_and_in_place_operators() -> None:
    items = [1, 2]
    proxy = t.cast(t.Any, LocalProxy(lambda: items))
    assert len(proxy) == 2 and list(proxy) == [1, 2] and 2 in proxy and 3 not in proxy
    assert proxy[0] == 1 and list(reversed(proxy)) == [2, 1]
    proxy[0] = 5
    del proxy[1]
    assert items == [5]
    same = proxy
    proxy += [7]
    assert items == [5, 7] and proxy is same
    add = t.cast(t.Any, LocalProxy(lambda: lambda a, b=0: a + b))
    assert add(1, b=2) == 3


def test_local_attributes_are_per_thread() -> None:
    local = Local()
    local.value = "main"
    seen: list[t.Any] = []

    def worker() -> None:
        seen.append(getattr(local, "value", None))
        local.value = "thread"
        seen.append(local.value)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [None, "thread"] and local.value == "main"
    assert dict(local) == {"value": "main"}
    proxy = t.cast(t.Any, local("value"))
    assert proxy == "main" and proxy.upper() == "MAIN"
    del local.value
    with pytest.raises(AttributeError):
        local.value  # noqa: B018 - the access is the test
    assert not proxy
    with pytest.raises(TypeError, match="'name' is required"):
        LocalProxy(local)


def test_local_is_per_asyncio_task() -> None:
    local = Local()

    async def task(value: int) -> int:
        local.value = value
        await asyncio.sleep(0)
        return t.cast(int, local.value)

    async def main() -> list[int]:
        return list(await asyncio.gather(task(1), task(2)))

    assert asyncio.run(main()) == [1, 2]


def test_local_stack_push_pop_top_and_proxies() -> None:
    stack: LocalStack[User] = LocalStack()
    assert stack.top is None and stack.pop() is None
    top = t.cast(t.Any, stack())
    name = t.cast(t.Any, stack("name", unbound_message="empty stack"))
    assert not top
    with pytest.raises(RuntimeError, match="empty stack"):
        str(name)
    ann, bob = User("ann"), User("bob")
    stack.push(ann)
    stack.push(bob)
    assert stack.top is bob and name == "bob" and top.name == "bob"
    assert stack.pop() is bob and name == "ann"
    release_local(stack)
    assert stack.top is None


def test_release_local_empties_a_local() -> None:
    local = Local()
    local.a = 1
    release_local(local)
    assert not hasattr(local, "a")


def test_a_proxy_of_something_unproxyable_is_refused() -> None:
    with pytest.raises(TypeError, match="Don't know how to proxy"):
        LocalProxy(42)


def test_an_extension_style_global_works_in_views(interface: str) -> None:
    app = Vial(__name__)

    def _get_user() -> User | None:
        if "user" not in g:
            g.user = User("ann")
        return t.cast(User, g.user)

    current_user = t.cast(User, LocalProxy(_get_user))

    @app.get("/")
    def index() -> str:
        return current_user.greet("hello")

    @app.get("/async")
    async def index_async() -> str:
        return current_user.greet("hi")

    client: VialClient = app.test_client(asgi=interface == "asgi")
    assert client.get("/").text == "hello, ann"
    assert client.get("/async").text == "hi, ann"


def test_vial_globals_are_local_proxies() -> None:
    """As in Flask, code tells the globals from the objects with isinstance(x, LocalProxy)."""
    import vial

    app = Vial(__name__)
    for proxy in (vial.current_app, vial.g, vial.request, vial.session):
        assert isinstance(proxy, LocalProxy)
    with app.test_request_context():
        assert isinstance(vial.request, LocalProxy)
        assert isinstance(vial.request, vial.Request)
        assert not isinstance(vial.request._get_current_object(), LocalProxy)
        assert not isinstance(app, LocalProxy)
