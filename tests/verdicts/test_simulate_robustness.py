"""The verdicts never raise for odd certificates or bytes, and order is judged exactly.

Real-world oddities come from the cryptography_vectors package (GOST keys,
bad encodings, v1 certificates, MD2 roots, broken basic constraints); hostile
bytes and every subset and order of a chain come from hypothesis.
"""

from __future__ import annotations

import warnings
from contextlib import suppress
from functools import cache
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography import x509
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import ChainError, Report, check_backend, check_client, client_issuer_dn
from helpers.pki import Pki, make_client, make_leaf, make_pki, pem

VECTORS = Path(cryptography_vectors.__file__).parent / "x509"
HOST = "www.contoso.com"


def _load_one(path: Path) -> x509.Certificate | None:
    data = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some vectors are deliberately deprecated forms
        for load in (x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
            try:
                return load(data)
            except Exception:  # noqa: S112 - InvalidVersion and friends: not a certificate for us
                continue
    return None


@cache
def vector_certificates() -> tuple[tuple[str, x509.Certificate], ...]:
    files = sorted(p for p in VECTORS.glob("*.*") if p.suffix in {".pem", ".der"})
    files += sorted(p for p in (VECTORS / "custom").glob("*.*") if p.suffix in {".pem", ".der"})
    loaded = [(p.name, _load_one(p)) for p in files]
    return tuple((name, cert) for name, cert in loaded if cert is not None)


def test_there_are_many_real_world_certificates() -> None:
    assert len(vector_certificates()) > 80


def test_verdicts_on_every_vector_certificate_never_raise() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading odd extensions may warn; we only want no raise
        for name, cert in vector_certificates():
            reports = [
                check_backend([cert], sku="v2", host_name=HOST, trusted_roots=[cert]),
                check_backend([cert, cert], sku="v2", host_name="10.0.0.1", use_well_known=True),
                check_backend([cert], sku="v1", host_name=HOST, authentication_certs=[cert]),
                check_client([cert, cert], [cert], verify_issuer_dn=True, ocsp=True),
            ]
            assert all(isinstance(r, Report) for r in reports), name
            assert all(str(r) and r.to_json() for r in reports), name
            with suppress(ChainError):
                client_issuer_dn([cert])


@settings(max_examples=50)
@given(data=st.binary(max_size=600))
def test_hostile_bytes_are_findings(data: bytes) -> None:
    backend = check_backend(data, sku="v2", host_name=HOST)
    client = check_client(data, data)
    assert not backend.ok
    assert not client.ok
    assert backend.codes <= {"GEN001", "BE001", "BE009"}
    assert client.codes <= {"GEN001", "MT001"}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(2, name="Order")


@pytest.fixture(scope="module")
def leaf(pki: Pki) -> x509.Certificate:
    return make_leaf(pki.issuer, dns_names=(HOST,)).cert


@pytest.fixture(scope="module")
def client(pki: Pki) -> x509.Certificate:
    return make_client(pki.issuer).cert


@settings(max_examples=60)
@given(picks=st.lists(st.integers(0, 3), max_size=6))
def test_only_the_leaf_first_chain_passes(
    pki: Pki, leaf: x509.Certificate, picks: list[int]
) -> None:
    """Over every selection and order of leaf, int2, int1, root (repeats allowed),
    the gateway accepts exactly the chains that start leaf > int2 > int1; what
    follows a complete path (the root, repeats) is not judged, as in OpenSSL."""
    full = [leaf, *pki.chain_above_leaf(), pki.root.cert]
    presented = [full[i] for i in picks]
    report = check_backend(presented, sku="Standard_v2", host_name=HOST,
                           trusted_roots=[pki.root.cert])  # fmt: skip
    assert report.ok is (picks[:3] == [0, 1, 2]), (picks, str(report))


@settings(max_examples=30)
@given(picks=st.lists(st.integers(0, 3), max_size=5))
def test_client_order_does_not_matter_only_content(
    pki: Pki, client: x509.Certificate, picks: list[int]
) -> None:
    """OpenSSL (and the gateway) find a client's intermediates in any order."""
    extras = [*pki.chain_above_leaf(), pki.root.cert, make_client(None).cert]
    sent = [client, *(extras[i] for i in picks)]
    ca_root_only = pem(pki.root.cert)
    report = check_client(sent, ca_root_only)
    sends_both = {0, 1} <= set(picks)  # int2 and int1, in whatever order
    assert report.ok is sends_both, (picks, str(report))
