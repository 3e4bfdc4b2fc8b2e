"""The comments embed: each provider's documented markup, in each load mode, its
configuration errors, per-post and draft control, and (in chromium) that nothing is
requested from the provider before the reader scrolls or clicks."""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import html5lib
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, build_site, needs_chromium

REPO = Path(__file__).resolve().parents[2]
POST = "2025/10/how-we-plan-routes-in-rust/index.html"
POST_ID = "tag:blog.northwind.example,2025-10-14:how-we-plan-routes-in-rust"
POST_URL = "https://blog.northwind.example/2025/10/how-we-plan-routes-in-rust/"
POST_TITLE = "A tour of our route solver: why the core is written in Rust"

PROVIDERS = {
    "giscus": 'repo = "northwind/blog"\nrepo_id = "R_kgDO1"\ncategory = "Comments"\ncategory_id = "DIC_kwDO1"\n',
    "utterances": 'repo = "northwind/blog"\nlabel = "comments"\n',
    "disqus": 'shortname = "northwind-blog"\n',
    "isso": 'url = "https://comments.northwind.example/"\n',
    "remark42": 'url = "https://remark42.northwind.example"\nsite_id = "blog"\n',
    "cusdis": 'app_id = "7e3c-app"\nlang = "fr"\n',
}
REQUIRED = {
    "giscus": ["repo", "repo_id", "category", "category_id"],
    "utterances": ["repo"],
    "disqus": ["shortname"],
    "isso": ["url"],
    "remark42": ["url", "site_id"],
    "cusdis": ["app_id"],
}


def _retitle(post: Path, title: str) -> None:
    text = post.read_text()
    old = re.search(r"^title: .*$", text, re.M).group(0)
    post.write_text(text.replace(old, "title: " + json.dumps(title), 1))


def _site(tmp_path: Path, comments: str, name: str = "site") -> Path:
    site = tmp_path / name
    shutil.copytree(REPO / "posts", site / "posts")
    shutil.copytree(REPO / "static", site / "static")
    config = (REPO / "site.toml").read_text()
    config = config[: config.index("[comments]")] + comments
    (site / "site.toml").write_text(config)
    return site


def _comments_config(provider: str, load: str, extra: str = "") -> str:
    return f'[comments]\nprovider = "{provider}"\nload = "{load}"\n{extra}[comments.{provider}]\n{PROVIDERS[provider]}'


def _embed_html(page: str, load: str) -> str:
    """The provider's markup: inline when eager, inside the inert <template> otherwise."""
    section = page[page.index('<section class="comments"') : page.index('<script src="/js/comments.js"')]
    if load == "eager":
        assert "<template" not in section
        return section
    match = re.search(r'<template class="comments-template">(.*?)</template>', section, re.S)
    assert match, "no template holds the embed"
    before = page[: page.index('<template class="comments-template">')]
    assert "giscus.app" not in before and "utteranc.es" not in before and "disqus.com/embed" not in before
    return match.group(1)


def _scripts(fragment: str) -> list[dict]:
    root = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    return [dict(el.attrib, _text=el.text or "") for el in root.iter("script")]


