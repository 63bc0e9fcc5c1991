"""Small helpers Flask apps import from Werkzeug's ``utils`` module.

:func:`secure_filename`, :class:`cached_property`, :func:`import_string`,
:func:`find_modules`, :class:`header_property`, :class:`environ_property` and
:func:`append_slash_redirect` are defined here; :func:`redirect`,
:func:`send_file`, :func:`send_from_directory`, :func:`safe_join` and
:func:`get_content_type` are vial's own, found here under Werkzeug's module name
(they load on first use, keeping ``import vial`` small).
"""

from __future__ import annotations

import importlib
import re
import typing as t
from collections.abc import Callable
from unicodedata import normalize

if t.TYPE_CHECKING:
    from .helpers import redirect as redirect
    from .helpers import send_file as send_file
    from .helpers import send_from_directory as send_from_directory
    from .security import safe_join as safe_join
    from .typing import WSGIEnvironment
    from .wrappers.response import Response
    from .wrappers.response import get_content_type as get_content_type

__all__ = [
    "ImportStringError",
    "append_slash_redirect",
    "cached_property",
    "environ_property",
    "find_modules",
    "get_content_type",
    "header_property",
    "import_string",
    "redirect",
    "safe_join",
    "secure_filename",
    "send_file",
    "send_from_directory",
]

# PERF: vial's wrappers import this module, so what needs the helpers, the
# security module or the response class is imported on first use (PEP 562).
_LAZY = {
    "redirect": ".helpers",
    "send_file": ".helpers",
    "send_from_directory": ".helpers",
    "safe_join": ".security",
    "get_content_type": ".wrappers.response",
}


def __getattr__(name: str) -> t.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __package__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


_T = t.TypeVar("_T")

_filename_unsafe_re = re.compile(r"[^A-Za-z0-9_.-]")

# Names Windows reserves for devices, in any directory and with any extension.
_windows_device_files = frozenset(
    [
        "CON",
        "PRN",
        "AUX",
        "NUL",
        "CONIN$",
        "CONOUT$",
        *(f"COM{i}" for i in range(10)),
        *(f"LPT{i}" for i in range(10)),
    ]
)


def secure_filename(filename: str) -> str:
    """A version of ``filename`` that is safe to use as a single file name.

    The result holds only ASCII letters, digits, ``_``, ``.`` and ``-``; accents
    are stripped, path separators (``/`` and ``\\``) and whitespace become
    ``_``, and leading or trailing dots and underscores are removed, so it can
    never be ``..`` or contain a directory. Windows device names get a leading
    underscore (``CON.txt`` → ``_CON.txt``) on every OS, since files move
    between systems::

        >>> secure_filename("My cool movie.mov")
        'My_cool_movie.mov'
        >>> secure_filename("../../../etc/passwd")
        'etc_passwd'
        >>> secure_filename("i contain cool \\xfcml\\xe4uts.txt")
        'i_contain_cool_umlauts.txt'

    The result may be empty (``secure_filename("\u6f22\u5b57")``): generate a
    name yourself in that case.

    :param filename: the untrusted name, for example :attr:`FileStorage.filename`.
    """
    filename = normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    filename = filename.replace("/", " ").replace("\\", " ")
    filename = "_".join(filename.split())
    filename = _filename_unsafe_re.sub("", filename).strip("._")
    if filename and filename.split(".")[0].upper() in _windows_device_files:
        filename = f"_{filename}"
    return filename


class cached_property(t.Generic[_T]):
    """A property computed on first access, then stored on the instance.

    The value lives in the instance's ``__dict__`` under the property's name;
    assigning sets it and ``del`` makes the next access compute it again::

        class Page:
            @cached_property
            def html(self) -> str:
                return render(self)

    The class needs a ``__dict__`` (no ``__slots__`` without ``"__dict__"``).
    """

    # PERF: this is a non-data descriptor (no __set__): once the value is in the
    # instance __dict__, attribute lookup finds it there without calling __get__,
    # so a cached read costs the same as a plain attribute. It also needs no lock,
    # unlike functools.cached_property on Python 3.11.

    def __init__(
        self, fget: Callable[[t.Any], _T], name: str | None = None, doc: str | None = None
    ) -> None:
        self.fget = fget
        self.__name__ = name or fget.__name__
        self.__doc__ = doc or fget.__doc__
        self.__module__ = fget.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        if self.__name__ == self.fget.__name__:
            self.__name__ = name

    @t.overload
    def __get__(self, obj: None, owner: type | None = None) -> cached_property[_T]: ...
    @t.overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> t.Any:
        if obj is None:
            return self
        try:
            cache = obj.__dict__
        except AttributeError:
            raise TypeError(
                f"cached_property {self.__name__!r} needs an instance __dict__"
                f" on {type(obj).__name__!r}."
            ) from None
        name = self.__name__
        if name in cache:
            return cache[name]
        value = self.fget(obj)
        cache[name] = value
        return value


