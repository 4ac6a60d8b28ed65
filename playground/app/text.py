"""Text that came from a user (a file's column names, a link's values, an error quoting them) shown as text.

Streamlit renders messages as Markdown: a column called "![px](http://host/p.png)" would fetch an image and
"[fix](https://...)" would be a live link. The characters that start Markdown, HTML, maths or a link are
backslash-escaped (as CommonMark allows), and a bare web address is broken up the same way, so the text reads
as it was written and nothing in it is markup. Line breaks become spaces: one message, one line.
"""
from __future__ import annotations

import re

_ESCAPED = {ord(c): "\\" + c for c in "\\`*_{}[]<>#!$~|/"}


def plain(text) -> str:
    """text with every character that could start markup escaped, on one line."""
    text = re.sub(r"\s*\n\s*", " ", str(text)).translate(_ESCAPED)
    return re.sub(r"(?i)\bwww\.", r"www\\.", text)  # no autolink of a bare www. address either
