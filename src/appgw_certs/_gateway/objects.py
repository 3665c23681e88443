"""Decode a gateway's certificate objects and run each one's upload checks.

Where the bytes sit (the REST API's ``ApplicationGatewaySslCertificate``,
https://learn.microsoft.com/rest/api/application-gateway/application-gateways/get,
"publicCertData: Base-64 encoded Public cert data corresponding to pfx specified
in data. Only applicable in GET request"): a listener certificate carries
``publicCertData`` in a GET (base64 of a DER PKCS#7 bundle, certificates in any
order; in 2016-era output a bare DER certificate) or ``data`` + ``password`` in a
template (base64 of the PFX); the other three slots carry ``data``, base64 of
the uploaded file (DER or PEM). Placeholders (``****``), Key Vault references
and unresolved expressions are *unknown* (GW013), never malformed.

A Key Vault reference (``keyVaultSecretId``) is judged from its id alone (KV001,
KV005). Given a :class:`KeyVaultReader`, the decoder reads the secret of each
listener and trusted root certificate (the two objects the REST API gives a
``keyVaultSecretId``) and checks it as the gateway will use it: the secret, not
a GET's ``publicCertData``, is what the gateway fetches next.

One :class:`CertificateDecoder` serves one audit and remembers what it decoded
and checked, so a certificate uploaded under many names is read, decrypted and
checked once. The slot's upload checks are told what the audit judges itself
(:class:`UploadContext`) and give their findings unplaced; each object's are
made at its location.

    >>> decoder = CertificateDecoder(Sku.STANDARD_V2, now=now, expiry_warning_days=30)
    >>> obj = decoder.decode(element, Slot.TRUSTED_ROOT)
    >>> obj.certificates, [f.code for f in obj.findings]
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from .._errors import AppGwCertError
from .._findings.report import Finding
from .._findings.sku import Sku, Slot
from .._formats.bundle import parse_certificates
from .._formats.inputs import check_size
from .._upload.check import Inspection, certificate_notes, inspect_upload
from .._upload.checker import Note, UploadContext
from .._upload.listener import listener_bundle_notes
from .._upload.listener_file import ListenerFile, open_listener_file
from .._x509.graph import leaf_first
from .._x509.trust import TrustStore
from .arm import Unknown
from .keyvault import KeyVaultReader
from .keyvault_ids import key_vault_id_notes
from .model import Element, is_placeholder

__all__ = ["SLOT_COLLECTIONS", "CertificateDecoder", "CertificateObject"]

#: The four certificate collections and the slot each one is.
SLOT_COLLECTIONS: dict[str, Slot] = {
    "sslCertificates": Slot.LISTENER,
    "trustedRootCertificates": Slot.TRUSTED_ROOT,
    "trustedClientCertificates": Slot.TRUSTED_CLIENT_CA,
    "authenticationCertificates": Slot.AUTHENTICATION,
}

#: A SKU on which each slot exists, for running a slot's checks on a gateway
#: whose SKU lacks it (GEN006 says so once, gateway-wide).
_SKU_WITH_SLOT = {
    Slot.LISTENER: Sku.STANDARD_V2,
    Slot.AUTHENTICATION: Sku.STANDARD,
    Slot.TRUSTED_ROOT: Sku.STANDARD_V2,
    Slot.TRUSTED_CLIENT_CA: Sku.STANDARD_V2,
}

#: The slots whose objects take a ``keyVaultSecretId`` in the REST API
#: (``ApplicationGatewaySslCertificate``, ``ApplicationGatewayTrustedRootCertificate``,
#: https://learn.microsoft.com/rest/api/application-gateway/application-gateways/get).
_KEY_VAULT_SLOTS = frozenset({Slot.LISTENER, Slot.TRUSTED_ROOT})


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
    notes: tuple[Note, ...]  # placed at each object that holds this content


class CertificateDecoder:
    """Decodes certificate objects for one audit, caching by the encoded text.

    ``pfx_opened`` counts the PFX files decrypted (or tried): one per distinct
    ``data`` and password, however many objects hold it. ``key_vault`` reads the
    secrets objects reference (each once); without it nothing contacts Azure.
    """

    def __init__(
        self,
        sku: Sku | None,
        *,
        now: datetime,
        expiry_warning_days: int,
        store: TrustStore | None = None,
        key_vault: KeyVaultReader | None = None,
    ) -> None:
        self._sku = sku
        self._key_vault = key_vault
        self._now = now
        self._days = expiry_warning_days
        self._store = store
        self.pfx_opened = 0
        self._cache: dict[tuple[object, ...], _Decoded] = {}
        # By identity: inside an audit each distinct certificate is one object
        # (sharing_parsed_certificates), which hashing would walk whole. The entry
        # holds the certificate, so its id stays its own.
        self._per_certificate: dict[int, tuple[x509.Certificate, tuple[Note, ...]]] = {}

    def decode(self, element: Element, slot: Slot) -> CertificateObject:
        """The object's certificates and findings (located at ``element``)."""
        key_vault = element.get("keyvaultsecretid")
        kv_text = key_vault.strip() if isinstance(key_vault, str) and key_vault.strip() else None
        decoded, notes = self._content(element, slot, kv_text)
        reads = self._key_vault is not None and slot in _KEY_VAULT_SLOTS
        if reads and kv_text is not None:
            decoded = self._with_secret(decoded, slot, kv_text)
        notes += _key_vault_notes(
            key_vault, kv_text, read=reads, reader=self._key_vault is not None
        )
        located = tuple(note.at(element.location) for note in (*decoded.notes, *notes))
        return CertificateObject(element, slot, decoded.certificates, kv_text, located)

    def _content(
        self, element: Element, slot: Slot, key_vault: str | None
    ) -> tuple[_Decoded, list[Note]]:
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
        """The SKU whose rules the slot's checks apply: the gateway's, where it has the slot
        (GEN006 says once, gateway-wide, where it does not)."""
        if self._sku is not None and slot.available_on(self._sku):
            return self._sku
        return _SKU_WITH_SLOT[slot]

    def _context(self, opened: ListenerFile | None = None) -> UploadContext:
        """What the audit judges itself: the SKU's slots, the listener chains, the store."""
        return UploadContext(
            sku_checked_elsewhere=True,
            chain_judged_elsewhere=True,
            store=self._store,
            listener_file=opened,
        )

    def _upload_checks(
        self, slot: Slot, data: bytes, password: str | None, opened: ListenerFile | None = None
    ) -> Inspection:
        context = self._context(opened)
        return inspect_upload(
            slot,
            data,
            sku=self._sku_for(slot),
            password=password,
            now=self._now,
            expiry_warning_days=self._days,
            context=context,
        )

    def _certificate_checks(self, certs: Sequence[x509.Certificate]) -> tuple[Note, ...]:
        """Validity, signature and key checks for certificates that come without their
        PFX (``publicCertData``): the checks every upload's certificates get, once per
        distinct certificate (an issuing CA is in every bundle it issued)."""
        found: list[Note] = []
        for cert in certs:
            entry = self._per_certificate.get(id(cert))
            if entry is None or entry[0] is not cert:
                checked = certificate_notes([cert], now=self._now, expiry_warning_days=self._days)
                entry = self._per_certificate[id(cert)] = (cert, tuple(checked))
            found += entry[1]
        return tuple(found)

    def _open_pfx(self, raw: bytes, password: str | None) -> ListenerFile:
        self.pfx_opened += 1
        return open_listener_file(raw, password)

    def _read_pfx(self, key: tuple[object, ...]) -> _Decoded:
        _, data, password = key
        raw, problem = _base64_field(data, "data")
        if raw is None:
            return _unreadable(problem)
        if isinstance(password, Unknown) or (isinstance(password, str) and _is_stars(password)):
            note = Note(
                "GW013",
                "the PFX password is not known offline (a securestring parameter or a "
                "placeholder): the PFX was not opened",
            )
            return _Decoded(_leaf_first(self._open_pfx(raw, None).certificates), (note,))
        secret = password if isinstance(password, str) else None
        opened = self._open_pfx(raw, secret)
        checked = self._upload_checks(Slot.LISTENER, raw, secret, opened)
        return _Decoded(_leaf_first(opened.certificates), checked.notes)

    def _with_secret(self, in_json: _Decoded, slot: Slot, secret_id: str) -> _Decoded:
        """The secret's content in place of the JSON's copy (a GET's ``publicCertData``);
        the copy, beside why the secret gave no certificate, when it gave none."""
        secret = self._cached(("kv", slot, secret_id), self._read_key_vault)
        if secret.certificates or not in_json.certificates:
            return secret
        return _Decoded(in_json.certificates, (*in_json.notes, *secret.notes))

    def _read_key_vault(self, key: tuple[object, ...]) -> _Decoded:
        slot, secret_id, reader = Slot(str(key[1])), str(key[2]), self._key_vault
        if reader is None:  # decode() reads only with a reader
            return _Decoded((), ())
        checked = reader.check(
            secret_id,
            sku=self._sku_for(slot),
            now=self._now,
            expiry_warning_days=self._days,
            slot=slot,
            context=self._context(),
        )
        return _Decoded(checked.certificates, checked.notes)

    def _read_public_cert_data(self, key: tuple[object, ...]) -> _Decoded:
        raw, problem = _base64_field(key[1], "publicCertData")
        if raw is None:
            return _unreadable(problem)
        try:
            certs = parse_certificates(raw)
        except AppGwCertError as exc:
            return _Decoded((), (Note("GEN001", f"publicCertData could not be read: {exc}"),))
        ordered = _leaf_first(certs)
        found = self._certificate_checks(certs)
        if ordered:  # a PKCS#7 bundle may hold no certificate
            found += tuple(listener_bundle_notes(ordered[0], ordered[1:]))
        return _Decoded(ordered, found)

    def _read_public_file(self, key: tuple[object, ...]) -> _Decoded:
        slot, data = Slot(str(key[0])), key[1]
        raw, problem = _base64_field(data, "data")
        if raw is None:
            return _unreadable(problem)
        checked = self._upload_checks(slot, raw, None)
        return _Decoded(_leaf_first(checked.certificates or _any_certificates(raw)), checked.notes)


