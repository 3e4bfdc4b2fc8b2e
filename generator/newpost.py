"""`blog new`: write a new post with its front matter filled in."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from slugify import slugify

from generator.config import Config
from generator.errors import UsageError
from generator.post import author_table, nearest_key


def new_post_path(config: Config, title: str, now: datetime) -> Path:
    slug = slugify(title) or "post"
    return config.posts_dir / f"{now:%Y-%m-%d}-{slug}.md"


def new_post_text(title: str, now: datetime, tags: list[str], author: str | None) -> str:
    front: dict[str, object] = {"title": title, "date": now.strftime("%Y-%m-%d %H:%M"), "tags": tags}
    if author:
        front["author"] = author
    front["draft"] = True
    # yaml.safe_dump quotes anything YAML would misread (a title with ": " or "#").
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return (
        f"---\n{header}---\n\n"
        "The first paragraph is the summary on the home page and in feeds.\n\n"
        "<!--more-->\n\n"
        "The rest of the post. Remove `draft: true` above to publish it.\n"
    )


def write_new_post(config: Config, title: str, now: datetime, tags: list[str], author: str | None) -> Path:
    if not title.strip():
        raise UsageError("the title must not be empty", hint='blog new "My post title"')
    if author is not None:
        check_author(config, author)
    path = new_post_path(config, title.strip(), now)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite a writer's post
            handle.write(new_post_text(title.strip(), now, tags, author))
    except FileExistsError:
        raise UsageError(f"{path.name} already exists; not overwriting it", path, hint="choose another title") from None
    return path


def check_author(config: Config, author: str) -> None:
    """With [authors] in site.toml, --author must be one of its keys (or names): a typo
    would otherwise start a post by an author nobody configured."""
    if not config.authors:
        return
    if author.strip().casefold() in author_table(config):  # a key or a configured name
        return
    keys = sorted(config.authors, key=str.casefold)
    suggestion = nearest_key(author, keys)
    guess = f" (did you mean {suggestion}?)" if suggestion else ""
    raise UsageError(
        f"--author {author!r} is not an author of site.toml{guess}; the known keys are: {', '.join(keys)}",
        hint="use one of those keys, or add [authors." + (slugify(author) or "name") + "] to site.toml",
    )
