"""Chain links, ordering and roots, against real certificates and independent oracles.

Oracles: ``verify_directly_issued_by`` (cryptography's own link check),
``openssl verify`` (with ``-check_ss_sig`` for self-signatures), the openssl
CLI's view of names and key identifiers; real certificates from certifi, the
NIST PKITS suite and other cryptography-vectors files.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import warnings
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import (
    ChainError,
    TestChain,
    TrustStore,
    build_test_chain,
    check_upload,
    find_root,
    is_well_known,
    order_chain,
)
from appgw_certs._x509.chain import (
    forget_links,
    is_issued_by,
    is_own_issuer,
    is_self_signed,
    remembering_links_by_identity,
    split_leaf,
)
from appgw_certs.testing import test_chains
from helpers.chain import (
    PKITS,
    issue,
    name,
    openssl_self_signed,
    openssl_verify,
    pem,
    pkits,
    vector,
)

EMPTY = TrustStore([])


def certifi_roots() -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # serial 0 roots
        return x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())


def directly_issued(child: x509.Certificate, parent: x509.Certificate) -> bool | None:
    """cryptography's verdict; None when it refuses to judge (SHA-1, MD5, DSA...)."""
    try:
        child.verify_directly_issued_by(parent)
    except InvalidSignature:
        return False
    except (ValueError, TypeError):
        return None
    return True


def expected_order(chain: TestChain) -> list[x509.Certificate]:
    issuers = [c.certificate for c in reversed(chain.intermediates)]
    return [chain.server.certificate, *issuers, chain.root.certificate]


# -- self-signed ----------------------------------------------------------------


