"""check_client and client_issuer_dn: mutual-TLS verdicts and Azure's issuer-DN extraction.

The chain and purpose verdicts are also held against a real ``ssl`` server
(CERT_REQUIRED, the uploaded CA file) in test_simulate_differential.py; here
each code is pinned down on its own, plus a CA-level EKU case checked against
a real handshake too.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import (
    CertificateFormatError,
    ChainError,
    Report,
    check_client,
    check_upload,
    client_issuer_dn,
)
from appgw_certs._formats.der import issuer_and_subject
from appgw_certs._verdicts.client import MSG_FIRST_NOT_VERIFIED, MSG_ISSUER_DN, MSG_PURPOSE
from helpers.pki import (
    CLIENT_AUTH,
    EXPIRED,
    NOT_YET_VALID,
    NOW,
    SERVER_AUTH,
    Issued,
    Pki,
    Validity,
    make_ca,
    make_client,
    make_leaf,
    make_pki,
    pem,
)
from helpers.tls_servers import PythonTLSServer, client_context, handshake_as_client, server_context


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(1, name="Client")


@pytest.fixture(scope="module")
def ca_file(pki: Pki) -> bytes:
    return pem(pki.root.cert, *(i.cert for i in pki.intermediates))


@pytest.fixture(scope="module")
def client(pki: Pki) -> Issued:
    return make_client(pki.issuer)


def _codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def test_valid_client_passes(client: Issued, ca_file: bytes) -> None:
    report = check_client([client.cert], ca_file)
    assert report.findings == (), str(report)
    assert report.ok


def test_inputs_as_files(client: Issued, ca_file: bytes, tmp_path: Path) -> None:
    (tmp_path / "client.pem").write_bytes(pem(client.cert))
    (tmp_path / "ca.cer").write_bytes(ca_file)
    assert check_client(tmp_path / "client.pem", tmp_path / "ca.cer").ok


@pytest.mark.parametrize("nothing", [[], b"", ""])
def test_no_certificate(ca_file: bytes, nothing: object) -> None:
    report = check_client(nothing, ca_file)  # type: ignore[arg-type]
    assert _codes(report) == ["MT001"]


def _unparsable_subject(cert: x509.Certificate) -> bytes:
    """``cert``'s DER with a constructed UTF8String (tag 0x2C) in its subject: the
    certificate loads, reading its subject raises (found by test_hostile)."""
    der = cert.public_bytes(serialization.Encoding.DER)
    names = issuer_and_subject(der)
    assert names is not None
    subject = names[1]
    start = der.index(subject, der.index(names[0]) + 1)
    broken = subject.replace(b"\x0c", b"\x2c", 1)
    damaged = der[:start] + broken + der[start + len(subject) :]
    loaded = x509.load_der_x509_certificate(damaged)
    with pytest.raises(ValueError, match="asn1"):
        _ = loaded.subject
    return damaged


def test_a_client_ca_whose_subject_cannot_be_read(client: Issued, pki: Pki) -> None:
    # The extracted issuer DN is that CA's subject: no DN, a finding, no exception.
    ca = _unparsable_subject(pki.issuer.cert)
    with pytest.raises(CertificateFormatError, match="issuing CA's subject name"):
        client_issuer_dn(ca)
    report = check_client([client.cert], ca, verify_issuer_dn=True)
    assert "MT004" in _codes(report)
    assert "no issuer DN can be extracted" in str(report)


def test_unreadable_inputs_are_findings(client: Issued, ca_file: bytes) -> None:
    assert _codes(check_client(b"\x30\x03\x02\x01", ca_file)) == ["GEN001"]
    assert _codes(check_client([client.cert], b"not a certificate")) == ["GEN001"]


def test_chain_not_reaching_the_ca(client: Issued) -> None:
    """ "Unable to verify the first certificate: ... This error occurs specifically when the
    client presents only the leaf certificate, whose issuer is not trusted."
    (https://learn.microsoft.com/azure/application-gateway/mutual-authentication-troubleshooting#sslclientverify-is-failed)
    """
    report = check_client([client.cert], pem(make_ca("Stranger Root").cert))
    assert _codes(report) == ["MT002"]
    assert report.errors[0].message.startswith(f"{MSG_FIRST_NOT_VERIFIED}:")
    assert dict(report.details)["sslClientVerify"] == f"FAILED:{MSG_FIRST_NOT_VERIFIED}"


def test_intermediate_sent_by_the_client_completes_the_chain(pki: Pki, client: Issued) -> None:
    root_only = pem(pki.root.cert)
    assert _codes(check_client([client.cert], root_only)) == ["MT002"]
    assert check_client([client.cert, pki.issuer.cert], root_only).ok


@pytest.mark.parametrize(
    ("purposes", "ok"),
    [((CLIENT_AUTH,), True), ((SERVER_AUTH, CLIENT_AUTH), True), (None, True),
     ((SERVER_AUTH,), False)],
)  # fmt: skip
def test_client_auth_purpose(
    pki: Pki, ca_file: bytes, purposes: tuple[x509.ObjectIdentifier, ...] | None, ok: bool
) -> None:
    report = check_client([make_client(pki.issuer, eku=purposes).cert], ca_file)
    assert report.ok is ok
    if not ok:
        assert _codes(report) == ["MT003"]
        assert report.errors[0].message.startswith(MSG_PURPOSE)


def test_an_eku_that_cannot_be_read_allows_no_purpose(pki: Pki, ca_file: bytes) -> None:
    """An absent EKU allows any purpose; one that cannot be read allows none (OpenSSL
    refuses such a certificate outright: it will not even load it as a client's)."""
    key = ec.generate_private_key(ec.SECP256R1())
    broken = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "broken eku")]))
        .issuer_name(pki.issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(  # NULL where a SEQUENCE of purposes belongs
            x509.UnrecognizedExtension(ExtensionOID.EXTENDED_KEY_USAGE, b"\x05\x00"),
            critical=False,
        )
        .sign(pki.issuer.key, hashes.SHA256())
    )
    with pytest.raises(ValueError, match="parsing"):
        _ = broken.extensions
    report = check_client([broken], ca_file)
    assert set(_codes(report)) == {"MT003"}
    assert "extended key usage without clientAuth" in report.errors[0].message
    assert dict(report.details)["sslClientVerify"] == f"FAILED:{MSG_PURPOSE}"


