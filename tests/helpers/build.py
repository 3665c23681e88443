"""Oracles for the test-chain tests: cryptography's verifier, ``openssl verify``, TLS on loopback.

Chains are cached per shape for the session: key generation is the cost
(RSA-4096 above all), and no test modifies a chain.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509 import verification as v

from appgw_certs import Credential, KeyType, TestChain, build_test_chain
from appgw_certs._testpki.server import TLSServer

HOSTNAMES = ("www.contoso.com", "*.contoso.com", "10.0.0.4", "::1")
NOW = datetime.now(UTC)
TIMEOUT = 10.0


@functools.cache
def chain_of(key_type: KeyType, intermediates: int) -> TestChain:
    """The session's chain of this shape, with :data:`HOSTNAMES`."""
    return build_test_chain(HOSTNAMES, intermediates=intermediates, key_type=key_type)


@functools.cache
def client_of(key_type: KeyType, intermediates: int) -> Credential:
    """A client leaf issued by :func:`chain_of` of the same shape."""
    return chain_of(key_type, intermediates).issue_client("alice@contoso.com")


def certs(*credentials: Credential) -> list[x509.Certificate]:
    return [c.certificate for c in credentials]


def subject_for(name: str) -> x509.DNSName | x509.IPAddress:
    """The verifier's subject for a host name (an IP address or a DNS name)."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def verify_server(
    chain: TestChain, leaf: Credential, name: str, at: datetime = NOW
) -> list[x509.Certificate]:
    """cryptography's default-policy server verifier; returns the built path."""
    verifier = (
        v.PolicyBuilder()
        .store(v.Store([chain.root.certificate]))
        .time(at)
        .build_server_verifier(subject_for(name))
    )
    return verifier.verify(leaf.certificate, certs(*chain.intermediates))


def verify_client(chain: TestChain, leaf: Credential, at: datetime = NOW) -> v.VerifiedClient:
    """cryptography's default-policy client verifier."""
    verifier = v.PolicyBuilder().store(v.Store([chain.root.certificate])).time(at)
    return verifier.build_client_verifier().verify(leaf.certificate, certs(*chain.intermediates))


def openssl_verify(
    openssl: str, tmp_path: Path, chain: TestChain, leaf: Credential, purpose: str
) -> subprocess.CompletedProcess[str]:
    """``openssl verify -CAfile root -untrusted intermediates -purpose PURPOSE leaf``."""
    root = tmp_path / "root.pem"
    untrusted = tmp_path / "intermediates.pem"
    leaf_file = tmp_path / "leaf.pem"
    root.write_bytes(chain.root.cer())
    untrusted.write_bytes(b"".join(c.cer() for c in chain.intermediates))
    leaf_file.write_bytes(leaf.cer())
    command = [openssl, "verify", "-CAfile", str(root), "-purpose", purpose]
    if chain.intermediates:
        command += ["-untrusted", str(untrusted)]
    return subprocess.run(
        [*command, str(leaf_file)], capture_output=True, text=True, timeout=30, check=False
    )


# --- TLS on loopback -------------------------------------------------------------


def server_context(tmp_path: Path, chain_pem: bytes, key: Credential) -> ssl.SSLContext:
    """A TLS server presenting ``chain_pem`` (leaf first) with ``key``'s encrypted PKCS#8 key."""
    cert_file, key_file = tmp_path / "server-chain.pem", tmp_path / "server-key.pem"
    cert_file.write_bytes(chain_pem)
    key_file.write_bytes(key.key_pem("key-pass"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file, password="key-pass")
    return context


def client_context(
    tmp_path: Path, trusted_pem: bytes, version: ssl.TLSVersion, presenting: Credential | None
) -> ssl.SSLContext:
    """A TLS client of exactly ``version`` that trusts only ``trusted_pem`` and checks names."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname and CERT_REQUIRED
    context.minimum_version = context.maximum_version = version
    context.load_verify_locations(cadata=trusted_pem.decode("ascii"))
    if presenting is not None:
        cert_file, key_file = tmp_path / "client.pem", tmp_path / "client-key.pem"
        cert_file.write_bytes(presenting.cer())
        key_file.write_bytes(presenting.key_pem())
        context.load_cert_chain(cert_file, key_file)
    return context


@dataclass(frozen=True)
class Outcome:
    """What the server saw of one handshake."""

    error: BaseException | None = None
    peer: bytes | None = None  # DER of the client's certificate, when it sent one


def connect(port: int, context: ssl.SSLContext, server_hostname: str) -> tuple[str, bytes]:
    """Handshake and read the server's greeting; returns (TLS version, data)."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls,
    ):
        return str(tls.version()), tls.recv(2)


def handshake(
    server: ssl.SSLContext, client: ssl.SSLContext, server_hostname: str
) -> tuple[Outcome, str | BaseException]:
    """One connection to the package's loopback server (``_testpki/server.py``): the
    server's outcome and the client's (version, or its error)."""
    with TLSServer(server) as running:
        client_result: str | BaseException
        try:
            version, greeting = connect(running.port, client, server_hostname)
            client_result = version if greeting == b"ok" else f"no greeting: {greeting!r}"
        except OSError as exc:  # ssl.SSLError included
            client_result = exc
        error = running.outcome_for()
        peers = list(running.peer_certificates.values())
    return Outcome(error, peers[0] if peers else None), client_result


def pem_chain(certificates: Sequence[x509.Certificate]) -> bytes:
    """PEM of ``certificates``, in order."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return b"".join(c.public_bytes(Encoding.PEM) for c in certificates)
