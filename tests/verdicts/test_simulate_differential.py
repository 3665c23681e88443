"""Differential tests: our verdicts against real TLS handshakes on loopback.

For generated scenarios (depth, missing intermediate, wrong root, wrong host,
expired certificate, client EKU) the verdict of ``check_backend`` must equal a
Python ``ssl`` client's that trusts only the uploaded root and sends the host
name, and ``cryptography.x509.verification``'s server verifier's; the verdict
of ``check_client`` must equal a Python ``ssl`` server's with ``CERT_REQUIRED``
and the uploaded CA file. Where OpenSSL names its reason, one
of our findings must name the same one.

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
    PythonTLSServer,
    client_context,
    handshake_as_client,
    server_context,
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
        # Same subject, another key: the classic "root renewed" mismatch (T10).
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


def test_mt002_uses_openssls_words(server: PythonTLSServer) -> None:
    """Each way a client chain can fail to reach the CA file: the same words as OpenSSL."""
    root = make_ca("Words Root")
    intermediate = make_ca("Words CA", root)
    other = make_ca("Other Root")
    client = make_client(intermediate)
    self_signed = make_client(None)
    cases = [
        # (sent chain, CA file)
        ([client.cert], pem(root.cert)),  # unable to get local issuer certificate
        ([client.cert, intermediate.cert], pem(other.cert)),  # ... local issuer, too
        ([client.cert, intermediate.cert, root.cert], pem(other.cert)),  # self-signed in chain
        ([self_signed.cert], pem(other.cert)),  # self-signed certificate
        ([client.cert], pem(intermediate.cert)),  # unable to get issuer certificate
    ]
    messages = set()
    for sent, ca_file in cases:
        server.context = server_context(make_leaf(root), client_ca=ca_file)
        identity = self_signed if sent[0] == self_signed.cert else client
        context = client_context(certificate=identity, chain=sent[1:])
        handshake = handshake_as_client(server.host, server.port, context, server_hostname=None)
        error = server.outcome(handshake)
        assert isinstance(error, ssl.SSLCertVerificationError), error
        ours = check_client(sent, ca_file)
        (mt002,) = [f for f in ours.findings if f.code == "MT002"]
        assert mt002.message.startswith(error.verify_message + ":"), (error, mt002.message)
        messages.add(error.verify_message)
    assert len(messages) == 4  # the cases cover four distinct OpenSSL reasons
