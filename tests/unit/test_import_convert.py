"""HTML -> Markdown for imported bodies: what renders back must be what the old blog showed."""

from __future__ import annotations

import html5lib
import pytest

from generator.importers.convert import to_markdown
from generator.markdown import render_markdown


def rendered(markdown: str) -> str:
    return render_markdown(markdown).html


def text_of(html: str) -> str:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return "".join(tree.itertext())


@pytest.mark.parametrize(
    "html, shown",
    [
        ("<p>Use *stars* and _under_ here</p>", "Use *stars* and _under_ here"),
        ("<p>Include &lt;x.h&gt; and &lt;b&gt;bold&lt;/b&gt;</p>", "Include <x.h> and <b>bold</b>"),
        ("<p>Write &amp;amp; for an ampersand</p>", "Write &amp; for an ampersand"),
        ("<p>Backticks `here` and [brackets](not-a-link)</p>", "Backticks `here` and [brackets](not-a-link)"),
        ("<p>~~not struck~~</p>", "~~not struck~~"),
        ("<p># not a heading</p>", "# not a heading"),
    ],
)
def test_text_that_looks_like_markup_renders_as_the_same_text(html, shown):
    markdown = to_markdown(html).markdown
    assert text_of(rendered(markdown)).strip() == shown


def test_no_escaping_where_markdown_would_read_nothing():
    markdown = to_markdown("<p>It costs $5, issue #12, snake_case_name, 3.5 and a|b.</p>").markdown
    assert markdown == "It costs $5, issue #12, snake_case_name, 3.5 and a|b.\n"


@pytest.mark.parametrize(
    "html, language",
    [
        ('<pre><code class="language-python">x = 1</code></pre>', "python"),
        ('<pre><code class="lang-js">x</code></pre>', "js"),
        ('<pre class="brush: ruby; gutter: false">x</pre>', "ruby"),
        ('<pre lang="go">x</pre>', "go"),
        ('<pre class="wp-block-code"><code class="language-rust">x</code></pre>', "rust"),
    ],
)
def test_code_blocks_keep_their_language(html, language):
    markdown = to_markdown(html).markdown
    assert markdown.startswith(f"```{language}\n")
    assert f'data-lang="{language}"' in rendered(markdown)


def test_code_keeps_angle_brackets_and_markup_characters_as_written():
    markdown = to_markdown("<pre><code>#include &lt;x.h&gt;\nint *p = a_b;</code></pre><p>Inline <code>a*b &lt;x&gt;</code>.</p>").markdown
    assert "#include <x.h>\nint *p = a_b;" in markdown
    assert "`a*b <x>`" in markdown
    html = rendered(markdown)
    assert "#include &lt;x.h&gt;" in html and "<code>a*b &lt;x&gt;</code>" in html


def test_what_markdown_cannot_say_is_kept_as_raw_html():
    source = (
        '<table><tr><td colspan="2">merged</td></tr><tr><td>1</td><td>2</td></tr></table>'
        '<p><iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe></p>'
        '<video controls src="https://old.example.com/v.mp4"></video>'
        '<figure><img src="a.png" alt="A"><figcaption>The *caption*</figcaption></figure>'
        "<details><summary>More</summary><pre>line one\n\nline three</pre></details>"
    )
    markdown = to_markdown(source).markdown
    html = rendered(markdown)
    assert '<td colspan="2">merged</td>' in html
    assert '<iframe src="https://www.youtube.com/embed/x"' in html
    assert "<video controls" in html
    assert "<figcaption>The *caption*</figcaption>" in html
    # A blank line inside a raw block would end it; the block survives whole.
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    pre = tree.find(".//details/pre")
    assert pre is not None
    shown = (pre.find("code").text or "") + "".join(node.tail or "" for node in pre.find("code"))  # text around the empty comment
    assert shown == "line one\n\nline three"


