"""A consistent v2 gateway around one test chain, as a REST GET body (a dict).

One HTTPS listener on the chain's server certificate (its PFX's certificates
as ``publicCertData``, a DER PKCS#7 bundle, as Azure's GET returns them), and
one HTTPS backend setting whose trusted root is the chain's root and whose
backend is reached by the chain's host name, so the backend may present the
same chain. Field names and the id scheme follow the REST API's GET response
(https://learn.microsoft.com/rest/api/application-gateway/application-gateways/get).
"""

from __future__ import annotations

import base64
import re

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from .._errors import InvalidArgumentError
from .build import TestChain

__all__ = ["gateway_json", "server_name_of"]

_SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"
_GROUP = f"{_SUBSCRIPTION}/resourceGroups/appgw-certs-test"
_GATEWAYS = f"{_GROUP}/providers/Microsoft.Network/applicationGateways"
#: The v2 SKUs a gateway built here may have.
V2_SKUS = ("Standard_v2", "WAF_v2")
# Azure's rule for a gateway's name.
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?")
#: A predefined policy of TLS 1.2 and up, with suites for RSA and ECDSA keys.
TLS_POLICY = "AppGwSslPolicy20220101"


def server_name_of(chain: TestChain) -> str:
    """The first name the server leaf covers: its first DNS name (``www`` for a
    wildcard's ``*``), else its first IP address."""
    return _backend_address(chain)[1]


def _backend_address(chain: TestChain) -> tuple[str, str]:
    """("fqdn", name) for the leaf's first DNS name, else ("ipAddress", its first IP)."""
    try:
        san = chain.server.certificate.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value
        dns = san.get_values_for_type(x509.DNSName)
        addresses = san.get_values_for_type(x509.IPAddress)
    except x509.ExtensionNotFound:  # (cryptography 51 refuses an empty SAN to stand in)
        dns, addresses = [], []
    if dns:
        return "fqdn", "www" + dns[0][1:] if dns[0].startswith("*.") else dns[0]
    if addresses:
        return "ipAddress", str(addresses[0])
    raise InvalidArgumentError("chain: its server certificate names no host")


def gateway_json(
    chain: TestChain, *, name: str = "appgw", sku: str = "Standard_v2"
) -> dict[str, object]:
    """A v2 gateway ``name`` whose HTTPS listener serves ``chain`` and whose HTTPS
    backend, reached by the chain's host name, is trusted through the chain's root."""
    if not isinstance(chain, TestChain):
        raise TypeError(f"chain: must be a TestChain, not {type(chain).__name__}")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidArgumentError(
            "name: 1 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit "
            f"and ending with one or '_', not {name!r}"
        )
    if sku not in V2_SKUS:
        raise InvalidArgumentError(f"sku: must be one of {', '.join(V2_SKUS)}, not {sku!r}")
    kind, host = _backend_address(chain)
    gateway = f"{_GATEWAYS}/{name}"

    def element(collection: str, item: str, **properties: object) -> dict[str, object]:
        return {
            "name": item,
            "id": f"{gateway}/{collection}/{item}",
            "etag": 'W/"00000000-0000-0000-0000-000000000000"',
            "properties": {"provisioningState": "Succeeded", **properties},
        }

    def ref(collection: str, item: str) -> dict[str, str]:
        return {"id": f"{gateway}/{collection}/{item}"}

    listener_certs = [
        chain.server.certificate,
        *reversed([c.certificate for c in chain.intermediates]),
        chain.root.certificate,
    ]
    properties: dict[str, object] = {
        "provisioningState": "Succeeded",
        "operationalState": "Running",
        "sku": {"name": sku, "tier": sku, "capacity": 2},
        "sslPolicy": {"policyType": "Predefined", "policyName": TLS_POLICY},
        "gatewayIPConfigurations": [
            element(
                "gatewayIPConfigurations",
                "gateway-ip",
                subnet={
                    "id": f"{_GROUP}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/appgw"
                },
            )
        ],
        "frontendIPConfigurations": [
            element(
                "frontendIPConfigurations",
                "public-ip",
                privateIPAllocationMethod="Dynamic",
                publicIPAddress={
                    "id": f"{_GROUP}/providers/Microsoft.Network/publicIPAddresses/appgw-ip"
                },
            )
        ],
        "frontendPorts": [element("frontendPorts", "https", port=443)],
        "sslCertificates": [
            element("sslCertificates", "listener-cert", publicCertData=_pkcs7_b64(listener_certs))
        ],
        "trustedRootCertificates": [
            element("trustedRootCertificates", "backend-root", data=_b64(chain.root.cer("der")))
        ],
        "httpListeners": [
            element(
                "httpListeners",
                "https-listener",
                frontendIPConfiguration=ref("frontendIPConfigurations", "public-ip"),
                frontendPort=ref("frontendPorts", "https"),
                protocol="Https",
                hostName=host,
                requireServerNameIndication=True,
                sslCertificate=ref("sslCertificates", "listener-cert"),
            )
        ],
        "backendAddressPools": [
            element("backendAddressPools", "backend-pool", backendAddresses=[{kind: host}])
        ],
        "backendHttpSettingsCollection": [
            element(
                "backendHttpSettingsCollection",
                "https-settings",
                port=443,
                protocol="Https",
                cookieBasedAffinity="Disabled",
                requestTimeout=30,
                hostName=host,
                pickHostNameFromBackendAddress=False,
                trustedRootCertificates=[ref("trustedRootCertificates", "backend-root")],
            )
        ],
        "requestRoutingRules": [
            element(
                "requestRoutingRules",
                "https-rule",
                ruleType="Basic",
                priority=100,
                httpListener=ref("httpListeners", "https-listener"),
                backendAddressPool=ref("backendAddressPools", "backend-pool"),
                backendHttpSettings=ref("backendHttpSettingsCollection", "https-settings"),
            )
        ],
    }
    return {
        "name": name,
        "id": gateway,
        "type": "Microsoft.Network/applicationGateways",
        "location": "westeurope",
        "etag": 'W/"00000000-0000-0000-0000-000000000000"',
        "properties": properties,
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _pkcs7_b64(certificates: list[x509.Certificate]) -> str:
    return _b64(pkcs7.serialize_certificates(certificates, Encoding.DER))
