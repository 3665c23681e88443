"""The cross-checks one at a time: routes and host names, probes, limits, profiles,
references, and JSON that is odd in every way a hand-edited file can be."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import (
    CertificateFormatError,
    GatewayAudit,
    KeyType,
    TestChain,
    audit_gateway,
    build_test_chain,
)
from appgw_certs._gateway.document import normalise
from appgw_certs._gateway.objects import _base64_field
from helpers.gateway import GatewayBuilder, b64, pkcs7_der


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


def https_settings(g: GatewayBuilder, name: str, **props: object) -> None:
    g.add("backendHttpSettingsCollection", name, protocol="Https", port=443, **props)


def test_path_map_and_load_distribution_routes_reach_settings() -> None:
    g = GatewayBuilder()
    g.add(
        "backendAddressPools", "ips", backendAddresses=["10.0.0.1"]
    )  # the REST examples' bare strings
    g.add("backendAddressPools", "lb-ips", backendAddresses=[{"ipAddress": "192.168.1.5"}])
    g.add(
        "loadDistributionPolicies",
        "ldp",
        loadDistributionTargets=[
            {
                "name": "t",
                "properties": {"backendAddressPool": g.ref("backendAddressPools", "lb-ips")},
            }
        ],
    )
    https_settings(g, "default-be", pickHostNameFromBackendAddress=True)
    https_settings(g, "path-be", pickHostNameFromBackendAddress=True)
    g.add("httpListeners", "l", protocol="Http")
    g.add(
        "urlPathMaps",
        "map",
        defaultBackendAddressPool=g.ref("backendAddressPools", "ips"),
        defaultBackendHttpSettings=g.ref("backendHttpSettingsCollection", "default-be"),
        pathRules=[
            {
                "name": "api",
                "properties": {
                    "paths": ["/api/*"],
                    "loadDistributionPolicy": g.ref("loadDistributionPolicies", "ldp"),
                    "backendHttpSettings": g.ref("backendHttpSettingsCollection", "path-be"),
                },
            }
        ],
    )
    g.add(
        "requestRoutingRules",
        "r",
        ruleType="PathBasedRouting",
        priority=1,
        httpListener=g.ref("httpListeners", "l"),
        urlPathMap=g.ref("urlPathMaps", "map"),
    )
    audit = audit_gateway(g.rest())
    sni = {f.location: f.message for f in audit.report.findings if f.code == "GW005"}
    assert "10.0.0.1" in sni["backendHttpSettingsCollection[default-be]"]
    assert "192.168.1.5" in sni["backendHttpSettingsCollection[path-be]"]
    assert at(audit, "GW004") == {
        "backendHttpSettingsCollection[default-be]",
        "backendHttpSettingsCollection[path-be]",
    }
    assert at(audit, "GW002") == set()


def test_effective_host_names() -> None:
    """The default probe's SNI, per ssl-overview's "For probe traffic" (v2): the setting's
    sniName (validateSNI on) > hostName > the pool FQDN; 127.0.0.1 is its Host header only."""
    g = GatewayBuilder()
    g.add("backendAddressPools", "fqdn", backendAddresses=[{"fqdn": "app.internal"}])
    https_settings(g, "named", hostName="backend.contoso.com")  # the setting's name wins
    https_settings(g, "sni", hostName="10.9.9.9", sniName="backend.contoso.com")  # SNI wins
    https_settings(
        g, "sni-off", hostName="10.9.9.9", sniName="backend.contoso.com", validateSNI=False
    )
    https_settings(g, "client-host")  # no name of its own: the pool FQDN is the SNI
    for name in ("named", "sni", "sni-off", "client-host"):
        g.add("httpListeners", f"l-{name}", protocol="Http", hostName="www.contoso.com")
        g.add(
            "requestRoutingRules",
            f"r-{name}",
            ruleType="Basic",
            priority=1,
            httpListener=g.ref("httpListeners", f"l-{name}"),
            backendAddressPool=g.ref("backendAddressPools", "fqdn"),
            backendHttpSettings=g.ref("backendHttpSettingsCollection", name),
        )
    audit = audit_gateway(g.rest())
    assert at(audit, "GW005") == {"backendHttpSettingsCollection[sni-off]"}  # hostName, an IP
    assert at(audit, "GW007") == {"backendHttpSettingsCollection[sni-off]"}
    # well-known CAs cannot have signed the name checked: .internal, or an IP
    assert at(audit, "GW004") == {
        "backendHttpSettingsCollection[client-host]",  # app.internal
        "backendHttpSettingsCollection[sni-off]",  # 10.9.9.9
    }


def test_probes() -> None:
    g = GatewayBuilder()
    g.add("backendAddressPools", "ips", backendAddresses=[{"ipAddress": "10.0.0.7"}])
    g.add("probes", "no-host", protocol="Https", path="/")
    g.add("probes", "ip-host", protocol="Https", host="10.0.0.8", path="/")
    g.add("probes", "picks", protocol="Https", pickHostNameFromBackendHttpSettings=True, path="/")
    g.add("probes", "plain", protocol="Http", path="/")
    https_settings(g, "be", pickHostNameFromBackendAddress=True, probe=g.ref("probes", "picks"))
    g.add("httpListeners", "l", protocol="Http")
    g.add(
        "requestRoutingRules",
        "r",
        ruleType="Basic",
        priority=1,
        httpListener=g.ref("httpListeners", "l"),
        backendAddressPool=g.ref("backendAddressPools", "ips"),
        backendHttpSettings=g.ref("backendHttpSettingsCollection", "be"),
    )
    audit = audit_gateway(g.cli())
    assert at(audit, "GW006") == {"probes[no-host]"}
    assert {"probes[ip-host]", "probes[picks]"} <= at(audit, "GW005")
    assert "probes[plain]" not in at(audit, "GW005") | at(audit, "GW006")


def test_limits_and_listener_host_names(chain: TestChain) -> None:
    g = GatewayBuilder(tier="WAF_v2")
    bundle = b64(pkcs7_der([chain.server.certificate, chain.issuer.certificate]))
    for i in range(101):
        g.add("sslCertificates", f"c{i}", publicCertData=bundle)
    g.add(
        "httpListeners",
        "many",
        protocol="Https",
        hostNames=[f"h{i}.contoso.com" for i in range(6)],
        sslCertificate=g.ref("sslCertificates", "c0"),
    )
    g.add(
        "httpListeners",
        "both",
        protocol="Https",
        hostName="a.contoso.com",
        hostNames=["b.contoso.com"],
        sslCertificate=g.ref("sslCertificates", "c0"),
    )
    g.add(
        "httpListeners",
        "stars",
        protocol="Https",
        hostNames=["**.contoso.com", "*.*.*.contoso.com"],
        sslCertificate=g.ref("sslCertificates", "c0"),
    )
    body = g.rest()
    body["properties"]["webApplicationFirewallConfiguration"] = {
        "ruleSetType": "OWASP",
        "ruleSetVersion": "3.1",
    }  # type: ignore[index]
    audit = audit_gateway(body)
    limits = [f for f in audit.report.findings if f.code == "GW008"]
    assert {f.location for f in limits} == {
        "sslCertificates",
        "httpListeners[many]",
        "httpListeners[both]",
        "httpListeners[stars]",
    }
    caps = sorted(f.message for f in limits if f.location == "sslCertificates")
    assert caps == [
        "101 sslCertificates on WAF_v2 with CRS 3.1: the limit on a WAF with CRS 3.1 or older "
        "is 40",
        "101 sslCertificates: the limit is 100 per gateway",
    ]
    assert {f.severity.value for f in limits} == {"error"}  # both caps are documented
    assert len(at(audit, "GW011")) == 100  # one certificate under 101 names
    assert len(audit.certificates) == 101


def test_ssl_profiles() -> None:
    g = GatewayBuilder()
    g.add("trustedClientCertificates", "ca", data="****")
    g.add(
        "sslProfiles", "strict-default", clientAuthConfiguration={"verifyClientCertIssuerDN": False}
    )
    g.add(
        "sslProfiles",
        "passthrough",
        clientAuthConfiguration={"verifyClientAuthMode": "Passthrough"},
    )
    g.add(
        "sslProfiles",
        "policy-only",
        sslPolicy={"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"},
    )
    g.add(
        "sslProfiles",
        "ok",
        clientAuthConfiguration={},
        trustedClientCertificates=[g.ref("trustedClientCertificates", "ca")],
    )
    audit = audit_gateway(g.rest())
    assert at(audit, "GW009") == {"sslProfiles[strict-default]"}


def test_references_case_insensitive_and_children() -> None:
    g = GatewayBuilder()
    g.add("backendAddressPools", "Pool", backendAddresses=[])
    g.add("urlPathMaps", "map", pathRules=[{"name": "r1", "properties": {"paths": ["/"]}}])
    g.add(
        "httpListeners",
        "l",
        protocol="Http",
        extra={
            "id": "/SUBSCRIPTIONS/x/resourcegroups/y/providers/microsoft.network"
            "/APPLICATIONGATEWAYS/gw/backendaddresspools/pool"
        },
        child={"id": "/s/x/applicationGateways/gw/urlPathMaps/map/pathRules/r1"},
        missing_child={"id": "/s/x/applicationGateways/gw/urlPathMaps/map/pathRules/r2"},
        subnet={
            "id": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network"
            "/virtualNetworks/v/subnets/s"
        },
    )
    audit = audit_gateway(g.rest())
    messages = [f.message for f in audit.report.findings if f.code == "GW002"]
    assert len(messages) == 1
    assert "pathRules/r2" in messages[0]


def test_unresolved_template_ids_are_unknown() -> None:
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Network/applicationGateways",
                "name": "[concat('gw-', uniqueString(resourceGroup().id))]",
                "properties": {
                    "sku": {"tier": "Standard_v2"},
                    "sslCertificates": [
                        {
                            "name": "c",
                            "properties": {
                                "keyVaultSecretId": "[reference('kv').secretUriWithVersion]"
                            },
                        }
                    ],
                    "httpListeners": [
                        {
                            "name": "l",
                            "properties": {
                                "protocol": "Https",
                                "sslCertificate": {"id": "[reference('x').id]"},
                                "hostNames": ["[reference('dns').fqdn]", "www.contoso.com"],
                            },
                        }
                    ],
                },
            }
        ],
    }
    audit = audit_gateway(json.dumps(template))
    assert at(audit, "GW013") == {"sslCertificates[c]", "httpListeners[l]"}
    assert sum(f.location == "httpListeners[l]" for f in audit.report.findings) == 2
    assert audit.gateway == "(unnamed gateway)"
    assert audit.report.ok


def test_template_without_gateway_and_deployment_output() -> None:
    with pytest.raises(CertificateFormatError, match="no application gateway"):
        audit_gateway({"$schema": "x", "resources": [{"type": "Microsoft.Web/sites", "name": "s"}]})
    deployment_show = {
        "properties": {"parameters": {"a": {"value": 1}}, "outputs": {}},
        "name": "d",
    }
    with pytest.raises(CertificateFormatError):
        audit_gateway(deployment_show)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["****", "[parameters('x')]", "Https"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "id",
                    "properties",
                    "protocol",
                    "hostName",
                    "hostNames",
                    "sslCertificate",
                    "publicCertData",
                    "data",
                    "probe",
                    "backendAddresses",
                    "sku",
                    "tier",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)
COLLECTION = st.sampled_from(
    [
        "sslCertificates",
        "trustedRootCertificates",
        "httpListeners",
        "probes",
        "backendHttpSettingsCollection",
        "requestRoutingRules",
        "urlPathMaps",
        "sslProfiles",
    ]
)


@settings(max_examples=60)
@given(st.dictionaries(COLLECTION, st.lists(JSON_VALUES, max_size=3), min_size=1, max_size=4))
def test_any_gateway_shaped_json_gives_findings_not_exceptions(body: dict[str, object]) -> None:
    audit = audit_gateway(body)
    assert all(f.location for f in audit.report.findings)
    json.loads(audit.to_json())
    assert str(audit)


@pytest.mark.parametrize("depth", [50, 900, 5000])
def test_deeply_nested_json_never_exhausts_the_stack(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    text = '{"sslCertificates": [{"name": "x", "odd": ' + deep + "}]}"
    template = '{"resources": [{"type": "Microsoft.Network/applicationGateways", "properties": ' + (
        '{"a": ' * min(depth, 900) + "1" + "}" * min(depth, 900) + "}]}"
    )
    for source in (text, template):
        try:
            audit = audit_gateway(source)
        except CertificateFormatError:
            assert depth > 900  # the JSON parser's own limit
        else:
            assert all(f.location for f in audit.report.findings)


def test_tls_proxy_collections(chain: TestChain) -> None:
    g = GatewayBuilder()
    bundle = b64(pkcs7_der([chain.server.certificate, chain.issuer.certificate]))
    g.add("sslCertificates", "tls-cert", publicCertData=bundle)
    g.add(
        "listeners",
        "tls",
        protocol="Tls",
        hostNames=["db.fabrikam.com"],
        sslCertificate=g.ref("sslCertificates", "tls-cert"),
    )
    g.add("backendAddressPools", "ips", backendAddresses=[{"ipAddress": "10.2.0.4"}])
    g.add(
        "backendSettingsCollection",
        "tls-be",
        protocol="Tls",
        port=5432,
        pickHostNameFromBackendAddress=True,
    )
    g.add(
        "routingRules",
        "rr",
        priority=1,
        listener=g.ref("listeners", "tls"),
        backendAddressPool=g.ref("backendAddressPools", "ips"),
        backendSettings=g.ref("backendSettingsCollection", "tls-be"),
    )
    audit = audit_gateway(g.cli())
    assert at(audit, "GW001") == {"listeners[tls]"}
    assert {c.name: c.used_by for c in audit.certificates} == {"tls-cert": ("tls",)}
    assert at(audit, "GW005") == {"backendSettingsCollection[tls-be]"}
    assert at(audit, "GW004") == {"backendSettingsCollection[tls-be]"}
    v1 = g.rest()
    v1["properties"]["sku"] = {"name": "WAF_Large", "tier": "WAF"}  # type: ignore[index]
    old = audit_gateway(v1)
    proxy = [f for f in old.report.findings if f.code == "GEN006"]
    assert {f.location for f in proxy} == {
        "listeners[tls]",
        "routingRules[rr]",
        "backendSettingsCollection[tls-be]",
    }
    assert {f.severity.value for f in proxy} == {"warning"}


def test_same_leaf_with_another_chain_is_a_duplicate(chain: TestChain) -> None:
    g = GatewayBuilder()
    g.add(
        "sslCertificates",
        "full",
        publicCertData=b64(pkcs7_der([chain.server.certificate, chain.issuer.certificate])),
    )
    g.add("sslCertificates", "bare", publicCertData=b64(pkcs7_der([chain.server.certificate])))
    g.add("sslCertificates", "other", publicCertData=b64(pkcs7_der([chain.issuer.certificate])))
    audit = audit_gateway(g.rest())
    assert at(audit, "GW011") == {"sslCertificates[bare]"}


@given(
    st.one_of(
        st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode()),
        st.text(alphabet="ABCDabcd0189+/=\n -_", max_size=40),
    )
)
@settings(max_examples=300)
def test_base64_fields_decode_as_strict_base64_does(text: str) -> None:
    # Certificate fields are read with binascii's strict mode; it must accept and
    # refuse exactly what base64.b64decode(validate=True) does (whitespace aside).
    try:
        expected: bytes | None = base64.b64decode("".join(text.split()), validate=True)
    except ValueError:
        expected = None
    raw, problem = _base64_field(text, "data")
    if expected:
        assert raw == expected
        assert problem is None
    else:  # broken base64, or empty: a GEN001 finding, never an exception
        assert raw is None
        assert problem is not None
        assert problem.code == "GEN001"


def _normalise_plainly(value: object, depth: int = 0) -> object:
    """``normalise`` as first written, without fast paths: the reference for them."""
    if depth > 64:
        return None
    if isinstance(value, list):
        return [_normalise_plainly(item, depth + 1) for item in value]
    if isinstance(value, Mapping):
        out = {str(k).lower(): _normalise_plainly(v, depth + 1) for k, v in value.items()}
        props = out.pop("properties", None)
        if isinstance(props, dict):
            for key, item in props.items():
                out.setdefault(key, item)
        elif props is not None:
            out["properties"] = props
        return out
    return value


class _FrozenMapping(Mapping[object, object]):
    """A Mapping that is not a dict (a caller's own type)."""

    def __init__(self, items: dict[object, object]) -> None:
        self._items = items

    def __getitem__(self, key: object) -> object:
        return self._items[key]

    def __iter__(self) -> Iterator[object]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


_KEYS = st.sampled_from(["name", "Name", "properties", "Properties", "id", "hostName", "x"])
_LEAVES = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
)
_TREES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_KEYS | st.integers(0, 3), inner, max_size=4)
        | st.dictionaries(_KEYS, inner, max_size=3).map(_FrozenMapping)
    ),  # type: ignore[arg-type]
    max_leaves=20,
)


