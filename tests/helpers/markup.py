"""Reading what the library draws, as a browser's parser and a strict XML parser would.

Every SVG is parsed with :mod:`xml.etree` (strict: one bad escape fails), every HTML
page and fragment with :mod:`html.parser`, which keeps each tag, attribute and text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def svgs(markup: str) -> list[ET.Element]:
    """Each ``<svg>`` in ``markup``, parsed strictly as XML."""
    # our own output, not a stranger's
    return [ET.fromstring(piece) for piece in _SVG.findall(markup)]  # noqa: S314


def of_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """The ``tag`` elements (without namespace) whose class is ``cls``."""
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("class") == cls]


def svg_text(root: ET.Element) -> str:
    """All the text of an SVG, its titles included."""
    return "".join(root.itertext())


_VOID = {"meta", "input", "br", "line", "rect", "polygon", "link", "img"}


class Page(HTMLParser):
    """Every start tag with its attributes, all the text, and each element's own text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.elements: list[tuple[str, list[str]]] = []
        self._open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.elements.append((tag, []))
            self._open.append(len(self.elements) - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self.elements[self._open.pop()][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for index in self._open:
            self.elements[index][1].append(data)

    def texts(self, tag: str) -> list[str]:
        """The text of each ``tag`` element, in document order."""
        return ["".join(parts) for name, parts in self.elements if name == tag]

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def attributes(self) -> set[str]:
        return {name for _, attrs in self.tags for name in attrs}


def parsed(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page
