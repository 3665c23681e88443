"""A tiny PKI for the verdict tests, made with plain ``cryptography``.

EC P-256 keys (cheap to make), SKI/AKI, critical CA basic constraints, key
usages per role, SHA-256 signatures: chains that OpenSSL and
``cryptography.x509.verification`` accept unless a test breaks them on purpose.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

NOW = datetime.now(UTC).replace(microsecond=0)
SERVER_AUTH = ExtendedKeyUsageOID.SERVER_AUTH
CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH


@dataclass(frozen=True)
class Issued:
    """A certificate and its key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey = field(repr=False)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class Validity:
    """When a certificate is valid; the default is now ± a few days."""

    not_before: datetime = NOW - timedelta(days=1)
    not_after: datetime = NOW + timedelta(days=30)


EXPIRED = Validity(NOW - timedelta(days=60), NOW - timedelta(days=1))
NOT_YET_VALID = Validity(NOW + timedelta(days=1), NOW + timedelta(days=60))


def _name(common_name: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "appgw-certs tests")]
    if common_name is not None:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name, issuer: Issued | None, key: ec.EllipticCurvePrivateKey, validity: Validity
) -> x509.CertificateBuilder:
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_public = issuer.key.public_key() if issuer else key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False
        )
    )


def _sign(
    builder: x509.CertificateBuilder, issuer: Issued | None, key: ec.EllipticCurvePrivateKey
) -> Issued:
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def _key_usage(*, ca: bool, signs: bool = True) -> x509.KeyUsage:
    """digitalSignature (unless ``signs`` is False); certificate and CRL signing for CAs."""
    return x509.KeyUsage(
        digital_signature=signs,
        content_commitment=False,
        key_encipherment=not signs,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    common_name: str,
    issuer: Issued | None = None,
    *,
    validity: Validity = Validity(),
    key: ec.EllipticCurvePrivateKey | None = None,
    eku: Iterable[x509.ObjectIdentifier] | None = None,
) -> Issued:
    """A root (``issuer`` None) or an intermediate CA; no EKU unless given."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(_name(common_name), issuer, key, validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    return _sign(builder, issuer, key)


def make_leaf(
    issuer: Issued | None,
    *,
    dns_names: Sequence[str] = ("www.contoso.com",),
    ip_addresses: Sequence[str] = (),
    common_name: str | None = "leaf",
    san: bool = True,
    eku: Iterable[x509.ObjectIdentifier] | None = (SERVER_AUTH,),
    validity: Validity = Validity(),
    ocsp_url: str | None = None,
    signs: bool = True,
) -> Issued:
    """An end-entity certificate; ``issuer`` None makes it self-signed (not a CA).

    ``signs=False``: key usage keyEncipherment only, no digitalSignature."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        _builder(_name(common_name), issuer, key, validity)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False, signs=signs), critical=True)
    )
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ip_addresses]
    if san and names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if ocsp_url is not None:
        access = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return _sign(builder, issuer, key)


def make_client(issuer: Issued | None, **kwargs: object) -> Issued:
    """A client leaf: clientAuth EKU and a SAN unless told otherwise."""
    options: dict[str, object] = {"dns_names": ("client.contoso.com",), "eku": (CLIENT_AUTH,)}
    options.update(kwargs)
    return make_leaf(issuer, **options)  # type: ignore[arg-type]


def pem(*certs: x509.Certificate) -> bytes:
    """Certificates as one PEM bundle, in the order given."""
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass(frozen=True)
class Pki:
    """root -> intermediates (root-most first) -> leaf."""

    root: Issued
    intermediates: tuple[Issued, ...]

    @property
    def issuer(self) -> Issued:
        return self.intermediates[-1] if self.intermediates else self.root

    def chain_above_leaf(self) -> list[x509.Certificate]:
        """The intermediates leaf-most first, as a server sends them."""
        return [i.cert for i in reversed(self.intermediates)]


def make_pki(depth: int = 1, *, name: str = "Test") -> Pki:
    """A root and ``depth`` intermediates."""
    root = make_ca(f"{name} Root")
    intermediates: list[Issued] = []
    for level in range(depth):
        intermediates.append(
            make_ca(f"{name} Issuing CA {level + 1}", intermediates[-1] if intermediates else root)
        )
    return Pki(root, tuple(intermediates))
