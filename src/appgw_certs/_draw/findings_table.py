"""The findings table, the one writer of it: Jupyter's report and the standalone page.

Each row is ``<tr class="finding" data-severity="…" data-code="…">`` with the
severity, the code as text, and the message with its certificate, location, Azure
error, hint (its `code` spans as ``<code>``) and a link to the public source the rule
rests on. ``styled`` adds inline ``style`` attributes for Jupyter, which has no
stylesheet of ours; the standalone page styles the table from its own ``<style>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .escape import text
from .model import FindingRow

__all__ = ["SEVERITY_COLOURS", "findings_table"]

# Mid-tones readable on both light and dark Jupyter backgrounds.
SEVERITY_COLOURS = {"error": "#e5534b", "warning": "#c69026", "info": "#4493f8"}

# A `code` span of a hint: backticks around text that holds none (Markdown's inline code).
_CODE_SPAN = re.compile(r"`([^`]+)`")


def code_spans(value: str) -> str:
    """``value`` as HTML, its `code` spans as ``<code>``: escaped first, so the text
    inside a span stays text (a span cannot open markup)."""
    return _CODE_SPAN.sub(r"<code>\1</code>", text(value))


def findings_table(
    rows: Sequence[FindingRow], *, table_id: str | None = None, styled: bool = False
) -> str:
    """A ``<table>`` with a header row and one ``<tr class="finding">`` per row."""
    cell = ' style="text-align:left;vertical-align:top;padding:2px 8px"' if styled else ""
    header = "".join(f"<th{cell}>{h}</th>" for h in ("severity", "code", "finding"))
    table_style = (
        ' style="border-collapse:collapse;color:inherit;background:transparent"' if styled else ""
    )
    ident = f' id="{text(table_id)}"' if table_id else ""
    body = "".join(_row(row, cell, styled=styled) for row in rows)
    return (
        f'<table{ident} class="findings"{table_style}><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _row(row: FindingRow, cell: str, *, styled: bool) -> str:
    lines: list[tuple[str, str]] = []
    if row.azure_error:
        lines.append(("Azure error", text(row.azure_error)))
    for label, value in (("certificate", row.certificate), ("location", row.location)):
        if value:
            lines.append((label, text(value)))
    if row.hint:
        lines.append(("hint", code_spans(row.hint)))
    if row.reference:
        link_style = ' style="color:inherit"' if styled else ""
        href = text(row.reference)
        link = f'<a rel="noreferrer" href="{href}"{link_style}>{href}</a>'
        lines.append(("source", link))
    small = ' style="opacity:0.8"' if styled else ""
    extra = "".join(f"<br><small{small}>{label}: {value}</small>" for label, value in lines)
    severity = text(row.severity)
    mark = (
        f' style="color:{SEVERITY_COLOURS.get(row.severity, "inherit")};font-weight:bold"'
        if styled
        else f' class="severity {severity}"'
    )
    border = ' style="border-top:1px solid rgba(128,128,128,0.35)"' if styled else ""
    return (
        f'<tr class="finding" data-severity="{severity}" data-code="{text(row.code)}"{border}>'
        f"<td{cell}><span{mark}>{severity}</span></td>"
        f"<td{cell}><code>{text(row.code)}</code></td>"
        f"<td{cell}>{text(row.message)}{extra}</td></tr>"
    )
