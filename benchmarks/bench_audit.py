"""Gateway audits: one large gateway, growth with size, and a list across cores.

- A gateway with 100 listener certificates (``publicCertData`` PKCS#7 bundles,
  all different), 100 trusted roots (all different), 100 listeners and 50
  backend settings, audited against decoding the same 200 certificate fields
  with bare cryptography calls (goal: under 50 ms). Timed as a first audit:
  what a process remembers across calls about certificates (signature checks,
  the certifi store's answers) is forgotten before each round. Another line
  times the re-audit, which finds them remembered.
- Growth: 10, 100 and 1,000 objects of each kind (goal: per-object time within
  a budget that is linear in size, 0.5 ms per listener certificate).
- 1,000 small gateways from one ``list`` output, audited across all cores
  against one core (goal: at most 0.75x the one-core time on two cores).
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from appgw_certs import KeyType, audit_gateway, build_self_signed, build_test_chain
from appgw_certs._cli.audit import _audit_all, audit_one
from appgw_certs._x509.links import forget_links
from appgw_certs._x509.trust import forget_anchors
from benchmarks._harness import Comparison

PREFIX = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw"
NOW = datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _ref(collection: str, name: str) -> dict[str, str]:
    return {"id": f"{PREFIX}/{collection}/{name}"}


@cache
def gateway(size: int, settings: int | None = None) -> dict[str, object]:
    """``size`` listener certificates, trusted roots and listeners; ``settings``
    backend settings (default size // 2), each routed from one listener."""
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    issuer = chain.issuer.certificate
    leaves = [chain.issue_server([f"site{i}.contoso.com"]) for i in range(size)]
    roots = [
        build_self_signed([f"root{i}.example"], ca=True, key_type=KeyType.EC_P256)
        for i in range(size)
    ]
    der = serialization.Encoding.DER
    ssl = [
        {
            "name": f"cert{i}",
            "publicCertData": _b64(pkcs7.serialize_certificates([leaf.certificate, issuer], der)),
        }
        for i, leaf in enumerate(leaves)
    ]
    trusted = [
        {"name": f"root{i}", "data": _b64(r.certificate.public_bytes(der))}
        for i, r in enumerate(roots)
    ]
    count = size // 2 if settings is None else settings
    backend = [
        {
            "name": f"be{i}",
            "protocol": "Https",
            "port": 443,
            "hostName": f"backend{i}.contoso.com",
            "trustedRootCertificates": [
                _ref("trustedRootCertificates", f"root{j}") for j in (2 * i, 2 * i + 1)
            ],
        }
        for i in range(count)
    ]
    listeners = [
        {
            "name": f"l{i}",
            "protocol": "Https",
            "hostName": f"site{i}.contoso.com",
            "sslCertificate": _ref("sslCertificates", f"cert{i}"),
        }
        for i in range(size)
    ]
    rules = [
        {
            "name": f"r{i}",
            "ruleType": "Basic",
            "priority": i + 1,
            "httpListener": _ref("httpListeners", f"l{i}"),
            "backendAddressPool": _ref("backendAddressPools", "pool"),
            "backendHttpSettings": _ref("backendHttpSettingsCollection", f"be{i % max(count, 1)}"),
        }
        for i in range(size)
    ]
    return {
        "name": "gw",
        "sku": {"name": "Standard_v2", "tier": "Standard_v2"},
        "sslCertificates": ssl,
        "trustedRootCertificates": trusted,
        "httpListeners": listeners,
        "backendHttpSettingsCollection": backend,
        "backendAddressPools": [
            {"name": "pool", "backendAddresses": [{"fqdn": "backend.contoso.com"}]}
        ],
        "requestRoutingRules": rules,
    }


def bare_decode(body: dict[str, object]) -> list[x509.Certificate]:
    """The floor: base64 and DER parsing of every certificate field, nothing else."""
    found: list[x509.Certificate] = []
    for item in body["sslCertificates"]:  # type: ignore[attr-defined]
        found += pkcs7.load_der_pkcs7_certificates(base64.b64decode(item["publicCertData"]))
    for item in body["trustedRootCertificates"]:  # type: ignore[attr-defined]
        found.append(x509.load_der_x509_certificate(base64.b64decode(item["data"])))
    return found


def decode_and_read_fields(body: dict[str, object]) -> object:
    """The floor for any check: the bare decode, then the fields cryptography builds on
    first read (names, extensions, key, validity) of each distinct certificate."""
    distinct = {cert.signature: cert for cert in bare_decode(body)}
    for cert in distinct.values():
        cert.subject, cert.issuer, cert.extensions, cert.public_key(), cert.not_valid_after_utc
    return distinct


def first_audit(body: dict[str, object]) -> object:
    """An audit as the first one of its certificates in a process: what the process
    remembers across calls about certificates (signature checks, the certifi
    store's answers) is forgotten first, as when the CLI audits a file. The
    certifi store itself stays built, like the imports."""
    forget_links()
    forget_anchors()
    return audit_gateway(body, now=NOW)


def _audit(size: int) -> object:
    return first_audit(gateway(size))


def _json(result: object) -> str:
    # What the CLI prints for each gateway: both sides render every audit, so
    # descriptions (read lazily) are built on both sides, not only where the
    # workers' pickling forces them.
    return result.to_json() if hasattr(result, "to_json") else str(result)


def _list_one_core(items: list[object]) -> object:
    return [_json(audit_one(item, None, 30)) for item in items]


def _list_all_cores(items: list[object]) -> object:
    return [_json(result) for result in _audit_all(items, None, 30, None)]


def comparisons() -> list[Comparison]:
    large = gateway(100, 50)
    many = [gateway(2, 1)] * 1000
    growth = [
        Comparison(
            name=f"audit_gateway (first audit), {size} of each object",
            ours=lambda size=size: _audit(size),  # type: ignore[misc]
            baseline=lambda size=size: bare_decode(gateway(size)),  # type: ignore[misc]
            baseline_label="bare cryptography decode",
            max_seconds=0.0005 * size,
            rounds=5 if size >= 1000 else 15,
            setup=lambda size=size: gateway(size),  # type: ignore[misc]
            note="near-linear growth: the budget is 0.5 ms per listener certificate",
        )
        for size in (10, 100, 1000)
    ]
    return [
        Comparison(
            name=(
                "audit_gateway (first audit): 100 listener certs, 100 roots, "
                "100 listeners, 50 settings"
            ),
            ours=lambda: first_audit(large),
            baseline=lambda: bare_decode(large),
            baseline_label="bare cryptography decode of the 200 certificate fields",
            max_seconds=0.050,
            rounds=20,
            note="a first audit: what the process remembers about certificates is forgotten first",
        ),
        Comparison(
            name="audit_gateway (first audit), the same gateway",
            ours=lambda: first_audit(large),
            baseline=lambda: decode_and_read_fields(large),
            baseline_label=(
                "bare decode, then each distinct certificate's names, extensions, key "
                "and validity (what any check reads)"
            ),
            rounds=20,
        ),
        Comparison(
            name="the same gateway audited again in the process (signature checks remembered)",
            ours=lambda: audit_gateway(large, now=NOW),
            baseline=lambda: bare_decode(large),
            baseline_label="bare cryptography decode of the 200 certificate fields",
            rounds=20,
        ),
        *growth,
        Comparison(
            name=f"1,000 gateways from one list, {os.cpu_count()} cores",
            ours=lambda: _list_all_cores(many),  # type: ignore[arg-type]
            baseline=lambda: _list_one_core(many),  # type: ignore[arg-type]
            baseline_label="the same audits on one core (each rendered as JSON on both sides)",
            max_ratio=1 / 1.8,
            rounds=3,
            note="worker start-up included (the audit work alone scales better)",
        ),
    ]
