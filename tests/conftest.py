"""Shared helpers: small sites written into tmp_path, the CLI run in-process, one build of the sample blog.

- `make_site(files, config=None, name="site")` writes `site.toml` plus the given files
  (paths relative to the site folder, text or bytes) and returns the site folder.
- `run_blog(*args)` runs the `blog` command in-process with click's CliRunner and
  returns the click Result (exit_code, output = stdout + stderr, stdout, stderr).
- `plan_site(files, config=None, **options)` runs the build up to the files it would
  write (no output, no cache) and returns the BuildPlan: `plan.site`, `plan.files`, `plan.warnings`.
- `sample_build` (session): the repository's own sample blog, copied to a temp folder
  and built once with `blog build --out`.
- `build_site(site, out=None, **options)`: one in-process build (one process, no cache,
  "now" pinned to NOW) into `out` (default: SITE-out beside the site); returns `out`.
  `clean_tree(site, work, **options)`: the files a clean build of a copy of `site` writes.
- `corpus(posts, seed=1)` (session): a fresh copy of a blog made by bench/corpus.py, for the
  caller to build, edit or break (each size is generated once a run).
- `needs_chromium`: the skip mark of every browser test. `real_corpus` (session): the real
  corpus ../shared/corpora/rust-blog (REAL_CORPUS), beside the repository where CI runs;
  a test asking for it is skipped without it (fails, with BLOG_TESTS_NEED_REAL_CORPUS=1).
  `copy_real_corpus(dest)` copies its posts and site.toml.
Unit-test objects made in memory (Config, SourcePost, Rendered, a Site) are in factories.py.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.build import BuildOptions, BuildPlan, build, plan_build
from generator.cli import cli

REPO = Path(__file__).resolve().parent.parent
# "Now" for builds called directly: after every sample post, before the year 2099.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Debian's chromium for the browser tests, started as this machine needs (no sandbox as root,
# no background requests to Google's hosts, which a closed network refuses).
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_REASON = "Debian's chromium is not installed (apt-get install chromium)"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=CHROMIUM_REASON)
DEFAULT_CONFIG = '[site]\ntitle = "Test Blog"\nbase_url = "https://blog.example.com"\n'

# The generated corpus: the project's own generator, bench/corpus.py.
CORPUS_GENERATOR = REPO / "bench" / "corpus.py"
# The real corpus (the Rust blog's posts) sits beside the repository where CI runs, not in a
# clone. Its tests skip without it; with BLOG_TESTS_NEED_REAL_CORPUS=1 (for CI) they fail.
REAL_CORPUS = REPO.parent / "shared" / "corpora" / "rust-blog"
REAL_CORPUS_REASON = "real corpus ../shared/corpora/rust-blog not present (CI has it)"
REAL_CORPUS_REQUIRED = os.environ.get("BLOG_TESTS_NEED_REAL_CORPUS", "") not in ("", "0")


def write_site(root: Path, files: dict[str, str | bytes], config: str | None = None) -> Path:
    """Write a site into `root`: site.toml (the minimal default unless given) and `files`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(DEFAULT_CONFIG if config is None else config, encoding="utf-8")
    (root / "posts").mkdir(exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))  # no newline translation: tests control the bytes
    return root


def run_blog_cli(*args: str | Path) -> Result:
    """`blog ARGS...` in-process. click >= 8.2 keeps stderr apart in result.stderr; result.output has both."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture(scope="session")
def site_writer():
    """`write_site(root, files, config=None)` for fixtures wider than one test (no tmp_path there)."""
    return write_site


@pytest.fixture(scope="session")
def build_now() -> datetime:
    return NOW


def build_site(site: Path, out: Path | None = None, **options) -> Path:
    """Build `site` in this process into `out` (default: SITE-out beside it) and return `out`.
    One process, no Markdown cache and "now" pinned to NOW unless `options` say otherwise."""
    out = site.parent / f"{site.name}-out" if out is None else out
    options.setdefault("now", NOW)
    options.setdefault("jobs", 1)
    options.setdefault("use_cache", False)
    build(BuildOptions(site_dir=site, out_dir=out, **options))
    return out


def clean_tree(site: Path, work: Path, **options) -> dict[str, bytes]:
    """What a clean build of the site's current input writes (`tree_bytes`), built with
    `build_site` from a fresh copy in `work` without the site's cache and output."""
    work.mkdir(parents=True, exist_ok=True)
    copy = Path(tempfile.mkdtemp(prefix="clean-", dir=work)) / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".blog-cache", "_site", "._site*"))  # and a watcher's staging or old output
    return tree_bytes(build_site(copy, copy / "_site", **options))


