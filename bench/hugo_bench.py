#!/usr/bin/env python3
"""`blog build` side by side with Hugo: cold builds of the same posts, and the ratio.

    python bench/hugo_bench.py                         # generated 1,000 and 10,000 posts, rust-blog
    python bench/hugo_bench.py --posts 1000 --runs 5 --no-rust

What it measures: for each corpus, the wall time of a cold build by each generator, each
build a fresh process started by this script (start-up included). Cold means no output and no
cache: before every run `_site/` and `.blog-cache/` are removed for `blog build`, `public/`,
`resources/` and Hugo's cache folder for Hugo. The two run in turns (blog, Hugo, blog,
Hugo...) so that a machine getting slower or faster during the call moves both; each figure
is the median of --runs runs. `blog build` is `python -m generator build --site DIR` with its
default jobs (all cores); Hugo is `hugo --quiet`, which also uses every core.

The corpora: the project's generated blog (bench/corpus.py, seed 1) at each --posts size, and
the rust-blog corpus (584 real posts, ../shared/corpora/rust-blog, copied to the work folder
first since a build writes into its site folder), skipped with a reason when it is absent.
Hugo gets the same Markdown files in content/posts/ (sub-folders kept) with their front
matter rewritten into keys Hugo reads: title, date (ISO 8601; a date-less post takes the one
in its file name, as `blog build` does), slug (from the file name unless set), tags, draft,
lastmod (from `updated:`), summary (or `description:`), authors (names from site.toml). The
site's permalink pattern is mapped to Hugo's (`/{year}/{month}/{slug}/` -> `/:year/:month/:slug/`),
its time zone and title too. The theme is bench/hugo_theme/ (its config template
hugo.toml.template says what it turns on): post pages with contents and older/newer links
(related posts too with --hugo-related, off by default: see single.html); the index paginated 10 a page; tag pages, paginated; the list of tags; one full-content
RSS feed of 20 posts; a sitemap; Chroma highlighting with CSS classes; relative links to other
posts' `.md` files resolved to their URLs, as `blog build` does. `blog build` writes more than
that minimal theme (Atom and JSON feeds, a feed per tag and per author, author pages, an
archive, related posts, redirects), so the ratio does not flatter `blog build`.

How to read it: one row a corpus; `ratio` = blog seconds / Hugo seconds (below 1: faster than
Hugo). `post pages` counts the post pages each wrote (index.html files at the permalink's depth
under a year folder) against the published posts; a mismatch is printed as a failed check and
the script exits 1, since a build that skipped posts would be timed on less work. The first
line says what was measured: the commit (and whether generator/ had uncommitted changes; with
--at REV the package is exported from that commit instead of the working tree), the date, Hugo's
version, the cores and the load average (others' work on the machine shows there).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import string
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml
from corpus import corpus_in  # bench/corpus.py, beside this script

REPO = Path(__file__).resolve().parents[1]
THEME = Path(__file__).resolve().parent / "hugo_theme"
RUST_BLOG = REPO.parent / "shared" / "corpora" / "rust-blog"

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n", re.S | re.M)
FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")  # as generator/content.py reads names
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# -- the corpora --------------------------------------------------------------------------------


def rust_blog_site(source: Path, workdir: Path) -> Path:
    """A copy of the rust-blog corpus (posts/ and site.toml) that a build may write into."""
    site = workdir / "rust-blog"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(source / "posts", site / "posts")
    shutil.copy2(source / "site.toml", site / "site.toml")
    return site


# -- the same posts as a Hugo site --------------------------------------------------------------


def iso(value: object) -> str:
    """A front-matter date as ISO 8601, its offset kept (none: the site's time zone applies)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return text  # let Hugo say what it thinks of it


def as_list(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def hugo_front_matter(meta: dict, file_name: str, author_names: dict[str, str]) -> dict:
    """Front matter Hugo reads, from a post's front matter as `blog build` reads it."""
    name = FILENAME_DATE.match(Path(file_name).stem)
    when = meta.get("date")
    if when is None and name:
        when = f"{name[1]}-{name[2]}-{name[3]}T00:00:00"
    hugo: dict = {"title": str(meta.get("title", "")), "date": iso(when)}
    hugo["slug"] = str(meta.get("slug") or (name[4] if name else Path(file_name).stem))
    if meta.get("updated") is not None:
        hugo["lastmod"] = iso(meta["updated"])
    if tags := as_list(meta.get("tags")):
        hugo["tags"] = tags
    authors = as_list(meta.get("authors") or meta.get("author"))
    if authors:
        hugo["authors"] = [author_names.get(key, key) for key in authors]
    summary = meta.get("summary") or meta.get("description") or meta.get("excerpt")
    if isinstance(summary, str) and summary.strip():
        hugo["summary"] = summary.strip()
    if meta.get("draft"):
        hugo["draft"] = True
    return hugo


def hugo_permalink(pattern: str) -> str:
    """`/{year}/{month}/{slug}/` -> `/:year/:month/:slug/`."""
    return re.sub(r"\{(year|month|day|slug)\}", r":\1", pattern)


def make_hugo_site(blog_site: Path, hugo_site: Path, related: bool = False) -> tuple[int, int]:
    """Write the Hugo site for `blog_site`; (published posts, permalink depth in folders)."""
    config = tomllib.loads((blog_site / "site.toml").read_text(encoding="utf-8"))
    site, build = config.get("site", {}), config.get("build", {})
    permalink = build.get("permalink", "/{year}/{month}/{slug}/")
    author_names = {key: table.get("name", key) for key, table in config.get("authors", {}).items()}

    shutil.rmtree(hugo_site, ignore_errors=True)
    content = hugo_site / "content" / "posts"
    published = 0
    for source in sorted((blog_site / "posts").rglob("*.md")):
        text = source.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        meta = (yaml.load(match[1], Loader=LOADER) if match else None) or {}
        body = text[match.end() :] if match else text
        front = hugo_front_matter(meta, source.name, author_names)
        published += not front.get("draft", False)
        target = content / source.relative_to(blog_site / "posts")
        target.parent.mkdir(parents=True, exist_ok=True)
        header = yaml.dump(front, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
        target.write_text(f"---\n{header}---\n{body}", encoding="utf-8")

    values = {
        "base_url": site.get("base_url", "https://blog.example.com").rstrip("/") + "/",
        "title": site.get("title", "Blog"),
        "description": site.get("description", ""),
        "language": site.get("language", "en"),
        "time_zone": site.get("timezone", "UTC"),
        "themes_dir": str(THEME.parent),
        "cache_dir": str(hugo_site / ".hugo-cache"),
        "permalink": hugo_permalink(permalink),
        "related": related,
    }
    template = string.Template((THEME / "hugo.toml.template").read_text(encoding="utf-8"))
    toml_strings = {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()}
    (hugo_site / "hugo.toml").write_text(template.substitute(toml_strings), encoding="utf-8")
    return published, len([part for part in permalink.split("/") if part])


# -- timing and checking ------------------------------------------------------------------------


def timed(command: list[str], remove: list[Path], cwd: Path) -> float:
    """Wall seconds of one run of `command` in a fresh process, after removing `remove`."""
    for path in remove:
        shutil.rmtree(path, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def post_pages(output: Path, depth: int) -> set[str]:
    """The post pages in an output folder: index.html at the permalink's depth under a year."""
    pages = output.glob("/".join(["*"] * depth) + "/index.html")
    return {page.relative_to(output).as_posix() for page in pages if re.fullmatch(r"\d{4}", page.relative_to(output).parts[0])}


@dataclass
class Row:
    corpus: str
    published: int
    blog: list[float]
    hugo: list[float]
    blog_pages: int
    hugo_pages: int
    same_pages: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.blog) / statistics.median(self.hugo)

    @property
    def checked(self) -> bool:
        return self.blog_pages == self.hugo_pages == self.same_pages == self.published


def compare(label: str, blog_site: Path, hugo: str, runs: int, source: Path, related: bool) -> Row:
    """Time both generators on one corpus; `source` holds the generator/ package to run."""
    hugo_site = blog_site.parent / f"{blog_site.name}-hugo"
    published, depth = make_hugo_site(blog_site, hugo_site, related)
    output = tomllib.loads((blog_site / "site.toml").read_text(encoding="utf-8")).get("build", {}).get("output_dir", "_site")
    blog_command = [sys.executable, "-m", "generator", "build", "--site", str(blog_site)]
    hugo_command = [hugo, "--quiet", "--source", str(hugo_site)]
    blog_clean = [blog_site / output, blog_site / ".blog-cache"]
    hugo_clean = [hugo_site / "public", hugo_site / "resources", hugo_site / ".hugo-cache"]
    blog_times, hugo_times = [], []
    for run in range(runs):
        blog_times.append(timed(blog_command, blog_clean, source))
        hugo_times.append(timed(hugo_command, hugo_clean, source))
        print(f"  {label}, run {run + 1}/{runs}: blog {blog_times[-1]:.2f} s, hugo {hugo_times[-1]:.2f} s", flush=True)
    ours, theirs = post_pages(blog_site / output, depth), post_pages(hugo_site / "public", depth)
    return Row(label, published, blog_times, hugo_times, len(ours), len(theirs), len(ours & theirs))


# -- the report ---------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def exported(rev: str, workdir: Path) -> tuple[Path, str]:
    """generator/ and themes/ as committed at `rev`, in a folder of their own; (folder, short hash)."""
    commit = git("rev-parse", "--short", f"{rev}^{{commit}}")
    folder = workdir / f"src-{commit}"
    if not (folder / "generator" / "__main__.py").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit, "generator", "themes"], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder, commit


def header(hugo: str, at: str | None) -> str:
    if at:
        commit, dirty = at, " (exported with --at)"
    else:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = " + uncommitted changes in generator/" if git("status", "--porcelain", "--", "generator", "themes") else ""
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    hugo_version = version[1] if len(version) > 1 else "unknown"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"commit {commit}{dirty}, {time.strftime('%Y-%m-%d')}, Hugo {hugo_version}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average {load}"
    )


def seconds(runs: list[float]) -> str:
    return f"{statistics.median(runs):.2f} s ({min(runs):.2f}-{max(runs):.2f})"


def table(rows: list[Row], runs: int) -> str:
    lines = [
        f"| corpus | published posts | `blog build`: median of {runs} (min-max) | Hugo | ratio | post pages: blog / Hugo / both |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        pages = f"{row.blog_pages:,} / {row.hugo_pages:,} / {row.same_pages:,}"
        lines.append(f"| {row.corpus} | {row.published:,} | {seconds(row.blog)} | {seconds(row.hugo)} | {row.ratio:.2f} | {pages} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000], help="generated corpus sizes")
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each generator, in turns (median)")
    parser.add_argument("--no-rust", action="store_true", help="leave out the rust-blog corpus")
    parser.add_argument("--rust-blog", type=Path, default=RUST_BLOG, help="the rust-blog corpus (posts/, site.toml)")
    parser.add_argument("--hugo", default=shutil.which("hugo"), help="the hugo binary (default: hugo on PATH)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hugo-bench"), help="corpora and outputs go here")
    parser.add_argument(
        "--hugo-related",
        action="store_true",
        help="Hugo's post pages list related posts too (its related content is quadratic: slow at 10,000 posts)",
    )
    parser.add_argument(
        "--at",
        metavar="REV",
        help="time `blog build` as committed at REV (generator/ and themes/ exported), not the working tree",
    )
    args = parser.parse_args(argv)

    if not args.hugo or not Path(args.hugo).exists():
        print("skipped: hugo is not installed (no `hugo` on PATH; on Debian: apt install hugo)")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    source, at = exported(args.at, args.workdir) if args.at else (REPO, None)
    print(header(args.hugo, at), flush=True)

    corpora: list[tuple[str, Path]] = [(f"generated, {n:,} posts", corpus_in(args.workdir, n)) for n in args.posts]
    if args.no_rust:
        print("rust-blog: left out (--no-rust)")
    elif not (args.rust_blog / "posts").is_dir():
        print(f"rust-blog: skipped, no corpus at {args.rust_blog} (posts/ and site.toml expected)")
    else:
        site = rust_blog_site(args.rust_blog, args.workdir)
        corpora.append((f"rust-blog, {sum(1 for _ in (site / 'posts').rglob('*.md')):,} posts", site))

    rows = [compare(label, site, args.hugo, args.runs, source, args.hugo_related) for label, site in corpora]
    print(f"\nload average at the end: {', '.join(f'{value:.1f}' for value in os.getloadavg())}\n")
    print(table(rows, args.runs))
    failed = [row for row in rows if not row.checked]
    for row in failed:
        print(
            f"CHECK FAILED, {row.corpus}: {row.published} published posts, blog wrote {row.blog_pages} "
            f"post pages, Hugo {row.hugo_pages}, {row.same_pages} at the same path"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
