"""Read a gateway's JSON in any of its shapes into one normalised form.

The shapes: the REST GET body (each object's fields under ``properties``), the
``az network application-gateway show`` output (the same, flattened), an ARM
template holding a ``Microsoft.Network/applicationGateways`` resource
(expressions evaluated by :mod:`.arm`, nested deployments searched; ``resources``
an array, or an object by symbolic name as Bicep writes ``languageVersion``
2.0), and a Terraform plan or state (:mod:`.terraform`). A REST list, Resource
Graph's answer and a Terraform plan may hold several gateways
(:mod:`.sources`): :func:`read_gateways` reads them all, :func:`read_gateway`
the one they hold. Each becomes a :class:`GatewayDocument`: field names
lower-cased (Azure matches them case-insensitively), ``properties`` merged into
their object, every named object of a collection an :class:`Element` that knows
its location (in the portal, or the Terraform block's address).

    >>> doc = read_gateway(json.loads(text))
    >>> [e.location for e in doc.elements("sslCertificates")]
    ['sslCertificates[listener-cert]']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .._errors import CertificateFormatError
from .arm import ArmContext, evaluate
from .json_text import MAX_JSON_BYTES, load_json
from .model import (
    COLLECTION_KEYS,
    GATEWAY_TYPE,
    Element,
    GatewayDocument,
    Reference,
    Shape,
    canonical_collection,
    sku_or_none,
)
from .normalise import normalise
from .sources import GatewaySources, gateway_sources, listed, subresource_collection
from .terraform import is_terraform, terraform_gateways
from .terraform_blocks import block_address, terraform_body

__all__ = [
    "MAX_JSON_BYTES",
    "GatewaySources",
    "Gateways",
    "gateway_sources",
    "load_json",
    "normalise",
    "read_gateway",
    "read_gateways",
    "subresource_collection",
]

_DEPLOYMENT_TYPE = "microsoft.resources/deployments"
_MAX_NESTING = 16


def read_gateway(
    document: object, parameters: Mapping[str, object] | None = None
) -> GatewayDocument:
    """The gateway in a parsed JSON document, normalised.

    Raises ``CertificateFormatError`` when there is no gateway, or several (a JSON
    array, a REST list, Resource Graph's answer or a Terraform plan holding more
    than one: :func:`read_gateways` reads them all).
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
            "'az network application-gateway show', a REST GET body, an ARM template "
            "with a Microsoft.Network/applicationGateways resource or a Terraform plan"
        )
    fields = normalise(found.raw)
    return _document(found, fields if isinstance(fields, dict) else {})


@dataclass(frozen=True)
class Gateways:
    """Every gateway of one JSON document, read; ``notes`` say what it left out."""

    documents: tuple[GatewayDocument, ...]
    sources: GatewaySources

    @property
    def notes(self) -> tuple[str, ...]:
        """Gateways the document points to but does not hold (a REST list's nextLink)."""
        return self.sources.notes


def read_gateways(document: object, parameters: Mapping[str, object] | None = None) -> Gateways:
    """Every gateway in a parsed JSON document: one, or each of a JSON array, a REST
    list, Resource Graph's answer or a Terraform plan's. An item that is not a gateway
    raises ``CertificateFormatError`` naming it (``item 3: ...``, or its Terraform
    address). To audit each: ``audit_gateway(item)`` for each of
    ``gateway_sources(document).items``.
    """
    sources = gateway_sources(document)
    documents: list[GatewayDocument] = []
    for position, item in enumerate(sources.items):
        try:
            documents.append(read_gateway(item, parameters))
        except CertificateFormatError as exc:
            if sources.single:
                raise
            label = sources.labels[position] if sources.labels else f"item {position}"
            raise CertificateFormatError(f"{label}: {exc}") from exc
    return Gateways(tuple(documents), sources)


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


class _Found(NamedTuple):
    """A gateway found in a document, before normalising."""

    shape: Shape
    raw: Mapping[str, object]
    address: str | None = None  # the Terraform resource address
    notes: tuple[str, ...] = ()


def _find_gateway(
    doc: Mapping[str, object], parameters: Mapping[str, object] | None, depth: int
) -> _Found | None:
    keys = {str(k).lower(): v for k, v in doc.items()}
    collection = subresource_collection(doc)
    if collection is not None:
        return _Found("cli", {collection: [doc]})
    if _template_resources(keys) is not None:
        return _find_in_template(doc, ArmContext.from_template(keys, parameters), depth)
    template = keys.get("template")
    if isinstance(template, Mapping) and depth < _MAX_NESTING:
        return _find_gateway(template, parameters, depth + 1)
    if is_terraform(keys):
        return _one_of_terraform(keys)
    listing = listed(keys)
    if listing is not None:
        return _one_of_list(listing, parameters, depth)
    if _looks_like_gateway(keys):
        if "properties" not in keys:
            return _Found("cli", doc)
        # A Resource Graph row carries "sku": null beside properties.sku; a top-level
        # field would win over the gateway's own.
        return _Found("rest", {k: v for k, v in doc.items() if v is not None})
    return _find_in_wrapper(keys, parameters, depth)


