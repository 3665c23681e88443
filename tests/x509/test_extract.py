"""What each SKU wants: the v1 leaf, the v2 root, the leaf's public key.

Oracles: ``openssl pkcs12 -clcerts -nokeys`` (the leaf of a PFX), ``openssl x509
-pubkey``, ``openssl verify`` with the extracted root as the only anchor.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from appgw_certs import (
    ChainError,
    KeyType,
    PfxPasswordError,
    TestChain,
    TrustStore,
    build_test_chain,
    extract_authentication_cert,
    extract_public_key,
    extract_trusted_root,
)
from helpers.chain import VECTORS, issue, openssl_verify, pem, vector

PASSWORD = "Passw0rd1"
EMPTY = TrustStore([])
PKCS12 = VECTORS.parent / "pkcs12"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(("backend.contoso.com",), intermediates=2, key_type=KeyType.EC_P256)


def all_certs(chain: TestChain) -> list[x509.Certificate]:
    middle = [c.certificate for c in chain.intermediates]
    return [chain.server.certificate, *middle, chain.root.certificate]


def openssl_pfx_leaf(openssl: str, pfx: Path, password: str, *extra: str) -> bytes:
    out = subprocess.run(
        [openssl, "pkcs12", "-in", str(pfx), "-clcerts", "-nokeys", "-passin", f"pass:{password}",
         *extra],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return x509.load_pem_x509_certificate(out).public_bytes(serialization.Encoding.PEM)


# -- v1: the backend's leaf -----------------------------------------------------


def test_authentication_cert_from_a_pfx_is_the_leaf_openssl_finds(
    openssl: str, tmp_path: Path, chain: TestChain
) -> None:
    pfx = tmp_path / "backend.pfx"
    pfx.write_bytes(chain.listener_pfx(PASSWORD))
    cer = extract_authentication_cert(pfx, PASSWORD)
    assert cer == openssl_pfx_leaf(openssl, pfx, PASSWORD)
    assert cer == chain.authentication_cer()
    assert b"PRIVATE KEY" not in cer
    assert extract_authentication_cert(pfx, PASSWORD, encoding="der") == chain.server.cer("der")


@pytest.mark.parametrize(
    ("file_name", "extra"),
    [("cert-key-aes256cbc.p12", ()), ("cert-rc2-key-3des.p12", ("-legacy",))],
)
def test_authentication_cert_from_real_world_pfx_files(
    openssl: str, file_name: str, extra: tuple[str, ...]
) -> None:
    pfx = PKCS12 / file_name
    expected = openssl_pfx_leaf(openssl, pfx, "cryptography", *extra)
    assert extract_authentication_cert(pfx, "cryptography") == expected
    # A lone self-signed CA is its own root, too.
    assert extract_trusted_root(pfx, b"cryptography", store=EMPTY) == expected


def test_authentication_cert_from_a_shuffled_bundle(chain: TestChain) -> None:
    certs = all_certs(chain)
    for seed in range(5):
        shuffled = certs[:]
        random.Random(seed).shuffle(shuffled)
        assert extract_authentication_cert(pem(*shuffled)) == chain.authentication_cer()
        assert extract_authentication_cert(shuffled) == chain.authentication_cer()


def test_authentication_cert_from_real_world_chain(openssl: str) -> None:
    leaf, intermediate = vector("cryptography.io.chain.pem")
    first = subprocess.run(
        [openssl, "x509"], input=pem(leaf), capture_output=True, check=True
    ).stdout  # openssl's own PEM of the server certificate
    assert extract_authentication_cert(pem(intermediate, leaf)) == first


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_pkcs7_bundles(chain: TestChain, encoding: serialization.Encoding) -> None:
    p7b = pkcs7.serialize_certificates(list(reversed(all_certs(chain))), encoding)
    assert extract_authentication_cert(p7b) == chain.authentication_cer()
    assert extract_trusted_root(p7b, store=EMPTY) == chain.trusted_root_cer()


def test_wrong_or_missing_pfx_password(chain: TestChain) -> None:
    pfx = chain.listener_pfx(PASSWORD)
    with pytest.raises(PfxPasswordError):
        extract_authentication_cert(pfx, "wrong")
    with pytest.raises(PfxPasswordError):
        extract_trusted_root(pfx)


def test_two_chains_in_one_file_are_refused(chain: TestChain) -> None:
    other = build_test_chain(("other.contoso.com",), intermediates=0, key_type=KeyType.EC_P256)
    with pytest.raises(ChainError, match=r"backend\.contoso\.com"):
        extract_authentication_cert(chain.backend_chain_pem() + other.backend_chain_pem())


# -- v2: the root -------------------------------------------------------------------


def test_trusted_root_from_a_pfx_verifies_the_chain(
    openssl: str, tmp_path: Path, chain: TestChain
) -> None:
    cer = extract_trusted_root(chain.listener_pfx(PASSWORD), PASSWORD, store=EMPTY)
    assert cer == chain.trusted_root_cer()
    root = x509.load_pem_x509_certificate(cer)
    middle = [c.certificate for c in chain.intermediates]
    verdict = openssl_verify(openssl, tmp_path, chain.server.certificate, [root], middle)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_trusted_root_completed_from_the_store(chain: TestChain) -> None:
    presented = chain.backend_chain_pem()  # leaf + intermediates, no root
    store = TrustStore([chain.root.certificate])
    assert extract_trusted_root(presented, store=store) == chain.trusted_root_cer()
    assert extract_trusted_root(presented, store=store, encoding="der") == chain.root.cer("der")


def test_trusted_root_missing_names_the_issuer(chain: TestChain) -> None:
    with pytest.raises(ChainError) as raised:
        extract_trusted_root(chain.backend_chain_pem())  # default store: certifi
    assert chain.root.certificate.subject.rfc4514_string() in str(raised.value)


def test_self_signed_leaf_is_its_own_trusted_root() -> None:
    leaf = issue("www.contoso.com", ca=False, dns=("www.contoso.com",)).cert
    assert extract_trusted_root(leaf, store=EMPTY) == pem(leaf)
    assert extract_authentication_cert(leaf) == pem(leaf)


def test_trusted_root_of_the_real_world_state_root_from_its_own_store() -> None:
    (state_root,) = vector("department-of-state-root.pem")  # not self-issued
    assert extract_trusted_root(state_root, store=TrustStore([state_root])) == pem(state_root)


# -- the public key -----------------------------------------------------------------


@pytest.mark.parametrize("key_type", [KeyType.EC_P256, KeyType.RSA_2048])
def test_public_key_matches_openssl(openssl: str, tmp_path: Path, key_type: KeyType) -> None:
    chain = build_test_chain(intermediates=0, key_type=key_type)
    pfx = chain.listener_pfx(PASSWORD)
    expected = subprocess.run(
        [openssl, "x509", "-pubkey", "-noout"],
        input=pem(chain.server.certificate), capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert extract_public_key(pfx, PASSWORD) == expected
    assert extract_public_key(chain.backend_chain_pem()) == expected


def test_unreadable_input_is_a_format_error() -> None:
    from appgw_certs import CertificateFormatError

    with pytest.raises(CertificateFormatError):
        extract_public_key(b"not a certificate")
    with pytest.raises(CertificateFormatError):
        extract_trusted_root("no PEM here")


def test_pfx_leaf_is_the_certificate_of_its_key(
    openssl: str, tmp_path: Path, chain: TestChain
) -> None:
    from appgw_certs import to_pfx

    stray = issue("Unrelated Root").cert  # would make two "leaves" by chain shape alone
    middle = [c.certificate for c in chain.intermediates]
    pfx = tmp_path / "extra.pfx"
    pfx.write_bytes(
        to_pfx(
            chain.server.private_key,
            chain.server.certificate,
            [stray, *middle, chain.root.certificate],
            password=PASSWORD,
        )
    )
    assert extract_authentication_cert(pfx, PASSWORD) == openssl_pfx_leaf(openssl, pfx, PASSWORD)
    assert extract_authentication_cert(pfx, PASSWORD) == chain.authentication_cer()
