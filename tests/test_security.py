from __future__ import annotations

import posixpath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vial.security import (
    SALT_CHARS,
    check_password_hash,
    gen_salt,
    generate_password_hash,
    safe_join,
)

# Cheap parameters keep the test suite fast; the defaults are tested once.
FAST_SCRYPT = "scrypt:16:1:1"
FAST_PBKDF2 = "pbkdf2:sha256:10"


def test_gen_salt() -> None:
    salt = gen_salt(32)
    assert len(salt) == 32
    assert set(salt) <= set(SALT_CHARS)
    assert gen_salt(32) != salt
    with pytest.raises(ValueError):
        gen_salt(0)


def test_default_scrypt_hash() -> None:
    h = generate_password_hash("secret")
    method, salt, digest = h.split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16
    assert len(digest) == 128
    assert check_password_hash(h, "secret")
    assert not check_password_hash(h, "Secret")


def test_default_pbkdf2_hash() -> None:
    h = generate_password_hash("secret", "pbkdf2", salt_length=8)
    method, salt, _digest = h.split("$")
    assert method == "pbkdf2:sha256:1000000"  # Werkzeug 3.1's default
    assert len(salt) == 8
    assert check_password_hash(h, "secret")


@pytest.mark.parametrize(
    ("method", "prefix"),
    [
        (FAST_SCRYPT, "scrypt:16:1:1$"),
        (FAST_PBKDF2, "pbkdf2:sha256:10$"),
        ("pbkdf2:sha512:5", "pbkdf2:sha512:5$"),
    ],
)
def test_methods(method: str, prefix: str) -> None:
    h = generate_password_hash("pässwörd", method)
    assert h.startswith(prefix)
    assert check_password_hash(h, "pässwörd")
    assert not check_password_hash(h, "passwort")
    assert generate_password_hash("pässwörd", method) != h  # salted


def test_known_werkzeug_format() -> None:
    # A hash in Werkzeug's format, built with hashlib directly.
    import hashlib

    digest = hashlib.pbkdf2_hmac("sha256", b"pw", b"saltsalt", 10).hex()
    assert check_password_hash(f"pbkdf2:sha256:10$saltsalt${digest}", "pw")
    digest = hashlib.scrypt(b"pw", salt=b"salt", n=16, r=1, p=1).hex()
    assert check_password_hash(f"scrypt:16:1:1$salt${digest}", "pw")


def test_pbkdf2_hash_name_only() -> None:
    import hashlib

    digest = hashlib.pbkdf2_hmac("sha1", b"pw", b"s", 1_000_000).hex()
    assert check_password_hash(f"pbkdf2:sha1$s${digest}", "pw")


@pytest.mark.parametrize(
    "method", ["md5", "plain", "scrypt:1:2", "pbkdf2:sha256:10:1", "pbkdf2:nohash:10"]
)
def test_generate_rejects_bad_methods(method: str) -> None:
    with pytest.raises(ValueError):
        generate_password_hash("pw", method)


@pytest.mark.parametrize(
    "pwhash",
    [
        "",
        "garbage",
        "a$b",
        "md5$salt$abc",
        "scrypt:x:y:z$salt$abc",
        "scrypt:3:1:1$salt$abc",  # n not a power of two
        "scrypt:1:2$salt$abc",
        "pbkdf2:nohash:10$salt$abc",
        "pbkdf2:sha256:0$salt$abc",
        "pbkdf2:sha256:-1$salt$abc",
        "pbkdf2:sha256:10$salt$\u00e9\u00e9",
        "pbkdf2:sha256:10$salt$\ud800",
        "scrypt:1099511627776:8:1$s$x",  # memory limit
    ],
)
def test_check_malformed_hash_is_false(pwhash: str) -> None:
    assert check_password_hash(pwhash, "pw") is False


def test_check_non_string_hash_is_false() -> None:
    assert check_password_hash(None, "pw") is False  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60))
def test_check_never_raises(pwhash: str) -> None:
    assert check_password_hash(pwhash, "pw") in (True, False)


def test_safe_join_ok() -> None:
    assert safe_join("static", "css/site.css") == "static/css/site.css"
    assert safe_join("static", "a", "b.txt") == "static/a/b.txt"
    assert safe_join("static", "a/./b/../c") == "static/a/c"
    assert safe_join("", "x") == "./x"
    assert safe_join("static") == "static"
    assert safe_join("static", "") == "static/"
    assert safe_join("static", "a..b") == "static/a..b"


@pytest.mark.parametrize(
    "name",
    [
        "..",
        "../secret",
        "a/../../secret",
        "/etc/passwd",
        "//server/share",
        "a\\..\\..\\b",
        "..\\b",
        "C:\\Windows",
        "C:secret",
        "c:/x",
        "a\0b",
        "a/b/../../..",
    ],
)
def test_safe_join_refuses(name: str) -> None:
    assert safe_join("static", name) is None
    assert safe_join("static", "ok", name) is None


@pytest.mark.parametrize(
    "name",
    [
        "CON",
        "con.txt",
        "NUL.tar.gz",
        "aux  ",
        " aux",
        "PRN . txt",
        "a/COM1",
        "lpt\u00b9.log",
        "CONIN$",
        "CON:stream",
    ],
)
def test_safe_join_refuses_windows_devices_on_windows(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Opening "CON" on Windows reads the console: send_from_directory would hang.
    with monkeypatch.context() as patch:
        patch.setattr("os.name", "nt")
        joined = safe_join("static", name)
    # (asserted after os.name is restored: pytest's report needs the real one)
    assert joined is None


def test_safe_join_keeps_device_like_names_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.name", "posix")
    assert safe_join("static", "CON") == "static/CON"
    assert safe_join("static", "console.txt") == "static/console.txt"


@given(st.lists(st.text(max_size=12), max_size=4))
def test_safe_join_never_escapes(names: list[str]) -> None:
    rv = safe_join("base", *names)
    if rv is None:
        return
    assert "\\" not in rv and "\0" not in rv
    normalized = posixpath.normpath(rv)
    assert normalized == "base" or normalized.startswith("base/")
