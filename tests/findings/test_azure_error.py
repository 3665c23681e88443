"""Finding.azure_error: Azure's error code on the rejections a public source shows one for,
None everywhere else, and carried by JSON, text and HTML."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import certifi
import pytest
from cryptography import x509

from appgw_certs import Finding, Report, Severity, build_test_chain, check_upload
from appgw_certs._findings.rules import RULES, finding

PASSWORD = "Passw0rd1"
_ISSUE = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+/issues/[0-9]+")
_MTLS = (
    "https://learn.microsoft.com/azure/application-gateway/mutual-authentication-troubleshooting"
)

# Every rule carrying an Azure error code, with the public page that shows the code.
DOCUMENTED = {
    "CCA001": ("ApplicationGatewayTrustedClientCertificateMustSpecifyData", _MTLS),
    "CCA002": ("ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey", _MTLS),
    "CCA003": ("ApplicationGatewayTrustedClientCertificateInvalidData", _MTLS),
    "CCA004": ("ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate", _MTLS),
    "CCA005": ("ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate", _MTLS),
    # "Code=ApplicationGatewayFeatureCannotBeEnabledForSelectedSku ... does not support
    # AuthenticationCertificates for the selected SKU tier WAF_v2"
    "GEN006": (
        "ApplicationGatewayFeatureCannotBeEnabledForSelectedSku",
        "https://github.com/MicrosoftDocs/azure-docs/issues/27908",
    ),
    # "ApplicationGatewaySslCertificateInvalidData", "Data or Password for certificate ...
    # is invalid." for a template whose PFX data was not a PFX
    "LST001": (
        "ApplicationGatewaySslCertificateInvalidData",
        "https://github.com/elastic/azure-marketplace/issues/181",
    ),
    # "ApplicationGatewaySslCertificatePasswordIncorrect", "Password specified for
    # certificate ... is incorrect."
    "LST002": (
        "ApplicationGatewaySslCertificatePasswordIncorrect",
        "https://github.com/mspnp/aks-baseline/issues/385",
    ),
    # "ApplicationGatewaySslCertificateDataTooBig: Data too big for certificate ... Max data
    # length supported is 16384."
    "LST006": (
        "ApplicationGatewaySslCertificateDataTooBig",
        "https://github.com/hashicorp/terraform-provider-azurerm/issues/31172",
    ),
    # "ApplicationGatewayKeyVaultSecretException", "Problem occured while accessing and
    # validating KeyVault Secrets associated with Application Gateway ...", its detail
    # "Access denied for KeyVault Secret ..."
    "KV002": (
        "ApplicationGatewayKeyVaultSecretException",
        "https://github.com/MicrosoftDocs/azure-docs/issues/33157",
    ),
}


def test_the_registry_holds_exactly_the_documented_codes() -> None:
    held = {
        code: (rule.azure_code, rule.azure_code_reference.split("#")[0])
        for code, rule in RULES.items()
        if rule.azure_code
    }
    assert held == DOCUMENTED
    for code, rule in RULES.items():
        if not rule.azure_code:
            assert rule.azure_code_reference == ""
            assert not rule.azure_code_source, code
        elif rule.azure_code_source:
            assert _ISSUE.fullmatch(rule.azure_code_source)
        else:  # the rule's own page shows the code, in a section named after it
            assert rule.source.endswith("#error-code-" + rule.azure_code.lower())


@pytest.mark.parametrize("code", sorted(RULES))
def test_present_where_documented_absent_elsewhere(code: str) -> None:
    made = finding(code)
    if code in DOCUMENTED:
        azure = DOCUMENTED[code][0]
        assert RULES[code].severity is Severity.ERROR
        assert made.azure_error == azure
        assert made.message.count(azure) == 1
    else:
        assert made.azure_error is None


def test_a_finding_below_error_predicts_no_rejection() -> None:
    lowered = finding("LST006", "only the base64 form is over", severity=Severity.WARNING)
    assert lowered.azure_error is None
    assert lowered.message == "only the base64 form is over"
    assert finding("LST006", "the PFX is 20,000 bytes").message.endswith(
        "(ApplicationGatewaySslCertificateDataTooBig)"
    )


def test_round_trips_through_to_dict_and_json() -> None:
    findings = [finding("LST002", location="sslCertificates[web]"), finding("ROOT004")]
    data = json.loads(Report("t", findings).to_json())
    assert [f["azure_error"] for f in data["findings"]] == [
        "ApplicationGatewaySslCertificatePasswordIncorrect",
        None,
    ]
    rebuilt = [Finding(**{**f, "severity": Severity(f["severity"])}) for f in data["findings"]]
    assert rebuilt == findings


def test_text_shows_it_once_and_html_names_it() -> None:
    bare = Finding("LST006", Severity.ERROR, "too big", azure_error="ApplicationGatewayX")
    quoted = finding("LST006")
    text = str(Report("t", [bare, quoted]))
    assert "too big [ApplicationGatewayX]" in text
    assert text.count("ApplicationGatewaySslCertificateDataTooBig") == 1
    assert "[ApplicationGatewaySslCertificateDataTooBig]" not in text
    html = Report("t", [bare, finding("ROOT004")])._repr_html_()
    assert html.count("Azure error: ApplicationGatewayX") == 1


# -- through the upload checks, on real files ------------------------------------------------


@pytest.fixture(scope="module")
def many_cas() -> list[x509.Certificate]:
    """Real CA certificates (Mozilla's, via certifi) to make a PFX over 16 KB; those that
    today's cryptography warns about (a non-positive serial) left out."""
    blocks = Path(certifi.where()).read_text().split("-----END CERTIFICATE-----")
    found: list[x509.Certificate] = []
    for block in blocks[:-1]:
        pem = f"{block}-----END CERTIFICATE-----\n".encode()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cert = x509.load_pem_x509_certificate(pem)
        if not caught:
            found.append(cert)
        if len(found) == 20:
            break
    return found


def test_check_upload_carries_the_code_of_each_rejection(many_cas: list[x509.Certificate]) -> None:
    chain = build_test_chain(["www.contoso.com"])
    good = chain.listener_pfx(PASSWORD)
    big = chain.server.pfx(PASSWORD, chain=[*chain.intermediates, chain.root, *many_cas])
    assert len(big) > 16 * 1024
    cases = {
        "LST006": check_upload("listener", big, sku="v2", password=PASSWORD),
        "LST002": check_upload("listener", good, sku="v2", password="Wr0ngPass"),
        "LST001": check_upload("listener", b"not a pfx at all", sku="v2"),
        "GEN006": check_upload("authentication", chain.server.cer(), sku="WAF_v2"),
    }
    for code, report in cases.items():
        (hit,) = [f for f in report.errors if f.code == code]
        assert hit.azure_error == DOCUMENTED[code][0], code
        others = [f for f in report.findings if f.code != code]
        assert all(f.azure_error in (None, DOCUMENTED.get(f.code, ("",))[0]) for f in others)
    clean = check_upload("listener", good, sku="v2", password=PASSWORD)
    assert clean.ok
    assert all(f.azure_error is None for f in clean.findings)
    root = check_upload("trusted-root", chain.trusted_root_cer(), sku="v2")
    assert all(f.azure_error is None for f in root.findings)
