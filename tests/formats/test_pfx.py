"""load_pfx and PfxEncryption against files openssl and others write."""

from __future__ import annotations

import time
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from appgw_certs import (
    AppGwCertError,
    CertificateFormatError,
    Pfx,
    PfxEncryption,
    PfxPasswordError,
    load_pfx,
)
from appgw_certs._formats.keys import key_matches
from appgw_certs._formats.pfx import load_pfx_with_layout, read_pfx_encryption
from helpers.read import (
    Chain,
    fingerprint,
    fingerprints,
    make_chain,
    run,
    with_bag_iterations,
    with_mac_iterations,
    write,
)

PASSWORD = "Tr1cky-pässwörd"  # non-ASCII on purpose
VECTORS = Path(cryptography_vectors.__file__).parent / "pkcs12"


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain("pfx")


@pytest.fixture(scope="module")
def pem_files(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pfx-pem")
    return {
        "leaf": write(folder / "leaf.pem", chain.leaf.cert_pem()),
        "key": write(folder / "leaf.key", chain.leaf.key_pem()),
        "cas": write(folder / "cas.pem", chain.intermediate.cert_pem() + chain.root.cert_pem()),
    }


def openssl_export(
    openssl: str,
    pem_files: dict[str, Path],
    tmp_path: Path,
    *options: str,
    password: str = PASSWORD,
) -> bytes:
    out = tmp_path / "out.pfx"
    run(
        openssl, "pkcs12", "-export", "-in", pem_files["leaf"], "-inkey", pem_files["key"],
        "-certfile", pem_files["cas"], "-passout", f"pass:{password}", "-out", out, *options,
    )  # fmt: skip
    return out.read_bytes()


# --- what openssl writes ------------------------------------------------------

OPENSSL_PROFILES = {
    "openssl3-default": (
        (),
        PfxEncryption("PBES2/AES-256-CBC", "PBES2/AES-256-CBC", "sha256", 2048, False),
    ),
    "openssl3-legacy": (
        ("-legacy",),
        PfxEncryption(
            "pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC", "sha1", 2048, True
        ),
    ),
    "3des-sha1": (
        ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"),
        PfxEncryption(
            "pbeWithSHA1And3-KeyTripleDES-CBC",
            "pbeWithSHA1And3-KeyTripleDES-CBC",
            "sha1",
            2048,
            True,
        ),
    ),
    "3des-plain-certs": (
        ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "NONE", "-macalg", "sha1", "-iter", "1000"),
        PfxEncryption("pbeWithSHA1And3-KeyTripleDES-CBC", None, "sha1", 1000, True),
    ),
    "3des-sha256-mac": (
        ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha256"),
        PfxEncryption(
            "pbeWithSHA1And3-KeyTripleDES-CBC",
            "pbeWithSHA1And3-KeyTripleDES-CBC",
            "sha256",
            2048,
            False,
        ),
    ),
    "aes128": (
        ("-keypbe", "AES-128-CBC", "-certpbe", "AES-128-CBC"),
        PfxEncryption("PBES2/AES-128-CBC", "PBES2/AES-128-CBC", "sha256", 2048, False),
    ),
}


@pytest.mark.parametrize("profile", sorted(OPENSSL_PROFILES))
def test_reads_what_openssl_exports_with_its_encryption(
    profile: str, openssl: str, pem_files: dict[str, Path], chain: Chain, tmp_path: Path
) -> None:
    options, expected = OPENSSL_PROFILES[profile]
    data = openssl_export(openssl, pem_files, tmp_path, *options)

    pfx = load_pfx(data, PASSWORD)

    assert pfx.encryption == expected
    assert read_pfx_encryption(data) == expected
    assert pfx.certificate is not None
    assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
    assert pfx.private_key is not None
    assert key_matches(pfx.private_key, chain.leaf.cert)
    # the chain in stored order, as openssl itself lists the certificates
    listed = run(
        openssl, "pkcs12", "-in", tmp_path / "out.pfx", "-nokeys", "-passin", f"pass:{PASSWORD}",
        *(("-legacy",) if "-legacy" in options else ()),
    )  # fmt: skip
    stored = [c for c in x509_list(listed) if fingerprint(c) != fingerprint(chain.leaf.cert)]
    assert fingerprints(pfx.chain) == fingerprints(stored)
    assert set(fingerprints(pfx.chain)) == set(
        fingerprints([chain.intermediate.cert, chain.root.cert])
    )


