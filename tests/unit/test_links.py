"""links.py: links between posts and to files beside them, resolved in the site stage."""

from __future__ import annotations

import re

import pytest

from generator.errors import BuildFailed

SUB = '[site]\ntitle = "T"\nbase_url = "https://example.com/blog/"\n'

FILES = {
    # line 5 of the file is the first body line
    "posts/2026-01-01-a.md": (
        "---\ntitle: A\ndate: 2026-01-01\n---\n"
        "See [b](sub/2026-01-02-b.md) and [missing](nope.md).\n"  # 5
        "\n"  # 6
        "A [draft](2026-01-03-d.md) and [the future](2099-01-01-f.md).\n"  # 7
        "![pic](sub/pic.png) [about](/about/) [ext](https://x.example/a.md) [top](#top)\n"  # 8
        "\n"  # 9
        '<p><a href="raw-missing.md">raw</a></p>\n'  # 10
        "\n"  # 11
        "[out](../../etc/passwd) [gone](gone.png) [mail](mailto:x@example.com)\n"  # 12
    ),
    "posts/sub/2026-01-02-b.md": "---\ntitle: B\n---\nBack to [a](../2026-01-01-a.md#frag), [q](../2026-01-01-a.md?x=1), ![p](pic.png)\n",
    "posts/sub/pic.png": b"\x89PNG\r\n\x1a\n",
    "posts/sub/my file.pdf": b"%PDF",
    "posts/2026-01-03-d.md": "---\ntitle: D\ndraft: true\n---\nd\n",
    "posts/2099-01-01-f.md": "---\ntitle: F\n---\nf\n",
}


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*)"', html)


@pytest.fixture
def plan(plan_site):
    return plan_site(FILES)


def by_title(plan, title):
    return next(p for p in plan.site.posts if p.title == title)


def warning_for(plan, url):
    found = [w for w in plan.warnings if w.message.endswith(": " + url)]
    assert len(found) == 1, [w.message for w in plan.warnings]
    return found[0]


def test_md_link_becomes_the_permalink(plan):
    links = hrefs(by_title(plan, "A").content)
    assert "/2026/01/b/" in links
    assert "sub/2026-01-02-b.md" not in links


def test_relative_md_link_from_a_sub_folder_keeps_fragment_and_query(plan):
    links = hrefs(by_title(plan, "B").content)
    assert "/2026/01/a/#frag" in links
    assert "/2026/01/a/?x=1" in links


def test_asset_links_are_rewritten_to_their_output_path(plan):
    assert "/sub/pic.png" in hrefs(by_title(plan, "A").content)
    assert "/sub/pic.png" in hrefs(by_title(plan, "B").content)
    assert "sub/pic.png" in {str(f.path) for f in plan.files}


def test_percent_encoded_asset_name(plan_site):
    files = dict(FILES)
    files["posts/sub/2026-01-02-b.md"] = "---\ntitle: B\n---\n[report](my%20file.pdf)\n"
    plan = plan_site(files)
    assert "/sub/my%20file.pdf" in hrefs(by_title(plan, "B").content)
    assert not [w for w in plan.warnings if "my" in w.message]


def test_external_fragment_and_mailto_links_are_untouched(plan):
    links = hrefs(by_title(plan, "A").content)
    assert {"https://x.example/a.md", "#top", "mailto:x@example.com", "/about/"} <= set(links)


def test_link_to_a_missing_post_warns_with_the_file_line(plan):
    warning = warning_for(plan, "nope.md")
    assert "does not exist" in warning.message
    assert warning.path.name == "2026-01-01-a.md"
    assert warning.line == 5


def test_link_in_raw_html_warns_with_its_line(plan):
    assert warning_for(plan, "raw-missing.md").line == 10


def test_link_to_a_draft_or_future_post_warns(plan):
    draft = warning_for(plan, "2026-01-03-d.md")
    assert "draft" in draft.message and draft.line == 7
    future = warning_for(plan, "2099-01-01-f.md")
    assert future.line == 7


def test_link_to_a_draft_resolves_when_drafts_are_built(plan_site):
    plan = plan_site(FILES, drafts=True, future=True)
    assert {"/2026/01/d/", "/2099/01/f/"} <= set(hrefs(by_title(plan, "A").content))
    assert not [w for w in plan.warnings if "draft" in w.message]


def test_links_outside_posts_and_to_missing_files_warn(plan):
    assert "outside" in warning_for(plan, "../../etc/passwd").message
    gone = warning_for(plan, "gone.png")
    assert "does not exist" in gone.message and gone.line == 12


