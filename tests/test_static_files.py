"""Static files, send_file and send_from_directory: headers, conditional requests, ranges."""

from __future__ import annotations

import asyncio
import gc
import io
import os
import sys
import time
import tracemalloc
import typing as t
import weakref
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vial import Vial, send_file, send_from_directory
from vial.http import http_date
from vial.testing import VialClient

CSS = b"body { color: red; }\n"


class BufferedClient(VialClient):
    """Reads each response whole and closes it (closing releases the sent file)."""

    def open(self, *args: t.Any, buffered: bool = True, **kwargs: t.Any) -> t.Any:
        return super().open(*args, buffered=buffered, **kwargs)


def make_client(app: Vial, interface: str) -> VialClient:
    app.test_client_class = BufferedClient
    return app.test_client(asgi=interface == "asgi")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_bytes(CSS)
    (static / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (static / "data.unknownext").write_bytes(b"???")
    (static / "empty.txt").write_bytes(b"")
    (static / "digits.txt").write_bytes(b"0123456789")
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "report.pdf").write_bytes(b"%PDF-1.4 report")
    (tmp_path / "secret.txt").write_bytes(b"top secret")
    return tmp_path


@pytest.fixture
def site_app(site: Path) -> Vial:
    app = Vial(__name__, static_folder=str(site / "static"), root_path=str(site))
    app.config.update(TESTING=True, SECRET_KEY="k")
    return app


@pytest.fixture
def site_client(site_app: Vial, interface: str) -> VialClient:
    return make_client(site_app, interface)


# -- the static route ----------------------------------------------------------------------------


def test_static_route_serves_files(site_client: VialClient) -> None:
    rv = site_client.get("/static/css/site.css")
    assert rv.status_code == 200
    assert rv.data == CSS
    assert rv.headers["Content-Type"] == "text/css; charset=utf-8"
    assert rv.headers["Content-Length"] == str(len(CSS))
    assert rv.headers["Accept-Ranges"] == "bytes"
    assert rv.headers["Cache-Control"] == "no-cache"
    assert rv.headers["ETag"].startswith('"')
    assert rv.last_modified is not None
    assert "inline" in rv.headers["Content-Disposition"]


def test_static_url_for(site_app: Vial) -> None:
    with site_app.test_request_context():
        from vial import url_for

        assert url_for("static", filename="css/site.css") == "/static/css/site.css"


def test_static_missing_file_is_404(site_client: VialClient) -> None:
    assert site_client.get("/static/nope.css").status_code == 404
    assert site_client.get("/static/css").status_code == 404  # a directory


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="needs reference counting")
def test_app_with_static_route_is_freed_without_the_cycle_collector(site: Path) -> None:
    # The static route's view must not hold the app strongly, or every app made in a
    # factory or a test lives until the cycle collector runs (Flask issue #3761).
    gc.disable()
    try:
        app = Vial(__name__, static_folder=str(site / "static"), root_path=str(site))
        assert app.view_functions["static"]
        ref = weakref.ref(app)
        del app
        assert ref() is None
    finally:
        gc.enable()


def test_static_route_calls_an_overridden_send_static_file(site: Path, interface: str) -> None:
    class MyApp(Vial):
        def send_static_file(self, filename: str) -> t.Any:
            return f"mine: {filename}"

    app = MyApp(__name__, static_folder=str(site / "static"), root_path=str(site))
    assert make_client(app, interface).get("/static/css/site.css").text == "mine: css/site.css"


def test_custom_static_folder_and_url_path(site: Path, interface: str) -> None:
    app = Vial(__name__, static_folder="downloads", static_url_path="/files", root_path=str(site))
    client = make_client(app, interface)
    rv = client.get("/files/report.pdf")
    assert rv.status_code == 200
    assert rv.data == b"%PDF-1.4 report"
    assert rv.mimetype == "application/pdf"
    assert client.get("/static/report.pdf").status_code == 404


def test_static_url_path_defaults_to_folder_name(site: Path, interface: str) -> None:
    app = Vial(__name__, static_folder="downloads", root_path=str(site))
    client = make_client(app, interface)
    assert client.get("/downloads/report.pdf").status_code == 200


