"""WordPress's content dialect -> clean HTML.

A WXR file stores a post's body as its author saved it, not as WordPress shows it. Classic
posts have no `<p>`: WordPress adds paragraphs when it renders (blank lines are paragraphs,
single newlines `<br>`; its `wpautop`), and expands shortcodes (`[caption]`, `[gallery]`,
`[code]`...). Block-editor posts hold HTML wrapped in `<!-- wp:name {json} -->` comments, and
dynamic blocks (latest posts, archives) are only such a comment, with no HTML at all. This
module does what WordPress does when it renders, in the same spirit but its own way, and
lists what it cannot do (an unknown shortcode, a gallery picture missing from the export) so
the report can tell a person.

Code is protected first: the text of a `<pre>`, a `<code>` or a `[code]` shortcode is set
aside (a "vault" of placeholders) so that neither paragraphing nor shortcodes touch it, and
put back at the end.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# Tags WordPress treats as blocks: never wrapped in <p>, no <br> beside them.
_BLOCK = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    "blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
    "footer|nav|figure|figcaption|details|menu|summary|iframe|audio|video|source|track|object|embed|picture"
)
_BLOCK_OPEN = re.compile(rf"<(?:{_BLOCK})(?=[\s/>])[^>]*>", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"</(?:{_BLOCK})\s*>", re.IGNORECASE)
_VOID_BLOCK = re.compile(r"<(?:hr|source|track|col|area|embed)(?=[\s/>])[^>]*>", re.IGNORECASE)
_BLOCK_AT_START = re.compile(rf"^(?:\s*(?:</?(?:{_BLOCK})(?=[\s/>])[^>]*>|<!--.*?-->))+", re.IGNORECASE | re.DOTALL)
_BLOCK_AT_END = re.compile(rf"(?:(?:</?(?:{_BLOCK})(?=[\s/>])[^>]*>|<!--.*?-->)\s*)+$", re.IGNORECASE | re.DOTALL)
# Where paragraphs may sit directly inside: text after `<blockquote>` becomes a <p>, text inside
# `<li>` or `<td>` does not (WordPress's own behaviour).
_CONTAINERS = "blockquote|div|section|article|aside|header|footer|nav|details"
_CONTAINER_OPEN = re.compile(rf"<(?:{_CONTAINERS})\b", re.IGNORECASE)
_CONTAINER_CLOSE = re.compile(rf"</(?:{_CONTAINERS})\b", re.IGNORECASE)

_VAULT_TOKEN = re.compile("\ue000(\\d+)\ue001")
_PRE = re.compile(r"<pre\b([^>]*)>(.*?)</pre\s*>", re.IGNORECASE | re.DOTALL)
_INLINE_CODE = re.compile(r"(<code\b[^>]*>)(.*?)(</code\s*>)", re.IGNORECASE | re.DOTALL)
_RAW_TEXT = re.compile(r"(<(script|style|textarea)\b[^>]*>)(.*?)(</\2\s*>)", re.IGNORECASE | re.DOTALL)
_CODE_WRAPPED = re.compile(r"^\s*<code\b([^>]*)>(.*)</code\s*>\s*$", re.IGNORECASE | re.DOTALL)

# Block-editor delimiters: `<!-- wp:name {json} -->`, `<!-- /wp:name -->`, `<!-- wp:name /-->`.
_BLOCK_COMMENT = re.compile(r"<!--\s+(/)?wp:([a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)\s*(\{.*?\})?\s*(/)?-->", re.DOTALL)
_LANGUAGE_BLOCK = re.compile(r"<!--\s+wp:([a-z][\w/-]*)\s+(\{[^>]*?\"language\"[^>]*?\})\s*-->(.*?)<!--\s+/wp:\1\s+-->", re.DOTALL)
_MORE = re.compile(r"<!--more(?:\s[^>]*?)?-->")
_NEXTPAGE = re.compile(r"\n?<!--nextpage-->\n?")
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"'\[\]]+)[ \t]*$", re.MULTILINE)

# An opening `[name attributes]` (`[[name]]` is WordPress's escape for a literal). Quoted values
# stop at a line's end and bare text at the next bracket, so a stray `[` or `"` in prose costs
# little; the `[/name]` that closes an enclosing shortcode is looked for separately.
_OPENING = re.compile(r"\[(\[?)([A-Za-z][\w-]*)(?=[\s\]=/])((?:[^\[\]\"'\n]|\n(?!\n)|\"[^\"\n]*\"|'[^'\n]*')*?)(/?)\](\]?)")
_CLOSING = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*\"([^\"]*)\"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s\"']+)|\"([^\"]*)\"|(\S+)")

# SyntaxHighlighter's language-named shortcodes ([php]...[/php]) and what a highlighter calls them.
_LANGUAGE_ALIASES = {
    "py": "python",
    "js": "javascript",
    "jscript": "javascript",
    "rb": "ruby",
    "ror": "ruby",
    "rails": "ruby",
    "c-sharp": "csharp",
    "sh": "bash",
    "shell": "bash",
    "yml": "yaml",
    "xhtml": "html",
    "pl": "perl",
    "golang": "go",
    "obj-c": "objectivec",
    "objc": "objectivec",
    "ps": "powershell",
    "clj": "clojure",
    "erl": "erlang",
    "pas": "pascal",
    "as3": "actionscript",
    "actionscript3": "actionscript",
}
_NAMED_CODE_SHORTCODES = {
    "bash", "c", "cpp", "csharp", "c-sharp", "css", "diff", "erlang", "go", "golang", "groovy", "html",
    "java", "javascript", "js", "json", "kotlin", "perl", "php", "powershell", "py", "python", "rb",
    "ruby", "rust", "scala", "shell", "sh", "sql", "swift", "typescript", "vb", "xml", "yaml", "yml",
}  # fmt: skip
_CODE_SHORTCODES = {"code", "sourcecode"}
_PLAIN_LANGUAGES = {"plain", "text", "txt", "none"}
_AUDIO_SOURCES = ("src", "mp3", "m4a", "ogg", "oga", "wav", "flac")
_VIDEO_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mov")
_SAFE_LANGUAGE = re.compile(r"[^\w+#.-]")


@dataclass(frozen=True)
class Attachment:
    """A picture or file of the export (an `attachment` item)."""

    id: str
    url: str
    alt: str = ""
    caption: str = ""  # its excerpt, HTML
    parent: str = "0"
    order: int = 0


@dataclass(frozen=True)
class Library:
    """What a body may need from the rest of the export."""

    attachments: Mapping[str, Attachment] = field(default_factory=dict)
    reusable_blocks: Mapping[str, str] = field(default_factory=dict)  # wp_block post id -> content


@dataclass
class _Vault:
    """Text set aside behind placeholders (private-use characters the input cannot hold)."""

    kept: list[str] = field(default_factory=list)

    def keep(self, text: str) -> str:
        self.kept.append(text)
        return f"\ue000{len(self.kept) - 1}\ue001"

    def restore(self, text: str) -> str:
        for _ in range(5):  # a kept text may hold placeholders of its own
            if "\ue000" not in text:
                break
            text = _VAULT_TOKEN.sub(lambda m: self.kept[int(m[1])], text)
        return text


def body_html(raw: str, post_id: str, library: Library, footnotes: str | None = None) -> tuple[str, list[str]]:
    """A post's stored content as clean HTML, and what a person should look at."""
    attention: list[str] = []
    vault = _Vault()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ue000", "").replace("\ue001", "")
    is_blocks = "<!-- wp:" in text
    if is_blocks:
        text = _inline_reusable_blocks(text, library, attention)
        text = _LANGUAGE_BLOCK.sub(_language_block_to_pre, text)
    text = _code_shortcodes(text, vault)
    text = _protect_code(text, vault)
    if is_blocks:
        text = _strip_block_comments(text, attention)
    text = _BARE_URL_LINE.sub(lambda m: f"\n{_link_paragraph(m[1])}\n", text)
    text = _expand_shortcodes(text, post_id, library, attention)
    text = _NEXTPAGE.sub("\n\n", text)
    text = _MORE.sub("<!--more-->", text)
    if not is_blocks:
        text = autop(text)
    text = _with_footnotes(text, footnotes, attention)
    return vault.restore(_tidy(text)), attention


