"""describe's 0.2 additions against openssl: extensions, keys, requests, chain order, roots.

The oracle is the openssl CLI reading the same bytes (``x509 -ext``, ``req -text``,
``pkey -text``, ``-pubkey``), certifi's own bundle for "well known", and
cryptography's ``verify_directly_issued_by`` for who issued whom.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import warnings
from datetime import timedelta
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import AuthorityInformationAccessOID, ObjectIdentifier
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import AppGwCertError, describe
from appgw_certs._x509.describe import cert_info
from helpers.chain import NOW, PKITS, VECTORS, issue, name, new_key, pem
from helpers.hostile import call_loader, hostile_bytes, mutated, pem_damaged

_EXTENSIONS = (
    "subjectAltName,extendedKeyUsage,keyUsage,basicConstraints,subjectKeyIdentifier,"
    "authorityKeyIdentifier,authorityInfoAccess,crlDistributionPoints"
)
# openssl's long names (crypto/objects/objects.txt) for the short ones we print
OPENSSL_EKU = {
    "TLS Web Server Authentication": "serverAuth",
    "TLS Web Client Authentication": "clientAuth",
    "Code Signing": "codeSigning",
    "E-mail Protection": "emailProtection",
    "Time Stamping": "timeStamping",
    "OCSP Signing": "OCSPSigning",
    "Any Extended Key Usage": "anyExtendedKeyUsage",
    "Microsoft Server Gated Crypto": "msSGC",
    "Netscape Server Gated Crypto": "nsSGC",
    "ipsec Internet Key Exchange": "ipsecIKE",
    "Microsoft Smartcard Login": "msSmartcardLogin",
}
OPENSSL_KU = {
    "Digital Signature": "digitalSignature",
    "Non Repudiation": "nonRepudiation",
    "Key Encipherment": "keyEncipherment",
    "Data Encipherment": "dataEncipherment",
    "Key Agreement": "keyAgreement",
    "Certificate Sign": "keyCertSign",
    "CRL Sign": "cRLSign",
    "Encipher Only": "encipherOnly",
    "Decipher Only": "decipherOnly",
}


def _sections(openssl: str, cert: x509.Certificate) -> dict[str, str]:
    """``openssl x509 -ext ...`` split into {extension title: its indented body}."""
    out = subprocess.run(
        [openssl, "x509", "-noout", "-ext", _EXTENSIONS],
        input=pem(cert), capture_output=True, check=True,
    ).stdout.decode("utf-8", "replace")  # fmt: skip
    sections: dict[str, str] = {}
    title = ""
    for line in out.splitlines():
        if line and not line.startswith(" "):
            title = line.split(":")[0].removesuffix(" critical").strip()
            sections[title] = ""
        elif title:
            sections[title] += line.strip() + "\n"
    return sections


def _hex(text: str) -> str | None:
    """The key id: a first line of hex pairs (``keyid:`` before them in OpenSSL 3.0)."""
    first = text.split("\n", maxsplit=1)[0].removeprefix("keyid:")
    return first.replace(":", "") if re.fullmatch(r"[0-9A-F]{2}(:[0-9A-F]{2})*", first) else None


def _expected(openssl: str, cert: x509.Certificate) -> dict[str, object] | None:
    """What openssl reads; ``None`` when it refuses the certificate (odd names)."""
    try:
        s = _sections(openssl, cert)
    except subprocess.CalledProcessError:
        return None
    san = s.get("X509v3 Subject Alternative Name", "")
    eku = s.get("X509v3 Extended Key Usage", "").strip()
    ku = s.get("X509v3 Key Usage", "").strip()
    bc = s.get("X509v3 Basic Constraints", "")
    aia = s.get("Authority Information Access", "")
    length = re.search(r"pathlen:(\d+)", bc)
    return {
        "ip_addresses": tuple(
            str(ipaddress.ip_address(ip)) for ip in re.findall(r"IP Address:([0-9A-Fa-f:.]+)", san)
        ),
        "extended_key_usage": tuple(
            OPENSSL_EKU.get(u.strip(), u.strip()) for u in eku.split(",") if u.strip()
        ),
        "key_usage": tuple(OPENSSL_KU[u.strip()] for u in ku.split(",") if u.strip()),
        "path_length": int(length.group(1)) if length else None,
        "subject_key_id": _hex(s.get("X509v3 Subject Key Identifier", "")),
        "authority_key_id": _hex(s.get("X509v3 Authority Key Identifier", "")),
        "ocsp_urls": tuple(re.findall(r"OCSP - URI:(\S+)", aia)),
        "ca_issuers_urls": tuple(re.findall(r"CA Issuers - URI:(\S+)", aia)),
        "crl_urls": tuple(re.findall(r"URI:(\S+)", s.get("X509v3 CRL Distribution Points", ""))),
    }


# How a general name that is not a URI starts, as we print it
_NOT_URIS = ("DirName:", "DNS:", "RegisteredID:", "RFC822Name:", "IPAddress:", "OtherName:")


def _loaded(paths: list[Path]) -> list[tuple[str, x509.Certificate]]:
    """Certificates whose extensions cryptography parses (the others read as empty)."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in paths:
            data = path.read_bytes()
            try:
                certs = (
                    x509.load_pem_x509_certificates(data)
                    if b"-----BEGIN" in data
                    else [x509.load_der_x509_certificate(data)]
                )
                for cert in certs:
                    _ = cert.extensions
                    found.append((path.name, cert))
            except Exception:  # noqa: S112 - cryptography refuses it: not this test's business
                continue
    return found