def test_no_static_folder_no_route(site: Path, interface: str) -> None:
    app = Vial(__name__, static_folder=None, root_path=str(site))
    assert "static" not in app.view_functions
    client = make_client(app, interface)
    assert client.get("/static/css/site.css").status_code == 404


def test_static_host(site: Path, interface: str) -> None:
    app = Vial(
        __name__,
        static_folder=str(site / "static"),
        root_path=str(site),
        host_matching=True,
        static_host="cdn.example.com",
    )
    client = make_client(app, interface)
    assert client.get("http://cdn.example.com/static/digits.txt").data == b"0123456789"
    assert client.get("http://www.example.com/static/digits.txt").status_code == 404


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("css/site.css", "text/css"),
        ("logo.png", "image/png"),
        ("digits.txt", "text/plain"),
        ("data.unknownext", "application/octet-stream"),
    ],
)
def test_mimetype_guessed(site_client: VialClient, name: str, mimetype: str) -> None:
    assert site_client.get(f"/static/{name}").mimetype == mimetype


def test_send_file_max_age_default(site_app: Vial, site_client: VialClient) -> None:
    site_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    rv = site_client.get("/static/digits.txt")
    assert rv.headers["Cache-Control"] == "public, max-age=3600"
    assert rv.expires is not None
    expected = datetime.now(timezone.utc) + timedelta(seconds=3600)
    assert abs((rv.expires - expected).total_seconds()) < 5
    site_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(minutes=5)
    assert site_client.get("/static/digits.txt").headers["Cache-Control"] == ("public, max-age=300")


def test_get_send_file_max_age_override(site: Path, interface: str) -> None:
    class App(Vial):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 10 if filename and filename.endswith(".css") else None

    app = App(__name__, static_folder=str(site / "static"), root_path=str(site))
    client = make_client(app, interface)
    assert client.get("/static/css/site.css").headers["Cache-Control"] == "public, max-age=10"
    assert client.get("/static/digits.txt").headers["Cache-Control"] == "no-cache"


def test_head_request_has_headers_no_body(site_client: VialClient) -> None:
    rv = site_client.head("/static/digits.txt")
    assert rv.status_code == 200
    assert rv.headers["Content-Length"] == "10"
    assert rv.data == b""


# -- send_file -----------------------------------------------------------------------------------


@pytest.fixture
def sf_app(site_app: Vial) -> Vial:
    return site_app


def add_view(app: Vial, func: t.Callable[[], t.Any]) -> None:
    app.add_url_rule("/v", "v", func)


def test_send_file_path_relative_to_root(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file("downloads/report.pdf"))
    rv = site_client.get("/v")
    assert rv.data == b"%PDF-1.4 report"
    assert rv.mimetype == "application/pdf"
    assert rv.headers["Content-Disposition"] == "inline; filename=report.pdf"


def test_send_file_pathlike(sf_app: Vial, site: Path, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file(site / "downloads" / "report.pdf"))
    assert site_client.get("/v").data == b"%PDF-1.4 report"


def test_send_file_file_object_needs_name_or_mimetype(
    sf_app: Vial, site_client: VialClient
) -> None:
    sf_app.config["PROPAGATE_EXCEPTIONS"] = True
    add_view(sf_app, lambda: send_file(io.BytesIO(b"data")))
    with pytest.raises(TypeError, match="download_name"):
        site_client.get("/v")


def test_send_file_file_object(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file(io.BytesIO(b"a,b\n1,2\n"), mimetype="text/csv"))
    rv = site_client.get("/v")
    assert rv.data == b"a,b\n1,2\n"
    assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert rv.headers["Content-Length"] == "8"
    assert "Content-Disposition" not in rv.headers
    assert "ETag" not in rv.headers  # no path to derive one from


def test_send_file_real_file_object_closed(sf_app: Vial, site: Path, interface: str) -> None:
    opened: list[t.IO[bytes]] = []

    def view() -> t.Any:
        f = open(site / "downloads" / "report.pdf", "rb")  # noqa: SIM115
        opened.append(f)
        return send_file(f, download_name="r.pdf")

    add_view(sf_app, view)
    client = sf_app.test_client(asgi=interface == "asgi")
    rv = client.get("/v")
    assert rv.data == b"%PDF-1.4 report"
    rv.close()
    assert opened[0].closed


