"""Read a gateway's JSON in any of its three shapes into one normalised form.

The shapes: the REST GET body (each object's fields under ``properties``), the
``az network application-gateway show`` output (the same, flattened), and an
ARM template holding a ``Microsoft.Network/applicationGateways`` resource
(expressions evaluated by :mod:`._arm`, nested deployments searched). All three
become a :class:`GatewayDocument`: field names lower-cased (Azure matches them
case-insensitively), ``properties`` merged into their object, every named
object of a collection an :class:`Element` that knows its portal location.

    >>> doc = read_gateway(json.loads(text))
    >>> [e.location for e in doc.elements("sslCertificates")]
    ['sslCertificates[listener-cert]']
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, TypeGuard

from .._errors import CertificateFormatError
from .._findings.sku import Sku
from .arm import ArmContext, Unknown, evaluate

__all__ = [
    "MAX_JSON_BYTES",
    "Element",
    "GatewayDocument",
    "Reference",
    "is_placeholder",
    "load_json",
    "read_gateway",
    "subresource_collection",
]

#: A gateway at every Azure limit is a few MiB; anything over this is not one.
MAX_JSON_BYTES = 256 * 1024 * 1024

GATEWAY_TYPE = "microsoft.network/applicationgateways"
_DEPLOYMENT_TYPE = "microsoft.resources/deployments"
_MAX_NESTING = 16
_MAX_DEPTH = 64
_SCALARS = frozenset({str, int, float, bool, type(None)})  # JSON's leaves

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

Shape = Literal["rest", "cli", "arm"]


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
    """

    collection: str
    name: str
    fields: Mapping[str, object] = field(repr=False)
    #: Where a person finds it in the portal: ``collection[name]``. Set once here
    #: (most are read; a cached_property takes a lock on first read in 3.11).
    location: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", f"{self.collection}[{self.name}]")

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
            if key != "id" and type(value) not in _SCALARS:  # most fields: no call
                _collect_refs(value, found)
        return found


def _collect_refs(value: object, found: list[Reference]) -> None:
    if type(value) in _SCALARS:  # most values; no ABC look-up for them
        return
    if is_object(value):
        if "id" in value:
            ref = Reference.parse(value)
            if ref is not None:
                found.append(ref)
        for key, item in value.items():
            if key != "id" and type(item) not in _SCALARS:
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

    @property
    def sku(self) -> Sku | None:
        """The SKU its tier (else its name) names; None when neither is one."""
        for value in (self.sku_tier, self.sku_name):
            sku = _sku_or_none(value) if value else None
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


def load_json(source: bytes | str | os.PathLike[str]) -> object:
    """Parse JSON text, bytes or a JSON file; anything else is ``CertificateFormatError``."""
    if isinstance(source, os.PathLike):
        source = _read_file(source)
    size = len(source)
    if size > MAX_JSON_BYTES:
        raise CertificateFormatError(
            f"the JSON is {size:,} bytes, over the {MAX_JSON_BYTES:,}-byte limit for a gateway"
        )
    try:
        return json.loads(source)
    except (ValueError, RecursionError) as exc:
        raise CertificateFormatError(
            f"not JSON ({_first_line(exc)}): pass the output of "
            "'az network application-gateway show', a REST GET body or an ARM template"
        ) from exc


def _read_file(path: os.PathLike[str]) -> bytes:
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            return handle.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise CertificateFormatError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def read_gateway(
    document: object, parameters: Mapping[str, object] | None = None
) -> GatewayDocument:
    """The gateway in a parsed JSON document, normalised.

    Raises ``CertificateFormatError`` when there is no gateway (or a list of them:
    audit each element).
    """
    if isinstance(document, list):
        document = _collections_of(document)
    if not isinstance(document, Mapping):
        raise CertificateFormatError(
            f"the JSON is a {type(document).__name__}, not a gateway object"
        )
    found = _find_gateway(document, parameters, 0)
    if found is None:
        raise CertificateFormatError(
            "no application gateway in the JSON: expected the output of "
            "'az network application-gateway show', a REST GET body or an ARM template "
            "with a Microsoft.Network/applicationGateways resource"
        )
    shape, raw = found
    fields = normalise(raw)
    return _document(shape, fields if isinstance(fields, dict) else {})


