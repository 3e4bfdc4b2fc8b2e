"""The [comments] section: which external comments service a post page embeds, and how.

Each provider's settings are a pydantic model named after what its own embed needs
(see docs/comments.md and ../shared/comments-providers.md for the sources). The
theme's `partials/comments/<provider>.html` writes the provider's documented embed;
`partials/comments.html` wraps it for the load mode. The thread key handed to every
provider is the post's stable id (site.stable_id, or `id:` in the front matter), so a
thread survives a permalink change.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PROVIDERS = ("giscus", "utterances", "disqus", "isso", "remark42", "cusdis")
# Providers with a script that shows comment counts in post lists.
COUNT_PROVIDERS = ("disqus", "remark42", "cusdis")
PROVIDER_NAMES = {
    "giscus": "giscus",
    "utterances": "utterances",
    "disqus": "Disqus",
    "isso": "Isso",
    "remark42": "Remark42",
    "cusdis": "Cusdis",
}


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value.rstrip("/") + "/"


def _github_repo(value: str) -> str:
    owner, _, name = value.partition("/")
    if not owner or not name or "/" in name or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not a GitHub repository written as OWNER/NAME")
    return value


class GiscusSettings(_Settings):
    repo: str
    repo_id: str
    category: str
    category_id: str
    mapping: Literal["specific", "pathname", "url", "title", "og:title"] = "specific"
    strict: bool = True
    reactions: bool = True
    input_position: Literal["bottom", "top"] = "bottom"
    theme: str = "preferred_color_scheme"  # follows the reader's light/dark setting, as the theme does
    lang: str | None = None  # default: the site's language

    _repo = field_validator("repo")(classmethod(lambda cls, v: _github_repo(v)))


class UtterancesSettings(_Settings):
    repo: str
    issue_term: str = "id"  # "id": the post's stable id; or pathname, url, title, og:title
    label: str | None = None
    theme: str = "preferred-color-scheme"

    _repo = field_validator("repo")(classmethod(lambda cls, v: _github_repo(v)))


class DisqusSettings(_Settings):
    shortname: str = Field(pattern=r"^[A-Za-z0-9-]+$")


class IssoSettings(_Settings):
    url: str  # the Isso server, e.g. https://comments.example.com/
    lang: str | None = None
    sorting: Literal["newest", "oldest", "upvotes"] = "oldest"

    _url = field_validator("url")(classmethod(lambda cls, v: _https_url(v)))


class Remark42Settings(_Settings):
    url: str  # the Remark42 server (its REMARK_URL)
    site_id: str
    locale: str | None = None

    _url = field_validator("url")(classmethod(lambda cls, v: _https_url(v).rstrip("/")))


class CusdisSettings(_Settings):
    url: str = "https://cusdis.com"  # the hosted service, or your own instance
    app_id: str
    lang: str | None = None  # a widget translation, loaded before the SDK

    _url = field_validator("url")(classmethod(lambda cls, v: _https_url(v).rstrip("/")))


class CommentsSection(_Settings):
    provider: Literal["giscus", "utterances", "disqus", "isso", "remark42", "cusdis", "none"] = "none"
    load: Literal["lazy", "click", "eager"] = "lazy"
    counts: bool = False  # comment counts in post lists (Disqus, Remark42, Cusdis)
    giscus: GiscusSettings | None = None
    utterances: UtterancesSettings | None = None
    disqus: DisqusSettings | None = None
    isso: IssoSettings | None = None
    remark42: Remark42Settings | None = None
    cusdis: CusdisSettings | None = None

    @model_validator(mode="after")
    def _provider_is_configured(self) -> CommentsSection:
        if self.provider != "none" and getattr(self, self.provider) is None:
            raise ValueError(f"provider = {self.provider!r} needs a [comments.{self.provider}] table with its settings")
        if self.counts and self.provider not in COUNT_PROVIDERS and self.provider != "none":
            raise ValueError(f"counts: {PROVIDER_NAMES[self.provider]} has no count script; counts work with Disqus, Remark42 and Cusdis")
        return self

    @property
    def enabled(self) -> bool:
        return self.provider != "none"

    @property
    def settings(self) -> _Settings | None:
        return getattr(self, self.provider) if self.enabled else None

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES.get(self.provider, "")

    @property
    def show_counts(self) -> bool:
        return self.enabled and self.counts and self.provider in COUNT_PROVIDERS
