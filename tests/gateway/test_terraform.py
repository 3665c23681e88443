"""Terraform plans and states (``terraform show -json``): every azurerm_application_gateway
of a plan, root module and child modules, audited with the same checks as a REST body,
findings located at the Terraform block's address; values a plan does not hold
(known after apply, sensitive and left out) are unknown, never guessed."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from appgw_certs import (
    CertificateFormatError,
    GatewayAudit,
    KeyType,
    Slot,
    TestChain,
    audit_gateway,
    build_test_chain,
)
from appgw_certs._gateway.document import gateway_sources, read_gateway, read_gateways
from helpers.damage import audit_each, damaged

PLAN = Path(__file__).parents[1] / "data" / "terraform" / "plan-two-gateways.json"
MAIN = "azurerm_application_gateway.main"
EDGE = "module.edge.azurerm_application_gateway.main"
API_PASSWORD = "Api12345"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["api.contoso.com", "legacy.contoso.com"], key_type=KeyType.EC_P256)


def plan_file() -> dict[str, object]:
    plan = json.loads(PLAN.read_text())
    assert isinstance(plan, dict)
    return plan


def resource(plan: dict[str, object], index: int = 1) -> dict[str, object]:
    """The root module's resource ``index`` (1: azurerm_application_gateway.main)."""
    found = plan["planned_values"]["root_module"]["resources"][index]  # type: ignore[index]
    assert isinstance(found, dict)
    return found


def filled_plan(chain: TestChain) -> dict[str, object]:
    """The fixture with the certificates a plan would carry in clear text: built here,
    since certificates written into a file expire."""
    plan = plan_file()
    values = resource(plan)["values"]
    certs = values["ssl_certificate"]  # type: ignore[index]
    certs[0].update(data=b64(chain.listener_pfx(API_PASSWORD)), password=API_PASSWORD)
    certs[2]["data"] = b64(chain.listener_pfx("Legacy123"))  # its password: left out
    values["trusted_root_certificate"][0]["data"] = b64(chain.trusted_root_cer())  # type: ignore[index]
    values["trusted_client_certificate"][0]["data"] = b64(chain.client_ca_cer())  # type: ignore[index]
    return plan


def at(audit: GatewayAudit, code: str) -> set[str | None]:
    return {f.location for f in audit.report.findings if f.code == code}


def block(address: str, kind: str, name: str) -> str:
    return f'{address}.{kind}["{name}"]'


# -- two gateways, root module and child module ------------------------------------------


def test_a_plan_with_two_gateways_reads_as_two(chain: TestChain) -> None:
    plan = filled_plan(chain)
    sources = gateway_sources(plan)
    assert sources.kind == "terraform"
    assert sources.labels == (MAIN, EDGE)
    gateways = read_gateways(plan)
    assert [(d.name, d.address, d.shape) for d in gateways.documents] == [
        ("appgw-main", MAIN, "terraform"),
        ("appgw-edge", EDGE, "terraform"),
    ]
    assert gateways.notes == ()
    main, edge = gateways.documents
    assert (main.sku_name, main.sku_tier, edge.sku_tier) == ("WAF_v2", "WAF_v2", "Standard_v2")
    assert [e.location for e in main.elements("sslCertificates")] == [
        block(MAIN, "ssl_certificate", n) for n in ("api", "kv-wildcard", "legacy")
    ]
    with pytest.raises(CertificateFormatError, match="holds 2 application gateways"):
        audit_gateway(plan)


def test_root_gateway_inline_pfx_key_vault_and_masked_password(chain: TestChain) -> None:
    audit = audit_gateway(gateway_sources(filled_plan(chain)).items[0])
    assert (audit.gateway, audit.sku and audit.sku.value) == ("appgw-main", "WAF_v2")
    # the inline PFX was opened with its password and passes its upload checks
    api = next(c for c in audit.certificates if c.name == "api")
    assert api.slot is Slot.LISTENER
    assert api.used_by == ("api-https",)
    assert api.certificates
    assert "api.contoso.com" in api.certificates[0].subject
    # a Key Vault listener, and a PFX whose password the plan left out: not inspected
    assert at(audit, "GW013") == {
        block(MAIN, "ssl_certificate", "kv-wildcard"),
        block(MAIN, "ssl_certificate", "legacy"),
    }
    # names became ids that resolve: nothing dangles, nothing unused, mTLS profile fine
    assert not at(audit, "GW002")
    assert not at(audit, "GW003")
    assert not at(audit, "GW009")
    used = {c.name: c.used_by for c in audit.certificates}
    assert used["backend-root"] == ("api-be",)
    assert used["clients"] == ("mtls",)
    assert audit.report.ok, str(audit.report)
    assert all(f.location and f.location.startswith(MAIN) for f in audit.report.findings)
    text = audit.to_json() + str(audit)
    assert API_PASSWORD not in text
    assert "Legacy123" not in text


