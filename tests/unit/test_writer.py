"""writer.py: list[OutputFile] -> the output folder, all or nothing, keeping unchanged files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.errors import BuildFailed, ContentError
from generator.output import OutputFile, check_collisions
from generator.writer import write_output


def data(path: str, text: str) -> OutputFile:
    return OutputFile(PurePosixPath(path), text.encode("utf-8"), None)


def copied(path: str, source: Path) -> OutputFile:
    return OutputFile(PurePosixPath(path), None, source)


def staging_leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def test_writes_every_file(tmp_path, snapshot):
    source = tmp_path / "pic.png"
    source.write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    report = write_output([data("index.html", "home"), data("2026/01/a/index.html", "a"), copied("img/pic.png", source)], out)
    assert snapshot(out) == {"index.html": b"home", "2026/01/a/index.html": b"a", "img/pic.png": b"\x89PNG"}
    assert (report.written, report.unchanged) == (3, 0)
    assert staging_leftovers(out) == []


def test_creates_missing_parent_folders(tmp_path):
    out = tmp_path / "deep" / "er" / "out"
    write_output([data("index.html", "x")], out)
    assert (out / "index.html").read_text() == "x"


def test_files_no_longer_built_disappear(tmp_path):
    out = tmp_path / "out"
    write_output([data("a.html", "a"), data("old/b.html", "b")], out)
    write_output([data("a.html", "a")], out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a.html"]


def test_unchanged_files_keep_their_inode_and_changed_ones_are_replaced(tmp_path):
    source = tmp_path / "pic.png"
    source.write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    write_output([data("same.html", "same"), data("changed.html", "v1"), copied("pic.png", source)], out)
    before = {name: (out / name).stat().st_ino for name in ("same.html", "changed.html", "pic.png")}
    report = write_output([data("same.html", "same"), data("changed.html", "v2"), copied("pic.png", source)], out)
    assert (out / "same.html").stat().st_ino == before["same.html"]
    assert (out / "pic.png").stat().st_ino == before["pic.png"]
    assert (out / "changed.html").read_text() == "v2"
    assert (report.written, report.unchanged) == (1, 2)


def test_same_size_different_bytes_is_rewritten(tmp_path):
    out = tmp_path / "out"
    write_output([data("a.html", "abc")], out)
    write_output([data("a.html", "xyz")], out)
    assert (out / "a.html").read_text() == "xyz"


def test_failure_mid_write_leaves_the_previous_output_intact(tmp_path, snapshot):
    out = tmp_path / "out"
    write_output([data("index.html", "old home"), data("2026/a/index.html", "old a")], out)
    before = snapshot(out)
    inode = (out / "index.html").stat().st_ino
    files = [data("index.html", "new home"), data("new.html", "new"), copied("img/missing.png", tmp_path / "does-not-exist.png")]
    with pytest.raises(ContentError) as caught:
        write_output(files, out)
    assert caught.value.exit_code == 1
    assert "does-not-exist.png" in str(caught.value.path) or "does-not-exist.png" in caught.value.message
    assert snapshot(out) == before
    assert (out / "index.html").stat().st_ino == inode
    assert staging_leftovers(out) == []


def test_interrupt_mid_write_leaves_the_previous_output_intact(tmp_path, snapshot, monkeypatch):
    out = tmp_path / "out"
    write_output([data("index.html", "old")], out)
    before = snapshot(out)
    source = tmp_path / "pic.png"
    source.write_bytes(b"png")

    def interrupted(*args, **kwargs):  # Ctrl-C in the middle of the write
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.writer.shutil.copyfile", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output([data("a.html", "a"), copied("pic.png", source)], out)
    assert snapshot(out) == before
    assert staging_leftovers(out) == []


def test_leftovers_of_an_interrupted_build_are_removed(tmp_path):
    out = tmp_path / "out"
    stale_staging = tmp_path / ".out.staging-123-456"
    stale_old = tmp_path / ".out.old-123-456"
    for folder in (stale_staging, stale_old):
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "index.html").write_text("half a site")
    unrelated = tmp_path / ".other.staging-1"
    unrelated.mkdir()
    write_output([data("index.html", "x")], out)
    assert not stale_staging.exists() and not stale_old.exists()
    assert unrelated.exists()  # another output folder's business
    assert staging_leftovers(out) == [".other.staging-1"]


def test_refuses_paths_outside_the_output_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ContentError):
        write_output([data("../escape.html", "x")], out)
    assert not (tmp_path / "escape.html").exists()
    assert not out.exists()
    assert staging_leftovers(out) == []


def test_output_folder_that_is_a_file_is_an_error(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    with pytest.raises(ContentError):
        write_output([data("index.html", "x")], out)
    assert out.read_text() == "not a folder"


def test_collisions_name_both_sources(tmp_path):
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    files = [OutputFile(PurePosixPath("x/index.html"), b"1", a), OutputFile(PurePosixPath("X/index.html"), b"2", b)]
    with pytest.raises(BuildFailed) as caught:
        check_collisions(files)
    (error,) = caught.value.errors
    assert str(a) in error.message and str(b) in error.message
    check_collisions([files[0], OutputFile(PurePosixPath("y/index.html"), b"2", b)])  # no error


def test_unusable_parent_folder_is_a_content_error(tmp_path):
    parent = tmp_path / "a-file"
    parent.write_text("x")
    with pytest.raises(ContentError):
        write_output([data("index.html", "x")], parent / "out")
    assert parent.read_text() == "x"
