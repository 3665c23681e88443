"""Hostile input at scale: a thousand certificates sharing one name.

1,000 self-signed CAs with one name and no key identifiers took 75 s to root
and 236 s to check as a trusted client CA file, every CA signature-checked
against every other. Goal (issue "Hostile input, round two", item 5): under
2 s for every verb that walks chains. The rows time, cold (remembered checks
forgotten), the two shapes that cost most: a key each and no key identifiers
(each CA's own signature settles it; a leaf's issuer takes one check per key),
and CAs signed by a key outside the set (no key verifies anything: the search
spends its budget of checks, then stops). tests/robustness/test_same_name.py
holds every verb to the goal.

``python -m benchmarks.bench_hostile 1000 2000`` measures the worst case
instead: each shape in a fresh interpreter, the CPU seconds of each call and
the peak RSS (the figures in docs/robustness.md). Bundles hold at most 1,000
certificates, so past that the calls are given certificate objects.
"""

from __future__ import annotations

import functools
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appgw_certs import (
    AppGwCertError,
    Slot,
    check_client,
    check_upload,
    client_issuer_dn,
    find_root,
    order_chain,
)
from appgw_certs._x509.links import forget_links
from appgw_certs._x509.trust import forget_anchors
from benchmarks._harness import Comparison

NOW = datetime.now(UTC)
NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Same Name CA")])
SHAPES = ("distinct", "shared", "distinct-leaf", "outsider", "outsider-p521")


def same_name_crowd(
    count: int,
    *,
    shared_key: bool = False,
    leaf: bool = False,
    outsider: bool = False,
    curve: ec.EllipticCurve | None = None,
) -> list[x509.Certificate]:
    """``count`` CAs named alike, without key identifiers (EC P-256 unless ``curve``):
    self-signed, with one key for all or a key each, or signed by a key outside the
    set; with ``leaf``, a leaf issued by the middle one comes first (and the last CA
    is left out)."""
    curve = curve or ec.SECP256R1()
    shared = ec.generate_private_key(curve) if shared_key else None
    signer = ec.generate_private_key(curve) if outsider else None
    keys, cas = [], []
    for serial in range(1, count + 1 - leaf):
        key = shared or ec.generate_private_key(curve)
        keys.append(key)
        cas.append(_signed(NAME, key, signer or key, serial, ca=True))
    if not leaf:
        return cas
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.contoso.com")])
    own = ec.generate_private_key(curve)
    return [_signed(leaf_name, own, keys[len(keys) // 2], count + 1, ca=False), *cas]


def _signed(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    serial: int,
    *,
    ca: bool,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(NAME)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )


@functools.cache
def crowd(shape: str, count: int) -> tuple[x509.Certificate, ...]:
    return tuple(
        same_name_crowd(
            count,
            shared_key=shape.startswith("shared"),
            leaf=shape.endswith("-leaf"),
            outsider=shape.startswith("outsider"),
            curve=ec.SECP521R1() if shape.endswith("-p521") else None,
        )
    )


def pem(certs: tuple[x509.Certificate, ...]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _swallow(call: Callable[[], object]) -> object:
    try:
        return call()
    except AppGwCertError as exc:  # several chains, no leaf: the answer, not a failure
        return exc


def calls(certs: tuple[x509.Certificate, ...]) -> dict[str, Callable[[], object]]:
    """What each verb does with the crowd (objects: past 1,000 no bundle may hold them)."""
    listed = list(certs)
    cas = [c for c in listed if c.issuer == c.subject]
    found: dict[str, Callable[[], object]] = {
        "order_chain": lambda: order_chain(listed),
        "find_root": lambda: find_root(listed),
        "client_issuer_dn": lambda: client_issuer_dn(cas),
        "check_client": lambda: check_client(listed[:1], cas, verify_issuer_dn=True),
    }
    if len(certs) <= 1000:
        data = pem(certs)
        found["check_upload trusted-client-ca"] = lambda: check_upload(
            Slot.TRUSTED_CLIENT_CA, data, sku="v2", now=NOW
        )
    return found


def cold(call: Callable[[], object]) -> object:
    forget_links()
    forget_anchors()
    return _swallow(call)


def comparisons() -> list[Comparison]:
    rows = []
    for shape in ("distinct", "outsider"):
        for what, call in calls(crowd(shape, 1000)).items():
            if what in ("order_chain", "check_upload trusted-client-ca"):
                rows.append(
                    Comparison(
                        name=f"{what}: 1,000 CAs of one name, {shape} keys, cold",
                        ours=functools.partial(cold, call),
                        max_seconds=2.0,
                        rounds=3,
                        setup=functools.partial(crowd, shape, 1000),
                    )
                )
    return rows


# -- the worst case, each shape in a fresh interpreter -----------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_one(shape: str, count: int) -> dict[str, object]:
    """CPU seconds of each call, cold, and peak RSS before (the crowd made) and after."""
    certs = crowd(shape, count)
    made = _peak_rss_mib()
    seconds = {}
    for what, call in calls(certs).items():
        start = time.process_time()
        cold(call)
        seconds[what] = round(time.process_time() - start, 3)
    return {"shape": shape, "count": count, "seconds": seconds,
            "rss_made_mib": round(made), "rss_peak_mib": round(_peak_rss_mib())}  # fmt: skip


def main(counts: list[int]) -> None:
    for count in counts:
        for shape in SHAPES:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.bench_hostile", "--one", shape, str(count)],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            result = json.loads(out)
            timings = result["seconds"]
            worst = max(timings, key=timings.get)
            peak, made = result["rss_peak_mib"], result["rss_made_mib"]
            print(
                f"| {count:,} | {shape} | {timings[worst]:.2f} s ({worst}) | "
                f"{peak} MiB ({made} MiB with the crowd made) |",
                json.dumps(timings),
                flush=True,
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure_one(sys.argv[2], int(sys.argv[3]))))
    else:
        main([int(arg) for arg in sys.argv[1:]] or [1000, 2000])
