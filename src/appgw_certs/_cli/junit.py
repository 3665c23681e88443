"""``--format junit``: a report as JUnit XML, for the test-report views of CI systems.

One ``<testsuite>`` per report; one ``<testcase>`` per checked object: the file (check,
backend, client), or the gateway and each of its certificate objects (audit, where a
finding goes to the object its ``location`` names, else to the gateway). Each error is
a ``<failure>`` (``type`` its code); warnings and infos do not fail a test case: they
are lines of its ``<system-out>``, ``WARNING LST007: ...``. The format is the one
Jenkins' JUnit plugin and junitparser read (testsuites > testsuite > testcase >
failure / system-out): https://github.com/testmoapp/junitxml (a description of the
format as CI tools read it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .._findings.report import Finding, Severity
from .subject import Subject
from .terminal import terminal_text

__all__ = ["junit_xml"]


def junit_xml(subjects: Sequence[Subject]) -> str:
    """The JUnit XML document of ``subjects``."""
    suites = ET.Element("testsuites", name="appgw-certs")
    totals = {"tests": 0, "failures": 0}
    for subject in subjects:
        suite = ET.SubElement(suites, "testsuite", name=_text(subject.report.title))
        cases = _cases(subject)
        failures = 0
        for name, findings in cases:
            case = ET.SubElement(suite, "testcase", classname=_text(subject.name), name=_text(name))
            failures += _add_findings(case, findings)
        _set_counts(suite, len(cases), failures)
        totals["tests"] += len(cases)
        totals["failures"] += failures
    _set_counts(suites, totals["tests"], totals["failures"])
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'


def _cases(subject: Subject) -> list[tuple[str, list[Finding]]]:
    """(test case name, its findings): the subject itself, then each of its objects."""
    own = [f for f in subject.report.findings if f.location not in subject.objects]
    cases = [(subject.name, own)]
    for obj in subject.objects:
        cases.append((obj, [f for f in subject.report.findings if f.location == obj]))
    return cases


def _add_findings(case: ET.Element, findings: Sequence[Finding]) -> int:
    """A ``<failure>`` per error and the other findings as ``<system-out>``; the number
    of failures."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    for f in errors:
        failure = ET.SubElement(case, "failure", type=f.code, message=_text(f.message))
        failure.text = _text("\n".join(_lines(f)))
    others = [f for f in findings if f.severity is not Severity.ERROR]
    if others:
        out = ET.SubElement(case, "system-out")
        out.text = _text(
            "\n".join(f"{f.severity.value.upper()} {f.code}: {f.message}" for f in others)
        )
    return len(errors)


def _lines(f: Finding) -> list[str]:
    lines = [f"{f.code}: {f.message}"]
    lines += [f"{label}: {value}" for label, value in _details(f) if value]
    return lines


def _details(f: Finding) -> list[tuple[str, str | None]]:
    return [
        ("certificate", f.certificate),
        ("location", f.location),
        ("hint", f.hint),
        ("reference", f.reference),
    ]


def _set_counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")


def _text(text: str) -> str:
    """Text XML 1.0 can hold: control characters (newlines aside) and undecodable
    bytes shown escaped."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))