def test_send_file_as_attachment(sf_app: Vial, site_client: VialClient) -> None:
    add_view(
        sf_app,
        lambda: send_file("downloads/report.pdf", as_attachment=True, download_name="Q1.pdf"),
    )
    rv = site_client.get("/v")
    assert rv.headers["Content-Disposition"] == "attachment; filename=Q1.pdf"


def test_send_file_attachment_without_name_fails(sf_app: Vial, site_client: VialClient) -> None:
    sf_app.config["PROPAGATE_EXCEPTIONS"] = True
    add_view(sf_app, lambda: send_file(io.BytesIO(b"x"), mimetype="text/plain", as_attachment=True))
    with pytest.raises(TypeError):
        site_client.get("/v")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Ñandú «x».txt",
            "attachment; filename=\"Nandu x.txt\"; filename*=UTF-8''"
            "%C3%91and%C3%BA%20%C2%ABx%C2%BB.txt",
        ),
        (
            "отчёт.pdf",
            "attachment; filename=.pdf; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf",
        ),
        ('a b;"c".txt', 'attachment; filename="a b;\\"c\\".txt"'),
    ],
)
def test_download_names_rfc_6266(
    sf_app: Vial, site_client: VialClient, name: str, expected: str
) -> None:
    add_view(sf_app, lambda: send_file(io.BytesIO(b"x"), as_attachment=True, download_name=name))
    rv = site_client.get("/v")
    assert rv.headers["Content-Disposition"] == expected
    assert rv.mimetype == "text/plain" if name.endswith(".txt") else "application/pdf"


def test_download_name_with_newline_cannot_inject_headers(
    sf_app: Vial, site_client: VialClient
) -> None:
    add_view(
        sf_app,
        lambda: send_file(
            io.BytesIO(b"x"), as_attachment=True, download_name="a\r\nSet-Cookie: x=1.txt"
        ),
    )
    sf_app.config["PROPAGATE_EXCEPTIONS"] = False
    rv = site_client.get("/v")
    # Flask raises ValueError (a 500); vial drops the controls from filename= and
    # percent-encodes them in filename*, so a name from user input is no 500 either.
    assert rv.status_code == 200
    assert "Set-Cookie" not in rv.headers
    assert rv.headers["Content-Disposition"] == (
        'attachment; filename="aSet-Cookie: x=1.txt";'
        " filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x%3D1.txt"
    )


def test_send_file_mimetype_argument(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file("downloads/report.pdf", mimetype="application/x-custom"))
    assert site_client.get("/v").headers["Content-Type"] == "application/x-custom"


def test_send_file_etag_arguments(sf_app: Vial, site_client: VialClient) -> None:
    sf_app.add_url_rule("/fixed", "fixed", lambda: send_file("secret.txt", etag="v1"))
    sf_app.add_url_rule("/none", "none", lambda: send_file("secret.txt", etag=False))
    assert site_client.get("/fixed").headers["ETag"] == '"v1"'
    assert site_client.get("/fixed", headers={"If-None-Match": '"v1"'}).status_code == 304
    assert "ETag" not in site_client.get("/none").headers


def test_send_file_last_modified_argument(sf_app: Vial, site_client: VialClient) -> None:
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    sf_app.add_url_rule("/dt", "dt", lambda: send_file("secret.txt", last_modified=when))
    sf_app.add_url_rule(
        "/ts", "ts", lambda: send_file("secret.txt", last_modified=when.timestamp())
    )
    assert site_client.get("/dt").headers["Last-Modified"] == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert site_client.get("/ts").headers["Last-Modified"] == "Thu, 02 Jan 2020 03:04:05 GMT"
    rv = site_client.get("/dt", headers={"If-Modified-Since": "Thu, 02 Jan 2020 03:04:05 GMT"})
    assert rv.status_code == 304


def test_send_file_max_age_argument(sf_app: Vial, site_client: VialClient) -> None:
    sf_app.add_url_rule("/int", "int", lambda: send_file("secret.txt", max_age=60))
    sf_app.add_url_rule("/zero", "zero", lambda: send_file("secret.txt", max_age=0))
    sf_app.add_url_rule(
        "/call",
        "call",
        lambda: send_file("secret.txt", max_age=lambda path: 7 if path else None),
    )
    assert site_client.get("/int").headers["Cache-Control"] == "public, max-age=60"
    assert site_client.get("/zero").headers["Cache-Control"] == "max-age=0"
    assert site_client.get("/call").headers["Cache-Control"] == "public, max-age=7"


