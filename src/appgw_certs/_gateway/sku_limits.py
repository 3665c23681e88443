"""What the gateway's SKU lacks (GEN006, decided here once for the whole gateway)
and the documented counts it exceeds (GW008).

The counts are those of "Application Gateway limits",
https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits:
100 SSL certificates, 100 trusted root and 100 authentication certificates per
gateway, 200 trusted client CA certificates per gateway and 100 per SSL profile.
The SSL certificates row carries footnote 1: "The number of resources listed in
the table applies to standard Application Gateway SKUs and WAF-enabled SKUs
running CRS 3.2 or DRS. For WAF-enabled SKUs running CRS 3.1 or lower, the
supported number is 40." The rule set is read from the gateway's own
``webApplicationFirewallConfiguration``; a linked WAF policy (``firewallPolicy``)
holds it in another resource, not read here, so the cap is then only warned
about. "Up to 5 host names per listener", and the wildcard rules, are on
https://learn.microsoft.com/azure/application-gateway/multiple-site-overview.

    >>> findings = [*check_sku(doc, Sku.STANDARD), *check_limits(doc, Sku.WAF_V2)]
"""

from __future__ import annotations

from collections.abc import Iterator

from .._findings.report import Finding, Severity
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .arm import Unknown
from .model import GatewayDocument, is_object

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
_NEWEST_OLD_CRS = (3, 1)  # "CRS 3.1 or lower"


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
    if sku in (Sku.WAF, Sku.WAF_V2) and certificates > _WAF_OLD_CRS_CERTIFICATES:
        yield from _old_crs_cap(doc, sku, certificates)
    for profile in doc.elements("sslProfiles"):
        count = len(profile.refs("trustedclientcertificates"))
        if count > _CLIENT_CAS_PER_PROFILE:
            yield finding(
                "GW008",
                f"{count} trusted client CAs: the limit is {_CLIENT_CAS_PER_PROFILE} per profile",
                location=profile.location,
            )


def _old_crs_cap(doc: GatewayDocument, sku: Sku, certificates: int) -> Iterator[Finding]:
    """GW008 for more than 40 SSL certificates on a WAF: an error when the gateway's own
    configuration names CRS 3.1 or older, a warning when the rule set is not known."""
    old, rule_set = _rule_set(doc)
    if old is False:
        return
    cap = f"the limit on a WAF with CRS 3.1 or older is {_WAF_OLD_CRS_CERTIFICATES}"
    if old:
        yield finding(
            "GW008",
            f"{certificates} sslCertificates on {sku.value} with {rule_set}: {cap}",
            location="sslCertificates",
        )
        return
    yield finding(
        "GW008",
        f"{certificates} sslCertificates on {sku.value}: {cap}, and {rule_set}",
        location="sslCertificates",
        severity=Severity.WARNING,
    )


def _rule_set(doc: GatewayDocument) -> tuple[bool | None, str]:
    """Whether the WAF runs CRS 3.1 or older (None: not known), and the rule set named,
    or why it is not known."""
    if _policy_linked(doc):
        return None, (
            "a linked WAF policy (firewallPolicy) holds the rule set, which the audit does not "
            "read: if it is CRS 3.1 or older, this is an error"
        )
    config = doc.fields.get("webapplicationfirewallconfiguration")
    kind = config.get("rulesettype") if is_object(config) else None
    version = config.get("rulesetversion") if is_object(config) else None
    if isinstance(kind, Unknown) or isinstance(version, Unknown):
        return None, "the rule set is a template expression not known offline"
    if not isinstance(kind, str) or not isinstance(version, str):
        return None, "no rule set is named (webApplicationFirewallConfiguration)"
    named = f"{kind.strip()} {version.strip()}"
    if kind.strip().lower() == "microsoft_defaultruleset":
        return False, named  # the table's own numbers hold for "CRS 3.2 or DRS"
    number = _version(version)
    if kind.strip().lower() != "owasp" or number is None:
        return None, f"the rule set {named!r} is not one the audit knows"
    if number > _NEWEST_OLD_CRS:
        return False, named
    if is_object(config) and str(config.get("enabled")).strip().lower() == "false":
        return None, f"the WAF ({named}) is disabled: whether the cap applies then is not stated"
    return True, f"CRS {version.strip()}"


def _version(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _policy_linked(doc: GatewayDocument) -> bool:
    """A WAF policy linked to the gateway, a listener or a path rule."""
    links = [doc.fields.get("firewallpolicy")]
    links += [listener.get("firewallpolicy") for listener in doc.elements("httpListeners")]
    for path_map in doc.elements("urlPathMaps"):
        rules = path_map.get("pathrules")
        for rule in rules if isinstance(rules, list) else ():
            links.append(rule.get("firewallpolicy") if is_object(rule) else None)
    return any(_names_policy(link) for link in links)


def _names_policy(value: object) -> bool:
    target = value.get("id") if is_object(value) else value
    return isinstance(target, Unknown) or (isinstance(target, str) and bool(target.strip()))
