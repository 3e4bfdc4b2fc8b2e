"""The Medium reader: an export folder (tests/fixtures/import/medium) and the same as a .zip.

The folder holds two stories (figures, a featured picture, a code block split in two `pre`
paragraphs with `#include <x.h>`, tags, an embed and a link card), a `draft_*.html` and a
short post with no title heading (what a response looks like).
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.importers import medium
from generator.importers.model import Entry, Export, ExportError

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "medium"
HELLO = "posts/2019-03-04_Hello-Medium-1a2b3c4d5e6f.html"
CODE = "posts/2020-06-10_Code-and-Pictures-0f9e8d7c6b5a.html"
RESPONSE = "posts/2021-01-02_Great-point--thanks-123456abcdef.html"
DRAFT = "posts/draft_Half-Written-aabbccddeeff.html"


def zipped(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


@pytest.fixture(scope="module")
def export() -> Export:
    return medium.read(FOLDER)


def entry(export: Export, name: str) -> Entry:
    return next(e for e in export.entries if e.where.startswith(name + " "))


def test_every_story_is_read(export):
    assert export.platform == "Medium"
    assert [e.where for e in export.entries] == [
        f"{HELLO} ('Hello Medium & friends')",
        f"{CODE} ('Code and pictures')",
        f"{RESPONSE} ('Great point, thanks')",
        f"{DRAFT} ('Half written')",
    ]
    assert {e.kind for e in export.entries} == {"post"}


def test_a_story_keeps_its_fields(export):
    hello = entry(export, HELLO)
    assert hello.title == "Hello Medium & friends"
    assert hello.summary == "Why we write here"
    assert hello.status == "published"
    assert hello.date == datetime(2019, 3, 4, 10, 15, 30, 123000, tzinfo=UTC)
    assert hello.tags == ["Engineering", "Culture"]
    assert hello.authors == ["janedoe"]
    assert hello.image == "https://cdn-images-1.medium.com/max/800/1*AbC_dEf.png"
    assert hello.attention == []


def test_old_url_slug_and_feed_id_come_from_the_canonical_link(export):
    hello = entry(export, HELLO)
    assert hello.old_urls == ["https://medium.com/@janedoe/hello-medium-friends-1a2b3c4d5e6f"]
    assert hello.slug == "hello-medium-friends"  # Medium's -<12 hex> id removed
    assert hello.feed_id == "https://medium.com/p/1a2b3c4d5e6f"  # the guid of Medium's RSS
    assert entry(export, CODE).feed_id == "https://medium.com/p/0f9e8d7c6b5a"


def test_body_drops_the_repeated_title_and_medium_markup(export):
    html = entry(export, HELLO).html
    assert html.splitlines() == [
        '<p>First paragraph with <strong>bold</strong> and a <a href="https://example.com/">link</a>.</p>',
        '<figure><img alt="A whiteboard" src="https://cdn-images-1.medium.com/max/800/1*AbC_dEf.png">'
        '<figcaption>Our <a href="https://example.com/board">whiteboard</a></figcaption></figure>',
        "<blockquote>Quote me.</blockquote>",
        '<p>Next: <a href="https://medium.com/@janedoe/code-and-pictures-0f9e8d7c6b5a">code and pictures</a>.</p>',
        "<ul><li>one</li><li>two</li></ul>",
    ]


def test_code_paragraphs_become_one_code_block_with_its_language(export):
    html = entry(export, CODE).html
    assert (
        '<pre><code class="language-c">#include &lt;x.h&gt;\n\nint main(void) {\n    return 0;\n}\n\n'
        "// a second paragraph of the same code</code></pre>"
    ) in html
    assert html.count("<pre>") == 1
    assert "<p>Inline <code>x &lt; y</code> too.</p>" in html


def test_sections_figures_embeds_and_link_cards(export):
    story = entry(export, CODE)
    html = story.html
    assert html.count("<hr>") == 1  # the second section's divider; the first one is dropped
    assert '<figure><img src="https://miro.medium.com/max/800/0*left.jpeg"></figure>' in html
    assert '<figure><img src="https://miro.medium.com/max/800/0*right.jpeg"><figcaption>Left and right</figcaption></figure>' in html
    # A caption-less figure around an embed is Medium's wrapper only: the iframe stands alone.
    assert '\n<iframe src="https://medium.com/media/0123456789abcdef0123456789abcdef" width="700" height="250"></iframe>\n' in html
    assert html.endswith('<p><a href="https://example.org/guide">The guide</a> \N{EM DASH} Everything in one place</p>')
    assert "mixtapeImage" not in html and "background-image" not in html
    for leftover in ("class=", "name=", "data-", "style=", "<section", "<div", "<span"):
        assert leftover not in html.replace('class="language-c"', "")
    assert any("medium.com/media" in note for note in story.attention)
    assert story.summary is None  # an empty subtitle


def test_draft_has_no_address_date_or_feed_id(export):
    draft = entry(export, DRAFT)
    assert draft.status == "draft"
    assert draft.date is None and draft.old_urls == [] and draft.feed_id is None and draft.slug is None
    assert draft.html == "<p>Ideas so far.</p>"


def test_a_post_without_a_title_heading_is_flagged_as_a_possible_response(export):
    response = entry(export, RESPONSE)
    assert response.status == "published"
    assert response.html == "<p>Great point, thanks for writing this up.</p>"
    assert any("may be a response" in note for note in response.attention)
    assert any("responses" in note for note in export.attention)


def test_export_level_values(export):
    assert export.site_url == "https://medium.com"
    assert any("medium.com, which Medium keeps" in note for note in export.attention)
    assert export.upload_hosts == frozenset({"cdn-images-1.medium.com", "miro.medium.com"})
    assert [(a.key, a.name, a.url) for a in export.authors] == [("janedoe", "Jane Doe", "https://medium.com/@janedoe")]


@pytest.mark.parametrize("prefix", ["", "medium-export/"])
def test_the_zip_reads_like_the_folder(export, tmp_path, prefix):
    from_zip = medium.read(zipped(FOLDER, tmp_path / "medium.zip", prefix))
    assert from_zip.entries == export.entries
    assert from_zip.authors == export.authors and from_zip.site_url == export.site_url


def test_the_unpacked_folder_one_level_up_is_found(export, tmp_path):
    shutil.copytree(FOLDER, tmp_path / "medium-export")
    assert medium.read(tmp_path).entries == export.entries
    assert medium.read(tmp_path / "medium-export" / "posts").entries == export.entries


@pytest.mark.parametrize("bad_name", ["../evil.html", "/etc/posts/x.html", "posts/../../x.html", "C:/posts/x.html"])
def test_zip_member_outside_the_archive_is_refused(tmp_path, bad_name):
    archive = zipped(FOLDER, tmp_path / "medium.zip")
    with zipfile.ZipFile(archive, "a") as out:
        out.writestr(bad_name, "<html></html>")
    with pytest.raises(ExportError, match="a path outside the archive"):
        medium.read(archive)


def test_zip_member_larger_than_it_claims_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(medium, "MAX_POST_BYTES", 1000)
    with pytest.raises(ExportError, match="larger than any Medium export holds"):
        medium.read(zipped(FOLDER, tmp_path / "medium.zip"))


def test_damaged_zip_is_an_error(tmp_path):
    archive = zipped(FOLDER, tmp_path / "medium.zip")
    data = bytearray(archive.read_bytes())
    start = data.index(b"PK\x03\x04") + 60  # inside the first member's compressed bytes
    data[start : start + 40] = b"\xff" * 40
    archive.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="damaged"):
        medium.read(archive)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d, "has no posts/ folder"),
        (lambda d: (d / "posts").mkdir() or d, "holds no .html stories"),
        (lambda d: (d / "export.json").write_text("{}") and d / "export.json", "neither a folder nor a .zip"),
        (lambda d: d / "missing", "does not exist"),
    ],
)
def test_what_is_not_a_medium_export_is_refused(tmp_path, make, says):
    with pytest.raises(ExportError, match=says):
        medium.read(make(tmp_path))


def test_a_page_without_microformats_names_the_file(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "2020-01-01_Other.html").write_text("<html><body><p>Just a page</p></body></html>")
    with pytest.raises(ExportError, match=r"posts/2020-01-01_Other.html: has no e-content"):
        medium.read(tmp_path)


def test_a_zip_without_stories_is_refused(tmp_path):
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("profile/profile.html", "<html></html>")
    with pytest.raises(ExportError, match=r"no posts/\*\.html"):
        medium.read(archive)


def on_own_domain(tmp_path: Path, names: tuple[str, ...] = (HELLO, CODE, RESPONSE)) -> Path:
    """The fixture as a publication on its own domain: blog.northwind.example/<slug>-<id>."""
    copy = tmp_path / "export"
    shutil.copytree(FOLDER, copy)
    for name in names:
        path = copy / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("https://medium.com/@janedoe/", "https://blog.northwind.example/"), encoding="utf-8"
        )
    return copy


def test_a_publication_on_its_own_domain_is_the_site_url(tmp_path):
    export = medium.read(on_own_domain(tmp_path))
    assert export.site_url == "https://blog.northwind.example"
    assert entry(export, HELLO).old_urls == ["https://blog.northwind.example/hello-medium-friends-1a2b3c4d5e6f"]
    assert entry(export, HELLO).slug == "hello-medium-friends"
    assert not any("which Medium keeps" in note for note in export.attention)


def test_stories_on_several_hosts_have_no_site_url(tmp_path):
    export = medium.read(on_own_domain(tmp_path, (HELLO,)))
    assert export.site_url is None
    assert any("more than one host" in note for note in export.attention)
