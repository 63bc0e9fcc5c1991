"""Errors: HTTP exceptions, abort, error handlers, unhandled exceptions, propagation and logging."""

from __future__ import annotations

import logging
import typing as t

import pytest

from vial import Response, Vial, abort, request
from vial import exceptions as exc
from vial.testing import VialClient

pytestmark = pytest.mark.usefixtures("no_context_left")


@pytest.fixture
def records(app: Vial) -> t.Iterator[list[logging.LogRecord]]:
    """The records app.logger emits, captured by a handler (nothing printed)."""
    captured: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(record)

    handler = Capture(logging.DEBUG)
    logger = app.logger
    logger.addHandler(handler)
    propagate, disabled = logger.propagate, logger.disabled
    logger.propagate = False
    logger.disabled = False
    yield captured
    logger.removeHandler(handler)
    logger.propagate, logger.disabled = propagate, disabled


# -- the exceptions module ---------------------------------------------------------------------

_FAMILIAR = [
    ("BadRequest", 400, "Bad Request"),
    ("Unauthorized", 401, "Unauthorized"),
    ("Forbidden", 403, "Forbidden"),
    ("NotFound", 404, "Not Found"),
    ("MethodNotAllowed", 405, "Method Not Allowed"),
    ("NotAcceptable", 406, "Not Acceptable"),
    ("RequestTimeout", 408, "Request Timeout"),
    ("Conflict", 409, "Conflict"),
    ("Gone", 410, "Gone"),
    ("LengthRequired", 411, "Length Required"),
    ("PreconditionFailed", 412, "Precondition Failed"),
    ("RequestEntityTooLarge", 413, "Request Entity Too Large"),
    ("RequestURITooLarge", 414, "Request URI Too Long"),
    ("UnsupportedMediaType", 415, "Unsupported Media Type"),
    ("RequestedRangeNotSatisfiable", 416, "Requested Range Not Satisfiable"),
    ("ExpectationFailed", 417, "Expectation Failed"),
    ("ImATeapot", 418, "I'm a teapot"),
    ("UnprocessableEntity", 422, "Unprocessable Entity"),
    ("Locked", 423, "Locked"),
    ("FailedDependency", 424, "Failed Dependency"),
    ("PreconditionRequired", 428, "Precondition Required"),
    ("TooManyRequests", 429, "Too Many Requests"),
    ("RequestHeaderFieldsTooLarge", 431, "Request Header Fields Too Large"),
    ("UnavailableForLegalReasons", 451, "Unavailable For Legal Reasons"),
    ("InternalServerError", 500, "Internal Server Error"),
    ("NotImplemented", 501, "Not Implemented"),
    ("BadGateway", 502, "Bad Gateway"),
    ("ServiceUnavailable", 503, "Service Unavailable"),
    ("GatewayTimeout", 504, "Gateway Timeout"),
    ("HTTPVersionNotSupported", 505, "HTTP Version Not Supported"),
]


@pytest.mark.parametrize(("name", "code", "phrase"), _FAMILIAR)
def test_exception_class_is_a_valid_short_html_response(name: str, code: int, phrase: str) -> None:
    cls = getattr(exc, name)
    assert issubclass(cls, exc.HTTPException)
    error = cls()
    assert error.code == code
    assert error.name == phrase
    assert error.description
    response = error.get_response()
    assert response.status_code == code
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html>")
    assert f"<title>{code} " in body
    assert len(body) < 1000
    assert exc.default_exceptions[code] is cls


def test_exception_str_and_custom_description() -> None:
    error = exc.NotFound("No such <thing>.")
    assert str(error) == "404 Not Found: No such <thing>."
    body = error.get_response().get_data(as_text=True)
    assert "No such &lt;thing&gt;." in body
    assert "<thing>" not in body


def test_exception_with_a_ready_response() -> None:
    ready = Response("custom", status=403)
    error = exc.Forbidden(response=ready)
    assert error.get_response() is ready


def test_method_not_allowed_and_unauthorized_headers() -> None:
    allow = exc.MethodNotAllowed(valid_methods=["GET", "POST"]).get_response()
    assert allow.headers["Allow"] == "GET, POST"
    auth = exc.Unauthorized(www_authenticate='Basic realm="x"').get_response()
    assert auth.headers["WWW-Authenticate"] == 'Basic realm="x"'


