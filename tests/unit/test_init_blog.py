"""blog init's files: what a new blog holds, never overwriting, requirements.txt for each way
the generator can be installed (PEP 610 direct_url.json), and a site.toml naming every setting."""

from __future__ import annotations

import json
import re
import tomllib
import typing
from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from generator.config import Config, load_config
from generator.content import load_content
from generator.errors import ConfigError
from generator.init import (
    HELP,
    InitOptions,
    Requirement,
    blog_files,
    init_blog,
    requirement_from,
    site_toml,
    title_from_folder,
    write_new_files,
)

TODAY = date(2026, 12, 2)
PINNED = Requirement("blog-generator==0.1.0\n")
EXPECTED_FILES = {
    "site.toml",
    "posts/2026-12-02-welcome.md",
    "pages/about.md",
    "static/favicon.svg",
    ".gitignore",
    "requirements.txt",
    ".github/workflows/publish.yml",
}


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models(arg)]


def _tables(model: type[BaseModel], path: str) -> dict[str, set[str]]:
    """Every table of site.toml as the models define it (`comments.giscus`), with its keys;
    `authors` stands for each [authors.KEY], `menu` for each [[menu]] item."""
    tables: dict[str, set[str]] = {path: set()} if path else {}
    for name, info in model.model_fields.items():
        inner = _models(info.annotation)
        if inner:
            tables.update(_tables(inner[0], f"{path}.{name}".lstrip(".")))
        else:
            tables[path].add(info.alias or name)
    return tables


def _written_tables(text: str) -> dict[str, set[str]]:
    """The tables of site.toml's text, commented or not, with the keys written (or shown) in each."""
    tables: dict[str, set[str]] = {}
    current = ""
    for line in text.splitlines():
        header = re.match(r"^(?:#\s*)?\[\[?([A-Za-z0-9_.\"-]+)\]\]?\s*(#.*)?$", line)
        if header:
            current = header.group(1)
            current = "authors" if current.startswith("authors.") else current
            tables.setdefault(current, set())
            continue
        key = re.match(r"^(?:#\s*)?([A-Za-z_]+)\s*=", line)
        if key and current:
            tables[current].add(key.group(1))
    return tables


def _site(tmp_path: Path, options: InitOptions, requirement: Requirement = PINNED) -> Path:
    root = tmp_path / "blog"
    init_blog(root, options, TODAY, requirement)
    return root


# -- the files ----------------------------------------------------------------------------------


def test_a_new_blog_has_every_file(tmp_path):
    root = tmp_path / "blog"
    report, requirement = init_blog(root, InitOptions("Acme Engineering"), TODAY, PINNED)
    assert set(report.made) == EXPECTED_FILES and report.kept == []
    assert {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} == EXPECTED_FILES
    assert (root / "requirements.txt").read_text(encoding="utf-8") == "blog-generator==0.1.0\n"
    assert (root / "static/favicon.svg").read_bytes().startswith(b"<svg ")
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("_site/", ".blog-cache/", ".*.staging-*/", ".*.old-*/"):
        assert pattern in ignored


