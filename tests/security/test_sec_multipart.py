"""Multipart denial of service, sent whole through both interfaces.

The parser-level limits are unit-tested in ``tests/test_formparser.py``; here each attack
is a full request (the WSGI test client, or a lazily fed ASGI ``receive``) that must end
in a 400 or 413 within :data:`TIME_LIMIT` seconds and a bounded memory peak, having read
no more of the body than the limit that stops it needs.
Kinds: Werkzeug CVE-2023-25577 (unbounded parts), CVE-2023-46136 (slow boundary search),
Starlette CVE-2024-47874 (unbounded fields in memory), python-multipart CVE-2024-24762
(ReDoS in headers) and CVE-2024-53981 (CR/LF before the first boundary).
"""

from __future__ import annotations

import io

import pytest
from sec_support import GeneratedBody, bounded, send_streamed

from vial import Vial, request
from vial.formparser import MAX_PART_HEADER_SIZE, MAX_PREAMBLE_SIZE

BOUNDARY = "sec-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
#: What an attacker would send: far more than any limit.
HUGE = 200 * 1024 * 1024


@pytest.fixture
def upload_app() -> Vial:
    app = Vial(__name__)
    app.config.update(MAX_CONTENT_LENGTH=None)  # the form limits alone must hold

    @app.post("/upload")
    def upload() -> dict[str, int]:
        return {"fields": len(request.form), "files": len(request.files)}

    return app


def attack(
    app: Vial,
    interface: str,
    head: bytes,
    filler: bytes,
    size: int = HUGE,
    with_length: bool = True,
) -> tuple[int, GeneratedBody]:
    body = GeneratedBody(head, filler, size)
    with bounded(megabytes=24):
        status, _ = send_streamed(
            app, interface, body, CONTENT_TYPE, content_length=size if with_length else None
        )
    return status, body


def part(headers: str, value: bytes = b"") -> bytes:
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "chunked"])
def test_many_tiny_parts_413(upload_app: Vial, interface: str, with_length: bool) -> None:
    tiny = part('Content-Disposition: form-data; name="a"')
    status, body = attack(upload_app, interface, b"", tiny, with_length=with_length)
    assert status == 413
    assert body.consumed < 2 * 1024 * 1024  # stopped at MAX_FORM_PARTS, not at the end


def test_many_tiny_file_parts_413(upload_app: Vial, interface: str) -> None:
    tiny = part('Content-Disposition: form-data; name="f"; filename="x"', b"x")
    status, body = attack(upload_app, interface, b"", tiny)
    assert status == 413
    assert body.consumed < 2 * 1024 * 1024


def test_huge_part_headers_400(upload_app: Vial, interface: str) -> None:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n'.encode()
    status, body = attack(upload_app, interface, head, b"X-Pad: " + b"v" * 200 + b"\r\n")
    assert status == 400
    assert body.consumed < MAX_PART_HEADER_SIZE + 256 * 1024


def test_one_endless_header_line_400(upload_app: Vial, interface: str) -> None:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=".encode()
    status, body = attack(upload_app, interface, head, b"a;b=c" * 64)
    assert status == 400
    assert body.consumed < MAX_PART_HEADER_SIZE + 256 * 1024


@pytest.mark.parametrize("filler", [b"\r\n", b"\n", b"\r", b"-", b"--" + BOUNDARY.encode()[:-1]])
def test_endless_preamble_400(upload_app: Vial, interface: str, filler: bytes) -> None:
    status, body = attack(upload_app, interface, b"", filler)
    assert status == 400
    assert body.consumed < MAX_PREAMBLE_SIZE + 256 * 1024


def test_field_whose_boundary_never_comes_413(upload_app: Vial, interface: str) -> None:
    head = part('Content-Disposition: form-data; name="a"')[:-2]
    # CR/LF runs make a naive boundary search restart at every byte (CVE-2023-46136).
    status, body = attack(upload_app, interface, head, b"\r\n-\r\n--x")
    assert status == 413  # MAX_FORM_MEMORY_SIZE
    assert body.consumed < 2 * 1024 * 1024


