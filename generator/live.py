"""Quick rebuilds for watch and serve: one post's text edited -> only the pages that show it.

A full build of a 10,000-post site re-reads every post and re-assembles the site before
it can tell which pages changed: seconds. A writer saving a post changes one file, and
usually only its text: the title, summary or body. `LiveSite` keeps the last full build's
site in memory and, when every changed file is an already-built post whose date, URL,
tags, authors, draft state, `updated` and `id` are as they were, redoes just that:

    read the post -> render its Markdown (through the cache) -> resolve its links
    -> swap the new Post into the site (order, groups, neighbours and related stay)
    -> render the pages that show it and the feeds that list it -> write those in place

The pages that show a post are known from the site's structure (its own page, the list
pages it is on, its neighbours' and the posts whose related lists hold it, archive, tags
and authors indexes); this holds only while templates read nothing of `site` beyond
`site.updated`, `site.config` and `site.urls` (as fingerprint.py checks), otherwise any
page may show any post and `rebuild` declines (as it does for a site with plugins, whose
filters and extra files may read any post). Anything else (a new, deleted or renamed
post, a changed date or tag, templates, static files, site.toml, a scheduled post coming
due) makes `rebuild` return None and the caller runs a full build. The result is the same
bytes a full build writes: tests/e2e/test_live.py compares them after every kind of edit.
"""

from __future__ import annotations

import dataclasses
import gc
import time
from datetime import UTC, datetime
from pathlib import Path

from generator.build import BuildOptions, BuildPlan, BuildReport
from generator.cache import CACHE_DIR, MarkdownCache, RenderStats, forget_build_record
from generator.content import MARKDOWN_SUFFIXES, SourcePost, read_post
from generator.errors import BuildFailed, BuildWarning
from generator.feeds import feed_jobs, shows_any
from generator.fingerprint import SMALL_SITE_ATTRIBUTES, analyse_templates
from generator.links import LinkIndex
from generator.markdown import MarkdownSettings, Rendered, render_markdown
from generator.output import make_files
from generator.paginate import paginate
from generator.post import author_table, make_post
from generator.render import page_jobs
from generator.site import Post, Site, replace_posts
from generator.theme import Theme
from generator.writer import WriteReport, write_in_place

# Front-matter fields that place a post in the site (order, URL, groups, archive, feeds'
# ids, which posts are built): while they are unchanged, so is the site's structure.
STRUCTURAL_FIELDS = ("rel_path", "date", "updated", "slug", "tags", "authors", "draft", "pinned_id", "aliases")

# Pages that list every post or every group, whatever the edit, and their templates.
INDEX_PAGES = (("/archive/", "archive.html"), ("/tags/", "tags.html"), ("/authors/", "authors.html"))


