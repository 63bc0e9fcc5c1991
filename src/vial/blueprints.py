"""Blueprints: groups of routes, hooks and template helpers registered on an app later.

A blueprint records what is done to it and replays it on each app it is
registered on, with its URL prefix, subdomain and name applied::

    bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

    @bp.route("/")
    def index():
        return render_template("admin/index.html")

    app.register_blueprint(bp)   # endpoint "admin.index" at /admin/
"""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict
from functools import update_wrapper

from .scaffold import Scaffold, _endpoint_from_view_func, _sentinel, setupmethod

if t.TYPE_CHECKING:
    from .app import Vial
    from .typing import (
        AfterRequestCallable,
        BeforeRequestCallable,
        ErrorHandlerCallable,
        TeardownCallable,
        TemplateContextProcessorCallable,
        URLDefaultCallable,
        URLValuePreprocessorCallable,
    )

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]
T_after_request = t.TypeVar("T_after_request", bound="AfterRequestCallable")
T_before_request = t.TypeVar("T_before_request", bound="BeforeRequestCallable")
T_error_handler = t.TypeVar("T_error_handler", bound="ErrorHandlerCallable")
T_teardown = t.TypeVar("T_teardown", bound="TeardownCallable")
T_template_context_processor = t.TypeVar(
    "T_template_context_processor", bound="TemplateContextProcessorCallable"
)
T_template_filter = t.TypeVar("T_template_filter", bound=t.Callable[..., t.Any])
T_template_global = t.TypeVar("T_template_global", bound=t.Callable[..., t.Any])
T_template_test = t.TypeVar("T_template_test", bound=t.Callable[..., bool])
T_url_defaults = t.TypeVar("T_url_defaults", bound="URLDefaultCallable")
T_url_value_preprocessor = t.TypeVar(
    "T_url_value_preprocessor", bound="URLValuePreprocessorCallable"
)


class BlueprintSetupState:
    """What a blueprint's deferred functions receive when it is registered on an app.

    :param blueprint: the blueprint being registered.
    :param app: the app it is registered on.
    :param options: the keyword arguments given to :meth:`~vial.Vial.register_blueprint`.
    :param first_registration: whether this is the first time this blueprint is
        registered on this app (:meth:`Blueprint.record_once` functions run only then).
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: Vial,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = self.options.get("subdomain")
        if subdomain is None:
            subdomain = self.blueprint.subdomain
        #: The subdomain the blueprint's rules match (``None``: the app's default).
        self.subdomain: str | None = subdomain
        url_prefix = self.options.get("url_prefix")
        if url_prefix is None:
            url_prefix = self.blueprint.url_prefix
        #: The prefix of the blueprint's rules.
        self.url_prefix: str | None = url_prefix
        #: The name the blueprint is registered under (``name=`` or its own).
        self.name: str = self.options.get("name", blueprint.name)
        #: The dotted name of the parent blueprints, for a nested blueprint.
        self.name_prefix: str = self.options.get("name_prefix", "")
        #: Default values for the URL variables of every rule of the blueprint.
        self.url_defaults: dict[str, t.Any] = dict(self.blueprint.url_values_defaults)
        self.url_defaults.update(self.options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        """Register a rule on the app with the blueprint's prefix, subdomain, name and defaults."""
        if self.url_prefix is not None:
            if rule:
                rule = "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
            else:
                rule = self.url_prefix
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


