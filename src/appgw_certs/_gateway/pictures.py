"""A gateway's pictures: each certificate object's chain, and the expiry timelines of
one gateway (every object, grouped by slot) and of a fleet (the objects that expire
soonest across all gateways).

Views are built here from the audit's own values and drawn by :mod:`appgw_certs._draw`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from .._draw.chain_svg import note
from .._draw.model import Bar, TimelineView, validity
from .._draw.timeline_svg import timeline_svg
from .._findings.report import Report, gap_code
from .._findings.sku import Slot
from .._x509.pictures import Described, chain_html
from .objects import SLOT_COLLECTIONS


class GatewayCertificate(Protocol):
    """What a picture reads of a certificate object (:class:`.audit.GatewayCertificate`)."""

    @property
    def name(self) -> str: ...
    @property
    def slot(self) -> Slot: ...
    @property
    def certificates(self) -> Sequence[Described]: ...
    @property
    def next_expiry(self) -> datetime | None: ...


class GatewayAudit(Protocol):
    """What a picture reads of an audit (:class:`.audit.GatewayAudit`, which imports
    this module: a protocol, so that the two do not import each other)."""

    @property
    def gateway(self) -> str: ...
    @property
    def certificates(self) -> Sequence[GatewayCertificate]: ...
    @property
    def report(self) -> Report: ...
    @property
    def audited_at(self) -> datetime | None: ...
    def by_expiry(self) -> Sequence[GatewayCertificate]: ...


__all__ = ["MAX_CHAINS", "audit_chains", "audit_timeline", "fleet_timeline"]

#: Chain diagrams drawn per gateway; the other objects are counted in one line.
MAX_CHAINS = 20
#: Certificate objects the fleet's timeline shows: those that expire soonest.
FLEET_BARS = 25

_COLLECTIONS = {slot: name for name, slot in SLOT_COLLECTIONS.items()}
_GROUPS = {
    Slot.LISTENER: "listener certificates",
    Slot.AUTHENTICATION: "v1 authentication certificates",
    Slot.TRUSTED_ROOT: "v2 trusted roots",
    Slot.TRUSTED_CLIENT_CA: "trusted client CAs",
}


def location(cert: GatewayCertificate) -> str:
    """``sslCertificates[name]``: where the audit's findings place the object."""
    return f"{_COLLECTIONS[cert.slot]}[{cert.name}]"


def audit_chains(audit: GatewayAudit, warning_days: int) -> str:
    """One chain diagram per certificate object with known certificates (a few at most)."""
    moment = audit.audited_at or datetime.now(UTC)
    known = [c for c in audit.certificates if c.certificates]
    diagrams = []
    for cert in known[:MAX_CHAINS]:
        here = [f for f in audit.report.findings if f.location == location(cert)]
        code = gap_code(here)
        diagrams.append(
            chain_html(
                cert.certificates,
                title=location(cert),
                now=moment,
                warning_days=warning_days,
                slot=cert.slot.value,
                gap=code,
            )
        )
    if len(known) > MAX_CHAINS:
        more = len(known) - MAX_CHAINS
        diagrams.append(
            f'<svg class="more" xmlns="http://www.w3.org/2000/svg" width="300" height="24">'
            f"{note(4, 16, f'{more} more certificate objects')}</svg>"
        )
    return "".join(diagrams)


def _bar(cert: GatewayCertificate, label: str, now: datetime, warning_days: int) -> Bar:
    group = _GROUPS[cert.slot]
    if not cert.certificates:
        return Bar(label, group, None, None, "unknown")
    first = min(cert.certificates, key=lambda c: c.not_after)
    state = validity(first.not_before, first.not_after, now, warning_days)
    return Bar(label, group, first.not_before, first.not_after, state)


def audit_timeline(audit: GatewayAudit, warning_days: int) -> str:
    """Every certificate object of one gateway, grouped by slot, next expiry first."""
    moment = audit.audited_at or datetime.now(UTC)
    order = list(_GROUPS)
    objects = sorted(audit.by_expiry(), key=lambda c: order.index(c.slot))  # stable
    bars = tuple(_bar(c, c.name, moment, warning_days) for c in objects)
    title = f"Expiry of gateway {audit.gateway}'s certificate objects"
    return timeline_svg(TimelineView(title, bars, moment, warning_days))


def fleet_timeline(
    audits: Sequence[GatewayAudit], warning_days: int, now: datetime | None = None
) -> str:
    """The certificate objects that expire soonest across ``audits``, one group each."""
    moment = now or datetime.now(UTC)
    latest = datetime.max.replace(tzinfo=UTC)
    every = [(c.next_expiry or latest, a.gateway, c) for a in audits for c in a.certificates]
    every.sort(key=lambda item: (item[0], item[1], item[2].name))
    bars = []
    for _, gateway, cert in every[:FLEET_BARS]:
        bar = _bar(cert, f"{gateway} / {cert.name}", moment, warning_days)
        bars.append(
            Bar(bar.label, "soonest to expire", bar.not_before, bar.not_after, bar.validity)
        )
    title = f"The {len(bars)} certificate objects that expire soonest, of {len(every)}"
    return timeline_svg(TimelineView(title, tuple(bars), moment, warning_days))
