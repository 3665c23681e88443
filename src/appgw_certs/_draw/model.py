"""The view-models the pictures are drawn from: plain frozen values, no certificates.

Each higher layer fills them from its own objects (a chain's descriptions, a test
chain, a gateway's audit); :func:`validity` judges dates with the thresholds of the
expiry rules (GEN002 expired or not yet valid, GEN003 within the warning window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "ROLE_LABELS",
    "Bar",
    "CertBox",
    "ChainView",
    "FindingRow",
    "Gap",
    "TimelineView",
    "Validity",
    "validity",
]

Validity = Literal["valid", "expiring", "expired", "not-yet-valid"]

#: What each ``data-role`` of a box says to a person.
ROLE_LABELS = {
    "listener-leaf": "listener leaf",
    "authentication": "v1 authentication certificate",
    "trusted-root": "v2 trusted root",
    "client-ca": "client CA",
    "leaf": "leaf",
    "intermediate": "intermediate",
    "root": "root",
}


def validity(
    not_before: datetime, not_after: datetime, now: datetime, warning_days: int
) -> Validity:
    """Where ``now`` falls: the same comparisons as the upload checks' GEN002/GEN003.

    >>> from datetime import UTC
    >>> day = datetime(2030, 1, 1, tzinfo=UTC)
    >>> validity(day, day + timedelta(days=10), day, 30)
    'expiring'
    """
    if now < not_before:
        return "not-yet-valid"
    if now > not_after:
        return "expired"
    if not_after - now <= timedelta(days=warning_days):
        return "expiring"
    return "valid"


@dataclass(frozen=True)
class CertBox:
    """One certificate in a chain diagram.

    ``role`` is a key of :data:`ROLE_LABELS` (the box's ``data-role``); ``roles`` are
    further labels (a server leaf is also a v1 authentication certificate).
    """

    subject: str  # the full subject, shown as the box's tooltip
    common_name: str
    key: str
    role: str
    validity: Validity
    not_after: datetime
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """A missing link: an absent issuer or a broken signature, and the rule that says so."""

    code: str
    text: str


@dataclass(frozen=True)
class ChainView:
    """A chain, root first: boxes, with a gap wherever a link is missing."""

    title: str
    items: tuple[CertBox | Gap, ...]


@dataclass(frozen=True)
class Bar:
    """One certificate object's validity; ``not_before``/``not_after`` None when unknown."""

    label: str
    group: str
    not_before: datetime | None
    not_after: datetime | None
    validity: Validity | Literal["unknown"]


@dataclass(frozen=True)
class TimelineView:
    """Bars (in drawing order, grouped by ``group``), the moment, the warning window."""

    title: str
    bars: tuple[Bar, ...]
    now: datetime
    warning_days: int


@dataclass(frozen=True)
class FindingRow:
    """One finding as the findings table shows it (text, not yet escaped)."""

    severity: str
    code: str
    message: str
    hint: str = ""
    certificate: str | None = None
    location: str | None = None
    reference: str = ""
    azure_error: str | None = None
