"""`blog init`: a new, complete blog in a folder, written without overwriting anything.

`blog_files` lists what a new blog holds, as (path, content) pairs: site.toml with every
setting of config.py (set, or a comment giving its default and what it does, read from the
pydantic models so that it cannot drift), a first post, an About page, a favicon,
.gitignore, requirements.txt (the generator as it is installed here) and the GitHub Pages
workflow. `write_new_files` writes those that do not exist yet. The fixed files are in
`generator/scaffold/`, which the wheel carries.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from generator import __version__
from generator.comments import PROVIDERS, CommentsSection
from generator.config import CONFIG_FILE, AuthorEntry, Config, check_base_url
from generator.errors import ConfigError

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
DISTRIBUTION = "blog-generator"
DEFAULT_URL = "https://example.com/"
AUTHOR_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

# One line on each setting, by its table and key ("authors" for every [authors.KEY], "menu"
# for every [[menu]] item). A setting without a line here fails tests/unit/test_init.py.
HELP = {
    "site.title": "the blog's name: header, page titles, feeds",
    "site.description": "one line under the title, in feeds and in search results",
    "site.base_url": "CHANGE THIS: the address the blog is published at (the Pages workflow passes its own with --base-url)",
    "site.language": "<html lang> and the feeds' language: en, en-GB, pt-BR ...",
    "site.timezone": "IANA name, for post dates written without an offset",
    "site.copyright": "footer and feeds' rights",
    "site.image": "default social-card image, relative to the site root or an http(s) URL",
    "site.favicon": "the browser tab's icon and the feeds' icon, in static/",
    "site.logo": "the feeds' logo, relative to the site root",
    "authors.name": "required: the name shown on posts and in feeds",
    "authors.url": "a page about the author (http(s))",
    "authors.email": "shown in feeds",
    "authors.bio": "one or two sentences on the author's page",
    "authors.avatar": "a picture, relative to the site root",
    "build.output_dir": "where `blog build` writes the site",
    "build.theme": "themes/<name>/ in this folder, or a built-in theme",
    "build.permalink": "each post's address; tokens: {year} {month} {day} {slug}",
    "build.posts_per_page": "posts on each page of the home page, tag and author lists",
    "build.highlight_light": "Pygments style for code in light mode",
    "build.highlight_dark": "Pygments style for code in dark mode",
    "build.words_per_minute": "for the reading time shown on posts",
    "build.related_posts": "posts sharing the most tags, listed under each post",
    "build.plugins": "modules in plugins/ adding Jinja filters and files (the generator's docs/plugins.md)",
    "feeds.rss": "/feed.xml (RSS 2.0)",
    "feeds.atom": "/atom.xml (Atom 1.0)",
    "feeds.json": "/feed.json (JSON Feed 1.1)",
    "feeds.limit": "the newest posts each feed carries",
    "feeds.full_content": "whole posts in feeds (false: summaries only)",
    "feeds.per_tag": "feeds of each tag: /tags/<tag>/feed.xml and atom.xml",
    "feeds.per_author": "feeds of each author: /authors/<key>/feed.xml and atom.xml",
    "search.enabled": "client-side search with Pagefind (pip install 'blog-generator[search]'): a search box and /search/",
    "menu.name": "the link's text",
    "menu.url": "a path on the site or an http(s) URL",
    "comments.provider": "giscus | utterances | disqus | isso | remark42 | cusdis | none",
    "comments.load": "lazy (when scrolled near) | click (nothing loads until the reader asks) | eager",
    "comments.counts": "comment counts in post lists (Disqus, Remark42, Cusdis)",
    "comments.giscus.repo": "required: the GitHub repository holding the discussions",
    "comments.giscus.repo_id": "required: from https://giscus.app",
    "comments.giscus.category": "required: the discussion category",
    "comments.giscus.category_id": "required: from https://giscus.app",
    "comments.giscus.mapping": "how a post finds its discussion; specific: the post's stable id",
    "comments.giscus.strict": "match discussions by a hash of the key, not by search",
    "comments.giscus.reactions": "reactions above the comments",
    "comments.giscus.input_position": "bottom | top",
    "comments.giscus.theme": "follows the reader's light or dark mode",
    "comments.giscus.lang": "the widget's language; the site's when not set",
    "comments.utterances.repo": "required: the GitHub repository holding the issues",
    "comments.utterances.issue_term": "id (the post's stable id), pathname, url, title or og:title",
    "comments.utterances.label": "a label for the issues it opens",
    "comments.utterances.theme": "follows the reader's light or dark mode",
    "comments.disqus.shortname": "required: your Disqus site's shortname",
    "comments.isso.url": "required: your Isso server",
    "comments.isso.lang": "the widget's language; the site's when not set",
    "comments.isso.sorting": "newest | oldest | upvotes",
    "comments.remark42.url": "required: your Remark42 server (its REMARK_URL)",
    "comments.remark42.site_id": "required: its SITE id",
    "comments.remark42.locale": "the widget's language; the site's when not set",
    "comments.cusdis.url": "the hosted service, or your own instance",
    "comments.cusdis.app_id": "required: from the Cusdis dashboard",
    "comments.cusdis.lang": "a widget translation",
}

# A value to show for settings that are required or have no default.
EXAMPLES: dict[str, object] = {
    "site.copyright": "© {year} {title}",
    "site.image": "img/card.png",
    "site.logo": "img/logo.png",
    "site.favicon": "favicon.svg",
    "authors.name": "Jane Doe",
    "authors.url": "https://example.com/jane",
    "authors.email": "jane@example.com",
    "authors.bio": "Writes about databases.",
    "authors.avatar": "img/jane.jpg",
    "menu.name": "About",
    "menu.url": "/about/",
    "comments.giscus.repo": "OWNER/REPO",
    "comments.giscus.repo_id": "R_xxx",
    "comments.giscus.category": "Comments",
    "comments.giscus.category_id": "DIC_xxx",
    "comments.giscus.lang": "en",
    "comments.utterances.repo": "OWNER/REPO",
    "comments.utterances.label": "comments",
    "comments.disqus.shortname": "your-shortname",
    "comments.isso.url": "https://comments.example.com/",
    "comments.isso.lang": "en",
    "comments.remark42.url": "https://remark42.example.com",
    "comments.remark42.site_id": "remark",
    "comments.remark42.locale": "en",
    "comments.cusdis.app_id": "your-app-id",
    "comments.cusdis.lang": "en",
}


@dataclass(frozen=True)
class Requirement:
    """requirements.txt's text, and a warning when it is a line for the user to complete."""

    text: str
    warning: str | None = None


