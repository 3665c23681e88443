"""A test chain as a picture: its credentials into the chain diagram's view-model.

The roles are those the chain plays for Azure: the server leaf is the listener's
certificate (and a v1 authentication certificate), the root the v2 trusted root and the
client CA; a test chain has no missing links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._draw.chain_svg import chain_svg
from .._draw.model import CertBox, ChainView, validity
from .._formats.compat import public_key_of
from .._formats.keys import key_description
from .credential import Credential

__all__ = ["ROOT_ROLES", "SERVER_ROLES", "credentials_svg"]

#: The roles of a test chain's root and server leaf (the first is the box's data-role).
ROOT_ROLES = ("trusted-root", "client-ca")
SERVER_ROLES = ("listener-leaf", "authentication")


def _box(
    credential: Credential | x509.Certificate, roles: tuple[str, ...], now: datetime, days: int
) -> CertBox:
    cert = credential.certificate if isinstance(credential, Credential) else credential
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    return CertBox(
        subject=cert.subject.rfc4514_string(),
        common_name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        key=key_description(public_key_of(cert)),
        role=roles[0],
        validity=validity(start, end, now, days),
        not_after=end,
        roles=roles[1:],
    )


def credentials_svg(
    chain: Sequence[tuple[Credential | x509.Certificate, tuple[str, ...]]],
    *,
    title: str = "Test chain (root at the top)",
    now: datetime | None = None,
    warning_days: int = 30,
) -> str:
    """The diagram of ``chain`` (root first, each credential with its roles)."""
    moment = now or datetime.now(UTC)
    boxes = tuple(_box(cred, roles, moment, warning_days) for cred, roles in chain)
    return chain_svg(ChainView(title, boxes))
