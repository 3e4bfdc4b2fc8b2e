"""Faults: a build that dies part-way, a full disk, a read-only output, a killed swap, and a
long random editing session under `blog watch`. The previous site is never lost, nothing is
left behind, and the watcher ends with what a clean build gives."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_sample_site, post, tree_bytes
from test_watch_serve import BlogProcess, atomic_save, clean_build, wait_until_output_is

from generator.writer import remove_leftovers


def _built_sample(tmp_path: Path, run_blog) -> tuple[Path, dict[str, bytes]]:
    site = copy_sample_site(tmp_path / "site")
    assert run_blog("build", "--site", site, "--jobs", "1").exit_code == 0
    # An edit, so that the next build has something new to write.
    first = sorted((site / "posts").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nAn edit the failed build never publishes.\n", encoding="utf-8")
    return site, tree_bytes(site / "_site")


def _leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith("._site."))


def _fail_on_the_nth_write(monkeypatch, n: int, error: BaseException) -> None:
    """Make the writer's n-th file write raise `error` (as a full disk or a kill would, mid-way)."""
    calls = {"count": 0}
    real_write_bytes = Path.write_bytes

    def write_bytes(self, data):
        if ".staging-" in str(self):
            calls["count"] += 1
            if calls["count"] == n:
                raise error
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


@pytest.mark.parametrize(
    "error, message",
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
        (OSError(errno.EACCES, "Permission denied"), "Permission denied"),
    ],
    ids=["full disk", "read-only file system", "permission denied"],
)
def test_a_write_error_part_way_is_reported_and_the_previous_site_kept(tmp_path, run_blog, monkeypatch, error, message):
    site, before = _built_sample(tmp_path, run_blog)
    _fail_on_the_nth_write(monkeypatch, 3, error)
    result = run_blog("build", "--site", site, "--jobs", "1")
    assert result.exit_code == 1
    assert "cannot write /" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert tree_bytes(site / "_site") == before
    assert _leftovers(site) == []


def test_an_unexpected_exception_part_way_leaves_the_previous_site(tmp_path, run_blog, monkeypatch):
    site, before = _built_sample(tmp_path, run_blog)
    _fail_on_the_nth_write(monkeypatch, 2, KeyboardInterrupt())
    result = run_blog("build", "--site", site, "--jobs", "1")
    assert result.exit_code == 130
    assert "interrupted; the previous output is unchanged" in result.output
    assert tree_bytes(site / "_site") == before
    assert _leftovers(site) == []
    monkeypatch.undo()
    assert run_blog("build", "--site", site, "--jobs", "1").exit_code == 0
    assert tree_bytes(site / "_site") != before and _leftovers(site) == []


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path, run_blog):
    site = copy_sample_site(tmp_path / "site")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = run_blog("build", "--site", site, "--out", tmp_path / "a-file" / "_site")
    assert result.exit_code == 1
    assert "cannot write the output folder" in result.output and "a-file" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders: the monkeypatched cases cover it")
def test_a_read_only_output_parent_is_a_clear_error(tmp_path, run_blog):
    site = copy_sample_site(tmp_path / "site")
    parent = tmp_path / "read-only"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = run_blog("build", "--site", site, "--out", parent / "_site")
    finally:
        parent.chmod(0o755)
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output


def test_a_swap_killed_between_its_renames_loses_nothing(tmp_path):
    """The writer renames _site aside, then the staging folder in: a kill between the two
    leaves only `._site.old-*`. The next build puts it back before anything else."""
    out = tmp_path / "_site"
    old = tmp_path / "._site.old-123-456"
    old.mkdir()
    (old / "index.html").write_text("the previous site", encoding="utf-8")
    staging = tmp_path / "._site.staging-123-789"
    staging.mkdir()
    (staging / "index.html").write_text("half a site", encoding="utf-8")
    remove_leftovers(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "the previous site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_sigterm_while_writing_keeps_the_previous_site(tmp_path, corpus):
    site = corpus(400)
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--jobs", "1"]
    assert subprocess.run(command, capture_output=True, cwd=tmp_path).returncode == 0
    before = tree_bytes(site / "_site")
    for path in sorted((site / "posts").glob("*.md"))[:50]:  # so the next build has pages to write
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, text=True)
    deadline = time.monotonic() + 120
    while not _leftovers(site) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)  # until the staging folder exists: the build is writing
    time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the build finished before SIGTERM arrived")
    assert process.returncode == 130, stdout + stderr
    assert "interrupted; the previous output is unchanged" in stderr
    assert "Traceback" not in stderr
    assert tree_bytes(site / "_site") == before
    assert _leftovers(site) == []


