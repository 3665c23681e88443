"""Names: subject text, SAN entries and host-name matching, against real oracles.

Oracles: cryptography's WebPKI server verifier (RFC 6125 matching on SAN
entries), ``openssl x509 -checkhost`` (the CN fallback when there is no SAN),
and ``openssl x509 -subject -nameopt RFC2253`` (subject text).
"""

from __future__ import annotations

import ipaddress
import subprocess
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import KeyType, TestChain, build_test_chain
from appgw_certs._x509.names import (
    dns_names,
    extension_value,
    ip_addresses,
    is_ip,
    issuer_text,
    matches_common_name,
    matches_hostname,
    subject_text,
)
from appgw_certs.testing import dns_names as dns_name_strategy
from helpers.chain import NOW, VECTORS, issue, name, pem

LOADABLE_VECTORS = sorted(
    p for p in VECTORS.glob("**/*.pem") if "PKITS" not in p.parts and "requests" not in p.parts
)


@pytest.fixture(scope="module")
def ca() -> TestChain:
    return build_test_chain(("ca.example",), intermediates=0, key_type=KeyType.EC_P256)


def webpki_accepts(ca: TestChain, leaf: x509.Certificate, host: str) -> bool:
    """cryptography's verifier: does the leaf serve ``host``? (its own RFC 6125 code)"""
    try:
        subject: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        subject = x509.DNSName(host)
    store = Store([ca.root.certificate])
    verifier = PolicyBuilder().store(store).time(NOW).build_server_verifier(subject)
    try:
        verifier.verify(leaf, [])
    except VerificationError:
        return False
    return True


def openssl_checkhost(openssl: str, tmp: Path, cert: x509.Certificate, host: str) -> bool:
    path = tmp / "cert.pem"
    path.write_bytes(pem(cert))
    out = subprocess.run(
        [openssl, "x509", "-in", str(path), "-noout", "-checkhost", host],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "match" in out
    return "does match" in out


# -- host names -----------------------------------------------------------------


def _variants(pattern: str) -> st.SearchStrategy[str]:
    """Hosts near a pattern: itself, one label more or less, the wildcard filled in."""
    bare = pattern.removeprefix("*.")
    return st.sampled_from(
        [bare, f"www.{bare}", f"a.b.{bare}", bare.upper(), bare.split(".", 1)[-1], f"x{bare}"]
    )


@settings(max_examples=40)
@given(data=st.data(), base=dns_name_strategy(), wildcard=st.booleans())
def test_san_matching_agrees_with_cryptography_verifier(
    ca: TestChain, data: st.DataObject, base: str, wildcard: bool
) -> None:
    pattern = f"*.{base}" if wildcard else base
    leaf = ca.issue_server([pattern]).certificate
    host = data.draw(_variants(pattern), label="host")
    assert matches_hostname(leaf, host) == webpki_accepts(ca, leaf, host.lower())


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("x.a.com", True),
        ("X.A.COM", True),
        ("a.com", False),  # the wildcard stands for exactly one label
        ("x.y.a.com", False),
        ("xa.com", False),
        ("x.a.com.", True),  # the DNS root dot
        ("", False),
    ],
)
def test_wildcard_rules(ca: TestChain, host: str, expected: bool) -> None:
    leaf = ca.issue_server(["*.a.com"]).certificate
    assert matches_hostname(leaf, host) is expected
    if host and not host.endswith("."):
        assert webpki_accepts(ca, leaf, host.lower()) is expected


def test_internationalised_names_match_their_a_label(ca: TestChain) -> None:
    leaf = ca.issue_server(["xn--bcher-kva.example", "*.xn--bcher-kva.example"]).certificate
    assert matches_hostname(leaf, "bücher.example")
    assert matches_hostname(leaf, "www.BÜCHER.example")
    assert webpki_accepts(ca, leaf, "www.xn--bcher-kva.example")
    assert not matches_hostname(leaf, "bucher.example")


def test_common_name_rule_of_v1_ignores_the_san(openssl: str, tmp_path: Path) -> None:
    cert = issue(name("*.contoso.com"), ca=False, dns=("www.fabrikam.com",)).cert
    assert matches_common_name(cert, "api.contoso.com")
    assert not matches_hostname(cert, "api.contoso.com")  # the SAN hides the CN
    assert not matches_common_name(cert, "www.fabrikam.com")
    cn_only = issue(name("*.contoso.com"), ca=False).cert
    for host in ("api.contoso.com", "contoso.com", "a.b.contoso.com"):
        assert matches_common_name(cn_only, host) == openssl_checkhost(
            openssl, tmp_path, cn_only, host
        )


def test_san_wins_over_common_name(ca: TestChain) -> None:
    # The CN of an issue_server leaf is one of its names; a SAN without it hides it.
    leaf = issue(name("legacy.contoso.com"), ca=False, dns=("www.contoso.com",)).cert
    assert not matches_hostname(leaf, "legacy.contoso.com")
    assert matches_hostname(leaf, "www.contoso.com")


