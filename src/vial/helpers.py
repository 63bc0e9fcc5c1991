"""Helpers for views: url_for, redirect, abort, make_response, flashing, files, streaming.

Also Flask's helpers that extensions import: :func:`get_debug_flag`,
:func:`get_load_dotenv` and :func:`get_root_path`.
"""

from __future__ import annotations

import os
import typing as t
import unicodedata
from datetime import datetime
from functools import update_wrapper
from time import time
from urllib.parse import quote

from ._env_flags import get_debug_flag as get_debug_flag
from ._env_flags import get_load_dotenv as get_load_dotenv
from .exceptions import NotFound, _escape_html
from .globals import _cv_contexts, current_app, request_ctx, session
from .scaffold import get_root_path as get_root_path
from .signals import message_flashed

if t.TYPE_CHECKING:
    from .app import Vial
    from .wrappers.response import Response

_T = t.TypeVar("_T")
_F = t.TypeVar("_F", bound=t.Callable[..., t.Any])


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Build the URL of an endpoint.

    :param endpoint: ``"view"``, ``"blueprint.view"``, or ``".view"`` for the current blueprint.
    :param _anchor: a ``#fragment`` to add.
    :param _method: pick the rule that allows this method.
    :param _scheme: the scheme of an external URL.
    :param _external: an absolute URL (default outside requests, or with ``_scheme``).
    :param values: the rule's variables; unknown ones become the query string.
    """
    return current_app.url_for(
        endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
    )


def _redirect(location: str, code: int, response_class: type[Response]) -> Response:
    from .urls import iri_to_uri

    try:
        target = iri_to_uri(location)
    except ValueError:
        # "http://[::1" (urlsplit: "Invalid IPv6 URL") or a lone surrogate from a JSON
        # body: a target that no URL can stand for. It almost always comes from the
        # client (redirect(request.args["next"])), so it is the client's error, not a 500.
        from .exceptions import BadRequest

        raise BadRequest("The redirect target is not a valid URL.") from None
    body = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: "
        f'<a href="{_escape_html(target)}">{_escape_html(location)}</a>. If not, click the link.\n'
    )
    response = response_class(body, code, mimetype="text/html")
    response.headers["Location"] = target
    return response


def redirect(location: str, code: int = 302, Response: type[Response] | None = None) -> Response:
    """A redirect to ``location`` (non-ASCII and control characters are percent-encoded)."""
    if Response is None:
        ctx = _cv_contexts.get()[0]
        if ctx is not None:
            return ctx.app.redirect(location, code)
        from .wrappers.response import Response as default_class

        return _redirect(location, code, default_class)
    return _redirect(location, code, Response)


def is_safe_redirect_url(target: str, host_url: str | None = None) -> bool:
    """Whether ``target`` (say a ``?next=`` value) is safe to redirect to: on this site.

    Relative URLs (``/account``, ``page?x=1``) are safe, and so are absolute ``http``
    and ``https`` URLs whose host and port are those of ``host_url`` (either scheme).
    Anything that a browser could take to another site is not: ``https://evil.example``, the
    scheme-relative ``//evil.example`` and ``///evil.example``, backslash forms such as
    ``/\\evil.example`` (browsers read ``\\`` as ``/``), ``javascript:`` and other
    schemes, and URLs carrying control characters or surrounding whitespace, which
    browsers strip before parsing. An empty target is not safe either (use a default).

    :param target: the untrusted URL.
    :param host_url: this site's URL (``request.host_url`` during a request when not given;
        outside a request only relative URLs pass).

    Example::

        next_url = request.args.get("next", "")
        if not is_safe_redirect_url(next_url):
            next_url = url_for("index")
        return redirect(next_url)
    """
    if not isinstance(target, str) or not target or target != target.strip():
        return False
    if host_url is None:
        ctx = _cv_contexts.get()[1]
        host_url = ctx.request.host_url if ctx is not None else None
    if not _is_local_target(target, host_url):
        return False
    # redirect() sends iri_to_uri(target), which a browser parses again: both must stay
    # here. "http://good\\@evil/" is good's path "/@evil/" to a browser, but its
    # backslash becomes "%5C", and "http://good%5C@evil/" is evil with a user name.
    from .urls import iri_to_uri

    try:
        sent = iri_to_uri(target)
    except ValueError:
        return False
    return sent == target or _is_local_target(sent, host_url)


def _is_local_target(target: str, host_url: str | None) -> bool:
    from urllib.parse import urlsplit

    if any(c < " " or c == "\x7f" for c in target):
        return False
    # Browsers treat a backslash as a slash in http(s) URLs: "/\\evil" is "//evil".
    url = target.replace("\\", "/")
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if not scheme and not parts.netloc:
        # A path (with query or fragment); "///evil" has no netloc for urlsplit but is
        # a scheme-relative URL to "evil" for a browser.
        return not url.startswith("//")
    if scheme not in ("", "http", "https") or not parts.netloc or host_url is None:
        return False
    return parts.netloc.lower() == urlsplit(host_url).netloc.lower()


def abort(code: int | Response, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTP exception for ``code`` (uses the current app's aborter when there is one)."""
    ctx = _cv_contexts.get()[0]
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    from .exceptions import abort as _abort

    _abort(code, *args, **kwargs)


