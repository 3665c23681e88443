"""check_upload never raises for any bytes, on every slot and SKU: random and mutated input."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import Report, Sku, Slot, check_upload
from helpers.check import NOW, PASSWORD, der, key_pem, make_pki, pem

SLOTS = st.sampled_from(list(Slot))
SKUS = st.sampled_from(list(Sku))


@cache
def seeds() -> tuple[bytes, ...]:
    """Valid files of every format, to mutate."""
    pki = make_pki()
    compatible = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - what Azure imports
        .build(PASSWORD.encode())
    )
    chain = [pki.intermediate.cert, pki.root.cert]
    return (
        pkcs12.serialize_key_and_certificates(
            b"a", pki.server.key, pki.server.cert, chain, compatible
        ),
        pkcs12.serialize_key_and_certificates(
            b"b",
            pki.server.key,
            pki.server.cert,
            chain,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        ),
        pem(pki.root.cert),
        pem(pki.intermediate.cert, pki.root.cert),
        pem(pki.server.cert) + key_pem(pki.server.key),
        der(pki.root.cert),
        pkcs7.serialize_certificates(chain, serialization.Encoding.DER),
    )


def _never_raises(slot: Slot, sku: Sku, data: bytes) -> Report:
    report = check_upload(
        slot, data, sku=sku, password=PASSWORD, hostnames=["www.contoso.com"], now=NOW
    )
    assert report.title
    # The safety net in inspect_upload must not be what kept it from raising.
    assert not any("could not be checked" in f.message for f in report.findings), report
    json.loads(report.to_json())
    str(report)
    report._repr_html_()
    return report


@settings(max_examples=100)
@given(SLOTS, SKUS, st.binary(max_size=600))
def test_random_bytes(slot: Slot, sku: Sku, data: bytes) -> None:
    report = _never_raises(slot, sku, data)
    assert not report.ok  # random bytes are never a valid upload


@settings(max_examples=60)
@given(SLOTS, st.text(max_size=300))
def test_random_text(slot: Slot, text: str) -> None:
    assert not _never_raises(slot, Sku.WAF_V2, text.encode()).ok
    check_upload(slot, text, sku="v2", now=NOW)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


@settings(max_examples=150)
@given(SLOTS, SKUS, mutated())
def test_mutated_files(slot: Slot, sku: Sku, data: bytes) -> None:
    _never_raises(slot, sku, data)


@pytest.mark.parametrize("slot", list(Slot))
@pytest.mark.parametrize("sku", list(Sku))
def test_every_seed_on_every_slot_and_sku(slot: Slot, sku: Sku) -> None:
    for data in seeds():
        _never_raises(slot, sku, data)


def _real_world_files() -> list[Path]:
    root = Path(cryptography_vectors.__file__).parent / "x509"
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix in {".pem", ".der", ".crt", ".p12"}
    )
    return files[::8]  # a deterministic sample of every kind: the whole set takes 15 s


def test_real_world_certificates_never_break_a_check() -> None:
    files = _real_world_files()
    assert len(files) > 100
    with warnings.catch_warnings():
        # The reader lets cryptography warn about negative serial numbers (PKITS);
        # with pytest's warnings-as-errors that would end the check early.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in files:
            data = path.read_bytes()
            for slot in Slot:
                sku = Sku.WAF if slot is Slot.AUTHENTICATION else Sku.WAF_V2
                _never_raises(slot, sku, data)
