"""The audit resolves the name each backend setting's probe sends each pool member as
``check_backend`` does (one precedence, ``resolve_sni``): scenario tables, each row
citing the documentation line it encodes, with check_backend's verdict on the same
configuration as the oracle.

GW005 is the audit's "no SNI" (check_backend's BE009); GW018 is the v1 name check
where the audit knows the backend's certificate, the setting's authentication
certificates (check_backend's BE007 on the allow-listed leaf).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest

from appgw_certs import GatewayAudit, audit_gateway, check_backend
from appgw_certs._findings.sources import BACKEND_SNI
from appgw_certs._verdicts.names import resolve_sni
from appgw_certs._x509.names import is_ip
from helpers.gateway import GatewayBuilder
from helpers.pki import make_leaf, pem
from helpers.sni_docs import (
    IP,
    PICKED,
    POOL,
    PROBE,
    SETTING,
    SNI_NAME,
    V1_HOST_HEADER,
    V1_IP,
    V1_POOL,
    V2_DEFAULT_PROBE,
    V2_IP,
    V2_ORDER,
)

SETTING_AT, PROBE_AT = "backendHttpSettingsCollection[be]", "probes[probe]"
TIERS = {"v1": "Standard", "v2": "Standard_v2"}

LIVE = (  # "For live traffic", v2
    BACKEND_SNI,
    "SNI header (server_name) is set as the hostname from the HTTP settings",
)


@dataclass(frozen=True)
class Backend:
    """One backend setting, its probe and its pool's one member."""

    member: str
    probe_host: str | None = None  # a custom probe's host; None: the default probe
    host_name: str | None = None
    pick: bool = False
    sni_name: str | None = None

    def kwargs(self) -> dict[str, Any]:
        """What check_backend and resolve_sni take for this configuration."""
        return {
            "probe_host_name": self.probe_host,
            "host_name": self.host_name,
            "pick_host_name_from_backend_address": self.pick,
            "backend_address": self.member,
            "sni_name": self.sni_name,
        }


CUSTOM_PROBE = Backend(POOL, probe_host=PROBE, host_name=SETTING)
SETTING_HOST = Backend(POOL, host_name=SETTING)
PICK = Backend(POOL, host_name=SETTING, pick=True)
POOL_FQDN = Backend(POOL)
POOL_IP = Backend(IP)


def gateway(sku: str, backend: Backend, auth_cn: str | None = None) -> dict[str, object]:
    """A gateway routing one listener to ``backend``; on v1, the setting allow-lists a
    leaf whose CN is ``auth_cn``."""
    g = GatewayBuilder(tier=TIERS[sku])
    address = {"ipAddress": backend.member} if is_ip(backend.member) else {"fqdn": backend.member}
    g.add("backendAddressPools", "pool", backendAddresses=[address])
    settings: dict[str, object] = {"protocol": "Https", "port": 443}
    if backend.probe_host is not None:
        g.add("probes", "probe", protocol="Https", host=backend.probe_host, path="/")
        settings["probe"] = g.ref("probes", "probe")
    if backend.host_name is not None:
        settings["hostName"] = backend.host_name
    if backend.pick:
        settings["pickHostNameFromBackendAddress"] = True
    if backend.sni_name is not None:
        settings["sniName"] = backend.sni_name
    if auth_cn is not None:
        leaf = make_leaf(None, common_name=auth_cn, dns_names=())
        g.add("authenticationCertificates", "auth", data=base64.b64encode(pem(leaf.cert)).decode())
        settings["authenticationCertificates"] = [g.ref("authenticationCertificates", "auth")]
    g.add("backendHttpSettingsCollection", "be", **settings)
    g.add("httpListeners", "l", protocol="Http")
    g.add(
        "requestRoutingRules",
        "r",
        ruleType="Basic",
        priority=1,
        httpListener=g.ref("httpListeners", "l"),
        backendAddressPool=g.ref("backendAddressPools", "pool"),
        backendHttpSettings=g.ref("backendHttpSettingsCollection", "be"),
    )
    return g.rest()


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


# -- no SNI (GW005) ----------------------------------------------------------------------

# (sku, backend, where GW005 is, doc line)
NO_SNI = [
    ("v2", CUSTOM_PROBE, set(), V2_ORDER),
    ("v2", SETTING_HOST, set(), V2_ORDER),
    ("v2", PICK, set(), PICKED),
    ("v2", POOL_FQDN, set(), V2_DEFAULT_PROBE),  # the default probe sends the pool FQDN
    ("v2", POOL_IP, {SETTING_AT}, V2_IP),
    ("v2", Backend(POOL, probe_host=IP, host_name=SETTING), {PROBE_AT}, V2_IP),
    ("v2", Backend(POOL, probe_host=PROBE, host_name=IP), {SETTING_AT}, LIVE),  # traffic only
    ("v2", Backend(IP, pick=True), {SETTING_AT}, PICKED),
    ("v2", Backend(POOL, host_name=IP, sni_name=SETTING), set(), SNI_NAME),
    ("v1", CUSTOM_PROBE, set(), V1_HOST_HEADER),
    ("v1", SETTING_HOST, set(), V1_HOST_HEADER),
    ("v1", PICK, set(), V1_POOL),
    ("v1", POOL_FQDN, set(), V1_POOL),
    ("v1", POOL_IP, {SETTING_AT}, V1_IP),
    ("v1", Backend(IP, probe_host=PROBE), {PROBE_AT}, V1_IP),  # the probe's host: Host only
    ("v1", Backend(POOL, probe_host=IP, host_name=IP), set(), V1_HOST_HEADER),
]


