"""A `.blog-cache/` written by someone else: no code runs, no traceback, the output is the clean build's.

CI restores the cache from a store other jobs can write. Each test builds the sample blog
(filling the cache), tampers with the cache as an attacker or a damaged disk would, makes
the next build look at every post again (new modification times), builds, and requires
the output byte for byte equal to a build that never had a cache, and that the canary file
a code-running payload would create does not exist.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
from pathlib import Path

import msgspec
import pytest
from conftest import copy_sample_site, run_blog_cli, tree_bytes
from PIL import Image

from generator.cache_files import KEY_VARIABLE, MAC_SIZE, MAGIC, seal
from generator.markdown import render_markdown

POSTS = 12  # the Markdown bodies of the sample: its 11 published posts and its About page (pages/about.md)
ALL_RENDERED = f"{POSTS} rendered, 0 cached"
HEADER = len(MAGIC) + MAC_SIZE  # before the payload of a sealed file


class CodeRunningPayload:
    """Unpickling this calls open(canary, "w"): if the canary exists, the cache ran code."""

    def __init__(self, canary: Path):
        self.canary = canary

    def __reduce__(self):
        return (open, (str(self.canary), "w"))


@pytest.fixture(scope="module")
def clean_output(tmp_path_factory) -> dict[str, bytes]:
    """The sample blog built with nothing cached: what every tampered build must give."""
    base = tmp_path_factory.mktemp("clean")
    site = copy_sample_site(base / "site")
    result = run_blog_cli("build", "--site", site, "--out", base / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    shutil.rmtree(site / ".blog-cache")
    return tree_bytes(base / "out")


@pytest.fixture
def built(tmp_path) -> Path:
    """A copy of the sample blog built once, so its cache is full."""
    site = copy_sample_site(tmp_path / "site")
    result = run_blog_cli("build", "--site", site, "--jobs", "1")
    assert result.exit_code == 0, result.output
    return site


def rebuild_after_touching_posts(site: Path) -> str:
    later = os.stat(site / "site.toml").st_mtime + 60
    for post in (site / "posts").rglob("*.md"):
        os.utime(post, (later, later))
    result = run_blog_cli("build", "--site", site, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def markdown_entries(site: Path) -> list[Path]:
    # Without the finished bodies post_cache.py keeps, the next build reads these entries.
    shutil.rmtree(site / ".blog-cache" / "posts")
    entries = sorted((site / ".blog-cache" / "markdown").rglob("*.msgpack"))
    assert len(entries) == POSTS  # one for each published post and page of the sample
    return entries


def sealed_for(entry: Path, payload: bytes) -> bytes:
    """What the generator itself would write for that entry (no BLOG_CACHE_KEY): passes the MAC."""
    return seal(entry.stem, payload)


def test_a_pickle_that_runs_code_in_every_entry_runs_nothing(built, clean_output, tmp_path):
    canary = tmp_path / "canary"
    payload = pickle.dumps(CodeRunningPayload(canary))
    for entry in markdown_entries(built):
        entry.write_bytes(payload)
        entry.with_suffix(".pickle").write_bytes(payload)  # where the old format kept it, too
    output = rebuild_after_touching_posts(built)
    assert not canary.exists()
    assert tree_bytes(built / "_site") == clean_output
    assert ALL_RENDERED in output  # the summary does not call them cached


def test_a_sealed_pickle_is_not_read_either(built, clean_output, tmp_path):
    canary = tmp_path / "canary"
    for entry in markdown_entries(built):
        entry.write_bytes(sealed_for(entry, pickle.dumps(CodeRunningPayload(canary))))
    rebuild_after_touching_posts(built)
    assert not canary.exists()
    assert tree_bytes(built / "_site") == clean_output


@pytest.mark.parametrize(
    "value",
    [42, [1, 2, 3], {"html_utf8": b"<p>x</p>"}, {"unrelated": "field"}, "a string", None],
    ids=["number", "list", "dict-missing-fields", "dict-wrong-fields", "text", "nil"],
)
def test_entries_of_the_wrong_shape_are_rendered_again(built, clean_output, value):
    for entry in markdown_entries(built):
        entry.write_bytes(sealed_for(entry, msgspec.msgpack.encode(value)))
    output = rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output
    assert ALL_RENDERED in output


def test_an_entry_with_fields_of_the_wrong_type_is_rendered_again(built, clean_output):
    for entry in markdown_entries(built):
        good = msgspec.msgpack.decode(entry.read_bytes()[HEADER:])
        good["word_count"] = "many"  # right fields, wrong type
        entry.write_bytes(sealed_for(entry, msgspec.msgpack.encode(good)))
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


def test_truncated_entries_are_rendered_again(built, clean_output):
    for entry in markdown_entries(built):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])
    output = rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output
    assert ALL_RENDERED in output


def test_a_build_record_naming_files_that_do_not_exist(built, clean_output):
    (record,) = (built / ".blog-cache" / "pages").glob("*.json")
    data = msgspec.json.decode(record.read_bytes()[HEADER:])
    data["pages"] = {f"missing/{name}": fingerprint for name, fingerprint in data["pages"].items()}
    data["pages"]["../../outside/index.html"] = "0" * 40
    record.write_bytes(seal(record.name, msgspec.json.encode(data)))
    shutil.rmtree(built / "_site" / "tags")  # and output files that are gone
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


def test_a_damaged_build_record_is_ignored(built, clean_output):
    (record,) = (built / ".blog-cache" / "pages").glob("*.json")
    for damage in (b"{", b"[]", b'{"pages": 3}', seal(record.name, b'{"generator": 1}'), record.read_bytes()[:-20]):
        record.write_bytes(damage)
        rebuild_after_touching_posts(built)
        assert tree_bytes(built / "_site") == clean_output


def test_up_to_date_needs_every_recorded_file(built, clean_output):
    """Nothing changed but files are gone from the output: the build puts them back."""
    (built / "_site" / "feed.xml").unlink()
    result = run_blog_cli("build", "--site", built, "--jobs", "1")
    assert result.exit_code == 0 and "up to date" not in result.output
    assert tree_bytes(built / "_site") == clean_output


def test_a_cached_picture_swapped_for_another_of_the_same_size(built, clean_output, tmp_path):
    copies = sorted((built / ".blog-cache" / "images").rglob("*.img"))
    assert copies, "the sample's route map has cached copies"
    for copy in copies:
        payload = copy.read_bytes()[HEADER:]
        with Image.open(io.BytesIO(payload)) as picture:
            size = picture.size
        other = tmp_path / "other.png"
        Image.new("RGB", size, (255, 0, 0)).save(other)  # a red picture of the same size
        copy.write_bytes(other.read_bytes())  # as the old format stored it: raw
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output
    for copy in copies:  # and the swapped copies were made again, sealed
        copy.write_bytes(seal("not-this-entry", other.read_bytes()))  # sealed, but for another entry
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


def test_with_a_cache_key_an_unsigned_entry_of_the_right_shape_is_ignored(tmp_path, clean_output, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    site = copy_sample_site(tmp_path / "site")
    assert run_blog_cli("build", "--site", site, "--jobs", "1").exit_code == 0
    forged = msgspec.msgpack.encode(render_markdown("<p>FORGED by another job</p>"))
    monkeypatch.delenv(KEY_VARIABLE)  # the attacker seals as a cache without the key would
    for entry in markdown_entries(site):
        entry.write_bytes(seal(entry.stem, forged))
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    output = rebuild_after_touching_posts(site)
    assert ALL_RENDERED in output
    out = tree_bytes(site / "_site")
    assert out == clean_output
    assert not any(b"FORGED" in data for data in out.values())


def test_entries_signed_with_the_key_are_used(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "k1")
    site = copy_sample_site(tmp_path / "site")
    assert run_blog_cli("build", "--site", site, "--jobs", "1").exit_code == 0
    output = rebuild_after_touching_posts(site)
    assert f"0 rendered, {POSTS} cached" in output
    monkeypatch.setenv(KEY_VARIABLE, "k2")  # a new secret: every entry is made again
    assert ALL_RENDERED in rebuild_after_touching_posts(site)


# --- the finished bodies (generator/post_cache.py): facts.msgpack and bodies/ab/<digest>.html ---


def post_store(site: Path) -> tuple[Path, list[Path]]:
    store = site / ".blog-cache" / "posts"
    bodies = sorted((store / "bodies").rglob("*.html"))
    assert len(bodies) == POSTS - 1  # the 11 published posts (pages are not kept there)
    return store / "facts.msgpack", bodies


def forged_facts(facts_file: Path, digest: str) -> bytes:
    """The facts file as the generator writes it, every post's body named `digest` (no BLOG_CACHE_KEY)."""
    stored = msgspec.msgpack.decode(facts_file.read_bytes()[HEADER:])
    for facts in stored["facts"].values():
        facts[0] = digest  # BodyFacts is stored as an array: the digest first
    return seal(facts_file.name, msgspec.msgpack.encode(stored))


