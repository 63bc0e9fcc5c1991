"""Tests for vial.formparser: urlencoded and multipart bodies, limits, chunking, cleanup."""

from __future__ import annotations

import io
import os
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vial.datastructures import FileStorage, MultiDict
from vial.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge
from vial.formparser import (
    MAX_EPILOGUE_SIZE,
    MAX_PREAMBLE_SIZE,
    MULTIPART,
    URLENCODED,
    FormDataParser,
    parse_content_type,
    parse_form_data,
)

BOUNDARY = "----vialBoundary7MA4YWxkTrZu0gW"


# -- helpers ---------------------------------------------------------------------


def encode_multipart(
    fields: list[tuple[str, str]] = (),  # type: ignore[assignment]
    files: list[tuple[str, str, bytes, str | None]] = (),  # type: ignore[assignment]
    boundary: str = BOUNDARY,
) -> bytes:
    """Build a multipart/form-data body the way browsers do (fields first, then files)."""
    out = []
    for name, value in fields:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content, ctype in files:
        disposition = f'form-data; name="{name}"; filename="{filename}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if ctype is not None:
            head += f"Content-Type: {ctype}\r\n"
        out.append(head.encode() + b"\r\n" + content + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def chunked(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def multipart(body: bytes | list[bytes], boundary: str = BOUNDARY, **kwargs: object):
    """Parse ``body`` (one chunk or a list of chunks) as multipart; return (form, files, parser)."""
    chunks = [body] if isinstance(body, bytes) else body
    return parse_form_data(chunks, f"{MULTIPART}; boundary={boundary}", **kwargs)  # type: ignore[arg-type]


def urlencoded(body: bytes | list[bytes], **kwargs: object):
    chunks = [body] if isinstance(body, bytes) else body
    form, files, parser = parse_form_data(chunks, URLENCODED, **kwargs)  # type: ignore[arg-type]
    assert not files
    parser.close()
    return form


def part(headers: str, content: bytes = b"x", boundary: str = BOUNDARY) -> bytes:
    return (
        f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + f"\r\n--{boundary}--\r\n".encode()
    )


# -- parse_content_type ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", {})),
        ("", ("", {})),
        ("Text/HTML", ("text/html", {})),
        ("multipart/form-data; boundary=abc", ("multipart/form-data", {"boundary": "abc"})),
        ('multipart/form-data; BOUNDARY="a;b c"', ("multipart/form-data", {"boundary": "a;b c"})),
        (
            'form-data; name="a\\"b"; filename="c\\\\d"',
            ("form-data", {"name": 'a"b', "filename": "c\\d"}),
        ),
        # An IE-style Windows path keeps its backslashes.
        ('form-data; filename="C:\\dir\\x.txt"', ("form-data", {"filename": "C:\\dir\\x.txt"})),
        ("a/b; flag; k = v ;", ("a/b", {"flag": "", "k": "v"})),
        ("a/b;;; k=v", ("a/b", {"k": "v"})),
        ('a/b; k="v"junk; j=w', ("a/b", {"k": "v", "j": "w"})),
        ("a/b; =x; k=v", ("a/b", {"k": "v"})),
        (
            "form-data; filename*=UTF-8''%E2%82%AC%20rates.txt; filename=\"x\"",
            ("form-data", {"filename": "€ rates.txt"}),
        ),
        ("form-data; filename*=iso-8859-1'en'%A3.txt", ("form-data", {"filename": "£.txt"})),
        # Undecodable extended values are kept as sent.
        ("form-data; name*=bogus-charset''%41", ("form-data", {"name": "bogus-charset''%41"})),
        ("form-data; name*=UTF-8''%zz", ("form-data", {"name": "UTF-8''%zz"})),
        ("form-data; name*=plain", ("form-data", {"name": "plain"})),
    ],
)
def test_parse_content_type(value: str | None, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_content_type(value) == expected


# -- urlencoded --------------------------------------------------------------------


def test_urlencoded_multi_values_plus_and_percent() -> None:
    form = urlencoded(b"a=1&a=2&b=%C3%A9&c=x+y%2By&d&=e&&f=")
    assert isinstance(form, MultiDict)
    assert form.getlist("a") == ["1", "2"]
    assert form["b"] == "é"
    assert form["c"] == "x y+y"
    assert form["d"] == ""
    assert form[""] == "e"
    assert form["f"] == ""
    assert list(form.keys()) == ["a", "b", "c", "d", "", "f"]


def test_urlencoded_any_chunking() -> None:
    body = b"name=J%C3%B6rg+M&x=%25&x=%2b"
    for size in range(1, len(body) + 1):
        form = urlencoded(list(chunked(body, size)))
        assert form["name"] == "Jörg M"
        assert form.getlist("x") == ["%", "+"]


def test_urlencoded_empty_body() -> None:
    assert urlencoded(b"") == MultiDict()
    assert urlencoded([]) == MultiDict()


@pytest.mark.parametrize("body", [b"a=%zz", b"a=%4", b"a=%", b"a%=1", b"a=1%G0", b"%C3%A9=%Z9"])
def test_urlencoded_invalid_percent_encoding_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest, match="percent-encoding"):
        urlencoded(body)


