"""Audit a whole gateway from its JSON: every certificate object, then how they relate.

``audit_gateway`` reads the JSON (az CLI ``show``, REST GET or ARM template,
:mod:`.document`), decodes each certificate object and runs its slot's
upload checks (:mod:`.objects`), then the cross-checks GW001–GW017
(:mod:`.cross_checks`). It raises only when there is no gateway to audit;
everything else a gateway's JSON can hold becomes a finding.

    >>> audit = audit_gateway(Path("gw.json"), expiry_warning_days=45)
    >>> print(audit)                # certificates by next expiry, then findings
    >>> audit.report.ok, sorted(audit.report.codes)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from itertools import chain

from .._findings.report import Finding, Report, printable
from .._findings.sku import Sku, Slot
from .._formats.inputs import (
    checked_indent,
    checked_mapping,
    checked_moment,
    checked_number,
    checked_optional,
    refuse_nul_path,
)
from .._x509.describe import CertInfo, cert_info
from .._x509.links import audit_scope
from .._x509.trust import TrustStore
from .bounded import bounded_document, gateway_json
from .collapse import collapse_alike
from .cross_checks import cross_checks
from .document import read_gateway
from .keyvault import KeyVaultReader
from .model import GatewayDocument
from .objects import SLOT_COLLECTIONS, CertificateDecoder, CertificateObject
from .pictures import audit_chains, audit_timeline
from .usage import users_of

__all__ = ["GatewayAudit", "GatewayCertificate", "audit_gateway"]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class GatewayCertificate:
    """One certificate object of a gateway, with its certificates and who uses it.

    ``certificates`` is empty when the content is unknown offline (Key Vault
    reference, placeholder, unresolved expression) or unreadable.

    >>> [(c.name, c.slot.value, c.used_by) for c in audit.certificates]
    [('listener-cert', 'listener', ('https-listener',))]
    """

    name: str
    slot: Slot
    certificates: tuple[CertInfo, ...]
    used_by: tuple[str, ...]
    key_vault_secret_id: str | None

    @property
    def next_expiry(self) -> datetime | None:
        """The earliest ``not_after`` of its certificates (None when none are known)."""
        return min((c.not_after for c in self.certificates), default=None)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        expiry = self.next_expiry
        return {
            "name": self.name,
            "slot": self.slot.value,
            "used_by": list(self.used_by),
            "key_vault_secret_id": self.key_vault_secret_id,
            "next_expiry": expiry.isoformat() if expiry else None,
            "certificates": [c.to_dict() for c in self.certificates],
        }


@dataclass(frozen=True)
class GatewayAudit:
    """The audit of one gateway: its certificate objects and one report of findings.

    Every finding carries ``location`` (``"httpListeners[web]"``,
    ``"sslCertificates[web-cert]"``): the object to open in the portal.
    ``expiry_warning_days`` is the warning window the audit used (its timeline shades
    it; new in 0.2). In Jupyter an audit shows its objects, their expiry timeline and
    chains (:meth:`pictures_html`), then its findings.

    >>> audit.gateway, audit.sku, audit.report.ok
    ('appgw', <Sku.STANDARD_V2: 'Standard_v2'>, False)
    """

    gateway: str
    sku: Sku | None
    certificates: tuple[GatewayCertificate, ...]
    report: Report
    audited_at: datetime | None = field(default=None, compare=False)
    expiry_warning_days: int = field(default=30, compare=False)

    def by_expiry(self) -> list[GatewayCertificate]:
        """Certificate objects, the one expiring first first; unknown ones last."""
        latest = datetime.max.replace(tzinfo=UTC)
        return sorted(self.certificates, key=lambda c: (c.next_expiry or latest, c.name))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: gateway, sku, certificates and the report."""
        return {
            "gateway": self.gateway,
            "sku": self.sku.value if self.sku else None,
            "certificates": [c.to_dict() for c in self.certificates],
            "report": self.report.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=checked_indent(indent), ensure_ascii=False)

    def overview(self) -> str:
        """The gateway and its certificate objects, next expiry first (no findings)."""
        sku = self.sku.value if self.sku else "unknown SKU"
        # names and subjects come from the JSON: escaped, they cannot drive a terminal
        gateway = printable(self.gateway)
        count = len(self.certificates)
        objects = f"{count} certificate object{'' if count == 1 else 's'}"
        lines = [f"Gateway {gateway} ({sku}): {objects}"]
        for cert in self.by_expiry():
            lines.append("  " + "  ".join(map(printable, _row(cert, self.audited_at))))
        return "\n".join(lines)

    def __str__(self) -> str:
        return f"{self.overview()}\n\n{self.report}"

    def _repr_html_(self) -> str:
        sku = self.sku.value if self.sku else "unknown SKU"
        cell = 'style="text-align:left;vertical-align:top;padding:2px 8px"'
        head = "".join(
            f"<th {cell}>{h}</th>"
            for h in ("expires", "days", "slot", "name", "subject", "used by")
        )
        rows = "".join(
            "<tr>" + "".join(f"<td {cell}>{escape(v.strip())}</td>" for v in c_row) + "</tr>"
            for c in self.by_expiry()
            for c_row in [_row(c, self.audited_at)]
        )
        return (
            f"<div><p><strong>Gateway {escape(self.gateway)}</strong> ({escape(sku)})</p>"
            f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>{self.pictures_html()}"
            f"{self.report._repr_html_()}</div>"
        )

    def pictures_html(self) -> str:
        """The expiry timeline and each certificate object's chain, as inline SVG.

        .. versionadded:: 0.2
        """
        days = self.expiry_warning_days
        return f"<div>{audit_timeline(self, days)}</div><div>{audit_chains(self, days)}</div>"