class Blueprint(Scaffold):
    """A set of routes, hooks, error handlers and template helpers to register on an app.

    :param name: the blueprint's name, the prefix of its endpoints (no dots).
    :param import_name: the blueprint's module, usually ``__name__``; its folder is
        the base of relative ``static_folder`` and ``template_folder`` paths.
    :param static_folder: a folder of static files served at ``static_url_path``
        (endpoint ``<name>.static``).
    :param static_url_path: the URL of the static files (the folder's name by
        default, under ``url_prefix``).
    :param template_folder: a folder of templates, searched after the app's.
    :param url_prefix: a path put in front of every rule of the blueprint.
    :param subdomain: the subdomain the blueprint's rules match.
    :param url_defaults: default values of URL variables for every rule.
    :param root_path: the blueprint's folder, when ``import_name`` cannot give it.
    :param cli_group: the name of the blueprint's command group.
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []
        self.url_values_defaults: dict[str, t.Any] = url_defaults if url_defaults else {}
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}'. It has already been registered at least once, any"
                " changes will not be applied consistently.\n"
                "Make sure all imports, decorators, functions, etc. needed to set up"
                " the blueprint are done before registering it."
            )

    # -- registration ---------------------------------------------------------------------------

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call ``func(state)`` each time the blueprint is registered on an app.

        ``state`` is a :class:`BlueprintSetupState`.
        """
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Like :meth:`record`, but only on the first registration on each app."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(update_wrapper(wrapper, func))

    def make_setup_state(
        self, app: Vial, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """The :class:`BlueprintSetupState` handed to the deferred functions; overridable."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one: it is registered (as ``<this>.<name>``) with it.

        Takes the options of :meth:`~vial.Vial.register_blueprint`; URL prefixes and
        subdomains are joined with this blueprint's.
        """
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._blueprints.append((blueprint, options))

    def register(self, app: Vial, options: dict[str, t.Any]) -> None:
        """Register the blueprint on ``app``; called by :meth:`~vial.Vial.register_blueprint`.

        :param options: ``url_prefix``, ``subdomain``, ``url_defaults`` and ``name``
            override the blueprint's own values for this registration.
        :raises ValueError: when the name is already registered on the app.
        """
        name_prefix = options.get("name_prefix", "")
        self_name = options.get("name", self.name)
        name = f"{name_prefix}.{self_name}".lstrip(".")
        if name in app.blueprints:
            bp_desc = "this" if app.blueprints[name] is self else "a different"
            existing_at = f" '{name}'" if self_name != name else ""
            raise ValueError(
                f"The name '{self_name}' is already registered for"
                f" {bp_desc} blueprint{existing_at}. Use 'name=' to"
                " provide a unique name."
            )
        first_bp_registration = not any(bp is self for bp in app.blueprints.values())
        first_name_registration = name not in app.blueprints
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_bp_registration)
        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        if first_bp_registration or first_name_registration:
            self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        if self._cli is not None and self._cli.commands:
            self._register_cli(app, self_name, options.get("cli_group", self.cli_group))
        for blueprint, bp_options in self._blueprints:
            blueprint.register(app, self._nested_options(state, blueprint, bp_options, name))

    def _register_cli(self, app: Vial, name: str, cli_group: str | None) -> None:
        """Add the blueprint's commands to ``app.cli``: as the group ``cli_group`` (the
        blueprint's name by default), or directly when ``cli_group`` is None."""
        group = self.cli
        if cli_group is None:
            app.cli.commands.update(group.commands)
            return
        group.name = name if cli_group is _sentinel else cli_group
        app.cli.add_command(group)

    @staticmethod
    def _nested_options(
        state: BlueprintSetupState,
        blueprint: Blueprint,
        options: dict[str, t.Any],
        name: str,
    ) -> dict[str, t.Any]:
        """A nested blueprint's options: its subdomain and prefix joined to its parent's."""
        options = options.copy()
        subdomain = options.get("subdomain")
        if subdomain is None:
            subdomain = blueprint.subdomain
        if state.subdomain is not None and subdomain is not None:
            options["subdomain"] = f"{subdomain}.{state.subdomain}"
        elif subdomain is not None:
            options["subdomain"] = subdomain
        elif state.subdomain is not None:
            options["subdomain"] = state.subdomain
        url_prefix = options.get("url_prefix")
        if url_prefix is None:
            url_prefix = blueprint.url_prefix
        if state.url_prefix is not None and url_prefix is not None:
            options["url_prefix"] = f"{state.url_prefix.rstrip('/')}/{url_prefix.lstrip('/')}"
        elif url_prefix is not None:
            options["url_prefix"] = url_prefix
        elif state.url_prefix is not None:
            options["url_prefix"] = state.url_prefix
        options["name_prefix"] = name
        return options

    def _merge_blueprint_funcs(self, app: Vial, name: str) -> None:
        """Copy the blueprint's hooks and handlers into the app's dicts under ``name``."""

        def extend(bp_dict: dict[str | None, list[t.Any]], app_dict: t.Any) -> None:
            for key, values in bp_dict.items():
                key = name if key is None else f"{name}.{key}"
                app_dict.setdefault(key, []).extend(values)

        for key, spec in self.error_handler_spec.items():
            key = name if key is None else f"{name}.{key}"
            app.error_handler_spec[key] = defaultdict(
                dict, {code: dict(handlers) for code, handlers in spec.items()}
            )
        for endpoint, func in self.view_functions.items():
            app.view_functions[endpoint] = func
        extend(self.before_request_funcs, app.before_request_funcs)
        extend(self.after_request_funcs, app.after_request_funcs)
        extend(self.teardown_request_funcs, app.teardown_request_funcs)
        extend(self.url_default_functions, app.url_default_functions)
        extend(self.url_value_preprocessors, app.url_value_preprocessors)
        extend(self.template_context_processors, app.template_context_processors)
        extend(self.before_websocket_funcs, app.before_websocket_funcs)

    # -- routes ---------------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule to register on the app as ``<blueprint>.<endpoint>``; see ``route``."""
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func and hasattr(view_func, "__name__") and "." in view_func.__name__:
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        self.record(
            lambda s: s.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    # -- template helpers, registered on the app ----------------------------------------------

    @t.overload
    def app_template_filter(self, name: T_template_filter) -> T_template_filter: ...
    @t.overload
    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]: ...
    @setupmethod
    def app_template_filter(
        self, name: T_template_filter | str | None = None
    ) -> T_template_filter | t.Callable[[T_template_filter], T_template_filter]:
        """Register the decorated function as a Jinja filter of the app (all templates)."""
        if callable(name):
            self.add_app_template_filter(name)
            return name

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_filter`."""

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.filters[name or f.__name__] = f

        self.record_once(register_template)

    @t.overload
    def app_template_test(self, name: T_template_test) -> T_template_test: ...
    @t.overload
    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]: ...
    @setupmethod
    def app_template_test(
        self, name: T_template_test | str | None = None
    ) -> T_template_test | t.Callable[[T_template_test], T_template_test]:
        """Register the decorated function as a Jinja test of the app (all templates)."""
        if callable(name):
            self.add_app_template_test(name)
            return name

        def decorator(f: T_template_test) -> T_template_test:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_test`."""

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.tests[name or f.__name__] = f

        self.record_once(register_template)

    @t.overload
    def app_template_global(self, name: T_template_global) -> T_template_global: ...
    @t.overload
    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]: ...
    @setupmethod
    def app_template_global(
        self, name: T_template_global | str | None = None
    ) -> T_template_global | t.Callable[[T_template_global], T_template_global]:
        """Register the decorated function as a global of every template of the app."""
        if callable(name):
            self.add_app_template_global(name)
            return name

        def decorator(f: T_template_global) -> T_template_global:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        """Non-decorator form of :meth:`app_template_global`."""

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.globals[name or f.__name__] = f

        self.record_once(register_template)

    # -- app-wide hooks -------------------------------------------------------------------------

    @setupmethod
    def before_app_request(self, f: T_before_request) -> T_before_request:
        """Like :meth:`before_request`, for every request of the app."""
        self.record_once(lambda s: s.app.before_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def after_app_request(self, f: T_after_request) -> T_after_request:
        """Like :meth:`after_request`, for every request of the app."""
        self.record_once(lambda s: s.app.after_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def teardown_app_request(self, f: T_teardown) -> T_teardown:
        """Like :meth:`teardown_request`, for every request of the app."""
        self.record_once(lambda s: s.app.teardown_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_context_processor(
        self, f: T_template_context_processor
    ) -> T_template_context_processor:
        """Like :meth:`context_processor`, for every template of the app."""
        self.record_once(lambda s: s.app.template_context_processors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_errorhandler(
        self, code: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Like :meth:`errorhandler`, for errors anywhere in the app."""

        def decorator(f: T_error_handler) -> T_error_handler:
            def from_blueprint(state: BlueprintSetupState) -> None:
                state.app.errorhandler(code)(f)

            self.record_once(from_blueprint)
            return f

        return decorator

    @setupmethod
    def app_url_value_preprocessor(self, f: T_url_value_preprocessor) -> T_url_value_preprocessor:
        """Like :meth:`url_value_preprocessor`, for every request of the app."""
        self.record_once(lambda s: s.app.url_value_preprocessors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Like :meth:`url_defaults`, for every URL the app builds."""
        self.record_once(lambda s: s.app.url_default_functions.setdefault(None, []).append(f))
        return f
