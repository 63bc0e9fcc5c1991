"""Findings of an outside-style attack sweep against real servers, kept as regressions.

Each was first seen as a 500 under gunicorn, uvicorn, hypercorn or granian; here they
run in process through both interfaces (the real-server versions are in
``test_sec_limits.py``). The ``xfail(strict=True)`` ones need a change in a file this
sweep could not touch; each names the change.
"""

from __future__ import annotations

import asyncio
import io
import logging
import typing as t
from urllib.parse import quote

import pytest

from vial import Vial, jsonify, redirect, request, send_file, session
from vial.testing import VialClient
from vial.wrappers import Response


@pytest.fixture
def app(app: Vial, monkeypatch: pytest.MonkeyPatch) -> Vial:
    app.testing = False
    monkeypatch.setattr(logging.getLogger(app.name), "disabled", True)

    @app.get("/max-forwards")
    def max_forwards() -> dict[str, int | None]:
        return {"max_forwards": request.max_forwards}

    @app.get("/go")
    def go() -> Response:
        return redirect(request.args["next"])

    @app.post("/go")
    def go_json() -> Response:
        return redirect(request.get_json()["next"])

    @app.get("/files/<path:name>")
    def files(name: str) -> str:
        return name

    @app.get("/url")
    def url() -> str:
        return request.url

    @app.post("/echo")
    def echo() -> Response:
        return jsonify(request.get_json())

    @app.post("/remember")
    def remember() -> str:
        session["data"] = request.get_json()
        return "ok"

    @app.get("/export")
    def export() -> Response:
        name = request.args["name"]
        return send_file(io.BytesIO(b"data"), download_name=name, as_attachment=True)

    return app


@pytest.mark.parametrize(
    ("value", "expected"),
    [("9" * 5000, None), ("9" * 19, None), (" 12 ", 12), ("0", 0), ("-1", None), ("1e3", None)],
)
def test_max_forwards_never_raises(client: VialClient, value: str, expected: int | None) -> None:
    # 5,000 digits is past Python's int-from-str limit (4,300): int() raised ValueError.
    response = client.get("/max-forwards", headers={"Max-Forwards": value})
    assert response.status_code == 200
    assert response.get_json() == {"max_forwards": expected}


@pytest.mark.parametrize("target", ["http://[::1", "http://[::1/x", "//[evil"])
def test_redirect_to_a_target_that_is_no_url_is_400(client: VialClient, target: str) -> None:
    # urlsplit raised "Invalid IPv6 URL" (a 500) for redirect(request.args["next"]).
    response = client.get("/go", query_string={"next": target})
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", ["\\ud800", "/a\\udfff", "http://x/\\udbff"])
def test_redirect_to_a_lone_surrogate_from_json_is_400(client: VialClient, target: str) -> None:
    # A JSON body may hold lone surrogates (as in Flask); encoding one raised
    # UnicodeEncodeError in iri_to_uri.
    response = client.post("/go", data=f'{{"next": "{target}"}}', content_type="application/json")
    assert response.status_code == 400


