"""Helpers shared by the end-to-end tests of `blog import` (tests/e2e/test_import_*.py).

- `init_blog(run_blog, site, *options)`: `blog init SITE OPTIONS...`, asserted to succeed; returns `site`.
- `build_and_check(run_blog, site, build_strict=False, check_strict=False)`: `blog build` then
  `blog check` (each with --strict if asked), both exit 0 and check names no broken link;
  returns the built folder, SITE/_site.
- `import_and_build(run_blog, site, platform, source, *options, ...)`: `blog import PLATFORM SOURCE
  OPTIONS...` asserted to succeed, then `build_and_check` with the same strictness keywords.
- `feed_ids(out, name)`: the entry ids of the built feed `name`, parsed by feedparser (not bozo);
  `ids_in_feeds(out)`: the same for atom.xml and feed.xml, by name.
- `page_at(out, path)`: the built page at a URL path (its index.html). `redirect_target(out, old_path)`:
  where the redirect page at `old_path` (a file, e.g. /2014/03/x.html) sends a reader; `lands_on(out,
  old_path)`: where a reader of the URL path `old_path` ends (the page itself or its redirect's target).
- `files_holding(folder, needles)`: "file: needle" for every file under `folder` holding a needle;
  `assert_in_no_file(folder, needles)` asserts there is none.
- `paths_in(folder)`: every path under `folder`, relative and sorted, to see that a refused import wrote nothing.
- `serving(folder)`: a context manager serving `folder` over HTTP on 127.0.0.1 (quietly); gives its base URL.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import feedparser
from click.testing import Result

RunBlog = Callable[..., Result]
FEEDS = ("atom.xml", "feed.xml")
REFRESH = 'http-equiv="refresh" content="0; url='


def init_blog(run_blog: RunBlog, site: Path, *options: str) -> Path:
    result = run_blog("init", site, *options)
    assert result.exit_code == 0, result.output
    return site


def build_and_check(run_blog: RunBlog, site: Path, *, build_strict: bool = False, check_strict: bool = False) -> Path:
    built = run_blog("build", "--site", site, *(["--strict"] if build_strict else []))
    assert built.exit_code == 0, built.output
    checked = run_blog("check", "--site", site, *(["--strict"] if check_strict else []))
    assert checked.exit_code == 0, checked.output
    assert "broken" not in checked.output, checked.output
    return site / "_site"


def import_and_build(
    run_blog: RunBlog,
    site: Path,
    platform: str,
    source: Path | str,
    *options: str | Path,
    build_strict: bool = False,
    check_strict: bool = False,
) -> Path:
    imported = run_blog("import", platform, source, "--site", site, *options)
    assert imported.exit_code == 0, imported.output
    return build_and_check(run_blog, site, build_strict=build_strict, check_strict=check_strict)


def feed_ids(out: Path, name: str) -> set[str]:
    parsed = feedparser.parse((out / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {entry.id for entry in parsed.entries}


def ids_in_feeds(out: Path) -> dict[str, set[str]]:
    return {name: feed_ids(out, name) for name in FEEDS}


def page_at(out: Path, path: str) -> str:
    return (out / unquote(path).strip("/") / "index.html").read_text(encoding="utf-8")


def redirect_target(out: Path, old_path: str) -> str:
    page = (out / old_path.lstrip("/")).read_text(encoding="utf-8")
    assert REFRESH in page, page
    return page.split(REFRESH, 1)[1].split('"', 1)[0]


def lands_on(out: Path, old_path: str) -> str:
    """The path a reader of `old_path` ends on: the page itself, or where its redirect points."""
    page = page_at(out, old_path)
    return page.split(REFRESH, 1)[1].split('"', 1)[0] if REFRESH in page else old_path


def files_holding(folder: Path, needles: tuple[str, ...]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path.relative_to(folder)}: {needle}" for needle in needles if needle in text]
    return found


def assert_in_no_file(folder: Path, needles: tuple[str, ...]) -> None:
    found = files_holding(folder, needles)
    assert not found, found  # a message of its own: pytest rewrites the asserts of test files only


def paths_in(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
