"""Ghost's editor documents rendered to plain HTML: Lexical (Ghost 5) and its cards.

A Ghost export holds a post's body as `html` when Ghost rendered it, but some exports (and
posts written through the API) carry only `lexical`: a JSON editor state whose `root` holds
paragraphs, headings, lists and text nodes (styling as a bitmask), and Ghost's own "cards"
(image, code, markdown, embed, bookmark, callout...). This module turns that tree into the
ordinary HTML the rest of the import expects. The card renderers are shared with the older
mobiledoc format (see ghost.py), whose card payloads use the same field names.

What cannot be rendered keeps its text and is listed in `attention` for a person to check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape
from typing import Any

from markdown_it import MarkdownIt

Node = dict[str, Any]

# Lexical's text format bits, innermost first: `<strong><em><code>x</code></em></strong>`.
_TEXT_FORMATS = ((16, "code"), (32, "sub"), (64, "sup"), (128, "mark"), (8, "u"), (4, "s"), (2, "em"), (1, "strong"))
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LANGUAGE = re.compile(r"[\w+#.-]{1,40}")
# Cards whose content only ever went out by e-mail or that are site furniture, not the post.
_NEWSLETTER_CARDS = {"email", "email-cta"}
_SITE_FURNITURE = {"signup", "paywall"}
_markdown = MarkdownIt("commonmark")


def attr(value: object) -> str:
    """A value for a double-quoted HTML attribute."""
    return escape(str(value), quote=True)


def text(value: object) -> str:
    return escape(str(value), quote=False)


class Renderer:
    """Renders nodes and cards, collecting what a person should look at."""

    def __init__(self) -> None:
        self.attention: list[str] = []

    def note(self, message: str) -> None:
        if message not in self.attention:
            self.attention.append(message)

    # -- Lexical's tree -------------------------------------------------------------------

    def document(self, source: str) -> str:
        """The HTML of a Lexical JSON string; ValueError when it is not a Lexical document."""
        try:
            state = json.loads(source)
        except json.JSONDecodeError as exc:
            raise ValueError(f"its lexical field is not JSON ({exc.msg})") from exc
        root = state.get("root") if isinstance(state, dict) else None
        if not isinstance(root, dict):
            raise ValueError("its lexical field has no root node")
        return self.blocks(root.get("children"))

    def blocks(self, nodes: object) -> str:
        return "\n".join(part for part in (self.node(node) for node in _node_list(nodes)) if part)

    def inline(self, nodes: object) -> str:
        return "".join(self.node(node) for node in _node_list(nodes))

    def node(self, node: Node) -> str:
        kind = str(node.get("type", "")).removeprefix("extended-")
        render = _ELEMENTS.get(kind)
        if render is not None:
            return render(self, node)
        if kind in _CARDS:
            return self.card(kind, node)
        return self.unknown(kind, node)

    def text_node(self, node: Node) -> str:
        html = text(node.get("text", ""))
        formats = node.get("format")
        if isinstance(formats, int):
            for bit, tag in _TEXT_FORMATS:
                if formats & bit:
                    html = f"<{tag}>{html}</{tag}>"
        return html

    def paragraph(self, node: Node) -> str:
        inner = self.inline(node.get("children"))
        return f"<p>{inner}</p>" if inner.strip() else ""

    def heading(self, node: Node) -> str:
        tag = node.get("tag") if node.get("tag") in _HEADING_TAGS else "h2"
        return f"<{tag}>{self.inline(node.get('children'))}</{tag}>"

    def quote(self, node: Node) -> str:
        return f"<blockquote><p>{self.inline(node.get('children'))}</p></blockquote>"

    def link(self, node: Node) -> str:
        return f'<a href="{attr(node.get("url", ""))}">{self.inline(node.get("children"))}</a>'

    def list_node(self, node: Node) -> str:
        tag = "ol" if node.get("listType") == "number" or node.get("tag") == "ol" else "ul"
        start = node.get("start")
        opening = f'<ol start="{int(start)}">' if tag == "ol" and isinstance(start, int) and start != 1 else f"<{tag}>"
        items: list[str] = []
        for item in _node_list(node.get("children")):
            children = _node_list(item.get("children"))
            # Lexical nests a list as an item of its own; HTML puts it inside the item above.
            if children and all(child.get("type") == "list" for child in children) and items:
                items[-1] += self.blocks(children)
                continue
            items.append(self.checkmark(item) + self.inline(children))
        return opening + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"

    @staticmethod
    def checkmark(item: Node) -> str:
        checked = item.get("checked")
        return "" if checked is None else ("\N{BALLOT BOX WITH CHECK} " if checked else "\N{BALLOT BOX} ")

    def unknown(self, kind: str, node: Node) -> str:
        words = _plain_text(node)
        name = kind or "?"
        self.note(f"unknown Lexical node '{name}': only its text was kept" if words else f"unknown Lexical node '{name}' left out")
        if not words:
            return ""
        # A node with children stands for a block; a leaf for a piece of a line.
        return f"<p>{text(words)}</p>" if "children" in node else text(words)

    # -- Ghost's cards (Lexical nodes, or mobiledoc payloads) -----------------------------

    def card(self, name: str, payload: Node) -> str:
        if name in _NEWSLETTER_CARDS:
            self.note(f"a '{name}' card (content sent only in the newsletter) was left out")
            return ""
        if name in _SITE_FURNITURE:
            self.note(f"a '{name}' card (Ghost's {'members paywall' if name == 'paywall' else 'sign-up form'}) was left out")
            return ""
        render = _CARDS.get(name)
        if render is None:
            self.note(f"unknown Ghost card '{name}' left out")
            return ""
        return render(self, payload)

    def image_card(self, payload: Node) -> str:
        image = _img(payload)
        if payload.get("href"):
            image = f'<a href="{attr(payload["href"])}">{image}</a>'
        return _figure(image, payload.get("caption"))

    def gallery_card(self, payload: Node) -> str:
        images = [_img(image) for image in _node_list(payload.get("images"))]
        return _figure("".join(images), payload.get("caption")) if images else ""

    def code_card(self, payload: Node) -> str:
        language = str(payload.get("language") or "").strip().lower()
        code_class = f' class="language-{language}"' if _LANGUAGE.fullmatch(language) else ""
        html = f"<pre><code{code_class}>{text(payload.get('code', ''))}</code></pre>"
        caption = payload.get("caption")
        return html + (f"\n<p>{caption}</p>" if caption else "")

    def markdown_card(self, payload: Node) -> str:
        return _markdown.render(str(payload.get("markdown", ""))).strip()

    def html_card(self, payload: Node) -> str:
        return str(payload.get("html", "")).strip()

    def embed_card(self, payload: Node) -> str:
        html = str(payload.get("html") or "").strip()
        if not html and payload.get("url"):
            html = f'<p><a href="{attr(payload["url"])}">{text(payload["url"])}</a></p>'
        return _figure(html, payload.get("caption")) if payload.get("caption") else html

    def bookmark_card(self, payload: Node) -> str:
        url = str(payload.get("url", ""))
        found = payload.get("metadata")
        metadata: Node = found if isinstance(found, dict) else {}
        title = metadata.get("title") or url
        description = metadata.get("description")
        html = f'<p><a href="{attr(url)}">{text(title)}</a>' + (f" \N{EM DASH} {text(description)}" if description else "") + "</p>"
        return html + (f"\n<p>{payload['caption']}</p>" if payload.get("caption") else "")

    def callout_card(self, payload: Node) -> str:
        body = str(payload.get("calloutText") or "").strip()
        if not body.startswith("<"):
            body = f"<p>{body}</p>"
        emoji = payload.get("calloutEmoji")
        if emoji:
            body = re.sub(r"^(<p\b[^>]*>)", lambda m: m.group(1) + text(emoji) + " ", body, count=1)
        return f"<blockquote>{body}</blockquote>"

    def toggle_card(self, payload: Node) -> str:
        return f"<details><summary>{payload.get('heading', '')}</summary>{payload.get('content', '')}</details>"

    def button_card(self, payload: Node) -> str:
        url, label = payload.get("buttonUrl"), payload.get("buttonText")
        return f'<p><a href="{attr(url)}">{text(label or url)}</a></p>' if url else ""

    def video_card(self, payload: Node) -> str:
        poster = f' poster="{attr(payload["thumbnailSrc"])}"' if payload.get("thumbnailSrc") else ""
        loop = " loop" if payload.get("loop") else ""
        return _figure(f'<video src="{attr(payload.get("src", ""))}" controls{loop}{poster}></video>', payload.get("caption"))

    def audio_card(self, payload: Node) -> str:
        title = payload.get("title")
        return _figure(f'<audio src="{attr(payload.get("src", ""))}" controls></audio>', text(title) if title else None)

    def file_card(self, payload: Node) -> str:
        label = payload.get("fileTitle") or payload.get("fileName") or payload.get("src")
        caption = payload.get("fileCaption")
        return f'<p><a href="{attr(payload.get("src", ""))}">{text(label)}</a>' + (f" {text(caption)}" if caption else "") + "</p>"

    def header_card(self, payload: Node) -> str:
        parts = [
            f"<h2>{payload['header']}</h2>" if payload.get("header") else "",
            f"<p>{payload['subheader']}</p>" if payload.get("subheader") else "",
        ]
        return "\n".join(part for part in parts if part) + self.button_card(payload)

    def product_card(self, payload: Node) -> str:
        parts = [
            _img({"src": payload["productImageSrc"], "alt": ""}) if payload.get("productImageSrc") else "",
            f"<h3>{payload['productTitle']}</h3>" if payload.get("productTitle") else "",
            str(payload.get("productDescription") or ""),
            self.button_card({"buttonUrl": payload.get("productUrl"), "buttonText": payload.get("productButton")}),
        ]
        return "\n".join(part for part in parts if part)


def _node_list(nodes: object) -> list[Node]:
    return [node for node in nodes if isinstance(node, dict)] if isinstance(nodes, list) else []


def _plain_text(node: Node) -> str:
    if isinstance(node.get("text"), str):
        return node["text"]
    return " ".join(filter(None, (_plain_text(child) for child in _node_list(node.get("children")))))


def _img(image: Node) -> str:
    size = "".join(f' {name}="{int(image[name])}"' for name in ("width", "height") if isinstance(image.get(name), int))
    return f'<img src="{attr(image.get("src", ""))}" alt="{attr(image.get("alt") or "")}"{size}>'


def _figure(inner: str, caption: object) -> str:
    # A caption is HTML in Ghost's cards (it may hold links); a missing one leaves no figcaption.
    return f"<figure>{inner}<figcaption>{caption}</figcaption></figure>" if caption else f"<figure>{inner}</figure>"


_ELEMENTS: dict[str, Callable[[Renderer, Node], str]] = {
    "text": Renderer.text_node,
    "paragraph": Renderer.paragraph,
    "heading": Renderer.heading,
    "quote": Renderer.quote,
    "aside": Renderer.quote,
    "list": Renderer.list_node,
    "listitem": lambda self, node: f"<li>{self.inline(node.get('children'))}</li>",
    "link": Renderer.link,
    "autolink": Renderer.link,
    "linebreak": lambda self, node: "<br>",
    "tab": lambda self, node: "\t",
    "horizontalrule": lambda self, node: "<hr>",
    "hashtag": Renderer.text_node,
    "zwnj": lambda self, node: "",
}

_CARDS: dict[str, Callable[[Renderer, Node], str]] = {
    "image": Renderer.image_card,
    "gallery": Renderer.gallery_card,
    "codeblock": Renderer.code_card,
    "code": Renderer.code_card,
    "markdown": Renderer.markdown_card,
    "card-markdown": Renderer.markdown_card,
    "html": Renderer.html_card,
    "embed": Renderer.embed_card,
    "bookmark": Renderer.bookmark_card,
    "callout": Renderer.callout_card,
    "toggle": Renderer.toggle_card,
    "button": Renderer.button_card,
    "video": Renderer.video_card,
    "audio": Renderer.audio_card,
    "file": Renderer.file_card,
    "header": Renderer.header_card,
    "product": Renderer.product_card,
    "hr": lambda self, payload: "<hr>",
    **{name: lambda self, payload: "" for name in _NEWSLETTER_CARDS | _SITE_FURNITURE},
}


def render(source: str) -> tuple[str, list[str]]:
    """The HTML of a post's `lexical` field and the notes for a person; ValueError when the
    field is not a Lexical document."""
    renderer = Renderer()
    return renderer.document(source), renderer.attention
