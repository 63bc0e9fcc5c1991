"""Response helpers and typed headers: redirect, jsonify, ETags, caching, ranges, auth, accept."""

from __future__ import annotations

import hashlib
import typing as t
from datetime import datetime, timezone

import pytest

from vial import Response, Vial, jsonify, redirect, request
from vial.datastructures import WWWAuthenticate
from vial.testing import VialClient


def view(app: Vial, func: t.Callable[[], t.Any], rule: str = "/v") -> None:
    app.add_url_rule(rule, rule.strip("/") or "root", func, methods=["GET", "POST", "PUT"])


# -- redirect ------------------------------------------------------------------------------------


def test_redirect_default_302(app: Vial, client: VialClient) -> None:
    view(app, lambda: redirect("/target"))
    rv = client.get("/v")
    assert rv.status_code == 302
    assert rv.headers["Location"] == "/target"
    assert rv.mimetype == "text/html"
    assert 'href="/target"' in rv.text


@pytest.mark.parametrize("code", [301, 303, 307, 308])
def test_redirect_codes(app: Vial, client: VialClient, code: int) -> None:
    view(app, lambda: redirect("/x", code))
    assert client.get("/v").status_code == code


def test_redirect_non_ascii_location_encoded(app: Vial, client: VialClient) -> None:
    view(app, lambda: redirect("/sök?q=ä b#frag"))
    view(app, lambda: redirect("https://exämple.com/ü", 301), "/abs")
    assert client.get("/v").headers["Location"] == "/s%C3%B6k?q=%C3%A4%20b#frag"
    assert client.get("/abs").headers["Location"] == "https://xn--exmple-cua.com/%C3%BC"


def test_redirect_location_cannot_inject_headers(app: Vial, client: VialClient) -> None:
    view(app, lambda: redirect("/a\r\nSet-Cookie: evil=1"))
    rv = client.get("/v")
    assert "Set-Cookie" not in rv.headers
    assert "\n" not in rv.headers["Location"]
    assert "\r" not in rv.headers["Location"]


def test_redirect_body_escapes_location(app: Vial, client: VialClient) -> None:
    view(app, lambda: redirect('/x?"><script>alert(1)</script>'))
    assert "<script>" not in client.get("/v").text


def test_follow_redirects(app: Vial, client: VialClient) -> None:
    view(app, lambda: redirect("/end"))
    view(app, lambda: "the end", "/end")
    rv = client.get("/v", follow_redirects=True)
    assert rv.text == "the end"
    assert [r.status_code for r in rv.history] == [302]


# -- jsonify -------------------------------------------------------------------------------------


def test_jsonify_forms(app: Vial, client: VialClient) -> None:
    view(app, lambda: jsonify(a=1, b=[1, 2]), "/kw")
    view(app, lambda: jsonify(1, 2), "/args")
    view(app, lambda: jsonify({"x": None}), "/one")
    view(app, lambda: jsonify(), "/none")
    rv = client.get("/kw")
    assert rv.mimetype == "application/json"
    assert rv.json == {"a": 1, "b": [1, 2]}
    assert client.get("/args").json == [1, 2]
    assert client.get("/one").json == {"x": None}
    assert client.get("/none").json is None


def test_jsonify_types(app: Vial, client: VialClient) -> None:
    import uuid
    from decimal import Decimal

    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    view(app, lambda: jsonify(d=when, u=uuid.UUID(int=1), n=Decimal("1.5")))
    assert client.get("/v").json == {
        "d": "Tue, 02 Jan 2024 03:04:05 GMT",
        "u": "00000000-0000-0000-0000-000000000001",
        "n": "1.5",
    }


def test_jsonify_error_status_with_tuple(app: Vial, client: VialClient) -> None:
    view(app, lambda: (jsonify(error="nope"), 404))
    rv = client.get("/v")
    assert rv.status_code == 404
    assert rv.json == {"error": "nope"}


# -- ETags and make_conditional ------------------------------------------------------------------


def test_set_etag_and_get_etag(app: Vial, client: VialClient) -> None:
    def strong() -> Response:
        rv = Response("x")
        rv.set_etag("abc")
        assert rv.get_etag() == ("abc", False)
        return rv

    def weak() -> Response:
        rv = Response("x")
        rv.set_etag("abc", weak=True)
        assert rv.get_etag() == ("abc", True)
        return rv

    view(app, strong, "/strong")
    view(app, weak, "/weak")
    assert client.get("/strong").headers["ETag"] == '"abc"'
    assert client.get("/weak").headers["ETag"] == 'W/"abc"'


