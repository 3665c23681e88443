"""Rule codes of the simulated verdicts: backend health (BE) and mutual TLS clients (MT).

Most rest on a backend-health or ``sslClientVerify`` message Microsoft documents,
one section per message.
"""

from __future__ import annotations

from . import seen
from . import sources as src
from .report import Severity
from .rule import Evidence, Rule

__all__ = ["BACKEND", "CLIENT"]

E, W = Severity.ERROR, Severity.WARNING
DOCUMENTED, INFERRED = Evidence.DOCUMENTED, Evidence.INFERRED

BACKEND = (
    Rule(
        code="BE001",
        severity=E,
        scope="backend",
        title="Leaf missing from the presented chain",
        hint="Configure the backend to send its own certificate first, then the intermediates.",
        source=src.HEALTH_NO_LEAF,
        summary='"The Leaf certificate is missing from the certificate chain presented by the '
        'backend server."',
        evidence=DOCUMENTED,
        seen_as=(seen.LEAF_MISSING,),
    ),
    Rule(
        code="BE002",
        severity=E,
        scope="backend",
        title="Leaf is not the topmost certificate",
        hint="Order the backend's chain file leaf first, then each issuer (`order_chain`).",
        source=src.HEALTH_LEAF_NOT_TOPMOST,
        summary='"The Leaf certificate is not the topmost certificate in the chain presented '
        'by the backend server."',
        evidence=DOCUMENTED,
        seen_as=(seen.LEAF_NOT_TOPMOST,),
    ),
    Rule(
        code="BE003",
        severity=E,
        scope="backend",
        title="Intermediate missing from the presented chain",
        hint="Serve the full chain (nginx `fullchain.pem`, not `cert.pem`).",
        source=src.HEALTH_NO_INTERMEDIATE,
        summary='"The Intermediate certificate is missing from the certificate chain presented '
        'by the backend server."',
        evidence=DOCUMENTED,
        seen_as=(seen.INTERMEDIATE_MISSING,),
    ),
    Rule(
        code="BE004",
        severity=E,
        scope="backend",
        title="Presented root does not match any trusted root",
        hint="Upload the backend chain's root: `appgw-certs extract root chain.pem -o root.cer` "
        "(`extract_trusted_root`).",
        source=src.HEALTH_ROOT_MISMATCH,
        summary="The root certificate the backend presents doesn't match the trusted root "
        "certificate added to the gateway.",
        evidence=DOCUMENTED,
        seen_as=(seen.ROOT_MISMATCH,),
    ),
    Rule(
        code="BE005",
        severity=E,
        scope="backend",
        title="Intermediate not signed by any uploaded trusted root",
        hint="Upload the root that signed the intermediate (`extract_trusted_root`).",
        source=src.HEALTH_ROOT_NOT_UPLOADED,
        summary='"The Intermediate certificate not signed by any Root certificates uploaded to '
        'the application gateway."',
        evidence=DOCUMENTED,
        seen_as=(seen.INTERMEDIATE_NOT_SIGNED,),
    ),
    Rule(
        code="BE006",
        severity=E,
        scope="backend",
        title="Not signed by a well-known CA (well-known chosen)",
        hint="Upload the backend's root as a trusted root and set \"Use well known CA "
        "certificate\" to No. Approximation: Mozilla's store (certifi) stands in for Azure's.",
        source=src.HEALTH_NOT_WELL_KNOWN,
        summary="With well-known CA chosen, a backend certificate from a private CA fails; "
        "Azure does not publish its list.",
        evidence=DOCUMENTED,
        seen_as=(seen.NOT_WELL_KNOWN, seen.INTERMEDIATE_NOT_WELL_KNOWN),
    ),
    Rule(
        code="BE007",
        severity=E,
        scope="backend",
        title="The name the probe resolves does not match the leaf (SAN, else CN)",
        hint="v2: set the custom probe's or backend setting's host name to a name the "
        "certificate covers; v1: use a backend pool FQDN the CN matches; or reissue the "
        "certificate.",
        source=src.HEALTH_NAME_MISMATCH,
        summary="v2: the custom probe or else backend setting host name must match the leaf (SAN, "
        'else CN); v1: "verify the backend pool target\'s FQDN is the same as the CN".',
        evidence=DOCUMENTED,
        seen_as=(seen.CN_MISMATCH_V2, seen.CN_MISMATCH_V1),
    ),
    Rule(
        code="BE008",
        severity=E,
        scope="backend",
        title="v1: leaf is not one of the authentication certificates",
        hint="Upload the backend's leaf: `appgw-certs extract auth chain.pem -o leaf.cer` "
        "(`extract_authentication_cert`).",
        source=src.END_TO_END_V1,
        summary="v1 probes match the backend's certificate exactly against the authentication "
        "certificates; other backends are unhealthy.",
        evidence=DOCUMENTED,
        seen_as=(seen.NOT_WHITELISTED,),
    ),
    Rule(
        code="BE009",
        severity=W,
        scope="backend",
        title="No name resolved, or the resolved name is an IP address: no SNI is sent; the "
        "default certificate is judged and must pass",
        hint="Set a host name (FQDN) on the custom probe or the backend setting (v2), or use an "
        "FQDN as the backend pool member; with `check_backend`, give the names the gateway is "
        "configured with (`backend_address`, `host_name`, `probe_host_name`).",
        source=src.BACKEND_SNI,
        summary='"If they have IP address as hostname, then SNI won\'t be set as per RFC 6066"; '
        "the backend must then return a default certificate that passes.",
        evidence=DOCUMENTED,
    ),
)

