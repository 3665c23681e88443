"""Test chains issued by an existing CA (``build_test_chain(ca=..., ca_chain=...)``), judged by
cryptography's verifier, ``openssl verify`` and a real TLS handshake on loopback."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification as v
from cryptography.x509.verification import VerificationError

from appgw_certs import Credential, KeyType, TestChain, build_test_chain, load_pfx
from helpers.build import NOW, client_context, handshake, server_context

EC = KeyType.EC_P256
HOST = "www.contoso.com"


def pem_certificates(data: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(data)


def verify_as_server(chain: TestChain, name: str = HOST) -> list[x509.Certificate]:
    """cryptography's default policy, trusting only the v2 trusted root; the backend's
    presented chain gives the intermediates."""
    root = x509.load_pem_x509_certificate(chain.trusted_root_cer())
    presented = pem_certificates(chain.backend_chain_pem())
    verifier = (
        v.PolicyBuilder().store(v.Store([root])).time(NOW).build_server_verifier(x509.DNSName(name))
    )
    return verifier.verify(presented[0], presented[1:])


def openssl_verify(openssl: str, tmp_path: Path, chain: TestChain, leaf: Credential) -> str:
    """``openssl verify -CAfile root.cer -untrusted CAs leaf``: its output; it must say OK."""
    (tmp_path / "root.cer").write_bytes(chain.trusted_root_cer())
    (tmp_path / "cas.pem").write_bytes(chain.client_ca_cer())
    (tmp_path / "leaf.pem").write_bytes(leaf.cer())
    done = subprocess.run(
        [openssl, "verify", "-CAfile", str(tmp_path / "root.cer"),
         "-untrusted", str(tmp_path / "cas.pem"), str(tmp_path / "leaf.pem")],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def company() -> TestChain:
    """A company's PKI: a root and one issuing (intermediate) CA."""
    return build_test_chain(["unused.contoso.com"], intermediates=1, key_type=EC)


def test_leaves_issued_by_an_existing_root_verify(openssl: str, tmp_path: Path) -> None:
    mine = build_test_chain(["unused.contoso.com"], intermediates=0, key_type=EC).root  # mkcert's
    chain = build_test_chain([HOST], ca=mine, intermediates=0, key_type=EC)
    assert chain.root is mine
    assert chain.server.certificate.issuer == mine.certificate.subject
    assert chain.trusted_root_cer() == mine.cer()
    assert verify_as_server(chain)[-1] == mine.certificate
    assert openssl_verify(openssl, tmp_path, chain, chain.server).strip().endswith(": OK")
    client = chain.issue_client("alice@contoso.com")
    store = v.Store([mine.certificate])
    verified = (
        v.PolicyBuilder()
        .store(store)
        .time(NOW)
        .build_client_verifier()
        .verify(client.certificate, [])
    )
    assert verified.subjects == [x509.RFC822Name("alice@contoso.com")]


def test_new_intermediates_below_an_existing_root(openssl: str, tmp_path: Path) -> None:
    mine = build_test_chain(["unused.contoso.com"], intermediates=2, key_type=EC).root
    chain = build_test_chain([HOST], ca=mine, intermediates=2, key_type=EC)
    path = verify_as_server(chain)
    assert [c.subject for c in path] == [
        chain.server.certificate.subject,
        *(c.certificate.subject for c in reversed(chain.intermediates)),
        mine.certificate.subject,
    ]
    assert openssl_verify(openssl, tmp_path, chain, chain.server).strip().endswith(": OK")


def test_an_existing_intermediate_ca_with_its_root(
    openssl: str, tmp_path: Path, company: TestChain
) -> None:
    issuing = company.intermediates[0]
    chain = build_test_chain(
        [HOST], ca=issuing, ca_chain=[company.root.certificate], intermediates=0, key_type=EC
    )
    assert chain.ca_chain == (company.root.certificate,)
    assert chain.trusted_root_cer() == company.root.cer()  # the real root, not the issuing CA
    assert pem_certificates(chain.backend_chain_pem()) == [
        chain.server.certificate,
        issuing.certificate,
    ]
    assert chain.issuer_chain() == [issuing.certificate, company.root.certificate]
    assert pem_certificates(chain.client_ca_cer()) == chain.issuer_chain()
    pfx = load_pfx(chain.listener_pfx("Secret123"), "Secret123")
    assert pfx.certificate == chain.server.certificate
    assert list(pfx.chain) == chain.issuer_chain()
    assert verify_as_server(chain)[-1] == company.root.certificate
    assert openssl_verify(openssl, tmp_path, chain, chain.server).strip().endswith(": OK")


