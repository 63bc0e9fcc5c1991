"""The incoming request: a lazy view over what the server handed us.

Nothing is parsed until it is read: the path is decoded on first use of
:attr:`Request.path`, the query string on :attr:`Request.args`, the body on
:meth:`Request.get_data`, :attr:`Request.form` or :attr:`Request.json`.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import quote

from .._http_cookie import parse_cookie
from .._http_header import parse_options_header
from ..datastructures import (
    CombinedMultiDict,
    EnvironHeaders,
    ImmutableMultiDict,
    MultiDict,
)
from ..exceptions import (
    BadRequest,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
    SecurityError,
    UnsupportedMediaType,
)
from ..globals import _cv_contexts
from ..urls import uri_to_iri, url_decode
from ..utils import cached_property
from .body import CHUNK_SIZE, BodyStream, parse_content_length
from .request_headers import RequestHeaderMixin

if t.TYPE_CHECKING:
    from ..datastructures import FileStorage
    from ..formparser import FormDataParser
    from ..routing import Rule
    from ..typing import WSGIEnvironment

_FORM_MIMETYPES = frozenset(("application/x-www-form-urlencoded", "multipart/form-data"))
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: The form limits of a request outside any app (Werkzeug's; in an app, its config's).
_DEFAULT_MAX_FORM_MEMORY_SIZE = 500_000
_DEFAULT_MAX_FORM_PARTS = 1_000

# A character no Host header may hold: a control, a space, non-ASCII text, or "/", "\\",
# "@", "?" and "#", which would turn an external URL built from the host into one to
# another host ("http://good@evil/"). Such a request answers 400 before routing.
_find_invalid_host_character = re.compile(r"[^\x21-\x7e]|[/\\@?#]").search
_find_invalid_host_byte = re.compile(rb"[^\x21-\x7e]|[/\\@?#]").search
# Brackets only around an IPv6 address, before an optional port: "[::1" or "a[b]" would
# make an external URL that another parser splits differently.
_BRACKETED_HOST = re.compile(r"\[[0-9A-Za-z:.%]+\](?::[0-9]*)?")
_BRACKETED_HOST_BYTES = re.compile(rb"\[[0-9A-Za-z:.%]+\](?::[0-9]*)?")
#: Host headers found valid, as text and as bytes. PERF: a server sees few hosts, and a
#: set lookup costs a tenth of the regular expression (about 4,000 CPU instructions).
valid_hosts: set[str | bytes] = set()


def host_is_invalid(host: str | bytes) -> bool:
    """Whether a Host header (text, or an ASGI scope's bytes) holds a character no host
    may; callers look in :data:`valid_hosts` first."""
    if isinstance(host, str):
        invalid = _find_invalid_host_character(host) is not None or (
            ("[" in host or "]" in host) and _BRACKETED_HOST.fullmatch(host) is None
        )
    else:
        invalid = _find_invalid_host_byte(host) is not None or (
            (b"[" in host or b"]" in host) and _BRACKETED_HOST_BYTES.fullmatch(host) is None
        )
    if not invalid and len(valid_hosts) < 256:
        valid_hosts.add(host)
    return invalid


# What stays unescaped in a URL's path and query (Werkzeug's sets; "%" too, so that an
# escape the client sent survives).
_PATH_SAFE = "!$&'()*+,/:;=@%"
_QUERY_SAFE = "!$&'()*+,/:;=?@%"

#: Query strings with more fields than this are refused (400) instead of parsed.
DEFAULT_MAX_QUERY_FIELDS = 1000


def _decode_wsgi_str(value: str, what: str) -> str:
    """PEP 3333 strings carry raw bytes as latin-1; the web means UTF-8."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadRequest(f"The {what} is not valid UTF-8.") from None


class UserAgent:
    """The User-Agent header; ``str(ua)`` and ``ua.string`` give the raw value."""

    __slots__ = ("string",)

    def __init__(self, string: str) -> None:
        self.string = string

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        return bool(self.string)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UserAgent):
            return self.string == other.string
        return self.string == other

    def __hash__(self) -> int:
        return hash(self.string)

    def __repr__(self) -> str:
        return f"<UserAgent {self.string!r}>"


def _parsed_query(request: Request, query: str) -> MultiDict[str, str]:
    """``request.args`` of the query string ``query`` (as ``QUERY_STRING`` holds it)."""
    if not query:
        return request.parameter_storage_class()
    return url_decode(
        # PERF: ASCII text is what its bytes would decode to; only the rest is re-read.
        query if query.isascii() else query.encode("latin-1", "replace"),
        max_fields=request.max_query_fields,
        cls=request.parameter_storage_class,
    )


