"""Tests for the markdown stage (generator/markdown.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import html5lib
import pytest
from markdown_it.utils import read_fixture_file

from generator.markdown import (
    Heading,
    MarkdownSettings,
    Reference,
    highlight_css,
    render_markdown,
    renderer_key,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "markdown"


def parse_strict(html: str):
    """Parse an HTML fragment, failing on any HTML parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parseFragment(html)


def visible_text(node) -> str:
    """Text a browser shows: element text and tails, but not comment contents."""
    parts = []
    for element in node.iter():
        if isinstance(element.tag, str):  # comments have a function as tag
            parts.append(element.text or "")
        parts.append(element.tail or "")
    return "".join(parts)


# --- fixture table --------------------------------------------------------


@pytest.mark.parametrize(
    "line,title,source,expected",
    read_fixture_file(FIXTURES / "features.md"),
    ids=lambda value: value if isinstance(value, str) and "\n" not in value else None,
)
def test_fixture(line, title, source, expected):
    assert render_markdown(source).html == expected, f"{FIXTURES / 'features.md'}:{line} {title}"


@pytest.mark.parametrize("source", [case[2] for case in read_fixture_file(FIXTURES / "features.md")])
def test_fixture_output_is_valid_html(source):
    parse_strict(render_markdown(source).html)


# --- summary ---------------------------------------------------------------


def test_summary_is_everything_before_the_more_marker():
    body = "# Title\n\nFirst.\n\nSecond.\n\n<!--more-->\n\nHidden.\n"
    rendered = render_markdown(body)
    assert rendered.has_more
    assert "First." in rendered.summary_html and "Second." in rendered.summary_html
    assert "Hidden." not in rendered.summary_html
    assert "more" not in rendered.summary_html
    assert "Hidden." in rendered.html


@pytest.mark.parametrize("marker", ["<!--more-->", "<!-- more -->", "<!--  MORE  -->"])
def test_more_marker_spellings_are_tolerated(marker):
    rendered = render_markdown(f"Intro.\n\n{marker}\n\nRest.\n")
    assert rendered.has_more
    assert rendered.summary_html == "<p>Intro.</p>\n"


def test_more_marker_is_not_visible_in_html():
    rendered = render_markdown("Intro.\n\n<!--more-->\n\nRest.\n")
    visible = visible_text(parse_strict(rendered.html))
    assert "Intro." in visible and "Rest." in visible
    assert "more" not in visible


def comments(node) -> list[str]:
    """The text of every HTML comment in a parsed fragment."""
    return [element.text for element in node.iter() if not isinstance(element.tag, str)]


@pytest.mark.parametrize("marker", ["<!--more-->", "<!-- more -->", "<!--  MORE  -->"])
def test_more_marker_is_dropped_from_the_html_and_the_summary_ends_before_it(marker):
    body = f"Intro with [a link](#notes).\n\n- one\n- two\n\n{marker}\n\n## Notes\n\nRest.\n\n<!-- an author's own comment -->\n"
    rendered = render_markdown(body)
    assert rendered.has_more
    assert [text.strip() for text in comments(parse_strict(rendered.html))] == ["an author's own comment"]
    assert marker not in rendered.html and "more" not in rendered.html.lower()
    # The summary is everything before the marker, and the body is the summary followed by the rest.
    assert rendered.summary_html == '<p>Intro with <a href="#notes">a link</a>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n'
    assert rendered.html.startswith(rendered.summary_html)
    rest = rendered.html[len(rendered.summary_html) :]
    assert rest.startswith('<h2 id="notes">') and "Rest." in rest
    assert comments(parse_strict(rendered.summary_html)) == []


def test_more_marker_directly_after_a_paragraph_line_still_splits():
    rendered = render_markdown("Intro line\n<!--more-->\nRest.\n")
    assert rendered.has_more
    assert rendered.summary_html == "<p>Intro line</p>\n"


def test_more_marker_inside_text_is_not_a_split():
    rendered = render_markdown("Intro <!--more--> inline.\n\nRest.\n")
    assert not rendered.has_more
    assert rendered.summary_html == "<p>Intro <!--more--> inline.</p>\n"


def test_summary_without_marker_is_the_first_top_level_paragraph():
    body = "# Title\n\n- a list item\n\n> quoted\n\nThe *first* paragraph.\n\nThe second.\n"
    rendered = render_markdown(body)
    assert not rendered.has_more
    assert rendered.summary_html == "<p>The <em>first</em> paragraph.</p>\n"


