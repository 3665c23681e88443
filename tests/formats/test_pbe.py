"""Password-based decryption (``pbe``, ``rc2``) against the openssl CLI: the certificate
safe of every kind of PFX openssl writes, decrypted here, holds the certificates openssl
put in it; RC2 deciphers RFC 2268's test vectors. The PKCS#12 KDF itself is checked
against ``openssl kdf PKCS12KDF`` in test_pkcs12_kdf.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

from appgw_certs._formats.pbe import Scheme, read_scheme
from appgw_certs._formats.pfx_ber import BER_DECODER
from appgw_certs._formats.rc2 import rc2_cbc_decrypt
from helpers.read import Chain, make_chain, run, write

PASSWORD = "Pbe-pässwort-7"  # non-ASCII: the PKCS#12 KDF takes it as UTF-16
CERT_PBES = {
    "PBE-SHA1-3DES": "pbeWithSHA1And3-KeyTripleDES-CBC",
    "PBE-SHA1-2DES": "pbeWithSHA1And2-KeyTripleDES-CBC",
    "PBE-SHA1-RC2-40": "pbeWithSHA1And40BitRC2-CBC",
    "PBE-SHA1-RC2-128": "pbeWithSHA1And128BitRC2-CBC",
    "PBE-SHA1-RC4-40": "pbeWithSHA1And40BitRC4",
    "PBE-SHA1-RC4-128": "pbeWithSHA1And128BitRC4",
    "PBE-MD5-DES": "pbeWithMD5AndDES-CBC",
    "PBE-SHA1-DES": "pbeWithSHA1AndDES-CBC",
    "PBE-MD5-RC2-64": "pbeWithMD5AndRC2-CBC",
    "PBE-SHA1-RC2-64": "pbeWithSHA1AndRC2-CBC",
    "AES-128-CBC": "PBES2/AES-128-CBC",
    "AES-192-CBC": "PBES2/AES-192-CBC",
    "AES-256-CBC": "PBES2/AES-256-CBC",
    "DES-EDE3-CBC": "PBES2/DES-EDE3-CBC",
    "DES-CBC": "PBES2/DES-CBC",
    "CAMELLIA-128-CBC": "PBES2/CAMELLIA-128-CBC",
    "CAMELLIA-256-CBC": "PBES2/CAMELLIA-256-CBC",
}


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain("pbe")


@pytest.fixture(scope="module")
def pem_files(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pbe")
    return {
        "leaf": write(folder / "leaf.pem", chain.leaf.cert_pem()),
        "key": write(folder / "leaf.key", chain.leaf.key_pem()),
    }


def _export(openssl: str, pem_files: dict[str, Path], password: str, *options: str) -> bytes:
    return run(
        openssl, "pkcs12", "-export", "-legacy", "-in", pem_files["leaf"], "-inkey",
        pem_files["key"], "-passout", f"pass:{password}", *options,
    )  # fmt: skip


def _certificate_safes(pfx: bytes) -> list[tuple[Scheme, bytes]]:
    """(scheme, ciphertext) of each encrypted content of a PFX."""
    auth_safe, _ = BER_DECODER.pfx(pfx)
    safes = []
    for info in BER_DECODER.authenticated_safe(BER_DECODER.octets(auth_safe.content)):
        if info.content_type == "1.2.840.113549.1.7.6":
            algorithm, ciphertext = BER_DECODER.encrypted_data(info.content)
            assert ciphertext is not None
            safes.append((read_scheme(BER_DECODER, algorithm), ciphertext))
    return safes


@pytest.mark.parametrize("pbe", sorted(CERT_PBES))
@pytest.mark.parametrize("password", [PASSWORD, ""], ids=["password", "empty"])
def test_certificate_safes_openssl_writes_are_decrypted(
    pbe: str, password: str, openssl: str, pem_files: dict[str, Path], chain: Chain
) -> None:
    data = _export(openssl, pem_files, password, "-certpbe", pbe, "-keypbe", "PBE-SHA1-3DES")
    [(scheme, ciphertext)] = _certificate_safes(data)
    assert scheme.name == CERT_PBES[pbe]
    # openssl writes the empty password as the empty string (no password is None)
    plaintext = scheme.decrypt(password.encode(), ciphertext)
    assert plaintext is not None
    assert chain.leaf.cert_der() in plaintext
    assert plaintext[:1] == b"\x30"  # the SafeContents, its padding removed
    wrong = scheme.decrypt(b"not-" + password.encode(), ciphertext)
    assert wrong is None or chain.leaf.cert_der() not in wrong


@pytest.mark.parametrize("prf", ["sha1", "sha256", "sha512"])
def test_pbkdf2_prfs_openssl_names(
    prf: str, openssl: str, pem_files: dict[str, Path], chain: Chain
) -> None:
    data = run(
        openssl, "pkcs12", "-export", "-in", pem_files["leaf"], "-inkey", pem_files["key"],
        "-passout", f"pass:{PASSWORD}", "-certpbe", "AES-256-CBC", "-keypbe", "AES-256-CBC",
        "-macalg", prf, "-iter", "1000",
    )  # fmt: skip
    [(scheme, ciphertext)] = _certificate_safes(data)
    plaintext = scheme.decrypt(PASSWORD.encode(), ciphertext)
    assert plaintext is not None
    assert chain.leaf.cert_der() in plaintext


def test_cryptography_s_own_files_are_decrypted(chain: Chain) -> None:
    """cryptography writes PBES2 with HMAC-SHA256 and AES-256 (and 3DES on request)."""
    for algorithm in (
        pkcs12.PBES.PBESv2SHA256AndAES256CBC,
        pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC,
    ):
        builder = PrivateFormat.PKCS12.encryption_builder().key_cert_algorithm(algorithm)
        encryption = builder.build(PASSWORD.encode())
        data = pkcs12.serialize_key_and_certificates(
            b"name", chain.leaf.key, chain.leaf.cert, [chain.root.cert], encryption
        )
        [(scheme, ciphertext)] = _certificate_safes(data)
        plaintext = scheme.decrypt(PASSWORD.encode(), ciphertext)
        assert plaintext is not None
        assert chain.root.cert_der() in plaintext


@pytest.mark.parametrize(
    ("key", "bits", "plaintext", "ciphertext"),
    [  # RFC 2268 section 5
        ("0000000000000000", 63, "0000000000000000", "ebb773f993278eff"),
        ("ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"),
        ("3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"),
        ("88", 64, "0000000000000000", "61a8a244adacccf0"),
        ("88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"),
        ("88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"),
        ("88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"),
    ],
)
def test_rc2_deciphers_rfc_2268_vectors(
    key: str, bits: int, plaintext: str, ciphertext: str
) -> None:
    # one block, CBC with a zero IV: the block cipher itself
    assert (
        rc2_cbc_decrypt(bytes.fromhex(key), bits, bytes(8), bytes.fromhex(ciphertext)).hex()
        == plaintext
    )


def test_rc2_cbc_of_many_blocks_is_openssl_s(openssl: str) -> None:
    """Blocks are deciphered together: each depends only on itself and the one before."""
    key, iv, data = os.urandom(5), os.urandom(8), os.urandom(8 * 1000)
    encrypted = run(
        openssl, "enc", "-rc2-40-cbc", "-K", key.hex(), "-iv", iv.hex(), "-nopad",
        "-provider", "legacy", "-provider", "default", stdin=data,
    )  # fmt: skip
    assert rc2_cbc_decrypt(key, 40, iv, encrypted) == data
