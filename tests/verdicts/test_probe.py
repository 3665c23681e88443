"""fetch_presented_chain against real TLS servers on loopback.

Python ``ssl`` servers and ``openssl s_server`` present full, incomplete,
out-of-order and expired chains; what we read must be exactly what they send,
in the order sent, as ``openssl s_client -showcerts`` also sees it.
"""

from __future__ import annotations

import re
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import cryptography_vectors
import pytest
from cryptography import x509

from appgw_certs import AppGwCertError, ProbeError, fetch_presented_chain
from helpers.pki import EXPIRED, Issued, Pki, make_ca, make_leaf, make_pki, pem
from helpers.tls_servers import (
    LOOPBACK_V4,
    LOOPBACK_V6,
    OpenSSLServer,
    PlainTCPServer,
    PythonTLSServer,
    refused_port,
    server_context,
)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(2)


@pytest.fixture(scope="module")
def leaf(pki: Pki) -> Issued:
    return make_leaf(pki.issuer, dns_names=("backend.test", "localhost"))


def _chains(pki: Pki, leaf: Issued) -> dict[str, list[x509.Certificate]]:
    """What a backend might send after its leaf."""
    int1, int2 = (i.cert for i in pki.intermediates)
    return {
        "full": [int2, int1, pki.root.cert],
        "no-root": [int2, int1],
        "incomplete": [int1],
        "leaf-only": [],
        "out-of-order": [pki.root.cert, int1, int2],
    }


CASES = ["full", "no-root", "incomplete", "leaf-only", "out-of-order"]


@pytest.mark.parametrize("case", CASES)
def test_python_server_chain_is_returned_exactly(pki: Pki, leaf: Issued, case: str) -> None:
    chain = _chains(pki, leaf)[case]
    with PythonTLSServer(server_context(leaf, chain)) as server:
        got = fetch_presented_chain(server.host, server.port, server_name="backend.test")
    assert got == [leaf.cert, *chain]


@pytest.mark.parametrize("case", CASES)
def test_openssl_server_chain_is_returned_exactly(
    openssl: str, pki: Pki, leaf: Issued, case: str
) -> None:
    chain = _chains(pki, leaf)[case]
    with OpenSSLServer(openssl, leaf, chain) as server:
        got = fetch_presented_chain(server.host, server.port, timeout=5)
        # The same server seen by openssl's own client: same certificates, same order.
        assert got == _showcerts(openssl, server.port)
    assert got == [leaf.cert, *chain]


def _showcerts(openssl: str, port: int) -> list[x509.Certificate]:
    result = subprocess.run(
        [openssl, "s_client", "-connect", f"{LOOPBACK_V4}:{port}", "-showcerts"],
        input=b"",
        capture_output=True,
        timeout=10,
        check=False,
    )
    blocks = re.findall(
        rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----\n", result.stdout, re.S
    )
    assert blocks, result.stdout + result.stderr
    return [x509.load_pem_x509_certificate(b) for b in blocks]


def test_expired_chain_is_read_not_judged(openssl: str) -> None:
    root = make_ca("Expired Root", validity=EXPIRED)
    intermediate = make_ca("Expired CA", root, validity=EXPIRED)
    leaf = make_leaf(intermediate, validity=EXPIRED)
    with OpenSSLServer(openssl, leaf, [intermediate.cert, root.cert]) as server:
        got = fetch_presented_chain(LOOPBACK_V4, server.port)
    assert got == [leaf.cert, intermediate.cert, root.cert]


