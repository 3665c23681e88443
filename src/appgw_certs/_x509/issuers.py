"""Who issued whom in a set of certificates: :class:`IssuerGraph`.

Each certificate's issuers are looked up by name in an index and confirmed by a
link predicate, each question asked at most once. Certificates that answer alike
as issuers form *units*: with the signature-checked link (:func:`is_issued_by`),
the many holders of one name and key (and, within them, of one key identifier);
with names alone (:func:`issuer_named`), the holders of one subject. A
certificate's issuers are whole units, so a thousand certificates sharing one
name and key are a thousand nodes but one unit, and every walk over the graph
(who issued none, what is connected, what reaches a root) goes unit by unit:
near-linear.

Where more than a few certificates hold the issuer's name, the signature is
checked once per distinct key, the first key that verifies it decides, and the
checks over the set are bounded (:mod:`.signatures`): a certificate whose search
was cut short is in :attr:`IssuerGraph.capped`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence

from cryptography import x509

from .._formats.sharing import encoded_names
from .links import authority_key_id, is_issued_by, is_self_signed, issuer_key, issuer_named
from .links import subject_key as folded_subject
from .names import extension_value
from .signatures import Budget, first_verifying_key, key_der

__all__ = ["SMALL_SET", "IssuerGraph", "Link", "Preference"]

Preference = Callable[[x509.Certificate], bool]
Link = Callable[[x509.Certificate, x509.Certificate], bool]
#: Sets up to this size pair every two certificates, without an index; past it, the
#: holders of one name are asked one by one up to this many, then by distinct key.
SMALL_SET = 8


def _subject_key_id(cert: x509.Certificate) -> bytes | None:
    ski = extension_value(cert, x509.SubjectKeyIdentifier)
    return ski.digest if ski is not None else None


class _Holders:
    """The many holders of one name, by key: each key's group, and within it one class
    per subject key identifier (units of :class:`IssuerGraph`)."""

    __slots__ = ("groups", "keys_with_id")

    def __init__(self) -> None:
        # key (DER) -> (the unit of all its holders, {key identifier: unit})
        self.groups: dict[bytes | None, tuple[int, dict[bytes | None, int]]] = {}
        self.keys_with_id: dict[bytes | None, list[bytes | None]] = {}  # in order met

    def units_for(self, key: bytes | None, aki: bytes | None) -> list[int]:
        """The units holding ``key`` whose identifiers agree with ``aki``."""
        group, classes = self.groups[key]
        if aki is None:
            return [group]
        return [classes[ski] for ski in (aki, None) if ski in classes]

    def keys_to_try(self, aki: bytes | None) -> Iterable[bytes | None]:
        """The keys whose holders' identifiers may agree with ``aki``: those naming it first."""
        if aki is None:
            return self.groups
        return dict.fromkeys([*self.keys_with_id.get(aki, ()), *self.keys_with_id.get(None, ())])


