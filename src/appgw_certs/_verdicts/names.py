"""The name a health probe sends a backend as SNI, and the certificate's names held against it.

Application Gateway resolves the name from its configuration; the tables
"For probe traffic" of
https://learn.microsoft.com/azure/application-gateway/ssl-overview#backend-tls-connection-application-gateway-to-the-backend-server
say how:

- **v2**: "SNI header (server_name) is set as the hostname from the custom
  probe attached to the HTTP settings (if configured), otherwise from the
  hostname mentioned in the HTTP settings, otherwise from the FQDN mentioned
  in the backend pool. The order of precedence is custom probe > HTTP
  settings > backend pool." With "pick host name from backend address" the
  setting's host name is the pool member's address
  (https://learn.microsoft.com/azure/application-gateway/configuration-http-settings#pick-host-name-from-backend-address).
  The first name set wins; "if they have IP address as hostname, then SNI
  won't be set as per RFC 6066", and "SNI also won't be set in v2 probes if
  no custom probe is configured and no hostname is set on HTTP settings or
  backend pool". The backend settings' ``sniName`` ("an SNI value to match
  the common name of the certificate on the backend") replaces the name when
  ``validateSNI`` is on
  (https://learn.microsoft.com/azure/application-gateway/configuration-http-settings#backend-https-validation-settings).
- **v1**: the SNI is "Set as FQDN from the backend pool", and the certificate
  must match it: "For V1, verify the backend pool target's FQDN is the same as
  the CN"; "In the V1 SKU, the probe Host value serves only as the host header"
  (https://learn.microsoft.com/azure/application-gateway/application-gateway-backend-health-troubleshooting#common-name-cn-doesnt-match).
- The default probe's ``127.0.0.1`` "is only used as HTTP host header and as
  per RFC 6066, won't be used as SNI header".

:func:`resolve_sni` is pure: it takes the values a gateway's configuration
holds and can be called for every backend setting and pool member of one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography import x509

from .._findings.report import Finding
from .._findings.rules import finding
from .._findings.sku import Sku
from .._x509.names import common_names, extension_value, is_ip

__all__ = ["DEFAULT_PROBE_HOST", "NameSource", "ResolvedName", "name_findings", "resolve_sni"]

DEFAULT_PROBE_HOST = "127.0.0.1"  # the default probe's URL: <protocol>://127.0.0.1:<port>/

# (leaf, name) -> does the certificate cover the name?
Matcher = Callable[[x509.Certificate, str], bool]


class NameSource(StrEnum):
    """Where the resolved name comes from in the gateway's configuration."""

    SNI_NAME = "the backend setting's SNI name (sniName)"
    CUSTOM_PROBE = "the custom probe's host name"
    BACKEND_SETTING = "the backend setting's host name"
    PICKED_ADDRESS = "the backend address (pick host name from backend address)"
    BACKEND_POOL = "the backend pool member"
    NONE = "no name set"


@dataclass(frozen=True)
class ResolvedName:
    """The name a health probe resolves to: ``name`` is the one the backend's certificate
    is checked against (``None`` when none is set), ``source`` where it came from, and
    ``host_header`` the probe's HTTP Host header."""

    name: str | None
    source: NameSource
    host_header: str

    @property
    def sni(self) -> str | None:
        """The name sent as SNI: ``None`` when no name is set or it is an IP literal."""
        return None if self.name is None or is_ip(self.name) else self.name

    def describe(self) -> str:
        """Which name is sent as SNI and where it came from, or why none is.

        >>> resolve_sni("v2", host_name="api.contoso.com").describe()
        "api.contoso.com (the backend setting's host name)"
        """
        if self.name is None:
            return "none: no name is set"
        if self.sni is None:
            return f"none: {self.name!r} ({self.source}) is an IP address (RFC 6066)"
        return f"{self.sni} ({self.source})"


