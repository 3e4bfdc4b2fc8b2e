"""Fingerprints of what each page is made from, so a rebuild renders only what changed.

A page's fingerprint hashes everything its template can see: the generator version,
site.toml, every template's source, the parts of `site` the templates use (found by
reading their syntax trees), and the page's own context (its post, neighbours,
related posts, pager, tag or author, feeds). A page whose fingerprint equals the one
recorded by the last build, and whose file is still in the output folder, is taken
from there instead of being rendered. Anything not understood counts as changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes

from generator import __version__
from generator.output import OutputFile
from generator.site import Post, Site
from generator.theme import Theme

@dataclass
class PageReuse:
    """What the last build recorded (each output file's fingerprint) and what this one records."""

    previous: dict[str, str]  # output path -> fingerprint
    output_dir: Path | None  # where the files of the last build are
    current: dict[str, str] = field(default_factory=dict)
    reused: int = 0

    def unchanged(self, path: PurePosixPath, fingerprint: str) -> OutputFile | None:
        """The previous build's file for `path` when its inputs are the same, else None (render it)."""
        self.current[str(path)] = fingerprint
        if self.output_dir is None or self.previous.get(str(path)) != fingerprint:
            return None
        previous_file = self.output_dir / path
        if not previous_file.is_file():
            return None
        self.reused += 1
        return OutputFile(path, None, previous_file)


# Attributes of `site` whose value is cheap to hash on its own; any other use of `site`
# (site.posts, site.tags, passing `site` to a macro...) makes a page depend on every post.
SMALL_SITE_ATTRIBUTES = {"updated", "config", "urls"}


class Fingerprints:
    def __init__(self, site: Site, theme: Theme):
        self.site = site
        self.post_digests: dict[int, str] = {}
        self.object_digests: dict[int, str] = {}
        self._keep_alive: list[Any] = []
        self.global_digest = self._global_digest(theme)

    def page(self, template_name: str, page_url: str, context: dict[str, Any]) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.global_digest.encode())
        digest.update(f"\0{template_name}\0{page_url}\0".encode())
        for key in sorted(context):
            digest.update(key.encode() + b"=")
            self._feed(digest, context[key])
        return digest.hexdigest()

    def _global_digest(self, theme: Theme) -> str:
        site = self.site
        digest = hashlib.blake2b(digest_size=20)
        digest.update(__version__.encode())
        digest.update(site.config.model_dump_json().encode())
        digest.update(str(site.config.root).encode() + site.urls.base_url.encode())
        used: set[str] = set()
        for name, source in template_sources(theme):
            digest.update(name.encode() + b"\0" + source.encode())
            used |= _site_attributes(theme.env, source)
        if used <= SMALL_SITE_ATTRIBUTES:
            updated = site.updated
            digest.update(b"updated=" + (updated.isoformat().encode() if updated else b"-"))
        else:  # templates read the site's posts: every page depends on all of them
            for post in site.posts:
                digest.update(self._post_digest(post).encode())
        return digest.hexdigest()

    def _post_digest(self, post: Post) -> str:
        known = self.post_digests.get(id(post))
        if known is None:
            known = hashlib.blake2b(repr(post).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
            self.post_digests[id(post)] = known
        return known

    def _dataclass_digest(self, value: Any) -> str:
        """Groups, tags, authors, pagers: frozen, so each is hashed once however many pages show it."""
        known = self.object_digests.get(id(value))
        if known is None:
            digest = hashlib.blake2b(digest_size=20)
            digest.update(type(value).__name__.encode() + b"(")
            for item in fields(value):
                digest.update(item.name.encode())
                self._feed(digest, getattr(value, item.name))
            known = digest.hexdigest()
            self.object_digests[id(value)] = known
            self._keep_alive.append(value)  # ids are only unique while the object lives
        return known

    def _feed(self, digest, value: Any) -> None:
        if isinstance(value, Post):
            digest.update(b"P" + self._post_digest(value).encode())
        elif isinstance(value, (str, int, float, bool)) or value is None:
            digest.update(repr(value).encode("utf-8", "surrogatepass"))
        elif isinstance(value, (datetime, Path, PurePosixPath)):
            digest.update(repr(value).encode())
        elif isinstance(value, (list, tuple)):
            digest.update(b"[")
            for item in value:
                self._feed(digest, item)
            digest.update(b"]")
        elif isinstance(value, dict):
            digest.update(json.dumps(value, sort_keys=True, default=str).encode())
        elif is_dataclass(value) and not isinstance(value, type):
            digest.update(self._dataclass_digest(value).encode())
        else:  # Site, Config and anything else: covered by the global digest or not understood
            digest.update(type(value).__name__.encode())


def template_sources(theme: Theme) -> list[tuple[str, str]]:
    """(name, source) of every template the theme and the site's templates/ hold."""
    loader = theme.env.loader
    assert loader is not None
    return [(name, loader.get_source(theme.env, name)[0]) for name in sorted(theme.env.list_templates())]


def site_attributes_used(theme: Theme) -> set[str]:
    """The attributes of `site` any template reads ("*" for any other use of `site`)."""
    used: set[str] = set()
    for _, source in template_sources(theme):
        used |= _site_attributes(theme.env, source)
    return used


def _site_attributes(env: jinja2.Environment, source: str) -> set[str]:
    """The attributes of `site` a template reads; "*" when it uses `site` some other way."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return {"*"}  # reported with its line when the template is rendered
    attributes: set[str] = set()
    names_in_getattr: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "site":
            attributes.add(node.attr)
            names_in_getattr.add(id(node.node))
    for node in tree.find_all(nodes.Name):
        if node.name == "site" and id(node) not in names_in_getattr:
            attributes.add("*")
    return attributes


def names_read(theme: Theme) -> dict[str, set[str] | None]:
    """For each template, every attribute name and string constant that it, or a template it
    extends, includes or imports, could use to read a value (`post.title`, `post["title"]`,
    `map(attribute="title")`); None when it reaches a template named at render time.
    live.py skips a list page when none of a post's changed fields is among these names."""
    direct: dict[str, set[str]] = {}
    reaches: dict[str, set[str | None]] = {}
    for name, source in template_sources(theme):
        try:
            tree = theme.env.parse(source)
        except jinja2.TemplateSyntaxError:
            direct[name], reaches[name] = set(), {None}
            continue
        found = {node.attr for node in tree.find_all(nodes.Getattr)}
        found |= {node.value for node in tree.find_all(nodes.Const) if isinstance(node.value, str)}
        direct[name] = found
        reaches[name] = set(jinja2.meta.find_referenced_templates(tree))
    result: dict[str, set[str] | None] = {}
    for name in direct:
        seen: set[str] = set()
        todo: list[str | None] = [name]
        names: set[str] | None = set()
        while todo:
            current = todo.pop()
            if current is None or current not in direct:
                names = None  # a dynamic or unknown template: it could read anything
                break
            if current in seen:
                continue
            seen.add(current)
            names |= direct[current]
            todo += reaches[current]
        result[name] = names
    return result
