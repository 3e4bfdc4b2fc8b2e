"""Feeds as real readers see them: feedparser over every feed of the sample blog, of a
generated corpus and of the Rust blog's posts, stable ids across rebuilds and edits, hostile
text, and the elements RFC 4287 (Atom) and RSS 2.0 require. A reader shows an entry away from
its page, so no entry's content or summary may hold a URL it would resolve against the feed
(`#notes`, `img.png`), and the `<!--more-->` marker is in no output file."""

from __future__ import annotations

import email.utils
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from conftest import build_site, copy_real_corpus

ATOM = "{http://www.w3.org/2005/Atom}"
# What a reader can follow from anywhere: a URL with a scheme (http:, mailto:, tel:, data:, and
# the Rust blog's "mail-to:" typo), or "//host/x", which keeps the reader's own scheme.
ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")
MORE_MARKER = re.compile(r"^\s*more\s*$", re.IGNORECASE)  # a comment's text
# The marker as a page holds it, as an XML feed holds it (escaped once) and as JSON holds it.
MORE_MARKER_BYTES = re.compile(rb"(?:<|&lt;|\\u003c)!--\s*more\s*--(?:>|&gt;|\\u003e)", re.IGNORECASE)


class _UrlsAndComments(HTMLParser):
    """Every URL an element's href, src, srcset or poster holds (entities decoded), and every comment."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, URL)
        self.comments: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster"):
                self.urls.append((tag, name, value.strip()))
            elif name == "srcset":  # candidates "url descriptor", comma-separated; a URL holds no space
                self.urls.extend((tag, name, url.rstrip(",")) for url in re.findall(r"(?:^|,)\s*(\S+)", value))

    def handle_comment(self, data):
        self.comments.append(data)


def _assert_published_html(where: object, html: str) -> int:
    """No URL in `html` that a reader resolves against the feed, and no <!--more-->; returns the number of URLs."""
    parsed = _UrlsAndComments(html)
    relative = [found for found in parsed.urls if not ABSOLUTE.match(found[2])]
    assert relative == [], (where, relative[:10])
    assert not any(MORE_MARKER.match(comment) for comment in parsed.comments), where
    return len(parsed.urls)


def _parse_as_written(feed_path: Path) -> feedparser.FeedParserDict:
    """feedparser over a feed, with the entries' HTML as written: its own clean-up (on by default)
    would drop comments and srcset and resolve URLs against the feed, hiding what a reader gets."""
    return feedparser.parse(feed_path.read_bytes(), resolve_relative_uris=False, sanitize_html=False)


def _xml_feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml") if p.name in ("feed.xml", "atom.xml"))


def _json_feeds(out: Path) -> list[Path]:
    return sorted(out.rglob("feed.json"))


def _check_json_feed(out: Path, feed_path: Path, base: str) -> int:
    """A JSON Feed's items: absolute page URLs, content and summaries with no relative URL; returns the URL count."""
    document = json.loads(feed_path.read_text(encoding="utf-8"))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    urls = 0
    for item in document["items"]:
        assert _page_for(out, item["url"], base).is_file(), (feed_path, item["url"])
        for key in ("content_html", "summary"):
            urls += _assert_published_html((feed_path, item["url"], key), item.get(key) or "")
    return urls


def _assert_no_more_marker_anywhere(out: Path) -> None:
    """The marker is in no output file's bytes, and no page's HTML has it as a comment."""
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert not MORE_MARKER_BYTES.search(data), path
        if path.suffix == ".html":
            comments = _UrlsAndComments(data.decode("utf-8")).comments
            assert not any(MORE_MARKER.match(comment) for comment in comments), path


def _page_for(out: Path, url: str, base: str) -> Path:
    assert url.startswith(base), url
    path = urlsplit(url).path
    return out / path.lstrip("/") / "index.html" if path.endswith("/") else out / path.lstrip("/")


def _check_reader_view(out: Path, feed_path: Path, base: str) -> int:
    """Everything a reader relies on, for one feed; returns the number of entries."""
    parsed = _parse_as_written(feed_path)
    assert parsed.bozo == 0, (feed_path, parsed.get("bozo_exception"))
    entries = parsed.entries
    for entry in entries:
        assert entry.get("summary") or entry.get("content"), (feed_path, entry.link)
        for item in entry.get("content", []):
            _assert_published_html((feed_path, entry.link, "content"), item.value)
        _assert_published_html((feed_path, entry.link, "summary"), entry.get("summary", ""))
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and all(ids), feed_path
    published = []
    for entry in entries:
        assert entry.title and entry.link, feed_path
        assert _page_for(out, entry.link, base).is_file(), (feed_path, entry.link)
        raw = entry.get("published", "")
        assert re.search(r"(Z|[+-]\d{2}:?\d{2}|GMT|UT)$", raw), (feed_path, raw)  # a zone, always
        published.append(entry.published_parsed)
    assert published == sorted(published, reverse=True), f"{feed_path}: not newest first"
    return len(entries)