@given(_TREES)
def test_normalise_fast_paths_change_nothing(value: object) -> None:
    assert normalise(value) == _normalise_plainly(value)


@pytest.mark.parametrize("depth", [60, 63, 64, 65, 70])
def test_normalise_drops_what_sits_too_deep_alike(depth: int) -> None:
    value: object = {"leaf": 1, "list": [2]}
    for _ in range(depth):
        value = {"Properties": {"a": value}} if depth % 2 else [value]
    assert normalise(value) == _normalise_plainly(value)


def test_a_copied_signature_on_another_body_is_not_a_duplicate(chain: TestChain) -> None:
    """GW011 means byte for byte: a certificate whose body was edited under the same
    signature is another certificate (fingerprints differ), not the same upload."""
    original = chain.root.certificate
    der = bytearray(original.public_bytes(serialization.Encoding.DER))
    at_name = der.index(b"Test Root CA")
    der[at_name] ^= 0x20  # "test Root CA": same length, same signature bytes
    edited = x509.load_der_x509_certificate(bytes(der))
    assert edited.signature == original.signature
    assert edited.fingerprint(hashes.SHA256()) != original.fingerprint(hashes.SHA256())
    g = GatewayBuilder()
    for name, cert in (("a", original), ("b", edited), ("c", original)):
        g.add(
            "trustedRootCertificates", name, data=b64(cert.public_bytes(serialization.Encoding.DER))
        )
    audit = audit_gateway(g.rest())
    assert at(audit, "GW011") == {"trustedRootCertificates[c]"}


