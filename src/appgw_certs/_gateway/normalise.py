"""Normalise a gateway's JSON: keys lower-cased, ``properties`` merged into its owner.

The REST body keeps each object's fields under ``properties``, the az CLI's
``show`` output flattens them; once normalised both read the same.

    >>> normalise({"Name": "web", "properties": {"protocol": "Https"}})
    {'name': 'web', 'protocol': 'Https'}
"""

from __future__ import annotations

from collections.abc import Mapping

from .model import SCALARS, is_object

__all__ = ["normalise"]

_MAX_DEPTH = 64


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
