"""Editing the generator's own code never gives stale output: caches and fingerprints are keyed
by a digest of the code, so the next build (no --clean, posts untouched) shows the change."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_sample_site, tree_bytes

from generator.code_digest import generator_digest


@pytest.fixture
def installed_copy(tmp_path) -> Path:
    """The generator as a wheel installs it (the theme inside the package), in a folder of its own."""
    lib = tmp_path / "lib"
    shutil.copytree(REPO / "generator", lib / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "themes", lib / "generator" / "themes")
    return lib


def blog(lib: Path, *args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONDONTWRITEBYTECODE": "1"}
    # cwd: not the repository, whose own generator/ would come first on sys.path
    done = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True, env=env, cwd=lib)
    assert done.returncode == 0, done.stderr
    return done


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_copy_is_the_one_that_runs(installed_copy):
    done = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(installed_copy)},
        cwd=installed_copy,
    )
    assert Path(done.stdout.strip()).is_relative_to(installed_copy)


def test_editing_the_feed_module_changes_the_next_build(installed_copy, tmp_path):
    site = copy_sample_site(tmp_path / "site")
    blog(installed_copy, "build", "--site", site, "--jobs", "1")
    before = tree_bytes(site / "_site")
    edit(
        installed_copy / "generator" / "feeds.py",
        'GENERATOR = ("blog-generator", __version__)',
        'GENERATOR = ("blog-generator-edited", __version__)',
    )
    done = blog(installed_copy, "build", "--site", site, "--jobs", "1")
    assert "up to date" not in done.stdout
    after = tree_bytes(site / "_site")
    assert b"blog-generator-edited" in after["feed.xml"] and b"blog-generator-edited" in after["atom.xml"]
    assert b"blog-generator-edited" in after["tags/rust/feed.xml"]
    assert before["feed.xml"] != after["feed.xml"]
    # And it is what a clean build of the edited code gives.
    blog(installed_copy, "build", "--site", site, "--jobs", "1", "--clean", "--out", tmp_path / "clean")
    assert tree_bytes(tmp_path / "clean") == after


def test_editing_the_text_cleaning_module_renders_the_posts_again(installed_copy, tmp_path):
    site = copy_sample_site(tmp_path / "site")
    blog(installed_copy, "build", "--site", site, "--jobs", "1")
    edit(
        installed_copy / "generator" / "text.py",
        'return UNWANTED_CHARACTERS.sub("", text)',
        'return UNWANTED_CHARACTERS.sub("", text).replace("Northwind", "Southwind")',
    )
    done = blog(installed_copy, "build", "--site", site, "--jobs", "1")
    assert "0 cached" in done.stdout  # every body rendered again by the new code
    page = (site / "_site" / "2025" / "09" / "hello-from-northwind-labs" / "index.html").read_text(encoding="utf-8")
    assert "Southwind" in page
    blog(installed_copy, "build", "--site", site, "--jobs", "1", "--clean", "--out", tmp_path / "clean")
    assert tree_bytes(tmp_path / "clean") == tree_bytes(site / "_site")


def test_editing_a_builtin_template_changes_the_next_build(installed_copy, tmp_path):
    site = copy_sample_site(tmp_path / "site")
    shutil.rmtree(site / "themes", ignore_errors=True)  # use the installed copy's theme
    blog(installed_copy, "build", "--site", site, "--jobs", "1")
    footer = installed_copy / "generator" / "themes" / "default" / "templates" / "base.html"
    edit(footer, "</body>", "<!-- edited theme --></body>")
    blog(installed_copy, "build", "--site", site, "--jobs", "1")
    assert "<!-- edited theme -->" in (site / "_site" / "index.html").read_text(encoding="utf-8")


def test_the_digest_covers_every_module_and_the_theme():
    digest = generator_digest()
    assert digest == generator_digest() and len(digest) == 40


def test_plan_build_leaves_nothing_frozen(sample_copy):
    from generator.build import BuildOptions, plan_build

    gc.unfreeze()
    plan = plan_build(BuildOptions(site_dir=sample_copy, jobs=1, use_cache=False))
    for _ in plan.files:
        assert gc.get_freeze_count() > 0  # while pages render, the site is kept out of collections
    assert gc.get_freeze_count() == 0
    partly = plan_build(BuildOptions(site_dir=sample_copy, jobs=1, use_cache=False))
    next(partly.files)
    partly.files.close()  # a consumer that stops early (an error while writing) unfreezes too
    assert gc.get_freeze_count() == 0
