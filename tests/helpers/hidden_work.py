"""Files that ask for more key-derivation work than they show: a PFX whose certificate
safe (encrypted, cheap) holds a shrouded key bag asking for billions of iterations,
and PKCS#8 keys with costly scrypt or PBKDF2 parameters.

The PFX is written here, DER by hand, encrypted as RFC 7292 says (the PKCS#12 KDF
is the library's, which tests/formats/test_pbe.py checks against openssl). The
same file with a cheap hidden count loads with cryptography (OpenSSL), which
shows that the shape is real: the hostile count is what OpenSSL would derive.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography import x509
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5208, rfc7914, rfc8018

from appgw_certs._formats.inputs import PrivateKey
from appgw_certs._formats.pbe import pkcs12_kdf, pkcs12_password

#: What a hostile file asks for (a 7-minute stall before the limits).
HOSTILE_ITERATIONS = 2_000_000_000
CHEAP_ITERATIONS = 2048

_PBE_3DES = "1.2.840.113549.1.12.1.3"
_DATA = "1.2.840.113549.1.7.1"
_ENCRYPTED_DATA = "1.2.840.113549.1.7.6"
_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2"
_CERT_BAG = "1.2.840.113549.1.12.10.1.3"
_SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6"
_X509_CERTIFICATE = "1.2.840.113549.1.9.22.1"
_SHA1 = "1.3.14.3.2.26"
_PBKDF2 = "1.2.840.113549.1.5.12"
_PBMAC1 = "1.2.840.113549.1.5.14"
_HMAC_WITH_SHA256 = "1.2.840.113549.2.9"
_NULL = b"\x05\x00"


# --- DER, by hand -------------------------------------------------------------------


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    digits = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(digits))) + digits + content


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def oid(dotted: str) -> bytes:
    return bytes(encoder.encode(univ.ObjectIdentifier(dotted)))


def integer(value: int) -> bytes:
    return bytes(encoder.encode(univ.Integer(value)))


def octets(content: bytes) -> bytes:
    return tlv(0x04, content)


def explicit0(content: bytes) -> bytes:
    return tlv(0xA0, content)


# --- PKCS#12 -------------------------------------------------------------------------


def _pbe_3des(password: bytes | None, plaintext: bytes, iterations: int) -> tuple[bytes, bytes]:
    """pbeWithSHA1And3-KeyTripleDES-CBC: the AlgorithmIdentifier naming ``iterations``,
    and the ciphertext, encrypted with CHEAP_ITERATIONS whatever is named (a hostile
    count is never derived: the file is refused before)."""
    salt = os.urandom(8)
    secret = pkcs12_password(password)
    key = pkcs12_kdf(secret, salt, 1, CHEAP_ITERATIONS, 24)
    iv = pkcs12_kdf(secret, salt, 2, CHEAP_ITERATIONS, 8)
    padder = padding.PKCS7(64).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(TripleDES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return seq(oid(_PBE_3DES), seq(octets(salt), integer(iterations))), ciphertext


def shrouded_key_bag(key: PrivateKey, password: bytes | None, iterations: int) -> bytes:
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    algorithm, ciphertext = _pbe_3des(password, pkcs8, iterations)
    return seq(oid(_SHROUDED_KEY_BAG), explicit0(seq(algorithm, octets(ciphertext))))


def cert_bag(cert: x509.Certificate) -> bytes:
    der = cert.public_bytes(serialization.Encoding.DER)
    return seq(oid(_CERT_BAG), explicit0(seq(oid(_X509_CERTIFICATE), explicit0(octets(der)))))


def safe_contents_bag(*bags: bytes) -> bytes:
    return seq(oid(_SAFE_CONTENTS_BAG), explicit0(seq(*bags)))


def pfx_with_encrypted_safe(
    bags: list[bytes], password: bytes | None, *, mac: bool, pbmac1_iterations: int | None = None
) -> bytes:
    """A PFX whose one content is a 3DES-encrypted safe holding ``bags``.

    ``password=None``: encrypted (and MAC'd) with no password, as OpenSSL opens a
    file when none is given. With ``pbmac1_iterations``, the MAC is RFC 9579's
    PBMAC1 naming that PBKDF2 count (computed with CHEAP_ITERATIONS)."""
    algorithm, ciphertext = _pbe_3des(password, seq(*bags), CHEAP_ITERATIONS)
    encrypted_content_info = seq(oid(_DATA), algorithm, tlv(0x80, ciphertext))
    encrypted_data = seq(integer(0), encrypted_content_info)
    auth_safe = seq(seq(oid(_ENCRYPTED_DATA), explicit0(encrypted_data)))
    parts = [integer(3), seq(oid(_DATA), explicit0(octets(auth_safe)))]
    if pbmac1_iterations is not None:
        parts.append(_pbmac1(auth_safe, password or b"", pbmac1_iterations))
    elif mac:
        salt = os.urandom(8)
        key = pkcs12_kdf(pkcs12_password(password), salt, 3, CHEAP_ITERATIONS, 20)
        digest = hmac.new(key, auth_safe, hashlib.sha1).digest()
        digest_info = seq(seq(oid(_SHA1), _NULL), octets(digest))
        parts.append(seq(digest_info, octets(salt), integer(CHEAP_ITERATIONS)))
    return seq(*parts)


def _pbmac1(auth_safe: bytes, password: bytes, iterations: int) -> bytes:
    """MacData with PBMAC1: PBKDF2-HMAC-SHA256 (a 32-byte key), then HMAC-SHA256."""
    salt = os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha256", password, salt, CHEAP_ITERATIONS, 32)
    digest = hmac.new(key, auth_safe, hashlib.sha256).digest()
    hmac_sha256 = seq(oid(_HMAC_WITH_SHA256), _NULL)
    pbkdf2 = seq(oid(_PBKDF2), seq(octets(salt), integer(iterations), integer(32), hmac_sha256))
    pbmac1 = seq(oid(_PBMAC1), seq(pbkdf2, hmac_sha256))
    # RFC 9579: the MacData's own salt is not used, its iteration count is left out
    return seq(seq(pbmac1, octets(digest)), octets(b"NOT USED"))


def hidden_key_bag_pfx(
    key: PrivateKey,
    cert: x509.Certificate,
    password: bytes | None = None,
    *,
    iterations: int = HOSTILE_ITERATIONS,
    mac: bool = True,
    nested: bool = False,
    pbmac1_iterations: int | None = None,
) -> bytes:
    """The certificate and its key in one encrypted safe (2,048 iterations); the key bag
    asks for ``iterations``, inside a safeContentsBag when ``nested``."""
    key_bag = shrouded_key_bag(key, password, iterations)
    inner = safe_contents_bag(key_bag) if nested else key_bag
    return pfx_with_encrypted_safe(
        [cert_bag(cert), inner], password, mac=mac, pbmac1_iterations=pbmac1_iterations
    )


def pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der)
    return f"-----BEGIN {label}-----\n".encode() + body + f"-----END {label}-----\n".encode()


# --- PKCS#8 ---------------------------------------------------------------------------


def with_scrypt_cost(encrypted_pkcs8_der: bytes, *, n: int, r: int, p: int) -> bytes:
    """A scrypt-encrypted PKCS#8 key whose parameters are rewritten (not re-encrypted)."""
    info, _ = decoder.decode(encrypted_pkcs8_der, asn1Spec=rfc5208.EncryptedPrivateKeyInfo())
    algorithm = info["encryptionAlgorithm"]
    params, _ = decoder.decode(bytes(algorithm["parameters"]), asn1Spec=rfc8018.PBES2_params())
    kdf = params["keyDerivationFunc"]
    scrypt, _ = decoder.decode(bytes(kdf["parameters"]), asn1Spec=rfc7914.Scrypt_params())
    scrypt["costParameter"], scrypt["blockSize"], scrypt["parallelizationParameter"] = n, r, p
    kdf["parameters"] = univ.Any(encoder.encode(scrypt))
    algorithm["parameters"] = univ.Any(encoder.encode(params))
    return bytes(encoder.encode(info))