# -- a long random editing session under blog watch -------------------------------------------


def _random_session_step(rng: random.Random, posts: Path, step: int) -> str:
    """One random change to the posts folder; returns what it did."""
    existing = sorted(p for p in posts.rglob("*.md"))
    kind = rng.choice(["edit", "edit", "edit", "atomic", "title", "add", "delete", "rename", "break", "tags"])
    if not existing or kind == "add":
        day = rng.randint(1, 28)
        path = posts / f"2024-{rng.randint(1, 12):02d}-{day:02d}-added-{step}.md"
        path.write_text(post(f"Added {step}", f"Body {step}.", tags=f"[t{rng.randint(1, 5)}]"), encoding="utf-8")
        return f"add {path.name}"
    target = rng.choice(existing)
    text = target.read_text(encoding="utf-8")
    if kind == "edit":
        target.write_text(text + f"\nEdit {step} with *emphasis* and `code`.\n", encoding="utf-8")
    elif kind == "atomic":
        atomic_save(target, text + f"\nAtomic edit {step}.\n")
    elif kind == "title":
        target.write_text(text.replace("title: ", f"title: S{step} ", 1), encoding="utf-8")
    elif kind == "tags":
        target.write_text(post(f"Retagged {step}", f"Body {step}.", tags=f"[t{rng.randint(1, 5)}, t{rng.randint(1, 5)}]"), encoding="utf-8")
    elif kind == "delete":
        target.unlink()
    elif kind == "rename":
        target.rename(target.with_name(f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}-renamed-{step}.md"))
    else:  # break the front matter; a later edit of this file or another fixes or replaces it
        target.write_text("---\ntitle: [unclosed\n---\nBroken.\n", encoding="utf-8")
    return f"{kind} {target.name}"


def test_watch_survives_a_long_random_editing_session(tmp_path):
    """240 random changes (edits, atomic saves, retitles, retags, additions, deletions, renames,
    broken front matter), some in quick bursts; every 60 the broken files are fixed and the output
    must equal a clean build; at the end the watcher is still running."""
    site = tmp_path / "site"
    posts = site / "posts"
    posts.mkdir(parents=True)
    (site / "site.toml").write_text('[site]\ntitle = "Random"\nbase_url = "https://r.example.com"\n', encoding="utf-8")
    for n in range(12):
        (posts / f"2024-01-{n + 1:02d}-post-{n}.md").write_text(post(f"Post {n}", f"Body {n}.", tags=f"[t{n % 5}]"), encoding="utf-8")
    rng = random.Random(20261125)
    blog = BlogProcess("watch", "--site", site, cwd=tmp_path)
    done = []
    try:
        blog.wait_for(r"^built ")
        for step in range(240):
            done.append(_random_session_step(rng, posts, step))
            time.sleep(rng.choice([0, 0, 0.01, 0.03, 0.08, 0.2]))  # bursts and pauses
            if step % 60 == 59:
                for path in posts.rglob("*.md"):  # fix whatever is broken, then compare
                    if "[unclosed" in path.read_text(encoding="utf-8"):
                        path.write_text(post(f"Fixed at {step}", "Fixed."), encoding="utf-8")
                wait_until_output_is(site / "_site", clean_build(site, tmp_path / "clean"), blog, timeout=30)
        assert blog.alive()
        rebuilds = blog.count(r"^built ") + blog.count(r"^still watching", "stderr")
        print(f"{rebuilds} rebuilds for 240 changes")
        assert rebuilds > 40, blog.output()  # bursts were debounced, but it did keep rebuilding
    finally:
        blog.kill()
    assert len(done) == 240
