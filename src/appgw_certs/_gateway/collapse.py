"""Many findings alike become one: past :data:`SHOWN_ALIKE` findings of one code and
message shape, the rest are one finding that counts them and names a few of
their locations. A gateway with ten thousand broken objects gives a bounded report,
while one within Azure's limits (at most 100 objects in each certificate collection)
has every certificate object's findings listed.

Findings are alike when they differ only in where they are: the same code,
severity and certificate, and the same message once its own location is taken
out (``sslCertificates[a] is used by no listener`` and ``sslCertificates[b] is
used by no listener``).

    >>> collapse_alike(findings)   # 150 GW003: 100 as they are, one "(and 49 more like it: ...)"
"""

from __future__ import annotations

from collections.abc import Iterable

from .._findings.report import Finding, Severity
from .._findings.rules import finding

__all__ = ["SHOWN_ALIKE", "collapse_alike"]

#: Findings of one shape listed one by one before the rest are counted: as many as a
#: certificate collection may hold objects.
SHOWN_ALIKE = 100
#: Locations a counted finding names.
_LOCATIONS_NAMED = 3

_Shape = tuple[str, Severity, str | None, str]


def collapse_alike(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` in order, with each shape's findings past :data:`SHOWN_ALIKE` made one
    finding at the place of the first of them (read lazily: the rest are only counted)."""
    kept: list[Finding] = []
    seen: dict[_Shape, int] = {}
    rest: dict[_Shape, _Rest] = {}
    for found in findings:
        shape = _shape(found)
        count = seen[shape] = seen.get(shape, 0) + 1
        if count <= SHOWN_ALIKE:
            kept.append(found)
        elif count == SHOWN_ALIKE + 1:
            rest[shape] = _Rest(found, len(kept))
            kept.append(found)
        else:
            rest[shape].add(found)
    for more in rest.values():
        kept[more.position] = more.finding()
    return kept


class _Rest:
    """The findings of one shape past those shown: the first, a count, a few places."""

    def __init__(self, first: Finding, position: int) -> None:
        self.first = first
        self.position = position
        self.more = 0
        self.locations: list[str] = []

    def add(self, found: Finding) -> None:
        self.more += 1
        if len(self.locations) < _LOCATIONS_NAMED and found.location:
            self.locations.append(found.location)

    def finding(self) -> Finding:
        first = self.first
        if not self.more:
            return first
        named = ", ".join(self.locations)
        others = f": {named}{', …' if self.more > len(self.locations) else ''}" if named else ""
        return finding(
            first.code,
            f"{first.message} (and {self.more:,} more like it{others})",
            certificate=first.certificate,
            hint=first.hint,
            location=first.location,
            severity=first.severity,
        )


def _shape(found: Finding) -> _Shape:
    message = found.message.replace(found.location, "") if found.location else found.message
    return found.code, found.severity, found.certificate, message
