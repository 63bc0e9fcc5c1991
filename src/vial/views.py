"""Class-based views: :class:`View` and :class:`MethodView`, as in Flask.

A view class is turned into a view function with :meth:`View.as_view`, then
registered like any other view::

    class UserAPI(MethodView):
        def get(self, user_id):
            return {"id": user_id}

        async def delete(self, user_id):
            ...
            return "", 204

    app.add_url_rule("/users/<int:user_id>", view_func=UserAPI.as_view("user"))
"""

from __future__ import annotations

import typing as t

from .globals import current_app, request

if t.TYPE_CHECKING:
    from .typing import ResponseReturnValue

__all__ = ["MethodView", "View", "http_method_funcs"]

#: The lower-case handler names :class:`MethodView` looks for.
http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


def _call_sync(method: t.Callable[..., t.Any], kwargs: dict[str, t.Any]) -> t.Any:
    """Call a bound method through ``current_app.ensure_sync`` (async methods run to completion).

    The plain function behind the bound method goes to ``ensure_sync``: the app caches
    its sync wrappers by callable, and a fresh bound method per request would make that
    cache grow with every request (and keep every view instance alive).
    """
    func = getattr(method, "__func__", None)
    if func is not None:
        return current_app.ensure_sync(func)(method.__self__, **kwargs)  # type: ignore[attr-defined]
    return current_app.ensure_sync(method)(**kwargs)


class View:
    """Subclass and implement :meth:`dispatch_request`; register with :meth:`as_view`.

    Class attributes configure the view function that :meth:`as_view` makes:

    - ``methods``: the HTTP methods the rule accepts (``GET`` when ``None``).
    - ``provide_automatic_options``: whether OPTIONS is answered automatically
      (``None``: the app decides).
    - ``decorators``: decorators applied to the generated view function, first one
      innermost. The class itself is not decorated.
    - ``init_every_request``: build a new instance for every request (the default).
      Set it to ``False`` to build one instance when :meth:`as_view` is called and
      reuse it; then keep no per-request data on ``self`` (use :data:`~vial.g`).
    """

    #: The HTTP methods of the view; ``None`` means the rule's default (``GET``).
    methods: t.ClassVar[t.Collection[str] | None] = None

    #: Whether OPTIONS requests are answered automatically; ``None`` lets the app decide.
    provide_automatic_options: t.ClassVar[bool | None] = None

    #: Decorators to apply, in order, to the view function made by :meth:`as_view`.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []

    #: Make a new instance of the class for each request.
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> ResponseReturnValue:
        """Handle the request; receives the URL arguments as keyword arguments.

        May be a coroutine function (``async def``).
        """
        raise NotImplementedError()

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> t.Callable[..., ResponseReturnValue]:
        """Make a view function for this class, named ``name`` (the default endpoint).

        ``class_args`` and ``class_kwargs`` are passed to the constructor, for every
        request or once, according to :attr:`init_every_request`. The function carries
        ``view_class``, ``methods`` and ``provide_automatic_options`` for
        :meth:`~vial.Vial.add_url_rule`.
        """
        view: t.Callable[..., ResponseReturnValue]
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                self = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
                return t.cast("ResponseReturnValue", _call_sync(self.dispatch_request, kwargs))

        else:
            instance = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> ResponseReturnValue:
                return t.cast("ResponseReturnValue", _call_sync(instance.dispatch_request, kwargs))

        if cls.decorators:
            # The decorators see the final name and module, as Flask's do.
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)

        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """Dispatch each HTTP method to the handler of the same name (``get``, ``post`` ...).

    :attr:`methods` is set from the handlers a class defines or inherits, unless the
    class sets it itself. HEAD requests use ``get`` when there is no ``head``. Handlers
    may be coroutine functions.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        methods: set[str] = set()
        for base in cls.__bases__:
            base_methods = getattr(base, "methods", None)
            if base_methods:
                methods.update(base_methods)
        for name in http_method_funcs:
            if hasattr(cls, name):
                methods.add(name.upper())
        if methods:
            cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> ResponseReturnValue:
        """Call the handler for the request's method with the URL arguments."""
        method = request.method
        handler = getattr(self, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(self, "get", None)
        assert handler is not None, f"Unimplemented method {method!r}"
        return t.cast("ResponseReturnValue", _call_sync(handler, kwargs))
