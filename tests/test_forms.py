"""Form posts and file uploads through the app: request.form, request.files, limits, streams."""

from __future__ import annotations

import io
import os
import typing as t

import pytest

from vial import Vial, request
from vial.datastructures import FileStorage
from vial.testing import VialClient

BOUNDARY = "vialTestBoundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(*parts: tuple[str, bytes] | tuple[str, bytes, str]) -> bytes:
    """A multipart body; a 3-tuple is a file part ``(name, data, filename)``."""
    out = []
    for part in parts:
        name, data = part[0], part[1]
        disposition = f'form-data; name="{name}"'
        extra = ""
        if len(part) == 3:
            disposition += f'; filename="{part[2]}"'
            extra = "Content-Type: application/octet-stream\r\n"
        out.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{extra}\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(out) + f"--{BOUNDARY}--\r\n".encode()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


class ChunkedInput:
    """A ``wsgi.input`` without a Content-Length, handing out at most ``step`` bytes a read.

    ``read()`` without a size returns the rest: the ASGI test client reads the body that
    way and delivers it in ``http.request`` messages, so under ASGI ``step`` does not
    change what the app sees.
    """

    def __init__(self, data: bytes, step: int = 1000) -> None:
        self._data = io.BytesIO(data)
        self._step = step
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        if size is not None and size > self._step:
            size = self._step
        chunk = self._data.read(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.fixture
def echo_app(app: Vial) -> Vial:
    @app.route("/form", methods=["POST"])
    def form() -> dict[str, t.Any]:
        return {"form": {k: request.form.getlist(k) for k in request.form}}

    @app.route("/files", methods=["POST"])
    def files() -> dict[str, t.Any]:
        out = {}
        for name, storage in request.files.items(multi=True):
            data = storage.read()
            out[name] = {
                "filename": storage.filename,
                "name": storage.name,
                "content_type": storage.content_type,
                "mimetype": storage.mimetype,
                "size": len(data),
                "head": data[:20].decode("latin-1"),
            }
        return {"files": out, "form": request.form.to_dict()}

    return app


# -- urlencoded and multipart fields -------------------------------------------------------------


def test_urlencoded_form(echo_app: Vial, client: VialClient) -> None:
    rv = client.post("/form", data={"a": ["1", "2"], "b": "é & ="})
    assert rv.status_code == 200
    assert rv.json == {"form": {"a": ["1", "2"], "b": ["é & ="]}}


def test_urlencoded_raw_body_with_plus_and_percent(echo_app: Vial, client: VialClient) -> None:
    rv = client.post(
        "/form",
        data=b"x=a+b%20c&x=%C3%A9&empty=",
        content_type="application/x-www-form-urlencoded",
    )
    assert rv.json == {"form": {"x": ["a b c", "é"], "empty": [""]}}


def test_multipart_field_with_a_charset(echo_app: Vial, client: VialClient) -> None:
    parts = [
        ("latin", "iso-8859-1", "Grüße".encode("latin-1")),
        ("utf8", "UTF-8", "Grüße".encode()),
        ("other", "utf-7", b"plain"),
    ]
    body = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        f"Content-Type: text/plain; charset={charset}\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, charset, data in parts
    )
    body += f"--{BOUNDARY}--\r\n".encode()
    rv = client.post("/form", data=body, content_type=MULTIPART)
    assert rv.status_code == 200
    assert rv.json == {"form": {"latin": ["Grüße"], "utf8": ["Grüße"], "other": ["plain"]}}
    # Bytes that are not valid in the charset used are a 400, not a 500.
    bad = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n'
        "Content-Type: text/plain; charset=utf-16\r\n\r\n".encode()
        + "é".encode("utf-16")
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    assert client.post("/form", data=bad, content_type=MULTIPART).status_code == 400


def test_multipart_fields_and_files(echo_app: Vial, client: VialClient) -> None:
    rv = client.post(
        "/files",
        data={
            "title": "hello",
            "doc": (io.BytesIO(b"%PDF-1.4 body"), "report.pdf"),
            "pic": (io.BytesIO(b"\x89PNG...."), "cat.png", "image/png; q=1"),
        },
    )
    assert rv.status_code == 200
    body = rv.json
    assert body["form"] == {"title": "hello"}
    assert body["files"]["doc"] == {
        "filename": "report.pdf",
        "name": "doc",
        "content_type": "application/pdf",
        "mimetype": "application/pdf",
        "size": 13,
        "head": "%PDF-1.4 body",
    }
    assert body["files"]["pic"]["content_type"] == "image/png; q=1"
    assert body["files"]["pic"]["mimetype"] == "image/png"


