"""TLS policy cross-checks (GW015–GW017): every predefined policy and custom lists against
RSA and ECDSA listeners, SSL profile overrides, the v1 mandatory suite, the default policy,
and two oracles: OpenSSL's own key type per cipher suite, and real TLS 1.2 handshakes.

Each table row cites the line of the public page it encodes:
TLS policy overview (OVERVIEW), https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
TLS 1.0 and 1.1 retirement (RETIREMENT), https://learn.microsoft.com/azure/application-gateway/application-gateway-tls-version-retirement
Configure TLS policy (CONFIGURE), https://learn.microsoft.com/azure/application-gateway/application-gateway-configure-ssl-policy-powershell
"""

from __future__ import annotations

import json
import re
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from appgw_certs import GatewayAudit, KeyType, Severity, TestChain, audit_gateway, build_test_chain
from appgw_certs._gateway.tls_policies_data import (
    PREDEFINED,
    TLS13_SUITES,
    suite_key_type,
)
from helpers.gateway import PolicyGatewayBuilder, shape_findings

PASSWORD = "Passw0rd1"
NEW_CODES = frozenset({"GW015", "GW016", "GW017"})
EXAMPLES = Path(__file__).parents[1] / "data" / "gateway-examples"


@pytest.fixture(scope="module")
def chains() -> dict[str, TestChain]:
    return {
        "RSA": build_test_chain(["www.contoso.com"], key_type=KeyType.RSA_2048),
        "ECDSA": build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256),
    }


@dataclass(frozen=True)
class Listener:
    name: str
    key: str  # "RSA" or "ECDSA"
    profile: str | None = None


def gateway(
    chains: dict[str, TestChain],
    policy: dict[str, object] | None,
    *listeners: Listener,
    tier: str = "Standard_v2",
    profiles: dict[str, dict[str, object]] | None = None,
    **fields: object,
) -> PolicyGatewayBuilder:
    """A gateway whose HTTPS listeners each use a certificate of the key type named."""
    g = PolicyGatewayBuilder(name="gw", tier=tier)
    if policy is not None:
        g.gateway_fields["sslPolicy"] = policy
    g.gateway_fields.update(fields)
    for key in sorted({listener.key for listener in listeners}):
        chain = chains[key]
        certs = [chain.server.certificate, *(c.certificate for c in chain.intermediates)]
        g.listener_cert(
            f"{key.lower()}-cert",
            [*certs, chain.root.certificate],
            chain.listener_pfx(PASSWORD),
            PASSWORD,
        )
    for name, profile_policy in (profiles or {}).items():
        g.add("sslProfiles", name, sslPolicy=profile_policy)
    g.add("frontendPorts", "p443", port=443)
    for listener in listeners:
        props: dict[str, object] = {
            "protocol": "Https",
            "hostName": "www.contoso.com",
            "frontendPort": g.ref("frontendPorts", "p443"),
            "sslCertificate": g.ref("sslCertificates", f"{listener.key.lower()}-cert"),
        }
        if listener.profile:
            props["sslProfile"] = g.ref("sslProfiles", listener.profile)
        g.add("httpListeners", listener.name, **props)
    return g


def located(audit: GatewayAudit, code: str) -> dict[str | None, Severity]:
    return {f.location: f.severity for f in audit.report.findings if f.code == code}


def predefined(name: str) -> dict[str, object]:
    return {"policyType": "Predefined", "policyName": name}


def custom(minimum: str, *suites: str, kind: str = "Custom") -> dict[str, object]:
    return {"policyType": kind, "minProtocolVersion": minimum, "cipherSuites": list(suites)}


# -- every predefined policy, RSA and ECDSA ------------------------------------------------

