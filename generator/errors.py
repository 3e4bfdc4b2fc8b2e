"""Errors every stage raises; only cli.py prints them and picks the exit code.

A ContentError names a file (and line where there is one); a ConfigError names a
site.toml key. Stages that find several problems collect them and raise a
BuildFailed holding all of them, so a writer sees every broken post at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SiteError(Exception):
    """A problem in the user's site, with where it is and what to do about it."""

    message: str
    path: Path | None = None
    line: int | None = None
    hint: str | None = None
    exit_code: int = field(default=1, init=False)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def location(self, root: Path | None = None) -> str:
        """`posts/x.md:3` style location, relative to `root` when possible."""
        if self.path is None:
            return ""
        shown = self.path
        if root is not None:
            try:
                # The folder is resolved, not the file: a symbolic link is named by its own path.
                shown = (self.path.parent.resolve() / self.path.name).relative_to(root.resolve())
            except ValueError:
                shown = self.path
        return f"{shown}:{self.line}" if self.line else str(shown)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ContentError(SiteError):
    """A post, template or asset is wrong: exit code 1."""


@dataclass
class ConfigError(SiteError):
    """site.toml or a command-line option is wrong: exit code 2."""

    key: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.exit_code = 2


@dataclass
class UsageError(SiteError):
    """A command asked for something it cannot do (a file that already exists, a port in use,
    an unknown --author): exit code 2, but nothing is wrong in site.toml."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.exit_code = 2


class BuildFailed(Exception):
    """Several errors collected by one stage; the exit code is the worst one's."""

    def __init__(self, errors: Sequence[SiteError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = list(errors)

    @property
    def exit_code(self) -> int:
        return max(error.exit_code for error in self.errors)


@dataclass(frozen=True)
class BuildWarning:
    """Something worth fixing that does not stop the build (an error under --strict)."""

    message: str
    path: Path | None = None
    line: int | None = None

    def as_error(self) -> ContentError:
        return ContentError(self.message, self.path, self.line)


def decode_utf8(data: bytes, path: Path, error: type[SiteError] = ContentError) -> str:
    """`data` as text (a BOM from Windows editors dropped); bytes that are not UTF-8 raise
    `error` naming the file and the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})", path, line, hint="save the file as UTF-8") from None
