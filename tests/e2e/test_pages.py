"""Standalone pages (pages/**.md): URLs, menu, drafts, links both ways, errors, incremental builds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import html5lib
import pytest
from conftest import DEFAULT_CONFIG, clean_tree, post, tree_bytes

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOST = "https://blog.example.com"


def page(title: str, body: str = "Page text.", **front: object) -> str:
    lines = ["---", f"title: {title}"] + [f"{key}: {value}" for key, value in front.items()] + ["---", body, ""]
    return "\n".join(lines)


POSTS = {
    "posts/2026-01-01-first.md": post("First post", "See [about us](../pages/about.md#team).", tags="[a]", summary="s"),
    "posts/2026-01-02-second.md": post("Second post", "Text.", tags="[a]", summary="s"),
}


def _html(out: Path, site_path: str) -> str:
    return (out / site_path.strip("/") / "index.html").read_text(encoding="utf-8")


def _menu(html: str) -> list[tuple[str, str]]:
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    nav = document.find(".//nav[@aria-label='Main']")
    return [(a.get("href"), a.text) for a in nav.iter("a")]


def _build(run_blog, site: Path, *flags: str):
    result = run_blog("build", "--site", site, "--jobs", "1", *flags)
    return result, site / "_site"


def test_urls_from_path_slug_and_permalink(make_site, run_blog):
    site = make_site(
        {
            **POSTS,
            "pages/about.md": page("About", "We are [the first](../posts/2026-01-01-first.md).\n\n## Team {#team}\n\nUs."),
            "pages/company/careers.md": page("Careers"),
            "pages/company/press.md": page("Press", slug="newsroom"),
            "pages/contact.md": page("Contact", permalink="/get-in-touch/"),
            "pages/company/logo.png": b"\x89PNG\r\n\x1a\nnot a real picture",
        }
    )
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    for path, title in [
        ("/about/", "About"),
        ("/company/careers/", "Careers"),
        ("/company/newsroom/", "Press"),
        ("/get-in-touch/", "Contact"),
    ]:
        html = _html(out, path)
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
        assert f"<h1>{title}</h1>" in html
        assert "<time" not in html and "tags/" not in html.split("<main")[1].split("</main>")[0]
    assert (out / "company" / "logo.png").read_bytes().startswith(b"\x89PNG")
    # links both ways, anchors kept
    assert 'href="/2026/01/first/"' in _html(out, "/about/")
    assert 'href="/about/#team"' in _html(out, "/2026/01/first/")
    # in the sitemap, the home page with a lastmod
    sitemap = ET.parse(out / "sitemap.xml")
    locations = {url.find(f"{SITEMAP}loc").text: url.find(f"{SITEMAP}lastmod") for url in sitemap.iter(f"{SITEMAP}url")}
    for path in ("/about/", "/company/careers/", "/company/newsroom/", "/get-in-touch/"):
        assert HOST + path in locations
    assert locations[HOST + "/"] is not None and locations[HOST + "/"].text.startswith("2026-01-02")


def test_pages_are_in_no_feed_or_list(make_site, run_blog):
    site = make_site({**POSTS, "pages/about.md": page("About Us Unique", "Unique page words.", menu="true")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    for feed in ("feed.xml", "atom.xml", "tags/a/feed.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert parsed.entries and all("About Us Unique" not in e.title and "/about/" not in e.link for e in parsed.entries)
    assert all(item["url"] != HOST + "/about/" for item in json.loads((out / "feed.json").read_text())["items"])
    for path in ("/", "/tags/", "/tags/a/", "/authors/", "/archive/"):
        main = _html(out, path).split("<main")[1]
        assert "About Us Unique" not in main and "/about/" not in main, path


def test_menu_label_weight_and_order_on_every_page(make_site, run_blog):
    site = make_site(
        {
            **POSTS,
            "pages/zeta.md": page("Zeta", menu="true"),
            "pages/alpha.md": page("Alpha page", menu="Alpha"),
            "pages/heavy.md": page("Heavy", menu="true", menu_weight=-5),
            "pages/hidden.md": page("Hidden"),
        }
    )
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    expected = [
        ("/archive/", "Archive"),
        ("/tags/", "Tags"),
        ("/authors/", "Authors"),
        ("/heavy/", "Heavy"),
        ("/alpha/", "Alpha"),
        ("/zeta/", "Zeta"),
    ]
    html_files = list(out.rglob("*.html"))
    assert len(html_files) > 10
    for html_file in html_files:  # posts, lists, pages, 404
        assert _menu(html_file.read_text(encoding="utf-8")) == expected, html_file
    assert 'href="/alpha/" aria-current="page"' in _html(out, "/alpha/")


def test_menu_pages_come_after_configured_items(make_site, run_blog):
    config = DEFAULT_CONFIG + '\n[[menu]]\nname = "Blog"\nurl = "/"\n[[menu]]\nname = "Jobs"\nurl = "/jobs/"\n'
    pages = {"pages/about.md": page("About", menu="About"), "pages/jobs.md": page("Jobs", menu="Careers")}
    site = make_site({**POSTS, **pages}, config)
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    # a page the configured menu links to already is not listed twice
    assert _menu(_html(out, "/")) == [("/", "Blog"), ("/jobs/", "Jobs"), ("/about/", "About")]


def test_a_draft_page_only_with_drafts(make_site, run_blog):
    site = make_site({**POSTS, "pages/soon.md": page("Soon", draft="true", menu="true")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    assert not (out / "soon").exists() and "/soon/" not in _html(out, "/")
    result, out = _build(run_blog, site, "--drafts")
    assert result.exit_code == 0, result.output
    assert (out / "soon" / "index.html").is_file() and ("/soon/", "Soon") in _menu(_html(out, "/"))


def test_a_broken_link_warns_with_file_and_line_and_fails_strict(make_site, run_blog):
    site = make_site(
        {
            **POSTS,
            "pages/about.md": page("About", "Intro.\n\nSee [gone](../posts/nope.md)."),
            "posts/2026-01-03-third.md": post("Third", "Text.\n\n[x](../pages/missing.md)", tags="[a]", summary="s"),
        }
    )
    result, _ = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    assert "pages/about.md:6" in result.output and "nope.md" in result.output, result.output
    assert "posts/2026-01-03-third.md:8" in result.output and "link to a page that does not exist" in result.output
    result, _ = _build(run_blog, site, "--strict")
    assert result.exit_code == 1, result.output


def test_a_page_and_a_post_at_one_url_is_an_error_naming_both(make_site, run_blog):
    site = make_site({**POSTS, "pages/clash.md": page("Clash", permalink="/2026/01/first/")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 1, result.output
    assert "pages/clash.md" in result.output and "2026-01-01-first.md" in result.output, result.output
    assert not out.exists()


def test_readme_files_in_posts_and_pages_are_skipped(make_site, run_blog):
    notes = "# Notes for writers\n\nNo front matter here.\n"
    site = make_site({**POSTS, "posts/README.md": notes, "pages/README.md": notes, "pages/team/readme.md": notes, "pages/a.md": page("A")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    assert not (out / "README").exists() and not (out / "team").exists() and not (out / "README.md").exists()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\nsummary: x\n---\nBody.\n", 1, "title: is required"),
        ("---\ntitle: T\npermalink: ../x\n---\nBody.\n", 3, "permalink"),
        ("---\ntitle: T\npermalink: /a/../../x/\n---\nBody.\n", 3, "permalink"),
        ("---\ntitle: T\ntemplate: ../../etc/passwd\n---\nBody.\n", 3, "template"),
        ("---\ntitle: T\ntemplate: nothere.html\n---\nBody.\n", 3, "nothere.html"),
        ("---\ntitle: T\nmenu_weight: heavy\n---\nBody.\n", 3, "menu_weight"),
        ("---\ntitle: [T\n---\nBody.\n", 2, "not valid YAML"),
    ],
)
def test_bad_front_matter_is_an_error_with_file_and_line(make_site, run_blog, text, line, words):
    site = make_site({**POSTS, "pages/bad.md": text})
    result, _ = _build(run_blog, site)
    assert result.exit_code == 1, result.output
    where = "pages/bad.md" + (f":{line}" if line else "")
    assert where in result.output and words in result.output, result.output
    assert "Traceback" not in result.output


def test_extra_keys_reach_templates(make_site, run_blog):
    templates = {
        "templates/team.html": '{% extends "page.html" %}{% block content %}<p id="x">{{ page.extra.office }}</p>{{ content }}{% endblock %}'
    }
    site = make_site({**POSTS, **templates, "pages/team.md": page("Team", template="team.html", office="Lisbon")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    assert '<p id="x">Lisbon</p>' in _html(out, "/team/")


def test_editing_a_page_title_rebuilds_every_menu_like_a_clean_build(make_site, run_blog, tmp_path):
    site = make_site({**POSTS, "pages/about.md": page("About", menu="true")})
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    (site / "pages" / "about.md").write_text(page("About Northwind", menu="true"), encoding="utf-8")
    result, out = _build(run_blog, site)
    assert result.exit_code == 0, result.output
    assert "up to date" not in result.output
    assert ("/about/", "About Northwind") in _menu(_html(out, "/2026/01/second/"))
    assert tree_bytes(out) == clean_tree(site, tmp_path / "clean")
    # and a body edit
    (site / "pages" / "about.md").write_text(page("About Northwind", "New words.", menu="true"), encoding="utf-8")
    result, out = _build(run_blog, site)
    assert result.exit_code == 0 and "New words." in _html(out, "/about/")
    assert tree_bytes(out) == clean_tree(site, tmp_path / "clean")


def test_watch_rebuilds_when_a_page_changes(tmp_path):
    """`blog watch` as a subprocess: editing, adding and removing pages gives what a clean build gives,
    and a post edit (a quick rebuild) keeps the pages' menu."""
    from test_watch_serve import BlogProcess, clean_build, wait_until_output_is

    site = tmp_path / "site"
    files = {**POSTS, "pages/about.md": page("About", menu="true")}
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    (site / "site.toml").write_text(DEFAULT_CONFIG, encoding="utf-8")
    blog = BlogProcess("watch", "--site", site, cwd=tmp_path)
    try:
        blog.wait_for("watching")
        out = site / "_site"
        wait_until_output_is(out, clean_build(site, tmp_path), blog)
        (site / "pages" / "about.md").write_text(page("About the company", menu="true"), encoding="utf-8")
        expected = clean_build(site, tmp_path)
        assert b"About the company" in expected["2026/01/first/index.html"]
        wait_until_output_is(out, expected, blog)
        (site / "pages" / "jobs").mkdir()
        (site / "pages" / "jobs" / "index.md").write_text(page("Jobs", menu="Careers"), encoding="utf-8")
        expected = clean_build(site, tmp_path)
        assert "jobs/index.html" in expected
        wait_until_output_is(out, expected, blog)
        (site / "posts" / "2026-01-02-second.md").write_text(post("Second post", "Edited text.", tags="[a]", summary="s"), encoding="utf-8")
        wait_until_output_is(out, clean_build(site, tmp_path), blog)
        (site / "pages" / "about.md").unlink()
        wait_until_output_is(out, clean_build(site, tmp_path), blog)
        assert blog.interrupt() == 0
    finally:
        blog.kill()


def test_a_page_alias_redirects_and_check_passes(make_site, run_blog):
    site = make_site({**POSTS, "pages/about.md": page("About", aliases="[/about-us/]", menu="true")})
    result, out = _build(run_blog, site, "--strict")
    assert result.exit_code == 0, result.output
    assert 'url=/about/"' in _html(out, "/about-us/")
    assert HOST + "/about-us/" not in (out / "sitemap.xml").read_text()
    result = run_blog("check", "--site", site, "--strict")
    assert result.exit_code == 0, result.output


def test_a_picture_beside_a_page_gets_copies_and_srcset(make_site, run_blog):
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (1000, 500), "white").save(picture, "PNG")
    site = make_site(
        {
            **POSTS,
            "pages/team/index.md": page("Team", "![The team at work](photo.png)"),
            "pages/team/photo.png": picture.getvalue(),
            "pages/about.md": page("About"),
        }
    )
    result, out = _build(run_blog, site, "--strict")
    assert result.exit_code == 0, result.output
    html = _html(out, "/team/")
    assert 'src="/team/photo.png"' in html and 'width="1000" height="500"' in html and "photo-480w.png 480w" in html
    assert (out / "team" / "photo-480w.png").is_file() and (out / "team" / "photo-960w.png").is_file()
