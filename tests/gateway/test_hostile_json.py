"""Gateway JSON built to exhaust the audit: memory stays linear in the input with a
small constant, no array is read past its bound, and a million alike findings are
one finding that counts them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import Finding, audit_gateway
from appgw_certs._findings.rules import finding
from appgw_certs._gateway.bounded import MAX_ITEMS, bounded_document, gateway_json
from appgw_certs._gateway.collapse import SHOWN_ALIKE, collapse_alike
from helpers.gateway import GatewayBuilder

MIB = 1024 * 1024

# The child's own peak (VmHWM, kB): getrusage's ru_maxrss can carry the peak of the
# pytest worker the child was forked from, whatever the child itself used.
_MEASURE = """
import sys
from pathlib import Path
from appgw_certs import audit_gateway
audit = audit_gateway(Path(sys.argv[1]))
codes = sorted({f.code for f in audit.report.findings})
status = Path("/proc/self/status").read_text()
peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
print(peak, len(audit.report.findings), *codes)
"""


def test_sixteen_mib_of_empty_listeners_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "gw.json"
    count = 16 * MIB // 3
    path.write_text('{"httpListeners": [' + ",".join(["{}"] * count) + "]}")
    size = path.stat().st_size
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    peak_kib, findings, *codes = run.stdout.split()
    assert int(peak_kib) * 1024 < 3 * size + 150 * MIB, (int(peak_kib) // 1024, size // MIB)
    assert int(findings) < 10
    assert codes == ["GW008"]  # where the listeners were cut


def test_alike_findings_over_many_objects_are_counted() -> None:
    objects = 3 * SHOWN_ALIKE
    audit = audit_gateway({"sslCertificates": [{} for _ in range(objects)]})
    unused = [f for f in audit.report.findings if f.code == "GW003"]
    assert len(unused) == SHOWN_ALIKE + 1
    counted = unused[-1]
    assert counted.location == f"sslCertificates[#{SHOWN_ALIKE}]"
    more = objects - SHOWN_ALIKE - 1
    assert f"(and {more:,} more like it: sslCertificates[#{SHOWN_ALIKE + 1}]," in counted.message
    assert counted.message.endswith(", …)")
    assert [f.location for f in unused[:SHOWN_ALIKE]] == [
        f"sslCertificates[#{n}]" for n in range(SHOWN_ALIKE)
    ]


def _unused(location: str, certificate: str | None = None) -> Finding:
    return finding(
        "GW003", f"{location} is used by nothing", location=location, certificate=certificate
    )


def test_only_findings_alike_but_for_their_place_are_counted() -> None:
    alike = [_unused(f"c[{n}]") for n in range(SHOWN_ALIKE + 2)]
    other_certificate = [_unused(f"d[{n}]", f"CN={n}") for n in range(SHOWN_ALIKE + 2)]
    other_code = finding("GW013", "c[0] is used by nothing", location="c[0]")
    collapsed = collapse_alike([*alike, other_code, *other_certificate])
    assert collapsed[:SHOWN_ALIKE] == alike[:SHOWN_ALIKE]
    assert (
        collapsed[SHOWN_ALIKE].message
        == f"c[{SHOWN_ALIKE}] is used by nothing (and 1 more like it: c[{SHOWN_ALIKE + 1}])"
    )
    assert collapsed[SHOWN_ALIKE + 1 :] == [other_code, *other_certificate]
    # one past the shown ones is itself, not a count of none
    exactly = [_unused(f"c[{n}]") for n in range(SHOWN_ALIKE + 1)]
    assert collapse_alike(exactly) == exactly


def test_arrays_past_the_bound_are_cut_and_the_callers_object_kept() -> None:
    g = GatewayBuilder()
    g.add("backendAddressPools", "pool", backendAddresses=[{"fqdn": "a.example"}] * (MAX_ITEMS + 5))
    body = g.rest()
    audit = audit_gateway(body)
    (cut,) = (f for f in audit.report.findings if "were read" in f.message)
    assert cut.code == "GW008"
    assert cut.location == "properties.backendAddressPools[0].properties.backendAddresses"
    assert f"{MAX_ITEMS + 5:,} entries" in cut.message
    addresses = body["properties"]["backendAddressPools"][0]["properties"]["backendAddresses"]  # type: ignore[index]
    assert len(addresses) == MAX_ITEMS + 5


def test_a_document_within_bounds_is_returned_as_it_is() -> None:
    body = GatewayBuilder().rest()
    assert bounded_document(body) == (body, [])
    assert bounded_document(body)[0] is body


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_json, max_size=6))
def test_shared_objects_parse_as_json_loads_does(values: list[object]) -> None:
    """Identical small objects become one, and 1, 1.0 and true stay apart."""
    text = json.dumps([*values, *values, {"a": 1}, {"a": 1.0}, {"a": True}])
    assert json.dumps(gateway_json(text)) == json.dumps(json.loads(text))
    parsed = gateway_json(text.encode())
    assert isinstance(parsed, list)
    assert parsed[-3] is not parsed[-1]
    twins = gateway_json('[{}, {}, {"id": "x"}, {"id": "x"}]')
    assert isinstance(twins, list)
    assert twins[0] is twins[1]
    assert twins[2] is twins[3]
