"""Hostile input: every loader, check, the audit and the CLI's parsing, fed random bytes
and real files damaged every way (flipped, truncated, extended DER; PEM with bad
base64; nested PKCS#7 and PKCS#12; mutated gateway JSON).

What must hold: loaders raise only AppGwCertError subclasses; checks never
raise; no single call uses more than a second of CPU; memory does not grow
over repeated calls. Examples per test are explicit (about 2,700 in all).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import functools
import gc
import io
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from appgw_certs import (
    AppGwCertError,
    GatewayAudit,
    PfxPasswordError,
    Report,
    Sku,
    Slot,
    TrustStore,
    audit_gateway,
    cer_to_pfx,
    check_backend,
    check_client,
    check_upload,
    describe,
    extract_authentication_cert,
    extract_public_key,
    extract_trusted_root,
    find_root,
    is_well_known,
    load_certificates,
    load_pfx,
    order_chain,
    pfx_to_cer,
    to_cer,
)
from appgw_certs._cli.backend import split_host_port
from appgw_certs._cli.main import build_parser
from appgw_certs._cli.passwords import read_password
from appgw_certs._cli.terminal import CliError
from helpers.gateway import GatewayBuilder
from helpers.hostile import (
    HOSTNAME,
    PASSWORD,
    call_loader,
    hostile_bytes,
    mutated,
    passwords,
    quick,
    seeds,
)

NOW = datetime.now(UTC)
EXAMPLES = Path(__file__).parents[1] / "data" / "gateway-examples"


def small_store() -> TrustStore:
    """A store of the seed root only: find_root never reaches certifi's 117 roots."""
    return TrustStore([seeds().chain.root.certificate])


LOADERS: dict[str, Callable[[bytes, Any], object]] = {
    "load_certificates": lambda data, pw: load_certificates(data),
    "load_certificates(str)": lambda data, pw: load_certificates(data.decode("latin-1")),
    "load_pfx": load_pfx,
    # Fields are read when looked at: to_dicts looks at every one of them.
    "describe": lambda data, pw: describe(data, pw).to_dicts(),
    "find_root": lambda data, pw: find_root(data, store=small_store()),
    "extract_authentication_cert": extract_authentication_cert,
    "extract_trusted_root": lambda data, pw: extract_trusted_root(data, pw, store=small_store()),
    "extract_public_key": extract_public_key,
    "to_cer": lambda data, pw: to_cer(data),
    "to_cer(der)": lambda data, pw: to_cer(data, encoding="der"),
    "pfx_to_cer": lambda data, pw: pfx_to_cer(data, pw, include_chain=True),
    "cer_to_pfx": lambda data, pw: cer_to_pfx(
        data, seeds().chain.server.private_key, password=None, key_password=pw
    ),
}


# --- loaders -------------------------------------------------------------------------------


@settings(max_examples=700)
@given(st.sampled_from(sorted(LOADERS)), hostile_bytes(), passwords)
def test_loaders_raise_only_library_errors(name: str, data: bytes, password: object) -> None:
    result = call_loader(name, lambda: LOADERS[name](data, password), AppGwCertError)
    assert not isinstance(result, BaseException) or isinstance(result, AppGwCertError)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_seed_through_every_loader(name: str) -> None:
    """Unmutated files too: right and wrong passwords, every format."""
    for data in seeds().files.values():
        for password in (None, PASSWORD, "wrong"):
            call_loader(name, functools.partial(LOADERS[name], data, password), AppGwCertError)


@settings(max_examples=200)
@given(st.data())
def test_order_chain_on_hostile_sets(data: st.DataObject) -> None:
    """Any selection of real and damaged certificates, in any order, with duplicates."""
    pool = list(seeds().certificates)
    extra = data.draw(hostile_bytes())
    with contextlib.suppress(AppGwCertError):
        pool += load_certificates(extra)
    certs = data.draw(st.lists(st.sampled_from(pool), max_size=8))
    result = call_loader("order_chain", lambda: order_chain(certs), AppGwCertError)
    if isinstance(result, list):
        fingerprints = {c.fingerprint(hashes.SHA256()) for c in certs}
        assert {c.fingerprint(hashes.SHA256()) for c in result} <= fingerprints


