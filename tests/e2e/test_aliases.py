"""Front-matter `aliases`: a post's old URLs redirect to it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import html5lib
import pytest
from conftest import needs_chromium, post, static_site_in_chromium

OLD = "/2025/12/on-call-handbook/"  # an alias in the sample blog
TARGET = "/2025/12/our-on-call-handbook/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_an_alias_gets_a_redirect_page_outside_the_sitemap(sample_build):
    page = (sample_build.out / OLD.strip("/") / "index.html").read_text(encoding="utf-8")
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    refresh = document.find(".//meta[@http-equiv='refresh']")
    assert refresh is not None and refresh.get("content") == f"0; url={TARGET}"
    assert document.find(".//link[@rel='canonical']").get("href") == "https://blog.northwind.example" + TARGET
    assert document.find(".//meta[@name='robots']").get("content") == "noindex"
    assert document.find(".//a").get("href") == TARGET
    locations = [loc.text for loc in ET.parse(sample_build.out / "sitemap.xml").iter(f"{SITEMAP}loc")]
    assert "https://blog.northwind.example" + TARGET in locations
    assert not any(location.endswith(OLD) for location in locations)


@pytest.mark.parametrize("alias", ["old-name/", "//evil.example/x/", "/a/../../etc/", "/con/", "/"])
def test_an_unsafe_alias_is_an_error_with_its_line(make_site, run_blog, alias):
    site = make_site({"posts/2026-01-01-a.md": post("A", aliases=f'["{alias}"]')})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 1
    assert "posts/2026-01-01-a.md:3" in result.output and "aliases" in result.output, result.output
    assert "Traceback" not in result.output


def test_an_alias_over_another_page_is_an_error_naming_both(make_site, run_blog):
    site = make_site(
        {
            "posts/2026-01-01-a.md": post("A", aliases="[/2026/01/b/]"),
            "posts/2026-01-02-b.md": post("B"),
        }
    )
    result = run_blog("build", "--site", site)
    assert result.exit_code == 1
    assert "2026-01-01-a.md" in result.output and "2026-01-02-b.md" in result.output, result.output
    assert not (site / "_site").exists()


@needs_chromium
def test_a_browser_at_the_old_url_lands_on_the_post(sample_build):
    with static_site_in_chromium(sample_build.out) as (page, base):
        page.goto(base + OLD)
        page.wait_for_url(base + TARGET, timeout=10_000)
        assert "on-call handbook" in page.locator("h1").inner_text()
