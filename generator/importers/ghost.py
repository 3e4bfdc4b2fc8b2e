"""The Ghost reader: a Ghost export (Settings → Labs → Export, one JSON file) as an Export.

The file is `{"db": [{"meta": {"version": ...}, "data": {<table>: [<row>, ...]}}]}` (very old
Ghost versions put `meta` and `data` at the top). Posts and pages are rows of `posts`; their
tags, authors and SEO fields are joined from `posts_tags`, `posts_authors` + `users` and
`posts_meta`. The body is the rendered `html` when the export has it, else the `lexical`
document (Ghost 5) rendered here, else the older `mobiledoc` rendered as well as cheaply
possible. Links and pictures inside Ghost's content start with the placeholder
`__GHOST_URL__`; it is removed, so they become root-relative ("/content/images/x.jpg").

Decisions a reader of the old blog would notice:
- `sent` posts were e-mailed as a newsletter and never shown on the site: imported as drafts
  (draft_reason "email-only") so their text is not lost, and with no old URL.
- Posts only members could read (`visibility` members, paid, tiers) are drafts with
  draft_reason "members-only": publishing them would give away what readers paid for.
- Tags whose name starts with `#` are Ghost's internal tags (for themes): not tags; counted.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from generator.importers import lexical
from generator.importers.model import Author, Entry, Export, ExportError, Kind, Status
from generator.old_comments import safe_url

Row = dict[str, Any]

# A Ghost export of a large blog is tens of megabytes; a file far above this is not one.
MAX_EXPORT_BYTES = 512 * 1024 * 1024
# `__GHOST_URL__` alone (a link to the home page) becomes "/", followed by a path it goes.
_GHOST_URL_ALONE = re.compile(r"__GHOST_URL__(?=[\"'\s<)]|$)")
# Ghost's own markers in rendered html: card boundaries, and where the members-only part began.
_CARD_MARKER = re.compile(r"<!--kg-card-(?:begin|end): [\w-]+-->\n?")
_MEMBERS_MARKER = "<!--members-only-->"
_MEMBERS_VISIBILITY = {"members", "paid", "tiers", "filter"}
_STATUSES: dict[str, Status] = {"published": "published", "draft": "draft", "scheduled": "scheduled", "sent": "draft"}


def read(source: Path) -> Export:
    data, version = _tables(_load(source), source)
    export = Export(source=source, platform="Ghost", site_url=None)
    tables = _Tables(data, source)
    for index, post in enumerate(tables.rows("posts")):
        entry = _entry(post, index, tables, export, source)
        if entry is not None:
            export.entries.append(entry)
    export.authors = tables.authors_used({key for entry in export.entries for key in entry.authors})
    internal = sum(1 for tag in tables.rows("tags") if _is_internal(tag))
    if internal:
        export.skip("internal tag", "Ghost's #tags organise themes, not readers", internal)
    export.attention.extend(_export_notes(version))
    return export


def _load(source: Path) -> object:
    try:
        size = source.stat().st_size
        if size > MAX_EXPORT_BYTES:
            raise ExportError(
                f"is {size // (1024 * 1024)} MB, larger than any Ghost export ({MAX_EXPORT_BYTES // (1024 * 1024)} MB at most)", source
            )
        raw = source.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read the export: {exc.strerror or exc}", source) from exc
    text = raw.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("<"):
        raise ExportError(
            "is XML or HTML, not Ghost's JSON export (a WordPress or Blogger export? use that importer)",
            source,
        )
    try:
        # strict=False: control characters inside strings are kept rather than failing the file.
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        # With strict=False a string only stays open when the file ends inside it.
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        reason = exc.msg.removesuffix(" starting at").lower()
        raise ExportError(
            f"is not valid JSON ({reason} at column {exc.colno})" + ("; the file looks truncated" if truncated else ""),
            source,
            line=exc.lineno,
            hint="export it again from Ghost (Settings → Labs → Export); a file cut short in a download ends like this"
            if truncated
            else None,
        ) from exc


def _tables(document: object, source: Path) -> tuple[dict[str, Any], str | None]:
    """`db[0].data` and `db[0].meta.version`; anything else is not a Ghost export."""
    database = document
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        database = document["db"][0]
    data = database.get("data") if isinstance(database, dict) else None
    if not isinstance(data, dict) or "posts" not in data:
        looks_like = (
            "Ghost's Admin or Content API output" if isinstance(document, dict) and isinstance(document.get("posts"), list) else "JSON"
        )
        raise ExportError(
            f"is {looks_like}, not a Ghost export: it has no db[0].data.posts",
            source,
            hint="export the site from Ghost's admin: Settings → Labs → Export your content",
        )
    meta = database.get("meta") if isinstance(database, dict) else None
    version = meta.get("version") if isinstance(meta, dict) else None
    return data, str(version) if version is not None else None


class _Tables:
    """The export's tables, checked, with the joins a post needs."""

    def __init__(self, data: dict[str, Any], source: Path) -> None:
        self.data = data
        self.source = source
        self.tags = {row.get("id"): row for row in self.rows("tags")}
        self.users = {row.get("id"): row for row in self.rows("users")}
        self.meta = {row.get("post_id"): row for row in self.rows("posts_meta")}
        self.post_tags = self._links("posts_tags", "tag_id")
        self.post_authors = self._links("posts_authors", "author_id")

    def rows(self, table: str) -> list[Row]:
        rows = self.data.get(table, [])
        if rows is None:
            return []
        if not isinstance(rows, list):
            raise ExportError(f"db[0].data.{table} is not a list of rows: not a Ghost export, or a damaged one", self.source)
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise ExportError(f"{table}[{index}] is not an object: a damaged Ghost export", self.source)
        return rows

    def _links(self, table: str, target: str) -> dict[object, list[object]]:
        """post id -> the linked ids, in their sort_order (0 first: the primary tag or author)."""
        linked: dict[object, list[tuple[float, int, object]]] = defaultdict(list)
        for position, row in enumerate(self.rows(table)):
            order = row.get("sort_order")
            linked[row.get("post_id")].append((order if isinstance(order, int | float) else position, position, row.get(target)))
        return {post: [target_id for *_, target_id in sorted(links)] for post, links in linked.items()}

    def tag_names(self, post: Row) -> list[str]:
        names = []
        for tag_id in self.post_tags.get(post.get("id"), []):
            tag = self.tags.get(tag_id)
            if tag is not None and not _is_internal(tag) and str(tag.get("name") or "").strip():
                names.append(str(tag["name"]).strip())
        return list(dict.fromkeys(names))

    def author_keys(self, post: Row) -> list[str]:
        # Ghost before 1.22 had one author per post, in posts.author_id.
        ids = self.post_authors.get(post.get("id")) or ([post["author_id"]] if post.get("author_id") else [])
        return list(dict.fromkeys(str(self.users[i]["slug"]) for i in ids if i in self.users and self.users[i].get("slug")))

    def authors_used(self, keys: set[str]) -> list[Author]:
        authors = []
        for user in self.users.values():
            key = str(user.get("slug") or "")
            if key in keys:
                authors.append(Author(key=key, name=str(user.get("name") or key).strip(), url=safe_url(user.get("website"))))
        return authors

    def post_meta(self, post: Row, field: str) -> str | None:
        # Ghost 4+ keeps SEO fields in posts_meta; earlier versions on the post itself.
        return _plain((self.meta.get(post.get("id")) or {}).get(field) or post.get(field))