class IssuerGraph:
    """Issuer links among ``certs``, as given (repeats included), found through a name index.

    ``link`` is :func:`is_issued_by` (signatures) or :func:`issuer_named` (names
    alone); any other predicate is asked of every pair. Nodes are positions in
    ``certs``. A certificate is never its own issuer, at
    its place or as the same object elsewhere (one object per certificate inside
    an audit). :meth:`path_up`, :meth:`connected` and :meth:`reaching` assume
    distinct certificates, as their callers give.

    >>> graph = IssuerGraph([leaf, root, intermediate])
    >>> graph.issuers(0)
    [2]
    """

    def __init__(self, certs: Sequence[x509.Certificate], link: Link = is_issued_by) -> None:
        self.certs = certs
        self._link = link
        #: Nodes whose issuer search ran out of signature checks (answers maybe incomplete).
        self.capped: list[int] = []
        self._budget = Budget(len(certs))
        first: dict[int, int] = {}
        self._same = [first.setdefault(id(cert), node) for node, cert in enumerate(certs)]
        self._position = first
        # Units: sets of nodes that answer alike as issuers (members ascending), and
        # the units each node is in. A node's issuers are whole units.
        self._members: list[list[int]] = []
        self._units_of: list[list[int]] = [[] for _ in certs]
        self._decided: dict[int, list[int]] = {}  # by first node: the units that issued it
        self._issued_any: list[bool] | None = None
        self._by_subject: dict[Hashable, list[int]] | None = None
        self._named: dict[Hashable, list[int] | _Holders] = {}  # subject -> its holders' units
        self._subject_of: list[Hashable] = []
        indexed = len(certs) > SMALL_SET and link in (is_issued_by, issuer_named)
        self._by_name = indexed and link is issuer_named
        if self._by_name:
            self._index_exact_names()
        elif indexed:
            self._index_subjects()
        else:  # small: every node a unit of its own, every pair asked
            for node in range(len(certs)):
                self._new_unit([node])

    def _new_unit(self, members: list[int]) -> int:
        unit = len(self._members)
        self._members.append(members)
        for node in members:
            self._units_of[node].append(unit)
        return unit

    # -- the index -----------------------------------------------------------------

    def _index_subjects(self) -> None:
        """Nodes by subject (RFC 5280 comparison); an unreadable subject by its DER inside
        an audit (only the same bytes can name it), else nowhere (it issues nothing)."""
        index: dict[Hashable, list[int]] = {}
        for node, cert in enumerate(self.certs):
            key = _subject_bucket(cert)
            self._subject_of.append(key)
            if key is not None:
                index.setdefault(key, []).append(node)
        self._by_subject = index

    def _index_exact_names(self) -> None:
        """For names alone: one unit per subject as parsed names compare (raises what
        reading a name raises, as :func:`issuer_named` does)."""
        by_name: dict[Hashable, list[int]] = {}
        for node, cert in enumerate(self.certs):
            by_name.setdefault(_exact_name(cert, issuer=False), []).append(node)
        self._named = {name: [self._new_unit(nodes)] for name, nodes in by_name.items()}

    def _holders(self, key: Hashable) -> list[int] | _Holders:
        """The units of the nodes whose subject is ``key``, built on first use: one per
        node when they are few, else by key and identifier (:class:`_Holders`)."""
        known = self._named.get(key)
        if known is not None:
            return known
        nodes = (self._by_subject or {}).get(key, [])
        if len(nodes) <= SMALL_SET:
            known = self._named[key] = [self._new_unit([node]) for node in nodes]
            return known
        by_key: dict[bytes | None, dict[bytes | None, list[int]]] = {}
        for node in nodes:
            cert = self.certs[node]
            by_key.setdefault(key_der(cert), {}).setdefault(_subject_key_id(cert), []).append(node)
        holders = _Holders()
        for der, classes in by_key.items():
            group = self._new_unit(sorted(n for members in classes.values() for n in members))
            units = {ski: self._new_unit(members) for ski, members in classes.items()}
            holders.groups[der] = (group, units)
            for ski in classes:
                holders.keys_with_id.setdefault(ski, []).append(der)
        self._named[key] = holders
        return holders

    # -- who issued one certificate ------------------------------------------------

    def _issuer_units(self, node: int) -> list[int]:
        """The units that issued ``certs[node]``, decided once per object."""
        first = self._same[node]
        known = self._decided.get(first)
        if known is None:
            known = self._decided[first] = self._decide(first)
        return known

    def _decide(self, node: int) -> list[int]:
        cert = self.certs[node]
        if self._by_name:
            found = self._named.get(_exact_name(cert, issuer=True))
            return list(found) if isinstance(found, list) else []
        if self._by_subject is None:  # every other certificate, asked in turn
            return [
                p
                for p in range(len(self.certs))
                if self._same[p] != node and self._link(cert, self.certs[p])
            ]
        key = _issuer_bucket(cert)
        if key is None:
            return []
        holders = self._holders(key)
        if isinstance(holders, list):
            return [
                unit
                for unit in holders
                if self._same[self._members[unit][0]] != node
                and is_issued_by(cert, self.certs[self._members[unit][0]])
            ]
        return self._decide_by_key(node, key, holders)

    def _decide_by_key(self, node: int, key: Hashable, holders: _Holders) -> list[int]:
        """Many holders of the issuer's name: those whose identifiers agree and whose key
        verifies the signature, each key checked once, within the budget."""
        cert = self.certs[node]
        aki = authority_key_id(cert)
        if self._subject_of[node] == key and is_self_signed(cert):
            # Its own key verifies it: no other key needs trying.
            verified = key_der(cert)
        else:
            tried = (
                (der, self.certs[members[0]])
                for der in holders.keys_to_try(aki)
                if (members := self._members[holders.groups[der][0]]) != [node]  # not only itself
            )
            verified, capped = first_verifying_key(cert, tried, self._budget)
            if capped:
                self.capped.append(node)
            if verified is None:
                return []
        return holders.units_for(verified, aki)

    def issuers(self, node: int) -> list[int]:
        """The issuers of ``certs[node]`` in the set, in the order given."""
        first = self._same[node]
        units = self._issuer_units(node)
        found = [p for unit in units for p in self._members[unit] if self._same[p] != first]
        if len(units) > 1:
            found.sort()
        return found

    def node_of(self, cert: x509.Certificate) -> int | None:
        """The first position of ``cert`` (this very object) in the set, else ``None``."""
        node = self._position.get(id(cert))
        return node if node is not None and self.certs[node] is cert else None

    # -- the whole set -------------------------------------------------------------

    def issued_any(self) -> list[bool]:
        """For each node, whether it issued another certificate of the set (every node's
        issuers are decided); remembered."""
        if self._issued_any is None:
            children: dict[int, set[int]] = {}  # unit -> the (first) nodes it issued
            for node in range(len(self.certs)):
                if self._same[node] == node:
                    for unit in self._issuer_units(node):
                        children.setdefault(unit, set()).add(node)
            empty: set[int] = set()
            self._issued_any = [
                any(
                    len(issued) > 1 or (issued and self._same[node] not in issued)
                    for issued in (children.get(unit, empty) for unit in units)
                )
                for node, units in enumerate(self._units_of)
            ]
        return self._issued_any

    def connected(self, start: int) -> set[int]:
        """The nodes linked to ``start`` either way, ``start`` included."""
        parent = list(range(len(self.certs)))

        def find(node: int) -> int:
            while parent[node] != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        joined: set[int] = set()
        for node in range(len(self.certs)):
            for unit in self._issuer_units(node):
                members = self._members[unit]
                other = next((m for m in members if self._same[m] != self._same[node]), None)
                if other is None:
                    continue
                parent[find(node)] = find(other)
                if unit not in joined:  # all of them issued node: one component
                    joined.add(unit)
                    for member in members[1:]:
                        parent[find(member)] = find(members[0])
        root = find(start)
        return {node for node in range(len(self.certs)) if find(node) == root}

    def reaching(
        self, starts: Iterable[int], goals: Sequence[Preference], avoid: set[int]
    ) -> list[set[int]]:
        """For each goal, the nodes at or above ``starts`` (never through ``avoid``) from
        which a certificate satisfying it is reached: one pass up, then unit by unit
        back down from each goal's certificates."""
        seen = set(avoid)
        above: list[int] = []
        children: dict[int, list[int]] = {}  # unit -> the nodes above starts it issued
        expanded: set[int] = set()
        todo = list(starts)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            above.append(node)
            for unit in self._issuer_units(node):
                children.setdefault(unit, []).append(node)
                if unit not in expanded:
                    expanded.add(unit)
                    todo.extend(m for m in self._members[unit] if m not in seen)
        found = []
        for goal in goals:
            reached: set[int] = set()
            live: set[int] = set()
            stack = [node for node in above if goal(self.certs[node])]
            while stack:
                node = stack.pop()
                if node in reached:
                    continue
                reached.add(node)
                for unit in self._units_of[node]:
                    if unit not in live:  # every certificate it issued reaches too
                        live.add(unit)
                        stack.extend(children.get(unit, ()))
            found.append(reached)
        return found

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
                preferred, rooted = self.reaching(parents, (prefer, is_self_signed), on_path)
                parents.sort(key=lambda p: (p in preferred, p in rooted), reverse=True)
            node = parents[0]
            path.append(node)
            on_path.add(node)
        return path


def _subject_bucket(cert: x509.Certificate) -> Hashable:
    key = folded_subject(cert)
    if key is not None:
        return key
    encoded = encoded_names(cert)
    return None if encoded is None else ("der", encoded[1])


def _issuer_bucket(cert: x509.Certificate) -> Hashable:
    key = issuer_key(cert)
    if key is not None:
        return key
    encoded = encoded_names(cert)
    return None if encoded is None else ("der", encoded[0])


def _exact_name(cert: x509.Certificate, *, issuer: bool) -> Hashable:
    """A name as parsed names compare; its DER when unreadable inside an audit (only the
    same bytes can equal it there); else what reading it raises."""
    try:
        return cert.issuer if issuer else cert.subject
    except Exception:
        encoded = encoded_names(cert)
        if encoded is None:
            raise
        return ("der", encoded[0 if issuer else 1])