def test_every_certifi_root_is_self_signed_as_openssl_says(openssl: str, tmp_path: Path) -> None:
    roots = certifi_roots()
    files = []
    for index, root in enumerate(roots):
        files.append(tmp_path / f"root{index}.pem")
        files[-1].write_bytes(pem(root))
    out = subprocess.run(
        [openssl, "verify", "-no-CApath", "-no-CAstore", "-no_check_time", "-check_ss_sig",
         "-CAfile", certifi.where(),
         *map(str, files)],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    openssl_ok = [f"{f}: OK" in out for f in files]
    assert [is_self_signed(r) for r in roots] == openssl_ok
    # cryptography agrees wherever it is willing to judge (it refuses SHA-1).
    for root in roots:
        assert directly_issued(root, root) in (True, None)


@pytest.mark.parametrize("digest", ["md5", "sha1"])
def test_old_digest_roots_are_self_signed(openssl: str, tmp_path: Path, digest: str) -> None:
    root = openssl_self_signed(openssl, tmp_path, digest)
    assert directly_issued(root, root) is None  # cryptography refuses to check these
    verdict = openssl_verify(openssl, tmp_path, root, [root], [], "-check_ss_sig")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert is_self_signed(root)


def test_leaves_and_intermediates_are_not_self_signed() -> None:
    leaf, intermediate = vector("cryptography.io.chain.pem")
    assert not is_self_signed(leaf)
    assert not is_self_signed(intermediate)


def test_self_issued_with_another_key_is_not_self_signed() -> None:
    # PKITS: same name as issuer and subject, signed by the CA's other key.
    cert = pkits("BasicSelfIssuedNewKeyOldWithNewCACert")
    assert cert.issuer == cert.subject
    assert directly_issued(cert, cert) is False
    assert not is_self_signed(cert)


# -- "is this upload a root?": own issuer -------------------------------------------


def _with_broken_signature(cert: x509.Certificate) -> x509.Certificate:
    """``cert`` with the last byte of its signature changed: still parses, no longer verifies."""
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    return x509.load_der_x509_certificate(bytes(der))


def test_a_root_whose_own_signature_fails_is_still_a_trust_anchor(
    openssl: str, tmp_path: Path
) -> None:
    """OpenSSL does not check a trust anchor's self-signature unless asked
    (``-check_ss_sig``): such a root still anchors chains, so it is a root upload."""
    root = issue("Broken Root")
    leaf = issue("leaf", issuer=root, ca=False)
    broken = _with_broken_signature(root.cert)
    assert directly_issued(broken, broken) is False
    assert openssl_verify(openssl, tmp_path, leaf.cert, [broken], []).returncode == 0
    checked = openssl_verify(openssl, tmp_path, leaf.cert, [broken], [], "-check_ss_sig")
    assert checked.returncode != 0
    assert not is_self_signed(broken)
    assert is_own_issuer(broken)
    report = check_upload("trusted-root", pem(broken), sku="Standard_v2")
    assert not {"ROOT002", "ROOT003"} & report.codes


def test_own_issuer_agrees_with_self_signed_on_real_certificates() -> None:
    """certifi and PKITS: the two differ only where the key identifiers say "self-signed"
    and the signature does not verify (never, in these)."""
    for cert in [*certifi_roots(), *_pkits_certificates()]:
        assert is_own_issuer(cert) == is_self_signed(cert), cert.subject


def test_same_name_without_key_identifiers_is_settled_by_the_signature() -> None:
    """A CA and a server both named "CN=contoso", no key identifiers (as a bare
    ``openssl x509 -req`` makes them): the server's signature says it is not a root."""
    ca = issue("contoso", key_ids=False)
    server = issue("contoso", issuer=ca, ca=False, key_ids=False)
    assert server.cert.issuer == server.cert.subject
    assert not is_own_issuer(server.cert)
    assert is_own_issuer(ca.cert)
    assert "ROOT002" in check_upload("trusted-root", pem(server.cert), sku="Standard_v2").codes


def test_own_issuer_remembered_by_identity_gives_the_same_answers() -> None:
    """Inside an audit's scope the answer is remembered per object; it must not
    change, for the same object asked again or for an edited copy."""
    root = issue("Remembered Root")
    certs = [*certifi_roots()[:40], *_pkits_certificates()[:80], root.cert]
    expected = [is_own_issuer(c) for c in certs]
    broken = _with_broken_signature(issue("Other", key_ids=False).cert)
    with remembering_links_by_identity():
        for _ in range(2):
            assert [is_own_issuer(c) for c in certs] == expected
        assert is_own_issuer(broken) is False  # no key identifiers: the signature decides
    assert any(expected)
    assert not all(expected)


def test_self_issued_with_another_key_is_not_its_own_issuer() -> None:
    cert = pkits("BasicSelfIssuedNewKeyOldWithNewCACert")  # key rollover: the other key signed
    assert cert.issuer == cert.subject
    assert not is_own_issuer(cert)


# -- links ----------------------------------------------------------------------


def _pkits_certificates() -> list[x509.Certificate]:
    certs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # serial 0 and < 0
        for path in sorted(PKITS.glob("*.crt")):
            try:
                certs.append(x509.load_der_x509_certificate(path.read_bytes()))
            except ValueError:
                continue
    return certs


def test_links_agree_with_verify_directly_issued_by_across_pkits() -> None:
    certs = _pkits_certificates()
    by_subject: dict[x509.Name, list[x509.Certificate]] = {}
    for cert in certs:
        by_subject.setdefault(cert.subject, []).append(cert)
    judged = 0
    for child in certs:
        for parent in by_subject.get(child.issuer, []):
            expected = directly_issued(child, parent)
            if expected is None:
                continue  # cryptography will not judge (DSA parameters, SHA-1)
            judged += 1
            assert is_issued_by(child, parent) is expected, (child.subject, parent.subject)
    assert judged > 300  # PKITS has hundreds of links: the comparison means something


def test_a_copied_signature_on_another_body_is_not_a_remembered_link() -> None:
    # Links are remembered by the signature bytes of both certificates; a
    # signature copied onto an edited body must not inherit the verdict.
    chain = build_test_chain(["www.contoso.com"])
    leaf = chain.issue_server(["www.contoso.com"]).certificate
    issuer = chain.issuer.certificate
    der = leaf.public_bytes(serialization.Encoding.DER)
    forged = x509.load_der_x509_certificate(der.replace(b"contoso", b"fabrikm"))
    assert forged.signature == leaf.signature
    assert forged != leaf
    with pytest.raises(InvalidSignature):
        forged.verify_directly_issued_by(issuer)  # cryptography's verdict
    for first, second in ((leaf, forged), (forged, leaf)):
        forget_links()
        assert is_issued_by(first, issuer) is (first is leaf)
        assert is_issued_by(second, issuer) is (second is leaf)
        with remembering_links_by_identity():
            assert is_issued_by(forged, issuer) is False
            assert is_issued_by(leaf, issuer) is True


def test_links_remembered_by_identity_agree_with_cryptography() -> None:
    # An audit's scope answers repeated questions by the objects' ids; the
    # answers, first and repeated, must stay cryptography's.
    certs = _pkits_certificates()[:250]
    pairs = [(c, p) for c in certs for p in certs if c.issuer == p.subject]
    expected = {(id(c), id(p)): directly_issued(c, p) for c, p in pairs}
    forget_links()
    with remembering_links_by_identity():
        for _ in range(2):
            for child, parent in pairs:
                verdict = expected[id(child), id(parent)]
                if verdict is not None:
                    assert is_issued_by(child, parent) is verdict
    assert sum(v is not None for v in expected.values()) > 100


def test_issuer_names_compare_as_rfc5280_and_openssl_do(openssl: str, tmp_path: Path) -> None:
    root = issue("Contoso Root CA")
    # Same name, other case and spacing: RFC 5280 (and OpenSSL) call it equal.
    leaf = issue(
        "www.contoso.com", issuer=root, issuer_name=name("  contoso   ROOT ca"), ca=False
    ).cert
    assert directly_issued(leaf, root.cert) is None  # cryptography compares bytes: refuses
    verdict = openssl_verify(openssl, tmp_path, leaf, [root.cert], [])
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    assert is_issued_by(leaf, root.cert)
    assert order_chain([root.cert, leaf]) == [leaf, root.cert]


def test_a_forged_signature_is_not_a_link() -> None:
    # PKITS "Bad Signed CA": names and key identifiers right, signature wrong.
    child, anchor = pkits("BadSignedCACert"), pkits("TrustAnchorRootCertificate")
    assert child.issuer == anchor.subject
    assert directly_issued(child, anchor) is False
    assert not is_issued_by(child, anchor)


def test_a_lookalike_issuer_with_another_key_is_not_a_link() -> None:
    real_root = issue("Contoso Root")
    impostor = issue("Contoso Root")  # same name, other key
    leaf = issue("leaf", issuer=real_root, ca=False).cert
    assert is_issued_by(leaf, real_root.cert)
    assert not is_issued_by(leaf, impostor.cert)


# -- ordering -------------------------------------------------------------------


@settings(max_examples=25)
@given(
    chain=test_chains(intermediates=st.integers(0, 3)),
    rng=st.randoms(use_true_random=False),
    duplicates=st.integers(0, 2),
)
def test_shuffled_chains_order_back(chain: TestChain, rng: random.Random, duplicates: int) -> None:
    expected = expected_order(chain)
    bundle = expected + [rng.choice(expected) for _ in range(duplicates)]
    rng.shuffle(bundle)
    ordered = order_chain(bundle)
    assert ordered == expected
    for child, parent in itertools.pairwise(ordered):
        assert directly_issued(child, parent) is True
    assert split_leaf(bundle) == (expected[0], expected[1:])


@pytest.mark.parametrize(
    ("end_entity", "intermediates"),
    [
        ("ValidCertificatePathTest1EE", ["GoodCACert"]),
        (
            "ValidBasicSelfIssuedOldWithNewTest1EE",
            ["BasicSelfIssuedNewKeyOldWithNewCACert", "BasicSelfIssuedNewKeyCACert"],
        ),
        (
            "ValidBasicSelfIssuedNewWithOldTest3EE",
            ["BasicSelfIssuedOldKeyNewWithOldCACert", "BasicSelfIssuedOldKeyCACert"],
        ),
    ],
)
def test_pkits_paths_order_as_openssl_verifies(
    openssl: str, tmp_path: Path, end_entity: str, intermediates: list[str]
) -> None:
    anchor = pkits("TrustAnchorRootCertificate")
    leaf = pkits(end_entity)
    middle = [pkits(n) for n in intermediates]
    bundle = [anchor, *middle, leaf]
    random.Random(end_entity).shuffle(bundle)
    ordered = order_chain(bundle)
    assert ordered[0] == leaf
    assert ordered[-1] == anchor
    assert find_root(bundle, store=EMPTY) == anchor
    for child, parent in itertools.pairwise(ordered):
        assert directly_issued(child, parent) is True
    verdict = openssl_verify(openssl, tmp_path, leaf, [anchor], ordered[1:-1], "-x509_strict")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_real_world_pair_orders_whatever_the_input_order() -> None:
    leaf, intermediate = vector("cryptography.io.chain.pem")
    assert order_chain([intermediate, leaf]) == [leaf, intermediate]
    assert directly_issued(leaf, intermediate) is True


def test_duplicates_collapse() -> None:
    root, ca, leaf = (c.cert for c in _chain3())
    assert order_chain([leaf, ca, leaf, root, ca, root]) == [leaf, ca, root]


def _chain3(*, key_ids: bool = True) -> tuple:  # type: ignore[type-arg]
    root = issue("Root", key_ids=key_ids)
    ca = issue("Issuing CA", issuer=root, key_ids=key_ids)
    leaf = issue("www.contoso.com", issuer=ca, ca=False, key_ids=key_ids)
    return root, ca, leaf


def test_two_unrelated_chains_name_both_leaves() -> None:
    a_root = issue("A Root")
    a_leaf = issue("a.contoso.com", issuer=a_root, ca=False)
    b_root = issue("B Root")
    b_leaf = issue("b.fabrikam.com", issuer=b_root, ca=False)
    with pytest.raises(ChainError) as raised:
        order_chain([a_leaf.cert, b_root.cert, a_root.cert, b_leaf.cert])
    assert "CN=a.contoso.com" in str(raised.value)
    assert "CN=b.fabrikam.com" in str(raised.value)


def test_an_unrelated_extra_root_is_reported() -> None:
    root, ca, leaf = (c.cert for c in _chain3())
    stray = issue("Stray Root").cert
    with pytest.raises(ChainError, match="CN=Stray Root"):
        order_chain([leaf, stray, ca, root])


def test_nothing_to_order() -> None:
    with pytest.raises(ChainError):
        order_chain([])


def test_chains_without_key_identifiers_use_names_and_signatures() -> None:
    root, ca, leaf = (c.cert for c in _chain3(key_ids=False))
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints)
    with pytest.raises(x509.ExtensionNotFound):
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert order_chain([root, leaf, ca]) == [leaf, ca, root]
    assert find_root([leaf, ca], store=TrustStore([root])) == root


