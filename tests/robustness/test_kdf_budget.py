"""The key-derivation budget covers every derivation loading a file would run, hidden
ones included, and refuses the file before the first one (docs/robustness.md, "Key
derivation").

Each hidden-work shape is generated here: a 3DES certificate safe (2,048 iterations)
holding a key bag that asks for 2x10^9 (without a password, with one and a MAC,
inside a nested safe), a PBMAC1 MAC whose PBKDF2 asks for as many, PKCS#8 keys with
scrypt's r or p raised, or PBKDF2's count. Before the budget covered them, each
stalled its caller for minutes (2.1 GB of memory for scrypt's r), Ctrl-C included.
The same shapes with cheap counts load, with cryptography as with the library:
they are what OpenSSL reads, not files only this library would choke on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from appgw_certs import (
    AppGwCertError,
    CertificateFormatError,
    Slot,
    audit_gateway,
    cer_to_pfx,
    check_upload,
    describe,
    extract_public_key,
    load_certificates,
    load_pfx,
    pfx_to_cer,
)
from appgw_certs._formats.bundle import load_private_key
from appgw_certs._formats.pbe import MAX_ITERATIONS, MAX_SCRYPT_MEMORY, MAX_SCRYPT_WORK
from helpers.gateway import GatewayBuilder
from helpers.hidden_work import (
    CHEAP_ITERATIONS,
    HOSTILE_ITERATIONS,
    cert_bag,
    hidden_key_bag_pfx,
    pem,
    pfx_with_encrypted_safe,
    shrouded_key_bag,
    with_scrypt_cost,
)
from helpers.read import Chain, encrypted_key_with_iterations, make_chain, run

PASSWORD = "Budget-Pass-3"
VECTORS = Path(cryptography_vectors.__file__).parent
KEYTOOL = Path(__file__).parents[1] / "data" / "read"


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain("budget")


@contextmanager
def refused_quickly(limit: float = 0.5) -> Iterator[None]:
    start = time.process_time()
    yield
    used = time.process_time() - start
    assert used < limit, f"used {used:.2f} s of CPU"


# --- PFX: a key bag inside the certificate safe ----------------------------------------------

PFX_SHAPES = {
    "no password": {"password": None, "mac": False},
    "no password, MAC": {"password": None, "mac": True},
    "password and MAC": {"password": PASSWORD, "mac": True},
    "nested safe": {"password": PASSWORD, "mac": True, "nested": True},
    "nested safe, no password": {"password": None, "mac": False, "nested": True},
}


def _shape(chain: Chain, name: str, iterations: int) -> tuple[bytes, str | None]:
    options = dict(PFX_SHAPES[name])
    password = options.pop("password")
    secret = password.encode() if isinstance(password, str) else None
    data = hidden_key_bag_pfx(
        chain.leaf.key,
        chain.leaf.cert,
        secret,
        iterations=iterations,
        **options,  # type: ignore[arg-type]
    )
    return data, password  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(PFX_SHAPES))
def test_the_cheap_shape_is_a_real_file(name: str, chain: Chain) -> None:
    data, password = _shape(chain, name, CHEAP_ITERATIONS)
    secret = password.encode() if password else None
    by_cryptography = pkcs12.load_pkcs12(data, secret)
    assert by_cryptography.key is not None
    pfx = load_pfx(data, password)
    assert pfx.private_key is not None
    assert pfx.certificate == chain.leaf.cert


HOSTILE_CALLS: dict[str, Callable[[bytes, str | None], object]] = {
    "load_pfx": load_pfx,
    "load_certificates": lambda data, password: load_certificates(data),
    "describe": describe,
    "extract_public_key": extract_public_key,
    "pfx_to_cer": pfx_to_cer,
}


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (name, call)
        for name in sorted(PFX_SHAPES)
        for call in sorted(HOSTILE_CALLS)
        # load_certificates takes no password: it opens only files that need none
        if call != "load_certificates" or PFX_SHAPES[name]["password"] is None
    ],
)
def test_hidden_key_bag_iterations_are_refused_before_deriving(
    name: str, call: str, chain: Chain
) -> None:
    data, password = _shape(chain, name, HOSTILE_ITERATIONS)
    with refused_quickly(), pytest.raises(CertificateFormatError) as raised:
        HOSTILE_CALLS[call](data, password)
    assert "2,000,000,000 iterations" in str(raised.value)
    assert f"{MAX_ITERATIONS:,}" in str(raised.value)


@pytest.mark.parametrize("slot", [Slot.LISTENER, Slot.TRUSTED_ROOT])
@pytest.mark.parametrize("name", ["no password", "password and MAC"])
def test_checks_report_the_hidden_work_quickly(name: str, slot: Slot, chain: Chain) -> None:
    data, password = _shape(chain, name, HOSTILE_ITERATIONS)
    with refused_quickly():
        report = check_upload(slot, data, sku="v2", password=password)
    assert not report.ok
    assert any("2,000,000,000 iterations" in f.message for f in report.errors), str(report)


def test_an_audited_listener_certificate_is_refused_quickly(chain: Chain) -> None:
    data, password = _shape(chain, "password and MAC", HOSTILE_ITERATIONS)
    g = GatewayBuilder(name="gw", tier="Standard_v2")
    g.listener_cert("hidden", [chain.leaf.cert], data, password)
    with refused_quickly(1.0):
        audit = audit_gateway(g.rest(put=True))
    assert any("2,000,000,000 iterations" in f.message for f in audit.report.errors), str(audit)


def test_the_cli_inspect_is_refused_quickly(chain: Chain, tmp_path: Path) -> None:
    data, _ = _shape(chain, "no password", HOSTILE_ITERATIONS)
    path = tmp_path / "hidden.pfx"
    path.write_bytes(data)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "appgw_certs", "inspect", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert time.perf_counter() - started < 30  # it took minutes
    assert result.returncode == 2, result.stderr
    assert "2,000,000,000 iterations" in result.stderr


def test_many_hidden_key_bags_add_up(chain: Chain) -> None:
    """Each hidden key bag within the per-derivation limit, their sum over the file's."""
    bags = [shrouded_key_bag(chain.leaf.key, None, MAX_ITERATIONS) for _ in range(4)]
    data = pfx_with_encrypted_safe([cert_bag(chain.leaf.cert), *bags], None, mac=False)
    with refused_quickly(), pytest.raises(CertificateFormatError, match="add up to over"):
        load_pfx(data)


