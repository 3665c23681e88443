"""Every rule rests on a public source; docs/sources.md is up to date; nothing private leaks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from appgw_certs import Severity
from appgw_certs._findings.rule import Evidence
from appgw_certs._findings.rules import RULES, _registry, render_markdown, render_sources
from appgw_certs._findings.rules_page import source_label

ROOT = Path(__file__).resolve().parents[2]
FINDINGS_PACKAGE = ROOT / "src" / "appgw_certs" / "_findings"
GENERATED_PAGES = (ROOT / "docs" / "rules.md", ROOT / "docs" / "sources.md")

# The evidence labels, exactly as the docs print them.
EVIDENCE_LABELS = {
    "documented",
    "Azure API spec",
    "reported in a public issue",
    "inferred",
    "unconfirmed",
}
WEAK = {"inferred", "unconfirmed"}

# Rules whose evidence is inferred or unconfirmed but whose severity is error: no
# page states them, yet a code's severity is part of the public contract and is not
# changed here. docs/sources.md ("Inferred and unconfirmed rules") lists them in bold.
KNOWN_WEAK_ERRORS = frozenset({"GW002"})

# Words of notes that are not part of the project, assembled so this file holds none.
PRIVATE_WORDS = ("azure" + "-rules", "DES" + "IGN", "gateway" + "-json")
# Ids of such notes as they appeared in titles and hints: "(U2)", "L7", "T9", "§4.2".
PRIVATE_ID = re.compile(r"§|(?<![\w-])[ACIKLRSTU][0-9]{1,2}(?![\w.])")


def test_evidence_labels_are_exactly_the_documented_five() -> None:
    assert {evidence.value for evidence in Evidence} == EVIDENCE_LABELS


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_a_public_source(code: str) -> None:
    rule = RULES[code]
    assert rule.source.startswith("https://")
    assert rule.reference == rule.source
    assert rule.summary.strip() == rule.summary
    assert rule.summary
    assert "\n" not in rule.summary
    assert len(rule.summary) <= 160, "a summary is one line"
    assert rule.evidence.value in EVIDENCE_LABELS
    is_issue = re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+/issues/[0-9]+", rule.source)
    assert (rule.evidence is Evidence.PUBLIC_ISSUE) == bool(is_issue)
    if not is_issue:
        assert rule.source.startswith("https://learn.microsoft.com/")
        assert "#" in rule.source, "name the section that holds the fact"


@pytest.mark.parametrize("code", sorted(RULES))
def test_weak_evidence_is_never_an_error(code: str) -> None:
    rule = RULES[code]
    if rule.evidence.value in WEAK and code not in KNOWN_WEAK_ERRORS:
        assert rule.severity is not Severity.ERROR


@pytest.mark.parametrize("code", sorted(KNOWN_WEAK_ERRORS))
def test_known_weak_errors_are_still_weak_errors(code: str) -> None:
    # The allow-list shrinks when a rule gets a firmer source or a lower severity.
    rule = RULES[code]
    assert rule.evidence.value in WEAK
    assert rule.severity is Severity.ERROR


@pytest.mark.parametrize("code", sorted(RULES))
def test_no_private_ids_in_rule_texts(code: str) -> None:
    rule = RULES[code]
    for text in (rule.title, rule.hint, rule.summary):
        assert not PRIVATE_ID.search(text), text


def test_private_id_pattern_catches_the_old_forms() -> None:
    for text in ("no key list (U1).", "L12, L13", "§4.2 chain", "T9", "C3 (INFERRED)"):
        assert PRIVATE_ID.search(text), text
    for text in ("SHA-1", "P-256", "RSA 2048", "LST007", "GW003", "TLS 1.2", "ROOT004"):
        assert not PRIVATE_ID.search(text), text


@pytest.mark.parametrize(
    "path",
    [*sorted(FINDINGS_PACKAGE.glob("*.py")), *GENERATED_PAGES],
    ids=lambda path: path.name,
)
def test_no_private_notes_are_named(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for word in PRIVATE_WORDS:
        assert word not in text, f"{path.name} names {word!r}"


def test_docs_sources_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert page == render_sources(), (
        "docs/sources.md is out of date: run "
        "`python -m appgw_certs._findings.rules sources > docs/sources.md`"
    )


def test_sources_page_lists_each_source_once_with_its_codes() -> None:
    page = render_sources()
    table = page.split("## Pages and the codes that rest on them", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| [")]
    sources = {rule.source for rule in RULES.values()}
    assert len(rows) == len(sources)
    for url in sources:
        (row,) = [row for row in rows if f"]({url})" in row]
        codes = [rule.code for rule in RULES.values() if rule.source == url]
        assert row.endswith(f"| {', '.join(codes)} |")
        assert f"[{source_label(url, section=True)}]" in row


def test_sources_page_lists_every_weak_rule_with_its_severity() -> None:
    weak_part = render_sources().split("## Inferred and unconfirmed rules", 1)[1]
    rows = [line for line in weak_part.splitlines() if line.startswith("| [")]
    weak = [rule for rule in RULES.values() if rule.evidence.value in WEAK]
    assert len(rows) == len(weak)
    for row, rule in zip(rows, weak, strict=True):
        severity = (
            f"**{rule.severity.value}**"
            if rule.code in KNOWN_WEAK_ERRORS
            else (rule.severity.value)
        )
        assert row.startswith(f"| [{rule.code}]({rule.source}) | {severity} | ")
        assert f"| {rule.evidence.value} |" in row


def test_rules_page_shows_source_summary_and_evidence() -> None:
    page = render_markdown()
    assert "basis" not in page.lower()
    assert "| code | severity | meaning | what to do | source | evidence |" in page
    for rule in RULES.values():
        (row,) = [line for line in page.splitlines() if line.startswith(f"| [{rule.code}](")]
        assert row.startswith(f"| [{rule.code}]({rule.source}) | {rule.severity.value} |")
        assert rule.summary.replace("|", "\\|") in row
        assert row.endswith(f"| {rule.evidence.value} |")


def test_source_label_names_pages_issues_and_the_rest_api() -> None:
    assert source_label("https://github.com/MicrosoftDocs/azure-docs/issues/69393") == (
        "azure-docs issue #69393"
    )
    learn = "https://learn.microsoft.com/azure/application-gateway/ssl-overview#tls-termination"
    assert source_label(learn) == "ssl-overview"
    assert source_label(learn, section=True) == "ssl-overview#tls-termination"
    rest = "https://learn.microsoft.com/rest/api/application-gateway/application-gateways/x#y"
    assert source_label(rest) == "REST API x"


def test_module_prints_the_sources_page() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "appgw_certs._findings.rules", "sources"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out == render_sources()


def test_module_refuses_an_unknown_page() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "appgw_certs._findings.rules", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "usage:" in run.stderr


def test_registry_refuses_a_code_defined_twice() -> None:
    rule = RULES["GEN001"]
    with pytest.raises(ValueError, match="GEN001 is defined twice"):
        _registry([rule, RULES["GEN002"], rule])
    assert list(_registry([rule, RULES["GEN002"]])) == ["GEN001", "GEN002"]