def test_module_gateway_unknown_after_apply_dangling_name_and_probe(chain: TestChain) -> None:
    audit = audit_gateway(gateway_sources(filled_plan(chain)).items[1])
    assert audit.gateway == "appgw-edge"
    assert at(audit, "GW002") == {block(EDGE, "http_listener", "old-https")}
    assert at(audit, "GW006") == {block(EDGE, "probe", "edge-probe")}
    edge = block(EDGE, "ssl_certificate", "edge")
    root = block(EDGE, "trusted_root_certificate", "kv-root")
    assert at(audit, "GW013") == {edge, root}
    assert at(audit, "KV005") == {root}  # a versioned secret id (GW012 before KV005)
    unknown = next(f for f in audit.report.findings if f.location == edge)
    assert "known only after apply" in unknown.message


def test_one_gateway_plan_audits_directly_and_reads_alone(chain: TestChain) -> None:
    item = gateway_sources(filled_plan(chain)).items[1]
    assert isinstance(item, dict)
    assert set(item) == {"planned_values", "resource_changes"}
    doc = read_gateway(item)
    assert (doc.name, doc.address) == ("appgw-edge", EDGE)
    assert json.loads(json.dumps(item)) == item  # plain JSON: a worker process can take it


# -- a gateway built in the test -----------------------------------------------------------


def gateway_values(pfx: bytes, password: str, **listener: object) -> dict[str, object]:
    """The smallest v2 gateway with one HTTPS listener on an inline PFX."""
    return {
        "name": "appgw-min",
        "resource_group_name": "rg",
        "sku": [{"name": "Standard_v2", "tier": "Standard_v2", "capacity": 1}],
        "ssl_certificate": [{"name": "www", "data": b64(pfx), "password": password}],
        "frontend_port": [{"name": "https", "port": 443}],
        "http_listener": [
            {
                "name": "www-https",
                "protocol": "Https",
                "frontend_port_name": "https",
                "ssl_certificate_name": "www",
                **listener,
            }
        ],
    }


def plan_of(
    values: dict[str, object],
    address: str = "azurerm_application_gateway.min",
    *,
    after_unknown: object = None,
    sensitive: object = None,
) -> dict[str, object]:
    resource = {
        "address": address,
        "mode": "managed",
        "type": "azurerm_application_gateway",
        "name": address.rsplit(".", 1)[-1],
        "values": values,
        "sensitive_values": sensitive or {},
    }
    change = {"actions": ["create"], "after_unknown": after_unknown or {}}
    return {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [resource]}},
        "resource_changes": [{"address": address, "change": change}],
    }


def test_inline_pfx_uncovered_host_name(chain: TestChain) -> None:
    values = gateway_values(
        chain.listener_pfx("Www12345"),
        "Www12345",
        host_names=["api.contoso.com", "shop.contoso.com"],
    )
    audit = audit_gateway(plan_of(values))
    listener = 'azurerm_application_gateway.min.http_listener["www-https"]'
    assert at(audit, "GW001") == {listener}
    assert "shop.contoso.com" in next(f.message for f in audit.report.findings if f.code == "GW001")
    assert not at(audit, "GW013")


@pytest.mark.parametrize("password", ["(sensitive value)", None])
def test_a_masked_password_is_unknown_not_wrong(chain: TestChain, password: str | None) -> None:
    values = gateway_values(chain.listener_pfx("Www12345"), "Www12345")
    certificate = values["ssl_certificate"][0]  # type: ignore[index]
    if password is None:
        del certificate["password"]
    else:
        certificate["password"] = password
    sensitive = {"ssl_certificate": [{"data": True, "password": True}]}
    audit = audit_gateway(plan_of(values, sensitive=sensitive))
    location = 'azurerm_application_gateway.min.ssl_certificate["www"]'
    assert at(audit, "GW013") == {location}
    assert not {f.code for f in audit.report.findings} & {"LST001", "LST002", "GEN001"}


