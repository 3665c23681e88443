"""A gateway's JSON, normalised: named objects (:class:`Element`), in-gateway
references (:class:`Reference`) and the whole :class:`GatewayDocument`.

Field names are lower-cased (Azure matches them case-insensitively) and
``properties`` is merged into its object; :mod:`.document` builds these from
any of the shapes a gateway comes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, TypeGuard

from .._findings.sku import Sku
from .arm import Unknown

__all__ = [
    "COLLECTIONS",
    "COLLECTION_KEYS",
    "GATEWAY_TYPE",
    "SCALARS",
    "Element",
    "GatewayDocument",
    "Reference",
    "Shape",
    "canonical_collection",
    "is_object",
    "is_placeholder",
    "sku_or_none",
]

GATEWAY_TYPE = "microsoft.network/applicationgateways"
SCALARS = frozenset({str, int, float, bool, type(None)})  # JSON's leaves

#: The gateway's collections as the REST API spells them (for locations).
COLLECTIONS = (
    "sslCertificates",
    "trustedRootCertificates",
    "trustedClientCertificates",
    "authenticationCertificates",
    "sslProfiles",
    "gatewayIPConfigurations",
    "frontendIPConfigurations",
    "frontendPorts",
    "backendAddressPools",
    "backendHttpSettingsCollection",
    "backendSettingsCollection",
    "httpListeners",
    "listeners",
    "probes",
    "urlPathMaps",
    "requestRoutingRules",
    "routingRules",
    "redirectConfigurations",
    "rewriteRuleSets",
    "loadDistributionPolicies",
    "privateLinkConfigurations",
    "privateEndpointConnections",
    "entraJWTValidationConfigs",
)
_CANONICAL = {name.lower(): name for name in COLLECTIONS}
#: The collections' names, lower-cased as normalised fields have them.
COLLECTION_KEYS = frozenset(_CANONICAL)


def canonical_collection(name: str) -> str | None:
    """The REST spelling of a collection name given in any case; None if not one."""
    return _CANONICAL.get(name.lower())


#: Where a gateway's JSON came from: a REST body, the az CLI's flattened output, an
#: ARM template (or compiled Bicep), or a Terraform plan or state.
Shape = Literal["rest", "cli", "arm", "terraform"]


def is_placeholder(value: object) -> bool:
    """Whether a value stands for data that is not there: ``"****"``, empty, Unknown."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        # lstrip stops at the first other character: O(1) for a long base64 field
        return not value.strip().lstrip("*")
    return False


def is_object(value: object) -> TypeGuard[Mapping[object, object]]:
    """A JSON object: ``isinstance(value, Mapping)``, with plain dicts (what
    ``json.loads`` and :func:`normalise` give) answered without the ABC look-up."""
    return type(value) is dict or isinstance(value, Mapping)


@dataclass(frozen=True)
class Reference:
    """A ``{"id": ...}`` pointing inside the gateway: collection and name (and child).

    ``unknown`` is set when the id is an expression that could not be evaluated.
    """

    raw: str
    collection: str | None = None
    name: str | None = None
    child_collection: str | None = None
    child_name: str | None = None
    unknown: bool = False

    @classmethod
    def parse(cls, value: object) -> Reference | None:
        """The in-gateway reference in ``{"id": ...}``; None for other resources or no id."""
        target = value.get("id") if is_object(value) else value
        if type(target) is str:  # the usual case, first
            return _parse_id(target) if target.strip() else None
        if isinstance(target, Unknown):
            return cls(raw=target.expression, unknown=True)
        if not isinstance(target, str) or not target.strip():
            return None
        return _parse_id(target)

    @property
    def target(self) -> str:
        """``collection[name]``, as a location."""
        if self.unknown:
            return self.raw
        return f"{self.collection}[{self.name or ''}]"


@lru_cache(maxsize=8192)
def _parse_id(target: str) -> Reference | None:
    # Ids repeat: every listener names its port, certificate and profile.
    segments = [s for s in target.strip().split("/") if s]
    lowered = [s.lower() for s in segments]
    if "applicationgateways" not in lowered:
        return None  # a subnet, public IP, firewall policy...: not ours to resolve
    rest = segments[lowered.index("applicationgateways") + 2 :]
    if not rest:
        return None  # the gateway itself
    return Reference(
        raw=target,
        collection=_CANONICAL.get(rest[0].lower(), rest[0]),
        name=rest[1] if len(rest) > 1 else None,
        child_collection=rest[2] if len(rest) > 2 else None,
        child_name=rest[3] if len(rest) > 3 else None,
    )


