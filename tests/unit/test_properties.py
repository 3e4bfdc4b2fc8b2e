"""Property tests (hypothesis): whatever a writer puts in a post, the build either succeeds or
fails with the generator's own errors, and a build that succeeds gives feeds feedparser reads
without complaint and pages html5lib's strict parser accepts.

Posts are random YAML front matter (any value for any of the known keys, plus random extra keys)
over random Markdown composed of fragments: headings, lists, fences, tables, links, images, raw
HTML, footnotes, `<!--more-->` and any unicode. `PROPERTY_EXAMPLES=500` runs more examples.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, timedelta, timezone
from pathlib import Path

import feedparser
import html5lib
import pytest
import yaml
from conftest import build_site
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.errors import BuildFailed, SiteError

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # failures found are kept below as explicit tests, not in .hypothesis/
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
CONFIG = '[site]\ntitle = {title}\nbase_url = "https://blog.example.com"\n\n[authors.eve]\nname = "Eve"\nurl = "https://example.com/eve"\n'
OTHER_KEYS = ["authors", "aliases", "comments", "id", "description", "excerpt", "layout"]
# Any text, control characters included (surrogates cannot be written as UTF-8 at all).
ANY_TEXT = st.text(max_size=30)
# Text for pages that must be valid: "<" is written as an entity, so random text never forms a tag
# (a broken tag in a post is the writer's raw HTML, allowed on purpose, not a bug).
PAGE_TEXT = ANY_TEXT.map(lambda text: text.replace("<", "&lt;"))
OFFSETS = st.sampled_from([None, UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=14, minutes=0))])
DATETIMES = st.datetimes(timezones=OFFSETS)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT, st.dates(), DATETIMES)
ANY_VALUE = st.recursive(
    SCALARS, lambda children: st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3), max_leaves=6
)
DATE_TEXT = st.sampled_from(
    [
        "2026-01-02",
        "2026-01-02 09:30",
        "2026-01-02T09:30:00+01:00",
        "2015-05-15 09:30:00 -0700",
        "2026-02-30",
        "0001-01-01",
        "9999-12-31 23:59 -12:00",
        "yesterday",
        "2026-01-02 25:00",
        "2026-1-2",
        "2026-01-02T09:30:00Z",
    ]
)
URLS = st.sampled_from(
    [
        "https://example.com/x",
        "cover.png",
        "/cover.png",
        "../outside.png",
        "other.md",
        "2026-01-01-p0.md",
        "#top",
        "//cdn.example.com/x",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "mailto:a@b.c",
        "",
        " ",
        "sub/",
        "?q=1",
        "cover.png#x",
    ]
)


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """`good` nineteen times in twenty: a post with one wrong value fails, and builds should often succeed."""
    return st.integers(0, 19).flatmap(lambda n: bad if n == 19 else good)  # 0, the simplest draw, is `good`


def front_matter(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    """A random front matter mapping: the known keys with plausible or arbitrary values, and extra keys."""
    known = {
        "date": mostly(st.one_of(st.dates(), DATETIMES, DATE_TEXT), ANY_VALUE),
        "updated": mostly(st.one_of(st.dates(), DATETIMES, DATE_TEXT), ANY_VALUE),
        "tags": mostly(st.lists(text, max_size=4) | text, ANY_VALUE),
        "author": mostly(text | st.lists(st.sampled_from(["eve", "EVE", "Plain Name"]) | text, max_size=3), ANY_VALUE),
        "summary": mostly(text | st.none(), ANY_VALUE),
        "slug": mostly(st.from_regex(r"[a-z0-9][a-z0-9._~-]{0,15}", fullmatch=True), text | ANY_VALUE),
        "draft": mostly(st.booleans(), ANY_VALUE),
        "image": mostly(URLS, text | ANY_VALUE),
    }
    other = {  # keys the generator reads besides the nine (Jekyll's and Hugo's names, `id`, `comments`)
        "comments": mostly(st.booleans(), ANY_VALUE),
        "id": mostly(text.map(lambda t: "tag:example.com,2026:" + t), ANY_VALUE),
        "description": mostly(text, ANY_VALUE),
        "excerpt": mostly(text, ANY_VALUE),
        "layout": ANY_VALUE,
    }
    extras = st.builds(
        lambda known, anything: {**anything, **known},
        st.fixed_dictionaries({}, optional=other),
        st.dictionaries(mostly(ANY_TEXT, st.sampled_from(OTHER_KEYS)), ANY_VALUE, max_size=2),
    )
    title = mostly(st.builds(lambda a, b: a + "Title" + b, text, text), text | ANY_VALUE)
    mapping = st.fixed_dictionaries({"title": title}, optional=known)
    return st.builds(lambda extra, known: {**extra, **known}, extras, mapping)


def markdown(text: st.SearchStrategy[str], raw_html: list[str]) -> st.SearchStrategy[str]:
    """A Markdown body composed of fragments of every kind the renderer handles."""
    langs = st.sampled_from(["", "python", "js", "html", "c++", "no-such-language", "{{x}}", 'a"b', "diff"]) | text.map(
        lambda t: t.split("\n")[0]
    )
    rows = st.lists(st.lists(text.map(lambda t: t.replace("\n", " ").replace("|", "\\|")), min_size=2, max_size=2), min_size=1, max_size=3)
    fragment = st.one_of(
        text,
        st.builds(lambda level, t: "#" * level + " " + t, st.integers(1, 7), text),
        st.lists(text, min_size=1, max_size=3).map(lambda items: "\n".join("- " + item for item in items)),
        st.lists(text, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))),
        st.builds(lambda lang, code: f"```{lang}\n{code}\n```", langs, text),
        rows.map(lambda rows: "| a | b |\n| --- | :-: |\n" + "\n".join(f"| {x} | {y} |" for x, y in rows)),
        st.builds(lambda t, url: f"[{t}]({url})", text, URLS),
        st.builds(lambda t, url: f"![{t}]({url})", text, URLS),
        st.builds(lambda t, n: f"Note[^{n}].\n\n[^{n}]: {t}", text, st.integers(1, 3)),
        st.sampled_from(raw_html),
        st.sampled_from(
            [
                "<!--more-->",
                "> quoted",
                "---",
                "- [ ] task\n- [x] done",
                "Term\n: definition",
                '!!! note "Title"\n    Body.',
                "    indented code",
                "***bold*** ~~strike~~ `code`",
                "{{ 7*7 }} {% for x in y %}",
                "[ref]\n\n[ref]: /x",
                "\\",
                "&",
                "&#0;",
                "&copy;",
            ]
        ),
    )
    # A NUL byte makes the file binary (an error of its own, tested elsewhere): rare here, so most bodies are read.
    body = st.builds(lambda parts, sep: sep.join(parts), st.lists(fragment, max_size=8), st.sampled_from(["\n\n", "\n", " "]))
    return mostly(body.map(lambda text: text.replace("\x00", "")), body)


# Raw HTML: for crashes, anything; for valid pages, complete inline pieces only. Raw HTML is allowed
# on purpose, so a broken tag (or a <div> in the middle of a paragraph) is the writer's, not a bug.
VALID_RAW_HTML = [
    "<b>bold</b>",
    "<em>x</em> &amp; <kbd>Ctrl</kbd>",
    "<!-- a comment -->",
    '<span class="x">y</span>',
    "<br>",
    "<sup>1</sup>",
    '<img src="cover.png" alt="A cover">',
    '<a href="other.md">other</a>',
]
ANY_RAW_HTML = VALID_RAW_HTML + [
    '<div class="note">\n\nText\n\n</div>',
    "<div>",
    "</div>",
    "</p>",
    "<p",
    "<table><tr><td>x",
    "<svg><p>x",
    "<math>",
    "<![CDATA[x]]>",
    "]]>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "<img src=x onerror=alert(1)>",
]


# YAML that no mapping dumps to, added to some front matters of the crash test.
RAW_YAML = [
    "extra: " + "9" * 5000,  # more digits than Python reads
    "extra: &a [*a]",
    "extra: &b {k: *b}",
    "extra: !!python/object/apply:os.system [echo]",
    "extra: !!binary aGVsbG8=",
    "extra: !!set {a, b}",
    "<<: {slug: merged}",
    "? [a, b]\n: x",
    "extra:\n\t- tab",
    "extra: 0x1F",
    "extra: 2026-13-45",
    "extra: [" + "[" * 80 + "]" * 80 + "]",
    "title: given twice",
    'extra: "\\ud800"',
    "extra: *undefined",
]


def site_files(posts: list[tuple]) -> dict[str, str | bytes]:
    """The site's files: one post per (front matter, body[, raw YAML added to the front matter])."""
    names = ["2026-01-01-p0.md", "sub/2025-05-05-p1.md", "p2.md"]  # the last needs `date:`
    files: dict[str, str | bytes] = {"posts/cover.png": b"\x89PNG\r\n\x1a\n"}
    for name, (front, body, *raw) in zip(names, posts, strict=False):
        yaml_text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "".join(line + "\n" for line in raw if line)
        files[f"posts/{name}"] = "---\n" + yaml_text + "---\n" + body
    return files


