"""The two PFX decoders read the same layout: cryptography's declarative DER decoder
(``pfx_der``) and pyasn1-modules (``pfx_ber``).

The DER decoder is the one that runs (it is faster), pyasn1 the one that has
always run; anything the first steps aside from goes to the second. The oracles:
pyasn1's reading of every PKCS#12 file of cryptography-vectors, of what the
openssl CLI writes with each option that changes the layout, of Java keytool
files, and of all of them damaged or with their numbers changed.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import CertificateFormatError, load_pfx
from appgw_certs._errors import translate_errors
from appgw_certs._formats import pfx_layout
from appgw_certs._formats.pfx_ber import BER_DECODER
from appgw_certs._formats.pfx_der import der_decoder
from appgw_certs._formats.pfx_layout import (
    MAX_BAG_NESTING,
    MAX_ITERATIONS,
    Layout,
    check_encrypted_key_info,
    encrypted_key_iterations_with,
    read_layout,
    read_layout_with,
)
from appgw_certs._formats.sniff import could_be_pfx
from helpers.read import (
    der_bytes,
    der_tree,
    integer_nodes,
    make_chain,
    run,
    set_integer,
    structure_offsets,
    with_bag_iterations,
    with_mac_iterations,
    write,
)

PASSWORD = "Decoder-Pass-1"
VECTORS = Path(cryptography_vectors.__file__).parent / "pkcs12"
KEYTOOL = Path(__file__).parents[1] / "data" / "read"
REAL_FILES = sorted(VECTORS.glob("*.p12")) + sorted(KEYTOOL.glob("*.p12"))
CHAIN = make_chain("decoders")

DER = der_decoder()
Outcome = tuple[str, object]  # ("layout", Layout) | ("refused", None) | ("stepped aside", None)


def test_this_cryptography_has_the_declarative_decoder() -> None:
    assert DER is not None  # cryptography 47 or later: the fast path below is the one tested


def _by_der(read: Callable[[object], object]) -> Outcome:
    """What the DER decoder makes of it: a result, a refusal, or stepping aside."""
    try:
        return "layout", read(DER)
    except CertificateFormatError:
        return "refused", None
    except Exception:
        return "stepped aside", None


def _by_pyasn1(read: Callable[[object], object]) -> Outcome:
    try:
        with translate_errors("the PFX (PKCS#12) structure"):
            return "layout", read(BER_DECODER)
    except CertificateFormatError:
        return "refused", None


def _read_layout(der: bytes) -> Outcome:
    try:
        return "layout", read_layout(der)
    except CertificateFormatError:
        return "refused", None


def _assert_same_verdict(der: bytes) -> tuple[Outcome, Outcome]:
    """The DER decoder agrees with pyasn1 or steps aside; read_layout gives pyasn1's
    verdict. Both outcomes, the DER decoder's first."""
    fast = _by_der(lambda d: read_layout_with(d, der))
    slow = _by_pyasn1(lambda d: read_layout_with(d, der))
    if fast[0] != "stepped aside":
        assert fast == slow
    assert _read_layout(der) == slow
    return fast, slow


def _layout_by_der(der: bytes) -> Layout:
    """The DER decoder's layout: it must not step aside."""
    assert DER is not None
    return read_layout_with(DER, der)


# --- real files ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_files_read_the_same_with_both_decoders(path: Path) -> None:
    """Every PKCS#12 file of cryptography-vectors, and Java keytool's (whose bag
    attributes are not in DER order): the DER decoder reads each, as pyasn1 does."""
    data = path.read_bytes()
    assert _layout_by_der(data) == read_layout_with(BER_DECODER, data)


def _openssl(*args: str, stdin: bytes) -> bytes:
    path = shutil.which("openssl")
    assert path, "the openssl CLI writes the files here"
    return run(path, *args, stdin=stdin)


def _export(*options: str) -> bytes:
    """``openssl pkcs12 -export`` of the chain (key and certificates on stdin)."""
    pem = CHAIN.leaf.key_pem() + b"".join(c.public_bytes(Encoding.PEM) for c in CHAIN.certs)
    return _openssl("pkcs12", "-export", "-passout", f"pass:{PASSWORD}", *options, stdin=pem)