def subresource_collection(item: object) -> str | None:
    """The collection of one object printed alone (``az network application-gateway
    ssl-cert show``): its ``type`` is ``.../applicationGateways/<collection>``."""
    if not isinstance(item, Mapping):
        return None
    kind = next((v for k, v in item.items() if str(k).lower() == "type"), None)
    if not isinstance(kind, str) or not kind.lower().startswith(GATEWAY_TYPE + "/"):
        return None
    return _CANONICAL.get(kind.lower().rsplit("/", 1)[-1])


def _collections_of(items: list[object]) -> Mapping[str, object]:
    """Objects printed by a sub-command (``ssl-cert list``, ``root-cert list``) as the
    collections of an unnamed gateway; a list of anything else is refused."""
    grouped: dict[str, list[object]] = {}
    for item in items:
        collection = subresource_collection(item)
        if collection is None:
            raise CertificateFormatError(
                f"the JSON is a list of {len(items)} items, not one gateway: audit each element"
            )
        grouped.setdefault(collection, []).append(item)
    return grouped


def _find_gateway(
    doc: Mapping[str, object], parameters: Mapping[str, object] | None, depth: int
) -> tuple[Shape, Mapping[str, object]] | None:
    keys = {str(k).lower(): v for k, v in doc.items()}
    collection = subresource_collection(doc)
    if collection is not None:
        return "cli", {collection: [doc]}
    resources = keys.get("resources")
    if isinstance(resources, list):
        return _find_in_template(doc, ArmContext.from_template(keys, parameters), depth)
    template = keys.get("template")
    if isinstance(template, Mapping) and depth < _MAX_NESTING:
        return _find_gateway(template, parameters, depth + 1)
    if _looks_like_gateway(keys):
        return ("cli" if "properties" not in keys else "rest"), doc
    return _find_in_wrapper(keys, parameters, depth)


# Where REST examples keep the gateway: azure-rest-api-specs' example files
# ({"parameters": {"parameters": PUT body}, "responses": {"200": {"body": GET body}}})
# and files that quote one response ({"_source": ..., "body": ...}).
_WRAPPERS = ("body", "responses", "200", "201", "parameters")


def _find_in_wrapper(
    keys: Mapping[str, object], parameters: Mapping[str, object] | None, depth: int
) -> tuple[Shape, Mapping[str, object]] | None:
    if depth >= _MAX_NESTING:
        return None
    for wrapper in _WRAPPERS:
        inner = keys.get(wrapper)
        if isinstance(inner, Mapping):
            found = _find_gateway(inner, parameters, depth + 1)
            if found is not None:
                return found
    return None


def _looks_like_gateway(keys: Mapping[str, object]) -> bool:
    """The gateway's type, one of its collections, or a gateway SKU (other resources
    have a ``sku`` too)."""
    if str(keys.get("type", "")).lower() == GATEWAY_TYPE:
        return True
    props = keys.get("properties")
    inner = {str(k).lower(): v for k, v in props.items()} if isinstance(props, Mapping) else {}
    fields = {**inner, **keys}
    return bool(set(fields) & set(_CANONICAL)) or _is_gateway_sku(fields.get("sku"))


def _is_gateway_sku(sku: object) -> bool:
    """A gateway's SKU name (``Standard_Medium``, ``WAF_v2``), else its tier alone:
    a storage account's ``Standard_LRS`` shares the tier ``Standard``."""
    if not isinstance(sku, Mapping):
        return False
    fields = {str(k).lower(): v for k, v in sku.items()}
    value = fields.get("name", fields.get("tier"))
    return isinstance(value, str) and _sku_or_none(value) is not None


def _sku_or_none(value: str) -> Sku | None:
    try:
        return Sku.parse(value)
    except ValueError:
        return None


def _find_in_template(
    template: Mapping[str, object], context: ArmContext, depth: int
) -> tuple[Shape, Mapping[str, object]] | None:
    keys = {str(k).lower(): v for k, v in template.items()}
    resources = keys.get("resources")
    for resource in resources if isinstance(resources, list) else ():
        if not isinstance(resource, Mapping):
            continue
        fields = {str(k).lower(): v for k, v in resource.items()}
        kind = str(fields.get("type", "")).lower()
        if kind == GATEWAY_TYPE:
            evaluated = evaluate(resource, context)
            if isinstance(evaluated, Mapping):
                return "arm", evaluated
        elif kind == _DEPLOYMENT_TYPE and depth < _MAX_NESTING:
            found = _find_in_deployment(fields, context, depth + 1)
            if found is not None:
                return found
    return None


