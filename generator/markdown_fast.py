"""The fast Markdown engine: markdown-it-pyrs parses, this module renders its tree.

markdown-it-pyrs (the Rust port of markdown-it) parses about twenty times faster than
markdown-it-py, but its own HTML renderer writes footnotes, task lists, heading anchors and
fences its own way. So only its tree is used: one walk over it writes the HTML exactly as
generator.markdown's markdown-it-py configuration does (the reference; docs/markdown.md lists
the differences that remain) and collects, in the same pass, everything else a post needs
(toc, references with their lines, word count, summary, the `<!--more-->` split).

`render_tree` returns None for a body this engine must not render (syntax pyrs lacks, such
as admonitions, or a tree shape whose reference output it cannot reproduce): the caller then
renders it with markdown-it-py. It is pure and knows nothing of the settings' dataclass: the
caller passes the slug function and the fence renderer, so both engines share them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

import markdown_it_pyrs

# Syntax only markdown-it-py (with mdit-py-plugins) knows: an admonition (`!!! note`,
# `??? tip`, `???+ tip`) opens a line, after any container markers (quotes, list items,
# definitions, footnote labels). A superset of where the plugin accepts one: a false match
# only sends the post down the slower, reference path.
_ADMONITION = re.compile(r"^[ \t>\-+*0-9.):]*(?:\[\^[^\]\n]*\]:[ \t]*)?(?:!!!|\?\?\?)", re.MULTILINE)
_MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
# markdown-it-py stops nesting at 20 levels (blocks, and inline markup apart) and writes the
# rest as text; pyrs nests on. A tree nested deeper than this, counting both, goes to the
# reference so the two never disagree about where nesting stopped.
MAX_DEPTH = 10
_PLUGINS: list[Any] = ["table", "strikethrough", "footnote", "tasklist", "deflist"]
# Nodes holding inline content in the reference token stream (an "inline" token's children).
_INLINE_NAMES = frozenset(
    (
        "text",
        "text_special",
        "softbreak",
        "hardbreak",
        "code_inline",
        "em",
        "strong",
        "strikethrough",
        "link",
        "autolink",
        "image",
        "html_inline",
        "footnote_ref",
        "footnote_inline",
        "todo_checkbox",
    )
)


class _Paragraph:
    """A paragraph node made here (the tree's nodes cannot be changed)."""

    name = "paragraph"
    attrs: dict[str, str] = {}

    def __init__(self, children: list[Any]) -> None:
        self.children = children


class Unsupported(Exception):
    """The tree holds something this renderer does not reproduce: use the reference engine."""


class FastResult(NamedTuple):
    html: str
    summary_html: str
    has_more: bool
    toc: list[tuple[int, str, str]]  # level, id, text
    references: list[tuple[str, int, bool, str]]  # url, line, is_image, alt
    word_count: int


@lru_cache(maxsize=1)
def _parser() -> markdown_it_pyrs.MarkdownIt:
    # "commonmark" is CommonMark with raw HTML; no typographer, no linkify (as the reference).
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(_PLUGINS)


def needs_reference_engine(text: str) -> bool:
    """True when the body may use syntax markdown-it-pyrs has no plugin for (admonitions),
    or an inline footnote inside another, on which markdown-it-pyrs 0.4 panics."""
    if ("!!!" in text or "???" in text) and _ADMONITION.search(text) is not None:
        return True
    return text.count("^[") > 1 and _nested_inline_footnote(text)


def _nested_inline_footnote(text: str) -> bool:
    """Is a `^[` written inside the brackets of an earlier one? (Escapes are not read: a
    false yes only costs the slower path.)"""
    start = text.find("^[")
    while start != -1:
        depth = 0
        for index in range(start + 1, len(text)):
            char = text[index]
            if char == "[":
                depth += 1
                if depth > 1 and text[index - 1] == "^":
                    return True
            elif char == "]":
                depth -= 1
                if depth == 0:
                    break
            elif char == "\n" and text.startswith("\n", index + 1):
                break  # a blank line ends the paragraph
        start = text.find("^[", start + 2)
    return False


def render_tree(
    text: str,
    *,
    toc_min_level: int,
    toc_max_level: int,
    anchor_links: bool,
    slugify: Callable[[str], str],
    fence_html: Callable[[str, str], str],
) -> FastResult | None:
    """Render a body (already cleaned of unwanted characters); None means "use the reference"."""
    if needs_reference_engine(text):
        return None
    try:
        root = _parser().tree(text)
        return _Renderer(text, toc_min_level, toc_max_level, anchor_links, slugify, fence_html).run(root)
    except (Unsupported, RecursionError):
        return None
    except BaseException as exc:  # pyo3's PanicException (a Rust panic) is a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return None


_URL_HOST = re.compile(r"https?://([^/?#]*)", re.IGNORECASE)


def _url(url: str) -> str:
    """The link's URL as markdown-it-py normalises it. The two agree but on a host that is not
    ASCII: pyrs percent-encodes it, markdown-it-py writes it in punycode (`xn--`), which a
    browser and the link checker resolve without guessing an encoding."""
    if "%" in url:
        host = _URL_HOST.match(url)
        if host and "%" in host.group(1):
            from urllib.parse import unquote

            from markdown_it.common.normalize_url import normalizeLink

            return normalizeLink(url[: host.start(1)] + unquote(host.group(1)) + url[host.end(1) :])
    return url


def _escape(text: str) -> str:
    # markdown-it-py's escapeHtml, same order and entities.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


class _Renderer:
    def __init__(
        self,
        text: str,
        toc_min_level: int,
        toc_max_level: int,
        anchor_links: bool,
        slugify: Callable[[str], str],
        fence_html: Callable[[str, str], str],
    ) -> None:
        self.text = text
        self.toc_min = toc_min_level
        self.toc_max = toc_max_level
        self.anchor_links = anchor_links
        self.slugify = slugify
        self.fence_html = fence_html
        self.out: list[str] = []
        self.toc: list[tuple[int, str, str]] = []
        self.references: list[tuple[str, int, bool, str]] = []
        self.words = 0
        self.slugs: set[str] = set()
        self.line_starts: list[int] | None = None  # byte offsets of line starts, made on first use
        # Footnotes, numbered as the reference numbers them: in the order they are first referenced.
        self.note_number: dict[int, int] = {}  # pyrs def_id -> 1-based number
        self.note_refs: dict[int, int] = {}  # pyrs def_id -> references seen so far
        self.in_notes = False
        self.text_parts: list[str] = []  # visible text of the inline run being rendered
        self.inline_line = 1  # line of the inline run, for nodes without a source map
        self.last_heading: tuple[int, str, str] = (0, "", "")
        self.depth = 0

    # --- the document ---------------------------------------------------------------

    def run(self, root: Any) -> FastResult:
        out = self.out
        summary_html = ""
        first_paragraph = ""
        has_more = False
        notes = None
        prev_hidden = False
        for node in root.children:
            name = node.name
            if name == "footnote_container":
                notes = node
                continue
            if name == "html_block" and not has_more:
                content = node.meta["content"]
                if _MORE_MARKER.fullmatch(content.strip()):
                    has_more = True
                    summary_html = "".join(out)
                    continue
            start = len(out)
            prev_hidden = self.block(node, name, prev_hidden)
            if name == "paragraph" and not first_paragraph and not has_more:
                first_paragraph = "".join(out[start:])
            elif name == "heading" or name == "lheading":
                self.add_toc_entry(node)
        if notes is not None:
            self.footnotes(notes)
        return FastResult(
            html="".join(out),
            summary_html=summary_html if has_more else first_paragraph,
            has_more=has_more,
            toc=self.toc,
            references=self.references,
            word_count=self.words,
        )

    def add_toc_entry(self, node: Any) -> None:
        level, heading_id, heading_text = self.last_heading
        if self.toc_min <= level <= self.toc_max:
            self.toc.append((level, heading_id, heading_text))

    # --- blocks -------------------------------------------------------------------------
    # `block` renders one block node and returns whether it was a hidden paragraph (the
    # inline content of a tight list item or definition): markdown-it-py puts a newline
    # before a block tag that follows one.

    def blocks(self, children: Any, hide_paragraphs: bool = False) -> None:
        """Render a container's children; inline nodes directly in it form hidden paragraphs."""
        self.enter()
        prev_hidden = False
        run: list[Any] = []
        for node in children:
            name = node.name
            if name in _INLINE_NAMES:
                run.append(node)
                continue
            if run:
                self.inline(run)
                run = []
                prev_hidden = True
            if name == "definition":  # a link reference definition: no output
                continue
            if name == "paragraph" and hide_paragraphs:
                self.inline(node.children)
                prev_hidden = True
                continue
            prev_hidden = self.block(node, name, prev_hidden)
        if run:
            self.inline(run)
        self.depth -= 1

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unsupported("nesting")

    def block(self, node: Any, name: str, prev_hidden: bool) -> bool:
        out = self.out
        if name == "paragraph":
            if prev_hidden:
                out.append("\n")
            out.append("<p>")
            self.inline(node.children)
            out.append("</p>\n")
        elif name == "heading" or name == "lheading":
            if prev_hidden:
                out.append("\n")
            self.heading(node)
        elif name == "fence":
            meta = node.meta
            content = meta["content"]
            self.words += len(content.split())
            out.append(self.fence_html(meta["info"], content))
        elif name == "code_block":
            content = node.meta["content"]
            self.words += len(content.split())
            out.append(f"<pre><code>{_escape(content)}</code></pre>\n")
        elif name == "html_block":
            content = node.meta["content"]
            if content.endswith("\n") and not self.text.endswith("\n") and self.at_end(node):
                # The last line of the body has no newline; pyrs's block adds one.
                content = content[:-1]
            out.append(content)
        elif name == "bullet_list" or name == "ordered_list":
            if prev_hidden:
                out.append("\n")
            self.render_list(node, name)
        elif name == "blockquote":
            if prev_hidden:
                out.append("\n")
            children = node.children
            # Link reference definitions leave no token in the reference stream.
            shown = any(child.name != "definition" for child in children)
            out.append("<blockquote>\n" if shown else "<blockquote>")
            self.blocks(children)
            out.append("</blockquote>\n")
        elif name == "hr":
            out.append("\n<hr />\n" if prev_hidden else "<hr />\n")
        elif name == "table":
            out.append('<div class="table-wrap">\n')
            if prev_hidden:
                out.append("\n")
            self.table(node)
            out.append("</div>\n")
        elif name == "definition_list":
            if prev_hidden:
                out.append("\n")
            self.definition_list(node)
        elif name == "definition":
            pass
        else:
            raise Unsupported(name)
        return False

    def heading(self, node: Any) -> None:
        level = node.meta["level"]
        children = node.children
        title = "".join(self.plain_text(children))
        heading_id = self.unique_slug(self.slugify(title))
        escaped_id = _escape(heading_id)
        self.out.append(f'<h{level} id="{escaped_id}">')
        visible = self.inline(children)
        if self.anchor_links:
            self.out.append(f' <a class="header-anchor" href="#{escaped_id}">#</a>')
        self.out.append(f"</h{level}>\n")
        self.last_heading = (level, heading_id, visible.strip())

    def unique_slug(self, slug: str) -> str:
        unique = slug
        index = 1
        while unique in self.slugs:
            unique = f"{slug}-{index}"
            index += 1
        self.slugs.add(unique)
        return unique

    def plain_text(self, children: Any) -> list[str]:
        # The anchors plugin's title: the content of text and code tokens, markup dropped.
        parts: list[str] = []
        for child in children:
            name = child.name
            if name == "text" or name == "text_special":
                parts.append(child.meta["content"])
            elif name == "code_inline":
                parts.extend(grandchild.meta["content"] for grandchild in child.children)
            elif name in ("em", "strong", "strikethrough", "link", "autolink"):
                parts.extend(self.plain_text(child.children))
        return parts

    def render_list(self, node: Any, name: str) -> None:
        out = self.out
        tag = "ul" if name == "bullet_list" else "ol"
        attrs = ""
        if name == "ordered_list":
            start = node.meta["start"]
            if start != 1:
                attrs = f' start="{start}"'
        node_attrs = node.attrs
        if node_attrs:
            attrs += self.attrs(node_attrs)
        items = node.children
        out.append(f"<{tag}{attrs}>\n" if items else f"<{tag}{attrs}>")
        for item in items:
            if item.name != "list_item":
                raise Unsupported(item.name)
            item_attrs = item.attrs
            children = item.children
            first = children[0].name if children else ""
            if first == "todo_checkbox" and len(children) > 1 and children[1].name == "paragraph":
                # A loose task item: pyrs puts the checkbox before the paragraph, the
                # reference inside it (and its label round the paragraph's text).
                children = [_Paragraph([children[0], *children[1].children]), *children[2:]]
                first = "paragraph"
            inline_first = first in _INLINE_NAMES
            open_tag = f"<li{self.attrs(item_attrs)}>" if item_attrs else "<li>"
            out.append(open_tag if (inline_first or not children) else open_tag + "\n")
            self.blocks(children)
            out.append("</li>\n")
        out.append(f"</{tag}>\n")

    def attrs(self, attrs: Any) -> str:
        if set(attrs) - {"class"}:
            raise Unsupported("attributes")
        return f' class="{_escape(attrs["class"])}"'

    def table(self, node: Any) -> None:
        out = self.out
        alignments = node.meta["alignments"]
        styles = ["" if a == "none" else f' style="text-align:{a}"' for a in alignments]
        out.append("<table>\n")
        for section in node.children:
            section_name = section.name
            if section_name not in ("thead", "tbody"):
                raise Unsupported(section_name)
            cell_tag = "th" if section_name == "thead" else "td"
            out.append(f"<{section_name}>\n")
            for row in section.children:
                out.append("<tr>\n")
                for index, cell in enumerate(row.children):
                    style = styles[index] if index < len(styles) else ""
                    out.append(f"<{cell_tag}{style}>")
                    self.inline(cell.children)
                    out.append(f"</{cell_tag}>\n")
                out.append("</tr>\n")
            out.append(f"</{section_name}>\n")
        out.append("</table>\n")

    def definition_list(self, node: Any) -> None:
        out = self.out
        out.append("<dl>\n")
        for child in node.children:
            name = child.name
            if name == "definition_term":
                out.append("<dt>")
                self.inline(child.children)
                out.append("</dt>\n")
            elif name == "definition_description":
                children = child.children
                first = children[0].name if children else ""
                if first in _INLINE_NAMES or not children:
                    out.append("<dd>")
                else:
                    out.append("<dd>\n")
                self.blocks(children)
                out.append("</dd>\n")
            else:
                raise Unsupported(name)
        out.append("</dl>\n")

    # --- footnotes ----------------------------------------------------------------------

    def footnotes(self, container: Any) -> None:
        definitions = {}
        for definition in container.children:
            if definition.name != "footnote_def":
                raise Unsupported(definition.name)
            definitions[definition.meta["def_id"]] = definition
        ordered = sorted(self.note_number.items(), key=lambda item: item[1])
        if not ordered:
            return
        out = self.out
        out.append('<hr class="footnotes-sep" />\n<section class="footnotes">\n<ol class="footnotes-list">\n')
        self.in_notes = True
        for def_id, number in ordered:
            definition = definitions.get(def_id)
            if definition is None:
                raise Unsupported("footnote without definition")
            out.append(f'<li id="fn{number}" class="footnote-item">')
            count = self.note_refs[def_id]
            anchors = "".join(
                f' <a href="#fnref{number}{":" + str(sub) if sub else ""}" class="footnote-backref">\u21a9\ufe0e</a>'
                for sub in range(count)
            )
            children = [c for c in definition.children if c.name not in ("definition", "footnote_ref_anchor")]
            if children and children[-1].name == "paragraph":
                # The back-references go inside the last paragraph, before </p>.
                self.blocks(children[:-1])
                last = children[-1]
                if len(children) > 1 and children[-2].name in _INLINE_NAMES:
                    raise Unsupported("footnote shape")
                out.append("<p>")
                self.inline(last.children)
                out.append(anchors + "</p>\n")
            else:
                self.blocks(children)
                out.append(anchors)
            out.append("</li>\n")
        out.append("</ol>\n</section>\n")

    # --- inline content -----------------------------------------------------------------

    def at_end(self, node: Any) -> bool:
        srcmap = node.srcmap
        return srcmap is not None and srcmap[1] >= len(self.text.encode("utf-8"))

    def line_of(self, node: Any) -> int:
        srcmap = node.srcmap
        if srcmap is None:
            return self.inline_line
        if self.line_starts is None:
            data = self.text.encode("utf-8")
            starts = [0]
            find = data.find
            at = find(b"\n")
            while at != -1:
                starts.append(at + 1)
                at = find(b"\n", at + 1)
            self.line_starts = starts
        return bisect_right(self.line_starts, srcmap[0])

    def inline(self, children: Any) -> str:
        """Render one inline run (a reference "inline" token); returns its visible text."""
        parts = self.text_parts = []
        first = children[0] if children else None
        label = first is not None and first.name == "todo_checkbox"
        if label:
            self.out.append("<label>")
        self.inline_nodes(children)
        if label:
            self.out.append("</label>")
        visible = "".join(parts)
        self.words += len(visible.split())
        return visible

    def inline_nodes(self, children: Any) -> None:
        self.enter()
        out = self.out
        parts = self.text_parts
        for child in children:
            name = child.name
            if name == "text" or name == "text_special":
                content = child.meta["content"]
                parts.append(content)
                out.append(_escape(content))
            elif name == "softbreak":
                parts.append(" ")
                out.append("\n")
            elif name == "code_inline":
                content = "".join(grandchild.meta["content"] for grandchild in child.children)
                parts.append(content)
                out.append(f"<code>{_escape(content)}</code>")
            elif name == "link":
                meta = child.meta
                url = _url(meta["url"])
                title = meta.get("title")
                self.references.append((url, self.line_of(child), False, ""))
                title_attr = f' title="{_escape(title)}"' if title else ""
                out.append(f'<a href="{_escape(url)}"{title_attr}>')
                self.inline_nodes(child.children)
                out.append("</a>")
            elif name == "em" or name == "strong":
                out.append(f"<{name}>")
                self.inline_nodes(child.children)
                out.append(f"</{name}>")
            elif name == "hardbreak":
                parts.append(" ")
                out.append("<br />\n")
            elif name == "html_inline":
                out.append(child.meta["content"])
            elif name == "strikethrough":
                out.append("<s>")
                self.inline_nodes(child.children)
                out.append("</s>")
            elif name == "image":
                meta = child.meta
                url = _url(meta["url"])
                title = meta.get("title")
                alt = "".join(self.alt_text(child.children))
                self.references.append((url, self.line_of(child), True, alt))
                title_attr = f' title="{_escape(title)}"' if title else ""
                out.append(f'<img src="{_escape(url)}" alt="{_escape(alt)}"{title_attr} />')
            elif name == "autolink":
                url = _url(child.meta["url"])
                self.references.append((url, self.line_of(child), False, ""))
                label_text = "".join(grandchild.meta["content"] for grandchild in child.children)
                parts.append(label_text)
                out.append(f'<a href="{_escape(url)}">{_escape(label_text)}</a>')
            elif name == "footnote_ref":
                self.footnote_ref(child)
            elif name == "footnote_inline":
                for grandchild in child.children:
                    if grandchild.name != "footnote_ref":
                        raise Unsupported("inline footnote shape")
                    self.footnote_ref(grandchild)
            elif name == "footnote_ref_anchor":
                pass  # pyrs's back-references; `footnotes` writes the reference's own
            elif name == "todo_checkbox":
                checked = 'checked="checked" ' if child.meta["checked"] else ""
                out.append(f'<input class="task-list-item-checkbox" {checked}disabled="disabled" type="checkbox">')
            else:
                raise Unsupported(name)
        self.depth -= 1

    def footnote_ref(self, node: Any) -> None:
        if self.in_notes:
            # A reference inside a footnote: the reference engine numbers it where the
            # definition is written, which the tree (notes moved to the end) no longer shows.
            raise Unsupported("nested footnote reference")
        def_id = node.meta["def_id"]
        number = self.note_number.get(def_id)
        if number is None:
            number = self.note_number[def_id] = len(self.note_number) + 1
            self.note_refs[def_id] = 0
        sub = self.note_refs[def_id]
        self.note_refs[def_id] = sub + 1
        ref_id = f"{number}:{sub}" if sub else str(number)
        caption = f"[{number}:{sub}]" if sub else f"[{number}]"
        self.out.append(f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{ref_id}">{caption}</a></sup>')

    def alt_text(self, children: Any) -> list[str]:
        # markdown-it-py's renderInlineAsText: text, code and raw HTML as written, images'
        # own alt text, line breaks as newlines; markup dropped.
        parts: list[str] = []
        for child in children:
            name = child.name
            if name == "text" or name == "text_special" or name == "html_inline":
                parts.append(child.meta["content"])
            elif name == "code_inline":
                parts.extend(grandchild.meta["content"] for grandchild in child.children)
            elif name == "softbreak" or name == "hardbreak":
                parts.append("\n")
            elif name == "image":
                parts.extend(self.alt_text(child.children))
            elif name in ("em", "strong", "strikethrough", "link", "autolink"):
                # renderInlineAsText skips link_open/em_open tokens but keeps the text inside.
                parts.extend(self.alt_text(child.children))
        return parts
