"""`blog import` as a whole, whatever the platform: all or nothing, safe to re-run, dry runs,
site.toml edited in place, pictures fetched with --download from a local server. The reader
is replaced by one returning a known Export, so these tests are about the shared part; each
platform's own tests (test_import_<platform>.py) go through its real reader."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import needs_chromium, static_site_in_chromium, tree_bytes
from import_checks import serving

import generator.importers.run as import_run
from generator.importers import media
from generator.importers.model import Author, Entry, Export, ExportError
from generator.old_comments import OldComment

OLD = "https://old.example.com"
CONFIG = """# The blog's settings
[site]
title = "Imported"   # kept as written
base_url = "https://blog.example.com"

[authors.jane]  # already here: never replaced
name = "Jane Existing"
"""


def export_of(source: Path, picture_host: str | None = None) -> Export:
    picture = f"{picture_host}/wp-content/uploads/2019/03/chart.png" if picture_host else f"{OLD}/wp-content/uploads/chart.png"
    first = Entry(
        "post",
        "item 1 (post 10 'Hello')",
        "Hello",
        f'<p>Intro</p><!--more--><p>See <a href="{OLD}/2019/03/second/">the second</a>.</p><p><img src="{picture}" alt="A chart"></p>',
        datetime(2019, 3, 4, 10, 0, tzinfo=UTC),
        slug="hello",
        tags=["News"],
        authors=["jane", "sam"],
        old_urls=[f"{OLD}/2019/03/04/hello/"],
        feed_id=f"{OLD}/?p=10",
        comments=[OldComment("1", "Ana", datetime(2019, 3, 5, tzinfo=UTC), "<p>Nice post</p>")],
    )
    second = Entry(
        "post",
        "item 2",
        "Second",
        "<p>Two</p>",
        datetime(2020, 1, 2, tzinfo=UTC),
        slug="second",
        old_urls=[f"{OLD}/2019/03/second/"],
        feed_id="g2",
    )
    return Export(
        source,
        "WordPress",
        picture_host or OLD,
        [first, second],
        [Author("jane", "Jane New"), Author("sam", "Sam Ortiz", "https://sam.example")],
    )


@pytest.fixture
def site(make_site, tmp_path, monkeypatch):
    site = make_site({}, CONFIG)
    export = tmp_path / "export.xml"
    export.write_text("<rss/>")
    monkeypatch.setattr(import_run, "reader_for", lambda platform: export_of)
    return site


def test_an_import_writes_posts_comments_authors_and_a_report_then_builds(site, tmp_path, run_blog):
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site)
    assert result.exit_code == 0, result.output
    assert "imported: 2 published posts" in result.output and "imported: 1 comments" in result.output
    assert (site / "posts/2019/2019-03-04-hello.md").is_file()
    assert (site / "posts/2019/2019-03-04-hello.comments.json").is_file()
    assert (site / "posts/2020/2020-01-02-second.md").is_file()
    config = (site / "site.toml").read_text()
    assert config.startswith('# The blog\'s settings\n[site]\ntitle = "Imported"   # kept as written\n')
    assert 'name = "Jane Existing"' in config and "Jane New" not in config
    assert '[authors.sam]\nname = "Sam Ortiz"\nurl = "https://sam.example"' in config
    report = (site / "import-report.md").read_text()
    assert "chart.png" in report  # a picture left at its old address, listed
    built = run_blog("build", "--site", site)
    assert built.exit_code == 0, built.output
    assert (site / "_site/2019/03/04/hello/index.html").is_file()  # the old URL redirects
    checked = run_blog("check", "--site", site)
    assert checked.exit_code == 0 and "link" not in checked.output, checked.output


def test_a_dry_run_prints_the_report_and_writes_nothing(site, tmp_path, run_blog):
    before = tree_bytes(site)
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "# Import from WordPress" in result.output and "dry run: nothing was written" in result.output
    assert tree_bytes(site) == before


def test_a_second_run_keeps_every_file_and_overwrite_replaces_them(site, tmp_path, run_blog):
    run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site)
    post = site / "posts/2019/2019-03-04-hello.md"
    post.write_text(post.read_text() + "\nEdited by hand.\n")
    again = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site)
    assert again.exit_code == 0, again.output
    assert "kept 3 file(s) that existed" in again.output
    assert "Edited by hand." in post.read_text()
    assert (site / "site.toml").read_text().count("[authors.sam]") == 1
    replaced = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert "Edited by hand." not in post.read_text()


def test_a_bad_export_writes_nothing(site, tmp_path, run_blog, monkeypatch):
    def broken(source):
        raise ExportError("is not well-formed XML (mismatched tag) in item 7", source, line=12)

    monkeypatch.setattr(import_run, "reader_for", lambda platform: broken)
    before = tree_bytes(site)
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site)
    assert result.exit_code == 1
    assert "export.xml:12" in result.output and "item 7" in result.output
    assert tree_bytes(site) == before


def test_a_failure_part_way_removes_what_was_written(site, tmp_path, run_blog):
    (site / "posts/2020").write_text("a file where a folder must go")
    before = tree_bytes(site)
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site)
    assert result.exit_code == 1
    assert "nothing was kept" in result.output
    assert tree_bytes(site) == before  # the 2019 post written first is gone again


def test_outside_a_site_or_with_a_missing_export_is_a_usage_error(tmp_path, run_blog, site):
    assert run_blog("import", "wordpress", tmp_path / "export.xml", "--site", tmp_path / "nowhere").exit_code == 2
    missing = run_blog("import", "wordpress", tmp_path / "missing.xml", "--site", site)
    assert missing.exit_code == 2 and "no such file" in missing.output
    address = run_blog("import", "wordpress", "https://old.example.com/export.xml", "--site", site)
    assert address.exit_code == 2 and "--download" in address.output


@pytest.fixture
def picture_server(tmp_path):
    root = tmp_path / "old-site"
    (root / "wp-content/uploads/2019/03").mkdir(parents=True)
    (root / "wp-content/uploads/2019/03/chart.png").write_bytes(b"\x89PNG a chart")
    with serving(root) as address:
        yield address


def test_download_fetches_the_old_blogs_pictures_beside_the_post(site, tmp_path, run_blog, monkeypatch, picture_server):
    monkeypatch.setattr(import_run, "reader_for", lambda platform: lambda source: export_of(source, picture_server))
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site, "--download")
    assert result.exit_code == 0, result.output
    assert (site / "posts/2019/2019-03-04-hello/chart.png").read_bytes() == b"\x89PNG a chart"
    assert "![A chart](2019-03-04-hello/chart.png)" in (site / "posts/2019/2019-03-04-hello.md").read_text()


def test_download_limits(picture_server, monkeypatch):
    with pytest.raises(media.DownloadFailed, match="404"):
        media.download(picture_server + "/wp-content/uploads/missing.png")
    with pytest.raises(media.DownloadFailed, match="limit"):
        media.download(picture_server + "/wp-content/uploads/2019/03/chart.png", max_bytes=4)
    with pytest.raises(media.DownloadFailed, match="only http and https"):
        media.download("file:///etc/passwd")
    assert media.download(picture_server + "/wp-content/uploads/2019/03/chart.png") == b"\x89PNG a chart"


def test_a_picture_that_cannot_be_fetched_stays_a_url_and_is_listed(site, tmp_path, run_blog, monkeypatch, picture_server):
    def export_with_missing_picture(source):
        export = export_of(source, picture_server)
        export.entries[0].html = f'<p><img src="{picture_server}/wp-content/uploads/gone.png" alt="gone"></p>'
        return export

    monkeypatch.setattr(import_run, "reader_for", lambda platform: export_with_missing_picture)
    result = run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site, "--download")
    assert result.exit_code == 0, result.output
    assert f"{picture_server}/wp-content/uploads/gone.png" in (site / "posts/2019/2019-03-04-hello.md").read_text()
    assert "gone.png (the server answered 404" in (site / "import-report.md").read_text()


@needs_chromium
def test_an_old_url_takes_a_reader_to_the_imported_post_in_chromium(site, tmp_path, run_blog):
    assert run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site).exit_code == 0
    assert run_blog("build", "--site", site).exit_code == 0
    with static_site_in_chromium(site / "_site") as (page, base):
        page.goto(base + "/2019/03/04/hello/")  # the post's old WordPress URL
        page.wait_for_url(base + "/2019/03/hello/", timeout=10_000)
        assert page.locator("h1").inner_text() == "Hello"


def test_imported_posts_pass_strict_checks_until_their_imported_from_line_goes(site, tmp_path, run_blog):
    assert run_blog("import", "wordpress", tmp_path / "export.xml", "--site", site).exit_code == 0
    second = site / "posts/2020/2020-01-02-second.md"  # no tags, no summary: what new writing is asked for
    assert "imported_from: https://old.example.com/2019/03/second/" in second.read_text()
    assert "1 imported post(s) have no tags" in (site / "import-report.md").read_text()
    strict = run_blog("check", "--site", site, "--strict")
    assert strict.exit_code == 0, strict.output
    second.write_text(second.read_text().replace("imported_from: https://old.example.com/2019/03/second/\n", ""))
    held = run_blog("check", "--site", site, "--strict")
    assert held.exit_code == 1
    assert "2020-01-02-second.md: no tags" in held.output


def test_pictures_at_paths_of_an_unnamed_old_blog_stop_the_import_until_old_url_or_media(site, tmp_path, run_blog, monkeypatch):
    def ghost_like(source):
        export = export_of(source)
        export.site_url = None
        export.entries[0].html = '<p><img src="/content/images/2019/03/team.jpg" alt="The team"> <a href="/tag/news/">news</a></p>'
        return export

    monkeypatch.setattr(import_run, "reader_for", lambda platform: ghost_like)
    before = tree_bytes(site)
    refused = run_blog("import", "ghost", tmp_path / "export.xml", "--site", site)
    assert refused.exit_code == 2 and "/content/images/2019/03/team.jpg" in refused.output and "--old-url" in refused.output
    assert tree_bytes(site) == before
    named = run_blog("import", "ghost", tmp_path / "export.xml", "--site", site, "--old-url", "https://ghost.example.net/")
    assert named.exit_code == 0, named.output
    body = (site / "posts/2019/2019-03-04-hello.md").read_text()
    assert "![The team](https://ghost.example.net/content/images/2019/03/team.jpg)" in body
    assert "[news](https://ghost.example.net/tag/news/)" in body
    media = tmp_path / "content"
    (media / "images/2019/03").mkdir(parents=True)
    (media / "images/2019/03/team.jpg").write_bytes(b"a team picture")
    copied = run_blog("import", "ghost", tmp_path / "export.xml", "--site", site, "--media", media, "--overwrite")
    assert copied.exit_code == 0, copied.output
    assert (site / "posts/2019/2019-03-04-hello/team.jpg").read_bytes() == b"a team picture"
