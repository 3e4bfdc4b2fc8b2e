#!/usr/bin/env python3
"""A made-up company engineering blog, the same one every time, for tests and benchmarks.

    python bench/corpus.py --posts 1000 --out DIR [--seed N]

    from corpus import make_corpus                      # bench/ on sys.path, or importlib
    summary = make_corpus(Path(DIR), posts=1000, seed=1)

Writes `DIR/site.toml` and `DIR/posts/YYYY-MM-DD-slug.md` (one folder, no sub-folders;
`*.md` files already in DIR/posts are removed first). Standard library only. The output
depends on nothing but `posts` and `seed`: not the date, the locale, the time zone or
PYTHONHASHSEED, so the same arguments give the same bytes.

The posts are shaped like a real engineering blog's:

- front matter: a title (quoted; a few with `&`, quotes, `<` or accents and emoji), a date
  with a time (some with a UTC offset), 1-4 tags from 40, skewed (a few tags on most posts),
  one author or, on ~7%, two, all from the [authors.*] tables of site.toml; a summary on
  ~88%, `updated:` on ~8%, `image:` (an absolute URL) on ~4%, `comments: false` on ~3%,
  `draft: true` on ~2%. Every date is between 2015-01-05 and 2025-12-30, so in the past and
  before 2026-01-01 whatever the offset; posts are spread evenly over those years.
- `<!--more-->` after the introduction in ~45% of posts; ~6% have neither it nor a summary
  (the build warns about those, as it should).
- bodies: paragraphs of prose with inline code, *emphasis*, **strong**, links to other
  published posts written as `.md` links (`[..](2021-03-04-slug.md)`, in ~87% of posts)
  and to external sites, now and then `&`, `<` or non-ASCII text; `##` sections and `###`
  sub-sections, bullet lists (~67% of posts; some nested), numbered lists (~46%), GFM
  tables with alignments (~40%), block quotes (~39%), images with alt text at absolute
  URLs (~32%), footnotes (~19%), task lists (~11%), and fenced code (~63% of posts, ~1.8
  blocks a post, 4-32 lines each) in python, rust, go, sql, yaml, bash, js, a language no
  highlighter knows (`flowspec`) and none at all. YAML and Go samples hold `{{ ... }}`,
  which must stay text.
- sizes: a long tail (log-normal): ~5% short notes under 300 words, median ~1,000 words,
  ~10% over 2,500 and a few near 9,000 (words: whitespace-separated, code included).

Internal links point only at published posts, so the only warnings a build gives are the
"no summary" ones. 10,000 posts (13 M words, 87 MB) take about 10 seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import statistics
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

__all__ = ["CorpusSummary", "make_corpus", "main"]

FIRST_DAY = datetime(2015, 1, 5, 7, 0)
LAST_DAY = datetime(2025, 12, 30, 19, 0)  # + any offset below stays before 2026-01-01 UTC
BASE_URL = "https://blog.example.com"

# fmt: off
# -- who writes ------------------------------------------------------------------------------

AUTHORS: dict[str, tuple[str, str | None]] = {  # key -> (name, bio)
    "amara": ("Amara Nwosu", "Amara runs the platform team and the weekly incident review."),
    "dmitri": ("Dmitri Volkov", "Dmitri works on the storage layer and anything with a WAL."),
    "ines": ("Inês Carvalho", "Inês looks after the mobile apps and their release train."),
    "jonas": ("Jonas Lindqvist", None),
    "kavya": ("Kavya Iyer", "Kavya builds the search and ranking services."),
    "lukasz": ("Łukasz Wiśniewski", "Łukasz is on the developer-experience team: CI, builds, tooling."),
    "mateo": ("Mateo García", None),
    "noor": ("Noor Haddad", "Noor leads security engineering."),
    "sam": ("Sam O'Connor", "Sam writes the billing code and the postmortems nobody else wants to."),
    "yuki": ("Yuki Tanaka", "Yuki works on observability and the metrics pipeline."),
    "zoe": ("Zoë Becker", None),
}
AUTHOR_WEIGHTS = [9, 7, 6, 5, 5, 4, 3, 3, 2, 2, 1]  # some people write far more than others

# -- what about: 40 tags, the first ones on many posts ------------------------------------------

TAGS = [
    "engineering", "python", "infrastructure", "performance", "postgres", "kubernetes",
    "reliability", "rust", "go", "security", "frontend", "observability", "testing", "ci",
    "incidents", "databases", "javascript", "culture", "aws", "search", "mobile", "caching",
    "kafka", "api", "terraform", "data", "machine-learning", "accessibility", "hiring",
    "release-notes", "networking", "linux", "cost", "architecture", "migrations", "on-call",
    "open-source", "design-systems", "compilers", "documentation",
]
TAG_WEIGHTS = [1 / (rank + 1.5) ** 1.15 for rank in range(len(TAGS))]

# -- titles ------------------------------------------------------------------------------------

SYSTEMS = [
    "deploy pipeline", "billing service", "search cluster", "job scheduler", "API gateway",
    "feature flag service", "metrics pipeline", "test suite", "staging environment", "CDN",
    "message queue", "mobile release train", "design system", "monorepo", "auth service",
    "data warehouse", "image resizer", "notification service", "config store", "build cache",
]
TECH = [
    "Python", "Go", "Rust", "Postgres", "Kafka", "Redis", "Kubernetes", "Terraform", "React",
    "TypeScript", "gRPC", "Django", "Envoy", "ClickHouse", "SQLite", "Bazel", "Nix", "WebAssembly",
]
TITLES = [
    "How we rebuilt our {system}",
    "Making the {system} {adjective}",
    "Why we moved from {tech} to {tech2}",
    "{count} things we learned running {tech} in production",
    "Postmortem: the {system} outage of {month} {day}",
    "Scaling the {system} to {count}k requests a second",
    "A year with {tech}",
    "Debugging a slow {system}",
    "What's new in our {system}",
    "The {system}, explained",
    "Cutting {system} costs by {count}%",
    "Testing the {system} without mocks",
    "On-call notes: {month}",
    "{tech} {major}.{minor} in production",
    "Retiring the old {system}",
    "Lessons from migrating to {tech}",
]
TITLES_WITH_SPECIALS = [
    "Q&A: {tech} & {tech2} at work",
    "When p99 < 100 ms isn't \"fast\"",
    "Generics <T> in {tech}: a field guide",
    "The 'boring' {system}",
    "R&D notes: {tech} vs. {tech2}",
]
TITLES_WITH_UNICODE = [
    "Notes from the Zürich offsite",
    "Shipping the {system} in 日本語 and 한국어",
    "A naïve {system} and how it grew up",
    "{tech} at São Paulo scale 🚀",
    "Café-grade latency for the {system} ☕",
]
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]

# -- prose: sentences from parts ---------------------------------------------------------------

SUBJECTS = [
    "the build", "our deploy pipeline", "the billing service", "the search cluster", "each worker",
    "the scheduler", "the on-call engineer", "the new cache", "the ingest job", "the primary",
    "the API gateway", "the mobile client", "the test suite", "the flag service", "every pull request",
    "staging", "the load balancer", "the consumer", "the metrics pipeline", "the release train",
    "the replica", "the old code path", "the compiler", "the query planner", "the importer",
    "our dashboard", "the health check", "the retry loop", "the nightly job", "the team",
]
VERBS = [
    "retries", "drops", "caches", "rewrites", "batches", "replays", "rejects", "compacts", "shards",
    "measures", "times out on", "holds a lock on", "streams", "validates", "serialises", "logs",
    "pins", "prefetches", "invalidates", "throttles", "reads", "writes", "skips", "duplicates",
    "reorders", "waits for", "owns", "ignores", "double-counts", "flushes",
]
OBJECTS = [
    "the slowest requests", "stale entries", "every tenth event", "the whole index",
    "half of the traffic", "a single row", "its own configuration", "the nightly export",
    "duplicate messages", "the hot partition", "cold keys", "the previous release",
    "the migration plan", "two regions at once", "the connection pool", "every open transaction",
    "the schema change", "the largest tenant", "the error budget", "a few thousand jobs",
    "the request headers", "the write-ahead log", "the feature flags", "the on-call pager",
]
TAILS = [
    "under load", "during a deploy", "when the queue backs up", "before anyone notices",
    "in about {ms} ms", "on Monday mornings", "without a restart", "for most customers",
    "after the upgrade", "at the edge", "in CI", "behind a feature flag", "on a cold cache",
    "while the primary fails over", "for a few seconds", "for {pct}% of requests",
    "once a day", "in every region", "on the first request", "until the next release",
]
OPENERS = [
    "", "", "", "", "", "In practice, ", "At first, ", "Since the spring, ", "Surprisingly, ",
    "As a rule, ", "Most days, ", "On a bad day, ", "After the incident, ", "For now, ",
    "In theory, ", "Looking back, ", "Under the hood, ", "Put simply, ",
]
JOINS = [", so ", ", but ", " because ", ", and ", " while ", " until ", " after ", " unless "]
ASIDES = [  # occasional text that HTML must escape, and non-ASCII text
    "R&D", "A & B", "x < y", "a >= b", "\"quoted\"", "it's", "Q&A", "<angle>", "naïve", "Zürich",
    "façade", "déjà vu", "東京", "データベース", "🚀", "✅", "🐛", "—",
]
IDENT_HEADS = ["user", "order", "cache", "retry", "shard", "parse", "build", "fetch", "queue",
               "event", "config", "index", "token", "batch", "stream", "tenant", "lease"]
IDENT_TAILS = ["id", "count", "size", "limit", "items", "state", "result", "key", "handler",
               "client", "ttl", "path", "delay", "total", "budget"]
COMMANDS = ["make build", "kubectl rollout status", "git bisect", "cargo test", "go test ./...",
            "pytest -x", "terraform plan", "psql -c 'select 1'", "npm ci", "docker compose up"]
EXTERNAL = ["https://docs.example.org/{w}/{n}", "https://www.postgresql.org/docs/current/{w}.html",
            "https://github.com/example/{w}/issues/{n}", "https://en.wikipedia.org/wiki/{W}",
            "https://engineering.example.net/{year}/{w}-{n}"]
LINK_WORDS = ["guide", "design", "rollout", "notes", "benchmark", "changelog", "runbook", "spec",
              "proposal", "migration", "incident", "latency", "caching", "queues", "indexes"]
HEADING_WORDS = [
    "Background", "The problem", "What we tried first", "Measuring it", "The fix", "Rolling it out",
    "Results", "What went wrong", "Trade-offs", "Next steps", "Numbers", "How it works",
    "Failure modes", "Testing", "Costs", "Why not {tech}?", "Timeline", "Lessons", "The design",
    "Monitoring", "Edge cases", "A detour through {tech}", "Open questions", "Acknowledgements",
]
QUOTED = ["a customer", "our CTO", "an on-call engineer at 3 a.m.", "the original design doc",
          "a reviewer", "the vendor's documentation"]

# -- code -------------------------------------------------------------------------------------

LANGUAGES = ["python", "bash", "go", "rust", "js", "sql", "yaml", "flowspec", ""]
LANGUAGE_WEIGHTS = [24, 15, 12, 12, 11, 10, 9, 4, 3]
# fmt: on


@dataclass(frozen=True)
class CorpusSummary:
    out: Path
    posts: int
    published: int
    drafts: int
    words: int  # whitespace-separated words of all bodies, code included
    median_words: int
    largest_words: int
    features: dict[str, int] = field(default_factory=dict)  # how many posts have each feature

    def line(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.features.items())
        return (
            f"wrote {self.posts} posts ({self.published} published, {self.drafts} drafts) to {self.out}: "
            f"{self.words:,} words, median {self.median_words:,}, largest {self.largest_words:,}; "
            f"posts with {counts}"
        )


@dataclass
class _Plan:
    when: datetime
    title: str
    slug: str
    tags: list[str]
    authors: list[str]
    draft: bool
    summary: bool
    more: bool
    words: int  # target prose words
    date_text: str
    updated_text: str | None
    image: bool
    comments: bool

    @property
    def filename(self) -> str:
        return f"{self.when:%Y-%m-%d}-{self.slug}.md"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    slug = "-".join(words)[:64].strip("-")
    return slug or "post"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class _Writer:
    """Everything drawn from one random.Random, in a fixed order."""

    def __init__(self, rng: random.Random, link_targets: list[_Plan]):
        self.rng = rng
        self.link_targets = link_targets
        self.features: set[str] = set()
        self.footnotes: list[str] | None = None

    # -- inline text ---------------------------------------------------------------------------

    def ident(self) -> str:
        return f"{self.rng.choice(IDENT_HEADS)}_{self.rng.choice(IDENT_TAILS)}"

    def fill(self, text: str) -> str:
        rng = self.rng
        return text.format(
            ms=rng.choice([3, 8, 12, 40, 95, 180, 250, 900]),
            pct=rng.choice([1, 5, 12, 30, 60, 99]),
            tech=rng.choice(TECH),
            w=rng.choice(LINK_WORDS),
            W=rng.choice(LINK_WORDS).capitalize(),
            n=rng.randint(2, 4000),
            year=rng.randint(2015, 2025),
        )

    def plain(self) -> str:
        """A clause with no markup: for headings, summaries, alt text, list items."""
        rng = self.rng
        return _cap(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}")

    def clause(self) -> str:
        rng = self.rng
        subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
        roll = rng.random()
        if roll < 0.10:
            obj = f"`{self.ident()}`"
        elif roll < 0.15:
            obj = f"*{obj}*"
        elif roll < 0.19:
            verb = f"**{verb}**"
        elif roll < 0.23:
            obj = f"[{obj}]({self.fill(rng.choice(EXTERNAL))})"
        elif roll < 0.26 and self.link_targets:
            target = rng.choice(self.link_targets)
            obj = f"[{obj}]({target.filename})"
            self.features.add("internal links")
        elif roll < 0.29:
            obj = f"{obj} ({rng.choice(ASIDES)})"
        elif roll < 0.31:
            obj = f"{obj} with `{rng.choice(COMMANDS)}`"
        return f"{subject} {verb} {obj}"

    def sentence(self) -> str:
        rng = self.rng
        text = rng.choice(OPENERS) + self.clause()
        if rng.random() < 0.45:
            text += rng.choice(JOINS) + self.clause()
        if rng.random() < 0.5:
            text += " " + self.fill(rng.choice(TAILS))
        text = _cap(text)
        if self.footnotes is not None and rng.random() < 0.04 and len(self.footnotes) < 5:
            number = len(self.footnotes) + 1
            text += f"[^{number}]"
            self.footnotes.append(f"[^{number}]: {_cap(self.clause())} {self.fill(rng.choice(TAILS))}.")
            self.features.add("footnotes")
        return text + rng.choice("........?!")

    def paragraph(self, sentences: tuple[int, int] = (2, 6)) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    # -- blocks --------------------------------------------------------------------------------

    def heading(self, level: int) -> str:
        rng = self.rng
        text = self.fill(rng.choice(HEADING_WORDS)) if rng.random() < 0.6 else self.plain()
        return "#" * level + " " + text

    def bullet_list(self) -> str:
        rng = self.rng
        lines = []
        for _ in range(rng.randint(3, 7)):
            item = _cap(self.clause())
            if rng.random() < 0.2:
                item = f"**{rng.choice(IDENT_HEADS)}**: {item}"
            lines.append(f"- {item}")
            if rng.random() < 0.12:
                lines.append(f"  - {self.clause()}")
                self.features.add("nested lists")
        self.features.add("bullet lists")
        return "\n".join(lines)

    def numbered_list(self) -> str:
        rng = self.rng
        steps = []
        for number in range(1, rng.randint(3, 6) + 1):
            step = f"Run `{rng.choice(COMMANDS)}` and check {rng.choice(OBJECTS)}" if rng.random() < 0.3 else _cap(self.clause())
            steps.append(f"{number}. {step}.")
        self.features.add("numbered lists")
        return "\n".join(steps)

    def task_list(self) -> str:
        rng = self.rng
        self.features.add("task lists")
        return "\n".join(f"- [{'x' if rng.random() < 0.6 else ' '}] {_cap(self.clause())}" for _ in range(rng.randint(3, 6)))

    def table(self) -> str:
        rng = self.rng
        columns = rng.randint(2, 5)
        head = (
            ["Service", "p50", "p99", "Errors", "Notes"][:columns]
            if rng.random() < 0.5
            else [rng.choice(IDENT_HEADS).capitalize() for _ in range(columns)]
        )
        aligns = [rng.choice(["---", ":---", "---:", ":---:"]) for _ in range(columns)]
        rows = ["| " + " | ".join(head) + " |", "| " + " | ".join(aligns) + " |"]
        for _ in range(rng.randint(2, 9)):
            cells = []
            for _ in range(columns):
                kind = rng.random()
                if kind < 0.35:
                    cells.append(f"{rng.randint(0, 120_000):,}")
                elif kind < 0.55:
                    cells.append(f"{rng.uniform(0.2, 900):.1f} ms")
                elif kind < 0.7:
                    cells.append(f"`{self.ident()}`")
                elif kind < 0.75:
                    cells.append(rng.choice(["yes", "no", "—", "n/a", "✅"]))
                else:
                    cells.append(rng.choice(OBJECTS))
            rows.append("| " + " | ".join(cells) + " |")
        self.features.add("tables")
        return "\n".join(rows)

    def quote(self) -> str:
        rng = self.rng
        lines = ["> " + self.paragraph((1, 3))]
        if rng.random() < 0.4:
            lines += [">", f"> — {rng.choice(QUOTED)}"]
        self.features.add("block quotes")
        return "\n".join(lines)

    def image(self, slug: str, number: int) -> str:
        rng = self.rng
        alt = self.plain()
        extension = rng.choice(["png", "png", "jpg", "svg", "webp"])
        self.features.add("images")
        return f"![{alt}](https://images.example.net/blog/{slug}/figure-{number}.{extension})"

    def code(self) -> str:
        rng = self.rng
        language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        length = rng.randint(4, 32)
        lines = _CODE[language or "text"](self, length)  # whole functions: may run a little past `length`
        while lines and not lines[-1]:
            lines.pop()
        self.features.add("code")
        if language == "flowspec":
            self.features.add("code in an unknown language")
        return f"```{language}\n" + "\n".join(lines) + "\n```"

    # -- a whole body --------------------------------------------------------------------------

    def body(self, plan: _Plan) -> str:
        """Blocks until the body has about `plan.words` words (code, lists and tables count)."""
        rng = self.rng
        self.footnotes = [] if rng.random() < 0.22 else None
        blocks: list[str] = []
        words = 0

        def add(block: str) -> None:
            nonlocal words
            blocks.append(block)
            words += len(block.split())

        for _ in range(1 if plan.words < 300 else rng.randint(1, 2)):
            add(self.paragraph())
        if plan.more:
            blocks.append("<!--more-->")
        if plan.words < 300:  # a short note: a few paragraphs, perhaps a list or one snippet
            while words < plan.words:
                add(self.paragraph((1, 4)))
            if rng.random() < 0.35:
                add(rng.choice([self.bullet_list, self.code, self.task_list])())
        code_odds = 0.0 if rng.random() < 0.2 else rng.uniform(0.06, 0.25)
        figures = 0
        while words < plan.words:
            add(self.heading(2))
            for _ in range(rng.randint(1, 4)):
                if words >= plan.words:
                    break
                if rng.random() < 0.22:
                    add(self.heading(3))
                add(self.paragraph())
                extra = rng.random()
                if extra < 0.10:
                    add(self.bullet_list())
                elif extra < 0.15:
                    add(self.numbered_list())
                elif extra < 0.19:
                    add(self.table())
                elif extra < 0.23:
                    add(self.quote())
                elif extra < 0.238:
                    add(self.task_list())
                elif extra < 0.268:
                    figures += 1
                    add(self.image(plan.slug, figures))
                if rng.random() < code_odds:
                    add(self.code())
        if self.footnotes:
            blocks.append("\n".join(self.footnotes))
        return "\n\n".join(blocks) + "\n"


# -- code samples, one function per language -------------------------------------------------


def _python(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = ["from __future__ import annotations", "", "import time", "from dataclasses import dataclass", ""]
    while len(lines) < length:
        if rng.random() < 0.3:
            lines += [
                f"class {rng.choice(IDENT_HEADS).capitalize()}Client:",
                f"    def __init__(self, base_url: str, timeout: float = {rng.choice([0.5, 2.0, 10.0])}) -> None:",
                '        self.base_url = base_url.rstrip("/")',
                "        self.timeout = timeout",
                "",
                f"    def {w.ident()}(self, **params: str) -> dict:",
                '        query = "&".join(f"{key}={value}" for key, value in sorted(params.items()))',
                '        return {"url": f"{self.base_url}/v1?{query}", "timeout": self.timeout}',
                "",
            ]
            continue
        name, limit = w.ident(), rng.choice([10, 50, 100, 500])
        lines += [
            f"def {name}(items: list[dict], limit: int = {limit}) -> list[dict]:",
            f'    """The first {{limit}} items that still have a {rng.choice(IDENT_TAILS)}."""',
            "    kept = []",
            "    for item in items:",
            f'        if item.get("{rng.choice(IDENT_TAILS)}") is not None and len(kept) < limit:',
            "            kept.append(item)",
            '    print(f"kept {len(kept)} of {len(items)} in {time.monotonic():.2f}s")',
            "    return kept",
            "",
        ]
        if rng.random() < 0.3:
            lines += [
                "@dataclass(frozen=True)",
                f"class {rng.choice(IDENT_HEADS).capitalize()}Settings:",
                f"    {w.ident()}: int = {rng.randint(1, 64)}",
                f'    {w.ident()}: str = "a & b <c>"',
                "",
            ]
    return lines


def _bash(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = ["#!/usr/bin/env bash", "set -euo pipefail", ""]
    while len(lines) < length:
        if rng.random() < 0.3:
            lines += [
                f'curl -fsS -H "Authorization: Bearer $TOKEN" "https://api.example.com/v2/{rng.choice(LINK_WORDS)}?limit={rng.choice([10, 100])}" \\',
                '  | jq -r \'.items[] | select(.state != "done") | "\\(.id)\\t\\(.owner)"\' \\',
                "  | sort | uniq -c | sort -rn | head",
                "",
            ]
            continue
        lines += [
            f"for host in $(cat hosts/{rng.choice(LINK_WORDS)}.txt); do",
            f'  ssh "$host" \'journalctl -u {rng.choice(IDENT_HEADS)} --since "1 hour ago"\' 2>&1 | grep -c ERROR || true',
            "done",
            f'{rng.choice(COMMANDS)} && echo "ok: ${{{w.ident().upper()}:-unset}}" > /tmp/status',
            "",
        ]
    return lines


def _go(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = ["package main", "", "import (", '\t"fmt"', '\t"net/http"', '\t"sync"', '\t"time"', ")", ""]
    while len(lines) < length:
        name = "".join(part.capitalize() for part in w.ident().split("_"))
        if rng.random() < 0.35:
            lines += [
                f"type {name} struct {{",
                "\tmu    sync.Mutex",
                "\tseen  map[string]time.Time",
                f"\tlimit int // at most {rng.randint(2, 500)} entries",
                "}",
                "",
                f"func (c *{name}) Add(key string) bool {{",
                "\tc.mu.Lock()",
                "\tdefer c.mu.Unlock()",
                "\tif _, ok := c.seen[key]; ok || len(c.seen) >= c.limit {",
                "\t\treturn false",
                "\t}",
                "\tc.seen[key] = time.Now()",
                "\treturn true",
                "}",
                "",
            ]
            continue
        lines += [
            f"func {name}(w http.ResponseWriter, r *http.Request) {{",
            f"\tif r.Method != http.Method{rng.choice(['Get', 'Post', 'Put'])} {{",
            '\t\thttp.Error(w, "method not allowed", http.StatusMethodNotAllowed)',
            "\t\treturn",
            "\t}",
            f'\tfmt.Fprintf(w, "<li>%s &amp; %d</li>", r.URL.Path, {rng.randint(1, 99)})',
            "}",
            "",
        ]
        if rng.random() < 0.3:
            lines += ['var page = template.Must(template.New("p").Parse(`<h1>{{.Title}}</h1>{{range .Items}}<p>{{.}}</p>{{end}}`))', ""]
    return lines


def _rust(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = ["use std::collections::HashMap;", ""]
    while len(lines) < length:
        name = w.ident()
        lines += [
            f"pub fn {name}<'a, T: AsRef<str>>(items: &'a [T], limit: usize) -> Result<Vec<&'a str>, String> {{",
            "    let mut seen: HashMap<&str, usize> = HashMap::new();",
            "    for item in items.iter().take(limit) {",
            "        *seen.entry(item.as_ref()).or_default() += 1;",
            "    }",
            f"    if seen.len() > {rng.randint(2, 999)} {{",
            f'        return Err(format!("too many {rng.choice(IDENT_TAILS)}s: {{}}", seen.len()));',
            "    }",
            "    Ok(seen.into_keys().collect())",
            "}",
            "",
        ]
    return lines


def _js(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = ["'use strict';", ""]
    while len(lines) < length:
        name = w.ident().replace("_", "")
        if rng.random() < 0.3:
            component = name.capitalize()
            lines += [
                f"export function {component}({{ items }}) {{",
                '  if (!items.length) return <p className="empty">Nothing here &mdash; yet.</p>;',
                "  return (",
                "    <ul>",
                "      {items.map((item) => <li key={item.id}>{item.name} &amp; {item.count}</li>)}",
                "    </ul>",
                "  );",
                "}",
                "",
            ]
            continue
        lines += [
            f"export async function {name}(url, {{ retries = {rng.randint(1, 5)} }} = {{}}) {{",
            "  for (let attempt = 0; attempt <= retries; attempt++) {",
            "    const res = await fetch(url, { headers: { Accept: 'application/json' } });",
            "    if (res.ok) return (await res.json()).filter((x) => x && x.id !== undefined);",
            f"    await new Promise((r) => setTimeout(r, {rng.choice([50, 100, 250])} * 2 ** attempt));",
            "  }",
            "  throw new Error(`gave up on <${url}> after ${retries} retries`);",
            "}",
            "",
        ]
    return lines


def _sql(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = []
    while len(lines) < length:
        table = rng.choice(["orders", "invoices", "events", "sessions", "jobs"])
        if rng.random() < 0.3:
            lines += [
                f"CREATE TABLE {table}_{rng.choice(IDENT_TAILS)} (",
                "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,",
                "    tenant_id bigint NOT NULL REFERENCES tenants (tenant_id),",
                "    payload jsonb NOT NULL DEFAULT '{}',",
                "    created_at timestamptz NOT NULL DEFAULT now()",
                ");",
                f"CREATE INDEX CONCURRENTLY ON {table} (tenant_id, created_at DESC) WHERE state <> 'deleted';",
                "",
            ]
            continue
        lines += [
            f"-- {rng.choice(OBJECTS)}",
            f"SELECT t.id, t.created_at, count(*) AS {rng.choice(IDENT_TAILS)}_count",
            f"FROM {table} t JOIN tenants USING (tenant_id)",
            f"WHERE t.created_at >= now() - interval '{rng.randint(1, 90)} days' AND t.state <> 'deleted'",
            "GROUP BY t.id, t.created_at",
            f"ORDER BY 3 DESC LIMIT {rng.choice([10, 50, 100])};",
            "",
        ]
    return lines


def _yaml(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    if rng.random() < 0.35:
        app = rng.choice(IDENT_HEADS)
        return [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata:",
            f"  name: {app}",
            "  labels:",
            f"    app: {app}",
            "spec:",
            f"  replicas: {rng.randint(2, 12)}",
            "  template:",
            "    spec:",
            "      containers:",
            f"        - name: {app}",
            f"          image: registry.example.com/{app}:{{{{ .Values.tag }}}}",
            "          resources:",
            f'            limits: {{cpu: "{rng.choice([250, 500, 1000])}m", memory: 512Mi}}',
        ]
    lines = ["name: ci", "on:", "  push:", "    branches: [main]", "jobs:"]
    while len(lines) < length:
        lines += [
            f"  {rng.choice(LINK_WORDS)}-{rng.randint(1, 9)}:",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - uses: actions/checkout@v4",
            f"      - run: make {rng.choice(['test', 'lint', 'build', 'deploy'])} JOBS={rng.randint(1, 16)}",
            "        env:",
            f"          TOKEN: ${{{{ secrets.{w.ident().upper()} }}}}",
        ]
    return lines


def _flowspec(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    lines = [f"flow {w.ident()} v{rng.randint(1, 4)} {{"]
    while len(lines) < length - 1:
        lines += [f"  stage {rng.choice(LINK_WORDS)} -> {rng.choice(LINK_WORDS)} when {w.ident()} > {rng.randint(1, 100)} & ready;"]
    return lines + ["}"]


def _text(w: _Writer, length: int) -> list[str]:
    rng = w.rng
    return [
        f"{datetime(2025, 1, 1) + timedelta(seconds=i * 7):%H:%M:%S} {rng.choice(['INFO', 'WARN', 'ERROR'])} "
        f"{w.ident()}={rng.randint(0, 9999)} {rng.choice(OBJECTS)}"
        for i in range(length)
    ]


_CODE = {
    "python": _python,
    "bash": _bash,
    "go": _go,
    "rust": _rust,
    "js": _js,
    "sql": _sql,
    "yaml": _yaml,
    "flowspec": _flowspec,
    "text": _text,
}


# -- the posts' metadata, then their files -----------------------------------------------------


def _title(rng: random.Random) -> str:
    kind = rng.random()
    patterns = TITLES_WITH_SPECIALS if kind < 0.06 else TITLES_WITH_UNICODE if kind < 0.12 else TITLES
    tech, tech2 = rng.sample(TECH, 2)
    return rng.choice(patterns).format(
        system=rng.choice(SYSTEMS),
        tech=tech,
        tech2=tech2,
        count=rng.randint(3, 40),
        adjective=rng.choice(["faster", "cheaper", "boring", "observable", "safer", "smaller"]),
        month=rng.choice(MONTHS),
        day=rng.randint(1, 28),
        major=rng.randint(1, 17),
        minor=rng.randint(0, 12),
    )


def _size(rng: random.Random) -> int:
    """A body's length in words: log-normal, median ~1,000, from short notes to a few very long posts."""
    return int(min(9000, max(40, math.exp(rng.gauss(math.log(930), 0.75)))))


