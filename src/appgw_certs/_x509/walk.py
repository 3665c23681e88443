"""Walks up to a trust anchor: a path completed from the anchors, and OpenSSL's walk.

:func:`root_of` finds the root above a leaf-first path (``find_root``,
``extract_trusted_root``, well-known checks); :func:`walk_to_anchor` walks as
OpenSSL builds a chain, the anchors first, then the certificates presented
(the backend and client verdicts). The paths themselves come from
:class:`~.issuers.IssuerGraph`, as do the issuers among more than eight
presented certificates (a bounded search: :attr:`Walk.capped` says when it was
cut short). Anchors are anything with ``anchor_for`` and
``find_issuer`` (:class:`Anchors`: a ``TrustStore``), so that the trust store
can sit above this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from cryptography import x509

from .._errors import ChainError, translate_errors
from .._formats.compat import public_key_of
from .issuers import SMALL_SET, IssuerGraph, Preference
from .links import is_issued_by, is_self_issued, is_self_signed, missing_issuer_text, signed_by_key
from .names import is_ca, subject_text

if TYPE_CHECKING:
    from .._formats.inputs import CertSource

__all__ = [
    "Anchors",
    "End",
    "Walk",
    "anchored_in",
    "certificates_of",
    "holds",
    "presented_leaf",
    "root_of",
    "walk_to_anchor",
]


class Anchors(Protocol):
    """What a walk asks of trust anchors (a ``TrustStore`` answers both)."""

    def anchor_for(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The anchor with ``cert``'s subject and key (a root for a cross-signed copy)."""
        ...

    def find_issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The anchor that issued ``cert`` (signature-checked)."""
        ...


def certificates_of(source: CertSource) -> list[x509.Certificate]:
    """The certificates in ``source`` (any format :func:`load_certificates` reads).

    >>> certificates_of([leaf, intermediate]) == [leaf, intermediate]
    True
    """
    if type(source) in (list, tuple) and all(
        type(c) is x509.Certificate
        for c in source  # type: ignore[union-attr]
    ):
        return list(source)  # type: ignore[arg-type]  # the common case, kept cheap
    # Imported here to defer a heavy dependency: the readers pull in the PFX
    # machinery (pyasn1), which work on certificate objects never needs.
    from .._formats.bundle import load_certificates

    with translate_errors("the certificates"):
        return load_certificates(source)


# -- up to an anchor -------------------------------------------------------------------


def anchored_in(anchors: Anchors) -> Preference:
    """A preference for CAs that ``anchors`` hold or issued (a path to a trusted root)."""

    def anchored(cert: x509.Certificate) -> bool:
        return anchors.anchor_for(cert) is not None or anchors.find_issuer(cert) is not None

    return anchored


def root_of(path: Sequence[x509.Certificate], anchors: Anchors) -> x509.Certificate:
    """The root for a leaf-first ``path``, completed from ``anchors`` if needed.

    Walks up the path and stops at the first certificate that is self-signed
    or that the anchors hold (same subject and key; their copy is returned, so
    a cross-signed root gives the self-signed one, and a trust anchor need not
    be self-issued). Past the top of the path, the anchors are asked for the
    issuer (by key identifier and name, signature-checked). :class:`ChainError`
    names the missing issuer.

    >>> root_of([leaf, intermediate], TrustStore([root])) == root
    True
    """
    for cert in path:
        if is_self_signed(cert):
            return cert
        anchor = anchors.anchor_for(cert)
        if anchor is not None:
            return anchor
    top = path[-1]
    issuer = anchors.find_issuer(top)
    if issuer is not None:
        return issuer
    if signed_by_key(top, _public_key(top)):
        # Signed by its own key though it names another issuer: a root that
        # is not self-issued. Nothing above it can be found.
        return top
    raise ChainError(
        f"no root found: the issuer of {subject_text(top)!r}, {missing_issuer_text(top)}, "
        "is neither among the certificates given nor in the trust store; "
        "add that CA certificate (the backend's CA publishes its root)"
    )


def _public_key(cert: x509.Certificate) -> object:
    try:
        return public_key_of(cert)
    except Exception:
        return None


class End(Enum):
    """Where a walk up to an anchor stopped."""

    TRUSTED = "reached a trust anchor"
    SELF_SIGNED_LEAF = "self-signed leaf that is not a CA"
    UNTRUSTED_ROOT = "a presented root that is not a trust anchor"
    NO_ISSUER = "no issuer presented or trusted"


class Walk:
    """A walk from the leaf up: the certificates passed, where it stopped, what was out of place.

    (A plain class: ``dataclasses`` would pull ``inspect`` into the trust store's import.)
    """

    __slots__ = ("capped", "end", "from_store", "out_of_order", "path")

    def __init__(self, path: list[x509.Certificate], end: End = End.NO_ISSUER) -> None:
        self.path = path
        self.end = end
        # (certificate, its issuer) where the issuer is presented, but not right after it
        self.out_of_order: list[tuple[x509.Certificate, x509.Certificate]] = []
        self.from_store = False  # the last certificate came from the trust anchors
        # The search for a presented issuer ran out of signature checks (many presented
        # certificates share a name): an issuer may have been missed.
        self.capped = False

    @property
    def top(self) -> x509.Certificate:
        return self.path[-1]


def presented_leaf(chain: Sequence[x509.Certificate]) -> int | None:
    """Where the leaf of a presented chain is: the first certificate that is not a CA.

    A chain of CAs only has a leaf when its first certificate is self-signed
    (a self-signed CA served as a server's own certificate).

    >>> presented_leaf([intermediate, leaf])
    1
    """
    index = next((i for i, c in enumerate(chain) if not is_ca(c)), None)
    if index is None and chain and is_self_signed(chain[0]):
        return 0
    return index


def walk_to_anchor(
    chain: Sequence[x509.Certificate],
    start: int,
    anchors: Anchors,
    *,
    in_order: bool,
    refuse_self_signed_leaf: bool = False,
    max_depth: int = 32,
) -> Walk:
    """Walk up from ``chain[start]`` as OpenSSL builds a chain: at each step the trust
    anchors first, then the certificates of ``chain`` (never above an anchor).

    With ``in_order`` (what a TLS server must send) each issuer is expected right
    after its certificate, and one found elsewhere is noted in ``out_of_order``;
    without, the first issuer in ``chain`` is taken. With
    ``refuse_self_signed_leaf`` a self-signed start that is not a CA is not
    walked from. A trust anchor's own signature is not checked, as OpenSSL does
    not check it; ``max_depth`` bounds the walk.

    >>> walk_to_anchor([leaf, intermediate], 0, TrustStore([root]), in_order=True).end
    <End.TRUSTED: 'reached a trust anchor'>
    """
    leaf = chain[start]
    walk = Walk([leaf])
    if refuse_self_signed_leaf and is_self_signed(leaf) and not is_ca(leaf):
        walk.end = End.SELF_SIGNED_LEAF
        return walk
    position = start
    presented = _Presented(chain)
    while len(walk.path) < max_depth:
        cert = walk.top
        if _reached_anchor(walk, cert, anchors):
            return walk
        anchor = anchors.find_issuer(cert)
        if anchor is not None:
            walk.path.append(anchor)
            walk.from_store = True
            continue
        if walk.from_store:
            break  # an anchor that is not self-signed, and nothing above it
        position = presented.issuer(position, walk, in_order)
        if position < 0:
            break
        walk.path.append(chain[position])
    walk.end = End.NO_ISSUER
    return walk


def _reached_anchor(walk: Walk, cert: x509.Certificate, anchors: Anchors) -> bool:
    """Whether the walk ends at ``cert``: a trusted root (TRUSTED) or another root."""
    if not is_self_issued(cert):
        return False  # the common case, decided by names alone
    if walk.from_store or anchors.anchor_for(cert) is not None:
        walk.end = End.TRUSTED
        return True
    if is_self_signed(cert):
        walk.end = End.UNTRUSTED_ROOT
        return True
    return False  # self-issued by another key (a key rollover): look further up


class _Presented:
    """The certificates presented, asked for issuers: one by one when they are few, else
    through an :class:`IssuerGraph` of them (built on first need), whose search is bounded."""

    __slots__ = ("chain", "graph")

    def __init__(self, chain: Sequence[x509.Certificate]) -> None:
        self.chain = chain
        self.graph: IssuerGraph | None = None

    def issuer(self, position: int, walk: Walk, in_order: bool) -> int:
        """Index of the issuer of ``chain[position]`` (the top of ``walk``), off the walk's
        path; -1 if none."""
        chain, cert = self.chain, self.chain[position]
        following = position + 1
        if in_order and following < len(chain):
            expected = chain[following]
            if not holds(walk.path, expected) and is_issued_by(cert, expected):
                return following
        for index in self._issuers(position, walk):
            if in_order:
                walk.out_of_order.append((cert, chain[index]))
            return index
        return -1

    def _issuers(self, position: int, walk: Walk) -> Iterable[int]:
        """The issuers of ``chain[position]`` off the walk's path, in the order presented."""
        chain, cert = self.chain, self.chain[position]
        if len(chain) <= SMALL_SET:
            return (
                index
                for index, other in enumerate(chain)
                if not holds(walk.path, other) and is_issued_by(cert, other)
            )
        if self.graph is None:
            self.graph = IssuerGraph(chain)
        found = self.graph.issuers(position)
        if position in self.graph.capped:
            walk.capped = True
        return (index for index in found if not holds(walk.path, chain[index]))


def holds(certs: Sequence[x509.Certificate], cert: x509.Certificate) -> bool:
    """Membership by identity: ``in`` would compare DER bytes, far slower on a hot path."""
    return any(c is cert for c in certs)
