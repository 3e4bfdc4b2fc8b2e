"""`blog list`: config + posts as written -> one row a post (date, status, permalink, title).

Nothing is rendered: this reads front matter only, so it answers at once even for a big
site. Rows are newest first, drafts and scheduled posts included and marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from generator.config import Config
from generator.content import load_content
from generator.urls import permalink


@dataclass(frozen=True)
class PostRow:
    date: datetime
    status: str  # "published", "draft" or "scheduled" (dated in the future)
    url: str  # site path, as `blog build` will publish it
    title: str
    file: PurePosixPath  # relative to posts/


def list_posts(config: Config, now: datetime) -> list[PostRow]:
    rows = []
    for post in load_content(config).posts:
        status = "draft" if post.draft else "scheduled" if post.date > now else "published"
        url = permalink(config.build.permalink, post.date, post.slug)
        rows.append(PostRow(post.date, status, url, post.title, post.rel_path))
    return sorted(rows, key=lambda row: (row.date, row.url), reverse=True)
