"""SharedDataMiddleware: files served in front of the app, through WSGI and ASGI."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest

from vial import Vial
from vial.middleware import SharedDataMiddleware
from vial.middleware.shared_data import SharedDataMiddleware as FromModule
from vial.testing import VialClient

SECRET = b"top secret"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "sub").mkdir(parents=True)
    (static / "hello.txt").write_bytes(b"hello world")
    (static / "sub" / "site.css").write_bytes(b"body{}")
    (static / "data.unknownext").write_bytes(b"\x00\x01")
    (static / "private.key").write_bytes(b"key")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "favicon.ico").write_bytes(b"icon")
    os.symlink(tmp_path / "secret.txt", static / "escape.txt")
    return tmp_path


@pytest.fixture
def client(site: Path, interface: str) -> VialClient:
    app = Vial(__name__, static_folder=None)

    @app.route("/app", methods=["GET", "POST"])
    def from_app() -> str:
        return "from the app"

    app.wsgi_app = SharedDataMiddleware(  # type: ignore[method-assign]
        app.wsgi_app,
        {
            "/static": str(site / "static"),
            "/favicon.ico": str(site / "favicon.ico"),
            "/pkg": ("vial", "json"),
        },
        disallow="*.key",
        cache_timeout=600,
    )
    return app.test_client(asgi=interface == "asgi")


def _read(client: VialClient, path: str, **kwargs: t.Any) -> tuple[int, bytes, t.Any]:
    response = client.get(path, **kwargs)
    try:
        return response.status_code, response.data, response.headers
    finally:
        response.close()


def test_serves_files_with_type_and_caching_headers(client: VialClient) -> None:
    status, data, headers = _read(client, "/static/hello.txt")
    assert status == 200 and data == b"hello world"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == "11"
    assert headers["ETag"].startswith('"vial-sdm-') and "Last-Modified" in headers
    assert "public" in headers["Cache-Control"] and "max-age=600" in headers["Cache-Control"]
    assert "Expires" in headers
    assert _read(client, "/static/sub/site.css")[2]["Content-Type"].startswith("text/css")
    assert _read(client, "/static/data.unknownext")[2]["Content-Type"] == (
        "application/octet-stream"
    )
    assert _read(client, "/favicon.ico")[1] == b"icon"
    package_file = Path(__file__).parent.parent / "src" / "vial" / "json" / "__init__.py"
    status, data, _ = _read(client, "/pkg/__init__.py")
    assert status == 200 and data == package_file.read_bytes()


def test_conditional_and_range_requests(client: VialClient) -> None:
    _, _, headers = _read(client, "/static/hello.txt")
    status, data, _ = _read(client, "/static/hello.txt", headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and data == b""
    status, data, _ = _read(
        client, "/static/hello.txt", headers={"If-Modified-Since": headers["Last-Modified"]}
    )
    assert status == 304
    status, data, range_headers = _read(client, "/static/hello.txt", headers={"Range": "bytes=0-4"})
    assert status == 206 and data == b"hello"
    assert range_headers["Content-Range"] == "bytes 0-4/11"
    head = client.head("/static/hello.txt")
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == "11"
    head.close()


def test_everything_else_goes_to_the_app(client: VialClient) -> None:
    assert _read(client, "/app")[1] == b"from the app"
    assert client.post("/app").text == "from the app"
    assert client.post("/static/hello.txt").status_code == 404  # only GET and HEAD are served
    assert _read(client, "/static/missing.txt")[0] == 404
    assert _read(client, "/static/sub")[0] == 404  # a folder is not a file
    assert _read(client, "/static")[0] == 404
    assert _read(client, "/static/private.key")[0] == 404  # disallowed


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/sub/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E%2Fsecret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/%5c..%5csecret.txt",
        "/static/hello.txt%00",
        "/static/%00/../secret.txt",
        "/static//secret.txt",
        "/static/%2Fetc%2Fpasswd",
        "/static/escape.txt",
        "/static/%252e%252e/secret.txt",
        "/static/C:%5csecret.txt",
        "/favicon.ico/../secret.txt",
        "/pkg/../__init__.py",
    ],
)
def test_path_traversal_is_refused(client: VialClient, path: str) -> None:
    status, data, _ = _read(client, path)
    # Not served: the app answers (404, or 308 to merge a doubled slash).
    assert status in (404, 308)
    assert SECRET not in data and b"__version__" not in data


def test_the_names_and_loader_rules() -> None:
    assert SharedDataMiddleware is FromModule

    def app(environ: dict[str, t.Any], start_response: t.Any) -> list[bytes]:
        start_response("404 NOT FOUND", [])
        return [b"app"]

    middleware = SharedDataMiddleware(app, [("/x", "/no/such/folder")], cache=False)
    assert middleware.find_file("/x/anything") is None
    assert middleware.is_allowed("/a/b.txt")


def test_without_cache_no_validators_are_sent(site: Path, interface: str) -> None:
    app = Vial(__name__, static_folder=None)
    app.wsgi_app = SharedDataMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, {"/s": str(site / "static")}, cache=False, fallback_mimetype="text/x-raw"
    )
    client = app.test_client(asgi=interface == "asgi")
    status, data, headers = _read(client, "/s/data.unknownext")
    assert status == 200 and data == b"\x00\x01"
    assert headers["Content-Type"].startswith("text/x-raw")
    assert "ETag" not in headers and "Last-Modified" not in headers
