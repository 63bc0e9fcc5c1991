"""One module per framework, each serving the benchmark endpoints with that framework's own idioms.

Every module builds its app at import time (once) and exposes it as ``app`` (WSGI or ASGI, as its
name says); ``vial_app`` exposes both ``app`` (WSGI) and ``asgi_app``.
"""