# -- roots ----------------------------------------------------------------------


def test_self_signed_leaf_is_its_own_root() -> None:
    leaf = issue("www.contoso.com", ca=False, dns=("www.contoso.com",)).cert
    assert order_chain([leaf]) == [leaf]
    assert find_root(leaf, store=EMPTY) == leaf


def test_cross_signed_intermediate_prefers_the_one_in_the_store() -> None:
    old_root, new_root = issue("Old Root"), issue("New Root")
    key = issue("Issuing CA", issuer=new_root).key
    via_new = issue("Issuing CA", key=key, issuer=new_root).cert
    via_old = issue("Issuing CA", key=key, issuer=old_root).cert
    leaf = issue("www.contoso.com", issuer=issue("Issuing CA", key=key), ca=False).cert
    bundle = [leaf, via_old, via_new, old_root.cert, new_root.cert]
    ordered = order_chain(bundle)
    assert ordered[0] == leaf
    assert sorted(map(bytes, map(_der, ordered))) == sorted(map(bytes, map(_der, bundle)))
    assert find_root(bundle, store=TrustStore([new_root.cert])) == new_root.cert
    assert find_root(bundle, store=TrustStore([old_root.cert])) == old_root.cert
    # Without the roots in the bundle, the store completes whichever copy it can.
    assert find_root([leaf, via_old, via_new], store=TrustStore([new_root.cert])) == new_root.cert


