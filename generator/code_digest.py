"""A digest of the generator itself: its code, its built-in themes and the libraries that shape output.

Every cache entry and page fingerprint includes it, so editing any module (a local change,
or an upgrade that forgot to bump a version) never reuses a result the old code made.
Computed once per process: reading ~70 small files and a dozen package versions takes
about 15 ms.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from functools import lru_cache
from pathlib import Path

from generator import __version__

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the theme inside the package; a source checkout has it beside the package.
BUILTIN_THEMES = (PACKAGE_DIR / "themes", PACKAGE_DIR.parent / "themes")
# Libraries whose upgrade can change what a build writes.
OUTPUT_LIBRARIES = (
    "markdown-it-py",
    "markdown-it-pyrs",
    "mdit-py-plugins",
    "pygments",
    "jinja2",
    "markupsafe",
    "feedgen",
    "lxml",
    "babel",
    "pillow",
    "python-slugify",
    "pyyaml",
    "python-frontmatter",
    "pydantic",
    "msgspec",
)


@lru_cache(maxsize=1)
def generator_digest() -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"blog-generator {__version__}\0".encode())
    for library in OUTPUT_LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}={version}\0".encode())
    files = [p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts]
    for folder in BUILTIN_THEMES:
        if folder.is_dir() and not folder.is_relative_to(PACKAGE_DIR):
            files += [p for p in folder.rglob("*") if p.is_file()]
        elif folder.is_dir():  # inside the package (a wheel): *.py is already listed
            files += [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".py"]
    for path in sorted(files):
        digest.update(str(path.relative_to(PACKAGE_DIR.parent)).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
    return digest.hexdigest()