def test_retry_after_header() -> None:
    response = exc.TooManyRequests(retry_after=30).get_response()
    assert response.headers["Retry-After"] == "30"
    response = exc.ServiceUnavailable(retry_after=5).get_response()
    assert response.headers["Retry-After"] == "5"


def test_retry_after_datetime_naive_is_utc() -> None:
    from datetime import datetime, timedelta, timezone

    expected = "Sat, 04 Jan 2020 18:52:16 GMT"
    naive = datetime(2020, 1, 4, 18, 52, 16)
    assert (
        exc.ServiceUnavailable(retry_after=naive).get_response().headers["Retry-After"] == expected
    )
    aware = datetime(2020, 1, 4, 19, 52, 16, tzinfo=timezone(timedelta(hours=1)))
    assert exc.TooManyRequests(retry_after=aware).get_headers()[-1] == ("Retry-After", expected)


def test_bad_request_key_error_is_both() -> None:
    error = exc.BadRequestKeyError("k")
    assert isinstance(error, KeyError)
    assert isinstance(error, exc.BadRequest)
    assert error.code == 400


# -- abort -------------------------------------------------------------------------------------


def test_abort_with_code_and_description(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        abort(403, "Not for you.")

    response = client.get("/")
    assert response.status_code == 403
    assert "Not for you." in response.text
    assert "<h1>Forbidden</h1>" in response.text


def test_abort_with_a_response(app: Vial, client: VialClient) -> None:
    @app.route("/")
    def index() -> str:
        abort(Response("teapot body", status=418, headers={"X-A": "1"}))

    response = client.get("/")
    assert (response.status_code, response.text, response.headers["X-A"]) == (
        418,
        "teapot body",
        "1",
    )


def test_abort_outside_app_context_raises_the_exception() -> None:
    with pytest.raises(exc.NotFound):
        abort(404)
    with pytest.raises(exc.Conflict) as info:
        abort(409, description="clash")
    assert info.value.description == "clash"


def test_abort_with_unknown_code_is_lookup_error() -> None:
    with pytest.raises(LookupError):
        abort(299)


def test_abort_uses_the_app_aborter(app: Vial, client: VialClient) -> None:
    class Custom(exc.HTTPException):
        code = 599
        description = "custom"

    app.aborter.mapping[599] = Custom

    @app.route("/")
    def index() -> str:
        abort(599)

    assert client.get("/").status_code == 599


# -- error handlers ----------------------------------------------------------------------------


def test_errorhandler_by_code_for_routing_404(app: Vial, client: VialClient) -> None:
    @app.errorhandler(404)
    def not_found(e: exc.HTTPException) -> tuple[str, int]:
        return f"nothing at {request.path} ({e.code})", 404

    response = client.get("/missing")
    assert (response.status_code, response.text) == (404, "nothing at /missing (404)")


def test_errorhandler_by_class_and_abort(app: Vial, client: VialClient) -> None:
    @app.errorhandler(exc.Forbidden)
    def forbidden(e: exc.Forbidden) -> tuple[dict[str, t.Any], int]:
        return {"error": e.description}, 403

    @app.route("/")
    def index() -> str:
        abort(403, "go away")

    response = client.get("/")
    assert (response.status_code, response.json) == (403, {"error": "go away"})


def test_errorhandler_for_405_and_handler_sees_the_exception(app: Vial, client: VialClient) -> None:
    @app.errorhandler(405)
    def not_allowed(e: exc.MethodNotAllowed) -> Response:
        response = e.get_response()
        response.set_data("custom 405")
        return response

    @app.post("/only-post")
    def only_post() -> str:
        return ""

    response = client.get("/only-post")
    assert response.status_code == 405
    assert response.text == "custom 405"
    assert "POST" in response.headers["Allow"]


def test_handler_for_base_http_exception_catches_all(app: Vial, client: VialClient) -> None:
    @app.errorhandler(exc.HTTPException)
    def any_http(e: exc.HTTPException) -> tuple[dict[str, t.Any], int]:
        assert e.code is not None
        return {"code": e.code, "name": e.name}, e.code

    @app.route("/gone")
    def gone() -> str:
        raise exc.Gone()

    assert client.get("/gone").json == {"code": 410, "name": "Gone"}
    assert client.get("/nowhere").json == {"code": 404, "name": "Not Found"}


def test_redirects_are_not_passed_to_http_exception_handlers(app: Vial, client: VialClient) -> None:
    @app.errorhandler(exc.HTTPException)
    def any_http(e: exc.HTTPException) -> str:
        return "handled"

    @app.route("/dir/")
    def directory() -> str:
        return "dir"

    response = client.get("/dir")
    assert response.status_code == 308


def test_handler_lookup_follows_class_hierarchy_most_specific_wins(
    app: Vial, client: VialClient
) -> None:
    class AppError(Exception):
        pass

    class PaymentError(AppError):
        pass

    class CardDeclined(PaymentError):
        pass

    @app.errorhandler(AppError)
    def app_error(e: AppError) -> tuple[str, int]:
        return f"app:{type(e).__name__}", 500

    @app.errorhandler(PaymentError)
    def payment_error(e: PaymentError) -> tuple[str, int]:
        return f"payment:{type(e).__name__}", 402

    @app.route("/<kind>")
    def fail(kind: str) -> str:
        raise {"app": AppError, "payment": PaymentError, "card": CardDeclined}[kind]()

    assert (client.get("/app").status_code, client.get("/app").text) == (500, "app:AppError")
    assert client.get("/payment").text == "payment:PaymentError"
    r = client.get("/card")
    assert (r.status_code, r.text) == (402, "payment:CardDeclined")


def test_code_handler_wins_over_generic_exception_handler(app: Vial, client: VialClient) -> None:
    @app.errorhandler(Exception)
    def anything(e: Exception) -> tuple[str, int]:
        return "generic", 500

    @app.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "specific", 404

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("x")

    assert client.get("/nowhere").text == "specific"
    assert client.get("/boom").text == "generic"


def test_exception_handler_also_handles_http_errors(app: Vial, client: VialClient) -> None:
    @app.errorhandler(Exception)
    def anything(e: Exception) -> tuple[str, int]:
        return f"generic {type(e).__name__}", 599

    response = client.get("/nowhere")
    assert (response.status_code, response.text) == (599, "generic NotFound")


@pytest.mark.parametrize(
    ("returned", "status", "body"),
    [
        ("text", 200, b"text"),
        (("text", 418), 418, b"text"),
        (({"e": 1}, 400), 400, b'{"e":1}\n'),
        ((b"raw", 409, {"X-H": "1"}), 409, b"raw"),
    ],
)
def test_handler_return_values_are_view_return_values(
    app: Vial, client: VialClient, returned: t.Any, status: int, body: bytes
) -> None:
    @app.errorhandler(ValueError)
    def handle(e: ValueError) -> t.Any:
        return returned

    @app.route("/")
    def index() -> str:
        raise ValueError("bad")

    response = client.get("/")
    assert response.status_code == status
    if body.startswith(b"{"):
        assert response.json == {"e": 1}
    else:
        assert response.data == body


def test_register_error_handler_non_decorator(app: Vial, client: VialClient) -> None:
    app.register_error_handler(KeyError, lambda e: ("missing key", 400))

    @app.route("/")
    def index() -> str:
        return {}["x"]  # type: ignore[no-any-return]

    assert client.get("/").text == "missing key"


def test_register_error_handler_refuses_bad_arguments(app: Vial) -> None:
    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        app.register_error_handler(999, lambda e: "")
    with pytest.raises(TypeError, match="instance"):
        app.register_error_handler(exc.NotFound(), lambda e: "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a subclass of Exception"):
        app.register_error_handler(int, lambda e: "")  # type: ignore[arg-type]


def test_after_request_runs_on_handled_errors(app: Vial, client: VialClient) -> None:
    @app.after_request
    def tag(response: Response) -> Response:
        response.headers["X-After"] = "yes"
        return response

    @app.errorhandler(404)
    def not_found(e: Exception) -> tuple[str, int]:
        return "nf", 404

    assert client.get("/nowhere").headers["X-After"] == "yes"


# -- unhandled exceptions, propagation, logging -----------------------------------------------


def test_unhandled_exception_is_500_and_logged(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.testing = False

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "<h1>Internal Server Error</h1>" in response.text
    assert "kaboom" not in response.text
    errors = [r for r in records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage() == "Exception on /boom [GET]"
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)
    assert errors[0].name == app.name


def test_500_handler_receives_original_exception(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[BaseException | None] = []

    @app.errorhandler(500)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        seen.append(e.original_exception)
        return f"sorry: {type(e).__name__}", 500

    @app.route("/")
    def index() -> str:
        raise LookupError("lost")

    response = client.get("/")
    assert (response.status_code, response.text) == (500, "sorry: InternalServerError")
    assert len(seen) == 1
    assert isinstance(seen[0], LookupError)
    assert str(seen[0]) == "lost"


def test_handler_for_internal_server_error_class(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.testing = False

    @app.errorhandler(exc.InternalServerError)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        return "ise handler", 500

    @app.route("/")
    def index() -> str:
        raise RuntimeError()

    assert client.get("/").text == "ise handler"


def test_aborted_500_goes_to_500_handler_without_original(app: Vial, client: VialClient) -> None:
    seen: list[t.Any] = []

    @app.errorhandler(500)
    def server_error(e: exc.InternalServerError) -> tuple[str, int]:
        seen.append(e.original_exception)
        return "handled", 500

    @app.route("/")
    def index() -> str:
        abort(500)

    assert client.get("/").text == "handled"
    assert seen == [None]


def test_http_errors_are_not_logged(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.testing = False

    @app.route("/")
    def index() -> str:
        abort(400)

    assert client.get("/").status_code == 400
    assert client.get("/nowhere").status_code == 404
    assert records == []


def test_testing_propagates_unhandled_exceptions(app: Vial, client: VialClient) -> None:
    assert app.testing

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError("propagated")

    with pytest.raises(ZeroDivisionError, match="propagated"):
        client.get("/")


def test_propagate_exceptions_true_without_testing(app: Vial, client: VialClient) -> None:
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    with pytest.raises(ZeroDivisionError):
        client.get("/")


def test_propagate_exceptions_false_overrides_testing(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    assert client.get("/").status_code == 500
    assert len(records) == 1


def test_debug_alone_answers_500_instead_of_propagating(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    # A documented vial difference: Flask propagates in debug mode (for Werkzeug's
    # debugger); vial answers with its read-only debug page, status 500.
    app.testing = False
    app.debug = True

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    assert client.get("/").status_code == 500
    assert isinstance(records[0].exc_info[1], ZeroDivisionError)  # type: ignore[index]


def test_handled_exception_does_not_propagate_in_testing(app: Vial, client: VialClient) -> None:
    @app.errorhandler(ZeroDivisionError)
    def handle(e: ZeroDivisionError) -> tuple[str, int]:
        return "handled", 400

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    assert client.get("/").status_code == 400


def test_error_in_error_handler_becomes_500(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.testing = False

    @app.errorhandler(404)
    def broken(e: Exception) -> str:
        raise RuntimeError("handler broke")

    assert client.get("/nowhere").status_code == 500
    assert isinstance(records[0].exc_info[1], RuntimeError)  # type: ignore[index]


def test_trap_http_exceptions(app: Vial, client: VialClient) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True

    @app.route("/")
    def index() -> str:
        abort(403)

    with pytest.raises(exc.Forbidden):
        client.get("/")


def test_trapped_routing_error_is_not_chained(app: Vial, client: VialClient) -> None:
    """A trapped 404 from routing has no "During handling of ..." exception in its traceback."""
    app.config["TRAP_HTTP_EXCEPTIONS"] = True

    @app.route("/slash/")
    def slash() -> str:
        return "slash"

    for path in ("/nowhere", "/slash/", "/slash/x"):
        with pytest.raises(exc.HTTPException) as info:
            client.post(path)
        assert info.value.__context__ is None and info.value.__cause__ is None


def test_trap_bad_request_errors_for_missing_key(app: Vial, client: VialClient) -> None:
    app.config["TRAP_BAD_REQUEST_ERRORS"] = True

    @app.route("/")
    def index() -> str:
        return request.args["missing"]

    with pytest.raises(KeyError):
        client.get("/")


def test_bad_request_key_error_in_debug_names_the_key(app: Vial, client: VialClient) -> None:
    app.debug = True
    app.config["TRAP_BAD_REQUEST_ERRORS"] = False

    @app.post("/")
    def index() -> str:
        return request.form["username"]

    response = client.post("/", data={"other": "x"})
    assert response.status_code == 400
    assert "username" in response.text


def test_exception_in_after_request_is_500(
    app: Vial, client: VialClient, records: list[logging.LogRecord]
) -> None:
    app.testing = False

    @app.route("/")
    def index() -> str:
        return "ok"

    @app.after_request
    def broken(response: Response) -> Response:
        raise RuntimeError("after broke")

    assert client.get("/").status_code == 500
