"""PKCS#12 (PFX) files: the key, the certificates, and how the file is encrypted.

``cryptography`` decrypts the file; it says nothing about the algorithms used,
so those are read from the ASN.1 with ``pyasn1-modules`` (RFC 7292 for the
PFX, RFC 2315 for its encrypted content, RFC 5208/8018 for the key bag and
PBES2). Reading the algorithms first also lets us refuse absurd iteration
counts before anything derives a key: a hostile file could otherwise stall
the process for minutes.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyasn1.codec.ber import decoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc7914, rfc8018

from ._errors import CertificateFormatError, PfxPasswordError, translate_errors
from ._inputs import Password, PrivateKey, check_size, encode_password, read_bytes
from ._keys import key_description, key_matches

__all__ = [
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "MAX_TOTAL_ITERATIONS",
    "Pfx",
    "PfxEncryption",
    "check_encrypted_key_info",
    "load_pfx",
    "read_pfx_encryption",
]

#: KDF or MAC iteration counts above this are refused before any derivation,
#: and so are files whose derivations add up to more than MAX_TOTAL_ITERATIONS
#: (the defaults of .NET's Pkcs12LoaderLimits). Real files use 1 to 20,000
#: (Windows 2,000, OpenSSL 2,048, cryptography 20,000); a 3DES file at ten
#: million per derivation took 16 s to open here.
MAX_ITERATIONS = 300_000
MAX_TOTAL_ITERATIONS = 1_000_000
#: The same for scrypt-encrypted keys, as N * r * p.
MAX_SCRYPT_WORK = 2**24

_PKCS12_PBE = {
    "1.2.840.113549.1.12.1.1": "pbeWithSHA1And128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHA1And40BitRC4",
    "1.2.840.113549.1.12.1.3": "pbeWithSHA1And3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.4": "pbeWithSHA1And2-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.5": "pbeWithSHA1And128BitRC2-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHA1And40BitRC2-CBC",
    # PKCS#5 v1.5 schemes (same parameter shape: salt, iterations)
    "1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "pbeWithSHA1AndRC2-CBC",
}
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_CIPHERS = {
    "2.16.840.1.101.3.4.1.2": "AES-128-CBC",
    "2.16.840.1.101.3.4.1.22": "AES-192-CBC",
    "2.16.840.1.101.3.4.1.42": "AES-256-CBC",
    "1.2.840.113549.3.7": "DES-EDE3-CBC",
    "1.3.14.3.2.7": "DES-CBC",
    "1.2.840.113549.3.2": "RC2-CBC",
    "1.2.392.200011.61.1.1.1.2": "CAMELLIA-128-CBC",
    "1.2.392.200011.61.1.1.1.3": "CAMELLIA-192-CBC",
    "1.2.392.200011.61.1.1.1.4": "CAMELLIA-256-CBC",
}
_DIGESTS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
    "1.2.840.113549.2.5": "md5",
    "1.2.840.113549.1.5.14": "PBMAC1",
}
_BER_FALLBACK_WARNING = r"PKCS#12 bundle could not be parsed as DER"
_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"

_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
    dsa.DSAPrivateKey,
)

# What Application Gateway is known to import (azure-rules L6, L7, T1).
_AZURE_KEY_ALGORITHMS = frozenset({"pbeWithSHA1And3-KeyTripleDES-CBC"})
_AZURE_CERT_ALGORITHMS = frozenset(
    {None, "pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC"}
)


@dataclass(frozen=True)
class PfxEncryption:
    """How a PFX is protected, as read from the file.

    ``azure_compatible`` is what Application Gateway is known to import: a
    3DES key bag, a certificate bag in 3DES, RC2-40 or not encrypted, and a
    SHA-1 MAC (OpenSSL 1.x, OpenSSL 3 ``-legacy``, profile "compatible").

    >>> load_pfx(data, "secret").encryption   # doctest: +SKIP
    PfxEncryption(key_algorithm='PBES2/AES-256-CBC', cert_algorithm='PBES2/AES-256-CBC',
                  mac_algorithm='sha256', iterations=2048, azure_compatible=False)
    """

    key_algorithm: str | None
    cert_algorithm: str | None
    mac_algorithm: str | None
    iterations: int | None
    azure_compatible: bool


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
    data = _pfx_bytes(source)
    layout = _read_layout(data)
    parsed = _decrypt(data, encode_password(password))
    return _assemble(parsed, layout)


def _pfx_bytes(source: bytes | str | os.PathLike[str]) -> bytes:
    """The PFX's bytes; base64 text (the portal's, an ARM template's) is decoded."""
    from ._read import unwrap_base64  # on use: _read imports this module

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
    return _read_layout(der).encryption


