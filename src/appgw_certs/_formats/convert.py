"""Converting between PFX (PKCS#12) and CER (PEM "Base-64" or DER).

Two PFX profiles: "compatible" (PBE-SHA1-3DES key and certificates, SHA-1
MAC: what Application Gateway and older Windows/macOS import) and "modern"
(PBES2 AES-256-CBC, SHA-256 MAC).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from .._errors import (
    CertificateFormatError,
    ChainError,
    InvalidArgumentError,
    PfxPasswordError,
    translate_errors,
)
from .bundle import load_certificates
from .inputs import (
    CertSource,
    Password,
    PrivateKey,
    checked_choice,
    checked_text,
    encode_password,
    is_utf8,
)
from .keys import key_matches
from .private_keys import load_private_key

__all__ = ["cer_to_pfx", "pfx_to_cer", "to_cer", "to_pfx"]

Encoding = Literal["base64", "der"]
Profile = Literal["compatible", "modern"]

_ENCODINGS = ("base64", "der")
_PROFILES = ("compatible", "modern")

#: KDF and MAC iterations written (OpenSSL's default; Windows writes 2000).
PFX_ITERATIONS = 2048


def to_cer(source: CertSource, *, encoding: Encoding = "base64") -> bytes:
    """Certificates as a CER file: PEM text ("base64") or binary DER ("der", one certificate).

    >>> to_cer(Path("site.p7b"))   # doctest: +SKIP
    b'-----BEGIN CERTIFICATE-----\\nMIID...'
    """
    checked_choice(encoding, _ENCODINGS, "encoding")
    return _cer_bytes(load_certificates(source), encoding)


def to_pfx(
    private_key: PrivateKey,
    certificate: x509.Certificate,
    chain: Iterable[x509.Certificate] = (),
    *,
    password: Password,
    profile: Profile = "compatible",
    friendly_name: str | None = None,
) -> bytes:
    """A PFX holding ``private_key``, ``certificate`` and ``chain``.

    ``password=None`` writes an unencrypted PFX (on purpose: there is no
    default). A key that does not match the certificate raises :class:`ChainError`.

    >>> to_pfx(key, cert, [intermediate, root], password="s3cret")   # doctest: +SKIP
    """
    checked_choice(profile, _PROFILES, "profile")
    if not key_matches(private_key, certificate):
        raise ChainError(
            "the private key does not match the certificate: pass the key the certificate "
            "was issued for"
        )
    encryption = _encryption(encode_password(password), profile)
    name = checked_text(friendly_name, "friendly_name").encode() if friendly_name else None
    with translate_errors("the key and certificates to write as PFX"):
        return pkcs12.serialize_key_and_certificates(
            name, private_key, certificate, list(chain) or None, encryption
        )


def pfx_to_cer(
    pfx: bytes | os.PathLike[str],
    password: Password = None,
    *,
    encoding: Encoding = "base64",
    include_chain: bool = False,
) -> bytes:
    """The certificate of a PFX (with ``include_chain``, also the others) as CER.

    >>> pfx_to_cer(Path("site.pfx"), "s3cret", encoding="der")   # doctest: +SKIP
    """
    checked_choice(encoding, _ENCODINGS, "encoding")
    from .pfx import load_pfx  # deferred: the PFX decoders, for a PFX only

    loaded = load_pfx(pfx, password)
    if loaded.certificate is None:
        raise CertificateFormatError("the PFX holds no certificate")
    certs = [loaded.certificate, *loaded.chain] if include_chain else [loaded.certificate]
    return _cer_bytes(certs, encoding)


def cer_to_pfx(
    cer: CertSource,
    private_key: PrivateKey | bytes | os.PathLike[str],
    *,
    password: Password,
    key_password: Password = None,
    chain: CertSource = (),
    profile: Profile = "compatible",
) -> bytes:
    """A PFX from a certificate file and its key (object, PEM/DER bytes or a path).

    The certificate that matches the key becomes the PFX's certificate; the
    other certificates of ``cer``, then ``chain``, follow. No certificate
    matching the key raises :class:`ChainError`.

    >>> cer_to_pfx(Path("site.cer"), Path("site.key"), password="s3cret")   # doctest: +SKIP
    """
    checked_choice(profile, _PROFILES, "profile")
    key = load_private_key(private_key, key_password)
    certs = load_certificates(cer)
    leaf = next((cert for cert in certs if key_matches(key, cert)), None)
    if leaf is None:
        raise ChainError(
            "the private key matches none of the certificates: pass the key the "
            "certificate was issued for"
        )
    others = [cert for cert in certs if cert is not leaf]
    extra = load_certificates(chain) if not _is_empty(chain) else []
    return to_pfx(key, leaf, [*others, *extra], password=password, profile=profile)


def _cer_bytes(certs: list[x509.Certificate], encoding: Encoding) -> bytes:
    if encoding == "base64":
        return b"".join(_public_bytes(cert, serialization.Encoding.PEM) for cert in certs)
    if encoding == "der":
        if len(certs) != 1:
            raise CertificateFormatError(
                f"a DER .cer holds exactly one certificate, and there are {len(certs)}: "
                'write Base-64 for several (encoding="base64"; on the command line --to cer) '
                "or pick one"
            )
        return _public_bytes(certs[0], serialization.Encoding.DER)
    raise InvalidArgumentError(f'encoding is "base64" or "der", not {encoding!r}')


def _public_bytes(cert: x509.Certificate, encoding: serialization.Encoding) -> bytes:
    with translate_errors("the certificate"):
        return cert.public_bytes(encoding)


def _encryption(
    password: bytes | None, profile: Profile
) -> serialization.KeySerializationEncryption:
    if password is None:
        return serialization.NoEncryption()
    if not password:
        raise PfxPasswordError(
            "an empty PFX password is not supported: pass password=None for an unencrypted "
            "PFX, or a real password"
        )
    if b"\x00" in password:
        # OpenSSL reads a PKCS#12 password as a C string: nobody could open the file
        raise PfxPasswordError("a PFX password cannot contain NUL characters")
    if not is_utf8(password):  # PKCS#12 passwords are Unicode; cryptography writes UTF-8 only
        raise PfxPasswordError("a PFX password is UTF-8 text: these bytes are not")
    builder = serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(PFX_ITERATIONS)
    if profile == "compatible":
        # SHA-1 MAC: what Azure imports; the password, not the hash, is the secret here.
        sha1 = hashes.SHA1()  # noqa: S303
        builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        builder = builder.hmac_hash(sha1)
    elif profile == "modern":
        builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(
            hashes.SHA256()
        )
    else:
        raise InvalidArgumentError(f'profile is "compatible" or "modern", not {profile!r}')
    return builder.build(password)


def _is_empty(source: CertSource) -> bool:
    return isinstance(source, tuple | list) and not source