def test_send_file_max_age_defaults_to_the_app_setting(
    sf_app: Vial, site_client: VialClient
) -> None:
    sf_app.add_url_rule("/path", "path", lambda: send_file("secret.txt"))
    sf_app.add_url_rule(
        "/stream", "stream", lambda: send_file(io.BytesIO(b"x"), mimetype="text/plain")
    )
    sf_app.add_url_rule("/dir", "dir", lambda: send_from_directory("downloads", "report.pdf"))
    assert site_client.get("/path").headers["Cache-Control"] == "no-cache"
    sf_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = timedelta(minutes=2)
    for url in ("/path", "/stream", "/dir"):
        assert site_client.get(url).headers["Cache-Control"] == "public, max-age=120"


def test_send_file_max_age_asks_the_app_for_the_path(site: Path, interface: str) -> None:
    seen: list[str | None] = []

    class App(Vial):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            seen.append(filename)
            return 9 if filename and filename.endswith(".txt") else None

    app = App(__name__, root_path=str(site))
    app.add_url_rule("/txt", "txt", lambda: send_file("secret.txt"))
    app.add_url_rule("/pdf", "pdf", lambda: send_file("downloads/report.pdf"))
    client = make_client(app, interface)
    assert client.get("/txt").headers["Cache-Control"] == "public, max-age=9"
    assert client.get("/pdf").headers["Cache-Control"] == "no-cache"
    assert seen == [str(site / "secret.txt"), str(site / "downloads" / "report.pdf")]


def test_send_file_not_conditional(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file("downloads/report.pdf", conditional=False))
    rv = site_client.get("/v", headers={"Range": "bytes=0-3"})
    assert rv.status_code == 200
    assert rv.data == b"%PDF-1.4 report"
    etag = rv.headers.get("ETag")
    if etag:
        assert site_client.get("/v", headers={"If-None-Match": etag}).status_code == 200


def test_send_file_missing_path_raises(sf_app: Vial, site_client: VialClient) -> None:
    sf_app.config["PROPAGATE_EXCEPTIONS"] = True
    add_view(sf_app, lambda: send_file("nope.bin"))
    with pytest.raises(FileNotFoundError):
        site_client.get("/v")


# -- send_from_directory -------------------------------------------------------------------------


def test_send_from_directory(sf_app: Vial, site_client: VialClient) -> None:
    @sf_app.route("/dl/<path:name>")
    def download(name: str) -> t.Any:
        return send_from_directory("downloads", name, as_attachment=True)

    rv = site_client.get("/dl/report.pdf")
    assert rv.status_code == 200
    assert rv.data == b"%PDF-1.4 report"
    assert rv.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert site_client.get("/dl/missing.pdf").status_code == 404
    assert site_client.get("/dl/../secret.txt").status_code == 404


# -- conditional requests ------------------------------------------------------------------------