def _recording_sni(context: ssl.SSLContext) -> list[str | None]:
    seen: list[str | None] = []

    def remember(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        seen.append(name)

    context.sni_callback = remember
    return seen


@pytest.mark.parametrize(
    ("host", "server_name", "expected_sni"),
    [
        (LOOPBACK_V4, "backend.test", "backend.test"),
        (LOOPBACK_V4, None, None),  # an IPv4 literal: no SNI
        (LOOPBACK_V4, "127.0.0.1", None),  # an IP as the server name: no SNI either
        ("localhost", None, "localhost"),
        (LOOPBACK_V4, "Backend.Test.", "backend.test"),
    ],
)
def test_sni_is_sent_for_names_only(
    leaf: Issued, host: str, server_name: str | None, expected_sni: str | None
) -> None:
    context = server_context(leaf)
    seen = _recording_sni(context)
    with PythonTLSServer(context) as server:
        got = fetch_presented_chain(host, server.port, server_name=server_name)
    assert got == [leaf.cert]
    assert [s.lower() if s else s for s in seen] == [expected_sni]


@pytest.mark.parametrize("host", [LOOPBACK_V6, f"[{LOOPBACK_V6}]"])
def test_ipv6_literals(leaf: Issued, pki: Pki, host: str) -> None:
    context = server_context(leaf, pki.chain_above_leaf())
    seen = _recording_sni(context)
    with PythonTLSServer(context, host=LOOPBACK_V6) as server:
        got = fetch_presented_chain(host, server.port)
    assert got == [leaf.cert, *pki.chain_above_leaf()]
    assert seen == [None]


def test_sni_selects_the_certificate_openssl_serves(openssl: str, pki: Pki, leaf: Issued) -> None:
    other = make_leaf(pki.issuer, dns_names=("other.test",))
    with OpenSSLServer(openssl, leaf, pki.chain_above_leaf()) as first:
        default = fetch_presented_chain(LOOPBACK_V4, first.port)
    with OpenSSLServer(openssl, leaf, for_server_name=("other.test", other)) as server:
        by_name = fetch_presented_chain(LOOPBACK_V4, server.port, server_name="other.test")
        without = fetch_presented_chain(LOOPBACK_V4, server.port)
    assert default[0] == leaf.cert
    assert by_name == [other.cert]
    assert without == [leaf.cert]


def test_refused_connection_raises_probe_error() -> None:
    with refused_port() as port, pytest.raises(ProbeError, match="refused") as caught:
        fetch_presented_chain(LOOPBACK_V4, port, timeout=5)
    assert isinstance(caught.value, OSError)
    assert str(port) in str(caught.value)


def test_silent_peer_times_out() -> None:
    with PlainTCPServer(reply=None) as server:
        start = time.monotonic()
        with pytest.raises(ProbeError, match=r"timed out after 0\.5 s"):
            fetch_presented_chain(LOOPBACK_V4, server.port, timeout=0.5)
        assert time.monotonic() - start < 3


def test_http_peer_does_not_speak_tls() -> None:
    reply = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with PlainTCPServer(reply=reply) as server, pytest.raises(ProbeError, match="TLS") as caught:
        fetch_presented_chain(LOOPBACK_V4, server.port, timeout=5)
    assert f"{LOOPBACK_V4}:{server.port}" in str(caught.value)


def test_peer_that_hangs_up_raises_probe_error() -> None:
    with PlainTCPServer(reply=b"") as server, pytest.raises(ProbeError, match="closed"):
        fetch_presented_chain(LOOPBACK_V4, server.port, timeout=5)


def test_server_demanding_a_client_certificate(pki: Pki, leaf: Issued) -> None:
    """TLS 1.2: the server sends its chain, then refuses to go on without ours."""
    context = server_context(leaf, client_ca=pem(pki.root.cert))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with PythonTLSServer(context) as server, pytest.raises(ProbeError, match="client certificate"):
        fetch_presented_chain(server.host, server.port)


@pytest.mark.parametrize(
    ("host", "port", "timeout"),
    [("", 443, 1.0), (LOOPBACK_V4, 0, 1.0), (LOOPBACK_V4, 70000, 1.0), (LOOPBACK_V4, 443, 0)],
)
def test_bad_arguments_are_value_errors(host: str, port: int, timeout: float) -> None:
    with pytest.raises(ValueError, match=r"expected|timeout"):
        fetch_presented_chain(host, port, timeout=timeout)


class _RawCertificate:
    """A certificate as PEM bytes only: one OpenSSL reads and cryptography refuses,
    which ``OpenSSLServer`` writes into its chain file as it is."""

    def __init__(self, pem_bytes: bytes) -> None:
        self._pem = pem_bytes

    def public_bytes(self, encoding: object) -> bytes:
        return self._pem


def test_a_presented_certificate_cryptography_cannot_read_is_a_probe_error(
    openssl: str, leaf: Issued
) -> None:
    """cryptography-vectors' ecdsa_null_alg.pem: OpenSSL parses and serves it, cryptography
    refuses the NULL parameters of its signature algorithm (a bare ValueError escaped)."""
    vector = Path(cryptography_vectors.__file__).parent / "x509" / "custom" / "ecdsa_null_alg.pem"
    raw = vector.read_bytes()
    with pytest.raises(ValueError, match="parsing asn1"):
        x509.load_pem_x509_certificate(raw)  # the premise
    odd = _RawCertificate(raw)
    with OpenSSLServer(openssl, leaf, [odd]) as server:  # type: ignore[list-item]
        with pytest.raises(ProbeError, match="number 2 of its chain") as caught:
            fetch_presented_chain(server.host, server.port, timeout=5)
        # what openssl's own client sees: two certificates, the second the vector
        shown = subprocess.run(
            [openssl, "s_client", "-connect", f"{LOOPBACK_V4}:{server.port}", "-showcerts"],
            input=b"", capture_output=True, timeout=10, check=False,
        ).stdout  # fmt: skip
    assert shown.count(b"-----BEGIN CERTIFICATE-----") == 2
    assert isinstance(caught.value, OSError)
    assert f"{LOOPBACK_V4}:" in str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"host": 42}, TypeError),
        ({"port": "443"}, TypeError),
        ({"timeout": "5"}, TypeError),
        ({"server_name": b"x"}, TypeError),
        ({"timeout": float("nan")}, ValueError),
        ({"timeout": float("inf")}, ValueError),
        ({"host": "a\x00b"}, ValueError),
        ({"port": True}, ValueError),
    ],
)
def test_wrong_arguments_are_refused_before_connecting(
    arguments: dict[str, object], error: type[Exception]
) -> None:
    call: dict[str, Any] = {"host": LOOPBACK_V4, "port": 443, "timeout": 1.0, **arguments}
    with pytest.raises(error) as caught:
        fetch_presented_chain(**call)
    assert isinstance(caught.value, AppGwCertError | TypeError)


@pytest.mark.parametrize("host", ["\udcff.example", "a" * 64 + ".example"])
def test_host_names_idna_refuses_are_probe_errors(host: str) -> None:
    with pytest.raises(ProbeError, match="host name"):
        fetch_presented_chain(host, 443, timeout=1)
    with pytest.raises(ProbeError, match="cannot resolve"):
        fetch_presented_chain(host, 443, server_name="backend.test", timeout=1)
