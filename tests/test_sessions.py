"""Sessions as a user sees them: the signed cookie, its settings, rotation, bad cookies."""

from __future__ import annotations

import typing as t
import uuid
from datetime import datetime, timedelta, timezone
from unittest import mock

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup

from vial import Vial, session
from vial.json.tag import TaggedJSONSerializer
from vial.sessions import SecureCookieSession, SessionInterface, SessionMixin
from vial.testing import VialClient

if t.TYPE_CHECKING:
    from vial.wrappers.request import Request
    from vial.wrappers.response import Response


@pytest.fixture
def app(app: Vial) -> Vial:
    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        session[key] = value
        return "set"

    @app.route("/get/<key>")
    def get_value(key: str) -> str:
        return str(session.get(key, "<missing>"))

    @app.route("/all")
    def all_values() -> dict[str, t.Any]:
        return dict(session)

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["user"] = "ann"
        return "permanent"

    @app.route("/untouched")
    def untouched() -> str:
        return "no session here"

    return app


def set_cookie_headers(rv: t.Any) -> list[str]:
    return [v for k, v in rv.headers.items() if k.lower() == "set-cookie"]


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].split("=", 1)[1]


def signing_serializer(secret: str) -> URLSafeTimedSerializer:
    """A serializer signing as a vial app with SECRET_KEY ``secret`` does."""
    app = Vial("signer")
    app.secret_key = secret
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    return t.cast("URLSafeTimedSerializer", serializer)


# -- the session global --------------------------------------------------------------------------


def test_session_round_trip(client: VialClient) -> None:
    assert client.get("/get/user").text == "<missing>"
    assert client.get("/set/user/ann").text == "set"
    assert client.get("/get/user").text == "ann"
    client.get("/set/theme/dark")
    assert client.get("/all").json == {"user": "ann", "theme": "dark"}


def test_session_cookie_is_signed_not_plain(client: VialClient) -> None:
    rv = client.get("/set/secret/hunter2")
    (header,) = set_cookie_headers(rv)
    assert header.startswith("session=")
    value = cookie_value(header)
    assert "hunter2" not in value
    assert value.count(".") == 2  # payload.timestamp.signature


def test_cookie_not_written_when_unchanged(client: VialClient) -> None:
    client.get("/set/user/ann")
    assert set_cookie_headers(client.get("/get/user")) == []
    assert set_cookie_headers(client.get("/untouched")) == []


def test_session_or_update_is_saved(app: Vial, client: VialClient) -> None:
    @app.route("/merge")
    def merge() -> str:
        current = session._get_current_object()  # type: ignore[attr-defined]
        current |= {"b": "2"}
        return "merged"

    @app.route("/default")
    def default() -> str:
        return str(session.setdefault("a", "unused"))

    client.get("/set/a/1")
    client.get("/merge")
    assert client.get("/all").json == {"a": "1", "b": "2"}
    # A setdefault that finds the key changes nothing, so no cookie is sent.
    rv = client.get("/default")
    assert rv.text == "1"
    assert set_cookie_headers(rv) == []


def test_session_marks_modified_on_every_change_and_only_then() -> None:
    changes: dict[str, t.Callable[[SecureCookieSession], object]] = {
        "set": lambda s: s.__setitem__("b", 2),
        "delete": lambda s: s.__delitem__("a"),
        "setdefault missing": lambda s: s.setdefault("b", 2),
        "pop": lambda s: s.pop("a"),
        "popitem": lambda s: s.popitem(),
        "update": lambda s: s.update(b=2),
        "or-update": lambda s: s.__ior__({"b": 2}),
        "clear": lambda s: s.clear(),
    }
    for name, change in changes.items():
        s = SecureCookieSession({"a": 1})
        assert not s.modified, name
        change(s)
        assert s.modified and s.accessed, name
    # Reads, and calls that change nothing, only mark the session accessed (Werkzeug's
    # CallbackDict calls on_update for setdefault and pop only when they change it).
    reads: dict[str, t.Callable[[SecureCookieSession], object]] = {
        "setdefault present": lambda s: s.setdefault("a", 5),
        "pop missing": lambda s: s.pop("missing", None),
        "get": lambda s: s.get("a"),
    }
    for name, read in reads.items():
        s = SecureCookieSession({"a": 1})
        read(s)
        assert s.accessed and not s.modified, name
        assert s == {"a": 1}
    s = SecureCookieSession({"a": 1})
    with pytest.raises(KeyError):
        del s["missing"]
    assert not s.modified


