"""The library's errors, and the one place where lower-layer errors are translated.

Every error subclasses :class:`AppGwCertError`, and also the builtin that fits
(``ValueError`` for bad input, ``OSError`` for network failures), so callers can
catch either. Messages say what was wrong and what to do; they never contain a
password or key material.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

__all__ = [
    "MAX_BUNDLE_CERTIFICATES",
    "MAX_INPUT_BYTES",
    "AppGwCertError",
    "CertificateFormatError",
    "ChainError",
    "InputTooLargeError",
    "InvalidArgumentError",
    "PfxPasswordError",
    "ProbeError",
    "tolerating_deprecated_encodings",
    "translate_errors",
]

#: Inputs larger than this (1 MiB) are refused before any parsing.
MAX_INPUT_BYTES = 1024 * 1024
#: PEM and PKCS#7 bundles holding more certificates than this are refused (a chain
#: has a handful, certifi's whole store about 150): later steps compare certificates
#: pairwise, and 1 MiB of small certificates would be about 2,000.
MAX_BUNDLE_CERTIFICATES = 1000


class AppGwCertError(Exception):
    """Base of every error the library raises on purpose."""


class CertificateFormatError(AppGwCertError, ValueError):
    """The bytes are not a certificate, key or PFX that can be read, or are corrupt."""


class InputTooLargeError(CertificateFormatError):
    """The input is larger than :data:`MAX_INPUT_BYTES`; it was not parsed."""


class PfxPasswordError(AppGwCertError, ValueError):
    """A PFX needs a password, or the one given is wrong."""


class InvalidArgumentError(AppGwCertError, ValueError):
    """An argument of the right type holds a value the function does not take (an
    unknown SKU name, a naive ``now``, a port outside 1-65535). Not in ``__all__``:
    catch :class:`AppGwCertError` or ``ValueError``, as before it existed."""


class ChainError(AppGwCertError, ValueError):
    """Certificates do not form one chain, or no root can be found."""


class ProbeError(AppGwCertError, OSError):
    """A live backend could not be reached, or did not complete a TLS handshake."""


@contextmanager
def translate_errors(
    what: str, *, error: type[AppGwCertError] = CertificateFormatError
) -> Iterator[None]:
    """Turn any error a lower layer raises inside the block into ``error``.

    ``what`` says what was being read ("a PEM certificate", "the PFX"); the
    message of the lower-layer error is kept only when it cannot hold secrets
    (cryptography's parser messages are about structure, never about content).
    The original exception is chained (``raise ... from exc``).
    """
    try:
        yield
    except AppGwCertError:
        raise
    except (
        ValueError,
        TypeError,
        IndexError,
        KeyError,
        OverflowError,
        AssertionError,
        UnicodeError,
        NotImplementedError,
    ) as exc:
        raise error(f"could not read {what}: {_describe(exc)}") from exc
    except Exception as exc:
        # pyasn1 errors, cryptography's InternalError/UnsupportedAlgorithm,
        # pyOpenSSL's Error: anything else a parser can throw at hostile bytes.
        raise error(f"could not read {what}: {_describe(exc)}") from exc


def tolerating_deprecated_encodings() -> AbstractContextManager[None]:
    """Silence cryptography's warnings about encodings it still reads.

    A serial number <= 0 (six of certifi's roots, old Windows exports) warns on
    parsing and on every read of ``serial_number``. Such certificates are real
    and our checks describe them; under ``-W error`` the warning would make a
    readable certificate unreadable.

    Nested scopes are free: an audit enters one around its whole work, and the
    loaders' own scopes inside it do not copy the warning filters again (copying
    them can cost more than the parse it guards; docs/performance.md).
    """
    return _Tolerating()


# Whether this context is inside a tolerating scope. The warning filters are
# process-wide, as they always were; this only spares nested scopes.
_TOLERATING: ContextVar[bool] = ContextVar("appgw_certs_tolerating", default=False)


class _Tolerating:
    """The scope of :func:`tolerating_deprecated_encodings` (a class rather than a
    generator: it is entered around every parse)."""

    __slots__ = ("_catcher", "_token")

    def __enter__(self) -> None:
        if _TOLERATING.get():
            self._catcher: warnings.catch_warnings[None] | None = None
            return
        from cryptography.utils import CryptographyDeprecationWarning  # light, already loaded

        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        self._token = _TOLERATING.set(True)

    def __exit__(self, *exc_info: object) -> None:
        if self._catcher is not None:
            _TOLERATING.reset(self._token)
            self._catcher.__exit__(None, None, None)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:200]
