"""Responses: construction, status, content type, cookies, body, JSON, and view return values."""

from __future__ import annotations

import os
import typing as t
import warnings
from datetime import datetime, timedelta, timezone

import pytest

from vial import Response, Vial, jsonify, make_response, request
from vial.datastructures import Headers
from vial.testing import VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


# -- construction --------------------------------------------------------------------------------


def test_defaults() -> None:
    r = Response()
    assert r.status == "200 OK"
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert r.content_type == "text/html; charset=utf-8"
    assert r.get_data() == b""


def test_body_from_str_bytes_and_iterables() -> None:
    assert Response("héllo").get_data() == "héllo".encode()
    assert Response("héllo").headers["Content-Length"] == "6"
    assert Response(b"\x00\xff").get_data() == b"\x00\xff"
    assert Response(["a", b"b", "c"]).get_data() == b"abc"
    assert Response(x for x in ["g", "en"]).get_data(as_text=True) == "gen"


@pytest.mark.parametrize(
    ("status", "line", "code"),
    [
        (201, "201 CREATED", 201),
        ("201 CREATED", "201 CREATED", 201),
        ("201", "201 CREATED", 201),
        ("299", "299 UNKNOWN", 299),
        ("418 Custom Reason", "418 Custom Reason", 418),
        (404, "404 NOT FOUND", 404),
    ],
)
def test_status_forms(status: int | str, line: str, code: int) -> None:
    r = Response("x", status=status)
    assert r.status == line
    assert r.status_code == code


def test_status_setters() -> None:
    r = Response()
    r.status_code = 404
    assert r.status == "404 NOT FOUND"
    r.status = "202 ACCEPTED"
    assert r.status_code == 202
    r.status = 500  # type: ignore[assignment]
    assert r.status == "500 INTERNAL SERVER ERROR"


@pytest.mark.parametrize("bad", ["", "abc", "20 OK", "2000 OK"])
def test_invalid_status_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Response("x", status=bad)


def test_mimetype_and_content_type() -> None:
    assert Response("x", mimetype="text/plain").content_type == "text/plain; charset=utf-8"
    assert Response("x", mimetype="application/json").content_type == "application/json"
    assert (
        Response("x", mimetype="application/xml").content_type == "application/xml; charset=utf-8"
    )
    assert Response("x", content_type="text/plain").content_type == "text/plain"
    r = Response("x")
    r.mimetype = "text/csv"
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.mimetype == "text/csv"
    r = Response("x", content_type="text/plain; charset=latin-1")
    assert r.mimetype == "text/plain"
    assert r.mimetype_params == {"charset": "latin-1"}


def test_changing_mimetype_params_rewrites_the_content_type() -> None:
    r = Response("x", mimetype="text/plain")
    params = r.mimetype_params
    params["charset"] = "latin-1"
    params["format"] = "flowed"
    assert r.headers["Content-Type"] == "text/plain; charset=latin-1; format=flowed"
    del r.mimetype_params["format"]
    assert r.headers["Content-Type"] == "text/plain; charset=latin-1"


def test_headers_given_as_dict_list_or_headers() -> None:
    for headers in ({"X-A": "1"}, [("X-A", "1")], Headers([("X-A", "1")])):
        r = Response("x", headers=headers)
        assert r.headers["x-a"] == "1"
        assert r.content_type == "text/html; charset=utf-8"
    r = Response("x", headers={"Content-Type": "text/plain"})
    assert r.content_type == "text/plain"


def test_headers_add_and_multi_values() -> None:
    r = Response()
    r.headers.add("X-Multi", "a")
    r.headers.add("X-Multi", "b")
    assert r.headers.getlist("X-Multi") == ["a", "b"]
    r.headers["X-Multi"] = "c"
    assert r.headers.getlist("x-multi") == ["c"]


def test_get_data_set_data_and_data_property() -> None:
    r = Response("one")
    r.set_data("twenty-two")
    assert r.get_data() == b"twenty-two"
    assert r.headers["Content-Length"] == "10"
    r.data = b"xy"
    assert r.data == b"xy"
    assert r.get_data(as_text=True) == "xy"
    assert r.headers["Content-Length"] == "2"


def test_json_property_and_jsonify(app: Vial) -> None:
    with app.app_context():
        r = jsonify(a=1, b=[1, 2])
    assert r.mimetype == "application/json"
    assert r.is_json
    assert r.json == {"a": 1, "b": [1, 2]}
    assert Response("x").json is None


