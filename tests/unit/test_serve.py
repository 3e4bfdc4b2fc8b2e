"""serve.py: which file a request target names (never one outside the output folder), content
types, the injected reload script and error overlay, and the server itself on 127.0.0.1 with
raw requests (urllib and http.client would normalise the paths we want to send)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from generator.errors import ContentError
from generator.serve import EVENTS_PATH, PreviewServer, PreviewState, content_type, inject, is_loopback, locate
from generator.watch import Rebuild

SECRET = b"TOP-SECRET-OUTSIDE-THE-OUTPUT"
TRAVERSALS = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/a/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/..%252fsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5csecret.txt",
    "/%00/../secret.txt",
    "/index.html%00.txt",
    "/etc/passwd",
    "//etc/passwd",
    "///etc/passwd",
    "/leak.txt",
    "/leakdir/secret.txt",
    "/leakdir/",
    "../secret.txt",
    "secret.txt",
    "http://127.0.0.1/../secret.txt",
    "/%ff%fe",
    "/" + "a" * 5000,
    "/loop/",
]


def short_id(target: str) -> str:
    return target if len(target) < 60 else f"{target[:12]}...({len(target)} characters)"


@pytest.fixture
def output(tmp_path) -> Path:
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "secretdir").mkdir()
    (tmp_path / "secretdir" / "secret.txt").write_bytes(SECRET)
    (tmp_path / "secretdir" / "index.html").write_bytes(SECRET)
    out = tmp_path / "_site"
    files = {
        "index.html": b"<!doctype html><html><body><h1>Home</h1></body></html>\n",
        "404.html": b"<!doctype html><html><body><h1>Lost</h1></body></html>\n",
        "2026/11/hello/index.html": b"<html><BODY>post</BODY></html>",
        "evil.com/index.html": b"<html><body>a folder named like a host</body></html>",
        "feed.xml": b"<?xml version='1.0'?><rss/>",
        "atom.xml": b"<?xml version='1.0'?><feed/>",
        "feed.json": b"{}",
        "sitemap.xml": b"<urlset/>",
        "robots.txt": b"User-agent: *\n",
        "img/logo.svg": b"<svg/>",
        "img/photo.webp": b"RIFF",
        "fonts/a.woff2": b"wOF2",
        "css/style.css": b"body{}",
        "files/report.pdf": b"%PDF",
        "files/blob.unknownext": b"?",
    }
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    os.symlink(tmp_path / "secret.txt", out / "leak.txt")
    os.symlink(tmp_path / "secretdir", out / "leakdir")
    os.symlink(out / "robots.txt", out / "inside-link.txt")
    os.symlink(out / "loop", out / "loop")
    return out


# -- locate --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TRAVERSALS, ids=short_id)
def test_locate_never_names_a_file_outside_the_output(output, target):
    located = locate(target, output)
    assert located.status in (400, 403, 404), located
    assert located.file is None


@pytest.mark.parametrize(
    "target, relative",
    [
        ("/", "index.html"),
        ("/index.html", "index.html"),
        ("/2026/11/hello/", "2026/11/hello/index.html"),
        ("/2026/11/hello/?utm=1", "2026/11/hello/index.html"),
        ("/2026/11/hello/#top", "2026/11/hello/index.html"),
        ("/%32026/11/hello/", "2026/11/hello/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/inside-link.txt", "robots.txt"),  # a symlink that stays inside is fine
    ],
)
def test_locate_finds_files_and_folder_indexes(output, target, relative):
    located = locate(target, output)
    assert located.status == 200
    assert located.file == (output / relative).resolve()


def test_a_folder_without_its_slash_is_redirected(output):
    assert locate("/2026/11/hello", output).location == "/2026/11/hello/"
    assert locate("/2026/11/hello?x=1", output).location == "/2026/11/hello/?x=1"
    # Never to "//evil.com/", which a browser would read as another host.
    located = locate("//evil.com", output)
    assert located.status == 301 and located.location == "/evil.com/"


def test_a_file_with_a_trailing_slash_and_a_missing_path_are_not_found(output):
    assert locate("/feed.xml/", output).status == 404
    assert locate("/no/such/page/", output).status == 404
    assert locate("/", None).status == 404  # no good build yet


def test_a_site_under_a_sub_folder_is_served_under_it(output):
    assert locate("/", output, "/blog/").location == "/blog/"
    assert locate("/blog/feed.xml", output, "/blog/").file == (output / "feed.xml").resolve()
    assert locate("/blog", output, "/blog/").location == "/blog/"
    assert locate("/feed.xml", output, "/blog/").status == 404
    assert locate("/blog/../secret.txt", output, "/blog/").status == 400


# -- content types, injection, state ---------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("index.html", "text/html; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("feed.json", "application/json"),
        ("logo.svg", "image/svg+xml"),
        ("photo.WEBP", "image/webp"),
        ("font.woff2", "font/woff2"),
        ("style.css", "text/css; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("report.pdf", "application/pdf"),
        ("photo.jpg", "image/jpeg"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(name, expected):
    assert content_type(Path(name)) == expected


def test_inject_goes_before_the_last_body_end_tag_or_at_the_end():
    assert inject(b"<body>a</body><!-- </body> --></BODY>", b"X") == b"<body>a</body><!-- </body> -->X</BODY>"
    assert inject(b"<p>fragment", b"X") == b"<p>fragmentX"


def failed_rebuild(number: int = 2) -> Rebuild:
    error = ContentError("bad <script>alert(1)</script>", Path("posts/a.md"), 3, hint="fix & save")
    return Rebuild(number, frozenset(), 0.1, None, [error])


def test_state_shows_escaped_errors_and_moves_the_epoch(tmp_path):
    state = PreviewState(tmp_path)
    before = state.epoch
    assert b"blog-error-overlay" not in state.snippet()
    assert before.encode() in state.snippet() and EVENTS_PATH.encode() in state.snippet()
    state.begin()
    assert state.building
    state.finish(failed_rebuild())
    assert not state.building and state.epoch != before
    snippet = state.snippet().decode()
    assert 'id="blog-error-overlay"' in snippet
    assert "posts/a.md:3" in snippet and "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet and "fix &amp; save" in snippet
    assert "<script>alert(1)" not in snippet


def test_loopback_hosts():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.1.2.3")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("::") and not is_loopback("example.com")


# -- the server on 127.0.0.1 ---------------------------------------------------------------


@pytest.fixture
def server(output):
    state = PreviewState(output.parent)
    state.output_dir = output
    server = PreviewServer("127.0.0.1", 0, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=5)


def raw_request(server: PreviewServer, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(server.server_address[:2], timeout=5) as sock:
        sock.sendall(f"{method} {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("target", TRAVERSALS, ids=short_id)
def test_server_returns_no_byte_from_outside_the_output(server, target):
    status, _, body = raw_request(server, target)
    assert status in (400, 403, 404)
    assert SECRET not in body and b"root:" not in body


def test_server_serves_pages_with_the_reload_script_and_other_files_as_they_are(server, output):
    status, headers, body = raw_request(server, "/2026/11/hello/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<html><BODY>post<script>") and body.endswith(b"</script>\n</BODY></html>")
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Cache-Control"] == "no-store"
    for target in ("/feed.xml", "/feed.json", "/img/logo.svg", "/img/photo.webp", "/fonts/a.woff2"):
        status, headers, body = raw_request(server, target)
        assert status == 200 and body == (output / target[1:]).read_bytes(), target
        assert headers["Content-Type"] == content_type(Path(target)), target
    assert (output / "2026/11/hello/index.html").read_bytes() == b"<html><BODY>post</BODY></html>"  # never written


def test_server_redirects_folders_and_answers_head(server):
    status, headers, body = raw_request(server, "/2026/11/hello")
    assert status == 301 and headers["Location"] == "/2026/11/hello/"
    status, headers, body = raw_request(server, "/feed.xml", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(b"<?xml version='1.0'?><rss/>"))


def test_server_answers_missing_paths_with_the_sites_404_page(server):
    status, headers, body = raw_request(server, "/no/such/page/")
    assert status == 404 and body.startswith(b"<!doctype html><html><body><h1>Lost</h1>") and b"EventSource" in body


def test_server_shows_the_overlay_after_a_failed_rebuild(server):
    server.state.finish(failed_rebuild())
    status, _, body = raw_request(server, "/")
    assert status == 200 and b'id="blog-error-overlay"' in body and b"<h1>Home</h1>" in body


def test_event_stream_sends_the_epoch_then_each_new_one(server):
    with socket.create_connection(server.server_address[:2], timeout=5) as sock:
        sock.sendall(f"GET {EVENTS_PATH} HTTP/1.0\r\n\r\n".encode())
        received = b""
        while f"data: {server.state.epoch}\n\n".encode() not in received:
            received += sock.recv(4096)
        assert b"Content-Type: text/event-stream" in received
        server.state.finish(failed_rebuild())
        while f"data: {server.state.epoch}\n\n".encode() not in received:
            received += sock.recv(4096)