def test_session_on_update_is_a_callback_dict_hook() -> None:
    from vial.datastructures import CallbackDict

    s = SecureCookieSession({"a": 1})
    assert isinstance(s, CallbackDict)
    seen: list[dict[str, t.Any]] = []
    s.on_update = lambda d: seen.append(dict(d))
    s["b"] = 2
    s.pop("a")
    # The replacement hook runs instead of the one that sets ``modified``.
    assert seen == [{"a": 1, "b": 2}, {"b": 2}]
    assert not s.modified


def test_vary_cookie_whenever_session_read(client: VialClient) -> None:
    client.get("/set/user/ann")
    assert client.get("/get/user").headers["Vary"] == "Cookie"
    assert "Vary" not in client.get("/untouched").headers
    # A read with no cookie at all still varies on it: another client would see other data.
    client.delete_cookie("session")
    assert client.get("/get/user").headers["Vary"] == "Cookie"


def test_nested_change_needs_modified(app: Vial, client: VialClient) -> None:
    @app.route("/append/<item>")
    def append(item: str) -> str:
        session.setdefault("cart", []).append(item)
        return "ok"

    @app.route("/append-quiet/<item>")
    def append_quiet(item: str) -> str:
        session["cart"].append(item)
        if item == "flagged":
            session.modified = True
        return "ok"

    client.get("/append/a")
    client.get("/append-quiet/b")  # in-place change, not marked: not saved
    assert client.get("/all").json == {"cart": ["a"]}
    client.get("/append-quiet/flagged")
    assert client.get("/all").json == {"cart": ["a", "flagged"]}


def test_cookie_deleted_when_session_emptied(client: VialClient) -> None:
    client.get("/set/user/ann")
    rv = client.get("/clear")
    (header,) = set_cookie_headers(rv)
    assert header.startswith("session=;")
    assert "Expires=Thu, 01 Jan 1970 00:00:00 GMT" in header
    assert "Max-Age=0" in header
    assert rv.headers["Vary"] == "Cookie"
    assert client.get_cookie("session") is None
    assert client.get("/get/user").text == "<missing>"


def test_untouched_session_without_cookie_sends_nothing(client: VialClient) -> None:
    rv = client.get("/untouched")
    assert set_cookie_headers(rv) == []
    assert "Vary" not in rv.headers


# -- cookie settings -----------------------------------------------------------------------------


def test_default_cookie_attributes(client: VialClient) -> None:
    (header,) = set_cookie_headers(client.get("/set/a/b"))
    parts = [p.strip() for p in header.split(";")]
    assert "HttpOnly" in parts
    assert "Path=/" in parts
    assert "SameSite=Lax" in parts
    assert "Secure" not in parts
    assert "Partitioned" not in parts
    assert not any(p.startswith(("Expires=", "Max-Age=", "Domain=")) for p in parts)


def test_all_session_cookie_settings(app: Vial, client: VialClient) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    (header,) = set_cookie_headers(client.get("/set/a/b"))
    parts = [p.strip() for p in header.split(";")]
    assert parts[0].startswith("sid=")
    assert "Domain=example.com" in parts
    assert "Path=/app" in parts
    assert "HttpOnly" not in parts
    assert "Secure" in parts
    assert "SameSite=Strict" in parts
    assert "Partitioned" in parts


def test_cookie_path_defaults_to_application_root(app: Vial, client: VialClient) -> None:
    app.config["APPLICATION_ROOT"] = "/prefix"
    (header,) = set_cookie_headers(client.get("/set/a/b"))
    assert "Path=/prefix" in [p.strip() for p in header.split(";")]


def test_permanent_session_gets_expiry(app: Vial, client: VialClient) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)
    rv = client.get("/permanent")
    (header,) = set_cookie_headers(rv)
    expires = next(p.strip()[8:] for p in header.split(";") if p.strip().startswith("Expires="))
    when = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    expected = datetime.now(timezone.utc) + timedelta(hours=2)
    assert abs((when - expected).total_seconds()) < 5


def test_permanent_lifetime_as_seconds(app: Vial, client: VialClient) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = 60
    assert app.permanent_session_lifetime == timedelta(seconds=60)
    (header,) = set_cookie_headers(client.get("/permanent"))
    assert "Expires=" in header


def test_permanent_session_refreshed_each_request(client: VialClient) -> None:
    client.get("/permanent")
    rv = client.get("/get/user")
    assert rv.text == "ann"
    assert len(set_cookie_headers(rv)) == 1
    # Refreshed even when the view does not touch the session, as in Flask.
    assert len(set_cookie_headers(client.get("/untouched"))) == 1


