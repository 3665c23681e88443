"""Find the ``azurerm_application_gateway`` resources in ``terraform show -json`` output.

A plan (``terraform show -json plan.out``) holds what will exist under
``planned_values.root_module`` and its ``child_modules``, recursively; a state
(``terraform show -json``) holds what exists under ``values.root_module``. Each
resource carries its attributes in ``values`` and marks the sensitive ones in
``sensitive_values``; a plan's ``resource_changes`` mark the values known only
after apply (``after_unknown``) and, again, the sensitive ones
(``after_sensitive``): https://developer.hashicorp.com/terraform/internals/json-format,
"Values Representation" and "Change Representation".

Terraform writes sensitive values in clear text (its own test data,
hashicorp/terraform ``internal/command/testdata/show-json-sensitive/output.json``,
holds ``"password": "secret"`` beside ``"sensitive_values": {"password": true}``),
and they are used as they are. A sensitive value taken out of the JSON (null, or
``(sensitive value)`` as Terraform's text output prints it) and a value known
only after apply read as :class:`Unknown`: the audit then says GW013, "not
inspected", and never guesses.

    >>> [g.address for g in terraform_gateways(plan)]
    ['azurerm_application_gateway.main', 'module.edge.azurerm_application_gateway.main']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .arm import Unknown

__all__ = [
    "TERRAFORM_TYPE",
    "Attributes",
    "TerraformGateway",
    "is_terraform",
    "terraform_gateways",
]

TERRAFORM_TYPE = "azurerm_application_gateway"

#: Module nesting deeper than this is not followed (Terraform configurations rarely
#: pass a handful of levels; the bound keeps a hostile file from exhausting the stack).
_MAX_MODULE_DEPTH = 32
#: How Terraform's text output shows a sensitive value; a plan JSON redacted by hand
#: or by a tool may carry the same words in its place.
_MASKS = frozenset({"(sensitive value)", "(sensitive)"})

#: Marks that apply to one value: each ``True`` (all of it), an object (per key) or a
#: list (per position), from ``after_unknown`` or ``sensitive_values``/``after_sensitive``.
Marks = tuple[object, ...]


def is_terraform(keys: Mapping[str, object]) -> bool:
    """Whether a JSON object (keys lower-cased) is a plan or a state as ``terraform show
    -json`` prints them: ``planned_values``, or ``values.root_module``."""
    if isinstance(keys.get("planned_values"), Mapping):
        return True
    values = keys.get("values")
    return isinstance(values, Mapping) and isinstance(values.get("root_module"), Mapping)


@dataclass(frozen=True)
class Attributes:
    """One object of a resource's ``values``, with the marks that say which of its
    attributes are unknown or sensitive. ``path`` names it in messages
    (``ssl_certificate["api"]``)."""

    values: Mapping[str, object]
    unknown: Marks = ()
    sensitive: Marks = ()
    path: str = ""

    def get(self, key: str) -> object:
        """The attribute's value; :class:`Unknown` where the JSON does not hold it."""
        value = self.values.get(key)
        hidden = self._hidden(key, value)
        return Unknown(hidden) if hidden else value

    def strings(self, key: str) -> object:
        """A list attribute, its unknown items :class:`Unknown` (the list itself may be)."""
        value = self.get(key)
        if not isinstance(value, list):
            return value
        unknown = _at(self.unknown, key)
        return [
            Unknown(f"{self._name(key)}[{i}] is known only after apply")
            if _whole(_at(unknown, i))
            else item
            for i, item in enumerate(value)
        ]

    def blocks(self, key: str) -> list[Attributes] | Unknown:
        """The nested blocks of one kind; :class:`Unknown` when the list is not known."""
        value = self.values.get(key)
        hidden = self._hidden(key, value if isinstance(value, list) else None)
        if hidden:
            return Unknown(hidden)
        if not isinstance(value, list):
            return []
        unknown, sensitive = _at(self.unknown, key), _at(self.sensitive, key)
        return [
            Attributes(item, _at(unknown, i), _at(sensitive, i), f"{self._name(key)}[{i}]")
            for i, item in enumerate(value)
            if isinstance(item, Mapping)
        ]

    def first(self, key: str) -> Attributes | Unknown | None:
        """A block of which there is at most one (``sku``, ``ssl_policy``)."""
        found = self.blocks(key)
        if isinstance(found, Unknown):
            return found
        return found[0] if found else None

    def named(self, path: str) -> Attributes:
        """The same object, named ``path`` in messages."""
        return Attributes(self.values, self.unknown, self.sensitive, path)

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _hidden(self, key: str, value: object) -> str | None:
        if _whole(_at(self.unknown, key)):
            return f"{self._name(key)} is known only after apply"
        masked = value is None or (isinstance(value, str) and value.strip() in _MASKS)
        if masked and _whole(_at(self.sensitive, key)):
            return f"{self._name(key)} is sensitive and was left out of the JSON"
        return None


