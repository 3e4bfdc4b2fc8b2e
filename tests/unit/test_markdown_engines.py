"""The fast Markdown engine (markdown-it-pyrs + generator/markdown_fast.py) against the reference
(markdown-it-py + mdit-py-plugins, `render_markdown_reference`): the same document for every
post of the real corpus, of a generated corpus and of tests/fixtures/markdown/.

"The same document": html5lib trees equal with whitespace between block elements ignored, and
the same summary (same rule), `<!--more-->` flag, toc and word count, and the same references
but for one tolerated, narrow difference (`assert_same_references`). Beyond that, the HTML is
byte-identical today on all of them (so pages are too): a post whose bytes differ only in
whitespace is reported, and must be listed in WHITESPACE_ONLY with its reason (docs/markdown.md).
"""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from markdown_it.utils import read_fixture_file

from generator import markdown_fast
from generator.code_digest import OUTPUT_LIBRARIES
from generator.content import read_source_text, split_front_matter
from generator.markdown import MarkdownSettings, Rendered, render_markdown, render_markdown_reference

FIXTURES = Path(__file__).parent.parent / "fixtures" / "markdown"
# Posts whose HTML differs between the engines in whitespace between blocks only (name -> why).
# None today; docs/markdown.md says what would belong here.
WHITESPACE_ONLY: dict[str, str] = {}
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd details div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)


def tree(html: str) -> list:
    """A comparable form of an HTML fragment: html5lib's tree as nested lists, with
    whitespace-only text beside or inside block elements dropped."""
    fragment = html5lib.HTMLParser(namespaceHTMLElements=False).parseFragment(html)
    return _children(fragment)


def _children(element) -> list:
    items: list = []
    text = element.text or ""
    children = list(element)
    if text and not (text.isspace() and (not children or children[0].tag in BLOCK_TAGS) and element.tag != "pre"):
        items.append(text)
    for index, child in enumerate(children):
        if isinstance(child.tag, str):
            items.append([child.tag, sorted(child.attrib.items()), _children(child)])
        else:  # a comment
            items.append(["<!--", child.text])
        tail = child.tail or ""
        after = children[index + 1] if index + 1 < len(children) else None
        blockish = child.tag in BLOCK_TAGS or (after is not None and after.tag in BLOCK_TAGS) or after is None
        if tail and not (tail.isspace() and blockish and element.tag != "pre"):
            items.append(tail)
    return items


def assert_same_references(body: str, reference: Rendered, fast: Rendered, where: str) -> None:
    """The same links and images in the same order. Tolerated: a later line from the fast
    engine within the same paragraph. markdown-it-py's line is the block's first line plus
    the break tokens before the link, so it misses newlines that leave no break token (inside
    a code span or a reference link's label); pyrs's source map gives the true line."""
    assert [(r.url, r.is_image, r.alt) for r in fast.references] == [(r.url, r.is_image, r.alt) for r in reference.references], where
    lines = body.split("\n")
    for ref, got in zip(reference.references, fast.references, strict=True):
        if ref.line != got.line:
            between = lines[ref.line - 1 : got.line]
            assert got.line > ref.line and all(line.strip() for line in between), (where, ref, got)


def compare(body: str, where: str, settings: MarkdownSettings | None = None) -> str | None:
    """Assert the two engines give the same document; returns "whitespace" when the HTML
    bytes differ only in whitespace between blocks, else None."""
    settings = settings or MarkdownSettings()
    reference = render_markdown_reference(body, settings)
    fast = render_markdown(body, settings)
    assert fast.has_more == reference.has_more, where
    assert fast.toc == reference.toc, where
    assert fast.word_count == reference.word_count, where
    assert_same_references(body, reference, fast, where)
    outcome = None
    for field in ("html", "summary_html"):
        ours, theirs = getattr(fast, field), getattr(reference, field)
        if ours != theirs:
            assert tree(ours) == tree(theirs), f"{where}: {field}"
            outcome = "whitespace"
    return outcome