def test_add_etag_from_body(app: Vial, client: VialClient) -> None:
    def view_func() -> Response:
        rv = Response("hello")
        rv.add_etag()
        rv.add_etag()  # keeps the first unless overwrite
        return rv

    view(app, view_func)
    expected = hashlib.sha1(b"hello").hexdigest()
    assert client.get("/v").headers["ETag"] == f'"{expected}"'


def test_make_conditional_304_and_412(app: Vial, client: VialClient) -> None:
    def view_func() -> Response:
        rv = Response("hello")
        rv.add_etag()
        rv.last_modified = datetime(2024, 1, 1, tzinfo=timezone.utc)
        return rv.make_conditional(request)

    view(app, view_func)
    first = client.get("/v")
    etag = first.headers["ETag"]
    assert first.status_code == 200
    assert "Date" in first.headers
    rv = client.get("/v", headers={"If-None-Match": etag})
    assert (rv.status_code, rv.data) == (304, b"")
    assert client.get("/v", headers={"If-None-Match": 'W/"nope"'}).status_code == 200
    since = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/v", headers={"If-Modified-Since": since}).status_code == 304
    assert client.get("/v", headers={"If-Match": '"nope"'}).status_code == 412
    assert client.put("/v", headers={"If-None-Match": etag}).status_code == 412
    before = "Sun, 31 Dec 2023 00:00:00 GMT"
    assert client.get("/v", headers={"If-Unmodified-Since": before}).status_code == 412


def test_make_conditional_range(app: Vial, client: VialClient) -> None:
    def view_func() -> Response:
        rv = Response(b"0123456789", mimetype="application/octet-stream")
        return rv.make_conditional(request, accept_ranges=True)

    view(app, view_func)
    rv = client.get("/v", headers={"Range": "bytes=2-5"})
    assert rv.status_code == 206
    assert rv.data == b"2345"
    assert rv.headers["Content-Range"] == "bytes 2-5/10"
    assert rv.headers["Accept-Ranges"] == "bytes"
    rv = client.get("/v", headers={"Range": "bytes=20-"})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == "bytes */10"


def test_make_conditional_without_accept_ranges_ignores_range(
    app: Vial, client: VialClient
) -> None:
    view(app, lambda: Response("hello").make_conditional(request))
    rv = client.get("/v", headers={"Range": "bytes=1-2"})
    assert (rv.status_code, rv.data) == (200, b"hello")


# -- cache control -------------------------------------------------------------------------------


def test_response_cache_control(app: Vial, client: VialClient) -> None:
    def view_func() -> Response:
        rv = Response("x")
        rv.cache_control.max_age = 30
        rv.cache_control.private = True
        rv.cache_control.no_store = True
        return rv

    view(app, view_func)
    header = client.get("/v").headers["Cache-Control"]
    assert sorted(p.strip() for p in header.split(",")) == ["max-age=30", "no-store", "private"]


def test_response_cache_control_public_and_removal(app: Vial, client: VialClient) -> None:
    def view_func() -> Response:
        rv = Response("x", headers={"Cache-Control": "no-cache"})
        assert rv.cache_control.no_cache
        rv.cache_control.no_cache = False
        rv.cache_control.public = True
        rv.cache_control.s_maxage = 60
        return rv

    view(app, view_func)
    header = client.get("/v").headers["Cache-Control"]
    assert sorted(p.strip() for p in header.split(",")) == ["public", "s-maxage=60"]


def test_request_cache_control(app: Vial, client: VialClient) -> None:
    view(
        app,
        lambda: {
            "max_age": request.cache_control.max_age,
            "no_cache": request.cache_control.no_cache,
            "no_store": request.cache_control.no_store,
        },
    )
    rv = client.get("/v", headers={"Cache-Control": "max-age=0, no-cache"})
    assert rv.json == {"max_age": 0, "no_cache": True, "no_store": False}
    rv = client.get("/v")
    assert rv.json == {"max_age": None, "no_cache": False, "no_store": False}


# -- conditional request headers -----------------------------------------------------------------


def test_request_if_headers(app: Vial, client: VialClient) -> None:
    def view_func() -> dict[str, t.Any]:
        return {
            "inm_contains": request.if_none_match.contains("b"),
            "inm_weak": request.if_none_match.contains_weak("w"),
            "inm_strong_w": request.if_none_match.contains("w"),
            "im_star": request.if_match.star_tag,
            "ims": request.if_modified_since.isoformat() if request.if_modified_since else None,
            "ius": request.if_unmodified_since,
            "if_range_etag": request.if_range.etag,
        }

    view(app, view_func)
    rv = client.get(
        "/v",
        headers={
            "If-None-Match": '"a", "b", W/"w"',
            "If-Match": "*",
            "If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT",
            "If-Unmodified-Since": "not a date",
            "If-Range": '"tag"',
        },
    )
    assert rv.json == {
        "inm_contains": True,
        "inm_weak": True,
        "inm_strong_w": False,
        "im_star": True,
        "ims": "1994-11-06T08:49:37+00:00",
        "ius": None,
        "if_range_etag": "tag",
    }


