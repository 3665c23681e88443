"""Who issued whom in a set of certificates: bundles put in order, paths up, leaves.

:class:`IssuerGraph` holds the issuer links among a set of certificates: each
one's issuers are looked up by name in an index and confirmed by a link
predicate (:func:`is_issued_by`, or names alone where a caller only asks what a
bundle holds), each pair checked at most once, so a shuffled bundle of a
thousand certificates needs no quadratic work. Every question about a set goes
through it: :func:`order_bundle` (``order_chain``), :func:`path_up` (the upload
checks), :func:`issued_none` (where chains end) and :func:`leaf_first` (the
audit's bundles). Walks past the set, to trust anchors, are in :mod:`.walk`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from cryptography import x509

from .._errors import ChainError
from .links import NameKey, is_issued_by, is_self_signed, issuer_key, issuer_named, subject_key
from .names import is_ca, subject_text

__all__ = [
    "IssuerGraph",
    "Preference",
    "distinct",
    "issued_none",
    "leaf_first",
    "order_bundle",
    "path_up",
]

Preference = Callable[[x509.Certificate], bool]
Link = Callable[[x509.Certificate, x509.Certificate], bool]
_SMALL = 8  # sets up to this size pair every two certificates, without a name index


def distinct(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` without repeats (the same DER), in order; a lone certificate as is
    (most uploads hold one, and hashing a certificate walks its parsed structure).

    >>> distinct([root, leaf, root]) == [root, leaf]
    True
    """
    if isinstance(certs, list | tuple) and len(certs) < 2:
        return list(certs)
    return list(dict.fromkeys(certs))


# -- who issued whom -----------------------------------------------------------------


class IssuerGraph:
    """Issuer links among ``certs``, as given (repeats included), found through a name index.

    Nodes are positions in ``certs`` (cheaper to hash than certificates).
    Candidates for a certificate's issuer are, in a small set, all the others;
    in a larger one, those whose subject is its issuer's name (RFC 5280
    comparison) and those whose subject cannot be read (the DER may still
    match). ``link`` confirms each, once, when first asked.

    >>> graph = IssuerGraph([leaf, root, intermediate])
    >>> graph.issuers(0)
    [2]
    """

    def __init__(self, certs: Sequence[x509.Certificate], link: Link = is_issued_by) -> None:
        self.certs = certs
        self._link = link
        # Building and folding names costs more than asking a few pairs directly
        # (an audit's bundles hold two or three certificates).
        self._by_subject: dict[NameKey | None, list[int]] | None = None
        if len(certs) > _SMALL:
            self._by_subject = {}
            for node, cert in enumerate(certs):
                self._by_subject.setdefault(subject_key(cert), []).append(node)
        self._issuers: list[list[int] | None] = [None] * len(certs)

    def issuers(self, node: int) -> list[int]:
        """The issuers of ``certs[node]`` in the set, in the order given."""
        known = self._issuers[node]
        if known is None:
            certs, link = self.certs, self._link
            cert = certs[node]
            # A certificate is not its own issuer: not at its own place, nor as the
            # same object elsewhere (one object per certificate inside an audit).
            known = self._issuers[node] = [
                p
                for p in self._candidates(node)
                if p != node and certs[p] is not cert and link(cert, certs[p])
            ]
        return known

    def _candidates(self, node: int) -> Sequence[int]:
        if self._by_subject is None:
            return range(len(self.certs))
        unreadable = self._by_subject.get(None, [])
        key = issuer_key(self.certs[node])
        if key is None:
            return unreadable
        named = self._by_subject.get(key, [])
        return sorted(named + unreadable) if unreadable else named

    def issued(self) -> list[list[int]]:
        """For each node, the nodes it issued (every link is checked)."""
        children: list[list[int]] = [[] for _ in self.certs]
        for node in range(len(self.certs)):
            for parent in self.issuers(node):
                children[parent].append(node)
        return children

    def reaches(self, start: int, goal: Preference, avoid: set[int]) -> bool:
        """Whether ``start`` or a CA above it (not in ``avoid``) satisfies ``goal``."""
        seen = set(avoid)
        todo = [start]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            if goal(self.certs[node]):
                return True
            seen.add(node)
            todo.extend(self.issuers(node))
        return False

    def path_up(self, start: int, prefer: Preference | None = None) -> list[int]:
        """From ``start`` up through issuers until a self-signed certificate or none.

        Where a certificate has several issuers (a cross-signed CA), the walk
        takes the first given; with ``prefer``, first one whose way up reaches a
        certificate ``prefer`` accepts, else one that reaches a self-signed root.
        """
        path, on_path, node = [start], {start}, start
        while not is_self_signed(self.certs[node]):
            parents = [p for p in self.issuers(node) if p not in on_path]
            if not parents:
                break
            if prefer is not None and len(parents) > 1:
                parents.sort(
                    key=lambda p: (
                        self.reaches(p, prefer, on_path),
                        self.reaches(p, is_self_signed, on_path),
                    ),
                    reverse=True,
                )
            node = parents[0]
            path.append(node)
            on_path.add(node)
        return path

    def connected(self, start: int, children: list[list[int]]) -> set[int]:
        """The nodes linked to ``start`` either way, ``start`` included."""
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for other in (*self.issuers(node), *children[node]):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen


