"""The Key Vault options of the command line. No test contacts Azure: a reader asks for
a token only when it reads a secret, and these cases read none (or are refused first)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from appgw_certs import KeyType, TestChain, build_test_chain
from appgw_certs._cli.main import build_parser, main
from helpers.gateway import GatewayBuilder


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def test_audit_with_key_vault_and_no_reference_reads_nothing(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    g = GatewayBuilder(name="gw")
    g.listener_cert("www-cert", certs=[chain.server.certificate, chain.issuer.certificate])
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(g.rest()))
    code = main(["audit", str(path), "--key-vault", "--json"])
    out, _ = capsys.readouterr()
    assert code in (0, 1)
    assert json.loads(out)["gateway"] == "gw"


def test_a_certificate_id_is_kv001_without_reading_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "https://contoso.vault.azure.net/certificates/www"
    code = main(
        ["check", "listener", "--sku", "Standard_v2", "--key-vault-secret-id", url, "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["code"] for f in report["findings"]] == ["KV001"]


def test_key_vault_secret_id_is_for_a_listener_without_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "https://contoso.vault.azure.net/secrets/www"
    code = main(["check", "trusted-root", "--sku", "v2", "--key-vault-secret-id", url])
    assert code == 2
    assert "listener" in capsys.readouterr().err


def test_check_without_file_or_secret_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "listener", "--sku", "v2"]) == 2
    assert "FILE" in capsys.readouterr().err


def test_the_options_have_help() -> None:
    parser = build_parser()
    text = parser.parse_args(["audit", "x.json", "--key-vault"])
    assert text.key_vault is True
