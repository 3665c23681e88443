"""audit_gateway: the REST spec's examples, gateways built from real certificates in
all three JSON shapes (the same findings from each), an ARM template with and
without its parameters file, real-world certificates, and bad input."""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from appgw_certs import (
    CertificateFormatError,
    GatewayAudit,
    KeyType,
    Sku,
    Slot,
    TestChain,
    TrustStore,
    audit_gateway,
    build_self_signed,
    build_test_chain,
    check_upload,
)
from helpers.gateway import GatewayBuilder, b64, flatten, shape_findings

EXAMPLES = Path(__file__).parents[1] / "data" / "gateway-examples"
PASSWORD = "Passw0rd1"


def example(name: str) -> dict[str, object]:
    body = json.loads((EXAMPLES / name).read_text())["body"]
    assert isinstance(body, dict)
    return body


def vector(path: str) -> bytes:
    with cryptography_vectors.open_vector_file(path, "rb") as handle:
        data: bytes = handle.read()
    return data


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    """Locations of the findings of one code."""
    return {f.location for f in audit.report.findings if f.code == code}


# -- the REST specification's examples ----------------------------------------------


def test_rest_get_example_placeholders_are_unknown_not_malformed() -> None:
    audit = audit_gateway(example("rest-spec-2025-03-01-ApplicationGatewayGet.response.json"))
    assert audit.gateway == "appgw"
    assert audit.sku is Sku.STANDARD
    assert at(audit, "GW013") == {
        "sslCertificates[sslcert]",
        "trustedClientCertificates[clientcert]",
    }
    assert "GEN001" not in audit.report.codes
    # mTLS on a v1 gateway: the REST example's own inconsistency (client CAs need v2)
    assert at(audit, "GEN006") == {
        "trustedClientCertificates[clientcert]",
        "sslProfiles[sslProfile1]",
    }
    # ids of the sections trimmed from the example dangle
    assert "urlPathMaps[pathMap1]" in at(audit, "GW002")
    used = {c.name: c.used_by for c in audit.certificates}
    assert used == {"sslcert": ("appgwhl",), "clientcert": ("sslProfile1",)}
    assert all(f.location for f in audit.report.findings)


def test_rest_create_example_key_vault_and_placeholders() -> None:
    audit = audit_gateway(example("rest-spec-2025-03-01-ApplicationGatewayCreate.request.json"))
    assert audit.gateway == "appgw"  # the PUT body has no name: taken from its ids
    assert audit.sku is Sku.STANDARD_V2
    kv = {c.name: c.key_vault_secret_id for c in audit.certificates if c.key_vault_secret_id}
    assert kv == {"sslcert2": "https://kv/secret", "rootcert1": "https://kv/secret"}
    assert {"sslCertificates[sslcert2]", "trustedRootCertificates[rootcert1]"} <= at(audit, "GW013")
    assert "GW012" not in audit.report.codes  # KV005 in its place, and no version here
    # the example's placeholder host is no vault (NAME.vault.azure.net): not a secret id
    assert at(audit, "KV001") == {"sslCertificates[sslcert2]", "trustedRootCertificates[rootcert1]"}
    assert at(audit, "GW003") >= {"trustedRootCertificates[rootcert]", "sslCertificates[sslcert2]"}
    assert all(c.certificates == () for c in audit.certificates)


def test_examples_audit_the_same_in_cli_shape() -> None:
    for name in EXAMPLES.glob("*.json"):
        body = json.loads(name.read_text())["body"]
        rest, cli = audit_gateway(body), audit_gateway(flatten(body))  # type: ignore[arg-type]
        assert shape_findings(rest.report.findings) == shape_findings(cli.report.findings)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_examples_audit_the_same_whole_file_or_in_spec_wrappers(path: Path) -> None:
    # The file as it is ({"_source", "body"}) and azure-rest-api-specs' example shapes
    # ({"parameters": {"parameters": PUT}}, {"responses": {"200": {"body": GET}}}).
    body = json.loads(path.read_text())["body"]
    expected = shape_findings(audit_gateway(body).report.findings)
    wrapped = [
        path,
        {"parameters": {"api-version": "2025-03-01", "parameters": body}},
        {"parameters": {"api-version": "2025-03-01"}, "responses": {"200": {"body": body}}},
    ]
    for document in wrapped:
        assert shape_findings(audit_gateway(document).report.findings) == expected  # type: ignore[arg-type]


