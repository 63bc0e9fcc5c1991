"""URL rules: one pattern such as ``/users/<int:id>``, its endpoint and options."""

from __future__ import annotations

import re
import typing as t

from ._quoting import encode_query, quote_path
from .converters import BaseConverter, parse_converter_args

if t.TYPE_CHECKING:
    from .map import Map, MapAdapter

_PLACEHOLDER_RE = re.compile(
    r"""
    <
    (?:
        (?P<converter>[A-Za-z_][A-Za-z0-9_]*)
        (?:\((?P<args>.*?)\))?
        \s*:\s*
    )?
    (?P<variable>[A-Za-z_][A-Za-z0-9_]*)
    \s*>
    """,
    re.VERBOSE,
)
_SLASHES_RE = re.compile("/{2,}")


class _ConverterNotFound(LookupError, ValueError):
    """The rule names a converter the map does not know."""


class _Var:
    """A converter placeholder inside a rule, after binding."""

    __slots__ = ("converter", "name")

    def __init__(self, name: str, converter: BaseConverter) -> None:
        self.name = name
        self.converter = converter


# A parsed placeholder before binding: (converter name or None, argument text, variable).
_Token = str | tuple[str | None, str | None, str]
# A part after binding: literal text or a converter placeholder.
Part = str | _Var


def _tokenize(text: str, what: str) -> list[_Token]:
    """Split a rule (or host / subdomain pattern) into literals and placeholders."""
    tokens: list[_Token] = []
    pos = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        if match.start() > pos:
            tokens.append(text[pos : match.start()])
        tokens.append((match.group("converter"), match.group("args"), match.group("variable")))
        pos = match.end()
    if pos < len(text):
        tokens.append(text[pos:])
    for token in tokens:
        if isinstance(token, str) and ("<" in token or ">" in token):
            raise ValueError(f"malformed {what} {text!r}: unbalanced '<' or '>' near {token!r}")
    return tokens


