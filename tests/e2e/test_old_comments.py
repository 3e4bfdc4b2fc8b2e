"""Comments kept from the previous blog (`X.comments.json` beside `X.md`) through `blog build`,
incremental builds, `blog watch`, and the default theme in a browser: threaded and read-only
under the post, cleaned whatever the file holds, never published as a file, never in feeds."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

import html5lib
import pytest
from conftest import NOW, clean_tree, copy_sample_site, needs_chromium, post, static_site_in_chromium, tree_bytes

from generator.build import BuildOptions, build
from generator.live import LiveSite
from generator.watch import SiteWatcher

POST = "posts/2019/2019-03-04-hello.md"
COMMENTS = "posts/2019/2019-03-04-hello.comments.json"
PAGE = "2019/03/hello/index.html"
GISCUS = """
[comments]
provider = "giscus"
[comments.giscus]
repo = "example/blog"
repo_id = "R_kgDOExample"
category = "Comments"
category_id = "DIC_kwDOExample"
"""


def comment(id: str, date: str, html: str, parent: str | None = None, **fields) -> dict:
    return {"id": id, "parent": parent, "author": fields.pop("author", f"Reader {id}"), "date": date, "html": html, **fields}


THREAD = [
    comment("1", "2019-03-04T10:00:00+00:00", "<p>First!</p>", author="Ana", url="https://ana.example/"),
    comment("2", "2019-03-04T11:00:00+00:00", "<p>Welcome, Ana.</p>", parent="1", author="Ben"),
    comment("3", "2019-03-04T12:00:00+00:00", "<p>Agreed with <em>both</em>.</p>", parent="2"),
    comment("4", "2019-03-05T09:00:00+00:00", "<p>A reply to a comment deleted as spam.</p>", parent="99"),
    comment(
        "5", "2019-03-06T09:00:00+00:00", "<p>[…] a nice post […]</p>", author="Other Blog", url="https://other.example/p", type="pingback"
    ),
]


def comments_file(comments: list[dict], platform: str | None = "WordPress") -> str:
    data: dict = {"comments": comments}
    if platform is not None:
        data["from"] = platform
    return json.dumps(data, indent=1)


def hello(**front) -> str:
    return post("Hello", "The post's own text.", date="2019-03-04", tags="[news]", summary="Hi.", **front)


def parse(path: Path):
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def kept_section(page: Path):
    return parse(page).find(".//section[@id='old-comments']")


def by_id(root, element_id: str):
    return root.find(f".//*[@id='{element_id}']")


def _touch_later(path: Path) -> None:
    """A coarse file-system clock must not hide an edit from the up-to-date check."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


# -- the page -------------------------------------------------------------------------------


def test_a_post_with_a_comments_file_shows_them_threaded_under_it(make_site, run_blog):
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD)})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 0, result.output
    out = site / "_site"
    root = parse(out / PAGE)
    section = root.find(".//section[@id='old-comments']")
    heading = by_id(section, section.get("aria-labelledby"))
    assert heading.tag == "h2" and heading.text == "5 comments from WordPress"
    # Threads: 1 > 2 > 3 nested as lists in lists; the orphan reply and the pingback at the top level.
    top = section.find("ol")
    assert [li.get("id") for li in top.findall("li")] == ["comment-1", "comment-4", "comment-5"]
    first = top.find("li[@id='comment-1']")
    second = first.find("ol/li[@id='comment-2']")
    assert second is not None and second.find("ol/li[@id='comment-3']") is not None
    author = first.find(".//a[@class='old-comment-author']")
    assert (author.text, author.get("href"), author.get("rel")) == ("Ana", "https://ana.example/", "nofollow ugc")
    assert second.find(".//a") is None  # no website: the name is not a link
    assert "Ben" in "".join(second.itertext())
    time_element = first.find(".//time")
    assert time_element.get("datetime") == "2019-03-04T10:00:00+00:00"
    assert time_element.text == "Mar 4, 2019"  # the theme's short date in the site's language ("en")
    assert first.find("div[@class='old-comment-text']/p").text == "First!"
    ping = top.find("li[@id='comment-5']")
    assert "old-comment-ping" in ping.get("class") and ping.find("div") is None  # one line, no excerpt
    assert ping.find(".//a").get("rel") == "nofollow ugc"
    # Read-only: nothing to fill in.
    assert section.find(".//form") is None and section.find(".//textarea") is None and section.find(".//button") is None


