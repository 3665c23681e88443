"""The name a health probe sends as SNI, and the certificate's names held against it.

Scenario tables, each row citing the documentation line it encodes (ssl-overview's
"For probe traffic" table and notes, the backend-health "Common Name (CN) doesn't
match" section, the backend settings' TLS validation options), then a handshake
differential: a loopback backend that picks its certificate by SNI, as a
multi-site backend does, must hand the resolved name the certificate the verdict
judges.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography import x509

from appgw_certs import Report, Sku, check_backend, fetch_presented_chain
from appgw_certs._verdicts.names import NameSource, ResolvedName, resolve_sni
from helpers.pki import Issued, Pki, make_leaf, make_pki, pem
from helpers.sni_docs import (
    IP,
    PICKED,
    POOL,
    PROBE,
    SETTING,
    V1_HOST_HEADER,
    V1_IP,
    V1_POOL,
    V2_IP,
    V2_NONE,
    V2_ORDER,
)
from helpers.tls_servers import (
    LOOPBACK_V4,
    PythonTLSServer,
    choosing_by_server_name,
    server_context,
)

ALL_NAMES = (PROBE, SETTING, POOL)


@dataclass(frozen=True)
class Config:
    """What a gateway is configured with for one backend."""

    probe_host_name: str | None = None
    host_name: str | None = None
    pick_host_name_from_backend_address: bool = False
    backend_address: str | None = None

    def kwargs(self) -> dict[str, Any]:
        return {
            "probe_host_name": self.probe_host_name,
            "host_name": self.host_name,
            "pick_host_name_from_backend_address": self.pick_host_name_from_backend_address,
            "backend_address": self.backend_address,
        }


CUSTOM_PROBE = Config(probe_host_name=PROBE, host_name=SETTING, backend_address=POOL)
SETTING_HOST = Config(host_name=SETTING, backend_address=POOL)
PICK = Config(host_name=SETTING, pick_host_name_from_backend_address=True, backend_address=POOL)
POOL_FQDN = Config(backend_address=POOL)
POOL_IP = Config(backend_address=IP)
NOTHING = Config()
CONFIGS = {
    "custom probe host": CUSTOM_PROBE,
    "setting host": SETTING_HOST,
    "pick from backend": PICK,
    "pool FQDN": POOL_FQDN,
    "pool IP": POOL_IP,
}

# -- the resolution --------------------------------------------------------------------

# (sku, config, the name resolved, its source, doc line)
RESOLUTION = [
    ("v2", CUSTOM_PROBE, PROBE, NameSource.CUSTOM_PROBE, V2_ORDER),
    ("v2", SETTING_HOST, SETTING, NameSource.BACKEND_SETTING, V2_ORDER),
    ("v2", PICK, POOL, NameSource.PICKED_ADDRESS, PICKED),
    ("v2", POOL_FQDN, POOL, NameSource.BACKEND_POOL, V2_ORDER),
    ("v2", POOL_IP, IP, NameSource.BACKEND_POOL, V2_IP),
    ("v2", Config(probe_host_name=IP, host_name=SETTING), IP, NameSource.CUSTOM_PROBE, V2_IP),
    ("v2", NOTHING, None, NameSource.NONE, V2_NONE),
    ("v1", CUSTOM_PROBE, POOL, NameSource.BACKEND_POOL, V1_HOST_HEADER),
    ("v1", SETTING_HOST, POOL, NameSource.BACKEND_POOL, V1_HOST_HEADER),
    ("v1", PICK, POOL, NameSource.BACKEND_POOL, V1_POOL),
    ("v1", POOL_FQDN, POOL, NameSource.BACKEND_POOL, V1_POOL),
    ("v1", POOL_IP, IP, NameSource.BACKEND_POOL, V1_IP),
    ("v1", Config(probe_host_name=PROBE, host_name=SETTING), None, NameSource.NONE, V1_POOL),
]


@pytest.mark.parametrize(("sku", "config", "name", "source", "doc"), RESOLUTION)
def test_resolution(
    sku: str, config: Config, name: str | None, source: NameSource, doc: tuple[str, str]
) -> None:
    resolved = resolve_sni(sku, **config.kwargs())
    assert (resolved.name, resolved.source) == (name, source), doc
    assert resolved.sni == (None if name in (None, IP) else name), doc


def test_the_default_probe_host_is_a_host_header_never_an_sni() -> None:
    """V2_DEFAULT_PROBE: with no custom probe, 127.0.0.1 is the Host header only."""
    resolved = resolve_sni("v2", backend_address=POOL)
    assert resolved.host_header == "127.0.0.1"
    assert resolved.sni == POOL
    assert resolve_sni("v2", probe_host_name=PROBE).host_header == PROBE


def test_sni_name_comes_first_on_v2_only() -> None:
    """SNI_NAME: the backend setting's sniName is the SNI to match (v2 validation options)."""
    config: dict[str, Any] = {**CUSTOM_PROBE.kwargs(), "sni_name": "sni.contoso.com"}
    assert resolve_sni("v2", **config).name == "sni.contoso.com"
    assert resolve_sni("v1", **config).name == POOL


