"""Header injection, Host header attacks and open redirects, through both interfaces.

CR/LF/NUL in every header-producing API is covered in ``tests/test_bad_input.py``
(``test_injection_attempt_through_both_interfaces``); here: cookies and redirects built
from user input, TRUSTED_HOSTS (Flask 3.1) on every request, ``url_for(_external=True)``
with a forged Host, and :func:`vial.is_safe_redirect_url` for ``?next=`` URLs.
"""

from __future__ import annotations

import logging

import pytest

from vial import Vial, is_safe_redirect_url, redirect, request, url_for
from vial.exceptions import SecurityError
from vial.testing import VialClient
from vial.wrappers import Response

INJECTIONS = [
    "x\r\nSet-Cookie: admin=1",
    "x\nSet-Cookie: admin=1",
    "x\rSet-Cookie: admin=1",
    "x\r\n\r\n<script>alert(1)</script>",
    "x\x00Set-Cookie: admin=1",
    "%0d%0aSet-Cookie: admin=1",
]


@pytest.fixture
def app(app: Vial, monkeypatch: pytest.MonkeyPatch) -> Vial:
    app.testing = False
    monkeypatch.setattr(logging.getLogger(app.name), "disabled", True)

    @app.get("/cookie")
    def cookie() -> Response:
        response = Response("x")
        response.set_cookie("pref", request.args["v"])
        return response

    @app.get("/go")
    def go() -> Response:
        return redirect(request.args["v"])

    @app.get("/")
    def index() -> str:
        return "home"

    @app.get("/ext")
    def ext() -> str:
        return url_for("index", _external=True)

    @app.get("/login")
    def login() -> Response:
        target = request.args.get("next", "")
        if not is_safe_redirect_url(target):
            target = url_for("index")
        return redirect(target)

    return app


def assert_single_clean_headers(response: Response) -> None:
    assert len(response.headers.getlist("Set-Cookie")) <= 1
    for name, value in response.headers.items():
        assert not any(c in name + value for c in "\r\n\x00")
        assert "admin=1" not in value or name.lower() in ("set-cookie", "location")


@pytest.mark.parametrize("value", INJECTIONS)
def test_cookie_value_from_user_input_is_quoted(client: VialClient, value: str) -> None:
    response = client.get("/cookie", query_string={"v": value})
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("pref=")
    assert_single_clean_headers(response)
    assert client.get_cookie("admin") is None


@pytest.mark.parametrize("value", INJECTIONS)
def test_redirect_to_user_input_cannot_split_the_response(client: VialClient, value: str) -> None:
    response = client.get("/go", query_string={"v": value})
    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    assert b"<script>" not in response.get_data()  # the body escapes the target
    assert_single_clean_headers(response)


# -- Host header -------------------------------------------------------------------------------


