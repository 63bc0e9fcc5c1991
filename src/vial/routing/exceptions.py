"""Exceptions raised by the router: redirects, build failures, websocket mismatches."""

from __future__ import annotations

import typing as t

from ..exceptions import BadRequest, HTTPException, _escape_html

if t.TYPE_CHECKING:
    from ..typing import WSGIEnvironment
    from .map import MapAdapter
    from .rules import Rule


class RoutingException(Exception):
    """Base of the exceptions the router raises to steer a request (not HTTP errors)."""


class RequestRedirect(HTTPException, RoutingException):
    """Raised by :meth:`MapAdapter.match` when the client should go to another URL.

    This happens for a missing trailing slash on a strict-slashes rule, for merged
    slashes, for ``redirect_to`` rules and for ``redirect_defaults``. ``new_url`` is
    absolute when the redirect comes from a :class:`MapAdapter`; from
    :meth:`Map.match_path` it is a path (``script_name`` + path + query string),
    which is a valid ``Location`` too.
    """

    code = 308

    def __init__(self, new_url: str) -> None:
        super().__init__(new_url)
        self.new_url = new_url

    def get_body(self, environ: WSGIEnvironment | None = None, scope: t.Any = None) -> str:
        url = _escape_html(self.new_url)
        return (
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
            "<h1>Redirecting...</h1>\n"
            f'<p>You should be redirected automatically to the target URL: <a href="{url}">'
            f"{url}</a>. If not, click the link.\n"
        )

    def get_headers(
        self, environ: WSGIEnvironment | None = None, scope: t.Any = None
    ) -> list[tuple[str, str]]:
        headers = super().get_headers(environ, scope)
        headers.append(("Location", self.new_url))
        return headers


class WebsocketMismatch(BadRequest):
    """The path matched only rules of the other kind (HTTP versus WebSocket)."""


class BuildError(RoutingException, LookupError):
    """No rule could build a URL for ``endpoint`` with these ``values`` and ``method``.

    The message says which values were missing, which methods the rule allows, or
    which endpoint names look close to the one asked for.
    """

    def __init__(
        self,
        endpoint: t.Any,
        values: t.Mapping[str, t.Any],
        method: str | None,
        adapter: MapAdapter | None = None,
    ) -> None:
        super().__init__(endpoint, values, method)
        self.endpoint = endpoint
        self.values = values
        self.method = method
        self.adapter = adapter

    @property
    def suggested(self) -> Rule | None:
        """The rule that came closest to being usable, if any."""
        return self._closest_rule()

    def _closest_rule(self) -> Rule | None:
        if self.adapter is None:
            return None
        rules = list(self.adapter.map.iter_rules(self.endpoint)) if self._known() else []
        if not rules:
            return None
        values = set(self.values)

        def score(rule: Rule) -> tuple[int, int, int]:
            method_ok = int(
                self.method is None or rule.methods is None or self.method in rule.methods
            )
            have = len(rule.arguments & values)
            missing = len(rule.arguments - values - set(rule.defaults or ()))
            return (method_ok, have, -missing)

        return max(rules, key=score)

    def _known(self) -> bool:
        return self.adapter is not None and self.endpoint in self.adapter.map._rules_by_endpoint

    def __str__(self) -> str:
        message = [f"Could not build url for endpoint {self.endpoint!r}"]
        if self.method:
            message.append(f" ({self.method!r})")
        if self.values:
            message.append(f" with values {sorted(self.values)!r}")
        message.append(".")
        rule = self._closest_rule()
        if rule is not None:
            if self.method is not None and rule.methods is not None and (
                self.method not in rule.methods
            ):
                message.append(f" Did you mean to use methods {sorted(rule.methods)!r}?")
            missing = rule.arguments - set(rule.defaults or ()) - set(self.values)
            if missing:
                message.append(f" Did you forget to specify values {sorted(missing)!r}?")
            elif rule.defaults and not (self.method and rule.methods and (
                self.method not in rule.methods
            )):
                clash = sorted(
                    key
                    for key, value in rule.defaults.items()
                    if key in self.values and self.values[key] != value
                )
                if clash:
                    message.append(
                        f" The values {clash!r} differ from the rule's defaults"
                        f" {dict(sorted(rule.defaults.items()))!r}."
                    )
        elif self.adapter is not None:
            import difflib  # only to word this error

            names = [str(name) for name in self.adapter.map._rules_by_endpoint]
            close = difflib.get_close_matches(str(self.endpoint), names, n=1)
            if close:
                message.append(f" Did you mean {close[0]!r} instead?")
        return "".join(message)
