"""The public pages the rule codes rest on: one constant per page section.

Microsoft Learn pages are named with the section anchor that holds the fact;
GitHub issues of ``MicrosoftDocs/azure-docs`` report what no page documents,
and public issues elsewhere quote the error codes Azure answered with.
"""

from __future__ import annotations

_LEARN = "https://learn.microsoft.com/azure/application-gateway/"
_ISSUES = "https://github.com/MicrosoftDocs/azure-docs/issues/"

# -- Overview of TLS termination and end to end TLS --------------------------
_TLS = _LEARN + "ssl-overview"
TLS_TERMINATION = _TLS + "#tls-termination"
TLS_CERTIFICATE_TYPES = _TLS + "#certificates-supported-for-tls-termination"
END_TO_END_V1 = _TLS + "#end-to-end-tls-with-the-v1-sku"
END_TO_END_V2 = _TLS + "#end-to-end-tls-with-the-v2-sku"
BACKEND_SNI = _TLS + "#backend-tls-connection-application-gateway-to-the-backend-server"

# -- Troubleshoot backend health: one section per message --------------------
_HEALTH = _LEARN + "application-gateway-backend-health-troubleshooting"
HEALTH_NAME_MISMATCH = _HEALTH + "#common-name-cn-doesnt-match"
HEALTH_EXPIRED = _HEALTH + "#backend-certificate-has-expired"
HEALTH_NO_INTERMEDIATE = _HEALTH + "#the-intermediate-certificate-was-not-found"
HEALTH_NO_LEAF = _HEALTH + "#the-leaf-or-server-certificate-was-not-found"
HEALTH_LEAF_NOT_TOPMOST = _HEALTH + "#leaf-must-be-topmost-in-chain"
HEALTH_NOT_WELL_KNOWN = _HEALTH + "#server-certificate-is-not-issued-by-a-publicly-known-ca"
HEALTH_ROOT_MISMATCH = (
    _HEALTH + "#trusted-root-certificate-mismatch-"
    "root-certificate-is-available-on-the-backend-server"
)
HEALTH_ROOT_NOT_UPLOADED = (
    _HEALTH + "#trusted-root-certificate-mismatch-no-root-certificate-on-the-backend-server"
)

# -- Exporting the certificates that allow a backend -------------------------
_EXPORT = _LEARN + "certificates-for-backend-authentication"
EXPORT_AUTHENTICATION = _EXPORT + "#export-authentication-certificate-for-v1-sku"
EXPORT_TRUSTED_ROOT = _EXPORT + "#export-trusted-root-certificate-for-v2-sku"

# -- Backend settings -------------------------------------------------------
_SETTINGS = _LEARN + "configuration-http-settings"
SETTINGS_TRUSTED_ROOT = _SETTINGS + "#trusted-root-certificate"
SETTINGS_VALIDATION = _SETTINGS + "#backend-https-validation-settings"

# -- Mutual authentication ---------------------------------------------------
_MTLS = _LEARN + "mutual-authentication-overview"
MTLS_UPLOAD = _MTLS + "#mutual-authentication"
MTLS_ISSUER_DN = _MTLS + "#verify-client-certificate-dn"
MTLS_REVOCATION = _MTLS + "#certificate-revocation"
_MTLS_ERRORS = _LEARN + "mutual-authentication-troubleshooting"
MTLS_NO_CLIENT_CERTIFICATE = _MTLS_ERRORS + "#sslclientverify-is-none"
MTLS_VERIFY_FAILED = _MTLS_ERRORS + "#sslclientverify-is-failed"


def mtls_error_code(azure_code: str) -> str:
    """The troubleshooting section of one trusted client CA error code."""
    return f"{_MTLS_ERRORS}#error-code-{azure_code.lower()}"


# -- TLS policy --------------------------------------------------------------
_TLS_POLICY = _LEARN + "application-gateway-ssl-policy-overview"
TLS_POLICY_USAGE = _TLS_POLICY + "#usage-and-version-details"
TLS_POLICY_PREDEFINED = _TLS_POLICY + "#predefined-tls-policy"
TLS_POLICY_DEFAULT = _TLS_POLICY + "#default-tls-policy"
TLS_POLICY_CUSTOM = _TLS_POLICY + "#custom-tls-policy"
TLS_POLICY_LIMITATIONS = _TLS_POLICY + "#limitations"
_TLS_RETIREMENT = _LEARN + "application-gateway-tls-version-retirement"
TLS_RETIREMENT_FRONTEND = _TLS_RETIREMENT + "#frontend-tls-connections"
# Its note: "SSL profiles are only supported on v2 gateways" (before any section).
LISTENER_SPECIFIC_POLICY = _LEARN + "application-gateway-configure-listener-specific-ssl-policy"

# -- Other pages -------------------------------------------------------------
LIMITS = (
    "https://learn.microsoft.com/azure/azure-resource-manager/management/"
    "azure-subscription-service-limits#application-gateway-limits"
)
FAQ_PASSWORD = (
    _LEARN + "application-gateway-faq#can-i-use-special-characters-in-my-pfx-file-password"
)
PORTAL_LISTENER_PASSWORD = _LEARN + "create-ssl-portal#configuration-tab"
V2_SKU_TYPES = _LEARN + "overview-v2#sku-types"
SELF_SIGNED_ROOT = _LEARN + "self-signed-certificates#create-a-root-certificate-and-self-sign-it"
LISTENER_PROTOCOL = _LEARN + "configuration-listeners#protocol"
WILDCARD_LISTENER = _LEARN + "multiple-site-overview#wildcard-host-names-in-listener"
KEY_VAULT = _LEARN + "key-vault-certs#supported-certificates"
KEY_VAULT_SETTINGS = _LEARN + "key-vault-certs#certificate-settings-in-key-vault"
KEY_VAULT_ACCESS = _LEARN + "key-vault-certs#delegate-user-assigned-managed-identity-to-key-vault"
REST_TRUSTED_CLIENT_CA = (
    "https://learn.microsoft.com/rest/api/application-gateway/application-gateways/"
    "create-or-update#applicationgatewaytrustedclientcertificate"
)

# -- Public issues -----------------------------------------------------------
ISSUE_AES_PFX = _ISSUES + "54393"  # an AES-256 PFX refused as a wrong password
ISSUE_INVALID_CER = _ISSUES + "69393"  # the portal's "Invalid data in .cer file"
# Error codes Azure answered with, quoted in public issues:
ISSUE_FEATURE_NOT_ON_SKU = (  # ApplicationGatewayFeatureCannotBeEnabledForSelectedSku
    _ISSUES + "27908"
)
ISSUE_DATA_TOO_BIG = (  # ApplicationGatewaySslCertificateDataTooBig
    "https://github.com/hashicorp/terraform-provider-azurerm/issues/31172"
)
ISSUE_PFX_UNLOCK_FAILED = (  # ApplicationGatewaySslCertificatePasswordIncorrect
    "https://github.com/mspnp/aks-baseline/issues/385"
)
ISSUE_INVALID_DATA = (  # ApplicationGatewaySslCertificateInvalidData
    "https://github.com/elastic/azure-marketplace/issues/181"
)
ISSUE_KEY_VAULT_ACCESS_DENIED = (  # ApplicationGatewayKeyVaultSecretException
    _ISSUES + "33157"
)
