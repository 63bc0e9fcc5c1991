"""The compiled matcher: a dict for static rules and a trie by path segment for the rest.

A request is split into segments: the domain (host or subdomain) first, then the
path's ``/``-separated parts. Each trie node holds

* ``static``: child nodes keyed by a literal segment (one dict lookup),
* ``dynamic``: edges whose segment contains converters,
* ``tails``: rules whose converter may match slashes (``path``), matched against
  the rest of the path in one regular expression,
* ``rules``: the rules that end at this node.

Both kinds of edge are tried in one order, Werkzeug's: more literal pieces first
(slashes do not count), then longer ones, then converters of lower weight, then
the order the rules were added. So ``/<path:name>/edit`` is tried before
``/<a>/<b>/<c>``, as in Werkzeug. ``first`` holds the dynamic edges that come
before every tail (all of them in the usual node without tails) and ``rest`` the
others, mixed, so the common case pays nothing for the mixing.

Lookup cost depends on the depth of the path and on how many converter edges
leave each visited node, not on the total number of rules.
"""

from __future__ import annotations

import re
import typing as t

from .converters import BaseConverter, NumberConverter, regex_may_match_slash
from .rules import Part, Rule, _Var

MatchResult = tuple[Rule, dict[str, t.Any]]


class SlashRedirect(Exception):
    """The path matches a strict-slashes rule once a trailing slash is added."""


class _Node:
    __slots__ = ("dynamic", "first", "rest", "rules", "static", "tails")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.dynamic: list[_Edge] = []
        self.tails: list[_Edge] = []
        self.rules: list[Rule] = []
        # Filled by Matcher._sort: the match order, split as the module docstring says.
        self.first: list[_Edge] = []
        self.rest: list[_Edge] = []


class _Edge:
    """Converter-bearing segment(s): a regex over one segment (or over the rest of the path)."""

    __slots__ = (
        "fullmatch",
        "key",
        "node",
        "order",
        "single",
        "slash_optional",
        "tail",
        "variables",
    )

    def __init__(self, parts: list[Part], order: int, tail: bool = False) -> None:
        pattern = []
        variables: list[tuple[str, str, t.Any]] = []
        for part in parts:
            if isinstance(part, str):
                pattern.append(re.escape(part))
            else:
                group = f"v{len(variables)}"
                pattern.append(f"(?P<{group}>{part.converter.regex})")
                variables.append((part.name, group, _converter_function(part.converter)))
        # DOTALL: a decoded path may hold a newline (%0A); "." must match it too.
        self.fullmatch = re.compile("".join(pattern), re.DOTALL).fullmatch
        # PERF: a segment that is exactly one converter (the common `<int:id>`) is
        # converted from the segment text itself, skipping match.group():
        # ~70 ns saved per converter segment (timeit, CPython 3.11).
        self.single = len(parts) == 1
        self.variables = variables
        self.key = _priority(parts)
        self.order = order
        self.tail = tail
        self.slash_optional = False
        self.node = _Node()


def _converter_function(converter: t.Any) -> t.Callable[[str], t.Any]:
    """``converter.to_python``, or a builtin that gives the same result for matched text.

    PERF: the default converter returns the text as it is and a plain ``int``
    converter only calls ``int``; the builtins skip a Python call per variable.
    """
    method = type(converter).to_python
    if method is BaseConverter.to_python:
        return str  # str(text) is text itself
    if (
        method is NumberConverter.to_python
        and converter.num_convert is int
        and not converter.fixed_digits
        and converter.min is None
        and converter.max is None
    ):
        return int
    return t.cast("t.Callable[[str], t.Any]", converter.to_python)


def _priority(parts: list[Part]) -> tuple[t.Any, ...]:
    """Sort key, Werkzeug's: more literal pieces first (the text between slashes and
    converters; slashes do not count), longer ones first, then converters of lower
    weight."""
    pieces = [piece for part in parts if isinstance(part, str) for piece in part.split("/")]
    literals = [(index, -len(piece)) for index, piece in enumerate(p for p in pieces if p)]
    weights = [part.converter.weight for part in parts if isinstance(part, _Var)]
    return (-len(literals), literals, -len(weights), weights)


def _segments(parts: list[Part]) -> list[list[Part]]:
    """Split path parts (after the leading slash) at every literal ``/``."""
    segments: list[list[Part]] = [[]]
    for part in parts:
        if isinstance(part, str):
            pieces = part.split("/")
            for index, piece in enumerate(pieces):
                if index:
                    segments.append([])
                if piece:
                    segments[-1].append(piece)
        else:
            segments[-1].append(part)
    return segments


