"""check_upload for the public-certificate slots: authentication, trusted root, client CA,
and the checks every certificate gets (GEN codes). Listener PFX files: test_check_pfx.py."""

from __future__ import annotations

import base64
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID

from appgw_certs import Report, Severity, Sku, Slot, check_upload, client_issuer_dn
from appgw_certs._findings.rules import RULES
from appgw_certs._upload.check import client_ca_issuer, inspect_upload
from helpers.check import NOW, PASSWORD, OpenSSL, Pki, der, key_pem, make_cert, pem

V1, V2 = Sku.STANDARD, Sku.STANDARD_V2


def check(slot: str, data: bytes | str | Path, sku: Sku = V2, **kw: object) -> Report:
    kw.setdefault("now", NOW)
    report = check_upload(slot, data, sku=sku, **kw)  # type: ignore[arg-type]
    _well_formed(report)
    return report


def _well_formed(report: Report) -> None:
    for f in report.findings:
        rule = RULES[f.code]
        assert f.reference == rule.reference
        assert f.message
        if f.severity is not rule.severity:  # only documented overrides
            assert f.code in {
                "LST001",
                "LST005",
                "LST006",
                "CCA003",
                "GEN001",
                "ROOT002",
                "AUTH002",
            }
            assert f.severity is not Severity.ERROR or f.code == "GEN001"


def one(report: Report, code: str) -> x509.Certificate | str | None:
    matches = [f for f in report.findings if f.code == code]
    assert len(matches) == 1, report
    return matches[0].certificate


# -- clean uploads stay clean --------------------------------------------------------------


def test_clean_uploads_have_no_findings(pki: Pki) -> None:
    assert check("authentication", pem(pki.server.cert), V1).findings == ()
    assert check("authentication", pem(pki.server.cert), Sku.WAF).findings == ()
    for sku in (Sku.STANDARD_V2, Sku.WAF_V2, Sku.BASIC):
        assert check("trusted-root", pem(pki.root.cert), sku).findings == ()
    for sku in (Sku.STANDARD_V2, Sku.WAF_V2):
        report = check("trusted-client-ca", pem(pki.intermediate.cert, pki.root.cert), sku)
        assert report.findings == ()
        assert dict(report.details) == {"client_cert_issuer_dn": pki.intermediate.name}


def test_sources_of_every_kind(pki: Pki, tmp_path: Path) -> None:
    path = tmp_path / "root.cer"
    path.write_bytes(pem(pki.root.cert))
    for source in (
        path,
        pem(pki.root.cert),
        pem(pki.root.cert).decode(),
        pki.root.cert,
        [pki.root.cert],
    ):
        report = check_upload("trusted-root", source, sku="v2", now=NOW)
        assert report.findings == (), source
    assert "Trusted root" in check("root", path).title


def test_unknown_slot_or_sku_raise_value_error(pki: Pki) -> None:
    with pytest.raises(ValueError, match="trusted-client-ca"):
        check_upload("backend", pem(pki.root.cert), sku="v2")
    with pytest.raises(ValueError, match="WAF_v2"):
        check_upload("trusted-root", pem(pki.root.cert), sku="Premium")


# -- GEN -------------------------------------------------------------------------------------


@pytest.mark.parametrize("slot", list(Slot))
@pytest.mark.parametrize(
    "data",
    [b"\x00\x01garbage", b"-----BEGIN CERTIFICATE-----\nAAAA", b"0\x82\x01\x00junk", b"hello"],
)
def test_gen001_unreadable(slot: Slot, data: bytes) -> None:
    report = check(slot, data)
    assert not report.ok
    expected = {"CCA003"} if slot is Slot.TRUSTED_CLIENT_CA else {"GEN001"}
    assert report.codes & expected, report


