"""Backend settings and health probes, judged on the name each probe resolves for each
pool member (:func:`.routes.resolve_name`, the precedence written once in
:mod:`appgw_certs._verdicts.names`): no SNI (GW005), probes that name no host
(GW006), relaxed validation (GW007), v2 settings that trust only well-known CAs
for a backend whose name looks private (GW004), and v1 authentication
certificates whose CN matches no pool FQDN (GW018).

A setting × pool member × probe is judged as the gateway's health probe sees it
(https://learn.microsoft.com/azure/application-gateway/ssl-overview#backend-tls-connection-application-gateway-to-the-backend-server,
"For probe traffic"): on v2 the custom probe's host, else the setting's host
name (or the member, when picked), else the pool FQDN; on v1 the pool FQDN, the
other names being Host headers only. A custom probe can resolve another name
than live traffic, whose SNI comes from the setting ("For live traffic"): a
setting that fixes an IP as its name is then judged for live traffic too. An
unknown SKU is judged as v2.

    >>> findings = [*check_backends(doc, sku, list(routes(doc)), objects), *check_probes(doc)]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Sku
from .._verdicts.names import NameSource, ResolvedName
from .._x509.names import common_names, is_ip, matches_common_name
from .model import Element, GatewayDocument
from .objects import CertificateObject
from .routes import (
    HTTPS_PROTOCOLS,
    Route,
    custom_probe,
    picks_host_name,
    pool_members,
    resolve_name,
)

__all__ = ["check_backends", "check_probes"]

_PRIVATE_SUFFIXES = (".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".corp")
# Names a setting fixes for live traffic; on v2 any other source means the client's Host.
_SETTING_SOURCES = frozenset(
    {NameSource.SNI_NAME, NameSource.BACKEND_SETTING, NameSource.PICKED_ADDRESS}
)
_SHOWN = 3  # reasons quoted in one GW005 message

# location -> what sends no SNI there (in order, once each)
_NoSni = dict[str, list[str]]


def check_backends(
    doc: GatewayDocument,
    sku: Sku | None,
    routes: list[Route],
    objects: Mapping[str, CertificateObject],
) -> Iterator[Finding]:
    """GW004, GW007 and GW018 for every HTTPS backend setting, and GW005 where the
    setting, its probe or a probe no HTTPS setting uses sends no SNI."""
    judged = sku or Sku.STANDARD_V2
    by_settings = _routes_by_settings(routes)
    no_sni: _NoSni = {}
    probes_used: set[int] = set()
    for collection in ("backendHttpSettingsCollection", "backendSettingsCollection"):
        for settings in doc.elements(collection):
            if settings.protocol() not in HTTPS_PROTOCOLS:
                continue
            probe = custom_probe(doc, settings)
            members = _members(by_settings.get(id(settings), []))
            names = [resolve_name(judged, settings, probe, m) for m in members]
            yield from _relaxed(settings)
            if probe is None:
                _no_sni(no_sni, settings.location, "its default probe: ", names)
            else:
                probes_used.add(id(probe))
                if probe.protocol() in HTTPS_PROTOCOLS:
                    _no_sni(no_sni, probe.location, "", names)
                live = [resolve_name(judged, settings, None, m) for m in members]
                _no_sni(no_sni, settings.location, "live traffic: ", live, live=True)
            if sku is not None and sku.generation == 2:
                yield from _well_known_private(settings, names)
            if sku is not None and sku.generation == 1:
                yield from _authentication_names(doc, settings, names, objects)
    for probe in doc.elements("probes"):
        if id(probe) not in probes_used and probe.protocol() in HTTPS_PROTOCOLS:
            _no_sni(no_sni, probe.location, "", [resolve_name(judged, None, probe, None)])
    note = "" if sku is not None else " (the SKU is not known: judged as v2)"
    for location, reasons in no_sni.items():
        more = f"; and {len(reasons) - _SHOWN} more" if len(reasons) > _SHOWN else ""
        yield finding(
            "GW005",
            f"{location} sends no SNI{note}: {'; '.join(reasons[:_SHOWN])}{more}. The "
            "backend's default certificate is the one judged",
            location=location,
        )


def _routes_by_settings(routes: list[Route]) -> dict[int, list[Route]]:
    """The routes of each backend setting, by the setting's identity (Elements of one
    document are distinct objects; grouping once keeps a large gateway linear)."""
    grouped: dict[int, list[Route]] = {}
    for route in routes:
        if route.settings is not None:
            grouped.setdefault(id(route.settings), []).append(route)
    return grouped


def _members(routes: list[Route]) -> list[str | None]:
    """The distinct members of the pools a setting's routes reach; ``[None]`` when none
    is known (no route, an empty pool, or members a template leaves unresolved)."""
    pools = {id(r.pool): r.pool for r in routes if r.pool is not None}
    members = dict.fromkeys(m for pool in pools.values() for m in pool_members(pool))
    return [*members] or [None]


def _no_sni(
    no_sni: _NoSni, location: str, who: str, names: list[ResolvedName], *, live: bool = False
) -> None:
    """Record at ``location`` each resolved name that gives no SNI. Nothing resolved is
    recorded only for a known member (else nothing is probed, or the pool is not known);
    for live traffic, only a name the setting fixes: with none, v2 sends the client's Host
    ("For live traffic"), and v1 the pool member, as its probe does."""
    for name in names:
        if name.sni is not None or name.name is None:
            continue
        if live and name.source not in _SETTING_SOURCES:
            continue
        reasons = no_sni.setdefault(location, [])
        reason = who + name.describe()
        if reason not in reasons:
            reasons.append(reason)


def _relaxed(settings: Element) -> Iterator[Finding]:
    off = [
        key
        for key, field in (
            ("validateCertChainAndExpiry", "validatecertchainandexpiry"),
            ("validateSNI", "validatesni"),
        )
        if not settings.flag(field, default=True)
    ]
    if off:
        yield finding(
            "GW007",
            f"{' and '.join(off)} set to false: the backend certificate is not fully validated",
            location=settings.location,
        )


def _well_known_private(settings: Element, names: list[ResolvedName]) -> Iterator[Finding]:
    """GW004: the names the backend's certificate is checked against look private."""
    if settings.refs("trustedrootcertificates"):
        return
    private = sorted({n.name for n in names if n.name and _looks_private(n.name)})
    if private:
        yield finding(
            "GW004",
            f"{settings.location} trusts only well-known CAs, but its backend looks private "
            f"({', '.join(private[:_SHOWN])}): a private CA's chain will fail backend health",
            location=settings.location,
        )


