"""Decode a gateway's certificate objects and run each one's upload checks.

Where the bytes sit (gateway-json.md §1.2–1.5): a listener certificate carries
``publicCertData`` in a GET (base64 of a DER PKCS#7 bundle, certificates in any
order; in 2016-era output a bare DER certificate) or ``data`` + ``password`` in a
template (base64 of the PFX); the other three slots carry ``data``, base64 of
the uploaded file (DER or PEM). Placeholders (``****``), Key Vault references
and unresolved expressions are *unknown* (GW013), never malformed.

One :class:`CertificateDecoder` serves one audit and remembers what it decoded
and checked, so a certificate uploaded under many names is read once.

    >>> decoder = CertificateDecoder(Sku.STANDARD_V2, now=now, expiry_warning_days=30)
    >>> obj = decoder.decode(element, Slot.TRUSTED_ROOT)
    >>> obj.certificates, [f.code for f in obj.findings]
"""

from __future__ import annotations

import binascii
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography import x509

from .._errors import AppGwCertError
from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .._formats.bundle import parse_certificates
from .._formats.inputs import check_size
from .._formats.pfx import load_pfx
from .._upload.check import certificate_findings, check_upload_bytes, listener_bundle_findings
from .._x509.graph import leaf_first
from .._x509.names import subject_text
from .._x509.trust import TrustStore, well_known_root
from .arm import Unknown
from .model import Element, is_placeholder

__all__ = ["SLOT_COLLECTIONS", "CertificateDecoder", "CertificateObject"]

#: The four certificate collections and the slot each one is.
SLOT_COLLECTIONS: dict[str, Slot] = {
    "sslCertificates": Slot.LISTENER,
    "trustedRootCertificates": Slot.TRUSTED_ROOT,
    "trustedClientCertificates": Slot.TRUSTED_CLIENT_CA,
    "authenticationCertificates": Slot.AUTHENTICATION,
}

#: Codes the audit decides gateway-wide instead (SKU fit once per object kind,
#: listener chain completeness alike for a PFX and a PKCS#7 bundle).
_GATEWAY_WIDE = frozenset({"GEN006", "LST008"})

#: A SKU on which each slot exists, for running a slot's checks on a gateway
#: whose SKU lacks it (GEN006 says so once, gateway-wide).
_SKU_WITH_SLOT = {
    Slot.LISTENER: Sku.STANDARD_V2,
    Slot.AUTHENTICATION: Sku.STANDARD,
    Slot.TRUSTED_ROOT: Sku.STANDARD_V2,
    Slot.TRUSTED_CLIENT_CA: Sku.STANDARD_V2,
}


@dataclass(frozen=True)
class CertificateObject:
    """One certificate object of the gateway, decoded."""

    element: Element
    slot: Slot
    certificates: tuple[x509.Certificate, ...]  # leaf first where there is a leaf
    key_vault_secret_id: str | None
    findings: tuple[Finding, ...]  # decoding, unknowns and the slot's upload checks

    @property
    def leaf(self) -> x509.Certificate | None:
        """The certificate the object is about (first after ordering), if any."""
        return self.certificates[0] if self.certificates else None


@dataclass(frozen=True)
class _Decoded:
    certificates: tuple[x509.Certificate, ...]
    findings: tuple[Finding, ...]  # without location


