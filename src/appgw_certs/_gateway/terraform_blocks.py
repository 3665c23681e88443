"""An ``azurerm_application_gateway``'s blocks as the REST body the azurerm provider sends.

Attribute names are the provider's (hashicorp/terraform-provider-azurerm,
``website/docs/r/application_gateway.html.markdown`` and the schema in
``internal/services/network/application_gateway_resource.go``). Terraform names
other blocks by name (``ssl_certificate_name = "api"``); the provider turns each
name into the id ``<gateway id>/sslCertificates/api`` (``fmt.Sprintf("%s/sslCertificates/%s",
gatewayID, name)`` in its ``expandApplicationGateway*`` functions, only for a
non-empty name), and so does this module, so that the audit resolves them as it
resolves a REST body's ids. A finding's location is the block's address:
``module.edge.azurerm_application_gateway.main.ssl_certificate["api"]``.

    >>> body = terraform_body(gateway)
    >>> body["httpListeners"][0]["sslCertificate"]
    {'id': '/subscriptions/(unknown)/.../applicationGateways/appgw/sslCertificates/api'}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .arm import Unknown
from .terraform import Attributes, TerraformGateway

__all__ = ["BLOCKS", "block_address", "terraform_body"]

#: Where the gateway's id has a part the plan does not know yet.
_UNKNOWN_PART = "(unknown)"

Fields = tuple[tuple[str, str], ...]  # (Terraform attribute, REST field)
Refs = tuple[tuple[str, str, str], ...]  # (attribute naming a block, REST field, collection)


@dataclass(frozen=True)
class _Context:
    gateway_id: str
    #: REST collections whose blocks are known only after apply: names pointing into
    #: them cannot be checked.
    unknown: frozenset[str]

    def ref(self, name: object, collection: str) -> dict[str, object] | None:
        """``{"id": ...}`` for a block named ``name`` in ``collection``; None for no name."""
        if isinstance(name, Unknown):
            return {"id": name}
        if not isinstance(name, str) or not name.strip():
            return None
        if collection in self.unknown:
            return {"id": Unknown(f"{_BLOCK_OF[collection]} is known only after apply")}
        return {"id": f"{self.gateway_id}/{collection}/{name.strip()}"}


Special = Callable[[Attributes, _Context, str], dict[str, object]]


@dataclass(frozen=True)
class _Block:
    """How one kind of block becomes objects of a REST collection."""

    collection: str
    fields: Fields = ()
    refs: Refs = ()  # one name each
    lists: Refs = ()  # a list of names each
    ids: Fields = ()  # the id of a resource outside the gateway (subnet, public IP)
    special: Special | None = field(default=None)


def _authentication_certificates(block: Attributes, ctx: _Context, own: str) -> dict[str, object]:
    """``authentication_certificate { name }`` blocks inside backend settings."""
    found = block.blocks("authentication_certificate")
    if isinstance(found, Unknown):
        return {"authenticationCertificates": [{"id": found}]}
    refs = [ctx.ref(b.get("name"), "authenticationCertificates") for b in found]
    return {"authenticationCertificates": [r for r in refs if r is not None]}


def _pool_members(block: Attributes, ctx: _Context, own: str) -> dict[str, object]:
    """``fqdns`` and ``ip_addresses`` as the REST ``backendAddresses``."""
    members: list[object] = []
    for attribute, key in (("fqdns", "fqdn"), ("ip_addresses", "ipAddress")):
        values = block.strings(attribute)
        if isinstance(values, Unknown):
            members.append({key: values})
        elif isinstance(values, list):
            members += [{key: value} for value in values]
    return {"backendAddresses": members}


def _ssl_policy(policy: Attributes | Unknown | None) -> object:
    """An ``ssl_policy`` block as the REST ``sslPolicy`` (None when there is none)."""
    if not isinstance(policy, Attributes):
        return policy
    return {
        "policyType": policy.get("policy_type"),
        "policyName": policy.get("policy_name"),
        "minProtocolVersion": policy.get("min_protocol_version"),
        "cipherSuites": policy.strings("cipher_suites"),
        "disabledSslProtocols": policy.strings("disabled_protocols"),
    }


def _ssl_profile(block: Attributes, ctx: _Context, own: str) -> dict[str, object]:
    """The profile's policy and client verification. The provider always sends a
    ``clientAuthConfiguration``; it is written here only where the block asks for client
    certificates (trusted CAs or a verification), so that a profile holding only a TLS
    policy is not read as mutual TLS without a CA."""
    extra: dict[str, object] = {"sslPolicy": _ssl_policy(block.first("ssl_policy"))}
    issuer_dn = block.get("verify_client_cert_issuer_dn")
    revocation = block.get("verify_client_certificate_revocation")
    names = block.get("trusted_client_certificate_names")
    if names or issuer_dn or revocation:
        extra["clientAuthConfiguration"] = {
            "verifyClientCertIssuerDN": issuer_dn,
            "verifyClientRevocation": revocation,
        }
    return extra


def _path_rules(block: Attributes, ctx: _Context, own: str) -> dict[str, object]:
    found = block.blocks("path_rule")
    if isinstance(found, Unknown):
        return {"pathRules": found}
    rules: list[object] = []
    for rule in found:
        name = rule.get("name")
        item = _object(rule, _PATH_RULE, ctx)
        if isinstance(name, str) and name.strip() and own:
            item["id"] = f"{own}/pathRules/{name.strip()}"
        rules.append(item)
    return {"pathRules": rules}


_TO_POOL = ("backend_address_pool_name", "backendAddressPool", "backendAddressPools")
_TO_SETTINGS = (
    "backend_http_settings_name",
    "backendHttpSettings",
    "backendHttpSettingsCollection",
)
_TO_REDIRECT = ("redirect_configuration_name", "redirectConfiguration", "redirectConfigurations")
_TO_REWRITE = ("rewrite_rule_set_name", "rewriteRuleSet", "rewriteRuleSets")

_PATH_RULE = _Block(
    "pathRules",
    fields=(("paths", "paths"),),
    refs=(_TO_POOL, _TO_SETTINGS, _TO_REDIRECT, _TO_REWRITE),
    ids=(("firewall_policy_id", "firewallPolicy"),),
)

#: Each Terraform block and the REST collection it becomes.
BLOCKS: dict[str, _Block] = {
    "ssl_certificate": _Block(
        "sslCertificates",
        fields=(
            ("data", "data"),
            ("password", "password"),
            ("key_vault_secret_id", "keyVaultSecretId"),
            ("public_cert_data", "publicCertData"),
        ),
    ),
    "trusted_root_certificate": _Block(
        "trustedRootCertificates",
        fields=(("data", "data"), ("key_vault_secret_id", "keyVaultSecretId")),
    ),
    "authentication_certificate": _Block("authenticationCertificates", fields=(("data", "data"),)),
    "trusted_client_certificate": _Block("trustedClientCertificates", fields=(("data", "data"),)),
    "ssl_profile": _Block(
        "sslProfiles",
        lists=(
            (
                "trusted_client_certificate_names",
                "trustedClientCertificates",
                "trustedClientCertificates",
            ),
        ),
        special=_ssl_profile,
    ),
    "http_listener": _Block(
        "httpListeners",
        fields=(
            ("protocol", "protocol"),
            ("host_name", "hostName"),
            ("host_names", "hostNames"),
            ("require_sni", "requireServerNameIndication"),
        ),
        refs=(
            ("ssl_certificate_name", "sslCertificate", "sslCertificates"),
            ("ssl_profile_name", "sslProfile", "sslProfiles"),
            ("frontend_port_name", "frontendPort", "frontendPorts"),
            (
                "frontend_ip_configuration_name",
                "frontendIPConfiguration",
                "frontendIPConfigurations",
            ),
        ),
        ids=(("firewall_policy_id", "firewallPolicy"),),
    ),
    "backend_http_settings": _Block(
        "backendHttpSettingsCollection",
        fields=(
            ("protocol", "protocol"),
            ("port", "port"),
            ("path", "path"),
            ("host_name", "hostName"),
            ("pick_host_name_from_backend_address", "pickHostNameFromBackendAddress"),
            ("request_timeout", "requestTimeout"),
            ("cookie_based_affinity", "cookieBasedAffinity"),
        ),
        refs=(("probe_name", "probe", "probes"),),
        lists=(
            (
                "trusted_root_certificate_names",
                "trustedRootCertificates",
                "trustedRootCertificates",
            ),
        ),
        special=_authentication_certificates,
    ),
    "probe": _Block(
        "probes",
        fields=(
            ("protocol", "protocol"),
            ("host", "host"),
            ("path", "path"),
            ("port", "port"),
            ("interval", "interval"),
            ("timeout", "timeout"),
            ("unhealthy_threshold", "unhealthyThreshold"),
            ("pick_host_name_from_backend_http_settings", "pickHostNameFromBackendHttpSettings"),
            ("minimum_servers", "minServers"),
        ),
    ),
    "backend_address_pool": _Block("backendAddressPools", special=_pool_members),
    "request_routing_rule": _Block(
        "requestRoutingRules",
        fields=(("rule_type", "ruleType"), ("priority", "priority")),
        refs=(
            ("http_listener_name", "httpListener", "httpListeners"),
            _TO_POOL,
            _TO_SETTINGS,
            ("url_path_map_name", "urlPathMap", "urlPathMaps"),
            _TO_REDIRECT,
            _TO_REWRITE,
        ),
    ),
    "url_path_map": _Block(
        "urlPathMaps",
        refs=tuple(
            (f"default_{a}", f"default{f[0].upper()}{f[1:]}", c)
            for a, f, c in (_TO_POOL, _TO_SETTINGS, _TO_REDIRECT, _TO_REWRITE)
        ),
        special=_path_rules,
    ),
    "redirect_configuration": _Block(
        "redirectConfigurations",
        fields=(
            ("redirect_type", "redirectType"),
            ("target_url", "targetUrl"),
            ("include_path", "includePath"),
            ("include_query_string", "includeQueryString"),
        ),
        refs=(("target_listener_name", "targetListener", "httpListeners"),),
    ),
    "frontend_port": _Block("frontendPorts", fields=(("port", "port"),)),
    "frontend_ip_configuration": _Block(
        "frontendIPConfigurations",
        fields=(
            ("private_ip_address", "privateIPAddress"),
            ("private_ip_address_allocation", "privateIPAllocationMethod"),
        ),
        refs=(
            (
                "private_link_configuration_name",
                "privateLinkConfiguration",
                "privateLinkConfigurations",
            ),
        ),
        ids=(("subnet_id", "subnet"), ("public_ip_address_id", "publicIPAddress")),
    ),
    "gateway_ip_configuration": _Block("gatewayIPConfigurations", ids=(("subnet_id", "subnet"),)),
    "rewrite_rule_set": _Block("rewriteRuleSets"),
    "private_link_configuration": _Block("privateLinkConfigurations"),
}
_BLOCK_OF = {block.collection: name for name, block in BLOCKS.items()}


def _object(block: Attributes, kind: _Block, ctx: _Context, own: str = "") -> dict[str, object]:
    """One block as a REST object (fields flattened, as ``normalise`` would make them)."""
    item: dict[str, object] = {"name": block.get("name")}
    if own:
        item["id"] = own
    for attribute, key in kind.fields:
        value = block.strings(attribute)
        if value is not None:
            item[key] = value
    for attribute, key, collection in kind.refs:
        ref = ctx.ref(block.get(attribute), collection)
        if ref is not None:
            item[key] = ref
    for attribute, key, collection in kind.lists:
        names = block.strings(attribute)
        listed = names if isinstance(names, list) else [names] if names is not None else []
        item[key] = [r for r in (ctx.ref(n, collection) for n in listed) if r is not None]
    for attribute, key in kind.ids:
        value = block.get(attribute)
        if value is not None:
            item[key] = {"id": value}
    if kind.special is not None:
        item.update(kind.special(block, ctx, own))
    return item


def terraform_body(gateway: TerraformGateway) -> dict[str, object]:
    """The gateway as a REST GET body already flattened: collections at the top,
    references as ``{"id": ...}``, unknown values :class:`Unknown`."""
    values = gateway.attributes()
    name, own_id = values.get("name"), values.get("id")
    gateway_id = own_id if _is_gateway_id(own_id) else _gateway_id(values)
    found = {kind: values.blocks(kind) for kind in BLOCKS}
    unknown = frozenset(BLOCKS[k].collection for k, v in found.items() if isinstance(v, Unknown))
    ctx = _Context(str(gateway_id), unknown)
    sku = values.first("sku")
    waf = values.first("waf_configuration")
    body: dict[str, object] = {
        "name": name,
        "id": gateway_id,
        "type": "Microsoft.Network/applicationGateways",
        "location": values.get("location"),
        "sku": _fields(sku, (("name", "name"), ("tier", "tier"), ("capacity", "capacity"))),
        "sslPolicy": _ssl_policy(values.first("ssl_policy")),
        "enableHttp2": values.get("enable_http2"),
        "webApplicationFirewallConfiguration": _fields(
            waf,
            (
                ("enabled", "enabled"),
                ("firewall_mode", "firewallMode"),
                ("rule_set_type", "ruleSetType"),
                ("rule_set_version", "ruleSetVersion"),
            ),
        ),
    }
    firewall = values.get("firewall_policy_id")
    if firewall is not None:
        body["firewallPolicy"] = {"id": firewall}
    for kind, blocks in found.items():
        if isinstance(blocks, list) and blocks:
            body[BLOCKS[kind].collection] = [_element(kind, b, ctx) for b in blocks]
    return body


def _element(kind: str, block: Attributes, ctx: _Context) -> dict[str, object]:
    spec = BLOCKS[kind]
    name = block.get("name")
    named = isinstance(name, str) and bool(name.strip())
    own = f"{ctx.gateway_id}/{spec.collection}/{str(name).strip()}" if named else ""
    label = block.named(f"{kind}[{_quoted(name)}]") if named else block
    return _object(label, spec, ctx, own)


def _fields(block: Attributes | Unknown | None, fields: Fields) -> object:
    if not isinstance(block, Attributes):
        return block
    return {key: block.get(attribute) for attribute, key in fields}


def _is_gateway_id(value: object) -> bool:
    return isinstance(value, str) and "/applicationgateways/" in value.lower()


def _gateway_id(values: Attributes) -> str:
    """The id the gateway will have (the subscription is not in the plan)."""
    parts = [values.get(k) for k in ("resource_group_name", "name")]
    group, name = (p.strip() if isinstance(p, str) and p.strip() else _UNKNOWN_PART for p in parts)
    return (
        f"/subscriptions/{_UNKNOWN_PART}/resourceGroups/{group}"
        f"/providers/Microsoft.Network/applicationGateways/{name}"
    )


def _quoted(name: object) -> str:
    """A block's name as Terraform quotes a string key: ``"api"``."""
    return json.dumps(str(name).strip(), ensure_ascii=False)


def block_address(address: str, collection: str, item: Mapping[str, object], position: int) -> str:
    """Where a block of the gateway at ``address`` is written:
    ``<address>.ssl_certificate["api"]``, or ``[<position>]`` when it has no name."""
    kind = _BLOCK_OF.get(collection, collection)
    name = item.get("name")
    if isinstance(name, str) and name.strip():
        return f"{address}.{kind}[{_quoted(name)}]"
    return f"{address}.{kind}[{position}]"
