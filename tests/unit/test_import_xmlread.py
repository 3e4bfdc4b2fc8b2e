"""Reading exports' XML: hostile files refused before anything expands, sloppy ones read."""

from __future__ import annotations

import pytest

from generator.importers import xmlread
from generator.importers.model import ExportError

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss><channel><item><title>&lol9;</title></item></channel></rss>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>"""


@pytest.mark.parametrize(
    "text", [BILLION_LAUGHS, EXTERNAL_ENTITY, '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://example.com/x.dtd"><rss/>']
)
def test_dtds_and_entities_are_refused_before_expanding(tmp_path, text):
    path = tmp_path / "export.xml"
    path.write_text(text)
    with pytest.raises(ExportError, match="DTD|entities") as caught:
        xmlread.parse(path)
    assert caught.value.path == path


def test_a_truncated_file_says_so_with_its_line(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?>\n<rss>\n<channel>\n<item><title>Cut')
    with pytest.raises(ExportError, match="truncated") as caught:
        xmlread.parse(path)
    assert caught.value.line == 4


def test_characters_xml_forbids_are_dropped_raw_and_as_references(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(b"<rss><item><title>a\x0bb\x01c &#1;&#x1F;d &#10;e</title></item></rss>")
    title = xmlread.parse(path).find("item/title")
    assert title is not None and title.text == "abc d \ne"


def test_an_undeclared_prefix_is_declared(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><entry><app:control><app:draft>yes</app:draft></app:control></entry></feed>')
    entry = xmlread.child(xmlread.parse(path), "entry")
    assert entry is not None
    control = xmlread.child(entry, "control")
    assert control is not None and xmlread.text_of(control, "draft") == "yes"


def test_the_declared_encoding_is_used(tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Café</title></rss>'.encode("latin-1"))
    assert xmlread.text_of(xmlread.parse(path), "title") == "Café"


def test_elements_match_by_local_name_whatever_the_namespace(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(
        '<rss xmlns:a="http://wordpress.org/export/1.2/" xmlns:b="https://wordpress.org/export/1.2/">'
        "<a:post_id>1</a:post_id><b:post_id>2</b:post_id></rss>"
    )
    assert [e.text for e in xmlread.children(xmlread.parse(path), "post_id")] == ["1", "2"]


def test_prefixes_used_without_declaration_are_declared_whatever_they_are(tmp_path):
    path = tmp_path / "export.xml"  # as WordPress.com writes its channel's atom:link
    path.write_text('<rss version="2.0"><channel><atom:link rel="search" href="x"/><odd:thing>1</odd:thing></channel></rss>')
    channel = xmlread.child(xmlread.parse(path), "channel")
    assert channel is not None and [xmlread.local(e.tag) for e in channel] == ["link", "thing"]
