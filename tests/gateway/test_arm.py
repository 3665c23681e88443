"""The ARM expression evaluator: what it resolves offline, and Unknown for the rest."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs._gateway.arm import ArmContext, Unknown, evaluate, is_expression, unwrap_parameters

TEMPLATE: dict[str, object] = {
    "parameters": {
        "gatewayName": {"type": "string", "defaultValue": "gw1"},
        "Tier": {"type": "string", "DefaultValue": "Standard_v2"},
        "certPassword": {"type": "securestring"},
        "enabled": {"type": "bool", "defaultValue": True},
        "names": {"type": "array", "defaultValue": ["a.contoso.com", "b.contoso.com"]},
    },
    "variables": {
        "gwId": "[resourceId('Microsoft.Network/applicationGateways', parameters('gatewayName'))]",
        "suffix": "[toLower('CONTOSO.COM')]",
        "host": "[concat('www.', variables('suffix'))]",
        "settings": {"port": 443, "name": "[concat('be-', parameters('gatewayName'))]"},
        "loopA": "[variables('loopB')]",
        "loopB": "[variables('loopA')]",
    },
}


@pytest.fixture
def ctx() -> ArmContext:
    return ArmContext.from_template(TEMPLATE)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[parameters('gatewayName')]", "gw1"),
        ("[parameters('GATEWAYNAME')]", "gw1"),  # names are case-insensitive
        ("[parameters('tier')]", "Standard_v2"),
        ("[variables('host')]", "www.contoso.com"),
        ("[concat(variables('gwId'), '/sslCertificates/c1')]", None),
        ("[format('{0}-{1}', parameters('gatewayName'), 7)]", "gw1-7"),
        ("[format('{{literal}} {0}', 'x')]", "{literal} x"),
        ("[toUpper('abc')]", "ABC"),
        ("[replace('a-b-c', '-', '.')]", "a.b.c"),
        ("[base64('hello')]", base64.b64encode(b"hello").decode()),
        ("[base64ToString('aGVsbG8=')]", "hello"),
        ("[if(parameters('enabled'), 'on', 'off')]", "on"),
        ("[if(equals(parameters('gatewayName'), 'other'), 'yes', 'no')]", "no"),
        ("[variables('settings').name]", "be-gw1"),
        ("[parameters('names')[1]]", "b.contoso.com"),
        ("[concat('it''s ', 'fine')]", "it's fine"),
        ("[[not an expression]", "[not an expression]"),
        ("plain text", "plain text"),
        ("[ ]x", "[ ]x"),
    ],
)
def test_resolvable(ctx: ArmContext, expression: str, expected: str | None) -> None:
    value = evaluate(expression, ctx)
    if expected is None:
        assert isinstance(value, str)
        assert value.endswith(
            "/providers/Microsoft.Network/applicationGateways/gw1/sslCertificates/c1"
        )
    else:
        assert value == expected


@pytest.mark.parametrize(
    "expression",
    [
        "[parameters('certPassword')]",  # securestring with no value
        "[parameters('nope')]",
        "[reference('kv').secretUri]",
        "[uniqueString(resourceGroup().id)]",
        "[utcNow()]",
        "[listKeys('x', '2020-01-01').keys[0]]",
        "[variables('loopA')]",  # a cycle
        "[if(equals(reference('x').y, 1), 'a', 'b')]",
        "[format('{0:N2}', 3)]",
        "[concat('a',]",
        "[base64ToString('%%%')]",
        "[resourceId('no-type-here', 'x')]",
        "[concat(parameters('certPassword'), 'x')]",
    ],
)
def test_unknown(ctx: ArmContext, expression: str) -> None:
    assert isinstance(evaluate(expression, ctx), Unknown)


def test_resource_id_keeps_trailing_names(ctx: ArmContext) -> None:
    value = evaluate(
        "[resourceId('sub', 'rg', 'Microsoft.Network/applicationGateways/sslCertificates', "
        "parameters('gatewayName'), 'cert1')]",
        ctx,
    )
    assert isinstance(value, str)
    assert value.endswith("/applicationGateways/gw1/sslCertificates/cert1")


def test_parameters_file_shapes() -> None:
    file = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "gatewayName": {"value": "from-file"},
            "certPassword": {"reference": {"keyVault": {"id": "/x"}, "secretName": "pw"}},
        },
    }
    ctx = ArmContext.from_template(TEMPLATE, file)
    assert evaluate("[parameters('gatewayName')]", ctx) == "from-file"
    assert isinstance(evaluate("[parameters('certPassword')]", ctx), Unknown)
    assert unwrap_parameters({"a": {"value": 1}, "b": 2}) == {"a": 1, "b": 2}


def test_walks_dicts_and_lists(ctx: ArmContext) -> None:
    value = evaluate({"a": ["[parameters('gatewayName')]", 1, None], "b": {"c": "[[x]"}}, ctx)
    assert value == {"a": ["gw1", 1, None], "b": {"c": "[x]"}}


def test_is_expression() -> None:
    assert is_expression("[concat('a')]")
    assert not is_expression("[[escaped]")
    assert not is_expression("text")


@settings(max_examples=60)
@given(st.text(alphabet="[]()',.abcdefpqrstuv0123456789 {}", max_size=60))
def test_never_raises_on_any_text(text: str) -> None:
    value = evaluate(text, ArmContext.from_template(TEMPLATE))
    assert value is None or isinstance(value, str | int | bool | dict | list | Unknown)


@settings(max_examples=30)
@given(st.integers(min_value=1, max_value=400))
def test_deep_nesting_is_bounded(depth: int) -> None:
    text = "[" + "concat(" * depth + "'x'" + ")" * depth + "]"
    value = evaluate(text, ArmContext())
    assert value == "x" or isinstance(value, Unknown)


@pytest.mark.parametrize("digits", [20, 4_301, 50_000])
def test_numbers_past_64_bits_are_not_evaluated(digits: int) -> None:
    """ARM's integers are 64-bit; a longer literal is Unknown (Python's int() would
    raise ValueError past 4,300 digits, which no caller expects)."""
    value = evaluate(f"[concat('n', {'9' * digits})]", ArmContext())
    assert isinstance(value, Unknown)


def test_a_64_bit_number_is_evaluated() -> None:
    assert evaluate("[concat('n', 9223372036854775807)]", ArmContext()) == "n9223372036854775807"


def test_a_json_integer_past_64_digits_is_kept_as_text() -> None:
    """Python's int() refuses more than 4,300 digits: the whole document would be refused.
    The literal is kept as text instead, and the rest of the gateway is read."""
    from appgw_certs import audit_gateway
    from appgw_certs._gateway.document import load_json

    huge = "9" * 5_000
    text = (
        '{"name": "gw", "type": "Microsoft.Network/applicationGateways", "properties": '
        '{"sku": {"name": "Standard_v2", "capacity": ' + huge + "}}}"
    )
    parsed = load_json(text)
    assert isinstance(parsed, dict)
    capacity = parsed["properties"]["sku"]["capacity"]
    assert isinstance(capacity, str)
    assert capacity.endswith("(5,000 digits)")
    assert audit_gateway(text).gateway == "gw"
