"""Predict what backend health says about the chain a backend presents: ``check_backend``.

The chain is walked as OpenSSL walks it: from the leaf up, the trust anchors
first, then the certificates presented. Where Azure is stricter than OpenSSL,
each on a public page
(https://learn.microsoft.com/azure/application-gateway/application-gateway-backend-health-troubleshooting,
one section per message):

- v2 backends must send the leaf first and each issuer right after it: "This
  chain must start with the leaf certificate, then the intermediate
  certificate, and finally the root CA certificate"; the presented order is
  judged, never fixed;
- a self-signed backend certificate that is not a CA fails even when uploaded
  as the trusted root: "A self-signed certificate that isn't a CA can also
  cause this error" (the intermediate certificate is missing);
- v1 uses "an exact match of the authentication certificate"
  (https://learn.microsoft.com/azure/application-gateway/ssl-overview#end-to-end-tls-with-the-v1-sku):
  the leaf is compared byte for byte and signatures are not checked;
- the name held against the leaf is the one the gateway resolves from its
  configuration (:mod:`.names`); with none, or an IP literal, no SNI is sent
  (BE009: a warning).

Messages quote the page's texts, newest wording. ``check_client`` and
``client_issuer_dn`` live in :mod:`.client`; they are re-exported here with
their texts, so that every text the verdicts print can be found in one module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from cryptography import x509

from .._findings.report import Finding, Report
from .._findings.rules import finding
from .._findings.sku import Sku
from .._formats.inputs import CertSource, checked_optional
from .._x509.chain_picture import ChainPicture
from .._x509.names import matches_common_name, matches_hostname, subject_text
from .._x509.trust import APPROXIMATION_NOTE, TrustStore
from .._x509.walk import End, Walk, holds, presented_leaf, walk_to_anchor
from .client import (
    MSG_CLIENT_EXPIRED,
    MSG_CLIENT_NOT_YET_VALID,
    MSG_FIRST_NOT_VERIFIED,
    MSG_ISSUER_DN,
    MSG_NO_ISSUER,
    MSG_NO_LOCAL_ISSUER,
    MSG_PURPOSE,
    check_client,
    client_issuer_dn,
)
from .expiry import expiry_findings
from .inputs import MAX_DEPTH, as_uploads, load_uploads, moment, read_presented
from .names import ResolvedName, name_findings, resolve_sni

# The verdicts, and every text they print (the client's re-exported from .client).
__all__ = [
    "MSG_CLIENT_EXPIRED",
    "MSG_CLIENT_NOT_YET_VALID",
    "MSG_CN_MISMATCH_V1",
    "MSG_CN_MISMATCH_V2",
    "MSG_EXPIRED",
    "MSG_FIRST_NOT_VERIFIED",
    "MSG_INTERMEDIATE_MISSING",
    "MSG_INTERMEDIATE_NOT_SIGNED",
    "MSG_INTERMEDIATE_NOT_WELL_KNOWN",
    "MSG_ISSUER_DN",
    "MSG_LEAF_MISSING",
    "MSG_LEAF_NOT_TOPMOST",
    "MSG_NOT_WELL_KNOWN",
    "MSG_NOT_WHITELISTED",
    "MSG_NO_ISSUER",
    "MSG_NO_LOCAL_ISSUER",
    "MSG_PURPOSE",
    "MSG_ROOT_MISMATCH",
    "check_backend",
    "check_client",
    "client_issuer_dn",
]

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

# leaf -> the findings about the names it is held against
_NameCheck = Callable[[x509.Certificate], list[Finding]]


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
    backend_address: str | None = None,
    probe_host_name: str | None = None,
    pick_host_name_from_backend_address: bool = False,
    sni_name: str | None = None,
    validate_sni: bool = True,
    validate_chain_and_expiry: bool = True,
) -> Report:
    """Predict the gateway's backend-health verdict on the chain a backend presents.

    ``presented`` is the chain in the order the backend sends it
    (:func:`fetch_presented_chain` reads it from a live server); the order is
    judged, never fixed. v2 SKUs check the chain against ``trusted_roots``, or
    against the well-known store (``store``, default Mozilla's via certifi) when
    ``use_well_known``; v1 SKUs check that the leaf is one of
    ``authentication_certs``. Both check expiry, and the leaf's names against
    the name the gateway's health probe resolves from what it is configured
    with: ``backend_address`` (the pool member, FQDN or IP), ``host_name``
    (the backend setting's host name), ``pick_host_name_from_backend_address``
    and ``probe_host_name`` (a custom probe's host; ``None`` for the default
    probe). v2 sends the first set of custom probe host > setting host (or the
    backend address when picked) > pool FQDN; v1 sends and checks the pool
    FQDN only, the other names being HTTP Host headers. An IP literal is
    never sent as SNI. ``validate_chain_and_expiry``, ``validate_sni`` and
    ``sni_name`` are the v2 backend settings' TLS validation options. The
    details say which name was sent as SNI, and from where. Never raises for
    bad certificates.

    Example::

        report = check_backend(Path("fullchain.pem"), sku="Standard_v2",
                               host_name="backend.contoso.com",
                               trusted_roots=[Path("root.cer")])
        print(report)            # BE00x findings in the gateway's words
    """
    checked_optional(host_name, str, "host_name")
    checked_optional(store, TrustStore, "store")
    parsed_sku = Sku.parse(sku)
    when = moment(now)
    v1 = parsed_sku.generation == 1
    resolved = resolve_sni(
        parsed_sku,
        probe_host_name=probe_host_name,
        host_name=host_name,
        pick_host_name_from_backend_address=pick_host_name_from_backend_address,
        backend_address=backend_address,
        sni_name=sni_name if validate_sni else None,
    )
    title = f"Backend health prediction ({parsed_sku.value}, SNI {resolved.sni or 'none'})"
    chain, unreadable = read_presented(presented, "the presented chain")
    if unreadable is not None:
        return Report(title, (unreadable,))
    roots, allowed = as_uploads(trusted_roots), as_uploads(authentication_certs)
    picture = ChainPicture(tuple(chain), now=when)
    details = [
        ("presented", " > ".join(repr(subject_text(c)) for c in chain) or "nothing"),
        ("SNI", resolved.describe()),
        ("probe Host header", resolved.host_header),
    ]
    if v1:
        findings = _judge_v1(chain, resolved, allowed, when)
        findings += _slots_v1(roots, use_well_known)
        details.append(("trust anchors", f"{len(allowed)} authentication certificate(s), "
                        "each compared byte for byte with the leaf"))  # fmt: skip
        if sni_name or not (validate_sni and validate_chain_and_expiry):
            details.append(("TLS validation options", "v2 settings: not applied on v1"))
        return Report(title, findings, details, chain=picture)
    names = _v2_names(resolved, validate_sni, details)
    if validate_chain_and_expiry:
        anchors, anchors_text, findings = _v2_anchors(roots, use_well_known, store)
        findings += _judge_v2(chain, names, anchors, use_well_known, when)
    else:
        anchors_text = "none: chain and dates not validated (validateCertChainAndExpiry)"
        findings = names(chain[0]) if chain else [finding("BE001", MSG_LEAF_MISSING)]
    details.append(("trust anchors", anchors_text))
    if allowed:
        findings.append(finding("GEN006", "authentication certificates do not exist on v2 SKUs"))
    return Report(title, findings, details, chain=picture)


# -- backends, v2 -------------------------------------------------------------------


def _v2_names(
    resolved: ResolvedName, validate_sni: bool, details: list[tuple[str, str]]
) -> _NameCheck:
    """BE007 against the resolved name unless ``validateSNI`` is off; BE009 always:
    they say which certificate the backend serves."""
    if not validate_sni:
        details.append(("name check", "off: validateSNI is false (sniName is not used)"))

    def check(leaf: x509.Certificate) -> list[Finding]:
        return name_findings(
            leaf,
            resolved,
            v1=False,
            check=validate_sni,
            matches=matches_hostname,
            mismatch=MSG_CN_MISMATCH_V2,
        )

    return check


def _v2_anchors(
    trusted_roots: Iterable[CertSource], use_well_known: bool, store: TrustStore | None
) -> tuple[TrustStore, str, list[Finding]]:
    if use_well_known:
        return store or TrustStore.certifi(), f"well-known CAs ({APPROXIMATION_NOTE})", []
    roots, problems = load_uploads(trusted_roots, "trusted root")
    return TrustStore(roots), f"{len(roots)} uploaded trusted root(s)", problems


def _judge_v2(
    chain: list[x509.Certificate],
    names: _NameCheck,
    anchors: TrustStore,
    well_known: bool,
    now: datetime,
) -> list[Finding]:
    leaf_index = presented_leaf(chain)
    if leaf_index is None:
        found = finding("BE001", MSG_LEAF_MISSING, certificate=chain[0] if chain else None)
        return [found, *expiry_findings(chain, now, _expiry_text)]
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
        max_depth=MAX_DEPTH,
    )
    findings += _order_findings(walk, leaf_index)
    findings += _trust_findings(walk, well_known, bool(len(anchors)))
    findings += names(leaf)
    anchors_used = [c for c in walk.path if not holds(chain, c)]
    findings += expiry_findings([*chain, *anchors_used], now, _expiry_text)
    return findings


def _expiry_text(expired: bool, dates: str) -> str:
    return f"{MSG_EXPIRED} ({dates})"


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


# -- backends, v1 ------------------------------------------------------------------------


def _judge_v1(
    chain: list[x509.Certificate],
    resolved: ResolvedName,
    authentication_certs: Iterable[CertSource],
    now: datetime,
) -> list[Finding]:
    allowed, findings = load_uploads(authentication_certs, "authentication certificate")
    if not chain:
        return [*findings, finding("BE001", MSG_LEAF_MISSING)]
    leaf = chain[0]  # the server's own certificate, compared byte for byte
    if leaf not in allowed:
        findings.append(finding("BE008", MSG_NOT_WHITELISTED, certificate=leaf))
    findings += name_findings(
        leaf,
        resolved,
        v1=True,
        check=True,
        matches=matches_common_name,
        mismatch=MSG_CN_MISMATCH_V1,
    )
    findings += expiry_findings([leaf], now, _expiry_text)
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
