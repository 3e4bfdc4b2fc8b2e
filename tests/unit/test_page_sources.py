"""generator/pages.py: a page's URL, menu entry and front-matter errors; links.py between pages and posts."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.errors import BuildFailed, ContentError
from generator.links import LinkIndex, _resolve_url
from generator.pages import read_page
from generator.urls import Urls


def _page(tmp_path: Path, rel: str, text: str):
    path = tmp_path / "pages" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return read_page(path, PurePosixPath(rel))


@pytest.mark.parametrize(
    ("rel", "front", "url"),
    [
        ("about.md", "", "/about/"),
        ("company/careers.md", "", "/company/careers/"),
        ("company/index.md", "", "/company/"),
        ("company/careers.md", "slug: jobs\n", "/company/jobs/"),
        ("contact.md", "permalink: /get-in-touch\n", "/get-in-touch/"),
        ("contact.md", "permalink: /contact.html\n", "/contact.html"),
    ],
)
def test_url(tmp_path, rel, front, url):
    assert _page(tmp_path, rel, f"---\ntitle: T\n{front}---\nBody.\n").url == url


def test_menu_label_weight_and_extra(tmp_path):
    page = _page(tmp_path, "a.md", "---\ntitle: About us\nmenu: true\nmenu_weight: 3\nlayout: wide\n---\nBody.\n")
    assert (page.menu, page.menu_weight, page.extra, page.template) == ("About us", 3, {"layout": "wide"}, "page.html")
    assert _page(tmp_path, "b.md", "---\ntitle: About us\nmenu: About\n---\n").menu == "About"
    assert _page(tmp_path, "c.md", "---\ntitle: About us\n---\n").menu is None


@pytest.mark.parametrize(
    ("front", "line", "words"),
    [
        ("permalink: ../x\n", 3, "permalink"),
        ("permalink: /a/../b/\n", 3, "permalink"),
        ("slug: a/b\n", 3, "slug"),
        ("template: /etc/passwd\n", 3, "template"),
        ("template: ../base.html\n", 3, "template"),
        ("menu_weight: 1.5\n", 3, "menu_weight"),
        ("aliases: [old/]\n", 3, "aliases"),
    ],
)
def test_errors_name_the_line(tmp_path, front, line, words):
    with pytest.raises(BuildFailed) as caught:
        _page(tmp_path, "a.md", f"---\ntitle: T\n{front}---\nBody.\n")
    error = caught.value.errors[0]
    assert isinstance(error, ContentError) and error.line == line and words in str(error)


def test_index_md_at_the_top_would_replace_the_home_page(tmp_path):
    with pytest.raises(BuildFailed):
        _page(tmp_path, "index.md", "---\ntitle: Home\n---\n")


def test_links_between_pages_and_posts(tmp_path):
    about = _page(tmp_path, "company/about.md", "---\ntitle: About\n---\n")
    index = LinkIndex(
        posts={"2026/a.md": "/2026/01/a/"},
        unpublished=frozenset(),
        assets=frozenset(),
        urls=Urls("https://e.com/blog/"),
        pages={"company/about.md": "/company/about/"},
        unpublished_pages=frozenset({"draft.md"}),
        page_assets=frozenset({"company/logo.png"}),
    )
    assert _resolve_url("../../posts/2026/a.md#x", about, index) == ("/blog/2026/01/a/#x", None)
    assert _resolve_url("logo.png", about, index) == ("/blog/company/logo.png", None)
    assert _resolve_url("../draft.md", about, index)[1] == "link to a draft page that this build leaves out"
    assert _resolve_url("../../../x.md", about, index)[1] == "link points outside pages/"