class CertificateDecoder:
    """Decodes certificate objects for one audit, caching by the encoded text."""

    def __init__(
        self,
        sku: Sku | None,
        *,
        now: datetime,
        expiry_warning_days: int,
        store: TrustStore | None = None,
    ) -> None:
        self._sku = sku
        self._now = now
        self._days = expiry_warning_days
        self._store = store
        self._cache: dict[tuple[object, ...], _Decoded] = {}
        # By identity: inside an audit each distinct certificate is one object
        # (sharing_parsed_certificates), and hashing one costs microseconds. The
        # entry holds the certificate, so its id stays its own.
        self._per_certificate: dict[int, tuple[x509.Certificate, tuple[Finding, ...]]] = {}

    def decode(self, element: Element, slot: Slot) -> CertificateObject:
        """The object's certificates and findings (located at ``element``)."""
        key_vault = element.get("keyvaultsecretid")
        kv_text = key_vault.strip() if isinstance(key_vault, str) and key_vault.strip() else None
        decoded, notes = self._content(element, slot, kv_text)
        notes += _key_vault_notes(key_vault, kv_text)
        located = tuple(
            dataclasses.replace(f, location=element.location) for f in (*decoded.findings, *notes)
        )
        return CertificateObject(element, slot, decoded.certificates, kv_text, located)

    def _content(
        self, element: Element, slot: Slot, key_vault: str | None
    ) -> tuple[_Decoded, list[Finding]]:
        data = element.get("data")
        if slot is Slot.LISTENER and _usable(data):
            password = element.get("password")
            if not isinstance(password, str | Unknown):  # a list or object: unhashable, and
                password = None  # no password either (the PFX is opened without one)
            return self._cached(("pfx", data, password), self._read_pfx), []
        public = element.get("publiccertdata") if slot is Slot.LISTENER else None
        if _usable(public):
            return self._cached(("p7", public), self._read_public_cert_data), []
        if slot is not Slot.LISTENER and _usable(data):
            return self._cached((slot, data), self._read_public_file), []
        if key_vault is not None:
            return _Decoded((), ()), []  # the Key Vault note says why
        field = "publicCertData" if slot is Slot.LISTENER and data is None else "data"
        return _Decoded((), ()), [_unknown_data(public if data is None else data, field)]

    def _cached(
        self, key: tuple[object, ...], read: Callable[[tuple[object, ...]], _Decoded]
    ) -> _Decoded:
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = read(key)
        return hit

    def _sku_for(self, slot: Slot) -> Sku:
        if self._sku is not None and slot.available_on(self._sku):
            return self._sku
        return _SKU_WITH_SLOT[slot]

    def _upload_checks(self, slot: Slot, data: bytes, password: str | None) -> tuple[Finding, ...]:
        report = check_upload_bytes(
            slot,
            data,
            sku=self._sku_for(slot),
            password=password,
            now=self._now,
            expiry_warning_days=self._days,
        )
        return tuple([f for f in report.findings if f.code not in _GATEWAY_WIDE])

    def _certificate_checks(self, certs: Sequence[x509.Certificate]) -> tuple[Finding, ...]:
        """Validity, signature and key checks for certificates that come without their
        PFX (``publicCertData``): the checks every upload's certificates get, once per
        distinct certificate (an issuing CA is in every bundle it issued)."""
        found: list[Finding] = []
        for cert in certs:
            entry = self._per_certificate.get(id(cert))
            if entry is None or entry[0] is not cert:
                checked = certificate_findings(
                    [cert], now=self._now, expiry_warning_days=self._days
                )
                entry = self._per_certificate[id(cert)] = (cert, tuple(checked))
            found += entry[1]
        return tuple(found)

    def _read_pfx(self, key: tuple[object, ...]) -> _Decoded:
        _, data, password = key
        raw, problem = _base64_field(data, "data")
        if raw is None:
            return _Decoded((), (problem,) if problem else ())
        if isinstance(password, Unknown) or (isinstance(password, str) and _is_stars(password)):
            note = finding(
                "GW013",
                "the PFX password is not known offline (a securestring parameter or a "
                "placeholder): the PFX was not opened",
            )
            return _Decoded(_pfx_certificates(raw, None), (note,))
        secret = password if isinstance(password, str) else None
        return _Decoded(
            _pfx_certificates(raw, secret), self._upload_checks(Slot.LISTENER, raw, secret)
        )

    def _read_public_cert_data(self, key: tuple[object, ...]) -> _Decoded:
        raw, problem = _base64_field(key[1], "publicCertData")
        if raw is None:
            return _Decoded((), (problem,) if problem else ())
        try:
            certs = parse_certificates(raw)
        except AppGwCertError as exc:
            return _Decoded((), (finding("GEN001", f"publicCertData could not be read: {exc}"),))
        ordered = tuple(leaf_first(certs))
        found = self._certificate_checks(certs)
        if ordered:  # a PKCS#7 bundle may hold no certificate
            found += tuple(listener_bundle_findings(ordered[0], ordered[1:]))
        return _Decoded(ordered, found)

    def _read_public_file(self, key: tuple[object, ...]) -> _Decoded:
        slot, data = Slot(str(key[0])), key[1]
        raw, problem = _base64_field(data, "data")
        if raw is None:
            return _Decoded((), (problem,) if problem else ())
        try:
            certs = tuple(leaf_first(parse_certificates(raw)))
        except AppGwCertError:
            certs = ()  # the upload checks say what is wrong with the file
        found = self._upload_checks(slot, raw, None)
        if slot is Slot.TRUSTED_ROOT and self._store is not None and certs:
            found = (*(f for f in found if f.code != "ROOT005"), *self._well_known(certs))
        return _Decoded(certs, found)

    def _well_known(self, certs: Sequence[x509.Certificate]) -> tuple[Finding, ...]:
        """ROOT005 against the caller's store instead of certifi's (the upload checks' own)."""
        anchor = well_known_root(list(certs), store=self._store)
        if anchor is None:
            return ()
        text = f"chains to {subject_text(anchor)!r}, a CA of the trust store given to the audit"
        return (finding("ROOT005", text, certificate=certs[0]),)