def test_the_file_is_not_published_and_feeds_leave_comments_out(make_site, run_blog):
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD)})
    assert run_blog("build", "--site", site).exit_code == 0
    out = site / "_site"
    published = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert not [name for name in published if name.endswith(".comments.json") or "comments.json" in name]
    feeds = [out / name for name in ("feed.xml", "atom.xml", "feed.json") if (out / name).exists()]
    assert feeds
    for feed in feeds:
        assert b"First!" not in feed.read_bytes() and b"Welcome, Ana" not in feed.read_bytes()
        assert b"The post's own text." in feed.read_bytes()


def test_one_comment_is_singular_and_a_file_without_from_says_the_previous_blog(make_site, run_blog):
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD[:1], platform=None)})
    assert run_blog("build", "--site", site).exit_code == 0
    heading = kept_section(site / "_site" / PAGE).find("h2")
    assert heading.text == "1 comment from the previous blog"


def test_kept_comments_stay_when_new_comments_are_closed_and_come_before_the_embed(make_site, run_blog):
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD), "posts/2019/2019-03-05-other.md": hello().replace("Hello", "Other")})
    assert run_blog("build", "--site", site).exit_code == 0
    assert kept_section(site / "_site" / PAGE) is not None  # provider "none"
    (site / POST).write_text(hello(comments="false"), encoding="utf-8")
    (site / "site.toml").write_text((site / "site.toml").read_text() + GISCUS, encoding="utf-8")
    assert run_blog("build", "--site", site).exit_code == 0
    page = parse(site / "_site" / PAGE)
    assert page.find(".//section[@id='old-comments']") is not None
    assert page.find(".//section[@id='comments']") is None  # comments: false closes the embed only
    (site / POST).write_text(hello(), encoding="utf-8")
    assert run_blog("build", "--site", site).exit_code == 0
    sections = [s.get("id") for s in parse(site / "_site" / PAGE).iter("section")]
    assert sections.index("old-comments") < sections.index("comments")
    assert parse(site / "_site" / "2019/03/other/index.html").find(".//section[@id='old-comments']") is None


# -- hostile and broken files -----------------------------------------------------------------

HOSTILE = [
    comment("1", "2019-03-04T10:00:00Z", "<p>hi<script>alert('s1')</script></p><style>body{display:none}</style>"),
    comment("2", "2019-03-04T10:01:00Z", "<img src=x onerror=\"alert('s2')\"><p onclick=\"alert('s3')\">click</p>"),
    comment("3", "2019-03-04T10:02:00Z", '<a href="javascript:alert(\'s4\')">link</a> <a href="JaVaScRiPt:alert(1)">caps</a>'),
    comment("4", "2019-03-04T10:03:00Z", "<iframe src=https://evil.example></iframe><svg onload=alert('s5')></svg><p>ok</p>"),
    comment("5", "2019-03-04T10:04:00Z", "<p>x</p>", author="\"><script>alert('s6')</script>", url="javascript:alert('s7')"),
    comment(
        "6",
        "2019-03-04T10:05:00Z",
        "<p>y</p>",
        author="<img src=x onerror=alert('s8')>",
        url="https://x.example/\"><script>alert('s9')</script>",
    ),
    comment("7\"><script>alert('s10')</script>", "2019-03-04T10:06:00Z", "<p>z</p>", parent="1"),
    comment("8", "2019-03-04T10:07:00Z", '<a href="data:text/html,<script>alert(1)</script>">d</a><form action=x><input></form>'),
]


