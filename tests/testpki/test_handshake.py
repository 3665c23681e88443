"""Real TLS handshakes on 127.0.0.1 with Python ``ssl`` (OpenSSL): the chains work as built."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cryptography import x509

from appgw_certs import KeyType, build_self_signed, build_test_chain
from helpers.build import chain_of, client_context, handshake, server_context

VERSIONS = [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]
VERSION_IDS = ["tls1.2", "tls1.3"]
SHAPES = [(KeyType.EC_P256, 0), (KeyType.EC_P384, 2), (KeyType.RSA_2048, 1), (KeyType.EC_P256, 3)]
NAMES = ["www.contoso.com", "api.contoso.com", "10.0.0.4", "::1"]  # the wildcard covers api
EXPECTED_VERSION = {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
@pytest.mark.parametrize(
    ("key_type", "intermediates"), SHAPES, ids=[f"{k.value}-{n}" for k, n in SHAPES]
)
def test_backend_chain_verifies_for_a_client_trusting_only_the_root(
    tmp_path: Path, version: ssl.TLSVersion, key_type: KeyType, intermediates: int
) -> None:
    chain = chain_of(key_type, intermediates)
    server = server_context(tmp_path, chain.backend_chain_pem(), chain.server)
    client = client_context(tmp_path, chain.trusted_root_cer(), version, None)
    for name in NAMES:
        outcome, result = handshake(server, client, name)
        assert outcome.error is None, outcome.error
        assert result == EXPECTED_VERSION[version]


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
def test_client_refuses_a_wrong_name_a_foreign_root_and_a_missing_intermediate(
    tmp_path: Path, version: ssl.TLSVersion
) -> None:
    chain = chain_of(KeyType.EC_P256, 1)
    server = server_context(tmp_path, chain.backend_chain_pem(), chain.server)
    trusting = client_context(tmp_path, chain.trusted_root_cer(), version, None)
    _, wrong_name = handshake(server, trusting, "www.fabrikam.com")
    assert isinstance(wrong_name, ssl.SSLCertVerificationError)
    assert "mismatch" in wrong_name.verify_message or "match" in str(wrong_name)
    _, deeper = handshake(server, trusting, "a.b.contoso.com")  # a wildcard covers one label
    assert isinstance(deeper, ssl.SSLCertVerificationError)
    foreign_root = build_test_chain(key_type=KeyType.EC_P256).trusted_root_cer()
    _, foreign = handshake(
        server, client_context(tmp_path, foreign_root, version, None), "www.contoso.com"
    )
    assert isinstance(foreign, ssl.SSLCertVerificationError)
    leaf_only = server_context(tmp_path, chain.server.cer(), chain.server)
    _, missing = handshake(leaf_only, trusting, "www.contoso.com")
    assert isinstance(missing, ssl.SSLCertVerificationError)
    assert "local issuer" in missing.verify_message


@pytest.mark.parametrize("version", VERSIONS, ids=VERSION_IDS)
@pytest.mark.parametrize("intermediates", [0, 2])
def test_mutual_tls_accepts_an_issued_client_and_rejects_another_chains(
    tmp_path: Path, version: ssl.TLSVersion, intermediates: int
) -> None:
    chain = chain_of(KeyType.EC_P256, intermediates)
    server = server_context(tmp_path, chain.backend_chain_pem(), chain.server)
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(cadata=chain.client_ca_cer().decode("ascii"))
    alice = chain.issue_client("alice@contoso.com")
    accepted, result = handshake(
        server, client_context(tmp_path, chain.trusted_root_cer(), version, alice), "10.0.0.4"
    )
    assert accepted.error is None, accepted.error
    assert result == EXPECTED_VERSION[version]
    assert accepted.peer is not None
    assert x509.load_der_x509_certificate(accepted.peer) == alice.certificate

    stranger = build_test_chain(key_type=KeyType.EC_P256, intermediates=intermediates)
    mallory = stranger.issue_client("alice@contoso.com")  # same names, other CA
    rejected, _ = handshake(
        server, client_context(tmp_path, chain.trusted_root_cer(), version, mallory), "10.0.0.4"
    )
    assert isinstance(rejected.error, ssl.SSLError)
    assert "certificate verify failed" in str(rejected.error)

    nobody, _ = handshake(
        server, client_context(tmp_path, chain.trusted_root_cer(), version, None), "10.0.0.4"
    )
    assert isinstance(nobody.error, ssl.SSLError)


def test_mutual_tls_rejects_a_server_leaf_as_client_certificate(tmp_path: Path) -> None:
    chain = chain_of(KeyType.EC_P256, 1)
    server = server_context(tmp_path, chain.backend_chain_pem(), chain.server)
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(cadata=chain.client_ca_cer().decode("ascii"))
    other_server = chain.issue_server(["client.contoso.com"])  # serverAuth only
    outcome, _ = handshake(
        server,
        client_context(tmp_path, chain.trusted_root_cer(), VERSIONS[1], other_server),
        "www.contoso.com",
    )
    assert isinstance(outcome.error, ssl.SSLError)
    assert "unsuitable certificate purpose" in str(outcome.error)


@pytest.mark.parametrize("ca", [False, True])
def test_self_signed_backend_trusted_as_its_own_root(tmp_path: Path, ca: bool) -> None:
    backend = build_self_signed(["backend.contoso.com", "127.0.0.1"], ca=ca, key_type="ec-p256")
    server = server_context(tmp_path, backend.cer(), backend)
    for version in VERSIONS:
        client = client_context(tmp_path, backend.cer(), version, None)
        for name in ("backend.contoso.com", "127.0.0.1"):
            outcome, result = handshake(server, client, name)
            assert outcome.error is None, outcome.error
            assert result == EXPECTED_VERSION[version]
