"""What the rendering stages hand the writer: files of the built site, and jobs that make them.

A `Job` is one file still to be made (a page from a template, or a feed) with everything
it is made from. The incremental machinery (fingerprint.PageReuse) filters jobs: one whose
inputs did not change since the last build is marked to be copied from that build's output
instead of made. `make_files` turns jobs into `OutputFile`s as the writer asks for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import BuildFailed, ContentError
from generator.urls import output_path


@dataclass(frozen=True)
class OutputFile:
    path: PurePosixPath  # relative to the output folder: "2026/11/hello/index.html"
    data: bytes | None  # None: copy `copy_from` (or `source`) as it is (static files, images, reused pages)
    source: Path | None  # the post, template or file behind it, for error messages
    copy_from: Path | None = None  # a page reused from the last output: that file, not `source`

    @property
    def file_to_copy(self) -> Path | None:
        return self.copy_from or self.source


@dataclass(frozen=True)
class Job:
    """One page or feed to make. `context` (what the template or feed is made from, and what
    its fingerprint hashes) is computed when first asked for, so filtering jobs by `url`
    costs nothing for the ones left out."""

    url: str  # the site path of the page or feed ("/2026/11/hello/", "/tags/rust/atom.xml")
    template: str  # the page's template, or the feed's file name ("atom.xml")
    source: Path | None  # the post behind it, for error messages
    make_context: Callable[[], dict[str, Any]] = dict
    make: Callable[[Job], bytes] = lambda job: b""  # renders the template or writes the feed
    reuse_from: Path | None = None  # the last build's file, when nothing it is made from changed

    @cached_property
    def path(self) -> PurePosixPath:
        """The file in the output folder. Made when asked for: a quick rebuild filters 15,000
        jobs by `url` and needs the paths of a dozen."""
        return output_path(self.url)

    @cached_property
    def context(self) -> dict[str, Any]:
        return self.make_context()

    def reused(self, previous: Path) -> Job:
        return replace(self, reuse_from=previous)

    def output(self) -> OutputFile:
        if self.reuse_from is not None:
            return OutputFile(self.path, None, self.source, copy_from=self.reuse_from)
        return OutputFile(self.path, self.make(self), self.source)


# After this many errors from one template in post pages (one broken template breaks every post),
# the rest are not tried; a list page's template error is reported once.
MAX_ERRORS_PER_TEMPLATE = 20


def make_files(jobs: Iterable[Job], errors: TemplateErrors | None = None) -> Iterator[OutputFile]:
    """Each job's file, one at a time as the writer asks (a big site's HTML is never all in
    memory). Template errors are collected and raised together once every job was tried;
    into `errors` instead when given (parallel.py: a worker's jobs are some of the site's)."""
    collected = TemplateErrors() if errors is None else errors
    for job in jobs:
        if collected.skips(job):
            continue
        try:
            yield job.output()
        except ContentError as exc:
            collected.add(job.template, collected.limit(job), exc)
    if errors is None:
        collected.raise_any()


class TemplateErrors:
    """The template errors of a run of jobs: at most MAX_ERRORS_PER_TEMPLATE of one post page
    template, one of a list page's. Errors a worker process found are `add`ed again in the
    order of the jobs, so the ones kept are those a single process keeps."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int, ContentError]] = []  # (template, limit, error), in the jobs' order
        self.failed: Counter[str] = Counter()

    @staticmethod
    def limit(job: Job) -> int:
        return MAX_ERRORS_PER_TEMPLATE if job.source is not None else 1

    def skips(self, job: Job) -> bool:
        return self.failed[job.template] >= self.limit(job)

    def add(self, template: str, limit: int, error: ContentError) -> None:
        if self.failed[template] < limit:
            self.failed[template] += 1
            self.found.append((template, limit, error))

    def raise_any(self) -> None:
        if self.found:
            raise BuildFailed([error for _, _, error in self.found])


class CollisionGuard:
    """Refuses a second output for a path already seen in this build (paths compared
    case-folded: macOS and Windows checkouts would merge them)."""

    def __init__(self) -> None:
        # Path and source only: keeping the OutputFile would keep every page's bytes until the end.
        self.seen: dict[str, OutputFile] = {}

    def collision(self, file: OutputFile) -> ContentError | None:
        """The error naming both sources if `file`'s path was seen already; else None, and it is now."""
        key = str(file.path).casefold()
        first = self.seen.get(key)
        if first is not None:
            names = " and ".join(str(f.source) if f.source else "the generator" for f in (first, file))
            return ContentError(
                f"two outputs would be written to /{file.path}: {names}",
                file.source or first.source,
                hint="give one of them another slug (slug: in the front matter) or change build.permalink",
            )
        self.seen[key] = OutputFile(file.path, None, file.source)
        return None

    def admit(self, file: OutputFile) -> None:
        error = self.collision(file)
        if error is not None:
            raise BuildFailed([error])


def check_collisions(files: Iterable[OutputFile]) -> None:
    """Every collision among `files`, reported together."""
    guard = CollisionGuard()
    errors = [error for file in files if (error := guard.collision(file)) is not None]
    if errors:
        raise BuildFailed(errors)
