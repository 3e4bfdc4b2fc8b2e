"""Files under `.blog-cache/`: data only, sealed with a MAC, written atomically.

The cache is restored in CI from a store other jobs can write, so nothing read from it
is trusted: entries are MessagePack or JSON (formats that cannot run code when read,
decoded by msgspec into the exact shape expected), and each file is

    MAGIC | HMAC-SHA256(key, name NUL payload) | payload

where `name` is the entry's cache key (so an entry cannot be moved to another post's slot)
and `key` is the `BLOG_CACHE_KEY` environment variable (a CI secret), or empty. Without the
secret the MAC still catches a truncated, damaged or swapped file; with it, an entry made
by anyone who does not know the secret is ignored. A file that fails any check is as good
as missing: the build makes the result again (see docs/security.md).
"""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from generator.atomic import atomic_write

CACHE_DIR = ".blog-cache"  # in the site folder
MAGIC = b"blog-cache 1\n"
MAC_SIZE = 32
KEY_VARIABLE = "BLOG_CACHE_KEY"


def _secret() -> bytes:
    return os.environ.get(KEY_VARIABLE, "").encode("utf-8", "surrogateescape")


def _mac(name: str, payload: bytes) -> bytes:
    return hmac.digest(_secret(), name.encode("utf-8") + b"\0" + payload, "sha256")


def seal(name: str, payload: bytes) -> bytes:
    return MAGIC + _mac(name, payload) + payload


def unseal(name: str, data: bytes) -> bytes | None:
    """The payload of a sealed file for entry `name`, or None when it is not one (or not ours)."""
    head = len(MAGIC) + MAC_SIZE
    if len(data) < head or not data.startswith(MAGIC):
        return None
    payload = data[head:]
    return payload if hmac.compare_digest(data[len(MAGIC) : head], _mac(name, payload)) else None


def read_sealed(path: Path, name: str) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:  # missing, a folder, unreadable: render again
        return None
    return unseal(name, data)


def write_sealed(path: Path, name: str, payload: bytes) -> bool:
    """Store an entry; False when it cannot be written (a cache that cannot be written costs only time)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, seal(name, payload))
    except OSError:
        return False
    return True
