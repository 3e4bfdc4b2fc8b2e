"""urls.py: permalinks, links under the base URL, absolute URLs, output paths, safe segments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from generator.urls import Urls, author_path, list_page_path, output_path, permalink, tag_path, unsafe_segment_reason

DATE = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("/{year}/{month}/{slug}/", "/2026/03/hello/"),
        ("/{year}/{month}/{day}/{slug}/", "/2026/03/07/hello/"),
        ("/{slug}/", "/hello/"),
        ("/blog/{year}/{slug}.html", "/blog/2026/hello.html"),
        ("/{year}//{slug}/", "/2026/hello/"),  # doubled slashes collapse
    ],
)
def test_permalink(pattern, expected):
    assert permalink(pattern, DATE, "hello") == expected


def test_permalink_pads_small_years():
    assert permalink("/{year}/{month}/{day}/{slug}/", datetime(999, 1, 2), "x") == "/0999/01/02/x/"


@pytest.mark.parametrize(
    "site_path, expected",
    [
        ("/", "index.html"),
        ("/2026/03/hello/", "2026/03/hello/index.html"),
        ("/tags/", "tags/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/tags/rust/atom.xml", "tags/rust/atom.xml"),
        ("/about", "about/index.html"),
        ("/2026/hello.html", "2026/hello.html"),
    ],
)
def test_output_path(site_path, expected):
    assert output_path(site_path) == PurePosixPath(expected)


def test_links_at_the_domain_root():
    urls = Urls("https://blog.example.com/")
    assert urls.base_path == "/"
    assert urls.origin == "https://blog.example.com"
    assert urls.host == "blog.example.com"
    assert urls.link("/2026/03/hello/") == "/2026/03/hello/"
    assert urls.absolute("/2026/03/hello/") == "https://blog.example.com/2026/03/hello/"
    assert urls.absolute("/") == "https://blog.example.com/"


def test_links_under_a_sub_folder_base_url():
    urls = Urls("https://example.com/blog/")
    assert urls.base_path == "/blog/"
    assert urls.link("/") == "/blog/"
    assert urls.link("/tags/rust/") == "/blog/tags/rust/"
    assert urls.absolute("/feed.xml") == "https://example.com/blog/feed.xml"
    assert urls.host == "example.com"


def test_links_keep_a_port():
    urls = Urls("http://localhost:8000/")
    assert urls.absolute("/x/") == "http://localhost:8000/x/"
    assert urls.host == "localhost"


def test_links_are_percent_encoded_but_keep_query_and_fragment():
    urls = Urls("https://e.com/")
    assert urls.link("/2026/03/café/") == "/2026/03/caf%C3%A9/"
    assert urls.link("/a b/") == "/a%20b/"
    assert urls.link("/x/#section") == "/x/#section"
    assert urls.link("/x/?a=1&b=2") == "/x/?a=1&b=2"


def test_tag_author_and_list_paths():
    assert tag_path("rust") == "/tags/rust/"
    assert author_path("ana") == "/authors/ana/"
    assert list_page_path("/", 1) == "/"
    assert list_page_path("/", 2) == "/page/2/"
    assert list_page_path("/tags/rust/", 3) == "/tags/rust/page/3/"


@pytest.mark.parametrize("segment", ["hello-world", "Rust-1.83.0", "a_b", "café", "2026", "x~y"])
def test_safe_segments(segment):
    assert unsafe_segment_reason(segment) is None


@pytest.mark.parametrize(
    "segment, words",
    [
        ("", "empty"),
        (".", "relative"),
        ("..", "relative"),
        ("../x", "slash"),
        ("/etc", "slash"),
        ("a\\b", "slash"),
        ("a\x01b", "control"),
        ("con", "Windows"),
        ("CON", "Windows"),
        ("nul.txt", "Windows"),
        ("lpt1", "Windows"),
        ("-dash", "start with"),
        ("a b", "letters"),
        ("a?b", "letters"),
        ("a#b", "letters"),
    ],
)
def test_unsafe_segments(segment, words):
    reason = unsafe_segment_reason(segment)
    assert reason is not None and words in reason


def test_console_is_not_a_reserved_name():
    assert unsafe_segment_reason("console") is None
    assert unsafe_segment_reason("com10") is None
