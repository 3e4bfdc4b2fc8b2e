"""Atom 1.0 (RFC 4287) as the Blogger and feed readers meet it, and the feed-wide helpers both share.

Atom: text constructs (`type` text, html or xhtml, the last a `div` to unwrap), links by
`rel`, people (`author/name`, `author/uri`; e-mail addresses are never read), RFC 3339 dates
and categories. Shared: the plain text of a title, an author key made from a name, the slug
an old address ends in, and what an XML file that is not the expected export looks like
(so a wrong file is named rather than read as an empty import).
"""

from __future__ import annotations

import copy
import html
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.importers import xmlread
from generator.importers.model import Author, ExportError
from generator.importers.xmlread import child, children, local, namespace
from generator.old_comments import safe_url

ATOM_NS = "http://www.w3.org/2005/Atom"
# Element names of HTML: in a title, `<em>` is markup to strip but `<x.h>` is text to keep.
_HTML_TAGS = frozenset(
    "a abbr b bdi bdo big blink br cite code del dfn div em font i img ins kbd mark nobr p q s samp small span strike "
    "strong sub sup time tt u var wbr".split()
)


# --- Dates -------------------------------------------------------------------------------


def parse_date(value: str | None) -> datetime | None:
    """An RFC 3339 date ("2014-03-04T10:00:00.000-08:00", "...Z") as an aware datetime;
    one without an offset is taken as UTC; empty -> None; anything else raises ValueError."""
    value = (value or "").strip()
    if not value:
        return None
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "zZ" else value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def date_of(element: ET.Element, name: str, where: str, source: Path) -> datetime | None:
    """The RFC 3339 date in the child `name`; a malformed one is an ExportError naming the item."""
    value = xmlread.text_of(element, name)
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ExportError(f"{where}: <{name}> {value.strip()!r} is not a date (RFC 3339, 2019-03-04T10:00:00Z)", source) from exc


# --- Text constructs -----------------------------------------------------------------------


def construct_kind(element: ET.Element) -> str:
    """ "text", "html" or "xhtml" (RFC 4287 3.1; media types as the spec allows for content)."""
    kind = (element.get("type") or "text").strip().lower()
    if kind in ("html", "text/html"):
        return "html"
    if kind in ("xhtml", "application/xhtml+xml"):
        return "xhtml"
    return "text"


def html_of(element: ET.Element) -> str:
    """A text construct as HTML: `html` is escaped HTML (the XML parser has undone the
    escaping once), `xhtml` a `div` whose inside is the markup, `text` plain text made into
    paragraphs."""
    kind = construct_kind(element)
    if kind == "html":
        return (element.text or "").strip()
    if kind == "xhtml":
        return xhtml_inside(element).strip()
    return text_paragraphs(element.text or "")


def plain_of(element: ET.Element | None) -> str:
    """A text construct (a title) as one line of plain text."""
    if element is None:
        return ""
    kind = construct_kind(element)
    if kind == "html":
        return strip_markup(element.text or "")
    if kind == "xhtml":
        return " ".join("".join(element.itertext()).split())
    return " ".join((element.text or "").split())


def xhtml_inside(element: ET.Element) -> str:
    """The markup inside an xhtml construct's wrapping `div`, as HTML without namespaces."""
    wrapper = child(element, "div")
    if wrapper is None:
        wrapper = element
    parts = [html.escape(wrapper.text or "", quote=False)]
    for inner in wrapper:
        parts.append(ET.tostring(_without_namespaces(inner), encoding="unicode", method="html"))
    return "".join(parts)


def _without_namespaces(element: ET.Element) -> ET.Element:
    # ElementTree would write XHTML elements as <html:p> (ns0:p): HTML wants bare names.
    bare = copy.deepcopy(element)
    for node in bare.iter():
        node.tag = local(node.tag) if isinstance(node.tag, str) else node.tag
        for name in [name for name in node.attrib if name.startswith("{")]:
            node.attrib[local(name)] = node.attrib.pop(name)
    return bare


def text_paragraphs(text: str) -> str:
    """Plain text as HTML: escaped, blank lines are paragraphs, single newlines line breaks."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    return "\n".join(
        "<p>" + "<br>\n".join(html.escape(line.strip(), quote=False) for line in block.splitlines()) + "</p>" for block in blocks
    )


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.parts.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _HTML_TAGS:
            self.parts.append(f"</{tag}>")


def strip_markup(markup: str) -> str:
    """HTML as one line of plain text: HTML tags removed, entities decoded once; something
    that only looks like a tag (`#include <x.h>` in a title) is kept as written."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return " ".join("".join(collector.parts).split())