def test_if_none_match_304(site_client: VialClient) -> None:
    etag = site_client.get("/static/digits.txt").headers["ETag"]
    rv = site_client.get("/static/digits.txt", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert "Content-Length" not in rv.headers or rv.headers["Content-Length"] == "0"
    assert site_client.get("/static/digits.txt", headers={"If-None-Match": "*"}).status_code == 304
    rv = site_client.get("/static/digits.txt", headers={"If-None-Match": '"other", ' + etag})
    assert rv.status_code == 304
    rv = site_client.get("/static/digits.txt", headers={"If-None-Match": '"other"'})
    assert rv.status_code == 200


def test_if_modified_since_304(site_client: VialClient) -> None:
    last_modified = site_client.get("/static/digits.txt").headers["Last-Modified"]
    rv = site_client.get("/static/digits.txt", headers={"If-Modified-Since": last_modified})
    assert rv.status_code == 304
    older = http_date(time.time() - 86400 * 365)
    rv = site_client.get("/static/digits.txt", headers={"If-Modified-Since": older})
    assert rv.status_code == 200


def test_if_match_412(site_client: VialClient) -> None:
    etag = site_client.get("/static/digits.txt").headers["ETag"]
    assert site_client.get("/static/digits.txt", headers={"If-Match": etag}).status_code == 200
    assert site_client.get("/static/digits.txt", headers={"If-Match": "*"}).status_code == 200
    rv = site_client.get("/static/digits.txt", headers={"If-Match": '"stale"'})
    assert rv.status_code == 412


def test_if_unmodified_since_412(site_client: VialClient) -> None:
    older = http_date(time.time() - 86400 * 365)
    rv = site_client.get("/static/digits.txt", headers={"If-Unmodified-Since": older})
    assert rv.status_code == 412
    newer = http_date(time.time() + 86400)
    rv = site_client.get("/static/digits.txt", headers={"If-Unmodified-Since": newer})
    assert rv.status_code == 200


# -- byte ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "body", "content_range"),
    [
        ("bytes=0-3", b"0123", "bytes 0-3/10"),
        ("bytes=4-", b"456789", "bytes 4-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
        ("bytes=0-0", b"0", "bytes 0-0/10"),
    ],
)
def test_single_range_206(
    site_client: VialClient, header: str, body: bytes, content_range: str
) -> None:
    rv = site_client.get("/static/digits.txt", headers={"Range": header})
    assert rv.status_code == 206
    assert rv.data == body
    assert rv.headers["Content-Range"] == content_range
    assert rv.headers["Content-Length"] == str(len(body))


def test_range_on_file_object(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file(io.BytesIO(b"abcdefghij"), mimetype="text/plain"))
    rv = site_client.get("/v", headers={"Range": "bytes=2-4"})
    assert rv.status_code == 206
    assert rv.data == b"cde"
    assert rv.headers["Content-Range"] == "bytes 2-4/10"


def test_if_range(site_client: VialClient) -> None:
    first = site_client.get("/static/digits.txt")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    rv = site_client.get("/static/digits.txt", headers={"Range": "bytes=0-1", "If-Range": etag})
    assert (rv.status_code, rv.data) == (206, b"01")
    rv = site_client.get(
        "/static/digits.txt", headers={"Range": "bytes=0-1", "If-Range": last_modified}
    )
    assert (rv.status_code, rv.data) == (206, b"01")
    rv = site_client.get(
        "/static/digits.txt", headers={"Range": "bytes=0-1", "If-Range": '"changed"'}
    )
    assert (rv.status_code, rv.data) == (200, b"0123456789")
    rv = site_client.get(
        "/static/digits.txt",
        headers={"Range": "bytes=0-1", "If-Range": "Thu, 01 Jan 1998 00:00:00 GMT"},
    )
    assert (rv.status_code, rv.data) == (200, b"0123456789")


def test_unsatisfiable_range_416(site_client: VialClient) -> None:
    rv = site_client.get("/static/digits.txt", headers={"Range": "bytes=10-"})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == "bytes */10"


def test_range_ignored_for_post_and_non_bytes_unit(sf_app: Vial, site_client: VialClient) -> None:
    sf_app.add_url_rule("/p", "p", lambda: send_file("secret.txt"), methods=["GET", "POST"])
    assert site_client.post("/p", headers={"Range": "bytes=0-1"}).status_code == 200
    rv = site_client.get("/p", headers={"Range": "items=0-1"})
    assert (rv.status_code, rv.data) == (200, b"top secret")


# -- how the body is handed over -----------------------------------------------------------------


class RecordingFileWrapper:
    """A server's ``wsgi.file_wrapper``: records the file it was given."""

    instances: t.ClassVar[list[RecordingFileWrapper]] = []

    def __init__(self, file: t.IO[bytes], block_size: int = 8192) -> None:
        self.file = file
        self.block_size = block_size
        self.closed = False
        RecordingFileWrapper.instances.append(self)

    def __iter__(self) -> t.Iterator[bytes]:
        while chunk := self.file.read(self.block_size):
            yield chunk

    def close(self) -> None:
        self.closed = True
        self.file.close()


def test_wsgi_file_wrapper_used_when_offered(site_app: Vial) -> None:
    # WSGI only: ``wsgi.file_wrapper`` is a WSGI server feature (ASGI uses pathsend).
    RecordingFileWrapper.instances.clear()
    client = site_app.test_client()
    rv = client.get(
        "/static/digits.txt", environ_overrides={"wsgi.file_wrapper": RecordingFileWrapper}
    )
    assert rv.data == b"0123456789"
    rv.close()
    (wrapper,) = RecordingFileWrapper.instances
    assert os.path.basename(wrapper.file.name) == "digits.txt"
    assert wrapper.closed
    # A range needs only part of the file: the wrapper would send all of it, so not used.
    RecordingFileWrapper.instances.clear()
    rv = client.get(
        "/static/digits.txt",
        headers={"Range": "bytes=2-3"},
        environ_overrides={"wsgi.file_wrapper": RecordingFileWrapper},
    )
    assert rv.data == b"23"
    rv.close()
    assert RecordingFileWrapper.instances == []


@pytest.fixture
def big_file(site: Path) -> Path:
    path = site / "static" / "big.bin"
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        for _ in range(32):
            f.write(block)
    return path


def test_large_file_streamed_wsgi(site_app: Vial, big_file: Path) -> None:
    # WSGI half; the ASGI half is below (the ASGI test client collects the whole body).
    client = site_app.test_client()
    tracemalloc.start()
    try:
        rv = client.get("/static/big.bin")
        chunks = 0
        total = 0
        biggest = 0
        for chunk in rv.response:
            chunks += 1
            total += len(chunk)
            biggest = max(biggest, len(chunk))
        rv.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == big_file.stat().st_size
    assert chunks > 100
    assert biggest <= 1024 * 1024
    assert peak < 8 * 1024 * 1024


def test_large_file_streamed_asgi(site_app: Vial, big_file: Path) -> None:
    # Drives app.asgi directly with a server that offers no pathsend, to see each message.
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/static/big.bin",
        "raw_path": b"/static/big.bin",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "server": ("localhost", 80),
        "client": ("127.0.0.1", 5000),
    }
    sizes: list[int] = []
    status: list[int] = []

    received: list[bool] = []

    async def receive() -> dict[str, t.Any]:
        if not received:
            received.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, t.Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            sizes.append(len(message.get("body", b"")))

    tracemalloc.start()
    try:
        asyncio.run(site_app.asgi(scope, receive, send))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == [200]
    assert sum(sizes) == big_file.stat().st_size
    assert max(sizes) <= 1024 * 1024
    assert peak < 8 * 1024 * 1024


