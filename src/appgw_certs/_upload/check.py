"""Check one upload against the rules of its slot and SKU, before Azure does.

``check_upload`` reads the file once, runs the checks of its slot (a module
each: :mod:`.listener`, :mod:`.public_files`, :mod:`.client_ca`), then the
checks every certificate gets (validity, signature, key; :mod:`.checker`), and
returns a :class:`Report`. It never raises for any bytes: what cannot be read
becomes a finding (GEN001, or the slot's own code where Azure has one).

The gateway audit calls :func:`inspect_upload` instead: it passes what it
already read or judges itself (an :class:`UploadContext`) and gets the
findings unplaced, with the certificates the checks read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import CertificateFormatError, InputTooLargeError, InvalidArgumentError
from .._findings.report import Finding, Report
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .._formats.inputs import CertSource, Password, checked_moment, checked_number, read_bytes
from .._x509.chain_picture import ChainPicture
from .checker import ALONE, EXPIRY_WARNING_DAYS, Checker, Note, UploadContext, bare_checker
from .client_ca import CLIENT_CA_LIMIT, check_client_ca, client_ca_issuer
from .public_files import check_authentication, check_trusted_root

__all__ = [
    "Inspection",
    "certificate_notes",
    "check_upload",
    "client_ca_issuer",
    "host_names",
    "inspect_upload",
]

_TITLES = {
    Slot.LISTENER: "Listener certificate (PFX)",
    Slot.AUTHENTICATION: "Authentication certificate (v1)",
    Slot.TRUSTED_ROOT: "Trusted root certificate (v2)",
    Slot.TRUSTED_CLIENT_CA: "Trusted client CA certificate (mutual TLS)",
}


def _check_listener(checker: Checker, data: bytes) -> None:
    # deferred: the listener's checks (and the PFX decoders) load for a listener only
    from .listener import check_listener

    check_listener(checker, data)


_SLOT_CHECKS = {
    Slot.LISTENER: _check_listener,
    Slot.AUTHENTICATION: check_authentication,
    Slot.TRUSTED_ROOT: check_trusted_root,
    Slot.TRUSTED_CLIENT_CA: check_client_ca,
}


@dataclass(frozen=True)
class Inspection:
    """What the checks of one file found, not yet placed, and the certificates they
    read from it (file order; none when the file could not be read)."""

    notes: tuple[Note, ...]
    details: Mapping[str, str]
    certificates: tuple[x509.Certificate, ...]

    def findings(self, location: str | None) -> list[Finding]:
        """The findings, each made at ``location``."""
        return [note.at(location) for note in self.notes]


def check_upload(
    slot: Slot | str,
    source: CertSource,
    *,
    sku: Sku | str,
    password: Password = None,
    hostnames: Sequence[str] = (),
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
    now: datetime | None = None,
) -> Report:
    """Check a file for one slot of a gateway of ``sku``; never raises for bad input.

    ``source`` is the file as bytes, a ``pathlib.Path``, PEM text, or
    certificates. ``password`` opens a listener PFX; ``hostnames`` are the
    listener's host names, each of which the certificate must cover.
    Unknown ``slot`` or ``sku`` names raise ``ValueError`` naming the valid ones;
    a bare ``str`` for ``hostnames`` raises ``TypeError`` (pass ``["www.contoso.com"]``).
    ``expiry_warning_days`` moves GEN003's threshold (a certificate expiring within it
    is a warning).

    >>> report = check_upload("trusted-root", Path("root.cer"), sku="Standard_v2")
    >>> report.ok, sorted(report.codes)
    (True, [])

    CLI: ``appgw-certs check trusted-root root.cer --sku Standard_v2``.
    """
    slot, sku, now = Slot.parse(slot), Sku.parse(sku), checked_moment(now)
    hostnames = host_names(hostnames)
    checked_number(expiry_warning_days, "expiry_warning_days", 0, 36_500)
    try:
        data = _source_bytes(source)
    except CertificateFormatError as exc:
        title = _title(slot, sku)
        return Report(title, _unreadable(slot, sku, str(exc), too_large=_too_large(exc)))
    inspection = inspect_upload(
        slot,
        data,
        sku=sku,
        password=password,
        hostnames=hostnames,
        now=now,
        expiry_warning_days=expiry_warning_days,
    )
    picture = ChainPicture(inspection.certificates, slot.value, now, expiry_warning_days)
    return Report(_title(slot, sku), inspection.findings(None), inspection.details, chain=picture)


def inspect_upload(
    slot: Slot,
    data: bytes,
    *,
    sku: Sku,
    password: Password = None,
    hostnames: Sequence[str] = (),
    now: datetime | None = None,
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
    context: UploadContext = ALONE,
) -> Inspection:
    """The checks of ``slot`` on ``data``, told what ``context`` says the caller knows;
    the findings come unplaced (``inspection.findings(location)`` places them).

    ``expiry_warning_days`` moves GEN003's threshold. A naive ``now`` raises
    ``ValueError`` (a programming error, not bad input).

    >>> inspect_upload(Slot.LISTENER, pfx, sku=Sku.STANDARD_V2, password="Secret123",
    ...                context=UploadContext(chain_judged_elsewhere=True))  # doctest: +SKIP
    """
    if now is not None and now.utcoffset() is None:
        raise InvalidArgumentError("now must be timezone-aware, e.g. datetime.now(UTC)")
    checker = Checker(
        sku=sku,
        password=password,
        hostnames=host_names(hostnames),
        now=now or datetime.now(UTC),
        expiry_warning=timedelta(days=expiry_warning_days),
        context=context,
    )
    if not context.sku_checked_elsewhere and not slot.available_on(sku):
        message, hint = _unavailable(slot, sku)
        checker.add("GEN006", message, hint=hint)
    try:
        _SLOT_CHECKS[slot](checker, data)
    except Exception as exc:  # a check must not raise; say what could not be judged
        checker.add("GEN001", f"the file could not be checked completely ({type(exc).__name__})")
    return Inspection(tuple(checker.notes), checker.details, tuple(checker.read))


def certificate_notes(
    certs: Iterable[x509.Certificate], *, now: datetime, expiry_warning_days: int
) -> list[Note]:
    """GEN002–GEN005, the checks every upload's certificates get, on parsed certificates.

    For certificates that come without their file (an audit's ``publicCertData``).

    >>> certificate_notes([leaf], now=now, expiry_warning_days=30)   # doctest: +SKIP
    []
    """
    checker = bare_checker(now, expiry_warning_days)
    checker.certificates(certs)
    return checker.notes


def host_names(hostnames: Sequence[str]) -> tuple[str, ...]:
    """``hostnames`` as a tuple; a bare ``str`` (or bytes) raises ``TypeError``, since
    iterating it would check each character as a host name."""
    if isinstance(hostnames, str | bytes | bytearray):
        example = hostnames if isinstance(hostnames, str) else "www.contoso.com"
        raise TypeError(
            "hostnames: expected a sequence of host names, not a bare "
            f"{type(hostnames).__name__}; write [{example[:80]!r}]"
        )
    return tuple(hostnames)


def _title(slot: Slot, sku: Sku) -> str:
    return f"{_TITLES[slot]} for {sku.value}"


def _unavailable(slot: Slot, sku: Sku) -> tuple[str, str]:
    """GEN006's message and hint for ``slot`` on ``sku``."""
    if slot is Slot.AUTHENTICATION:
        return (
            f"{sku.value} has no authentication certificates: v2 answers "
            "ApplicationGatewayFeatureCannotBeEnabledForSelectedSku (supported SKU tiers are "
            "Standard, WAF)",
            "On v2, upload the backend chain's root as a trusted root: "
            "`appgw-certs extract root chain.pem -o root.cer` (`extract_trusted_root`).",
        )
    if slot is Slot.TRUSTED_ROOT:
        return (
            f"{sku.value} (v1) has no trusted root certificates",
            "On v1, upload the backend's leaf as an authentication certificate: "
            "`appgw-certs extract auth chain.pem -o leaf.cer` (`extract_authentication_cert`).",
        )
    return (
        f"mutual authentication (trusted client CA) is not available on {sku.value}",
        "Mutual authentication needs Standard_v2 or WAF_v2.",
    )


# -- reading the source --------------------------------------------------------


def _source_bytes(source: CertSource) -> bytes:
    """The bytes to check; certificate objects become the PEM a person would upload."""
    if isinstance(source, str):
        return source.encode("utf-8", errors="replace")
    if isinstance(source, bytes | bytearray | memoryview | os.PathLike):
        return read_bytes(source)
    certs = [source] if isinstance(source, x509.Certificate) else list(source)
    if not all(isinstance(c, x509.Certificate) for c in certs):
        raise TypeError("source must be bytes, str (PEM text), a pathlib.Path or certificates")
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _too_large(exc: CertificateFormatError) -> bool:
    return isinstance(exc, InputTooLargeError)


def _unreadable(slot: Slot, sku: Sku, why: str, *, too_large: bool) -> list[Finding]:
    findings = [finding("GEN001", f"the file cannot be read: {why}")]
    if too_large and slot is Slot.LISTENER:
        from .listener import LISTENER_LIMITS  # deferred: for a listener only

        findings.append(
            finding("LST006", f"the file is over {LISTENER_LIMITS[sku.generation]:,} bytes")
        )
    if too_large and slot is Slot.TRUSTED_CLIENT_CA:
        findings.append(finding("CCA006", f"the file is over {CLIENT_CA_LIMIT:,} bytes"))
    return findings
