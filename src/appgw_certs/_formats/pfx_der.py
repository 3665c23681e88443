"""A PFX decoder for DER files: cryptography's declarative ASN.1 decoder.

The structures of RFC 7292 that the layout is read from are declared for
``cryptography.hazmat.asn1`` (new in cryptography 47, documented as not yet
stable) on first use, as ``pkcs7`` declares its own. Each declaration accepts
less than pyasn1-modules' (which ``pfx_ber`` decodes with), with the same value
constraints: DER, and the shapes real files have. Two departures from DER that
real writers make are read here too: a bag's attributes out of DER order
(Java's keytool), and a MAC iteration count of 1 encoded (its DEFAULT).
Anything else raises, and ``pfx_layout`` asks ``pfx_ber`` instead: BER
(indefinite lengths, constructed strings, as Windows exports are), an absent
or unusual AlgorithmIdentifier parameter, a PBMAC1 MAC, a cryptography
without the module, or one whose module changed.
"""

# No ``from __future__ import annotations``: the decoder reads the field types
# from the annotations, which must be evaluated where the classes are declared.
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from cryptography import x509

from .der import der_length, tlv_encoding
from .pfx_decoder import Algorithm, Bag, ContentInfo, PfxDecoder

if TYPE_CHECKING:
    from cryptography.hazmat import asn1

__all__ = ["der_decoder"]

_SEQUENCE, _SET, _EXPLICIT_0 = b"\x30", b"\x31", b"\xa0"
_BMP_STRING, _CONSTRUCTED_BMP_STRING = b"\x1e", b"\x3e"
_LONG_FORM = 0x1F
_HMAC_WITH_SHA1 = "1.2.840.113549.2.7"  # PBKDF2's PRF when none is named


def der_decoder() -> "PfxDecoder[asn1.TLV] | None":
    """The DER decoder, declared on first use; ``None`` when this cryptography
    has no declarative decoder (before 47), or one that refuses the declarations."""
    return _declared()


@cache
def _declared() -> "_DerDecoder | None":
    try:
        return _DerDecoder(_declare())
    except Exception:  # ImportError before cryptography 47; a changed API after it
        return None


class _Structures(NamedTuple):
    """The declared classes, and the decoder's entry point."""

    decode_der: Any
    tlv: Any
    pfx: Any
    authenticated_safe: Any
    safe_contents: Any
    attributes: Any
    encrypted_data: Any
    encrypted_private_key_info: Any
    pkcs12_pbe_params: Any
    pbes2_params: Any
    pbkdf2_params: Any
    scrypt_params: Any