# --- checks never raise --------------------------------------------------------------------


@settings(max_examples=500)
@given(st.sampled_from(list(Slot)), st.sampled_from(list(Sku)), hostile_bytes(), passwords)
def test_check_upload_never_raises(slot: Slot, sku: Sku, data: bytes, password: Any) -> None:
    with quick(f"check_upload({slot.value})"):
        report = check_upload(slot, data, sku=sku, password=password, hostnames=[HOSTNAME], now=NOW)
    assert isinstance(report, Report)
    _render(report)


@settings(max_examples=250)
@given(
    hostile_bytes(),
    st.sampled_from(list(Sku)),
    st.lists(hostile_bytes(), max_size=2),
    st.booleans(),
    st.one_of(st.none(), st.just(HOSTNAME), st.text(max_size=30)),
)
def test_check_backend_never_raises(
    presented: bytes, sku: Sku, anchors: list[bytes], well_known: bool, host: str | None
) -> None:
    with quick("check_backend"):
        report = check_backend(
            presented,
            sku=sku,
            host_name=host,
            trusted_roots=anchors,
            authentication_certs=anchors,
            use_well_known=well_known,
            store=small_store(),
            now=NOW,
        )
    assert isinstance(report, Report)
    _render(report)


@settings(max_examples=250)
@given(hostile_bytes(), hostile_bytes(), st.booleans(), st.booleans())
def test_check_client_never_raises(
    presented: bytes, ca: bytes, verify_dn: bool, ocsp: bool
) -> None:
    with quick("check_client"):
        report = check_client(presented, ca, verify_issuer_dn=verify_dn, ocsp=ocsp, now=NOW)
    assert isinstance(report, Report)
    _render(report)


def _render(report: Report) -> None:
    """Rendering is part of a check: it must not raise either."""
    str(report)
    json.loads(report.to_json())
    report._repr_html_()


# --- audit_gateway on mutated JSON ---------------------------------------------------------


def real_gateway() -> dict[str, Any]:
    """A REST GET body with real certificate data in every certificate collection."""
    s = seeds()
    chain = s.chain
    prefix = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw"

    def obj(collection: str, name: str, **props: object) -> dict[str, Any]:
        return {"name": name, "id": f"{prefix}/{collection}/{name}", "properties": props}

    def ref(collection: str, name: str) -> dict[str, str]:
        return {"id": f"{prefix}/{collection}/{name}"}

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return {
        "name": "gw",
        "id": prefix,
        "type": "Microsoft.Network/applicationGateways",
        "properties": {
            "sku": {"name": "Standard_v2", "tier": "Standard_v2", "capacity": 2},
            "sslCertificates": [
                obj("sslCertificates", "web", publicCertData=b64(s.files["p7b-der"])),
                obj(
                    "sslCertificates", "put", data=b64(s.files["pfx-compatible"]), password=PASSWORD
                ),
                obj(
                    "sslCertificates",
                    "kv",
                    keyVaultSecretId="https://v.vault.azure.net/secrets/x/1",
                ),
            ],
            "trustedRootCertificates": [
                obj("trustedRootCertificates", "root", data=b64(chain.trusted_root_cer("der")))
            ],
            "authenticationCertificates": [
                obj("authenticationCertificates", "auth", data=b64(chain.authentication_cer()))
            ],
            "trustedClientCertificates": [
                obj("trustedClientCertificates", "cca", data=b64(chain.client_ca_cer()))
            ],
            "sslProfiles": [
                obj(
                    "sslProfiles",
                    "mtls",
                    clientAuthConfiguration={"verifyClientCertIssuerDN": True},
                    trustedClientCertificates=[ref("trustedClientCertificates", "cca")],
                )
            ],
            "frontendPorts": [obj("frontendPorts", "p443", port=443)],
            "backendAddressPools": [
                obj("backendAddressPools", "pool", backendAddresses=[{"fqdn": "be.contoso.com"}])
            ],
            "probes": [obj("probes", "probe", protocol="Https", path="/")],
            "backendHttpSettingsCollection": [
                obj(
                    "backendHttpSettingsCollection",
                    "be",
                    port=443,
                    protocol="Https",
                    hostName="be.contoso.com",
                    trustedRootCertificates=[ref("trustedRootCertificates", "root")],
                    authenticationCertificates=[ref("authenticationCertificates", "auth")],
                    probe=ref("probes", "probe"),
                )
            ],
            "httpListeners": [
                obj(
                    "httpListeners",
                    "l",
                    protocol="Https",
                    hostName=HOSTNAME,
                    frontendPort=ref("frontendPorts", "p443"),
                    sslCertificate=ref("sslCertificates", "web"),
                    sslProfile=ref("sslProfiles", "mtls"),
                )
            ],
            "requestRoutingRules": [
                obj(
                    "requestRoutingRules",
                    "r",
                    ruleType="Basic",
                    priority=10,
                    httpListener=ref("httpListeners", "l"),
                    backendAddressPool=ref("backendAddressPools", "pool"),
                    backendHttpSettings=ref("backendHttpSettingsCollection", "be"),
                )
            ],
        },
    }