@dataclass(frozen=True)
class InitOptions:
    title: str
    url: str = DEFAULT_URL
    author_key: str | None = None
    author_name: str | None = None


@dataclass
class InitReport:
    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def title_from_folder(folder: Path) -> str:
    """`my-team_blog` -> `My Team Blog`; letters already upper case are kept (`iOS notes` -> `IOS Notes`)."""
    words = re.split(r"[\s_-]+", folder.resolve().name)
    return " ".join(word[:1].upper() + word[1:] for word in words if word) or "My Blog"


def check_options(options: InitOptions) -> None:
    """Usage problems, as ConfigErrors (exit 2)."""
    if not options.title.strip():
        raise ConfigError("--title must not be empty")
    try:
        check_base_url(options.url)
    except ValueError as exc:
        raise ConfigError(f"--url: {exc}", hint="the address the blog will be published at, e.g. https://blog.example.com/") from None
    if (options.author_key is None) != (options.author_name is None):
        raise ConfigError("--author and --author-name go together", hint="blog init --author jane --author-name 'Jane Doe'")
    if options.author_key is not None and not AUTHOR_KEY.fullmatch(options.author_key):
        raise ConfigError(f"--author {options.author_key!r}: an author key is letters, digits, '-', '_' or '.'")
    if options.author_name is not None and not options.author_name.strip():
        raise ConfigError("--author-name must not be empty")


