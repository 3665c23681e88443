"""Expiry timelines as an inline SVG: one bar per certificate object from notBefore to
notAfter, grouped, with the "now" line and the warning window shaded.

A bar whose dates are unknown (a Key Vault reference, unreadable data) is still one
``<rect class="bar">``, of no width, labelled so. Past :data:`MAX_BARS` bars the rest
are counted in one line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from .chain_svg import COLOURS, note
from .escape import clipped, text
from .model import Bar, TimelineView

__all__ = ["MAX_BARS", "timeline_svg"]

#: Bars drawn per timeline; the rest are counted in one line ("40 more").
MAX_BARS = 200

_WIDTH = 760
_LABEL = 250  # the names' column
_PLOT = _WIDTH - _LABEL - 20
_ROW = 20
_TOP = 44


def timeline_svg(view: TimelineView) -> str:
    """The ``<svg class="timeline">`` of ``view``: ``<rect class="bar">`` per bar, one
    ``<line class="now">`` and one ``<rect class="warning-window">``."""
    bars = view.bars[:MAX_BARS]
    window_end = view.now + timedelta(days=view.warning_days)
    start, end = _span(bars, view.now, window_end)

    def x(moment: datetime) -> float:
        return round(_LABEL + (moment - start) / (end - start) * _PLOT, 1)

    rows: list[str] = []
    y = _TOP
    group: str | None = None
    for bar in bars:
        if bar.group != group:
            group = bar.group
            y += 4
            rows.append(
                f'<text x="6" y="{y + 13}" font-size="12" font-weight="bold" '
                f'fill="currentColor">{text(clipped(group, 40))}</text>'
            )
            y += _ROW
        rows.append(_bar(bar, y, x))
        y += _ROW
    hidden = len(view.bars) - len(bars)
    if hidden:
        rows.append(note(6, y + 14, f"{hidden} more"))
        y += _ROW
    if not bars:
        rows.append(note(6, y + 14, "no certificates"))
        y += _ROW
    height = y + 10
    now_x, window_x = x(view.now), x(min(window_end, end))
    title = text(view.title)
    return (
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{title}" font-family="sans-serif"><title>{title}</title>'
        f'<text x="6" y="16" font-size="13" font-weight="bold" fill="currentColor">'
        f"{text(clipped(view.title, 90))}</text>"
        f'<rect class="warning-window" x="{now_x}" y="{_TOP - 14}" '
        f'width="{round(max(window_x - now_x, 0.0), 1)}" height="{height - _TOP + 4}" '
        f'fill="{COLOURS["expiring"]}" fill-opacity="0.18">'
        f"<title>warning window: {view.warning_days} days</title></rect>"
        f"{_ticks(start, end, x, height)}{''.join(rows)}"
        f'<line class="now" x1="{now_x}" y1="{_TOP - 18}" x2="{now_x}" y2="{height - 6}" '
        f'stroke="{COLOURS["expired"]}" stroke-width="1.5"/>'
        f'<text x="{now_x + 3}" y="{_TOP - 20}" font-size="11" fill="currentColor">'
        f"now {view.now:%Y-%m-%d}</text></svg>"
    )


def _span(bars: tuple[Bar, ...], now: datetime, window_end: datetime) -> tuple[datetime, datetime]:
    """From the earliest notBefore to the latest notAfter, now and the window included."""
    starts = [b.not_before for b in bars if b.not_before is not None]
    ends = [b.not_after for b in bars if b.not_after is not None]
    start = min([*starts, now])
    end = max([*ends, window_end, now + timedelta(days=1)])
    return start, end


def _bar(bar: Bar, y: int, place: Callable[[datetime], float]) -> str:
    colour = COLOURS[bar.validity]
    label = (
        f'<text x="16" y="{y + 13}" font-size="11" fill="currentColor">'
        f"{text(clipped(bar.label, 38))}</text>"
    )
    if bar.not_before is None or bar.not_after is None:
        return (
            f'{label}<rect class="bar" data-validity="unknown" x="{_LABEL}" y="{y + 3}" '
            f'width="0" height="{_ROW - 6}" fill="{colour}"><title>{text(bar.label)}: '
            f"dates unknown</title></rect>"
            f'<text x="{_LABEL + 4}" y="{y + 13}" font-size="11" fill="currentColor">'
            "dates unknown</text>"
        )
    left, right = place(bar.not_before), place(bar.not_after)
    tip = f"{bar.label}: {bar.not_before:%Y-%m-%d} to {bar.not_after:%Y-%m-%d} ({bar.validity})"
    return (
        f'{label}<rect class="bar" data-validity="{bar.validity}" x="{left}" y="{y + 3}" '
        f'width="{round(max(right - left, 1.0), 1)}" height="{_ROW - 6}" rx="3" '
        f'fill="{colour}" fill-opacity="0.75"><title>{text(tip)}</title></rect>'
    )


def _ticks(start: datetime, end: datetime, x: Callable[[datetime], float], height: int) -> str:
    """A faint line and the year at each January 1st (every few years on a long span)."""
    years = end.year - start.year + 1
    step = max(1, math.ceil(years / 10))
    out = []
    for year in range(start.year + 1, end.year + 1, step):
        at = x(datetime(year, 1, 1, tzinfo=start.tzinfo))
        out.append(
            f'<line x1="{at}" y1="{_TOP - 14}" x2="{at}" y2="{height - 6}" '
            f'stroke="currentColor" stroke-opacity="0.2"/>'
            f'<text x="{at + 2}" y="{_TOP - 4}" font-size="10" fill="currentColor" '
            f'fill-opacity="0.7">{year}</text>'
        )
    return "".join(out)
