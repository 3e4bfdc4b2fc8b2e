"""Start-up that fits the work: `blog --help` and an up-to-date `blog build` import only what they use.

Each test runs the real command in a fresh interpreter under `python -X importtime -m generator`
and reads the modules it imported from the interpreter's own report (stderr), so what is
checked is what a user's `blog` loads, not what a test process happened to import before.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_sample_site

# The renderers and the libraries behind them: a build that has nothing to do needs none.
RENDERERS = {
    "jinja2",
    "markdown_it",
    "mdit_py_plugins",
    "pygments",
    "feedgen",
    "lxml",
    "PIL",
    "nh3",
    "yaml",
    "frontmatter",
    "slugify",
    "babel.dates",
    "babel.numbers",
    "generator.markdown",
    "generator.content",
    "generator.pages",
    "generator.site",
    "generator.render",
    "generator.theme",
    "generator.feeds",
    "generator.writer",
}
# ... and `--help` needs none of the stages, the config's validation or the console either.
STAGES = RENDERERS | {
    "babel",
    "pydantic",
    "msgspec",
    "rich",
    "generator.build",
    "generator.config",
    "generator.importers",
    "generator.serve",
}


def imported_by(*args: str | Path, cwd: Path) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules `blog ARGS` imports (top-level packages and every submodule by name)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "generator", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    return names, done


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["serve", "--help"], ["--version"]])
def test_help_imports_no_stage(tmp_path, args):
    names, done = imported_by(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "click" in names and "generator.cli" in names  # the report was read
    assert not names & STAGES, sorted(names & STAGES)


def test_up_to_date_build_imports_no_renderer(tmp_path):
    site = copy_sample_site(tmp_path / "site")
    out = tmp_path / "out"
    first, done = imported_by("build", "--site", site, "--out", out, "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    # The measurement sees the renderers when a build uses them ...
    assert {"jinja2", "markdown_it", "pygments", "feedgen", "generator.markdown"} <= first
    second, done = imported_by("build", "--site", site, "--out", out, "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is up to date" in done.stdout
    # ... and an up-to-date build reads the config (pydantic, babel's locale check) and the
    # build record, and stats the inputs: nothing that renders.
    assert "generator.build" in second
    assert not second & RENDERERS, sorted(second & RENDERERS)


def test_a_changed_input_still_builds(tmp_path):
    """Lazy imports leave the stale path whole: a touched post is rendered, with its stages."""
    site = copy_sample_site(tmp_path / "site")
    out = tmp_path / "out"
    _, done = imported_by("build", "--site", site, "--out", out, "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    post = sorted((site / "posts").rglob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    names, done = imported_by("build", "--site", site, "--out", out, "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is up to date" not in done.stdout and "1 rendered" in done.stdout
    assert {"jinja2", "generator.markdown", "generator.writer"} <= names


def test_names_written_twice_agree():
    """The constants the command line and the build keep so as not to import a stage."""
    from generator import build, cli, pages
    from generator.importers import run

    assert cli.IMPORT_PLATFORMS == run.PLATFORMS
    assert build.PAGES_FOLDER == pages.PAGES_FOLDER
