"""Hostile content is escaped everywhere and never evaluated.

Real sites are built whose titles, tags, author names and bios, summaries, menu and site title
hold HTML, script and template syntax; every file of the output is then read back with a real
parser: html5lib for the pages, feedparser (and ElementTree) for RSS and Atom, json for the JSON
Feed and the JSON-LD blocks, ElementTree for sitemap.xml. Tags and slugs made of punctuation or
unicode must give working, percent-encoded URLs, and `javascript:`-like URLs written where a URL
is expected must never reach an attribute of any page or feed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import html5lib
import pytest
from conftest import build_site

from generator.build import BuildOptions, build
from generator.errors import BuildFailed, SiteError

BASE = "https://blog.example.com/"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
CLOSE = "</script><script>alert(2)</script>"
JINJA = "{{ 7*7 }}"
RAW = "{% raw %}"
CDATA = "]]>"
QUOTES = "\"double\" 'single' & &amp; &lt;"

SITE_TITLE = f'{SCRIPT} & {JINJA} {CDATA} "Co"'
SITE_DESCRIPTION = f"{IMG} {RAW} {QUOTES}"
EVE = f'{SCRIPT} Eve & "Co"'
EVE_BIO = f"{IMG} {RAW} {CDATA}"
EVE_URL = 'https://example.com/eve?a=1&b="><script>alert(1)</script>'
MAL = f"{CLOSE} {JINJA}"
PLAIN_AUTHOR = f"{CLOSE} & {RAW}"  # a plain `author:` name, not in site.toml
MENU = [(IMG, "/archive/"), (f"{JINJA} & {SCRIPT}", 'https://example.com/?q="><script>alert(1)</script>')]

# Each post: file name -> front matter (written as JSON, which is YAML) and body.
POSTS = {
    "2026-01-01-one.md": (
        {"title": SCRIPT, "tags": [IMG, CLOSE, JINJA, RAW, CDATA, "a & b"], "author": "eve", "summary": f"{JINJA} {RAW} {CDATA} {QUOTES}"},
        "Plain text.\n",
    ),
    "2026-01-02-two.md": (
        {"title": f"{IMG} {QUOTES}", "author": PLAIN_AUTHOR, "tags": [SCRIPT], "summary": SCRIPT},
        "Plain text.\n",
    ),
    "2026-01-03-three.md": (
        {"title": JINJA, "authors": ["eve", "mal", PLAIN_AUTHOR], "tags": [JINJA], "summary": IMG},
        "{{ 7*7 }} and {% for x in [1, 2] %}{{ x }}{% endfor %} and {# a comment #} and {{ config.site.title }}\n\n"
        "Inline `{{ 7*7 }}` and `{% raw %}`.\n\n"
        "```jinja\n{% for post in site.posts %}{{ post.title }}{% endfor %}\n{{ 7*7 }}\n```\n\n"
        "<!--more-->\n\n"
        "{% raw %}{{ 7*7 }}{% endraw %} {% include 'base.html' %}\n",
    ),
    "2026-01-04-four.md": (
        {"title": f"{RAW} {CDATA}", "author": "mal", "summary": CLOSE, "tags": ["a & b"]},
        "## \\<script\\>alert(1)\\</script\\> heading\n\n"
        "## \"quoted\" & 'single' heading\n\n"
        "## {{ 7*7 }} heading\n\n"
        "Text with `<script>alert(1)</script>` in code and \\<img src=x onerror=alert(1)\\> escaped.\n\n"
        "```html\n</script><script>alert(1)</script>\n]]>\n```\n",
    ),
    "2026-01-05-five.md": (
        {"title": CLOSE, "author": "eve"},  # no summary: the first paragraph is the summary
        'First paragraph with \\<script\\>alert(5)\\</script\\> & "quotes" {{ 7*7 }} ]]>.\n\n'
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:msgbox(1)) "
        "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [e](<javascript:alert(1)>) "
        "[f](&#106;avascript:alert(1)) [g](javascript&colon;alert(1)) [h](java&#x09;script:alert(1)) "
        "<javascript:alert(1)> ![i](javascript:alert(1)) [j][ref] [k](  javascript:alert(1)  )\n\n"
        "[ref]: javascript:alert(1)\n",
    ),
}

SITE_TOML = "\n".join(
    [
        "[site]",
        f"title = {json.dumps(SITE_TITLE)}",
        f"description = {json.dumps(SITE_DESCRIPTION)}",
        f'base_url = "{BASE}"',
        f"copyright = {json.dumps(CLOSE)}",
        "",
        "[authors.eve]",
        f"name = {json.dumps(EVE)}",
        f"bio = {json.dumps(EVE_BIO)}",
        f"url = {json.dumps(EVE_URL)}",
        "",
        "[authors.mal]",
        f"name = {json.dumps(MAL)}",
        f"bio = {json.dumps(SCRIPT)}",
        "",
    ]
    + [f"[[menu]]\nname = {json.dumps(name)}\nurl = {json.dumps(url)}\n" for name, url in MENU]
)

# Scripting URLs as browsers read them: leading C0 controls and spaces are skipped, tabs and
# newlines anywhere are dropped, and the scheme is case-insensitive.
SCRIPT_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\x01javascript:alert(1)",
    "\x1f javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "javascript://%0Aalert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    " DATA:image/svg+xml,<svg onload=alert(1)>",
]
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
C0_OR_SPACE = "".join(map(chr, range(0x21)))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "cite", "background", "xlink:href"}
URL_META = re.compile(r"(image|url|audio|video)$", re.IGNORECASE)  # og:image, og:url, twitter:image, ...
# Only ASCII unreserved characters, "/" and percent-escapes: nothing a browser or server would have to escape.
SAFE_URL_PATH = re.compile(r"(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*")


# ---------------------------------------------------------------------------------------------
# Helpers


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string (escapes included)


def post_text(front: dict, body: str = "Text.\n") -> str:
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def parse_html(data: bytes):
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def text_of(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def xml_feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.xml") if p.name in ("feed.xml", "atom.xml"))


def is_script_url(value: str) -> bool:
    """True when a browser would run `value` (or load it as a document of its own) as a URL."""
    return re.sub(r"[\t\n\r]", "", value).lstrip(C0_OR_SPACE).lower().startswith(SCRIPT_SCHEMES)


def urls_of(element, name: str, value: str) -> list[str]:
    """The URLs an attribute holds: none for text attributes such as title or og:title's content."""
    if name == "srcset":
        return [candidate.strip().split(" ")[0] for candidate in value.split(",")]
    if name in URL_ATTRIBUTES:
        return [value]
    if name == "content" and element.tag == "meta":
        if element.get("http-equiv", "").lower() == "refresh":
            return [re.split(r"url=", value, maxsplit=1, flags=re.IGNORECASE)[-1]]
        if URL_META.search(element.get("property") or element.get("name") or ""):
            return [value]
    return []


