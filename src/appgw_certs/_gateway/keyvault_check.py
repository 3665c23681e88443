"""Check a listener certificate kept in a Key Vault secret, as Application Gateway reads it.

Pure: the secret's value and attributes in, findings out (reading the secret is
:mod:`.keyvault`'s job). The profile differs from a PFX upload because Azure reads
the secret itself
(https://learn.microsoft.com/azure/application-gateway/key-vault-certs):

- no password rules: the PFX in a secret has an empty password (LST005 does not
  apply) and a PFX that needs one cannot be opened (LST002);
- no upload size limit (LST006): Key Vault itself caps a secret at 25 KB;
- the private key must be there (KV003): a certificate whose key is not exportable
  gives only its certificates;
- "HSM-validated certificates aren't supported" and the gateway "only supports
  certificates in Personal Information Exchange (PFX) format" (KV004, errors); a
  secret past its expiry date is still returned by Key Vault (KV004, a warning);
- a disabled secret cannot be read (KV002): "ensure that the certificate's status is
  set to Enabled";
- the chain and name checks are the uploaded PFX's own (:func:`inspect_upload`).
  A PEM secret is checked as the PFX that holds the same key and certificates.

    >>> check = inspect_key_vault_secret(secret_id, value, "application/x-pkcs12", True,
    ...                                  None, sku=Sku.STANDARD_V2, now=now)
    >>> check.certificates[0].subject, [f.code for f in check.findings]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

from .._errors import AppGwCertError, translate_errors
from .._findings.report import Finding, Severity
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .._formats.bundle import load_bundle
from .._formats.inputs import check_size
from .._formats.pfx import load_pfx
from .._formats.sniff import sniff_format, unwrap_base64
from .._upload.check import inspect_upload
from .._upload.checker import EXPIRY_WARNING_DAYS
from .._x509.graph import leaf_first

__all__ = [
    "PEM_CONTENT_TYPE",
    "PKCS12_CONTENT_TYPE",
    "KeyVaultCheck",
    "check_key_vault_secret",
    "inspect_key_vault_secret",
]

#: The content types of a Key Vault certificate's secret (its policy's secret_props).
PKCS12_CONTENT_TYPE = "application/x-pkcs12"
PEM_CONTENT_TYPE = "application/x-pem-file"

#: Upload rules that do not apply to a secret the gateway reads itself: the
#: password's shape (the PFX has none) and the ARM request's size limit.
_NOT_FOR_KEY_VAULT = frozenset({"LST005", "LST006"})


@dataclass(frozen=True)
class KeyVaultCheck:
    """What a Key Vault secret holds (leaf first) and what is wrong with it.

    >>> check.certificates[0].subject.rfc4514_string(), check.findings   # doctest: +SKIP
    ('CN=www.contoso.com', ())
    """

    certificates: tuple[x509.Certificate, ...]
    findings: tuple[Finding, ...]


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
) -> KeyVaultCheck:
    """Check one secret's value and attributes as the gateway would use them.

    ``secret_value`` is the secret's text (``None`` when it could not be read),
    ``content_type``, ``enabled`` and ``expires_on`` its attributes; ``managed`` is
    Key Vault's flag for a certificate's own secret (its PFX is written by Key
    Vault, so LST007 about the PFX's encryption is not reported); ``key_type`` the
    ``kty`` of the certificate's key when known (``RSA-HSM``, ``EC-HSM``: KV004).
    ``location`` is stamped on every finding. Never raises for any value; a naive
    ``now`` raises ``ValueError``. The id itself is judged by
    :func:`.keyvault_ids.key_vault_id_findings`, not here.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
    found: list[Finding] = []
    if enabled is False:
        found.append(
            finding(
                "KV002",
                f"the secret {secret_id} is disabled in Key Vault, so the gateway cannot read "
                "it (Azure Advisor: SecretDisabled); enable the version in use",
                location=location,
            )
        )
    if key_type is not None and key_type.upper().endswith("-HSM"):
        found.append(
            finding(
                "KV004",
                f"the certificate's key is HSM-backed ({key_type}): HSM-validated certificates "
                "aren't supported, and an HSM key never leaves the vault",
                location=location,
            )
        )
    if secret_value is None:
        return KeyVaultCheck((), tuple(found))
    certificates, checked = _content_checks(
        secret_value,
        content_type,
        managed=managed,
        sku=sku,
        now=now,
        expiry_warning_days=expiry_warning_days,
        location=location,
    )
    found += checked
    if expires_on is not None and expires_on <= now and "GEN002" not in {f.code for f in found}:
        found.append(
            finding(
                "KV004",
                f"the secret's expiry date (exp) passed on {expires_on:%Y-%m-%d}: Key Vault still "
                "returns it, but its owner marked it as no longer to be used",
                certificate=certificates[0] if certificates else None,
                location=location,
                severity=Severity.WARNING,
            )
        )
    return KeyVaultCheck(certificates, tuple(found))


def _content_checks(
    value: str,
    content_type: str | None,
    *,
    managed: bool,
    sku: Sku,
    now: datetime,
    expiry_warning_days: int,
    location: str | None,
) -> tuple[tuple[x509.Certificate, ...], list[Finding]]:
    """The certificates of the secret's PFX and the listener checks on it, as Key Vault
    secrets get them."""
    content = _as_pfx(value, content_type, location)
    found = list(content.findings)
    if content.pfx is None:
        return content.certificates, found
    inspection = inspect_upload(
        Slot.LISTENER, content.pfx, sku=sku, now=now, expiry_warning_days=expiry_warning_days
    )
    own_encryption = managed or content.converted  # Key Vault's PFX, or the one written here
    for f in inspection.findings(location):
        if f.code in _NOT_FOR_KEY_VAULT or (f.code == "LST007" and own_encryption):
            continue
        found.append(_for_key_vault(f, location))
    return content.certificates, found


@dataclass(frozen=True)
class _Content:
    """The PFX a secret holds (``None`` when there is none to check), its certificates
    (leaf first), what was found on the way, and whether the PFX was written here from
    PEM."""

    pfx: bytes | None = field(repr=False)
    certificates: tuple[x509.Certificate, ...] = ()
    findings: tuple[Finding, ...] = ()
    converted: bool = False


def _as_pfx(value: str, content_type: str | None, location: str | None) -> _Content:
    """The secret's PFX: base64 of one, or PEM (KV004) turned into one; GEN001 for a value
    that is neither."""
    data = value.strip().encode("utf-8", errors="replace")
    try:
        check_size(data, "the secret")
    except AppGwCertError as exc:
        return _Content(None, findings=(finding("GEN001", str(exc), location=location),))
    if sniff_format(data) == "pem":
        return _pem_as_pfx(data, content_type, location)
    raw = unwrap_base64(data)
    if raw is not None and sniff_format(raw) == "pkcs12":
        return _Content(raw, _pfx_certificates(raw))
    shown = f" (content type {content_type})" if content_type else ""
    why = (
        f"the secret{shown} holds neither base64 of a PFX ({PKCS12_CONTENT_TYPE}) nor PEM "
        f"({PEM_CONTENT_TYPE}): there is no certificate in it"
    )
    return _Content(None, findings=(finding("GEN001", why, location=location),))


def _pem_as_pfx(data: bytes, content_type: str | None, location: str | None) -> _Content:
    label = content_type or "no content type"
    pem = finding(
        "KV004",
        f"the secret holds PEM ({label}): Application Gateway only supports PFX certificates "
        f"from Key Vault ({PKCS12_CONTENT_TYPE}); checked as the PFX it would be",
        location=location,
    )
    try:
        bundle = load_bundle(data)
        certificates = tuple(leaf_first(bundle.certificates))
        if not certificates:
            raise AppGwCertError("no certificate in the PEM")
        if bundle.private_key is None and bundle.has_private_key:
            encrypted = finding(
                "KV003",
                "the PEM's private key is encrypted: the gateway has no password to open it",
                certificate=certificates[0],
                location=location,
            )
            return _Content(None, certificates, (pem, encrypted))
        with translate_errors("the PEM secret's key and certificates"):
            pfx = pkcs12.serialize_key_and_certificates(
                None, bundle.private_key, None, list(certificates), NoEncryption()
            )
    except AppGwCertError as exc:
        return _Content(None, findings=(pem, finding("GEN001", str(exc), location=location)))
    return _Content(pfx, certificates, (pem,), converted=True)


def _pfx_certificates(raw: bytes) -> tuple[x509.Certificate, ...]:
    try:
        pfx = load_pfx(raw)
    except AppGwCertError:
        return ()  # LST001/LST002 from the listener checks say why
    found: Sequence[x509.Certificate] = [pfx.certificate] if pfx.certificate is not None else []
    return tuple(leaf_first([*found, *pfx.chain]))


def _for_key_vault(f: Finding, location: str | None) -> Finding:
    """An upload finding in the words that fit a Key Vault secret."""
    if f.code == "LST003":
        return finding(
            "KV003",
            "the secret holds the certificate without its private key: the certificate's key "
            "is not exportable (HSM-backed keys never are)",
            certificate=f.certificate,
            location=location,
        )
    if f.code == "LST002":
        return finding(
            "LST002",
            "the PFX in the secret is protected by a password: the gateway opens Key Vault "
            "secrets without one; store the PFX without a password, as Key Vault "
            "certificates do",
            certificate=f.certificate,
            location=location,
        )
    return f
