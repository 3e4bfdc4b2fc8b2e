"""An Export -> the files of the new site, in memory, and the report of what happened.

Nothing here touches the site folder: run.py writes the plan only when all of it was made.

Where things go (the choice, written in the README and docs/importing.md):
- a post: `posts/YYYY/YYYY-MM-DD-slug.md`, its pictures in `posts/YYYY/YYYY-MM-DD-slug/`, its
  comments in `posts/YYYY/YYYY-MM-DD-slug.comments.json`;
- a page: `pages/<parent>/<slug>.md` (so /about/team/ stays /about/team/), pictures in
  `pages/<parent>/<slug>/`.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import yaml
from slugify import slugify

from generator import old_comments
from generator.importers.convert import to_markdown
from generator.importers.media import PictureFinder, PictureFolder, is_media_url
from generator.importers.model import Author, Entry, Export
from generator.urls import alias_problem, permalink, unsafe_segment_reason

# libyaml's safe dumper when it is there: five times faster than the pure-Python one.
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class PlanOptions:
    permalink: str  # the site's [build] permalink
    zone: ZoneInfo  # the site's time zone: dates are written in it
    now: datetime  # for undated drafts
    pingbacks: bool = False


@dataclass(frozen=True)
class PlannedFile:
    rel: str  # relative to the site folder, "posts/2019/2019-03-04-hello.md"
    data: bytes
    kind: str  # "post", "page", "picture", "comments"


@dataclass
class Report:
    platform: str
    source: str
    imported: Counter[str] = field(default_factory=Counter)  # "published posts": 12
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_public: list[str] = field(default_factory=list)  # imported as drafts, and why
    attention: list[str] = field(default_factory=list)  # what needs a person
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed: not overwritten
    authors_added: list[str] = field(default_factory=list)
    # Root-relative links to pages of the old blog that were not imported -> the old address
    # they now point to (None when the export does not name the old blog's address).
    old_links: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Plan:
    files: list[PlannedFile]
    authors: list[Author]  # to add to site.toml's [authors]
    report: Report


@dataclass
class _Placed:
    entry: Entry
    slug: str
    date: datetime
    rel: str  # the .md file, relative to the site
    url: str  # its new site path


def plan_import(export: Export, options: PlanOptions, finder: PictureFinder) -> Plan:
    """`finder` gets the old blog's pictures (from --media, or fetched with --download)."""
    report = Report(export.platform, str(export.source), skipped=Counter(export.skipped))
    report.attention += export.attention
    placed = _place(export.entries, options)
    _suggest_permalink(placed, options, report)
    by_old_url = _old_url_index(placed)
    authors = _author_keys(export.authors)
    files: list[PlannedFile] = []
    aliases_taken: dict[str, str] = {p.url: p.rel for p in placed}
    for item in placed:
        files += _files_for(item, export, options, finder, by_old_url, authors, aliases_taken, report)
    _lacking(files, report)
    for url, old in sorted(report.old_links.items()):
        if old:
            report.attention.append(f"a link to {url}, a page of the old blog that was not imported, now points to {old}")
        else:
            report.attention.append(
                f"a link to {url}, a page of the old blog that was not imported, leads nowhere here (--old-url names the old blog)"
            )
    for url, why in sorted(finder.missing.items()):
        report.attention.append(f"picture left at its old address: {url} ({why})")
    used_authors = {key for item in placed for key in item.entry.authors}
    kept_authors = [Author(authors[a.key], a.name, old_comments.safe_url(a.url)) for a in export.authors if a.key in used_authors]
    return Plan(files, kept_authors, report)


def _place(entries: list[Entry], options: PlanOptions) -> list[_Placed]:
    """A slug, a date, a file and a URL for every entry; two entries never share a file or URL."""
    placed: list[_Placed] = []
    taken_files: set[str] = set()
    taken_urls: set[str] = set()
    for entry in entries:
        date = (entry.date or options.now).astimezone(options.zone)
        base = _safe_slug(entry.slug, entry.title)
        for number in range(1, 10_000):
            slug = base if number == 1 else f"{base}-{number}"
            if entry.kind == "page":
                parents = [_safe_slug(p, p) for p in entry.parents]
                rel = "pages/" + "/".join([*parents, slug]) + ".md"
                url = "/" + "/".join([*parents, slug]) + "/"
            else:
                # An undated draft is dated by the import; its file is not, so that importing
                # again on another day finds it (and keeps it) instead of writing a second copy.
                rel = f"posts/drafts/{slug}.md" if entry.date is None else f"posts/{date:%Y}/{date:%Y-%m-%d}-{slug}.md"
                url = permalink(options.permalink, date, slug)
            if rel.lower() not in taken_files and url not in taken_urls:
                break
        taken_files.add(rel.lower())  # case-insensitive file systems (macOS, Windows)
        taken_urls.add(url)
        placed.append(_Placed(entry, slug, date, rel, url))
    return placed