@pytest.fixture(scope="module")
def server() -> Iterator[PythonTLSServer]:
    with PythonTLSServer(server_context(make_leaf(make_ca("Server Root")))) as running:
        yield running


def test_ca_whose_eku_excludes_client_auth(server: PythonTLSServer) -> None:
    """OpenSSL checks EKUs on CAs too; so must we, and a real server agrees."""
    root = make_ca("EKU Root")
    intermediate = make_ca("Server-only CA", root, eku=(SERVER_AUTH,))
    client = make_client(intermediate)
    ca_file = pem(root.cert, intermediate.cert)
    report = check_client([client.cert], ca_file)
    assert _codes(report) == ["MT003"]
    assert "a CA on its chain" in report.errors[0].message
    server.context = server_context(make_leaf(root), client_ca=ca_file)
    handshake = handshake_as_client(
        server.host, server.port, client_context(certificate=client), server_hostname=None
    )
    error = server.outcome(handshake)
    assert isinstance(error, ssl.SSLCertVerificationError)
    assert error.verify_message == "unsuitable certificate purpose"


def test_key_usage_that_cannot_sign(server: PythonTLSServer, pki: Pki, ca_file: bytes) -> None:
    client = make_client(pki.issuer, signs=False)
    report = check_client([client.cert], ca_file)
    assert _codes(report) == ["MT003"]
    assert "digitalSignature" in report.errors[0].message
    server.context = server_context(make_leaf(pki.root), client_ca=ca_file)
    handshake = handshake_as_client(
        server.host, server.port, client_context(certificate=client), server_hostname=None
    )
    error = server.outcome(handshake)
    assert isinstance(error, ssl.SSLCertVerificationError)
    assert error.verify_message == "unsuitable certificate purpose"


@pytest.mark.parametrize(
    ("dates", "words"),
    [(EXPIRED, "certificate has expired"), (NOT_YET_VALID, "certificate is not yet valid")],
)
def test_dates_in_openssls_words(pki: Pki, ca_file: bytes, dates: Validity, words: str) -> None:
    client = make_client(pki.issuer, validity=dates)
    report = check_client([client.cert], ca_file)
    assert _codes(report) == ["GEN002"]
    assert report.errors[0].message.startswith(words)


