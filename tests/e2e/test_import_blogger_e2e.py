"""`blog import blogger` through the command line, with both export formats: the imported
site builds and checks, its feeds keep the Blogger ids, the old /YYYY/MM/name.html addresses
redirect to the new posts, comments show threaded under their post, and no payload of the
hostile comment reaches any output file."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "blogger"
PAYLOADS = ("pwned-by-script", "pwned-by-onerror", "pwned-by-link", "pwned-by-uri", "onerror", "<script>alert")


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    site = tmp_path / "team-blog"
    result = run_blog("init", site, "--author", "jane", "--author-name", "Jane Doe")
    assert result.exit_code == 0, result.output
    # `blog init` writes an About page; the exports have their own pages to import.
    (site / "pages" / "about.md").unlink()
    return site


def import_and_build(run_blog, site: Path, export: str) -> Path:
    imported = run_blog("import", "blogger", FIXTURES / export, "--site", site)
    assert imported.exit_code == 0, imported.output
    built = run_blog("build", "--site", site)
    assert built.exit_code == 0, built.output
    checked = run_blog("check", "--site", site)
    assert checked.exit_code == 0, checked.output
    assert "broken" not in checked.output, checked.output
    return site / "_site"


def feed_ids(out: Path) -> dict[str, set[str]]:
    ids = {}
    for name in ("atom.xml", "feed.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        ids[name] = {entry.id for entry in parsed.entries}
    return ids


def redirect_target(out: Path, old_path: str) -> str:
    page = (out / old_path.lstrip("/")).read_text(encoding="utf-8")
    marker = 'http-equiv="refresh" content="0; url='
    assert marker in page, page
    return page.split(marker, 1)[1].split('"', 1)[0]


def assert_no_payload(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found = [payload for payload in PAYLOADS if payload in text]
            assert not found, f"{path}: {found}"


def test_legacy_export_imports_builds_and_keeps_urls_ids_and_comments(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "legacy.xml")
    posts = new_blog / "posts" / "2014"
    assert (posts / "2014-03-04-hello-blogger.md").is_file()
    assert "draft: true" in (posts / "2014-06-01-half-written-thoughts.md").read_text(encoding="utf-8")
    assert (new_blog / "pages" / "about.md").is_file()

    ids = feed_ids(out)
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
    assert_no_payload(out)
    assert_no_payload(new_blog / "posts")


def test_undeclared_app_prefix_export_imports_its_draft(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "legacy-undeclared-app.xml")
    assert "draft: true" in (new_blog / "posts/2012/2012-02-02-unfinished.md").read_text(encoding="utf-8")
    assert (out / redirect_target(out, "/2012/02/finished.html").strip("/") / "index.html").is_file()


def test_takeout_feed_atom_imports_builds_and_keeps_urls_ids_and_comments(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "takeout-feed.atom")
    assert not list((new_blog / "posts").rglob("*thrown-away*"))  # trashed
    assert (new_blog / "pages" / "contact.md").is_file()
    ids = feed_ids(out)
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
    assert_no_payload(out)
    report = (new_blog / "import-report.md").read_text(encoding="utf-8")
    assert "in Blogger's trash" in report


def test_a_plain_feed_given_as_a_blogger_export_writes_nothing(new_blog, run_blog):
    before = sorted(path.relative_to(new_blog) for path in new_blog.rglob("*"))
    result = run_blog("import", "blogger", FIXTURES.parent / "feed" / "rss.xml", "--site", new_blog)
    assert result.exit_code == 1
    assert "not a Blogger export" in result.output
    assert sorted(path.relative_to(new_blog) for path in new_blog.rglob("*")) == before