def _looks_private(name: str) -> bool:
    if is_ip(name):
        return True
    host = name.strip().rstrip(".").lower()
    return "." not in host or host.endswith(_PRIVATE_SUFFIXES)


def _authentication_names(
    doc: GatewayDocument,
    settings: Element,
    names: list[ResolvedName],
    objects: Mapping[str, CertificateObject],
) -> Iterator[Finding]:
    """GW018 (v1): pool FQDNs that no authentication certificate's CN matches. Judged
    only when every certificate the setting allow-lists was read: the backend must
    present one of them, and its CN must match the FQDN the probe sends."""
    refs = settings.refs("authenticationcertificates")
    targets = [doc.find(ref) for ref in refs]
    found = [objects.get(t.location) if t is not None else None for t in targets]
    leaves = [obj.leaf for obj in found if obj is not None and obj.leaf is not None]
    if not refs or len(leaves) != len(refs):
        return
    unmatched = sorted(
        {n.sni for n in names if n.sni and not any(matches_common_name(c, n.sni) for c in leaves)}
    )
    if unmatched:
        cns = sorted({cn for leaf in leaves for cn in common_names(leaf)}) or ["none"]
        yield finding(
            "GW018",
            f"{settings.location}: no authentication certificate's CN matches "
            f"{', '.join(unmatched[:_SHOWN])} (the pool FQDN the v1 probe sends as SNI and "
            f"checks the CN against); the certificates' CNs: {', '.join(cns[:_SHOWN])}",
            location=settings.location,
        )


def check_probes(doc: GatewayDocument) -> Iterator[Finding]:
    """GW006: an HTTPS probe that names no host and does not pick one."""
    for probe in doc.elements("probes"):
        if probe.protocol() not in HTTPS_PROTOCOLS:
            continue
        if not probe.text("host") and not picks_host_name(probe):
            yield finding(
                "GW006",
                f"{probe.location} names no host and does not pick one from the backend "
                "setting: its SNI falls back to the setting's host name, else the pool member "
                "(on v1, always the pool member)",
                location=probe.location,
            )