def test_file_whose_boundary_never_comes_413_with_max_content_length(
    upload_app: Vial, interface: str
) -> None:
    upload_app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024
    head = part('Content-Disposition: form-data; name="f"; filename="f.bin"')[:-2]
    for with_length in (True, False):
        status, body = attack(
            upload_app, interface, head, b"\r\n" + b"z" * 1000, with_length=with_length
        )
        assert status == 413
        assert body.consumed <= 4 * 1024 * 1024 + 128 * 1024


def test_truncated_body_400(upload_app: Vial, interface: str) -> None:
    head = part('Content-Disposition: form-data; name="a"')[:-2]
    status, _ = attack(upload_app, interface, head, b"value", size=len(head) + 100)
    assert status == 400


@pytest.mark.parametrize(
    "disposition",
    [
        "Content-Disposition: form-data",
        'Content-Disposition: form-data; filename="x"',
        "Content-Type: text/plain",
    ],
    ids=["no-name", "file-no-name", "no-disposition"],
)
def test_part_without_a_name_400(upload_app: Vial, interface: str, disposition: str) -> None:
    whole = part(disposition, b"value") + f"--{BOUNDARY}--\r\n".encode()
    status, _ = attack(upload_app, interface, whole, b"", size=len(whole))
    assert status == 400


def test_part_with_an_empty_name_is_only_the_empty_key(upload_app: Vial, interface: str) -> None:
    @upload_app.post("/keys")
    def keys() -> dict[str, list[str]]:
        return {"form": list(request.form), "files": list(request.files)}

    whole = (
        part('Content-Disposition: form-data; name=""', b"evil")
        + part('Content-Disposition: form-data; name="a"', b"good")
        + f"--{BOUNDARY}--\r\n".encode()
    )
    body = GeneratedBody(whole, b"", len(whole))
    status, data = send_streamed(upload_app, interface, body, CONTENT_TYPE, "/keys", len(whole))
    assert status == 200
    assert data == b'{"files":[],"form":["","a"]}\n'


class _ManyFiles(io.RawIOBase):
    """``count`` file parts of ``size`` bytes each, made as they are read."""

    def __init__(self, count: int, size: int) -> None:
        self._parts = iter(range(count + 1))
        self._count = count
        self._size = size
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._buffer) < len(buffer):
            i = next(self._parts, None)
            if i is None:
                break
            if i == self._count:
                self._buffer += f"--{BOUNDARY}--\r\n".encode()
            else:
                self._buffer += (
                    (
                        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f{i}";'
                        f' filename="f{i}.bin"\r\n\r\n'
                    ).encode()
                    + bytes([65 + i % 26]) * self._size
                    + b"\r\n"
                )
        n = min(len(buffer), len(self._buffer))
        buffer[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def test_many_files_just_under_the_spool_threshold_go_to_disk(interface: str) -> None:
    # Each file under the 500 kB threshold stayed in memory: with MAX_FORM_PARTS
    # (1,000) and no MAX_CONTENT_LENGTH, one request could hold ~500 MB. The threshold
    # now bounds all the files of the form together.
    app = Vial(__name__)
    sizes: dict[str, tuple[int, bytes]] = {}

    @app.post("/upload")
    def upload() -> dict[str, int]:
        for name, storage in request.files.items():
            data = storage.read()
            sizes[name] = (len(data), data[:1])
        return {"files": len(request.files)}

    size = 500 * 1024 - 100
    with bounded(megabytes=8):
        status, body = send_streamed(app, interface, _ManyFiles(40, size), CONTENT_TYPE)
    assert (status, body) == (200, b'{"files":40}\n')
    assert sizes == {f"f{i}": (size, bytes([65 + i % 26])) for i in range(40)}
