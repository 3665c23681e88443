"""Fields read from a certificate's DER (issuer and subject bytes, the subject's last
attribute) against ``openssl asn1parse`` and cryptography's parsed names, and the
answers that use them against the same answers from parsed names."""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import certifi
import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import TestChain
from appgw_certs._formats.bundle import parse_certificates
from appgw_certs._formats.der import compare_encoded_names, issuer_and_subject, last_attribute_text
from appgw_certs._formats.sharing import encoded_names, sharing_parsed_certificates
from appgw_certs._x509.chain import (
    authority_key_id,
    is_own_issuer,
    is_self_signed,
    issuer_named,
    remembering_links_by_identity,
    subject_key_id,
)
from appgw_certs._x509.trust import TrustStore
from appgw_certs.testing import test_chains

X509_VECTORS = Path(cryptography_vectors.__file__).parent / "x509"


def _vector_certificates() -> list[x509.Certificate]:
    """Every certificate cryptography reads among the x509 vectors (first of a file)."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in sorted(X509_VECTORS.rglob("*")):
            if not path.is_file() or path.suffix not in {".pem", ".der", ".crt", ".cer"}:
                continue
            data = path.read_bytes()
            try:
                if b"-----BEGIN CERTIFICATE" in data:
                    found.append(x509.load_pem_x509_certificates(data)[0])
                else:
                    found.append(x509.load_der_x509_certificate(data))
            except Exception:  # noqa: S112 - not a certificate cryptography reads
                continue
    return found


def _certifi_roots() -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())


VECTORS = _vector_certificates()
DER = serialization.Encoding.DER


def _openssl_names(openssl: str, der: bytes) -> tuple[bytes, bytes]:
    """Issuer and subject sliced where ``openssl asn1parse`` places them."""
    listing = subprocess.run(
        [openssl, "asn1parse", "-inform", "DER"], input=der, capture_output=True, check=True
    ).stdout.decode("latin-1")
    elements = []
    for line in listing.splitlines():
        offset, rest = line.split(":", 1)
        if not rest.startswith("d=2 "):
            continue
        header = int(rest.split("hl=")[1].split()[0])
        length = int(rest.split("l=")[2].split()[0])
        elements.append((int(offset), header + length, "cont [ 0 ]" in rest))
    if elements[0][2]:
        elements = elements[1:]  # the version
    (issuer_at, issuer_len, _), (subject_at, subject_len, _) = elements[2], elements[4]
    return der[issuer_at : issuer_at + issuer_len], der[subject_at : subject_at + subject_len]


def test_vectors_are_many() -> None:
    assert len(VECTORS) > 300


@pytest.mark.parametrize("index", range(0, len(VECTORS), 7))
def test_encoded_names_are_where_openssl_finds_them(openssl: str, index: int) -> None:
    der = VECTORS[index].public_bytes(DER)
    with warnings.catch_warnings(), sharing_parsed_certificates():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        cert = parse_certificates(der)[0]
        assert encoded_names(cert) == _openssl_names(openssl, der)


def test_equal_encodings_are_equal_names_on_every_vector() -> None:
    # What the shortcut relies on; the converse does not hold (different string
    # types or attribute orders can be equal names), and is not relied on.
    self_named = unreadable = 0
    with warnings.catch_warnings(), sharing_parsed_certificates():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)  # a vector's 8-letter country name
        for original in [*VECTORS, *_certifi_roots()]:
            cert = parse_certificates(original.public_bytes(DER))[0]
            encoded = encoded_names(cert)
            assert encoded is not None
            if encoded[0] == encoded[1]:
                self_named += 1
                try:
                    assert cert.issuer == cert.subject
                except ValueError:  # names cryptography cannot parse (two vectors): the
                    unreadable += 1  # same bytes are the same name all the same
    assert self_named > 150
    assert unreadable <= 2


def _own_issuer_by_parsed_names(cert: x509.Certificate) -> bool:
    """is_own_issuer's definition, with names read as cryptography parses them."""
    try:
        if cert.issuer != cert.subject:
            return is_own_issuer(cert)  # folded names: not what this test is about
    except Exception:
        return False
    aki, ski = authority_key_id(cert), subject_key_id(cert)
    if aki is not None and ski is not None:
        return aki == ski
    return is_self_signed(cert)