def test_gen001_missing_file_and_plain_text(tmp_path: Path) -> None:
    report = check("trusted-root", tmp_path / "nope.cer")
    assert report.codes == {"GEN001"}
    assert "no such file" in report.findings[0].message
    assert check("authentication", "not a PEM at all", V1).codes == {"GEN001"}


def test_gen001_too_large_is_a_finding_not_an_exception() -> None:
    big = b"A" * (1024 * 1024 + 1)
    assert check("trusted-root", big).codes == {"GEN001"}
    assert check("listener", big).codes == {"GEN001", "LST006"}
    assert check("trusted-client-ca", big).codes == {"GEN001", "CCA006"}


def test_gen002_expired_and_not_yet_valid(pki: Pki) -> None:
    old = make_cert(
        "Old Root", ca=True, not_before=NOW - timedelta(days=900), not_after=NOW - timedelta(days=1)
    )
    report = check("trusted-root", pem(old.cert))
    assert one(report, "GEN002") == old.name
    assert "expired" in report.findings[0].message
    future = make_cert("Future Root", ca=True, not_before=NOW + timedelta(days=2))
    assert one(check("trusted-root", pem(future.cert)), "GEN002") == future.name
    # The same certificate is fine a little earlier: time is injected.
    assert check("trusted-root", pem(old.cert), now=NOW - timedelta(days=2)).codes == {"GEN003"}


def test_gen003_expiring_soon() -> None:
    soon = make_cert("Soon Root", ca=True, not_after=NOW + timedelta(days=10))
    report = check("trusted-root", pem(soon.cert))
    assert report.ok
    assert one(report, "GEN003") == soon.name
    assert check("trusted-root", pem(soon.cert), now=NOW - timedelta(days=30)).findings == ()
    longer = inspect_upload(
        Slot.TRUSTED_ROOT,
        pem(soon.cert),
        sku=V2,
        now=NOW - timedelta(days=30),
        expiry_warning_days=60,
    )
    assert [note.code for note in longer.notes] == ["GEN003"]


def test_gen004_sha1_signature_but_not_on_roots(pki: Pki, ossl: OpenSSL) -> None:
    leaf, _ = ossl.sha1_leaf(pki.intermediate, "sha1.contoso.com")
    now = datetime.now(UTC)
    report = check("authentication", pem(leaf), V1, now=now)
    assert one(report, "GEN004") == "CN=sha1.contoso.com"
    assert "SHA1" in report.findings[0].message
    assert report.ok  # unconfirmed: a warning
    # A SHA-1 self-signed root: its self-signature does not matter.
    sha1_root_key = ossl.directory / "r.key"
    sha1_root = ossl.directory / "r.pem"
    ossl.run(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        sha1_root_key,
        "-out",
        sha1_root,
        "-subj",
        "/CN=SHA1 Root",
        "-sha1",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
    )
    assert "GEN004" not in check("trusted-root", sha1_root.read_bytes(), now=now).codes


def test_gen005_keys_azure_is_not_known_to_take(ossl: OpenSSL) -> None:
    small, _ = ossl.rsa1024_root()
    report = check("trusted-root", pem(small), now=datetime.now(UTC))
    assert one(report, "GEN005") == "CN=Small RSA Root"
    assert "RSA 1024" in report.findings[0].message
    edwards = make_cert("Ed Root", ca=True, key=ed25519.Ed25519PrivateKey.generate())
    assert one(check("trusted-root", pem(edwards.cert)), "GEN005") == edwards.name
    p521 = make_cert("P521 Root", ca=True, key=ec.generate_private_key(ec.SECP521R1()))
    assert one(check("trusted-root", pem(p521.cert)), "GEN005") == p521.name
    p384 = make_cert("P384 Root", ca=True, key=ec.generate_private_key(ec.SECP384R1()))
    assert check("trusted-root", pem(p384.cert)).findings == ()


