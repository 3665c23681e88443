"""Reading what the library draws, as a browser's parser and a strict XML parser would.

Every SVG is parsed with :mod:`xml.etree` (strict: one bad escape fails), every HTML
page and fragment with :mod:`html.parser`, which keeps each tag, attribute and text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"

_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


def svgs(markup: str) -> list[ET.Element]:
    """Each ``<svg>`` in ``markup``, parsed strictly as XML."""
    return [ET.fromstring(piece) for piece in _SVG.findall(markup)]


def of_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    """The ``tag`` elements (without namespace) whose class is ``cls``."""
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("class") == cls]


def svg_text(root: ET.Element) -> str:
    """All the text of an SVG, its titles included."""
    return "".join(root.itertext())


@dataclass
class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the text of each element kind."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    inside: dict[str, list[str]] = field(default_factory=dict)
    _open: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "input", "br", "line", "rect", "polygon"}:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for tag in set(self._open):
            self.inside.setdefault(tag, []).append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def attributes(self) -> set[str]:
        return {name for _, attrs in self.tags for name in attrs}


def parsed(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page
