"""The app's configuration: a dict with ways to fill it from files, objects and the environment."""

from __future__ import annotations

import errno
import importlib
import json
import os
import types
import typing as t

__all__ = ["Config", "ConfigAttribute"]

T = t.TypeVar("T")

# A missing file (or a path that cannot be one) is what ``silent`` forgives.
_MISSING_FILE_ERRNOS = (errno.ENOENT, errno.EISDIR, errno.ENOTDIR)


class ConfigAttribute(t.Generic[T]):
    """An attribute that reads and writes a key of its owner's ``config``.

    .. code-block:: python

        class Vial:
            testing = ConfigAttribute[bool]("TESTING")

    :param name: the config key.
    :param get_converter: applied to the config value on reading.
    """

    def __init__(self, name: str, get_converter: t.Callable[[t.Any], T] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: type[t.Any] | None = None) -> ConfigAttribute[T]: ...

    @t.overload
    def __get__(self, obj: object, owner: type[t.Any] | None = None) -> T: ...

    def __get__(self, obj: t.Any, owner: type[t.Any] | None = None) -> t.Any:
        if obj is None:
            return self
        rv = obj.config[self.__name__]
        if self.get_converter is not None:
            rv = self.get_converter(rv)
        return rv

    def __set__(self, obj: t.Any, value: t.Any) -> None:
        obj.config[self.__name__] = value


def _import_string(import_name: str) -> t.Any:
    """Import ``"pkg.module"``, ``"pkg.module.attr"`` or ``"pkg.module:attr.attr"``."""
    if ":" in import_name:
        module_name, _, attr_path = import_name.partition(":")
    else:
        module_name, _, attr_path = import_name.rpartition(".")
        if not module_name:
            return importlib.import_module(import_name)
    obj: t.Any = importlib.import_module(module_name)
    for attr in attr_path.split("."):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            if not isinstance(obj, types.ModuleType):
                raise
            # A submodule its package does not import.
            full_name = f"{obj.__name__}.{attr}"
            try:
                obj = importlib.import_module(full_name)
            except ModuleNotFoundError as e:
                if e.name != full_name:
                    raise
                raise ImportError(
                    f"Module {obj.__name__!r} has no attribute or submodule {attr!r}.",
                    name=full_name,
                ) from None
    return obj


