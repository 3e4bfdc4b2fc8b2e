"""`blog list`: every post with its date, status and permalink, newest first."""

from __future__ import annotations

import re

from conftest import copy_sample_site, post


def test_list_shows_status_and_permalink_newest_first(tmp_path, run_blog):
    site = copy_sample_site(tmp_path / "site")
    (site / "posts" / "2099-01-01-far-future.md").write_text(post("From the future", "Later."), encoding="utf-8")
    result = run_blog("list", "--site", site)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    rows = [re.split(r"\s{2,}", line) for line in lines[:-1]]
    assert rows[0] == ["2099-01-01 00:00", "scheduled", "/2099/01/far-future/", "From the future"]
    assert [
        "2026-11-18 00:00",
        "draft",
        "/2026/11/embedding-the-solver-with-pyo3/",
        "One process, two languages: calling the solver from Python",
    ] in rows
    assert ["2025-11-20 14:00", "published", "/2025/11/cafe-grade-latency/", "Café-grade latency: getting our ETA API under 50 ms"] in rows
    dates = [row[0] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert lines[-1] == "13 posts: 11 published, 1 draft(s), 1 scheduled"


def test_list_reports_a_broken_post_like_build(tmp_path, run_blog):
    site = copy_sample_site(tmp_path / "site")
    (site / "posts" / "2026-01-01-broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = run_blog("list", "--site", site)
    assert result.exit_code == 1
    assert "posts/2026-01-01-broken.md:2" in result.output and "Traceback" not in result.output
