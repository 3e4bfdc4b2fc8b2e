"""Any feed -> an Export: RSS 2.0 (and RSS 1.0) `item`s or Atom 1.0 `entry`s, as published posts.

RSS: `title`, `link`, `guid` (with `isPermaLink`), `pubDate` (RFC 822), `category`,
`dc:creator` or `author` ("mail@example.com (Name)": the name only), `description` and
`content:encoded`. Atom: `id`, `title`, `link rel="alternate"`, `published`/`updated`
(RFC 3339), `category`, `author` (the feed's when the entry has none), `summary` and `content`.
The full text is `content:encoded` or Atom `content`; with it, `description`/`summary` is the
summary; without it, the summary is all there is, and the body is that (noted per entry).
The id readers saw (`guid`, Atom `id`, else the link) is kept as `feed_id`, the link as an old
URL whose last segment is the slug. A feed usually holds only the latest entries: the
report says how many it held. A Blogger export is Atom too: it is read as one (the Blogger
reader's comments and drafts included). Fetching a feed's URL (`--download`) is run.py's.
"""

from __future__ import annotations

import email.utils
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.importers import atom, blogger
from generator.importers.model import Author, Entry, Export, ExportError
from generator.importers.xmlread import child, children, local, namespace, text_of
from generator.old_comments import safe_url

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MEDIA_NS = "http://search.yahoo.com/mrss/"
# A WordPress feed files every post without a category under this one.
_NO_CATEGORY = {"uncategorized"}


@dataclass
class _Body:
    """What one item holds of its text."""

    html: str
    summary: str | None
    full: bool  # False: only a summary was in the feed


@dataclass
class _Feed:
    source: Path
    site_url: str | None
    base: str | None  # for relative links
    authors: dict[str, Author] = field(default_factory=dict)
    summaries_only: int = 0


def read(source: Path) -> Export:
    """Read an RSS or Atom feed file; anything else is an ExportError saying what it is."""
    root = atom.parse_xml(source, "a feed")
    name = local(root.tag)
    if name == "feed" and blogger.is_blogger(root):
        export = blogger.read_root(root, source)
        export.attention.insert(0, "this feed is a Blogger export: it was read as one (`blog import blogger` does the same)")
        return export
    if name == "rss" and atom.looks_like(root).startswith("a WordPress"):
        raise ExportError("is a WordPress export (WXR), not a plain feed", source, hint=f"use `blog import wordpress {source}`")
    if name == "rss" or name == "RDF":
        return _read_rss(root, source)
    if name == "feed" and namespace(root.tag) in (atom.ATOM_NS, ""):
        return _read_atom(root, source)
    raise ExportError(f"is {atom.looks_like(root)}, not an RSS or Atom feed", source)


# --- RSS --------------------------------------------------------------------------------------


def _read_rss(root: ET.Element, source: Path) -> Export:
    channel = child(root, "channel")
    if channel is None:
        raise ExportError("is an RSS file without a <channel>", source)
    home = text_of(channel, "link").strip() or None
    feed = _Feed(source, atom.site_url_of(home), home)
    # RSS 2.0 puts the items in the channel; RSS 1.0 (RDF) beside it.
    items = list(children(channel, "item")) or list(children(root, "item"))
    entries = [_rss_entry(item, number, feed) for number, item in enumerate(items, 1)]
    next_page = next((link.get("href") for link in channel if local(link.tag) == "link" and link.get("rel") == "next"), None)
    return _export(feed, entries, "RSS", next_page)


def _rss_entry(item: ET.Element, number: int, feed: _Feed) -> Entry:
    title = atom.strip_markup(text_of(item, "title"))
    where = f"item {number} ({title!r})" if title else f"item {number}"
    link = text_of(item, "link").strip() or None
    guid_element = child(item, "guid")
    guid = (guid_element.text or "").strip() if guid_element is not None else ""
    permalink = guid_element is not None and (guid_element.get("isPermaLink") or "true").strip().lower() != "false"
    if link is None and permalink and safe_url(guid):
        link = guid
    about = item.get(f"{{{RDF_NS}}}about")
    body = _rss_body(item)
    return _entry(
        feed,
        where=where,
        title=title,
        body=body,
        date=_rss_date(item, where, feed.source),
        updated=None,
        link=link,
        extra_urls=[guid] if permalink and safe_url(guid) and guid != link else [],
        # Readers key an item by its guid, else by its link (RSS 1.0: rdf:about).
        feed_id=guid or about or link,
        tags=_rss_tags(item),
        authors=_rss_authors(item),
        image=_rss_image(item),
    )


def _rss_body(item: ET.Element) -> _Body:
    encoded = next((node for node in item if local(node.tag) == "encoded" and namespace(node.tag) == CONTENT_NS), None)
    description = text_of(item, "description").strip()
    full = (encoded.text or "").strip() if encoded is not None else ""
    if full:
        summary = atom.strip_markup(description) or None
        return _Body(full, None if summary == atom.strip_markup(full) else summary, True)
    return _Body(description, None, False)


def _rss_date(item: ET.Element, where: str, source: Path) -> datetime | None:
    value = text_of(item, "pubDate").strip()
    if not value:
        return atom.date_of(item, "date", where, source)  # dc:date (RSS 1.0)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None:
        # Some feeds write RFC 3339 dates where RSS wants RFC 822.
        parsed = _rfc3339_or_none(value)
    if parsed is None:
        raise ExportError(f"{where}: <pubDate> {value!r} is not a date (RFC 822, Tue, 14 Jan 2020 09:00:00 +0100)", source)
    # "-0000" (and a missing zone) means UTC with nothing known about the local time.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _rfc3339_or_none(value: str) -> datetime | None:
    try:
        return atom.parse_date(value)
    except ValueError:
        return None


