"""Planning an import: where each entry goes, its front matter, aliases, pictures, comments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from generator import old_comments
from generator.importers.media import Picture, PictureFinder, PictureFolder, safe_file_name
from generator.importers.model import Author, Entry, Export
from generator.importers.plan import PlanOptions, plan_import
from generator.importers.report import report_markdown
from generator.old_comments import OldComment

OLD = "https://old.example.com"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def options(**overrides) -> PlanOptions:
    values = {"permalink": "/{year}/{month}/{slug}/", "zone": ZoneInfo("Europe/Lisbon"), "now": NOW}
    return PlanOptions(**(values | overrides))


def entry(title="Hello", **fields) -> Entry:
    values = {
        "kind": "post",
        "where": f"item '{title}'",
        "title": title,
        "html": "<p>Body</p>",
        "date": datetime(2019, 3, 4, 10, 0, tzinfo=UTC),
    }
    return Entry(**(values | fields))


def plan(*entries, media: Path | None = None, authors=(), **option_overrides):
    export = Export(Path("export.xml"), "WordPress", OLD, list(entries), list(authors))
    return plan_import(export, options(**option_overrides), PictureFinder(OLD, frozenset(), media))


def files(result) -> dict[str, bytes]:
    return {f.rel: f.data for f in result.files}


def front(data: bytes) -> dict:
    return yaml.safe_load(data.decode().split("---\n")[1])


def test_a_post_keeps_date_in_the_site_zone_slug_tags_author_and_feed_id():
    result = plan(
        entry(slug="hello", tags=["News", "Tech", "News"], authors=["jane doe"], feed_id="https://old.example.com/?p=10", summary="Short."),
        authors=[Author("jane doe", "Jane Doe", "mailto:jane@example.com")],
    )
    meta = front(files(result)["posts/2019/2019-03-04-hello.md"])
    assert meta == {
        "title": "Hello",
        "date": "2019-03-04 10:00:00+00:00",  # Lisbon is UTC+0 in March
        "slug": "hello",
        "tags": ["News", "Tech"],
        "author": "jane-doe",
        "summary": "Short.",
        "id": "https://old.example.com/?p=10",
        "imported_from": "WordPress",  # no old URL to name: the platform
    }
    assert [(a.key, a.name, a.url) for a in result.authors] == [("jane-doe", "Jane Doe", None)]  # no mailto: kept


def test_old_urls_become_aliases_unless_they_are_the_new_url_or_cannot_be_a_page():
    result = plan(
        entry(
            slug="hello",
            old_urls=[f"{OLD}/2019/03/hello/", f"{OLD}/?p=10", f"{OLD}/2019/03/04/hello", f"{OLD}/2019/03/hello.html", "/archives/10/"],
        )
    )
    meta = front(files(result)["posts/2019/2019-03-04-hello.md"])
    assert meta["aliases"] == ["/2019/03/04/hello/", "/2019/03/hello.html", "/archives/10/"]
    assert any("?p=10" in line and "query" in line for line in result.report.attention)


def test_two_entries_with_one_slug_get_two_files_and_two_urls():
    result = plan(entry("A", slug="same"), entry("B", slug="same"))
    assert sorted(files(result)) == ["posts/2019/2019-03-04-same-2.md", "posts/2019/2019-03-04-same.md"]


def test_unsafe_or_missing_slugs_are_made_from_the_title_and_undated_drafts_get_today_in_drafts():
    result = plan(entry("Café & Crème", slug=None, date=None, status="draft"), entry("x", slug="../../etc"))
    names = sorted(files(result))
    assert names == ["posts/2019/2019-03-04-etc.md", "posts/drafts/cafe-creme.md"]  # a path a later import finds again
    meta = front(files(result)["posts/drafts/cafe-creme.md"])
    assert meta["draft"] is True and meta["date"] == "2026-12-02 12:00:00+00:00"


def test_pages_sit_under_their_parents_and_keep_their_path():
    result = plan(entry("Team", kind="page", slug="team", parents=("about", "company"), old_urls=[f"{OLD}/about/company/team/"]))
    assert list(files(result)) == ["pages/about/company/team.md"]
    # The same URL: no alias.
    assert front(files(result)["pages/about/company/team.md"]) == {"title": "Team", "imported_from": f"{OLD}/about/company/team/"}


def test_links_to_other_imported_entries_become_links_to_their_files():
    first = entry("First", slug="first", old_urls=[f"{OLD}/2019/03/first/"])
    second = entry(
        "Second", slug="second", html=f'<p><a href="{OLD}/2019/03/first/#part">first</a> <a href="https://elsewhere.example/x/">x</a></p>'
    )
    page = entry("About", kind="page", slug="about", html='<p><a href="/2019/03/first">first</a></p>')
    written = files(plan(first, second, page))
    assert "[first](2019-03-04-first.md#part)" in written["posts/2019/2019-03-04-second.md"].decode()
    assert "(https://elsewhere.example/x/)" in written["posts/2019/2019-03-04-second.md"].decode()
    assert "[first](../posts/2019/2019-03-04-first.md)" in written["pages/about.md"].decode()


def test_pictures_from_media_are_copied_beside_the_post_and_same_names_do_not_collide(tmp_path):
    media = tmp_path / "uploads"
    (media / "2019" / "03").mkdir(parents=True)
    (media / "2019" / "04").mkdir(parents=True)
    (media / "2019" / "03" / "photo.png").write_bytes(b"first picture")
    (media / "2019" / "04" / "photo.png").write_bytes(b"second picture")
    html = (
        f'<p><img src="{OLD}/wp-content/uploads/2019/03/photo.png" alt="one">'
        f'<img src="{OLD}/wp-content/uploads/2019/04/photo.png" alt="two">'
        f'<img src="{OLD}/wp-content/uploads/2019/03/photo.png" alt="one again">'
        f'<img src="{OLD}/wp-content/uploads/2019/05/gone.png" alt="gone">'
        '<img src="https://elsewhere.example/diagram.png" alt="theirs"></p>'
    )
    result = plan(entry(slug="hello", html=html, image=f"{OLD}/wp-content/uploads/2019/04/photo.png"), media=media)
    written = files(result)
    assert written["posts/2019/2019-03-04-hello/photo.png"] == b"first picture"
    assert written["posts/2019/2019-03-04-hello/photo-2.png"] == b"second picture"
    body = written["posts/2019/2019-03-04-hello.md"].decode()
    assert "![one](2019-03-04-hello/photo.png)" in body and "![one again](2019-03-04-hello/photo.png)" in body
    assert "![two](2019-03-04-hello/photo-2.png)" in body
    assert f"![gone]({OLD}/wp-content/uploads/2019/05/gone.png)" in body
    assert "![theirs](https://elsewhere.example/diagram.png)" in body
    assert front(written["posts/2019/2019-03-04-hello.md"])["image"] == "2019-03-04-hello/photo-2.png"
    assert any("gone.png" in line for line in result.report.attention)
    assert not any("diagram.png" in line for line in result.report.attention)


def test_comments_go_to_a_data_file_and_pingbacks_only_when_asked():
    comments = [
        OldComment("1", "Ana", datetime(2019, 3, 5, tzinfo=UTC), "<p>Nice <script>alert(1)</script></p>"),
        OldComment("2", "Bob", datetime(2019, 3, 6, tzinfo=UTC), "<p>Thanks</p>", parent="1", url="javascript:alert(1)"),
        OldComment("3", "Other blog", datetime(2019, 3, 7, tzinfo=UTC), "Linked here", type="pingback"),
    ]
    without = files(plan(entry(slug="hello", comments=comments)))
    path = "posts/2019/2019-03-04-hello.comments.json"
    kept = [c.id for c in old_comments.msgspec.json.decode(without[path], type=old_comments.CommentsFile).comments]
    assert kept == ["1", "2"]
    assert b"<script>" not in without[path] and b"javascript:" not in without[path]
    with_pingbacks = files(plan(entry(slug="hello", comments=comments), pingbacks=True))
    assert b'"type":"pingback"' in with_pingbacks[path]


def test_the_report_lists_counts_drafts_and_what_needs_a_person():
    result = plan(
        entry("Secret", slug="secret", status="draft", draft_reason="private"),
        entry("Later", slug="later", status="scheduled", date=datetime(2027, 1, 1, tzinfo=UTC)),
        entry("Odd", slug="odd", attention=["unknown shortcode [foo]"]),
    )
    text = report_markdown(result.report)
    assert "imported: 1 published posts" in text and "imported: 1 scheduled posts" in text and "imported: 1 drafts" in text
    assert "posts/2019/2019-03-04-secret.md: item 'Secret' was private; imported as a draft" in text
    assert "item 'Odd': unknown shortcode [foo]" in text


@pytest.mark.parametrize(
    "name, safe",
    [("photo.JPG", "photo.jpg"), ("../../etc/passwd", "passwd"), ("con.png", "picture.png"), ("a b?c.png", "a-b-c.png"), ("", "picture")],
)
def test_picture_file_names_are_safe(name, safe):
    assert safe_file_name(name.rsplit("/", 1)[-1]) == safe


def test_a_picture_folder_names_each_picture_once():
    folder = PictureFolder("post")
    assert folder.add(Picture(b"a", "x.png")) == "post/x.png"
    assert folder.add(Picture(b"a", "other-name.png")) == "post/x.png"  # the same bytes: the same file
    assert folder.add(Picture(b"b", "x.png")) == "post/x-2.png"


def test_the_report_suggests_the_permalink_pattern_the_old_urls_follow():
    posts = [entry(f"Post {n}", slug=f"post-{n}", old_urls=[f"{OLD}/2019/03/04/post-{n}/"]) for n in range(3)]
    suggested = plan(*posts).report.attention
    assert any('follow /{year}/{month}/{day}/{slug}/: with permalink = "/{year}/{month}/{day}/{slug}/"' in line for line in suggested)
    same = plan(*posts, permalink="/{year}/{month}/{day}/{slug}/")
    assert not any("follow" in line for line in same.report.attention)
    assert "aliases" not in front(files(same)["posts/2019/2019-03-04-post-0.md"])  # the very URL: no redirect needed


def test_relative_links_are_read_as_the_old_blog_read_them():
    other = entry("Other", slug="other", old_urls=[f"{OLD}/2019/03/other/"])
    linking = entry(
        "Linking",
        slug="linking",
        old_urls=[f"{OLD}/2019/03/linking/"],
        html='<p><a href="../other/">other</a> <a href="../../files/data.csv">data</a></p>',
    )
    body = files(plan(other, linking))["posts/2019/2019-03-04-linking.md"].decode()
    assert "[other](2019-03-04-other.md)" in body
    assert f"[data]({OLD}/2019/files/data.csv)" in body
