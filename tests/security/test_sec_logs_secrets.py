"""Log injection, constant-time checks and debug-page secrets, through both interfaces.

``tests/test_bad_input.py`` shows a 500's log line for a CR/LF/ESC path is one escaped
line; ``tests/test_debug.py`` that no request can turn the debug page on and that it never
prints the config. Kinds: uvicorn CVE-2020-7694 (escape sequences in logs), timing attacks
on signatures and password hashes, Werkzeug debugger exposure.
"""

from __future__ import annotations

import hmac
import io
import logging
from collections.abc import Iterator
from typing import Any

import itsdangerous.signer
import pytest

import vial.security
from vial import Vial, request, session
from vial.logging import default_handler
from vial.security import check_password_hash, generate_password_hash
from vial.testing import VialClient

RAW = "\r\nFORGED 127.0.0.1 - admin logged in\x1b[2J\x1b]0;title\x07\x85\u2028end"
#: The same bytes as a header carries them (servers decode header bytes as Latin-1).
RAW_HEADER = RAW.encode().decode("latin-1")


@pytest.fixture
def log_output(app: Vial) -> Iterator[io.StringIO]:
    """What the app's default handler writes (its formatter sanitizes)."""
    assert default_handler.formatter is not None
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(default_handler.formatter)
    app.logger.addHandler(handler)
    app.logger.propagate = False
    app.logger.setLevel(logging.INFO)
    yield stream
    app.logger.removeHandler(handler)
    app.logger.propagate = True


def assert_clean(output: str) -> None:
    assert output
    assert "\x1b" not in output and "\x07" not in output and "\r" not in output
    assert "\x85" not in output and "\u2028" not in output
    assert not any(line.startswith("FORGED") for line in output.splitlines())


@pytest.mark.parametrize("source", ["header", "body", "query", "cookie", "json"])
def test_user_input_logged_by_a_view_stays_one_line(
    app: Vial, client: VialClient, log_output: io.StringIO, source: str
) -> None:
    @app.post("/log")
    def log() -> str:
        value = {
            "header": lambda: request.headers["X-Note"],
            "body": lambda: request.get_data(as_text=True),
            "query": lambda: request.args["note"],
            "cookie": lambda: request.cookies["note"],
            "json": lambda: request.get_json()["note"],
        }[source]()
        app.logger.info("note: %s", value)
        return "ok"

    if source == "json":
        response = client.post("/log", json={"note": RAW})
    elif source == "cookie":
        response = client.post("/log", environ_overrides={"HTTP_COOKIE": "note=" + RAW_HEADER})
    elif source == "header":
        response = client.post("/log", environ_overrides={"HTTP_X_NOTE": RAW_HEADER})
    else:
        response = client.post("/log", query_string={"note": RAW}, data=RAW.encode())
    assert response.status_code == 200
    output = log_output.getvalue()
    assert_clean(output)
    assert len(output.splitlines()) == 1


def test_exception_message_from_a_body_stays_escaped(
    app: Vial, client: VialClient, log_output: io.StringIO
) -> None:
    app.testing = False

    @app.post("/fail/<path:rest>")
    def fail(rest: str) -> str:
        raise ValueError(request.get_data(as_text=True))

    response = client.post("/fail/x%0d%0aFORGED%1b[31m", data=RAW.encode())
    assert response.status_code == 500
    output = log_output.getvalue()
    assert "Exception on /fail" in output
    assert_clean(output)


# -- constant-time comparisons -----------------------------------------------------------------


@pytest.fixture
def compare_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, object]]:
    calls: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(vial.security.hmac, "compare_digest", spy)
    monkeypatch.setattr(itsdangerous.signer.hmac, "compare_digest", spy)
    return calls



@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:1000"])
def test_password_check_uses_compare_digest(
    compare_spy: list[tuple[object, object]], method: str
) -> None:
    pwhash = generate_password_hash("correct horse", method=method)
    assert check_password_hash(pwhash, "correct horse")
    assert not check_password_hash(pwhash, "wrong")
    assert len(compare_spy) == 2


def test_session_signature_check_uses_compare_digest(
    app: Vial, client: VialClient, compare_spy: list[tuple[object, object]]
) -> None:
    @app.get("/set")
    def set_view() -> str:
        session["user"] = "alice"
        return "ok"

    @app.get("/get")
    def get_view() -> str:
        return str(session.get("user"))

    client.get("/set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    compare_spy.clear()
    assert client.get("/get").text == "alice"
    assert compare_spy  # the valid signature was compared in constant time
    client.delete_cookie("session")
    value, _, signature = cookie.value.rpartition(".")
    forged = value + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    compare_spy.clear()
    response = client.get("/get", environ_overrides={"HTTP_COOKIE": f"session={forged}"})
    assert response.text == "None"
    assert compare_spy  # and so was the forged one


def test_no_plain_equality_on_digests_in_security_module() -> None:
    import inspect

    source = inspect.getsource(vial.security.check_password_hash)
    assert "compare_digest" in source
    assert "== expected" not in source and "expected ==" not in source


# -- debug pages -------------------------------------------------------------------------------

SECRETS = {
    "SECRET_KEY": "s3cr3t-signing-key",
    "SECRET_KEY_FALLBACKS": ["old-s3cr3t-key"],
    "DATABASE_URL": "postgresql://app:hunter2-db-password@db/app",
    "API_TOKEN": "tok-9f8e7d6c5b4a",
}


@pytest.fixture
def debug_app(interface: str) -> tuple[Vial, VialClient]:
    app = Vial(__name__)
    app.config.update(SECRETS, DEBUG=True)
    app.debug = True

    @app.get("/boom")
    def boom() -> str:
        token = app.config["API_TOKEN"]
        key = app.config["SECRET_KEY"]
        raise RuntimeError(f"failed with a token of {len(token)} chars and a key of {len(key)}")

    @app.get("/ok")
    def ok() -> str:
        return "fine"

    return app, app.test_client(asgi=interface == "asgi")


def test_debug_page_shows_no_config_locals_or_request_secrets(
    debug_app: tuple[Vial, VialClient],
) -> None:
    _, client = debug_app
    response = client.get(
        "/boom",
        headers={"Authorization": "Bearer user-bearer-secret", "Cookie": "sid=cookie-secret"},
    )
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "RuntimeError" in page  # it is the debug page
    for secret in (
        "s3cr3t-signing-key",
        "old-s3cr3t-key",
        "hunter2-db-password",
        "tok-9f8e7d6c5b4a",
        "user-bearer-secret",
        "cookie-secret",
    ):
        assert secret not in page


@pytest.mark.parametrize(
    "attempt",
    [
        {"query_string": {"__debugger__": "yes", "cmd": "import os", "frm": "0", "s": "x"}},
        {"query_string": {"__debugger__": "yes", "cmd": "printpin", "s": "x"}},
        {"headers": {"X-Vial-Debug": "1", "X-Werkzeug-Debug": "1"}},
        {"environ_overrides": {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}},
    ],
)
def test_request_cannot_turn_debug_on_or_run_code(
    interface: str, attempt: dict[str, object]
) -> None:
    app = Vial(__name__)
    app.config.update(SECRETS)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    client = app.test_client(asgi=interface == "asgi")
    logging.getLogger(app.name).disabled = True
    try:
        response = client.get("/boom", **attempt)  # type: ignore[arg-type]
    finally:
        logging.getLogger(app.name).disabled = False
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "RuntimeError" not in page
    assert app.debug is False
