"""``appgw-certs audit``: files and stdin, lists in parallel, parameters, exit status."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from appgw_certs import KeyType, TestChain, audit_gateway, build_test_chain
from appgw_certs._cli.main import main
from helpers.gateway import GatewayBuilder, b64

PASSWORD = "Passw0rd1"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def gateway(chain: TestChain, host: str, name: str = "gw") -> GatewayBuilder:
    g = GatewayBuilder(name=name)
    full = [chain.server.certificate, *(c.certificate for c in chain.intermediates)]
    g.listener_cert("web-cert", full, chain.listener_pfx(PASSWORD), PASSWORD)
    g.add(
        "httpListeners",
        "web",
        protocol="Https",
        hostName=host,
        sslCertificate=g.ref("sslCertificates", "web-cert"),
    )
    return g


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["audit", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_clean_gateway_exits_0(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(gateway(chain, "www.contoso.com").cli()))
    status, out, err = run([str(path)], capsys)
    assert status == 0, out
    assert "Gateway gw (Standard_v2)" in out
    assert "web-cert" in out
    assert err == ""


def test_errors_exit_1_and_json(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(gateway(chain, "api.fabrikam.com").rest()))
    status, out, _ = run([str(path), "--json"], capsys)
    assert status == 1
    data = json.loads(out)
    assert data["gateway"] == "gw"
    assert [f["location"] for f in data["report"]["findings"] if f["code"] == "GW001"] == [
        "httpListeners[web]"
    ]


def test_days_option(tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(gateway(chain, "www.contoso.com").cli()))
    left = (
        chain.server.certificate.not_valid_after_utc - chain.server.certificate.not_valid_before_utc
    )
    _, short, _ = run([str(path), "--json", "--days", "1"], capsys)
    _, long, _ = run([str(path), "--json", "--days", str(left.days + 2)], capsys)
    assert "GEN003" not in {f["code"] for f in json.loads(short)["report"]["findings"]}
    assert "GEN003" in {f["code"] for f in json.loads(long)["report"]["findings"]}
    assert left > timedelta(days=2)


@pytest.mark.parametrize("days", ["-1", "soon", "1.5"])
def test_days_must_be_a_whole_number_of_zero_or_more(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(gateway(chain, "www.contoso.com").cli()))
    with pytest.raises(SystemExit) as exit_info:  # argparse's usage error
        main(["audit", str(path), "--days", days])
    out, err = capsys.readouterr()
    assert (exit_info.value.code, out) == (2, "")
    assert "--days" in err
    assert "Traceback" not in err


def test_overview_counts_objects_in_words(tmp_path: Path, chain: TestChain) -> None:
    one = audit_gateway(gateway(chain, "www.contoso.com").cli())
    assert len(one.certificates) == 1
    assert "1 certificate object" in str(one)
    assert "1 certificate objects" not in str(one)


def test_template_with_parameters_file(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    g = gateway(chain, "www.contoso.com")
    template, params = tmp_path / "t.json", tmp_path / "t.parameters.json"
    template.write_text(json.dumps(g.arm()))
    params.write_text(json.dumps(g.arm_parameters()))
    _, without, _ = run([str(template), "--json"], capsys)
    status, with_file, _ = run([str(template), "--parameters", str(params), "--json"], capsys)
    assert "GW013" in {f["code"] for f in json.loads(without)["report"]["findings"]}
    assert status == 0
    assert json.loads(with_file)["certificates"][0]["certificates"]


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"tags": {}}', "42", '"text"'])
def test_not_a_gateway_exits_2(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    status, _out, err = run([str(path)], capsys)
    assert status == 2
    assert err.startswith("appgw-certs: error:")
    assert "Traceback" not in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run([str(tmp_path / "missing.json")], capsys)
    assert status == 2
    assert "missing.json" in err


def test_stdin_list_in_parallel(chain: TestChain) -> None:
    """A real process reading stdin; 20 gateways are audited by worker processes."""
    items = [
        gateway(chain, "www.contoso.com" if i % 2 else "bad.fabrikam.com", f"gw{i}").cli()
        for i in range(20)
    ]
    done = subprocess.run(
        [sys.executable, "-m", "appgw_certs", "audit", "-", "--json"],
        input=json.dumps(items).encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert [d["gateway"] for d in data] == [f"gw{i}" for i in range(20)]  # order kept
    failing = [d["gateway"] for d in data if not d["report"]["ok"]]
    assert failing == [f"gw{i}" for i in range(0, 20, 2)]
    assert b"audited" not in done.stderr  # no progress line without a terminal


def test_list_with_a_non_gateway_item(
    chain: TestChain, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([gateway(chain, "www.contoso.com").cli(), {"nothing": 1}]))
    status, out, err = run([str(path), "--json"], capsys)
    assert status == 1  # the worst report: item 1's GEN001 error
    assert err == ""
    first, second = json.loads(out)
    assert first["report"]["ok"]
    assert [f["code"] for f in second["report"]["findings"]] == ["GEN001"]
    assert "item 1" in second["report"]["findings"][0]["message"]


def test_key_vault_and_placeholder_are_not_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = GatewayBuilder()
    g.add("sslCertificates", "kv", keyVaultSecretId="https://v.vault.azure.net/secrets/web/")
    g.add("trustedRootCertificates", "p", data="****")
    g.add("trustedRootCertificates", "junk", data=b64(b"junk"))
    path = tmp_path / "gw.json"
    path.write_text(json.dumps(g.cli()))
    status, out, _ = run([str(path), "--json"], capsys)
    codes = {(f["code"], f["location"]) for f in json.loads(out)["report"]["findings"]}
    assert ("GW013", "sslCertificates[kv]") in codes
    assert ("GW013", "trustedRootCertificates[p]") in codes
    assert ("GEN001", "trustedRootCertificates[junk]") in codes
    assert status == 1  # the junk root is an error; the unknowns are not


def test_progress_line_only_on_a_terminal(chain: TestChain, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(
        json.dumps([gateway(chain, "www.contoso.com", f"g{i}").cli() for i in range(3)])
    )
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "appgw_certs", "audit", str(path), "--json"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            check=False,
            timeout=120,
        )
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    assert done.returncode == 0
    assert b"audited 3/3 gateways" in seen
    assert len(json.loads(done.stdout)) == 3


def test_empty_list_is_not_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]")
    status, out, err = run([str(path), "--json"], capsys)
    assert status == 0
    assert json.loads(out) == []
    assert "no gateways" in err


def test_ssl_cert_list_output_is_one_gateway(
    chain: TestChain, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = gateway(chain, "www.contoso.com").cli()["sslCertificates"]
    assert isinstance(items, list)
    path = tmp_path / "certs.json"
    path.write_text(
        json.dumps(
            [{**i, "type": "Microsoft.Network/applicationGateways/sslCertificates"} for i in items]
        )
    )
    status, out, _ = run([str(path), "--json"], capsys)
    data = json.loads(out)
    assert isinstance(data, dict)
    assert [c["name"] for c in data["certificates"]] == ["web-cert"]
    assert status == 0


#: Entries no gateway is made of, at three places in a list of 20.
BROKEN: dict[int, object] = {
    4: ["not", "a", "gateway"],
    13: 42,
    17: {"name": "gw-broken", "properties": "not an object"},
}


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_list_never_sinks_for_one_entry(
    chain: TestChain, tmp_path: Path, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    """Each unreadable entry is a GEN001 report of its own, the 17 others are audited as
    usual, in order, and the exit status is the worst report's (1, an error)."""
    items: list[object] = [gateway(chain, "www.contoso.com", f"gw{i}").cli() for i in range(20)]
    for position, entry in BROKEN.items():
        items[position] = entry
    path = tmp_path / "list.json"
    path.write_text(json.dumps(items))
    status, out, err = run([str(path), *(["--json"] if as_json else [])], capsys)
    assert (status, err) == (1, "")
    if as_json:
        audits = json.loads(out)
        names = [a["gateway"] for a in audits]
        errors = [[f["code"] for f in a["report"]["findings"] if f["severity"] == "error"]
                  for a in audits]  # fmt: skip
        assert all(a["report"]["ok"] for i, a in enumerate(audits) if i not in BROKEN)
    else:
        blocks = out.split("\n\nGateway ")
        names = [b.removeprefix("Gateway ").split(" (")[0] for b in blocks]
        errors = [["GEN001"] if "error    GEN001" in b else [] for b in blocks]
        assert all(b.count("OK  ") == 1 for i, b in enumerate(blocks) if i not in BROKEN)
    expected = [f"gw{i}" for i in range(20)]
    expected[4], expected[13], expected[17] = "item 4", "item 13", "gw-broken"
    assert names == expected
    assert [i for i, codes in enumerate(errors) if codes] == sorted(BROKEN)
    assert all(errors[i] == ["GEN001"] for i in BROKEN)