def test_multipart_with_webtest_boundary(echo_app: Vial, client: VialClient) -> None:
    """WebTest ends its boundaries with ``$``, outside RFC 2046's set; Werkzeug takes
    them, and vial answered 400 (webargs' file tests post through WebTest)."""
    boundary = "----------a_BoUnDaRy5517845312871652$"
    body = multipart(("title", b"hi"), ("doc", b"data", "a.txt")).replace(
        BOUNDARY.encode(), boundary.encode()
    )
    rv = client.post("/files", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert rv.status_code == 200
    assert rv.json["form"] == {"title": "hi"}
    assert rv.json["files"]["doc"]["filename"] == "a.txt"


def test_several_files_under_one_name(echo_app: Vial, client: VialClient) -> None:
    @echo_app.post("/many")
    def many() -> dict[str, t.Any]:
        return {"names": [f.filename for f in request.files.getlist("f")]}

    rv = client.post(
        "/many",
        data={"f": [(io.BytesIO(b"1"), "one.txt"), (io.BytesIO(b"2"), "two.txt")]},
    )
    assert rv.json == {"names": ["one.txt", "two.txt"]}


def test_file_storage_api(app: Vial, client: VialClient, tmp_path: t.Any) -> None:
    seen: dict[str, t.Any] = {}

    @app.post("/up")
    def up() -> str:
        f = request.files["upload"]
        seen["is_storage"] = isinstance(f, FileStorage)
        seen["bool"] = bool(f)
        seen["header_ct"] = f.headers["Content-Type"]
        seen["disposition"] = f.headers["Content-Disposition"]
        f.save(tmp_path / "saved.txt")
        f.stream.seek(0)
        buffer = io.BytesIO()
        f.save(buffer)
        seen["buffer"] = buffer.getvalue()
        f.stream.seek(0)
        seen["lines"] = list(f)
        return "ok"

    rv = client.post(
        "/up", data={"upload": (io.BytesIO(b"line 1\nline 2\n"), "notes.txt", "text/plain")}
    )
    assert rv.status_code == 200
    assert (tmp_path / "saved.txt").read_bytes() == b"line 1\nline 2\n"
    assert seen == {
        "is_storage": True,
        "bool": True,
        "header_ct": "text/plain",
        "disposition": 'form-data; name="upload"; filename="notes.txt"',
        "buffer": b"line 1\nline 2\n",
        "lines": [b"line 1\n", b"line 2\n"],
    }


def test_content_length_of_a_part(app: Vial, client: VialClient) -> None:
    @app.post("/len")
    def length() -> dict[str, int]:
        return {"len": request.files["f"].content_length}

    body = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        "Content-Length: 3\r\n\r\nabc\r\n"
        f"--{BOUNDARY}--\r\n"
    ).encode()
    assert client.post("/len", data=body, content_type=MULTIPART).json == {"len": 3}


def test_empty_file_field_is_falsy(app: Vial, client: VialClient) -> None:
    @app.post("/empty")
    def empty() -> dict[str, t.Any]:
        f = request.files["f"]
        return {"bool": bool(f), "filename": f.filename, "data": f.read().decode()}

    body = multipart(("f", b"", ""))
    assert client.post("/empty", data=body, content_type=MULTIPART).json == {
        "bool": False,
        "filename": "",
        "data": "",
    }


def test_non_form_body_leaves_form_empty(echo_app: Vial, client: VialClient) -> None:
    rv = client.post("/form", data=b"a=1", content_type="text/plain")
    assert rv.json == {"form": {}}


# -- spooling and cleanup ------------------------------------------------------------------------


def test_small_files_stay_in_memory_large_spool_to_disk(app: Vial, client: VialClient) -> None:
    @app.post("/spool")
    def spool() -> dict[str, t.Any]:
        out = {}
        for name, f in request.files.items():
            try:
                f.stream.fileno()
                on_disk = True
            except (OSError, AttributeError, io.UnsupportedOperation):
                on_disk = False
            out[name] = on_disk
        return out

    rv = client.post(
        "/spool",
        data={
            "small": (io.BytesIO(b"x" * 1000), "small.bin"),
            "large": (io.BytesIO(b"x" * 2_000_000), "large.bin"),
        },
    )
    assert rv.json == {"small": False, "large": True}


