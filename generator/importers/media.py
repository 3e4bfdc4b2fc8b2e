"""Pictures of the old blog: found in a folder the user has (`--media DIR`), or fetched
(`--download`), to be written beside the posts that show them.

A picture is "the old blog's own" when it is on the old blog's host, on the platform's picture
CDN (`Export.upload_hosts`), or a root-relative path. Other pictures (a diagram on someone
else's site) are left as they are. What is neither found nor fetched stays an absolute URL,
and the report lists it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.urls import unsafe_segment_reason

PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".bmp", ".tif", ".tiff", ".ico"}
# Other uploads a post shows or links to (a podcast episode, a demo video, a PDF): copied the same way.
MEDIA_SUFFIXES = PICTURE_SUFFIXES | {".mp3", ".m4a", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".webm", ".mov", ".pdf"}
MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024
DOWNLOAD_TIMEOUT = 15  # seconds, per request
USER_AGENT = "blog-import (static site generator; fetching a blog's own pictures)"


class DownloadFailed(Exception):
    pass


@dataclass(frozen=True)
class Picture:
    data: bytes
    name: str  # the file name it had ("photo.jpg")


def is_media_url(url: str) -> bool:
    """A link to an uploaded file (picture, audio, video, PDF) rather than to a page."""
    return posixpath.splitext(urlsplit(url).path.lower())[1] in MEDIA_SUFFIXES


def download(url: str, max_bytes: int = MAX_DOWNLOAD_BYTES, timeout: float = DOWNLOAD_TIMEOUT) -> bytes:
    """GET an http(s) URL, following redirects only to http(s), reading at most `max_bytes`."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise DownloadFailed("only http and https addresses are fetched")
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise DownloadFailed(f"is {int(declared):,} bytes, more than the limit of {max_bytes:,}")
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"the server answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadFailed(f"could not be fetched ({reason})") from exc
    if len(data) > max_bytes:
        raise DownloadFailed(f"is more than the limit of {max_bytes:,} bytes")
    return data


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.URLError(f"redirected to {newurl}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class PictureFinder:
    """Finds the old blog's pictures by URL, each fetched or read once per import."""

    site_url: str | None
    upload_hosts: frozenset[str]
    media_dir: Path | None = None
    fetch: bool = False
    missing: dict[str, str] = field(default_factory=dict)  # URL -> why it stays a URL
    _found: dict[str, Picture | None] = field(default_factory=dict)
    _by_path: dict[str, Path] = field(default_factory=dict)
    _by_name: dict[str, list[Path]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        if self.media_dir is not None:
            self._index(self.media_dir)

    def absolute(self, url: str) -> str:
        """A root-relative or relative URL as an address on the old blog (when it is known)."""
        if self.site_url and not urlsplit(url).scheme and not url.startswith("//"):
            return urljoin(self.site_url + "/", url)
        return "https:" + url if url.startswith("//") else url

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc:
            return parts.path.startswith("/")  # a path on the old site ("/content/images/a.png")
        host = (parts.hostname or "").lower()
        own = {h.lower() for h in self.upload_hosts}
        if self.site_url:
            own.add((urlsplit(self.site_url).hostname or "").lower())
        return parts.scheme.lower() in ("http", "https", "") and (host in own or "/wp-content/uploads/" in parts.path)

    def get(self, url: str) -> Picture | None:
        """The picture behind an old-blog URL, or None (and the reason in `missing`)."""
        if url in self._found:
            return self._found[url]
        picture = self._from_media_dir(url) or self._download(url)
        self._found[url] = picture
        if picture is None and url not in self.missing:
            self.missing[url] = "not in --media" if self.media_dir is not None else "use --media DIR or --download to copy it"
        return picture

    def _index(self, folder: Path) -> None:
        root = folder.resolve()
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                path = Path(dirpath) / name
                if path.suffix.lower() not in MEDIA_SUFFIXES or not path.resolve().is_relative_to(root):
                    continue  # a link out of the folder is not read
                rel = path.relative_to(root).as_posix()
                self._by_path[rel] = path
                self._by_name[name].append(path)

    def _from_media_dir(self, url: str) -> Picture | None:
        if self.media_dir is None:
            return None
        segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
        # The longest tail of the URL's path that names a file in the folder: the folder may be
        # wp-content/uploads, the whole wp-content, or Ghost's content folder.
        for start in range(len(segments) - 1):
            found = self._by_path.get("/".join(segments[start:]))
            if found is not None:
                return Picture(found.read_bytes(), found.name)
        if segments and len(self._by_name.get(segments[-1], [])) == 1:
            only = self._by_name[segments[-1]][0]
            return Picture(only.read_bytes(), only.name)
        return None

    def _download(self, url: str) -> Picture | None:
        if not self.fetch:
            return None
        address = self.absolute(url)
        if not urlsplit(address).scheme:
            self.missing[url] = "the old blog's address is not in the export, so it cannot be fetched"
            return None
        try:
            data = download(address)
        except DownloadFailed as exc:
            self.missing[url] = str(exc)
            return None
        return Picture(data, unquote(posixpath.basename(urlsplit(address).path)) or "picture")


@dataclass
class PictureFolder:
    """The pictures of one post, in the folder beside it: one file per picture, and two pictures
    with the same name get different names instead of overwriting each other."""

    folder: str  # relative to the post's folder: "2019-03-04-hello"
    files: dict[str, bytes] = field(default_factory=dict)  # name -> bytes
    _names: dict[str, str] = field(default_factory=dict)  # digest -> name

    def add(self, picture: Picture) -> str:
        """The picture's path relative to the post file."""
        digest = hashlib.blake2b(picture.data, digest_size=16).hexdigest()
        if digest in self._names:
            return f"{self.folder}/{self._names[digest]}"
        name = safe_file_name(picture.name)
        stem, suffix = posixpath.splitext(name)
        number = 2
        while name in self.files:
            name = f"{stem}-{number}{suffix}"
            number += 1
        self.files[name] = picture.data
        self._names[digest] = name
        return f"{self.folder}/{name}"


def safe_file_name(name: str) -> str:
    stem, suffix = posixpath.splitext(name)
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "picture"
    suffix = (
        suffix.lower()
        if suffix.lower() in PICTURE_SUFFIXES
        else (suffix.lower() if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix.lower()) else "")
    )
    name = (stem[:80] + suffix) or "picture"
    return name if unsafe_segment_reason(name) is None else "picture" + suffix
