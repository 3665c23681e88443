"""Differential tests: our verdicts against real TLS handshakes on loopback.

For generated scenarios (depth, missing intermediate, wrong root, wrong host,
expired certificate, client EKU) the verdict of ``check_backend`` must equal a
Python ``ssl`` client's that trusts only the uploaded root and sends the host
name, and ``cryptography.x509.verification``'s server verifier's; the verdict
of ``check_client`` must equal a Python ``ssl`` server's with ``CERT_REQUIRED``
and the uploaded CA file. Where OpenSSL names its reason, one
of our findings must name the same one. The ``sslClientVerify`` value a client
report names must be the last error of an OpenSSL server that goes on after each
verify error, as the gateway does (``GoingOnVerifyServer``).

The scenarios keep to chains where Azure and OpenSSL agree; the differences by
design (presented order, self-signed non-CA, v1, BE009) are in
test_simulate_azure_differences.py.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import Report, check_backend, check_client
from appgw_certs._verdicts.client import MSG_CLIENT_NOT_YET_VALID, MSG_PURPOSE
from helpers.pki import (
    CLIENT_AUTH,
    EXPIRED,
    NOT_YET_VALID,
    NOW,
    SERVER_AUTH,
    Issued,
    Validity,
    make_ca,
    make_client,
    make_leaf,
    pem,
)
from helpers.tls_servers import (
    GoingOnVerifyServer,
    PythonTLSServer,
    client_context,
    handshake_as_client,
    server_context,
    verify_error_text,
)

LEAF_NAMES = ("www.contoso.com", "*.apps.contoso.com")
HOSTS = (
    "www.contoso.com",
    "WWW.Contoso.com",
    "a.apps.contoso.com",
    "apps.contoso.com",  # the wildcard does not cover its own parent
    "x.a.apps.contoso.com",  # nor two labels
    "wrong.example",
    "10.0.0.4",  # an IP in the leaf's SAN: no SNI, matched against IP SANs
    "10.0.0.5",
)
# OpenSSL verify codes -> the codes of ours that must be among the findings.
CHAIN_ERRORS = {2, 18, 19, 20, 21}
BACKEND_CODES = {
    **{code: {"BE003", "BE004", "BE005"} for code in CHAIN_ERRORS},
    9: {"GEN002"},
    10: {"GEN002"},
    62: {"BE007"},  # hostname mismatch
}
CLIENT_CODES = {
    **{code: {"MT002"} for code in CHAIN_ERRORS},
    9: {"GEN002"},
    10: {"GEN002"},
    26: {"MT003"},  # unsuitable certificate purpose
}
ROLES = (None, "leaf", "intermediate", "root")


def _validity(role: str | None, target: str, not_yet: bool) -> Validity:
    if role != target:
        return Validity()
    return NOT_YET_VALID if not_yet else EXPIRED


@dataclass(frozen=True)
class Scenario:
    """One generated PKI and what the peer presents and the gateway trusts."""

    depth: int  # intermediates between root and leaf
    send_root: bool
    drop_intermediate: int | None  # index (root-most first) left out of the presented chain
    wrong_root: bool  # the gateway trusts another root with the same name
    out_of_date: str | None  # which certificate is expired / not yet valid
    not_yet: bool

    def build_cas(self) -> tuple[Issued, list[Issued]]:
        root = make_ca("Scenario Root", validity=_validity(self.out_of_date, "root", self.not_yet))
        cas: list[Issued] = []
        for level in range(self.depth):
            validity = _validity(self.out_of_date if level == 0 else None, "intermediate",
                                 self.not_yet)  # fmt: skip
            cas.append(make_ca(f"Scenario CA {level}", cas[-1] if cas else root,
                               validity=validity))  # fmt: skip
        return root, cas

    def sent_above_leaf(self, root: Issued, cas: list[Issued]) -> list[x509.Certificate]:
        kept = [c.cert for i, c in enumerate(cas) if i != self.drop_intermediate]
        return list(reversed(kept)) + ([root.cert] if self.send_root else [])

    def trusted(self, root: Issued) -> Issued:
        # Same subject, another key: the classic "root renewed" mismatch.
        return make_ca("Scenario Root") if self.wrong_root else root


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    depth = draw(st.integers(0, 2))
    drop = draw(st.none() | st.integers(0, depth - 1)) if depth else None
    return Scenario(
        depth=depth,
        send_root=draw(st.booleans()),
        drop_intermediate=drop,
        wrong_root=draw(st.booleans()),
        out_of_date=draw(st.sampled_from(ROLES)),
        not_yet=draw(st.booleans()),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[PythonTLSServer]:
    placeholder = make_leaf(make_ca("Placeholder"))
    with PythonTLSServer(server_context(placeholder)) as running:
        yield running


def _agrees(ours: Report, error: ssl.SSLError | None, mapping: dict[int, set[str]]) -> None:
    assert ours.ok is (error is None), (error, str(ours))
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_code in mapping:
        assert mapping[error.verify_code] & ours.codes, (error.verify_message, str(ours))


@settings(max_examples=20)
@given(scenario=scenarios(), host=st.sampled_from(HOSTS))
def test_backend_verdict_equals_a_real_handshake(
    server: PythonTLSServer, scenario: Scenario, host: str
) -> None:
    root, cas = scenario.build_cas()
    leaf = make_leaf(
        cas[-1] if cas else root,
        dns_names=LEAF_NAMES,
        ip_addresses=("10.0.0.4",),
        validity=_validity(scenario.out_of_date, "leaf", scenario.not_yet),
    )
    above = scenario.sent_above_leaf(root, cas)
    trusted = scenario.trusted(root)

    server.context = server_context(leaf, above)
    error = handshake_as_client(
        server.host, server.port, client_context(pem(trusted.cert)), server_hostname=host
    ).error
    ours = check_backend(
        [leaf.cert, *above], sku="Standard_v2", host_name=host, trusted_roots=[pem(trusted.cert)]
    )
    _agrees(ours, error, BACKEND_CODES)
    assert ("BE009" in ours.codes) is host[0].isdigit()  # an IP: no SNI, a warning
    # A second oracle: cryptography's WebPKI verifier on the same chain.
    assert ours.ok is _cryptography_accepts(leaf.cert, above, trusted.cert, host)


def _cryptography_accepts(
    leaf: x509.Certificate, above: list[x509.Certificate], root: x509.Certificate, host: str
) -> bool:
    builder = PolicyBuilder().store(Store([root])).time(NOW)
    subject: x509.DNSName | x509.IPAddress = (
        x509.IPAddress(ipaddress.ip_address(host)) if host[0].isdigit()
        else x509.DNSName(host.lower())
    )  # fmt: skip
    verifier = builder.build_server_verifier(subject)
    try:
        verifier.verify(leaf, above)
    except VerificationError:
        return False
    return True


@settings(max_examples=20)
@given(
    scenario=scenarios(),
    upload_intermediates=st.booleans(),
    eku=st.sampled_from(["clientAuth", "serverAuth", "both", "none"]),
)
def test_client_verdict_equals_a_real_handshake(
    server: PythonTLSServer, scenario: Scenario, upload_intermediates: bool, eku: str
) -> None:
    root, cas = scenario.build_cas()
    purposes = {
        "clientAuth": (CLIENT_AUTH,),
        "serverAuth": (SERVER_AUTH,),
        "both": (SERVER_AUTH, CLIENT_AUTH),
        "none": None,
    }[eku]
    client = make_client(
        cas[-1] if cas else root,
        eku=purposes,
        validity=_validity(scenario.out_of_date, "leaf", scenario.not_yet),
    )
    sent = [c for c in scenario.sent_above_leaf(root, cas) if c != root.cert]
    trusted = scenario.trusted(root)
    ca_file = pem(trusted.cert, *([c.cert for c in cas] if upload_intermediates else []))

    server.context = server_context(make_leaf(root), client_ca=ca_file)
    handshake = handshake_as_client(
        server.host,
        server.port,
        client_context(certificate=client, chain=sent),
        server_hostname=None,
    )
    error = server.outcome(handshake)
    assert error is None or isinstance(error, ssl.SSLError), error
    ours = check_client([client.cert, *sent], ca_file)
    _agrees(ours, error, CLIENT_CODES)


@pytest.fixture(scope="module")
def going_on() -> Iterator[GoingOnVerifyServer]:
    with GoingOnVerifyServer(make_leaf(make_ca("Going-on Root")), b"") as running:
        yield running


def _openssl_errors(
    server: GoingOnVerifyServer, sent: list[Issued | x509.Certificate], ca_file: bytes
) -> list[int]:
    """OpenSSL's verify errors, in order, for a client presenting ``sent`` (an Issued
    first, then certificates) to a server trusting ``ca_file``."""
    identity, *chain = sent
    assert isinstance(identity, Issued)
    server.client_ca = ca_file
    context = client_context(
        certificate=identity, chain=[c for c in chain if isinstance(c, x509.Certificate)]
    )
    handshake = handshake_as_client(server.host, server.port, context, server_hostname=None)
    return server.errors(handshake)


# Words that differ between OpenSSL versions: the troubleshooting page gives the purpose
# error in older OpenSSL's words, and OpenSSL 4 added "or the system clock is incorrect"
# to the not-yet-valid one (OpenSSL 3 and older: "certificate is not yet valid").
_WORDS_OF_OLDER_OPENSSL = {9: MSG_CLIENT_NOT_YET_VALID, 26: MSG_PURPOSE}


def _log_text(error: int) -> str:
    return _WORDS_OF_OLDER_OPENSSL.get(error) or verify_error_text(error)


CHAIN_STAGE = (2, 18, 19, 20, 21)  # errors of chain building, and the leaf alone


def test_mt002_uses_openssls_words(going_on: GoingOnVerifyServer) -> None:
    """Each way a client chain can fail to reach the CA file: the same words as an OpenSSL
    server that goes on after each error, as the gateway does."""
    root = make_ca("Words Root")
    intermediate = make_ca("Words CA", root)
    other = make_ca("Other Root")
    client = make_client(intermediate)
    self_signed = make_client(None)
    cases: list[tuple[list[Issued | x509.Certificate], bytes]] = [
        # (sent chain, CA file)
        # "Unable to verify the first certificate: ... This error occurs specifically when
        # the client presents only the leaf certificate, whose issuer is not trusted."
        # (mutual-authentication-troubleshooting#sslclientverify-is-failed)
        ([client], pem(root.cert)),
        ([client, other.cert], pem(root.cert)),  # nothing sent issued it: the leaf alone, too
        ([client, intermediate.cert], pem(other.cert)),  # unable to get local issuer
        ([client, intermediate.cert, root.cert], pem(other.cert)),  # self-signed in chain
        ([self_signed], pem(other.cert)),  # self-signed certificate
        ([client], pem(intermediate.cert)),  # unable to get issuer certificate
    ]
    words = []
    for sent, ca_file in cases:
        errors = [e for e in _openssl_errors(going_on, sent, ca_file) if e in CHAIN_STAGE]
        presented = [c.cert if isinstance(c, Issued) else c for c in sent]
        ours = check_client(presented, ca_file)
        (mt002,) = [f for f in ours.findings if f.code == "MT002"]
        assert mt002.message.startswith(verify_error_text(errors[-1]) + ":"), (errors, mt002)
        words.append(errors[-1])
    assert words[:2] == [21, 21]
    assert len(set(words)) == 5  # the cases cover five distinct OpenSSL reasons


@settings(max_examples=25)
@given(
    scenario=scenarios(),
    upload_intermediates=st.booleans(),
    send_stranger=st.booleans(),
    eku=st.sampled_from(["clientAuth", "serverAuth", "none"]),
)
def test_ssl_client_verify_is_openssls_last_error(
    going_on: GoingOnVerifyServer,
    scenario: Scenario,
    upload_intermediates: bool,
    send_stranger: bool,
    eku: str,
) -> None:
    root, cas = scenario.build_cas()
    purposes = {"clientAuth": (CLIENT_AUTH,), "serverAuth": (SERVER_AUTH,), "none": None}[eku]
    client = make_client(
        cas[-1] if cas else root,
        eku=purposes,
        validity=_validity(scenario.out_of_date, "leaf", scenario.not_yet),
    )
    sent = [c for c in scenario.sent_above_leaf(root, cas) if c != root.cert]
    sent += [make_ca("Stranger CA").cert] if send_stranger else []
    trusted = scenario.trusted(root)
    ca_file = pem(trusted.cert, *([c.cert for c in cas] if upload_intermediates else []))
    errors = _openssl_errors(going_on, [client, *sent], ca_file)
    ours = check_client([client.cert, *sent], ca_file)
    expected = f"FAILED:{_log_text(errors[-1])}" if errors else "SUCCESS"
    assert dict(ours.details)["sslClientVerify"] == expected, (errors, str(ours))
    assert ours.ok is not errors
