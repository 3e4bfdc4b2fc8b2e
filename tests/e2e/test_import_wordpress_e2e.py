"""`blog import wordpress` through the command line, with a WXR 1.2 and a WordPress.com WXR 1.1
export: the imported site builds with --strict and checks clean, its feeds keep the WordPress
guids, every old `link` (and earlier slug) has a redirect page to its new post, comments show
threaded under their post, private and password-protected posts are not published, and no
payload of the hostile comment reaches any file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import needs_chromium, static_site_in_chromium
from import_checks import assert_in_no_file, ids_in_feeds, import_and_build, init_blog, lands_on, page_at, paths_in

from generator.importers import wordpress

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "wordpress"
PAYLOADS = ("alert(", "onerror", "onclick", "javascript:", "<script>alert")
NOT_PUBLIC = ("Board minutes", "Secret board minutes", "Salaries", "Private numbers", "hunter2", "For investors only")
PRIVATE_DATA = ("@example.com", "@example.org", "@example.net", "192.0.2.", "198.51.100.", "203.0.113.")


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    return init_blog(run_blog, tmp_path / "acme-blog", "--author", "jane", "--author-name", "Jane Doe")


def test_wxr_12_imports_builds_strict_and_keeps_ids_urls_and_comments(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "wordpress", FIXTURES / "export-1.2.xml", build_strict=True)
    export = wordpress.read(FIXTURES / "export-1.2.xml")
    published = [e for e in export.entries if e.status == "published" and e.kind == "post"]

    ids = ids_in_feeds(out)
    for name in ("atom.xml", "feed.xml"):
        assert {e.feed_id for e in published} <= ids[name]
        for hidden in ("?p=13", "?p=15", "?p=16", "?p=17", "?p=18"):  # password, scheduled, private, drafts
            assert f"https://blog.example.com/{hidden}" not in ids[name]

    # Every old address of a published post or page leads to it (query-string links cannot).
    for entry in [*published, *(e for e in export.entries if e.kind == "page")]:
        paths = [urlsplit(url).path for url in entry.old_urls if not urlsplit(url).query]
        assert paths, entry.where
        targets = {lands_on(out, path) for path in paths}
        assert len(targets) == 1, (entry.where, targets)
        assert entry.title.replace("&", "&amp;") in page_at(out, targets.pop()), entry.where
    assert lands_on(out, "/2019/03/hello/") == lands_on(out, "/2019/03/first-post/") == "/2019/03/hello-world/"

    hello = page_at(out, "/2019/03/hello-world/")
    assert "4 comments from WordPress" in hello  # the pingback is left out without --pingbacks
    replies = hello.split('id="comment-1"', 1)[1].split('id="comment-8"', 1)[0]
    assert 'id="comment-2"' in replies and 'id="comment-4"' in replies and "old-comment-replies" in replies
    assert "Not yet approved" not in hello and "Buy now" not in hello and "Deleted by the author" not in hello

    code = page_at(out, "/2019/04/shortcodes/")
    assert "&lt;x.h&gt;" in code and "<figcaption>The lake at <em>dawn</em></figcaption>" in code
    assert 'rowspan="2"' in code and "<iframe" in code

    assert not (out / "2020/01/board-minutes").exists() and not (out / "2020/03/salaries").exists()
    assert_in_no_file(out, NOT_PUBLIC)
    assert_in_no_file(out, PAYLOADS)
    assert_in_no_file(new_blog / "posts", PAYLOADS)
    assert_in_no_file(new_blog / "posts", PRIVATE_DATA)
    assert (out / "company/team/engineering/index.html").is_file()

    report = (new_blog / "import-report.md").read_text(encoding="utf-8")
    assert "was password-protected; imported as a draft" in report and "was private; imported as a draft" in report
    assert "unknown shortcode [contact-form-7]" in report and "1 post was sticky" in report


def test_wxr_11_from_wordpress_com_imports_and_builds_strict(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "wordpress", FIXTURES / "export-1.1.xml", build_strict=True)
    assert "http://oldco.wordpress.com/?p=500" in ids_in_feeds(out)["atom.xml"]
    assert lands_on(out, "/2015/06/10/we-launched/") == "/2015/06/we-launched/"
    page = page_at(out, "/2015/06/we-launched/")
    assert "1 comment from WordPress" in page or "1 comments from WordPress" in page
    assert "See you at the party." in page and "ftp://" not in page
    assert "For investors only" not in "".join(p.read_text(errors="replace") for p in out.rglob("*.html"))
    draft = (new_blog / "posts/2016/2016-01-06-draft-about-pricing.md").read_text(encoding="utf-8")
    assert "draft: true" in draft


def test_a_feed_given_as_a_wordpress_export_writes_nothing(new_blog, run_blog, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel></rss>')
    before = paths_in(new_blog)
    result = run_blog("import", "wordpress", feed, "--site", new_blog)
    assert result.exit_code == 1
    assert "not a WordPress export" in result.output
    assert paths_in(new_blog) == before


@needs_chromium
def test_an_earlier_slug_takes_a_reader_to_the_post_in_chromium(new_blog, run_blog):
    out = import_and_build(run_blog, new_blog, "wordpress", FIXTURES / "export-1.2.xml", build_strict=True)
    with static_site_in_chromium(out) as (page, base):
        page.goto(base + "/2019/03/first-post/")  # the post's slug before it was renamed
        page.wait_for_url(base + "/2019/03/hello-world/", timeout=10_000)
        assert page.locator("h1").inner_text() == "Hello & welcome to WordPress – “ours”"
