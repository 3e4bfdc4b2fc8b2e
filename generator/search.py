"""Client-side search: the finished site -> a Pagefind index in `pagefind/`, when
`[search] enabled = true`.

Pagefind (a Rust indexer shipped as a PyPI package, the `search` extra) reads the built
HTML and writes a static index plus its search UI; readers' browsers download only the
fragments a query needs, so search works on any static host with no server. Only post
bodies are indexed (the theme marks them `data-pagefind-body`), so list pages do not crowd
the results. The index is made in the writer's staging folder, before the swap: a build
whose indexing fails publishes nothing, like any other failed build.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from generator.config import Config
from generator.errors import ConfigError, ContentError

INDEX_DIR = "pagefind"
INSTALL_HINT = "pip install 'blog-generator[search]' (it brings Pagefind), or set [search] enabled = false"


def require_indexer(config: Config) -> None:
    """Fail before anything is built when search is on and Pagefind is not installed."""
    if config.search.enabled and importlib.util.find_spec("pagefind") is None:
        raise ConfigError(
            "search.enabled: search needs Pagefind, which is not installed",
            config.root / "site.toml",
            config.key_line("search", "enabled"),
            key="search.enabled",
            hint=INSTALL_HINT,
        )


def index_site(folder: Path, config: Config) -> None:
    """Write the search index and UI into `folder` (the finished site)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-subdir", INDEX_DIR]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ContentError(f"search: Pagefind did not run: {exc}", config.root / "site.toml", hint=INSTALL_HINT) from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise ContentError("search: Pagefind failed: " + " / ".join(detail), config.root / "site.toml")
