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

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from cryptography import x509

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
_SHOWN = 3  # names or reasons quoted in one message


@dataclass(frozen=True)
class _Names:
    """What the names resolved for some pool members (or one name that wins over them)
    say: those that give no SNI, as :meth:`ResolvedName.describe` says it, by source;
    the first that look private, sorted (GW004); and the names sent as SNI (GW018)."""

    no_sni: Mapping[NameSource, tuple[str, ...]]
    private: tuple[str, ...]
    sent: tuple[str, ...]


def _summary(names: Iterable[ResolvedName]) -> _Names:
    no_sni: dict[NameSource, dict[str, None]] = {}
    private: set[str] = set()
    sent: dict[str, None] = {}
    for name in names:
        if name.name is None:
            continue  # nothing resolved: no member known, so nothing is probed or judged
        if name.sni is None:
            no_sni.setdefault(name.source, {})[name.describe()] = None
        else:
            sent[name.sni] = None
        if _looks_private(name.name):
            private.add(name.name)
    return _Names(
        {source: tuple(texts) for source, texts in no_sni.items()},
        tuple(sorted(private)[:_SHOWN]),
        tuple(sent),
    )


class _Resolver:
    """The names a setting's probe (or live traffic) resolves, summarised once per pool.

    When nothing wins over the pool member (no ``sniName``, no probe host, no
    setting host name unless picked), the member is the name and only
    ``pickHostNameFromBackendAddress`` sets its source: every setting alike shares
    one summary per pool, so a pool reached by many settings is resolved once.
    """

    def __init__(self, sku: Sku) -> None:
        self.sku = sku
        self._pools: dict[tuple[int, bool], tuple[Element, _Names]] = {}
        # (summary, allow-listed leaves) -> the names sent that no leaf's CN matches
        self._unmatched: dict[tuple[int, tuple[int, ...]], tuple[_Names, list[str]]] = {}

    def names(self, settings: Element, probe: Element | None, pools: list[Element]) -> list[_Names]:
        fixed = resolve_name(self.sku, settings, probe, None)
        if fixed.name is not None or not pools:
            return [_summary([fixed])]
        return [self._members(settings, probe, pool) for pool in pools]

    def _members(self, settings: Element, probe: Element | None, pool: Element) -> _Names:
        key = (id(pool), settings.flag("pickhostnamefrombackendaddress", default=False))
        if key not in self._pools:  # the pool is held with its summary: its id stays its own
            members = dict.fromkeys(pool_members(pool))
            names = (resolve_name(self.sku, settings, probe, m) for m in members)
            self._pools[key] = (pool, _summary(names))
        return self._pools[key][1]

    def unmatched(self, summary: _Names, leaves: list[x509.Certificate]) -> list[str]:
        """The names ``summary`` sends that no leaf's CN matches (v1's name check)."""
        key = (id(summary), tuple(map(id, leaves)))
        if key not in self._unmatched:  # held with the summary: its id stays its own
            sent = [n for n in summary.sent if not _allowed(leaves, n)]
            self._unmatched[key] = (summary, sent)
        return self._unmatched[key][1]


# location -> (what is said of it, the texts of one _Names.no_sni entry), once each
_NoSni = dict[str, dict[tuple[str, tuple[str, ...]], None]]


