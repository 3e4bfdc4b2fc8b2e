"""The Ghost reader: a Ghost JSON export (tests/fixtures/import/ghost/export.json) as an Export.

The fixture holds a post with html, one with only lexical (lexical-post.json, embedded as the
string Ghost stores), a page, a draft, a scheduled post, a members-only and a paid post, an
e-mail-only ("sent") post and a mobiledoc-only one; tags with a primary tag and #internal tags,
two authors in posts_authors, `__GHOST_URL__` links and pictures, `#include <x.h>` in code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.importers import ghost, lexical
from generator.importers.model import Entry, Export, ExportError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "ghost"
EXPORT = FIXTURES / "export.json"


@pytest.fixture(scope="module")
def export() -> Export:
    return ghost.read(EXPORT)


def entry(export: Export, slug: str) -> Entry:
    return next(e for e in export.entries if e.slug == slug)


def test_every_post_and_page_is_read(export):
    assert export.platform == "Ghost"
    assert [e.slug for e in export.entries] == [
        "hello-ghost",
        "lexical-only",
        "about",
        "untitled",
        "coming-soon",
        "members-secret",
        "paid-report",
        "newsletter-1",
        "from-2017",
    ]
    assert [e.kind for e in export.entries].count("page") == 1
    assert entry(export, "about").kind == "page"


def test_a_post_with_html_keeps_its_fields(export):
    hello = entry(export, "hello-ghost")
    assert hello.title == "Hello Ghost"
    assert hello.status == "published" and hello.draft_reason is None
    assert hello.date == datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
    assert hello.updated == datetime(2019, 3, 5, 9, 0, tzinfo=UTC)
    assert hello.summary == "Our first post on Ghost."  # custom_excerpt wins over meta_description
    assert hello.feed_id == "5c7f00000000000000000001"  # Ghost's RSS guid is the post id
    assert hello.old_urls == ["/hello-ghost/"]
    assert hello.attention == []


def test_ghost_url_placeholder_becomes_root_relative(export):
    hello = entry(export, "hello-ghost")
    assert "__GHOST_URL__" not in hello.html
    assert hello.image == "/content/images/2019/03/cover.jpg"
    assert '<img src="/content/images/2019/03/team.jpg"' in hello.html
    assert "/content/images/size/w600/2019/03/team.jpg 600w" in hello.html
    assert '<a href="/about/">about us</a>' in hello.html
    assert '<a href="/">home</a>' in hello.html  # the placeholder alone is the home page


def test_ghost_card_markers_are_removed_and_code_kept(export):
    html = entry(export, "hello-ghost").html
    assert "kg-card-begin" not in html and "kg-card-end" not in html
    assert '<pre><code class="language-c">#include &lt;x.h&gt;\n' in html
    assert "<!--more-->" in html


def test_tags_follow_sort_order_and_internal_tags_are_counted(export):
    assert entry(export, "hello-ghost").tags == ["Engineering", "News"]  # primary (sort_order 0) first
    assert entry(export, "lexical-only").tags == ["Engineering"]
    assert export.skipped[("internal tag", "Ghost's #tags organise themes, not readers")] == 2
    assert not any(tag.startswith("#") for e in export.entries for tag in e.tags)


def test_authors_follow_sort_order_without_emails(export):
    assert entry(export, "hello-ghost").authors == ["jane", "ravi"]
    assert entry(export, "lexical-only").authors == ["ravi"]
    by_key = {a.key: a for a in export.authors}
    assert set(by_key) == {"jane", "ravi"}  # a user who wrote nothing is not an author
    assert by_key["jane"].name == "Jane Doe" and by_key["jane"].url == "https://jane.example"
    assert by_key["ravi"].url is None  # javascript: is not a website
    assert "@" not in repr(export.authors)


def test_lexical_only_post_is_rendered(export):
    post = entry(export, "lexical-only")
    html = post.html
    assert "__GHOST_URL__" not in html
    assert "<h2>Why we moved</h2>" in html
    assert "<strong>bold</strong>" in html and "<strong><em>bold italic</em></strong>" in html
    assert "<code>a &lt;tag&gt; in code</code><br>" in html
    assert "H<sub>2</sub>O, x<sup>2</sup><s>, gone</s><u>, under</u>" in html
    assert '<a href="/hello-ghost/">the first post</a>' in html
    assert '<a href="https://example.com/">example.com</a>' in html
    assert "<blockquote><p>Ship small things.</p></blockquote>" in html
    assert "<ul><li>first<ol><li>nested one</li></ol></li><li>second</li></ul>" in html
    assert "<hr>" in html
    assert post.summary == "Rendering Lexical by hand."  # posts_meta.meta_description as fallback
    # canonical_url on another site is where it was first published, not an old address here.
    assert post.old_urls == ["/lexical-only/"]
    assert any("https://elsewhere.example/first-published/" in note for note in post.attention)


def test_lexical_cards_are_rendered(export):
    html = entry(export, "lexical-only").html
    assert (
        '<figure><img src="/content/images/2024/01/diagram.png" alt="The old and new pipeline" width="1200" height="800">'
        '<figcaption>The pipeline, <a href="/pipeline/">explained</a></figcaption></figure>'
    ) in html
    assert '<pre><code class="language-c">#include &lt;x.h&gt;\nint main(void) { return 0; }</code></pre>' in html
    assert '<p>Some <em>markdown</em> with a <a href="https://example.org/">link</a>.</p>' in html
    assert '<pre><code class="language-python">print(1 &lt; 2)\n</code></pre>' in html
    assert '<td colspan="2">merged</td>' in html
    assert '<iframe src="https://www.youtube.com/embed/abc"' in html and "<figcaption>A talk</figcaption>" in html
    assert '<a href="https://example.net/article">A good article</a> \N{EM DASH} Why static sites win' in html
    assert "<blockquote><p>\N{ELECTRIC LIGHT BULB} Back up <b>first</b>.</p></blockquote>" in html
    assert "<details><summary>Is it free?</summary><p>Yes.</p></details>" in html
    assert '<p><a href="/signup/">Try it</a></p>' in html
    assert '<img src="/content/images/2024/01/a.jpg" alt="Desk"' in html and "<figcaption>Our office</figcaption>" in html
    assert '<video src="/content/media/2024/01/demo.mp4" controls poster="/content/images/2024/01/demo-thumb.jpg">' in html
    assert '<audio src="/content/media/2024/01/episode.mp3" controls></audio><figcaption>Episode 1</figcaption>' in html


def test_unknown_lexical_node_keeps_its_text_and_is_listed(export):
    post = entry(export, "lexical-only")
    assert "<p>Shiny words</p>" in post.html
    assert "unknown Lexical node 'sparkle': only its text was kept" in post.attention
    assert "had code injection (scripts or styles added to its page in Ghost): not imported" in post.attention


def test_embedded_lexical_matches_the_readable_fixture():
    # export.json carries lexical-post.json as the JSON string Ghost stores.
    document = json.loads(EXPORT.read_text(encoding="utf-8"))
    stored = next(p for p in document["db"][0]["data"]["posts"] if p["slug"] == "lexical-only")["lexical"]
    assert json.loads(stored) == json.loads((FIXTURES / "lexical-post.json").read_text(encoding="utf-8"))


def test_page_draft_and_scheduled(export):
    assert entry(export, "about").old_urls == ["/about/"]
    draft = entry(export, "untitled")
    assert draft.status == "draft" and draft.date is None and draft.old_urls == []
    scheduled = entry(export, "coming-soon")
    assert scheduled.status == "scheduled"
    assert scheduled.date == datetime(2099, 1, 1, 12, 0, tzinfo=UTC)
    assert scheduled.old_urls == ["/coming-soon/"]


def test_members_only_posts_are_drafts_with_a_reason(export):
    members, paid = entry(export, "members-secret"), entry(export, "paid-report")
    assert (members.status, members.draft_reason) == ("draft", "members-only")
    assert (paid.status, paid.draft_reason) == ("draft", "members-only")
    assert any("only members could read it" in note for note in members.attention)
    assert any("only paying members could read it" in note for note in paid.attention)
    assert "<!--members-only-->" not in members.html and "<p>Members part.</p>" in members.html
    assert members.old_urls == ["/members-secret/"]  # it had a public address (a paywall)


def test_email_only_post_is_a_draft_without_an_old_address(export):
    sent = entry(export, "newsletter-1")
    assert (sent.status, sent.draft_reason) == ("draft", "email-only")
    assert sent.old_urls == []
    assert sent.html == "<p>Hi subscribers.</p>"


def test_mobiledoc_only_post_is_rendered_and_flagged(export):
    post = entry(export, "from-2017")
    assert post.html.splitlines() == [
        "<h2>From 2017</h2>",
        "<p>Written in <em>Markdown</em>.</p>",
        '<p>Intro with <strong>bold</strong> and a <a href="/hello-ghost/">link</a>.</p>',
        "<hr>",
        "<ul><li>item</li></ul>",
        '<figure><img src="/content/images/2017/05/old.png" alt="Old"></figure>',
    ]
    assert any(note.startswith("mobiledoc:") for note in post.attention)
    assert post.old_urls == ["/from-2017/", "/2017/05/from-2017/"]  # a canonical_url on this blog
    assert "unknown Ghost card 'unknown-widget' left out" in post.attention


def test_export_notes_and_hosts(export):
    assert export.site_url is None
    assert export.upload_hosts == frozenset()
    notes = " ".join(export.attention)
    assert "root-relative" in notes and "--media" in notes
    assert "custom routes" in notes
    assert "5.75.0" in notes


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ghost.json"
    path.write_text(text, encoding="utf-8")
    return path


def minimal(posts: list[dict], **tables) -> str:
    return json.dumps({"db": [{"meta": {"version": "5.0.0"}, "data": {"posts": posts, **tables}}]}, indent=1)


def test_truncated_json_is_an_error_with_its_line(tmp_path):
    text = EXPORT.read_text(encoding="utf-8")
    path = write(tmp_path, text[: len(text) // 2])
    with pytest.raises(ExportError) as caught:
        ghost.read(path)
    assert "not valid JSON" in caught.value.message and "truncated" in caught.value.message
    assert caught.value.path == path
    assert caught.value.line == len(text[: len(text) // 2].splitlines())


def test_malformed_json_names_the_line(tmp_path):
    path = write(tmp_path, '{"db": [\n  {"meta": {},\n   "data": {"posts": [,]}}\n]}\n')
    with pytest.raises(ExportError) as caught:
        ghost.read(path)
    assert caught.value.line == 3
    assert "truncated" not in caught.value.message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"name": "some package", "version": "1.0"}', "is JSON, not a Ghost export"),
        ('{"posts": [{"id": "1", "title": "x"}]}', "Admin or Content API"),
        ("[1, 2, 3]", "no db[0].data.posts"),
        ('<?xml version="1.0"?><rss><channel/></rss>', "not Ghost's JSON export"),
    ],
)
def test_json_that_is_not_a_ghost_export_is_refused(tmp_path, text, says):
    with pytest.raises(ExportError) as caught:
        ghost.read(write(tmp_path, text))
    assert says in caught.value.message


def test_a_damaged_row_or_field_names_the_item(tmp_path):
    with pytest.raises(ExportError, match=r"posts\[1\] is not an object"):
        ghost.read(write(tmp_path, minimal([{"id": "a", "title": "A", "status": "draft"}, "oops"])))
    bad_lexical = {"id": "b", "title": "Broken", "slug": "broken", "status": "published", "lexical": "{not json"}
    with pytest.raises(ExportError, match=r"posts\[0\] \(post b 'Broken'\): its lexical field is not JSON"):
        ghost.read(write(tmp_path, minimal([bad_lexical])))
    bad_date = {"id": "c", "title": "Dated", "status": "published", "html": "<p>x</p>", "published_at": "last tuesday"}
    with pytest.raises(ExportError, match=r"posts\[0\] \(post c 'Dated'\): the date 'last tuesday'"):
        ghost.read(write(tmp_path, minimal([bad_date])))


def test_old_exports_top_level_data_author_id_and_millisecond_dates(tmp_path):
    old = {
        "meta": {"version": "003"},
        "data": {
            "posts": [
                {
                    "id": 7,
                    "title": "Old",
                    "slug": "caf%C3%A9",
                    "status": "published",
                    "html": "<p>x</p>",
                    "published_at": 1388534400000,
                    "author_id": 1,
                }
            ],
            "users": [{"id": 1, "name": "Ann", "slug": "ann", "email": "ann@example.com"}],
        },
    }
    export = ghost.read(write(tmp_path, json.dumps(old)))
    [post] = export.entries
    assert post.date == datetime(2014, 1, 1, tzinfo=UTC)
    assert post.slug == "café" and post.old_urls == ["/café/"]
    assert post.authors == ["ann"] and post.feed_id == "7"


def test_unknown_status_is_skipped_and_counted(tmp_path):
    export = ghost.read(write(tmp_path, minimal([{"id": "x", "title": "X", "status": "archived", "html": ""}])))
    assert export.entries == []
    assert sum(export.skipped.values()) == 1


def test_lexical_text_formats_nest_code_innermost():
    document = {"root": {"children": [{"type": "paragraph", "children": [{"type": "text", "text": "<x>", "format": 1 | 2 | 16}]}]}}
    html, attention = lexical.render(json.dumps(document))
    assert html == "<p><strong><em><code>&lt;x&gt;</code></em></strong></p>"
    assert attention == []


def test_lexical_newsletter_and_paywall_cards_are_left_out_with_a_note():
    document = {
        "root": {
            "children": [
                {"type": "email", "html": "<p>Only for e-mail</p>"},
                {"type": "paywall"},
                {"type": "paragraph", "children": [{"type": "text", "text": "Web"}]},
            ]
        }
    }
    html, attention = lexical.render(json.dumps(document))
    assert html == "<p>Web</p>"
    assert len(attention) == 2 and "newsletter" in attention[0] and "paywall" in attention[1]
