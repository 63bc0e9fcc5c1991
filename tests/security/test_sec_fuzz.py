"""Whole requests from hypothesis: any input is a response below 500, on both interfaces.

The parsers have their own properties (``tests/test_urls.py`` query strings,
``tests/test_formparser.py`` form and multipart bodies, ``tests/test_http_properties.py``
headers, cookies, ranges, accept headers, ``tests/test_routing_converters.py`` rules,
converters and map-level build/match round trips). What was missing is the same through
the app: arbitrary query strings, headers, cookies and bodies reaching a view that reads
every lazily parsed attribute, arbitrary paths against converter rules, and ``url_for``
round trips through a real request. The coverage-guided targets are in ``fuzz/``.
``FUZZ_EXAMPLES=5000`` runs more examples than the default 120.
"""

from __future__ import annotations

import logging
import os
import string
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vial import Vial, request, url_for
from vial.testing import VialClient

SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

app = Vial(__name__)
app.config.update(SECRET_KEY="fuzz", MAX_CONTENT_LENGTH=64 * 1024)
logging.getLogger(app.name).disabled = True  # 500s would be failures anyway


@app.route("/read", methods=["GET", "POST", "PUT"])
def read_everything() -> dict[str, Any]:
    return {
        "args": len(request.args),
        "form": len(request.form),
        "files": len(request.files),
        "cookies": len(request.cookies),
        "json": request.get_json(silent=True) is not None,
        "accept": str(request.accept_mimetypes.best),
        "languages": str(request.accept_languages.best),
        "charsets": str(request.accept_charsets.best),
        "encodings": str(request.accept_encodings.best),
        "range": str(request.range),
        "if_range": str(request.if_range),
        "etags": str(request.if_none_match),
        "if_match": str(request.if_match),
        "since": str(request.if_modified_since),
        "auth": str(request.authorization),
        "cache": str(request.cache_control),
        "ctype": str(request.mimetype_params),
        "agent": str(request.user_agent),
        "route": request.access_route,
        "url": request.url,
    }


@app.get("/u/<int:n>/<slug>/<path:rest>")
def typed(n: int, slug: str, rest: str) -> dict[str, Any]:
    return {"n": n, "slug": slug, "rest": rest}


@app.get("/f/<float:x>/<uuid:u>/<any(a, b, 'c d'):choice>")
def more_typed(x: float, u: Any, choice: str) -> str:
    return f"{x} {u} {choice}"


@app.get("/s/<value>")
def string_value(value: str) -> str:
    return value


@app.get("/p/<path:value>")
def path_value(value: str) -> str:
    return value


CLIENTS: dict[str, VialClient] = {
    "wsgi": app.test_client(),
    "asgi": app.test_client(asgi=True),
}
interfaces = st.sampled_from(sorted(CLIENTS))

# What a server hands over: header and query text as Latin-1 decoded bytes.
latin1 = st.binary(max_size=300).map(lambda b: b.decode("latin-1"))
header_value = latin1.filter(lambda s: "\r" not in s and "\n" not in s and "\0" not in s)
tricky = st.sampled_from(
    [
        "",
        ";",
        "=",
        ",",
        '"',
        "\\",
        "*",
        "q=",
        ";q=x",
        "bytes=",
        "bytes=-",
        "bytes=0-0,",
        "multipart/form-data; boundary=",
        'multipart/form-data; boundary="',
        "W/",
        "Basic ",
        "Bearer",
        "Digest a=",
        "%",
        "%zz",
        "\x7f",
        "\xff",
        "=?utf-8?q?",
        "max-age=",
    ]
)
header_text = st.one_of(
    header_value, st.lists(st.one_of(tricky, header_value), max_size=6).map("".join)
)
HEADER_NAMES = [
    "Accept",
    "Accept-Language",
    "Accept-Charset",
    "Accept-Encoding",
    "Range",
    "If-Range",
    "If-None-Match",
    "If-Match",
    "If-Modified-Since",
    "Authorization",
    "Cache-Control",
    "User-Agent",
    "Cookie",
    "X-Forwarded-For",
    "Content-Type",
]


@SETTINGS
@given(
    interface=interfaces,
    method=st.sampled_from(["GET", "POST", "PUT"]),
    query=latin1,
    headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_text, max_size=8),
    body=st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"{}", b"--x--\r\n"])),
    content_type=st.one_of(
        st.none(),
        header_text,
        st.sampled_from(
            [
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "multipart/form-data",
                "text/plain; charset=bogus",
                "application/x-www-form-urlencoded; charset=utf-16",
            ]
        ),
    ),
)
def test_any_request_is_answered_below_500(
    interface: str,
    method: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    content_type: str | None,
) -> None:
    environ = {"QUERY_STRING": query}
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    response = CLIENTS[interface].open("/read", method=method, data=body, environ_overrides=environ)
    assert response.status_code < 500, response.get_data()[:300]


@SETTINGS
@given(
    interface=interfaces,
    path=st.one_of(
        st.text(max_size=60),
        st.lists(
            st.sampled_from(
                [
                    "u",
                    "f",
                    "s",
                    "p",
                    "1",
                    "-1",
                    "1.5",
                    "..",
                    ".",
                    "%",
                    "%2f",
                    "a b",
                    "00000000-0000-0000-0000-000000000000",
                    "c d",
                    "é",
                    "",
                    "\x00",
                ]
            ),
            max_size=6,
        ).map("/".join),
    ),
)
def test_any_path_is_answered_below_500(interface: str, path: str) -> None:
    environ = {"PATH_INFO": "/" + path.encode("utf-8", "surrogatepass").decode("latin-1")}
    response = CLIENTS[interface].get("/", environ_overrides=environ)
    assert response.status_code < 500


segment = st.text(
    # NUL in a path is a 404 before routing by design (tests/test_bad_input_http.py).
    st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"),
    min_size=1,
    max_size=20,
)


@SETTINGS
@given(
    interface=interfaces,
    n=st.integers(0, 10**12),
    slug=segment,
    rest=st.lists(segment, min_size=1, max_size=4).map("/".join),
    query=st.dictionaries(
        st.text(string.ascii_letters, min_size=1, max_size=5).map("q_".__add__),
        st.text(max_size=10),
        max_size=3,
    ),
)
def test_url_for_round_trips_through_a_request(
    interface: str, n: int, slug: str, rest: str, query: dict[str, str]
) -> None:
    with app.test_request_context():
        url = url_for("typed", n=n, slug=slug, rest=rest, **query)
    response = CLIENTS[interface].get(url)
    if slug in (".", "..") or any(part in (".", "..") for part in rest.split("/")):
        assert response.status_code < 500  # clients would normalise these; never a crash
        return
    assert response.status_code == 200, url
    assert response.json == {"n": n, "slug": slug, "rest": rest}
