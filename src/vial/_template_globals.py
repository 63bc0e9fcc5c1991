"""Template globals as real dicts, for the app's Jinja environment.

Jinja gives each template a :class:`collections.ChainMap` of its own globals over
the environment's, and copies it into a new dict on every render, one Python
``__getitem__`` call (and a caught KeyError) per name: about 10 µs per render
with Flask's twelve globals. Here the environment's globals are a dict that
passes each change on to the templates' globals, which are dicts holding the
merged names; Jinja's copy is then done in C. The lookup rules are ChainMap's:
a template's own value wins, and changes to the environment's globals show in
every template unless the template has its own value for that name.
"""

from __future__ import annotations

import typing as t
import weakref

_MISSING: t.Any = object()


class _ItemwiseDict(dict[str, t.Any]):
    """A dict whose bulk updates go through ``__setitem__`` (where subclasses act)."""

    def update(self, *args: t.Any, **kwargs: t.Any) -> None:
        """Set every given name (as :meth:`dict.update`)."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: t.Any) -> _ItemwiseDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        """The value of ``key``, set to ``default`` first when missing."""
        if key not in self:
            self[key] = default
        return self[key]


class EnvironmentGlobals(_ItemwiseDict):
    """``jinja_env.globals``: a dict that keeps the templates' globals up to date."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        # Weak references by id: dicts are unhashable, and equal contents must not merge.
        self._templates: dict[int, weakref.ref[TemplateGlobals]] = {}

    def _follow(self, template_globals: TemplateGlobals) -> None:
        key = id(template_globals)
        templates = self._templates
        templates[key] = weakref.ref(template_globals, lambda _: templates.pop(key, None))

    def _changed(self, key: str) -> None:
        value = dict.get(self, key, _MISSING)
        for reference in list(self._templates.values()):
            template_globals = reference()
            if template_globals is not None:
                template_globals._environment_changed(key, value)

    def __setitem__(self, key: str, value: t.Any) -> None:
        super().__setitem__(key, value)
        self._changed(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed(key)

    def pop(self, key: str, default: t.Any = _MISSING) -> t.Any:
        """Remove ``key`` and return its value (or ``default``)."""
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, t.Any]:
        """Remove and return the last ``(name, value)``."""
        key, value = super().popitem()
        self._changed(key)
        return key, value

    def clear(self) -> None:
        """Remove every name."""
        keys = list(self)
        super().clear()
        for key in keys:
            self._changed(key)


class TemplateGlobals(_ItemwiseDict):
    """One template's globals: its own names over the environment's (see the module)."""

    def __init__(
        self, environment: EnvironmentGlobals, own: t.Mapping[str, t.Any] | None = None
    ) -> None:
        super().__init__(environment)
        self._own: dict[str, t.Any] = dict(own or {})
        super().update(self._own)
        environment._follow(self)
        self._environment = environment

    @property
    def maps(self) -> list[t.MutableMapping[str, t.Any]]:
        """ChainMap's view: the template's own names, then the environment's."""
        return [self._own, self._environment]

    def _environment_changed(self, key: str, value: t.Any) -> None:
        if key in self._own:
            return
        if value is _MISSING:
            super().pop(key, None)
        else:
            super().__setitem__(key, value)

    def __setitem__(self, key: str, value: t.Any) -> None:
        self._own[key] = value
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        # As ChainMap: only the template's own names can be deleted.
        try:
            del self._own[key]
        except KeyError:
            raise KeyError(f"Key not found in the first mapping: {key!r}") from None
        value = dict.get(self._environment, key, _MISSING)
        if value is _MISSING:
            super().__delitem__(key)
        else:
            super().__setitem__(key, value)

    def pop(self, key: str, default: t.Any = _MISSING) -> t.Any:
        """Remove the template's own ``key`` and return its value (or ``default``)."""
        if key in self._own:
            value = self._own[key]
            del self[key]
            return value
        if default is _MISSING:
            raise KeyError(f"Key not found in the first mapping: {key!r}")
        return default

    def popitem(self) -> tuple[str, t.Any]:
        """Remove and return the template's last own ``(name, value)``."""
        if not self._own:
            raise KeyError("No keys found in the first mapping.")
        key = next(reversed(self._own))
        return key, self.pop(key)

    def clear(self) -> None:
        """Remove the template's own names (the environment's stay, as in ChainMap)."""
        for key in list(self._own):
            del self[key]