@pytest.mark.parametrize("sealed", [False, True], ids=["raw", "sealed"])
def test_a_pickle_in_place_of_the_kept_facts_runs_nothing(built, clean_output, tmp_path, sealed):
    canary = tmp_path / "canary"
    facts_file, _bodies = post_store(built)
    payload = pickle.dumps(CodeRunningPayload(canary))
    facts_file.write_bytes(seal(facts_file.name, payload) if sealed else payload)
    rebuild_after_touching_posts(built)
    assert not canary.exists()
    assert tree_bytes(built / "_site") == clean_output


@pytest.mark.parametrize(
    "value",
    [42, {"context": "x", "facts": 3}, {"context": "x"}, {"context": 1, "facts": {}}, None],
    ids=["number", "facts-not-a-map", "missing-field", "wrong-type", "nil"],
)
def test_kept_facts_of_the_wrong_shape_are_ignored(built, clean_output, value):
    facts_file, _bodies = post_store(built)
    facts_file.write_bytes(seal(facts_file.name, msgspec.msgpack.encode(value)))
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


def test_kept_bodies_swapped_for_other_html_are_made_again(built, clean_output):
    _facts_file, bodies = post_store(built)
    for body in bodies:
        body.write_bytes(b"<p>FORGED by another job</p>")
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output  # pages reused: no body was read
    shutil.rmtree(built / "_site")  # now every page is made, reading every body
    rebuild_after_touching_posts(built)
    out = tree_bytes(built / "_site")
    assert out == clean_output
    assert not any(b"FORGED" in data for data in out.values())
    for body in bodies:  # and put right for the next build
        assert b"FORGED" not in body.read_bytes()


