"""The one escaping function for SVG and HTML: untrusted text stays text.

Subjects, SANs, JSON names and file names come from strangers. :func:`text` escapes
markup (``& < > " '``, so the result is safe in element content and in quoted
attributes alike) and replaces the characters XML 1.0 cannot hold at all (most C0
controls, lone surrogates, U+FFFE/U+FFFF) by U+FFFD, so every picture parses as XML;
tabs and line ends become character references, so they read back as they were.
"""

from __future__ import annotations

import html
import re
from functools import cache

__all__ = ["clipped", "text"]


@cache
def _not_xml() -> re.Pattern[str]:
    """XML 1.0's Char production, negated: https://www.w3.org/TR/xml/#charsets
    (compiled on first use: a class over the astral planes takes milliseconds)."""
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# As references, tabs and line ends survive an attribute value (a parser turns them into
# spaces otherwise) and a carriage return survives element content.
_WHITESPACE = str.maketrans({"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def text(value: str) -> str:
    """``value`` as element content or a quoted attribute value of HTML or SVG.

    >>> text('<script>alert("1")</script>\\x00')
    '&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;\\ufffd'
    """
    return html.escape(_not_xml().sub("\ufffd", value), quote=True).translate(_WHITESPACE)


def clipped(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters with an ellipsis (not escaped: escape after)."""
    return value if len(value) <= limit else value[: max(limit - 1, 0)] + "\u2026"