REAL_WORLD = _loaded(
    [
        *sorted(VECTORS.glob("*.pem")),
        *sorted((VECTORS / "custom").glob("*.pem")),
        *sorted(PKITS.glob("*.crt"))[::8],
    ]
)
CERTIFI = _loaded([Path(certifi.where())])


def test_the_oracle_sets_are_large() -> None:
    assert len(REAL_WORLD) > 100
    assert len(CERTIFI) > 100


@pytest.mark.parametrize(
    ("label", "cert"), REAL_WORLD + CERTIFI[::4], ids=lambda v: v if isinstance(v, str) else ""
)
def test_extensions_agree_with_openssl(openssl: str, label: str, cert: x509.Certificate) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        info = cert_info(cert)
        expected = _expected(openssl, cert)
        assert str(info)
    if expected is None:
        return
    actual = {field: getattr(info, field) for field in expected}
    for field in ("ocsp_urls", "ca_issuers_urls", "crl_urls"):  # openssl's regexes take URIs
        actual[field] = tuple(v for v in actual[field] if not v.startswith(_NOT_URIS))
    assert actual == expected, label


def test_the_real_world_set_covers_every_extension() -> None:
    infos = [cert_info(cert) for _, cert in REAL_WORLD]
    for field in ("ip_addresses", "extended_key_usage", "key_usage", "subject_key_id",
                  "authority_key_id", "ocsp_urls", "ca_issuers_urls", "crl_urls"):  # fmt: skip
        assert any(getattr(info, field) for info in infos), field
    assert any(info.path_length == 0 for info in infos)


# -- keys, public keys, requests ---------------------------------------------------------


def _openssl_text(openssl: str, *args: str, data: bytes) -> str:
    return subprocess.run(
        [openssl, *args], input=data, capture_output=True, check=True
    ).stdout.decode()


KEYS = {
    "rsa-2048": lambda: rsa.generate_private_key(65537, 2048),
    "ec-p384": lambda: ec.generate_private_key(ec.SECP384R1()),
    "ed25519": ed25519.Ed25519PrivateKey.generate,
}


@pytest.mark.parametrize("kind", list(KEYS))
def test_private_and_public_keys_agree_with_openssl(openssl: str, kind: str) -> None:
    key = KEYS[kind]()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    text = _openssl_text(openssl, "pkey", "-text", "-noout", data=private)
    for data, what in ((private, "private key"), (public, "public key")):
        (described,) = describe(data).keys
        assert described.kind == what
        algorithm, _, size = described.key.partition(" ")
        if algorithm == "RSA":
            assert f"Private-Key: ({size} bit" in text
        elif algorithm == "EC":
            assert f"NIST CURVE: {size}" in text
        else:
            assert text.startswith(f"{algorithm.upper()} Private-Key")
        assert str(private.splitlines()[1]) not in str(described)  # no key material


