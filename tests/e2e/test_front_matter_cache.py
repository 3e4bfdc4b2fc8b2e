"""Front matter parsed once: a build reads the YAML of only the posts whose front matter changed.

Every test builds with `blog build` and compares the output, byte for byte, with a build of a
fresh copy of the same input that never had a cache. YAML parses are counted by wrapping
content._load_yaml (the one place posts' front matter is parsed).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import msgspec
import pytest
from conftest import copy_sample_site, post, run_blog_cli, tree_bytes, write_site

from generator import content
from generator.cache_files import KEY_VARIABLE, seal
from generator.config import load_config
from generator.content import load_content
from generator.front_matter_cache import FILE, FOLDER, CachedPost, FrontMatterCache, plain_data

CACHE = Path(".blog-cache") / FOLDER / FILE


@pytest.fixture
def yaml_parses(monkeypatch) -> list[Path]:
    """The posts (under posts/) whose front matter is parsed from now on, in order."""
    parsed: list[Path] = []
    load_yaml = content._load_yaml

    def counting(fm_text, path, first_line):
        if "posts" in Path(path).parts:
            parsed.append(Path(path))
        return load_yaml(fm_text, path, first_line)

    monkeypatch.setattr(content, "_load_yaml", counting)
    return parsed


def build(site: Path, *args: str) -> str:
    result = run_blog_cli("build", "--site", site, "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def clean_build(site: Path, work: Path) -> dict[str, bytes]:
    """The output of a build of a fresh copy of `site`'s input, with no cache at all."""
    copy = work / "clean" / "site"
    if copy.parent.exists():
        shutil.rmtree(copy.parent)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".blog-cache", "_site"))
    build(copy)
    return tree_bytes(copy / "_site")


def touch_all(site: Path) -> None:
    """New modification times: the build is no longer up to date, and every post is read again."""
    later = os.stat(site / "site.toml").st_mtime + 60
    for path in (site / "posts").rglob("*.md"):
        os.utime(path, (later, later))


def markdown_posts(site: Path) -> list[Path]:
    return sorted(p for p in (site / "posts").rglob("*.md") if p.stem.lower() != "readme")


@pytest.fixture
def sample(tmp_path) -> Path:
    site = copy_sample_site(tmp_path / "site")
    build(site)
    assert (site / CACHE).is_file()
    return site


def test_a_rebuild_parses_no_front_matter_and_writes_the_same_output(sample, tmp_path, yaml_parses):
    first = tree_bytes(sample / "_site")
    touch_all(sample)
    build(sample)
    assert yaml_parses == []
    assert tree_bytes(sample / "_site") == first == clean_build(sample, tmp_path)


def test_one_post_changed_parses_one_front_matter(sample, tmp_path, yaml_parses):
    body_changed, title_changed = markdown_posts(sample)[:2]
    body_changed.write_text(body_changed.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    text = title_changed.read_text(encoding="utf-8")
    title_changed.write_text(text.replace("---\n", "---\nsubtitle: a key added\n", 1), encoding="utf-8")
    output = build(sample)
    assert yaml_parses == [title_changed]  # the body's change needs no YAML
    assert "A new closing line." in "".join(p.decode("utf-8", "replace") for p in tree_bytes(sample / "_site").values())
    assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)
    assert "1 rendered" in output  # the Markdown cache keys on the bodies: one changed


def test_front_matter_edited_in_place_with_the_old_size_and_time_is_read_again(sample, tmp_path, yaml_parses):
    """The entry is checked against the front matter's own bytes, not the file's size and time."""
    path = markdown_posts(sample)[0]
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    at = next(i for i, ch in enumerate(title_line) if i > 7 and "a" <= ch <= "z")
    swapped = title_line[:at] + title_line[at].upper() + title_line[at + 1 :]
    path.write_text(text.replace(title_line, swapped, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    build(sample)
    assert yaml_parses == [path]
    assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)


def test_notes_are_reported_on_every_build(make_site, yaml_parses):
    site = make_site(
        {
            "posts/2026-01-05-commas.md": post("Commas", tags="'release, python'"),
            "posts/2026-01-06-spaces.md": post("Spaces", slug="'my first post'"),
        }
    )
    warnings = ["tags: 'release, python' is one tag holding commas", "slug: 'my first post' is not URL-safe"]
    first = build(site)
    assert all(w in first for w in warnings)
    assert len(yaml_parses) == 2
    touch_all(site)
    second = build(site)  # from the cache
    assert len(yaml_parses) == 2
    assert all(w in second for w in warnings)
    assert "my-first-post" in {p.parent.name for p in (site / "_site").rglob("index.html")}
    third = build(site)  # up to date
    assert "is up to date" in third and all(w in third for w in warnings)
    strict = run_blog_cli("build", "--site", site, "--jobs", "1", "--strict", "--out", site / "strict")
    assert strict.exit_code == 1 and all(w in strict.output for w in warnings)


def test_a_new_time_zone_dates_cached_posts_again(make_site, tmp_path):
    config = '[site]\ntitle = "T"\nbase_url = "https://blog.example.com"\ntimezone = "{}"\n'
    files = {
        "posts/2026-01-05-from-the-name.md": post("From the name"),
        "posts/written.md": post("Written", date="2026-01-06 23:30"),
        "posts/offset.md": post("Offset", date="2026-01-07T10:00:00+05:00", updated="2026-01-08"),
    }
    site = make_site(files, config.format("Pacific/Auckland"))
    build(site)
    (site / "site.toml").write_text(config.format("America/Los_Angeles"), encoding="utf-8")
    build(site)
    assert tree_bytes(site / "_site") == clean_build(site, tmp_path)


def test_a_renamed_post_takes_its_new_name(sample, tmp_path, yaml_parses):
    path = sample / "posts" / "2026-01-05-first-name.md"
    path.write_text(post("Renamed later", tags="[release]", summary="S."), encoding="utf-8")
    build(sample)
    moved = path.with_name("2026-02-06-a-new-name.md")
    path.rename(moved)
    yaml_parses.clear()
    build(sample)
    assert yaml_parses == [moved]
    assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)


