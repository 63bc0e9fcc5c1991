"""Path traversal against the static route and ``send_from_directory``, both interfaces.

``safe_join`` itself is unit- and property-tested in ``tests/test_security.py``; here each
trick is a request, and the secret next to (or far above) the folder must never come back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vial import Vial, send_from_directory
from vial.testing import VialClient

SECRET = b"top secret: do not serve"

TRICKS = [
    "../secret.txt",
    "..%2fsecret.txt",
    "..%2Fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "%2E%2E%2Fsecret.txt",
    "%252e%252e%252fsecret.txt",
    "%252e%252e/secret.txt",
    "..%5csecret.txt",
    "..%255csecret.txt",
    "sub/../../secret.txt",
    "sub/%2e%2e/%2e%2e/secret.txt",
    "./../secret.txt",
    "....//secret.txt",
    "..%c0%afsecret.txt",
    "..%u2216secret.txt",
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "//etc/passwd",
    "C:%5cWindows%5cwin.ini",
    "C:/Windows/win.ini",
    "c:secret.txt",
    "%5c%5cserver%5cshare%5csecret.txt",
    "secret.txt%00.css",
    "public.txt%00",
    "link-out/secret.txt",
    "link-file",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True)
    (folder / "public.txt").write_bytes(b"public")
    (folder / "sub" / "inner.txt").write_bytes(b"inner")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    os.symlink(tmp_path, folder / "link-out")
    os.symlink(tmp_path / "secret.txt", folder / "link-file")
    return tmp_path


@pytest.fixture
def site_client(site: Path, interface: str) -> VialClient:
    app = Vial(
        __name__, root_path=str(site), static_folder=str(site / "files"), static_url_path="/static"
    )

    @app.get("/download/<path:name>")
    def download(name: str) -> object:
        return send_from_directory("files", name)

    @app.get("/query")
    def query() -> object:
        from vial import request

        return send_from_directory(site / "files", request.args["name"])

    return app.test_client(asgi=interface == "asgi")


def assert_refused(client: VialClient, url: str) -> None:
    # merge_slashes answers "//etc" with a redirect to the merged path: follow it.
    response = client.get(url, follow_redirects=True)
    body = response.get_data()
    response.close()
    assert response.status_code in (400, 404), (url, response.status_code)
    assert SECRET not in body
    assert b"root:" not in body


def test_legitimate_files_are_served(site_client: VialClient) -> None:
    for url in ("/static/public.txt", "/download/public.txt", "/download/sub/inner.txt"):
        response = site_client.get(url)
        assert response.status_code == 200
        response.close()


@pytest.mark.parametrize("trick", TRICKS)
def test_static_route_refuses_traversal(site_client: VialClient, trick: str) -> None:
    assert_refused(site_client, "/static/" + trick)


@pytest.mark.parametrize("trick", TRICKS)
def test_send_from_directory_refuses_traversal(site_client: VialClient, trick: str) -> None:
    assert_refused(site_client, "/download/" + trick)


@pytest.mark.parametrize(
    "name",
    [
        "../secret.txt",
        "/etc/passwd",
        "..\\secret.txt",
        "C:\\Windows\\win.ini",
        "c:secret.txt",
        "\\\\server\\share",
        "secret.txt\x00",
        "public.txt\x00.css",
        "sub/../../secret.txt",
        "link-out/secret.txt",
        "link-file",
        "",
        ".",
        "sub",
    ],
)
def test_send_from_directory_refuses_raw_names(site_client: VialClient, name: str) -> None:
    # The name arrives decoded (a form field, a JSON body): no URL decoding in the way.
    from urllib.parse import quote

    assert_refused(site_client, "/query?name=" + quote(name, safe=""))


def test_raw_path_with_dot_segments_never_escapes(site: Path, interface: str) -> None:
    # A raw, unnormalised PATH_INFO as a proxy or a hand-written client could send it.
    app = Vial(
        __name__, root_path=str(site), static_folder=str(site / "files"), static_url_path="/static"
    )
    client = app.test_client(asgi=interface == "asgi")
    for raw in ("/static/../secret.txt", "/static/sub/../../secret.txt", "/static/..\\secret.txt"):
        response = client.get("/", environ_overrides={"PATH_INFO": raw})
        assert response.status_code in (400, 404)
        assert SECRET not in response.get_data()
        response.close()