# -- a gateway built from real certificates ------------------------------------------


NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def web() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


@pytest.fixture(scope="module")
def clients() -> TestChain:
    return build_test_chain(["unused.example"], key_type=KeyType.EC_P256, organization="Clients")


@pytest.fixture(scope="module")
def builder(web: TestChain, clients: TestChain) -> GatewayBuilder:
    wild = web.issue_server(["*.contoso.com"], key_type=KeyType.EC_P256)
    lonely = web.issue_server(["lonely.contoso.com"], key_type=KeyType.EC_P256)
    expired_root = build_self_signed(
        ["old-root.example"],
        ca=True,
        key_type=KeyType.EC_P256,
        not_before=NOW - timedelta(days=400),
        valid_days=30,
    )
    chain = [c.certificate for c in web.intermediates]
    full = [web.server.certificate, *chain, web.root.certificate]
    g = GatewayBuilder(name="gw", tier="Standard_v2")
    g.listener_cert(
        "web-cert",
        [web.root.certificate, web.server.certificate, *chain],
        web.listener_pfx(PASSWORD),
        PASSWORD,
    )
    g.listener_cert("copy-cert", full, web.listener_pfx(PASSWORD), PASSWORD)
    g.listener_cert(
        "wild-cert",
        [wild.certificate, *chain, web.root.certificate],
        wild.pfx(PASSWORD, chain=[*chain, web.root.certificate]),
        PASSWORD,
    )
    g.listener_cert("lonely-cert", [lonely.certificate], lonely.pfx(PASSWORD), PASSWORD)
    g.listener_cert(
        "kv-cert", key_vault="https://vault.vault.azure.net/secrets/web/0123456789abcdef"
    )
    g.add("trustedRootCertificates", "root-a", data=b64(web.trusted_root_cer("der")))
    g.add("trustedRootCertificates", "not-a-root", data=b64(web.intermediates[0].cer()))
    g.add("trustedRootCertificates", "old-root", data=b64(expired_root.cer()))
    g.add("trustedClientCertificates", "client-ca", data=b64(clients.client_ca_cer()))
    g.add(
        "sslProfiles",
        "mtls",
        clientAuthConfiguration={"verifyClientCertIssuerDN": True},
        trustedClientCertificates=[g.ref("trustedClientCertificates", "client-ca")],
    )
    g.add("sslProfiles", "strict-empty", clientAuthConfiguration={"verifyClientAuthMode": "Strict"})
    g.add("frontendPorts", "p443", port=443)
    g.add("backendAddressPools", "pool-fqdn", backendAddresses=[{"fqdn": "backend.contoso.com"}])
    g.add("backendAddressPools", "pool-ip", backendAddresses=[{"ipAddress": "10.1.2.3"}])
    g.add("probes", "probe-good", protocol="Https", host="backend.contoso.com", path="/")
    g.add("probes", "probe-bad", protocol="Https", path="/")
    g.add(
        "backendHttpSettingsCollection",
        "be-https",
        port=443,
        protocol="Https",
        hostName="backend.contoso.com",
        trustedRootCertificates=[g.ref("trustedRootCertificates", "root-a")],
        probe=g.ref("probes", "probe-good"),
    )
    g.add(
        "backendHttpSettingsCollection",
        "be-ip",
        port=443,
        protocol="Https",
        pickHostNameFromBackendAddress=True,
        probe=g.ref("probes", "probe-bad"),
    )
    g.add(
        "backendHttpSettingsCollection",
        "be-relaxed",
        port=443,
        protocol="Https",
        hostName="x.contoso.com",
        validateCertChainAndExpiry=False,
        trustedRootCertificates=[
            g.ref("trustedRootCertificates", "not-a-root"),
            g.ref("trustedRootCertificates", "old-root"),
        ],
    )

    def listener(name: str, cert: str, **more: object) -> None:
        g.add(
            "httpListeners",
            name,
            protocol="Https",
            frontendPort=g.ref("frontendPorts", "p443"),
            sslCertificate=g.ref("sslCertificates", cert),
            **more,
        )

    listener("web", "web-cert", hostName="www.contoso.com", sslProfile=g.ref("sslProfiles", "mtls"))
    listener("wild", "wild-cert", hostNames=["*.contoso.com"])
    listener("other", "wild-cert", hostName="api.fabrikam.com")
    listener("lonely", "lonely-cert")
    listener("vault", "kv-cert", hostName="vault.contoso.com")

    def rule(name: str, listener_name: str, pool: str, settings: str) -> None:
        g.add(
            "requestRoutingRules",
            name,
            ruleType="Basic",
            priority=len(name),
            httpListener=g.ref("httpListeners", listener_name),
            backendAddressPool=g.ref("backendAddressPools", pool),
            backendHttpSettings=g.ref("backendHttpSettingsCollection", settings),
        )

    rule("r-web", "web", "pool-fqdn", "be-https")
    rule("r-wild", "wild", "pool-ip", "be-ip")
    rule("r-other", "other", "pool-fqdn", "be-relaxed")
    rule("r-dangling", "missing-listener", "pool-fqdn", "be-https")
    return g