PERMALINK_PATTERNS = ("/{year}/{month}/{day}/{slug}/", "/{year}/{month}/{slug}/", "/{year}/{slug}/", "/{slug}/")


def _suggest_permalink(placed: list[_Placed], options: PlanOptions, report: Report) -> None:
    """When most old post URLs follow another permalink pattern than the site's, say so: with
    that pattern the posts keep their very URLs and need no redirect pages."""
    posts = [item for item in placed if item.entry.kind == "post" and item.entry.status != "draft"]
    old_paths = [{_old_path(u) for u in item.entry.old_urls} for item in posts]
    fits = {
        pattern: sum(permalink(pattern, item.date, item.slug) in paths for item, paths in zip(posts, old_paths, strict=True))
        for pattern in PERMALINK_PATTERNS
    }
    best = max(fits, key=lambda pattern: fits[pattern])
    if posts and best != options.permalink and fits[best] * 2 > len(posts) and fits[best] > fits.get(options.permalink, 0):
        report.attention.append(
            f'{fits[best]} of {len(posts)} old post URLs follow {best}: with permalink = "{best}" under [build] in '
            "site.toml they keep their URLs and need no redirect pages (then import again with --overwrite)"
        )


def _safe_slug(slug: str | None, title: str) -> str:
    if slug and unsafe_segment_reason(slug) is None:
        return slug
    made = slugify(slug or "", max_length=80) or slugify(title, max_length=80) or "untitled"
    return made if unsafe_segment_reason(made) is None else "untitled"


def _old_path(url: str) -> str | None:
    """The path part of an old URL, "/2019/03/hello/", or None for the home page."""
    path = unquote(urlsplit(url).path)
    if path in ("", "/"):
        return None
    return path


def _old_url_index(placed: list[_Placed]) -> dict[str, _Placed]:
    """Old paths (with and without a final slash) -> the entry now there, for links between them."""
    index: dict[str, _Placed] = {}
    for item in placed:
        for url in item.entry.old_urls:
            path = _old_path(url)
            if path and not urlsplit(url).query:
                index.setdefault(path.rstrip("/"), item)
    return index