def bodies(posts: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(posts.rglob("*.md")):
        _meta, _lines, body, _line = split_front_matter(read_source_text(path), path)
        found.append((str(path.relative_to(posts)), body))
    return found


def check_corpus(posts: Path) -> None:
    whitespace = []
    fast_path = 0
    for name, body in bodies(posts):
        if compare(body, name) == "whitespace":
            whitespace.append(name)
        fast_path += _takes_fast_path(body)
    assert {name: WHITESPACE_ONLY.get(name) for name in whitespace} == {
        name: why for name, why in WHITESPACE_ONLY.items() if name in whitespace
    }, f"HTML differs in whitespace only, not listed in WHITESPACE_ONLY: {whitespace}"
    assert fast_path > 0


def _takes_fast_path(body: str) -> bool:
    return (
        markdown_fast.render_tree(
            body,
            toc_min_level=2,
            toc_max_level=3,
            anchor_links=True,
            slugify=lambda title: title,
            fence_html=lambda info, content: "",
        )
        is not None
    )


def test_real_corpus_same_document(real_corpus):
    check_corpus(real_corpus / "posts")
    # Nothing in it needs the reference engine.
    assert all(_takes_fast_path(body) for _name, body in bodies(real_corpus / "posts"))


def test_generated_corpus_same_document(corpus):
    site = corpus(400)
    check_corpus(site / "posts")
    assert all(_takes_fast_path(body) for _name, body in bodies(site / "posts"))


@pytest.mark.parametrize("line,title,source,expected", read_fixture_file(FIXTURES / "features.md"))
def test_fixture_same_document(line, title, source, expected):
    assert compare(source, f"features.md:{line} {title}") is None


@pytest.mark.parametrize(
    "settings",
    [MarkdownSettings(highlight=False), MarkdownSettings(anchor_links=False), MarkdownSettings(toc_min_level=1, toc_max_level=6)],
    ids=["no-highlight", "no-anchors", "all-levels"],
)
def test_settings_same_document(settings):
    for _line, title, source, _expected in read_fixture_file(FIXTURES / "features.md"):
        assert compare(source, title, settings) is None


# Shapes where pyrs's tree differs from markdown-it-py's tokens, each rendered as the reference does.
EDGE_CASES = [
    "- a\n  ```\n  x\n  ```\n  b\n",  # a tight item: hidden paragraphs around a block
    "- a\n  # h\n- b\n",
    "- a\n  ---\n",
    "- a\n  | x |\n  |---|\n  | y |\n",  # a table after a hidden paragraph
    "-\n- b\n",
    "> \n",
    "> [a]: /u\n",  # a definition leaves nothing in the quote
    "1. a\n2. b\n\n3) c\n",
    "3. a\n4. b\n",
    "- [ ] a\n- [x] b\n\n- [ ] c\n",  # a loose task list: the checkbox goes inside the paragraph
    "- [ ] a\n\n  more\n- [x] b\n",
    "1. [x] done\n",
    "- [ ]\n",
    "* [X] cap\n",
    "Term\n: def\n\n: def2\n",
    "Term\n\n: loose def\n",
    "x[^a] y[^b] z[^a]\n\n[^b]: B\n[^a]: A\n",  # numbered by first reference, not by definition
    "^[inline] x[^a]\n\n[^a]: A\n\n    ```\n    code\n    ```\n",  # back-references after a block
    "[^a]: unused\n\ntext\n",
    "x[^missing]\n",
    "Text[^1].\n\n[^1]: Line one\n    continued.\n\n    Second para.\n",
    "# \n",
    "## `a` *b* [c](d)\n",
    "Title\n=====\n\nSub\n---\n",
    "# a\n# a\n# a-1\n",
    "![a *b* `c` <span>d</span>\ne](x.png)\n",
    '![](x.png "t")\n',
    "[a](<b c> 'ti\"t')\n",
    "<https://x.y/a?b=c&d>\n",
    "<foo@bar.com>\n",
    "a  \nb\\\nc\n",
    "&copy; &#x41; &nbsp; \\* \\\\\n",
    "`a\nb`  ``c``\n",
    "***x*** ~~y~~\n",
    "    code\n\n<div>\nhtml\n</div>\n\npara <b>x</b>\n",
    "| a | b |\n|:-:|--|\n| 1 |\n| 1 | 2 | 3 |\n",
    "| a |\n|---|\n",
    "<!--more-->\n",
    "intro\n\n<!-- more -->\n\nrest[^1]\n\n[^1]: n\n",
    "<!--more--> x\n\ny\n",
    "- <!--more-->\n",
    "[x]: /u\n\n[x]\n\n[y][x] [x][]\n",
    "```rust,ignore title\nfn f() {}\n```\n",
    "```\nunclosed\n",
    "* a\n\n  b\n* c\n",
    "> - a\n> - b\n",
    "- > q\n",
    "[link](http://例え.jp/パス) [b](http://münchen.de)\n",  # hosts in punycode, as the reference
    "a <del>b\nc</del> d [e](f)\n",
    "<div>\nlast block, no newline at the end</div>",
    "Héading ÜBER\n=\n\n## Café & Über\n",
    "text\x01with\x7f controls\x85 and \ufdd0 \U0001fffe noncharacters\n",
]


@pytest.mark.parametrize("source", EDGE_CASES)
def test_edge_case_byte_identical(source):
    reference = render_markdown_reference(source)
    fast = render_markdown(source)
    assert _takes_fast_path(source)
    assert fast == reference


def test_admonitions_take_the_reference_path():
    body = 'Intro.\n\n!!! note "Read this"\n    Body *text*.\n'
    assert markdown_fast.needs_reference_engine(body)
    assert not _takes_fast_path(body)
    assert '<div class="admonition note">' in render_markdown(body).html
    assert render_markdown(body) == render_markdown_reference(body)
    # In a list item and a quote too; "!!!" inside a sentence is not an admonition.
    assert markdown_fast.needs_reference_engine("- item\n\n  ??? tip\n      x\n")
    assert markdown_fast.needs_reference_engine("> !!! warning\n>     x\n")
    assert not markdown_fast.needs_reference_engine("Wow!!! What??? Fine.\n")


def test_a_nested_footnote_reference_takes_the_reference_path():
    # The tree moves notes to the end; the reference numbers a reference inside a note where
    # the note is written. The fast engine gives up rather than guess.
    body = "a[^1] b[^2]\n\n[^1]: see[^2]\n[^2]: two\n"
    assert not _takes_fast_path(body)
    assert render_markdown(body) == render_markdown_reference(body)


def test_the_cache_key_names_the_fast_engine():
    assert "markdown-it-pyrs" in OUTPUT_LIBRARIES
