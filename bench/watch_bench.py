#!/usr/bin/env python3
"""Benchmark: rebuild times for `blog build` and `blog watch` on generated corpora.

    python bench/watch_bench.py --posts 1000 10000 [--saves 5] [--work DIR]

For each size, a corpus is generated with bench/corpus.py (seed 1) and built once (cold:
no cache, no output). Then, each as a subprocess:

  no-change build   a second `blog build` with nothing changed
  one-post build    a `blog build` after one post's body changed
  watch: save->page+feeds
                    with `blog watch` running, the time from an atomic save of the newest
                    post (write a temporary file, rename it over the post) until its page,
                    feed.xml, atom.xml and feed.json all hold the new text (files polled)

Build rows give the wall time of the whole command (Python start-up included) and, in
brackets, the build's own time as it reports it. The watch row is the median of --saves
saves (min-max after it); it includes the 50 ms debounce.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import make_corpus  # bench/corpus.py, beside this script

REPO = Path(__file__).resolve().parents[1]
BLOG = [sys.executable, "-m", "generator"]
FEEDS = ("feed.xml", "atom.xml", "feed.json")
WATCH_TIMEOUT = 600.0


def timed_build(site: Path) -> tuple[float, float]:
    """(wall seconds, the build's own seconds from its summary line) of one `blog build`."""
    start = time.perf_counter()
    done = subprocess.run([*BLOG, "build", "--site", str(site)], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"blog build failed:\n{done.stdout}{done.stderr}")
    own = re.search(r" in ([\d.]+) s;", done.stdout)
    return wall, float(own.group(1)) if own else float("nan")


def newest_post(site: Path) -> tuple[Path, Path]:
    """The newest published post (the one at the top of every feed) and its page in the output."""
    for source in sorted((site / "posts").glob("*.md"), reverse=True):
        text = source.read_text(encoding="utf-8")
        if re.search(r"^draft:\s*true", text, re.M):
            continue
        slug = re.match(r"\d{4}-\d{2}-\d{2}-(.+)\.md$", source.name).group(1)
        pages = list((site / "_site").glob(f"*/*/{slug}/index.html"))
        if len(pages) == 1:
            return source, pages[0]
    raise SystemExit("no published post with a page found")


def with_marker(text: str, marker: str) -> str:
    """The post with one more paragraph at the end of its body."""
    return text.rstrip("\n") + f"\n\nEdited by the benchmark: {marker}.\n"


def edit_one_post(site: Path, marker: str) -> None:
    source, _ = newest_post(site)
    source.write_text(with_marker(source.read_text(encoding="utf-8"), marker), encoding="utf-8")


def all_hold(paths: list[Path], marker: bytes) -> bool:
    for path in paths:
        try:
            if marker not in path.read_bytes():
                return False
        except OSError:  # being swapped in
            return False
    return True


def watch_saves(site: Path, saves: int) -> tuple[list[float], list[float]]:
    """Seconds from each save until the page and the feeds hold it, and the build's own seconds."""
    process = subprocess.Popen([*BLOG, "watch", "--site", str(site)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        _wait(lambda: any(line.startswith("built ") or " is up to date" in line for line in lines), process, lines)
        source, page = newest_post(site)
        targets = [page] + [site / "_site" / name for name in FEEDS]
        latencies, builds = [], []
        original = source.read_text(encoding="utf-8")
        for number in range(saves):
            time.sleep(0.5)  # let the previous rebuild settle
            marker = f"watch-bench-{os.getpid()}-{number}-{time.monotonic_ns()}"
            seen = sum(line.startswith("built ") for line in lines)
            temporary = source.with_name(f".{source.name}.tmp")
            temporary.write_text(with_marker(original, marker), encoding="utf-8")
            start = time.perf_counter()
            os.replace(temporary, source)
            _wait(lambda: all_hold(targets, marker.encode()), process, lines, poll=0.002)  # noqa: B023 (called before the loop moves on)
            latencies.append(time.perf_counter() - start)
            _wait(lambda: sum(line.startswith("built ") for line in lines) > seen, process, lines)  # noqa: B023 (called before the loop moves on)
            built = [line for line in lines if line.startswith("built ")][seen]
            builds.append(float(re.search(r" in ([\d.]+) s;", built).group(1)))
        source.write_text(original, encoding="utf-8")
        return latencies, builds
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait(condition, process: subprocess.Popen, lines: list[str], poll: float = 0.05) -> None:
    deadline = time.monotonic() + WATCH_TIMEOUT
    while not condition():
        if process.poll() is not None:
            raise SystemExit("blog watch ended:\n" + "".join(lines))
        if time.monotonic() > deadline:
            raise SystemExit("blog watch did not rebuild in time:\n" + "".join(lines[-20:]))
        time.sleep(poll)


def bench(posts: int, work: Path, saves: int) -> dict[str, str]:
    site = work / f"corpus-{posts}"
    shutil.rmtree(site, ignore_errors=True)
    print(f"[{posts} posts] generating the corpus in {site}", file=sys.stderr)
    make_corpus(site, posts, seed=1)
    print(f"[{posts} posts] cold build", file=sys.stderr)
    cold = timed_build(site)
    print(f"[{posts} posts] no-change build", file=sys.stderr)
    unchanged = timed_build(site)
    print(f"[{posts} posts] one-post build", file=sys.stderr)
    edit_one_post(site, "one-post-build")
    one_post = timed_build(site)
    print(f"[{posts} posts] watch: {saves} saves", file=sys.stderr)
    latencies, builds = watch_saves(site, saves)
    return {
        "posts": str(posts),
        "cold build": _build_cell(cold),
        "no-change build": _build_cell(unchanged),
        "one-post build": _build_cell(one_post),
        "watch: save->page+feeds": f"{statistics.median(latencies):.2f} s ({min(latencies):.2f}-{max(latencies):.2f})",
        "watch: rebuild itself": f"{statistics.median(builds):.2f} s",
    }


def _build_cell(times: tuple[float, float]) -> str:
    own = "up to date" if times[1] != times[1] else f"{times[1]:.2f} s"  # NaN: no summary line, nothing built
    return f"{times[0]:.2f} s ({own})"


def print_table(rows: list[dict[str, str]]) -> None:
    columns = list(rows[0])
    widths = [max(len(column), *(len(row[column]) for row in rows)) for column in columns]
    print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        print("| " + " | ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000], help="corpus sizes (default: 1000)")
    parser.add_argument("--saves", type=int, default=5, help="saves to time in blog watch (default: 5)")
    parser.add_argument("--work", type=Path, help="folder for the corpora (default: a temporary one, removed after)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="blog-watch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        rows = [bench(posts, work, args.saves) for posts in args.posts]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