@pytest.mark.parametrize("body", [b"a=%FF", b"%C3=1", b"a=\xff", b"a=%C3%28"])
def test_urlencoded_invalid_utf8_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest, match="not valid utf-8") as info:
        urlencoded(body)
    assert info.value.code == 400


def test_urlencoded_other_charset() -> None:
    assert urlencoded(b"a=%E9", charset="latin-1")["a"] == "é"


def test_unknown_charset_fails_at_construction() -> None:
    with pytest.raises(LookupError):
        FormDataParser(URLENCODED, {}, content_length=None, charset="no-such-codec")


def test_urlencoded_memory_limit_while_feeding() -> None:
    parser = FormDataParser(URLENCODED, {}, content_length=None, max_form_memory_size=10)
    parser.feed(b"a=12345678")
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_MEMORY_SIZE") as info:
        parser.feed(b"9")
    assert info.value.code == 413


def test_urlencoded_memory_limit_from_content_length() -> None:
    with pytest.raises(RequestEntityTooLarge):
        FormDataParser(URLENCODED, {}, content_length=11, max_form_memory_size=10)
    # No limit at all.
    form = urlencoded(b"a=" + b"x" * 600_000, max_form_memory_size=None)
    assert len(form["a"]) == 600_000


def test_urlencoded_max_form_parts() -> None:
    assert urlencoded(b"a=1&b=2&&c=3&", max_form_parts=3).getlist("c") == ["3"]
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_PARTS"):
        urlencoded(b"a=1&b=2&c=3&d=4", max_form_parts=3)
    start = time.perf_counter()
    with pytest.raises(RequestEntityTooLarge):
        urlencoded(b"&".join(b"a=1" for _ in range(100_000)), max_form_memory_size=None)
    assert time.perf_counter() - start < 1


# -- multipart: basics -------------------------------------------------------------


def test_multipart_fields_and_files() -> None:
    body = encode_multipart(
        fields=[("title", "Hello"), ("title", "Wörld"), ("empty", "")],
        files=[
            ("upload", "a.txt", b"file content\r\n", "text/plain"),
            ("upload", "b.bin", b"\x00\x01", None),
            ("blank", "", b"", "application/octet-stream"),
        ],
    )
    form, files, parser = multipart(body, content_length=len(body))
    with parser:
        assert form.getlist("title") == ["Hello", "Wörld"]
        assert form["empty"] == ""
        assert "upload" not in form
        first, second = files.getlist("upload")
        assert isinstance(first, FileStorage)
        assert first.filename == "a.txt"
        assert first.name == "upload"
        assert first.content_type == "text/plain"
        assert first.mimetype == "text/plain"
        assert first.headers["Content-Type"] == "text/plain"
        assert first.headers["content-disposition"].startswith("form-data;")
        assert first.stream.tell() == 0
        assert first.read() == b"file content\r\n"
        assert second.filename == "b.bin"
        assert second.content_type is None
        assert second.read() == b"\x00\x01"
        # An empty filename is still a file (what browsers send for an empty <input type=file>).
        blank = files["blank"]
        assert blank.filename == ""
        assert blank.read() == b""
        assert "blank" not in form


def test_multipart_raw_filename_is_kept() -> None:
    body = encode_multipart(
        files=[("f", "../../etc/passwd", b"x", None), ("g", "ü ñ.txt", b"y", None)]
    )
    _, files, parser = multipart(body)
    with parser:
        assert files["f"].filename == "../../etc/passwd"
        assert files["g"].filename == "ü ñ.txt"


