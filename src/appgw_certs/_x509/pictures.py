"""Chains as pictures: descriptions of certificates into the chain diagram's view-model.

:func:`chain_view` takes descriptions leaf first (as :func:`.describe.describe` and an
audit's certificate objects hold them) and gives :mod:`appgw_certs._draw` a chain root
first: one box per certificate, coloured by where ``now`` falls (the thresholds of
GEN002/GEN003), and a gap wherever a certificate's issuer is not the one above it
(names compared as text), or, when the caller's rule says the chain is incomplete,
above its top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from cryptography import x509

from .._draw.chain_svg import chain_svg
from .._draw.model import CertBox, ChainView, Gap, validity
from .._errors import ChainError
from .graph import order_bundle
from .links import is_issued_by

__all__ = [
    "Described",
    "chain_html",
    "chain_view",
    "common_name",
    "leaf_first",
    "slot_roles",
]

#: The rule of a missing link inside a file that is meant to be one chain.
INCOMPLETE_CHAIN = "LST008"

# CN=... in RFC 4514 text: up to the first unescaped comma.
_CN = re.compile(r"(?:^|,)CN=((?:[^,\\]|\\.)*)")


class Described(Protocol):
    """What a picture reads of a description (:class:`.describe.CertInfo` has it all)."""

    @property
    def subject(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def not_before(self) -> datetime: ...
    @property
    def not_after(self) -> datetime: ...
    @property
    def key(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def is_self_signed(self) -> bool: ...


_D = TypeVar("_D", bound=Described)


def common_name(subject: str) -> str:
    """The first CN of an RFC 4514 subject, unescaped; else the whole subject.

    >>> common_name("CN=www.contoso.com,O=Contoso")
    'www.contoso.com'
    """
    found = _CN.search(subject)
    if found is None:
        return subject
    return re.sub(r"\\(.)", r"\1", found.group(1))


def _signed(child: Described, parent: Described) -> bool:
    """Whether ``parent``'s key signed ``child``, when both descriptions still hold their
    certificate (made by :func:`.describe.cert_info`); otherwise names alone decide."""
    child_cert, parent_cert = (vars(info).get("_certificate") for info in (child, parent))
    if isinstance(child_cert, x509.Certificate) and isinstance(parent_cert, x509.Certificate):
        return is_issued_by(child_cert, parent_cert)
    return True


def leaf_first(infos: Sequence[_D]) -> list[_D]:
    """``infos`` leaf first, each certificate's issuer after it: the chain walker's order
    when the descriptions hold their certificates and form one chain, else a file that
    starts with its root (a CA file) reversed."""
    listed = list(infos)
    held = [vars(info).get("_certificate") for info in listed]
    certs = [c for c in held if isinstance(c, x509.Certificate)]
    if len(listed) > 1 and len(certs) == len(listed):
        try:
            path, off_path = order_bundle(certs, _no_preference)
        except ChainError:
            pass
        else:
            place = {id(c): i for i, c in enumerate(certs)}
            ordered = [listed[place[id(c)]] for c in (*path, *off_path)]
            taken = {id(info) for info in ordered}
            return [*ordered, *(info for info in listed if id(info) not in taken)]
    if len(listed) > 1 and listed[0].is_self_signed and not listed[-1].is_self_signed:
        listed.reverse()
    return listed


def _no_preference(cert: x509.Certificate) -> bool:
    return False


def chain_view(
    infos: Sequence[Described],
    *,
    title: str,
    now: datetime | None = None,
    warning_days: int = 30,
    roles: Sequence[tuple[str, ...]] | None = None,
    gap_code: str = INCOMPLETE_CHAIN,
    open_top: str | None = None,
) -> ChainView:
    """``infos`` (leaf first) as a chain diagram's view-model, root first.

    ``roles[i]`` are the Azure roles of ``infos[i]`` (the first is its ``data-role``);
    by default each certificate's own role (leaf, intermediate, root). A gap with
    ``gap_code`` stands between two certificates that do not link (by name, and by
    signature when the descriptions still hold their certificates); ``open_top``,
    the code of a rule that reported the chain incomplete, adds one above the top
    certificate when it is not self-signed.
    """
    moment = now or datetime.now(UTC)
    boxes: list[CertBox | Gap] = []
    for position, info in enumerate(infos):
        own = roles[position] if roles is not None and position < len(roles) else ()
        role, *more = own or (info.role,)
        boxes.append(
            CertBox(
                subject=info.subject,
                common_name=common_name(info.subject),
                key=info.key,
                role=role,
                validity=validity(info.not_before, info.not_after, moment, warning_days),
                not_after=info.not_after,
                roles=tuple(more),
            )
        )
        above = infos[position + 1] if position + 1 < len(infos) else None
        if above is not None and above.subject != info.issuer:
            boxes.append(Gap(gap_code, f"issuer not in the chain: {info.issuer}"))
        elif above is not None and not _signed(info, above):
            boxes.append(Gap(gap_code, f"not signed by the key of {above.subject}"))
        elif above is None and open_top and not info.is_self_signed:
            boxes.append(Gap(open_top, f"issuer not included: {info.issuer}"))
    return ChainView(title, tuple(reversed(boxes)))


#: The role of an upload slot's own certificate (``Slot`` values and the az CLI's names).
_SLOT_ROLES = {
    "listener": "listener-leaf",
    "ssl-cert": "listener-leaf",
    "authentication": "authentication",
    "auth-cert": "authentication",
    "trusted-root": "trusted-root",
    "root-cert": "trusted-root",
    "trusted-client-ca": "client-ca",
    "client-cert": "client-ca",
}


def slot_roles(slot: str | None, infos: Sequence[Described]) -> list[tuple[str, ...]]:
    """Leaf first, the role each certificate of an upload for ``slot`` plays for Azure.

    A listener's or an authentication file's first certificate is the slot's; a trusted
    root's top certificate; every certificate of a client CA file is a client CA. The
    others keep their own role (intermediate, root).
    """
    role = _SLOT_ROLES.get(slot or "")
    own: list[tuple[str, ...]] = [(info.role,) for info in infos]
    if role is None or not own:
        return own
    if role == "client-ca":
        return [(role,)] * len(own)
    if role == "trusted-root":
        return [*own[:-1], (role,)]
    return [(role,), *own[1:]]


def chain_html(
    infos: Sequence[Described],
    *,
    title: str,
    now: datetime | None = None,
    warning_days: int = 30,
    slot: str | None = None,
    gap: str | None = None,
) -> str:
    """The chain diagram of ``infos`` (leaf first), as inline SVG: roles for ``slot``
    (default: each certificate's own), and ``gap``, a rule that reported the chain
    incomplete, drawn where a link is missing."""
    ordered = leaf_first(infos)
    view = chain_view(
        ordered,
        title=title,
        now=now,
        warning_days=warning_days,
        roles=slot_roles(slot, ordered),
        gap_code=gap or INCOMPLETE_CHAIN,
        open_top=gap,
    )
    return chain_svg(view)
