"""How long `blog import wordpress` takes on a big export, and where the time goes.

    python bench/import_bench.py [--posts 1000] [--comments 5] [--runs 3] [--profile]

Writes a WordPress export (WXR 1.2) of POSTS classic and block-editor posts, each with
COMMENTS approved comments (threaded), categories, tags, a featured image, shortcodes, code
and a table, into a temporary folder; then, RUNS times, makes a new site with `blog init`
and times `blog import wordpress` on it as a separate process (what a user runs), and
prints the minimum and median. The target (issue #16): 1,000 posts with five comments each
in under 10 s on this machine. --profile prints the top of a cProfile of one import.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = "latency queue deploy rollback schema index cache shard replica worker pipeline metric alert budget route driver depot".split()


def sentence(rng: random.Random, words: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def classic_body(rng: random.Random, n: int) -> str:
    paragraphs = [" ".join(sentence(rng) for _ in range(4)) for _ in range(6)]
    return (
        f"{paragraphs[0]}\n\n<!--more-->\n\n{paragraphs[1]}\nA second line of the same paragraph.\n\n"
        f'[caption id="attachment_{n}" align="aligncenter" width="640"]<img src="https://old.example.com/wp-content/uploads/2019/03/figure-{n}.png" alt="Figure {n}" /> Figure {n}: the *route* map[/caption]\n\n'
        f'{paragraphs[2]}\n\n[code lang="c"]#include <stdio.h>\nint main(void) {{ return {n}; }}\n[/code]\n\n'
        f"<table><tr><th>metric</th><th>value</th></tr><tr><td>p99</td><td>{n} ms</td></tr></table>\n\n" + "\n\n".join(paragraphs[3:])
    )


def block_body(rng: random.Random, n: int) -> str:
    paragraphs = [" ".join(sentence(rng) for _ in range(4)) for _ in range(6)]
    blocks = [f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->" for p in paragraphs]
    blocks.insert(
        2,
        f'<!-- wp:code -->\n<pre class="wp-block-code"><code class="language-python">def f():\n    return {n}</code></pre>\n<!-- /wp:code -->',
    )
    blocks.insert(1, "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->")
    return "\n\n".join(blocks)


def comment(rng: random.Random, post: int, number: int, parent: int) -> str:
    cid = post * 100 + number
    return f"""    <wp:comment>
      <wp:comment_id>{cid}</wp:comment_id>
      <wp:comment_author><![CDATA[Reader {number}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[reader{number}@example.net]]></wp:comment_author_email>
      <wp:comment_author_url>https://reader{number}.example.net/</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.{number}]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2019-03-05 10:{number:02d}:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[2019-03-05 10:{number:02d}:00]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{sentence(rng)}\n\n{sentence(rng)}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[1]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>{post * 100 + parent if parent else 0}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>"""


def item(rng: random.Random, n: int, comments: int) -> str:
    day = 1 + n % 28
    month = 1 + (n // 28) % 12
    year = 2015 + n // 336
    date = f"{year}-{month:02d}-{day:02d} 09:{n % 60:02d}:00"
    slug = f"post-number-{n}"
    body = classic_body(rng, n) if n % 2 else block_body(rng, n)
    thread = "\n".join(comment(rng, n, k, k - 1 if k % 2 == 0 else 0) for k in range(1, comments + 1))
    tags = "\n".join(f'    <category domain="post_tag" nicename="{w}"><![CDATA[{w}]]></category>' for w in rng.sample(WORDS, 3))
    return f"""  <item>
    <title>{escape(f"Post number {n}: {rng.choice(WORDS)} & {rng.choice(WORDS)}")}</title>
    <link>https://old.example.com/{year}/{month:02d}/{day:02d}/{slug}/</link>
    <pubDate>Mon, 04 Mar 2019 09:00:00 +0000</pubDate>
    <dc:creator><![CDATA[jane]]></dc:creator>
    <guid isPermaLink="false">https://old.example.com/?p={n}</guid>
    <description></description>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{n}</wp:post_id>
    <wp:post_date><![CDATA[{date}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[{slug}]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
    <category domain="category" nicename="engineering"><![CDATA[Engineering]]></category>
{tags}
{thread}
  </item>"""


def wxr(posts: int, comments: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    items = "\n".join(item(rng, n, comments) for n in range(1, posts + 1))
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old Example Engineering</title>
  <link>https://old.example.com</link>
  <description>Notes</description>
  <language>en-US</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example.com</wp:base_site_url>
  <wp:base_blog_url>https://old.example.com</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[jane]]></wp:author_login><wp:author_email><![CDATA[jane@example.com]]></wp:author_email><wp:author_display_name><![CDATA[Jane Doe]]></wp:author_display_name></wp:author>
{items}
</channel>
</rss>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        work = Path(folder)
        export = work / "export.xml"
        export.write_text(wxr(args.posts, args.comments), encoding="utf-8")
        print(f"export: {args.posts} posts, {args.posts * args.comments} comments, {export.stat().st_size / 1e6:.1f} MB")
        seconds = []
        for run in range(args.runs):
            site = work / f"site-{run}"
            subprocess.run([sys.executable, "-m", "generator", "init", str(site)], check=True, capture_output=True)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "generator", "import", "wordpress", str(export), "--site", str(site)], capture_output=True, text=True
            )
            seconds.append(time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"import failed:\n{done.stdout}\n{done.stderr}")
        print(
            f"blog import wordpress: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s over {args.runs} runs (target: < 10 s)"
        )
        files = sum(1 for _ in (work / "site-0" / "posts").rglob("*") if _.is_file())
        print(f"files written under posts/: {files}")
        start = time.perf_counter()
        built = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(work / "site-0")], capture_output=True, text=True)
        print(f"blog build of the imported site: {time.perf_counter() - start:.2f} s, exit {built.returncode}")
        if args.profile:
            import cProfile
            import pstats
            from datetime import UTC, datetime

            from generator.importers.run import ImportOptions, import_blog

            site = work / "site-profile"
            subprocess.run([sys.executable, "-m", "generator", "init", str(site)], check=True, capture_output=True)
            profiler = cProfile.Profile()
            profiler.enable()
            import_blog("wordpress", str(export), ImportOptions(site, dry_run=True), datetime.now(UTC))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
