"""The data every reader hands over: an export as plain values, before anything is written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from generator.errors import SiteError
from generator.old_comments import OldComment

Kind = Literal["post", "page"]
# published: public now; draft: not published (drafts, pending review, private, password);
# scheduled: published once its (future) date comes.
Status = Literal["published", "draft", "scheduled"]


class ExportError(SiteError):
    """An export that cannot be read (malformed, truncated, the wrong format, hostile): the
    message names the item where there is one; nothing is written."""


@dataclass
class Entry:
    """One post or page of the old blog."""

    kind: Kind
    where: str  # names the item in messages and the report: "item 12 (post 345 'Hello')"
    title: str
    html: str  # the body as clean HTML (a reader has already undone its platform's dialect)
    date: datetime | None  # aware; None for an undated draft (the import's time is used)
    status: Status = "published"
    # Why a post that was public-looking is imported as a draft ("private", "password-protected"):
    # the report lists these, since a reader of the old blog may have seen them.
    draft_reason: str | None = None
    updated: datetime | None = None
    slug: str | None = None  # decoded (no percent-encoding); None: from the title
    summary: str | None = None  # plain text
    image: str | None = None  # featured image: an absolute URL (or a path on the old site)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # keys of Export.authors
    old_urls: list[str] = field(default_factory=list)  # absolute URLs or root-relative paths
    feed_id: str | None = None  # the id the old feed gave it (guid, Atom id)
    comments: list[OldComment] = field(default_factory=list)  # approved only, any order
    parents: tuple[str, ...] = ()  # pages: the slugs of the pages above it, top first
    # What the reader noticed that a person should look at (an unknown shortcode, a gallery
    # whose pictures are not in the export): listed in the report under this entry.
    attention: list[str] = field(default_factory=list)


@dataclass
class Author:
    key: str  # a login or slug, used as [authors.<key>]
    name: str
    url: str | None = None  # http(s) only; e-mail addresses are never copied


@dataclass
class Export:
    """What a reader found in one export file (or folder)."""

    source: Path
    platform: str  # "WordPress", "Blogger", "Ghost", "Medium", "feed": for the report
    site_url: str | None  # the old blog's address, "https://old.example.com" (no trailing slash)
    entries: list[Entry] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    # What was left out on purpose, counted: ("attachment", "attachments are pictures, not posts").
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    attention: list[str] = field(default_factory=list)  # about the export as a whole
    # Hosts whose pictures are the old blog's own (copied or fetched, else listed), besides
    # site_url's: "blogger.googleusercontent.com", "cdn-images-1.medium.com".
    upload_hosts: frozenset[str] = frozenset()

    def skip(self, what: str, reason: str, count: int = 1) -> None:
        self.skipped[(what, reason)] += count
