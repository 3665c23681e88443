"""Build one gateway in the three JSON shapes the audit reads, from real certificates.

A :class:`GatewayBuilder` collects objects in REST shape (``properties``) and
renders them as a REST GET body (``publicCertData``), as the az CLI's
flattened ``show`` output, or as an ARM template in PUT shape (``data`` +
``password`` as parameters, ids as ``resourceId()``/``concat()`` expressions,
PascalCase keys as the CLI's own templates write them).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

GATEWAY_TYPE = "Microsoft.Network/applicationGateways"
PREFIX = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/applicationGateways"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pkcs7_der(certs: Sequence[x509.Certificate]) -> bytes:
    return pkcs7.serialize_certificates(list(certs), serialization.Encoding.DER)


def ref(gateway: str, collection: str, name: str) -> dict[str, str]:
    return {"id": f"{PREFIX}/{gateway}/{collection}/{name}"}


@dataclass
class _ListenerCert:
    certs: list[x509.Certificate] | None
    pfx: bytes | None
    password: str | None
    key_vault: str | None


@dataclass
class GatewayBuilder:
    """A gateway's objects, rendered in any shape."""

    name: str = "gw"
    tier: str = "Standard_v2"
    listener_certs: dict[str, _ListenerCert] = field(default_factory=dict)
    collections: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def ref(self, collection: str, name: str) -> dict[str, str]:
        return ref(self.name, collection, name)

    def add(self, collection: str, name: str, **props: object) -> None:
        element = {
            "name": name,
            "id": f"{PREFIX}/{self.name}/{collection}/{name}",
            "properties": props,
        }
        self.collections.setdefault(collection, []).append(element)

    def listener_cert(
        self,
        name: str,
        certs: Sequence[x509.Certificate] | None = None,
        pfx: bytes | None = None,
        password: str | None = None,
        key_vault: str | None = None,
    ) -> None:
        self.listener_certs[name] = _ListenerCert(
            list(certs or []) or None, pfx, password, key_vault
        )
        self.add("sslCertificates", name)

    # -- shapes --------------------------------------------------------------

    def rest(self, *, put: bool = False) -> dict[str, object]:
        """The REST GET body (``put=False``) or the PUT body (``data`` + ``password``)."""
        collections = copy.deepcopy(self.collections)
        for element in collections.get("sslCertificates", []):
            props = element["properties"]
            assert isinstance(props, dict)
            if element["name"] in self.listener_certs:
                props.update(self._listener_fields(str(element["name"]), put=put))
        return {
            "name": self.name,
            "id": f"{PREFIX}/{self.name}",
            "type": "Microsoft.Network/applicationGateways",
            "location": "westeurope",
            "properties": {
                "sku": {"name": self.tier, "tier": self.tier, "capacity": 2},
                **collections,
            },
        }

    def _listener_fields(self, name: str, *, put: bool) -> dict[str, object]:
        cert = self.listener_certs[name]
        fields: dict[str, object] = {}
        if cert.key_vault:
            fields["keyVaultSecretId"] = cert.key_vault
        if put and cert.pfx is not None:
            fields["data"] = b64(cert.pfx)
            fields["password"] = cert.password
        elif not put and cert.certs:
            fields["publicCertData"] = b64(pkcs7_der(cert.certs))
        return fields

    def cli(self) -> dict[str, object]:
        """``az network application-gateway show``: flattened, keys sorted, resourceGroup added."""
        return flatten(self.rest())

    def arm(self, *, nested: bool = False) -> dict[str, object]:
        """An ARM template holding the gateway (inside a nested deployment if asked)."""
        body = self.rest(put=True)
        props = body["properties"]
        assert isinstance(props, dict)
        parameters: dict[str, object] = {
            "gatewayName": {"type": "string", "defaultValue": self.name},
            "skuTier": {"type": "string", "defaultValue": self.tier},
        }
        for element in props.get("sslCertificates", []):
            inner = element["properties"]
            if "data" in inner:
                key = _param_name(str(element["name"]))
                parameters[f"{key}Data"] = {"type": "securestring"}
                parameters[f"{key}Password"] = {"type": "securestring"}
                inner["data"] = f"[parameters('{key}Data')]"
                inner["password"] = f"[parameters('{key}Password')]"
        props["sku"] = {"name": "[parameters('skuTier')]", "tier": "[parameters('skuTier')]"}
        resource = {
            "type": "Microsoft.Network/applicationGateways",
            "apiVersion": "2024-05-01",
            "name": "[parameters('gatewayName')]",
            "location": "[resourceGroup().location]",
            "properties": _pascal(_expressions(props, self.name)),
        }
        template: dict[str, object] = {
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "parameters": parameters,
            "variables": {"gwId": f"[resourceId('{GATEWAY_TYPE}', parameters('gatewayName'))]"},
            "resources": [resource],
        }
        if not nested:
            return template
        passed = {name: {"value": f"[parameters('{name}')]"} for name in parameters}
        return {
            "$schema": template["$schema"],
            "contentVersion": "1.0.0.0",
            "parameters": parameters,
            "resources": [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": "inner",
                    "properties": {
                        "mode": "Incremental",
                        "expressionEvaluationOptions": {"scope": "inner"},
                        "parameters": passed,
                        "template": template,
                    },
                }
            ],
        }

    def arm_parameters(self) -> dict[str, object]:
        """A deployment parameters file with every listener certificate's data and password."""
        values: dict[str, object] = {}
        for name, cert in self.listener_certs.items():
            if cert.pfx is not None:
                key = _param_name(name)
                values[f"{key}Data"] = {"value": b64(cert.pfx)}
                values[f"{key}Password"] = {"value": cert.password}
        return {
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": values,
        }