@pytest.fixture(scope="module")
def rest_audit(builder: GatewayBuilder) -> GatewayAudit:
    return audit_gateway(builder.rest(), now=NOW)


EXPECTED = {
    ("GW001", "httpListeners[other]"),
    ("GW014", "httpListeners[wild]"),
    ("GW002", "requestRoutingRules[r-dangling]"),
    ("GW003", "sslCertificates[copy-cert]"),
    ("GW011", "sslCertificates[copy-cert]"),
    ("KV005", "sslCertificates[kv-cert]"),
    ("GW013", "sslCertificates[kv-cert]"),
    ("GW004", "backendHttpSettingsCollection[be-ip]"),
    ("GW005", "backendHttpSettingsCollection[be-ip]"),
    ("GW006", "probes[probe-bad]"),
    ("GW007", "backendHttpSettingsCollection[be-relaxed]"),
    ("GW009", "sslProfiles[strict-empty]"),
    ("LST008", "sslCertificates[lonely-cert]"),
    ("ROOT002", "trustedRootCertificates[not-a-root]"),
    ("GEN002", "trustedRootCertificates[old-root]"),
}


def test_cross_checks_fire_where_expected(rest_audit: GatewayAudit) -> None:
    found = {(f.code, f.location) for f in rest_audit.report.findings}
    assert found >= EXPECTED, EXPECTED - found
    # and nowhere else for the codes a correct object must not get
    assert at(rest_audit, "GW001") == {"httpListeners[other]"}
    assert at(rest_audit, "LST008") == {"sslCertificates[lonely-cert]"}
    assert at(rest_audit, "GW004") == {"backendHttpSettingsCollection[be-ip]"}
    assert at(rest_audit, "GEN006") == set()
    assert not rest_audit.report.ok


def test_certificates_listed_with_infos_and_users(rest_audit: GatewayAudit, web: TestChain) -> None:
    by_name = {c.name: c for c in rest_audit.certificates}
    web_cert = by_name["web-cert"]
    assert web_cert.slot is Slot.LISTENER
    assert web_cert.used_by == ("web",)
    # the PKCS#7 bundle came root first: the leaf is found anyway
    assert web_cert.certificates[0].role == "leaf"
    assert web_cert.certificates[0].dns_names == ("www.contoso.com",)
    assert len(web_cert.certificates) == 3
    assert by_name["wild-cert"].used_by == ("wild", "other")
    assert by_name["root-a"].used_by == ("be-https",)
    assert by_name["client-ca"].used_by == ("mtls",)
    assert by_name["kv-cert"].certificates == ()
    thumb = web.server.certificate.fingerprint(hashes.SHA1())  # noqa: S303 - the portal's thumbprint
    assert web_cert.certificates[0].sha1_thumbprint == thumb.hex().upper()


def test_same_findings_from_every_shape(builder: GatewayBuilder, rest_audit: GatewayAudit) -> None:
    expected = shape_findings(rest_audit.report.findings)
    cli = audit_gateway(builder.cli(), now=NOW)
    arm = audit_gateway(builder.arm(), parameters=builder.arm_parameters(), now=NOW)
    nested = audit_gateway(
        json.dumps(builder.arm(nested=True)), parameters=builder.arm_parameters(), now=NOW
    )
    assert shape_findings(cli.report.findings) == expected
    assert shape_findings(arm.report.findings) == expected
    assert shape_findings(nested.report.findings) == expected
    assert arm.gateway == cli.gateway == "gw"
    assert arm.sku is Sku.STANDARD_V2


