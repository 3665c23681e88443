"""Type-checked (not run) smoke test of the public API: `mypy --strict` reads it.

If a public signature changes its types, this file stops type-checking.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, assert_type

from cryptography import x509

import appgw_certs as ag
from appgw_certs import testing

pem: bytes = b"-----BEGIN CERTIFICATE-----\n..."
now = datetime.now(UTC)

certs = ag.load_certificates(pem)
assert_type(certs, list[x509.Certificate])
assert_type(ag.load_certificates(Path("cert.pem")), list[x509.Certificate])

pfx = ag.load_pfx(b"...", "password")
assert_type(pfx, ag.Pfx)
assert_type(pfx.certificate, x509.Certificate | None)
assert_type(pfx.chain, tuple[x509.Certificate, ...])
assert_type(pfx.encryption, ag.PfxEncryption)
assert_type(pfx.encryption.azure_compatible, bool)

assert_type(ag.to_cer(certs[0]), bytes)
assert_type(ag.to_cer(certs, encoding="der"), bytes)
assert_type(ag.pfx_to_cer(b"...", "pw", include_chain=True), bytes)

chain = ag.build_test_chain(["www.contoso.com"], intermediates=2, key_type=ag.KeyType.EC_P256)
assert_type(chain, ag.TestChain)
assert_type(chain.root, ag.Credential)
assert_type(chain.intermediates, tuple[ag.Credential, ...])
assert_type(chain.issuer, ag.Credential)
assert_type(chain.listener_pfx("Secret123", profile="modern"), bytes)
assert_type(chain.issue_client("alice"), ag.Credential)
assert_type(ag.build_self_signed(["a.example"], ca=True), ag.Credential)
assert_type(chain.server.key_pem(), bytes)
assert_type(chain.server.pfx("pw"), bytes)

assert_type(ag.order_chain(certs), list[x509.Certificate])
assert_type(ag.find_root(certs), x509.Certificate)
assert_type(ag.extract_trusted_root(pem), bytes)
assert_type(ag.extract_authentication_cert(pem, encoding="der"), bytes)
assert_type(ag.extract_public_key(pem), bytes)

store = ag.TrustStore.certifi()
assert_type(store, ag.TrustStore)
assert_type(store.find_issuer(certs[0]), x509.Certificate | None)
assert_type(len(store), int)
assert_type(ag.well_known_root(certs), x509.Certificate | None)
assert_type(ag.is_well_known(certs, store=store), bool)

infos = ag.describe(pem)
assert_type(infos[0], ag.CertInfo)
assert_type(infos[0].sha1_thumbprint, str)
assert_type(infos[0].not_after, datetime)
assert_type(infos[0].extended_key_usage, tuple[str, ...])
assert_type(infos[0].issuer_index, int | None)
assert_type(infos.in_order, bool | None)
assert_type(infos.well_known_root, str | None)
assert_type(infos.to_dict(), dict[str, object])
# Fields are read lazily, but type checkers still refuse names CertInfo lacks.
infos[0].thumbprint  # type: ignore[attr-defined]  # noqa: B018

assert_type(ag.Sku.parse("v2"), ag.Sku)
assert_type(ag.Sku.WAF_V2.generation, Literal[1, 2])
report = ag.check_upload(ag.Slot.LISTENER, b"...", sku="v2", password="Secret123", now=now)
assert_type(report, ag.Report)
assert_type(report.ok, bool)
assert_type(report.findings, tuple[ag.Finding, ...])
assert_type(report.to_json(), str)
assert_type(report.to_dict(), dict[str, object])
assert_type(report.findings[0].severity, ag.Severity)

assert_type(ag.check_backend(pem, sku="v2", host_name="h", trusted_roots=[pem]), ag.Report)
assert_type(ag.check_client(pem, pem, verify_issuer_dn=True), ag.Report)
assert_type(ag.client_issuer_dn(pem), x509.Name)
assert_type(ag.fetch_presented_chain("127.0.0.1", 8443, timeout=1.0), list[x509.Certificate])

audit = ag.audit_gateway({"name": "gw"}, expiry_warning_days=14)
assert_type(audit, ag.GatewayAudit)
assert_type(audit.report, ag.Report)
assert_type(audit.certificates, tuple[ag.GatewayCertificate, ...])
assert_type(audit.sku, ag.Sku | None)

try:
    report.raise_for_errors()
except ag.CheckFailedError as exc:
    assert_type(exc.report, ag.Report)

key_types = testing.key_types()