# -- USE_X_SENDFILE --------------------------------------------------------------------------------


def test_x_sendfile_names_the_file_and_sends_no_body(
    sf_app: Vial, site: Path, site_client: VialClient
) -> None:
    sf_app.config["USE_X_SENDFILE"] = True
    add_view(sf_app, lambda: send_file("downloads/report.pdf"))
    rv = site_client.get("/v")
    assert rv.status_code == 200
    assert rv.headers["X-Sendfile"] == str(site / "downloads" / "report.pdf")
    assert rv.data == b""
    assert rv.headers["Content-Length"] == str(len(b"%PDF-1.4 report"))
    assert rv.mimetype == "application/pdf"
    # Conditional requests are still answered by the app.
    again = site_client.get("/v", headers={"If-None-Match": rv.headers["ETag"]})
    assert again.status_code == 304
    # Ranges are left to the front server, which has the file.
    ranged = site_client.get("/v", headers={"Range": "bytes=0-3"})
    assert ranged.status_code == 200
    assert "X-Sendfile" in ranged.headers


def test_x_sendfile_static_files_and_file_objects(
    sf_app: Vial, site: Path, site_client: VialClient
) -> None:
    sf_app.config["USE_X_SENDFILE"] = True
    # A file object has no path to name: its bytes are sent as usual.
    add_view(sf_app, lambda: send_file(io.BytesIO(b"abc"), mimetype="text/plain"))
    static = site_client.get("/static/css/site.css")
    assert static.headers["X-Sendfile"] == str(site / "static" / "css" / "site.css")
    assert static.data == b""
    rv = site_client.get("/v")
    assert "X-Sendfile" not in rv.headers
    assert rv.data == b"abc"


def test_without_x_sendfile_the_file_is_sent(sf_app: Vial, site_client: VialClient) -> None:
    add_view(sf_app, lambda: send_file("downloads/report.pdf"))
    rv = site_client.get("/v")
    assert "X-Sendfile" not in rv.headers
    assert rv.data == b"%PDF-1.4 report"