def _find_in_deployment(
    deployment: Mapping[str, object], outer: ArmContext, depth: int
) -> tuple[Shape, Mapping[str, object]] | None:
    props = deployment.get("properties")
    fields = {str(k).lower(): v for k, v in props.items()} if isinstance(props, Mapping) else {}
    template = fields.get("template")
    if not isinstance(template, Mapping):
        return None  # a linked template (templateLink) is not in this file
    options = fields.get("expressionevaluationoptions")
    scope = options.get("scope") if isinstance(options, Mapping) else None
    if str(scope).lower() == "inner":
        passed = evaluate(fields.get("parameters") or {}, outer)
        values = passed if isinstance(passed, Mapping) else {}
        inner_keys = {str(k).lower(): v for k, v in template.items()}
        return _find_in_template(template, ArmContext.from_template(inner_keys, values), depth)
    return _find_in_template(template, outer, depth)


def normalise(value: object, depth: int = 0) -> object:
    """Keys lower-cased and every ``properties`` object merged into its owner.

    Fields outside ``properties`` win over those inside (the CLI's flattened
    output and a REST body then read the same). Nothing in a gateway nests
    deeper than a dozen levels; what does is dropped, so that no later walk
    over the document can exhaust the stack.
    """
    if depth > _MAX_DEPTH:
        return None
    if type(value) in _SCALARS:  # most values: checked first, without an ABC look-up
        return value
    if isinstance(value, list):
        return [normalise(item, depth + 1) for item in value]
    if is_object(value):
        return _normalise_object(value, depth + 1)
    return value


def _normalise_object(value: Mapping[object, object], depth: int) -> dict[str, object]:
    # A gateway has about ten objects per listener: scalars are taken as they are
    # here, without a call, unless they sit deeper than the document may go.
    leaves = _SCALARS if depth <= _MAX_DEPTH else frozenset()
    out: dict[str, object] = {}
    for key, item in value.items():
        name = key.lower() if type(key) is str else str(key).lower()
        out[name] = item if type(item) in leaves else normalise(item, depth)
    props = out.pop("properties", None)
    if type(props) is dict:  # normalised just above
        for key, item in props.items():
            out.setdefault(key, item)
    elif props is not None:
        out["properties"] = props
    return out


def _document(shape: Shape, fields: dict[str, object]) -> GatewayDocument:
    collections: dict[str, tuple[Element, ...]] = {}
    index: dict[str, dict[str, Element]] = {}
    for key, value in fields.items():
        # Normalised: every object is a plain dict by now.
        if not isinstance(value, list) or not any(type(v) is dict for v in value):
            continue
        name: str = _CANONICAL.get(key, key)
        elements = tuple(
            Element(name, _element_name(item, i), item)
            for i, item in enumerate(value)
            if type(item) is dict
        )
        collections[name] = elements
        index[key] = {e.name.lower(): e for e in reversed(elements)}
    sku = fields.get("sku")
    sku_fields = sku if isinstance(sku, Mapping) else {}
    return GatewayDocument(
        name=_gateway_name(fields, collections),
        shape=shape,
        sku_name=_str_or_none(sku_fields.get("name")),
        sku_tier=_str_or_none(sku_fields.get("tier")),
        fields=fields,
        collections=collections,
        _index=index,
    )


def _element_name(item: Mapping[str, object], position: int) -> str:
    name = item.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    ref = Reference.parse(item)
    if ref is not None and ref.name:
        return ref.name
    return f"#{position}"


def _gateway_name(
    fields: Mapping[str, object], collections: Mapping[str, tuple[Element, ...]]
) -> str:
    name = fields.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    for text in _ids(fields, collections):
        segments = [s for s in text.split("/") if s]
        lowered = [s.lower() for s in segments]
        if "applicationgateways" in lowered:
            at = lowered.index("applicationgateways") + 1
            if at < len(segments):
                return segments[at]
    return "(unnamed gateway)"


def _ids(
    fields: Mapping[str, object], collections: Mapping[str, tuple[Element, ...]]
) -> Iterator[str]:
    own = fields.get("id")
    if isinstance(own, str):
        yield own
    for elements in collections.values():
        for element in elements:
            yield from (r.raw for r in element.all_refs() if not r.unknown)


def _str_or_none(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
