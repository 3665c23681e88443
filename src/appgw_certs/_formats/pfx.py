"""PKCS#12 (PFX) files: the key, the certificates, and how the file is encrypted.

``cryptography`` decrypts the file; it says nothing about the algorithms used,
so those are read from the ASN.1 first (``pfx_layout``). Reading the file
first also bounds the work of every key derivation loading it would run, its
certificate safes opened with the same password to see what they hold, before
anything derives a key: a hostile file could otherwise stall the process for
minutes.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .._errors import CertificateFormatError, PfxPasswordError, translate_errors
from .compat import DSAPrivateKey
from .inputs import Password, PrivateKey, check_size, encode_password, is_utf8, read_bytes
from .keys import key_description, key_matches
from .pfx_layout import (
    MAX_ITERATIONS,
    MAX_SCRYPT_WORK,
    MAX_TOTAL_ITERATIONS,
    Layout,
    PfxEncryption,
    SafeOpener,
    read_layout,
)
from .sniff import unwrap_base64

__all__ = [
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "MAX_TOTAL_ITERATIONS",
    "Pfx",
    "PfxEncryption",
    "load_pfx",
    "load_pfx_with_layout",
    "read_pfx_encryption",
]

_BER_FALLBACK_WARNING = r"PKCS#12 bundle could not be parsed as DER"

_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    DSAPrivateKey,
)


@dataclass(frozen=True, repr=False)
class Pfx:
    """What a PFX holds: the key, its certificate, the other certificates.

    ``certificate`` is the one that matches the key (else the first);
    ``chain`` the others as stored. The key never shows in ``repr``.

    >>> pfx = load_pfx(Path("listener.pfx"), "secret")   # doctest: +SKIP
    >>> pfx.certificate.subject.rfc4514_string(), len(pfx.chain)
    ('CN=www.contoso.com', 2)
    """

    private_key: PrivateKey | None
    certificate: x509.Certificate | None
    chain: tuple[x509.Certificate, ...]
    friendly_name: str | None
    encryption: PfxEncryption

    def __repr__(self) -> str:
        key = key_description(self.private_key) if self.private_key is not None else None
        subject = _subject(self.certificate)
        return (
            f"Pfx(private_key={key!r}, certificate={subject!r}, chain={len(self.chain)} "
            f"certificate(s), friendly_name={self.friendly_name!r}, encryption={self.encryption!r})"
        )


def load_pfx(source: bytes | os.PathLike[str], password: Password = None) -> Pfx:
    """Read a PKCS#12 / PFX file (bytes or a ``pathlib.Path``; base64 text is decoded).

    Raises :class:`PfxPasswordError` when a password is needed or wrong, and
    :class:`CertificateFormatError` when the bytes are not a PFX.

    >>> pfx = load_pfx(Path("site.pfx"), "secret")   # doctest: +SKIP
    >>> pfx.encryption.azure_compatible
    True
    """
    return load_pfx_with_layout(source, password)[0]


def load_pfx_with_layout(
    source: bytes | os.PathLike[str], password: Password = None
) -> tuple[Pfx, Layout]:
    """:func:`load_pfx`, and what the ASN.1 says beyond it (e.g. how many key bags).

    >>> pfx, layout = load_pfx_with_layout(data, "secret")   # doctest: +SKIP
    >>> layout.key_bags
    1
    """
    data = _pfx_bytes(source)
    secret = encode_password(password)
    layout = read_layout(data, SafeOpener(secret))
    parsed = _decrypt(data, secret)
    return _assemble(parsed, layout), layout


def _pfx_bytes(source: bytes | str | os.PathLike[str]) -> bytes:
    """The PFX's bytes; base64 text (the portal's, an ARM template's) is decoded."""
    if isinstance(source, str):
        check_size(source)
        decoded = unwrap_base64(source.strip().encode("ascii", errors="replace"))
        if decoded is None:
            raise CertificateFormatError(
                "this text is not base64 of a PFX; to read a file, pass pathlib.Path(...)"
            )
        return decoded
    data = read_bytes(source)
    if data.startswith(b"0"):  # 0x30: a DER SEQUENCE
        return data
    return unwrap_base64(data.strip()) or data


def read_pfx_encryption(der: bytes) -> PfxEncryption:
    """The algorithms a PFX uses, read from its ASN.1 without decrypting it.

    >>> read_pfx_encryption(pfx_bytes).key_algorithm   # doctest: +SKIP
    'pbeWithSHA1And3-KeyTripleDES-CBC'
    """
    return read_layout(der).encryption


# --- decrypting and assembling ----------------------------------------------


def _decrypt(data: bytes, password: bytes | None) -> pkcs12.PKCS12KeyAndCertificates:
    if password is not None and b"\0" in password:
        # cryptography panics on a NUL (a BaseException whose text holds the password);
        # PKCS#12 passwords end at the first NUL, so no file opens with this one.
        raise _password_error(password)
    if password is not None and not is_utf8(password):
        raise PfxPasswordError(
            "the PFX password is not UTF-8 text (bytes from a terminal or file in another "
            "encoding?): PKCS#12 passwords are Unicode text; give it as a str"
        )
    with translate_errors("the PFX"):  # anything but a ValueError: unsupported algorithms
        try:
            with warnings.catch_warnings():
                # BER files (Windows, explicit DEFAULTs) load after this warning; nothing is lost.
                warnings.filterwarnings("ignore", _BER_FALLBACK_WARNING, UserWarning)
                return pkcs12.load_pkcs12(data, password)
        except ValueError as exc:
            # cryptography says "Invalid password or PKCS12 data"; the structure has
            # already been read, so the password is what is wrong.
            raise _password_error(password) from exc


def _password_error(password: bytes | None) -> PfxPasswordError:
    if not password:
        return PfxPasswordError(
            "this PFX is protected by a password: give the one it was exported with "
            "(password=... in Python, --password on the command line)"
        )
    return PfxPasswordError(
        "the PFX password is wrong (or the file is corrupt): check the password it was "
        "exported with"
    )


def _assemble(parsed: pkcs12.PKCS12KeyAndCertificates, layout: Layout) -> Pfx:
    bags = ([parsed.cert] if parsed.cert is not None else []) + list(parsed.additional_certs)
    key = _supported_key(parsed.key)
    index = _matching_index(key, [bag.certificate for bag in bags]) if bags else None
    if index is None and bags:
        index = 0
    certificate = bags[index].certificate if index is not None else None
    chain = tuple(bag.certificate for i, bag in enumerate(bags) if i != index)
    bag_name = bags[index].friendly_name if index is not None else None
    friendly_name = _text(bag_name) or layout.key_friendly_name
    return Pfx(key, certificate, chain, friendly_name, layout.encryption)


def _supported_key(key: object) -> PrivateKey | None:
    if key is None or isinstance(key, _KEY_TYPES):
        return key
    raise CertificateFormatError(
        f"the PFX holds a {type(key).__name__}, a key type certificates here cannot use"
    )


def _matching_index(key: PrivateKey | None, certs: list[x509.Certificate]) -> int | None:
    if key is None:
        return None
    return next((i for i, cert in enumerate(certs) if key_matches(key, cert)), None)


def _text(name: bytes | None) -> str | None:
    if name is None:
        return None
    return name.decode("utf-8", errors="replace")


def _subject(cert: x509.Certificate | None) -> str | None:
    if cert is None:
        return None
    try:
        return cert.subject.rfc4514_string()
    except Exception:  # an odd foreign name
        return "<unreadable subject>"