def script_urls_in_tree(root) -> list[tuple[str, str, str]]:
    """(element, attribute, value) for every URL-bearing attribute that holds a scripting URL."""
    return [
        (element.tag, name, url)
        for element in root.iter()
        if isinstance(element.tag, str)
        for name, value in element.attrib.items()
        for url in urls_of(element, name.lower(), value)
        if is_script_url(url)
    ]


def script_urls_in_html_text(html: str) -> list[tuple[str, str, str]]:
    return script_urls_in_tree(html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False))


def script_urls_in_output(out: Path) -> list[tuple[str, str, str, str]]:
    """Every scripting URL in an attribute or URL field of any page, feed or sitemap."""
    found = []
    for page in html_pages(out):
        found += [(str(page),) + hit for hit in script_urls_in_tree(parse_html(page.read_bytes()))]
    for feed in xml_feeds(out) + [out / "sitemap.xml"]:
        for element in ET.fromstring(feed.read_bytes()).iter():
            local = element.tag.rsplit("}", 1)[-1]
            for name, value in element.attrib.items():
                if is_script_url(value):
                    found.append((str(feed), local, name, value))
            text = element.text or ""
            if local in ("link", "uri", "url", "loc", "logo", "icon", "image", "comments", "docs") and is_script_url(text):
                found.append((str(feed), local, "text", text))
            if local in ("description", "encoded", "content", "summary", "subtitle"):  # HTML carried as text
                found += [(str(feed),) + hit for hit in script_urls_in_html_text(text)]
    for json_feed in out.rglob("feed.json"):
        data = json.loads(json_feed.read_bytes())
        items = [data] + data.get("items", [])
        for item in items:
            for key in ("home_page_url", "feed_url", "icon", "favicon", "url", "external_url", "image", "banner_image"):
                if is_script_url(item.get(key) or ""):
                    found.append((str(json_feed), key, "value", item[key]))
            for author in item.get("authors", []):
                for key in ("url", "avatar"):
                    if is_script_url(author.get(key) or ""):
                        found.append((str(json_feed), "author", key, author[key]))
            found += [(str(json_feed),) + hit for hit in script_urls_in_html_text(item.get("content_html", ""))]
    return found