def comment_html(raw: str) -> str:
    """A comment's stored text as HTML: comments are always classic text, paragraphed on show."""
    vault = _Vault()
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ue000", "").replace("\ue001", "")
    return vault.restore(_tidy(autop(_protect_code(text, vault))))


def plain_text(fragment: str) -> str:
    """Plain text of a title or excerpt: markup stripped, then entities decoded once."""
    without_code = _RAW_TEXT.sub(" ", fragment)
    text = re.sub(r"<[^>]*>", " ", without_code)
    return " ".join(html.unescape(text).split())


# -- paragraphs -------------------------------------------------------------------------------


def autop(text: str) -> str:
    """WordPress's paragraphing: blank lines are paragraphs, single newlines `<br />`, nothing
    added inside `<pre>` or around block-level tags. `<pre>` contents must be vaulted already."""
    text = re.sub(r"<[^<>]*>", lambda m: m[0].replace("\n", " "), text.strip("\n"))  # a tag over lines
    text = re.sub(r"^[ \t]*(<!--.*?-->)[ \t]*$", r"\n\n\1\n\n", text, flags=re.MULTILINE)
    text = text.replace("<!--more-->", "\n\n<!--more-->\n\n")
    text = _BLOCK_OPEN.sub(lambda m: "\n\n" + m[0], text)
    text = _BLOCK_CLOSE.sub(lambda m: m[0] + "\n\n", text)
    text = _VOID_BLOCK.sub(lambda m: m[0] + "\n\n", text)
    paragraphs = [_paragraph(chunk.strip()) for chunk in re.split(r"\n[ \t]*\n", text)]
    return "\n".join(p for p in paragraphs if p)


