"""Keys, as people talk about them: "RSA 2048", "EC P-256", and whether a key fits a certificate."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519

from .compat import DSAPrivateKey, DSAPublicKey, public_key_of
from .inputs import PrivateKey

__all__ = ["key_description", "key_matches", "public_key_der"]

_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}


def key_description(public_key: object) -> str:
    """A short name for a public (or private) key, as the portal and people say it.

    >>> key_description(cert.public_key())   # doctest: +SKIP
    'RSA 2048'
    """
    try:
        return _describe(public_key)
    except Exception:  # an odd foreign key (GOST, broken parameters): still say something
        return "unknown"


def _describe(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"EC {_CURVE_NAMES.get(key.curve.name, key.curve.name)}"
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey | ed448.Ed448PrivateKey):
        return "Ed448"
    if isinstance(key, x25519.X25519PublicKey | x448.X448PublicKey):
        return type(key).__name__.removesuffix("PublicKey")
    if isinstance(key, DSAPublicKey | DSAPrivateKey):
        return f"DSA {key.key_size}"
    return "unknown"


def public_key_der(key: object) -> bytes | None:
    """The SubjectPublicKeyInfo DER of a public or private key, ``None`` if it has none."""
    try:
        public = key.public_key() if hasattr(key, "private_bytes") else key  # type: ignore[attr-defined]
        der: bytes = public.public_bytes(  # type: ignore[union-attr]
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    except Exception:  # not a key, or one cryptography cannot serialise
        return None
    return der


def key_matches(private_key: PrivateKey, cert: x509.Certificate) -> bool:
    """Whether ``private_key`` is the key of ``cert`` (same public key).

    >>> key_matches(credential.private_key, credential.certificate)   # doctest: +SKIP
    True
    """
    ours = public_key_der(private_key)
    try:
        theirs = public_key_der(public_key_of(cert))
    except Exception:  # a certificate whose key cryptography cannot read matches nothing
        return False
    return ours is not None and ours == theirs
