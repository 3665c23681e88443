"""The one registry of rule codes: severity, title, hint, public reference, basis.

Every :class:`Finding` the library makes comes from :func:`finding`, which
fills severity, hint and reference from here, so a code means the same thing
everywhere. ``basis`` names the rule of ``azure-rules.md`` (L3, R5, C2, …) the
code rests on; its label there decides the severity (UNCONFIRMED never errors).
The docs' rules page is generated from this module::

    python -m appgw_certs._findings.rules > docs/rules.md
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from cryptography import x509

from .._x509.names import subject_text
from .report import Finding, Severity

__all__ = ["RULES", "Rule", "certificate_label", "finding", "render_markdown"]

_DOCS = "https://learn.microsoft.com/azure/application-gateway/"
SSL_OVERVIEW = _DOCS + "ssl-overview"
LIMITS = (
    "https://learn.microsoft.com/azure/azure-resource-manager/management/"
    "azure-subscription-service-limits#application-gateway-limits"
)
FAQ = _DOCS + "application-gateway-faq"
CREATE_SSL_PORTAL = _DOCS + "create-ssl-portal"
BACKEND_AUTH = _DOCS + "certificates-for-backend-authentication"
BACKEND_HEALTH = _DOCS + "application-gateway-backend-health-troubleshooting"
HTTP_SETTINGS = _DOCS + "configuration-http-settings"
MTLS_OVERVIEW = _DOCS + "mutual-authentication-overview"
MTLS_TROUBLESHOOTING = _DOCS + "mutual-authentication-troubleshooting"
KEY_VAULT = _DOCS + "key-vault-certs"
OVERVIEW_V2 = _DOCS + "overview-v2"
LISTENERS = _DOCS + "configuration-listeners"
AES_ISSUE = "https://github.com/MicrosoftDocs/azure-docs/issues/54393"
CER_ISSUE = "https://github.com/MicrosoftDocs/azure-docs/issues/69393"


@dataclass(frozen=True)
class Rule:
    """One code: what it means, how bad it is, what to do, and where Azure says so."""

    code: str
    severity: Severity
    scope: str  # a slot name, "any", "backend", "client" or "gateway"
    title: str
    hint: str
    reference: str
    basis: str  # azure-rules.md rule id(s)
    azure_code: str = ""  # the error code Azure answers with, where it has one


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({rule.code: rule for rule in rules})


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

#: Every code, in documentation order.
RULES: Mapping[str, Rule] = _rules(
    # -- any slot ------------------------------------------------------------
    Rule(
        "GEN001",
        E,
        "any",
        "Nothing readable as this slot's format (empty, corrupt, or the wrong kind of file)",
        "Check that this is the right file: a listener takes a PFX (.pfx/.p12), the other slots a "
        "Base-64 .cer (PEM). `appgw-certs inspect FILE` shows what a file holds.",
        SSL_OVERVIEW,
        "L1, A2, R2, C7",
    ),
    Rule(
        "GEN002",
        E,
        "any",
        "Certificate expired or not yet valid",
        "Renew the certificate (or wait for its Valid-from date) and upload the new one; "
        'Azure: current date isn\'t within the "Valid from" and "Valid to" date range.',
        BACKEND_HEALTH,
        "L9, §4.2 expiry",
    ),
    Rule(
        "GEN003",
        W,
        "any",
        "Certificate expires within 30 days",
        "Renew it now and upload the new certificate before it expires.",
        BACKEND_HEALTH,
        "L9",
    ),
    Rule(
        "GEN004",
        W,
        "any",
        "Signature weaker than SHA-256 (SHA-1, MD5) on a non-root certificate",
        "Reissue the certificate with a SHA-256 signature (`openssl req -sha256`, "
        "`build_test_chain` for test chains). Azure documents no algorithm list (U2).",
        _DOCS + "self-signed-certificates",
        "L14, U2 (UNCONFIRMED)",
    ),
    Rule(
        "GEN005",
        W,
        "any",
        "Key Azure is not known to take (RSA < 2048, EC curve other than "
        "P-256/P-384, Ed25519/Ed448, DSA)",
        "Use RSA 2048 or larger, or EC P-256/P-384 (`build_test_chain(key_type=KeyType.EC_P256)`). "
        "Azure documents no key list (U1).",
        OVERVIEW_V2,
        "L12, L13, U1 (UNCONFIRMED)",
    ),
    Rule(
        "GEN006",
        E,
        "any",
        "This slot does not exist on this SKU",
        "v2 takes trusted roots, not authentication certificates (`extract_trusted_root`, "
        "`appgw-certs extract root`); v1 takes authentication certificates, not trusted roots "
        "(`extract_authentication_cert`, `appgw-certs extract auth`); trusted client CAs need "
        "Standard_v2 or WAF_v2.",
        SSL_OVERVIEW,
        "A3, §2, §6.1",
    ),
    # -- listener ------------------------------------------------------------
    Rule(
        "LST001",
        E,
        "listener",
        "Not a PFX / PKCS#12 file",
        "Upload a PFX holding the private key and the full chain: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem --chain chain.pem` (`cer_to_pfx`).",
        SSL_OVERVIEW,
        "L1",
    ),
    Rule(
        "LST002",
        E,
        "listener",
        "PFX password missing or wrong",
        "Give the password the PFX was exported with (`--password`, `password=`). Azure says "
        '"Password specified for certificate is incorrect" also for encryption it cannot read '
        "(see LST007).",
        CREATE_SSL_PORTAL,
        "L1, L8, T2",
    ),
    Rule(
        "LST003",
        E,
        "listener",
        "PFX holds no private key",
        "Export the certificate together with its private key: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem` (`cer_to_pfx`).",
        SSL_OVERVIEW,
        "L1",
    ),
    Rule(
        "LST004",
        E,
        "listener",
        "The private key does not match the certificate",
        "Pair the certificate with the key it was issued for; `cer_to_pfx` refuses a mismatch.",
        SSL_OVERVIEW,
        "L1",
    ),
    Rule(
        "LST005",
        E,
        "listener",
        "Password not 4–12 letters and digits (Azure's rule)",
        "Re-export with a password of 4 to 12 letters and digits: `appgw-certs convert in.pfx "
        "out.pfx --new-password env:NEW --profile compatible` (`to_pfx(..., password=...)`).",
        FAQ,
        "L4, L5, T3",
    ),
    Rule(
        "LST006",
        E,
        "listener",
        "PFX over the size limit: 10 KB on v1, 16 KB on v2",
        "Keep only the leaf, its intermediates and the root, or use an EC key. Measured on the "
        "raw file (KB = 1024 bytes); only the base64 form over the limit is a warning (U3).",
        LIMITS,
        "L3, U3",
    ),
    Rule(
        "LST007",
        W,
        "listener",
        "PFX encryption Azure may not accept (e.g. AES/PBES2 from OpenSSL 3)",
        "Re-export with the compatible profile: `appgw-certs convert in.pfx out.pfx "
        '--profile compatible` (`to_pfx(..., profile="compatible")`, or `openssl pkcs12 -export '
        "-legacy`).",
        AES_ISSUE,
        "L6, L7, T1, U6",
    ),
    Rule(
        "LST008",
        W,
        "listener",
        "Chain incomplete in the PFX: intermediates or root missing",
        "Include the intermediates and the root: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem --chain chain.pem` "
        "(`to_pfx(key, leaf, chain=[intermediate, root], ...)`).",
        SSL_OVERVIEW,
        "L2, T4",
    ),
    Rule(
        "LST009",
        E,
        "listener",
        "A host name is not covered by the certificate (SAN, else CN)",
        "Issue a certificate whose SAN lists the host name (a wildcard covers one label only: "
        "`*.contoso.com` does not cover `contoso.com`).",
        SSL_OVERVIEW,
        "L10",
    ),
    Rule(
        "LST010",
        W,
        "listener",
        "Leaf lacks the serverAuth EKU, or is a CA certificate",
        "Use a server certificate: CA:FALSE and extendedKeyUsage serverAuth "
        "(`build_test_chain` for test chains).",
        SSL_OVERVIEW,
        "L11 (INFERRED)",
    ),
    Rule(
        "LST011",
        W,
        "listener",
        "PFX holds several private keys, or another end-entity certificate besides its leaf",
        "Export the PFX with the server's key, its certificate and that certificate's chain "
        "only (`to_pfx(key, [leaf, *chain])`).",
        SSL_OVERVIEW,
        "T5 (UNCONFIRMED)",
    ),
    # -- authentication (v1) -------------------------------------------------
    Rule(
        "AUTH001",
        E,
        "authentication",
        "The authentication certificate file holds a private key",
        "Upload only the backend's public certificate: `appgw-certs extract auth IN -o out.cer` "
        "(`extract_authentication_cert`). Never upload a key where none is wanted.",
        BACKEND_AUTH,
        "A2 (our policy)",
    ),
    Rule(
        "AUTH002",
        E,
        "authentication",
        "A CA / root certificate, not the backend's leaf",
        "v1 allow-lists the backend's own leaf: `appgw-certs extract auth chain.pem -o leaf.cer` "
        "(`extract_authentication_cert`).",
        BACKEND_AUTH,
        "A1, T6",
    ),
    Rule(
        "AUTH003",
        W,
        "authentication",
        "More than one certificate in the file",
        "Upload the backend's leaf alone: `appgw-certs extract auth IN -o leaf.cer` "
        "(`extract_authentication_cert`).",
        BACKEND_AUTH,
        "A1 (INFERRED)",
    ),
    Rule(
        "AUTH004",
        I,
        "authentication",
        "DER binary; the portal expects Base-64 (.cer)",
        "Convert it: `appgw-certs convert in.der out.cer --to cer` (`to_cer(data)`).",
        BACKEND_AUTH,
        "A2, R3",
    ),
    Rule(
        "AUTH005",
        W,
        "authentication",
        "Text around the PEM block or other non-certificate content",
        "Keep only the BEGIN/END CERTIFICATE block: `appgw-certs extract auth IN -o leaf.cer` "
        "(`extract_authentication_cert`).",
        BACKEND_AUTH,
        "A2",
    ),
    # -- trusted root (v2) ---------------------------------------------------
    Rule(
        "ROOT001",
        E,
        "trusted-root",
        "The trusted root file holds a private key",
        "Upload only the root's public certificate: `appgw-certs extract root IN -o root.cer` "
        "(`extract_trusted_root`). Never upload a key where none is wanted.",
        BACKEND_AUTH,
        "§1 (our policy)",
    ),
    Rule(
        "ROOT002",
        E,
        "trusted-root",
        "Not self-signed: an intermediate or leaf, not a root",
        "Upload the root CA at the top of the backend's chain: `appgw-certs extract root "
        "chain.pem -o root.cer` (`extract_trusted_root`).",
        SSL_OVERVIEW,
        "R1, R5, U8",
    ),
    Rule(
        "ROOT003",
        E,
        "trusted-root",
        "Self-signed but not a CA (no CA:TRUE)",
        'Backend health will say "The Intermediate certificate is missing". Issue the backend\'s '
        "certificate from a private root CA (`build_test_chain`) and upload that root.",
        BACKEND_HEALTH,
        "R5, T7",
    ),
    Rule(
        "ROOT004",
        W,
        "trusted-root",
        "More than one certificate in the file",
        "Upload one root per trusted root object: `appgw-certs extract root IN -o root.cer` "
        "(`extract_trusted_root`).",
        SSL_OVERVIEW,
        "R4 (UNCONFIRMED)",
    ),
    Rule(
        "ROOT005",
        I,
        "trusted-root",
        'A well-known CA: "Use well known CA certificate" would do instead',
        'Set "Use well known CA certificate" to Yes on the backend setting and skip the upload. '
        "Approximation: Azure's store is undocumented; Mozilla's (certifi) is used.",
        HTTP_SETTINGS,
        "R7, §7, U7",
    ),
    Rule(
        "ROOT006",
        W,
        "trusted-root",
        "Text around the PEM block(s) or other non-certificate "
        'content ("Invalid data in .cer file")',
        "Keep only the BEGIN/END CERTIFICATE block: `appgw-certs convert in.cer out.cer --to cer` "
        "(`to_cer`).",
        CER_ISSUE,
        "R6, A2",
    ),
    # -- trusted client CA (mutual TLS) --------------------------------------
    Rule(
        "CCA001",
        E,
        "trusted-client-ca",
        "Empty data (ApplicationGatewayTrustedClientCertificateMustSpecifyData)",
        "Upload a PEM file holding the root CA and any intermediates.",
        MTLS_TROUBLESHOOTING,
        "C6",
        azure_code="ApplicationGatewayTrustedClientCertificateMustSpecifyData",
    ),
    Rule(
        "CCA002",
        E,
        "trusted-client-ca",
        "Holds a private key (ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey)",
        "Upload only the CA certificates, PEM: `appgw-certs convert in.pfx ca.cer "
        "--include-chain` (`pfx_to_cer(..., include_chain=True)`), or delete the PRIVATE KEY "
        "block.",
        MTLS_TROUBLESHOOTING,
        "C5",
        azure_code="ApplicationGatewayTrustedClientCertificateMustNotHavePrivateKey",
    ),
    Rule(
        "CCA003",
        E,
        "trusted-client-ca",
        "Not PEM-delimited certificates (ApplicationGatewayTrustedClientCertificateInvalidData)",
        "Upload PEM (Base-64 .cer) with each certificate between BEGIN/END CERTIFICATE lines: "
        "`appgw-certs convert IN out.cer --to cer` (`to_cer`).",
        MTLS_TROUBLESHOOTING,
        "C7, U9",
        azure_code="ApplicationGatewayTrustedClientCertificateInvalidData",
    ),
    Rule(
        "CCA004",
        E,
        "trusted-client-ca",
        "No CA certificate "
        "(ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate)",
        "Upload the CA that issued the client certificates (CA:TRUE), not a client certificate.",
        MTLS_TROUBLESHOOTING,
        "C4",
        azure_code="ApplicationGatewayTrustedClientCertificateDoesNotContainAnyCACertificate",
    ),
    Rule(
        "CCA005",
        E,
        "trusted-client-ca",
        "Not exactly one root CA "
        "(ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate)",
        "Put one root CA (with its intermediates) in each file; upload other chains as separate "
        "trusted client CA objects.",
        MTLS_TROUBLESHOOTING,
        "C1, C2",
        azure_code="ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate",
    ),
    Rule(
        "CCA006",
        E,
        "trusted-client-ca",
        "File over 25 KB",
        "Drop certificates the clients do not chain to; split chains into separate objects.",
        MTLS_OVERVIEW,
        "C8",
    ),
    Rule(
        "CCA007",
        W,
        "trusted-client-ca",
        "More than one chain in the file",
        "With the issuer DN check on, only clients of the extracted DN pass: upload one chain "
        "per object.",
        MTLS_OVERVIEW,
        "C10, T11, §6.2",
    ),
    Rule(
        "CCA008",
        W,
        "trusted-client-ca",
        "An intermediate does not chain to the file's root",
        "Remove it, or add the root it chains to as a separate trusted client CA object.",
        MTLS_OVERVIEW,
        "C3 (INFERRED)",
    ),
    Rule(
        "CCA009",
        I,
        "trusted-client-ca",
        "A leaf certificate is included; the gateway ignores it",
        "Remove the leaf to keep the file to CA certificates.",
        MTLS_TROUBLESHOOTING,
        "C4",
    ),
    # -- backend verdicts ----------------------------------------------------
    Rule(
        "BE001",
        E,
        "backend",
        "Leaf missing from the presented chain",
        "Configure the backend to send its own certificate first, then the intermediates.",
        BACKEND_HEALTH,
        "§4.2 chain, §5",
    ),
    Rule(
        "BE002",
        E,
        "backend",
        "Leaf is not the topmost certificate",
        "Order the backend's chain file leaf first, then each issuer (`order_chain`).",
        BACKEND_HEALTH,
        "§4.2 chain, §5, T8",
    ),
    Rule(
        "BE003",
        E,
        "backend",
        "Intermediate missing from the presented chain",
        "Serve the full chain (nginx `fullchain.pem`, not `cert.pem`).",
        BACKEND_HEALTH,
        "§4.2 chain, §5, R5, T8",
    ),
    Rule(
        "BE004",
        E,
        "backend",
        "Presented root does not match any trusted root",
        "Upload the backend chain's root: `appgw-certs extract root chain.pem -o root.cer` "
        "(`extract_trusted_root`).",
        BACKEND_HEALTH,
        "R1, §5, T10",
    ),
    Rule(
        "BE005",
        E,
        "backend",
        "Intermediate not signed by any uploaded trusted root",
        "Upload the root that signed the intermediate (`extract_trusted_root`).",
        BACKEND_HEALTH,
        "§4.2 chain, §5",
    ),
    Rule(
        "BE006",
        E,
        "backend",
        "Not signed by a well-known CA (well-known chosen)",
        'Upload the backend\'s root as a trusted root and set "Use well known CA certificate" '
        "to No. Approximation: Mozilla's store (certifi) stands in for Azure's.",
        BACKEND_HEALTH,
        "R7, §7, U7",
    ),
    Rule(
        "BE007",
        E,
        "backend",
        "Host name does not match the leaf (SAN, else CN)",
        "Set the backend setting's or probe's host name to a name the certificate covers, or "
        "reissue the certificate.",
        BACKEND_HEALTH,
        "§4.2 host name, §5",
    ),
    Rule(
        "BE008",
        E,
        "backend",
        "v1: leaf is not one of the authentication certificates",
        "Upload the backend's leaf: `appgw-certs extract auth chain.pem -o leaf.cer` "
        "(`extract_authentication_cert`).",
        BACKEND_HEALTH,
        "A1, §4.1, §5",
    ),
    Rule(
        "BE009",
        W,
        "backend",
        "No host name (or an IP): no SNI is sent; the default certificate must match",
        "Set a host name on the backend setting or a custom probe.",
        SSL_OVERVIEW,
        "§4.2 host name, T9",
    ),
    # -- client verdicts (mutual TLS) ----------------------------------------
    Rule(
        "MT001",
        E,
        "client",
        "No client certificate presented",
        "In Strict mode the client must send a certificate issued under the uploaded CA.",
        MTLS_TROUBLESHOOTING,
        "§6.1, §6.3",
    ),
    Rule(
        "MT002",
        E,
        "client",
        "Unable to get (local) issuer certificate: chain does not reach the uploaded CA",
        "Upload the client certificate's root and intermediates as the trusted client CA, or "
        "have the client send its intermediates.",
        MTLS_TROUBLESHOOTING,
        "§6.3",
    ),
    Rule(
        "MT003",
        E,
        "client",
        'Leaf lacks the clientAuth EKU ("Unsupported certificate purpose")',
        "Issue client certificates with extendedKeyUsage clientAuth (`TestChain.issue_client`).",
        MTLS_TROUBLESHOOTING,
        "§6.3, T12",
    ),
    Rule(
        "MT004",
        E,
        "client",
        "Issuer DN check on and the client's issuer differs from the extracted DN",
        "Upload the client's issuing chain as its own trusted client CA, or turn "
        "verifyClientCertIssuerDN off.",
        MTLS_OVERVIEW,
        "§6.2",
    ),
    Rule(
        "MT005",
        W,
        "client",
        "OCSP on but no OCSP responder URL in the certificate's AIA",
        "Issue client certificates with an AIA OCSP URL, or turn verifyClientRevocation off.",
        MTLS_OVERVIEW,
        "§6.3 (INFERRED)",
    ),
    # -- gateway audit -------------------------------------------------------
    Rule(
        "GW001",
        E,
        "gateway",
        "HTTPS listener host name not covered by its certificate",
        "Use a certificate whose SAN (else CN) covers every host name of the listener.",
        SSL_OVERVIEW,
        "L10",
    ),
    Rule(
        "GW002",
        E,
        "gateway",
        "A reference points to an object that does not exist",
        "Fix the reference or create the object it names.",
        LISTENERS,
        "§2 (INFERRED)",
    ),
    Rule(
        "GW003",
        I,
        "gateway",
        "Certificate object used by nothing (still counts toward limits)",
        "Remove it if it is no longer needed.",
        LIMITS,
        "§2",
    ),
    Rule(
        "GW004",
        W,
        "gateway",
        "Backend setting trusts only well-known CAs while its backend looks private",
        "Upload the backend's private root as a trusted root and set \"Use well known CA "
        'certificate" to No.',
        HTTP_SETTINGS,
        "R7, §7",
    ),
    Rule(
        "GW005",
        W,
        "gateway",
        "Host name sent to the backend is an IP or missing: no SNI",
        "Set a host name on the backend setting or probe; otherwise the backend's default "
        "certificate must match.",
        SSL_OVERVIEW,
        "§4.2 host name, T9",
    ),
    Rule(
        "GW006",
        W,
        "gateway",
        "HTTPS probe with neither host nor pickHostNameFromBackendHttpSettings",
        "Set the probe's host, or pick the host name from the backend setting.",
        BACKEND_HEALTH,
        "T9",
    ),
    Rule(
        "GW007",
        W,
        "gateway",
        "Backend certificate validation relaxed (validateCertChainAndExpiry or validateSNI false)",
        "Turn the validation back on once the backend's chain and names are right.",
        HTTP_SETTINGS,
        "§4.2 relaxations",
    ),
    Rule(
        "GW008",
        E,
        "gateway",
        "A documented limit exceeded",
        "Remove unused certificates (GW003) or split the configuration. The WAF CRS ≤ 3.1 cap of "
        "40 certificates is unconfirmed (U12) and only warned about.",
        LIMITS,
        "§2, A4, C9, U12",
    ),
    Rule(
        "GW009",
        W,
        "gateway",
        "SSL profile requires client certificates (Strict) but references no trusted client CA",
        "Add a trusted client CA to the SSL profile, or use Passthrough mode.",
        MTLS_OVERVIEW,
        "§6.1 (INFERRED)",
    ),
    Rule(
        "GW010",
        W,
        "gateway",
        "clientCertIssuerDN returned by Azure differs from the DN the file's chains imply",
        "Check which chain the file holds first; upload one chain per object.",
        MTLS_OVERVIEW,
        "§6.2, C12",
    ),
    Rule(
        "GW011",
        I,
        "gateway",
        "The same certificate is uploaded under several names",
        "Keep one object and point every user at it.",
        LIMITS,
        "§2",
    ),
    Rule(
        "GW012",
        I,
        "gateway",
        "Key Vault secret id carries a version: no automatic rotation",
        "Use the versionless secret id (https://VAULT.vault.azure.net/secrets/NAME/).",
        KEY_VAULT,
        "K4",
    ),
    Rule(
        "GW013",
        I,
        "gateway",
        "A value could not be known offline (Key Vault, placeholder, unresolved expression)",
        "Check it against the live gateway or Key Vault; nothing was judged here.",
        KEY_VAULT,
        "§2, K8",
    ),
    Rule(
        "GW014",
        W,
        "gateway",
        "Wildcard listener whose certificate carries the same wildcard: deeper "
        "names are admitted but not covered",
        "Narrow the listener's host names, or accept that a.b.contoso.com will fail TLS.",
        LISTENERS,
        "L10 (INFERRED)",
    ),
)


def certificate_label(certificate: x509.Certificate | str | None) -> str | None:
    """The RFC 4514 subject of ``certificate``, never raising for an odd certificate.

    >>> certificate_label("CN=example")
    'CN=example'
    """
    if certificate is None or isinstance(certificate, str):
        return certificate
    # subject_text never raises; an empty subject (SAN-only leaves) still needs a name.
    return subject_text(certificate) or _serial_label(certificate)


def _serial_label(certificate: x509.Certificate) -> str:
    try:
        return f"(empty subject, serial {certificate.serial_number:#x})"
    except Exception:
        return "(empty subject)"


def finding(
    code: str,
    message: str | None = None,
    *,
    certificate: x509.Certificate | str | None = None,
    hint: str | None = None,
    location: str | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of a registered code; severity, hint and reference come from :data:`RULES`.

    ``message`` defaults to the rule's title, and always ends with Azure's own
    error code where it has one; ``hint`` and ``severity`` override the
    registry only where a rule says so (LST006 when only base64 is over).

    >>> finding("ROOT004", certificate="CN=Contoso Root").severity
    <Severity.WARNING: 'warning'>
    """
    rule = RULES[code]
    text = message or rule.title
    if rule.azure_code and rule.azure_code not in text:
        text = f"{text} ({rule.azure_code})"
    return Finding(
        code=code,
        severity=severity or rule.severity,
        message=text,
        hint=rule.hint if hint is None else hint,
        certificate=certificate_label(certificate),
        reference=rule.reference,
        location=location,
    )


