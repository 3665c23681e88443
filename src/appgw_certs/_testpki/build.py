"""Throw-away PKI for a gateway: a root, intermediates, server and client leaves.

Every certificate is what a careful CA would issue, so that the chains verify
unmodified with ``cryptography.x509.verification`` (default policy), with
``openssl verify`` and in real TLS handshakes:

- positive random serials of 159 bits (RFC 5280: at most 20 octets);
- SubjectKeyIdentifier and AuthorityKeyIdentifier on every certificate;
- CAs: basicConstraints CA:TRUE (critical) with the tightest path length that
  fits the chain, keyUsage keyCertSign + cRLSign (critical);
- leaves: basicConstraints CA:FALSE (critical), keyUsage digitalSignature
  (+ keyEncipherment for RSA, critical), EKU serverAuth or clientAuth and a
  SubjectAlternativeName (both non-critical, as the WebPKI policy wants);
- SHA-256 signatures (SHA-384 when the signer is a P-384 key).

Key generation is nearly all of the cost; everything else is a few builder
calls per certificate. Nothing is cached across calls: every chain is fresh.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Literal, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .._formats.inputs import PrivateKey, encode_password

__all__ = ["Credential", "KeyType", "TestChain", "build_self_signed", "build_test_chain"]

#: The most intermediates :func:`build_test_chain` builds (real chains have 0-3).
MAX_INTERMEDIATES = 5
#: How far before "now" a default validity window starts, for clocks that lag.
BACKDATE = timedelta(hours=1)
#: Organization of :func:`build_self_signed` certificates.
SELF_SIGNED_ORGANIZATION = "appgw-certs test"

_GeneratedKey: TypeAlias = "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey"
_Extensions: TypeAlias = "list[tuple[x509.ExtensionType, bool]]"  # (extension, critical)
_Window: TypeAlias = "tuple[datetime, datetime]"

_EARLIEST = datetime(1950, 1, 1, tzinfo=UTC)  # cryptography refuses earlier notBefore
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)  # GeneralizedTime's last second
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9.-]+)")
_MAX_NAME = 64  # ub-common-name and ub-organization-name (RFC 5280)


class KeyType(Enum):
    """The key types a test chain can use; values are the CLI's spellings.

    >>> KeyType("ec-p256") is KeyType.EC_P256
    True
    """

    RSA_2048 = "rsa2048"
    RSA_3072 = "rsa3072"
    RSA_4096 = "rsa4096"
    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"

    @property
    def is_rsa(self) -> bool:
        """True for the RSA key types (their leaves also get keyEncipherment)."""
        return self in (KeyType.RSA_2048, KeyType.RSA_3072, KeyType.RSA_4096)

    def generate(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        """A new private key of this type (RSA with exponent 65537).

        >>> KeyType.EC_P256.generate().curve.name
        'secp256r1'
        """
        if self.is_rsa:
            return rsa.generate_private_key(65537, _RSA_BITS[self])
        return ec.generate_private_key(_CURVES[self]())

    @classmethod
    def of(cls, private_key: PrivateKey) -> KeyType:
        """The key type of an existing key; ``ValueError`` for other kinds of keys.

        >>> KeyType.of(KeyType.EC_P384.generate())
        <KeyType.EC_P384: 'ec-p384'>
        """
        if isinstance(private_key, rsa.RSAPrivateKey):
            for key_type, bits in _RSA_BITS.items():
                if private_key.key_size == bits:
                    return key_type
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            for key_type, curve in _CURVES.items():
                if isinstance(private_key.curve, curve):
                    return key_type
        raise ValueError("key_type: the key is none of " + ", ".join(k.name for k in KeyType))


_RSA_BITS = {KeyType.RSA_2048: 2048, KeyType.RSA_3072: 3072, KeyType.RSA_4096: 4096}
_CURVES: dict[KeyType, type[ec.EllipticCurve]] = {
    KeyType.EC_P256: ec.SECP256R1,
    KeyType.EC_P384: ec.SECP384R1,
}


@dataclass(frozen=True)
class Credential:
    """A certificate with its private key; ``repr`` never shows the key.

    >>> cred = build_self_signed(["www.contoso.com"], key_type=KeyType.EC_P256)
    >>> cred.cer()[:27]
    b'-----BEGIN CERTIFICATE-----'
    """

    certificate: x509.Certificate
    private_key: PrivateKey = field(repr=False)

    def cer(self, encoding: Literal["base64", "der"] = "base64") -> bytes:
        """The certificate alone: PEM text ("base64", Azure's .cer) or DER.

        >>> cred.cer("der")[:1]
        b'0'
        """
        return self.certificate.public_bytes(_encoding(encoding))

    def key_pem(self, password: str | bytes | None = None) -> bytes:
        """The private key as PKCS#8 PEM, encrypted (best available) when a password is given.

        >>> cred.key_pem(password="s3cret")[:37]
        b'-----BEGIN ENCRYPTED PRIVATE KEY-----'
        """
        secret = encode_password(password)
        encryption: serialization.KeySerializationEncryption
        if secret is None:
            encryption = serialization.NoEncryption()
        elif not secret:
            raise ValueError("password: must not be empty; pass None for an unencrypted key")
        else:
            encryption = serialization.BestAvailableEncryption(secret)
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def pfx(
        self,
        password: str | bytes | None,
        *,
        chain: Iterable[x509.Certificate | Credential] = (),
        profile: Literal["compatible", "modern"] = "compatible",
        friendly_name: str | None = None,
    ) -> bytes:
        """A PKCS#12 file of the key, the certificate and ``chain`` (see :func:`to_pfx`).

        ``chain`` takes certificates or credentials (their certificates are used).

        >>> pfx = cred.pfx("Passw0rd")
        """
        from .._formats.convert import to_pfx  # on use: keeps importing the builder light

        certificates = [c.certificate if isinstance(c, Credential) else c for c in chain]
        return to_pfx(
            self.private_key,
            self.certificate,
            certificates,
            password=password,
            profile=profile,
            friendly_name=friendly_name,
        )


@dataclass(frozen=True)
class TestChain:
    """A root, its intermediates (root-most first) and a server leaf, with their keys.

    >>> chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    >>> chain.issuer is chain.intermediates[-1]
    True
    """

    __test__ = False  # a library class, not a pytest test class

    root: Credential
    intermediates: tuple[Credential, ...]
    server: Credential

    @property
    def issuer(self) -> Credential:
        """The CA that signs leaves: the last intermediate, else the root."""
        return self.intermediates[-1] if self.intermediates else self.root

    def issue_server(
        self,
        hostnames: Sequence[str],
        *,
        key_type: KeyType | str | None = None,
        valid_days: int = 365,
        not_before: datetime | None = None,
    ) -> Credential:
        """Another server leaf signed by :attr:`issuer` (key type defaults to the issuer's).

        >>> api = chain.issue_server(["api.contoso.com", "10.0.0.4"])
        """
        names = _general_names(hostnames)
        kind = self._key_type(key_type)
        window = _validity(valid_days, not_before)
        subject = _name(_common_name_for(names), self._organization())
        return _issue(
            subject, kind.generate(), self.issuer, _server_extensions(kind, names), window
        )

    def issue_client(
        self,
        common_name: str,
        *,
        key_type: KeyType | str | None = None,
        valid_days: int = 365,
        not_before: datetime | None = None,
    ) -> Credential:
        """A client leaf (clientAuth) signed by :attr:`issuer`, for mutual TLS.

        Its SAN is an rfc822Name when ``common_name`` is an e-mail address,
        else a directoryName equal to the subject.

        >>> alice = chain.issue_client("alice@contoso.com")
        """
        _check_text("common_name", common_name)
        kind = self._key_type(key_type)
        window = _validity(valid_days, not_before)
        subject = _name(common_name, self._organization())
        extensions = _leaf_extensions(kind, ExtendedKeyUsageOID.CLIENT_AUTH, [_client_san(subject)])
        return _issue(subject, kind.generate(), self.issuer, extensions, window)

    def listener_pfx(
        self,
        password: str | bytes | None,
        *,
        profile: Literal["compatible", "modern"] = "compatible",
    ) -> bytes:
        """The listener upload: server key, server, intermediates (leaf-nearest first), root.

        >>> pfx = chain.listener_pfx("Passw0rd")
        """
        return self.server.pfx(password, chain=self._issuers(), profile=profile)

    def backend_chain_pem(self) -> bytes:
        """What a backend presents: the server leaf, then intermediates, leaf-nearest first.

        >>> chain.backend_chain_pem().count(b"BEGIN CERTIFICATE")
        2
        """
        return b"".join(c.cer() for c in (self.server, *reversed(self.intermediates)))

    def trusted_root_cer(self, encoding: Literal["base64", "der"] = "base64") -> bytes:
        """The v2 trusted root upload: the root certificate alone."""
        return self.root.cer(encoding)

    def authentication_cer(self, encoding: Literal["base64", "der"] = "base64") -> bytes:
        """The v1 authentication certificate upload: the server leaf alone."""
        return self.server.cer(encoding)

    def client_ca_cer(self) -> bytes:
        """The mutual-TLS client CA upload: intermediates (leaf-nearest first), then the root.

        One PEM file, in the order of Azure's example (``type intermediateCA.cer
        rootCA.cer > combined.cer``).

        >>> chain.client_ca_cer().count(b"BEGIN CERTIFICATE")
        2
        """
        return b"".join(c.cer() for c in self._issuers())

    def _issuers(self) -> tuple[Credential, ...]:
        return (*reversed(self.intermediates), self.root)

    def _key_type(self, key_type: KeyType | str | None) -> KeyType:
        return KeyType.of(self.issuer.private_key) if key_type is None else _key_type(key_type)

    def _organization(self) -> str:
        attributes = self.issuer.certificate.subject.get_attributes_for_oid(
            NameOID.ORGANIZATION_NAME
        )
        value = attributes[0].value if attributes else SELF_SIGNED_ORGANIZATION
        return value if isinstance(value, str) else value.decode("utf-8", "replace")


def build_test_chain(
    hostnames: Sequence[str] = ("www.contoso.com",),
    *,
    intermediates: int = 1,
    key_type: KeyType | str = KeyType.RSA_2048,
    valid_days: int = 365,
    not_before: datetime | None = None,
    organization: str = "appgw-certs test",
) -> TestChain:
    """A fresh root, ``intermediates`` intermediate CAs and a server leaf for ``hostnames``.

    Host names may be DNS names, wildcards (``*.contoso.com``) or IP addresses
    (which become IP SANs); the first one is the leaf's common name. Every
    certificate is valid from ``not_before`` (default: an hour ago) for
    ``valid_days`` days, so expired or not-yet-valid chains are one argument away.

    >>> chain = build_test_chain(["www.contoso.com", "*.contoso.com", "10.0.0.4"],
    ...                          intermediates=2, key_type=KeyType.EC_P256)
    >>> pem = chain.backend_chain_pem()
    """
    names = _general_names(hostnames)
    _check_intermediates(intermediates)
    _check_text("organization", organization)
    kind = _key_type(key_type)
    window = _validity(valid_days, not_before)
    tag = secrets.token_hex(4)  # tells CAs of different chains apart
    ca = _issue(
        _name(f"Test Root CA {tag}", organization),
        kind.generate(),
        None,
        _ca_extensions(intermediates),
        window,
    )
    root, cas = ca, []
    for index in range(intermediates):
        ca = _issue(
            _name(f"Test Intermediate CA {index + 1} {tag}", organization),
            kind.generate(),
            ca,
            _ca_extensions(intermediates - index - 1),
            window,
        )
        cas.append(ca)
    subject = _name(_common_name_for(names), organization)
    server = _issue(subject, kind.generate(), ca, _server_extensions(kind, names), window)
    return TestChain(root, tuple(cas), server)


def build_self_signed(
    hostnames: Sequence[str],
    *,
    ca: bool = False,
    key_type: KeyType | str = KeyType.RSA_2048,
    valid_days: int = 365,
    not_before: datetime | None = None,
) -> Credential:
    """A self-signed server certificate for ``hostnames``.

    ``ca=False`` gives a plain leaf (CA:FALSE): Azure v2 rejects it as a trusted
    root, which is what a negative test wants. ``ca=True`` gives a certificate
    that is both a CA (CA:TRUE, pathlen 0, keyCertSign) and a server leaf, so it
    can be the backend's certificate and its own v2 trusted root.

    >>> backend = build_self_signed(["backend.contoso.com"], ca=True)
    """
    names = _general_names(hostnames)
    kind = _key_type(key_type)
    window = _validity(valid_days, not_before)
    extensions = _leaf_extensions(kind, ExtendedKeyUsageOID.SERVER_AUTH, names, ca=ca)
    subject = _name(_common_name_for(names), SELF_SIGNED_ORGANIZATION)
    return _issue(subject, kind.generate(), None, extensions, window)


# --- certificates -----------------------------------------------------------


def _issue(
    subject: x509.Name,
    key: _GeneratedKey,
    issuer: Credential | None,
    extensions: _Extensions,
    window: _Window,
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


def _ca_extensions(path_length: int) -> _Extensions:
    return [
        (x509.BasicConstraints(ca=True, path_length=path_length), True),
        (_key_usage(None, ca=True), True),
    ]


def _server_extensions(kind: KeyType, names: list[x509.GeneralName]) -> _Extensions:
    return _leaf_extensions(kind, ExtendedKeyUsageOID.SERVER_AUTH, names)


def _leaf_extensions(
    kind: KeyType,
    purpose: x509.ObjectIdentifier,
    names: list[x509.GeneralName],
    *,
    ca: bool = False,
) -> _Extensions:
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


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _common_name_for(names: list[x509.GeneralName]) -> str:
    """The first SAN entry as text (canonical for IPs), cut to the 64 characters CN allows."""
    return str(names[0].value)[:_MAX_NAME]


def _client_san(subject: x509.Name) -> x509.GeneralName:
    common_name = str(subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
    match = _EMAIL.fullmatch(common_name)
    if match and _dns_problem(match.group(1)) is None:
        return x509.RFC822Name(common_name)
    return x509.DirectoryName(subject)


def _encoding(encoding: str) -> serialization.Encoding:
    if encoding == "base64":
        return serialization.Encoding.PEM
    if encoding == "der":
        return serialization.Encoding.DER
    raise ValueError(f"encoding: must be 'base64' or 'der', not {encoding!r}")


# --- argument checks (before any key is generated) ---------------------------


def _key_type(key_type: KeyType | str) -> KeyType:
    try:
        return KeyType(key_type)
    except ValueError:
        valid = ", ".join(repr(k.value) for k in KeyType)
        raise ValueError(
            f"key_type: must be a KeyType or one of {valid}, not {key_type!r}"
        ) from None


def _check_intermediates(intermediates: int) -> None:
    if isinstance(intermediates, bool) or not isinstance(intermediates, int):
        raise ValueError(f"intermediates: must be an int, not {type(intermediates).__name__}")
    if not 0 <= intermediates <= MAX_INTERMEDIATES:
        raise ValueError(
            f"intermediates: must be between 0 and {MAX_INTERMEDIATES}, not {intermediates}"
        )


def _check_text(argument: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{argument}: must be a non-empty string, not {value!r}")
    if len(value) > _MAX_NAME:
        raise ValueError(f"{argument}: at most {_MAX_NAME} characters (RFC 5280), not {len(value)}")


def _validity(valid_days: int, not_before: datetime | None) -> _Window:
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or valid_days <= 0:
        raise ValueError(f"valid_days: must be a whole number of days > 0, not {valid_days!r}")
    if not_before is None:
        start = datetime.now(UTC).replace(microsecond=0) - BACKDATE
    elif not isinstance(not_before, datetime) or not_before.utcoffset() is None:
        raise ValueError(
            "not_before: must be a timezone-aware datetime (e.g. datetime.now(UTC)), "
            f"not {not_before!r}"
        )
    else:
        try:
            start = not_before.astimezone(UTC).replace(microsecond=0)
        except OverflowError:  # year 1 or 9999 shifted out of range by its offset
            start = _EARLIEST - timedelta(days=1)
    if start < _EARLIEST or valid_days > (_LATEST - start).days:
        raise ValueError(
            f"not_before, valid_days: the window must lie within {_EARLIEST.year}-{_LATEST.year}"
            f" (X.509 time), not {not_before or start} + {valid_days} days"
        )
    return start, start + timedelta(days=valid_days)


def _general_names(hostnames: Sequence[str]) -> list[x509.GeneralName]:
    """Validated SAN entries for ``hostnames``: IPs become IP SANs, duplicates go."""
    if isinstance(hostnames, str):
        hostnames = [hostnames]  # one name given bare: surely not a list of characters
    names: list[x509.GeneralName] = []
    for index, host in enumerate(hostnames):
        name = _general_name(index, host)
        if name not in names:
            names.append(name)
    if not names:
        raise ValueError("hostnames: at least one host name is needed")
    return names


def _general_name(index: int, host: str) -> x509.GeneralName:
    if not isinstance(host, str):
        raise ValueError(f"hostnames[{index}]: must be a string, not {type(host).__name__}")
    if "%" not in host:  # a scoped IPv6 address cannot go into a certificate
        try:
            return x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            pass
    problem = _dns_problem(host)
    if problem:
        raise ValueError(f"hostnames[{index}]: {host[:80]!r} is not a valid host name: {problem}")
    return x509.DNSName(host.lower())


def _dns_problem(host: str) -> str | None:
    """Why ``host`` is not a DNS name (wildcard allowed leftmost), or None."""
    if len(host) > 253:
        return f"{len(host)} characters, a DNS name has at most 253"
    labels = host.split(".")
    for position, label in enumerate(labels):
        if label == "*" and position == 0:
            if len(labels) < 3:
                return "a wildcard needs at least two labels after it (*.contoso.com)"
            continue
        if not label:
            return "empty label (two dots in a row, or a leading or trailing dot)"
        if len(label) > 63:
            return f"label of {len(label)} characters, at most 63 are allowed"
        if not _LABEL.fullmatch(label):
            return (
                f"label {label[:63]!r} may hold only ASCII letters, digits and inner hyphens"
                " (use the xn-- form for international names; '*' only as the whole first label)"
            )
    if labels[-1].isdigit():
        return "the last label is all digits (neither a DNS name nor an IP address)"
    return None
