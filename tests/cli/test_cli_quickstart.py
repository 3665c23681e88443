"""``appgw-certs quickstart``: the main job, run as a user runs it, judged by real oracles.

The files are read by the openssl CLI (PKCS#12 without ``-legacy``, chain
verification), by the library's own ``check_upload``, and used in real TLS
handshakes on loopback (a backend presenting backend-chain.pem; a server
requiring client certificates from client-ca.cer).
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from appgw_certs import check_upload, load_pfx
from helpers.cli import (
    ENTRY_POINT,
    Result,
    assert_no_secret,
    assert_usage_error,
    files_in,
    mode,
    openssl_completed,
    openssl_run,
    passwords_file,
    run,
)
from helpers.tls_servers import PythonTLSServer

EXPECTED_FILES = [
    "README.md",
    "authentication.cer",
    "backend-chain.pem",
    "backend.key",
    "client-ca.cer",
    "client.pfx",
    "listener.pfx",
    "passwords.txt",
    "trusted-root.cer",
]
PRIVATE_FILES = ["backend.key", "client.pfx", "listener.pfx", "passwords.txt"]
BACKEND = "backend.contoso.com"
EC = ("--key-type", "ec-p256")  # where RSA does not matter: fast keys


@dataclass(frozen=True)
class Quickstart:
    directory: Path
    result: Result
    passwords: dict[str, str]


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory: pytest.TempPathFactory) -> Quickstart:
    directory = tmp_path_factory.mktemp("qs") / "appgw-certs-quickstart"
    result = run("quickstart", cwd=directory.parent)  # the README's command: default OUTDIR
    assert result.returncode == 0, result.output
    passwords = passwords_file(directory)
    assert_no_secret(result.output, passwords.values())
    return Quickstart(directory, result, passwords)


def test_writes_every_file_and_no_temp_files(quickstart: Quickstart) -> None:
    assert files_in(quickstart.directory) == EXPECTED_FILES


def test_key_material_is_0600_and_public_files_follow_the_umask(quickstart: Quickstart) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for name in EXPECTED_FILES:
        expected = 0o600 if name in PRIVATE_FILES else 0o666 & ~umask
        assert mode(quickstart.directory / name) == expected, name


def test_passwords_are_azure_shaped_and_distinct(quickstart: Quickstart) -> None:
    assert set(quickstart.passwords) == {"listener.pfx", "client.pfx"}
    for password in quickstart.passwords.values():
        assert re.fullmatch(r"[A-Za-z0-9]{4,12}", password)
    assert len(set(quickstart.passwords.values())) == 2


def test_listener_pfx_opens_in_openssl_without_legacy(quickstart: Quickstart, openssl: str) -> None:
    pfx = quickstart.directory / "listener.pfx"
    completed = openssl_completed(
        openssl, "pkcs12", "-info", "-in", str(pfx), "-passin", "env:PFX_PASSWORD", "-nodes",
        env={"PFX_PASSWORD": quickstart.passwords["listener.pfx"]},
    )  # fmt: skip
    info = completed.stderr.decode()
    assert "pbeWithSHA1And3-KeyTripleDES-CBC" in info
    assert "MAC: sha1" in info
    contents = completed.stdout.decode()
    assert contents.count("BEGIN CERTIFICATE") == 3  # leaf, intermediate, root
    assert "BEGIN PRIVATE KEY" in contents


def test_client_pfx_opens_in_openssl_without_legacy(quickstart: Quickstart, openssl: str) -> None:
    password = quickstart.passwords["client.pfx"]
    out = openssl_run(
        openssl, "pkcs12", "-in", str(quickstart.directory / "client.pfx"),
        "-passin", "stdin", "-nodes", stdin=password.encode() + b"\n",
    )  # fmt: skip
    assert out.count(b"BEGIN CERTIFICATE") == 3
    assert b"BEGIN PRIVATE KEY" in out


def _leaf_of_pfx(openssl: str, pfx: Path, password: str, target: Path) -> Path:
    pem = openssl_run(
        openssl, "pkcs12", "-in", str(pfx), "-passin", "stdin", "-nokeys", "-clcerts",
        stdin=password.encode() + b"\n",
    )  # fmt: skip
    target.write_bytes(pem)
    return target


def _openssl_verifies(openssl: str, d: Path, leaf: Path, *purpose: str) -> None:
    """openssl verify: the leaf, with the quickstart's intermediate, up to trusted-root.cer."""
    out = openssl_run(
        openssl, "verify", "-CAfile", str(d / "trusted-root.cer"), "-untrusted",
        str(d / "client-ca.cer"), "-purpose", *purpose, str(leaf),
    )  # fmt: skip
    assert out.strip().endswith(b"OK")