CLIENT = (
    Rule(
        code="MT001",
        severity=E,
        scope="client",
        title="No client certificate presented",
        hint="In Strict mode the client must send a certificate issued under the uploaded CA.",
        source=src.MTLS_NO_CLIENT_CERTIFICATE,
        summary="sslClientVerify NONE: the client did not send a client certificate.",
        evidence=DOCUMENTED,
        seen_as=(seen.NO_CLIENT_CERTIFICATE,),
    ),
    Rule(
        code="MT002",
        severity=E,
        scope="client",
        title="The client's chain does not reach the uploaded CA (unable to get (local) issuer "
        "certificate, unable to verify the first certificate)",
        hint="Upload the client certificate's root and intermediates as the trusted client CA, "
        "or have the client send its intermediates.",
        source=src.MTLS_VERIFY_FAILED,
        summary='The CA chain is incomplete; "Unable to verify the first certificate" when '
        '"the client presents only the leaf certificate, whose issuer is not trusted".',
        evidence=DOCUMENTED,
        seen_as=(seen.NO_ISSUER, seen.NO_LOCAL_ISSUER, seen.FIRST_NOT_VERIFIED),
    ),
    Rule(
        code="MT003",
        severity=E,
        scope="client",
        title='Leaf lacks the clientAuth EKU ("Unsupported certificate purpose")',
        hint="Issue client certificates with extendedKeyUsage clientAuth "
        "(`TestChain.issue_client`).",
        source=src.MTLS_VERIFY_FAILED,
        summary="Unsupported certificate purpose: the client certificate must carry the Client "
        "Authentication EKU.",
        evidence=DOCUMENTED,
        seen_as=(seen.PURPOSE,),
    ),
    Rule(
        code="MT004",
        severity=E,
        scope="client",
        title="Issuer DN check on and the client's issuer differs from the extracted DN",
        hint="Upload the client's issuing chain as its own trusted client CA, or turn "
        "verifyClientCertIssuerDN off.",
        source=src.MTLS_ISSUER_DN,
        summary="With the check on, only clients whose immediate issuer is the DN extracted "
        "from the upload pass.",
        evidence=DOCUMENTED,
        seen_as=(seen.ISSUER_DN,),
    ),
    Rule(
        code="MT005",
        severity=W,
        scope="client",
        title="OCSP on but no OCSP responder URL in the client certificate's AIA: its "
        "revocation status cannot be checked",
        hint="Issue client certificates with an AIA OCSP URL, or turn verifyClientRevocation off.",
        source=src.MTLS_REVOCATION,
        summary="The responder is found in the client certificate's AIA; when the revocation "
        'check fails, the gateway "returns a 400 HTTP response".',
        evidence=INFERRED,
    ),
)
