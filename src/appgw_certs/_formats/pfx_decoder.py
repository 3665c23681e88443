"""What a PFX decoder reads: the few ASN.1 structures of RFC 7292 (and RFC 2315,
5208, 8018, 7914 inside it) that the layout of a PFX is read from.

Two decoders implement :class:`PfxDecoder`: ``pfx_der`` (cryptography's
declarative DER decoder) and ``pfx_ber`` (pyasn1-modules, which also reads BER).
They only decode; ``pfx_layout`` walks the structures and ``pbe`` names the
algorithms and bounds their cost, once for both. A decoder raises any exception for
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

    def pfx(self, der: bytes) -> tuple[ContentInfo[E], tuple[Algorithm[E], int] | None]:
        """The PFX's authSafe, and its MAC's digest algorithm and iteration count (no MAC: None)."""
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

    def encrypted_data(self, element: E) -> tuple[Algorithm[E], bytes | None]:
        """An RFC 2315 EncryptedData: its content encryption algorithm, its ciphertext."""
        ...

    def encrypted_key_algorithm(self, der: bytes) -> Algorithm[E]:
        """The encryption algorithm of an EncryptedPrivateKeyInfo (RFC 5208)."""
        ...

    def pbe_params(self, parameters: E | None) -> tuple[bytes, int]:
        """Salt and iteration count of RFC 7292's pkcs-12PbeParams (PBES1's have the same shape)."""
        ...

    def pbes2(self, parameters: E | None) -> tuple[Algorithm[E], Algorithm[E]]:
        """RFC 8018's PBES2-params (and RFC 9579's PBMAC1-params, of the same
        shape): the key derivation function, and the encryption (or MAC) scheme."""
        ...

    def pbkdf2_params(self, parameters: E | None) -> tuple[bytes, int, int | None, str]:
        """RFC 8018's PBKDF2-params: salt, iteration count, key length, PRF's OID."""
        ...

    def scrypt_params(self, parameters: E | None) -> tuple[bytes, int, int, int, int | None]:
        """RFC 7914's scrypt-params: salt, N, r, p, key length."""
        ...

    def bmp_text(self, element: E) -> str | None:
        """A BMPString's text; ``None`` when the element is not one that can be read."""
        ...