def test_a_hostile_comments_file_leaves_no_payload_in_any_output_file(make_site, run_blog):
    site = make_site({POST: hello(), COMMENTS: comments_file(HOSTILE, platform="<script>alert('s11')</script>")})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 0, result.output
    out = site / "_site"
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes().lower()
        for payload in (
            b"<script>alert",
            b"javascript:",
            b"data:text/html",
            b"<iframe",
            b"<img",
            b"<form",
            b"<input",
            b"<svg onload",
            b"display:none",
        ):
            assert payload not in data, f"{payload!r} in {path.relative_to(out)}"
        assert not re.search(rb"<[^>]*\son\w+\s*=", data), f"an event handler in {path.relative_to(out)}"
    root = parse(out / PAGE)
    scripts = list(root.iter("script"))
    assert all(s.get("type") == "application/ld+json" for s in scripts)  # provider "none": no script of ours either
    for element in root.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        for name in ("href", "src"):
            value = element.get(name)
            assert value is None or not value.strip().lower().startswith(("javascript:", "data:"))
    section = root.find(".//section[@id='old-comments']")
    assert len(section.findall(".//li")) == len(HOSTILE)
    assert "<script>alert('s6')</script>" in "".join(section.itertext())  # shown as text, escaped
    assert section.find(".//li[@id='comment-5']//a") is None  # the javascript: website is dropped


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{"from": "WordPress", "comments": [', "is not a comments file"),
        (comments_file([{**THREAD[0], "author": ["Ana"]}]), "is not a comments file"),
        (comments_file([{**THREAD[0], "date": "2019-03-04T10:00:00"}]), "without a time zone"),
        (comments_file([{**THREAD[0], "date": "yesterday"}]), "is not a comments file"),
        (b"\xff\xfe not UTF-8", "is not a comments file"),
    ],
    ids=["truncated JSON", "wrong type", "naive date", "not a date", "not UTF-8"],
)
def test_a_broken_comments_file_stops_the_build_naming_it(make_site, run_blog, text, expected):
    site = make_site({POST: hello(), COMMENTS: text})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 1
    assert "2019-03-04-hello.comments.json" in result.output and expected in result.output
    assert not (site / "_site").exists()


def test_a_comments_file_without_its_post_warns_and_fails_under_strict(make_site, run_blog):
    site = make_site({POST: hello(), "posts/2019/2019-03-04-old-name.comments.json": comments_file(THREAD)})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 0
    assert "2019-03-04-old-name.comments.json" in result.output and "without its post" in result.output
    assert not list((site / "_site").rglob("*.comments.json"))
    assert run_blog("build", "--site", site, "--strict").exit_code == 1


# -- rebuilds -----------------------------------------------------------------------------------


def test_editing_adding_and_removing_the_file_changes_the_page_on_the_next_build(make_site, tmp_path):
    site = make_site({POST: hello(), "posts/2019/2019-03-05-other.md": hello().replace("Hello", "Other")})
    out = site / "_site"

    def build_again() -> bool:
        report = build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
        assert tree_bytes(out) == clean_tree(site, tmp_path)
        return report.up_to_date

    assert not build_again()
    assert kept_section(out / PAGE) is None
    assert build_again()  # nothing changed: up to date
    path = site / COMMENTS
    path.write_text(comments_file(THREAD), encoding="utf-8")
    assert not build_again()
    assert kept_section(out / PAGE).find("h2").text == "5 comments from WordPress"
    other_page = (out / "2019/03/other/index.html").read_bytes()
    path.write_text(comments_file(THREAD).replace("First!", "First, edited!"), encoding="utf-8")
    _touch_later(path)
    assert not build_again()
    assert b"First, edited!" in (out / PAGE).read_bytes()
    assert (out / "2019/03/other/index.html").read_bytes() == other_page
    path.unlink()
    assert not build_again()
    assert kept_section(out / PAGE) is None


def test_a_same_size_edit_in_the_same_instant_is_still_seen(make_site, tmp_path):
    """The up-to-date check also looks at ctime and inode: an editor's atomic save is a new file."""
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD)})
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    path = site / COMMENTS
    stat = path.stat()
    replacement = path.with_name("tmp-save")
    replacement.write_text(comments_file(THREAD).replace("First!", "Frist!"), encoding="utf-8")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert not build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW)).up_to_date
    assert tree_bytes(out) == clean_tree(site, tmp_path)