OPENSSL_OPTIONS = {
    "default": (),
    "legacy": ("-legacy",),
    "aes-256": ("-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC"),
    "aes128-sha512": ("-keypbe", "AES-128-CBC", "-certpbe", "AES-128-CBC", "-macalg", "sha512"),
    "3des-sha1": ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"),
    "legacy-rc4": ("-legacy", "-keypbe", "PBE-SHA1-RC4-128", "-certpbe", "PBE-SHA1-RC2-128"),
    "camellia": ("-keypbe", "CAMELLIA-256-CBC", "-certpbe", "CAMELLIA-256-CBC"),
    "plain-certs": ("-certpbe", "NONE"),
    "plain-everything": ("-keypbe", "NONE", "-certpbe", "NONE"),
    "nomac": ("-nomac",),
    "iter-1": ("-iter", "1"),
    "iter-limit": ("-iter", str(MAX_ITERATIONS)),
    "iter-over": ("-iter", str(MAX_ITERATIONS + 1)),
    "noiter": ("-noiter",),
    "maciter": ("-maciter",),
    "nomaciter": ("-nomaciter",),
    "name": ("-name", "Contoso listener ☺"),
    "empty-name": ("-name", ""),
    "csp-lmk": ("-CSP", "Microsoft Enhanced RSA and AES Cryptographic Provider", "-LMK"),
    "nokeys": ("-nokeys",),
    "caname": ("-caname", "intermediate", "-caname", "root", "-name", "leaf"),
}


@pytest.mark.parametrize("name", sorted(OPENSSL_OPTIONS))
def test_openssl_exports_read_the_same_with_both_decoders(name: str) -> None:
    data = _export(*OPENSSL_OPTIONS[name])
    assert _assert_same_verdict(data)[0][0] != "stepped aside"  # DER: the fast path reads it
    if name == "iter-over":
        with pytest.raises(CertificateFormatError, match="300,001 iterations"):
            _layout_by_der(data)
    else:
        layout = _layout_by_der(data)
        assert layout == read_layout_with(BER_DECODER, data)
        if name != "nomac":
            assert load_pfx(data, PASSWORD).encryption == layout.encryption


def test_key_only_export() -> None:
    data = _export("-nocerts", "-name", "key")
    assert _layout_by_der(data) == read_layout_with(BER_DECODER, data)
    assert _layout_by_der(data).key_friendly_name == "key"


def test_ber_files_are_read_by_pyasn1() -> None:
    """Indefinite lengths (Windows, older Java): the DER decoder steps aside, pyasn1 reads."""
    from pyasn1.codec.ber import decoder
    from pyasn1.codec.cer import encoder
    from pyasn1_modules import rfc7292

    data = _export("-legacy", "-name", "ber")
    ber = bytes(encoder.encode(decoder.decode(data, asn1Spec=rfc7292.PFX())[0]))
    assert ber[:2] == b"\x30\x80"
    assert _assert_same_verdict(ber)[0][0] == "stepped aside"
    assert read_layout(ber) == read_layout_with(BER_DECODER, data) == _layout_by_der(data)


@pytest.mark.parametrize(
    ("where", "iterations"),
    [
        (where, iterations)
        for where in ("mac", "key", "cert")
        for iterations in (0, -1, MAX_ITERATIONS, MAX_ITERATIONS + 1, 2**31 - 1)
        if iterations > 0 or where != "key"  # pyasn1-modules will not encode PBKDF2's 0
    ],
)
def test_changed_iteration_counts_are_judged_alike(where: str, iterations: int) -> None:
    data = _seed("aes" if where == "key" else "legacy")
    changed = (
        with_mac_iterations(data, iterations)
        if where == "mac"
        else with_bag_iterations(data, iterations, which=where)
    )
    fast, _ = _assert_same_verdict(changed)
    if 0 < iterations <= MAX_ITERATIONS:
        assert fast == ("layout", read_layout(changed))
    else:
        assert fast == ("refused", None)


def _nested(depth: int) -> bytes:
    """A PFX whose key bag sits ``depth`` safeContentsBags deep."""
    key_bag = bytes.fromhex("060b2a864886f70d010c0a0101")  # keyBag, holding a NULL
    bag = _tlv(0x30, key_bag + _tlv(0xA0, b"\x05\x00"))
    safe_contents_bag = bytes.fromhex("060b2a864886f70d010c0a0106")
    for _ in range(depth):
        bag = _tlv(0x30, safe_contents_bag + _tlv(0xA0, _tlv(0x30, bag)))
    data_oid = bytes.fromhex("06092a864886f70d010701")
    content_info = _tlv(0x30, data_oid + _tlv(0xA0, _tlv(0x04, _tlv(0x30, bag))))
    auth_safe = _tlv(0x30, data_oid + _tlv(0xA0, _tlv(0x04, _tlv(0x30, content_info))))
    return _tlv(0x30, b"\x02\x01\x03" + auth_safe)


