"""`blog import PLATFORM SOURCE`: read the whole export, plan every file, then write.

All or nothing: a bad export stops before anything is written. Safe to re-run: a file that
exists is kept (listed) unless --overwrite. --dry-run plans everything and writes nothing.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit
import tomlkit.exceptions

from generator.atomic import atomic_write
from generator.config import CONFIG_FILE, load_config
from generator.errors import ContentError, UsageError
from generator.importers.media import DownloadFailed, PictureFinder, download
from generator.importers.model import Author, Export, ExportError
from generator.importers.plan import Plan, PlannedFile, PlanOptions, Report, plan_import
from generator.importers.report import report_markdown

PLATFORMS = ("wordpress", "blogger", "ghost", "medium", "feed")
REPORT_FILE = "import-report.md"


@dataclass(frozen=True)
class ImportOptions:
    site_dir: Path
    media_dir: Path | None = None
    download: bool = False
    dry_run: bool = False
    overwrite: bool = False
    pingbacks: bool = False
    old_url: str | None = None  # the old blog's address, when the export does not name it


def reader_for(platform: str) -> Callable[[Path], Export]:
    """The `read` function of generator/importers/<platform>.py (imported only when asked)."""
    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
    module = importlib.import_module(f"generator.importers.{platform}")
    return module.read


def import_blog(platform: str, source: str, options: ImportOptions, now: datetime) -> Report:
    config = load_config(options.site_dir)  # an import goes into an existing site
    if options.media_dir is not None and not options.media_dir.is_dir():
        raise UsageError(f"--media {options.media_dir}: not a folder")
    export = _read(platform, source, options)
    if options.old_url:
        parts = urlsplit(options.old_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"--old-url {options.old_url}: give the old blog's address, such as https://blog.example.com")
        export.site_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    finder = PictureFinder(export.site_url, export.upload_hosts, options.media_dir, options.download)
    plan = plan_import(export, PlanOptions(config.build.permalink, config.zone, now, options.pingbacks), finder)
    _refuse_broken_pictures(export, finder)
    if not options.dry_run:
        _write(plan, options)
    return plan.report


def _refuse_broken_pictures(export: Export, finder: PictureFinder) -> None:
    """Pictures given as paths on the old blog (Ghost's /content/images/...) that were not found
    would be broken links on the new one, and the export does not say where the old blog is:
    ask for one of the two ways to keep them rather than write broken pages."""
    lost = sorted(url for url in finder.missing if url.startswith("/"))
    if export.site_url is None and lost:
        raise UsageError(
            f"{len(lost)} picture(s) and file(s) are paths on the old blog ({lost[0]}{', ...' if len(lost) > 1 else ''}) "
            "and are not in --media; the export does not name the old blog's address",
            export.source,
            hint="give --media DIR (a copy of the old blog's content folder), or --old-url https://old.example.com "
            "(add --download to fetch them while the old blog is up)",
        )


def _read(platform: str, source: str, options: ImportOptions) -> Export:
    read = reader_for(platform)
    if urlsplit(source).scheme in ("http", "https"):
        if platform != "feed" or not options.download:
            raise UsageError(
                f"{source} is an address: only `blog import feed URL --download` fetches one; for the others, give the export file"
            )
        return _read_fetched(read, source)
    path = Path(source)
    if not path.exists():
        raise UsageError(f"{source}: no such file or folder")
    return read(path)


def _read_fetched(read: Callable[[Path], Export], url: str) -> Export:
    try:
        data = download(url)
    except DownloadFailed as exc:
        raise ExportError(f"{url} {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="blog-import-") as folder:
        path = Path(folder) / "feed.xml"
        path.write_bytes(data)
        export = read(path)
    export.source = Path(url)
    return export


def _write(plan: Plan, options: ImportOptions) -> None:
    """Write every planned file; on a failure part-way, remove what this run wrote."""
    site = options.site_dir
    report = plan.report
    made: list[Path] = []
    try:
        for planned in plan.files:
            path = site / planned.rel
            if path.exists() and not options.overwrite:
                report.kept.append(planned.rel)
                continue
            _write_file(path, planned, made)
            report.written.append(planned.rel)
        report.authors_added = _add_authors(site / CONFIG_FILE, plan.authors)
        atomic_write(site / REPORT_FILE, report_markdown(report).encode())
    except OSError as exc:
        for path in reversed(made):
            path.unlink(missing_ok=True)
        where = Path(exc.filename) if exc.filename else site
        raise ContentError(f"cannot write the import: {exc.strerror or exc}; nothing was kept", where) from exc


def _write_file(path: Path, planned: PlannedFile, made: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # --overwrite
        atomic_write(path, planned.data)
        return
    # Exclusive create: a file that appeared since the check above is never overwritten.
    with open(path, "xb") as handle:
        made.append(path)
        handle.write(planned.data)
        handle.flush()
        os.fsync(handle.fileno())


def _add_authors(config_path: Path, authors: list[Author]) -> list[str]:
    """Add `[authors.<key>]` for each author not in site.toml yet, keeping its comments and layout."""
    if not authors:
        return []
    text = config_path.read_text(encoding="utf-8")
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:  # load_config read it a moment ago
        raise ContentError(f"cannot edit site.toml: {exc}", config_path) from exc
    table = document.get("authors")
    if table is None:
        table = tomlkit.table(is_super_table=True)
        document.append("authors", table)
    added = []
    for author in authors:
        if author.key in table:
            continue
        entry = tomlkit.table()
        entry.add("name", author.name)
        if author.url:
            entry.add("url", author.url)
        table.append(author.key, entry)
        added.append(author.key)
    if added:
        atomic_write(config_path, tomlkit.dumps(document).encode())
    return added