def test_no_refresh_each_request(app: Vial, client: VialClient) -> None:
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    client.get("/permanent")
    assert set_cookie_headers(client.get("/get/user")) == []
    assert len(set_cookie_headers(client.get("/set/x/y"))) == 1


def test_non_permanent_session_not_refreshed(client: VialClient) -> None:
    client.get("/set/user/ann")
    assert set_cookie_headers(client.get("/get/user")) == []


# -- keys ----------------------------------------------------------------------------------------


def test_key_rotation_with_fallbacks(app: Vial, interface: str) -> None:
    app.config["SECRET_KEY"] = "old key"
    client = app.test_client(asgi=interface == "asgi")
    client.get("/set/user/ann")

    app.config["SECRET_KEY"] = "new key"
    app.config["SECRET_KEY_FALLBACKS"] = ["older key", "old key"]
    assert client.get("/get/user").text == "ann"  # verified with a fallback

    rv = client.get("/set/theme/dark")  # written again: signed with the new key
    value = cookie_value(set_cookie_headers(rv)[0])
    assert signing_serializer("new key").loads(value) == {"user": "ann", "theme": "dark"}

    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/all").json == {"user": "ann", "theme": "dark"}


def test_cookie_signed_with_an_unknown_key_is_ignored(app: Vial, client: VialClient) -> None:
    app.config["SECRET_KEY_FALLBACKS"] = ["fallback"]
    value = signing_serializer("retired key").dumps({"user": "mallory"})
    client.set_cookie("session", value)
    assert client.get("/all").json == {}


def test_tampered_cookie_gives_empty_session(client: VialClient) -> None:
    rv = client.get("/set/user/ann")
    value = cookie_value(set_cookie_headers(rv)[0])
    payload, timestamp, signature = value.split(".")
    forged = signing_serializer("other").dumps({"user": "admin"}).split(".")[0]
    # A middle character: the last one of a base64 signature carries padding bits,
    # and some changes to it decode to the same bytes.
    other = "A" if signature[10] != "A" else "B"
    for bad in (
        f"{forged}.{timestamp}.{signature}",
        f"{payload}.{timestamp}.{signature[:10]}{other}{signature[11:]}",
        f"{payload}x.{timestamp}.{signature}",
    ):
        client.set_cookie("session", bad)
        rv = client.get("/all")
        assert rv.status_code == 200
        assert rv.json == {}


@pytest.mark.parametrize(
    "garbage",
    ["", "x", "....", "a.b.c", "%%%", "\u00e9t\u00e9", "=" * 50, "eyJ4Ijox.AAAA.BBBB"],
)
def test_garbage_cookie_gives_empty_session(client: VialClient, garbage: str) -> None:
    client.set_cookie("session", garbage)
    rv = client.get("/all")
    assert rv.status_code == 200
    assert rv.json == {}


def test_validly_signed_non_dict_payload_gives_empty_session(client: VialClient) -> None:
    client.set_cookie("session", signing_serializer("test key").dumps([1, 2, 3]))
    assert client.get("/all").json == {}


def test_expired_cookie_gives_empty_session(app: Vial, client: VialClient) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=10)
    hour_ago = int(datetime.now(timezone.utc).timestamp()) - 3600
    with mock.patch.object(TimestampSigner, "get_timestamp", return_value=hour_ago):
        old = signing_serializer("test key").dumps({"user": "ann"})
    fresh = signing_serializer("test key").dumps({"user": "ann"})
    client.set_cookie("session", old)
    assert client.get("/all").json == {}
    client.set_cookie("session", fresh)
    assert client.get("/all").json == {"user": "ann"}


def test_no_secret_key_reading_works_writing_explains(app: Vial, client: VialClient) -> None:
    app.config["SECRET_KEY"] = None
    app.config["PROPAGATE_EXCEPTIONS"] = True
    assert client.get("/get/user").text == "<missing>"
    with pytest.raises(RuntimeError) as info:
        client.get("/set/user/ann")
    message = str(info.value)
    assert "secret key" in message.lower()
    assert "SECRET_KEY" in message


# -- tagged JSON ---------------------------------------------------------------------------------


