"""Stage: list[SourcePost] + their Rendered bodies + Config -> Site.

Everything the templates and feeds need, computed once: posts newest first with
their URLs (each made by post.py), tags, authors, the archive by year and month,
neighbours and related posts. Nothing is rendered or written here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from generator.config import Config
from generator.content import Asset, SourcePost
from generator.errors import BuildFailed, BuildWarning, ContentError
from generator.links import LinkIndex
from generator.markdown import Rendered
from generator.pages import SourcePage
from generator.post import (
    Author,
    BodyFacts,
    MenuEntry,
    Page,
    Post,
    PostBody,
    Tag,
    author_table,
    finish_body,
    make_page,
    post_with_body,
    remake,
    stable_id,
    tag_slug,
)
from generator.post_cache import PostStore
from generator.urls import Urls, permalink

# Post and its parts are defined in post.py; the rest of the build takes them from here.
__all__ = [
    "Author",
    "Group",
    "MenuEntry",
    "Page",
    "Post",
    "Site",
    "Tag",
    "Year",
    "assemble_site",
    "replace_posts",
    "select_posts",
    "stable_id",
    "tag_slug",
]


RELATED_WINDOW = 25


@dataclass(frozen=True)
class Group:
    """Posts under one heading: a tag, an author, a month of the archive."""

    key: Any  # Tag, Author, or a datetime for an archive month
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Group, ...]  # newest first; Group.key is the first day of the month


@dataclass(frozen=True)
class Site:
    config: Config
    urls: Urls
    posts: tuple[Post, ...]  # newest first
    tags: tuple[Group, ...]  # by name
    authors: tuple[Group, ...]  # by name
    archive: tuple[Year, ...]  # newest first
    assets: tuple[Asset, ...]
    neighbours: dict[str, tuple[Post | None, Post | None]]  # url -> (older, newer)
    related: dict[str, tuple[Post, ...]]  # url -> posts sharing the most tags
    pages: tuple[Page, ...] = ()  # standalone pages (pages/), by site path
    page_assets: tuple[Asset, ...] = ()  # files beside the pages, relative to pages/

    @cached_property
    def menu_pages(self) -> tuple[MenuEntry, ...]:
        """The pages with `menu` set, for the header menu: by weight, then title."""
        entries = [MenuEntry(p.menu, p.url, p.menu_weight) for p in self.pages if p.menu]
        return tuple(sorted(entries, key=lambda e: (e.weight, e.name.casefold(), e.url)))

    @cached_property
    def updated(self) -> datetime | None:
        """The newest post's date or update: the feeds' updated time, stable across rebuilds.
        Cached: every page's footer asks, and the answer is a pass over every post."""
        return max((p.updated or p.date for p in self.posts), default=None)


def select_posts(posts: tuple[SourcePost, ...], *, drafts: bool, future: bool, now: datetime) -> list[SourcePost]:
    """Drafts only with --drafts, future-dated posts only with --future."""
    return [p for p in posts if (drafts or not p.draft) and (future or p.date <= now)]


def site_paths_of(config: Config, sources: list[SourcePost]) -> dict[int, str]:
    """Each post's site path, by id() of its source."""
    return {id(source): permalink(config.build.permalink, source.date, source.slug) for source in sources}


def assemble_site(
    config: Config,
    sources: list[SourcePost],
    rendered: Iterable[Rendered | BodyFacts],  # in the order of `sources`; may be consumed once
    all_sources: tuple[SourcePost, ...],
    assets: tuple[Asset, ...],
    urls: Urls,
    pages: Iterable[tuple[SourcePage, Rendered]] = (),
    all_pages: tuple[SourcePage, ...] = (),
    page_assets: tuple[Asset, ...] = (),
    *,
    index: LinkIndex | None = None,
    store: PostStore | None = None,
    post_keys: Sequence[str] = (),
) -> tuple[Site, list[BuildWarning], LinkIndex]:
    """Build the Site; `all_sources` (drafts too) lets links to unpublished posts be told apart.
    `pages` are the standalone pages built with their bodies, `all_pages` every page (drafts too).
    The LinkIndex is returned too: live.py resolves an edited post's links with it; `index` is
    the same one when the caller made it already (link_index_of).
    With a `store` (and each source's key in `post_keys`), finished bodies are kept there and
    read back only when shown; a body given as BodyFacts is one the store had (PostStore.known)."""
    authors = author_table(config)
    site_paths = site_paths_of(config, sources)
    pages = list(pages)
    if index is None:
        index = LinkIndex.build(sources, site_paths, all_sources, assets, urls, tuple(p for p, _ in pages), all_pages, page_assets)
    warnings: list[BuildWarning] = []
    posts = []
    for number, (source, body) in enumerate(zip(sources, rendered, strict=True)):
        if isinstance(body, BodyFacts):
            assert store is not None
            facts, kept = body, store.body(body.digest, remake(config, source, index))
        else:
            content, facts = finish_body(config, source, body, index)
            if store is not None and store.keep(post_keys[number], content, facts):
                kept = store.body(facts.digest, remake(config, source, index))
            else:
                kept = PostBody(facts.digest, held=content)
        post, post_warnings = post_with_body(config, urls, source, site_paths[id(source)], authors, index, kept, facts)
        warnings.extend(post_warnings)
        posts.append(post)
    posts.sort(key=lambda p: (p.date, p.url), reverse=True)
    _check_unique_urls(posts)
    built_pages = []
    for page_source, page_body in pages:
        page, page_warnings = make_page(config, page_source, page_body, index)
        warnings.extend(page_warnings)
        built_pages.append(page)
    built_pages.sort(key=lambda p: (p.url, str(p.rel_path)))
    return (
        Site(
            config=config,
            urls=urls,
            posts=tuple(posts),
            tags=_group(posts, lambda post: post.tags),
            authors=_group(posts, lambda post: post.authors),
            archive=_archive(posts),
            assets=assets,
            neighbours=_neighbours(posts),
            related=_related(posts, config.build.related_posts),
            pages=tuple(built_pages),
            page_assets=page_assets,
        ),
        warnings,
        index,
    )