class _DerDecoder:
    """:class:`PfxDecoder` over the declarations; elements are TLVs."""

    def __init__(self, structures: _Structures) -> None:
        self._s = structures

    def pfx(
        self, der: bytes
    ) -> "tuple[ContentInfo[asn1.TLV], tuple[Algorithm[asn1.TLV], int] | None]":
        pfx = self._s.decode_der(self._s.pfx, der)
        auth_safe = ContentInfo(pfx.auth_safe.content_type.dotted_string, pfx.auth_safe.content)
        mac_data = pfx.mac_data
        if mac_data is None:
            return auth_safe, None
        digest = Algorithm(mac_data.mac.digest_algorithm.algorithm.dotted_string, None)
        iterations = 1 if mac_data.iterations is None else mac_data.iterations
        return auth_safe, (digest, iterations)

    def octets(self, element: "asn1.TLV") -> bytes:
        octets: bytes = element.parse(bytes)
        return octets

    def authenticated_safe(self, der: bytes) -> "list[ContentInfo[asn1.TLV]]":
        infos = self._sequence_of(self._s.authenticated_safe, der)
        return [ContentInfo(i.content_type.dotted_string, i.content) for i in infos]

    def safe_contents(self, der: bytes) -> "list[Bag[asn1.TLV]]":
        return [self._bag(fields) for fields in self._sequence_of(self._s.safe_contents, der)]

    def encoding(self, element: "asn1.TLV") -> bytes:
        return tlv_encoding(element)

    def encrypted_data(self, element: "asn1.TLV") -> "tuple[Algorithm[asn1.TLV], bytes | None]":
        info = element.parse(self._s.encrypted_data).encrypted_content_info
        ciphertext: bytes | None = info.encrypted_content
        return _algorithm(info.content_encryption_algorithm), ciphertext

    def encrypted_key_algorithm(self, der: bytes) -> "Algorithm[asn1.TLV]":
        info = self._s.decode_der(self._s.encrypted_private_key_info, der)
        return _algorithm(info.encryption_algorithm)

    def pbe_params(self, parameters: "asn1.TLV | None") -> tuple[bytes, int]:
        params = _required(parameters).parse(self._s.pkcs12_pbe_params)
        return params.salt, params.iterations

    def pbes2(
        self, parameters: "asn1.TLV | None"
    ) -> "tuple[Algorithm[asn1.TLV], Algorithm[asn1.TLV]]":
        params = _required(parameters).parse(self._s.pbes2_params)
        return _algorithm(params.key_derivation_func), _algorithm(params.encryption_scheme)

    def pbkdf2_params(self, parameters: "asn1.TLV | None") -> tuple[bytes, int, int | None, str]:
        params = _required(parameters).parse(self._s.pbkdf2_params)
        _positive(params.iteration_count, params.key_length)
        prf = _HMAC_WITH_SHA1 if params.prf is None else params.prf.algorithm.dotted_string
        return params.salt, params.iteration_count, params.key_length, prf

    def scrypt_params(
        self, parameters: "asn1.TLV | None"
    ) -> tuple[bytes, int, int, int, int | None]:
        params = _required(parameters).parse(self._s.scrypt_params)
        cost = (params.cost_parameter, params.block_size, params.parallelization_parameter)
        _positive(*cost, params.key_length)
        return (params.salt, *cost, params.key_length)

    def bmp_text(self, element: "asn1.TLV") -> str | None:
        tag = element.tag_bytes
        if tag == _BMP_STRING:
            try:
                return bytes(element.data).decode("utf-16-be") or None
            except UnicodeDecodeError:
                return None
        if tag == _CONSTRUCTED_BMP_STRING or tag[0] & _LONG_FORM == _LONG_FORM:
            raise ValueError("a BMPString pyasn1 may read (BER): not decoded here")
        return None  # not a BMPString: no name, as pyasn1 finds none

    def _bag(self, fields: "list[asn1.TLV]") -> "Bag[asn1.TLV]":
        """A SafeBag from its fields: bagId, ``[0] EXPLICIT`` bagValue, and the
        optional bagAttributes, a SET OF read in the order written (Java's keytool
        does not sort it as DER wants; a SET OF declaration would refuse it)."""
        if not 2 <= len(fields) <= 3 or fields[1].tag_bytes != _EXPLICIT_0:
            raise ValueError("not a SafeBag")
        bag_id: str = fields[0].parse(x509.ObjectIdentifier).dotted_string
        value = self._s.decode_der(self._s.tlv, bytes(fields[1].data))
        if len(fields) == 2:
            return Bag(bag_id, value, [])
        if fields[2].tag_bytes != _SET:
            raise ValueError("not a SafeBag's attributes")
        members = bytes(fields[2].data)
        attributes = self._sequence_of(
            self._s.attributes, _SEQUENCE + der_length(len(members)) + members
        )
        return Bag(
            bag_id,
            value,
            [(a.attr_type.dotted_string, a.attr_values.as_list()) for a in attributes],
        )

    def _sequence_of(self, holder: Any, der: bytes) -> list[Any]:
        """A SEQUENCE OF, decoded as the one field of a SEQUENCE wrapped around it
        (the decoder reads classes only at the top)."""
        wrapped = _SEQUENCE + der_length(len(der)) + der
        items: list[Any] = self._s.decode_der(holder, wrapped).items
        return items