def file_for(out: Path, url: str) -> Path:
    """The file an href (site path or absolute URL of the site) is served from."""
    path = unquote(urlsplit(url).path)
    return out / path.lstrip("/") / "index.html" if path.endswith("/") else out / path.lstrip("/")


def json_ld(root) -> list:
    return [json.loads(s.text) for s in root.iter("script") if s.get("type") == "application/ld+json"]


def page_meta(root) -> dict[str, str]:
    return {m.get("property") or m.get("name"): m.get("content") for m in root.find("head").findall("meta") if m.get("content") is not None}


def fragment_text(html: str) -> str:
    return text_of(html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False))


# ---------------------------------------------------------------------------------------------
# The hostile site


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, site_writer, build_now) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    files = {f"posts/{name}": post_text(front, body) for name, (front, body) in POSTS.items()}
    site = site_writer(base / "site", files, SITE_TOML)
    return build_site(site, base / "out", now=build_now)


def _front(name: str) -> dict:
    return POSTS[name][0]


def _authors_of(front: dict) -> list[str]:
    names = {"eve": EVE, "mal": MAL}
    keys = front.get("authors") or [front["author"]]
    return [names.get(key, key) for key in keys]


def _post_pages(out: Path) -> dict[str, Path]:
    """File name of each post -> its page (permalink /{year}/{month}/{slug}/, slug from the file name)."""
    return {name: out / "2026/01" / name[len("2026-01-01-") : -3] / "index.html" for name in POSTS}


def test_every_page_parses_and_holds_no_injected_script_or_handler(hostile):
    strict = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    pages = html_pages(hostile)
    assert len(pages) > 15
    for page in pages:
        data = page.read_bytes()
        strict.parse(data)  # raises on the first parse error
        for raw in (b"<script>alert", b"</script><script>", b"<img", b"onerror=alert(1)>"):
            assert raw not in data, (page, raw)
        root = parse_html(data)
        scripts = list(root.iter("script"))
        assert all(s.get("type") == "application/ld+json" for s in scripts), page  # the theme's only script here
        assert len(scripts) <= 1, page
        for data in json_ld(root):  # parses as JSON, and names the site as written
            assert SITE_TITLE in (data.get("name"), data.get("publisher", {}).get("name")), page
        for element in root.iter():
            assert element.tag not in ("img", "iframe", "object", "embed", "svg", "math", "base", "form"), (page, element.tag)
            handlers = [name for name in element.attrib if name.lower().startswith("on")]
            assert not handlers, (page, element.tag, handlers)
        assert "49" not in text_of(root.find("body")), page  # no template ever evaluated {{ 7*7 }}
        # Every page: the site title, escaped as text, in the header and in <title>.
        assert text_of(root.find(".//a[@class='site-title']")) == SITE_TITLE, page
        assert SITE_TITLE in text_of(root.find("head/title")), page
        assert page_meta(root)["og:site_name"] == SITE_TITLE
        nav = [(text_of(a), a.get("href")) for a in root.findall(".//header//nav//a")]
        assert nav == [(MENU[0][0], "/archive/"), (MENU[1][0], MENU[1][1])], page
        assert text_of(root.find(".//footer/p")) == CLOSE, page


def test_post_pages_show_every_field_as_text_and_in_json_ld(hostile):
    for name, page in _post_pages(hostile).items():
        front = _front(name)
        root = parse_html(page.read_bytes())
        assert text_of(root.find(".//article/header/h1")) == front["title"], name
        meta = page_meta(root)
        assert meta["og:title"] == meta["twitter:title"] == front["title"]
        if "summary" in front:
            assert meta["description"] == meta["og:description"] == front["summary"], name
        assert [m.get("content") for m in root.iter("meta") if m.get("property") == "article:tag"] == front.get("tags", [])
        tag_links = root.findall(".//article//ul[@class='tags']//a[@rel='tag']")
        assert [text_of(a) for a in tag_links] == front.get("tags", [])
        authors = [text_of(a) for a in root.find(".//article//p[@class='post-meta']").findall("a[@rel='author']")]
        assert authors == _authors_of(front), name
        (data,) = json_ld(root)
        assert data["headline"] == front["title"]
        assert data.get("keywords", []) == front.get("tags", [])
        assert [a["name"] for a in data["author"]] == _authors_of(front)
        assert data["publisher"]["name"] == SITE_TITLE
        if "summary" in front:
            assert data["description"] == front["summary"]
        if "eve" in (front.get("authors") or [front["author"]]):
            assert EVE_URL in [a["url"] for a in data["author"]]


