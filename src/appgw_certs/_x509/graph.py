"""Bundles put in order, paths up, leaves: the questions asked of a set of certificates.

Every one goes through :class:`~.issuers.IssuerGraph` (the issuer links among a
set, found through a name index, each question asked once, unit by unit, so
that neither a shuffled bundle of a thousand certificates nor a thousand sharing
one name needs quadratic work): :func:`order_bundle` (``order_chain``),
:func:`path_up` (the upload checks), :func:`issued_none` (where chains end) and
:func:`leaf_first` (the audit's bundles). The upload checks ask :func:`path_up`
and :func:`issued_none` again and again about one set: the graph last built for
the same objects is asked again. Walks past the set, to trust anchors, are in
:mod:`.walk`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

from cryptography import x509

from .._errors import ChainError
from .issuers import IssuerGraph, Preference
from .links import issuer_named
from .names import is_ca, subject_text
from .signatures import SIGNATURE_CHECKS_PER_CERTIFICATE

__all__ = [
    "IssuerGraph",
    "Preference",
    "distinct",
    "graph_of",
    "issued_none",
    "leaf_first",
    "order_bundle",
    "path_up",
]

_RECENT_GRAPHS = 2
_LISTED = 10  # certificates named in an error, at most


def distinct(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """``certs`` without repeats (the same DER), in order; a lone certificate as is
    (most uploads hold one, and hashing a certificate walks its parsed structure).

    >>> distinct([root, leaf, root]) == [root, leaf]
    True
    """
    if isinstance(certs, list | tuple) and len(certs) < 2:
        return list(certs)
    return list(dict.fromkeys(certs))


# The graphs last built by graph_of, with the certificates they were asked about;
# an entry keeps its objects alive, so identity stays a valid test.
_RECENT: ContextVar[list[tuple[tuple[x509.Certificate, ...], IssuerGraph]] | None] = ContextVar(
    "appgw_certs_recent_graphs", default=None
)


def graph_of(certs: Sequence[x509.Certificate]) -> IssuerGraph:
    """The graph of ``distinct(certs)``: the one last built for the same objects in the
    same order, if any (kept per thread, the last few)."""
    graph = _recent(certs)
    if graph is None:
        graph = IssuerGraph(distinct(certs))
        recent = _RECENT.get() or []
        _RECENT.set([(tuple(certs), graph), *recent[: _RECENT_GRAPHS - 1]])
    return graph


def _recent(certs: Sequence[x509.Certificate]) -> IssuerGraph | None:
    for given, graph in _RECENT.get() or ():
        if len(given) == len(certs) and all(map(operator.is_, given, certs)):
            return graph
    return None


def path_up(
    start: x509.Certificate, others: Iterable[x509.Certificate], prefer: Preference | None = None
) -> list[x509.Certificate]:
    """From ``start`` up through its issuers among ``others`` (signature-checked); of
    several issuers the first given, or as :meth:`IssuerGraph.path_up` with ``prefer``.

    >>> path_up(leaf, [root, intermediate]) == [leaf, intermediate, root]
    True
    """
    given = others if isinstance(others, Sequence) else list(others)
    graph = _recent(given)
    if graph is None and id(start) in {id(cert) for cert in given}:
        graph = graph_of(given)  # asked from within the set: likely asked again
    node = None if graph is None else graph.node_of(start)
    if graph is None or node is None:  # not among them as this object: a graph of its own
        graph = IssuerGraph([start, *(cert for cert in distinct(given) if cert != start)])
        node = 0
    return [graph.certs[step] for step in graph.path_up(node, prefer)]


def issued_none(certs: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Those of ``certs`` that issued none of the others: where each chain ends.

    >>> issued_none([root, intermediate]) == [intermediate]
    True
    """
    graph = graph_of(certs)
    if len(graph.certs) != len(certs):  # repeats: each copy is a node of its own
        graph = IssuerGraph(certs)
    issued = graph.issued_any()
    return [cert for cert, any_issued in zip(certs, issued, strict=True) if not any_issued]


# -- bundles -------------------------------------------------------------------------


def _subjects(certs: Sequence[x509.Certificate]) -> str:
    named = "; ".join(repr(subject_text(c)) for c in certs[:_LISTED])
    return named if len(certs) <= _LISTED else f"{named} and {len(certs) - _LISTED:,} more"


def _capped_note(graph: IssuerGraph) -> str:
    """Why an answer may be wrong: a search for issuers was cut short."""
    if not graph.capped:
        return ""
    return (
        f" (the search for issuers stopped at {SIGNATURE_CHECKS_PER_CERTIFICATE} signature "
        f"checks per certificate, many certificates holding the same name, before it "
        f"settled {len(graph.capped):,} of them)"
    )


def order_bundle(
    certs: Sequence[x509.Certificate], prefer: Preference
) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """The leaf-to-top path of a bundle, and the certificates of its chain off that path.

    The leaf is the certificate that issued none of the others; repeats are
    dropped; of several issuers, the way up that ``prefer`` accepts, else the
    one that reaches a self-signed root. :class:`ChainError` when ``certs``
    are not one chain (none, two leaves, a stray certificate); it says so when
    the search for issuers was cut short (:mod:`.signatures`).

    >>> order_bundle([root, leaf, intermediate], lambda cert: False)[0][0] == leaf
    True
    """
    unique = distinct(certs)
    if not unique:
        raise ChainError("no certificates given: nothing to order")
    if len(unique) == 1:  # a lone certificate is its own path (most uploads: no index needed)
        return unique, []
    graph = IssuerGraph(unique)
    leaves = [node for node, issued in enumerate(graph.issued_any()) if not issued]
    if not leaves:
        raise ChainError(
            "no leaf certificate: every certificate issued another one (a loop of "
            "cross-signed CAs?); give the server's own certificate too" + _capped_note(graph)
        )
    if len(leaves) > 1:
        raise ChainError(
            f"the certificates form {len(leaves):,} unrelated chains, with leaves "
            f"{_subjects([unique[node] for node in leaves])}; "
            "give one chain (leaf, intermediates, root) per file" + _capped_note(graph)
        )
    leaf = leaves[0]
    path = graph.path_up(leaf, prefer)
    linked = graph.connected(leaf)
    if len(linked) < len(unique):
        strays = _subjects([c for node, c in enumerate(unique) if node not in linked])
        raise ChainError(
            f"certificates unrelated to the chain of {subject_text(unique[leaf])!r}: {strays}; "
            "remove them or give them in a file of their own" + _capped_note(graph)
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
        issued = IssuerGraph(certs, link=issuer_named).issued_any()
    except Exception:  # a name that cannot be read: keep the order given
        return list(certs)
    candidates = [cert for cert, any_issued in zip(certs, issued, strict=True) if not any_issued]
    if len(candidates) == 1:
        leaf = candidates[0]
    else:  # several chains, or a loop: a non-CA is the likelier leaf
        fallback = candidates[0] if candidates else certs[0]
        leaf = next((c for c in candidates if not is_ca(c)), fallback)
    return [leaf, *(c for c in certs if c is not leaf)]