@dataclass(frozen=True)
class Element:
    """One named object of a collection, its fields normalised.

    >>> listener.location, listener.text("protocol")
    ('httpListeners[web]', 'Https')

    ``address`` replaces the portal location where the object was written
    elsewhere: a Terraform block's address,
    ``azurerm_application_gateway.main.http_listener["web"]``.
    """

    collection: str
    name: str
    fields: Mapping[str, object] = field(repr=False)
    address: str | None = field(default=None, repr=False, compare=False)
    #: Where a person finds it: ``collection[name]`` in the portal, else ``address``.
    #: Set once here (most are read; a cached_property takes a lock on first read in 3.11).
    location: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        location = self.address or f"{self.collection}[{self.name}]"
        object.__setattr__(self, "location", location)

    def get(self, key: str) -> object:
        """The raw (normalised) value of a field, by its lower-case name."""
        return self.fields.get(key)

    def text(self, key: str) -> str | None:
        """A non-empty string field, else None (Unknown expressions are None too)."""
        value = self.fields.get(key)
        if not isinstance(value, str):
            return None
        return value.strip() or None

    def flag(self, key: str, default: bool) -> bool:
        """A boolean field; missing, null or unknown gives the spec's ``default``."""
        value = self.fields.get(key)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        return default

    def protocol(self) -> str:
        """The ``protocol`` field, lower-case ('' when absent)."""
        return (self.text("protocol") or "").lower()

    def ref(self, key: str) -> Reference | None:
        """The reference in field ``key`` (``{"id": ...}``)."""
        return Reference.parse(self.fields.get(key))

    def refs(self, key: str) -> tuple[Reference, ...]:
        """The references in list field ``key``."""
        values = self.fields.get(key)
        if not isinstance(values, list):
            return ()
        found = (Reference.parse(v) for v in values)
        return tuple(r for r in found if r is not None)

    def all_refs(self) -> list[Reference]:
        """Every in-gateway reference anywhere in the object (not its own id), in
        document order."""
        found: list[Reference] = []
        for key, value in self.fields.items():
            if key != "id" and type(value) not in SCALARS:  # most fields: no call
                _collect_refs(value, found)
        return found


def _collect_refs(value: object, found: list[Reference]) -> None:
    if type(value) in SCALARS:  # most values; no ABC look-up for them
        return
    if is_object(value):
        if "id" in value:
            ref = Reference.parse(value)
            if ref is not None:
                found.append(ref)
        for key, item in value.items():
            if key != "id" and type(item) not in SCALARS:
                _collect_refs(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_refs(item, found)


@dataclass(frozen=True)
class GatewayDocument:
    """A gateway, whatever shape it came in.

    >>> doc.name, doc.shape, doc.sku_tier
    ('appgw', 'rest', 'Standard')
    """

    name: str
    shape: Shape
    sku_name: str | None
    sku_tier: str | None
    fields: Mapping[str, object] = field(repr=False)
    collections: Mapping[str, tuple[Element, ...]] = field(repr=False)
    _index: Mapping[str, Mapping[str, Element]] = field(repr=False)
    #: The Terraform resource address of a gateway read from a plan or state.
    address: str | None = None
    #: What the reading left out, for the caller to show: "the list continues at
    #: nextLink", never a finding about the gateway itself.
    notes: tuple[str, ...] = ()

    @property
    def sku(self) -> Sku | None:
        """The SKU its tier (else its name) names; None when neither is one."""
        for value in (self.sku_tier, self.sku_name):
            sku = sku_or_none(value) if value else None
            if sku is not None:
                return sku
        return None

    def elements(self, collection: str) -> tuple[Element, ...]:
        """The objects of a collection (REST spelling), in document order."""
        return self.collections.get(collection, ())

    def find(self, ref: Reference | None) -> Element | None:
        """The object a reference points to (names compared case-insensitively)."""
        if ref is None or ref.unknown or ref.collection is None or ref.name is None:
            return None
        return self._index.get(ref.collection.lower(), {}).get(ref.name.lower())


def sku_or_none(value: str) -> Sku | None:
    try:
        return Sku.parse(value)
    except ValueError:
        return None
