"""The PKCS#12 key derivation function of RFC 7292 appendix B.2, with SHA-1, and the
password it takes.

A PFX's certificate safes are opened before cryptography loads the file (``pbe``,
``pfx_layout``), so each load derives their keys twice; the derivation here is handed
to OpenSSL when it can be reached: ``PKCS12_key_gen_uni``, of which
https://docs.openssl.org/3.0/man3/PKCS12_key_gen_utf8_ex/ says "These methods perform
a key derivation according to PKCS#12 (RFC7292)"; the ``_uni`` one takes the password
already as a BMPString, and returns 1 on success, 0 on error. Nothing here decides
whether a derivation may run: the budget is counted and checked before any call
reaches this module.

OpenSSL is reached in the library that Python's own ``_hashlib`` is linked to,
looked up through that module, never by name: a library found by name could be
another OpenSSL than the one this process runs. When that library or its
symbols cannot be had (OpenSSL linked statically, Windows), or a derivation fails
(a provider without the PKCS12KDF), the derivation in Python below gives the same
bytes, and the failure is remembered.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["pkcs12_kdf", "pkcs12_kdf_in_python", "pkcs12_password"]

#: (password, salt, purpose, iterations, size) -> the derived bytes, or ``None``
#: when OpenSSL failed to derive them.
_Derivation = Callable[[bytes, bytes, int, int, int], bytes | None]

_INT_MAX = 2**31 - 1  # OpenSSL takes each length and count as a C int


def pkcs12_kdf(password: bytes, salt: bytes, purpose: int, iterations: int, size: int) -> bytes:
    """RFC 7292 appendix B.2 with SHA-1: ``size`` bytes for ``purpose`` (1 key, 2 IV,
    3 MAC key). ``password`` is already the BMPString with its two NUL bytes
    (:func:`pkcs12_password`). By OpenSSL when it can be reached, else in Python."""
    derive = _OPENSSL.derivation() if _within_c_ints(password, salt, iterations, size) else None
    if derive is not None:
        derived = derive(password, salt, purpose, iterations, size)
        if derived is not None:
            return derived
        _OPENSSL.derive = None
    return pkcs12_kdf_in_python(password, salt, purpose, iterations, size)


def pkcs12_kdf_in_python(
    password: bytes, salt: bytes, purpose: int, iterations: int, size: int
) -> bytes:
    """:func:`pkcs12_kdf` without OpenSSL: the same bytes, for any arguments."""
    sha1 = hashlib.sha1
    u, v = 20, 64
    diversifier = bytes((purpose,)) * v
    state = bytearray(_repeated(salt, v) + _repeated(password, v))
    out = b""
    while True:
        block = sha1(diversifier + state).digest()
        for _ in range(iterations - 1):
            block = sha1(block).digest()
        out += block
        if len(out) >= size:
            return out[:size]
        addend = int.from_bytes((block * (v // u + 1))[:v], "big") + 1
        for start in range(0, len(state), v):
            value = (int.from_bytes(state[start : start + v], "big") + addend) % (1 << 8 * v)
            state[start : start + v] = value.to_bytes(v, "big")


def _repeated(data: bytes, v: int) -> bytes:
    """Copies of ``data`` to the next multiple of ``v`` bytes (B.2 steps 2 and 3)."""
    if not data:
        return b""
    length = v * -(-len(data) // v)
    return (data * (length // len(data) + 1))[:length]


def pkcs12_password(password: bytes | None) -> bytes:
    """The PKCS#12 KDF's password: UTF-16 (big-endian) with two NUL bytes, as OpenSSL
    makes it from UTF-8; none at all for ``None`` (OpenSSL's NULL)."""
    if password is None:
        return b""
    return password.decode("utf-8").encode("utf-16-be") + b"\0\0"


# --- OpenSSL ---------------------------------------------------------------------------


@dataclass
class _OpenSSLDerivation:
    """OpenSSL's derivation, looked for on first use; ``derive`` is ``None`` when it
    could not be had, or once a derivation by it failed: every later one is done in
    Python."""

    derive: _Derivation | None = None
    looked: bool = False

    def derivation(self) -> _Derivation | None:
        if not self.looked:
            self.derive = _load_openssl_derivation()
            self.looked = True
        return self.derive


_OPENSSL = _OpenSSLDerivation()


def _within_c_ints(password: bytes, salt: bytes, iterations: int, size: int) -> bool:
    """Whether OpenSSL takes these arguments as they are (it reads a count below 1 as
    an error, where RFC 7292 and the Python derivation read it as 1)."""
    return (
        0 < iterations <= _INT_MAX
        and 0 < size <= _INT_MAX
        and len(password) <= _INT_MAX
        and len(salt) <= _INT_MAX
    )


def _load_openssl_derivation() -> _Derivation | None:
    """``PKCS12_key_gen_uni`` with SHA-1 from ``_hashlib``'s OpenSSL; ``None`` when it
    cannot be had."""
    spec = importlib.util.find_spec("_hashlib")
    if spec is None or spec.origin is None or spec.origin in {"built-in", "frozen"}:
        return None
    import ctypes  # deferred: only a PFX with a PKCS#12-encrypted safe needs it

    try:
        # dlopen of a loaded module is that module; its symbols are looked up in
        # the libraries it depends on too, so this is the OpenSSL it runs with.
        library = ctypes.CDLL(spec.origin)
        key_gen = library["PKCS12_key_gen_uni"]
        evp_sha1 = library["EVP_sha1"]
    except (OSError, AttributeError):
        return None
    # int PKCS12_key_gen_uni(unsigned char *pass, int passlen, unsigned char *salt,
    #     int saltlen, int id, int iter, int n, unsigned char *out, const EVP_MD *md)
    key_gen.argtypes = [
        ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
        ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p,
    ]  # fmt: skip
    key_gen.restype = ctypes.c_int
    evp_sha1.argtypes = []
    evp_sha1.restype = ctypes.c_void_p  # const EVP_MD *
    sha1 = evp_sha1()
    if not sha1:
        return None

    def derive(
        password: bytes, salt: bytes, purpose: int, iterations: int, size: int
    ) -> bytes | None:
        out = ctypes.create_string_buffer(size)
        done = key_gen(
            password, len(password), salt, len(salt), purpose, iterations, size, out, sha1
        )
        return out.raw if done == 1 else None

    return derive
