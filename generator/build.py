"""Stage: BuildOptions -> BuildReport. Calls the stages in order and times each.

    config -> content -> markdown (cached) -> site -> pages, feeds, extras -> writer

`plan_build` runs everything up to the files to write and writes nothing, so
`blog check` and `blog build` share it; `build` adds the writer.
"""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from generator.cache import (
    CACHE_DIR,
    MarkdownCache,
    RenderStats,
    forget_page_manifest,
    load_page_manifest,
    render_bodies,
    save_page_manifest,
)
from generator.config import Config, load_config
from generator.content import load_content
from generator.errors import BuildFailed, BuildWarning, ConfigError
from generator.extras import build_robots, build_sitemap, static_files
from generator.feeds import build_feeds
from generator.markdown import MarkdownSettings
from generator.output import OutputFile, check_collisions
from generator.fingerprint import Fingerprints, PageReuse
from generator.render import render_pages
from generator.site import Site, assemble_site, select_posts
from generator.theme import load_theme
from generator.urls import Urls
from generator.writer import write_output

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path = Path(".")
    out_dir: Path | None = None  # default: [build].output_dir
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    strict: bool = False
    clean: bool = False  # ignore and rebuild the Markdown cache
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    now: datetime | None = None  # "now" for future-dated posts; tests pin it
    use_cache: bool = True
    write_cache: bool = True  # `blog check` reads the cache but writes nothing


@dataclass
class BuildPlan:
    """Everything a build would write, and what it learnt on the way."""

    config: Config
    site: Site
    files: list[OutputFile]
    warnings: list[BuildWarning]
    render_stats: RenderStats
    timings: dict[str, float]


@dataclass(frozen=True)
class BuildReport:
    output_dir: Path
    posts: int
    pages: int  # HTML pages written
    files: int
    written: int
    unchanged: int
    warnings: tuple[BuildWarning, ...]
    render_stats: RenderStats
    timings: dict[str, float]

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


class _Timer:
    def __init__(self, progress: Progress | None):
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str):
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def plan_build(options: BuildOptions, progress: Progress | None = None, reuse: PageReuse | None = None) -> BuildPlan:
    timer = _Timer(progress)
    with timer.stage("config"):
        config = load_config(options.site_dir, base_url=options.base_url)
        urls = Urls(config.site.base_url)
        theme = load_theme(config, urls)
    with timer.stage("load"):
        content = load_content(config)
        now = options.now or datetime.now(timezone.utc)
        sources = select_posts(content.posts, drafts=options.drafts, future=options.future, now=now)
    with timer.stage("markdown"):
        settings = MarkdownSettings()
        cache_dir = config.root / CACHE_DIR / "markdown" if options.use_cache else None
        if options.clean and cache_dir is not None:
            shutil.rmtree(cache_dir, ignore_errors=True)
        rendered, stats = render_bodies([s.body for s in sources], MarkdownCache(cache_dir, settings, read_only=not options.write_cache), options.jobs)
    with timer.stage("site"):
        site, warnings = assemble_site(config, sources, rendered, content.posts, content.assets, urls)
        del rendered  # the Site holds each body's HTML once from here on
    with timer.stage("templates"):
        fingerprints = Fingerprints(site, theme)
        pages = render_pages(site, theme, reuse, fingerprints)
    with timer.stage("feeds"):
        feeds = build_feeds(site, fingerprints, reuse)
    with timer.stage("extras"):
        html_paths = ["/" + str(f.path).removesuffix("index.html") for f in pages if f.path.name != "404.html"]
        extras = [build_sitemap(site, html_paths), build_robots(site)] + static_files(site, theme)
        files = pages + feeds + extras
        check_collisions(files)
    if options.strict and warnings:
        raise BuildFailed([w.as_error() for w in warnings])
    return BuildPlan(config, site, files, warnings, stats, timer.timings)


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    config = load_config(options.site_dir, base_url=options.base_url)
    out_dir = _output_dir(options, config)
    cache_root = config.root / CACHE_DIR
    reuse = PageReuse({}, None)
    if options.use_cache and not options.clean:
        reuse = PageReuse(load_page_manifest(cache_root, out_dir), out_dir)
    plan = plan_build(options, progress, reuse)
    start = time.perf_counter()
    if progress:
        progress("write")
    if options.use_cache:
        # Until the new output is in place, the recorded fingerprints describe neither folder.
        forget_page_manifest(cache_root, out_dir)
    written = write_output(plan.files, out_dir)
    if options.use_cache:
        save_page_manifest(cache_root, out_dir, reuse.current)
    plan.timings["write"] = time.perf_counter() - start
    return BuildReport(
        output_dir=out_dir,
        posts=len(plan.site.posts),
        pages=sum(1 for f in plan.files if f.path.suffix == ".html"),
        files=len(plan.files),
        written=written.written,
        unchanged=written.unchanged,
        warnings=tuple(plan.warnings),
        render_stats=plan.render_stats,
        timings=plan.timings,
    )


def _output_dir(options: BuildOptions, config: Config) -> Path:
    """The output folder, refusing any that would replace the site or its sources."""
    out_dir = (options.out_dir or config.output_dir).resolve()
    root = config.root.resolve()
    protected = [root] + [root / name for name in ("posts", "templates", "static", "themes", CACHE_DIR)]
    inside_sources = any(out_dir.is_relative_to(folder) for folder in protected[1:])
    if out_dir == root or root.is_relative_to(out_dir) or inside_sources:
        raise ConfigError(
            f"refusing to build into {out_dir}: the build replaces that folder, and it holds the site itself",
            config.root / "site.toml",
            key="build.output_dir",
            hint="use a folder of its own, such as _site",
        )
    return out_dir
