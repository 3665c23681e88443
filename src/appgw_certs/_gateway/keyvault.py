"""Read the Key Vault secrets a gateway's listeners reference, and check them as Azure would.

Optional: reading needs ``pip install 'appgw-certs[azure]'`` (azure-identity and
azure-keyvault-secrets). This module imports without them, and so do the pure
parts it gathers (:func:`key_vault_id_findings`, :func:`check_key_vault_secret`);
creating a :class:`KeyVaultReader` without them raises :class:`AppGwCertError`
naming the extra.

The gateway reads a secret with its user-assigned managed identity, which needs
Get on secrets (access policy) or the Key Vault Secrets User role (RBAC)
(https://learn.microsoft.com/azure/application-gateway/key-vault-certs#delegate-user-assigned-managed-identity-to-key-vault).
The reader uses the caller's identity instead (``DefaultAzureCredential`` unless
another is given), so a refusal names that identity and is a warning: the
gateway's own may be allowed. A disabled or missing secret fails for both (KV002).

    >>> with KeyVaultReader() as reader:
    ...     check = reader.check("https://kv.vault.azure.net/secrets/web", sku=Sku.STANDARD_V2,
    ...                          now=datetime.now(UTC), location="sslCertificates[web]")
    >>> [f.code for f in check.findings]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._errors import AppGwCertError
from .._findings.report import Severity
from .._findings.sku import Sku, Slot
from .._upload.checker import ALONE, EXPIRY_WARNING_DAYS, Note, UploadContext
from .keyvault_check import (
    KeyVaultCheck,
    check_key_vault_secret,
    inspect_key_vault_secret,
    inspect_key_vault_trusted_root,
)
from .keyvault_identity import RecordingCredential, credential_name
from .keyvault_ids import KeyVaultId, key_vault_id_findings, key_vault_id_notes, parse_key_vault_id

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential
    from azure.keyvault.secrets import SecretClient

__all__ = [
    "AZURE_EXTRA",
    "KeyVaultCheck",
    "KeyVaultReader",
    "KeyVaultSecret",
    "check_key_vault_secret",
    "key_vault_id_findings",
]

#: What to install for Key Vault checks.
AZURE_EXTRA = "pip install 'appgw-certs[azure]'"
_READABLE = frozenset({"secrets", "certificates"})  # a certificate id reads its secret


@dataclass(frozen=True)
class KeyVaultSecret:
    """What Key Vault answered for one reference (this library's type, not the SDK's).

    ``problem`` is the KV002 note (unplaced) when the secret could not be read
    (then ``value`` is ``None``); ``identity`` names who asked. ``value`` never shows in
    ``repr``: it holds a private key.
    """

    secret_id: str  # the reference as given
    identity: str
    value: str | None = field(default=None, repr=False)
    read_id: str | None = None  # the id Key Vault returned, with its version
    content_type: str | None = None
    enabled: bool | None = None
    expires_on: datetime | None = None
    managed: bool = False  # the secret of a Key Vault certificate
    key_id: str | None = None  # that certificate's key (``kid``)
    problem: Note | None = None

    def inspect(
        self,
        *,
        sku: Sku,
        now: datetime,
        expiry_warning_days: int = EXPIRY_WARNING_DAYS,
        location: str | None = None,
        key_type: str | None = None,
        slot: Slot = Slot.LISTENER,
        hostnames: Sequence[str] = (),
        context: UploadContext = ALONE,
    ) -> KeyVaultCheck:
        """:func:`inspect_key_vault_secret` on this answer (for a trusted root's secret,
        :func:`inspect_key_vault_trusted_root`); the problem alone when there is one."""
        if self.problem is not None:
            return KeyVaultCheck((), (self.problem,), location)
        if slot is Slot.TRUSTED_ROOT:
            return inspect_key_vault_trusted_root(
                self.secret_id,
                self.value,
                self.enabled,
                sku=sku,
                now=now,
                expiry_warning_days=expiry_warning_days,
                location=location,
                context=context,
            )
        return inspect_key_vault_secret(
            self.secret_id,
            self.value,
            self.content_type,
            self.enabled,
            self.expires_on,
            sku=sku,
            now=now,
            expiry_warning_days=expiry_warning_days,
            location=location,
            managed=self.managed,
            key_type=key_type,
            hostnames=hostnames,
            context=context,
        )


class KeyVaultReader:
    """Reads Key Vault secrets for an audit, each once; never raises for what Key Vault
    answers.

    ``credential`` is any ``azure.core.credentials.TokenCredential``; by default a
    ``DefaultAzureCredential`` created on the first read. ``client_options`` go to
    every ``SecretClient`` (``transport=``, ``retry_total=``, ``api_version=``...).
    Without the azure extra: :class:`AppGwCertError` naming it.
    """

    def __init__(
        self,
        credential: TokenCredential | None = None,
        *,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._secret_client = _secret_client_class()
        if credential is None:
            _default_credential_class()  # fail now, not at the first read
        self._given = credential
        self._recorder: RecordingCredential | None = None
        self._options = dict(client_options or {})
        self._clients: dict[str, SecretClient] = {}
        self._secrets: dict[tuple[str, str, str], KeyVaultSecret] = {}
        self._key_types: dict[str, str | None] = {}

    def fetch(self, secret_id: str) -> KeyVaultSecret:
        """The secret ``secret_id`` names (a certificate id reads the certificate's secret),
        or why it could not be read (``problem``, KV002; KV001 for an id that names no
        secret)."""
        parsed = parse_key_vault_id(secret_id)
        if parsed is None or parsed.collection not in _READABLE:
            (problem,) = key_vault_id_notes(secret_id)
            return KeyVaultSecret(secret_id, self._identity(), problem=problem)
        key = (parsed.vault_url, parsed.name.lower(), (parsed.version or "").lower())
        if key not in self._secrets:
            self._secrets[key] = self._read(secret_id, parsed)
        return self._secrets[key]

    def check(
        self,
        secret_id: str,
        *,
        sku: Sku,
        now: datetime,
        expiry_warning_days: int = EXPIRY_WARNING_DAYS,
        location: str | None = None,
        slot: Slot = Slot.LISTENER,
        hostnames: Sequence[str] = (),
        context: UploadContext = ALONE,
    ) -> KeyVaultCheck:
        """Read ``secret_id`` and check it (KV002–KV004 and the listener checks, LST009 for
        each of ``hostnames`` the certificate does not cover; for
        ``slot=Slot.TRUSTED_ROOT``, KV002 and the trusted-root checks). ``context`` is
        what the caller judges itself (an audit: the SKU, the chain, its trust store).

        KV001 and KV005 are not repeated here: they come from the id alone
        (:func:`key_vault_id_findings`), which an audit reports with or without the
        reader. When the secret holds no private key, the certificate's key is looked
        up (``keys/get``, best effort) to tell an HSM-backed key (KV004).
        """
        parsed = parse_key_vault_id(secret_id)
        if parsed is None or parsed.collection not in _READABLE:
            return KeyVaultCheck((), (), location)
        secret = self.fetch(secret_id)

        def inspect(key_type: str | None = None) -> KeyVaultCheck:
            return secret.inspect(
                sku=sku,
                now=now,
                expiry_warning_days=expiry_warning_days,
                location=location,
                key_type=key_type,
                slot=slot,
                hostnames=hostnames,
                context=context,
            )

        result = inspect()
        if secret.key_id and any(note.code == "KV003" for note in result.notes):
            key_type = self.key_type(secret.key_id)
            if key_type is not None:
                result = inspect(key_type)
        return result

    def key_type(self, key_id: str) -> str | None:
        """The ``kty`` of a Key Vault key (``RSA``, ``RSA-HSM``, ``EC-HSM``...), or ``None``
        when it cannot be read (the caller often lacks ``keys/get``: the gateway needs
        none)."""
        parsed = parse_key_vault_id(key_id)
        if parsed is None or parsed.collection != "keys":
            return None
        if key_id not in self._key_types:
            self._key_types[key_id] = self._read_key_type(parsed, key_id)
        return self._key_types[key_id]

    def close(self) -> None:
        """Close the clients' connections and a default credential created here."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        if self._given is None and self._recorder is not None:
            self._recorder.close()
            self._recorder = None  # a later read makes a new one

    def __enter__(self) -> KeyVaultReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------

    def _credential(self) -> RecordingCredential:
        if self._recorder is None:
            inner = self._given if self._given is not None else _default_credential_class()()
            self._recorder = RecordingCredential(inner, default=self._given is None)
        return self._recorder

    def _client(self, vault_url: str) -> SecretClient:
        if vault_url not in self._clients:
            self._clients[vault_url] = self._secret_client(
                vault_url, self._credential(), **self._options
            )
        return self._clients[vault_url]

    def _identity(self) -> str:
        if self._recorder is not None:
            return self._recorder.identity()
        return credential_name(self._given)

    def _read(self, secret_id: str, parsed: KeyVaultId) -> KeyVaultSecret:
        try:
            got = self._client(parsed.vault_url).get_secret(parsed.name, parsed.version)
        except Exception as exc:  # the SDK's and the credential's errors become KV002
            return KeyVaultSecret(
                secret_id, self._identity(), problem=_unreadable(secret_id, self._identity(), exc)
            )
        props = got.properties
        return KeyVaultSecret(
            secret_id,
            self._identity(),
            value=got.value,
            read_id=props.id,
            content_type=props.content_type,
            enabled=props.enabled,
            expires_on=props.expires_on,
            managed=bool(props.managed),
            key_id=props.key_id,
        )

    def _read_key_type(self, parsed: KeyVaultId, key_id: str) -> str | None:
        from azure.core.rest import HttpRequest  # deferred: the azure extra, loaded by now

        try:
            response = self._client(parsed.vault_url).send_request(HttpRequest("GET", key_id))
            body = response.json() if response.status_code == 200 else None
        except Exception:  # best effort: without keys/get the key type stays unknown
            return None
        key = body.get("key") if isinstance(body, dict) else None
        kty = key.get("kty") if isinstance(key, dict) else None
        return kty if isinstance(kty, str) else None


def _secret_client_class() -> type[SecretClient]:
    try:
        # deferred: the azure extra is optional, and heavy to import
        from azure.keyvault.secrets import SecretClient
    except ImportError as exc:
        raise AppGwCertError(
            f"Key Vault checks need azure-identity and azure-keyvault-secrets: {AZURE_EXTRA}"
        ) from exc
    return SecretClient


def _default_credential_class() -> type[TokenCredential]:
    try:
        # deferred: the azure extra is optional, and heavy to import
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise AppGwCertError(
            f"Key Vault checks need azure-identity and azure-keyvault-secrets: {AZURE_EXTRA}"
        ) from exc
    return DefaultAzureCredential


def _unreadable(secret_id: str, identity: str, exc: Exception) -> Note:
    """KV002 for an exception of the SDK or the credential: an error when the gateway
    fails too (disabled, not found), a warning when only this reader was refused or
    could not connect."""
    from azure.core.exceptions import HttpResponseError, ServiceRequestError  # deferred: extra

    status = exc.status_code if isinstance(exc, HttpResponseError) else None
    code, inner = _error_codes(exc) if isinstance(exc, HttpResponseError) else ("", "")
    if status == 403 and inner == "SecretDisabled":
        return Note(
            "KV002",
            f"the secret {secret_id} is disabled in Key Vault (403 {inner}), so the gateway "
            "cannot read it either (Azure Advisor: SecretDisabled); enable the version in use",
        )
    if status == 404:
        return Note(
            "KV002",
            f"Key Vault has no secret {secret_id} (404 {code or 'Not Found'}): the gateway "
            "cannot read it either (Azure Advisor: SecretDeletedFromKeyVault); recover it "
            "from the vault's deleted secrets, or reference one that exists",
        )
    if status in (401, 403):
        why = f"Key Vault refused {identity} ({status} {inner or code or 'Forbidden'})"
        more = (
            "it needs Get on secrets (access policy) or the Key Vault Secrets User role "
            "(Azure RBAC), as the gateway's user-assigned managed identity does"
        )
    elif isinstance(exc, ServiceRequestError):
        why = f"the vault could not be reached as {identity}: {_first_line(exc)}"
        more = "a vault firewall may admit only the gateway's network"
    elif status is not None:
        why = f"Key Vault answered {status} {code} to {identity}: {_first_line(exc)}"
        more = "try again later"
    else:
        why = f"no token for {identity}: {_first_line(exc)}"
        more = "sign in (az login) or configure the identity DefaultAzureCredential should use"
    return Note(
        "KV002",
        f"the secret {secret_id} was not checked: {why}; {more}",
        severity=Severity.WARNING,
    )


def _error_codes(exc: Any) -> tuple[str, str]:
    """Key Vault's error code and inner error code (``Forbidden``, ``AccessDenied``)."""
    try:
        body = exc.response.json() if exc.response is not None else None
    except Exception:  # not JSON: no codes
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", ""
    inner = error.get("innererror") or error.get("innerError")
    inner_code = inner.get("code") if isinstance(inner, dict) else None
    code = error.get("code")
    return (
        code if isinstance(code, str) else "",
        inner_code if isinstance(inner_code, str) else "",
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
