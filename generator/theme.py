"""Stage: Config -> Theme (the Jinja environment and the static folders).

Templates are looked up in the site's own `templates/` first, then in the theme's,
so a site overrides any theme file by giving one of the same name; an override can
still extend the file it replaces as "!theme/<name>". Autoescape is always on:
everything that comes from front matter is escaped unless a template says otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

import babel
import babel.dates
import jinja2

from generator.config import Config
from generator.errors import ConfigError, ContentError, decode_utf8
from generator.plugins import Plugin, plugins_digest
from generator.urls import Urls


@dataclass(frozen=True)
class Theme:
    name: str
    directory: Path
    env: jinja2.Environment
    static_dirs: tuple[Path, ...]  # later ones win: the theme's, then the site's
    plugins_digest: str = ""  # of the site's plugins, whose filters every page may use


class TemplateFolderLoader(jinja2.FileSystemLoader):
    """Jinja's FileSystemLoader, but a template file it cannot use (not UTF-8, unreadable, a link
    to nothing) is a ContentError naming that file, not a traceback nor a silent fallback to
    the theme's template of the same name."""

    def get_source(self, environment, template):
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            broken_link = next((p for p in self._candidates(template) if p.is_symlink()), None)
            if broken_link is not None:
                raise ContentError(f"is a symbolic link to {os.readlink(broken_link)}, which does not exist", broken_link) from None
            raise
        except UnicodeDecodeError:
            path = next(p for p in self._candidates(template) if p.is_file())
            decode_utf8(path.read_bytes(), path)  # raises, naming the line
            raise
        except OSError as exc:
            unreadable = Path(exc.filename) if exc.filename else next(iter(self._candidates(template)), None)
            raise ContentError(f"cannot read the template: {exc.strerror or exc}", unreadable) from exc

    def _candidates(self, template: str) -> list[Path]:
        return [Path(folder, *jinja2.loaders.split_template_path(template)) for folder in self.searchpath]


def load_theme(config: Config, urls: Urls, plugins: tuple[Plugin, ...] = ()) -> Theme:
    """The Jinja environment for the site's templates over the theme's, with the built-in
    filters and those of the site's plugins (plugins.py)."""
    directory = config.theme_dir
    if not (directory / "templates").is_dir():  # load_config has checked this; a theme deleted since is still an error
        raise ConfigError(f"build.theme: no theme named {config.build.theme!r}", config.root / "site.toml", key="build.theme")
    theme_loader = TemplateFolderLoader(directory / "templates")
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"!theme": theme_loader}),
            TemplateFolderLoader(config.root / "templates"),
            theme_loader,
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(
        url=urls.link,
        absolute_url=urls.absolute,
        date=date_formatter(config.site.language),
        isodate=lambda value: value.isoformat() if value else "",
        rfc822=lambda value: format_datetime(value) if value else "",
    )
    for plugin in plugins:
        env.filters.update(plugin.filters)
    static_dirs = tuple(d for d in (directory / "static", config.root / "static") if d.is_dir())
    return Theme(config.build.theme, directory, env, static_dirs, plugins_digest(plugins))


def date_formatter(language: str):
    """The `date` filter for the site's language: "long" is Babel's full date
    ("Tuesday, 24 November 2026" in en-GB, "Dienstag, 24. November 2026" in de),
    "short" its medium date, "month" the month and year; anything else is a strftime pattern."""
    locale = babel.Locale.parse(language, sep="-")
    patterns = {"long": "full", "short": "medium", "month": "LLLL y"}

    @lru_cache(maxsize=65536)
    def babel_date(day: date, pattern: str) -> str:
        # Babel takes ~40 µs a date; the archive of a 10,000-post site asks 10,000 times.
        return babel.dates.format_date(day, pattern, locale=locale)

    def format_date(value: datetime | None, style: str = "long") -> str:
        if value is None:
            return ""
        if style in patterns:
            return babel_date(value.date(), patterns[style])
        return value.strftime(style)

    return format_date
