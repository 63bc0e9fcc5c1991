from __future__ import annotations

import io
import logging
import sys
import typing as t

import pytest

from vial import Vial, request
from vial.logging import (
    SanitizingFormatter,
    create_logger,
    default_handler,
    has_level_handler,
    sanitize_for_log,
    wsgi_errors_stream,
)
from vial.testing import VialClient


class FakeApp:
    def __init__(self, name: str, debug: bool = False) -> None:
        self.name = name
        self.debug = debug


@pytest.fixture
def parent(request: pytest.FixtureRequest) -> t.Iterator[logging.Logger]:
    """A logger that stands in for the root logger: it stops propagation.

    (pytest's own capture handlers sit on the real root logger.)
    """
    logger = logging.getLogger(f"vialtest.{request.node.name}")
    logger.propagate = False
    yield logger
    for each in (logger, logging.getLogger(f"{logger.name}.app")):
        each.handlers.clear()
        each.setLevel(logging.NOTSET)
        each.propagate = True


@pytest.fixture
def logger_name(parent: logging.Logger) -> str:
    """The name of an app whose logger propagates only to ``parent``.

    Tests call :func:`isolate` first: pytest adds its capture handlers to
    non-propagating loggers when the test starts, after fixtures ran.
    """
    return f"{parent.name}.app"


def isolate(logger_name: str) -> None:
    """Remove pytest's capture handlers from the app logger and its stand-in root."""
    logger = logging.getLogger(logger_name)
    for each in (logger, logger.parent):
        assert each is not None
        each.handlers = [h for h in each.handlers if "pytest" not in type(h).__module__]


# -- create_logger ---------------------------------------------------------------------


def test_logger_named_after_app(logger_name: str) -> None:
    isolate(logger_name)
    logger = create_logger(FakeApp(logger_name))
    assert logger is logging.getLogger(logger_name)
    assert default_handler in logger.handlers


def test_debug_sets_level(logger_name: str) -> None:
    isolate(logger_name)
    assert create_logger(FakeApp(logger_name)).level == logging.NOTSET
    assert create_logger(FakeApp(logger_name, debug=True)).level == logging.DEBUG


def test_debug_keeps_explicit_level(logger_name: str) -> None:
    isolate(logger_name)
    logging.getLogger(logger_name).setLevel(logging.ERROR)
    assert create_logger(FakeApp(logger_name, debug=True)).level == logging.ERROR


def test_default_handler_added_once(logger_name: str) -> None:
    isolate(logger_name)
    create_logger(FakeApp(logger_name))
    logger = create_logger(FakeApp(logger_name))
    assert logger.handlers.count(default_handler) == 1


def test_no_default_handler_when_parent_handles(logger_name: str, parent: logging.Logger) -> None:
    isolate(logger_name)
    parent.addHandler(logging.NullHandler())
    logger = create_logger(FakeApp(logger_name))
    assert default_handler not in logger.handlers


def test_default_handler_when_parent_handler_level_too_high(
    logger_name: str, parent: logging.Logger
) -> None:
    isolate(logger_name)
    handler = logging.NullHandler(logging.CRITICAL)
    parent.addHandler(handler)
    logger = create_logger(FakeApp(logger_name, debug=True))
    assert default_handler in logger.handlers


def test_has_level_handler(logger_name: str, parent: logging.Logger) -> None:
    isolate(logger_name)
    logger = logging.getLogger(logger_name)
    assert not has_level_handler(logger)

    handler = logging.StreamHandler(io.StringIO())
    parent.addHandler(handler)
    assert has_level_handler(logger)

    logger.propagate = False
    assert not has_level_handler(logger)
    logger.propagate = True

    handler.setLevel(logging.ERROR)
    logger.setLevel(logging.INFO)
    assert not has_level_handler(logger)
    logger.setLevel(logging.ERROR)
    assert has_level_handler(logger)


def test_has_level_handler_on_logger_itself(logger_name: str) -> None:
    isolate(logger_name)
    logger = logging.getLogger(logger_name)
    logger.propagate = False
    logger.addHandler(logging.NullHandler())
    assert has_level_handler(logger)


# -- output ---------------------------------------------------------------------------------


def test_default_output(logger_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    isolate(logger_name)
    logger = create_logger(FakeApp(logger_name, debug=True))
    logger.debug("hello %s", "world")
    err = capsys.readouterr().err
    assert err.startswith("[")
    assert err.endswith("] DEBUG in test_logging: hello world\n")


def test_stream_follows_sys_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    wsgi_errors_stream.write("a")
    monkeypatch.setattr(sys, "stderr", second)
    wsgi_errors_stream.write("b")
    wsgi_errors_stream.flush()
    assert (first.getvalue(), second.getvalue()) == ("a", "b")


def test_stream_is_the_requests_wsgi_errors(app: Vial, monkeypatch: pytest.MonkeyPatch) -> None:
    errors, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)

    @app.route("/")
    def index() -> str:
        wsgi_errors_stream.write("in a request")
        return "ok"

    with app.test_request_context(errors_stream=errors):
        wsgi_errors_stream.write("request context ")
    app.test_client().get("/", errors_stream=errors)
    wsgi_errors_stream.write("outside")
    assert errors.getvalue() == "request context in a request"
    assert stderr.getvalue() == "outside"