def link_index_of(
    config: Config,
    sources: list[SourcePost],
    all_sources: tuple[SourcePost, ...],
    assets: tuple[Asset, ...],
    urls: Urls,
    pages: tuple[SourcePage, ...],
    all_pages: tuple[SourcePage, ...],
    page_assets: tuple[Asset, ...],
) -> LinkIndex:
    """The LinkIndex assemble_site would make, before any body is rendered (post_cache.py keys on it)."""
    return LinkIndex.build(sources, site_paths_of(config, sources), all_sources, assets, urls, pages, all_pages, page_assets)


def replace_posts(site: Site, replacements: dict[int, Post]) -> Site:
    """The same site with some posts swapped for new versions (keyed by id() of the old
    Post), everything else kept. Only for new versions that keep the date, URL, tags and
    authors: then the order, groups, archive, neighbours and related posts are unchanged."""

    def swap(post: Post | None) -> Post | None:
        return replacements.get(id(post), post) if post is not None else None

    def posts_of(items: tuple[Post, ...]) -> tuple[Post, ...]:
        return tuple(replacements.get(id(p), p) for p in items) if any(id(p) in replacements for p in items) else items

    def groups_of(groups: tuple[Group, ...]) -> tuple[Group, ...]:
        return tuple(Group(g.key, posts_of(g.posts)) for g in groups)

    related = {url: posts_of(posts) for url, posts in site.related.items()}
    neighbours = {url: (swap(older), swap(newer)) for url, (older, newer) in site.neighbours.items()}
    return Site(
        config=site.config,
        urls=site.urls,
        posts=posts_of(site.posts),
        tags=groups_of(site.tags),
        authors=groups_of(site.authors),
        archive=tuple(Year(y.year, groups_of(y.months)) for y in site.archive),
        assets=site.assets,
        neighbours=neighbours,
        related=related,
        pages=site.pages,
        page_assets=site.page_assets,
    )


def _check_unique_urls(posts: list[Post]) -> None:
    first_by_url: dict[str, Post] = {}
    errors = []
    for post in sorted(posts, key=lambda p: str(p.rel_path)):
        key = post.url.casefold()
        first = first_by_url.setdefault(key, post)
        if first is not post:
            errors.append(
                ContentError(
                    f"has the same permalink {post.url} as {first.rel_path}",
                    post.source,
                    hint="set a different slug: in one of them, or add {day} to build.permalink",
                )
            )
    if errors:
        raise BuildFailed(errors)


def _group(posts: list[Post], members: Callable[[Post], Iterable[Tag | Author]]) -> tuple[Group, ...]:
    """Group posts by each tag (or author) they carry; groups sorted by name, posts newest first."""
    by_key: dict[str, list[Post]] = defaultdict(list)
    first: dict[str, Tag | Author] = {}
    for post in posts:
        for member in members(post):
            key = member.url  # a tag's or author's page: one group per page
            by_key[key].append(post)
            first.setdefault(key, member)
    order = sorted(by_key, key=lambda k: (first[k].name.casefold(), k))
    return tuple(Group(first[k], tuple(by_key[k])) for k in order)


def _archive(posts: list[Post]) -> tuple[Year, ...]:
    months: dict[tuple[int, int], list[Post]] = defaultdict(list)
    for post in posts:
        months[(post.date.year, post.date.month)].append(post)
    years: dict[int, list[Group]] = defaultdict(list)
    for year, month in sorted(months, reverse=True):
        first_day = months[(year, month)][0].date.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        years[year].append(Group(first_day, tuple(months[(year, month)])))
    return tuple(Year(year, tuple(groups)) for year, groups in years.items())


def _neighbours(posts: list[Post]) -> dict[str, tuple[Post | None, Post | None]]:
    """For each post, the next older and the next newer one (posts are newest first)."""
    return {post.url: (posts[i + 1] if i + 1 < len(posts) else None, posts[i - 1] if i > 0 else None) for i, post in enumerate(posts)}


def _related(posts: list[Post], limit: int) -> dict[str, tuple[Post, ...]]:
    """Posts sharing the most tags, the nearest in time first among equals.

    Candidates come from each tag's posts nearest in time to this one (at most
    RELATED_WINDOW either side), so the cost grows with the number of posts, not its
    square, even when one tag is on every post.
    """
    if limit == 0:
        return {}
    by_tag: dict[str, list[int]] = defaultdict(list)
    for i, post in enumerate(posts):
        for tag in post.tags:
            by_tag[tag.slug].append(i)
    position = {slug: {i: n for n, i in enumerate(members)} for slug, members in by_tag.items()}
    related: dict[str, tuple[Post, ...]] = {}
    for i, post in enumerate(posts):
        shared: Counter[int] = Counter()
        for tag in post.tags:
            members, n = by_tag[tag.slug], position[tag.slug][i]
            shared.update(j for j in members[max(0, n - RELATED_WINDOW) : n + RELATED_WINDOW + 1] if j != i)
        best = sorted(shared.items(), key=lambda item: (-item[1], abs(item[0] - i), item[0]))[:limit]
        related[post.url] = tuple(posts[j] for j, _ in best)
    return related
