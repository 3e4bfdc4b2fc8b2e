"""Stage: BuildOptions -> BuildReport. Calls the stages in order and times each.

    config -> content -> markdown (cached) -> site -> pages, feeds, extras -> writer

`plan_build` runs everything up to the files to write and writes nothing, so
`blog check` and `blog build` share it; `build` adds the writer.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.cache import (
    CACHE_DIR,
    BuildRecord,
    MarkdownCache,
    RenderStats,
    forget_build_record,
    load_build_record,
    render_bodies,
    save_build_record,
)
from generator.code_digest import generator_digest
from generator.config import Config, load_config
from generator.errors import BuildFailed, BuildWarning, ConfigError
from generator.plugins import PLUGINS_DIR

if TYPE_CHECKING:
    from generator.content import SourcePost
    from generator.fingerprint import Fingerprints, PageReuse
    from generator.links import LinkIndex
    from generator.markdown import Rendered
    from generator.output import Job, OutputFile
    from generator.post import BodyFacts
    from generator.site import Site
    from generator.theme import Theme
    from generator.writer import WriteReport

# The stages (Jinja, markdown-it, Pygments, feedgen, Pillow...) are imported by plan_build and
# the writer when a build is needed, not with this module: an up-to-date build reads the
# config and the build record and stats the inputs, nothing more (tests/e2e/test_startup.py).
PAGES_FOLDER = "pages"  # generator.pages.PAGES_FOLDER, without importing the page stage

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
    skip_if_unchanged: bool = True  # do nothing when no input's path, size, mtime or inode changed


@dataclass
class BuildPlan:
    """Everything a build would write, and what it learnt on the way."""

    config: Config
    site: Site
    files: Iterator[OutputFile]  # rendered while consumed, once: pages are not all held in memory
    warnings: list[BuildWarning]
    render_stats: RenderStats
    timings: dict[str, float]
    next_due: datetime | None = None  # the earliest future-dated post left out: the build is stale then
    # What live.py needs to redo one post without redoing the site:
    theme: Theme | None = None
    sources: list[SourcePost] = field(default_factory=list)  # the posts built, in load order
    link_index: LinkIndex | None = None
    jobs: PlannedJobs | None = None  # what `files` is made from, for worker processes


@dataclass
class PlannedJobs:
    """The jobs behind plan.files' pages, feeds and redirects, and the files that follow them:
    what _write_in_workers shares among worker processes."""

    groups: Callable[[], list[list[Job]]]  # pages, feeds, redirects: each in plan.files' order
    rest: Callable[[], Iterator[OutputFile]]  # plugin files and extras, written by this process
    reuse: PageReuse
    fingerprints: Fingerprints


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
    up_to_date: bool = False  # nothing changed since the last build: nothing was done
    quick: bool = False  # live.py re-rendered only the pages one edit reaches
    plan: BuildPlan | None = field(default=None, repr=False, compare=False)  # with build(keep_plan=True)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


class _Timer:
    def __init__(self, progress: Progress | None):
        self.timings: dict[str, float] = {}
        self.progress = progress

    def timed_iterator(self, name: str, items: Iterator) -> Iterator:
        """Yield from `items`, adding the time spent making them to stage `name`."""
        while True:
            start = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            yield item

    @contextmanager
    def stage(self, name: str):
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def plan_build(
    options: BuildOptions,
    progress: Progress | None = None,
    reuse: PageReuse | None = None,
    config: Config | None = None,
    keep_sources: bool = False,
) -> BuildPlan:
    """Everything up to the files to write; `config` when the caller has read it already.
    `keep_sources` keeps the posts as read (their Markdown) in the plan, for live.py; else
    they are let go once the site is assembled, before the pages are rendered."""
    from generator.content import load_content
    from generator.extras import build_robots, static_files
    from generator.feeds import feed_jobs
    from generator.fingerprint import Fingerprints, PageReuse
    from generator.front_matter_cache import FrontMatterCache
    from generator.markdown import MarkdownSettings
    from generator.output import make_files
    from generator.pages import load_pages
    from generator.plugins import load_plugins, plugin_files
    from generator.post_cache import PostStore, post_key, site_digest
    from generator.render import check_page_templates, page_jobs, redirect_jobs
    from generator.search import require_indexer
    from generator.site import assemble_site, link_index_of, select_posts
    from generator.theme import load_theme
    from generator.urls import Urls

    _collect_less()
    timer = _Timer(progress)
    with timer.stage("config"):
        config = config or load_config(options.site_dir, base_url=options.base_url)
        urls = Urls(config.site.base_url)
        require_indexer(config)
        plugins = load_plugins(config)
        theme = load_theme(config, urls, plugins)
    with timer.stage("load"):
        front_matter = FrontMatterCache(config.root, read_only=not options.write_cache, fresh=options.clean) if options.use_cache else None
        content = load_content(config, front_matter)
        now = options.now or datetime.now(UTC)
        sources = select_posts(content.posts, drafts=options.drafts, future=options.future, now=now)
        page_content = load_pages(config)
        page_sources = [p for p in page_content.pages if options.drafts or not p.draft]
    with timer.stage("markdown"):
        settings = MarkdownSettings()
        cache_dir = config.root / CACHE_DIR / "markdown" if options.use_cache else None
        if options.clean and cache_dir is not None:
            shutil.rmtree(cache_dir, ignore_errors=True)
        page_list = tuple(page_sources)
        index = link_index_of(config, sources, content.posts, content.assets, urls, page_list, page_content.pages, page_content.assets)
        markdown_cache = MarkdownCache(cache_dir, settings, read_only=not options.write_cache)
        # A post whose finished body the last build kept (same Markdown, same site) is neither
        # rendered nor read back: its facts are enough until a page shows it.
        store, post_keys = None, list[str]()
        if options.use_cache:
            context = site_digest(config, index)
            store = PostStore(config.root / CACHE_DIR / "posts", context, writable=options.write_cache, fresh=options.clean)
            post_keys = [post_key(context, markdown_cache.key(s.body), s) for s in sources]
        known: list[BodyFacts | None] = [store.known(key) for key in post_keys] if store is not None else [None] * len(sources)
        unknown = [number for number, facts in enumerate(known) if facts is None]
        rendered = render_bodies([sources[number].body for number in unknown], markdown_cache, options.jobs)
        page_bodies = render_bodies(
            [p.body for p in page_sources], MarkdownCache(cache_dir, settings, read_only=not options.write_cache), 1
        )
    with timer.stage("site"):
        # Each Rendered is let go as soon as its Post is made, so the HTML is held once, not twice.
        page_pairs = list(zip(page_sources, page_bodies, strict=True))
        site, warnings, link_index = assemble_site(
            config,
            sources,
            _in_source_order(known, iter(rendered)),
            content.posts,
            content.assets,
            urls,
            page_pairs,
            page_content.pages,
            page_content.assets,
            index=index,
            store=store,
            post_keys=post_keys,
        )
        if store is not None:
            store.save()
        warnings = list(content.warnings) + warnings  # no posts/ folder yet
    # After the site stage: entries it found damaged count as rendered; kept bodies as cached.
    page_stats = page_bodies.stats
    kept = len(sources) - len(unknown)
    stats = RenderStats(rendered.stats.hits + page_stats.hits + kept, rendered.stats.misses + page_stats.misses, rendered.stats.workers)
    template_errors = check_page_templates(site, theme)
    if template_errors:
        raise BuildFailed(template_errors)
    if options.strict and warnings:
        raise BuildFailed([w.as_error() for w in warnings])
    fingerprints = Fingerprints(site, theme)
    reuse = reuse or PageReuse({}, None)
    with timer.stage("extras"):
        image_cache = config.root / CACHE_DIR / "images" if options.use_cache and options.write_cache else None
        extras = [build_robots(site)] + static_files(site, theme, image_cache)
    # Pages and feeds are made as the writer (or check) asks for them: see _pages_then_sitemap.
    pages = make_files(reuse.filter(page_jobs(site, theme), fingerprints))
    feeds = timer.timed_iterator("feeds", make_files(reuse.filter(feed_jobs(site), fingerprints)))
    redirects = make_files(reuse.filter(redirect_jobs(site, theme), fingerprints))
    others = itertools.chain(feeds, redirects, plugin_files(site, plugins), extras)
    files = _frozen_while_consumed(_pages_then_sitemap(site, pages, others))
    jobs = PlannedJobs(
        lambda: [list(page_jobs(site, theme)), list(feed_jobs(site)), list(redirect_jobs(site, theme))],
        lambda: itertools.chain(plugin_files(site, plugins), extras),
        reuse,
        fingerprints,
    )
    due = [p.date for p in content.posts if p.date > now and (options.drafts or not p.draft)]
    next_due = min(due) if due and not options.future else None
    sources = sources if keep_sources else []
    return BuildPlan(config, site, files, warnings, stats, timer.timings, next_due, theme, sources, link_index, jobs)


def _collect_less() -> None:
    """Fewer garbage collections: a build makes millions of objects that live to its end, and
    CPython 3.11's default threshold (700) walks them again and again (a quarter of the
    Markdown and site stages at 10,000 posts). Cycles are rare here; they are still collected."""
    gen0, gen1, gen2 = gc.get_threshold()
    if gen0 < 50_000:
        gc.set_threshold(50_000, gen1, gen2)


def _in_source_order(known: list[BodyFacts | None], rendered: Iterator[Rendered]) -> Iterator[Rendered | BodyFacts]:
    """Each post's kept facts, or else its next rendered body (rendered in the same order)."""
    for facts in known:
        yield facts if facts is not None else next(rendered)


