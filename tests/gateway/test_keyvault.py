"""KeyVaultReader against recorded Key Vault responses: the 401 challenge then the secret,
403 (access policy, RBAC, disabled), 404, PKCS#12 and PEM secrets, a secret without its
private key (and its HSM key), an expired one, and a certificate id.

No test touches the network: sockets refuse to connect, and the transport (an azure-core
``HttpTransport``) answers only the URLs a test recorded; any other request fails it.
"""

from __future__ import annotations

import base64
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appgw_certs import Severity, Sku, TestChain, build_test_chain
from helpers.keyvault import (
    TENANT,
    VERSION,
    FakeCredential,
    RefusingCredential,
    empty_password_pfx,
    full_chain_pem,
    reader_for,
    recorded,
    refuse_network,
    secret,
    vault,
)

NOW = datetime.now(UTC)
SKU = Sku.STANDARD_V2
WHERE = "sslCertificates[web]"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_network(monkeypatch)


def test_the_network_is_refused() -> None:
    with pytest.raises(OSError, match="must not touch the network"):
        socket.create_connection(("contoso-kv.vault.azure.net", 443))


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"])


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential({"upn": "alice@contoso.com", "oid": "6f1d2a3b"})


@pytest.fixture
def pkcs12_value(openssl: str, tmp_path: Path, chain: TestChain) -> str:
    pfx = empty_password_pfx(
        openssl, tmp_path, key=chain.server.key_pem(), certs=full_chain_pem(chain)
    )
    return base64.b64encode(pfx).decode()


def test_challenge_then_a_pkcs12_secret(
    chain: TestChain, pkcs12_value: str, credential: FakeCredential
) -> None:
    url = f"{vault('kv-challenge')}/secrets/web-cert/{VERSION}"
    reader, transport = reader_for(
        {url: secret("secret-pkcs12.json", pkcs12_value, chain.server.certificate)}, credential
    )
    with reader:
        check = reader.check(url, sku=SKU, now=NOW, location=WHERE)
        again = reader.fetch(url)
    assert check.findings == ()
    assert check.certificates[0] == chain.server.certificate
    assert set(check.certificates) == {
        chain.server.certificate, chain.intermediates[0].certificate, chain.root.certificate
    }  # fmt: skip
    # the SDK's flow: unauthenticated GET, the challenge, a token for its tenant, the GET again
    assert transport.seen == [(url, False), (url, True)]
    assert credential.requests == [(("https://vault.azure.net/.default",), TENANT)]
    assert again.managed
    assert again.value == pkcs12_value  # read once, kept
    assert pkcs12_value not in repr(again)
    assert again.identity == "user alice@contoso.com (from the credential FakeCredential)"


def test_host_names_are_checked_against_the_secrets_certificate(
    chain: TestChain, pkcs12_value: str, credential: FakeCredential
) -> None:
    url = f"{vault('kv-hosts')}/secrets/web-cert"
    reader, transport = reader_for(
        {url: secret("secret-pkcs12.json", pkcs12_value, chain.server.certificate)}, credential
    )
    hosts = ["www.contoso.com", "api.fabrikam.com"]
    (f,) = reader.check(url, sku=SKU, now=NOW, hostnames=hosts).findings
    assert f.code == "LST009"
    assert "api.fabrikam.com" in f.message
    assert [seen for seen in transport.seen if seen[1]] == [(url, True)]


def test_pem_secret_is_checked_but_not_supported(
    chain: TestChain, credential: FakeCredential
) -> None:
    url = f"{vault('kv-pem')}/secrets/web-cert"
    value = (chain.server.key_pem() + full_chain_pem(chain)).decode()
    reader, _ = reader_for(
        {url: secret("secret-pem.json", value, chain.server.certificate)}, credential
    )
    check = reader.check(url, sku=SKU, now=NOW, location=WHERE)
    assert [(f.code, f.severity) for f in check.findings] == [("KV004", Severity.ERROR)]
    assert "application/x-pem-file" in check.findings[0].message
    assert check.findings[0].location == WHERE
    assert check.certificates[0] == chain.server.certificate


def test_secret_without_private_key_and_its_hsm_key(
    openssl: str, tmp_path: Path, chain: TestChain, credential: FakeCredential
) -> None:
    base = vault("kv-hsm")
    url = f"{base}/secrets/web-cert"
    certs_only = tmp_path / "certs.pfx"
    (tmp_path / "certs.pem").write_bytes(full_chain_pem(chain))
    subprocess.run(
        [openssl, "pkcs12", "-export", "-nokeys", "-in", tmp_path / "certs.pem",
         "-passout", "pass:", "-out", certs_only],
        check=True,
        capture_output=True,
    )  # fmt: skip
    answer = secret(
        "secret-pkcs12.json", base64.b64encode(certs_only.read_bytes()).decode(),
        chain.server.certificate,
    )  # fmt: skip
    answer["body"]["kid"] = f"{base}/keys/web-cert/{VERSION}"
    reader, transport = reader_for(
        {url: answer, f"{base}/keys/web-cert/{VERSION}": recorded("key-rsa-hsm.json")}, credential
    )
    check = reader.check(url, sku=SKU, now=NOW, location=WHERE)
    assert [(f.code, f.severity) for f in check.findings] == [
        ("KV004", Severity.ERROR),
        ("KV003", Severity.ERROR),
    ]
    assert "RSA-HSM" in check.findings[0].message
    assert check.findings[1].certificate == chain.server.certificate.subject.rfc4514_string()
    assert transport.unexpected == []

    # without keys/get the key type stays unknown: the missing key alone is reported
    refused, _ = reader_for(
        {url: answer, f"{base}/keys/web-cert/{VERSION}": recorded("forbidden-by-rbac-403.json")},
        credential,
    )
    assert [f.code for f in refused.check(url, sku=SKU, now=NOW).findings] == ["KV003"]