def check_encrypted_key_info(der: bytes) -> None:
    """Refuse a PKCS#8 ``ENCRYPTED PRIVATE KEY`` with an absurd iteration count or scrypt cost.

    Called before ``cryptography`` derives the key, for the same reason as
    for PFX files. Structure errors are left to ``cryptography`` to report.
    """
    try:
        info, _ = decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
        _, iterations = _algorithm(info["encryptionAlgorithm"])
    except CertificateFormatError:
        raise  # scrypt asking for too much work
    except Exception:
        return  # not well-formed: cryptography says so with its own message
    _check_iterations(iterations, "the private key")


# --- the ASN.1 layout -------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    encryption: PfxEncryption
    key_friendly_name: str | None


@dataclass
class _Seen:
    key_algorithm: str | None = None
    key_iterations: int | None = None
    has_key_bag: bool = False
    cert_algorithm: str | None = None
    key_friendly_name: str | None = None
    total_iterations: int = 0

    def spend(self, iterations: int | None, where: str) -> None:
        """Count one derivation; refuse it, or the file's running total, when absurd."""
        _check_iterations(iterations, where)
        self.total_iterations += iterations or 0
        if self.total_iterations > MAX_TOTAL_ITERATIONS:
            raise CertificateFormatError(
                f"the PFX's derivations add up to over {MAX_TOTAL_ITERATIONS:,} iterations "
                "(many bags or high counts): the file is corrupt or hostile; not decrypting it"
            )


def _read_layout(der: bytes) -> _Layout:
    with translate_errors("the PFX (PKCS#12) structure"):
        pfx, _ = decoder.decode(der, asn1Spec=rfc7292.PFX())
        seen = _Seen()
        for info in _authenticated_safe(pfx):
            _read_content_info(info, seen)
        mac_algorithm, mac_iterations = _mac(pfx)
    _check_iterations(seen.key_iterations, "the PFX's key bag")
    seen.spend(mac_iterations, "the PFX's MAC")
    iterations = seen.key_iterations if seen.has_key_bag else mac_iterations
    encryption = PfxEncryption(
        key_algorithm=seen.key_algorithm,
        cert_algorithm=seen.cert_algorithm,
        mac_algorithm=mac_algorithm,
        iterations=iterations,
        azure_compatible=(
            seen.key_algorithm in _AZURE_KEY_ALGORITHMS
            and seen.cert_algorithm in _AZURE_CERT_ALGORITHMS
            and mac_algorithm == "sha1"
        ),
    )
    return _Layout(encryption, seen.key_friendly_name)


def _authenticated_safe(pfx: univ.Sequence) -> Iterator[univ.Sequence]:
    auth_safe = pfx["authSafe"]
    if str(auth_safe["contentType"]) != _DATA:
        raise CertificateFormatError(
            "this PFX uses public-key integrity (signed PKCS#12), which is not supported: "
            "export it again with a password"
        )
    safe, _ = decoder.decode(_octets(auth_safe["content"]), asn1Spec=rfc7292.AuthenticatedSafe())
    yield from safe


def _octets(any_value: univ.Any) -> bytes:
    octets, _ = decoder.decode(bytes(any_value), asn1Spec=univ.OctetString())
    return bytes(octets)


def _read_content_info(info: univ.Sequence, seen: _Seen) -> None:
    content_type = str(info["contentType"])
    if content_type == _DATA:
        bags, _ = decoder.decode(_octets(info["content"]), asn1Spec=rfc7292.SafeContents())
        _read_bags(bags, seen)
    elif content_type == _ENCRYPTED_DATA:
        encrypted, _ = decoder.decode(bytes(info["content"]), asn1Spec=rfc2315.EncryptedData())
        name, iterations = _algorithm(
            encrypted["encryptedContentInfo"]["contentEncryptionAlgorithm"]
        )
        seen.spend(iterations, "the PFX's certificate bag")
        if seen.cert_algorithm is None:
            seen.cert_algorithm = name


def _read_bags(bags: univ.SequenceOf, seen: _Seen) -> None:
    for bag in bags:
        bag_id = str(bag["bagId"])
        if bag_id == _SHROUDED_KEY_BAG:
            key_info, _ = decoder.decode(
                bytes(bag["bagValue"]), asn1Spec=rfc5208.EncryptedPrivateKeyInfo()
            )
            name, iterations = _algorithm(key_info["encryptionAlgorithm"])
            seen.spend(iterations, "the PFX's key bag")
            _note_key_bag(seen, bag, name, iterations)
        elif bag_id == _KEY_BAG:
            _note_key_bag(seen, bag, None, None)
        elif bag_id == _SAFE_CONTENTS_BAG:
            nested, _ = decoder.decode(bytes(bag["bagValue"]), asn1Spec=rfc7292.SafeContents())
            _read_bags(nested, seen)


