"""paginate.py: a sequence and a page size -> pages with their URLs and neighbours."""

from __future__ import annotations

import pytest

from generator.paginate import paginate


def test_eleven_items_five_per_page():
    pages = paginate(tuple(range(11)), 5, "/")
    assert [p.items for p in pages] == [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9), (10,)]
    assert [p.number for p in pages] == [1, 2, 3]
    assert {p.total for p in pages} == {3}
    assert [p.url for p in pages] == ["/", "/page/2/", "/page/3/"]
    assert [p.newer_url for p in pages] == [None, "/", "/page/2/"]
    assert [p.older_url for p in pages] == ["/page/2/", "/page/3/", None]
    assert {p.first_url for p in pages} == {"/"}
    assert [p.is_first for p in pages] == [True, False, False]


def test_exact_multiple_has_no_empty_last_page():
    pages = paginate(tuple(range(10)), 5, "/")
    assert len(pages) == 2
    assert pages[-1].items == (5, 6, 7, 8, 9)
    assert pages[-1].older_url is None


def test_empty_sequence_gives_one_empty_page():
    pages = paginate((), 10, "/")
    assert len(pages) == 1
    page = pages[0]
    assert page.items == () and page.total == 1 and page.url == "/"
    assert page.newer_url is None and page.older_url is None


def test_group_pages_live_under_the_group():
    pages = paginate(tuple("abc"), 2, "/tags/rust/")
    assert [p.url for p in pages] == ["/tags/rust/", "/tags/rust/page/2/"]
    assert pages[1].newer_url == "/tags/rust/"


@pytest.mark.parametrize("count, per_page", [(1, 1), (7, 3), (100, 7), (3, 1000)])
def test_every_item_once_in_order(count, per_page):
    items = tuple(range(count))
    pages = paginate(items, per_page, "/")
    assert tuple(x for p in pages for x in p.items) == items
    assert all(len(p.items) <= per_page for p in pages)
    assert all(len(p.items) == per_page for p in pages[:-1])
    assert len(pages) == -(-count // per_page)