def _rss_tags(item: ET.Element) -> list[str]:
    tags: list[str] = []
    for node in item:
        if local(node.tag) in ("category", "subject"):
            name = " ".join((node.text or "").split())
            if name and name not in tags and name.lower() not in _NO_CATEGORY:
                tags.append(name)
    return tags


def _rss_authors(item: ET.Element) -> list[atom.Person]:
    names = [" ".join((node.text or "").split()) for node in item if local(node.tag) == "creator"]
    for node in children(item, "author"):
        value = " ".join((node.text or "").split())
        # RSS 2.0 wants "mail@example.com (Name)": keep the name, never the address.
        named = re.search(r"\(([^()]+)\)\s*$", value)
        names.append(named.group(1).strip() if named else "" if "@" in value else value)
    return [atom.Person(name) for name in dict.fromkeys(names) if name]


def _rss_image(item: ET.Element) -> str | None:
    for node in item:
        kind = local(node.tag)
        if kind == "enclosure" and (node.get("type") or "").startswith("image/") and safe_url(node.get("url")):
            return node.get("url")
        if namespace(node.tag) == MEDIA_NS and kind in ("thumbnail", "content") and safe_url(node.get("url")):
            if kind == "thumbnail" or (node.get("medium") or "") == "image" or (node.get("type") or "").startswith("image/"):
                return node.get("url")
    return None


# --- Atom -------------------------------------------------------------------------------------


def _read_atom(root: ET.Element, source: Path) -> Export:
    base = atom.xml_base(root)
    home = atom.link_href(root, base=base)
    feed = _Feed(source, atom.site_url_of(home), base or home)
    feed_people = atom.people(root)
    entries = [_atom_entry(element, number, feed, feed_people) for number, element in enumerate(children(root, "entry"), 1)]
    export = _export(feed, entries, "Atom", atom.link_href(root, "next", base=feed.base))
    if any((entry.feed_id or "").startswith("tag:blogger.com,") for entry in entries):
        # A blogspot feed: its pictures are on Blogger's hosts.
        export.upload_hosts = blogger.UPLOAD_HOSTS
    return export


def _atom_entry(element: ET.Element, number: int, feed: _Feed, feed_people: list[atom.Person]) -> Entry:
    title = atom.plain_of(child(element, "title"))
    where = f"entry {number} ({title!r})" if title else f"entry {number}"
    base = atom.xml_base(element, feed.base)
    link = atom.link_href(element, base=base)
    published = atom.date_of(element, "published", where, feed.source)
    updated = atom.date_of(element, "updated", where, feed.source)
    entry_id = text_of(element, "id").strip()
    return _entry(
        feed,
        where=where,
        title=title,
        body=_atom_body(element),
        date=published or updated,
        updated=updated if published and updated and updated != published else None,
        link=link,
        extra_urls=[],
        feed_id=entry_id or link,
        tags=[tag for tag in atom.category_terms(element) if tag.lower() not in _NO_CATEGORY],
        authors=atom.people(element) or feed_people,
        image=None,
    )


def _atom_body(element: ET.Element) -> _Body:
    content = child(element, "content")
    summary = child(element, "summary")
    full = atom.html_of(content) if content is not None and not content.get("src") else ""
    if full:
        short = atom.strip_markup(atom.html_of(summary)) if summary is not None else ""
        return _Body(full, None if not short or short == atom.strip_markup(full) else short, True)
    return _Body(atom.html_of(summary) if summary is not None else "", None, False)


# --- Both -------------------------------------------------------------------------------------


def _entry(
    feed: _Feed,
    *,
    where: str,
    title: str,
    body: _Body,
    date: datetime | None,
    updated: datetime | None,
    link: str | None,
    extra_urls: list[str],
    feed_id: str | None,
    tags: list[str],
    authors: list[atom.Person],
    image: str | None,
) -> Entry:
    attention = []
    slug = atom.slug_from_url(link)
    if not title:
        title = slug.replace("-", " ").capitalize() if slug else "Untitled"
        attention.append(f"had no title; it is now {title!r}")
    if not body.full:
        feed.summaries_only += 1
        attention.append("the feed held only a summary of this entry: the body is that summary; copy the rest from the old blog")
    if date is None:
        attention.append("had no date: it gets the import's date")
    return Entry(
        kind="post",
        where=where,
        title=title,
        html=body.html,
        date=date,
        updated=updated,
        slug=slug,
        summary=body.summary,
        image=image,
        tags=tags,
        authors=[atom.register_author(feed.authors, person) for person in authors],
        old_urls=[url for url in [link, *extra_urls] if url],
        feed_id=feed_id,
        attention=attention,
    )


def _export(feed: _Feed, entries: list[Entry], kind: str, next_page: str | None) -> Export:
    if not entries:
        raise ExportError(f"is an {kind} feed without a single entry", feed.source)
    export = Export(feed.source, "feed", feed.site_url, entries=entries, authors=list(feed.authors.values()))
    dates = sorted(entry.date for entry in entries if entry.date is not None)
    span = f", from {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}" if dates else ""
    export.attention.append(
        f"a feed usually holds only the latest entries: this one held {len(entries)}{span}; "
        "older posts are not in it (import the blog's own export if the platform has one)"
    )
    if next_page:
        export.attention.append(f"the feed continues on another page ({next_page}), which was not read")
    if feed.summaries_only:
        export.attention.append(
            f"the feed held only summaries for {feed.summaries_only} of {len(entries)} entries: their bodies are incomplete"
        )
    if feed.site_url is None:
        export.attention.append("the feed does not name the blog's address: its pictures are left where they are")
    return export
