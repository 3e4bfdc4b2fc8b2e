"""Site plugins (generator/plugins.py): the worked example of docs/plugins.md, built as written,
and the errors a broken plugin gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import DEFAULT_CONFIG, copy_sample_site, post

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
PLUGINS = '\n[build]\nplugins = ["reading_stats"]\n'  # lines 4-6 of site.toml


def _doc_block(language: str) -> str:
    """The first ```language block of docs/plugins.md: the example is tested as documented."""
    return re.search(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)


@pytest.fixture
def example(tmp_path):
    """The sample blog with the documented plugin and template added, as a reader of docs/plugins.md would."""
    site = copy_sample_site(tmp_path / "site")
    (site / "plugins").mkdir()
    (site / "plugins" / "reading_stats.py").write_text(_doc_block("python"), encoding="utf-8")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "post.html").write_text(_doc_block("jinja"), encoding="utf-8")
    text = (site / "site.toml").read_text(encoding="utf-8")
    assert "[build]" in text and "plugins" not in text
    (site / "site.toml").write_text(text.replace("[build]\n", '[build]\nplugins = ["reading_stats"]\n', 1), encoding="utf-8")
    return site


def test_the_documented_example_adds_a_filter_and_a_file(example, run_blog):
    result = run_blog("build", "--site", example)
    assert result.exit_code == 0, result.output
    out = example / "_site"
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    pages = [
        p for p in sorted(out.glob("20*/*/*/index.html")) if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    ]  # not aliases
    shown = []
    for page in pages:
        found = re.search(r'<p class="post-length">([\d,]+) words</p>', page.read_text(encoding="utf-8"))
        assert found, page
        shown.append(int(found.group(1).replace(",", "")))
    assert stats["posts"] == len(pages) == 11 and stats["words"] == sum(shown) > 5000
    assert (out / stats["longest"].strip("/") / "index.html").is_file()
    assert stats["tags"]["python"] == (out / "tags/python/index.html").read_text(encoding="utf-8").count('class="post-card')


def test_editing_a_plugin_rebuilds_what_it_makes(example, run_blog):
    assert run_blog("build", "--site", example).exit_code == 0
    plugin = example / "plugins" / "reading_stats.py"
    plugin.write_text(plugin.read_text(encoding="utf-8").replace(' word"', ' mot"'), encoding="utf-8")
    assert run_blog("build", "--site", example).exit_code == 0
    assert " mots</p>" in (example / "_site/2025/11/cafe-grade-latency/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "plugin, where, message",
    [
        (None, "site.toml:6", "no plugin 'reading_stats'"),
        ("import json\n\nraise RuntimeError('broken on purpose')\n", "plugins/reading_stats.py:3", "broken on purpose"),
        ("def f(:\n", "plugins/reading_stats.py:1", "invalid syntax"),
        ("filters = {'x': 3}\n", "plugins/reading_stats.py", "`filters` must be a dict of names to functions"),
        ("def extra_files(site):\n    return [('../../etc/x', 'no')]\n", "plugins/reading_stats.py", "'../../etc/x'"),
        (
            "def extra_files(site):\n    return [('/index.html', 'clash')]\n",
            "plugins/reading_stats.py",
            "two outputs would be written to /index.html",
        ),
        ("def extra_files(site):\n    return 1 / 0\n", "plugins/reading_stats.py:2", "ZeroDivisionError"),
    ],
    ids=["missing", "raises on import", "syntax error", "bad filters", "unsafe path", "clashes with a page", "raises in extra_files"],
)
def test_a_broken_plugin_is_an_error_naming_it(make_site, run_blog, plugin, where, message):
    files = {"posts/2026-01-01-a.md": post("A", tags="[a]")}
    if plugin is not None:
        files["plugins/reading_stats.py"] = plugin
    site = make_site(files, DEFAULT_CONFIG + PLUGINS)
    result = run_blog("build", "--site", site)
    assert result.exit_code in (1, 2)
    assert where in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (site / "_site").exists()