@functools.cache
def _arm_template() -> dict[str, Any]:
    """An ARM template (expressions, parameters with defaults) around real certificate data."""
    s = seeds()
    g = GatewayBuilder(name="gw", tier="Standard_v2")
    g.listener_cert("web", s.certificates, s.files["pfx-compatible"], PASSWORD)
    g.add(
        "httpListeners", "l", protocol="Https", hostName=HOSTNAME,
        sslCertificate=g.ref("sslCertificates", "web"),
    )  # fmt: skip
    template = g.arm(nested=True)
    for name, value in g.arm_parameters()["parameters"].items():  # type: ignore[attr-defined]
        template["parameters"][name]["defaultValue"] = value["value"]  # type: ignore[index]
    return template


def gateways() -> list[dict[str, Any]]:
    examples = [json.loads(p.read_text())["body"] for p in sorted(EXAMPLES.glob("*.json"))]
    return [real_gateway(), _arm_template(), *examples]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (dict keys and list indexes), depth first."""
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


def _b64_damaged(text: str) -> st.SearchStrategy[str]:
    """A base64 value: its characters damaged, or its decoded bytes mutated and re-encoded."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = text.encode()
    chars = st.integers(0, max(len(text) - 1, 0))
    return st.one_of(
        chars.map(lambda i: text[:i] + "!" + text[i + 1 :]),
        chars.map(lambda i: text[:i]),
        st.just(text + "===="),
        mutated(raw).map(lambda b: base64.b64encode(b).decode("ascii")),
    )


_ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.just([]),
    st.just({}),
    st.just("****"),
    st.just("[parameters('missing')]"),
    st.just("[concat(parameters('a'), '"),
    st.lists(st.text(max_size=5), max_size=3),
    st.text(alphabet="[]()',.a0 ", max_size=40).map(lambda t: f"[{t}]"),  # odd expressions
    st.sampled_from(["[parameters('gatewayName')]", "[variables('gwId')]", "[concat('a', 1)]"]),
)


@st.composite
def mutated_gateway(draw: st.DrawFn) -> Any:
    """A real gateway with one to three places changed: keys, types, values, base64."""
    gateway = copy.deepcopy(draw(st.sampled_from(gateways())))
    for _ in range(draw(st.integers(1, 3))):
        places = _paths(gateway)
        path = draw(st.sampled_from(places))
        if not path:
            if isinstance(gateway, dict):  # the whole document: a list of it, or its inside
                gateway = draw(st.sampled_from([[gateway, gateway], gateway.get("properties")]))
            continue
        parent = gateway
        try:
            for step in path[:-1]:
                parent = parent[step]
        except (KeyError, IndexError, TypeError):
            continue
        last = path[-1]
        current = parent[last]
        action = draw(st.sampled_from(["delete", "rekey", "retype", "base64", "duplicate", "nest"]))
        if action == "delete":
            del parent[last]
        elif action == "rekey" and isinstance(parent, dict):
            new_key = draw(st.sampled_from([last.upper(), last.lower(), last + "x", "", "id"]))
            parent[new_key] = parent.pop(last)
        elif action == "base64" and isinstance(current, str) and len(current) > 40:
            parent[last] = draw(_b64_damaged(current))
        elif action == "duplicate" and isinstance(current, list | dict):
            parent[last] = (
                [current, copy.deepcopy(current)] if isinstance(current, dict) else current * 2
            )
        elif action == "nest":
            parent[last] = {"properties": {"value": current}}
        else:
            parent[last] = draw(_ODD_VALUES)
    return gateway


