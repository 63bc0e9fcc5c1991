"""WSGI middleware with Werkzeug's names: :class:`ProxyFix`, :class:`DispatcherMiddleware`
and :class:`SharedDataMiddleware`.

Wrap ``app.wsgi_app`` (not ``app``) as in Flask::

    from vial.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

Under ASGI the same middleware applies: the adapter calls ``app.wsgi_app`` in
its worker threads when it has been wrapped (async views then take that path
too, so the middleware always sees every request).
"""

from __future__ import annotations

from .dispatcher import DispatcherMiddleware as DispatcherMiddleware
from .proxy_fix import ProxyFix as ProxyFix
from .shared_data import SharedDataMiddleware as SharedDataMiddleware
