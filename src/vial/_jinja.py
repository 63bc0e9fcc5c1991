"""The Jinja2 environment and loader of an app.

This module imports :mod:`jinja2`, so it is loaded only when an app first
needs its template environment; :mod:`vial.templating` re-exports its names
lazily, which keeps ``import vial`` free of Jinja.
"""

from __future__ import annotations

import os
import typing as t

import jinja2
from jinja2 import BaseLoader, FileSystemLoader, TemplateNotFound, TemplatesNotFound

from ._template_globals import EnvironmentGlobals, TemplateGlobals
from .globals import _cv_contexts

if t.TYPE_CHECKING:
    from .app import Vial
    from .scaffold import Scaffold

_SourceTriple = tuple[str, "str | None", "t.Callable[[], bool] | None"]


class Environment(jinja2.Environment):
    """The Jinja environment of an app (:attr:`Vial.jinja_env`).

    Unless ``loader`` is given, templates are found through the app's
    :meth:`~vial.Vial.create_global_jinja_loader`: the app's template folder
    first, then each blueprint's. The app is available as :attr:`app`.
    """

    def __init__(self, app: Vial, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app
        self.globals = EnvironmentGlobals(self.globals)

    def make_globals(self, d: t.MutableMapping[str, t.Any] | None) -> t.MutableMapping[str, t.Any]:
        """A template's own globals over the environment's (:mod:`vial._template_globals`)."""
        if isinstance(self.globals, EnvironmentGlobals):
            return TemplateGlobals(self.globals, d)
        return super().make_globals(d)  # globals replaced by a plain dict: Jinja's ChainMap

    def select_template(
        self,
        names: t.Iterable[str | jinja2.Template],
        parent: str | None = None,
        globals: t.MutableMapping[str, t.Any] | None = None,
    ) -> jinja2.Template:
        """Jinja's ``select_template``; when none is found, the error names the folders searched."""
        try:
            return super().select_template(names, parent, globals)
        except TemplatesNotFound as error:
            loader = self.loader
            if not isinstance(loader, DispatchingJinjaLoader):
                raise
            message = f"{error.message}\n{loader.describe_search()}"
            raise TemplatesNotFound(t.cast("list[str]", error.templates), message) from None


def _describe_loader(loader: BaseLoader) -> list[str]:
    """The folders (or a description) a loader searches."""
    if isinstance(loader, FileSystemLoader):
        return [os.path.abspath(path) for path in loader.searchpath]
    root = getattr(loader, "_template_root", None)  # jinja2.PackageLoader
    if isinstance(root, str):
        return [root]
    return [repr(loader)]


def _describe_owner(owner: Scaffold) -> str:
    from .app import Vial

    if isinstance(owner, Vial):
        return f"application {owner.import_name!r}"
    return f"blueprint {owner.name!r} ({owner.import_name})"


class DispatchingJinjaLoader(BaseLoader):
    """Looks for a template in the app's loader, then in each blueprint's, in registration order.

    With ``EXPLAIN_TEMPLATE_LOADING`` set, every lookup is explained on the
    app's logger (info level). A template that no loader has raises
    :class:`jinja2.TemplateNotFound` with a message naming every folder searched.
    """

    def __init__(self, app: Vial) -> None:
        self.app = app

    def get_source(self, environment: jinja2.Environment, template: str) -> _SourceTriple:
        """The source of ``template`` from the first loader that has it."""
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _owner, loader in self._iter_loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise self._not_found(template)

    def _get_source_explained(
        self, environment: jinja2.Environment, template: str
    ) -> _SourceTriple:
        attempts: list[tuple[Scaffold, BaseLoader, _SourceTriple | None]] = []
        found: _SourceTriple | None = None
        for owner, loader in self._iter_loaders():
            try:
                result: _SourceTriple | None = loader.get_source(environment, template)
            except TemplateNotFound:
                result = None
            if found is None:
                found = result
            attempts.append((owner, loader, result))
        self._explain(template, attempts)
        if found is None:
            raise self._not_found(template)
        return found

    def _explain(
        self, template: str, attempts: list[tuple[Scaffold, BaseLoader, _SourceTriple | None]]
    ) -> None:
        lines = [f"Locating template {template!r}:"]
        matches = 0
        for index, (owner, loader, result) in enumerate(attempts, 1):
            lines.append(f"{index:5}: trying loader of {_describe_owner(owner)}")
            lines.append(f"       class: {type(loader).__module__}.{type(loader).__name__}")
            for folder in _describe_loader(loader):
                lines.append(f"       searchpath: {folder}")
            if result is None:
                lines.append("       -> no match")
            else:
                matches += 1
                lines.append(f"       -> found ({result[1] or '<string>'!r})")
        if matches == 0:
            lines.append("Error: the template could not be found.")
            req_ctx = _cv_contexts.get()[1]
            blueprint = req_ctx.request.blueprint if req_ctx is not None else None
            if blueprint is not None and blueprint in self.app.blueprints:
                bp = self.app.blueprints[blueprint]
                if bp.template_folder is None:
                    lines.append(
                        f"  The template was looked up from an endpoint of the blueprint"
                        f" {blueprint!r}, which has no template folder; templates of a"
                        " blueprint are found only when it sets 'template_folder'."
                    )
                else:
                    lines.append(
                        f"  The template was looked up from an endpoint of the blueprint"
                        f" {blueprint!r}. Is the template in the right folder? Every"
                        " folder above is searched for the same name, so a blueprint's"
                        " templates usually sit in a subfolder named after it."
                    )
        elif matches > 1:
            lines.append("Warning: more than one loader has this template; the first one is used.")
        self.app.logger.info("\n".join(lines))

    def _iter_loaders(self) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        app = self.app
        loader = app.jinja_loader
        if loader is not None:
            yield app, loader
        for blueprint in app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def describe_search(self) -> str:
        """Lines naming each folder searched and whose it is (for error messages)."""
        lines: list[str] = []
        seen: set[int] = set()
        for owner, loader in self._iter_loaders():
            if id(loader) in seen:  # a blueprint registered under two names
                continue
            seen.add(id(loader))
            for folder in _describe_loader(loader):
                lines.append(f"  {folder} ({_describe_owner(owner)})")
        if not lines:
            return "No template folder is configured (the app and its blueprints have none)."
        return "Searched:\n" + "\n".join(lines)

    def _not_found(self, template: str) -> TemplateNotFound:
        message = f"Template {template!r} was not found.\n{self.describe_search()}"
        return TemplateNotFound(template, message)

    def list_templates(self) -> list[str]:
        """Every template name any loader knows, once each."""
        names: set[str] = set()
        for _owner, loader in self._iter_loaders():
            names.update(loader.list_templates())
        return sorted(names)
