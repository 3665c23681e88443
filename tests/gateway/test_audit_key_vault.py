"""audit_gateway(..., key_vault=reader): the secrets a gateway references, read through
recorded Key Vault answers and checked as the gateway will use them.

The oracle for a secret's findings is the same PFX in the same gateway as a template's
``data`` (with an empty password), less the rules that do not apply to a secret the
gateway reads itself: the password's shape (LST005) and, for a Key Vault certificate's
own secret, its encryption (LST007). No test touches the network (sockets refuse).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from appgw_certs import GatewayAudit, Severity, TestChain, audit_gateway, build_test_chain
from helpers.gateway import GatewayBuilder, b64
from helpers.keyvault import (
    VERSION,
    FakeCredential,
    empty_password_pfx,
    full_chain_pem,
    reader_for,
    recorded,
    refuse_network,
    secret,
    vault,
)

NOW = datetime.now(UTC)
ALICE = {"upn": "alice@contoso.com"}
Shape = tuple[str, Severity, str | None, str]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_network(monkeypatch)


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"])


def at(audit: GatewayAudit, location: str) -> set[Shape]:
    """The findings at one object, as code, severity, certificate and message."""
    return {
        (f.code, f.severity, f.certificate, f.message)
        for f in audit.report.findings
        if f.location == location
    }


def located(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


def listeners(g: GatewayBuilder, **certificate_of: str) -> None:
    """An HTTPS listener per host name, on the certificate object named."""
    g.add("frontendPorts", "p443", port=443)
    for host, cert in certificate_of.items():
        g.add(
            "httpListeners",
            host,
            protocol="Https",
            frontendPort=g.ref("frontendPorts", "p443"),
            sslCertificate=g.ref("sslCertificates", cert),
            hostName=f"{host}.contoso.com" if host != "fabrikam" else "api.fabrikam.com",
        )


def without(shapes: set[Shape], *codes: str) -> set[Shape]:
    return {shape for shape in shapes if shape[0] not in codes}


def test_secrets_get_the_pfx_findings_at_their_objects(
    openssl: str, tmp_path: Path, chain: TestChain
) -> None:
    client = chain.issue_client("alice")
    pfx = {
        "web": full_chain_pem(chain),  # complete: nothing to say
        "two-leaves": full_chain_pem(chain) + client.cer(),  # LST011
        "lonely": chain.server.cer(),  # no intermediate: LST008, judged by the audit once
    }
    for name, certs in pfx.items():
        (tmp_path / name).mkdir()
        pfx[name] = empty_password_pfx(openssl, tmp_path / name, key=chain.server.key_pem(),
                                       certs=certs)  # fmt: skip
    base = vault("kv-audit-content")
    routes = {
        f"{base}/secrets/web": secret("secret-pkcs12.json", b64(pfx["web"]),
                                      chain.server.certificate),
        f"{base}/secrets/two-leaves": secret("secret-plain-pfx.json", b64(pfx["two-leaves"]),
                                             chain.server.certificate),
        f"{base}/secrets/lonely": secret("secret-pkcs12.json", b64(pfx["lonely"]),
                                         chain.server.certificate),
    }  # fmt: skip
    in_vault, as_data = GatewayBuilder(), GatewayBuilder()
    for name, data in pfx.items():
        in_vault.add("sslCertificates", name, keyVaultSecretId=f"{base}/secrets/{name}/")
        as_data.add("sslCertificates", name, data=b64(data), password="")
    for g in (in_vault, as_data):
        listeners(g, www="web", fabrikam="web")
    reader, transport = reader_for(routes, FakeCredential(ALICE))
    with reader:
        audit = audit_gateway(in_vault.rest(), now=NOW, key_vault=reader)
    oracle = audit_gateway(as_data.rest(put=True), now=NOW)

    where = {name: f"sslCertificates[{name}]" for name in pfx}
    # a Key Vault certificate's own secret: Key Vault wrote the PFX, its encryption is not
    # the user's; the secret set by hand keeps LST007
    assert "LST007" in {shape[0] for shape in at(oracle, where["web"])}
    assert at(audit, where["web"]) == without(at(oracle, where["web"]), "LST005", "LST007") == set()
    assert at(audit, where["lonely"]) == without(at(oracle, where["lonely"]), "LST005", "LST007")
    lonely = [f.code for f in audit.report.findings if f.location == where["lonely"]]
    assert lonely.count("LST008") == 1
    assert set(lonely) - {"GW003", "GW011"} == {"LST008"}  # unused; its leaf is web's
    two = at(audit, where["two-leaves"])
    assert two == without(at(oracle, where["two-leaves"]), "LST005")
    assert {"LST011", "LST007"} <= {shape[0] for shape in two}
    assert "LST005" in {shape[0] for shape in at(oracle, where["two-leaves"])}

    # the secret's certificates are the object's, and the cross-checks judge them
    web = {c.name: c for c in audit.certificates}["web"]
    assert [c.role for c in web.certificates] == ["leaf", "intermediate", "root"]
    assert web.certificates[0].dns_names == ("www.contoso.com",)
    assert located(audit, "GW001") == located(oracle, "GW001") == {"httpListeners[fabrikam]"}
    assert "GW013" not in audit.report.codes
    assert transport.unexpected == []
    assert all(b64(data) not in audit.to_json() for data in pfx.values())

    # without a reader: nothing read, the ids alone judged, every object unknown
    offline = audit_gateway(in_vault.rest(), now=NOW)
    assert located(offline, "GW013") == set(where.values())
    assert located(offline, "GW001") == set()
    assert all(c.certificates == () for c in offline.certificates)


@pytest.mark.parametrize(
    ("recording", "severity"),
    [("forbidden-403.json", Severity.WARNING), ("not-found-404.json", Severity.ERROR)],
)
def test_unreadable_secret_is_kv002(recording: str, severity: Severity) -> None:
    url = f"{vault('kv-audit-' + recording[:-5])}/secrets/web"
    g = GatewayBuilder()
    g.add("sslCertificates", "web", keyVaultSecretId=url)
    reader, _ = reader_for({url: recorded(recording)}, FakeCredential(ALICE))
    audit = audit_gateway(g.rest(), now=NOW, key_vault=reader)
    (kv002,) = [f for f in audit.report.findings if f.code == "KV002"]
    assert (kv002.location, kv002.severity) == ("sslCertificates[web]", severity)
    assert "GW013" not in audit.report.codes  # KV002 says why the secret was not judged
    assert audit.certificates[0].certificates == ()


def test_unreadable_secret_keeps_the_certificates_a_get_returned(chain: TestChain) -> None:
    """A GET holds the certificate the gateway last fetched (publicCertData): when the
    audit's identity cannot read the secret, that copy is still listed and checked."""
    url = f"{vault('kv-audit-get')}/secrets/web"
    g = GatewayBuilder()
    g.listener_cert("web", [c.certificate for c in (chain.server, *chain.intermediates)],
                    key_vault=url)  # fmt: skip
    reader, _ = reader_for({url: recorded("forbidden-by-rbac-403.json")}, FakeCredential(ALICE))
    audit = audit_gateway(g.rest(), now=NOW, key_vault=reader)
    assert audit.certificates[0].certificates[0].dns_names == ("www.contoso.com",)
    assert {(f.code, f.severity) for f in audit.report.findings} == {
        ("KV002", Severity.WARNING),
        ("GW003", Severity.INFO),  # no listener uses it
    }