def test_arm_template_without_parameters_reports_unknowns(builder: GatewayBuilder) -> None:
    audit = audit_gateway(builder.arm(), now=NOW)
    listener_objects = {f"sslCertificates[{n}]" for n in builder.listener_certs}
    assert listener_objects <= at(audit, "GW013")
    assert "GW001" not in audit.report.codes  # nothing to judge the names against
    assert "GEN001" not in audit.report.codes
    assert "LST001" not in audit.report.codes
    # the ids still resolve: they use the gateway name's default value
    assert at(audit, "GW002") == {"requestRoutingRules[r-dangling]"}


def test_arm_parameters_as_plain_values(builder: GatewayBuilder) -> None:
    plain = {k: v["value"] for k, v in builder.arm_parameters()["parameters"].items()}  # type: ignore[union-attr]
    audit = audit_gateway(builder.arm(), parameters=plain, now=NOW)
    assert ("GW001", "httpListeners[other]") in {
        (f.code, f.location) for f in audit.report.findings
    }


def test_wrong_pfx_password_in_parameters_is_a_finding(builder: GatewayBuilder) -> None:
    params = builder.arm_parameters()
    params["parameters"]["WebCertPassword"] = {"value": "wrong1234"}  # type: ignore[index]
    audit = audit_gateway(builder.arm(), parameters=params, now=NOW)
    assert at(audit, "LST002") == {"sslCertificates[web-cert]"}


def test_upload_checks_run_per_object_with_location(
    rest_audit: GatewayAudit, builder: GatewayBuilder
) -> None:
    # the audit's findings at an object are the slot's upload checks of its bytes
    for element in builder.collections["trustedRootCertificates"]:
        data = base64.b64decode(element["properties"]["data"])  # type: ignore[index]
        direct = check_upload(Slot.TRUSTED_ROOT, data, sku=Sku.STANDARD_V2, now=NOW)
        location = f"trustedRootCertificates[{element['name']}]"
        audited = {f.code for f in rest_audit.report.findings if f.location == location}
        assert direct.codes - {"GEN006"} <= audited


def test_expiry_window_is_the_callers(builder: GatewayBuilder, web: TestChain) -> None:
    leaf_end = web.server.certificate.not_valid_after_utc
    near = audit_gateway(builder.rest(), now=leaf_end - timedelta(days=10), expiry_warning_days=30)
    far = audit_gateway(builder.rest(), now=leaf_end - timedelta(days=10), expiry_warning_days=5)
    assert "sslCertificates[web-cert]" in at(near, "GEN003")
    assert "sslCertificates[web-cert]" not in at(far, "GEN003")
    later = audit_gateway(builder.rest(), now=leaf_end + timedelta(days=1))
    assert "sslCertificates[web-cert]" in at(later, "GEN002")


def test_v1_gateway_gets_sku_findings(builder: GatewayBuilder) -> None:
    body = builder.rest()
    body["properties"]["sku"] = {"name": "Standard_Medium", "tier": "Standard"}  # type: ignore[index]
    audit = audit_gateway(body, now=NOW)
    assert audit.sku is Sku.STANDARD
    assert {
        "trustedRootCertificates[root-a]",
        "trustedClientCertificates[client-ca]",
        "sslCertificates[kv-cert]",
        "httpListeners[wild]",
    } <= at(audit, "GEN006")
    assert "GW004" not in audit.report.codes  # v1 has no well-known CA mode


def test_rendering(rest_audit: GatewayAudit) -> None:
    text = str(rest_audit)
    assert text.startswith("Gateway gw (Standard_v2)")
    lines = text.splitlines()
    # certificates by next expiry: the expired root first, unknown (Key Vault) last
    assert "old-root" in lines[1]
    assert (
        "kv-cert"
        in [line for line in lines if line.startswith("  ")][len(rest_audit.certificates) - 1]
    )
    assert "GW001" in text
    html = rest_audit._repr_html_()
    assert "<table" in html
    assert "old-root" in html
    assert "GW014" in html
    data = json.loads(rest_audit.to_json())
    assert data["gateway"] == "gw"
    assert data["sku"] == "Standard_v2"
    assert {c["name"] for c in data["certificates"]} >= {"web-cert", "root-a"}
    assert data["report"]["counts"]["error"] == len(rest_audit.report.errors)


