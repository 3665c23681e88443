"""A certificate with its private key, and the files made of them: CER, PEM key, PFX."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import InvalidArgumentError
from .._formats.inputs import PrivateKey, encode_password
from .tempfiles import secret_tempfile

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

        return to_pfx(
            self.private_key,
            self.certificate,
            _certificates(chain),
            password=password,
            profile=profile,
            friendly_name=friendly_name,
        )

    @contextmanager
    def pem_tempfile(
        self,
        *,
        chain: Iterable[x509.Certificate | Credential] = (),
        password: str | bytes | None = None,
    ) -> Iterator[Path]:
        """A PEM file of the key, the certificate and ``chain``, for the ``with`` block.

        What ``ssl.SSLContext.load_cert_chain`` and most servers read: the
        PKCS#8 key (encrypted when ``password`` is given), then the certificate,
        then ``chain`` as given. The file is 0600 in a private directory and is
        removed, with the directory, when the block ends.

        >>> with cred.pem_tempfile() as path:
        ...     context.load_cert_chain(path)

        .. versionadded:: 0.2.0
        """
        certificates = [self.certificate, *_certificates(chain)]
        blocks = [
            self.key_pem(password),
            *(c.public_bytes(_encoding("base64")) for c in certificates),
        ]
        with secret_tempfile(b"".join(blocks), "credential.pem") as path:
            yield path

    @contextmanager
    def pfx_tempfile(
        self,
        password: str | bytes | None,
        *,
        chain: Iterable[x509.Certificate | Credential] = (),
        profile: Literal["compatible", "modern"] = "compatible",
        friendly_name: str | None = None,
    ) -> Iterator[Path]:
        """:meth:`pfx` in a file for the ``with`` block: 0600, removed when the block ends.

        >>> with cred.pfx_tempfile("Passw0rd") as path:
        ...     my_tool(path, "Passw0rd")

        .. versionadded:: 0.2.0
        """
        data = self.pfx(password, chain=chain, profile=profile, friendly_name=friendly_name)
        with secret_tempfile(data, "credential.pfx") as path:
            yield path


def _certificates(chain: Iterable[x509.Certificate | Credential]) -> list[x509.Certificate]:
    return [c.certificate if isinstance(c, Credential) else c for c in chain]


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
