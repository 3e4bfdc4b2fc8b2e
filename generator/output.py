"""The value every rendering stage returns and the writer consumes: one file of the built site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import BuildFailed, ContentError


@dataclass(frozen=True)
class OutputFile:
    path: PurePosixPath  # relative to the output folder: "2026/11/hello/index.html"
    data: bytes | None  # None: copy `copy_from` (or `source`) as it is (static files, images, reused pages)
    source: Path | None  # the post, template or file behind it, for error messages
    copy_from: Path | None = None  # a page reused from the last output: that file, not `source`

    @property
    def file_to_copy(self) -> Path | None:
        return self.copy_from or self.source


class CollisionGuard:
    """Refuses a second output for a path already written in this build (case-folded)."""

    def __init__(self) -> None:
        # Path and source only: keeping the OutputFile would keep every page's bytes until the end.
        self.seen: dict[str, OutputFile] = {}

    def admit(self, file: OutputFile) -> None:
        key = str(file.path).casefold()
        first = self.seen.get(key)
        if first is not None:
            raise BuildFailed([_collision(first, file)])
        self.seen[key] = OutputFile(file.path, None, file.source)


def _collision(first: OutputFile, file: OutputFile) -> ContentError:
    names = " and ".join(str(f.source) if f.source else "the generator" for f in (first, file))
    return ContentError(
        f"two outputs would be written to /{file.path}: {names}",
        file.source or first.source,
        hint="give one of them another slug (slug: in the front matter) or change build.permalink",
    )


def check_collisions(files: list[OutputFile]) -> None:
    """Two outputs for one path is a content error naming both sources.

    Paths are compared case-folded: macOS and Windows checkouts would merge them.
    """
    seen: dict[str, OutputFile] = {}
    errors = []
    for file in files:
        key = str(file.path).casefold()
        first = seen.setdefault(key, file)
        if first is not file:
            errors.append(_collision(first, file))
    if errors:
        raise BuildFailed(errors)
