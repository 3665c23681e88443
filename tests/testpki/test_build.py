"""Test chains: what a careful CA issues, checked by cryptography's verifier and openssl."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID
from cryptography.x509.verification import VerificationError

from appgw_certs import (
    Credential,
    KeyType,
    TestChain,
    build_self_signed,
    build_test_chain,
    load_pfx,
)
from helpers.build import (
    HOSTNAMES,
    NOW,
    certs,
    chain_of,
    client_of,
    openssl_verify,
    verify_client,
    verify_server,
)

# Every key type with 0-3 intermediates, except RSA-4096 (the slowest keys): 0 and 3 only.
SHAPES = [
    (key_type, n)
    for key_type in KeyType
    for n in range(4)
    if key_type is not KeyType.RSA_4096 or n in (0, 3)
]
SHAPE_IDS = [f"{k.value}-{n}" for k, n in SHAPES]
EC = KeyType.EC_P256
SERVER_NAMES = ["www.contoso.com", "api.contoso.com", "10.0.0.4", "::1"]  # api: by the wildcard


def all_certificates(chain: TestChain) -> list[x509.Certificate]:
    return certs(chain.root, *chain.intermediates, chain.server)


# --- verified by real verifiers -------------------------------------------------


@pytest.mark.parametrize(("key_type", "intermediates"), SHAPES, ids=SHAPE_IDS)
def test_server_leaf_verifies_with_cryptography_default_policy(
    key_type: KeyType, intermediates: int
) -> None:
    chain = chain_of(key_type, intermediates)
    for name in SERVER_NAMES:
        path = verify_server(chain, chain.server, name)
        assert path == all_certificates(chain)[::-1]
    with pytest.raises(VerificationError):
        verify_server(chain, chain.server, "www.fabrikam.com")


@pytest.mark.parametrize(("key_type", "intermediates"), SHAPES, ids=SHAPE_IDS)
def test_client_leaf_verifies_with_cryptography_default_policy(
    key_type: KeyType, intermediates: int
) -> None:
    chain = chain_of(key_type, intermediates)
    verified = verify_client(chain, client_of(key_type, intermediates))
    assert verified.subjects == [x509.RFC822Name("alice@contoso.com")]
    with pytest.raises(VerificationError):  # a server leaf is no client
        verify_client(chain, chain.server)


@pytest.mark.parametrize(("key_type", "intermediates"), SHAPES, ids=SHAPE_IDS)
def test_openssl_verify_accepts_server_and_client_leaves_for_their_purpose(
    openssl: str, tmp_path: Path, key_type: KeyType, intermediates: int
) -> None:
    chain = chain_of(key_type, intermediates)
    client = client_of(key_type, intermediates)
    for leaf, purpose in ((chain.server, "sslserver"), (client, "sslclient")):
        result = openssl_verify(openssl, tmp_path, chain, leaf, purpose)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip().endswith(": OK")
    wrong = openssl_verify(openssl, tmp_path, chain, chain.server, "sslclient")
    assert wrong.returncode != 0
    assert "unsuitable certificate purpose" in wrong.stdout + wrong.stderr


def test_openssl_refuses_a_chain_without_its_intermediates(openssl: str, tmp_path: Path) -> None:
    chain = chain_of(EC, 2)
    truncated = TestChain(chain.root, chain.intermediates[:1], chain.server)
    result = openssl_verify(openssl, tmp_path, truncated, chain.server, "sslserver")
    assert result.returncode != 0
    assert "unable to get local issuer certificate" in result.stdout + result.stderr


# --- what a careful CA issues ---------------------------------------------------


@pytest.mark.parametrize(("key_type", "intermediates"), SHAPES, ids=SHAPE_IDS)
def test_certificates_are_what_a_careful_ca_issues(key_type: KeyType, intermediates: int) -> None:
    chain = chain_of(key_type, intermediates)
    cas = certs(chain.root, *chain.intermediates)
    for depth, ca in enumerate(cas):
        basic = ca.extensions.get_extension_for_class(x509.BasicConstraints)
        assert basic.critical
        assert basic.value.ca
        assert basic.value.path_length == intermediates - depth  # as tight as it can be
        usage = ca.extensions.get_extension_for_class(x509.KeyUsage)
        assert usage.critical
        assert usage.value.key_cert_sign
        assert usage.value.crl_sign
        assert not usage.value.digital_signature
    for leaf in (chain.server, client_of(key_type, intermediates)):
        leaf_usage = leaf.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        assert leaf_usage.digital_signature
        assert leaf_usage.key_encipherment == key_type.is_rsa
        assert not leaf_usage.key_cert_sign
        assert not leaf.certificate.extensions.get_extension_for_class(
            x509.BasicConstraints
        ).value.ca
        for oid in (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, ExtensionOID.EXTENDED_KEY_USAGE):
            assert not leaf.certificate.extensions.get_extension_for_oid(oid).critical
    issuers = [chain.root.certificate, *cas]  # the root signs itself
    for cert, issuer in zip(all_certificates(chain), issuers, strict=True):
        assert_identifiers_and_signature(cert, issuer, key_type)


def assert_identifiers_and_signature(
    cert: x509.Certificate, issuer: x509.Certificate, key_type: KeyType
) -> None:
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert not ski.critical
    assert not aki.critical
    assert ski.value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.value.key_identifier == issuer_ski.digest
    assert cert.issuer == issuer.subject
    cert.verify_directly_issued_by(issuer)
    expected = hashes.SHA384 if key_type is KeyType.EC_P384 else hashes.SHA256
    assert isinstance(cert.signature_hash_algorithm, expected)
    assert cert.version is x509.Version.v3
    assert 0 < cert.serial_number < 2**159
    assert cert.serial_number.bit_length() > 64  # random: fails once in 2**95
    assert cert.not_valid_before_utc.tzinfo is UTC


def test_serials_differ_across_certificates() -> None:
    serials = [c.serial_number for c in all_certificates(chain_of(EC, 3))]
    assert len(set(serials)) == len(serials)


def test_leaf_names_host_names_and_organization() -> None:
    chain = build_test_chain(
        ["WWW.Contoso.com", "10.0.0.4", "www.contoso.com", "2001:db8::1", "*.api.contoso.com"],
        key_type=EC,
        organization="Contoso Ltd",
    )
    san = chain.server.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.DNSName) == ["www.contoso.com", "*.api.contoso.com"]
    assert [str(ip) for ip in san.value.get_values_for_type(x509.IPAddress)] == [
        "10.0.0.4",
        "2001:db8::1",
    ]
    assert chain.server.certificate.subject.rfc4514_string() == "CN=www.contoso.com,O=Contoso Ltd"
    assert (
        chain.root.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        == "Contoso Ltd"
    )
    eku = chain.server.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert list(eku.value) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_common_name_is_the_first_host_name_cut_to_64_characters() -> None:
    long_name = ".".join(["a" * 60, "b" * 60, "contoso", "com"])
    leaf = build_self_signed([long_name], key_type=EC).certificate
    common_name = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == long_name[:64]
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value == (
        x509.SubjectAlternativeName([x509.DNSName(long_name)])
    )


def test_chains_built_apart_have_distinct_ca_names() -> None:
    first, second = build_test_chain(key_type=EC), build_test_chain(key_type=EC)
    assert first.root.certificate.subject != second.root.certificate.subject
    assert first.issuer.certificate.subject != second.issuer.certificate.subject


def test_issuer_is_the_last_intermediate_else_the_root() -> None:
    assert chain_of(EC, 0).issuer is chain_of(EC, 0).root
    assert chain_of(EC, 3).issuer is chain_of(EC, 3).intermediates[-1]
    assert [c.certificate.issuer for c in chain_of(EC, 3).intermediates] == [
        c.certificate.subject for c in (chain_of(EC, 3).root, *chain_of(EC, 3).intermediates[:-1])
    ]


# --- issue_server / issue_client --------------------------------------------------


def test_issue_server_with_another_key_type_is_signed_by_the_issuer() -> None:
    chain = chain_of(KeyType.EC_P384, 1)
    leaf = chain.issue_server(["api.fabrikam.com", "192.0.2.7"], key_type=KeyType.RSA_2048)
    assert isinstance(leaf.private_key, rsa.RSAPrivateKey)
    assert isinstance(leaf.certificate.signature_hash_algorithm, hashes.SHA384)  # P-384 signer
    assert leaf.certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_encipherment
    verify_server(chain, leaf, "api.fabrikam.com")
    verify_server(chain, leaf, "192.0.2.7")
    org = leaf.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert org == "appgw-certs test"


def test_issued_leaves_default_to_the_issuers_key_type() -> None:
    chain = chain_of(KeyType.EC_P384, 0)
    leaf = chain.issue_server(["www.contoso.com"])
    assert isinstance(leaf.private_key, ec.EllipticCurvePrivateKey)
    assert leaf.private_key.curve.name == "secp384r1"
    client = chain.issue_client("device 7", key_type="ec-p256")
    assert isinstance(client.private_key, ec.EllipticCurvePrivateKey)
    assert client.private_key.curve.name == "secp256r1"


@pytest.mark.parametrize(
    ("common_name", "expected"),
    [
        ("alice@contoso.com", "rfc822"),
        ("Alice Smith", "directory"),
        ("not-an-email@", "directory"),
        ("bob@exa mple.com", "directory"),
    ],
)
def test_client_san_is_the_email_else_the_subject(common_name: str, expected: str) -> None:
    chain = chain_of(EC, 1)
    client = chain.issue_client(common_name)
    san = client.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    if expected == "rfc822":
        assert list(san) == [x509.RFC822Name(common_name)]
    else:
        assert list(san) == [x509.DirectoryName(client.certificate.subject)]
    assert verify_client(chain, client).subjects == list(san)
    eku = client.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]


# --- validity windows -------------------------------------------------------------


def test_default_window_starts_an_hour_ago_and_lasts_valid_days() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    leaf = build_self_signed(["www.contoso.com"], key_type=EC, valid_days=10).certificate
    start = leaf.not_valid_before_utc
    assert before - timedelta(hours=1, seconds=2) <= start <= before - timedelta(minutes=59)
    assert leaf.not_valid_after_utc - start == timedelta(days=10)


def test_expired_chain_fails_now_and_verifies_inside_its_window() -> None:
    start = datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=timezone(timedelta(hours=-5)))
    chain = build_test_chain(key_type=EC, not_before=start, valid_days=30)
    for cert in all_certificates(chain):
        assert cert.not_valid_before_utc == datetime(2001, 2, 3, 9, 5, 6, tzinfo=UTC)
        assert cert.not_valid_after_utc == datetime(2001, 3, 5, 9, 5, 6, tzinfo=UTC)
    with pytest.raises(VerificationError, match=r"expired|validity|not valid"):
        verify_server(chain, chain.server, "www.contoso.com")
    verify_server(chain, chain.server, "www.contoso.com", at=start + timedelta(days=29))


def test_not_yet_valid_chain_and_a_window_past_2050() -> None:
    start = NOW + timedelta(days=365 * 40)
    chain = build_test_chain(key_type=EC, not_before=start, valid_days=3)
    with pytest.raises(VerificationError):
        verify_server(chain, chain.server, "www.contoso.com")
    verify_server(chain, chain.server, "www.contoso.com", at=start + timedelta(days=1))


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hostnames": []}, r"hostnames: at least one"),
        ({"hostnames": ["www.contoso .com"]}, r"hostnames\[0\].*letters, digits"),
        ({"hostnames": ["a", "www..contoso.com"]}, r"hostnames\[1\].*empty label"),
        ({"hostnames": ["contoso.com."]}, r"empty label"),
        ({"hostnames": [".".join(["a" * 63] * 4)]}, r"255 characters.*at most 253"),
        ({"hostnames": ["a" * 64 + ".com"]}, r"at most 63"),
        ({"hostnames": ["*.com"]}, r"wildcard"),
        ({"hostnames": ["www.*.com"]}, r"hostnames\[0\]"),
        ({"hostnames": ["-bad.contoso.com"]}, r"hostnames\[0\]"),
        ({"hostnames": ["under_score.contoso.com"]}, r"hostnames\[0\]"),
        ({"hostnames": ["café.contoso.com"]}, r"xn--"),
        ({"hostnames": ["1.2.3.999"]}, r"all digits"),
        ({"hostnames": ["fe80::1%eth0"]}, r"hostnames\[0\]"),
        ({"hostnames": [""]}, r"hostnames\[0\]"),
        ({"hostnames": [b"www.contoso.com"]}, r"hostnames\[0\]: must be a string"),
        ({"intermediates": -1}, r"intermediates: must be between 0 and 5"),
        ({"intermediates": 6}, r"intermediates: must be between 0 and 5"),
        ({"intermediates": True}, r"intermediates: must be an int"),
        ({"valid_days": 0}, r"valid_days: .*> 0"),
        ({"valid_days": -30}, r"valid_days"),
        ({"valid_days": 1.5}, r"valid_days"),
        ({"not_before": datetime(2030, 1, 1)}, r"not_before: must be a timezone-aware"),  # noqa: DTZ001
        ({"not_before": datetime(1949, 12, 31, tzinfo=UTC)}, r"1950"),
        ({"not_before": datetime(9999, 1, 1, tzinfo=UTC)}, r"9999"),
        ({"valid_days": 10**12}, r"not_before, valid_days"),
        ({"not_before": datetime.max.replace(tzinfo=timezone(-timedelta(hours=5)))}, r"9999"),
        ({"not_before": datetime.min.replace(tzinfo=timezone(timedelta(hours=5)))}, r"1950"),
        ({"key_type": "dsa"}, r"key_type: must be a KeyType"),
        ({"organization": ""}, r"organization: must be a non-empty"),
        ({"organization": "x" * 65}, r"organization: at most 64"),
    ],
)
def test_bad_arguments_raise_value_error_naming_argument_and_rule(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_test_chain(**kwargs)  # type: ignore[arg-type]


def test_bad_arguments_of_the_other_builders() -> None:
    chain = chain_of(EC, 0)
    with pytest.raises(ValueError, match="common_name"):
        chain.issue_client("")
    with pytest.raises(ValueError, match="common_name: at most 64"):
        chain.issue_client("x" * 65)
    with pytest.raises(ValueError, match="hostnames"):
        chain.issue_server([])
    with pytest.raises(ValueError, match="valid_days"):
        chain.issue_client("alice", valid_days=0)
    with pytest.raises(ValueError, match="hostnames"):
        build_self_signed(["no spaces.com"], ca=True)
    with pytest.raises(ValueError, match="encoding"):
        chain.root.cer("pem")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="password: must not be empty"):
        chain.server.key_pem("")
    with pytest.raises(ValueError, match="key_type"):
        KeyType.of(ed25519.Ed25519PrivateKey.generate())


def test_a_bare_string_is_one_host_name() -> None:
    leaf = build_self_signed("www.contoso.com", key_type=EC).certificate
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["www.contoso.com"]


# --- self-signed ---------------------------------------------------------------------


@pytest.mark.parametrize("ca", [False, True])
def test_self_signed_verifies_with_openssl_as_its_own_anchor(
    openssl: str, tmp_path: Path, ca: bool
) -> None:
    cred = build_self_signed(["backend.contoso.com", "10.1.2.3"], ca=ca, key_type=EC)
    cert = cred.certificate
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical
    assert basic.value.ca is ca
    assert basic.value.path_length == (0 if ca else None)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.key_cert_sign is ca
    assert usage.crl_sign is ca
    assert cert.issuer == cert.subject
    assert_identifiers_and_signature(cert, cert, KeyType.EC_P256)
    alone = TestChain(cred, (), cred)
    result = openssl_verify(openssl, tmp_path, alone, cred, "sslserver")
    assert result.returncode == 0, result.stdout + result.stderr


def test_self_signed_leaf_verifies_with_cryptography_when_trusted_directly() -> None:
    cred = build_self_signed(["backend.contoso.com"], key_type=KeyType.EC_P384)
    verify_server(TestChain(cred, (), cred), cred, "backend.contoso.com")


def test_self_signed_ca_is_refused_as_a_leaf_by_the_webpki_policy() -> None:
    # CA:TRUE on a server certificate is what Azure v2 wants of a self-signed
    # backend; the WebPKI policy refuses a CA as end entity, so this documents why
    # build_self_signed(ca=True) is not verified with cryptography's verifier.
    cred = build_self_signed(["backend.contoso.com"], ca=True, key_type=EC)
    with pytest.raises(VerificationError):
        verify_server(TestChain(cred, (), cred), cred, "backend.contoso.com")


# --- what each upload slot gets ----------------------------------------------------


def test_upload_files_hold_the_right_certificates_in_order() -> None:
    chain = chain_of(EC, 2)
    root, first, second = chain.root, *chain.intermediates
    assert x509.load_pem_x509_certificates(chain.backend_chain_pem()) == certs(
        chain.server, second, first
    )
    assert x509.load_pem_x509_certificates(chain.client_ca_cer()) == certs(second, first, root)
    assert x509.load_pem_x509_certificates(chain.trusted_root_cer()) == certs(root)
    assert x509.load_der_x509_certificate(chain.trusted_root_cer("der")) == root.certificate
    assert x509.load_pem_x509_certificates(chain.authentication_cer()) == certs(chain.server)
    assert x509.load_der_x509_certificate(chain.authentication_cer("der")) == (
        chain.server.certificate
    )
    for data in (chain.backend_chain_pem(), chain.client_ca_cer(), chain.trusted_root_cer()):
        assert b"PRIVATE KEY" not in data


@pytest.mark.parametrize(
    ("profile", "key_algorithm"),
    [("compatible", "pbeWithSHA1And3-KeyTripleDES-CBC"), ("modern", "AES-256-CBC")],
)
def test_listener_pfx_is_read_by_openssl_without_legacy(
    openssl: str, tmp_path: Path, profile: str, key_algorithm: str
) -> None:
    chain = chain_of(KeyType.RSA_2048, 2)
    pfx_file = tmp_path / "listener.pfx"
    pfx_file.write_bytes(chain.listener_pfx("Pa55word", profile=profile))  # type: ignore[arg-type]
    result = subprocess.run(
        [openssl, "pkcs12", "-info", "-nokeys", "-in", str(pfx_file), "-passin", "pass:Pa55word"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert key_algorithm in result.stdout + result.stderr
    subjects = [line for line in result.stdout.splitlines() if line.startswith("subject=")]
    expected = [chain.server, *reversed(chain.intermediates), chain.root]
    assert len(subjects) == len(expected)
    for line, cred in zip(subjects, expected, strict=True):
        common_name = cred.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]
        assert f"CN = {common_name.value!s}" in line
    loaded = pkcs12.load_pkcs12(pfx_file.read_bytes(), b"Pa55word")
    assert loaded.cert is not None
    assert loaded.cert.certificate == chain.server.certificate
    assert [c.certificate for c in loaded.additional_certs] == certs(*expected[1:])
    assert loaded.key is not None
    assert loaded.key.public_key() == chain.server.private_key.public_key()


def test_listener_pfx_profiles_as_the_library_reads_them() -> None:
    chain = chain_of(EC, 1)
    compatible = load_pfx(chain.listener_pfx("Pa55word"), "Pa55word")
    assert compatible.encryption.azure_compatible
    assert compatible.certificate == chain.server.certificate
    modern = load_pfx(chain.listener_pfx(b"Pa55word", profile="modern"), b"Pa55word")
    assert not modern.encryption.azure_compatible


def test_credential_pfx_takes_credentials_or_certificates_as_chain() -> None:
    chain = chain_of(EC, 1)
    client = client_of(EC, 1)
    from_creds = pkcs12.load_pkcs12(client.pfx("pw12", chain=[chain.issuer, chain.root]), b"pw12")
    from_certs = pkcs12.load_pkcs12(
        client.pfx("pw12", chain=certs(chain.issuer, chain.root), friendly_name="alice"), b"pw12"
    )
    for loaded in (from_creds, from_certs):
        assert [c.certificate for c in loaded.additional_certs] == certs(chain.issuer, chain.root)
    assert from_certs.cert is not None
    assert from_certs.cert.friendly_name == b"alice"
    unencrypted = pkcs12.load_pkcs12(client.pfx(None), None)  # on purpose only
    assert unencrypted.cert is not None
    assert unencrypted.cert.certificate == client.certificate


# --- Credential -----------------------------------------------------------------------


def test_key_pem_is_pkcs8_and_encrypted_only_with_a_password(openssl: str, tmp_path: Path) -> None:
    cred = chain_of(KeyType.RSA_2048, 0).server
    plain = cred.key_pem()
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, not "RSA PRIVATE KEY"
    encrypted = cred.key_pem("correct horse")
    assert encrypted.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(encrypted, None)
    reloaded = serialization.load_pem_private_key(encrypted, b"correct horse")
    assert reloaded.public_key() == cred.private_key.public_key()
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(encrypted)
    result = subprocess.run(
        [openssl, "pkey", "-in", str(key_file), "-passin", "pass:correct horse", "-pubout"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    public_pem = cred.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert result.stdout == public_pem


def test_repr_never_shows_the_key() -> None:
    chain = chain_of(EC, 1)
    cred = chain.server
    key_numbers = str(cred.private_key.private_numbers().private_value)  # type: ignore[union-attr]
    for text in (repr(cred), repr(chain), str(cred)):
        assert "private_key" not in text
        assert key_numbers not in text
        assert "PRIVATE KEY" not in text
    assert "www.contoso.com" in repr(cred)


def test_credential_is_a_frozen_value() -> None:
    cred = chain_of(EC, 0).server
    with pytest.raises(AttributeError):
        cred.certificate = cred.certificate  # type: ignore[misc]
    assert Credential(cred.certificate, cred.private_key) == cred


def test_key_type_values_are_the_cli_spellings_and_generate_their_keys() -> None:
    assert [k.value for k in KeyType] == ["rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384"]
    for key_type in (KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_2048):
        assert KeyType.of(key_type.generate()) is key_type
    assert HOSTNAMES[0] == "www.contoso.com"


def test_common_name_of_an_ip_is_its_canonical_text() -> None:
    leaf = build_self_signed(["2001:0DB8:0000::0001", "www.contoso.com"], key_type=EC)
    subject = leaf.certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "2001:db8::1"
