"""``--format sarif``: a report as a SARIF 2.1.0 log, for code-scanning tools.

The OASIS standard defines the log: one run whose ``tool.driver`` lists the rules
(here the whole registry, so that ``ruleIndex`` is stable) and whose results each
name a rule, a level and a message, at a location:
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html (sections 3.13 run,
3.19 toolComponent, 3.49 reportingDescriptor, 3.27 result, 3.28 location).
Severities map to the result levels the standard defines (3.27.10): error, warning,
and info as ``note``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from pathlib import PurePath

from .._findings.report import Finding, Severity
from .._findings.rule import Rule
from .._findings.rules import RULES
from .._version import __version__
from .subject import Subject

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "sarif_log"]

SARIF_VERSION = "2.1.0"
#: The schema OASIS publishes with the standard (the log's ``$schema``).
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif_log(source: str | None, subjects: Sequence[Subject]) -> dict[str, object]:
    """The SARIF log of ``subjects``, read from ``source`` (None: standard input, which
    no result can point to as a file)."""
    rules = list(RULES.values())
    index = {rule.code: position for position, rule in enumerate(rules)}
    artifact = _uri(source) if source is not None else None
    results = [
        _result(f, subject, artifact, index)
        for subject in subjects
        for f in subject.report.findings
    ]
    driver = {
        "name": "appgw-certs",
        "version": __version__,
        "rules": [_rule(rule) for rule in rules],
    }
    run: dict[str, object] = {"tool": {"driver": driver}, "results": results}
    if artifact is not None:
        run["artifacts"] = [{"location": {"uri": artifact}}]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rule(rule: Rule) -> dict[str, object]:
    """A rule as a SARIF reportingDescriptor: its title, hint and public source."""
    return {
        "id": rule.code,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary},
        "help": {"text": rule.hint},
        "helpUri": rule.reference,
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"evidence": rule.evidence.value, "scope": rule.scope},
    }


def _result(
    f: Finding, subject: Subject, artifact: str | None, index: dict[str, int]
) -> dict[str, object]:
    location: dict[str, object] = {}
    if artifact is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact, "index": 0}}
    if f.location:  # the gateway JSON's object, e.g. sslCertificates[api]
        location["logicalLocations"] = [
            {"name": f.location, "fullyQualifiedName": f.location, "kind": "resource"}
        ]
    properties: dict[str, object] = {"subject": subject.name, "reportTitle": subject.report.title}
    properties |= {k: v for k, v in _extras(f).items() if v}
    result: dict[str, object] = {
        "ruleId": f.code,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [location] if location else [],
        "properties": properties,
    }
    if f.code in index:
        result["ruleIndex"] = index[f.code]
    return result


def _extras(f: Finding) -> dict[str, str | None]:
    return {"hint": f.hint, "certificate": f.certificate, "azureError": f.azure_error}


def _uri(source: str) -> str:
    """The input as a URI reference: a URL as given, a path with its characters quoted
    (an absolute path as a ``file:`` URI)."""
    if urllib.parse.urlsplit(source).scheme in ("http", "https"):
        return source
    path = PurePath(source)
    if path.is_absolute():
        return path.as_uri()
    return urllib.parse.quote(path.as_posix(), safe="/")
