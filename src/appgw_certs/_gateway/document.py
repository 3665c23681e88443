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

from .._errors import CertificateFormatError
from .arm import ArmContext, evaluate
from .model import (
    COLLECTION_KEYS,
    GATEWAY_TYPE,
    SCALARS,
    Element,
    GatewayDocument,
    Reference,
    Shape,
    canonical_collection,
    is_object,
    sku_or_none,
)

__all__ = [
    "MAX_JSON_BYTES",
    "load_json",
    "normalise",
    "read_gateway",
    "subresource_collection",
]

#: A gateway at every Azure limit is a few MiB; anything over this is not one.
MAX_JSON_BYTES = 256 * 1024 * 1024

_DEPLOYMENT_TYPE = "microsoft.resources/deployments"
_MAX_NESTING = 16
_MAX_DEPTH = 64


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
    return canonical_collection(kind.lower().rsplit("/", 1)[-1])


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
    if type(value) in SCALARS:  # most values: checked first, without an ABC look-up
        return value
    if isinstance(value, list):
        return [normalise(item, depth + 1) for item in value]
    if is_object(value):
        return _normalise_object(value, depth + 1)
    return value


def _normalise_object(value: Mapping[object, object], depth: int) -> dict[str, object]:
    # A gateway has about ten objects per listener: scalars are taken as they are
    # here, without a call, unless they sit deeper than the document may go.
    leaves = SCALARS if depth <= _MAX_DEPTH else frozenset()
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
        name: str = canonical_collection(key) or key
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