def test_location_property() -> None:
    r = Response(status=302)
    r.location = "/elsewhere"
    assert r.headers["Location"] == "/elsewhere"
    assert r.location == "/elsewhere"


def test_call_on_close_runs_when_closed() -> None:
    calls: list[str] = []
    r = Response("x")

    @r.call_on_close
    def done() -> None:
        calls.append("closed")

    assert calls == []
    r.close()
    assert calls == ["closed"]


def test_call_on_close_runs_after_the_server_reads_the_body(app: Vial, client: VialClient) -> None:
    calls: list[str] = []

    @app.route("/")
    def index() -> Response:
        r = Response(iter(["a", "b"]))
        r.call_on_close(lambda: calls.append("closed"))
        return r

    response = client.get("/")
    assert response.data == b"ab"
    response.close()
    assert calls == ["closed"]


def test_body_rewrapped_over_iter_encoded() -> None:
    """Werkzeug's ``iter_encoded()`` holds the body it was called on, so wrapping it
    and assigning the wrapper back to ``response.response`` works."""
    r = Response(["a", "b"])
    chunks = r.iter_encoded()
    r.response = (chunk.upper() for chunk in chunks)
    assert r.get_data() == b"AB"


def test_after_request_rewraps_streamed_body(app: Vial, client: VialClient) -> None:
    """Flask-Compress compresses a streamed response this way in ``after_request``;
    on vial the body iterated itself ("generator already executing")."""

    @app.route("/s")
    def streamed() -> Response:
        return Response(c for c in ["ab", "cd"])

    @app.after_request
    def upper(response: Response) -> Response:
        chunks = response.iter_encoded()
        response.response = (chunk.upper() for chunk in chunks)
        return response

    assert client.get("/s").data == b"ABCD"


# -- cookies ------------------------------------------------------------------------------------


def test_set_cookie_with_every_attribute() -> None:
    r = Response()
    r.set_cookie(
        "k",
        "v",
        max_age=60,
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        path="/p",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="Strict",
        partitioned=True,
    )
    assert r.headers["Set-Cookie"] == (
        "k=v; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=60;"
        " Secure; HttpOnly; Path=/p; SameSite=Strict; Partitioned"
    )


def test_set_cookie_defaults_and_quoting() -> None:
    r = Response()
    r.set_cookie("plain", "a;c")
    assert r.headers["Set-Cookie"] == 'plain="a\\073c"; Path=/'


def test_set_cookie_max_age_timedelta_sets_expires() -> None:
    r = Response()
    r.set_cookie("td", "1", max_age=timedelta(hours=1))
    header = r.headers["Set-Cookie"]
    assert "Max-Age=3600" in header
    assert "Expires=" in header


def test_set_cookie_invalid_samesite_is_refused() -> None:
    with pytest.raises(ValueError):
        Response().set_cookie("k", "v", samesite="sometimes")


def test_set_cookie_several_are_separate_headers() -> None:
    r = Response()
    r.set_cookie("a", "1")
    r.set_cookie("b", "2")
    assert r.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_a_cookie_over_max_cookie_size_warns_and_is_still_set() -> None:
    r = Response()
    assert r.max_cookie_size == 4093
    with pytest.warns(UserWarning, match=r"'big' cookie is \d+ bytes long.*limit of 4093"):
        r.set_cookie("big", "x" * 5000)
    assert r.headers["Set-Cookie"].startswith("big=" + "x" * 5000)


def test_max_cookie_size_comes_from_the_app_config(app: Vial) -> None:
    app.config["MAX_COOKIE_SIZE"] = 100
    with app.app_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = Response()
        assert r.max_cookie_size == 100
        r.set_cookie("small", "x" * 50)
        r.set_cookie("medium", "x" * 150)
        app.config["MAX_COOKIE_SIZE"] = 0  # no limit, no warning
        r.set_cookie("huge", "x" * 10000)
    assert [str(w.message).split(" cookie")[0] for w in caught] == ["The 'medium'"]
    assert "limit of 100 bytes" in str(caught[0].message)


def test_an_oversized_session_cookie_warns(app: Vial, client: VialClient) -> None:
    app.config["MAX_COOKIE_SIZE"] = 200

    @app.get("/fill")
    def fill() -> str:
        from vial import session

        session["data"] = os.urandom(250).hex()  # random: the serializer cannot compress it
        return "ok"

    with pytest.warns(UserWarning, match="'session' cookie"):
        assert client.get("/fill").status_code == 200