def _isolated(part: Part) -> bool:
    if isinstance(part, str):
        return True
    converter = part.converter
    return bool(converter.part_isolating) and not regex_may_match_slash(converter.regex)


def _segment_key(segment: list[Part]) -> str:
    """A text key identifying a converter segment, so equal segments share a node."""
    out = []
    for part in segment:
        if isinstance(part, str):
            out.append(part.replace("<", "<<"))
        else:
            converter = part.converter
            options = sorted((k, v) for k, v in vars(converter).items() if k != "map")
            out.append(f"<{part.name}:{id(type(converter))}:{converter.regex}:{options!r}>")
    return "".join(out)


class Matcher:
    """Rules compiled for lookup. Build it once; :meth:`match` is the per-request call."""

    __slots__ = ("_counter", "_edge_index", "root", "static")

    def __init__(self, rules: t.Iterable[Rule]) -> None:
        # path -> domain -> rules, for rules without any converter.
        self.static: dict[str, dict[str, list[Rule]]] = {}
        self.root = _Node()
        self._edge_index: dict[tuple[int, str], _Edge] = {}
        self._counter = 0
        for rule in rules:
            if not rule.build_only:
                self._add(rule)
        self._sort(self.root)

    def _add(self, rule: Rule) -> None:
        if rule._static_path is not None:
            by_domain = self.static.setdefault(rule._static_path, {})
            by_domain.setdefault(t.cast(str, rule._static_domain), []).append(rule)
        path_parts = list(rule._path_parts)
        # Drop the leading "/" of the path; the domain is segment zero.
        first = path_parts[0]
        assert isinstance(first, str) and first.startswith("/")
        if first == "/":
            path_parts.pop(0)
        else:
            path_parts[0] = first[1:]
        segments = [list(rule._domain_parts), *_segments(path_parts)]
        node = self.root
        for index, segment in enumerate(segments):
            if not all(_isolated(part) for part in segment):
                rest: list[Part] = []
                for position, later in enumerate(segments[index:]):
                    if position:
                        rest.append("/")
                    rest.extend(later)
                edge = _Edge(_merge_literals(rest), self._next(), tail=True)
                edge.node.rules.append(rule)
                node.tails.append(edge)
                # A rule ending in a slash also takes the path without it: "/docs/x"
                # redirects to "/docs/x/" (or matches, without strict slashes).
                edge.slash_optional = rule.is_branch
                return
            if all(isinstance(part, str) for part in segment):
                literal = "".join(t.cast("list[str]", segment))
                node = node.static.setdefault(literal, _Node())
                continue
            key = (id(node), _segment_key(segment))
            edge_or_none = self._edge_index.get(key)
            if edge_or_none is None:
                edge_or_none = self._edge_index[key] = _Edge(segment, self._next())
                node.dynamic.append(edge_or_none)
            node = edge_or_none.node
        node.rules.append(rule)

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def _sort(self, node: _Node) -> None:
        merged = sorted([*node.dynamic, *node.tails], key=lambda edge: (edge.key, edge.order))
        split = next((i for i, edge in enumerate(merged) if edge.tail), len(merged))
        node.first = merged[:split]
        node.rest = merged[split:]
        for child in node.static.values():
            self._sort(child)
        for edge in node.dynamic:
            self._sort(edge.node)

    def match_static(self, domain: str, path: str, method: str, websocket: bool) -> Rule | None:
        """The first rule without variables for exactly ``path`` that allows ``method``."""
        by_domain = self.static.get(path)
        if by_domain is not None:
            rules = by_domain.get(domain)
            if rules is not None:
                for rule in rules:
                    methods = rule.methods
                    if (methods is None or method in methods) and rule.websocket is websocket:
                        return rule
        return None

    def match(
        self, domain: str, path: str, method: str, websocket: bool, seen: list[Rule]
    ) -> MatchResult | None:
        """Find the rule for ``path`` (which starts with ``/``) and its converted values.

        Rules that match the path but not the method or the websocket flag are
        appended to ``seen``. Raises :class:`SlashRedirect` when only the path with a
        trailing slash matches a strict-slashes rule.
        """
        if path in self.static:  # PERF: most paths have no static rule; skip the call
            rule = self.match_static(domain, path, method, websocket)
            if rule is not None:
                return rule, dict(rule.defaults) if rule.defaults else {}
        segments = path[1:].split("/")
        segments.insert(0, domain)
        return _walk(self.root, segments, 0, len(segments), [], method, websocket, seen)