REQUESTS = sorted((VECTORS / "requests").glob("*.pem"))


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: p.name)
def test_requests_agree_with_openssl_req(openssl: str, path: Path) -> None:
    data = path.read_bytes()
    shown = subprocess.run(
        [openssl, "req", "-text", "-noout", "-verify"], input=data, capture_output=True, check=False
    )
    keys = describe(data).keys
    assert len(keys) == 1
    request = keys[0]
    assert request.kind == "certificate request"
    if shown.returncode != 0 and b"verify" not in shown.stderr.lower():
        assert request.key == "unreadable" or request.signature_valid is not True
        return
    text = shown.stdout.decode("utf-8", "replace")
    size = re.search(r"Public-Key: \((\d+) bit\)", text)
    if size and request.key.startswith(("RSA", "DSA")):
        assert request.key.endswith(f" {size.group(1)}")
    try:
        _ = x509.load_pem_x509_csr(data).extensions
    except Exception:  # extensions cryptography cannot parse read as none
        assert request.dns_names == ()
    else:
        assert request.dns_names == tuple(re.findall(r"DNS:([^,\s]+)", text))
    verified = b"verify OK" in shown.stdout + shown.stderr
    if request.signature_valid is not None:
        assert request.signature_valid == verified, path.name


def test_a_key_names_the_certificate_it_fits_as_openssl_sees_it(openssl: str) -> None:
    root = issue("Keys Root")
    leaf = issue("keys.contoso.com", issuer=root, ca=False)
    key_pem = leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    data = pem(root.cert, leaf.cert) + key_pem
    # the oracle: openssl's public key of each certificate and of the key
    of_key = _openssl_text(openssl, "pkey", "-pubout", data=key_pem)
    fits = [
        _openssl_text(openssl, "x509", "-noout", "-pubkey", data=pem(c)) == of_key
        for c in (root.cert, leaf.cert)
    ]
    (key,) = describe(data).keys
    assert key.matches == fits.index(True) == 1


def test_an_encrypted_key_without_its_password_is_named_not_read() -> None:
    key = new_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"Secret123"),
    )
    (shut,) = describe(key).keys
    assert (shut.encrypted, shut.key) == (True, "encrypted: give its password")
    (opened,) = describe(key, "Secret123").keys
    assert (opened.encrypted, opened.key) == (True, "EC P-256")


