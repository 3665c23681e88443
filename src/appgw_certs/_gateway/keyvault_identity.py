"""Who read a Key Vault secret: the identity a credential's tokens name.

A refusal (KV002) names the identity that was refused, so the user knows whom to
grant Get on secrets. :class:`RecordingCredential` passes token requests to the
caller's credential and keeps, from the last token, only the claims that name its
holder (``upn``, the managed identity's resource id, ``appid``, ``oid``); the
token itself is never kept, and is never checked here (Key Vault checks it).

No Azure import: a credential is anything with ``get_token``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential

__all__ = ["RecordingCredential", "credential_name", "identity_from_claims"]

#: The claims kept from a token: those that name its holder.
_NAMING_CLAIMS = ("upn", "unique_name", "preferred_username", "xms_mirid", "appid", "azp", "oid")


class RecordingCredential:
    """A ``TokenCredential`` that remembers whom its last token names."""

    def __init__(self, inner: TokenCredential, *, default: bool) -> None:
        self._inner = inner
        self._default = default
        self._claims: dict[str, str] = {}

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """The inner credential's token; its naming claims are kept."""
        token = self._inner.get_token(
            *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
        )
        self._claims = _naming_claims(token.token)
        return token

    def identity(self) -> str:
        """Who the last token names, and through which credential."""
        who = identity_from_claims(self._claims)
        source = credential_name(None if self._default else self._inner)
        return f"{who} (from {source})" if who else source

    def close(self) -> None:
        """Close the inner credential when it can be closed."""
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()


def credential_name(credential: object | None) -> str:
    """``the default Azure credential`` for ``None``, else the credential's class."""
    if credential is None:
        return "the default Azure credential"
    return f"the credential {type(credential).__name__}"


def identity_from_claims(claims: dict[str, str]) -> str:
    """A user, managed identity or application, from a token's claims ('' if none).

    >>> identity_from_claims({"upn": "alice@contoso.com"})
    'user alice@contoso.com'
    """
    user = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
    if user:
        return f"user {user}"
    object_id = f" (object id {claims['oid']})" if claims.get("oid") else ""
    resource = claims.get("xms_mirid")
    if resource:
        return f"managed identity {resource.rstrip('/').rsplit('/', 1)[-1]}{object_id}"
    app = claims.get("appid") or claims.get("azp")
    if app:
        return f"application {app}{object_id}"
    return ""


def _naming_claims(token: str) -> dict[str, str]:
    """The naming claims of a JWT's payload; none when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    if not isinstance(payload, dict):
        return {}
    return {name: payload[name] for name in _NAMING_CLAIMS if isinstance(payload.get(name), str)}