def _is_internal(tag: Row) -> bool:
    return str(tag.get("name") or "").startswith("#") or tag.get("visibility") == "internal"


def _entry(post: Row, index: int, tables: _Tables, export: Export, source: Path) -> Entry | None:
    kind: Kind = "page" if post.get("type") == "page" or post.get("page") in (True, 1) else "post"
    title = str(post.get("title") or "").strip()
    where = f"posts[{index}] ({kind} {post.get('id', '?')} '{title}')"
    ghost_status = str(post.get("status") or "")
    status = _STATUSES.get(ghost_status)
    if status is None:
        export.skip(kind, f"status '{ghost_status}' is not published, draft, scheduled or sent")
        return None
    html, attention = _body(post, where, source)
    entry = Entry(
        kind=kind,
        where=where,
        title=title,
        html=html,
        date=_date(post.get("published_at"), where, source) if ghost_status != "draft" else None,
        status=status,
        updated=_date(post.get("updated_at"), where, source),
        slug=unquote(str(post["slug"])) if post.get("slug") else None,
        summary=_plain(post.get("custom_excerpt")) or tables.post_meta(post, "meta_description"),
        image=_without_placeholder(str(post["feature_image"])) if post.get("feature_image") else None,
        tags=tables.tag_names(post),
        authors=tables.author_keys(post),
        feed_id=str(post["id"]) if post.get("id") is not None else None,
        attention=attention,
    )
    _visibility(entry, post, ghost_status)
    if ghost_status in ("published", "scheduled") and entry.slug:
        entry.old_urls.append(f"/{entry.slug}/")
    _canonical(entry, post)
    if any(str(post.get(field) or "").strip() for field in ("codeinjection_head", "codeinjection_foot")):
        entry.attention.append("had code injection (scripts or styles added to its page in Ghost): not imported")
    return entry