def test_the_first_post_and_the_about_page(tmp_path):
    root = _site(tmp_path, InitOptions("Acme", author_key="jane", author_name="Jane Doe"))
    config = load_config(root)
    (post,) = load_content(config).posts
    assert post.title == "Welcome to Acme"
    assert post.date.date() == TODAY
    assert post.tags and post.summary and post.authors == ("jane",) and not post.draft
    assert "blog new" in post.body and "blog serve" in post.body
    front = yaml.safe_load((root / "pages/about.md").read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == "About" and front["menu"] is True


def test_nothing_is_ever_overwritten(tmp_path):
    root = tmp_path / "blog"
    (root / "posts").mkdir(parents=True)
    (root / "site.toml").write_text("mine", encoding="utf-8")
    (root / "pages" / "about.md").mkdir(parents=True)  # a folder where a file would go
    report, _ = init_blog(root, InitOptions("Acme"), TODAY, PINNED)
    assert sorted(report.kept) == ["pages/about.md", "site.toml"]
    assert (root / "site.toml").read_text(encoding="utf-8") == "mine"
    again, _ = init_blog(root, InitOptions("Other"), TODAY, PINNED)
    assert again.made == [] and sorted(again.kept) == sorted(EXPECTED_FILES)


def test_write_new_files_keeps_existing_bytes(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"old")
    report = write_new_files(tmp_path, [("a.txt", "new"), ("sub/b.bin", b"\x00")])
    assert report.made == ["sub/b.bin"] and report.kept == ["a.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"old"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (InitOptions(" "), "--title"),
        (InitOptions("A", url="example.com"), "--url"),
        (InitOptions("A", url="ftp://example.com/"), "--url"),
        (InitOptions("A", author_key="jane"), "--author-name"),
        (InitOptions("A", author_name="Jane"), "--author"),
        (InitOptions("A", author_key="../x", author_name="X"), "--author"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, options, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        init_blog(tmp_path / "blog", options, TODAY, PINNED)
    assert caught.value.exit_code == 2
    assert not (tmp_path / "blog").exists()


def test_the_title_comes_from_the_folder(tmp_path):
    assert title_from_folder(tmp_path / "acme-eng_blog") == "Acme Eng Blog"
    assert title_from_folder(tmp_path / "iOS notes") == "IOS Notes"


# -- site.toml --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        InitOptions("Acme Engineering"),
        InitOptions('Quotes " and \\ back\tslash', url="https://x.github.io/blog", author_key="j.doe-1", author_name='Jo "JD" Doe'),
    ],
)
def test_site_toml_loads_and_names_every_setting_of_every_section(tmp_path, options):
    root = _site(tmp_path, options)
    config = load_config(root)
    assert config.site.title == options.title
    assert config.site.base_url == options.url.rstrip("/") + "/"
    assert config.site.favicon == "favicon.svg" and (root / "static" / config.site.favicon).is_file()
    if options.author_key:
        assert config.authors[options.author_key].name == options.author_name
    text = (root / "site.toml").read_text(encoding="utf-8")
    expected, written = _tables(Config, ""), _written_tables(text)
    assert set(expected) == {
        "site",
        "authors",
        "build",
        "feeds",
        "search",
        "menu",
        "comments",
        *(f"comments.{p}" for p in ("giscus", "utterances", "disqus", "isso", "remark42", "cusdis")),
    }
    for table, keys in expected.items():
        assert table in written, f"[{table}] is not in site.toml"
        assert keys <= written[table], f"[{table}] does not mention {sorted(keys - written[table])}"
        for key in keys:
            assert HELP[f"{table}.{key}"], f"{table}.{key} has no explanation"


def test_every_commented_default_is_the_models_default(tmp_path):
    """Uncommenting the defaults of [build], [feeds], [search] and [comments] changes nothing."""
    text = site_toml(InitOptions("Acme"), TODAY)
    uncommented, table = [], ""
    for line in text.splitlines():
        header = re.match(r"^\[(\w+)\]$", line)
        if header:
            table = header.group(1)
        elif re.match(r"^#?\s*\[", line):
            table = ""
        if table in ("build", "feeds", "search", "comments"):
            uncommented.append(re.sub(r"^# (\w+ = )", r"\1", line))
        elif not line.startswith("#"):
            uncommented.append(line)
    data = tomllib.loads("\n".join(uncommented))
    assert Config.model_validate(data).model_dump(exclude={"site", "authors"}) == Config.model_validate({"site": data["site"]}).model_dump(
        exclude={"site", "authors"}
    )
    assert set(data["build"]) >= {"output_dir", "theme", "permalink", "posts_per_page"}


def test_blog_files_are_text_or_bytes_with_relative_paths():
    for rel, content in blog_files(InitOptions("Acme"), TODAY, PINNED):
        assert not Path(rel).is_absolute() and ".." not in Path(rel).parts
        assert isinstance(content, str | bytes)


# -- requirements.txt -----------------------------------------------------------------------------


def _direct_url(**data) -> str:
    return json.dumps(data)


def test_requirement_from_a_package_index():
    assert requirement_from(None, "1.2.3") == Requirement("blog-generator==1.2.3\n")


def test_requirement_from_a_git_repository_pins_the_commit():
    text = _direct_url(
        url="https://github.com/acme/blog-generator",
        vcs_info={"vcs": "git", "commit_id": "4f1c2a9e" * 5, "requested_revision": "v0.1.0"},
    )
    requirement = requirement_from(text, "0.1.0")
    assert requirement.text == f"blog-generator @ git+https://github.com/acme/blog-generator@{'4f1c2a9e' * 5}\n"
    assert requirement.warning is None


def test_requirement_from_a_git_subdirectory():
    text = _direct_url(url="https://git.example.com/tools.git", subdirectory="blog", vcs_info={"vcs": "git", "commit_id": "abc123"})
    assert requirement_from(text).text == "blog-generator @ git+https://git.example.com/tools.git@abc123#subdirectory=blog\n"


@pytest.mark.parametrize(
    "text",
    [
        _direct_url(url="file:///home/me/blog-generator", dir_info={"editable": True}),
        _direct_url(url="file:///home/me/blog-generator", dir_info={}),
        _direct_url(url="file:///tmp/dist/blog_generator-0.1.0-py3-none-any.whl", archive_info={"hashes": {"sha256": "ab" * 32}}),
        _direct_url(url="file:///home/me/clone", vcs_info={"vcs": "git", "commit_id": "abc"}),
        "not json",
        _direct_url(no_url=True),
    ],
)
def test_requirement_from_this_machine_is_a_line_to_complete(text):
    requirement = requirement_from(text, "0.1.0")
    assert requirement.warning and "requirements.txt" in requirement.warning
    lines = requirement.text.splitlines()
    assert all(line.startswith("#") for line in lines)  # pip installs nothing it cannot find
    assert "# blog-generator @ git+https://github.com/<you>/blog-generator@v0.1.0" in lines
    assert "/home/me" not in requirement.text or "file:///home/me" in requirement.text


def test_requirement_from_a_remote_archive_keeps_its_hash():
    url = "https://files.example.com/blog_generator-0.1.0-py3-none-any.whl"
    with_hashes = requirement_from(_direct_url(url=url, archive_info={"hashes": {"sha256": "cd" * 32}}))
    assert with_hashes == Requirement(f"blog-generator @ {url}#sha256={'cd' * 32}\n")
    legacy = requirement_from(_direct_url(url=url, archive_info={"hash": "sha256=" + "ef" * 32}))
    assert legacy.text == f"blog-generator @ {url}#sha256={'ef' * 32}\n"
    assert requirement_from(_direct_url(url=url, archive_info={})).text == f"blog-generator @ {url}\n"