def _note_key_bag(
    seen: _Seen, bag: univ.Sequence, algorithm: str | None, iterations: int | None
) -> None:
    if seen.has_key_bag:
        return  # the first key bag describes the file
    seen.has_key_bag = True
    seen.key_algorithm = algorithm
    seen.key_iterations = iterations
    seen.key_friendly_name = _friendly_name(bag)


def _friendly_name(bag: univ.Sequence) -> str | None:
    attributes = bag["bagAttributes"]
    if not attributes.isValue:
        return None
    for attribute in attributes:
        if str(attribute["attrType"]) == _FRIENDLY_NAME:
            for value in attribute["attrValues"]:
                return _bmp_text(bytes(value))
    return None


def _bmp_text(der: bytes) -> str | None:
    """A BMPString's text; None when it cannot be read (a name is never worth failing over)."""
    try:
        # no size constraint here: RFC 7292's 1..255 is broken by real files (empty names)
        name, _ = decoder.decode(der, asn1Spec=char.BMPString())
        return str(name) or None
    except Exception:
        return None


def _algorithm(identifier: univ.Sequence) -> tuple[str, int | None]:
    """A PBE AlgorithmIdentifier as a name and its iteration count."""
    oid = str(identifier["algorithm"])
    parameters = bytes(identifier["parameters"]) if identifier["parameters"].isValue else b""
    if oid in _PKCS12_PBE:
        params, _ = decoder.decode(parameters, asn1Spec=rfc7292.Pkcs_12PbeParams())
        return _PKCS12_PBE[oid], int(params["iterations"])
    if oid == _PBES2:
        params, _ = decoder.decode(parameters, asn1Spec=rfc8018.PBES2_params())
        cipher_oid = str(params["encryptionScheme"]["algorithm"])
        cipher = _CIPHERS.get(cipher_oid, cipher_oid)
        return f"PBES2/{cipher}", _pbkdf2_iterations(params["keyDerivationFunc"])
    return oid, None


def _pbkdf2_iterations(kdf: univ.Sequence) -> int | None:
    """PBKDF2's iteration count; scrypt's cost is bounded here (it has no such count)."""
    kdf_oid = str(kdf["algorithm"])
    if kdf_oid == _SCRYPT:
        params, _ = decoder.decode(bytes(kdf["parameters"]), asn1Spec=rfc7914.Scrypt_params())
        _check_scrypt_cost(
            int(params["costParameter"]),
            int(params["blockSize"]),
            int(params["parallelizationParameter"]),
        )
        return None
    if kdf_oid != _PBKDF2:
        return None
    params, _ = decoder.decode(bytes(kdf["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
    return int(params["iterationCount"])


def _check_scrypt_cost(n: int, r: int, p: int) -> None:
    # openssl's default is N=16384, r=8, p=1 (2**17); allow 128 times that
    if n * r * p > MAX_SCRYPT_WORK:
        raise CertificateFormatError(
            f"the key's scrypt parameters (N={n:,}, r={r}, p={p}) ask for more work than "
            f"{MAX_SCRYPT_WORK:,} (N*r*p): the file is corrupt or hostile; not decrypting it"
        )


def _mac(pfx: univ.Sequence) -> tuple[str | None, int | None]:
    mac_data = pfx["macData"]
    if not mac_data.isValue:
        return None, None
    oid = str(mac_data["mac"]["digestAlgorithm"]["algorithm"])
    return _DIGESTS.get(oid, oid), int(mac_data["iterations"])


def _check_iterations(iterations: int | None, where: str) -> None:
    if iterations is not None and not 0 < iterations <= MAX_ITERATIONS:
        raise CertificateFormatError(
            f"{where} asks for {iterations:,} iterations (at most {MAX_ITERATIONS:,} are "
            "accepted): the file is corrupt or hostile; not decrypting it"
        )


# --- decrypting and assembling ----------------------------------------------


def _decrypt(data: bytes, password: bytes | None) -> pkcs12.PKCS12KeyAndCertificates:
    if password is not None and b"\0" in password:
        # cryptography panics on a NUL (a BaseException whose text holds the password);
        # PKCS#12 passwords end at the first NUL, so no file opens with this one.
        raise _password_error(password)
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
            "this PFX is protected by a password: pass password=... (the one it was exported with)"
        )
    return PfxPasswordError(
        "the PFX password is wrong (or the file is corrupt): check the password it was "
        "exported with"
    )


def _assemble(parsed: pkcs12.PKCS12KeyAndCertificates, layout: _Layout) -> Pfx:
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
