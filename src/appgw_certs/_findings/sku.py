"""Application Gateway SKUs and the four certificate slots, with what each SKU offers.

Both enums are ``str`` enums so that they compare equal to, and serialise as,
the names Azure uses. ``parse`` takes the spellings people actually type:
any case, ``-``/``_``/space alike, ``"v1"``/``"v2"``, Azure's v1 size names
(``"Standard_Medium"``, ``"WAF_Large"``) and the REST collection names
(``"trustedRootCertificates"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from .._errors import InvalidArgumentError

__all__ = ["Sku", "Slot"]


def _normalise(text: str) -> str:
    """Lower case without separators: ``"Standard_v2"`` and ``"standard-V2"`` meet."""
    return "".join(ch for ch in text.strip().lower() if ch not in "-_ .")


def _unknown(
    kind: str, value: object, members: Iterable[StrEnum], also: str
) -> InvalidArgumentError:
    valid = ", ".join(member.value for member in members)
    return InvalidArgumentError(f"unknown {kind} {value!r}; valid: {valid} (also {also})")


class Sku(StrEnum):
    """An Application Gateway SKU tier.

    >>> Sku.parse("waf_v2").generation
    2
    >>> Sku.parse("Standard_Medium")
    <Sku.STANDARD: 'Standard'>
    """

    STANDARD = "Standard"
    WAF = "WAF"
    STANDARD_V2 = "Standard_v2"
    WAF_V2 = "WAF_v2"
    BASIC = "Basic"

    @property
    def generation(self) -> Literal[1, 2]:
        """1 for Standard and WAF (retired 2026-04-28), 2 for the v2 tiers and Basic."""
        return 1 if self in (Sku.STANDARD, Sku.WAF) else 2

    @classmethod
    def parse(cls, value: Sku | str) -> Sku:
        """The SKU a name means; ``ValueError`` naming the valid ones when none.

        >>> Sku.parse("v1"), Sku.parse("WAF_Large"), Sku.parse("basic")
        (<Sku.STANDARD: 'Standard'>, <Sku.WAF: 'WAF'>, <Sku.BASIC: 'Basic'>)
        """
        try:
            return cls(value)
        except ValueError:
            also = "v1, v2, and Azure's v1 size names such as Standard_Medium or WAF_Large"
            raise _unknown("SKU", value, cls, also) from None

    @classmethod
    def _missing_(cls, value: object) -> Sku | None:
        # Makes Sku("standard_v2") as forgiving as Sku.parse.
        return _SKU_NAMES.get(_normalise(value)) if isinstance(value, str) else None


_SKU_NAMES: dict[str, Sku] = {
    **{_normalise(sku.value): sku for sku in Sku},
    "v1": Sku.STANDARD,
    "v2": Sku.STANDARD_V2,
    # Azure's v1 sku "name" values carry an instance size; the tier is the prefix.
    "standardsmall": Sku.STANDARD,
    "standardmedium": Sku.STANDARD,
    "standardlarge": Sku.STANDARD,
    "wafmedium": Sku.WAF,
    "waflarge": Sku.WAF,
    "wafv1": Sku.WAF,
    "standardv1": Sku.STANDARD,
}


class Slot(StrEnum):
    """Where a certificate is uploaded on a gateway.

    >>> Slot.parse("trustedRootCertificates")
    <Slot.TRUSTED_ROOT: 'trusted-root'>
    >>> Slot.TRUSTED_CLIENT_CA.available_on(Sku.BASIC)
    False
    """

    LISTENER = "listener"
    AUTHENTICATION = "authentication"
    TRUSTED_ROOT = "trusted-root"
    TRUSTED_CLIENT_CA = "trusted-client-ca"

    def available_on(self, sku: Sku | str) -> bool:
        """Whether this slot exists on ``sku``; rule GEN006 names the page that says so."""
        tier = Sku.parse(sku)
        if self is Slot.AUTHENTICATION:
            return tier.generation == 1
        if self is Slot.TRUSTED_ROOT:
            return tier.generation == 2
        if self is Slot.TRUSTED_CLIENT_CA:
            return tier in (Sku.STANDARD_V2, Sku.WAF_V2)
        return True

    @classmethod
    def parse(cls, value: Slot | str) -> Slot:
        """The slot a name means; ``ValueError`` naming the valid ones when none.

        >>> Slot.parse("auth"), Slot.parse("trusted_root"), Slot.parse("client-ca")
        (<Slot.AUTHENTICATION: 'authentication'>, <Slot.TRUSTED_ROOT: 'trusted-root'>,
         <Slot.TRUSTED_CLIENT_CA: 'trusted-client-ca'>)
        """
        try:
            return cls(value)
        except ValueError:
            also = (
                "auth, root, client-ca, the az CLI's ssl-cert, auth-cert, root-cert and "
                "client-cert, and the REST names such as sslCertificates"
            )
            raise _unknown("slot", value, cls, also) from None

    @classmethod
    def _missing_(cls, value: object) -> Slot | None:
        return _SLOT_NAMES.get(_normalise(value)) if isinstance(value, str) else None


def _aliases(slot: Slot, *names: str) -> dict[str, Slot]:
    return {_normalise(name): slot for name in (slot.value, slot.name, *names)}


_SLOT_NAMES: dict[str, Slot] = {
    # The az CLI's own names (ssl-cert, auth-cert, root-cert, client-cert) are aliases too.
    **_aliases(Slot.LISTENER, "ssl", "ssl-cert", "ssl-certificate", "sslCertificates", "https"),
    **_aliases(
        Slot.AUTHENTICATION,
        "auth",
        "auth-cert",
        "authentication-certificate",
        "authenticationCertificates",
    ),
    **_aliases(
        Slot.TRUSTED_ROOT,
        "root",
        "root-cert",
        "trusted-root-certificate",
        "trustedRootCertificates",
    ),
    **_aliases(
        Slot.TRUSTED_CLIENT_CA,
        "client-ca",
        "client-cert",
        "mtls",
        "trusted-client-certificate",
        "trustedClientCertificates",
    ),
}
