"""What a new user tripped on, through the command line: author typos, tags written as one
string, messages that blamed the wrong thing, a site without posts/ or without site.toml."""

from __future__ import annotations

import socket

import pytest
from conftest import DEFAULT_CONFIG, needs_chromium, post, static_site_in_chromium

AUTHORS = DEFAULT_CONFIG + '[authors.dana]\nname = "Dana Whitfield"\n[authors.chidi]\nname = "Chidi Okafor"\n'


def by(author: str, title: str = "P") -> str:
    return post(title, author=author, tags="[x]", summary="s", date="2026-01-01")


def test_an_unknown_author_is_a_warning_with_its_line_and_the_nearest_key(make_site, run_blog):
    site = make_site({"posts/typo.md": by("danaa"), "posts/far.md": by("zork", "Q")}, AUTHORS)
    result = run_blog("build", "--site", site)
    assert result.exit_code == 0, result.output
    assert "warning: posts/typo.md:3: unknown author 'danaa' (did you mean dana?)" in result.stderr
    far = next(line for line in result.stderr.splitlines() if "posts/far.md" in line)
    assert "unknown author 'zork'" in far and "did you mean" not in far and "dana" in far  # names the known keys

    strict = run_blog("build", "--site", site, "--strict")
    assert strict.exit_code == 1
    assert "error: posts/typo.md:3: unknown author 'danaa' (did you mean dana?)" in strict.stderr


def test_a_configured_full_name_is_that_author(make_site, run_blog, tmp_path):
    files = {"posts/key.md": by("dana"), "posts/name.md": by("dana WHITFIELD", "Q"), "posts/list.md": by("[Chidi Okafor]", "R")}
    site = make_site(files, AUTHORS)
    out = tmp_path / "out"
    result = run_blog("build", "--site", site, "--out", out, "--strict")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "authors").iterdir() if p.is_dir()) == ["chidi", "dana"]
    dana = (out / "authors" / "dana" / "index.html").read_text(encoding="utf-8")
    assert "/2026/01/key/" in dana and "/2026/01/name/" in dana


def test_without_authors_plain_names_stay_plain_authors_without_warning(make_site, run_blog, tmp_path):
    site = make_site({"posts/p.md": by("Jane Roe")})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out", "--strict")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "authors" / "jane-roe" / "index.html").is_file()


def test_new_refuses_an_unknown_author_key_naming_the_known_ones(make_site, run_blog):
    site = make_site({}, AUTHORS)
    result = run_blog("new", "Moving to Postgres 16", "--author", "danaa", "--site", site)
    assert result.exit_code == 2
    assert "'danaa'" in result.stderr and "did you mean dana?" in result.stderr and "chidi, dana" in result.stderr
    assert "nothing was written" not in result.output and "config error" not in result.output
    assert list((site / "posts").iterdir()) == []
    by_name = run_blog("new", "Moving to Postgres 16", "--author", "Dana Whitfield", "--site", site)
    assert by_name.exit_code == 0, by_name.output
    plain = make_site({}, name="plain")  # no [authors]: any name
    assert run_blog("new", "Hello", "--author", "Anyone At All", "--site", plain).exit_code == 0


def test_new_prints_the_path_relative_to_the_site_and_a_clash_is_no_config_error(make_site, run_blog):
    site = make_site({})
    result = run_blog("new", "Moving to Postgres 16", "--site", site)
    assert result.exit_code == 0, result.output
    shown = result.stdout.strip()
    assert shown.startswith("posts/") and shown.endswith("-moving-to-postgres-16.md")
    assert (site / shown).is_file()
    again = run_blog("new", "Moving to Postgres 16", "--site", site)
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    assert "config error" not in again.stderr and "nothing was written" not in again.stderr


def test_list_and_check_never_say_nothing_was_written(make_site, run_blog):
    site = make_site({"posts/2026-01-01-p.md": "---\ntitle: [unclosed\n---\nx\n"})
    for command in ("list", "check"):
        result = run_blog(command, "--site", site)
        assert result.exit_code == 1, result.output
        assert "1 error(s)" in result.stderr and "nothing was written" not in result.stderr
    build = run_blog("build", "--site", site)
    assert "nothing was written" in build.stderr  # a failed build: that phrase is its own
    strict = make_site({"posts/2026-01-01-p.md": post("P")}, name="strict")
    checked = run_blog("check", "--site", strict, "--strict")  # warnings made errors: no tags, no summary
    assert checked.exit_code == 1 and "nothing was written" not in checked.stderr


