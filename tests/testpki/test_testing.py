"""The public hypothesis strategies of ``appgw_certs.testing``, checked against real verifiers."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC

import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import find, given, settings
from hypothesis import strategies as st

from appgw_certs import (
    AppGwCertError,
    KeyType,
    TestChain,
    build_self_signed,
    build_test_chain,
    load_certificates,
)
from appgw_certs.testing import (
    broken_certificate_bytes,
    dns_names,
    hostnames,
    key_types,
    test_chains,
    validity_starts,
)
from helpers.build import verify_client, verify_server

EC = KeyType.EC_P256


def concrete_name(hostname: str) -> str:
    """A name the host name covers: a wildcard's label filled in."""
    return "match" + hostname[1:] if hostname.startswith("*.") else hostname


def verify_self_signed(hostname: str) -> None:
    cred = build_self_signed([hostname], key_type=EC)
    verify_server(TestChain(cred, (), cred), cred, concrete_name(hostname))


@settings(max_examples=60)
@given(hostnames())
def test_every_generated_host_name_builds_and_verifies(hostname: str) -> None:
    verify_self_signed(hostname)


@settings(max_examples=60)
@given(st.text(alphabet="aZ09-.*_ é:%", max_size=24))
def test_a_host_name_is_refused_or_verifies_never_half_accepted(text: str) -> None:
    try:
        cred = build_self_signed([text], key_type=EC)
    except ValueError as exc:
        refusal = str(exc)
    else:
        verify_server(TestChain(cred, (), cred), cred, concrete_name(text))
        return
    assert refusal.startswith("hostnames[0]: ")


@settings(max_examples=30)
@given(dns_names())
def test_dns_names_are_valid_and_bounded(name: str) -> None:
    labels = name.split(".")
    assert len(name) <= 253
    assert len(labels) >= 2
    assert all(0 < len(label) <= 63 for label in labels)
    assert not labels[-1].isdigit()


@settings(max_examples=25)
@given(test_chains(not_before=validity_starts()))
def test_generated_chains_verify_inside_their_window_anywhere_in_time(chain: TestChain) -> None:
    leaf = chain.server.certificate
    start, end = leaf.not_valid_before_utc, leaf.not_valid_after_utc
    assert start.tzinfo is UTC
    assert 0 <= len(chain.intermediates) <= 3
    inside = start + (end - start) / 2
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    verify_server(chain, chain.server, concrete_name(str(san[0].value)), at=inside)
    client = chain.issue_client("alice@contoso.com", not_before=start, valid_days=1)
    verify_client(chain, client, at=start)


@settings(max_examples=10)
@given(
    test_chains(
        hostnames=["www.contoso.com"],
        intermediates=st.just(2),
        key_types=KeyType.EC_P384,
        valid_days=7,
    )
)
def test_test_chains_takes_values_or_strategies(chain: TestChain) -> None:
    assert len(chain.intermediates) == 2
    assert KeyType.of(chain.root.private_key) is KeyType.EC_P384
    leaf = chain.server.certificate
    assert (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days == 7
    verify_server(chain, chain.server, "www.contoso.com")


@given(key_types(rsa=False))
def test_key_types_without_rsa_are_ec(key_type: KeyType) -> None:
    assert not key_type.is_rsa


def test_key_types_reach_every_key_type() -> None:
    for wanted in KeyType:
        assert find(key_types(), lambda k, w=wanted: k is w) is wanted  # type: ignore[misc]


@given(validity_starts(min_year=2000, max_year=2001))
def test_validity_starts_are_timezone_aware_and_in_range(start: object) -> None:
    assert getattr(start, "tzinfo", None) is not None
    assert 1999 <= start.astimezone(UTC).year <= 2002  # type: ignore[attr-defined]


# --- broken inputs -------------------------------------------------------------------


def cryptography_reads(data: bytes) -> bool:
    """Whether cryptography loads ``data`` as PEM certificates or one DER certificate."""
    for load in (x509.load_pem_x509_certificates, x509.load_der_x509_certificate):
        try:
            load(data)
        except (ValueError, x509.InvalidVersion):  # InvalidVersion is no ValueError
            continue
        return True
    return False


@settings(max_examples=150)
@given(broken_certificate_bytes(include_bit_flips=False))
def test_broken_bytes_without_bit_flips_are_refused_by_cryptography(data: bytes) -> None:
    assert not cryptography_reads(data)


with cryptography_vectors.open_vector_file("x509/cryptography.io.pem", "rb") as _vector:
    VECTOR = x509.load_pem_x509_certificate(_vector.read())


@settings(max_examples=60)
@given(broken_certificate_bytes([VECTOR], include_bit_flips=False))
def test_broken_bytes_from_a_real_world_seed_are_refused(data: bytes) -> None:
    assert not cryptography_reads(data)
    assert data not in (VECTOR.public_bytes(Encoding.DER), VECTOR.public_bytes(Encoding.PEM))


@settings(max_examples=150)
@given(broken_certificate_bytes())
def test_the_library_reader_raises_only_its_own_errors_on_broken_bytes(data: bytes) -> None:
    try:
        certificates = load_certificates(data)
    except AppGwCertError:
        return
    assert certificates
    assert all(isinstance(c, x509.Certificate) for c in certificates)


def test_broken_bytes_include_readable_bit_flips() -> None:
    # With bit flips some values still parse: the docstring's warning is real.
    chain = build_test_chain(key_type=EC, intermediates=0)
    der = chain.server.cer("der")
    flipped = find(
        broken_certificate_bytes([chain.server.certificate]),
        lambda data: len(data) == len(der) and data != der and cryptography_reads(data),
    )
    assert x509.load_der_x509_certificate(flipped) != chain.server.certificate


def test_pytest_does_not_take_the_strategies_for_tests() -> None:
    assert test_chains.__test__ is False  # type: ignore[attr-defined]
    assert TestChain.__test__ is False


@pytest.mark.parametrize("strategy", [hostnames(wildcards=False, ip_addresses=False)])
def test_hostnames_can_leave_out_wildcards_and_ips(strategy: st.SearchStrategy[str]) -> None:
    found = find(strategy, lambda name: len(name) > 8)
    assert "*" not in found
    assert ":" not in found
    assert not found.replace(".", "").isdigit()


def test_the_runtime_library_never_imports_hypothesis() -> None:
    code = (
        "import sys, appgw_certs\n"
        "chain = appgw_certs.build_test_chain(key_type='ec-p256')\n"
        "chain.listener_pfx('Passw0rd1'); chain.issue_client('alice')\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_testing_without_hypothesis_names_the_extra() -> None:
    """`import appgw_certs.testing` where hypothesis is missing says which extra brings it."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "sys.modules['hypothesis'] = None  # as if it were not installed\n"
        "try:\n"
        "    import appgw_certs.testing\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert "pip install 'appgw-certs[testing]'" in done.stdout
