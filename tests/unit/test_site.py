"""site.py: posts + config -> Site (order, tags, authors, archive, neighbours, related, ids).

Most tests assemble the site from SourcePost and Rendered objects made in memory
(factories.py), as build.py hands them to the site stage; the ones that need the files,
the Markdown stage or the output (content warnings, --strict, page folders) build FILES.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from factories import assemble, make_config, source_post

from generator.errors import BuildFailed
from generator.site import select_posts, stable_id, tag_slug
from generator.urls import unsafe_segment_reason

CONFIG = """[site]
title = "T"
base_url = "https://blog.example.com"

[authors.ana]
name = "Ana Lindqvist"
url = "https://example.com/ana"
bio = "Platform."

[build]
words_per_minute = 100
"""

# The same six posts as files (for the test that the factories match what content.py reads)
# and in memory (for the rest).
FILES = {
    "posts/2026-01-10-newest.md": "---\ntitle: Newest\ndate: 2026-01-10 10:00\ntags: [Python, web]\nauthor: ana\n---\nN\n",
    "posts/2026-01-05-middle.md": "---\ntitle: Middle\ntags: [python]\nauthor: Ben Smith\n---\nM\n",
    "posts/2025-12-20-old.md": "---\ntitle: Old\ntags: [web, python]\nauthors: [Ana, Ben Smith]\nupdated: 2026-01-20\n---\nO\n",
    "posts/2025/2025-11-02-oldest.md": "---\ntitle: Oldest\ntags: other\n---\nX\n",
    "posts/2026-01-07-draft.md": "---\ntitle: Draft\ndraft: true\ntags: [web]\n---\nD\n",
    "posts/2099-01-01-future.md": "---\ntitle: Future\n---\nF\n",
}


def sources() -> list:
    return [
        source_post("Newest", "2026-01-10 10:00", tags=["Python", "web"], authors=["ana"], body="N\n"),
        source_post("Middle", "2026-01-05", tags=["python"], authors=["Ben Smith"], body="M\n"),
        source_post("Old", "2025-12-20", tags=["web", "python"], authors=["Ana", "Ben Smith"], updated="2026-01-20", body="O\n"),
        source_post("Oldest", "2025-11-02", rel_path="2025/2025-11-02-oldest.md", tags=["other"], body="X\n"),
        source_post("Draft", "2026-01-07", tags=["web"], draft=True, body="D\n"),
        source_post("Future", "2099-01-01", body="F\n"),
    ]


@pytest.fixture
def site():
    return assemble(sources(), make_config(CONFIG))


def titles(posts) -> list[str]:
    return [p.title for p in posts]


def test_the_factories_match_what_content_reads_from_the_files(plan_site, site):
    """The in-memory posts are what content.py and the Markdown stage make of FILES."""
    from_files = plan_site(FILES, CONFIG).site

    def fields(s):
        return [
            (p.title, p.url, p.date, p.updated, p.slug, p.rel_path, p.id, p.tags, p.authors, p.draft, p.comments, p.word_count, p.content)
            for p in s.posts
        ]

    def groups(s):
        return [(g.key, titles(g.posts)) for g in s.tags + s.authors] + [(m.key, titles(m.posts)) for y in s.archive for m in y.months]

    assert fields(site) == fields(from_files)
    assert groups(site) == groups(from_files)
    assert site.config.model_dump() == from_files.config.model_dump()  # only the folder differs


def test_posts_are_newest_first_without_drafts_or_future_posts(site):
    assert titles(site.posts) == ["Newest", "Middle", "Old", "Oldest"]


def test_drafts_and_future_posts_on_request():
    config = make_config(CONFIG)
    assert "Draft" in titles(assemble(sources(), config, drafts=True).posts)
    assert "Future" not in titles(assemble(sources(), config, drafts=True).posts)
    assert titles(assemble(sources(), config, future=True).posts)[0] == "Future"


def test_select_posts_uses_the_given_now():
    posts = tuple(sources())
    assert len(posts) == 6
    late = datetime(2100, 1, 1, tzinfo=UTC)
    assert len(select_posts(posts, drafts=False, future=False, now=late)) == 5
    assert len(select_posts(posts, drafts=True, future=False, now=late)) == 6
    assert select_posts(posts, drafts=True, future=False, now=datetime(2000, 1, 1, tzinfo=UTC)) == []
    assert len(select_posts(posts, drafts=False, future=True, now=datetime(2000, 1, 1, tzinfo=UTC))) == 5


def test_posts_on_the_same_day_have_a_stable_order():
    posts = [source_post(name, "2026-01-01", slug=name) for name in ("b", "a", "c")]
    first = [p.url for p in assemble(posts).posts]
    assert first == ["/2026/01/c/", "/2026/01/b/", "/2026/01/a/"]


def test_post_urls_and_fields(site):
    newest = site.posts[0]
    assert newest.url == "/2026/01/newest/"
    assert str(newest.output_path) == "2026/01/newest/index.html"
    assert newest.slug == "newest"
    assert newest.rel_path.as_posix() == "2026-01-10-newest.md"
    assert "<p>N</p>" in newest.content


def test_tags_are_grouped_by_slug_sorted_by_name(site):
    assert [(g.key.name, g.key.slug, g.key.url) for g in site.tags] == [
        ("other", "other", "/tags/other/"),
        ("Python", "python", "/tags/python/"),  # "python" on another post joins the same group
        ("web", "web", "/tags/web/"),
    ]
    by_slug = {g.key.slug: titles(g.posts) for g in site.tags}
    assert by_slug == {"other": ["Oldest"], "python": ["Newest", "Middle", "Old"], "web": ["Newest", "Old"]}


def test_tag_slugs():
    assert tag_slug("Machine Learning") == "machine-learning"
    assert tag_slug("C++").startswith("c-") and tag_slug("C++") == tag_slug("c++") != tag_slug("C#")
    punctuation = tag_slug("++")
    assert punctuation and punctuation != tag_slug("--")
    assert "/" not in tag_slug("a/b")


def test_tag_and_author_pages_avoid_windows_reserved_names(plan_site):
    """urls.py refuses a post slug like `con` (a Windows checkout cannot hold that folder); a tag
    or an author's name must not produce such a folder either."""
    files = {"posts/2026-01-01-a.md": "---\ntitle: A\ntags: [con, Nul, aux.js]\nauthor: Prn\n---\nx\n"}
    plan = plan_site(files)
    folders = {part for f in plan.files for part in f.path.parts[:-1]}
    reserved = sorted(part for part in folders if unsafe_segment_reason(part) and "Windows" in unsafe_segment_reason(part))
    assert reserved == []


