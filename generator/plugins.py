"""Site plugins: Python modules in the site's `plugins/` folder, named in site.toml.

    [build]
    plugins = ["reading_stats"]          # loads <site>/plugins/reading_stats.py

A plugin module may define either or both of:

    filters = {"name": callable}         Jinja filters, added to the theme's environment
    def extra_files(site): ...           -> iterable of (site path, str | bytes): files added
                                         to the output, e.g. ("/stats.json", "{...}")

Plugins are code, as templates are: they run at build time with the build's rights. They
are read from the site folder only (not from anywhere on sys.path), so the plugins a build
uses are the ones in its repository; their source is part of every page's fingerprint, so
editing a plugin rebuilds what it may have changed. docs/plugins.md has a worked example.
"""

from __future__ import annotations

import hashlib
import importlib.util
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.config import Config
from generator.errors import ConfigError, ContentError
from generator.output import OutputFile
from generator.urls import alias_problem, output_path

PLUGINS_DIR = "plugins"


@dataclass(frozen=True)
class Plugin:
    name: str
    path: Path
    filters: dict[str, Callable[..., Any]]
    extra_files: Callable[[Any], Iterable[tuple[str, str | bytes]]] | None
    source: bytes  # for fingerprints


def load_plugins(config: Config) -> tuple[Plugin, ...]:
    return tuple(_load(config, name) for name in config.build.plugins)


def plugins_digest(plugins: tuple[Plugin, ...]) -> str:
    digest = hashlib.blake2b(digest_size=20)
    for plugin in plugins:
        digest.update(plugin.name.encode() + b"\0" + plugin.source + b"\0")
    return digest.hexdigest()


def plugin_files(site, plugins: tuple[Plugin, ...]) -> Iterator[OutputFile]:
    """The files every plugin's extra_files(site) adds, checked like any other output path."""
    for plugin in plugins:
        if plugin.extra_files is None:
            continue
        try:
            for site_path, data in plugin.extra_files(site):
                problem = alias_problem(site_path) if isinstance(site_path, str) else "must be a text"
                if problem or not isinstance(data, (str, bytes)):
                    raise ContentError(
                        f"plugin {plugin.name}: extra_files gave {site_path!r}, which "
                        + (problem or "has data that is neither str nor bytes"),
                        plugin.path,
                    )
                yield OutputFile(output_path(site_path), data.encode("utf-8") if isinstance(data, str) else data, plugin.path)
        except ContentError:
            raise
        except Exception as exc:  # a bug in the plugin: name its file and line, not ours
            raise ContentError(
                f"plugin {plugin.name}: extra_files failed: {type(exc).__name__}: {exc}", plugin.path, _line_in(exc, plugin.path)
            ) from exc


def _load(config: Config, name: str) -> Plugin:
    path = config.root / PLUGINS_DIR / f"{name}.py"
    if not path.is_file():
        raise ConfigError(
            f"build.plugins: no plugin {name!r} ({PLUGINS_DIR}/{name}.py does not exist)",
            config.root / "site.toml",
            config.key_line("build", "plugins"),
            key="build.plugins",
        )
    module = _import(name, path)
    filters = getattr(module, "filters", {})
    if not isinstance(filters, dict) or not all(isinstance(k, str) and callable(v) for k, v in filters.items()):
        raise ContentError(f"plugin {name}: `filters` must be a dict of names to functions", path)
    extra_files = getattr(module, "extra_files", None)
    if extra_files is not None and not callable(extra_files):
        raise ContentError(f"plugin {name}: `extra_files` must be a function of the site", path)
    return Plugin(name, path, dict(filters), extra_files, path.read_bytes())


def _import(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"blog_site_plugin_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ContentError(f"plugin {name}: {exc.msg}", path, exc.lineno) from exc
    except Exception as exc:
        raise ContentError(f"plugin {name} failed to load: {type(exc).__name__}: {exc}", path, _line_in(exc, path)) from exc
    return module


def _line_in(exc: BaseException, path: Path) -> int | None:
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if Path(frame.filename) == path]
    return lines[-1] if lines else None