# (policy, retired?, the page's line). Every column of OVERVIEW's table has
# "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 | ✓ | ✓ | ✓ | ✓ | ✓" and
# "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 | ✓ | ✓ | ✓ | ✓ | ✓": no key type is left out.
PREDEFINED_ROWS = [
    (
        "AppGwSslPolicy20150501",
        True,
        'RETIREMENT: "The predefined policies 20150501 and 20170401 that support TLS v1.0 and '
        '1.1 will be discontinued"; OVERVIEW: "Enabled protocol versions | 1.0 1.1 1.2"',
    ),
    ("AppGwSslPolicy20170401", True, 'RETIREMENT, as above; OVERVIEW: "| 1.1 1.2 |"'),
    ("AppGwSslPolicy20170401S", False, 'OVERVIEW: "Minimum Protocol Version | ... | 1.2"'),
    ("AppGwSslPolicy20220101", False, 'OVERVIEW: "Enabled protocol versions | ... | 1.2 1.3"'),
    ("AppGwSslPolicy20220101S", False, 'OVERVIEW: "Enabled protocol versions | ... | 1.2 1.3"'),
]


@pytest.mark.parametrize("key", ["RSA", "ECDSA"])
@pytest.mark.parametrize(("name", "retired", "cited"), PREDEFINED_ROWS)
def test_every_predefined_policy_serves_rsa_and_ecdsa(
    chains: dict[str, TestChain], key: str, name: str, retired: bool, cited: str
) -> None:
    audit = audit_gateway(gateway(chains, predefined(name), Listener("web", key)).rest())
    assert "GW015" not in audit.report.codes, cited
    assert located(audit, "GW016") == ({"sslPolicy": Severity.WARNING} if retired else {}), cited
    assert "GW017" not in audit.report.codes


def test_the_table_is_the_pages(chains: dict[str, TestChain]) -> None:
    # OVERVIEW: "| TLS_AES_128_GCM_SHA256 | ✗ | ✗ | ✗ | ✓ | ✓ |" and 30 suites in all.
    assert len(set().union(*(p.cipher_suites for p in PREDEFINED.values()))) == 30
    assert [name for name, p in PREDEFINED.items() if p.cipher_suites >= TLS13_SUITES] == [
        "appgwsslpolicy20220101",
        "appgwsslpolicy20220101s",
    ]
    # "| TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 | ✓ | ✓ | ✓ | ✓ | ✗ |"
    s = PREDEFINED["appgwsslpolicy20220101s"]
    assert "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" not in s.cipher_suites
    assert len(PREDEFINED["appgwsslpolicy20150501"].cipher_suites) == 28


# -- custom lists ---------------------------------------------------------------------------

