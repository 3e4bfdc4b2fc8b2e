"""Each post's finished body kept between builds, so that a build in which one post of 10,000
changed neither reads nor resolves the other bodies, and no build holds every body in memory.

What the site stage makes of a rendered body (links resolved, pictures made responsive, the
summary, the warnings found in it) depends on the body's Markdown, where the post's file is,
and where every post, page and file of the site ends up. A *post key* digests all of that
(with the code and site.toml); under it, `.blog-cache/posts/facts.msgpack` (one sealed file)
holds everything the site stage needs of the body but its HTML: summary, contents, word count,
`<!--more-->`, warnings, and the digest of the HTML. The HTML itself is a file named by its
digest (`.blog-cache/posts/bodies/ab/abcd….html`), read only when a page or a feed shows the
post: a file whose bytes do not hash to its name is as good as missing, and the body is made
again from its source (see post.PostBody). Like every cache file, nothing here is trusted:
the facts are sealed and decoded by msgspec into exact types (cache_files.py).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import msgspec

from generator.atomic import atomic_write
from generator.cache_files import read_sealed, write_sealed
from generator.code_digest import generator_digest
from generator.config import Config
from generator.content import SourcePost
from generator.links import LinkIndex
from generator.post import BodyFacts, PostBody, body_digest, is_imported

FACTS_FILE = "facts.msgpack"
BODIES_FOLDER = "bodies"
_READ_BACK_KEPT = 512  # bodies kept in each process once read: a post shows in several feeds
_DIGEST = re.compile(r"[0-9a-f]{40}")  # a digest read from the facts names a file: nothing else


class _FactsFile(msgspec.Struct):
    context: str  # the site digest the keys were made under (see site_digest)
    facts: dict[str, BodyFacts]


_FACTS = msgspec.msgpack.Decoder(_FactsFile)


def site_digest(config: Config, index: LinkIndex) -> str:
    """Everything besides a post's own Markdown and file that its finished body depends on:
    the code, site.toml, every post's, page's and file's URL, and each picture's size and
    time (responsive pictures carry their width and height)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(generator_digest().encode())
    digest.update(config.model_dump_json().encode())
    digest.update(f"\0{config.root}\0{index.urls.base_url}\0".encode())
    for mapping in (index.posts, index.pages):
        digest.update(repr(sorted(mapping.items())).encode("utf-8", "surrogatepass"))
    for names in (index.unpublished, index.unpublished_pages):
        digest.update(repr(sorted(names)).encode("utf-8", "surrogatepass"))
    for folder, assets in ((config.posts_dir, index.assets), (config.root / "pages", index.page_assets)):
        for name in sorted(assets):
            try:
                stat = os.stat(folder / name)
                signature = f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
            except OSError:
                signature = f"{name}\0-\n"
            digest.update(signature.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def post_key(context: str, markdown_key: str, source: SourcePost) -> str:
    """The key of one post's finished body: the site digest, its Markdown's cache key (the
    body and the renderer), and what of its source the site stage reads besides front-matter
    fields it looks at again every build."""
    identity = f"{context}\0{markdown_key}\0{source.source}\0{source.rel_path}\0{source.body_line}\0{is_imported(source)}"
    return hashlib.blake2b(identity.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class PostStore:
    """The facts of the last build and the bodies' files; `writable` False for `blog check`."""

    def __init__(self, directory: Path, context: str, *, writable: bool, fresh: bool = False):
        self.directory = directory
        self._bodies = str(directory / BODIES_FOLDER)
        self.context = context
        self.writable = writable
        self.previous: dict[str, BodyFacts] = {} if fresh else self._read_facts()
        self.current: dict[str, BodyFacts] = {}
        self._kept: dict[str, bytes] = {}

    def _read_facts(self) -> dict[str, BodyFacts]:
        payload = read_sealed(self.directory / FACTS_FILE, FACTS_FILE)
        if payload is None:
            return {}
        try:
            stored = _FACTS.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return {}
        return stored.facts if stored.context == self.context else {}

    def known(self, key: str) -> BodyFacts | None:
        """The facts of a body the last build finished under this key, if its file is still there."""
        facts = self.previous.get(key)
        if facts is None or not _DIGEST.fullmatch(facts.digest) or not os.path.isfile(self._body_file(facts.digest)):
            return None
        self.current[key] = facts
        return facts

    def keep(self, key: str, html_utf8: bytes, facts: BodyFacts) -> bool:
        """Store a finished body; False when it cannot be (then the caller holds it)."""
        if not self.writable:
            return False
        path = self._body_path(facts.digest)
        try:
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, html_utf8)
        except OSError:
            return False
        self.current[key] = facts
        return True

    def body(self, digest: str, remake: Callable[[], bytes]) -> PostBody:
        """A PostBody read from this store when asked for (by `remake` if the file is gone or damaged)."""
        return PostBody(digest, read=functools.partial(self.read, digest, remake))

    def read(self, digest: str, remake: Callable[[], bytes]) -> bytes:
        """The body named `digest`; made again by `remake` (and stored) when its file is missing
        or damaged. Bodies read recently are kept: feeds ask for the newest posts many times."""
        kept = self._kept.get(digest)
        if kept is not None:
            return kept
        try:
            with open(self._body_file(digest), "rb") as handle:
                data = handle.read()
        except OSError:
            data = None
        if data is None or body_digest(data) != digest:
            data = remake()
            if self.writable and body_digest(data) == digest:
                try:
                    atomic_write(self._body_path(digest), data)
                except OSError:
                    pass
        if len(self._kept) >= _READ_BACK_KEPT:
            self._kept.pop(next(iter(self._kept)))
        self._kept[digest] = data
        return data

    def save(self) -> None:
        """Write the facts of this build's bodies and remove the files no post uses any more."""
        if not self.writable:
            return
        encoded = msgspec.msgpack.encode(_FactsFile(self.context, self.current))
        if not write_sealed(self.directory / FACTS_FILE, FACTS_FILE, encoded):
            return
        self._remove_unused({facts.digest for facts in self.current.values()})

    def _remove_unused(self, used: Iterable[str]) -> None:
        wanted = {f"{digest}.html" for digest in used}
        try:
            folders = list(os.scandir(self.directory / BODIES_FOLDER))
        except OSError:
            return
        for folder in folders:
            try:
                entries = list(os.scandir(folder.path))
            except OSError:
                continue
            for entry in entries:
                if entry.name not in wanted:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass

    def _body_path(self, digest: str) -> Path:
        return Path(self._body_file(digest))

    def _body_file(self, digest: str) -> str:
        # A string, not a Path: asked once a post on every build (pathlib costs 10 times as much).
        return f"{self._bodies}/{digest[:2]}/{digest}.html"
