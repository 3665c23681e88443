"""The chain walker (``_x509.graph``, ``_x509.walk``) against independent oracles.

Oracles: ``openssl verify`` (``-show_chain`` prints the chain it built,
``-partial_chain`` accepts an anchor that is not a root),
``cryptography.x509.verification`` (the chain its verifier returns) and
``verify_directly_issued_by``; certificates from NIST PKITS
(cryptography_vectors), from ``build_test_chain``, and odd ones from
``helpers.chain`` (cross-signed, same name with another key).
"""

from __future__ import annotations

import random
import re
import subprocess
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import ChainError, TestChain, TrustStore, order_chain
from appgw_certs._x509.chain import chain_path
from appgw_certs._x509.graph import IssuerGraph, issued_none, leaf_first, path_up
from appgw_certs._x509.walk import End, presented_leaf, root_of, walk_to_anchor
from appgw_certs.testing import test_chains
from helpers.chain import NOW, PKITS, Ca, issue, openssl_verify, pem

HOST = "www.contoso.com"


def _pkits() -> dict[str, x509.Certificate]:
    found = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # serial 0 and < 0
        for path in sorted(PKITS.glob("*.crt")):
            try:
                found[path.stem] = x509.load_der_x509_certificate(path.read_bytes())
            except ValueError:
                continue  # a few PKITS files are deliberately malformed
    return found


def _oid_text(cert: x509.Certificate) -> str:
    """The subject as ``openssl -nameopt sep_comma_plus,oid`` prints it."""
    return ",".join(
        "+".join(f"{a.oid.dotted_string}={a.value!s}" for a in rdn) for rdn in cert.subject.rdns
    )


def _directly_issued(child: x509.Certificate, parent: x509.Certificate) -> bool | None:
    try:
        child.verify_directly_issued_by(parent)
    except ValueError:
        return None  # names differ, or cryptography will not judge (SHA-1, DSA)
    except Exception:
        return False
    return True


def _verifier_chain(leaf: x509.Certificate, anchors: list[x509.Certificate],
                    untrusted: list[x509.Certificate]) -> list[x509.Certificate]:  # fmt: skip
    verifier = (
        PolicyBuilder().store(Store(anchors)).time(NOW).build_server_verifier(x509.DNSName(HOST))
    )
    return verifier.verify(leaf, untrusted)


# -- PKITS: the walk builds the chain OpenSSL builds ---------------------------------