def test_a_sensitive_value_in_clear_text_is_used(chain: TestChain) -> None:
    """What ``terraform show -json`` does: the value, and a mark beside it."""
    values = gateway_values(chain.listener_pfx("Www12345"), "Www12345", host_name="www.contoso.com")
    sensitive = {"ssl_certificate": [{"data": True, "password": True}]}
    audit = audit_gateway(plan_of(values, sensitive=sensitive))
    assert at(audit, "GW001") == {'azurerm_application_gateway.min.http_listener["www-https"]'}
    assert not at(audit, "GW013")


def test_blocks_known_only_after_apply_make_names_unknown(chain: TestChain) -> None:
    values = gateway_values(chain.listener_pfx("Www12345"), "Www12345")
    del values["ssl_certificate"]  # a dynamic block over a value known after apply
    audit = audit_gateway(plan_of(values, after_unknown={"ssl_certificate": True}))
    listener = 'azurerm_application_gateway.min.http_listener["www-https"]'
    assert at(audit, "GW013") == {listener}  # its certificate name cannot be checked
    assert not at(audit, "GW002")


def test_name_known_only_after_apply_takes_the_address(chain: TestChain) -> None:
    values = gateway_values(chain.listener_pfx("Www12345"), "Www12345")
    del values["name"]
    doc = read_gateway(plan_of(values, after_unknown={"name": True}))
    assert doc.name == "azurerm_application_gateway.min"
    listener = doc.elements("httpListeners")[0]
    assert doc.find(listener.ref("sslcertificate")) is not None


def test_state_and_nested_modules(chain: TestChain) -> None:
    values = gateway_values(chain.listener_pfx("Www12345"), "Www12345")
    address = "module.a.module.b[0].azurerm_application_gateway.gw"
    gateway = {
        "address": address,
        "mode": "managed",
        "type": "azurerm_application_gateway",
        "values": values,
    }
    inner = {"address": "module.a.module.b[0]", "resources": [gateway]}
    outer = {"address": "module.a", "resources": [], "child_modules": [inner]}
    state = {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {"root_module": {"child_modules": [outer]}},
    }
    doc = read_gateway(state)
    assert (doc.address, doc.shape) == (address, "terraform")
    assert doc.elements("sslCertificates")[0].location == f'{address}.ssl_certificate["www"]'
    assert gateway_sources(state).items[0] == {"values": {"root_module": {"resources": [gateway]}}}


def test_data_sources_and_deposed_objects_are_not_gateways(chain: TestChain) -> None:
    plan = plan_of(gateway_values(chain.listener_pfx("Www12345"), "Www12345"))
    resources = plan["planned_values"]["root_module"]["resources"]  # type: ignore[index]
    data = copy.deepcopy(resources[0])
    data.update(address="data.azurerm_application_gateway.old", mode="data")
    resources.append(data)
    deposed = {
        "address": "azurerm_application_gateway.min",
        "deposed": "00000001",
        "change": {"actions": ["delete"], "after_unknown": {"ssl_certificate": True}},
    }
    plan["resource_changes"].insert(0, deposed)  # type: ignore[attr-defined]
    sources = gateway_sources(plan)
    assert sources.labels == ("azurerm_application_gateway.min",)
    assert not at(audit_gateway(plan), "GW013")  # the deposed object's marks are not used


def test_a_plan_without_gateways() -> None:
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": []}}}
    assert gateway_sources(plan).items == ()
    assert read_gateways(plan).documents == ()
    with pytest.raises(CertificateFormatError, match="no application gateway"):
        audit_gateway(plan)


# -- damaged plans ----------------------------------------------------------------------------


_DAMAGED = filled_plan(build_test_chain(["api.contoso.com"], key_type=KeyType.EC_P256))


@settings(max_examples=80)
@given(damaged(_DAMAGED))
def test_damaged_plans_give_reports_or_format_errors(broken: object) -> None:
    audit_each(broken)