def test_plain_tables_become_markdown_tables_with_pipes_escaped():
    markdown = to_markdown("<table><tr><th>a</th><th>b</th></tr><tr><td>x|y</td><td>2</td></tr></table>").markdown
    assert markdown.startswith("| a")
    assert "x\\|y" in markdown
    assert "<td>x|y</td>" in rendered(markdown)


def test_the_more_marker_stays_and_other_comments_and_scripts_go():
    converted = to_markdown("<p>Intro</p><!--more--><p>Rest</p><!-- a note --><script>alert(1)</script><p>End</p>")
    assert converted.markdown == "Intro\n\n<!--more-->\n\nRest\n\nEnd\n"
    assert converted.dropped == ["a <script> element"]
    assert "a note" not in converted.markdown


def test_every_url_goes_through_rewrite_in_markdown_and_in_raw_html():
    seen = []

    def rewrite(tag, attribute, url):
        seen.append((tag, attribute, url))
        return url.replace("https://old.example.com/wp-content/uploads/", "hello/")

    source = (
        '<p><img src="https://old.example.com/wp-content/uploads/a.png" alt="a"></p>'
        '<figure><img src="https://old.example.com/wp-content/uploads/b.png" alt="b" '
        'srcset="https://old.example.com/wp-content/uploads/b-300.png 300w, https://old.example.com/wp-content/uploads/b.png 1024w">'
        "<figcaption>B</figcaption></figure>"
        '<p><a href="https://old.example.com/2019/03/other/">other</a></p>'
    )
    markdown = to_markdown(source, rewrite).markdown
    assert "![a](hello/a.png)" in markdown
    assert 'srcset="hello/b-300.png 300w, hello/b.png 1024w"' in markdown
    assert ("a", "href", "https://old.example.com/2019/03/other/") in seen


def test_line_breaks_lists_and_inline_markup_survive():
    markdown = to_markdown("<p>one<br>two</p><ul><li>a<ul><li>b</li></ul></li></ul><p>x<sup>2</sup> H<sub>2</sub>O</p>").markdown
    html = rendered(markdown)
    assert "one<br" in html and "<li>a\n<ul>\n<li>b</li>" in html.replace("<li>a<ul>", "<li>a\n<ul>\n")
    assert "x<sup>2</sup> H<sub>2</sub>O" in html


def test_empty_and_broken_html():
    assert to_markdown("").markdown == ""
    assert to_markdown("   ").markdown == ""
    assert "unclosed" in to_markdown("<p>unclosed <em>tags").markdown


def test_notes_linked_by_id_become_markdown_footnotes_linked_both_ways():
    source = (
        '<p>Claim<sup class="fn"><a href="#n1" id="n1-link">1</a></sup> and more<sup><a href="#n2">2</a></sup>.</p>'
        '<ol class="footnotes"><li id="n1">The *source*. <a href="#n1-link">↩︎</a></li><li id="n2">Second <em>note</em>.</li></ol>'
    )
    markdown = to_markdown(source).markdown
    assert markdown == "Claim[^1] and more[^2].\n\n[^1]: The \\*source\\*.\n[^2]: Second *note*.\n"
    html = rendered(markdown)
    assert 'href="#fn1" id="fnref1"' in html and '<li id="fn1" class="footnote-item"><p>The *source*.' in html


def test_an_embed_in_a_figure_without_caption_stays_an_embed():
    markdown = to_markdown('<figure class="wp-block-embed"><iframe src="https://www.youtube.com/embed/x"></iframe></figure>').markdown
    assert markdown == '<iframe src="https://www.youtube.com/embed/x"></iframe>\n'


def test_markup_shown_as_text_in_a_raw_block_stays_text():
    source = '<table><tr><td colspan="2">Write &lt;a rel="license" href="..."&gt; like this</td></tr></table>'
    markdown = to_markdown(source).markdown
    assert 'href="..."' not in markdown
    assert text_of(rendered(markdown)).strip() == 'Write <a rel="license" href="..."> like this'