def _canonical(entry: Entry, post: Row) -> None:
    """Ghost's canonical_url says where the post was first published. On this blog (written
    with the placeholder) it is one more old address; elsewhere (Medium, a partner's site) an
    alias would claim that other site's path here, so it is only noted."""
    canonical = str(post.get("canonical_url") or "").strip()
    if not canonical:
        return
    if canonical.startswith("__GHOST_URL__") or canonical.startswith("/"):
        address = _without_placeholder(canonical)
        if address not in entry.old_urls:
            entry.old_urls.append(address)
    else:
        entry.attention.append(
            f"its canonical URL points to where it was first published, {canonical}: not an address of this blog, so no alias"
        )


def _visibility(entry: Entry, post: Row, ghost_status: str) -> None:
    if ghost_status == "sent":
        # E-mailed to subscribers only: there was never a page to keep, but the text is kept.
        entry.draft_reason = "email-only"
        entry.attention.append("was sent only as a newsletter (never on the site): imported as a draft")
    visibility = str(post.get("visibility") or "public")
    if visibility in _MEMBERS_VISIBILITY and entry.status != "draft":
        entry.status = "draft"
        entry.draft_reason = "members-only"
        who = "members" if visibility == "members" else "paying members"
        entry.attention.append(f"only {who} could read it on Ghost: imported as a draft; publish it only if it may now be public")


def _body(post: Row, where: str, source: Path) -> tuple[str, list[str]]:
    attention: list[str] = []
    if post.get("html"):
        html = str(post["html"])
    elif post.get("lexical"):
        try:
            html, attention = lexical.render(str(post["lexical"]))
        except ValueError as exc:
            raise ExportError(f"{where}: {exc}", source) from exc
    elif post.get("mobiledoc"):
        html, attention = _mobiledoc(str(post["mobiledoc"]), where, source)
    else:
        html = ""
    if _MEMBERS_MARKER in html:
        attention.append("the part after Ghost's members-only marker was for members only")
    html = _CARD_MARKER.sub("", html.replace(_MEMBERS_MARKER, ""))
    return _without_placeholder(html).strip(), attention


def _without_placeholder(text: str) -> str:
    return _GHOST_URL_ALONE.sub("/", text).replace("__GHOST_URL__", "")


