"""A PFX decoder for any file: pyasn1-modules' RFC 7292, read as BER.

Reads what ``pfx_der`` steps aside from: BER (indefinite lengths and
constructed strings, as Windows and Java exports hold), and the rarer shapes.
Imported by ``pfx_layout`` only when needed: these modules are slow to import.
Elements are their encodings (``bytes``).
"""

from __future__ import annotations

from pyasn1.codec.ber import decoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc2315, rfc5208, rfc7292, rfc7914, rfc8018

from .pfx_decoder import Algorithm, Bag, ContentInfo

__all__ = ["BER_DECODER"]


class _BerDecoder:
    """:class:`PfxDecoder` over pyasn1-modules; trailing bytes after a structure are ignored."""

    def pfx(self, der: bytes) -> tuple[ContentInfo[bytes], tuple[Algorithm[bytes], int] | None]:
        pfx, _ = decoder.decode(der, asn1Spec=rfc7292.PFX())
        auth_safe = pfx["authSafe"]
        mac_data = pfx["macData"]
        mac = None
        if mac_data.isValue:
            mac = (_algorithm(mac_data["mac"]["digestAlgorithm"]), int(mac_data["iterations"]))
        return ContentInfo(str(auth_safe["contentType"]), bytes(auth_safe["content"])), mac

    def octets(self, element: bytes) -> bytes:
        octets, _ = decoder.decode(element, asn1Spec=univ.OctetString())
        return bytes(octets)

    def authenticated_safe(self, der: bytes) -> list[ContentInfo[bytes]]:
        safe, _ = decoder.decode(der, asn1Spec=rfc7292.AuthenticatedSafe())
        return [ContentInfo(str(info["contentType"]), bytes(info["content"])) for info in safe]

    def safe_contents(self, der: bytes) -> list[Bag[bytes]]:
        bags, _ = decoder.decode(der, asn1Spec=rfc7292.SafeContents())
        return [
            Bag(str(bag["bagId"]), bytes(bag["bagValue"]), _attributes(bag["bagAttributes"]))
            for bag in bags
        ]

    def encoding(self, element: bytes) -> bytes:
        return element

    def encrypted_data(self, element: bytes) -> tuple[Algorithm[bytes], bytes | None]:
        encrypted, _ = decoder.decode(element, asn1Spec=rfc2315.EncryptedData())
        info = encrypted["encryptedContentInfo"]
        content = info["encryptedContent"]
        ciphertext = bytes(content) if content.isValue else None
        return _algorithm(info["contentEncryptionAlgorithm"]), ciphertext

    def encrypted_key_algorithm(self, der: bytes) -> Algorithm[bytes]:
        info, _ = decoder.decode(der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
        return _algorithm(info["encryptionAlgorithm"])

    def pbe_params(self, parameters: bytes | None) -> tuple[bytes, int]:
        params, _ = decoder.decode(parameters or b"", asn1Spec=rfc7292.Pkcs_12PbeParams())
        return bytes(params["salt"]), int(params["iterations"])

    def pbes2(self, parameters: bytes | None) -> tuple[Algorithm[bytes], Algorithm[bytes]]:
        params, _ = decoder.decode(parameters or b"", asn1Spec=rfc8018.PBES2_params())
        return _algorithm(params["keyDerivationFunc"]), _algorithm(params["encryptionScheme"])

    def pbkdf2_params(self, parameters: bytes | None) -> tuple[bytes, int, int | None, str]:
        params, _ = decoder.decode(parameters or b"", asn1Spec=rfc8018.PBKDF2_params())
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
        params, _ = decoder.decode(parameters or b"", asn1Spec=rfc7914.Scrypt_params())
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
            name, _ = decoder.decode(element, asn1Spec=char.BMPString())
            return str(name) or None
        except Exception:
            return None


def _algorithm(identifier: univ.Sequence) -> Algorithm[bytes]:
    parameters = bytes(identifier["parameters"]) if identifier["parameters"].isValue else None
    return Algorithm(str(identifier["algorithm"]), parameters)


def _attributes(attributes: univ.SetOf) -> list[tuple[str, list[bytes]]]:
    if not attributes.isValue:
        return []
    return [
        (str(attribute["attrType"]), [bytes(value) for value in attribute["attrValues"]])
        for attribute in attributes
    ]


BER_DECODER = _BerDecoder()
