"""A PFX decoder for any file: pyasn1-modules' RFC 7292, read as BER.

Reads what ``pfx_der`` steps aside from: BER (indefinite lengths and
constructed strings, as Windows and Java exports hold), and the rarer shapes.
Imported by ``pfx_layout`` only when needed: these modules are slow to import.
Elements are their encodings (``bytes``).

pyasn1 spends time on every element it decodes, and BER lets a string be split
into one-byte chunks: 1 MiB holds 300,000 of them. The elements of what it is
given are counted first (``der.ber_elements``), and more than MAX_BER_ELEMENTS
are refused before it decodes any.
"""

from __future__ import annotations

from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc7914, rfc8018

from .._errors import CertificateFormatError
from .der import ber_elements
from .pfx_decoder import Algorithm, Bag, ContentInfo

__all__ = ["BER_DECODER", "MAX_BER_ELEMENTS"]

#: Elements (chunks of strings included) of one structure that pyasn1 decodes. A
#: Windows export holds a few hundred, its strings cut into 1,000-byte chunks.
MAX_BER_ELEMENTS = 10_000


def _decode(data: bytes, spec: Any) -> Any:
    """pyasn1's decoding of ``data`` as ``spec``, refused when it holds too many elements."""
    if ber_elements(data, MAX_BER_ELEMENTS) > MAX_BER_ELEMENTS:
        raise CertificateFormatError(
            f"the PFX's BER encoding holds over {MAX_BER_ELEMENTS:,} elements (strings cut "
            "into tiny chunks): the file is corrupt or hostile; not reading it"
        )
    return decoder.decode(data, asn1Spec=spec)


class _BerDecoder:
    """:class:`PfxDecoder` over pyasn1-modules; trailing bytes after a structure are ignored."""

    def pfx(self, der: bytes) -> tuple[ContentInfo[bytes], tuple[Algorithm[bytes], int] | None]:
        pfx, _ = _decode(der, rfc7292.PFX())
        auth_safe = pfx["authSafe"]
        mac_data = pfx["macData"]
        mac = None
        if mac_data.isValue:
            mac = (_algorithm(mac_data["mac"]["digestAlgorithm"]), int(mac_data["iterations"]))
        return ContentInfo(str(auth_safe["contentType"]), _any(auth_safe["content"])), mac

    def octets(self, element: bytes) -> bytes:
        octets, _ = _decode(element, univ.OctetString())
        return bytes(octets)

    def authenticated_safe(self, der: bytes) -> list[ContentInfo[bytes]]:
        safe, _ = _decode(der, rfc7292.AuthenticatedSafe())
        return [ContentInfo(str(info["contentType"]), _any(info["content"])) for info in safe]

    def safe_contents(self, der: bytes) -> list[Bag[bytes]]:
        bags, _ = _decode(der, rfc7292.SafeContents())
        return [
            Bag(str(bag["bagId"]), _any(bag["bagValue"]), _attributes(bag["bagAttributes"]))
            for bag in bags
        ]

    def encoding(self, element: bytes) -> bytes:
        return element

    def encrypted_data(self, element: bytes) -> tuple[Algorithm[bytes], bytes | None]:
        encrypted, _ = _decode(element, rfc2315.EncryptedData())
        info = encrypted["encryptedContentInfo"]
        content = info["encryptedContent"]
        ciphertext = bytes(content) if content.isValue else None
        return _algorithm(info["contentEncryptionAlgorithm"]), ciphertext

    def encrypted_key_algorithm(self, der: bytes) -> Algorithm[bytes]:
        info, _ = _decode(der, rfc5208.EncryptedPrivateKeyInfo())
        return _algorithm(info["encryptionAlgorithm"])

    def pbe_params(self, parameters: bytes | None) -> tuple[bytes, int]:
        params, _ = _decode(parameters or b"", rfc7292.Pkcs_12PbeParams())
        return bytes(params["salt"]), int(params["iterations"])

    def pbes2(self, parameters: bytes | None) -> tuple[Algorithm[bytes], Algorithm[bytes]]:
        params, _ = _decode(parameters or b"", rfc8018.PBES2_params())
        return _algorithm(params["keyDerivationFunc"]), _algorithm(params["encryptionScheme"])

    def pbkdf2_params(self, parameters: bytes | None) -> tuple[bytes, int, int | None, str]:
        params, _ = _decode(parameters or b"", rfc8018.PBKDF2_params())
        salt = params["salt"]
        # the "otherSource" choice has no salt to derive with: nothing opens it here
        specified = bytes(salt["specified"]) if salt.getName() == "specified" else b""
        length = params["keyLength"]
        return (
            specified,
            int(params["iterationCount"]),
            int(length) if length.isValue else None,
            str(params["prf"]["algorithm"]),
        )

    def scrypt_params(self, parameters: bytes | None) -> tuple[bytes, int, int, int, int | None]:
        params, _ = _decode(parameters or b"", rfc7914.Scrypt_params())
        length = params["keyLength"]
        return (
            bytes(params["salt"]),
            int(params["costParameter"]),
            int(params["blockSize"]),
            int(params["parallelizationParameter"]),
            int(length) if length.isValue else None,
        )

    def bmp_text(self, element: bytes) -> str | None:
        try:
            # no size constraint here: RFC 7292's 1..255 is broken by real files (empty names)
            name, _ = _decode(element, char.BMPString())
            return str(name) or None
        except Exception:
            return None


def _any(value: univ.Any) -> bytes:
    """An ANY's encoding. pyasn1 gives one of indefinite length without its
    end-of-contents (a Windows export's ``[0]`` content is one): it is put back, or
    decoding it would run out of bytes. Bytes after an element are ignored."""
    encoding = bytes(value)
    return encoding + b"\0\0" if encoding[1:2] == b"\x80" else encoding


def _algorithm(identifier: univ.Sequence) -> Algorithm[bytes]:
    parameters = _any(identifier["parameters"]) if identifier["parameters"].isValue else None
    return Algorithm(str(identifier["algorithm"]), parameters)


def _attributes(attributes: univ.SetOf) -> list[tuple[str, list[bytes]]]:
    if not attributes.isValue:
        return []
    return [
        (str(attribute["attrType"]), [_any(value) for value in attribute["attrValues"]])
        for attribute in attributes
    ]


BER_DECODER = _BerDecoder()
