"""Damage a JSON document the ways copies, hand edits and truncation do: one value
replaced by another JSON value of any type, a key dropped, a list emptied; and the
promise every damaged document keeps.

    @given(damaged(document))
    def test_damaged_plans_never_raise(broken):
        audit_each(broken)
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

from hypothesis import strategies as st

from appgw_certs import CertificateFormatError, audit_gateway
from appgw_certs._gateway.document import gateway_sources, read_gateways

Path = tuple[str | int, ...]

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: object, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON value, the value itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def _changed(document: object, path: Path, action: str, new: object) -> object:
    result = copy.deepcopy(document)
    if not path:
        return new
    parent: object = result
    for step in path[:-1]:
        parent = parent[step]  # type: ignore[index]
    last = path[-1]
    if action == "drop" and isinstance(parent, dict):
        del parent[last]
    elif action == "empty":
        parent[last] = [] if isinstance(parent[last], list) else {}  # type: ignore[index]
    else:
        parent[last] = new  # type: ignore[index]
    return result


def damaged(document: object, changes: int = 3) -> st.SearchStrategy[object]:
    """``document`` with up to ``changes`` places replaced, dropped or emptied."""
    places = list(paths(document))

    @st.composite
    def build(draw: st.DrawFn) -> object:
        result = document
        for _ in range(draw(st.integers(1, changes))):
            valid = list(paths(result)) or places
            path = draw(st.sampled_from(valid))
            action = draw(st.sampled_from(["replace", "drop", "empty"]))
            result = _changed(result, path, action, draw(JSON_VALUES))
        return result

    return build()


def audit_each(broken: object) -> None:
    """Read every gateway of ``broken`` and audit each: a report (every finding located)
    or ``CertificateFormatError``, never another exception."""
    try:
        gateways = read_gateways(broken)
    except CertificateFormatError:
        return
    items = gateway_sources(broken).items
    assert len(gateways.documents) == len(items)
    for item in items:
        try:
            audit = audit_gateway(item)  # type: ignore[arg-type]
        except CertificateFormatError:  # a list of one gateway's objects, read alone
            continue
        assert all(f.location for f in audit.report.findings)
        json.loads(audit.to_json())
