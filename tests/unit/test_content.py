"""Stage 2: posts/**.md -> SourcePost. Front matter, dates, slugs, drafts, assets, and bad files."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.config import load_config
from generator.content import Content, load_content, parse_date
from generator.errors import BuildFailed, ContentError
from generator.urls import unsafe_segment_reason

LISBON = '[site]\ntitle = "T"\nbase_url = "https://e.com"\ntimezone = "Europe/Lisbon"\n'


def load(site: Path) -> Content:
    return load_content(load_config(site))


def one_post(make_site, name: str, text: str | bytes, config: str | None = None):
    content = load(make_site({f"posts/{name}": text}, config, name=name))  # a site of its own per post
    assert len(content.posts) == 1
    return content.posts[0]


def content_errors(site: Path) -> list[ContentError]:
    with pytest.raises((BuildFailed, ContentError)) as caught:
        load(site)
    exc = caught.value
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    assert all(isinstance(e, ContentError) and e.exit_code == 1 for e in errors)
    return errors


def one_error(make_site, name: str, text: str | bytes) -> ContentError:
    errors = content_errors(make_site({f"posts/{name}": text}))
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].path is not None and errors[0].path.name == name
    return errors[0]


# --- dates ---------------------------------------------------------------------------------------


def test_date_and_slug_from_the_file_name(make_site):
    post = one_post(make_site, "2026-11-24-hello-world.md", "---\ntitle: Hello\n---\nx\n")
    assert post.slug == "hello-world"
    assert post.date == datetime(2026, 11, 24, tzinfo=UTC)
    assert post.date.utcoffset() == timedelta(0)


def test_front_matter_date_wins_over_the_file_name(make_site):
    post = one_post(make_site, "2026-11-24-hello.md", "---\ntitle: Hello\ndate: 2025-01-02 08:00\n---\nx\n")
    assert (post.date.year, post.date.month, post.date.day, post.date.hour) == (2025, 1, 2, 8)
    assert post.slug == "hello"


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2026-11-24", datetime(2026, 11, 24, 0, 0, tzinfo=ZoneInfo("Europe/Lisbon"))),
        ("2026-11-24 09:30", datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Lisbon"))),
        ("2026-11-24T09:30:00+01:00", datetime(2026, 11, 24, 8, 30, tzinfo=UTC)),
        ("2026-11-24 09:30:00 -0700", datetime(2026, 11, 24, 16, 30, tzinfo=UTC)),
        ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ('"2026-07-01 12:00"', datetime(2026, 7, 1, 11, 0, tzinfo=UTC)),  # summer time in Lisbon
    ],
)
def test_date_forms(make_site, written, expected):
    post = one_post(make_site, "post.md", f"---\ntitle: P\ndate: {written}\n---\nx\n", LISBON)
    assert post.date.tzinfo is not None
    assert post.date == expected


def test_naive_dates_get_the_site_zone(make_site):
    post = one_post(make_site, "2026-07-01-p.md", "---\ntitle: P\ndate: 2026-07-01 09:30\n---\nx\n", LISBON)
    assert post.date.utcoffset() == timedelta(hours=1)
    winter = one_post(make_site, "2026-01-05-w.md", "---\ntitle: W\n---\nx\n", LISBON)
    assert winter.date.utcoffset() == timedelta(0)
    assert str(winter.date.tzinfo) == "Europe/Lisbon"


def test_offset_dates_keep_their_own_offset(make_site):
    post = one_post(make_site, "p.md", "---\ntitle: P\ndate: 2026-11-24 09:30:00 -0700\n---\nx\n", LISBON)
    assert post.date.utcoffset() == timedelta(hours=-7)


def test_parse_date_directly():
    zone = ZoneInfo("UTC")
    assert parse_date("2026-11-24 09:30 UTC", zone) == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert parse_date("  2026-11-24  ", zone) == datetime(2026, 11, 24, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_date("next tuesday", zone)


def test_updated_is_parsed(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\nupdated: 2026-02-03\n---\nx\n")
    assert post.updated == datetime(2026, 2, 3, tzinfo=UTC)


def test_impossible_date_names_the_line_of_the_date_key(make_site):
    error = one_error(make_site, "p.md", "---\ntitle: P\ntags: [a]\n\ndate: 2026-02-30\n---\nx\n")
    assert error.line == 5
    assert "date" in error.message and "2026-02-30" in error.message


def test_unreadable_date_names_its_line(make_site):
    error = one_error(make_site, "p.md", "---\ntitle: P\ndate: next tuesday\n---\nx\n")
    assert error.line == 3
    assert "next tuesday" in error.message


def test_impossible_date_in_the_file_name(make_site):
    error = one_error(make_site, "2026-02-30-p.md", "---\ntitle: P\n---\nx\n")
    assert "impossible" in error.message


def test_no_date_anywhere_is_an_error(make_site):
    error = one_error(make_site, "undated.md", "---\ntitle: P\n---\nx\n")
    assert "date" in error.message


# --- front matter keys ---------------------------------------------------------------------------


def test_missing_title(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ndate: 2026-01-01\n---\nx\n")
    assert "title" in error.message and "required" in error.message


def test_blank_title(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: '  '\n---\nx\n")
    assert error.line == 2 and "title" in error.message


def test_numeric_title_is_text(make_site):
    assert one_post(make_site, "2026-01-01-p.md", "---\ntitle: 2024\n---\nx\n").title == "2024"


def test_tags_as_a_number_is_an_error_on_its_line(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags: 5\n---\nx\n")
    assert error.line == 3
    assert "tags" in error.message


def test_tags_as_a_mapping_is_an_error(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags: {a: 1}\n---\nx\n")
    assert error.line == 3 and "tags" in error.message


def test_a_single_string_tag(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags: python\n---\nx\n")
    assert post.tags == ("python",)


def test_tag_list_is_stripped_and_deduplicated(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags: [web, ' web ', sales, '']\n---\nx\n")
    assert post.tags == ("web", "sales")


def test_author_and_authors(make_site):
    one = one_post(make_site, "2026-01-01-a.md", "---\ntitle: P\nauthor: jane\n---\nx\n")
    assert one.authors == ("jane",)
    many = load(make_site({"posts/2026-01-01-b.md": "---\ntitle: P\nauthors: [jane, Ben Smith]\n---\nx\n"}, name="other"))
    assert many.posts[0].authors == ("jane", "Ben Smith")


def test_author_and_authors_together_is_an_error(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\nauthor: a\nauthors: [b]\n---\nx\n")
    assert error.line == 4 and "author" in error.message


def test_unknown_keys_are_kept_in_extra(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\nlayout: post\nrelease: true\nteam: Core <https://x>\n---\nx\n")
    assert post.extra == {"layout": "post", "release": True, "team": "Core <https://x>"}


def test_description_is_the_summary_when_there_is_no_summary(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\ndescription: From the description\n---\nx\n")
    assert post.summary == "From the description"
    both = load(make_site({"posts/2026-01-01-q.md": "---\ntitle: Q\nsummary: Mine\ndescription: Other\n---\nx\n"}, name="b"))
    assert both.posts[0].summary == "Mine"


def test_other_keys_have_their_defaults(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\n---\nx\n")
    assert (post.draft, post.comments, post.summary, post.image, post.updated, post.tags, post.authors) == (
        False,
        True,
        None,
        None,
        None,
        (),
        (),
    )


def test_draft_must_be_a_boolean(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\ndraft: maybe\n---\nx\n")
    assert error.line == 3 and "draft" in error.message


def test_front_matter_that_is_a_list_is_an_error(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\n- a\n- b\n---\nx\n")
    assert "front matter" in error.message


# --- the body and its line -----------------------------------------------------------------------


def file_line(post, text: str) -> int:
    """The file line of `text` in the body, as body_line says: the body's line 1 is file line body_line."""
    return post.body_line + post.body[: post.body.index(text)].count("\n")


