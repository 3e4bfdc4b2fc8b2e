"""The markdown stage: one post body (Markdown text) in, rendered data out.

`render_markdown` is a pure function: no file I/O, no knowledge of other posts,
no template evaluation (`{{ x }}` in a post stays literal text). From a single
parse it produces the body HTML, the summary HTML, the table of contents, the
links and images the writer used (for link checking) and a word count.

Parser: markdown-it-py's "commonmark" preset with raw HTML allowed (writers are
trusted employees), typographer off, plus GFM tables and strikethrough,
footnotes, heading anchors, task lists, definition lists and admonitions.
Fenced code is highlighted with Pygments at build time, using CSS classes;
`highlight_css` produces the matching stylesheet.

Engines: that markdown-it-py configuration is the reference (`render_markdown_reference`).
`render_markdown` parses with markdown-it-pyrs instead and renders its tree to the same
output (generator/markdown_fast.py), ~5x faster; a body using syntax pyrs lacks
(admonitions) goes to the reference. docs/markdown.md lists what differs and why.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import pygments
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from generator.highlight import accelerate
from generator.markdown_fast import render_tree
from generator.text import without_unwanted_characters

# `<!--more-->` alone on a line ends the summary; spaces and case are tolerated.
_MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)


# Class-based output (no inline styles); the wrapper is written by _render_fence
# so it can carry data-lang.
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True)
class MarkdownSettings:
    highlight: bool = True  # Pygments highlighting of fenced code
    anchor_links: bool = True  # a "#" permalink anchor inside each heading
    toc_min_level: int = 2
    toc_max_level: int = 3


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str  # plain text of the heading


@dataclass(frozen=True)
class Reference:
    """A link or image written in Markdown (raw HTML tags are not included)."""

    url: str  # the href/src attribute value, unescaped (markdown-it normalises it)
    line: int  # 1-based line in the body
    is_image: bool
    alt: str = ""  # images only


@dataclass(frozen=True)
class Rendered:
    # The body's HTML as UTF-8: a str holding one emoji takes 4 bytes a character, and a big
    # site holds every body at once between the Markdown and site stages (see `html`).
    html_utf8: bytes
    summary_html: str  # before <!--more-->, else the first top-level paragraph, else ""
    has_more: bool  # the body has a <!--more--> marker on a line of its own
    toc: tuple[Heading, ...]  # top-level headings within the settings' toc levels
    references: tuple[Reference, ...]
    # Words of text a reader sees: prose, headings, table cells, footnotes and
    # code (inline and blocks). Raw HTML, image alt text and the permalink "#"
    # are not counted. Words are whitespace-separated runs.
    word_count: int

    @property
    def html(self) -> str:
        return self.html_utf8.decode("utf-8")


def render_markdown(body: str, settings: MarkdownSettings = MarkdownSettings()) -> Rendered:
    """Render one post body. Never raises on any str input.

    markdown-it-pyrs parses and generator.markdown_fast renders its tree, as markdown-it-py
    would (docs/markdown.md); a body using syntax it lacks (admonitions) is rendered by
    markdown-it-py, the reference engine (`render_markdown_reference`)."""
    text = _without_unwanted_characters(body)
    fast = render_tree(
        text,
        toc_min_level=settings.toc_min_level,
        toc_max_level=settings.toc_max_level,
        anchor_links=settings.anchor_links,
        slugify=_slugify,
        fence_html=_fence_html if settings.highlight else _plain_fence_html,
    )
    if fast is None:
        return render_markdown_reference(text, settings)
    return Rendered(
        html_utf8=fast.html.encode("utf-8"),
        summary_html=fast.summary_html,
        has_more=fast.has_more,
        toc=tuple(Heading(level, heading_id, text) for level, heading_id, text in fast.toc),
        references=tuple(Reference(url, line, is_image, alt) for url, line, is_image, alt in fast.references),
        word_count=fast.word_count,
    )


def render_markdown_reference(body: str, settings: MarkdownSettings = MarkdownSettings()) -> Rendered:
    """Render one post body with markdown-it-py and mdit-py-plugins: the reference engine,
    used for syntax the fast engine lacks and by the test that holds the two equal."""
    md = _parser(settings)
    env: EnvType = {}
    tokens = md.parse(_without_unwanted_characters(body), env)
    more_at = _more_marker_index(tokens)
    if more_at is not None:
        # The summary is the HTML of the tokens before the marker, and the body that plus
        # the tokens after it: the marker itself is never published (pages, feeds). Same
        # bytes as rendering the tokens without the marker in one go: a token's HTML depends
        # on the token after it only when it opens a block, on the one before it only when
        # that is hidden (a tight list's paragraph), and a top-level marker is neither.
        summary_html = md.renderer.render(tokens[:more_at], md.options, env)
        html = summary_html + md.renderer.render(tokens[more_at + 1 :], md.options, env)
    else:
        html = md.renderer.render(tokens, md.options, env)
        summary_tokens = _first_paragraph(tokens)
        summary_html = md.renderer.render(summary_tokens, md.options, env) if summary_tokens else ""

    toc, references, word_count = _walk(tokens, settings, md, env)
    return Rendered(
        html_utf8=html.encode("utf-8"),
        summary_html=summary_html,
        has_more=more_at is not None,
        toc=toc,
        references=references,
        word_count=word_count,
    )


def renderer_key(settings: MarkdownSettings) -> str:
    """The settings as a string, part of the cache key. The code and library versions the
    output also depends on are in the key too, through code_digest.generator_digest."""
    # Every settings field is included, so a field added later is too.
    return ",".join(f"{field.name}={getattr(settings, field.name)!r}" for field in dataclasses.fields(settings))


def highlight_css(light_style: str = "default", dark_style: str = "monokai") -> str:
    """CSS for highlighted code: the light style by default and the dark style
    inside @media (prefers-color-scheme: dark), all scoped to `.highlight`."""
    dark = "\n".join("  " + rule for rule in _style_rules(dark_style).splitlines())
    return f"{_style_rules(light_style)}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


def _style_rules(style: str) -> str:
    # Not get_style_defs(): its line-number rules (`pre { line-height }`,
    # `td.linenos`) are unscoped and would restyle every <pre> on the page;
    # we never emit line numbers, so only background and token rules are needed.
    formatter = HtmlFormatter(style=style)
    rules = formatter.get_background_style_defs(".highlight")
    rules += formatter.get_token_style_defs(".highlight")
    return "\n".join(rules)


# generator.text's class, split: its astral noncharacters make one regex scan slowly
# (~0.1 ms a post), while the BMP part as a class and the rest as substrings scan fast.
_UNWANTED_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL_NONCHARACTERS = tuple(chr(plane * 0x10000 + end) for plane in range(1, 17) for end in (0xFFFE, 0xFFFF))


def _without_unwanted_characters(text: str) -> str:
    """generator.text.without_unwanted_characters, faster on the usual text that has none."""
    if _UNWANTED_BMP.search(text) is None and (text.isascii() or not any(c in text for c in _ASTRAL_NONCHARACTERS)):
        return text
    return without_unwanted_characters(text)


# --- parser construction -------------------------------------------------


@lru_cache(maxsize=16)
def _parser(settings: MarkdownSettings) -> MarkdownIt:
    """One configured MarkdownIt per settings; building it costs more than a small post."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin, label=True)  # a <label> gives each checkbox an accessible name
    md.use(admon_plugin)
    # Ids on every level so any heading can be linked to, not only those in the toc.
    md.use(
        anchors_plugin,
        min_level=1,
        max_level=6,
        slug_func=_slugify,
        permalink=settings.anchor_links,
        permalinkSymbol="#",
    )
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    if settings.highlight:
        md.add_render_rule("fence", _render_fence)
    return md


