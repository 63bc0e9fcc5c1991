"""The rule collection (:class:`Map`) and its per-request view (:class:`MapAdapter`)."""

from __future__ import annotations

import re
import threading
import typing as t
from types import MappingProxyType
from urllib.parse import urljoin

from ..exceptions import HTTPException, MethodNotAllowed, NotFound
from ._quoting import encode_query, quote_path
from .converters import DEFAULT_CONVERTERS, BaseConverter, ValidationError
from .exceptions import BuildError, RequestRedirect, WebsocketMismatch
from .matcher import Matcher, MatchResult, SlashRedirect
from .rules import Rule

if t.TYPE_CHECKING:
    from ..typing import WSGIEnvironment

_SLASHES_RE = re.compile("/{2,}")
_INVALID_SUBDOMAIN = "<invalid>"
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _scheme_for(scheme: str, websocket: bool) -> str:
    """The scheme of a URL to a rule: ws/wss for WebSocket rules, http/https for the
    others (a WebSocket request building an HTTP URL, say); other schemes are kept."""
    if websocket and scheme not in ("ws", "wss"):
        return "wss" if scheme == "https" else "ws"
    if not websocket and scheme in ("ws", "wss"):
        return "https" if scheme == "wss" else "http"
    return scheme


class _Redirect(Exception):
    """Internal: where a match should redirect, before it is turned into a URL.

    Either ``path`` (a percent-encoded path relative to the script root, in
    ``domain``) or ``rule`` with ``values`` for a ``redirect_to`` rule.
    """

    def __init__(
        self,
        path: str = "",
        domain: str | None = None,
        rule: Rule | None = None,
        values: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(path)
        self.path = path
        self.domain = domain
        self.rule = rule
        self.values = values


def _raise_for_seen(seen: list[Rule], method: str) -> t.NoReturn:
    """Raise 405 or WebsocketMismatch for rules that matched the path only."""
    allowed: set[str] = set()
    websocket_mismatch = False
    for rule in seen:
        if rule.methods is not None and method not in rule.methods:
            allowed.update(rule.methods)
        else:
            websocket_mismatch = True
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed))
    if websocket_mismatch:
        raise WebsocketMismatch()
    raise NotFound()  # pragma: no cover - seen is never empty here


def _without_default_port(host: str, scheme: str) -> str:
    """``host`` without its port when that is the scheme's default (``x:80`` for http)."""
    name, _, port = host.rpartition(":")
    if name and "]" not in port and port == _DEFAULT_PORTS.get(scheme):
        return name
    return host


def _query_text(query_args: t.Any) -> str:
    if not query_args:
        return ""
    if isinstance(query_args, str):
        return query_args
    if isinstance(query_args, bytes):
        return query_args.decode("latin-1")
    items = query_args.items(multi=True) if hasattr(query_args, "getlist") else query_args.items()
    return encode_query(items)


def _wsgi_text(value: str) -> str:
    """Undo WSGI's latin-1 transport of a path: the bytes are UTF-8."""
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


