"""load_certificates, load_bundle, load_private_key and the PEM/format helpers."""

from __future__ import annotations

import base64
import contextlib
import time
import warnings
from pathlib import Path

import certifi
import cryptography_vectors
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import (
    MAX_INPUT_BYTES,
    AppGwCertError,
    CertificateFormatError,
    InputTooLargeError,
    PfxPasswordError,
    build_test_chain,
    load_certificates,
    load_pfx,
)
from appgw_certs._errors import tolerating_deprecated_encodings
from appgw_certs._formats.bundle import load_bundle, parse_certificates
from appgw_certs._formats.keys import key_description, key_matches
from appgw_certs._formats.pem import pem_blocks
from appgw_certs._formats.private_keys import load_private_key
from appgw_certs._formats.sharing import sharing_parsed_certificates
from appgw_certs._formats.sniff import sniff_format
from appgw_certs._x509.names import dns_names
from helpers.read import (
    Chain,
    encrypted_key_with_iterations,
    fingerprint,
    fingerprints,
    make_chain,
    openssl_fingerprints,
    run,
    write,
)

X509_VECTORS = Path(cryptography_vectors.__file__).parent / "x509"
# 3DES key bag, RC2-40 certificate bag, SHA-1 MAC; password "cryptography" (OpenSSL-written)
LEGACY_PFX = (X509_VECTORS.parent / "pkcs12" / "cert-rc2-key-3des.p12").read_bytes()


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain("read")


@pytest.fixture(scope="module")
def chain_pem(chain: Chain) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain.certs)


# --- PEM --------------------------------------------------------------------------


def test_pem_many_in_file_order(chain: Chain, chain_pem: bytes) -> None:
    assert fingerprints(load_certificates(chain_pem)) == fingerprints(chain.certs)


def test_pem_with_openssl_bag_attributes_and_subject_lines(
    openssl: str, chain: Chain, tmp_path: Path
) -> None:
    """``openssl pkcs12 -nokeys`` writes "Bag Attributes" and "subject=" lines around blocks."""
    write(tmp_path / "leaf.pem", chain.leaf.cert_pem())
    write(tmp_path / "key.pem", chain.leaf.key_pem())
    write(tmp_path / "cas.pem", chain.intermediate.cert_pem() + chain.root.cert_pem())
    run(
        openssl, "pkcs12", "-export", "-in", tmp_path / "leaf.pem", "-inkey", tmp_path / "key.pem",
        "-certfile", tmp_path / "cas.pem", "-passout", "pass:x", "-out", tmp_path / "a.pfx",
    )  # fmt: skip
    text = run(openssl, "pkcs12", "-in", tmp_path / "a.pfx", "-nokeys", "-passin", "pass:x")
    assert b"Bag Attributes" in text
    assert b"subject=" in text

    certs = load_certificates(text)
    assert fingerprints(certs) == openssl_fingerprints(openssl, text)
    assert set(fingerprints(certs)) == set(fingerprints(chain.certs))
    bundle = load_bundle(text)
    assert bundle.pem_extra_text
    assert bundle.pem_labels == ("CERTIFICATE",) * 3
    assert bundle.format == "pem"


def test_pem_crlf_trailing_whitespace_and_comments(chain: Chain, chain_pem: bytes) -> None:
    messy = b"# my chain\r\n" + chain_pem.replace(b"\n", b"   \r\n") + b"\r\n\r\n  \t\n"
    assert fingerprints(load_certificates(messy)) == fingerprints(chain.certs)
    assert load_bundle(messy).pem_extra_text  # the comment
    clean = chain_pem.replace(b"\n", b"\r\n") + b"\n\n   \n"
    assert not load_bundle(clean).pem_extra_text


def test_windows_text_encodings(chain: Chain, chain_pem: bytes) -> None:
    """Notepad's UTF-8 BOM; Windows PowerShell's ``Out-File`` (UTF-16 LE with BOM)."""
    bom = b"\xef\xbb\xbf" + chain_pem
    assert fingerprints(load_certificates(bom)) == fingerprints(chain.certs)
    assert load_bundle(bom).pem_extra_text  # the BOM is not whitespace
    for codec in ("utf-16", "utf-16-be"):
        data = chain_pem.decode().replace("\n", "\r\n").encode(codec)
        if codec == "utf-16-be":
            data = b"\xfe\xff" + data
        assert fingerprints(load_certificates(data)) == fingerprints(chain.certs)
        bundle = load_bundle(data)
        assert bundle.utf16
        assert bundle.pem_labels == ("CERTIFICATE",) * 3


