"""The certificates-only PKCS#7 fast path agrees with cryptography's PKCS#7 loader.

``degenerate_certificates`` reads a ``.p7b`` / ``publicCertData`` bundle with
cryptography's declarative ASN.1 decoder; anything else must come back as
``None`` so that ``load_der_pkcs7_certificates`` (the authority) decides. The
oracles: that loader, the openssl CLI (which writes the bundles and lists what
they hold), and the real-world bundles and certificates of cryptography-vectors.
"""

from __future__ import annotations

import os
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import check_upload, load_certificates
from appgw_certs._errors import tolerating_deprecated_encodings
from appgw_certs._formats import pkcs7 as pkcs7_fast
from appgw_certs._formats.pem import pem_blocks
from appgw_certs._formats.pkcs7 import degenerate_certificates
from helpers.read import fingerprints, make_chain, openssl_fingerprints, run, write

VECTORS = Path(os.path.dirname(cryptography_vectors.__file__))
DER = serialization.Encoding.DER
CHAIN = make_chain("p7")


def _by_openssl_loader(der: bytes) -> list[x509.Certificate] | None:
    """cryptography's PKCS#7 loader (OpenSSL first); None when it refuses the bytes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its "not DER, parsed as BER" note
        try:
            return pkcs7.load_der_pkcs7_certificates(der)
        except Exception:
            return None


def _vector_bundles() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted((VECTORS / "pkcs7").iterdir()):
        data = path.read_bytes()
        if data.startswith(b"-----BEGIN"):
            found += [(f"{path.name}#{i}", b.der()) for i, b in enumerate(pem_blocks(data))]
        else:
            found.append((path.name, data))
    return found


@pytest.mark.parametrize(("name", "der"), _vector_bundles(), ids=lambda v: str(v)[:40])
def test_real_world_bundles_read_as_cryptography_reads_them(name: str, der: bytes) -> None:
    fast = degenerate_certificates(der)
    if fast is not None:
        _assert_same_as_cryptography(fast, _by_openssl_loader(der))
    # An audit's way (each member's DER to a loader) reads the same, or falls back alike.
    assert degenerate_certificates(der, x509.load_der_x509_certificate) == fast


def test_real_world_certificates_only_bundles_take_the_fast_path() -> None:
    # The fast path hides its failures (it falls back), so a test must see it work:
    # the DER Amazon roots bundle and the ISRG PEM bundle are certificates-only DER.
    taken = {name for name, der in _vector_bundles() if degenerate_certificates(der)}
    assert {"amazon-roots.der", "isrg.pem#0"} <= taken


@pytest.mark.parametrize(
    "name",
    [
        "amazon-roots.p7b",  # BER, indefinite lengths (as Windows exports write them)
        "authenticode.der",  # a signed message: signers and digest algorithms
        "enveloped.pem#0",  # not SignedData at all
    ],
)
def test_outside_the_layout_is_left_to_cryptography(name: str) -> None:
    der = dict(_vector_bundles())[name]
    assert degenerate_certificates(der) is None


def test_every_real_world_certificate_in_a_bundle() -> None:
    """Each x509 vector cryptography reads, alone in a bundle: the same certificate back."""
    read = 0
    for path in sorted((VECTORS / "x509").rglob("*")):
        if not path.is_file() or path.stat().st_size > 200_000:
            continue
        cert = _one_certificate(path.read_bytes())
        if cert is None:
            continue
        der = pkcs7.serialize_certificates([cert], DER)
        with tolerating_deprecated_encodings():  # as the loaders call it (serial <= 0)
            fast = degenerate_certificates(der)
        assert fast == [cert], path.name  # as cryptography reads the certificate alone
        with tolerating_deprecated_encodings():
            by_der = degenerate_certificates(der, x509.load_der_x509_certificate)
        assert by_der == fast, path.name  # an audit's way: each member's DER to a loader
        _assert_same_as_cryptography(fast, _by_openssl_loader(der))
        read += 1
    assert read > 300  # the vectors hold several hundred readable certificates


def _assert_same_as_cryptography(
    fast: list[x509.Certificate], by_loader: list[x509.Certificate] | None
) -> None:
    """The documented difference only: OpenSSL refuses a whole bundle in which a
    name cannot be read (three vectors, e.g. invalid UTF-8 in a CN); the fast path
    reads it as cryptography reads the certificate from DER or PEM."""
    if by_loader is None:
        assert any(_name_unreadable(c) for c in fast)
    else:
        assert fast == by_loader


def _name_unreadable(cert: x509.Certificate) -> bool:
    try:
        cert.subject, cert.issuer  # noqa: B018 - reading them is the test
    except ValueError:
        return True
    return False


def _one_certificate(data: bytes) -> x509.Certificate | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # negative serial numbers and the like
        for load in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
            try:
                return load(data)
            except Exception:  # noqa: S112 - not this encoding, or not a certificate
                continue
    return None


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_bundles_openssl_writes_in_any_order(
    openssl: str, tmp_path: Path, order: list[int]
) -> None:
    """openssl crl2pkcs7 keeps the order given (not DER's sorted SET OF): read as written."""
    args: list[str | Path] = []
    for i in order:
        args += ["-certfile", write(tmp_path / f"c{i}.pem", _pem(CHAIN.certs[i]))]
    der = run(openssl, "crl2pkcs7", "-nocrl", "-outform", "DER", *args)
    fast = degenerate_certificates(der)
    assert fast is not None
    listed = run(openssl, "pkcs7", "-inform", "DER", "-print_certs", stdin=der)
    assert fingerprints(fast) == openssl_fingerprints(openssl, listed)
    assert fast == [CHAIN.certs[i] for i in order]


def test_a_bundle_with_a_crl_is_left_to_cryptography(openssl: str, tmp_path: Path) -> None:
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(CHAIN.root.cert.subject)
        .last_update(datetime.now(UTC))
        .next_update(datetime.now(UTC) + timedelta(days=1))
        .sign(CHAIN.root.key, hashes.SHA256())
    )
    crl_pem = write(tmp_path / "crl.pem", crl.public_bytes(serialization.Encoding.PEM))
    cert_pem = write(tmp_path / "c.pem", _pem(CHAIN.root.cert))
    der = run(openssl, "crl2pkcs7", "-in", crl_pem, "-certfile", cert_pem, "-outform", "DER")
    assert degenerate_certificates(der) is None
    assert load_certificates(der) == [CHAIN.root.cert]  # still read, by cryptography


