"""The ASN.1 layout of a PFX: its encryption algorithms, iteration counts, key bag.

Read with ``pyasn1-modules`` (RFC 7292 for the PFX, RFC 2315 for its
encrypted content, RFC 5208/8018/7914 for the key bag, PBES2 and scrypt),
without decrypting anything. Imported by ``_pfx`` on first use only: these
modules are slow to import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyasn1.codec.ber import decoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc7914, rfc8018

from .._errors import CertificateFormatError, translate_errors
from .pfx import MAX_ITERATIONS, MAX_SCRYPT_WORK, MAX_TOTAL_ITERATIONS, PfxEncryption

__all__ = ["Layout", "check_encrypted_key_info", "read_layout"]

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

# What Application Gateway is known to import (azure-rules L6, L7, T1).
_AZURE_KEY_ALGORITHMS = frozenset({"pbeWithSHA1And3-KeyTripleDES-CBC"})
_AZURE_CERT_ALGORITHMS = frozenset(
    {None, "pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC"}
)


def check_encrypted_key_info(der: bytes) -> None:
    """Refuse a PKCS#8 ``ENCRYPTED PRIVATE KEY`` with an absurd iteration count or scrypt cost.

    Structure errors are left to ``cryptography`` to report.
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
class Layout:
    encryption: PfxEncryption
    key_friendly_name: str | None
    key_bags: int  # key bags outside encrypted content (where exporters put them)


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


def read_layout(der: bytes) -> Layout:
    with translate_errors("the PFX (PKCS#12) structure"):
        pfx, _ = decoder.decode(der, asn1Spec=rfc7292.PFX())
        seen = _Seen()
        for info in _authenticated_safe(pfx):
            _read_content_info(info, seen)
        mac_algorithm, mac_iterations = _mac(pfx)
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
    seen.key_bags += 1
    if seen.key_bags > 1:
        return  # the first key bag describes the file
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
