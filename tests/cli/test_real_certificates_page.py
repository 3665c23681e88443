"""docs/real-certificates.md: every ``appgw-certs`` command of the page's code blocks is run,
through the installed entry point, on files of the shape the page speaks of, built here:

- Let's Encrypt: ``fullchain.pem`` (leaf + intermediate, no root) and ``privkey.pem``
  (unencrypted PKCS#8), as certbot and acme.sh write them. Nobody can sign as ISRG, so the
  test's own ACME root stands in, added to a copy of certifi's bundle that the command
  runs with (a machine whose store holds it), as ISRG Root X1 is in the real one;
- a company CA: a root and an issuing CA (``company-cas.pem``), a listener certificate
  and key, a backend's presented chain, a client's chain, the root as DER (Windows);
- a development CA as mkcert (a root, its PKCS#8 key) and step (an intermediate with its
  root, an encrypted key, the password in a file) leave it;
- Key Vault: the gateway JSON referencing a secret, and the downloaded secret (a PFX
  without a password).

Commands that contact Azure (``--key-vault``, ``--key-vault-secret-id``) are parsed by
the real parser but not run: the tests never reach Azure. Every other command must
exit 0.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import certifi
import pytest
from cryptography import x509

from appgw_certs import KeyType, build_test_chain
from appgw_certs._cli.main import build_parser
from helpers.cli import run
from helpers.gateway import GatewayBuilder

PAGE = Path(__file__).parents[2] / "docs" / "real-certificates.md"
PFX_PASS = "Listener42"
STEP_PASS = "StepCaPass7"
EC = KeyType.EC_P256
NEEDS_AZURE = ("--key-vault", "--key-vault-secret-id")

Builder = Callable[[Path], dict[str, str]]  # writes the section's files; returns its env


def sections() -> dict[str, list[str]]:
    """The ``appgw-certs`` command lines of each heading's code blocks, in page order."""
    found: dict[str, list[str]] = {}
    heading, fence = "", False
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif fence and line.startswith("appgw-certs "):
            found.setdefault(heading, []).append(line)
    return found


def with_certifi_root(directory: Path, root_pem: bytes) -> dict[str, str]:
    """PYTHONPATH to a copy of certifi whose bundle also holds ``root_pem``."""
    site = directory / ".site"
    package = site / "certifi"
    shutil.copytree(Path(certifi.__file__).parent, package)
    bundle = package / "cacert.pem"
    bundle.write_bytes(bundle.read_bytes() + b"\n" + root_pem)
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def acme(directory: Path) -> dict[str, str]:
    chain = build_test_chain(["www.contoso.com"], key_type=EC, organization="ACME test")
    (directory / "fullchain.pem").write_bytes(chain.backend_chain_pem())
    (directory / "privkey.pem").write_bytes(chain.server.key_pem())
    return {"PFX_PASS": PFX_PASS, **with_certifi_root(directory, chain.trusted_root_cer())}


def company(directory: Path) -> dict[str, str]:
    pki = build_test_chain(["www.contoso.com"], key_type=EC, organization="Contoso")
    issuing = pki.intermediates[0]
    backend = pki.issue_server(["api.contoso.com"])
    alice = pki.issue_client("alice@contoso.com")
    files = {
        "CompanyRoot-der.cer": pki.root.cer("der"),
        "company-cas.pem": pki.root.cer() + issuing.cer(),
        "www.pem": pki.server.cer(),
        "www.key": pki.server.key_pem(),
        "backend-chain.pem": backend.cer() + issuing.cer(),
        "alice.pem": alice.cer() + issuing.cer(),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return {"PFX_PASS": PFX_PASS}


def development_ca(directory: Path) -> dict[str, str]:
    mkcert = build_test_chain(["unused.contoso.com"], intermediates=0, key_type=EC).root
    (directory / "rootCA.pem").write_bytes(mkcert.cer())
    (directory / "rootCA-key.pem").write_bytes(mkcert.key_pem())
    step = build_test_chain(["unused.contoso.com"], intermediates=1, key_type=EC)
    (directory / "ca-chain.pem").write_bytes(step.intermediates[0].cer() + step.root.cer())
    (directory / "intermediate_ca_key").write_bytes(step.intermediates[0].key_pem(STEP_PASS))
    (directory / "ca-password.txt").write_text(STEP_PASS + "\n")
    return {}


def key_vault(directory: Path) -> dict[str, str]:
    chain = build_test_chain(["www.contoso.com"], key_type=EC)
    gateway = GatewayBuilder(name="gw")
    gateway.listener_cert(
        "www", certs=[chain.server.certificate, chain.issuer.certificate],
        key_vault="https://contoso-kv.vault.azure.net/secrets/www",
    )  # fmt: skip
    (directory / "gateway.json").write_text(json.dumps(gateway.rest()))
    (directory / "www.pfx").write_bytes(chain.server.pfx(None, chain=chain.issuer_chain()))
    return {}


BUILDERS: dict[str, Builder] = {
    "Let's Encrypt and other ACME CAs": acme,
    "A corporate or internal CA": company,
    "Test certificates from your own development CA": development_ca,
    "Key Vault-issued certificates": key_vault,
}


def test_every_section_with_commands_has_its_files() -> None:
    assert set(sections()) == set(BUILDERS)
    assert sum(len(commands) for commands in sections().values()) >= 20


@pytest.mark.parametrize("heading", list(BUILDERS))
def test_the_commands_of_the_page_work(tmp_path: Path, heading: str) -> None:
    env = BUILDERS[heading](tmp_path)
    parser = build_parser()
    for line in sections()[heading]:
        args = shlex.split(line)[1:]
        if any(option in args for option in NEEDS_AZURE):
            parsed = parser.parse_args(args)  # SystemExit(2) on a usage error
            assert parsed.verb in ("audit", "check")
            continue
        result = run(*args, cwd=tmp_path, env=env, secrets=[PFX_PASS, STEP_PASS])
        assert result.returncode == 0, (line, result.output)
        assert "error" not in result.stderr.lower(), (line, result.stderr)


def test_the_acme_root_is_found_only_in_the_store_that_holds_it(tmp_path: Path) -> None:
    """The stand-in for ISRG Root X1 matters: without it, ``extract root`` has no root."""
    env = acme(tmp_path)
    without = run("extract", "root", "fullchain.pem", cwd=tmp_path)
    assert without.returncode == 2
    assert "no root found" in without.stderr
    found = run("extract", "root", "fullchain.pem", cwd=tmp_path, env=env)
    assert found.returncode == 0, found.output
    root = x509.load_pem_x509_certificate(found.stdout.encode())
    assert root.subject == root.issuer
    assert "ACME test" in root.subject.rfc4514_string()
