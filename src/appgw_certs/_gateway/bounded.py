"""Bounds on what an audit reads of a gateway's JSON, so that hostile input costs
memory and time linear in its size, with a small constant.

Two bounds, far beyond any real gateway (Azure allows a few hundred objects per
collection and 1,200 addresses per backend pool: "Application Gateway limits",
https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#application-gateway-limits):

- identical small objects of scalars (``{}`` a million times, the same
  ``{"id": ...}`` in every listener) are one object once parsed;
- no array or object is read past :data:`MAX_ITEMS` entries: the rest is cut
  before the document is normalised, and a GW008 finding says where.

    >>> document, cut = bounded_document(gateway_json(Path("gw.json")))
    >>> [f.location for f in cut]
    ['properties.httpListeners']
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from itertools import islice

from .._findings.report import Finding
from .._findings.rules import finding
from .json_text import MAX_JSON_BYTES, json_int, load_json, read_json_file
from .model import SCALARS, is_object

__all__ = ["MAX_ITEMS", "bounded_document", "gateway_json"]

#: Entries read of any one JSON array or object.
MAX_ITEMS = 10_000
#: Past this nesting nothing is read anyway (the reader drops what sits deeper than
#: 64 levels inside the gateway, and at most 16 wrappers hold it).
_MAX_DEPTH = 200
#: Objects of up to this many scalar fields are shared with their identical twins.
_SHARED_FIELDS = 4
#: Distinct shared objects remembered per parse.
_MAX_SHARED = 4096

# A path to a value, built only when something there is cut: (parent, key or index).
_Path = tuple["_Path", str | int] | None


def gateway_json(source: object) -> object:
    """The parsed JSON: a mapping or a list as it is; text, bytes or a file parsed with
    identical small objects shared. What is not JSON raises as :func:`load_json` does."""
    if isinstance(source, Mapping | list):
        return source
    if isinstance(source, os.PathLike):
        source = read_json_file(source)
    if not isinstance(source, bytes | str):
        raise TypeError(
            "audit_gateway takes JSON text, bytes, a path or a mapping, "
            f"not {type(source).__name__}"
        )
    if len(source) > MAX_JSON_BYTES:
        return load_json(source)  # refuses it, in the reader's words
    try:
        return json.loads(source, object_pairs_hook=_SharedObjects(), parse_int=json_int)
    except (ValueError, RecursionError):
        return load_json(source)  # refuses it, in the reader's words


class _SharedObjects:
    """``object_pairs_hook``: one dict for all identical small objects of scalars.

    The key holds each value's type, so ``1``, ``1.0`` and ``true`` stay apart.
    """

    def __init__(self) -> None:
        self._empty: dict[str, object] = {}
        self._seen: dict[tuple[object, ...], dict[str, object]] = {}

    def __call__(self, pairs: list[tuple[str, object]]) -> dict[str, object]:
        if not pairs:
            return self._empty
        if len(pairs) > _SHARED_FIELDS:
            return dict(pairs)
        kinds = tuple([type(value) for _, value in pairs])
        if not SCALARS.issuperset(kinds):
            return dict(pairs)
        key = (*pairs, kinds)
        shared = self._seen.get(key)
        if shared is None:
            shared = dict(pairs)
            if len(self._seen) < _MAX_SHARED:
                self._seen[key] = shared
        return shared


def bounded_document(document: object) -> tuple[object, list[Finding]]:
    """``document`` with no array or object past :data:`MAX_ITEMS` entries (the caller's
    objects are never changed: what is cut is copied), and a GW008 finding for each cut."""
    cuts: list[tuple[_Path, int]] = []
    bounded = _bounded(document, None, 0, cuts)
    return bounded, [_cut_finding(path, size) for path, size in cuts]


def _bounded(value: object, path: _Path, depth: int, cuts: list[tuple[_Path, int]]) -> object:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, list):
        return _bounded_list(value, path, depth, cuts)
    if is_object(value):
        return _bounded_object(value, path, depth, cuts)
    return value


def _bounded_list(
    value: list[object], path: _Path, depth: int, cuts: list[tuple[_Path, int]]
) -> list[object]:
    items = value
    if len(value) > MAX_ITEMS:
        cuts.append((path, len(value)))
        items = value[:MAX_ITEMS]
    copy: list[object] | None = None
    for index, item in enumerate(items):
        if type(item) in SCALARS:  # most items: no call
            continue
        inner = _bounded(item, (path, index), depth + 1, cuts)
        if inner is not item:
            copy = copy if copy is not None else list(items)
            copy[index] = inner
    return copy if copy is not None else items


def _bounded_object(
    value: Mapping[object, object], path: _Path, depth: int, cuts: list[tuple[_Path, int]]
) -> Mapping[object, object]:
    fields = value
    if len(value) > MAX_ITEMS:
        cuts.append((path, len(value)))
        fields = dict(islice(value.items(), MAX_ITEMS))
    copy: dict[object, object] | None = None
    for key, item in fields.items():
        if type(item) in SCALARS:
            continue
        inner = _bounded(item, (path, str(key)), depth + 1, cuts)
        if inner is not item:
            copy = copy if copy is not None else dict(fields)
            copy[key] = inner
    return copy if copy is not None else fields


def _cut_finding(path: _Path, size: int) -> Finding:
    where = _path_text(path)
    return finding(
        "GW008",
        f"{where} holds {size:,} entries: only the first {MAX_ITEMS:,} were read "
        "(no gateway comes near this; Azure's limits are in the hundreds)",
        location=where,
    )


def _path_text(path: _Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, step = path
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return "".join(reversed(parts)).lstrip(".") or "(the document)"
