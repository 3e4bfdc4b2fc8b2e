"""Comments kept from the previous blog, unit level: threads built for the theme (post.py), and the
comments file read beside its post, never published, warned about without one (content.py)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from factories import assemble, source_post

from generator.config import load_config
from generator.content import load_content
from generator.errors import BuildFailed, ContentError
from generator.old_comments import CommentsFile, OldComment, load
from generator.pages import load_pages
from generator.post import MAX_REPLY_DEPTH, KeptComment, comment_threads, kept_comments

START = datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
LISBON = ZoneInfo("Europe/Lisbon")


def comment(id: str, minutes: int, parent: str | None = None, **fields) -> OldComment:
    return OldComment(
        id=id,
        author=fields.pop("author", f"Author {id}"),
        date=START + timedelta(minutes=minutes),
        html=f"<p>{id}</p>",
        parent=parent,
        **fields,
    )


def shape(threads: tuple[KeptComment, ...]) -> list:
    """Threads as nested (id, [replies]) lists, to compare whole trees at a glance."""
    return [(c.id, shape(c.replies)) for c in threads]


def ids_in_order(threads: tuple[KeptComment, ...]) -> list[str]:
    found: list[str] = []
    for c in threads:
        found.append(c.id)
        found += ids_in_order(c.replies)
    return found


# -- threads -------------------------------------------------------------------------------


def test_replies_go_under_their_parent_oldest_first_at_every_level():
    comments = [
        comment("5", 50, parent="1"),
        comment("1", 10),
        comment("3", 30, parent="1"),
        comment("2", 20),
        comment("4", 40, parent="3"),
        comment("6", 60, parent="2"),
    ]
    assert shape(comment_threads(comments, UTC)) == [("1", [("3", [("4", [])]), ("5", [])]), ("2", [("6", [])])]


def test_a_reply_whose_parent_is_missing_goes_to_the_top_level_in_date_order():
    comments = [comment("1", 10), comment("2", 20, parent="deleted-as-spam"), comment("3", 30)]
    assert shape(comment_threads(comments, UTC)) == [("1", []), ("2", []), ("3", [])]


def test_same_date_comments_are_ordered_by_id_so_every_build_agrees():
    comments = [comment("b", 0), comment("a", 0), comment("c", 0)]
    assert ids_in_order(comment_threads(comments, UTC)) == ["a", "b", "c"]
    assert comment_threads(comments, UTC) == comment_threads(list(reversed(comments)), UTC)


def test_a_loop_of_parents_or_a_comment_answering_itself_loses_no_comment():
    comments = [comment("a", 0, parent="b"), comment("b", 1, parent="a"), comment("self", 2, parent="self"), comment("c", 3, parent="a")]
    threads = comment_threads(comments, UTC)
    assert sorted(ids_in_order(threads)) == ["a", "b", "c", "self"]
    assert shape(threads) == [("b", [("a", [("c", [])])]), ("self", [])]


def test_a_thread_deeper_than_the_limit_is_shown_under_the_ancestor_at_the_limit():
    depth = MAX_REPLY_DEPTH + 5
    comments = [comment(str(n), n, parent=str(n - 1) if n else None) for n in range(depth + 1)]
    threads = comment_threads(comments, UTC)
    node, levels = threads[0], 0
    while len(node.replies) == 1:
        node, levels = node.replies[0], levels + 1
    assert levels == MAX_REPLY_DEPTH  # the comment at the limit holds the deeper ones, oldest first
    assert [reply.id for reply in node.replies] == [str(n) for n in range(MAX_REPLY_DEPTH + 1, depth + 1)]
    assert all(not reply.replies for reply in node.replies)


def test_a_huge_chain_of_replies_builds_without_recursion():
    comments = [comment(str(n), n, parent=str(n - 1) if n else None) for n in range(20_000)]
    assert len(ids_in_order(comment_threads(comments, UTC))) == 20_000


def test_anchors_are_wordpress_style_and_always_valid_and_unique():
    comments = [comment("12", 0), comment("12", 1), comment("a b<c>", 2), comment("x" * 100, 3)]
    anchors = [c.anchor for c in comment_threads(comments, UTC)]
    assert anchors[0] == "comment-12"
    assert len(set(anchors)) == 4
    assert all(a.startswith("comment-") and " " not in a and "<" not in a and len(a) < 80 for a in anchors)


def test_a_reply_to_a_duplicated_id_goes_under_the_oldest_of_them():
    comments = [comment("7", 0), comment("7", 1), comment("8", 2, parent="7")]
    assert shape(comment_threads(comments, UTC)) == [("7", [("8", [])]), ("7", [])]


def test_dates_are_shown_in_the_site_time_zone():
    (only,) = comment_threads([comment("1", 0)], LISBON)
    assert only.date == START and only.date.utcoffset() == timedelta(0)  # March in Lisbon: WET
    (summer,) = comment_threads([msgspec.structs.replace(comment("1", 0), date=datetime(2019, 7, 1, 12, tzinfo=UTC))], LISBON)
    assert summer.date.isoformat() == "2019-07-01T13:00:00+01:00"


def test_count_includes_replies_and_pingbacks_and_platform_comes_from_the_file():
    data = CommentsFile([comment("1", 0), comment("2", 1, parent="1"), comment("3", 2, type="pingback")], "WordPress")
    kept = kept_comments(data, UTC)
    assert kept is not None
    assert (kept.count, kept.platform, len(kept.threads)) == (3, "WordPress", 2)
    assert [c.is_ping for c in kept.threads] == [False, True]


def test_a_blank_platform_is_the_previous_blog_and_an_empty_file_shows_nothing():
    assert kept_comments(CommentsFile([comment("1", 0)], "  "), UTC).platform == "the previous blog"
    assert kept_comments(CommentsFile([comment("1", 0)]), UTC).platform == "the previous blog"
    assert kept_comments(CommentsFile([], "WordPress"), UTC) is None


def test_the_post_carries_its_kept_comments():
    source = dataclasses.replace(source_post("Hello", "2019-03-04"), old_comments=CommentsFile([comment("1", 0)], "Blogger"))
    (post,) = assemble([source]).posts
    assert post.old_comments is not None and post.old_comments.platform == "Blogger"
    assert post.old_comments.threads[0].html == "<p>1</p>"
    (plain,) = assemble([source_post("Hello", "2019-03-04")]).posts
    assert plain.old_comments is None


# -- the file beside the post ------------------------------------------------------------------

POST = "---\ntitle: Hello\n---\nText.\n"


def comments_json(*comments: dict, platform: str = "WordPress") -> str:
    return json.dumps({"from": platform, "comments": list(comments)})


ONE = {"id": "1", "author": "Ana", "date": "2019-03-04T10:00:00+00:00", "html": "<p>Hi</p>"}


def test_the_comments_file_beside_a_post_is_read_with_it_and_is_not_an_asset(make_site):
    site = make_site(
        {
            "posts/2019/2019-03-04-hello.md": POST,
            "posts/2019/2019-03-04-hello.comments.json": comments_json(ONE),
            "posts/2019/picture.png": b"\x89PNG\r\n\x1a\n",
        }
    )
    content = load_content(load_config(site))
    (post,) = content.posts
    assert post.old_comments is not None and post.old_comments.from_ == "WordPress"
    assert [c.author for c in post.old_comments.comments] == ["Ana"]
    assert [str(a.rel_path) for a in content.assets] == ["2019/picture.png"]
    assert content.warnings == ()


def test_a_post_with_a_markdown_suffix_finds_its_comments_too(make_site):
    site = make_site({"posts/2019-03-04-hello.markdown": POST, "posts/2019-03-04-hello.comments.json": comments_json(ONE)})
    (post,) = load_content(load_config(site)).posts
    assert post.old_comments is not None


def test_a_comments_file_without_its_post_is_a_warning_and_not_published(make_site):
    site = make_site(
        {
            "posts/2019-03-04-hello.md": POST,
            "posts/2019-03-04-renamed.comments.json": comments_json(ONE),
            "posts/2019-03-04-hello.Comments.JSON": comments_json(ONE),
        }
    )
    content = load_content(load_config(site))
    assert content.posts[0].old_comments is None
    assert content.assets == ()
    messages = {w.path.name: w.message for w in content.warnings}
    assert set(messages) == {"2019-03-04-renamed.comments.json", "2019-03-04-hello.Comments.JSON"}
    assert "no post 2019-03-04-renamed.md beside it" in messages["2019-03-04-renamed.comments.json"]
    assert "lower case" in messages["2019-03-04-hello.Comments.JSON"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "is not a comments file"),
        (comments_json({**ONE, "date": "2019-03-04T10:00:00"}), "without a time zone"),
        (comments_json({**ONE, "author": 12}), "is not a comments file"),
        (comments_json({**ONE, "email": "ana@example.com"}), "is not a comments file"),
        (comments_json({**ONE, "type": "spam"}), "is not a comments file"),
        ('{"from": "WordPress", "comments": {"id": "1"}}', "is not a comments file"),
    ],
    ids=["bad JSON", "naive date", "author not text", "unknown key", "unknown type", "comments not a list"],
)
def test_a_broken_comments_file_is_an_error_naming_it(make_site, text, expected):
    site = make_site({"posts/2019-03-04-hello.md": POST, "posts/2019-03-04-hello.comments.json": text})
    with pytest.raises(BuildFailed) as caught:
        load_content(load_config(site))
    (error,) = caught.value.errors
    assert isinstance(error, ContentError) and error.exit_code == 1
    assert error.path.name == "2019-03-04-hello.comments.json"
    assert expected in error.message


def test_a_comments_file_that_is_a_link_or_a_folder_is_refused(make_site, tmp_path):
    site = make_site({"posts/2019-03-04-hello.md": POST, "elsewhere.json": comments_json(ONE)})
    link = site / "posts/2019-03-04-hello.comments.json"
    link.symlink_to(site / "elsewhere.json")
    with pytest.raises(BuildFailed) as caught:
        load_content(load_config(site))
    assert any(e.path == link and "symbolic link" in e.message for e in caught.value.errors)
    link.unlink()
    link.mkdir()
    with pytest.raises(BuildFailed) as caught:
        load_content(load_config(site))
    assert any(e.path == link and "not a regular file" in e.message for e in caught.value.errors)


def test_pages_ignore_comments_files_and_do_not_publish_them(make_site):
    site = make_site({"pages/about.md": "---\ntitle: About\n---\nUs.\n", "pages/about.comments.json": comments_json(ONE)})
    content = load_pages(load_config(site))
    assert [str(p.rel_path) for p in content.pages] == ["about.md"]
    assert content.assets == ()


def test_the_sample_post_comments_file_is_valid_and_threaded():
    sample = Path(__file__).resolve().parents[2] / "posts" / "2025-09-08-hello-from-northwind-labs.comments.json"
    data = load(sample)
    kept = kept_comments(data, LISBON)
    assert kept is not None and kept.platform == "WordPress" and 5 <= kept.count <= 8
    assert any(c.replies for c in kept.threads)
    assert any(c.is_ping for c in kept.threads)
    assert any(c.url for c in kept.threads)
