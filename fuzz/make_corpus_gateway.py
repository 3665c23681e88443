"""Write the gateway-shaped seeds of the fuzz corpus (run from the repository root).

    python fuzz/make_corpus_gateway.py

Seeds are generated, not checked in by hand, so each one says how it was made:
- ``arm-nested-base64.json``: an ARM template of about 1 KB whose listener data
  nests ``base64(`` 60 times (about 9.4 GB if evaluated; refused by the
  evaluator's budget);
- ``arm-doubling-variables.json``: variables that double each other, then many
  copies each just under ARM's 4 MB limit;
- ``rest-empty-listeners.json``: a REST body whose ``httpListeners`` is a long
  list of empty objects.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
GATEWAY = "Microsoft.Network/applicationGateways"


def _template(resources_properties: dict[str, object], variables: dict[str, object]) -> dict:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "variables": variables,
        "resources": [
            {
                "type": GATEWAY,
                "apiVersion": "2024-05-01",
                "name": "gw",
                "properties": {"sku": {"name": "Standard_v2", "tier": "Standard_v2"}}
                | resources_properties,
            }
        ],
    }


def nested_base64() -> dict:
    data = "[" + "base64(" * 60 + "'abc'" + ")" * 60 + "]"
    return _template({"sslCertificates": [{"name": "c", "properties": {"data": data}}]}, {})


def doubling_variables() -> dict:
    variables: dict[str, object] = {"v0": "a" * 64}
    for i in range(1, 16):
        variables[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
    certs = [
        {"name": f"c{i}", "properties": {"data": f"[concat(variables('v15'), '{i}')]"}}
        for i in range(50)
    ]
    return _template({"sslCertificates": certs}, variables)


def empty_listeners() -> dict:
    return {
        "name": "gw",
        "type": GATEWAY,
        "properties": {"sku": {"name": "Standard_v2"}, "httpListeners": [{}] * 2000},
    }


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    seeds = {
        "arm-nested-base64.json": nested_base64(),
        "arm-doubling-variables.json": doubling_variables(),
        "rest-empty-listeners.json": empty_listeners(),
    }
    for name, document in seeds.items():
        (CORPUS / name).write_text(json.dumps(document, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
