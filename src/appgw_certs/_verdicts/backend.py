"""Predict what the gateway will say about a backend (backend health) and a client (mTLS).

Both verdicts walk the chain as OpenSSL does: from the leaf up, looking first
in the trust anchors (trusted first), then among the certificates presented.
Where Azure is stricter than OpenSSL it says so (azure-rules.md §4, §5, §6):

- backends (v2) must send the leaf first and each issuer right after it; the
  presented order is judged, never fixed;
- a self-signed backend certificate that is not a CA fails even when uploaded
  as the trusted root (R5);
- v1 compares the leaf byte for byte with the authentication certificates and
  ignores signatures;
- no host name, or an IP, means no SNI (a warning, BE009).

Messages quote the backend-health texts; client messages use OpenSSL's verify
strings, which the gateway's ``sslClientVerify`` log field shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from .._errors import AppGwCertError, CertificateFormatError, ChainError, translate_errors
from .._findings.report import Finding, Report
from .._findings.rules import finding
from .._findings.sku import Sku
from .._formats.inputs import CertSource, checked_moment, checked_optional
from .._upload.check import client_ca_issuer
from .._x509.graph import distinct
from .._x509.links import missing_issuer_text
from .._x509.names import (
    common_names,
    is_ca,
    is_ip,
    matches_common_name,
    matches_hostname,
    name_text,
    subject_text,
)
from .._x509.trust import APPROXIMATION_NOTE, TrustStore
from .._x509.walk import End, Walk, certificates_of, holds, presented_leaf, walk_to_anchor

__all__ = ["check_backend", "check_client", "client_issuer_dn"]

# Backend-health texts (azure-rules.md §5, newest wording).
_CHAIN_HINT = (
    "Ensure the certificate chain is complete and correctly ordered on the backend server."
)
MSG_LEAF_MISSING = (
    "The Leaf certificate is missing from the certificate chain presented by the backend "
    "server. Ensure the chain is complete and correctly ordered on the backend server."
)
MSG_LEAF_NOT_TOPMOST = (
    "The Leaf certificate isn't the topmost certificate in the chain presented by the backend "
    "server. Ensure the certificate chain is correctly ordered on the backend server."
)
MSG_INTERMEDIATE_MISSING = (
    "The Intermediate certificate is missing from the certificate chain presented by the "
    f"backend server. {_CHAIN_HINT}"
)
MSG_ROOT_MISMATCH = (
    "The root certificate of the server certificate used by the backend doesn't match the "
    "trusted root certificate added to the application gateway. Ensure that you add the "
    "correct root certificate to the allowlist for the backend."
)
MSG_INTERMEDIATE_NOT_SIGNED = (
    "The intermediate certificate not signed by any root certificates uploaded to the "
    f"application gateway. {_CHAIN_HINT}"
)
MSG_NOT_WELL_KNOWN = (
    "The backend Server certificate isn't signed by a well-known Certificate Authority (CA). "
    "To use unknown CA certificates, its Root certificate must be uploaded to the Backend "
    "Setting of the application gateway."
)
MSG_INTERMEDIATE_NOT_WELL_KNOWN = (
    "The Intermediate certificate isn't signed by a well-known Certificate Authority (CA). "
    + _CHAIN_HINT
)
MSG_CN_MISMATCH_V2 = (
    "The Common Name of the leaf certificate presented by the backend server does not match "
    "the Probe or Backend Setting hostname of the application gateway."
)
MSG_CN_MISMATCH_V1 = "The Common Name (CN) of the backend certificate doesn't match."
MSG_NOT_WHITELISTED = "Backend server certificate is not whitelisted with Application Gateway."
MSG_EXPIRED = (
    'Backend certificate is invalid. Current date isn\'t within the "Valid from" and '
    '"Valid to" date range on the certificate.'
)
# Client texts: OpenSSL's verify strings and the troubleshooting page's words (§6.2, §6.3).
MSG_ISSUER_DN = "Unable to verify the client certificate issuer"
MSG_PURPOSE = "Unsupported certificate purpose"

# (expired?, "valid from ... to ...") -> message; (leaf, host) -> covered?
_ExpiryText = Callable[[bool, str], str]
_Matcher = Callable[[x509.Certificate, str], bool]

_MAX_DEPTH = 32  # OpenSSL's default verify depth is 100; real chains are 2-5 long
# Chain files are a few KB: remember parsed inputs up to this size, 128 at most (8 MiB).
_CACHED_INPUT_BYTES = 64 * 1024


# -- public ---------------------------------------------------------------------


def check_backend(
    presented: CertSource,
    *,
    sku: Sku | str,
    host_name: str | None = None,
    trusted_roots: Iterable[CertSource] = (),
    authentication_certs: Iterable[CertSource] = (),
    use_well_known: bool = False,
    store: TrustStore | None = None,
    now: datetime | None = None,
) -> Report:
    """Predict the gateway's backend-health verdict on the chain a backend presents.

    ``presented`` is the chain in the order the backend sends it
    (:func:`fetch_presented_chain` reads it from a live server); the order is
    judged, never fixed. v2 SKUs check the chain against ``trusted_roots``, or
    against the well-known store (``store``, default Mozilla's via certifi) when
    ``use_well_known``; v1 SKUs check that the leaf is one of
    ``authentication_certs``. Both check ``host_name`` (the probe's or backend
    setting's host name) and expiry. Never raises for bad certificates.

    Example::

        report = check_backend(Path("fullchain.pem"), sku="Standard_v2",
                               host_name="backend.contoso.com",
                               trusted_roots=[Path("root.cer")])
        print(report)            # BE00x findings in the gateway's words
    """
    checked_optional(host_name, str, "host_name")
    checked_optional(store, TrustStore, "store")
    parsed_sku = Sku.parse(sku)
    moment = _moment(now)
    title = f"Backend health prediction ({parsed_sku.value}, host {host_name or 'none'})"
    chain, unreadable = _read_presented(presented, "the presented chain")
    if unreadable is not None:
        return Report(title, (unreadable,))
    roots, allowed = _sources(trusted_roots), _sources(authentication_certs)
    if parsed_sku.generation == 1:
        findings = _judge_v1(chain, host_name, allowed, moment)
        findings += _slots_v1(roots, use_well_known)
        anchors_text = f"{len(allowed)} authentication certificate(s), matched exactly"
        return Report(title, findings, _backend_details(chain, host_name, anchors_text))
    anchors, anchors_text, findings = _v2_anchors(roots, use_well_known, store)
    findings += _judge_v2(chain, host_name, anchors, use_well_known, moment)
    if allowed:
        findings.append(finding("GEN006", "authentication certificates do not exist on v2 SKUs"))
    return Report(title, findings, _backend_details(chain, host_name, anchors_text))


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
    an OCSP responder when ``ocsp`` (MT005). Never raises for bad certificates.

    Example::

        report = check_client(Path("client.pem"), Path("client-ca.cer"), verify_issuer_dn=True)
        report.ok, sorted(report.codes)
    """
    moment = _moment(now)
    title = "Mutual TLS prediction (Strict)"
    chain, unreadable = _read_presented(presented, "the client certificate")
    if unreadable is not None:
        return Report(title, (unreadable,))
    if not chain:
        return Report(title, (finding("MT001", "No client certificate presented"),))
    try:
        ca_certs = _certificates(trusted_client_ca)
    except AppGwCertError as exc:
        return Report(title, (finding("GEN001", f"the trusted client CA file: {exc}"),))
    leaf = chain[0]
    # OpenSSL's chain building: the CA file first, then what the client sent (any order).
    walk = walk_to_anchor(chain, 0, TrustStore(ca_certs), in_order=False, max_depth=_MAX_DEPTH)
    findings = _client_chain_findings(walk)
    findings += _purpose_findings(walk.path)
    findings += _expiry_findings(walk.path, moment, _client_expiry_text)
    details: list[tuple[str, str]] = [("client certificate", subject_text(leaf))]
    if verify_issuer_dn:
        findings += _issuer_dn_findings(leaf, ca_certs, details)
    if ocsp and not _has_ocsp_url(leaf):
        findings.append(finding("MT005", certificate=leaf))
    return Report(title, findings, details)


def client_issuer_dn(trusted_client_ca: CertSource) -> x509.Name:
    """The issuer DN the gateway extracts from a client CA file (``clientCertIssuerDN``).

    Leaves in the file are ignored. Each chain runs from the root down to a CA
    that issued no other CA in the file; the DN is that CA's subject: for
    root - intermediate the intermediate's, for a root alone the root's. With
    several chains, the longest wins; of equally long ones, the first in the
    file (azure-rules.md §6.2). :class:`ChainError` when the file holds no CA;
    :class:`CertificateFormatError` when that CA's subject cannot be read.

    Example::

        client_issuer_dn(Path("client-ca.cer")).rfc4514_string()
        'CN=Contoso Client Issuing CA,O=Contoso'
    """
    issuer = client_ca_issuer([c for c in _certificates(trusted_client_ca) if is_ca(c)])
    if issuer is None:
        raise ChainError(
            "the trusted client CA file holds no CA certificate (basicConstraints CA:TRUE); "
            "upload the root CA, and any intermediates, that issued the client certificates"
        )
    with translate_errors("the issuing CA's subject name"):
        return issuer.subject


# -- reading inputs --------------------------------------------------------------


def _moment(now: datetime | None) -> datetime:
    return checked_moment(now) or datetime.now(UTC)


def _certificates(source: CertSource) -> list[x509.Certificate]:
    """The certificates of ``source``; bytes and text are parsed once and remembered
    (they are immutable, so a remembered answer cannot differ). Files are read each time."""
    if isinstance(source, bytes | str) and len(source) <= _CACHED_INPUT_BYTES:
        return list(_parse_remembered(source))
    return certificates_of(source)


@lru_cache(maxsize=128)
def _parse_remembered(data: bytes | str) -> tuple[x509.Certificate, ...]:
    return tuple(certificates_of(data))


def _read_presented(source: CertSource, what: str) -> tuple[list[x509.Certificate], Finding | None]:
    """The presented certificates in order; an empty input is an empty chain."""
    if isinstance(source, bytes | str) and not source.strip():
        return [], None
    try:
        return _certificates(source), None
    except AppGwCertError as exc:
        return [], finding("GEN001", f"{what}: {exc}")


def _sources(sources: Iterable[CertSource]) -> list[CertSource]:
    """Each upload of an ``Iterable[CertSource]``; a lone source counts as one upload."""
    if isinstance(sources, bytes | str | os.PathLike | x509.Certificate):
        return [sources]
    return list(sources)


def _load_uploads(
    sources: Iterable[CertSource], what: str
) -> tuple[list[x509.Certificate], list[Finding]]:
    certs: list[x509.Certificate] = []
    problems: list[Finding] = []
    for number, source in enumerate(_sources(sources), 1):
        try:
            certs += _certificates(source)
        except AppGwCertError as exc:
            problems.append(finding("GEN001", f"{what} #{number}: {exc}"))
    return certs, problems


# -- certificate facts, never raising --------------------------------------------


def _ekus(cert: x509.Certificate) -> frozenset[x509.ObjectIdentifier] | None:
    """The EKU purposes, ``None`` when the certificate has no EKU (any purpose)."""
    try:
        return frozenset(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return None
    except Exception:
        return frozenset()  # unreadable: OpenSSL refuses the certificate as well


def _signs_handshakes(cert: x509.Certificate) -> bool:
    """OpenSSL's key-usage rule for TLS clients: digitalSignature or keyAgreement, if set."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    except Exception:
        return False
    return usage.digital_signature or usage.key_agreement


def _has_ocsp_url(cert: x509.Certificate) -> bool:
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except Exception:
        return False
    return any(d.access_method == AuthorityInformationAccessOID.OCSP for d in aia)


def _validity(cert: x509.Certificate) -> tuple[datetime, datetime] | None:
    try:
        return cert.not_valid_before_utc, cert.not_valid_after_utc
    except Exception:
        return None


# -- expiry (both verdicts) -----------------------------------------------------------


def _expiry_findings(
    certs: Iterable[x509.Certificate], now: datetime, text: _ExpiryText
) -> list[Finding]:
    findings = []
    for cert in distinct(certs):
        window = _validity(cert)
        if window is None:
            findings.append(finding("GEN002", text(False, "unreadable"), certificate=cert))
            continue
        start, end = window
        if not start <= now <= end:
            dates = f"valid from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"
            findings.append(finding("GEN002", text(now > end, dates), certificate=cert))
    return findings


def _backend_expiry_text(expired: bool, dates: str) -> str:
    return f"{MSG_EXPIRED} ({dates})"


def _client_expiry_text(expired: bool, dates: str) -> str:
    reason = "certificate has expired" if expired else "certificate is not yet valid"
    return f"{reason} ({dates})"


# -- backends, v2 -------------------------------------------------------------------


def _v2_anchors(
    trusted_roots: Iterable[CertSource], use_well_known: bool, store: TrustStore | None
) -> tuple[TrustStore, str, list[Finding]]:
    if use_well_known:
        return store or TrustStore.certifi(), f"well-known CAs ({APPROXIMATION_NOTE})", []
    roots, problems = _load_uploads(trusted_roots, "trusted root")
    return TrustStore(roots), f"{len(roots)} uploaded trusted root(s)", problems


def _judge_v2(
    chain: list[x509.Certificate],
    host_name: str | None,
    anchors: TrustStore,
    well_known: bool,
    now: datetime,
) -> list[Finding]:
    leaf_index = presented_leaf(chain)
    if leaf_index is None:
        found = finding("BE001", MSG_LEAF_MISSING, certificate=chain[0] if chain else None)
        return [found, *_expiry_findings(chain, now, _backend_expiry_text)]
    leaf = chain[leaf_index]
    findings = []
    if leaf_index > 0:
        top = subject_text(chain[0])
        findings.append(
            finding(
                "BE002",
                f"{MSG_LEAF_NOT_TOPMOST} (first presented: {top!r}; the leaf is certificate "
                f"#{leaf_index + 1})",
                certificate=leaf,
            )
        )
    walk = walk_to_anchor(
        chain,
        leaf_index,
        anchors,
        in_order=True,
        refuse_self_signed_leaf=True,
        max_depth=_MAX_DEPTH,
    )
    findings += _order_findings(walk, leaf_index)
    findings += _trust_findings(walk, well_known, bool(len(anchors)))
    findings += _host_findings(leaf, host_name, matches_hostname, MSG_CN_MISMATCH_V2)
    anchors_used = [c for c in walk.path if not holds(chain, c)]
    findings += _expiry_findings([*chain, *anchors_used], now, _backend_expiry_text)
    return findings


def _order_findings(walk: Walk, leaf_index: int) -> list[Finding]:
    """BE003 for the first issuer presented out of place (the rest follow from it)."""
    if leaf_index > 0 or not walk.out_of_order:
        return []  # BE002 already says the order is wrong
    cert, issuer = walk.out_of_order[0]
    return [
        finding(
            "BE003",
            f"{MSG_INTERMEDIATE_MISSING} (the issuer of {subject_text(cert)!r}, "
            f"{subject_text(issuer)!r}, is presented, but not right after it)",
            certificate=cert,
        )
    ]


def _trust_findings(walk: Walk, well_known: bool, has_anchors: bool) -> list[Finding]:
    top = walk.top
    if walk.end is End.TRUSTED:
        return []
    if walk.end is End.SELF_SIGNED_LEAF:
        return [
            finding(
                "BE003",
                f"{MSG_INTERMEDIATE_MISSING} (the certificate is self-signed but not a CA: "
                "the gateway refuses it even when it is uploaded as the trusted root)",
                certificate=top,
                hint="Issue the backend certificate from a root CA of your own and upload "
                "that root (`build_test_chain`), or make the self-signed certificate a CA.",
            )
        ]
    hint = None if has_anchors or well_known else "No trusted root was given: upload the root."
    if walk.end is End.UNTRUSTED_ROOT:
        if well_known:
            return [finding("BE006", MSG_NOT_WELL_KNOWN, certificate=top)]
        return [finding("BE004", MSG_ROOT_MISMATCH, certificate=top, hint=hint)]
    if len(walk.path) == 1:
        return [finding("BE003", MSG_INTERMEDIATE_MISSING, certificate=top)]
    if well_known:
        return [finding("BE006", MSG_INTERMEDIATE_NOT_WELL_KNOWN, certificate=top)]
    return [finding("BE005", MSG_INTERMEDIATE_NOT_SIGNED, certificate=top, hint=hint)]


def _host_findings(
    leaf: x509.Certificate,
    host_name: str | None,
    matches: _Matcher,
    mismatch: str,
) -> list[Finding]:
    findings = []
    if host_name is None or not host_name.strip():
        return [
            finding(
                "BE009",
                "No host name: the gateway sends no SNI, so the backend's default certificate "
                "is the one judged",
            )
        ]
    if is_ip(host_name):
        findings.append(
            finding(
                "BE009",
                f"The host name {host_name!r} is an IP address: the gateway sends no SNI "
                "(RFC 6066), so the backend's default certificate is the one judged",
            )
        )
    if not matches(leaf, host_name):
        findings.append(
            finding(
                "BE007",
                f"{mismatch} (host name {host_name!r}; the certificate names {_names_of(leaf)})",
                certificate=leaf,
            )
        )
    return findings


def _names_of(cert: x509.Certificate) -> str:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(getattr(n, "value", n)) for n in san]
        return f"SAN {names}" if names else "an empty SAN"
    except x509.ExtensionNotFound:
        return f"CN {list(common_names(cert))} and no SAN"
    except Exception:
        return "names that cannot be read"


def _backend_details(
    chain: Sequence[x509.Certificate], host_name: str | None, anchors: str
) -> list[tuple[str, str]]:
    details = [("presented", " > ".join(repr(subject_text(c)) for c in chain) or "nothing")]
    details.append(("SNI", host_name if host_name and not is_ip(host_name) else "none"))
    details.append(("trust anchors", anchors))
    return details


# -- backends, v1 ------------------------------------------------------------------------


def _judge_v1(
    chain: list[x509.Certificate],
    host_name: str | None,
    authentication_certs: Iterable[CertSource],
    now: datetime,
) -> list[Finding]:
    allowed, findings = _load_uploads(authentication_certs, "authentication certificate")
    if not chain:
        return [*findings, finding("BE001", MSG_LEAF_MISSING)]
    leaf = chain[0]  # the server's own certificate, compared byte for byte (A1)
    if leaf not in allowed:
        findings.append(finding("BE008", MSG_NOT_WHITELISTED, certificate=leaf))
    findings += _host_findings(leaf, host_name, matches_common_name, MSG_CN_MISMATCH_V1)
    findings += _expiry_findings([leaf], now, _backend_expiry_text)
    return findings


def _slots_v1(trusted_roots: Sequence[CertSource], use_well_known: bool) -> list[Finding]:
    if trusted_roots or use_well_known:
        return [
            finding(
                "GEN006",
                "trusted roots and well-known CAs are v2 settings; v1 checks only the "
                "authentication certificates",
            )
        ]
    return []


# -- clients -------------------------------------------------------------------------------


def _client_chain_findings(walk: Walk) -> list[Finding]:
    """MT002 in OpenSSL's verify words, picked as OpenSSL picks them."""
    if walk.end is End.TRUSTED:
        return []
    top = subject_text(walk.top)
    if walk.end is End.UNTRUSTED_ROOT:
        in_chain = "" if len(walk.path) == 1 else " in certificate chain"
        why = f"self-signed certificate{in_chain}: {top!r} is not in the uploaded client CA"
    else:
        local = "" if walk.from_store else "local "
        why = (
            f"unable to get {local}issuer certificate: the issuer of {top!r}, "
            f"{missing_issuer_text(walk.top)}, is neither sent by the client nor in the "
            "uploaded client CA"
        )
    return [finding("MT002", why, certificate=walk.top)]


def _purpose_findings(path: Sequence[x509.Certificate]) -> list[Finding]:
    """OpenSSL's TLS-client purpose: every EKU on the path allows clientAuth."""
    findings = []
    for depth, cert in enumerate(path):
        ekus = _ekus(cert)
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
    if path and not _signs_handshakes(path[0]):
        findings.append(
            finding(
                "MT003",
                f"{MSG_PURPOSE}: the client certificate's key usage allows neither "
                "digitalSignature nor keyAgreement",
                certificate=path[0],
            )
        )
    return findings


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