def test_cross_signed_root_gives_the_self_signed_one_from_the_store() -> None:
    legacy = issue("Legacy Root")
    modern = issue("Modern Root")
    modern_cross = issue("Modern Root", key=modern.key, issuer=legacy).cert
    ca = issue("Issuing CA", issuer=modern)
    leaf = issue("www.contoso.com", issuer=ca, ca=False).cert
    store = TrustStore([modern.cert])
    assert modern_cross in store
    assert find_root([leaf, ca.cert, modern_cross], store=store) == modern.cert
    # With the legacy root given and no store, the path ends there.
    assert find_root([leaf, ca.cert, modern_cross, legacy.cert], store=EMPTY) == legacy.cert


def test_a_reissued_root_in_the_file_is_kept() -> None:
    root = issue("Contoso Root")
    reissued = issue("Contoso Root", key=root.key)  # same subject and key, new serial
    ca = issue("Issuing CA", issuer=root)
    leaf = issue("www.contoso.com", issuer=ca, ca=False).cert
    store = TrustStore([reissued.cert])
    assert find_root([leaf, ca.cert, root.cert], store=store) == root.cert
    assert find_root([leaf, ca.cert], store=store) == reissued.cert
    assert is_well_known([leaf, ca.cert, root.cert], store=store)


def test_a_root_that_is_not_self_issued(openssl: str) -> None:
    # A real "root" that is cross-certified by the US Federal PKI.
    (state_root,) = vector("department-of-state-root.pem")
    assert state_root.issuer != state_root.subject
    assert find_root(state_root, store=TrustStore([state_root])) == state_root
    with pytest.raises(ChainError) as raised:
        find_root(state_root, store=EMPTY)
    issuer = subprocess.run(
        [openssl, "x509", "-noout", "-issuer", "-nameopt", "RFC2253"],
        input=pem(state_root), capture_output=True, check=True,
    ).stdout.decode().removeprefix("issuer=").strip()  # fmt: skip
    key_id = subprocess.run(
        [openssl, "x509", "-noout", "-ext", "authorityKeyIdentifier"],
        input=pem(state_root), capture_output=True, check=True,
    ).stdout.decode().splitlines()[1].strip()  # fmt: skip
    assert issuer in str(raised.value)
    assert key_id.removeprefix("keyid:") in str(raised.value)