class Map:
    """All the URL rules of an application, compiled for matching on first use.

    :param rules: rules to add right away.
    :param default_subdomain: the subdomain of rules that do not name one.
    :param strict_slashes: the default of :attr:`Rule.strict_slashes`.
    :param merge_slashes: the default of :attr:`Rule.merge_slashes`.
    :param redirect_defaults: redirect a URL that spells out an argument's default
        value to the shorter rule that provides that default, and a URL that matched
        an ``alias`` rule to the endpoint's canonical rule.
    :param converters: extra converters, added to :attr:`default_converters`.
    :param sort_parameters: sort the query arguments of built URLs.
    :param sort_key: the key function used when sorting them.
    :param host_matching: match and build on the full host (``Rule(host=...)``)
        instead of the subdomain.
    """

    default_converters: t.Mapping[str, type[BaseConverter]] = MappingProxyType(
        dict(DEFAULT_CONVERTERS)
    )
    lock_class = threading.Lock

    def __init__(
        self,
        rules: t.Iterable[t.Any] | None = None,
        default_subdomain: str = "",
        strict_slashes: bool = True,
        merge_slashes: bool = True,
        redirect_defaults: bool = True,
        converters: t.Mapping[str, type[BaseConverter]] | None = None,
        sort_parameters: bool = False,
        sort_key: t.Callable[[tuple[str, t.Any]], t.Any] | None = None,
        host_matching: bool = False,
    ) -> None:
        self._rules: list[Rule] = []
        self._rules_by_endpoint: dict[t.Any, list[Rule]] = {}
        self._matcher: Matcher | None = None
        self._defaults_providers: dict[int, list[Rule]] = {}
        #: path -> method -> rule, for the static rules :meth:`match_path` returns as they
        #: are; empty until :meth:`update` (see :func:`_plain_static_rules`).
        self._plain_static: dict[str, dict[str, Rule]] = {}
        self._lock = self.lock_class()
        self.default_subdomain = default_subdomain
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.redirect_defaults = redirect_defaults
        self.host_matching = host_matching
        self.converters: dict[str, type[BaseConverter]] = dict(self.default_converters)
        if converters:
            self.converters.update(converters)
        self.sort_parameters = sort_parameters
        self.sort_key = sort_key
        for rule in rules or ():
            self.add(rule)

    # -- rules -------------------------------------------------------------------

    def add(self, rulefactory: t.Any) -> None:
        """Add a :class:`Rule` (or anything with ``get_rules(map)``) to the map."""
        for rule in rulefactory.get_rules(self):
            rule.bind(self)
            self._rules.append(rule)
            self._rules_by_endpoint.setdefault(rule.endpoint, []).append(rule)
        self._forget_compiled()

    def _forget_compiled(self) -> None:
        """Drop the compiled matcher and static table: rules were added or changed
        (:meth:`Rule.refresh`); the next match or build compiles them again."""
        self._matcher = None
        self._plain_static = {}

    def __iter__(self) -> t.Iterator[Rule]:
        return iter(self._rules)

    def iter_rules(self, endpoint: t.Any | None = None) -> t.Iterator[Rule]:
        """Iterate over all rules, or the rules of ``endpoint`` (KeyError if unknown)."""
        if endpoint is not None:
            return iter(self._rules_by_endpoint[endpoint])
        return iter(self._rules)

    def is_endpoint_expecting(self, endpoint: t.Any, *arguments: str) -> bool:
        """Whether some rule of ``endpoint`` takes all of ``arguments``."""
        wanted = set(arguments)
        return any(wanted <= rule.arguments for rule in self._rules_by_endpoint[endpoint])

    def update(self) -> Matcher:
        """Compile the rules for matching and building (done lazily after changes)."""
        with self._lock:
            matcher = self._matcher
            if matcher is not None:
                return matcher
            for rules in self._rules_by_endpoint.values():
                rules.sort(key=Rule.build_compare_key)
            providers: dict[int, list[Rule]] = {}
            for rules in self._rules_by_endpoint.values():
                for index, rule in enumerate(rules):
                    earlier = [r for r in rules[:index] if r.provides_defaults_for(rule)]
                    if earlier:
                        providers[id(rule)] = earlier
            self._defaults_providers = providers
            matcher = Matcher(self._rules)
            self._plain_static = _plain_static_rules(matcher, self.default_subdomain, providers)
            self._matcher = matcher
            return matcher

    # -- matching ----------------------------------------------------------------

    def _resolve(self, domain: str, path: str, method: str, websocket: bool) -> MatchResult:
        matcher = self._matcher or self.update()
        seen: list[Rule] = []
        try:
            result = matcher.match(domain, path, method, websocket, seen)
        except SlashRedirect:
            # The path is decoded: quote it, or "/a%3Fb" would redirect to "/a?b/".
            raise _Redirect(quote_path(path) + "/")
        if result is None:
            if "//" in path:
                merged = _SLASHES_RE.sub("/", path)
                try:
                    rule, _ = self._resolve(domain, merged, method, websocket)
                except HTTPException:
                    pass
                else:
                    if rule.merge_slashes:
                        raise _Redirect(quote_path(merged))
            if seen:
                _raise_for_seen(seen, method)
            raise NotFound()
        rule = result[0]
        if rule.redirect_to is not None:
            raise _Redirect(rule=rule, values=result[1])
        if rule.alias and self.redirect_defaults:
            self._redirect_alias(rule, result[1], method, domain, path)
        if self.redirect_defaults and self._defaults_providers:
            providers = self._defaults_providers.get(id(rule))
            if providers:
                values = result[1]
                for provider in providers:
                    if provider.suitable_for(values, method):
                        try:
                            built_domain, built_path = provider.build(values, False)
                        except ValidationError:  # pragma: no cover - defensive
                            continue
                        raise _Redirect(built_path, built_domain)
        return result

    def _redirect_alias(
        self, alias: Rule, values: dict[str, t.Any], method: str, domain: str, path: str
    ) -> None:
        for rule in self._rules_by_endpoint[alias.endpoint]:
            if rule.alias or not rule.suitable_for(values, method):
                continue
            built_domain, built_path = rule.build(values, False)
            if (built_domain, built_path) != (domain, path):
                raise _Redirect(built_path, built_domain)
            return

    def match_path(
        self,
        path: str,
        method: str,
        host: str = "",
        websocket: bool = False,
        *,
        subdomain: str | None = None,
        script_name: str = "",
        query_string: str = "",
    ) -> tuple[Rule, dict[str, t.Any]]:
        """Match one request without building a :class:`MapAdapter` (the app's fast path).

        :param path: the decoded path below the script root, starting with ``/``.
        :param method: the upper-case request method.
        :param host: with ``host_matching``, the request's host (lower case, without
            a default port); ignored otherwise.
        :param websocket: whether the request is a WebSocket handshake.
        :param subdomain: without ``host_matching``, the subdomain to match against;
            ``None`` means :attr:`default_subdomain`.
        :param script_name: prefixed to the ``new_url`` of redirects.
        :param query_string: appended to the ``new_url`` of redirects.
        :return: ``(rule, view_args)``; ``view_args`` is a fresh dict.
        :raises NotFound: no rule matches the path.
        :raises MethodNotAllowed: rules match the path, none allows ``method``.
        :raises WebsocketMismatch: only rules of the other kind match.
        :raises RequestRedirect: the client should go elsewhere; ``new_url`` is a
            path (``script_name`` + path + ``?query_string``), not an absolute URL,
            unless a ``redirect_to`` target was absolute.
        """
        if self.host_matching:
            domain = host
        else:
            domain = self.default_subdomain if subdomain is None else subdomain
        if not websocket and subdomain is None and not self.host_matching:
            # PERF: a static rule with nothing to redirect or fill in, the most common
            # match, is one lookup here, without _resolve (two calls less per request).
            by_method = self._plain_static.get(path)
            if by_method is not None:
                rule = by_method.get(method)
                if rule is not None:
                    return rule, {}
        try:
            return self._resolve(domain, path if path[:1] == "/" else "/" + path, method, websocket)
        except _Redirect as redirect:
            root = script_name.rstrip("/")
            if redirect.rule is not None:
                adapter = self.bind(
                    host or "localhost",
                    script_name or "/",
                    subdomain=None if self.host_matching else domain,
                )
                target = redirect.rule.redirect_target(adapter, redirect.values or {})
                raise RequestRedirect(urljoin(root + "/", target))
            url = root + redirect.path
            if query_string:
                url = f"{url}?{query_string}"
            raise RequestRedirect(url)

    # -- binding -----------------------------------------------------------------

    def bind(
        self,
        server_name: str,
        script_name: str | None = None,
        subdomain: str | None = None,
        url_scheme: str = "http",
        default_method: str = "GET",
        path_info: str | None = None,
        query_args: t.Any = None,
    ) -> MapAdapter:
        """Return a :class:`MapAdapter` for matching and building on ``server_name``.

        :param server_name: the host (``example.com`` or ``example.com:8080``).
        :param script_name: where the application is mounted; ``"/"`` by default.
        :param subdomain: the current subdomain; :attr:`default_subdomain` if ``None``.
        :param url_scheme: the scheme of external URLs.
        :param default_method: the method :meth:`MapAdapter.match` assumes.
        :param path_info: the path :meth:`MapAdapter.match` uses by default.
        :param query_args: the query kept on redirects (a string or a mapping).
        """
        server_name = server_name.lower()
        if self.host_matching:
            if subdomain is not None:
                raise RuntimeError("host matching is enabled and a subdomain was given")
        elif subdomain is None:
            subdomain = self.default_subdomain
        return MapAdapter(
            self,
            server_name,
            script_name if script_name is not None else "/",
            subdomain,
            url_scheme,
            path_info if path_info is not None else "/",
            default_method,
            query_args,
        )

    def bind_to_environ(
        self,
        environ: WSGIEnvironment | t.Any,
        server_name: str | None = None,
        subdomain: str | None = None,
    ) -> MapAdapter:
        """Like :meth:`bind`, with everything taken from a WSGI environ (or a request).

        Without ``server_name`` the request's host is used; with it (and no
        ``subdomain``) the subdomain is what the host has in front of it.
        """
        env: WSGIEnvironment = getattr(environ, "environ", environ)
        scheme = env.get("wsgi.url_scheme", "http")
        upgrade = env.get("HTTP_UPGRADE", "").lower() == "websocket"
        websocket = upgrade and "upgrade" in env.get("HTTP_CONNECTION", "").lower()
        if websocket:
            scheme = "wss" if scheme == "https" else "ws"
        host = env.get("HTTP_HOST")
        if not host:
            host = env.get("SERVER_NAME", "")
            port = env.get("SERVER_PORT")
            if port:
                host = f"{host}:{port}"
        host = _without_default_port(host.lower(), scheme)
        if server_name is None:
            server_name = host
        else:
            # SERVER_NAME = "example.com:443" under https names the host "example.com".
            server_name = _without_default_port(server_name.lower(), scheme)
        if subdomain is None and not self.host_matching:
            current = host.split(".")
            real = server_name.split(".")
            offset = -len(real)
            if current[offset:] != real:
                subdomain = _INVALID_SUBDOMAIN
            else:
                subdomain = ".".join(filter(None, current[:offset]))
        adapter = self.bind(
            server_name,
            _wsgi_text(env.get("SCRIPT_NAME", "")) or "/",
            subdomain,
            scheme,
            env.get("REQUEST_METHOD", "GET"),
            _wsgi_text(env.get("PATH_INFO", "")) or "/",
            env.get("QUERY_STRING", ""),
        )
        adapter.websocket = websocket
        return adapter

    def __repr__(self) -> str:
        from pprint import pformat  # pprint imports dataclasses: only for this repr

        return f"{type(self).__name__}({pformat(list(self.iter_rules()))})"


