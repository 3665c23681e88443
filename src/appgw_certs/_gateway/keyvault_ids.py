"""Key Vault identifiers: what a listener's ``keyVaultSecretId`` names, judged offline.

Application Gateway "uses a secret identifier in Key Vault to reference the
certificates" and Microsoft "strongly recommends" one "that doesn't specify a
version", such as ``https://myvault.vault.azure.net/secrets/mysecret/``
(https://learn.microsoft.com/azure/application-gateway/key-vault-certs#supported-certificates).
A Key Vault certificate's id (``/certificates/``) is not one (KV001); a versioned
secret id pins the certificate (KV005). Neither needs the network.

    >>> [f.code for f in key_vault_id_findings("https://kv.vault.azure.net/secrets/web/0123")]
    ['KV005']
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .._findings.report import Finding
from .._upload.checker import Note

__all__ = ["KeyVaultId", "key_vault_id_findings", "key_vault_id_notes", "parse_key_vault_id"]

#: The collections of a vault, as the first segment of an object's path.
_SECRETS, _CERTIFICATES = "secrets", "certificates"
_COLLECTIONS = frozenset({_SECRETS, _CERTIFICATES, "keys"})


@dataclass(frozen=True)
class KeyVaultId:
    """One Key Vault object id, split: ``https://VAULT.vault.azure.net/COLLECTION/NAME[/VERSION]``.

    >>> parse_key_vault_id("https://kv.vault.azure.net/secrets/web/").secret_id
    'https://kv.vault.azure.net/secrets/web'
    """

    vault_url: str  # https://VAULT.vault.azure.net
    collection: str  # "secrets", "certificates" or "keys", lower case
    name: str
    version: str | None

    @property
    def secret_id(self) -> str:
        """The id of the secret of the same name and version (a certificate's secret)."""
        version = f"/{self.version}" if self.version else ""
        return f"{self.vault_url}/{_SECRETS}/{self.name}{version}"

    @property
    def versionless_secret_id(self) -> str:
        """The id that follows renewals, as the page writes it (with the trailing slash)."""
        return f"{self.vault_url}/{_SECRETS}/{self.name}/"


def parse_key_vault_id(text: str) -> KeyVaultId | None:
    """``text`` split into vault, collection, name and version; ``None`` when it is not a
    Key Vault object id (not https, a host that is not ``NAME.vault.<cloud suffix>``,
    or a path other than ``/COLLECTION/NAME[/VERSION]``).

    >>> parse_key_vault_id("https://kv.vault.azure.net/certificates/web/0123").collection
    'certificates'
    >>> parse_key_vault_id("https://example.com/secrets/web") is None
    True
    """
    try:
        parts = urlsplit(text.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    labels = host.split(".")
    # Every cloud names vaults NAME.vault.SUFFIX: vault.azure.net, vault.azure.cn,
    # vault.usgovcloudapi.net, and Azure Stack Hub's vault.REGION.FQDN.
    if parts.scheme.lower() != "https" or len(labels) < 3 or labels[1] != "vault":
        return None
    if port not in (None, 443) or parts.query or parts.fragment or not labels[0]:
        return None
    path = parts.path.rstrip("/").split("/")[1:]
    if len(path) not in (2, 3) or not all(path) or path[0].lower() not in _COLLECTIONS:
        return None
    version = path[2] if len(path) == 3 else None
    return KeyVaultId(f"https://{host}", path[0].lower(), path[1], version)


def key_vault_id_findings(secret_id: str) -> list[Finding]:
    """KV001 when ``secret_id`` is not a Key Vault secret id, KV005 when it names a version.

    No network: an audit reports these whether or not it reads the secret. KV005
    takes the place of GW012 (the same condition, the page's "strongly recommend"
    made a warning); GW012 stays in the registry with its code and severity.

    >>> [f.code for f in key_vault_id_findings("https://kv.vault.azure.net/certificates/web")]
    ['KV001']
    >>> key_vault_id_findings("https://kv.vault.azure.net/secrets/web/")
    []
    """
    return [note.at(None) for note in key_vault_id_notes(secret_id)]


def key_vault_id_notes(secret_id: str) -> list[Note]:
    """:func:`key_vault_id_findings`, not yet placed (an audit places them at each object
    that holds the id)."""
    parsed = parse_key_vault_id(secret_id)
    shown = secret_id.strip()[:200]
    if parsed is None:
        return [
            Note(
                "KV001",
                f"{shown!r} is not a Key Vault secret id: Application Gateway takes "
                "https://VAULT.vault.azure.net/secrets/NAME/",
            )
        ]
    if parsed.collection == _CERTIFICATES:
        return [
            Note(
                "KV001",
                f"{shown} is the id of a Key Vault certificate; Application Gateway takes the "
                f"id of its secret: {parsed.versionless_secret_id}",
            )
        ]
    if parsed.collection != _SECRETS:
        return [
            Note(
                "KV001",
                f"{shown} is the id of a Key Vault {parsed.collection[:-1]}, not of a secret: "
                "the gateway reads the secret that holds the certificate (and its private key)",
            )
        ]
    if parsed.version:
        return [
            Note(
                "KV005",
                f"{shown} names version {parsed.version}: the gateway keeps serving it after "
                f"the certificate is renewed; use {parsed.versionless_secret_id}",
            )
        ]
    return []