def test_multipart_latin1_header_fallback_and_filename_star() -> None:
    body = (
        f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="f"; filename="caf\xe9.txt"\r\n\r\nx\r\n'
        + f"--{BOUNDARY}\r\n".encode()
        + b'Content-Disposition: form-data; name="g"; filename="x"; '
        + b"filename*=UTF-8''%E2%82%AC.txt"
        + b"\r\n\r\ny\r\n"
        + f"--{BOUNDARY}--".encode()
    )
    _, files, parser = multipart(body)
    with parser:
        assert files["f"].filename == "café.txt"
        assert files["g"].filename == "€.txt"


def test_multipart_header_details() -> None:
    body = (
        f"\r\n--{BOUNDARY}\r\n"
        "content-disposition:form-data;name=a\r\n"
        "X-Empty:\r\n"
        "X-Trailing: v  \r\n"
        f"\r\nvalue\r\n--{BOUNDARY}\r\n"
        'Content-Disposition: FORM-DATA; name="b"; filename="f"\r\n'
        "X-Extra: 1\r\n"
        f"\r\ndata\r\n--{BOUNDARY}--\r\nepilogue is ignored"
    ).encode()
    form, files, parser = multipart(body)
    with parser:
        assert form["a"] == "value"
        assert files["b"].headers["X-Extra"] == "1"
        assert files["b"].read() == b"data"


def test_multipart_empty_body_is_an_empty_form() -> None:
    form, files, parser = multipart(b"", content_length=0)
    assert not form
    assert not files
    parser.close()


def test_multipart_only_closing_boundary() -> None:
    form, files, parser = multipart(f"--{BOUNDARY}--\r\n".encode())
    assert not form
    assert not files
    parser.close()


def test_multipart_boundary_with_allowed_punctuation() -> None:
    boundary = "a'()+_,-./:=? z"
    body = encode_multipart(fields=[("k", "v")], boundary=boundary)
    form, _, parser = parse_form_data([body], f'{MULTIPART}; boundary="{boundary}"')
    assert form["k"] == "v"
    parser.close()


def test_multipart_non_utf8_value_is_400() -> None:
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n'.encode()
    body += b"\xff\xfe\r\n" + f"--{BOUNDARY}--\r\n".encode()
    with pytest.raises(BadRequest, match="not valid utf-8"):
        multipart(body)


def test_multipart_other_charset() -> None:
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n'.encode()
    body += b"\xe9\r\n" + f"--{BOUNDARY}--\r\n".encode()
    form, _, parser = multipart(body, charset="latin-1")
    assert form["a"] == "é"
    parser.close()


# A field part's declared charset: (Content-Type, bytes sent, value or None for a 400).
PART_CHARSET_CASES = [
    ("text/plain; charset=iso-8859-1", b"caf\xe9", "café"),
    ('text/plain; charset="ISO-8859-1"', b"caf\xe9", "café"),
    # Aliases of the same codecs.
    ("text/plain; charset=latin-1", b"\xa3 5", "£ 5"),
    ("text/plain; charset=us-ascii", b"plain", "plain"),
    ("text/plain; charset=us-ascii", b"caf\xe9", None),
    ("text/plain; charset=utf8", "é".encode(), "é"),
    # No charset, or one Werkzeug does not honour: the form's charset (UTF-8).
    ("text/plain", "é".encode(), "é"),
    ("text/plain; charset=", "é".encode(), "é"),
    ("text/plain; charset=utf-16", "é".encode(), "é"),
    ("text/plain; charset=utf-16", "é".encode("utf-16"), None),
    ("text/plain; charset=no-such-codec", "é".encode(), "é"),
    ("text/plain; charset=no-such-codec", b"caf\xe9", None),
]


@pytest.mark.parametrize(("content_type", "content", "expected"), PART_CHARSET_CASES)
def test_multipart_field_part_charset(
    content_type: str, content: bytes, expected: str | None
) -> None:
    body = part(
        f'Content-Disposition: form-data; name="a"\r\nContent-Type: {content_type}', content
    )
    if expected is None:
        with pytest.raises(BadRequest, match="is not valid"):
            multipart(body)
        return
    form, _, parser = multipart(body)
    assert form["a"] == expected
    parser.close()


