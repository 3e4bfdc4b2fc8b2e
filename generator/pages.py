"""Stage: pages/**.md -> list[SourcePage] (standalone pages: About, Careers, Contact).

Reads every page and file under `pages/` with the posts' front-matter splitting and YAML
checks (content.py), and validates the keys pages have: `title`, `slug` or `permalink`,
`menu` and `menu_weight`, `summary`, `draft`, `template`, `aliases`. A page's site path
is its path under `pages/` (`pages/company/careers.md` -> `/company/careers/`); `slug`
replaces the last segment, `permalink` is the whole path. Every problem names the file
and the line; all of them are raised together. Nothing is rendered here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from generator.config import Config
from generator.content import (
    MARKDOWN_SUFFIXES,
    Asset,
    is_comments_file,
    is_folder_readme,
    non_blank_title,
    number_as_text,
    read_source_text,
    split_front_matter,
    walk_sources,
)
from generator.errors import BuildFailed, ContentError, SiteError
from generator.urls import alias_problem, unsafe_segment_reason

PAGES_FOLDER = "pages"
DEFAULT_TEMPLATE = "page.html"
# A template name as the theme's loader knows it: folders allowed, no "..", no absolute path.
TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\.(html|htm|j2|jinja)")


@dataclass(frozen=True)
class SourcePage:
    """One standalone page as written: validated front matter and the raw Markdown body."""

    source: Path  # the file
    rel_path: PurePosixPath  # relative to pages/
    title: str
    url: str  # site path, "/company/careers/"
    menu: str | None  # the label in the header menu, or None
    menu_weight: int
    summary: str | None
    draft: bool
    template: str
    extra: dict[str, Any] = field(compare=False)
    body: str = field(repr=False)
    body_line: int = 1
    aliases: tuple[str, ...] = ()
    template_line: int = 1  # the line of `template:`, for "no such template"


@dataclass(frozen=True)
class PagesContent:
    pages: tuple[SourcePage, ...]
    assets: tuple[Asset, ...]  # files beside the pages, rel_path relative to pages/


class PageFrontMatter(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    title: str
    slug: str | None = None
    permalink: str | None = None
    menu: bool | str = False
    menu_weight: int = 0
    summary: str | None = None
    draft: bool = False
    template: str = DEFAULT_TEMPLATE
    aliases: list[str] = []

    _scalar_text = field_validator("title", "summary", "slug", "permalink", "menu", mode="before")(number_as_text)
    _not_blank = field_validator("title")(non_blank_title)

    @field_validator("aliases", mode="before")
    @classmethod
    def _string_or_list(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value


def pages_dir(config: Config) -> Path:
    return config.root / PAGES_FOLDER


def load_pages(config: Config) -> PagesContent:
    """Read every page and file under pages/; raise BuildFailed with every problem found."""
    folder = pages_dir(config)
    if not folder.exists():
        return PagesContent((), ())
    if not folder.is_dir():
        raise ContentError("pages is a file, not a folder", folder, hint="pages/ must be a folder of Markdown files")
    pages: list[SourcePage] = []
    assets: list[Asset] = []
    errors: list[SiteError] = []
    for path, error in walk_sources(folder, config.root):
        if error is not None:
            errors.append(error)
            continue
        rel = PurePosixPath(path.relative_to(folder).as_posix())
        if is_folder_readme(rel) or is_comments_file(rel):
            continue  # a README is notes for writers; kept comments are shown under posts only, never published
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            try:
                pages.append(read_page(path, rel))
            except ContentError as exc:
                errors.append(exc)
            except BuildFailed as exc:
                errors.extend(exc.errors)
        else:
            assets.append(Asset(path, rel))
    if errors:
        raise BuildFailed(errors)
    return PagesContent(tuple(pages), tuple(assets))


def read_page(path: Path, rel: PurePosixPath) -> SourcePage:
    meta, key_lines, body, body_line = split_front_matter(read_source_text(path), path)
    errors: list[ContentError] = []

    def fail(key: str | None, message: str, hint: str | None = None) -> None:
        line = key_lines.get(key, 1) if key else 1
        errors.append(ContentError(f"{key}: {message}" if key else message, path, line, hint=hint))

    try:
        fm = PageFrontMatter.model_validate(meta)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = "is required"
            elif err["type"].endswith("_type") or err["type"].endswith("_parsing"):
                message = f"{message}, got {type(err['input']).__name__} {err['input']!r:.60}"
            fail(key, message)
        raise BuildFailed(errors) from exc
    url = _page_url(fm, rel, fail)
    if not TEMPLATE_NAME.fullmatch(fm.template) or ".." in fm.template.split("/"):
        fail("template", f"{fm.template!r} is not a template name; write a file name of the theme's templates, such as page.html")
    for alias in fm.aliases:
        problem = alias_problem(alias) if isinstance(alias, str) else "must be a text"
        if problem:
            fail("aliases", f"{alias!r} {problem}")
    if errors:
        raise BuildFailed(errors)
    menu = fm.menu if isinstance(fm.menu, str) else (fm.title if fm.menu else None)
    if menu is not None and not menu.strip():
        menu = fm.title
    return SourcePage(
        source=path,
        rel_path=rel,
        title=fm.title,
        url=url,
        menu=menu.strip() if menu else None,
        menu_weight=fm.menu_weight,
        summary=fm.summary.strip() if fm.summary and fm.summary.strip() else None,
        draft=fm.draft,
        template=fm.template,
        extra=dict(fm.model_extra or {}),
        body=body,
        body_line=body_line,
        aliases=tuple(dict.fromkeys(fm.aliases)),
        template_line=key_lines.get("template", 1),
    )


def _page_url(fm: PageFrontMatter, rel: PurePosixPath, fail) -> str:
    if fm.permalink is not None:
        if fm.slug is not None:
            fail("slug", "use either slug or permalink, not both")
        problem = alias_problem(fm.permalink)
        if problem:
            fail("permalink", f"{fm.permalink!r} {problem}")
        return "/" + fm.permalink.strip("/") + ("/" if "." not in fm.permalink.rsplit("/", 1)[-1] else "")
    segments = list(rel.parent.parts) + [rel.stem]
    if segments[-1].lower() == "index":  # pages/company/index.md is /company/
        segments.pop()
    if fm.slug is not None:
        reason = unsafe_segment_reason(fm.slug)
        if reason:
            fail("slug", f"{fm.slug!r} {reason}")
        if segments:
            segments[-1] = fm.slug
        else:
            segments = [fm.slug]
    if not segments:
        fail(None, "pages/index.md would replace the home page; give it a slug: or a permalink:")
        return "/"
    for segment in segments:
        reason = unsafe_segment_reason(segment)
        if reason and fm.slug != segment:
            fail(None, f"the path gives the segment {segment!r}, which {reason}", "rename the file or set slug: or permalink:")
            break
    return "/" + "/".join(segments) + "/"