def test_lists_tags_and_author_pages_show_names_as_text(hostile):
    home = parse_html((hostile / "index.html").read_bytes())
    (blog,) = json_ld(home)
    assert blog["name"] == SITE_TITLE and blog["description"] == SITE_DESCRIPTION
    assert page_meta(home)["description"] == SITE_DESCRIPTION
    assert text_of(home.find(".//p[@class='site-description']")) == SITE_DESCRIPTION
    cards = {text_of(a) for a in home.findall(".//article[@class='post-card']/h2/a")}
    assert cards == {front["title"] for front, _ in POSTS.values()}
    summaries = [text_of(d).strip() for d in home.findall(".//article[@class='post-card']/div[@class='summary']")]
    assert _front("2026-01-02-two.md")["summary"] in summaries
    assert any(s.startswith('First paragraph with <script>alert(5)</script> & "quotes" {{ 7*7 }} ]]>') for s in summaries)
    archive = parse_html((hostile / "archive/index.html").read_bytes())
    assert {text_of(a) for a in archive.findall(".//main//li/a")} == cards

    all_tags = {tag for front, _ in POSTS.values() for tag in front.get("tags", [])}
    tag_index = parse_html((hostile / "tags/index.html").read_bytes())
    links = {text_of(a): a.get("href") for a in tag_index.findall(".//ul[@class='tag-index']//a")}
    assert set(links) == all_tags
    for tag, href in links.items():
        page = parse_html(file_for(hostile, href).read_bytes())
        assert text_of(page.find(".//main/h1")) == f"Posts tagged “{tag}”"
        assert SAFE_URL_PATH.fullmatch(href), href

    author_index = parse_html((hostile / "authors/index.html").read_bytes())
    links = {text_of(a): a.get("href") for a in author_index.findall(".//ul[@class='author-index']//a")}
    assert set(links) == {EVE, MAL, PLAIN_AUTHOR}
    bios = {EVE: EVE_BIO, MAL: SCRIPT, PLAIN_AUTHOR: None}
    for name, href in links.items():
        assert SAFE_URL_PATH.fullmatch(href), href
        page = parse_html(file_for(hostile, href).read_bytes())
        header = page.find(".//main/header[@class='author-header']")
        assert text_of(header.find(".//h1")) == name
        if bios[name]:
            assert bios[name] in [text_of(p) for p in header.iter("p")]
            assert page_meta(page)["description"] == bios[name]
    eve = parse_html(file_for(hostile, links[EVE]).read_bytes())
    assert EVE_URL in [a.get("href") for a in eve.iter("a")]


def test_template_syntax_in_posts_stays_literal(hostile):
    pages = _post_pages(hostile)
    body = text_of(parse_html(pages["2026-01-03-three.md"].read_bytes()).find(".//div[@class='post-body']"))
    for literal in (
        "{{ 7*7 }} and {% for x in [1, 2] %}{{ x }}{% endfor %} and {# a comment #} and {{ config.site.title }}",
        "{% raw %}{{ 7*7 }}{% endraw %} {% include 'base.html' %}",
        "{% for post in site.posts %}{{ post.title }}{% endfor %}",
        "{% raw %}",
    ):
        assert literal in body
    assert "49" not in body and "12" not in body
    four = parse_html(pages["2026-01-04-four.md"].read_bytes())
    toc = [text_of(a) for a in four.findall(".//nav[@class='toc']//a")]
    assert toc == ["<script>alert(1)</script> heading", "\"quoted\" & 'single' heading", "{{ 7*7 }} heading"]
    assert all(SAFE_URL_PATH.fullmatch(a.get("href")[1:]) for a in four.findall(".//nav[@class='toc']//a"))
    code = text_of(four.find(".//div[@class='post-body']"))
    assert "</script><script>alert(1)</script>\n]]>" in code and "<img src=x onerror=alert(1)> escaped" in code
    for entry in feedparser.parse((hostile / "atom.xml").read_bytes()).entries:
        assert "49" not in fragment_text(entry.content[0].value)
    items = {item["title"]: item for item in json.loads((hostile / "feed.json").read_bytes())["items"]}
    assert "{{ 7*7 }} and {% for x in [1, 2] %}{{ x }}{% endfor %}" in fragment_text(items[JINJA]["content_html"])