def test_multipart_part_charset_of_a_file_or_another_default() -> None:
    body = part(
        'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        "Content-Type: text/plain; charset=iso-8859-1",
        b"caf\xe9",
    )
    # A file keeps its bytes, whatever charset it declares.
    _, files, parser = multipart(body)
    assert files["f"].read() == b"caf\xe9"
    assert files["f"].mimetype_params == {"charset": "iso-8859-1"}
    parser.close()
    # A field declaring UTF-8 in a form parsed as Latin-1.
    body = part(
        'Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=utf-8',
        "é".encode(),
    )
    form, _, parser = multipart(body, charset="latin-1")
    assert form["a"] == "é"
    parser.close()


def test_other_mimetypes_give_empty_results() -> None:
    for content_type in ("application/json", "multipart/mixed; boundary=x", None, "text/plain"):
        form, files, parser = parse_form_data([b'{"a": 1}'], content_type)
        assert form == MultiDict()
        assert files == MultiDict()
        parser.close()
    with pytest.raises(RequestEntityTooLarge):
        parse_form_data([b"x" * 11], "application/json", max_content_length=10)


# -- exact bytes, whatever the chunking ----------------------------------------------

TRICKY = (
    b"\r\n--"
    + BOUNDARY.encode()[:-1]
    + b"\r\n"  # almost the delimiter
    + b"--"
    + BOUNDARY.encode()
    + b"x\r\n"  # delimiter not preceded by CRLF
    + b"\r\n-\r\n--\r\r\n\n\x00\xff"
    + bytes(range(256))
    + b"\r\n--"
    + BOUNDARY.encode()[:5]
    + b"\r\n\r\n"  # ends with CRLF CRLF
)


def tricky_body() -> bytes:
    return encode_multipart(
        fields=[("f", "v\r\n-"), ("g", "")],
        files=[
            ("a", "a.bin", TRICKY, "application/octet-stream"),
            ("b", "b", b"\r\n", None),
            ("c", "c", b"", None),
        ],
    )


def check_tricky(form: MultiDict, files: MultiDict) -> None:
    assert form["f"] == "v\r\n-"
    assert form["g"] == ""
    assert files["a"].read() == TRICKY
    assert files["b"].read() == b"\r\n"
    assert files["c"].read() == b""


def test_multipart_split_at_every_offset_around_each_delimiter() -> None:
    body = tricky_body()
    delimiter = b"--" + BOUNDARY.encode()
    window = len(delimiter) + 4
    offsets: set[int] = set()
    pos = body.find(delimiter)
    while pos != -1:
        offsets.update(range(max(0, pos - window), min(len(body), pos + len(delimiter) + window)))
        pos = body.find(delimiter, pos + 1)
    # Also every offset in the tricky file content, which contains near-delimiters.
    start = body.find(TRICKY)
    offsets.update(range(start, start + len(TRICKY) + 1))
    assert len(offsets) > 300
    for cut in sorted(offsets):
        form, files, parser = multipart([body[:cut], body[cut:]], content_length=len(body))
        with parser:
            check_tricky(form, files)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 38, 39, 40, 41, 64, 1000])
def test_multipart_fixed_chunk_sizes(size: int) -> None:
    body = tricky_body()
    form, files, parser = multipart(list(chunked(body, size)))
    with parser:
        check_tricky(form, files)


def test_multipart_large_file_split_across_spool_threshold_is_exact() -> None:
    content = os.urandom(3000) + b"\r\n--" + BOUNDARY.encode()[:-2] + os.urandom(3000)
    body = encode_multipart(files=[("f", "f", content, None)])
    for size in (1, 999, 4096):
        _, files, parser = multipart(list(chunked(body, size)), spool_threshold=1000)
        with parser:
            assert files["f"].read() == content


# -- temporary files ----------------------------------------------------------------


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def test_small_files_stay_in_memory_large_ones_go_to_disk(tmp_path) -> None:
    small = b"s" * 100
    large = os.urandom(5000)
    body = encode_multipart(
        files=[
            ("small", "s", small, None),
            ("large", "l", large, None),
            ("edge", "e", b"e" * 900, None),
        ]
    )
    fds_before = open_fds()
    _, files, parser = multipart(
        list(chunked(body, 512)), spool_threshold=1000, tempdir=str(tmp_path)
    )
    assert isinstance(files["small"].stream, io.BytesIO)
    # The files in memory hold exactly the threshold together (100 + 900): they stay.
    assert isinstance(files["edge"].stream, io.BytesIO)
    disk = files["large"].stream
    assert not isinstance(disk, io.BytesIO)
    assert disk.fileno() >= 0
    assert files["large"].read() == large
    parser.close()
    assert disk.closed
    assert files["small"].stream.closed
    assert list(tmp_path.iterdir()) == []
    assert open_fds() <= fds_before
    parser.close()  # idempotent