# (policy, key, tier, expected GW015 severity or None, the page's line)
CUSTOM_ROWS = [
    (
        custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "ECDSA",
        "Standard_v2",
        Severity.ERROR,
        'OVERVIEW: the suites of "client to application gateway connections are based on the '
        'type of listener certificates"',
    ),
    (
        custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "RSA",
        "Standard_v2",
        None,
        "OVERVIEW, as above: an RSA suite for an RSA certificate",
    ),
    (
        custom(
            "TLSv1_1",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ),
        "RSA",
        "Standard_v2",
        Severity.ERROR,
        'CONFIGURE: "sets the minimum protocol version to TLSv1_1 and enables ... '
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"',
    ),
    (
        custom(
            "TLSv1_1",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ),
        "ECDSA",
        "Standard_v2",
        None,
        "CONFIGURE's example, for the key type it fits",
    ),
    (
        custom("TLSv1_2", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        "ECDSA",
        "Standard_v2",
        Severity.ERROR,
        'OVERVIEW "Cipher suites": TLS_RSA_WITH_AES_128_GCM_SHA256, an RSA-only suite',
    ),
    (
        custom("TLSv1_2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        "RSA",
        "Standard_v2",
        Severity.ERROR,
        'OVERVIEW "Limitations": "Application Gateway v2 doesn\'t support the following DHE '
        "ciphers. These won't be used for the TLS connections with clients\"",
    ),
    (
        custom("TLSv1_2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
        "RSA",
        "Standard",
        None,
        'OVERVIEW "Limitations" names v2 only: v1 uses the DHE suite',
    ),
    (
        custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", kind="CustomV2"),
        "ECDSA",
        "Standard_v2",
        Severity.WARNING,
        'OVERVIEW: "TLS_AES_128_GCM_SHA256 and TLS_AES_256_GCM_SHA384 are mandatory for '
        'TLSv1.3. You need NOT mention these explicitly when setting a CustomV2 policy"',
    ),
    (
        custom("TLSv1_3", kind="CustomV2"),
        "ECDSA",
        "Standard_v2",
        None,
        'CONFIGURE: "To set minimum protocol version to 1.3 ... -PolicyType CustomV2 '
        '-CipherSuite @()"',
    ),
    (
        custom("TLSv1_3", kind="CustomV2"),
        "RSA",
        "Standard_v2",
        None,
        "CONFIGURE, as above: TLS 1.3 suites fit any key",
    ),
]


@pytest.mark.parametrize(("policy", "key", "tier", "expected", "cited"), CUSTOM_ROWS)
def test_custom_policies_against_the_listener_key_type(  # noqa: PLR0917 (one table row)
    chains: dict[str, TestChain],
    policy: dict[str, object],
    key: str,
    tier: str,
    expected: Severity | None,
    cited: str,
) -> None:
    audit = audit_gateway(gateway(chains, policy, Listener("web", key), tier=tier).rest())
    want = {"httpListeners[web]": expected} if expected else {}
    assert located(audit, "GW015") == want, cited
    found = [f for f in audit.report.findings if f.code == "GW015"]
    for f in found:
        assert key in f.message
        assert f.certificate == chains[key].server.certificate.subject.rfc4514_string()


def test_a_profile_overrides_the_gateway_policy_for_its_listeners(
    chains: dict[str, TestChain],
) -> None:
    rsa_only = custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
    g = gateway(
        chains,
        predefined("AppGwSslPolicy20220101"),
        Listener("via-profile", "ECDSA", profile="rsa-only"),
        Listener("via-gateway", "ECDSA"),
        Listener("rsa-via-profile", "RSA", profile="rsa-only"),
        Listener("inherits", "ECDSA", profile="empty"),
        profiles={"rsa-only": rsa_only, "empty": {}},
    )
    audit = audit_gateway(g.rest())
    assert located(audit, "GW015") == {"httpListeners[via-profile]": Severity.ERROR}
    # the reverse: the gateway's policy is the narrow one, the profile's the wide one
    g = gateway(
        chains,
        rsa_only,
        Listener("via-profile", "ECDSA", profile="wide"),
        Listener("via-gateway", "ECDSA"),
        Listener("inherits", "ECDSA", profile="empty"),
        profiles={"wide": predefined("AppGwSslPolicy20220101S"), "empty": {}},
    )
    assert located(audit_gateway(g.rest()), "GW015") == {
        "httpListeners[via-gateway]": Severity.ERROR,
        "httpListeners[inherits]": Severity.ERROR,
    }


def test_profile_policies_are_judged_at_the_profile(chains: dict[str, TestChain]) -> None:
    g = gateway(
        chains,
        predefined("AppGwSslPolicy20220101"),
        Listener("web", "RSA", profile="old"),
        profiles={"old": predefined("AppGwSslPolicy20170401"), "empty": {}},
    )
    audit = audit_gateway(g.rest())
    assert located(audit, "GW016") == {"sslProfiles[old]": Severity.WARNING}
    (f,) = [f for f in audit.report.findings if f.code == "GW016"]
    assert "AppGwSslPolicy20170401 is discontinued" in f.message
    assert "TLSv1_1" in f.message


# -- GW016: old protocols, retired policies and suites, the default policy -----------------


@pytest.mark.parametrize(
    ("policy", "flagged", "cited"),
    [
        (custom("TLSv1_0", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), True, "OVERVIEW: TLS 1.0"),
        (custom("TLSv1_1", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), True, "OVERVIEW: TLS 1.1"),
        (custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), False, "TLS 1.2 only"),
        (
            custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            True,
            'RETIREMENT "Custom policies for V2 SKUs": "the following cipher suites won\'t be '
            'supported. ... TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"',
        ),
        (
            custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", kind="CustomV2"),
            False,
            'RETIREMENT: "The retirement of these TLS versions affects only the "Custom" policy"',
        ),
    ],
)
def test_gw016_custom_policies(
    chains: dict[str, TestChain], policy: dict[str, object], flagged: bool, cited: str
) -> None:
    audit = audit_gateway(gateway(chains, policy, Listener("web", "RSA")).rest())
    assert located(audit, "GW016") == ({"sslPolicy": Severity.WARNING} if flagged else {}), cited


@pytest.mark.parametrize(
    ("api_version", "flagged"),
    # OVERVIEW "Default TLS policy": "For older API versions < 2023-02-01 ... they use the
    # predefined policy AppGwSslPolicy20150501 as default"; 2023-02-01 or higher: 20220101.
    [("2022-09-01", True), ("2023-02-01", False), ("2024-05-01", False)],
)
def test_the_default_policy_follows_the_templates_api_version(
    chains: dict[str, TestChain], api_version: str, flagged: bool
) -> None:
    g = gateway(chains, None, Listener("web", "RSA"))
    template = g.arm()
    resources = template["resources"]
    assert isinstance(resources, list)
    resources[0]["apiVersion"] = api_version
    audit = audit_gateway(template, parameters=g.arm_parameters())
    assert located(audit, "GW016") == ({"sslPolicy": Severity.WARNING} if flagged else {})


def test_the_default_policy_named_by_the_rest_body(chains: dict[str, TestChain]) -> None:
    old = {"defaultPredefinedSslPolicy": "AppGwSslPolicy20150501"}
    new = {"defaultPredefinedSslPolicy": "AppGwSslPolicy20220101"}
    listener = Listener("web", "RSA")
    assert "GW016" in audit_gateway(gateway(chains, None, listener, **old).rest()).report.codes
    assert "GW016" not in audit_gateway(gateway(chains, None, listener, **new).rest()).report.codes
    # no default named and no API version: the default is not known, so not judged
    assert not NEW_CODES & audit_gateway(gateway(chains, None, listener).rest()).report.codes
    # the legacy form: the default policy less disabledSslProtocols
    both = {"disabledSslProtocols": ["TLSv1_0", "TLSv1_1"]}
    one = {"disabledSslProtocols": ["TLSv1_0"]}
    assert "GW016" not in audit_gateway(gateway(chains, both, listener, **old).rest()).report.codes
    audit = audit_gateway(gateway(chains, one, listener, **old).rest())
    (f,) = [f for f in audit.report.findings if f.code == "GW016"]
    assert "TLSv1_1" in f.message
    assert "TLSv1_0" not in f.message


# -- GW017: the v1 mandatory suite --------------------------------------------------------


# OVERVIEW "Custom TLS policy": "If you're using a custom SSL policy in Application Gateway
# v1 SKU (Standard or WAF), make sure that you add the mandatory cipher
# "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" to the list. ... This is not mandatory for
# Application Gateway v2 SKU (Standard_v2 or WAF_v2)."
@pytest.mark.parametrize(
    ("tier", "suites", "flagged"),
    [
        ("Standard", ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], True),
        ("WAF", ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"], True),
        (
            "Standard",
            ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
            False,
        ),
        ("Standard_v2", ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], False),
    ],
)
def test_gw017_v1_custom_policy_needs_the_mandatory_suite(
    chains: dict[str, TestChain], tier: str, suites: list[str], flagged: bool
) -> None:
    policy = custom("TLSv1_2", *suites)
    audit = audit_gateway(gateway(chains, policy, Listener("web", "RSA"), tier=tier).rest())
    assert located(audit, "GW017") == ({"sslPolicy": Severity.ERROR} if flagged else {})
    if flagged:
        (f,) = [f for f in audit.report.findings if f.code == "GW017"]
        assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" in f.message


def test_v1_ignores_ssl_profiles(chains: dict[str, TestChain]) -> None:
    # "SSL profiles are only supported on v2 gateways" (listener-specific SSL policy page)
    narrow = custom("TLSv1_1", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
    g = gateway(
        chains,
        custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        Listener("web", "RSA", profile="p"),
        tier="Standard",
        profiles={"p": narrow},
    )
    assert not NEW_CODES & audit_gateway(g.rest()).report.codes


# -- shapes, unknowns and the REST examples -------------------------------------------------


def test_the_three_shapes_agree(chains: dict[str, TestChain]) -> None:
    g = gateway(
        chains,
        custom("TLSv1_1", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        Listener("ecdsa", "ECDSA"),
        Listener("rsa", "RSA", profile="ecdsa-only"),
        profiles={"ecdsa-only": custom("TLSv1_2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")},
    )
    rest = audit_gateway(g.rest())
    expected = {
        ("GW015", "error", "httpListeners[ecdsa]"),
        ("GW015", "error", "httpListeners[rsa]"),
        ("GW016", "warning", "sslPolicy"),
    }
    assert {t for t in shape_findings(rest.report.findings) if t[0] in NEW_CODES} == expected
    for audit in (
        audit_gateway(g.cli()),
        audit_gateway(g.arm(), parameters=g.arm_parameters()),
        audit_gateway(g.arm(nested=True), parameters=g.arm_parameters()),
    ):
        assert {t for t in shape_findings(audit.report.findings) if t[0] in NEW_CODES} == expected


def test_unknown_key_type_or_policy_is_not_judged(chains: dict[str, TestChain]) -> None:
    g = gateway(
        chains,
        custom("TLSv1_2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        Listener("web", "ECDSA"),
    )
    # a template without its parameters file: the PFX password is unknown, so the key too
    assert "GW015" not in audit_gateway(g.arm()).report.codes
    assert "GW015" in audit_gateway(g.arm(), parameters=g.arm_parameters()).report.codes
    # a policy whose suites are an expression, and a name the page does not list
    g.gateway_fields["sslPolicy"] = {**custom("TLSv1_2"), "cipherSuites": "[parameters('suites')]"}
    template = g.arm()
    parameters = template["parameters"]
    assert isinstance(parameters, dict)
    parameters["suites"] = {"type": "array"}
    unknown = audit_gateway(template, parameters=g.arm_parameters())
    assert not NEW_CODES & unknown.report.codes
    g.gateway_fields["sslPolicy"] = predefined("AppGwSslPolicy20990101")
    assert not NEW_CODES & audit_gateway(g.rest()).report.codes
    # the whole policy, or its type, an expression: not the default (here 20150501, which
    # GW016 would flag) but unknown
    for policy in ("[parameters('policy')]", {"policyType": "[parameters('policy')]"}):
        g.gateway_fields["sslPolicy"] = policy
        template = g.arm()
        resources, parameters = template["resources"], template["parameters"]
        assert isinstance(resources, list)
        assert isinstance(parameters, dict)
        resources[0]["apiVersion"] = "2022-09-01"
        parameters["policy"] = {"type": "object"}
        audit = audit_gateway(template, parameters=g.arm_parameters())
        assert not NEW_CODES & audit.report.codes, policy
    del g.gateway_fields["sslPolicy"]
    template = g.arm()
    resources = template["resources"]
    assert isinstance(resources, list)
    resources[0]["apiVersion"] = "2022-09-01"
    audit = audit_gateway(template, parameters=g.arm_parameters())
    assert located(audit, "GW016") == {"sslPolicy": Severity.WARNING}


def test_the_rest_examples_gain_no_errors() -> None:
    get = json.loads(
        (EXAMPLES / "rest-spec-2025-03-01-ApplicationGatewayGet.response.json").read_text()
    )
    create = json.loads(
        (EXAMPLES / "rest-spec-2025-03-01-ApplicationGatewayCreate.request.json").read_text()
    )
    # Both examples' SSL profile holds a Custom policy with minProtocolVersion TLSv1_1 and
    # the one suite TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256. The GET example is v1
    # (Standard), where SSL profiles do not apply; the PUT example is Standard_v2.
    v1 = audit_gateway(get["body"])
    assert not NEW_CODES & v1.report.codes
    v2 = audit_gateway(create["body"])
    assert located(v2, "GW016") == {"sslProfiles[sslProfile1]": Severity.WARNING}
    assert not NEW_CODES & {f.code for f in v2.report.errors}
    (f,) = [f for f in v2.report.findings if f.code == "GW016"]
    assert "TLSv1_1" in f.message
    assert "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" in f.message
    get["body"]["properties"]["sku"] = {"name": "Standard_v2", "tier": "Standard_v2"}
    assert located(audit_gateway(get["body"]), "GW016") == {
        "sslProfiles[sslProfile1]": Severity.WARNING
    }


# -- oracles: OpenSSL's key type per suite, and real TLS 1.2 handshakes ----------------------


@pytest.fixture(scope="module")
def openssl_suites(openssl: str) -> dict[str, tuple[str, str]]:
    """IANA name -> (OpenSSL name, authentication), from `openssl ciphers -V -stdname`."""
    out = subprocess.run(
        [openssl, "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        m = re.search(r"- (TLS_\w+)\s+- (\S+)\s+\S+\s+Kx=\S+\s+Au=(\S+)", line)
        if m:
            found[m.group(1)] = (m.group(2), m.group(3))
    return found


def test_suite_key_types_agree_with_openssl(openssl_suites: dict[str, tuple[str, str]]) -> None:
    suites = set().union(*(p.cipher_suites for p in PREDEFINED.values()))
    checked = 0
    for suite in sorted(suites):
        if suite not in openssl_suites:
            assert "3DES" in suite  # this OpenSSL build leaves 3DES out
            continue
        expected = {"RSA": "RSA", "ECDSA": "ECDSA", "DSS": "DSA", "any": "any"}
        assert suite_key_type(suite) == expected[openssl_suites[suite][1]], suite
        checked += 1
    assert checked >= 28


def _handshake_tls12(server: ssl.SSLContext) -> bool:
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    client.maximum_version = ssl.TLSVersion.TLSv1_2
    client.set_ciphers("ALL:@SECLEVEL=0")
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    c = client.wrap_bio(c_in, c_out, server_hostname="www.contoso.com")
    s = server.wrap_bio(s_in, s_out, server_side=True)
    done = {"c": False, "s": False}
    for _ in range(20):
        for name, end in (("c", c), ("s", s)):
            if not done[name]:
                try:
                    end.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
                except ssl.SSLError:
                    return False
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if all(done.values()):
            return True
    return False


def _tls12_rows() -> list[tuple[dict[str, object], str, str, Severity | None, str]]:
    """The custom rows a TLS 1.2 server can play: some TLS 1.2 suites, none DHE (a DHE
    server needs parameters, and v2 does not use DHE at all)."""
    rows = []
    for row in CUSTOM_ROWS:
        suites = row[0]["cipherSuites"]
        assert isinstance(suites, list)
        if suites and not any("_DHE_" in suite for suite in suites):
            rows.append(row)
    return rows


@pytest.mark.parametrize(("policy", "key", "tier", "expected", "cited"), _tls12_rows())
def test_gw015_matches_a_real_tls12_handshake(  # noqa: PLR0917 (one table row, fixtures)
    chains: dict[str, TestChain],
    openssl_suites: dict[str, tuple[str, str]],
    tmp_path: Path,
    policy: dict[str, object],
    key: str,
    tier: str,
    expected: Severity | None,
    cited: str,
) -> None:
    """A TLS 1.2 server limited to the policy's suites, with the listener's certificate:
    the handshake fails exactly when GW015 says TLS 1.2 clients fail."""
    suites = policy["cipherSuites"]
    assert isinstance(suites, list)
    tls12 = [openssl_suites[s][0] for s in suites]
    chain = chains[key]
    cert, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(chain.server.cer())
    keyfile.write_bytes(chain.server.key_pem())
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.maximum_version = ssl.TLSVersion.TLSv1_2
    server.set_ciphers(":".join(tls12) + ":@SECLEVEL=0")
    server.load_cert_chain(cert, keyfile)
    audit = audit_gateway(gateway(chains, policy, Listener("web", key), tier=tier).rest())
    assert _handshake_tls12(server) == ("GW015" not in audit.report.codes), cited