def _tlv(tag: int, content: bytes) -> bytes:
    return der_bytes([[tag, content]])


def test_nesting_is_bounded_alike() -> None:
    allowed = _nested(MAX_BAG_NESTING)
    assert _assert_same_verdict(allowed)[0] == ("layout", read_layout(allowed))
    assert read_layout(allowed).key_bags == 1
    assert _assert_same_verdict(_nested(MAX_BAG_NESTING + 1))[0] == ("refused", None)


# --- damaged files and changed numbers -------------------------------------------------------


SEEDS = ("aes", "java", "legacy", "vector")


@functools.cache
def _seed(name: str) -> bytes:
    """A PFX to damage: openssl's default and legacy exports (with a friendly name),
    Java keytool's (attributes out of DER order), a vector without a password."""
    if name == "java":
        return (KEYTOOL / "keytool-jdk17-legacy.p12").read_bytes()
    if name == "vector":
        return (VECTORS / "name-all-no-pwd.p12").read_bytes()
    return _export("-name", "seed", *(("-legacy",) if name == "legacy" else ()))


@functools.cache
def _structure(seed: str) -> list[int]:
    return structure_offsets(_seed(seed))


@settings(max_examples=300)
@given(st.sampled_from(SEEDS), st.data())
def test_damaged_files_get_the_same_verdict(seed: str, data: st.DataObject) -> None:
    """Flipped, cut or inserted bytes, mostly where the structure is encoded (tags,
    lengths, numbers, OIDs, names): the same layout from both, both refusing, or the
    DER decoder stepping aside for pyasn1."""
    der = bytearray(_seed(seed))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.sampled_from(_structure(seed)) | st.integers(0, len(der) - 1))
        edit = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if at >= len(der):
            continue  # an earlier cut shortened the file
        if edit == "flip":
            der[at] ^= data.draw(st.integers(1, 255))
        elif edit == "cut":
            del der[at : at + data.draw(st.integers(1, 64))]
        else:
            der[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    _assert_same_verdict(bytes(der))


_NUMBERS = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([MAX_ITERATIONS, MAX_ITERATIONS + 1, 2**24, 2**24 + 1, 2**31, 2**64]),
    st.integers(-(2**70), 2**70),
)


@settings(max_examples=300)
@given(st.sampled_from(SEEDS), st.data())
def test_changed_numbers_get_the_same_verdict(seed: str, data: st.DataObject) -> None:
    """Any INTEGER (versions, iteration counts, key lengths, inside the nested DER too)
    set to any value, lengths kept right: both decoders judge alike, including the values
    pyasn1-modules constrains to 1..MAX."""
    tree = der_tree(_seed(seed))
    numbers = integer_nodes(tree)
    for _ in range(data.draw(st.integers(1, 2))):
        set_integer(data.draw(st.sampled_from(numbers)), data.draw(_NUMBERS))
    fast, slow = _assert_same_verdict(der_bytes(tree))
    if fast[0] == "stepped aside":  # DER still: only what pyasn1 refuses is left to it
        assert slow == ("refused", None)


# --- encrypted PKCS#8 keys ---------------------------------------------------------------------


def _pkcs8(*options: str) -> bytes:
    """The chain's leaf key as an ENCRYPTED PRIVATE KEY in DER, as openssl writes it."""
    return _openssl(
        "pkcs8", "-topk8", "-outform", "DER", "-passout", "pass:pw", *options,
        stdin=CHAIN.leaf.key_pem(),
    )  # fmt: skip


PKCS8_OPTIONS = {
    "aes": ("-v2", "aes-256-cbc"),
    "3des": ("-v1", "PBE-SHA1-3DES"),
    "scrypt": ("-scrypt",),
    "iter-over": ("-v2", "aes-128-cbc", "-iter", str(MAX_ITERATIONS + 1)),
}