@pytest.mark.parametrize(
    ("slot", "skus"),
    [
        (Slot.AUTHENTICATION, {Sku.STANDARD_V2, Sku.WAF_V2, Sku.BASIC}),
        (Slot.TRUSTED_ROOT, {Sku.STANDARD, Sku.WAF}),
        (Slot.TRUSTED_CLIENT_CA, {Sku.STANDARD, Sku.WAF, Sku.BASIC}),
        (Slot.LISTENER, set()),
    ],
)
def test_gen006_slot_missing_on_sku(pki: Pki, slot: Slot, skus: set[Sku]) -> None:
    data = pem(pki.server.cert if slot is Slot.AUTHENTICATION else pki.root.cert)
    for sku in Sku:
        report = check(slot, data, sku)
        assert ("GEN006" in report.codes) == (sku in skus), (slot, sku)
    if slot is Slot.AUTHENTICATION:
        message = check(slot, data, Sku.WAF_V2).errors[0].message
        assert "ApplicationGatewayFeatureCannotBeEnabledForSelectedSku" in message


# -- authentication (v1) -----------------------------------------------------------------------


def test_auth001_private_key(pki: Pki, ossl: OpenSSL) -> None:
    with_key = pem(pki.server.cert) + key_pem(pki.server.key)
    assert one(check("authentication", with_key, V1), "AUTH001") == pki.server.name
    pfx = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert)
    assert "AUTH001" in check("authentication", pfx, V1, password=PASSWORD).codes
    assert "AUTH001" in check("authentication", pfx, V1).codes  # cannot open it: still a key


def test_auth002_ca_instead_of_leaf(pki: Pki) -> None:
    report = check("authentication", pem(pki.root.cert), V1)
    assert one(report, "AUTH002") == pki.root.name
    assert one(check("authentication", pem(pki.intermediate.cert), V1), "AUTH002")


def test_auth003_several_certificates(pki: Pki) -> None:
    report = check("authentication", pem(pki.server.cert, pki.intermediate.cert), V1)
    assert report.codes == {"AUTH003"}
    assert report.ok


def test_auth005_text_around(pki: Pki) -> None:
    text = b"subject=CN = www.contoso.com\n" + pem(pki.server.cert)
    report = check("authentication", text, V1)
    assert report.codes == {"AUTH005"}
    assert report.findings[0].certificate == pki.server.name


def test_auth004_der(pki: Pki) -> None:
    report = check("authentication", der(pki.server.cert), V1)
    assert report.codes == {"AUTH004"}
    assert report.findings[0].severity is Severity.INFO


# -- trusted root (v2) ---------------------------------------------------------------------------


def test_root001_private_key(pki: Pki) -> None:
    report = check("trusted-root", pem(pki.root.cert) + key_pem(pki.root.key))
    assert report.codes == {"ROOT001"}
    assert "private key" in report.findings[0].message


def test_root002_not_self_signed(pki: Pki) -> None:
    assert (
        one(check("trusted-root", pem(pki.intermediate.cert)), "ROOT002") == pki.intermediate.name
    )
    report = check("trusted-root", pem(pki.server.cert))
    assert one(report, "ROOT002") == pki.server.name
    assert "Check Issuing CA" in report.errors[0].message


def test_root002_no_root_in_a_bundle(pki: Pki) -> None:
    """A file of several certificates, none of them a root: the documented error."""
    report = check("trusted-root", pem(pki.server.cert, pki.intermediate.cert))
    assert report.codes == {"ROOT002", "ROOT004"}
    assert one(report, "ROOT002") == pki.server.name


def test_root002_warns_when_the_root_is_present_but_not_first(pki: Pki) -> None:
    """That only the first certificate of a bundle counts is not documented: a root
    that is there, but after its intermediate, is ROOT002 as a warning, never an error."""
    report = check("trusted-root", pem(pki.intermediate.cert, pki.root.cert))
    assert report.codes == {"ROOT004", "ROOT002"}
    assert report.ok
    assert one(report, "ROOT002") == pki.root.name
    (found,) = [f for f in report.findings if f.code == "ROOT002"]
    assert found.severity is Severity.WARNING
    assert "certificate #2" in found.message
    assert pki.intermediate.name in found.message
    first = check("trusted-root", pem(pki.root.cert, pki.intermediate.cert))
    assert first.codes == {"ROOT004"}