def test_a_der_request_and_a_der_public_key_are_described() -> None:
    key = new_key()
    request = (
        x509.CertificateSigningRequestBuilder(name("der.contoso.com"))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("der.contoso.com"), x509.IPAddress(ipaddress.ip_address("10.1.2.3"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (described,) = describe(request.public_bytes(serialization.Encoding.DER)).keys
    assert described.dns_names == ("der.contoso.com",)
    assert described.ip_addresses == ("10.1.2.3",)
    assert described.signature_valid is True
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert describe(spki).keys[0].key == "EC P-256"


def test_a_pfx_describes_its_key(openssl: str, tmp_path: Path) -> None:
    from appgw_certs import build_test_chain

    chain = build_test_chain(["pfx.contoso.com"])
    infos = describe(chain.listener_pfx("Secret123"), "Secret123")
    (key,) = infos.keys
    assert key.kind == "private key"
    assert key.matches == infos[0].file_index == 0
    assert key.encrypted is True  # a 3DES key bag
    pfx = tmp_path / "l.pfx"
    pfx.write_bytes(chain.listener_pfx("Secret123"))
    text = _openssl_text(
        openssl, "pkcs12", "-in", str(pfx), "-nocerts", "-nodes", "-passin", "pass:Secret123",
        data=b"",
    )  # fmt: skip
    bits = _openssl_text(openssl, "pkey", "-text", "-noout", data=text.encode())
    assert f"({key.key.split()[1]} bit" in bits


# -- chain order, issuers, well-known roots ----------------------------------------------


def _issuer_positions(certs: list[x509.Certificate]) -> list[int | None]:
    """The oracle: cryptography's own signature check, pair by pair."""

    def issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
        try:
            child.verify_directly_issued_by(parent)
        except Exception:
            return False
        return child != parent

    return [next((j for j, p in enumerate(certs) if issued(c, p)), None) for c in certs]


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (2, 0, 3, 1), (1, 3, 0, 2)])
def test_order_and_issuer_positions(order: tuple[int, ...]) -> None:
    root = issue("Order Root")
    middle = issue("Order CA 1", issuer=root)
    lower = issue("Order CA 2", issuer=middle)
    leaf = issue("order.contoso.com", issuer=lower, ca=False)
    chain = [leaf.cert, lower.cert, middle.cert, root.cert]
    in_file = [chain[i] for i in order]
    infos = describe(pem(*in_file))
    assert [info.subject for info in infos] == [c.subject.rfc4514_string() for c in chain]
    assert infos.in_order == (order == (0, 1, 2, 3))
    expected = _issuer_positions(in_file)
    for info in infos:
        assert info.file_index is not None
        assert info.issuer_index == expected[info.file_index]
    assert infos.well_known_root is None


def test_unrelated_certificates_are_not_one_chain() -> None:
    infos = describe(pem(issue("A", ca=False).cert, issue("B", ca=False).cert))
    assert infos.in_order is None
    assert [info.file_index for info in infos] == [0, 1]


def _certifi_ders() -> set[bytes]:
    return {cert.public_bytes(serialization.Encoding.DER) for _, cert in CERTIFI}


@pytest.mark.parametrize(
    ("label", "root"), CERTIFI[::10], ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_certifi_root_is_well_known(label: str, root: x509.Certificate) -> None:
    assert root.public_bytes(serialization.Encoding.DER) in _certifi_ders()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        infos = describe(root)
    assert infos[0].well_known is True
    assert infos.well_known_root == infos[0].subject


def test_a_test_root_is_not_well_known() -> None:
    root = issue("Not Known Root")
    assert root.cert.public_bytes(serialization.Encoding.DER) not in _certifi_ders()
    assert describe(root.cert)[0].well_known is False


# -- hostile input -------------------------------------------------------------------------


def _hostile(names: list[x509.GeneralName], *extensions: x509.ExtensionType) -> x509.Certificate:
    key = new_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name("hostile"))
        .issuer_name(name("hostile"))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(key, hashes.SHA256())


def test_a_huge_san_is_read_whole_and_printed_short() -> None:
    names: list[x509.GeneralName] = [x509.DNSName(f"n{i}.contoso.com") for i in range(3000)]
    names += [
        x509.IPAddress(ipaddress.ip_address(f"10.0.{i // 256}.{i % 256}")) for i in range(2000)
    ]
    cert = _hostile(names)
    assert len(pem(cert)) < 1024 * 1024
    info = describe(pem(cert))[0]
    assert len(info.dns_names) == 3000
    assert len(info.ip_addresses) == 2000
    assert "and 1,980 more" in str(info)
    assert len(str(info)) < 10_000


def test_weird_extension_values_never_break_a_description() -> None:
    odd = x509.ObjectIdentifier("1.2.3.4.5.6.7")
    cert = _hostile(
        [x509.RegisteredID(odd), x509.UniformResourceIdentifier("http://x\x1b[2J/" + "a" * 5000)],
        x509.ExtendedKeyUsage([odd, ObjectIdentifier("2.5.29.37.0")]),
        x509.AuthorityInformationAccess(
            [
                x509.AccessDescription(
                    AuthorityInformationAccessOID.OCSP, x509.DirectoryName(name("d"))
                ),
                x509.AccessDescription(odd, x509.UniformResourceIdentifier("http://other")),
                x509.AccessDescription(
                    AuthorityInformationAccessOID.CA_ISSUERS, x509.RegisteredID(odd)
                ),
            ]
        ),
        x509.CRLDistributionPoints(
            [
                x509.DistributionPoint(
                    None, x509.RelativeDistinguishedName([x509.NameAttribute(odd, "r")]), None, None
                ),
                x509.DistributionPoint(
                    [x509.UniformResourceIdentifier("ldap://crl")], None, None, None
                ),
            ]
        ),
    )
    info = describe(cert)[0]
    assert info.extended_key_usage == ("1.2.3.4.5.6.7", "anyExtendedKeyUsage")
    assert info.ocsp_urls == ("DirName:CN=d",)
    assert info.ca_issuers_urls == ("RegisteredID:1.2.3.4.5.6.7",)
    assert info.crl_urls == ("ldap://crl",)
    assert str(info)
    assert info.to_dict()


@pytest.mark.parametrize(
    "data",
    [b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
     b"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n"],
    ids=["request", "public key"],
)  # fmt: skip
def test_broken_keys_and_requests_say_so(data: bytes) -> None:
    try:
        keys = describe(data).keys
    except AppGwCertError:
        return  # refused as a format error: ours, which is fine
    assert [k.key for k in keys] == ["unreadable"]


def test_too_many_keys_are_refused() -> None:
    public = (
        new_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(AppGwCertError, match="over the limit"):
        describe(public * 101)


def test_only_a_few_encrypted_keys_are_decrypted() -> None:
    from appgw_certs._x509.describe_keys import MAX_DECRYPTED

    def encrypted() -> bytes:
        return new_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"Secret123"),
        )

    keys = describe(b"".join(encrypted() for _ in range(MAX_DECRYPTED + 3)), "Secret123").keys
    assert [k.key for k in keys] == ["EC P-256"] * (MAX_DECRYPTED + 1) + [
        f"encrypted: not opened (only the first {MAX_DECRYPTED} are)"
    ] * 2
    assert all(k.encrypted for k in keys)