def test_ocsp_needs_a_responder_url(pki: Pki, ca_file: bytes, client: Issued) -> None:
    assert _codes(check_client([client.cert], ca_file, ocsp=True)) == ["MT005"]
    assert check_client([client.cert], ca_file, ocsp=True).ok  # a warning
    with_url = make_client(pki.issuer, ocsp_url="http://ocsp.contoso.com")
    assert check_client([with_url.cert], ca_file, ocsp=True).findings == ()


# -- issuer DN -----------------------------------------------------------------------------


def test_issuer_dn_check(pki: Pki, ca_file: bytes, client: Issued) -> None:
    report = check_client([client.cert], ca_file, verify_issuer_dn=True)
    assert report.ok, str(report)
    assert dict(report.details)["client_cert_issuer_dn"] == pki.issuer.cert.subject.rfc4514_string()
    # Issued by the root directly: trusted, but not by the extracted intermediate.
    by_root = make_client(pki.root)
    assert check_client([by_root.cert], ca_file).ok
    report = check_client([by_root.cert], ca_file, verify_issuer_dn=True)
    assert _codes(report) == ["MT004"]
    assert report.errors[0].message.startswith(MSG_ISSUER_DN)


def _subject(issued: Issued) -> x509.Name:
    return issued.cert.subject


def test_issuer_dn_extraction_the_five_cases() -> None:
    """The table of "Verify client certificate DN", one test per row
    (https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview#verify-client-certificate-dn)."""
    root = make_ca("DN Root")
    int1 = make_ca("DN Int 1", root)
    int2 = make_ca("DN Int 2", int1)
    other = make_ca("DN Int Other", root)
    int3 = make_ca("DN Int 3", other)
    leaf = make_client(int1)
    # root - intermediate - leaf: the intermediate
    assert client_issuer_dn(pem(root.cert, int1.cert, leaf.cert)) == _subject(int1)
    # root - int1 - int2 - leaf: int2
    assert client_issuer_dn(pem(root.cert, int1.cert, int2.cert)) == _subject(int2)
    # root - leaf: the root
    assert client_issuer_dn(pem(root.cert, make_client(root).cert)) == _subject(root)
    # two equal-length chains: the first
    assert client_issuer_dn(pem(root.cert, int1.cert, other.cert)) == _subject(int1)
    assert client_issuer_dn(pem(root.cert, other.cert, int1.cert)) == _subject(other)
    # different lengths: the longest, wherever it is in the file
    assert client_issuer_dn(pem(root.cert, int1.cert, other.cert, int3.cert)) == _subject(int3)
    assert client_issuer_dn(pem(int3.cert, other.cert, int1.cert, root.cert)) == _subject(int3)


@settings(max_examples=25)
@given(order=st.permutations(range(3)))
def test_issuer_dn_ignores_file_order_within_one_chain(order: list[int]) -> None:
    root = make_ca("Perm Root")
    int1 = make_ca("Perm Int 1", root)
    int2 = make_ca("Perm Int 2", int1)
    certs = [root.cert, int1.cert, int2.cert]
    assert client_issuer_dn([certs[i] for i in order]) == int2.cert.subject


def test_issuer_dn_without_a_ca() -> None:
    with pytest.raises(ChainError, match="no CA certificate"):
        client_issuer_dn(pem(make_client(None).cert))
    report = check_client([make_client(None).cert], pem(make_client(None).cert),
                          verify_issuer_dn=True)  # fmt: skip
    assert "MT004" in report.codes


@settings(max_examples=20)
@given(
    shape=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    order=st.randoms(use_true_random=False),
)
def test_issuer_dn_agrees_with_the_upload_check(shape: list[int], order: Random) -> None:
    """check_upload's CCA details and client_issuer_dn name the same DN for any file:
    one root, chains of the given intermediate depths below it, in any file order."""
    root = make_ca("Agree Root")
    certs = [root.cert]
    for number, depth in enumerate(shape):
        parent = root
        for level in range(depth):
            parent = make_ca(f"Agree {number}.{level}", parent)
            certs.append(parent.cert)
    order.shuffle(certs)
    upload = check_upload("trusted-client-ca", pem(*certs), sku="Standard_v2")
    assert dict(upload.details)["client_cert_issuer_dn"] == (
        client_issuer_dn(certs).rfc4514_string()
    )