def check_backends(
    doc: GatewayDocument,
    sku: Sku | None,
    routes: list[Route],
    objects: Mapping[str, CertificateObject],
) -> Iterator[Finding]:
    """GW004, GW007 and GW018 for every HTTPS backend setting, and GW005 where the
    setting, its probe or a probe no HTTPS setting uses sends no SNI."""
    resolver = _Resolver(sku or Sku.STANDARD_V2)
    pools_of = _pools_by_settings(routes)
    no_sni: _NoSni = {}
    probes_used: set[int] = set()
    for collection in ("backendHttpSettingsCollection", "backendSettingsCollection"):
        for settings in doc.elements(collection):
            if settings.protocol() not in HTTPS_PROTOCOLS:
                continue
            probe = custom_probe(doc, settings)
            pools = pools_of.get(id(settings), [])
            names = resolver.names(settings, probe, pools)
            yield from _relaxed(settings)
            if probe is None:
                _no_sni(no_sni, settings.location, "its default probe's SNI is ", names)
            else:
                probes_used.add(id(probe))
                if probe.protocol() in HTTPS_PROTOCOLS:
                    _no_sni(no_sni, probe.location, "its SNI is ", names)
                live = resolver.names(settings, None, pools)
                _no_sni(no_sni, settings.location, "live traffic's SNI is ", live, live=True)
            if sku is not None and sku.generation == 2:
                yield from _well_known_private(settings, names)
            if sku is not None and sku.generation == 1:
                yield from _authentication_names(doc, settings, names, objects, resolver)
    for probe in doc.elements("probes"):
        if id(probe) not in probes_used and probe.protocol() in HTTPS_PROTOCOLS:
            alone = _summary([resolve_name(resolver.sku, None, probe, None)])
            _no_sni(no_sni, probe.location, "its SNI is ", [alone])
    note = "" if sku is not None else " (the SKU is not known: judged as v2)"
    for location, said in no_sni.items():
        yield finding(
            "GW005",
            f"{location}{note}: {_first(said)}. The backend's default certificate is the one "
            "judged",
            location=location,
        )


def _pools_by_settings(routes: list[Route]) -> dict[int, list[Element]]:
    """The distinct pools each backend setting's routes reach, by the setting's identity
    (Elements of one document are distinct objects; grouping once keeps a large gateway
    linear)."""
    grouped: dict[int, dict[int, Element]] = {}
    for route in routes:
        if route.settings is not None and route.pool is not None:
            grouped.setdefault(id(route.settings), {})[id(route.pool)] = route.pool
    return {settings: [*pools.values()] for settings, pools in grouped.items()}


def _no_sni(
    no_sni: _NoSni, location: str, who: str, names: list[_Names], *, live: bool = False
) -> None:
    """Record at ``location`` the names that give no SNI; for live traffic only those the
    setting fixes: with none, v2 sends the client's Host ("For live traffic"), and v1
    the pool member, as its probe does."""
    for summary in names:
        for source, texts in summary.no_sni.items():
            if not live or source in _SETTING_SOURCES:
                no_sni.setdefault(location, {})[who, texts] = None


def _first(said: Mapping[tuple[str, tuple[str, ...]], None]) -> str:
    """The first reasons, and how many more (once each: a pool reached twice is one)."""
    if len(said) == 1:
        ((who, texts),) = said
        reasons, total = [who + text for text in texts[:_SHOWN]], len(texts)
    else:
        every = [*dict.fromkeys(who + text for who, texts in said for text in texts)]
        reasons, total = every[:_SHOWN], len(every)
    more = f"; and {total - _SHOWN} more" if total > _SHOWN else ""
    return "; ".join(reasons) + more


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


def _well_known_private(settings: Element, names: list[_Names]) -> Iterator[Finding]:
    """GW004: the names the backend's certificate is checked against look private."""
    if settings.refs("trustedrootcertificates"):
        return
    private = sorted({name for summary in names for name in summary.private})
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
    names: list[_Names],
    objects: Mapping[str, CertificateObject],
    resolver: _Resolver,
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
    unmatched = [n for summary in names for n in resolver.unmatched(summary, leaves)]
    if unmatched:
        cns = sorted({cn for leaf in leaves for cn in common_names(leaf)}) or ["none"]
        more = f" and {len(unmatched) - _SHOWN} more" if len(unmatched) > _SHOWN else ""
        yield finding(
            "GW018",
            f"{settings.location}: no authentication certificate's CN matches "
            f"{', '.join(unmatched[:_SHOWN])}{more} (the pool FQDN the v1 probe sends as SNI "
            f"and checks the CN against); the certificates' CNs: {', '.join(cns[:_SHOWN])}",
            location=settings.location,
        )


def _allowed(leaves: list[x509.Certificate], name: str) -> bool:
    return any(matches_common_name(leaf, name) for leaf in leaves)


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