def test_body_and_its_first_line(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags: [a]\n---\nFirst line.\n\nSecond.\n")
    assert post.body.strip() == "First line.\n\nSecond."
    assert "title:" not in post.body
    assert file_line(post, "First line.") == 5
    assert file_line(post, "Second.") == 7


def test_bom_and_crlf(make_site):
    text = "\ufeff---\r\ntitle: Windows\r\ntags: [a, b]\r\n---\r\nHello\r\nWorld\r\n"
    post = one_post(make_site, "2026-01-01-p.md", text.encode("utf-8"))
    assert post.title == "Windows"
    assert post.tags == ("a", "b")
    assert "\r" not in post.body and post.body.strip() == "Hello\nWorld"
    assert file_line(post, "World") == 6


def test_bom_and_crlf_error_lines_are_file_lines(make_site):
    text = "\ufeff---\r\ntitle: Windows\r\ndate: 2026-02-30\r\n---\r\nHello\r\n"
    error = one_error(make_site, "p.md", text.encode("utf-8"))
    assert error.line == 3


def test_non_utf8_bytes_name_the_line(make_site):
    error = one_error(make_site, "2026-01-01-p.md", b"---\ntitle: P\n---\nline four\ncaf\xe9 on line five\n")
    assert "UTF-8" in error.message
    assert error.line == 5


def test_nul_byte_names_the_line(make_site):
    error = one_error(make_site, "2026-01-01-p.md", b"---\ntitle: P\n---\nok\nbad\x00\n")
    assert "NUL" in error.message
    assert error.line == 5


def test_empty_file(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "")
    assert "empty" in error.message


def test_whitespace_only_file(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "\n  \n")
    assert "empty" in error.message


def test_no_front_matter(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "# Just Markdown\n\ntext\n")
    assert "front matter" in error.message and error.line == 1


def test_unclosed_front_matter(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\n\nbody without the closing line\n")
    assert "never closed" in error.message
    assert error.line == 1


def test_yaml_with_tabs_names_the_line_and_hints(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\ntags:\n\t- a\n---\nx\n")
    assert "YAML" in error.message
    assert error.line == 4
    assert error.hint and "tab" in error.hint


def test_invalid_yaml_names_the_line(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ntitle: P\nsummary: [unclosed\nimage: x\n---\nx\n")
    assert "YAML" in error.message
    assert error.line in (3, 4, 5)


def test_every_broken_post_is_reported_at_once(make_site):
    site = make_site(
        {
            "posts/2026-01-01-a.md": "---\ntitle: A\ndate: 2026-02-30\n---\nx\n",
            "posts/2026-01-02-b.md": "---\ndate: 2026-01-02\n---\nx\n",
            "posts/2026-01-03-c.md": "---\ntitle: C\n---\nfine\n",
        }
    )
    errors = content_errors(site)
    assert sorted(e.path.name for e in errors) == ["2026-01-01-a.md", "2026-01-02-b.md"]


# --- slugs -----------------------------------------------------------------------------------------


def test_slug_from_front_matter(make_site):
    assert one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\nslug: my-slug\n---\nx\n").slug == "my-slug"


def test_slug_from_an_unsafe_file_name_is_slugified(make_site):
    post = one_post(make_site, "2026-01-01-Hello World!.md", "---\ntitle: P\n---\nx\n")
    assert post.slug == "hello-world"


def test_slug_keeps_capitals_and_dots_of_the_file_name(make_site):
    assert one_post(make_site, "2024-11-28-Rust-1.83.0.md", "---\ntitle: P\n---\nx\n").slug == "Rust-1.83.0"


@pytest.mark.parametrize("slug", ["../x", "/etc", "con", "a/b", "..", "nul.txt", "'a\\\\b'", "'CON!'", "'&&'"])
def test_slugs_that_could_escape_are_errors(make_site, slug):
    error = one_error(make_site, "2026-01-01-p.md", f"---\ntitle: P\nslug: {slug}\n---\nx\n")
    assert error.line == 3
    assert "slug" in error.message


@pytest.mark.parametrize(
    ("slug", "made"),
    [('"Héllo wörld & more"', "hello-world-more"), ("'-dash'", "dash"), ("Ünïcode Títle", "unicode-title"), ("'a' ", "a")],
)
def test_a_slug_that_is_not_url_safe_is_made_safe_with_a_warning(make_site, slug, made):
    post = one_post(make_site, "2026-01-01-p.md", f"---\ntitle: P\ntags: [x]\nslug: {slug}\n---\nx\n")
    if made == "a":
        assert post.slug == "a" and post.notes == ()  # already safe: nothing to say
        return
    assert post.slug == made
    [note] = post.notes
    assert note.line == 4 and note.path is not None and note.path.name == "2026-01-01-p.md"
    assert note.message.startswith("slug: ") and repr(made) in note.message


def test_tags_as_one_string_with_commas_is_a_warning_suggesting_a_list(make_site):
    post = one_post(make_site, "2026-01-01-p.md", "---\ntitle: P\nsummary: s\ntags: python, data\n---\nx\n")
    assert post.tags == ("python, data",)  # one tag, as written; the warning says how to write two
    [note] = post.notes
    assert note.line == 4
    assert "tags: [python, data]" in note.message
    assert one_post(make_site, "2026-01-02-q.md", "---\ntitle: Q\ntags: python\n---\nx\n").notes == ()
    assert one_post(make_site, "2026-01-03-r.md", "---\ntitle: R\ntags: [a, b]\n---\nx\n").notes == ()


def test_an_unquoted_colon_in_a_value_says_to_quote_it(make_site):
    error = one_error(make_site, "2026-01-01-p.md", "---\ndate: 2026-01-01\ntitle: Colon: in title\n---\nx\n")
    assert error.line == 3
    assert "mapping values are not allowed" in error.message
    assert error.hint is not None and 'title: "Colon: in title"' in error.hint


@pytest.mark.parametrize("stem", ["con", "AUX"])
def test_a_reserved_file_name_does_not_become_a_reserved_slug(make_site, stem):
    """`slug: con` is refused because Windows cannot create the folder; a file named ...-con.md must not
    produce that folder either: either an error naming the file, or a slug Windows accepts."""
    site = make_site({f"posts/2026-01-01-{stem}.md": "---\ntitle: Some title\n---\nx\n"})
    try:
        content = load(site)
    except (BuildFailed, ContentError) as exc:
        errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
        assert errors[0].path.name == f"2026-01-01-{stem}.md"
        return
    assert unsafe_segment_reason(content.posts[0].slug) is None, content.posts[0].slug


def test_markdown_suffix_is_a_post(make_site):
    content = load(make_site({"posts/2026-01-01-p.markdown": "---\ntitle: P\n---\nx\n"}))
    assert [p.slug for p in content.posts] == ["p"]
    assert content.assets == ()


# --- files around the posts ---------------------------------------------------------------------


def test_editor_leftovers_are_ignored(make_site):
    broken = "this is not a post"
    site = make_site(
        {
            "posts/2026-01-01-x.md": "---\ntitle: X\n---\nx\n",
            "posts/.#2026-01-01-x.md": broken,
            "posts/2026-01-01-x.md~": broken,
            "posts/.2026-01-01-x.md.swp": broken,
            "posts/#2026-01-01-x.md#": broken,
            "posts/.DS_Store": b"\x00\x00\x00\x01Bud1",
            "posts/.hidden/2026-01-01-y.md": broken,
        }
    )
    content = load(site)
    assert [p.rel_path.as_posix() for p in content.posts] == ["2026-01-01-x.md"]
    assert content.assets == ()


def test_posts_in_sub_folders_and_their_assets(make_site):
    site = make_site(
        {
            "posts/2026/2026-06-15-porto.md": "---\ntitle: Porto\nimage: map.png\n---\n![map](map.png)\n",
            "posts/2026/map.png": b"\x89PNG\r\n\x1a\n",
            "posts/files/report.pdf": b"%PDF-1.4",
            "posts/2025-01-01-root.md": "---\ntitle: Root\n---\nx\n",
        }
    )
    content = load(site)
    assert sorted(p.rel_path.as_posix() for p in content.posts) == ["2025-01-01-root.md", "2026/2026-06-15-porto.md"]
    assert sorted(a.rel_path.as_posix() for a in content.assets) == ["2026/map.png", "files/report.pdf"]
    porto = next(p for p in content.posts if p.title == "Porto")
    assert porto.slug == "porto" and porto.image == "map.png"


def test_no_posts_folder_is_an_empty_site(make_site):
    site = make_site({})
    (site / "posts").rmdir()
    content = load(site)
    assert (content.posts, content.assets) == ((), ())
    assert [w.message for w in content.warnings] == ['no posts/ folder: the blog has no posts yet (blog new "Title" starts one)']


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_pointing_outside_the_site_is_refused(make_site, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: Secret\ndate: 2026-01-01\n---\nx\n")
    site = make_site({"posts/2026-01-01-ok.md": "---\ntitle: OK\n---\nx\n"})
    (site / "posts/2026-01-02-link.md").symlink_to(outside)
    errors = content_errors(site)
    assert len(errors) == 1
    assert errors[0].path.name == "2026-01-02-link.md"
    assert "outside" in errors[0].message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlinked_folder_pointing_outside_the_site_is_refused(make_site, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "2026-01-01-x.md").write_text("---\ntitle: X\n---\nx\n")
    site = make_site({})
    (site / "posts/linked").symlink_to(outside, target_is_directory=True)
    errors = content_errors(site)
    assert errors[0].path.name == "linked"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_inside_the_site_is_read(make_site):
    site = make_site({"drafts/2026-01-01-shared.md": "---\ntitle: Shared\n---\nx\n"})
    (site / "posts/2026-01-01-shared.md").symlink_to(site / "drafts/2026-01-01-shared.md")
    assert [p.title for p in load(site).posts] == ["Shared"]


def test_a_folder_that_cannot_be_listed_is_an_error_not_missing_posts(make_site, monkeypatch):
    """As a chmod 000 folder does for a user other than root (who reads anything)."""
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n", "posts/sub/2026-01-02-b.md": "---\ntitle: B\n---\nx\n"})
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    errors = content_errors(site)
    assert [(e.path.name, e.message) for e in errors] == [("sub", "cannot read the folder: Permission denied")]


# --- front matter shapes: aliases, depth, duplicate keys ------------------------------------------


def test_shared_aliases_and_merge_keys_are_still_read(make_site):
    text = "---\ntitle: A\nbase: &base {team: web, lang: en}\nmeta:\n  <<: *base\n  lang: pt\nalso: *base\n---\nx\n"
    post = one_post(make_site, "2026-01-01-a.md", text)
    assert post.extra["meta"] == {"team": "web", "lang": "pt"}
    assert post.extra["also"] == {"team": "web", "lang": "en"}


@pytest.mark.parametrize(
    "front, line, words",
    [
        ("title: A\nx:\n  k: 1\n  k: 2\n", 5, "key 'k' is given twice"),
        ("title: A\nx: &a {y: [*a]}\n", 3, "refers to itself"),
        ("title: A\nx: " + "{a: " * 60 + "1" + "}" * 60 + "\n", 3, "nested more than 50 levels"),
    ],
    ids=["duplicate-nested-key", "recursive-mapping", "deep-mappings"],
)
def test_front_matter_shapes_that_cannot_be_built_name_their_line(make_site, front, line, words):
    error = one_error(make_site, "2026-01-01-a.md", f"---\n{front}---\nx\n")
    assert error.line == line and words in error.message
