"""Password-based encryption, as PKCS#12 files and PKCS#8 keys use it: what an
algorithm is called, what deriving its key costs, and decrypting with it.

A hostile file names the cost of its own key derivations, and a derivation,
once started, cannot be interrupted (not even by Ctrl-C). So the cost is read
and bounded before anything derives: PBKDF2, PBKDF1 and the PKCS#12 KDF by
their iteration counts, scrypt by its work N*r*p and its memory 128*N*r.

Decryption is here to open the certificate safes of a PFX, whose contents say
what else loading the file will derive (``pfx_layout``): the PKCS#12 KDF of
RFC 7292 appendix B (``pkcs12_kdf``), PBKDF1 and PBES2 of RFC 8018, scrypt
(RFC 7914), with cryptography's ciphers and ``rc2`` for RC2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4, Camellia, TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, CipherAlgorithm, algorithms, modes

from .._errors import CertificateFormatError
from .pfx_decoder import Algorithm, PfxDecoder
from .pkcs12_kdf import pkcs12_kdf, pkcs12_password
from .rc2 import rc2_cbc_decrypt

__all__ = [
    "MAX_ITERATIONS",
    "MAX_OPENING_WORK",
    "MAX_SCRYPT_MEMORY",
    "MAX_SCRYPT_WORK",
    "MAX_TOTAL_ITERATIONS",
    "Scheme",
    "check_iterations",
    "check_scrypt",
    "kdf_scheme",
    "pkcs12_kdf",
    "pkcs12_password",
    "read_scheme",
]

E = TypeVar("E")

#: KDF or MAC iteration counts above this are refused before any derivation,
#: and so are files whose derivations add up to more than MAX_TOTAL_ITERATIONS
#: (the defaults of .NET's Pkcs12LoaderLimits). Real files use 1 to 50,000
#: (Windows 2,000, OpenSSL 2,048, cryptography 20,000).
MAX_ITERATIONS = 300_000
MAX_TOTAL_ITERATIONS = 1_000_000
#: scrypt, per derivation: work N*r*p and memory 128*N*r. ``openssl pkcs8
#: -scrypt`` writes N=16384, r=8, p=1: 2**17 and 16 MiB. Eight times that work is
#: accepted, and OpenSSL's own memory ceiling (EVP_PBE_scrypt's default maxmem,
#: https://docs.openssl.org/3.0/man3/EVP_PBE_scrypt/ : "the default value of
#: 32 MB"). A file's scrypt derivations add up to at most twice MAX_SCRYPT_WORK
#: (a certificate safe and a key at the limit).
MAX_SCRYPT_WORK = 2**20
MAX_SCRYPT_MEMORY = 32 * 1024 * 1024
#: Opening a PFX's certificate safes to see what they hold is derivations of our
#: own: their iterations times the hash blocks each needs add up to at most this.
MAX_OPENING_WORK = 1_000_000

_SHA1 = "sha1"
# RFC 7292 appendix C: name, cipher, key size; the KDF is SHA-1's.
_PKCS12_PBE = {
    "1.2.840.113549.1.12.1.1": ("pbeWithSHA1And128BitRC4", "rc4", 16),
    "1.2.840.113549.1.12.1.2": ("pbeWithSHA1And40BitRC4", "rc4", 5),
    "1.2.840.113549.1.12.1.3": ("pbeWithSHA1And3-KeyTripleDES-CBC", "3des", 24),
    "1.2.840.113549.1.12.1.4": ("pbeWithSHA1And2-KeyTripleDES-CBC", "3des", 16),
    "1.2.840.113549.1.12.1.5": ("pbeWithSHA1And128BitRC2-CBC", "rc2", 16),
    "1.2.840.113549.1.12.1.6": ("pbeWithSHA1And40BitRC2-CBC", "rc2", 5),
}
# RFC 8018 section 6.1 (PBES1, PBKDF1): name, digest, cipher. MD2 is in no OpenSSL 3.
_PBES1 = {
    "1.2.840.113549.1.5.1": ("pbeWithMD2AndDES-CBC", None, "des"),
    "1.2.840.113549.1.5.3": ("pbeWithMD5AndDES-CBC", "md5", "des"),
    "1.2.840.113549.1.5.4": ("pbeWithMD2AndRC2-CBC", None, "rc2"),
    "1.2.840.113549.1.5.6": ("pbeWithMD5AndRC2-CBC", "md5", "rc2"),
    "1.2.840.113549.1.5.10": ("pbeWithSHA1AndDES-CBC", _SHA1, "des"),
    "1.2.840.113549.1.5.11": ("pbeWithSHA1AndRC2-CBC", _SHA1, "rc2"),
}
_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
# PBES2 ciphers: name, cipher, key size. RC2-CBC's parameters are not read here.
_CIPHERS = {
    "2.16.840.1.101.3.4.1.2": ("AES-128-CBC", "aes", 16),
    "2.16.840.1.101.3.4.1.22": ("AES-192-CBC", "aes", 24),
    "2.16.840.1.101.3.4.1.42": ("AES-256-CBC", "aes", 32),
    "1.2.840.113549.3.7": ("DES-EDE3-CBC", "3des", 24),
    "1.3.14.3.2.7": ("DES-CBC", "des", 8),
    "1.2.840.113549.3.2": ("RC2-CBC", None, 0),
    "1.2.392.200011.61.1.1.1.2": ("CAMELLIA-128-CBC", "camellia", 16),
    "1.2.392.200011.61.1.1.1.3": ("CAMELLIA-192-CBC", "camellia", 24),
    "1.2.392.200011.61.1.1.1.4": ("CAMELLIA-256-CBC", "camellia", 32),
}
# RFC 8018 appendix B.1: PBKDF2's pseudorandom functions (HMAC with these digests).
_PRFS = {
    "1.2.840.113549.2.7": "sha1",
    "1.2.840.113549.2.8": "sha224",
    "1.2.840.113549.2.9": "sha256",
    "1.2.840.113549.2.10": "sha384",
    "1.2.840.113549.2.11": "sha512",
    "1.2.840.113549.2.12": "sha512_224",
    "1.2.840.113549.2.13": "sha512_256",
}
_BLOCK_SIZES = {"aes": 16, "camellia": 16, "3des": 8, "des": 8, "rc2": 8, "rc4": 0}
_KEY_ID, _IV_ID = 1, 2  # RFC 7292 B.3: what a PKCS#12 KDF output is for

#: Decrypts ``ciphertext`` with a password (``None``: none given, as OpenSSL's NULL).
Opener = Callable[[bytes | None, bytes], bytes]


@dataclass(frozen=True)
class Scheme:
    """A password-based encryption algorithm as a file names it, and its cost."""

    name: str
    iterations: int | None = None  # PBKDF2, PBKDF1, PKCS#12 KDF
    scrypt: tuple[int, int, int] | None = None  # N, r, p
    opening_work: int = 0  # our own derivation: iterations times hash blocks
    opener: Opener | None = field(default=None, repr=False, compare=False)

    def decrypt(self, password: bytes | None, ciphertext: bytes) -> bytes | None:
        """The plaintext; ``None`` when this password does not decrypt it (its
        padding is wrong, or the password is not one the algorithm takes)."""
        if self.opener is None:
            raise ValueError(f"{self.name} is not decrypted here")
        try:
            return self.opener(password, ciphertext)
        except Exception:  # a wrong key, or parameters no cipher takes
            return None


def read_scheme(decoder: PfxDecoder[E], algorithm: Algorithm[E]) -> Scheme:
    """The scheme of an AlgorithmIdentifier; raises what ``decoder`` raises on
    parameters it cannot read, and :class:`CertificateFormatError` for a scrypt
    cost over the limits (found while reading, before any derivation)."""
    if algorithm.oid in _PKCS12_PBE:
        name, cipher, key_size = _PKCS12_PBE[algorithm.oid]
        salt, iterations = decoder.pbe_params(algorithm.parameters)
        iv_size = _BLOCK_SIZES[cipher]
        blocks = -(-key_size // 20) + -(-iv_size // 20)  # SHA-1's 20-byte blocks
        pkcs12 = _pkcs12_opener(cipher, key_size, iv_size, salt, iterations)
        return Scheme(name, iterations, None, iterations * blocks, pkcs12)
    if algorithm.oid in _PBES1:
        name, digest, cipher = _PBES1[algorithm.oid]
        salt, iterations = decoder.pbe_params(algorithm.parameters)
        pbes1 = None if digest is None else _pbes1_opener(digest, cipher, salt, iterations)
        return Scheme(name, iterations, None, iterations, pbes1)
    if algorithm.oid == _PBES2:
        return _pbes2_scheme(decoder, algorithm)
    return Scheme(algorithm.oid)


def kdf_scheme(
    decoder: PfxDecoder[E], kdf: Algorithm[E], name: str, key_size: int = 0
) -> tuple[Scheme, Callable[[bytes], bytes] | None]:
    """The cost of PBES2's (or PBMAC1's) key derivation function, and the derivation
    of ``key_size`` bytes from a password (``None``: not one derived here)."""
    if kdf.oid == _SCRYPT:
        salt, n, r, p, _ = decoder.scrypt_params(kdf.parameters)
        check_scrypt(n, r, p)
        memory = 2 * MAX_SCRYPT_MEMORY  # V (128*N*r) and B (128*r*p, at most as much)

        def scrypt(secret: bytes) -> bytes:
            return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=key_size)

        return Scheme(name, scrypt=(n, r, p)), scrypt
    if kdf.oid != _PBKDF2:
        return Scheme(name), None
    salt, iterations, _, prf = decoder.pbkdf2_params(kdf.parameters)
    digest = _PRFS.get(prf)
    if digest is None:
        return Scheme(name, iterations), None
    blocks = max(1, -(-key_size // hashlib.new(digest).digest_size))

    def pbkdf2(secret: bytes) -> bytes:
        return hashlib.pbkdf2_hmac(digest, secret, salt, iterations, key_size)

    return Scheme(name, iterations, opening_work=iterations * blocks), pbkdf2


def _pbes2_scheme(decoder: PfxDecoder[E], algorithm: Algorithm[E]) -> Scheme:
    kdf, encryption = decoder.pbes2(algorithm.parameters)
    cipher_name, cipher, key_size = _CIPHERS.get(encryption.oid, (encryption.oid, None, 0))
    scheme, derive = kdf_scheme(decoder, kdf, f"PBES2/{cipher_name}", key_size)
    if cipher is None or derive is None:
        return scheme
    iv = decoder.octets(encryption.parameters) if encryption.parameters is not None else b""

    def open_with(password: bytes | None, ciphertext: bytes) -> bytes:
        return _decrypt(cipher, derive(password or b""), iv, ciphertext, effective_bits=0)

    return replace(scheme, opener=open_with)


def check_iterations(iterations: int | None, where: str) -> None:
    """Refuse an iteration count outside 1..MAX_ITERATIONS."""
    if iterations is not None and not 0 < iterations <= MAX_ITERATIONS:
        raise CertificateFormatError(
            f"{where} asks for {iterations:,} iterations (at most {MAX_ITERATIONS:,} are "
            "accepted): the file is corrupt or hostile; not decrypting it"
        )


def check_scrypt(n: int, r: int, p: int) -> None:
    """Refuse scrypt parameters over the work or memory limit."""
    if n * r * p > MAX_SCRYPT_WORK or 128 * n * r > MAX_SCRYPT_MEMORY:
        raise CertificateFormatError(
            f"the key's scrypt parameters (N={n:,}, r={r:,}, p={p:,}) ask for more than "
            f"{MAX_SCRYPT_WORK:,} of work (N*r*p) or {MAX_SCRYPT_MEMORY // 2**20} MiB of "
            "memory (128*N*r): the file is corrupt or hostile; not decrypting it"
        )


# --- key derivation --------------------------------------------------------------


def _pkcs12_opener(
    cipher: str, key_size: int, iv_size: int, salt: bytes, iterations: int
) -> Opener:
    def open_with(password: bytes | None, ciphertext: bytes) -> bytes:
        secret = pkcs12_password(password)
        key = pkcs12_kdf(secret, salt, _KEY_ID, iterations, key_size)
        iv = pkcs12_kdf(secret, salt, _IV_ID, iterations, iv_size) if iv_size else b""
        return _decrypt(cipher, key, iv, ciphertext, effective_bits=8 * key_size)

    return open_with


def _pbes1_opener(digest: str, cipher: str, salt: bytes, iterations: int) -> Opener:
    def open_with(password: bytes | None, ciphertext: bytes) -> bytes:
        derived = hashlib.new(digest, (password or b"") + salt).digest()
        for _ in range(iterations - 1):
            derived = hashlib.new(digest, derived).digest()
        return _decrypt(cipher, derived[:8], derived[8:16], ciphertext, effective_bits=64)

    return open_with


# --- ciphers -----------------------------------------------------------------------


def _decrypt(cipher: str, key: bytes, iv: bytes, data: bytes, *, effective_bits: int) -> bytes:
    """Decrypt and remove PKCS#7 padding; ValueError when the padding is wrong."""
    if cipher == "rc4":
        decryptor = Cipher(ARC4(key), mode=None).decryptor()
        return decryptor.update(data) + decryptor.finalize()
    if cipher == "rc2":
        return _unpadded(rc2_cbc_decrypt(key, effective_bits, iv, data), 8)
    algorithm: CipherAlgorithm
    if cipher == "aes":
        algorithm = algorithms.AES(key)
    elif cipher == "camellia":
        algorithm = Camellia(key)
    elif cipher == "3des":
        algorithm = TripleDES(key if len(key) == 24 else key + key[:8])  # 2-key: K3 = K1
    else:  # "des": single DES is 3DES with one key thrice
        algorithm = TripleDES(key * 3)
    decryptor = Cipher(algorithm, modes.CBC(iv)).decryptor()
    return _unpadded(decryptor.update(data) + decryptor.finalize(), _BLOCK_SIZES[cipher])


def _unpadded(data: bytes, block_size: int) -> bytes:
    count = data[-1] if data else 0
    if not 0 < count <= block_size or data[-count:] != bytes((count,)) * count:
        raise ValueError("bad padding")
    return data[:-count]
