"""The public contract: names, error hierarchy, documentation coverage."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import appgw_certs

DOCS = Path(__file__).parent.parent / "docs"

CONTRACT = [
    "AppGwCertError", "CertificateFormatError", "InputTooLargeError", "PfxPasswordError",
    "ChainError", "CheckFailedError", "ProbeError", "MAX_INPUT_BYTES",
    "load_certificates", "load_pfx", "Pfx", "PfxEncryption",
    "to_cer", "to_pfx", "pfx_to_cer", "cer_to_pfx",
    "KeyType", "build_test_chain", "build_self_signed", "TestChain", "Credential",
    "order_chain", "find_root", "extract_authentication_cert", "extract_trusted_root",
    "extract_public_key", "TrustStore", "well_known_root", "is_well_known",
    "Sku", "Slot", "Severity", "Finding", "Report", "check_upload",
    "check_backend", "check_client", "client_issuer_dn", "fetch_presented_chain",
    "describe", "CertInfo", "audit_gateway", "GatewayAudit", "GatewayCertificate",
]  # fmt: skip


@pytest.mark.parametrize("name", CONTRACT)
def test_contract_name_is_exported(name: str) -> None:
    assert name in appgw_certs.__all__
    assert getattr(appgw_certs, name) is not None


def test_all_names_resolve() -> None:
    for name in appgw_certs.__all__:
        getattr(appgw_certs, name)
    assert sorted(appgw_certs.__all__) == sorted(set(appgw_certs.__all__))


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        appgw_certs.no_such_name  # noqa: B018


@pytest.mark.parametrize(
    ("error", "bases"),
    [
        (appgw_certs.CertificateFormatError, (appgw_certs.AppGwCertError, ValueError)),
        (appgw_certs.InputTooLargeError, (appgw_certs.CertificateFormatError,)),
        (appgw_certs.PfxPasswordError, (appgw_certs.AppGwCertError, ValueError)),
        (appgw_certs.ChainError, (appgw_certs.AppGwCertError, ValueError)),
        (appgw_certs.CheckFailedError, (appgw_certs.AppGwCertError,)),
        (appgw_certs.ProbeError, (appgw_certs.AppGwCertError, OSError)),
    ],
)
def test_error_hierarchy(error: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    for base in bases:
        assert issubclass(error, base)


def test_max_input_bytes_is_one_mebibyte() -> None:
    assert appgw_certs.MAX_INPUT_BYTES == 1024 * 1024


def test_every_public_name_is_in_the_api_reference() -> None:
    api = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. auto\w+:: (\w+)", api, re.M))
    missing = set(appgw_certs.__all__) - documented - {"__version__"}
    assert not missing, f"add to docs/api.md: {sorted(missing)}"


def test_every_public_name_has_a_docstring() -> None:
    undocumented = [
        name
        for name in appgw_certs.__all__
        if name not in {"__version__", "MAX_INPUT_BYTES"}
        and not (getattr(appgw_certs, name).__doc__ or "").strip()
    ]
    assert not undocumented


def test_import_is_light() -> None:
    """`import appgw_certs` must not import cryptography: the CLI starts fast."""
    code = "import sys, appgw_certs; print('cryptography' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
