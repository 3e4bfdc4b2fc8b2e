"""The Medium reader: Medium's "Download your information" archive (a .zip, or the folder it
unpacks to) as an Export.

Each story is one page in `posts/`, marked up with microformats: `.p-name` (title),
`.p-summary` (subtitle), `.e-content` (body), `.p-author`, `time.dt-published`, `.p-tags`, and
`a.p-canonical` (the story's address, ending in Medium's 12-hex-digit story id). Files named
`draft_*.html` are unpublished drafts. The body is Medium's editor markup ("graf" paragraphs
inside section and div wrappers); it is reduced here to plain HTML: the title Medium repeats
as the first heading is dropped, code paragraphs (`pre.graf--pre`, lines split by `<br>`)
become one `<pre><code>`, and Medium's classes, ids and wrappers go.

The archive is read in memory, never unpacked: a member with an absolute path or `..` is
refused, and sizes are capped (a .zip can claim one size and hold another).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import UTC, datetime
from html import escape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import lxml.etree
import lxml.html

from generator.importers.model import Author, Entry, Export, ExportError
from generator.old_comments import safe_url

UPLOAD_HOSTS = frozenset({"cdn-images-1.medium.com", "miro.medium.com"})
MAX_POST_BYTES = 20 * 1024 * 1024  # one story's page; real ones are a few hundred kB
MAX_POSTS_BYTES = 1024 * 1024 * 1024  # every story together
MAX_MEMBERS = 200_000
_STORY_ID = re.compile(r"[0-9a-f]{12}")
_ID_AT_END = re.compile(r"-([0-9a-f]{12})$")
_SHORT_LINK = re.compile(r"^https?://medium\.com/p/([0-9a-f]{10,12})/?$")
_FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})_")
_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")
# Attributes worth keeping, by element; everything else (class, id, name, data-*, style) is
# Medium's editor state.
_KEPT_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "srcset", "width", "height"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "video": {"src", "controls", "poster"},
    "source": {"src", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
_RESPONSES_NOTE = (
    "Medium exports responses (your replies to other stories) as posts too, with nothing that reliably "
    "tells them apart; posts whose body has no title heading are flagged as possible responses: check them."
)


def read(source: Path) -> Export:
    export = Export(source=source, platform="Medium", site_url=None, upload_hosts=UPLOAD_HOSTS)
    authors: dict[str, Author] = {}
    for name, data in _post_files(source):
        export.entries.append(_entry(name, data, source, authors))
    export.authors = list(authors.values())
    export.site_url = _site_url(export)
    export.attention.append(_RESPONSES_NOTE)
    export.attention.append("Readers' responses to your stories are not in Medium's export: there are no comments to keep.")
    if export.site_url == "https://medium.com":
        export.attention.append(
            "The stories' old addresses are on medium.com, which Medium keeps: they cannot redirect here "
            "(links to them between your stories are still rewritten). A publication on its own domain can: point the domain at the new blog."
        )
    if export.site_url is None and any(entry.old_urls for entry in export.entries):
        export.attention.append("The stories' addresses are on more than one host; old URLs keep their full address.")
    return export


# -- finding the stories --------------------------------------------------------------------------


def _post_files(source: Path) -> list[tuple[str, bytes]]:
    """(name such as "posts/x.html", the page's bytes) for every story, sorted by name."""
    if source.is_dir():
        return _folder_posts(source)
    if not source.exists():
        raise ExportError("does not exist", source)
    if not zipfile.is_zipfile(source):
        raise ExportError(
            "is neither a folder nor a .zip: a Medium export is the .zip from Settings → Download your information, or its folder",
            source,
        )
    return _zip_posts(source)


def _folder_posts(folder: Path) -> list[tuple[str, bytes]]:
    candidates = [folder] if folder.name == "posts" else []
    candidates += [folder / "posts", *(child / "posts" for child in sorted(folder.iterdir()) if child.is_dir())]
    posts = next((candidate for candidate in candidates if candidate.is_dir()), None)
    if posts is None:
        raise ExportError("has no posts/ folder: not a Medium export (its archive holds posts/*.html)", folder)
    files = []
    for path in sorted(posts.glob("*.html")):
        if path.is_symlink():
            raise ExportError("is a symbolic link; a Medium export holds none: refused", path)
        if path.stat().st_size > MAX_POST_BYTES:
            raise ExportError(f"is larger than any Medium story ({MAX_POST_BYTES // (1024 * 1024)} MB at most)", path)
        files.append((f"posts/{path.name}", path.read_bytes()))
    if not files:
        raise ExportError("holds no .html stories: an empty or incomplete Medium export", posts)
    return files


def _zip_posts(source: Path) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ExportError(f"holds {len(members)} files, more than any Medium export: refused", source)
            for member in members:
                _check_member_name(member.filename, source)
            stories = sorted((m for m in members if _is_story(m.filename)), key=lambda m: m.filename)
            if not stories:
                raise ExportError("holds no posts/*.html: not a Medium export", source)
            return _read_members(archive, stories, source)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ExportError(f"is a damaged .zip ({exc})", source, hint="download the export from Medium again") from exc


def _check_member_name(name: str, source: Path) -> None:
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in path.split("/"):
        raise ExportError(f"holds '{name}', a path outside the archive (absolute or with '..'): refused", source)


def _is_story(name: str) -> bool:
    # posts/x.html at the top, or one folder down (an archive of the unpacked folder).
    parts = PurePosixPath(name).parts
    return 2 <= len(parts) <= 3 and parts[-2] == "posts" and parts[-1].endswith(".html")


def _read_members(archive: zipfile.ZipFile, stories: list[zipfile.ZipInfo], source: Path) -> list[tuple[str, bytes]]:
    files, total = [], 0
    for member in stories:
        if member.flag_bits & 0x1:
            raise ExportError(f"'{member.filename}' is encrypted; Medium's exports are not", source)
        with archive.open(member) as stream:
            # Read one byte past the limit: the size a .zip declares may be a lie.
            data = stream.read(MAX_POST_BYTES + 1)
        total += len(data)
        if len(data) > MAX_POST_BYTES or total > MAX_POSTS_BYTES:
            raise ExportError(f"'{member.filename}' is larger than any Medium export holds: refused", source)
        files.append((f"posts/{PurePosixPath(member.filename).name}", data))
    return files


# -- one story ------------------------------------------------------------------------------------


def _entry(name: str, data: bytes, source: Path, authors: dict[str, Author]) -> Entry:
    filename = PurePosixPath(name).name
    document = _parse(name, data, source)
    content = _first(document, "e-content")
    if content is None:
        raise ExportError(f"{name}: has no e-content element: not a story of a Medium export", source)
    title = _text(_first(document, "p-name")) or _text(document.find(".//title"))
    where = f"{name} ('{title}')"
    draft = filename.startswith("draft_")
    canonical = None if draft else _href(_first(document, "p-canonical"))
    story_id = _story_id(document, canonical)
    image = _featured_image(content)  # before the clean-up removes Medium's data-is-featured
    html, attention = _clean_body(content)
    entry = Entry(
        kind="post",
        where=where,
        title=title,
        html=html,
        date=None if draft else _published(document, filename, where, source),
        status="draft" if draft else "published",
        slug=_slug(canonical, story_id),
        summary=_text(_first(document, "p-summary")) or None,
        image=image,
        tags=_tags(document),
        authors=_author(document, authors),
        old_urls=[canonical] if canonical else [],
        feed_id=f"https://medium.com/p/{story_id}" if story_id and not draft else None,
        attention=attention,
    )
    if entry.date is None and not draft:
        entry.attention.append("has no publication date in the export: it gets the import's date")
    return entry


def _parse(name: str, data: bytes, source: Path) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(data.decode("utf-8", errors="replace"))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExportError(f"{name}: is not a readable HTML page ({exc})", source) from exc


def _by_class(element: lxml.html.HtmlElement, name: str) -> list[lxml.html.HtmlElement]:
    return element.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]")