def test_markdown_links_with_script_urls_are_refused(hostile):
    body = parse_html(_post_pages(hostile)["2026-01-05-five.md"].read_bytes()).find(".//div[@class='post-body']")
    assert not script_urls_in_tree(body)
    hrefs = [a.get("href") for a in body.iter("a")]
    assert all(not is_script_url(h) for h in hrefs), hrefs
    assert "[a](javascript:alert(1))" in text_of(body)  # left as the text it was


def test_every_feed_parses_and_gives_back_the_original_text(hostile):
    titles = {front["title"] for front, _ in POSTS.values()}
    summaries = {front["title"]: front.get("summary") for front, _ in POSTS.values()}
    feeds = xml_feeds(hostile)
    assert len(feeds) == 2 * (1 + 7 + 3)  # site, tags, authors
    for feed in feeds:
        data = feed.read_bytes()
        root = ET.fromstring(data)
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (feed, parsed.get("bozo_exception"))
        assert parsed.feed.title.startswith(SITE_TITLE), feed
        assert parsed.entries, feed
        if feed.name == "feed.xml":
            # RSS has no type for <title>: feedparser guesses, and reads a title that looks like HTML
            # (such as `"><img ...>`) as HTML. The XML itself must carry the exact text.
            entry_titles = [item.findtext("title") for item in root.iter("item")]
            for entry, title in zip(parsed.entries, entry_titles, strict=True):
                assert entry.title == title or entry.title_detail.type == "text/html", (feed, entry.title)
        else:
            entry_titles = [entry.title for entry in parsed.entries]
            assert parsed.feed.rights == CLOSE, feed
        assert set(entry_titles) <= titles, feed
        for entry, title in zip(parsed.entries, entry_titles, strict=True):
            if summaries[title] is not None:
                assert fragment_text(entry.summary) == summaries[title], (feed, entry.summary)
            names = {a.get("name") for a in entry.get("authors", [])}
            assert names <= {EVE, MAL, PLAIN_AUTHOR}, (feed, names)
            tags = {t.term for t in entry.get("tags", [])}
            assert tags <= {tag for front, _ in POSTS.values() for tag in front.get("tags", [])}, (feed, tags)
            assert file_for(hostile, entry.link).is_file(), entry.link
    atom = feedparser.parse((hostile / "atom.xml").read_bytes())
    assert {e.title for e in atom.entries} == titles
    assert EVE_URL in {a.get("href") for e in atom.entries for a in e.get("authors", [])}


def test_json_feed_and_sitemap_parse(hostile):
    data = json.loads((hostile / "feed.json").read_bytes())
    assert data["title"] == SITE_TITLE and data["description"] == SITE_DESCRIPTION
    by_title = {item["title"]: item for item in data["items"]}
    assert set(by_title) == {front["title"] for front, _ in POSTS.values()}
    for front, _ in POSTS.values():
        item = by_title[front["title"]]
        assert item.get("summary") == front.get("summary")
        assert item.get("tags", []) == front.get("tags", [])
        assert [a["name"] for a in item["authors"]] == _authors_of(front)
        assert file_for(hostile, item["url"]).is_file()
    root = ET.fromstring((hostile / "sitemap.xml").read_bytes())
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len(html_pages(hostile)) - 1  # every page but 404.html
    for loc in locs:
        assert loc.startswith(BASE) and SAFE_URL_PATH.fullmatch(urlsplit(loc).path), loc
        assert file_for(hostile, loc).is_file(), loc


def test_no_script_url_anywhere_in_the_hostile_site(hostile):
    assert script_urls_in_output(hostile) == []


# ---------------------------------------------------------------------------------------------
# Tags and slugs made of punctuation and unicode

ODD_TAGS = ["!!!", "C++", "c#", "日本語", "🚀", "Ünïcödé"]
ODD_FILE_SLUGS = {"!!!": "Bangs", "C++": "Cpp", "日本語": "Japanese", "🚀": "Rocket", "Ünïcödé": "Unicode"}