def test_authors_from_the_config_table_and_plain_names(site):
    authors = {g.key.key: g for g in site.authors}
    assert set(authors) == {"ana", "ben-smith"}
    ana = authors["ana"].key
    assert (ana.name, ana.url, ana.website, ana.bio) == ("Ana Lindqvist", "/authors/ana/", "https://example.com/ana", "Platform.")
    ben = authors["ben-smith"].key
    assert (ben.name, ben.url, ben.website) == ("Ben Smith", "/authors/ben-smith/", None)
    assert titles(authors["ana"].posts) == ["Newest", "Old"]  # "Ana" matches the key ana, whatever its case
    assert titles(authors["ben-smith"].posts) == ["Middle", "Old"]
    assert [g.key.name for g in site.authors] == ["Ana Lindqvist", "Ben Smith"]


def test_post_authors(site):
    old = next(p for p in site.posts if p.title == "Old")
    assert [a.name for a in old.authors] == ["Ana Lindqvist", "Ben Smith"]
    assert old.author.name == "Ana Lindqvist"
    oldest = next(p for p in site.posts if p.title == "Oldest")
    assert oldest.authors == () and oldest.author is None


def test_archive_by_year_and_month_newest_first(site):
    assert [y.year for y in site.archive] == [2026, 2025]
    assert [(m.key.year, m.key.month, m.key.day) for m in site.archive[0].months] == [(2026, 1, 1)]
    assert [(m.key.month, titles(m.posts)) for m in site.archive[1].months] == [(12, ["Old"]), (11, ["Oldest"])]
    assert titles(site.archive[0].months[0].posts) == ["Newest", "Middle"]


def test_neighbours_are_older_and_newer(site):
    by_title = {p.title: p for p in site.posts}
    older, newer = site.neighbours[by_title["Newest"].url]
    assert older.title == "Middle" and newer is None
    older, newer = site.neighbours[by_title["Old"].url]
    assert older.title == "Oldest" and newer.title == "Middle"
    older, newer = site.neighbours[by_title["Oldest"].url]
    assert older is None and newer.title == "Old"


def test_related_posts_share_the_most_tags(site):
    by_title = {p.title: p for p in site.posts}
    # Newest (python, web): Old shares both, Middle shares one; Oldest shares none.
    assert titles(site.related[by_title["Newest"].url]) == ["Old", "Middle"]
    assert titles(site.related[by_title["Middle"].url]) == ["Newest", "Old"]  # one tag each: nearest first
    assert site.related[by_title["Oldest"].url] == ()


def test_related_posts_respect_the_limit():
    posts = [source_post(f"P{d}", f"2026-01-{d:02d}", slug=f"p{d}", tags=["x"]) for d in range(1, 10)]
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\nrelated_posts = 2\n'
    site = assemble(posts, make_config(config))
    assert all(len(related) == 2 for related in site.related.values())
    none = assemble(posts, make_config(config.replace("= 2", "= 0")))
    assert all(not none.related.get(p.url) for p in none.posts)


def test_reading_time_rounds_up_and_is_at_least_one_minute():
    posts = [
        source_post("Long", "2026-01-01", body="word " * 250 + "\n"),
        source_post("Short", "2026-01-02", body="Hi.\n"),
    ]
    site = assemble(posts, make_config(CONFIG))  # 100 words a minute
    by_title = {p.title: p for p in site.posts}
    assert by_title["Long"].word_count == 250
    assert by_title["Long"].reading_time == 3
    assert by_title["Short"].reading_time == 1