def _paragraph(chunk: str) -> str:
    if not chunk:
        return ""
    start = _BLOCK_AT_START.match(chunk)
    prefix = start[0] if start else ""
    end = _BLOCK_AT_END.search(chunk, len(prefix))
    suffix = end[0] if end else ""
    middle = chunk[len(prefix) : len(chunk) - len(suffix)].strip()
    if not middle:
        return _line_breaks(chunk)
    wraps = not prefix and not suffix
    if bool(prefix) != bool(suffix):
        # Text right after `<blockquote>` (or right before `</div>`) is a paragraph of its own.
        beside = re.findall(r"<[^>]*>", prefix)[-1:] if prefix else re.findall(r"<[^>]*>", suffix)[:1]
        wraps = bool(beside) and bool((_CONTAINER_OPEN if prefix else _CONTAINER_CLOSE).match(beside[0]))
    body = f"<p>{_line_breaks(middle)}</p>" if wraps else _line_breaks(middle)
    return f"{prefix.strip()}{body}{suffix.strip()}"


def _line_breaks(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    out = lines[0]
    for before, after in zip(lines, lines[1:], strict=False):
        beside_block = _BLOCK_AT_END.search(before) or _BLOCK_AT_START.match(after) or re.search(r"<br\s*/?>$", before)
        out += ("\n" if beside_block else "<br />\n") + after
    return out


# -- shortcode scanning -------------------------------------------------------------------


@dataclass(frozen=True)
class _Shortcode:
    name: str
    attributes: str
    content: str | None  # None: not an enclosing one
    escaped: bool  # [[name]]: a literal, not a shortcode
    self_closing: bool
    text: str  # as written
    start: int
    end: int


def _replace_shortcodes(text: str, replace: Callable[[_Shortcode], str]) -> str:
    """Each shortcode of `text` (left to right, not nested) replaced by what `replace` returns."""
    closers = {match[1] for match in _CLOSING.finditer(text)}
    out: list[str] = []
    position = 0
    while (opening := _OPENING.search(text, position)) is not None:
        escaped, name, attributes, slash, extra_bracket = opening.groups()
        end, content = opening.end(), None
        if not slash and not extra_bracket and name in closers:
            close = text.find(f"[/{name}]", end)
            if close >= 0:
                content = text[end:close]
                end = close + len(name) + 3
                if escaped and text.startswith("]", end):
                    end += 1
                    extra_bracket = "]"
        elif extra_bracket and not escaped:  # `[name]]`: the second bracket is prose
            end -= 1
            extra_bracket = ""
        shortcode = _Shortcode(
            name, attributes, content, bool(escaped and extra_bracket), bool(slash), text[opening.start() : end], opening.start(), end
        )
        out.append(text[position : opening.start()])
        if escaped and not extra_bracket:  # `[[name]` : the first bracket is prose
            out.append("[")
            position = opening.start() + 1
            continue
        out.append(replace(shortcode))
        position = end
    out.append(text[position:])
    return "".join(out)


# -- code -------------------------------------------------------------------------------------


def _language(name: str) -> str:
    name = name.strip().lower()
    name = _LANGUAGE_ALIASES.get(name, name)
    return "" if name in _PLAIN_LANGUAGES else _SAFE_LANGUAGE.sub("", name)


def _code_block(escaped_code: str, language: str, vault: _Vault) -> str:
    language_class = f' class="language-{language}"' if language else ""
    return f"\n\n<pre><code{language_class}>{vault.keep(escaped_code)}</code></pre>\n\n"


def _code_shortcodes(text: str, vault: _Vault) -> str:
    """`[code lang="x"]raw[/code]`, `[sourcecode language="x"]`, `[php]...[/php]`: the code is
    raw text in WordPress, so `<x.h>` is escaped here rather than read as a tag."""

    def replace(shortcode: _Shortcode) -> str:
        lowered = shortcode.name.lower()
        is_code = lowered in _CODE_SHORTCODES or lowered in _NAMED_CODE_SHORTCODES
        if shortcode.escaped or shortcode.content is None or not is_code:
            return shortcode.text
        values = _attributes(shortcode.attributes)
        named = lowered if lowered not in _CODE_SHORTCODES else ""
        language = _language(values.get("lang") or values.get("language") or named)
        return _code_block(_escape_code(shortcode.content.strip("\n")), language, vault)

    return _replace_shortcodes(text, replace)


def _escape_code(code: str) -> str:
    # The visual editor stores `<` as `&lt;` even inside [code]: such code is escaped already.
    if "<" not in code and ">" not in code:
        code = html.unescape(code)
    return html.escape(code, quote=False)


def _language_block_to_pre(match: re.Match[str]) -> str:
    """`<!-- wp:code {"language":"x"} -->`: the language goes onto the block's <pre>."""
    name, attributes, inner = match.groups()
    try:
        language = str(json.loads(attributes).get("language") or "")
    except (ValueError, AttributeError):
        return match[0]
    if not language or "<pre" not in inner.lower():
        return match[0]
    marked = re.sub(r"<pre\b", f'<pre data-import-language="{_language(language)}"', inner, count=1, flags=re.IGNORECASE)
    return f"<!-- wp:{name} -->{marked}<!-- /wp:{name} -->"


def _protect_code(text: str, vault: _Vault) -> str:
    """Every `<pre>` becomes `<pre><code class="language-x">` when its language is known (from
    its block, `class="language-x"`, `lang-x`, `brush: x`, `lang="x"`); its text, and that of
    inline `<code>`, is vaulted so paragraphs and shortcodes leave it alone."""

    def pre(match: re.Match[str]) -> str:
        attributes, inner = match.groups()
        wrapped = _CODE_WRAPPED.match(inner)
        code_attributes, code = (wrapped[1], wrapped[2]) if wrapped else ("", inner)
        language = _language_of(attributes) or _language_of(code_attributes)
        if _VAULT_TOKEN.fullmatch(code.strip()) and not wrapped:
            return match[0]
        if not language and not wrapped:
            return f"<pre>{vault.keep(code)}</pre>"
        language_class = f' class="language-{language}"' if language else ""
        return f"<pre><code{language_class}>{vault.keep(code)}</code></pre>"

    text = _PRE.sub(pre, text)
    text = _INLINE_CODE.sub(lambda m: m[1] + vault.keep(m[2]) + m[3], text)
    return _RAW_TEXT.sub(lambda m: m[1] + vault.keep(m[3]) + m[4], text)


def _language_of(attributes: str) -> str:
    patterns = (
        r'data-import-language="([^"]*)"',
        r"""class\s*=\s*["'][^"']*\b(?:language|lang)-([\w+#.-]+)""",
        r"""class\s*=\s*["'][^"']*\bbrush:\s*([\w+#.-]+)""",
        r"""\b(?:data-)?lang(?:uage)?\s*=\s*["']([\w+#.-]+)""",
    )
    for pattern in patterns:
        found = re.search(pattern, attributes, re.IGNORECASE)
        if found and _language(found[1]):
            return _language(found[1])
    return ""


# -- blocks -----------------------------------------------------------------------------------


def _inline_reusable_blocks(text: str, library: Library, attention: list[str]) -> str:
    """`<!-- wp:block {"ref":12} /-->` is a reusable block: its content is another item."""

    def replace(match: re.Match[str]) -> str:
        ref = re.search(r'"ref"\s*:\s*(\d+)', match[0])
        content = library.reusable_blocks.get(ref[1]) if ref else None
        if content is None:
            attention.append(f"reusable block {ref[1] if ref else '?'} is not in the export; removed")
            return ""
        return content

    return re.sub(r"<!--\s+wp:block\s+\{[^>]*?\}\s*/-->", replace, text)


def _strip_block_comments(text: str, attention: list[str]) -> str:
    """Block delimiters go, their HTML stays; a self-closing (dynamic) block has no HTML and is
    listed, except the footnotes block, which marks where the footnotes go."""
    dynamic: list[str] = []

    def replace(match: re.Match[str]) -> str:
        closing, name, _, self_closing = match.groups()
        if self_closing and not closing:
            if name == "footnotes":
                return "\n<!--footnotes-->\n"
            dynamic.append(name)
        return ""

    text = _BLOCK_COMMENT.sub(replace, text)
    for name in dict.fromkeys(dynamic):
        attention.append(f"dynamic block wp:{name} removed (WordPress built it when showing the page; the export has no HTML for it)")
    return text


def _with_footnotes(text: str, footnotes: str | None, attention: list[str]) -> str:
    """Block-editor footnotes live in the post's `footnotes` meta (JSON), not in the body."""
    notes = _footnote_list(footnotes)
    if notes is None:
        if "data-fn=" in text or "<!--footnotes-->" in text:
            attention.append("footnotes whose text is not in the export (no 'footnotes' meta)")
        return text.replace("<!--footnotes-->", "")
    items = "".join(f'<li id="{html.escape(i)}">{c} <a href="#{html.escape(i)}-link">↩︎</a></li>' for i, c in notes)
    listing = f'<ol class="footnotes">{items}</ol>'
    if "<!--footnotes-->" in text:
        return text.replace("<!--footnotes-->", listing, 1).replace("<!--footnotes-->", "")
    return f"{text}\n{listing}"


def _footnote_list(footnotes: str | None) -> list[tuple[str, str]] | None:
    if not footnotes:
        return None
    try:
        data = json.loads(footnotes)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    notes = [(str(n.get("id", "")), str(n.get("content", ""))) for n in data if isinstance(n, dict)]
    return [(note_id, content) for note_id, content in notes if note_id] or None


# -- shortcodes -------------------------------------------------------------------------------


def _attributes(text: str) -> dict[str, str]:
    """`id="a" width=300 'x'` -> {"id": "a", "width": "300", "0": "x"} (positional by index)."""
    values: dict[str, str] = {}
    position = 0
    for match in _ATTRIBUTE.finditer(text or ""):
        name, value = next(((match[i], match[i + 1]) for i in (1, 3, 5) if match[i]), (None, None))
        if name is not None:
            values[name.lower()] = value or ""
        else:
            values[str(position)] = match[7] if match[7] is not None else match[8]
            position += 1
    return values


def _expand_shortcodes(text: str, post_id: str, library: Library, attention: list[str]) -> str:
    handlers: dict[str, Callable[[dict[str, str], str | None], str]] = {
        "caption": lambda values, content: _caption(values, content or ""),
        "wp_caption": lambda values, content: _caption(values, content or ""),
        "gallery": lambda values, _: _gallery(values, post_id, library, attention),
        "audio": lambda values, _: _media("audio", values, _AUDIO_SOURCES),
        "video": lambda values, _: _media("video", values, _VIDEO_SOURCES),
        "embed": lambda values, content: _link_paragraph(html.unescape(content or "").strip()),
        "youtube": lambda values, _: _link_paragraph(values.get("0", "").lstrip("=")),
    }
    unknown: list[str] = []

    def replace(shortcode: _Shortcode) -> str:
        if shortcode.escaped:
            return shortcode.text[1:-1]  # [[name]]: a literal [name]
        handler = handlers.get(shortcode.name.lower())
        if handler is None:
            if _looks_like_shortcode(shortcode, text):
                unknown.append(shortcode.name)
            return shortcode.text
        return handler(_attributes(shortcode.attributes), shortcode.content)

    text = _replace_shortcodes(text, replace)
    for name in dict.fromkeys(unknown):
        attention.append(f"unknown shortcode [{name}] left as written")
    return text


def _looks_like_shortcode(shortcode: _Shortcode, text: str) -> bool:
    """`[foo id="1"]`, `[foo]...[/foo]` or `[foo]` on a line of its own; not `[sic]` in a sentence."""
    name = shortcode.name
    if "=" in shortcode.attributes or shortcode.content is not None or shortcode.self_closing or "_" in name or "-" in name:
        return True
    line_start = text.rfind("\n", 0, shortcode.start) + 1
    line_end = text.find("\n", shortcode.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    return line.strip() == shortcode.text


def _caption(values: dict[str, str], content: str) -> str:
    """`[caption]<a><img></a> Text[/caption]` -> `<figure><a><img></a><figcaption>Text</figcaption></figure>`."""
    picture = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a\s*>)?)(.*)$", content, re.IGNORECASE | re.DOTALL)
    if picture is None:
        return f"\n\n<figure>{content.strip()}</figure>\n\n"
    caption = values.get("caption") or picture[2].strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{picture[1].strip()}{figcaption}</figure>\n\n"