@pytest.fixture(scope="module")
def odd(tmp_path_factory, site_writer, build_now) -> Path:
    base = tmp_path_factory.mktemp("odd")
    files = {
        f"posts/2026-02-{i:02d}-tag-{i}.md": post_text({"title": f"About {tag}", "tags": [tag]}, "Text.\n")
        for i, tag in enumerate(ODD_TAGS, start=1)
    }
    files["posts/2026-02-20-all.md"] = post_text({"title": "All of them", "tags": ODD_TAGS}, "Text.\n")
    for i, (slug, title) in enumerate(ODD_FILE_SLUGS.items(), start=1):
        files[f"posts/2026-03-{i:02d}-{slug}.md"] = post_text({"title": title}, "Text.\n")
    files["posts/2026-03-20-x.md"] = post_text({"title": "Front-matter slug", "slug": "日本語-2"}, "Text.\n")
    site = site_writer(base / "site", files)
    return build_site(site, base / "out", now=build_now)


def _tag_links(out: Path) -> dict[str, str]:
    page = parse_html((out / "2026/02/all/index.html").read_bytes())
    return {text_of(a): a.get("href") for a in page.findall(".//article//a[@rel='tag']")}


def test_odd_tags_link_to_pages_that_exist_at_safe_urls(odd):
    links = _tag_links(odd)
    assert list(links) == ODD_TAGS
    for tag, href in links.items():
        assert SAFE_URL_PATH.fullmatch(href) and href.startswith("/tags/"), (tag, href)
        page = file_for(odd, href)
        assert page.is_file(), (tag, href)
        listed = {text_of(a) for a in parse_html(page.read_bytes()).findall(".//article[@class='post-card']/h2/a")}
        assert {"All of them", f"About {tag}"} <= listed, (tag, listed)
        for feed in ("feed.xml", "atom.xml"):
            parsed = feedparser.parse((page.parent / feed).read_bytes())
            assert parsed.bozo == 0 and f"About {tag}" in {e.title for e in parsed.entries}


def test_two_different_tags_never_share_a_page(odd):
    links = _tag_links(odd)
    assert len(set(links.values())) == len({tag.casefold() for tag in links}), links
    for tag, href in links.items():
        page = parse_html(file_for(odd, href).read_bytes())
        assert text_of(page.find(".//main/h1")) == f"Posts tagged “{tag}”"
        listed = {text_of(a) for a in page.findall(".//article[@class='post-card']/h2/a")}
        assert listed == {"All of them", f"About {tag}"}, (tag, listed)


def test_odd_file_names_and_slugs_give_working_percent_encoded_urls(odd):
    home = parse_html((odd / "index.html").read_bytes())
    cards = {text_of(a): a.get("href") for a in home.findall(".//article[@class='post-card']/h2/a")}
    archive = parse_html((odd / "archive/index.html").read_bytes())
    cards.update({text_of(a): a.get("href") for a in archive.findall(".//main//li/a")})
    for title in list(ODD_FILE_SLUGS.values()) + ["Front-matter slug"]:
        href = cards[title]
        assert SAFE_URL_PATH.fullmatch(href), (title, href)
        page = file_for(odd, href)
        assert page.is_file(), (title, href)
        assert text_of(parse_html(page.read_bytes()).find(".//article/header/h1")) == title
    assert cards["Japanese"] == "/2026/03/%E6%97%A5%E6%9C%AC%E8%AA%9E/"
    assert cards["Front-matter slug"] == "/2026/03/%E6%97%A5%E6%9C%AC%E8%AA%9E-2/"
    for entry in feedparser.parse((odd / "atom.xml").read_bytes()).entries:
        assert SAFE_URL_PATH.fullmatch(urlsplit(entry.link).path) and file_for(odd, entry.link).is_file()


@pytest.mark.parametrize("slug", ["!!!", "🚀", "a/b", "..", "../x", "con"])
def test_an_unsafe_front_matter_slug_is_an_error(make_site, run_blog, slug):
    site = make_site({"posts/2026-01-01-x.md": post_text({"title": "X", "slug": slug}, "Text.\n")})
    result = run_blog("build", "--site", site, "--out", site.parent / "out")
    assert result.exit_code == 1, result.output
    assert "slug" in result.output and "posts/2026-01-01-x.md:3" in result.output
    assert not (site.parent / "out").exists()


