"""End to end: `blog build`, `blog check` and `blog new` through the command line, on the sample
blog, on small broken sites, and on the Rust blog corpus."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import html5lib
import pytest
import yaml
from conftest import copy_real_corpus

REPO = Path(__file__).resolve().parents[2]
SAMPLE_BASE = "https://blog.northwind.example"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- reading the sample blog's posts without the generator -----------------------------------------


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, path
    raw = match.group(1)
    data = yaml.safe_load(raw)
    date = re.search(r"^date:\s*['\"]?(\d{4})-(\d{2})", raw, re.M)
    data["_year_month"] = date.groups() if date else None
    return data


def expected_post_pages(site: Path, *, drafts: bool = False) -> dict[str, str]:
    """title -> output file of every post the build should produce, from file names and front matter."""
    pages = {}
    for path in sorted((site / "posts").rglob("*.md")):
        meta = front_matter(path)
        if meta.get("draft") and not drafts:
            continue
        named = re.match(r"(\d{4})-(\d{2})-\d{2}-(.+)$", path.stem)
        year, month = meta["_year_month"] or (named.group(1), named.group(2))
        slug = meta.get("slug") or named.group(3)
        pages[meta["title"]] = f"{year}/{month}/{slug}/index.html"
    return pages


def sample_tags_and_authors(site: Path) -> tuple[set[str], set[str]]:
    tags, authors = set(), set()
    for path in (site / "posts").rglob("*.md"):
        meta = front_matter(path)
        if meta.get("draft"):
            continue
        tag_value = meta.get("tags", [])
        tags |= {tag_value} if isinstance(tag_value, str) else set(tag_value)
        names = meta.get("authors") or [meta["author"]]
        authors |= set(names)
    return tags, authors


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def strays(folder: Path) -> list[str]:
    return [p.name for p in folder.parent.iterdir() if ".staging-" in p.name or ".old-" in p.name]


# --- the sample blog ---------------------------------------------------------------------------------


def test_sample_build_succeeds(sample_build):
    result = sample_build.result
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    posts = len(expected_post_pages(sample_build.site))
    assert f"built {posts} posts" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1  # not a terminal: one summary line, no progress bar
    assert result.stderr == ""  # no warnings in the sample


def test_sample_has_a_page_for_every_published_post(sample_build):
    expected = expected_post_pages(sample_build.site)
    assert len(expected) == 11
    for title, page in expected.items():
        path = sample_build.out / page
        assert path.is_file(), (title, page)
        text = path.read_text(encoding="utf-8")
        assert f"<h1>{title}</h1>" in text.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"'), page


def test_sample_index_and_pagination(sample_build):
    out = sample_build.out
    posts = len(expected_post_pages(sample_build.site))
    pages = math.ceil(posts / 5)  # posts_per_page = 5 in the sample's site.toml
    assert (out / "index.html").is_file()
    for number in range(2, pages + 1):
        assert (out / f"page/{number}/index.html").is_file(), number
    assert not (out / f"page/{pages + 1}").exists()
    assert 'href="/page/2/"' in (out / "index.html").read_text(encoding="utf-8")


def test_sample_tags_authors_and_archive(sample_build):
    out = sample_build.out
    tags, authors = sample_tags_and_authors(sample_build.site)
    assert (out / "tags/index.html").is_file()
    for tag in tags:
        assert (out / f"tags/{tag}/index.html").is_file(), tag
        assert (out / f"tags/{tag}/feed.xml").is_file() and (out / f"tags/{tag}/atom.xml").is_file(), tag
    built_tags = {p.parent.name for p in (out / "tags").glob("*/index.html")}
    assert built_tags == tags
    assert (out / "authors/index.html").is_file()
    built_authors = {p.parent.name for p in (out / "authors").glob("*/index.html")}
    assert built_authors == {"ana", "ben", "chidi", "ines-carvalho"}
    assert len(authors) == len(built_authors)
    assert "Ana Lindqvist" in (out / "authors/ana/index.html").read_text(encoding="utf-8")
    archive = (out / "archive/index.html").read_text(encoding="utf-8")
    assert "2025" in archive and "2026" in archive
    for page in expected_post_pages(sample_build.site).values():
        assert 'href="/' + page.removesuffix("index.html") + '"' in archive


def test_sample_extras_static_files_and_images(sample_build):
    out = sample_build.out
    for name in ("feed.xml", "atom.xml", "feed.json", "404.html", "robots.txt", "sitemap.xml", "css/style.css", "css/highlight.css"):
        assert (out / name).is_file(), name
    assert (out / "2026/route-map.png").read_bytes() == (sample_build.site / "posts/2026/route-map.png").read_bytes()
    robots = (out / "robots.txt").read_text()
    assert f"Sitemap: {SAMPLE_BASE}/sitemap.xml" in robots.splitlines()


def test_sample_sitemap_lists_every_page_and_only_built_ones(sample_build):
    out = sample_build.out
    root = ET.fromstring((out / "sitemap.xml").read_bytes())
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [url.findtext(f"{SITEMAP_NS}loc") for url in root.findall(f"{SITEMAP_NS}url")]
    assert len(locs) == len(set(locs))
    listed = set()
    for loc in locs:
        assert loc.startswith(SAMPLE_BASE + "/"), loc
        path = unquote(urlsplit(loc).path).lstrip("/")
        file = out / path / "index.html" if path == "" or path.endswith("/") else out / path
        assert file.is_file(), loc
        listed.add(file.relative_to(out).as_posix())
    redirects = {"2025/12/on-call-handbook/index.html"}  # an alias's redirect page (test_aliases.py)
    pages = {p.relative_to(out).as_posix() for p in html_pages(out)} - {"404.html"} - redirects
    assert listed == pages
    for page in expected_post_pages(sample_build.site).values():
        entry = next(
            u
            for u in root.findall(f"{SITEMAP_NS}url")
            if u.findtext(f"{SITEMAP_NS}loc") == f"{SAMPLE_BASE}/{page.removesuffix('index.html')}"
        )
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", entry.findtext(f"{SITEMAP_NS}lastmod"))


def test_every_sample_page_is_strict_html5(sample_build):
    parser = html5lib.HTMLParser(strict=True)
    pages = html_pages(sample_build.out)
    assert len(pages) > 30
    for page in pages:
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(sample_build.out)}: {exc}")


def test_template_syntax_in_a_post_is_shown_literally(sample_build):
    page = (sample_build.out / "2026/08/customer-editable-email-templates/index.html").read_text(encoding="utf-8")
    assert "{{ customer.first_name }}" in page
    assert "{{ stop.eta }}" in page
    text = "".join(html5lib.parse(page, namespaceHTMLElements=False).find("body").itertext())
    assert '{{ customer.first_name | default("there") }}' in text  # inside highlighted code
    assert "{% if %}" in text and "{# this #}" in text


def test_template_syntax_in_front_matter_and_body_is_never_evaluated(make_site, run_blog, tmp_path):
    site = make_site(
        {
            "posts/2026-01-01-a.md": '---\ntitle: "{{ 7*7 }} ways"\nsummary: "{% raw %}{{ 6*6 }}"\n---\nBody {{ 7*7 }} and {% if true %}x{% endif %} and {# c #}.\n'
        }
    )
    out = tmp_path / "out"
    assert run_blog("build", "--site", site, "--out", out).exit_code == 0
    page = (out / "2026/01/a/index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }} ways" in page
    assert "Body {{ 7*7 }} and {% if true %}x{% endif %} and {# c #}." in page
    assert "49" not in page and "36" not in page
    assert "{% raw %}{{ 6*6 }}" in page
    assert "{{ 7*7 }} ways" in (out / "feed.json").read_text(encoding="utf-8")


def test_sample_feeds_are_newest_first_with_absolute_links(sample_build):
    import feedparser

    parsed = feedparser.parse((sample_build.out / "atom.xml").read_bytes())
    assert parsed.bozo == 0
    assert len(parsed.entries) == 11
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    for entry in parsed.entries:
        assert entry.link.startswith(SAMPLE_BASE + "/")
        for url in re.findall(r'\s(?:href|src)="([^"]*)"', entry.content[0].value):
            assert url.startswith(("https://", "http://", "#", "mailto:")), (entry.title, url)


def test_draft_only_with_drafts(sample_build, run_blog, tmp_path):
    draft_page = "2026/11/embedding-the-solver-with-pyo3/index.html"
    assert not (sample_build.out / draft_page).exists()
    assert "embedding-the-solver" not in (sample_build.out / "feed.xml").read_text(encoding="utf-8")
    out = tmp_path / "with-drafts"
    result = run_blog("build", "--site", sample_build.site, "--out", out, "--drafts")
    assert result.exit_code == 0, result.output
    assert (out / draft_page).is_file()


def test_future_post_only_with_future(run_blog, tmp_path, sample_copy):
    site = sample_copy
    (site / "posts/2099-01-01-from-the-future.md").write_text("---\ntitle: From the future\n---\nNot yet.\n", encoding="utf-8")
    now_out, future_out = tmp_path / "now", tmp_path / "future"
    assert run_blog("build", "--site", site, "--out", now_out).exit_code == 0
    assert not (now_out / "2099").exists()
    assert "from-the-future" not in (now_out / "sitemap.xml").read_text()
    result = run_blog("build", "--site", site, "--out", future_out, "--future")
    assert result.exit_code == 0, result.output
    assert (future_out / "2099/01/from-the-future/index.html").is_file()
    assert "from-the-future" in (future_out / "feed.xml").read_text()


def test_two_builds_are_byte_identical(sample_build, run_blog, tmp_path):
    out = tmp_path / "second"
    result = run_blog("build", "--site", sample_build.site, "--out", out, "--clean")
    assert result.exit_code == 0, result.output
    first, second = tree(sample_build.out), tree(out)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_builds_do_not_depend_on_hash_seed_or_local_time_zone(sample_build, tmp_path):
    """Separate processes with different PYTHONHASHSEED, TZ and locale give the same bytes."""
    out = tmp_path / "other-process"
    env = dict(os.environ, PYTHONHASHSEED="12345", TZ="America/New_York", LC_ALL="C.UTF-8")
    command = [sys.executable, "-m", "generator", "build", "--site", str(sample_build.site), "--out", str(out), "--clean", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    first, second = tree(sample_build.out), tree(out)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_an_edit_then_rebuild_equals_a_clean_build(run_blog, tmp_path, sample_copy):
    site = sample_copy
    out = tmp_path / "incremental"
    assert run_blog("build", "--site", site, "--out", out).exit_code == 0
    post = site / "posts/2025-12-09-our-on-call-handbook.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("title: What is in our on-call handbook", "title: Our on-call handbook, revised")
        + "\nOne more line.\n",
        encoding="utf-8",
    )
    rebuilt = run_blog("build", "--site", site, "--out", out)
    assert rebuilt.exit_code == 0
    assert "markdown: 1 rendered, 11 cached" in rebuilt.stdout  # only the edited post (10 posts, the About page cached)
    clean = tmp_path / "clean"
    assert run_blog("build", "--site", site, "--out", clean, "--clean").exit_code == 0
    assert tree(out) == tree(clean)
    assert "Our on-call handbook, revised" in (out / "index.html").read_text(encoding="utf-8") or "revised" in (
        out / "page/2/index.html"
    ).read_text(encoding="utf-8")


def test_failed_build_keeps_the_previous_site(run_blog, tmp_path, sample_copy):
    site = sample_copy
    good = run_blog("build", "--site", site)
    assert good.exit_code == 0, good.output
    out = site / "_site"
    before = tree(out)
    post = site / "posts/2026-03-02-moving-to-postgres-16.md"
    lines = post.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("date:"))
    lines[line - 1] = "date: 2026-02-30\n"
    post.write_text("".join(lines), encoding="utf-8")
    bad = run_blog("build", "--site", site)
    assert bad.exit_code == 1
    assert f"posts/2026-03-02-moving-to-postgres-16.md:{line}" in bad.stderr
    assert "Traceback" not in bad.output
    assert tree(out) == before
    assert strays(out) == []


def test_strict_build_fails_on_a_broken_link_and_writes_nothing(make_site, run_blog, tmp_path):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nSee [gone](2026-01-02-gone.md).\n"})
    out = tmp_path / "out"
    lenient = run_blog("build", "--site", site, "--out", out)
    assert lenient.exit_code == 0
    assert "posts/2026-01-01-a.md:4" in lenient.stderr and "warning" in lenient.stderr
    before = tree(out)
    strict = run_blog("build", "--site", site, "--out", out, "--strict")
    assert strict.exit_code == 1
    assert "posts/2026-01-01-a.md:4" in strict.stderr
    assert tree(out) == before


def test_quiet_build_prints_nothing_on_success(make_site, run_blog, tmp_path):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n"})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""


def test_refuses_to_build_into_the_site_or_its_posts(make_site, run_blog):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n"})
    for out in (site, site / "posts", site.parent):
        result = run_blog("build", "--site", site, "--out", out)
        assert result.exit_code == 2, out
    assert (site / "posts/2026-01-01-a.md").is_file()
    assert (site / "site.toml").is_file()


# --- broken inputs: exit 1 or 2, naming the file -------------------------------------------------

BAD_POSTS = {
    "impossible-date": ("posts/2026-01-01-a.md", "---\ntitle: A\ndate: 2026-02-30\n---\nx\n", 1, ":3"),
    "missing-title": ("posts/2026-01-01-a.md", "---\ndate: 2026-01-01\n---\nx\n", 1, ""),
    "tags-number": ("posts/2026-01-01-a.md", "---\ntitle: A\ntags: 7\n---\nx\n", 1, ":3"),
    "not-utf8": ("posts/2026-01-01-a.md", b"---\ntitle: A\n---\n\xff\xfe\n", 1, ":4"),
    "nul-byte": ("posts/2026-01-01-a.md", b"---\ntitle: A\n---\nx\x00\n", 1, ":4"),
    "empty": ("posts/2026-01-01-a.md", "", 1, ""),
    "no-front-matter": ("posts/2026-01-01-a.md", "# Title\n", 1, ":1"),
    "unclosed": ("posts/2026-01-01-a.md", "---\ntitle: A\nbody\n", 1, ":1"),
    "yaml-tabs": ("posts/2026-01-01-a.md", "---\ntitle: A\ntags:\n\t- x\n---\nx\n", 1, ":4"),
    "bad-yaml": ("posts/2026-01-01-a.md", "---\ntitle: [A\n---\nx\n", 1, ""),
    "unsafe-slug": ("posts/2026-01-01-a.md", "---\ntitle: A\nslug: ../../etc\n---\nx\n", 1, ":3"),
    "reserved-slug": ("posts/2026-01-01-a.md", "---\ntitle: A\nslug: con\n---\nx\n", 1, ":3"),
    "no-date": ("posts/a.md", "---\ntitle: A\n---\nx\n", 1, ""),
    "author-and-authors": ("posts/2026-01-01-a.md", "---\ntitle: A\nauthor: x\nauthors: [y]\n---\nx\n", 1, ":4"),
    "draft-not-bool": ("posts/2026-01-01-a.md", "---\ntitle: A\ndraft: sometimes\n---\nx\n", 1, ":3"),
    "bad-config": ("site.toml", '[site]\ntitle = "T"\nbase_url = "https://e.com"\nposts_per_page = 3\n', 2, ":4"),
}


@pytest.mark.parametrize("case", sorted(BAD_POSTS), ids=sorted(BAD_POSTS))
def test_bad_input_exits_nonzero_naming_the_file(make_site, run_blog, tmp_path, case):
    name, content, code, line = BAD_POSTS[case]
    files = {"posts/2026-01-02-good.md": "---\ntitle: Good\n---\nfine\n"}
    config = None
    if name == "site.toml":
        config = content
    else:
        files[name] = content
    site = make_site(files, config)
    out = tmp_path / "out"
    result = run_blog("build", "--site", site, "--out", out)
    assert result.exit_code == code, result.output
    assert f"{name}{line}" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    check = run_blog("check", "--site", site)
    assert check.exit_code == code
    assert name in check.stderr


@pytest.mark.parametrize(
    "template, where, words",
    [
        (
            '{% extends "!theme/post.html" %}\n{% block content %}\n{% if post.title %}\n{{ post.title }\n{% endblock %}\n',
            "templates/post.html:4",
            "syntax",
        ),
        (
            '{% extends "!theme/post.html" %}\n{% block content %}\n\n{{ post.nope.deeper }}\n{% endblock %}\n',
            "templates/post.html:4",
            "2026-01-01-a.md",
        ),
    ],
    ids=["syntax-error", "render-error"],
)
def test_template_errors_name_the_template_line_and_the_post(make_site, run_blog, tmp_path, template, where, words):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n", "templates/post.html": template})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert where in result.stderr and words in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_slug_too_long_for_the_file_system_names_the_post(make_site, run_blog, tmp_path):
    """Most file systems cap a name at 255 bytes; the error must name the post, not a temporary folder."""
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: Long\nslug: " + "a" * 300 + "\n---\nx\n"})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ".staging-" not in result.stderr
    assert "posts/2026-01-01-a.md" in result.stderr
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if ".staging-" in p.name] == []


def test_symlink_outside_the_site_is_refused(make_site, run_blog, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nx\n")
    site = make_site({"posts/2026-01-02-good.md": "---\ntitle: Good\n---\nfine\n"})
    (site / "posts/2026-01-01-link.md").symlink_to(secret)
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "posts/2026-01-01-link.md" in result.stderr and "outside" in result.stderr


def test_all_broken_posts_are_reported_together(make_site, run_blog, tmp_path):
    site = make_site(
        {
            "posts/2026-01-01-a.md": "---\ntitle: A\ndate: 2026-02-30\n---\nx\n",
            "posts/2026-01-02-b.md": "---\ntitle: B\ntags: 7\n---\nx\n",
            "posts/sub/2026-01-03-c.md": "",
        }
    )
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    for where in ("posts/2026-01-01-a.md:3", "posts/2026-01-02-b.md:3", "posts/sub/2026-01-03-c.md"):
        assert where in result.stderr
    assert "3 error(s)" in result.stderr


def test_duplicate_permalinks_name_both_files(make_site, run_blog, tmp_path):
    site = make_site(
        {
            "posts/2026-01-05-launch.md": "---\ntitle: Launch\n---\nx\n",
            "posts/news/2026-01-20-launch.md": "---\ntitle: Launch again\n---\ny\n",
        }
    )
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "2026-01-05-launch.md" in result.stderr and "news/2026-01-20-launch.md" in result.stderr
    assert "/2026/01/launch/" in result.stderr
    assert "Traceback" not in result.output


def test_a_post_colliding_with_a_generated_page_names_it(make_site, run_blog, tmp_path):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\npermalink = "/{slug}/"\n'
    site = make_site({"posts/2026-01-01-tags.md": "---\ntitle: Tags\n---\nx\n"}, config)
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "/tags/index.html" in result.stderr and "2026-01-01-tags.md" in result.stderr


def test_markup_in_front_matter_is_escaped_in_every_page(make_site, run_blog, tmp_path):
    front = (
        'title: "</script><script>alert(1)</script>"\n'
        'summary: "<img src=x onerror=alert(2)>"\n'
        'tags: ["<script>alert(3)</script>"]\n'
        'author: "<b>Eve</b>"\n'
        "image: 'javascript:alert(4)'\n"
    )
    site = make_site({"posts/2026-01-01-x.md": f"---\n{front}---\nBody\n"})
    out = tmp_path / "out"
    assert run_blog("build", "--site", site, "--out", out).exit_code == 0
    parser = html5lib.HTMLParser(strict=True)
    for page in html_pages(out):
        raw = page.read_text(encoding="utf-8")
        for needle in ("<script>alert", "<img src=x", "<b>Eve", "javascript:alert"):
            assert needle not in raw, (page, needle)
        parser.parse(raw)
    for feed in ("feed.xml", "atom.xml"):
        assert b"<script>alert" not in (out / feed).read_bytes()


def test_control_characters_in_front_matter_do_not_break_pages(make_site, run_blog, tmp_path):
    """A title with an escaped control character (valid YAML) must still give strict-valid HTML."""
    title = "Odd \\x01 title \\x0b with ]]> and <b> 🎉 עברית"
    site = make_site({"posts/2026-01-01-odd.md": f'---\ntitle: "{title}"\nsummary: "sum\\x02mary"\ntags: ["t\\x03ag"]\n---\nBody.\n'})
    out = tmp_path / "out"
    result = run_blog("build", "--site", site, "--out", out)
    assert result.exit_code == 0, result.output
    parser = html5lib.HTMLParser(strict=True)
    failures = []
    for page in html_pages(out):
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            failures.append(f"{page.relative_to(out)}: {exc}")
    assert failures == []
    text = (out / "2026/01/odd/index.html").read_text(encoding="utf-8")
    assert "]]&gt;" in text and "&lt;b&gt;" in text and "🎉" in text and "עברית" in text


# --- blog new ---------------------------------------------------------------------------------------


def test_new_writes_a_post_and_refuses_to_overwrite(make_site, run_blog, tmp_path):
    site = make_site(
        {}, config='[site]\ntitle = "T"\nbase_url = "https://e.com"\ntimezone = "Europe/Lisbon"\n[authors.ana]\nname = "Ana"\n'
    )
    days = {f"{datetime.now(ZoneInfo('Europe/Lisbon')) + timedelta(seconds=s):%Y-%m-%d}" for s in (0, 5)}
    result = run_blog("new", "Launch day: v2 is here!", "--tags", "a, b", "--author", "ana", "--site", site)
    assert result.exit_code == 0, result.output
    written = list((site / "posts").glob("*.md"))
    assert len(written) == 1
    path = written[0]
    assert path.name in {f"{day}-launch-day-v2-is-here.md" for day in days}
    assert path.name in result.stdout
    meta = front_matter(path)
    assert meta["title"] == "Launch day: v2 is here!"
    assert meta["tags"] == ["a", "b"]
    assert meta["author"] == "ana"
    assert meta["draft"] is True
    original = path.read_bytes()
    again = run_blog("new", "Launch day: v2 is here!", "--site", site)
    assert again.exit_code != 0
    assert "already exists" in again.stderr
    assert path.read_bytes() == original
    assert len(list((site / "posts").glob("*.md"))) == 1
    build = run_blog("build", "--site", site, "--out", tmp_path / "out", "--drafts")
    assert build.exit_code == 0, build.output
    assert list((tmp_path / "out").rglob("launch-day-v2-is-here/index.html"))


def test_new_with_an_empty_title_is_refused(make_site, run_blog):
    site = make_site({})
    result = run_blog("new", "   ", "--site", site)
    assert result.exit_code == 2
    assert list((site / "posts").glob("*.md")) == []


# --- blog check ------------------------------------------------------------------------------------


def test_check_passes_on_the_sample_and_writes_no_output(run_blog, tmp_path, sample_copy):
    site = sample_copy
    result = run_blog("check", "--site", site, "--strict")  # the sample has no broken links either
    assert result.exit_code == 0, result.output
    assert "no errors, 0 warning(s)" in result.stdout
    assert not (site / "_site").exists()
    assert strays(site / "_site") == []


def test_check_writes_nothing_into_the_site_folder(run_blog, tmp_path, sample_copy):
    """The contract: `blog check` ... writes nothing (not even the Markdown cache)."""
    site = sample_copy
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    assert run_blog("check", "--site", site).exit_code == 0
    after = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    created = [name for name in after if name not in before]
    assert created[:3] == [], f"{len(created)} new paths"


def test_check_warns_about_a_broken_internal_link_and_fails_with_strict(make_site, run_blog):
    site = make_site(
        {
            "posts/2026-01-01-a.md": "---\ntitle: A\n---\nIntro.\n\nSee [the sequel](2026-02-01-sequel.md).\n",
            "posts/2026-01-02-b.md": "---\ntitle: B\n---\nfine\n",
        }
    )
    result = run_blog("check", "--site", site)
    assert result.exit_code == 0, result.output
    assert "warning" in result.stderr
    assert "posts/2026-01-01-a.md:6" in result.stderr and "2026-02-01-sequel.md" in result.stderr
    strict = run_blog("check", "--site", site, "--strict")
    assert strict.exit_code == 1
    assert "posts/2026-01-01-a.md:6" in strict.stderr
    assert not (site / "_site").exists()


def test_check_fails_on_a_broken_feed(make_site, run_blog, monkeypatch):
    import dataclasses

    import generator.check as check

    real_plan_build = check.plan_build

    def plan_with_broken_feed(options):
        plan = real_plan_build(options)
        plan.files = [dataclasses.replace(f, data=b"<rss><channel><title>cut off") if str(f.path) == "feed.xml" else f for f in plan.files]
        return plan

    monkeypatch.setattr(check, "plan_build", plan_with_broken_feed)
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n"})
    result = run_blog("check", "--site", site)
    assert result.exit_code == 1
    assert "/feed.xml" in result.stderr and "well-formed" in result.stderr


def test_check_reports_a_config_error_with_exit_2(make_site, run_blog):
    site = make_site({}, config='[site]\ntitle = "T"\n')
    result = run_blog("check", "--site", site)
    assert result.exit_code == 2
    assert "site.base_url" in result.stderr


# --- the command itself --------------------------------------------------------------------------


def test_python_m_generator_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("build", "check", "new"):
        assert command in result.stdout


def test_version_and_unknown_option(run_blog):
    assert run_blog("--version").exit_code == 0
    bad = run_blog("build", "--no-such-option")
    assert bad.exit_code == 2
    assert "no-such-option" in bad.output


def test_missing_site_folder_is_a_usage_error(run_blog, tmp_path):
    result = run_blog("build", "--site", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "site.toml" in result.stderr


# --- the Rust blog corpus ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory, real_corpus) -> Path:
    """A copy of the real corpus (../shared/corpora/rust-blog); the tests skip without it."""
    return copy_real_corpus(tmp_path_factory.mktemp("corpus") / "site")


def test_corpus_builds_every_post(corpus_site, run_blog, tmp_path):
    out = tmp_path / "out"
    result = run_blog("build", "--site", corpus_site, "--out", out)
    assert result.exit_code == 0, result.output[-3000:]
    assert "Traceback" not in result.output
    posts = sorted((corpus_site / "posts").rglob("*.md"))
    assert len(posts) == 584
    missing = []
    for path in posts:
        year, month, day, slug = re.match(r"(\d{4})-(\d{2})-(\d{2})-(.+)$", path.stem).groups()
        if not (out / year / month / day / slug / "index.html").is_file():
            missing.append(path.name)
    assert missing == []
    assert "built 584 posts" in result.stdout
    # Relative image links into upstream's missing static/ folder are warnings, with file and line.
    assert re.search(r"warning: posts/\S+\.md:\d+: link points outside posts/", result.stderr)
    # `{{closure}}` in backtraces is text, not a template.
    assert "{{closure}}" in (out / "2017/04/27/Rust-1.17/index.html").read_text(encoding="utf-8")


def test_corpus_parallel_and_single_process_builds_are_identical(corpus_site, run_blog, tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    assert run_blog("build", "--site", corpus_site, "--out", one, "--jobs", "1", "--clean", "--quiet").exit_code == 0
    assert run_blog("build", "--site", corpus_site, "--out", many, "--jobs", "4", "--clean", "--quiet").exit_code == 0
    first, second = tree(one), tree(many)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_corpus_with_the_default_permalink_names_both_colliding_files(corpus_site, run_blog, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(corpus_site / "posts", site / "posts")
    config = (corpus_site / "site.toml").read_text()
    (site / "site.toml").write_text(re.sub(r"(?m)^permalink = .*$", 'permalink = "/{year}/{month}/{slug}/"', config))
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    collision = [line for line in result.stderr.splitlines() if "/2019/11/infra-team-meeting/" in line]
    assert collision, result.stderr[-2000:]
    named = " ".join(collision)
    assert "2019-11-06-infra-team-meeting.md" in named
    assert "2019-11-18-infra-team-meeting.md" in named and "2019-11-19-infra-team-meeting.md" in named
    assert not (tmp_path / "out").exists()
