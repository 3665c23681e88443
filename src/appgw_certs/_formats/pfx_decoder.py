"""What a PFX decoder reads: the few ASN.1 structures of RFC 7292 (and RFC 2315,
5208, 8018, 7914 inside it) that the layout of a PFX is read from.

Two decoders implement :class:`PfxDecoder`: ``pfx_der`` (cryptography's
declarative DER decoder) and ``pfx_ber`` (pyasn1-modules, which also reads BER).
They only decode; ``pfx_layout`` walks the structures, names the algorithms and
bounds the iteration counts, once for both. A decoder raises any exception for
bytes it cannot read as asked.
"""

from __future__ import annotations

from typing import Generic, NamedTuple, Protocol, TypeVar

__all__ = ["Algorithm", "Bag", "ContentInfo", "PfxDecoder"]

#: A decoder's handle on an element it has not decoded yet (its DER, or a TLV).
E = TypeVar("E")


class ContentInfo(NamedTuple, Generic[E]):
    """RFC 5652's ContentInfo: a content type, and the ``[0] EXPLICIT`` content."""

    content_type: str
    content: E


class Algorithm(NamedTuple, Generic[E]):
    """An AlgorithmIdentifier: the OID, and the parameters (``None`` when absent)."""

    oid: str
    parameters: E | None


class Bag(NamedTuple, Generic[E]):
    """A SafeBag: its type, its ``[0] EXPLICIT`` value, and its attributes as
    (attribute type, values) in encoded order (empty when it has none)."""

    bag_id: str
    value: E
    attributes: list[tuple[str, list[E]]]


class PfxDecoder(Protocol[E]):
    """Decodes the structures, one at a time, as the layout's walk asks for them."""

    def pfx(self, der: bytes) -> tuple[ContentInfo[E], tuple[str, int] | None]:
        """The PFX's authSafe, and its MAC's digest OID and iteration count (no MAC: None)."""
        ...

    def octets(self, element: E) -> bytes:
        """The content of an OCTET STRING."""
        ...

    def authenticated_safe(self, der: bytes) -> list[ContentInfo[E]]:
        """An AuthenticatedSafe: a SEQUENCE OF ContentInfo."""
        ...

    def safe_contents(self, der: bytes) -> list[Bag[E]]:
        """A SafeContents: a SEQUENCE OF SafeBag."""
        ...

    def encoding(self, element: E) -> bytes:
        """The element's encoding, to decode it as something else."""
        ...

    def encrypted_data_algorithm(self, element: E) -> Algorithm[E]:
        """The content encryption algorithm of an RFC 2315 EncryptedData."""
        ...

    def encrypted_key_algorithm(self, der: bytes) -> Algorithm[E]:
        """The encryption algorithm of an EncryptedPrivateKeyInfo (RFC 5208)."""
        ...

    def pkcs12_pbe_iterations(self, parameters: E | None) -> int:
        """The iteration count of RFC 7292's pkcs-12PbeParams."""
        ...

    def pbes2(self, parameters: E | None) -> tuple[Algorithm[E], str]:
        """RFC 8018's PBES2-params: the key derivation function, and the cipher's OID."""
        ...

    def pbkdf2_iterations(self, parameters: E | None) -> int:
        """The iteration count of RFC 8018's PBKDF2-params."""
        ...

    def scrypt_cost(self, parameters: E | None) -> tuple[int, int, int]:
        """N, r and p of RFC 7914's scrypt-params."""
        ...

    def bmp_text(self, element: E) -> str | None:
        """A BMPString's text; ``None`` when the element is not one that can be read."""
        ...
