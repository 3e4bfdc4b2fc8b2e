"""Stage 2: posts/**.md -> list[SourcePost] (front matter, dates, slugs, drafts).

Reads every post and asset under `posts/`, splits the front matter from the body,
and validates the front matter with pydantic; a post's `X.comments.json` beside `X.md`
(comments kept from the previous blog, old_comments.py) is read with it and never published.
It never renders Markdown. Every
problem is collected as a ContentError naming the file and the line (lines are
counted in the file, front matter included), and all of them are raised together.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from datetime import date as date_type
from datetime import datetime, time
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from frontmatter.default_handlers import YAMLHandler
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from slugify import slugify

from generator.config import Config
from generator.errors import BuildFailed, BuildWarning, ContentError, SiteError, decode_utf8
from generator.front_matter_cache import CachedPost, FrontMatterCache, head_digest
from generator.old_comments import SUFFIX as COMMENTS_SUFFIX
from generator.old_comments import CommentsFile
from generator.old_comments import load as load_comments
from generator.text import without_unwanted_characters
from generator.urls import MAX_SEGMENT_BYTES, WINDOWS_RESERVED, alias_problem, unsafe_segment_reason

FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
# What editors and OSes leave beside real files: Emacs locks and backups, Vim swap files, macOS metadata.
IGNORED_NAME = re.compile(r"^\.|~$|^#.*#$|\.(swp|swo|swx|tmp|bak|orig)$", re.IGNORECASE)
MARKDOWN_SUFFIXES = {".md", ".markdown"}
# Front matter is a few levels deep and a few dozen values; far more is a mistake or an attack
# (YAML aliases let ten lines expand to billions of values: the "billion laughs").
MAX_FRONT_MATTER_DEPTH = 50
MAX_FRONT_MATTER_VALUES = 100_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_Loader):  # type: ignore[misc, valid-type]
    """Safe YAML, but dates stay strings: we parse them ourselves to report bad ones with their line."""


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


@dataclass(frozen=True)
class SourcePost:
    """One post as written: validated front matter and the raw Markdown body."""

    source: Path  # the file
    rel_path: PurePosixPath  # relative to posts/
    title: str
    date: datetime  # aware
    updated: datetime | None
    slug: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]  # [authors.*] keys or plain names
    summary: str | None
    image: str | None
    draft: bool
    comments: bool
    pinned_id: str | None  # front matter `id`: keeps feed ids and comment threads when a slug changes
    extra: dict[str, Any] = field(compare=False)
    body: str = field(repr=False)
    body_line: int = 1  # the file's line number of the body's first line
    aliases: tuple[str, ...] = ()  # old site paths of the post: each gets a redirect page
    # What reading the post noticed (a tags string holding commas, a slug made URL-safe),
    # and the line of each front-matter key, for warnings found later (an unknown author).
    notes: tuple[BuildWarning, ...] = field(default=(), compare=False)
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    # The comments kept from the previous blog (X.comments.json beside X.md), or None.
    old_comments: CommentsFile | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Asset:
    """A file beside the posts (an image, a PDF) copied to the output with the same relative path."""

    source: Path
    rel_path: PurePosixPath


@dataclass(frozen=True)
class Content:
    posts: tuple[SourcePost, ...]
    assets: tuple[Asset, ...]
    warnings: tuple[BuildWarning, ...] = ()  # about the folder, not a post: no posts/ yet


def number_as_text(value: Any) -> Any:
    """`title: 2024` or `slug: 1.0` are text to a writer, not numbers (a front-matter validator)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def non_blank_title(value: str) -> str:
    """A title without its surrounding spaces, never empty (a front-matter validator)."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


class FrontMatter(BaseModel):
    """The keys the generator understands; any other key is kept for templates as `post.extra`."""

    model_config = ConfigDict(extra="allow", strict=True)

    title: str
    date: str | None = None
    updated: str | None = None
    slug: str | None = None
    tags: list[str] = []
    author: list[str] = []
    authors: list[str] = []
    summary: str | None = None
    image: str | None = None
    draft: bool = False
    comments: bool = True
    id: str | None = None
    aliases: list[str] = []

    _scalar_text = field_validator("title", "summary", "slug", "image", "id", mode="before")(number_as_text)
    _not_blank = field_validator("title")(non_blank_title)

    @field_validator("tags", "author", "authors", "aliases", mode="before")
    @classmethod
    def _string_or_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(item) if isinstance(item, (int, float)) and not isinstance(item, bool) else item for item in value]
        raise ValueError(f"must be a text or a list of texts, not {type(value).__name__} {value!r}")


def load_content(config: Config, cache: FrontMatterCache | None = None) -> Content:
    """Read every post and asset under posts/; raise BuildFailed with every problem found.
    With a `cache`, a post whose front matter is the one last read is not parsed again."""
    posts_dir = config.posts_dir
    if not posts_dir.exists():
        return Content((), (), (BuildWarning('no posts/ folder: the blog has no posts yet (blog new "Title" starts one)'),))
    if not posts_dir.is_dir():
        raise ContentError("posts is a file, not a folder", posts_dir, hint="posts/ must be a folder of Markdown files")
    posts: list[SourcePost] = []
    assets: list[Asset] = []
    errors: list[SiteError] = []
    markdown_files: list[Path] = []
    comments_files: list[Path] = []
    for path, error in walk_sources(posts_dir, config.root):
        if error is not None:
            errors.append(error)
            continue
        rel = PurePosixPath(path.relative_to(posts_dir).as_posix())
        if is_folder_readme(rel):
            continue  # notes for the writers of this folder, as GitHub shows them: not a post
        if is_comments_file(rel):
            comments_files.append(path)  # read with its post (read_post); never published
            continue
        if path.suffix.lower() in MARKDOWN_SUFFIXES:
            markdown_files.append(path)
            try:
                posts.append(read_post(path, rel, config.zone, cache))
            except ContentError as exc:
                errors.append(exc)
            except BuildFailed as exc:
                errors.extend(exc.errors)
        else:
            assets.append(Asset(path, rel))
    if cache is not None:
        cache.save()  # also when some posts failed: the others need not be parsed again
    if errors:
        raise BuildFailed(errors)
    return Content(tuple(posts), tuple(assets), tuple(_orphan_comments_warnings(comments_files, markdown_files)))


def is_comments_file(rel: PurePosixPath) -> bool:
    """X.comments.json (any case): comments kept from the previous blog, data for the post
    X.md beside it. Never copied to the output, in posts/ or pages/: the file holds
    third-party text the theme shows only after cleaning it."""
    return rel.name.lower().endswith(COMMENTS_SUFFIX)


def comments_file_of(post: Path) -> Path:
    """Where a post's kept comments are: `2019-03-04-hello.md` -> `2019-03-04-hello.comments.json`."""
    return post.with_name(post.stem + COMMENTS_SUFFIX)


