"""Bicep, compiled by ``az bicep build`` to an ARM template: ``metadata._generator``,
``format()``/``resourceId()`` expressions, ``securestring`` parameters, and
``languageVersion`` 2.0's resources as an object by symbolic name (with a module as
a nested deployment and an ``existing`` gateway that is only a reference)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from appgw_certs import (
    CertificateFormatError,
    GatewayAudit,
    KeyType,
    Sku,
    TestChain,
    audit_gateway,
    build_test_chain,
)
from appgw_certs._gateway.document import load_json, read_gateway
from helpers.damage import audit_each, damaged
from helpers.gateway import shape_findings

BICEP = Path(__file__).parents[1] / "data" / "bicep"
ARRAY = BICEP / "main.json"
SYMBOLIC = BICEP / "main.symbolic.json"
PASSWORD = "Bicep1234"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def parameters(chain: TestChain) -> dict[str, object]:
    """What ``--parameters`` would give: a deployment parameters file."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "listenerCertData": {"value": b64(chain.listener_pfx(PASSWORD))},
            "listenerCertPassword": {"value": PASSWORD},
            "backendRootData": {"value": b64(chain.trusted_root_cer())},
        },
    }


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


@pytest.mark.parametrize("template", [ARRAY, SYMBOLIC], ids=["resources-array", "symbolic-names"])
def test_compiled_bicep_with_parameters(chain: TestChain, template: Path) -> None:
    generator = load_json(template)["metadata"]["_generator"]  # type: ignore[index]
    assert generator["name"] == "bicep"
    audit = audit_gateway(template, parameters=parameters(chain))
    assert (audit.gateway, audit.sku) == ("appgw-bicep", Sku.STANDARD_V2)
    assert at(audit, "GW001") == {"httpListeners[shop-https]"}  # format() ids resolved
    assert at(audit, "GW002") == {"httpListeners[typo-https]"}
    assert at(audit, "GW013") == {"sslCertificates[kv-cert]"}
    kv = next(c for c in audit.certificates if c.name == "kv-cert")
    assert kv.key_vault_secret_id == "https://kv-edge.vault.azure.net/secrets/www-contoso"
    used = {c.name: c.used_by for c in audit.certificates}
    assert used["www-cert"] == ("www-https", "shop-https")
    assert used["backend-root"] == ("backend",)
    assert PASSWORD not in audit.to_json() + str(audit)


@pytest.mark.parametrize("template", [ARRAY, SYMBOLIC], ids=["resources-array", "symbolic-names"])
def test_compiled_bicep_without_its_secure_parameters(template: Path) -> None:
    audit = audit_gateway(template)
    assert at(audit, "GW013") == {
        "sslCertificates[www-cert]",
        "trustedRootCertificates[backend-root]",
        "sslCertificates[kv-cert]",
    }
    assert "GW001" not in audit.report.codes  # no certificate to judge the host by


def test_both_forms_give_the_same_findings(chain: TestChain) -> None:
    array = audit_gateway(ARRAY, parameters=parameters(chain))
    symbolic = audit_gateway(SYMBOLIC, parameters=parameters(chain))
    assert shape_findings(array.report.findings) == shape_findings(symbolic.report.findings)
    assert read_gateway(load_json(SYMBOLIC)).shape == "arm"


def test_an_existing_gateway_is_a_reference_not_a_gateway() -> None:
    template = load_json(SYMBOLIC)
    assert isinstance(template, dict)
    template["resources"].pop("edge")
    with pytest.raises(CertificateFormatError, match="no application gateway"):
        read_gateway(template)


def test_an_object_of_resources_outside_a_template_is_not_one() -> None:
    """Only a template (``$schema``, ``contentVersion`` or ``languageVersion``) keeps
    resources by symbolic name; another object's ``resources`` is not searched."""
    resources = load_json(SYMBOLIC)["resources"]  # type: ignore[index]
    inner = resources["edge"]["properties"]["template"]["resources"]
    with pytest.raises(CertificateFormatError):
        read_gateway({"resources": inner})
    doc = read_gateway({"languageVersion": "2.0", "resources": inner})
    assert len(doc.elements("httpListeners")) == 4


@settings(max_examples=60)
@given(damaged(load_json(SYMBOLIC)))
def test_damaged_symbolic_templates_give_reports_or_format_errors(broken: object) -> None:
    audit_each(broken)


@settings(max_examples=40)
@given(damaged(load_json(ARRAY)))
def test_damaged_templates_give_reports_or_format_errors(broken: object) -> None:
    audit_each(broken)


def test_fixtures_are_plain_json() -> None:
    for path in BICEP.glob("*.json"):
        json.loads(path.read_text())
