"""How a file's certificates form a chain, for people: order, each one's issuer, the root.

Everything comes from the one chain walker (:mod:`.graph`, :mod:`.issuers`) and
the well-known store (:mod:`.trust`): the leaf-to-root order, whether the file
already holds its certificates in that order (Application Gateway wants a
listener's chain leaf first), the position in the file of each certificate's
issuer, and the well-known root the chain ends in, if any (in the file or not).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from .._errors import ChainError
from .chain import order_chain
from .graph import distinct
from .issuers import IssuerGraph
from .names import subject_text
from .trust import TrustStore

__all__ = ["ChainFacts", "chain_facts", "is_well_known_root"]


@dataclass(frozen=True)
class ChainFacts:
    """What :func:`chain_facts` finds.

    ``ordered``: the certificates leaf first (the file's order when they are not
    one chain); ``positions``: each distinct certificate's first position in the
    file; ``issuers``: the position in the file of each one's issuer (absent when
    its issuer is not in the file or it is self-signed); ``in_order``: whether
    the file lists its chain leaf to root (``None`` when it is not one chain);
    ``well_known_root``: the subject of the well-known root the chain ends in.
    """

    ordered: list[x509.Certificate]
    positions: dict[x509.Certificate, int]
    issuers: dict[x509.Certificate, int]
    in_order: bool | None
    well_known_root: str | None


def chain_facts(
    certs: Sequence[x509.Certificate], *, store: TrustStore | None = None
) -> ChainFacts:
    """The chain facts of ``certs``, given in file order (``store``: default certifi's).

    >>> chain_facts([root, leaf, intermediate]).in_order
    False
    """
    unique = distinct(certs)
    positions: dict[x509.Certificate, int] = {}
    for position, cert in enumerate(certs):
        positions.setdefault(cert, position)
    issuers: dict[x509.Certificate, int] = {}
    if len(unique) > 1:
        graph = IssuerGraph(unique)
        for node, cert in enumerate(unique):
            found = graph.issuers(node)
            if found:
                issuers[cert] = positions[unique[found[0]]]
    try:
        ordered = order_chain(unique)
    except ChainError:  # several chains, or none: keep the file's order
        ordered, in_order = unique, None
    else:
        in_order = ordered == unique
    root = None
    if unique:
        anchors = store if store is not None else TrustStore.certifi()
        found_root = anchors.root_in_store(unique)
        root = None if found_root is None else subject_text(found_root)
    return ChainFacts(ordered, positions, issuers, in_order, root)


def is_well_known_root(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is one of certifi's roots (same subject and key): an approximation
    of Azure's unpublished well-known list; never raises.

    >>> is_well_known_root(isrg_root_x1)
    True
    """
    try:
        return cert in TrustStore.certifi()
    except Exception:  # a certificate whose names or key cannot be read
        return False
