"""The default theme in a real headless browser (Debian's chromium driven by Playwright).

The sample blog is built once and served on 127.0.0.1; each test opens pages at phone
and desktop widths in light and dark mode. Screenshots go to tests/screenshots/ (or
$BLOG_SCREENSHOTS) for people to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, needs_chromium

from generator.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("BLOG_SCREENSHOTS", REPO / "tests" / "screenshots"))
POST = "/2025/10/how-we-plan-routes-in-rust/"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "_site"
    build(BuildOptions(site_dir=REPO, out_dir=out, jobs=1, now=datetime(2026, 11, 25, tzinfo=UTC)))
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, url: str, width: int, scheme: str):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="load")
    return page, requests


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/", POST])
def test_page_fits_shows_its_content_and_stays_local(served_site, browser, path, width, scheme):
    page, requests = _open(browser, served_site + path, width, scheme)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "page scrolls sideways"
        assert page.locator("h1").count() == 1
        assert page.locator("h1").is_visible()
        if path == "/":
            cards = page.locator("article.post-card")
            assert cards.count() >= 2
            assert cards.first.is_visible()
        else:
            assert page.locator(".post-body").is_visible()
            assert page.locator(".post-body pre").first.is_visible()
        # Dark mode really changes the colours.
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light")
        outside = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
        assert requests and not outside, f"requests left 127.0.0.1: {outside}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "home" if path == "/" else "post"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}-{scheme}.png"), full_page=False)
    finally:
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path", ["/", POST, "/2025/12/our-on-call-handbook/", "/tags/", "/tags/python/", "/authors/ana/", "/archive/", "/404.html", "/about/"]
)
def test_axe_finds_no_accessibility_violations(served_site, browser, path, scheme):
    """axe-core (the engine behind Lighthouse's accessibility audit), colour contrast included."""
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    page, _ = _open(browser, served_site + path, 1280, scheme)
    try:
        results = axe_module.Axe().run(page)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        assert violations == []
    finally:
        page.close()


def test_keyboard_user_gets_a_skip_link_with_visible_focus(served_site, browser):
    page, _ = _open(browser, served_site + POST, 1280, "light")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        assert page.locator(".skip-link").is_visible()
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
    finally:
        page.close()


def test_wide_code_and_tables_scroll_inside_their_box_on_a_phone(served_site, browser):
    page, _ = _open(browser, served_site + "/2025/11/cafe-grade-latency/", 320, "light")
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.locator(".table-wrap").count() >= 1
        overflow = page.evaluate("getComputedStyle(document.querySelector('.table-wrap')).overflowX")
        assert overflow == "auto"
    finally:
        page.close()
