"""Hypothesis strategies for testing tools that handle Application Gateway certificates.

Needs the ``test`` extra (hypothesis); the rest of :mod:`appgw_certs` never
imports this module.

>>> from hypothesis import given
>>> from appgw_certs.testing import test_chains
>>> @given(test_chains(intermediates=2))
... def test_my_tool_accepts_a_listener_pfx(chain):
...     assert my_tool(chain.listener_pfx("Passw0rd"))
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

try:
    from hypothesis import strategies as st
except ImportError as exc:  # the strategies are hypothesis's: say which extra brings it
    raise ImportError(
        "appgw_certs.testing needs hypothesis: pip install 'appgw-certs[testing]'"
    ) from exc

from ._testpki.build import KeyType, TestChain, build_test_chain

__all__ = [
    "broken_certificate_bytes",
    "dns_names",
    "hostnames",
    "key_types",
    "test_chains",
    "validity_starts",
]

T = TypeVar("T")

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"[A-Za-z]{2,12}"  # never all digits: that would look like an IP address
_ZONES = (UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)))


def key_types(*, rsa: bool = True) -> st.SearchStrategy[KeyType]:
    """Every :class:`KeyType`; ``rsa=False`` keeps the EC ones (RSA key generation is slow).

    >>> @given(key_types(rsa=False))
    ... def test_ec(key_type): ...
    """
    return st.sampled_from([k for k in KeyType if rsa or not k.is_rsa])


def dns_names() -> st.SearchStrategy[str]:
    """Valid DNS names of two to five labels, mixed case, at most 253 characters."""
    label = st.from_regex(_LABEL, fullmatch=True)
    return st.builds(
        lambda labels, top: ".".join([*labels, top]),
        st.lists(label, min_size=1, max_size=4),
        st.from_regex(_TOP_LABEL, fullmatch=True),
    ).filter(lambda name: len(name) <= 253)


def hostnames(*, wildcards: bool = True, ip_addresses: bool = True) -> st.SearchStrategy[str]:
    """Host names :func:`build_test_chain` accepts: DNS names, wildcards, IPv4 and IPv6.

    >>> @given(st.lists(hostnames(), min_size=1, max_size=3))
    ... def test_listener_hostnames(names): ...
    """
    choices = [dns_names()]
    if wildcards:
        choices.append(dns_names().map(lambda name: "*." + name).filter(lambda n: len(n) <= 253))
    if ip_addresses:
        choices.append(st.ip_addresses().map(str))
    return st.one_of(choices)


def validity_starts(*, min_year: int = 1950, max_year: int = 2900) -> st.SearchStrategy[datetime]:
    """Timezone-aware ``not_before`` values anywhere in X.509 time (some expired, some future).

    >>> @given(validity_starts())
    ... def test_expiry_check(not_before): ...
    """
    return st.datetimes(
        min_value=datetime(min_year, 1, 2),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(max_year, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from(_ZONES),
    )


# ruff takes test_chains for a pytest test (PT028); it is a strategy.
def test_chains(
    *,
    hostnames: st.SearchStrategy[Sequence[str]] | Sequence[str] | None = None,  # noqa: PT028
    intermediates: st.SearchStrategy[int] | int | None = None,  # noqa: PT028
    key_types: st.SearchStrategy[KeyType] | KeyType | None = None,  # noqa: PT028
    not_before: st.SearchStrategy[datetime | None] | datetime | None = None,  # noqa: PT028
    valid_days: st.SearchStrategy[int] | int | None = None,  # noqa: PT028
) -> st.SearchStrategy[TestChain]:
    """Fresh chains from :func:`build_test_chain`; each argument a value or a strategy.

    Defaults: 1-4 names from :func:`hostnames`, 0-3 intermediates, EC keys only
    (pass ``key_types=key_types()`` for RSA too), valid now (``not_before=None``)
    for 1-825 days. Pass ``not_before=validity_starts()`` for chains anywhere in time.

    >>> @given(test_chains(intermediates=st.integers(0, 3), key_types=KeyType.EC_P384))
    ... def test_my_tool(chain): ...
    """
    return st.builds(
        build_test_chain,
        _strategy(hostnames, st.lists(_hostnames(), min_size=1, max_size=4)),
        intermediates=_strategy(intermediates, st.integers(0, 3)),
        key_type=_strategy(key_types, _key_types(rsa=False)),
        not_before=_strategy(not_before, st.none()),
        valid_days=_strategy(valid_days, st.integers(1, 825)),
    )


test_chains.__test__ = False  # type: ignore[attr-defined]  # pytest: not a test function
_hostnames, _key_types = hostnames, key_types  # the parameters of test_chains shadow them


def broken_certificate_bytes(
    seeds: Sequence[x509.Certificate] | None = None, *, include_bit_flips: bool = True
) -> st.SearchStrategy[bytes]:
    """Damaged certificate files: random, empty, truncated, bad base64, bad DER lengths...

    Made from ``seeds`` (default: a small EC chain built once) as PEM and DER.
    With ``include_bit_flips=False`` every value is refused by cryptography's
    certificate loaders. A flipped bit may leave a well-formed certificate
    (a bad signature, a changed serial), so with bit flips a reader must either
    raise its format error or return certificates, never anything else.

    >>> @given(broken_certificate_bytes())
    ... def test_reader_never_crashes(data): ...
    """
    seed_list = st.sampled_from(list(seeds)) if seeds is not None else _default_seed()
    mutations = [
        st.binary(max_size=2048),
        seed_list.flatmap(_truncated_der),
        seed_list.flatmap(_truncated_pem),
        seed_list.flatmap(_broken_base64),
        seed_list.flatmap(_wrong_der_length),
        seed_list.flatmap(_trailing_garbage),
        seed_list.map(_missing_end_line),
        seed_list.map(_wrong_label),
    ]
    if include_bit_flips:
        mutations.append(seed_list.flatmap(_flipped_bit))
    return st.one_of(mutations)


# --- building blocks ----------------------------------------------------------


def _strategy(
    value: st.SearchStrategy[T] | T | None, default: st.SearchStrategy[T]
) -> st.SearchStrategy[T]:
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def _default_seed() -> st.SearchStrategy[x509.Certificate]:
    return st.deferred(lambda: st.sampled_from(_seed_certificates()))


@functools.cache
def _seed_certificates() -> tuple[x509.Certificate, ...]:
    chain = build_test_chain(["www.contoso.com", "10.0.0.4"], key_type=KeyType.EC_P256)
    return (chain.root.certificate, chain.intermediates[0].certificate, chain.server.certificate)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)


def _truncated_der(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    der = _der(cert)
    return st.integers(0, len(der) - 1).map(lambda n: der[:n])


def _truncated_pem(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    pem = _pem(cert)  # cut at least the final newline and one dash of the END line
    return st.integers(0, len(pem) - 2).map(lambda n: pem[:n])


def _broken_base64(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    """A character deleted from, or a non-base64 one put into, the PEM body."""
    pem = _pem(cert)
    body_start = pem.index(b"\n") + 1
    body_end = pem.rindex(b"-----END")
    position = st.integers(body_start, body_end - 2).filter(lambda i: pem[i : i + 1] != b"\n")
    deleted = position.map(lambda i: pem[:i] + pem[i + 1 :])
    inserted = st.tuples(position, st.sampled_from([b"!", b"%", b"-", b"\xc3\xa9", b"\x00"])).map(
        lambda args: pem[: args[0]] + args[1] + pem[args[0] :]
    )
    return st.one_of(deleted, inserted)


def _wrong_der_length(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    """The outer SEQUENCE's length (``30 82 hi lo``, or ``30 81 n``) set to another value."""
    der = _der(cert)
    start = 2 if der[1] & 0x80 else 1  # long form: the length octets follow 0x8N
    size = der[1] & 0x7F if der[1] & 0x80 else 1
    original = der[start : start + size]
    return (
        st.binary(min_size=size, max_size=size)
        .filter(lambda length: length != original)
        .map(lambda length: der[:start] + length + der[start + size :])
    )


def _trailing_garbage(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    der = _der(cert)
    return st.binary(min_size=1, max_size=64).map(lambda extra: der + extra)


def _missing_end_line(cert: x509.Certificate) -> bytes:
    return _pem(cert).replace(b"-----END CERTIFICATE-----\n", b"")


def _wrong_label(cert: x509.Certificate) -> bytes:
    return _pem(cert).replace(b"CERTIFICATE-----", b"CERTIFICATX-----")


def _flipped_bit(cert: x509.Certificate) -> st.SearchStrategy[bytes]:
    der = _der(cert)

    def flip(bit: int) -> bytes:
        data = bytearray(der)
        data[bit // 8] ^= 1 << (bit % 8)
        return bytes(data)

    return st.integers(0, len(der) * 8 - 1).map(flip)