def test_tagged_json_types_round_trip(app: Vial, client: VialClient) -> None:
    stored = {
        "tuple": (1, "two", (3,)),
        "bytes": b"\x00\xffbin",
        "markup": Markup("<b>bold</b>"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "datetime": datetime(2024, 2, 29, 12, 30, 15, tzinfo=timezone.utc),
        "dict": {"nested": {"k": [1, 2]}, " t": "looks like a tag"},
        "list": [1, [2, (3, b"4")], {"x": None}],
    }

    @app.route("/store")
    def store() -> str:
        session.update(stored)
        return "ok"

    @app.route("/check")
    def check() -> dict[str, t.Any]:
        loaded = dict(session)
        return {
            "equal": loaded == stored,
            "types": {k: type(v).__name__ for k, v in loaded.items()},
        }

    client.get("/store")
    rv = client.get("/check")
    assert rv.json["equal"] is True
    assert rv.json["types"] == {
        "tuple": "tuple",
        "bytes": "bytes",
        "markup": "Markup",
        "uuid": "UUID",
        "datetime": "datetime",
        "dict": "dict",
        "list": "list",
    }


def test_tagged_json_serializer_directly() -> None:
    serializer = TaggedJSONSerializer()
    value = {"a": (1, b"x"), "b": [uuid.UUID(int=5)]}
    assert serializer.loads(serializer.dumps(value)) == value


# -- a custom session interface ------------------------------------------------------------------


class ServerSideSession(SecureCookieSession):
    def __init__(self, initial: t.Any = None, sid: str | None = None) -> None:
        super().__init__(initial)
        self.sid = sid


class DictSessionInterface(SessionInterface):
    """A server-side store: the cookie holds only an id; the data lives in a dict."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, t.Any]] = {}
        self.saves = 0

    def open_session(self, app: Vial, request: Request) -> ServerSideSession:
        sid = request.cookies.get("sid")
        if sid and sid in self.store:
            return ServerSideSession(self.store[sid], sid=sid)
        return ServerSideSession(sid=None)

    def save_session(self, app: Vial, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSideSession)
        self.saves += 1
        if not session.modified:
            return
        if not session:
            if session.sid:
                self.store.pop(session.sid, None)
                response.delete_cookie("sid")
            return
        sid = session.sid or uuid.uuid4().hex
        self.store[sid] = dict(session)
        response.set_cookie("sid", sid, httponly=self.get_cookie_httponly(app))


def test_custom_session_interface(app: Vial, client: VialClient) -> None:
    store = DictSessionInterface()
    app.session_interface = store
    rv = client.get("/set/user/ann")
    (header,) = set_cookie_headers(rv)
    assert header.startswith("sid=")
    sid = cookie_value(header)
    assert store.store == {sid: {"user": "ann"}}
    assert "ann" not in header
    assert client.get("/get/user").text == "ann"
    client.get("/clear")
    assert store.store == {}
    assert client.get("/get/user").text == "<missing>"


def test_custom_session_interface_saved_on_every_request(app: Vial, client: VialClient) -> None:
    # Flask calls save_session after every request, so a store can refresh expiries.
    store = DictSessionInterface()
    app.session_interface = store
    client.get("/untouched")
    client.get("/untouched")
    assert store.saves == 2


# -- the test client -----------------------------------------------------------------------------


def test_session_transaction(client: VialClient) -> None:
    with client.session_transaction() as sess:
        sess["user"] = "preset"
    assert client.get("/get/user").text == "preset"
    client.get("/set/theme/dark")
    with client.session_transaction() as sess:
        assert dict(sess) == {"user": "preset", "theme": "dark"}
        del sess["theme"]
    assert client.get("/all").json == {"user": "preset"}


def test_session_inspected_after_request_with_client_context(client: VialClient) -> None:
    with client:
        client.get("/set/user/ann")
        assert session["user"] == "ann"


def test_a_partitioned_secure_session_cookie_comes_back_to_the_app(
    app: Vial, interface: str
) -> None:
    """The test client keeps a cookie with attributes it does not know (Partitioned),
    as browsers do (RFC 6265 5.2), so a CHIPS session works across requests."""
    app.config.update(
        SESSION_COOKIE_PARTITIONED=True,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_DOMAIN="example.com",
    )

    @app.get("/set")
    def chips_set() -> str:
        session["n"] = 7
        return "set"

    @app.get("/get")
    def chips_get() -> str:
        return str(session.get("n"))

    client = app.test_client(asgi=interface == "asgi")
    set_cookie = client.get("/set", base_url="https://example.com/").headers["Set-Cookie"]
    assert "Partitioned" in set_cookie
    assert "Domain=example.com;" in set_cookie
    assert client.get("/get", base_url="https://example.com/").text == "7"