def test_root003_judges_the_root_wherever_it_is(pki: Pki) -> None:
    leafish = make_cert("selfsigned.contoso.com", ca=False, dns=("selfsigned.contoso.com",))
    report = check("trusted-root", pem(pki.intermediate.cert, leafish.cert))
    assert report.codes == {"ROOT003", "ROOT004", "ROOT002"}
    assert one(report, "ROOT003") == leafish.name


def test_root003_self_signed_not_ca() -> None:
    for ca in (False, None):  # CA:FALSE, or no basicConstraints at all
        leafish = make_cert("selfsigned.contoso.com", ca=ca, dns=("selfsigned.contoso.com",))
        report = check("trusted-root", pem(leafish.cert))
        assert one(report, "ROOT003") == leafish.name
        assert "Intermediate certificate is missing" in report.errors[0].message


def test_root004_several_certificates(pki: Pki) -> None:
    report = check("trusted-root", pem(pki.root.cert, pki.other_root.cert))
    assert report.codes == {"ROOT004"}
    assert report.ok


def test_root005_well_known_root() -> None:
    first = Path(certifi.where()).read_bytes().split(b"-----END CERTIFICATE-----")[0]
    block = first[first.index(b"-----BEGIN CERTIFICATE-----") :] + b"-----END CERTIFICATE-----\n"
    cert = x509.load_pem_x509_certificate(block)
    now = cert.not_valid_before_utc + timedelta(days=1)
    report = check("trusted-root", block, now=now)
    assert "ROOT005" in report.codes
    assert report.ok
    assert "approximation" in report.infos[0].message


def test_root006_text_around_and_other_content(pki: Pki, ossl: OpenSSL) -> None:
    text = b"Bag Attributes\n    friendlyName: root\nsubject=CN = Check Root CA\n" + pem(
        pki.root.cert
    )
    assert one(check("trusted-root", text), "ROOT006") == pki.root.name
    csr = ossl.run("req", "-new", "-key", ossl.file(key_pem(pki.root.key)), "-subj", "/CN=x")
    assert "ROOT006" in check("trusted-root", pem(pki.root.cert) + csr).codes
    bare = base64.b64encode(der(pki.root.cert))
    assert "ROOT006" in check("trusted-root", bare).codes
    # Whitespace around the block is fine.
    assert check("trusted-root", b"\n\n" + pem(pki.root.cert) + b"\n\n").findings == ()


def test_der_trusted_root_is_fine(pki: Pki) -> None:
    assert check("trusted-root", der(pki.root.cert)).findings == ()


# -- trusted client CA (mutual TLS) ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_cca001_empty(data: bytes) -> None:
    report = check("trusted-client-ca", data)
    assert report.codes == {"CCA001"}
    assert "MustSpecifyData" in report.findings[0].message


def test_cca002_private_key(pki: Pki, ossl: OpenSSL) -> None:
    report = check("trusted-client-ca", pem(pki.root.cert) + key_pem(pki.root.key))
    assert report.codes == {"CCA002"}
    assert "MustNotHavePrivateKey" in report.findings[0].message
    pfx = ossl.pkcs12(key=pki.root.key, cert=pki.root.cert)
    assert "CCA002" in check("trusted-client-ca", pfx).codes