def build_into(write_site, files: dict[str, str | bytes], title: str, now, folder: Path, **options) -> tuple[Path | None, str]:
    """Build the site: (the output folder, or None when the build failed with the generator's own errors; what happened)."""
    site = write_site(folder / "site", files, CONFIG.format(title=json.dumps(title, ensure_ascii=False)))
    out = folder / "out"
    try:
        build_site(site, out, now=now, **options)
    except (SiteError, BuildFailed) as exc:
        assert not out.exists()  # all or nothing
        first = exc.errors[0] if isinstance(exc, BuildFailed) else exc
        return None, f"build failed: {type(first).__name__}: {first.message.split(':')[0][:40]}"
    return out, "build succeeded"


def check_feeds(out: Path) -> None:
    for feed in sorted(out.rglob("*.xml")):
        if feed.name in ("feed.xml", "atom.xml"):
            parsed = feedparser.parse(feed.read_bytes())
            assert parsed.bozo == 0, (feed.relative_to(out), parsed.get("bozo_exception"))
    for feed in out.rglob("feed.json"):
        json.loads(feed.read_bytes())


def check_pages(out: Path) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in sorted(out.rglob("*.html")):
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            raise AssertionError(f"{page.relative_to(out)}: {exc}\n{page.read_text()}") from None