def test_a_bundle_without_certificates_is_left_to_cryptography(openssl: str) -> None:
    der = run(openssl, "crl2pkcs7", "-nocrl", "-outform", "DER")
    assert degenerate_certificates(der) is None


@given(st.lists(st.sampled_from(CHAIN.certs), min_size=1, max_size=6))
def test_bundles_of_any_certificates_agree_with_cryptography(certs: list[x509.Certificate]) -> None:
    der = pkcs7.serialize_certificates(certs, DER)  # sorted, as DER's SET OF wants
    fast = degenerate_certificates(der)
    assert fast is not None
    assert fast == _by_openssl_loader(der)
    assert sorted(fingerprints(fast)) == sorted(fingerprints(certs))


_BUNDLE = pkcs7.serialize_certificates(CHAIN.certs, DER)


@settings(max_examples=300)
@given(st.data())
def test_damaged_bundles_never_read_differently(data: st.DataObject) -> None:
    """Flipped, cut or inserted bytes: the fast path gives what cryptography gives, or
    steps aside (None), or reads a bundle OpenSSL refuses only for an unreadable name."""
    der = bytearray(_BUNDLE)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(der) - 1))
        edit = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if edit == "flip":
            der[at] ^= data.draw(st.integers(1, 255))
        elif edit == "cut":
            del der[at : at + data.draw(st.integers(1, 64))]
        else:
            der[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        if not der:
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a damaged serial number may warn
        fast = degenerate_certificates(bytes(der))
        by_der = degenerate_certificates(bytes(der), x509.load_der_x509_certificate)
    assert by_der == fast  # an audit's way reads the same, or steps aside alike
    if fast is not None:
        _assert_same_as_cryptography(fast, _by_openssl_loader(bytes(der)))


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def test_without_the_fast_path_bundles_read_the_same(
    openssl: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a cryptography before 47 (no declarative ASN.1): the PKCS#7 loader reads."""
    cert_pem = write(tmp_path / "c.pem", b"".join(_pem(c) for c in CHAIN.certs))
    der = run(openssl, "crl2pkcs7", "-nocrl", "-certfile", cert_pem, "-outform", "DER")
    fast = load_certificates(der)
    monkeypatch.setattr(pkcs7_fast, "_decoder", lambda **_: None)
    assert degenerate_certificates(der) is None
    assert load_certificates(der) == fast == CHAIN.certs


def test_an_unreadable_name_reads_as_from_pem() -> None:
    """The documented difference: a bundle OpenSSL refuses for a name it cannot read
    gives the certificate, as the same certificate in PEM does."""
    path = VECTORS / "x509" / "custom" / "invalid_utf8_common_name.pem"
    pem = path.read_bytes()
    der = pkcs7.serialize_certificates([x509.load_pem_x509_certificate(pem)], DER)
    assert _by_openssl_loader(der) is None
    assert load_certificates(der) == load_certificates(pem)
    as_pem = check_upload("trusted-root", pem, sku="Standard_v2")
    as_bundle = check_upload("trusted-root", der, sku="Standard_v2")
    assert [f.code for f in as_bundle.findings] == [f.code for f in as_pem.findings]
    assert "ROOT002" in as_bundle.codes  # its issuer cannot be read: not known as a root