def _leaf_first(certs: Sequence[x509.Certificate]) -> tuple[x509.Certificate, ...]:
    return tuple(leaf_first(certs))


def _unreadable(problem: Note | None) -> _Decoded:
    return _Decoded((), (problem,) if problem else ())


def _any_certificates(raw: bytes) -> Sequence[x509.Certificate]:
    """The certificates of a file the slot's checks refused whole (a broken key block
    beside them, a format the slot does not take): still listed, and still compared
    across the gateway (GW010, GW011)."""
    try:
        return parse_certificates(raw)
    except AppGwCertError:
        return ()


def _is_stars(text: str) -> bool:
    """A non-empty placeholder such as ``****`` (an empty password is no password)."""
    return bool(text.strip()) and is_placeholder(text)


def _usable(value: object) -> bool:
    return isinstance(value, str) and not is_placeholder(value)


def _base64_field(value: object, field: str) -> tuple[bytes | None, Note | None]:
    """The bytes of a base64 field (PEM text accepted as is); a GEN001 note if broken."""
    text = str(value).strip()
    if text.startswith("-----BEGIN"):
        raw = text.encode("utf-8")
    else:
        try:
            raw = _strict_base64(text)
        except (binascii.Error, ValueError):
            return None, Note(
                "GEN001", f"{field} is not valid base64 (truncated or damaged when copied?)"
            )
    try:
        check_size(raw, field)
    except AppGwCertError as exc:
        return None, Note("GEN001", str(exc))
    if not raw:
        return None, Note("GEN001", f"{field} is empty")
    return raw, None


