"""feeds.py: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of a small site, read back by feedparser."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import build_site

from generator.feeds import absolute_html
from generator.site import tag_slug

CONFIG = """[site]
title = "Feeds & <Friends>"
description = "Everything a feed must survive"
base_url = "https://blog.example.com/sub/"
timezone = "Europe/Lisbon"

[authors.ana]
name = "Ana Lindqvist"
url = "https://example.com/ana"
email = "ana@example.com"
"""

NASTY_TITLE = "Ends ]]> with <b>bold</b> & emoji 🎉 and עברית \\x01\\x0b"
FILES = {
    "posts/2026-07-01-summer.md": (
        f'---\ntitle: "{NASTY_TITLE}"\ndate: 2026-07-01 12:00\ntags: [web, "C++"]\nauthor: ana\n---\n'
        "Body with ]]> and a < sign, 🎉, שלום, and a control\x01char.\n\n"
        "<div>raw ]]> in html</div>\n\n"
        "[winter](2026-01-15-winter.md) ![map](img/map.png) [ext](https://x.example/) [frag](#x)\n"
    ),
    "posts/img/map.png": b"\x89PNG",
    "posts/2026-01-15-winter.md": "---\ntitle: Winter\ndate: 2026-01-15 09:00\ntags: [web]\nupdated: 2026-02-01 10:00\n---\nCold.\n",
    "posts/2026-11-24-offset.md": "---\ntitle: Offset\ndate: 2026-11-24 09:30:00 -0700\nauthor: Someone Else\n---\nWest.\n",
    "posts/2026-03-01-draft.md": "---\ntitle: Draft\ndraft: true\n---\nd\n",
}
ORIGIN = "https://blog.example.com"


@pytest.fixture(scope="module")
def built(tmp_path_factory, site_writer) -> Path:
    base = tmp_path_factory.mktemp("feeds")
    return build_site(site_writer(base / "site", FILES, CONFIG), base / "out")


@pytest.fixture(scope="module")
def rss(built):
    return feedparser.parse((built / "feed.xml").read_bytes())


@pytest.fixture(scope="module")
def atom(built):
    return feedparser.parse((built / "atom.xml").read_bytes())


@pytest.fixture(scope="module")
def jsonfeed(built):
    return json.loads((built / "feed.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_xml_feeds_are_well_formed_and_parse_cleanly(built, name):
    raw = (built / name).read_bytes()
    ET.fromstring(raw)  # strict XML parser
    parsed = feedparser.parse(raw)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if name == "feed.xml" else "atom10")
    assert len(parsed.entries) == 3


def test_entries_are_newest_first_without_drafts(rss, atom, jsonfeed):
    expected = ["Offset", NASTY_TITLE[:4], "Winter"]
    assert [e.title[:4] if e.title.startswith("Ends") else e.title for e in rss.entries] == expected
    assert [e.title[:4] if e.title.startswith("Ends") else e.title for e in atom.entries] == expected
    assert [i["title"][:4] if i["title"].startswith("Ends") else i["title"] for i in jsonfeed["items"]] == expected
    published = [e.published_parsed for e in atom.entries]
    assert published == sorted(published, reverse=True)


def test_ids_are_unique_stable_tag_uris(rss, atom, jsonfeed):
    for ids in ([e.id for e in rss.entries], [e.id for e in atom.entries], [i["id"] for i in jsonfeed["items"]]):
        assert len(set(ids)) == len(ids) == 3
        assert all(i.startswith("tag:blog.example.com,") for i in ids)
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries] == [i["id"] for i in jsonfeed["items"]]
    assert atom.entries[2].id == "tag:blog.example.com,2026-01-15:winter"


def test_entry_links_are_absolute_permalinks(atom, rss, jsonfeed):
    assert atom.entries[2].link == "https://blog.example.com/sub/2026/01/winter/"
    assert rss.entries[2].link == "https://blog.example.com/sub/2026/01/winter/"
    assert jsonfeed["items"][2]["url"] == "https://blog.example.com/sub/2026/01/winter/"


def test_dates_carry_their_time_zone(built, jsonfeed):
    atom_text = (built / "atom.xml").read_text(encoding="utf-8")
    rss_text = (built / "feed.xml").read_text(encoding="utf-8")
    # naive summer date in Europe/Lisbon is +01:00; winter is +00:00; an explicit -0700 stays.
    assert "<published>2026-07-01T12:00:00+01:00</published>" in atom_text
    assert "<published>2026-11-24T09:30:00-07:00</published>" in atom_text
    assert "<updated>2026-02-01T10:00:00+00:00</updated>" in atom_text
    assert "Wed, 01 Jul 2026 12:00:00 +0100" in rss_text
    assert "Tue, 24 Nov 2026 09:30:00 -0700" in rss_text
    dates = {i["title"][:4]: i["date_published"] for i in jsonfeed["items"]}
    assert dates["Wint"] == "2026-01-15T09:00:00+00:00"
    assert dates["Offs"] == "2026-11-24T09:30:00-07:00"
    assert jsonfeed["items"][2]["date_modified"] == "2026-02-01T10:00:00+00:00"


def test_feed_updated_is_the_newest_entry_not_the_clock(built):
    atom_text = (built / "atom.xml").read_text(encoding="utf-8")
    feed_updated = re.search(r"<feed[^>]*>.*?<updated>([^<]+)</updated>", atom_text, re.S).group(1)
    assert feed_updated == "2026-11-24T09:30:00-07:00"


class Attributes(HTMLParser):
    """(tag, attribute, value) of every URL attribute, as an HTML parser reads them (entities decoded)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.extend((tag, name, value) for name, value in attrs if name in ("href", "src", "srcset", "poster", "cite"))

    def handle_data(self, data):
        self.text.append(data)


