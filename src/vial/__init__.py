"""vial: Flask's API on a fast HTTP core of its own, served over WSGI and ASGI.

A Flask application runs on vial after renaming ``flask`` to ``vial`` and
``Flask`` to ``Vial``::

    from vial import Vial, jsonify

    app = Vial(__name__)

    @app.route("/")
    def index():
        return jsonify(message="Hello, World!")

Serve it with ``gunicorn module:app`` (WSGI) or ``uvicorn module:app.asgi`` (ASGI).
"""

from __future__ import annotations

import sys
import typing as t
from importlib import import_module

from . import json as json
from .app import Vial as Vial
from .config import Config as Config
from .ctx import after_this_request as after_this_request
from .ctx import copy_current_request_context as copy_current_request_context
from .ctx import has_app_context as has_app_context
from .ctx import has_request_context as has_request_context
from .globals import current_app as current_app
from .globals import g as g
from .globals import request as request
from .globals import session as session
from .globals import websocket as websocket
from .json import jsonify as jsonify
from .signals import appcontext_popped as appcontext_popped
from .signals import appcontext_pushed as appcontext_pushed
from .signals import appcontext_tearing_down as appcontext_tearing_down
from .signals import before_render_template as before_render_template
from .signals import got_request_exception as got_request_exception
from .signals import message_flashed as message_flashed
from .signals import request_finished as request_finished
from .signals import request_started as request_started
from .signals import request_tearing_down as request_tearing_down
from .signals import template_rendered as template_rendered
from .templating import render_template as render_template
from .templating import render_template_string as render_template_string
from .templating import stream_template as stream_template
from .templating import stream_template_string as stream_template_string
from .wrappers import Request as Request
from .wrappers import Response as Response

# PERF: names a minimal app does not use load on first access (PEP 562): the
# blueprint and helper modules are ~850 lines that ``from vial import Vial`` need
# not compile or run.
_LAZY = {
    "Blueprint": ".blueprints",
    "abort": ".helpers",
    "flash": ".helpers",
    "get_flashed_messages": ".helpers",
    "get_template_attribute": ".helpers",
    "is_safe_redirect_url": ".helpers",
    "make_response": ".helpers",
    "redirect": ".helpers",
    "send_file": ".helpers",
    "send_from_directory": ".helpers",
    "stream_request_body": ".helpers",
    "stream_with_context": ".helpers",
    "url_for": ".helpers",
}
_LAZY_MODULES = frozenset({"blueprints", "helpers"})

if t.TYPE_CHECKING:
    from .blueprints import Blueprint as Blueprint
    from .helpers import abort as abort
    from .helpers import flash as flash
    from .helpers import get_flashed_messages as get_flashed_messages
    from .helpers import get_template_attribute as get_template_attribute
    from .helpers import is_safe_redirect_url as is_safe_redirect_url
    from .helpers import make_response as make_response
    from .helpers import redirect as redirect
    from .helpers import send_file as send_file
    from .helpers import send_from_directory as send_from_directory
    from .helpers import stream_request_body as stream_request_body
    from .helpers import stream_with_context as stream_with_context
    from .helpers import url_for as url_for


def __getattr__(name: str) -> t.Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(import_module(module, __name__), name)
    elif name.startswith("_") or not name.isidentifier():
        # Not a submodule's name: "a.b" would import vial.a (ModuleNotFoundError out of
        # hasattr), and "" the package itself.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        # Every public submodule is an attribute of the package, as after ``import
        # flask`` (whose package imports its submodules) or ``import werkzeug``:
        # extensions write ``flask.cli.AppGroup`` or ``werkzeug.exceptions.NotFound``
        # with nothing but the package imported. Loaded on first access, as above.
        try:
            value = import_module(f".{name}", __name__)
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    # Not ``globals()``: in this package that name is the vial.globals module.
    setattr(sys.modules[__name__], name, value)
    return value


def __dir__() -> list[str]:
    return sorted({*vars(sys.modules[__name__]), *_LAZY, *_LAZY_MODULES})


__all__ = [
    "Blueprint",
    "Config",
    "Request",
    "Response",
    "Vial",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "current_app",
    "flash",
    "g",
    "get_flashed_messages",
    "get_template_attribute",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "is_safe_redirect_url",
    "json",
    "jsonify",
    "make_response",
    "message_flashed",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send_file",
    "send_from_directory",
    "session",
    "stream_request_body",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "template_rendered",
    "url_for",
    "websocket",
]

__version__ = "0.1.0"
