"""Responsive images for pictures beside posts (Pillow).

For each PNG, JPEG or WebP file under posts/, smaller copies are published beside the
original (`map.png` -> `map-480w.png`, `map-960w.png`; only widths below the original's,
which is kept as it is). In a post's HTML, every <img> that shows such a file gets:

- `width` and `height` (the original's), so the browser reserves the space: no layout shift;
- `srcset` listing the copies and the original, and `sizes` for the theme's text column,
  so a phone downloads the 480-pixel copy;
- `loading="lazy"` and `decoding="async"` (on every picture of the post, remote ones too),
  except the post's first image, which is often in view when the page opens.

Attributes a writer set in raw HTML are kept. Copies are cached under .blog-cache/images by
a hash of the original (and of the generator's code), so a build resizes only new or changed
pictures; each copy is sealed with a MAC of its bytes (cache_files.py) and made again when
it does not match.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from PIL import Image

from generator.cache_files import read_sealed, write_sealed
from generator.code_digest import generator_digest
from generator.output import OutputFile

WIDTHS = (480, 960, 1600)
IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}
# The default theme's text column is 42rem (plus 1rem padding each side): full width below it.
SIZES = "(max-width: 44rem) calc(100vw - 2rem), 42rem"

_IMG_TAG = re.compile(rb"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(rb"""\ssrc=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def is_picture(rel: PurePosixPath) -> bool:
    return rel.suffix.lower() in IMAGE_SUFFIXES


def variant_path(rel: PurePosixPath, width: int) -> PurePosixPath:
    return rel.with_name(f"{rel.stem}-{width}w{rel.suffix}")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a picture, read from its header; None if Pillow cannot read it."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _image_size(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _image_size(path: Path, size: int, mtime: int) -> tuple[int, int] | None:  # size, mtime: the cache key
    try:
        with Image.open(path) as picture:
            return picture.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def variant_widths(size: tuple[int, int] | None) -> list[int]:
    return [width for width in WIDTHS if size and width < size[0]]


def responsive_html(content: bytes, posts_dir: Path, assets: frozenset[str], base_path: str) -> bytes:
    """The post's HTML with width, height, srcset, sizes and lazy loading on its pictures."""
    if b"<img" not in content:
        return content
    seen_first = False

    def rewrite(match: re.Match) -> bytes:
        nonlocal seen_first
        tag = match.group(0)
        first, seen_first = not seen_first, True
        added = []
        src = _SRC.search(tag)
        url = html.unescape((src.group(1) or src.group(2) or b"").decode("utf-8")) if src else ""
        rel = unquote(url.split("#")[0].split("?")[0]).removeprefix(base_path.rstrip("/")).lstrip("/")
        size = image_size(posts_dir / rel) if rel in assets and is_picture(PurePosixPath(rel)) else None
        if size is not None:  # a picture beside the posts: ours to measure and copy
            if not _has(tag, b"width") and not _has(tag, b"height"):
                added.append(f'width="{size[0]}" height="{size[1]}"')
            widths = variant_widths(size)
            if widths and not _has(tag, b"srcset"):
                folder = url.rsplit("/", 1)[0]
                candidates = [f"{folder}/{variant_path(PurePosixPath(rel), w).name} {w}w" for w in widths] + [f"{url} {size[0]}w"]
                added.append(f'srcset="{html.escape(", ".join(candidates))}" sizes="{SIZES}"')
        if not first and not _has(tag, b"loading"):  # any picture below the first: fetched when scrolled to
            added.append('loading="lazy" decoding="async"')
        if not added:
            return tag
        closing = b" />" if tag.endswith(b"/>") else b">"
        return tag[: -len(closing.strip())].rstrip() + b" " + " ".join(added).encode("utf-8") + closing

    return _IMG_TAG.sub(rewrite, content)


def _has(tag: bytes, name: bytes) -> bool:
    return re.search(rb"\s" + name + rb"\s*=", tag, re.IGNORECASE) is not None


def image_variants(assets, cache_dir: Path | None) -> list[OutputFile]:
    """The smaller copies of every picture beside the posts (from the cache when it has them)."""
    files = []
    for asset in assets:
        if not is_picture(asset.rel_path):
            continue
        size = image_size(asset.source)
        for width in variant_widths(size):
            files.append(OutputFile(variant_path(asset.rel_path, width), _variant(asset.source, width, cache_dir), asset.source))
    return files


def _variant(source: Path, width: int, cache_dir: Path | None) -> bytes:
    original = source.read_bytes()
    kind = IMAGE_SUFFIXES[source.suffix.lower()]
    key = hashlib.sha256(original + f"\0{width}\0{kind}\0{generator_digest()}".encode()).hexdigest()
    cached = cache_dir / key[:2] / f"{key}.img" if cache_dir is not None else None
    if cached is not None:
        data = read_sealed(cached, key)
        if data is not None:  # its MAC matches: the copy this code made of this original
            return data
    data = _resize(original, width, kind)
    if cached is not None:
        write_sealed(cached, key, data)  # a cache that cannot be written only costs time
    return data


def _resize(original: bytes, width: int, kind: str) -> bytes:
    with Image.open(io.BytesIO(original)) as picture:
        height = max(1, round(picture.height * width / picture.width))
        smaller = picture.resize((width, height), Image.Resampling.LANCZOS)
        if kind == "JPEG" and smaller.mode not in ("RGB", "L"):
            smaller = smaller.convert("RGB")
        out = io.BytesIO()
        smaller.save(out, kind, **({"quality": 85} if kind in ("JPEG", "WEBP") else {}))
        return out.getvalue()