def test_duplicates_are_found_among_many_bodies_under_one_signature(chain: TestChain) -> None:
    """Past a few bodies per signature the check keys by value: still exact, still linear."""
    der = chain.root.certificate.public_bytes(serialization.Encoding.DER)
    at_name = der.index(b"Test Root CA")
    bodies = []
    for i in range(12):  # "Test Root CA", then 11 edits of one name byte, same signature
        edited = bytearray(der)
        edited[at_name + 5] = der[at_name + 5] if i == 0 else ord("A") + i
        bodies.append(bytes(edited))
    assert len(set(bodies)) == 12
    g = GatewayBuilder()
    for i, body in enumerate([*bodies, bodies[10]]):
        g.add("trustedRootCertificates", f"r{i}", data=b64(body))
    audit = audit_gateway(g.rest())
    assert at(audit, "GW011") == {"trustedRootCertificates[r12]"}


def test_an_aes_pfx_without_its_password_still_gets_lst007() -> None:
    """The encryption of a PFX is read without the password (its layout is not
    encrypted): an audit that does not know the password reports LST007 as
    check_upload does, next to LST002."""
    from appgw_certs import audit_gateway, build_test_chain, check_upload
    from helpers.gateway import GatewayBuilder

    chain = build_test_chain(["www.contoso.com"])
    pfx = chain.listener_pfx("Secret123", profile="modern")
    upload = {f.code for f in check_upload("listener", pfx, sku="Standard_v2").findings}
    g = GatewayBuilder(name="gw")
    g.listener_cert("aes", pfx=pfx, password=None)
    audited = {f.code for f in audit_gateway(g.rest(put=True)).report.findings}
    assert {"LST002", "LST007"} <= upload
    assert {"LST002", "LST007"} <= audited