@pytest.mark.parametrize(
    ("pbe", "name"),
    [
        ("PBE-SHA1-RC4-128", "pbeWithSHA1And128BitRC4"),
        ("PBE-SHA1-RC2-128", "pbeWithSHA1And128BitRC2-CBC"),
        ("PBE-SHA1-RC2-40", "pbeWithSHA1And40BitRC2-CBC"),
        ("PBE-SHA1-2DES", "pbeWithSHA1And2-KeyTripleDES-CBC"),
        ("PBE-MD5-DES", "pbeWithMD5AndDES-CBC"),
        ("DES-CBC", "PBES2/DES-CBC"),
        ("CAMELLIA-256-CBC", "PBES2/CAMELLIA-256-CBC"),
    ],
)
def test_old_and_odd_algorithms_are_named_and_not_azure_compatible(
    pbe: str, name: str, openssl: str, pem_files: dict[str, Path], tmp_path: Path
) -> None:
    """Azure documents 3DES and AES-256 only (L6): anything else is reported, and read."""
    data = openssl_export(openssl, pem_files, tmp_path, "-legacy", "-keypbe", pbe, "-certpbe", pbe)
    pfx = load_pfx(data, PASSWORD)
    assert pfx.encryption.key_algorithm == name
    assert pfx.encryption.cert_algorithm == name
    assert not pfx.encryption.azure_compatible
    assert pfx.private_key is not None


def x509_list(pem: bytes) -> list:  # type: ignore[type-arg]
    from cryptography import x509

    return list(x509.load_pem_x509_certificates(pem))


def test_friendly_name_from_openssl(
    openssl: str, pem_files: dict[str, Path], tmp_path: Path
) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, "-name", "Contoso listener ☺")
    assert load_pfx(data, PASSWORD).friendly_name == "Contoso listener ☺"


def test_no_password_and_empty_password(
    openssl: str, pem_files: dict[str, Path], tmp_path: Path, chain: Chain
) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, password="")
    for password in (None, "", b""):
        pfx = load_pfx(data, password)
        assert pfx.certificate is not None
        assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)


def test_unencrypted_without_mac(openssl: str, pem_files: dict[str, Path], tmp_path: Path) -> None:
    data = openssl_export(
        openssl, pem_files, tmp_path, "-keypbe", "NONE", "-certpbe", "NONE", "-nomac", password=""
    )
    pfx = load_pfx(data)
    assert pfx.encryption == PfxEncryption(None, None, None, None, False)
    assert pfx.private_key is not None
    assert len(pfx.chain) == 2


def test_certificates_only(openssl: str, pem_files: dict[str, Path], tmp_path: Path) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, "-nokeys")
    pfx = load_pfx(data, PASSWORD)
    assert pfx.private_key is None
    assert pfx.encryption.key_algorithm is None
    assert pfx.encryption.iterations == 2048  # the MAC's, as there is no key bag
    assert pfx.certificate is not None
    assert len(pfx.chain) == 2


def test_key_only(openssl: str, pem_files: dict[str, Path], tmp_path: Path, chain: Chain) -> None:
    out = tmp_path / "key.pfx"
    run(
        openssl, "pkcs12", "-export", "-nocerts", "-inkey", pem_files["key"],
        "-passout", f"pass:{PASSWORD}", "-out", out,
    )  # fmt: skip
    pfx = load_pfx(out, PASSWORD)
    assert pfx.certificate is None
    assert pfx.chain == ()
    assert pfx.private_key is not None
    assert key_matches(pfx.private_key, chain.leaf.cert)


def test_certificate_is_the_one_matching_the_key_wherever_stored(chain: Chain) -> None:
    # cryptography writes the key's certificate first; put it last among "other" certs
    # by writing a PFX without the main certificate, holding the leaf among the CAs.
    data = pkcs12.serialize_key_and_certificates(
        None,
        chain.leaf.key,
        None,
        [chain.root.cert, chain.leaf.cert, chain.intermediate.cert],
        serialization.NoEncryption(),
    )
    pfx = load_pfx(data)
    assert pfx.certificate is not None
    assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
    assert fingerprints(pfx.chain) == fingerprints([chain.root.cert, chain.intermediate.cert])


# --- passwords -------------------------------------------------------------------


def test_wrong_password(openssl: str, pem_files: dict[str, Path], tmp_path: Path) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, "-legacy")
    with pytest.raises(PfxPasswordError, match="wrong") as info:
        load_pfx(data, "NotTheP4ssword")
    assert "NotTheP4ssword" not in str(info.value)
    assert PASSWORD not in str(info.value)


