"""What differs between the cryptography releases this project supports, in one place.

cryptography 51 deprecates DSA: reading ``dsa.DSAPublicKey`` or
``dsa.DSAPrivateKey`` off its module warns, and so does reading the public key
of a DSA certificate or request. DSA keys still arrive in old PFX files and
chains, and must be recognised (GEN005 names them), so the two classes are read
here once, without the warning, for the ``isinstance`` checks elsewhere, and
:func:`public_key_of` reads a certificate's key without it: a caller running
with warnings as errors gets a finding, not cryptography's warning raised.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import PublicKeyAlgorithmOID

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

__all__ = ["DSAPrivateKey", "DSAPublicKey", "public_key_of"]

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    DSAPublicKey = dsa.DSAPublicKey
    DSAPrivateKey = dsa.DSAPrivateKey


def public_key_of(
    holder: x509.Certificate | x509.CertificateSigningRequest,
) -> CertificatePublicKeyTypes:
    """``holder.public_key()``; for a DSA key, without cryptography 51's deprecation
    warning (a certificate with another key pays one attribute read, not a warnings
    scope; requests, rarer, always take the scope)."""
    if (
        isinstance(holder, x509.Certificate)
        and holder.public_key_algorithm_oid != PublicKeyAlgorithmOID.DSA
    ):
        return holder.public_key()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return holder.public_key()