def local_urls(html: str) -> list[str]:
    return [value for _, name, value in Attributes(html).found if name in ("href", "src")]


def test_content_urls_are_absolute(atom, rss, jsonfeed):
    summer = jsonfeed["items"][1]["url"]
    assert summer.startswith("https://blog.example.com/sub/2026/07/")
    for content in (atom.entries[1].content[0].value, rss.entries[1].content[0].value, jsonfeed["items"][1]["content_html"]):
        urls = local_urls(content)
        assert "https://blog.example.com/sub/2026/01/winter/" in urls
        assert "https://blog.example.com/sub/img/map.png" in urls
        assert summer + "#x" in urls  # [frag](#x): the place in the post, not in the feed
        assert all(u.startswith("https://") for u in urls), urls


PAGE = "https://blog.example.com/sub/2026/07/summer/"


def rewritten(html: str) -> list[tuple[str, str, str]]:
    return Attributes(absolute_html(html, "https://blog.example.com", PAGE)).found


def test_fragments_and_relative_urls_resolve_against_the_post():
    html = (
        '<p><a href="#highlights">contents</a> <a class="header-anchor" href="#x">#</a>'
        '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>'
        '<a href="#fnref1" class="footnote-backref">back</a>'
        '<a href="other.html">same folder</a> <a href="../../06/spring/?a=1&amp;b=2#t">up</a>'
        '<a href="/sub/about/">root</a> <a href="">this page</a> <a href="?page=2">query</a></p>'
    )
    assert [value for _, _, value in rewritten(html)] == [
        PAGE + "#highlights",
        PAGE + "#x",
        PAGE + "#fn1",
        PAGE + "#fnref1",
        PAGE + "other.html",
        "https://blog.example.com/sub/2026/06/spring/?a=1&b=2#t",
        "https://blog.example.com/sub/about/",
        PAGE,
        PAGE + "?page=2",
    ]


def test_single_quoted_unquoted_and_spaced_values_too():
    html = "<a href='#a'>a</a><a href=#b>b</a><A HREF = \" #c \">c</A><img src=pic.png alt=x/><video poster='p.jpg' src=\"v.mp4\"></video>"
    assert rewritten(html) == [
        ("a", "href", PAGE + "#a"),
        ("a", "href", PAGE + "#b"),
        ("a", "href", PAGE + "#c"),
        ("img", "src", PAGE + "pic.png"),
        ("video", "poster", PAGE + "p.jpg"),
        ("video", "src", PAGE + "v.mp4"),
    ]


