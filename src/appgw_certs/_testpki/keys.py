"""The key types of a test PKI: their names, how a key of each is made, which one a key is."""

from __future__ import annotations

from enum import Enum
from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._errors import InvalidArgumentError
from .._formats.inputs import PrivateKey

__all__ = ["GeneratedKey", "KeyType", "parse_key_type"]

GeneratedKey: TypeAlias = "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey"


class KeyType(Enum):
    """The key types a test chain can use; values are the CLI's spellings.

    >>> KeyType("ec-p256") is KeyType.EC_P256
    True
    """

    RSA_2048 = "rsa2048"
    RSA_3072 = "rsa3072"
    RSA_4096 = "rsa4096"
    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"

    @property
    def is_rsa(self) -> bool:
        """True for the RSA key types (their leaves also get keyEncipherment)."""
        return self in (KeyType.RSA_2048, KeyType.RSA_3072, KeyType.RSA_4096)

    def generate(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        """A new private key of this type (RSA with exponent 65537).

        >>> KeyType.EC_P256.generate().curve.name
        'secp256r1'
        """
        if self.is_rsa:
            return rsa.generate_private_key(65537, _RSA_BITS[self])
        return ec.generate_private_key(_CURVES[self]())

    @classmethod
    def of(cls, private_key: PrivateKey) -> KeyType:
        """The key type of an existing key; ``ValueError`` for other kinds of keys.

        >>> KeyType.of(KeyType.EC_P384.generate())
        <KeyType.EC_P384: 'ec-p384'>
        """
        if isinstance(private_key, rsa.RSAPrivateKey):
            for key_type, bits in _RSA_BITS.items():
                if private_key.key_size == bits:
                    return key_type
        if isinstance(private_key, ec.EllipticCurvePrivateKey):
            for key_type, curve in _CURVES.items():
                if isinstance(private_key.curve, curve):
                    return key_type
        raise InvalidArgumentError(
            "key_type: the key is none of " + ", ".join(k.name for k in KeyType)
        )


_RSA_BITS = {KeyType.RSA_2048: 2048, KeyType.RSA_3072: 3072, KeyType.RSA_4096: 4096}
_CURVES: dict[KeyType, type[ec.EllipticCurve]] = {
    KeyType.EC_P256: ec.SECP256R1,
    KeyType.EC_P384: ec.SECP384R1,
}


def parse_key_type(key_type: KeyType | str) -> KeyType:
    """The :class:`KeyType` a ``key_type`` argument names; ``ValueError`` for anything else."""
    try:
        return KeyType(key_type)
    except ValueError:
        valid = ", ".join(repr(k.value) for k in KeyType)
        raise InvalidArgumentError(
            f"key_type: must be a KeyType or one of {valid}, not {key_type!r}"
        ) from None
