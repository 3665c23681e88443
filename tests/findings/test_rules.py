"""The rule registry: every contract code, well-formed, and docs/rules.md up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import trustme
from cryptography import x509

from appgw_certs import Severity
from appgw_certs._findings.rules import RULES, certificate_label, finding, render_markdown

ROOT = Path(__file__).resolve().parents[2]

# The public contract: every code with its severity (docs/rules.md). Changing one breaks tools.
CONTRACT = {
    **dict.fromkeys(["GEN001", "GEN002", "GEN006"], Severity.ERROR),
    **dict.fromkeys(["GEN003", "GEN004", "GEN005"], Severity.WARNING),
    **dict.fromkeys([f"LST00{i}" for i in (1, 2, 3, 4, 5, 6)] + ["LST009"], Severity.ERROR),
    **dict.fromkeys(["LST007", "LST008", "LST010"], Severity.WARNING),
    "AUTH001": Severity.ERROR,
    "AUTH002": Severity.ERROR,
    "AUTH003": Severity.WARNING,
    "AUTH004": Severity.INFO,
    "ROOT001": Severity.ERROR,
    "ROOT002": Severity.ERROR,
    "ROOT003": Severity.ERROR,
    "ROOT004": Severity.WARNING,
    "ROOT005": Severity.INFO,
    "ROOT006": Severity.WARNING,
    **dict.fromkeys([f"CCA00{i}" for i in range(1, 7)], Severity.ERROR),
    "CCA007": Severity.WARNING,
    "CCA008": Severity.WARNING,
    "CCA009": Severity.INFO,
    **dict.fromkeys([f"BE00{i}" for i in range(1, 9)], Severity.ERROR),
    "BE009": Severity.WARNING,
    **dict.fromkeys([f"MT00{i}" for i in range(1, 5)], Severity.ERROR),
    "MT005": Severity.WARNING,
    **dict.fromkeys(["GW001", "GW002", "GW008", "GW018"], Severity.ERROR),
    **dict.fromkeys(["GW003", "GW011", "GW012", "GW013"], Severity.INFO),
    **dict.fromkeys(
        ["GW004", "GW005", "GW006", "GW007", "GW009", "GW010", "GW014"], Severity.WARNING
    ),
}

AZURE_CODES = {
    "CCA001": "ApplicationGatewayTrustedClientCertificateMustSpecifyData",
    "CCA002": "ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey",
    "CCA003": "ApplicationGatewayTrustedClientCertificateInvalidData",
    "CCA004": "ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate",
    "CCA005": "ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate",
}


def test_every_contract_code_with_its_severity() -> None:
    assert set(CONTRACT) <= set(RULES)
    assert {code: RULES[code].severity for code in CONTRACT} == CONTRACT


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_is_well_formed(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code
    assert re.fullmatch(r"[A-Z]{2,4}[0-9]{3}", code)
    assert rule.title
    assert rule.hint
    assert rule.reference == rule.source
    assert rule.source.startswith(("https://learn.microsoft.com/", "https://github.com/"))
    assert rule.scope in {
        "any",
        "listener",
        "authentication",
        "trusted-root",
        "trusted-client-ca",
        "backend",
        "client",
        "gateway",
    }


@pytest.mark.parametrize(("code", "azure"), sorted(AZURE_CODES.items()))
def test_azure_error_codes_are_quoted(code: str, azure: str) -> None:
    assert azure in RULES[code].title
    assert azure in finding(code).message


def test_finding_takes_defaults_from_the_registry() -> None:
    f = finding("LST007", certificate="CN=www.contoso.com", location="sslCertificates[a]")
    rule = RULES["LST007"]
    assert (f.code, f.severity, f.message, f.hint, f.reference) == (
        "LST007",
        rule.severity,
        rule.title,
        rule.hint,
        rule.reference,
    )
    assert f.certificate == "CN=www.contoso.com"
    assert f.location == "sslCertificates[a]"
    g = finding("LST006", "only the base64 form is over", hint="", severity=Severity.WARNING)
    assert (g.message, g.hint, g.severity) == ("only the base64 form is over", "", Severity.WARNING)
    with pytest.raises(KeyError):
        finding("NOPE001")


def test_certificate_label_renders_rfc4514_subjects() -> None:
    ca = trustme.CA()
    cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    assert certificate_label(cert) == cert.subject.rfc4514_string()
    assert finding("ROOT004", certificate=cert).certificate == cert.subject.rfc4514_string()
    assert certificate_label(None) is None
    assert certificate_label("CN=x") == "CN=x"


def test_certificate_label_for_an_empty_subject(openssl: str, tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    out = tmp_path / "c.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key,
            "-out",
            out,
            "-subj",
            "/",
            "-days",
            "1",
            "-set_serial",
            "0x1234",
        ],
        check=True,
        capture_output=True,
    )
    cert = x509.load_pem_x509_certificate(out.read_bytes())
    assert certificate_label(cert) == "(empty subject, serial 0x1234)"


def test_docs_rules_page_is_up_to_date() -> None:
    page = ROOT / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is out of date: run `python -m appgw_certs._findings.rules > docs/rules.md`"
    )
    for code in RULES:
        assert f"[{code}](" in page.read_text(encoding="utf-8")


def test_module_prints_the_page() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "appgw_certs._findings.rules"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out == render_markdown()
