"""Prepare and check the certificates you upload to Azure Application Gateway.

Every public name lives in a private module and is re-exported here. Names are
imported on first use (PEP 562 ``__getattr__``), so ``import appgw_certs`` and
``appgw-certs --help`` stay fast; the contract is :data:`__all__`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import (
    MAX_INPUT_BYTES,
    AppGwCertError,
    CertificateFormatError,
    ChainError,
    InputTooLargeError,
    PfxPasswordError,
    ProbeError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._findings.report import CheckFailedError, Finding, Report, Severity
    from ._findings.sku import Sku, Slot
    from ._formats.bundle import load_certificates
    from ._formats.convert import cer_to_pfx, pfx_to_cer, to_cer, to_pfx
    from ._formats.pfx import Pfx, PfxEncryption, load_pfx
    from ._gateway.audit import GatewayAudit, GatewayCertificate, audit_gateway
    from ._gateway.keyvault import KeyVaultReader
    from ._testpki.build import Credential, KeyType, TestChain, build_self_signed, build_test_chain
    from ._upload.check import check_upload
    from ._verdicts.backend import check_backend, check_client, client_issuer_dn
    from ._verdicts.probe import fetch_presented_chain
    from ._x509.chain import find_root, order_chain
    from ._x509.describe import CertInfo, describe
    from ._x509.extract import (
        client_ca_file,
        extract_authentication_cert,
        extract_public_key,
        extract_trusted_root,
    )
    from ._x509.trust import TrustStore, is_well_known, well_known_root

_LAZY: dict[str, str] = {
    "load_certificates": "_formats.bundle",
    "load_pfx": "_formats.pfx",
    "Pfx": "_formats.pfx",
    "PfxEncryption": "_formats.pfx",
    "to_cer": "_formats.convert",
    "to_pfx": "_formats.convert",
    "pfx_to_cer": "_formats.convert",
    "cer_to_pfx": "_formats.convert",
    "KeyType": "_testpki.build",
    "build_test_chain": "_testpki.build",
    "build_self_signed": "_testpki.build",
    "TestChain": "_testpki.build",
    "Credential": "_testpki.build",
    "order_chain": "_x509.chain",
    "find_root": "_x509.chain",
    "extract_authentication_cert": "_x509.extract",
    "extract_trusted_root": "_x509.extract",
    "extract_public_key": "_x509.extract",
    "client_ca_file": "_x509.extract",
    "KeyVaultReader": "_gateway.keyvault",
    "TrustStore": "_x509.trust",
    "well_known_root": "_x509.trust",
    "is_well_known": "_x509.trust",
    "Sku": "_findings.sku",
    "Slot": "_findings.sku",
    "Severity": "_findings.report",
    "Finding": "_findings.report",
    "Report": "_findings.report",
    "CheckFailedError": "_findings.report",
    "check_upload": "_upload.check",
    "check_backend": "_verdicts.backend",
    "check_client": "_verdicts.backend",
    "client_issuer_dn": "_verdicts.backend",
    "fetch_presented_chain": "_verdicts.probe",
    "describe": "_x509.describe",
    "CertInfo": "_x509.describe",
    "audit_gateway": "_gateway.audit",
    "GatewayAudit": "_gateway.audit",
    "GatewayCertificate": "_gateway.audit",
}

__all__ = [
    "MAX_INPUT_BYTES",
    "AppGwCertError",
    "CertInfo",
    "CertificateFormatError",
    "ChainError",
    "CheckFailedError",
    "Credential",
    "Finding",
    "GatewayAudit",
    "GatewayCertificate",
    "InputTooLargeError",
    "KeyType",
    "KeyVaultReader",
    "Pfx",
    "PfxEncryption",
    "PfxPasswordError",
    "ProbeError",
    "Report",
    "Severity",
    "Sku",
    "Slot",
    "TestChain",
    "TrustStore",
    "__version__",
    "audit_gateway",
    "build_self_signed",
    "build_test_chain",
    "cer_to_pfx",
    "check_backend",
    "check_client",
    "check_upload",
    "client_ca_file",
    "client_issuer_dn",
    "describe",
    "extract_authentication_cert",
    "extract_public_key",
    "extract_trusted_root",
    "fetch_presented_chain",
    "find_root",
    "is_well_known",
    "load_certificates",
    "load_pfx",
    "order_chain",
    "pfx_to_cer",
    "to_cer",
    "to_pfx",
    "well_known_root",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'appgw_certs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