_SCOPES = {
    "any": "Any slot",
    "listener": "Listener PFX",
    "authentication": "v1 authentication certificate",
    "trusted-root": "v2 trusted root",
    "trusted-client-ca": "Trusted client CA (mutual TLS)",
    "backend": "Backend verdicts (`check_backend`)",
    "client": "Client verdicts (`check_client`)",
    "gateway": "Gateway audit (`audit_gateway`)",
}


def render_markdown() -> str:
    """The docs' rules page (``docs/rules.md``), generated from :data:`RULES`.

    >>> render_markdown().splitlines()[0]
    '# Rule codes'
    """
    lines = [
        "# Rule codes",
        "",
        "<!-- Generated by `python -m appgw_certs._findings.rules > docs/rules.md`;"
        " do not edit. -->",
        "",
        "Codes are stable: tools match on them. Severity follows what Azure documents:",
        "a documented rejection or failure is an **error**, a rule seen only in reports or",
        "unconfirmed is a **warning**, advice is **info**. *Basis* names the rule in the",
        "project's Azure rules reference that the code rests on.",
    ]
    for scope, heading in _SCOPES.items():
        lines += [
            "",
            f"## {heading}",
            "",
            "| code | severity | meaning | what to do | basis |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| [{r.code}]({r.reference}) | {r.severity.value} | {_cell(r.title)} "
            f"| {_cell(r.hint)} | {_cell(r.basis)} |"
            for r in RULES.values()
            if r.scope == scope
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_markdown())