@pytest.mark.parametrize(
    ("sku", "backend", "where", "doc"), NO_SNI, ids=[f"{r[0]}-{i}" for i, r in enumerate(NO_SNI)]
)
def test_no_sni(sku: str, backend: Backend, where: set[str], doc: tuple[str, str]) -> None:
    audit = audit_gateway(gateway(sku, backend))
    assert at(audit, "GW005") == where, (doc, str(audit.report))
    # The oracle: check_backend on a leaf covering the resolved name sends no SNI (BE009)
    # exactly where the audit says the probe does.
    resolved = resolve_sni(sku, **backend.kwargs())
    probe_at = PROBE_AT if backend.probe_host else SETTING_AT
    assert resolved.name is not None
    leaf = make_leaf(None, common_name=resolved.name, dns_names=(), san=False)
    report = check_backend([leaf.cert], sku=sku, authentication_certs=[leaf.cert],
                           trusted_roots=[leaf.cert], **backend.kwargs())  # fmt: skip
    assert ("BE009" in report.codes) is (probe_at in where) is (resolved.sni is None), doc
    if where:
        (message,) = [f.message for f in audit.report.findings if f.code == "GW005"]
        assert "127.0.0.1" not in message
        assert (resolved.describe() in message) is (probe_at in where), message


def test_v2_default_probe_and_pool_fqdn_is_no_finding_at_all() -> None:
    """V2_DEFAULT_PROBE: the most common v2 setup sends the pool FQDN as SNI."""
    audit = audit_gateway(gateway("v2", POOL_FQDN))
    assert not {"GW005", "GW006"} & audit.report.codes, str(audit.report)


def test_a_probe_naming_no_host_falls_back_to_the_setting_and_pool() -> None:
    """V2_ORDER: a custom probe without a host name leaves the SNI to the setting, then
    the pool: GW006 says so, and no GW005 follows."""
    g = GatewayBuilder()
    g.add("backendAddressPools", "pool", backendAddresses=[{"fqdn": POOL}])
    g.add("probes", "probe", protocol="Https", path="/")
    g.add("backendHttpSettingsCollection", "be", protocol="Https", port=443,
          probe=g.ref("probes", "probe"))  # fmt: skip
    g.add("httpListeners", "l", protocol="Http")
    g.add("requestRoutingRules", "r", ruleType="Basic", priority=1,
          httpListener=g.ref("httpListeners", "l"),
          backendAddressPool=g.ref("backendAddressPools", "pool"),
          backendHttpSettings=g.ref("backendHttpSettingsCollection", "be"))  # fmt: skip
    audit = audit_gateway(g.rest())
    assert at(audit, "GW006") == {PROBE_AT}
    assert at(audit, "GW005") == set()
    (message,) = [f.message for f in audit.report.findings if f.code == "GW006"]
    assert "127.0.0.1" not in message
    assert "falls back to the setting's host name, else the pool member" in message


def test_each_pool_member_is_judged_alone() -> None:
    """V2_IP: a pool of an FQDN and an IP: only the IP member gets no SNI."""
    body = gateway("v2", POOL_FQDN)
    pool = body["properties"]["backendAddressPools"][0]  # type: ignore[index]
    pool["properties"]["backendAddresses"].append({"ipAddress": IP})
    audit = audit_gateway(body)
    (found,) = [f for f in audit.report.findings if f.code == "GW005"]
    assert found.location == SETTING_AT
    assert resolve_sni("v2", backend_address=IP).describe() in found.message
    assert POOL not in found.message


def test_an_unknown_sku_is_judged_as_v2() -> None:
    body = gateway("v2", POOL_IP)
    del body["properties"]["sku"]  # type: ignore[attr-defined]
    audit = audit_gateway(body)
    (found,) = [f for f in audit.report.findings if f.code == "GW005"]
    assert "(the SKU is not known: judged as v2)" in found.message
    assert at(audit, "GW018") == set()


# -- the name against the backend certificate, where the audit knows it (v1) -----------

# (backend, the CN that matches, the CN that does not, doc line)
V1_NAMES = [
    (CUSTOM_PROBE, POOL, PROBE, V1_HOST_HEADER),
    (SETTING_HOST, POOL, SETTING, V1_HOST_HEADER),  # the v1 host override
    (PICK, POOL, SETTING, V1_POOL),
    (POOL_FQDN, POOL, "elsewhere.contoso.com", V1_POOL),
    (Backend(POOL, host_name="*.contoso.com"), POOL, "www.contoso.com", V1_HOST_HEADER),
]