def requirement_from(direct_url_json: str | None, version: str = __version__) -> Requirement:
    """requirements.txt for installing the generator as it was installed here, from the
    distribution's direct_url.json (PEP 610; None when it came from a package index)."""
    if direct_url_json is None:
        return Requirement(f"{DISTRIBUTION}=={version}\n")
    try:
        info = json.loads(direct_url_json)
    except ValueError:
        info = None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not isinstance(info, dict):
        return _to_complete(version, "its direct_url.json cannot be read")
    subdirectory = f"#subdirectory={info['subdirectory']}" if info.get("subdirectory") else ""
    if url.startswith("file:"):
        return _to_complete(version, f"it is installed from {url}, a path on this machine")
    if isinstance(info.get("vcs_info"), dict):
        vcs = info["vcs_info"]
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        pinned = f"@{commit}" if commit else ""
        return Requirement(f"{DISTRIBUTION} @ {vcs.get('vcs', 'git')}+{url}{pinned}{subdirectory}\n")
    if "archive_info" in info:
        archive = info["archive_info"] if isinstance(info["archive_info"], dict) else {}
        hashes = archive.get("hashes") or {}
        if "sha256" in hashes:
            fragment = f"#sha256={hashes['sha256']}"
        elif isinstance(archive.get("hash"), str) and "=" in archive["hash"]:
            fragment = "#" + archive["hash"]
        else:
            fragment = ""
        suffix = "" if "#" in url else fragment or subdirectory
        return Requirement(f"{DISTRIBUTION} @ {url}{suffix}\n")
    return _to_complete(version, f"it is installed from {url} in a way requirements.txt cannot repeat")


def _to_complete(version: str, why: str) -> Requirement:
    example = f"{DISTRIBUTION} @ git+https://github.com/<you>/blog-generator@v{version}"
    text = (
        f"# The generator, for the publishing workflow (pip install -r requirements.txt).\n"
        f"# blog init could not write it: {why}.\n"
        f"# Uncomment one line: a release, or a tag of the repository your company keeps it in.\n"
        f"# {DISTRIBUTION}=={version}\n"
        f"# {example}\n"
    )
    return Requirement(text, f"requirements.txt needs a line: {why}; uncomment and complete one, e.g. {example}")


def installed_requirement() -> Requirement:
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return _to_complete(__version__, f"no installed {DISTRIBUTION} distribution was found (run from a source folder?)")
    return requirement_from(distribution.read_text("direct_url.json"), distribution.version)


