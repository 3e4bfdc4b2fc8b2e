"""The Blogger reader: the legacy "Back up content" Atom and Takeout's feed.atom -> an Export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.importers import blogger
from generator.importers.model import Entry, Export, ExportError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "blogger"
FEEDS = FIXTURES.parent / "feed"


@pytest.fixture(scope="module")
def legacy() -> Export:
    return blogger.read(FIXTURES / "legacy.xml")


@pytest.fixture(scope="module")
def takeout() -> Export:
    return blogger.read(FIXTURES / "takeout-feed.atom")


def by_title(export: Export, title: str) -> Entry:
    return next(entry for entry in export.entries if entry.title == title)


# --- Legacy "Back up content" ----------------------------------------------------------------


def test_legacy_reads_posts_and_pages_and_counts_settings_and_template(legacy):
    assert legacy.platform == "Blogger"
    assert [(entry.kind, entry.title) for entry in legacy.entries] == [
        ("post", "Hello, Blogger & friends"),
        ("post", "Including <x.h> in C"),
        ("post", "Lines"),
        ("post", "Half-written thoughts"),
        ("post", "From the future"),
        ("page", "About us"),
    ]
    assert legacy.skipped[("settings", "blog settings, not posts")] == 2
    assert legacy.skipped[("template", "the blog's theme, not posts")] == 1


def test_legacy_site_url_and_picture_hosts(legacy):
    assert legacy.site_url == "https://tinynotes.blogspot.com"
    assert {"blogger.googleusercontent.com", "bp.blogspot.com", "1.bp.blogspot.com", "4.bp.blogspot.com"} <= legacy.upload_hosts


def test_legacy_post_fields(legacy):
    post = by_title(legacy, "Hello, Blogger & friends")
    assert post.status == "published"
    assert post.date == datetime(2014, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=-8)))
    assert post.updated == datetime(2014, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=-8)))
    assert post.slug == "hello-blogger"
    assert post.old_urls == ["https://tinynotes.blogspot.com/2014/03/hello-blogger.html"]
    assert post.feed_id == "tag:blogger.com,1999:blog-7000.post-101"
    assert post.tags == ["Python", "Release notes"]
    assert post.authors == ["ana-lima"]
    assert post.where == "entry 4 (post 101 'Hello, Blogger & friends')"


def test_legacy_authors_keyed_by_name_without_emails(legacy):
    authors = {author.key: author for author in legacy.authors}
    assert authors["ana-lima"].name == "Ana Lima"
    assert authors["ana-lima"].url == "https://www.blogger.com/profile/111"
    assert authors["bruno-costa"].url is None
    assert by_title(legacy, "Including <x.h> in C").authors == ["bruno-costa"]
    everything = repr(legacy)
    assert "noreply@blogger.com" not in everything and "bruno@example.com" not in everything and "spam@example.com" not in everything


def test_legacy_jump_break_becomes_more_comment(legacy):
    body = by_title(legacy, "Hello, Blogger & friends").html
    assert body.startswith("<div>Our first post.</div><!--more--><div>")
    assert 'src="https://1.bp.blogspot.com/-abc/s320/chart.png"' in body


def test_legacy_code_block_keeps_include_and_language(legacy):
    body = by_title(legacy, "Including <x.h> in C").html
    assert body == '<p>The header:</p><pre><code class="language-cpp">#include &lt;x.h&gt;\nint main(void) { return 0; }</code></pre>'
    assert by_title(legacy, "Including <x.h> in C").slug == "including-xh-in-c"


def test_legacy_line_breaks_become_paragraphs(legacy):
    assert by_title(legacy, "Lines").html == "<p>First line<br />still the first paragraph</p>\n<p>Second paragraph</p>"


def test_legacy_draft_has_no_old_url(legacy):
    draft = by_title(legacy, "Half-written thoughts")
    assert draft.status == "draft"
    assert draft.draft_reason is None
    assert draft.slug is None
    assert draft.old_urls == []
    assert draft.tags == ["Python"]


def test_legacy_future_post_is_scheduled(legacy):
    scheduled = by_title(legacy, "From the future")
    assert scheduled.status == "scheduled"
    assert scheduled.date == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)


def test_legacy_page(legacy):
    page = by_title(legacy, "About us")
    assert page.kind == "page"
    assert page.slug == "about"
    assert page.parents == ()
    assert page.old_urls == ["https://tinynotes.blogspot.com/p/about.html"]


def test_legacy_comments_attach_to_their_posts_with_threading(legacy):
    comments = {comment.id: comment for comment in by_title(legacy, "Hello, Blogger & friends").comments}
    assert set(comments) == {"9001", "9002", "9003"}
    first, reply = comments["9001"], comments["9002"]
    assert (first.author, first.url, first.parent) == ("Reader One", "http://reader.example/", None)
    assert first.date == datetime(2014, 3, 5, 19, 0, tzinfo=UTC)
    assert first.html == "Nice chart!<br />Thanks."
    # The reply's rel="related" link names the comment it answers.
    assert (reply.author, reply.url, reply.parent) == ("Anonymous", None, "9001")
    assert [comment.id for comment in by_title(legacy, "Including <x.h> in C").comments] == ["9006"]


def test_legacy_removed_and_orphan_comments_are_counted(legacy):
    assert legacy.skipped[("comment", "removed by its author or the blog's owner")] == 1
    assert legacy.skipped[("comment", "its post is not in the export, or not imported")] == 1


def test_legacy_hostile_comment_keeps_raw_html_but_not_a_javascript_website(legacy):
    hostile = next(comment for comment in by_title(legacy, "Hello, Blogger & friends").comments if comment.id == "9003")
    # The raw HTML is handed over (old_comments.dump cleans it); the website is checked here.
    assert "Hostile-Payload-Text" in hostile.html
    assert hostile.url is None


def test_undeclared_app_prefix_draft_is_read():
    export = blogger.read(FIXTURES / "legacy-undeclared-app.xml")
    assert [(entry.title, entry.status) for entry in export.entries] == [("Unfinished", "draft"), ("Finished", "published")]
    assert export.entries[1].old_urls == ["http://undeclared.blogspot.com/2012/02/finished.html"]
    assert export.site_url == "http://undeclared.blogspot.com"


# --- Takeout feed.atom -------------------------------------------------------------------------


def test_takeout_entries_statuses_and_trash(takeout):
    assert [(entry.kind, entry.title, entry.status) for entry in takeout.entries] == [
        ("post", "Shipping the new build", "published"),
        ("post", "Draft about caching", "draft"),
        ("post", "Next year's roadmap", "scheduled"),
        ("page", "Contact", "published"),
    ]
    assert takeout.skipped[("post", "in Blogger's trash")] == 1
    assert takeout.skipped[("comment", "in Blogger's trash")] == 1


def test_takeout_post_fields(takeout):
    post = by_title(takeout, "Shipping the new build")
    assert post.slug == "shipping-new-build"
    assert post.old_urls == ["/2021/05/shipping-new-build.html"]
    assert post.date == datetime(2021, 5, 4, 9, 30, tzinfo=UTC)
    assert post.updated == datetime(2021, 5, 6, 10, 0, tzinfo=UTC)
    assert post.summary == "How the new build went out, step by step."
    assert post.tags == ["Releases", "CI"]
    assert post.authors == ["dora-diaz"]
    assert post.feed_id == "tag:blogger.com,1999:blog-8000.post-301"
    assert 'src="https://blogger.googleusercontent.com/img/b/R29v/s1600/ship.jpg"' in post.html


def test_takeout_without_blog_address_keeps_paths_and_says_so(takeout):
    assert takeout.site_url is None
    assert any("does not name the blog's address" in note for note in takeout.attention)
    assert by_title(takeout, "Contact").old_urls == ["/p/contact.html"]
    assert by_title(takeout, "Contact").slug == "contact"


def test_takeout_draft_keeps_slug_but_no_alias(takeout):
    draft = by_title(takeout, "Draft about caching")
    assert draft.slug == "draft-about-caching"
    assert draft.old_urls == []
    assert draft.summary is None


def test_takeout_comments_thread_through_in_reply_to(takeout):
    comments = {comment.id: comment for comment in by_title(takeout, "Shipping the new build").comments}
    assert set(comments) == {"501", "502", "503", "504"}
    assert comments["501"].parent is None
    assert comments["501"].url == "https://fay.example/"
    assert comments["502"].parent == "501"  # inReplyTo given as the full id
    assert comments["503"].parent == "501"  # and as the bare number
    # An anonymous commenter's website is not kept: Blogger did not show it as theirs.
    assert (comments["503"].author, comments["503"].url) == ("Someone", None)
    assert comments["504"].url is None


# --- Wrong files, broken files, details --------------------------------------------------------


def test_plain_feed_is_not_a_blogger_export(tmp_path):
    with pytest.raises(ExportError, match="is an RSS 2.0 feed, not a Blogger export"):
        blogger.read(FEEDS / "rss.xml")
    with pytest.raises(ExportError, match="is an Atom feed, not a Blogger export"):
        blogger.read(FEEDS / "atom.xml")


def test_json_and_truncated_files_are_named(tmp_path):
    ghost = tmp_path / "ghost.json"
    ghost.write_text('{"db": [{"data": {}}]}', encoding="utf-8")
    with pytest.raises(ExportError, match="is JSON"):
        blogger.read(ghost)
    truncated = tmp_path / "blog.xml"
    truncated.write_text((FIXTURES / "legacy.xml").read_text(encoding="utf-8")[:3000], encoding="utf-8")
    with pytest.raises(ExportError, match="truncated"):
        blogger.read(truncated)


def test_a_malformed_date_names_the_entry(tmp_path):
    broken = tmp_path / "blog.xml"
    text = (FIXTURES / "legacy-undeclared-app.xml").read_text(encoding="utf-8")
    broken.write_text(text.replace("2012-02-01T10:00:00.000Z</published>", "yesterday</published>"), encoding="utf-8")
    with pytest.raises(ExportError, match=r"entry 2 \(post 2 'Finished'\): <published> 'yesterday' is not a date"):
        blogger.read(broken)


def test_an_export_of_only_settings_is_an_error(tmp_path):
    empty = tmp_path / "blog.xml"
    empty.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x.settings.A</id>"
        "<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#settings'/>"
        "</entry></feed>",
        encoding="utf-8",
    )
    with pytest.raises(ExportError, match="without a single post or page"):
        blogger.read(empty)


def test_untitled_post_gets_a_title_from_its_address(tmp_path):
    source = tmp_path / "blog.xml"
    source.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>tag:blogger.com,1999:blog-1.post-5</id>"
        "<published>2010-01-01T00:00:00Z</published>"
        "<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>"
        "<title type='text'></title><content type='html'>Hi</content>"
        "<link rel='alternate' type='text/html' href='http://x.blogspot.com/2010/01/quick-note.html'/></entry></feed>",
        encoding="utf-8",
    )
    entry = blogger.read(source).entries[0]
    assert entry.title == "Quick note"
    assert entry.attention == ["had no title; it is now 'Quick note'"]


@pytest.mark.parametrize(
    ("pre", "expected"),
    [
        ('<pre class="brush: python;">a<br/>b</pre>', '<pre><code class="language-python">a\nb</code></pre>'),
        ('<pre class="prettyprint lang-js">x()</pre>', '<pre><code class="language-js">x()</code></pre>'),
        ('<pre name="code" class="java">int a;</pre>', '<pre><code class="language-java">int a;</code></pre>'),
        ("<pre>plain<br>text</pre>", "<pre>plain\ntext</pre>"),
    ],
)
def test_code_block_dialects(pre, expected):
    assert blogger.clean_body(pre) == expected


def test_short_id():
    assert blogger.short_id("tag:blogger.com,1999:blog-7000.post-9001") == "9001"
    assert blogger.short_id("tag:blogger.com,1999:blog-7000.page-201") == "201"
    assert blogger.short_id("9001") == "9001"


def test_a_comment_naming_its_post_only_by_source_is_attached(tmp_path):
    kind = "<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#{}'/>"
    source = tmp_path / "blog.xml"
    source.write_text(
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>"
        f"<entry><id>tag:blogger.com,1999:blog-1.post-5</id><published>2010-01-01T00:00:00Z</published>{kind.format('post')}"
        "<title type='text'>Post</title><content type='html'>Hi</content></entry>"
        f"<entry><id>tag:blogger.com,1999:blog-1.post-6</id><published>2010-01-02T00:00:00Z</published>{kind.format('comment')}"
        "<content type='html'>Reply</content><author><name>Lu</name></author>"
        "<thr:in-reply-to source='https://www.blogger.com/feeds/1/posts/default/5' type='text/html'/></entry></feed>",
        encoding="utf-8",
    )
    (post,) = blogger.read(source).entries
    assert [(comment.id, comment.author, comment.html) for comment in post.comments] == [("6", "Lu", "Reply")]
