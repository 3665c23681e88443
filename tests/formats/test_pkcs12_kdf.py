"""The PKCS#12 KDF (``pkcs12_kdf``) against ``openssl kdf PKCS12KDF``: by OpenSSL through
``_hashlib``'s library and in Python alike, for every purpose, sizes across SHA-1's block,
empty, absent and non-ASCII passwords; and every PFX the tests hold loads the same when
the derivation falls back to Python."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from appgw_certs import AppGwCertError, Pfx, load_pfx
from appgw_certs._formats import pkcs12_kdf as kdf
from helpers.read import make_chain, run

PASSWORD = "Kdf-pässwort-😀"  # non-ASCII, and outside UTF-16's BMP: a surrogate pair
VECTORS = Path(cryptography_vectors.__file__).parent / "pkcs12"
KEYTOOL = Path(__file__).parents[1] / "data" / "read"
REAL_PASSWORDS = (b"cryptography", b"password", None, b"Passw0rd1")  # vectors; keytool
# openssl pkcs12 -certpbe: the safes whose key the PKCS#12 KDF derives (RFC 7292 appendix C)
PKCS12_PBES = (
    "PBE-SHA1-3DES", "PBE-SHA1-2DES", "PBE-SHA1-RC2-40", "PBE-SHA1-RC2-128",
    "PBE-SHA1-RC4-40", "PBE-SHA1-RC4-128",
)  # fmt: skip


@contextmanager
def derived_in_python() -> Iterator[None]:
    """Derivations fall back to Python, as when OpenSSL cannot be reached or has failed."""
    saved = (kdf._OPENSSL.derive, kdf._OPENSSL.looked)
    kdf._OPENSSL.derive, kdf._OPENSSL.looked = None, True
    try:
        yield
    finally:
        kdf._OPENSSL.derive, kdf._OPENSSL.looked = saved


def _openssl_kdf(
    openssl: str, secret: bytes, salt: bytes, *, purpose: int, iterations: int, size: int
) -> bytes:
    password = ["-kdfopt", f"hexpass:{secret.hex()}"] if secret else ["-kdfopt", "pass:"]
    out = run(
        openssl, "kdf", "-keylen", str(size), "-kdfopt", "digest:SHA1", *password,
        "-kdfopt", f"hexsalt:{salt.hex()}", "-kdfopt", f"iter:{iterations}",
        "-kdfopt", f"id:{purpose}", "PKCS12KDF",
    )  # fmt: skip
    return bytes.fromhex(out.decode().strip().replace(":", ""))


def _both(secret: bytes, salt: bytes, purpose: int, iterations: int, size: int) -> list[bytes]:
    """What OpenSSL through ``_hashlib`` and the Python derivation give."""
    derive = kdf._OPENSSL.derivation()
    if derive is None:
        pytest.skip("no OpenSSL reachable through _hashlib here: only Python derives")
    return [
        derive(secret, salt, purpose, iterations, size) or b"<failed>",
        kdf.pkcs12_kdf_in_python(secret, salt, purpose, iterations, size),
    ]


@pytest.mark.parametrize("size", [1, 5, 8, 20, 24, 40, 64, 100])
@pytest.mark.parametrize("purpose", [1, 2, 3])
@pytest.mark.parametrize(
    "password", [PASSWORD.encode(), b"", None], ids=["non-ascii", "empty", "none"]
)
def test_pkcs12_kdf_is_openssl_s(
    size: int, purpose: int, password: bytes | None, openssl: str
) -> None:
    salt = os.urandom(8 + size % 7)  # a salt of any length
    secret = kdf.pkcs12_password(password)
    expected = _openssl_kdf(openssl, secret, salt, purpose=purpose, iterations=1000, size=size)
    assert kdf.pkcs12_kdf(secret, salt, purpose, 1000, size) == expected
    assert _both(secret, salt, purpose, 1000, size) == [expected, expected]


@pytest.mark.parametrize("iterations", [1, 2, 2048, 20_000])
def test_iteration_counts_are_openssl_s(iterations: int, openssl: str) -> None:
    secret, salt = kdf.pkcs12_password(b"p"), os.urandom(20)  # a salt of SHA-1's size
    expected = _openssl_kdf(openssl, secret, salt, purpose=1, iterations=iterations, size=24)
    assert _both(secret, salt, 1, iterations, 24) == [expected, expected]


def test_counts_openssl_does_not_take_are_derived_in_python() -> None:
    """RFC 7292 hashes at least once: a count below 1 is read as 1 (OpenSSL refuses it;
    the budget refuses such files before anything derives)."""
    secret, salt = kdf.pkcs12_password(b"p"), b"salt"
    once = kdf.pkcs12_kdf_in_python(secret, salt, 1, 1, 24)
    assert kdf.pkcs12_kdf(secret, salt, 1, 0, 24) == once
    assert kdf.pkcs12_kdf(secret, salt, 1, -5, 24) == once
    assert kdf.pkcs12_kdf(secret, salt, 1, 1, 0) == b""


def test_a_failed_openssl_derivation_falls_back_for_good() -> None:
    """OpenSSL's 0 (a provider without PKCS12KDF): the bytes come from Python, and every
    later derivation too."""
    calls: list[int] = []

    def failing(secret: bytes, salt: bytes, purpose: int, iterations: int, size: int) -> None:
        calls.append(size)

    secret = kdf.pkcs12_password(PASSWORD.encode())
    expected = kdf.pkcs12_kdf_in_python(secret, b"salt", 2, 2048, 8)
    with derived_in_python():
        kdf._OPENSSL.derive = failing
        assert kdf.pkcs12_kdf(secret, b"salt", 2, 2048, 8) == expected
        assert kdf.pkcs12_kdf(secret, b"salt", 2, 2048, 8) == expected
        assert calls == [8]
        assert kdf._OPENSSL.derive is None


def test_pkcs12_password_is_utf16_with_two_nuls() -> None:
    assert kdf.pkcs12_password(None) == b""
    assert kdf.pkcs12_password(b"") == b"\0\0"
    assert kdf.pkcs12_password("pä😀".encode()) == "pä😀".encode("utf-16-be") + b"\0\0"


# --- every PFX loads the same either way ----------------------------------------------------


def _summary(pfx: Pfx) -> tuple[object, ...]:
    key = pfx.private_key
    return (
        pfx.certificate,
        pfx.chain,
        pfx.friendly_name,
        pfx.encryption,
        None
        if key is None
        else key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()),
    )


def _loads_the_same_in_python(data: bytes, passwords: tuple[bytes | None, ...]) -> None:
    for password in passwords:
        try:
            by_openssl = load_pfx(data, password)
        except AppGwCertError:
            continue
        with derived_in_python():
            in_python = load_pfx(data, password)
        assert _summary(in_python) == _summary(by_openssl)
        return
    pytest.fail(f"opened with no known password: {passwords}")


@pytest.mark.parametrize(
    "path", sorted(VECTORS.glob("*.p12")) + sorted(KEYTOOL.glob("*.p12")), ids=lambda p: p.name
)
def test_real_pfx_files_load_the_same_in_python(path: Path) -> None:
    _loads_the_same_in_python(path.read_bytes(), REAL_PASSWORDS)


@pytest.mark.parametrize("pbe", PKCS12_PBES)
def test_openssl_exports_load_the_same_in_python(pbe: str, openssl: str, tmp_path: Path) -> None:
    chain = make_chain("kdf")
    pem = tmp_path / "leaf.pem"
    pem.write_bytes(chain.leaf.key_pem() + chain.leaf.cert_pem() + chain.root.cert_pem())
    data = run(
        openssl, "pkcs12", "-export", "-legacy", "-in", pem, "-passout", f"pass:{PASSWORD}",
        "-certpbe", pbe, "-keypbe", pbe,
    )  # fmt: skip
    _loads_the_same_in_python(data, (PASSWORD.encode(),))
    with derived_in_python():
        assert load_pfx(data, PASSWORD).chain == (chain.root.cert,)
