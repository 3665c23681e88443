"""``--format html``: one self-contained page: the summary, the pictures, the findings.

Inline CSS and SVG; no external fonts, scripts or images. A small inline script filters
the findings table by severity and code (it sets and clears ``hidden`` on the rows);
without scripts every row shows. The page's Content-Security-Policy allows exactly its
own style and script, by their SHA-256 hashes, and nothing else. Every text from the
input (file names, gateway names, subjects, findings) is escaped by
:func:`appgw_certs._draw.escape.text`; the pictures and the table are the library's own
fragments (``_repr_html_``'s), so the notebook and the page show the same thing.

Imported by the verbs' ``run`` functions only, for ``--format html``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .._draw.escape import text
from .._draw.findings_table import findings_table
from .._draw.model import FindingRow
from .._findings.report import Finding, Severity, finding_rows
from .._gateway.pictures import fleet_timeline
from .subject import Subject

if TYPE_CHECKING:
    from .._gateway.audit import GatewayAudit

__all__ = ["SCRIPT", "STYLE", "content_security_policy", "html_page"]

#: Gateways of a list whose chains and timeline the page draws.
PICTURED_GATEWAYS = 10
#: Subjects listed one by one in the summary; a longer list is counted.
MAX_SUMMARY_LINES = 100

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;line-height:1.4;color:#1f2328;
background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}a{color:#4493f8}}
h1{font-size:1.4em;word-break:break-all}
h2{font-size:1.15em;margin-top:1.5em}
section.pictures svg{display:block;margin:0.5em 0;max-width:100%;height:auto}
table.findings{border-collapse:collapse;width:100%}
table.findings th,table.findings td{text-align:left;vertical-align:top;padding:3px 8px;
border-top:1px solid rgba(128,128,128,0.35)}
tr[hidden]{display:none}
.severity{font-weight:bold}
.severity.error{color:#e5534b}.severity.warning{color:#c69026}.severity.info{color:#4493f8}
small{opacity:0.85}
.filters label{margin-right:1em}
""".strip()

SCRIPT = """
(function(){
var boxes=document.querySelectorAll('input.severity-filter');
var select=document.getElementById('code-filter');
function apply(){
var on={};
for(var i=0;i<boxes.length;i++){if(boxes[i].checked){on[boxes[i].value]=true;}}
var code=select.value;
var rows=document.querySelectorAll('#findings tr.finding');
for(var j=0;j<rows.length;j++){
var row=rows[j];
var shown=on[row.getAttribute('data-severity')]===true&&
(code===''||row.getAttribute('data-code')===code);
if(shown){row.removeAttribute('hidden');}else{row.setAttribute('hidden','');}
}
}
for(var k=0;k<boxes.length;k++){boxes[k].addEventListener('change',apply);}
select.addEventListener('change',apply);
apply();
})();
""".strip()


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    """Nothing but the page's own style and script, named by their hashes."""
    return (
        f"default-src 'none'; style-src {_hash(STYLE)}; script-src {_hash(SCRIPT)}; "
        "base-uri 'none'; form-action 'none'"
    )


def html_page(source: str | None, subjects: Sequence[Subject], pictures: str) -> str:
    """The page for ``subjects`` read from ``source`` (None: standard input), with
    ``pictures`` (inline SVG fragments, already escaped) between summary and findings."""
    name = text("standard input" if source is None else source)
    findings = [(s, f) for s in subjects for f in s.report.findings]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>appgw-certs report: {name}</title><style>{STYLE}</style></head>"
        f"<body><h1>appgw-certs report: {name}</h1>"
        f"{_summary(subjects, [f for _, f in findings])}"
        f'<section class="pictures" id="pictures"><h2>Pictures</h2>{pictures or _none()}'
        "</section>"
        f"{_findings(subjects, findings)}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def audit_page(
    source: str | None,
    audits: Sequence[GatewayAudit],
    subjects: Sequence[Subject],
    *,
    as_list: bool,
) -> str:
    """The page of ``audit``: each gateway's timeline and chains (the first few gateways),
    for a list the fleet's soonest expiries first."""
    days = max((a.expiry_warning_days for a in audits), default=30)
    moment = next((a.audited_at for a in audits if a.audited_at), None)
    pictures = [fleet_timeline(audits, days, moment)] if as_list else []
    pictures += [audit.pictures_html() for audit in audits[:PICTURED_GATEWAYS]]
    if len(audits) > PICTURED_GATEWAYS:
        pictures.append(f"<p>{len(audits) - PICTURED_GATEWAYS} more gateways not drawn.</p>")
    return html_page(source, subjects, "".join(pictures))


def _none() -> str:
    return "<p>No certificates to draw.</p>"


def _count(findings: Sequence[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)


def _summary(subjects: Sequence[Subject], findings: Sequence[Finding]) -> str:
    counts = "".join(
        f'<li class="count" data-severity="{s.value}">'
        f"{_count(findings, s)} {s.value}{'' if _count(findings, s) == 1 else 's'}</li>"
        for s in Severity
    )
    lines = "".join(
        f"<li>{text(subject.report.summary())}</li>" for subject in subjects[:MAX_SUMMARY_LINES]
    )
    if len(subjects) > MAX_SUMMARY_LINES:
        lines += f"<li>{len(subjects) - MAX_SUMMARY_LINES} more</li>"
    checked = len(subjects)
    return (
        f'<section id="summary"><h2>Summary</h2><p>{checked} '
        f"{'report' if checked == 1 else 'reports'}; findings:</p><ul>{counts}</ul>"
        f"<ul>{lines}</ul></section>"
    )


def _findings(subjects: Sequence[Subject], findings: Sequence[tuple[Subject, Finding]]) -> str:
    severities = "".join(
        f'<label><input type="checkbox" class="severity-filter" value="{s.value}" checked> '
        f"{s.value}</label>"
        for s in Severity
    )
    codes = sorted({f.code for _, f in findings})
    options = '<option value="">all codes</option>' + "".join(
        f'<option value="{text(code)}">{text(code)}</option>' for code in codes
    )
    rows = finding_rows(f for _, f in findings)
    if len(subjects) > 1:  # each row says which gateway (or file) it is about
        rows = [
            _placed(row, subject.name) for row, (subject, _) in zip(rows, findings, strict=True)
        ]
    table = findings_table(rows, table_id="findings")
    return (
        '<section id="findings-section"><h2>Findings</h2>'
        f'<p class="filters">{severities}<label>code <select id="code-filter">{options}'
        "</select></label></p>"
        "<noscript><p>Scripts are off: every finding is shown.</p></noscript>"
        f"{table}</section>"
    )


def _placed(row: FindingRow, where: str) -> FindingRow:
    return replace(row, location=f"{where}: {row.location}" if row.location else where)