def make_response(*args: t.Any) -> Response:
    """Turn view-style return values into a response, to change it before returning it."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A macro or variable exported by a template."""
    env = current_app.jinja_env
    return getattr(env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Remember a message for the next request (shown with :func:`get_flashed_messages`)."""
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """The flashed messages (removed from the session; repeated calls in a request agree).

    :param with_categories: return ``(category, message)`` pairs.
    :param category_filter: only the messages of these categories; one category may
        be given as a string.
    """
    flashes = request_ctx.flashes
    if flashes is None:
        flashes = session.pop("_flashes") if "_flashes" in session else []
        request_ctx.flashes = flashes
    if category_filter:
        wanted = {category_filter} if isinstance(category_filter, str) else set(category_filter)
        flashes = [f for f in flashes if f[0] in wanted]
    if with_categories:
        return [(f[0], f[1]) for f in flashes]
    return [f[1] for f in flashes]


def stream_with_context(generator_or_function: t.Any) -> t.Any:
    """Keep the request context pushed while a streamed response's generator runs."""
    try:
        gen = iter(generator_or_function)
    except TypeError:

        def decorator(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return stream_with_context(generator_or_function(*args, **kwargs))

        return update_wrapper(decorator, generator_or_function)

    def generator() -> t.Iterator[t.Any]:
        ctx = _cv_contexts.get()[1]
        if ctx is None:
            raise RuntimeError(
                "'stream_with_context' can only be used when a request context is active,"
                " such as in a view function."
            )
        with ctx:
            try:
                try:
                    yield None
                except GeneratorExit:
                    # Closed before the body was read (a HEAD request, a response
                    # dropped unsent): not an error, so teardown gets None.
                    return
                yield from gen
            finally:
                close = getattr(gen, "close", None)
                if close is not None:
                    close()

    wrapped = generator()
    next(wrapped)
    return wrapped


def _disposition_params(download_name: str) -> dict[str, str]:
    if download_name.isascii() and download_name.isprintable():
        return {"filename": download_name}
    # Non-ASCII text, or control characters (a name from user input with CR, LF or NUL,
    # which a header may not carry): an ASCII fallback without them, and the whole name
    # percent-encoded in filename*, rather than a header that is refused (a 500).
    simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode("ascii")
    simple = "".join(c for c in simple if c.isprintable())
    quoted = quote(download_name, safe="!#$&+^`|~", errors="replace")
    return {"filename": simple, "filename*": f"UTF-8''{quoted}"}


def send_file(
    path_or_file: os.PathLike[str] | str | t.IO[bytes],
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: int | t.Callable[[str | None], int | None] | None = None,
) -> Response:
    """Send a file, streamed in chunks, with conditional and range support.

    :param path_or_file: a path (relative to the app's root) or a binary file object.
    :param mimetype: guessed from the name when omitted.
    :param as_attachment: ask the browser to save rather than show it.
    :param download_name: the name the browser sees (RFC 6266 / 5987 for non-ASCII).
    :param conditional: answer If-None-Match / If-Modified-Since / Range.
    :param etag: compute an ETag (True), use this one (str), or none (False).
    :param last_modified: the Last-Modified time (the file's mtime by default).
    :param max_age: seconds to cache, or a function of the path that returns them;
        by default ``app.get_send_file_max_age`` (``SEND_FILE_MAX_AGE_DEFAULT``).
        None (from either) means ``no-cache``: revalidate every time.

    With ``USE_X_SENDFILE`` set and a path given, the response carries an
    ``X-Sendfile`` header with the file's absolute path and no body, for a
    front server that sends files itself.
    """
    import mimetypes  # with send_file, not with vial
    import zlib

    from .datastructures import Headers
    from .wrappers.file_body import FileBody

    app: Vial = current_app._get_current_object()  # type: ignore[attr-defined]
    environ = request_ctx.request.environ
    path: str | None = None
    stat: os.stat_result | None = None
    file: t.IO[bytes] | None = None
    if isinstance(path_or_file, (os.PathLike, str)):
        path = os.path.join(app.root_path, os.fspath(path_or_file))
        stat = os.stat(path)
        if download_name is None:
            download_name = os.path.basename(path)
    else:
        file = path_or_file
    if mimetype is None:
        if download_name is None:
            raise TypeError(
                "Unable to detect the MIME type because a file name is not available. Either"
                " set 'download_name', pass a path instead of a file, or set 'mimetype'."
            )
        mimetype = mimetypes.guess_type(download_name)[0]
        if mimetype is None:
            mimetype = "application/octet-stream"
    headers = Headers()
    if download_name is not None:
        headers.set(
            "Content-Disposition",
            "attachment" if as_attachment else "inline",
            **_disposition_params(download_name),
        )
    elif as_attachment:
        raise TypeError(
            "No name provided for attachment. Either set 'download_name' or pass a path"
            " instead of a file."
        )

    size: int | None
    body: FileBody | None = None
    if file is None:
        assert path is not None and stat is not None
        size = stat.st_size
        if app.config["USE_X_SENDFILE"]:
            # The front server (Apache's mod_xsendfile, lighttpd) sends the file itself.
            headers["X-Sendfile"] = os.path.abspath(path)
        else:
            file = open(path, "rb")  # noqa: SIM115 - closed with the response
    else:
        size = _file_size(file)
    if file is not None:
        body = FileBody(file, size, path)
    rv = app.response_class(
        () if body is None else body, mimetype=mimetype, headers=headers, direct_passthrough=True
    )
    if size is not None:
        rv.headers["Content-Length"] = str(size)
    if last_modified is not None:
        rv.last_modified = last_modified
    elif stat is not None:
        rv.last_modified = stat.st_mtime
    if max_age is None:
        max_age = app.get_send_file_max_age
    if callable(max_age):
        max_age = max_age(path)
    if max_age is not None:
        if max_age > 0:
            rv.cache_control.public = True
        rv.cache_control.max_age = max_age
        rv.expires = int(time() + max_age)
    else:
        rv.cache_control.no_cache = True
    if isinstance(etag, str):
        rv.set_etag(etag)
    elif etag and path is not None and stat is not None:
        checksum = zlib.adler32(path.encode("utf-8")) & 0xFFFFFFFF
        rv.set_etag(f"{stat.st_mtime}-{stat.st_size}-{checksum}")
    if conditional:
        try:
            # With X-Sendfile the front server answers Range requests from the file.
            rv.make_conditional(environ, accept_ranges=body is not None, complete_length=size)
        except BaseException:
            if body is not None:
                body.close()
            raise
    return rv


def _file_size(file: t.IO[bytes]) -> int | None:
    getbuffer = getattr(file, "getbuffer", None)
    if getbuffer is not None:
        return len(getbuffer()) - file.tell()
    try:
        fileno = file.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    try:
        return os.fstat(fileno).st_size - file.tell()
    except OSError:
        return None


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: t.Any
) -> Response:
    """Send ``path`` from ``directory``; a path escaping it (``..``, absolute, NUL) is a 404."""
    from .security import _safe_file_path

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    directory = os.path.join(app.root_path, os.fspath(directory))
    joined = _safe_file_path(directory, os.fspath(path))
    if joined is None:
        raise NotFound()
    return send_file(joined, **kwargs)


def stream_request_body(view: _F) -> _F:
    """Mark an async view that reads its body as it arrives (``request.iter_body()``).

    Under ASGI the body of other async views is received before they run; a view
    marked with this decorator gets it chunk by chunk instead, for large uploads::

        @app.post("/upload")
        @stream_request_body
        async def upload():
            async for chunk in request.iter_body():
                ...
    """
    view._vial_streams_body = True  # type: ignore[attr-defined]
    return view


def views_stream_body(app: Vial, request: t.Any) -> bool:
    """Whether the matched view asked for its body as it arrives."""
    rule = request.url_rule
    if rule is None:
        return False
    view = app.view_functions.get(rule.endpoint)
    return bool(getattr(view, "_vial_streams_body", False))