@pytest.fixture
def trusted_app(app: Vial) -> Vial:
    app.config["TRUSTED_HOSTS"] = ["good.example", ".trusted.example"]
    return app


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "good.example.evil.example",
        "evilgood.example",
        "trusted.example.evil",
        "good.example@evil.example",
        "good.example:80@evil.example",
        "evil.example#good.example",
        "evil.example/good.example",
        "evil.example\\good.example",
        "xn--good-example",
        "[::1]",
    ],
)
@pytest.mark.parametrize("path", ["/", "/ext", "/missing", "/static/x.css"])
def test_trusted_hosts_refuse_unknown_hosts_on_every_route(
    trusted_app: Vial, interface: str, host: str, path: str
) -> None:
    client = trusted_app.test_client(asgi=interface == "asgi")
    response = client.get(path, environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "host", ["good.example", "GOOD.example:8443", "a.trusted.example", "trusted.example"]
)
def test_trusted_hosts_accept_listed_hosts(trusted_app: Vial, interface: str, host: str) -> None:
    client = trusted_app.test_client(asgi=interface == "asgi")
    response = client.get("/ext", environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 200
    assert response.text == f"http://{host.lower()}/"


def test_url_for_external_never_uses_an_unlisted_host(
    trusted_app: Vial, client: VialClient
) -> None:
    response = client.get("/ext", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "http://evil" not in response.text


def test_url_for_external_uses_server_name_not_host(app: Vial, client: VialClient) -> None:
    app.config["SERVER_NAME"] = "good.example"
    response = client.get("/ext", headers={"Host": "good.example"})
    assert response.text == "http://good.example/"
    # As in Flask 3.1, SERVER_NAME does not restrict which hosts are served (that is
    # TRUSTED_HOSTS' job), but external URLs use it, never the forged Host.
    response = client.get("/ext", headers={"Host": "evil.example"})
    assert response.text == "http://good.example/"


def test_forwarded_host_headers_are_ignored_without_proxy_fix(client: VialClient) -> None:
    response = client.get(
        "/ext",
        headers={"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"},
    )
    assert response.text == "http://localhost/"


@pytest.mark.parametrize("host", ["good.example@evil.example", "evil.example?", "a b", "é.example"])
def test_malformed_host_is_400_even_without_trusted_hosts(client: VialClient, host: str) -> None:
    response = client.get("/ext", environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400


def test_untrusted_host_is_a_security_error(trusted_app: Vial) -> None:
    context = trusted_app.test_request_context("/", headers={"Host": "evil.example"})
    with context, pytest.raises(SecurityError):
        request.host  # noqa: B018


# -- open redirects ----------------------------------------------------------------------------

HOST_URL = "http://good.example/"

UNSAFE = [
    "https://evil.example",
    "http://evil.example/path",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "http:///evil.example",
    "http:\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://evil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\x00//evil.example",
    "\x1b//evil.example",
    "http://good.example@evil.example/",
    "http://good.example:80@evil.example/",
    "http://evil.example\\@good.example/",
    # A browser reads "\\" as "/" (good.example's path "/@evil.example"), but redirect()
    # sends it as "%5C", and "http://good.example%5C@evil.example/" is evil.example.
    "http://good.example\\@evil.example/",
    "https://good.example\\@evil.example",
    "//good.example\\@evil.example",
    "http://good.example\\:x@evil.example/",
    "http://evil.example#@good.example/",
    "http://good.example.evil.example/",
    "//good.example@evil.example",
    "",
    "   ",
]

SAFE = [
    "/",
    "/account",
    "/account?tab=1#top",
    "account/settings",
    "?page=2",
    "#section",
    "/search?q=http://evil.example",
    "/redirect?to=//evil.example",
    "http://good.example/account",
    "https://good.example/account",
    "//good.example/account",
    "/caf%C3%A9",
    "/café",
]


@pytest.mark.parametrize("target", UNSAFE)
def test_is_safe_redirect_url_refuses_other_sites(target: str) -> None:
    assert not is_safe_redirect_url(target, HOST_URL)


@pytest.mark.parametrize("target", SAFE)
def test_is_safe_redirect_url_accepts_local_targets(target: str) -> None:
    assert is_safe_redirect_url(target, HOST_URL)


def test_is_safe_redirect_url_outside_a_request_only_allows_relative() -> None:
    assert is_safe_redirect_url("/account")
    assert not is_safe_redirect_url("http://localhost/account")
    assert not is_safe_redirect_url(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("target", UNSAFE)
def test_login_next_never_leaves_the_site(client: VialClient, target: str) -> None:
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


@pytest.mark.parametrize("target", ["/account?tab=1", "http://localhost/account"])
def test_login_next_keeps_local_targets(client: VialClient, target: str) -> None:
    response = client.get("/login", query_string={"next": target})
    assert response.headers["Location"] == target


def test_non_latin1_header_value_is_refused_when_set(app: Vial, client: VialClient) -> None:
    # U+2028 from user input cannot travel in an HTTP/1 header; refusing it when the
    # response is finalized sends the error through the app's own 500 path (and its
    # handler) instead of failing later in the server.
    app.testing = False
    seen: list[str] = []

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        seen.append(type(getattr(error, "original_exception", error)).__name__)
        return "handled", 500

    @app.get("/echo-header")
    def echo_header() -> Response:
        response = Response("ok")
        response.headers["X-Echo"] = request.args["v"]
        return response

    rv = client.get("/echo-header", query_string={"v": "a\u2028b"})
    assert rv.status_code == 500
    assert rv.text == "handled"
    assert seen == ["ValueError"]
    assert client.get("/echo-header", query_string={"v": "caf\u00e9"}).status_code == 200
