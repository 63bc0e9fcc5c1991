"""Class-based views (vial.views), through both interfaces."""

from __future__ import annotations

import asyncio
import functools
import typing as t

import pytest

from vial import Vial, g, request
from vial.testing import VialClient
from vial.views import MethodView, View


def test_view_dispatch_request_gets_url_arguments(app: Vial, client: VialClient) -> None:
    class Hello(View):
        def dispatch_request(self, name: str) -> str:  # type: ignore[override]
            return f"Hello {name} via {request.method}"

    app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))
    response = client.get("/hello/ann")
    assert response.status_code == 200
    assert response.data == b"Hello ann via GET"
    assert client.post("/hello/ann").status_code == 405


def test_view_methods_and_constructor_arguments(app: Vial, client: VialClient) -> None:
    class Greeter(View):
        methods: t.ClassVar[list[str]] = ["GET", "POST"]

        def __init__(self, greeting: str, punctuation: str = ".") -> None:
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self) -> str:
            return f"{self.greeting} {request.method}{self.punctuation}"

    app.add_url_rule("/", view_func=Greeter.as_view("greet", "Hi", punctuation="!"))
    assert client.get("/").data == b"Hi GET!"
    assert client.post("/").data == b"Hi POST!"
    assert client.put("/").status_code == 405
    allow = client.options("/").headers["Allow"]
    assert set(allow.split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_as_view_sets_function_attributes() -> None:
    class Documented(View):
        """The docstring."""

        methods: t.ClassVar[list[str]] = ["PUT"]
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return ""

    view = Documented.as_view("doc_view")
    assert view.__name__ == "doc_view"
    assert view.__doc__ == "The docstring."
    assert view.__module__ == __name__
    assert view.view_class is Documented  # type: ignore[attr-defined]
    assert view.methods == ["PUT"]  # type: ignore[attr-defined]
    assert view.provide_automatic_options is False  # type: ignore[attr-defined]


def test_provide_automatic_options_false(app: Vial, client: VialClient) -> None:
    class NoOptions(View):
        provide_automatic_options = False

        def dispatch_request(self) -> str:
            return "ok"

    app.add_url_rule("/", view_func=NoOptions.as_view("index"))
    assert client.get("/").data == b"ok"
    assert client.options("/").status_code == 405


def test_init_every_request(app: Vial, client: VialClient) -> None:
    created: list[object] = []

    class Fresh(View):
        def __init__(self) -> None:
            created.append(self)
            self.count = 0

        def dispatch_request(self) -> str:
            self.count += 1
            return str(self.count)

    class Shared(Fresh):
        init_every_request = False

    app.add_url_rule("/fresh", view_func=Fresh.as_view("fresh"))
    app.add_url_rule("/shared", view_func=Shared.as_view("shared"))
    assert len(created) == 1  # the shared instance is built by as_view
    assert [client.get("/fresh").data for _ in range(3)] == [b"1", b"1", b"1"]
    assert [client.get("/shared").data for _ in range(3)] == [b"1", b"2", b"3"]
    assert len(created) == 4


def test_decorators_apply_in_order(app: Vial, client: VialClient) -> None:
    def add_header(value: str) -> t.Callable[..., t.Any]:
        def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            @functools.wraps(f)
            def wrapper(**kwargs: t.Any) -> t.Any:
                body = f(**kwargs)
                return f"{value}({body})"

            return wrapper

        return decorator

    seen_names: list[str] = []

    def record_name(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        seen_names.append(f.__name__)
        return f

    class Decorated(View):
        decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = [
            record_name,
            add_header("inner"),
            add_header("outer"),
        ]

        def dispatch_request(self) -> str:
            return "view"

    view = Decorated.as_view("decorated")
    assert seen_names == ["decorated"]
    assert view.view_class is Decorated  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=view)
    assert client.get("/").data == b"outer(inner(view))"


def test_decorator_can_refuse_the_request(app: Vial, client: VialClient) -> None:
    def login_required(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(f)
        def wrapper(**kwargs: t.Any) -> t.Any:
            if request.headers.get("X-User") is None:
                return "login first", 401
            return f(**kwargs)

        return wrapper

    class Secret(View):
        decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = [login_required]

        def dispatch_request(self) -> str:
            return "secret"

    app.add_url_rule("/", view_func=Secret.as_view("secret"))
    assert client.get("/").status_code == 401
    assert client.get("/", headers={"X-User": "ann"}).data == b"secret"


def test_view_without_dispatch_request_is_a_server_error(app: Vial, client: VialClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/", view_func=View.as_view("bare"))
    assert client.get("/").status_code == 500


def test_async_dispatch_request(app: Vial, client: VialClient) -> None:
    class AsyncView(View):
        async def dispatch_request(self, n: int) -> str:  # type: ignore[override]
            await asyncio.sleep(0)
            return f"async {n * 2}"

    app.add_url_rule("/<int:n>", view_func=AsyncView.as_view("async_view"))
    assert client.get("/21").data == b"async 42"


class _ItemAPI(MethodView):
    def get(self, item_id: int | None = None) -> t.Any:
        if item_id is None:
            return {"items": [1, 2]}
        return {"item": item_id}

    def post(self) -> t.Any:
        return {"created": request.get_json()}, 201

    async def delete(self, item_id: int) -> t.Any:
        await asyncio.sleep(0)
        return "", 204


def test_method_view_methods_from_handlers() -> None:
    assert _ItemAPI.methods == {"GET", "POST", "DELETE"}
    assert View.methods is None
    assert MethodView.methods is None


def test_method_view_dispatches_by_method(app: Vial, client: VialClient) -> None:
    view = _ItemAPI.as_view("items")
    app.add_url_rule("/items/", view_func=view, methods=["GET", "POST"])
    app.add_url_rule("/items/<int:item_id>", view_func=view, methods=["GET", "DELETE"])
    assert client.get("/items/").get_json() == {"items": [1, 2]}
    response = client.post("/items/", json={"name": "pen"})
    assert (response.status_code, response.get_json()) == (201, {"created": {"name": "pen"}})
    assert client.get("/items/7").get_json() == {"item": 7}
    response = client.delete("/items/7")
    assert (response.status_code, response.data) == (204, b"")
    assert client.put("/items/7").status_code == 405


def test_method_view_head_falls_back_to_get(app: Vial, client: VialClient) -> None:
    class OnlyGet(MethodView):
        def get(self) -> t.Any:
            return "body", 200, {"X-From": "get"}

    class OwnHead(OnlyGet):
        def head(self) -> t.Any:
            return "", 200, {"X-From": "head"}

    app.add_url_rule("/a", view_func=OnlyGet.as_view("a"))
    app.add_url_rule("/b", view_func=OwnHead.as_view("b"))
    response = client.head("/a")
    assert (response.status_code, response.headers["X-From"], response.data) == (200, "get", b"")
    assert client.head("/b").headers["X-From"] == "head"


def test_method_view_inheritance() -> None:
    class Base(MethodView):
        def get(self) -> str:
            return "base get"

    class Child(Base):
        def post(self) -> str:
            return "child post"

    class Explicit(Child):
        methods: t.ClassVar[set[str]] = {"PUT"}

        def put(self) -> str:
            return "put"

    class GrandChild(Explicit):
        def patch(self) -> str:
            return "patch"

    class Mixin:
        def delete(self) -> str:
            return "deleted"

    class Mixed(Mixin, Base):
        pass

    assert Base.methods == {"GET"}
    assert Child.methods == {"GET", "POST"}
    assert Explicit.methods == {"PUT"}
    # Inherited handlers count, as do the parent's declared methods.
    assert GrandChild.methods == {"GET", "POST", "PUT", "PATCH"}
    assert Mixed.methods == {"GET", "DELETE"}


def test_method_view_inherited_handlers_are_served(app: Vial, client: VialClient) -> None:
    class Base(MethodView):
        def get(self) -> str:
            return "base get"

    class Child(Base):
        async def post(self) -> str:
            return "child post"

    app.add_url_rule("/", view_func=Child.as_view("child"))
    assert client.get("/").data == b"base get"
    assert client.post("/").data == b"child post"


def test_method_view_async_handlers_and_g(app: Vial, client: VialClient) -> None:
    @app.before_request
    def set_user() -> None:
        g.user = "ann"

    class Profile(MethodView):
        async def get(self, name: str) -> str:
            await asyncio.sleep(0)
            return f"{g.user} looks at {name}"

    app.add_url_rule("/profile/<name>", view_func=Profile.as_view("profile"))
    assert client.get("/profile/bob").data == b"ann looks at bob"


def test_method_view_shared_instance(app: Vial, client: VialClient) -> None:
    class Counter(MethodView):
        init_every_request = False

        def __init__(self, start: int) -> None:
            self.value = start

        def post(self) -> str:
            self.value += 1
            return str(self.value)

    app.add_url_rule("/", view_func=Counter.as_view("counter", 10))
    assert [client.post("/").data for _ in range(2)] == [b"11", b"12"]


def test_endpoint_and_url_for(app: Vial, client: VialClient) -> None:
    class Page(MethodView):
        def get(self, slug: str) -> str:
            from vial import url_for

            return url_for("page", slug=slug.upper())

    app.add_url_rule("/pages/<slug>", view_func=Page.as_view("page"))
    assert client.get("/pages/abc").data == b"/pages/ABC"
    assert app.view_functions["page"].view_class is Page  # type: ignore[attr-defined]


def test_sync_wrapper_cache_does_not_grow_per_request(app: Vial) -> None:
    class Async(MethodView):
        async def get(self) -> str:
            return "ok"

    app.add_url_rule("/", view_func=Async.as_view("async"))
    client = app.test_client()
    client.get("/")
    size = len(app._sync_cache)
    for _ in range(5):
        assert client.get("/").data == b"ok"
    assert len(app._sync_cache) == size


@pytest.mark.parametrize("method", ["get", "post"])
def test_unimplemented_method_is_an_assertion(app: Vial, method: str) -> None:
    class GetOnly(MethodView):
        def get(self) -> str:
            return "ok"

    app.add_url_rule("/", view_func=GetOnly.as_view("get_only"), methods=["GET", "POST"])
    client = app.test_client()
    if method == "get":
        assert client.get("/").data == b"ok"
    else:
        with pytest.raises(AssertionError, match="Unimplemented method 'POST'"):
            client.post("/")