def _is_stars(text: str) -> bool:
    """A non-empty placeholder such as ``****`` (an empty password is no password)."""
    return bool(text.strip()) and is_placeholder(text)


def _usable(value: object) -> bool:
    return isinstance(value, str) and not is_placeholder(value)


def _base64_field(value: object, field: str) -> tuple[bytes | None, Finding | None]:
    """The bytes of a base64 field (PEM text accepted as is); a GEN001 finding if broken."""
    text = str(value).strip()
    if text.startswith("-----BEGIN"):
        raw = text.encode("utf-8")
    else:
        try:
            raw = _strict_base64(text)
        except (binascii.Error, ValueError):
            return None, finding(
                "GEN001", f"{field} is not valid base64 (truncated or damaged when copied?)"
            )
    try:
        check_size(raw, field)
    except AppGwCertError as exc:
        return None, finding("GEN001", str(exc))
    if not raw:
        return None, finding("GEN001", f"{field} is empty")
    return raw, None


def _strict_base64(text: str) -> bytes:
    """Base64 with line breaks or spaces anywhere; nothing else tolerated."""
    try:
        return binascii.a2b_base64(text, strict_mode=True)  # what a GET returns: one line
    except binascii.Error:
        return binascii.a2b_base64("".join(text.split()), strict_mode=True)


def _pfx_certificates(raw: bytes, password: str | None) -> tuple[x509.Certificate, ...]:
    try:
        pfx = load_pfx(raw, password)
    except AppGwCertError:
        return ()  # LST001/LST002 from the upload checks say why
    found = [pfx.certificate] if pfx.certificate is not None else []
    return tuple(leaf_first([*found, *pfx.chain]))


def _unknown_data(value: object, field: str) -> Finding:
    if isinstance(value, Unknown):
        why = f"{field} is a template expression not known offline ({value.expression})"
    elif isinstance(value, str) and value.strip():
        why = f"{field} is a placeholder ({value.strip()[:8]}): there is no certificate to inspect"
    else:
        why = f"no certificate data in the JSON ({field} missing or empty)"
    return finding("GW013", why)


def _key_vault_notes(value: object, text: str | None) -> list[Finding]:
    if isinstance(value, Unknown):
        return [
            finding("GW013", f"the Key Vault secret id is not known offline ({value.expression})")
        ]
    if text is None:
        return []
    notes = [
        finding(
            "GW013", f"Key Vault reference {text}: the certificate in Key Vault was not inspected"
        )
    ]
    if _versioned(text):
        notes.append(
            finding(
                "GW012",
                f"the Key Vault secret id {text} names a version: the gateway will not pick up "
                "renewed certificates",
            )
        )
    return notes


def _versioned(secret_id: str) -> bool:
    """``https://vault/secrets/NAME/VERSION`` (or ``/certificates/``) carries a version."""
    try:
        parts = [p for p in urlsplit(secret_id).path.split("/") if p]
    except ValueError:
        return False
    return len(parts) >= 3 and parts[0].lower() in ("secrets", "certificates")