def _plan(rng: random.Random, count: int) -> list[_Plan]:
    span = int((LAST_DAY - FIRST_DAY).total_seconds())
    moments = sorted(rng.randrange(span) for _ in range(count))
    authors = list(AUTHORS)
    seen: set[str] = set()
    plans = []
    for offset in moments:
        when = FIRST_DAY + timedelta(seconds=offset)
        when = when.replace(minute=rng.choice([0, 0, 0, 15, 30, 30, 45, when.minute]), second=0)
        title = _title(rng)
        slug = base = slugify(title)
        number = 2
        while slug in seen:
            slug, number = f"{base}-{number}", number + 1
        seen.add(slug)
        tags: list[str] = []
        for _ in range(rng.choices([1, 2, 3, 4], [22, 38, 28, 12])[0]):
            tag = rng.choices(TAGS, TAG_WEIGHTS)[0]
            if tag not in tags:
                tags.append(tag)
        writers = [rng.choices(authors, AUTHOR_WEIGHTS)[0]]
        if rng.random() < 0.07:
            writers.append(rng.choice([a for a in authors if a != writers[0]]))
        form = rng.random()
        if form < 0.85:
            date_text = f"{when:%Y-%m-%d %H:%M}"
        else:
            date_text = f"{when:%Y-%m-%dT%H:%M:%S}" + rng.choice(["+01:00", "+02:00", "-05:00", "-07:00", "+05:30", "+09:00"])
        updated = None
        if rng.random() < 0.08:
            updated = min(when + timedelta(days=rng.randint(1, 90)), LAST_DAY)
        summary = rng.random() < 0.88
        plans.append(
            _Plan(
                when=when,
                title=title,
                slug=slug,
                tags=tags,
                authors=writers,
                draft=rng.random() < 0.02,
                summary=summary,
                more=rng.random() < (0.45 if summary else 0.5),
                words=_size(rng),
                date_text=date_text,
                updated_text=f"{updated:%Y-%m-%d}" if updated else None,
                image=rng.random() < 0.04,
                comments=rng.random() >= 0.03,
            )
        )
    return plans


