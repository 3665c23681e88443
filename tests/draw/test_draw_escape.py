"""The one escaping function: any text stays text in SVG and HTML, as parsers read it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from appgw_certs._draw.escape import text

# The characters XML 1.0 can hold (https://www.w3.org/TR/xml/#charsets).
_XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
HOSTILE = st.one_of(
    st.text(),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "' onmouseover='alert(1)",
            "]]><x/>",
            "&amp;&#x3c;",
            "\x00\x1b[2J\ud800\ufffe",
        ]
    ),
)


def _xml_text(value: str) -> str:
    """What XML can keep of ``value``: the rest becomes U+FFFD."""
    return "".join(c if _XML_CHAR.fullmatch(c) else "\ufffd" for c in value)


@given(HOSTILE)
def test_text_round_trips_through_an_xml_element_and_attribute(value: str) -> None:
    escaped = text(value)
    markup = f"<t a=\"{escaped}\" b='{escaped}'>{escaped}</t>"
    element = ET.fromstring(markup)  # noqa: S314 -- our own output, not a stranger's
    expected = _xml_text(value)  # whitespace too: written as references, it is kept
    assert (element.text or "") == expected
    assert element.get("a") == expected
    assert element.get("b") == expected
    assert list(element) == []  # nothing in the text became an element


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


@given(HOSTILE)
def test_text_opens_no_tag_and_no_attribute_in_html(value: str) -> None:
    parser = _Tags()
    parser.feed(f'<p title="{text(value)}">{text(value)}</p>')
    parser.close()
    assert [tag for tag, _ in parser.tags] == ["p"]
    ((_, attrs),) = parser.tags
    assert [name for name, _ in attrs] == ["title"]
    assert attrs[0][1] == _xml_text(value)
    assert "".join(parser.data) == _xml_text(value)