@pytest.mark.parametrize(("backend", "good", "bad", "doc"), V1_NAMES)
def test_v1_authentication_certificate_names(
    backend: Backend, good: str, bad: str, doc: tuple[str, str]
) -> None:
    for cn, expected in ((good, set()), (bad, {SETTING_AT})):
        audit = audit_gateway(gateway("v1", backend, auth_cn=cn))
        assert at(audit, "GW018") == expected, (doc, cn, str(audit.report))
        assert at(audit, "GW005") == set(), doc
        # The oracle: check_backend on the allow-listed leaf says BE007 alike.
        leaf = make_leaf(None, common_name=cn, dns_names=())
        report = check_backend([leaf.cert], sku="v1", authentication_certs=[leaf.cert],
                               **backend.kwargs())  # fmt: skip
        assert ("BE007" in report.codes) is bool(expected), (doc, str(report))
    (found,) = [f for f in audit.report.findings if f.code == "GW018"]
    assert found.severity.value == "error"
    assert POOL in found.message
    assert bad in found.message


def test_v1_host_override_with_a_matching_pool_fqdn_is_no_name_finding() -> None:
    """V1_HOST_HEADER: the setting's host name is only the Host header on v1."""
    audit = audit_gateway(gateway("v1", SETTING_HOST, auth_cn=POOL))
    assert not {"GW005", "GW018", "BE007"} & audit.report.codes, str(audit.report)
    assert audit.report.ok, str(audit.report)


def test_v1_pool_ip_leaves_the_name_unchecked() -> None:
    """V1_IP: no SNI, so the backend's allow-listed default certificate is served and its
    CN is not held against a name: GW005 only, as check_backend says BE009 only."""
    audit = audit_gateway(gateway("v1", POOL_IP, auth_cn="elsewhere.contoso.com"))
    assert at(audit, "GW005") == {SETTING_AT}
    assert at(audit, "GW018") == set()


def test_v1_every_pool_fqdn_needs_an_allow_listed_cn() -> None:
    """V1_POOL: one FQDN of two matched: the other is named."""
    body = gateway("v1", POOL_FQDN, auth_cn=POOL)
    pool = body["properties"]["backendAddressPools"][0]  # type: ignore[index]
    pool["properties"]["backendAddresses"].append({"fqdn": "second.contoso.com"})
    audit = audit_gateway(body)
    (found,) = [f for f in audit.report.findings if f.code == "GW018"]
    assert "second.contoso.com" in found.message
    assert f"matches {POOL}" not in found.message


def test_v2_names_are_not_judged_without_the_backend_certificate() -> None:
    """The audit holds a v2 backend's root, never its leaf: no name verdict on v2."""
    for backend in (CUSTOM_PROBE, SETTING_HOST, PICK, POOL_FQDN, POOL_IP):
        assert "GW018" not in audit_gateway(gateway("v2", backend)).report.codes


def test_a_probe_shared_by_settings_is_one_finding_naming_every_member() -> None:
    """V2_IP: a probe that picks its host name from two settings, each routed to its own
    pool of IPs: one GW005 at the probe, its reasons once each, the rest counted."""
    g = GatewayBuilder()
    g.add("probes", "probe", protocol="Https", path="/", pickHostNameFromBackendHttpSettings=True)
    g.add("httpListeners", "l", protocol="Http")
    pools = {"a": [f"10.0.1.{i}" for i in range(1, 4)], "b": [f"10.0.2.{i}" for i in range(1, 3)]}
    for name, addresses in pools.items():
        g.add("backendAddressPools", name,
              backendAddresses=[{"ipAddress": a} for a in [*addresses, addresses[0]]])  # fmt: skip
        for copy in ("", "-again"):  # two settings alike: the pool is judged once
            g.add("backendHttpSettingsCollection", f"be-{name}{copy}", protocol="Https",
                  port=443, probe=g.ref("probes", "probe"))  # fmt: skip
            g.add("requestRoutingRules", f"r-{name}{copy}", ruleType="Basic", priority=1,
                  httpListener=g.ref("httpListeners", "l"),
                  backendAddressPool=g.ref("backendAddressPools", name),
                  backendHttpSettings=g.ref("backendHttpSettingsCollection",
                                            f"be-{name}{copy}"))  # fmt: skip
    audit = audit_gateway(g.rest())
    (found,) = [f for f in audit.report.findings if f.code == "GW005"]
    assert found.location == PROBE_AT
    every = [resolve_sni("v2", backend_address=a).describe() for a in [*pools["a"], *pools["b"]]]
    assert found.message == (
        f"{PROBE_AT}: "
        + "; ".join(f"its SNI is {text}" for text in every[:3])
        + "; and 2 more. The backend's default certificate is the one judged"
    )
