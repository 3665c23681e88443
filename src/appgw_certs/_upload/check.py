"""Check one upload against the rules of its slot and SKU, before Azure does.

``check_upload`` reads the file once, runs the checks of its slot, then the
checks every certificate gets (validity, signature, key), and returns a
:class:`Report`. It never raises for any bytes: what cannot be read becomes a
finding (GEN001, or the slot's own code where Azure has one).

Approximations, stated in the findings that rest on them:

- Sizes are measured on the raw file, KB = 1024 bytes; when only the base64
  form Azure receives is over the listener limit, LST006 is a warning (U3).
- "Well known" (ROOT005) means in Mozilla's root store via certifi; Azure does
  not publish its list (U7).
- The issuer DN for mutual TLS follows azure-rules §6.2 (longest chain, the
  first of equal ones), computed from the file's CA certificates.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from .._errors import (
    AppGwCertError,
    CertificateFormatError,
    InputTooLargeError,
    InvalidArgumentError,
    PfxPasswordError,
)
from .._findings.report import Finding, Report, Severity
from .._findings.rules import finding
from .._findings.sku import Sku, Slot
from .._formats.bundle import (
    CERT_LABELS,
    KEY_LABELS,
    Bundle,
    PemBlock,
    load_bundle,
    load_der_certificate,
    pem_blocks,
    sniff_format,
    unwrap_base64,
)
from .._formats.inputs import CertSource, Password, checked_moment, encode_password, read_bytes
from .._formats.keys import key_description, key_matches
from .._formats.pfx import Pfx, PfxEncryption, load_pfx_with_layout, read_pfx_encryption
from .._x509.graph import distinct, issued_none, path_up
from .._x509.links import is_own_issuer, is_self_signed, missing_issuer_text
from .._x509.names import extension_value, is_ca, matches_hostname, subject_text

__all__ = [
    "certificate_findings",
    "check_upload",
    "check_upload_bytes",
    "client_ca_issuer",
    "listener_bundle_findings",
]

KB = 1024
#: Listener PFX limit per generation (azure-rules L3, S3), in bytes.
LISTENER_LIMITS = {1: 10 * KB, 2: 16 * KB}
#: Trusted client CA file limit (azure-rules C8).
CLIENT_CA_LIMIT = 25 * KB
EXPIRY_WARNING_DAYS = 30

_TITLES = {
    Slot.LISTENER: "Listener certificate (PFX)",
    Slot.AUTHENTICATION: "Authentication certificate (v1)",
    Slot.TRUSTED_ROOT: "Trusted root certificate (v2)",
    Slot.TRUSTED_CLIENT_CA: "Trusted client CA certificate (mutual TLS)",
}
_PASSWORD = re.compile(rb"[A-Za-z0-9]{4,12}")
_WEAK_HASHES = (hashes.SHA1, hashes.MD5)
_AZURE_CURVES = frozenset({"secp256r1", "secp384r1"})


def check_upload(
    slot: Slot | str,
    source: CertSource,
    *,
    sku: Sku | str,
    password: Password = None,
    hostnames: Sequence[str] = (),
    now: datetime | None = None,
) -> Report:
    """Check a file for one slot of a gateway of ``sku``; never raises for bad input.

    ``source`` is the file as bytes, a ``pathlib.Path``, PEM text, or
    certificates. ``password`` opens a listener PFX; ``hostnames`` are the
    listener's host names, each of which the certificate must cover.
    Unknown ``slot`` or ``sku`` names raise ``ValueError`` naming the valid ones.

    >>> report = check_upload("trusted-root", Path("root.cer"), sku="Standard_v2")
    >>> report.ok, sorted(report.codes)
    (True, [])

    CLI: ``appgw-certs check trusted-root root.cer --sku Standard_v2``.
    """
    slot, sku, now = Slot.parse(slot), Sku.parse(sku), checked_moment(now)
    try:
        data = _source_bytes(source)
    except CertificateFormatError as exc:
        title = _title(slot, sku)
        return Report(title, _unreadable(slot, sku, str(exc), too_large=_too_large(exc)))
    return check_upload_bytes(slot, data, sku=sku, password=password, hostnames=hostnames, now=now)


def check_upload_bytes(
    slot: Slot,
    data: bytes,
    *,
    sku: Sku,
    password: Password = None,
    hostnames: Sequence[str] = (),
    now: datetime | None = None,
    location: str | None = None,
    expiry_warning_days: int = EXPIRY_WARNING_DAYS,
) -> Report:
    """:func:`check_upload` on bytes; ``location`` is stamped on every finding (audits).

    ``expiry_warning_days`` moves GEN003's threshold. A naive ``now`` raises
    ``ValueError`` (a programming error, not bad input).

    >>> check_upload_bytes(Slot.TRUSTED_ROOT, data, sku=Sku.WAF_V2,
    ...                    location="trustedRootCertificates[root]")   # doctest: +SKIP
    """
    if now is not None and now.utcoffset() is None:
        raise InvalidArgumentError("now must be timezone-aware, e.g. datetime.now(UTC)")
    checker = _Checker(
        sku=sku,
        password=password,
        hostnames=tuple(hostnames),
        now=now or datetime.now(UTC),
        location=location,
        expiry_warning=timedelta(days=expiry_warning_days),
    )
    if not slot.available_on(sku):
        message, hint = _unavailable(slot, sku)
        checker.add("GEN006", message, hint=hint)
    try:
        _SLOT_CHECKS[slot](checker, data)
    except Exception as exc:  # a check must not raise; say what could not be judged
        checker.add("GEN001", f"the file could not be checked completely ({type(exc).__name__})")
    return Report(_title(slot, sku), checker.findings, checker.details)


def certificate_findings(
    certs: Iterable[x509.Certificate], *, now: datetime, expiry_warning_days: int
) -> list[Finding]:
    """GEN002–GEN005, the checks every upload's certificates get, on parsed certificates.

    For certificates that come without their file (an audit's ``publicCertData``).

    >>> certificate_findings([leaf], now=now, expiry_warning_days=30)   # doctest: +SKIP
    []
    """
    checker = _bare_checker(now, expiry_warning_days)
    checker.certificates(certs)
    return checker.findings


def listener_bundle_findings(
    leaf: x509.Certificate, chain: Sequence[x509.Certificate]
) -> list[Finding]:
    """LST010 and LST011 on a listener's certificates that come without their PFX
    (``publicCertData``): the checks on what the PFX holds that need no key.

    >>> listener_bundle_findings(ca_certificate, [])[0].code   # doctest: +SKIP
    'LST010'
    """
    checker = _bare_checker(datetime.now(UTC), EXPIRY_WARNING_DAYS)
    _other_leaves(checker, leaf, chain)
    _server_use(checker, leaf)
    return checker.findings


def _bare_checker(now: datetime, expiry_warning_days: int) -> _Checker:
    """A checker for certificate-level checks, which depend on no SKU, password or host."""
    return _Checker(
        sku=Sku.STANDARD_V2,
        password=None,
        hostnames=(),
        now=now,
        location=None,
        expiry_warning=timedelta(days=expiry_warning_days),
    )


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
        findings.append(
            finding("LST006", f"the file is over {LISTENER_LIMITS[sku.generation]:,} bytes")
        )
    if too_large and slot is Slot.TRUSTED_CLIENT_CA:
        findings.append(finding("CCA006", f"the file is over {CLIENT_CA_LIMIT:,} bytes"))
    return findings


# -- the checker -----------------------------------------------------------------


class _Checker:
    """The context of one check and the findings it collects, in order."""

    def __init__(
        self,
        *,
        sku: Sku,
        password: Password,
        hostnames: tuple[str, ...],
        now: datetime,
        location: str | None,
        expiry_warning: timedelta,
    ) -> None:
        self.sku = sku
        self.password = password
        self.hostnames = hostnames
        self.now = now
        self.location = location
        self.expiry_warning = expiry_warning
        self.findings: list[Finding] = []
        self.details: dict[str, str] = {}

    def add(
        self,
        code: str,
        message: str | None = None,
        *,
        certificate: x509.Certificate | str | None = None,
        severity: Severity | None = None,
        hint: str | None = None,
    ) -> None:
        self.findings.append(
            finding(
                code,
                message,
                certificate=certificate,
                hint=hint,
                location=self.location,
                severity=severity,
            )
        )

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
            key = cert.public_key()
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
        return bundle


def _azure_takes(key: object) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size >= 2048
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.name in _AZURE_CURVES
    return False  # Ed25519/Ed448, DSA and anything else: not known to work


# -- listener ----------------------------------------------------------------------


def _check_listener(c: _Checker, data: bytes) -> None:
    fmt = sniff_format(data)
    inner = unwrap_base64(data) if fmt == "base64" else None
    if inner is not None and sniff_format(inner) == "pkcs12":
        c.add(
            "LST001",
            "base64 text of a PFX, not the binary file: the az CLI encodes the file again, "
            "so upload the binary .pfx",
            severity=Severity.WARNING,
        )
        data, fmt = inner, "pkcs12"
    if fmt != "pkcs12":
        _not_a_pfx(c, data, fmt)
        return
    try:
        pfx, layout = load_pfx_with_layout(data, c.password)
    except PfxPasswordError as exc:
        if encode_password(c.password):
            _password_rule(c)
        c.add("LST002", f'{exc} (Azure says: "Password specified for certificate is incorrect")')
        _encryption(c, _encryption_of(data), None)
        _size(c, data, None)
        return
    except CertificateFormatError as exc:
        c.add("GEN001", str(exc))
        return
    leaf = pfx.certificate
    _password_rule(c, leaf)
    _size(c, data, leaf)
    _encryption(c, pfx.encryption, leaf)
    if leaf is None:
        c.add("GEN001", "the PFX holds no certificate")
        return
    _key(c, pfx, leaf)
    _chain_complete(c, leaf, pfx.chain)
    _other_leaves(c, leaf, pfx.chain, key_bags=layout.key_bags)
    _server_use(c, leaf)
    for host in c.hostnames:
        if not matches_hostname(leaf, host):
            c.add(
                "LST009",
                f"{host!r} is not covered by the certificate's "
                f"{'SAN' if extension_value(leaf, x509.SubjectAlternativeName) else 'CN'}",
                certificate=leaf,
            )
    c.certificates([leaf, *pfx.chain])


def _not_a_pfx(c: _Checker, data: bytes, fmt: str) -> None:
    if fmt in ("empty", "unknown", "base64"):
        c.add("GEN001", "the file is empty" if fmt == "empty" else "not a certificate file")
        c.add("LST001", "a listener takes a PFX (.pfx/.p12) with the private key and chain")
        return
    try:
        bundle = load_bundle(data)
    except AppGwCertError as exc:
        c.add("GEN001", str(exc))
        c.add("LST001", f"a {fmt.upper()} file that cannot be read, not a PFX")
        return
    leaf = bundle.certificates[0] if bundle.certificates else None
    held = "certificates and a private key" if bundle.has_private_key else "certificates only"
    c.add("LST001", f"a {fmt.upper()} file ({held}), not a PFX", certificate=leaf)


def _password_rule(c: _Checker, leaf: x509.Certificate | None = None) -> None:
    secret = encode_password(c.password)
    if not secret:
        c.add(
            "LST005",
            "no password: the portal requires one (4–12 letters and digits); a "
            "direct REST upload without one is unconfirmed",
            certificate=leaf,
            severity=Severity.WARNING,
        )
    elif not _PASSWORD.fullmatch(secret):
        # Never echo the password: say only what is wrong with its shape.
        length = len(c.password) if isinstance(c.password, str) else len(secret)
        odd = "" if secret.isalnum() else ", not all letters and digits"
        c.add(
            "LST005",
            f"the password has {length} characters{odd}; Azure takes 4–12 letters and digits",
            certificate=leaf,
        )


def _encryption_of(data: bytes) -> PfxEncryption | None:
    try:
        return read_pfx_encryption(data)
    except AppGwCertError:
        return None


def _encryption(
    c: _Checker, encryption: PfxEncryption | None, leaf: x509.Certificate | None
) -> None:
    if encryption is None or encryption.azure_compatible:
        return
    algorithms = (encryption.key_algorithm or "", encryption.cert_algorithm or "")
    refused = (
        '; AES PFX files have been refused with "Password specified for certificate is incorrect"'
        if any("AES" in name or "PBES2" in name for name in algorithms)
        else ""
    )
    c.add(
        "LST007",
        f"key bag {encryption.key_algorithm or 'not encrypted'}, certificate bag "
        f"{encryption.cert_algorithm or 'not encrypted'}, MAC {encryption.mac_algorithm or 'none'}"
        f": Application Gateway is known to import 3DES with a SHA-1 MAC{refused}",
        certificate=leaf,
    )


def _size(c: _Checker, data: bytes, leaf: x509.Certificate | None) -> None:
    limit = LISTENER_LIMITS[c.sku.generation]
    encoded = 4 * ((len(data) + 2) // 3)
    if len(data) > limit:
        c.add(
            "LST006",
            f"the PFX is {len(data):,} bytes, over the {limit // KB} KB "
            f"({limit:,} bytes) limit of {c.sku.value}",
            certificate=leaf,
        )
    elif encoded > limit:
        c.add(
            "LST006",
            f"the PFX is {len(data):,} bytes, but {encoded:,} as base64, over the "
            f"{limit // KB} KB limit of {c.sku.value}; whether Azure measures the file or its "
            "base64 is unconfirmed",
            certificate=leaf,
            severity=Severity.WARNING,
        )


def _key(c: _Checker, pfx: Pfx, leaf: x509.Certificate) -> None:
    if pfx.private_key is None:
        c.add("LST003", certificate=leaf)
    elif not key_matches(pfx.private_key, leaf):
        c.add(
            "LST004",
            f"the private key ({key_description(pfx.private_key)}) is not the key of "
            "any certificate in the PFX",
            certificate=leaf,
        )


def _chain_complete(c: _Checker, leaf: x509.Certificate, chain: Sequence[x509.Certificate]) -> None:
    path = path_up(leaf, chain)
    top = path[-1]
    if is_self_signed(top):
        return
    missing = "the intermediates and the root are" if top is leaf else "the root is"
    c.add(
        "LST008",
        f"{missing} not in the PFX: the chain stops at {subject_text(top)!r}, whose "
        f"issuer {missing_issuer_text(top)} is missing",
        certificate=leaf,
    )


def _other_leaves(
    c: _Checker, leaf: x509.Certificate, chain: Sequence[x509.Certificate], *, key_bags: int = 1
) -> None:
    """LST011: more than one server identity in one PFX (azure-rules T5)."""
    others = [cert for cert in distinct(chain) if cert != leaf and not is_ca(cert)]
    held = []
    if key_bags > 1:
        held.append(f"{key_bags} private keys")
    if others:
        names = ", ".join(repr(subject_text(cert)) for cert in others)
        plural = "s" if len(others) > 1 else ""
        held.append(f"{len(others)} end-entity certificate{plural} besides its leaf ({names})")
    if held:
        c.add(
            "LST011",
            f"the PFX holds {' and '.join(held)}; which key and certificate the gateway "
            "serves from such a file is not documented",
            certificate=leaf,
        )


def _server_use(c: _Checker, leaf: x509.Certificate) -> None:
    if is_ca(leaf):
        c.add(
            "LST010",
            "the certificate is a CA (CA:TRUE), not a server certificate",
            certificate=leaf,
        )
        return
    usage = extension_value(leaf, x509.ExtendedKeyUsage)
    if usage is None:
        return  # no EKU: any purpose
    purposes = set(usage)
    if not purposes & {
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }:
        c.add(
            "LST010",
            "the extended key usage lacks serverAuth: browsers refuse it for TLS",
            certificate=leaf,
        )


def _extra_content(c: _Checker, code: str, bundle: Bundle, cert: x509.Certificate) -> None:
    """``code`` for anything in a .cer besides its certificate blocks (A2, R6, T17)."""
    others = [
        label for label in bundle.pem_labels if label not in CERT_LABELS and label not in KEY_LABELS
    ]
    if bundle.pem_extra_text:
        c.add(
            code,
            'text outside the BEGIN/END CERTIFICATE lines (e.g. "Bag Attributes" '
            'from openssl); the portal has answered "Invalid data in .cer file"',
            certificate=cert,
        )
    if others:
        c.add(code, f"PEM blocks that are not certificates: {', '.join(others)}", certificate=cert)
    if bundle.base64_wrapped:
        c.add(
            code,
            "bare base64 text without BEGIN/END lines: the az CLI encodes the file "
            "again; upload PEM or DER",
            certificate=cert,
        )


# -- authentication (v1) -------------------------------------------------------------


def _check_authentication(c: _Checker, data: bytes) -> None:
    bundle = c.bundle(data, "AUTH001")
    if bundle is None:
        return
    certs = bundle.certificates
    first = certs[0]
    if len(certs) > 1:
        c.add(
            "AUTH003",
            f"{len(certs)} certificates; v1 matches the backend's leaf exactly, upload it alone",
            certificate=first,
        )
    if is_ca(first):
        c.add(
            "AUTH002",
            "a CA certificate (CA:TRUE): v1 allow-lists the backend's own leaf "
            "certificate, not its CA",
            certificate=first,
        )
    _extra_content(c, "AUTH005", bundle, first)
    if bundle.format == "der" and not bundle.base64_wrapped:
        c.add(
            "AUTH004",
            "DER binary; the portal expects a Base-64 encoded X.509 (.CER)",
            certificate=first,
        )
    c.certificates(certs)


# -- trusted root (v2) ---------------------------------------------------------------


def _check_trusted_root(c: _Checker, data: bytes) -> None:
    bundle = c.bundle(data, "ROOT001")
    if bundle is None:
        return
    certs = bundle.certificates
    root = certs[0]
    if len(certs) > 1:
        c.add(
            "ROOT004",
            f"{len(certs)} certificates; upload the root alone (whether Azure uses "
            "every certificate of a bundle is unconfirmed)",
            certificate=root,
        )
    if not is_own_issuer(root):  # R5: not self-issued (its own signature is not relied on)
        c.add(
            "ROOT002",
            f"issued by {missing_issuer_text(root)}: an intermediate or leaf, not "
            "the root of the backend's chain",
            certificate=root,
        )
    elif not is_ca(root):
        c.add(
            "ROOT003",
            'self-signed without CA:TRUE; backend health will say "The '
            "Intermediate certificate is missing from the certificate chain presented by the "
            'backend server"',
            certificate=root,
        )
    _well_known(c, certs)
    _extra_content(c, "ROOT006", bundle, root)
    c.certificates(certs)


def _well_known(c: _Checker, certs: list[x509.Certificate]) -> None:
    anchor = _well_known_root()(certs)
    if anchor is not None:
        from .._x509.trust import APPROXIMATION_NOTE

        c.add(
            "ROOT005",
            f"chains to {subject_text(anchor)!r}, a well-known CA ({APPROXIMATION_NOTE})",
            certificate=certs[0],
        )


@cache
def _well_known_root() -> Callable[[list[x509.Certificate]], x509.Certificate | None]:
    # Imported on first use (the trust module costs milliseconds to import, which
    # `appgw-certs --help` need not pay), then held: an import statement in the
    # function costs microseconds on each of an audit's trusted roots.
    from .._x509.trust import well_known_root

    return well_known_root


# -- trusted client CA (mutual TLS) ---------------------------------------------------


def _check_client_ca(c: _Checker, data: bytes) -> None:
    if not data.strip():
        c.add("CCA001", "the file is empty")
        return
    if len(data) > CLIENT_CA_LIMIT:
        c.add(
            "CCA006",
            f"the file is {len(data):,} bytes, over the 25 KB ({CLIENT_CA_LIMIT:,} bytes) limit",
        )
    certs = _client_ca_certificates(c, data)
    if not certs:
        return
    cas = [cert for cert in certs if is_ca(cert)]
    for leaf in (cert for cert in certs if not is_ca(cert)):
        c.add("CCA009", "a certificate without CA:TRUE; the gateway ignores it", certificate=leaf)
    if not cas:
        c.add("CCA004", "no certificate with CA:TRUE (basicConstraints)", certificate=certs[0])
        return
    roots = [ca for ca in cas if is_self_signed(ca)]
    if len(roots) != 1:
        names = "; ".join(repr(subject_text(r)) for r in roots) or "none"
        c.add(
            "CCA005",
            f"{len(roots)} self-signed root CAs ({names}); Azure answers "
            "ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate",
            certificate=roots[1] if len(roots) > 1 else cas[0],
        )
    tops: dict[int, x509.Certificate] = {}
    for start in [*issued_none(cas), *cas]:  # from the tips, each path is walked once
        if id(start) not in tops:
            path = path_up(start, cas)
            for member in path:
                tops.setdefault(id(member), path[-1])
    for ca in cas:
        top = tops[id(ca)]
        if not is_self_signed(top):
            c.add(
                "CCA008",
                f"does not chain to a root in the file: {subject_text(top)!r} needs its issuer "
                f"{missing_issuer_text(top)}",
                certificate=ca,
            )
    _issuer_dn(c, cas)
    c.certificates(cas)


def _client_ca_certificates(c: _Checker, data: bytes) -> list[x509.Certificate]:
    """The certificates of a client CA file, held to Azure's PEM-only rule (C5, C7)."""
    fmt = sniff_format(data)
    if fmt == "pkcs12":
        c.add("CCA002", "a PKCS#12 (.pfx) file, which carries a private key")
        c.add("CCA003", "a PKCS#12 (.pfx) file, not PEM certificates")
        return []
    if fmt == "der":
        return _der_client_ca(c, data)
    if fmt != "pem":
        c.add(
            "CCA003",
            f"{_FORMAT_NAMES.get(fmt, 'not a certificate file')}, not PEM "
            "certificates between BEGIN/END CERTIFICATE lines",
        )
        return []
    try:
        blocks = pem_blocks(data)
    except CertificateFormatError as exc:
        c.add("CCA003", str(exc))
        return []
    certs: list[x509.Certificate] = []
    for number, block in enumerate(blocks, 1):
        if block.label in KEY_LABELS:
            c.add("CCA002", f"PEM block {number} is a private key ({block.label})")
        elif block.label not in CERT_LABELS:
            c.add("CCA003", f"PEM block {number} is {block.label!r}, not a CERTIFICATE")
        else:
            cert = _block_certificate(block)
            if cert is None:
                c.add("CCA003", f"PEM block {number} is not a readable certificate")
            else:
                certs.append(cert)
    if not certs and not blocks:
        c.add("CCA003", "no PEM block found")
    if _text_around(data, blocks):
        c.add(
            "CCA003",
            "text outside the BEGIN/END lines; whether Azure's parser accepts it is unconfirmed",
            certificate=certs[0] if certs else None,
            severity=Severity.WARNING,
        )
    return certs


def _text_around(data: bytes, blocks: Iterable[PemBlock]) -> bool:
    rest = data
    for block in blocks:
        rest = rest.replace(block.text, b"", 1)
    return bool(rest.strip())


_FORMAT_NAMES = {
    "pkcs7": "a PKCS#7 (.p7b) bundle",
    "base64": "bare base64 text",
    "unknown": "not a certificate file",
}


def _der_client_ca(c: _Checker, data: bytes) -> list[x509.Certificate]:
    try:
        cert = load_der_certificate(data)
    except ValueError:
        c.add("CCA003", "DER bytes that are not a certificate")
        return []
    # A single DER certificate probably works (PowerShell sends DER, U9): warn only.
    c.add(
        "CCA003",
        "a DER (binary) certificate; Azure documents PEM. Convert it with "
        "`appgw-certs convert in.cer out.cer --to cer` (`to_cer`)",
        certificate=cert,
        severity=Severity.WARNING,
    )
    return [cert]


def _block_certificate(block: PemBlock) -> x509.Certificate | None:
    try:
        return load_der_certificate(block.der())
    except Exception:
        return None


def client_ca_issuer(cas: Sequence[x509.Certificate]) -> x509.Certificate | None:
    """The CA whose subject the gateway extracts as the client issuer DN (azure-rules §6.2).

    Each chain ends at a CA that issued no other CA in the file; the longest
    chain wins, the first in file order among equals. ``None`` without CAs.
    """
    tips = issued_none(cas)
    if not tips:
        return None
    return max(tips, key=lambda tip: (len(path_up(tip, cas)), -tips.index(tip)))


def _issuer_dn(c: _Checker, cas: list[x509.Certificate]) -> None:
    issuer = client_ca_issuer(cas)
    if issuer is None:
        return
    dn = subject_text(issuer)
    c.details["client_cert_issuer_dn"] = dn
    tips = issued_none(cas)
    if len(tips) > 1:
        c.add(
            "CCA007",
            f"{len(tips)} chains; the gateway will extract the issuer DN {dn!r} "
            "(longest chain, else the first), so with the issuer DN check on only clients "
            "issued by it pass",
            certificate=issuer,
        )


_SLOT_CHECKS = {
    Slot.LISTENER: _check_listener,
    Slot.AUTHENTICATION: _check_authentication,
    Slot.TRUSTED_ROOT: _check_trusted_root,
    Slot.TRUSTED_CLIENT_CA: _check_client_ca,
}