class LiveSite:
    """The last full build, kept in memory by a watching process."""

    def __init__(self, options: BuildOptions, plan: BuildPlan, out_dir: Path):
        assert plan.theme is not None and plan.link_index is not None
        self.options = options
        self.config = plan.config
        self.theme: Theme = plan.theme
        self.site: Site = plan.site
        self.link_index: LinkIndex = plan.link_index
        self.out_dir = out_dir
        self.next_due = plan.next_due
        self.sources: dict[Path, SourcePost] = {source.source: source for source in plan.sources}
        self.order = {source.source: n for n, source in enumerate(plan.sources)}
        self.warnings: dict[Path | None, list[BuildWarning]] = {}
        for warning in plan.warnings:
            self.warnings.setdefault(warning.path, []).append(warning)
        self.cache = MarkdownCache(self.config.root / CACHE_DIR / "markdown" if options.use_cache else None, MarkdownSettings())
        self.templates = analyse_templates(self.theme)
        self.templates_see_only_small_site = self.templates.site_attributes <= SMALL_SITE_ATTRIBUTES
        self.pages_showing = _pages_showing(plan.site)
        self.record_forgotten = False
        # The site stays for the whole session: keep the cycle collector from walking its
        # million objects on every collection a quick rebuild triggers (0.1-0.3 s each).
        gc.collect()
        gc.freeze()

    def release(self) -> None:
        """Called when this state is dropped for a full build: its objects may be collected again."""
        gc.unfreeze()

    def rebuild(self, changed: frozenset[Path]) -> BuildReport | None:
        """Redo the posts in `changed`; None when the change is not one this can do (build instead).
        Raises BuildFailed/ContentError like a full build; the output is then untouched."""
        start = time.perf_counter()
        new_sources = self._edited_posts(changed) if self._can_rebuild() else None
        if new_sources is None:
            return None
        old_posts = {post.source: post for post in self.site.posts}
        authors, warnings, hits = author_table(self.config), dict(self.warnings), 0
        replacements: dict[int, Post] = {}
        for path, source in new_sources.items():
            body, cached = self._rendered(source)
            hits += cached
            post, warnings[path] = make_post(self.config, self.site.urls, source, body, old_posts[path].url, authors, self.link_index)
            replacements[id(old_posts[path])] = post
        all_warnings = self._ordered(warnings)
        if self.options.strict and all_warnings:
            raise BuildFailed([w.as_error() for w in all_warnings])
        site = replace_posts(self.site, replacements)
        pages = set().union(*(self._pages_to_render(old, replacements[id(old)]) for old in old_posts.values() if id(old) in replacements))
        edited = {post.url for post in replacements.values()}
        # Everything is made before anything is written: a template error writes nothing.
        jobs = [job for job in page_jobs(site, self.theme) if job.url in pages] + [job for job in feed_jobs(site) if shows_any(job, edited)]
        files = list(make_files(jobs))
        self._forget_record()
        written = write_in_place(files, self.out_dir)
        self.site, self.warnings = site, warnings
        self.sources.update(new_sources)
        stats = RenderStats(hits, len(new_sources) - hits, 1)
        return self._report(written, all_warnings, stats, time.perf_counter() - start)

    def _report(self, written: WriteReport, warnings: list[BuildWarning], stats: RenderStats, seconds: float) -> BuildReport:
        return BuildReport(
            output_dir=self.out_dir,
            posts=len(self.site.posts),
            pages=written.html_pages,
            files=written.written + written.unchanged,
            written=written.written,
            unchanged=written.unchanged,
            warnings=tuple(warnings),
            render_stats=stats,
            timings={"quick rebuild": seconds},
            quick=True,
        )

    def _can_rebuild(self) -> bool:
        now = self.options.now or datetime.now(UTC)
        if not self.templates_see_only_small_site or (self.next_due and now >= self.next_due):
            return False
        # A plugin's filter or extra files may read any post: no telling what an edit reaches.
        # The search index is made from the whole site, by the full build.
        return not self.config.build.plugins and not self.config.search.enabled

    def _edited_posts(self, changed: frozenset[Path]) -> dict[Path, SourcePost] | None:
        """The changed posts read again, if each is a post this build has whose place in the site
        is unchanged (STRUCTURAL_FIELDS); else None. Errors are reported as by a full build."""
        if not changed:
            return None
        new_sources: dict[Path, SourcePost] = {}
        for path in changed:
            path = path.resolve() if not path.is_absolute() else path
            old = self.sources.get(path)  # a page (pages/) is never one: a full build, as menus show pages
            if old is None or path.suffix.lower() not in MARKDOWN_SUFFIXES or path.is_symlink() or not path.is_file():
                return None  # not a post this build has, or no longer a plain file
            new = read_post(path, old.rel_path, self.config.zone)
            if any(getattr(new, name) != getattr(old, name) for name in STRUCTURAL_FIELDS):
                return None
            new_sources[path] = new
        return new_sources

    def _rendered(self, source: SourcePost) -> tuple[Rendered, bool]:
        """The post's rendered body, through the Markdown cache; and whether the cache had it."""
        key = self.cache.key(source.body)
        body = self.cache.get(key)
        if body is not None:
            return body, True
        body = render_markdown(source.body, self.cache.settings)
        self.cache.put(key, body)
        return body, False

    def _forget_record(self) -> None:
        """The last build's record no longer describes the output: the next `blog build` checks every page."""
        if self.options.use_cache and not self.record_forgotten:
            forget_build_record(self.config.root / CACHE_DIR, self.out_dir)
            self.record_forgotten = True

    def _pages_to_render(self, old: Post, new: Post) -> set[str]:
        """The post's own page, and each other page that shows it and whose templates could
        read one of the fields that changed (a body edit leaves the lists of a big site alone)."""
        changed = {f.name for f in dataclasses.fields(Post) if getattr(old, f.name) != getattr(new, f.name)}
        if "body" in changed:
            changed |= {"content", "content_utf8"}  # what templates call it
        pages = {new.url}
        for page, template in self.pages_showing[new.url]:
            names = self.templates.names_read(template)
            if names is None or changed & names:
                pages.add(page)
        return pages

    def _ordered(self, warnings: dict[Path | None, list[BuildWarning]]) -> list[BuildWarning]:
        """Warnings in the order a full build reports them (posts in load order)."""
        keys = sorted(warnings, key=lambda path: self.order.get(path, -1) if path is not None else -1)
        return [warning for key in keys for warning in warnings[key]]


def _pages_showing(site: Site) -> dict[str, set[tuple[str, str]]]:
    """For each post URL, the other pages that show the post in any way: (site path, template)."""
    showing: dict[str, set[tuple[str, str]]] = {post.url: set(INDEX_PAGES) for post in site.posts}
    per_page = site.config.build.posts_per_page
    lists = [(site.posts, "/", "index.html")]
    lists += [(group.posts, group.key.url, "tag.html") for group in site.tags]
    lists += [(group.posts, group.key.url, "author.html") for group in site.authors]
    for posts, first_page, template in lists:
        for pager in paginate(posts, per_page, first_page):
            for post in pager.items:
                showing[post.url].add((pager.url, template))
    for url, (older, newer) in site.neighbours.items():
        for neighbour in (older, newer):
            if neighbour is not None:
                showing[neighbour.url].add((url, "post.html"))
    for url, related in site.related.items():
        for post in related:
            showing[post.url].add((url, "post.html"))
    return showing
