"""Incremental builds (Markdown cache, page and feed fingerprints, the up-to-date check)
always give the bytes a clean build gives, whatever changed in between."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import NOW, REPO, clean_tree, tree_bytes

from generator.build import BuildOptions, build


def _touch_later(path: Path) -> None:
    """Some file systems keep a coarse mtime: make sure an edit is seen as one."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def _sample(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for name in ("posts", "static"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.toml", site / "site.toml")
    return site


STEPS = [
    ("edit a body", "posts/2025-11-20-cafe-grade-latency.md", lambda t: t + "\nA paragraph added to the body.\n"),
    ("edit a title", "posts/2025-11-20-cafe-grade-latency.md", lambda t: t.replace("latency", "latency (edited)", 1)),
    (
        "retitle a post (neighbours, lists, related, feeds change)",
        "posts/2026-03-02-moving-to-postgres-16.md",
        lambda t: t.replace("title:", "title: Renamed —", 1),
    ),
    (
        "change tags",
        "posts/2026-04-21-upgrading-to-python-3-13.md",
        lambda t: t.replace("tags: python", "tags: [python, release, brand-new-tag]", 1),
    ),
    ("edit a template", "templates/partials/footer.html", None),
    ("change site.toml", "site.toml", lambda t: t.replace("posts_per_page = 5", "posts_per_page = 3", 1)),
    ("edit a static file", "static/favicon.svg", lambda t: t.replace("#0b5cad", "#0a4d91")),
    ("delete a post", "posts/2025-12-09-our-on-call-handbook.md", "delete"),
]


def test_every_incremental_build_equals_a_clean_build(tmp_path):
    site = _sample(tmp_path)
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    assert tree_bytes(out) == clean_tree(site, tmp_path)
    for label, rel, change in STEPS:
        path = site / rel
        if change is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text('<footer class="site-footer"><p>Our own footer</p></footer>\n')
        elif change == "delete":
            path.unlink()
        else:
            path.write_text(change(path.read_text()))
            _touch_later(path)
        report = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
        assert not report.up_to_date, label
        assert tree_bytes(out) == clean_tree(site, tmp_path), label
    again = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    assert again.up_to_date and again.written == 0


def test_pages_not_affected_by_an_edit_are_not_rendered_again(tmp_path):
    site = _sample(tmp_path)
    out = site / "_site"
    first = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    post = site / "posts/2025-11-20-cafe-grade-latency.md"
    post.write_text(post.read_text() + "\nA paragraph added to the body.\n")
    _touch_later(post)
    second = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    assert second.render_stats.misses == 1 and second.render_stats.hits == first.posts - 1
    assert 0 < second.written < first.files // 2  # the post, its lists, tags, author, feeds, sitemap
    assert second.unchanged > first.files // 2


def test_a_scheduled_post_appears_when_its_time_comes_without_any_file_changing(tmp_path):
    site = _sample(tmp_path)
    later = site / "posts/2026-12-01-scheduled.md"
    later.write_text("---\ntitle: Scheduled\n---\nComing soon.\n")
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    assert not (out / "2026/12/scheduled/index.html").exists()
    assert build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW + timedelta(days=1))).up_to_date
    after = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=datetime(2026, 12, 2, tzinfo=UTC)))
    assert not after.up_to_date
    assert (out / "2026/12/scheduled/index.html").exists()


def test_clean_ignores_the_caches(tmp_path):
    site = _sample(tmp_path)
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    report = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW, clean=True))
    assert not report.up_to_date and report.render_stats.hits == 0


def test_parallel_and_cached_builds_equal_a_clean_single_process_build(tmp_path, corpus):
    site = corpus(300)
    build(BuildOptions(site_dir=site, out_dir=tmp_path / "single", jobs=1, now=NOW, use_cache=False))
    parallel = build(BuildOptions(site_dir=site, out_dir=tmp_path / "parallel", jobs=2, now=NOW))
    assert parallel.render_stats.workers == 2
    cached = build(BuildOptions(site_dir=site, out_dir=tmp_path / "cached", jobs=2, now=NOW))
    assert cached.render_stats.hits == cached.posts and cached.render_stats.misses == 0
    single = tree_bytes(tmp_path / "single")
    assert len(single) > 300
    assert tree_bytes(tmp_path / "parallel") == single
    assert tree_bytes(tmp_path / "cached") == single


def test_a_template_change_re_renders_only_the_pages_that_use_it(tmp_path):
    """Fingerprints cover only the templates a page's template reaches (extends, includes, imports)."""
    from generator.cache import CACHE_DIR, load_build_record

    site = _sample(tmp_path)
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    before = load_build_record(site / CACHE_DIR, out.resolve()).pages
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text(
        '{% extends "!theme/tag.html" %}{% block content %}<p class="marker">Tag page</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    after = load_build_record(site / CACHE_DIR, out.resolve()).pages
    changed = {path for path in after if before.get(path) != after[path]}
    tag_pages = {path for path in after if path.startswith("tags/") and path != "tags/index.html" and path.endswith(".html")}
    assert tag_pages and changed == tag_pages
    assert b'class="marker"' in (out / sorted(tag_pages)[0]).read_bytes()
    assert tree_bytes(out) == clean_tree(site, tmp_path)
