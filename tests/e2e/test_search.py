"""Client-side search with Pagefind (`[search] enabled = true`, the `search` extra)."""

from __future__ import annotations

import importlib.util

import html5lib
import pytest
from conftest import copy_sample_site, needs_chromium, static_site_in_chromium

import generator.search

pytest.importorskip("pagefind", reason="the search extra is not installed: pip install -e '.[search]'")


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    from conftest import run_blog_cli

    site = copy_sample_site(tmp_path_factory.mktemp("search") / "site")
    with open(site / "site.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[search]\nenabled = true\n")
    result = run_blog_cli("build", "--site", site, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return site / "_site"


def test_the_index_the_page_and_the_link_are_built(searchable):
    assert (searchable / "pagefind" / "pagefind-ui.js").is_file()
    assert (searchable / "pagefind" / "pagefind-entry.json").is_file()
    page = (searchable / "search" / "index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)  # well-formed, as every page of the theme
    assert '<div id="search"' in page and "/pagefind/pagefind-ui.js" in page and "/js/search.js" in page
    home = (searchable / "index.html").read_text(encoding="utf-8")
    assert '<form class="site-search" role="search" action="/search/">' in home and 'name="q"' in home
    post = (searchable / "2025/09/hello-from-northwind-labs/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" in post  # only post bodies are indexed, not lists


def test_without_search_nothing_of_it_is_published(sample_build):
    out = sample_build.out
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert not (out / "js" / "search.js").exists()
    assert "/search/" not in (out / "index.html").read_text(encoding="utf-8") and "site-search" not in (out / "index.html").read_text(
        encoding="utf-8"
    )


def test_search_without_pagefind_says_what_to_install(tmp_path, run_blog, monkeypatch):
    site = copy_sample_site(tmp_path / "site")
    with open(site / "site.toml", "a", encoding="utf-8") as handle:
        handle.write("\n[search]\nenabled = true\n")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        generator.search.importlib.util, "find_spec", lambda name, *a: None if name == "pagefind" else real_find_spec(name, *a)
    )
    result = run_blog("build", "--site", site)
    assert result.exit_code == 2
    assert "site.toml:" in result.output and "search.enabled" in result.output
    assert "pip install 'blog-generator[search]'" in result.output
    assert not (site / "_site").exists()


@needs_chromium
def test_a_reader_finds_a_post_by_a_word_in_it(searchable):
    with static_site_in_chromium(searchable) as (page, base):
        page.goto(base + "/search/")
        page.locator(".pagefind-ui__search-input").fill("bakery")
        result = page.locator(".pagefind-ui__result-link").first
        result.wait_for(timeout=15_000)
        assert result.get_attribute("href") == "/2025/09/hello-from-northwind-labs/"
        assert page.locator(".pagefind-ui__result-link").count() == 1  # one post says "bakery"


@needs_chromium
def test_the_header_search_box_searches_from_any_page(searchable):
    with static_site_in_chromium(searchable) as (page, base):
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(base + "/2025/11/cafe-grade-latency/")
        box = page.get_by_role("searchbox", name="Search the posts")
        box.fill("bakery")
        box.press("Enter")
        page.wait_for_url(base + "/search/?q=bakery")
        result = page.locator(".pagefind-ui__result-link").first
        result.wait_for(timeout=15_000)
        assert result.get_attribute("href") == "/2025/09/hello-from-northwind-labs/"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll on a phone


@needs_chromium
@pytest.mark.parametrize("path", ["/", "/search/?q=route"])
def test_axe_finds_no_accessibility_violations_with_search_on(searchable, path):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    with static_site_in_chromium(searchable) as (page, base):
        page.goto(base + path)
        if "q=" in path:
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
        results = axe_module.Axe().run(page)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        assert violations == []
