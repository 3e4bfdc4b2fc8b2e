"""Comments kept from the previous blog: a data file beside the post, shown read-only.

`blog import` writes, beside `posts/2019/2019-03-04-hello.md`, the file
`posts/2019/2019-03-04-hello.comments.json`:

    {"from": "WordPress",
     "comments": [{"id": "12", "parent": null, "author": "Ana", "url": "https://ana.example",
                   "date": "2019-03-04T10:00:00+00:00", "html": "<p>Thanks!</p>",
                   "type": "comment"}]}

`parent` is the id of the comment it answers (threading), `url` the author's website (http or
https, or null), `type` is "comment", "pingback" or "trackback". No e-mail address is ever kept.
The file is data from a third party, so it is checked field by field when read, and its HTML
is reduced to a small allowlist by nh3 both when imported and every time it is read (a hand
edit cannot add a script); everything else is escaped by the templates.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import msgspec
import nh3

from generator.errors import ContentError

SUFFIX = ".comments.json"
MAX_FILE_BYTES = 20 * 1024 * 1024

# What a comment needs: paragraphs, emphasis, links, code and quotes. No pictures (they would
# load from anywhere), no classes or styles.
ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "i", "b", "code", "pre", "blockquote", "ul", "ol", "li", "del", "s", "sub", "sup"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}


class OldComment(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: str
    author: str
    date: datetime  # aware
    html: str  # cleaned: ALLOWED_TAGS only
    parent: str | None = None
    url: str | None = None  # http(s) only
    type: Literal["comment", "pingback", "trackback"] = "comment"


class CommentsFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    comments: list[OldComment]
    # The platform they came from ("WordPress"), for the heading under the post.
    from_: str = msgspec.field(default="the previous blog", name="from")


def clean_html(html: str) -> str:
    """A comment's HTML reduced to the allowlist: scripts, event handlers, styles, pictures,
    iframes and javascript: links removed; links get rel="nofollow ugc noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style"},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener noreferrer",
    ).strip()


def safe_url(url: str | None) -> str | None:
    """An author's website, kept only when it is an http(s) address with a host."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(ch.isspace() for ch in url) else None


def dump(comments: list[OldComment], platform: str) -> bytes:
    """The data file's bytes: comments oldest first, ids as given, HTML cleaned, one per line."""
    kept = [_checked(comment) for comment in sorted(comments, key=lambda c: (c.date, c.id))]
    lines = [msgspec.json.encode(comment).decode() for comment in kept]
    body = ",\n  ".join(lines)
    return (f'{{"from": {msgspec.json.encode(platform).decode()},\n "comments": [\n  {body}\n ]}}\n').encode()


def load(path: Path) -> CommentsFile:
    """Read and check a data file; a broken one is a ContentError naming it (and its line)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError(f"is {size:,} bytes; a comments file may hold at most {MAX_FILE_BYTES:,}", path)
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError(f"cannot read the comments file: {exc.strerror or exc}", path) from exc
    try:
        parsed = msgspec.json.decode(data, type=CommentsFile)
    except msgspec.DecodeError as exc:
        raise ContentError(f"is not a comments file this version can read: {exc}", path, line=_error_line(data, str(exc))) from exc
    comments = []
    for comment in parsed.comments:
        if comment.date.tzinfo is None:
            raise ContentError(f"comment {comment.id!r} has a date without a time zone ({comment.date.isoformat()})", path)
        comments.append(_checked(comment))
    return CommentsFile(comments, parsed.from_)


def _checked(comment: OldComment) -> OldComment:
    return msgspec.structs.replace(
        comment, html=clean_html(comment.html), url=safe_url(comment.url), author=comment.author.strip() or "Anonymous"
    )


def _error_line(data: bytes, message: str) -> int | None:
    """msgspec names the byte ("at position 120"); a writer wants the line."""
    marker = "position "
    if marker not in message:
        return None
    digits = "".join(ch for ch in message.split(marker, 1)[1] if ch.isdigit())
    return data[: int(digits)].count(b"\n") + 1 if digits else None
