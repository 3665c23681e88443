"""Limits, each with a clear error: input size (1 MiB, before parsing, for paths too),
certificates per bundle (1,000), chain depth (200-deep chains, no unbounded
recursion), and PFX iteration counts that would stall the process (refused
before anything is derived; per derivation and per file)."""

from __future__ import annotations

import base64
import functools
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from pyasn1.codec.ber import decoder
from pyasn1.codec.der import encoder
from pyasn1.type import univ
from pyasn1_modules import rfc7292

from appgw_certs import (
    MAX_INPUT_BYTES,
    CertificateFormatError,
    ChainError,
    InputTooLargeError,
    PfxPasswordError,
    Slot,
    TrustStore,
    audit_gateway,
    check_backend,
    check_upload,
    describe,
    extract_authentication_cert,
    extract_public_key,
    extract_trusted_root,
    find_root,
    load_certificates,
    load_pfx,
    order_chain,
    to_cer,
)
from appgw_certs._errors import MAX_BUNDLE_CERTIFICATES
from appgw_certs._formats.pfx import MAX_ITERATIONS, MAX_TOTAL_ITERATIONS
from appgw_certs._gateway.arm import BUDGET_SPENT, MAX_PRODUCED, ArmContext, Unknown, evaluate
from appgw_certs._gateway.arm_functions import MAX_VALUE, TOO_LARGE
from helpers.chain import chain, issue
from helpers.hostile import PASSWORD, seeds
from helpers.read import run, with_bag_iterations, with_mac_iterations

LOADERS: dict[str, Callable[[Any], object]] = {
    "load_certificates": load_certificates,
    "load_pfx": load_pfx,
    "describe": describe,
    "to_cer": to_cer,
    "find_root": find_root,
    "extract_authentication_cert": extract_authentication_cert,
    "extract_trusted_root": extract_trusted_root,
    "extract_public_key": extract_public_key,
}


@contextmanager
def cpu_under(seconds: float) -> Iterator[None]:
    start = time.process_time()
    yield
    used = time.process_time() - start
    assert used < seconds, f"used {used:.2f} s of CPU"


# --- input size -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pem_at_the_limit() -> bytes:
    """A valid PEM chain padded with blank lines to exactly MAX_INPUT_BYTES."""
    pem = seeds().files["pem-chain"]
    return pem + b"\n" * (MAX_INPUT_BYTES - len(pem))


def test_exactly_the_limit_is_read(pem_at_the_limit: bytes) -> None:
    assert len(pem_at_the_limit) == MAX_INPUT_BYTES
    assert len(load_certificates(pem_at_the_limit)) == 3


@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize("form", ["bytes", "str"])
def test_one_byte_over_is_refused_with_the_limit_named(
    name: str, form: str, pem_at_the_limit: bytes
) -> None:
    data = pem_at_the_limit + b"\n"
    source: Any = data if form == "bytes" else data.decode("ascii")
    if name == "load_pfx" and form == "str":
        source = data  # load_pfx takes bytes or a path
    with cpu_under(0.5), pytest.raises(InputTooLargeError, match="1,048,576"):
        LOADERS[name](source)


