"""Name keys read from DER, the link memos and the audit's one scope, against
cryptography's own parsing and comparison.

Certificates: every x509 vector of cryptography_vectors that cryptography reads,
NIST PKITS, certifi's roots.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.utils import CryptographyDeprecationWarning

from appgw_certs import build_test_chain
from appgw_certs._formats.bundle import parse_certificates
from appgw_certs._formats.der import issuer_and_subject
from appgw_certs._formats.sharing import SignatureMemo, encoded_names, sharing
from appgw_certs._x509.links import (
    audit_scope,
    encoded_name_key,
    forget_links,
    is_issued_by,
    is_own_issuer,
    name_key,
)
from appgw_certs._x509.names import name_attributes
from appgw_certs._x509.trust import TrustStore, roots_from_pem
from helpers.chain import VECTORS, issue, vector


def _vectors() -> list[x509.Certificate]:
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in sorted(VECTORS.rglob("*")):
            if not path.is_file() or path.suffix not in {".pem", ".der", ".crt", ".cer"}:
                continue
            data = path.read_bytes()
            try:
                if b"-----BEGIN CERTIFICATE" in data:
                    found += x509.load_pem_x509_certificates(data)
                else:
                    found.append(x509.load_der_x509_certificate(data))
            except Exception:  # noqa: S112 - not a certificate cryptography reads
                continue
    return found


def _parsed(cert: x509.Certificate, which: str) -> x509.Name | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a country name of eight letters
        try:
            name: x509.Name = getattr(cert, which)
            name_key(name)
        except Exception:
            return None
    return name


# -- names read from DER -------------------------------------------------------------


def test_encoded_name_keys_are_the_parsed_ones_on_every_vector_and_root() -> None:
    certs = [*_vectors(), *roots_from_pem(Path(certifi.where()).read_bytes())]
    decoded = 0
    for cert in certs:
        names = issuer_and_subject(cert.public_bytes(Encoding.DER))
        assert names is not None
        for encoded, which in zip(names, ("issuer", "subject"), strict=True):
            key = encoded_name_key(encoded)
            if key is None:
                continue  # other string types: the caller parses the name
            decoded += 1
            parsed = _parsed(cert, which)
            assert parsed is not None, which  # what the DER reads, cryptography reads
            assert key == name_key(parsed), parsed
            attributes = name_attributes(encoded)
            assert attributes is not None
            assert [[oid for oid, _ in rdn] for rdn in attributes] == [
                [a.oid.dotted_string for a in rdn] for rdn in parsed.rdns
            ]
    assert decoded > 0.9 * 2 * len(certs)


def test_names_the_der_cannot_tell_are_left_to_the_parser() -> None:
    # A BMPString value (UTF-16), and bytes that are no name at all.
    bmp = bytes.fromhex("300f310d300b06035504031e0400410042")
    assert name_attributes(bmp) is None
    assert name_attributes(b"\x30\x03\x31\x01") is None
    assert name_attributes(b"") is None
    assert encoded_name_key(bytes.fromhex("3000")) == name_key(x509.Name([]))


# -- the memo: group by signature, compare, keep a few -----------------------------------


def _copies(count: int) -> list[x509.Certificate]:
    """``count`` certificates with one signature: a name byte edited in each."""
    leaf = build_test_chain(["www.contoso.com"]).server.certificate
    der = leaf.public_bytes(Encoding.DER)
    return [
        x509.load_der_x509_certificate(der.replace(b"contoso", f"c{i:06d}".encode()))
        for i in range(count)
    ]


def test_the_memo_never_merges_bodies_that_share_a_signature() -> None:
    copies = _copies(20)
    assert len({c.signature for c in copies}) == 1
    memo: SignatureMemo[x509.Certificate, int] = SignatureMemo(keep=4)
    for index, cert in enumerate(copies):
        assert memo.setdefault(cert.signature, cert, index) == index
    again = [x509.load_der_x509_certificate(c.public_bytes(Encoding.DER)) for c in copies]
    assert [memo.setdefault(c.signature, c, -1) for c in again] == list(range(20))
    assert len(memo) == 1 + 16  # four under the signature, the rest by value


def test_the_memo_forgets_everything_when_full() -> None:
    memo: SignatureMemo[str, int] = SignatureMemo(limit=3)
    for index, key in enumerate("abc"):
        memo.setdefault(key.encode(), key, index)
    assert len(memo) == 3
    assert memo.get_or_add(b"d", "d", lambda: 9) == 9
    assert len(memo) == 1
    assert memo.setdefault(b"a", "a", 5) == 5  # forgotten: the new value is kept


def test_link_answers_stay_cryptographys_for_copied_signatures() -> None:
    chain = build_test_chain(["www.contoso.com"])
    issuer = chain.issuer.certificate
    copies = [chain.server.certificate, *_copies(12)]
    forget_links()
    for _ in range(2):
        for cert in copies:
            try:
                cert.verify_directly_issued_by(issuer)
                expected = True
            except Exception:
                expected = False
            assert is_issued_by(cert, issuer) is expected


# -- the audit's scope -------------------------------------------------------------------


def test_the_audit_scope_shares_parsing_remembers_by_identity_and_tolerates_serial_zero() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        roots = roots_from_pem(Path(certifi.where()).read_bytes())
        der = next(c for c in roots if c.serial_number == 0).public_bytes(Encoding.DER)
    root = issue("Scoped Root").cert
    assert not sharing()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with audit_scope():
            assert sharing()
            first = parse_certificates(der)[0]
            assert parse_certificates(der)[0] is first
            assert encoded_names(first) == issuer_and_subject(der)
            assert first.serial_number == 0  # read without the deprecation warning
            assert [is_own_issuer(root) for _ in range(2)] == [True, True]  # asked again
    assert not sharing()


# -- the trust store indexed from DER --------------------------------------------------


def test_a_store_indexed_from_der_answers_as_one_built_from_objects() -> None:
    pem_bundle = Path(certifi.where()).read_bytes()
    from_der = TrustStore.certifi()
    from_objects = TrustStore(roots_from_pem(pem_bundle))
    assert list(from_der) == list(from_objects)
    asked = [  # objects of neither store (a store's own object is never its own issuer)
        *vector("cryptography.io.chain.pem"),
        *vector("letsencryptx3.pem"),
        *vector("rapidssl_sha256_ca_g3.pem"),
        *roots_from_pem(pem_bundle)[::7],
    ]
    found = 0
    for cert in asked:
        issuer = from_der.find_issuer(cert)
        assert issuer == from_objects.find_issuer(cert)
        assert from_der.anchor_for(cert) == from_objects.anchor_for(cert)
        found += issuer is not None
    assert found >= len(asked) - 6  # every root issued its copy; some CAs left the store