@pytest.mark.parametrize(
    ("common_name", "host"),
    [
        ("www.contoso.com", "www.contoso.com"),
        ("www.contoso.com", "WWW.CONTOSO.COM"),
        ("www.contoso.com", "api.contoso.com"),
        ("*.contoso.com", "api.contoso.com"),
        ("*.contoso.com", "contoso.com"),
        ("*.contoso.com", "a.b.contoso.com"),
    ],
)
def test_common_name_only_without_san_agrees_with_openssl(
    openssl: str, tmp_path: Path, common_name: str, host: str
) -> None:
    cert = issue(name(common_name), ca=False).cert
    assert dns_names(cert) == ()
    assert matches_hostname(cert, host) == openssl_checkhost(openssl, tmp_path, cert, host)


@pytest.mark.parametrize("host", ["10.0.0.4", "10.0.0.5", "::1", "[::1]", "2001:db8::1"])
def test_ip_literals_match_ip_san_entries_only(ca: TestChain, host: str) -> None:
    leaf = ca.issue_server(["www.contoso.com", "10.0.0.4", "::1"]).certificate
    bare = host.strip("[]")
    assert matches_hostname(leaf, host) == webpki_accepts(ca, leaf, bare)
    # An IP written as the CN (and as a DNS name) never matches an IP literal.
    by_name = issue(name(bare), ca=False, dns=(bare,)).cert
    assert not matches_hostname(by_name, host)


def test_ip_helpers(ca: TestChain) -> None:
    leaf = ca.issue_server(["www.contoso.com", "10.0.0.4"]).certificate
    assert ip_addresses(leaf) == (ipaddress.ip_address("10.0.0.4"),)
    assert dns_names(leaf) == ("www.contoso.com",)
    assert [is_ip(h) for h in ("10.0.0.4", "[::1]", "::1", "contoso.com", "10.0.0")] == [
        True, True, True, False, False,
    ]  # fmt: skip


def _ipaddress_reads(host: str) -> bool:
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@given(
    st.one_of(
        st.ip_addresses().map(str),
        st.ip_addresses(v=6).map(lambda a: f"[{a}]"),
        st.text(alphabet="0123456789.:abcdefx%[] ", max_size=45),
        dns_name_strategy(),
    )
)
@settings(max_examples=300)
def test_is_ip_agrees_with_ipaddress(host: str) -> None:
    # is_ip skips ipaddress for text that cannot be an address; the skip must
    # never turn away something ipaddress reads.
    assert is_ip(host) == _ipaddress_reads(host)


# -- real-world certificates ----------------------------------------------------


def _loadable(path: Path) -> list[x509.Certificate]:
    with warnings.catch_warnings():
        # Loading is not under test: some vectors (negative serials) warn.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            return x509.load_pem_x509_certificates(path.read_bytes())
        except Exception:  # InvalidVersion is not a ValueError
            return []


@pytest.mark.parametrize("path", LOADABLE_VECTORS, ids=lambda p: p.name)
def test_name_helpers_never_raise_on_real_world_certificates(path: Path) -> None:
    for cert in _loadable(path):
        # Empty names are legal (their text is ""); anything else must not raise.
        assert isinstance(subject_text(cert), str)
        assert isinstance(issuer_text(cert), str)
        assert isinstance(dns_names(cert), tuple)
        assert isinstance(ip_addresses(cert), tuple)
        assert isinstance(matches_hostname(cert, "www.cryptography.io"), bool)


_EXTENSION_KINDS = [
    x509.BasicConstraints,
    x509.SubjectAlternativeName,
    x509.KeyUsage,
    x509.ExtendedKeyUsage,
    x509.SubjectKeyIdentifier,
    x509.AuthorityKeyIdentifier,
    x509.NameConstraints,
    x509.UnrecognizedExtension,
]


def _by_class(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except Exception:
        return None


@pytest.mark.parametrize("path", LOADABLE_VECTORS, ids=lambda p: p.name)
def test_extension_values_are_what_the_class_look_up_finds(path: Path) -> None:
    """extension_value looks up by OID; cryptography's look-up by class is the oracle."""
    for cert in _loadable(path):
        for kind in _EXTENSION_KINDS:
            assert extension_value(cert, kind) == _by_class(cert, kind), (path.name, kind)


@pytest.mark.parametrize(
    "path",
    ["cryptography.io.pem", "rapidssl_sha256_ca_g3.pem", "accvraiz1.pem", "wildcard_san.pem"],
)
def test_subject_text_agrees_with_openssl(openssl: str, path: str) -> None:
    cert = x509.load_pem_x509_certificate((VECTORS / path).read_bytes())
    out = subprocess.run(
        [openssl, "x509", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb"],
        input=pem(cert), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    assert subject_text(cert) == out.removeprefix("subject=").strip()


def test_dns_names_agree_with_openssl(openssl: str) -> None:
    cert = x509.load_pem_x509_certificate((VECTORS / "wildcard_san.pem").read_bytes())
    out = subprocess.run(
        [openssl, "x509", "-noout", "-ext", "subjectAltName"],
        input=pem(cert), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    expected = [
        part.strip().removeprefix("DNS:")
        for part in out.splitlines()[1].split(",")
        if part.strip().startswith("DNS:")
    ]
    assert list(dns_names(cert)) == expected
    assert expected  # the vector has DNS names: the comparison means something
