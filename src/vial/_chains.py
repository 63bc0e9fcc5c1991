"""The order in which a request's hooks run, shared by the sync and async pipelines."""

from __future__ import annotations

import typing as t
from itertools import chain

if t.TYPE_CHECKING:
    from .app import Vial
    from .ctx import RequestContext
    from .wrappers.request import Request

_Func = t.Callable[..., t.Any]


def url_value_preprocessors(app: Vial, request: Request) -> t.Iterator[_Func]:
    """App first, then the request's blueprints from the outermost in."""
    preprocessors = app.url_value_preprocessors
    if not preprocessors:
        return
    for name in (None, *reversed(request.blueprints)):
        if name in preprocessors:
            yield from preprocessors[name]


def before_request_funcs(app: Vial, request: Request) -> t.Iterator[_Func]:
    """App first, then the request's blueprints from the outermost in."""
    before = app.before_request_funcs
    if not before:
        return
    for name in (None, *reversed(request.blueprints)):
        if name in before:
            yield from before[name]


def after_request_funcs(app: Vial, ctx: RequestContext) -> t.Iterator[_Func]:
    """``after_this_request`` functions, then blueprints' (innermost first), then the app's;
    each group in reverse registration order."""
    yield from ctx._after_request_functions
    after = app.after_request_funcs
    if after:
        for name in chain(ctx.request.blueprints, (None,)):
            if name in after:
                yield from reversed(after[name])


def teardown_request_funcs(app: Vial, request: Request) -> t.Iterator[_Func]:
    """Blueprints' (innermost first), then the app's; each in reverse registration order."""
    funcs = app.teardown_request_funcs
    if not funcs:
        return
    for name in chain(request.blueprints, (None,)):
        if name in funcs:
            yield from reversed(funcs[name])
