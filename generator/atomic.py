"""Writing a file so that a reader sees the old one or the new one, never half of one."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` beside `path` under a hidden temporary name, then rename it over `path`.
    The new file is a new inode, so a file hard-linked elsewhere (the writer links unchanged
    pages from the previous output) is never changed. On failure nothing is left behind."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
