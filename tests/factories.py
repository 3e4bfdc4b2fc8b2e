"""In-memory inputs of the site stage, for unit tests that need no files.

- `make_config(toml=None, **tables)`: a Config as load_config gives for this site.toml text
  (default: DEFAULT_CONFIG), with `tables` ({"build": {"related_posts": 2}}) merged in.
- `source_post(title, date, ...)`: a SourcePost as content.py reads it from
  posts/<rel_path>; the date is a datetime or a front-matter string ("2026-01-10 10:00").
- `rendered(html, ...)`: a post's Rendered body, summary and word count made from the HTML.
- `assemble(sources, config=None, *, drafts=False, future=False, now=NOW)`: the Site
  build.py assembles from them (select_posts, then assemble_site), every body `rendered`
  from the source's text unless `bodies` are given; `assemble_all` also returns the
  warnings and the link index.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from conftest import DEFAULT_CONFIG, NOW

from generator.config import Config
from generator.content import Asset, SourcePost, parse_date
from generator.links import LinkIndex
from generator.markdown import Heading, Reference, Rendered
from generator.site import Site, assemble_site, select_posts
from generator.urls import Urls


def make_config(toml: str | None = None, **tables: dict[str, Any]) -> Config:
    data = tomllib.loads(DEFAULT_CONFIG if toml is None else toml)
    for name, values in tables.items():
        data[name] = {**data.get(name, {}), **values}
    return Config.model_validate(data)


def source_post(
    title: str,
    date: datetime | str = "2026-01-01",
    *,
    slug: str | None = None,
    rel_path: str | None = None,
    tags: Sequence[str] = (),
    authors: Sequence[str] = (),
    summary: str | None = None,
    updated: datetime | str | None = None,
    draft: bool = False,
    comments: bool = True,
    image: str | None = None,
    pinned_id: str | None = None,
    aliases: Sequence[str] = (),
    body: str = "x\n",
    body_line: int = 4,
    zone: str = "UTC",
    extra: dict[str, Any] | None = None,
) -> SourcePost:
    """`rel_path` defaults to YYYY-MM-DD-<slug>.md and `slug` to the title, lower-cased and hyphenated."""
    when = parse_date(date, ZoneInfo(zone)) if isinstance(date, str) else date
    slug = slug if slug is not None else re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    rel = PurePosixPath(rel_path if rel_path is not None else f"{when:%Y-%m-%d}-{slug}.md")
    return SourcePost(
        source=Path("posts") / rel,  # never read: the stage takes the body from here
        rel_path=rel,
        title=title,
        date=when,
        updated=parse_date(updated, ZoneInfo(zone)) if isinstance(updated, str) else updated,
        slug=slug,
        tags=tuple(tags),
        authors=tuple(authors),
        summary=summary,
        image=image,
        draft=draft,
        comments=comments,
        pinned_id=pinned_id,
        extra=dict(extra or {}),
        body=body,
        body_line=body_line,
        aliases=tuple(aliases),
    )


def rendered(
    html_text: str = "<p>x</p>\n",
    *,
    summary_html: str | None = None,
    has_more: bool = False,
    toc: Sequence[Heading] = (),
    references: Sequence[Reference] = (),
    word_count: int | None = None,
) -> Rendered:
    """The summary defaults to the first paragraph, the word count to the words of the text."""
    if summary_html is None:
        first = re.search(r"<p>.*?</p>\n?", html_text, re.S)
        summary_html = first.group(0) if first else ""
    if word_count is None:
        word_count = len(html.unescape(re.sub(r"<[^>]*>", " ", html_text)).split())
    return Rendered(
        html_utf8=html_text.encode("utf-8"),
        summary_html=summary_html,
        has_more=has_more,
        toc=tuple(toc),
        references=tuple(references),
        word_count=word_count,
    )


def body_of(source: SourcePost) -> Rendered:
    """A stand-in for the Markdown stage: each blank-line-separated block of the text as a paragraph."""
    blocks = [block.strip() for block in source.body.split("\n\n") if block.strip()]
    return rendered("".join(f"<p>{html.escape(block, quote=False)}</p>\n" for block in blocks))


def assemble_all(
    sources: Sequence[SourcePost],
    config: Config | None = None,
    *,
    bodies: Sequence[Rendered] | None = None,
    drafts: bool = False,
    future: bool = False,
    now: datetime = NOW,
    assets: tuple[Asset, ...] = (),
) -> tuple[Site, list, LinkIndex]:
    """(site, warnings, link index), as build.py gets them from the same posts."""
    config = make_config() if config is None else config
    every = tuple(sources)
    chosen = select_posts(every, drafts=drafts, future=future, now=now)
    by_source = dict(zip(map(id, every), bodies, strict=True)) if bodies is not None else {}
    bodies_chosen = [by_source[id(s)] if id(s) in by_source else body_of(s) for s in chosen]
    return assemble_site(config, chosen, bodies_chosen, every, assets, Urls(config.site.base_url))


def assemble(sources: Sequence[SourcePost], config: Config | None = None, **options) -> Site:
    return assemble_all(sources, config, **options)[0]