def test_request_if_headers_absent(app: Vial, client: VialClient) -> None:
    view(
        app,
        lambda: {
            "inm": bool(request.if_none_match),
            "im": bool(request.if_match),
            "ims": request.if_modified_since,
            "range": request.range is None,
        },
    )
    assert client.get("/v").json == {"inm": False, "im": False, "ims": None, "range": True}


@pytest.mark.parametrize(
    ("header", "ranges", "for_ten"),
    [
        ("bytes=0-499", [[0, 500]], [0, 10]),
        ("bytes=-5", [[-5, None]], [5, 10]),
        ("bytes=3-", [[3, None]], [3, 10]),
        ("bytes=0-1, 4-5", [[0, 2], [4, 6]], None),
    ],
)
def test_request_range(
    app: Vial, client: VialClient, header: str, ranges: list[list[int | None]], for_ten: t.Any
) -> None:
    def view_func() -> dict[str, t.Any]:
        rng = request.range
        assert rng is not None
        return {
            "units": rng.units,
            "ranges": [list(r) for r in rng.ranges],
            "for_ten": list(b) if (b := rng.range_for_length(10)) else None,
        }

    view(app, view_func)
    rv = client.get("/v", headers={"Range": header})
    assert rv.json == {"units": "bytes", "ranges": ranges, "for_ten": for_ten}


@pytest.mark.parametrize("header", ["bytes=5-2", "bytes=", "pages=1-2x", "bytes=a-b"])
def test_request_range_invalid_is_none(app: Vial, client: VialClient, header: str) -> None:
    view(app, lambda: {"none": request.range is None})
    assert client.get("/v", headers={"Range": header}).json == {"none": True}


# -- accept headers ------------------------------------------------------------------------------


def test_accept_mimetypes_best_match_and_quality(app: Vial, client: VialClient) -> None:
    view(
        app,
        lambda: {
            "best": request.accept_mimetypes.best_match(["application/json", "text/html"]),
            "html": request.accept_mimetypes["text/html"],
            "json": request.accept_mimetypes.quality("application/json"),
            "best_overall": request.accept_mimetypes.best,
            "accept_json": request.accept_mimetypes.accept_json,
        },
    )
    rv = client.get("/v", headers={"Accept": "text/html;q=0.5, application/json;q=0.9, */*;q=0.1"})
    assert rv.json == {
        "best": "application/json",
        "html": 0.5,
        "json": 0.9,
        "best_overall": "application/json",
        "accept_json": True,
    }
    rv = client.get("/v", headers={"Accept": "text/*"})
    assert rv.json == {
        "best": "text/html",
        "html": 1,
        "json": 0,
        "best_overall": "text/*",
        "accept_json": False,
    }


def test_accept_best_match_default_and_no_header(app: Vial, client: VialClient) -> None:
    view(
        app,
        lambda: {
            "m": request.accept_mimetypes.best_match(["image/png"], default="fallback"),
            "lang": request.accept_languages.best_match(["en", "de"]),
        },
    )
    rv = client.get("/v", headers={"Accept": "text/html", "Accept-Language": "de, en;q=0.5"})
    assert rv.json == {"m": "fallback", "lang": "de"}
    # A region tag falls back to its language when nothing matches exactly.
    rv = client.get("/v", headers={"Accept-Language": "de-CH"})
    assert rv.json["lang"] == "de"
    # Without the headers nothing is matched (as in Flask): the default is returned.
    assert client.get("/v").json == {"m": "fallback", "lang": None}


# -- authorization -------------------------------------------------------------------------------


def auth_view(app: Vial) -> None:
    def view_func() -> dict[str, t.Any]:
        auth = request.authorization
        if auth is None:
            return {"auth": None}
        return {
            "type": auth.type,
            "username": auth.username,
            "password": auth.password,
            "token": auth.token,
        }

    view(app, view_func)


def test_authorization_basic(app: Vial, client: VialClient) -> None:
    auth_view(app)
    rv = client.get("/v", headers={"Authorization": "Basic dXNlcjpwYTpzcw=="})  # user:pa:ss
    assert rv.json == {"type": "basic", "username": "user", "password": "pa:ss", "token": None}
    rv = client.get("/v", auth=("ünï", "pw"))
    assert rv.json["username"] == "ünï"