def test_the_spool_threshold_bounds_all_files_in_memory_together(tmp_path) -> None:
    body = encode_multipart(files=[(f"f{i}", f"{i}", b"x" * 400, None) for i in range(3)])
    _, files, parser = multipart(list(chunked(body, 100)), spool_threshold=1000)
    # 400 + 400 stay; the third would make 1,200 bytes in memory, so it moves to disk.
    assert [isinstance(files[f"f{i}"].stream, io.BytesIO) for i in range(3)] == [
        True,
        True,
        False,
    ]
    assert [files[f"f{i}"].read() for i in range(3)] == [b"x" * 400] * 3
    parser.close()


def test_temp_files_are_closed_when_parsing_fails(tmp_path) -> None:
    body = encode_multipart(files=[("large", "l", b"x" * 5000, None)])
    parser = FormDataParser(
        MULTIPART,
        {"boundary": BOUNDARY},
        content_length=None,
        spool_threshold=100,
        tempdir=str(tmp_path),
    )
    fds_before = open_fds()
    parser.feed(body[:-200])
    assert len(open_fds() - fds_before) == 1
    with pytest.raises(BadRequest, match="closing boundary"):
        parser.finish()
    assert open_fds() <= fds_before
    assert list(tmp_path.iterdir()) == []
    parser.close()


def test_parse_form_data_closes_on_error(tmp_path) -> None:
    fds_before = open_fds()
    body = encode_multipart(files=[("f", "f", b"x" * 5000, None)])
    with pytest.raises(ClientDisconnected):
        multipart(body, content_length=len(body) + 1, spool_threshold=100, tempdir=str(tmp_path))
    assert open_fds() <= fds_before


