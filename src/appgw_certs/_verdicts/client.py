"""Predict what mutual TLS (Strict mode) says about a client: ``check_client``, and the
issuer DN the gateway extracts from a trusted client CA file: ``client_issuer_dn``.

The gateway verifies clients with OpenSSL, and the ``sslClientVerify`` field of
its access log shows the result: "SUCCESS or FAILED. Failed status will
include error information"
(https://learn.microsoft.com/azure/application-gateway/monitor-application-gateway-reference#access-log-category).
The troubleshooting page lists the reasons seen
(https://learn.microsoft.com/azure/application-gateway/mutual-authentication-troubleshooting#sslclientverify-is-failed),
among them "Unable to verify the first certificate: Unable to verify the client
certificate. This error occurs specifically when the client presents only the
leaf certificate, whose issuer is not trusted." OpenSSL reports that only when
verification goes on after the missing issuer ("unable to get local issuer
certificate") and finds the chain to be the leaf alone: so the gateway's
verification goes on past each error, and the log shows the last one.
:func:`check_client` reports every finding and names that last one in its
details.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from .._errors import AppGwCertError, CertificateFormatError, ChainError, translate_errors
from .._findings.report import Finding, Report
from .._findings.rules import finding
from .._formats.inputs import CertSource
from .._upload.check import client_ca_issuer
from .._x509.chain_picture import ChainPicture
from .._x509.links import missing_issuer_text
from .._x509.names import extension_value, is_ca, name_text, subject_text
from .._x509.trust import TrustStore
from .._x509.walk import End, Walk, walk_to_anchor
from .expiry import expiry_findings, out_of_date
from .inputs import MAX_DEPTH, certificates, moment, read_presented

__all__ = [
    "MSG_CLIENT_EXPIRED",
    "MSG_CLIENT_NOT_YET_VALID",
    "MSG_FIRST_NOT_VERIFIED",
    "MSG_ISSUER_DN",
    "MSG_NO_ISSUER",
    "MSG_NO_LOCAL_ISSUER",
    "MSG_PURPOSE",
    "check_client",
    "client_issuer_dn",
]

# OpenSSL's verify strings, and the troubleshooting page's words where it has its own.
MSG_NO_ISSUER = "unable to get issuer certificate"
MSG_NO_LOCAL_ISSUER = "unable to get local issuer certificate"
MSG_FIRST_NOT_VERIFIED = "unable to verify the first certificate"
MSG_ISSUER_DN = "Unable to verify the client certificate issuer"
MSG_PURPOSE = "Unsupported certificate purpose"  # OpenSSL 3: "unsuitable certificate purpose"
MSG_CLIENT_EXPIRED = "certificate has expired"
MSG_CLIENT_NOT_YET_VALID = "certificate is not yet valid"
_SELF_SIGNED = "self-signed certificate"
_SELF_SIGNED_IN_CHAIN = "self-signed certificate in certificate chain"

# https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview#certificate-revocation:
# the client certificate "is looked up via the defined OCSP responder in its Authority
# Information Access (AIA) extension"; when the revocation check fails, "Application
# Gateway returns a 400 HTTP response to the requesting client".
_NO_RESPONDER = (
    "OCSP is on, but the client certificate names no OCSP responder in its Authority "
    "Information Access extension: its revocation status cannot be checked, and when "
    "the check fails the gateway answers HTTP 400"
)
LOG_FIELD = "sslClientVerify"
# An EKU OpenSSL cannot read allows nothing: one usage from the example arc (2.999),
# which grants no purpose (cryptography 51 refuses an empty one).
_NO_PURPOSE = x509.ExtendedKeyUsage([x509.ObjectIdentifier("2.999")])
_NO_USAGE = x509.KeyUsage(*[False] * 9)  # likewise a key usage it cannot read


def check_client(
    presented: CertSource,
    trusted_client_ca: CertSource,
    *,
    verify_issuer_dn: bool = False,
    ocsp: bool = False,
    now: datetime | None = None,
) -> Report:
    """Predict the gateway's mutual-TLS verdict (Strict mode) on a client's certificate.

    ``presented`` is what the client sends, its own certificate first;
    ``trusted_client_ca`` the uploaded client CA file (root and intermediates).
    Checks, as OpenSSL does for the gateway: the chain reaches the uploaded CA
    (MT002, with OpenSSL's words), the clientAuth purpose (MT003), expiry
    (GEN002); then the issuer DN check when ``verify_issuer_dn`` (MT004), and
    an OCSP responder when ``ocsp`` (MT005). The details name the
    ``sslClientVerify`` value the access log would show. Never raises for bad
    certificates.

    Example::

        report = check_client(Path("client.pem"), Path("client-ca.cer"), verify_issuer_dn=True)
        report.ok, sorted(report.codes), dict(report.details)["sslClientVerify"]
    """
    when = moment(now)
    title = "Mutual TLS prediction (Strict)"
    chain, unreadable = read_presented(presented, "the client certificate")
    if unreadable is not None:
        return Report(title, (unreadable,))
    if not chain:
        none = finding("MT001", "No client certificate presented")
        return Report(title, (none,), [(LOG_FIELD, "NONE")])
    picture = ChainPicture(tuple(chain), now=when)
    try:
        ca_certs = certificates(trusted_client_ca)
    except AppGwCertError as exc:
        unreadable_ca = finding("GEN001", f"the trusted client CA file: {exc}")
        return Report(title, (unreadable_ca,), chain=picture)
    leaf = chain[0]
    # OpenSSL's chain building: the CA file first, then what the client sent (any order).
    walk = walk_to_anchor(chain, 0, TrustStore(ca_certs), in_order=False, max_depth=MAX_DEPTH)
    chain_error = _chain_error(walk)  # (OpenSSL's words, MT002) or None
    findings = [] if chain_error is None else [chain_error[1]]
    purpose = _purpose_findings(walk.path)
    findings += purpose
    findings += expiry_findings(walk.path, when, _expiry_text)
    details = [("client certificate", subject_text(leaf))]
    gateway = _issuer_dn_findings(leaf, ca_certs, details) if verify_issuer_dn else []
    if ocsp and not _has_ocsp_url(leaf):
        gateway.append(finding("MT005", _NO_RESPONDER, certificate=leaf))
    findings += gateway
    words = None if chain_error is None else chain_error[0]
    verdict = _openssl_result(walk, words, bool(purpose), when)
    details.insert(1, (LOG_FIELD, _log_value(verdict, gateway)))
    return Report(title, findings, details, chain=picture)


def client_issuer_dn(trusted_client_ca: CertSource) -> x509.Name:
    """The issuer DN the gateway extracts from a client CA file (``clientCertIssuerDN``).

    Leaves in the file are ignored. Each chain runs from the root down to a CA
    that issued no other CA in the file; the DN is that CA's subject: for
    root - intermediate the intermediate's, for a root alone the root's. With
    several chains, the longest wins; of equally long ones, the first in the
    file (the table of
    https://learn.microsoft.com/azure/application-gateway/mutual-authentication-overview#verify-client-certificate-dn).
    :class:`ChainError` when the file holds no CA; :class:`CertificateFormatError`
    when that CA's subject cannot be read.

    Example::

        client_issuer_dn(Path("client-ca.cer")).rfc4514_string()
        'CN=Contoso Client Issuing CA,O=Contoso'
    """
    issuer = client_ca_issuer([c for c in certificates(trusted_client_ca) if is_ca(c)])
    if issuer is None:
        raise ChainError(
            "the trusted client CA file holds no CA certificate (basicConstraints CA:TRUE); "
            "upload the root CA, and any intermediates, that issued the client certificates"
        )
    with translate_errors("the issuing CA's subject name"):
        return issuer.subject


# -- OpenSSL's verification ------------------------------------------------------------


def _alone(walk: Walk) -> bool:
    """The chain built is the client's certificate alone, and no issuer of it is known."""
    return walk.end is End.NO_ISSUER and len(walk.path) == 1


def _chain_error(walk: Walk) -> tuple[str, Finding] | None:
    """MT002 in OpenSSL's verify words, picked as OpenSSL picks them."""
    if walk.end is End.TRUSTED:
        return None
    top = subject_text(walk.top)
    if walk.end is End.UNTRUSTED_ROOT:
        words = _SELF_SIGNED if len(walk.path) == 1 else _SELF_SIGNED_IN_CHAIN
        why = f"{top!r} is not in the uploaded client CA"
    elif _alone(walk):
        words = MSG_FIRST_NOT_VERIFIED
        why = (
            f"the client sent no issuer of {top!r}, and its issuer, "
            f"{missing_issuer_text(walk.top)}, is not in the uploaded client CA either"
        )
    else:
        words = MSG_NO_ISSUER if walk.from_store else MSG_NO_LOCAL_ISSUER
        why = (
            f"the issuer of {top!r}, {missing_issuer_text(walk.top)}, is neither sent by "
            "the client nor in the uploaded client CA"
        )
    return words, finding("MT002", f"{words}: {why}", certificate=walk.top)


def _purpose_findings(path: Sequence[x509.Certificate]) -> list[Finding]:
    """OpenSSL's TLS-client purpose: every EKU on the path allows clientAuth."""
    findings = []
    for depth, cert in enumerate(path):
        ekus = extension_value(cert, x509.ExtendedKeyUsage, if_unreadable=_NO_PURPOSE)
        if ekus is not None and ExtendedKeyUsageOID.CLIENT_AUTH not in ekus:
            role = "the client certificate" if depth == 0 else "a CA on its chain"
            findings.append(
                finding(
                    "MT003",
                    f"{MSG_PURPOSE}: {role} has an extended key usage without clientAuth "
                    "(OpenSSL: unsuitable certificate purpose)",
                    certificate=cert,
                )
            )
    usage = extension_value(path[0], x509.KeyUsage, if_unreadable=_NO_USAGE) if path else None
    if usage is not None and not (usage.digital_signature or usage.key_agreement):
        findings.append(
            finding(
                "MT003",
                f"{MSG_PURPOSE}: the client certificate's key usage allows neither "
                "digitalSignature nor keyAgreement",
                certificate=path[0],
            )
        )
    return findings


def _expiry_text(expired: bool, dates: str) -> str:
    return f"{MSG_CLIENT_EXPIRED if expired else MSG_CLIENT_NOT_YET_VALID} ({dates})"


def _openssl_result(
    walk: Walk, chain_words: str | None, purpose: bool, now: datetime
) -> str | None:
    """The error OpenSSL ends with (``None``: verified). It meets them in this order:
    building the chain (no issuer, self-signed), the purposes, then from the top of the
    chain down, "unable to verify the first certificate" for a leaf alone and the
    dates; each replaces the one before. An untrusted top that is not self-issued is
    not dated: OpenSSL starts below it (unless it is the leaf alone)."""
    errors = [chain_words] if chain_words is not None and not _alone(walk) else []
    errors += [MSG_PURPOSE] if purpose else []
    errors += [MSG_FIRST_NOT_VERIFIED] if _alone(walk) else []
    dated = walk.path[:-1] if walk.end is End.NO_ISSUER and not _alone(walk) else walk.path
    for cert in reversed(dated):
        out = out_of_date(cert, now)
        if out is not None:
            errors.append(MSG_CLIENT_EXPIRED if out[0] else MSG_CLIENT_NOT_YET_VALID)
    return errors[-1] if errors else None


def _log_value(openssl: str | None, gateway: list[Finding]) -> str:
    """``sslClientVerify``: OpenSSL's verdict first; the gateway's own checks after it."""
    if openssl is not None:
        return f"FAILED:{openssl}"
    if any(f.code == "MT004" for f in gateway):
        return f"FAILED:{MSG_ISSUER_DN}"
    if gateway:
        return "FAILED (inferred: the certificate names no OCSP responder to ask)"
    return "SUCCESS"


# -- the gateway's own checks ------------------------------------------------------------


def _has_ocsp_url(cert: x509.Certificate) -> bool:
    aia = extension_value(cert, x509.AuthorityInformationAccess)
    return aia is not None and any(
        d.access_method == AuthorityInformationAccessOID.OCSP for d in aia
    )


def _issuer_dn_findings(
    leaf: x509.Certificate, ca_certs: list[x509.Certificate], details: list[tuple[str, str]]
) -> list[Finding]:
    try:
        expected = client_issuer_dn(ca_certs)
    except (ChainError, CertificateFormatError) as exc:
        return [finding("MT004", f"{MSG_ISSUER_DN}: no issuer DN can be extracted ({exc})")]
    details.append(("client_cert_issuer_dn", name_text(expected)))
    try:
        actual = leaf.issuer
    except Exception:
        return [finding("MT004", f"{MSG_ISSUER_DN}: the issuer cannot be read", certificate=leaf)]
    if actual == expected:
        return []
    return [
        finding(
            "MT004",
            f"{MSG_ISSUER_DN}: the client's issuer is {name_text(actual)!r}, the gateway "
            f"expects {name_text(expected)!r}",
            certificate=leaf,
        )
    ]
