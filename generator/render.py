"""Stage: Site + Theme -> list[OutputFile], one small function per kind of page.

Post bodies reach templates as already-rendered HTML (`post.content`); they are
never compiled as templates, so `{{ ... }}` in a post stays text. Template errors
become ContentErrors naming the template and line, and the post being rendered.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
from markupsafe import Markup

from generator.errors import BuildFailed, ContentError
from generator.fingerprint import Fingerprints, PageReuse
from generator.output import OutputFile
from generator.paginate import paginate
from generator.site import Group, Post, Site
from generator.theme import Theme
from generator.urls import output_path


@dataclass(frozen=True)
class FeedLink:
    """A feed announced in a page's head with <link rel="alternate">."""

    type: str  # MIME type
    title: str
    url: str  # site path


def render_redirects(site: Site, theme: Theme, reuse: PageReuse | None = None, fingerprints: Fingerprints | None = None) -> Iterator[OutputFile]:
    """A small page at each post's old URLs (front-matter `aliases`) that sends readers and
    search engines to the post. Kept apart from the pages: the sitemap does not list them."""
    renderer = _Renderer(site, theme, reuse or PageReuse({}, None), fingerprints or Fingerprints(site, theme))
    for post in site.posts:
        for alias in post.aliases:
            yield renderer.page("redirect.html", alias, post.source, target=post.url)


def render_pages(
    site: Site,
    theme: Theme,
    reuse: PageReuse | None = None,
    fingerprints: Fingerprints | None = None,
    only: set[str] | None = None,
) -> Iterator[OutputFile]:
    """Every HTML page of the site, one at a time (the writer stores each as it comes, so
    the whole site's HTML is never in memory at once); with `reuse`, pages whose inputs did
    not change are taken from the previous output instead of being rendered. With `only`
    (site paths), just those pages, always rendered: live.py knows which pages an edit
    reaches. Template errors are collected and raised together once every page has been tried."""
    if only is None:
        renderer = _Renderer(site, theme, reuse or PageReuse({}, None), fingerprints or Fingerprints(site, theme))
    else:
        renderer = _Renderer(site, theme, PageReuse({}, None), None, only)
    errors: list[ContentError] = []
    for kind in (renderer.index_pages, renderer.post_pages, renderer.tag_pages, renderer.author_pages, renderer.other_pages):
        try:
            yield from kind()
        except ContentError as exc:
            errors.append(exc)
        except BuildFailed as exc:
            errors.extend(exc.errors)  # type: ignore[arg-type]
    if errors:
        raise BuildFailed(errors)  # type: ignore[arg-type]


class _Renderer:
    def __init__(self, site: Site, theme: Theme, reuse: PageReuse, fingerprints: Fingerprints | None, only: set[str] | None = None):
        self.site = site
        self.only = only
        self.theme = theme
        self.reuse = reuse
        self.fingerprints = fingerprints
        self.globals = {
            "site": site,
            "config": site.config,
            "generator_name": "blog-generator",
        }
        self.site_feeds = site_feed_links(site)
        image = site.config.site.image
        self.default_image = (image if "://" in image else site.urls.absolute("/" + image.lstrip("/"))) if image else None

    def page(self, template_name: str, site_path: str, source: Path | None = None, **context: Any) -> OutputFile:
        context.setdefault("feeds", self.site_feeds)
        context.setdefault("social_image", self.default_image)
        context["page_url"] = site_path
        path = output_path(site_path)
        if self.fingerprints is not None:
            unchanged = self.reuse.unchanged(path, self.fingerprints.page(template_name, site_path, context), source)
            if unchanged is not None:
                return unchanged
        try:
            template = self.theme.env.get_template(template_name)
            text = template.render(self.globals, **context)
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(f"template syntax error: {exc.message}", _template_path(exc.filename), exc.lineno)
        except ContentError:
            raise  # a template file the loader could not read, already named
        except jinja2.TemplateNotFound as exc:
            # Named by an {% include %} or {% extends %}: point at that line, not only at the page.
            path, line = _template_frame(exc)
            raise ContentError(f"template {exc.name!r} not found in the site's templates/ or the theme{self._rendering(source, site_path)}", path or source, line)
        except Exception as exc:  # a template that raises at render time: name the template line and the page
            path, line = _template_frame(exc)
            raise ContentError(f"template error{self._rendering(source, site_path)}: {type(exc).__name__}: {exc}", path or source, line)
        return OutputFile(path, text.encode("utf-8"), source)

    def _rendering(self, source: Path | None, site_path: str) -> str:
        return f" while rendering {_relative(source, self.site.config.root) if source else site_path}"

    def wanted(self, site_path: str) -> bool:
        return self.only is None or site_path in self.only

    def index_pages(self) -> Iterator[OutputFile]:
        for pager in paginate(self.site.posts, self.site.config.build.posts_per_page, "/"):
            if self.wanted(pager.url):
                yield self.page("index.html", pager.url, pager=pager, posts=pager.items, structured_data=blog_structured_data(self.site))

    def post_pages(self) -> Iterator[OutputFile]:
        errors = []
        for post in self.site.posts:
            if not self.wanted(post.url):
                continue
            older, newer = self.site.neighbours[post.url]
            try:
                yield self.page(
                    "post.html",
                    post.url,
                    post.source,
                    post=post,
                    content=Markup(post.content),
                    older=older,
                    newer=newer,
                    related=self.site.related.get(post.url, ()),
                    structured_data=post_structured_data(self.site, post),
                    social_image=post.image or self.default_image,
                )
            except ContentError as exc:
                errors.append(exc)
                if len(errors) >= 20:  # one broken template breaks every post: stop repeating it
                    break
        if errors:
            raise BuildFailed(errors)  # type: ignore[arg-type]

    def tag_pages(self) -> Iterator[OutputFile]:
        if self.wanted("/tags/"):
            yield self.page("tags.html", "/tags/", tags=self.site.tags)
        for group in self.site.tags:
            yield from self.group_pages("tag.html", group, tag=group.key)

    def author_pages(self) -> Iterator[OutputFile]:
        if self.wanted("/authors/"):
            yield self.page("authors.html", "/authors/", authors=self.site.authors)
        for group in self.site.authors:
            yield from self.group_pages("author.html", group, author=group.key)

    def group_pages(self, template: str, group: Group, **context: Any) -> Iterator[OutputFile]:
        feeds = self.site_feeds + group_feed_links(self.site, group)
        for pager in paginate(group.posts, self.site.config.build.posts_per_page, group.key.url):
            if self.wanted(pager.url):
                yield self.page(template, pager.url, pager=pager, posts=pager.items, feeds=feeds, **context)

    def other_pages(self) -> Iterator[OutputFile]:
        if self.wanted("/archive/"):
            yield self.page("archive.html", "/archive/", archive=self.site.archive)
        if self.wanted("/404.html"):
            yield self.page("404.html", "/404.html")
        if self.site.config.search.enabled and self.wanted("/search/"):
            yield self.page("search.html", "/search/")


