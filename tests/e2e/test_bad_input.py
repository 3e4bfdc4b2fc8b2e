"""Bad input: small sites with exactly one defect each, built with `blog build --site DIR`.

Every case first builds a good site into `_site/` and keeps its bytes, then breaks the site in
one way and builds again. A broken site must exit with its code (1: content, 2: configuration),
name the file (and the line where there is one), print no traceback, and leave the previous
`_site/` byte for byte as it was. A few inputs only look broken: those must build (exit 0) and
give the post its page. Cases that could hang or exhaust the stack run as a subprocess with a
60-second timeout.

Cases (82): name -> expected exit code

front matter and YAML
  yaml-syntax-error -> 1                  yaml-unclosed-quote -> 1
  front-matter-not-closed -> 1            yaml-tab-indentation -> 1
  yaml-duplicate-key -> 1                 yaml-anchor-bomb -> 1 (subprocess, must fail fast)
  yaml-recursive-alias -> 1               yaml-nested-5000-deep -> 1
  yaml-python-tag -> 1                    front-matter-is-a-list -> 1
  front-matter-is-text -> 1               no-front-matter -> 1
  empty-file -> 1                         whitespace-only-file -> 1
  key-not-text -> 1
wrong types and values
  tags-is-a-number -> 1                   date-is-a-list -> 1
  title-is-a-mapping -> 1                 summary-is-a-mapping -> 1
  authors-list-of-lists -> 1              draft-maybe -> 1
  date-impossible -> 1                    date-month-13 -> 1
  date-unreadable -> 1                    updated-impossible -> 1
  file-name-date-impossible -> 1          title-missing -> 1
  title-blank -> 1                        author-list-of-numbers -> 0 (numbers are text)
  tag-empty-string -> 0 (ignored)
slugs and permalinks
  duplicate-slug -> 1                     duplicate-permalink -> 1
  permalinks-differ-only-in-case -> 1     slug-leaves-the-output -> 1
  slug-absolute-path -> 1                 slug-backslashes -> 1
  slug-windows-con -> 1                   slug-windows-com1-with-extension -> 1
  slug-empty -> 1                         post-page-collides-with-static-file -> 1
bytes
  not-utf8 -> 1                           nul-byte -> 1
  png-named-md -> 1                       fifo-named-md -> 1 (subprocess: reading it would block)
  bom -> 0                                crlf -> 0
  cr-only-line-endings -> 0               huge-post-5mb -> 0
  line-of-1mb -> 0                        blockquote-5000-deep -> 0
  list-5000-deep -> 0
files and folders
  symlink-to-a-file-outside -> 1          symlink-to-a-folder-outside -> 1
  symlink-to-nothing -> 1                 symlink-loop -> 1
  posts-is-a-file -> 1                    unreadable-post -> 1 (skipped as root)
  unreadable-folder -> 1 (skipped as root)
  out-parent-is-a-file -> 1               output-dir-inside-posts -> 2
site.toml
  toml-syntax-error -> 2                  toml-not-utf8 -> 2
  toml-nested-5000-deep -> 2              toml-wrong-type -> 2
  toml-wrong-type-bool -> 2               toml-unknown-key -> 2
  toml-unknown-table -> 2                 base-url-relative -> 2
  base-url-missing -> 2                   theme-missing -> 2
  theme-without-templates -> 2            permalink-unknown-token -> 2
  permalink-without-slug -> 2             timezone-unknown -> 2
  language-unknown -> 2                   toml-bom -> 0
templates
  template-syntax-error -> 1              template-division-by-zero -> 1
  template-missing-method -> 1            template-include-missing -> 1
  template-not-utf8 -> 1                  template-link-to-nothing -> 1
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, post, tree_bytes

Defect = Callable[[Path], None]  # breaks a good site folder in place

A = "posts/2026-01-01-a.md"
GOOD_POSTS = {
    A: post("A", tags="[web]", summary="First."),
    "posts/2026-01-02-b.md": post("B", summary="Second."),
}
A_PAGE = "2026/01/a/index.html"
TEMPLATE_HEAD = '{% extends "!theme/post.html" %}\n{% block content %}\n\n'  # line 4 is the next one
AS_ROOT = os.geteuid() == 0


@dataclass(frozen=True)
class Case:
    defect: Defect
    code: int  # 1 content error, 2 configuration error, 0 must build
    names: tuple[str, ...] = ()  # what the output must say: first the file (and :line) the error names
    page: str = ""  # must-build cases: the page that must exist ...
    contains: str = ""  # ... and a text it must hold
    good: dict[str, str | bytes] | None = None  # files the good site has besides GOOD_POSTS
    args: tuple[str, ...] = ()  # more `blog build` options; "{tmp}" here and in `names` is the site's parent
    in_subprocess: bool = False  # might hang or exhaust the stack: run apart, with a timeout
    marks: tuple = ()


def fails(code: int, defect: Defect, *names: str, **options) -> Case:
    return Case(defect, code, names, **options)


def bad_key(line: str, *words: str) -> Case:
    """Post A with one more front-matter key, on line 3, that must be refused naming that line."""
    return fails(1, front(f"title: A\n{line}\n"), f"{A}:3", *words)


def builds(defect: Defect, page: str = A_PAGE, contains: str = "", **options) -> Case:
    return Case(defect, 0, page=page, contains=contains, **options)


# --- defects ------------------------------------------------------------------------------------


def write(rel: str, content: str | bytes) -> Defect:
    def apply(site: Path) -> None:
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    return apply


def front(yaml_text: str, body: str = "x\n") -> Defect:
    """Post A with this front matter (its first key on line 2)."""
    return write(A, f"---\n{yaml_text}---\n{body}")


def config(extra: str) -> Defect:
    """site.toml: the default's three lines, then `extra` from line 4."""
    return write("site.toml", DEFAULT_CONFIG + extra)


def site_key(line: str) -> Defect:
    """site.toml with one more [site] key, on line 3."""
    return write("site.toml", DEFAULT_CONFIG.replace("base_url", f"{line}\nbase_url"))


def template(name: str, text: str | bytes) -> Defect:
    return write(f"templates/{name}", text)


def replace_with_link(rel: str, target: Callable[[Path], Path]) -> Defect:
    def apply(site: Path) -> None:
        path = site / rel
        if path.is_file() and not path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target(site))

    return apply


def outside_post(site: Path) -> Path:
    secret = site.parent / "outside.md"
    secret.write_text(post("Outside"), encoding="utf-8")
    return secret


def outside_folder(site: Path) -> Path:
    folder = site.parent / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "2026-01-07-o.md").write_text(post("O"), encoding="utf-8")
    return folder


def make_posts_a_file(site: Path) -> None:
    shutil.rmtree(site / "posts")
    (site / "posts").write_text("not a folder", encoding="utf-8")


def make_fifo(site: Path) -> None:
    os.mkfifo(site / "posts/2026-01-09-pipe.md")


def chmod(rel: str, mode: int) -> Defect:
    def apply(site: Path) -> None:
        (site / rel).chmod(mode)

    return apply


def yaml_anchor_bomb() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings from nine lines of YAML."""
    lines = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "title: A\n" + "\n".join(lines) + "\n"  # "f" (line 8) is the first to pass 100,000 values


PARAGRAPH = "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, sed do eiusmod tempor. " * 6 + "\n\n"
NOT_ROOT = (pytest.mark.skipif(AS_ROOT, reason="root reads files whatever their mode"),)

# --- the cases ------------------------------------------------------------------------------------

CASES: dict[str, Case] = {
    # front matter and YAML
    "yaml-syntax-error": fails(1, front("title: [A\n"), f"{A}:2", "not valid YAML"),
    "yaml-unclosed-quote": fails(1, front('title: "A\ntags: [web]\n'), f"{A}:2", "not valid YAML"),
    "front-matter-not-closed": fails(1, write(A, "---\ntitle: A\nbody\n"), f"{A}:1", "never closed"),
    "yaml-tab-indentation": fails(1, front("title: A\ntags:\n\t- web\n"), f"{A}:4", "tabs"),
    "yaml-duplicate-key": fails(1, front("title: A\nsummary: s\ntitle: B\n"), f"{A}:4", "'title' is given twice"),
    "yaml-anchor-bomb": fails(1, front(yaml_anchor_bomb()), f"{A}:8", "YAML aliases", in_subprocess=True),
    "yaml-recursive-alias": bad_key("loop: &a [*a]", "refers to itself"),
    # Ours says "nested more than 50 levels"; PyYAML 6.0.4 and later stop first ("maximum nesting depth").
    "yaml-nested-5000-deep": bad_key("x: " + "[" * 5000 + "]" * 5000, "nest"),
    "yaml-python-tag": fails(1, front("title: !!python/object/apply:os.system ['echo hi']\n"), f"{A}:2"),
    "front-matter-is-a-list": fails(1, front("- title\n- A\n"), f"{A}:1", "not a list"),
    "front-matter-is-text": fails(1, front("just a sentence\n"), f"{A}:1", "not a list or text"),
    "no-front-matter": fails(1, write(A, "# A\n\nText.\n"), f"{A}:1", "no front matter"),
    "empty-file": fails(1, write(A, ""), f"{A}:1", "is empty"),
    "whitespace-only-file": fails(1, write(A, " \n\n\t\n"), f"{A}:1", "is empty"),
    "key-not-text": fails(1, front("title: A\n1: one\n"), A, "is not text"),
    # wrong types and values
    "tags-is-a-number": bad_key("tags: 7", "tags"),
    "date-is-a-list": bad_key("date: [2026-01-01]", "date"),
    "title-is-a-mapping": fails(1, front("title: {text: A}\n"), f"{A}:2", "title"),
    "summary-is-a-mapping": bad_key("summary: {a: 1}", "summary"),
    "authors-list-of-lists": bad_key("authors: [[ana, ben]]", "authors"),
    "draft-maybe": bad_key("draft: maybe", "draft"),
    "date-impossible": bad_key("date: 2026-02-30", "not a real date"),
    "date-month-13": bad_key("date: 2026-13-01", "not a real date"),
    "date-unreadable": bad_key("date: next tuesday", "not a date I can read"),
    "updated-impossible": bad_key("updated: 2026-04-31", "updated"),
    "file-name-date-impossible": fails(1, write("posts/2026-02-30-c.md", post("C")), "posts/2026-02-30-c.md", "impossible"),
    "title-missing": fails(1, front("date: 2026-01-01\n"), A, "title: is required"),
    "title-blank": fails(1, front("title: '  '\n"), f"{A}:2", "title"),
    "author-list-of-numbers": builds(front("title: A\nauthor: [1, 2]\n"), "authors/1/index.html"),
    "tag-empty-string": builds(front("title: A\ntags: ['']\n"), contains="<h1>A</h1>"),
    # slugs and permalinks
    "duplicate-slug": fails(
        1, write("posts/2026-01-03-c.md", post("C", slug="a")), "posts/2026-01-03-c.md", "2026-01-01-a.md", "/2026/01/a/"
    ),
    "duplicate-permalink": fails(1, write("posts/news/2026-01-20-a.md", post("A again")), "posts/news/2026-01-20-a.md", "2026-01-01-a.md"),
    "permalinks-differ-only-in-case": fails(1, write("posts/2026-01-20-A.md", post("Big A")), "posts/2026-01-20-A.md", "2026-01-01-a.md"),
    "slug-leaves-the-output": bad_key("slug: ../../etc", "slug"),
    "slug-absolute-path": bad_key("slug: /etc/passwd", "slug"),
    "slug-backslashes": bad_key("slug: '..\\..\\windows'", "slug"),
    "slug-windows-con": bad_key("slug: con", "Windows reserves"),
    "slug-windows-com1-with-extension": bad_key("slug: COM1.txt", "Windows reserves"),
    "slug-empty": bad_key("slug: ''", "slug"),
    "post-page-collides-with-static-file": fails(
        1,
        write("static/2026/01/a/index.html", "<p>static</p>\n"),
        "static/2026/01/a/index.html",
        "posts/2026-01-01-a.md",
    ),
    # bytes
    "not-utf8": fails(1, write(A, b"---\ntitle: A\n---\nfine\n\xff\xfe broken\n"), f"{A}:5", "UTF-8"),
    "nul-byte": fails(1, write(A, b"---\ntitle: A\n---\nx\x00y\n"), f"{A}:4", "NUL"),
    "png-named-md": fails(
        1, write(A, bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")), f"{A}:3", "NUL"
    ),
    "fifo-named-md": fails(1, make_fifo, "posts/2026-01-09-pipe.md", "not a regular file", in_subprocess=True),
    "bom": builds(write(A, "\ufeff" + post("A")), contains="<h1>A</h1>"),
    "crlf": builds(write(A, post("A", tags="[web]").replace("\n", "\r\n")), contains="<h1>A</h1>"),
    "cr-only-line-endings": builds(write(A, post("A").replace("\n", "\r")), contains="<h1>A</h1>"),
    "huge-post-5mb": builds(write(A, post("A", PARAGRAPH * (5_000_000 // len(PARAGRAPH)) + "The end.")), contains="The end."),
    "line-of-1mb": builds(write(A, post("A", "word " * 200_000 + "last")), contains="word last"),
    # markdown-it stops nesting at 20 levels (what lies deeper is left out): the page must still build.
    "blockquote-5000-deep": builds(write(A, post("A", ">" * 5000 + " deep")), contains="<blockquote>"),
    "list-5000-deep": builds(write(A, post("A", "- " * 5000 + "deep")), contains="<ul>"),
    # files and folders
    "symlink-to-a-file-outside": fails(
        1, replace_with_link("posts/2026-01-05-link.md", outside_post), "posts/2026-01-05-link.md", "outside the site"
    ),
    "symlink-to-a-folder-outside": fails(
        1,
        replace_with_link("posts/linked", outside_folder),
        "posts/linked",
        "outside the site",
    ),
    "symlink-to-nothing": fails(1, replace_with_link(A, lambda site: site / "deleted.md"), A, "does not exist"),
    "symlink-loop": fails(1, replace_with_link(A, lambda site: site / A), A, "leads back to itself"),
    "posts-is-a-file": fails(1, make_posts_a_file, "posts: ", "not a folder"),
    "unreadable-post": fails(1, chmod(A, 0o000), A, "Permission denied", marks=NOT_ROOT),
    "unreadable-folder": fails(
        1, chmod("posts/sub", 0o000), "posts/sub", "Permission denied", good={"posts/sub/2026-01-03-c.md": post("C")}, marks=NOT_ROOT
    ),
    "out-parent-is-a-file": fails(
        1, write("../blocker", "a file"), "{tmp}/blocker", "cannot write the output folder", args=("--out", "{tmp}/blocker/_site")
    ),
    "output-dir-inside-posts": fails(2, config('[build]\noutput_dir = "posts/out"\n'), "site.toml:5", "refusing to build into"),
    # site.toml
    "toml-syntax-error": fails(2, write("site.toml", '[site]\ntitle = "T\nbase_url = "https://e.com"\n'), "site.toml:2", "invalid TOML"),
    "toml-not-utf8": fails(2, write("site.toml", DEFAULT_CONFIG.encode() + b'description = "caf\xe9"\n'), "site.toml:4", "UTF-8"),
    "toml-nested-5000-deep": fails(2, config("x = " + "[" * 5000 + "]" * 5000 + "\n"), "site.toml:4", "nested too deeply"),
    "toml-wrong-type": fails(2, config('[build]\nposts_per_page = "ten"\n'), "site.toml:5", "build.posts_per_page"),
    "toml-wrong-type-bool": fails(2, config('[feeds]\nrss = "sometimes"\n'), "site.toml:5", "feeds.rss"),
    "toml-unknown-key": fails(2, config('titel = "Typo"\n'), "site.toml:4", "site.titel", "not a known setting"),
    "toml-unknown-table": fails(2, config('[biuld]\ntheme = "default"\n'), "site.toml:4", "biuld"),
    "base-url-relative": fails(2, write("site.toml", '[site]\ntitle = "T"\nbase_url = "/blog/"\n'), "site.toml:3", "site.base_url"),
    "base-url-missing": fails(2, write("site.toml", '[site]\ntitle = "T"\n'), "site.toml:1", "site.base_url: is required"),
    "theme-missing": fails(2, config('[build]\ntheme = "nope"\n'), "site.toml:5", "build.theme"),
    "theme-without-templates": fails(
        2,
        config('[build]\ntheme = "broken"\n'),
        "site.toml:5",
        "themes/broken/ has no templates/",
        good={"themes/broken/static/style.css": "p {}\n"},
    ),
    "permalink-unknown-token": fails(2, config('[build]\npermalink = "/{year}/{title}/"\n'), "site.toml:5", "unknown token {title}"),
    "permalink-without-slug": fails(2, config('[build]\npermalink = "/{year}/{month}/"\n'), "site.toml:5", "{slug}"),
    "timezone-unknown": fails(2, site_key('timezone = "Mars/Olympus_Mons"'), "site.toml:3", "site.timezone"),
    "language-unknown": fails(2, site_key('language = "xx-!!"'), "site.toml:3", "site.language"),
    "toml-bom": builds(write("site.toml", "\ufeff" + DEFAULT_CONFIG), contains="<h1>A</h1>"),
    # templates
    "template-syntax-error": fails(
        1, template("post.html", TEMPLATE_HEAD + "{{ post.title }\n{% endblock %}\n"), "templates/post.html:4", "syntax"
    ),
    "template-division-by-zero": fails(
        1, template("post.html", TEMPLATE_HEAD + "{{ 1 // 0 }}\n{% endblock %}\n"), "templates/post.html:4", "ZeroDivisionError"
    ),
    "template-missing-method": fails(
        1,
        template("post.html", TEMPLATE_HEAD + "{{ post.title.nonexistent_method() }}\n{% endblock %}\n"),
        "templates/post.html:4",
        "nonexistent_method",
    ),
    "template-include-missing": fails(
        1,
        template("post.html", TEMPLATE_HEAD + '{% include "nope.html" %}\n{% endblock %}\n'),
        "templates/post.html:4",
        "'nope.html' not found",
    ),
    "template-not-utf8": fails(
        1, template("post.html", TEMPLATE_HEAD.encode() + b"caf\xe9\n{% endblock %}\n"), "templates/post.html:4", "UTF-8"
    ),
    "template-link-to-nothing": fails(
        1,
        replace_with_link("templates/post.html", lambda site: site / "deleted.html"),
        "templates/post.html",
        "does not exist",
        good={"templates/post.html": TEMPLATE_HEAD + "{{ post.title }}\n{% endblock %}\n"},
    ),
}


# --- running a build ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str  # stdout and stderr
    exception: BaseException | None = None


def build_site(site: Path, case: Case, run_blog) -> Outcome:
    args = ["build", "--site", str(site), "--jobs", "1", *(in_tmp(arg, site) for arg in case.args)]
    if not case.in_subprocess:
        result = run_blog(*args)
        return Outcome(result.exit_code, result.output, result.exception)
    try:
        done = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, timeout=60, cwd=site.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("the build did not finish within 60 seconds")
    return Outcome(done.returncode, done.stdout + done.stderr)


def in_tmp(text: str, site: Path) -> str:
    return text.replace("{tmp}", str(site.parent))


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith("._site."))


@pytest.mark.parametrize("name", [pytest.param(name, marks=case.marks, id=name) for name, case in CASES.items()])
def test_one_defect(name, make_site, run_blog):
    case = CASES[name]
    site = make_site({**GOOD_POSTS, **(case.good or {})})
    good = run_blog("build", "--site", site, "--jobs", "1")
    assert good.exit_code == 0, good.output
    before = tree_bytes(site / "_site")

    case.defect(site)
    outcome = build_site(site, case, run_blog)

    assert "Traceback (most recent call last)" not in outcome.output, outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), repr(outcome.exception)
    assert outcome.exit_code == case.code, outcome.output
    if case.code == 0:
        page = site / "_site" / case.page
        assert page.is_file(), outcome.output
        assert case.contains in page.read_text(encoding="utf-8")
    else:
        where, *words = (in_tmp(name, site) for name in case.names)
        assert f"error: {where}" in outcome.output, outcome.output  # as the CLI prints it: relative to the site
        for word in words:
            assert word in outcome.output, outcome.output
        assert "nothing was written" in outcome.output
        assert tree_bytes(site / "_site") == before
    assert leftovers(site) == []


def test_the_docstring_lists_every_case():
    listed = re.findall(r"([a-z0-9][a-z0-9-]+) -> \d", __doc__)
    assert sorted(listed) == sorted(CASES)
    assert f"Cases ({len(CASES)})" in __doc__