def _frozen_while_consumed(files: Iterator[OutputFile]) -> Iterator[OutputFile]:
    """`files`, with the cycle collector kept off the objects alive when the first is asked for
    (the site: hundreds of thousands of them, walked again on every collection while pages
    render) until the last is made or the consumer lets the iterator go."""
    gc.freeze()
    try:
        yield from files
    finally:
        gc.unfreeze()


def _pages_then_sitemap(site: Site, pages: Iterator[OutputFile], others: Iterable[OutputFile]) -> Iterator[OutputFile]:
    """Every page, then the other files, then sitemap.xml listing the pages seen on the way."""
    from generator.extras import build_sitemap

    html_paths = []
    for page in pages:
        if (site_path := _sitemap_path(page.path)) is not None:
            html_paths.append(site_path)
        yield page
    yield from others
    yield build_sitemap(site, html_paths)


def _sitemap_path(path: PurePosixPath) -> str | None:
    return None if path.name == "404.html" else "/" + str(path).removesuffix("index.html")


def build(options: BuildOptions, progress: Progress | None = None, *, keep_plan: bool = False) -> BuildReport:
    """Build the site into the output folder; `keep_plan` keeps the plan (the whole site) in
    the report for live.py, and never answers "up to date" (that answer has no plan)."""
    return _build(options, progress, keep_plan)


