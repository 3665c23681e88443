"""Rule codes of listener certificates kept in Key Vault (KV): the reference itself
(KV001, KV005, judged from the id alone) and what the secret holds when it is read
(KV002–KV004).

Azure reads the secret itself, so the profile differs from a PFX upload: no
password rules (the PFX in a secret has none), no upload size limit; the chain and
name checks are the listener's own (LST004, LST008–LST011, GEN002–GEN005).
"""

from __future__ import annotations

from . import seen
from . import sources as src
from .report import Severity
from .rule import Evidence, Rule

__all__ = ["KEY_VAULT"]

E, W = Severity.ERROR, Severity.WARNING
DOCUMENTED = Evidence.DOCUMENTED

KEY_VAULT = (
    Rule(
        code="KV001",
        severity=E,
        scope="gateway",
        title="Key Vault reference is not a secret id (a certificate id, or not "
        "https://VAULT.vault.azure.net/secrets/NAME)",
        hint="Reference the certificate's secret, which has the certificate's name: "
        "https://VAULT.vault.azure.net/secrets/NAME/ (without a version).",
        source=src.KEY_VAULT,
        summary="Application Gateway uses a secret identifier in Key Vault to reference the "
        "certificates, such as `https://myvault.vault.azure.net/secrets/mysecret/`.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="KV002",
        severity=E,
        scope="gateway",
        title="Key Vault secret cannot be read (no get permission on secrets, not found, "
        "disabled, or unreachable)",
        hint="Give the gateway's user-assigned managed identity Get on secrets (access policy) "
        "or the Key Vault Secrets User role (Azure RBAC); enable or recover the secret. A "
        "warning when only the identity of the audit (named in the message) was refused.",
        source=src.KEY_VAULT_ACCESS,
        summary="The gateway's user-assigned managed identity needs the Get permission on "
        "secrets (access policy) or the Key Vault Secrets User role (RBAC).",
        evidence=DOCUMENTED,
        azure_code="ApplicationGatewayKeyVaultSecretException",
        azure_code_source=src.ISSUE_KEY_VAULT_ACCESS_DENIED,
        seen_as=(seen.KEY_VAULT_ACCESS_DENIED,),
    ),
    Rule(
        code="KV003",
        severity=E,
        scope="gateway",
        title="Key Vault secret holds no private key (the certificate's key is not exportable)",
        hint="Create the certificate with an exportable software key (exportable: true in its "
        "policy) and a new version, or import a PFX that holds its private key.",
        source=src.KEY_VAULT_SETTINGS,
        summary="For TLS termination, Application Gateway only supports certificates in PFX "
        "format from Key Vault: the certificate together with its private key.",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="KV004",
        severity=E,
        scope="gateway",
        title="Key Vault certificate of a kind the gateway does not support: HSM-backed key, or "
        "PEM instead of PFX (a warning: secret past its expiry date)",
        hint="Use a software key (RSA or EC, not RSA-HSM or EC-HSM) and content type "
        "application/x-pkcs12; renew a secret whose expiry date has passed.",
        source=src.KEY_VAULT,
        summary="Application Gateway supports software-validated certificates only: "
        "HSM-validated certificates aren't supported (and only the PFX format is).",
        evidence=DOCUMENTED,
    ),
    Rule(
        code="KV005",
        severity=W,
        scope="gateway",
        title="Key Vault secret id names a version: renewed certificates will not reach the "
        "gateway",
        hint="Use the versionless secret id (https://VAULT.vault.azure.net/secrets/NAME/). "
        "Audits report KV005 where they reported GW012, which keeps its code and severity.",
        source=src.KEY_VAULT,
        summary='Microsoft "strongly recommends" a secret identifier without a version, so '
        "that the gateway rotates to a newer certificate version in the key vault.",
        evidence=DOCUMENTED,
    ),
)
