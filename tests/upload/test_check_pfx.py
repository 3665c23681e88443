"""check_upload for listener PFX files written by the openssl CLI, by cryptography, and taken
from the cryptography-vectors package."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cryptography_vectors
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyasn1.codec.der import decoder as der_decoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import univ
from pyasn1_modules import rfc7292

from appgw_certs import Report, Severity, Sku, check_upload
from helpers.check import (
    NOW,
    PASSWORD,
    Issued,
    OpenSSL,
    Pki,
    der,
    key_pem,
    make_cert,
    pem,
)

V1, V2 = Sku.STANDARD, Sku.STANDARD_V2
LEGACY = ("-legacy",)
TRIPLE_DES = ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1")
VECTORS = Path(cryptography_vectors.__file__).parent / "pkcs12"


def listener(
    data: bytes | Path,
    sku: Sku = V2,
    *,
    password: str | None = PASSWORD,
    hostnames: Sequence[str] = (),
    now: datetime = NOW,
) -> Report:
    return check_upload("listener", data, sku=sku, password=password, hostnames=hostnames, now=now)


def full_chain(
    ossl: OpenSSL, pki: Pki, options: tuple[str, ...] = TRIPLE_DES, password: str = PASSWORD
) -> bytes:
    return ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=options,
        password=password,
    )


# -- clean -------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [LEGACY, TRIPLE_DES], ids=["legacy", "3des"])
@pytest.mark.parametrize("sku", list(Sku))
def test_compatible_pfx_with_full_chain_is_clean(
    ossl: OpenSSL, pki: Pki, options: tuple[str, ...], sku: Sku
) -> None:
    report = listener(full_chain(ossl, pki, options), sku, hostnames=["www.contoso.com"])
    assert report.findings == (), report


def test_cryptography_compatible_encryption_is_clean(pki: Pki) -> None:
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - what Azure imports
        .build(PASSWORD.encode())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"listener",
        pki.server.key,
        pki.server.cert,
        [pki.intermediate.cert, pki.root.cert],
        encryption,
    )
    assert listener(data).findings == ()


def test_path_source(ossl: OpenSSL, pki: Pki, tmp_path: Path) -> None:
    path = tmp_path / "listener.pfx"
    path.write_bytes(full_chain(ossl, pki))
    assert listener(path).findings == ()


# -- LST codes ------------------------------------------------------------------------------------


def test_lst001_not_a_pfx(pki: Pki) -> None:
    for data in (
        pem(pki.server.cert),
        der(pki.server.cert),
        pem(pki.server.cert) + key_pem(pki.server.key),
    ):
        report = listener(data)
        assert report.codes == {"LST001"}, report
        assert report.findings[0].certificate == pki.server.name
    assert (
        "private key" in listener(pem(pki.server.cert) + key_pem(pki.server.key)).errors[0].message
    )


def test_lst001_base64_text_of_a_pfx_is_a_warning(ossl: OpenSSL, pki: Pki) -> None:
    report = listener(base64.b64encode(full_chain(ossl, pki)))
    assert report.codes == {"LST001"}
    assert report.ok


def test_lst002_wrong_or_missing_password(ossl: OpenSSL, pki: Pki) -> None:
    data = full_chain(ossl, pki)
    wrong = listener(data, password="Wrong1234")
    assert wrong.codes == {"LST002"}
    assert "Password specified for certificate" in wrong.errors[0].message
    assert listener(data, password=None).codes == {"LST002"}
    assert "Wrong1234" not in wrong.to_json()


def test_lst002_keeps_reporting_aes(ossl: OpenSSL, pki: Pki) -> None:
    data = full_chain(ossl, pki, options=())
    assert listener(data, password="Wrong1234").codes == {"LST002", "LST007"}


def test_lst003_no_private_key(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(
        key=None,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=TRIPLE_DES,
    )
    report = listener(data)
    assert "LST003" in report.codes
    assert not report.ok


def test_lst004_key_does_not_match(pki: Pki) -> None:
    # cryptography and openssl refuse to pair them; a key bag beside a lone certificate bag does it.
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        pki.client.key,
        None,
        [pki.server.cert, pki.intermediate.cert, pki.root.cert],
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    report = listener(data)
    assert "LST004" in report.codes
    assert report.errors[0].certificate == pki.server.name


@pytest.mark.parametrize(
    "password", ["abc", "abcdefghijklm", "Azure123456!", "pass word", "pässwort1"]
)
def test_lst005_password_shape(ossl: OpenSSL, pki: Pki, password: str) -> None:
    report = listener(full_chain(ossl, pki, password=password), password=password)
    assert report.codes == {"LST005"}
    assert not report.ok
    assert password not in report.to_json()
    assert password not in str(report)


@pytest.mark.parametrize("password", ["abcd", "Abcdefghij12", "123456789012"])
def test_lst005_good_passwords(ossl: OpenSSL, pki: Pki, password: str) -> None:
    assert listener(full_chain(ossl, pki, password=password), password=password).findings == ()


def test_lst005_no_password_is_a_warning(pki: Pki) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"x",
        pki.server.key,
        pki.server.cert,
        [pki.intermediate.cert, pki.root.cert],
        serialization.NoEncryption(),
    )
    report = listener(data, password=None)
    assert "LST005" in report.codes
    assert report.ok


def test_lst006_size_limits(ossl: OpenSSL, pki: Pki) -> None:
    extra = [make_cert(f"Padding CA {i:02}", issuer=pki.root, ca=True).cert for i in range(26)]
    data = ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert, *extra],
        options=TRIPLE_DES,
    )
    assert 10 * 1024 < len(data) <= 16 * 1024 < len(base64.b64encode(data)), len(data)
    v1 = listener(data, V1)
    assert "LST006" in v1.codes
    assert any(f.code == "LST006" and f.severity is Severity.ERROR for f in v1.findings)
    v2 = listener(data, V2)
    assert v2.codes == {"LST006"}
    assert v2.ok  # only the base64 form is over: a warning
    assert "base64" in v2.warnings[0].message


def test_lst007_openssl3_default_aes(ossl: OpenSSL, pki: Pki) -> None:
    report = listener(full_chain(ossl, pki, options=()))
    assert report.codes == {"LST007"}
    assert report.ok
    assert "AES-256" in report.warnings[0].message
    assert "Password specified for certificate is incorrect" in report.warnings[0].message
    assert "--profile compatible" in report.warnings[0].hint


def test_lst007_unencrypted_pfx_does_not_talk_about_aes(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=("-keypbe", "NONE", "-certpbe", "NONE"),
    )
    report = listener(data, password=None)
    (lst007,) = (f for f in report.findings if f.code == "LST007")
    assert "not encrypted" in lst007.message
    assert "AES" not in lst007.message


def test_lst008_chain_incomplete(ossl: OpenSSL, pki: Pki) -> None:
    leaf_only = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert, options=TRIPLE_DES)
    report = listener(leaf_only)
    assert report.codes == {"LST008"}
    assert "intermediates and the root" in report.warnings[0].message
    no_root = ossl.pkcs12(
        key=pki.server.key, cert=pki.server.cert, chain=[pki.intermediate.cert], options=TRIPLE_DES
    )
    report = listener(no_root)
    assert report.codes == {"LST008"}
    assert "Check Root CA" in report.warnings[0].message
    # A self-signed leaf is its own chain.
    selfsigned = make_cert("self.contoso.com", dns=("self.contoso.com",))
    data = ossl.pkcs12(key=selfsigned.key, cert=selfsigned.cert, options=TRIPLE_DES)
    assert listener(data).findings == ()


def test_lst009_host_names(ossl: OpenSSL, pki: Pki) -> None:
    data = full_chain(ossl, pki)
    covered = ["www.contoso.com", "WWW.CONTOSO.COM", "a.api.contoso.com"]
    assert listener(data, hostnames=covered).findings == ()
    for host in ("contoso.com", "a.b.api.contoso.com", "api.contoso.com", "10.0.0.4"):
        report = listener(data, hostnames=[host])
        assert report.codes == {"LST009"}, host
        assert host in report.errors[0].message


def test_lst010_not_a_server_certificate(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(
        key=pki.client.key,
        cert=pki.client.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=TRIPLE_DES,
    )
    assert listener(data).codes == {"LST010"}
    ca = ossl.pkcs12(
        key=pki.intermediate.key,
        cert=pki.intermediate.cert,
        chain=[pki.root.cert],
        options=TRIPLE_DES,
    )
    assert listener(ca).codes == {"LST010"}
    any_purpose = make_cert("any.contoso.com", issuer=pki.intermediate, eku=None)
    data = ossl.pkcs12(
        key=any_purpose.key,
        cert=any_purpose.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=TRIPLE_DES,
    )
    assert listener(data).findings == ()
    both = make_cert(
        "both.contoso.com",
        issuer=pki.intermediate,
        eku=(ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH),
    )
    data = ossl.pkcs12(
        key=both.key,
        cert=both.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=TRIPLE_DES,
    )
    assert listener(data).findings == ()


def test_lst011_another_leaf_in_the_pfx(ossl: OpenSSL, pki: Pki) -> None:
    # openssl writes it: the server's key and certificate, plus the client leaf as "chain"
    data = ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert, pki.client.cert],
        options=TRIPLE_DES,
    )
    report = listener(data)
    assert report.codes == {"LST011"}
    assert report.ok  # which identity the gateway serves is undocumented: a warning
    assert "client one" in report.warnings[0].message
    assert report.warnings[0].certificate is not None
    assert "www.contoso.com" in report.warnings[0].certificate
    # Extra CAs are not leaves: an unrelated root is no LST011.
    extra_ca = ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert, pki.other_root.cert],
        options=TRIPLE_DES,
    )
    assert "LST011" not in listener(extra_ca).codes


def _two_key_pfx(ossl: OpenSSL, first: Issued, second: Issued) -> bytes:
    """Two openssl-written PFX files (no encryption, no MAC) spliced into one with two
    key bags, as some tools write them; openssl reads both keys."""
    safes = []
    for cred in (first, second):
        data = ossl.pkcs12(
            key=cred.key,
            cert=cred.cert,
            password="",
            options=("-keypbe", "NONE", "-certpbe", "NONE", "-nomac"),
        )
        pfx, _ = der_decoder.decode(data, asn1Spec=rfc7292.PFX())
        octets, _ = der_decoder.decode(
            bytes(pfx["authSafe"]["content"]), asn1Spec=univ.OctetString()
        )
        safe, _ = der_decoder.decode(bytes(octets), asn1Spec=rfc7292.AuthenticatedSafe())
        safes.append((pfx, list(safe)))
    combined = rfc7292.AuthenticatedSafe()
    for position, info in enumerate(safes[0][1] + safes[1][1]):
        combined.setComponentByPosition(position, info)
    pfx = safes[0][0]
    inner = der_encoder.encode(univ.OctetString(der_encoder.encode(combined)))
    pfx["authSafe"]["content"] = pfx["authSafe"]["content"].clone(inner)
    data = der_encoder.encode(pfx)
    # the oracle reads it (check=True): a well-formed PFX, both key bags included
    ossl.run("pkcs12", "-in", ossl.file(data, ".p12"), "-info", "-noout", "-passin", "pass:")
    return data


def test_lst011_two_keys_and_leaves_in_one_pfx(ossl: OpenSSL, pki: Pki) -> None:
    other = make_cert("other.contoso.com", issuer=pki.intermediate, dns=("other.contoso.com",))
    data = _two_key_pfx(ossl, pki.server, other)
    report = listener(data, password=None)
    (lst011,) = (f for f in report.findings if f.code == "LST011")
    assert "2 private keys" in lst011.message
    assert "other.contoso.com" in lst011.message


def test_gen_codes_reach_the_chain(ossl: OpenSSL, pki: Pki) -> None:
    expired_int = make_cert(
        "Expired Issuing CA", issuer=pki.root, ca=True, not_after=NOW - timedelta(days=1)
    )
    leaf = make_cert("old.contoso.com", issuer=expired_int)
    data = ossl.pkcs12(
        key=leaf.key, cert=leaf.cert, chain=[expired_int.cert, pki.root.cert], options=TRIPLE_DES
    )
    report = listener(data)
    assert report.codes == {"GEN002"}
    assert report.errors[0].certificate == expired_int.name


def test_sha1_leaf_in_a_pfx(ossl: OpenSSL, pki: Pki) -> None:
    leaf, key_file = ossl.sha1_leaf(pki.intermediate, "sha1.contoso.com")
    # openssl signs "now": judge at the real time, well inside both validity windows.
    now = datetime.now(UTC)
    data = ossl.run(
        "pkcs12",
        "-export",
        "-in",
        ossl.file(pem(leaf)),
        "-inkey",
        key_file,
        "-certfile",
        ossl.file(pem(pki.intermediate.cert, pki.root.cert)),
        *TRIPLE_DES,
        "-passout",
        f"pass:{PASSWORD}",
    )
    report = listener(data, now=now)
    assert "GEN004" in report.codes


# -- cryptography-vectors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "password", "expected"),
    [
        ("cert-rc2-key-3des.p12", "cryptography", set()),
        ("cert-key-aes256cbc.p12", "cryptography", {"LST007"}),
        ("cert-aes256cbc-no-key.p12", "cryptography", {"LST003", "LST007"}),
        ("no-cert-key-aes256cbc.p12", "cryptography", {"GEN001", "LST007"}),
        ("no-password.p12", None, {"LST005"}),
        ("cert-key-aes256cbc.p12", "wrong", {"LST002", "LST007"}),
    ],
)
def test_cryptography_vectors(name: str, password: str | None, expected: set[str]) -> None:
    data = (VECTORS / name).read_bytes()
    report = check_upload(
        "listener", data, sku="Standard_v2", password=password, now=datetime(2020, 1, 1, tzinfo=UTC)
    )
    # The vectors' certificate is a self-signed CA: LST010 always; expiry depends on the date.
    assert report.codes - {"LST010", "GEN002", "GEN003"} == expected, report


def test_every_vector_gives_a_report() -> None:
    for path in sorted(VECTORS.rglob("*.p12")):
        for password in (None, "cryptography", "password"):
            report = check_upload("listener", path, sku="v1", password=password)
            assert report.title
            assert report.codes