@pytest.mark.parametrize("name", sorted(PKCS8_OPTIONS))
def test_encrypted_keys_read_the_same_with_both_decoders(name: str) -> None:
    der = _pkcs8(*PKCS8_OPTIONS[name])
    fast = _by_der(lambda d: encrypted_key_iterations_with(d, der))
    assert fast == _by_pyasn1(lambda d: encrypted_key_iterations_with(d, der))
    if name == "iter-over":
        with pytest.raises(CertificateFormatError):
            check_encrypted_key_info(der)
    else:
        check_encrypted_key_info(der)


def test_costly_scrypt_is_refused_by_both_decoders() -> None:
    """openssl will not write N=2**20, r=32 (its memory limit): set them in its file."""
    tree = der_tree(_encrypted_key("-scrypt"))
    numbers = {int.from_bytes(node[1], "big"): node for node in integer_nodes(tree)}  # type: ignore[arg-type]
    set_integer(numbers[16384], 2**20)  # openssl's default N, r=8, p=1
    set_integer(numbers[8], 32)
    der = der_bytes(tree)
    fast = _by_der(lambda d: encrypted_key_iterations_with(d, der))
    assert fast == _by_pyasn1(lambda d: encrypted_key_iterations_with(d, der)) == ("refused", None)
    with pytest.raises(CertificateFormatError, match="scrypt"):
        check_encrypted_key_info(der)


@settings(max_examples=200)
@given(st.data())
def test_encrypted_keys_with_changed_numbers_get_the_same_verdict(data: st.DataObject) -> None:
    tree = der_tree(_encrypted_key(data.draw(st.sampled_from(["-scrypt", "-v2"]))))
    set_integer(data.draw(st.sampled_from(integer_nodes(tree))), data.draw(_NUMBERS))
    der = der_bytes(tree)
    fast = _by_der(lambda d: encrypted_key_iterations_with(d, der))
    slow = _by_pyasn1(lambda d: encrypted_key_iterations_with(d, der))
    if fast[0] == "stepped aside":
        assert slow == ("refused", None)
    else:
        assert fast == slow


@functools.cache
def _encrypted_key(scheme: str) -> bytes:
    return _pkcs8(scheme, *(("aes-256-cbc",) if scheme == "-v2" else ()))


# --- what is (not) imported ----------------------------------------------------------------


def test_could_be_pfx() -> None:
    assert could_be_pfx(_seed("legacy"))
    assert not could_be_pfx(CHAIN.leaf.cert_pem())
    assert not could_be_pfx(CHAIN.leaf.cert_der())  # SEQUENCE { SEQUENCE ...
    assert not could_be_pfx(b"")
    assert not could_be_pfx(b"0")


def test_a_pem_file_imports_no_decoder(tmp_path: Path) -> None:
    """The CLI asks every input whether it is a PFX: for PEM (and a DER certificate)
    neither pyasn1 nor cryptography's declarative decoder is even loaded."""
    pem = write(tmp_path / "cert.pem", CHAIN.leaf.cert_pem())
    der = write(tmp_path / "cert.der", CHAIN.leaf.cert_der())
    pfx = write(tmp_path / "site.pfx", _seed("legacy"))
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from appgw_certs._cli.shared import is_pfx
        from appgw_certs._formats import pfx_der
        before = "cryptography.hazmat.asn1" in sys.modules
        assert not is_pfx(Path({str(pem)!r}))
        assert not is_pfx(Path({str(der)!r}))
        heavy = [m for m in sys.modules if m.startswith(("pyasn1", "cryptography.hazmat.asn1"))]
        print(before, heavy, pfx_der._declared.cache_info().currsize)
        assert is_pfx(Path({str(pfx)!r}))
        print(sorted(m for m in sys.modules if m.startswith("pyasn1")))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first == "False [] 0"  # nothing loaded, nothing declared
    assert second == "[]"  # a DER PFX: read without pyasn1 too


def test_without_the_declarative_decoder_files_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As on a cryptography before 47 (or one whose decoder changed): pyasn1 reads."""
    expected = {name: read_layout(_seed(name)) for name in SEEDS}
    monkeypatch.setattr(pfx_layout, "der_decoder", lambda: None)
    assert {name: read_layout(_seed(name)) for name in SEEDS} == expected
    assert load_pfx(_seed("legacy"), PASSWORD).encryption == expected["legacy"].encryption