# --- PBMAC1: the MAC's PBKDF2 ------------------------------------------------------------------


def test_a_pbmac1_mac_is_budgeted(chain: Chain) -> None:
    """RFC 9579's MAC derives its key with PBKDF2, whose count is in its parameters."""
    secret = PASSWORD.encode()

    def with_pbmac1(iterations: int) -> bytes:
        return hidden_key_bag_pfx(
            chain.leaf.key, chain.leaf.cert, secret, iterations=CHEAP_ITERATIONS,
            pbmac1_iterations=iterations,
        )  # fmt: skip

    cheap = with_pbmac1(CHEAP_ITERATIONS)
    assert pkcs12.load_pkcs12(cheap, secret).key is not None  # OpenSSL verifies this MAC
    assert load_pfx(cheap, PASSWORD).encryption.mac_algorithm == "PBMAC1"
    hostile = with_pbmac1(HOSTILE_ITERATIONS)
    with (
        refused_quickly(),
        pytest.raises(CertificateFormatError, match="MAC asks for 2,000,000,000"),
    ):
        load_pfx(hostile, PASSWORD)


# --- PKCS#8 keys -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pkcs8_keys(
    chain: Chain, openssl: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    """Encrypted PKCS#8 DER written by openssl: scrypt (its default cost) and PBKDF2."""
    key = tmp_path_factory.mktemp("pkcs8") / "key.pem"
    key.write_bytes(chain.leaf.key_pem())

    def topk8(*options: str) -> bytes:
        return run(
            openssl, "pkcs8", "-topk8", "-in", key, "-outform", "DER",
            "-passout", f"pass:{PASSWORD}", *options,
        )  # fmt: skip

    return {"scrypt": topk8("-scrypt"), "pbkdf2": topk8("-v2", "aes-256-cbc", "-iter", "2048")}


def _key_shapes(keys: dict[str, bytes]) -> dict[str, bytes]:
    return {
        "scrypt r=1024": with_scrypt_cost(keys["scrypt"], n=2**14, r=1024, p=1),
        "scrypt p=1024": with_scrypt_cost(keys["scrypt"], n=2**14, r=8, p=1024),
        "scrypt N=2**24": with_scrypt_cost(keys["scrypt"], n=2**24, r=1, p=1),
        "pbkdf2 2x10^9": encrypted_key_with_iterations(keys["pbkdf2"], HOSTILE_ITERATIONS),
    }


def _pem(der: bytes) -> bytes:
    return pem("ENCRYPTED PRIVATE KEY", der)


@pytest.mark.parametrize(
    "shape", ["scrypt r=1024", "scrypt p=1024", "scrypt N=2**24", "pbkdf2 2x10^9"]
)
def test_costly_pkcs8_keys_are_refused_before_deriving(
    shape: str, pkcs8_keys: dict[str, bytes], chain: Chain
) -> None:
    der = _key_shapes(pkcs8_keys)[shape]
    calls: list[Callable[[], object]] = [
        lambda: load_private_key(der, PASSWORD),
        lambda: load_private_key(_pem(der), PASSWORD),
        lambda: cer_to_pfx(chain.leaf.cert_pem(), _pem(der), password="new", key_password=PASSWORD),
        lambda: describe(_pem(der) + chain.leaf.cert_pem(), PASSWORD),
    ]
    for call in calls:
        with refused_quickly(), pytest.raises(CertificateFormatError) as raised:
            call()
        text = str(raised.value)
        assert ("scrypt" in text) if shape.startswith("scrypt") else ("2,000,000,000" in text)
    with refused_quickly():
        report = check_upload(
            Slot.LISTENER, _pem(der) + chain.leaf.cert_pem(), sku="v2", password=PASSWORD
        )
    assert not report.ok


