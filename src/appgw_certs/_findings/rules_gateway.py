"""Rule codes of the whole-gateway audit (GW): certificates checked against the
listeners, backend settings, probes and SSL profiles that use them, and the TLS
policies (GW015–GW017) that apply to each listener."""

from __future__ import annotations

from . import seen
from . import sources as src
from .report import Severity
from .rule import Evidence, Rule

__all__ = ["GATEWAY"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
DOCUMENTED, INFERRED = Evidence.DOCUMENTED, Evidence.INFERRED

GATEWAY = (
    Rule(
        code="GW001",
        severity=E,
        scope="gateway",
        title="HTTPS listener host name not covered by its certificate",
        hint="Use a certificate whose SAN (else CN) covers every host name of the listener.",
        source=src.TLS_TERMINATION,
        summary="For TLS to work the certificate's name must match the host the client asks "
        "for; `*.site.com` does not cover `site.com`.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW002",
        severity=E,
        scope="gateway",
        title="A reference points to an object that does not exist",
        hint="Fix the reference or create the object it names.",
        source=src.LISTENER_PROTOCOL,
        summary="An HTTPS listener needs a certificate added to it; what Azure answers for a "
        "reference to a missing object is not documented.",
        evidence=INFERRED,
    ),
    Rule(
        code="GW003",
        severity=I,
        scope="gateway",
        title="Certificate object used by nothing (still counts toward limits)",
        hint="Remove it if it is no longer needed.",
        source=src.LIMITS,
        summary="Each kind of certificate object has a per-gateway limit, which every uploaded "
        "object counts toward.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW004",
        severity=W,
        scope="gateway",
        title="Backend setting trusts only well-known CAs while its backend looks private",
        hint="Upload the backend's private root as a trusted root and set \"Use well known CA "
        'certificate" to No.',
        source=src.SETTINGS_TRUSTED_ROOT,
        summary="A private CA or self-signed backend certificate needs its root certificate "
        "uploaded to the backend setting.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW005",
        severity=W,
        scope="gateway",
        title="The name a probe (or live traffic) resolves is an IP: no SNI",
        hint="Set a host name (FQDN) on the custom probe or the backend setting (v2), or use "
        "an FQDN as the backend pool member; otherwise the backend's default certificate must "
        "pass.",
        source=src.BACKEND_SNI,
        summary="Custom probe > HTTP settings > backend pool (v2), the pool FQDN (v1); an IP "
        "address as host name sets no SNI, so the default certificate must pass.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW006",
        severity=W,
        scope="gateway",
        title="HTTPS probe with neither host nor pickHostNameFromBackendHttpSettings",
        hint="Set the probe's host, or pick the host name from the backend setting.",
        source=src.BACKEND_SNI,
        summary="The probe's SNI comes from the custom probe's host name, else the backend "
        "setting's, else the pool's FQDN.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW007",
        severity=W,
        scope="gateway",
        title="Backend certificate validation relaxed (validateCertChainAndExpiry or "
        "validateSNI false)",
        hint="Turn the validation back on once the backend's chain and names are right.",
        source=src.SETTINGS_VALIDATION,
        summary="validateCertChainAndExpiry and validateSNI default to true; keep them on in "
        "production.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW008",
        severity=E,
        scope="gateway",
        title="A documented limit exceeded",
        hint="Remove unused certificates (GW003) or split the configuration. The cap of 40 "
        "SSL certificates on a WAF with CRS 3.1 or older is an error when the gateway's own WAF "
        "configuration names the rule set, a warning when a linked WAF policy (not read "
        "offline) or nothing names it.",
        source=src.LIMITS,
        summary="At most 100 SSL certificates (40 on WAF with CRS 3.1 or older), 100 "
        "authentication certificates, 100 trusted roots, 200 trusted client CAs.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW009",
        severity=W,
        scope="gateway",
        title="SSL profile requires client certificates (Strict) but references no trusted "
        "client CA",
        hint="Add a trusted client CA to the SSL profile, or use Passthrough mode.",
        source=src.MTLS_UPLOAD,
        summary="Mutual authentication is set up by uploading a trusted client CA to the SSL "
        "profile; a profile without one is not described.",
        evidence=INFERRED,
    ),
    Rule(
        code="GW010",
        severity=W,
        scope="gateway",
        title="clientCertIssuerDN returned by Azure differs from the DN the file's chains imply",
        hint="Check which chain the file holds first; upload one chain per object.",
        source=src.REST_TRUSTED_CLIENT_CA,
        summary="A trusted client certificate returns clientCertIssuerDN, the issuer DN Azure "
        "extracted from the uploaded file.",
        evidence=Evidence.API_SPEC,
    ),
    Rule(
        code="GW011",
        severity=I,
        scope="gateway",
        title="The same certificate is uploaded under several names",
        hint="Keep one object and point every user at it.",
        source=src.LIMITS,
        summary="Each kind of certificate object has a per-gateway limit, which every uploaded "
        "object counts toward.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW012",
        severity=I,
        scope="gateway",
        title="Key Vault secret id carries a version: no automatic rotation",
        hint="Use the versionless secret id (https://VAULT.vault.azure.net/secrets/NAME/). "
        "Audits report this as KV005 now; the code stays for tools that match on it.",
        source=src.KEY_VAULT,
        summary="A secret identifier without a version lets the gateway rotate to a newer "
        "certificate in the key vault.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW013",
        severity=I,
        scope="gateway",
        title="A value could not be known offline (Key Vault, placeholder, unresolved expression)",
        hint="Check it against the live gateway or Key Vault; nothing was judged here.",
        source=src.KEY_VAULT,
        summary="The gateway fetches Key Vault certificates itself, so their content is not in "
        "its configuration.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW014",
        severity=W,
        scope="gateway",
        title="Wildcard listener whose certificate carries the same wildcard: deeper "
        "names are admitted but not covered",
        hint="Narrow the listener's host names, or accept that a.b.contoso.com will fail TLS.",
        source=src.WILDCARD_LISTENER,
        summary="A listener for `*.contoso.com` also matches `customer1.b2b.contoso.com`, "
        "which a certificate wildcard does not cover.",
        evidence=INFERRED,
    ),
    Rule(
        code="GW015",
        severity=E,
        scope="gateway",
        title="The listener certificate's key type (RSA or ECDSA) has no cipher suite in the "
        "TLS policy that applies to the listener",
        hint="Add suites for the key type (TLS_ECDHE_ECDSA_* for an EC key, TLS_ECDHE_RSA_* "
        "for RSA), choose a predefined policy, or use a certificate of the other key type. Only "
        "a warning when the policy also enables TLS 1.3, whose suites fit any key: then only "
        "TLS 1.2 and older clients fail.",
        source=src.TLS_POLICY_USAGE,
        summary='The suites of client connections "are based on the type of listener '
        'certificates"; a custom policy allows only the suites it lists.',
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW016",
        severity=W,
        scope="gateway",
        title="TLS policy allows TLS 1.0 or 1.1, or uses a predefined policy or cipher suites "
        "Azure retires",
        hint="Choose AppGwSslPolicy20220101 or 20220101S (v2), AppGwSslPolicy20170401S (v1), or "
        "a custom policy with minimum TLSv1_2 and supported suites (CustomV2 on v2).",
        source=src.TLS_RETIREMENT_FRONTEND,
        summary="From 31 August 2025 TLS 1.0 and 1.1 are unsupported: predefined policies "
        "20150501 and 20170401 and some Custom-policy suites are removed.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW017",
        severity=E,
        scope="gateway",
        title="v1 custom TLS policy without the mandatory cipher suite "
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        hint="Add TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 to the policy's cipher suites.",
        source=src.TLS_POLICY_CUSTOM,
        summary='A custom policy on v1 (Standard, WAF) must "add the mandatory cipher" '
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, needed for metrics and logging.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GW018",
        severity=E,
        scope="gateway",
        title="v1: no authentication certificate's CN matches the backend pool FQDN the probe "
        "sends",
        hint="Allow-list the certificate the backend serves for that FQDN, or use a pool FQDN "
        "its CN matches. On v1 the probe's and the setting's host names are Host headers only: "
        "they do not change the name checked.",
        source=src.HEALTH_NAME_MISMATCH,
        summary='"For V1, verify the backend pool target\'s FQDN is the same as the CN"; v1 '
        "allow-lists the backend's own certificate, matched exactly.",
        evidence=DOCUMENTED,
        seen_as=(seen.CN_MISMATCH_V1, seen.NOT_WHITELISTED),
    ),
)