def _merge_literals(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return merged


def _pick(
    rules: list[Rule],
    found: list[tuple[str, t.Any]],
    method: str,
    websocket: bool,
    seen: list[Rule],
) -> MatchResult | None:
    for rule in rules:
        methods = rule.methods
        if (methods is None or method in methods) and rule.websocket is websocket:
            if rule.defaults:
                values = dict(rule.defaults)
                values.update(found)
                return rule, values
            return rule, dict(found)
        seen.append(rule)
    return None


def _walk(
    node: _Node,
    segments: list[str],
    index: int,
    count: int,
    found: list[tuple[str, t.Any]],
    method: str,
    websocket: bool,
    seen: list[Rule],
) -> MatchResult | None:
    # PERF: follow literal-only nodes in a loop instead of one call per segment;
    # /api/v1/admin/users/<int:id>/posts/<slug>: 3.9 -> 3.6 us per match
    # (timeit, process time, best of 15).
    last = count - 1
    while index < last and not node.first and not node.rest:
        child = node.static.get(segments[index])
        if child is None:
            return None
        node = child
        index += 1
    if index == count:
        if node.rules:
            result = _pick(node.rules, found, method, websocket, seen)
            if result is not None:
                return result
        child = node.static.get("")
        if child is not None and child.rules:
            result = _pick(child.rules, found, method, websocket, seen)
            if result is not None:
                if result[0].strict_slashes:
                    raise SlashRedirect()
                return result
        return None
    segment = segments[index]
    child = node.static.get(segment)
    if child is not None:
        result = _walk(child, segments, index + 1, count, found, method, websocket, seen)
        if result is not None:
            return result
    for edge in node.first:
        match = edge.fullmatch(segment)
        if match is None:
            continue
        mark = len(found)
        try:
            if edge.single:
                name, _, to_python = edge.variables[0]
                found.append((name, to_python(segment)))
            else:
                for name, group, to_python in edge.variables:
                    found.append((name, to_python(match.group(group))))
        except ValueError:  # ValidationError, or bad text such as a 5,000-digit int
            del found[mark:]
            continue
        result = _walk(edge.node, segments, index + 1, count, found, method, websocket, seen)
        if result is not None:
            return result
        del found[mark:]
    if node.rest:
        rest = "/".join(segments[index:])
        for edge in node.rest:
            if not edge.tail:
                result = _follow(
                    edge, segment, segments, index, count, found, method, websocket, seen
                )
                if result is not None:
                    return result
                continue
            match = edge.fullmatch(rest)
            slash_added = False
            if match is None:
                if not edge.slash_optional or rest[-1:] == "/":
                    continue
                match = edge.fullmatch(rest + "/")
                if match is None:
                    continue
                slash_added = True
            mark = len(found)
            try:
                for name, group, to_python in edge.variables:
                    found.append((name, to_python(match.group(group))))
            except ValueError:  # ValidationError, or text the converter cannot take
                del found[mark:]
                continue
            result = _pick(edge.node.rules, found, method, websocket, seen)
            if result is not None:
                if slash_added and result[0].strict_slashes:
                    raise SlashRedirect()
                return result
            del found[mark:]
    if index == count - 1 and segment == "" and node.rules:
        # "/x/" requested, "/x" exists: fine when that rule is not strict about slashes.
        lenient = [rule for rule in node.rules if not rule.strict_slashes]
        if lenient:
            return _pick(lenient, found, method, websocket, seen)
    return None


def _follow(
    edge: _Edge,
    segment: str,
    segments: list[str],
    index: int,
    count: int,
    found: list[tuple[str, t.Any]],
    method: str,
    websocket: bool,
    seen: list[Rule],
) -> MatchResult | None:
    """One dynamic edge tried after a tail (the loop over ``first`` inlines this)."""
    match = edge.fullmatch(segment)
    if match is None:
        return None
    mark = len(found)
    try:
        for name, group, to_python in edge.variables:
            found.append((name, to_python(match.group(group))))
    except ValueError:  # ValidationError, or bad text such as a 5,000-digit int
        del found[mark:]
        return None
    result = _walk(edge.node, segments, index + 1, count, found, method, websocket, seen)
    if result is None:
        del found[mark:]
    return result
