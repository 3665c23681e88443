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
    CheckFailedError,
    InputTooLargeError,
    PfxPasswordError,
    ProbeError,
)
from ._version import __version__

if TYPE_CHECKING:
    from ._audit import GatewayAudit, GatewayCertificate, audit_gateway
    from ._build import Credential, KeyType, TestChain, build_self_signed, build_test_chain
    from ._chain import find_root, order_chain
    from ._check import check_upload
    from ._convert import cer_to_pfx, pfx_to_cer, to_cer, to_pfx
    from ._describe import CertInfo, describe
    from ._extract import extract_authentication_cert, extract_public_key, extract_trusted_root
    from ._pfx import Pfx, PfxEncryption, load_pfx
    from ._probe import fetch_presented_chain
    from ._read import load_certificates
    from ._report import Finding, Report, Severity
    from ._simulate import check_backend, check_client, client_issuer_dn
    from ._sku import Sku, Slot
    from ._trust import TrustStore, is_well_known, well_known_root

_LAZY: dict[str, str] = {
    "load_certificates": "_read",
    "load_pfx": "_pfx",
    "Pfx": "_pfx",
    "PfxEncryption": "_pfx",
    "to_cer": "_convert",
    "to_pfx": "_convert",
    "pfx_to_cer": "_convert",
    "cer_to_pfx": "_convert",
    "KeyType": "_build",
    "build_test_chain": "_build",
    "build_self_signed": "_build",
    "TestChain": "_build",
    "Credential": "_build",
    "order_chain": "_chain",
    "find_root": "_chain",
    "extract_authentication_cert": "_extract",
    "extract_trusted_root": "_extract",
    "extract_public_key": "_extract",
    "TrustStore": "_trust",
    "well_known_root": "_trust",
    "is_well_known": "_trust",
    "Sku": "_sku",
    "Slot": "_sku",
    "Severity": "_report",
    "Finding": "_report",
    "Report": "_report",
    "check_upload": "_check",
    "check_backend": "_simulate",
    "check_client": "_simulate",
    "client_issuer_dn": "_simulate",
    "fetch_presented_chain": "_probe",
    "describe": "_describe",
    "CertInfo": "_describe",
    "audit_gateway": "_audit",
    "GatewayAudit": "_audit",
    "GatewayCertificate": "_audit",
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
