"""The API's own types: every public function of ``appgw_certs.__all__``, called with
wrong-typed and extreme arguments (None, huge and negative ints, NaN and infinities,
bytes, text with NUL and lone surrogates, lists, dicts, naive, aware and extreme
datetimes, paths to /dev/null, a directory and with a NUL), positionally and by
keyword, raises only the library's errors or ``TypeError``, or returns.

``ValueError`` that is not also the library's, ``AttributeError``, ``UnicodeError``
and ``OverflowError`` never escape (docs/robustness.md, "API types").
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import appgw_certs
from appgw_certs import (
    AppGwCertError,
    CertificateFormatError,
    KeyType,
    Report,
    Slot,
    TrustStore,
    build_test_chain,
    check_backend,
    check_upload,
)
from helpers.gateway import GatewayBuilder
from helpers.hostile import quick

NUL_PATH = Path("a\x00b")
PASSWORD = "Types-Pass-1"


@functools.cache
def _good() -> dict[str, list[Any]]:
    """Values each parameter takes, by name: the sweep mixes them with hostile ones so
    that a call gets past its first argument."""
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    pem = chain.backend_chain_pem()
    pfx = chain.listener_pfx(PASSWORD)
    gateway = GatewayBuilder(name="gw", tier="Standard_v2")
    gateway.listener_cert("web", [chain.server.certificate], pfx, PASSWORD)
    certs = [chain.server.certificate, chain.root.certificate]
    sources = [pem, pfx, certs, pem.decode()]
    return {
        "source": [*sources, gateway.rest(put=True)],
        "presented": sources,
        "trusted_client_ca": [chain.client_ca_cer()],
        "cer": [chain.server.cer()],
        "pfx": [pfx],
        "private_key": [chain.server.private_key, chain.server.key_pem()],
        "certificate": [chain.server.certificate],
        "cert": [chain.server.certificate],
        "certs": [certs, []],
        "certificates": [certs],
        "chain": [[], [chain.root.certificate]],
        "password": [PASSWORD, None],
        "key_password": [None],
        "slot": ["listener", Slot.TRUSTED_ROOT],
        "sku": ["v2", "Standard"],
        "value": ["v2", "listener"],
        "hostnames": [["www.contoso.com"], ()],
        "host_name": ["www.contoso.com", None],
        "now": [datetime.now(UTC), None],
        "not_before": [None],
        "store": [None],
        "encoding": ["base64", "der"],
        "profile": ["compatible", "modern"],
        "include_chain": [False, True],
        "friendly_name": [None, "name"],
        "trusted_roots": [[chain.trusted_root_cer()], ()],
        "authentication_certs": [()],
        "use_well_known": [False],
        "verify_issuer_dn": [False, True],
        "ocsp": [False],
        "parameters": [None, {}],
        "expiry_warning_days": [30],
        "ca": [False],
        "key_type": ["ec-p256", KeyType.EC_P256],
        "valid_days": [30],
        "intermediates": [0, 1],
        "organization": ["Contoso"],
        "common_name": ["client"],
        "host": ["127.0.0.1"],
        "port": [1],  # nothing listens: refused at once
        "server_name": [None],
        "timeout": [0.2],
        "indent": [2, None],
    }


def _hostile(tmp: Path) -> list[Any]:
    aware = timezone(timedelta(hours=14))
    return [
        None, 0, -1, 10**100, -(10**100), 2**63, True,
        math.nan, math.inf, -math.inf, 1e308,
        b"", b"\x00", b"\xff\xfe", bytearray(b"0"),
        "", "\x00", "a\x00b", "\udcff", "\ud800x", "-----BEGIN CERTIFICATE-----",
        [], [None], [1, "a"], {}, {"a": 1}, {"properties": []},
        datetime(2026, 1, 1), datetime(1, 1, 1), datetime(9999, 12, 31),  # noqa: DTZ001 - naive
        datetime.min.replace(tzinfo=aware), datetime.max.replace(tzinfo=UTC),
        Path("/dev/null"), tmp, NUL_PATH, object(),
    ]  # fmt: skip


# Functions whose arguments reach the network: only the good host (nothing listens).
NETWORK = {"fetch_presented_chain": {"host"}}


def _public_callables() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for name in appgw_certs.__all__:
        value = getattr(appgw_certs, name)
        if inspect.isfunction(value):
            found[name] = value
        elif inspect.isclass(value) and not issubclass(value, BaseException):
            for member, raw in vars(value).items():
                function = raw.__func__ if isinstance(raw, classmethod | staticmethod) else raw
                if member.startswith("_") or not inspect.isfunction(function):
                    continue
                if isinstance(raw, classmethod | staticmethod):
                    found[f"{name}.{member}"] = getattr(value, member)
    found["TrustStore"] = TrustStore
    for instance in _instances():
        for member, raw in vars(type(instance)).items():
            if not member.startswith("_") and inspect.isfunction(raw):
                found[f"{type(instance).__name__}.{member}"] = getattr(instance, member)
    return found


def _instances() -> list[object]:
    """One of each public class whose methods take arguments."""
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    report = check_upload(Slot.LISTENER, chain.backend_chain_pem(), sku="v2")
    audit = appgw_certs.audit_gateway(GatewayBuilder(name="gw", tier="Standard_v2").rest())
    store = TrustStore([chain.root.certificate])
    return [chain, chain.server, store, report, audit, Slot.LISTENER, KeyType.EC_P256]


PUBLIC = _public_callables()


def _arguments(name: str, function: Callable[..., Any], tmp: Path) -> st.SearchStrategy[Any]:
    parameters = [
        p for p in inspect.signature(function).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]  # fmt: skip
    hostile = _hostile(tmp)
    pools = {}
    for p in parameters:
        good = _good().get(p.name, [p.default] if p.default is not p.empty else [None])
        safe = p.name in NETWORK.get(name, set())
        pools[p.name] = (
            st.sampled_from(good)
            if safe
            else st.one_of(st.sampled_from(good), st.sampled_from(hostile))
        )
    return st.tuples(st.fixed_dictionaries(pools), st.booleans()).map(
        lambda drawn: _split(parameters, *drawn)
    )


def _split(parameters: list[inspect.Parameter], values: dict[str, Any], positional: bool) -> Any:
    args, kwargs = [], {}
    for p in parameters:
        if positional and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and not kwargs:
            args.append(values[p.name])
        else:
            kwargs[p.name] = values[p.name]
    return args, kwargs


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_only_our_errors_or_type_errors_escape(name: str, tmp_path: Path) -> None:
    function = PUBLIC[name]

    @settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
    @given(_arguments(name, function, tmp_path))
    def call(arguments: tuple[list[Any], dict[str, Any]]) -> None:
        args, kwargs = arguments
        with quick(name):
            try:
                result = function(*args, **kwargs)
            except (AppGwCertError, TypeError):
                return
            except Exception as exc:
                raise AssertionError(
                    f"{name}(*{args!r:.300}, **{kwargs!r:.300}) raised {type(exc).__name__}: {exc}"
                ) from exc
        if isinstance(result, Report):
            str(result)

    call()


def test_the_sweep_covers_every_public_function() -> None:
    functions = {n for n in appgw_certs.__all__ if inspect.isfunction(getattr(appgw_certs, n))}
    assert functions <= set(PUBLIC)
    assert len(PUBLIC) >= 25


@pytest.mark.parametrize("slot", list(Slot))
def test_a_nul_path_is_gen001_in_a_check(slot: Slot) -> None:
    report = check_upload(slot, NUL_PATH, sku="v2")
    assert "GEN001" in report.codes, str(report)


def test_a_nul_path_is_a_format_error() -> None:
    with pytest.raises(CertificateFormatError, match="NUL"):
        appgw_certs.load_certificates(NUL_PATH)
    audit = appgw_certs.audit_gateway
    with pytest.raises(CertificateFormatError, match="NUL"):
        audit(NUL_PATH)


def test_wrong_types_name_the_parameter() -> None:
    pem = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256).backend_chain_pem()
    with pytest.raises(TypeError, match="host_name"):
        check_backend(pem, sku="v2", host_name=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="now"):
        check_upload("listener", pem, sku="v2", now="2026-01-01")  # type: ignore[arg-type]