def test_delete_cookie() -> None:
    r = Response()
    r.delete_cookie("gone", path="/x", domain="example.com")
    assert r.headers["Set-Cookie"] == (
        "gone=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/x"
    )


def test_cookie_set_in_view_reaches_the_client(app: Vial, client: VialClient) -> None:
    @app.route("/set")
    def set_() -> Response:
        r = make_response("set")
        r.set_cookie("flavour", "oat", httponly=True)
        return r

    response = client.get("/set")
    assert response.headers["Set-Cookie"] == "flavour=oat; HttpOnly; Path=/"
    cookie = client.get_cookie("flavour")
    assert cookie is not None
    assert cookie.value == "oat"


# -- make_response -----------------------------------------------------------------------------


def test_make_response_forms(app: Vial) -> None:
    with app.test_request_context():
        r = make_response()
        assert (r.status_code, r.data) == (200, b"")
        r = make_response("body")
        assert (r.status_code, r.data) == (200, b"body")
        r = make_response("x", 404, {"X": "y"})
        assert (r.status, r.headers["X"]) == ("404 NOT FOUND", "y")
        r = make_response(("x", 201))
        assert r.status_code == 201
        r = make_response({"a": 1})
        assert r.json == {"a": 1}
        existing = Response("x")
        assert make_response(existing) is existing


def test_make_response_outside_app_context_is_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="application context"):
        make_response("x")


# -- view return values ------------------------------------------------------------------------


def _view_returning(app: Vial, value: t.Any) -> None:
    def view() -> t.Any:
        return value() if callable(value) and not isinstance(value, Response) else value

    app.add_url_rule("/", "view", view)


def test_view_returns_str(app: Vial, client: VialClient) -> None:
    _view_returning(app, "héllo")
    r = client.get("/")
    assert (r.status_code, r.text, r.content_type) == (200, "héllo", "text/html; charset=utf-8")
    assert r.headers["Content-Length"] == "6"


def test_view_returns_bytes(app: Vial, client: VialClient) -> None:
    _view_returning(app, b"\x00bytes")
    r = client.get("/")
    assert (r.status_code, r.data, r.mimetype) == (200, b"\x00bytes", "text/html")


def test_view_returns_dict_as_json(app: Vial, client: VialClient) -> None:
    _view_returning(app, {"a": [1, "é"]})
    r = client.get("/")
    assert (r.status_code, r.mimetype, r.json) == (200, "application/json", {"a": [1, "é"]})


def test_view_returns_list_as_json(app: Vial, client: VialClient) -> None:
    _view_returning(app, ["a", 1, None])
    r = client.get("/")
    assert (r.mimetype, r.json) == ("application/json", ["a", 1, None])


def test_view_returns_response(app: Vial, client: VialClient) -> None:
    _view_returning(app, lambda: Response("made", status=203, mimetype="text/plain"))
    r = client.get("/")
    assert (r.status_code, r.text, r.content_type) == (203, "made", "text/plain; charset=utf-8")


def test_view_returns_generator_streamed(app: Vial, client: VialClient) -> None:
    def generate() -> t.Iterator[str]:
        yield "a"
        yield "b"
        yield "é"

    _view_returning(app, generate)
    r = client.get("/")
    assert r.status_code == 200
    assert r.text == "abé"
    assert "Content-Length" not in r.headers


def test_view_returns_iterator(app: Vial, client: VialClient) -> None:
    _view_returning(app, lambda: iter([b"x", b"y"]))
    assert client.get("/").data == b"xy"


def test_streamed_generator_sees_request_with_stream_with_context(
    app: Vial, client: VialClient
) -> None:
    from vial import stream_with_context

    @app.route("/")
    def index() -> t.Any:
        def generate() -> t.Iterator[str]:
            yield request.args["x"]
            yield "!"

        return stream_with_context(generate())

    assert client.get("/?x=hi").text == "hi!"


def test_view_returns_body_status_tuple(app: Vial, client: VialClient) -> None:
    _view_returning(app, ("created", 201))
    r = client.get("/")
    assert (r.status, r.text) == ("201 CREATED", "created")


