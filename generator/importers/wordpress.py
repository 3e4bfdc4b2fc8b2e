"""The WordPress reader: a WXR export (Tools -> Export, WordPress.com the same) -> an Export.

WXR is RSS 2.0 with WordPress's own elements (`wp:post_type`, `wp:status`, `wp:comment`...).
Versions 1.1 and 1.2 differ little, and real files name the `wp` namespace with http:// or
https://, so elements are matched by local name. Posts and pages become entries; attachments
only lend their addresses (featured images, galleries); revisions, menus, templates and the
trash are counted and left out. Bodies go through wordpress_content (WordPress's dialect ->
clean HTML), comments keep only the approved ones, and no e-mail address or IP is read.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from generator.importers import xmlread
from generator.importers.model import Author, Entry, Export, ExportError, Status
from generator.importers.wordpress_content import Attachment, Library, body_html, comment_html, plain_text
from generator.old_comments import OldComment, clean_html, safe_url

_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_WP_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_NO_DATE = {"", "0000-00-00 00:00:00", "0000-00-00"}
# WordPress.com serves a blog's pictures from these hosts, whatever the blog's own address.
_WORDPRESS_COM_PICTURE_HOSTS = frozenset({"i0.wp.com", "i1.wp.com", "i2.wp.com"})
_WORDPRESS_COM_HOSTS = {"wordpress.com", "www.wordpress.com"}
_FILES_HOST = re.compile(r"https?://([a-z0-9-]+\.files\.wordpress\.com)\b", re.IGNORECASE)
_UNCATEGORIZED = {"uncategorized"}

_SKIPPED_TYPES = {
    "attachment": ("attachment", "pictures and files, not posts (featured images and galleries use their addresses)"),
    "revision": ("revision", "earlier versions of a post"),
    "nav_menu_item": ("menu item", "menus are not imported; the theme has its own"),
    "wp_navigation": ("navigation menu", "menus are not imported; the theme has its own"),
    "wp_block": ("reusable block", "not a post; put into the posts that use it"),
}
_SETTING_TYPES = {
    "wp_template", "wp_template_part", "wp_global_styles", "custom_css", "customize_changeset",
    "oembed_cache", "user_request", "wp_font_family", "wp_font_face", "wp_pattern",
}  # fmt: skip
_STATUSES: dict[str, tuple[Status, str | None]] = {
    "publish": ("published", None),
    "draft": ("draft", None),
    "pending": ("draft", None),
    "future": ("scheduled", None),
    "private": ("draft", "private"),
}
_COMMENT_TYPES: dict[str, Literal["comment", "pingback", "trackback"]] = {"pingback": "pingback", "trackback": "trackback"}
_COMMENT_SKIPS = {"0": "not approved (waiting for moderation)", "spam": "spam", "trash": "in the trash"}


def read(source: Path) -> Export:
    """Read a WXR file; anything else (a feed, a Ghost JSON) is an ExportError saying what it looks like."""
    text = xmlread.read_text(source)
    _refuse_json(text, source)
    channel = _channel(xmlread.parse(source, text), source)
    items = [_Item(number, element) for number, element in enumerate(xmlread.children(channel, "item"), 1)]
    export = Export(source=source, platform="WordPress", site_url=_site_url(channel))
    export.authors = _authors(channel)
    library = _library(items)
    offset = _blog_offset(items, source)
    pages = {item.post_id: item for item in items if item.post_type == "page"}
    sticky = 0
    for item in items:
        entry = _entry(item, export, library, pages, offset, source)
        if entry is None:
            continue
        sticky += entry.kind == "post" and item.wp("is_sticky") == "1"
        _add_unknown_authors(export, entry.authors)
        export.entries.append(entry)
    if sticky:
        export.attention.append(
            f"{sticky} post{'s were' if sticky != 1 else ' was'} sticky (pinned to the top of the old front page); "
            "this generator has no pinned posts, so they are in date order"
        )
    export.upload_hosts = _upload_hosts(export.site_url, channel, items, library)
    return export


# -- the file ---------------------------------------------------------------------------------


def _refuse_json(text: str, source: Path) -> None:
    if text.lstrip().startswith(("{", "[")):
        raise ExportError(
            "looks like JSON (a Ghost export?), not a WordPress export (WXR, an XML file)",
            source,
            hint="WordPress: Tools -> Export -> All content; for Ghost use `blog import ghost`",
        )


def _channel(root: ET.Element, source: Path) -> ET.Element:
    """The RSS channel of a WXR file; a plain feed or an Atom file is refused by name."""
    hint = "export it from WordPress: Tools -> Export -> All content; for any other feed use `blog import feed`"
    if xmlread.local(root.tag) == "feed":
        raise ExportError("is an Atom feed, not a WordPress export (WXR)", source, hint=hint)
    channel = xmlread.child(root, "channel")
    if xmlread.local(root.tag) != "rss" or channel is None:
        raise ExportError(
            f"is XML whose root is <{xmlread.local(root.tag)}>, not a WordPress export (WXR: <rss><channel>)", source, hint=hint
        )
    if not any(_WP_NAMESPACE.match(xmlread.namespace(element.tag)) for element in channel.iter()):
        raise ExportError("is an RSS feed without WordPress's wp: elements, not a WordPress export (WXR)", source, hint=hint)
    return channel


def _rss_text(element: ET.Element, name: str) -> str:
    """An RSS element of no namespace (`link`, not `atom:link`)."""
    found = element.find(name)
    return (found.text or "").strip() if found is not None else ""


def _site_url(channel: ET.Element) -> str | None:
    for candidate in (_wp_text(channel, "base_blog_url"), _rss_text(channel, "link"), _wp_text(channel, "base_site_url")):
        if candidate.startswith(("http://", "https://")):
            return candidate.rstrip("/")
    return None


def _wp_text(element: ET.Element, name: str) -> str:
    for found in xmlread.children(element, name):
        if _WP_NAMESPACE.match(xmlread.namespace(found.tag)):
            return (found.text or "").strip()
    return ""


def _authors(channel: ET.Element) -> list[Author]:
    """`wp:author`: the login is the key, the display name the name; the e-mail is not read."""
    authors: dict[str, Author] = {}
    for element in xmlread.children(channel, "author"):
        login = xmlread.text_of(element, "author_login").strip()
        if not login or login in authors:
            continue
        full_name = " ".join(
            part for part in (xmlread.text_of(element, "author_first_name"), xmlread.text_of(element, "author_last_name")) if part.strip()
        )
        name = plain_text(xmlread.text_of(element, "author_display_name")) or plain_text(full_name) or login
        authors[login] = Author(key=login, name=name)
    return list(authors.values())


def _add_unknown_authors(export: Export, keys: list[str]) -> None:
    """A `dc:creator` or co-author missing from the channel's authors still gets an entry."""
    known = {author.key for author in export.authors}
    export.authors.extend(Author(key=key, name=key) for key in keys if key not in known)