def link_warnings(plan):
    """The warnings about links (the posts here have no summaries and no tags, which warn too)."""
    return [w for w in plan.warnings if not w.message.startswith(("no summary", "no tags"))]


def test_exactly_the_broken_links_warn(plan):
    assert sorted(w.message.rsplit(": ", 1)[1] for w in link_warnings(plan)) == sorted(
        ["nope.md", "2026-01-03-d.md", "2099-01-01-f.md", "raw-missing.md", "../../etc/passwd", "gone.png"]
    )


def test_strict_turns_link_warnings_into_errors(plan_site):
    with pytest.raises(BuildFailed) as caught:
        plan_site(FILES, strict=True)
    assert caught.value.exit_code == 1
    assert any("nope.md" in e.message and e.line == 5 for e in caught.value.errors)


def test_a_sub_folder_base_url_prefixes_every_local_link(plan_site):
    plan = plan_site(FILES, SUB)
    a = by_title(plan, "A")
    links = hrefs(a.content)
    assert "/blog/2026/01/b/" in links
    assert "/blog/sub/pic.png" in links
    assert "/blog/about/" in links  # root-relative links are relative to the site, not the domain
    assert "https://x.example/a.md" in links
    assert a.url == "/2026/01/a/"  # site paths stay relative to the site's root
    index = next(f for f in plan.files if str(f.path) == "index.html").data.decode()
    assert 'href="/blog/2026/01/a/"' in index
    assert 'href="/2026/01/a/"' not in index


def test_summary_links_are_resolved_too(plan_site):
    files = {
        "posts/2026-01-01-a.md": "---\ntitle: A\n---\nIntro with [b](2026-01-02-b.md).\n\n<!--more-->\n\nRest.\n",
        "posts/2026-01-02-b.md": "---\ntitle: B\n---\nb\n",
    }
    a = by_title(plan_site(files, SUB), "A")
    assert "/blog/2026/01/b/" in hrefs(a.summary_html)
    assert "Rest." not in a.summary_html and "Rest." in a.content


def test_front_matter_image_becomes_an_absolute_url(plan_site):
    files = {
        "posts/2026/2026-06-15-porto.md": "---\ntitle: Porto\nimage: map.png\n---\nx\n",
        "posts/2026/map.png": b"\x89PNG",
        "posts/2026-01-01-ext.md": "---\ntitle: Ext\nimage: https://cdn.example/x.jpg\n---\nx\n",
        "posts/2026-01-02-js.md": "---\ntitle: JS\nimage: 'javascript:alert(1)'\n---\nx\n",
        "posts/2026-01-03-root.md": "---\ntitle: Root\nimage: /img/card.png\n---\nx\n",
    }
    plan = plan_site(files, SUB)
    assert by_title(plan, "Porto").image == "https://example.com/blog/2026/map.png"
    assert by_title(plan, "Ext").image == "https://cdn.example/x.jpg"
    assert by_title(plan, "JS").image is None
    assert by_title(plan, "Root").image == "https://example.com/blog/img/card.png"


def test_html_special_characters_in_urls_stay_escaped(plan_site):
    files = {
        "posts/2026-01-01-a.md": '---\ntitle: A\n---\n[q](2026-01-02-b.md?a=1&b=2) <a href="https://x.example/?a=1&amp;b=&quot;2">x</a>\n',
        "posts/2026-01-02-b.md": "---\ntitle: B\n---\nb\n",
    }
    content = by_title(plan_site(files), "A").content
    assert 'href="/2026/01/b/?a=1&amp;b=2"' in content
    assert 'href="https://x.example/?a=1&amp;b=&quot;2"' in content


def test_warning_lines_in_lists_quotes_tables_footnotes_and_references(plan_site):
    body = (
        "Intro paragraph\n"  # 4
        "continues [l5](m5.md) here.\n"  # 5
        "\n- item\n- item [l8](m8.md)\n"  # 7, 8
        "\n> quote\n> [l11](m11.md)\n"  # 10, 11
        "\n| a | b |\n|---|---|\n| x | [l15](m15.md) |\n"  # 13-15
        "\nText[^1] and ![img17](m17.png)\n"  # 17
        "\n[l19][ref]\n"  # 19
        "\n[^1]: Note [l21](m21.md)\n"  # 21
        "\n[ref]: m23.md\n"  # 23
    )
    plan = plan_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\n" + body})
    lines = {w.message.rsplit(": ", 1)[1]: w.line for w in link_warnings(plan)}
    assert lines == {"m5.md": 5, "m8.md": 8, "m11.md": 11, "m15.md": 15, "m17.png": 17, "m23.md": 19, "m21.md": 21}