def test_view_returns_body_status_line_tuple(app: Vial, client: VialClient) -> None:
    _view_returning(app, ("tea", "418 TEAPOT"))
    response = client.get("/")
    assert response.status_code == 418
    if not client.asgi:
        # ASGI's http.response.start carries only the code, no reason phrase.
        assert response.status == "418 TEAPOT"


def test_view_returns_body_headers_tuple(app: Vial, client: VialClient) -> None:
    _view_returning(app, ("body", {"X-A": "1"}))
    r = client.get("/")
    assert (r.status_code, r.headers["X-A"]) == (200, "1")
    app2 = Vial("second")
    app2.add_url_rule("/", "v", lambda: ("body", [("X-B", "2"), ("X-B", "3")]))
    r = app2.test_client(asgi=client.asgi).get("/")
    assert r.headers.getlist("X-B") == ["2", "3"]


def test_view_returns_body_status_headers_tuple(app: Vial, client: VialClient) -> None:
    _view_returning(app, ({"ok": True}, 202, {"X-A": "1"}))
    r = client.get("/")
    assert (r.status_code, r.json, r.headers["X-A"], r.mimetype) == (
        202,
        {"ok": True},
        "1",
        "application/json",
    )


def test_tuple_headers_extend_response_headers(app: Vial, client: VialClient) -> None:
    _view_returning(app, lambda: (Response("x", headers={"X-A": "1"}), 201, {"X-B": "2"}))
    r = client.get("/")
    assert (r.status_code, r.headers["X-A"], r.headers["X-B"]) == (201, "1", "2")


def test_tuple_of_wrong_length_is_type_error(app: Vial, client: VialClient) -> None:
    _view_returning(app, ("a", 200, {}, "extra"))
    with pytest.raises(TypeError, match="valid response tuple"):
        client.get("/")


