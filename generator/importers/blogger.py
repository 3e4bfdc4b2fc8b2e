"""Blogger's two export formats -> an Export.

- "Back up content" (Settings -> Manage blog), the legacy format: Atom in which every entry's
  kind is a category (`scheme="http://schemas.google.com/g/2005#kind"`, term ending in
  `#post`, `#page`, `#comment`, `#settings`, `#template`); labels are categories of the scheme
  `http://www.blogger.com/atom/ns#`; drafts carry `app:control/app:draft` = yes; comments
  name their post with `thr:in-reply-to ref=`, and a reply names the comment it answers with
  a `link rel="related"` ending in that comment's number.
- Google Takeout's `feed.atom` (namespace http://schemas.google.com/blogger/2018):
  `blogger:type` POST/PAGE/COMMENT, `blogger:status` LIVE/DRAFT/SOFT_TRASHED,
  `blogger:filename` (the old path), `blogger:metaDescription`; comments carry
  `blogger:parent` (their post) and `blogger:inReplyTo` (the comment they answer).

Both are read into one neutral record per entry, then into entries and comments the same
way. Bodies keep Blogger's markup, with its dialect undone: the jump break
`<a name="more"></a>` becomes `<!--more-->`, line breaks inside `<pre>` become newlines,
SyntaxHighlighter and prettify classes become `language-x`, and a body of bare lines split by
`<br />` gets paragraphs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.importers import atom
from generator.importers.model import Author, Entry, Export, ExportError, Kind, Status
from generator.importers.xmlread import child, children, local, namespace, text_of
from generator.old_comments import OldComment

KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
LABEL_SCHEME = "http://www.blogger.com/atom/ns#"
TAKEOUT_NS = "http://schemas.google.com/blogger/2018"
# Where Blogger keeps a blog's pictures (Picasa's bp.blogspot.com before 2020).
UPLOAD_HOSTS = frozenset(
    {"blogger.googleusercontent.com", "bp.blogspot.com", "1.bp.blogspot.com", "2.bp.blogspot.com", "3.bp.blogspot.com", "4.bp.blogspot.com"}
)
_SKIPPED_KINDS = {
    "settings": "blog settings, not posts",
    "template": "the blog's theme, not posts",
    "layout": "the blog's layout, not posts",
}


@dataclass
class _Item:
    """One Blogger entry, whichever format it came in."""

    number: int  # 1-based position in the file, for messages
    element: ET.Element
    kind: str  # "post", "page", "comment", or another kind to skip
    state: str  # "live", "draft", "trashed", or Blogger's own word when unknown
    id: str  # the Atom id, "tag:blogger.com,1999:blog-1.post-2"
    old_path: str | None = None  # the alternate link, or Takeout's filename
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    post_ref: str | None = None  # comments: the id of their post
    parent_ref: str | None = None  # comments: the id of the comment they answer
    anonymous: bool = False  # comments: written without a Blogger profile
    removed: bool = False  # comments: deleted by their author or the blog's owner

    @property
    def short_id(self) -> str:
        return short_id(self.id)


def read(source: Path) -> Export:
    """Read a Blogger export (either format); anything else is an ExportError saying what it is."""
    return read_root(atom.parse_xml(source, "a Blogger export"), source)


def read_root(root: ET.Element, source: Path) -> Export:
    """Read an already parsed Blogger export (the feed reader hands one over when given one)."""
    takeout = _is_takeout(root)
    if not takeout and not _is_legacy(root):
        raise ExportError(
            f"is {atom.looks_like(root)}, not a Blogger export: no entry has Blogger's kind (…#post) or Takeout's blogger:type",
            source,
            hint="export the blog from Blogger (Settings > Back up content, or Google Takeout); import any other feed with `blog import feed`",
        )
    export = Export(source, "Blogger", atom.site_url_of(atom.link_href(root)), upload_hosts=UPLOAD_HOSTS)
    items = [(_takeout_item if takeout else _legacy_item)(number, element) for number, element in enumerate(children(root, "entry"), 1)]
    if export.site_url is None:
        export.attention.append("the export does not name the blog's address: old URLs are kept as paths (/2019/03/name.html)")
    _Reader(export, source).read(items)
    return export


def is_blogger(root: ET.Element) -> bool:
    return _is_takeout(root) or _is_legacy(root)


def _is_takeout(root: ET.Element) -> bool:
    return local(root.tag) == "feed" and any(
        local(node.tag) == "type" and "schemas.google.com/blogger" in namespace(node.tag)
        for entry in children(root, "entry")
        for node in entry
    )


def _is_legacy(root: ET.Element) -> bool:
    return local(root.tag) == "feed" and any(_legacy_kind(entry) is not None for entry in children(root, "entry"))


def short_id(entry_id: str) -> str:
    """The number of a post or comment: "tag:blogger.com,1999:blog-1.post-42" -> "42" (comments
    are numbered like posts, and replies name their parent by this number)."""
    found = re.search(r"[.-](?:post|page|comment)-([\w-]+)$", entry_id.strip())
    return found.group(1) if found else entry_id.strip()


# --- The two formats, read into _Item ------------------------------------------------------


def _legacy_kind(entry: ET.Element) -> str | None:
    for category in children(entry, "category"):
        if category.get("scheme") == KIND_SCHEME and "#" in (category.get("term") or ""):
            return (category.get("term") or "").rsplit("#", 1)[1]
    return None


def _legacy_item(number: int, entry: ET.Element) -> _Item:
    control = child(entry, "control")
    draft = control is not None and text_of(control, "draft").strip().lower() == "yes"
    reply_to = child(entry, "in-reply-to")
    related = atom.link_href(entry, "related")
    summary = child(entry, "summary")
    removed = any(
        prop.get("name") == "blogger.contentRemoved" and prop.get("value") == "true" for prop in children(entry, "extendedProperty")
    )
    return _Item(
        number,
        entry,
        kind=_legacy_kind(entry) or "unknown",
        state="draft" if draft else "live",
        id=text_of(entry, "id").strip(),
        old_path=atom.link_href(entry),
        tags=atom.category_terms(entry, LABEL_SCHEME),
        summary=atom.plain_of(summary) or None,
        post_ref=_reply_post(reply_to),
        # Replies link to their parent comment: …/feeds/BLOG/POST/comments/default/COMMENT.
        parent_ref=related.rstrip("/").rsplit("/", 1)[-1] if related else None,
        removed=removed,
    )


def _reply_post(reply_to: ET.Element | None) -> str | None:
    """The post a legacy comment answers: `ref` is its id; `source` (…/posts/default/POST) says
    the same where `ref` is missing."""
    if reply_to is None:
        return None
    ref = (reply_to.get("ref") or "").strip()
    source = (reply_to.get("source") or "").strip().rstrip("/")
    return ref or (source.rsplit("/", 1)[-1] if source else None)


def _takeout_item(number: int, entry: ET.Element) -> _Item:
    status = text_of(entry, "status").strip().upper()
    trashed = status == "SOFT_TRASHED" or bool(text_of(entry, "trashed").strip())
    state = "trashed" if trashed else {"LIVE": "live", "DRAFT": "draft"}.get(status, status or "live")
    author = child(entry, "author")
    return _Item(
        number,
        entry,
        kind=text_of(entry, "type").strip().lower() or "unknown",
        state=state,
        id=text_of(entry, "id").strip(),
        old_path=text_of(entry, "filename").strip() or None,
        tags=[tag for tag in atom.category_terms(entry) if not tag.startswith("http://schemas.google.com/")],
        summary=" ".join(text_of(entry, "metaDescription").split()) or None,
        post_ref=text_of(entry, "parent").strip() or None,
        parent_ref=text_of(entry, "inReplyTo").strip() or None,
        anonymous=author is not None and text_of(author, "type").strip().upper() == "ANONYMOUS",
    )


# --- Items into entries and comments -------------------------------------------------------


class _Reader:
    def __init__(self, export: Export, source: Path) -> None:
        self.export = export
        self.source = source
        self.authors: dict[str, Author] = {}
        self.now = datetime.now(UTC)

    def read(self, items: list[_Item]) -> None:
        by_id: dict[str, Entry] = {}
        comments: list[_Item] = []
        for item in items:
            if item.kind in ("post", "page"):
                entry = self.entry(item)
                if entry is not None:
                    self.export.entries.append(entry)
                    by_id[item.id] = by_id[item.short_id] = entry
            elif item.kind == "comment":
                comments.append(item)
            else:
                self.export.skip(item.kind, _SKIPPED_KINDS.get(item.kind, f"Blogger entries of kind {item.kind!r} are not posts"))
        self.attach_comments(comments, by_id)
        self.export.authors = list(self.authors.values())
        if not self.export.entries:
            raise ExportError("is a Blogger export without a single post or page", self.source)

    def entry(self, item: _Item) -> Entry | None:
        kind: Kind = "page" if item.kind == "page" else "post"
        element = item.element
        title = atom.plain_of(child(element, "title"))
        where = f"entry {item.number} ({kind} {item.short_id} {title!r})" if title else f"entry {item.number} ({kind} {item.short_id})"
        if item.state == "trashed":
            self.export.skip(kind, "in Blogger's trash")
            return None
        published = atom.date_of(element, "published", where, self.source)
        updated = atom.date_of(element, "updated", where, self.source)
        date = published or atom.date_of(element, "created", where, self.source) or updated
        status, draft_reason, attention = self.status(item, date)
        slug = atom.slug_from_url(item.old_path)
        if not title:
            title = slug.replace("-", " ").capitalize() if slug else "Untitled"
            attention.append(f"had no title; it is now {title!r}")
        content = child(element, "content")
        body = clean_body(atom.html_of(content)) if content is not None else ""
        people = atom.people(element)
        return Entry(
            kind=kind,
            where=where,
            title=title,
            html=body,
            date=date,
            status=status,
            draft_reason=draft_reason,
            updated=updated if updated != date else None,
            slug=slug,
            summary=item.summary,
            tags=item.tags,
            authors=[atom.register_author(self.authors, person) for person in people if person.name not in ("Unknown",)],
            # A draft's reserved address never showed anything: no alias for it.
            old_urls=[item.old_path] if item.old_path and status != "draft" else [],
            feed_id=item.id or None,
            attention=attention,
        )

    def status(self, item: _Item, date: datetime | None) -> tuple[Status, str | None, list[str]]:
        if item.state == "draft":
            return "draft", None, []
        if item.state != "live":
            return "draft", f"Blogger status {item.state}", [f"had the Blogger status {item.state!r}: imported as a draft"]
        if date is not None and date > self.now:
            return "scheduled", None, []
        return "published", None, []

    def attach_comments(self, items: list[_Item], by_id: dict[str, Entry]) -> None:
        groups: dict[int, tuple[Entry, list[_Item]]] = {}
        for item in items:
            if not self.approved(item):
                continue
            post = by_id.get(item.post_ref or "") or by_id.get(short_id(item.post_ref or ""))
            if post is None:
                self.export.skip("comment", "its post is not in the export, or not imported" if item.post_ref else "names no post")
                continue
            groups.setdefault(id(post), (post, []))[1].append(item)
        for post, group in groups.values():
            ids = {item.short_id for item in group}
            post.comments.extend(comment for item in group if (comment := self.comment(item, ids)) is not None)

    def approved(self, item: _Item) -> bool:
        """Whether a comment was shown on the old blog; the others are counted."""
        if item.state == "trashed":
            self.export.skip("comment", "in Blogger's trash")
        elif item.state != "live":
            self.export.skip("comment", f"not approved (Blogger status {item.state})")
        elif item.removed:
            self.export.skip("comment", "removed by its author or the blog's owner")
        else:
            return True
        return False

    def comment(self, item: _Item, ids_of_post: set[str]) -> OldComment | None:
        element = item.element
        where = f"entry {item.number} (comment {item.short_id})"
        date = atom.date_of(element, "published", where, self.source) or atom.date_of(element, "updated", where, self.source)
        if date is None:
            self.export.skip("comment", "has no date")
            return None
        person = next(iter(atom.people(element)), None)
        content = child(element, "content")
        # A reply names the comment it answers; threading holds only within the same post.
        parent = short_id(item.parent_ref) if item.parent_ref else None
        return OldComment(
            id=item.short_id,
            author=person.name if person else "Anonymous",
            date=date,
            html=atom.html_of(content) if content is not None else "",
            parent=parent if parent in ids_of_post and parent != item.short_id else None,
            url=None if item.anonymous or person is None else person.uri,
        )


# --- Bodies ----------------------------------------------------------------------------------

_JUMP_BREAK = re.compile(r"<a\s+name\s*=\s*[\"']?more[\"']?\s*>\s*</a>", re.IGNORECASE)
_PRE = re.compile(r"<pre\b([^>]*)>(.*?)</pre\s*>", re.IGNORECASE | re.DOTALL)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(r"<(?:p|div|pre|table|ul|ol|h[1-6]|blockquote|figure|dl|hr)\b", re.IGNORECASE)


def clean_body(body: str) -> str:
    """Blogger's markup with its dialect undone (see the module docstring)."""
    body = _JUMP_BREAK.sub("<!--more-->", body)
    body = _PRE.sub(_code_block, body)
    if not _BLOCK.search(body) and _BR.search(body):
        body = _paragraphs(body)
    return body