def test_kept_bodies_that_are_gone_are_made_again(built, clean_output):
    _facts_file, bodies = post_store(built)
    for body in bodies[::2]:
        body.unlink()
    shutil.rmtree(built / "_site")  # every page made: every body read
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


@pytest.mark.parametrize("digest", ["../../../../../../etc/passwd", "/etc/passwd", "ab", "A" * 40])
def test_a_kept_digest_that_is_not_a_digest_names_no_file(built, clean_output, digest):
    facts_file, _bodies = post_store(built)
    facts_file.write_bytes(forged_facts(facts_file, digest))
    rebuild_after_touching_posts(built)
    assert tree_bytes(built / "_site") == clean_output


def test_with_a_cache_key_forged_facts_and_bodies_are_ignored(tmp_path, clean_output, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    site = copy_sample_site(tmp_path / "site")
    assert run_blog_cli("build", "--site", site, "--jobs", "1").exit_code == 0
    facts_file, _bodies = post_store(site)
    forged = b"<p>FORGED by another job</p>"
    digest = hashlib.blake2b(forged, digest_size=20).hexdigest()
    planted = facts_file.parent / "bodies" / digest[:2] / f"{digest}.html"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(forged)  # a body that hashes to its name, as the generator writes one
    stored = msgspec.msgpack.decode(facts_file.read_bytes()[HEADER:])
    for facts in stored["facts"].values():
        facts[0] = digest  # BodyFacts is stored as an array: the digest first
    monkeypatch.delenv(KEY_VARIABLE)  # the attacker seals as a cache without the key would
    facts_file.write_bytes(seal(facts_file.name, msgspec.msgpack.encode(stored)))
    monkeypatch.setenv(KEY_VARIABLE, "a secret the attacker does not know")
    rebuild_after_touching_posts(site)
    out = tree_bytes(site / "_site")
    assert out == clean_output
    assert not any(b"FORGED" in data for data in out.values())
