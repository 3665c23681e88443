"""Backend settings and health probes: relaxed validation (GW007), no SNI because
the name sent is an IP (GW005), probes that name no host (GW006), and v2 settings
that trust only well-known CAs for a backend that looks private (GW004).

    >>> findings = [*check_backends(doc, sku, list(routes(doc))), *check_probes(doc, triples)]
"""

from __future__ import annotations

from collections.abc import Iterator

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Sku
from .._x509.names import is_ip
from .model import Element, GatewayDocument
from .routes import (
    HTTPS_PROTOCOLS,
    Route,
    backend_names,
    pool_members,
    probe_host,
    sends_host_name,
)

__all__ = ["check_backends", "check_probes"]

_PRIVATE_SUFFIXES = (".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".corp")


def check_backends(doc: GatewayDocument, sku: Sku | None, routes: list[Route]) -> Iterator[Finding]:
    """GW004, GW005 and GW007 for every HTTPS backend setting."""
    by_settings = _routes_by_settings(routes)
    for collection in ("backendHttpSettingsCollection", "backendSettingsCollection"):
        for settings in doc.elements(collection):
            if settings.protocol() not in HTTPS_PROTOCOLS:
                continue
            mine = by_settings.get(id(settings), [])
            yield from _relaxed(settings)
            yield from _no_sni(doc, settings, mine)
            if sku is not None and sku.generation == 2:
                yield from _well_known_private(settings, mine)


def _routes_by_settings(routes: list[Route]) -> dict[int, list[Route]]:
    """The routes of each backend setting, by the setting's identity (Elements of one
    document are distinct objects; grouping once keeps a large gateway linear)."""
    grouped: dict[int, list[Route]] = {}
    for route in routes:
        if route.settings is not None:
            grouped.setdefault(id(route.settings), []).append(route)
    return grouped


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


def _no_sni(doc: GatewayDocument, settings: Element, mine: list[Route]) -> Iterator[Finding]:
    sent = {name for route in mine for name in backend_names(route) if name and is_ip(name)}
    probe = doc.find(settings.ref("probe"))
    if probe is None:  # the default probe: its host comes from the setting alone
        pools = [r.pool for r in mine] or [None]
        sent |= {h for pool in pools for h in probe_host(None, settings, pool) if is_ip(h)}
    if sent:
        yield finding(
            "GW005",
            f"{settings.location} (or its default probe) sends {', '.join(sorted(sent))} as the "
            "host name: an IP, so no SNI; the backend's default certificate must match",
            location=settings.location,
        )


def _well_known_private(settings: Element, mine: list[Route]) -> Iterator[Finding]:
    if settings.refs("trustedrootcertificates"):
        return
    names = [sends_host_name(settings), *(m for r in mine for m in pool_members(r.pool))]
    private = sorted({n for n in names if n and _looks_private(n)})
    if private:
        yield finding(
            "GW004",
            f"{settings.location} trusts only well-known CAs, but its backend looks private "
            f"({', '.join(private[:3])}): a private CA's chain will fail backend health",
            location=settings.location,
        )


def _looks_private(name: str) -> bool:
    if is_ip(name):
        return True
    host = name.strip().rstrip(".").lower()
    return "." not in host or host.endswith(_PRIVATE_SUFFIXES)


def check_probes(doc: GatewayDocument, routes: list[Route]) -> Iterator[Finding]:
    """GW006 (HTTPS probe naming no host) and GW005 for probes that send an IP."""
    # (settings, pool) of the routes using each probe, by the probe's identity
    probed: dict[int, list[tuple[Element, Element | None]]] = {}
    for route in routes:
        if route.settings is not None:
            probe = doc.find(route.settings.ref("probe"))
            if probe is not None:
                probed.setdefault(id(probe), []).append((route.settings, route.pool))
    for probe in doc.elements("probes"):
        if probe.protocol() not in HTTPS_PROTOCOLS:
            continue
        picks = probe.flag("pickhostnamefrombackendhttpsettings", False) or probe.flag(
            "pickhostnamefrombackendsettings", False
        )
        if not probe.text("host") and not picks:
            yield finding(
                "GW006",
                f"{probe.location} names no host and does not pick one from the backend setting: "
                "it sends 127.0.0.1, so no SNI",
                location=probe.location,
            )
            continue
        sent = {
            host
            for settings, pool in probed.get(id(probe), ())
            for host in probe_host(probe, settings, pool)
            if is_ip(host)
        }
        if probe.text("host") and is_ip(probe.text("host") or ""):
            sent.add(probe.text("host") or "")
        if sent:
            yield finding(
                "GW005",
                f"{probe.location} sends {', '.join(sorted(sent))} as the host name: an IP, "
                "so no SNI",
                location=probe.location,
            )
