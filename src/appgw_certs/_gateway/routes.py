"""How a gateway routes traffic, and the host names it sends to its backends.

A request reaches a backend through a (listener, pool, settings) triple: a
Basic rule names all three, a path-based rule's URL path map names a default
pair and one per path rule, a layer-4 ``routingRules`` entry names them too,
and a load-distribution policy may stand in for a pool. The name the gateway
sends as SNI (and matches the backend certificate against) follows the
settings: ``sniName`` (when SNI is validated), else ``hostName``, else the pool
member's FQDN or IP (``pickHostNameFromBackendAddress``), else the client's own
Host header, which is one of the listener's host names.

    >>> for route in routes(doc):
    ...     route.settings.name, backend_names(route)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .model import Element, GatewayDocument, Reference

__all__ = [
    "HTTPS_PROTOCOLS",
    "Route",
    "backend_names",
    "listener_host_names",
    "pool_members",
    "probe_host",
    "routes",
    "sends_host_name",
]

#: The ``protocol`` values (lower-cased) of listeners, settings and probes that use TLS.
HTTPS_PROTOCOLS = frozenset({"https", "tls"})

#: The Host header of the default probe when nothing names a host: its probe URL is
#: ``<protocol>://127.0.0.1:<port>/`` (application-gateway-probe-overview, "Default
#: health probe settings"). It is never sent as SNI: an IP literal is not a server name.
DEFAULT_PROBE_HOST = "127.0.0.1"


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


def sends_host_name(settings: Element) -> str | None:
    """The one name a setting always sends (``sniName`` when validated, else ``hostName``)."""
    sni = settings.text("sniname")
    if sni and settings.flag("validatesni", default=True):
        return sni
    return settings.text("hostname")


def backend_names(route: Route) -> list[str | None]:
    """The names sent as SNI on a route; ``None`` stands for "the client's Host" when the
    listener names none."""
    if route.settings is None:
        return []
    fixed = sends_host_name(route.settings)
    if fixed:
        return [fixed]
    if route.settings.flag("pickhostnamefrombackendaddress", default=False):
        return list(pool_members(route.pool))
    return list(listener_host_names(route.listener)) or [None]


def probe_host(probe: Element | None, settings: Element, pool: Element | None) -> list[str]:
    """The host names a (custom or default) probe sends for ``settings`` to ``pool``."""
    if probe is not None and probe.text("host"):
        return [probe.text("host") or ""]
    picks = (
        probe is None
        or probe.flag("pickhostnamefrombackendhttpsettings", False)
        or probe.flag("pickhostnamefrombackendsettings", False)
    )
    if not picks:
        return [DEFAULT_PROBE_HOST]
    fixed = settings.text("hostname")
    if fixed:
        return [fixed]
    if settings.flag("pickhostnamefrombackendaddress", default=False):
        return pool_members(pool) or [DEFAULT_PROBE_HOST]
    return [DEFAULT_PROBE_HOST]
