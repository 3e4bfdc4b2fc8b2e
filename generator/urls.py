"""URLs: the only place that builds them.

Inside the generator a page is known by its *site path*, such as "/2026/11/hello/",
relative to the site's root whatever the base URL. `Urls` turns a site path into the
link written in pages (with the base URL's path, for sites served from a sub-folder)
and into an absolute URL (for feeds, canonical links and social cards), and
`output_path` turns it into the file written under the output folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

# Names Windows cannot create; a slug like "con" would break a checkout there.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
MAX_SEGMENT_BYTES = 200  # file systems allow 255; leave room for suffixes
SAFE_SEGMENT = re.compile(r"[\w][\w.~-]*")


@dataclass(frozen=True)
class Urls:
    base_url: str  # absolute, ends with "/"

    @property
    def base_path(self) -> str:
        """ "/" for a site at a domain's root, "/blog/" for one served from a sub-folder."""
        return urlsplit(self.base_url).path or "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def link(self, site_path: str) -> str:
        """The URL written in an href: the site path under the base URL's path, percent-encoded."""
        return self.base_path.rstrip("/") + quote(site_path, safe="/#?=&%~:@!$'()*+,;")

    def absolute(self, site_path: str) -> str:
        return self.origin + self.link(site_path)


def permalink(pattern: str, date: datetime, slug: str) -> str:
    """Fill a permalink pattern such as "/{year}/{month}/{slug}/" for one post."""
    path = pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug)
    return re.sub(r"/{2,}", "/", path)


def output_path(site_path: str) -> PurePosixPath:
    """The file behind a site path: "/a/b/" -> a/b/index.html, "/x.xml" -> x.xml."""
    relative = site_path.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    elif "." not in relative.rsplit("/", 1)[-1]:
        relative += "/index.html"
    return PurePosixPath(relative)


def unsafe_segment_reason(segment: str) -> str | None:
    """Why a slug or path segment cannot become a folder name, or None when it can."""
    if segment in ("", ".", ".."):
        return "is empty or a relative folder name ('.', '..')"
    if "/" in segment or "\\" in segment:
        return "contains a slash; a slug is one path segment"
    if any(ord(ch) < 32 or ch == "\x7f" for ch in segment):
        return "contains control characters"
    if segment.split(".")[0].lower() in WINDOWS_RESERVED:
        return f"is a name Windows reserves ({segment.split('.')[0].upper()})"
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        return f"is longer than {MAX_SEGMENT_BYTES} bytes, more than file systems allow in a folder name"
    if not SAFE_SEGMENT.fullmatch(segment):
        return "may only contain letters, digits, '-', '_', '.' and '~', and must start with a letter or digit"
    return None


def alias_problem(alias: str) -> str | None:
    """Why a front-matter alias (an old URL of a post, "/2019/old-name/") cannot get a
    redirect page, or None when it can: a path on the site made of safe segments."""
    if not alias.startswith("/") or alias.startswith("//"):
        return "must be a path on the site starting with one '/', such as /2019/05/old-name/"
    segments = alias.strip("/").split("/")
    if segments == [""]:
        return "cannot be the home page"
    for segment in segments:
        reason = unsafe_segment_reason(segment)
        if reason is not None:
            return f"has a segment {segment!r} that {reason}"
    return None


def safe_segment(slug: str, prefix: str) -> str:
    """A generated slug (tag, author) made safe: Windows-reserved names get a prefix ("tag-con")."""
    return f"{prefix}-{slug}" if slug.split(".")[0].lower() in WINDOWS_RESERVED else slug


def tag_path(tag_slug: str) -> str:
    return f"/tags/{tag_slug}/"


def author_path(author_slug: str) -> str:
    return f"/authors/{author_slug}/"


def list_page_path(first_page: str, number: int) -> str:
    """Page N of a paginated list: "/" -> "/page/2/", "/tags/x/" -> "/tags/x/page/2/"."""
    return first_page if number == 1 else f"{first_page}page/{number}/"