# For ASCII titles, the same choices as _slugify's loop, as a translate table.
_ASCII_SLUG = {
    code: ("-" if chr(code).isspace() or chr(code) == "-" else chr(code) if chr(code) == "_" or chr(code).isalnum() else None)
    for code in range(128)
}


def _slugify(title: str) -> str:
    """GitHub-like slug that keeps letters, marks and digits of any script."""
    if title.isascii():
        slug = re.sub("-{2,}", "-", title.strip().lower().translate(_ASCII_SLUG)).strip("-")
        return slug or "section"
    kept = []
    for char in unicodedata.normalize("NFC", title.strip().lower()):
        if char.isspace() or char == "-":
            kept.append("-")
        elif char == "_" or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    slug = re.sub("-{2,}", "-", "".join(kept)).strip("-")
    # A heading of only punctuation or emoji still needs a usable id.
    return slug or "section"


def _render_table_open(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    # The wrapper lets the theme make wide tables scroll on narrow screens.
    return '<div class="table-wrap">\n' + self.renderToken(tokens, idx, options, env)


def _render_table_close(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _render_fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    return _fence_html(token.info, token.content)


def _fence_html(info: str, content: str) -> str:
    """A fence highlighted by Pygments in a wrapper naming its language (both engines)."""
    lang = _fence_language(info)
    data_lang = f' data-lang="{escapeHtml(lang)}"' if lang else ""
    code = _highlight(content, lang)
    return f'<div class="highlight"{data_lang}><pre><code>{code}</code></pre></div>\n'


def _plain_fence_html(info: str, content: str) -> str:
    """markdown-it-py's own fence HTML (highlighting off), for the fast engine."""
    words = unescapeAll(info).strip().split(maxsplit=1)
    lang_class = f' class="language-{escapeHtml(words[0])}"' if words else ""
    return f"<pre><code{lang_class}>{escapeHtml(content)}</code></pre>\n"


def _fence_language(info: str) -> str:
    """The language of a fence's info string: ```` ```rust,ignore title ```` -> "rust"."""
    words = unescapeAll(info).split(maxsplit=1)
    # rustdoc-style attributes follow a comma; they are not part of the name.
    return words[0].split(",", 1)[0] if words else ""


def _highlight(code: str, lang: str) -> str:
    """Highlighted HTML for code, or the escaped code when lang is unknown."""
    lexer = _lexer(lang.lower()) if lang else None
    if lexer is None:
        return escapeHtml(code)
    try:
        return pygments.highlight(code, lexer, _FORMATTER)
    except Exception:  # a lexer bug must not fail the build; plain code is still correct
        return escapeHtml(code)


@lru_cache(maxsize=512)
def _lexer(name: str) -> Lexer | None:
    # No guessing from the content: an unknown name means plain text.
    try:
        # stripnl=False keeps leading/trailing blank lines as written. accelerate: the same
        # tokens from combined regexes (generator/highlight.py).
        return accelerate(get_lexer_by_name(name, stripnl=False))
    except ClassNotFound:
        return None
    except Exception:  # a broken third-party lexer plugin: treat as unknown
        return None


# --- reading the token stream --------------------------------------------


def _more_marker_index(tokens: Sequence[Token]) -> int | None:
    # Only a top-level html_block can be "a line of its own"; a marker inside
    # a paragraph or a list item does not split the post (and stays in it, as written).
    # The block must be the marker alone: `<!--more-->` with more HTML in the same
    # block is not a split either.
    for index, token in enumerate(tokens):
        if token.type != "html_block" or token.level != 0:
            continue
        if _MORE_MARKER.fullmatch(token.content.strip()):
            return index
    return None


def _first_paragraph(tokens: Sequence[Token]) -> list[Token]:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            return list(tokens[index : index + 3])  # open, inline, close
    return []


def _walk(
    tokens: Sequence[Token], settings: MarkdownSettings, md: MarkdownIt, env: EnvType
) -> tuple[tuple[Heading, ...], tuple[Reference, ...], int]:
    """One pass over the tokens collecting the toc, references and word count."""
    toc: list[Heading] = []
    references: list[Reference] = []
    words = 0
    block_line = 1  # cells of a table have no map of their own; use the last seen
    note_lines: dict[int, int] = {}  # inline footnote id -> line of its ^[...]
    for index, token in enumerate(tokens):
        if token.map is not None:
            block_line = token.map[0] + 1
        elif token.type == "footnote_open":
            # Inline footnotes are moved to the end without a map; their text
            # was written where the footnote is referenced.
            block_line = note_lines.get(token.meta.get("id", -1), block_line)
        if token.type in ("fence", "code_block"):
            words += len(token.content.split())
        elif token.type == "inline" and token.children:
            words += len(_visible_text(token.children).split())
            references.extend(_references(token.children, block_line, md, env, note_lines))
        elif token.type == "heading_open" and token.level == 0:
            level = int(token.tag[1])
            if settings.toc_min_level <= level <= settings.toc_max_level:
                text = _visible_text(tokens[index + 1].children or []).strip()
                toc.append(Heading(level, str(token.attrGet("id") or ""), text))
    return tuple(toc), tuple(references), words


def _visible_text(children: Sequence[Token]) -> str:
    # Raw HTML (including the permalink "#") and image alt text are not shown
    # as text; line breaks are word breaks.
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _references(
    children: Sequence[Token],
    first_line: int,
    md: MarkdownIt,
    env: EnvType,
    note_lines: dict[int, int],
) -> list[Reference]:
    """Links and images among an inline token's children, with their lines.

    Inline children carry no line map, so the line is the block's first line
    plus the line breaks seen so far (breaks inside raw HTML included).
    """
    found = []
    line = first_line
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "html_inline":
            line += child.content.count("\n")
        elif child.type == "footnote_ref":
            note_lines[child.meta["id"]] = line
        elif child.type == "link_open" and child.attrGet("class") != "header-anchor":
            found.append(Reference(str(child.attrGet("href") or ""), line, False))
        elif child.type == "image":
            # The same text the renderer puts in the alt attribute.
            alt = cast(RendererHTML, md.renderer).renderInlineAsText(child.children or [], md.options, env)
            found.append(Reference(str(child.attrGet("src") or ""), line, True, alt))
    return found