def test_a_real_handshake_with_a_leaf_of_an_existing_ca(tmp_path: Path, company: TestChain) -> None:
    chain = build_test_chain(
        [HOST], ca=company.intermediates[0], ca_chain=[company.root.certificate], intermediates=0
    )
    server = server_context(tmp_path, chain.backend_chain_pem(), chain.server)
    client = client_context(tmp_path, chain.trusted_root_cer(), ssl.TLSVersion.TLSv1_3, None)
    outcome, result = handshake(server, client, HOST)
    assert outcome.error is None, outcome.error
    assert result == "TLSv1.3"
    _, wrong = handshake(server, client, "www.fabrikam.com")
    assert isinstance(wrong, ssl.SSLCertVerificationError)


def test_validity_of_leaves_from_an_existing_ca_is_as_asked(company: TestChain) -> None:
    start = NOW.replace(microsecond=0)
    chain = build_test_chain(
        [HOST],
        ca=company.root,
        intermediates=0,
        key_type=EC,
        valid_days=10,
        not_before=start,
    )
    leaf = chain.server.certificate
    assert leaf.not_valid_before_utc == start
    assert (leaf.not_valid_after_utc - start).days == 10
    with pytest.raises(VerificationError):  # the company root was never asked to change
        v.PolicyBuilder().store(v.Store([company.root.certificate])).time(
            start.replace(year=start.year + 1)
        ).build_server_verifier(x509.DNSName(HOST)).verify(leaf, [])


def test_refusals_name_what_is_wrong(company: TestChain) -> None:
    foreign_key = Credential(company.root.certificate, company.server.private_key)
    with pytest.raises(ValueError, match="does not match"):
        build_test_chain([HOST], ca=foreign_key, intermediates=0)
    with pytest.raises(ValueError, match="not a CA"):
        build_test_chain([HOST], ca=company.server, intermediates=0)
    with pytest.raises(ValueError, match="pathlen"):  # the issuing CA may sign no more CAs
        build_test_chain([HOST], ca=company.intermediates[0], ca_chain=[company.root.certificate])
    with pytest.raises(ValueError, match="intermediate CA"):
        build_test_chain([HOST], ca=company.intermediates[0], intermediates=0)
    other_root = build_test_chain(key_type=EC, intermediates=0).root.certificate
    with pytest.raises(ValueError, match="did not issue"):
        build_test_chain(
            [HOST], ca=company.intermediates[0], ca_chain=[other_root], intermediates=0
        )
    with pytest.raises(TypeError):
        build_test_chain([HOST], ca=company.root.certificate)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        build_test_chain(
            [HOST],
            ca=company.intermediates[0],
            ca_chain=["root"],
            intermediates=0,  # type: ignore[list-item]
        )


def test_the_key_never_shows_in_a_chain_repr(company: TestChain) -> None:
    chain = build_test_chain([HOST], ca=company.root, intermediates=0, key_type=EC)
    key_pem = company.root.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert b"PRIVATE" in key_pem
    assert "PRIVATE" not in repr(chain)
    assert "private_numbers" not in repr(chain)


def test_configure_trust_and_cert_on_a_chain_from_an_existing_ca(company: TestChain) -> None:
    """The contexts trust the real root and present everything below it, as a backend would."""
    chain = build_test_chain(
        [HOST], ca=company.intermediates[0], ca_chain=[company.root.certificate], intermediates=0
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    chain.configure_cert(server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    chain.configure_trust(client)
    outcome, result = handshake(server, client, HOST)
    assert outcome.error is None, outcome.error
    assert result in ("TLSv1.2", "TLSv1.3"), result
