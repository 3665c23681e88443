"""``appgw-certs chain --ca-cert/--ca-key/--valid-days/--not-before`` and ``extract root --ca``,
with CAs made by the openssl CLI (as step or mkcert would hand them over), judged by
``openssl verify``, ``openssl x509 -dates``, cryptography's verifier and a real handshake."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509 import verification as v

from appgw_certs import load_pfx
from helpers.build import client_context, handshake
from helpers.cli import assert_usage_error, mode, openssl_run, run

HOST = "www.contoso.com"
CA_PASSWORD = "CaKeySecret9"  # given with env:, so it must never be printed
PFX_PASSWORD = "PfxSecret42"
EC = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")
CA_EXTENSIONS = """[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class Pki:
    """A company PKI made by openssl: a root (encrypted key), an issuing CA, a non-CA."""

    root: Path
    root_key: Path
    issuing: Path
    issuing_key: Path
    issuing_bundle: Path  # the issuing CA, then the root: what --ca-cert takes
    company_cas: Path  # root and issuing CA: a company's CA bundle
    leaf: Path
    leaf_key: Path


@pytest.fixture(scope="module")
def pki(openssl: str, tmp_path_factory: pytest.TempPathFactory) -> Pki:
    d = tmp_path_factory.mktemp("company-pki")
    root, root_key = d / "root.pem", d / "root.key"
    openssl_run(
        openssl, "req", "-x509", *EC, "-keyout", str(root_key), "-passout", f"pass:{CA_PASSWORD}",
        "-out", str(root), "-days", "30", "-subj", "/O=Contoso/CN=Contoso Dev Root",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    issuing, issuing_key, csr = d / "issuing.pem", d / "issuing.key", d / "issuing.csr"
    openssl_run(
        openssl, "req", "-new", *EC, "-nodes", "-keyout", str(issuing_key), "-out", str(csr),
        "-subj", "/O=Contoso/CN=Contoso Issuing CA 1",
    )  # fmt: skip
    (d / "ext.cnf").write_text(CA_EXTENSIONS)
    openssl_run(
        openssl, "x509", "-req", "-in", str(csr), "-CA", str(root), "-CAkey", str(root_key),
        "-passin", f"pass:{CA_PASSWORD}", "-set_serial", "4242", "-days", "30",
        "-extfile", str(d / "ext.cnf"), "-extensions", "ca", "-out", str(issuing),
    )  # fmt: skip
    leaf, leaf_key = d / "leaf.pem", d / "leaf.key"
    openssl_run(
        openssl, "req", "-x509", *EC, "-nodes", "-keyout", str(leaf_key), "-out", str(leaf),
        "-days", "30", "-subj", "/CN=not-a-ca.contoso.com",
        "-addext", "basicConstraints=critical,CA:FALSE",
    )  # fmt: skip
    bundle, cas = d / "issuing-bundle.pem", d / "company-cas.pem"
    bundle.write_bytes(issuing.read_bytes() + root.read_bytes())
    cas.write_bytes(root.read_bytes() + issuing.read_bytes())
    return Pki(root, root_key, issuing, issuing_key, bundle, cas, leaf, leaf_key)


def certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def chain_command(out: Path, *more: str | Path) -> list[str | Path]:
    return ["chain", out, "--host-name", HOST, "--key-type", "ec-p256", *more]


def test_leaves_from_a_root_whose_key_is_encrypted(openssl: str, tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "pki"
    result = run(
        *chain_command(
            out, "--ca-cert", pki.root, "--ca-key", pki.root_key,
            "--ca-key-password", "env:CA_PW", "--password", "env:PFX_PW",
            "--client", "alice@contoso.com",
        ),
        env={"CA_PW": CA_PASSWORD, "PFX_PW": PFX_PASSWORD},
    )  # fmt: skip
    assert result.returncode == 0, result.output
    assert "issued by CN=Contoso Dev Root,O=Contoso" in result.stdout
    assert certificate(out / "root.cer") == certificate(pki.root)
    server = certificate(out / "server.cer")
    assert server.issuer == certificate(pki.root).subject
    verified = openssl_run(
        openssl, "verify", "-CAfile", str(out / "root.cer"), "-purpose", "sslserver",
        str(out / "server.cer"),
    )  # fmt: skip
    assert verified.strip().endswith(b": OK")
    client = load_pfx(out / "client-alice_contoso.com.pfx", PFX_PASSWORD)
    assert client.certificate is not None
    assert client.chain == (certificate(pki.root),)
    store = v.Store([certificate(pki.root)])
    verifier = v.PolicyBuilder().store(store).time(datetime.now(UTC)).build_client_verifier()
    assert verifier.verify(client.certificate, []).subjects == [
        x509.RFC822Name("alice@contoso.com")
    ]
    assert mode(out / "server.key") == 0o600


def test_leaves_from_an_issuing_ca_verify_and_complete_a_handshake(
    openssl: str, tmp_path: Path, pki: Pki
) -> None:
    out = tmp_path / "pki"
    result = run(
        *chain_command(
            out, "--ca-cert", pki.issuing_bundle, "--ca-key", pki.issuing_key,
            "--password", "env:PFX_PW",
        ),
        env={"PFX_PW": PFX_PASSWORD},
    )  # fmt: skip
    assert result.returncode == 0, result.output
    assert certificate(out / "root.cer") == certificate(pki.root)  # the root, not the issuing CA
    presented = x509.load_pem_x509_certificates((out / "server-chain.pem").read_bytes())
    assert presented[1:] == [certificate(pki.issuing)]
    verified = openssl_run(
        openssl, "verify", "-CAfile", str(out / "root.cer"),
        "-untrusted", str(out / "server-chain.pem"), str(out / "server.cer"),
    )  # fmt: skip
    assert verified.strip().endswith(b": OK")
    listener = load_pfx(out / "server.pfx", PFX_PASSWORD)
    assert listener.certificate is not None
    assert listener.chain == (certificate(pki.issuing), certificate(pki.root))
    store = v.Store([certificate(pki.root)])
    path = (
        v.PolicyBuilder()
        .store(store)
        .time(datetime.now(UTC))
        .build_server_verifier(x509.DNSName(HOST))
        .verify(listener.certificate, list(listener.chain))
    )
    assert path[-1] == certificate(pki.root)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(out / "server-chain.pem", out / "server.key")
    client = client_context(tmp_path, (out / "root.cer").read_bytes(), ssl.TLSVersion.TLSv1_3, None)
    outcome, answer = handshake(server, client, HOST)
    assert outcome.error is None, outcome.error
    assert answer == "TLSv1.3"


@pytest.mark.parametrize(
    ("given", "not_before", "not_after"),
    [
        ("2026-01-31T10:00+02:00", "Jan 31 08:00:00 2026 GMT", "Feb 10 08:00:00 2026 GMT"),
        ("2026-01-31", "Jan 31 00:00:00 2026 GMT", "Feb 10 00:00:00 2026 GMT"),  # UTC
        ("2030-06-01T12:30:00Z", "Jun  1 12:30:00 2030 GMT", "Jun 11 12:30:00 2030 GMT"),
    ],
)
def test_valid_days_and_not_before(
    openssl: str, tmp_path: Path, given: str, not_before: str, not_after: str
) -> None:
    out = tmp_path / "pki"
    result = run(
        *chain_command(out, "--valid-days", "10", "--not-before", given, "--password", "pass:Pw12")
    )
    assert result.returncode == 0, result.output
    for name in ("server.cer", "root.cer"):
        dates = openssl_run(openssl, "x509", "-noout", "-dates", "-in", str(out / name)).decode()
        assert f"notBefore={not_before}" in dates
        assert f"notAfter={not_after}" in dates


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--valid-days", "0"], ["--valid-days", "expected 1 to"]),
        (["--not-before", "31/01/2026"], ["--not-before", "ISO date"]),
        (["--valid-days", "36500", "--not-before", "9990-01-01"], ["window must lie within"]),
    ],
)
def test_bad_validity_is_a_usage_error(
    tmp_path: Path, options: list[str], words: list[str]
) -> None:
    out = tmp_path / "pki"
    assert_usage_error(run(*chain_command(out, *options, "--password", "pass:Pw12")), *words)
    assert not out.exists()


def test_refuses_a_ca_that_cannot_issue(tmp_path: Path, pki: Pki) -> None:
    out = tmp_path / "pki"
    env = {"CA_PW": CA_PASSWORD}
    cases: list[tuple[list[str | Path], list[str]]] = [
        (["--ca-cert", pki.root], ["--ca-cert and --ca-key go together"]),
        (["--ca-cert", pki.root, "--ca-key", pki.leaf_key], ["matches no certificate"]),
        (["--ca-cert", pki.leaf, "--ca-key", pki.leaf_key], ["not a CA certificate"]),
        (["--ca-cert", pki.issuing, "--ca-key", pki.issuing_key], ["intermediate CA", "root"]),
        (["--ca-cert", pki.root, "--ca-key", pki.root_key], ["encrypted", "--ca-key-password"]),
        (
            ["--ca-cert", pki.issuing_bundle, "--ca-key", pki.issuing_key, "--intermediates", "1"],
            ["pathlen"],
        ),
        (["--ca-cert", tmp_path / "missing.pem", "--ca-key", pki.root_key], ["no such file"]),
    ]
    for options, words in cases:
        result = run(*chain_command(out, *options, "--password", "pass:Pw12"), env=env)
        assert_usage_error(result, *words)
        assert not out.exists()
    wrong = run(
        *chain_command(
            out, "--ca-cert", pki.root, "--ca-key", pki.root_key,
            "--ca-key-password", "pass:WrongPass1", "--password", "pass:Pw12",
        )
    )  # fmt: skip
    assert wrong.returncode == 2, wrong.output
    assert "password" in wrong.stderr
    assert not out.exists()


def test_extract_root_finds_the_root_in_a_company_bundle(
    openssl: str, tmp_path: Path, pki: Pki
) -> None:
    out = tmp_path / "pki"
    made = run(*chain_command(out, "--ca-cert", pki.issuing_bundle, "--ca-key", pki.issuing_key))
    assert made.returncode == 0, made.output
    leaf = out / "server.cer"  # the leaf alone: the root is nowhere in it
    without = run("extract", "root", leaf)
    assert_usage_error(without, "no root found")
    root_cer = tmp_path / "root.cer"
    result = run("extract", "root", leaf, "--ca", pki.company_cas, "-o", root_cer)
    assert result.returncode == 0, result.output
    assert certificate(root_cer) == certificate(pki.root)
    verified = openssl_run(
        openssl, "verify", "-CAfile", str(root_cer), "-untrusted", str(pki.issuing), str(leaf)
    )
    assert verified.strip().endswith(b": OK")
    printed = run("extract", "root", out / "server-chain.pem", "--ca", pki.root)
    assert printed.returncode == 0, printed.output
    assert x509.load_pem_x509_certificate(printed.stdout.encode()) == certificate(pki.root)
    assert_usage_error(run("extract", "auth", leaf, "--ca", pki.company_cas), "--ca")
    assert_usage_error(run("extract", "root", leaf, "--ca", pki.leaf_key), "--ca")
