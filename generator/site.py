"""Stage: list[SourcePost] + their Rendered bodies + Config -> Site.

Everything the templates and feeds need, computed once: posts newest first with
their URLs, tags, authors, the archive by year and month, neighbours and related
posts. No I/O and no rendering happens here.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from slugify import slugify

from generator.config import Config
from generator.content import Asset, SourcePost
from generator.errors import BuildFailed, BuildWarning, ContentError
from generator.images import responsive_html
from generator.links import LinkIndex, line_in_body, resolve_links
from generator.markdown import Heading, Rendered
from generator.urls import Urls, author_path, output_path, permalink, safe_segment, tag_path


RELATED_WINDOW = 25


@dataclass(frozen=True)
class Author:
    key: str  # the [authors.*] key, or a slug of a plain name
    name: str
    url: str  # site path of the author's page
    website: str | None = None
    email: str | None = None
    bio: str | None = None
    avatar: str | None = None


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Post:
    source: Path
    rel_path: PurePosixPath
    title: str
    date: datetime
    updated: datetime | None
    slug: str
    url: str  # site path, "/2026/11/hello/"
    id: str  # stable: feed entry ids and comment threads
    tags: tuple[Tag, ...]
    authors: tuple[Author, ...]
    summary: str | None  # plain text from the front matter, for meta tags and social cards
    summary_html: str  # the part before <!--more-->, or the first paragraph
    content_utf8: bytes  # the whole body as HTML, UTF-8 (a third of a str's size for most posts); see `content`
    has_more: bool
    toc: tuple[Heading, ...]
    word_count: int
    reading_time: int  # minutes
    image: str | None  # site path or absolute URL
    draft: bool
    comments: bool
    extra: dict[str, Any] = field(compare=False, hash=False)
    aliases: tuple[str, ...] = ()  # old site paths that redirect here

    @property
    def content(self) -> str:
        """The whole body as HTML."""
        return self.content_utf8.decode("utf-8")

    @property
    def output_path(self) -> PurePosixPath:
        return output_path(self.url)

    @property
    def author(self) -> Author | None:
        return self.authors[0] if self.authors else None


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

    @cached_property
    def updated(self) -> datetime | None:
        """The newest post's date or update: the feeds' updated time, stable across rebuilds.
        Cached: every page's footer asks, and the answer is a pass over every post."""
        return max((p.updated or p.date for p in self.posts), default=None)


def select_posts(posts: tuple[SourcePost, ...], *, drafts: bool, future: bool, now: datetime) -> list[SourcePost]:
    """Drafts only with --drafts, future-dated posts only with --future."""
    return [p for p in posts if (drafts or not p.draft) and (future or p.date <= now)]


def assemble_site(
    config: Config,
    sources: list[SourcePost],
    rendered: Iterable[Rendered],  # in the order of `sources`; may be consumed once
    all_sources: tuple[SourcePost, ...],
    assets: tuple[Asset, ...],
    urls: Urls,
) -> tuple[Site, list[BuildWarning], LinkIndex]:
    """Build the Site; `all_sources` (drafts too) lets links to unpublished posts be told apart.
    The LinkIndex is returned too: live.py resolves an edited post's links with it."""
    authors = author_table(config)
    site_paths = {id(source): permalink(config.build.permalink, source.date, source.slug) for source in sources}
    index = LinkIndex.build(sources, site_paths, all_sources, assets, urls)
    warnings: list[BuildWarning] = []
    posts = []
    for source, body in zip(sources, rendered):
        content, summary_html, post_warnings = post_html(config, source, body, index)
        warnings.extend(post_warnings)
        posts.append(make_post(config, urls, source, body, content, summary_html, site_paths[id(source)], authors, index))
    posts.sort(key=lambda p: (p.date, p.url), reverse=True)
    _check_unique_urls(posts)
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
        ),
        warnings,
        index,
    )


def post_html(config: Config, source: SourcePost, body: Rendered, index: LinkIndex) -> tuple[bytes, str, list[BuildWarning]]:
    """A post's final HTML (links resolved, pictures responsive), its summary, and its warnings."""
    content, summary_html, warnings = resolve_links(body, source, index)
    content = responsive_html(content, config.posts_dir, index.assets, index.urls.base_path)
    return content, summary_html, warnings + content_warnings(source, body, index)


# Longer descriptions are cut by social cards (Twitter/X, Mastodon, Slack) and search results.
SOCIAL_CARD_SUMMARY = 200

# An <img> written as raw HTML without an alt attribute (alt="" marks a decorative image: fine).
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)[^>]*>", re.IGNORECASE)