def test_is_own_issuer_is_the_same_inside_an_audit_scope_and_outside() -> None:
    certs = [*VECTORS, *_certifi_roots()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        # A vector's 8-letter country name warns when its name is parsed; under
        # -W error that would make the parsed path fail where the DER path reads.
        warnings.simplefilter("ignore", UserWarning)
        outside = [is_own_issuer(c) for c in certs]
        assert outside == [_own_issuer_by_parsed_names(c) for c in certs]
        with sharing_parsed_certificates(), remembering_links_by_identity():
            inside = [is_own_issuer(parse_certificates(c.public_bytes(DER))[0]) for c in certs]
    assert inside == outside
    assert 100 < sum(inside) < len(certs)


@settings(max_examples=10, deadline=None)
@given(test_chains(intermediates=st.integers(0, 2)))
def test_built_chains_inside_and_outside_a_scope(chain: TestChain) -> None:
    credentials = [chain.root, *chain.intermediates, chain.server]
    certs = [c.certificate for c in credentials]
    with sharing_parsed_certificates(), remembering_links_by_identity():
        inside = [is_own_issuer(parse_certificates(c.public_bytes(DER))[0]) for c in certs]
    assert inside == [is_own_issuer(c) for c in certs] == [True] + [False] * (len(certs) - 1)


def test_encodings_are_kept_inside_a_scope_for_files_and_bundle_members() -> None:
    cert = VECTORS[0]
    der = cert.public_bytes(DER)
    assert encoded_names(cert) is None  # not read by our loaders in a scope
    bundle = pkcs7.serialize_certificates([cert, VECTORS[1]], DER)
    with sharing_parsed_certificates():
        assert encoded_names(parse_certificates(der)[0]) == issuer_and_subject(der)
        members = parse_certificates(bundle)
        assert [encoded_names(m) for m in members] == [
            issuer_and_subject(c.public_bytes(DER)) for c in (cert, VECTORS[1])
        ]
        assert members[0] is parse_certificates(der)[0]  # one object per certificate
    assert encoded_names(members[0]) is None  # the scope is over


@given(st.binary(min_size=0, max_size=64))
def test_damaged_layouts_give_none_or_slices_never_errors(tail: bytes) -> None:
    for der in (tail, b"\x30\x82" + tail, b"\x30\x03\x30\x01" + tail):
        result = issuer_and_subject(der)
        assert result is None or all(isinstance(part, bytes) for part in result)


def _first_value_of_last_rdn(cert: x509.Certificate) -> str | bytes | None:
    try:
        rdns = cert.subject.rdns
    except ValueError:
        return None  # cryptography cannot parse the name
    return next(iter(rdns[-1])).value if rdns else None


def test_last_attribute_text_is_what_cryptography_reads_on_every_vector() -> None:
    read = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)  # a vector's 8-letter country name
        for cert in [*VECTORS, *_certifi_roots()]:
            names = issuer_and_subject(cert.public_bytes(DER))
            assert names is not None
            text = last_attribute_text(names[1])
            if text is not None:
                read += 1
                expected = _first_value_of_last_rdn(cert)
                assert expected is None or text == expected
    assert read > 400


@given(st.binary(max_size=40))
def test_last_attribute_text_of_damaged_names_is_none_or_text(tail: bytes) -> None:
    for name in (tail, b"\x30" + tail, b"\x30\x06\x31\x04\x30\x02" + tail):
        text = last_attribute_text(name)
        assert text is None or isinstance(text, str)


def test_the_store_finds_the_same_anchors_inside_an_audit_scope() -> None:
    # Inside the scope, the subject's last value is read from the DER before the
    # name is parsed; every answer must be what the parsed names give.
    store = TrustStore.certifi()
    certs = [*_certifi_roots(), *VECTORS[::3]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        outside = [store.anchor_for(c) for c in certs]
        store._forget()
        with sharing_parsed_certificates():
            inside = [store.anchor_for(parse_certificates(c.public_bytes(DER))[0]) for c in certs]
    assert inside == outside
    assert sum(a is not None for a in inside) >= len(_certifi_roots())


def _parsed(cert: x509.Certificate, which: str) -> x509.Name | None:
    try:
        return getattr(cert, which)  # type: ignore[no-any-return]
    except ValueError:
        return None  # a name cryptography cannot parse


def test_compare_encoded_names_agrees_with_parsed_names() -> None:
    # Every answer other than None must be what comparing the parsed names says.
    certs = [*VECTORS, *_certifi_roots()]
    sample = certs[::13]
    answered = differ = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)  # a vector's 8-letter country name
        encoded = {id(c): issuer_and_subject(c.public_bytes(DER)) for c in certs}
        for child in certs:
            issuer = _parsed(child, "issuer")
            for parent in [child, *sample]:
                subject = _parsed(parent, "subject")
                child_names, parent_names = encoded[id(child)], encoded[id(parent)]
                assert child_names is not None
                assert parent_names is not None
                same = compare_encoded_names(child_names[0], parent_names[1])
                if same is None or issuer is None or subject is None:
                    continue
                answered += 1
                differ += not same
                assert same == (issuer == subject)
    assert answered > 0.9 * len(certs) * (len(sample) + 1)
    assert differ > 0.8 * answered


def test_issuer_named_is_the_same_inside_an_audit_scope() -> None:
    certs = [*VECTORS[::3], *_certifi_roots()[::3]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        pairs = [(a, b) for a in certs for b in [a, *certs[::9]]]
        outside = [_parsed(a, "issuer") == _parsed(b, "subject") for a, b in pairs]
        with sharing_parsed_certificates():
            again = {id(c): parse_certificates(c.public_bytes(DER))[0] for c in certs}
            inside = [issuer_named(again[id(a)], again[id(b)]) for a, b in pairs]
    readable = [
        i for i, (a, b) in enumerate(pairs) if _parsed(a, "issuer") and _parsed(b, "subject")
    ]
    assert [inside[i] for i in readable] == [outside[i] for i in readable]
    assert sum(inside) > 40  # the roots among them, at least
