"""A realistic v2 gateway for the browser test, with two hostile names planted in it.

Quickstart-like chains (root, intermediate, server) fill every certificate slot
a gateway has: listener certificates, a v2 trusted root, a mutual-TLS client
CA chain, a v1 authentication certificate left over from a migration. Some are
wrong on purpose so that the report holds findings of every severity. One
trusted root's subject CN is ``<script>alert(1)</script>`` and the object that
holds it is named ``"><img src=x onerror=alert(1)>``, and so is the JSON file
given to the CLI: the page must show all three as text.

:func:`audited_report` runs the CLI as a user would, twice: ``--format html``
for the page under test, ``--format json`` for the oracle of what it must hold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from appgw_certs import KeyType, build_self_signed, build_test_chain
from helpers.cli import run
from helpers.gateway import GatewayBuilder, b64
from helpers.pki import Validity, make_ca

#: The untrusted texts the page must show as text, never run.
SCRIPT_CN = "<script>alert(1)</script>"
IMG_NAME = '"><img src=x onerror=alert(1)>'

NOW = datetime.now(UTC)


def realistic_gateway() -> dict[str, object]:
    """The gateway's REST GET body (what ``az network application-gateway show`` prints)."""
    web = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    clients = build_test_chain(["unused.example"], key_type=KeyType.EC_P256, organization="Clients")
    api = web.issue_server(["api.contoso.com"], valid_days=20)  # inside the warning window
    lonely = web.issue_server(["lonely.contoso.com"])  # uploaded without its chain
    old_root = build_self_signed(
        ["old-root.example"],
        ca=True,
        key_type=KeyType.EC_P256,
        not_before=NOW - timedelta(days=400),
        valid_days=30,
    )
    hostile = make_ca(
        SCRIPT_CN, validity=Validity(NOW - timedelta(days=10), NOW + timedelta(days=90))
    )
    chain = [c.certificate for c in web.intermediates]

    g = GatewayBuilder(name="contoso-gw", tier="Standard_v2")
    g.listener_cert("web-cert", [web.server.certificate, *chain, web.root.certificate])
    g.listener_cert("api-cert", [api.certificate, *chain, web.root.certificate])
    g.listener_cert("lonely-cert", [lonely.certificate])
    g.add("trustedRootCertificates", "backend-root", data=b64(web.trusted_root_cer("der")))
    g.add("trustedRootCertificates", "old-root", data=b64(old_root.cer("der")))
    g.add("trustedRootCertificates", IMG_NAME, data=b64(hostile.cert.public_bytes(Encoding.DER)))
    g.add("authenticationCertificates", "v1-backend", data=b64(web.authentication_cer("der")))
    g.add("trustedClientCertificates", "client-ca", data=b64(clients.client_ca_cer()))
    g.add(
        "sslProfiles",
        "mtls",
        clientAuthConfiguration={"verifyClientCertIssuerDN": True},
        trustedClientCertificates=[g.ref("trustedClientCertificates", "client-ca")],
    )
    g.add("frontendPorts", "p443", port=443)
    g.add("backendAddressPools", "pool", backendAddresses=[{"fqdn": "backend.contoso.com"}])
    g.add("backendAddressPools", "pool-ip", backendAddresses=[{"ipAddress": "10.1.2.3"}])
    g.add("probes", "probe", protocol="Https", host="backend.contoso.com", path="/health")
    g.add(
        "backendHttpSettingsCollection",
        "be-https",
        port=443,
        protocol="Https",
        hostName="backend.contoso.com",
        trustedRootCertificates=[g.ref("trustedRootCertificates", "backend-root")],
        probe=g.ref("probes", "probe"),
    )
    g.add(
        "backendHttpSettingsCollection",
        "be-ip",
        port=443,
        protocol="Https",
        pickHostNameFromBackendAddress=True,
        trustedRootCertificates=[g.ref("trustedRootCertificates", "old-root")],
    )
    listeners = {
        "web": (
            "web-cert",
            {"hostName": "www.contoso.com", "sslProfile": g.ref("sslProfiles", "mtls")},
        ),
        "api": ("api-cert", {"hostName": "api.contoso.com"}),
        "lonely": ("lonely-cert", {"hostName": "lonely.contoso.com"}),
    }
    for name, (cert, more) in listeners.items():
        g.add(
            "httpListeners",
            name,
            protocol="Https",
            frontendPort=g.ref("frontendPorts", "p443"),
            sslCertificate=g.ref("sslCertificates", cert),
            **more,
        )
    routes = {
        "web": ("pool", "be-https"),
        "api": ("pool-ip", "be-ip"),
        "lonely": ("pool", "be-https"),
    }
    for priority, (name, (pool, settings)) in enumerate(routes.items(), start=100):
        g.add(
            "requestRoutingRules",
            f"r-{name}",
            ruleType="Basic",
            priority=priority,
            httpListener=g.ref("httpListeners", name),
            backendAddressPool=g.ref("backendAddressPools", pool),
            backendHttpSettings=g.ref("backendHttpSettingsCollection", settings),
        )
    return g.rest()


@dataclass(frozen=True)
class AuditedReport:
    """The HTML report of one gateway file, and the same audit as JSON (the oracle)."""

    html: Path
    input_name: str
    audit: dict[str, object]

    @property
    def findings(self) -> list[dict[str, str]]:
        report = self.audit["report"]
        assert isinstance(report, dict)
        findings: list[dict[str, str]] = report["findings"]
        return findings

    @property
    def certificate_objects(self) -> list[dict[str, object]]:
        objects: list[dict[str, object]] = self.audit["certificates"]  # type: ignore[assignment]
        return objects


def audited_report(folder: Path) -> AuditedReport:
    """``appgw-certs audit FILE --format html -o report.html``, the file named hostilely."""
    input_name = f"{IMG_NAME}.json"
    (folder / input_name).write_text(json.dumps(realistic_gateway()), encoding="utf-8")
    html = run("audit", input_name, "--format", "html", "-o", "report.html", cwd=folder)
    # the gateway has errors: exit 1, and the report is written all the same
    assert html.returncode == 1, html.output
    as_json = run("audit", input_name, "--format", "json", cwd=folder)
    assert as_json.returncode == 1, as_json.output
    audit = json.loads(as_json.stdout)
    assert audit["input"] == input_name
    return AuditedReport(folder / "report.html", input_name, audit)