def _gallery(values: dict[str, str], post_id: str, library: Library, attention: list[str]) -> str:
    """`[gallery ids="1,2"]` (or no ids: the pictures attached to the post) -> one figure each."""
    listed = values.get("ids") or values.get("include") or ""
    if listed:
        ids = [i.strip() for i in listed.split(",") if i.strip()]
    else:
        attached = [a for a in library.attachments.values() if a.parent == post_id]
        ids = [a.id for a in sorted(attached, key=lambda a: (a.order, int(a.id) if a.id.isdigit() else 0))]
    missing = [i for i in ids if i not in library.attachments]
    if missing:
        attention.append(f"gallery pictures not in the export: attachment {', '.join(missing)}")
    figures = [_figure(library.attachments[i]) for i in ids if i in library.attachments]
    if not figures:
        attention.append("a [gallery] without any picture in the export was removed")
    return "\n\n" + "\n".join(figures) + "\n\n"


def _figure(attachment: Attachment) -> str:
    src = html.escape(html.unescape(attachment.url))
    alt = html.escape(attachment.alt)
    caption = f"<figcaption>{attachment.caption.strip()}</figcaption>" if attachment.caption.strip() else ""
    return f'<figure><img src="{src}" alt="{alt}" />{caption}</figure>'


def _media(tag: str, values: dict[str, str], sources: Sequence[str]) -> str:
    """`[audio src=...]`, `[video mp4=... poster=...]` -> `<audio controls src>` / `<video ...>`."""
    src = next((values[name] for name in sources if values.get(name)), "")
    if not src:
        return f"\n\n<{tag} controls></{tag}>\n\n"
    poster = values.get("poster", "") if tag == "video" else ""
    poster_attribute = f' poster="{html.escape(html.unescape(poster))}"' if poster else ""
    return f'\n\n<{tag} controls src="{html.escape(html.unescape(src))}"{poster_attribute}></{tag}>\n\n'


def _link_paragraph(url: str) -> str:
    """An oEmbed URL (a video, a tweet) becomes a plain link: the new site embeds nothing."""
    url = html.unescape(url.strip())
    if not re.match(r"https?://", url, re.IGNORECASE):
        return html.escape(url)
    shown = html.escape(url)
    return f'\n\n<p><a href="{shown}">{shown}</a></p>\n\n'


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
