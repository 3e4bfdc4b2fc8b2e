"""Stage: one SourcePost + its Rendered body -> Post, with the post's warnings.

The one path from a post's source to the Post that templates and feeds see, taken by the
full build (site.py, for every post) and by quick rebuilds (live.py, for an edited one):
links to other posts and files resolved (links.py), pictures made responsive (images.py,
which reads each picture's header for its size), tags and authors looked up, the stable id,
and the comments kept from the previous blog threaded for the theme (`post.old_comments`).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec
from slugify import slugify

from generator.config import Config
from generator.content import SourcePost, read_post
from generator.errors import BuildWarning
from generator.images import responsive_html
from generator.links import LinkIndex, line_in_body, resolve_links
from generator.markdown import Heading, MarkdownSettings, Rendered, render_markdown
from generator.old_comments import CommentsFile, OldComment
from generator.pages import SourcePage, pages_dir
from generator.urls import Urls, author_path, output_path, safe_segment, tag_path


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
class KeptComment:
    """A comment from the previous blog as the theme shows it, with its replies (oldest first)."""

    id: str
    anchor: str  # its HTML id, "comment-12": old links to /post/#comment-12 still land on it
    author: str
    url: str | None  # the author's website (http or https)
    date: datetime  # in the site's time zone
    html: str  # cleaned by old_comments.load: an allowlist of tags, no scripts or pictures
    type: str  # "comment", "pingback" or "trackback"
    replies: tuple[KeptComment, ...] = ()

    @property
    def is_ping(self) -> bool:
        """A pingback or trackback: another blog linking here, shown on one line."""
        return self.type != "comment"


@dataclass(frozen=True)
class KeptComments:
    """A post's comments from the previous blog: threads oldest first, read-only."""

    platform: str  # where they were written: "WordPress", or "the previous blog"
    count: int  # every comment, replies and pingbacks included (as WordPress counts them)
    threads: tuple[KeptComment, ...]


# WordPress allows at most 10 levels; deeper replies (a hand-edited or hostile file) are shown
# under their ancestor at this depth, so no page nests without end.
MAX_REPLY_DEPTH = 10
_ANCHOR_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
GENERIC_PLATFORM = "the previous blog"


@dataclass(frozen=True)
class PostBody:
    """A post's finished HTML (UTF-8): held here, or read when a page or feed asks for it
    (post_cache.py keeps finished bodies on disk, so a big site never holds them all).
    Compared and shown by its digest alone: page fingerprints hash `repr(post)`."""

    digest: str  # post_cache.body_digest of the HTML
    held: bytes | None = field(default=None, compare=False, repr=False)
    read: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def html_utf8(self) -> bytes:
        if self.held is not None:
            return self.held
        assert self.read is not None, "a PostBody holds its HTML or knows where to read it"
        return self.read()


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
    body: PostBody  # the whole body as HTML; see `content` and `content_utf8`
    has_more: bool
    toc: tuple[Heading, ...]
    word_count: int
    reading_time: int  # minutes
    image: str | None  # site path or absolute URL
    draft: bool
    comments: bool
    extra: dict[str, Any] = field(compare=False, hash=False)
    aliases: tuple[str, ...] = ()  # old site paths that redirect here
    old_comments: KeptComments | None = None  # kept from the previous blog (X.comments.json)

    @property
    def content(self) -> str:
        """The whole body as HTML."""
        return self.body.html_utf8().decode("utf-8")

    @property
    def content_utf8(self) -> bytes:
        """The whole body as HTML, UTF-8 (a third of a str's size for most posts)."""
        return self.body.html_utf8()

    @property
    def output_path(self) -> PurePosixPath:
        return output_path(self.url)

    @property
    def author(self) -> Author | None:
        return self.authors[0] if self.authors else None


@dataclass(frozen=True)
class Page:
    """A standalone page (About, Careers): in the sitemap and, with `menu`, in the header menu;
    never in feeds, lists, tags, authors or the archive."""

    source: Path
    rel_path: PurePosixPath  # relative to pages/
    title: str
    url: str  # site path, "/about/"
    menu: str | None  # its label in the header menu, or None
    menu_weight: int
    summary: str | None
    content_utf8: bytes
    toc: tuple[Heading, ...]
    word_count: int
    draft: bool
    template: str
    extra: dict[str, Any] = field(compare=False, hash=False)
    aliases: tuple[str, ...] = ()
    template_line: int = 1  # the line of `template:` in the source

    @property
    def content(self) -> str:
        return self.content_utf8.decode("utf-8")

    @property
    def output_path(self) -> PurePosixPath:
        return output_path(self.url)