def _date(value: object, where: str, source: Path) -> datetime | None:
    """Ghost writes UTC times ("2019-03-04T10:00:00.000Z"; "2019-03-04 10:00:00" in old
    exports; milliseconds since 1970 in the oldest)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise ExportError(f"{where}: the date '{value}' is not a date Ghost writes", source) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _plain(value: object) -> str | None:
    """A text field, stripped; None when empty."""
    return (str(value).strip() or None) if value else None


# -- mobiledoc (Ghost 1 to 4) -----------------------------------------------------------------

# Section kinds of mobiledoc 0.3: markup (a paragraph, heading, quote), image, list, card.
_MARKUP_SECTION, _IMAGE_SECTION, _LIST_SECTION, _CARD_SECTION = 1, 2, 3, 10
_MARKUP_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "aside", "pull-quote"}


def _mobiledoc(source_text: str, where: str, source: Path) -> tuple[str, list[str]]:
    """A mobiledoc body rendered: its sections as HTML and its cards through the Lexical card
    renderers (same payloads); an export with neither html nor lexical is rare, so the result
    is flagged for a look."""
    try:
        document = json.loads(source_text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{where}: its mobiledoc field is not JSON ({exc.msg})", source) from exc
    if not isinstance(document, dict):
        raise ExportError(f"{where}: its mobiledoc field is not a mobiledoc document", source)
    renderer = lexical.Renderer()
    renderer.note("mobiledoc: the export had no html for this post, so the importer rendered Ghost's mobiledoc itself; check it")
    markups = [m for m in document.get("markups", []) if isinstance(m, list) and m]
    atoms = [a for a in document.get("atoms", []) if isinstance(a, list)]
    cards = [c for c in document.get("cards", []) if isinstance(c, list) and c]
    parts = []
    for section in document.get("sections", []):
        if not isinstance(section, list) or not section:
            continue
        kind = section[0]
        if kind == _MARKUP_SECTION and len(section) >= 3:
            tag = str(section[1]).lower()
            tag = {"aside": "blockquote", "pull-quote": "blockquote"}.get(tag, tag if tag in _MARKUP_TAGS else "p")
            inner = _markers(section[2], markups, atoms)
            parts.append(f"<{tag}>{inner}</{tag}>" if inner.strip() else "")
        elif kind == _IMAGE_SECTION and len(section) >= 2:
            parts.append(renderer.image_card({"src": section[1]}))
        elif kind == _LIST_SECTION and len(section) >= 3:
            tag = "ol" if section[1] == "ol" else "ul"
            items = "".join(f"<li>{_markers(item, markups, atoms)}</li>" for item in section[2] if isinstance(item, list))
            parts.append(f"<{tag}>{items}</{tag}>")
        elif kind == _CARD_SECTION and len(section) >= 2 and isinstance(section[1], int) and section[1] < len(cards):
            name, payload = cards[section[1]][0], cards[section[1]][1] if len(cards[section[1]]) > 1 else {}
            parts.append(renderer.card(str(name), payload if isinstance(payload, dict) else {}))
    return "\n".join(part for part in parts if part), renderer.attention


def _markers(markers: object, markups: list[list[Any]], atoms: list[list[Any]]) -> str:
    """The text of one section: markers open markups (by index) and close the last N opened."""
    html, open_tags = [], []
    for marker in markers if isinstance(markers, list) else []:
        if not isinstance(marker, list) or len(marker) < 4:
            continue
        kind, opened, closed, value = marker[:4]
        for index in opened if isinstance(opened, list) else []:
            if isinstance(index, int) and index < len(markups):
                tag, attributes = _markup(markups[index])
                html.append(f"<{tag}{attributes}>")
                open_tags.append(tag)
        if kind == 1 and isinstance(value, int) and value < len(atoms) and len(atoms[value]) > 1:
            html.append(lexical.text(atoms[value][1]))
        else:
            html.append(lexical.text(value))
        for _ in range(min(closed, len(open_tags)) if isinstance(closed, int) else 0):
            html.append(f"</{open_tags.pop()}>")
    html.extend(f"</{tag}>" for tag in reversed(open_tags))
    return "".join(html)


def _markup(markup: list[Any]) -> tuple[str, str]:
    tag = str(markup[0]).lower()
    if tag not in {"a", "b", "strong", "i", "em", "code", "s", "sub", "sup", "u"}:
        return "span", ""
    attributes = markup[1] if len(markup) > 1 and isinstance(markup[1], list) else []
    pairs = zip(attributes[::2], attributes[1::2], strict=False)
    return tag, "".join(f' {name}="{lexical.attr(value)}"' for name, value in pairs if name in ("href", "title") and tag == "a")


def _export_notes(version: str | None) -> list[str]:
    made_by = f"Ghost {version}" if version else "Ghost"
    return [
        f"The export ({made_by}) does not say the blog's address: its pictures and links are root-relative "
        "(/content/images/...); pass --media with Ghost's content folder to copy the pictures, and --old-url "
        "with the blog's address so links to pages not in the export point back at it.",
        "Old addresses are Ghost's default /slug/; custom routes (routes.yaml) are not in the export, "
        "so posts moved by them need aliases added by hand.",
        "Ghost's comments and member data are not in the export.",
    ]