def test_a_certificate_id_is_kv001_with_or_without_the_reader(
    chain: TestChain, openssl: str, tmp_path: Path
) -> None:
    base = vault("kv-audit-certid")
    data = empty_password_pfx(openssl, tmp_path, key=chain.server.key_pem(),
                              certs=full_chain_pem(chain))  # fmt: skip
    g = GatewayBuilder()
    g.add("sslCertificates", "web", keyVaultSecretId=f"{base}/certificates/web")
    reader, transport = reader_for(
        {f"{base}/secrets/web": secret("secret-pkcs12.json", b64(data), chain.server.certificate)},
        FakeCredential(ALICE),
    )
    read = audit_gateway(g.rest(), now=NOW, key_vault=reader)
    offline = audit_gateway(g.rest(), now=NOW)
    assert located(read, "KV001") == located(offline, "KV001") == {"sslCertificates[web]"}
    # the gateway would fail on the id; the reader still reads the certificate's secret
    assert transport.seen[-1] == (f"{base}/secrets/web", True)
    assert read.certificates[0].certificates[0].dns_names == ("www.contoso.com",)
    assert located(offline, "GW013") == {"sslCertificates[web]"}


def test_a_versioned_id_is_kv005_never_gw012(
    chain: TestChain, openssl: str, tmp_path: Path
) -> None:
    url = f"{vault('kv-audit-pinned')}/secrets/web/{VERSION}"
    data = empty_password_pfx(openssl, tmp_path, key=chain.server.key_pem(),
                              certs=full_chain_pem(chain))  # fmt: skip
    g = GatewayBuilder()
    g.add("sslCertificates", "web", keyVaultSecretId=url)
    g.add("sslCertificates", "web-again", keyVaultSecretId=url)  # read once for both
    reader, transport = reader_for(
        {url: secret("secret-pkcs12.json", b64(data), chain.server.certificate)},
        FakeCredential(ALICE),
    )
    for audit in (audit_gateway(g.rest(), now=NOW, key_vault=reader), audit_gateway(g.rest())):
        assert located(audit, "KV005") == {"sslCertificates[web]", "sslCertificates[web-again]"}
        assert "GW012" not in audit.report.codes
    assert [seen for seen in transport.seen if seen[1]] == [(url, True)]