def test_redirect_to_ordinary_targets_still_works(client: VialClient) -> None:
    response = client.get("/go", query_string={"next": "/caf\u00e9?q=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/caf%C3%A9?q=1"


def _nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize(("depth", "status"), [(256, 200), (257, 400), (990, 400)])
def test_json_too_deep_to_write_back_is_400(
    app: Vial, client: VialClient, kind: str, depth: int, status: int
) -> None:
    # Python parses ~990 levels but cannot write them back from a view: jsonify and the
    # session raised RecursionError (a 500). app.json.max_depth (256) refuses them first.
    app.secret_key = "sweep"
    for path in ("/echo", "/remember"):
        response = client.post(path, data=_nested(depth, kind), content_type="application/json")
        assert response.status_code == status, path


def test_json_max_depth_none_accepts_what_the_parser_accepts(app: Vial) -> None:
    app.json.max_depth = None  # type: ignore[attr-defined]
    assert app.json.loads(_nested(500, "array")) is not None
    app.json.max_depth = 3  # type: ignore[attr-defined]
    assert app.json.loads("[[[1]], [[2]]]") == [[[1]], [[2]]]
    with pytest.raises(ValueError, match="more than 3 levels"):
        app.json.loads("[[[[1]]]]")
    with pytest.raises(ValueError, match="more than 3 levels"):
        app.json.loads(b'{"a": [{"b": [1]}]}')


@pytest.mark.parametrize(
    "name",
    ["report\r\nSet-Cookie: admin=1.csv", "a\x00b.csv", "tab\tname.csv", "caf\u00e9\n.csv"],
)
def test_download_name_from_user_input_with_controls_is_encoded(
    client: VialClient, name: str
) -> None:
    # send_file(download_name=request.args[...]) with CR, LF or NUL made a header value
    # that Headers refuses: a 500. Now filename= drops them and filename* keeps them.
    response = client.get("/export", query_string={"name": name})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    disposition = response.headers["Content-Disposition"]
    assert not any(c in disposition for c in "\r\n\x00\t")
    assert disposition.endswith("filename*=UTF-8''" + quote(name, safe="!#$&+^`|~"))


def test_plain_download_names_are_unchanged(client: VialClient) -> None:
    response = client.get("/export", query_string={"name": "report 2026.csv"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="report 2026.csv"'


# -- need a change in src/vial/wrappers/request.py and src/vial/app.py -----------------

BAD_PATHS = ["/files/a%zz", "/files/a%ff", "/files/%c0%ae%c0%ae"]

PATH_RAISES = (
    "Request.path raises BadRequest on every read for a path with invalid percent-encoding"
    " or UTF-8, so an after_request, errorhandler(400) or teardown_request that reads"
    " request.path / request.url (logging, CORS) turns the 400 into a 500. Fix: path"
    " returns a lossy decoding and records the error; app.match_request raises it."
)


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_path_is_400_when_after_request_reads_the_path(
    app: Vial, client: VialClient, path: str
) -> None:
    seen: list[str] = []

    @app.after_request
    def log_path(response: Response) -> Response:
        seen.append(request.path)  # as well as it decodes: "\ufffd" for bad UTF-8
        return response

    assert client.get(path).status_code == 400
    assert seen and seen[0].startswith("/files/")


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_path_is_400_when_an_error_handler_reads_the_url(
    app: Vial, client: VialClient, path: str
) -> None:
    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[str, int]:
        return f"bad request for {request.url}", 400

    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_path_is_400_when_teardown_reads_the_path(
    app: Vial, client: VialClient, path: str
) -> None:
    seen: list[str] = []

    @app.teardown_request
    def log_path(error: BaseException | None) -> None:
        seen.append(request.path)

    assert client.get(path).status_code == 400


@pytest.mark.parametrize("host", ["[::1", "::1]", "[::1]]", "a[b]"])
def test_host_with_unbalanced_brackets_never_makes_request_url_a_500(
    client: VialClient, host: str
) -> None:
    # urlsplit raised "Invalid IPv6 URL" in uri_to_iri, under request.url.
    response = client.get("/url", headers={"Host": host})
    assert response.status_code < 500


@pytest.mark.parametrize("host", ["[::1", "::1]", "[::1]]", "a[b]"])
def test_host_with_unbalanced_brackets_is_400(client: VialClient, host: str) -> None:
    assert client.get("/url", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["[::1]", "[::1]:8080", "[fe80::1%25eth0]:80"])
def test_bracketed_ipv6_hosts_are_served(client: VialClient, host: str) -> None:
    assert client.get("/url", headers={"Host": host}).status_code == 200


# -- needs a change in src/vial/asgi.py --------------------------------------------------


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, t.Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 12345),
    }


async def _trickling_upload(app: Vial, statuses: list[int]) -> None:
    """A POST whose body starts and then stalls: a slowloris on the body."""
    first = True

    async def receive() -> dict[str, t.Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"a", "more_body": True}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(message: dict[str, t.Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    headers = [(b"content-length", b"1000"), (b"content-type", b"application/octet-stream")]
    await app.asgi(_scope("POST", "/upload", headers), receive, send)


def test_stalled_uploads_do_not_starve_other_sync_requests(app: Vial) -> None:
    app.config["ASGI_THREAD_POOL_SIZE"] = 2
    app.config["ASGI_BODY_TIMEOUT"] = 1.5

    @app.post("/upload")
    def upload() -> str:
        return str(len(request.get_data()))

    @app.get("/ping")
    def ping() -> str:
        return "pong"

    async def scenario() -> tuple[list[int], list[int]]:
        stalled: list[int] = []
        uploads = [asyncio.ensure_future(_trickling_upload(app, stalled)) for _ in range(3)]
        await asyncio.sleep(0.2)
        pinged: list[int] = []

        async def send(message: dict[str, t.Any]) -> None:
            if message["type"] == "http.response.start":
                pinged.append(message["status"])

        async def receive() -> dict[str, t.Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        try:
            await asyncio.wait_for(app.asgi(_scope("GET", "/ping", []), receive, send), 0.8)
        except asyncio.TimeoutError:
            pass
        await asyncio.gather(*uploads)  # each ends with a 408 after ASGI_BODY_TIMEOUT
        return pinged, stalled

    pinged, stalled = asyncio.run(scenario())
    assert stalled == [408, 408, 408]
    assert pinged == [200]
