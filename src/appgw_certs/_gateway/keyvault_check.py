"""Check a certificate kept in a Key Vault secret, as Application Gateway reads it.

Pure: the secret's value and attributes in, notes out (reading the secret is
:mod:`.keyvault`'s job). A listener's secret gets the uploaded PFX's checks, told
through :class:`UploadContext` that the gateway reads the secret itself
(https://learn.microsoft.com/azure/application-gateway/key-vault-certs), so they
apply Key Vault's profile:

- no password rules: the PFX in a secret has an empty password (LST005 does not
  apply) and a PFX that needs one cannot be opened (LST002);
- no upload size limit (LST006): Key Vault itself caps a secret at 25 KB;
- the private key must be there (KV003): a certificate whose key is not exportable
  gives only its certificates; LST007 (the PFX's encryption) only for a secret set
  by hand, not for a Key Vault certificate's own (``managed``);
- "HSM-validated certificates aren't supported" and the gateway "only supports
  certificates in Personal Information Exchange (PFX) format" (KV004, errors); a
  secret past its expiry date is still returned by Key Vault (KV004, a warning);
- a disabled secret cannot be read (KV002): "ensure that the certificate's status is
  set to Enabled";
- the chain and name checks are the uploaded PFX's own (:func:`inspect_upload`).
  A PEM secret is checked as the PFX that holds the same key and certificates.

A trusted root's secret ("Secret Id of (base-64 encoded unencrypted pfx) 'Secret' or
'Certificate' object stored in KeyVault", the REST API's
``ApplicationGatewayTrustedRootCertificate``) gets the trusted-root checks on the
certificates it holds, whatever holds them: a PFX, PEM, DER, or base64 of either
(a base64 PEM chain is reported to work, https://github.com/Azure/azure-cli/issues/16913).

    >>> check = inspect_key_vault_secret(secret_id, value, "application/x-pkcs12", True,
    ...                                  None, sku=Sku.STANDARD_V2, now=now)
    >>> check.certificates[0].subject, [f.code for f in check.findings]
"""

from __future__ import annotations

import binascii
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, pkcs12

from .._errors import AppGwCertError, translate_errors
from .._findings.report import Finding, Severity
from .._findings.rules import certificate_label
from .._findings.sku import Sku, Slot
from .._formats.bundle import load_bundle, parse_certificates
from .._formats.inputs import check_size
from .._formats.sniff import decode_base64_body, sniff_format, unwrap_base64
from .._upload.check import inspect_upload
from .._upload.checker import ALONE, EXPIRY_WARNING_DAYS, Note, UploadContext
from .._upload.listener_file import ListenerFile, open_listener_file
from .._x509.graph import leaf_first

__all__ = [
    "PEM_CONTENT_TYPE",
    "PKCS12_CONTENT_TYPE",
    "KeyVaultCheck",
    "check_key_vault_secret",
    "inspect_key_vault_secret",
    "inspect_key_vault_trusted_root",
]

#: The content types of a Key Vault certificate's secret (its policy's secret_props).
PKCS12_CONTENT_TYPE = "application/x-pkcs12"
PEM_CONTENT_TYPE = "application/x-pem-file"


