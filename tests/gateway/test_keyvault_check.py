"""The pure Key Vault checks: ids (KV001, KV005), a secret's content checked as the uploaded
PFX is (minus the password and size rules), its attributes (KV002, KV004); the registry's
KV codes; and the optional extra: without the azure packages nothing imports them, and the
reader says what to install."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12

from appgw_certs import Severity, Sku, Slot, TestChain, build_test_chain
from appgw_certs._findings.report import Finding
from appgw_certs._findings.rules import RULES
from appgw_certs._gateway.keyvault import check_key_vault_secret, key_vault_id_findings
from appgw_certs._gateway.keyvault_check import (
    inspect_key_vault_secret,
    inspect_key_vault_trusted_root,
)
from appgw_certs._gateway.keyvault_ids import parse_key_vault_id
from appgw_certs._upload.check import inspect_upload
from appgw_certs._upload.checker import UploadContext

NOW = datetime.now(UTC)
SECRET = "https://contoso-kv.vault.azure.net/secrets/web-cert"
WHERE = "sslCertificates[web]"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"])


def check(value: str | None, **kwargs: object) -> list[Finding]:
    arguments: dict[str, object] = {
        "content_type": "application/x-pkcs12", "enabled": True, "expires_on": None,
        "sku": Sku.STANDARD_V2, "now": NOW, "location": WHERE, **kwargs,
    }  # fmt: skip
    return check_key_vault_secret(SECRET, value, **arguments)  # type: ignore[arg-type]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("reference", "codes"),
    [
        ("https://contoso-kv.vault.azure.net/secrets/web-cert/", []),
        ("https://contoso-kv.vault.azure.net/secrets/web-cert", []),
        ("https://contoso-kv.vault.azure.cn/secrets/web-cert", []),
        ("https://contoso-kv.vault.azure.net/secrets/web-cert/4387e9f3", ["KV005"]),
        ("https://contoso-kv.vault.azure.net/certificates/web-cert", ["KV001"]),
        ("https://contoso-kv.vault.azure.net/certificates/web-cert/4387e9f3", ["KV001"]),
        ("https://contoso-kv.vault.azure.net/keys/web-cert", ["KV001"]),
        ("https://contoso-kv.managedhsm.azure.net/secrets/web-cert", ["KV001"]),
        ("http://contoso-kv.vault.azure.net/secrets/web-cert", ["KV001"]),
        ("https://contoso-kv.vault.azure.net/secrets/web-cert?api-version=7.4", ["KV001"]),
        ("https://contoso-kv.vault.azure.net/secrets/a/b/c", ["KV001"]),
        ("https://[::1/secrets/x", ["KV001"]),
        ("web-cert", ["KV001"]),
    ],
)
def test_id_findings(reference: str, codes: list[str]) -> None:
    found = key_vault_id_findings(reference)
    assert [f.code for f in found] == codes
    assert all(f.severity is RULES[f.code].severity for f in found)


def test_id_findings_say_what_to_use() -> None:
    (pinned,) = key_vault_id_findings("https://kv.vault.azure.net/secrets/web/0123")
    assert "https://kv.vault.azure.net/secrets/web/" in pinned.message
    assert pinned.severity is Severity.WARNING
    (certificate,) = key_vault_id_findings("https://KV.vault.azure.net/certificates/Web/0123")
    assert certificate.message.endswith("https://kv.vault.azure.net/secrets/Web/")
    parsed = parse_key_vault_id("https://kv.vault.azure.net/certificates/web/0123")
    assert parsed is not None
    assert parsed.secret_id == "https://kv.vault.azure.net/secrets/web/0123"


def without_upload_only(
    findings: list[Finding] | tuple[Finding, ...], *codes: str
) -> list[Finding]:
    return [f for f in findings if f.code not in {"LST005", "LST006", *codes}]


def other_leaf_pfx(chain: TestChain) -> bytes:
    """Two end-entity certificates besides the chain (LST011)."""
    client = chain.issue_client("alice")
    return chain.server.pfx(None, chain=[client, *chain.intermediates, chain.root])


def mismatched_key_pfx(chain: TestChain) -> bytes:
    """Another key than the leaf's (LST004), as a PFX without a password."""
    certs = [chain.server.certificate, chain.intermediates[0].certificate]
    other = ec.generate_private_key(ec.SECP256R1())
    return pkcs12.serialize_key_and_certificates(None, other, None, certs, NoEncryption())


