"""A post's HTML -> Markdown that renders back to the same thing.

html-to-markdown does the conversion (it keeps code languages and escapes table pipes). Around
it, one pass over the tree with lxml does what a converter cannot know:
- text that Markdown would read as markup (`*stars*`, `<x.h>` written as text, `&amp;`) is
  escaped, and nothing else: no `\\#` or `\\$` where they mean nothing;
- what Markdown cannot say is kept as raw HTML, untouched: tables with merged cells, embeds
  (iframe, video, audio), figures with captions, details, definition lists;
- `<!--more-->` stays as the summary marker; scripts and other comments are dropped;
- every URL goes through the caller's `rewrite` (pictures copied beside the post, links to
  other imported posts), so that raw HTML and Markdown alike carry the new addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import html_to_markdown
import lxml.etree
import lxml.html

# Placeholders: characters from Unicode's private use area, which no export carries (they are
# removed from the input first) and the converter passes through untouched.
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_ESCAPES = {"*": "\ue001", "_": "\ue002", "`": "\ue003", "<": "\ue004", "&": "\ue005", "[": "\ue006", "~": "\ue007"}
_UNESCAPES = {placeholder: "\\" + char for char, placeholder in _ESCAPES.items()}
_BLOCK_MARK = "\ue010"  # \ue010 n \ue010 alone in a paragraph: raw block n
_MORE = "\ue011"
_QUOTE = "\ue013"
_NOTE_REFERENCE = re.compile("\ue012(\\d+)\ue012")  # a footnote reference: [^n]
_BLANK_LINE = re.compile(r"^[ \t]*$", re.MULTILINE)
_BLOCK_LINE = re.compile(r"^[ \t]*\ue010(\d+)\ue010[ \t]*$", re.MULTILINE)

RAW_BLOCK_TAGS = {"iframe", "video", "audio", "object", "embed", "details", "dl", "figure", "svg", "math"}
INLINE_HTML_TAGS = ["sup", "sub", "mark", "u", "ins", "abbr", "small"]
CODE_TAGS = {"pre", "code", "kbd", "samp", "tt", "var"}
# URL-carrying attributes, by tag; srcset is a list of "URL width" candidates.
URL_ATTRIBUTES = {"a": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",)}
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang|highlight-source|brush:?)[-:\s]*([A-Za-z0-9_+#.-]+)")

_OPTIONS = html_to_markdown.ConversionOptions(
    heading_style="atx",
    bullets="-",
    newline_style="backslash",
    code_block_style="backticks",
    autolinks=True,
    preserve_tags=INLINE_HTML_TAGS,
    highlight_style="html",
    extract_metadata=False,
)


@dataclass
class Converted:
    markdown: str
    dropped: list[str] = field(default_factory=list)  # what was removed: "a <script> element"


def to_markdown(html: str, rewrite: Callable[[str, str, str], str] | None = None) -> Converted:
    """`html` as Markdown. `rewrite(tag, attribute, url)` returns the URL to write instead."""
    dropped: list[str] = []
    root = _parse(_PRIVATE.sub("", html))
    if root is None:
        return Converted("", dropped)
    _remove_unwanted(root, dropped)
    if rewrite is not None:
        _rewrite_urls(root, rewrite)
    _mark_code_languages(root)
    notes = _take_footnotes(root)
    blocks = _take_raw_blocks(root)
    _escape_text(root)
    inner = (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    markdown = html_to_markdown.convert(inner, _OPTIONS).content or ""
    markdown = _BLOCK_LINE.sub(lambda m: blocks[int(m.group(1))], markdown)
    markdown = _NOTE_REFERENCE.sub(lambda m: f"[^{m.group(1)}]", markdown)
    if notes:
        markdown = markdown.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"
    markdown = re.sub(rf"^[ \t]*{_MORE}[ \t]*$", "<!--more-->", markdown, flags=re.MULTILINE).replace(_MORE, "")
    for placeholder, escaped in _UNESCAPES.items():
        markdown = markdown.replace(placeholder, escaped)
    return Converted(_tidy(markdown), dropped)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def _remove_unwanted(root: lxml.html.HtmlElement, dropped: list[str]) -> None:
    """Scripts and styles out (noted); HTML comments out except the summary marker."""
    for element in list(root.iter(lxml.etree.Comment, "script", "style", "noscript")):
        if element.tag is lxml.etree.Comment:
            if (element.text or "").strip().lower() == "more":
                _replace_with_paragraph(element, _MORE)
            else:
                element.drop_tree()
            continue
        if element.tag == "script":
            dropped.append("a <script> element" + (f" from {element.get('src')}" if element.get("src") else ""))
        element.drop_tree()


def _rewrite_urls(root: lxml.html.HtmlElement, rewrite: Callable[[str, str, str], str]) -> None:
    for element in root.iter(*URL_ATTRIBUTES):
        for attribute in URL_ATTRIBUTES[element.tag]:
            value = element.get(attribute)
            if not value:
                continue
            if attribute == "srcset":
                candidates = [part.strip().split(None, 1) for part in value.split(",") if part.strip()]
                new = ", ".join(" ".join([rewrite(element.tag, attribute, bits[0]), *bits[1:]]) for bits in candidates)
            else:
                new = rewrite(element.tag, attribute, value.strip())
            element.set(attribute, new)


def _mark_code_languages(root: lxml.html.HtmlElement) -> None:
    """The many ways exports name a code block's language -> `<code class="language-x">`."""
    for pre in root.iter("pre"):
        codes = [child for child in pre if child.tag == "code"]
        code = codes[0] if len(codes) == 1 and not (pre.text or "").strip() else None
        lang = pre.get("lang")
        names = [pre.get("class"), f"lang-{lang}" if lang else None, code.get("class") if code is not None else None]
        classes = " ".join(name for name in names if name)
        found = _LANGUAGE.search(classes or "")
        if code is None:
            # <pre> with text and markup straight inside: one <code> around it keeps it a block.
            code = lxml.html.Element("code")
            code.text, pre.text = pre.text, None
            for child in list(pre):
                code.append(child)
            pre.append(code)
        if found:
            code.set("class", f"language-{found.group(1).lower().rstrip(';')}")