def _front_matter(writer: _Writer, plan: _Plan) -> str:
    rng = writer.rng
    lines = ["---", f"title: {yaml_string(plan.title)}", f"date: {plan.date_text}"]
    if plan.updated_text:
        lines.append(f"updated: {plan.updated_text}")
    lines.append("tags: [" + ", ".join(plan.tags) + "]")
    if len(plan.authors) == 1:
        lines.append(f"author: {plan.authors[0]}")
    else:
        lines.append("authors: [" + ", ".join(plan.authors) + "]")
    if plan.summary:
        text = writer.plain()
        if rng.random() < 0.5:
            text += " " + writer.fill(rng.choice(TAILS))
        if rng.random() < 0.06:
            text += rng.choice([" (R&D notes)", ', with "quotes"', " — <mostly> fine", " in Zürich"])
        lines.append(f"summary: {yaml_string(text + '.')}")
    if plan.image:
        lines.append(f"image: https://images.example.net/blog/{plan.slug}/card.png")
    if not plan.comments:
        lines.append("comments: false")
    if plan.draft:
        lines.append("draft: true")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _site_toml(posts: int, seed: int) -> str:
    parts = [
        f"# Generated by bench/corpus.py --posts {posts} --seed {seed}: regenerate it rather than edit it.",
        "[site]",
        'title = "Example Engineering"',
        'description = "Notes from the people who build and run Example\'s services"',
        f'base_url = "{BASE_URL}"',
        'language = "en"',
        'timezone = "UTC"',
        "",
    ]
    for key, (name, bio) in AUTHORS.items():
        parts += [f"[authors.{key}]", f"name = {yaml_string(name)}"]
        if bio:
            parts += [f"bio = {yaml_string(bio)}", f'url = "https://example.com/team/{key}"']
        parts.append("")
    parts += ["[build]", 'output_dir = "_site"', "posts_per_page = 10", ""]
    return "\n".join(parts)