def _upload_hosts(site_url: str | None, channel: ET.Element, items: list[_Item], library: Library) -> frozenset[str]:
    hosts = set(_WORDPRESS_COM_PICTURE_HOSTS)
    for url in (site_url, _wp_text(channel, "base_site_url"), *(a.url for a in library.attachments.values())):
        host = urlsplit(url or "").hostname
        if host and host not in _WORDPRESS_COM_HOSTS:  # a WordPress.com blog's site is wordpress.com itself
            hosts.add(host)
    for item in items:
        hosts.update(host.lower() for host in _FILES_HOST.findall(item.content))
    return frozenset(hosts)


# -- items ------------------------------------------------------------------------------------


@dataclass
class _Item:
    """One `<item>` with the accessors every field needs."""

    number: int
    element: ET.Element

    @functools.cached_property
    def _wp_fields(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        for found in self.element:
            if _WP_NAMESPACE.match(xmlread.namespace(found.tag)):
                fields.setdefault(xmlread.local(found.tag), (found.text or "").strip())
        return fields

    def wp(self, name: str) -> str:
        """The text of `wp:<name>` ("" when absent)."""
        return self._wp_fields.get(name, "")

    @property
    def post_id(self) -> str:
        return self.wp("post_id")

    @property
    def post_type(self) -> str:
        return self.wp("post_type")

    @property
    def raw_title(self) -> str:
        return self.element.findtext("title") or ""

    @property
    def where(self) -> str:
        title = plain_text(self.raw_title)
        return f"item {self.number} ({self.post_type or 'item'} {self.post_id or '?'} {title!r})"

    def encoded(self, kind: str) -> str:
        """`content:encoded` or `excerpt:encoded` (both are named `encoded`)."""
        for found in xmlread.children(self.element, "encoded"):
            namespace = xmlread.namespace(found.tag)
            if ("excerpt" in namespace) == (kind == "excerpt"):
                return found.text or ""
        return ""

    @property
    def content(self) -> str:
        return self.encoded("content")

    def meta(self, key: str) -> list[str]:
        return [
            xmlread.text_of(meta, "meta_value")
            for meta in xmlread.children(self.element, "postmeta")
            if xmlread.text_of(meta, "meta_key").strip() == key
        ]

    def first_meta(self, key: str) -> str:
        return next((value.strip() for value in self.meta(key) if value.strip()), "")

    def terms(self, domain: str) -> list[ET.Element]:
        return [c for c in self.element.findall("category") if c.get("domain") == domain]


def _library(items: list[_Item]) -> Library:
    attachments: dict[str, Attachment] = {}
    reusable: dict[str, str] = {}
    for item in items:
        if item.post_type == "attachment" and item.wp("attachment_url"):
            order = item.wp("menu_order")
            attachments[item.post_id] = Attachment(
                id=item.post_id,
                url=item.wp("attachment_url"),
                alt=plain_text(item.first_meta("_wp_attachment_image_alt")),
                caption=item.encoded("excerpt").strip(),
                parent=item.wp("post_parent") or "0",
                order=int(order) if order.lstrip("-").isdigit() else 0,
            )
        elif item.post_type == "wp_block" and item.wp("status") == "publish":
            reusable[item.post_id] = item.content
    return Library(attachments=attachments, reusable_blocks=reusable)


def _skip_reason(item: _Item) -> tuple[str, str] | None:
    post_type, status = item.post_type, item.wp("status")
    if post_type in _SKIPPED_TYPES:
        return _SKIPPED_TYPES[post_type]
    if post_type in _SETTING_TYPES:
        return (post_type, "WordPress theme or site settings, not a post")
    if post_type not in ("post", "page"):
        return (post_type, "a custom post type (a plugin's), not a post or page")
    if status == "trash":
        return (post_type, "in the trash")
    if status in ("inherit", "auto-draft"):
        return (post_type, f"status {status!r} (saved by WordPress itself, not written)")
    return None


def _entry(item: _Item, export: Export, library: Library, pages: dict[str, _Item], offset: timezone, source: Path) -> Entry | None:
    if not item.post_type:
        raise ExportError(f"{item.where} has no wp:post_type; the file is not a complete WXR export", source)
    skip = _skip_reason(item)
    if skip is not None:
        export.skip(*skip)
        return None
    attention: list[str] = []
    status, draft_reason = _status(item, attention)
    date = _date(item, "post_date", offset, source)
    updated = _date(item, "post_modified", offset, source)
    html, content_attention = body_html(item.content, item.post_id, library, item.first_meta("footnotes") or None)
    entry = Entry(
        kind="page" if item.post_type == "page" else "post",
        where=item.where,
        title=plain_text(item.raw_title),
        html=html,
        date=date,
        status=status,
        draft_reason=draft_reason,
        updated=updated if updated and (date is None or updated > date) else None,
        slug=_slug(item),
        summary=plain_text(item.encoded("excerpt")) or None,
        image=_featured_image(item, library, attention),
        tags=_tags(item),
        authors=_entry_authors(item),
        old_urls=_old_urls(item),
        feed_id=_rss_text(item.element, "guid") or None,
        comments=_comments(item, export, offset, source),
        parents=_parents(item, pages, attention) if item.post_type == "page" else (),
        attention=attention + content_attention,
    )
    return entry


def _status(item: _Item, attention: list[str]) -> tuple[Status, str | None]:
    wp_status = item.wp("status")
    if wp_status not in _STATUSES:
        attention.append(f"unknown status {wp_status!r}: imported as a draft")
    status, reason = _STATUSES.get(wp_status, ("draft", None))
    if item.wp("post_password") and reason is None:
        return "draft", "password-protected"
    return status, reason


def _slug(item: _Item) -> str | None:
    slug = unquote(item.wp("post_name")).strip()
    return slug or None


# -- dates ------------------------------------------------------------------------------------


def _parse_date(value: str, tz: timezone) -> datetime:
    """`2019-03-04 10:00:00` (WordPress's own form) as an aware datetime in `tz`."""
    if not _WP_DATE.fullmatch(value.strip()):
        raise ValueError(value)
    return datetime.fromisoformat(value.strip()).replace(tzinfo=tz)


def _blog_offset(items: list[_Item], source: Path) -> timezone:
    """The blog's offset from UTC, from the items that give both the local and the GMT time
    (the most common difference, to the quarter hour); UTC when none does."""
    offsets: Counter[int] = Counter()
    for item in items:
        local_value, gmt_value = item.wp("post_date"), item.wp("post_date_gmt")
        if local_value in _NO_DATE or gmt_value in _NO_DATE:
            continue
        try:
            difference = _parse_date(local_value, UTC) - _parse_date(gmt_value, UTC)
        except ValueError:
            continue
        offsets[round(difference.total_seconds() / 900) * 15] += 1
    if not offsets:
        return UTC
    minutes = offsets.most_common(1)[0][0]
    return timezone(timedelta(minutes=minutes)) if abs(minutes) < 24 * 60 else UTC


def _date(item: _Item, field: str, offset: timezone, source: Path) -> datetime | None:
    """`wp:<field>_gmt` as UTC; else `wp:<field>` at the blog's offset; None when neither."""
    for name, tz in ((f"{field}_gmt", UTC), (field, offset)):
        value = item.wp(name)
        if value in _NO_DATE:
            continue
        try:
            return _parse_date(value, tz).astimezone(UTC)
        except ValueError as exc:
            raise ExportError(f"{item.where}: wp:{name} {value!r} is not a date (YYYY-MM-DD HH:MM:SS)", source) from exc
    return None


# -- terms, authors, pictures -----------------------------------------------------------------


def _tags(item: _Item) -> list[str]:
    """Categories (without "Uncategorized") then tags, by display name, each once."""
    names: dict[str, str] = {}
    for domain in ("category", "post_tag"):
        for term in item.terms(domain):
            name = plain_text(term.text or "")
            if not name or (domain == "category" and (term.get("nicename") or name).lower() in _UNCATEGORIZED):
                continue
            names.setdefault(name.casefold(), name)
    return list(names.values())


def _entry_authors(item: _Item) -> list[str]:
    """`dc:creator` (a login), then Co-Authors Plus's `category domain="author"`."""
    keys = [xmlread.text_of(item.element, "creator").strip()]
    keys += [(term.text or "").strip() for term in item.terms("author")]
    return list(dict.fromkeys(key for key in keys if key))


def _featured_image(item: _Item, library: Library, attention: list[str]) -> str | None:
    thumbnail = item.first_meta("_thumbnail_id")
    if not thumbnail:
        return None
    attachment = library.attachments.get(thumbnail)
    if attachment is None:
        attention.append(f"featured image (attachment {thumbnail}) is not in the export")
        return None
    if not attachment.alt:
        attention.append(f"featured image {attachment.url} has no alt text")
    return attachment.url


def _old_urls(item: _Item) -> list[str]:
    """`link`, and the same address with each earlier slug (`_wp_old_slug`) in its place."""
    link = _rss_text(item.element, "link")
    if not link:
        return []
    urls = [link]
    parts = urlsplit(link)
    segments = parts.path.split("/")
    last = max((i for i, segment in enumerate(segments) if segment), default=None)
    if last is not None and not parts.query:
        for old_slug in item.meta("_wp_old_slug"):
            if old_slug.strip():
                segments[last] = old_slug.strip()
                urls.append(urlunsplit(parts._replace(path="/".join(segments))))
    return list(dict.fromkeys(urls))


def _parents(item: _Item, pages: dict[str, _Item], attention: list[str]) -> tuple[str, ...]:
    """The slugs of the pages above this one, top first."""
    slugs: list[str] = []
    seen = {item.post_id}
    parent_id = item.wp("post_parent")
    while parent_id and parent_id != "0":
        parent = pages.get(parent_id)
        if parent is None or parent_id in seen:
            attention.append(f"parent page {parent_id} is not in the export; the page is placed under the pages above it")
            break
        slug = _slug(parent)
        if slug is None:
            attention.append(f"parent page {parent_id} has no slug; left out of this page's address")
        else:
            slugs.append(slug)
        seen.add(parent_id)
        parent_id = parent.wp("post_parent")
    return tuple(reversed(slugs))


# -- comments ---------------------------------------------------------------------------------


def _comments(item: _Item, export: Export, offset: timezone, source: Path) -> list[OldComment]:
    """Approved comments (and pingbacks, trackbacks); a reply to a comment left out answers the
    nearest kept one above it, so threads stay whole. No e-mail address or IP is read."""
    kept: dict[str, dict[str, str]] = {}
    parent_of: dict[str, str] = {}
    for element in xmlread.children(item.element, "comment"):
        fields = _child_texts(element)
        comment_id = fields.get("comment_id", "").strip()
        parent_of[comment_id] = fields.get("comment_parent", "").strip()
        approved = fields.get("comment_approved", "").strip()
        if approved == "1":
            kept[comment_id] = fields
        else:
            export.skip("comment", _COMMENT_SKIPS.get(approved, f"status {approved!r}"))
    comments = []
    for comment_id, fields in kept.items():
        comment = _comment(comment_id, fields, _kept_parent(comment_id, parent_of, kept), offset, item, source)
        if comment is None:
            export.skip("comment", "no date")
        else:
            comments.append(comment)
    return comments


def _child_texts(element: ET.Element) -> dict[str, str]:
    """{local name: text} of an element's children (the first of each name)."""
    texts: dict[str, str] = {}
    for found in element:
        texts.setdefault(xmlread.local(found.tag), found.text or "")
    return texts


def _kept_parent(comment_id: str, parent_of: dict[str, str], kept: dict[str, dict[str, str]]) -> str | None:
    parent = parent_of.get(comment_id, "")
    seen = {comment_id}
    while parent and parent != "0" and parent not in seen:
        if parent in kept:
            return parent
        seen.add(parent)
        parent = parent_of.get(parent, "")
    return None


def _comment(comment_id: str, fields: dict[str, str], parent: str | None, offset: timezone, item: _Item, source: Path) -> OldComment | None:
    date = None
    for name, tz in (("comment_date_gmt", UTC), ("comment_date", offset)):
        value = fields.get(name, "").strip()
        if value not in _NO_DATE:
            try:
                date = _parse_date(value, tz).astimezone(UTC)
            except ValueError as exc:
                raise ExportError(f"{item.where}, comment {comment_id}: {name} {value!r} is not a date", source) from exc
            break
    if date is None:
        return None
    comment_type = _COMMENT_TYPES.get(fields.get("comment_type", "").strip(), "comment")
    return OldComment(
        id=comment_id,
        author=plain_text(fields.get("comment_author", "")) or "Anonymous",
        date=date,
        html=clean_html(comment_html(fields.get("comment_content", ""))),
        parent=parent,
        url=safe_url(fields.get("comment_author_url", "")),
        type=comment_type,
    )