def test_hundred_mb_style_upload_keeps_memory_flat(tmp_path) -> None:
    size = 20 * 1024 * 1024
    block = os.urandom(64 * 1024)
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n'.encode()
    )
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    parser = FormDataParser(
        MULTIPART, {"boundary": BOUNDARY}, content_length=None, tempdir=str(tmp_path)
    )
    start = time.perf_counter()
    tracemalloc.start()
    try:
        parser.feed(head)
        for _ in range(size // len(block)):
            parser.feed(block)
        parser.feed(tail)
        _, files = parser.finish()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    stream = files["f"].stream
    stream.seek(0, os.SEEK_END)
    assert stream.tell() == size
    stream.seek(-len(block), os.SEEK_END)
    assert stream.read() == block
    parser.close()
    assert peak < 3 * 1024 * 1024, peak
    assert elapsed < 2, elapsed


# -- limits ---------------------------------------------------------------------------


def test_max_content_length_from_header_before_any_byte() -> None:
    with pytest.raises(RequestEntityTooLarge, match="MAX_CONTENT_LENGTH"):
        FormDataParser(
            MULTIPART, {"boundary": BOUNDARY}, content_length=101, max_content_length=100
        )
    FormDataParser(MULTIPART, {"boundary": BOUNDARY}, content_length=100, max_content_length=100)


def test_max_content_length_chunked_body_growing_past_it() -> None:
    body = encode_multipart(files=[("f", "f", b"x" * 1000, None)])
    parser = FormDataParser(
        MULTIPART, {"boundary": BOUNDARY}, content_length=None, max_content_length=500
    )
    with pytest.raises(RequestEntityTooLarge) as info:
        for chunk in chunked(body, 100):
            parser.feed(chunk)
    assert info.value.code == 413
    # The parser stays failed: no silent truncation.
    with pytest.raises(RequestEntityTooLarge):
        parser.finish()
    with pytest.raises(RequestEntityTooLarge):
        parser.feed(b"x")
    parser.close()


def test_chunked_body_without_content_length() -> None:
    body = encode_multipart(fields=[("a", "1")], files=[("f", "f", b"data", None)])
    form, files, parser = multipart(
        list(chunked(body, 5)), content_length=None, max_content_length=len(body)
    )
    with parser:
        assert form["a"] == "1"
        assert files["f"].read() == b"data"


def test_body_shorter_than_content_length_is_client_disconnect() -> None:
    body = urlencoded_body = b"a=1"
    with pytest.raises(ClientDisconnected):
        urlencoded(urlencoded_body, content_length=len(body) + 5)


def test_body_longer_than_content_length_is_400() -> None:
    with pytest.raises(BadRequest, match="longer than its Content-Length"):
        urlencoded(b"a=12", content_length=3)


def test_negative_content_length_is_400() -> None:
    with pytest.raises(BadRequest):
        FormDataParser(URLENCODED, {}, content_length=-1)


def test_max_form_memory_size_applies_to_fields_not_files() -> None:
    body = encode_multipart(fields=[("a", "x" * 100)], files=[("f", "f", b"y" * 1000, None)])
    form, files, parser = multipart(body, max_form_memory_size=100)
    with parser:
        assert form["a"] == "x" * 100
        assert files["f"].read() == b"y" * 1000
    body = encode_multipart(fields=[("a", "x" * 101)])
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_MEMORY_SIZE"):
        multipart(body, max_form_memory_size=100)


def test_max_form_memory_size_detected_before_buffering_the_field() -> None:
    parser = FormDataParser(
        MULTIPART, {"boundary": BOUNDARY}, content_length=None, max_form_memory_size=1000
    )
    parser.feed(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n'.encode())
    parser.feed(b"x" * 900)
    with pytest.raises(RequestEntityTooLarge):
        parser.feed(b"x" * 200)
    parser.close()


def test_max_form_parts() -> None:
    body = encode_multipart(fields=[("a", "1"), ("b", "2")], files=[("f", "f", b"", None)])
    form, files, parser = multipart(body, max_form_parts=3)
    assert len(form) + len(files) == 3
    parser.close()
    with pytest.raises(RequestEntityTooLarge, match="MAX_FORM_PARTS"):
        multipart(body, max_form_parts=2)


def test_many_tiny_parts_fail_fast() -> None:
    body = encode_multipart(fields=[("a", "") for _ in range(10_000)])
    parser = FormDataParser(MULTIPART, {"boundary": BOUNDARY}, content_length=len(body))
    start = time.perf_counter()
    with pytest.raises(RequestEntityTooLarge):
        for chunk in chunked(body, 64 * 1024):
            parser.feed(chunk)
    assert time.perf_counter() - start < 1
    parser.close()
    # Without a limit they all parse, still quickly.
    start = time.perf_counter()
    form, _, parser = multipart(body, max_form_parts=None)
    assert len(form.getlist("a")) == 10_000
    assert time.perf_counter() - start < 2


# -- malformed multipart ------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"boundary": ""},
        {"boundary": "x" * 201},
        {"boundary": "bad\x00char"},
        {"boundary": "ends-with-space "},
        {"boundary": "é"},
    ],
)
def test_bad_boundary_parameter_is_400(options: dict[str, str]) -> None:
    with pytest.raises(BadRequest, match="boundary"):
        FormDataParser(MULTIPART, options, content_length=None)


@pytest.mark.parametrize(
    "boundary",
    [
        # WebTest's TestApp (used by webargs' and other extensions' suites).
        "----------a_BoUnDaRy8617367542317853$",
        "!#$%&*<>@[]^`{|}~",
        "b" * 200,
    ],
)
def test_boundary_beyond_rfc_2046_is_accepted_as_werkzeug_does(boundary: str) -> None:
    """Any printable ASCII boundary up to 200 characters parses, as under Werkzeug;
    RFC 2046's narrower set refused WebTest's uploads with a 400."""
    form, _, parser = multipart(
        encode_multipart(fields=[("a", "1")], boundary=boundary), boundary=boundary
    )
    assert form["a"] == "1"
    parser.close()


def test_seventy_char_boundary_is_fine() -> None:
    boundary = "b" * 70
    form, _, parser = multipart(
        encode_multipart(fields=[("a", "1")], boundary=boundary), boundary=boundary
    )
    assert form["a"] == "1"
    parser.close()


