"""Prepare and check the certificates you upload to Azure Application Gateway."""

from ._errors import (
    MAX_INPUT_BYTES,
    AppGwCertError,
    CertificateFormatError,
    ChainError,
    CheckFailedError,
    InputTooLargeError,
    PfxPasswordError,
    ProbeError,
)
from ._version import __version__

__all__ = [
    "MAX_INPUT_BYTES",
    "AppGwCertError",
    "CertificateFormatError",
    "ChainError",
    "CheckFailedError",
    "InputTooLargeError",
    "PfxPasswordError",
    "ProbeError",
    "__version__",
]
