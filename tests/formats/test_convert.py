"""to_cer, to_pfx, pfx_to_cer, cer_to_pfx: openssl reads what we write, and round trips."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import (
    CertificateFormatError,
    ChainError,
    PfxPasswordError,
    cer_to_pfx,
    load_certificates,
    load_pfx,
    pfx_to_cer,
    to_cer,
    to_pfx,
)
from appgw_certs._formats.keys import key_matches
from helpers.read import (
    Chain,
    fingerprint,
    fingerprints,
    issue,
    make_chain,
    openssl_fingerprints,
    run,
    write,
)

PASSWORD = "Zertifikat-Paßwort"


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain("convert")


# --- CER ----------------------------------------------------------------------------


def test_to_cer_base64_is_pem(openssl: str, chain: Chain) -> None:
    cer = to_cer(chain.certs)
    assert cer.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert cer.count(b"-----BEGIN CERTIFICATE-----") == 3
    assert openssl_fingerprints(openssl, cer) == fingerprints(chain.certs)


def test_to_cer_der_is_one_certificate(openssl: str, chain: Chain, tmp_path: Path) -> None:
    der = to_cer(chain.leaf.cert_pem(), encoding="der")
    path = write(tmp_path / "leaf.cer", der)
    out = run(openssl, "x509", "-inform", "DER", "-in", path, "-noout", "-fingerprint", "-sha256")
    assert bytes.fromhex(out.decode().split("=", 1)[1].strip().replace(":", "")) == fingerprint(
        chain.leaf.cert
    )
    with pytest.raises(CertificateFormatError, match="exactly one"):
        to_cer(chain.certs, encoding="der")


def test_to_cer_from_pkcs7_and_der(openssl: str, chain: Chain, tmp_path: Path) -> None:
    path = write(tmp_path / "c.pem", to_cer(chain.certs))
    p7 = run(openssl, "crl2pkcs7", "-nocrl", "-certfile", path, "-outform", "DER")
    assert sorted(fingerprints(load_certificates(to_cer(p7)))) == sorted(fingerprints(chain.certs))
    assert to_cer(chain.leaf.cert_der()) == chain.leaf.cert_pem()


# --- PFX written by us, read by openssl ----------------------------------------------


def openssl_info(openssl: str, pfx: Path, password: str) -> str:
    """``openssl pkcs12 -info -nokeys`` output (stderr carries the algorithm lines)."""
    import subprocess

    result = subprocess.run(
        [openssl, "pkcs12", "-info", "-nokeys", "-in", str(pfx), "-passin", f"pass:{password}"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stderr.decode() + result.stdout.decode()


def test_compatible_profile_is_read_by_openssl_without_legacy(
    openssl: str, chain: Chain, tmp_path: Path
) -> None:
    data = to_pfx(
        chain.leaf.key, chain.leaf.cert, chain.certs[1:], password=PASSWORD,
        friendly_name="listener 1",
    )  # fmt: skip
    info = openssl_info(openssl, write(tmp_path / "c.pfx", data), PASSWORD)
    assert "MAC: sha1" in info
    assert "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC" in info
    assert "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC" in info
    assert "friendlyName: listener 1" in info
    pem = run(
        openssl, "pkcs12", "-in", tmp_path / "c.pfx", "-nokeys", "-passin", f"pass:{PASSWORD}"
    )
    assert sorted(openssl_fingerprints(openssl, pem)) == sorted(fingerprints(chain.certs))
    pfx = load_pfx(data, PASSWORD)
    assert pfx.encryption.azure_compatible
    assert pfx.friendly_name == "listener 1"


def test_modern_profile(openssl: str, chain: Chain, tmp_path: Path) -> None:
    data = to_pfx(chain.leaf.key, chain.leaf.cert, password=PASSWORD, profile="modern")
    info = openssl_info(openssl, write(tmp_path / "m.pfx", data), PASSWORD)
    assert "MAC: sha256" in info
    assert "AES-256-CBC" in info
    pfx = load_pfx(data, PASSWORD)
    assert pfx.encryption.key_algorithm == "PBES2/AES-256-CBC"
    assert pfx.encryption.mac_algorithm == "sha256"
    assert not pfx.encryption.azure_compatible


def test_unencrypted_on_purpose(openssl: str, chain: Chain, tmp_path: Path) -> None:
    data = to_pfx(chain.leaf.key, chain.leaf.cert, password=None)
    pem = run(
        openssl, "pkcs12", "-in", write(tmp_path / "u.pfx", data), "-nokeys", "-passin", "pass:"
    )
    assert openssl_fingerprints(openssl, pem) == [fingerprint(chain.leaf.cert)]
    pfx = load_pfx(data)
    assert pfx.encryption.key_algorithm is None
    assert pfx.encryption.cert_algorithm is None


def test_empty_password_is_refused(chain: Chain) -> None:
    with pytest.raises(PfxPasswordError, match="password=None"):
        to_pfx(chain.leaf.key, chain.leaf.cert, password="")


def test_nul_in_password_is_refused(chain: Chain) -> None:
    with pytest.raises(PfxPasswordError, match="NUL") as info:
        to_pfx(chain.leaf.key, chain.leaf.cert, password="ab\x00cd")
    assert "ab" not in str(info.value)


def test_to_pfx_refuses_a_mismatching_key(chain: Chain) -> None:
    with pytest.raises(ChainError, match="does not match"):
        to_pfx(chain.root.key, chain.leaf.cert, password=PASSWORD)


# --- PFX -> CER ------------------------------------------------------------------------


def test_pfx_to_cer_matches_the_openssl_pipeline(
    openssl: str, chain: Chain, tmp_path: Path
) -> None:
    """``openssl pkcs12 -nokeys -clcerts | openssl x509 -outform der`` is the oracle."""
    leaf = write(tmp_path / "leaf.pem", chain.leaf.cert_pem())
    key = write(tmp_path / "leaf.key", chain.leaf.key_pem())
    cas = write(tmp_path / "cas.pem", to_cer(chain.certs[1:]))
    pfx = tmp_path / "o.pfx"
    run(
        openssl, "pkcs12", "-export", "-in", leaf, "-inkey", key, "-certfile", cas,
        "-passout", f"pass:{PASSWORD}", "-out", pfx,
    )  # fmt: skip
    clcerts = run(
        openssl, "pkcs12", "-in", pfx, "-nokeys", "-clcerts", "-passin", f"pass:{PASSWORD}"
    )
    expected = run(openssl, "x509", "-outform", "der", stdin=clcerts)

    assert pfx_to_cer(pfx, PASSWORD, encoding="der") == expected
    assert pfx_to_cer(pfx, PASSWORD) == chain.leaf.cert_pem()
    with_chain = pfx_to_cer(pfx, PASSWORD, include_chain=True)
    assert sorted(openssl_fingerprints(openssl, with_chain)) == sorted(fingerprints(chain.certs))
    assert openssl_fingerprints(openssl, with_chain)[0] == fingerprint(chain.leaf.cert)
    with pytest.raises(CertificateFormatError, match="exactly one"):
        pfx_to_cer(pfx, PASSWORD, encoding="der", include_chain=True)


def test_pfx_to_cer_without_certificate(openssl: str, chain: Chain, tmp_path: Path) -> None:
    out = tmp_path / "k.pfx"
    run(
        openssl, "pkcs12", "-export", "-nocerts", "-inkey",
        write(tmp_path / "k.pem", chain.leaf.key_pem()), "-passout", "pass:pw", "-out", out,
    )  # fmt: skip
    with pytest.raises(CertificateFormatError, match="no certificate"):
        pfx_to_cer(out, "pw")


# --- CER + key -> PFX ---------------------------------------------------------------


def test_cer_to_pfx_key_forms(openssl: str, chain: Chain, tmp_path: Path) -> None:
    key = chain.leaf.key
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    shuffled = [chain.root.cert, chain.leaf.cert, chain.intermediate.cert]
    cer = to_cer(shuffled)
    for private_key in (
        key,
        chain.leaf.key_pem(),
        der_key,
        write(tmp_path / "k.pem", chain.leaf.key_pem()),
    ):
        data = cer_to_pfx(cer, private_key, password=PASSWORD)
        pfx = load_pfx(data, PASSWORD)
        assert pfx.certificate is not None
        assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
        assert fingerprints(pfx.chain) == fingerprints([chain.root.cert, chain.intermediate.cert])
        assert pfx.private_key is not None
        assert key_matches(pfx.private_key, chain.leaf.cert)
    encrypted = chain.leaf.key_pem(b"key-pass")
    data = cer_to_pfx(
        chain.leaf.cert_pem(), encrypted, password=PASSWORD, key_password="key-pass",
        chain=to_cer(chain.certs[1:]), profile="modern",
    )  # fmt: skip
    pfx = load_pfx(data, PASSWORD)
    assert fingerprints(pfx.chain) == fingerprints(chain.certs[1:])
    info = openssl_info(openssl, write(tmp_path / "x.pfx", data), PASSWORD)
    assert "AES-256-CBC" in info


def test_cer_to_pfx_refuses_a_mismatching_key(chain: Chain) -> None:
    with pytest.raises(ChainError, match="matches none"):
        cer_to_pfx(chain.leaf.cert_pem(), chain.root.key, password=PASSWORD)
    with pytest.raises(PfxPasswordError):
        cer_to_pfx(chain.leaf.cert_pem(), chain.leaf.key_pem(b"key-pass"), password=PASSWORD)


# --- round trips -------------------------------------------------------------------

TEXT = st.characters(exclude_categories=["Cs"])  # any character UTF-8 can encode
# NUL is refused (OpenSSL reads PKCS#12 passwords as C strings): see test_nul_in_password
PASSWORDS = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                    min_size=1, max_size=24)  # fmt: skip


@pytest.fixture(scope="module")
def pool() -> list[Chain]:
    return [make_chain(f"pool{i}") for i in range(3)]


@settings(max_examples=30)
@given(
    password=PASSWORDS,
    profile=st.sampled_from(["compatible", "modern"]),
    index=st.integers(0, 2),
    chain_length=st.integers(0, 2),
    name=st.none() | st.text(alphabet=TEXT, max_size=16),
)
def test_pfx_round_trip(  # noqa: PLR0917 - hypothesis passes them by keyword
    pool: list[Chain], password: str, profile: str, index: int, chain_length: int, name: str | None
) -> None:
    chain = pool[index]
    extra = chain.certs[1 : 1 + chain_length]
    data = to_pfx(
        chain.leaf.key, chain.leaf.cert, extra, password=password,
        profile=profile, friendly_name=name,  # type: ignore[arg-type]
    )  # fmt: skip
    pfx = load_pfx(data, password)
    assert pfx.certificate is not None
    assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
    assert fingerprints(pfx.chain) == fingerprints(extra)
    assert pfx.private_key is not None
    assert key_matches(pfx.private_key, chain.leaf.cert)
    assert pfx.friendly_name == (name or None)
    assert pfx.encryption.azure_compatible == (profile == "compatible")
    assert load_pfx(data, password.encode("utf-8")).certificate == pfx.certificate
    with pytest.raises(PfxPasswordError):
        load_pfx(data, password + "x")


@settings(max_examples=30)
@given(index=st.integers(0, 2), encoding=st.sampled_from(["base64", "der"]), seed=st.integers())
def test_cer_round_trip(pool: list[Chain], index: int, encoding: str, seed: int) -> None:
    certs: list[x509.Certificate] = list(pool[index].certs)
    if encoding == "der":
        certs = [random.Random(seed).choice(certs)]
    else:
        random.Random(seed).shuffle(certs)
    cer = to_cer(certs, encoding=encoding)  # type: ignore[arg-type]
    assert fingerprints(load_certificates(cer)) == fingerprints(certs)


def test_rsa_round_trip_through_openssl(openssl: str, tmp_path: Path) -> None:
    """One RSA leaf (Azure's usual key) through both profiles and openssl."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    root = issue("rsa root", ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = issue("rsa.example.com", root)
    cert = (
        x509.CertificateBuilder()
        .subject_name(leaf.cert.subject)
        .issuer_name(root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(leaf.cert.not_valid_before_utc)
        .not_valid_after(leaf.cert.not_valid_after_utc)
        .sign(root.key, leaf.cert.signature_hash_algorithm)  # type: ignore[arg-type]
    )
    profiles: tuple[Literal["compatible", "modern"], ...] = ("compatible", "modern")
    for profile in profiles:
        data = to_pfx(key, cert, [root.cert], password=PASSWORD, profile=profile)
        path = write(tmp_path / f"{profile}.pfx", data)
        keys = run(
            openssl, "pkcs12", "-in", path, "-nocerts", "-nodes", "-passin", f"pass:{PASSWORD}"
        )
        assert b"PRIVATE KEY" in keys
        pem = run(
            openssl, "pkcs12", "-in", path, "-nokeys", "-clcerts", "-passin", f"pass:{PASSWORD}"
        )
        assert openssl_fingerprints(openssl, pem) == [fingerprint(cert)]
