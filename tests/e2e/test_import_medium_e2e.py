"""`blog import medium FOLDER_OR_ZIP` through the command line, into a blog made by `blog init`.

The export is tests/fixtures/import/medium (see tests/unit/test_import_medium.py), given as
the folder and as a .zip made here from it. After the import the blog builds, its feeds keep
Medium's ids (https://medium.com/p/<id>), links between the stories lead to the new posts,
and on a publication with its own domain the old paths redirect to the new posts.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import tree_bytes
from import_checks import feed_ids, import_and_build, init_blog

FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "medium"
PUBLISHED_IDS = {"https://medium.com/p/1a2b3c4d5e6f", "https://medium.com/p/0f9e8d7c6b5a", "https://medium.com/p/123456abcdef"}


def zipped(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(folder).as_posix())
    return archive


def new_blog(folder: Path, run_blog) -> Path:
    return init_blog(run_blog, folder, "--url", "https://blog.example.com")


@pytest.fixture
def imported(tmp_path, run_blog) -> Path:
    return import_and_build(run_blog, new_blog(tmp_path / "blog", run_blog), "medium", FOLDER, build_strict=True, check_strict=True)


@pytest.mark.parametrize("feed", ["feed.xml", "atom.xml"])
def test_feeds_keep_mediums_ids(imported, feed):
    ids = feed_ids(imported, feed)
    assert PUBLISHED_IDS <= ids
    assert not any("aabbccddeeff" in entry_id for entry_id in ids)  # the draft


def test_stories_come_through_and_the_draft_is_not_published(imported):
    hello = (imported / "2019" / "03" / "hello-medium-friends" / "index.html").read_text(encoding="utf-8")
    assert "Hello Medium &amp; friends" in hello
    assert 'href="/2020/06/code-and-pictures/"' in hello  # a link to another story, rewritten
    assert "<figcaption>" in hello
    code = (imported / "2020" / "06" / "code-and-pictures" / "index.html").read_text(encoding="utf-8")
    assert "&lt;x.h&gt;" in code and "a second paragraph of the same code" in code
    assert '<iframe src="https://medium.com/media/' in code
    for rel, data in tree_bytes(imported).items():
        assert b"Ideas so far" not in data, rel
        assert b"graf--" not in data, rel


def test_the_zip_imports_the_same_files_as_the_folder(tmp_path, run_blog):
    from_folder = new_blog(tmp_path / "from-folder", run_blog)
    from_zip = new_blog(tmp_path / "from-zip", run_blog)
    for site, source in ((from_folder, FOLDER), (from_zip, zipped(FOLDER, tmp_path / "medium-export.zip"))):
        result = run_blog("import", "medium", source, "--site", site)
        assert result.exit_code == 0, result.output

    def posts(site: Path) -> dict[str, bytes]:
        # An undated draft is dated by the import itself: the two imports differ in that line only.
        undated = re.compile(rb"^date: .*\n", re.MULTILINE)
        return {
            rel: undated.sub(b"", data) if rel.startswith("drafts/") else data
            for rel, data in tree_bytes(site / "posts").items()
            if "welcome" not in rel
        }

    assert posts(from_folder) == posts(from_zip)
    assert len(posts(from_zip)) == 4


def test_medium_com_addresses_are_reported_not_redirected(imported):
    report = (imported.parent / "import-report.md").read_text(encoding="utf-8")
    assert "medium.com, which Medium keeps" in report


def test_a_publication_on_its_own_domain_redirects_its_old_paths(tmp_path, run_blog):
    export = tmp_path / "export"
    shutil.copytree(FOLDER, export)
    for page in (export / "posts").glob("2*.html"):
        page.write_text(
            page.read_text(encoding="utf-8").replace("https://medium.com/@janedoe/", "https://blog.northwind.example/"), encoding="utf-8"
        )
    out = import_and_build(run_blog, new_blog(tmp_path / "blog", run_blog), "medium", export, build_strict=True, check_strict=True)
    redirect = (out / "hello-medium-friends-1a2b3c4d5e6f" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=/2019/03/hello-medium-friends/"' in redirect
    assert (out / "code-and-pictures-0f9e8d7c6b5a" / "index.html").is_file()


def test_an_archive_with_a_path_outside_it_changes_nothing(tmp_path, run_blog):
    site = new_blog(tmp_path / "blog", run_blog)
    before = tree_bytes(site)
    archive = zipped(FOLDER, tmp_path / "evil.zip")
    with zipfile.ZipFile(archive, "a") as out:
        out.writestr("../../outside.html", "<html></html>")
    result = run_blog("import", "medium", archive, "--site", site)
    assert result.exit_code == 1
    assert "a path outside the archive" in result.output
    assert tree_bytes(site) == before
    assert not (tmp_path / "outside.html").exists()