def test_cli_issuer_dn_mismatch(clients: TestChain, web: TestChain) -> None:
    g = GatewayBuilder()
    g.add(
        "trustedClientCertificates",
        "ok",
        data=b64(clients.client_ca_cer()),
        clientCertIssuerDN=_azure_dn(clients.issuer.certificate.subject),
    )
    g.add(
        "trustedClientCertificates",
        "moved",
        data=b64(clients.client_ca_cer()),
        clientCertIssuerDN=_azure_dn(clients.root.certificate.subject),
    )
    audit = audit_gateway(g.rest(), now=NOW)
    assert at(audit, "GW010") == {"trustedClientCertificates[moved]"}
    assert at(audit, "GW011") == {"trustedClientCertificates[moved]"}


def _azure_dn(name: x509.Name) -> str:
    """The Windows form Azure returns: most specific first, ', ' separated, S= for ST."""
    parts = [f"{a.rfc4514_attribute_name}={a.value}" for a in reversed(list(name))]
    return ", ".join(p.replace("ST=", "S=") for p in parts)


# -- real-world certificates and openssl-written bundles ----------------------------------


def test_real_world_chain_from_cryptography_vectors(openssl: str, tmp_path: Path) -> None:
    chain_pem = tmp_path / "chain.pem"
    chain_pem.write_bytes(vector("x509/cryptography.io.chain.pem"))
    der = subprocess.run(
        [openssl, "crl2pkcs7", "-nocrl", "-certfile", str(chain_pem), "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    g = GatewayBuilder(tier="WAF_v2")
    g.add("sslCertificates", "docs", publicCertData=b64(der))
    g.add(
        "sslCertificates",
        "wild",
        publicCertData=b64(
            x509.load_pem_x509_certificate(vector("x509/wildcard_san.pem")).public_bytes(
                serialization.Encoding.DER
            )
        ),
    )
    g.add(
        "httpListeners",
        "io",
        protocol="Https",
        hostNames=["www.cryptography.io", "cryptography.io"],
        sslCertificate=g.ref("sslCertificates", "docs"),
    )
    g.add(
        "httpListeners",
        "docs",
        protocol="Https",
        hostName="docs.cryptography.io",
        sslCertificate=g.ref("sslCertificates", "docs"),
    )
    g.add(
        "httpListeners",
        "langui",
        protocol="Https",
        hostNames=["*.langui.sh"],
        sslCertificate=g.ref("sslCertificates", "wild"),
    )
    then = datetime(2017, 6, 1, tzinfo=UTC)
    audit = audit_gateway(g.cli(), now=then)
    assert at(audit, "GW001") == {"httpListeners[docs]"}
    assert at(audit, "GW014") == {"httpListeners[langui]"}
    assert at(audit, "LST008") == {"sslCertificates[wild]"}  # a bare leaf, its issuer absent
    assert "GEN002" not in audit.report.codes
    info = {c.name: c for c in audit.certificates}["docs"].certificates
    assert info[0].subject.startswith("CN=www.cryptography.io")
    today = audit_gateway(g.cli())
    assert {"sslCertificates[docs]", "sslCertificates[wild]"} <= at(today, "GEN002")


def test_real_world_md2_root_as_trusted_root() -> None:
    root = x509.load_pem_x509_certificate(vector("x509/verisign_md2_root.pem"))
    g = GatewayBuilder()
    g.add(
        "trustedRootCertificates",
        "verisign",
        data=b64(root.public_bytes(serialization.Encoding.DER)),
    )
    audit = audit_gateway(g.rest(), now=datetime(2020, 1, 1, tzinfo=UTC))
    expected = check_upload(
        Slot.TRUSTED_ROOT,
        vector("x509/verisign_md2_root.pem"),
        sku="v2",
        now=datetime(2020, 1, 1, tzinfo=UTC),
    )
    located = {
        f.code for f in audit.report.findings if f.location == "trustedRootCertificates[verisign]"
    }
    assert (expected.codes - {"GEN006", "ROOT006"}) <= located
    assert at(audit, "GW003") == {"trustedRootCertificates[verisign]"}


def test_bare_der_public_cert_data_2016_form(web: TestChain) -> None:
    g = GatewayBuilder()
    g.add("sslCertificates", "old", publicCertData=b64(web.server.cer("der")))
    audit = audit_gateway(g.rest(), now=NOW)
    assert [c.role for c in audit.certificates[0].certificates] == ["leaf"]
    assert at(audit, "LST008") == {"sslCertificates[old]"}


def test_client_certificate_as_listener_is_lst010_from_public_or_pfx_data(web: TestChain) -> None:
    # A GET shows publicCertData, a template data + password: both must say LST010.
    client = web.issue_client("alice", key_type=KeyType.EC_P256)
    bundle = pkcs7.serialize_certificates(
        [client.certificate, web.issuer.certificate], serialization.Encoding.DER
    )
    g = GatewayBuilder()
    g.add("sslCertificates", "public", publicCertData=b64(bundle))
    g.add("sslCertificates", "pfx", data=b64(client.pfx("Passw0rd1")), password="Passw0rd1")
    audit = audit_gateway(g.rest(), now=NOW)
    assert at(audit, "LST010") == {"sslCertificates[public]", "sslCertificates[pfx]"}


def test_another_leaf_is_lst011_from_public_or_pfx_data(web: TestChain) -> None:
    client = web.issue_client("alice", key_type=KeyType.EC_P256)
    extra = [web.issuer.certificate, client.certificate]
    bundle = pkcs7.serialize_certificates(
        [web.server.certificate, *extra], serialization.Encoding.DER
    )
    pfx = pkcs12.serialize_key_and_certificates(
        None,
        web.server.private_key,
        web.server.certificate,
        extra,
        serialization.BestAvailableEncryption(b"Passw0rd1"),
    )
    g = GatewayBuilder()
    g.add("sslCertificates", "public", publicCertData=b64(bundle))
    g.add("sslCertificates", "pfx", data=b64(pfx), password="Passw0rd1")
    audit = audit_gateway(g.rest(), now=NOW)
    assert at(audit, "LST011") == {"sslCertificates[public]", "sslCertificates[pfx]"}


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"not json",
        b"{",
        "[1, 2]",
        "42",
        '{"sku": {"name": "Standard_LRS", "tier": "Standard"}, "kind": "StorageV2"}',
        '{"name": "x", "tags": {}}',
        '{"resources": []}',
        b"\xff\xfe",
    ],
)
def test_not_a_gateway_raises_certificate_format_error(text: bytes | str) -> None:
    with pytest.raises(CertificateFormatError):
        audit_gateway(text)