def test_the_notebook_table_lists_keys_escaped() -> None:
    hostile = "<b>x</b>.contoso.com"
    key = new_key()
    request = x509.CertificateSigningRequestBuilder(name(hostile)).sign(key, hashes.SHA256())
    infos = describe(request.public_bytes(serialization.Encoding.PEM))
    table = infos._repr_html_()
    assert "<td>certificate request</td><td>EC P-256</td><td>none</td>" in table
    assert "<b>x</b>" not in table
    assert "CN=\\&lt;b\\&gt;x" in table  # RFC 4514 escapes, then HTML


def _seed_file() -> bytes:
    """A certificate, a key, a request and a public key in one PEM: each reader's input."""
    root = issue("Fuzz Root")
    leaf = issue("fuzz.contoso.com", issuer=root, ca=False, dns=("fuzz.contoso.com",))
    request = x509.CertificateSigningRequestBuilder(name("fuzz")).sign(leaf.key, hashes.SHA256())
    return (
        pem(leaf.cert, root.cert)
        + leaf.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        + request.public_bytes(serialization.Encoding.PEM)
        + leaf.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


SEED = _seed_file()


@given(data=st.one_of(mutated(SEED), pem_damaged(SEED), hostile_bytes()))
@settings(max_examples=150)
def test_describe_of_damaged_input_raises_only_our_errors(data: bytes) -> None:
    def look() -> object:
        infos = describe(data)
        return str(infos) + infos._repr_html_() + str(infos.to_dicts())

    outcome = call_loader("describe", look, AppGwCertError)
    assert isinstance(outcome, str | AppGwCertError)


def test_the_list_as_json_holds_chain_certificates_and_keys() -> None:
    import json

    root = issue("Json Root")
    leaf = issue("json.contoso.com", issuer=root, ca=False)
    key = leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    data = json.loads(json.dumps(describe(pem(root.cert, leaf.cert) + key).to_dict()))
    assert data["chain"] == {"in_order": False, "well_known_root": None, "order": [1, 0]}
    assert [c["file_index"] for c in data["certificates"]] == [1, 0]
    assert [(k["kind"], k["matches"]) for k in data["keys"]] == [("private key", 1)]


def test_a_der_key_says_whether_it_was_encrypted() -> None:
    key = new_key()
    for encryption, encrypted in (
        (serialization.NoEncryption(), False),
        (serialization.BestAvailableEncryption(b"Secret123"), True),
    ):
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, encryption
        )
        (described,) = describe(der, "Secret123").keys
        assert (described.key, described.encrypted) == ("EC P-256", encrypted)