@settings(max_examples=250)
@given(mutated_gateway(), st.sampled_from(["mapping", "bytes", "str"]))
def test_audit_gateway_on_mutated_json(gateway: Any, form: str) -> None:
    text = json.dumps(gateway, allow_nan=True)
    if form == "mapping" and not isinstance(gateway, dict):
        form = "bytes"  # a Python list is not a mapping (TypeError): as JSON text it is valid input
    source: Any = gateway if form == "mapping" else text.encode() if form == "bytes" else text
    result = call_loader("audit_gateway", lambda: audit_gateway(source, now=NOW), AppGwCertError)
    if isinstance(result, GatewayAudit):
        str(result)
        json.loads(result.to_json())
        result._repr_html_()


@settings(max_examples=100)
@given(hostile_bytes())
def test_audit_gateway_on_random_bytes(data: bytes) -> None:
    call_loader("audit_gateway", lambda: audit_gateway(data, now=NOW), AppGwCertError)


# --- the CLI's parsing (in-process) -------------------------------------------------------

_WORDS = [
    "quickstart", "chain", "inspect", "convert", "extract", "check", "backend", "client",
    "audit", "auth", "root", "pubkey", "listener", "authentication", "trusted-root",
    "trusted-client-ca", "--sku", "v1", "v2", "Standard_v2", "--password", "pass:x",
    "--hostname", "--json", "--force", "--to", "pfx", "der", "cer", "--key", "--chain",
    "--profile", "modern", "--probe", "[::1]:443", "--trusted-root", "--well-known",
    "--client-ca", "--intermediates", "-1", "99", "--key-type", "ec-p256", "--days",
    "--parameters", "-", "--", "-o", "--version", "x.pem", "",
]  # fmt: skip


@functools.cache
def _parser() -> argparse.ArgumentParser:
    return build_parser()


@settings(max_examples=250)
@given(argv=st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=10)), max_size=8))
def test_argument_parsing_exits_cleanly(argv: list[str]) -> None:
    parser = _parser()
    out, err = io.StringIO(), io.StringIO()
    with quick("parse_args"), redirect_stdout(out), redirect_stderr(err):
        outcome = call_loader("parse_args", lambda: parser.parse_args(argv), SystemExit)
    if isinstance(outcome, SystemExit):
        assert outcome.code in (0, 2)  # --help/--version, or a usage error
        assert "Traceback" not in err.getvalue()
    else:
        assert isinstance(outcome, argparse.Namespace)
        assert callable(outcome.run)


_SPECS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["pass", "env", "file", "fd", "stdin"]).flatmap(
        lambda kind: st.text(max_size=20).map(lambda rest: f"{kind}:{rest}")
    ),
    st.sampled_from(
        [
            "fd:²",
            "fd:٣",
            "fd:99999999999999999999999",
            "file:\x00",
            "file:\n",
            "file:a\rb",
            "env:\x00",
            "fd:",
        ]
    ),
)


def _names_an_open_descriptor(spec: str) -> bool:
    """Whether ``spec`` is ``fd:N`` for a descriptor this process has open: reading one
    blocks until its writer closes it (pytest-xdist's pipes are fds 3 and 4), as
    openssl's ``-passin fd:N`` does; tests/cli reads real pipes that way."""
    if not spec.startswith("fd:"):
        return False
    try:
        number = int(spec[3:])  # as lenient as any parser: other digits, signs, spaces
    except ValueError:
        return False
    if not 0 <= number < 2**31:
        return False
    try:
        os.fstat(number)
    except OSError:
        return False
    return True


@settings(max_examples=250)
@given(_SPECS)
def test_password_specs_give_a_password_or_a_cli_error(spec: str) -> None:
    assume(not _names_an_open_descriptor(spec))
    # never stdin here: pytest's captured stdin raises on read
    if spec == "stdin":
        spec = "pass:stdin"
    outcome = call_loader("read_password", lambda: read_password(spec), CliError)
    if isinstance(outcome, CliError):
        assert "\n" not in str(outcome)
    else:
        assert isinstance(outcome, str | bytes)


