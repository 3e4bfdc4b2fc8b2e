"""`blog import blogger` through the command line, with both export formats: the imported
site builds and checks, its feeds keep the Blogger ids, the old /YYYY/MM/name.html addresses
redirect to the new posts, comments show threaded under their post, and no payload of the
hostile comment reaches any output file."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_checks import assert_in_no_file, ids_in_feeds, import_and_build, init_blog, paths_in, redirect_target

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "blogger"
PAYLOADS = ("pwned-by-script", "pwned-by-onerror", "pwned-by-link", "pwned-by-uri", "onerror", "<script>alert")


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    site = init_blog(run_blog, tmp_path / "team-blog", "--author", "jane", "--author-name", "Jane Doe")
    # `blog init` writes an About page; the exports have their own pages to import.
    (site / "pages" / "about.md").unlink()
    return site


def test_legacy_export_imports_builds_and_keeps_urls_ids_and_comments(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "blogger", FIXTURES / "legacy.xml")
    posts = new_blog / "posts" / "2014"
    assert (posts / "2014-03-04-hello-blogger.md").is_file()
    assert "draft: true" in (posts / "2014-06-01-half-written-thoughts.md").read_text(encoding="utf-8")
    assert (new_blog / "pages" / "about.md").is_file()

    ids = ids_in_feeds(out)
    for name in ("atom.xml", "feed.xml"):
        assert {
            "tag:blogger.com,1999:blog-7000.post-101",
            "tag:blogger.com,1999:blog-7000.post-102",
            "tag:blogger.com,1999:blog-7000.post-103",
        } <= ids[name]
        assert "tag:blogger.com,1999:blog-7000.post-104" not in ids[name]  # the draft
        assert "tag:blogger.com,1999:blog-7000.post-105" not in ids[name]  # scheduled for 2099

    target = redirect_target(out, "/2014/03/hello-blogger.html")
    assert (out / target.strip("/") / "index.html").is_file()
    assert "Hello, Blogger &amp; friends" in (out / target.strip("/") / "index.html").read_text(encoding="utf-8")
    assert (out / redirect_target(out, "/p/about.html").strip("/") / "index.html").is_file()

    page = (out / target.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "3 comments from Blogger" in page
    assert 'href="http://reader.example/"' in page and "Nice chart!" in page
    # The reply sits inside the list of replies to the comment it answers.
    replies = page.split('id="comment-9001"', 1)[1].split('id="comment-9003"', 1)[0]
    assert 'class="old-comment-replies"' in replies and 'id="comment-9002"' in replies

    code = (out / "2014/04/including-xh-in-c/index.html").read_text(encoding="utf-8")
    assert "&lt;x.h&gt;" in code and 'data-lang="cpp"' in code
    assert_in_no_file(out, PAYLOADS)
    assert_in_no_file(new_blog / "posts", PAYLOADS)


def test_undeclared_app_prefix_export_imports_its_draft(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "blogger", FIXTURES / "legacy-undeclared-app.xml")
    assert "draft: true" in (new_blog / "posts/2012/2012-02-02-unfinished.md").read_text(encoding="utf-8")
    assert (out / redirect_target(out, "/2012/02/finished.html").strip("/") / "index.html").is_file()


def test_takeout_feed_atom_imports_builds_and_keeps_urls_ids_and_comments(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "blogger", FIXTURES / "takeout-feed.atom")
    assert not list((new_blog / "posts").rglob("*thrown-away*"))  # trashed
    assert (new_blog / "pages" / "contact.md").is_file()
    ids = ids_in_feeds(out)
    assert "tag:blogger.com,1999:blog-8000.post-301" in ids["atom.xml"] and "tag:blogger.com,1999:blog-8000.post-301" in ids["feed.xml"]
    assert "tag:blogger.com,1999:blog-8000.post-302" not in ids["atom.xml"]  # the draft

    target = redirect_target(out, "/2021/05/shipping-new-build.html")
    page = (out / target.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "How the new build went out" in page or "We shipped." in page
    assert "4 comments from Blogger" in page
    replies = page.split('id="comment-501"', 1)[1].split('id="comment-504"', 1)[0]
    assert 'id="comment-502"' in replies and 'id="comment-503"' in replies and "old-comment-replies" in replies
    assert 'href="https://someone.example/"' not in page  # an anonymous commenter's website
    assert (out / redirect_target(out, "/p/contact.html").strip("/") / "index.html").is_file()
    assert_in_no_file(out, PAYLOADS)
    report = (new_blog / "import-report.md").read_text(encoding="utf-8")
    assert "in Blogger's trash" in report


def test_a_plain_feed_given_as_a_blogger_export_writes_nothing(new_blog, run_blog):
    before = paths_in(new_blog)
    result = run_blog("import", "blogger", FIXTURES.parent / "feed" / "rss.xml", "--site", new_blog)
    assert result.exit_code == 1
    assert "not a Blogger export" in result.output
    assert paths_in(new_blog) == before
