"""One module per framework, each serving the benchmark endpoints with that framework's own idioms.

Every module builds its app at import time (once) and exposes it as ``app`` (WSGI or ASGI, as its
name says); ``vial_app`` exposes both ``app`` (WSGI) and ``asgi_app``.

All apps register their routes in the same order: ``/plaintext``, ``/json``, the 100 extra rules,
``/users/...``, ``/echo``, ``/fortunes``, so a router that tries rules one by one pays for the extra
rules on the later routes, as it would in a real app, and every router gets the same table.
"""
