"""Stage 1: site.toml -> Config.

The file is read with tomllib and validated with pydantic. Every problem becomes a
ConfigError naming the key (``build.permalink``) and, where the key is written in
the file, its line. Unknown keys are errors: a typo must not be silently ignored.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from generator.code_digest import BUILTIN_THEMES
from generator.comments import CommentsSection
from generator.errors import BuildFailed, ConfigError, decode_utf8
from generator.text import without_unwanted_characters

CONFIG_FILE = "site.toml"
PERMALINK_TOKENS = ("year", "month", "day", "slug")
_C0_OR_SPACE = "".join(map(chr, range(0x21)))  # what browsers strip from the start of a URL

# Text and URLs from site.toml that templates write into pages (text is cleaned as posts' is).
VisibleText = Annotated[str, AfterValidator(without_unwanted_characters)]
SiteLink = Annotated[str, AfterValidator(lambda value: check_link_url(value, paths=True))]  # http(s), or a path on the site
WebLink = Annotated[str, AfterValidator(lambda value: check_link_url(value, paths=False))]  # http(s) only


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class SiteSection(_Section):
    title: VisibleText
    description: VisibleText = ""
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    copyright: VisibleText | None = None
    image: SiteLink | None = None  # default social-card image, relative to static/ or absolute URL
    favicon: str | None = None
    logo: str | None = None

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty: pages and feeds need a title")
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        return check_base_url(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Paris'") from None
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str) -> str:
        try:
            babel.Locale.parse(value, sep="-")
        except (ValueError, babel.UnknownLocaleError):
            raise ValueError(f"{value!r} is not a language tag I know, such as 'en', 'en-GB' or 'pt-BR'") from None
        return value


class AuthorEntry(_Section):
    name: VisibleText
    url: WebLink | None = None
    email: str | None = None
    bio: VisibleText | None = None
    avatar: SiteLink | None = None


class BuildSection(_Section):
    output_dir: str = "_site"
    theme: str = "default"
    permalink: str = "/{year}/{month}/{slug}/"
    posts_per_page: int = Field(default=10, ge=1, le=1000)
    highlight_light: str = "default"
    highlight_dark: str = "monokai"
    words_per_minute: int = Field(default=220, ge=50, le=2000)
    related_posts: int = Field(default=3, ge=0, le=50)
    plugins: list[str] = []  # module names in the site's plugins/ folder (plugins.py)

    @field_validator("plugins")
    @classmethod
    def _module_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not a module name (plugins/<name>.py; letters, digits and _)")
        return value

    @field_validator("permalink")
    @classmethod
    def _valid_pattern(cls, value: str) -> str:
        check_permalink_pattern(value)
        return value


class FeedsSection(_Section):
    rss: bool = True
    atom: bool = True
    json_feed: bool = Field(default=True, alias="json")
    limit: int = Field(default=20, ge=1, le=10000)
    full_content: bool = True
    per_tag: bool = True
    per_author: bool = True

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SearchSection(_Section):
    enabled: bool = False  # client-side search with Pagefind: pip install 'blog-generator[search]'


class MenuItem(_Section):
    name: VisibleText
    url: SiteLink


class Config(_Section):
    site: SiteSection
    authors: dict[str, AuthorEntry] = {}
    build: BuildSection = BuildSection()
    feeds: FeedsSection = FeedsSection()
    search: SearchSection = SearchSection()
    comments: CommentsSection = CommentsSection()
    menu: tuple[MenuItem, ...] = ()

    # Not from the file, set by load_config: the site folder, the theme folder in use, and
    # site.toml's text (for the line of a key in errors found after loading).
    _root: Path = PrivateAttr(default=Path("."))
    _theme_dir: Path | None = PrivateAttr(default=None)
    _text: str = PrivateAttr(default="")
    _lines: dict[tuple[str, ...], int | None] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _authors_keys(self) -> Config:
        for key in self.authors:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", key):
                raise ValueError(f"author key {key!r} must be letters, digits, '-', '_' or '.'")
        return self

    @property
    def root(self) -> Path:
        return self._root

    @property
    def theme_dir(self) -> Path:
        """The folder of the theme in use: themes/<name>/ in the site, else a built-in theme."""
        assert self._theme_dir is not None, "set by load_config"
        return self._theme_dir

    def key_line(self, *loc: str) -> int | None:
        """The line where a key is written in site.toml (`config.key_line("build", "theme")`)."""
        if loc not in self._lines:
            self._lines[loc] = find_key_line(self._text, list(loc))
        return self._lines[loc]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def posts_dir(self) -> Path:
        return self.root / "posts"

    @property
    def output_dir(self) -> Path:
        return (self.root / self.build.output_dir).resolve()


def check_base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL such as 'https://blog.example.com'")
    if parts.query or parts.fragment:
        raise ValueError("must not have a query or fragment")
    return value.rstrip("/") + "/"


def check_link_url(value: str, *, paths: bool) -> str:
    """A URL that templates write into an href or src: http(s), or (with `paths`) a path on the site.
    Any other scheme (javascript:, vbscript:, data:) is refused, however it is spelt: the scheme is
    read as a browser reads it, after leading controls and spaces and with tabs and newlines removed."""
    scheme = urlsplit(re.sub(r"[\t\n\r]", "", value).lstrip(_C0_OR_SPACE)).scheme
    if scheme in ("http", "https") or (paths and not scheme):
        return value
    wanted = "an http(s) URL or a path on the site" if paths else "an http(s) URL"
    raise ValueError(f"must be {wanted}, not a {scheme}: URL" if scheme else f"must be {wanted}")


def check_permalink_pattern(pattern: str) -> None:
    if not pattern.startswith("/"):
        raise ValueError("must start with '/'")
    tokens = re.findall(r"\{([^}]*)\}", pattern)
    unknown = [t for t in tokens if t not in PERMALINK_TOKENS]
    if unknown:
        raise ValueError(f"unknown token {{{unknown[0]}}}; use {', '.join('{' + t + '}' for t in PERMALINK_TOKENS)}")
    if "slug" not in tokens:
        raise ValueError("must contain {slug}, or every post would share one URL")
    if ".." in pattern.split("/") or "\\" in pattern:
        raise ValueError("must not contain '..' or backslashes")


def load_config(site_dir: Path, *, base_url: str | None = None) -> Config:
    """Read and validate `site_dir/site.toml`; `base_url` overrides [site].base_url."""
    path = site_dir / CONFIG_FILE
    try:
        data_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"no {CONFIG_FILE} in {site_dir}",
            path,
            hint="run blog in a site folder or pass --site DIR; to start a new blog here: blog init",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_FILE}: {exc.strerror or exc}", path) from exc
    text = decode_utf8(data_bytes, path, ConfigError)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(f"invalid TOML: {exc}", path, line) from exc
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ConfigError("invalid TOML: values are nested too deeply", path, _most_nested_line(text)) from None
    except ValueError:  # not a TOMLDecodeError: an integer longer than the 4,300 digits Python reads
        line = next((n for n, row in enumerate(text.splitlines(), 1) if re.search(r"\d{4300}", row)), None)
        raise ConfigError("invalid TOML: a number has more than 4,300 digits", path, line) from None
    if base_url is not None:
        data.setdefault("site", {})
        if isinstance(data["site"], dict):
            data["site"]["base_url"] = base_url
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise BuildFailed([_config_error(err, path, text) for err in exc.errors()]) from exc
    config._root = site_dir.resolve()
    config._text = text
    config._theme_dir = _theme_dir(config, path, text)
    return config


def _config_error(err: ErrorDetails, path: Path, text: str) -> ConfigError:
    loc = [str(part) for part in err["loc"]]
    key = ".".join(loc) if loc else "(top level)"
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        message = "is required"
    elif err["type"] == "extra_forbidden":
        message = "is not a known setting"
        close = difflib.get_close_matches(loc[-1], known_settings(loc[:-1]), n=1) if loc else []
        if close:
            message += f" (did you mean {close[0]}?)"
    line = find_key_line(text, loc) or (find_key_line(text, loc[:-1]) if len(loc) > 1 else None)
    return ConfigError(f"{key}: {message}", path, line, key=key)


def known_settings(parents: list[str]) -> list[str]:
    """The names site.toml may use inside the table `parents` (["build"]: output_dir, theme...)."""
    kind: Any = Config
    for part in parents:
        kind = _table_type(kind)
        origin = typing.get_origin(kind)
        if origin is dict:
            kind = typing.get_args(kind)[1]  # [authors.<key>]: any key, then an author's table
        elif origin in (tuple, list):
            kind = typing.get_args(kind)[0]  # [[menu]]: an index, then an item's table
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(part) or next((f for f in kind.model_fields.values() if f.alias == part), None)
            if field is None:
                return []
            kind = field.annotation
        else:
            return []
    kind = _table_type(kind)
    if not (isinstance(kind, type) and issubclass(kind, BaseModel)):
        return []
    return [field.alias or name for name, field in kind.model_fields.items()]


def _table_type(kind: Any) -> Any:
    """`X | None` -> X: the type a table of site.toml is read as."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return next((arg for arg in typing.get_args(kind) if arg is not type(None)), kind)
    return kind