def test_srcset_candidates_are_resolved_one_by_one():
    html = '<img src="/sub/a.png" srcset="a-480.png 480w, /sub/a-960.png 960w,#frag 2x, data:image/png;base64,AA,BB 3x, https://cdn.example/a.png 4x">'
    (_, _, src), (_, _, srcset) = rewritten(html)
    assert src == "https://blog.example.com/sub/a.png"
    assert [candidate.split() for candidate in srcset.split(", ")] == [
        [PAGE + "a-480.png", "480w"],
        ["https://blog.example.com/sub/a-960.png", "960w"],
        [PAGE + "#frag", "2x"],
        ["data:image/png;base64,AA,BB", "3x"],  # a comma inside a URL does not end the candidate
        ["https://cdn.example/a.png", "4x"],
    ]


def test_urls_with_a_scheme_and_protocol_relative_urls_are_kept_as_written():
    kept = (
        '<a href="mailto:ana@example.com">m</a><a href="tel:+351210000000">t</a><img src="data:image/gif;base64,R0lGOD">'
        '<a href="https://x.example/#y">h</a><a href="http://x.example/">h</a><img src="//cdn.example/a.png">'
        '<img srcset="https://cdn.example/a.png 1x, https://cdn.example/b.png 2x">'
    )
    assert absolute_html(kept, "https://blog.example.com", PAGE) == kept


def test_only_attributes_of_tags_change_never_text_or_code():
    html = (
        '<p>Write href=#x or src="y.png" in prose</p><pre><code>&lt;a href="#top"&gt;</code></pre>'
        '<a title="see href=#not-this" href="#this">x</a><svg><use href="#icon"/></svg><span data-href="#z">z</span>'
    )
    out = absolute_html(html, "https://blog.example.com", PAGE)
    parsed = Attributes(out)
    assert "".join(parsed.text) == "".join(Attributes(html).text)  # the text a reader sees is the same
    assert 'Write href=#x or src="y.png" in prose' in out and '&lt;a href="#top"&gt;' in out
    # An SVG's <use> refers to a symbol of the same HTML, wherever it is shown; data-* is no URL.
    assert parsed.found == [("a", "href", PAGE + "#this"), ("use", "href", "#icon")]
    assert 'title="see href=#not-this"' in out and '<use href="#icon"/>' in out and 'data-href="#z"' in out


