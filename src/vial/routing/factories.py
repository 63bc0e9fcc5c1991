"""Rule factories: groups of rules added to a map under a common path, subdomain or endpoint.

As Werkzeug's: anything with a ``get_rules(map)`` method can be passed to
:meth:`Map.add <vial.routing.Map.add>` (or in ``Map([...])``), and the factories
nest::

    Map([
        Subdomain("kb", [
            Submount("/browse", [Rule("/<int:id>", endpoint="kb/browse")]),
        ]),
    ])
"""

from __future__ import annotations

import typing as t
from string import Template

from .rules import Rule

if t.TYPE_CHECKING:
    from .map import Map


class RuleFactory:
    """A source of rules for :meth:`Map.add <vial.routing.Map.add>`; subclasses yield them."""

    def get_rules(self, map: Map) -> t.Iterable[Rule]:
        """The rules to add to ``map``."""
        raise NotImplementedError()


def _rules_of(factories: t.Iterable[RuleFactory | Rule], map: Map) -> t.Iterator[Rule]:
    """Fresh, unbound copies of every rule the given rules and factories produce."""
    for factory in factories:
        for rule in factory.get_rules(map):
            yield rule.empty()


class Subdomain(RuleFactory):
    """Give every rule in ``rules`` the subdomain ``subdomain`` (maps without host matching).

    :param subdomain: a subdomain pattern, ``"<user>"`` placeholders included.
    :param rules: rules and rule factories.
    """

    def __init__(self, subdomain: str, rules: t.Iterable[RuleFactory | Rule]) -> None:
        self.subdomain = subdomain
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for rule in _rules_of(self.rules, map):
            rule.subdomain = self.subdomain
            yield rule


class Submount(RuleFactory):
    """Put every rule in ``rules`` under the path ``path`` (a trailing slash is dropped).

    :param path: the path prefix, starting with ``/``.
    :param rules: rules and rule factories.
    """

    def __init__(self, path: str, rules: t.Iterable[RuleFactory | Rule]) -> None:
        self.path = path.rstrip("/")
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for rule in _rules_of(self.rules, map):
            # The pattern is parsed when a rule is made, so a new string needs a new rule.
            yield type(rule)(self.path + rule.rule, **rule.get_empty_kwargs())


class EndpointPrefix(RuleFactory):
    """Prefix the endpoint of every rule in ``rules`` with ``prefix``.

    :param prefix: the text put before each (string) endpoint.
    :param rules: rules and rule factories.
    """

    def __init__(self, prefix: str, rules: t.Iterable[RuleFactory | Rule]) -> None:
        self.prefix = prefix
        self.rules = rules

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for rule in _rules_of(self.rules, map):
            rule.endpoint = self.prefix + rule.endpoint
            yield rule


class RuleTemplate:
    """Rules with ``$name`` placeholders, filled in each time the template is called.

    ``$name`` (or ``${name}``) is replaced, as by :class:`string.Template`, in each
    rule's pattern, subdomain, string endpoint and string defaults::

        resource = RuleTemplate([Rule("/$name/", endpoint="$name.list")])
        url_map = Map([resource(name="blog"), resource(name="wiki")])

    :param rules: the rules to fill in.
    """

    def __init__(self, rules: t.Iterable[Rule]) -> None:
        self.rules = list(rules)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> RuleTemplateFactory:
        """A factory of the rules filled with ``dict(*args, **kwargs)``."""
        return RuleTemplateFactory(self.rules, dict(*args, **kwargs))


class RuleTemplateFactory(RuleFactory):
    """The rules of a :class:`RuleTemplate`, filled with ``context``; made by calling it."""

    def __init__(
        self, rules: t.Iterable[RuleFactory | Rule], context: t.Mapping[str, t.Any]
    ) -> None:
        self.rules = rules
        self.context = context

    def _fill(self, value: t.Any) -> t.Any:
        return Template(value).substitute(self.context) if isinstance(value, str) else value

    def get_rules(self, map: Map) -> t.Iterator[Rule]:
        for rule in _rules_of(self.rules, map):
            kwargs = rule.get_empty_kwargs()
            if kwargs["defaults"]:
                kwargs["defaults"] = {k: self._fill(v) for k, v in kwargs["defaults"].items()}
            kwargs["subdomain"] = self._fill(kwargs["subdomain"])
            kwargs["endpoint"] = self._fill(kwargs["endpoint"])
            yield type(rule)(self._fill(rule.rule), **kwargs)