def test_sample_blog_feeds_satisfy_feedparser(sample_build):
    out = sample_build.out
    feeds = _xml_feeds(out)
    assert len(feeds) >= 10  # site, tags, authors
    assert sum(_check_reader_view(out, feed, "https://blog.northwind.example/") for feed in feeds) > 20
    assert [p.relative_to(out).as_posix() for p in _json_feeds(out)] == ["feed.json"]
    assert _check_json_feed(out, out / "feed.json", "https://blog.northwind.example/") > 50


def test_sample_blog_feeds_point_fragments_at_the_post(sample_build):
    """The sample's posts link within themselves (contents box, heading anchors, footnotes and their
    back-links): in a feed each such link is the post's page with the fragment."""
    out = sample_build.out
    fragments = 0
    for feed in _xml_feeds(out):
        for entry in _parse_as_written(feed).entries:
            for item in entry.get("content", []):
                for _, _, url in _UrlsAndComments(item.value).urls:
                    if url.startswith(entry.link + "#"):
                        fragments += 1
                        assert re.fullmatch(r"[^#]+#[^#\s]+", url), (feed, url)
    assert fragments > 100
    items = json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]
    notes = [item for item in items if 'class="footnote-ref"' in item["content_html"]]
    assert notes, "the sample blog has a post with footnotes"
    for item in notes:
        assert f'href="{item["url"]}#fn1"' in item["content_html"]
        assert f'href="{item["url"]}#fnref1"' in item["content_html"]


def test_sample_blog_publishes_no_more_marker(sample_build):
    posts_with_marker = [p for p in (sample_build.site / "posts").rglob("*.md") if "<!--more-->" in p.read_text(encoding="utf-8")]
    assert posts_with_marker, "the sample blog has posts with a <!--more--> marker"
    _assert_no_more_marker_anywhere(sample_build.out)


