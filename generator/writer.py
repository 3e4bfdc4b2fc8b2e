"""Stage: list[OutputFile] -> the output folder, all or nothing.

Files are written into a staging folder beside the output folder; only when every
file is written is the old folder moved aside and the staging folder renamed into
its place. A build that fails, or is killed, leaves the previous site as it was;
the stray staging folder is removed by the next build. A file whose bytes have not
changed is hard-linked from the previous output instead of written again, so its
modification time (and any server's cache of it) stays.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.atomic import atomic_write
from generator.errors import ContentError
from generator.output import CollisionGuard, OutputFile


@dataclass(frozen=True)
class WriteReport:
    written: int  # new or changed files
    unchanged: int  # files kept from the previous output
    html_pages: int = 0


def write_output(
    files: Iterable[OutputFile],
    out_dir: Path,
    finish: Callable[[Path], None] | None = None,
    first: Callable[[StagingWriter, CollisionGuard], None] | None = None,
) -> WriteReport:
    """Write `files` (consumed one at a time: they may be rendered as they are asked for);
    `first(writer, guard)` puts files into the staging folder before them (parallel.py: worker
    processes do), admitting each path to `guard` and adding its counts to `writer`;
    `finish(staging)` runs on the complete site before it replaces the old one (search index)."""
    out_dir = out_dir.resolve()
    parent = out_dir.parent
    if out_dir.exists() and not out_dir.is_dir():
        raise ContentError("the output folder is a file", out_dir, hint="remove it or choose another --out")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out_dir)
        staging = parent / f".{out_dir.name}.staging-{os.getpid()}-{time.monotonic_ns()}"
        staging.mkdir()
    except OSError as exc:
        raise ContentError(f"cannot write the output folder: {exc.strerror or exc}", parent) from exc
    try:
        writer, guard = StagingWriter(staging, out_dir), CollisionGuard()
        if first is not None:
            first(writer, guard)
        report = _write_all(files, writer, guard)
        if finish is not None:
            finish(staging)
        _swap(staging, out_dir)
    except BaseException as exc:  # including KeyboardInterrupt: never leave half a site
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            where = Path(exc.filename) if exc.filename else out_dir
            raise ContentError(f"cannot write the output: {exc.strerror or exc}", where) from exc
        raise
    return report


def write_in_place(files: Iterable[OutputFile], out_dir: Path) -> WriteReport:
    """Replace a few files of an existing output folder, each atomically (written beside
    it, then renamed over it); files whose bytes are the same are left alone. For live.py:
    re-linking a whole 10,000-post site into a staging folder takes longer than the edit.
    Every file is rendered before this is called, so a failed edit writes nothing."""
    written = unchanged = html_pages = 0
    for file in files:
        assert file.data is not None
        html_pages += file.path.suffix == ".html"
        target = out_dir / _inside(file)
        if _same_as(target, file):
            unchanged += 1
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, file.data)  # a new inode: a file hard-linked elsewhere is not changed
        except OSError as exc:
            raise ContentError(f"cannot write /{file.path}: {exc.strerror or exc}", file.source) from exc
        written += 1
    return WriteReport(written, unchanged, html_pages)


def remove_leftovers(out_dir: Path) -> None:
    """Remove staging and old folders that an interrupted build left beside the output folder.
    A build killed between the two renames of the swap left the previous site as `.old-*`
    and no output folder: that site is put back first, not removed."""
    olds = sorted(out_dir.parent.glob(f".{out_dir.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not out_dir.exists():
        os.rename(olds.pop(), out_dir)
    for leftover in olds + list(out_dir.parent.glob(f".{out_dir.name}.staging-*")):
        shutil.rmtree(leftover, ignore_errors=True)


def _write_all(files: Iterable[OutputFile], writer: StagingWriter, guard: CollisionGuard) -> WriteReport:
    for file in files:
        guard.admit(file)
        writer.put(file)
    return writer.report()


class StagingWriter:
    """Puts files into the staging folder: one whose bytes equal the previous output's file is
    hard-linked from it, any other written. Worker processes (parallel.py) each use their own
    copy on the same folder, and the parent adds their counts to its own."""

    def __init__(self, staging: Path, previous: Path):
        self.staging = staging
        self.previous = previous
        self.written = self.unchanged = self.html_pages = 0
        self.made_dirs: set[Path] = set()

    def put(self, file: OutputFile) -> None:
        self.html_pages += file.path.suffix == ".html"
        relative = _inside(file)
        target = self.staging / relative
        if target.parent not in self.made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)  # exist_ok: another worker may make it first
            self.made_dirs.add(target.parent)
        old = self.previous / relative
        if _same_as(old, file):
            try:
                os.link(old, target)
                self.unchanged += 1
                return
            except OSError:
                pass  # another file system, or no hard links: write it
        try:
            if file.data is not None:
                target.write_bytes(file.data)
            else:
                assert file.file_to_copy is not None
                shutil.copyfile(file.file_to_copy, target)
        except OSError as exc:
            raise ContentError(f"cannot write /{file.path}: {exc.strerror or exc}", file.source) from exc
        self.written += 1

    def add(self, report: WriteReport) -> None:
        """Count files another process put into the same staging folder."""
        self.written += report.written
        self.unchanged += report.unchanged
        self.html_pages += report.html_pages

    def report(self) -> WriteReport:
        return WriteReport(self.written, self.unchanged, self.html_pages)


def _inside(file: OutputFile) -> Path:
    """The file's path relative to the output folder, refusing one that would leave it
    (urls.py never makes such a path; checked anyway, since plugins add files too)."""
    relative = Path(*file.path.parts)
    if relative.is_absolute() or ".." in relative.parts:
        raise ContentError(f"refusing to write outside the output folder: {file.path}", file.source)
    return relative


def _same_as(old: Path, file: OutputFile) -> bool:
    if file.data is None and file.file_to_copy == old:
        return True  # a page the renderer took from the previous output: nothing to compare
    try:
        if file.data is not None:
            if old.stat().st_size != len(file.data):
                return False
            return old.read_bytes() == file.data
        return filecmp.cmp(old, file.file_to_copy, shallow=False)  # type: ignore[arg-type]
    except OSError:
        return False


def _swap(staging: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}"
        os.rename(out_dir, old)
        try:
            os.rename(staging, out_dir)
        except OSError:
            os.rename(old, out_dir)  # put the previous site back
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out_dir)