def test_str_pem_and_path(chain: Chain, chain_pem: bytes, tmp_path: Path) -> None:
    assert fingerprints(load_certificates(chain_pem.decode())) == fingerprints(chain.certs)
    path = write(tmp_path / "chain.pem", chain_pem)
    assert fingerprints(load_certificates(path)) == fingerprints(chain.certs)


def test_str_without_pem_says_to_pass_a_path(tmp_path: Path, chain_pem: bytes) -> None:
    path = write(tmp_path / "chain.pem", chain_pem)
    with pytest.raises(CertificateFormatError, match=r"pathlib\.Path"):
        load_certificates(str(path))


def test_certificates_pass_through(chain: Chain) -> None:
    assert load_certificates(chain.leaf.cert) == [chain.leaf.cert]
    assert load_certificates(tuple(chain.certs)) == chain.certs
    assert load_certificates(iter(chain.certs)) == chain.certs


def test_trusted_certificate_block(openssl: str, chain: Chain, tmp_path: Path) -> None:
    path = write(tmp_path / "root.pem", chain.root.cert_pem())
    text = run(openssl, "x509", "-in", path, "-trustout", "-addtrust", "serverAuth")
    assert b"BEGIN TRUSTED CERTIFICATE" in text
    assert fingerprints(load_certificates(text)) == [fingerprint(chain.root.cert)]


# --- DER, PKCS#7, PKCS#12, base64 ------------------------------------------------------


def test_der(chain: Chain) -> None:
    assert fingerprints(load_certificates(chain.leaf.cert_der())) == [fingerprint(chain.leaf.cert)]
    assert load_bundle(chain.leaf.cert_der()).format == "der"


@pytest.mark.parametrize("outform", ["PEM", "DER"])
def test_pkcs7_from_openssl_crl2pkcs7(
    outform: str, openssl: str, chain: Chain, tmp_path: Path
) -> None:
    # five certificates in an order that is not DER SET OF order: cryptography warns
    # about that (BER fallback); pytest turns warnings into errors, so none may escape.
    extra = [make_chain(f"p7-{i}").leaf.cert for i in range(2)]
    certs = [chain.root.cert, extra[0], chain.leaf.cert, extra[1], chain.intermediate.cert]
    path = write(
        tmp_path / "in.pem", b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    )
    data = run(openssl, "crl2pkcs7", "-nocrl", "-certfile", path, "-outform", outform)

    loaded = load_certificates(data)

    assert sorted(fingerprints(loaded)) == sorted(fingerprints(certs))
    bundle = load_bundle(data)
    assert bundle.format == ("pem" if outform == "PEM" else "pkcs7")
    if outform == "PEM":
        assert bundle.pem_labels == ("PKCS7",)


def test_pkcs7_vectors() -> None:
    data = (X509_VECTORS.parent / "pkcs7" / "amazon-roots.p7b").read_bytes()
    der = (X509_VECTORS.parent / "pkcs7" / "amazon-roots.der").read_bytes()
    assert fingerprints(load_certificates(data)) == fingerprints(load_certificates(der))
    assert len(load_certificates(der)) == 2


def test_pkcs12_without_password(chain: Chain) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None, chain.leaf.key, chain.leaf.cert, [chain.intermediate.cert],
        serialization.NoEncryption(),
    )  # fmt: skip
    assert fingerprints(load_certificates(data)) == fingerprints(chain.certs[:2])
    bundle = load_bundle(data)
    assert bundle.format == "pkcs12"
    assert bundle.private_key is not None
    assert key_matches(bundle.private_key, chain.leaf.cert)


def test_pkcs12_with_password_needs_it(chain: Chain) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None, chain.leaf.key, chain.leaf.cert, None,
        serialization.BestAvailableEncryption(b"secret"),
    )  # fmt: skip
    with pytest.raises(PfxPasswordError):
        load_certificates(data)
    assert load_bundle(data, "secret").certificates == [chain.leaf.cert]


