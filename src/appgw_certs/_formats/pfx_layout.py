"""The ASN.1 layout of a PFX: its encryption algorithms, iteration counts, key bags.

Read without decrypting anything, before anything derives a key: absurd
iteration counts are refused here, since a hostile file could otherwise stall
the process for minutes. Two decoders read the structures (``pfx_decoder``):
DER files, which is what OpenSSL, cryptography and Java write, are read with
cryptography's declarative decoder (``pfx_der``); BER files (Windows exports
with indefinite lengths or constructed strings) and whatever that decoder steps
aside from, with pyasn1-modules (``pfx_ber``, imported on first use). Both are
walked by the same code here, so both give the same :class:`Layout`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._errors import CertificateFormatError, translate_errors
from .pfx_decoder import Algorithm, Bag, ContentInfo, PfxDecoder
from .pfx_der import der_decoder
from .sniff import could_be_pfx

__all__ = [
    "MAX_BAG_NESTING",
    "MAX_ITERATIONS",
    "MAX_SCRYPT_WORK",
    "MAX_TOTAL_ITERATIONS",
    "Layout",
    "PfxEncryption",
    "check_encrypted_key_info",
    "encrypted_key_iterations_with",
    "read_layout",
    "read_layout_with",
]

E = TypeVar("E")
T = TypeVar("T")

#: KDF or MAC iteration counts above this are refused before any derivation,
#: and so are files whose derivations add up to more than MAX_TOTAL_ITERATIONS
#: (the defaults of .NET's Pkcs12LoaderLimits). Real files use 1 to 20,000
#: (Windows 2,000, OpenSSL 2,048, cryptography 20,000).
MAX_ITERATIONS = 300_000
MAX_TOTAL_ITERATIONS = 1_000_000
#: The same for scrypt-encrypted keys, as N * r * p.
MAX_SCRYPT_WORK = 2**24
#: How deep safeContentsBags may nest (real files: not at all). Deeper files are
#: refused alike by both decoders, before either recurses near Python's limit.
MAX_BAG_NESTING = 16

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
_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_KEY_BAG = "1.2.840.113549.1.12.10.1.1"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_FRIENDLY_NAME = "1.2.840.113549.1.9.20"

# What Application Gateway is known to import: a 3DES key bag, certificates in
# 3DES, RC2-40 or not encrypted, a SHA-1 MAC (see docs/formats.md).
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


@dataclass(frozen=True)
class Layout:
    encryption: PfxEncryption
    key_friendly_name: str | None
    key_bags: int  # key bags outside encrypted content (where exporters put them)


def read_layout(der: bytes) -> Layout:
    """The layout of the PFX ``der`` (DER or BER); :class:`CertificateFormatError`
    when it is not one, or asks for absurd iteration counts."""
    if not could_be_pfx(der):  # PEM, a certificate...: no decoder need look
        raise CertificateFormatError(
            "could not read the PFX (PKCS#12) structure: it does not start as one "
            "(a SEQUENCE holding a version number)"
        )
    with translate_errors("the PFX (PKCS#12) structure"):
        return _decoded(lambda decoder: read_layout_with(decoder, der))


def check_encrypted_key_info(der: bytes) -> None:
    """Refuse a PKCS#8 ``ENCRYPTED PRIVATE KEY`` with an absurd iteration count or scrypt cost.

    Called before ``cryptography`` derives the key, for the same reason as for
    PFX files. Structure errors are left to ``cryptography`` to report.
    """
    try:
        iterations = _decoded(lambda decoder: encrypted_key_iterations_with(decoder, der))
    except CertificateFormatError:
        raise  # scrypt asking for too much work
    except Exception:
        return  # not well-formed: cryptography says so with its own message
    _check_iterations(iterations, "the private key")


def encrypted_key_iterations_with(decoder: PfxDecoder[E], der: bytes) -> int | None:
    """The iteration count of an EncryptedPrivateKeyInfo as read with ``decoder``
    (``None`` for scrypt, whose cost is bounded here, and other schemes)."""
    return _algorithm(decoder, decoder.encrypted_key_algorithm(der))[1]


def _decoded(read: Callable[[PfxDecoder[Any]], T]) -> T:
    """``read`` with the DER decoder; with pyasn1 when that one cannot read the bytes."""
    fast = der_decoder()
    if fast is not None:
        try:
            return read(fast)
        except CertificateFormatError:
            raise  # read, and refused
        except Exception:  # noqa: S110 - not DER, or a shape not declared: pyasn1 decides
            pass
    from .pfx_ber import BER_DECODER  # on use: pyasn1-modules is slow to import

    return read(BER_DECODER)


# --- the walk ------------------------------------------------------------------


@dataclass
class _Seen:
    key_algorithm: str | None = None
    key_iterations: int | None = None
    key_bags: int = 0
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


def read_layout_with(decoder: PfxDecoder[E], der: bytes) -> Layout:
    """The layout as read with ``decoder``; raises what it raises on bytes it cannot read."""
    auth_safe, mac = decoder.pfx(der)
    if auth_safe.content_type != _DATA:
        raise CertificateFormatError(
            "this PFX uses public-key integrity (signed PKCS#12), which is not supported: "
            "export it again with a password"
        )
    seen = _Seen()
    for info in decoder.authenticated_safe(decoder.octets(auth_safe.content)):
        _read_content_info(decoder, info, seen)
    mac_algorithm, mac_iterations = (None, None) if mac is None else (_digest(mac[0]), mac[1])
    _check_iterations(seen.key_iterations, "the PFX's key bag")
    seen.spend(mac_iterations, "the PFX's MAC")
    iterations = seen.key_iterations if seen.key_bags else mac_iterations
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
    return Layout(encryption, seen.key_friendly_name, seen.key_bags)


def _read_content_info(decoder: PfxDecoder[E], info: ContentInfo[E], seen: _Seen) -> None:
    if info.content_type == _DATA:
        _read_bags(decoder, decoder.safe_contents(decoder.octets(info.content)), seen)
    elif info.content_type == _ENCRYPTED_DATA:
        algorithm = decoder.encrypted_data_algorithm(info.content)
        name, iterations = _algorithm(decoder, algorithm)
        seen.spend(iterations, "the PFX's certificate bag")
        if seen.cert_algorithm is None:
            seen.cert_algorithm = name


def _read_bags(decoder: PfxDecoder[E], bags: list[Bag[E]], seen: _Seen, depth: int = 0) -> None:
    for bag in bags:
        if bag.bag_id == _SHROUDED_KEY_BAG:
            algorithm = decoder.encrypted_key_algorithm(decoder.encoding(bag.value))
            name, iterations = _algorithm(decoder, algorithm)
            seen.spend(iterations, "the PFX's key bag")
            _note_key_bag(decoder, seen, bag, name, iterations)
        elif bag.bag_id == _KEY_BAG:
            _note_key_bag(decoder, seen, bag, None, None)
        elif bag.bag_id == _SAFE_CONTENTS_BAG:
            if depth == MAX_BAG_NESTING:
                raise CertificateFormatError(
                    f"the PFX nests bags more than {MAX_BAG_NESTING} deep: the file is "
                    "corrupt or hostile; not decrypting it"
                )
            nested = decoder.safe_contents(decoder.encoding(bag.value))
            _read_bags(decoder, nested, seen, depth + 1)


def _note_key_bag(
    decoder: PfxDecoder[E], seen: _Seen, bag: Bag[E], algorithm: str | None, iterations: int | None
) -> None:
    seen.key_bags += 1
    if seen.key_bags > 1:
        return  # the first key bag describes the file
    seen.key_algorithm = algorithm
    seen.key_iterations = iterations
    seen.key_friendly_name = _friendly_name(decoder, bag)


def _friendly_name(decoder: PfxDecoder[E], bag: Bag[E]) -> str | None:
    for attribute_type, values in bag.attributes:
        if attribute_type == _FRIENDLY_NAME:
            for value in values:
                return decoder.bmp_text(value)
    return None


def _algorithm(decoder: PfxDecoder[E], algorithm: Algorithm[E]) -> tuple[str, int | None]:
    """A PBE algorithm's name and its iteration count."""
    if algorithm.oid in _PKCS12_PBE:
        return _PKCS12_PBE[algorithm.oid], decoder.pkcs12_pbe_iterations(algorithm.parameters)
    if algorithm.oid == _PBES2:
        kdf, cipher_oid = decoder.pbes2(algorithm.parameters)
        cipher = _CIPHERS.get(cipher_oid, cipher_oid)
        return f"PBES2/{cipher}", _pbkdf2_iterations(decoder, kdf)
    return algorithm.oid, None


