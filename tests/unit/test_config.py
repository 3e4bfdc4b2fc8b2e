"""Stage 1: site.toml -> Config. Defaults, and every kind of mistake named by key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import BuildFailed, ConfigError


def errors_of(site: Path, **kwargs) -> list[ConfigError]:
    """The ConfigErrors load_config raises (one, or several in a BuildFailed)."""
    with pytest.raises((ConfigError, BuildFailed)) as caught:
        load_config(site, **kwargs)
    exc = caught.value
    errors = exc.errors if isinstance(exc, BuildFailed) else [exc]
    assert errors and all(isinstance(e, ConfigError) for e in errors)
    assert all(e.exit_code == 2 for e in errors)
    if isinstance(exc, BuildFailed):
        assert exc.exit_code == 2
    return errors


def only_error(site: Path, **kwargs) -> ConfigError:
    errors = errors_of(site, **kwargs)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_minimal_config_gets_the_documented_defaults(make_site):
    config = load_config(make_site({}))
    assert config.site.title == "Test Blog"
    assert config.site.base_url == "https://blog.example.com/"  # normalised with a trailing slash
    assert config.site.language == "en"
    assert config.site.timezone == "UTC"
    assert config.build.output_dir == "_site"
    assert config.build.theme == "default"
    assert config.build.permalink == "/{year}/{month}/{slug}/"
    assert config.build.posts_per_page == 10
    feeds = config.feeds
    assert (feeds.rss, feeds.atom, feeds.json_feed, feeds.per_tag, feeds.per_author, feeds.full_content) == (True,) * 6
    assert feeds.limit == 20
    assert config.comments.provider == "none"
    assert config.authors == {}


def test_root_and_output_dir_are_resolved_from_the_site_folder(make_site):
    site = make_site({})
    config = load_config(site)
    assert config.root == site.resolve()
    assert config.posts_dir == site.resolve() / "posts"
    assert config.output_dir == site.resolve() / "_site"


def test_full_config_is_read(make_site):
    site = make_site(
        {},
        config="""
[site]
title = "Example Engineering"
base_url = "https://blog.example.com/eng/"
language = "pt-BR"
timezone = "Europe/Lisbon"

[authors.jane]
name = "Jane Doe"
url = "https://example.com/jane"

[build]
permalink = "/{year}/{month}/{day}/{slug}/"
posts_per_page = 3

[feeds]
json = false
limit = 5