def _strict_base64(text: str) -> bytes:
    """Base64 with line breaks or spaces anywhere; nothing else tolerated."""
    try:
        return binascii.a2b_base64(text, strict_mode=True)  # what a GET returns: one line
    except binascii.Error:
        return binascii.a2b_base64("".join(text.split()), strict_mode=True)


def _unknown_data(value: object, field: str) -> Note:
    if isinstance(value, Unknown):
        why = f"{field} is a template expression not known offline ({value.expression})"
    elif isinstance(value, str) and value.strip():
        why = f"{field} is a placeholder ({value.strip()[:8]}): there is no certificate to inspect"
    else:
        why = f"no certificate data in the JSON ({field} missing or empty)"
    return Note("GW013", why)


def _key_vault_notes(value: object, text: str | None, *, read: bool, reader: bool) -> list[Note]:
    """GW013 for an id not known offline; for a known one, KV001 and KV005 (in GW012's
    place) from the id alone, and GW013 when its secret was not read."""
    if isinstance(value, Unknown):
        return [Note("GW013", f"the Key Vault secret id is not known offline ({value.expression})")]
    if text is None:
        return []
    notes = key_vault_id_notes(text)
    if not read:
        why = (
            "the REST API takes keyVaultSecretId for listener and trusted root certificates "
            "only: not read"
            if reader
            else "the certificate in Key Vault was not inspected"
        )
        notes.insert(0, Note("GW013", f"Key Vault reference {text}: {why}"))
    return notes
