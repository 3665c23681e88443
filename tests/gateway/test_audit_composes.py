"""The audit composes the upload checks: each PFX is decrypted once, however many
objects hold it, and each object's findings are the slot's checks told what the
audit judges itself (SKU fit, listener chains; the caller's trust store:
test_audit.py::test_store_decides_what_is_well_known)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from appgw_certs import (
    KeyType,
    Sku,
    Slot,
    TestChain,
    audit_gateway,
    build_test_chain,
    check_upload,
    load_pfx,
)
from appgw_certs._gateway.document import read_gateway
from appgw_certs._gateway.objects import SLOT_COLLECTIONS, CertificateDecoder
from helpers.gateway import GatewayBuilder, b64

NOW = datetime.now(UTC)
PASSWORD = "Passw0rd1"
#: Key derivation rounds that make one decryption take a measurable share of a second
#: (the loader refuses more than 300,000 per bag).
SLOW_ROUNDS = 250_000


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def slow_pfx(chain: TestChain, name: bytes) -> bytes:
    """A full-chain 3DES PFX whose password derivation runs SLOW_ROUNDS rounds."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(SLOW_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - what Azure imports
        .build(PASSWORD.encode())
    )
    return pkcs12.serialize_key_and_certificates(
        name,
        chain.server.private_key,
        chain.server.certificate,
        [*(c.certificate for c in chain.intermediates), chain.root.certificate],
        encryption,
    )


def listener_gateway(*pfx_files: bytes) -> GatewayBuilder:
    g = GatewayBuilder()
    for number, data in enumerate(pfx_files):
        g.add("sslCertificates", f"pfx-{number}", data=b64(data), password=PASSWORD)
    return g


def cpu_seconds(run: Callable[[], object], times: int = 3) -> float:
    """The least CPU time of ``times`` runs (process time: other processes on the
    machine do not count)."""
    best = float("inf")
    for _ in range(times):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def test_each_distinct_pfx_is_decrypted_once(chain: TestChain) -> None:
    web = chain.listener_pfx(PASSWORD)
    other = chain.issue_server(["api.contoso.com"], key_type=KeyType.EC_P256).pfx(PASSWORD)
    g = listener_gateway(web, web, other, web)  # one PFX under three names, another once
    doc = read_gateway(g.rest())
    decoder = CertificateDecoder(doc.sku, now=NOW, expiry_warning_days=30)
    objects = [
        decoder.decode(element, slot)
        for collection, slot in SLOT_COLLECTIONS.items()
        for element in doc.elements(collection)
    ]
    assert decoder.pfx_opened == 2
    assert all(obj.leaf is not None for obj in objects)
    # and each object still gets its own findings, made at its own location
    assert {f.location for obj in objects for f in obj.findings} <= {
        f"sslCertificates[pfx-{n}]" for n in range(4)
    }


def test_an_audit_costs_one_decryption_per_pfx(chain: TestChain) -> None:
    data = slow_pfx(chain, b"web")
    one = cpu_seconds(lambda: load_pfx(data, PASSWORD))
    body = listener_gateway(data, data).rest()  # the same PFX under two names
    audit_gateway(body, now=NOW)  # imports and process-wide memos out of the way
    audited = cpu_seconds(lambda: audit_gateway(body, now=NOW))
    # Two decryptions would cost at least 2 * one; the rest of the audit is small.
    assert audited < 1.5 * one, (audited, one)


def test_object_findings_are_the_upload_checks_less_what_the_gateway_judges(
    chain: TestChain,
) -> None:
    """A leaf-only PFX on a v1 gateway: the upload check says LST008; the audit says it
    once, from its own listener-chain check, and no GEN006 for a slot v1 has."""
    lonely = chain.issue_server(["lonely.contoso.com"], key_type=KeyType.EC_P256)
    data = lonely.pfx(PASSWORD)
    g = GatewayBuilder(tier="Standard")
    g.add("sslCertificates", "lonely", data=b64(data), password=PASSWORD)
    g.add("trustedRootCertificates", "root", data=b64(chain.trusted_root_cer()))
    audit = audit_gateway(g.rest(), now=NOW)
    alone = check_upload(Slot.LISTENER, data, sku=Sku.STANDARD, password=PASSWORD, now=NOW)
    lonely_codes = [
        f.code for f in audit.report.findings if f.location == "sslCertificates[lonely]"
    ]
    assert "LST008" in alone.codes
    assert lonely_codes.count("LST008") == 1
    assert set(lonely_codes) - {"GW003"} == set(alone.codes)
    root_codes = [
        f.code for f in audit.report.findings if f.location == "trustedRootCertificates[root]"
    ]
    assert root_codes.count("GEN006") == 1  # trusted roots on v1, said once by the SKU check