def test_trusted_roots_are_read_client_cas_are_not(chain: TestChain) -> None:
    """The REST API gives trusted roots a keyVaultSecretId, trusted client CAs none. A
    base64 PEM secret (as az keyvault secret set --encoding base64 writes it) is read."""
    base = vault("kv-audit-roots")

    def pem_secret(pem: bytes) -> dict[str, Any]:
        return secret("secret-plain-pfx.json", base64.b64encode(pem).decode(),
                      chain.root.certificate)  # fmt: skip

    routes = {
        f"{base}/secrets/root": pem_secret(chain.root.cer()),
        f"{base}/secrets/not-a-root": pem_secret(chain.intermediates[0].cer()),
    }
    g = GatewayBuilder()
    for name in routes:
        g.add("trustedRootCertificates", name.rsplit("/", 1)[1], keyVaultSecretId=name)
    g.add("trustedClientCertificates", "client-ca", keyVaultSecretId=f"{base}/secrets/ca")
    reader, transport = reader_for(routes, FakeCredential(ALICE))
    audit = audit_gateway(g.rest(), now=NOW, key_vault=reader)
    listed = {c.name: [i.subject for i in c.certificates] for c in audit.certificates}
    assert listed["root"] == [chain.root.certificate.subject.rfc4514_string()]
    assert without(at(audit, "trustedRootCertificates[root]"), "GW003") == set()  # unused
    assert located(audit, "ROOT002") == {"trustedRootCertificates[not-a-root]"}
    assert located(audit, "GW013") == {"trustedClientCertificates[client-ca]"}
    (unread,) = [f for f in audit.report.findings if f.code == "GW013"]
    assert "listener and trusted root certificates only" in unread.message
    assert f"{base}/secrets/ca" not in {url for url, _ in transport.seen}


def test_key_vault_must_be_a_reader() -> None:
    with pytest.raises(TypeError, match="key_vault"):
        audit_gateway({"name": "gw"}, key_vault="https://kv.vault.azure.net")  # type: ignore[arg-type]