def test_generated_corpus_feeds_satisfy_feedparser(tmp_path, build_now, corpus):
    site = corpus(300)
    out = build_site(site, tmp_path / "out", now=build_now)
    feeds = _xml_feeds(out)
    assert len(feeds) > 50
    total = sum(_check_reader_view(out, feed, "https://blog.example.com/") for feed in feeds)
    assert total > 300
    assert len(_parse_as_written(out / "feed.xml").entries) == 20  # [feeds] limit
    assert [p.relative_to(out) for p in _json_feeds(out)] == [Path("feed.json")]
    _check_json_feed(out, out / "feed.json", "https://blog.example.com/")
    assert len(json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"]) == 20
    _assert_no_more_marker_anywhere(out)


@pytest.fixture(scope="module")
def rust_blog_build(tmp_path_factory, build_now, real_corpus) -> Path:
    """The Rust blog's posts (the real corpus; skipped without it) built with the corpus's
    site.toml: its permalink has the day, which keeps apart the posts that share a month and
    a slug (see test_build_e2e)."""
    site = copy_real_corpus(tmp_path_factory.mktemp("rust-blog") / "site")
    assert "{day}" in (site / "site.toml").read_text(encoding="utf-8")
    return build_site(site, site.parent / "out", jobs=2, now=build_now)


def test_rust_blog_feeds_hold_no_relative_url(rust_blog_build):
    out = rust_blog_build
    feeds = _xml_feeds(out)
    assert len(feeds) > 50  # the site's, and each tag's and author's
    assert sum(_check_reader_view(out, feed, "https://blog.example.com/") for feed in feeds) > 500
    assert _check_json_feed(out, out / "feed.json", "https://blog.example.com/") > 50


def test_rust_blog_publishes_no_more_marker(rust_blog_build):
    page = rust_blog_build / "2016/04/19/MIR/index.html"  # its post has a "<!-- more -->" line
    assert "Reducing Rust to a simple core" in page.read_text(encoding="utf-8")
    _assert_no_more_marker_anywhere(rust_blog_build)


def test_ids_survive_rebuilds_and_edits(tmp_path, site_writer, build_now):
    posts = {f"posts/2026-0{i}-0{i}-post-{i}.md": f"---\ntitle: Post {i}\ntags: [a]\n---\nBody {i}.\n" for i in range(1, 6)}
    site = site_writer(tmp_path / "site", posts)
    first = build_site(site, tmp_path / "one", now=build_now)
    second = build_site(site, tmp_path / "two", now=build_now)
    (site / "posts/2026-03-03-post-3.md").write_text("---\ntitle: Post 3, edited\ntags: [a]\n---\nA new body.\n")
    third = build_site(site, tmp_path / "three", now=build_now)
    names = ["feed.xml", "atom.xml", "feed.json", "tags/a/feed.xml", "tags/a/atom.xml"]
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    for name in ("feed.xml", "atom.xml"):
        ids = [[e.id for e in feedparser.parse((out / name).read_bytes()).entries] for out in (first, second, third)]
        assert ids[0] == ids[1] == ids[2]
        assert ids[0][2] == "tag:blog.example.com,2026-03-03:post-3"
    edited = feedparser.parse((third / "atom.xml").read_bytes()).entries[2]
    assert edited.title == "Post 3, edited"


def test_front_matter_id_pins_the_entry_id(tmp_path, site_writer, build_now):
    site = site_writer(
        tmp_path / "site", {"posts/2026-01-01-new-slug.md": "---\ntitle: T\nid: tag:blog.example.com,2025-12-31:old-slug\n---\nx\n"}
    )
    out = build_site(site, tmp_path / "out", now=build_now)
    assert feedparser.parse((out / "atom.xml").read_bytes()).entries[0].id == "tag:blog.example.com,2025-12-31:old-slug"


HOSTILE_TITLES = [
    "Ampersands & <angle> brackets \"quoted\" 'single'",
    "CDATA end ]]> inside a title",
    "Control \x01\x02\x0b\x0c\x1f characters",
    "مرحبا بالعالم — right to left",
    "Emoji 🚀🎉 and combining é̂",
    "Long " + "title " * 400,
    "<script>alert(1)</script>",
]


def test_hostile_titles_and_bodies_keep_every_feed_valid(tmp_path, site_writer, build_now):
    import json

    posts = {}
    for i, title in enumerate(HOSTILE_TITLES, start=1):
        body = f"Body with ]]> and <b>unclosed and a stray < and \x01 control.\n\n<script>alert({i})</script>\n\n{title}\n"
        posts[f"posts/2026-01-{i:02d}-hostile-{i}.md"] = (
            f'---\ntitle: {json.dumps(title, ensure_ascii=False)}\ntags: ["<tag>&", émoji🚀]\nauthor: "<b>Eve</b> & co"\n---\n{body}'
        )
    site = site_writer(tmp_path / "site", posts)
    out = build_site(site, tmp_path / "out", now=build_now)
    for feed in _xml_feeds(out):
        ET.fromstring(feed.read_bytes())  # well-formed XML
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.bozo == 0, (feed, parsed.get("bozo_exception"))
    entries = feedparser.parse((out / "atom.xml").read_bytes()).entries
    titles = {e.title for e in entries}
    assert "CDATA end ]]> inside a title" in titles
    assert "Control  characters" in titles
    assert "مرحبا بالعالم — right to left" in titles
    assert any("Body with ]]&gt; and" in e.content[0].value for e in entries)
    data = json.loads((out / "feed.json").read_text())
    assert len(data["items"]) == len(HOSTILE_TITLES)


def test_atom_has_the_elements_rfc_4287_requires(sample_build):
    for feed in _xml_feeds(sample_build.out):
        if feed.name != "atom.xml":
            continue
        root = ET.fromstring(feed.read_bytes())
        assert root.tag == f"{ATOM}feed"
        for name in ("id", "title", "updated"):
            assert root.findtext(ATOM + name), (feed, name)
        assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
        feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
        for entry in root.findall(f"{ATOM}entry"):
            for name in ("id", "title", "updated"):
                assert entry.findtext(ATOM + name), (feed, name)
            assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
            assert any(link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link"))


def test_rss_has_the_required_channel_elements_and_rfc_822_dates(sample_build):
    for feed in _xml_feeds(sample_build.out):
        if feed.name != "feed.xml":
            continue
        channel = ET.fromstring(feed.read_bytes()).find("channel")
        for name in ("title", "link", "description"):
            assert channel.findtext(name), (feed, name)
        for date_text in [channel.findtext("lastBuildDate")] + [i.findtext("pubDate") for i in channel.findall("item")]:
            parsed = email.utils.parsedate_to_datetime(date_text)
            assert parsed.tzinfo is not None, date_text
            assert email.utils.format_datetime(parsed) == date_text  # exactly RFC 822 / 2822 form
        for item in channel.findall("item"):
            assert item.find("guid").get("isPermaLink") == "false"
            assert item.findtext("title") and item.findtext("link")


def test_atom_content_is_typed_html(sample_build):
    root = ET.fromstring((sample_build.out / "atom.xml").read_bytes())
    types = {content.get("type") for content in root.iter(f"{ATOM}content")}
    assert types == {"html"}