def test_openssl_verifies_every_chain(quickstart: Quickstart, openssl: str, tmp_path: Path) -> None:
    d, pw = quickstart.directory, quickstart.passwords
    _openssl_verifies(
        openssl, d, d / "authentication.cer", "sslserver", "-verify_hostname", BACKEND
    )
    listener = _leaf_of_pfx(openssl, d / "listener.pfx", pw["listener.pfx"], tmp_path / "l.pem")
    _openssl_verifies(openssl, d, listener, "sslserver", "-verify_hostname", "www.contoso.com")
    client = _leaf_of_pfx(openssl, d / "client.pfx", pw["client.pfx"], tmp_path / "c.pem")
    _openssl_verifies(openssl, d, client, "sslclient")


@pytest.mark.parametrize(
    ("name", "slot", "sku", "wrong_sku"),
    [
        ("listener.pfx", "listener", "Standard", None),
        ("listener.pfx", "listener", "Standard_v2", None),
        ("authentication.cer", "authentication", "Standard", "Standard_v2"),
        ("trusted-root.cer", "trusted-root", "Standard_v2", "Standard"),
        ("client-ca.cer", "trusted-client-ca", "WAF_v2", "Basic"),
    ],
)
def test_check_upload_accepts_each_file_for_its_slot(
    quickstart: Quickstart, name: str, slot: str, sku: str, wrong_sku: str | None
) -> None:
    path = quickstart.directory / name
    password = quickstart.passwords.get(name)
    hostnames = ["www.contoso.com"] if slot == "listener" else []
    report = check_upload(slot, path, sku=sku, password=password, hostnames=hostnames)
    assert report.ok, str(report)
    assert not report.warnings, str(report)
    if wrong_sku is not None:  # the check is not vacuous: the slot does not exist there
        assert "GEN006" in check_upload(slot, path, sku=wrong_sku).codes


def test_listener_check_needs_the_right_password(quickstart: Quickstart) -> None:
    report = check_upload("listener", quickstart.directory / "listener.pfx", sku="v2",
                          password="Wrong0ne")  # fmt: skip
    assert "LST002" in report.codes


def test_prints_a_passing_report_for_every_file(quickstart: Quickstart) -> None:
    out = quickstart.result.stdout
    report_lines = [line for line in out.splitlines() if line.startswith(("OK", "FAILED"))]
    assert len(report_lines) == 7  # four uploads, backend v1 and v2, the client
    assert all(line.startswith("OK") for line in report_lines), out
    for name in ("listener.pfx", "authentication.cer", "trusted-root.cer", "client-ca.cer",
                 "backend-chain.pem", "client.pfx"):  # fmt: skip
        assert any(name in line for line in report_lines), name
    assert "\x1b[" not in out  # not a terminal: no colour


def test_readme_says_what_goes_where(quickstart: Quickstart) -> None:
    readme = (quickstart.directory / "README.md").read_text()
    for name in set(EXPECTED_FILES) - {"README.md"}:
        assert f"| `{name}` |" in readme, name
    commands = {
        "ssl-cert create": "--cert-file listener.pfx",
        "auth-cert create": "--cert-file authentication.cer",
        "root-cert create": "--cert-file trusted-root.cer",
        "client-cert add": "--data client-ca.cer",
    }
    for verb, file_option in commands.items():
        block = readme[readme.index(f"az network application-gateway {verb}") :]
        assert file_option in block.split("\n\n")[0], verb
    for prop in ("sslCertificates", "authenticationCertificates", "trustedRootCertificates",
                 "trustedClientCertificates"):  # fmt: skip
        assert f"`{prop}[].properties.data`" in readme
    assert_no_secret(readme, quickstart.passwords.values())


def test_readme_password_command_extracts_the_password(quickstart: Quickstart) -> None:
    readme = (quickstart.directory / "README.md").read_text()
    command = re.search(r'--cert-password "\$\((sed [^)]*)\)"', readme)
    assert command is not None
    got = subprocess.run(
        ["sh", "-c", command.group(1)], cwd=quickstart.directory, capture_output=True,
        text=True, check=True, timeout=10,
    )  # fmt: skip
    assert got.stdout.strip() == quickstart.passwords["listener.pfx"]


def test_backend_files_serve_a_real_handshake(quickstart: Quickstart) -> None:
    d = quickstart.directory
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(d / "backend-chain.pem", d / "backend.key")
    client = ssl.create_default_context(cafile=d / "trusted-root.cer")
    with PythonTLSServer(server) as tls:
        with client.wrap_socket(
            socket.create_connection(("127.0.0.1", tls.port), timeout=5), server_hostname=BACKEND
        ) as conn:
            assert conn.recv(2) == b"ok"
        assert tls.outcome() is None


