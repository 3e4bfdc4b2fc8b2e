"""The Markdown stage alone: markdown-it-py (the reference engine) against the fast engine.

    python bench/markdown_bench.py                       # rust-blog, 1,000 generated posts, their 20 largest
    python bench/markdown_bench.py --posts 2000 --largest 50 --runs 5 --workdir /tmp/md-bench

Each corpus's bodies (front matter removed, as the build does) are rendered with
`render_markdown_reference` and with `render_markdown` (markdown-it-pyrs, falling back to
the reference for syntax it lacks), in turns, `--runs` times; the table gives the fastest run
of each: MB/s of Markdown, ms per post, the ratio, and how many posts took the reference
path. Both engines highlight fences with Pygments, which neither can make faster: the
"Pygments" column is its share of the fast engine's time (timed separately, once).
The rust-blog corpus (../shared/corpora/rust-blog beside the repository) is skipped, with a
note, when absent. See docs/markdown.md.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from corpus import make_corpus  # noqa: E402  bench/corpus.py, beside this script

from generator import markdown as markdown_module  # noqa: E402
from generator.content import read_source_text, split_front_matter  # noqa: E402
from generator.markdown import render_markdown, render_markdown_reference  # noqa: E402
from generator.markdown_fast import needs_reference_engine  # noqa: E402

REAL_CORPUS = REPO.parent / "shared" / "corpora" / "rust-blog"


def bodies_of(posts_dir: Path) -> list[str]:
    bodies = []
    for path in sorted(posts_dir.rglob("*.md")):
        _meta, _lines, body, _line = split_front_matter(read_source_text(path), path)
        bodies.append(body)
    return bodies


def fastest(render: Callable, bodies: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        for body in bodies:
            render(body)
        best = min(best, time.perf_counter() - start)
    return best


def pygments_seconds(bodies: list[str]) -> float:
    """Time spent in Pygments while the fast engine renders `bodies`."""
    original = markdown_module._highlight
    spent = 0.0

    def timed(code: str, lang: str) -> str:
        nonlocal spent
        start = time.perf_counter()
        try:
            return original(code, lang)
        finally:
            spent += time.perf_counter() - start

    markdown_module._highlight = timed
    try:
        for body in bodies:
            render_markdown(body)
    finally:
        markdown_module._highlight = original
    return spent


def measure(name: str, bodies: list[str], runs: int) -> dict:
    megabytes = sum(len(body.encode("utf-8")) for body in bodies) / 1e6
    for body in bodies[:20]:  # warm both: parser construction, lexers, imports
        render_markdown_reference(body)
        render_markdown(body)
    # In turns, so both see the same machine load.
    reference = fast = float("inf")
    for _ in range(runs):
        reference = min(reference, fastest(render_markdown_reference, bodies, 1))
        fast = min(fast, fastest(render_markdown, bodies, 1))
    return {
        "name": name,
        "posts": len(bodies),
        "mb": megabytes,
        "reference": reference,
        "fast": fast,
        "pygments": pygments_seconds(bodies),
        "fallback": sum(needs_reference_engine(body) for body in bodies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000, help="generated corpus size (default 1000)")
    parser.add_argument("--largest", type=int, default=20, help="how many of its largest posts to time alone")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="md-bench-"))
    rows = []
    if (REAL_CORPUS / "posts").is_dir():
        rows.append(measure("rust-blog", bodies_of(REAL_CORPUS / "posts"), args.runs))
    else:
        print(f"note: {REAL_CORPUS} is absent: rust-blog skipped", file=sys.stderr)
    generated = work / f"corpus-{args.posts}"
    if not (generated / "posts").is_dir():
        make_corpus(generated, args.posts, 1)
    bodies = bodies_of(generated / "posts")
    rows.append(measure(f"generated {args.posts}", bodies, args.runs))
    largest = sorted(bodies, key=len, reverse=True)[: args.largest]
    rows.append(measure(f"{len(largest)} largest generated", largest, args.runs))

    header = (
        f"{'corpus':<22} {'posts':>5} {'MB':>6} {'ref MB/s':>8} {'fast MB/s':>9} "
        f"{'ref ms/post':>11} {'fast ms/post':>12} {'ratio':>6} {'Pygments':>8} {'ref path':>8}"
    )
    print(header)
    for row in rows:
        posts = row["posts"]
        print(
            f"{row['name']:<22} {posts:>5} {row['mb']:>6.2f} {row['mb'] / row['reference']:>8.2f} "
            f"{row['mb'] / row['fast']:>9.2f} {1000 * row['reference'] / posts:>11.2f} "
            f"{1000 * row['fast'] / posts:>12.2f} {row['reference'] / row['fast']:>6.1f} "
            f"{row['pygments'] / row['fast']:>7.0%} {row['fallback']:>8}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
