"""Where the gateway judges differently from OpenSSL, by design — each shown against a
real handshake on loopback (see docs/verdicts.md, "Where Azure differs from OpenSSL").

1. Presented order: OpenSSL finds issuers anywhere in what the server sent; the
   gateway wants each issuer right after the certificate it issued ("This chain
   must start with the leaf certificate, then the intermediate certificate, and
   finally the root CA certificate", HEALTH#the-intermediate-certificate-wasnt-found).
2. A self-signed backend certificate that is not a CA: OpenSSL accepts it when
   it is the trusted certificate; the gateway reports a missing intermediate
   ("A self-signed certificate that isn't a CA can also cause this error", same section).
3. v1 compares the leaf byte for byte with the authentication certificates and
   ignores signatures ("an exact match of the authentication certificate",
   https://learn.microsoft.com/azure/application-gateway/ssl-overview#end-to-end-tls-with-the-v1-sku):
   a chain OpenSSL refuses can pass, one it accepts can fail.
4. No name, or an IP: no SNI (BE009, a warning); the verdict is unchanged.

HEALTH is https://learn.microsoft.com/azure/application-gateway/application-gateway-backend-health-troubleshooting.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
from cryptography import x509

from appgw_certs import check_backend, fetch_presented_chain
from helpers.pki import Issued, Pki, make_ca, make_leaf, make_pki, pem
from helpers.tls_servers import PythonTLSServer, client_context, handshake_as_client, server_context

HOST = "www.contoso.com"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(2, name="Diff")


@pytest.fixture(scope="module")
def leaf(pki: Pki) -> Issued:
    return make_leaf(pki.issuer, dns_names=(HOST,), ip_addresses=("127.0.0.1",))


@pytest.fixture(scope="module")
def server() -> Iterator[PythonTLSServer]:
    with PythonTLSServer(server_context(make_leaf(make_ca("Placeholder")))) as running:
        yield running


def _openssl_accepts(
    server: PythonTLSServer,
    leaf: Issued,
    chain: list[x509.Certificate],
    trusted: x509.Certificate,
    host: str | None = HOST,
) -> bool:
    server.context = server_context(leaf, chain)
    context = client_context(pem(trusted))
    if host is None:
        context.check_hostname = False
    return (
        handshake_as_client(server.host, server.port, context, server_hostname=host).error is None
    )


def test_order_openssl_tolerates_and_the_gateway_does_not(
    server: PythonTLSServer, pki: Pki, leaf: Issued
) -> None:
    int2, int1 = pki.chain_above_leaf()
    shuffled = [int1, pki.root.cert, int2]  # what the server sends after its leaf
    assert _openssl_accepts(server, leaf, shuffled, pki.root.cert)
    # The chain really is sent in that order:
    presented = fetch_presented_chain(server.host, server.port)
    assert presented == [leaf.cert, *shuffled]
    report = check_backend(presented, sku="v2", host_name=HOST, trusted_roots=[pki.root.cert])
    assert [f.code for f in report.errors] == ["BE003"]
    assert "not right after" in report.errors[0].message


def test_leaf_not_topmost_is_refused_even_if_openssl_could_build_a_path(
    pki: Pki, leaf: Issued
) -> None:
    """A TLS server always sends its own certificate first, so this comes from files
    (an IIS/nginx export in the wrong order): judged offline only."""
    int2, int1 = pki.chain_above_leaf()
    report = check_backend(
        [int2, int1, leaf.cert], sku="v2", host_name=HOST, trusted_roots=[pki.root.cert]
    )
    assert [f.code for f in report.errors] == ["BE002"]


def test_self_signed_non_ca_backend(server: PythonTLSServer) -> None:
    backend = make_leaf(None, dns_names=(HOST,))
    assert _openssl_accepts(server, backend, [], backend.cert)
    report = check_backend([backend.cert], sku="v2", host_name=HOST, trusted_roots=[backend.cert])
    assert [f.code for f in report.errors] == ["BE003"]
    assert "self-signed but not a CA" in report.errors[0].message


def test_v1_allow_list_passes_what_openssl_refuses(
    server: PythonTLSServer, pki: Pki, leaf: Issued
) -> None:
    stranger = make_ca("Stranger Root").cert
    assert not _openssl_accepts(server, leaf, [], stranger)
    report = check_backend([leaf.cert], sku="Standard", backend_address="leaf",
                           authentication_certs=[leaf.cert])  # fmt: skip
    assert report.ok, str(report)
    assert report.findings == ()


def test_v1_refuses_a_leaf_openssl_accepts(server: PythonTLSServer, pki: Pki, leaf: Issued) -> None:
    renewed = make_leaf(pki.issuer, dns_names=(HOST,))  # same CA, a new certificate
    assert _openssl_accepts(server, renewed, pki.chain_above_leaf(), pki.root.cert)
    report = check_backend([renewed.cert, *pki.chain_above_leaf()], sku="Standard",
                           backend_address="leaf", authentication_certs=[leaf.cert])  # fmt: skip
    assert [f.code for f in report.errors] == ["BE008"]


@pytest.mark.parametrize("host", [None, "127.0.0.1"])
def test_no_sni_is_a_warning_only(
    server: PythonTLSServer, pki: Pki, leaf: Issued, host: str | None
) -> None:
    chain = pki.chain_above_leaf()
    server.context = server_context(leaf, chain)
    seen: list[str | None] = []

    def remember(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        seen.append(name)

    server.context.sni_callback = remember
    context = client_context(pem(pki.root.cert))
    context.check_hostname = host is not None
    result = handshake_as_client(server.host, server.port, context, server_hostname=host)
    assert result.error is None
    assert seen == [None]  # neither Python nor the gateway sends an IP as SNI
    report = check_backend(
        [leaf.cert, *chain], sku="v2", host_name=host, trusted_roots=[pki.root.cert]
    )
    assert report.ok
    assert [f.code for f in report.findings] == ["BE009"]
