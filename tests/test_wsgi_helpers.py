"""vial.wsgi: Werkzeug's wrap_file, FileWrapper, ClosingIterator, LimitedStream, URL helpers."""

from __future__ import annotations

import io
import typing as t

import pytest

from vial import Response, request
from vial.exceptions import ClientDisconnected, RequestEntityTooLarge, SecurityError
from vial.test_environ import EnvironBuilder
from vial.testing import VialClient, run_wsgi_app
from vial.wsgi import (
    ClosingIterator,
    FileWrapper,
    LimitedStream,
    get_current_url,
    get_host,
    responder,
    wrap_file,
)


class TrackedFile(io.BytesIO):
    closed_count = 0

    def close(self) -> None:
        TrackedFile.closed_count += 1
        super().close()


@pytest.mark.parametrize("passthrough", [True, False])
def test_wrap_file_is_a_body_through_both_interfaces(
    client: VialClient, tmp_path: t.Any, passthrough: bool
) -> None:
    path = tmp_path / "data.bin"
    content = bytes(range(256)) * 100
    path.write_bytes(content)

    @client.application.get("/file")
    def send() -> Response:
        file = open(path, "rb")  # noqa: SIM115 - closed with the response
        body = wrap_file(request.environ, file, buffer_size=1000)
        return Response(body, mimetype="application/octet-stream", direct_passthrough=passthrough)

    @client.application.get("/memory")
    def memory() -> Response:
        body = wrap_file(request.environ, TrackedFile(b"in memory"))
        return Response(body, direct_passthrough=passthrough)

    response = client.get("/file")
    assert response.data == content
    response.close()
    before = TrackedFile.closed_count
    response = client.get("/memory")
    assert response.data == b"in memory"
    response.close()
    assert TrackedFile.closed_count == before + 1


def test_wrap_file_uses_the_servers_file_wrapper() -> None:
    calls: list[tuple[t.Any, int]] = []

    def server_wrapper(file: t.IO[bytes], size: int) -> list[bytes]:
        calls.append((file, size))
        return [file.read()]

    file = io.BytesIO(b"x")
    assert wrap_file({"wsgi.file_wrapper": server_wrapper}, file, 10) == [b"x"]
    assert calls == [(file, 10)]
    fallback = wrap_file({}, io.BytesIO(b"abcde"), 2)
    assert isinstance(fallback, FileWrapper) and list(fallback) == [b"ab", b"cd", b"e"]


def test_file_wrapper_seeks_tells_and_closes() -> None:
    file = io.BytesIO(b"0123456789")
    wrapper = FileWrapper(file, 4)
    assert wrapper.seekable()
    wrapper.seek(6)
    assert wrapper.tell() == 6 and list(wrapper) == [b"6789"]
    wrapper.close()
    assert file.closed


def test_closing_iterator_closes_the_iterable_then_the_callbacks() -> None:
    order: list[str] = []

    class Body:
        def __iter__(self) -> t.Iterator[bytes]:
            return iter([b"a", b"b"])

        def close(self) -> None:
            order.append("body")

    closing = ClosingIterator(Body(), [lambda: order.append("one"), lambda: order.append("two")])
    assert list(closing) == [b"a", b"b"]
    closing.close()
    closing.close()
    assert order == ["body", "one", "two"]
    single = ClosingIterator([b"x"], lambda: order.append("single"))
    single.close()
    assert order[-1] == "single"


def test_closing_iterator_in_middleware(client: VialClient) -> None:
    app = client.application
    cleaned: list[str] = []
    inner = app.wsgi_app

    def middleware(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterable[bytes]:
        return ClosingIterator(inner(environ, start_response), lambda: cleaned.append("done"))

    app.wsgi_app = middleware  # type: ignore[method-assign]

    @app.get("/")
    def index() -> str:
        return "ok"

    response = client.get("/")
    assert response.text == "ok"
    response.close()
    assert cleaned == ["done"]


def test_limited_stream_with_an_exact_length() -> None:
    stream = LimitedStream(io.BytesIO(b"hello world"), 5)
    assert stream.read(3) == b"hel" and stream.tell() == 3
    assert stream.read() == b"lo" and stream.read() == b"" and stream.is_exhausted
    assert LimitedStream(io.BytesIO(b"a\nb\nc"), 4).readlines() == [b"a\n", b"b\n"]
    short = LimitedStream(io.BytesIO(b"abc"), 10)
    with pytest.raises(ClientDisconnected):
        short.exhaust()


def test_limited_stream_with_a_maximum() -> None:
    assert LimitedStream(io.BytesIO(b"abc"), 10, is_max=True).read() == b"abc"
    with pytest.raises(RequestEntityTooLarge):
        LimitedStream(io.BytesIO(b"x" * 20), 10, is_max=True).read()


def test_get_current_url_and_get_host() -> None:
    builder = EnvironBuilder(
        None, "/a b/c", base_url="https://example.com:8443/mount", query_string="x=1&y=%20"
    )
    environ = builder.get_environ()
    assert get_current_url(environ) == "https://example.com:8443/mount/a%20b/c?x=1&y=%20"
    assert get_current_url(environ, strip_querystring=True) == (
        "https://example.com:8443/mount/a%20b/c"
    )
    assert get_current_url(environ, root_only=True) == "https://example.com:8443/mount/"
    assert get_current_url(environ, host_only=True) == "https://example.com:8443/"
    assert get_host(environ) == "example.com:8443"
    assert get_host(environ, trusted_hosts=[".example.com"]) == "example.com:8443"
    with pytest.raises(SecurityError):
        get_host(environ, trusted_hosts=["other.test"])
    with pytest.raises(SecurityError):
        get_current_url(environ, trusted_hosts=["other.test"])
    default_port = {"HTTP_HOST": "example.com:80", "wsgi.url_scheme": "http"}
    assert get_host(default_port) == "example.com"
    no_header = {"SERVER_NAME": "srv", "SERVER_PORT": "8080", "wsgi.url_scheme": "http"}
    assert get_host(no_header) == "srv:8080"


def test_responder_turns_a_response_factory_into_an_app() -> None:
    @responder
    def app(environ: dict[str, t.Any], start_response: t.Any) -> Response:
        return Response(f"path={environ['PATH_INFO']}")

    class Handler:
        @responder
        def __call__(self, environ: dict[str, t.Any], start_response: t.Any) -> Response:
            return Response("method", status=201)

    environ = EnvironBuilder(None, "/here").get_environ()
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert b"".join(body) == b"path=/here" and status == "200 OK"
    assert app.__name__ == "app"
    _body, status, _headers = run_wsgi_app(Handler(), environ, buffered=True)
    assert status == "201 CREATED"