def path_up(
    start: x509.Certificate, others: Iterable[x509.Certificate], prefer: Preference | None = None
) -> list[x509.Certificate]:
    """From ``start`` up through its issuers among ``others`` (signature-checked); of
    several issuers the first given, or as :meth:`IssuerGraph.path_up` with ``prefer``.

    >>> path_up(leaf, [root, intermediate]) == [leaf, intermediate, root]
    True
    """
    certs = [start, *(cert for cert in distinct(others) if cert != start)]
    graph = IssuerGraph(certs)
    return [certs[node] for node in graph.path_up(0, prefer)]


def issued_none(certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Those of ``certs`` that issued none of the others: where each chain ends.

    >>> issued_none([root, intermediate]) == [intermediate]
    True
    """
    children = IssuerGraph(certs).issued()
    return [cert for cert, issued in zip(certs, children, strict=True) if not issued]


# -- bundles -------------------------------------------------------------------------


def _subjects(certs: Iterable[x509.Certificate]) -> str:
    return "; ".join(repr(subject_text(c)) for c in certs)


def order_bundle(
    certs: Sequence[x509.Certificate], prefer: Preference
) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """The leaf-to-top path of a bundle, and the certificates of its chain off that path.

    The leaf is the certificate that issued none of the others; repeats are
    dropped; of several issuers, the way up that ``prefer`` accepts, else the
    one that reaches a self-signed root. :class:`ChainError` when ``certs``
    are not one chain (none, two leaves, a stray certificate).

    >>> order_bundle([root, leaf, intermediate], lambda cert: False)[0][0] == leaf
    True
    """
    unique = distinct(certs)
    if not unique:
        raise ChainError("no certificates given: nothing to order")
    if len(unique) == 1:  # a lone certificate is its own path (most uploads: no index needed)
        return unique, []
    graph = IssuerGraph(unique)
    children = graph.issued()
    leaves = [node for node, issued in enumerate(children) if not issued]
    if not leaves:
        raise ChainError(
            "no leaf certificate: every certificate issued another one (a loop of "
            "cross-signed CAs?); give the server's own certificate too"
        )
    if len(leaves) > 1:
        raise ChainError(
            f"the certificates form {len(leaves)} unrelated chains, with leaves "
            f"{_subjects(unique[node] for node in leaves)}; "
            "give one chain (leaf, intermediates, root) per file"
        )
    leaf = leaves[0]
    path = graph.path_up(leaf, prefer)
    linked = graph.connected(leaf, children)
    if len(linked) < len(unique):
        strays = _subjects(c for node, c in enumerate(unique) if node not in linked)
        raise ChainError(
            f"certificates unrelated to the chain of {subject_text(unique[leaf])!r}: {strays}; "
            "remove them or give them in a file of their own"
        )
    on_path = set(path)
    # Alternatives (the other copy of a cross-signed CA, its other root)
    # belong to the same chain; they follow the path, in the order given.
    alternatives = [c for node, c in enumerate(unique) if node not in on_path]
    return [unique[node] for node in path], alternatives


def leaf_first(certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` with the leaf first, by names alone: the one whose subject names no
    other's issuer, a non-CA preferred among several; the order given when a name
    cannot be read. For bundles that keep no order (a PKCS#7 SET OF), where the
    question is what they hold, not whether it verifies.

    >>> leaf_first([intermediate, leaf]) == [leaf, intermediate]
    True
    """
    if len(certs) < 2:
        return list(certs)
    try:
        children = IssuerGraph(certs, link=issuer_named).issued()
    except Exception:  # a name that cannot be read: keep the order given
        return list(certs)
    candidates = [cert for cert, issued in zip(certs, children, strict=True) if not issued]
    if len(candidates) == 1:
        leaf = candidates[0]
    else:  # several chains, or a loop: a non-CA is the likelier leaf
        fallback = candidates[0] if candidates else certs[0]
        leaf = next((c for c in candidates if not is_ca(c)), fallback)
    return [leaf, *(c for c in certs if c is not leaf)]
