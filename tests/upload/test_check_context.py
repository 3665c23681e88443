"""inspect_upload told what its caller judges itself (UploadContext): each fact
removes exactly the finding it stands for, never edits another, and a PFX the
caller opened is judged as the check would have judged it."""

from __future__ import annotations

from appgw_certs import Sku, Slot, TrustStore, check_upload
from appgw_certs._upload.check import Inspection, inspect_upload
from appgw_certs._upload.checker import Note, UploadContext
from appgw_certs._upload.listener_file import open_listener_file
from helpers.check import NOW, PASSWORD, OpenSSL, Pki, pem

V1, V2 = Sku.STANDARD, Sku.STANDARD_V2
TRIPLE_DES = ("-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1")


def inspect(slot: Slot, data: bytes, sku: Sku = V2, **kw: object) -> Inspection:
    return inspect_upload(slot, data, sku=sku, password=PASSWORD, now=NOW, **kw)  # type: ignore[arg-type]


def codes(inspection: Inspection) -> list[str]:
    return [note.code for note in inspection.notes]


def test_without_a_context_the_notes_are_check_upload_s_findings(pki: Pki) -> None:
    data = pem(pki.server.cert, pki.root.cert)
    alone = check_upload(Slot.TRUSTED_ROOT, data, sku=V1, now=NOW)
    inspection = inspect(Slot.TRUSTED_ROOT, data, V1)
    assert inspection.findings(None) == list(alone.findings)
    assert list(inspection.certificates) == [pki.server.cert, pki.root.cert]
    placed = inspection.findings("trustedRootCertificates[r]")
    assert {f.location for f in placed} == {"trustedRootCertificates[r]"}
    assert [f.message for f in placed] == [f.message for f in alone.findings]


def test_sku_checked_elsewhere_drops_gen006_alone(pki: Pki) -> None:
    data = pem(pki.server.cert, pki.root.cert)
    full = codes(inspect(Slot.TRUSTED_ROOT, data, V1))
    told = codes(
        inspect(Slot.TRUSTED_ROOT, data, V1, context=UploadContext(sku_checked_elsewhere=True))
    )
    assert "GEN006" in full
    assert told == [code for code in full if code != "GEN006"]


def test_chain_judged_elsewhere_drops_lst008_alone(ossl: OpenSSL, pki: Pki) -> None:
    leaf_only = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert, options=TRIPLE_DES)
    full = codes(inspect(Slot.LISTENER, leaf_only))
    told = codes(
        inspect(Slot.LISTENER, leaf_only, context=UploadContext(chain_judged_elsewhere=True))
    )
    assert full == ["LST008"]
    assert told == []


def test_the_store_decides_root005_instead_of_certifi(pki: Pki) -> None:
    public = next(iter(TrustStore.certifi()))
    data = pem(public)
    assert "ROOT005" in codes(inspect(Slot.TRUSTED_ROOT, data))
    own = UploadContext(store=TrustStore([pki.root.cert]))
    assert "ROOT005" not in codes(inspect(Slot.TRUSTED_ROOT, data, context=own))
    mine = inspect(Slot.TRUSTED_ROOT, pem(pki.root.cert), context=own)
    (note,) = (n for n in mine.notes if n.code == "ROOT005")
    assert "trust store given" in (note.message or "")


def test_a_pfx_opened_by_the_caller_is_judged_as_the_check_would(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(
        key=pki.server.key,
        cert=pki.server.cert,
        chain=[pki.intermediate.cert, pki.root.cert],
        options=TRIPLE_DES,
    )
    for password in (PASSWORD, "Wr0ngPass"):
        opened = open_listener_file(data, password)
        given = inspect_upload(
            Slot.LISTENER,
            data,
            sku=V2,
            password=password,
            now=NOW,
            context=UploadContext(listener_file=opened),
        )
        alone = inspect_upload(Slot.LISTENER, data, sku=V2, password=password, now=NOW)
        assert given == alone
    assert opened.refused
    assert opened.pfx is None
    # The opened file is what is judged: the PFX is not opened again with the password.
    right = open_listener_file(data, PASSWORD)
    judged = inspect_upload(
        Slot.LISTENER,
        data,
        sku=V2,
        password="Wr0ngPass",
        now=NOW,
        context=UploadContext(listener_file=right),
    )
    assert "LST002" not in codes(judged)
    assert judged.certificates[0] == pki.server.cert


def test_an_opened_file_keeps_no_secret(ossl: OpenSSL, pki: Pki) -> None:
    data = ossl.pkcs12(key=pki.server.key, cert=pki.server.cert, options=TRIPLE_DES)
    text = repr(open_listener_file(data, PASSWORD)) + repr(open_listener_file(data, "Wr0ngPass"))
    assert PASSWORD not in text
    assert "Wr0ngPass" not in text
    assert "PRIVATE KEY" not in text


def test_a_note_is_a_finding_once_placed() -> None:
    note = Note("LST006", "the PFX is 20,000 bytes", "CN=www.contoso.com")
    found = note.at("sslCertificates[web]")
    assert (found.code, found.location, found.certificate) == (
        "LST006",
        "sslCertificates[web]",
        "CN=www.contoso.com",
    )
    assert found.azure_error == "ApplicationGatewaySslCertificateDataTooBig"
    assert note.at(None).location is None
