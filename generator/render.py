"""Stage: Site + Theme -> page jobs (output.Job), one small method per kind of page.

Post bodies reach templates as already-rendered HTML (`post.content`); they are
never compiled as templates, so `{{ ... }}` in a post stays text. Template errors
become ContentErrors naming the template and line, and the post being rendered.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.errors import ContentError
from generator.output import Job
from generator.paginate import Pager, paginate
from generator.site import Group, Page, Post, Site
from generator.theme import Theme


@dataclass(frozen=True)
class FeedLink:
    """A feed announced in a page's head with <link rel="alternate">."""

    type: str  # MIME type
    title: str
    url: str  # site path


def redirect_jobs(site: Site, theme: Theme) -> Iterator[Job]:
    """A small page at each post's old URLs (front-matter `aliases`) that sends readers and
    search engines to the post. Kept apart from the pages: the sitemap does not list them."""
    pages = _Pages(site, theme)
    for post in site.posts:
        for alias in post.aliases:
            yield pages.job("redirect.html", alias, post.source, functools.partial(dict, target=post.url))
    for page in site.pages:
        for alias in page.aliases:
            yield pages.job("redirect.html", alias, page.source, functools.partial(dict, target=page.url))


def check_page_templates(site: Site, theme: Theme) -> list[ContentError]:
    """A page naming a template neither the site's templates/ nor the theme has: an error at
    the page's `template:` line, before anything is rendered."""
    known = set(theme.env.list_templates())
    return [
        ContentError(
            f"template: {page.template!r} is in neither the site's templates/ nor the theme",
            page.source,
            page.template_line,
            hint="name a template file, such as page.html, or add it to templates/",
        )
        for page in site.pages
        if page.template not in known
    ]


def page_jobs(site: Site, theme: Theme) -> Iterator[Job]:
    """Every HTML page of the site, as jobs in a fixed order: home and its pages, posts, tags,
    authors, archive, 404, search. output.make_files renders them."""
    pages = _Pages(site, theme)
    yield from pages.index_pages()
    yield from pages.post_pages()
    yield from pages.page_pages()
    yield from pages.tag_pages()
    yield from pages.author_pages()
    yield from pages.other_pages()


class _Pages:
    """Makes the jobs of one site's pages, and renders each with the theme when asked."""

    def __init__(self, site: Site, theme: Theme):
        self.site = site
        self.theme = theme
        self.globals = {
            "site": site,
            "config": site.config,
            "generator_name": "blog-generator",
        }
        self.site_feeds = site_feed_links(site)
        image = site.config.site.image
        self.default_image = (image if "://" in image else site.urls.absolute("/" + image.lstrip("/"))) if image else None

    def job(self, template: str, site_path: str, source: Path | None, context: Callable[[], dict[str, Any]]) -> Job:
        def full_context() -> dict[str, Any]:
            values = context()
            values.setdefault("feeds", self.site_feeds)
            values.setdefault("social_image", self.default_image)
            values["page_url"] = site_path
            return values

        return Job(site_path, template, source, full_context, self.render)

    def render(self, job: Job) -> bytes:
        """The page's HTML; a template problem is a ContentError naming the template line and the page."""
        try:
            template = self.theme.env.get_template(job.template)
            text = template.render(self.globals, **_with_body(job.context))
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(f"template syntax error: {exc.message}", _template_path(exc.filename), exc.lineno) from exc
        except ContentError:
            raise  # a template file the loader could not read, already named
        except jinja2.TemplateNotFound as exc:
            # Named by an {% include %} or {% extends %}: point at that line, not only at the page.
            path, line = _template_frame(exc)
            where = self._rendering(job)
            raise ContentError(
                f"template {exc.name!r} not found in the site's templates/ or the theme{where}", path or job.source, line
            ) from exc
        except Exception as exc:  # a template that raises at render time: name the template line and the page
            path, line = _template_frame(exc)
            raise ContentError(f"template error{self._rendering(job)}: {type(exc).__name__}: {exc}", path or job.source, line) from exc
        return text.encode("utf-8")

    def _rendering(self, job: Job) -> str:
        return f" while rendering {_relative(job.source, self.site.config.root) if job.source else job.url}"

    def index_pages(self) -> Iterator[Job]:
        for pager in paginate(self.site.posts, self.site.config.build.posts_per_page, "/"):
            yield self.job("index.html", pager.url, None, functools.partial(self.index_context, pager))

    def post_pages(self) -> Iterator[Job]:
        for post in self.site.posts:
            yield self.job("post.html", post.url, post.source, functools.partial(self.post_context, post))

    def page_pages(self) -> Iterator[Job]:
        """Standalone pages (pages/), each with its own template (page.html unless it names one)."""
        for page in self.site.pages:
            yield self.job(page.template, page.url, page.source, functools.partial(self.page_context, page))

    def page_context(self, page: Page) -> dict[str, Any]:
        return {"page": page, "content": Markup(page.content)}

    def index_context(self, pager: Pager) -> dict[str, Any]:
        return {"pager": pager, "posts": pager.items, "structured_data": blog_structured_data(self.site)}

    def list_context(self, pager: Pager, feeds: list[FeedLink], group: dict[str, Any]) -> dict[str, Any]:
        return {"pager": pager, "posts": pager.items, "feeds": feeds, **group}

    def post_context(self, post: Post) -> dict[str, Any]:
        older, newer = self.site.neighbours[post.url]
        # No "content": the body is read only for a page that is rendered (see _with_body).
        return {
            "post": post,
            "older": older,
            "newer": newer,
            "related": self.site.related.get(post.url, ()),
            "structured_data": post_structured_data(self.site, post),
            "social_image": post.image or self.default_image,
        }

    def tag_pages(self) -> Iterator[Job]:
        yield self.job("tags.html", "/tags/", None, lambda: {"tags": self.site.tags})
        for group in self.site.tags:
            yield from self.group_pages("tag.html", group, "tag")

    def author_pages(self) -> Iterator[Job]:
        yield self.job("authors.html", "/authors/", None, lambda: {"authors": self.site.authors})
        for group in self.site.authors:
            yield from self.group_pages("author.html", group, "author")

    def group_pages(self, template: str, group: Group, name: str) -> Iterator[Job]:
        feeds = self.site_feeds + group_feed_links(self.site, group)
        for pager in paginate(group.posts, self.site.config.build.posts_per_page, group.key.url):
            yield self.job(template, pager.url, None, functools.partial(self.list_context, pager, feeds, {name: group.key}))

    def other_pages(self) -> Iterator[Job]:
        yield self.job("archive.html", "/archive/", None, lambda: {"archive": self.site.archive})
        yield self.job("404.html", "/404.html", None, dict)
        if self.site.config.search.enabled:
            yield self.job("search.html", "/search/", None, dict)


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
        "author": [{"@type": "Person", "name": a.name, "url": a.website or site.urls.absolute(a.url)} for a in post.authors],
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


def _with_body(context: dict[str, Any]) -> dict[str, Any]:
    """A post page's context with its body as `content`. Added only when the page is rendered:
    a page reused from the last build (fingerprint.py) never reads its body from the cache."""
    post = context.get("post")
    if isinstance(post, Post) and "content" not in context:
        return {**context, "content": Markup(post.content)}
    return context