def test_a_deleted_post_leaves_the_cache(sample):
    gone = sample / "posts" / "2026-01-05-short-lived.md"
    gone.write_text(post("Short-lived", tags="[release]", summary="S."), encoding="utf-8")
    build(sample)
    assert "2026-01-05-short-lived.md" in FrontMatterCache(sample).old
    gone.unlink()
    build(sample)
    cache = FrontMatterCache(sample)
    assert gone.relative_to(sample / "posts").as_posix() not in cache.old
    assert len(cache.old) == len(markdown_posts(sample))


def test_check_and_clean(sample, yaml_parses):
    """`blog check` reads the cache but writes none; `--clean` parses every post again."""
    (sample / CACHE).unlink()
    result = run_blog_cli("check", "--site", sample)
    assert result.exit_code == 0, result.output
    assert not (sample / CACHE).exists()
    count = len(yaml_parses)
    assert count == len(markdown_posts(sample))
    build(sample, "--clean")
    assert len(yaml_parses) == 2 * count and (sample / CACHE).is_file()


def test_values_messagepack_would_change_are_not_cached(make_site, tmp_path, yaml_parses):
    """A YAML set or ordered map would come back as lists: such a post is parsed every time."""
    site = make_site(
        {
            "posts/2026-01-05-set.md": post("Set", flavours="!!set {a, b}"),
            "posts/2026-01-06-plain.md": post("Plain", numbers="[1, 2.5, true, null, 18446744073709551616]"),
            "posts/2026-01-07-fine.md": post("Fine", nested="{a: [1, {b: c}], 2: x}"),
        }
    )
    build(site)
    touch_all(site)
    build(site)
    assert sorted(p.name for p in yaml_parses) == [
        "2026-01-05-set.md",
        "2026-01-05-set.md",
        "2026-01-06-plain.md",
        "2026-01-06-plain.md",
        "2026-01-07-fine.md",
    ]
    assert tree_bytes(site / "_site") == clean_build(site, tmp_path)


# --- A cache someone else wrote: ignored, never trusted beyond its shape ---------------------


def entries(site: Path) -> dict[str, CachedPost]:
    cache = FrontMatterCache(site)
    assert cache.old
    return cache.old


def write_cache(site: Path, payload: bytes, sealed: bool = True) -> None:
    (site / CACHE).write_bytes(seal(FILE, payload) if sealed else payload)


def forged(site: Path, change) -> bytes:
    """The site's own cache file with every entry changed by `change`, as the generator seals it."""
    cache = FrontMatterCache(site)
    from generator.code_digest import generator_digest

    posts = {rel: change(entry) for rel, entry in cache.old.items()}
    return msgspec.msgpack.encode({"generator": generator_digest(), "posts": posts})


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not a cache",
        msgspec.msgpack.encode({"generator": "x", "posts": {}}),
        msgspec.msgpack.encode([1, 2, 3]),
        msgspec.msgpack.encode({"generator": "x", "posts": {"a.md": [1, 2]}}),
    ],
)
def test_damaged_or_foreign_files_are_ignored(sample, tmp_path, yaml_parses, payload):
    write_cache(sample, payload)
    touch_all(sample)
    build(sample)
    assert len(yaml_parses) == len(markdown_posts(sample))
    assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)
    assert len(entries(sample)) == len(markdown_posts(sample))  # and written again


