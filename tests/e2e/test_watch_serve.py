"""`blog watch` and `blog serve` as real subprocesses on a temporary site.

Each test changes the site the way writers, editors and git do (edit, atomic save, add,
rename, delete, break and fix front matter and a template, a burst of files) and after
each step waits until the watched output is byte-identical to a clean `blog build` of a
copy of the same input, checking that the process is still alive. `serve` is also checked
for the error overlay, traversal requests, and (in headless chromium) the live reload.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, DEFAULT_CONFIG, needs_chromium, post, run_blog_cli, tree_bytes, write_site

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 10.0
SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"

POSTS = {
    "posts/2024-01-10-first.md": post("First post", "The first body.\n\nSee [second](2024-02-11-second.md).", tags="[alpha, beta]"),
    "posts/2024-02-11-second.md": post("Second post", "The second body.", tags="[beta]", author="jane"),
    "posts/2024-03-12-third.md": post("Third post", "The third body.\n\n```python\nprint('hi')\n```", tags="[alpha]"),
    "posts/2024-04-13-fourth.md": post("Fourth post", "Intro.\n\n<!--more-->\n\nMore of the fourth."),
    "posts/2024-05-14-unfinished.md": post("Unfinished draft", "Work in progress.", draft="true"),
    "posts/notes/2024-06-15-nested.md": post("Nested post", "In a sub-folder, with ![a picture](pic.png)."),
    "posts/notes/pic.png": b"\x89PNG\r\n\x1a\nnot really a picture",
}


# -- helpers ------------------------------------------------------------------------------


class BlogProcess:
    """`python -m generator ARGS` with its output read by threads (so pipes never fill up)."""

    def __init__(self, *args: str | Path, cwd: Path):
        env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", *map(str, args)],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def count(self, pattern: str, stream: str = "stdout") -> int:
        return sum(1 for line in list(getattr(self, stream)) if re.search(pattern, line))

    def wait_for(self, pattern: str, stream: str = "stdout", at_least: int = 1, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = [line for line in list(getattr(self, stream)) if re.search(pattern, line)]
            if len(lines) >= at_least:
                return lines[at_least - 1]
            assert self.alive(), f"the process ended:\n{self.output()}"
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} on {stream} within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return "".join(self.stdout) + "--- stderr ---\n" + "".join(self.stderr)

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it; returns the exit code."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=TIMEOUT)

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=2)


def clean_build(site: Path, work: Path, *flags: str) -> dict[str, bytes]:
    """What a clean `blog build` gives for the site's current input, built from a copy."""
    copy = work / f"clean-{time.monotonic_ns()}"
    copy.mkdir(parents=True)
    shutil.copy(site / "site.toml", copy / "site.toml")
    for folder in ("posts", "pages", "templates", "static", "themes"):
        if (site / folder).is_dir():
            shutil.copytree(site / folder, copy / folder)
    result = run_blog_cli("build", "--site", copy, "--out", copy / "out", "--jobs", "1", *flags)
    assert result.exit_code == 0, result.output
    files = tree_bytes(copy / "out")
    shutil.rmtree(copy)
    return files


def read_output(out: Path) -> dict[str, bytes] | None:
    try:
        return tree_bytes(out)
    except OSError:  # the output folder was being swapped
        return None