def test_serve_on_a_port_in_use_is_no_config_error(make_site, run_blog):
    site = make_site({})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_blog("serve", "--site", site, "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 2
    assert "error: cannot listen on 127.0.0.1" in result.stderr and "config error" not in result.stderr


@pytest.mark.parametrize("command", ["build", "check", "list"])
def test_outside_a_site_the_hint_suggests_blog_init(tmp_path, run_blog, command):
    result = run_blog(command, "--site", tmp_path)
    assert result.exit_code == 2
    assert "no site.toml" in result.stderr and "blog init" in result.stderr


def test_a_site_without_posts_builds_with_a_warning(make_site, run_blog, tmp_path):
    site = make_site({})
    (site / "posts").rmdir()
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "warning: no posts/ folder: the blog has no posts yet" in result.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def test_tags_written_as_one_string_and_an_unsafe_slug_are_warnings_with_their_lines(make_site, run_blog, tmp_path):
    text = '---\ntitle: P\ndate: 2026-01-01\nsummary: s\ntags: python, data\nslug: "Héllo wörld & more"\n---\nx\n'
    site = make_site({"posts/p.md": text})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "warning: posts/p.md:5: tags: 'python, data' is one tag" in result.stderr
    assert "tags: [python, data]" in result.stderr
    assert "warning: posts/p.md:6: slug: 'Héllo wörld & more' is not URL-safe; the post's slug is 'hello-world-more'" in result.stderr
    assert (tmp_path / "out" / "2026" / "01" / "hello-world-more" / "index.html").is_file()
    assert run_blog("build", "--site", site, "--out", tmp_path / "strict", "--strict").exit_code == 1


def test_an_unquoted_colon_says_to_quote_the_value(make_site, run_blog):
    site = make_site({"posts/p.md": "---\ndate: 2026-01-01\ntitle: Colon: in title\n---\nx\n"})
    result = run_blog("build", "--site", site)
    assert result.exit_code == 1
    assert "error: posts/p.md:3: front matter is not valid YAML" in result.stderr
    assert 'title: "Colon: in title"' in result.stderr


def test_the_default_theme_ships_a_favicon_and_a_configured_one_wins(make_site, run_blog, tmp_path):
    site = make_site({"posts/p.md": by("Jane")})
    assert run_blog("build", "--site", site, "--out", tmp_path / "out").exit_code == 0
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in home
    assert (tmp_path / "out" / "favicon.svg").read_bytes().startswith(b"<svg")
    own = make_site(
        {"posts/p.md": by("Jane"), "static/img/mark.png": b"png"},
        DEFAULT_CONFIG.replace("[site]\n", '[site]\nfavicon = "img/mark.png"\n'),
        name="own",
    )
    assert run_blog("build", "--site", own, "--out", tmp_path / "own-out").exit_code == 0
    home = (tmp_path / "own-out" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="/img/mark.png">' in home and "favicon.svg" not in home


@needs_chromium
def test_loading_the_home_page_requests_nothing_missing(make_site, run_blog, tmp_path):
    site = make_site({"posts/p.md": by("Jane")})
    assert run_blog("build", "--site", site, "--out", tmp_path / "out").exit_code == 0
    with static_site_in_chromium(tmp_path / "out") as (page, base):
        failed: list[str] = []
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.on("response", lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None)
        page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
        page.goto(base + "/", wait_until="networkidle")
        page.wait_for_timeout(500)  # the browser asks for the icon after the page has loaded
    assert failed == []
    assert base + "/favicon.svg" in requested


HEADER = """<header class="site-header">
  <a href="{{ '/' | url }}"><img src="{{ '/img/logo.svg' | url }}" alt="{{ config.site.title }}"></a>
</header>
"""


def test_a_broken_link_in_a_template_is_reported_once_naming_the_template(make_site, run_blog):
    posts = {f"posts/2026-01-0{n}-p{n}.md": post(f"P{n}", tags="[x]", summary="s") for n in range(1, 4)}
    posts["posts/2026-01-04-own.md"] = post("Own", "A [broken link](/nowhere/).", tags="[x]", summary="s")
    site = make_site({**posts, "templates/partials/header.html": HEADER})
    result = run_blog("check", "--site", site)
    assert result.exit_code == 0, result.output
    logo = [line for line in result.stderr.splitlines() if "/img/logo.svg" in line]
    assert len(logo) == 1, result.stderr
    assert logo[0].startswith("warning: templates/partials/header.html:2: links to /img/logo.svg, which the build does not produce")
    assert "posts/2026-01-01-p1.md" not in result.stderr
    own = [line for line in result.stderr.splitlines() if "/nowhere/" in line]
    assert own and all("2026-01-04-own.md" in line for line in own)  # a post's own link: named by the post
    strict = run_blog("check", "--site", site, "--strict")
    assert strict.exit_code == 1
    assert sum(line.startswith("error:") and "/img/logo.svg" in line for line in strict.stderr.splitlines()) == 1


def test_a_broken_link_on_every_page_that_no_template_spells_is_reported_once(make_site, run_blog):
    config = DEFAULT_CONFIG.replace("[site]\n", '[site]\nfavicon = "missing.ico"\n')  # written by base.html from site.toml
    site = make_site({f"posts/2026-01-0{n}-p{n}.md": post(f"P{n}", tags="[x]", summary="s") for n in range(1, 3)}, config)
    result = run_blog("check", "--site", site)
    assert result.exit_code == 0, result.output
    icon = [line for line in result.stderr.splitlines() if "/missing.ico" in line]
    assert icon == ["warning: every page links to /missing.ico, which the build does not produce: a template or site.toml writes it"]
