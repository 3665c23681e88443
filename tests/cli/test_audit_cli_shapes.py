"""``appgw-certs audit`` on documents that hold several gateways: REST lists, Resource
Graph answers, Terraform plans. One report per gateway, each with the id that ties it
to its gateway; what the document says is missing (nextLink, more rows) is noted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appgw_certs import KeyType, TestChain, build_test_chain
from appgw_certs._cli.main import main
from helpers.gateway import GatewayBuilder

NEXT_LINK = "https://management.azure.com/subscriptions/sub/providers/x?$skiptoken=abc"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def gateway(chain: TestChain, name: str) -> dict[str, object]:
    g = GatewayBuilder(name=name)
    g.listener_cert("www-cert", certs=[chain.server.certificate, chain.issuer.certificate])
    g.add(
        "httpListeners",
        "www",
        protocol="Https",
        hostNames=["www.contoso.com", "shop.fabrikam.com"],  # the second is not covered
        sslCertificate=g.ref("sslCertificates", "www-cert"),
    )
    return g.rest()


def audit_json(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, object, str]:
    code = main(["audit", str(path), "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_rest_list_gives_one_report_per_gateway_with_its_id(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    page = {"value": [gateway(chain, "gw1"), gateway(chain, "gw2")], "nextLink": NEXT_LINK}
    path = tmp_path / "list.json"
    path.write_text(json.dumps(page))
    code, reports, err = audit_json(path, capsys)
    assert code == 1  # GW001 on each: shop.fabrikam.com is not covered
    assert isinstance(reports, list)
    assert [r["gateway"] for r in reports] == ["gw1", "gw2"]
    assert [r["id"] for r in reports] == [page["value"][0]["id"], page["value"][1]["id"]]  # type: ignore[index]
    assert all(r["id"].endswith(f"/applicationGateways/{r['gateway']}") for r in reports)
    assert "nextLink" in err
    assert "more gateways were not audited" in err


def test_graph_answer_rows_are_gateways(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [gateway(chain, f"gw{i}") | {"type": "microsoft.network/applicationgateways"}
            for i in range(3)]  # fmt: skip
    answer = {"count": 3, "data": rows, "skip_token": None, "total_records": 3}
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(answer))
    code, reports, err = audit_json(path, capsys)
    assert code == 1
    assert isinstance(reports, list)
    assert [r["gateway"] for r in reports] == ["gw0", "gw1", "gw2"]
    assert err == ""


def test_an_unreadable_row_is_its_own_report(
    tmp_path: Path, chain: TestChain, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = {"value": [gateway(chain, "gw1"), 42, gateway(chain, "gw3")]}
    path = tmp_path / "list.json"
    path.write_text(json.dumps(answer))
    code, reports, _ = audit_json(path, capsys)
    assert code == 1
    assert isinstance(reports, list)
    assert len(reports) == 3
    broken = reports[1]
    assert broken["id"] == "item 1"
    assert [f["code"] for f in broken["report"]["findings"]] == ["GEN001"]