def wait_until_output_is(out: Path, expected: dict[str, bytes], blog: BlogProcess, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    current = None
    while time.monotonic() < deadline:
        current = read_output(out)
        if current == expected:
            assert blog.alive()
            return
        assert blog.alive(), f"the process ended:\n{blog.output()}"
        time.sleep(0.05)
    differing = sorted(set(current or {}) ^ set(expected)) or sorted(k for k in expected if (current or {}).get(k) != expected[k])
    raise AssertionError(f"output differs from a clean build after {timeout} s: {differing[:10]}\n{blog.output()}")


def atomic_save(path: Path, text: str) -> None:
    """What editors do: write a temporary file beside the original, then rename it over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def get(url_base: str, path: str) -> tuple[int, str]:
    host, port = url_base.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def raw_get(url_base: str, target: str) -> bytes:
    """A request sent byte for byte, so nothing normalises the path on the way."""
    host, port = url_base.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def make_test_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", dict(POSTS), DEFAULT_CONFIG + '\n[authors.jane]\nname = "Jane Doe"\n')


# -- the editing session both commands go through --------------------------------------------


def edit_session(site: Path, tmp_path: Path, blog: BlogProcess, flags: tuple[str, ...], on_broken=None, on_fixed=None) -> None:
    out = site / "_site"
    posts = site / "posts"
    work = tmp_path / "clean"

    def step_ok() -> dict[str, bytes]:
        expected = clean_build(site, work, *flags)
        wait_until_output_is(out, expected, blog)
        return expected

    def step_broken(previous: dict[str, bytes], where: str) -> None:
        failures = blog.count("still watching", "stderr")
        blog.wait_for("still watching", "stderr", at_least=failures + 1)
        assert re.search(re.escape(where) + r":\d+", "".join(blog.stderr)), blog.output()
        assert read_output(out) == previous, "a failed rebuild changed the output"
        assert blog.alive()
        if on_broken:
            on_broken(where)

    expected = step_ok()  # the first build

    (posts / "2024-01-10-first.md").write_text(post("First post", "An edited body.", tags="[alpha, beta]"), encoding="utf-8")
    expected = step_ok()

    atomic_save(posts / "2024-02-11-second.md", post("Second post, saved atomically", "New words.", tags="[beta, gamma]", author="jane"))
    expected = step_ok()

    (posts / "2024-07-01-added.md").write_text(post("Added post", "Brand new.", tags="[gamma]"), encoding="utf-8")
    (posts / "later" / "deeper").mkdir(parents=True)  # a folder created after the watch started
    (posts / "later" / "deeper" / "2024-07-02-deep.md").write_text(post("Deep post", "Far down."), encoding="utf-8")
    expected = step_ok()
    (posts / "later" / "deeper" / "2024-07-02-deep.md").write_text(post("Deep post, edited", "Still far down."), encoding="utf-8")
    expected = step_ok()

    os.rename(posts / "2024-03-12-third.md", posts / "2024-03-12-third-renamed.md")
    expected = step_ok()

    (posts / "2024-04-13-fourth.md").unlink()
    expected = step_ok()

    time.sleep(0.5)  # the output is in place a moment before its "built" line is printed
    builds = blog.count(r"^built ")
    for leftover in (".2024-01-10-first.md.swp", "2024-01-10-first.md~", "#2024-01-10-first.md#", "x.md.bak", ".#lock"):
        (posts / leftover).write_text("editor leftovers", encoding="utf-8")
    time.sleep(1.0)
    assert blog.count(r"^built ") == builds, "an editor's leftover files triggered a rebuild:\n" + blog.output()
    for leftover in posts.glob("*"):
        if leftover.name.startswith((".", "#")) or leftover.name.endswith(("~", ".bak")):
            leftover.unlink()

    broken = posts / "2024-07-01-added.md"
    broken.write_text("---\ntitle: [Added post\ndate: 2024-07-01\n---\nBrand new.\n", encoding="utf-8")
    step_broken(expected, "posts/2024-07-01-added.md")
    broken.write_text(post("Added post, fixed", "Brand new again.", tags="[gamma]"), encoding="utf-8")
    expected = step_ok()
    if on_fixed:
        on_fixed()

    (site / "templates").mkdir()  # a watched folder that did not exist at the start
    (site / "templates" / "post.html").write_text('{% extends "!theme/post.html" %}\n{% if %}\n', encoding="utf-8")
    step_broken(expected, "templates/post.html")
    (site / "templates" / "post.html").write_text(
        '{% extends "!theme/post.html" %}\n{% block title %}Custom: {{ post.title }}{% endblock %}\n', encoding="utf-8"
    )
    expected = step_ok()
    if on_fixed:
        on_fixed()

    builds = blog.count(r"^built ")
    for i in range(40):  # what a git checkout does: many files, one after the other
        (posts / f"2023-01-{i % 28 + 1:02d}-burst-{i}.md").write_text(post(f"Burst {i}", f"Body {i}."), encoding="utf-8")
        time.sleep(0.01)
    expected = step_ok()
    assert blog.count(r"^built ") - builds <= 2, "a burst of changes should give one rebuild, not one per file"

    (site / "site.toml").write_text(
        DEFAULT_CONFIG.replace("Test Blog", "Renamed Blog") + '\n[authors.jane]\nname = "Jane Doe"\n', encoding="utf-8"
    )
    step_ok()
    assert not any(b"__blog" in data for data in read_output(out).values()), "the reload script leaked into the output"


# -- the tests -------------------------------------------------------------------------------


def test_watch_rebuilds_to_what_a_clean_build_gives(tmp_path):
    site = make_test_site(tmp_path)
    blog = BlogProcess("watch", "--site", site, cwd=tmp_path)
    try:
        blog.wait_for("watching")
        edit_session(site, tmp_path, blog, flags=())
        assert blog.interrupt() == 0
        assert "stopped" in "".join(blog.stdout)
    finally:
        blog.kill()


def test_serve_rebuilds_serves_and_shows_errors(tmp_path):
    site = make_test_site(tmp_path)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    blog = BlogProcess("serve", "--site", site, "--port", "0", cwd=tmp_path)
    try:
        url = blog.wait_for(r"serving http://127\.0\.0\.1:\d+/").split()[1]
        assert "drafts are included" in "".join(blog.stdout)

        def overlay_shown(where: str) -> None:
            status, page = get(url, "/")
            assert status == 200 and 'id="blog-error-overlay"' in page and where in page
            status, page = get(url, "/no/such/page/")
            assert status == 404 and 'id="blog-error-overlay"' in page

        def overlay_gone() -> None:
            # The output is in place a moment before the server hears that the build succeeded.
            deadline = time.monotonic() + TIMEOUT
            status, page = get(url, "/")
            while "blog-error-overlay" in page and time.monotonic() < deadline:
                time.sleep(0.05)
                status, page = get(url, "/")
            assert status == 200 and "blog-error-overlay" not in page and "/__blog/events" in page

        edit_session(site, tmp_path, blog, flags=("--drafts",), on_broken=overlay_shown, on_fixed=overlay_gone)

        status, page = get(url, "/2024/05/unfinished/")
        assert status == 200 and "Unfinished draft" in page
        status, page = get(url, "/no/such/page/")
        assert status == 404 and page.startswith((site / "_site" / "404.html").read_text(encoding="utf-8")[:50])
        os.symlink(tmp_path / "secret.txt", site / "_site" / "leak.txt")
        for target in (
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%252e%252e/secret.txt",
            "/..%2fsecret.txt",
            "/..\\secret.txt",
            "/%5c..%5csecret.txt",
            "/leak.txt",
            "/etc/passwd",
            "//etc/passwd",
        ):
            response = raw_get(url, target)
            assert response.split(b" ", 2)[1] in (b"400", b"403", b"404"), (target, response[:200])
            assert SECRET.encode() not in response and b"root:" not in response, target
        assert blog.interrupt() == 0
    finally:
        blog.kill()


@contextlib.contextmanager
def served_in_chromium(site: Path, tmp_path: Path, path: str):
    """`blog serve` on `site`, and a headless chromium page open at `path` with its event stream open."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    blog = BlogProcess("serve", "--site", site, "--port", "0", cwd=tmp_path)
    try:
        url = blog.wait_for(r"serving http://").split()[1]
        blog.wait_for(r"^built ")
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(url + path, wait_until="load")
                page.wait_for_timeout(300)  # the event stream is open
                yield page
            finally:
                browser.close()
    finally:
        blog.kill()


@needs_chromium
def test_browser_reloads_after_an_edit_and_shows_errors(tmp_path):
    site = make_test_site(tmp_path)
    with served_in_chromium(site, tmp_path, "2024/02/second/") as page:
        assert page.locator("h1").inner_text() == "Second post"
        source = site / "posts" / "2024-02-11-second.md"
        source.write_text(post("Second post, retitled", "The second body.", tags="[beta]", author="jane"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Second post, retitled'", timeout=TIMEOUT * 1000)

        source.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        page.locator("#blog-error-overlay").wait_for(state="visible", timeout=TIMEOUT * 1000)
        assert "posts/2024-02-11-second.md" in page.locator("#blog-error-overlay").inner_text()
        assert page.locator("h1").inner_text() == "Second post, retitled"  # the last good page, under the overlay

        source.write_text(post("Second post, fixed", "The second body."), encoding="utf-8")
        page.locator("#blog-error-overlay").wait_for(state="detached", timeout=TIMEOUT * 1000)
        assert page.locator("h1").inner_text() == "Second post, fixed"


@needs_chromium
def test_a_stylesheet_change_is_swapped_in_without_a_reload(tmp_path):
    site = make_test_site(tmp_path)
    theme_css = REPO / "themes" / "default" / "static" / "css" / "style.css"
    css = site / "static" / "css" / "style.css"  # the site's static/ overrides the theme's file
    css.parent.mkdir(parents=True)
    css.write_text(theme_css.read_text(encoding="utf-8"), encoding="utf-8")
    with served_in_chromium(site, tmp_path, "2024/02/second/") as page:
        page.evaluate("window.notReloaded = true")
        css.write_text(css.read_text(encoding="utf-8") + "\nh1 { color: rgb(1, 2, 3); }\n", encoding="utf-8")
        page.wait_for_function("getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)'", timeout=TIMEOUT * 1000)
        assert page.evaluate("window.notReloaded === true"), "the page reloaded instead of swapping the stylesheet"

        source = site / "posts" / "2024-02-11-second.md"  # any other change still reloads
        source.write_text(post("Second post, retitled", "The second body."), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Second post, retitled'", timeout=TIMEOUT * 1000)
        assert page.evaluate("window.notReloaded === undefined")