def resolve_sni(
    sku: Sku | str,
    *,
    probe_host_name: str | None = None,
    host_name: str | None = None,
    pick_host_name_from_backend_address: bool = False,
    backend_address: str | None = None,
    sni_name: str | None = None,
) -> ResolvedName:
    """The name a health probe of ``sku`` sends as SNI and checks the certificate against.

    ``probe_host_name`` is the custom probe's host (``None`` for the default
    probe, or a probe that picks the host name from the backend setting);
    ``host_name`` and ``pick_host_name_from_backend_address`` the backend
    setting's; ``backend_address`` the pool member (FQDN or IP); ``sni_name``
    the setting's ``sniName``, given only when its ``validateSNI`` is on (v2).
    Blank names count as unset. v1 uses the pool member only.

    >>> resolve_sni("v2", probe_host_name="probe.contoso.com", host_name="api.contoso.com").sni
    'probe.contoso.com'
    >>> resolve_sni("v1", host_name="api.contoso.com", backend_address="10.0.0.4").sni is None
    True
    """
    probe, setting, address, sni = (
        _given(value, label)
        for value, label in (
            (probe_host_name, "probe_host_name"),
            (host_name, "host_name"),
            (backend_address, "backend_address"),
            (sni_name, "sni_name"),
        )
    )
    host_header = probe or DEFAULT_PROBE_HOST
    if Sku.parse(sku).generation == 1:
        candidates = [(NameSource.BACKEND_POOL, address)]
    else:
        from_setting = (
            (NameSource.PICKED_ADDRESS, address)
            if pick_host_name_from_backend_address
            else (NameSource.BACKEND_SETTING, setting)
        )
        candidates = [
            (NameSource.SNI_NAME, sni),
            (NameSource.CUSTOM_PROBE, probe),
            from_setting,
            (NameSource.BACKEND_POOL, address),
        ]
    for source, name in candidates:
        if name is not None:
            return ResolvedName(name, source, host_header)
    return ResolvedName(None, NameSource.NONE, host_header)


def _given(value: str | None, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{label} must be a str or None, got {type(value).__name__}")
    return value.strip() or None


def name_findings(
    leaf: x509.Certificate,
    resolved: ResolvedName,
    *,
    v1: bool,
    check: bool,
    matches: Matcher,
    mismatch: str,
) -> list[Finding]:
    """BE009 when no name is set or it is an IP literal (no SNI), and, when
    ``check``, BE007 if ``leaf`` does not cover it (``mismatch``: the backend-health text).

    An IP literal is still held against the certificate's IP entries on v2;
    v1 then needs only its allow-listed default certificate ("the backend
    server should be able to return a default/fallback certificate and this
    should be allow-listed in HTTP settings under authentication certificate").
    """
    if resolved.name is None:
        return [finding("BE009", _unchecked(v1))]
    findings = []
    if resolved.sni is None:
        findings.append(
            finding(
                "BE009",
                f"{resolved.name!r} ({resolved.source}) is an IP address: the gateway sends "
                "no SNI (RFC 6066), so the backend's default certificate is the one judged",
            )
        )
        if v1:
            return findings
    if check and not matches(leaf, resolved.name):
        findings.append(
            finding(
                "BE007",
                f"{mismatch} ({resolved.source}: {resolved.name!r}; the certificate names "
                f"{names_of(leaf)})",
                certificate=leaf,
            )
        )
    return findings


def _unchecked(v1: bool) -> str:
    if v1:
        return (
            "No backend pool FQDN was given: on v1 it is the SNI and the name the "
            "certificate's CN must match (a probe's or backend setting's host name is only "
            "the HTTP Host header). The backend's default certificate is the one judged, "
            "and its names went unchecked"
        )
    return (
        "No name was given (custom probe host name, backend setting host name, backend "
        "pool FQDN): the gateway sends no SNI, so the backend's default certificate is "
        "the one judged, and its names went unchecked"
    )


# A marker, compared by identity; one example-arc (2.999) name, since cryptography 51
# refuses an empty SAN.
_UNREADABLE_SAN = x509.SubjectAlternativeName([x509.RegisteredID(x509.ObjectIdentifier("2.999"))])


def names_of(cert: x509.Certificate) -> str:
    """The names a certificate holds, as a message shows them; never raises."""
    san = extension_value(cert, x509.SubjectAlternativeName, if_unreadable=_UNREADABLE_SAN)
    if san is _UNREADABLE_SAN:
        return "names that cannot be read"
    if san is None:
        return f"CN {list(common_names(cert))} and no SAN"
    names = [str(getattr(n, "value", n)) for n in san]
    return f"SAN {names}" if names else "an empty SAN"