def _orphan_comments_warnings(comments_files: list[Path], markdown_files: list[Path]) -> list[BuildWarning]:
    """A comments file no post reads (its post renamed or deleted, a misspelt name) would
    silently show nothing: say so."""
    read = {comments_file_of(post) for post in markdown_files}
    warnings = []
    for path in comments_files:
        if path in read:
            continue
        stem = path.name[: -len(COMMENTS_SUFFIX)]
        if path.name.endswith(COMMENTS_SUFFIX):
            problem = f"no post {stem}.md beside it"
        else:
            problem = f"the name must end in {COMMENTS_SUFFIX} in lower case ({stem}{COMMENTS_SUFFIX} for {stem}.md)"
        warnings.append(
            BuildWarning(
                f"comments file without its post: {problem}, so its comments are shown nowhere (the file is not published); "
                "rename it to match its post, or delete it",
                path,
            )
        )
    return warnings


def is_folder_readme(rel: PurePosixPath) -> bool:
    """README.md (any case, .md or .markdown) in posts/, pages/ or a folder of theirs: a folder's
    notes for writers, skipped rather than read as a post or page."""
    return rel.stem.lower() == "readme" and rel.suffix.lower() in MARKDOWN_SUFFIXES


def walk_sources(posts_dir: Path, site_root: Path):
    """Yield (file, None) for every file to read, or (path, error) for one that must be refused."""
    root = site_root.resolve()
    unreadable: list[OSError] = []  # folders os.walk could not list: their posts must not vanish silently
    for folder, dirnames, filenames in os.walk(posts_dir, onerror=unreadable.append):
        folder_path = Path(folder)
        dirnames[:] = sorted(d for d in dirnames if not IGNORED_NAME.search(d))
        for name in list(dirnames):
            if (folder_path / name).is_symlink():
                dirnames.remove(name)
                yield _symlink_check(folder_path / name, root)
        for name in sorted(filenames):
            if IGNORED_NAME.search(name):
                continue
            path = folder_path / name
            if path.is_symlink():
                result = _symlink_check(path, root)
                if result[1] is not None:
                    yield result
                    continue
            if not path.is_file():  # a FIFO would block the build forever
                yield path, ContentError("is not a regular file (a pipe, socket or device); refusing to read it", path)
                continue
            yield path, None
    for exc in unreadable:
        unreadable_folder = Path(exc.filename)
        yield unreadable_folder, ContentError(f"cannot read the folder: {exc.strerror or exc}", unreadable_folder)


def _symlink_check(path: Path, root: Path) -> tuple[Path, ContentError | None]:
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return path, ContentError(f"is a symbolic link to {os.readlink(path)}, which does not exist", path)
    except (OSError, RuntimeError):  # Python before 3.13 raises RuntimeError for a loop of links
        return path, ContentError("is a symbolic link that leads back to itself", path)
    if not target.is_relative_to(root):
        return path, ContentError(
            f"is a symbolic link to {target}, outside the site folder; refusing to read it",
            path,
            hint="copy the file into the site instead of linking to it",
        )
    if target.is_dir():
        return path, ContentError("is a symbolic link to a folder; link the files or move the folder", path)
    return path, None


def read_post(path: Path, rel: PurePosixPath, zone: ZoneInfo, cache: FrontMatterCache | None = None) -> SourcePost:
    """The post in `path`, with its kept comments when a comments file is beside it. With a
    `cache`, front matter read before (the same text) is taken from it, not parsed again."""
    text = read_source_text(path)
    post = _read_cached(text, path, rel, zone, cache) if cache is not None else None
    if post is None:
        meta, key_lines, body, body_line = split_front_matter(text, path)
        post = _validate(meta, key_lines, body, body_line, path, rel, zone)
        if cache is not None:
            cache.put(rel.as_posix(), _cache_entry(post, meta, text))
    comments = _read_comments_beside(path)
    return dataclasses.replace(post, old_comments=comments) if comments is not None else post


def _read_comments_beside(post: Path) -> CommentsFile | None:
    """The post's comments file read and checked (old_comments.load), or None when it has none.
    Only a regular file: a link could point anywhere, a pipe would block the build."""
    path = comments_file_of(post)
    if not os.path.lexists(path):
        return None
    if path.is_symlink():
        raise ContentError("is a symbolic link; a comments file must be a regular file beside its post", path)
    if not path.is_file():
        raise ContentError("is not a regular file; refusing to read it as the post's comments", path)
    return load_comments(path)