def test_base64_text_of_der_and_pkcs7(
    openssl: str, chain: Chain, chain_pem: bytes, tmp_path: Path
) -> None:
    """What the portal and ARM show: base64 of DER (``data``) or of PKCS#7 (``publicCertData``)."""
    as_text = base64.b64encode(chain.leaf.cert_der())
    assert fingerprints(load_certificates(as_text)) == [fingerprint(chain.leaf.cert)]
    assert fingerprints(load_certificates(as_text.decode())) == [fingerprint(chain.leaf.cert)]
    bundle = load_bundle(as_text)
    assert bundle.base64_wrapped
    assert bundle.format == "der"

    p7 = run(
        openssl,
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        write(tmp_path / "c.pem", chain_pem),
        "-outform",
        "DER",
    )
    wrapped = base64.encodebytes(p7)  # with line breaks, as some tools write it
    assert sorted(fingerprints(load_certificates(wrapped))) == sorted(fingerprints(chain.certs))


# --- what is not a certificate ----------------------------------------------------------


def test_private_key_where_certificate_expected(chain: Chain) -> None:
    with pytest.raises(CertificateFormatError, match="private key"):
        load_certificates(chain.leaf.key_pem())
    der = chain.leaf.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(CertificateFormatError, match="private key"):
        load_certificates(der)


def test_csr_where_certificate_expected(openssl: str, chain: Chain, tmp_path: Path) -> None:
    key = write(tmp_path / "k.pem", chain.leaf.key_pem())
    csr_pem = run(openssl, "req", "-new", "-key", key, "-subj", "/CN=csr.example.com")
    with pytest.raises(CertificateFormatError, match="CSR"):
        load_certificates(csr_pem)
    csr_der = run(openssl, "req", "-in", write(tmp_path / "r.pem", csr_pem), "-outform", "DER")
    with pytest.raises(CertificateFormatError, match="CSR"):
        load_certificates(csr_der)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t", b"\x00" * 64, b"hello, world", b"\x30\x82\x01\x00" + b"\x01" * 20],
    ids=["empty", "blank", "zeros", "text", "bad-der"],
)
def test_garbage(data: bytes) -> None:
    with pytest.raises(CertificateFormatError):
        load_certificates(data)