class ImportStringError(ImportError):
    """:func:`import_string` could not import the name it was given."""

    def __init__(self, import_name: str, exception: BaseException) -> None:
        self.import_name = import_name
        self.exception = exception
        super().__init__(f"import_string() failed for {import_name!r}: {exception}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.import_name!r}, {self.exception!r})>"


def import_string(import_name: str, silent: bool = False) -> t.Any:
    """Import an object from its dotted name: ``"pkg.mod.Class"`` or ``"pkg.mod:Class"``.

    :param import_name: a module name, or a module name and an attribute
        separated by ``.`` or ``:``.
    :param silent: return ``None`` instead of raising when the import fails.
    :raises ImportStringError: the module or attribute does not exist.
    """
    name = import_name.strip().replace(":", ".")
    try:
        try:
            return importlib.import_module(name)
        except ImportError as e:
            # Only "no module of that exact name" means "maybe an attribute";
            # an ImportError from inside the module is the real error.
            if "." not in name or e.name != name:
                raise
        module_name, _, obj_name = name.rpartition(".")
        module = importlib.import_module(module_name)
        try:
            return getattr(module, obj_name)
        except AttributeError as e:
            raise ImportError(e) from None
    except ImportError as e:
        if silent:
            return None
        raise ImportStringError(import_name, e) from e


def find_modules(
    import_path: str, include_packages: bool = False, recursive: bool = False
) -> t.Iterator[str]:
    """Yield the dotted names of the modules in the package ``import_path``.

    Handy for importing every module of a package, say to register the
    blueprints they define::

        for name in find_modules("myapp.views"):
            app.register_blueprint(import_string(name).bp)

    :param import_path: the dotted name of a package (it is imported).
    :param include_packages: also yield the names of subpackages.
    :param recursive: also yield the modules inside subpackages.
    :raises ValueError: ``import_path`` is a module, not a package.
    """
    import pkgutil

    package = import_string(import_path)
    search_path = getattr(package, "__path__", None)
    if search_path is None:
        raise ValueError(f"{import_path!r} is not a package")
    for info in pkgutil.iter_modules(search_path, prefix=f"{package.__name__}."):
        if not info.ispkg:
            yield info.name
            continue
        if include_packages:
            yield info.name
        if recursive:
            yield from find_modules(info.name, include_packages, recursive=True)


def append_slash_redirect(environ: WSGIEnvironment, code: int = 308) -> Response:
    """A redirect to the requested URL with a slash added to its path.

    The ``Location`` is relative and changes only the last segment: for
    ``/user/42?tab=1`` it is ``42/?tab=1``, which the browser resolves to
    ``/user/42/?tab=1``. The default 308 keeps the method and body.

    :param environ: the WSGI environ of the request (``request.environ``).
    :param code: the redirect status code.
    """
    from .helpers import redirect

    tail = environ["PATH_INFO"].rpartition("/")[2]
    location = f"{tail}/" if tail else "./"
    query = environ.get("QUERY_STRING")
    if query:
        location = f"{location}?{query}"
    return redirect(location, code)


_V = t.TypeVar("_V")


class _DictAccessorProperty(t.Generic[_V]):
    """A property stored under ``name`` in a mapping of the instance (see the subclasses)."""

    read_only = False

    def __init__(
        self,
        name: str,
        default: _V | None = None,
        load_func: Callable[[str], _V] | None = None,
        dump_func: Callable[[_V], str] | None = None,
        read_only: bool | None = None,
        doc: str | None = None,
    ) -> None:
        self.name = name
        self.default = default
        self.load_func = load_func
        self.dump_func = dump_func
        if read_only is not None:
            self.read_only = read_only
        self.__doc__ = doc

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        """The mapping the value lives in."""
        raise NotImplementedError

    @t.overload
    def __get__(self, instance: None, owner: type) -> _DictAccessorProperty[_V]: ...
    @t.overload
    def __get__(self, instance: t.Any, owner: type) -> _V: ...

    def __get__(self, instance: t.Any | None, owner: type | None = None) -> t.Any:
        if instance is None:
            return self
        storage = self.lookup(instance)
        if self.name not in storage:
            return self.default
        value = storage[self.name]
        if self.load_func is not None:
            try:
                return self.load_func(value)
            except (ValueError, TypeError):
                return self.default
        return value

    def __set__(self, instance: t.Any, value: _V) -> None:
        if self.read_only:
            raise AttributeError("read only property")
        self.lookup(instance)[self.name] = (
            self.dump_func(value) if self.dump_func is not None else value
        )

    def __delete__(self, instance: t.Any) -> None:
        if self.read_only:
            raise AttributeError("read only property")
        self.lookup(instance).pop(self.name, None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class header_property(_DictAccessorProperty[_V]):
    """A property backed by the header ``name`` of the instance's ``headers``.

    Reading gives ``default`` when the header is missing, or when ``load_func``
    fails on it with ValueError or TypeError; setting stores ``dump_func(value)``
    (or the value itself), deleting removes the header::

        class MyResponse(Response):
            request_id = header_property[str]("X-Request-Id", doc="The request id.")

    :param name: the header name.
    :param default: the value when the header is missing or cannot be loaded.
    :param load_func: converts the header's text to the value.
    :param dump_func: converts a value to the header's text.
    :param read_only: refuse setting and deleting.
    :param doc: the property's docstring.
    """

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        """The instance's ``headers``."""
        return t.cast("t.MutableMapping[str, t.Any]", instance.headers)


class environ_property(_DictAccessorProperty[_V]):
    """A read-only property backed by the key ``name`` of the instance's ``environ``.

    Takes :class:`header_property`'s arguments; it is read-only unless
    ``read_only=False`` is passed::

        class MyRequest(Request):
            tenant = environ_property[str]("myapp.tenant", default="public")
    """

    read_only = True

    def lookup(self, instance: t.Any) -> t.MutableMapping[str, t.Any]:
        """The instance's WSGI ``environ``."""
        return t.cast("t.MutableMapping[str, t.Any]", instance.environ)
