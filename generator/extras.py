"""Stage: Site + Theme -> the files beside the pages: sitemap.xml, robots.txt, static files, assets."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

from generator.images import image_variants
from generator.markdown import highlight_css
from generator.output import OutputFile
from generator.site import Site
from generator.theme import Theme

HIGHLIGHT_CSS_PATH = PurePosixPath("css/highlight.css")
COMMENTS_SCRIPT_PATH = PurePosixPath("js/comments.js")
SEARCH_SCRIPT_PATH = PurePosixPath("js/search.js")  # starts Pagefind's UI on /search/


def build_sitemap(site: Site, page_paths: list[str]) -> OutputFile:
    """sitemap.xml (sitemaps.org 0.9) for every HTML page; posts carry their last change."""
    post_dates = {post.url: post.updated or post.date for post in site.posts}
    if site.updated is not None:  # the home page changes with the newest post
        post_dates.setdefault("/", site.updated)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for site_path in sorted(page_paths):
        lines.append(f"  <url><loc>{escape(site.urls.absolute(site_path))}</loc>")
        if site_path in post_dates:
            lines.append(f"    <lastmod>{post_dates[site_path].isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return OutputFile(PurePosixPath("sitemap.xml"), ("\n".join(lines) + "\n").encode("utf-8"), None)


def build_robots(site: Site) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site.urls.absolute('/sitemap.xml')}\n"
    return OutputFile(PurePosixPath("robots.txt"), text.encode("utf-8"), None)


def static_files(site: Site, theme: Theme, image_cache: Path | None = None) -> list[OutputFile]:
    """The theme's static files, the site's (which replace the theme's of the same name), the posts' assets
    with smaller copies of their pictures (images.py), and the generated code-highlighting stylesheet
    unless a static file replaces it."""
    by_path: dict[PurePosixPath, OutputFile] = {}
    for folder in theme.static_dirs:
        for path in _files_under(folder):
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            by_path[rel] = OutputFile(rel, None, path)
    if not site.config.comments.enabled:  # provider = "none": not even the loader script is published
        by_path.pop(COMMENTS_SCRIPT_PATH, None)
    if not site.config.search.enabled:
        by_path.pop(SEARCH_SCRIPT_PATH, None)
    if HIGHLIGHT_CSS_PATH not in by_path:
        css = highlight_css(site.config.build.highlight_light, site.config.build.highlight_dark)
        by_path[HIGHLIGHT_CSS_PATH] = OutputFile(HIGHLIGHT_CSS_PATH, css.encode("utf-8"), None)
    files = list(by_path.values())
    files += [OutputFile(asset.rel_path, None, asset.source) for asset in site.assets]
    files += image_variants(site.assets, image_cache)
    files += [OutputFile(asset.rel_path, None, asset.source) for asset in site.page_assets]  # beside pages/
    files += image_variants(site.page_assets, image_cache)
    return files


def _files_under(folder: Path) -> list[Path]:
    found = []
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(current) / name for name in sorted(filenames) if not name.startswith(".")]
    return found
