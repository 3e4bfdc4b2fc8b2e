"""`blog import ghost EXPORT.json` through the command line, into a blog made by `blog init`.

The export is tests/fixtures/import/ghost/export.json (see tests/unit/test_import_ghost.py);
the pictures its posts show are made here in a copy of Ghost's content folder for --media.
After the import the blog builds, its feeds keep Ghost's post ids, the old `/slug/` addresses
redirect (or are the new address), and what was not public on Ghost is not published.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from conftest import tree_bytes
from import_checks import feed_ids, import_and_build, init_blog
from PIL import Image

OLD = "https://old.example.com"
EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "ghost" / "export.json"
PUBLISHED_IDS = {"5c7f00000000000000000001", "5c7f00000000000000000002", "5c7f00000000000000000009"}
NOT_PUBLIC_IDS = {
    "5c7f00000000000000000004",  # draft
    "5c7f00000000000000000005",  # scheduled for 2099
    "5c7f00000000000000000006",  # members only
    "5c7f00000000000000000007",  # paid members only
    "5c7f00000000000000000008",  # sent by e-mail only
}
PICTURES = [
    "images/2019/03/cover.jpg",
    "images/2019/03/team.jpg",
    "images/size/w600/2019/03/team.jpg",
    "images/2024/01/diagram.png",
    "images/2024/01/a.jpg",
    "images/2024/01/b.jpg",
    "images/2024/01/demo-thumb.jpg",
    "images/2017/05/old.png",
]


MEDIA = ["media/2024/01/demo.mp4", "media/2024/01/episode.mp3"]


def ghost_content_folder(folder: Path) -> Path:
    """Ghost's content/ folder holding the export's pictures (small real images) and media."""
    for rel in PICTURES:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 80, 40)).save(data, "PNG" if rel.endswith(".png") else "JPEG")
        path.write_bytes(data.getvalue())
    for rel in MEDIA:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"\x00\x00\x00\x18ftypmp42 not really playable")
    return folder


@pytest.fixture
def new_blog(tmp_path, run_blog) -> Path:
    return init_blog(run_blog, tmp_path / "blog", "--url", "https://blog.example.com")


@pytest.fixture
def imported(new_blog, tmp_path, run_blog) -> Path:
    """The blog after the import and a build: returns the built folder."""
    content = ghost_content_folder(tmp_path / "content")
    # The export does not name the blog's address: --old-url gives it, for the links to Ghost
    # pages that are not in the export (a sign-up page), which then point back at the old blog.
    out = import_and_build(run_blog, new_blog, "ghost", EXPORT, "--media", content, "--old-url", OLD, build_strict=True, check_strict=True)
    assert "members-only" in (new_blog / "import-report.md").read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml"])
def test_feeds_keep_ghosts_post_ids(imported, feed):
    ids = feed_ids(imported, feed)
    assert PUBLISHED_IDS <= ids
    assert not ids & NOT_PUBLIC_IDS


def test_old_slug_addresses_redirect_to_the_new_posts(imported):
    redirect = (imported / "hello-ghost" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=/2019/03/hello-ghost/"' in redirect
    lexical = (imported / "lexical-only" / "index.html").read_text(encoding="utf-8")
    assert "url=/2024/01/lexical-only/" in lexical
    # From 2017's canonical_url (/2017/05/from-2017/) is its new address itself: the post, not a redirect.
    post = (imported / "2017" / "05" / "from-2017" / "index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in post and "Written in <em>Markdown</em>" in post
    assert (imported / "from-2017" / "index.html").is_file()


def test_what_was_not_public_on_ghost_is_not_published(imported):
    for folder in ("members-secret", "paid-report", "newsletter-1", "coming-soon", "untitled"):
        assert not (imported / folder).exists()
    for rel, data in tree_bytes(imported).items():
        text = data.decode("utf-8", errors="replace")
        for secret in ("Members part", "Public teaser", "Numbers.", "Hi subscribers", "Not yet.", "Soon."):
            assert secret not in text, f"{secret!r} published in {rel}"


def test_bodies_links_and_pictures_come_through(imported, new_blog):
    hello = (imported / "2019" / "03" / "hello-ghost" / "index.html").read_text(encoding="utf-8")
    assert "&lt;x.h&gt;" in hello and "#include" in hello
    lexical = (imported / "2024" / "01" / "lexical-only" / "index.html").read_text(encoding="utf-8")
    assert 'href="/2019/03/hello-ghost/"' in lexical  # a link between imported posts
    assert "print" in lexical and "<details>" in lexical
    assert f'href="{OLD}/signup/"' in lexical  # a Ghost page not in the export: the old address
    # Every picture was copied beside its post (from --media): nothing points at Ghost's folder.
    for page in (hello, lexical):
        assert "/content/images/" not in page
    assert (new_blog / "posts" / "2019" / "2019-03-04-hello-ghost").is_dir()
    for rel, data in tree_bytes(imported).items():
        assert b"__GHOST_URL__" not in data, rel


def test_authors_go_into_site_toml_without_emails(imported, new_blog):
    authors = tomllib.loads((new_blog / "site.toml").read_text(encoding="utf-8"))["authors"]
    assert authors == {"jane": {"name": "Jane Doe", "url": "https://jane.example"}, "ravi": {"name": "Ravi Kumar"}}
    assert (imported / "authors").is_dir()


def test_pictures_not_in_media_stop_the_import(new_blog, tmp_path, run_blog):
    # Root-relative pictures with no --media and no --old-url would all be broken links.
    before = tree_bytes(new_blog)
    result = run_blog("import", "ghost", EXPORT, "--site", new_blog)
    assert result.exit_code != 0
    assert "--media" in result.output
    assert tree_bytes(new_blog) == before


def test_a_file_that_is_not_a_ghost_export_changes_nothing(new_blog, tmp_path, run_blog):
    before = tree_bytes(new_blog)
    wrong = tmp_path / "export.xml"
    wrong.write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', encoding="utf-8")
    result = run_blog("import", "ghost", wrong, "--site", new_blog)
    assert result.exit_code == 1
    assert "not Ghost's JSON export" in result.output
    truncated = tmp_path / "cut.json"
    truncated.write_text(EXPORT.read_text(encoding="utf-8")[:3000], encoding="utf-8")
    result = run_blog("import", "ghost", truncated, "--site", new_blog)
    assert result.exit_code == 1
    assert "cut.json:" in result.output and "truncated" in result.output
    assert tree_bytes(new_blog) == before
