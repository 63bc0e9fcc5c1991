"""Werkzeug's test helpers, with Werkzeug's signatures: for any WSGI application.

Flask apps test with :class:`vial.testing.VialClient` (``app.test_client()``);
code written against ``werkzeug.test`` uses these::

    from vial.test import Client, EnvironBuilder, create_environ, run_wsgi_app

    client = Client(some_wsgi_app)
    assert client.get("/").status_code == 200
"""

from __future__ import annotations

import typing as t

from . import test_environ as _test_environ
from .testing import ClientRedirectError, TestResponse, VialClient
from .testing import run_wsgi_app as run_wsgi_app

if t.TYPE_CHECKING:
    from .typing import WSGIApplication, WSGIEnvironment

__all__ = [
    "Client",
    "ClientRedirectError",
    "EnvironBuilder",
    "TestResponse",
    "create_environ",
    "run_wsgi_app",
]


class EnvironBuilder(_test_environ.EnvironBuilder):
    """Builds the WSGI environ of a made-up request; Werkzeug's argument order.

    Unlike :class:`vial.testing.EnvironBuilder`, it takes no app: the base URL
    is ``http://localhost/`` unless ``base_url`` (or an absolute ``path``) says
    otherwise.

    :param path: the path, optionally with ``?query``, or an absolute URL.
    :param base_url: scheme, host and mount point.
    :param query_string: a dict or a str.
    :param method: the request method.
    :param input_stream: the body, as a stream.
    :param content_type: the Content-Type.
    :param content_length: the Content-Length.
    :param errors_stream: ``wsgi.errors`` (:data:`sys.stderr` by default).
    :param multithread: ``wsgi.multithread``.
    :param multiprocess: ``wsgi.multiprocess``.
    :param run_once: ``wsgi.run_once``.
    :param headers: a dict, a list of pairs or :class:`~vial.datastructures.Headers`.
    :param data: a dict (form fields and files) or str/bytes (the raw body).
    :param environ_base: extra environ keys (overridden by the computed ones).
    :param environ_overrides: environ keys that win over the computed ones.
    :param mimetype: the Content-Type, when ``content_type`` is not given.
    :param json: an object to send as a JSON body.
    :param auth: ``(username, password)`` for basic auth, or an Authorization value.
    """

    def __init__(
        self,
        path: str = "/",
        base_url: str | None = None,
        query_string: t.Any = None,
        method: str = "GET",
        input_stream: t.IO[bytes] | None = None,
        content_type: str | None = None,
        content_length: int | None = None,
        errors_stream: t.IO[str] | None = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: t.Any = None,
        data: t.Any = None,
        environ_base: dict[str, t.Any] | None = None,
        environ_overrides: dict[str, t.Any] | None = None,
        mimetype: str | None = None,
        json: t.Any = None,
        auth: t.Any = None,
    ) -> None:
        super().__init__(
            None,
            path,
            base_url=base_url,
            query_string=query_string,
            method=method,
            headers=headers,
            data=data,
            json=json,
            content_type=content_type,
            content_length=content_length,
            input_stream=input_stream,
            environ_base=environ_base,
            environ_overrides=environ_overrides,
            mimetype=mimetype,
            auth=auth,
            errors_stream=errors_stream,
            multithread=multithread,
            multiprocess=multiprocess,
            run_once=run_once,
        )


def create_environ(*args: t.Any, **kwargs: t.Any) -> WSGIEnvironment:
    """The WSGI environ of a made-up request; takes :class:`EnvironBuilder`'s arguments.

    For example::

        environ = create_environ("/search", query_string={"q": "x"}, method="POST")
    """
    builder = EnvironBuilder(*args, **kwargs)
    try:
        return builder.get_environ()
    finally:
        builder.close()


class Client(VialClient):
    """Sends requests to any WSGI application in-process: Werkzeug's ``Client``.

    ``get``, ``post``, ``open`` (and the other methods) take
    :class:`EnvironBuilder`'s arguments, plus ``follow_redirects`` and
    ``buffered``, and return a :class:`~vial.testing.TestResponse`. Cookies the
    application sets are sent back unless ``use_cookies`` is false. Given a vial
    app, the base URL comes from its config as with ``app.test_client()``.

    :param application: the WSGI application.
    :param response_wrapper: the response class (a :class:`TestResponse` subclass).
    :param use_cookies: keep and send cookies.
    :param allow_subdomain_redirects: let ``follow_redirects`` follow redirects to
        subdomains of the request's host.
    """

    def __init__(
        self,
        application: WSGIApplication,
        response_wrapper: type[TestResponse] | None = None,
        use_cookies: bool = True,
        allow_subdomain_redirects: bool = False,
    ) -> None:
        super().__init__(
            t.cast(t.Any, application),
            response_wrapper=response_wrapper,
            use_cookies=use_cookies,
            allow_subdomain_redirects=allow_subdomain_redirects,
        )
