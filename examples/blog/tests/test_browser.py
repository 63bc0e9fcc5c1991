"""The blog in a real browser: headless Chromium driven by Playwright, against gunicorn.

Uses the system's Chromium (Debian's ``chromium`` package), never a downloaded one.
Skips, saying why, when Playwright or Chromium is missing. The last page is saved
as ``artifacts/blog.png`` next to this file.
"""

from __future__ import annotations

import os
import shutil
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest

from blog import create_app
from blog.db import init_db

pytestmark = pytest.mark.server

EXAMPLES = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = os.environ.get("VIAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.skip(
            f"Chromium not found at {path} (apt-get install chromium, or set VIAL_CHROMIUM)"
        )
    return path


@pytest.fixture
def blog_url(tmp_path: Path) -> Iterator[str]:
    """The blog served by gunicorn on a free loopback port, on a fresh database."""
    from servers import free_port, gunicorn, running_server

    database = tmp_path / "blog.sqlite"
    app = create_app({"DATABASE": str(database)})
    with app.app_context():
        init_db()
    port = free_port()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIAL_DATABASE", str(database))
        mp.setenv("VIAL_SECRET_KEY", "browser-test")
        with running_server(gunicorn("blog:create_app()", port), port, cwd=str(EXAMPLES)):
            yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page() -> Iterator[t.Any]:
    """A page in a fresh headless Chromium."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
    )
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except sync_api.Error as error:
            pytest.skip(f"Chromium at {executable} did not start: {error}")
        try:
            page = browser.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


def test_register_login_write_edit_logout(blog_url: str, page: t.Any) -> None:
    from playwright.sync_api import expect

    page.goto(blog_url)
    expect(page.locator("main")).to_contain_text("No posts yet.")

    page.get_by_role("link", name="Register").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{blog_url}/auth/login")
    expect(page.locator(".flash")).to_have_text("Registered. You can log in now.")

    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".flash.error")).to_have_text("Incorrect username or password.")

    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{blog_url}/")
    expect(page.locator("nav")).to_contain_text("ada")

    page.get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill("Hello from Chromium")
    page.get_by_label("Body").fill("Written by a real browser.\n<b>Not bold</b>")
    page.get_by_role("button", name="Publish").click()
    expect(page).to_have_url(f"{blog_url}/")
    post = page.locator("article.post").first
    expect(post.locator("h2")).to_have_text("Hello from Chromium")
    expect(post.locator(".body")).to_contain_text("<b>Not bold</b>")
    expect(post.locator(".about")).to_contain_text("by ada on")

    post.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Title")).to_have_value("Hello from Chromium")
    page.get_by_label("Title").fill("Hello again")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.success")).to_have_text("Your post is updated.")
    expect(page.locator("article.post h2")).to_have_text(["Hello again"])

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "blog.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".flash")).to_have_text("You have been logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.locator("article.post h2")).to_have_text(["Hello again"])


def test_a_forged_form_is_refused(blog_url: str, page: t.Any) -> None:
    """A form posted from another origin (no CSRF token) gets 400, the browser stays logged out."""
    page.goto(blog_url)
    page.set_content(
        f'<form method="post" action="{blog_url}/auth/register">'
        '<input name="username" value="mallory"><input name="password" value="x">'
        '<button type="submit">Go</button></form>'
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "security token" in page.content()