def test_boundary_option_key_is_case_insensitive() -> None:
    parser = FormDataParser("Multipart/Form-Data", {"Boundary": BOUNDARY}, content_length=None)
    parser.feed(encode_multipart(fields=[("a", "1")]))
    assert parser.finish()[0]["a"] == "1"
    parser.close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (part("Content-Type: text/plain"), "no Content-Disposition"),
        (part("Content-Disposition: form-data"), "no name"),
        (part('Content-Disposition: form-data; filename="a"'), "no name"),
        (part('Content-Disposition: attachment; name="a"'), "not form-data"),
        (part('Content-Disposition: form-data; name="a"\r\nNo colon here'), "Malformed"),
        (part(' Content-Disposition: form-data; name="a"'), "Malformed"),
        (part('Content-Disposition: form-data; name="a"\r\n: empty name'), "Malformed"),
        (part('Content-Disposition: form-data; name="a"\rX: y'), "Malformed"),
        (b"garbage" + f"--{BOUNDARY}--".encode(), "closing boundary"),
        (f"--{BOUNDARY}x\r\n".encode(), "Malformed"),
        (f"--{BOUNDARY}\n".encode(), "Malformed"),
        (f"--{BOUNDARY}\r\rX".encode(), "Malformed"),
        (f"--{BOUNDARY}-x".encode(), "Malformed"),
        (part('Content-Disposition: form-data; name="a"\r\n' + "X-A: b\r\n" * 20), "Malformed"),
    ],
)
def test_malformed_multipart_is_400(body: bytes, message: str) -> None:
    for chunks in ([body], list(chunked(body, 1))):
        with pytest.raises(BadRequest, match=message) as info:
            multipart(chunks)
        assert info.value.code == 400


@pytest.mark.parametrize("cut", [1, 10, 50, -20, -5, -3])
def test_truncated_multipart_is_400(cut: int) -> None:
    body = encode_multipart(fields=[("a", "1")], files=[("f", "f", b"abc", None)])
    with pytest.raises(BadRequest, match=r"closing boundary|Malformed"):
        multipart(body[:cut])


def test_delimiter_not_at_line_start_is_preamble() -> None:
    # RFC 2046: a delimiter only counts at the start of a line, so the one part here
    # belongs to the preamble and the body holds no parts.
    form, files, parser = multipart(b"garbage" + part('Content-Disposition: form-data; name="a"'))
    assert not form
    assert not files
    parser.close()


def test_closing_boundary_without_crlf_is_complete() -> None:
    body = encode_multipart(fields=[("a", "1")])
    assert body.endswith(b"--\r\n")
    for end in (-1, -2):
        form, _, parser = multipart(body[:end])
        assert form["a"] == "1"
        parser.close()