def _row(cert: GatewayCertificate, now: datetime | None) -> tuple[str, ...]:
    expiry = cert.next_expiry
    days = str((expiry - (now or datetime.now(UTC))).days) if expiry else "-"
    subject = cert.certificates[0].subject if cert.certificates else _unknown_content(cert)
    return (
        f"{expiry:%Y-%m-%d}" if expiry else "unknown   ",
        days.rjust(5),
        cert.slot.value.ljust(17),
        cert.name,
        subject,
        ", ".join(cert.used_by) or "(unused)",
    )


def _unknown_content(cert: GatewayCertificate) -> str:
    return "(in Key Vault)" if cert.key_vault_secret_id else "(no certificate data)"


def audit_gateway(
    source: bytes | str | os.PathLike[str] | Mapping[str, object],
    *,
    parameters: Mapping[str, object] | None = None,
    expiry_warning_days: int = 30,
    store: TrustStore | None = None,
    now: datetime | None = None,
    key_vault: KeyVaultReader | None = None,
) -> GatewayAudit:
    """Audit one gateway from its JSON; findings, never exceptions, for what it holds.

    ``source``: JSON text (``str``/``bytes``), a JSON file (``pathlib.Path``) or
    the parsed object, in any of the three shapes: ``az network
    application-gateway show`` output, a REST GET body, or an ARM template with
    one ``Microsoft.Network/applicationGateways`` resource (``parameters`` fills
    its parameters: ``name -> value``, ``name -> {"value": ...}`` or a whole
    parameters file). Not JSON, or no gateway in it (a list of gateways
    included: audit each): :class:`CertificateFormatError`.

    ``store`` decides which trusted roots are "well known" (ROOT005); by default
    Mozilla's store via certifi stands in for Azure's unpublished list.

    Key Vault references are judged from their ids (KV001, KV005) and otherwise
    left unknown (GW013): nothing contacts Azure. With ``key_vault`` (a
    ``KeyVaultReader``, which needs ``pip install 'appgw-certs[azure]'``) the
    secret of each listener and trusted root certificate is read, once, and
    checked as the gateway will use it (KV002–KV004 and the slot's checks); the
    caller closes the reader.

    >>> audit = audit_gateway(Path("gw.json"))
    >>> [f.location for f in audit.report.errors]
    ['httpListeners[web]']

    CLI: ``az network application-gateway show -g RG -n GW | appgw-certs audit -``
    (``--key-vault`` reads the secrets).
    """
    refuse_nul_path(source)
    checked_mapping(parameters, "parameters")
    checked_number(expiry_warning_days, "expiry_warning_days", 0, 36_500)
    store, now = checked_optional(store, TrustStore, "store"), checked_moment(now)
    key_vault = checked_optional(key_vault, KeyVaultReader, "key_vault")
    document, cut = bounded_document(gateway_json(source))
    # A CA in every bundle is decoded once, and its links are confirmed by identity.
    # One warnings scope for the whole audit: the loaders' own are then free.
    with audit_scope():
        doc = read_gateway(document, parameters)
        del document  # only the normalised gateway is read from here on
        return _audit(
            doc,
            cut,
            expiry_warning_days=expiry_warning_days,
            store=store,
            now=now,
            key_vault=key_vault,
        )


def _audit(
    doc: GatewayDocument,
    cut: list[Finding],
    *,
    expiry_warning_days: int,
    store: TrustStore | None,
    now: datetime | None,
    key_vault: KeyVaultReader | None,
) -> GatewayAudit:
    moment = now or datetime.now(UTC)
    sku = doc.sku
    decoder = CertificateDecoder(
        sku, now=moment, expiry_warning_days=expiry_warning_days, store=store, key_vault=key_vault
    )
    objects = {
        element.location: decoder.decode(element, slot)
        for collection, slot in SLOT_COLLECTIONS.items()
        for element in doc.elements(collection)
    }
    used = users_of(doc)
    users = {location: used.get(location, ()) for location in objects}
    infos: dict[int, CertInfo] = {}
    findings = collapse_alike(
        chain(
            cut,
            (f for obj in objects.values() for f in obj.findings),
            cross_checks(doc, sku, objects, users),
        )
    )
    return GatewayAudit(
        gateway=doc.name,
        sku=sku,
        certificates=tuple(_describe(obj, users[loc], infos) for loc, obj in objects.items()),
        report=Report(f"Audit of gateway {doc.name}", _ordered(findings)),
        audited_at=moment,
        expiry_warning_days=expiry_warning_days,
    )


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; found order within each (stable sort)."""
    return sorted(findings, key=lambda f: _SEVERITY_ORDER.get(f.severity.value, 3))


def _describe(
    obj: CertificateObject, users: tuple[str, ...], infos: dict[int, CertInfo]
) -> GatewayCertificate:
    """The public view of an object; ``infos`` describes each certificate once per audit
    (by identity: the audit shares one parsed object per distinct certificate, and
    hashing a certificate walks its whole parsed structure)."""
    for cert in obj.certificates:
        if id(cert) not in infos:
            infos[id(cert)] = cert_info(cert)
    return GatewayCertificate(
        name=obj.element.name,
        slot=obj.slot,
        certificates=tuple(infos[id(c)] for c in obj.certificates),
        used_by=users,
        key_vault_secret_id=obj.key_vault_secret_id,
    )