@dataclass(frozen=True)
class KeyVaultCheck:
    """What a Key Vault secret holds (leaf first) and what is wrong with it: ``notes``
    unplaced, ``findings`` made at ``location``.

    >>> check.certificates[0].subject.rfc4514_string(), check.findings   # doctest: +SKIP
    ('CN=www.contoso.com', ())
    """

    certificates: tuple[x509.Certificate, ...]
    notes: tuple[Note, ...]
    location: str | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The notes, each made at :attr:`location`."""
        return tuple(note.at(self.location) for note in self.notes)


def check_key_vault_secret(
    secret_id: str,
    secret_value: str | None,
    content_type: str | None,
    enabled: bool | None,
    expires_on: datetime | None,
    *,
    sku: Sku,
    now: datetime,
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
    location: str | None = None,
    managed: bool = False,
    key_type: str | None = None,
) -> list[Finding]:
    """The findings of :func:`inspect_key_vault_secret` (same arguments)."""
    return list(
        inspect_key_vault_secret(
            secret_id,
            secret_value,
            content_type,
            enabled,
            expires_on,
            sku=sku,
            now=now,
            expiry_warning_days=expiry_warning_days,
            location=location,
            managed=managed,
            key_type=key_type,
        ).findings
    )


def inspect_key_vault_secret(
    secret_id: str,
    secret_value: str | None,
    content_type: str | None,
    enabled: bool | None,
    expires_on: datetime | None,
    *,
    sku: Sku,
    now: datetime,
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
    location: str | None = None,
    managed: bool = False,
    key_type: str | None = None,
    hostnames: Sequence[str] = (),
    context: UploadContext = ALONE,
) -> KeyVaultCheck:
    """Check one listener secret's value and attributes as the gateway would use them.

    ``secret_value`` is the secret's text (``None`` when it could not be read),
    ``content_type``, ``enabled`` and ``expires_on`` its attributes; ``managed`` is
    Key Vault's flag for a certificate's own secret (its PFX is written by Key
    Vault, so LST007 about the PFX's encryption is not reported); ``key_type`` the
    ``kty`` of the certificate's key when known (``RSA-HSM``, ``EC-HSM``: KV004).
    ``hostnames`` are the listener's, each of which the certificate must cover
    (LST009). ``location`` places the findings; ``context`` is what a caller that reads the
    gateway around the secret judges itself (the audit). Never raises for any
    value; a naive ``now`` raises ``ValueError``. The id itself is judged by
    :func:`.keyvault_ids.key_vault_id_findings`, not here.
    """
    _require_aware(now)
    notes = _disabled(secret_id, enabled)
    if key_type is not None and key_type.upper().endswith("-HSM"):
        notes.append(
            Note(
                "KV004",
                f"the certificate's key is HSM-backed ({key_type}): HSM-validated certificates "
                "aren't supported, and an HSM key never leaves the vault",
            )
        )
    if secret_value is None:
        return KeyVaultCheck((), tuple(notes), location)
    content = _as_pfx(secret_value, content_type)
    notes += content.notes
    if content.opened is not None:
        checked = inspect_upload(
            Slot.LISTENER,
            content.opened.data,
            sku=sku,
            hostnames=hostnames,
            now=now,
            expiry_warning_days=expiry_warning_days,
            context=dataclasses.replace(
                context,
                listener_file=content.opened,
                key_vault_secret=True,
                # Key Vault's PFX, or the one written here from PEM: nobody chose its encryption
                pfx_written_by_key_vault=managed or content.converted,
            ),
        )
        notes += checked.notes
    if expires_on is not None and expires_on <= now and "GEN002" not in {n.code for n in notes}:
        leaf = content.certificates[0] if content.certificates else None
        notes.append(
            Note(
                "KV004",
                f"the secret's expiry date (exp) passed on {expires_on:%Y-%m-%d}: Key Vault still "
                "returns it, but its owner marked it as no longer to be used",
                certificate=certificate_label(leaf),
                severity=Severity.WARNING,
            )
        )
    return KeyVaultCheck(content.certificates, tuple(notes), location)


def inspect_key_vault_trusted_root(
    secret_id: str,
    secret_value: str | None,
    enabled: bool | None,
    *,
    sku: Sku,
    now: datetime,
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
    location: str | None = None,
    context: UploadContext = ALONE,
) -> KeyVaultCheck:
    """Check a trusted root's secret: KV002 when it is disabled, GEN001 when it holds no
    certificate, else the trusted-root checks on its certificates (their PEM: the
    container is the secret's, so the .cer file rules ROOT001 and ROOT006 do not
    apply). Never raises for any value; a naive ``now`` raises ``ValueError``."""
    _require_aware(now)
    notes = _disabled(secret_id, enabled)
    if secret_value is None:
        return KeyVaultCheck((), tuple(notes), location)
    held = _any_certificates(secret_value)  # in the secret's order: the first is the root
    if not held:
        why = "the secret holds no certificate (nor a PFX without a password that holds one)"
        notes.append(Note("GEN001", why))
        return KeyVaultCheck((), tuple(notes), location)
    pem = b"".join(cert.public_bytes(Encoding.PEM) for cert in held)
    checked = inspect_upload(
        Slot.TRUSTED_ROOT,
        pem,
        sku=sku,
        now=now,
        expiry_warning_days=expiry_warning_days,
        context=context,
    )
    return KeyVaultCheck(tuple(leaf_first(held)), (*notes, *checked.notes), location)


def _require_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")


def _disabled(secret_id: str, enabled: bool | None) -> list[Note]:
    if enabled is not False:
        return []
    return [
        Note(
            "KV002",
            f"the secret {secret_id} is disabled in Key Vault, so the gateway cannot read "
            "it (Azure Advisor: SecretDisabled); enable the version in use",
        )
    ]


@dataclass(frozen=True)
class _Content:
    """The PFX a secret holds, opened without a password (``None`` when there is none to
    check), its certificates (leaf first), what was found on the way, and whether the
    PFX was written here from PEM."""

    opened: ListenerFile | None = field(repr=False)
    certificates: tuple[x509.Certificate, ...] = ()
    notes: tuple[Note, ...] = ()
    converted: bool = False


def _as_pfx(value: str, content_type: str | None) -> _Content:
    """The secret's PFX: base64 of one, or PEM (KV004) turned into one; GEN001 for a value
    that is neither."""
    data = value.strip().encode("utf-8", errors="replace")
    try:
        check_size(data, "the secret")
    except AppGwCertError as exc:
        return _Content(None, notes=(Note("GEN001", str(exc)),))
    if sniff_format(data) == "pem":
        return _pem_as_pfx(data, content_type)
    raw = unwrap_base64(data)
    if raw is not None and sniff_format(raw) == "pkcs12":
        opened = open_listener_file(raw, None)  # LST001/LST002 say why when it does not open
        return _Content(opened, tuple(leaf_first(opened.certificates)))
    shown = f" (content type {content_type})" if content_type else ""
    why = (
        f"the secret{shown} holds neither base64 of a PFX ({PKCS12_CONTENT_TYPE}) nor PEM "
        f"({PEM_CONTENT_TYPE}): there is no certificate in it"
    )
    return _Content(None, notes=(Note("GEN001", why),))


def _pem_as_pfx(data: bytes, content_type: str | None) -> _Content:
    label = content_type or "no content type"
    pem = Note(
        "KV004",
        f"the secret holds PEM ({label}): Application Gateway only supports PFX certificates "
        f"from Key Vault ({PKCS12_CONTENT_TYPE}); checked as the PFX it would be",
    )
    try:
        bundle = load_bundle(data)
        certificates = tuple(leaf_first(bundle.certificates))
        if not certificates:
            raise AppGwCertError("no certificate in the PEM")
        if bundle.private_key is None and bundle.has_private_key:
            encrypted = Note(
                "KV003",
                "the PEM's private key is encrypted: the gateway has no password to open it",
                certificate=certificate_label(certificates[0]),
            )
            return _Content(None, certificates, (pem, encrypted))
        with translate_errors("the PEM secret's key and certificates"):
            pfx = pkcs12.serialize_key_and_certificates(
                None, bundle.private_key, None, list(certificates), NoEncryption()
            )
    except AppGwCertError as exc:
        return _Content(None, notes=(pem, Note("GEN001", str(exc))))
    return _Content(open_listener_file(pfx, None), certificates, (pem,), converted=True)


def _any_certificates(value: str) -> list[x509.Certificate]:
    """The certificates of a secret in any format, base64 of one included (a PFX only
    without a password), in its order; none when it holds none."""
    data = value.strip().encode("utf-8", errors="replace")
    if sniff_format(data) == "base64":
        try:
            data = decode_base64_body(data)
        except (binascii.Error, ValueError):
            return []
    try:
        return parse_certificates(data)
    except AppGwCertError:
        return []