def test_endless_preamble_is_400_while_feeding() -> None:
    parser = FormDataParser(MULTIPART, {"boundary": BOUNDARY}, content_length=None)
    parser.feed(b"\r\n")
    with pytest.raises(BadRequest, match="No multipart boundary"):
        for _ in range(MAX_PREAMBLE_SIZE // 1024 + 1):
            parser.feed(b"z" * 1024)
    parser.close()


@pytest.mark.parametrize(
    "preamble",
    [
        b"\r\n\r\n",
        b"This is a preamble.\r\n",
        b"-\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n",
        b"x" * (MAX_PREAMBLE_SIZE - 100) + b"\r\n",
    ],
)
def test_preamble_is_skipped_whatever_the_chunking(preamble: bytes) -> None:
    body = preamble + encode_multipart(fields=[("a", "1")])
    for size in (1, 5, 64, 70, len(body)):
        form, _, parser = multipart(list(chunked(body, size)))
        assert form["a"] == "1"
        parser.close()


def test_epilogue_limit() -> None:
    body = encode_multipart(fields=[("a", "1")])
    form, _, parser = multipart([body, b"e" * 1000, b"e" * 1000])
    assert form["a"] == "1"
    parser.close()
    parser = FormDataParser(MULTIPART, {"boundary": BOUNDARY}, content_length=None)
    parser.feed(body)
    with pytest.raises(BadRequest, match="after the closing"):
        for _ in range(MAX_EPILOGUE_SIZE // 1024 + 1):
            parser.feed(b"e" * 1024)


def test_part_headers_too_large_is_400() -> None:
    long_value = "v" * 5000
    headers = f'Content-Disposition: form-data; name="a"\r\nX-A: {long_value}\r\nX-B: {long_value}'
    with pytest.raises(BadRequest, match="headers exceed"):
        multipart(list(chunked(part(headers), 1000)))
    one_line = f'Content-Disposition: form-data; name="a"\r\nX-A: {"v" * 9000}'
    with pytest.raises(BadRequest):
        multipart(part(one_line))


# -- call protocol --------------------------------------------------------------------------


def test_finish_twice_returns_same_result_and_feed_after_finish_is_an_error() -> None:
    parser = FormDataParser(URLENCODED, {}, content_length=None)
    parser.feed(b"")
    parser.feed(b"a=1")
    result = parser.finish()
    assert parser.finish() is result
    with pytest.raises(RuntimeError):
        parser.feed(b"x")
    parser.close()
    parser.close()


def test_use_after_close_is_an_error() -> None:
    parser = FormDataParser(URLENCODED, {}, content_length=None)
    parser.close()
    with pytest.raises(RuntimeError):
        parser.feed(b"a")
    with pytest.raises(RuntimeError):
        parser.finish()


def test_error_is_sticky() -> None:
    parser = FormDataParser(URLENCODED, {}, content_length=None)
    parser.feed(b"a=%zz")
    with pytest.raises(BadRequest) as first:
        parser.finish()
    with pytest.raises(BadRequest) as second:
        parser.finish()
    assert first.value is second.value
    with pytest.raises(BadRequest):
        parser.feed(b"more")


# -- property tests ----------------------------------------------------------------------------


def feed_all(parser: FormDataParser, data: bytes, cuts: list[int]) -> None:
    points = sorted({c % (len(data) + 1) for c in cuts})
    previous = 0
    for point in [*points, len(data)]:
        parser.feed(data[previous:point])
        previous = point


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=400),
        # Bodies that look like multipart, so the fuzzer gets past the first boundary.
        st.lists(
            st.sampled_from(
                [
                    f"--{BOUNDARY}".encode(),
                    b"\r\n",
                    b"--",
                    b"Content-Disposition: form-data; ",
                    b'name="a"',
                    b'filename="f"',
                    b"Content-Type: text/plain",
                    b":",
                    b";",
                    b"\xff",
                    b"x",
                    b"\r",
                    b"\n",
                    b" ",
                    b"=",
                ]
            ),
            max_size=40,
        ).map(b"".join),
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=500), max_size=6),
    kind=st.sampled_from(["multipart", "urlencoded"]),
)
def test_arbitrary_bytes_only_raise_client_errors(data: bytes, cuts: list[int], kind: str) -> None:
    if kind == "multipart":
        parser = FormDataParser(
            MULTIPART,
            {"boundary": BOUNDARY},
            content_length=None,
            max_form_memory_size=200,
            max_form_parts=5,
            spool_threshold=50,
        )
    else:
        parser = FormDataParser(
            URLENCODED, {}, content_length=None, max_form_memory_size=300, max_form_parts=10
        )
    try:
        feed_all(parser, data, cuts)
        form, files = parser.finish()
    except (BadRequest, RequestEntityTooLarge):
        pass
    else:
        assert isinstance(form, MultiDict)
        assert isinstance(files, MultiDict)
    finally:
        parser.close()


names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\%'), max_size=10
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.lists(
        st.tuples(names, st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)),
        max_size=5,
    ),
    files=st.lists(st.tuples(names, names, st.binary(max_size=300)), max_size=4),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
    threshold=st.sampled_from([0, 10, 500 * 1024]),
)
def test_multipart_round_trip(fields, files, cuts, threshold) -> None:
    body = encode_multipart(
        fields=fields, files=[(n, f, c, "application/octet-stream") for n, f, c in files]
    )
    parser = FormDataParser(
        MULTIPART, {"boundary": BOUNDARY}, content_length=len(body), spool_threshold=threshold
    )
    with parser:
        feed_all(parser, body, cuts)
        form, parsed = parser.finish()
        assert list(form.items(multi=True)) == list(MultiDict(fields).items(multi=True))
        got = [(n, fs.filename, fs.read()) for n, fs in parsed.items(multi=True)]
        expected = MultiDict([(n, (f, c)) for n, f, c in files])
        assert got == [(n, f, c) for n, (f, c) in expected.items(multi=True)]


@settings(max_examples=200, deadline=None)
@given(
    fields=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=20)), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=500), max_size=6),
)
def test_urlencoded_round_trip(fields, cuts) -> None:
    from urllib.parse import urlencode

    body = urlencode(fields).encode()
    parser = FormDataParser(URLENCODED, {}, content_length=len(body))
    feed_all(parser, body, cuts)
    form, _ = parser.finish()
    assert list(form.items(multi=True)) == list(MultiDict(fields).items(multi=True))


def test_library_log_records_go_to_vial_logger(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"), pytest.raises(BadRequest):
        multipart(f"--{BOUNDARY}x\r\n".encode())
    assert caplog.records
    assert {record.name for record in caplog.records} == {"vial.formparser"}