# -- site.toml ------------------------------------------------------------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string: JSON's escapes are TOML's
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The settings model inside an annotation (`X | None`, `dict[str, X]`, `tuple[X, ...]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _setting_lines(table: str, model: type[BaseModel], values: dict[str, object], context: dict[str, str]) -> list[str]:
    """`key = value  # help` for each plain setting of `model`: set when in `values`, else a comment with its default."""
    rows: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        if _model_of(info.annotation) is not None:
            continue  # a table of its own
        key = info.alias or name
        where = f"{table}.{key}"
        if key in values:
            rows.append((f"{key} = {_toml(values[key])}", HELP[where]))
            continue
        default = info.default
        if default is PydanticUndefined or default is None:
            example = EXAMPLES.get(where, "")
            if isinstance(example, str):
                example = example.format(**context)
            optional = "" if default is PydanticUndefined else "optional: "
            rows.append((f"# {key} = {_toml(example)}", optional + HELP[where]))
        else:
            rows.append((f"# {key} = {_toml(default)}", HELP[where]))
    width = max((len(code) for code, _ in rows), default=0)
    return [f"{code:<{width}}  # {text}" for code, text in rows]


def site_toml(options: InitOptions, today: date) -> str:
    context = {"title": options.title.strip(), "year": str(today.year)}
    sections = {name: _model_of(info.annotation) for name, info in Config.model_fields.items()}
    lines = [
        "# The settings of this blog. A line starting with '#' shows a setting's default:",
        "# remove the '#' and change the value to use another one. Unknown keys are errors.",
        "",
        "[site]",
        *_setting_lines(
            "site",
            sections["site"],  # type: ignore[arg-type]
            {"title": context["title"], "base_url": check_base_url(options.url), "favicon": "favicon.svg"},
            context=context,
        ),
        "",
    ]
    if options.author_key is not None:
        lines += ["# One table per author; posts name the key (author: KEY)."]
        key = options.author_key if re.fullmatch(r"[A-Za-z0-9_-]+", options.author_key) else _toml(options.author_key)
        lines += [f"[authors.{key}]"]
        lines += _setting_lines("authors", AuthorEntry, {"name": (options.author_name or "").strip()}, context=context)
    else:
        lines += ["# One table per author; posts name the key (author: jane)."]
        lines += ["# [authors.jane]"]
        lines += _setting_lines("authors", AuthorEntry, {}, context=context)
    lines.append("")
    for name in ("build", "feeds", "search"):
        lines += [f"[{name}]", *_setting_lines(name, sections[name], {}, context=context), ""]  # type: ignore[arg-type]
    lines += [
        "# The header's links, in order; without [[menu]]: Archive, Tags, Authors (and pages with menu: true).",
        "# [[menu]]",
        *_setting_lines("menu", sections["menu"], {}, context=context),  # type: ignore[arg-type]
        "",
        "# Comments under posts: pick a provider and fill in its table (the generator's docs/comments.md).",
        "[comments]",
        *_setting_lines("comments", CommentsSection, {}, context=context),
    ]
    for provider in PROVIDERS:
        model = _model_of(CommentsSection.model_fields[provider].annotation)
        assert model is not None
        lines += ["", f"# [comments.{provider}]"]
        lines += _setting_lines(f"comments.{provider}", model, {}, context=context)
    return "\n".join(lines) + "\n"


# -- the other files --------------------------------------------------------------------------


def _front_matter(front: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000) + "---\n"


def welcome_post(options: InitOptions, today: date) -> tuple[str, str]:
    front: dict[str, object] = {
        "title": f"Welcome to {options.title.strip()}",
        "date": today.isoformat(),
        "tags": ["welcome", "writing"],
        "summary": "How posts are written, previewed and published on this blog.",
    }
    if options.author_key:
        front["author"] = options.author_key
    text = _front_matter(front) + "\n" + (SCAFFOLD / "welcome.md").read_text(encoding="utf-8")
    return f"posts/{today.isoformat()}-welcome.md", text


def about_page(options: InitOptions) -> str:
    front: dict[str, object] = {"title": "About", "menu": True, "summary": f"Who writes {options.title.strip()}."}
    return _front_matter(front) + "\n" + (SCAFFOLD / "about.md").read_text(encoding="utf-8")


def blog_files(options: InitOptions, today: date, requirement: Requirement) -> list[tuple[str, str | bytes]]:
    """Every file of a new blog: (path relative to the blog's folder, content)."""
    post_path, post_text = welcome_post(options, today)
    return [
        (CONFIG_FILE, site_toml(options, today)),
        (post_path, post_text),
        ("pages/about.md", about_page(options)),
        ("static/favicon.svg", (SCAFFOLD / "favicon.svg").read_bytes()),
        (".gitignore", (SCAFFOLD / "gitignore").read_text(encoding="utf-8")),
        ("requirements.txt", requirement.text),
        (".github/workflows/publish.yml", (SCAFFOLD / "publish.yml").read_text(encoding="utf-8")),
    ]


def write_new_files(root: Path, files: list[tuple[str, str | bytes]]) -> InitReport:
    """Write each file that does not exist yet (never overwriting one); report which were made and kept."""
    report = InitReport()
    for rel, content in files:
        path = root / rel
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:  # "x": an existing file is never touched
                handle.write(data)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):
            report.kept.append(rel)
            continue
        except OSError as exc:
            raise ConfigError(f"cannot write {rel}: {exc.strerror or exc}", path) from exc
        report.made.append(rel)
    return report


def init_blog(root: Path, options: InitOptions, today: date, requirement: Requirement | None = None) -> tuple[InitReport, Requirement]:
    check_options(options)
    requirement = installed_requirement() if requirement is None else requirement
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root} is a file, not a folder")
    root.mkdir(parents=True, exist_ok=True)
    return write_new_files(root, blog_files(options, today, requirement)), requirement
