"""The chain a report was made from, kept so that the report can draw it.

A :class:`ChainPicture` holds the certificates a check read (file order), the slot
they were read for and the moment and warning window the check used; it is drawn
only when asked for (Jupyter, ``--format html``), so a check pays nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .describe import describe
from .pictures import chain_html

__all__ = ["ChainPicture"]


@dataclass(frozen=True)
class ChainPicture:
    """What a chain diagram needs, beside the findings that name its gaps.

    ``slot`` gives the roles the certificates play for Azure (``None``: each its own,
    as for a chain a backend or a client presents).
    """

    certificates: tuple[x509.Certificate, ...]
    slot: str | None = None
    now: datetime | None = None
    warning_days: int = 30

    def svg(self, gap: str | None = None) -> str:
        """The diagram, root at the top, with ``gap`` (the code of the rule that reports a
        missing link) drawn where the link is missing; empty when there is nothing to draw."""
        if not self.certificates:
            return ""
        return chain_html(
            describe(list(self.certificates)),
            title="Chain (root at the top)",
            now=self.now,
            warning_days=self.warning_days,
            slot=self.slot,
            gap=gap,
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Reports pickle (fleets audit in worker processes); certificates do not: send DER.
        der = tuple(c.public_bytes(Encoding.DER) for c in self.certificates)
        return (_from_der, (der, self.slot, self.now, self.warning_days))


def _from_der(
    der: tuple[bytes, ...], slot: str | None, now: datetime | None, warning_days: int
) -> ChainPicture:
    certificates = tuple(x509.load_der_x509_certificate(d) for d in der)
    return ChainPicture(certificates, slot, now, warning_days)
