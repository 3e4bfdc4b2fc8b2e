"""`blog import feed` through the command line: an RSS 2.0 and an Atom feed become posts that
build and check, the new feeds keep the old guids and ids, old addresses that differ from the
new ones redirect, the report says a feed holds only the latest entries, and a feed given as
an address is fetched with --download from a local server."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_checks import build_and_check, feed_ids, init_blog, paths_in, serving

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "feed"


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    return init_blog(run_blog, tmp_path / "team-blog", "--author", "jane", "--author-name", "Jane Doe")


def test_rss_feed_imports_builds_and_keeps_guids(new_blog, run_blog):
    result = run_blog("import", "feed", FIXTURES / "rss.xml", "--site", new_blog)
    assert result.exit_code == 0, result.output
    assert "imported: 4 published posts" in result.output
    assert "a feed usually holds only the latest entries: this one held 4" in result.output
    post = (new_blog / "posts/2020/2020-01-14-launch-day.md").read_text(encoding="utf-8")
    assert "id: news-example-1" in post and "summary: We launched. Read on…" in post
    assert "#include <x.h>" in post
    assert "[authors.gia-ho]" in (new_blog / "site.toml").read_text(encoding="utf-8")

    out = build_and_check(run_blog, new_blog)
    old_guids = {"news-example-1", "https://news.example.com/2020/02/second.html", "https://news.example.com/2020/03/teaser/"}
    assert old_guids <= feed_ids(out, "feed.xml")
    assert old_guids <= feed_ids(out, "atom.xml")
    # /2020/02/second.html is not where the post is now: it redirects there.
    moved = (out / "2020/02/second.html").read_text(encoding="utf-8")
    assert 'content="0; url=/2020/02/second/"' in moved
    assert (out / "2020/02/second/index.html").is_file()
    assert "&lt;x.h&gt;" in (out / "2020/01/launch-day/index.html").read_text(encoding="utf-8")
    report = (new_blog / "import-report.md").read_text(encoding="utf-8")
    assert "the feed held only summaries for 1 of 4 entries" in report


def test_atom_feed_imports_builds_and_keeps_ids(new_blog, run_blog):
    result = run_blog("import", "feed", FIXTURES / "atom.xml", "--site", new_blog)
    assert result.exit_code == 0, result.output
    out = build_and_check(run_blog, new_blog)
    old_ids = {"urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", "tag:atom.example.org,2021:entry-2", "tag:atom.example.org,2021:entry-3"}
    assert old_ids <= feed_ids(out, "atom.xml")
    assert old_ids <= feed_ids(out, "feed.xml")
    assert 'content="0; url=/2021/02/xhtml/"' in (out / "2021/02/xhtml.html").read_text(encoding="utf-8")
    # /2021/01/fast-builds is the new address without its slash: no redirect page is needed.
    assert "Builds got <strong>faster</strong>" in (out / "2021/01/fast-builds/index.html").read_text(encoding="utf-8")
    xhtml = (out / "2021/02/xhtml/index.html").read_text(encoding="utf-8")
    assert "&lt;x.h&gt;" in xhtml and "html:" not in xhtml


@pytest.fixture
def feed_server():
    with serving(FIXTURES) as address:
        yield address


def test_a_feed_address_is_fetched_with_download(new_blog, run_blog, feed_server):
    result = run_blog("import", "feed", f"{feed_server}/rss.xml", "--site", new_blog, "--download")
    assert result.exit_code == 0, result.output
    assert (new_blog / "posts/2020/2020-01-14-launch-day.md").is_file()
    build_and_check(run_blog, new_blog)


def test_an_address_that_is_not_a_feed_writes_nothing(new_blog, run_blog, feed_server, tmp_path):
    before = paths_in(new_blog)
    missing = run_blog("import", "feed", f"{feed_server}/missing.xml", "--site", new_blog, "--download")
    assert missing.exit_code == 1 and "404" in missing.output, missing.output
    page = tmp_path / "home.html"
    page.write_text("<!DOCTYPE html><html><body>A blog's home page</body></html>", encoding="utf-8")
    html = run_blog("import", "feed", page, "--site", new_blog)
    assert html.exit_code == 1 and "is an HTML page, not a feed" in html.output, html.output
    assert paths_in(new_blog) == before