def test_none_is_type_error_naming_the_view(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def forgot_to_return() -> None:
        pass

    with pytest.raises(TypeError, match="'forgot_to_return' did not return a valid response"):
        client.get("/")


def test_none_is_500_when_not_testing(app: Vial, client: VialClient) -> None:
    app.testing = False

    @app.route("/")
    def forgot_to_return() -> None:
        pass

    assert client.get("/").status_code == 500


def test_unsupported_return_type_is_type_error(app: Vial, client: VialClient) -> None:
    _view_returning(app, lambda: 3.5)
    with pytest.raises(TypeError, match="float"):
        client.get("/")


def test_none_body_in_tuple_is_type_error(app: Vial, client: VialClient) -> None:
    _view_returning(app, (None, 200))
    with pytest.raises(TypeError, match="did not return a valid response"):
        client.get("/")


def test_204_and_304_send_no_body_headers(app: Vial, client: VialClient) -> None:
    @app.route("/204")
    def no_content() -> tuple[str, int]:
        return "", 204

    r = client.get("/204")
    assert r.status_code == 204
    assert r.data == b""
    assert "Content-Length" not in r.headers


def test_head_of_a_list_body_has_the_length_get_has(app: Vial, client: VialClient) -> None:
    # The length of a list body is computed when it is sent; HEAD answers with the
    # same headers as GET (as in Flask), and no body.
    @app.route("/parts")
    def parts() -> Response:
        return Response(["a", b"bc", "é"])

    got = client.get("/parts")
    head = client.head("/parts")
    assert got.headers["Content-Length"] == "5"
    assert head.headers["Content-Length"] == "5"
    assert head.data == b""


def test_a_body_chunk_that_is_not_str_or_bytes_is_a_type_error(
    app: Vial, client: VialClient
) -> None:
    # bytes(5) is five NUL bytes: an int chunk must fail, as in Flask, not be sent so.
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.route("/gen")
    def gen() -> Response:
        def chunks() -> t.Iterator[t.Any]:
            yield "ok"
            yield 5

        return Response(chunks())

    @app.route("/list")
    def in_list() -> Response:
        return Response(["a", 5])

    @app.route("/buffers")
    def buffers() -> Response:
        return Response([bytearray(b"ab"), memoryview(b"cd"), "é"])

    with pytest.raises(TypeError, match="not int"):
        client.get("/gen").get_data()
    with pytest.raises(TypeError, match="not int"):
        client.get("/list")
    with pytest.raises(TypeError, match="not int"):
        Response().set_data(5)  # type: ignore[arg-type]
    got = client.get("/buffers")
    assert got.data == "abcdé".encode()
    assert got.headers["Content-Length"] == "6"


def test_implicit_sequence_conversion_and_freeze(app: Vial, client: VialClient) -> None:
    # As in Werkzeug: with implicit_sequence_conversion off, reading a streamed body
    # is an error until make_sequence(); freeze() buffers it and adds an ETag.
    seen: list[t.Any] = []

    @app.route("/")
    def index() -> Response:
        return Response(iter(["a", "b"]))

    @app.after_request
    def after(response: Response) -> Response:
        response.implicit_sequence_conversion = False
        with pytest.raises(RuntimeError, match="make_sequence"):
            response.get_data()
        response.make_sequence()
        seen.append(response.get_data())
        return response

    assert client.get("/").data == b"ab"
    assert seen == [b"ab"]
    frozen = Response(iter(["x"]))
    frozen.freeze()
    assert frozen.response == [b"x"]
    assert frozen.headers["Content-Length"] == "1"
    assert frozen.headers["ETag"] == '"11f6ad8ec52a2984abaafd7c3b516503785c2072"'
    kept = Response("y", headers={"ETag": '"mine"'})
    kept.freeze()
    assert kept.headers["ETag"] == '"mine"'


def test_a_str_subclass_is_one_body_with_a_length(app: Vial, client: VialClient) -> None:
    """Markup (what a template macro returns) is text, not an iterable of characters."""
    from markupsafe import Markup

    response = Response(Markup("<b>hi</b>"))
    assert response.response == [b"<b>hi</b>"]
    assert response.headers["Content-Length"] == "9"

    @app.get("/macro")
    def macro() -> Markup:
        return Markup("<i>é</i>")

    got = client.get("/macro")
    assert got.data == "<i>é</i>".encode()
    assert got.headers["Content-Length"] == str(len("<i>é</i>".encode()))


def test_a_cookie_domain_loses_its_leading_dot() -> None:
    response = Response()
    response.set_cookie("a", "1", domain=".example.com")
    assert response.headers["Set-Cookie"] == "a=1; Domain=example.com; Path=/"


@pytest.mark.parametrize("extra", [None, {"X-Other": "1"}])
def test_a_location_iri_is_sent_as_a_uri(app: Vial, client: VialClient, extra: t.Any) -> None:
    """As Werkzeug does: a Location (or Content-Location) header set by hand with
    non-ASCII text is percent-encoded, on the inlined path and the full one."""

    @app.get("/moved")
    def moved() -> Response:
        response = make_response("", 302)
        response.headers["Location"] = "/café?q=é €"
        response.headers["Content-Location"] = "/doc/naïve"
        if extra:
            response.headers.update(extra)
        return response

    got = client.get("/moved")
    assert got.status_code == 302
    assert got.headers["Location"] == "/caf%C3%A9?q=%C3%A9%20%E2%82%AC"
    assert got.headers["Content-Location"] == "/doc/na%C3%AFve"


def test_location_header_set_directly_quotes_backslashes(client: VialClient, app: Vial) -> None:
    @app.route("/go")
    def go() -> Response:
        return Response("", 302, headers={"Location": "/\\\\evil.example?q"})

    @app.route("/tuple")
    def from_tuple() -> t.Any:  # the inlined pipeline's plain answer
        return "", 302, {"Location": "/\\\\evil.example?q b"}

    @app.route("/content-location")
    def content_location() -> t.Any:
        return "x", 200, {"Content-Location": "/a b\\c"}

    assert client.get("/go").headers["Location"] == "/%5C%5Cevil.example?q"
    assert client.get("/tuple").headers["Location"] == "/%5C%5Cevil.example?q%20b"
    assert client.get("/content-location").headers["Content-Location"] == "/a%20b%5Cc"


def test_response_stream_writes_to_the_body() -> None:
    response = Response()
    response.stream.write("Hello ")
    response.stream.write("World!")
    assert response.get_data() == b"Hello World!"
    assert response.stream.tell() == 12


def test_response_stream_in_a_view_fixes_the_length(client: VialClient, app: Vial) -> None:
    @app.route("/written")
    def written() -> Response:
        response = Response("start;")
        print("printed", file=response.stream, end=";")
        response.stream.writelines([b"bytes;", "caf\u00e9"])
        response.stream.close()
        with pytest.raises(ValueError, match="closed file"):
            response.stream.write("late")
        return response

    got = client.get("/written")
    assert got.data == "start;printed;bytes;café".encode()
    assert got.headers["Content-Length"] == str(len(got.data))
