"""Cache formats for rendered Markdown: pickle (the old format) against data-only ones.

    python bench/cache_formats.py [--posts 10000]

Renders the sample blog's posts once, then times writing and reading back `--posts`
entries held in memory (no disk: the formats, not the file system) in each format, with
the check each needs on read: msgspec decodes straight into the `Rendered` dataclass and
validates every field as it goes; orjson gives plain lists and dicts that the cache must
then check and turn into a `Rendered` itself. Prints seconds for the whole site and MB/s.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import msgspec
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.markdown import Heading, Reference, Rendered, render_markdown

REPO = Path(__file__).resolve().parents[1]


def sample_entries(count: int) -> list[Rendered]:
    rendered = [render_markdown(path.read_text(encoding="utf-8").split("---", 2)[-1]) for path in sorted((REPO / "posts").rglob("*.md"))]
    return [rendered[i % len(rendered)] for i in range(count)]


def orjson_encode(value: Rendered) -> bytes:
    return orjson.dumps(
        {
            "html": value.html_utf8.decode("utf-8"),
            "summary_html": value.summary_html,
            "has_more": value.has_more,
            "toc": [[h.level, h.id, h.text] for h in value.toc],
            "references": [[r.url, r.line, r.is_image, r.alt] for r in value.references],
            "word_count": value.word_count,
        }
    )


def orjson_decode(data: bytes) -> Rendered:
    raw = orjson.loads(data)
    if not isinstance(raw, dict):
        raise ValueError("not an entry")
    html, summary, more, toc, refs, words = (raw[k] for k in ("html", "summary_html", "has_more", "toc", "references", "word_count"))
    if not (isinstance(html, str) and isinstance(summary, str) and isinstance(more, bool) and type(words) is int):
        raise ValueError("wrong field types")
    headings = []
    for level, ident, text in toc:
        if not (type(level) is int and isinstance(ident, str) and isinstance(text, str)):
            raise ValueError("bad heading")
        headings.append(Heading(level, ident, text))
    references = []
    for url, line, is_image, alt in refs:
        if not (isinstance(url, str) and type(line) is int and isinstance(is_image, bool) and isinstance(alt, str)):
            raise ValueError("bad reference")
        references.append(Reference(url, line, is_image, alt))
    return Rendered(html.encode("utf-8"), summary, more, tuple(headings), tuple(references), words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    entries = sample_entries(args.posts)
    msgpack_decoder = msgspec.msgpack.Decoder(Rendered)
    json_decoder = msgspec.json.Decoder(Rendered)
    formats = {
        "pickle (old, runs code)": (lambda v: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL), pickle.loads),
        "msgspec MessagePack, typed": (msgspec.msgpack.encode, msgpack_decoder.decode),
        "msgspec JSON, typed": (msgspec.json.encode, json_decoder.decode),
        "orjson + hand checks": (orjson_encode, orjson_decode),
    }
    print(f"{args.posts} entries, best of {args.runs}")
    print(f"{'format':30} {'write s':>8} {'read s':>8} {'MB':>7} {'read MB/s':>10}")
    for name, (encode, decode) in formats.items():
        best_write = best_read = float("inf")
        for _ in range(args.runs):
            start = time.perf_counter()
            blobs = [encode(value) for value in entries]
            best_write = min(best_write, time.perf_counter() - start)
            start = time.perf_counter()
            decoded = [decode(blob) for blob in blobs]
            best_read = min(best_read, time.perf_counter() - start)
        assert decoded[0] == entries[0], name
        megabytes = sum(map(len, blobs)) / 1e6
        print(f"{name:30} {best_write:8.3f} {best_read:8.3f} {megabytes:7.1f} {megabytes / best_read:10.0f}")


if __name__ == "__main__":
    main()