class Rule:
    """One URL pattern and what it leads to.

    :param string: the pattern, starting with ``/``; placeholders are ``<name>``,
        ``<converter:name>`` or ``<converter(args):name>``.
    :param defaults: values for arguments the URL does not contain; another rule of
        the same endpoint that has them in the URL redirects here for these values.
    :param subdomain: the subdomain pattern (when the map is not host matching).
    :param methods: the HTTP methods allowed; ``None`` allows all. ``HEAD`` is added
        when ``GET`` is present.
    :param build_only: only used to build URLs, never matched.
    :param endpoint: what :meth:`MapAdapter.match` returns; anything hashable.
    :param strict_slashes: redirect ``/x`` to ``/x/`` for a rule ending in a slash
        (``True``), or accept both spellings (``False``). ``None`` takes the map's.
    :param merge_slashes: redirect URLs with ``//`` to the merged form; ``None``
        takes the map's.
    :param redirect_to: a URL pattern (placeholders filled from the matched values)
        or a callable ``(adapter, **values) -> str``; matching redirects there.
    :param alias: another URL for the endpoint: other rules are built before this
        one, and with the map's ``redirect_defaults`` a match redirects to the URL of
        the first rule of the endpoint that is not an alias.
    :param host: the host pattern (when the map is host matching).
    :param websocket: match WebSocket requests only (HTTP requests otherwise).
    """

    def __init__(
        self,
        string: str,
        defaults: t.Mapping[str, t.Any] | None = None,
        subdomain: str | None = None,
        methods: t.Iterable[str] | None = None,
        build_only: bool = False,
        endpoint: t.Any = None,
        strict_slashes: bool | None = None,
        merge_slashes: bool | None = None,
        redirect_to: str | t.Callable[..., str] | None = None,
        alias: bool = False,
        host: str | None = None,
        websocket: bool = False,
    ) -> None:
        self.rule = string
        self.map: Map = None  # type: ignore[assignment]
        self.strict_slashes = strict_slashes
        self.merge_slashes = merge_slashes
        self.subdomain = subdomain
        self.host = host
        self.defaults = dict(defaults) if defaults is not None else None
        self.build_only = build_only
        self.alias = alias
        self.websocket = websocket
        self.endpoint = endpoint
        self.redirect_to = redirect_to
        self.provide_automatic_options = False
        if isinstance(methods, str):
            raise TypeError("'methods' should be a list of strings, not a string")
        self.methods: set[str] | None = None if methods is None else set(methods)
        self._parse()
        # Filled by compile():
        self._converters: dict[str, BaseConverter] = {}
        self._domain_parts: list[Part] = []
        self._path_parts: list[Part] = []
        self._static_path: str | None = None
        self._static_domain: str | None = None

    def _parse(self) -> None:
        """Derive what the pattern, methods and defaults determine (from __init__ and refresh)."""
        string = self.rule
        if not isinstance(string, str) or not string.startswith("/"):
            raise ValueError(f"URL rule {string!r} must start with a slash ('/')")
        self.is_leaf = not string.endswith("/")
        self.is_branch = string.endswith("/")
        if self.methods is not None:
            self.methods = {method.upper() for method in self.methods}
            if "GET" in self.methods:
                self.methods.add("HEAD")
            if self.websocket and self.methods - {"GET", "HEAD", "OPTIONS"}:
                raise ValueError(
                    "WebSocket rules can only use the 'GET', 'HEAD' and 'OPTIONS' methods"
                )
        self._tokens = _tokenize(string, "URL rule")
        names = [token[2] for token in self._tokens if not isinstance(token, str)]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"URL rule {string!r} uses the variable name {duplicates[0]!r} twice")
        self.arguments: set[str] = set(names) | set(self.defaults or ())
        self._url_names = frozenset(names)

    # -- binding -----------------------------------------------------------------

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        """Yield this rule (so rules and rule factories can be added alike)."""
        yield self

    def get_empty_kwargs(self) -> dict[str, t.Any]:
        """The keyword arguments that make a copy of this rule with :meth:`empty`.

        A subclass whose ``__init__`` takes more arguments adds them here.
        """
        return {
            "defaults": dict(self.defaults) if self.defaults is not None else None,
            "subdomain": self.subdomain,
            "methods": self.methods,
            "build_only": self.build_only,
            "endpoint": self.endpoint,
            "strict_slashes": self.strict_slashes,
            "merge_slashes": self.merge_slashes,
            "redirect_to": self.redirect_to,
            "alias": self.alias,
            "host": self.host,
            "websocket": self.websocket,
        }

    def empty(self) -> Rule:
        """A copy of this rule, not bound to any map (rule factories add copies)."""
        return type(self)(self.rule, **self.get_empty_kwargs())

    def bind(self, map: Map, rebind: bool = False) -> None:
        """Attach the rule to ``map`` and compile it with the map's converters."""
        if self.map is not None and not rebind:
            raise RuntimeError(f"URL rule {self!r} is already bound to map {self.map!r}")
        self.map = map
        if self.strict_slashes is None:
            self.strict_slashes = map.strict_slashes
        if self.merge_slashes is None:
            self.merge_slashes = map.merge_slashes
        if self.subdomain is None:
            self.subdomain = map.default_subdomain
        self.compile()

    def refresh(self) -> None:
        """Rebuild the rule after its attributes were changed in place.

        Call it after setting ``rule``, ``methods``, ``defaults``, ``subdomain``,
        ``host``, ``strict_slashes`` or ``merge_slashes`` of a rule already in a
        map: the rule is compiled again, as ``Rule(...)`` would make it with the
        new values (methods upper-cased, ``HEAD`` added to ``GET``), and the map
        recompiles its matcher before the next match or build, so both use the
        new pattern. Changing ``endpoint`` this way is not supported.

        >>> url_map = Map([Rule("/old", endpoint="page")])
        >>> rule = next(url_map.iter_rules("page"))
        >>> rule.rule = "/new"
        >>> rule.refresh()
        >>> url_map.bind("example.org").match("/new")
        ('page', {})

        :raises RuntimeError: if the rule is not in a map yet.
        :raises ValueError: if the new values do not make a valid rule; the map
            then keeps matching with the rule as it was compiled before.
        """
        url_map = self.map
        if url_map is None:
            raise RuntimeError(f"URL rule {self.rule!r} is not bound to a map")
        # Kept, so that an invalid change leaves this rule as it was compiled before.
        state = dict(self.__dict__)
        try:
            self._parse()
            with url_map._lock:
                self.bind(url_map, rebind=True)
                url_map._forget_compiled()  # its matcher holds the old parts
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _parts(self, tokens: list[_Token], merge: bool) -> list[Part]:
        parts: list[Part] = []
        for token in tokens:
            if isinstance(token, str):
                if merge:
                    token = _SLASHES_RE.sub("/", token)
                if parts and isinstance(parts[-1], str):
                    parts[-1] += token
                else:
                    parts.append(token)
                continue
            conv_name, argstr, name = token
            conv_name = conv_name or "default"
            try:
                conv_class = self.map.converters[conv_name]
            except KeyError:
                raise _ConverterNotFound(
                    f"the converter {conv_name!r} used in URL rule {self.rule!r} does not exist"
                ) from None
            args, kwargs = parse_converter_args(argstr) if argstr else ((), {})
            converter = conv_class(self.map, *args, **kwargs)
            self._converters[name] = converter
            parts.append(_Var(name, converter))
        return parts

    def compile(self) -> None:
        """Instantiate the converters and precompute the parts used to match and build."""
        self._converters = {}
        domain_pattern = (self.host or "") if self.map.host_matching else (self.subdomain or "")
        domain_tokens = _tokenize(domain_pattern, "host or subdomain")
        domain_names = {token[2] for token in domain_tokens if not isinstance(token, str)}
        clash = domain_names & self._url_names
        if clash:
            raise ValueError(
                f"URL rule {self.rule!r} uses the variable name {sorted(clash)[0]!r} twice"
            )
        self.arguments |= domain_names
        self._domain_parts = self._parts(domain_tokens, merge=False)
        self._path_parts = self._parts(self._tokens, merge=bool(self.merge_slashes))
        static_path = len(self._path_parts) == 1 and isinstance(self._path_parts[0], str)
        static_domain = not any(isinstance(part, _Var) for part in self._domain_parts)
        if static_path and static_domain:
            self._static_path = t.cast(str, self._path_parts[0])
            self._static_domain = "".join(t.cast("list[str]", self._domain_parts))
        else:
            self._static_path = self._static_domain = None
        # Build: literal path text is quoted once here, not per build.
        self._build_path = [
            quote_path(part) if isinstance(part, str) else part for part in self._path_parts
        ]

    @property
    def _trace(self) -> list[tuple[bool, str]]:
        """Werkzeug's private ``Rule._trace``, for the tools that read it.

        The bound rule's pieces in order as ``(is_variable, text)``: the host or
        subdomain pattern, ``(False, "|")``, then the path; a variable's text is its
        name. OpenAPI generators (Flask-Smorest) take the path's variables from it.
        """
        return [
            (True, part.name) if isinstance(part, _Var) else (False, part)
            for part in [*self._domain_parts, "|", *self._path_parts]
        ]

    # -- building ----------------------------------------------------------------

    def suitable_for(self, values: t.Mapping[str, t.Any], method: str | None = None) -> bool:
        """Whether this rule can build a URL from ``values`` for ``method``."""
        if method is not None and self.methods is not None and method not in self.methods:
            return False
        defaults = self.defaults or {}
        for name in self.arguments:
            if name not in defaults and name not in values:
                return False
        for name, value in defaults.items():
            if name in values and values[name] != value:
                return False
        return True

    def provides_defaults_for(self, rule: Rule) -> bool:
        """Whether this rule is the short (defaults) form of ``rule``."""
        return bool(
            not self.build_only
            and self.defaults
            and self.endpoint == rule.endpoint
            and self is not rule
            and self.arguments == rule.arguments
        )

    def build_compare_key(self) -> tuple[int, int, int]:
        """Sort key for building: non-aliases, then more arguments, then more defaults."""
        return (1 if self.alias else 0, -len(self.arguments), -len(self.defaults or ()))

    @staticmethod
    def _join(parts: list[Part], values: t.Mapping[str, t.Any]) -> str:
        out = []
        for part in parts:
            if part.__class__ is str:
                out.append(part)
            else:
                var = t.cast(_Var, part)
                out.append(var.converter.to_url(values[var.name]))
        return "".join(out)

    def build(self, values: t.Mapping[str, t.Any], append_unknown: bool = True) -> tuple[str, str]:
        """Build ``(domain, path)`` from ``values``; unknown values become the query."""
        if self.defaults:
            merged = dict(self.defaults)
            merged.update(values)
            values = merged
        domain = self._join(self._domain_parts, values) if self._domain_parts else ""
        path = self._join(self._build_path, values)
        if append_unknown:
            extra = [(key, value) for key, value in values.items() if key not in self.arguments]
            if extra:
                items: list[tuple[str, t.Any]] = []
                for key, value in extra:
                    if isinstance(value, (list, tuple)):
                        items.extend((key, item) for item in value)
                    else:
                        items.append((key, value))
                query = encode_query(items, sort=self.map.sort_parameters, key=self.map.sort_key)
                if query:
                    path = f"{path}?{query}"
        return domain, path

    def redirect_target(self, adapter: MapAdapter, values: dict[str, t.Any]) -> str:
        """The URL ``redirect_to`` points at for these matched values."""
        target = self.redirect_to
        if callable(target):
            return target(adapter, **values)
        assert target is not None

        def fill(match: re.Match[str]) -> str:
            name = match.group("variable")
            value = values[name]
            converter = self._converters.get(name)
            return converter.to_url(value) if converter is not None else quote_path(str(value))

        return _PLACEHOLDER_RE.sub(fill, target)

    def __str__(self) -> str:
        """The rule's pattern, ``/u/<int:id>``, as Werkzeug gives it (``f"{rule}"`` in listings)."""
        return self.rule

    def __repr__(self) -> str:
        if self.map is None:
            return f"<{type(self).__name__} (unbound)>"
        methods = f" ({', '.join(sorted(self.methods))})" if self.methods else ""
        return f"<{type(self).__name__} {self.rule!r}{methods} -> {self.endpoint}>"
