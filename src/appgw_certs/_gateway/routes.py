"""How a gateway routes traffic, and the name its health probes send each backend.

A request reaches a backend through a (listener, pool, settings) triple: a
Basic rule names all three, a path-based rule's URL path map names a default
pair and one per path rule, a layer-4 ``routingRules`` entry names them too,
and a load-distribution policy may stand in for a pool.

The name a probe sends as SNI, and the one backend health holds the
certificate against, is resolved once, by
:func:`appgw_certs._verdicts.names.resolve_sni` (the precedence of
https://learn.microsoft.com/azure/application-gateway/ssl-overview#backend-tls-connection-application-gateway-to-the-backend-server):
:func:`resolve_name` only reads its inputs from a backend setting, its probe
and one pool member.

    >>> for route in routes(doc):
    ...     for member in pool_members(route.pool):
    ...         resolve_name(sku, route.settings, custom_probe(doc, route.settings), member)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .._findings.sku import Sku
from .._verdicts.names import ResolvedName, resolve_sni
from .model import Element, GatewayDocument, Reference

__all__ = [
    "HTTPS_PROTOCOLS",
    "Route",
    "custom_probe",
    "listener_host_names",
    "picks_host_name",
    "pool_members",
    "resolve_name",
    "routes",
]

#: The ``protocol`` values (lower-cased) of listeners, settings and probes that use TLS.
HTTPS_PROTOCOLS = frozenset({"https", "tls"})


@dataclass(frozen=True)
class Route:
    """One (listener, pool, settings) triple; any part may be missing or dangling."""

    listener: Element | None
    pool: Element | None
    settings: Element | None


def routes(doc: GatewayDocument) -> Iterator[Route]:
    """Every triple of the gateway's rules, URL path maps and load-distribution policies."""
    for rule in doc.elements("requestRoutingRules"):
        listener = doc.find(rule.ref("httplistener"))
        path_map = doc.find(rule.ref("urlpathmap"))
        if path_map is None:
            yield from _pairs(doc, listener, rule, "")
            continue
        yield from _pairs(doc, listener, path_map, "default")
        for path_rule in _path_rules(path_map):
            yield from _pairs(doc, listener, path_rule, "")
    for rule in doc.elements("routingRules"):
        yield from _pairs(doc, doc.find(rule.ref("listener")), rule, "")


def _path_rules(path_map: Element) -> Iterator[Element]:
    rules = path_map.get("pathrules")
    for position, item in enumerate(rules if isinstance(rules, list) else ()):
        if isinstance(item, Mapping):
            name = item.get("name")
            label = name if isinstance(name, str) and name else f"#{position}"
            yield Element(f"{path_map.location}.pathRules", label, item)


def _pairs(
    doc: GatewayDocument, listener: Element | None, holder: Element, prefix: str
) -> Iterator[Route]:
    settings = doc.find(holder.ref(prefix + "backendhttpsettings")) or doc.find(
        holder.ref(prefix + "backendsettings")
    )
    pools: list[Element | None] = [doc.find(holder.ref(prefix + "backendaddresspool"))]
    policy = doc.find(holder.ref(prefix + "loaddistributionpolicy"))
    if policy is not None:
        pools += [doc.find(_target_pool(t)) for t in _targets(policy)]
    found: list[Element | None] = [p for p in pools if p is not None] or [None]
    for pool in found:
        yield Route(listener, pool, settings)


def _targets(policy: Element) -> list[object]:
    targets = policy.get("loaddistributiontargets")
    return targets if isinstance(targets, list) else []


def _target_pool(target: object) -> Reference | None:
    return (
        Reference.parse(target.get("backendaddresspool")) if isinstance(target, Mapping) else None
    )


def pool_members(pool: Element | None) -> list[str]:
    """The pool's FQDNs and IPs (entries may be objects or, as in the REST examples, strings)."""
    if pool is None:
        return []
    members: list[str] = []
    addresses = pool.get("backendaddresses")
    for entry in addresses if isinstance(addresses, list) else ():
        if isinstance(entry, str) and entry.strip():
            members.append(entry.strip())
        elif isinstance(entry, Mapping):
            for key in ("fqdn", "ipaddress"):
                value = entry.get(key)
                if isinstance(value, str) and value.strip():
                    members.append(value.strip())
                    break
    return members


def listener_host_names(listener: Element | None) -> list[str]:
    """``hostName`` and ``hostNames[]`` of a listener (wildcards kept)."""
    if listener is None:
        return []
    names = [listener.text("hostname")] if listener.text("hostname") else []
    more = listener.get("hostnames")
    names += (
        [n.strip() for n in more if isinstance(n, str) and n.strip()]
        if isinstance(more, list)
        else []
    )
    return [n for n in names if n]


def custom_probe(doc: GatewayDocument, settings: Element) -> Element | None:
    """The custom probe a backend setting names; None for the default probe (or an id
    that names nothing, GW002)."""
    return doc.find(settings.ref("probe"))


def picks_host_name(probe: Element) -> bool:
    """Whether a probe takes its host name from the backend setting
    (``pickHostNameFromBackendHttpSettings``, ``pickHostNameFromBackendSettings`` on
    the TLS/TCP proxy)."""
    return probe.flag("pickhostnamefrombackendhttpsettings", False) or probe.flag(
        "pickhostnamefrombackendsettings", False
    )


def resolve_name(
    sku: Sku, settings: Element | None, probe: Element | None, member: str | None
) -> ResolvedName:
    """The name ``probe`` (None: the default probe) sends as SNI for ``settings`` (None:
    a probe no setting uses) to pool member ``member`` (its FQDN or IP; None: unknown).

    The probe's host counts unless it picks the host name from the setting; the
    setting's ``sniName`` only while ``validateSNI`` is on (its default)
    (https://learn.microsoft.com/azure/application-gateway/configuration-http-settings#backend-https-validation-settings).
    """
    host = None if probe is None or picks_host_name(probe) else probe.text("host")
    if settings is None:
        return resolve_sni(sku, probe_host_name=host, backend_address=member)
    validated = settings.flag("validatesni", default=True)
    return resolve_sni(
        sku,
        probe_host_name=host,
        host_name=settings.text("hostname"),
        pick_host_name_from_backend_address=settings.flag(
            "pickhostnamefrombackendaddress", default=False
        ),
        backend_address=member,
        sni_name=settings.text("sniname") if validated else None,
    )
