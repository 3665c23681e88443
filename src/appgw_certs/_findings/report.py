"""Findings and the report that carries them: plain text, JSON and a Jupyter table.

A :class:`Report` is a value: a title, findings in the order they were found,
and ``details``, facts worth showing that are not findings (for a mutual-auth
file, the issuer DN the gateway will extract). It knows how to print itself and
nothing about where it is printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from .._errors import AppGwCertError
from .._formats.inputs import checked_indent

if TYPE_CHECKING:
    from .._draw.model import FindingRow
    from .._x509.chain_picture import ChainPicture

__all__ = ["CheckFailedError", "Finding", "Report", "Severity", "finding_rows", "gap_code"]


class Severity(StrEnum):
    """How bad a finding is.

    ``ERROR``: Azure documents that it refuses the upload or that traffic fails.
    ``WARNING``: seen only in reports, or unconfirmed. ``INFO``: advice.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing a check found.

    ``azure_error`` is the error code Azure's API answers with for this
    rejection, where a public source shows one
    (``ApplicationGatewaySslCertificateDataTooBig``), else None.

    >>> Finding("ROOT004", Severity.WARNING, "more than one certificate in the file").code
    'ROOT004'
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    certificate: str | None = None
    reference: str = ""
    location: str | None = None
    azure_error: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """JSON-ready; every key always present."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "certificate": self.certificate,
            "reference": self.reference,
            "location": self.location,
            "azure_error": self.azure_error,
        }


@dataclass(frozen=True, init=False)
class Report:
    """The findings of one check.

    ``findings`` may be given as any iterable; ``details`` (facts that are not
    findings, such as the issuer DN a gateway will extract) as a mapping or as
    (name, value) pairs. Both are stored as tuples, so a report is immutable and
    hashable; ``to_dict`` renders ``details`` as a mapping. ``chain``, the
    certificates the check read, is what ``_repr_html_`` draws; it takes no part
    in equality.

    .. versionchanged:: 0.2 ``chain``: Jupyter draws the chain above the findings.

    >>> report = check_upload("trusted-root", Path("root.cer"), sku="v2")  # doctest: +SKIP
    >>> report.ok, sorted(report.codes)                                     # doctest: +SKIP
    (True, [])
    """

    title: str
    findings: tuple[Finding, ...]
    details: tuple[tuple[str, str], ...]
    chain: ChainPicture | None = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        title: str,
        findings: Iterable[Finding] = (),
        details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        *,
        chain: ChainPicture | None = None,
    ) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "findings", tuple(findings))
        object.__setattr__(self, "details", _pairs(details))
        object.__setattr__(self, "chain", chain)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error findings."""
        return self._of(Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning findings."""
        return self._of(Severity.WARNING)

    @property
    def infos(self) -> tuple[Finding, ...]:
        """The info findings."""
        return self._of(Severity.INFO)

    @property
    def codes(self) -> frozenset[str]:
        """The codes of all findings."""
        return frozenset(f.code for f in self.findings)

    def _of(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    def raise_for_errors(self) -> None:
        """Raise :class:`CheckFailedError` (carrying this report) when not :attr:`ok`."""
        if not self.ok:
            raise CheckFailedError(self)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present."""
        return {s.value: len(self._of(s)) for s in Severity}

    # -- rendering -----------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, with a stable shape: title, ok, counts, details, findings."""
        return {
            "title": self.title,
            "ok": self.ok,
            "counts": self.counts(),
            "details": dict(self.details),
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=checked_indent(indent), ensure_ascii=False)

    def summary(self) -> str:
        """One line: the title and the counts, e.g. ``"...: 1 error, 2 warnings"``."""
        counts = self.counts()
        parts = [_plural(counts[s.value], s.value) for s in Severity if counts[s.value]]
        return f"{self.title}: {', '.join(parts) if parts else 'no findings'}"

    def __str__(self) -> str:
        lines = [printable(self.summary())]  # titles name hosts and files; findings quote certs
        lines += [f"  {name}: {printable(value)}" for name, value in self.details]
        for f in self.findings:
            lines.append(f"  {f.severity.value.upper():<7} {f.code:<7} {printable(_headline(f))}")
            lines += [f"  {'':<15} {label}: {printable(text)}" for label, text in _extra(f)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        # deferred: the drawing code loads only when a report is shown as HTML
        from .._draw.escape import text as escape
        from .._draw.findings_table import SEVERITY_COLOURS, findings_table

        colour = "#2da44e" if self.ok else SEVERITY_COLOURS["error"]
        head = (
            f'<div style="color:inherit;background:transparent">'
            f"<p><strong>{escape(self.title)}</strong> "
            f'<span style="color:{colour}">{escape(self.summary()[len(self.title) + 2 :])}'
            "</span></p>"
        )
        details = "".join(
            f"<li>{escape(name)}: <code>{escape(value)}</code></li>" for name, value in self.details
        )
        if details:
            head += f'<ul style="margin:0 0 0.5em 0">{details}</ul>'
        if self.chain is not None:
            head += self.chain.svg(gap_code(self.findings))
        if not self.findings:
            return head + "</div>"
        return f"{head}{findings_table(finding_rows(self.findings), styled=True)}</div>"


#: The rules that report a missing link in a chain: an absent intermediate or root, or a
#: certificate its supposed issuer did not sign. A chain diagram draws the gap with one.
GAP_CODES = ("LST008", "BE003", "BE005", "CCA008", "MT002")


def gap_code(findings: Iterable[Finding]) -> str | None:
    """The code of the first finding that reports a missing link, else None."""
    return next((f.code for f in findings if f.code in GAP_CODES), None)


def finding_rows(findings: Iterable[Finding]) -> list[FindingRow]:
    """The findings as the findings table shows them (Jupyter and the HTML report)."""
    # deferred: the drawing code loads only when a report is shown as HTML
    from .._draw.model import FindingRow

    return [
        FindingRow(
            severity=f.severity.value,
            code=f.code,
            message=f.message,
            hint=f.hint,
            certificate=f.certificate,
            location=f.location,
            reference=f.reference,
            azure_error=f.azure_error,
        )
        for f in findings
    ]


def _pairs(details: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = details.items() if isinstance(details, Mapping) else details
    return tuple([(str(name), str(value)) for name, value in items])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# Certificates carry text from strangers (names, host names): a control character in
# it would drive the terminal the report is printed on (clear it, retitle it, forge a
# line). Text output shows them escaped; HTML output escapes markup.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}


def printable(text: str) -> str:
    """``text`` for one line of a terminal: control characters (newlines too) escaped.

    >>> printable("CN=evil\x1b[2J")
    'CN=evil\\x1b[2J'
    """
    return text.translate(_CONTROLS)


def _headline(f: Finding) -> str:
    """The message, then ``[azure_error]`` unless the message already names it."""
    if f.azure_error and f.azure_error not in f.message:
        return f"{f.message} [{f.azure_error}]"
    return f.message


def _extra(f: Finding) -> Iterable[tuple[str, str]]:
    """The optional lines of a finding, in reading order."""
    for label, text in (
        ("certificate", f.certificate),
        ("location", f.location),
        ("hint", f.hint),
        ("see", f.reference),
    ):
        if text:
            yield label, text


class CheckFailedError(AppGwCertError):
    """Raised by :meth:`Report.raise_for_errors` when a report has errors.

    The report is in :attr:`report`.
    """

    def __init__(self, report: Report) -> None:
        self.report = report
        lines = [f"{report.title}: {len(report.errors)} error(s)"]
        lines += [f"  {f.code}: {f.message}" for f in report.errors]
        super().__init__("\n".join(lines))
