"""The checker every slot's checks share: what a check knows, and what it found.

A check records :class:`Note`\\ s, findings not yet placed: the caller turns
each into a :class:`Finding` where it reports it (``note.at(location)``), so a
file read once can be reported at every object that holds it. An
:class:`UploadContext` tells the checks what the caller already read or judges
itself (the gateway audit); without one, the checks read and judge everything.

    >>> checker = Checker(sku=Sku.STANDARD_V2, password=None, hostnames=(), now=now,
    ...                   expiry_warning=timedelta(days=30))
    >>> checker.certificates([leaf])
    >>> [note.at("trustedRootCertificates[root]") for note in checker.notes]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._errors import CertificateFormatError, PfxPasswordError
from .._findings.report import Finding, Severity
from .._findings.rules import certificate_label, finding
from .._findings.sku import Sku
from .._formats.bundle import Bundle, load_bundle, sniff_format
from .._formats.compat import public_key_of
from .._formats.inputs import Password
from .._formats.keys import key_description
from .._x509.graph import distinct
from .._x509.links import is_own_issuer

if TYPE_CHECKING:
    from .._x509.trust import TrustStore
    from .listener_file import ListenerFile

__all__ = [
    "ALONE",
    "EXPIRY_WARNING_DAYS",
    "KB",
    "Checker",
    "Note",
    "UploadContext",
    "bare_checker",
]

KB = 1024
EXPIRY_WARNING_DAYS = 30

_WEAK_HASHES = (hashes.SHA1, hashes.MD5)
_AZURE_CURVES = frozenset({"secp256r1", "secp384r1"})


@dataclass(frozen=True)
class UploadContext:
    """What a caller that reads the gateway around the file tells its checks.

    ``sku_checked_elsewhere``: whether the slot exists on the SKU (GEN006) is
    decided once for the whole gateway, not per file. ``chain_judged_elsewhere``:
    whether a listener's chain is complete (LST008) is judged by the caller,
    alike for a PFX and a PKCS#7 bundle. ``store``: ROOT005 asks this store
    instead of certifi's. ``listener_file``: the listener PFX, already opened
    with the password, so it is not decrypted again.

    ``key_vault_secret``: the listener PFX is a Key Vault secret, which the gateway
    reads itself (https://learn.microsoft.com/azure/application-gateway/key-vault-certs):
    no password rules (LST005) and no upload size limit (LST006); a PFX without
    its private key is KV003, and one that needs a password is LST002 in Key
    Vault's words. ``pfx_written_by_key_vault``: the PFX's encryption is not the
    user's to fix (a Key Vault certificate's own secret, or the PFX a PEM secret is
    checked as): no LST007.
    """

    sku_checked_elsewhere: bool = False
    chain_judged_elsewhere: bool = False
    store: TrustStore | None = None
    listener_file: ListenerFile | None = None
    key_vault_secret: bool = False
    pfx_written_by_key_vault: bool = False


#: The context of a check nobody else reads around: every check runs.
ALONE = UploadContext()


@dataclass(frozen=True)
class Note:
    """A finding before it is placed: the code, message, certificate, hint and
    severity a check decided; :meth:`at` makes the finding at a location."""

    code: str
    message: str | None = None
    certificate: str | None = None
    hint: str | None = None
    severity: Severity | None = None

    def at(self, location: str | None) -> Finding:
        """The finding, located at ``location`` (``None``: a file checked alone)."""
        return finding(
            self.code,
            self.message,
            certificate=self.certificate,
            hint=self.hint,
            location=location,
            severity=self.severity,
        )


class Checker:
    """The facts of one check, the notes it collects in order, and what it read.

    ``read`` holds the certificates the slot's check read from the file (the
    PFX's leaf and chain, a ``.cer``'s certificates), for a caller that lists them.
    """

    def __init__(
        self,
        *,
        sku: Sku,
        password: Password,
        hostnames: tuple[str, ...],
        now: datetime,
        expiry_warning: timedelta,
        context: UploadContext = ALONE,
    ) -> None:
        self.sku = sku
        self.password = password
        self.hostnames = hostnames
        self.now = now
        self.expiry_warning = expiry_warning
        self.context = context
        self.notes: list[Note] = []
        self.details: dict[str, str] = {}
        self.read: list[x509.Certificate] = []

    def add(
        self,
        code: str,
        message: str | None = None,
        *,
        certificate: x509.Certificate | str | None = None,
        severity: Severity | None = None,
        hint: str | None = None,
    ) -> None:
        self.notes.append(Note(code, message, certificate_label(certificate), hint, severity))

    # -- checks every certificate gets ------------------------------------------

    def certificates(self, certs: Iterable[x509.Certificate]) -> None:
        """GEN002–GEN005 for each distinct certificate."""
        for cert in distinct(certs):
            self.validity(cert)
            self.signature(cert)
            self.key(cert)

    def validity(self, cert: x509.Certificate) -> None:
        try:
            start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        except Exception:
            self.add("GEN002", "the validity dates cannot be read", certificate=cert)
            return
        if self.now < start:
            self.add(
                "GEN002",
                f"not valid before {start:%Y-%m-%d %H:%M} UTC (not yet valid)",
                certificate=cert,
            )
        elif self.now > end:
            self.add(
                "GEN002",
                f"expired on {end:%Y-%m-%d %H:%M} UTC: the current date isn't "
                'within the "Valid from" and "Valid to" date range',
                certificate=cert,
            )
        elif end - self.now <= self.expiry_warning:
            days = (end - self.now).days
            left = "less than a day" if days < 1 else f"{days} day{'s' if days > 1 else ''}"
            self.add("GEN003", f"expires on {end:%Y-%m-%d} ({left} from now)", certificate=cert)

    def signature(self, cert: x509.Certificate) -> None:
        if is_own_issuer(cert):
            return  # a root's self-signature is not relied on
        try:
            algorithm = cert.signature_hash_algorithm
        except Exception:
            self.add(
                "GEN004", "signed with an algorithm cryptography does not know", certificate=cert
            )
            return
        if isinstance(algorithm, _WEAK_HASHES):
            self.add(
                "GEN004",
                f"signed with {algorithm.name.upper()}, below SHA-256; Azure "
                "documents no algorithm list (unconfirmed)",
                certificate=cert,
            )

    def key(self, cert: x509.Certificate) -> None:
        try:
            key = public_key_of(cert)
        except Exception:
            self.add(
                "GEN005", "a public key cryptography cannot read (e.g. GOST)", certificate=cert
            )
            return
        if _azure_takes(key):
            return
        self.add(
            "GEN005",
            f"a {key_description(key)} key; Azure is known to take RSA 2048+ and "
            "EC P-256/P-384 (unconfirmed beyond)",
            certificate=cert,
        )

    def bundle(self, data: bytes, key_code: str) -> Bundle | None:
        """The certificates of a public-only slot, with its private-key rule applied."""
        try:
            bundle = load_bundle(data, self.password)
        except PfxPasswordError:
            what = "a PFX" if sniff_format(data) in ("pkcs12", "base64") else "an encrypted key"
            self.add(
                key_code,
                f"the file is {what} protected by a password: it holds a "
                "private key, which must not be uploaded here",
            )
            return None
        except CertificateFormatError as exc:
            self.add("GEN001", str(exc))
            return None
        leaf = bundle.certificates[0] if bundle.certificates else None
        if bundle.has_private_key:
            self.add(
                key_code,
                "the file holds a private key; this slot takes only public certificates",
                certificate=leaf,
            )
        if bundle.format == "pkcs12":
            self.add(
                "GEN001",
                "a PKCS#12 (.pfx) file; this slot takes a Base-64 .cer",
                certificate=leaf,
            )
        if not bundle.certificates:
            self.add("GEN001", "no certificate in the file")
            return None
        self.read = list(bundle.certificates)
        return bundle


def bare_checker(now: datetime, expiry_warning_days: int) -> Checker:
    """A checker for certificate-level checks, which depend on no SKU, password or host."""
    return Checker(
        sku=Sku.STANDARD_V2,
        password=None,
        hostnames=(),
        now=now,
        expiry_warning=timedelta(days=expiry_warning_days),
    )


def _azure_takes(key: object) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= 2048
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _AZURE_CURVES
    return False  # Ed25519/Ed448, DSA and anything else: not known to work
