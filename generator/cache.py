"""Stage: post bodies -> Rendered, through an on-disk cache and worker processes.

Rendering Markdown and highlighting code is the expensive step of a build, so it is
the one step that is cached: an entry is keyed by the hash of the body *and* of
everything the renderer reads (its settings, and the digest of the generator's code and
libraries). Any change to those gives new keys, so a stale entry is never used. Entries
are MessagePack, sealed and checked on read (cache_files.py): a damaged or forged entry
is rendered again and counted as rendered. Misses are rendered in worker processes when there are enough of
them to pay for starting the workers; results keep the input order, so parallel
and single-process builds are identical.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from generator.cache_files import CACHE_DIR as CACHE_DIR  # where it has always been imported from
from generator.cache_files import read_sealed, write_sealed
from generator.code_digest import generator_digest

if TYPE_CHECKING:
    from generator.markdown import MarkdownSettings, Rendered

# The Markdown renderer (markdown-it, Pygments) is imported when a body is rendered or read
# back, not with this module: an up-to-date build reads only the build record.

PARALLEL_THRESHOLD = 64  # below this many misses, starting workers costs more than it saves


@dataclass(frozen=True)
class RenderStats:
    hits: int
    misses: int
    workers: int


class MarkdownCache:
    """Rendered bodies stored as one sealed MessagePack file each under `<site>/.blog-cache/markdown/`."""

    def __init__(self, directory: Path | None, settings: MarkdownSettings, *, read_only: bool = False):
        self.directory = directory
        self.read_only = read_only
        from generator.markdown import renderer_key

        self.settings = settings
        self.key_prefix = f"{generator_digest()}\0{renderer_key(settings)}\0".encode()

    def key(self, body: str) -> str:
        return hashlib.sha256(self.key_prefix + body.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.msgpack"

    def has(self, key: str) -> bool:
        return self.directory is not None and self._path(key).is_file()

    def get(self, key: str) -> Rendered | None:
        """The entry for `key` if it is there, sealed for this key and of the right shape; else None."""
        if self.directory is None:
            return None
        payload = read_sealed(self._path(key), key)
        if payload is None:
            return None
        try:
            return _rendered_decoder().decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None

    def put(self, key: str, value: Rendered) -> bool:
        """Store an entry; False when there is no cache or it cannot be written (that only costs time)."""
        if self.directory is None or self.read_only:
            return False
        return write_sealed(self._path(key), key, msgspec.msgpack.encode(value))


@functools.cache
def _rendered_decoder() -> msgspec.msgpack.Decoder[Rendered]:
    """Decodes straight into Rendered, checking every field's type on the way (no code runs)."""
    from generator.markdown import Rendered

    return msgspec.msgpack.Decoder(Rendered)


class BuildRecord(msgspec.Struct, frozen=True):
    """What the last successful build into a folder wrote down (see load_build_record)."""

    generator: str  # generator_digest() of the code that made it
    output: str  # the output folder
    inputs: str  # build.input_state: the digest of every input's path, size and times
    pages: dict[str, str]  # output path -> fingerprint
    next_due: datetime | None  # the earliest scheduled post left out
    posts: int
    html_pages: int
    files: int
    warnings: list[tuple[str, str | None, int | None]] = field(default_factory=list)  # message, file, line


_RECORD = msgspec.json.Decoder(BuildRecord)


def load_build_record(cache_root: Path, out_dir: Path) -> BuildRecord | None:
    """What the last successful build into `out_dir` recorded, or None when there is none
    usable: missing, damaged, unsealed, of another shape, another generator or folder."""
    path = _manifest_path(cache_root, out_dir)
    payload = read_sealed(path, path.name)
    if payload is None:
        return None
    try:
        record = _RECORD.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if record.generator != generator_digest() or record.output != str(out_dir):
        return None
    return record


def save_build_record(cache_root: Path, out_dir: Path, record: BuildRecord) -> None:
    path = _manifest_path(cache_root, out_dir)
    write_sealed(path, path.name, msgspec.json.encode(record))  # if it fails, the next build renders every page: slower, not wrong


def forget_build_record(cache_root: Path, out_dir: Path) -> None:
    """Called before writing: if the build dies mid-way, the next one must not trust the output."""
    try:
        _manifest_path(cache_root, out_dir).unlink()
    except OSError:
        pass


def _manifest_path(cache_root: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir).encode()).hexdigest()[:16]
    return cache_root / "pages" / f"{name}.json"


def render_bodies(bodies: list[str], cache: MarkdownCache, jobs: int) -> RenderedBodies:
    """Render every body the cache does not have (in parallel when worth it). What the cache
    holds is read back only as each body is asked for (see RenderedBodies)."""
    keys = [cache.key(body) for body in bodies]
    missing = [i for i, key in enumerate(keys) if not cache.has(key)]
    workers = 1
    if jobs > 1 and len(missing) >= PARALLEL_THRESHOLD:
        workers = min(jobs, len(missing) // (PARALLEL_THRESHOLD // 2))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(missing) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # The workers store what they render and send back only what they could not store:
            # writing 10,000 cache files here would compete with them for the cores, and
            # receiving every body's HTML would hold it all in this process at once.
            unstored = list(
                pool.map(
                    functools.partial(_render_and_store, cache), [bodies[i] for i in missing], [keys[i] for i in missing], chunksize=chunk
                )
            )
    else:
        unstored = [_render_and_store(cache, bodies[i], keys[i]) for i in missing]
    held = {i: value for i, value in zip(missing, unstored, strict=True) if value is not None}
    return RenderedBodies(bodies, keys, cache, held, len(missing), workers)


@dataclass
class RenderedBodies:
    """The rendered bodies in the order of the sources, each read from the cache when it is
    asked for, so a 10,000-post site's HTML (300 MB) is never in memory twice: the site stage
    turns each into a Post and lets it go. Without a cache (or one that cannot be written)
    the bodies are held here instead. Iterate once."""

    bodies: list[str]
    keys: list[str]
    cache: MarkdownCache
    held: dict[int, Rendered]
    misses: int  # bodies rendered before iterating
    workers: int
    rendered_again: int = 0  # entries found but unusable (damaged, forged, of the wrong shape)

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[Rendered]:
        for index, key in enumerate(self.keys):
            value = self.held.pop(index, None) or self.cache.get(key)
            if value is None:  # removed, damaged or forged since it was found: render it now
                from generator.markdown import render_markdown

                value = render_markdown(self.bodies[index], self.cache.settings)
                self.cache.put(key, value)  # replaces the bad entry: the next build finds it
                self.rendered_again += 1
            yield value

    @property
    def stats(self) -> RenderStats:
        """Final once every body has been asked for: an entry rendered again counts as rendered."""
        misses = self.misses + self.rendered_again
        return RenderStats(len(self.keys) - misses, misses, self.workers)


def _render_and_store(cache: MarkdownCache, body: str, key: str) -> Rendered | None:
    """Render a body into the cache; the rendered body itself when it could not be stored."""
    from generator.markdown import render_markdown

    rendered = render_markdown(body, cache.settings)
    return None if cache.put(key, rendered) else rendered
