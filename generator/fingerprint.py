"""Fingerprints of what each page is made from, so a rebuild renders only what changed.

A page's fingerprint hashes everything its template can see: the generator's code digest,
site.toml, the sources of its template and of every template that one extends,
includes or imports (all of them when one is named at render time), the parts of `site`
the templates use (both found by reading their syntax trees), and the page's own context (its post, neighbours,
related posts, pager, tag or author, feeds). A page whose fingerprint equals the one
recorded by the last build, and whose file is still in the output folder, is taken
from there instead of being rendered. Anything not understood counts as changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes

from generator.code_digest import generator_digest
from generator.output import Job
from generator.site import Post, Site
from generator.theme import Theme


@dataclass
class PageReuse:
    """What the last build recorded (each output file's fingerprint) and what this one records."""

    previous: dict[str, str]  # output path -> fingerprint
    output_dir: Path | None  # where the files of the last build are
    current: dict[str, str] = field(default_factory=dict)
    reused: int = 0

    def filter(self, jobs: Iterable[Job], fingerprints: Fingerprints) -> Iterator[Job]:
        """The jobs, each one whose fingerprint equals the last build's (and whose file is still
        there) marked to be copied from that output instead of made again."""
        for job in jobs:
            fingerprint = fingerprints.page(job.template, job.url, job.context)
            self.current[str(job.path)] = fingerprint
            previous = self._previous_file(job.path, fingerprint)
            if previous is not None:
                self.reused += 1
                job = job.reused(previous)
            yield job

    def _previous_file(self, path: PurePosixPath, fingerprint: str) -> Path | None:
        if self.output_dir is None or self.previous.get(str(path)) != fingerprint:
            return None
        previous_file = self.output_dir / path
        return previous_file if previous_file.is_file() else None


# Attributes of `site` whose value is cheap to hash on its own; any other use of `site`
# (site.posts, site.tags, passing `site` to a macro...) makes a page depend on every post.
# `menu_pages` (the pages' header menu entries) is in every page's fingerprint (the global digest).
SMALL_SITE_ATTRIBUTES = {"updated", "config", "urls", "menu_pages"}


class Fingerprints:
    def __init__(self, site: Site, theme: Theme):
        self.site = site
        self.post_digests: dict[int, str] = {}
        self.object_digests: dict[int, str] = {}
        self._keep_alive: list[Any] = []
        self.templates = analyse_templates(theme)
        self.plugins_digest = theme.plugins_digest
        self.global_digest = self._global_digest()

    def page(self, template_name: str, page_url: str, context: dict[str, Any]) -> str:
        """`template_name` is the page's template, or a feed's file name (no template)."""
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.global_digest.encode())
        # Only the templates this page's template reaches: editing tag.html re-renders tag pages only.
        digest.update(self.templates.sources_digest(template_name).encode())
        digest.update(f"\0{template_name}\0{page_url}\0".encode())
        for key in sorted(context):
            if key == "content" and "post" in context:
                continue  # the post page's body, already in the post's digest (and 40 KB to repr)
            digest.update(key.encode() + b"=")
            self._feed(digest, context[key])
        return digest.hexdigest()

    def _global_digest(self) -> str:
        site = self.site
        digest = hashlib.blake2b(digest_size=20)
        digest.update(generator_digest().encode())
        digest.update(site.config.model_dump_json().encode())
        digest.update(str(site.config.root).encode() + site.urls.base_url.encode())
        digest.update(self.plugins_digest.encode())
        digest.update(b"menu=" + repr(site.menu_pages).encode("utf-8", "surrogatepass"))
        if self.templates.site_attributes <= SMALL_SITE_ATTRIBUTES:
            updated = site.updated
            digest.update(b"updated=" + (updated.isoformat().encode() if updated else b"-"))
        else:  # templates read the site's posts: every page depends on all of them
            for post in site.posts:
                digest.update(self._post_digest(post).encode())
            for page in site.pages:  # `site.pages` too (few: hashed whole)
                digest.update(repr(page).encode("utf-8", "surrogatepass"))
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
        elif isinstance(value, bytes):
            digest.update(b"B%d:" % len(value) + value)
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


def _site_attributes(tree: nodes.Template) -> set[str]:
    """The attributes of `site` a template reads; "*" when it uses `site` some other way."""
    attributes: set[str] = set()
    names_in_getattr: set[int] = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == "site":
            attributes.add(node.attr)
            names_in_getattr.add(id(node.node))
    for name in tree.find_all(nodes.Name):
        if name.name == "site" and id(name) not in names_in_getattr:
            attributes.add("*")
    return attributes


@dataclass
class TemplateFacts:
    """What the theme's templates are made of, from their syntax trees (nothing is rendered)."""

    sources: dict[str, str]  # name -> source, every template the theme and templates/ hold
    reaches: dict[str, set[str] | None]  # name -> itself and every template it extends,
    #   includes or imports, transitively; None when one is named only at render time
    names: dict[str, set[str]]  # name -> attribute names and string constants it holds
    site_attributes: set[str]  # the attributes of `site` any template reads ("*": any other use)
    _digests: dict[str, str] = field(default_factory=dict, repr=False)  # sources_digest, by template: one a page

    def sources_digest(self, name: str) -> str:
        """A digest of the sources a page made with template `name` depends on ("" for no template)."""
        known = self._digests.get(name)
        if known is None:
            known = self._digests[name] = self._sources_digest(name)
        return known

    def _sources_digest(self, name: str) -> str:
        if name not in self.sources:
            return ""
        reached = self.reaches[name]
        names = sorted(self.sources) if reached is None else sorted(reached)
        digest = hashlib.blake2b(digest_size=20)
        for each in names:
            digest.update(each.encode() + b"\0" + self.sources.get(each, "").encode() + b"\0")
        return digest.hexdigest()

    def names_read(self, name: str) -> set[str] | None:
        """Every attribute name and string constant that template `name`, or a template it
        reaches, could use to read a value (`post.title`, `post["title"]`, `map(attribute="title")`);
        None when it reaches a template named at render time. live.py skips a list page when
        none of a post's changed fields is among these names."""
        reached = self.reaches.get(name)
        if reached is None:
            return None
        return set().union(*(self.names[each] for each in reached))


def analyse_templates(theme: Theme) -> TemplateFacts:
    loader = theme.env.loader
    assert loader is not None
    sources = {name: loader.get_source(theme.env, name)[0] for name in sorted(theme.env.list_templates())}
    direct: dict[str, set[str | None]] = {}
    names: dict[str, set[str]] = {}
    site_attributes: set[str] = set()
    for name, source in sources.items():
        try:
            tree = theme.env.parse(source)
        except jinja2.TemplateSyntaxError:  # reported with its line when the template is rendered
            direct[name], names[name] = {None}, set()
            site_attributes.add("*")
            continue
        found = {node.attr for node in tree.find_all(nodes.Getattr)}
        found |= {node.value for node in tree.find_all(nodes.Const) if isinstance(node.value, str)}
        names[name] = found
        direct[name] = set(jinja2.meta.find_referenced_templates(tree))
        site_attributes |= _site_attributes(tree)
    reaches: dict[str, set[str] | None] = {}
    for name in sources:
        seen: set[str] = set()
        todo: list[str | None] = [name]
        while todo:
            current = todo.pop()
            if current is None or current not in sources:
                seen = None  # type: ignore[assignment]  # named at render time, or missing
                break
            if current not in seen:
                seen.add(current)
                todo += direct[current]
        reaches[name] = seen
    return TemplateFacts(sources, reaches, names, site_attributes)
