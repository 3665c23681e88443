"""Finding and Report: properties, JSON shape, text, HTML and raise_for_errors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appgw_certs import CheckFailedError, Finding, Report, Severity
from appgw_certs._findings.report import printable

ERR = Finding("ROOT002", Severity.ERROR, "not a root", hint="extract it", certificate="CN=Int")
WARN = Finding("ROOT004", Severity.WARNING, "two certificates", reference="https://example.test/r")
INFO = Finding(
    "ROOT005", Severity.INFO, "well known <CA> & co", location="trustedRootCertificates[x]"
)


def test_properties() -> None:
    report = Report("Trusted root check", [ERR, WARN, INFO])
    assert report.findings == (ERR, WARN, INFO)
    assert not report.ok
    assert report.errors == (ERR,)
    assert report.warnings == (WARN,)
    assert report.infos == (INFO,)
    assert report.codes == frozenset({"ROOT002", "ROOT004", "ROOT005"})
    assert Report("clean").ok
    assert Report("warnings only", (WARN, INFO)).ok


def test_report_is_immutable_and_hashable() -> None:
    report = Report("t", [ERR], details={"issuer_dn": "CN=x"})
    assert isinstance(report.findings, tuple)
    assert report.details == (("issuer_dn", "CN=x"),)
    assert hash(report) == hash(Report("t", (ERR,), details=(("issuer_dn", "CN=x"),)))
    with pytest.raises(AttributeError):
        report.title = "other"  # type: ignore[misc]


def test_to_dict_shape_is_stable() -> None:
    data = Report("t", [ERR, INFO], details={"issuer_dn": "CN=Root"}).to_dict()
    assert list(data) == ["title", "ok", "counts", "details", "findings"]
    assert data["counts"] == {"error": 1, "warning": 0, "info": 1}
    assert data["details"] == {"issuer_dn": "CN=Root"}
    findings = data["findings"]
    assert isinstance(findings, list)
    keys = [
        "code",
        "severity",
        "message",
        "hint",
        "certificate",
        "reference",
        "location",
        "azure_error",
    ]
    assert all(list(f) == keys for f in findings)
    assert findings[0]["severity"] == "error"
    assert findings[1]["location"] == "trustedRootCertificates[x]"
    empty = Report("t").to_dict()
    assert list(empty) == list(data)
    assert empty["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_to_json_round_trips() -> None:
    report = Report("t", [ERR, WARN, INFO])
    assert json.loads(report.to_json()) == report.to_dict()
    assert "\n" not in report.to_json(indent=None)
    assert report.to_json().startswith("{\n  ")


def test_str_is_aligned_text() -> None:
    text = str(Report("Trusted root check", [ERR, WARN, INFO], details={"issuer_dn": "CN=R"}))
    lines = text.splitlines()
    assert lines[0] == "Trusted root check: 1 error, 1 warning, 1 info"
    assert "  issuer_dn: CN=R" in lines
    code_columns = {
        line.index(code)
        for line in lines
        for code in ("ROOT002", "ROOT004", "ROOT005")
        if code in line
    }
    assert len(code_columns) == 1
    assert any(re.match(r"\s+certificate: CN=Int$", line) for line in lines)
    assert any(re.match(r"\s+hint: extract it$", line) for line in lines)
    assert str(Report("Clean")) == "Clean: no findings"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.styles += [v or "" for k, v in attrs if k == "style"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_a_table_without_fixed_black_or_white() -> None:
    html = Report("t <x>", [ERR, WARN, INFO])._repr_html_()
    parser = _Collector()
    parser.feed(html)
    assert parser.tags.count("tr") == 4  # header + three findings
    assert "table" in parser.tags
    text = "".join(parser.text)
    assert "well known <CA> & co" in text  # escaped in HTML, readable as text
    assert "t <x>" in text
    styles = " ".join(parser.styles).lower()
    for fixed in ("#000", "#fff", "black", "white", "background:#", "background-color"):
        assert fixed not in styles
    assert "inherit" in styles


def test_raise_for_errors() -> None:
    Report("fine", [WARN]).raise_for_errors()
    report = Report("bad", [ERR])
    with pytest.raises(CheckFailedError) as info:
        report.raise_for_errors()
    assert info.value.report is report
    assert "ROOT002" in str(info.value)


_findings = st.builds(
    Finding,
    code=st.from_regex(r"[A-Z]{2,4}[0-9]{3}", fullmatch=True),
    severity=st.sampled_from(Severity),
    message=st.text(max_size=40),
    hint=st.text(max_size=20),
    certificate=st.none() | st.text(max_size=20),
    location=st.none() | st.text(max_size=20),
)


@given(st.text(max_size=20), st.lists(_findings, max_size=6))
def test_any_report_renders(title: str, findings: list[Finding]) -> None:
    report = Report(title, findings)
    assert json.loads(report.to_json()) == report.to_dict()
    assert report.ok == all(f.severity is not Severity.ERROR for f in findings)
    counts = report.to_dict()["counts"]
    assert isinstance(counts, dict)
    assert sum(counts.values()) == len(findings)
    text = str(report)
    assert text.startswith(printable(title))
    # strangers' text (titles name hosts, findings quote certificates) cannot drive a terminal
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text.replace("\n", ""))
    assert report._repr_html_().count("<tr") == (len(findings) + 1 if findings else 0)