class Config(dict[str, t.Any]):
    """A dict of settings, with methods to load them from files, objects and the environment.

    Only upper-case keys are taken from objects, files and mappings, so
    lower-case names can hold helper values there.

    .. code-block:: python

        app.config.from_object("yourapp.default_settings")
        app.config.from_prefixed_env()

    :param root_path: the directory relative file names are resolved from;
        an app passes its ``root_path``.
    :param defaults: initial values.
    """

    def __init__(
        self, root_path: str | os.PathLike[str], defaults: dict[str, t.Any] | None = None
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load a Python config file named by an environment variable.

        Shorthand for ``config.from_pyfile(os.environ[variable_name])``.

        :param variable_name: the environment variable holding the file name.
        :param silent: return ``False`` instead of raising if the variable is
            unset or the file is missing.
        :return: ``True`` if a file was loaded.
        :raises RuntimeError: if the variable is unset (or empty).
        """
        filename = os.environ.get(variable_name)
        if not filename:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such"
                " configuration could not be loaded. Set this variable and make it"
                " point to a configuration file."
            )
        return self.from_pyfile(filename, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "VIAL", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Load environment variables whose names start with ``prefix`` and ``_``.

        ``VIAL_SECRET_KEY`` sets ``SECRET_KEY``. Values are passed through
        ``loads``, so ``VIAL_PORT=8000`` gives an int and ``VIAL_DEBUG=true`` a
        bool; a value ``loads`` rejects is kept as a string. A double
        underscore sets a nested key: ``VIAL_DB__HOST=x`` sets
        ``config["DB"]["HOST"]``, creating the dict if needed. Variables are
        applied in sorted order.

        :param prefix: the prefix, without its trailing underscore.
        :param loads: decodes each value.
        :return: always ``True``.
        """
        prefix = f"{prefix}_"
        for env_key in sorted(os.environ):
            if not env_key.startswith(prefix):
                continue
            value: t.Any = os.environ[env_key]
            try:
                value = loads(value)
            except Exception:
                pass  # Not in the format ``loads`` reads: keep the string.
            key = env_key[len(prefix) :]
            if "__" not in key:
                self[key] = value
                continue
            *parents, leaf = key.split("__")
            current: dict[str, t.Any] = self
            for part in parents:
                if part not in current:
                    current[part] = {}
                current = current[part]
            current[leaf] = value
        return True

    def _resolve(self, filename: str | os.PathLike[str]) -> str:
        return os.path.join(self.root_path, filename)

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file and load its upper-case globals.

        As in Flask, an :exc:`OSError` raised while the file runs (it opens
        another file that is missing, say) is treated as one reading it.

        :param filename: the file, absolute or relative to :attr:`root_path`.
        :param silent: return ``False`` instead of raising if the file (or a
            file it opens) is missing.
        :return: ``True`` if the file was loaded.
        :raises OSError: if the file cannot be read or run; the message says a
            configuration file could not be loaded.
        """
        path = self._resolve(filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, "rb") as f:
                source = f.read()
            exec(compile(source, path, "exec"), module.__dict__)
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Load the upper-case attributes of a module, class or other object.

        .. code-block:: python

            app.config.from_object("yourapp.default_config")

            class DevelopmentConfig:
                DEBUG = True

            app.config.from_object(DevelopmentConfig)

        :param obj: the object, or its import name (``"pkg.module"``,
            ``"pkg.module.Class"`` or ``"pkg.module:Class"``).
        :raises vial.utils.ImportStringError: the import name cannot be imported;
            its ``exception`` is the original error.
        """
        if isinstance(obj, str):
            import_name = obj
            try:
                obj = _import_string(import_name)
            except (ImportError, AttributeError) as e:
                from .utils import ImportStringError

                raise ImportStringError(import_name, e) from e
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with ``load`` and pass the mapping it returns to :meth:`from_mapping`.

        .. code-block:: python

            import json
            app.config.from_file("config.json", load=json.load)

            import tomllib
            app.config.from_file("config.toml", load=tomllib.load, text=False)

        :param filename: the file, absolute or relative to :attr:`root_path`.
        :param load: reads an open file and returns a mapping.
        :param silent: return ``False`` instead of raising if the file is
            missing.
        :param text: open the file in text mode (UTF-8) rather than binary.
        :return: ``True`` if the file was loaded.
        :raises OSError: if the file cannot be read; the message names it.
        """
        path = self._resolve(filename)
        try:
            if text:
                with open(path, encoding="utf-8") as f:
                    data = load(f)
            else:
                with open(path, "rb") as f:
                    data = load(f)
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(data)

    def from_mapping(self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any) -> bool:
        """Load the upper-case keys of a mapping and of the keyword arguments.

        :param mapping: a mapping of settings.
        :param kwargs: more settings; they win over ``mapping``.
        :return: always ``True``.
        """
        items: dict[str, t.Any] = {}
        if mapping is not None:
            items.update(mapping)
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """The settings whose keys start with ``namespace``, as a new dict.

        .. code-block:: python

            app.config["IMAGE_STORE_TYPE"] = "fs"
            app.config["IMAGE_STORE_PATH"] = "/var/app/images"
            app.config.get_namespace("IMAGE_STORE_")
            # {"type": "fs", "path": "/var/app/images"}

        :param namespace: the key prefix.
        :param lowercase: lower-case the resulting keys.
        :param trim_namespace: remove the prefix from the resulting keys.
        """
        rv: dict[str, t.Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            if lowercase:
                name = name.lower()
            rv[name] = value
        return rv

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
