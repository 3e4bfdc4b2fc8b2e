"""Reading an export's XML safely and forgivingly.

Safely: DTDs, and with them entity expansion (the "billion laughs") and external entities,
are refused by defusedxml before anything is expanded. Forgivingly: characters XML 1.0 does
not allow (control characters pasted into a post, common in real WordPress exports) are
removed rather than failing the whole import, and a namespace prefix used without being
declared (Blogger's `app:`) is declared. Elements are matched by local name, since real
exports use more than one namespace URI for the same thing (http:// and https://wordpress.org).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as SafeET

from generator.importers.model import ExportError

# Code points XML 1.0 forbids, raw or as character references (&#1; &#x1F;).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_REFERENCE = re.compile(r"&#(?:x0*(?:[0-8bBcCeE]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));")
# Prefixes exports use, with the URI to declare when a file forgets to.
_KNOWN_PREFIXES = {
    "app": "http://www.w3.org/2007/app",
    "thr": "http://purl.org/syndication/thread/1.0",
    "openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
    "georss": "http://www.georss.org/georss",
    "gd": "http://schemas.google.com/g/2005",
    "blogger": "http://schemas.google.com/blogger/2018",
    "media": "http://search.yahoo.com/mrss/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
_ROOT_START = re.compile(r"<(?![?!])([A-Za-z_][\w.:-]*)([^>]*)>")


def read_text(path: Path) -> str:
    """The file as text (UTF-8, or the encoding its XML declaration names), forbidden
    characters removed; a file that cannot be read is an ExportError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read the export: {exc.strerror or exc}", path) from exc
    declared = re.match(rb"""<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""", data.lstrip(b"\xef\xbb\xbf"))
    encoding = declared.group(1).decode() if declared else "utf-8"
    try:
        text = data.decode(encoding.lower() if encoding.lower() != "utf-8" else "utf-8-sig", errors="replace")
    except LookupError:
        text = data.decode("utf-8-sig", errors="replace")
    return _FORBIDDEN_REFERENCE.sub("", _FORBIDDEN.sub("", text))


def parse(path: Path, text: str | None = None) -> ET.Element:
    """The root element of an export; malformed, truncated or hostile XML is an ExportError
    naming the file and the line."""
    text = read_text(path) if text is None else text
    text = _declare_missing_prefixes(text)
    # The declaration's encoding was used to decode; ElementTree refuses one in a str.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    for _ in range(20):  # each round declares one more prefix a file uses without declaring it
        try:
            return SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except defusedxml.DTDForbidden as exc:
            raise ExportError(
                "holds a DTD (<!DOCTYPE ...>); exports never do, and it could expand entities without end: refused", path
            ) from exc
        except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
            raise ExportError("declares XML entities; refused, as they could expand without end or read other files", path) from exc
        except ET.ParseError as exc:
            fixed = _declare_unbound_prefix(text, exc)
            if fixed is None:
                raise _parse_error(path, exc) from exc
            text = fixed
    raise ExportError("uses more undeclared namespace prefixes than an export can", path)


def _parse_error(path: Path, exc: ET.ParseError) -> ExportError:
    line = exc.position[0] if exc.position else None
    reason = str(exc).split(":")[0]
    truncated = "no element found" in reason or "unclosed token" in reason
    return ExportError(
        f"is not well-formed XML ({reason})" + ("; the file looks truncated" if truncated else ""),
        path,
        line=line,
        hint="export it again; a file cut short in a download or an editor ends like this" if truncated else None,
    )


def _declare_unbound_prefix(text: str, exc: ET.ParseError) -> str | None:
    """WordPress.com writes `<atom:link>` without declaring `atom`, and expat stops at the first
    such name: declare that prefix on the root element (with a URI of its own) and try again."""
    if "unbound prefix" not in str(exc) or not exc.position:
        return None
    line, column = exc.position
    rows = text.split("\n", line)
    found = re.match(r"<([A-Za-z_][\w.-]*):", rows[line - 1][column:]) if 0 < line <= len(rows) else None
    start = _ROOT_START.search(text)
    if found is None or start is None or f"xmlns:{found.group(1)}=" in start.group(2):
        return None
    prefix = found.group(1)
    uri = _KNOWN_PREFIXES.get(prefix, f"urn:undeclared-prefix:{prefix}")
    return text[: start.end(2)] + f' xmlns:{prefix}="{uri}"' + text[start.end(2) :]


def _declare_missing_prefixes(text: str) -> str:
    start = _ROOT_START.search(text)
    if start is None:
        return text
    # Plain substring tests: a regex over a 100 MB export per prefix took a fifth of an import.
    missing = [prefix for prefix in _KNOWN_PREFIXES if f"<{prefix}:" in text and f"xmlns:{prefix}=" not in text]
    if not missing:
        return text
    declared = "".join(f' xmlns:{prefix}="{_KNOWN_PREFIXES[prefix]}"' for prefix in missing)
    return text[: start.end(2)] + declared + text[start.end(2) :]


def local(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}post_id` -> `post_id`."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children with this local name, whatever their namespace."""
    return (child for child in element if local(child.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    return next(children(element, name), None)


def text_of(element: ET.Element, name: str, default: str = "") -> str:
    """The text of the first child with this local name ("" when absent or empty)."""
    found = child(element, name)
    return (found.text or default) if found is not None else default
