"""Every verb of ``appgw-certs`` through the installed entry point, judged by openssl.

A test chain written by ``appgw-certs chain`` is the shared input; files the
CLI writes are read back by the openssl CLI, files openssl writes are read by
the CLI. Every run asserts no traceback and that no password given appears in
the output (see ``_cli_helpers.run``).
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from appgw_certs import __version__
from helpers.cli import (
    assert_usage_error,
    command,
    files_in,
    mode,
    openssl_completed,
    openssl_run,
    passwords_file,
    run,
)
from helpers.tls_servers import PythonTLSServer, refused_port

HOST = "www.contoso.com"
PASSWORD = "Chain0Secret"  # given with --password env:, so it must never be printed


@dataclass(frozen=True)
class Chain:
    directory: Path
    password: str


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    directory = tmp_path_factory.mktemp("chain") / "pki"
    result = run(
        "chain", directory, "--hostname", HOST, "--hostname", "contoso.com",
        "--client", "alice@contoso.com", "--password", "env:CHAIN_PW", "--key-type", "ec-p256",
        env={"CHAIN_PW": PASSWORD}, secrets=[PASSWORD],
    )  # fmt: skip
    assert result.returncode == 0, result.output
    return Chain(directory, PASSWORD)


def pw_env(password: str = PASSWORD) -> dict[str, str]:
    return {"PW": password}


# --------------------------------------------------------------------------- chain


def test_chain_writes_the_files_with_modes(chain: Chain) -> None:
    assert files_in(chain.directory) == [
        "client-alice_contoso.com.pfx", "client-ca.cer", "root.cer", "server-chain.pem",
        "server.cer", "server.key", "server.pfx",
    ]  # fmt: skip
    for name in ("server.key", "server.pfx", "client-alice_contoso.com.pfx"):
        assert mode(chain.directory / name) == 0o600


def test_chain_pfx_files_open_in_openssl_with_the_given_password(
    chain: Chain, openssl: str
) -> None:
    for name in ("server.pfx", "client-alice_contoso.com.pfx"):
        path = str(chain.directory / name)
        out = openssl_run(openssl, "pkcs12", "-in", path, "-passin", "env:PW", "-nodes",
                          env=pw_env())  # fmt: skip
        assert out.count(b"BEGIN CERTIFICATE") == 3, name


def test_chain_verifies_in_openssl(chain: Chain, openssl: str) -> None:
    d = chain.directory
    out = openssl_run(
        openssl, "verify", "-CAfile", str(d / "root.cer"), "-untrusted",
        str(d / "server-chain.pem"), "-verify_hostname", HOST, str(d / "server.cer"),
    )  # fmt: skip
    assert out.strip().endswith(b"OK")


def test_chain_invents_a_password_when_none_is_given(tmp_path: Path, openssl: str) -> None:
    result = run("chain", tmp_path / "c", "--hostname", "a.example", "--intermediates", "2",
                 "--key-type", "ec-p256")  # fmt: skip
    assert result.returncode == 0, result.output
    passwords = passwords_file(tmp_path / "c")
    assert set(passwords) == {"server.pfx"}
    assert passwords["server.pfx"] not in result.output
    assert mode(tmp_path / "c" / "passwords.txt") == 0o600
    ca = (tmp_path / "c" / "client-ca.cer").read_bytes()
    assert ca.count(b"BEGIN CERTIFICATE") == 3  # two intermediates and the root


# --------------------------------------------------------------------------- inspect


def test_inspect_pfx_text_and_json(chain: Chain) -> None:
    pfx = chain.directory / "server.pfx"
    text = run("inspect", pfx, "--password", "env:PW", env=pw_env(), secrets=[PASSWORD])
    assert text.returncode == 0, text.output
    assert "Azure-compatible" in text.stdout
    assert f"CN={HOST}" in text.stdout
    as_json = run("inspect", pfx, "--password", "env:PW", "--json", env=pw_env())
    data = json.loads(as_json.stdout)
    assert data["pfx"]["azure_compatible"] is True
    assert [c["role"] for c in data["certificates"]] == ["leaf", "intermediate", "root"]
    assert HOST in data["certificates"][0]["dns_names"]


def test_inspect_pem_needs_no_password(chain: Chain) -> None:
    result = run("inspect", chain.directory / "client-ca.cer", "--json")
    assert result.returncode == 0, result.output
    data = json.loads(result.stdout)
    assert data["pfx"] is None
    assert len(data["certificates"]) == 2


def test_inspect_pfx_without_password_and_no_terminal_says_how(chain: Chain) -> None:
    result = run("inspect", chain.directory / "server.pfx")
    assert_usage_error(result, "--password")


def test_inspect_wrong_password_is_one_line(chain: Chain) -> None:
    result = run("inspect", chain.directory / "server.pfx", "--password", "pass:Wr0ngPassword",
                 secrets=["Wr0ngPassword"])  # fmt: skip
    assert_usage_error(result)


def test_password_from_stdin(chain: Chain) -> None:
    result = run("inspect", chain.directory / "server.pfx", "--password", "stdin",
                 stdin=PASSWORD + "\n", secrets=[PASSWORD])  # fmt: skip
    assert result.returncode == 0, result.output


# --------------------------------------------------------------------------- convert


def test_convert_pfx_to_cer_and_der_match_openssl(
    chain: Chain, openssl: str, tmp_path: Path
) -> None:
    pfx = chain.directory / "server.pfx"
    for name in ("leaf.cer", "leaf.der"):
        result = run("convert", pfx, tmp_path / name, "--password", "env:PW", env=pw_env(),
                     secrets=[PASSWORD])  # fmt: skip
        assert result.returncode == 0, result.output
        assert mode(tmp_path / name) != 0o600  # public
    der = openssl_run(openssl, "x509", "-in", str(tmp_path / "leaf.cer"), "-outform", "DER")
    assert der == (tmp_path / "leaf.der").read_bytes()
    assert der == openssl_run(
        openssl, "x509", "-in", str(chain.directory / "server.cer"), "-outform", "DER"
    )


def test_convert_cer_and_key_to_pfx_openssl_reads_it(
    chain: Chain, openssl: str, tmp_path: Path
) -> None:
    d = chain.directory
    out = tmp_path / "made.pfx"
    result = run(
        "convert", d / "server.cer", out, "--key", d / "server.key", "--chain",
        d / "client-ca.cer", "--password", "env:PW", env=pw_env("N3wPassword"),
        secrets=["N3wPassword"],
    )  # fmt: skip
    assert result.returncode == 0, result.output
    assert mode(out) == 0o600
    completed = openssl_completed(openssl, "pkcs12", "-info", "-in", str(out), "-passin",
                                  "env:PW", "-nodes", env=pw_env("N3wPassword"))  # fmt: skip
    assert b"pbeWithSHA1And3-KeyTripleDES-CBC" in completed.stderr
    assert completed.stdout.count(b"BEGIN CERTIFICATE") == 3


def test_convert_openssl3_default_pfx_to_compatible(
    chain: Chain, openssl: str, tmp_path: Path
) -> None:
    d = chain.directory
    modern = tmp_path / "openssl3.pfx"
    openssl_run(openssl, "pkcs12", "-export", "-in", str(d / "server-chain.pem"), "-inkey",
                str(d / "server.key"), "-out", str(modern), "-passout", "env:PW",
                env=pw_env())  # fmt: skip
    before = run("inspect", modern, "--password", "env:PW", "--json", env=pw_env())
    assert json.loads(before.stdout)["pfx"]["azure_compatible"] is False
    fixed = tmp_path / "fixed.pfx"
    result = run("convert", modern, fixed, "--password", "env:PW", env=pw_env(),
                 secrets=[PASSWORD])  # fmt: skip
    assert result.returncode == 0, result.output
    after = run("inspect", fixed, "--password", "env:PW", "--json", env=pw_env())
    assert json.loads(after.stdout)["pfx"]["azure_compatible"] is True
    check = run("check", "listener", fixed, "--sku", "v2", "--password", "env:PW",
                env=pw_env())  # fmt: skip
    assert check.returncode == 0, check.output


def test_convert_refuses_to_overwrite_and_to_invent_no_password(
    chain: Chain, tmp_path: Path
) -> None:
    d = chain.directory
    existing = tmp_path / "exists.cer"
    existing.write_bytes(b"mine")
    result = run("convert", d / "server.cer", existing)
    assert_usage_error(result, "--force")
    assert existing.read_bytes() == b"mine"
    forced = run("convert", d / "server.cer", existing, "--force")
    assert forced.returncode == 0
    assert existing.read_bytes() == (d / "server.cer").read_bytes()
    no_password = run("convert", d / "server.cer", tmp_path / "x.pfx", "--key", d / "server.key")
    assert_usage_error(no_password, "--password")
    assert not (tmp_path / "x.pfx").exists()


# --------------------------------------------------------------------------- extract


def test_extract_auth_root_and_pubkey(chain: Chain, openssl: str, tmp_path: Path) -> None:
    d = chain.directory
    auth = run("extract", "auth", d / "server-chain.pem")
    assert auth.returncode == 0, auth.output
    assert auth.stdout.encode() == (d / "server.cer").read_bytes()
    root = run("extract", "root", d / "server.pfx", "-o", tmp_path / "root.cer",
               "--password", "env:PW", env=pw_env(), secrets=[PASSWORD])  # fmt: skip
    assert root.returncode == 0, root.output
    assert (tmp_path / "root.cer").read_bytes() == (d / "root.cer").read_bytes()
    pubkey = run("extract", "pubkey", d / "server.cer")
    expected = openssl_run(openssl, "x509", "-in", str(d / "server.cer"), "-pubkey", "-noout")
    assert pubkey.stdout.encode() == expected


def test_extract_root_of_a_chain_without_root_fails_in_one_line(chain: Chain) -> None:
    result = run("extract", "root", chain.directory / "server-chain.pem")
    assert_usage_error(result)


# --------------------------------------------------------------------------- check


def test_check_exit_status_follows_findings(chain: Chain) -> None:
    d = chain.directory
    ok = run("check", "listener", d / "server.pfx", "--sku", "Standard_v2", "--password",
             "env:PW", "--hostname", HOST, env=pw_env(), secrets=[PASSWORD])  # fmt: skip
    assert ok.returncode == 0, ok.output
    assert ok.stdout.startswith("OK")
    wrong = run("check", "listener", d / "server.pfx", "--sku", "v2", "--password",
                "pass:Wr0ngPassword", "--json", secrets=["Wr0ngPassword"])  # fmt: skip
    assert wrong.returncode == 1
    assert "LST002" in {f["code"] for f in json.loads(wrong.stdout)["findings"]}
    v2_auth = run("check", "authentication", d / "server.cer", "--sku", "WAF_v2")
    assert v2_auth.returncode == 1
    assert "GEN006" in v2_auth.stdout
    root_ok = run("check", "trusted-root", d / "root.cer", "--sku", "v2", "--json")
    assert json.loads(root_ok.stdout)["ok"] is True


def test_check_usage_errors(chain: Chain, tmp_path: Path) -> None:
    d = chain.directory
    assert_usage_error(run("check", "listener", tmp_path / "missing.pfx", "--sku", "v2"),
                       "no such file")  # fmt: skip
    assert_usage_error(run("check", "trusted-root", d / "root.cer", "--sku", "Premium"), "Premium")
    assert_usage_error(run("check", "root", d / "root.cer", "--sku", "v2"), "invalid choice")
    assert_usage_error(run("check", "trusted-root", d / "root.cer"), "--sku")


# --------------------------------------------------------------------------- backend


def test_backend_from_a_file(chain: Chain) -> None:
    d = chain.directory
    trusted = run("backend", d / "server-chain.pem", "--sku", "v2", "--host-name", HOST,
                  "--trusted-root", d / "root.cer")  # fmt: skip
    assert trusted.returncode == 0, trusted.output
    other = run("backend", d / "server-chain.pem", "--sku", "v2", "--host-name", "other.example",
                "--trusted-root", d / "root.cer", "--json")  # fmt: skip
    assert other.returncode == 1
    assert "BE007" in {f["code"] for f in json.loads(other.stdout)["findings"]}
    v1 = run("backend", d / "server-chain.pem", "--sku", "Standard", "--host-name", HOST,
             "--auth-cert", d / "server.cer")  # fmt: skip
    assert v1.returncode == 0, v1.output


def test_backend_probe_reads_a_live_server(chain: Chain) -> None:
    d = chain.directory
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "server-chain.pem", d / "server.key")
    with PythonTLSServer(context) as server:
        result = run("backend", "--probe", f"127.0.0.1:{server.port}", "--sku", "v2",
                     "--host-name", HOST, "--trusted-root", d / "root.cer",
                     "--json")  # fmt: skip
    assert result.returncode == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


def test_backend_probe_unreachable_is_one_line() -> None:
    with refused_port() as port:
        result = run("backend", "--probe", f"127.0.0.1:{port}", "--sku", "v2", "--timeout", "3")
    assert_usage_error(result, f"127.0.0.1:{port}")


def test_backend_needs_exactly_one_source(chain: Chain) -> None:
    both = run("backend", chain.directory / "server-chain.pem", "--probe", "127.0.0.1:1",
               "--sku", "v2")  # fmt: skip
    assert_usage_error(both, "--probe")
    assert_usage_error(run("backend", "--sku", "v2"), "FILE")
    assert_usage_error(run("backend", "--probe", "[::1]:99999", "--sku", "v2"), "--probe")


# --------------------------------------------------------------------------- client


def test_client_pfx_against_its_ca_and_another(chain: Chain, tmp_path: Path) -> None:
    d = chain.directory
    client = d / "client-alice_contoso.com.pfx"
    ok = run("client", client, "--client-ca", d / "client-ca.cer", "--password", "env:PW",
             "--verify-issuer-dn", env=pw_env(), secrets=[PASSWORD])  # fmt: skip
    assert ok.returncode == 0, ok.output
    other = tmp_path / "other"
    made = run("chain", other, "--hostname", "x.example", "--key-type", "ec-p256")
    assert made.returncode == 0
    wrong_ca = run("client", client, "--client-ca", other / "client-ca.cer", "--password",
                   "env:PW", "--json", env=pw_env())  # fmt: skip
    assert wrong_ca.returncode == 1
    assert "MT002" in {f["code"] for f in json.loads(wrong_ca.stdout)["findings"]}
    server_as_client = run("client", d / "server-chain.pem", "--client-ca", d / "client-ca.cer")
    assert server_as_client.returncode == 1
    assert "MT003" in server_as_client.stdout


# --------------------------------------------------------------------------- top level


def test_version_help_and_module_form_agree() -> None:
    for module in (False, True):
        version = run("--version", module=module)
        assert version.returncode == 0
        assert version.stdout.strip() == f"appgw-certs {__version__}"
        helped = run("--help", module=module)
        assert helped.returncode == 0
        for verb in ("quickstart", "chain", "inspect", "convert", "extract", "check",
                     "backend", "client"):  # fmt: skip
            assert verb in helped.stdout


def test_usage_errors_are_one_line_exit_2() -> None:
    assert_usage_error(run(), "VERB")
    assert_usage_error(run("frobnicate"), "invalid choice")
    assert_usage_error(run("inspect"), "FILE")
    assert_usage_error(run("inspect", "/nonexistent/file.pem"), "no such file")


def test_audit_verb_is_registered_when_its_module_exists() -> None:
    import importlib.util

    present = importlib.util.find_spec("appgw_certs._cli.audit") is not None
    helped = run("--help")
    assert ("audit" in helped.stdout) is present
    if present:
        assert run("audit", "--help").returncode == 0


def test_audit_reads_stdin_and_refuses_non_json_in_one_line() -> None:
    import importlib.util

    if importlib.util.find_spec("appgw_certs._cli.audit") is None:
        assert_usage_error(run("audit", "-"), "invalid choice")
        return
    assert_usage_error(run("audit", "-", stdin="this is not JSON"))


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    from appgw_certs import KeyType, build_self_signed

    bundle = tmp_path / "bundle.pem"  # 150 certificates: far more output than a pipe holds
    bundle.write_bytes(
        b"".join(
            build_self_signed([f"h{i}.example"], key_type=KeyType.EC_P256).cer() for i in range(150)
        )
    )
    pipeline = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$0" inspect --json "$1" | head -c 1', *command(),
         str(bundle)],
        capture_output=True, check=False, timeout=60,
    )  # fmt: skip
    assert pipeline.stdout == b"{"
    assert pipeline.returncode == 0, pipeline.stderr
    assert pipeline.stderr == b""


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_nothing_heavy(flag: str) -> None:
    probe = (
        "import json, sys\n"
        "from appgw_certs._cli.main import main\n"
        "try:\n"
        f"    main([{flag!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    modules = json.loads(completed.stderr)
    heavy = {"cryptography", "OpenSSL", "pyasn1", "pyasn1_modules", "certifi"}
    assert not [m for m in modules if m.split(".")[0] in heavy]
    ours = {m for m in modules if m.startswith("appgw_certs.")}
    assert ours <= {
        "appgw_certs._cli", "appgw_certs._cli.main", "appgw_certs._cli.options",
        "appgw_certs._cli.quickstart", "appgw_certs._cli.chain", "appgw_certs._cli.inspect",
        "appgw_certs._cli.convert", "appgw_certs._cli.extract", "appgw_certs._cli.client_ca",
        "appgw_certs._cli.check",
        "appgw_certs._cli.backend", "appgw_certs._cli.client", "appgw_certs._cli.audit",
        "appgw_certs._errors", "appgw_certs._version",
    }  # fmt: skip