def test_a_truncated_or_unsealed_file_is_ignored(sample, tmp_path, yaml_parses):
    data = (sample / CACHE).read_bytes()
    for damaged, sealed in [(data[: len(data) // 2], False), (data[:-1] + bytes([data[-1] ^ 1]), False), (data[50:], True)]:
        write_cache(sample, damaged, sealed)
        touch_all(sample)
        build(sample)
        assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)
    assert len([p for p in yaml_parses if p.is_relative_to(sample)]) == 3 * len(markdown_posts(sample))


@pytest.mark.parametrize(
    "change",
    [
        lambda e: msgspec.structs.replace(e, slug="../../../escaped"),
        lambda e: msgspec.structs.replace(e, aliases=("/../../outside/",)),
        lambda e: msgspec.structs.replace(e, date="not a date"),
        lambda e: msgspec.structs.replace(e, extra={"x": msgspec.msgpack.Ext(1, b"code?")}),
    ],
    ids=["escaping slug", "escaping alias", "bad date", "extension type"],
)
def test_forged_entries_that_validation_would_refuse_are_read_again(sample, tmp_path, yaml_parses, change):
    write_cache(sample, forged(sample, change))
    touch_all(sample)
    build(sample)
    assert len(yaml_parses) == len(markdown_posts(sample))
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "outside").exists()
    assert tree_bytes(sample / "_site") == clean_build(sample, tmp_path)


def test_with_a_cache_key_an_unsigned_file_is_ignored(tmp_path, monkeypatch, yaml_parses):
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    site = copy_sample_site(tmp_path / "site")
    build(site)
    monkeypatch.delenv(KEY_VARIABLE)  # the attacker seals as a cache without the key would
    payload = forged(site, lambda e: msgspec.structs.replace(e, title="Forged title"))
    write_cache(site, payload)
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    touch_all(site)
    yaml_parses.clear()
    build(site)
    assert len(yaml_parses) == len(markdown_posts(site))
    output = tree_bytes(site / "_site")
    assert not any(b"Forged title" in data for data in output.values())
    monkeypatch.delenv(KEY_VARIABLE)
    assert output == clean_build(site, tmp_path)


# --- The cache against the parser, post by post ----------------------------------------------


def assert_same_post(a: content.SourcePost, b: content.SourcePost) -> None:
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        assert x == y and type(x) is type(y), (a.source, field.name, x, y)
    for name in ("date", "updated"):
        x, y = getattr(a, name), getattr(b, name)
        if x is not None:
            assert (x.isoformat(), x.tzinfo, x.fold) == (y.isoformat(), y.tzinfo, y.fold)


def same_posts_from_the_cache(site: Path) -> int:
    config = load_config(site)
    shutil.rmtree(site / ".blog-cache", ignore_errors=True)
    plain = load_content(config)
    load_content(config, FrontMatterCache(site))  # fills it
    cache = FrontMatterCache(site)
    cached = load_content(config, cache)
    assert cache.hits == len(plain.posts)
    for a, b in zip(plain.posts, cached.posts, strict=True):
        assert_same_post(a, b)
    assert plain.warnings == cached.warnings
    return len(plain.posts)


def test_every_post_of_a_generated_corpus_comes_back_the_same(corpus):
    assert same_posts_from_the_cache(corpus(300)) == 300


def test_every_post_of_the_real_corpus_comes_back_the_same(real_corpus, tmp_path):
    site = tmp_path / "real"
    shutil.copytree(real_corpus / "posts", site / "posts")
    shutil.copy(real_corpus / "site.toml", site / "site.toml")
    assert same_posts_from_the_cache(site) > 500


def test_every_post_of_the_sample_comes_back_the_same(tmp_path):
    assert same_posts_from_the_cache(copy_sample_site(tmp_path / "site")) >= 10


def test_odd_front_matter_comes_back_the_same(tmp_path):
    site = write_site(
        tmp_path / "odd",
        {
            "posts/2026-01-05-numbers.md": post(2024, slug="1.0", tags="[2024, 1.5]", summary="3", id="7"),
            "posts/2026-01-06-binary.md": post("Binary", blob="!!binary aGVsbG8=", when="2026-01-01", empty="", nothing="~"),
            "posts/2026-01-07-crlf.md": b"---\r\ntitle: CRLF\r\ndate: 2026-01-07 10:00 -0700\r\n---\r\nBody\r\n",
            "posts/2026-02-30-impossible.md": post("Dated anyway", date="2026-02-28"),
            "posts/deep/nested/post.markdown": post("Nested", date="2026-01-09", author="[ann, bob]", description="From description"),
            "posts/2026-01-10-aliases.md": post("Aliases", aliases="[/old/one/, /old/two.html]", draft="true", comments="false"),
            "posts/2026-01-11-anchors.md": post("Anchors", base="&b {k: v}", copy="*b"),
        },
    )
    assert same_posts_from_the_cache(site) == 7


def test_plain_data():
    assert plain_data({"a": [1, 2.5, True, None, b"x", {"b": "c"}], 3: "x"})
    assert not plain_data({1, 2})
    assert not plain_data([(1, 2)])
    assert not plain_data(2**64)
    assert not plain_data({(1, 2): "x"})
    assert not plain_data({"x": msgspec.msgpack.Ext(1, b"")})