def test_missing_password(openssl: str, pem_files: dict[str, Path], tmp_path: Path) -> None:
    data = openssl_export(openssl, pem_files, tmp_path)
    with pytest.raises(PfxPasswordError, match="password=") as info:
        load_pfx(data)
    assert PASSWORD not in str(info.value)


def test_non_ascii_password_as_str_and_utf8_bytes(
    openssl: str, pem_files: dict[str, Path], tmp_path: Path
) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, "-legacy")
    assert load_pfx(data, PASSWORD).certificate is not None
    assert load_pfx(data, PASSWORD.encode("utf-8")).certificate is not None


# --- hostile files -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["mac", "key", "cert"])
@pytest.mark.parametrize("options", [("-legacy",), ()], ids=["legacy", "aes"])
def test_absurd_iterations_are_refused_before_deriving(
    where: str, options: tuple[str, ...], openssl: str, pem_files: dict[str, Path], tmp_path: Path
) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, *options)
    hostile = (
        with_mac_iterations(data, 2**31 - 1)
        if where == "mac"
        else with_bag_iterations(data, 2**31 - 1, which=where)
    )
    assert hostile != data
    start = time.perf_counter()
    with pytest.raises(CertificateFormatError, match="iterations"):
        load_pfx(hostile, PASSWORD)
    assert time.perf_counter() - start < 2  # nothing was derived


def test_moderate_iterations_still_load(
    openssl: str, pem_files: dict[str, Path], tmp_path: Path
) -> None:
    data = openssl_export(openssl, pem_files, tmp_path, "-legacy")
    # rewriting the MAC count breaks the MAC: a structure we accept, a password we cannot check
    with pytest.raises(PfxPasswordError):
        load_pfx(with_mac_iterations(data, 4096), PASSWORD)


# --- real-world files (cryptography-vectors) -------------------------------------------


def vector_password(name: str) -> bytes | None:
    if "no-pwd" in name or name in {"no-password.p12", "java-truststore.p12"}:
        return None
    if name.startswith(("name-", "no-cert-name", "no-cert-no-name", "no-name")):
        return b"password"
    return b"cryptography"


@pytest.mark.parametrize("name", sorted(p.name for p in VECTORS.glob("*.p12")))
def test_cryptography_vectors(name: str) -> None:
    data = (VECTORS / name).read_bytes()
    password = vector_password(name)
    with pytest.warns() if name == "no-password.p12" else _no_warning():
        bare = pkcs12.load_pkcs12(data, password)  # the oracle: what cryptography reads
    pfx = load_pfx(data, password)

    ours = ([pfx.certificate] if pfx.certificate else []) + list(pfx.chain)
    theirs = ([bare.cert.certificate] if bare.cert else []) + [
        c.certificate for c in bare.additional_certs
    ]
    assert sorted(fingerprints(ours)) == sorted(fingerprints(theirs))
    assert (pfx.private_key is None) == (bare.key is None)
    if pfx.private_key is not None and pfx.certificate is not None:
        assert key_matches(pfx.private_key, pfx.certificate)
    if bare.cert is not None and bare.cert.friendly_name is not None:
        assert pfx.friendly_name == bare.cert.friendly_name.decode()
    if password is not None:
        with pytest.raises(PfxPasswordError):
            load_pfx(data, b"wrong")
    enc = pfx.encryption
    assert enc.azure_compatible == (
        enc.key_algorithm == "pbeWithSHA1And3-KeyTripleDES-CBC"
        and enc.cert_algorithm in {None, "pbeWithSHA1And3-KeyTripleDES-CBC",
                                   "pbeWithSHA1And40BitRC2-CBC"}
        and enc.mac_algorithm == "sha1"
    )  # fmt: skip


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_vector_encryption_details() -> None:
    assert read_pfx_encryption((VECTORS / "cert-rc2-key-3des.p12").read_bytes()) == PfxEncryption(
        "pbeWithSHA1And3-KeyTripleDES-CBC", "pbeWithSHA1And40BitRC2-CBC", "sha1", 2048, True
    )
    java = load_pfx(VECTORS / "java-truststore.p12")
    assert java.private_key is None
    assert java.encryption.cert_algorithm is None
    key_only = load_pfx(VECTORS / "no-cert-key-aes256cbc.p12", "cryptography")
    assert key_only.certificate is None
    assert key_only.encryption.key_algorithm == "PBES2/AES-256-CBC"
    # a key bag's friendly name is used when there is no certificate bag for it
    named_key = load_pfx(VECTORS / "name-all-no-pwd.p12")
    assert named_key.friendly_name == "name"


