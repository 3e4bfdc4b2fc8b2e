"""Stage: file-system events -> debounced rebuilds (`blog watch`, and the rebuilding half of `blog serve`).

    watchdog events -> relevant? -> Pending (debounce) -> build(options) -> on_done(Rebuild)

What is watched: `site.toml` (through a non-recursive watch of the site folder, so an
editor's rename over it is seen), and recursively `posts/`, `pages/`, the site's `templates/` and
`static/`, and the theme in use. The set is recomputed after every rebuild, so a
`templates/` folder created later, or a new theme named in `site.toml`, is picked up.
Editor leftovers (any path component matching content.IGNORED_NAME: swap, backup, lock
and dot files), the output folder, `.blog-cache/` and the writer's staging folders
trigger nothing.

Bursts (an atomic save is a write and a rename; a `git checkout` touches hundreds of
files) become one rebuild: a rebuild starts once no event has come for `delay` seconds.
An edit to the text of posts already built is redone by live.py, which keeps the last
full build in memory and re-renders only the pages and feeds that show those posts; any
other change is a full `build()` (the Markdown cache makes unchanged posts free and the
writer keeps unchanged files). Either way an edit gives the same bytes as a clean build.
A failed rebuild leaves the previous output in place; the errors go to `on_done`.
This module prints nothing: the caller (cli.py) reports through the callbacks.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.build import BuildOptions, BuildReport, build
from generator.config import Config, load_config
from generator.content import IGNORED_NAME
from generator.errors import BuildFailed, ContentError, SiteError
from generator.live import LiveSite

DEBOUNCE_SECONDS = 0.05  # editors' atomic saves and git's bursts arrive within milliseconds
MAX_WAIT_SECONDS = 2.0  # a stream of events that never pauses still gets a rebuild this often
SITE_FOLDERS = ("posts", "pages", "templates", "static", "plugins")
# Opening and reading files (which every build does) must not count as a change.
EVENT_TYPES = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


@dataclass(frozen=True)
class Rebuild:
    """The outcome of one build: a report when it succeeded, the errors when it did not."""

    number: int  # 1 for the first build
    changed: frozenset[Path]  # the paths whose events led to it (empty for the first build)
    seconds: float
    report: BuildReport | None = None
    errors: list[SiteError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report is not None


class Pending:
    """Changed paths collected from the observer's thread until a quiet moment."""

    def __init__(self, delay: float = DEBOUNCE_SECONDS, max_wait: float = MAX_WAIT_SECONDS):
        self.delay = delay
        self.max_wait = max_wait
        self._paths: set[Path] = set()
        self._first = self._last = 0.0
        self._stopped = False
        self._condition = threading.Condition()

    def add(self, path: Path) -> None:
        with self._condition:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.add(path)
            self._last = now
            self._condition.notify_all()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()

    def wait(self) -> frozenset[Path] | None:
        """Block until a burst of changes is over and return its paths; None once stopped."""
        with self._condition:
            while not self._paths and not self._stopped:
                self._condition.wait(0.5)  # a timeout keeps Ctrl-C responsive
            while not self._stopped:
                now = time.monotonic()
                remaining = min(self._last + self.delay, self._first + self.max_wait) - now
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            if self._stopped:
                return None
            paths, self._paths = frozenset(self._paths), set()
            return paths


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: SiteWatcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        for raw in (event.src_path, event.dest_path):
            if raw:
                path = Path(os.fsdecode(raw))
                if self.watcher.is_relevant(path):
                    self.watcher.pending.add(path)