[comments]
provider = "giscus"
load = "click"
[comments.giscus]
repo = "example/blog"
repo_id = "R_1"
category = "Comments"
category_id = "DIC_1"
""",
    )
    config = load_config(site)
    assert config.site.base_url == "https://blog.example.com/eng/"
    assert config.zone.key == "Europe/Lisbon"
    assert config.authors["jane"].name == "Jane Doe"
    assert config.build.posts_per_page == 3
    assert config.feeds.json_feed is False and config.feeds.limit == 5
    assert config.comments.provider == "giscus" and config.comments.load == "click"


def test_missing_site_toml_is_a_config_error(tmp_path):
    error = only_error(tmp_path)
    assert "site.toml" in error.message


def test_missing_base_url_names_the_key(make_site):
    site = make_site({}, config='[site]\ntitle = "T"\n')
    error = only_error(site)
    assert error.key == "site.base_url"
    assert "site.base_url" in error.message and "required" in error.message
    assert error.path == site / "site.toml"


def test_missing_title_names_the_key(make_site):
    error = only_error(make_site({}, config='[site]\nbase_url = "https://e.com"\n'))
    assert error.key == "site.title"


@pytest.mark.parametrize("url", ["/blog", "blog.example.com", "ftp://example.com", "https://", "https://e.com/?x=1"])
def test_base_url_must_be_absolute_http(make_site, url):
    site = make_site({}, config=f'[site]\ntitle = "T"\n# a comment\nbase_url = "{url}"\n')
    error = only_error(site)
    assert error.key == "site.base_url"
    assert error.line == 4


def test_unknown_key_is_an_error_with_its_line(make_site):
    site = make_site({}, config='[site]\ntitle = "T"\nbase_url = "https://e.com"\ntitel = "typo"\n')
    error = only_error(site)
    assert error.key == "site.titel"
    assert "not a known setting" in error.message
    assert error.line == 4


def test_unknown_table_names_its_own_line_and_the_nearest_name(make_site):
    # `[comment.giscus]` (for `[comments.giscus]`) below a real `[comments]` table: the error is
    # on the typo's line, not on the `[comments]` header that merely contains the word.
    lines = ["[site]", 'title = "T"', 'base_url = "https://e.com"'] + ["# padding"] * 14
    lines += ["[comments]", 'provider = "none"', 'load = "lazy"', ""]  # [comments] on line 18
    lines += ["[comment.giscus]", 'repo = "a/b"']  # line 22
    error = only_error(make_site({}, config="\n".join(lines) + "\n"))
    assert error.key == "comment"
    assert error.line == 22
    assert "did you mean comments?" in error.message


@pytest.mark.parametrize(
    ("toml", "key", "line", "suggestion"),
    [
        ('[build]\ntheme = "default"\npermlink = "/{slug}/"\n', "build.permlink", 6, "permalink"),
        ("[feeds]\njsn = false\n", "feeds.jsn", 5, "json"),
        ('[authors.dana]\nname = "Dana"\nboi = "x"\n', "authors.dana.boi", 6, "bio"),
        ('[[menu]]\nname = "A"\nurl = "/a/"\n[[menu]]\nname = "B"\nurl = "/b/"\nnme = "x"\n', "menu.1.nme", 10, "name"),
        (
            '[comments.giscus]\nrepo = "a/b"\nrepo_id = "R"\ncategory = "C"\ncategory_id = "D"\nmaping = "url"\n',
            "comments.giscus.maping",
            9,
            "mapping",
        ),
        ("[build]\nzzzz = 1\n", "build.zzzz", 5, None),
    ],
)
def test_unknown_key_at_any_level_suggests_the_nearest_known_name(make_site, toml, key, line, suggestion):
    site = make_site({}, config='[site]\ntitle = "T"\nbase_url = "https://e.com"\n' + toml)
    error = only_error(site)
    assert error.key == key and error.line == line
    if suggestion:
        assert f"(did you mean {suggestion}?)" in error.message
    else:
        assert "did you mean" not in error.message


def test_unknown_table_is_an_error(make_site):
    site = make_site({}, config='[site]\ntitle = "T"\nbase_url = "https://e.com"\n\n[biuld]\ntheme = "default"\n')
    error = only_error(site)
    assert error.key == "biuld"
    assert error.line == 5


def test_wrong_type_names_key_and_line(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n\n[build]\ntheme = "default"\nposts_per_page = "ten"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "build.posts_per_page"
    assert "build.posts_per_page" in error.message
    assert error.line == 7


@pytest.mark.parametrize("value", ["0", "-1", "100000"])
def test_posts_per_page_out_of_range(make_site, value):
    config = f'[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\nposts_per_page = {value}\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "build.posts_per_page" and error.line == 5


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("/{year}/{title}/", "{title}"),
        ("/{year}/{month}/", "{slug}"),
        ("{year}/{slug}/", "start with"),
        ("/../{slug}/", ".."),
    ],
)
def test_bad_permalink_pattern(make_site, pattern, words):
    config = f'[site]\ntitle = "T"\nbase_url = "https://e.com"\n\n[build]\npermalink = "{pattern}"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "build.permalink"
    assert words in error.message
    assert error.line == 6


def test_unknown_timezone(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\ntimezone = "Mars/Olympus"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "site.timezone"
    assert "Mars/Olympus" in error.message
    assert error.line == 4


def test_unknown_language(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\nlanguage = "xx-notalanguage"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "site.language" and error.line == 4


def test_unknown_theme(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n\n[build]\ntheme = "nope"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "build.theme"
    assert "nope" in error.message
    assert error.line == 6


def test_theme_name_cannot_escape_the_themes_folder(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\ntheme = "../default"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "build.theme"


def test_site_theme_folder_is_found(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\ntheme = "mine"\n'
    site = make_site({"themes/mine/templates/base.html": "<html></html>"}, config=config)
    assert load_config(site).build.theme == "mine"


def test_toml_syntax_error_has_its_line(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\ndescription = = "x"\n'
    error = only_error(make_site({}, config=config))
    assert "TOML" in error.message
    assert error.line == 4


def test_bad_author_url_and_key(make_site):
    config = '[site]\ntitle = "T"\nbase_url = "https://e.com"\n\n[authors.jane]\nname = "Jane"\nurl = "javascript:alert(1)"\n'
    error = only_error(make_site({}, config=config))
    assert error.key == "authors.jane.url"
    assert error.line == 7


def test_every_problem_is_reported_at_once(make_site):
    config = '[site]\ntitel = "T"\nbase_url = "nope"\n[build]\nposts_per_page = "ten"\n'
    keys = {e.key for e in errors_of(make_site({}, config=config))}
    assert {"site.title", "site.titel", "site.base_url", "build.posts_per_page"} <= keys


def test_base_url_override(make_site):
    site = make_site({}, config='[site]\ntitle = "T"\nbase_url = "https://e.com"\n')
    assert load_config(site, base_url="https://preview.example.com/pr-7").site.base_url == "https://preview.example.com/pr-7/"


def test_base_url_override_supplies_a_missing_base_url(make_site):
    site = make_site({}, config='[site]\ntitle = "T"\n')
    assert load_config(site, base_url="https://preview.example.com").site.base_url == "https://preview.example.com/"


def test_base_url_override_is_validated(make_site):
    error = only_error(make_site({}), base_url="not a url")
    assert error.key == "site.base_url"


# --- through the command line: exit code 2 and the message on stderr ---------------------------


@pytest.mark.parametrize(
    "config, words",
    [
        ('[site]\ntitle = "T"\n', "site.base_url"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\ntitel = "x"\n', "site.toml:4: site.titel"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\nposts_per_page = "ten"\n', "site.toml:5: build.posts_per_page"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\npermalink = "/{x}/"\n', "site.toml:5: build.permalink"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\ntimezone = "No/Where"\n', "site.toml:4: site.timezone"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\n[build]\ntheme = "nope"\n', "site.toml:5: build.theme"),
        ('[site]\ntitle = "T"\nbase_url = "https://e.com"\n[[[\n', "site.toml:4"),
    ],
    ids=["missing-base-url", "unknown-key", "wrong-type", "permalink", "timezone", "theme", "toml-syntax"],
)
def test_cli_config_errors_exit_2_naming_key_and_line(make_site, run_blog, tmp_path, config, words):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n"}, config=config)
    result = run_blog("build", "--site", site, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_cli_base_url_override_changes_links(make_site, run_blog, tmp_path):
    site = make_site({"posts/2026-01-01-a.md": "---\ntitle: A\n---\nx\n"})
    out = tmp_path / "out"
    result = run_blog("build", "--site", site, "--out", out, "--base-url", "https://preview.example.com/pr-7/")
    assert result.exit_code == 0, result.output
    page = (out / "2026/01/a/index.html").read_text(encoding="utf-8")
    assert 'href="/pr-7/2026/01/a/"' in page or "https://preview.example.com/pr-7/2026/01/a/" in page
    assert "blog.example.com" not in page
    assert "<loc>https://preview.example.com/pr-7/2026/01/a/</loc>" in (out / "sitemap.xml").read_text()


def test_cli_bad_base_url_override_exits_2(make_site, run_blog, tmp_path):
    site = make_site({})
    result = run_blog("build", "--site", site, "--out", tmp_path / "out", "--base-url", "relative/path")
    assert result.exit_code == 2
    assert "site.base_url" in result.stderr