def _first(element: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement | None:
    found = _by_class(element, name)
    return found[0] if found else None


def _text(element: lxml.html.HtmlElement | None) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def _href(element: lxml.html.HtmlElement | None) -> str | None:
    href = (element.get("href") or "").strip() if element is not None else ""
    return href if urlsplit(href).scheme in ("http", "https") else None


def _story_id(document: lxml.html.HtmlElement, canonical: str | None) -> str | None:
    """Medium's id of the story: the end of its address, else the footer's medium.com/p/<id> link."""
    if canonical:
        last = PurePosixPath(urlsplit(canonical).path).name
        found = _ID_AT_END.search(last)
        if found or _STORY_ID.fullmatch(last):
            return found.group(1) if found else last
    for link in document.xpath(".//footer//a[@href]"):
        short = _SHORT_LINK.match(link.get("href", ""))
        if short:
            return short.group(1)
    return None


def _slug(canonical: str | None, story_id: str | None) -> str | None:
    if not canonical:
        return None
    last = unquote(PurePosixPath(urlsplit(canonical).path).name)
    if story_id:
        last = last.removesuffix(story_id).removesuffix("-")
    return last or None


def _published(document: lxml.html.HtmlElement, filename: str, where: str, source: Path) -> datetime | None:
    for time in document.xpath(".//time[contains(concat(' ', normalize-space(@class), ' '), ' dt-published ')][@datetime]"):
        try:
            parsed = datetime.fromisoformat(time.get("datetime").strip())
        except ValueError as exc:
            raise ExportError(f"{where}: the date '{time.get('datetime')}' is not an ISO date", source) from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    from_name = _FILE_DATE.match(filename)
    return datetime.fromisoformat(from_name.group(1)).replace(tzinfo=UTC) if from_name else None


def _tags(document: lxml.html.HtmlElement) -> list[str]:
    tags = [_text(link) for holder in _by_class(document, "p-tags") for link in holder.iter("a")]
    tags += [_text(tag) for tag in _by_class(document, "p-tag")]
    return list(dict.fromkeys(tag for tag in tags if tag))


def _author(document: lxml.html.HtmlElement, authors: dict[str, Author]) -> list[str]:
    element = _first(document, "p-author")
    name = _text(element)
    if element is None or not name:
        return []
    profile = _href(element)
    handle = next((part[1:] for part in urlsplit(profile or "").path.split("/") if part.startswith("@") and len(part) > 1), None)
    key = handle or name.lower()
    authors.setdefault(key, Author(key=key, name=name, url=safe_url(profile)))
    return [key]


def _featured_image(content: lxml.html.HtmlElement) -> str | None:
    featured = content.xpath(".//img[@data-is-featured='true'][@src]")
    return featured[0].get("src") if featured else None


def _site_url(export: Export) -> str | None:
    hosts = {f"{p.scheme}://{p.netloc}" for p in (urlsplit(url) for entry in export.entries for url in entry.old_urls)}
    return hosts.pop() if len(hosts) == 1 else None


# -- the body -------------------------------------------------------------------------------------


def _clean_body(content: lxml.html.HtmlElement) -> tuple[str, list[str]]:
    attention: list[str] = []
    title = _first(content, "graf--title")
    if title is not None:
        title.drop_tree()  # Medium repeats the title as the body's first heading
    else:
        attention.append("no title heading in its body: it may be a response (a reply to another story) rather than a story")
    _section_dividers(content)
    _code_blocks(content)
    _link_cards(content)
    _bare_embeds(content)
    if any("medium.com/media/" in (frame.get("src") or "") for frame in content.iter("iframe")):
        attention.append(
            "an embed (gist, tweet, video) is served by medium.com/media: it stays an iframe to Medium; replace it if that stops working"
        )
    for wrapper in [element for element in content.iterdescendants() if element.tag in ("section", "div")]:
        wrapper.drop_tag()
    for element in content.iter():
        _keep_attributes(element)
    return _serialized_children(content), attention


def _section_dividers(content: lxml.html.HtmlElement) -> None:
    """Medium starts every section with a rule; the first one opens the story and is dropped."""
    for position, divider in enumerate(_by_class(content, "section-divider")):
        if divider.tag != "div":
            continue
        if position == 0:
            divider.drop_tree()
        else:
            rule = lxml.html.Element("hr")
            rule.tail = divider.tail
            divider.getparent().replace(divider, rule)


def _code_blocks(content: lxml.html.HtmlElement) -> None:
    """Each `pre.graf--pre` is one paragraph of code with `<br>` lines; consecutive ones are one block."""
    previous: lxml.html.HtmlElement | None = None
    for pre in _by_class(content, "graf--pre"):
        code = _code_text(pre)
        language = (pre.get("data-code-block-lang") or "").strip().lower()
        sibling = pre.getprevious()
        if previous is not None and sibling is previous and not (previous.tail or "").strip():
            previous[0].text = (previous[0].text or "") + "\n\n" + code
            pre.drop_tree()
            continue
        block = lxml.html.Element("pre")
        inner = lxml.etree.SubElement(block, "code")
        inner.text = code
        if _LANGUAGE.fullmatch(language):
            inner.set("class", f"language-{language}")
        block.tail = pre.tail
        pre.getparent().replace(pre, block)
        previous = block


def _code_text(element: lxml.html.HtmlElement) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "br" else _code_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _link_cards(content: lxml.html.HtmlElement) -> None:
    """Medium's link previews ("mixtape": a link holding a bold title, an italic description and
    the site's name, beside a thumbnail): one paragraph, the title linked, then the description."""
    for card in _by_class(content, "graf--mixtapeEmbed"):
        link = next((a for a in card.iter("a") if a.get("href") and "mixtapeImage" not in (a.get("class") or "")), None)
        if link is None:
            card.drop_tree()
            continue
        title = _text(next(iter(link.iter("strong")), None)) or _text(link) or link.get("href")
        description = _text(next(iter(link.iter("em")), None))
        paragraph = lxml.html.Element("p")
        anchor = lxml.etree.SubElement(paragraph, "a", href=link.get("href"))
        anchor.text = title
        anchor.tail = f" \N{EM DASH} {description}" if description else None
        paragraph.tail = card.tail
        card.getparent().replace(card, paragraph)


def _bare_embeds(content: lxml.html.HtmlElement) -> None:
    """A figure around an embed with no caption is only Medium's wrapper: the iframe stands alone."""
    for figure in list(content.iter("figure")):
        if figure.find(".//iframe") is not None and not figure.xpath(".//figcaption[normalize-space()]"):
            for caption in figure.iter("figcaption"):
                caption.drop_tree()
            figure.drop_tag()


def _keep_attributes(element: lxml.html.HtmlElement) -> None:
    if not isinstance(element.tag, str):
        return
    kept = _KEPT_ATTRIBUTES.get(element.tag, set())
    for name in list(element.attrib):
        language_class = element.tag == "code" and name == "class" and element.get(name, "").startswith("language-")
        if name not in kept and not language_class:
            del element.attrib[name]


def _serialized_children(content: lxml.html.HtmlElement) -> str:
    parts = [escape(content.text.strip(), quote=False)] if content.text and content.text.strip() else []
    for child in content:
        parts.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        if child.tail and child.tail.strip():
            parts.append(escape(child.tail.strip(), quote=False))
    return "\n".join(parts)
