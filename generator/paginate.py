"""Stage: a sequence and a page size -> list[Pager], for the home page, tags and authors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.urls import list_page_path


@dataclass(frozen=True)
class Pager:
    number: int  # 1-based
    total: int  # number of pages
    items: tuple[Any, ...]
    url: str  # site path of this page
    newer_url: str | None  # the page before (newer posts)
    older_url: str | None  # the page after (older posts)
    first_url: str

    @property
    def is_first(self) -> bool:
        return self.number == 1


def paginate(items: tuple[Any, ...], per_page: int, first_page: str) -> list[Pager]:
    """Split `items` into pages; an empty sequence still gives one (empty) first page."""
    chunks = [items[start : start + per_page] for start in range(0, len(items), per_page)] or [()]
    total = len(chunks)
    path = lambda number: list_page_path(first_page, number)
    return [
        Pager(
            number=number,
            total=total,
            items=tuple(chunk),
            url=path(number),
            newer_url=path(number - 1) if number > 1 else None,
            older_url=path(number + 1) if number < total else None,
            first_url=first_page,
        )
        for number, chunk in enumerate(chunks, start=1)
    ]