def test_authorization_bearer(app: Vial, client: VialClient) -> None:
    auth_view(app)
    rv = client.get("/v", headers={"Authorization": "Bearer abc.def-ghi"})
    assert rv.json == {"type": "bearer", "username": None, "password": None, "token": "abc.def-ghi"}


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("MyToken this-is-the-token!", "this-is-the-token!"),
        ("Token a b", "a b"),
        ("ApiKey k3y@host==", "k3y@host=="),
    ],
)
def test_authorization_any_token(app: Vial, client: VialClient, header: str, token: str) -> None:
    """A token scheme's value is the token even outside token68, as Werkzeug reads it.

    Flask-HTTPAuth's ``HTTPTokenAuth`` takes ``request.authorization.token``; with
    ``MyToken this-is-the-token!`` it found no token and refused the request.
    """
    auth_view(app)
    rv = client.get("/v", headers={"Authorization": header})
    assert rv.json["token"] == token
    assert rv.json["username"] is None


@pytest.mark.parametrize("header", ["", "Basic", "Basic !!!notbase64", "Basic bm9jb2xvbg=="])
def test_authorization_malformed_never_500(app: Vial, client: VialClient, header: str) -> None:
    auth_view(app)
    rv = client.get("/v", headers={"Authorization": header})
    assert rv.status_code == 200
    body = rv.json
    assert body == {"auth": None} or not body["username"]


def test_www_authenticate(app: Vial, client: VialClient) -> None:
    def basic() -> Response:
        rv = Response("no", 401)
        rv.www_authenticate = WWWAuthenticate("basic", {"realm": 'My "App"'})
        return rv

    def bearer() -> Response:
        rv = Response("no", 401)
        rv.www_authenticate = WWWAuthenticate("bearer", {"realm": "api", "error": "invalid_token"})
        return rv

    view(app, basic, "/basic")
    view(app, bearer, "/bearer")
    assert client.get("/basic").headers["WWW-Authenticate"] == 'Basic realm="My \\"App\\""'
    header = client.get("/bearer").headers["WWW-Authenticate"]
    # Quoting a token value is optional (RFC 9110 auth-param); both forms mean the same.
    assert header.replace('"', "") == "Bearer realm=api, error=invalid_token"


def test_www_authenticate_read_back(app: Vial) -> None:
    rv = Response("no", 401, headers={"WWW-Authenticate": 'Digest realm="x", nonce="n1"'})
    auth = rv.www_authenticate
    assert auth.type == "digest"
    assert auth["realm"] == "x"
    assert auth["nonce"] == "n1"


def test_www_authenticate_changes_update_the_header() -> None:
    rv = Response("no", 401)
    rv.www_authenticate.realm = "Testing"
    assert rv.headers["WWW-Authenticate"].replace('"', "") == "Basic realm=Testing"
    rv.www_authenticate = WWWAuthenticate(
        "digest", {"realm": "REALM", "nonce": "NONCE", "qop": "auth, auth-int"}
    )
    rv.www_authenticate.parameters["qop"] = "auth"
    assert rv.headers["WWW-Authenticate"] == 'Digest realm="REALM", nonce="NONCE", qop="auth"'
    del rv.www_authenticate
    assert "WWW-Authenticate" not in rv.headers
    rv.www_authenticate = [WWWAuthenticate("basic"), WWWAuthenticate("bearer")]
    assert rv.headers.getlist("WWW-Authenticate") == ["Basic", "Bearer"]


def test_content_language_is_a_header_set() -> None:
    rv = Response("hi")
    rv.content_language.add("en-US")
    rv.content_language.add("fr")
    assert rv.headers["Content-Language"] == "en-US, fr"
    assert "FR" in rv.content_language
    rv.content_language = ["de"]
    assert rv.headers["Content-Language"] == "de"
    rv.content_language = None
    assert "Content-Language" not in rv.headers


def test_content_range_can_be_set_and_changed() -> None:
    from vial.datastructures import Range

    rv = Response("x" * 10)
    assert not rv.content_range
    rv.content_range = Range("bytes", [(0, 500)]).make_content_range(1000)
    assert rv.headers["Content-Range"] == "bytes 0-499/1000"
    assert (rv.content_range.start, rv.content_range.stop, rv.content_range.length) == (
        0,
        500,
        1000,
    )
    rv.content_range.stop = 100
    assert rv.headers["Content-Range"] == "bytes 0-99/1000"
    rv.content_range.unset()
    assert "Content-Range" not in rv.headers
    rv.content_range = "bytes */1000"
    assert rv.content_range.length == 1000
    rv.content_range = None
    assert "Content-Range" not in rv.headers