def content_warnings(source: SourcePost, body: Rendered, index: LinkIndex) -> list[BuildWarning]:
    """What a reader or a feed reader would miss, besides broken links (links.py): a
    front-matter image that is not there, images without alt text, a summary too long for
    social cards or none at all, no tags.
    Errors under --strict, so CI can hold posts to them."""
    found = []
    if source.image and index.image_url(source) is None:
        found.append(BuildWarning(f"image: {source.image!r} is neither a file beside the posts nor an http(s) URL", source.source))
    for reference in body.references:
        if reference.is_image and not reference.alt.strip():
            found.append(BuildWarning(
                f"image without alt text: {reference.url} (write ![what it shows]({reference.url}))",
                source.source,
                source.body_line + reference.line - 1,
            ))
    for tag in _IMG_WITHOUT_ALT.findall(body.html) if b"<img" in body.html_utf8 else ():
        found.append(BuildWarning(f"image without alt text: {tag[:80]} (add alt=\"...\")", source.source, line_in_body(source, tag)))
    if source.summary and len(source.summary) > SOCIAL_CARD_SUMMARY:
        found.append(BuildWarning(
            f"summary: {len(source.summary)} characters; social cards and search results cut it after about {SOCIAL_CARD_SUMMARY}",
            source.source,
        ))
    if not source.tags:
        found.append(BuildWarning("no tags: the post is on no tag page and in no tag feed; add tags: [...]", source.source))
    if not source.summary and not body.has_more:
        found.append(BuildWarning(
            "no summary: lists, feeds and social cards show the first paragraph; add summary: to the front matter "
            "or a <!--more--> line after the introduction",
            source.source,
        ))
    return found


def replace_posts(site: Site, replacements: dict[int, Post]) -> Site:
    """The same site with some posts swapped for new versions (keyed by id() of the old
    Post), everything else kept. Only for new versions that keep the date, URL, tags and
    authors: then the order, groups, archive, neighbours and related posts are unchanged."""
    swap = lambda post: replacements.get(id(post), post) if post is not None else None  # noqa: E731

    def posts_of(items: tuple[Post, ...]) -> tuple[Post, ...]:
        return tuple(swap(p) for p in items) if any(id(p) in replacements for p in items) else items

    def groups_of(groups: tuple[Group, ...]) -> tuple[Group, ...]:
        return tuple(Group(g.key, posts_of(g.posts)) for g in groups)

    related = {
        url: posts_of(posts) for url, posts in site.related.items()
    }
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
    )


def make_post(config, urls, source, body, content, summary_html, url, authors, index) -> Post:
    return Post(
        source=source.source,
        rel_path=source.rel_path,
        title=source.title,
        date=source.date,
        updated=source.updated,
        slug=source.slug,
        url=url,
        id=source.pinned_id or stable_id(urls.host, source.date, source.slug),
        tags=tuple(Tag(name, tag_slug(name), tag_path(tag_slug(name))) for name in source.tags),
        authors=tuple(_author(name, authors) for name in source.authors),
        summary=source.summary,
        summary_html=summary_html,
        content_utf8=content,
        has_more=body.has_more,
        toc=body.toc,
        word_count=body.word_count,
        reading_time=max(1, math.ceil(body.word_count / config.build.words_per_minute)),
        image=index.image_url(source) if source.image else None,
        draft=source.draft,
        comments=source.comments,
        extra=source.extra,
        aliases=source.aliases,
    )


def stable_id(host: str, date: datetime, slug: str) -> str:
    """A tag: URI (RFC 4151) from the domain, the post's date and slug: unchanged by edits and rebuilds."""
    return f"tag:{host},{date:%Y-%m-%d}:{slug}"


@lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """URL-safe, ASCII slug of a tag; tags made only of punctuation still get a working URL.
    Tags that differ only in case share a page; "C++" and "C#" do not, although both slugify
    to "c": a tag with punctuation or symbols the slug drops gets a short digest of its name."""
    slug = slugify(name, max_length=100)
    if not slug:
        slug = "tag-" + "-".join(f"{ord(ch):x}" for ch in name.strip())[:60]
    elif any(unicodedata.category(ch)[0] in "PS" and ch not in "-_.'" for ch in name):
        slug += "-" + hashlib.blake2b(name.strip().casefold().encode("utf-8"), digest_size=3).hexdigest()
    return safe_segment(slug, "tag")


def author_table(config: Config) -> dict[str, Author]:
    return {
        key.casefold(): Author(
            key=key,
            name=entry.name,
            url=author_path(key),
            website=entry.url,
            email=entry.email,
            bio=entry.bio,
            avatar=entry.avatar,
        )
        for key, entry in config.authors.items()
    }


def _author(name: str, table: dict[str, Author]) -> Author:
    known = table.get(name.casefold())
    if known is not None:
        return known
    key = safe_segment(slugify(name, max_length=100) or "author-" + "-".join(f"{ord(ch):x}" for ch in name)[:40], "author")
    return Author(key=key, name=name, url=author_path(key))


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


def _group(posts: list[Post], members) -> tuple[Group, ...]:
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
    for (year, month) in sorted(months, reverse=True):
        first_day = months[(year, month)][0].date.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        years[year].append(Group(first_day, tuple(months[(year, month)])))
    return tuple(Year(year, tuple(groups)) for year, groups in years.items())


def _neighbours(posts: list[Post]) -> dict[str, tuple[Post | None, Post | None]]:
    """For each post, the next older and the next newer one (posts are newest first)."""
    return {
        post.url: (posts[i + 1] if i + 1 < len(posts) else None, posts[i - 1] if i > 0 else None)
        for i, post in enumerate(posts)
    }


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
