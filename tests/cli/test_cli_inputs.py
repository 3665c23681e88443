"""What the CLI reads: files that hold no certificate, and passwords as the bytes given."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import CertificateSigningRequestBuilder, Name, NameAttribute
from cryptography.x509.oid import NameOID

from appgw_certs._cli.passwords import MAX_PASSWORD_BYTES, password_bytes, read_password
from appgw_certs._cli.terminal import CliError
from helpers.cli import assert_usage_error, openssl_run, run

KEY = ec.generate_private_key(ec.SECP256R1())
PASSWORD = "Inputs1Pw"


def _pem(kind: str) -> bytes:
    if kind == "private key":
        return KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    if kind == "encrypted key":
        return KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    if kind == "public key":
        return KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    csr = CertificateSigningRequestBuilder(Name([NameAttribute(NameOID.COMMON_NAME, "a.example")]))
    return csr.sign(KEY, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize(
    ("kind", "described"),
    [
        ("private key", "private key: EC P-256"),
        ("encrypted key", "private key: encrypted: give its password"),
        ("public key", "public key: EC P-256"),
        ("request", "certificate request: EC P-256"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_inspect_of_a_pem_without_certificate_describes_what_it_holds(
    kind: str, described: str, as_json: bool, tmp_path: Path
) -> None:
    path = tmp_path / "file.pem"
    data = _pem(kind)
    path.write_bytes(data)
    result = run("inspect", path, *(["--json"] if as_json else []))
    assert result.returncode == 0, result.output
    if as_json:
        (key,) = json.loads(result.stdout)["keys"]
        assert f"{key['kind']}: {key['key']}" == described
    else:
        assert f"[key 1] {described}" in result.stdout
    body = [line for line in data.decode().splitlines() if not line.startswith("-----")]
    assert not any(line in result.output for line in body)  # no key material


def test_inspect_of_an_encrypted_key_with_its_password(tmp_path: Path) -> None:
    path = tmp_path / "file.pem"
    path.write_bytes(_pem("encrypted key"))
    result = run("inspect", path, "--password", f"pass:{PASSWORD}", secrets=[PASSWORD])
    assert "[key 1] private key: EC P-256" in result.stdout
    assert "encrypted    yes" in result.stdout


def test_inspect_of_a_pfx_holding_only_a_key(openssl: str, tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_bytes(_pem("private key"))
    pfx = tmp_path / "key-only.pfx"
    openssl_run(
        openssl, "pkcs12", "-export", "-nocerts", "-inkey", str(tmp_path / "key.pem"),
        "-out", str(pfx), "-passout", f"pass:{PASSWORD}",
    )  # fmt: skip
    result = run("inspect", pfx, "--password", f"pass:{PASSWORD}")
    assert result.returncode == 0, result.output
    assert "[key 1] private key: EC P-256" in result.stdout
    assert "PKCS#12 (PFX) encryption" in result.stdout


def test_inspect_of_a_der_key(tmp_path: Path) -> None:
    path = tmp_path / "key.der"
    path.write_bytes(
        KEY.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    result = run("inspect", path)
    assert result.returncode == 0, result.output
    assert "[key 1] private key: EC P-256" in result.stdout


def test_inspect_of_a_file_with_neither_certificate_nor_key(tmp_path: Path) -> None:
    path = tmp_path / "params.pem"
    path.write_bytes(
        b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    )
    assert_usage_error(run("inspect", path), f"no certificate in {path}", "'EC PARAMETERS'")


# --------------------------------------------------------------------------- passwords


def test_every_password_is_the_bytes_given() -> None:
    assert read_password("pass:Secret12") == b"Secret12"
    assert read_password("pass:pw\udcff\udcfe") == b"pw\xff\xfe"  # argv bytes, not UTF-8
    assert read_password("pass:pässwort") == "pässwort".encode()
    assert password_bytes("\udc80") == b"\x80"


def test_a_password_source_is_read_to_its_limit_and_no_further() -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"x" * MAX_PASSWORD_BYTES + b"\nrest")
        assert read_password(f"fd:{read_end}") == b"x" * MAX_PASSWORD_BYTES
        os.write(write_end, b"y" * (MAX_PASSWORD_BYTES + 1))
        with pytest.raises(CliError, match="longer than 4,096 bytes") as refused:
            read_password(f"fd:{read_end}")
        assert "y" * 8 not in str(refused.value)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_too_long_pass_or_env_password_is_refused_without_echo() -> None:
    with pytest.raises(CliError, match="longer than") as refused:
        read_password("pass:" + "z" * (MAX_PASSWORD_BYTES + 1))
    assert "zzzz" not in str(refused.value)