def test_truncated_pem(chain_pem: bytes) -> None:
    with pytest.raises(CertificateFormatError, match="truncated"):
        load_certificates(chain_pem[: len(chain_pem) // 2])


def test_broken_base64_inside_pem(chain: Chain) -> None:
    pem = chain.leaf.cert_pem()
    lines = pem.splitlines(keepends=True)
    lines[2] = b"!!" + lines[2][2:]
    with pytest.raises(CertificateFormatError, match="base64"):
        load_certificates(b"".join(lines))


def test_der_with_invalid_version() -> None:
    """cryptography raises InvalidVersion (not a ValueError) for it: still ours."""
    pem = (X509_VECTORS / "custom" / "invalid_version.pem").read_bytes()
    der = pem_blocks(pem)[0].der()
    for data in (pem, der, base64.b64encode(der)):
        with pytest.raises(CertificateFormatError, match="version"):
            load_certificates(data)
        with pytest.raises(CertificateFormatError, match="version"):
            load_bundle(data)


def test_truncated_der(chain: Chain) -> None:
    with pytest.raises(CertificateFormatError):
        load_certificates(chain.leaf.cert_der()[:-10])


def test_too_large_refused_before_parsing(chain_pem: bytes, tmp_path: Path) -> None:
    big = chain_pem * (2 * MAX_INPUT_BYTES // len(chain_pem))  # 2 MiB of valid PEM
    with pytest.raises(InputTooLargeError):
        load_certificates(big)
    with pytest.raises(InputTooLargeError):
        load_certificates(big.decode())
    with pytest.raises(InputTooLargeError):
        load_certificates(write(tmp_path / "big.pem", big))
    with pytest.raises(InputTooLargeError):
        load_pfx(write(tmp_path / "big.pfx", big))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(CertificateFormatError, match="no such file"):
        load_certificates(tmp_path / "nope.cer")
    with pytest.raises(CertificateFormatError, match="directory"):
        load_certificates(tmp_path)


def test_pem_splitting_is_linear_on_hostile_input() -> None:
    hostile = b"-----BEGIN CERTIFICATE-----\n" * (MAX_INPUT_BYTES // 30)
    start = time.perf_counter()
    with pytest.raises(CertificateFormatError):
        pem_blocks(hostile)
    with pytest.raises(CertificateFormatError):
        load_certificates(b"-----BEGIN A-----\n" + b"A" * (MAX_INPUT_BYTES - 100))
    assert time.perf_counter() - start < 2


# --- bundles and keys ---------------------------------------------------------------


def test_bundle_with_key_and_certificates(chain: Chain, chain_pem: bytes) -> None:
    data = chain.leaf.key_pem() + chain_pem
    bundle = load_bundle(data)
    assert bundle.pem_labels == ("PRIVATE KEY", "CERTIFICATE", "CERTIFICATE", "CERTIFICATE")
    assert bundle.private_key is not None
    assert key_matches(bundle.private_key, chain.leaf.cert)
    assert bundle.has_private_key
    assert "ECPrivateKey" not in repr(bundle)
    assert str(chain.leaf.key.private_numbers().private_value) not in repr(bundle)
    # load_certificates ignores the key
    assert fingerprints(load_certificates(data)) == fingerprints(chain.certs)


def test_bundle_with_encrypted_key(chain: Chain, chain_pem: bytes) -> None:
    data = chain_pem + chain.leaf.key_pem(b"k3y-pass")
    without = load_bundle(data)
    assert without.private_key is None
    assert without.has_private_key
    assert load_bundle(data, "k3y-pass").private_key is not None
    with pytest.raises(PfxPasswordError) as info:
        load_bundle(data, "wrong-pass")
    assert "wrong-pass" not in str(info.value)


def test_load_private_key_formats(openssl: str, chain: Chain, tmp_path: Path) -> None:
    key = chain.leaf.key
    pem = chain.leaf.key_pem()
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    traditional = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path = write(tmp_path / "k.pem", pem)
    encrypted = run(
        openssl, "pkcs8", "-topk8", "-in", path, "-v2", "aes-256-cbc", "-passout", "pass:pässword"
    )
    legacy_encrypted = run(openssl, "ec", "-in", path, "-aes256", "-passout", "pass:pässword")
    assert b"Proc-Type" in legacy_encrypted
    sources: list[object] = [key, pem, pem.decode(), der, traditional, path]
    for source in sources:
        assert key_matches(load_private_key(source), chain.leaf.cert)  # type: ignore[arg-type]
    for secret in (encrypted, legacy_encrypted):
        assert key_matches(load_private_key(secret, "pässword"), chain.leaf.cert)
        with pytest.raises(PfxPasswordError):
            load_private_key(secret)
        with pytest.raises(PfxPasswordError) as info:
            load_private_key(secret, "Wr0ngPass")
        assert "Wr0ngPass" not in str(info.value)
    # a password given for a plain key is ignored
    assert key_matches(load_private_key(pem, "unneeded"), chain.leaf.cert)
    with pytest.raises(CertificateFormatError, match="no private key"):
        load_private_key(chain.leaf.cert_pem())


def test_encrypted_key_with_absurd_iterations(openssl: str, chain: Chain, tmp_path: Path) -> None:
    der = run(
        openssl, "pkcs8", "-topk8", "-in", write(tmp_path / "k.pem", chain.leaf.key_pem()),
        "-v2", "aes-256-cbc", "-passout", "pass:pw", "-outform", "DER",
    )  # fmt: skip
    hostile = encrypted_key_with_iterations(der, 2**31 - 1)
    start = time.perf_counter()
    with pytest.raises(CertificateFormatError, match="iterations"):
        load_private_key(hostile, "pw")
    pem = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + base64.encodebytes(hostile)
    with pytest.raises(CertificateFormatError, match="iterations"):
        load_private_key(pem + b"-----END ENCRYPTED PRIVATE KEY-----\n", "pw")
    assert time.perf_counter() - start < 2


def test_encrypted_key_with_hostile_scrypt_cost(openssl: str, chain: Chain, tmp_path: Path) -> None:
    key = write(tmp_path / "k.pem", chain.leaf.key_pem())
    der = run(
        openssl, "pkcs8", "-topk8", "-in", key, "-scrypt", "-passout", "pass:pw", "-outform", "DER"
    )
    assert key_matches(load_private_key(der, "pw"), chain.leaf.cert)  # openssl's defaults load
    start = time.perf_counter()
    with pytest.raises(CertificateFormatError, match="scrypt"):
        load_private_key(encrypted_key_with_iterations(der, 2**30), "pw")
    assert time.perf_counter() - start < 2


def test_openssh_keys() -> None:
    """Plain OpenSSH keys load; encrypted ones are refused (bcrypt rounds are the file's)."""
    folder = X509_VECTORS.parent / "asymmetric" / "OpenSSH"
    plain = load_private_key(folder / "ecdsa-nopsw.key")
    assert key_description(plain) == "EC P-256"
    encrypted = (folder / "ed25519-psw.key").read_bytes()
    with pytest.raises(PfxPasswordError, match="PKCS#8"):
        load_private_key(encrypted)
    with pytest.raises(CertificateFormatError, match="PKCS#8"):
        load_private_key(encrypted, "password")
    bundle = load_bundle(encrypted)
    assert bundle.has_private_key
    assert bundle.private_key is None


def test_sniff_format(chain: Chain, chain_pem: bytes) -> None:
    pfx = pkcs12.serialize_key_and_certificates(
        None, chain.leaf.key, chain.leaf.cert, None, serialization.NoEncryption()
    )
    assert sniff_format(chain_pem) == "pem"
    assert sniff_format(chain.leaf.cert_der()) == "der"
    assert sniff_format(pfx) == "pkcs12"
    assert sniff_format(base64.b64encode(pfx)) == "base64"
    assert sniff_format(b" \n") == "empty"
    assert sniff_format(b"\xff\xfe") == "unknown"


def test_pem_blocks_framing(chain: Chain, chain_pem: bytes) -> None:
    blocks = pem_blocks(b"intro\n" + chain_pem + chain.leaf.key_pem(b"pw"))
    assert [b.label for b in blocks] == ["CERTIFICATE"] * 3 + ["ENCRYPTED PRIVATE KEY"]
    assert blocks[0].der() == chain.leaf.cert_der()
    assert not blocks[0].encrypted_header
    with pytest.raises(CertificateFormatError, match="no matching BEGIN"):
        pem_blocks(b"-----END CERTIFICATE-----\n")
    with pytest.raises(CertificateFormatError, match="no END line"):
        pem_blocks(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n")
    mismatched = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----\n"
    with pytest.raises(CertificateFormatError):
        pem_blocks(mismatched)


def test_key_description(chain: Chain) -> None:
    assert key_description(chain.leaf.cert.public_key()) == "EC P-256"
    assert key_description(object()) == "unknown"


# --- real-world certificates -------------------------------------------------------


def _vector_files() -> list[Path]:
    return sorted(p for p in X509_VECTORS.rglob("*") if p.is_file())


def _cryptography_reads(data: bytes) -> list[x509.Certificate] | None:
    """The oracle: cryptography's own loaders (PEM many, else DER)."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except Exception:
        return None


def _certifi_roots() -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """certifi's roots and those cryptography warns about (serial 0), read by the oracle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        roots = x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
        return roots, [root for root in roots if root.serial_number <= 0]


def test_certificates_with_serial_zero_load_under_warnings_as_errors() -> None:
    # pytest runs with -W error here: cryptography's deprecation warning must not
    # turn these real roots into unreadable files.
    roots, bad_serials = _certifi_roots()
    assert bad_serials, "certifi no longer ships a root with serial 0: pick another vector"
    assert fingerprints(load_certificates(Path(certifi.where()))) == fingerprints(roots)
    for root in bad_serials:
        der = root.public_bytes(serialization.Encoding.DER)
        pem = root.public_bytes(serialization.Encoding.PEM)
        assert fingerprints(load_certificates(der)) == fingerprints([root])
        assert fingerprints(load_certificates(pem)) == fingerprints([root])


def test_nested_tolerating_scopes_keep_the_outer_filter_and_restore_on_exit() -> None:
    # An audit enters one scope around its work; the loaders' scopes inside it
    # must neither drop its filter on their exit nor outlive it.
    _, bad_serials = _certifi_roots()
    der = bad_serials[0].public_bytes(serialization.Encoding.DER)
    before = list(warnings.filters)
    with tolerating_deprecated_encodings():
        outer = list(warnings.filters)
        with tolerating_deprecated_encodings():
            assert warnings.filters == outer  # nested: the filters are not copied again
        assert warnings.filters == outer
        assert bad_serials[0].serial_number <= 0  # silenced: pytest runs with -W error
        assert fingerprints(load_certificates(der)) == fingerprints(bad_serials[:1])
    assert warnings.filters == before
    with pytest.raises(CryptographyDeprecationWarning):
        x509.load_der_x509_certificate(der)


@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
def test_cryptography_x509_vectors() -> None:
    checked = 0
    for path in _vector_files():
        data = path.read_bytes()
        if len(data) > MAX_INPUT_BYTES or path.suffix not in {".pem", ".der", ".crt", ".cer"}:
            continue
        expected = _cryptography_reads(data)
        if expected is None:
            with pytest.raises(CertificateFormatError):
                load_certificates(data)
            continue
        got = load_certificates(data)
        assert fingerprints(got) == fingerprints(expected), path.name
        checked += 1
    assert checked > 500


# --- fuzzing: only library errors escape -----------------------------------------------


@settings(max_examples=100)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_library_errors(data: bytes) -> None:
    for loader in (load_certificates, load_bundle, load_private_key, load_pfx, parse_certificates):
        with contextlib.suppress(AppGwCertError):  # anything else fails the test
            loader(data)


@settings(max_examples=100)
@given(st.data())
def test_mutated_files_raise_only_library_errors(chain: Chain, data: st.DataObject) -> None:
    originals = [
        LEGACY_PFX,
        chain.leaf.cert_pem(),
        chain.leaf.cert_der(),
        pkcs12.serialize_key_and_certificates(
            None, chain.leaf.key, chain.leaf.cert, [chain.root.cert], serialization.NoEncryption()
        ),
        base64.b64encode(chain.leaf.cert_der()),
    ]
    original = bytearray(data.draw(st.sampled_from(originals)))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(original) - 1))
        original[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(original)))
    mutated = bytes(original[:cut]) if data.draw(st.booleans()) else bytes(original)
    for loader in (load_certificates, load_bundle, load_private_key, load_pfx):
        with contextlib.suppress(AppGwCertError):  # anything else fails the test
            loader(mutated)
    for with_password in (load_bundle, load_private_key, load_pfx):
        with contextlib.suppress(AppGwCertError):
            with_password(mutated, "cryptography")


def test_sharing_parsed_certificates_gives_one_object_per_certificate(chain: Chain) -> None:
    der = chain.certs[0].public_bytes(serialization.Encoding.DER)
    p7 = pkcs7.serialize_certificates(list(chain.certs), serialization.Encoding.DER)
    assert parse_certificates(der)[0] is not parse_certificates(der)[0]  # outside: fresh parses
    with sharing_parsed_certificates():
        first = parse_certificates(der)[0]
        assert parse_certificates(der)[0] is first
        assert load_bundle(der).certificates[0] is first
        # PKCS#7 members join the same pool (a SET OF: any position)
        assert any(cert is first for cert in parse_certificates(p7))
        assert sorted(fingerprints(parse_certificates(p7))) == sorted(fingerprints(chain.certs))
    assert parse_certificates(der)[0] is not first
    with sharing_parsed_certificates():  # the other way round: PKCS#7 first, then DER
        members = parse_certificates(p7)
        assert any(cert is parse_certificates(der)[0] for cert in members)
        assert all(a is b for a, b in zip(members, parse_certificates(p7), strict=True))


def test_sharing_never_merges_different_certificates_with_one_signature() -> None:
    # The pool finds a certificate again by its signature bytes; a hostile file can
    # copy one signature onto many bodies. Each body must stay itself, and the
    # work must stay linear (only the first few copies are pooled).
    leaf = build_test_chain(["www.contoso.com"]).issue_server(["www.contoso.com"]).certificate
    original = leaf.public_bytes(serialization.Encoding.DER)
    variants = [original.replace(b"contoso", f"c{i:06d}".encode()) for i in range(40)]
    with sharing_parsed_certificates():
        parsed = [parse_certificates(v)[0] for v in variants]
        assert len({c.signature for c in parsed}) == 1  # one signature on 40 bodies
        for i, cert in enumerate(parsed):
            assert cert.public_bytes(serialization.Encoding.DER) == variants[i]
            assert dns_names(cert) == (f"www.c{i:06d}.com",)
        p7 = pkcs7.serialize_certificates(parsed[:3], serialization.Encoding.DER)
        again = parse_certificates(p7)
        assert {c.public_bytes(serialization.Encoding.DER) for c in again} == set(variants[:3])
        assert all(any(c is p for p in parsed[:3]) for c in again)