def test_blank_names_are_unset_and_non_strings_a_type_error() -> None:
    assert resolve_sni("v2", probe_host_name="  ", host_name="", backend_address=POOL).name == POOL
    with pytest.raises(TypeError, match="host_name"):
        resolve_sni("v2", host_name=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Standard_v2"):
        resolve_sni("Premium")


# -- the verdicts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki(1, name="Names")


def _leaf(pki: Pki, *names: str) -> Issued:
    """A leaf covering ``names`` (SAN, and the first as CN, for v1's CN check)."""
    dns = tuple(n for n in names if not n[0].isdigit())
    ips = tuple(n for n in names if n[0].isdigit())
    return make_leaf(pki.issuer, common_name=names[0], dns_names=dns, ip_addresses=ips)


def _judge(pki: Pki, sku: str, config: Config, leaf: Issued) -> Report:
    presented = [leaf.cert, *pki.chain_above_leaf()]
    if Sku.parse(sku).generation == 1:
        return check_backend(presented, sku=sku, authentication_certs=[leaf.cert],
                             **config.kwargs())  # fmt: skip
    return check_backend(presented, sku=sku, trusted_roots=[pki.root.cert],
                         **config.kwargs())  # fmt: skip


# (sku, config, the name the certificate must cover, codes when it does, codes when it
# covers every other name instead, doc line)
VERDICTS = [
    ("v2", "custom probe host", PROBE, set(), {"BE007"}, V2_ORDER),
    ("v2", "setting host", SETTING, set(), {"BE007"}, V2_ORDER),
    ("v2", "pick from backend", POOL, set(), {"BE007"}, PICKED),
    ("v2", "pool FQDN", POOL, set(), {"BE007"}, V2_ORDER),
    ("v2", "pool IP", IP, {"BE009"}, {"BE009", "BE007"}, V2_IP),
    # v1: the pool FQDN, whatever the probe's or the setting's host name says.
    ("v1", "custom probe host", POOL, set(), {"BE007"}, V1_HOST_HEADER),
    ("v1", "setting host", POOL, set(), {"BE007"}, V1_HOST_HEADER),
    ("v1", "pick from backend", POOL, set(), {"BE007"}, V1_POOL),
    ("v1", "pool FQDN", POOL, set(), {"BE007"}, V1_POOL),
    ("v1", "pool IP", IP, {"BE009"}, {"BE009"}, V1_IP),
]


@pytest.mark.parametrize("case", VERDICTS, ids=lambda case: f"{case[0]}-{case[1]}")
def test_verdict(pki: Pki, case: tuple[str, str, str, set[str], set[str], tuple[str, str]]) -> None:
    sku, row, name, when_covered, otherwise, doc = case
    config = CONFIGS[row]
    covered = _judge(pki, sku, config, _leaf(pki, name))
    assert covered.codes == when_covered, (doc, str(covered))
    assert covered.ok, (doc, str(covered))
    others = [n for n in (*ALL_NAMES, IP) if n != name]
    elsewhere = _judge(pki, sku, config, _leaf(pki, *others))
    assert elsewhere.codes == otherwise, (doc, str(elsewhere))
    assert elsewhere.ok is ("BE007" not in otherwise), doc


def test_v1_host_override_with_a_matching_pool_fqdn_is_healthy(pki: Pki) -> None:
    """V1_HOST_HEADER: the setting's host name is only the Host header on v1."""
    report = _judge(pki, "Standard", SETTING_HOST, _leaf(pki, POOL))
    assert report.findings == (), str(report)
    assert dict(report.details)["SNI"] == f"{POOL} (the backend pool member)"


def test_v2_default_probe_sends_the_pool_fqdn(pki: Pki) -> None:
    """V2_ORDER, V2_DEFAULT_PROBE: no custom probe, no setting host: the pool FQDN is the SNI."""
    report = _judge(pki, "Standard_v2", POOL_FQDN, _leaf(pki, POOL))
    assert report.findings == (), str(report)
    details = dict(report.details)
    assert details["SNI"] == f"{POOL} (the backend pool member)"
    assert details["probe Host header"] == "127.0.0.1"


@pytest.mark.parametrize("sku", ["v1", "v2"])
def test_no_name_at_all_is_never_a_silent_ok(pki: Pki, sku: str) -> None:
    """V2_NONE: no SNI; the default certificate is judged and the report says its names
    went unchecked (BE009), even for a certificate that covers nothing the gateway uses."""
    report = _judge(pki, sku, NOTHING, _leaf(pki, "elsewhere.contoso.com"))
    assert report.ok
    assert [f.code for f in report.findings] == ["BE009"]
    assert "names went unchecked" in report.findings[0].message
    assert dict(report.details)["SNI"] == "none: no name is set"


def test_v1_host_names_alone_leave_the_pool_fqdn_unchecked(pki: Pki) -> None:
    """V1_POOL: without the pool member, a v1 report says the pool FQDN was not given."""
    config = Config(probe_host_name=PROBE, host_name=SETTING)
    report = _judge(pki, "v1", config, _leaf(pki, "elsewhere.contoso.com"))
    assert report.codes == {"BE009"}
    assert "No backend pool FQDN was given" in report.findings[0].message


# -- the backend settings' TLS validation options (v2) -----------------------------------


def test_sni_name_is_sent_and_checked(pki: Pki) -> None:
    """SNI_NAME: sniName replaces the probe's and the setting's names."""
    leaf = _leaf(pki, "sni.contoso.com")
    chain = [leaf.cert, *pki.chain_above_leaf()]
    config: dict[str, Any] = {**CUSTOM_PROBE.kwargs(), "trusted_roots": [pki.root.cert]}
    report = check_backend(chain, sku="v2", sni_name="sni.contoso.com", **config)
    assert report.findings == (), str(report)
    assert dict(report.details)["SNI"].startswith("sni.contoso.com (the backend setting's SNI")
    ignored = check_backend(chain, sku="v2", sni_name="sni.contoso.com", validate_sni=False,
                            **config)  # fmt: skip
    assert ignored.findings == ()  # no name check, and sniName not sent
    assert dict(ignored.details)["SNI"].startswith(PROBE)


def test_validate_sni_off_skips_the_name_check_only(pki: Pki) -> None:
    """SETTINGS_VALIDATION: validateSNI "verifies if the Common Name of the certificate
    provided by the backend server matches the Server Name Indication (SNI) value"."""
    leaf = _leaf(pki, "elsewhere.contoso.com")
    chain = [leaf.cert, *pki.chain_above_leaf()]
    on = check_backend(chain, sku="v2", trusted_roots=[pki.root.cert], **SETTING_HOST.kwargs())
    assert on.codes == {"BE007"}
    off = check_backend(chain, sku="v2", trusted_roots=[pki.root.cert], validate_sni=False,
                        **SETTING_HOST.kwargs())  # fmt: skip
    assert off.findings == ()
    assert dict(off.details)["name check"].startswith("off")
    missing = check_backend([leaf.cert], sku="v2", trusted_roots=[pki.root.cert],
                            validate_sni=False, **SETTING_HOST.kwargs())  # fmt: skip
    assert missing.codes == {"BE003"}  # the chain is still validated


def test_validate_chain_and_expiry_off_skips_chain_and_dates_only(pki: Pki) -> None:
    """SETTINGS_VALIDATION: validateCertChainAndExpiry "verifies or skips both certificate
    chain and expiry verifications"."""
    stranger = make_leaf(None, common_name=SETTING, dns_names=(SETTING,))  # self-signed
    on = check_backend([stranger.cert], sku="v2", **SETTING_HOST.kwargs())
    assert on.codes == {"BE003"}
    off = check_backend([stranger.cert], sku="v2", validate_chain_and_expiry=False,
                        **SETTING_HOST.kwargs())  # fmt: skip
    assert off.findings == (), str(off)
    assert "not validated" in dict(off.details)["trust anchors"]
    wrong = check_backend([stranger.cert], sku="v2", validate_chain_and_expiry=False,
                          host_name="other.contoso.com")  # fmt: skip
    assert wrong.codes == {"BE007"}  # the name is still checked
    nothing = check_backend([], sku="v2", validate_chain_and_expiry=False, host_name=SETTING)
    assert nothing.codes == {"BE001"}


def test_validation_options_are_v2_settings(pki: Pki) -> None:
    leaf = _leaf(pki, POOL)
    report = check_backend([leaf.cert], sku="v1", authentication_certs=[leaf.cert],
                           backend_address=POOL, validate_sni=False)  # fmt: skip
    assert report.findings == ()
    assert dict(report.details)["TLS validation options"] == "v2 settings: not applied on v1"


# -- handshake differential: the resolved SNI fetches the certificate judged ----------------


@dataclass(frozen=True)
class MultiSite:
    """A loopback backend serving one certificate per name, and a default one."""

    server: PythonTLSServer
    leaves: dict[str | None, Issued]  # None: the default certificate
    seen: list[str | None]


@pytest.fixture(scope="module")
def multi_site(pki: Pki) -> Iterator[MultiSite]:
    chain = pki.chain_above_leaf()
    leaves: dict[str | None, Issued] = {name: _leaf(pki, name) for name in ALL_NAMES}
    leaves[None] = _leaf(pki, "default.contoso.com", LOOPBACK_V4)
    by_name = {name: server_context(leaf, chain) for name, leaf in leaves.items() if name}
    seen: list[str | None] = []
    context = choosing_by_server_name(server_context(leaves[None], chain), by_name, seen)
    with PythonTLSServer(context) as server:
        yield MultiSite(server, leaves, seen)


HANDSHAKE_CONFIGS = {**CONFIGS, "pool IP": Config(backend_address=LOOPBACK_V4), "none": NOTHING}


def _fetch(site: MultiSite, resolved: ResolvedName) -> list[x509.Certificate]:
    site.seen.clear()
    chain = fetch_presented_chain(
        site.server.host, site.server.port, server_name=resolved.name or "", timeout=5
    )
    assert site.seen == [resolved.sni]  # exactly the resolved name went out, or none
    return chain


@pytest.mark.parametrize("sku", ["v1", "v2"])
@pytest.mark.parametrize("row", sorted(HANDSHAKE_CONFIGS))
def test_the_resolved_sni_fetches_the_certificate_judged(
    multi_site: MultiSite, pki: Pki, sku: str, row: str
) -> None:
    config = HANDSHAKE_CONFIGS[row]
    resolved = resolve_sni(sku, **config.kwargs())
    presented = _fetch(multi_site, resolved)
    served = multi_site.leaves.get(resolved.sni, multi_site.leaves[None])
    assert presented[0] == served.cert
    # Every certificate of this backend covers the name it is served for: the gateway's
    # verdict on what it fetched is healthy (no SNI: a warning at most).
    if sku == "v1":
        report = check_backend(presented, sku=sku, authentication_certs=[served.cert],
                               **config.kwargs())  # fmt: skip
    else:
        report = check_backend(presented, sku=sku, trusted_roots=[pki.root.cert],
                               **config.kwargs())  # fmt: skip
    assert report.ok, str(report)
    assert report.codes <= {"BE009"}
    assert dict(report.details)["SNI"] == resolved.describe()


def test_sending_another_name_fetches_a_certificate_the_verdict_refuses(
    multi_site: MultiSite, pki: Pki
) -> None:
    """The setting's host name would fetch the setting's certificate; v2 probes send the
    custom probe's host name, and the setting's certificate does not cover it."""
    resolved = resolve_sni("v2", **CUSTOM_PROBE.kwargs())
    wrong = resolve_sni("v2", **SETTING_HOST.kwargs())
    presented = _fetch(multi_site, wrong)
    assert presented[0] == multi_site.leaves[SETTING].cert
    report = check_backend(presented, sku="v2", trusted_roots=[pki.root.cert],
                           **CUSTOM_PROBE.kwargs())  # fmt: skip
    assert report.codes == {"BE007"}
    assert resolved.sni == PROBE
    assert pem(_fetch(multi_site, resolved)[0]) == pem(multi_site.leaves[PROBE].cert)
