"""trustme-style helpers and the plugin's gateway: ``configure_trust``/``configure_cert``
proven by real handshakes, ``pem_tempfile``/``pfx_tempfile`` read back by the openssl
CLI, and ``appgw_gateway_json`` audited clean by ``audit_gateway``."""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from appgw_certs import (
    Credential,
    KeyType,
    Sku,
    Slot,
    TestChain,
    audit_gateway,
    build_test_chain,
    check_backend,
    check_upload,
)
from appgw_certs._testpki.server import TLSServer
from helpers.build import connect
from helpers.cli import mode, openssl_completed, openssl_run, run

GatewayJson = Callable[..., dict[str, object]]


# -- configure_trust / configure_cert -------------------------------------------------


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
@pytest.mark.appgw_chain(intermediates=2)
def test_configured_contexts_complete_a_handshake(
    appgw_chain: TestChain, version: ssl.TLSVersion
) -> None:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    appgw_chain.configure_cert(server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.maximum_version = version
    appgw_chain.configure_trust(client)
    with TLSServer(server) as running:
        tls_version, greeting = connect(running.port, client, "www.contoso.com")
        assert running.outcome_for() is None
    assert greeting == b"ok"
    assert (
        tls_version
        == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    )


def test_configure_trust_trusts_this_root_only(appgw_chain: TestChain) -> None:
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    appgw_chain.configure_cert(server)
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    build_test_chain(key_type=KeyType.EC_P256).configure_trust(client)
    assert len(client.get_ca_certs()) == 1
    with TLSServer(server) as running, pytest.raises(ssl.SSLCertVerificationError):
        connect(running.port, client, "www.contoso.com")


def test_configure_refuses_what_is_not_an_ssl_context(appgw_chain: TestChain) -> None:
    with pytest.raises(TypeError, match=r"ssl\.SSLContext"):
        appgw_chain.configure_trust(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ssl\.SSLContext"):
        appgw_chain.configure_cert("context")  # type: ignore[arg-type]


# -- pem_tempfile / pfx_tempfile ------------------------------------------------------


def subject(openssl: str, *args: str) -> str:
    return openssl_run(openssl, *args, "-noout", "-subject").decode().strip()


def test_pem_tempfile_holds_key_certificate_and_chain(appgw_chain: TestChain, openssl: str) -> None:
    server = appgw_chain.server
    with server.pem_tempfile(chain=appgw_chain.intermediates) as path:
        assert mode(path) == 0o600
        assert mode(path.parent) == 0o700
        assert subject(openssl, "x509", "-in", str(path)).endswith("CN = www.contoso.com")
        key = openssl_run(openssl, "pkey", "-in", str(path), "-pubout")
        bundle = openssl_run(openssl, "crl2pkcs7", "-nocrl", "-certfile", str(path))
        listed = openssl_run(openssl, "pkcs7", "-print_certs", "-noout", stdin=bundle).decode()
        assert listed.count("subject=") == 2
        assert "CN = Test Intermediate CA 1" in listed
    assert not path.exists()
    assert not path.parent.exists()
    assert key == openssl_run(
        openssl, "x509", "-pubkey", "-noout", "-in", "/dev/stdin", stdin=server.cer()
    )


def test_pem_tempfile_with_a_password_encrypts_the_key(
    appgw_chain: TestChain, openssl: str
) -> None:
    with appgw_chain.server.pem_tempfile(password="key-pass") as path:
        assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
        openssl_run(openssl, "pkey", "-in", str(path), "-passin", "pass:key-pass", "-noout")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(path, password="key-pass")


@pytest.mark.parametrize("profile", ["compatible", "modern"])
def test_pfx_tempfile_reads_back_with_openssl_pkcs12(
    appgw_chain: TestChain, openssl: str, profile: str
) -> None:
    with appgw_chain.server.pfx_tempfile(
        "Passw0rd1",
        chain=[*appgw_chain.intermediates, appgw_chain.root],
        profile=profile,  # type: ignore[arg-type]
    ) as path:
        assert mode(path) == 0o600
        assert path.suffix == ".pfx"
        shown = openssl_run(
            openssl, "pkcs12", "-in", str(path), "-passin", "pass:Passw0rd1", "-nokeys"
        )
        openssl_completed(
            openssl, "pkcs12", "-in", str(path), "-passin", "pass:Passw0rd1", "-nocerts", "-nodes"
        )
        report = check_upload(Slot.LISTENER, path, sku=Sku.STANDARD_V2, password="Passw0rd1")
    assert not path.exists()
    assert shown.count(b"BEGIN CERTIFICATE") == 3
    # LST007 (a warning) says a modern PFX is not what Azure imports
    assert ("LST007" in report.codes) == (profile == "modern"), report
    assert report.ok, report


def test_tempfiles_are_removed_when_the_block_raises(appgw_chain: TestChain) -> None:
    credential: Credential = appgw_chain.server
    with pytest.raises(RuntimeError), credential.pem_tempfile() as path:  # noqa: PT012
        assert path.exists()
        raise RuntimeError
    assert not path.parent.exists()


# -- appgw_gateway_json ---------------------------------------------------------------


def assert_clean(gateway: dict[str, object]) -> None:
    audit = audit_gateway(gateway)
    assert audit.report.findings == (), str(audit.report)
    assert not audit.report.errors
    assert not audit.report.warnings


def test_gateway_json_audits_clean_and_fits_its_chain(
    appgw_gateway_json: GatewayJson, appgw_chain: TestChain
) -> None:
    gateway = appgw_gateway_json(appgw_chain)
    assert_clean(gateway)
    assert json.loads(json.dumps(gateway)) == gateway  # plain JSON values
    audit = audit_gateway(gateway)
    assert audit.sku is Sku.STANDARD_V2
    by_name = {c.name: c for c in audit.certificates}
    assert by_name["listener-cert"].used_by == ("https-listener",)
    assert by_name["backend-root"].used_by == ("https-settings",)
    thumbprint = by_name["listener-cert"].certificates[0].sha256_fingerprint
    expected = appgw_chain.server.certificate.fingerprint(hashes.SHA256()).hex()
    assert thumbprint.replace(":", "").lower() == expected
    # the backend presenting the chain is healthy with the gateway's own trusted root
    properties = gateway["properties"]
    assert isinstance(properties, dict)
    root_data = base64.b64decode(properties["trustedRootCertificates"][0]["properties"]["data"])
    assert x509.load_der_x509_certificate(root_data) == appgw_chain.root.certificate
    verdict = check_backend(
        appgw_chain.backend_chain_pem(),
        sku="v2",
        host_name="www.contoso.com",
        trusted_roots=[root_data],
    )
    assert verdict.ok, verdict


@pytest.mark.parametrize(
    "appgw_chain",
    [
        {"key_type": "rsa2048", "intermediates": 0},
        {"key_type": "ec-p384", "intermediates": 2, "host_names": ["*.contoso.com", "contoso.com"]},
        {"host_names": ["api.fabrikam.com", "10.0.0.4"]},
    ],
    indirect=True,
    ids=["rsa-no-intermediate", "p384-wildcard", "two-names"],
)
@pytest.mark.parametrize("sku", ["Standard_v2", "WAF_v2"])
def test_gateway_json_is_clean_for_every_chain_shape(
    appgw_gateway_json: GatewayJson, appgw_chain: TestChain, sku: str
) -> None:
    assert_clean(appgw_gateway_json(appgw_chain, name="gw-under-test", sku=sku))


def test_gateway_json_without_a_chain_uses_appgw_chain(
    appgw_gateway_json: GatewayJson, appgw_chain: TestChain, tmp_path: Path
) -> None:
    gateway = appgw_gateway_json()
    listener = audit_gateway(gateway).certificates[0]
    assert (
        listener.certificates[0].subject == appgw_chain.server.certificate.subject.rfc4514_string()
    )
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(gateway))
    assert run("audit", path, module=True).returncode == 0


def test_gateway_json_refuses_v1_and_what_is_not_a_chain(appgw_gateway_json: GatewayJson) -> None:
    with pytest.raises(ValueError, match="sku"):
        appgw_gateway_json(sku="Standard")
    with pytest.raises(TypeError, match="TestChain"):
        appgw_gateway_json("www.contoso.com")
    for name in ("", "a/b", "-gw", "gw-", "x" * 81):
        with pytest.raises(ValueError, match="name"):
            appgw_gateway_json(name=name)