def test_stream_forwards_other_attributes(app: Vial) -> None:
    errors = io.StringIO()
    with app.test_request_context(errors_stream=errors):
        wsgi_errors_stream.write("x")
        assert wsgi_errors_stream.getvalue() == "x"
    assert wsgi_errors_stream.encoding == sys.stderr.encoding


def test_stream_get_current_object_is_the_stream_written_to(app: Vial) -> None:
    # Flask's wsgi_errors_stream is a LocalProxy: _get_current_object() unwraps it.
    assert wsgi_errors_stream._get_current_object() is sys.stderr
    errors = io.StringIO()
    with app.test_request_context(errors_stream=errors):
        assert wsgi_errors_stream._get_current_object() is errors


def test_unhandled_exception_is_logged_to_wsgi_errors(
    app: Vial, interface: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over WSGI the server's wsgi.errors gets the traceback; ASGI's environ has sys.stderr."""
    errors, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(app.logger, "handlers", [default_handler])
    monkeypatch.setattr(app.logger, "propagate", False)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("boom")

    if interface == "wsgi":
        response = app.test_client().get("/boom", errors_stream=errors)
    else:
        response = app.test_client(asgi=True).get("/boom")
    assert response.status_code == 500
    logged = (errors if interface == "wsgi" else stderr).getvalue()
    assert "ERROR in app: Exception on /boom [GET]" in logged
    assert logged.rstrip().endswith("ValueError: boom")
    assert (stderr if interface == "wsgi" else errors).getvalue() == ""


def test_test_client_wsgi_errors_is_sys_stderr_by_default(
    app: Vial, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    seen = []

    @app.route("/")
    def index() -> str:
        seen.append(request.environ["wsgi.errors"])
        return "ok"

    app.test_client().get("/")
    with app.test_request_context():
        seen.append(request.environ["wsgi.errors"])
    assert seen == [stderr, stderr]


def test_default_output_is_sanitized(logger_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    isolate(logger_name)
    logger = create_logger(FakeApp(logger_name))
    path = "/x\r\n[2024-01-01 00:00:00] INFO in app: forged\x1b[2J"
    logger.error("not found: %s", path)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "\x1b" not in err and "\r" not in err
    assert err.endswith("not found: /x\\r\\n[2024-01-01 00:00:00] INFO in app: forged\\x1b[2J\n")


def test_traceback_keeps_its_lines(logger_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    isolate(logger_name)
    logger = create_logger(FakeApp(logger_name))
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed on\n%s", "input")
    err = capsys.readouterr().err
    first, *rest = err.splitlines()
    assert first.endswith("ERROR in test_logging: failed on\\ninput")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "ValueError: boom"


def test_formatter_leaves_record_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "a\nb", None, None)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(SanitizingFormatter("%(levelname)s:%(message)s"))
    handler.handle(record)
    assert out.getvalue() == "INFO:a\\nb\n"
    assert record.getMessage() == "a\nb"
    assert record.message == "a\nb"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "clean", None, None)
    assert SanitizingFormatter("%(message)s").format(plain) == "clean"


# -- sanitize_for_log -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("a\rb\nc\td", "a\\rb\\nc\\td"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x00\x07\x08\x7f", "\\x00\\x07\\x08\\x7f"),
        ("\x85\x9b\x9f\xa0", "\\x85\\x9b\\x9f\xa0"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("back\\slash é ☃", "back\\slash é ☃"),
    ],
)
def test_sanitize_for_log(text: str, expected: str) -> None:
    assert sanitize_for_log(text) == expected


def test_sanitize_for_log_keeps_clean_text_identical() -> None:
    text = "GET /index.html 200"
    assert sanitize_for_log(text) is text


def test_sanitized_text_has_one_line_and_no_controls() -> None:
    text = "".join(chr(i) for i in range(0x2030))
    out = sanitize_for_log(text)
    assert len(out.splitlines()) == 1
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)


@pytest.mark.parametrize("view_kind", ["sync", "async"])
def test_the_test_clients_errors_stream_gets_the_requests_log_lines(
    app: Vial, client: VialClient, view_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)

    def index() -> str:
        wsgi_errors_stream.write("logged")
        return "ok"

    if view_kind == "sync":
        app.route("/")(index)
    else:

        async def index_async() -> str:
            return index()

        app.route("/")(index_async)
    assert client.get("/", errors_stream=errors).text == "ok"
    assert (errors.getvalue(), stderr.getvalue()) == ("logged", "")
