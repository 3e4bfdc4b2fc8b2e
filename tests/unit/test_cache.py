"""cache.py: rendered bodies cached on disk, keyed by the body and everything the renderer reads."""

from __future__ import annotations

from generator.cache import MarkdownCache, render_bodies
from generator.markdown import MarkdownSettings, render_markdown


def test_first_render_misses_then_hits(tmp_path):
    cache = MarkdownCache(tmp_path / "cache", MarkdownSettings())
    bodies = ["# One\n\ntext", "Two *words*", "# One\n\ntext"]
    first = render_bodies(bodies, cache, jobs=1)
    rendered = list(first)
    assert (first.stats.hits, first.stats.misses) == (0, 3)
    again = render_bodies(bodies, cache, jobs=1)
    assert list(again) == rendered
    assert (again.stats.hits, again.stats.misses) == (3, 0)
    first = rendered
    assert first[1] == render_markdown("Two *words*", MarkdownSettings())


def test_results_keep_the_input_order(tmp_path):
    cache = MarkdownCache(tmp_path / "cache", MarkdownSettings())
    render_bodies(["b"], cache, jobs=1)  # one cached, the others not
    results = render_bodies(["a", "b", "c"], cache, jobs=1)
    assert [r.html.strip() for r in results] == ["<p>a</p>", "<p>b</p>", "<p>c</p>"]
    assert (results.stats.hits, results.stats.misses) == (1, 2)


def test_key_depends_on_body_and_settings(tmp_path):
    plain = MarkdownCache(tmp_path, MarkdownSettings())
    no_highlight = MarkdownCache(tmp_path, MarkdownSettings(highlight=False))
    assert plain.key("x") == plain.key("x")
    assert plain.key("x") != plain.key("y")
    assert plain.key("x") != no_highlight.key("x")


def test_a_corrupt_entry_is_rendered_again(tmp_path):
    cache = MarkdownCache(tmp_path / "cache", MarkdownSettings())
    render_bodies(["hello"], cache, jobs=1)
    (entry,) = (tmp_path / "cache").rglob("*.msgpack")
    entry.write_bytes(b"not an entry")
    results = render_bodies(["hello"], cache, jobs=1)
    assert [r.html.strip() for r in results] == ["<p>hello</p>"]  # read when asked for: then re-rendered
    assert (results.stats.hits, results.stats.misses) == (0, 1)  # counted as rendered, not cached
    assert render_bodies(["hello"], cache, jobs=1).stats.hits == 1  # the bad entry was replaced


def test_stored_bodies_are_read_only_when_asked_for(tmp_path):
    """Workers store what they render and send nothing back; the bodies come from the cache one by one."""
    cache = MarkdownCache(tmp_path / "cache", MarkdownSettings())
    bodies = [f"Post {i}" for i in range(80)]
    results = render_bodies(bodies, cache, jobs=2)
    assert results.stats.workers == 2 and results.held == {}
    assert [r.html.strip() for r in results] == [f"<p>Post {i}</p>" for i in range(80)]


def test_without_a_cache_the_bodies_are_held(tmp_path):
    results = render_bodies(["a", "b"], MarkdownCache(None, MarkdownSettings()), jobs=1)
    assert sorted(results.held) == [0, 1]
    assert [r.html.strip() for r in results] == ["<p>a</p>", "<p>b</p>"]


def test_no_directory_means_no_cache(tmp_path):
    cache = MarkdownCache(None, MarkdownSettings())
    render_bodies(["x"], cache, jobs=1)
    assert render_bodies(["x"], cache, jobs=1).stats.misses == 1
    assert list(tmp_path.iterdir()) == []


def test_parallel_rendering_gives_the_same_results(tmp_path):
    bodies = [f"# Post {i}\n\nText with `code` and [a link](p{i}.md).\n\n```python\nx = {i}\n```\n" for i in range(80)]
    single = render_bodies(bodies, MarkdownCache(None, MarkdownSettings()), jobs=1)
    parallel = render_bodies(bodies, MarkdownCache(None, MarkdownSettings()), jobs=2)
    assert parallel.stats.workers == 2
    assert list(parallel) == list(single)
