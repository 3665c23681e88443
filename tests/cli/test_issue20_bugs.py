"""Regressions from the issue "The command line and reports, made for CI pipelines and for
people", through the installed entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appgw_certs import KeyType, build_test_chain
from appgw_certs._cli.main import main
from helpers.cli import assert_usage_error, run
from helpers.gateway import GatewayBuilder

HOST = "www.contoso.com"
PASSWORD = "Issue20Secret"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("issue20") / "pki"
    result = run("chain", directory, "--host-name", HOST, "--key-type", "ec-p256",
                 "--password", "env:PW", env={"PW": PASSWORD}, secrets=[PASSWORD])  # fmt: skip
    assert result.returncode == 0, result.output
    return directory


def test_v1_backend_details_do_not_claim_a_match_that_failed(pki: Path) -> None:
    wrong = run("backend", pki / "server-chain.pem", "--sku", "Standard",
                "--auth-cert", pki / "root.cer")  # fmt: skip
    assert wrong.returncode == 1, wrong.output
    assert "BE008" in wrong.stdout
    assert "matched exactly" not in wrong.output
    report = json.loads(
        run("backend", pki / "server-chain.pem", "--sku", "Standard",
            "--auth-cert", pki / "root.cer", "--json").stdout
    )  # fmt: skip
    assert "BE008" in {f["code"] for f in report["findings"]}
    anchors = str(report["details"]["trust anchors"])
    assert "compared byte for byte" in anchors


@pytest.mark.parametrize(
    ("verb", "option"),
    [
        ("check", "--host-name"),
        ("backend", "--host-name"),
        ("chain", "--host-name"),
        ("quickstart", "--host-name"),
        ("quickstart", "--backend-host-name"),
    ],
)
def test_help_spells_host_name_one_way(verb: str, option: str) -> None:
    shown = run(verb, "--help")
    assert shown.returncode == 0, shown.output
    assert option in shown.stdout
    assert "hostname" not in shown.stdout  # the old spelling is a hidden alias


@pytest.mark.parametrize("spelling", ["--host-name", "--hostname"])
def test_check_and_backend_take_either_spelling(pki: Path, spelling: str) -> None:
    def listener(name: str) -> set[str]:
        check = run("check", "listener", pki / "server.pfx", "--sku", "v2", "--password",
                    "env:PW", spelling, name, "--json", env={"PW": PASSWORD},
                    secrets=[PASSWORD])  # fmt: skip
        return {f["code"] for f in json.loads(check.stdout)["findings"]}

    assert "LST009" not in listener(HOST)
    assert "LST009" in listener("other.example")  # the name given was checked
    backend = run("backend", pki / "server-chain.pem", "--sku", "v2", spelling, "other.example",
                  "--trusted-root", pki / "root.cer", "--json")  # fmt: skip
    assert backend.returncode == 1, backend.output
    report = json.loads(backend.stdout)
    assert "BE007" in {f["code"] for f in report["findings"]}  # the name given was used


def test_chain_takes_either_spelling_and_needs_one(tmp_path: Path) -> None:
    new = run("chain", tmp_path / "new", "--host-name", "a.example", "--key-type", "ec-p256")
    assert new.returncode == 0, new.output
    old = run("chain", tmp_path / "old", "--hostname", "a.example", "--key-type", "ec-p256")
    assert old.returncode == 0, old.output
    assert_usage_error(run("chain", tmp_path / "none", "--key-type", "ec-p256"), "--host-name")
    assert not (tmp_path / "none").exists()


def test_the_audit_table_has_column_headers(tmp_path: Path) -> None:
    chain = build_test_chain([HOST], key_type=KeyType.EC_P256)
    g = GatewayBuilder(name="gw")
    g.listener_cert("web-cert", [chain.server.certificate], chain.listener_pfx(PASSWORD), PASSWORD)
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(g.cli()))
    result = run("audit", path)
    lines = result.stdout.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("Gateway gw"))
    header, row = lines[title + 1], lines[title + 2]
    assert header.split() == ["expires", "days", "slot", "name", "subject", "used", "by"]
    assert "web-cert" in row
    # the fixed-width columns sit under their headers
    assert row.index("listener") == header.index("slot")
    expires = f"{chain.server.certificate.not_valid_after_utc:%Y-%m-%d}"
    assert row.index(expires) == header.index("expires")


def test_inspect_json_help_names_what_it_prints(pki: Path) -> None:
    shown = run("inspect", "--help")
    assert "to_dict" not in shown.stdout
    printed = json.loads(run("inspect", pki / "root.cer", "--json").stdout)
    help_text = " ".join(shown.stdout.split())
    for key in printed:
        assert f'"{key}"' in help_text
    assert {"file", "pfx", "certificates"} <= set(printed)


def test_check_takes_the_az_cli_slot_names_and_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check root-cert FILE` is `check trusted-root FILE`; `--days N` moves GEN003's
    threshold as it does for audit."""
    from appgw_certs import build_test_chain

    chain = build_test_chain(["www.contoso.com"], valid_days=20)
    root = tmp_path / "root.cer"
    root.write_bytes(chain.root.cer())
    assert main(["check", "root-cert", str(root), "--sku", "v2", "--json"]) == 0
    warned = json.loads(capsys.readouterr().out)
    assert "GEN003" in {f["code"] for f in warned["findings"]}  # 20 days left < 30
    assert main(["check", "root-cert", str(root), "--sku", "v2", "--days", "10", "--json"]) == 0
    quiet = json.loads(capsys.readouterr().out)
    assert "GEN003" not in {f["code"] for f in quiet["findings"]}
