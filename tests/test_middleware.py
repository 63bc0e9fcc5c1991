"""ProxyFix and DispatcherMiddleware wrapped around ``app.wsgi_app``, on both interfaces."""

from __future__ import annotations

import pytest

from vial import Vial, request, url_for
from vial.middleware import DispatcherMiddleware, ProxyFix
from vial.testing import VialClient


@pytest.fixture
def proxied_app() -> Vial:
    app = Vial(__name__)

    @app.get("/where")
    def where() -> dict[str, object]:
        return {
            "remote": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "root": request.root_path,
            "url": url_for("where", _external=True),
        }

    return app


def _client(app: Vial, interface: str) -> VialClient:
    return app.test_client(asgi=interface == "asgi")


def test_proxy_fix_trusts_one_proxy(proxied_app: Vial, interface: str) -> None:
    proxied_app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        proxied_app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1
    )
    rv = _client(proxied_app, interface).get(
        "/where",
        headers={
            "X-Forwarded-For": "6.6.6.6, 203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "example.com",
            "X-Forwarded-Prefix": "/shop",
        },
    )
    assert rv.json == {
        "remote": "203.0.113.7",
        "scheme": "https",
        "host": "example.com",
        "root": "/shop",
        "url": "https://example.com/shop/where",
    }


def test_proxy_fix_ignores_headers_it_does_not_trust(proxied_app: Vial, interface: str) -> None:
    proxied_app.wsgi_app = ProxyFix(proxied_app.wsgi_app, x_for=2)  # type: ignore[method-assign]
    rv = _client(proxied_app, interface).get(
        "/where", headers={"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Host": "evil.example"}
    )
    # Two proxies were promised, one value came: nothing is trusted; x_host is off.
    assert rv.json["remote"] == "127.0.0.1"
    assert rv.json["host"] == "localhost"


def test_dispatcher_mounts_an_app_under_a_prefix(interface: str) -> None:
    front = Vial("front")
    api = Vial("api")

    @front.get("/")
    def home() -> str:
        return "front"

    @api.get("/items")
    def items() -> dict[str, str]:
        return {"root": request.root_path, "link": url_for("items")}

    front.wsgi_app = DispatcherMiddleware(front.wsgi_app, {"/api": api})  # type: ignore[method-assign]
    client = _client(front, interface)
    assert client.get("/").text == "front"
    assert client.get("/api/items").json == {"root": "/api", "link": "/api/items"}
    assert client.get("/api/missing").status_code == 404
    assert client.get("/elsewhere").status_code == 404
