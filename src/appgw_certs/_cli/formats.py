"""A verb's reports in each ``--format``, and the exit status ``--fail-on`` gives them.

A verb hands over its :class:`Subject` s: each thing it checked (a file, a probed server,
a gateway) with the report of it. JSON keeps each report's ``to_dict`` and adds the
input and :data:`SCHEMA_VERSION` (:func:`with_input`); SARIF 2.1.0 (:mod:`.sarif`),
JUnit XML (:mod:`.junit`) and Markdown (:func:`markdown`) are rendered from the findings.

Imported by the verbs' ``run`` functions only (it loads the library), never for ``--help``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .._findings.report import Finding, Report, Severity
from .subject import Subject
from .terminal import terminal_text

__all__ = [
    "SCHEMA_VERSION",
    "Subject",
    "fails",
    "markdown",
    "render",
    "severity_counts",
    "with_input",
]

#: ``schema_version`` of the JSON reports: raised when a key is renamed or removed (a
#: new key keeps it). Readers check it before they rely on the shape.
SCHEMA_VERSION = 1

#: The severities that make the exit status 1, for each ``--fail-on``.
_FAILING = {
    "error": frozenset({Severity.ERROR}),
    "warning": frozenset({Severity.ERROR, Severity.WARNING}),
    "info": frozenset(Severity),
}


def fails(reports: Iterable[Report], fail_on: str) -> bool:
    """True when a finding is as severe as ``fail_on`` (error, warning, info) or worse.

    >>> from appgw_certs._findings.rules import finding
    >>> report = Report("r", [finding("LST007")])
    >>> fails([report], "error"), fails([report], "warning")
    (False, True)
    """
    failing = _FAILING[fail_on]
    return any(f.severity in failing for report in reports for f in report.findings)


def with_input(document: dict[str, object], source: str | None) -> dict[str, object]:
    """A report's JSON with the input it was made from (``-`` for stdin) and the
    :data:`SCHEMA_VERSION` first; the library's keys follow unchanged."""
    return {"schema_version": SCHEMA_VERSION, "input": source, **document}


def render(fmt: str, source: str | None, subjects: Sequence[Subject]) -> str:
    """The SARIF, JUnit XML or Markdown text of ``subjects`` (``source``: the input's
    name, None for stdin)."""
    # deferred: each renderer loads only for its own format
    if fmt == "sarif":
        from .sarif import sarif_log

        return json.dumps(sarif_log(source, subjects), indent=2)
    if fmt == "junit":
        from .junit import junit_xml

        return junit_xml(subjects)
    if fmt == "markdown":
        return markdown(source, subjects)
    raise ValueError(f"no renderer for the format {fmt!r}")


def severity_counts(findings: Iterable[Finding]) -> str:
    """``1 error, 0 warnings, 2 infos``: every severity named."""
    listed = list(findings)
    parts = []
    for severity in Severity:
        count = sum(1 for f in listed if f.severity is severity)
        parts.append(f"{count} {severity.value}{'' if count == 1 else 's'}")
    return ", ".join(parts)


# ---------------------------------------------------------------------------- Markdown
# GitHub renders a job's $GITHUB_STEP_SUMMARY as GitHub Flavored Markdown, in which a
# table cell ends at an unescaped `|` and a row at a newline, and inline HTML is read:
# https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/
# workflow-commands-for-github-actions#adding-a-job-summary (a step summary is Markdown)
# https://github.github.com/gfm/#tables-extension- ("include a pipe in a cell's content
# by escaping it").

_MARKDOWN_HEADER = ("| Code | Severity | Location | Message |", "| --- | --- | --- | --- |")


def markdown(source: str | None, subjects: Sequence[Subject]) -> str:
    """A summary line, then one table row per finding (or a line saying there are none)."""
    findings = [f for subject in subjects for f in subject.report.findings]
    what = "standard input" if source is None else f"`{_code_span(source)}`"
    checked = len(subjects)
    lines = [
        f"**appgw-certs** checked {checked} {'report' if checked == 1 else 'reports'} "
        f"from {what}: {severity_counts(findings)}",
        "",
    ]
    if not findings:
        lines.append("No findings.")
        return "\n".join(lines)
    lines += _MARKDOWN_HEADER
    for subject in subjects:
        for f in subject.report.findings:
            where = " — ".join(p for p in (subject.name, f.location or f.certificate) if p)
            message = f"{f.message} {f.hint}".strip() if f.hint else f.message
            cells = (f.code, f.severity.value, where, message)
            lines.append("| " + " | ".join(map(markdown_cell, cells)) + " |")
    return "\n".join(lines)


def markdown_cell(text: str) -> str:
    r"""``text`` as one table cell: ``|`` and HTML escaped, a line break as ``<br>``,
    control characters shown escaped.

    >>> markdown_cell("a|b\nc <d>")
    'a\\|b<br>c &lt;d&gt;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(terminal_text(line) for line in lines)


def _code_span(text: str) -> str:
    """``text`` inside a one-backtick code span: backticks and controls cannot end it."""
    return terminal_text(text).replace("`", "'")