def test_quick_rebuilds_keep_the_comments_and_leave_file_changes_to_a_full_build(make_site, tmp_path):
    site = make_site({POST: hello(), COMMENTS: comments_file(THREAD)})
    options = BuildOptions(site_dir=site, out_dir=site / "_site", jobs=1, now=NOW)
    report = build(options, keep_plan=True)
    live = LiveSite(options, report.plan, report.output_dir)
    path = (site / POST).resolve()
    path.write_text(hello().replace("own text", "own edited text"), encoding="utf-8")
    quick = live.rebuild(frozenset([path]))
    assert quick is not None and quick.quick
    assert kept_section(site / "_site" / PAGE) is not None
    assert tree_bytes(site / "_site") == clean_tree(site, tmp_path)
    comments = (site / COMMENTS).resolve()
    comments.write_text(comments_file(THREAD[:2]), encoding="utf-8")
    assert live.rebuild(frozenset([comments])) is None  # not a post's text: a full build


def test_watch_rebuilds_the_page_when_the_file_is_edited_added_or_removed(make_site, tmp_path):
    site = make_site({POST: hello()})
    out = site / "_site"
    done: list = []
    watcher = SiteWatcher(BuildOptions(site_dir=site, jobs=1, now=NOW), on_done=done.append, delay=0.05)
    runner = threading.Thread(target=watcher.run, daemon=True)
    runner.start()

    def wait_for(what: str) -> None:
        """Until the watched output is what a clean build of the current input writes."""
        expected = clean_tree(site, tmp_path)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if done and done[-1].ok and tree_bytes(out) == expected:
                    return
            except FileNotFoundError:
                pass  # read while the watcher swapped the output folder: look again
            time.sleep(0.05)
        raise AssertionError(f"watch never showed: {what}; last rebuild: {done[-1] if done else None}")

    try:
        wait_for("the first build")
        path = site / COMMENTS
        path.write_text(comments_file(THREAD), encoding="utf-8")
        wait_for("an added comments file")
        assert b"5 comments from WordPress" in (out / PAGE).read_bytes()
        path.write_text(comments_file(THREAD).replace("First!", "First, edited!"), encoding="utf-8")
        wait_for("an edited comments file")
        assert b"First, edited!" in (out / PAGE).read_bytes()
        path.unlink()
        wait_for("a deleted comments file")
        assert b"old-comments" not in (out / PAGE).read_bytes()
        path.write_text("{broken", encoding="utf-8")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (done and not done[-1].ok):
            time.sleep(0.05)
        assert done[-1].errors and "2019-03-04-hello.comments.json" in str(done[-1].errors[0])
        assert runner.is_alive()
    finally:
        watcher.stop()
        runner.join(timeout=10)


# -- the sample blog in a browser ---------------------------------------------------------------

SAMPLE_POST = "/2025/09/hello-from-northwind-labs/"


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    site = copy_sample_site(tmp_path_factory.mktemp("sample") / "site")
    assert (site / "posts/2025-09-08-hello-from-northwind-labs.comments.json").exists()
    out = site / "_site"
    build(BuildOptions(site_dir=site, out_dir=out, jobs=1, now=NOW))
    return out


def test_the_sample_post_shows_its_kept_comments(sample_out):
    section = kept_section(sample_out / SAMPLE_POST.strip("/") / "index.html")
    assert section.find("h2").text.endswith("comments from WordPress")
    assert section.find(".//ol/li/ol/li") is not None and section.find(".//li[@class='old-comment old-comment-ping']") is not None


@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_kept_comments_fit_a_phone_have_no_accessibility_violations_and_follow_dark_mode(sample_out, scheme, width):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    with static_site_in_chromium(sample_out) as (page, base):
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        page.goto(base + SAMPLE_POST, wait_until="load")
        section = page.locator("#old-comments")
        section.scroll_into_view_if_needed()
        assert section.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the threads scroll sideways"
        reply = page.locator("#old-comments .old-comment-replies .old-comment").first
        assert reply.bounding_box()["x"] > page.locator("#old-comments > ol > .old-comment").first.bounding_box()["x"]
        text_colour = page.evaluate("getComputedStyle(document.querySelector('.old-comment-text')).color")
        assert (text_colour == "rgb(31, 35, 40)") == (scheme == "light")
        results = axe_module.Axe().run(page)
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
        assert violations == []