@dataclass(frozen=True)
class MenuEntry:
    """A page's entry in the header menu (`site.menu_pages`), by weight then title."""

    name: str
    url: str
    weight: int


def make_page(config: Config, source: SourcePage, body: Rendered, index: LinkIndex) -> tuple[Page, list[BuildWarning]]:
    """The Page for `source` rendered as `body`: links resolved as in posts, pictures made
    responsive; and its warnings (broken links, pictures without alt text)."""
    content, _summary, warnings = resolve_links(body, source, index)
    content = responsive_html(content, pages_dir(config), index.page_assets, index.urls.base_path)
    page = Page(
        source=source.source,
        rel_path=source.rel_path,
        title=source.title,
        url=source.url,
        menu=source.menu,
        menu_weight=source.menu_weight,
        summary=source.summary,
        content_utf8=content,
        toc=body.toc,
        word_count=body.word_count,
        draft=source.draft,
        template=source.template,
        extra=source.extra,
        aliases=source.aliases,
        template_line=source.template_line,
    )
    return page, warnings + ([] if is_imported(source) else alt_text_warnings(source, body))


class BodyFacts(msgspec.Struct, frozen=True, array_like=True):
    """What a Post takes from its finished body besides the HTML (named by `digest`); also
    the form post_cache.py keeps between builds. Warnings are (message, line in the file)."""

    digest: str  # body_digest of the finished HTML
    summary_html: str
    has_more: bool
    toc: tuple[Heading, ...]
    word_count: int
    link_warnings: tuple[tuple[str, int | None], ...]  # links and pictures that lead nowhere
    alt_warnings: tuple[tuple[str, int | None], ...]  # pictures without alt text


def body_digest(html_utf8: bytes) -> str:
    return hashlib.blake2b(html_utf8, digest_size=20).hexdigest()


def finish_body(config: Config, source: SourcePost, body: Rendered, index: LinkIndex) -> tuple[bytes, BodyFacts]:
    """The rendered body with its links resolved and its pictures made responsive, and its facts."""
    content, summary_html, link_warnings = resolve_links(body, source, index)
    content = responsive_html(content, config.posts_dir, index.assets, index.urls.base_path)
    alt_warnings = [] if is_imported(source) else alt_text_warnings(source, body)
    facts = BodyFacts(
        digest=body_digest(content),
        summary_html=summary_html,
        has_more=body.has_more,
        toc=body.toc,
        word_count=body.word_count,
        link_warnings=tuple((w.message, w.line) for w in link_warnings),
        alt_warnings=tuple((w.message, w.line) for w in alt_warnings),
    )
    return content, facts


def make_post(
    config: Config, urls: Urls, source: SourcePost, body: Rendered, url: str, authors: dict[str, Author], index: LinkIndex
) -> tuple[Post, list[BuildWarning]]:
    """The Post at site path `url` for `source` rendered as `body`, and what a reader would miss
    in it (broken links, pictures without alt text...: warnings, errors under --strict).
    `authors` is author_table(config); `index` knows every post's and file's URL."""
    content, facts = finish_body(config, source, body, index)
    return post_with_body(config, urls, source, url, authors, index, PostBody(facts.digest, held=content), facts)


def remake(config: Config, source: SourcePost, index: LinkIndex) -> Callable[[], bytes]:
    """How to make a post's finished body again from its file, for a kept copy that is gone or
    damaged when a page asks for it (post_cache.py). Holds the file's path, not its text."""
    path, rel_path = source.source, source.rel_path

    def again() -> bytes:
        fresh = read_post(path, rel_path, config.zone)
        content, _facts = finish_body(config, fresh, render_markdown(fresh.body, MarkdownSettings()), index)
        return content

    return again


def post_with_body(
    config: Config,
    urls: Urls,
    source: SourcePost,
    url: str,
    authors: dict[str, Author],
    index: LinkIndex,
    body: PostBody,
    facts: BodyFacts,
) -> tuple[Post, list[BuildWarning]]:
    """The Post for `source` with a finished body (made now, or kept by post_cache.py), and its warnings."""
    post = Post(
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
        summary_html=facts.summary_html,
        body=body,
        has_more=facts.has_more,
        toc=facts.toc,
        word_count=facts.word_count,
        reading_time=max(1, math.ceil(facts.word_count / config.build.words_per_minute)),
        image=index.image_url(source) if source.image else None,
        draft=source.draft,
        comments=source.comments,
        extra=source.extra,
        aliases=source.aliases,
        old_comments=kept_comments(source.old_comments, config.zone) if source.old_comments else None,
    )
    link_warnings = [BuildWarning(message, source.source, line) for message, line in facts.link_warnings]
    return post, link_warnings + content_warnings(source, facts, index) + author_warnings(source, authors)


