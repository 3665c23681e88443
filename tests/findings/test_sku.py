"""Sku and Slot: names, aliases, generations and which slot exists where."""

from __future__ import annotations

import pytest

from appgw_certs import Sku, Slot


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Standard", Sku.STANDARD),
        ("standard", Sku.STANDARD),
        ("WAF", Sku.WAF),
        ("standard_v2", Sku.STANDARD_V2),
        ("Standard-V2", Sku.STANDARD_V2),
        ("waf_v2", Sku.WAF_V2),
        ("BASIC", Sku.BASIC),
        ("v1", Sku.STANDARD),
        ("V2", Sku.STANDARD_V2),
        ("Standard_Small", Sku.STANDARD),
        ("Standard_Medium", Sku.STANDARD),
        ("Standard_Large", Sku.STANDARD),
        ("WAF_Medium", Sku.WAF),
        ("WAF_Large", Sku.WAF),
        (" waf_v2 ", Sku.WAF_V2),
    ],
)
def test_sku_parse(text: str, expected: Sku) -> None:
    assert Sku.parse(text) is expected
    assert Sku(text) is expected  # the constructor is as forgiving


@pytest.mark.parametrize("text", ["", "premium", "v3", "Standard_v3", "WAF_Small2", "waf v2 x"])
def test_unknown_sku_names_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError, match="Standard_v2") as info:
        Sku.parse(text)
    for sku in Sku:
        assert sku.value in str(info.value)


def test_sku_generation_and_values() -> None:
    assert [s.generation for s in Sku] == [1, 1, 2, 2, 2]
    assert {s.value for s in Sku} == {"Standard", "WAF", "Standard_v2", "WAF_v2", "Basic"}
    assert str.__eq__(Sku.STANDARD_V2, "Standard_v2")
    assert str(Sku.WAF_V2) == "WAF_v2"
    assert f"{Sku.BASIC}" == "Basic"
    assert Sku.parse(Sku.WAF) is Sku.WAF


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("listener", Slot.LISTENER),
        ("LISTENER", Slot.LISTENER),
        ("sslCertificates", Slot.LISTENER),
        ("authentication", Slot.AUTHENTICATION),
        ("auth", Slot.AUTHENTICATION),
        ("authenticationCertificates", Slot.AUTHENTICATION),
        ("trusted-root", Slot.TRUSTED_ROOT),
        ("trusted_root", Slot.TRUSTED_ROOT),
        ("root", Slot.TRUSTED_ROOT),
        ("trustedRootCertificates", Slot.TRUSTED_ROOT),
        ("trusted-client-ca", Slot.TRUSTED_CLIENT_CA),
        ("TRUSTED_CLIENT_CA", Slot.TRUSTED_CLIENT_CA),
        ("client-ca", Slot.TRUSTED_CLIENT_CA),
        ("trustedClientCertificates", Slot.TRUSTED_CLIENT_CA),
    ],
)
def test_slot_parse(text: str, expected: Slot) -> None:
    assert Slot.parse(text) is expected
    assert Slot(text) is expected


@pytest.mark.parametrize("text", ["", "backend", "key", "trusted"])
def test_unknown_slot_names_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError, match="trusted-client-ca") as info:
        Slot.parse(text)
    for slot in Slot:
        assert slot.value in str(info.value)


def test_non_string_is_rejected_with_value_error() -> None:
    with pytest.raises(ValueError, match="unknown SKU"):
        Sku.parse(2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown slot"):
        Slot.parse(None)  # type: ignore[arg-type]


def test_slot_availability_per_sku() -> None:
    table = {(slot, sku): slot.available_on(sku) for slot in Slot for sku in Sku}
    assert all(table[Slot.LISTENER, sku] for sku in Sku)
    assert {sku for sku in Sku if table[Slot.AUTHENTICATION, sku]} == {Sku.STANDARD, Sku.WAF}
    assert {sku for sku in Sku if table[Slot.TRUSTED_ROOT, sku]} == {
        Sku.STANDARD_V2,
        Sku.WAF_V2,
        Sku.BASIC,
    }
    assert {sku for sku in Sku if table[Slot.TRUSTED_CLIENT_CA, sku]} == {
        Sku.STANDARD_V2,
        Sku.WAF_V2,
    }
    assert Slot.AUTHENTICATION.available_on("v1")


@pytest.mark.parametrize(
    ("name", "slot"),
    [
        ("ssl-cert", Slot.LISTENER),
        ("auth-cert", Slot.AUTHENTICATION),
        ("root-cert", Slot.TRUSTED_ROOT),
        ("client-cert", Slot.TRUSTED_CLIENT_CA),
    ],
)
def test_slot_takes_the_az_cli_names(name: str, slot: Slot) -> None:
    """`az network application-gateway ssl-cert | auth-cert | root-cert | client-cert`."""
    assert Slot.parse(name) is slot
    assert Slot.parse(name.upper()) is slot
