"""Small helpers Flask apps import from Werkzeug: :func:`secure_filename`,
:class:`cached_property`, :func:`import_string`."""

from __future__ import annotations

import importlib
import re
import typing as t
from collections.abc import Callable
from unicodedata import normalize

__all__ = ["ImportStringError", "cached_property", "import_string", "secure_filename"]

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
