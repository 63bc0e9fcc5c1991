"""URL routing: rules, converters, a compiled matcher and URL building.

The names and behavior are Werkzeug's (``werkzeug.routing``), so
``from werkzeug.routing import BaseConverter`` becomes
``from vial.routing import BaseConverter``. Besides :meth:`MapAdapter.match`,
:meth:`Map.match_path` matches one request without creating an adapter.
"""

from __future__ import annotations

from .converters import (
    DEFAULT_CONVERTERS,
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    NumberConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
    ValidationError,
)
from .exceptions import BuildError, RequestRedirect, RoutingException, WebsocketMismatch
from .factories import (
    EndpointPrefix,
    RuleFactory,
    RuleTemplate,
    RuleTemplateFactory,
    Subdomain,
    Submount,
)
from .map import Map, MapAdapter
from .rules import Rule

__all__ = [
    "DEFAULT_CONVERTERS",
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "EndpointPrefix",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "MapAdapter",
    "NumberConverter",
    "PathConverter",
    "RequestRedirect",
    "RoutingException",
    "Rule",
    "RuleFactory",
    "RuleTemplate",
    "RuleTemplateFactory",
    "Subdomain",
    "Submount",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
    "WebsocketMismatch",
]
