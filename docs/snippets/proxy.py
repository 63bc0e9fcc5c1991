"""Trust the X-Forwarded-* headers set by exactly one reverse proxy (nginx) in front."""


def _nearest(value):
    # each proxy appends to the list; the last entry is the one our proxy wrote
    return value.rsplit(",", 1)[-1].strip() if value else ""


class ProxyHeaders:
    """WSGI middleware: ``app.wsgi_app = ProxyHeaders(app.wsgi_app)``.

    Only use it when every request really comes through the proxy; otherwise
    clients can claim any address, scheme or host.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        remote = _nearest(environ.get("HTTP_X_FORWARDED_FOR"))
        scheme = _nearest(environ.get("HTTP_X_FORWARDED_PROTO")).lower()
        host = _nearest(environ.get("HTTP_X_FORWARDED_HOST"))
        if remote:
            environ["REMOTE_ADDR"] = remote
        if scheme in ("http", "https"):
            environ["wsgi.url_scheme"] = scheme
        if host:
            environ["HTTP_HOST"] = host
        return self.wsgi_app(environ, start_response)