def _author_keys(authors: list[Author]) -> dict[str, str]:
    """Each author's export key -> a key that is safe in site.toml and as a URL segment."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    for author in authors:
        key = slugify(author.key, max_length=60) or slugify(author.name, max_length=60) or "author"
        while key in used:
            key += "-2"
        used.add(key)
        keys[author.key] = key
    return keys


def _files_for(item, export, options, finder, by_old_url, authors, aliases_taken, report) -> list[PlannedFile]:
    entry: Entry = item.entry
    folder = posixpath.dirname(item.rel)
    pictures = PictureFolder(posixpath.splitext(posixpath.basename(item.rel))[0])

    # Relative URLs in a body were relative to the post's address on the old blog.
    base = next((u for u in entry.old_urls if urlsplit(u).scheme in ("http", "https")), None) or (export.site_url and export.site_url + "/")

    def rewrite(tag: str, attribute: str, url: str) -> str:
        if base and url and not url.startswith(("/", "#")) and not urlsplit(url).scheme:
            url = urljoin(base, url)
        if tag == "a" and not is_media_url(url):
            return _link_to_entry(url, export, folder, by_old_url, report)
        return _picture(url, finder, pictures)

    converted = to_markdown(entry.html, rewrite)
    for what in converted.dropped:
        report.attention.append(f"{entry.where}: removed {what}")
    for note in entry.attention:
        report.attention.append(f"{entry.where}: {note}")
    meta = _front_matter(item, options, finder, pictures, authors, aliases_taken, report)
    text = "---\n" + yaml.dump(meta, Dumper=_YAML_DUMPER, sort_keys=False, allow_unicode=True, width=10_000) + "---\n" + converted.markdown
    files = [PlannedFile(item.rel, text.encode(), entry.kind)]
    files += [PlannedFile(f"{folder}/{pictures.folder}/{name}", data, "picture") for name, data in pictures.files.items()]
    comments = [c for c in entry.comments if options.pingbacks or c.type == "comment"]
    if len(comments) < len(entry.comments):
        report.skipped[("pingback or trackback", "left out (--pingbacks keeps them)")] += len(entry.comments) - len(comments)
    if comments and entry.kind == "post":
        stem = posixpath.splitext(item.rel)[0]
        files.append(PlannedFile(stem + old_comments.SUFFIX, old_comments.dump(comments, export.platform), "comments"))
        report.imported["comments"] += len(comments)
    elif comments:
        report.attention.append(f"{entry.where}: {len(comments)} comment(s) on a page were not kept (pages show no comments)")
    _count(item, report)
    report.imported["pictures"] += len(pictures.files)
    return files


_NO_ALT = re.compile(r"!\[\]\(|<img\b(?![^>]*\balt\s*=)[^>]*>", re.IGNORECASE)


def _lacking(files: list[PlannedFile], report: Report) -> None:
    """What the checks for new writing would ask of the imported posts (they skip them: see
    post.is_imported), counted once for the report."""
    posts = [f.data.decode() for f in files if f.kind == "post"]
    untagged = sum("\ntags:\n" not in text.split("\n---\n", 1)[0] for text in posts)
    no_alt = sum(len(_NO_ALT.findall(text)) for text in posts)
    if untagged or no_alt:
        report.attention.append(
            f"{untagged} imported post(s) have no tags and {no_alt} picture(s) no alt text; the checks for new "
            "writing skip imported posts (front matter imported_from): add them when you can"
        )


def _count(item: _Placed, report: Report) -> None:
    entry = item.entry
    if entry.kind == "page":
        report.imported["pages" if entry.status != "draft" else "draft pages"] += 1
    else:
        report.imported[{"published": "published posts", "draft": "drafts", "scheduled": "scheduled posts"}[entry.status]] += 1
    if entry.draft_reason:
        report.not_public.append(f"{item.rel}: {entry.where} was {entry.draft_reason}; imported as a draft")


def _front_matter(item, options, finder, pictures, authors, aliases_taken, report) -> dict:
    entry: Entry = item.entry
    meta: dict = {"title": entry.title}
    if entry.kind == "post":
        meta["date"] = _date_text(item.date)
        if entry.updated and entry.updated > (entry.date or entry.updated):
            meta["updated"] = _date_text(entry.updated.astimezone(options.zone))
        meta["slug"] = item.slug
        if entry.tags:
            meta["tags"] = list(dict.fromkeys(tag.strip() for tag in entry.tags if tag.strip()))
        keys = [authors[key] for key in entry.authors if key in authors]
        if len(keys) == 1:
            meta["author"] = keys[0]
        elif keys:
            meta["authors"] = keys
    if entry.summary:
        meta["summary"] = entry.summary
    if entry.image and entry.kind == "post":
        meta["image"] = _picture(entry.image, finder, pictures)
    if entry.status == "draft":
        meta["draft"] = True
    if entry.feed_id and entry.kind == "post":
        meta["id"] = entry.feed_id
    aliases = _aliases(item, aliases_taken, report)
    if aliases:
        meta["aliases"] = aliases
    # Marks what the import brought (post.is_imported): where it was, or the platform.
    meta["imported_from"] = next((url for url in entry.old_urls if urlsplit(url).scheme in ("http", "https")), report.platform)
    return meta


def _date_text(date: datetime) -> str:
    return date.isoformat(sep=" ", timespec="seconds")


def _aliases(item: _Placed, taken: dict[str, str], report: Report) -> list[str]:
    aliases: list[str] = []
    for url in item.entry.old_urls:
        parts = urlsplit(url)
        if parts.query:
            report.attention.append(f"{item.entry.where}: old URL {url} has a query string: a static site cannot answer it")
            continue
        path = _old_path(url)
        if path is None:
            continue
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            path += "/"
        if path == item.url or path in aliases:
            continue
        if taken.get(path, item.rel) != item.rel:
            report.attention.append(f"{item.entry.where}: old URL {path} is already taken by {taken[path]}; no redirect made")
            continue
        problem = alias_problem(path)
        if problem:
            report.attention.append(f"{item.entry.where}: old URL {url} cannot get a redirect page: it {problem}")
            continue
        taken[path] = item.rel
        aliases.append(path)
        report.imported["redirects from old URLs"] += 1
    return aliases


def _link_to_entry(url: str, export: Export, folder: str, by_old_url: dict[str, _Placed], report: Report) -> str:
    """A link to another imported entry -> a relative link to its .md file (checked by every
    build from then on). A root-relative link to a page of the old blog that was not imported
    (a tag or author page) would be broken here: it points back at the old blog when its
    address is known, and is listed either way. Any other link stays as it was."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (not parts.netloc and not parts.path.startswith("/")):
        return url
    own_host = (urlsplit(export.site_url).netloc or "").lower() if export.site_url else None
    if parts.netloc and parts.netloc.lower() != own_host:
        return url
    path = _old_path(url)
    target = by_old_url.get(path.rstrip("/")) if path else None
    if target is not None and not parts.query:
        return posixpath.relpath(target.rel, folder) + ("#" + parts.fragment if parts.fragment else "")
    if parts.netloc or not path:
        return url  # an absolute link to the old blog, or its home page: kept as written
    old = export.site_url + url if export.site_url else None
    report.old_links[url] = old
    return old or url


def _picture(url: str, finder: PictureFinder, pictures: PictureFolder) -> str:
    if not url or url.startswith("data:") or not finder.is_own(url):
        return url
    picture = finder.get(url)
    if picture is None:
        return finder.absolute(url)
    return pictures.add(picture)
