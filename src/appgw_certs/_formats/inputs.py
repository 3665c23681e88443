"""Turn the many kinds of input the public functions take into bytes.

``CertSource`` is ``bytes | str | os.PathLike[str] | x509.Certificate |
Iterable[x509.Certificate]``. This module only reads and bounds the input; it
never parses certificates (that is ``bundle``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from .._errors import MAX_INPUT_BYTES, CertificateFormatError, InputTooLargeError, PfxPasswordError

__all__ = [
    "CertSource",
    "Password",
    "PrivateKey",
    "check_size",
    "encode_password",
    "is_utf8",
    "read_bytes",
]

CertSource: TypeAlias = (
    "bytes | str | os.PathLike[str] | x509.Certificate | Iterable[x509.Certificate]"
)
Password: TypeAlias = "str | bytes | None"  # noqa: S105 - a type, not a secret
PrivateKey: TypeAlias = (
    "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey"
    " | ed448.Ed448PrivateKey | dsa.DSAPrivateKey"
)


def check_size(data: bytes | str, what: str = "input") -> None:
    """Refuse an input over :data:`MAX_INPUT_BYTES` before anything parses it."""
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(what, len(data))


def _too_large(what: str, size: int) -> InputTooLargeError:
    return InputTooLargeError(
        f"{what} is {size:,} bytes, over the {MAX_INPUT_BYTES:,}-byte limit; "
        "certificate files are a few KB: check that this is the right file"
    )


def read_path(path: os.PathLike[str]) -> bytes:
    """Read a file, refusing one over the size limit without reading it whole."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
            if len(data) > MAX_INPUT_BYTES:  # say the file's size, not how much was read
                raise _too_large(name, max(os.fstat(handle.fileno()).st_size, len(data)))
    except FileNotFoundError as exc:
        raise CertificateFormatError(f"no such file: {name}") from exc
    except IsADirectoryError as exc:
        raise CertificateFormatError(f"{name} is a directory, not a certificate file") from exc
    except OSError as exc:
        raise CertificateFormatError(f"cannot read {name}: {exc.strerror or exc}") from exc
    check_size(data, name)
    return data


def read_bytes(source: bytes | bytearray | memoryview | os.PathLike[str]) -> bytes:
    """Bytes of a ``bytes``-like value or of a file, size-checked."""
    if isinstance(source, bytes | bytearray | memoryview):  # first: no ABC look-up
        data = bytes(source)
        check_size(data)
        return data
    if isinstance(source, os.PathLike):
        return read_path(source)
    raise TypeError(f"expected bytes or a path (pathlib.Path), got {type(source).__name__}")


def encode_password(password: str | bytes | None) -> bytes | None:
    """A password as bytes, the one place where text passwords are encoded.

    ``str`` is UTF-8, surrogate-escaped: a password Python read from a terminal,
    a file name or an argument that was not UTF-8 (``\udcff`` for the byte 0xff)
    is the bytes it was. A lone surrogate no encoding takes is refused with
    :class:`PfxPasswordError`, which neither holds nor chains it (the encoder's
    error would hold the whole password). ``None`` stays ``None``.

    >>> encode_password("caf\udce9")
    b'caf\xe9'
    """
    if password is None:
        return None
    if isinstance(password, str):
        encoded = _surrogate_escaped(password)
        if encoded is None:  # raised here, outside the handler: nothing chained
            raise PfxPasswordError(
                "the password holds a character that no encoding takes (a lone UTF-16 "
                "surrogate): check how it was typed or read"
            )
        return encoded
    if isinstance(password, bytes | bytearray | memoryview):  # callers outside mypy's reach
        return bytes(password)
    raise TypeError(f"a password is str, bytes or None, not {type(password).__name__}")


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 (PKCS#12 passwords are Unicode text: cryptography
    takes them as UTF-8 only)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _surrogate_escaped(text: str) -> bytes | None:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return None
