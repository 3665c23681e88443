"""Several gateways in one document: the REST list (``{"value": [...], "nextLink"}``,
the REST specification's own example) and Azure Resource Graph's answer (``az graph
query``: ``{"count", "data", "skip_token", "total_records"}``). Each gateway reads
and audits as it would alone; pages left out are said, not fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from appgw_certs import (
    CertificateFormatError,
    GatewayAudit,
    KeyType,
    Sku,
    TestChain,
    audit_gateway,
    build_test_chain,
)
from appgw_certs._gateway.document import (
    gateway_sources,
    load_json,
    read_gateway,
    read_gateways,
)
from helpers.damage import audit_each, damaged
from helpers.gateway import GatewayBuilder, shape_findings

DATA = Path(__file__).parents[1] / "data"
SPEC_LIST = DATA / "graph" / "rest-spec-2025-03-01-ApplicationGatewayList.response.json"
SPEC_GET = DATA / "gateway-examples" / "rest-spec-2025-03-01-ApplicationGatewayGet.response.json"
GRAPH = DATA / "graph" / "az-graph-query.json"
NEXT_LINK = (
    "https://management.azure.com/subscriptions/sub/providers/Microsoft.Network/"
    "applicationGateways?api-version=2025-03-01&$skiptoken=abc"
)


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def gateway(chain: TestChain, name: str) -> GatewayBuilder:
    """A v2 gateway whose listener admits a host its certificate does not cover."""
    g = GatewayBuilder(name=name)
    g.listener_cert("www-cert", certs=[chain.server.certificate, chain.issuer.certificate])
    g.add(
        "httpListeners",
        "www",
        protocol="Https",
        hostNames=["www.contoso.com", "shop.fabrikam.com"],
        sslCertificate=g.ref("sslCertificates", "www-cert"),
    )
    return g


def graph_row(body: dict[str, object]) -> dict[str, object]:
    """A REST body as Resource Graph returns it: lower-case type, its own columns, and
    ``sku`` as a column left empty (the gateway's SKU is in ``properties``)."""
    return {
        **body,
        "type": str(body["type"]).lower(),
        "resourceGroup": "rg",
        "subscriptionId": "sub",
        "tenantId": "tenant",
        "kind": "",
        "managedBy": "",
        "sku": None,
        "plan": None,
        "identity": None,
        "zones": None,
        "tags": None,
    }


# -- the REST list ------------------------------------------------------------------------


def test_rest_spec_list_example_audits_as_its_get_example() -> None:
    """The specification's List and Get examples describe the same gateway."""
    sources = gateway_sources(load_json(SPEC_LIST))
    assert (sources.kind, len(sources.items), sources.notes) == ("rest-list", 1, ())
    listed = audit_gateway(SPEC_LIST)
    alone = audit_gateway(SPEC_GET)
    assert listed.gateway == alone.gateway == "appgw"
    assert listed.sku is Sku.STANDARD
    assert at(listed, "GW013") == {
        "sslCertificates[sslcert]",
        "trustedClientCertificates[clientcert]",
    }
    same = {"GW013", "GEN006"}
    assert {f for f in shape_findings(listed.report.findings) if f[0] in same} == {
        f for f in shape_findings(alone.report.findings) if f[0] in same
    }


def test_rest_list_of_two_with_next_link(chain: TestChain) -> None:
    page = {
        "value": [gateway(chain, "gw1").rest(), gateway(chain, "gw2").rest()],
        "nextLink": NEXT_LINK,
    }
    sources = gateway_sources(page)
    assert sources.kind == "rest-list"
    assert sources.next_link == NEXT_LINK
    assert sources.notes == (
        f"the list continues at nextLink ({NEXT_LINK}): more gateways were not audited",
    )
    gateways = read_gateways(page)
    assert [d.name for d in gateways.documents] == ["gw1", "gw2"]
    assert gateways.notes == sources.notes
    for item in sources.items:
        assert at(audit_gateway(item), "GW001") == {"httpListeners[www]"}  # type: ignore[arg-type]
    with pytest.raises(CertificateFormatError, match="holds 2 application gateways"):
        audit_gateway(page)


def test_one_gateway_page_reads_directly_and_keeps_the_note(chain: TestChain) -> None:
    page = {"value": [gateway(chain, "gw1").rest()], "nextLink": NEXT_LINK}
    doc = read_gateway(page)
    assert doc.name == "gw1"
    assert doc.shape == "rest"
    assert doc.notes == gateway_sources(page).notes
    assert at(audit_gateway(page), "GW001") == {"httpListeners[www]"}


def test_empty_pages_hold_no_gateway() -> None:
    for empty in ({"value": []}, {"count": 0, "data": [], "skip_token": None, "total_records": 0}):
        assert read_gateways(empty).documents == ()
        assert gateway_sources(empty).notes == ()
        with pytest.raises(CertificateFormatError, match="no application gateway"):
            audit_gateway(empty)


def test_a_json_array_is_still_a_list_of_gateways(chain: TestChain) -> None:
    array = [gateway(chain, "gw1").cli(), gateway(chain, "gw2").cli()]
    sources = gateway_sources(array)
    assert sources.kind == "array"
    assert len(sources.items) == 2
    assert [d.name for d in read_gateways(array).documents] == ["gw1", "gw2"]
    with pytest.raises(CertificateFormatError, match="not one gateway"):
        read_gateway(array)


# -- Resource Graph -------------------------------------------------------------------------


def test_graph_query_fixture() -> None:
    answer = load_json(GRAPH)
    gateways = read_gateways(answer)
    assert [(d.name, d.sku) for d in gateways.documents] == [
        ("appgw-weu", Sku.WAF_V2),
        ("appgw-neu", Sku.STANDARD),
    ]
    assert len(gateways.notes) == 1
    assert "skip_token" in gateways.notes[0]
    weu, neu = (audit_gateway(item) for item in gateway_sources(answer).items)  # type: ignore[arg-type]
    assert at(weu, "KV005") == {"sslCertificates[api-kv]"}  # in GW012's place
    assert at(weu, "GW013") == {"sslCertificates[api-kv]", "trustedRootCertificates[internal-root]"}
    assert at(neu, "GW002") == {"backendHttpSettingsCollection[legacy-be]"}
    with pytest.raises(CertificateFormatError, match="holds 2"):
        read_gateway(answer)


def test_graph_rows_audit_as_their_rest_bodies(chain: TestChain) -> None:
    bodies = [gateway(chain, "gw1").rest(), gateway(chain, "gw2").rest()]
    answer = {
        "count": 2,
        "data": [graph_row(b) for b in bodies],
        "skip_token": None,
        "total_records": 2,
    }
    sources = gateway_sources(answer)
    assert (sources.kind, sources.notes) == ("graph", ())
    for row, body in zip(sources.items, bodies, strict=True):
        from_row, from_body = audit_gateway(row), audit_gateway(body)  # type: ignore[arg-type]
        assert from_row.sku is Sku.STANDARD_V2  # the empty "sku" column hides nothing
        assert shape_findings(from_row.report.findings) == shape_findings(from_body.report.findings)
        assert at(from_row, "GW001") == {"httpListeners[www]"}


@pytest.mark.parametrize(
    "paging",
    [
        {"skipToken": "token"},
        {"totalRecords": 5},
        {"resultTruncated": "true"},
        {"skip_token": "token"},
    ],
)
def test_graph_pages_left_out_are_noted(chain: TestChain, paging: dict[str, object]) -> None:
    answer = {"count": 1, "data": [graph_row(gateway(chain, "gw1").rest())], **paging}
    assert len(gateway_sources(answer).notes) == 1
    assert read_gateway(answer).notes == gateway_sources(answer).notes


def test_a_graph_answer_quoted_as_a_response_body(chain: TestChain) -> None:
    answer = {"count": 1, "data": [graph_row(gateway(chain, "gw1").rest())]}
    wrapped = {"responses": {"200": {"body": answer}}}
    assert gateway_sources(wrapped).kind == "graph"
    assert read_gateway(wrapped).name == "gw1"


# -- damaged pages -------------------------------------------------------------------------------


@settings(max_examples=60)
@given(damaged(load_json(GRAPH)))
def test_damaged_graph_answers_give_reports_or_format_errors(broken: object) -> None:
    audit_each(broken)


@settings(max_examples=60)
@given(damaged(load_json(SPEC_LIST)))
def test_damaged_rest_lists_give_reports_or_format_errors(broken: object) -> None:
    audit_each(broken)
