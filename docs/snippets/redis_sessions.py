"""Server-side sessions in Redis, written as a vial extension.

The cookie holds only a random session id; the data lives in Redis under
``session:<id>`` and expires with the session.
"""

import secrets

from vial.json.tag import TaggedJSONSerializer
from vial.sessions import SecureCookieSession, SessionInterface


class RedisSession(SecureCookieSession):
    """A session dict that remembers its id (and whether it was just created)."""

    def __init__(self, initial=None, sid=None, new=False):
        super().__init__(initial)
        self.sid = sid or secrets.token_urlsafe(32)
        self.new = new


class RedisSessionInterface(SessionInterface):
    serializer = TaggedJSONSerializer()  # the same types as the cookie session

    def __init__(self, redis, prefix="session:"):
        self.redis = redis
        self.prefix = prefix

    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid:
            data = self.redis.get(self.prefix + sid)
            if data is not None:
                return RedisSession(self.serializer.loads(data), sid=sid)
        # no cookie, an unknown id or an expired one: start a new session
        return RedisSession(new=True)

    def save_session(self, app, session, response):
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            # emptied (session.clear() at log-out): forget it on both sides
            if session.modified and not session.new:
                self.redis.delete(self.prefix + session.sid)
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not self.should_set_cookie(app, session):
            return
        ttl = int(app.permanent_session_lifetime.total_seconds())
        self.redis.setex(self.prefix + session.sid, ttl, self.serializer.dumps(dict(session)))
        response.set_cookie(
            name,
            session.sid,
            expires=self.get_expiration_time(app, session),
            httponly=self.get_cookie_httponly(app),
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )


class RedisSessions:
    """The extension: ``RedisSessions(app)`` or ``sessions.init_app(app)`` in a factory."""

    def __init__(self, app=None, client=None):
        self.client = client
        if app is not None:
            self.init_app(app)

    def init_app(self, app):
        client = self.client
        if client is None:
            import redis  # the redis package, imported only when it is needed

            client = redis.Redis.from_url(app.config.get("REDIS_URL", "redis://localhost:6379/0"))
        prefix = app.config.get("SESSION_REDIS_PREFIX", "session:")
        app.session_interface = RedisSessionInterface(client, prefix)
        app.extensions["redis_sessions"] = self
