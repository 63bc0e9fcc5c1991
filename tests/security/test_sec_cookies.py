"""Session caching (``Vary: Cookie``) and cookie-parsing attacks, through both interfaces.

Parser-level cookie cases live in ``tests/test_http_cookies.py`` and the basic Vary check in
``tests/test_sessions.py``; these send the attacks as requests.
Kinds: Flask CVE-2023-30861 (a refreshed permanent session without ``Vary: Cookie``, cached
by a proxy and served to another user), Werkzeug CVE-2023-23934 (a nameless cookie
``=__Host-x`` shadowing a real one).
"""

from __future__ import annotations

import pytest
from sec_support import bounded

from vial import Vial, abort, request, session
from vial.testing import VialClient


@pytest.fixture
def app(app: Vial) -> Vial:
    @app.get("/login")
    def login() -> str:
        session["user"] = "alice"
        return "in"

    @app.get("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["user"] = "alice"
        return "in"

    @app.get("/read")
    def read() -> str:
        return str(session.get("user"))

    @app.get("/contains")
    def contains() -> str:
        return str("user" in session)

    @app.get("/read-then-404")
    def read_then_404() -> str:
        session.get("user")
        abort(404)

    @app.get("/async-read")
    async def async_read() -> str:
        return str(session.get("user"))

    @app.get("/stream")
    def stream() -> object:
        user = session.get("user")
        return iter([f"{user}\n"])

    @app.get("/static-page")
    def static_page() -> str:
        return "the same for everybody"

    @app.get("/cookies")
    def cookies() -> dict[str, list[str]]:
        return request.cookies.to_dict(flat=False)

    return app


def varies_on_cookie(response: object) -> bool:
    vary = response.headers.get("Vary", "")  # type: ignore[attr-defined]
    return "cookie" in [v.strip().lower() for v in vary.split(",")]


@pytest.mark.parametrize("path", ["/read", "/contains", "/read-then-404", "/async-read", "/stream"])
def test_vary_cookie_when_session_read_with_and_without_a_cookie(
    client: VialClient, path: str
) -> None:
    assert varies_on_cookie(client.get(path))  # no session cookie yet
    client.get("/login")
    response = client.get(path)
    assert varies_on_cookie(response)
    assert "Set-Cookie" not in response.headers  # read, not modified


def test_vary_cookie_when_session_written(client: VialClient) -> None:
    response = client.get("/login")
    assert "Set-Cookie" in response.headers
    assert varies_on_cookie(response)


def test_vary_cookie_on_permanent_session_refresh(client: VialClient) -> None:
    client.get("/permanent")
    # A page that never touches the session still refreshes a permanent session's cookie:
    # that response carries a user's cookie and must not be cached for everybody.
    response = client.get("/static-page")
    assert "Set-Cookie" in response.headers
    assert varies_on_cookie(response)
    assert varies_on_cookie(client.get("/read"))


def test_no_vary_when_session_untouched(client: VialClient) -> None:
    response = client.get("/static-page")
    assert not varies_on_cookie(response)
    assert "Set-Cookie" not in response.headers


def test_vary_cookie_added_to_an_existing_vary(app: Vial, client: VialClient) -> None:
    @app.get("/negotiated")
    def negotiated() -> tuple[str, int, dict[str, str]]:
        return str(session.get("user")), 200, {"Vary": "Accept-Encoding"}

    vary = client.get("/negotiated").headers["Vary"].lower()
    assert "accept-encoding" in vary and "cookie" in vary


def raw_cookie(client: VialClient, header: str) -> dict[str, list[str]]:
    response = client.get("/cookies", environ_overrides={"HTTP_COOKIE": header})
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "header",
    [
        "=__Host-session=evil; __Host-session=good",
        "__Host-session=good; =__Host-session=evil",
        "=evil; __Host-session=good",
        "  =evil ;__Host-session=good",
        "=; __Host-session=good",
    ],
)
def test_nameless_cookie_never_shadows_a_real_one(client: VialClient, header: str) -> None:
    cookies = raw_cookie(client, header)
    assert cookies["__Host-session"] == ["good"]
    assert "" not in cookies
    assert not any(name.startswith("=") for name in cookies)


def test_quoted_name_is_not_the_real_name(client: VialClient) -> None:
    cookies = raw_cookie(client, '"session"=evil; session=good')
    assert cookies["session"] == ["good"]


def test_duplicate_names_first_one_wins(app: Vial, client: VialClient) -> None:
    # Browsers send the most specific path first; the session uses that one.
    client.get("/login")
    real = client.get_cookie("session")
    assert real is not None
    client.delete_cookie("session")  # only the raw header below is sent
    header = f"session={real.value}; session=forged"
    assert client.get("/read", environ_overrides={"HTTP_COOKIE": header}).text == "alice"
    header = f"session=forged; session={real.value}"
    assert client.get("/read", environ_overrides={"HTTP_COOKIE": header}).text == "None"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # As in browsers, ";" ends a cookie even inside quotes.
        ('a="x;y"; b=1', {"a": ['"x'], "b": ["1"]}),
        ('a="\\073"', {"a": [";"]}),
        ('a="unterminated; b=1', None),
        ('a="x\\"; b=1"', None),
        ("a=1,b=2", {"a": ["1,b=2"]}),
        ("a=\\x00; b=1", None),
    ],
)
def test_quoting_tricks_parse_to_one_value_each(
    client: VialClient, header: str, expected: dict[str, list[str]] | None
) -> None:
    cookies = raw_cookie(client, header)
    if expected is not None:
        assert cookies == expected
    for values in cookies.values():
        assert all("\r" not in v and "\n" not in v for v in values)


def test_control_characters_in_cookies_are_harmless(client: VialClient) -> None:
    cookies = raw_cookie(client, "session\x00=z; a=b\x1b[31m; c=\r\nX-Evil: 1")
    assert all(isinstance(v, list) for v in cookies.values())


def test_overlong_cookie_header_bounded(client: VialClient) -> None:
    header = "; ".join(f"c{i}={'v' * 50}" for i in range(20_000))  # ~1.1 MB
    with bounded(megabytes=40):
        cookies = raw_cookie(client, header)
    assert len(cookies) <= 1000  # MAX_COOKIES


def test_overlong_session_cookie_is_an_empty_session(client: VialClient) -> None:
    header = "session=" + "A" * 1_000_000
    with bounded(megabytes=40):
        response = client.get("/read", environ_overrides={"HTTP_COOKIE": header})
    assert response.status_code == 200
    assert response.text == "None"


def test_forged_session_cookie_values_are_ignored(client: VialClient) -> None:
    for forged in ['{"user": "admin"}', "eyJ1c2VyIjoiYWRtaW4ifQ", "eyJ1c2VyIjoiYWRtaW4ifQ..x"]:
        response = client.get("/read", environ_overrides={"HTTP_COOKIE": f"session={forged}"})
        assert response.text == "None"
