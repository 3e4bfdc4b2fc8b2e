"""The WordPress reader: WXR 1.1 and 1.2 fixtures (tests/fixtures/import/wordpress/) read into an
Export, one odd case per test, and WordPress's content dialect undone (wordpress_content)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.importers import wordpress
from generator.importers.model import Entry, Export, ExportError
from generator.importers.wordpress_content import Attachment, Library, autop, body_html, comment_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "wordpress"
WXR_12 = FIXTURES / "export-1.2.xml"
WXR_11 = FIXTURES / "export-1.1.xml"


@pytest.fixture(scope="module")
def export12() -> Export:
    return wordpress.read(WXR_12)


@pytest.fixture(scope="module")
def export11() -> Export:
    return wordpress.read(WXR_11)


def entry(export: Export, post_id: str) -> Entry:
    return next(e for e in export.entries if f" {post_id} '" in e.where)


# -- the file ---------------------------------------------------------------------------------


def test_both_versions_and_namespaces_are_read(export12, export11):
    assert WXR_12.read_text(encoding="utf-8").count('xmlns:wp="https://wordpress.org/export/1.2/"') == 1
    assert 'xmlns:wp="http://wordpress.org/export/1.1/"' in WXR_11.read_text(encoding="utf-8")
    assert export12.platform == export11.platform == "WordPress"
    assert len(export12.entries) == 14
    assert len(export11.entries) == 3


def test_site_url_and_picture_hosts(export12, export11):
    assert export12.site_url == "https://blog.example.com"
    assert export12.upload_hosts == {"blog.example.com", "i0.wp.com", "i1.wp.com", "i2.wp.com"}
    # WordPress.com: base_blog_url wins over base_site_url (wordpress.com itself, not a picture host).
    assert export11.site_url == "https://oldco.wordpress.com"
    assert export11.upload_hosts == {"oldco.wordpress.com", "oldco.files.wordpress.com", "i0.wp.com", "i1.wp.com", "i2.wp.com"}


def test_authors_by_login_with_display_names_and_no_email(export12, export11):
    assert [(a.key, a.name, a.url) for a in export12.authors] == [
        ("jane", "Jane Doe", None),
        ("bob", "Bob & Co", None),
        ("guest-ann", "guest-ann", None),  # a Co-Authors Plus guest, not in wp:author
    ]
    assert [(a.key, a.name) for a in export11.authors] == [("oldco", "Old Co")]
    assert "example.com" not in repr(export12.authors) and "@" not in repr(export11.authors)


def test_what_is_not_an_entry_is_counted_with_a_reason(export12):
    counts: Counter[str] = Counter()
    for (what, _), count in export12.skipped.items():
        counts[what] += count
    assert counts == {
        "attachment": 3,
        "revision": 1,
        "menu item": 1,
        "navigation menu": 1,
        "reusable block": 1,
        "post": 1,  # the trashed one
        "product": 1,
        "comment": 3,
    }
    assert ("post", "in the trash") in export12.skipped
    assert not any("Deleted post" in e.title or "Blue mug" in e.title for e in export12.entries)


def test_sticky_posts_are_noted_for_the_whole_export(export12):
    assert export12.attention == [
        "1 post was sticky (pinned to the top of the old front page); this generator has no pinned posts, so they are in date order"
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', "Atom feed"),
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>',
            "without WordPress's wp: elements",
        ),
        ('{"db": [{"meta": {"version": "5.0"}, "data": {"posts": []}}]}', "looks like JSON"),
        ("<html><body>hi</body></html>", "root is <html>"),
    ],
)
def test_a_file_that_is_not_a_wxr_is_refused_saying_what_it_is(tmp_path, text, says):
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        wordpress.read(path)
    assert says in caught.value.message
    assert caught.value.path == path


def test_a_truncated_export_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_bytes(WXR_12.read_bytes()[:5000])
    with pytest.raises(ExportError) as caught:
        wordpress.read(path)
    assert "truncated" in caught.value.message and caught.value.line


def test_a_bad_date_names_the_item(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(WXR_11.read_text(encoding="utf-8").replace("2016-01-05 20:30:00", "2016-13-45 20:30:00"), encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        wordpress.read(path)
    assert caught.value.message.startswith("item 3 (post 502 'Draft about pricing'): wp:post_date '2016-13-45 20:30:00'")


def test_an_invalid_xml_character_inside_cdata_does_not_abort(export12):
    assert "\x0b" in WXR_12.read_text(encoding="utf-8")
    shortcodes = entry(export12, "11")
    assert "<p>A control character here: (vertical tab).</p>" in shortcodes.html


# -- posts ------------------------------------------------------------------------------------


def test_a_published_classic_post(export12):
    hello = entry(export12, "10")
    assert hello.kind == "post" and hello.status == "published" and hello.draft_reason is None
    assert hello.where == "item 4 (post 10 'Hello & welcome to WordPress – “ours”')"
    assert hello.title == "Hello & welcome to WordPress – “ours”"
    assert hello.summary == "Our first post & more."
    assert hello.slug == "hello-world"
    assert hello.date == datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
    assert hello.updated == datetime(2019, 3, 5, 6, 30, tzinfo=UTC)
    assert hello.authors == ["jane"]
    assert hello.feed_id == "https://blog.example.com/?p=10"
    assert hello.image == "https://blog.example.com/wp-content/uploads/2019/03/lake.jpg"
    assert hello.attention == []


def test_categories_and_tags_become_tags_without_uncategorized_or_formats(export12):
    assert entry(export12, "10").tags == ["News & Events", "C++"]  # "news &amp; events" is the same tag


def test_a_post_in_sixty_categories(export12):
    assert entry(export12, "20").tags == [f"Topic {n:02d}" for n in range(1, 61)]


def test_old_urls_hold_the_link_and_every_earlier_slug(export12):
    assert entry(export12, "10").old_urls == [
        "https://blog.example.com/2019/03/hello-world/",
        "https://blog.example.com/2019/03/hello/",
        "https://blog.example.com/2019/03/first-post/",
    ]
    # A ?p= link is still given: the planner reports that it cannot be an alias.
    assert entry(export12, "17").old_urls == ["https://blog.example.com/?p=17"]


def test_percent_encoded_slug_is_decoded(export12):
    russian = entry(export12, "19")
    assert russian.slug == "привет-мир"
    assert russian.title == "Привет, мир"
    assert russian.old_urls == ["https://blog.example.com/2021/05/%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80/"]


def test_password_protected_and_private_posts_are_drafts_saying_why(export12, export11):
    assert (entry(export12, "13").status, entry(export12, "13").draft_reason) == ("draft", "password-protected")
    assert (entry(export12, "16").status, entry(export12, "16").draft_reason) == ("draft", "private")
    investors = entry(export11, "503")
    assert (investors.kind, investors.status, investors.draft_reason) == ("page", "draft", "password-protected")


def test_a_scheduled_post_keeps_its_future_date(export12):
    coming = entry(export12, "15")
    assert coming.status == "scheduled"
    assert coming.date == datetime(2099, 6, 1, 9, 0, tzinfo=UTC)
    assert coming.updated is None  # modified before its date: not an update


def test_drafts_have_no_slug_and_a_local_date_at_the_blogs_offset(export12, export11):
    draft = entry(export12, "17")
    assert (draft.status, draft.draft_reason, draft.slug) == ("draft", None, None)
    assert draft.date == datetime(2024, 5, 6, 7, 15, tzinfo=UTC)  # 09:15 at UTC+02:00
    assert entry(export11, "502").date == datetime(2016, 1, 6, 1, 30, tzinfo=UTC)  # 20:30 at UTC-05:00


def test_a_pending_post_without_any_date(export12):
    pending = entry(export12, "18")
    assert (pending.status, pending.date, pending.slug) == ("draft", None, None)


def test_co_authors_follow_the_creator(export12):
    assert entry(export12, "14").authors == ["jane", "bob", "guest-ann"]


def test_featured_image_without_alt_text_is_listed(export11):
    launched = entry(export11, "500")
    assert launched.image == "https://oldco.files.wordpress.com/2015/06/launch.jpg"
    assert launched.attention == ["featured image https://oldco.files.wordpress.com/2015/06/launch.jpg has no alt text"]


def test_pages_three_levels_deep_name_their_parents_top_first(export12):
    assert entry(export12, "32").parents == ("company", "team")
    assert entry(export12, "31").parents == ("company",)
    assert entry(export12, "30").parents == ()
    assert {entry(export12, n).kind for n in ("30", "31", "32")} == {"page"}
    assert entry(export12, "32").old_urls == ["https://blog.example.com/company/team/engineering/"]


# -- comments ---------------------------------------------------------------------------------


def test_only_approved_comments_are_kept_and_threads_stay_whole(export12):
    comments = {c.id: c for c in entry(export12, "10").comments}
    assert sorted(comments) == ["1", "2", "4", "7", "8"]
    assert comments["2"].parent == "1"
    assert comments["4"].parent == "2"  # its parent 3 awaits moderation: it answers 3's parent
    assert comments["1"].parent is None
    skipped = {reason: n for (what, reason), n in export12.skipped.items() if what == "comment"}
    assert skipped == {"not approved (waiting for moderation)": 1, "spam": 1, "in the trash": 1}


def test_a_comment_keeps_author_website_date_and_paragraphs(export12):
    ana = next(c for c in entry(export12, "10").comments if c.id == "1")
    assert (ana.author, ana.url, ana.type) == ("Ana", "https://ana.example.org", "comment")
    assert ana.date == datetime(2019, 3, 4, 12, 0, tzinfo=UTC)
    assert ana.html == "<p>Great first post!</p>\n<p>Looking forward to more.</p>"


def test_pingbacks_and_trackbacks_are_typed(export12, export11):
    pingback = next(c for c in entry(export12, "10").comments if c.id == "7")
    assert (pingback.type, pingback.author) == ("pingback", "Other Blog » A reply")
    trackback = next(c for c in entry(export11, "500").comments if c.id == "31")
    assert trackback.type == "trackback"


def test_a_comment_without_gmt_date_uses_its_local_date_and_a_non_web_url_is_dropped(export11):
    dee = next(c for c in entry(export11, "500").comments if c.id == "32")
    assert dee.date == datetime(2015, 6, 12, 15, 30, tzinfo=UTC)  # 10:30 at UTC-05:00
    assert dee.url is None  # ftp://
    assert dee.html == "<p>Congratulations!<br>\nSee you at the party.</p>"


def test_a_hostile_comment_loses_every_payload(export12):
    mallory = next(c for c in entry(export12, "10").comments if c.id == "8")
    assert mallory.author == "Mallory"
    assert mallory.url is None
    everything = repr(mallory)
    for payload in ("<script", "alert", "onerror", "onclick", "javascript:", "<img"):
        assert payload not in everything
    assert '<a href="https://safe.example.org/" rel="nofollow ugc noopener noreferrer">safe</a>' in mallory.html


def test_no_email_or_ip_reaches_the_export(export12, export11):
    everything = repr(export12) + repr(export11)
    for private in ("ana@example.org", "jane@example.com", "mallory@", "192.0.2.", "198.51.100.", "hunter2", "money"):
        assert private not in everything


# -- content: the fixtures --------------------------------------------------------------------


def test_classic_paragraphs_line_breaks_and_more(export12):
    assert entry(export12, "10").html == (
        "<p>Welcome to our blog.<br />\nThis line follows a single newline.</p>\n"
        '<p>A second paragraph with <a href="https://blog.example.com/about/">a link</a>.</p>\n'
        "<!--more-->\n"
        "<p>The rest of the post.</p>"
    )


def test_captions_become_figures_even_around_a_link(export12):
    html = entry(export12, "11").html
    assert (
        '<figure><a href="https://blog.example.com/wp-content/uploads/2019/03/lake.jpg"><img class="size-large wp-image-101" '
        'src="https://blog.example.com/wp-content/uploads/2019/03/lake-1024x768.jpg" alt="A lake at dawn" width="640" height="480" /></a>\n'
        "<figcaption>The lake at <em>dawn</em></figcaption>\n</figure>"
    ) in html
    assert "<figcaption>Our harbour</figcaption>" in html
    assert "[caption" not in html and "[/caption]" not in html


def test_a_gallery_becomes_figures_of_its_attachments_and_lists_the_missing(export12):
    shortcodes = entry(export12, "11")
    assert (
        '<figure><img src="https://blog.example.com/wp-content/uploads/2019/04/boat.jpg" alt="" />\n'
        "<figcaption>The <em>red</em> boat</figcaption>\n</figure>\n"
        '<figure><img src="https://blog.example.com/wp-content/uploads/2019/04/harbour.jpg" alt="The harbour" /></figure>'
    ) in shortcodes.html
    assert "gallery pictures not in the export: attachment 999" in shortcodes.attention


def test_code_shortcodes_keep_the_language_and_escape_the_code(export12):
    html = entry(export12, "11").html
    assert (
        '<pre><code class="language-c">#include &lt;x.h&gt;\n#include &lt;stdio.h&gt;\n\n'
        "int main(void) { return a[0] &amp;&amp; b; }</code></pre>"
    ) in html
    assert '<pre><code class="language-python">if x &lt; 3 and y &gt; 2:\n    print("&lt;ok&gt;")</code></pre>' in html
    assert '<pre><code class="language-php">echo "&lt;b&gt;" . $x;</code></pre>' in html
    assert '<pre><code class="language-javascript">var a = 1;\n\nvar b = 2;</code></pre>' in html  # brush: js, no <br>


def test_audio_video_embed_and_bare_urls(export12):
    html = entry(export12, "11").html
    assert '<audio controls src="https://blog.example.com/wp-content/uploads/2019/04/talk.mp3"></audio>' in html
    assert (
        '<video controls src="https://blog.example.com/wp-content/uploads/2019/04/demo.mp4" '
        'poster="https://blog.example.com/wp-content/uploads/2019/04/demo.jpg"></video>'
    ) in html
    assert '<p><a href="https://vimeo.com/123456">https://vimeo.com/123456</a></p>' in html
    assert '<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p>' in html


def test_an_unknown_shortcode_stays_and_is_listed_but_brackets_in_prose_do_not(export12):
    shortcodes = entry(export12, "11")
    assert '<p>[contact-form-7 id="42" title="Contact"]</p>' in shortcodes.html
    assert "<p>Write [gallery] to show a gallery; arrays look like a[i] and notes like [sic].</p>" in shortcodes.html
    assert shortcodes.attention == [
        "gallery pictures not in the export: attachment 999",
        "unknown shortcode [contact-form-7] left as written",
    ]


def test_tables_and_iframes_are_kept_and_nextpage_removed(export12):
    html = entry(export12, "11").html
    assert '<td rowspan="2">Basic</td>' in html and "<th>Price | per month</th>" in html
    assert "<td>12<br />\nwith tax</td>" in html
    assert '<iframe src="https://www.openstreetmap.org/export/embed.html" width="425" height="350"></iframe>' in html
    assert "nextpage" not in html and "<p>Page two of the post.</p>" in html


def test_block_editor_post(export12):
    blocks = entry(export12, "12")
    html = blocks.html
    assert "wp:" not in html
    assert "<!--more-->" in html
    assert '<pre><code class="language-rust">fn main() { println!("&lt;hi&gt;"); }</code></pre>' in html
    assert '<pre><code class="language-go">package main</code></pre>' in html
    assert "<p>Subscribe to our newsletter.</p>" in html  # the reusable block, inlined
    assert '<figcaption class="wp-element-caption">The lake</figcaption></figure>' in html
    assert html.endswith('<ol class="footnotes"><li id="fn-1">A <em>footnote</em>. <a href="#fn-1-link">↩︎</a></li></ol>')
    assert blocks.attention == [
        "dynamic block wp:latest-posts removed (WordPress built it when showing the page; the export has no HTML for it)"
    ]
    assert "<p>" not in html.split("<!--more-->")[0].replace("<p>Blocks keep", "")  # no paragraphing added


def test_wordpress_com_content(export11):
    html = entry(export11, "500").html
    assert html.startswith(
        '<p><img src="https://oldco.files.wordpress.com/2015/06/launch.jpg?w=640" alt="Launch day" /> We launched today.</p>'
    )
    assert "<pre>first line\n\nthird line</pre>" in html  # no paragraphs inside <pre>
    assert '<pre><code class="language-css">a &gt; b { color: red; }</code></pre>' in html
    assert '<pre><code class="language-python">print(1 &lt; 2)</code></pre>' in html
    assert '<pre><code class="language-javascript">let a = 1;</code></pre>' in html  # class="lang-js"
    assert '<pre><code class="language-sql">SELECT * FROM t WHERE a &lt; 3;</code></pre>' in html
    assert '<p><a href="https://www.youtube.com/watch?v=abc123">https://www.youtube.com/watch?v=abc123</a></p>' in html


# -- content: small cases ---------------------------------------------------------------------


def test_autop_leaves_block_tags_alone_and_paragraphs_inside_blockquotes():
    assert autop("<ul>\n<li>a</li>\n<li>b</li>\n</ul>") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert autop("<blockquote>One\n\nTwo</blockquote>") == "<blockquote><p>One</p>\n<p>Two</p></blockquote>"
    assert autop("a<br />\nb") == "<p>a<br />\nb</p>"
    assert autop("<h2>Title</h2>\nText") == "<h2>Title</h2>\n<p>Text</p>"


def test_caption_attribute_form_and_a_gallery_without_ids():
    library = Library(attachments={"7": Attachment("7", "https://b.example/7.jpg", alt="Seven", parent="3")})
    html, attention = body_html('[caption caption="Old style"]<img src="a.jpg" alt="" />[/caption]\n\n[gallery]', "3", library)
    assert html == (
        '<figure><img src="a.jpg" alt="" />\n<figcaption>Old style</figcaption>\n</figure>\n'
        '<figure><img src="https://b.example/7.jpg" alt="Seven" /></figure>'
    )
    assert attention == []


def test_a_reusable_block_missing_from_the_export_and_footnotes_without_their_text():
    html, attention = body_html('<!-- wp:block {"ref":9} /-->\n<p>x<sup data-fn="a">1</sup></p>', "1", Library())
    assert html == '<p>x<sup data-fn="a">1</sup></p>'
    assert attention == [
        "reusable block 9 is not in the export; removed",
        "footnotes whose text is not in the export (no 'footnotes' meta)",
    ]


def test_code_already_escaped_by_the_visual_editor_is_not_escaped_twice():
    html, _ = body_html("[code]if (a &lt; b) {}[/code]", "1", Library())
    assert html == "<pre><code>if (a &lt; b) {}</code></pre>"


def test_shortcodes_inside_code_are_left_alone():
    html, attention = body_html('Use <code>[gallery ids="1"]</code> here.\n\n<pre>[foo]\n[bar x=1]</pre>', "1", Library())
    assert html == '<p>Use <code>[gallery ids="1"]</code> here.</p>\n<pre>[foo]\n[bar x=1]</pre>'
    assert attention == []


def test_comment_html_is_paragraphed():
    assert comment_html("one\ntwo\n\nthree") == "<p>one<br />\ntwo</p>\n<p>three</p>"


def test_wxr_12_over_the_http_namespace_reads_the_same(tmp_path, export12):
    http = tmp_path / "http.xml"
    http.write_text(WXR_12.read_text(encoding="utf-8").replace("https://wordpress.org/export/1.2/", "http://wordpress.org/export/1.2/"))
    again = wordpress.read(http)
    assert [(e.where, e.slug, e.status, e.date, e.tags) for e in again.entries] == [
        (e.where, e.slug, e.status, e.date, e.tags) for e in export12.entries
    ]
    assert entry(again, "10").summary == "Our first post & more."  # excerpt:encoded in the http namespace


def test_an_escaped_enclosing_shortcode_is_a_literal():
    html, attention = body_html("Write [[code]x[/code]] for code.", "1", Library())
    assert html == "<p>Write [code]x[/code] for code.</p>"
    assert attention == []


def test_a_post_full_of_brackets_and_stray_quotes_is_read_quickly():
    # Each `[i]` once made the scanner look to the end of the post for a `[/i]`.
    text = "\n\n".join('In C, a[i] and b[j] differ [sic]; see [1] and the "quote [x.' for _ in range(3000))
    started = time.perf_counter()
    html, attention = body_html(text, "1", Library())
    assert time.perf_counter() - started < 5
    assert html.count("<p>") == 3000 and attention == []
