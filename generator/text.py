"""Characters removed from every text a writer supplies (front matter and Markdown).

They are invisible in a browser, yet an HTML parser reports them as errors and XML (the
feeds) forbids some of them outright: C0 controls other than tab, newline and carriage
return; DEL and the C1 controls (U+0080-U+009F, which Windows-1252 text pasted as Latin-1
turns into); lone surrogates, which cannot be written as UTF-8; and the Unicode
noncharacters (U+FDD0-U+FDEF and the last two code points of every plane).
"""

from __future__ import annotations

import re

_NONCHARACTER_ENDS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
UNWANTED_CHARACTERS = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTER_ENDS}]")


def without_unwanted_characters(text: str) -> str:
    return UNWANTED_CHARACTERS.sub("", text)