def test_signed_by_its_own_key_but_naming_another_issuer_is_a_root() -> None:
    odd = issue("Odd Root", issuer_name=name("Someone Else")).cert
    assert not is_self_signed(odd)
    assert find_root(odd, store=EMPTY) == odd


def test_missing_issuer_is_named_with_its_key_identifier() -> None:
    root, ca, leaf = _chain3()
    with pytest.raises(ChainError) as raised:
        find_root([leaf.cert, ca.cert], store=EMPTY)
    message = str(raised.value)
    key_id = root.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert "CN=Root" in message
    assert key_id.digest.hex(":").upper() in message


def test_real_world_chain_names_its_missing_root(openssl: str) -> None:
    leaf, intermediate = vector("cryptography.io.chain.pem")
    expected_issuer = subprocess.run(
        [openssl, "x509", "-noout", "-issuer", "-nameopt", "RFC2253"],
        input=pem(intermediate), capture_output=True, check=True,
    ).stdout.decode().removeprefix("issuer=").strip()  # fmt: skip
    store = TrustStore.certifi()
    assert store.find_issuer(intermediate) is None  # GeoTrust Global CA left Mozilla's store
    with pytest.raises(ChainError, match=expected_issuer):
        find_root([intermediate, leaf])


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("form", ["pem", "der-root", "pkcs7", "path", "str"])
def test_find_root_reads_every_input_form(tmp_path: Path, form: str) -> None:
    root, ca, leaf = (c.cert for c in _chain3())
    store = TrustStore([root])
    sources: dict[str, object] = {
        "pem": pem(ca, root, leaf),
        "der-root": _der(root),
        "pkcs7": pkcs7.serialize_certificates([ca, leaf], serialization.Encoding.DER),
        "str": pem(leaf, ca).decode(),
    }
    if form == "path":
        (tmp_path / "chain.pem").write_bytes(pem(root, leaf, ca))
        sources["path"] = tmp_path / "chain.pem"
    assert find_root(sources[form], store=store) == root  # type: ignore[arg-type]


def test_found_roots_verify_with_openssl(openssl: str, tmp_path: Path) -> None:
    from appgw_certs import KeyType, build_test_chain

    chain = build_test_chain(intermediates=2, key_type=KeyType.EC_P256)
    root = find_root(chain.backend_chain_pem(), store=TrustStore([chain.root.certificate]))
    middle = [c.certificate for c in chain.intermediates]
    verdict = openssl_verify(openssl, tmp_path, chain.server.certificate, [root], middle)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_order_chain_refuses_what_is_not_certificates() -> None:
    from appgw_certs import CertificateFormatError

    with pytest.raises(CertificateFormatError):
        order_chain([b"not a certificate"])  # type: ignore[list-item]
    with pytest.raises(CertificateFormatError):
        order_chain("no PEM here")  # type: ignore[arg-type]