def _build(options: BuildOptions, progress: Progress | None, keep_plan: bool) -> BuildReport:
    start = time.perf_counter()
    config = load_config(options.site_dir, base_url=options.base_url)
    out_dir = _output_dir(options, config)
    cache_root = config.root / CACHE_DIR
    use_record = options.use_cache and not options.clean
    record = load_build_record(cache_root, out_dir) if use_record else None
    inputs = input_state(config, options)
    if record is not None and options.skip_if_unchanged and not keep_plan and _up_to_date(record, inputs, out_dir, options):
        return _unchanged_report(record, out_dir, time.perf_counter() - start)
    from generator.fingerprint import PageReuse
    from generator.search import index_site

    reuse = PageReuse(record.pages if record else {}, out_dir if record else None)
    plan = plan_build(options, progress, reuse, config, keep_sources=keep_plan)
    start = time.perf_counter()
    if progress:
        progress("pages+write")
    if options.use_cache:
        # Until the new output is in place, the recorded fingerprints describe neither folder.
        forget_build_record(cache_root, out_dir)
    index = (lambda staging: index_site(staging, plan.config)) if plan.config.search.enabled else None
    written = _write(plan, options, out_dir, index)
    files = written.written + written.unchanged
    if options.use_cache:
        save_build_record(
            cache_root,
            out_dir,
            BuildRecord(
                generator=generator_digest(),
                output=str(out_dir),
                inputs=inputs,
                pages=reuse.current,
                next_due=plan.next_due,
                posts=len(plan.site.posts),
                html_pages=written.html_pages,
                files=files,
                warnings=[(w.message, str(w.path) if w.path else None, w.line) for w in plan.warnings],
            ),
        )
    # Feeds are made while the writer stores them and have their own line.
    plan.timings["pages+write"] = time.perf_counter() - start - plan.timings.get("feeds", 0.0)
    return BuildReport(
        output_dir=out_dir,
        posts=len(plan.site.posts),
        pages=written.html_pages,
        files=files,
        written=written.written,
        unchanged=written.unchanged,
        warnings=tuple(plan.warnings),
        render_stats=plan.render_stats,
        timings=plan.timings,
        plan=plan if keep_plan else None,
    )


def _write(plan: BuildPlan, options: BuildOptions, out_dir: Path, finish: Callable[[Path], None] | None) -> WriteReport:
    """The writer, in this process or, for a site big enough to pay for them, with worker processes."""
    from generator.parallel import worker_count
    from generator.writer import write_output

    groups = plan.jobs.groups() if plan.jobs is not None and options.jobs > 1 else []
    workers = worker_count(options.jobs, sum(len(group) for group in groups))
    if workers > 1:
        return _write_in_workers(plan, groups, workers, out_dir, finish)
    return write_output(plan.files, out_dir, finish=finish)