def _one_of_terraform(keys: Mapping[str, object]) -> _Found:
    gateways = terraform_gateways(keys)
    if len(gateways) != 1:
        raise CertificateFormatError(_count(len(gateways), "the Terraform plan or state"))
    return _Found("terraform", terraform_body(gateways[0]), address=gateways[0].address)


def _one_of_list(
    listing: GatewaySources, parameters: Mapping[str, object] | None, depth: int
) -> _Found | None:
    if len(listing.items) != 1:
        raise CertificateFormatError(_count(len(listing.items), "the list"))
    item = listing.items[0]
    found = _find_gateway(item, parameters, depth + 1) if isinstance(item, Mapping) else None
    return found._replace(notes=found.notes + listing.notes) if found is not None else None


def _count(count: int, holder: str) -> str:
    if count == 0:
        return f"no application gateway in {holder}"
    return f"{holder} holds {count} application gateways: read (or audit) each one"


def _template_resources(keys: Mapping[str, object]) -> list[object] | None:
    """A template's resources: an array, or an object of them by symbolic name
    (``languageVersion`` 2.0, as Bicep compiles to); None if not a template."""
    resources = keys.get("resources")
    if isinstance(resources, list):
        return resources
    marked = keys.keys() & {"languageversion", "$schema", "contentversion"}
    if isinstance(resources, Mapping) and marked:
        return list(resources.values())
    return None


# Where REST examples keep the gateway: azure-rest-api-specs' example files
# ({"parameters": {"parameters": PUT body}, "responses": {"200": {"body": GET body}}})
# and files that quote one response ({"_source": ..., "body": ...}).
_WRAPPERS = ("body", "responses", "200", "201", "parameters")


def _find_in_wrapper(
    keys: Mapping[str, object], parameters: Mapping[str, object] | None, depth: int
) -> _Found | None:
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
    return bool(set(fields) & COLLECTION_KEYS) or _is_gateway_sku(fields.get("sku"))


def _is_gateway_sku(sku: object) -> bool:
    """A gateway's SKU name (``Standard_Medium``, ``WAF_v2``), else its tier alone:
    a storage account's ``Standard_LRS`` shares the tier ``Standard``."""
    if not isinstance(sku, Mapping):
        return False
    fields = {str(k).lower(): v for k, v in sku.items()}
    value = fields.get("name", fields.get("tier"))
    return isinstance(value, str) and sku_or_none(value) is not None


def _find_in_template(
    template: Mapping[str, object], context: ArmContext, depth: int
) -> _Found | None:
    keys = {str(k).lower(): v for k, v in template.items()}
    for resource in _template_resources(keys) or ():
        if not isinstance(resource, Mapping):
            continue
        fields = {str(k).lower(): v for k, v in resource.items()}
        kind = str(fields.get("type", "")).lower()
        if kind == GATEWAY_TYPE and fields.get("existing") is not True:
            # (an ``existing`` resource of Bicep's is a reference: nothing to audit)
            evaluated = evaluate(resource, context)
            if isinstance(evaluated, Mapping):
                return _Found("arm", evaluated)
        elif kind == _DEPLOYMENT_TYPE and depth < _MAX_NESTING:
            found = _find_in_deployment(fields, context, depth + 1)
            if found is not None:
                return found
    return None


def _find_in_deployment(
    deployment: Mapping[str, object], outer: ArmContext, depth: int
) -> _Found | None:
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


def _document(found: _Found, fields: dict[str, object]) -> GatewayDocument:
    collections: dict[str, tuple[Element, ...]] = {}
    index: dict[str, dict[str, Element]] = {}
    address = found.address
    for key, value in fields.items():
        # Normalised: every object is a plain dict by now.
        if not isinstance(value, list) or not any(type(v) is dict for v in value):
            continue
        name: str = canonical_collection(key) or key
        elements = tuple(
            Element(
                name,
                _element_name(item, i),
                item,
                address=block_address(address, name, item, i) if address else None,
            )
            for i, item in enumerate(value)
            if type(item) is dict
        )
        collections[name] = elements
        index[key] = {e.name.lower(): e for e in reversed(elements)}
    sku = fields.get("sku")
    sku_fields = sku if isinstance(sku, Mapping) else {}
    named = _str_or_none(fields.get("name"))
    return GatewayDocument(
        # a Terraform gateway whose name is known only after apply: its address
        name=named or address or _gateway_name(fields, collections),
        shape=found.shape,
        sku_name=_str_or_none(sku_fields.get("name")),
        sku_tier=_str_or_none(sku_fields.get("tier")),
        fields=fields,
        collections=collections,
        _index=index,
        address=address,
        notes=found.notes,
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
