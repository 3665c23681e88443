"""Validity windows, judged the same way by both verdicts and worded by each.

The backend-health page says every certificate of the chain must be in its
window ("Backend certificate is invalid. Current date isn't within the "Valid
from" and "Valid to" date range on the certificate.");
https://learn.microsoft.com/azure/application-gateway/application-gateway-backend-health-troubleshooting#backend-certificate-has-expired.
Clients get OpenSSL's words, which the ``sslClientVerify`` log field shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from cryptography import x509

from .._findings.report import Finding
from .._findings.rules import finding
from .._x509.graph import distinct

__all__ = ["ExpiryText", "expiry_findings", "out_of_date"]

# (expired rather than not yet valid?, "valid from ... to ...") -> the finding's message
ExpiryText = Callable[[bool, str], str]


def out_of_date(cert: x509.Certificate, now: datetime) -> tuple[bool, str] | None:
    """``None`` when ``cert`` is valid at ``now``; else (expired?, its dates as text).

    Unreadable dates count as not yet valid, with "unreadable" as their text.
    """
    try:
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    except Exception:
        return False, "unreadable"
    if start <= now <= end:
        return None
    return now > end, f"valid from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


def expiry_findings(
    certs: Iterable[x509.Certificate], now: datetime, text: ExpiryText
) -> list[Finding]:
    """A GEN002 for each distinct certificate of ``certs`` outside its window at ``now``."""
    findings = []
    for cert in distinct(certs):
        dated = out_of_date(cert, now)
        if dated is not None:
            findings.append(finding("GEN002", text(*dated), certificate=cert))
    return findings