def read_source_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read the file: {exc.strerror or exc}", path) from exc
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ContentError("contains a NUL byte; is this a binary file saved as .md?", path, line)
    text = decode_utf8(data, path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_cached(text: str, path: Path, rel: PurePosixPath, zone: ZoneInfo, cache: FrontMatterCache) -> SourcePost | None:
    """The post rebuilt from its cache entry and the body in `text`; None when the cache has
    no usable entry for this front matter (then it is parsed as without a cache)."""
    try:
        _, body = _front_matter_and_body(text, path)
    except ContentError:
        return None  # parsed again, to report the problem
    key = rel.as_posix()
    entry = cache.get(key, head_digest(text[: len(text) - len(body)]))
    if entry is None:
        return None
    post = _from_cached(entry, body, path, rel, zone)
    if post is not None:
        cache.keep(key, entry)
    return post


def _cache_entry(post: SourcePost, meta: dict, text: str) -> CachedPost:
    """What the cache keeps of a post just read: all but its body and what comes from outside
    its front matter (the zone dates are read in, the file's path)."""
    return CachedPost(
        head=head_digest(text[: len(text) - len(post.body)]),
        title=post.title,
        date=meta.get("date"),  # the text FrontMatter validated (str or absent)
        updated=meta.get("updated"),
        slug=post.slug,
        tags=post.tags,
        authors=post.authors,
        summary=post.summary,
        image=post.image,
        draft=post.draft,
        comments=post.comments,
        pinned_id=post.pinned_id,
        extra=post.extra,
        body_line=post.body_line,
        aliases=post.aliases,
        notes=tuple((note.message, note.line) for note in post.notes),
        key_lines=post.key_lines,
    )


def _from_cached(entry: CachedPost, body: str, path: Path, rel: PurePosixPath, zone: ZoneInfo) -> SourcePost | None:
    """The SourcePost _validate made from this entry's front matter, or None when the entry
    could not have come from _validate (a forged one): the checks on paths are made again."""
    if unsafe_segment_reason(entry.slug) is not None or any(alias_problem(alias) for alias in entry.aliases):
        return None
    try:
        if entry.date is not None:
            post_date: datetime | None = parse_date(entry.date, zone)
        else:
            post_date = _file_name_date(FILENAME_DATE.match(PurePosixPath(rel.name).stem), zone)
        updated = parse_date(entry.updated, zone) if entry.updated is not None else None
    except ValueError:
        return None
    if post_date is None:
        return None
    return SourcePost(
        source=path,
        rel_path=rel,
        title=entry.title,
        date=post_date,
        updated=updated,
        slug=entry.slug,
        tags=entry.tags,
        authors=entry.authors,
        summary=entry.summary,
        image=entry.image,
        draft=entry.draft,
        comments=entry.comments,
        pinned_id=entry.pinned_id,
        extra=dict(entry.extra),
        body=body,
        body_line=entry.body_line,
        aliases=entry.aliases,
        notes=tuple(BuildWarning(message, path, line) for message, line in entry.notes),
        key_lines=dict(entry.key_lines),
    )


def _front_matter_and_body(text: str, path: Path) -> tuple[str, str]:
    """The front matter's text and the body: a post starts with a `---` line, YAML, a `---` line."""
    handler = YAMLHandler()
    if not text.strip():
        raise ContentError("is empty; a post needs front matter with at least a title", path, 1)
    if not handler.detect(text) or not re.match(r"-{3,}[ \t]*\n", text):
        raise ContentError(
            "has no front matter; a post starts with a '---' line, YAML keys (title: ...), and another '---' line",
            path,
            1,
        )
    try:
        fm_text, body = handler.split(text)
    except ValueError:
        raise ContentError("front matter opened on line 1 is never closed with a '---' line", path, 1) from None
    return fm_text, body


def split_front_matter(text: str, path: Path) -> tuple[dict, dict[str, int], str, int]:
    """Return (metadata, line of each key, body, line where the body starts)."""
    fm_text, body = _front_matter_and_body(text, path)
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    # fm_text starts with the newline that ends the opening "---", so its line 0 is file line 1.
    meta, key_lines = _load_yaml(fm_text, path, first_line=1)
    return meta, key_lines, body, body_line


def _load_yaml(fm_text: str, path: Path, first_line: int) -> tuple[dict, dict[str, int]]:
    loader = _FrontMatterLoader(fm_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise ContentError("front matter must be YAML keys and values (title: ...), not a list or text", path, first_line)
        _check_shape(node, path, first_line)
        key_lines = {str(key.value): key.start_mark.line + first_line for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = _error_mark(exc, fm_text)
        line = mark.line + first_line if mark else first_line
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        error_line = fm_text.split("\n")[mark.line] if mark and mark.line < fm_text.count("\n") + 1 else ""
        has_tab = "\t" in error_line or "tab" in problem
        hint = "YAML does not allow tabs for indentation; use spaces" if has_tab else _colon_hint(problem, error_line)
        raise ContentError(f"front matter is not valid YAML: {problem}", path, line, hint=hint) from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"front matter is not valid YAML: {exc}", path, first_line) from exc
    except RecursionError:
        raise ContentError("front matter is nested too deeply", path, first_line) from None
    except ValueError as exc:  # a number of more than 4,300 digits (Python's limit on int())
        raise ContentError(f"front matter has a value Python refuses to read: {exc}", path, first_line) from exc
    finally:
        loader.dispose()
    data = _without_control_characters(data)
    if not all(isinstance(key, str) for key in data):
        bad = next(key for key in data if not isinstance(key, str))
        raise ContentError(f"front matter key {bad!r} is not text", path, first_line)
    return data, key_lines


def _colon_hint(problem: str, line: str) -> str | None:
    """`title: Colon: in title` makes YAML read a second key inside the value: say to quote it."""
    key, sep, value = line.partition(":")
    if "mapping values are not allowed" not in problem or not sep or not value.strip():
        return None
    quoted = value.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'a value holding ": " must be quoted: {key.strip()}: "{quoted}"'


def _error_mark(exc: yaml.MarkedYAMLError, fm_text: str):
    """Where a YAML error is: the problem's place, unless the parser only noticed it at the end
    of the front matter (an unclosed bracket or quote): then the place that opened it."""
    mark = exc.problem_mark
    if mark is None or (exc.context_mark is not None and not fm_text[mark.index :].strip()):
        return exc.context_mark or mark
    return mark


def _check_shape(root: yaml.Node, path: Path, first_line: int) -> None:
    """Refuse, before it is built, front matter too deep or too big to build (aliases expand,
    and may refer to themselves) and keys given twice (YAML would silently keep the last)."""
    sizes: dict[int, int | None] = {}  # node -> values it expands to; None while being counted

    def fail(node: yaml.Node, message: str) -> None:
        raise ContentError(f"front matter {message}", path, node.start_mark.line + first_line)

    def count(node: yaml.Node, depth: int) -> int:
        if id(node) in sizes:
            size = sizes[id(node)]
            if size is None:
                fail(node, "refers to itself through a YAML alias (*name inside &name)")
            return size  # type: ignore[return-value]
        if depth > MAX_FRONT_MATTER_DEPTH:
            fail(node, f"is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep")
        sizes[id(node)] = None
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            _check_unique_keys(node, fail)
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        size = 1 + sum(count(child, depth + 1) for child in children)
        if size > MAX_FRONT_MATTER_VALUES:
            fail(node, f"expands to more than {MAX_FRONT_MATTER_VALUES:,} values through YAML aliases")
        sizes[id(node)] = size
        return size

    count(root, 0)


def _check_unique_keys(node: yaml.MappingNode, fail) -> None:
    seen = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        if (key.tag, key.value) in seen:
            fail(key, f"key {key.value!r} is given twice; YAML would keep only the last one")
        seen.add((key.tag, key.value))


def _without_control_characters(value: Any) -> Any:
    """Strip characters no page or feed may hold (YAML lets "\x01" through as an escape)."""
    if isinstance(value, str):
        return without_unwanted_characters(value)
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {_without_control_characters(k): _without_control_characters(v) for k, v in value.items()}
    return value


def _validate(meta, key_lines, body, body_line, path, rel, zone) -> SourcePost:
    errors: list[ContentError] = []
    notes: list[BuildWarning] = []

    def fail(key: str | None, message: str, hint: str | None = None) -> None:
        line = key_lines.get(key, 1) if key else 1
        errors.append(ContentError(f"{key}: {message}" if key else message, path, line, hint=hint))

    def warn(key: str, message: str) -> None:
        notes.append(BuildWarning(f"{key}: {message}", path, key_lines.get(key, 1)))

    try:
        fm = FrontMatter.model_validate(meta)
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else None
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = "is required"
            elif err["type"].endswith("_type"):
                message = f"{message}, got {type(err['input']).__name__} {_short(err['input'])}"
            fail(key, message)
        raise BuildFailed(errors) from exc

    name_match = FILENAME_DATE.match(PurePosixPath(rel.name).stem)
    post_date = updated = None
    if fm.date is not None:
        post_date = _parse_date(fm.date, zone, lambda m: fail("date", m))
    elif name_match:
        try:
            post_date = _file_name_date(name_match, zone)
        except ValueError as exc:
            fail(None, f"the date in the file name is impossible ({exc})", "rename the file or set date: in the front matter")
    else:
        fail(None, "has no date: add `date: YYYY-MM-DD` to the front matter or start the file name with YYYY-MM-DD-")
    if fm.updated is not None:
        updated = _parse_date(fm.updated, zone, lambda m: fail("updated", m))

    if isinstance(meta.get("tags"), str) and "," in meta["tags"]:
        parts = ", ".join(part.strip() for part in meta["tags"].split(",") if part.strip())
        warn("tags", f"{meta['tags']!r} is one tag holding commas; for several tags write a list: tags: [{parts}]")
    slug = _choose_slug(fm, rel, name_match, fail, warn)
    for alias in fm.aliases:
        problem = alias_problem(alias)
        if problem:
            fail("aliases", f"{alias!r} {problem}")
    authors = fm.authors or fm.author
    if fm.authors and fm.author:
        fail("authors", "use either author or authors, not both")
    if errors:
        raise BuildFailed(errors)
    assert post_date is not None  # else fail("date", ...) added an error above
    extra = dict(fm.model_extra or {})
    summary = fm.summary if fm.summary is not None else _text_or_none(extra.get("description") or extra.get("excerpt"))
    return SourcePost(
        source=path,
        rel_path=rel,
        title=fm.title,
        date=post_date,
        updated=updated,
        slug=slug,
        tags=_unique(tag.strip() for tag in fm.tags if tag.strip()),
        authors=_unique(name.strip() for name in authors if name.strip()),
        summary=summary.strip() if summary else None,
        image=fm.image.strip() if fm.image else None,
        draft=fm.draft,
        comments=fm.comments,
        pinned_id=fm.id,
        extra=extra,
        body=body,
        body_line=body_line,
        aliases=_unique(fm.aliases),
        notes=tuple(notes),
        key_lines=dict(key_lines),
    )


def _choose_slug(fm: FrontMatter, rel: PurePosixPath, name_match, fail, warn) -> str:
    if fm.slug is not None:
        reason = unsafe_segment_reason(fm.slug)
        if reason and not _could_escape(fm.slug) and len(fm.slug.encode("utf-8")) <= MAX_SEGMENT_BYTES:
            # Spaces, accents, '&': made URL-safe as a file name's slug is, and said so (one too
            # long for a folder name stays an error: cutting it would be a guess).
            safe = slugify(fm.slug, max_length=100)
            if safe and unsafe_segment_reason(safe) is None:
                warn("slug", f"{fm.slug!r} is not URL-safe; the post's slug is {safe!r} (write slug: {safe} to silence this)")
                return safe
        if reason:
            fail("slug", f"{fm.slug!r} {reason}")
        return fm.slug
    stem = name_match[4] if name_match else PurePosixPath(rel.name).stem
    if unsafe_segment_reason(stem) is None:
        return stem
    slug = slugify(stem, max_length=100) or slugify(fm.title, max_length=100) or "post"
    reason = unsafe_segment_reason(slug)
    if reason:
        fail(None, f"the file name gives the slug {slug!r}, which {reason}", "set slug: in the front matter or rename the file")
    return slug


def _could_escape(slug: str) -> bool:
    """A slug that names another folder or a device (`..`, `/etc`, `a\\b`, `con`): refused, never
    guessed at, since what the writer meant is not clear."""
    return (
        slug.strip() in ("", ".", "..")
        or "/" in slug
        or "\\" in slug
        or any(ord(ch) < 32 or ch == "\x7f" for ch in slug)
        or slug.split(".")[0].strip().lower() in WINDOWS_RESERVED
    )


def _file_name_date(name_match: re.Match[str] | None, zone: ZoneInfo) -> datetime | None:
    """Midnight of the day a file name starts with (2026-11-24-...), or None; ValueError for an impossible day."""
    if name_match is None:
        return None
    day = date_type(int(name_match[1]), int(name_match[2]), int(name_match[3]))
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def parse_date(value: str, zone: ZoneInfo) -> datetime:
    """Parse the date forms writers use: 2026-11-24, 2026-11-24 09:30, ISO 8601 with offset, Jekyll's `-0700`."""
    text = value.strip()
    text = re.sub(r"(\d)\s+(Z|UTC|[+-]\d{1,2}(:?\d{2})?)$", r"\1\2", text)
    text = re.sub(r"UTC$", "+00:00", text)
    text = re.sub(r"([+-])(\d)$", r"\g<1>0\g<2>:00", text)  # YAML allows "-5" for -05:00
    text = re.sub(r"([+-]\d{2})$", r"\1:00", text) if re.search(r"[T ]\d", text) else text
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _parse_date(value: str, zone: ZoneInfo, fail) -> datetime | None:
    try:
        return parse_date(value, zone)
    except ValueError as exc:
        reason = str(exc)
        if "range" in reason or "must be in" in reason:
            fail(f"{value!r} is not a real date ({reason})")
        else:
            fail(f"{value!r} is not a date I can read; write it as YYYY-MM-DD, YYYY-MM-DD HH:MM or 2026-11-24T09:30:00+01:00")
        return None


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
