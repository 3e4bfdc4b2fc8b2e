"""Build benchmarks: cold, no-change and one-post-changed builds, peak memory, stage times.

    python bench/run.py                      # 1,000 and 10,000 posts
    python bench/run.py --posts 1000 10000 50000 --runs 3 --workdir /tmp/blog-bench

Corpora come from the project's own generator bench/corpus.py (deterministic: seed 1).
Each build runs `python -m generator build --profile` in a fresh process; peak memory is
that process tree's largest resident set (ru_maxrss of the children). A cold build starts
with no output and no cache. Prints a table of medians; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import corpus_in  # bench/corpus.py, beside this script

REPO = Path(__file__).resolve().parents[1]
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "seconds = time.perf_counter() - start\n"
    "sys.stdout.write(done.stdout)\n"
    "sys.stderr.write(done.stderr[-2000:])\n"
    "print(f'@@ {seconds:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {done.returncode}')\n"
)


def timed_build(site: Path, *extra: str) -> tuple[float, float, dict[str, float]]:
    """(wall seconds, peak MiB, stage -> seconds) of one `blog build` in a fresh process."""
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "generator", "build", "--site", str(site), "--profile", *extra]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    match = re.search(r"@@ ([\d.]+) (\d+) (\d+)", result.stdout)
    if not match or match.group(3) != "0":
        raise SystemExit(f"build failed:\n{result.stdout}\n{result.stderr}")
    stages = {name: float(ms) / 1000 for name, ms in re.findall(r"^\s+([\w+]+)\s+([\d.]+) ms$", result.stdout, re.M)}
    return float(match.group(1)), int(match.group(2)) / 1024, stages


def reset(site: Path) -> None:
    shutil.rmtree(site / "_site", ignore_errors=True)
    shutil.rmtree(site / ".blog-cache", ignore_errors=True)


def change_one_post(site: Path, run: int) -> None:
    post = sorted((site / "posts").glob("*.md"))[len(list((site / "posts").glob("*.md"))) // 2]
    with open(post, "a", encoding="utf-8") as handle:
        handle.write(f"\nAn edit for benchmark run {run} at {time.time()}.\n")


def bench(posts: int, runs: int, workdir: Path) -> dict:
    site = corpus_in(workdir, posts)
    cold, no_change, one_post = [], [], []
    for run in range(runs):
        reset(site)
        cold.append(timed_build(site))
        no_change.append(timed_build(site))
        change_one_post(site, run)
        one_post.append(timed_build(site))
    single = []
    if posts <= 10_000:
        reset(site)
        single.append(timed_build(site, "--jobs", "1"))
    return {"posts": posts, "cold": cold, "no_change": no_change, "one_post": one_post, "cold_single": single}


def median(results, index=0):
    return statistics.median(r[index] for r in results) if results else float("nan")


def stage_medians(results) -> dict[str, float]:
    names = results[0][2].keys()
    return {name: statistics.median(r[2].get(name, 0.0) for r in results) for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/blog-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    print(
        f"# commit {commit}, {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    )
    rows = [bench(n, 1 if n > 10_000 else args.runs, args.workdir) for n in args.posts]
    print("\n| posts | cold build | cold, --jobs 1 | no-change build | one post changed | peak memory (cold) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['posts']:,} | {median(row['cold']):.2f} s | {median(row['cold_single']):.2f} s | "
            f"{median(row['no_change']):.2f} s | {median(row['one_post']):.2f} s | {median(row['cold'], 1):.0f} MiB |"
        )
    print("\nStage times (median seconds):")
    for row in rows:
        for label in ("cold", "one_post"):
            stages = stage_medians(row[label])
            print(f"  {row['posts']:>6,} {label:<9} " + "  ".join(f"{k} {v:.2f}" for k, v in stages.items()))


if __name__ == "__main__":
    main()