def test_summary_is_empty_when_there_is_no_paragraph():
    rendered = render_markdown("# Only a heading\n\n```\ncode\n```\n")
    assert rendered.summary_html == ""
    assert render_markdown("").summary_html == ""


# --- table of contents and heading ids --------------------------------------


def test_toc_keeps_configured_levels_in_order():
    body = "# One\n\n## Two\n\n### Three\n\n#### Four\n\n## Five `code`\n"
    assert render_markdown(body).toc == (
        Heading(2, "two", "Two"),
        Heading(3, "three", "Three"),
        Heading(2, "five-code", "Five code"),
    )
    wide = MarkdownSettings(toc_min_level=1, toc_max_level=4)
    assert [h.level for h in render_markdown(body, wide).toc] == [1, 2, 3, 4, 2]


def test_toc_text_excludes_the_permalink_anchor():
    rendered = render_markdown("## Hello *world*\n")
    assert rendered.toc == (Heading(2, "hello-world", "Hello world"),)


def test_heading_ids_are_unique_within_a_post():
    body = "## Intro\n\n## Intro\n\n### Intro\n\n## Intro-1\n\n## !!!\n\n## ???\n"
    rendered = render_markdown(body, MarkdownSettings(toc_max_level=6))
    ids = [heading.id for heading in rendered.toc]
    assert len(ids) == len(set(ids)) == 6
    assert all(ids)


def test_unicode_headings_get_readable_slugs():
    rendered = render_markdown("## Ünïcödé Straße\n\n## हिन्दी शीर्षक\n\n## Привет мир\n")
    ids = [heading.id for heading in rendered.toc]
    assert ids == ["ünïcödé-straße", "हिन्दी-शीर्षक", "привет-мир"]


def test_anchor_links_can_be_turned_off_but_ids_stay():
    rendered = render_markdown("## Title\n", MarkdownSettings(anchor_links=False))
    assert rendered.html == '<h2 id="title">Title</h2>\n'


# --- references ---------------------------------------------------------------


def test_references_have_urls_and_body_line_numbers():
    body = (
        "First [inline](https://a.example/x) link.\n"  # 1
        "\n"  # 2
        "A paragraph over\n"  # 3
        "two lines [ref][r] and <https://auto.example>.\n"  # 4
        "\n"  # 5
        "- item\n"  # 6
        "- ![Alt *text*](img/crab.png)\n"  # 7
        "\n"  # 8
        "| a |\n"  # 9
        "|---|\n"  # 10
        "| [cell](/cell) |\n"  # 11
        "\n"  # 12
        '<a href="/raw-html">raw</a>\n'  # 13
        "\n"  # 14
        '[r]: https://ref.example/?q=a "Title"\n'  # 15
    )
    assert render_markdown(body).references == (
        Reference("https://a.example/x", 1, False),
        Reference("https://ref.example/?q=a", 4, False),
        Reference("https://auto.example", 4, False),
        Reference("img/crab.png", 7, True, "Alt text"),
        Reference("/cell", 11, False),
    )


def test_reference_lines_after_hard_breaks_and_in_footnotes():
    body = (
        "one  \n"  # 1, hard break
        "two\\\n"  # 2, backslash hard break
        "[three](/3)^[note [four](/4)]\n"  # 3
        "\n"  # 4
        "[^x]: [five](/5)\n"  # 5
        "\n"  # 6
        "Uses[^x].\n"  # 7
    )
    lines = {ref.url: ref.line for ref in render_markdown(body).references}
    assert lines == {"/3": 3, "/4": 3, "/5": 5}


def test_reference_url_is_the_unescaped_attribute_value():
    rendered = render_markdown("[x](/a?b=1&c=2) ![y](/é.png)\n")
    urls = [ref.url for ref in rendered.references]
    assert urls == ["/a?b=1&c=2", "/%C3%A9.png"]
    assert 'href="/a?b=1&amp;c=2"' in rendered.html


def test_image_alt_text_is_kept():
    rendered = render_markdown('![A crab, *Ferris*](ferris.png "title")\n')
    assert rendered.references == (Reference("ferris.png", 1, True, "A crab, Ferris"),)
    image = parse_strict(rendered.html).find(".//img")
    assert image.get("alt") == "A crab, Ferris"
    assert image.get("loading") is None


def test_header_permalinks_are_not_references():
    assert render_markdown("## Title\n").references == ()


