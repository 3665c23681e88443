"""What the gateway's SKU lacks (GEN006, decided here once for the whole gateway)
and the documented counts it exceeds (GW008).

The counts are those of "Application Gateway limits",
https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits:
100 SSL certificates, 100 trusted root and 100 authentication certificates per
gateway, 200 trusted client CA certificates per gateway and 100 per SSL profile,
and 40 SSL certificates on WAF with CRS 3.1 or older (a footnote; that it covers
certificates is unconfirmed). "Up to 5 host names per listener", and the wildcard
rules, are on
https://learn.microsoft.com/azure/application-gateway/multiple-site-overview.

    >>> findings = [*check_sku(doc, Sku.STANDARD), *check_limits(doc, Sku.WAF_V2)]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._findings.report import Finding, Severity
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .model import GatewayDocument

__all__ = ["HOST_NAMES_PER_LISTENER", "check_limits", "check_sku"]

_LIMITS = {
    "sslCertificates": 100,
    "trustedRootCertificates": 100,
    "authenticationCertificates": 100,
    "trustedClientCertificates": 200,
}
_CLIENT_CAS_PER_PROFILE = 100
HOST_NAMES_PER_LISTENER = 5
_WAF_OLD_CRS_CERTIFICATES = 40
_OLD_CRS_VERSIONS = frozenset({"2.2.9", "3.0", "3.1"})


def check_sku(doc: GatewayDocument, sku: Sku | None) -> Iterator[Finding]:
    """GEN006 for slots and features this SKU does not have: authentication certificates
    are v1 only and trusted roots v2 only
    (https://learn.microsoft.com/azure/application-gateway/ssl-overview, "End-to-end TLS
    with the v2 SKU"); mutual TLS needs Standard_v2 or WAF_v2
    (https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview);
    Key Vault certificates are "limited to the v2 SKU"
    (https://learn.microsoft.com/azure/application-gateway/key-vault-certs); several
    host names per listener and the TLS/TCP proxy are v2 features."""
    if sku is None:
        return
    for collection, slot in (
        ("authenticationCertificates", Slot.AUTHENTICATION),
        ("trustedRootCertificates", Slot.TRUSTED_ROOT),
        ("trustedClientCertificates", Slot.TRUSTED_CLIENT_CA),
    ):
        if slot.available_on(sku):
            continue
        for element in doc.elements(collection):
            yield finding(
                "GEN006",
                f"{collection} do not exist on {sku.value}: {element.location} cannot be used",
                location=element.location,
            )
    if sku.generation == 1:
        yield from _v1_features(doc, sku)
    if sku in (Sku.STANDARD, Sku.WAF, Sku.BASIC):
        for profile in doc.elements("sslProfiles"):
            if profile.refs("trustedclientcertificates"):
                yield finding(
                    "GEN006",
                    f"mutual TLS needs Standard_v2 or WAF_v2, not {sku.value}",
                    location=profile.location,
                )


def _v1_features(doc: GatewayDocument, sku: Sku) -> Iterator[Finding]:
    for cert in doc.elements("sslCertificates"):
        if cert.text("keyvaultsecretid"):
            yield finding(
                "GEN006",
                f"Key Vault certificates need a v2 SKU, not {sku.value}",
                location=cert.location,
            )
    for listener in doc.elements("httpListeners"):
        if isinstance(listener.get("hostnames"), list) and listener.get("hostnames"):
            yield finding(
                "GEN006",
                f"several host names per listener (hostNames) need a v2 SKU, not {sku.value}",
                location=listener.location,
            )
    for collection in ("listeners", "routingRules", "backendSettingsCollection"):
        for element in doc.elements(collection):
            yield finding(
                "GEN006",
                f"the TLS/TCP proxy ({collection}) is a v2 feature, not on {sku.value}",
                location=element.location,
                severity=Severity.WARNING,
            )


def check_limits(doc: GatewayDocument, sku: Sku | None) -> Iterator[Finding]:
    """GW008: documented counts per gateway, per SSL profile and per listener."""
    for collection, limit in _LIMITS.items():
        count = len(doc.elements(collection))
        if count > limit:
            yield finding(
                "GW008",
                f"{count} {collection}: the limit is {limit} per gateway",
                location=collection,
            )
    certificates = len(doc.elements("sslCertificates"))
    if sku in (Sku.WAF, Sku.WAF_V2) and _old_crs(doc) and certificates > _WAF_OLD_CRS_CERTIFICATES:
        yield finding(
            "GW008",
            f"{certificates} sslCertificates on WAF with CRS 3.1 or older: the documented cap "
            f"there is {_WAF_OLD_CRS_CERTIFICATES} (unconfirmed)",
            location="sslCertificates",
            severity=Severity.WARNING,
        )
    for profile in doc.elements("sslProfiles"):
        count = len(profile.refs("trustedclientcertificates"))
        if count > _CLIENT_CAS_PER_PROFILE:
            yield finding(
                "GW008",
                f"{count} trusted client CAs: the limit is {_CLIENT_CAS_PER_PROFILE} per profile",
                location=profile.location,
            )


def _old_crs(doc: GatewayDocument) -> bool:
    config = doc.fields.get("webapplicationfirewallconfiguration")
    version = config.get("rulesetversion") if isinstance(config, Mapping) else None
    return isinstance(version, str) and version.strip() in _OLD_CRS_VERSIONS