@pytest.mark.parametrize(
    "make",
    [
        lambda c: c.listener_pfx(None),
        lambda c: c.server.pfx(None, chain=c.intermediates),  # no root: LST008
        other_leaf_pfx,
        mismatched_key_pfx,
    ],
    ids=["complete", "no-root", "two-leaves", "wrong-key"],
)
def test_pfx_secret_gets_the_uploads_checks(chain: TestChain, make: object) -> None:
    """The oracle: the upload checks of the same PFX, without the password and size rules."""
    pfx: bytes = make(chain)  # type: ignore[operator]
    upload = inspect_upload(Slot.LISTENER, pfx, sku=Sku.STANDARD_V2, now=NOW).findings(WHERE)
    expected = without_upload_only(upload)
    assert check(b64(pfx), managed=False) == expected
    assert check(b64(pfx), managed=True) == without_upload_only(upload, "LST007")
    assert any(f.code == "LST005" for f in upload)  # the upload had a password rule


def listener_codes(pfx: bytes, context: UploadContext | None = None) -> list[str]:
    inspection = inspect_upload(
        Slot.LISTENER, pfx, sku=Sku.STANDARD_V2, now=NOW, context=context or UploadContext()
    )
    return [note.code for note in inspection.notes]


def test_the_key_vault_profile_is_the_listener_checks_own(chain: TestChain) -> None:
    """Told the PFX is a Key Vault secret, the listener checks make no password or size
    rule and say KV003 for a missing key; told Key Vault wrote it, no LST007."""
    secret = UploadContext(key_vault_secret=True)
    written = UploadContext(key_vault_secret=True, pfx_written_by_key_vault=True)
    big = chain.server.pfx(None, chain=[*chain.intermediates, *[chain.root] * 40])
    assert len(big) > 16 * 1024
    assert listener_codes(big) == ["LST005", "LST006", "LST007"]
    assert listener_codes(big, secret) == ["LST007"]
    assert listener_codes(big, written) == []
    certs = [chain.server.certificate, chain.intermediates[0].certificate, chain.root.certificate]
    certs_only = pkcs12.serialize_key_and_certificates(None, None, None, certs, NoEncryption())
    assert "LST003" in listener_codes(certs_only)
    assert "KV003" not in listener_codes(certs_only)
    assert listener_codes(certs_only, written) == ["KV003"]


def test_pem_secret_is_the_pfx_it_would_be(chain: TestChain) -> None:
    pem = chain.server.key_pem() + chain.server.cer() + chain.intermediates[0].cer()
    as_pfx = chain.server.pfx(None, chain=chain.intermediates)
    upload = inspect_upload(Slot.LISTENER, as_pfx, sku=Sku.STANDARD_V2, now=NOW).findings(WHERE)
    found = check(pem.decode(), content_type="application/x-pem-file")
    assert [(f.code, f.severity) for f in found[:1]] == [("KV004", Severity.ERROR)]
    assert found[1:] == without_upload_only(upload, "LST007")
    assert {f.code for f in found[1:]} == {"LST008"}


def test_missing_or_locked_key(chain: TestChain) -> None:
    certs = [chain.server.certificate, chain.intermediates[0].certificate, chain.root.certificate]
    certs_only = pkcs12.serialize_key_and_certificates(None, None, None, certs, NoEncryption())
    assert [f.code for f in check(b64(certs_only), managed=True)] == ["KV003"]
    pem = b"".join(c.cer() for c in (chain.server, *chain.intermediates, chain.root))
    found = check(pem.decode(), content_type="application/x-pem-file")
    assert [f.code for f in found] == ["KV004", "KV003"]
    locked = chain.listener_pfx("Passw0rd")
    (f,) = check(b64(locked), managed=True)
    assert f.code == "LST002"
    assert "without a password" in f.message
    assert "Passw0rd" not in f.message
    encrypted_key = chain.server.key_pem("Passw0rd") + chain.server.cer()
    found = check(encrypted_key.decode(), content_type="application/x-pem-file")
    assert [f.code for f in found] == ["KV004", "KV003"]


def test_attributes_disabled_expired_hsm(chain: TestChain) -> None:
    value = b64(chain.listener_pfx(None))
    assert [(f.code, f.severity) for f in check(value, enabled=False, managed=True)] == [
        ("KV002", Severity.ERROR)
    ]
    assert [(f.code, f.severity) for f in check(None, enabled=False)] == [("KV002", Severity.ERROR)]
    past = NOW - timedelta(days=1)
    (f,) = check(value, expires_on=past, managed=True)  # the certificate itself is valid
    assert (f.code, f.severity) == ("KV004", Severity.WARNING)
    assert past.strftime("%Y-%m-%d") in f.message
    hsm = check(None, key_type="RSA-HSM")
    assert [(f.code, f.severity) for f in hsm] == [("KV004", Severity.ERROR)]
    assert check(value, key_type="RSA", managed=True) == []


@pytest.mark.parametrize(
    "value",
    ["", "   ", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA",
     b64(b"\x30\x03\x02\x01\x03"), "A" * (1024 * 1024 + 4)],
    ids=["empty", "blank", "text", "broken-pem", "broken-pfx", "too-large"],
)  # fmt: skip
def test_odd_values_are_findings_never_exceptions(value: str) -> None:
    found = check(value, content_type=None)
    assert found
    assert all(f.location == WHERE for f in found)
    assert {f.code for f in found} <= {"GEN001", "KV004", "LST001", "LST002"}