def test_summaries_have_absolute_urls(built, site_writer):
    files = {
        "posts/2026-01-01-a.md": "---\ntitle: A\n---\nSee [b](2026-01-02-b.md) and [the notes](#notes).\n\n<!--more-->\n\n## Notes\n\nMore.\n",
        "posts/2026-01-02-b.md": "---\ntitle: B\n---\nb\n",
    }
    expected = ["https://blog.example.com/sub/2026/01/b/", "https://blog.example.com/sub/2026/01/a/#notes"]
    out = build_site(site_writer(built.parent / "summary-site", files, CONFIG), built.parent / "summary-out")
    for name in ("atom.xml", "feed.xml"):
        entry = next(e for e in feedparser.parse((out / name).read_bytes(), sanitize_html=False).entries if e.title == "A")
        assert local_urls(entry.summary) == expected, name
        assert "more" not in entry.summary and "More." not in entry.summary
    # Summary-only feeds: the JSON Feed's content_html is the summary.
    config = CONFIG + "\n[feeds]\nfull_content = false\n"
    out = build_site(site_writer(built.parent / "summary-only-site", files, config), built.parent / "summary-only-out")
    item = next(i for i in json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"] if i["title"] == "A")
    assert local_urls(item["content_html"]) == expected


CLEAN_TITLE = "Ends ]]> with <b>bold</b> & emoji 🎉 and עברית"


def test_text_survives_and_control_characters_are_stripped(built, atom, rss):
    for name in ("feed.xml", "atom.xml"):
        raw = (built / name).read_bytes()
        assert b"\x01" not in raw and b"\x0b" not in raw, name
    assert atom.entries[1].title.strip() == CLEAN_TITLE
    assert rss.entries[1].title.strip() == CLEAN_TITLE
    for content in (atom.entries[1].content[0].value, rss.entries[1].content[0].value):
        assert "]]" in content and "🎉" in content and "שלום" in content
        assert "raw ]]> in html" in content
        assert "controlchar" in content


def test_json_feed_keeps_the_text_without_control_characters(jsonfeed):
    item = jsonfeed["items"][1]
    assert "raw ]]> in html" in item["content_html"] and "controlchar" in item["content_html"]
    assert "🎉" in item["content_html"] and "שלום" in item["content_html"]
    # The XML feeds strip C0 control characters from the title; the JSON Feed should carry the same text.
    assert item["title"].strip() == CLEAN_TITLE


def test_authors_and_categories(atom, jsonfeed):
    summer = atom.entries[1]
    assert summer.author_detail.name == "Ana Lindqvist"
    assert summer.author_detail.email == "ana@example.com"
    assert sorted(t.term for t in summer.tags) == ["C++", "web"]
    assert jsonfeed["items"][0]["authors"] == [{"name": "Someone Else"}]
    assert jsonfeed["items"][1]["tags"] == ["web", "C++"]


def test_rss_names_authors_without_an_email(rss, built):
    assert "Someone Else" in rss.entries[0].get("author", "")
    assert "<dc:creator>Someone Else</dc:creator>" in (built / "feed.xml").read_text(encoding="utf-8")


def test_feed_metadata(atom, rss, jsonfeed):
    assert atom.feed.title == "Feeds & <Friends>"
    assert rss.feed.title == "Feeds & <Friends>"
    assert {link.rel: link.href for link in atom.feed.links}["self"] == "https://blog.example.com/sub/atom.xml"
    assert jsonfeed["version"] == "https://jsonfeed.org/version/1.1"
    assert jsonfeed["feed_url"] == "https://blog.example.com/sub/feed.json"
    assert jsonfeed["home_page_url"] == "https://blog.example.com/sub/"


def test_per_tag_and_per_author_feeds(built):
    web = feedparser.parse((built / "tags/web/atom.xml").read_bytes())
    assert web.bozo == 0
    assert [e.title for e in web.entries][1:] == ["Winter"] and len(web.entries) == 2
    cpp = feedparser.parse((built / "tags" / tag_slug("C++") / "feed.xml").read_bytes())
    assert cpp.bozo == 0 and len(cpp.entries) == 1
    ana = feedparser.parse((built / "authors/ana/feed.xml").read_bytes())
    assert ana.bozo == 0 and len(ana.entries) == 1
    assert {link.rel: link.href for link in web.feed.links}["self"] == "https://blog.example.com/sub/tags/web/atom.xml"
    assert not (built / "tags/web/feed.json").exists()


def test_two_builds_give_identical_feed_bytes(built, tmp_path, site_writer):
    site = site_writer(tmp_path / "again", FILES, CONFIG)
    again = build_site(site, tmp_path / "out")
    for name in ("feed.xml", "atom.xml", "feed.json", "tags/web/feed.xml", "authors/ana/atom.xml"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_ids_do_not_change_when_a_post_is_edited(built, tmp_path, site_writer):
    files = dict(FILES)
    files["posts/2026-01-15-winter.md"] = (
        files["posts/2026-01-15-winter.md"].replace("Cold.", "Very cold, edited.").replace("title: Winter", "title: Winter, revised")
    )
    out = build_site(site_writer(tmp_path / "edited", files, CONFIG), tmp_path / "out")
    before = [e.id for e in feedparser.parse((built / "atom.xml").read_bytes()).entries]
    after = [e.id for e in feedparser.parse((out / "atom.xml").read_bytes()).entries]
    assert before == after


def test_an_empty_blog_has_valid_empty_feeds(tmp_path, site_writer):
    out = build_site(site_writer(tmp_path / "empty", {}, CONFIG), tmp_path / "out")
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.entries == []
        assert parsed.feed.title == "Feeds & <Friends>"
    document = json.loads((out / "feed.json").read_text())
    assert document["items"] == []


def test_limit_and_summary_only(tmp_path, site_writer):
    config = CONFIG + "\n[feeds]\nlimit = 2\nfull_content = false\njson = false\nper_tag = false\nper_author = false\n"
    out = build_site(site_writer(tmp_path / "site", FILES, config), tmp_path / "out")
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert len(parsed.entries) == 2
    assert all("content" not in e for e in parsed.entries)
    assert all(e.summary for e in parsed.entries)
    assert not (out / "feed.json").exists()
    assert not (out / "tags/web/feed.xml").exists()
    assert not (out / "authors/ana/feed.xml").exists()