def test_client_pfx_passes_mutual_tls_against_client_ca(
    quickstart: Quickstart, tmp_path: Path
) -> None:
    d = quickstart.directory
    pfx = load_pfx(d / "client.pfx", quickstart.passwords["client.pfx"])
    assert pfx.private_key is not None
    assert pfx.certificate is not None
    from cryptography.hazmat.primitives import serialization

    cert_file, key_file = tmp_path / "client.pem", tmp_path / "client.key"
    cert_file.write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (pfx.certificate, *pfx.chain))
    )
    key_file.write_bytes(
        pfx.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(d / "backend-chain.pem", d / "backend.key")
    server.verify_mode = ssl.CERT_REQUIRED
    server.load_verify_locations(cafile=d / "client-ca.cer")
    client = ssl.create_default_context(cafile=d / "trusted-root.cer")
    client.load_cert_chain(cert_file, key_file)
    with PythonTLSServer(server) as tls:
        with client.wrap_socket(
            socket.create_connection(("127.0.0.1", tls.port), timeout=5), server_hostname=BACKEND
        ) as conn:
            assert conn.recv(2) == b"ok"
        assert tls.outcome() is None


def test_refuses_existing_files_without_force(quickstart: Quickstart, tmp_path: Path) -> None:
    outdir = tmp_path / "again"
    first = run("quickstart", outdir, *EC)
    assert first.returncode == 0, first.output
    before = {n: (outdir / n).read_bytes() for n in EXPECTED_FILES}
    second = run("quickstart", outdir, *EC)
    assert_usage_error(second, "--force", "listener.pfx")
    assert {n: (outdir / n).read_bytes() for n in EXPECTED_FILES} == before
    forced = run("quickstart", outdir, "--force", *EC, secrets=passwords_file(outdir).values())
    assert forced.returncode == 0, forced.output
    assert files_in(outdir) == EXPECTED_FILES
    assert (outdir / "listener.pfx").read_bytes() != before["listener.pfx"]  # new keys
    assert mode(outdir / "backend.key") == 0o600


def test_show_passwords_prints_the_ones_in_the_file(tmp_path: Path) -> None:
    result = run("quickstart", tmp_path / "shown", "--show-passwords", *EC)
    assert result.returncode == 0, result.output
    for password in passwords_file(tmp_path / "shown").values():
        assert password in result.stdout


def test_python_dash_m_and_json(tmp_path: Path) -> None:
    result = run("quickstart", tmp_path / "m", "--json", "--hostname", "api.contoso.com",
                 module=True)  # fmt: skip
    assert result.returncode == 0, result.output
    assert_no_secret(result.output, passwords_file(tmp_path / "m").values())
    data = json.loads(result.stdout)
    assert data["passwords"] is None
    assert sorted(f["name"] for f in data["files"]) == EXPECTED_FILES
    assert len(data["checks"]) == 7
    for check in data["checks"]:
        assert set(check["report"]) >= {"title", "ok", "counts", "findings"}
        assert check["report"]["ok"] is True
    report = check_upload("listener", tmp_path / "m" / "listener.pfx", sku="v2",
                          password=passwords_file(tmp_path / "m")["listener.pfx"],
                          hostnames=["api.contoso.com"])  # fmt: skip
    assert report.ok, str(report)


def test_write_failure_half_way_leaves_nothing(tmp_path: Path) -> None:
    """A real write error (file size limit, as a full disk) while staging the files."""
    fresh = tmp_path / "fresh"
    result = run("quickstart", fresh, *EC, max_file_size=1000)  # the PFX files are bigger
    assert_usage_error(result, "File too large")
    assert not fresh.exists()  # the directory made for it is gone too

    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    result = run("quickstart", existing, *EC, max_file_size=1000)
    assert_usage_error(result, "File too large")
    assert files_in(existing) == ["notes.txt"]  # no temp files, no partial files


def test_readme_check_commands_run_as_written(quickstart: Quickstart) -> None:
    readme = (quickstart.directory / "README.md").read_text()
    block = readme.split("## Check again")[1].split("```sh\n")[1].split("```")[0]
    commands = block.replace("\\\n", " ").splitlines()
    ours = [c for c in commands if c.startswith("appgw-certs ")]
    assert len(ours) == 2
    env = {**os.environ, "PATH": f"{ENTRY_POINT.parent}{os.pathsep}{os.environ['PATH']}"}
    for line in ours:
        completed = subprocess.run(
            ["bash", "-c", line], cwd=quickstart.directory, env=env, capture_output=True,
            text=True, check=False, timeout=60,
        )  # fmt: skip
        assert completed.returncode == 0, (line, completed.stdout, completed.stderr)
        assert completed.stdout.startswith("OK")
        assert_no_secret(completed.stdout + completed.stderr, quickstart.passwords.values())
