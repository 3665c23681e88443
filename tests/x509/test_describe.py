"""describe / CertInfo against what the openssl CLI reads from the same certificates."""

from __future__ import annotations

import copy
import dataclasses
import html
import json
import pickle
import subprocess
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.utils import CryptographyDeprecationWarning
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import CertInfo, KeyType, TestChain, build_test_chain, describe
from appgw_certs._x509.describe import CertInfoList, cert_info
from helpers.chain import VECTORS, issue, name, pem, vector

REAL_WORLD = [
    "cryptography.io.pem",
    "rapidssl_sha256_ca_g3.pem",
    "accvraiz1.pem",
    "ecdsa_root.pem",
    "custom/negative_serial.pem",
    "department-of-state-root.pem",
]


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(("www.contoso.com", "api.contoso.com"), key_type=KeyType.EC_P256)


def openssl_fields(openssl: str, cert: x509.Certificate) -> dict[str, str]:
    out = subprocess.run(
        [openssl, "x509", "-noout", "-serial", "-enddate", "-startdate", "-fingerprint", "-sha1",
         "-subject", "-issuer", "-nameopt", "RFC2253,-esc_msb"],
        input=pem(cert), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    sha256 = subprocess.run(
        [openssl, "x509", "-noout", "-fingerprint", "-sha256"],
        input=pem(cert), capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    fields = dict(line.split("=", 1) for line in (out + sha256).splitlines())
    return {k.strip(): v.strip() for k, v in fields.items()}


def openssl_names(rfc4514: str) -> str:
    """RFC 4514 has no short name for postalCode and spells STREET in capitals; OpenSSL differs."""
    return rfc4514.replace("2.5.4.17=", "postalCode=").replace("STREET=", "street=")


def openssl_time(text: str) -> datetime:
    return datetime.strptime(text, "%b %d %H:%M:%S %Y GMT").replace(tzinfo=UTC)


def _quiet(cert_file: str) -> x509.Certificate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)  # negative serial
        return vector(cert_file)[0]


@pytest.mark.parametrize("cert_file", REAL_WORLD)
def test_fields_agree_with_openssl(openssl: str, cert_file: str) -> None:
    cert = _quiet(cert_file)
    info = cert_info(cert)
    expected = openssl_fields(openssl, cert)
    assert info.serial_number == expected["serial"]
    assert info.sha1_thumbprint == expected["sha1 Fingerprint"].replace(":", "")
    assert info.sha256_fingerprint == expected["sha256 Fingerprint"].replace(":", "")
    assert info.not_after == openssl_time(expected["notAfter"])
    assert info.not_before == openssl_time(expected["notBefore"])
    assert openssl_names(info.subject) == expected["subject"]
    assert openssl_names(info.issuer) == expected["issuer"]


@pytest.mark.parametrize("cert_file", REAL_WORLD)
def test_key_and_signature_agree_with_openssl_text(openssl: str, cert_file: str) -> None:
    cert = _quiet(cert_file)
    info = cert_info(cert)
    text = subprocess.run(
        [openssl, "x509", "-noout", "-text"], input=pem(cert), capture_output=True, check=True
    ).stdout.decode()
    assert f"Signature Algorithm: {info.signature_algorithm}" in text
    kind, size = info.key.split()
    if kind == "RSA":
        assert f"Public-Key: ({size} bit)" in text
    else:
        assert kind == "EC"
        assert f"NIST CURVE: {size}" in text or f"({size.removeprefix('P-')} bit)" in text
    assert info.is_ca == ("CA:TRUE" in text)


def test_pfx_in_chain_order_with_roles(chain: TestChain) -> None:
    infos = describe(chain.listener_pfx("Passw0rd1"), "Passw0rd1")
    assert isinstance(infos, CertInfoList)
    assert [i.role for i in infos] == ["leaf", "intermediate", "root"]
    assert [i.subject for i in infos] == [
        c.certificate.subject.rfc4514_string()
        for c in (chain.server, *chain.intermediates, chain.root)
    ]
    leaf, _, root = infos
    assert leaf.dns_names == ("www.contoso.com", "api.contoso.com")
    assert leaf.key == "EC P-256"
    assert (leaf.is_ca, leaf.is_self_signed) == (False, False)
    assert (root.is_ca, root.is_self_signed) == (True, True)


@pytest.mark.parametrize("form", ["der", "pkcs7", "path", "objects"])
def test_every_input_form(tmp_path: Path, chain: TestChain, form: str) -> None:
    middle = [c.certificate for c in chain.intermediates]
    certs = [chain.root.certificate, *middle, chain.server.certificate]
    path = tmp_path / "chain.pem"
    path.write_bytes(pem(*certs))
    sources: dict[str, object] = {
        "der": chain.server.cer("der"),
        "pkcs7": pkcs7.serialize_certificates(certs, serialization.Encoding.PEM),
        "path": path,
        "objects": certs,
    }
    infos = describe(sources[form])  # type: ignore[arg-type]
    assert infos[0].subject == chain.server.certificate.subject.rfc4514_string()


def test_roles_of_lone_certificates() -> None:
    root = issue("Lone Root")
    intermediate = issue("Lone CA", issuer=root).cert
    self_signed_leaf = issue("www.contoso.com", ca=False).cert
    assert describe(root.cert)[0].role == "root"
    assert describe(intermediate)[0].role == "intermediate"
    info = describe(self_signed_leaf)[0]
    assert (info.role, info.is_self_signed) == ("leaf", True)


def test_unrelated_certificates_keep_the_input_order() -> None:
    a, b = issue("A", ca=False).cert, issue("B", ca=False).cert
    assert [i.subject for i in describe([b, a])] == ["CN=B", "CN=A"]


def test_html_table_escapes_names() -> None:
    hostile = issue(name("<script>alert(1)</script>"), ca=False).cert
    infos = describe([hostile])
    table = infos._repr_html_()
    assert table.startswith("<table>")
    assert "<script>" not in table
    assert "script" in infos[0].subject
    assert html.escape(infos[0].subject) in table
    assert table.count("<tr>") == 1 + len(infos)


def test_text_is_readable(chain: TestChain) -> None:
    infos = describe(chain.backend_chain_pem())
    text = str(infos)
    for info in infos:
        assert info.subject in text
        assert info.sha1_thumbprint in text
    assert "www.contoso.com, api.contoso.com" in text
    assert str(CertInfoList()) == "(no certificates)"


def test_to_dict_is_json(chain: TestChain) -> None:
    info = describe(chain.server.certificate)[0]
    assert isinstance(info, CertInfo)
    data = json.loads(json.dumps(describe(chain.server.certificate).to_dicts()))[0]
    assert data["sha1_thumbprint"] == info.sha1_thumbprint
    assert datetime.fromisoformat(data["not_after"]) == info.not_after


def _all_vector_certificates() -> list[x509.Certificate]:
    certs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        for path in sorted(VECTORS.glob("**/*.pem")):
            if "PKITS" in path.parts or "requests" in path.parts:
                continue
            try:
                certs += x509.load_pem_x509_certificates(path.read_bytes())
            except Exception:  # noqa: S112 - InvalidVersion etc.: cryptography refuses it
                continue
    return certs


def test_describe_never_fails_on_real_world_certificates() -> None:
    certs = _all_vector_certificates()
    assert len(certs) > 100
    with warnings.catch_warnings():
        # Reading some odd vectors' fields warns (negative serials): not our doing.
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        infos = [cert_info(cert) for cert in certs]
    assert all(info.role in ("leaf", "intermediate", "root") for info in infos)
    assert all(len(info.sha1_thumbprint) == 40 for info in infos)
    assert str(CertInfoList(infos))


# -- fields read when first looked at -------------------------------------------

FIELDS = tuple(field.name for field in dataclasses.fields(CertInfo))


def _eager(info: CertInfo) -> CertInfo:
    """The same description built the ordinary way, every field given."""
    return CertInfo(**{field: getattr(info, field) for field in FIELDS})


def test_a_field_is_read_only_when_looked_at(chain: TestChain) -> None:
    info = cert_info(chain.issue_server(["lazy.contoso.com"]).certificate)
    assert info.not_after > info.not_before
    assert "subject" not in vars(info)  # not rendered: nobody asked for it
    assert info.subject.startswith("CN=lazy.contoso.com")
    assert "subject" in vars(info)  # kept, not read again


@given(order=st.permutations(FIELDS))
@settings(max_examples=25, deadline=None)
def test_fields_do_not_depend_on_the_order_they_are_read_in(
    chain: TestChain, order: list[str]
) -> None:
    cert = chain.issuer.certificate
    info = cert_info(cert)
    values = {field: getattr(info, field) for field in order}
    as_json = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    assert as_json == cert_info(cert).to_dict() | {
        "not_before": info.not_before,
        "not_after": info.not_after,
    }


@pytest.mark.parametrize("cert_file", REAL_WORLD)
def test_a_lazy_description_is_an_ordinary_certinfo(cert_file: str) -> None:
    lazy = cert_info(_quiet(cert_file))
    eager = _eager(cert_info(_quiet(cert_file)))
    assert lazy == eager
    assert hash(lazy) == hash(eager)
    assert repr(lazy) == repr(eager)
    assert dataclasses.asdict(lazy) == dataclasses.asdict(eager)
    assert dataclasses.replace(lazy, role="leaf") == dataclasses.replace(eager, role="leaf")
    assert copy.deepcopy(lazy) == eager


def test_a_lazy_description_pickles_without_its_certificate(chain: TestChain) -> None:
    # Audits of a gateway list come back from worker processes pickled, and a
    # cryptography certificate cannot be pickled.
    info = cert_info(chain.root.certificate)
    back = pickle.loads(pickle.dumps(info))  # noqa: S301 - our own bytes
    assert back == info
    assert "_certificate" not in vars(back)
    assert back.role == "root"


def test_a_given_role_is_kept(chain: TestChain) -> None:
    assert cert_info(chain.root.certificate, role="intermediate").role == "intermediate"


def test_unknown_names_are_still_attribute_errors(chain: TestChain) -> None:
    info = cert_info(chain.root.certificate)
    with pytest.raises(AttributeError):
        info.thumbprint  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        info._certificate_not_there  # type: ignore[attr-defined]  # noqa: B018