def test_expired_certificate_secret(
    openssl: str, tmp_path: Path, credential: FakeCredential
) -> None:
    old = build_test_chain(["www.contoso.com"], valid_days=30, not_before=NOW - timedelta(days=60))
    pfx = empty_password_pfx(openssl, tmp_path, key=old.server.key_pem(), certs=full_chain_pem(old))
    url = f"{vault('kv-expired')}/secrets/web-cert"
    answer = secret("secret-pkcs12.json", base64.b64encode(pfx).decode(), old.server.certificate)
    reader, _ = reader_for({url: answer}, credential)
    found = reader.check(url, sku=SKU, now=NOW, location=WHERE).findings
    # the secret's exp is its certificate's not-after: GEN002 says it once
    assert {f.code for f in found} == {"GEN002"}
    assert all(f.severity is Severity.ERROR for f in found)
    assert old.server.certificate.subject.rfc4514_string() in {f.certificate for f in found}


def test_certificate_id_reads_the_certificates_secret(
    chain: TestChain, pkcs12_value: str, credential: FakeCredential
) -> None:
    base = vault("kv-certid")
    reader, transport = reader_for(
        {f"{base}/secrets/web-cert": secret("secret-pkcs12.json", pkcs12_value,
                                            chain.server.certificate)},
        credential,
    )  # fmt: skip
    check = reader.check(f"{base}/certificates/web-cert", sku=SKU, now=NOW)
    assert check.findings == ()  # KV001 comes from the id (key_vault_id_findings)
    assert transport.seen[-1] == (f"{base}/secrets/web-cert", True)


@pytest.mark.parametrize(
    ("recording", "severity", "words"),
    [
        ("forbidden-403.json", Severity.WARNING, ["AccessDenied", "Key Vault Secrets User"]),
        ("forbidden-by-rbac-403.json", Severity.WARNING, ["ForbiddenByRbac", "Get on secrets"]),
        ("disabled-403.json", Severity.ERROR, ["is disabled", "SecretDisabled"]),
        ("not-found-404.json", Severity.ERROR, ["SecretNotFound", "SecretDeletedFromKeyVault"]),
    ],
)
def test_unreadable_secret(
    recording: str, severity: Severity, words: list[str], credential: FakeCredential
) -> None:
    url = f"{vault('kv-' + recording.removesuffix('.json'))}/secrets/web-cert"
    reader, _ = reader_for({url: recorded(recording)}, credential)
    (f,) = reader.check(url, sku=SKU, now=NOW, location=WHERE).findings
    assert (f.code, f.severity, f.location) == ("KV002", severity, WHERE)
    assert all(word in f.message for word in words), f.message
    if severity is Severity.WARNING:  # only the audit's identity was refused: name it
        assert "user alice@contoso.com" in f.message
        assert f.azure_error is None
    else:  # the gateway fails too
        assert f.azure_error == "ApplicationGatewayKeyVaultSecretException"
    assert credential.token not in f.message


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        (
            {"xms_mirid": "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/"
             "userAssignedIdentities/appgw-kv-reader", "oid": "0b1c"},
            "managed identity appgw-kv-reader (object id 0b1c)",
        ),
        ({"appid": "04b07795", "oid": "6f1d"}, "application 04b07795 (object id 6f1d)"),
        (None, "the credential FakeCredential"),  # a token that is no JWT names nobody
    ],
)  # fmt: skip
def test_refusal_names_the_identity(claims: dict[str, str] | None, named: str) -> None:
    url = f"{vault('kv-who-' + named.split(maxsplit=1)[0])}/secrets/web-cert"
    reader, _ = reader_for({url: recorded("forbidden-403.json")}, FakeCredential(claims))
    (f,) = reader.check(url, sku=SKU, now=NOW).findings
    assert f"Key Vault refused {named}" in f.message


def test_no_token_and_no_vault_are_warnings() -> None:
    url = f"{vault('kv-notoken')}/secrets/web-cert"
    reader, transport = reader_for({}, RefusingCredential())
    (f,) = reader.check(url, sku=SKU, now=NOW).findings
    assert (f.code, f.severity) == ("KV002", Severity.WARNING)
    assert "no token for the credential RefusingCredential: no identity here" in f.message
    assert "second line" not in f.message

    unknown = f"{vault('kv-unrecorded')}/secrets/web-cert"
    reader, transport = reader_for({}, FakeCredential({"upn": "bob@contoso.com"}))
    (f,) = reader.check(unknown, sku=SKU, now=NOW).findings
    assert (f.code, f.severity) == ("KV002", Severity.WARNING)
    assert "could not be reached as user bob@contoso.com" in f.message
    assert transport.unexpected == [unknown]


def test_unusable_ids_are_not_read(credential: FakeCredential) -> None:
    reader, transport = reader_for({}, credential)
    for reference in ("https://example.com/secrets/web", f"{vault('kv-ids')}/keys/web"):
        assert reader.check(reference, sku=SKU, now=NOW).findings == ()
        assert reader.fetch(reference).problem is not None
        assert reader.fetch(reference).problem.code == "KV001"  # type: ignore[union-attr]
    assert transport.seen == []
