"""A certificate with its private key, and the files made of them: CER, PEM key, PFX."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import InvalidArgumentError
from .._formats.inputs import PrivateKey, encode_password

__all__ = ["Credential", "certificate_bytes"]


@dataclass(frozen=True)
class Credential:
    """A certificate with its private key; ``repr`` never shows the key.

    >>> from appgw_certs import KeyType, build_self_signed
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
        return certificate_bytes(self.certificate, encoding)

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
            raise InvalidArgumentError(
                "password: must not be empty; pass None for an unencrypted key"
            )
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
        # deferred: PKCS#12 (and the PKCS#7 it brings) load when a PFX is first made
        from .._formats.convert import to_pfx

        certificates = [c.certificate if isinstance(c, Credential) else c for c in chain]
        return to_pfx(
            self.private_key,
            self.certificate,
            certificates,
            password=password,
            profile=profile,
            friendly_name=friendly_name,
        )


def certificate_bytes(
    certificate: x509.Certificate, encoding: Literal["base64", "der"] = "base64"
) -> bytes:
    """A certificate as PEM text ("base64", Azure's .cer) or DER."""
    return certificate.public_bytes(_encoding(encoding))


def _encoding(encoding: str) -> serialization.Encoding:
    if encoding == "base64":
        return serialization.Encoding.PEM
    if encoding == "der":
        return serialization.Encoding.DER
    raise InvalidArgumentError(f"encoding: must be 'base64' or 'der', not {encoding!r}")
