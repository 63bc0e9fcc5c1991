"""Sessions: a dict kept across requests, stored by default in a signed cookie."""

from __future__ import annotations

import hashlib
import typing as t
from collections.abc import Callable, MutableMapping
from datetime import datetime, timezone

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .datastructures.callback_dict import CallbackDict
from .json.tag import TaggedJSONSerializer

if t.TYPE_CHECKING:
    from .app import Vial
    from .wrappers.request import Request
    from .wrappers.response import Response


class SessionMixin(MutableMapping[str, t.Any]):
    """What every session offers besides being a dict."""

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``PERMANENT_SESSION_LIFETIME``)."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: Whether this session is new (no valid cookie came with the request).
    new = False
    #: Whether the session was changed; nested changes need ``session.modified = True``.
    modified = True
    #: Whether the session was read or written (adds ``Vary: Cookie``).
    accessed = True


def _mark_modified(session: SecureCookieSession) -> None:
    session.modified = session.accessed = True


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The session of :class:`SecureCookieSessionInterface`: tracks reads and writes.

    As in Flask it is a :class:`~vial.datastructures.CallbackDict` whose
    ``on_update`` sets :attr:`modified` (and :attr:`accessed`) after every change:
    setting, deleting, ``|=``, :meth:`update`, :meth:`clear`, :meth:`popitem`,
    and :meth:`pop` or :meth:`setdefault` when they changed something. Reads set
    :attr:`accessed` only. Replacing ``session.on_update`` replaces that tracking.

    :param initial: the session's data; filling it does not count as a change.
    """

    modified = False
    accessed = False

    def __init__(self, initial: t.Any = None) -> None:
        # CallbackDict types its callback for the base class; this one takes sessions.
        on_update = t.cast("Callable[[CallbackDict[str, t.Any]], None]", _mark_modified)
        super().__init__(initial or (), on_update)

    def __getitem__(self, key: str) -> t.Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().get(key, default)

    def setdefault(self, key: str, default: t.Any = None) -> t.Any:
        self.accessed = True
        return super().setdefault(key, default)

    def __delitem__(self, key: str) -> None:
        self.accessed = True
        super().__delitem__(key)

    def pop(self, key: str, *default: t.Any) -> t.Any:
        self.accessed = True
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, t.Any]:
        self.accessed = True
        return super().popitem()

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return super().__contains__(key)

    def __iter__(self) -> t.Iterator[str]:
        self.accessed = True
        return super().__iter__()

    def __len__(self) -> int:
        self.accessed = True
        return super().__len__()

    def keys(self) -> t.Any:
        self.accessed = True
        return super().keys()

    def values(self) -> t.Any:
        self.accessed = True
        return super().values()

    def items(self) -> t.Any:
        self.accessed = True
        return super().items()


class NullSession(SecureCookieSession):
    """The session when no SECRET_KEY is set: reading works, writing explains what to do."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the secret_key on"
            " the application to something unique and secret, for example"
            " app.config['SECRET_KEY'] = secrets.token_hex() or VIAL_SECRET_KEY in the"
            " environment with app.config.from_prefixed_env()."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = __ior__ = _fail


class SessionInterface:
    """How sessions are opened and saved; subclass it for server-side stores (Redis, ...).

    Implement :meth:`open_session` and :meth:`save_session`; the helpers below
    read the ``SESSION_COOKIE_*`` settings.
    """

    null_session_class = NullSession
    pickle_based = False
    #: True when a request without the session cookie can have nothing to save.
    opens_lazily = False

    def make_null_session(self, app: Vial) -> NullSession:
        """A session that cannot be written (when the real one cannot be loaded)."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is the null session."""
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Vial) -> str:
        """``SESSION_COOKIE_NAME``."""
        return str(app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: Vial) -> str | None:
        """``SESSION_COOKIE_DOMAIN``."""
        value: str | None = app.config["SESSION_COOKIE_DOMAIN"]
        return value or None

    def get_cookie_path(self, app: Vial) -> str:
        """``SESSION_COOKIE_PATH``, else ``APPLICATION_ROOT``."""
        return str(app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"])

    def get_cookie_httponly(self, app: Vial) -> bool:
        """``SESSION_COOKIE_HTTPONLY``."""
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: Vial) -> bool:
        """``SESSION_COOKIE_SECURE``."""
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: Vial) -> str | None:
        """``SESSION_COOKIE_SAMESITE``."""
        value: str | None = app.config["SESSION_COOKIE_SAMESITE"]
        return value

    def get_cookie_partitioned(self, app: Vial) -> bool:
        """``SESSION_COOKIE_PARTITIONED``."""
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: Vial, session: SessionMixin) -> datetime | None:
        """When the cookie expires: now + lifetime for permanent sessions, else at browser close."""
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Vial, session: SessionMixin) -> bool:
        """Write the cookie when changed, or for permanent sessions when refreshing each request."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )

    def open_session(self, app: Vial, request: Request) -> SessionMixin | None:
        """Load the session for ``request`` (``None`` means: use the null session)."""
        raise NotImplementedError()

    def save_session(self, app: Vial, session: SessionMixin, response: Response) -> None:
        """Store the session in or alongside ``response``."""
        raise NotImplementedError()


session_json_serializer = TaggedJSONSerializer()


def _sha1() -> t.Any:
    return hashlib.sha1()


class SecureCookieSessionInterface(SessionInterface):
    """Sessions in a cookie signed with SECRET_KEY (rotation via SECRET_KEY_FALLBACKS).

    A tampered, expired or undecodable cookie gives an empty session, never an error.
    """

    #: The session lives in its cookie: without the cookie there is nothing to save.
    opens_lazily = True
    salt = "cookie-session"
    digest_method = staticmethod(_sha1)
    key_derivation = "hmac"
    serializer = session_json_serializer
    session_class = SecureCookieSession

    def get_signing_serializer(self, app: Vial) -> URLSafeTimedSerializer | None:
        """The itsdangerous serializer for the app's keys, or None without SECRET_KEY."""
        if not app.secret_key:
            return None
        keys: list[str | bytes] = []
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        if fallbacks:
            keys.extend(fallbacks)
        keys.append(app.secret_key)  # the last key signs; all of them verify
        return URLSafeTimedSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: Vial, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            session = self.session_class()
            session.new = True
            return session
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except BadSignature:
            session = self.session_class()
            session.new = True
            return session
        except Exception:
            # A validly signed but undecodable payload (an old format): start afresh.
            session = self.session_class()
            session.new = True
            return session
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: Vial, session: SessionMixin, response: Response) -> None:
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)
        if session.accessed:
            response.vary.add("Cookie")
        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                response.vary.add("Cookie")
            return
        if not self.should_set_cookie(app, session):
            return
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return
        value = serializer.dumps(dict(session))
        response.set_cookie(
            name,
            value,
            expires=self.get_expiration_time(app, session),
            httponly=httponly,
            domain=domain,
            path=path,
            secure=secure,
            partitioned=partitioned,
            samesite=samesite,
        )
        response.vary.add("Cookie")