# --- Links, people, categories -------------------------------------------------------------


def link_href(element: ET.Element, rel: str = "alternate", base: str | None = None) -> str | None:
    """The href of the first `link` with this rel (a missing rel is "alternate"), an HTML
    one preferred, resolved against `base` when relative."""
    found = [
        link for link in children(element, "link") if (link.get("rel") or "alternate").strip() == rel and (link.get("href") or "").strip()
    ]
    found.sort(key=lambda link: (link.get("type") or "text/html") != "text/html")
    if not found:
        return None
    href = (found[0].get("href") or "").strip()
    return urljoin(base, href) if base else href


def xml_base(element: ET.Element, inherited: str | None = None) -> str | None:
    """The base URL in scope at `element` (xml:base), for resolving relative links."""
    declared = element.get("{http://www.w3.org/XML/1998/namespace}base")
    return urljoin(inherited or "", declared) if declared else inherited


@dataclass(frozen=True)
class Person:
    name: str
    uri: str | None = None


def people(element: ET.Element, role: str = "author") -> list[Person]:
    """The `author` (or `contributor`) elements with a name; the uri only when it is http(s)."""
    found = []
    for person in children(element, role):
        name = " ".join(xmlread.text_of(person, "name").split())
        if name:
            found.append(Person(name, safe_url(xmlread.text_of(person, "uri"))))
    return found


def author_key(name: str) -> str:
    """A key for [authors.<key>] made from a display name ("Ana Lima" -> "ana-lima")."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[^\w]+|_+", "-", folded).strip("-") or "author"


def register_author(authors: dict[str, Author], person: Person) -> str:
    """The key of this person among `authors`, adding them the first time they appear."""
    key = author_key(person.name)
    known = authors.get(key)
    if known is None:
        authors[key] = Author(key, person.name, person.uri)
    elif known.url is None and person.uri:
        known.url = person.uri
    return key


def category_terms(element: ET.Element, scheme: str | None = None) -> list[str]:
    """The display names of an element's categories (`label`, else `term`), in order, once
    each; only those of `scheme` when one is given."""
    names: list[str] = []
    for category in children(element, "category"):
        if scheme is not None and (category.get("scheme") or "") != scheme:
            continue
        name = " ".join((category.get("label") or category.get("term") or "").split())
        if name and name not in names:
            names.append(name)
    return names


def site_url_of(href: str | None) -> str | None:
    """The old blog's address from its home link: http(s) only, no trailing slash."""
    if not href or safe_url(href) is None:
        return None
    parts = urlsplit(href.strip())
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def slug_from_url(url: str | None) -> str | None:
    """The name an old address ends in: "/2019/03/hello-world.html" -> "hello-world",
    "/blog/hello-world/" -> "hello-world"; None for addresses without one ("/?p=12", "/")."""
    if not url:
        return None
    path = urlsplit(url.strip()).path
    segment = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    segment = re.sub(r"\.(?:html?|php|aspx?)$", "", segment, flags=re.IGNORECASE)
    if not segment or segment.lower() in ("index", "default") or segment.isdigit():
        return None
    return segment


# --- What a file is ------------------------------------------------------------------------


def parse_xml(source: Path, wanted: str) -> ET.Element:
    """The root of an XML export; a file that is JSON or HTML instead is named as such,
    with `wanted` ("a Blogger export") in the message."""
    text = xmlread.read_text(source)
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("{", "[")):
        raise ExportError(f"is JSON (a Ghost export?), not {wanted}", source)
    if start.startswith(("<!doctype html", "<html")):
        raise ExportError(f"is an HTML page, not {wanted}", source, hint="give the feed's own address or file (often /feed or /atom.xml)")
    return xmlread.parse(source, text)


def looks_like(root: ET.Element) -> str:
    """What an XML document is, for messages: "an RSS 2.0 feed", "a WordPress export (WXR)"..."""
    name = local(root.tag)
    if name == "rss":
        if any(local(node.tag) == "wxr_version" for node in root.iter()):
            return "a WordPress export (WXR)"
        return f"an RSS {root.get('version') or ''} feed".replace("  ", " ")
    if name == "RDF":
        return "an RSS 1.0 (RDF) feed"
    if name == "feed":
        return "an Atom feed" if namespace(root.tag) in (ATOM_NS, "") else f"a feed in the namespace {namespace(root.tag)}"
    if name == "html":
        return "an HTML page"
    return f"an XML file whose root element is <{name}>"
