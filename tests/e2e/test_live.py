"""Quick rebuilds (generator/live.py): an edit to posts' text re-renders only what shows
them, and the output is byte for byte what a clean build of the same input writes."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from conftest import NOW, clean_tree, copy_sample_site, tree_bytes

from generator.build import BuildOptions, build
from generator.errors import BuildFailed, ContentError
from generator.live import LiveSite


def _options(site: Path, **extra) -> BuildOptions:
    return BuildOptions(site_dir=site, out_dir=site / "_site", jobs=1, now=NOW, **extra)


def _live(site: Path, **extra) -> LiveSite:
    options = _options(site, **extra)
    report = build(options, keep_plan=True)
    assert report.plan is not None
    return LiveSite(options, report.plan, report.output_dir)


def _edit(path: Path, change) -> frozenset[Path]:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return frozenset([path.resolve()])


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_sample_site(tmp_path / "site")


POST = "posts/2025-11-20-cafe-grade-latency.md"

TEXT_EDITS = [
    ("append to the body", lambda t: t + "\nA new paragraph with a [link](https://example.com/x).\n"),
    ("change the title", lambda t: t.replace('title: "', 'title: "Edited — ', 1)),
    ("change the summary", lambda t: re.sub(r"(?m)^summary:.*$", 'summary: "A new summary & <em>text</em>"', t, count=1)),
    ("add a code block", lambda t: t + "\n```python\ndef added():\n    return {'a': 1}\n```\n"),
    ("add a heading (toc)", lambda t: t + "\n## A brand new section\n\nText.\n"),
    ("link to another post", lambda t: t + "\nSee [the handbook](2025-12-09-our-on-call-handbook.md).\n"),
    ("add a broken link (warning)", lambda t: t + "\nSee [nothing](no-such-post.md).\n"),
    ("double the body (reading time)", lambda t: t + "\n" + t.split("---\n", 2)[2] * 3),
]


@pytest.mark.parametrize("name, change", TEXT_EDITS, ids=[name for name, _ in TEXT_EDITS])
def test_a_text_edit_is_quick_and_equals_a_clean_build(sample, tmp_path, name, change):
    live = _live(sample)
    before = tree_bytes(sample / "_site")
    report = live.rebuild(_edit(sample / POST, change))
    assert report is not None and report.quick, name
    after = tree_bytes(sample / "_site")
    assert after == clean_tree(sample, tmp_path)
    assert after != before  # the edit reached the output
    assert report.written >= 1


def test_warnings_follow_the_edit(sample):
    live = _live(sample)
    report = live.rebuild(_edit(sample / POST, lambda t: t + "\nSee [nothing](no-such-post.md).\n"))
    assert any("no-such-post.md" in w.message and w.path == (sample / POST).resolve() for w in report.warnings)
    report = live.rebuild(_edit(sample / POST, lambda t: t.replace("See [nothing](no-such-post.md).\n", "")))
    assert not any("no-such-post.md" in w.message for w in report.warnings)


def test_a_body_edit_leaves_list_pages_alone(sample):
    live = _live(sample)
    index = sample / "_site" / "index.html"
    inode = index.stat().st_ino
    report = live.rebuild(_edit(sample / POST, lambda t: t.replace("\n\n", "\n\nOne more sentence.\n\n", 1)))
    assert report.quick
    assert index.stat().st_ino == inode  # not rewritten


STRUCTURAL_EDITS = [
    ("date", lambda t: re.sub(r"(?m)^date:.*$", "date: 2021-01-01", t, count=1)),
    ("tags", lambda t: re.sub(r"(?m)^tags:.*$", "tags: [a-new-tag]", t, count=1)),
    ("slug", lambda t: t.replace("---\n", "---\nslug: another-slug\n", 1)),
    ("draft", lambda t: t.replace("---\n", "---\ndraft: true\n", 1)),
    ("author", lambda t: re.sub(r"(?m)^author:.*$", "author: Somebody Else", t, count=1)),
    ("updated", lambda t: t.replace("---\n", "---\nupdated: 2026-11-01\n", 1)),
]


@pytest.mark.parametrize("name, change", STRUCTURAL_EDITS, ids=[name for name, _ in STRUCTURAL_EDITS])
def test_an_edit_that_moves_a_post_asks_for_a_full_build(sample, name, change):
    live = _live(sample)
    before = tree_bytes(sample / "_site")
    assert live.rebuild(_edit(sample / POST, change)) is None
    assert tree_bytes(sample / "_site") == before  # nothing written


def test_other_changes_ask_for_a_full_build(sample):
    live = _live(sample)
    new_post = sample / "posts" / "2026-11-20-new.md"
    new_post.write_text("---\ntitle: New\n---\nText.\n", encoding="utf-8")
    assert live.rebuild(frozenset([new_post.resolve()])) is None
    assert live.rebuild(frozenset([(sample / "site.toml").resolve()])) is None
    assert live.rebuild(frozenset([(sample / "static" / "favicon.svg").resolve()])) is None
    deleted = (sample / POST).resolve()
    deleted.unlink()
    assert live.rebuild(frozenset([deleted])) is None


def test_templates_that_read_every_post_turn_quick_rebuilds_off(sample):
    (sample / "templates").mkdir(exist_ok=True)
    (sample / "templates" / "404.html").write_text(
        '{% extends "!theme/404.html" %}{% block content %}{{ super() }}<p>{{ site.posts | length }} posts</p>{% endblock %}',
        encoding="utf-8",
    )
    live = _live(sample)
    assert live.rebuild(_edit(sample / POST, lambda t: t + "\nMore.\n")) is None


def test_a_broken_post_is_reported_and_the_output_kept(sample, tmp_path):
    live = _live(sample)
    before = tree_bytes(sample / "_site")
    path = sample / POST
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    with pytest.raises((ContentError, BuildFailed)) as caught:
        live.rebuild(frozenset([path.resolve()]))
    errors = caught.value.errors if isinstance(caught.value, BuildFailed) else [caught.value]
    assert any(e.path == path.resolve() and e.line for e in errors)
    assert tree_bytes(sample / "_site") == before
    path.write_text(good + "\nFixed.\n", encoding="utf-8")
    report = live.rebuild(frozenset([path.resolve()]))
    assert report is not None and report.quick
    assert tree_bytes(sample / "_site") == clean_tree(sample, tmp_path)


def test_strict_fails_on_a_new_warning_and_writes_nothing(sample):
    live = _live(sample, strict=True)
    before = tree_bytes(sample / "_site")
    with pytest.raises(BuildFailed):
        live.rebuild(_edit(sample / POST, lambda t: t + "\n[gone](missing.md)\n"))
    assert tree_bytes(sample / "_site") == before


def test_the_next_full_build_does_not_trust_the_old_record(sample, tmp_path):
    """After quick rebuilds, `blog build` must not answer "up to date" or reuse stale pages."""
    live = _live(sample)
    live.rebuild(_edit(sample / POST, lambda t: t + "\nQuick edit.\n"))
    _edit(sample / POST, lambda t: t + "\nEdited while nothing watched.\n")
    report = build(_options(sample))
    assert not report.up_to_date
    assert tree_bytes(sample / "_site") == clean_tree(sample, tmp_path)


def test_random_text_edits_on_a_generated_corpus_equal_clean_builds(tmp_path, corpus):
    """40 random edits (body, title, summary, several posts at once) on a 150-post corpus with
    pagination, tags, authors and related posts; after every fifth, the output is compared."""
    site = corpus(150)
    posts = sorted((site / "posts").glob("*.md"))
    live = _live(site)
    rng = random.Random(7)
    quick = 0
    for step in range(40):
        chosen = rng.sample(posts, rng.choice([1, 1, 1, 2, 3]))
        for path in chosen:
            kind = rng.choice(["body", "body", "title", "summary", "more"])
            text = path.read_text(encoding="utf-8")
            if kind == "body":
                text = text.rstrip("\n") + f"\n\nStep {step}: *edited* text with `code` & <b>html</b>.\n"
            elif kind == "title":
                text = re.sub(r'(?m)^title: "?', lambda m: m.group(0) + f"S{step} ", text, count=1)  # noqa: B023 (used at once)
            elif kind == "summary":
                text = re.sub(r"(?m)^summary:.*$", f'summary: "Summary {step} <&>"', text, count=1)
            else:
                text = text.replace("<!--more-->\n", "", 1) if "<!--more-->" in text else text + "\n<!--more-->\n\nAfter.\n"
            path.write_text(text, encoding="utf-8")
        report = live.rebuild(frozenset(p.resolve() for p in chosen))
        if report is None:  # e.g. a draft: quick rebuilds cover published posts only
            report = build(_options(site), keep_plan=True)
            live = LiveSite(_options(site), report.plan, report.output_dir)
        else:
            quick += 1
        if step % 5 == 4:
            assert tree_bytes(site / "_site") == clean_tree(site, tmp_path), f"after step {step}"
    assert quick >= 30