def find_theme_dir(root: Path, name: str) -> Path | None:
    """themes/<name>/ in the site, else the built-in theme of that name; None if neither has templates/."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    for base in (root / "themes", *BUILTIN_THEMES):
        candidate = base / name
        if (candidate / "templates").is_dir():
            return candidate
    return None


def _theme_dir(config: Config, path: Path, text: str) -> Path:
    found = find_theme_dir(config.root, config.build.theme)
    if found is None:
        name = config.build.theme
        own_folder = config.root / "themes" / name
        problem = f"themes/{name}/ has no templates/ folder" if own_folder.is_dir() else f"no theme named {name!r}"
        raise ConfigError(
            f"build.theme: {problem}",
            path,
            find_key_line(text, ["build", "theme"]),
            hint="themes live in themes/<name>/ in the site or ship with the generator ('default')",
            key="build.theme",
        )
    return found


def find_key_line(text: str, loc: list[str]) -> int | None:
    """The line where a dotted key is written, found by scanning table headers and keys.

    tomllib keeps no positions, so this looks for `[table]` then `key =` below it;
    good enough to point a user at the right line, and None when not found.
    """
    if not loc:
        return None
    lines = text.splitlines()
    own_header = _table_header(loc, sub_tables=True)
    for number, line in enumerate(lines):
        if own_header.match(line):  # the key is a table (or holds tables, [comment.giscus]): its header
            return number + 1
    table, key = loc[:-1], loc[-1]
    start = 0
    if len(table) > 1 and table[-1].isdigit():  # menu.0.url: below the first [[menu]] header
        headers = [n for n, line in enumerate(lines) if _table_header(table[:-1]).match(line)]
        if int(table[-1]) >= len(headers):
            return find_key_line(text, table[:-1])
        start, table = headers[int(table[-1])] + 1, table[:-1]
    elif table:
        header = _table_header(table)
        for number, line in enumerate(lines):
            if header.match(line):
                start = number + 1
                break
        else:
            # The key may be the table itself (`[comments.giscus]`) or written inline.
            return find_key_line(text, table)
    key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*[=.]")  # `key = ...`, or dotted `key.sub = ...`
    table_re = re.compile(r"^\s*\[")
    for number in range(start, len(lines)):
        if table and number > start and table_re.match(lines[number]):
            break
        if not table and table_re.match(lines[number]):
            break  # a top-level key is written before the first table
        if key_re.match(lines[number]):
            return number + 1
    return None


def _table_header(parts: list[str], sub_tables: bool = False) -> re.Pattern:
    """`[a.b]` (or `[[a.b]]`); with `sub_tables`, also the header of a table inside it, `[a.b.c]`."""
    head = r"^\s*\[\[?\s*" + r"\s*\.\s*".join(re.escape(p) for p in parts)
    end = r"\s*\]\]?\s*(#.*)?$"
    return re.compile(head + (f"(\\s*\\.|{end})" if sub_tables else end))


def _most_nested_line(text: str) -> int | None:
    """The line opening the most arrays and inline tables: where too deep a nesting is written."""
    lines = text.splitlines()
    if not lines:
        return None
    return max(range(len(lines)), key=lambda number: lines[number].count("[") + lines[number].count("{")) + 1


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None
