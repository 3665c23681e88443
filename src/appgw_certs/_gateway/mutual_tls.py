"""Mutual TLS: SSL profiles that require client certificates but trust no CA (GW009),
and the issuer DN Azure reports against the one the uploaded file implies (GW010).

The gateway extracts the issuer DN from the file as
https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview
describes (the CA at the end of the longest chain); Azure reports it as
``clientCertIssuerDN``, Windows-style (most specific first, ``S=`` for ST).

    >>> findings = [*check_ssl_profiles(doc), *check_client_ca_issuers(objects.values())]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Slot
from .._upload.client_ca import client_ca_issuer
from .._x509.names import is_ca
from .model import GatewayDocument
from .objects import CertificateObject

__all__ = ["check_client_ca_issuers", "check_ssl_profiles"]


def check_ssl_profiles(doc: GatewayDocument) -> Iterator[Finding]:
    """GW009: a Strict client-auth profile without trusted client CAs."""
    for profile in doc.elements("sslProfiles"):
        config = profile.get("clientauthconfiguration")
        if not isinstance(config, Mapping) or profile.refs("trustedclientcertificates"):
            continue
        mode = config.get("verifyclientauthmode")
        if not isinstance(mode, str) or mode.strip().lower() == "strict":
            yield finding(
                "GW009",
                f"{profile.location} requires client certificates (Strict) but names no "
                "trusted client CA: no client can pass",
                location=profile.location,
            )


def check_client_ca_issuers(objects: Iterable[CertificateObject]) -> Iterator[Finding]:
    """GW010: ``clientCertIssuerDN`` from Azure against the DN the file implies."""
    for obj in objects:
        azure_dn = obj.element.text("clientcertissuerdn")
        if obj.slot is not Slot.TRUSTED_CLIENT_CA or not azure_dn or not obj.certificates:
            continue
        implied = _implied_issuer(obj.certificates)
        if implied is not None and _dn_key(azure_dn) != _name_key(implied):
            yield finding(
                "GW010",
                f"Azure reports clientCertIssuerDN {azure_dn!r}, but the file implies "
                f"{_name_text(implied)!r}",
                location=obj.element.location,
            )


def _implied_issuer(certs: Sequence[x509.Certificate]) -> x509.Name | None:
    try:
        issuer = client_ca_issuer([cert for cert in certs if is_ca(cert)])
        return issuer.subject if issuer is not None else None
    except Exception:
        return None  # no CA, or its name cannot be read: the upload checks (CCA00x) say so


_AZURE_ATTRIBUTES = {"S": "ST", "E": "EMAILADDRESS", "EMAIL": "EMAILADDRESS", "SN": "SERIALNUMBER"}


def _dn_key(text: str) -> list[tuple[str, str]]:
    """A Windows-style DN (``CN=a, S=b``, most specific first) as sorted (attribute, value)."""
    pairs: list[tuple[str, str]] = []
    for part in _split_dn(text):
        attribute, _, value = part.partition("=")
        key = attribute.strip().upper()
        pairs.append((_AZURE_ATTRIBUTES.get(key, key), value.strip().strip('"')))
    return sorted(pairs)


def _split_dn(text: str) -> list[str]:
    parts, current, quoted, escaped = [], [], False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            current.append(char)
        elif char in ",;+" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


_OVERRIDES = {NameOID.EMAIL_ADDRESS: "EMAILADDRESS", NameOID.SERIAL_NUMBER: "SERIALNUMBER"}


def _name_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string(_OVERRIDES)
    except Exception:
        return "<unreadable name>"


def _name_key(name: x509.Name) -> list[tuple[str, str]]:
    return _dn_key(_name_text(name))