def test_list_of_gateways_asks_to_audit_each(builder: GatewayBuilder) -> None:
    with pytest.raises(CertificateFormatError, match="audit each"):
        audit_gateway(json.dumps([builder.rest(), builder.rest()]))


def test_path_source(tmp_path: Path, builder: GatewayBuilder) -> None:
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(builder.cli()))
    assert audit_gateway(path, now=NOW).gateway == "gw"
    with pytest.raises(CertificateFormatError):
        audit_gateway(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("publicCertData", "MIIB", "GEN001"),  # truncated base64
        ("publicCertData", "not base64 at all!", "GEN001"),
        ("publicCertData", b64(b"\x30\x03\x02\x01\x01"), "GEN001"),  # DER, not a certificate
        ("publicCertData", "****", "GW013"),
        ("publicCertData", "", "GW013"),
        ("data", "****", "GW013"),
    ],
)
def test_corrupt_certificate_data_is_a_finding(field: str, value: str, code: str) -> None:
    g = GatewayBuilder()
    g.add("sslCertificates", "c", **{field: value})
    audit = audit_gateway(g.rest(), now=NOW)
    assert at(audit, code) == {"sslCertificates[c]"}
    assert audit.certificates[0].certificates == ()


def test_corrupt_trusted_root_and_client_ca_data(web: TestChain) -> None:
    g = GatewayBuilder()
    pem = web.trusted_root_cer()
    g.add("trustedRootCertificates", "cut", data=b64(pem[: len(pem) // 2]))
    g.add("trustedClientCertificates", "key", data=b64(web.root.key_pem() + pem))
    g.add("authenticationCertificates", "v2-auth", data=b64(web.server.cer()))
    audit = audit_gateway(g.rest(), now=NOW)
    assert "trustedRootCertificates[cut]" in {f.location for f in audit.report.errors}
    assert at(audit, "CCA002") == {"trustedClientCertificates[key]"}
    assert at(audit, "GEN006") == {"authenticationCertificates[v2-auth]"}


def test_missing_sections_and_odd_values_never_raise() -> None:
    odd: list[dict[str, object]] = [
        {"sku": {"tier": "Standard_v2"}},
        {"sku": "nonsense", "httpListeners": "not a list"},
        {
            "properties": {
                "httpListeners": [
                    {
                        "name": "l",
                        "properties": {
                            "protocol": "Https",
                            "sslCertificate": {
                                "id": "/x/applicationGateways/g/sslCertificates/none"
                            },
                        },
                    }
                ]
            }
        },
        {"sslCertificates": [None, 3, {"name": None, "publicCertData": 5}], "sku": {"tier": 7}},
        {"httpListeners": [{"name": "l", "protocol": "Https", "hostNames": [1, None, "*.*.*.x"]}]},
        {
            "backendHttpSettingsCollection": [
                {"name": "s", "protocol": "Https", "probe": {"id": None}}
            ],
            "probes": [{"name": "p", "protocol": "Https", "host": ["x"]}],
        },
    ]
    for body in odd:
        audit = audit_gateway(body)
        assert isinstance(audit.report.findings, tuple)


def test_sub_command_output_ssl_cert_list_and_show(builder: GatewayBuilder) -> None:
    """``az network application-gateway ssl-cert list`` / ``show`` print bare objects."""
    items = builder.cli()["sslCertificates"]
    assert isinstance(items, list)
    typed = [
        {**item, "type": "Microsoft.Network/applicationGateways/sslCertificates"} for item in items
    ]
    listed = audit_gateway(json.dumps(typed), now=NOW)
    assert {c.name for c in listed.certificates} == set(builder.listener_certs)
    assert at(listed, "LST008") == {"sslCertificates[lonely-cert]"}
    shown = audit_gateway(typed[0], now=NOW)
    assert [c.name for c in shown.certificates] == [typed[0]["name"]]
    assert shown.certificates[0].certificates


def test_store_decides_what_is_well_known(web: TestChain) -> None:
    public = next(iter(TrustStore.certifi()))
    g = GatewayBuilder()
    g.add(
        "trustedRootCertificates",
        "public",
        data=b64(public.public_bytes(serialization.Encoding.DER)),
    )
    g.add("trustedRootCertificates", "private", data=b64(web.trusted_root_cer()))
    default = audit_gateway(g.rest(), now=NOW)
    assert at(default, "ROOT005") == {"trustedRootCertificates[public]"}
    own = audit_gateway(g.rest(), now=NOW, store=TrustStore([web.root.certificate]))
    assert at(own, "ROOT005") == {"trustedRootCertificates[private]"}


def test_every_real_world_vector_in_every_slot() -> None:
    """cryptography-vectors' odd certificates (GOST keys, MD2 roots, bad times, garbage
    around PEM) uploaded everywhere: findings at each object, never an exception."""
    folder = Path(cryptography_vectors.__file__).parent / "x509"
    files = sorted(p for p in folder.iterdir() if p.suffix in (".pem", ".der"))
    assert len(files) > 20
    encoded = {p.name: b64(p.read_bytes()) for p in files}
    g = GatewayBuilder()
    for name, data in encoded.items():
        g.add("sslCertificates", name, publicCertData=data)
        g.add("trustedRootCertificates", name, data=data)
        g.add("trustedClientCertificates", name, data=data)
    audit = audit_gateway(g.rest(), now=datetime(2016, 1, 1, tzinfo=UTC))
    assert len(audit.certificates) == 3 * len(files)
    assert all(f.location for f in audit.report.findings)
    readable = {
        c.name for c in audit.certificates if c.slot is Slot.TRUSTED_ROOT and c.certificates
    }
    assert {"cryptography.io.pem", "e-trust.ru.der", "verisign_md2_root.pem"} <= readable
    found = {(f.code, f.location) for f in audit.report.findings}
    # the same certificate with other PEM headers is found to be the same
    assert ("GW011", "sslCertificates[cryptography.io.with_headers.pem]") in found
