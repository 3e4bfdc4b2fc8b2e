"""Posts' front matter as the last build read it, so a build parses YAML only where it changed.

Reading a post's YAML header and validating it (content.py) costs about ten times more than
reading the file: at 10,000 posts, seconds on every build when one post changed. This cache
keeps, for each post (by its path under posts/), a digest of the file's text up to its body
(the front matter and its `---` lines) and what reading that front matter gave: the
validated fields, the line of each key and the notes (warnings) found on the way. A post
whose header has the same digest is rebuilt from its entry and its body as read now; the
file is read either way (the body is the Markdown, and its hash the Markdown cache's key),
so the digest checks the very bytes the entry was made from, which size and modification
time would only suggest.

One sealed MessagePack file, `.blog-cache/front-matter/posts.msgpack` (cache_files.py),
decoded by msgspec into these structs and nothing else: a damaged, foreign or forged file
(with BLOG_CACHE_KEY set) is ignored whole, and a post whose entry is missing or unusable
is read as if there were no cache. Entries hold what validation let through only; the
checks that keep paths inside the output (slug, aliases) are made again on every entry read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import msgspec

from generator.cache_files import CACHE_DIR, read_sealed, write_sealed
from generator.code_digest import generator_digest

FOLDER = "front-matter"
FILE = "posts.msgpack"
_INT_RANGE = (-(2**63), 2**64 - 1)  # what MessagePack holds as an integer


class CachedPost(msgspec.Struct, array_like=True, frozen=True):
    """What content.read_post made of one post's front matter (see content._from_cached)."""

    head: bytes  # head_digest() of the text before the body
    title: str
    date: str | None  # the front matter's `date` text; None: the date is the file name's
    updated: str | None
    slug: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    summary: str | None
    image: str | None
    draft: bool
    comments: bool
    pinned_id: str | None
    extra: dict[str, Any]
    body_line: int
    aliases: tuple[str, ...]
    notes: tuple[tuple[str, int | None], ...]  # message, line (the path is the post's)
    key_lines: dict[str, int]


class _CacheFile(msgspec.Struct, frozen=True):
    generator: str  # generator_digest() of the code that read the posts
    posts: dict[str, CachedPost]  # path under posts/ -> entry


_DECODER = msgspec.msgpack.Decoder(_CacheFile)


def head_digest(head: str) -> bytes:
    return hashlib.blake2b(head.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def plain_data(value: Any, depth: int = 0) -> bool:
    """True when MessagePack gives `value` back as it is: text, numbers, booleans, None, bytes,
    lists, and dicts with text or integer keys. A YAML set or ordered map (tuples) would come
    back as lists, and a forged entry could hold MessagePack extensions: neither is used."""
    kind = type(value)
    if kind in (str, float, bool, bytes) or value is None:
        return True
    if kind is int:
        return _INT_RANGE[0] <= value <= _INT_RANGE[1]
    if depth > 60:  # front matter deeper than content.MAX_FRONT_MATTER_DEPTH was refused
        return False
    if kind is list:
        return all(plain_data(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(key) in (str, int) and plain_data(key) and plain_data(item, depth + 1) for key, item in value.items())
    return False


class FrontMatterCache:
    """The entries of one site's posts: read once when made, written by save() if anything changed.
    Only the posts asked for (get or put) since are kept: a deleted post's entry goes."""

    def __init__(self, site_root: Path | None, *, read_only: bool = False, fresh: bool = False):
        self.path = site_root / CACHE_DIR / FOLDER / FILE if site_root is not None else None
        self.read_only = read_only
        self.old: dict[str, CachedPost] = {} if fresh or self.path is None else self._load(self.path)
        self.new: dict[str, CachedPost] = {}
        self.changed = fresh
        self.hits = 0

    @staticmethod
    def _load(path: Path) -> dict[str, CachedPost]:
        payload = read_sealed(path, FILE)
        if payload is None:
            return {}
        try:
            cached = _DECODER.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return {}
        return cached.posts if cached.generator == generator_digest() else {}

    def get(self, rel: str, head: bytes) -> CachedPost | None:
        """The entry for the post at `rel` if its front matter is still the one it was made from."""
        entry = self.old.get(rel)
        if entry is None or entry.head != head or not plain_data(entry.extra):
            return None
        return entry

    def keep(self, rel: str, entry: CachedPost) -> None:
        """`entry` (from get) was used: keep it."""
        self.new[rel] = entry
        self.hits += 1

    def put(self, rel: str, entry: CachedPost) -> None:
        """A post read from its YAML; entries that would not come back as they are are not stored."""
        if not plain_data(entry.extra):
            self.changed = self.changed or rel in self.old
            return
        self.new[rel] = entry
        self.changed = self.changed or self.old.get(rel) != entry

    def save(self) -> bool:
        """Write the entries kept and put since the cache was read, if they differ from what was
        read; False when there is nothing to write or it cannot be written (that costs only time)."""
        if self.path is None or self.read_only:
            return False
        if not self.changed and self.new.keys() == self.old.keys():
            return False
        payload = msgspec.msgpack.encode(_CacheFile(generator_digest(), dict(sorted(self.new.items()))))
        return write_sealed(self.path, FILE, payload)
