"""What differs between the cryptography releases this project supports, in one place.

cryptography 51 deprecates DSA: reading ``dsa.DSAPublicKey`` or
``dsa.DSAPrivateKey`` off its module warns. DSA keys still arrive in old PFX
files and chains, and must be recognised, so the two classes are read here
once, without the warning, for the ``isinstance`` checks elsewhere.
"""

from __future__ import annotations

import warnings

from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.utils import CryptographyDeprecationWarning

__all__ = ["DSAPrivateKey", "DSAPublicKey"]

with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    DSAPublicKey = dsa.DSAPublicKey
    DSAPrivateKey = dsa.DSAPrivateKey