# --- word count -----------------------------------------------------------------


def test_word_count_counts_visible_text_and_code_but_not_html():
    body = (
        "# Two words\n"  # 2
        "\n"
        "Some *emphasised*wording and `inline code`.\n"  # 5
        "\n"
        "```python\nprint('a b')\n```\n"  # 2
        "\n"
        "<div>raw html is not counted</div>\n"
        "\n"
        "![alt is not counted](x.png) after image\n"  # 2
    )
    assert render_markdown(body).word_count == 11


def test_word_count_of_empty_body_is_zero():
    assert render_markdown("").word_count == 0


# --- code highlighting ----------------------------------------------------------


def test_highlighting_off_emits_plain_language_class():
    rendered = render_markdown("```rust\nlet a = 1 < 2;\n```\n", MarkdownSettings(highlight=False))
    assert rendered.html == '<pre><code class="language-rust">let a = 1 &lt; 2;\n</code></pre>\n'


def test_highlighted_code_uses_classes_not_inline_styles():
    html = render_markdown("```python\nimport os\n```\n").html
    assert 'class="kn"' in html and "style=" not in html
    wrapper = parse_strict(html).find("div")
    assert wrapper.get("class") == "highlight" and wrapper.get("data-lang") == "python"


@pytest.mark.parametrize("info", ["", "x" * 5000, "<script>", '"quoted"', "python{.x}", "c++ {linenos}", "\x01", "%"])
def test_any_info_string_renders_without_error(info):
    html = render_markdown(f"```{info}\n<b>&</b>\n```\n").html
    parse_strict(html)
    assert "<b>" not in html


# --- safety ---------------------------------------------------------------------


def test_template_syntax_stays_literal():
    html = render_markdown("{{ 7*7 }} {% if x %}y{% endif %}\n").html
    assert "{{ 7*7 }}" in html and "{% if x %}" in html
    assert "49" not in html


@pytest.mark.parametrize(
    "body",
    [
        ">" * 10_000 + " deep",
        "\n".join(">" * depth for depth in range(1, 500)),
        "\n".join("  " * depth + "- item" for depth in range(300)),
        "- " * 10_000 + "x",
        "[" * 10_000 + "x" + "]" * 10_000,
        "![" * 5_000 + "x" + "](u)" * 5_000,
        "*" * 20_000 + "x" + "*" * 20_000,
        "^[" * 2_000 + "x" + "]" * 2_000,
        "\n".join("    " * depth + "!!! note" for depth in range(200)),
        "word " * 200_000,
        "`" * 50_000,
    ],
    ids=[
        "quotes-one-line",
        "quotes-many-lines",
        "nested-lists",
        "list-markers",
        "brackets",
        "images",
        "emphasis",
        "inline-footnotes",
        "admonitions",
        "huge-line",
        "backticks",
    ],
)
def test_hostile_input_does_not_raise(body):
    rendered = render_markdown(body)
    assert isinstance(rendered.html, str)


def test_control_characters_are_dropped():
    rendered = render_markdown("a\x00b\x01c\x0b\x0c\x1b\x7f [l](/u\x02)\n\n```py\nx\x00\n```\n")
    assert not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in rendered.html)
    parse_strict(rendered.html)


# --- cache key and CSS ----------------------------------------------------------


def test_renderer_key_changes_with_every_setting():
    base = MarkdownSettings()
    keys = {renderer_key(base)}
    for field in dataclasses.fields(base):
        value = getattr(base, field.name)
        changed = (not value) if isinstance(value, bool) else value + 1
        keys.add(renderer_key(dataclasses.replace(base, **{field.name: changed})))
    assert len(keys) == 1 + len(dataclasses.fields(base))


def test_highlight_css_has_light_rules_and_dark_rules_in_media_query():
    css = highlight_css()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark)")
    assert dark, "dark media query missing"
    assert ".highlight { background: #f8f8f8; }" in light  # Pygments "default"
    assert ".highlight { background: #272822;" in dark  # Pygments "monokai"
    assert ".highlight .k {" in light and ".highlight .k {" in dark
    assert css.count("{") == css.count("}")
    # Every rule is scoped, so the CSS cannot restyle other <pre> elements.
    rules = [line.strip() for line in css.splitlines() if "{" in line and "@media" not in line]
    assert all(rule.startswith(".highlight") for rule in rules)


def test_highlight_css_uses_the_requested_styles():
    assert highlight_css("friendly", "dracula") != highlight_css()