def _elements(fragment: str, tag: str) -> list[dict]:
    root = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=False)
    return [dict(el.attrib) for el in root.iter(tag)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample blog built once per provider and load mode."""
    base = tmp_path_factory.mktemp("comments")
    pages = {}
    for provider in PROVIDERS:
        for load in ("lazy", "click", "eager"):
            site = _site(base, _comments_config(provider, load), f"{provider}-{load}")
            out = build_site(site)
            pages[provider, load] = out
    return pages


LOADS = ["lazy", "click", "eager"]


@pytest.mark.parametrize("load", LOADS)
def test_giscus_embed(built, load):
    html = _embed_html((built["giscus", load] / POST).read_text(), load)
    (script,) = _scripts(html)
    assert script["src"] == "https://giscus.app/client.js"
    expected = {
        "data-repo": "northwind/blog",
        "data-repo-id": "R_kgDO1",
        "data-category": "Comments",
        "data-category-id": "DIC_kwDO1",
        "data-mapping": "specific",
        "data-term": POST_ID,
        "data-strict": "1",
        "data-reactions-enabled": "1",
        "data-emit-metadata": "0",
        "data-input-position": "bottom",
        "data-theme": "preferred_color_scheme",
        "data-lang": "en",
        "data-loading": "lazy",
        "crossorigin": "anonymous",
    }
    assert {k: script.get(k) for k in expected} == expected
    assert "async" in script
    assert any(d.get("class") == "giscus" for d in _elements(html, "div"))


@pytest.mark.parametrize("load", LOADS)
def test_utterances_embed(built, load):
    html = _embed_html((built["utterances", load] / POST).read_text(), load)
    (script,) = _scripts(html)
    expected = {
        "src": "https://utteranc.es/client.js",
        "repo": "northwind/blog",
        "issue-term": POST_ID,
        "label": "comments",
        "theme": "preferred-color-scheme",
        "crossorigin": "anonymous",
    }
    assert {k: script.get(k) for k in expected} == expected


@pytest.mark.parametrize("load", LOADS)
def test_disqus_embed(built, load):
    html = _embed_html((built["disqus", load] / POST).read_text(), load)
    assert any(d.get("id") == "disqus_thread" for d in _elements(html, "div"))
    (script,) = _scripts(html)
    text = script["_text"]
    assert f"this.page.url = {json.dumps(POST_URL)};" in text
    assert f"this.page.identifier = {json.dumps(POST_ID)};" in text
    assert f"this.page.title = {json.dumps(POST_TITLE)};" in text
    assert "s.src = 'https://northwind-blog.disqus.com/embed.js';" in text
    assert "s.setAttribute('data-timestamp', +new Date());" in text
    assert "https://disqus.com/?ref_noscript" in html


@pytest.mark.parametrize("load", LOADS)
def test_isso_embed(built, load):
    html = _embed_html((built["isso", load] / POST).read_text(), load)
    (script,) = _scripts(html)
    assert script["src"] == "https://comments.northwind.example/js/embed.min.js"
    assert script["data-isso"] == "https://comments.northwind.example/"
    assert script["data-isso-lang"] == "en" and script["data-isso-sorting"] == "oldest"
    (thread,) = [s for s in _elements(html, "section") if s.get("id") == "isso-thread"]
    assert thread["data-isso-id"] == POST_ID and thread["data-title"] == POST_TITLE


@pytest.mark.parametrize("load", LOADS)
def test_remark42_embed(built, load):
    html = _embed_html((built["remark42", load] / POST).read_text(), load)
    (script,) = _scripts(html)
    text = script["_text"]
    assert 'host: "https://remark42.northwind.example"' in text
    assert 'site_id: "blog"' in text
    assert 'components: ["embed"]' in text
    assert f"url: {json.dumps(POST_ID)}" in text
    assert f"page_title: {json.dumps(POST_TITLE)}" in text
    assert 'r.src = remark_config.host + "/web/" + e[o] + c' in text
    assert any(d.get("id") == "remark42" for d in _elements(html, "div"))


@pytest.mark.parametrize("load", LOADS)
def test_cusdis_embed(built, load):
    html = _embed_html((built["cusdis", load] / POST).read_text(), load)
    scripts = _scripts(html)
    assert [s["src"] for s in scripts] == ["https://cusdis.com/js/widget/lang/fr.js", "https://cusdis.com/js/cusdis.es.js"]
    (thread,) = [d for d in _elements(html, "div") if d.get("id") == "cusdis_thread"]
    assert thread == {
        "id": "cusdis_thread",
        "data-host": "https://cusdis.com",
        "data-app-id": "7e3c-app",
        "data-page-id": POST_ID,
        "data-page-url": POST_URL,
        "data-page-title": POST_TITLE,
        "data-theme": "auto",
    }


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_comments_area_heading_and_loader(built, provider):
    for load in LOADS:
        page = (built[provider, load] / POST).read_text()
        assert '<h2 id="comments-heading">Comments</h2>' in page
        assert '<script src="/js/comments.js" defer></script>' in page
        assert ("Show comments from" in page) == (load == "click")
        assert (built[provider, load] / "js/comments.js").exists()
    assert ("<noscript><p>Comments need JavaScript." in page) == (provider in ("giscus", "utterances"))


def test_post_with_comments_false_and_pages_that_are_not_posts_have_no_embed(built):
    out = built["giscus", "eager"]
    assert "giscus.app" not in (out / "2026/10/northwind-3-0/index.html").read_text()  # comments: false
    for page in ("index.html", "tags/index.html", "archive/index.html", "404.html"):
        assert "giscus.app" not in (out / page).read_text()
        assert "comments.js" not in (out / page).read_text()


def test_drafts_never_load_comments(tmp_path):
    out = build_site(_site(tmp_path, _comments_config("giscus", "eager")), drafts=True)
    draft = (out / "2026/11/embedding-the-solver-with-pyo3/index.html").read_text()
    assert "giscus" not in draft and 'id="comments"' not in draft


def test_provider_none_leaves_no_trace(tmp_path):
    out = build_site(_site(tmp_path, '[comments]\nprovider = "none"\n'))
    assert not (out / "js/comments.js").exists()
    for page in out.rglob("*.html"):
        text = page.read_text()
        assert 'id="comments"' not in text and "comments.js" not in text, page
        assert not re.search(r"giscus|utteranc|disqus|isso|remark42|cusdis", text, re.I), page


def test_values_are_escaped_in_attributes_and_scripts(tmp_path):
    site = _site(tmp_path, _comments_config("disqus", "eager"))
    post = site / "posts/2025-10-14-how-we-plan-routes-in-rust.md"
    _retitle(post, 'Q&A </script><script>alert(1)</script> "quotes"')
    out = build_site(site)
    page = (out / POST).read_text()
    assert "</script><script>alert(1)" not in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page  # tojson escapes < and >
    site2 = _site(tmp_path, _comments_config("cusdis", "eager"), "cusdis")
    post2 = site2 / "posts/2025-10-14-how-we-plan-routes-in-rust.md"
    _retitle(post2, 'A "quoted" <b>title</b>')
    page2 = (build_site(site2) / POST).read_text()
    assert 'data-page-title="A &#34;quoted&#34; &lt;b&gt;title&lt;/b&gt;"' in page2


@pytest.mark.parametrize("provider", ["disqus", "remark42", "cusdis"])
def test_comment_counts_in_post_lists_when_enabled(tmp_path, provider):
    out = build_site(_site(tmp_path, _comments_config(provider, "lazy", "counts = true\n")))
    index = (out / "index.html").read_text()
    marker = {"disqus": "data-disqus-identifier=", "remark42": 'class="remark42__counter"', "cusdis": "data-cusdis-count-page-id="}[
        provider
    ]
    assert marker in index
    script = {
        "disqus": "https://northwind-blog.disqus.com/count.js",
        "remark42": 'components: ["counter"]',
        "cusdis": "https://cusdis.com/js/cusdis-count.umd.js",
    }[provider]
    assert index.count(script) == 1
    off = build_site(_site(tmp_path, _comments_config(provider, "lazy"), "off"))
    assert marker not in (off / "index.html").read_text()


def test_counts_with_a_provider_without_a_count_script_is_a_config_error(make_site, run_blog):
    site = make_site({}, '[site]\ntitle = "T"\nbase_url = "https://b.example"\n' + _comments_config("giscus", "lazy", "counts = true\n"))
    result = run_blog("build", "--site", site)
    assert result.exit_code == 2 and "counts" in result.output


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_each_required_setting_is_a_config_error_naming_the_key(make_site, run_blog, provider):
    base = '[site]\ntitle = "T"\nbase_url = "https://b.example"\n'
    for key in REQUIRED[provider]:
        table = "".join(line + "\n" for line in PROVIDERS[provider].splitlines() if not line.startswith(key + " "))
        if provider == "cusdis" and key == "app_id":
            table = 'url = "https://cusdis.example"\n'
        site = make_site({}, base + f'[comments]\nprovider = "{provider}"\n[comments.{provider}]\n{table}', name=f"{provider}-{key}")
        result = run_blog("build", "--site", site)
        assert result.exit_code == 2, result.output
        assert f"comments.{provider}.{key}" in result.output
        assert "site.toml:" in result.output
    site = make_site({}, base + f'[comments]\nprovider = "{provider}"\n', name=f"{provider}-missing-table")
    result = run_blog("build", "--site", site)
    assert result.exit_code == 2 and f"[comments.{provider}]" in result.output


def test_malformed_settings_are_config_errors(make_site, run_blog):
    base = '[site]\ntitle = "T"\nbase_url = "https://b.example"\n[comments]\n'
    cases = {
        'provider = "giscus"\n[comments.giscus]\nrepo = "not a repo"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"\n': "comments.giscus.repo",
        'provider = "isso"\n[comments.isso]\nurl = "javascript:alert(1)"\n': "comments.isso.url",
        'provider = "disqus"\n[comments.disqus]\nshortname = "a\\"b"\n': "comments.disqus.shortname",
        'provider = "talkyard"\n': "comments.provider",
        'provider = "giscus"\nload = "sometimes"\n[comments.giscus]\nrepo = "a/b"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"\n': "comments.load",
        'provider = "utterances"\n[comments.utterances]\nrepo = "a/b"\nunknown = 1\n': "comments.utterances.unknown",
    }
    for i, (table, key) in enumerate(cases.items()):
        result = run_blog("build", "--site", make_site({}, base + table, name=f"case{i}"))
        assert result.exit_code == 2 and key in result.output, (table, result.output)


# ---- in a real browser ------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def page_factory():
    """New chromium pages that record what they ask the provider for (tests using it are @needs_chromium)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page():
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            provider_requests: list[str] = []
            # The machine has no network: answer the provider's requests with an empty script, and record them.
            page.route(
                re.compile(r"^https://giscus\.app/.*"),
                lambda route: (
                    provider_requests.append(route.request.url),
                    route.fulfill(status=200, content_type="text/javascript", body=""),
                ),
            )
            return page, provider_requests

        yield new_page
        browser.close()


@needs_chromium
def test_click_mode_requests_nothing_from_the_provider_until_the_button_is_pressed(built, serve, page_factory):
    base = serve(built["giscus", "click"])
    page, requests = page_factory()
    page.goto(base + "/" + POST.removesuffix("index.html"), wait_until="load")
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert requests == []
    page.get_by_role("button", name="Show comments from giscus").click()
    page.wait_for_function("document.querySelector('.comments-embed script[src]') !== null")
    page.wait_for_timeout(300)
    assert requests == ["https://giscus.app/client.js"]
    assert page.locator(".comments-button").count() == 0


@needs_chromium
def test_lazy_mode_requests_nothing_before_scrolling_to_the_comments(built, serve, page_factory):
    base = serve(built["giscus", "lazy"])
    page, requests = page_factory()
    page.goto(base + "/" + POST.removesuffix("index.html"), wait_until="load")
    page.wait_for_timeout(700)
    assert page.evaluate("document.querySelector('#comments').getBoundingClientRect().top") > 800 + 400
    assert requests == []
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.comments-embed script[src]') !== null", timeout=5000)
    page.wait_for_timeout(300)
    assert requests == ["https://giscus.app/client.js"]


@needs_chromium
def test_eager_mode_requests_the_provider_at_once(built, serve, page_factory):
    base = serve(built["giscus", "eager"])
    page, requests = page_factory()
    page.goto(base + "/" + POST.removesuffix("index.html"), wait_until="load")
    assert requests == ["https://giscus.app/client.js"]