class SiteWatcher:
    """Build once, then rebuild after every burst of relevant changes until stopped.

    `on_start(changed)` is called before each build and `on_done(rebuild)` after it, from
    the thread that calls `run()`. `stop()` may be called from any thread.
    """

    def __init__(
        self,
        options: BuildOptions,
        on_done: Callable[[Rebuild], None],
        on_start: Callable[[frozenset[Path]], None] | None = None,
        delay: float = DEBOUNCE_SECONDS,
    ):
        self.options = options
        self.on_done = on_done
        self.on_start = on_start
        self.root = Path(options.site_dir).resolve()
        self.pending = Pending(delay)
        self.rebuilds = 0
        self.live: LiveSite | None = None  # the last full build, for quick rebuilds of edited posts
        self._observer = Observer()
        self._handler = _Handler(self)
        self._watches: dict[tuple[Path, bool], ObservedWatch] = {}
        self._recursive: tuple[Path, ...] = ()
        self._output_dir: Path | None = None

    # -- which paths matter -------------------------------------------------------

    def is_relevant(self, path: Path) -> bool:
        if self._output_dir is not None and path.is_relative_to(self._output_dir):
            return False
        for base in self._recursive:
            if path.is_relative_to(base):
                return not any(IGNORED_NAME.search(part) for part in path.relative_to(base).parts)
        # Directly in the site folder: site.toml, or one of the watched folders appearing or going.
        return path.parent == self.root and (path.name == "site.toml" or path.name in SITE_FOLDERS + ("themes",))

    def _update_watches(self) -> None:
        """Watch what the current site.toml says should be watched; called after every build."""
        config = self._load_config()
        if config is not None:
            self._output_dir = config.output_dir
        folders = [self.root / name for name in SITE_FOLDERS]
        theme_dir = config.theme_dir if config is not None else None
        if theme_dir is not None:
            folders.append(theme_dir.resolve())
        elif self._recursive:  # site.toml is broken: keep watching the theme we had
            folders += [p for p in self._recursive if p not in folders]
        wanted = {(self.root, False)} | {(folder, True) for folder in folders if folder.is_dir()}
        for key in set(self._watches) - wanted:
            try:
                self._observer.unschedule(self._watches.pop(key))
            except (KeyError, OSError):
                pass
        for key in sorted(wanted - set(self._watches)):
            try:
                self._watches[key] = self._observer.schedule(self._handler, str(key[0]), recursive=key[1], event_filter=EVENT_TYPES)
            except OSError:
                pass  # deleted meanwhile; its parent's watch reports it coming back
        self._recursive = tuple(sorted((folder for folder in folders), key=lambda p: -len(p.parts)))

    def _load_config(self) -> Config | None:
        try:
            return load_config(self.root, base_url=self.options.base_url)
        except (SiteError, BuildFailed):
            return None

    # -- building -----------------------------------------------------------------

    def rebuild(self, changed: frozenset[Path] = frozenset()) -> Rebuild:
        """One full build; errors are returned, never raised (except Ctrl-C)."""
        self.rebuilds += 1
        if self.on_start is not None:
            self.on_start(changed)
        start = time.perf_counter()
        report, errors = None, []
        try:
            if self.live is not None and changed:
                report = self.live.rebuild(changed)  # None: not an edit it can do alone
            if report is None:
                if self.live is not None:  # its site is about to be out of date
                    self.live.release()
                    self.live = None
                self._update_watches()  # first, so files put into a folder created just now are seen
                # keep_plan also turns off the up-to-date check, which could miss two saves
                # within the file system's timestamp granularity.
                report = build(self.options, keep_plan=True)
                if report.plan is not None:
                    self.live = LiveSite(self.options, report.plan, report.output_dir)
                    report = dataclasses.replace(report, plan=None)
        except BuildFailed as failed:
            errors = list(failed.errors)
        except SiteError as error:
            errors = [error]
        except Exception as exc:  # a bug in the generator must not end a preview session
            errors = [_internal_error(exc)]
        result = Rebuild(self.rebuilds, changed, time.perf_counter() - start, report, errors)
        self.on_done(result)
        return result

    def run(self, *, first_build: bool = True) -> None:
        """Build, then rebuild on changes until stop() or Ctrl-C; the observer is always stopped and joined."""
        self._observer.start()
        try:
            if first_build:
                self.rebuild()
            else:
                self._update_watches()
            while True:
                changed = self.pending.wait()
                if changed is None:
                    return
                self.rebuild(changed)
        finally:
            self._observer.stop()
            self._observer.join(timeout=5)

    def stop(self) -> None:
        self.pending.stop()


def _internal_error(exc: Exception) -> ContentError:
    """A bug in the generator, reported like a site error (with where it happened) instead of ending the session."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    detail = "".join(traceback.format_exception_only(exc)).strip()
    return ContentError(f"internal error{where}: {detail}", hint="this is a bug in blog; please report it")