@settings(max_examples=100)
@given(st.one_of(st.text(max_size=30), st.sampled_from(["[::1]:²", "a:²", "a:٣", "[]", "[", ":"])))
def test_probe_targets_give_a_host_port_or_a_cli_error(text: str) -> None:
    outcome = call_loader("split_host_port", lambda: split_host_port(text), CliError)
    if not isinstance(outcome, CliError):
        assert isinstance(outcome, tuple)
        host, port = outcome
        assert host
        assert 0 < port < 65536


# --- memory does not grow -------------------------------------------------------------------


def _growth(call: Callable[[], object], rounds: int) -> int:
    """Bytes still allocated after ``rounds`` more calls, once warm (caches filled)."""
    for _ in range(10):
        call()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(rounds):
            call()
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def _swallow(call: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return call()
        except AppGwCertError as exc:
            return exc

    return run


MEMORY_CALLS: dict[str, Callable[[], object]] = {
    "load_pfx": lambda: load_pfx(seeds().files["pfx-compatible"], PASSWORD),
    "load_pfx wrong password": lambda: load_pfx(seeds().files["pfx-compatible"], "wrong"),
    "load_certificates corrupt": lambda: load_certificates(seeds().files["pem-chain"][:-40]),
    "check_upload listener": lambda: check_upload(
        Slot.LISTENER, seeds().files["pfx-compatible"], sku="v2", password=PASSWORD, now=NOW
    ),
    "check_upload trusted-client-ca": lambda: check_upload(
        Slot.TRUSTED_CLIENT_CA, seeds().files["client-ca"], sku="v2", now=NOW
    ),
    "check_backend": lambda: check_backend(
        seeds().chain.backend_chain_pem(),
        sku="v2",
        host_name=HOSTNAME,
        trusted_roots=[seeds().chain.trusted_root_cer()],
        now=NOW,
    ),
    "audit_gateway": lambda: audit_gateway(real_gateway(), now=NOW),
}


@pytest.mark.parametrize("name", sorted(MEMORY_CALLS))
def test_memory_does_not_grow_over_repeated_calls(name: str) -> None:
    rounds = 30 if name == "audit_gateway" else 60
    growth = _growth(_swallow(MEMORY_CALLS[name]), rounds=rounds)
    # Fresh objects each call: the well-known-CA memo (bounded, see below) keeps a few
    # KB per call alive; a real leak (a copy of the input per call) is far larger.
    assert growth / rounds < 8 * 1024, f"{name}: {growth:,} bytes more after {rounds} calls"


def test_remembered_answers_are_bounded() -> None:
    """The well-known-CA memo keeps certificates alive, up to a bound: memory saws, never climbs.

    Counted in Python's allocated blocks (cheap, no tracing): each fresh certificate
    object is a new memo entry until the memo is cleared at its bound.
    """
    der = seeds().files["der-leaf"]
    store = small_store()  # the same memo as certifi's store, with cheaper look-ups
    is_well_known([x509.load_der_x509_certificate(der)], store=store)
    gc.collect()
    start = sys.getallocatedblocks()
    levels = []
    for calls in range(1, 6_001):
        is_well_known([x509.load_der_x509_certificate(der)], store=store)
        if calls % 500 == 0:
            gc.collect()
            levels.append(sys.getallocatedblocks() - start)
    per_call = levels[0] / 500
    # unbounded, 6,000 calls would hold 6,000 entries; the bound is about 4,000
    assert max(levels) < per_call * 5_000, levels
    assert levels[-1] < max(levels), levels


def test_the_certificate_types_in_results_are_real() -> None:
    """The fuzz tests' success cases are not vacuous: the seeds load as what they are."""
    files = seeds().files
    assert len(load_certificates(files["pem-chain"])) == 3
    assert load_pfx(files["pfx-compatible"], PASSWORD).private_key is not None
    assert check_upload(
        Slot.LISTENER, files["pfx-compatible"], sku="v2", password=PASSWORD, now=NOW
    ).ok
    audit = audit_gateway(real_gateway(), now=NOW)
    assert {c.name for c in audit.certificates} >= {"web", "put", "root", "cca"}
    assert all(isinstance(c, x509.Certificate) for c in order_chain(seeds().certificates))


# --- regressions found by the fuzzing above ---------------------------------------------------


@pytest.mark.parametrize("password", ["a\x00b", b"\x00", b"Hostile1Pw\x00"])
def test_a_nul_in_a_pfx_password_is_a_password_error(
    password: str | bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    """cryptography panicked (a BaseException printing the password's bytes to stderr)."""
    with pytest.raises(PfxPasswordError, match="password is wrong"):
        load_pfx(seeds().files["pfx-compatible"], password)
    report = check_upload(
        Slot.LISTENER, seeds().files["pfx-compatible"], sku="v2", password=password, now=NOW
    )
    assert "LST002" in report.codes
    assert capfd.readouterr().err == ""


# --- keys Azure does not take: every loader and check still answers ---------------------------

ODD_KEYS: dict[str, Callable[[], Any]] = {
    "ed25519": ed25519.Ed25519PrivateKey.generate,
    "ed448": ed448.Ed448PrivateKey.generate,
    "dsa-1024": lambda: dsa.generate_private_key(1024),  # noqa: S505 - weak on purpose
    "secp256k1": lambda: ec.generate_private_key(ec.SECP256K1()),
    "brainpoolP256r1": lambda: ec.generate_private_key(ec.BrainpoolP256R1()),
    "rsa-1024": lambda: rsa.generate_private_key(65537, 1024),  # noqa: S505 - weak on purpose
}


def _self_signed(key: Any, common_name: str, dns_name: str) -> x509.Certificate:
    """A self-signed leaf with any key type (Ed25519/Ed448 sign without a hash)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    signs_with_hash = not isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .sign(key, hashes.SHA256() if signs_with_hash else None)
    )


def _odd_files(kind: str) -> dict[str, bytes]:
    key = ODD_KEYS[kind]()
    cert = _self_signed(key, f"{kind}.contoso.com", f"{kind}.contoso.com")
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {
        "pfx": pkcs12.serialize_key_and_certificates(b"odd", key, cert, None, encryption),
        "pem+key": cert.public_bytes(serialization.Encoding.PEM) + key_pem,
        "der": cert.public_bytes(serialization.Encoding.DER),
    }


@pytest.mark.parametrize("kind", sorted(ODD_KEYS))
def test_odd_key_types_through_every_loader_and_check(kind: str) -> None:
    for data in _odd_files(kind).values():
        for name, loader in LOADERS.items():
            call_loader(name, functools.partial(loader, data, PASSWORD), AppGwCertError)
        reports = [
            check_upload(slot, data, sku=sku, password=PASSWORD, hostnames=[f"{kind}.contoso.com"])
            for slot in Slot
            for sku in (Sku.STANDARD, Sku.STANDARD_V2)
        ]
        reports += [
            check_backend(data, sku="v2", trusted_roots=[data], host_name=f"{kind}.contoso.com"),
            check_backend(data, sku="v1", authentication_certs=[data]),
            check_client(data, data),
        ]
        for report in reports:
            _render(report)
    listener = check_upload(
        Slot.LISTENER, _odd_files(kind)["pfx"], sku="v2", password=PASSWORD, now=NOW
    )
    assert "GEN005" in listener.codes or "LST001" in listener.codes, str(listener)


@pytest.mark.parametrize("password", [{}, [], ["Hostile1Pw"], 1234, None, True])
def test_a_pfx_password_of_another_json_type_is_no_password(password: object) -> None:
    """A list or object as ``password`` crashed the audit (TypeError: unhashable type)."""
    gateway = real_gateway()
    put = gateway["properties"]["sslCertificates"][1]["properties"]
    put["password"] = password
    audit = audit_gateway(gateway, now=NOW)
    located = {f.code for f in audit.report.findings if f.location == "sslCertificates[put]"}
    assert "LST002" in located  # the PFX needs its password: opened without one


# --- text from strangers never drives a terminal or a notebook --------------------------------

EVIL_NAME = "evil\x1b]0;pwned\x07\x1b[2J\r\nFAKE OK line <script>alert(1)</script>"


@functools.cache
def _evil_pem() -> bytes:
    cert = _self_signed(ec.generate_private_key(ec.SECP256R1()), EVIL_NAME, "a\x1b[31m<b>.com")
    return cert.public_bytes(serialization.Encoding.PEM)


def _evil_reports() -> list[Report]:
    pem = _evil_pem()
    reports = [check_upload(slot, pem, sku="v2", hostnames=["x.com"], now=NOW) for slot in Slot]
    reports.append(check_backend(pem, sku="v2", host_name="x.com", now=NOW))
    reports.append(check_client(pem, pem, now=NOW))
    return reports


def _assert_inert_text(text: str) -> None:
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\r" not in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("FAKE OK")]


def test_certificate_text_cannot_drive_a_terminal() -> None:
    """A subject with ESC, BEL, CR and a newline: str(report) shows them escaped."""
    reports = _evil_reports()
    assert any("evil" in str(r) for r in reports)
    for report in reports:
        _assert_inert_text(str(report))


def test_certificate_text_cannot_inject_html() -> None:
    texts = [r._repr_html_() for r in _evil_reports()]
    texts.append(describe(_evil_pem())._repr_html_())
    assert any("evil" in t for t in texts)
    for text in texts:
        assert "<script" not in text
        assert "<b>" not in text


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "{file}"],
        ["check", "trusted-root", "{file}", "--sku", "v2"],
        ["check", "listener", "{file}", "--sku", "v2"],
        ["backend", "{file}", "--sku", "v2", "--host-name", "x.com"],
        ["extract", "root", "{file}"],
    ],
    ids=lambda argv: argv[0] + (f"-{argv[1]}" if argv[0] == "check" else ""),
)
def test_certificate_text_cannot_drive_the_cli_s_terminal(argv: list[str], tmp_path: Path) -> None:
    """The CLI prints subjects and names: ESC/BEL/CR escaped, no forged line."""
    path = tmp_path / "evil.pem"
    path.write_bytes(_evil_pem())
    result = subprocess.run(
        [sys.executable, "-m", "appgw_certs", *(a.format(file=path) for a in argv)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert "evil" in result.stdout + result.stderr or argv[0] == "extract"
    _assert_inert_text(result.stdout if argv[0] != "extract" else "")
    _assert_inert_text(result.stderr)


def test_gateway_json_text_cannot_drive_a_terminal(tmp_path: Path) -> None:
    """Gateway and object names come from the JSON: the overview and the CLI escape them."""
    gateway = real_gateway()
    gateway["name"] = EVIL_NAME
    gateway["properties"]["sslCertificates"][0]["name"] = EVIL_NAME
    _assert_inert_text(audit_gateway(gateway, now=NOW).overview())
    result = subprocess.run(
        [sys.executable, "-m", "appgw_certs", "audit", "-"],
        input=json.dumps(gateway), capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert "evil" in result.stdout
    _assert_inert_text(result.stdout)
    _assert_inert_text(result.stderr)


@st.composite
def mutated_parameters(draw: st.DrawFn) -> Any:
    """A deployment parameters file for the ARM seed, its values damaged or retyped."""
    values = {
        name: {"value": spec["defaultValue"]}
        for name, spec in _arm_template()["parameters"].items()
        if "defaultValue" in spec
    }
    for name in draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        current = values[name]["value"]
        if isinstance(current, str) and len(current) > 40 and draw(st.booleans()):
            values[name]["value"] = draw(_b64_damaged(current))
        else:
            values[name] = draw(st.one_of(_ODD_VALUES, _ODD_VALUES.map(lambda v: {"value": v})))
    shape = draw(st.sampled_from(["file", "plain", "bare"]))
    if shape == "file":
        return {"$schema": "x", "contentVersion": "1.0.0.0", "parameters": values}
    if shape == "plain":
        return {
            k: v["value"] if isinstance(v, dict) and "value" in v else v for k, v in values.items()
        }
    return values


@settings(max_examples=100)
@given(mutated_parameters())
def test_audit_gateway_with_mutated_parameters(parameters: Any) -> None:
    template = _arm_template()
    result = call_loader(
        "audit_gateway",
        lambda: audit_gateway(template, parameters=parameters, now=NOW),
        AppGwCertError,
    )
    if isinstance(result, GatewayAudit):
        str(result)
        json.loads(result.to_json())
