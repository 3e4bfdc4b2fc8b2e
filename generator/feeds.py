"""Stage: Site -> jobs (output.Job) for the feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1.

RSS and Atom are written by feedgen. Every feed is deterministic: its updated time
is the newest entry's, never the build's clock, so rebuilding unchanged content
gives the same bytes. Entry ids are the posts' stable ids (see site.stable_id).
Text is stripped of the characters XML forbids, so no post can break a feed.
A reader shows an entry away from its page, so every URL in an entry's content and summary
is made absolute: a fragment (`#notes`, the footnotes' back-links) points at the post's page.
"""

from __future__ import annotations

import functools
import html as html_text
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from generator import __version__
from generator.output import Job
from generator.site import Post, Site

# Characters XML 1.0 does not allow, even escaped: C0 controls but tab/newline/CR, and U+FFFE/U+FFFF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# The start tag (through its ">", which a quoted value may hold) of an HTML element with an
# attribute a reader follows or loads. Only these: an SVG <use href="#icon"> means its own document.
# Tag names are matched in lower case, as Markdown and Pygments write them (twice as fast), and in
# any case only in HTML that holds a tag name with a capital letter.
_URL_TAG = r"""<(?:a|area|audio|blockquote|del|embed|iframe|img|input|ins|link|q|script|source|track|video)(?=[\s/>])[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>"""
URL_TAG = re.compile(_URL_TAG)
URL_TAG_ANY_CASE = re.compile(_URL_TAG, re.IGNORECASE)
CAPITAL_IN_TAG_NAME = re.compile(r"<[a-z]*[A-Z]")
# One attribute of a start tag: its name and, after "=", a double-quoted, single-quoted or unquoted value.
ATTRIBUTE = re.compile(r"""(\s)([^\s"'>/=]+)(?:(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "poster", "cite"})
# One srcset candidate: a URL (no spaces, may hold commas) and its descriptor ("2x", "480w").
SRCSET_CANDIDATE = re.compile(r"[\s,]*(\S+?)(?:,+(?=\s|$)|(?=\s|$)([^,]*),?)")
HAS_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, mailto:, tel:, data: ... are kept as written
HTML_SPACE = " \t\n\r\f"
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)  # an empty blog still needs a fixed date
GENERATOR = ("blog-generator", __version__)


def xml_text(value: str) -> str:
    return XML_FORBIDDEN.sub("", value)


def absolute_html(html: str, origin: str, page: str) -> str:
    """`html` of the page at the absolute URL `page` with every URL in its links, pictures and media
    absolute, as a browser on that page would resolve them: a feed reader has no page to resolve
    against, and would take `#notes` for a place in the feed. `origin` is scheme://host of `page`."""

    def absolute_url(url: str) -> str | None:  # None: keep the value as written
        url = url.strip(HTML_SPACE)
        if url.startswith("#"):
            return page + url
        if url.startswith("/"):
            return None if url.startswith("//") else origin + url
        return None if HAS_SCHEME.match(url) else urljoin(page, url)

    def absolute_value(name: str, value: str) -> str | None:
        text = html_text.unescape(value) if "&" in value else value
        if name == "srcset":
            candidates = [(url, absolute_url(url), (descriptor or "").strip()) for url, descriptor in SRCSET_CANDIDATE.findall(text)]
            if all(new is None for _, new, _ in candidates):
                return None
            text = ", ".join(f"{url if new is None else new} {descriptor}".rstrip() for url, new, descriptor in candidates)
        else:
            made = absolute_url(text)
            if made is None:
                return None
            text = made
        return html_text.escape(text)

    def attribute(match: re.Match[str]) -> str:
        space, name, equals, value = match.groups()
        if value is None or name.lower() not in URL_ATTRIBUTES:
            return match.group(0)
        quoted = value[0] in "\"'"
        new = absolute_value(name.lower(), value[1:-1] if quoted else value)
        if new is None:
            return match.group(0)
        quote = value[0] if quoted else '"'
        return f"{space}{name}{equals}{quote}{new}{quote}"

    tags = URL_TAG_ANY_CASE if CAPITAL_IN_TAG_NAME.search(html) else URL_TAG
    return tags.sub(lambda tag: ATTRIBUTE.sub(attribute, tag.group(0)), html)


def _for_feeds(html: str | bytes, origin: str, page: str) -> str:
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    return xml_text(absolute_html(text, origin, page))


# One post's HTML goes into the site feed and each of its tags' and authors' feeds: made once.
# A body is looked up by its UTF-8 bytes (Post.content_utf8), which hash once and need no decoding.
# Summaries have a cache of their own, so that they never push bodies out.
_feed_html = lru_cache(maxsize=4096)(_for_feeds)
_feed_summary_html = lru_cache(maxsize=4096)(_for_feeds)


def feed_jobs(site: Site) -> Iterator[Job]:
    """Every feed as a job: the site's, then each tag's and each author's (when configured).
    A job's context is what the feed is made from: its entries, title and description."""
    feeds = site.config.feeds
    yield from _feed_set(site, site.posts, "/", site.config.site.title, site.config.site.description, json_feed=feeds.json_feed)
    groups = [(group, f"posts tagged “{group.key.name}”") for group in site.tags if feeds.per_tag]
    groups += [(group, f"posts by {group.key.name}") for group in site.authors if feeds.per_author]
    for group, label in groups:
        title = f"{site.config.site.title}: {label}"
        yield from _feed_set(site, group.posts, group.key.url, title, title, json_feed=False)


def shows_any(job: Job, post_urls: set[str]) -> bool:
    """Whether a feed job has one of these posts among its entries (live.py: feeds an edit reaches)."""
    return any(post.url in post_urls for post in job.context["entries"])


def _feed_set(site: Site, posts: tuple[Post, ...], folder: str, title: str, description: str, *, json_feed: bool) -> Iterator[Job]:
    feeds = site.config.feeds
    context = {"entries": posts[: feeds.limit], "title": title, "description": description, "folder": folder}
    names = [name for name, wanted in (("feed.xml", feeds.rss), ("atom.xml", feeds.atom), ("feed.json", json_feed)) if wanted]
    for name in names:
        yield Job(folder + name, name, None, context.copy, functools.partial(_feed_bytes, site))


def _feed_bytes(site: Site, job: Job) -> bytes:
    entries, title, description = job.context["entries"], job.context["title"], job.context["description"]
    if job.template == "feed.json":
        return json_feed_bytes(site, entries, title, description)
    feed = _feedgen(site, entries, job.context["folder"], title, description, job.template)
    return feed.rss_str(pretty=True) if job.template == "feed.xml" else feed.atom_str(pretty=True)


def _feedgen(site: Site, entries: tuple[Post, ...], folder: str, title: str, description: str, name: str) -> FeedGenerator:
    urls, conf = site.urls, site.config.site
    updated = _updated(entries)
    feed = FeedGenerator()
    feed.load_extension("dc")  # RSS's own <author> must be an e-mail address; dc:creator carries the name
    feed.id(urls.absolute(folder))
    feed.title(xml_text(title))
    feed.subtitle(xml_text(description or title))  # RSS requires a description
    # In this order: RSS's <channel><link> is the last link given, and must be the site, not the feed.
    feed.link(href=urls.absolute(folder + name), rel="self")
    feed.link(href=urls.absolute(folder), rel="alternate")
    feed.language(conf.language)
    feed.updated(updated)
    feed.lastBuildDate(updated)
    feed.generator(*GENERATOR)
    feed.author({"name": xml_text(conf.title)})  # Atom needs an author; entries name their own
    if conf.logo:
        feed.logo(urls.absolute("/" + conf.logo.lstrip("/")))
    if conf.favicon:
        feed.icon(urls.absolute("/" + conf.favicon.lstrip("/")))
    if conf.copyright:
        feed.rights(xml_text(conf.copyright))
    for post in entries:
        _add_entry(feed, site, post)
    return feed


def _add_entry(feed: FeedGenerator, site: Site, post: Post) -> None:
    urls = site.urls
    entry = feed.add_entry(order="append")
    entry.id(post.id)
    entry.guid(post.id, permalink=False)
    entry.title(xml_text(post.title))
    entry.link(href=urls.absolute(post.url), rel="alternate")
    entry.published(post.date)
    entry.updated(post.updated or post.date)
    for author in post.authors:
        details = {"name": xml_text(author.name)}
        if author.email:
            details["email"] = author.email
        if author.website:
            details["uri"] = author.website
        entry.author(details)
        entry.dc.dc_creator(xml_text(author.name))
    for tag in post.tags:
        entry.category(term=xml_text(tag.name), scheme=urls.absolute("/tags/"), label=xml_text(tag.name))
    entry.summary(xml_text(_summary(site, post)), type="html")
    if site.config.feeds.full_content:
        entry.content(_feed_html(post.content_utf8, urls.origin, urls.absolute(post.url)), type="html")


def _summary(site: Site, post: Post) -> str:
    """The summary as HTML: the front matter's text (escaped) or the rendered summary part."""
    if post.summary:
        from markupsafe import escape

        return str(escape(post.summary))
    return _feed_summary_html(post.summary_html, site.urls.origin, site.urls.absolute(post.url))


def _updated(entries: tuple[Post, ...]) -> datetime:
    return max((p.updated or p.date for p in entries), default=EMPTY_FEED_UPDATED)


def json_feed_bytes(site: Site, entries: tuple[Post, ...], title: str, description: str) -> bytes:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) with the same entries as the XML feeds."""
    urls, conf = site.urls, site.config.site
    items = []
    for post in entries:
        item = {
            "id": post.id,
            "url": urls.absolute(post.url),
            "title": post.title,
            "summary": post.summary or None,
            "date_published": post.date.isoformat(),
            "date_modified": (post.updated or post.date).isoformat(),
            "authors": [{"name": a.name, **({"url": a.website} if a.website else {})} for a in post.authors] or None,
            "tags": [tag.name for tag in post.tags] or None,
            "image": post.image,
        }
        page = urls.absolute(post.url)
        if site.config.feeds.full_content:
            item["content_html"] = _feed_html(post.content_utf8, urls.origin, page)
        else:
            item["content_html"] = _feed_summary_html(post.summary_html, urls.origin, page)
        items.append({key: value for key, value in item.items() if value is not None})
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "description": description or None,
        "home_page_url": urls.absolute("/"),
        "feed_url": urls.absolute("/feed.json"),
        "language": conf.language,
        "icon": urls.absolute("/" + conf.logo.lstrip("/")) if conf.logo else None,
        "favicon": urls.absolute("/" + conf.favicon.lstrip("/")) if conf.favicon else None,
        "items": items,
    }
    document = {key: value for key, value in document.items() if value is not None}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
