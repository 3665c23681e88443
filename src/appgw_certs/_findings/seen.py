"""The exact texts users see, which rules predict (``Rule.seen_as``), by where they appear.

Three places show them: the portal or a failed deployment (the ``message``
beside an Azure error code), the backend health page, and the
``sslClientVerify`` field of the access log when mutual TLS fails. The
backend-health texts and client verify strings are the ones the simulated
verdicts (``_verdicts.backend``) print, copied here because that layer sits
above this one; a test keeps the two equal. ``…`` stands for the resource id
Azure puts in a message.

The troubleshooting page (``docs/troubleshooting.md``) is keyed by these.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Where", "where_seen"]


class Where(StrEnum):
    """Where a text appears."""

    PORTAL = "portal or deployment error"
    BACKEND_HEALTH = "backend health"
    SSL_CLIENT_VERIFY = "sslClientVerify (access log)"


# -- portal / deployment messages, as public issues quote them ----------------------
# MicrosoftDocs/azure-docs#54393 and mspnp/aks-baseline#385:
PFX_UNLOCK_FAILED = "Password specified for certificate … is incorrect."
# Azure/azure-xplat-cli#2866:
PFX_UNLOCK_MISSING = "Password not specified for certificate …"
# elastic/azure-marketplace#181, Azure/azure-rest-api-specs#1027:
PFX_DATA_INVALID = "Data or Password for certificate … is invalid."
# hashicorp/terraform-provider-azurerm#31172:
DATA_TOO_BIG = "Data too big for certificate …. Max data length supported is 16384."
# MicrosoftDocs/azure-docs#27908:
FEATURE_NOT_ON_SKU = (
    "Application Gateway … does not support AuthenticationCertificates for the selected SKU "
    "tier WAF_v2. Supported SKU tiers are Standard,WAF."
)
# MicrosoftDocs/azure-docs#69393:
INVALID_CER = "Invalid data in .cer file"
# MicrosoftDocs/azure-docs#33157, Azure/application-gateway-kubernetes-ingress#872:
KEY_VAULT_ACCESS_DENIED = (
    "Access denied for KeyVault Secret '…' for Application Gateway '…'. Make sure that "
    "Identity assigned to Application Gateway has access to the KeyVault associated with secret."
)

# -- backend health (the troubleshooting page's texts, newest wording) -----------------
_CHAIN_HINT = (
    "Ensure the certificate chain is complete and correctly ordered on the backend server."
)
LEAF_MISSING = (
    "The Leaf certificate is missing from the certificate chain presented by the backend "
    "server. Ensure the chain is complete and correctly ordered on the backend server."
)
LEAF_NOT_TOPMOST = (
    "The Leaf certificate isn't the topmost certificate in the chain presented by the backend "
    "server. Ensure the certificate chain is correctly ordered on the backend server."
)
INTERMEDIATE_MISSING = (
    "The Intermediate certificate is missing from the certificate chain presented by the "
    f"backend server. {_CHAIN_HINT}"
)
ROOT_MISMATCH = (
    "The root certificate of the server certificate used by the backend doesn't match the "
    "trusted root certificate added to the application gateway. Ensure that you add the "
    "correct root certificate to the allowlist for the backend."
)
INTERMEDIATE_NOT_SIGNED = (
    "The intermediate certificate not signed by any root certificates uploaded to the "
    f"application gateway. {_CHAIN_HINT}"
)
NOT_WELL_KNOWN = (
    "The backend Server certificate isn't signed by a well-known Certificate Authority (CA). "
    "To use unknown CA certificates, its Root certificate must be uploaded to the Backend "
    "Setting of the application gateway."
)
INTERMEDIATE_NOT_WELL_KNOWN = (
    "The Intermediate certificate isn't signed by a well-known Certificate Authority (CA). "
    + _CHAIN_HINT
)
CN_MISMATCH_V2 = (
    "The Common Name of the leaf certificate presented by the backend server does not match "
    "the Probe or Backend Setting hostname of the application gateway."
)
CN_MISMATCH_V1 = "The Common Name (CN) of the backend certificate doesn't match."
NOT_WHITELISTED = "Backend server certificate is not whitelisted with Application Gateway."
EXPIRED = (
    'Backend certificate is invalid. Current date isn\'t within the "Valid from" and '
    '"Valid to" date range on the certificate.'
)

# -- sslClientVerify: NONE, or FAILED with OpenSSL's verify string -------------------
NO_CLIENT_CERTIFICATE = "NONE"
NO_ISSUER = "unable to get issuer certificate"
NO_LOCAL_ISSUER = "unable to get local issuer certificate"
FIRST_NOT_VERIFIED = "unable to verify the first certificate"
ISSUER_DN = "Unable to verify the client certificate issuer"
PURPOSE = "Unsupported certificate purpose"
CLIENT_EXPIRED = "certificate has expired"
CLIENT_NOT_YET_VALID = "certificate is not yet valid"

_BACKEND_HEALTH = frozenset(
    {
        LEAF_MISSING,
        LEAF_NOT_TOPMOST,
        INTERMEDIATE_MISSING,
        ROOT_MISMATCH,
        INTERMEDIATE_NOT_SIGNED,
        NOT_WELL_KNOWN,
        INTERMEDIATE_NOT_WELL_KNOWN,
        CN_MISMATCH_V2,
        CN_MISMATCH_V1,
        NOT_WHITELISTED,
        EXPIRED,
    }
)
_SSL_CLIENT_VERIFY = frozenset(
    {
        NO_CLIENT_CERTIFICATE,
        NO_ISSUER,
        NO_LOCAL_ISSUER,
        FIRST_NOT_VERIFIED,
        ISSUER_DN,
        PURPOSE,
        CLIENT_EXPIRED,
        CLIENT_NOT_YET_VALID,
    }
)


def where_seen(text: str) -> Where:
    """Where ``text`` (one of this module's texts) appears.

    >>> where_seen(NO_CLIENT_CERTIFICATE)
    <Where.SSL_CLIENT_VERIFY: 'sslClientVerify (access log)'>
    """
    if text in _BACKEND_HEALTH:
        return Where.BACKEND_HEALTH
    if text in _SSL_CLIENT_VERIFY:
        return Where.SSL_CLIENT_VERIFY
    return Where.PORTAL