def test_walks_build_the_chains_openssl_builds_across_pkits(openssl: str, tmp_path: Path) -> None:
    certs = _pkits()
    anchor = certs.pop("TrustAnchorRootCertificate")
    others = list(certs.values())
    store = TrustStore([anchor])
    (tmp_path / "anchor.pem").write_bytes(pem(anchor))
    (tmp_path / "untrusted.pem").write_bytes(pem(*others))
    valid = [name for name in certs if name.startswith("Valid") and name.endswith("EE")]
    assert len(valid) > 80
    for name in valid:
        leaf = certs[name]
        (tmp_path / "leaf.pem").write_bytes(pem(leaf))
        verdict = subprocess.run(
            [openssl, "verify", "-no-CApath", "-no-CAstore", "-no_check_time", "-show_chain",
             "-nameopt", "sep_comma_plus,oid", "-CAfile", str(tmp_path / "anchor.pem"),
             "-untrusted", str(tmp_path / "untrusted.pem"), str(tmp_path / "leaf.pem")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert verdict.returncode == 0, (name, verdict.stdout, verdict.stderr)
        theirs = re.findall(r"^depth=\d+: (.*?)(?: \(untrusted\))?$", verdict.stdout, re.M)
        walk = walk_to_anchor([leaf, *others], 0, store, in_order=False)
        assert walk.end is End.TRUSTED, name
        assert [_oid_text(c) for c in walk.path] == theirs, name
        # The set walk (first issuer given) completed from the anchors: the same chain.
        up = path_up(leaf, others)
        assert [*up, root_of(up, store)] == walk.path, name


def test_graph_links_are_cryptographys_across_pkits() -> None:
    """Every link cryptography confirms is in the graph, and the graph holds no link
    cryptography refuses; with the name index (all of PKITS) and without (small sets)."""
    certs = list(_pkits().values())
    whole = IssuerGraph(certs)
    linked = [node for node in range(len(certs)) if whole.issuers(node)]
    rng = random.Random(5)
    small = []  # a certificate, its issuers, and a few others, shuffled
    for node in rng.sample(linked, 40):
        sample = [certs[node], *(certs[p] for p in whole.issuers(node)), *rng.sample(certs, 3)]
        rng.shuffle(sample)
        small.append(sample)
    for sample in (certs, *small):
        graph = whole if sample is certs else IssuerGraph(sample)
        for node, child in enumerate(sample):
            found = set(graph.issuers(node))
            for other, parent in enumerate(sample):
                verdict = _directly_issued(child, parent) if other != node else None
                if other in found:
                    assert verdict is not False, (child.subject, parent.subject)
                    assert child.issuer == parent.subject or verdict is None
                if verdict is True:
                    assert other in found, (child.subject, parent.subject)


# -- build_test_chain: shuffled, with duplicates ---------------------------------------


@settings(max_examples=15)
@given(
    chain=test_chains(hostnames=[HOST], intermediates=st.integers(0, 3)),
    rng=st.randoms(use_true_random=False),
    duplicates=st.integers(0, 3),
)
def test_shuffled_bundles_give_the_verifiers_chain(
    chain: TestChain, rng: random.Random, duplicates: int
) -> None:
    leaf, root = chain.server.certificate, chain.root.certificate
    middle = [c.certificate for c in chain.intermediates]
    expected = _verifier_chain(leaf, [root], middle)
    bundle = [leaf, *middle, root] + [rng.choice([leaf, *middle, root]) for _ in range(duplicates)]
    rng.shuffle(bundle)
    assert order_chain(bundle) == expected
    assert chain_path(bundle, TrustStore([root])) == expected
    assert path_up(leaf, bundle) == expected
    presented = [leaf, *(c for c in bundle if c != root)]
    walk = walk_to_anchor(presented, 0, TrustStore([root]), in_order=False)
    assert (walk.end, walk.path) == (End.TRUSTED, expected)
    assert issued_none(bundle) == [c for c in bundle if c == leaf]
    assert leaf_first(bundle)[0] == leaf


@settings(max_examples=10)
@given(
    chain=test_chains(hostnames=[HOST], intermediates=st.integers(1, 3)),
    rng=st.randoms(use_true_random=False),
)
def test_issuers_out_of_place_are_found_and_noted(chain: TestChain, rng: random.Random) -> None:
    leaf = chain.server.certificate
    middle = [c.certificate for c in reversed(chain.intermediates)]
    shuffled = middle[:]
    rng.shuffle(shuffled)
    walk = walk_to_anchor([leaf, *shuffled], 0, TrustStore([chain.root.certificate]), in_order=True)
    assert walk.path[1:-1] == middle
    assert walk.end is End.TRUSTED
    expected_first = next(
        ((c, p) for c, p in zip([leaf, *middle], middle, strict=False)
         if shuffled.index(p) != [leaf, *shuffled].index(c)),
        None,
    )  # fmt: skip
    assert (walk.out_of_order[0] if walk.out_of_order else None) == expected_first
    for child, parent in walk.out_of_order:
        assert _directly_issued(child, parent) is True
    assert presented_leaf([*shuffled, leaf]) == len(shuffled)


# -- cross-signed, same name with another key -------------------------------------------


def _ca(subject: str, **kwargs: object) -> Ca:
    return issue(subject, key_usage=True, **kwargs)  # type: ignore[arg-type]


def test_cross_signed_ca_takes_the_way_to_the_anchor_as_the_verifier_does() -> None:
    old_root, new_root = _ca("Old Root"), _ca("New Root")
    key = _ca("Issuing CA").key
    via_new = _ca("Issuing CA", key=key, issuer=new_root).cert
    via_old = _ca("Issuing CA", key=key, issuer=old_root).cert
    leaf = _ca(HOST, issuer=Ca(via_new, key), ca=False, dns=(HOST,)).cert
    for anchor, via in ((old_root.cert, via_old), (new_root.cert, via_new)):
        expected = _verifier_chain(leaf, [anchor], [via_new, via_old])
        assert expected == [leaf, via, anchor]
        path = chain_path([via_new, leaf, via_old], TrustStore([anchor]))
        assert [*path, root_of(path, TrustStore([anchor]))] == expected
        bundle = [via_old, old_root.cert, leaf, via_new, new_root.cert]
        assert chain_path(bundle, TrustStore([anchor])) == expected
    # Without a store, order_chain keeps the one that reaches a root, the rest follow.
    ordered = order_chain([via_old, leaf, via_new, new_root.cert])
    assert ordered == [leaf, via_new, new_root.cert, via_old]


def test_same_name_with_another_key_is_told_apart_by_signature(
    openssl: str, tmp_path: Path
) -> None:
    root = _ca("Root")
    decoy, real = _ca("Issuing CA", issuer=root), _ca("Issuing CA", issuer=root)
    leaf = _ca(HOST, issuer=real, ca=False, dns=(HOST,)).cert
    expected = _verifier_chain(leaf, [root.cert], [decoy.cert, real.cert])
    assert expected == [leaf, real.cert, root.cert]
    for others in ([decoy.cert, real.cert, root.cert], [root.cert, real.cert, decoy.cert]):
        assert path_up(leaf, others) == expected
    walk = walk_to_anchor([leaf, decoy.cert, real.cert], 0, TrustStore([root.cert]), in_order=True)
    assert walk.path == expected
    assert walk.out_of_order == [(leaf, real.cert)]
    # Only the CA that signed anchors the leaf (openssl -partial_chain agrees).
    for anchor, anchors in ((real.cert, True), (decoy.cert, False)):
        verdict = openssl_verify(openssl, tmp_path, leaf, [anchor], [], "-partial_chain")
        assert (verdict.returncode == 0) is anchors
    assert root_of([leaf], TrustStore([real.cert])) == real.cert
    with pytest.raises(ChainError, match="CN=Issuing CA"):
        root_of([leaf], TrustStore([decoy.cert]))
    # Both CAs issued nothing in the bundle: two chains, as the ordering says.
    with pytest.raises(ChainError, match="2 unrelated chains"):
        order_chain([leaf, decoy.cert, real.cert, root.cert])
    assert issued_none([leaf, decoy.cert, real.cert, root.cert]) == [leaf, decoy.cert]


# -- leaves --------------------------------------------------------------------------------


def test_leaf_first_goes_by_names_and_keeps_the_rest_in_order() -> None:
    root = _ca("Root")
    ca = _ca("Issuing CA", issuer=root)
    leaf = _ca(HOST, issuer=ca, ca=False).cert
    assert leaf_first([root.cert, ca.cert, leaf]) == [leaf, root.cert, ca.cert]
    # Names alone: a leaf whose signature no longer verifies is still the leaf.
    forged = issue(HOST, issuer=Ca(ca.cert, _ca("Other").key), ca=False).cert
    assert _directly_issued(forged, ca.cert) is False
    assert leaf_first([ca.cert, forged])[0] == forged
    # Two chains: the non-CA is the likelier leaf.
    other = _ca("Other Root")
    assert leaf_first([other.cert, ca.cert, leaf, root.cert])[0] == leaf


def test_a_presented_chain_of_cas_has_a_leaf_only_when_it_starts_self_signed() -> None:
    root = _ca("Root")
    ca = _ca("Issuing CA", issuer=root)
    assert presented_leaf([ca.cert, root.cert]) is None
    assert presented_leaf([root.cert, ca.cert]) == 0
    assert presented_leaf([]) is None