@pytest.mark.parametrize(("slug", "made"), [("C++", "c"), ("c#", "c"), ("<script>", "script"), ("a b", "a-b")])
def test_a_front_matter_slug_that_is_not_url_safe_is_made_safe_with_a_warning(make_site, run_blog, slug, made):
    site = make_site({"posts/2026-01-01-x.md": post_text({"title": "X", "slug": slug}, "Text.\n")})
    result = run_blog("build", "--site", site, "--out", site.parent / "out")
    assert result.exit_code == 0, result.output
    assert f"warning: posts/2026-01-01-x.md:3: slug: {slug!r} is not URL-safe; the post's slug is {made!r}" in result.stderr
    assert (site.parent / "out" / "2026" / "01" / made / "index.html").is_file()


def test_file_names_that_slugify_alike_are_an_error_not_one_page(make_site, run_blog):
    site = make_site({"posts/2026-01-01-C++.md": post_text({"title": "A"}), "posts/2026-01-01-c#.md": post_text({"title": "B"})})
    result = run_blog("build", "--site", site, "--out", site.parent / "out")
    assert result.exit_code == 1 and "same permalink" in result.output, result.output
    assert not (site.parent / "out").exists()


# ---------------------------------------------------------------------------------------------
# Scripting URLs where a URL is expected


def test_script_urls_as_post_images_are_dropped(make_site, build_now, tmp_path):
    files = {
        f"posts/2026-01-{i:02d}-p{i}.md": post_text({"title": f"Post {i}", "image": url, "summary": "S."}, "Text.\n")
        for i, url in enumerate(SCRIPT_URLS, start=1)
    }
    site = make_site(files)
    report = build(BuildOptions(site_dir=site, out_dir=tmp_path / "out", now=build_now, jobs=1, use_cache=False))
    out = report.output_dir
    assert len(list(out.glob("2026/01/*/index.html"))) == len(SCRIPT_URLS)
    assert script_urls_in_output(out) == []
    image_warnings = [w for w in report.warnings if w.message.startswith("image:")]
    assert len(image_warnings) == len(SCRIPT_URLS)
    for page in out.glob("2026/01/*/index.html"):
        root = parse_html(page.read_bytes())
        assert "og:image" not in page_meta(root) and "image" not in json_ld(root)[0]
    assert all("image" not in item for item in json.loads((out / "feed.json").read_bytes())["items"])


CONFIG_URL_FIELDS = {
    "authors.x.url": lambda url: f'[authors.x]\nname = "X"\nurl = {toml_string(url)}\n',
    "authors.x.avatar": lambda url: f'[authors.x]\nname = "X"\navatar = {toml_string(url)}\n',
    "site.image": lambda url: f"image = {toml_string(url)}\n",
    "menu.0.url": lambda url: f'[[menu]]\nname = "M"\nurl = {toml_string(url)}\n',
}


@pytest.mark.parametrize("url", SCRIPT_URLS, ids=repr)
@pytest.mark.parametrize("key", CONFIG_URL_FIELDS)
def test_script_urls_in_site_toml_never_reach_a_page_or_feed(make_site, build_now, tmp_path, key, url):
    """Refused as a configuration error naming the key, or left out: never written."""
    extra = CONFIG_URL_FIELDS[key](url)
    config = '[site]\ntitle = "T"\nbase_url = "https://blog.example.com"\n'
    config = config + extra if key == "site.image" else config + "\n" + extra
    site = make_site({"posts/2026-01-01-p.md": post_text({"title": "P", "author": "x", "summary": "S."}, "Text.\n")}, config)
    out = tmp_path / "out"
    try:
        build_site(site, out, now=build_now)
    except BuildFailed as exc:
        assert any(key in error.message for error in exc.errors), [e.message for e in exc.errors]
        assert not out.exists()
        return
    except SiteError as exc:  # pragma: no cover - load_config raises BuildFailed for field errors
        assert key in exc.message
        return
    assert script_urls_in_output(out) == []


def test_http_urls_and_paths_in_site_toml_are_still_accepted(make_site, build_now, tmp_path):
    config = (
        '[site]\ntitle = "T"\nbase_url = "https://blog.example.com"\nimage = "https://cdn.example.com/card.png"\n\n'
        '[authors.x]\nname = "X"\nurl = "https://example.com/x"\navatar = "img/x.png"\n\n'
        '[[menu]]\nname = "About"\nurl = "/about/"\n\n[[menu]]\nname = "Home"\nurl = "https://example.com/"\n'
    )
    site = make_site({"posts/2026-01-01-p.md": post_text({"title": "P", "author": "x", "summary": "S."})}, config)
    out = build_site(site, tmp_path / "out", now=build_now)
    root = parse_html((out / "authors/x/index.html").read_bytes())
    assert [a.get("href") for a in root.findall(".//header//nav//a")] == ["/about/", "https://example.com/"]
    assert root.find(".//img[@class='avatar']").get("src") == "/img/x.png"
    assert page_meta(root)["og:image"] == "https://cdn.example.com/card.png"