# --- the Pfx value ---------------------------------------------------------------


def test_repr_hides_the_key(chain: Chain) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"n", chain.leaf.key, chain.leaf.cert, None, serialization.NoEncryption()
    )
    pfx = load_pfx(data)
    text = repr(pfx)
    assert "EC P-256" in text
    secret = str(chain.leaf.key.private_numbers().private_value)
    assert secret not in text
    assert hex(chain.leaf.key.private_numbers().private_value)[2:12] not in text
    assert "PRIVATE" not in text
    assert isinstance(pfx, Pfx)


def test_not_a_pfx_raises_library_errors(chain: Chain) -> None:
    with pytest.raises(CertificateFormatError):
        load_pfx(chain.leaf.cert_der())
    with pytest.raises(CertificateFormatError):
        load_pfx(b"")
    with pytest.raises(AppGwCertError):
        load_pfx(b"\x30\x03\x02\x01\x03")


def test_base64_text_of_a_pfx(chain: Chain) -> None:
    import base64

    data = pkcs12.serialize_key_and_certificates(
        None, chain.leaf.key, chain.leaf.cert, None, serialization.NoEncryption()
    )
    for text in (base64.b64encode(data), base64.encodebytes(data).decode()):
        pfx = load_pfx(text)  # type: ignore[arg-type]  # str: base64, as the portal shows it
        assert pfx.certificate is not None
        assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
    with pytest.raises(CertificateFormatError, match=r"pathlib\.Path"):
        load_pfx("site.pfx")  # type: ignore[arg-type]


def test_ber_indefinite_length_pfx_as_windows_and_java_write(
    openssl: str, pem_files: dict[str, Path], tmp_path: Path, chain: Chain
) -> None:
    """Windows and Java write BER (indefinite lengths); cryptography warns and falls back."""
    from pyasn1.codec.ber import decoder
    from pyasn1.codec.cer import encoder
    from pyasn1_modules import rfc7292

    data = openssl_export(openssl, pem_files, tmp_path, "-legacy")
    structure, _ = decoder.decode(data, asn1Spec=rfc7292.PFX())
    ber = bytes(encoder.encode(structure))
    assert ber[:2] == b"\x30\x80"  # indefinite length
    pfx = load_pfx(ber, PASSWORD)  # no warning may escape (pytest -W error)
    assert pfx.certificate is not None
    assert fingerprint(pfx.certificate) == fingerprint(chain.leaf.cert)
    assert pfx.encryption == OPENSSL_PROFILES["openssl3-legacy"][1]


DATA = Path(__file__).parents[1] / "data" / "read"


@pytest.mark.parametrize(
    ("name", "friendly_name", "expected"),
    [
        (
            "keytool-jdk17-default.p12",
            "java key",
            PfxEncryption("PBES2/AES-256-CBC", "PBES2/AES-256-CBC", "sha256", 10000, False),
        ),
        (
            "keytool-jdk17-legacy.p12",
            "java legacy",
            PfxEncryption(
                "pbeWithSHA1And3-KeyTripleDES-CBC",
                "pbeWithSHA1And40BitRC2-CBC",
                "sha1",
                50000,
                True,
            ),
        ),
    ],
)
def test_java_keytool_files(name: str, friendly_name: str, expected: PfxEncryption) -> None:
    data = (DATA / name).read_bytes()
    pfx = load_pfx(data, "Passw0rd1")
    assert pfx.encryption == expected
    assert pfx.friendly_name == friendly_name
    assert pfx.private_key is not None
    assert pfx.certificate is not None
    assert key_matches(pfx.private_key, pfx.certificate)
    bare = pkcs12.load_pkcs12(data, b"Passw0rd1")
    assert bare.cert is not None
    assert fingerprint(pfx.certificate) == fingerprint(bare.cert.certificate)


def test_layout_counts_key_bags(chain: Chain) -> None:
    with_key = pkcs12.serialize_key_and_certificates(
        None,
        chain.leaf.key,
        chain.leaf.cert,
        [chain.intermediate.cert],
        serialization.NoEncryption(),
    )
    without_key = pkcs12.serialize_key_and_certificates(
        None, None, None, [chain.leaf.cert], serialization.NoEncryption()
    )
    pfx, layout = load_pfx_with_layout(with_key)
    assert (pfx.certificate, layout.key_bags) == (chain.leaf.cert, 1)
    pfx, layout = load_pfx_with_layout(without_key)
    assert (pfx.private_key, layout.key_bags) == (None, 0)