def _at(marks: Marks, key: str | int) -> Marks:
    """The marks of one attribute (or list item) of the marked value."""
    found: list[object] = []
    for mark in marks:
        if mark is True:
            found.append(True)
        elif isinstance(key, str) and isinstance(mark, Mapping):
            found.append(mark.get(key))
        elif isinstance(key, int) and isinstance(mark, list) and key < len(mark):
            found.append(mark[key])
    return tuple(m for m in found if m is True or isinstance(m, Mapping | list))


def _whole(marks: Marks) -> bool:
    return any(mark is True for mark in marks)


@dataclass(frozen=True)
class TerraformGateway:
    """One ``azurerm_application_gateway`` of a plan or state, and its planned change."""

    address: str
    resource: Mapping[str, object]  # the values representation of the resource
    change: Mapping[str, object] | None  # its ``resource_changes`` entry (a plan)
    planned: bool  # from a plan's ``planned_values`` (else a state's ``values``)

    def attributes(self) -> Attributes:
        """The resource's ``values`` with their unknown and sensitive marks."""
        values = self.resource.get("values")
        change = self.change.get("change") if self.change is not None else None
        marks = change if isinstance(change, Mapping) else {}
        return Attributes(
            values if isinstance(values, Mapping) else {},
            unknown=_marks(marks.get("after_unknown")),
            sensitive=_marks(self.resource.get("sensitive_values"), marks.get("after_sensitive")),
        )

    def source(self) -> dict[str, object]:
        """A plan (or state) holding only this gateway: JSON that reads as it alone."""
        key = "planned_values" if self.planned else "values"
        alone: dict[str, object] = {key: {"root_module": {"resources": [dict(self.resource)]}}}
        if self.change is not None:
            alone["resource_changes"] = [dict(self.change)]
        return alone


def _marks(*found: object) -> Marks:
    return tuple(m for m in found if m is True or isinstance(m, Mapping | list))


def terraform_gateways(document: Mapping[str, object]) -> list[TerraformGateway]:
    """Every managed ``azurerm_application_gateway`` of a plan (what will exist) or a
    state (what exists), root module first, then child modules in their order."""
    keys = {str(k).lower(): v for k, v in document.items()}
    planned = isinstance(keys.get("planned_values"), Mapping)
    values = keys.get("planned_values") if planned else keys.get("values")
    root = values.get("root_module") if isinstance(values, Mapping) else None
    changes = _changes(keys.get("resource_changes"))
    found: list[TerraformGateway] = []
    for module, resource in _resources(root, "", 0):
        if resource.get("type") != TERRAFORM_TYPE or resource.get("mode", "managed") != "managed":
            continue
        address = _address(resource, module)
        found.append(TerraformGateway(address, resource, changes.get(address), planned))
    return found


def _resources(
    module: object, address: str, depth: int
) -> Iterator[tuple[str, Mapping[str, object]]]:
    """(module address, resource) for a module and its child modules, depth first."""
    if not isinstance(module, Mapping) or depth > _MAX_MODULE_DEPTH:
        return
    resources = module.get("resources")
    for resource in resources if isinstance(resources, list) else ():
        if isinstance(resource, Mapping):
            yield address, resource
    children = module.get("child_modules")
    for child in children if isinstance(children, list) else ():
        if isinstance(child, Mapping):
            inner = child.get("address")
            yield from _resources(child, inner if isinstance(inner, str) else address, depth + 1)


def _address(resource: Mapping[str, object], module: str) -> str:
    """The resource's own ``address``; else one built as Terraform writes them."""
    address = resource.get("address")
    if isinstance(address, str) and address.strip():
        return address.strip()
    name = resource.get("name")
    local = f"{TERRAFORM_TYPE}.{name if isinstance(name, str) and name else '(unnamed)'}"
    return f"{module}.{local}" if module else local


def _changes(entries: object) -> dict[str, Mapping[str, object]]:
    """The current object's change of each resource instance, by address (a
    ``deposed`` entry is an old object waiting for deletion, not what will exist)."""
    found: dict[str, Mapping[str, object]] = {}
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, Mapping) and "deposed" not in entry:
            address = entry.get("address")
            if isinstance(address, str):
                found.setdefault(address.strip(), entry)
    return found
