"""Feeds as real readers see them: feedparser over every feed of the sample blog and of a
generated corpus, stable ids across rebuilds and edits, hostile text, and the elements
RFC 4287 (Atom) and RSS 2.0 require."""

from __future__ import annotations

import email.utils
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from generator.build import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
ATOM = "{http://www.w3.org/2005/Atom}"
URL_ATTRIBUTE = re.compile(r"""\s(?:href|src)=["']([^"']*)["']""")


def _site_build(site: Path, out: Path, now) -> Path:
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=now, use_cache=False))
    return out


def _xml_feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml") if p.name in ("feed.xml", "atom.xml"))


def _page_for(out: Path, url: str, base: str) -> Path:
    assert url.startswith(base), url
    path = urlsplit(url).path
    return out / path.lstrip("/") / "index.html" if path.endswith("/") else out / path.lstrip("/")


def _check_reader_view(out: Path, feed_path: Path, base: str) -> int:
    """Everything a reader relies on, for one feed; returns the number of entries."""
    parsed = feedparser.parse(feed_path.read_bytes())
    assert parsed.bozo == 0, (feed_path, parsed.get("bozo_exception"))
    entries = parsed.entries
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) and all(ids), feed_path
    published = []
    for entry in entries:
        assert entry.title and entry.link, feed_path
        assert _page_for(out, entry.link, base).is_file(), (feed_path, entry.link)
        raw = entry.get("published", "")
        assert re.search(r"(Z|[+-]\d{2}:?\d{2}|GMT|UT)$", raw), (feed_path, raw)  # a zone, always
        published.append(entry.published_parsed)
        for item in entry.get("content", []):
            for url in URL_ATTRIBUTE.findall(item.value):
                assert url.startswith(("http://", "https://", "#", "mailto:")), (feed_path, url)
    assert published == sorted(published, reverse=True), f"{feed_path}: not newest first"
    return len(entries)


def test_sample_blog_feeds_satisfy_feedparser(sample_build):
    out = sample_build.out
    feeds = _xml_feeds(out)
    assert len(feeds) >= 10  # site, tags, authors
    assert sum(_check_reader_view(out, feed, "https://blog.northwind.example/") for feed in feeds) > 20


@pytest.mark.skipif(not MAKE_CORPUS.exists(), reason="../shared/bench/make_corpus.py is not beside the project")
def test_generated_corpus_feeds_satisfy_feedparser(tmp_path, build_now):
    site = tmp_path / "corpus"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--posts", "300", "--out", str(site)], check=True, capture_output=True)
    out = _site_build(site, tmp_path / "out", build_now)
    feeds = _xml_feeds(out)
    assert len(feeds) > 50
    total = sum(_check_reader_view(out, feed, "https://blog.example.com/") for feed in feeds)
    assert total > 300
    jsonfeed = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(jsonfeed.entries) == 20  # [feeds] limit


def test_ids_survive_rebuilds_and_edits(tmp_path, site_writer, build_now):
    posts = {
        f"posts/2026-0{i}-0{i}-post-{i}.md": f"---\ntitle: Post {i}\ntags: [a]\n---\nBody {i}.\n" for i in range(1, 6)
    }
    site = site_writer(tmp_path / "site", posts)
    first = _site_build(site, tmp_path / "one", build_now)
    second = _site_build(site, tmp_path / "two", build_now)
    (site / "posts/2026-03-03-post-3.md").write_text("---\ntitle: Post 3, edited\ntags: [a]\n---\nA new body.\n")
    third = _site_build(site, tmp_path / "three", build_now)
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
    site = site_writer(tmp_path / "site", {"posts/2026-01-01-new-slug.md": "---\ntitle: T\nid: tag:blog.example.com,2025-12-31:old-slug\n---\nx\n"})
    out = _site_build(site, tmp_path / "out", build_now)
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
        posts[f"posts/2026-01-{i:02d}-hostile-{i}.md"] = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\ntags: [\"<tag>&\", émoji🚀]\nauthor: \"<b>Eve</b> & co\"\n---\n{body}"
    site = site_writer(tmp_path / "site", posts)
    out = _site_build(site, tmp_path / "out", build_now)
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