def test_cca003_not_pem_certificates(pki: Pki, ossl: OpenSSL) -> None:
    p7b = pkcs7.serialize_certificates([pki.root.cert], serialization.Encoding.DER)
    assert check("trusted-client-ca", p7b).errors[0].code == "CCA003"
    broken = pem(pki.root.cert).replace(b"\n-----END", b"!!\n-----END")
    assert "CCA003" in check("trusted-client-ca", broken).codes
    empty_block = b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
    assert "CCA003" in check("trusted-client-ca", pem(pki.root.cert) + empty_block).codes
    csr = ossl.run("req", "-new", "-key", ossl.file(key_pem(pki.root.key)), "-subj", "/CN=x")
    assert "CCA003" in check("trusted-client-ca", pem(pki.root.cert) + csr).codes
    assert "InvalidData" in check("trusted-client-ca", b"junk").findings[0].message
    assert not check("trusted-client-ca", base64.b64encode(der(pki.root.cert))).ok
    # One DER root probably works (PowerShell sends DER): a warning, not an error.
    report = check("trusted-client-ca", der(pki.root.cert))
    assert report.codes == {"CCA003"}
    assert report.ok


def test_cca003_text_around_is_a_warning(pki: Pki) -> None:
    report = check("trusted-client-ca", b"# my CA\n" + pem(pki.root.cert))
    assert report.codes == {"CCA003"}
    assert report.ok
    assert report.findings[0].certificate == pki.root.name


def test_cca004_no_ca(pki: Pki) -> None:
    report = check("trusted-client-ca", pem(pki.client.cert))
    assert "CCA004" in report.codes
    assert "DoesNotContainAnyCACertificate" in RULES["CCA004"].title
    selfsigned_client = make_cert("selfsigned client", eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    assert "CCA004" in check("trusted-client-ca", pem(selfsigned_client.cert)).codes


def test_cca005_not_exactly_one_root(pki: Pki) -> None:
    two = check("trusted-client-ca", pem(pki.root.cert, pki.other_root.cert))
    assert one(two, "CCA005") == pki.other_root.name
    assert (
        "ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate" in two.errors[0].message
    )
    none = check("trusted-client-ca", pem(pki.intermediate.cert))
    assert "CCA005" in none.codes


def test_cca006_over_25_kb(pki: Pki) -> None:
    cas = [make_cert(f"Issuing CA {i:02}", issuer=pki.root, ca=True).cert for i in range(45)]
    data = pem(*cas, pki.root.cert)
    assert len(data) > 25 * 1024
    report = check("trusted-client-ca", data)
    assert "CCA006" in report.codes
    assert "CCA007" in report.codes


def test_cca007_several_chains_and_the_extracted_dn(pki: Pki) -> None:
    int2 = make_cert("Second Issuing CA", issuer=pki.root, ca=True)
    report = check("trusted-client-ca", pem(pki.root.cert, pki.intermediate.cert, int2.cert))
    assert one(report, "CCA007") == pki.intermediate.name  # equal length: the first chain
    assert dict(report.details)["client_cert_issuer_dn"] == pki.intermediate.name
    assert pki.intermediate.name in report.warnings[0].message
    int3 = make_cert("Third Issuing CA", issuer=int2, ca=True)
    longer = check(
        "trusted-client-ca", pem(pki.root.cert, pki.intermediate.cert, int2.cert, int3.cert)
    )
    assert dict(longer.details)["client_cert_issuer_dn"] == int3.name  # the longest chain
    assert client_issuer_dn(
        pem(pki.root.cert, pki.intermediate.cert, int2.cert)
    ).rfc4514_string() == (pki.intermediate.name)
    assert (
        client_issuer_dn(
            pem(pki.root.cert, pki.intermediate.cert, int2.cert, int3.cert)
        ).rfc4514_string()
        == int3.name
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("root",), "root"),
        (("root", "int"), "int"),
        (("int", "root"), "int"),
        (("root", "int", "int2"), "int2"),
    ],
)
def test_issuer_dn_table_of_the_mutual_authentication_overview(
    pki: Pki, names: tuple[str, ...], expected: str
) -> None:
    int2 = make_cert("Deeper CA", issuer=pki.intermediate, ca=True)
    certs = {"root": pki.root, "int": pki.intermediate, "int2": int2}
    report = check("trusted-client-ca", pem(*(certs[n].cert for n in names)))
    assert dict(report.details)["client_cert_issuer_dn"] == certs[expected].name
    issuer = client_ca_issuer([certs[n].cert for n in names])
    assert issuer is not None
    assert issuer.subject.rfc4514_string() == certs[expected].name
    # The verdict module extracts the DN on its own: both must agree.
    assert client_issuer_dn(pem(*(certs[n].cert for n in names))) == issuer.subject


