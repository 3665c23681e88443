"""TrustStore, certifi, well-known roots: against certifi itself and ``openssl verify``."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import warnings
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

import appgw_certs
from appgw_certs import ChainError, TestChain, TrustStore, find_root, is_well_known, well_known_root
from appgw_certs._formats.bundle import parse_certificates, sharing_parsed_certificates
from appgw_certs._x509.trust import APPROXIMATION_NOTE, forget_anchors, roots_from_pem
from appgw_certs.testing import test_chains
from helpers.chain import VECTORS, issue, name, pem

DEBIAN_ROOTS = sorted((Path(__file__).parents[1] / "data" / "debian-roots").glob("*.pem"))


def certifi_roots() -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # serial-0 roots
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())


def test_certifi_store_holds_every_root_cryptography_reads() -> None:
    store = TrustStore.certifi()
    assert list(store) == certifi_roots()
    assert len(store) == len(certifi_roots()) > 100
    assert TrustStore.certifi() is store  # built once


def test_certifi_store_builds_without_warnings_in_a_fresh_interpreter() -> None:
    code = (
        "from appgw_certs import TrustStore\n"
        "store = TrustStore.certifi()\n"
        "print(len(store), sum('Hellenic' in c.subject.rfc4514_string() for c in store))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stderr == ""
    count, harica = map(int, out.stdout.split())
    assert count == len(certifi_roots())
    assert harica >= 2  # the HARICA 2015 roots (serial number 0) are loaded, silently


def test_a_root_cryptography_refuses_is_skipped() -> None:
    first, second = certifi_roots()[:2]
    refused = (VECTORS / "custom" / "invalid_version.pem").read_bytes()
    with pytest.raises(Exception):  # noqa: B017, PT011 - InvalidVersion, whatever its base
        x509.load_pem_x509_certificate(refused)
    bundle = pem(first) + refused + b"# comment\n" + pem(second)
    assert roots_from_pem(bundle) == [first, second]


def test_every_certifi_root_is_well_known_and_its_own_root() -> None:
    store = TrustStore.certifi()
    for root in store:
        assert root in store
        assert well_known_root(root) == root


@pytest.mark.parametrize("path", DEBIAN_ROOTS, ids=lambda p: p.stem)
def test_debian_roots_agree_with_openssl_verify(openssl: str, path: Path) -> None:
    verdict = subprocess.run(
        [openssl, "verify", "-no-CApath", "-no-CAstore", "-no_check_time",
         "-CAfile", certifi.where(), str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # Go Daddy: serial 0
        (root,) = x509.load_pem_x509_certificates(path.read_bytes())
    assert is_well_known(root) == (verdict.returncode == 0)
    assert (well_known_root(root) is not None) == (verdict.returncode == 0)


def test_a_forged_child_of_a_well_known_root_is_not_well_known() -> None:
    store = TrustStore.certifi()
    real = next(r for r in store if r.extensions)
    ski = real.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    impostor = issue(real.subject)  # same name, our key
    child = issue("Issuing CA", issuer=impostor).cert
    aki = child.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier != ski.digest
    assert store.find_issuer(child) is None
    assert not is_well_known(child)
    # And an exact lookalike of the root itself is not "in" the store.
    assert impostor.cert not in store


def test_a_private_chain_is_not_well_known_but_is_with_its_root_in_the_store() -> None:
    root = issue("Contoso Root")
    ca = issue("Contoso Issuing CA", issuer=root)
    leaf = issue("www.contoso.com", issuer=ca, ca=False).cert
    assert well_known_root([leaf, ca.cert]) is None
    assert well_known_root([leaf, ca.cert], store=TrustStore([root.cert])) == root.cert
    assert is_well_known(pem(leaf, ca.cert, root.cert), store=TrustStore([root.cert]))


@settings(max_examples=25)
@given(chain=test_chains(intermediates=st.integers(0, 3)), keep_root=st.booleans())
def test_chains_complete_from_a_store_holding_their_root(chain: TestChain, keep_root: bool) -> None:
    root = chain.root.certificate
    presented = chain.backend_chain_pem() + (chain.trusted_root_cer() if keep_root else b"")
    store = TrustStore([root])
    assert find_root(presented, store=store) == root
    assert well_known_root(presented, store=store) == root
    assert not is_well_known(presented)  # a private root is not in Mozilla's store
    if not keep_root:
        with pytest.raises(ChainError, match=re.escape(root.subject.rfc4514_string())):
            find_root(presented, store=TrustStore([]))


def test_a_chain_that_cannot_be_completed_is_not_well_known() -> None:
    two_leaves = [issue("a.contoso.com", ca=False).cert, issue("b.contoso.com", ca=False).cert]
    assert well_known_root(two_leaves) is None
    assert not is_well_known(two_leaves)


def test_find_issuer_uses_names_when_there_is_no_key_identifier() -> None:
    root = issue("Plain Root", key_ids=False)
    child = issue("Plain CA", issuer=root, key_ids=False).cert
    other = issue("Other Root", key_ids=False)
    store = TrustStore([other.cert, root.cert])
    assert store.find_issuer(child) == root.cert
    assert store.find_issuer(issue("Orphan", issuer=issue(name("Nobody")), ca=False).cert) is None


def test_contains_means_same_subject_and_key() -> None:
    root = issue("Contoso Root")
    renewed = issue("Contoso Root", key=root.key)  # same subject and key, new serial
    store = TrustStore([root.cert])
    assert renewed.cert in store
    assert issue("Contoso Root").cert not in store  # same subject, other key
    assert "Contoso Root" not in store
    assert store.anchor_for(renewed.cert) == root.cert


def _subject(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from(["upper", "lower", "spaces", "same"]), min_size=3, max_size=3),
)
def test_an_anchor_is_found_under_its_name_folded_any_way(changes: list[str]) -> None:
    # RFC 5280 7.1: case and runs of spaces aside, the name is the same. The
    # store's one-value check must never hide an anchor that name_key would find.
    from cryptography.x509.oid import NameOID

    def change(value: str, how: str) -> str:
        return {
            "upper": value.upper(),
            "lower": value.lower(),
            "spaces": "  ".join(value.split(" ")) + " " if " " in value else value,
            "same": value,
        }[how]

    values = ["US", "Contoso Ltd", "Contoso Root CA"]
    oids = [NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME]
    root = issue(_subject(*zip(oids, values, strict=True)))
    other = issue(_subject((NameOID.COMMON_NAME, "Fabrikam Root")))
    store = TrustStore([other.cert, root.cert])
    folded = _subject(*zip(oids, map(change, values, changes), strict=True))
    renamed = issue(folded, key=root.key)
    assert store.anchor_for(renamed.cert) == root.cert
    assert renamed.cert in store
    store._forget()
    with sharing_parsed_certificates():  # an audit: the last value is read from the DER
        again = parse_certificates(renamed.cert.public_bytes(serialization.Encoding.DER))[0]
        assert store.anchor_for(again) == root.cert
    # The same key under a name that differs in its last value: not the anchor.
    stranger = issue(
        _subject(*zip(oids, [*values[:2], "Contoso Other CA"], strict=True)), key=root.key
    )
    assert store.anchor_for(stranger.cert) is None


def test_remembered_anchors_are_confirmed_by_comparison() -> None:
    # anchor_for remembers answers by signature: a certificate carrying the same
    # signature bytes over another body gets its own answer, not the remembered one.
    root = issue("Contoso Root")
    store = TrustStore([root.cert])
    assert store.anchor_for(root.cert) == root.cert
    der = root.cert.public_bytes(serialization.Encoding.DER)
    edited = x509.load_der_x509_certificate(der.replace(b"Contoso Root", b"Contoso Roos"))
    assert edited.signature == root.cert.signature
    assert edited != root.cert
    assert store.anchor_for(edited) is None
    assert store.anchor_for(root.cert) == root.cert


def test_results_are_remembered_and_stay_right() -> None:
    store = TrustStore.certifi()
    root = next(iter(store))
    chain = [issue("x", ca=False).cert]
    for _ in range(3):
        assert well_known_root([root], store=store) == root
        assert well_known_root(chain, store=store) is None


def test_forgetting_the_certifi_store_memos_changes_no_answer() -> None:
    store = TrustStore.certifi()
    root = next(iter(store))
    private = issue("Private Root").cert
    before = (well_known_root([root]), well_known_root([private]), store.anchor_for(root))
    assert store._anchors
    assert store._roots
    forget_anchors()
    assert not store._anchors
    assert not store._roots
    assert (well_known_root([root]), well_known_root([private]), store.anchor_for(root)) == before
    assert before[0] == root
    assert before[1] is None


def test_every_user_facing_text_says_it_is_an_approximation() -> None:
    assert "Azure does not publish" in APPROXIMATION_NOTE
    assert "Mozilla" in APPROXIMATION_NOTE
    for public in (TrustStore, TrustStore.certifi, is_well_known, well_known_root):
        doc = inspect.getdoc(public) or ""
        assert "Azure does not publish" in doc, public
        assert "approximation" in doc, public
    assert "approximation" in (inspect.getdoc(appgw_certs._x509.trust) or "")


def test_repr_and_len() -> None:
    store = TrustStore([issue("A").cert, issue("B").cert])
    assert len(store) == 2
    assert repr(store) == "<TrustStore of 2 certificates>"
