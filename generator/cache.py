"""Stage: post bodies -> Rendered, through an on-disk cache and worker processes.

Rendering Markdown and highlighting code is the expensive step of a build, so it is
the one step that is cached: an entry is keyed by the hash of the body *and* of
everything the renderer reads (markdown.renderer_key: settings, library versions,
the renderer's own revision). Any change to those gives new keys, so a stale entry
is never used. Misses are rendered in worker processes when there are enough of
them to pay for starting the workers; results keep the input order, so parallel
and single-process builds are identical.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.markdown import MarkdownSettings, Rendered, render_markdown, renderer_key

CACHE_DIR = ".blog-cache"
PARALLEL_THRESHOLD = 64  # below this many misses, starting workers costs more than it saves


@dataclass(frozen=True)
class RenderStats:
    hits: int
    misses: int
    workers: int


class MarkdownCache:
    """Rendered bodies stored as one pickle file each under `<site>/.blog-cache/markdown/`."""

    def __init__(self, directory: Path | None, settings: MarkdownSettings, *, read_only: bool = False):
        self.directory = directory
        self.read_only = read_only
        self.settings = settings
        self.key_prefix = f"{__version__}\0{renderer_key(settings)}\0".encode("utf-8")

    def key(self, body: str) -> str:
        return hashlib.sha256(self.key_prefix + body.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.pickle"

    def has(self, key: str) -> bool:
        return self.directory is not None and self._path(key).is_file()

    def get(self, key: str) -> Rendered | None:
        if self.directory is None:
            return None
        try:
            with open(self._path(key), "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None  # missing or unreadable: render again
        return value if isinstance(value, Rendered) else None

    def put(self, key: str, value: Rendered) -> bool:
        """Store an entry; False when there is no cache or it cannot be written (that only costs time)."""
        if self.directory is None or self.read_only:
            return False
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".tmp{os.getpid()}")
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, path)  # a reader never sees half an entry
        except OSError:
            return False
        return True


def load_build_record(cache_root: Path, out_dir: Path) -> dict:
    """What the last successful build into `out_dir` recorded: its inputs' digest, each
    output file's fingerprint ("pages"), its counts and warnings; {} when there is none."""
    try:
        data = json.loads(_manifest_path(cache_root, out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != __version__ or data.get("output") != str(out_dir):
        return {}
    return data if isinstance(data.get("pages"), dict) else {}


def save_build_record(cache_root: Path, out_dir: Path, record: dict) -> None:
    path = _manifest_path(cache_root, out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_text(json.dumps({"version": __version__, "output": str(out_dir), **record}), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # without it the next build renders every page: slower, not wrong


def forget_build_record(cache_root: Path, out_dir: Path) -> None:
    """Called before writing: if the build dies mid-way, the next one must not trust the output."""
    try:
        _manifest_path(cache_root, out_dir).unlink()
    except OSError:
        pass


def _manifest_path(cache_root: Path, out_dir: Path) -> Path:
    name = hashlib.sha256(str(out_dir).encode()).hexdigest()[:16]
    return cache_root / "pages" / f"{name}.json"


def render_bodies(bodies: list[str], cache: MarkdownCache, jobs: int) -> tuple[RenderedBodies, RenderStats]:
    """Render every body the cache does not have (in parallel when worth it). What the cache
    holds is read back only as each body is asked for (see RenderedBodies)."""
    keys = [cache.key(body) for body in bodies]
    missing = [i for i, key in enumerate(keys) if not cache.has(key)]
    workers = 1
    if jobs > 1 and len(missing) >= PARALLEL_THRESHOLD:
        workers = min(jobs, len(missing) // (PARALLEL_THRESHOLD // 2))
    if workers > 1:
        chunk = max(1, len(missing) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # The workers store what they render and send back only what they could not store:
            # writing 10,000 cache files here would compete with them for the cores, and
            # receiving every body's HTML would hold it all in this process at once.
            unstored = list(pool.map(functools.partial(_render_and_store, cache), [bodies[i] for i in missing], [keys[i] for i in missing], chunksize=chunk))
    else:
        unstored = [_render_and_store(cache, bodies[i], keys[i]) for i in missing]
    held = {i: value for i, value in zip(missing, unstored) if value is not None}
    return RenderedBodies(bodies, keys, cache, held), RenderStats(len(bodies) - len(missing), len(missing), workers)


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

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[Rendered]:
        for index, key in enumerate(self.keys):
            value = self.held.pop(index, None) or self.cache.get(key)
            if value is None:  # removed or damaged since it was found: render it now
                value = render_markdown(self.bodies[index], self.cache.settings)
            yield value


def _render_and_store(cache: MarkdownCache, body: str, key: str) -> Rendered | None:
    """Render a body into the cache; the rendered body itself when it could not be stored."""
    rendered = render_markdown(body, cache.settings)
    return None if cache.put(key, rendered) else rendered