def test_cca008_intermediate_of_another_root(pki: Pki) -> None:
    report = check("trusted-client-ca", pem(pki.root.cert, pki.other_intermediate.cert))
    assert one(report, "CCA008") == pki.other_intermediate.name


def test_cca009_leaf_included(pki: Pki) -> None:
    report = check("trusted-client-ca", pem(pki.client.cert, pki.intermediate.cert, pki.root.cert))
    assert report.codes == {"CCA009"}
    assert report.ok
    assert one(report, "CCA009") == pki.client.name


def test_findings_are_json_ready(pki: Pki) -> None:
    report = check("trusted-client-ca", pem(pki.client.cert, pki.root.cert, pki.other_root.cert))
    data = report.to_dict()
    assert data["details"] == {"client_cert_issuer_dn": pki.root.name}
    findings = data["findings"]
    assert isinstance(findings, list)
    assert all(f["certificate"] for f in findings)


def test_findings_are_made_at_the_location_given(pki: Pki) -> None:
    inspection = inspect_upload(
        Slot.TRUSTED_ROOT,
        pem(pki.server.cert, pki.intermediate.cert),
        sku=Sku.STANDARD,
        now=NOW,
    )
    findings = inspection.findings("trustedRootCertificates[backend-root]")
    assert {f.code for f in findings} >= {"GEN006", "ROOT002", "ROOT004"}
    assert {f.location for f in findings} == {"trustedRootCertificates[backend-root]"}


def test_naive_now_is_refused(pki: Pki) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check_upload("trusted-root", pem(pki.root.cert), sku="v2", now=datetime(2026, 1, 1))  # noqa: DTZ001


def _serial_zero_roots() -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        roots = x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
        return [root for root in roots if root.serial_number <= 0]


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_real_roots_with_serial_zero_are_judged_in_every_public_slot(
    encoding: serialization.Encoding,
) -> None:
    # pytest turns warnings into errors here: cryptography's warning about the
    # serial number must not make a real root unreadable in any slot.
    roots = _serial_zero_roots()
    assert roots
    for root in roots:
        data = root.public_bytes(encoding)
        client_ca = check_upload("trusted-client-ca", data, sku="v2", now=NOW)
        assert not {"GEN001", "CCA004", "CCA005"} & client_ca.codes, client_ca
        trusted = check_upload("trusted-root", data, sku="v2", now=NOW)
        assert not {"GEN001", "ROOT002", "ROOT003"} & trusted.codes, trusted


def test_auth002_is_a_warning_when_the_leaf_follows_a_ca() -> None:
    """A v1 authentication file of [CA, leaf]: that only the first certificate counts is
    not documented, so AUTH002 warns; a file of CAs only is the documented error."""
    from appgw_certs import build_test_chain, check_upload

    chain = build_test_chain(["backend.contoso.com"])
    ca_then_leaf = chain.issuer.cer() + chain.server.cer()
    report = check_upload("authentication", ca_then_leaf, sku="Standard")
    auth002 = [f for f in report.findings if f.code == "AUTH002"]
    assert [f.severity.value for f in auth002] == ["warning"]
    only_ca = check_upload("authentication", chain.issuer.cer(), sku="Standard")
    assert [f.severity.value for f in only_ca.findings if f.code == "AUTH002"] == ["error"]