# The comments embeds write the post's title and stable id into attributes and inline scripts.
COMMENT_PROVIDERS = {
    "giscus": 'repo = "a/b"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"\n',
    "utterances": 'repo = "a/b"\n',
    "disqus": 'shortname = "blog"\n',
    "isso": 'url = "https://comments.example.com/"\n',
    "remark42": 'url = "https://remark42.example.com"\nsite_id = "blog"\n',
    "cusdis": 'app_id = "app"\n',
}


@pytest.mark.parametrize("provider", COMMENT_PROVIDERS)
def test_comment_embeds_keep_hostile_titles_and_ids_inert(tmp_path, site_writer, build_now, provider):
    config = (
        f'[site]\ntitle = "T"\nbase_url = "{BASE}"\n\n[comments]\nprovider = "{provider}"\nload = "eager"\n'
        f"counts = {'true' if provider in ('disqus', 'remark42', 'cusdis') else 'false'}\n"
        f"[comments.{provider}]\n{COMMENT_PROVIDERS[provider]}"
    )
    pages = {}
    for name, title, post_id in (("benign", "Title", "tag:x,2026:id"), ("hostile", f"{CLOSE} {IMG}", f"{CLOSE}{IMG}{JINJA}")):
        site = site_writer(tmp_path / name, {"posts/2026-01-01-p.md": post_text({"title": title, "id": post_id})}, config)
        out = build_site(site, tmp_path / f"{name}-out", now=build_now)
        pages[name] = [parse_html((out / page).read_bytes()) for page in ("2026/01/p/index.html", "index.html")]
    for benign, hostile in zip(pages["benign"], pages["hostile"], strict=True):
        scripts = [[(s.get("src"), s.get("type")) for s in root.iter("script")] for root in (benign, hostile)]
        assert scripts[0] == scripts[1], provider  # the provider's scripts, and not one more
        for element in hostile.iter():
            assert element.tag != "img" and not [a for a in element.attrib if a.lower().startswith("on")]
    post = pages["hostile"][0]
    if provider in ("disqus", "remark42"):  # a JavaScript string, written by tojson
        script = text_of(post.find(".//section[@class='comments']//script"))
        literal = re.search(r'(?:identifier =|url:) ("(?:[^"\\]|\\.)*")', script).group(1)
        assert json.loads(literal) == f"{CLOSE}{IMG}{JINJA}" and "<" not in literal
    else:  # an attribute
        assert f"{CLOSE}{IMG}{JINJA}" in {value for element in post.iter() for value in element.attrib.values()}


@pytest.mark.parametrize(
    "alias", ["javascript:alert(1)", ' /"><script>alert(1)</script>/', "//evil.example/x", "/a/../../x/", "/C++/", "/a b/"], ids=repr
)
def test_a_hostile_alias_is_an_error(make_site, run_blog, alias):
    site = make_site({"posts/2026-01-01-x.md": post_text({"title": "X", "aliases": [alias]})})
    result = run_blog("build", "--site", site, "--out", site.parent / "out")
    assert result.exit_code == 1 and "aliases" in result.output, result.output
    assert not (site.parent / "out").exists()


def test_redirect_pages_escape_the_site_title_and_link_only_to_the_post(make_site, build_now, tmp_path):
    config = f'[site]\ntitle = {toml_string(SITE_TITLE)}\nbase_url = "{BASE}"\n'
    site = make_site({"posts/2026-01-01-x.md": post_text({"title": SCRIPT, "aliases": ["/2019/日本語/", "/old/x.html"]})}, config)
    out = build_site(site, tmp_path / "out", now=build_now)
    strict = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for page in (out / "2019/日本語/index.html", out / "old/x.html"):
        strict.parse(page.read_bytes())
        root = parse_html(page.read_bytes())
        assert list(root.iter("script")) == [] and script_urls_in_tree(root) == []
        assert SITE_TITLE in text_of(root.find("head/title"))
        assert {a.get("href") for a in root.iter("a")} == {"/2026/01/x/"}
    assert script_urls_in_output(out) == []