def environ_if_built(request: Request) -> WSGIEnvironment | None:
    """The request's environ, or ``None`` for one made from an ASGI scope whose
    environ nothing has read (so that clean-up need not build it)."""
    if request._environ_source is not None and "environ" not in request.__dict__:
        return None
    return request.environ


class Request(RequestHeaderMixin):
    """An HTTP request, as the ``request`` global shows it to views.

    :param environ: the WSGI environment (under ASGI, one built from the scope, when
        first read).
    """

    #: ``(scope, receive, loop, body reader or None, header dict)`` of a request made
    #: from an ASGI scope (see :class:`RequestFromScope`).
    _environ_source: tuple[t.Any, t.Any, t.Any, t.Any, dict[bytes, bytes]] | None = None

    #: Per-request override of ``MAX_CONTENT_LENGTH`` (``None``: use the app's).
    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None
    #: Query-string field cap; more fields answer 400.
    max_query_fields: int | None = DEFAULT_MAX_QUERY_FIELDS
    #: Hosts accepted in the Host header (``None``: any); set from TRUSTED_HOSTS.
    trusted_hosts: list[str] | None = None

    parameter_storage_class: type[MultiDict[str, t.Any]] = ImmutableMultiDict
    dict_storage_class: type[MultiDict[str, t.Any]] = ImmutableMultiDict

    #: ``Request(environ, shallow=True)`` (kept for Werkzeug compatibility; not enforced).
    shallow = False
    _form_parser: FormDataParser | None = None

    #: The rule that matched, its arguments, or the routing error to raise in dispatch.
    url_rule: Rule | None = None
    view_args: dict[str, t.Any] | None = None
    routing_exception: Exception | None = None

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        self.environ = environ
        if shallow:
            self.shallow = True
        elif populate_request:
            environ["werkzeug.request"] = self

    @classmethod
    def from_values(cls, *args: t.Any, **kwargs: t.Any) -> Request:
        """A request made up from :class:`vial.test.EnvironBuilder`'s arguments
        (``Request.from_values("/page", method="POST", data={...})``), for tests."""
        from ..test import EnvironBuilder

        builder = EnvironBuilder(*args, **kwargs)
        try:
            return builder.get_request(cls)
        finally:
            builder.close()

    @classmethod
    def application(cls, f: t.Callable[[Request], t.Any]) -> t.Callable[..., t.Any]:
        """Turn ``f(request) -> response`` into a WSGI application (Werkzeug's decorator);
        an HTTP error ``f`` raises becomes its response."""
        from ..exceptions import HTTPException

        def application(environ: WSGIEnvironment, start_response: t.Any) -> t.Any:
            request = cls(environ)
            try:
                response = f(request)
            except HTTPException as error:
                response = error.get_response(environ)
            return response(environ, start_response)

        return application

    @property
    def want_form_data_parsed(self) -> bool:
        """Whether the body is a form to parse (a form Content-Type was sent)."""
        return self.mimetype in _FORM_MIMETYPES

    # -- limits (Flask reads these from the app's config) -------------------------------

    def _app_config(self, key: str) -> t.Any:
        ctx = _cv_contexts.get()[0]
        if ctx is None:
            return None
        return ctx.app.config.get(key)

    @property
    def max_content_length(self) -> int | None:
        """The body size limit: a per-request override, else ``MAX_CONTENT_LENGTH``."""
        if self._max_content_length is not None:
            return self._max_content_length
        value: int | None = self._app_config("MAX_CONTENT_LENGTH")
        return value

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The size limit of one non-file form field (``MAX_FORM_MEMORY_SIZE``)."""
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        if _cv_contexts.get()[0] is None:
            return _DEFAULT_MAX_FORM_MEMORY_SIZE  # Werkzeug's Request default, as Flask's
        value: int | None = self._app_config("MAX_FORM_MEMORY_SIZE")
        return value

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property
    def max_form_parts(self) -> int | None:
        """The most multipart parts a form may have (``MAX_FORM_PARTS``)."""
        if self._max_form_parts is not None:
            return self._max_form_parts
        if _cv_contexts.get()[0] is None:
            return _DEFAULT_MAX_FORM_PARTS  # Werkzeug's Request default, as Flask's
        value: int | None = self._app_config("MAX_FORM_PARTS")
        return value

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    # -- the request line ------------------------------------------------------------------

    @cached_property
    def method(self) -> str:
        """The request method, upper case."""
        method: str = self.environ.get("REQUEST_METHOD", "GET")
        return method.upper()

    @cached_property
    def scheme(self) -> str:
        """``http`` or ``https`` (``ws``/``wss`` for WebSockets)."""
        scheme: str = self.environ.get("wsgi.url_scheme", "http")
        return scheme

    @property
    def is_secure(self) -> bool:
        """True when the request came over TLS."""
        return self.scheme in ("https", "wss")

    @cached_property
    def path(self) -> str:
        """The path below the app's mount point, decoded, always starting with ``/``.

        A path with invalid percent-encoding or UTF-8 (400) or a NUL (404) is answered
        with that error when the URL is matched (:attr:`path_error`); here it reads as
        well as it can be decoded, so hooks and error handlers that log it still work.
        """
        environ = self.environ
        error: HTTPException | None = None
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw_uri and "%" in raw_uri and _BAD_PERCENT.search(raw_uri.partition("?")[0]):
            error = BadRequest("The URL path contains invalid percent-encoding.")
        path_info: str = environ.get("PATH_INFO") or ""
        try:
            path = _decode_wsgi_str(path_info, "URL path")
        except BadRequest as undecodable:
            error = error or undecodable
            path = path_info.encode("latin-1", "replace").decode("utf-8", "replace")
        if "\x00" in path:
            # No resource has a NUL in its name: nothing here (as Flask answers).
            error = error or NotFound()
        if not path.startswith("/") or path.startswith("//"):
            path = "/" + path.lstrip("/")
        if error is not None:
            self.__dict__["_path_error"] = error
        return path

    @property
    def path_error(self) -> HTTPException | None:
        """Why :attr:`path` cannot be matched (a 400 or 404), or ``None``."""
        self.path  # noqa: B018 - computing the path records its error
        error: HTTPException | None = self.__dict__.get("_path_error")
        return error

    @cached_property
    def root_path(self) -> str:
        """Where the app is mounted (``SCRIPT_NAME``), without a trailing slash."""
        return _decode_wsgi_str(self.environ.get("SCRIPT_NAME") or "", "script name").rstrip("/")

    @property
    def script_root(self) -> str:
        """Alias of :attr:`root_path`."""
        return self.root_path

    @cached_property
    def query_string(self) -> bytes:
        """The raw query string, as bytes."""
        value: str = self.environ.get("QUERY_STRING", "")
        return value.encode("latin-1", "replace")

    @cached_property
    def full_path(self) -> str:
        """Path and query string: ``/page?x=1`` (``/page?`` when there is none)."""
        return f"{self.path}?{self.query_string.decode('latin-1')}"

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string; invalid encoding answers 400."""
        return _parsed_query(self, self.environ.get("QUERY_STRING", ""))

    # -- host and URLs -----------------------------------------------------------------------

    @cached_property
    def host(self) -> str:
        """The Host header (or the server name and port), checked against trusted hosts."""
        environ = self.environ
        host: str | None = environ.get("HTTP_HOST")
        if not host:
            host = environ.get("SERVER_NAME", "")
            port = str(environ.get("SERVER_PORT", ""))
            if port and (self.scheme, port) not in (
                ("http", "80"),
                ("https", "443"),
                ("ws", "80"),
                ("wss", "443"),
            ):
                host = f"{host}:{port}"
        elif (self.scheme == "http" and host.endswith(":80")) or (
            self.scheme == "https" and host.endswith(":443")
        ):
            host = host.rpartition(":")[0]
        if host not in valid_hosts and host_is_invalid(host):
            raise SecurityError("The Host header is not valid.")
        if self.trusted_hosts is not None and not host_is_trusted(host, self.trusted_hosts):
            raise SecurityError(f"Host {host!r} is not trusted.")
        return host

    # URLs are built as Werkzeug builds them: the decoded parts percent-encoded, then
    # turned into an IRI (UTF-8 escapes of non-ASCII text decoded, a Punycode host too).

    def _current_url(self, path: bool, query: bool) -> str:
        url = f"{self.scheme}://{self.host}{quote(self.root_path.rstrip('/'), safe=_PATH_SAFE)}/"
        if path:
            url += quote(self.path.lstrip("/"), safe=_PATH_SAFE)
            qs = self.environ.get("QUERY_STRING", "")
            if query and qs:
                url += "?" + quote(qs.encode("latin-1", "replace"), safe=_QUERY_SAFE)
        return uri_to_iri(url)

    @property
    def root_url(self) -> str:
        """Scheme, host and mount point, with a trailing slash, as an IRI."""
        return self._current_url(path=False, query=False)

    @property
    def url_root(self) -> str:
        """Alias of :attr:`root_url`."""
        return self.root_url

    @property
    def host_url(self) -> str:
        """Scheme and host, with a trailing slash, as an IRI."""
        return uri_to_iri(f"{self.scheme}://{self.host}/")

    @property
    def base_url(self) -> str:
        """The URL without the query string, as an IRI (``http://localhost/café``)."""
        return self._current_url(path=True, query=False)

    @property
    def url(self) -> str:
        """The full URL, with the query string when there is one, as an IRI."""
        return self._current_url(path=True, query=True)

    # -- the client ----------------------------------------------------------------------------

    @property
    def remote_addr(self) -> str | None:
        """The address of the client (or the last proxy)."""
        value: str | None = self.environ.get("REMOTE_ADDR")
        return value

    @property
    def access_route(self) -> list[str]:
        """The client and each proxy, from X-Forwarded-For, else just :attr:`remote_addr`."""
        forwarded = self.environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return [part.strip() for part in forwarded.split(",") if part.strip()]
        return [self.remote_addr] if self.remote_addr else []

    @cached_property
    def user_agent(self) -> UserAgent:
        """The User-Agent header (``str()`` of it is the raw string)."""
        return UserAgent(self.environ.get("HTTP_USER_AGENT", ""))

    # -- headers -------------------------------------------------------------------------------

    @cached_property
    def headers(self) -> EnvironHeaders:
        """The request headers, case-insensitive and multi-valued."""
        return EnvironHeaders(self.environ)

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """The cookies the client sent, in a :attr:`dict_storage_class` (as in Werkzeug)."""
        cookies = parse_cookie(self.environ.get("HTTP_COOKIE"), cls=self.dict_storage_class)
        return t.cast("ImmutableMultiDict[str, str]", cookies)

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length as an int (``None`` when absent); an invalid one is a 400."""
        return parse_content_length(self.environ.get("CONTENT_LENGTH"))

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, unparsed."""
        value: str | None = self.environ.get("CONTENT_TYPE")
        return value

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        return parse_options_header(self.environ.get("CONTENT_TYPE", ""))

    @property
    def mimetype(self) -> str:
        """The Content-Type without parameters, lower case (``""`` when absent)."""
        return self._parsed_content_type[0].lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        """The Content-Type parameters, such as ``charset``."""
        return self._parsed_content_type[1]

    @property
    def is_json(self) -> bool:
        """True for ``application/json`` and ``application/*+json`` bodies."""
        if self.environ.get("CONTENT_TYPE") == "application/json":
            return True  # PERF: the usual value, without parsing it
        mimetype = self.mimetype
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    # -- the body ------------------------------------------------------------------------------

    @cached_property
    def stream(self) -> BodyStream:
        """The raw body as a stream, bounded by its length and by :attr:`max_content_length`."""
        environ = self.environ
        length = self.content_length
        if length is None and not environ.get("wsgi.input_terminated"):
            # Without a length, reading is only safe when the server marks the end.
            length = 0
        return BodyStream(environ["wsgi.input"], length, self.max_content_length)

    async def iter_body(self) -> t.AsyncIterator[bytes]:
        """The body as it arrives, for async views marked with ``stream_request_body``.

        Under ASGI the chunks come straight from the server as the client sends
        them (413 past :attr:`max_content_length`); elsewhere they are read from
        :attr:`stream`.
        """
        from ..asgi import ASGIBodyReader

        reader = self.environ.get("vial.asgi.body")
        if isinstance(reader, ASGIBodyReader) and reader.streamable:
            length = self.content_length
            limit = self.max_content_length
            if limit is not None and length is not None and length > limit:
                raise RequestEntityTooLarge()
            async for chunk in reader.iter_messages(limit):
                yield chunk
            return
        stream = self.stream
        while True:
            chunk = stream.read(CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    @property
    def input_stream(self) -> t.Any:
        """The server's own input stream, unguarded. Prefer :attr:`stream`."""
        return self.environ["wsgi.input"]

    def get_data(
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> t.Any:
        """Read the whole body.

        :param cache: keep the bytes so later calls (and :attr:`form`) see them.
        :param as_text: decode as UTF-8.
        :param parse_form_data: parse form bodies first; then the raw bytes are empty.
        """
        if parse_form_data:
            self._load_form_data()
        data: bytes | None = self.__dict__.get("_cached_data")
        if data is None:
            if self._form_parser is not None and not self.__dict__.get("_form_from_data"):
                data = b""
            else:
                data = self.stream.read()
            if cache:
                self.__dict__["_cached_data"] = data
        if as_text:
            return data.decode("utf-8", "replace")
        return data

    @property
    def data(self) -> bytes:
        """The body as bytes (read and cached on first access)."""
        data: bytes = self.get_data(parse_form_data=True)
        return data

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        form: MultiDict[str, str]
        files: MultiDict[str, FileStorage]
        if self.mimetype in _FORM_MIMETYPES:
            form, files = self._parse_form()
        else:
            form, files = MultiDict(), MultiDict()
        self.__dict__["form"] = self.parameter_storage_class(form)
        self.__dict__["files"] = self.dict_storage_class(files)
        if not files and self.mimetype != "multipart/form-data":
            ctx = _cv_contexts.get()[0]
            if ctx is not None and ctx.app.debug:
                # As Flask: in debug mode, files[name] explains a form without enctype.
                from ..debughelpers import attach_enctype_error_multidict

                attach_enctype_error_multidict(self)

    def _parse_form(self) -> tuple[MultiDict[str, str], MultiDict[str, FileStorage]]:
        from ..formparser import FormDataParser

        parser_kwargs: dict[str, t.Any] = {
            "content_length": self.content_length,
            "max_content_length": self.max_content_length,
        }
        memory = self.max_form_memory_size
        if memory is not None:
            parser_kwargs["max_form_memory_size"] = memory
        parts = self.max_form_parts
        if parts is not None:
            parser_kwargs["max_form_parts"] = parts
        parser = FormDataParser(self.mimetype, self.mimetype_params, **parser_kwargs)
        self._form_parser = parser
        cached = self.__dict__.get("_cached_data")
        if cached is not None:
            self.__dict__["_form_from_data"] = True
            parser.feed(cached)
        else:
            stream = self.stream
            while True:
                chunk = stream.read(CHUNK_SIZE)
                if not chunk:
                    break
                parser.feed(chunk)
        return parser.finish()

    @property
    def form(self) -> MultiDict[str, str]:
        """Fields of a urlencoded or multipart body."""
        self._load_form_data()
        form: MultiDict[str, str] = self.__dict__["form"]
        return form

    @property
    def files(self) -> MultiDict[str, FileStorage]:
        """Uploaded files of a multipart body, as :class:`~vial.datastructures.FileStorage`."""
        self._load_form_data()
        files: MultiDict[str, FileStorage] = self.__dict__["files"]
        return files

    @cached_property
    def values(self) -> CombinedMultiDict[str, str]:
        """:attr:`args` and :attr:`form` together (form ignored for GET)."""
        sources: list[MultiDict[str, str]] = [self.args]
        if self.method != "GET":
            sources.append(self.form)
        return CombinedMultiDict(sources)

    # -- JSON ----------------------------------------------------------------------------------

    @property
    def json(self) -> t.Any:
        """The parsed JSON body; like :meth:`get_json` with default arguments."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> t.Any:
        """Parse the body as JSON.

        :param force: parse even when the Content-Type is not JSON.
        :param silent: return ``None`` instead of raising on a bad type or bad JSON.
        :param cache: remember the result for later calls.
        :raises UnsupportedMediaType: (415) the Content-Type is not JSON.
        :raises BadRequest: (400) the body is not valid JSON.
        """
        cache_key = "_json_silent" if silent else "_json"
        if cache and cache_key in self.__dict__:
            return self.__dict__[cache_key]
        if not (force or self.is_json):
            if silent:
                return None
            return self.on_json_loading_failed(None)
        data = self.get_data(cache=cache)
        try:
            value = self._json_loads(data)
        except ValueError as error:
            if silent:
                value = None
                if cache:
                    self.__dict__["_json_silent"] = None
                return None
            return self.on_json_loading_failed(error)
        if cache:
            self.__dict__["_json"] = value
            self.__dict__["_json_silent"] = value
        return value

    def _json_loads(self, data: bytes) -> t.Any:
        ctx = _cv_contexts.get()[0]
        if ctx is not None:
            return ctx.app.json.loads(data)
        from ..json import loads

        return loads(data)

    def on_json_loading_failed(self, error: ValueError | None) -> t.Any:
        """Called when the body is not JSON; raises 415 or 400. Override to change that.

        As in Flask, the parser's message is in the 400 only in debug mode (or outside
        an app context); otherwise the client gets the generic Bad Request text.
        """
        if error is None:
            raise UnsupportedMediaType(
                "Did not attempt to load JSON data because the request"
                " Content-Type was not 'application/json'."
            )
        ctx = _cv_contexts.get()[0]
        if ctx is None or ctx.app.debug:
            raise BadRequest(f"Failed to decode JSON object: {error}")
        raise BadRequest() from error

    # -- routing (set by the app) -----------------------------------------------------------

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule."""
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The name of the blueprint of the matched endpoint (dotted when nested)."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]

    # -- lifetime --------------------------------------------------------------------------------

    def close(self) -> None:
        """Release what the body parsing held (temporary upload files)."""
        parser = self._form_parser
        if parser is not None:
            self._form_parser = None
            parser.close()
        files = self.__dict__.get("files")
        if files:
            for storage in files.values():
                storage.close()

    def __enter__(self) -> Request:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        try:
            url = self.url
        except Exception:
            url = "(invalid URL)"
        return f"<{type(self).__name__} {url!r} [{self.method}]>"


def host_is_trusted(host: str, trusted: t.Iterable[str]) -> bool:
    """Whether ``host`` (port ignored) is in ``trusted``; ``.example.com`` matches subdomains."""
    name = host.rpartition(":")[0] if host.rfind(":") > host.rfind("]") else host
    name = name.lower()
    for entry in trusted:
        entry = entry.lower()
        if entry.startswith("."):
            if name == entry[1:] or name.endswith(entry):
                return True
        elif name == entry:
            return True
    return False


class _EnvironOnFirstUse:
    """``environ`` of a :class:`RequestFromScope`: built when something first reads it,
    then kept on the instance, where it hides this descriptor."""

    def __get__(self, request: Request | None, owner: type[Request]) -> t.Any:
        if request is None:
            return self
        source = request._environ_source
        if source is None:
            raise AttributeError(f"{type(request).__name__!r} object has no attribute 'environ'")
        from ..asgi import environ_for_request

        scope, receive, loop, body, _ = source
        return environ_for_request(request, scope, receive, loop, body)


class RequestFromScope(Request):
    """The :class:`Request` the ASGI adapter makes from an HTTP scope
    (:func:`vial.asgi.context_from_scope`), whose environ is built on first read.

    Until then, what an async view reads most (the query arguments, and the length,
    type and stream of a body) comes from the scope, with the same parsing; once the
    environ exists, everything comes from it, as for any :class:`Request`.

    PERF: a subclass, because a descriptor named ``environ`` on :class:`Request` itself
    would keep CPython from specialising every ``request.environ`` read. Building the
    environ costs about 1.5 µs (seven headers).
    """

    if not t.TYPE_CHECKING:
        environ = _EnvironOnFirstUse()

    _environ_source: tuple[t.Any, t.Any, t.Any, t.Any, dict[bytes, bytes]]

    def _header_text(self, raw_name: bytes, environ_key: str) -> str | None:
        """A header's text as the environ has it (the names are unique in the scope)."""
        if "environ" in self.__dict__:
            value: str | None = self.environ.get(environ_key)
            return value
        raw = self._environ_source[4].get(raw_name)
        return None if raw is None else raw.decode("latin-1")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The parsed query string; invalid encoding answers 400."""
        if "environ" in self.__dict__:
            return super().args
        raw: bytes = self._environ_source[0].get("query_string", b"")
        return _parsed_query(self, raw.decode("latin-1"))

    @cached_property
    def content_length(self) -> int | None:
        """The Content-Length as an int (``None`` when absent); an invalid one is a 400."""
        return parse_content_length(self._header_text(b"content-length", "CONTENT_LENGTH"))

    @property
    def is_json(self) -> bool:
        """True for ``application/json`` and ``application/*+json`` bodies."""
        if self._header_text(b"content-type", "CONTENT_TYPE") == "application/json":
            return True
        return super().is_json

    @cached_property
    def stream(self) -> BodyStream:
        """The raw body as a stream, bounded by its length and by :attr:`max_content_length`."""
        body = self._environ_source[3]
        if body is None or "environ" in self.__dict__:
            return super().stream
        # The environ's wsgi.input would be this reader, and the server marks the end.
        return BodyStream(body, self.content_length, self.max_content_length)


# Shown, in reprs and errors, as the Request it stands for.
RequestFromScope.__name__ = RequestFromScope.__qualname__ = "Request"
