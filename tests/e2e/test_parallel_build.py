"""Pages, feeds and redirects rendered by forked worker processes (generator/parallel.py):
the same bytes as `--jobs 1` (sample site, a generated corpus, incremental rebuilds), the same
errors (template errors with their file and line, collisions), and every guarantee of the
writer kept: a failed, crashed or interrupted build leaves the previous site and no staging
folder, and no worker behind."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NOW, REPO, copy_sample_site, post, tree_bytes

import generator.parallel
from generator.build import BuildOptions, build
from generator.errors import BuildFailed
from generator.render import _Pages

pytestmark = pytest.mark.skipif(not generator.parallel.fork_available(), reason="worker processes are forked: no fork here")


@pytest.fixture
def workers_used(monkeypatch) -> list[int]:
    """The number of workers of each build that forked some (none: rendered in-process)."""
    used: list[int] = []
    real = generator.parallel.render_in_workers

    def spy(groups, reuse, fingerprints, workers, *args, **kwargs):
        used.append(workers)
        return real(groups, reuse, fingerprints, workers, *args, **kwargs)

    monkeypatch.setattr(generator.parallel, "render_in_workers", spy)
    return used


@pytest.fixture
def small_chunks(monkeypatch) -> None:
    """Workers for any site, one job a chunk: every two pages are rendered in different chunks."""
    monkeypatch.setattr(generator.parallel, "MIN_JOBS_PER_WORKER", 1)
    monkeypatch.setattr(generator.parallel, "CHUNK_MIN", 1)
    monkeypatch.setattr(generator.parallel, "CHUNK_MAX", 1)


def _build(site: Path, out: Path, jobs: int, **options):
    return build(BuildOptions(site_dir=site, out_dir=out, jobs=jobs, now=NOW, **options))


def _errors(site: Path, out: Path, jobs: int) -> list[tuple[str, Path | None, int | None]]:
    with pytest.raises(BuildFailed) as failed:
        _build(site, out, jobs)
    return [(error.message, error.path, error.line) for error in failed.value.errors]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def test_the_sample_site_in_workers_is_byte_identical(tmp_path, workers_used, small_chunks):
    site = copy_sample_site(tmp_path / "site")
    one = _build(site, tmp_path / "one", 1, use_cache=False)
    assert workers_used == []
    two = _build(site, tmp_path / "two", 2, use_cache=False)
    assert workers_used == [2]
    assert tree_bytes(tmp_path / "two") == tree_bytes(tmp_path / "one")
    assert (two.pages, two.files, two.written, two.unchanged) == (one.pages, one.files, one.written, one.unchanged)
    assert gc.get_freeze_count() == 0  # the site's objects are collectable again


def test_a_generated_corpus_in_workers_is_byte_identical_and_so_are_its_rebuilds(tmp_path, corpus, workers_used):
    """A few hundred posts: above the threshold, so workers with the real chunking. Then the
    same edits built both ways: the same files, the same pages linked from the last output."""
    site = corpus(300)
    one, two = site / "_one", site / "_two"
    first_one, first_two = _build(site, one, 1), _build(site, two, 3)
    assert workers_used == [3]
    assert tree_bytes(two) == tree_bytes(one)
    assert (first_two.pages, first_two.files, first_two.written) == (first_one.pages, first_one.files, first_one.written)
    posts = sorted((site / "posts").glob("*.md"))
    for path in posts[10:13]:
        path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    posts[40].unlink()
    again_one, again_two = _build(site, one, 1), _build(site, two, 2)
    assert workers_used == [3, 2]
    assert tree_bytes(two) == tree_bytes(one)
    assert (again_two.written, again_two.unchanged) == (again_one.written, again_one.unchanged)
    assert 0 < again_two.written < again_two.unchanged  # most pages were linked, not written
    # Recorded fingerprints are the same too: the next builds reuse the same pages.
    for path in posts[20:22]:
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    third_one, third_two = _build(site, one, 1), _build(site, two, 2)
    assert tree_bytes(two) == tree_bytes(one)
    assert (third_two.written, third_two.unchanged) == (third_one.written, third_one.unchanged)
    inode = (two / "archive" / "index.html").stat().st_ino
    assert _build(site, two, 2, skip_if_unchanged=False).unchanged == third_two.files  # nothing changed: all linked
    assert (two / "archive" / "index.html").stat().st_ino == inode


def test_template_errors_in_workers_are_reported_as_in_one_process(tmp_path, workers_used, small_chunks):
    """A post template that fails on some posts: the same errors, in the same order, each at the
    template's file and line; at most 20 of one template, the same 20."""
    site = copy_sample_site(tmp_path / "site")
    for n in range(30):
        (site / "posts" / f"2024-03-{n % 28 + 1:02d}-broken-{n}.md").write_text(post(f"Broken {n}", "Text."), encoding="utf-8")
    theme_post = (REPO / "themes" / "default" / "templates" / "post.html").read_text(encoding="utf-8")
    (site / "templates").mkdir(exist_ok=True)
    broken = '{% block content %}{% if "Broken" in post.title %}{{ post.title | int // 0 }}{% endif %}'
    (site / "templates" / "post.html").write_text(theme_post.replace("{% block content %}", broken, 1), encoding="utf-8")
    one = _errors(site, tmp_path / "one", 1)
    two = _errors(site, tmp_path / "two", 2)
    assert workers_used == [2]
    assert two == one
    assert len(one) == 20 and all(path == site / "templates" / "post.html" and line for _, path, line in one)
    assert "ZeroDivisionError" in one[0][0] and "while rendering posts/" in one[0][0]
    assert not (tmp_path / "two").exists() and _leftovers(tmp_path / "two") == []