def _param_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _expressions(value: object, gateway: str) -> object:
    """Ids as template expressions, alternating resourceId() and concat(variables())."""
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            if key == "id" and isinstance(item, str) and item.startswith(f"{PREFIX}/{gateway}/"):
                collection, name = item[len(f"{PREFIX}/{gateway}/") :].split("/", 1)
                if len(name) % 2:
                    out[key] = (
                        f"[resourceId('Microsoft.Network/applicationGateways/{collection}', "
                        f"parameters('gatewayName'), '{name}')]"
                    )
                else:
                    out[key] = f"[concat(variables('gwId'), '/{collection}/{name}')]"
            elif key == "id":
                continue  # sub-resources in a template carry no id of their own
            else:
                out[key] = _expressions(item, gateway)
        return out
    if isinstance(value, list):
        return [_expressions(v, gateway) for v in value]
    return value


def _pascal(value: object) -> object:
    """PascalCase keys below the collections, as the CLI's generated templates write them."""
    if isinstance(value, dict):
        return {
            (key[:1].upper() + key[1:] if key not in ("properties",) else "Properties"): _pascal(v)
            for key, v in value.items()
        }
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def flatten(value: object) -> object:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            if key == "properties" and isinstance(item, dict):
                out.update({k: flatten(v) for k, v in item.items()})
            else:
                out[key] = flatten(item)
        if "id" in out:
            out["resourceGroup"] = "rg"
        return dict(sorted(out.items()))
    if isinstance(value, list):
        return [flatten(v) for v in value]
    return value


def shape_findings(report_findings: Sequence[object]) -> set[tuple[str, str, str | None]]:
    """(code, severity, location) of each finding: what must agree across shapes."""
    found: set[tuple[str, str, str | None]] = set()
    for f in report_findings:
        code, severity, location = f.code, f.severity.value, f.location  # type: ignore[attr-defined]
        found.add((code, severity, location))
    return found


@dataclass
class PolicyGatewayBuilder(GatewayBuilder):
    """A :class:`GatewayBuilder` whose gateway also carries gateway-wide fields
    (``sslPolicy``, ``defaultPredefinedSslPolicy``) in every shape."""

    gateway_fields: dict[str, object] = field(default_factory=dict)

    def rest(self, *, put: bool = False) -> dict[str, object]:
        body = super().rest(put=put)
        props = body["properties"]
        assert isinstance(props, dict)
        props.update(copy.deepcopy(self.gateway_fields))
        return body