def _code_block(match: re.Match[str]) -> str:
    attributes, inside = match.group(1), match.group(2)
    inside = _BR.sub("\n", inside)
    language = _code_language(attributes)
    if language is None or re.match(r"\s*<code\b", inside, re.IGNORECASE):
        return f"<pre{attributes}>{inside}</pre>"
    return f'<pre><code class="language-{language}">{inside}</code></pre>'


def _code_language(attributes: str) -> str | None:
    """The language a `<pre>`'s classes name: SyntaxHighlighter ("brush: cpp"; 1.5's
    `name="code" class="cpp"`), prettify ("prettyprint lang-py"), or "language-x"."""
    found = re.search(r"class\s*=\s*[\"']([^\"']*)[\"']", attributes, re.IGNORECASE)
    classes = found.group(1) if found else ""
    for pattern in (r"brush\s*:\s*([\w+#-]+)", r"\blang(?:uage)?-([\w+#-]+)"):
        language = re.search(pattern, classes, re.IGNORECASE)
        if language:
            return language.group(1).lower()
    if re.search(r"name\s*=\s*[\"']code[\"']", attributes, re.IGNORECASE) and re.fullmatch(r"[\w+#-]+", classes.strip()):
        return classes.strip().lower()
    return None


def _paragraphs(body: str) -> str:
    """A body of bare lines split by `<br />` (Blogger's "convert line breaks"): two or more
    breaks in a row end a paragraph, one stays a line break."""
    blocks = [block.strip() for block in re.split(r"(?:\s*<br\s*/?>\s*){2,}", body, flags=re.IGNORECASE)]
    return "\n".join(f"<p>{block}</p>" for block in blocks if block and not _BR.fullmatch(block))
