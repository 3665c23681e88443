"""Rule codes of any upload slot (GEN) and of the listener PFX (LST)."""

from __future__ import annotations

from . import seen
from . import sources as src
from .report import Severity
from .rule import Evidence, Rule

__all__ = ["ANY_SLOT", "LISTENER"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
DOCUMENTED, INFERRED, UNCONFIRMED = Evidence.DOCUMENTED, Evidence.INFERRED, Evidence.UNCONFIRMED

ANY_SLOT = (
    Rule(
        code="GEN001",
        severity=E,
        scope="any",
        title="Nothing readable as this slot's format (empty, corrupt, or the wrong kind of file)",
        hint="Check that this is the right file: a listener takes a PFX (.pfx/.p12), the other "
        "slots a Base-64 .cer (PEM). `appgw-certs inspect FILE` shows what a file holds.",
        source=src.TLS_TERMINATION,
        summary="The listener certificate must be a PFX holding the private and public keys; "
        "the other slots take Base-64 .CER files.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GEN002",
        severity=E,
        scope="any",
        title="Certificate expired or not yet valid",
        hint="Renew the certificate (or wait for its Valid-from date) and upload the new one; "
        'Azure: current date isn\'t within the "Valid from" and "Valid to" date range.',
        source=src.HEALTH_EXPIRED,
        summary="A certificate outside its Valid from / Valid to range is deemed unsafe: "
        "the backend is marked unhealthy.",
        evidence=DOCUMENTED,
        seen_as=(seen.EXPIRED, seen.CLIENT_EXPIRED, seen.CLIENT_NOT_YET_VALID),
    ),
    Rule(
        code="GEN003",
        severity=W,
        scope="any",
        title="Certificate expires within 30 days",
        hint="Renew it now and upload the new certificate before it expires.",
        source=src.HEALTH_EXPIRED,
        summary="An expired certificate makes the backend unhealthy; the 30-day warning is "
        "this library's margin.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="GEN004",
        severity=W,
        scope="any",
        title="Signature weaker than SHA-256 (SHA-1, MD5) on a non-root certificate",
        hint="Reissue the certificate with a SHA-256 signature (`openssl req -sha256`, "
        "`build_test_chain` for test chains). Azure publishes no list of accepted signature "
        "algorithms.",
        source=src.SELF_SIGNED_ROOT,
        summary="Microsoft's own test chain is signed with `-sha256`; no page lists the "
        "signature algorithms Azure accepts.",
        evidence=UNCONFIRMED,
    ),
    Rule(
        code="GEN005",
        severity=W,
        scope="any",
        title="Key Azure is not known to take (RSA < 2048, EC curve other than "
        "P-256/P-384, Ed25519/Ed448, DSA)",
        hint="Use RSA 2048 or larger, or EC P-256/P-384 "
        "(`build_test_chain(key_type=KeyType.EC_P256)`). Azure publishes no list of accepted "
        "key types or sizes.",
        source=src.V2_SKU_TYPES,
        summary="The only key Azure names is the RSA 2048-bit certificate its capacity figures "
        "assume; no page lists the keys it accepts.",
        evidence=UNCONFIRMED,
    ),
    Rule(
        code="GEN006",
        severity=E,
        scope="any",
        title="This slot does not exist on this SKU",
        hint="v2 takes trusted roots, not authentication certificates (`extract_trusted_root`, "
        "`appgw-certs extract root`); v1 takes authentication certificates, not trusted roots "
        "(`extract_authentication_cert`, `appgw-certs extract auth`); trusted client CAs need "
        "Standard_v2 or WAF_v2.",
        source=src.END_TO_END_V2,
        summary="Authentication certificates are replaced by trusted root certificates on v2; "
        "mutual authentication is Standard_v2 and WAF_v2 only.",
        evidence=DOCUMENTED,
        # Quoted for authentication certificates on v2; Azure's message names the feature
        # ("does not support AuthenticationCertificates for the selected SKU tier"), so the
        # same code for the other features is inferred, unconfirmed.
        azure_code="ApplicationGatewayFeatureCannotBeEnabledForSelectedSku",
        azure_code_source=src.ISSUE_FEATURE_NOT_ON_SKU,
        seen_as=(seen.FEATURE_NOT_ON_SKU,),
    ),
)

LISTENER = (
    Rule(
        code="LST001",
        severity=E,
        scope="listener",
        title="Not a PFX / PKCS#12 file",
        hint="Upload a PFX holding the private key and the full chain: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem --chain chain.pem` (`cer_to_pfx`).",
        source=src.TLS_TERMINATION,
        summary="The listener certificate must be in PFX format, which contains both the "
        "private and public keys.",
        evidence=DOCUMENTED,
        azure_code="ApplicationGatewaySslCertificateInvalidData",
        azure_code_source=src.ISSUE_INVALID_DATA,
        seen_as=(seen.PFX_DATA_INVALID,),
    ),
    Rule(
        code="LST002",
        severity=E,
        scope="listener",
        title="PFX password missing or wrong",
        hint="Give the password the PFX was exported with (`--password`, `password=`). Azure "
        'says "Password specified for certificate is incorrect" also for encryption it cannot '
        "read (see LST007).",
        source=src.PORTAL_LISTENER_PASSWORD,
        summary="The listener upload takes the PFX file together with the password it was "
        "exported with.",
        evidence=DOCUMENTED,
        # Quoted for a wrong password; for a missing one Azure's code is unconfirmed.
        azure_code="ApplicationGatewaySslCertificatePasswordIncorrect",
        azure_code_source=src.ISSUE_PFX_UNLOCK_FAILED,
        seen_as=(seen.PFX_UNLOCK_FAILED, seen.PFX_UNLOCK_MISSING),
    ),
    Rule(
        code="LST003",
        severity=E,
        scope="listener",
        title="PFX holds no private key",
        hint="Export the certificate together with its private key: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem` (`cer_to_pfx`).",
        source=src.TLS_TERMINATION,
        summary="The listener certificate must be in PFX format, which contains both the "
        "private and public keys.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="LST004",
        severity=E,
        scope="listener",
        title="The private key does not match the certificate",
        hint="Pair the certificate with the key it was issued for; `cer_to_pfx` refuses a "
        "mismatch.",
        source=src.TLS_TERMINATION,
        summary="The gateway decrypts traffic with the PFX's private key, so it must be the "
        "key of the listener's certificate.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="LST005",
        severity=E,
        scope="listener",
        title="Password not 4–12 letters and digits (Azure's rule)",
        hint="Re-export with a password of 4 to 12 letters and digits: `appgw-certs convert "
        "in.pfx out.pfx --new-password env:NEW --profile compatible` "
        "(`to_pfx(..., password=...)`).",
        source=src.FAQ_PASSWORD,
        summary="Use only alphanumeric characters in a .pfx password; the portal tutorial "
        "also asks for 4 to 12 characters.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="LST006",
        severity=E,
        scope="listener",
        title="PFX over the size limit: 10 KB on v1, 16 KB on v2",
        hint="Keep only the leaf, its intermediates and the root, or use an EC key. Measured on "
        "the raw file (KB = 1024 bytes); only the base64 form over the limit is a warning, "
        "since Azure does not say which form it measures.",
        source=src.LIMITS,
        summary="The maximum SSL certificate size is 10 KB on v1 and 16 KB on v2.",
        evidence=DOCUMENTED,
        # Quoted on v2 ("Max data length supported is 16384"); v1's answer is unconfirmed.
        azure_code="ApplicationGatewaySslCertificateDataTooBig",
        azure_code_source=src.ISSUE_DATA_TOO_BIG,
        seen_as=(seen.DATA_TOO_BIG,),
    ),
    Rule(
        code="LST007",
        severity=W,
        scope="listener",
        title="PFX encryption Azure may not accept (e.g. AES/PBES2 from OpenSSL 3)",
        hint="Re-export with the compatible profile: `appgw-certs convert in.pfx out.pfx "
        '--profile compatible` (`to_pfx(..., profile="compatible")`, or `openssl pkcs12 '
        "-export -legacy`).",
        source=src.ISSUE_AES_PFX,
        summary='An AES-256 PFX was refused as "Password specified for certificate is '
        'incorrect" while a Triple-DES one was taken.',
        evidence=Evidence.PUBLIC_ISSUE,
        seen_as=(seen.PFX_UNLOCK_FAILED,),
    ),
    Rule(
        code="LST008",
        severity=W,
        scope="listener",
        title="Chain incomplete in the PFX: intermediates or root missing",
        hint="Include the intermediates and the root: "
        "`appgw-certs convert cert.cer out.pfx --key key.pem --chain chain.pem` "
        "(`to_pfx(key, leaf, chain=[intermediate, root], ...)`).",
        source=src.TLS_TERMINATION,
        summary="The listener certificate needs the entire chain uploaded: the root, the "
        "intermediates and the leaf.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="LST009",
        severity=E,
        scope="listener",
        title="A host name is not covered by the certificate (SAN, else CN)",
        hint="Issue a certificate whose SAN lists the host name (a wildcard covers one label "
        "only: `*.contoso.com` does not cover `contoso.com`).",
        source=src.TLS_TERMINATION,
        summary="For TLS to work the certificate's name must match the host the client asks "
        "for; `*.site.com` does not cover `site.com`.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="LST010",
        severity=W,
        scope="listener",
        title="Leaf lacks the serverAuth EKU, or is a CA certificate",
        hint="Use a server certificate: CA:FALSE and extendedKeyUsage serverAuth "
        "(`build_test_chain` for test chains).",
        source=src.TLS_CERTIFICATE_TYPES,
        summary="The supported listener certificates are server certificates (CA-issued, EV, "
        "wildcard, self-signed); EKU and CA flags are not mentioned.",
        evidence=INFERRED,
    ),
    Rule(
        code="LST011",
        severity=W,
        scope="listener",
        title="PFX holds several private keys, or another end-entity certificate besides its leaf",
        hint="Export the PFX with the server's key, its certificate and that certificate's chain "
        "only (`to_pfx(key, [leaf, *chain])`).",
        source=src.TLS_TERMINATION,
        summary="A listener PFX holds one certificate's keys and its chain; what Azure does "
        "with extra keys or leaves is not documented.",
        evidence=UNCONFIRMED,
    ),
)