def test_the_scrypt_limits_are_on_work_and_memory() -> None:
    assert MAX_SCRYPT_WORK == 2**20  # 8 times OpenSSL's default N=16384, r=8, p=1
    assert MAX_SCRYPT_MEMORY == 32 * 1024 * 1024  # OpenSSL's own default ceiling


def test_cheap_pkcs8_keys_load(pkcs8_keys: dict[str, bytes], chain: Chain) -> None:
    for der in pkcs8_keys.values():
        key = load_private_key(der, PASSWORD)
        assert key.public_key() == chain.leaf.key.public_key()
    unchanged = with_scrypt_cost(pkcs8_keys["scrypt"], n=2**14, r=8, p=1)  # openssl's default
    assert load_private_key(unchanged, PASSWORD).public_key() == chain.leaf.key.public_key()


def test_scrypt_at_both_limits_loads(openssl: str, chain: Chain, tmp_path: Path) -> None:
    """N=2**14, r=8, p=8: the most work accepted, in 16 MiB (openssl writes no key whose
    memory reaches its 32 MiB ceiling); one p more, or twice the memory, is refused."""
    key = tmp_path / "key.pem"
    key.write_bytes(chain.leaf.key_pem())
    der = run(
        openssl, "pkcs8", "-topk8", "-in", key, "-outform", "DER", "-passout", f"pass:{PASSWORD}",
        "-scrypt", "-scrypt_N", str(2**14), "-scrypt_r", "8", "-scrypt_p", "8",
    )  # fmt: skip
    assert MAX_SCRYPT_WORK == 2**14 * 8 * 8
    assert load_private_key(der, PASSWORD).public_key() == chain.leaf.key.public_key()
    for n, r, p in ((2**14, 8, 9), (2**16, 8, 1)):  # work 2**20 + 2**17; memory 64 MiB
        over = with_scrypt_cost(der, n=n, r=r, p=p)
        with refused_quickly(), pytest.raises(CertificateFormatError, match="scrypt"):
            load_private_key(over, PASSWORD)


# --- the files people have still load -----------------------------------------------------------


PKCS8_VECTOR_PASSWORDS = (b"foobar", b"baz", b"123456", b"password", b"hunter42")


def test_cryptography_vectors_pkcs8_keys_are_within_the_budget() -> None:
    """Every encrypted PKCS#8 vector: loaded with its password, or refused for
    something else than its cost."""
    loaded = 0
    for path in sorted((VECTORS / "asymmetric" / "PKCS8").glob("*.pem")):
        data = path.read_bytes()
        if b"ENCRYPTED PRIVATE KEY" not in data:
            continue
        errors = []
        for password in PKCS8_VECTOR_PASSWORDS:
            try:
                load_private_key(data, password)
            except AppGwCertError as exc:
                errors.append(str(exc))
            else:
                loaded += 1
                break
        assert not [e for e in errors if "iterations" in e or "scrypt" in e], path.name
    assert loaded >= 18  # the others: passwords not known here


@pytest.mark.parametrize(
    "path",
    sorted((VECTORS / "pkcs12").glob("*.p12")) + sorted(KEYTOOL.glob("*.p12")),
    ids=lambda p: p.name,
)
def test_real_pfx_files_load(path: Path) -> None:
    data = path.read_bytes()
    errors = []
    for password in (b"cryptography", b"password", None, b"Passw0rd1"):  # vectors; keytool
        try:
            pfx = load_pfx(data, password)
        except AppGwCertError as exc:
            errors.append(str(exc))
            continue
        assert pfx.certificate is not None or pfx.private_key is not None
        return
    pytest.fail(f"{path.name} opened with no known password: {errors}")


@pytest.mark.parametrize(
    "options",
    [
        (),
        ("-legacy",),
        ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"),
    ],
    ids=["default", "legacy", "3des"],
)
@pytest.mark.parametrize("password", [PASSWORD, ""], ids=["password", "empty"])
def test_openssl_exports_load(
    options: tuple[str, ...], password: str, openssl: str, chain: Chain, tmp_path: Path
) -> None:
    (tmp_path / "key.pem").write_bytes(chain.leaf.key_pem() + chain.leaf.cert_pem())
    data = run(
        openssl,
        "pkcs12",
        "-export",
        "-in",
        tmp_path / "key.pem",
        "-passout",
        f"pass:{password}",
        *options,
    )
    pfx = load_pfx(data, password or None)
    assert pfx.private_key is not None
    assert pfx.certificate == chain.leaf.cert
    assert json.dumps(str(pfx))  # readable


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("hidden-key-bag-iterations.pfx", None),
        ("hidden-key-bag-iterations-nested-mac.pfx", "Secret123"),
    ],
)
def test_the_fuzz_seeds_hold_the_hidden_work(name: str, password: str | None) -> None:
    """fuzz/make_seeds.py wrote them; the fuzzer starts from a shape that stalled."""
    data = (Path(__file__).parents[2] / "fuzz" / "corpus" / name).read_bytes()
    with refused_quickly(), pytest.raises(CertificateFormatError, match="2,000,000,000"):
        load_pfx(data, password)