def _pbkdf2_iterations(decoder: PfxDecoder[E], kdf: Algorithm[E]) -> int | None:
    """PBKDF2's iteration count; scrypt's cost is bounded here (it has no such count)."""
    if kdf.oid == _SCRYPT:
        _check_scrypt_cost(*decoder.scrypt_cost(kdf.parameters))
        return None
    if kdf.oid != _PBKDF2:
        return None
    return decoder.pbkdf2_iterations(kdf.parameters)


def _digest(oid: str) -> str:
    return _DIGESTS.get(oid, oid)


def _check_scrypt_cost(n: int, r: int, p: int) -> None:
    # openssl's default is N=16384, r=8, p=1 (2**17); allow 128 times that
    if n * r * p > MAX_SCRYPT_WORK:
        raise CertificateFormatError(
            f"the key's scrypt parameters (N={n:,}, r={r}, p={p}) ask for more work than "
            f"{MAX_SCRYPT_WORK:,} (N*r*p): the file is corrupt or hostile; not decrypting it"
        )


def _check_iterations(iterations: int | None, where: str) -> None:
    if iterations is not None and not 0 < iterations <= MAX_ITERATIONS:
        raise CertificateFormatError(
            f"{where} asks for {iterations:,} iterations (at most {MAX_ITERATIONS:,} are "
            "accepted): the file is corrupt or hostile; not decrypting it"
        )