class MapAdapter:
    """A :class:`Map` bound to one server name, script root and scheme.

    Made by :meth:`Map.bind` or :meth:`Map.bind_to_environ`; use :meth:`match` and
    :meth:`build`.
    """

    def __init__(
        self,
        map: Map,
        server_name: str,
        script_name: str,
        subdomain: str | None,
        url_scheme: str,
        path_info: str,
        default_method: str,
        query_args: t.Any = None,
    ) -> None:
        self.map = map
        self.server_name = server_name
        self.script_name = script_name if script_name.endswith("/") else script_name + "/"
        self.subdomain = subdomain
        self.url_scheme = url_scheme
        self.path_info = path_info
        self.default_method = default_method
        self.query_args = query_args
        self.websocket = url_scheme in ("ws", "wss")

    def _domain(self) -> str:
        if self.map.host_matching:
            return self.server_name
        if self.subdomain == _INVALID_SUBDOMAIN:
            # The request's host is not under server_name: match nothing (Werkzeug
            # would let a "<sub>" rule match the text "<invalid>"). A slash is never
            # part of a subdomain, so no rule can match this.
            return "/"
        return self.subdomain or ""

    def get_host(self, domain_part: str | None) -> str:
        """The host for a rule's domain part (a host, or a subdomain joined to ours)."""
        if self.map.host_matching:
            return domain_part or self.server_name
        subdomain = self.subdomain if domain_part is None else domain_part
        return f"{subdomain}.{self.server_name}" if subdomain else self.server_name

    def _external(self, path: str, domain: str | None, query: str = "") -> str:
        url = f"{self.url_scheme}://{self.get_host(domain)}{self.script_name[:-1]}{path}"
        return f"{url}?{query}" if query else url

    def dispatch(
        self,
        view_func: t.Callable[[t.Any, dict[str, t.Any]], t.Any],
        path_info: str | None = None,
        method: str | None = None,
        catch_http_exceptions: bool = False,
    ) -> t.Any:
        """Match, then call ``view_func(endpoint, view_args)`` and return what it returns.

        A redirect the match asks for is returned (it is a response). With
        ``catch_http_exceptions``, an HTTP error from the match or the view is returned
        instead of raised, so the result can always be called as a WSGI app.
        """
        try:
            try:
                endpoint, args = self.match(path_info, method)
            except RequestRedirect as redirect:
                return redirect
            return view_func(endpoint, args)
        except HTTPException as error:
            if catch_http_exceptions:
                return error
            raise

    def match(
        self,
        path_info: str | None = None,
        method: str | None = None,
        return_rule: bool = False,
        query_args: t.Any = None,
        websocket: bool | None = None,
    ) -> tuple[t.Any, dict[str, t.Any]]:
        """Match a path and return ``(endpoint, view_args)`` (``(rule, ...)`` with
        ``return_rule``).

        :raises NotFound: nothing matches the path.
        :raises MethodNotAllowed: the path matches, but not for this method.
        :raises WebsocketMismatch: only rules of the other kind (HTTP / WebSocket) match.
        :raises RequestRedirect: the client should go to ``new_url`` (absolute).
        """
        path = self.path_info if path_info is None else path_info
        if path[:1] != "/":
            path = "/" + path
        method = (method or self.default_method).upper()
        if websocket is None:
            websocket = self.websocket
        try:
            rule, values = self.map._resolve(self._domain(), path, method, websocket)
        except _Redirect as redirect:
            query = _query_text(self.query_args if query_args is None else query_args)
            if redirect.rule is not None:
                target = redirect.rule.redirect_target(self, redirect.values or {})
                base = f"{self.url_scheme}://{self.get_host(None)}{self.script_name}"
                raise RequestRedirect(urljoin(base, target))
            raise RequestRedirect(self._external(redirect.path, redirect.domain, query))
        return (rule if return_rule else rule.endpoint), values

    def test(self, path_info: str | None = None, method: str | None = None) -> bool:
        """Whether ``path_info`` matches (a redirect counts as a match)."""
        try:
            self.match(path_info, method)
        except RequestRedirect:
            pass
        except HTTPException:
            return False
        return True

    def allowed_methods(self, path_info: str | None = None) -> list[str]:
        """The methods some rule allows for ``path_info`` (empty if none or any)."""
        try:
            self.match(path_info, method="--")
        except MethodNotAllowed as error:
            return list(error.valid_methods or ())
        except HTTPException:
            pass
        return []

    def build(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any] | None = None,
        method: str | None = None,
        force_external: bool = False,
        append_unknown: bool = True,
        url_scheme: str | None = None,
    ) -> str:
        """Build the URL of ``endpoint`` from ``values``.

        The result is a path including the script root, or an absolute URL when
        ``force_external`` is set, when the rule's host / subdomain is not the bound
        one, or when the scheme differs (WebSocket rules build ``ws``/``wss`` URLs).
        Values that are not rule arguments become the query string (lists become
        repeated keys; ``None`` values are dropped).

        :raises BuildError: no rule of the endpoint fits the values and method.
        """
        self.map._matcher or self.map.update()
        if values:
            if hasattr(values, "getlist"):
                multi = t.cast(t.Any, values)
                cleaned: dict[str, t.Any] = {}
                for key in multi:
                    items = [item for item in multi.getlist(key) if item is not None]
                    if items:
                        cleaned[key] = items[0] if len(items) == 1 else items
            else:
                cleaned = {key: value for key, value in values.items() if value is not None}
        else:
            cleaned = {}
        built = self._partial_build(endpoint, cleaned, method, append_unknown)
        if built is None:
            raise BuildError(endpoint, cleaned, method, self)
        domain, path, websocket = built
        scheme = _scheme_for(url_scheme or self.url_scheme, websocket)
        host = self.get_host(domain)
        if (
            not force_external
            and scheme == _scheme_for(self.url_scheme, websocket)
            and (self.websocket or not websocket)
            and host == self.get_host(None)
        ):
            return f"{self.script_name[:-1]}{path}"
        return f"{scheme}://{host}{self.script_name[:-1]}{path}"

    def _partial_build(
        self,
        endpoint: t.Any,
        values: dict[str, t.Any],
        method: str | None,
        append_unknown: bool,
    ) -> tuple[str, str, bool] | None:
        if method is None:
            built = self._partial_build(endpoint, values, self.default_method, append_unknown)
            if built is not None:
                return built
        # The first rule that builds; with host matching, the first for the bound host
        # (an endpoint served on several hosts builds a path on each), else the first.
        host_matching = self.map.host_matching
        first: tuple[str, str, bool] | None = None
        for rule in self.map._rules_by_endpoint.get(endpoint, ()):
            if rule.suitable_for(values, method):
                try:
                    domain, path = rule.build(values, append_unknown)
                except ValidationError:
                    continue
                if not host_matching or domain == self.server_name:
                    return domain, path, rule.websocket
                if first is None:
                    first = domain, path, rule.websocket
        return first


def _plain_static_rules(
    matcher: Matcher, domain: str, defaults_providers: dict[int, list[Rule]]
) -> dict[str, dict[str, Rule]]:
    """For the static HTTP rules of ``domain``: path -> method -> the rule that
    :meth:`Map.match_path` would return as it is, with no view arguments.

    A method is left out when its first rule has defaults, redirects, is an alias or
    has a rule providing its defaults (each may redirect), so that the full match
    decides; a rule for every method (``methods=None``) ends the table for its path.
    """
    table: dict[str, dict[str, Rule]] = {}
    for path, by_domain in matcher.static.items():
        by_method: dict[str, Rule] = {}
        taken: set[str] = set()
        for rule in by_domain.get(domain, ()):
            if rule.websocket:
                continue
            if rule.methods is None:
                break
            plain = not (
                rule.defaults
                or rule.redirect_to is not None
                or rule.alias
                or id(rule) in defaults_providers
            )
            for method in rule.methods:
                if method not in taken:
                    taken.add(method)
                    if plain:
                        by_method[method] = rule
        if by_method:
            table[path] = by_method
    return table