def kept_comments(data: CommentsFile, zone: tzinfo) -> KeptComments | None:
    """The comments file's comments as threads for the theme; None when it holds none."""
    if not data.comments:
        return None
    platform = data.from_.strip() or GENERIC_PLATFORM
    return KeptComments(platform, len(data.comments), comment_threads(data.comments, zone))


def comment_threads(comments: list[OldComment], zone: tzinfo) -> tuple[KeptComment, ...]:
    """Replies under the comment they answer, every level oldest first. A reply whose parent
    is not in the file (deleted, spam) is shown at the top level, and so is one of a loop of
    parents (a hand edit); replies deeper than MAX_REPLY_DEPTH go under their ancestor at
    that depth. No recursion: a file nesting 100,000 levels builds as fast as a flat one."""
    ordered = sorted(comments, key=lambda c: (c.date, c.id))
    first_with_id: dict[str, int] = {}
    for n, comment in enumerate(ordered):
        first_with_id.setdefault(comment.id, n)
    parent = [first_with_id.get(c.parent) if c.parent is not None else None for c in ordered]
    depth = _depths(parent)
    shown_parent = _capped_parents(parent, depth)
    replies: list[list[int]] = [[] for _ in ordered]
    for n, above in enumerate(shown_parent):
        if above is not None:
            replies[above].append(n)  # in date order, as `ordered` is
    anchors = _anchors(ordered)
    built: dict[int, KeptComment] = {}
    for n in sorted(range(len(ordered)), key=lambda n: -depth[n]):  # replies before the comments they are shown under
        comment = ordered[n]
        built[n] = KeptComment(
            id=comment.id,
            anchor=anchors[n],
            author=comment.author,
            url=comment.url,
            date=comment.date.astimezone(zone),
            html=comment.html,
            type=comment.type,
            replies=tuple(built[r] for r in replies[n]),
        )
    return tuple(built[n] for n in range(len(ordered)) if shown_parent[n] is None)


def _depths(parent: list[int | None]) -> list[int]:
    """Each comment's depth (0: top level). A loop of parents is cut where the walk meets it:
    that comment is made top level (`parent` is changed in place)."""
    depth: list[int | None] = [None] * len(parent)
    on_path = [False] * len(parent)
    for start in range(len(parent)):
        path: list[int] = []
        current: int | None = start
        while current is not None and depth[current] is None and not on_path[current]:
            on_path[current] = True
            path.append(current)
            nxt = parent[current]
            if nxt is not None and on_path[nxt]:
                parent[current] = nxt = None  # a loop: this one starts the thread
            current = nxt
        level = -1 if current is None else depth[current]
        assert level is not None  # the walk stops at a top-level comment or one whose depth is known
        for n in reversed(path):
            level += 1
            depth[n] = level
            on_path[n] = False
    return [d if d is not None else 0 for d in depth]


def _capped_parents(parent: list[int | None], depth: list[int]) -> list[int | None]:
    """The comment each one is shown under: its parent, or, below MAX_REPLY_DEPTH, its
    ancestor at that depth."""
    shown = list(parent)
    for n in sorted(range(len(parent)), key=lambda n: depth[n]):  # ancestors first
        above = parent[n]
        if above is not None and depth[n] > MAX_REPLY_DEPTH:
            shown[n] = shown[above] if depth[above] > MAX_REPLY_DEPTH else above
    return shown


def _anchors(ordered: list[OldComment]) -> list[str]:
    """`comment-<id>` as WordPress names them, when the id is a plain word and not taken;
    else `comment-<position>`, so every HTML id on the page is valid and unique."""
    anchors: list[str] = []
    taken: set[str] = set()
    for n, comment in enumerate(ordered, start=1):
        anchor = f"comment-{comment.id}" if _ANCHOR_ID.fullmatch(comment.id) else f"comment-n{n}"
        while anchor in taken:
            anchor = f"comment-n{n}-{len(taken)}"
        taken.add(anchor)
        anchors.append(anchor)
    return anchors


# Longer descriptions are cut by social cards (Twitter/X, Mastodon, Slack) and search results.
SOCIAL_CARD_SUMMARY = 200

