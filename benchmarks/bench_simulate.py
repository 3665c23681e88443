"""Verdict predictions: check_backend and check_client on a three-certificate chain.

The chain is what ``build_test_chain`` makes by default (RSA 2048: root,
intermediate, leaf), given as PEM bytes as a user would pass files. The goal
(issue 6) is a median of at most 2 ms per call, in steady use (a notebook or
an audit judging backends over and over). Signature checks are
remembered between calls (``appgw_certs._x509.links``), and so are parsed inputs
given as bytes (``appgw_certs._verdicts.backend``); the "cold" rows clear both before
every call: they are the honest first-call cost.

The baseline, for scale only, is ``cryptography.x509.verification`` verifying
the same chain (server or client verifier), PEM parsing included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

from appgw_certs import build_test_chain, check_backend, check_client
from appgw_certs._testpki.build import TestChain
from appgw_certs._verdicts.inputs import parse_remembered as _parse_remembered
from appgw_certs._x509.links import forget_links
from benchmarks._harness import Comparison

HOST = "www.contoso.com"
NOW = datetime.now(UTC)


@cache
def _chain() -> TestChain:
    return build_test_chain([HOST])


@cache
def _files() -> tuple[bytes, bytes, bytes, bytes]:
    """Backend chain (leaf, intermediate, root), trusted root, client chain, client CA file."""
    chain = _chain()
    client = chain.issue_client("client-1")
    backend = chain.backend_chain_pem() + chain.root.cer()
    client_chain = client.cer() + b"".join(i.cer() for i in chain.intermediates)
    return backend, chain.trusted_root_cer(), client_chain, chain.client_ca_cer()


def _backend() -> object:
    backend, root, _, _ = _files()
    return check_backend(backend, sku="Standard_v2", host_name=HOST, trusted_roots=[root], now=NOW)


def _client() -> object:
    _, _, client, ca_file = _files()
    return check_client(client, ca_file, verify_issuer_dn=True, now=NOW)


def _cold(check: Callable[[], object]) -> Callable[[], object]:
    """``check`` with nothing remembered: signature checks and parsed inputs forgotten."""

    def call() -> object:
        forget_links()
        _parse_remembered.cache_clear()
        return check()

    return call


def _verify_backend() -> object:
    backend, root, _, _ = _files()
    leaf, *rest = x509.load_pem_x509_certificates(backend)
    store = Store(x509.load_pem_x509_certificates(root))
    verifier = PolicyBuilder().store(store).time(NOW).build_server_verifier(x509.DNSName(HOST))
    return verifier.verify(leaf, rest)


def _verify_client() -> object:
    _, _, client, ca_file = _files()
    leaf, *rest = x509.load_pem_x509_certificates(client)
    cas = x509.load_pem_x509_certificates(ca_file)
    verifier = PolicyBuilder().store(Store(cas)).time(NOW).build_client_verifier()
    return verifier.verify(leaf, rest)


def _warm_and_cold(
    name: str, check: Callable[[], object], baseline: Callable[[], object]
) -> list[Comparison]:
    label = "cryptography.x509.verification, same chain (scale only)"
    warm = Comparison(
        name=f"{name}, warm",
        ours=check,
        baseline=baseline,
        baseline_label=label,
        max_seconds=0.002,
        rounds=50,
        number=10,
        setup=_files,
        note="goal: median ≤ 2 ms (inputs and signature checks remembered)",
    )
    cold = Comparison(
        name=f"{name}, cold",
        ours=_cold(check),
        baseline=baseline,
        baseline_label=label,
        rounds=30,
        number=5,
        setup=_files,
        note="first-call cost, for information: nothing remembered",
    )
    return [warm, cold]


def comparisons() -> list[Comparison]:
    """The goals of issue 6: each verdict at or under 2 ms median."""
    return [
        *_warm_and_cold("check_backend: v2, 3-cert RSA chain", _backend, _verify_backend),
        *_warm_and_cold("check_client: issuer DN on, 3-cert RSA chain", _client, _verify_client),
    ]