def post_structured_data(site: Site, post: Post) -> dict:
    """schema.org BlogPosting for a post page, written as JSON-LD by the theme (tojson escapes it)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "url": site.urls.absolute(post.url),
        "mainEntityOfPage": site.urls.absolute(post.url),
        "datePublished": post.date.isoformat(),
        "dateModified": (post.updated or post.date).isoformat(),
        "author": [
            {"@type": "Person", "name": a.name, "url": a.website or site.urls.absolute(a.url)} for a in post.authors
        ],
        "publisher": {"@type": "Organization", "name": site.config.site.title, "url": site.urls.absolute("/")},
        "inLanguage": site.config.site.language,
        "wordCount": post.word_count,
    }
    if post.summary:
        data["description"] = post.summary
    if post.tags:
        data["keywords"] = [tag.name for tag in post.tags]
    if post.image:
        data["image"] = post.image
    return data


def blog_structured_data(site: Site) -> dict:
    """schema.org Blog for the home page."""
    conf = site.config.site
    return {
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": conf.title,
        "description": conf.description,
        "url": site.urls.absolute("/"),
        "inLanguage": conf.language,
    }


def site_feed_links(site: Site) -> list[FeedLink]:
    feeds, title = site.config.feeds, site.config.site.title
    links = []
    if feeds.rss:
        links.append(FeedLink("application/rss+xml", f"{title} (RSS)", "/feed.xml"))
    if feeds.atom:
        links.append(FeedLink("application/atom+xml", f"{title} (Atom)", "/atom.xml"))
    if feeds.json_feed:
        links.append(FeedLink("application/feed+json", f"{title} (JSON Feed)", "/feed.json"))
    return links


def group_feed_links(site: Site, group: Group) -> list[FeedLink]:
    """The feeds of one tag's or author's posts, when [feeds] per_tag / per_author are on."""
    feeds = site.config.feeds
    is_tag = group.key.url.startswith("/tags/")
    if not (feeds.per_tag if is_tag else feeds.per_author):
        return []
    name = group.key.name
    label = f"posts tagged {name}" if is_tag else f"posts by {name}"
    links = []
    if feeds.rss:
        links.append(FeedLink("application/rss+xml", f"{site.config.site.title}: {label} (RSS)", group.key.url + "feed.xml"))
    if feeds.atom:
        links.append(FeedLink("application/atom+xml", f"{site.config.site.title}: {label} (Atom)", group.key.url + "atom.xml"))
    return links


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def _template_path(filename: str | None) -> Path | None:
    return Path(filename) if filename else None


def _template_frame(exc: BaseException) -> tuple[Path | None, int | None]:
    """The innermost template file and line in the traceback (Jinja rewrites frames to template lines)."""
    found: tuple[Path | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2", ".jinja")):
            found = (Path(frame.filename), frame.lineno)
    return found
