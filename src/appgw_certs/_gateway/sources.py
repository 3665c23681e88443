"""Tell how many gateways a JSON document holds, and split it into one document each.

Besides one gateway, a document may hold several:

- a JSON array: ``az network application-gateway list`` (a list of one gateway's
  objects, as ``az network application-gateway ssl-cert list`` prints, is one gateway);
- a REST list, ``{"value": [...], "nextLink": ...}`` (``GET .../applicationGateways``,
  ``az rest``): a ``nextLink`` says more gateways follow on another page, which is
  not fetched;
- Azure Resource Graph's answer, ``az graph query -q "resources | where type =~
  'microsoft.network/applicationgateways'"``: ``{"count", "data": [rows],
  "skip_token", "total_records"}`` (the REST API spells them ``skipToken`` and
  ``totalRecords``, https://learn.microsoft.com/javascript/api/@azure/arm-resourcegraph/queryresponse);
  each row is a gateway as a REST GET body, with ``resourceGroup`` and
  ``subscriptionId`` beside it;
- a Terraform plan or state (``terraform show -json``) with several
  ``azurerm_application_gateway`` resources (:mod:`.terraform`).

Each part is JSON that :func:`~.document.read_gateway` (and ``audit_gateway``)
reads as one gateway, and that a worker process can be given.

    >>> sources = gateway_sources(json.loads(text))
    >>> len(sources.items), sources.notes
    (2, ('the list continues at nextLink (https://...): more gateways were not audited',))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .model import GATEWAY_TYPE, canonical_collection
from .terraform import is_terraform, terraform_gateways

__all__ = ["GatewaySources", "SourceKind", "gateway_sources", "listed", "subresource_collection"]

#: What held the gateways: one gateway, a JSON array, a REST list, Resource Graph's
#: answer, or a Terraform plan or state.
SourceKind = Literal["one", "array", "rest-list", "graph", "terraform"]

# Where REST examples keep a response: azure-rest-api-specs' example files
# ({"responses": {"200": {"body": ...}}}) and files quoting one ({"body": ...}).
_RESPONSE_WRAPPERS = ("body", "responses", "200")
_MAX_NESTING = 16
_GRAPH_KEYS = frozenset(
    {"count", "skip_token", "skiptoken", "total_records", "totalrecords", "resulttruncated"}
)
#: Keys of a gateway or a template: their presence means the object is not a list.
_NOT_A_LIST = frozenset({"type", "properties", "resources", "template", "sku"})


@dataclass(frozen=True)
class GatewaySources:
    """The gateways of one JSON document, each as JSON that reads as it alone.

    ``labels`` name the items where the document does (Terraform addresses);
    ``notes`` say what the document holds beyond them, for the caller to show.
    """

    kind: SourceKind
    items: tuple[object, ...]
    labels: tuple[str, ...] = ()
    next_link: str | None = None
    more_rows: bool = False  # Resource Graph: another page (skip token) or a truncated answer

    @property
    def single(self) -> bool:
        """Whether the document is one gateway itself (not a list of them)."""
        return self.kind == "one"

    @property
    def notes(self) -> tuple[str, ...]:
        """What a reader of the audit should know: gateways that are not in the document."""
        found: list[str] = []
        if self.next_link:
            found.append(
                f"the list continues at nextLink ({self.next_link}): more gateways were not audited"
            )
        if self.more_rows:
            found.append(
                "Resource Graph returned one page of rows (skip_token or a truncated result): "
                "more gateways were not audited; page with --skip-token or --first"
            )
        return tuple(found)


def subresource_collection(item: object) -> str | None:
    """The collection of one object printed alone (``az network application-gateway
    ssl-cert show``): its ``type`` is ``.../applicationGateways/<collection>``."""
    if not isinstance(item, Mapping):
        return None
    kind = next((v for k, v in item.items() if str(k).lower() == "type"), None)
    if not isinstance(kind, str) or not kind.lower().startswith(GATEWAY_TYPE + "/"):
        return None
    return canonical_collection(kind.lower().rsplit("/", 1)[-1])


def gateway_sources(document: object) -> GatewaySources:
    """The gateways of a parsed JSON document, one item each (one item, the document
    itself, when it is not a list of gateways; reading it then says whether it is one)."""
    if isinstance(document, list):
        if document and subresource_collection(document[0]) is not None:
            return GatewaySources("one", (document,))
        return GatewaySources("array", tuple(document))
    if isinstance(document, Mapping):
        found = _sources_in(document, 0)
        if found is not None:
            return found
    return GatewaySources("one", (document,))


def _sources_in(document: Mapping[object, object], depth: int) -> GatewaySources | None:
    keys = {str(k).lower(): v for k, v in document.items()}
    if is_terraform(keys):
        gateways = terraform_gateways(keys)
        return GatewaySources(
            "terraform",
            tuple(g.source() for g in gateways),
            labels=tuple(g.address for g in gateways),
        )
    found = listed(keys)
    if found is not None or depth >= _MAX_NESTING or keys.keys() & _NOT_A_LIST:
        return found
    for wrapper in _RESPONSE_WRAPPERS:
        inner = keys.get(wrapper)
        if isinstance(inner, Mapping):
            found = _sources_in(inner, depth + 1)
            if found is not None:
                return found
    return None


def listed(keys: Mapping[str, object]) -> GatewaySources | None:
    """A REST list or Resource Graph's answer (keys lower-cased), as its rows; None
    for anything else."""
    if keys.keys() & _NOT_A_LIST:
        return None
    rows = keys.get("data")
    if isinstance(rows, list) and keys.keys() & _GRAPH_KEYS:
        return GatewaySources("graph", tuple(rows), more_rows=_more_rows(keys, len(rows)))
    values = keys.get("value")
    if isinstance(values, list):
        link = keys.get("nextlink", keys.get("@odata.nextlink"))
        text = link.strip() if isinstance(link, str) and link.strip() else None
        return GatewaySources("rest-list", tuple(values), next_link=text)
    return None


def _more_rows(keys: Mapping[str, object], rows: int) -> bool:
    token = keys.get("skip_token", keys.get("skiptoken"))
    total = keys.get("total_records", keys.get("totalrecords"))
    truncated = keys.get("resulttruncated")
    return (
        (isinstance(token, str) and bool(token.strip()))
        or (isinstance(total, int) and not isinstance(total, bool) and total > rows)
        or (isinstance(truncated, str) and truncated.strip().lower() == "true")
        or truncated is True
    )