def test_inspect_returns_the_certificates_leaf_first(chain: TestChain) -> None:
    result = inspect_key_vault_secret(
        SECRET, b64(chain.listener_pfx(None)), None, True, None, sku=Sku.STANDARD_V2, now=NOW
    )
    assert result.certificates[0] == chain.server.certificate
    assert len(result.certificates) == 3
    with pytest.raises(ValueError, match="timezone-aware"):
        inspect_key_vault_secret(
            SECRET,
            None,
            None,
            True,
            None,
            sku=Sku.STANDARD_V2,
            now=datetime(2025, 1, 1),  # noqa: DTZ001
        )


def test_trusted_root_secret_holds_certificates_in_any_format(chain: TestChain) -> None:
    """A trusted root's secret: its certificates, whatever holds them, get the trusted-root
    checks (not the .cer file rules: the container is Key Vault's)."""
    root_id = "https://contoso-kv.vault.azure.net/secrets/root"

    def inspect(value: str | None, enabled: bool | None = True) -> list[str]:
        check = inspect_key_vault_trusted_root(
            root_id, value, enabled, sku=Sku.STANDARD_V2, now=NOW, location="r"
        )
        assert all(f.location == "r" for f in check.findings)
        return [f.code for f in check.findings]

    with_key = chain.root.pfx(None)  # a Key Vault certificate's secret: the key comes along
    for value in (b64(with_key), chain.root.cer().decode(), b64(chain.root.cer()),
                  b64(chain.trusted_root_cer("der"))):  # fmt: skip
        assert inspect(value) == []
    assert inspect(b64(chain.intermediates[0].cer())) == ["ROOT002"]
    assert inspect("not a certificate") == ["GEN001"]
    assert inspect(b64(chain.listener_pfx("Passw0rd"))) == ["GEN001"]
    assert inspect(None, enabled=False) == ["KV002"]
    result = inspect_key_vault_trusted_root(
        root_id, b64(with_key), True, sku=Sku.STANDARD_V2, now=NOW
    )
    assert result.certificates == (chain.root.certificate,)


def test_registry_has_the_key_vault_codes() -> None:
    severities = {code: RULES[code].severity for code in RULES if code.startswith("KV")}
    assert severities == {
        "KV001": Severity.ERROR,
        "KV002": Severity.ERROR,
        "KV003": Severity.ERROR,
        "KV004": Severity.ERROR,
        "KV005": Severity.WARNING,
    }
    assert all(RULES[code].source.startswith("https://learn.microsoft.com/") for code in severities)
    assert "GW012" in RULES["KV005"].hint
    assert RULES["GW012"].severity is Severity.INFO  # kept as it was


# A finder that refuses every azure module, as if the extra were not installed.
_NO_AZURE = """
import sys
class _NoAzure:
    def find_spec(self, name, path=None, target=None):
        if name == "azure" or name.startswith("azure."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoAzure())
"""

_WITHOUT_THE_EXTRA = """
import contextlib, io, json
import appgw_certs
from appgw_certs._gateway import keyvault
gateway = {"name": "gw", "properties": {"sku": {"name": "Standard_v2", "tier": "Standard_v2"},
    "sslCertificates": [{"name": "kv", "properties": {"keyVaultSecretId": SECRET + "/0123"}}]}}
audit = appgw_certs.audit_gateway(json.dumps(gateway))
assert "GW013" in audit.report.codes, audit.report.codes
assert [f.code for f in keyvault.key_vault_id_findings(SECRET + "/0123")] == ["KV005"]
from appgw_certs._cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
    main(["--help"])
assert "audit" in out.getvalue()
try:
    keyvault.KeyVaultReader()
except appgw_certs.AppGwCertError as exc:
    print(exc)
else:
    raise SystemExit("KeyVaultReader() without the extra did not raise")
loaded = sorted(m for m in sys.modules if m == "azure" or m.startswith("azure."))
assert not loaded, loaded
"""


def test_without_the_azure_extra() -> None:
    code = _NO_AZURE + f"SECRET = {SECRET!r}\n" + _WITHOUT_THE_EXTRA
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "pip install 'appgw-certs[azure]'" in run.stdout
    assert "azure-keyvault-secrets" in run.stdout


def test_the_core_never_imports_azure_itself() -> None:
    """With the extra installed, only a reader imports it."""
    code = (
        f"SECRET = {SECRET!r}\n"
        + _WITHOUT_THE_EXTRA.split("try:", maxsplit=1)[0]
        + "assert not [m for m in sys.modules if m.startswith('azure')]\n"
        + "keyvault.KeyVaultReader(credential=object())\n"
        + "assert 'azure.keyvault.secrets' in sys.modules\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