POSTS_ANY = st.lists(
    st.tuples(front_matter(ANY_TEXT), markdown(ANY_TEXT, ANY_RAW_HTML), mostly(st.just(""), st.sampled_from(RAW_YAML))),
    min_size=1,
    max_size=3,
)
POSTS_VALID = st.lists(st.tuples(front_matter(PAGE_TEXT), markdown(PAGE_TEXT, VALID_RAW_HTML)), min_size=1, max_size=3)


@PROPERTY_SETTINGS
@given(posts=POSTS_ANY, title=mostly(ANY_TEXT.map(lambda t: "Blog " + t), ANY_TEXT), drafts=st.booleans(), future=st.booleans())
def test_any_front_matter_and_markdown_build_or_fail_with_our_errors(site_writer, build_now, posts, title, drafts, future):
    with tempfile.TemporaryDirectory() as folder:
        out, outcome = build_into(site_writer, site_files(posts), title, build_now, Path(folder), drafts=drafts, future=future)
        event(outcome)
        if out is not None:
            check_feeds(out)  # valid XML whatever the text holds (README, Feeds)


@PROPERTY_SETTINGS
@given(posts=POSTS_VALID, title=PAGE_TEXT.map(lambda t: "Blog " + t), future=st.booleans())
def test_a_successful_build_gives_valid_feeds_and_strict_html(site_writer, build_now, posts, title, future):
    with tempfile.TemporaryDirectory() as folder:
        out, outcome = build_into(site_writer, site_files(posts), title, build_now, Path(folder), drafts=True, future=future)
        event(outcome)
        if out is not None:
            check_feeds(out)
            check_pages(out)


# Found by the properties above: characters HTML calls parse errors wherever they stand (C1 controls,
# noncharacters) reached the pages from posts and from site.toml. Both are removed now: posts' text
# by generator/text.py, site.toml's by config.VisibleText; these tests keep it so.
@pytest.mark.parametrize("where", ["title", "tags", "author", "summary", "body"])
def test_c1_controls_and_noncharacters_in_posts_never_reach_the_pages(site_writer, build_now, tmp_path, where):
    front = {"title": "T", "tags": ["x"], "author": "A", "summary": "S"}
    body = "Body \x85 and \ufdd0.\n" if where == "body" else "Body.\n"
    if where != "body":
        front[where] = ["x\x85\ufdd0"] if where == "tags" else "x\x85\ufdd0"
    out, _ = build_into(site_writer, site_files([(front, body)]), "Blog", build_now, tmp_path)
    check_feeds(out)
    check_pages(out)


def test_site_toml_text_is_cleaned_of_characters_pages_cannot_hold(site_writer, build_now, tmp_path):
    out, _ = build_into(
        site_writer, site_files([({"title": "T"}, "Body.\n")]), "Blog\x0b\x85\ufdd0\U0001fffe \u2028ok", build_now, tmp_path
    )
    check_feeds(out)
    check_pages(out)
    assert "<title>Blog \u2028ok</title>" in (out / "index.html").read_text()


def test_a_huge_number_in_front_matter_is_a_content_error(site_writer, build_now, tmp_path):
    out, outcome = build_into(site_writer, site_files([({"title": "T"}, "Body.\n", RAW_YAML[0])]), "Blog", build_now, tmp_path)
    assert out is None and outcome.startswith("build failed: ContentError")


def test_a_huge_number_in_site_toml_is_a_config_error(site_writer, build_now, tmp_path):
    site = site_writer(tmp_path / "site", {}, CONFIG.format(title='"Blog"') + "[build]\nposts_per_page = " + "9" * 5000 + "\n")
    with pytest.raises(SiteError, match="more than 4,300 digits") as raised:
        build_site(site, tmp_path / "out", now=build_now)
    assert raised.value.line == 9