@pytest.fixture(scope="module")
def huge_sparse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 GiB file that takes no disk: reading it whole would take seconds and gigabytes."""
    path = tmp_path_factory.mktemp("huge") / "huge.pem"
    with path.open("wb") as handle:
        handle.write(seeds().files["pem-chain"])
        handle.truncate(4 * 1024**3)
    return path


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_huge_file_is_refused_without_reading_it(name: str, huge_sparse_file: Path) -> None:
    tracemalloc.start()
    try:
        # the file's size, not the 1,048,577 bytes read before refusing it
        with cpu_under(0.5), pytest.raises(InputTooLargeError, match=r"huge\.pem is 4,294,967,296"):
            LOADERS[name](huge_sparse_file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_INPUT_BYTES  # at most the limit (+1 byte) was read


@pytest.mark.parametrize("slot", list(Slot))
def test_checks_report_an_oversized_upload(slot: Slot, huge_sparse_file: Path) -> None:
    with cpu_under(0.5):
        report = check_upload(slot, huge_sparse_file, sku="v2")
        in_memory = check_upload(slot, b"0" * (MAX_INPUT_BYTES + 1), sku="v2")
    for r in (report, in_memory):
        assert not r.ok
        assert any("1,048,576" in f.message for f in r.errors), str(r)


def test_audit_holds_each_certificate_field_to_the_limit() -> None:
    big = base64.b64encode(seeds().files["der-leaf"] + b"\0" * MAX_INPUT_BYTES).decode()
    gateway = {
        "name": "gw",
        "properties": {
            "sku": {"name": "Standard_v2", "tier": "Standard_v2"},
            "trustedRootCertificates": [{"name": "big", "properties": {"data": big}}],
        },
    }
    with cpu_under(1.0):
        audit = audit_gateway(json.dumps(gateway))
    located = [f for f in audit.report.errors if f.location == "trustedRootCertificates[big]"]
    assert located, str(audit)


# --- certificates per bundle ----------------------------------------------------------------


@pytest.fixture(scope="module")
def many_certificates() -> list[x509.Certificate]:
    """MAX_BUNDLE_CERTIFICATES + 1 distinct certificates (one key: only serials differ)."""
    root = issue("bundle root")
    return [root.cert] + [
        issue(f"leaf {i}", key=root.key, issuer=root, ca=False, key_ids=False).cert
        for i in range(MAX_BUNDLE_CERTIFICATES)
    ]


def _pem(certs: list[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def test_a_bundle_at_the_limit_is_read(many_certificates: list[x509.Certificate]) -> None:
    at_limit = many_certificates[:MAX_BUNDLE_CERTIFICATES]
    assert len(load_certificates(_pem(at_limit))) == MAX_BUNDLE_CERTIFICATES
    p7 = pkcs7.serialize_certificates(at_limit, serialization.Encoding.DER)
    assert len(load_certificates(p7)) == MAX_BUNDLE_CERTIFICATES


@pytest.mark.parametrize("form", ["pem", "pkcs7-der", "pkcs7-pem", "pkcs7-in-pem-blocks"])
def test_one_certificate_over_is_refused_with_the_count(
    form: str, many_certificates: list[x509.Certificate]
) -> None:
    half = len(many_certificates) // 2
    data = {
        "pem": lambda: _pem(many_certificates),
        "pkcs7-der": lambda: pkcs7.serialize_certificates(
            many_certificates, serialization.Encoding.DER
        ),
        "pkcs7-pem": lambda: pkcs7.serialize_certificates(
            many_certificates, serialization.Encoding.PEM
        ),
        "pkcs7-in-pem-blocks": lambda: b"".join(
            pkcs7.serialize_certificates(part, serialization.Encoding.PEM)
            for part in (many_certificates[:half], many_certificates[half:])
        ),
    }[form]()
    assert len(data) < MAX_INPUT_BYTES
    with cpu_under(1.0), pytest.raises(CertificateFormatError, match="1,001 certificates"):
        load_certificates(data)
    report = check_upload(Slot.TRUSTED_CLIENT_CA, data, sku="v2")
    assert not report.ok


# --- chain depth ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deep_chain() -> list[x509.Certificate]:
    """Root first: a root, 198 intermediates, a leaf."""
    return [ca.cert for ca in chain(200, prefix="deep ")]


@contextmanager
def shallow_stack(frames: int = 150) -> Iterator[None]:
    """Allow only ``frames`` more Python frames: a chain walked by recursion (one frame per
    link) fails with RecursionError on a 200-deep chain; a loop does not notice."""
    depth = 0
    frame = sys._getframe()
    while frame.f_back is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def test_order_chain_of_200_in_any_order(deep_chain: list[x509.Certificate]) -> None:
    shuffled = list(deep_chain)
    random.Random(200).shuffle(shuffled)
    with cpu_under(1.0), shallow_stack():
        ordered = order_chain(shuffled)
    assert ordered == deep_chain[::-1]


def test_find_root_of_200(deep_chain: list[x509.Certificate]) -> None:
    with cpu_under(1.0), shallow_stack():
        root = find_root(_pem(deep_chain[1:][::-1] + deep_chain[:1]))
        completed = find_root(deep_chain[1:], store=TrustStore(deep_chain[:1]))
    assert root == deep_chain[0]
    assert completed == deep_chain[0]


def test_other_paths_survive_a_deep_chain(deep_chain: list[x509.Certificate]) -> None:
    presented = _pem(deep_chain[::-1])
    with cpu_under(2.0), shallow_stack():
        info = describe(presented)
        backend = check_backend(
            presented, sku="v2", trusted_roots=[_pem(deep_chain[:1])], host_name="leaf"
        )
        upload = check_upload(Slot.TRUSTED_CLIENT_CA, _pem(deep_chain[:-1]), sku="v2")
    assert len(info) == 200
    assert [i.role for i in info][:1] == ["leaf"]
    assert isinstance(backend.ok, bool)
    assert isinstance(upload.ok, bool)


def test_a_broken_link_in_a_deep_chain_is_a_chain_error(
    deep_chain: list[x509.Certificate],
) -> None:
    gapped = deep_chain[:100] + deep_chain[101:]  # intermediate 100 missing: two pieces
    with cpu_under(1.0), shallow_stack(), pytest.raises(ChainError):
        order_chain(gapped)


# --- PFX iteration counts -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pem_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pfx-limits")
    c = seeds().chain
    files = {
        "cert": c.server.cer(),
        "key": c.server.key_pem(),
        "chain": c.intermediates[0].cer() + c.root.cer(),
    }
    for name, data in files.items():
        (directory / f"{name}.pem").write_bytes(data)
    return {name: directory / f"{name}.pem" for name in files}


def openssl_pfx(openssl: str, pem_files: dict[str, Path], *options: str) -> bytes:
    return run(
        openssl, "pkcs12", "-export", "-in", pem_files["cert"], "-inkey", pem_files["key"],
        "-certfile", pem_files["chain"], "-passout", f"pass:{PASSWORD}", *options,
    )  # fmt: skip


LEGACY_3DES = ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1")


def test_openssl_file_at_the_per_derivation_limit_opens_in_time(
    openssl: str, pem_files: dict[str, Path]
) -> None:
    """MAC, key bag and certificate bag at MAX_ITERATIONS each: the slowest file accepted."""
    data = openssl_pfx(openssl, pem_files, *LEGACY_3DES, "-iter", str(MAX_ITERATIONS))
    with cpu_under(1.0):
        pfx = load_pfx(data, PASSWORD)
    assert pfx.encryption.iterations == MAX_ITERATIONS
    assert pfx.private_key is not None


@pytest.mark.parametrize("options", [LEGACY_3DES, ()], ids=["3des", "aes"])
def test_openssl_file_one_over_is_refused_before_deriving(
    openssl: str, pem_files: dict[str, Path], options: tuple[str, ...]
) -> None:
    data = openssl_pfx(openssl, pem_files, *options, "-iter", str(MAX_ITERATIONS + 1))
    with cpu_under(0.2), pytest.raises(CertificateFormatError, match="300,001 iterations"):
        load_pfx(data, PASSWORD)
    report = check_upload(Slot.LISTENER, data, sku="v2", password=PASSWORD)
    assert not report.ok


@pytest.mark.parametrize("where", ["mac", "key", "cert"])
def test_each_derivation_is_bounded(where: str) -> None:
    data = seeds().files["pfx-compatible"]
    over = MAX_ITERATIONS + 1
    hostile = (
        with_mac_iterations(data, over)
        if where == "mac"
        else with_bag_iterations(data, over, which=where)
    )
    with cpu_under(0.2), pytest.raises(CertificateFormatError, match="iterations"):
        load_pfx(hostile, PASSWORD)


def with_copies_of_the_certificate_bag(pfx_der: bytes, copies: int) -> bytes:
    """The encrypted certificate bag repeated: each copy is one more derivation."""
    pfx, _ = decoder.decode(pfx_der, asn1Spec=rfc7292.PFX())
    octets, _ = decoder.decode(bytes(pfx["authSafe"]["content"]), asn1Spec=univ.OctetString())
    safe, _ = decoder.decode(bytes(octets), asn1Spec=rfc7292.AuthenticatedSafe())
    encrypted = [i for i in safe if str(i["contentType"]) == "1.2.840.113549.1.7.6"]
    assert encrypted
    for _ in range(copies):
        safe.append(encrypted[0])
    pfx["authSafe"]["content"] = encoder.encode(univ.OctetString(encoder.encode(safe)))
    return bytes(encoder.encode(pfx))


def test_many_bags_within_each_limit_are_refused_by_their_sum(
    openssl: str, pem_files: dict[str, Path]
) -> None:
    """Each derivation under the limit, but a file of many adds up to a stall."""
    per_bag = MAX_ITERATIONS // 2
    data = openssl_pfx(openssl, pem_files, *LEGACY_3DES, "-iter", str(per_bag))
    copies = MAX_TOTAL_ITERATIONS // per_bag
    hostile = with_copies_of_the_certificate_bag(data, copies)
    with cpu_under(0.3), pytest.raises(CertificateFormatError, match="add up to over 1,000,000"):
        load_pfx(hostile, PASSWORD)
    fewer = with_copies_of_the_certificate_bag(data, 1)  # 4 derivations of 150,000
    with cpu_under(1.0), pytest.raises(PfxPasswordError):  # the MAC no longer matches
        load_pfx(fewer, PASSWORD)


def test_deeply_nested_safe_contents_bags_are_refused_in_time() -> None:
    """safeContentsBag inside safeContentsBag, as deep as 1 MiB allows."""
    bag_oid = bytes.fromhex("060b2a864886f70d010c0a0106")  # safeContentsBag
    # SEQUENCE OF { SEQUENCE { bag_oid, [0] inner } }, 20,000 deep, prefixes outermost first
    prefixes, length = [], 2  # the innermost: an empty SafeContents
    for _ in range(20_000):
        explicit = b"\xa0" + _length(length)
        bag_length = len(bag_oid) + len(explicit) + length
        bag = b"\x30" + _length(bag_length)
        contents = b"\x30" + _length(bag_length + len(bag))
        prefixes.append(contents + bag + bag_oid + explicit)
        length = bag_length + len(bag) + len(contents)
    inner = b"".join(reversed(prefixes)) + b"\x30\x00"
    assert len(inner) == length
    data_oid = bytes.fromhex("06092a864886f70d010701")
    content_info = _sequence(data_oid + _explicit0(_octet_string(inner)))
    auth_safe = _sequence(data_oid + _explicit0(_octet_string(_sequence(content_info))))
    pfx = _sequence(b"\x02\x01\x03" + auth_safe)
    assert len(pfx) < MAX_INPUT_BYTES
    with (
        cpu_under(1.0),
        shallow_stack(400),
        pytest.raises((CertificateFormatError, PfxPasswordError)),
    ):
        load_pfx(pfx, PASSWORD)


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    size = (n.bit_length() + 7) // 8
    return bytes([0x80 | size]) + n.to_bytes(size, "big")


def _sequence(content: bytes) -> bytes:
    return b"\x30" + _length(len(content)) + content


def _explicit0(content: bytes) -> bytes:
    return b"\xa0" + _length(len(content)) + content


def _octet_string(content: bytes) -> bytes:
    return b"\x04" + _length(len(content)) + content


def test_limits_are_what_the_docs_say() -> None:
    assert MAX_INPUT_BYTES == 1024 * 1024
    assert MAX_BUNDLE_CERTIFICATES == 1000
    assert MAX_ITERATIONS == 300_000  # .NET's Pkcs12LoaderLimits defaults
    assert MAX_TOTAL_ITERATIONS == 1_000_000


# --- ARM templates: expression length, and values that grow without end ---------------------

TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template(name: str, variables: dict[str, object] | None = None, **props: object) -> Any:
    resource = {"type": "Microsoft.Network/applicationGateways", "name": name, "properties": props}
    return {"$schema": TEMPLATE_SCHEMA, "variables": variables or {}, "resources": [resource]}


@pytest.mark.parametrize(
    ("shape", "unit"), [("member", "a."), ("index", "x[0]"), ("parens", "("), ("quotes", "'")]
)
def test_long_expressions_take_linear_time(shape: str, unit: str) -> None:
    """Up to ARM's own limit (24,576 characters) an expression is read in one pass
    (a 20,000-character accessor chain took seconds, 200,000 forever); past it, not at all."""
    at_limit = "[" + unit * (24_000 // len(unit)) + "]"
    over = "[" + unit * (300_000 // len(unit)) + "]"
    for text in (at_limit, over):
        with cpu_under(0.5):
            audit = audit_gateway(template(text))
        assert isinstance(audit.gateway, str)


def test_arm_expression_limit_is_arm_s() -> None:
    context = ArmContext.from_template({})
    just_over = "[concat('" + "a" * 24_570 + "')]"
    assert len(just_over) - 2 > 24_576
    assert isinstance(evaluate(just_over, context), Unknown)
    assert evaluate("[concat('" + "a" * 24_000 + "')]", context) == "a" * 24_000


@pytest.mark.parametrize("kind", ["string", "list", "replace", "format"])
def test_values_that_double_are_cut_at_arm_s_4_mb(kind: str) -> None:
    """40 variables each doubling the next: 2**40 characters or list items if evaluated
    (memory exhausted, the process killed); ARM refuses anything over 4 MB expanded."""

    def double(i: int) -> object:
        inner = f"variables('v{i + 1}')"
        return {
            "string": f"[concat({inner}, {inner})]",
            "list": [f"[{inner}]", f"[{inner}]"],
            "replace": f"[replace({inner}, 'x', concat({inner}, {inner}))]",
            "format": f"[format('{{0}}{{0}}{{0}}{{0}}', {inner})]",
        }[kind]

    variables: dict[str, object] = {f"v{i}": double(i) for i in range(40)}
    variables["v40"] = "x"
    with cpu_under(1.0):
        audit = audit_gateway(
            template(
                "[string(length(variables('v0')))]", variables, sslCertificates="[variables('v0')]"
            )
        )
        value = ArmContext.from_template({"variables": variables}).lookup("variables", "v0")
    assert isinstance(audit.gateway, str)
    written = repr(value)  # the doubling stopped where it passed a limit: that part is unknown
    assert any(reason in written for reason in (TOO_LARGE, BUDGET_SPENT))
    assert len(written) < 8 * 1024 * 1024


def test_nested_base64_is_refused_before_it_is_built() -> None:
    """A 1 KB template nesting base64( 60 times wants about 9.4 GB written out; each
    level is sized before it is encoded."""
    nested = "[" + "base64(" * 60 + "'abc'" + ")" * 60 + "]"
    assert len(nested) < 1024
    tracemalloc.start()
    try:
        with cpu_under(0.5):
            value = evaluate(nested, ArmContext())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(value, Unknown)
    assert TOO_LARGE in value.expression
    assert peak < 3 * MAX_VALUE


def test_many_values_each_under_the_cap_spend_one_budget() -> None:
    """Hundreds of variables each just under 4 MB (built by doubling, then copied with one
    more character): every one is under ARM's limit, together they are gigabytes. The
    template's budget stops them, and the whole audit stays small."""
    variables: dict[str, object] = {"v0": "a" * 64}
    for i in range(1, 16):  # 64 * 2**15 = 2 MiB
        variables[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
    copies = [f"[concat(variables('v15'), '{i}')]" for i in range(500)]
    context = ArmContext.from_template({"variables": variables})
    tracemalloc.start()
    try:
        with cpu_under(2.0):
            values = [evaluate(copy, context) for copy in copies]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    built = [v for v in values if isinstance(v, str)]
    assert 0 < len(built) < 10
    assert all(isinstance(v, Unknown) and BUDGET_SPENT in v.expression for v in values[10:])
    assert sum(map(len, built)) <= MAX_PRODUCED
    assert peak < 2 * MAX_PRODUCED


# --- nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["der", "pkcs7", "pkcs12"])
def test_deeply_nested_der_is_refused_in_time(shape: str) -> None:
    """100,000 nested SEQUENCEs (about 480 KB): no parser recurses without bound."""
    inner = _nested_sequences(100_000)
    signed_data_oid = bytes.fromhex("06092a864886f70d010702")
    data = {
        "der": inner,
        "pkcs7": _sequence(signed_data_oid + _explicit0(inner)),
        "pkcs12": _sequence(b"\x02\x01\x03" + inner),
    }[shape]
    assert len(data) < MAX_INPUT_BYTES
    for name, loader in LOADERS.items():
        with cpu_under(1.0), shallow_stack(400), pytest.raises(CertificateFormatError):
            loader(data)
        assert name
    with cpu_under(1.0), shallow_stack(400):
        reports = [check_upload(slot, data, sku="v2") for slot in Slot]
    assert all(not r.ok for r in reports)


@functools.cache
def _nested_sequences(depth: int) -> bytes:
    """SEQUENCE { SEQUENCE { ... NULL } }, built from the inside out without copying."""
    core = b"\x05\x00"
    headers, length = [], len(core)
    for _ in range(depth):
        header = b"\x30" + _length(length)
        headers.append(header)
        length += len(header)
    return b"".join(reversed(headers)) + core
