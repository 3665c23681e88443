"""The pytest plugin's fixtures, used as a user's suite uses them (the plugin is loaded
by tests/conftest.py under its entry point's name), judged by real oracles: Python
``ssl`` clients, ``openssl s_client``, the library's own ``backend --probe`` and
``audit_gateway``, ``cryptography.x509.verification``."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from appgw_certs import (
    KeyType,
    TestChain,
    build_test_chain,
    fetch_presented_chain,
)
from appgw_certs.pytest_plugin import AppGwBackend
from helpers.build import verify_server
from helpers.cli import run

TIMEOUT = 10.0


def https_get(backend: AppGwBackend, context: ssl.SSLContext, server_name: str) -> bytes:
    """One HTTPS request to the backend, sending ``server_name`` as SNI and host name."""
    with (
        socket.create_connection((backend.host, backend.port), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {server_name}\r\n\r\n".encode())
        answer = b""
        while data := tls.recv(4096):
            answer += data
        return answer


def trusting(chain: TestChain) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    chain.configure_trust(context)
    return context


def presented_leaf(backend: AppGwBackend, server_name: str | None) -> x509.Certificate:
    return fetch_presented_chain(backend.host, backend.port, server_name=server_name)[0]


# -- appgw_chain ----------------------------------------------------------------------


def test_appgw_chain_is_ec_p256_with_one_intermediate_and_verifies(appgw_chain: TestChain) -> None:
    key = appgw_chain.server.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert len(appgw_chain.intermediates) == 1
    verify_server(appgw_chain, appgw_chain.server, "www.contoso.com")


@pytest.mark.appgw_chain(key_type="rsa2048", intermediates=2, host_names=["api.test", "10.0.0.4"])
def test_the_marker_shapes_the_chain(appgw_chain: TestChain) -> None:
    key = appgw_chain.server.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048
    assert len(appgw_chain.intermediates) == 2
    verify_server(appgw_chain, appgw_chain.server, "api.test")
    verify_server(appgw_chain, appgw_chain.server, "10.0.0.4")


pytestmark = pytest.mark.appgw_chain(organization="Plugin tests")


@pytest.mark.appgw_chain(intermediates=0)
def test_the_closest_marker_wins_and_farther_options_stay(appgw_chain: TestChain) -> None:
    assert appgw_chain.intermediates == ()
    organization = appgw_chain.root.certificate.subject.get_attributes_for_oid(
        x509.NameOID.ORGANIZATION_NAME
    )
    assert organization[0].value == "Plugin tests"


@pytest.mark.parametrize(
    ("appgw_chain", "curve", "intermediates"),
    [("ec-p384", "secp384r1", 1), ({"intermediates": 3}, "secp256r1", 3)],
    indirect=["appgw_chain"],
)
def test_indirect_parametrisation(appgw_chain: TestChain, curve: str, intermediates: int) -> None:
    key = appgw_chain.server.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == curve
    assert len(appgw_chain.intermediates) == intermediates


# -- appgw_backend --------------------------------------------------------------------


def test_backend_presents_the_chain_to_a_python_client(
    appgw_backend: AppGwBackend, appgw_chain: TestChain
) -> None:
    assert appgw_backend.chain is appgw_chain
    assert appgw_backend.host == "127.0.0.1"
    assert appgw_backend.server_name == "www.contoso.com"
    answer = https_get(appgw_backend, trusting(appgw_chain), appgw_backend.server_name)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b"\r\n\r\nok")
    presented = fetch_presented_chain(
        appgw_backend.host, appgw_backend.port, server_name=appgw_backend.server_name
    )
    assert presented == [appgw_chain.server.certificate, appgw_chain.intermediates[0].certificate]
    assert appgw_backend.seen_server_names == ["www.contoso.com", "www.contoso.com"]


def test_a_client_trusting_another_root_is_refused(appgw_backend: AppGwBackend) -> None:
    other = build_test_chain(key_type=KeyType.EC_P256)
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(appgw_backend, trusting(other), appgw_backend.server_name)


def test_backend_probe_cli_judges_it_healthy(appgw_backend: AppGwBackend, tmp_path: Path) -> None:
    root = tmp_path / "root.cer"
    root.write_bytes(appgw_backend.chain.trusted_root_cer())
    result = run(
        "backend", "--probe", appgw_backend.address, "--sku", "v2",
        "--host-name", appgw_backend.server_name, "--trusted-root", root, "--json",
        module=True,
    )  # fmt: skip
    assert result.returncode == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    # with another root, the gateway's verdict is a failure (BE004 or BE005)
    root.write_bytes(build_test_chain(key_type=KeyType.EC_P256).trusted_root_cer())
    refused = run(
        "backend", "--probe", appgw_backend.address, "--sku", "v2",
        "--host-name", appgw_backend.server_name, "--trusted-root", root, module=True,
    )  # fmt: skip
    assert refused.returncode == 1


@pytest.mark.appgw_backend(host="::1")
def test_backend_on_ipv6_loopback(appgw_backend: AppGwBackend) -> None:
    assert appgw_backend.address == f"[::1]:{appgw_backend.port}"
    assert https_get(appgw_backend, trusting(appgw_backend.chain), "www.contoso.com")[:12] == (
        b"HTTP/1.1 200"
    )


@pytest.mark.appgw_chain(host_names=["www.contoso.com"])
@pytest.mark.appgw_backend(server_names=["api.contoso.com", "Admin.Contoso.com"])
def test_backend_chooses_the_certificate_by_sni(
    appgw_backend: AppGwBackend, appgw_chain: TestChain, openssl: str, tmp_path: Path
) -> None:
    assert set(appgw_backend.chains) == {"www.contoso.com", "api.contoso.com", "Admin.Contoso.com"}
    api = appgw_backend.chains["api.contoso.com"]
    assert api.root is appgw_chain.root  # issued by the same CA: one trust anchor for all
    assert presented_leaf(appgw_backend, "api.contoso.com") == api.server.certificate
    admin = appgw_backend.chains["Admin.Contoso.com"].server.certificate
    assert presented_leaf(appgw_backend, "admin.contoso.com") == admin
    assert presented_leaf(appgw_backend, None) == appgw_chain.server.certificate
    assert presented_leaf(appgw_backend, "other.contoso.com") == appgw_chain.server.certificate
    # openssl s_client -servername: the oracle outside Python
    root = tmp_path / "root.pem"
    root.write_bytes(appgw_chain.trusted_root_cer())
    shown = subprocess.run(
        [openssl, "s_client", "-connect", appgw_backend.address, "-servername",
         "api.contoso.com", "-verify_return_error", "-CAfile", str(root)],
        input=b"", capture_output=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert b"CN = api.contoso.com" in shown.stdout or b"CN=api.contoso.com" in shown.stdout
    assert b"Verify return code: 0 (ok)" in shown.stdout
    assert "api.contoso.com" in appgw_backend.seen_server_names
    assert None in appgw_backend.seen_server_names


def test_backend_serves_given_chains_by_sni(
    appgw_chain: TestChain, request: pytest.FixtureRequest
) -> None:
    other = build_test_chain(["api.fabrikam.com"], key_type=KeyType.EC_P384)
    request.node.add_marker(pytest.mark.appgw_backend(server_names={"api.fabrikam.com": other}))
    backend: AppGwBackend = request.getfixturevalue("appgw_backend")
    assert presented_leaf(backend, "api.fabrikam.com") == other.server.certificate
    assert https_get(backend, trusting(other), "api.fabrikam.com").startswith(b"HTTP/1.1 200")
    assert presented_leaf(backend, None) == appgw_chain.server.certificate


@pytest.mark.appgw_backend(require_client_cert=True)
def test_backend_requiring_a_client_certificate(
    appgw_backend: AppGwBackend, appgw_chain: TestChain
) -> None:
    assert appgw_backend.client_ca is appgw_chain
    alice = appgw_chain.issue_client("alice@contoso.com")
    with_cert = trusting(appgw_chain)
    with alice.pem_tempfile(chain=reversed(appgw_chain.intermediates)) as path:
        with_cert.load_cert_chain(path)
    assert https_get(appgw_backend, with_cert, "www.contoso.com").startswith(b"HTTP/1.1 200")
    # no certificate, or one from another CA: the server ends the handshake
    stranger = build_test_chain(key_type=KeyType.EC_P256).issue_client("mallory")
    with_stranger = trusting(appgw_chain)
    with stranger.pem_tempfile() as path:
        with_stranger.load_cert_chain(path)
    for context in (trusting(appgw_chain), with_stranger):
        with pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)):
            https_get(appgw_backend, context, "www.contoso.com")
