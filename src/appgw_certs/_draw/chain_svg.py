"""A chain as an inline SVG: one box per certificate, root at the top, an arrow for
"signed", and a dashed gap, with the rule code, wherever a link is missing.

Colours are presentation attributes (no ``style=``: a page's Content-Security-Policy
may forbid inline styles) in mid-tones readable on light and dark backgrounds; text is
``currentColor``. Every piece of text goes through :func:`.escape.text`.
"""

from __future__ import annotations

from .escape import clipped, text
from .model import ROLE_LABELS, CertBox, ChainView, Gap

__all__ = ["COLOURS", "MAX_BOXES", "chain_svg", "note"]

#: Boxes and gaps drawn per chain; the rest are counted in one line ("12 more").
MAX_BOXES = 12
#: Stroke colour per validity (and for the timeline's bars).
COLOURS = {
    "valid": "#2da44e",
    "expiring": "#c69026",
    "expired": "#e5534b",
    "not-yet-valid": "#8250df",
    "unknown": "#8c959f",
}

_WIDTH = 440
_BOX = 62
_GAP = 40
_STEP = 30  # the arrow between two boxes
_CN_CHARS = 52


def chain_svg(view: ChainView) -> str:
    """The ``<svg class="chain">`` of ``view``: ``<g class="cert">`` per box (its
    ``data-role`` and ``data-validity``), ``<g class="gap">`` per missing link."""
    items = view.items[:MAX_BOXES]
    parts: list[str] = []
    y = 26
    previous: CertBox | Gap | None = None
    for item in items:
        if isinstance(previous, CertBox) and isinstance(item, CertBox):
            parts.append(_arrow(y, _STEP))
        if previous is not None:
            y += _STEP
        if isinstance(item, CertBox):
            parts.append(_box(item, y))
            y += _BOX
        else:
            parts.append(_gap(item, y))
            y += _GAP
        previous = item
    hidden = len(view.items) - len(items)
    if hidden:
        y += 18
        parts.append(
            f'<text x="10" y="{y}" font-size="12" fill="currentColor">{hidden} more</text>'
        )
    if not items:
        y += 14
        parts.append(
            f'<text x="10" y="{y}" font-size="12" fill="currentColor">no certificates</text>'
        )
    height = y + 10
    title = text(view.title)
    return (
        f'<svg class="chain" xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{title}" font-family="sans-serif">'
        f"<title>{title}</title>"
        f'<text x="10" y="16" font-size="13" font-weight="bold" fill="currentColor">'
        f"{text(clipped(view.title, 60))}</text>{''.join(parts)}</svg>"
    )


def note(x: int, y: int, words: str) -> str:
    """A line of plain text (``words`` are ours, never a stranger's)."""
    return f'<text x="{x}" y="{y}" font-size="12" fill="currentColor">{text(words)}</text>'


def _box(box: CertBox, y: int) -> str:
    colour = COLOURS[box.validity]
    roles = ", ".join(ROLE_LABELS.get(r, r) for r in (box.role, *box.roles))
    state = box.validity.replace("-", " ")
    lines = (
        (13, "bold", clipped(box.common_name or box.subject or "(no subject)", _CN_CHARS)),
        (11, "normal", clipped(f"{box.key} \u00b7 {roles}", 64)),
        (11, "normal", f"valid to {box.not_after:%Y-%m-%d} ({state})"),
    )
    texts = "".join(
        f'<text x="20" y="{y + 18 + 16 * i}" font-size="{size}" font-weight="{weight}" '
        f'fill="currentColor">{text(line)}</text>'
        for i, (size, weight, line) in enumerate(lines)
    )
    return (
        f'<g class="cert" data-role="{text(box.role)}" data-validity="{box.validity}">'
        f"<title>{text(box.subject)}</title>"
        f'<rect x="10" y="{y}" width="{_WIDTH - 20}" height="{_BOX}" rx="6" '
        f'fill="{colour}" fill-opacity="0.12" stroke="{colour}" stroke-width="2"/>'
        f'<rect x="10" y="{y}" width="6" height="{_BOX}" fill="{colour}"/>{texts}</g>'
    )


def _gap(gap: Gap, y: int) -> str:
    colour = COLOURS["expired"]
    return (
        f'<g class="gap" data-code="{text(gap.code)}"><title>{text(gap.text)}</title>'
        f'<rect x="40" y="{y}" width="{_WIDTH - 80}" height="{_GAP}" rx="6" fill="none" '
        f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="52" y="{y + 16}" font-size="12" font-weight="bold" fill="{colour}">'
        f"missing link: {text(gap.code)}</text>"
        f'<text x="52" y="{y + 32}" font-size="11" fill="currentColor">'
        f"{text(clipped(gap.text, 60))}</text></g>"
    )


def _arrow(y: int, length: int) -> str:
    """From the box above down to the box below (the one above signed it)."""
    x = _WIDTH // 2
    top, tip = y + 3, y + length - 3
    return (
        f'<g class="signed"><line x1="{x}" y1="{top}" x2="{x}" y2="{tip - 6}" '
        f'stroke="currentColor" stroke-width="1.5"/>'
        f'<polygon points="{x - 5},{tip - 7} {x + 5},{tip - 7} {x},{tip}" fill="currentColor"/>'
        f'<text x="{x + 10}" y="{y + length // 2 + 4}" font-size="11" '
        f'fill="currentColor">signed</text></g>'
    )