def test_collisions_between_workers_are_found(tmp_path, workers_used, small_chunks):
    """A redirect onto a page (both made by workers), then a static file onto a post page (one
    made by a worker, one by the parent): the error a single process reports."""
    site = copy_sample_site(tmp_path / "site")
    (site / "posts" / "2024-05-03-moved.md").write_text(post("Moved", "Text.", aliases="[/archive/]"), encoding="utf-8")
    one = _errors(site, tmp_path / "one", 1)
    two = _errors(site, tmp_path / "two", 2)
    assert two == one and one[0][0].startswith("two outputs would be written to /archive/index.html: the generator and ")
    (site / "posts" / "2024-05-03-moved.md").unlink()
    (site / "static" / "2024" / "05" / "same").mkdir(parents=True)
    (site / "static" / "2024" / "05" / "same" / "index.html").write_text("a static page", encoding="utf-8")
    (site / "posts" / "2024-05-17-same.md").write_text(post("Same", "Text."), encoding="utf-8")
    one = _errors(site, tmp_path / "one", 1)
    two = _errors(site, tmp_path / "two", 2)
    assert workers_used == [2, 2]
    assert two == one and one[0][0].startswith("two outputs would be written to /2024/05/same/index.html: ")
    assert not (tmp_path / "two").exists() and _leftovers(tmp_path / "two") == []


def test_a_write_error_in_a_worker_keeps_the_previous_site(tmp_path, run_blog, monkeypatch, small_chunks):
    site = copy_sample_site(tmp_path / "site")
    assert run_blog("build", "--site", site, "--jobs", "2").exit_code == 0
    before = tree_bytes(site / "_site")
    first = sorted((site / "posts").glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nAn edit never published.\n", encoding="utf-8")
    real_write_bytes = Path.write_bytes

    def full_disk(self, data):
        if ".staging-" in str(self) and os.getpid() != parent:
            raise OSError(28, "No space left on device")
        return real_write_bytes(self, data)

    parent = os.getpid()
    monkeypatch.setattr(Path, "write_bytes", full_disk)
    result = run_blog("build", "--site", site, "--jobs", "2")
    assert result.exit_code == 1, result.output
    assert "cannot write /" in result.output and "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert tree_bytes(site / "_site") == before and _leftovers(site / "_site") == []


def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path, run_blog, monkeypatch, small_chunks):
    site = copy_sample_site(tmp_path / "site")
    assert run_blog("build", "--site", site, "--jobs", "2").exit_code == 0
    before = tree_bytes(site / "_site")
    (site / "posts" / "2024-06-01-new.md").write_text(post("New", "A post the killed build never publishes."), encoding="utf-8")
    parent, real_render = os.getpid(), _Pages.render

    def render(self, job):
        if os.getpid() != parent and job.template == "archive.html":
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
        return real_render(self, job)

    monkeypatch.setattr(_Pages, "render", render)
    started = time.monotonic()
    result = run_blog("build", "--site", site, "--jobs", "2")
    assert time.monotonic() - started < 60
    assert result.exit_code == 1, result.output
    assert "a build worker (process " in result.output and "was killed by signal SIGKILL" in result.output
    assert "Traceback" not in result.output
    assert tree_bytes(site / "_site") == before and _leftovers(site / "_site") == []


def test_without_fork_or_with_one_job_pages_are_rendered_in_process(tmp_path, workers_used, monkeypatch):
    site = copy_sample_site(tmp_path / "site")
    monkeypatch.setattr(generator.parallel, "MIN_JOBS_PER_WORKER", 1)
    _build(site, tmp_path / "one", 1)
    monkeypatch.setattr(generator.parallel, "fork_available", lambda: False)
    _build(site, tmp_path / "two", 2)
    assert workers_used == []
    assert tree_bytes(tmp_path / "two") == tree_bytes(tmp_path / "one")


def _workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(n) for n in children.read_text().split()] if children.exists() else []


@pytest.mark.parametrize("how", ["SIGTERM to the build", "Ctrl-C to the process group"])
def test_an_interrupt_while_workers_write_keeps_the_previous_site(tmp_path, corpus, how):
    site = corpus(400)
    command = [sys.executable, "-m", "generator", "build", "--site", str(site), "--jobs", "2"]
    assert subprocess.run(command, capture_output=True, cwd=tmp_path).returncode == 0
    before = tree_bytes(site / "_site")
    for path in sorted((site / "posts").glob("*.md"))[:50]:  # so the next build has pages to write
        path.write_text(path.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and process.poll() is None:
        workers = _workers_of(process.pid)
        if _leftovers(site / "_site") and len(workers) >= 2:
            break  # writing, with its two workers
        time.sleep(0.005)
    time.sleep(0.05)
    if how.startswith("SIGTERM"):
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the build finished before the signal arrived")
    assert process.returncode == 130, stdout + stderr
    assert "interrupted; the previous output is unchanged" in stderr
    assert "Traceback" not in stderr
    assert tree_bytes(site / "_site") == before
    assert _leftovers(site / "_site") == []
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no worker outlived the build