def test_stable_id_is_a_tag_uri():
    assert stable_id("blog.example.com", datetime(2026, 1, 10, 10, 0, tzinfo=UTC), "newest") == "tag:blog.example.com,2026-01-10:newest"


def test_post_ids_do_not_change_with_edits_or_base_path(site):
    assert site.posts[0].id == "tag:blog.example.com,2026-01-10:newest"
    edited = sources()
    edited[0] = source_post("Renamed", "2026-01-10 10:00", slug="newest", tags=["Python", "web"], authors=["ana"], body="New text\n")
    again = assemble(edited, make_config(CONFIG.replace("blog.example.com", "blog.example.com/sub")))
    assert again.posts[0].id == site.posts[0].id


def test_pinned_id_survives_a_slug_change():
    site = assemble([source_post("X", "2026-01-01", rel_path="2026-01-01-x.md", slug="renamed", pinned_id="tag:e.com,2020:original")])
    assert site.posts[0].id == "tag:e.com,2020:original"
    assert site.posts[0].url == "/2026/01/renamed/"


def test_ids_are_unique_even_with_shared_slugs():
    posts = [source_post("A", "2026-01-01", slug="survey"), source_post("B", "2027-01-01", slug="survey")]
    site = assemble(posts, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert len({p.id for p in site.posts}) == 2


def test_site_updated_is_the_newest_date_or_update(site):
    assert site.updated == next(p for p in site.posts if p.title == "Old").updated


def test_empty_site():
    site = assemble([])
    assert site.posts == () and site.tags == () and site.authors == () and site.archive == ()
    assert site.updated is None


def test_duplicate_permalinks_name_both_files():
    posts = [source_post("A", "2026-01-01", slug="same"), source_post("B", "2026-01-20", slug="same", rel_path="sub/2026-01-20-same.md")]
    with pytest.raises(BuildFailed) as caught:
        assemble(posts)
    (error,) = caught.value.errors
    text = f"{error.path} {error.message}"
    assert "2026-01-01-same.md" in text and "2026-01-20-same.md" in text
    assert "/2026/01/same/" in error.message
    assert caught.value.exit_code == 1


def test_permalinks_differing_only_in_case_collide():
    posts = [source_post("A", "2026-01-01", slug="Same"), source_post("B", "2026-01-02", slug="same")]
    with pytest.raises(BuildFailed):
        assemble(posts)


# -- content warnings: errors under --strict ------------------------------------------------

WARNED = {
    "posts/2026-01-01-no-summary.md": "---\ntitle: No summary\ntags: [a]\n---\nJust a body.\n",
    "posts/2026-01-02-more.md": "---\ntitle: Marker\ntags: [a]\n---\nIntro.\n\n<!--more-->\n\nRest.\n",
    "posts/2026-01-03-alt.md": (
        "---\ntitle: Alt\nsummary: s\ntags: [a]\n---\nText.\n\n![](https://cdn.example.com/a.png)\n\n"
        '![A chart](https://cdn.example.com/b.png)\n\n<img src="https://cdn.example.com/c.png">\n\n'
        '<img src="https://cdn.example.com/d.png" alt="">\n'
    ),
    "posts/2026-01-04-image.md": "---\ntitle: Image\nsummary: s\ntags: [a]\nimage: missing.png\n---\nText.\n",
    "posts/2026-01-05-long.md": "---\ntitle: Long\nsummary: " + "word " * 50 + "\n---\nNo tags either.\n",
}


def test_content_warnings_name_the_file_and_line(plan_site):
    plan = plan_site(WARNED)
    found = {(w.path.name, w.line, w.message.split(":")[0]) for w in plan.warnings}
    assert found == {
        ("2026-01-01-no-summary.md", None, "no summary"),
        ("2026-01-03-alt.md", 8, "image without alt text"),  # ![](...) on the body's 3rd line
        ("2026-01-03-alt.md", 12, "image without alt text"),  # raw <img> with no alt at all
        ("2026-01-04-image.md", None, "image"),
        ("2026-01-05-long.md", None, "summary"),  # 250 characters: social cards cut it
        ("2026-01-05-long.md", None, "no tags"),
    }
    # A <!--more--> marker is a summary; alt="" marks a decorative image on purpose.


def test_strict_turns_each_content_warning_into_an_error(make_site, run_blog):
    site = make_site(WARNED)
    result = run_blog("build", "--site", site, "--strict")
    assert result.exit_code == 1
    for where in (
        "posts/2026-01-01-no-summary.md",
        "posts/2026-01-03-alt.md:8",
        "posts/2026-01-03-alt.md:12",
        "posts/2026-01-04-image.md",
        "posts/2026-01-05-long.md",
    ):
        assert where in result.output, result.output
    assert "Traceback" not in result.output
    assert not (site / "_site").exists()
    assert run_blog("build", "--site", site).exit_code == 0  # without --strict they are warnings
