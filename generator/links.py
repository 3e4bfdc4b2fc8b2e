"""Stage: a post's rendered HTML -> the same HTML with its links resolved.

Markdown is rendered (and cached) without knowing the other posts, so links are
resolved here, in the site stage: a link to another post's `.md` file becomes its
permalink, a relative link to a file beside the post becomes that file's URL, and a
root-relative link gets the base URL's path. Links that lead nowhere are warnings
(errors with --strict). Because every relative URL becomes root-relative, a summary
shown on the home page and a post shown in a feed keep working links.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.content import Asset, SourcePost
from generator.errors import BuildWarning
from generator.markdown import Rendered
from generator.pages import SourcePage
from generator.urls import Urls

# Only URLs that may need rewriting: no scheme, not "#fragment", not "//host". Leaving the
# rest to the regex engine keeps this stage fast on posts full of external links.
_URL_ATTRIBUTE = (
    r"""(\s(?:href|src|poster|HREF|SRC)=)(?:"(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|//)([^"]*)"|'(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|//)([^']*)')"""
)
URL_ATTRIBUTE = re.compile(_URL_ATTRIBUTE)
# The same over UTF-8: a body is resolved without ever being decoded into a str, which for a
# post with one emoji in it takes 4 bytes a character (the site stage of a big site, in memory).
URL_ATTRIBUTE_BYTES = re.compile(_URL_ATTRIBUTE.encode())
HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
SAFE_SCHEMES = {"http", "https"}


@dataclass(frozen=True)
class LinkIndex:
    """Where each post and asset ends up, by its path relative to posts/."""

    posts: dict[str, str]  # "2026/launch.md" -> "/2026/11/launch/"
    unpublished: frozenset[str]  # drafts and future posts left out of this build
    assets: frozenset[str]
    urls: Urls
    # The same for standalone pages, by their path relative to pages/ (links go both ways).
    pages: dict[str, str] = field(default_factory=dict)  # "company/careers.md" -> "/company/careers/"
    unpublished_pages: frozenset[str] = frozenset()  # draft pages left out of this build
    page_assets: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        sources,
        site_paths,
        all_sources,
        assets: tuple[Asset, ...],
        urls: Urls,
        pages: tuple[SourcePage, ...] = (),
        all_pages: tuple[SourcePage, ...] = (),
        page_assets: tuple[Asset, ...] = (),
    ) -> LinkIndex:
        published = {str(s.rel_path): site_paths[id(s)] for s in sources}
        published_pages = {str(p.rel_path): p.url for p in pages}
        return cls(
            posts=published,
            unpublished=frozenset(str(s.rel_path) for s in all_sources) - published.keys(),
            assets=frozenset(str(a.rel_path) for a in assets),
            urls=urls,
            pages=published_pages,
            unpublished_pages=frozenset(str(p.rel_path) for p in all_pages) - published_pages.keys(),
            page_assets=frozenset(str(a.rel_path) for a in page_assets),
        )

    def image_url(self, source: SourcePost) -> str | None:
        """The front-matter `image` as an absolute URL; None for schemes other than http(s)."""
        image = source.image or ""
        if HAS_SCHEME.match(image) or image.startswith("//"):
            return image if urlsplit(image).scheme in SAFE_SCHEMES else None
        if image.startswith("/"):
            return self.urls.absolute(image)
        target = _resolve(source.rel_path, image)
        return self.urls.absolute("/" + target) if target in self.assets else None


def resolve_links(body: Rendered, source: SourcePost | SourcePage, index: LinkIndex) -> tuple[bytes, str, list[BuildWarning]]:
    """Return (content html as UTF-8, summary html, warnings) with every local URL resolved."""
    lines: dict[str, int] = {}
    for reference in body.references:
        lines.setdefault(reference.url, source.body_line + reference.line - 1)
    warnings: list[BuildWarning] = []
    warned: set[str] = set()

    def rewrite(match: re.Match[str] | _DecodedMatch) -> str:
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        assert raw is not None  # the patterns match one of the two quoted forms
        url = html.unescape(raw)
        new_url, problem = _resolve_url(url, source, index)
        if problem and url not in warned:
            warned.add(url)
            line = lines.get(url) or line_in_body(source, raw)
            warnings.append(BuildWarning(f"{problem}: {url}", source.source, line))
        return f'{match.group(1)}"{html.escape(new_url)}"'

    def rewrite_bytes(match: re.Match) -> bytes:
        groups = [group.decode("utf-8") if group is not None else None for group in match.groups()]
        return rewrite(_DecodedMatch(groups)).encode("utf-8")

    content = URL_ATTRIBUTE_BYTES.sub(rewrite_bytes, body.html_utf8)
    summary = URL_ATTRIBUTE.sub(rewrite, body.summary_html)
    return content, summary, warnings


class _DecodedMatch:
    """A bytes match's groups as text, for the one rewrite function both patterns share."""

    def __init__(self, groups: list[str | None]):
        self.groups = groups

    def group(self, number: int) -> str | None:
        return self.groups[number - 1]


def line_in_body(source: SourcePost | SourcePage, text: str) -> int | None:
    """The line of a URL written in raw HTML, which markdown-it does not map to lines."""
    position = source.body.find(text)
    return source.body_line + source.body.count("\n", 0, position) if position >= 0 else None


def _resolve_url(url: str, source: SourcePost | SourcePage, index: LinkIndex) -> tuple[str, str | None]:
    """The URL to write instead of `url`, and why it is broken (or None)."""
    if not url or url.startswith("#") or url.startswith("//") or HAS_SCHEME.match(url):
        return url, None
    parts = urlsplit(url)
    suffix = ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
    if url.startswith("/"):
        return index.urls.link(unquote(parts.path)) + suffix, None
    # Seen from the site folder, so that posts/ and pages/ link to each other's .md files.
    folder = "pages" if isinstance(source, SourcePage) else "posts"
    in_site = _resolve(PurePosixPath(folder) / source.rel_path, unquote(parts.path))
    top, _, target = (in_site or "").partition("/")
    if in_site is None or top not in ("posts", "pages"):
        return url, f"link points outside {folder}/"
    if top == "pages":
        return _resolve_in_pages(url, target, suffix, index)
    if target.endswith((".md", ".markdown")):
        if target in index.posts:
            return index.urls.link(index.posts[target]) + suffix, None
        if target in index.unpublished:
            return url, "link to a draft or future post that this build leaves out"
        return url, "link to a post that does not exist"
    if target in index.assets:
        return index.urls.link("/" + target) + suffix, None
    if target == "" or target + "/index.md" in index.posts:
        return url, "link to a folder"
    return url, "link to a file that does not exist beside the posts"


def _resolve_in_pages(url: str, target: str, suffix: str, index: LinkIndex) -> tuple[str, str | None]:
    """A relative link into pages/ (`target` relative to it), from a page or a post."""
    if target.endswith((".md", ".markdown")):
        if target in index.pages:
            return index.urls.link(index.pages[target]) + suffix, None
        if target in index.unpublished_pages:
            return url, "link to a draft page that this build leaves out"
        return url, "link to a page that does not exist"
    if target in index.page_assets:
        return index.urls.link("/" + target) + suffix, None
    if target == "" or target + "/index.md" in index.pages:
        return url, "link to a folder"
    return url, "link to a file that does not exist beside the pages"


def _resolve(post: PurePosixPath, relative: str) -> str | None:
    """`relative` seen from the post's folder, as a path under posts/; None if it leaves posts/."""
    joined = posixpath.normpath(posixpath.join(str(post.parent), relative))
    if joined == ".":
        return ""
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined
