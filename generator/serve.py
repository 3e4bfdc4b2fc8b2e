"""Stage: the output folder -> HTTP, with live reload (`blog serve`; the rebuilding is watch.py's).

    request target -> locate() -> a file inside the output folder, a redirect, or an error status
    Rebuild (from watch.py) -> PreviewState: epoch, errors -> server-sent events -> the browser reloads

The server only ever returns files whose resolved path lies inside the output folder:
`locate` refuses `.`/`..` segments (raw or percent-encoded, once or twice), backslashes,
NUL bytes and targets that are not a path, and resolves symlinks before checking.
HTML responses get a small reload script (and, when the last rebuild failed, an overlay
listing its errors) inserted before `</body>` as they are sent; nothing is ever written
into the output folder, so it stays byte-identical to what `blog build` writes.
This module prints nothing; cli.py does.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import secrets
import shutil
import socket
import socketserver
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

from generator.watch import Rebuild

EVENTS_PATH = "/__blog/events"
KEEP_ALIVE_SECONDS = 15.0
BUILD_WAIT_SECONDS = 60.0  # a request for a missing file waits this long for a build in progress
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",  # feed.xml, atom.xml, sitemap.xml: browsers show these
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
}
_MIME = mimetypes.MimeTypes()  # Python's own table only, not the machine's /etc/mime.types

RELOAD_SCRIPT = """<script>/* blog serve: live reload */(function () {
  var epoch = %(epoch)s;
  function connect() {
    var source = new EventSource(%(events)s);
    source.addEventListener("epoch", function (event) {
      var parts = event.data.split(" ");  // "new-epoch" or "new-epoch css-only-since-epoch"
      if (parts[0] === epoch) return;
      if (parts[1] === epoch) {  // only stylesheets changed since this page loaded: swap them, keep the page
        document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
          var url = new URL(link.href);
          url.searchParams.set("blog-reload", parts[0]);
          link.href = url.href;
        });
        epoch = parts[0];
      } else {
        location.reload();
      }
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    };
  }
  connect();
})();</script>
"""
OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;"
    "background:rgba(40,0,0,.94);color:#fff;font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;text-align:left"
)


# -- what the browser is told -------------------------------------------------------


@dataclass(frozen=True)
class ErrorLine:
    where: str  # posts/x.md:3
    message: str
    hint: str | None = None


class PreviewState:
    """The latest rebuild as the server sees it; written by the watcher's thread, read by request threads."""

    def __init__(self, site_dir: Path, output_dir: Path | None = None):
        self.site_dir = Path(site_dir)
        self.output_dir = output_dir  # what an earlier build left is served until this session's first build
        self.errors: tuple[ErrorLine, ...] = ()
        self.building = False
        self.closed = False
        self._instance = secrets.token_hex(4)  # a restarted server has other epochs: pages reload
        self._count = 0
        self.css_only_since: str | None = None  # the epoch before the last rebuild, when it changed only .css
        self._condition = threading.Condition()

    @property
    def epoch(self) -> str:
        return f"{self._instance}-{self._count}"

    def begin(self, changed: frozenset[Path] = frozenset()) -> None:
        with self._condition:
            self.building = True

    def finish(self, rebuild: Rebuild) -> None:
        """Record a rebuild; open pages reload unless it was a success that changed no file."""
        with self._condition:
            self.building = False
            was_ok = not self.errors and self.output_dir is not None
            before = self.epoch
            if rebuild.ok:
                assert rebuild.report is not None
                self.output_dir = rebuild.report.output_dir
                self.errors = ()
                if not (was_ok and rebuild.report.written == 0):
                    self._count += 1
                    css_only = was_ok and rebuild.changed and all(p.suffix.lower() == ".css" for p in rebuild.changed)
                    self.css_only_since = before if css_only else None
            else:
                self.errors = tuple(ErrorLine(e.location(self.site_dir), e.message, e.hint) for e in rebuild.errors)
                self._count += 1
                self.css_only_since = None
            self._condition.notify_all()

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()

    def wait_for_epoch(self, seen: str | None, timeout: float) -> tuple[str, str | None]:
        """The epoch, once it differs from `seen` (or after `timeout`, or when closing), and
        css_only_since as it was for that epoch."""
        with self._condition:
            self._condition.wait_for(lambda: self.epoch != seen or self.closed, timeout)
            return self.epoch, self.css_only_since

    def wait_until_built(self, timeout: float) -> None:
        with self._condition:
            self._condition.wait_for(lambda: not self.building or self.closed, timeout)

    def snippet(self) -> bytes:
        """What goes before </body> of every HTML response: the error overlay (if any) and the reload script."""
        with self._condition:
            epoch, errors = self.epoch, self.errors
        parts = [error_overlay(errors)] if errors else []
        parts.append(RELOAD_SCRIPT % {"epoch": json.dumps(epoch), "events": json.dumps(EVENTS_PATH)})
        return "".join(parts).encode("utf-8")


def error_overlay(errors: tuple[ErrorLine, ...]) -> str:
    items = []
    for error in errors:
        where = f"<strong>{html.escape(error.where)}</strong>: " if error.where else ""
        hint = f"<br><em>hint: {html.escape(error.hint)}</em>" if error.hint else ""
        items.append(f'<li style="margin:0 0 .75rem">{where}{html.escape(error.message)}{hint}</li>')
    return (
        f'<div id="blog-error-overlay" role="alert" style="{OVERLAY_STYLE}">'
        f'<p style="margin:0 0 1rem;font-size:1.2em;font-weight:bold">The last rebuild failed with {len(errors)} error(s)</p>'
        f'<ul style="margin:0 0 1rem;padding-left:1.2rem">{"".join(items)}</ul>'
        '<p style="margin:0;opacity:.8">Below is the last good build. Fix the file and this page reloads.</p></div>\n'
    )


def inject(page: bytes, snippet: bytes) -> bytes:
    """Insert `snippet` before the last </body>, or at the end when there is none."""
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed = _MIME.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + "; charset=utf-8" if guessed.startswith("text/") else guessed


# -- from a request target to a file --------------------------------------------------


@dataclass(frozen=True)
class Located:
    status: int  # 200, 301 (to `location`), 400, 403 or 404
    file: Path | None = None
    location: str | None = None


def locate(target: str, output_dir: Path | None, base_path: str = "/") -> Located:
    """The file a request target names inside `output_dir`, never one outside it."""
    raw_path, _, query = target.partition("?")
    raw_path = raw_path.partition("#")[0]
    if not raw_path.startswith("/") or "\\" in raw_path or "\0" in raw_path:
        return Located(HTTPStatus.BAD_REQUEST)  # also "http://host/..." and "*"
    try:
        decoded = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return Located(HTTPStatus.BAD_REQUEST)
    segments = [s for s in decoded.split("/") if s]  # "//etc/passwd" is "/etc/passwd", inside the output
    for segment in segments:
        twice = unquote(segment)  # "%252e%252e" arrives here as "%2e%2e": refuse that too
        if segment in (".", "..") or twice in (".", "..") or any(c in segment + twice for c in "\\\0/"):
            return Located(HTTPStatus.BAD_REQUEST)
    base = [unquote(s) for s in base_path.split("/") if s]
    if segments[: len(base)] != base:
        if not segments:  # "/" of a site that lives under /blog/
            return Located(HTTPStatus.MOVED_PERMANENTLY, location=base_path)
        return Located(HTTPStatus.NOT_FOUND)
    if output_dir is None:
        return Located(HTTPStatus.NOT_FOUND)
    try:
        return _locate_file(output_dir.resolve(), segments, len(base), decoded.endswith("/"), query)
    except (OSError, RuntimeError):  # a name too long, a symlink loop
        return Located(HTTPStatus.NOT_FOUND)


def _locate_file(root: Path, segments: list[str], skip: int, folder: bool, query: str) -> Located:
    found = root.joinpath(*segments[skip:]).resolve()
    if not found.is_relative_to(root):
        return Located(HTTPStatus.FORBIDDEN)  # a symlink that leads out
    if found.is_dir():
        if not folder:
            location = "/" + "/".join(quote(s) for s in segments) + "/" + (f"?{query}" if query else "")
            return Located(HTTPStatus.MOVED_PERMANENTLY, location=location)
        found = (found / "index.html").resolve()
        if not found.is_relative_to(root):
            return Located(HTTPStatus.FORBIDDEN)
    elif folder:
        return Located(HTTPStatus.NOT_FOUND)  # "/feed.xml/" is not a folder
    if found.is_file():
        return Located(HTTPStatus.OK, found)
    return Located(HTTPStatus.NOT_FOUND)


# -- the server -------------------------------------------------------------------------


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # event streams never hold up Ctrl-C

    def __init__(self, host: str, port: int, state: PreviewState, base_path: str = "/"):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state
        self.base_path = base_path
        super().__init__((host, port), PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    @property
    def url(self) -> str:
        address, port = self.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else address
        if host in ("0.0.0.0", "::"):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{self.base_path}"

    def stop(self) -> None:
        """Stop serving (from another thread than serve_forever's) and close every stream."""
        self.state.close()
        self.shutdown()
        self.server_close()


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "blog-serve"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would drown the rebuild messages

    def _respond(self, send_body: bool) -> None:
        try:
            if self.path.partition("?")[0] == EVENTS_PATH:
                self._stream_events()
                return
            state = self.server.state
            located = locate(self.path, state.output_dir, self.server.base_path)
            if located.status == HTTPStatus.NOT_FOUND and state.building:
                state.wait_until_built(BUILD_WAIT_SECONDS)  # the output folder may be mid-swap
                located = locate(self.path, state.output_dir, self.server.base_path)
            if located.status == HTTPStatus.MOVED_PERMANENTLY:
                self._send(located.status, b"", "text/plain; charset=utf-8", send_body, location=located.location)
            elif located.status == HTTPStatus.OK:
                assert located.file is not None
                self._send_file(located.file, send_body)
            elif located.status == HTTPStatus.NOT_FOUND:
                self._send_not_found(send_body)
            else:
                phrase = HTTPStatus(located.status).phrase
                self._send(located.status, f"{phrase}\n".encode(), "text/plain; charset=utf-8", send_body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload does that)

    def _send_file(self, path: Path, send_body: bool) -> None:
        kind = content_type(path)
        try:
            handle = open(path, "rb")  # an open file survives the output folder being swapped
        except OSError:
            self._send_not_found(send_body)
            return
        with handle:
            if kind.startswith("text/html"):
                self._send(HTTPStatus.OK, inject(handle.read(), self.server.state.snippet()), kind, send_body)
                return
            size = path.stat().st_size
            self._send_headers(HTTPStatus.OK, kind, size)
            if send_body:
                shutil.copyfileobj(handle, self.wfile)

    def _send_not_found(self, send_body: bool) -> None:
        page = b"<!doctype html><title>Not found</title><h1>Not found</h1>\n"
        output_dir = self.server.state.output_dir
        if output_dir is not None:
            located = locate("/404.html", output_dir)
            if located.file is not None:
                try:
                    page = located.file.read_bytes()
                except OSError:
                    pass
        self._send(HTTPStatus.NOT_FOUND, inject(page, self.server.state.snippet()), CONTENT_TYPES[".html"], send_body)

    def _send(self, status: int, body: bytes, kind: str, send_body: bool, location: str | None = None) -> None:
        self._send_headers(status, kind, len(body), location)
        if send_body:
            self.wfile.write(body)

    def _send_headers(self, status: int, kind: str, length: int, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")  # a reload always gets the new build
        self.send_header("X-Content-Type-Options", "nosniff")
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()

    def _stream_events(self) -> None:
        """Server-sent events: the epoch now, then each new one; a comment now and then keeps the line open."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        seen: str | None = None
        while not state.closed:
            epoch, css_only_since = state.wait_for_epoch(seen, KEEP_ALIVE_SECONDS)
            if state.closed:
                break
            message = f"{epoch} {css_only_since}" if css_only_since else epoch
            self.wfile.write(f"event: epoch\ndata: {message}\n\n".encode() if epoch != seen else b": still here\n\n")
            self.wfile.flush()
            seen = epoch


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
