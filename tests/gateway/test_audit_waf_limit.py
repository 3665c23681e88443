"""GW008's cap of 40 SSL certificates on a WAF running CRS 3.1 or older.

"Application Gateway limits", footnote 1 of the SSL certificates row
(https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits):
"The number of resources listed in the table applies to standard Application
Gateway SKUs and WAF-enabled SKUs running CRS 3.2 or DRS. For WAF-enabled SKUs
running CRS 3.1 or lower, the supported number is 40." An error where the
gateway's own WAF configuration names the rule set; a warning where the rule set
is not known offline (a linked WAF policy, an expression, nothing named).
"""

from __future__ import annotations

import pytest

from appgw_certs import Finding, Severity, audit_gateway
from appgw_certs._findings.rules import RULES
from helpers.gateway import GatewayBuilder

POLICY = {
    "id": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/"
    "ApplicationGatewayWebApplicationFirewallPolicies/waf"
}


def waf_gateway(
    certificates: int = 41, tier: str = "WAF_v2", **waf: object
) -> tuple[GatewayBuilder, dict[str, object]]:
    g = GatewayBuilder(tier=tier)
    for i in range(certificates):  # Key Vault references: counted, nothing to decode
        g.add(
            "sslCertificates", f"c{i}", keyVaultSecretId=f"https://v.vault.azure.net/secrets/c{i}"
        )
    g.add("httpListeners", "l", protocol="Http")
    return g, waf


def cap(g: GatewayBuilder, waf: dict[str, object], **more: object) -> list[Finding]:
    body = g.rest()
    properties = body["properties"]
    assert isinstance(properties, dict)
    if waf:
        properties["webApplicationFirewallConfiguration"] = waf
    properties.update(more)
    audit = audit_gateway(body)
    return [f for f in audit.report.findings if f.code == "GW008" and "CRS" in f.message]


@pytest.mark.parametrize(
    ("tier", "version"), [("WAF_v2", "3.1"), ("WAF_v2", "3.0"), ("WAF", "3.0"), ("WAF", "2.2.9")]
)
def test_documented_old_crs_is_an_error(tier: str, version: str) -> None:
    g, waf = waf_gateway(tier=tier, ruleSetType="OWASP", ruleSetVersion=version, enabled=True)
    (found,) = cap(g, waf)
    assert found.severity is Severity.ERROR is RULES["GW008"].severity
    assert found.message == (
        f"41 sslCertificates on {tier} with CRS {version}: the limit on a WAF with CRS 3.1 or "
        "older is 40"
    )
    assert found.location == "sslCertificates"


@pytest.mark.parametrize(
    ("kind", "version"), [("OWASP", "3.2"), ("Microsoft_DefaultRuleSet", "2.1")]
)
def test_crs_3_2_and_drs_keep_the_table_numbers(kind: str, version: str) -> None:
    g, waf = waf_gateway(ruleSetType=kind, ruleSetVersion=version)
    assert cap(g, waf) == []


def test_forty_certificates_are_within_the_cap() -> None:
    g, waf = waf_gateway(40, ruleSetType="OWASP", ruleSetVersion="3.1")
    assert cap(g, waf) == []
    g, waf = waf_gateway(41, tier="Standard_v2", ruleSetType="OWASP", ruleSetVersion="3.1")
    assert cap(g, waf) == []  # not a WAF SKU


def warning(found: list[Finding]) -> str:
    (only,) = found
    assert only.severity is Severity.WARNING
    assert only.message.startswith(
        "41 sslCertificates on WAF_v2: the limit on a WAF with CRS 3.1 or older is 40, and "
    )
    return only.message


def test_a_linked_waf_policy_leaves_the_rule_set_unknown() -> None:
    """The policy's managed rule sets are another resource: only a warning, even when the
    gateway's own (then unused) configuration says CRS 3.1."""
    g, waf = waf_gateway(ruleSetType="OWASP", ruleSetVersion="3.1")
    assert "a linked WAF policy (firewallPolicy)" in warning(cap(g, waf, firewallPolicy=POLICY))
    g, waf = waf_gateway()
    g.add("httpListeners", "per-site", protocol="Http", firewallPolicy=POLICY)
    assert "a linked WAF policy" in warning(cap(g, waf))


def test_a_path_rule_policy_counts_too() -> None:
    g, waf = waf_gateway(ruleSetType="OWASP", ruleSetVersion="3.2")
    g.add(
        "urlPathMaps",
        "map",
        pathRules=[{"name": "api", "properties": {"paths": ["/api/*"], "firewallPolicy": POLICY}}],
    )
    assert "a linked WAF policy" in warning(cap(g, waf))


@pytest.mark.parametrize(
    ("waf", "reason"),
    [
        ({}, "no rule set is named"),
        ({"ruleSetType": "OWASP", "ruleSetVersion": "3.1", "enabled": False}, "is disabled"),
        ({"ruleSetType": "OWASP", "ruleSetVersion": "latest"}, "is not one the audit knows"),
        ({"ruleSetType": "Custom", "ruleSetVersion": "1.0"}, "is not one the audit knows"),
    ],
)
def test_an_unknown_rule_set_is_a_warning(waf: dict[str, object], reason: str) -> None:
    g, _ = waf_gateway()
    assert reason in warning(cap(g, waf))


def test_a_disabled_waf_on_crs_3_2_has_no_cap() -> None:
    g, waf = waf_gateway(ruleSetType="OWASP", ruleSetVersion="3.2", enabled=False)
    assert cap(g, waf) == []


def test_an_arm_expression_for_the_version_is_not_known_offline() -> None:
    g, _ = waf_gateway()
    template = g.arm()
    (resource,) = [r for r in template["resources"] if "applicationGateways" in r["type"]]  # type: ignore[union-attr, index]
    resource["properties"]["WebApplicationFirewallConfiguration"] = {  # type: ignore[index]
        "RuleSetType": "OWASP",
        "RuleSetVersion": "[parameters('crs')]",
    }
    template["parameters"]["crs"] = {"type": "string"}  # type: ignore[index]
    audit = audit_gateway(template)
    (found,) = [f for f in audit.report.findings if f.code == "GW008" and "CRS" in f.message]
    assert found.severity is Severity.WARNING
    assert "a template expression not known offline" in found.message