def _take_footnotes(root: lxml.html.HtmlElement) -> list[str]:
    """Notes that links in the text point to by id (WordPress's footnotes block, pasted Word or
    Google Docs notes) -> Markdown footnotes, which the renderer numbers and links both ways
    (as raw HTML their ids would not survive the conversion). Returns the definitions."""
    notes = {li.get("id"): li for li in root.iter("li") if li.get("id") and li.getparent() is not None and li.getparent().tag == "ol"}
    if not notes:
        return []
    numbers: dict[str, int] = {}
    for link in list(root.iter("a")):
        href = link.get("href") or ""
        target = href[1:]
        if not href.startswith("#") or target not in notes or any(a is notes[target] for a in link.iterancestors()):
            continue
        number = numbers.setdefault(target, len(numbers) + 1)
        parent = link.getparent()
        alone = parent is not None and parent.tag == "sup" and len(parent) == 1 and not (parent.text or "").strip()
        _replace_with_text(parent if alone else link, f"\ue012{number}\ue012")
    definitions = []
    for target, number in numbers.items():
        note = notes[target]
        for back in [a for a in note.iter("a") if (a.get("href") or "").startswith("#")]:
            _replace_with_text(back, "")  # the way back to the reference: the renderer makes its own
        inside = (note.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in note)
        text = to_markdown(inside).markdown.strip().replace("\n", "\n    ")
        definitions.append(f"[^{number}]: {text}")
        listing = note.getparent()
        listing.remove(note)
        if not len(listing) and listing.getparent() is not None:
            listing.drop_tree()
    return definitions


def _replace_with_text(element, text: str) -> None:
    """Remove `element` (and what it holds), leaving `text` and the text after it in its place."""
    parent = element.getparent()
    previous = element.getprevious()
    joined = text + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


def _take_raw_blocks(root: lxml.html.HtmlElement) -> list[str]:
    """Replace what Markdown cannot say by placeholders; return their HTML, in order."""
    blocks: list[str] = []
    taken: set = set()
    for element in list(root.iter(*RAW_BLOCK_TAGS, "table")):
        if any(ancestor in taken for ancestor in element.iterancestors()):
            continue  # inside a block already kept whole
        if element.tag == "table" and not element.xpath(".//*[@colspan or @rowspan]|.//table"):
            continue  # a plain table: Markdown has tables
        if element.tag == "figure" and not element.xpath(".//figcaption"):
            continue  # a figure without a caption is just its picture
        taken.add(element)
        _quote_text(element)
        html = lxml.html.tostring(element, encoding="unicode", with_tail=False).strip().replace(_QUOTE, "&quot;")
        # A blank line would end the raw block in Markdown; an empty comment keeps it whole
        # (and inside <pre> the newlines around it still show as the blank line).
        html = _BLANK_LINE.sub("<!-- -->", html)
        blocks.append("\n" + html + "\n")
        _replace_with_paragraph(element, f"{_BLOCK_MARK}{len(blocks) - 1}{_BLOCK_MARK}")
    return blocks


def _quote_text(element) -> None:
    """Quotes in the text of a raw block are written &quot;: the text `<a href="x">` shown in a
    table cell must not look like a link to the regex that resolves links in rendered pages."""
    for node in element.iter():
        if node.text and isinstance(node.tag, str):
            node.text = node.text.replace('"', _QUOTE)
        if node is not element and node.tail:
            node.tail = node.tail.replace('"', _QUOTE)


def _replace_with_paragraph(element, text: str) -> None:
    """Put a paragraph holding `text` where `element` was, keeping the text that followed it."""
    paragraph = lxml.html.Element("p")
    paragraph.text = text
    paragraph.tail = element.tail
    parent = element.getparent()
    if parent is None:
        return
    parent.replace(element, paragraph)


def _escape_text(root: lxml.html.HtmlElement) -> None:
    """Escape markup characters in text, outside code (which Markdown shows as written)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        in_code = element.tag in CODE_TAGS or any(ancestor.tag in CODE_TAGS for ancestor in element.iterancestors())
        if not in_code and element.text:
            element.text = _escape(element.text)
        parent = element.getparent()
        parent_in_code = parent is not None and (parent.tag in CODE_TAGS or any(a.tag in CODE_TAGS for a in parent.iterancestors()))
        if element is not root and not parent_in_code and element.tail:
            element.tail = _escape(element.tail)


_NEEDS_ESCAPE = re.compile(r"[*`~\[]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)")


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)[0]], text)


def _tidy(markdown: str) -> str:
    """At most one blank line in a row outside code, and one newline at the end."""
    out: list[str] = []
    fence: str | None = None
    blank = 0
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and not line.strip():
            blank += 1
            if blank > 1:
                continue
            out.append("")
            continue
        blank = 0
        out.append(line.rstrip() if fence is None and not line.endswith("\\") else line)
    return "\n".join(out).strip("\n") + "\n" if out else ""