def test_large_upload_bytes_arrive_exact(app: Vial, client: VialClient) -> None:
    payload = os.urandom(3_000_000)

    @app.post("/exact")
    def exact() -> dict[str, bool]:
        return {"same": request.files["f"].read() == payload}

    rv = client.post("/exact", data={"f": (io.BytesIO(payload), "r.bin")})
    assert rv.json == {"same": True}


def test_upload_temp_files_closed_after_request(app: Vial, client: VialClient) -> None:
    kept: list[FileStorage] = []

    @app.post("/keep")
    def keep() -> str:
        kept.append(request.files["f"])
        return "ok"

    data = b"y" * 2_000_000
    client.post("/keep", data={"f": (io.BytesIO(data), "a.bin")})  # warm up the interface
    kept.clear()
    before = open_fds()
    for _ in range(3):
        rv = client.post("/keep", data={"f": (io.BytesIO(data), "a.bin")})
        assert rv.status_code == 200
        rv.close()
    assert len(kept) == 3
    assert all(f.stream.closed for f in kept)
    assert open_fds() == before


def test_upload_temp_files_closed_when_view_raises(app: Vial, client: VialClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500 as under a real server
    kept: list[FileStorage] = []

    @app.post("/boom")
    def boom() -> str:
        kept.append(request.files["f"])
        raise RuntimeError("view failed")

    data = b"z" * 2_000_000
    client.post("/boom", data={"f": (io.BytesIO(data), "a.bin")}).close()
    kept.clear()
    before = open_fds()
    for _ in range(3):
        rv = client.post("/boom", data={"f": (io.BytesIO(data), "a.bin")})
        assert rv.status_code == 500
        rv.close()
    assert len(kept) == 3
    assert all(f.stream.closed for f in kept)
    assert open_fds() == before


# -- limits --------------------------------------------------------------------------------------


def test_max_content_length_413(echo_app: Vial, client: VialClient) -> None:
    echo_app.config["MAX_CONTENT_LENGTH"] = 100
    assert client.post("/form", data={"a": "x" * 50}).status_code == 200
    rv = client.post("/form", data={"a": "x" * 200})
    assert rv.status_code == 413
    rv = client.post("/files", data={"f": (io.BytesIO(b"x" * 200), "f.bin")})
    assert rv.status_code == 413


def test_max_content_length_applies_to_get_data(app: Vial, client: VialClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/raw")
    def raw() -> bytes:
        return request.get_data()

    assert client.post("/raw", data=b"0123456789").data == b"0123456789"
    assert client.post("/raw", data=b"0123456789!").status_code == 413


def test_max_form_memory_size_413(echo_app: Vial, client: VialClient) -> None:
    echo_app.config["MAX_FORM_MEMORY_SIZE"] = 100
    ok = {"a": "x" * 100, "f": (io.BytesIO(b"pad"), "f.bin")}
    assert client.post("/files", data=ok).status_code == 200
    # An urlencoded body is one buffer: the limit applies to all of it, as in Flask.
    assert client.post("/form", data={"a": "x" * 98}).status_code == 200
    rv = client.post(
        "/files", data={"a": "x" * 101, "f": (io.BytesIO(b"pad"), "f.bin")}
    )  # multipart
    assert rv.status_code == 413
    rv = client.post("/form", data={"a": "x" * 200})  # urlencoded
    assert rv.status_code == 413


def test_max_form_memory_size_does_not_limit_files(echo_app: Vial, client: VialClient) -> None:
    echo_app.config["MAX_FORM_MEMORY_SIZE"] = 100
    rv = client.post("/files", data={"f": (io.BytesIO(b"x" * 10_000), "f.bin")})
    assert rv.status_code == 200
    assert rv.json["files"]["f"]["size"] == 10_000


def test_max_form_parts_413(echo_app: Vial, client: VialClient) -> None:
    echo_app.config["MAX_FORM_PARTS"] = 5
    body = multipart(*[(f"f{i}", b"v") for i in range(5)])
    assert client.post("/files", data=body, content_type=MULTIPART).status_code == 200
    body = multipart(*[(f"f{i}", b"v") for i in range(6)])
    assert client.post("/files", data=body, content_type=MULTIPART).status_code == 413


def test_limits_can_be_overridden_per_request(echo_app: Vial, client: VialClient) -> None:
    echo_app.config.update(MAX_CONTENT_LENGTH=10, MAX_FORM_MEMORY_SIZE=10, MAX_FORM_PARTS=1)

    @echo_app.before_request
    def relax() -> None:
        if request.path == "/files" and request.args.get("big"):
            request.max_content_length = 10_000
            request.max_form_memory_size = 1_000
            request.max_form_parts = 10

    body = multipart(("a", b"x" * 500), ("b", b"y"))
    assert client.post("/files", data=body, content_type=MULTIPART).status_code == 413
    rv = client.post("/files?big=1", data=body, content_type=MULTIPART)
    assert rv.status_code == 200
    assert rv.json["form"] == {"a": "x" * 500, "b": "y"}


def test_per_request_override_can_tighten(echo_app: Vial, client: VialClient) -> None:
    @echo_app.before_request
    def tighten() -> None:
        request.max_content_length = 5

    assert client.post("/form", data={"a": "123456"}).status_code == 413


# -- bodies without a Content-Length -------------------------------------------------------------


def chunked_post(
    client: VialClient, path: str, data: bytes, content_type: str, step: int = 1000
) -> t.Any:
    return client.post(
        path,
        input_stream=ChunkedInput(data, step),  # type: ignore[arg-type]
        content_type=content_type,
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_form_without_content_length(echo_app: Vial, client: VialClient) -> None:
    body = multipart(("a", b"1"), ("f", b"q" * 5000, "f.bin"))
    rv = chunked_post(client, "/files", body, MULTIPART)
    assert rv.status_code == 200
    assert rv.json["form"] == {"a": "1"}
    assert rv.json["files"]["f"]["size"] == 5000


def test_chunked_body_past_max_content_length_is_413(app: Vial, client: VialClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    seen: list[int] = []

    @app.post("/raw")
    def raw() -> str:
        seen.append(len(request.get_data()))
        return "whole body"

    @app.post("/form")
    def form() -> str:
        seen.append(len(request.form))
        return "whole form"

    assert chunked_post(client, "/raw", b"x" * 1000, "text/plain", 300).status_code == 200
    rv = chunked_post(client, "/raw", b"x" * 5000, "text/plain", 300)
    assert rv.status_code == 413
    rv = chunked_post(
        client, "/form", b"a=" + b"x" * 5000, "application/x-www-form-urlencoded", 300
    )
    assert rv.status_code == 413
    # Only the complete body ever reached a view; no truncated one was handed on.
    assert seen == [1000]


def test_chunked_stream_read_past_limit_is_413(app: Vial, client: VialClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000

    @app.post("/stream")
    def stream() -> str:
        total = 0
        for chunk in request.stream:
            total += len(chunk)
        return f"read {total}"

    assert chunked_post(client, "/stream", b"x" * 999, "text/plain").text == "read 999"
    assert chunked_post(client, "/stream", b"x" * 3000, "text/plain").status_code == 413


# -- the raw stream ------------------------------------------------------------------------------


def test_request_stream_gives_raw_body(app: Vial, client: VialClient) -> None:
    @app.post("/raw")
    def raw() -> dict[str, t.Any]:
        first = request.stream.read(4)
        rest = request.stream.read()
        return {"first": first.decode(), "rest": rest.decode()}

    rv = client.post("/raw", data=b"abcdefgh", content_type="application/octet-stream")
    assert rv.json == {"first": "abcd", "rest": "efgh"}


def test_request_stream_stops_at_content_length(app: Vial, client: VialClient) -> None:
    @app.post("/raw")
    def raw() -> bytes:
        return request.stream.read()

    # The server's stream holds more than the declared length; only 5 bytes are the body.
    rv = client.post(
        "/raw",
        input_stream=io.BytesIO(b"12345EXTRA"),
        environ_overrides={"CONTENT_LENGTH": "5"},
    )
    assert rv.data == b"12345"


def test_get_data_then_form_both_work(echo_app: Vial, client: VialClient) -> None:
    @echo_app.post("/both")
    def both() -> dict[str, t.Any]:
        raw = request.get_data()
        return {"raw": raw.decode(), "form": request.form.to_dict()}

    rv = client.post("/both", data={"a": "1"})
    assert rv.json == {"raw": "a=1", "form": {"a": "1"}}


# -- exact bytes whatever the read sizes ---------------------------------------------------------


@pytest.mark.parametrize("step", [1, 7, 64, 4096])
def test_upload_exact_with_small_reads(echo_app: Vial, client: VialClient, step: int) -> None:
    payload = bytes(range(256)) * 4 + b"\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n"

    @echo_app.post("/exact")
    def exact() -> bytes:
        return request.files["f"].read()

    body = multipart(("f", payload, "p.bin"))
    rv = chunked_post(client, "/exact", body, MULTIPART, step)
    assert rv.data == payload