# An <img> written as raw HTML without an alt attribute (alt="" marks a decorative image: fine).
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)[^>]*>", re.IGNORECASE)


def content_warnings(source: SourcePost, facts: BodyFacts, index: LinkIndex) -> list[BuildWarning]:
    """What a reader or a feed reader would miss, besides broken links (links.py): a
    front-matter image that is not there, images without alt text, a summary too long for
    social cards or none at all, no tags.
    Errors under --strict, so CI can hold posts to them."""
    found = list(source.notes)  # found while reading it: a tags string with commas, a slug made URL-safe
    if source.image and index.image_url(source) is None:
        found.append(BuildWarning(f"image: {source.image!r} is neither a file beside the posts nor an http(s) URL", source.source))
    if is_imported(source):
        return found
    found += [BuildWarning(message, source.source, line) for message, line in facts.alt_warnings]
    if source.summary and len(source.summary) > SOCIAL_CARD_SUMMARY:
        found.append(
            BuildWarning(
                f"summary: {len(source.summary)} characters; social cards and search results cut it after about {SOCIAL_CARD_SUMMARY}",
                source.source,
            )
        )
    if not source.tags:
        found.append(BuildWarning("no tags: the post is on no tag page and in no tag feed; add tags: [...]", source.source))
    if not source.summary and not facts.has_more:
        found.append(
            BuildWarning(
                "no summary: lists, feeds and social cards show the first paragraph; add summary: to the front matter "
                "or a <!--more--> line after the introduction",
                source.source,
            )
        )
    return found


def is_imported(source: SourcePost | SourcePage) -> bool:
    """A post or page `blog import` brought from the old blog (front matter `imported_from`).
    It is held to what keeps the site correct (links, images, dates), not to the checks for new
    writing (tags, summary, alt text): years of old posts must not keep a new blog's
    `blog check --strict` red. The import report counts what they lack instead; deleting the
    `imported_from` line holds a post to every check again."""
    return "imported_from" in source.extra


def alt_text_warnings(source: SourcePost | SourcePage, body: Rendered) -> list[BuildWarning]:
    """Pictures without alt text, in Markdown (`![](x.png)`) or raw HTML (`<img>` without alt)."""
    found = [
        BuildWarning(
            f"image without alt text: {reference.url} (write ![what it shows]({reference.url}))",
            source.source,
            source.body_line + reference.line - 1,
        )
        for reference in body.references
        if reference.is_image and not reference.alt.strip()
    ]
    for tag in _IMG_WITHOUT_ALT.findall(body.html) if b"<img" in body.html_utf8 else ():
        found.append(BuildWarning(f'image without alt text: {tag[:80]} (add alt="...")', source.source, line_in_body(source, tag)))
    return found


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
    """Each [authors.*] entry by its key and by its name, case-folded: a post may name
    `dana` or `Dana Whitfield`, and both are the one author page (a key wins over a name)."""
    table = {
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
    for author in list(table.values()):
        table.setdefault(author.name.strip().casefold(), author)
    return table


def author_warnings(source: SourcePost, table: dict[str, Author]) -> list[BuildWarning]:
    """With [authors] in site.toml, a name that is neither a key nor a name there is most likely
    a typo (`danaa`): a warning (an error under --strict) suggesting the nearest key."""
    if not table:
        return []
    keys = sorted({author.key for author in table.values()}, key=str.casefold)
    line = source.key_lines.get("authors") or source.key_lines.get("author")
    found = []
    for name in source.authors:
        if name.casefold() in table:
            continue
        suggestion = nearest_key(name, keys)
        if suggestion:
            found.append(BuildWarning(f"unknown author {name!r} (did you mean {suggestion}?)", source.source, line))
        else:
            known = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
            found.append(
                BuildWarning(f"unknown author {name!r}: neither a key nor a name in [authors] of site.toml ({known})", source.source, line)
            )
    return found


def nearest_key(name: str, keys: list[str]) -> str | None:
    """The key most like `name` (case aside), for "did you mean ...?"; None when none is close."""
    close = difflib.get_close_matches(name.casefold(), [key.casefold() for key in keys], n=1)
    return next(key for key in keys if key.casefold() == close[0]) if close else None


def _author(name: str, table: dict[str, Author]) -> Author:
    known = table.get(name.casefold())
    if known is not None:
        return known
    key = safe_segment(slugify(name, max_length=100) or "author-" + "-".join(f"{ord(ch):x}" for ch in name)[:40], "author")
    return Author(key=key, name=name, url=author_path(key))
