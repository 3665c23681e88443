"""``--format html`` and ``-o FILE`` on the command line: check, backend, client, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from appgw_certs import KeyType, TestChain, build_test_chain
from helpers.cli import run
from helpers.gateway import GatewayBuilder, b64
from helpers.markup import of_class, parsed, svgs

PASSWORD = "Secret123"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def _roles(markup: str) -> list[list[str | None]]:
    return [
        [g.get("data-role") for g in of_class(svg, "g", "cert")]
        for svg in svgs(markup)
        if svg.get("class") == "chain"
    ]


def test_audit_writes_one_page_to_the_output_file(chain: TestChain, tmp_path: Path) -> None:
    g = GatewayBuilder(name="gw")
    g.listener_cert("web-cert", [chain.server.certificate, chain.intermediates[0].certificate])
    der = chain.root.certificate.public_bytes(serialization.Encoding.DER)
    g.add("trustedRootCertificates", "root-a", data=b64(der))
    source = tmp_path / "gw.json"
    source.write_text(json.dumps(g.rest()))
    out = tmp_path / "report.html"
    result = run("audit", source, "--format", "html", "-o", out, module=True)
    assert result.returncode == 0, result.output
    assert result.stdout == ""
    markup = out.read_text(encoding="utf-8")
    page = parsed(markup)
    assert page.texts("h1")[0] == f"appgw-certs report: {source}"
    (timeline,) = [s for s in svgs(markup) if s.get("class") == "timeline"]
    assert len(of_class(timeline, "rect", "bar")) == 2
    assert ["intermediate", "listener-leaf"] in _roles(markup)
    rows = [a for a in page.named("tr") if a.get("class") == "finding"]
    assert {r["data-code"] for r in rows} == {"GW003"}  # both objects are unused
    # an existing file is kept unless --force
    again = run("audit", source, "--format", "html", "-o", out, module=True)
    assert again.returncode == 2
    assert out.read_text(encoding="utf-8") == markup
    forced = run("audit", source, "--format", "html", "-o", out, "--force", module=True)
    assert forced.returncode == 0, forced.output


def test_a_list_of_gateways_shows_the_fleet(chain: TestChain, tmp_path: Path) -> None:
    gateways = []
    for name in ("gw-a", "gw-b"):
        g = GatewayBuilder(name=name)
        g.listener_cert("web-cert", [chain.server.certificate])
        gateways.append(g.rest())
    source = tmp_path / "list.json"
    source.write_text(json.dumps(gateways))
    result = run("audit", source, "--format", "html", module=True)
    assert result.returncode == 0, result.output
    timelines = [s for s in svgs(result.stdout) if s.get("class") == "timeline"]
    assert len(timelines) == 3  # the fleet's, then each gateway's
    assert len(of_class(timelines[0], "rect", "bar")) == 2
    page = parsed(result.stdout)
    locations = " ".join(page.text)
    assert "gw-a: sslCertificates[web-cert]" in locations


def test_check_listener_page_draws_the_pfx_chain(chain: TestChain, tmp_path: Path) -> None:
    pfx = tmp_path / "listener.pfx"
    pfx.write_bytes(chain.listener_pfx(PASSWORD))
    result = run(
        "check", "listener", pfx, "--sku", "v2", "--password", f"pass:{PASSWORD}",
        "--format", "html", module=True,
    )  # fmt: skip
    assert result.returncode == 0, result.output
    assert _roles(result.stdout) == [["root", "intermediate", "listener-leaf"]]
    assert parsed(result.stdout).named("section")[0]["id"] == "summary"


def test_check_draws_the_gap_the_report_names(chain: TestChain, tmp_path: Path) -> None:
    pfx = tmp_path / "leaf-only.pfx"
    pfx.write_bytes(chain.server.pfx(PASSWORD))
    result = run(
        "check", "listener", pfx, "--sku", "v2", "--password", f"pass:{PASSWORD}",
        "--format", "html", module=True,
    )  # fmt: skip
    (svg,) = [s for s in svgs(result.stdout) if s.get("class") == "chain"]
    assert [g.get("data-code") for g in of_class(svg, "g", "gap")] == ["LST008"]
    rows = [a for a in parsed(result.stdout).named("tr") if a.get("class") == "finding"]
    assert "LST008" in {r["data-code"] for r in rows}


def test_backend_and_client_pages(chain: TestChain, tmp_path: Path) -> None:
    backend = tmp_path / "backend.pem"
    backend.write_bytes(chain.backend_chain_pem())
    root = tmp_path / "root.cer"
    root.write_bytes(chain.trusted_root_cer())
    result = run(
        "backend", backend, "--sku", "v2", "--trusted-root", root,
        "--host-name", "www.contoso.com", "--format", "html", module=True,
    )  # fmt: skip
    assert result.returncode == 0, result.output
    assert _roles(result.stdout) == [["intermediate", "leaf"]]
    client = chain.issue_client("alice")
    leaf = tmp_path / "client.pem"
    leaf.write_bytes(client.cer() + chain.intermediates[0].cer())
    ca = tmp_path / "ca.pem"
    ca.write_bytes(chain.client_ca_cer())
    out = tmp_path / "client.html"
    result = run("client", leaf, "--client-ca", ca, "--format", "html", "-o", out, module=True)
    assert result.returncode == 0, result.output
    assert _roles(out.read_text(encoding="utf-8")) == [["intermediate", "leaf"]]
