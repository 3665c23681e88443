"""Turn the many kinds of input the public functions take into bytes, and check the
other arguments at the edge.

``CertSource`` is ``bytes | str | os.PathLike[str] | x509.Certificate |
Iterable[x509.Certificate]``. This module only reads and bounds the input; it
never parses certificates (that is ``bundle``). Text is bounded by its UTF-8
size, the size it will have as bytes.

The validators (``checked_*``, ``refuse_nul_path``) are what the public functions
of every layer call first, so that a wrong argument fails there with a clear
error: ``TypeError`` naming the parameter for a wrong type, and for a value of
the right type that the function does not take, an :class:`AppGwCertError`
that is also a ``ValueError`` (never Python's own errors from deep inside).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import TypeAlias, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from .._errors import (
    MAX_INPUT_BYTES,
    CertificateFormatError,
    InputTooLargeError,
    InvalidArgumentError,
    PfxPasswordError,
)

__all__ = [
    "CertSource",
    "Password",
    "PrivateKey",
    "check_size",
    "checked_certificates",
    "checked_choice",
    "checked_indent",
    "checked_instance",
    "checked_mapping",
    "checked_moment",
    "checked_number",
    "checked_optional",
    "checked_text",
    "encode_password",
    "is_utf8",
    "read_bytes",
    "refuse_nul_path",
]

T = TypeVar("T")

CertSource: TypeAlias = (
    "bytes | str | os.PathLike[str] | x509.Certificate | Iterable[x509.Certificate]"
)
Password: TypeAlias = "str | bytes | None"  # noqa: S105 - a type, not a secret
PrivateKey: TypeAlias = (
    "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey"
    " | ed448.Ed448PrivateKey | dsa.DSAPrivateKey"
)


def check_size(data: bytes | str, what: str = "input") -> None:
    """Refuse an input over :data:`MAX_INPUT_BYTES` before anything parses it; text
    by its UTF-8 size (a character is up to four bytes), counted without encoding it."""
    size = len(data)
    if isinstance(data, str) and size > MAX_INPUT_BYTES // 4 and not data.isascii():
        size = _utf8_size(data)
    if size > MAX_INPUT_BYTES:
        raise _too_large(what, size)


def _utf8_size(text: str) -> int:
    """The UTF-8 size of ``text`` (a lone surrogate counts as the three bytes it
    would take escaped); stops counting once over the limit."""
    size = 0
    for start in range(0, len(text), 65536):
        chunk = text[start : start + 65536]
        size += len(chunk.encode("utf-8", "surrogatepass"))
        if size > MAX_INPUT_BYTES:
            return size
    return size


def _too_large(what: str, size: int) -> InputTooLargeError:
    return InputTooLargeError(
        f"{what} is {size:,} bytes, over the {MAX_INPUT_BYTES:,}-byte limit; "
        "certificate files are a few KB: check that this is the right file"
    )


def read_path(path: os.PathLike[str]) -> bytes:
    """Read a file, refusing one over the size limit without reading it whole."""
    refuse_nul_path(path)
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
    r"""A password as bytes, the one place where text passwords are encoded.

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
    return _utf8(text, "surrogateescape")


def _utf8(text: str, errors: str = "strict") -> bytes | None:
    """``text`` in UTF-8; ``None`` when it holds what UTF-8 cannot (the encoder's error
    would hold the text: it is not raised)."""
    try:
        return text.encode("utf-8", errors)
    except UnicodeEncodeError:
        return None


# --- the other arguments ---------------------------------------------------------------


def checked_certificates(value: object, name: str) -> list[x509.Certificate]:
    """The certificates of an iterable of them; ``TypeError`` naming the parameter for
    anything else (text and bytes are no certificates: they are iterables of those)."""
    if isinstance(value, str | bytes | bytearray | memoryview) or not isinstance(value, Iterable):
        raise TypeError(f"{name}: expected certificates, not {type(value).__name__}")
    certs = list(value)
    for cert in certs:
        if not isinstance(cert, x509.Certificate):
            raise TypeError(f"{name}: expected certificates, not {type(cert).__name__}")
    return certs


def checked_text(value: object, name: str) -> str:
    """``value`` when it is text that UTF-8 can hold (no lone surrogate)."""
    text = checked_instance(value, str, name)
    if not text.isascii() and _utf8(text) is None:
        raise InvalidArgumentError(f"{name}: a lone surrogate is no character text can hold")
    return text


def checked_indent(value: object) -> int | None:
    """A JSON indent: ``None`` or 0 to 64 spaces."""
    if value is None:
        return None
    return checked_number(value, "indent", 0, 64)


def refuse_nul_path(source: object) -> None:
    """:class:`CertificateFormatError` when ``source`` is a path holding a NUL
    character (no file has such a name; ``open`` would raise ``ValueError``)."""
    if isinstance(source, os.PathLike):
        name = os.fspath(source)
        if "\0" in name if isinstance(name, str) else b"\0" in name:
            raise CertificateFormatError(
                f"the path {name!r} holds a NUL character: no file has such a name"
            )


def checked_instance(value: object, expected: type[T], name: str) -> T:
    """``value`` when it is an ``expected``; ``TypeError`` naming the parameter otherwise."""
    if isinstance(value, expected):
        return value
    raise TypeError(f"{name}: expected {expected.__name__}, not {type(value).__name__}")


def checked_optional(value: object, expected: type[T], name: str) -> T | None:
    """``value`` when it is ``None`` or an ``expected``; ``TypeError`` naming the parameter."""
    if value is None or isinstance(value, expected):
        return value
    raise TypeError(f"{name}: expected {expected.__name__} or None, not {type(value).__name__}")


def checked_mapping(value: object, name: str) -> Mapping[object, object] | None:
    """``value`` when it is ``None`` or a mapping; ``TypeError`` naming the parameter."""
    if value is None or isinstance(value, Mapping):
        return value
    raise TypeError(f"{name}: expected a mapping or None, not {type(value).__name__}")


def checked_choice(value: object, allowed: Collection[str], name: str) -> str:
    """``value`` when it is one of ``allowed``; ``TypeError`` when it is no string."""
    text = checked_instance(value, str, name)
    if text not in allowed:
        raise InvalidArgumentError(
            f"{name} is " + " or ".join(f'"{a}"' for a in allowed) + f", not {text[:40]!r}"
        )
    return text


def checked_number(value: object, name: str, low: int, high: int) -> int:
    """``value`` when it is a whole number in ``low..high`` (a bool is not one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}: expected int, not {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidArgumentError(f"{name} must be between {low:,} and {high:,}, not {value:,}")
    return value


#: The moments a check can judge: a day's margin inside what ``datetime`` holds,
#: so that the check's own arithmetic (expiry warnings, offsets) stays inside it.
_EARLIEST_MOMENT = datetime(1, 1, 3, tzinfo=UTC)
_LATEST_MOMENT = datetime(9999, 1, 1, tzinfo=UTC)


def checked_moment(value: object, name: str = "now") -> datetime | None:
    """``value`` when it is ``None`` or a timezone-aware ``datetime`` from year 1 to
    9998; ``TypeError`` for anything but a ``datetime``."""
    moment = checked_optional(value, datetime, name)
    if moment is None:
        return None
    if moment.utcoffset() is None:
        raise InvalidArgumentError(f"{name} must be timezone-aware, e.g. datetime.now(UTC)")
    if not _EARLIEST_MOMENT <= moment <= _LATEST_MOMENT:
        raise InvalidArgumentError(f"{name} must lie between the years 1 and 9998, not {moment}")
    return moment
