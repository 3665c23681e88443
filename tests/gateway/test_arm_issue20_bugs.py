"""Regressions from the issue about the command line and reports: ARM parameters files."""

from __future__ import annotations

from appgw_certs._gateway.arm import ArmContext, Unknown, evaluate, unwrap_parameters

TEMPLATE: dict[str, object] = {
    "parameters": {
        "gatewayName": {"type": "string", "defaultValue": "from-default"},
        "certPassword": {"type": "securestring"},
    },
}


def test_a_parameters_file_without_schema_or_content_version_is_read() -> None:
    bare_file = {
        "parameters": {
            "gatewayName": {"value": "from-file"},
            "certPassword": {"reference": {"keyVault": {"id": "/x"}, "secretName": "pw"}},
        }
    }
    values = unwrap_parameters(bare_file)
    assert values["gatewayName"] == "from-file"
    assert isinstance(values["certPassword"], Unknown)
    ctx = ArmContext.from_template(TEMPLATE, bare_file)
    assert evaluate("[parameters('gatewayName')]", ctx) == "from-file"


def test_one_parameter_named_parameters_stays_a_parameter() -> None:
    # plain values under "parameters" are that parameter's value, not a file's parameters
    assert unwrap_parameters({"parameters": {"a": 1}}) == {"parameters": {"a": 1}}
    assert unwrap_parameters({"parameters": {"value": {"a": 1}}}) == {"parameters": {"a": 1}}
    # beside other parameters, "parameters" is one of them
    both = unwrap_parameters({"parameters": {"x": {"value": 1}}, "other": {"value": 2}})
    assert both == {"parameters": {"x": {"value": 1}}, "other": 2}