@functools.cache
def corpus_generator():
    """bench/corpus.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("blog_bench_corpus", CORPUS_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """`corpus(posts, seed=1) -> Path`: a site folder holding a fresh copy of the blog
    bench/corpus.py makes for these arguments; each size is generated once a run."""
    made: dict[tuple[int, int], Path] = {}

    def make(posts: int, seed: int = 1) -> Path:
        if (posts, seed) not in made:
            made[posts, seed] = tmp_path_factory.mktemp(f"corpus-{posts}-{seed}-original")
            corpus_generator().make_corpus(made[posts, seed], posts, seed)
        copy = tmp_path_factory.mktemp(f"corpus-{posts}-{seed}") / "site"
        shutil.copytree(made[posts, seed], copy)
        return copy

    return make


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    """The real corpus folder (site.toml, posts/); the test is skipped when it is not there."""
    if not (REAL_CORPUS / "posts").is_dir():
        if REAL_CORPUS_REQUIRED:
            pytest.fail(f"BLOG_TESTS_NEED_REAL_CORPUS is set but {REAL_CORPUS} is missing")
        pytest.skip(REAL_CORPUS_REASON)
    return REAL_CORPUS


def copy_real_corpus(dest: Path) -> Path:
    """The real corpus's posts and site.toml in `dest` (a copy: builds write beside them)."""
    shutil.copytree(REAL_CORPUS / "posts", dest / "posts")
    shutil.copy(REAL_CORPUS / "site.toml", dest / "site.toml")
    return dest


@pytest.fixture
def make_site(tmp_path):
    def make(files: dict[str, str | bytes], config: str | None = None, name: str = "site") -> Path:
        return write_site(tmp_path / name, files, config)

    return make


@pytest.fixture
def run_blog():
    return run_blog_cli


@pytest.fixture
def plan_site(make_site):
    def plan(files: dict[str, str | bytes], config: str | None = None, **options) -> BuildPlan:
        site = make_site(files, config)
        options.setdefault("now", NOW)
        options.setdefault("jobs", 1)
        options.setdefault("use_cache", False)
        built = plan_build(BuildOptions(site_dir=site, **options))
        built.files = list(built.files)  # rendered once, so a test may look at the files many times
        return built

    return plan


def post(title: str, body: str = "Some text.", **front: object) -> str:
    """A post's text: `title` and the given front matter keys (values written as YAML as they are)."""
    lines = ["---", f"title: {title}"] + [f"{key}: {value}" for key, value in front.items()] + ["---", body, ""]
    return "\n".join(lines)


@pytest.fixture
def make_post():
    return post


def copy_sample_site(dest: Path) -> Path:
    """The sample blog's inputs (site.toml, posts/, pages/, and templates/ or static/ if any) in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site.toml", dest / "site.toml")
    for folder in ("posts", "pages", "templates", "static", "themes"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, dest / folder)
    return dest


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A fresh copy of the sample blog's inputs, for tests that change or rebuild it."""
    return copy_sample_site(tmp_path / "sample")


@dataclass(frozen=True)
class SampleBuild:
    site: Path  # a copy of the sample blog's inputs
    out: Path  # what `blog build --out` wrote
    result: Result


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> SampleBuild:
    """The repository's sample blog built once for the whole run (a copy, so the repo's cache is not touched)."""
    base = tmp_path_factory.mktemp("sample")
    site = copy_sample_site(base / "site")
    out = base / "out"
    result = run_blog_cli("build", "--site", site, "--out", out, "--jobs", "1")
    return SampleBuild(site, out, result)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def snapshot():
    return tree_bytes


@contextlib.contextmanager
def static_site_in_chromium(folder: Path):
    """(page, base URL): a headless chromium page, and `folder` served as a static site on 127.0.0.1."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser.new_page(), f"http://127.0.0.1:{server.server_address[1]}"
            finally:
                browser.close()
    finally:
        server.shutdown()
