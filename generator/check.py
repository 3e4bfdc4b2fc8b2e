"""`blog check`: run the build up to the files it would write, then check them; write nothing.

Beyond what the build itself validates (config, front matter, templates, collisions),
it checks every internal link and image in the built pages, and that every feed is
well-formed XML (or JSON) with the elements readers need and unique entry ids
whose links lead to built pages.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.build import BuildOptions, BuildPlan, plan_build
from generator.errors import BuildWarning, ContentError
from generator.output import OutputFile, check_collisions

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class CheckReport:
    plan: BuildPlan
    files: int
    errors: tuple[ContentError, ...]
    warnings: tuple[BuildWarning, ...]


def check_site(options: BuildOptions) -> CheckReport:
    plan = plan_build(options)
    files = list(plan.files)
    check_collisions(files)
    paths = {str(f.path) for f in files}
    base_path = plan.site.urls.base_path
    origin = plan.site.urls.origin
    errors: list[ContentError] = []
    warnings = list(plan.warnings)
    broken: dict[str, list[OutputFile]] = {}  # a URL the build does not produce -> the pages linking to it
    pages = 0
    for file in files:
        if file.data is None:
            continue
        if file.path.suffix == ".html":
            pages += 1
            for url in _broken_page_links(file, paths, base_path, origin):
                broken.setdefault(url, []).append(file)
        elif file.path.name in ("feed.xml", "atom.xml"):
            errors += _check_xml_feed(file, paths, base_path, origin)
        elif file.path.name == "feed.json":
            errors += _check_json_feed(file, paths, base_path, origin)
    warnings += _broken_link_warnings(broken, pages, _template_files(plan), base_path, origin)
    return CheckReport(plan, len(files), tuple(errors), tuple(_unique(warnings)))


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value and tag != "base":
                self.urls.append(value)


def _broken_page_links(file: OutputFile, paths: set[str], base_path: str, origin: str) -> list[str]:
    collector = _LinkCollector()
    collector.feed(file.data.decode("utf-8"))  # type: ignore[union-attr]
    return [
        url
        for url in dict.fromkeys(collector.urls)
        if _internal_target(url, base_path, origin) is not None and not _resolves(url, paths, base_path, origin)
    ]


def _template_files(plan: BuildPlan) -> list[Path]:
    """The template sources pages are made from: the site's templates/, then the theme's
    (a theme file the site overrides left out)."""
    found: dict[PurePosixPath, Path] = {}
    folders = [plan.config.root / "templates"] + ([plan.theme.directory / "templates"] if plan.theme is not None else [])
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                found.setdefault(PurePosixPath(path.relative_to(folder).as_posix()), path)
    return list(found.values())


def _broken_link_warnings(
    broken: dict[str, list[OutputFile]], pages: int, templates: list[Path], base_path: str, origin: str
) -> list[BuildWarning]:
    """One warning for a broken link a template writes (found in the template sources, or on
    every page), naming the template and line; one a page for links written in posts."""
    warnings = []
    for url, files in broken.items():
        where = _written_in_template(url, templates, base_path, origin)
        if where is not None:
            path, line = where
            warnings.append(BuildWarning(f"links to {url}, which the build does not produce (on {_pages(len(files))})", path, line))
        elif len(files) > 1 and len(files) == pages:
            warnings.append(BuildWarning(f"every page links to {url}, which the build does not produce: a template or site.toml writes it"))
        else:
            warnings += [BuildWarning(f"/{f.path} links to {url}, which the build does not produce", f.source) for f in files]
    return warnings


def _written_in_template(url: str, templates: list[Path], base_path: str, origin: str) -> tuple[Path, int] | None:
    """The template file and line that write `url` (as written, or as the site path the `url`
    filter turns into it), or None."""
    target = _internal_target(url, base_path, origin) or ""
    needles = [url, "/" + target.lstrip("/")] if target.strip("/") else [url]
    for needle in needles:
        quoted = re.compile(r"""["']""" + re.escape(needle) + r"""["'#?]""")
        for path in templates:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if quoted.search(line):
                    return path, number
    return None


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _internal_target(url: str, base_path: str, origin: str) -> str | None:
    """The output-relative path an internal URL points to, or None for external and in-page links."""
    if url.startswith(origin + "/"):
        url = url[len(origin) :]
    if not url.startswith("/") or url.startswith("//"):
        return None
    path = unquote(urlsplit(url).path)
    if not path.startswith(base_path):
        return None
    return path[len(base_path) :]


def _resolves(url: str, paths: set[str], base_path: str, origin: str) -> bool:
    target = _internal_target(url, base_path, origin)
    if target is None:
        return True
    candidates = [target, target.rstrip("/") + "/index.html" if target else "index.html"]
    return any(c.lstrip("/") in paths for c in candidates)


def _check_xml_feed(file: OutputFile, paths, base_path, origin) -> list[ContentError]:
    where = f"/{file.path}"
    try:
        root = ET.fromstring(file.data)  # type: ignore[arg-type]
    except ET.ParseError as exc:
        return [ContentError(f"feed {where} is not well-formed XML: {exc}", file.source)]
    if root.tag == f"{ATOM}feed":
        required, entries = ("id", "title", "updated"), root.findall(f"{ATOM}entry")
        missing = [f"feed <{name}>" for name in required if root.find(ATOM + name) is None]
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        links = [_link_href(e.find(f"{ATOM}link")) for e in entries]
        for entry in entries:
            missing += [f"entry <{name}>" for name in required if entry.find(ATOM + name) is None]
    else:
        channel = root.find("channel")
        if root.tag != "rss" or channel is None:
            return [ContentError(f"feed {where} is neither RSS 2.0 nor Atom", file.source)]
        missing = [f"channel <{name}>" for name in ("title", "link", "description") if channel.find(name) is None]
        items = channel.findall("item")
        ids = [i.findtext("guid") for i in items]
        links = [i.findtext("link") or "" for i in items]
    return _entry_problems(where, file, missing, ids, links, paths, base_path, origin)


def _check_json_feed(file: OutputFile, paths, base_path, origin) -> list[ContentError]:
    where = f"/{file.path}"
    try:
        document = json.loads(file.data)  # type: ignore[arg-type]
    except ValueError as exc:
        return [ContentError(f"feed {where} is not valid JSON: {exc}", file.source)]
    missing = [f"feed {key!r}" for key in ("version", "title", "items") if key not in document]
    items = document.get("items", [])
    return _entry_problems(where, file, missing, [i.get("id") for i in items], [i.get("url", "") for i in items], paths, base_path, origin)


def _entry_problems(where, file, missing, ids, links, paths, base_path, origin) -> list[ContentError]:
    problems = [ContentError(f"feed {where} lacks {name}", file.source) for name in dict.fromkeys(missing)]
    if any(not i for i in ids):
        problems.append(ContentError(f"feed {where} has an entry without an id", file.source))
    duplicates = sorted({i for i in ids if i and ids.count(i) > 1})
    if duplicates:
        problems.append(ContentError(f"feed {where} repeats entry ids: {', '.join(duplicates)}", file.source))
    for link in links:
        if not link or not _resolves(link, paths, base_path, origin) or _internal_target(link, base_path, origin) is None:
            problems.append(ContentError(f"feed {where} links to {link or '(nothing)'}, which is not a built page", file.source))
    return problems


def _unique(warnings: list[BuildWarning]) -> list[BuildWarning]:
    return list(dict.fromkeys(warnings))


def _link_href(link: ET.Element | None) -> str:
    return (link.get("href") or "") if link is not None else ""
