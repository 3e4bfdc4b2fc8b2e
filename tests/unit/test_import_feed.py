"""The feed reader: RSS 2.0 and Atom 1.0 (and a Blogger export, which is Atom) -> an Export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.importers import atom, feed
from generator.importers.model import Entry, Export, ExportError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "feed"
BLOGGER = FIXTURES.parent / "blogger"


@pytest.fixture(scope="module")
def rss() -> Export:
    return feed.read(FIXTURES / "rss.xml")


@pytest.fixture(scope="module")
def atom_feed() -> Export:
    return feed.read(FIXTURES / "atom.xml")


def by_title(export: Export, title: str) -> Entry:
    return next(entry for entry in export.entries if entry.title == title)


def write(tmp_path: Path, text: str, name: str = "feed.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- RSS 2.0 ---------------------------------------------------------------------------------


def test_rss_reads_every_item_as_a_published_post(rss):
    assert rss.platform == "feed"
    assert rss.site_url == "https://news.example.com"
    assert [(entry.kind, entry.status, entry.title) for entry in rss.entries] == [
        ("post", "published", "Launch day & more"),
        ("post", "published", "Second post"),
        ("post", "published", "Only a teaser"),
        ("post", "published", "Pictures"),
    ]
    assert all(entry.comments == [] for entry in rss.entries)


def test_rss_says_a_feed_holds_only_the_latest_entries(rss):
    assert rss.attention[0] == (
        "a feed usually holds only the latest entries: this one held 4, from 2020-01-14 to 2020-04-02; "
        "older posts are not in it (import the blog's own export if the platform has one)"
    )


def test_rss_full_content_with_description_as_summary(rss):
    post = by_title(rss, "Launch day & more")
    assert post.html.startswith("<p>We launched today.</p>")
    assert '<pre><code class="language-c">#include &lt;x.h&gt;</code></pre>' in post.html
    assert post.summary == "We launched. Read on\u2026"
    assert post.attention == []


def test_rss_guid_not_permalink_is_the_feed_id_and_link_the_old_url(rss):
    post = by_title(rss, "Launch day & more")
    assert post.feed_id == "news-example-1"
    assert post.old_urls == ["https://news.example.com/2020/01/launch-day/"]
    assert post.slug == "launch-day"
    assert post.date == datetime(2020, 1, 14, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def test_rss_categories_and_dc_creator(rss):
    post = by_title(rss, "Launch day & more")
    assert post.tags == ["Launch", "Product"]  # WordPress's "Uncategorized" is dropped
    assert post.authors == ["gia-ho"]
    assert {author.key: author.name for author in rss.authors} == {"gia-ho": "Gia Ho", "jon-kim": "Jon Kim"}


def test_rss_permalink_guid_without_link_is_the_old_url(rss):
    post = by_title(rss, "Second post")
    assert post.feed_id == "https://news.example.com/2020/02/second.html"
    assert post.old_urls == ["https://news.example.com/2020/02/second.html"]
    assert post.slug == "second"
    assert post.date == datetime(2020, 2, 3, 10, 30, tzinfo=UTC)
    # <author>gia@example.com (Gia Ho)</author>: the name, never the address.
    assert post.authors == ["gia-ho"]
    assert "gia@example.com" not in repr(rss) and "noreply@example.com" not in repr(rss)


def test_rss_summary_only_item_is_the_body_and_noted(rss):
    teaser = by_title(rss, "Only a teaser")
    assert teaser.html == "<p>Just the first lines of a longer post.</p>"
    assert teaser.summary is None
    assert teaser.feed_id == "https://news.example.com/2020/03/teaser/"  # no guid: readers keyed it by its link
    assert teaser.authors == []  # only an e-mail address was given
    assert any("only a summary" in note for note in teaser.attention)
    assert "the feed held only summaries for 1 of 4 entries: their bodies are incomplete" in rss.attention


def test_rss_image_enclosure_is_the_featured_image(rss):
    assert by_title(rss, "Pictures").image == "https://news.example.com/wp-content/uploads/2020/04/cover.jpg"
    assert by_title(rss, "Second post").image is None


# --- Atom 1.0 --------------------------------------------------------------------------------


def test_atom_html_content_and_html_title(atom_feed):
    post = by_title(atom_feed, "Fast builds & caches")
    assert post.html == "<p>Builds got <strong>faster</strong>.</p>"
    assert post.feed_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    assert post.old_urls == ["https://atom.example.org/2021/01/fast-builds"]
    assert post.slug == "fast-builds"
    assert post.date == datetime(2021, 1, 10, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    assert post.updated == datetime(2021, 1, 11, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    assert post.tags == ["Performance", "ci"]  # a category's label, else its term
    assert post.summary is None  # the summary only repeated the text
    assert post.authors == ["hal-ito"]  # the feed's author, the entry naming none


def test_atom_xhtml_content_is_unwrapped_without_namespaces(atom_feed):
    post = by_title(atom_feed, "Including <x.h> in XHTML")
    assert post.html == (
        '<p>Hello <a href="https://atom.example.org/x">link</a></p>'
        '<pre><code class="language-c">#include &lt;x.h&gt;</code></pre><p>Line<br>break</p>'
    )
    assert post.authors == ["ida-jones"]
    authors = {author.key: author for author in atom_feed.authors}
    assert authors["ida-jones"].url == "https://ida.example/"
    assert "hal@example.org" not in repr(atom_feed)


def test_atom_text_content_becomes_paragraphs_and_relative_links_resolve(atom_feed):
    post = by_title(atom_feed, "Plain words")
    assert post.html == "<p>First paragraph &amp; a half.</p>\n<p>Second paragraph.</p>"
    assert post.old_urls == ["https://atom.example.org/2021/03/plain-words/"]
    assert post.date == datetime(2021, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=-5)))  # no <published>: <updated>
    assert by_title(atom_feed, "Summary only").old_urls == ["https://atom.example.org/2021/04/summary-only.html"]


def test_atom_summary_only_entry(atom_feed):
    post = by_title(atom_feed, "Summary only")
    assert post.html == "<p>The start of a longer text.</p>"
    assert any("only a summary" in note for note in post.attention)
    assert atom_feed.site_url == "https://atom.example.org"
    assert atom_feed.attention[0].startswith("a feed usually holds only the latest entries: this one held 4")


def test_atom_next_page_is_mentioned(tmp_path):
    source = write(
        tmp_path,
        '<feed xmlns="http://www.w3.org/2005/Atom"><link rel="next" href="https://x.example/feed?page=2"/>'
        "<entry><id>a</id><title>A</title><updated>2020-01-01T00:00:00Z</updated><content>x</content></entry></feed>",
    )
    export = feed.read(source)
    assert "the feed continues on another page (https://x.example/feed?page=2), which was not read" in export.attention
    assert "the feed does not name the blog's address: its pictures are left where they are" in export.attention


# --- Blogger export, wrong files -------------------------------------------------------------


def test_a_blogger_export_is_read_as_one():
    export = feed.read(BLOGGER / "legacy.xml")
    assert export.platform == "Blogger"
    assert "About us" in [entry.title for entry in export.entries]
    assert export.skipped[("settings", "blog settings, not posts")] == 2
    assert export.attention[0].startswith("this feed is a Blogger export")


def test_a_wordpress_export_is_refused(tmp_path):
    source = write(
        tmp_path,
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
        "<item><title>x</title></item></channel></rss>",
    )
    with pytest.raises(ExportError, match=r"is a WordPress export \(WXR\), not a plain feed") as caught:
        feed.read(source)
    assert caught.value.hint is not None and "blog import wordpress" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"db": []}', "is JSON"),
        ("<!DOCTYPE html><html><body>Blog</body></html>", "is an HTML page"),
        ("<opml version='2.0'><body/></opml>", "is an XML file whose root element is <opml>, not an RSS or Atom feed"),
        ("<rss version='2.0'><channel><title>x</title></channel></rss>", "is an RSS feed without a single entry"),
        ("<rss version='2.0'><channel><item><title>x</title>", "truncated"),
    ],
)
def test_files_that_are_not_feeds(tmp_path, text, message):
    with pytest.raises(ExportError, match=message):
        feed.read(write(tmp_path, text))


def test_a_bad_pub_date_names_the_item(tmp_path):
    source = write(tmp_path, "<rss version='2.0'><channel><item><title>Hi</title><pubDate>soon</pubDate></item></channel></rss>")
    with pytest.raises(ExportError, match=r"item 1 \('Hi'\): <pubDate> 'soon' is not a date"):
        feed.read(source)


def test_rss_odd_dates_and_missing_ones(tmp_path):
    source = write(
        tmp_path,
        "<rss version='2.0'><channel><link>https://o.example/</link>"
        "<item><title>Iso</title><link>https://o.example/iso/</link><pubDate>2020-05-06T07:08:09Z</pubDate><description>a</description></item>"
        "<item><title>Zoneless</title><link>https://o.example/z/</link><pubDate>Wed, 06 May 2020 07:08:09 -0000</pubDate></item>"
        "<item><link>https://o.example/2020/05/no-title.html</link><description>b</description></item>"
        "</channel></rss>",
    )
    iso, zoneless, untitled = feed.read(source).entries
    assert iso.date == datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert zoneless.date == datetime(2020, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert untitled.date is None and "had no date: it gets the import's date" in untitled.attention
    assert untitled.title == "No title"


def test_rss_1_0_rdf(tmp_path):
    source = write(
        tmp_path,
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://r.example/"><link>https://r.example/</link></channel>'
        '<item rdf:about="https://r.example/one"><title>One</title><link>https://r.example/one</link>'
        "<dc:date>2003-12-13T18:30:02Z</dc:date><dc:subject>Old</dc:subject><dc:creator>Kai</dc:creator>"
        "<description>First.</description></item></rdf:RDF>",
    )
    export = feed.read(source)
    (entry,) = export.entries
    assert (entry.title, entry.feed_id, entry.tags, entry.authors) == ("One", "https://r.example/one", ["Old"], ["kai"])
    assert entry.date == datetime(2003, 12, 13, 18, 30, 2, tzinfo=UTC)
    assert export.site_url == "https://r.example"


# --- The shared Atom helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("<em>Fast</em>  builds &amp; caches", "Fast builds & caches"),
        ("Including <x.h> in C", "Including <x.h> in C"),
        ("Tom &amp;amp; Jerry", "Tom &amp; Jerry"),  # decoded once
    ],
)
def test_strip_markup(markup, plain):
    assert atom.strip_markup(markup) == plain


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://x.blogspot.com/2014/03/hello.html", "hello"),
        ("https://x.example/blog/hello-world/", "hello-world"),
        ("https://x.example/caf%C3%A9/", "café"),
        ("https://x.example/?p=12", None),
        ("https://x.example/2020/01/", None),
        (None, None),
    ],
)
def test_slug_from_url(url, slug):
    assert atom.slug_from_url(url) == slug


def test_author_key():
    assert atom.author_key("Ana Lima") == "ana-lima"
    assert atom.author_key("José_Ñú  (guest)") == "josé-ñú-guest"
    assert atom.author_key("!!!") == "author"
