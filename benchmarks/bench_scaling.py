"""Scaling: loading, ordering and checking bundles of 10, 100 and 1,000 certificates.

Goal (issue 10): no quadratic blow-ups. Each size is its own row, so the table
records the curve; the goal is a per-certificate budget times the size (a
quadratic step would miss it at 1,000 while meeting it at 10). The hardest
shape is used: one chain as deep as the bundle (root, n - 2 intermediates,
leaf), shuffled, so every step must find issuers among all the others.
Baselines are the floors: cryptography's own PEM parser, and a dictionary walk
from subject to issuer with one signature check per link. Ordering and the
backend check are timed cold (remembered signature checks forgotten first).

The audit's curve (10/100/1,000 objects) is in ``bench_audit.py``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appgw_certs import Slot, check_backend, check_upload, load_certificates, order_chain
from appgw_certs._x509.links import forget_links
from benchmarks._harness import Comparison

SIZES = (10, 100, 1000)
NOW = datetime.now(UTC)


@functools.cache
def deep_chain(size: int) -> tuple[x509.Certificate, ...]:
    """Leaf first: a leaf, ``size - 2`` intermediates, a self-signed root (EC P-256)."""
    certs: list[x509.Certificate] = []
    issuer_name: x509.Name | None = None
    issuer_key: ec.EllipticCurvePrivateKey | None = None
    for level in range(size):
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = level == size - 1
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"scaling {size} level {level}")])
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer_name or name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=not leaf, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        )
        if leaf:
            san = x509.SubjectAlternativeName([x509.DNSName("www.contoso.com")])
            builder = builder.add_extension(san, critical=False)
        certs.append(builder.sign(issuer_key or key, hashes.SHA256()))
        issuer_name, issuer_key = name, key
    return tuple(reversed(certs))


@functools.cache
def shuffled(size: int) -> tuple[x509.Certificate, ...]:
    certs = list(deep_chain(size))
    random.Random(size).shuffle(certs)
    return tuple(certs)


@functools.cache
def pem(size: int, *, cas_only: bool = False) -> bytes:
    certs = shuffled(size)
    if cas_only:
        certs = tuple(c for c in certs if c != deep_chain(size)[0])
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def bare_parse(size: int) -> object:
    return x509.load_pem_x509_certificates(pem(size))


def bare_order(certs: tuple[x509.Certificate, ...]) -> list[x509.Certificate]:
    """The floor: subject -> certificate, then walk issuer names from the leaf, checking
    each signature once."""
    by_subject = {c.subject: c for c in certs}
    issued = {c.issuer for c in certs if c.issuer != c.subject}
    leaf = next(c for c in certs if c.subject not in issued)
    path = [leaf]
    while path[-1].issuer != path[-1].subject:
        parent = by_subject[path[-1].issuer]
        path[-1].verify_directly_issued_by(parent)
        path.append(parent)
    return path


def _rows(
    what: str,
    ours: Callable[[int], object],
    baseline: Callable[[int], object],
    *,
    label: str,
    per_cert: float,
    note: str,
) -> list[Comparison]:
    return [
        Comparison(
            name=f"{what}, {size} certificates",
            ours=functools.partial(ours, size),
            baseline=functools.partial(baseline, size),
            baseline_label=label,
            max_seconds=per_cert * size,
            rounds=5 if size >= 1000 else 15,
            setup=functools.partial(pem, size),
            note=note,
        )
        for size in SIZES
    ]


def _load(size: int) -> object:
    return load_certificates(pem(size))


def _order(size: int) -> object:
    forget_links()  # cold: every signature checked again, as for a new file
    return order_chain(shuffled(size))


def _check_client_ca(size: int) -> object:
    return check_upload(Slot.TRUSTED_CLIENT_CA, pem(size, cas_only=True), sku="v2", now=NOW)


def _check_backend(size: int) -> object:
    chain = deep_chain(size)
    presented = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain[:-1])
    root = chain[-1].public_bytes(serialization.Encoding.PEM)
    forget_links()
    return check_backend(
        presented, sku="v2", host_name="www.contoso.com", trusted_roots=[root], now=NOW
    )


def comparisons() -> list[Comparison]:
    return [
        *_rows(
            "load_certificates (PEM bundle)",
            _load,
            bare_parse,
            label="x509.load_pem_x509_certificates",
            per_cert=40e-6,
            note="near-linear: 40 µs per certificate (format sniffing, PEM split, limits)",
        ),
        *_rows(
            "order_chain (one deep chain, shuffled)",
            _order,
            lambda size: bare_order(shuffled(size)),
            label="dict walk + one signature check per link",
            per_cert=400e-6,
            note="near-linear: 400 µs per certificate (signature-checked links)",
        ),
        *_rows(
            "check_upload trusted-client-ca (n - 1 CAs, shuffled)",
            _check_client_ca,
            bare_parse,
            label="x509.load_pem_x509_certificates",
            per_cert=1e-3,
            note="near-linear: 1 ms per certificate (every CCA rule, issuer DN)",
        ),
        *_rows(
            "check_backend (presented chain of n - 1, root uploaded)",
            _check_backend,
            lambda size: bare_order(deep_chain(size)),
            label="dict walk + one signature check per link",
            per_cert=1e-3,
            note="near-linear: 1 ms per certificate (order, anchors, names, expiry)",
        ),
    ]
