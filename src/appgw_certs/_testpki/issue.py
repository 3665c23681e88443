"""Signing test certificates as a careful CA would, so that the chains verify unmodified
with ``cryptography.x509.verification`` (default policy), with ``openssl verify`` and in
real TLS handshakes:

- positive random serials of 159 bits (RFC 5280: at most 20 octets);
- SubjectKeyIdentifier and AuthorityKeyIdentifier on every certificate;
- CAs: basicConstraints CA:TRUE (critical) with the tightest path length that
  fits the chain, keyUsage keyCertSign + cRLSign (critical);
- leaves: basicConstraints CA:FALSE (critical), keyUsage digitalSignature
  (+ keyEncipherment for RSA, critical), EKU serverAuth or clientAuth and a
  SubjectAlternativeName (both non-critical, as the WebPKI policy wants);
- SHA-256 signatures (SHA-384 when the signer is a P-384 key);
- a validity window checked to fit X.509 time before any key is generated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from .._errors import InvalidArgumentError
from .._formats.inputs import PrivateKey
from .credential import Credential
from .keys import GeneratedKey, KeyType

__all__ = [
    "BACKDATE",
    "Extensions",
    "Window",
    "ca_extensions",
    "issue",
    "leaf_extensions",
    "server_extensions",
    "validity",
]

#: How far before "now" a default validity window starts, for clocks that lag.
BACKDATE = timedelta(hours=1)

Extensions: TypeAlias = "list[tuple[x509.ExtensionType, bool]]"  # (extension, critical)
Window: TypeAlias = "tuple[datetime, datetime]"

_EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)  # cryptography refuses earlier notBefore
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # GeneralizedTime's last second


def issue(
    subject: x509.Name,
    key: GeneratedKey,
    issuer: Credential | None,
    extensions: Extensions,
    window: Window,
) -> Credential:
    """Sign a certificate for ``key``: by ``issuer``, or by ``key`` itself when None."""
    public_key = key.public_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(public_key)
    if issuer is None:
        signer: PrivateKey = key
        issuer_name, issuer_ski = subject, ski
    else:
        signer, issuer_name = issuer.private_key, issuer.certificate.subject
        issuer_ski = _subject_key_identifier(issuer.certificate)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())  # 159 random bits, positive
        .not_valid_before(window[0])
        .not_valid_after(window[1])
    )
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski)
    for extension, critical in (*extensions, (ski, False), (aki, False)):
        builder = builder.add_extension(extension, critical=critical)
    return Credential(builder.sign(signer, _signature_hash(signer)), key)  # type: ignore[arg-type]


def _subject_key_identifier(cert: x509.Certificate) -> x509.SubjectKeyIdentifier:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:  # an issuer someone else made
        return x509.SubjectKeyIdentifier.from_public_key(cert.public_key())


def _signature_hash(signer: PrivateKey) -> hashes.HashAlgorithm:
    if isinstance(signer, ec.EllipticCurvePrivateKey) and signer.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def ca_extensions(path_length: int) -> Extensions:
    """A CA's extensions, allowing ``path_length`` CAs below it."""
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_key_usage(None, ca=True), True),
    ]


def server_extensions(kind: KeyType, names: list[x509.GeneralName]) -> Extensions:
    """A server leaf's extensions (serverAuth) for the SAN entries ``names``."""
    return leaf_extensions(kind, ExtendedKeyUsageOID.SERVER_AUTH, names)


def leaf_extensions(
    kind: KeyType,
    purpose: x509.ObjectIdentifier,
    names: list[x509.GeneralName],
    *,
    ca: bool = False,
) -> Extensions:
    """A leaf's extensions; ``ca=True`` makes it its own CA too (self-signed, pathlen 0)."""
    return [
        (x509.BasicConstraints(ca=ca, path_length=0 if ca else None), True),
        (_key_usage(kind, ca=ca), True),
        (x509.ExtendedKeyUsage([purpose]), False),
        (x509.SubjectAlternativeName(names), False),
    ]


def _key_usage(leaf_kind: KeyType | None, *, ca: bool) -> x509.KeyUsage:
    """keyCertSign + cRLSign for CAs; digitalSignature (+ keyEncipherment for RSA) for leaves.

    ``leaf_kind`` is None for a pure CA, else the key type of a leaf (which may be a CA too).
    """
    return x509.KeyUsage(
        digital_signature=leaf_kind is not None,
        content_commitment=False,
        key_encipherment=leaf_kind is not None and leaf_kind.is_rsa,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def validity(valid_days: int, not_before: datetime | None) -> Window:
    """The (notBefore, notAfter) of ``valid_days`` from ``not_before`` (default: now - BACKDATE)."""
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or valid_days <= 0:
        raise InvalidArgumentError(
            f"valid_days: must be a whole number of days > 0, not {valid_days!r}"
        )
    if not_before is None:
        start = datetime.now(UTC).replace(microsecond=0) - BACKDATE
    elif not isinstance(not_before, datetime) or not_before.utcoffset() is None:
        raise InvalidArgumentError(
            "not_before: must be a timezone-aware datetime (e.g. datetime.now(UTC)), "
            f"not {not_before!r}"
        )
    else:
        try:
            start = not_before.astimezone(UTC).replace(microsecond=0)
        except OverflowError:  # year 1 or 9999 shifted out of range by its offset
            start = _EARLIEST - timedelta(days=1)
    if start < _EARLIEST or valid_days > (_LATEST - start).days:
        raise InvalidArgumentError(
            f"not_before, valid_days: the window must lie within {_EARLIEST.year}-{_LATEST.year}"
            f" (X.509 time), not {not_before or start} + {valid_days} days"
        )
    return start, start + timedelta(days=valid_days)