def make_corpus(out: Path, posts: int, seed: int = 1) -> CorpusSummary:
    """Write a generated blog of `posts` posts into `out` (site.toml, posts/); the same bytes for the same arguments."""
    if posts < 1:
        raise ValueError("posts must be at least 1")
    out = Path(out)
    rng = random.Random(seed)
    plans = _plan(rng, posts)
    published = [plan for plan in plans if not plan.draft]
    folder = out / "posts"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.md"):
        stale.unlink()
    (out / "site.toml").write_text(_site_toml(posts, seed), encoding="utf-8", newline="\n")
    sizes = []
    features: dict[str, int] = {"summary": 0, "<!--more-->": 0, "two authors": 0}
    for plan in plans:
        targets = rng.sample(published, min(len(published), 4))
        writer = _Writer(rng, [target for target in targets if target is not plan])
        head = _front_matter(writer, plan)
        body = writer.body(plan)
        sizes.append(len(body.split()))
        features["summary"] += plan.summary
        features["<!--more-->"] += plan.more
        features["two authors"] += len(plan.authors) > 1
        for name in writer.features:
            features[name] = features.get(name, 0) + 1
        (folder / plan.filename).write_text(head + body, encoding="utf-8", newline="\n")
    return CorpusSummary(
        out=out,
        posts=posts,
        published=len(published),
        drafts=posts - len(published),
        words=sum(sizes),
        median_words=int(statistics.median(sizes)),
        largest_words=max(sizes),
        features=dict(sorted(features.items())),
    )


def corpus_in(workdir: Path, posts: int) -> Path:
    """The corpus of `posts` posts (seed 1) in `workdir`, generated unless an earlier run of a
    benchmark left it there: the benchmarks share it between runs."""
    site = workdir / f"corpus-{posts}"
    made_by = f"# Generated by bench/corpus.py --posts {posts} --seed 1:"
    config = site / "site.toml"
    if not (config.exists() and config.read_text(encoding="utf-8").startswith(made_by)):
        shutil.rmtree(site, ignore_errors=True)
        make_corpus(site, posts, seed=1)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, required=True, help="how many posts")
    parser.add_argument("--out", type=Path, required=True, help="the site folder to write (site.toml, posts/)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    print(make_corpus(args.out, args.posts, args.seed).line(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