def _write_in_workers(
    plan: BuildPlan, groups: list[list[Job]], workers: int, out_dir: Path, finish: Callable[[Path], None] | None
) -> WriteReport:
    """Pages, feeds and redirects rendered and written by `workers` processes forked now that
    the site is assembled (parallel.py); then the rest and the sitemap here, as plan.files has them."""
    from generator.extras import build_sitemap
    from generator.parallel import WorkersDone, render_in_workers
    from generator.writer import write_output

    assert plan.jobs is not None
    jobs, done = plan.jobs, list[WorkersDone]()

    def first(writer, guard) -> None:
        done.append(render_in_workers(groups, jobs.reuse, jobs.fingerprints, workers, writer, guard, plan.theme, feed_group=1))

    def rest() -> Iterator[OutputFile]:
        yield from jobs.rest()
        yield build_sitemap(plan.site, [site_path for path in done[0].paths[0] if (site_path := _sitemap_path(path)) is not None])

    # Frozen before forking, as while plan.files is consumed: the workers' collections then
    # never walk the site's objects, nor write into (and so copy) the memory they share.
    gc.freeze()
    try:
        report = write_output(rest(), out_dir, finish=finish, first=first)
    finally:
        gc.unfreeze()
    # The workers made the feeds beside the pages: their share of the time, had they been alone.
    plan.timings["feeds"] = done[0].feed_seconds / workers
    return report


def input_state(config: Config, options: BuildOptions) -> str:
    """A digest of every input file's path, size and modification time, and of the options:
    when it equals the last build's, that build's output is still right (as make decides)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((generator_digest(), options.drafts, options.future, options.base_url, options.strict)).encode())
    theme_dir = config.theme_dir
    roots = [
        config.root / "site.toml",
        config.posts_dir,
        config.root / PAGES_FOLDER,
        config.root / "templates",
        config.root / "static",
        config.root / PLUGINS_DIR,
    ]
    for root in roots + ([theme_dir] if theme_dir else []):
        digest.update(str(root).encode())
        for path in sorted(_files_below(root)):
            try:
                stat = path.stat()
            except OSError:  # a link to nothing is an input too (an error the build reports)
                try:
                    stat = path.lstat()
                except OSError:
                    continue
            signature = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}\n"
            digest.update(signature.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _files_below(root: Path) -> list[Path]:
    """Every file below `root`, and every symbolic link to a folder (the build refuses those:
    adding one must not leave the build "up to date")."""
    if root.is_file():
        return [root]
    found = []
    for folder, dirnames, names in os.walk(root):
        found += [Path(folder) / name for name in names]
        found += [Path(folder) / name for name in dirnames if (Path(folder) / name).is_symlink()]
    return found


def _up_to_date(record: BuildRecord, inputs: str, out_dir: Path, options: BuildOptions) -> bool:
    if record.inputs != inputs:
        return False
    now = options.now or datetime.now(UTC)
    due = record.next_due
    if due is not None and (due.tzinfo is None or now >= due):
        return False
    # Every file the record names must still be there (one stat each: 15 ms for 10,000 posts).
    folder = str(out_dir)
    return all(os.path.isfile(os.path.join(folder, path)) for path in record.pages)


def _unchanged_report(record: BuildRecord, out_dir: Path, seconds: float) -> BuildReport:
    warnings = tuple(BuildWarning(m, Path(p) if p else None, line) for m, p, line in record.warnings)
    files = record.files
    return BuildReport(
        output_dir=out_dir,
        posts=record.posts,
        pages=record.html_pages,
        files=files,
        written=0,
        unchanged=files,
        warnings=warnings,
        render_stats=RenderStats(0, 0, 0),
        timings={"check": seconds},
        up_to_date=True,
    )


def _output_dir(options: BuildOptions, config: Config) -> Path:
    """The output folder, refusing any that would replace the site or its sources."""
    out_dir = (options.out_dir or config.output_dir).resolve()
    root = config.root.resolve()
    protected = [root] + [root / name for name in ("posts", PAGES_FOLDER, "templates", "static", "themes", PLUGINS_DIR, CACHE_DIR)]
    inside_sources = any(out_dir.is_relative_to(folder) for folder in protected[1:])
    if out_dir == root or root.is_relative_to(out_dir) or inside_sources:
        from_option = options.out_dir is not None
        raise ConfigError(
            f"refusing to build into {out_dir}: the build replaces that folder, and it holds the site itself",
            None if from_option else config.root / "site.toml",
            None if from_option else config.key_line("build", "output_dir"),
            key="--out" if from_option else "build.output_dir",
            hint="use a folder of its own, such as _site",
        )
    return out_dir