def _algorithm(identifier: Any) -> "Algorithm[asn1.TLV]":
    return Algorithm(identifier.algorithm.dotted_string, identifier.parameters)


def _required(parameters: "asn1.TLV | None") -> "asn1.TLV":
    if parameters is None:  # never, as declared: parameters are required here
        raise ValueError("no parameters")
    return parameters


def _positive(*values: int | None) -> None:
    """pyasn1-modules constrains these to 1..MAX and refuses the structure otherwise;
    the layout is read alike when this decoder leaves such values to it."""
    if any(value is not None and value < 1 for value in values):
        raise ValueError("a value outside 1..MAX")


def _declare() -> _Structures:
    from cryptography.hazmat import asn1  # on use: absent before cryptography 47

    @asn1.sequence
    class AlgorithmIdentifier:
        algorithm: x509.ObjectIdentifier
        parameters: asn1.TLV  # required here: absent parameters are left to pyasn1

    @asn1.sequence
    class NullParameterAlgorithm:  # digests and PRFs: parameters NULL or absent
        algorithm: x509.ObjectIdentifier
        parameters: asn1.Null | None

    @asn1.sequence
    class DigestInfo:
        digest_algorithm: NullParameterAlgorithm
        digest: bytes

    @asn1.sequence
    class MacData:
        mac: DigestInfo
        mac_salt: bytes
        iterations: int | None  # DEFAULT 1, which some writers encode (not DER)

    @asn1.sequence
    class ContentInfo:
        content_type: x509.ObjectIdentifier
        content: Annotated[asn1.TLV, asn1.Explicit(0)]

    @asn1.sequence
    class Pfx:
        version: int
        auth_safe: ContentInfo
        mac_data: MacData | None

    @asn1.sequence
    class AuthenticatedSafe:
        items: list[ContentInfo]

    @asn1.sequence
    class Attribute:
        attr_type: x509.ObjectIdentifier
        attr_values: asn1.SetOf[asn1.TLV]

    @asn1.sequence
    class Attributes:  # a SET OF, its members as written
        items: list[Attribute]

    @asn1.sequence
    class SafeContents:
        items: list[list[asn1.TLV]]  # each SafeBag as its fields: see _bag

    @asn1.sequence
    class EncryptedContentInfo:
        content_type: x509.ObjectIdentifier
        content_encryption_algorithm: AlgorithmIdentifier
        encrypted_content: Annotated[bytes | None, asn1.Implicit(0)]

    @asn1.sequence
    class EncryptedData:
        version: int
        encrypted_content_info: EncryptedContentInfo

    @asn1.sequence
    class EncryptedPrivateKeyInfo:
        encryption_algorithm: AlgorithmIdentifier
        encrypted_data: bytes

    @asn1.sequence
    class Pkcs12PbeParams:
        salt: bytes
        iterations: int

    @asn1.sequence
    class Pbes2Params:
        key_derivation_func: AlgorithmIdentifier
        encryption_scheme: AlgorithmIdentifier

    @asn1.sequence
    class Pbkdf2Params:
        salt: bytes  # the "specified" choice; "otherSource" is left to pyasn1
        iteration_count: int
        key_length: int | None
        prf: NullParameterAlgorithm | None  # DEFAULT hmacWithSHA1, which some encode

    @asn1.sequence
    class ScryptParams:
        salt: bytes
        cost_parameter: int
        block_size: int
        parallelization_parameter: int
        key_length: int | None

    return _Structures(
        decode_der=asn1.decode_der,
        tlv=asn1.TLV,
        pfx=Pfx,
        authenticated_safe=AuthenticatedSafe,
        safe_contents=SafeContents,
        attributes=Attributes,
        encrypted_data=EncryptedData,
        encrypted_private_key_info=EncryptedPrivateKeyInfo,
        pkcs12_pbe_params=Pkcs12PbeParams,
        pbes2_params=Pbes2Params,
        pbkdf2_params=Pbkdf2Params,
        scrypt_params=ScryptParams,
    )
