"""The issuer graph where many certificates hold one name, against the pair-by-pair answers.

Past eight holders of a name, :class:`IssuerGraph` stops asking each pair: it
groups holders by key and key identifier, checks each key once and lets the
first that verifies decide, and walks the graph unit by unit. Every answer must
be the one asking each pair gives (:func:`is_issued_by`, itself checked against
cryptography and OpenSSL in ``test_chain.py`` and ``test_walk.py``): the issuers
of each certificate, who issued none, what is connected, what reaches a root,
the path up with a preference, the trust store's issuer and anchor, a walk over
a long presented chain. Crowds are drawn by hypothesis: holders of names that
differ only in case and spaces, keys shared or not, key identifiers right,
wrong, half or absent, self-signed or signed by another holder, leaves.

Then the bound: a search that runs out of signature checks stops, and says so.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import TrustStore
from appgw_certs._x509.issuers import SMALL_SET, IssuerGraph
from appgw_certs._x509.links import (
    authority_key_id,
    is_issued_by,
    is_self_signed,
    issuer_named,
    name_key,
    subject_key_id,
)
from appgw_certs._x509.names import is_ca
from appgw_certs._x509.signatures import (
    SIGNATURE_CHECKS_PER_CERTIFICATE,
    Budget,
    first_verifying_key,
    key_der,
    recording_capped_searches,
)
from appgw_certs._x509.walk import End, walk_to_anchor

NOW = datetime.now(UTC)
KEYS = [ec.generate_private_key(ec.SECP256R1()) for _ in range(SIGNATURE_CHECKS_PER_CERTIFICATE)]
# One name as RFC 5280 compares it, spelled four ways (exact comparison tells them apart).
SPELLINGS = ["Crowd CA", "CROWD CA", "crowd  ca", "Crowd Ca"]
KEY_IDS = ["none", "right", "subject only", "authority only", "wrong subject", "wrong authority"]


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _cert(subject: str, issuer: str, key: int, signer: int, key_ids: str, *, ca: bool = True,
          serial: int = 1) -> x509.Certificate:  # fmt: skip
    """A certificate of ``KEYS[key]`` signed by ``KEYS[signer]``, with the key identifiers
    ``key_ids`` says (a wrong one names the next key of the pool)."""
    own, signing = KEYS[key].public_key(), KEYS[signer]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(own)
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    other = KEYS[(signer + 1) % len(KEYS)].public_key()
    subject_id = {"right": own, "subject only": own, "wrong subject": other}.get(key_ids)
    if subject_id is not None:
        ski = x509.SubjectKeyIdentifier.from_public_key(subject_id)
        builder = builder.add_extension(ski, critical=False)
    authority = signing.public_key()
    authority_id = {"right": authority, "authority only": authority, "wrong authority": other}
    if key_ids in authority_id:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(authority_id[key_ids])
        builder = builder.add_extension(aki, critical=False)
    return builder.sign(signing, hashes.SHA256())


@st.composite
def crowds(draw: st.DrawFn) -> list[x509.Certificate]:
    """Past eight holders of one name (four spellings), keys from a pool, leaves; shuffled,
    sometimes with the same object twice."""
    spelling = st.sampled_from(SPELLINGS)
    key = st.integers(0, len(KEYS) - 1)
    certs = []
    for serial in range(draw(st.integers(SMALL_SET + 1, 2 * SMALL_SET + 4))):
        own = draw(key)
        signer = own if draw(st.booleans()) else draw(key)  # self-signed, or by another
        name = draw(spelling)
        issuer = name if signer == own and draw(st.booleans()) else draw(spelling)
        key_ids = draw(st.sampled_from(KEY_IDS))
        certs.append(_cert(name, issuer, own, signer, key_ids, serial=serial + 1))
    for leaf in range(draw(st.integers(1, 3))):
        signer, key_ids = draw(key), draw(st.sampled_from(KEY_IDS))
        certs.append(_cert(f"leaf {leaf}", draw(spelling), leaf % len(KEYS), signer, key_ids,
                           ca=False, serial=1000 + leaf))  # fmt: skip
    if draw(st.booleans()):
        certs.append(certs[0])
    return draw(st.permutations(certs))


def _pairwise(certs: Sequence[x509.Certificate], link: Callable[..., bool] = is_issued_by,
              ) -> list[list[int]]:  # fmt: skip
    """Each certificate's issuers, every pair asked (the answers the graph must give)."""
    return [
        [p for p, parent in enumerate(certs) if parent is not child and link(child, parent)]
        for child in certs
    ]


def _reaches(issuers: list[list[int]], start: int, goal: Callable[[int], bool],
             avoid: set[int]) -> bool:  # fmt: skip
    seen, todo = set(avoid), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        if goal(node):
            return True
        seen.add(node)
        todo.extend(issuers[node])
    return False


def _path_up(certs: Sequence[x509.Certificate], issuers: list[list[int]], start: int,
             prefer: Callable[[x509.Certificate], bool]) -> list[int]:  # fmt: skip
    """The way up as the graph must walk it, found pair by pair and search by search."""
    path, on_path, node = [start], {start}, start
    while not is_self_signed(certs[node]):
        parents = [p for p in issuers[node] if p not in on_path]
        if not parents:
            break
        parents.sort(
            key=lambda p: (
                _reaches(issuers, p, lambda n: prefer(certs[n]), on_path),
                _reaches(issuers, p, lambda n: is_self_signed(certs[n]), on_path),
            ),
            reverse=True,
        )
        node = parents[0]
        path.append(node)
        on_path.add(node)
    return path


# -- the graph gives the pair-by-pair answers -------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(certs=crowds(), rng=st.randoms(use_true_random=False))
def test_a_crowd_s_issuers_are_the_pairwise_ones(certs: list[x509.Certificate],
                                                  rng: random.Random) -> None:  # fmt: skip
    expected = _pairwise(certs)
    graph = IssuerGraph(certs)
    assert [graph.issuers(node) for node in range(len(certs))] == expected
    assert graph.issued_any() == [
        any(node in expected[child] for child in range(len(certs))) for node in range(len(certs))
    ]
    assert graph.capped == []  # a pool of keys no larger than the checks each may make
    # Names alone (leaf_first): exact names, so spellings apart.
    named = _pairwise(certs, issuer_named)
    by_names = IssuerGraph(certs, link=issuer_named)
    assert [by_names.issuers(node) for node in range(len(certs))] == named
    assert by_names.issued_any() == [
        any(node in named[child] for child in range(len(certs))) for node in range(len(certs))
    ]
    # The walks assume distinct certificates, as their callers give.
    unique = list(dict.fromkeys(certs))
    links, graph = _pairwise(unique), IssuerGraph(unique)
    for start in rng.sample(range(len(unique)), 3):
        linked, todo = {start}, [start]
        while todo:
            node = todo.pop()
            near = [*links[node], *(c for c in range(len(unique)) if node in links[c])]
            todo += [n for n in near if n not in linked]
            linked.update(near)
        assert graph.connected(start) == linked
        avoid = {start}
        favourite = rng.choice(unique)
        preferred, rooted = graph.reaching(links[start], (favourite.__eq__, is_self_signed), avoid)

        def is_favourite(node: int, favourite: x509.Certificate = favourite) -> bool:
            return unique[node] == favourite

        for parent in links[start]:
            found = (parent in preferred, parent in rooted)
            assert found == (
                _reaches(links, parent, is_favourite, avoid),
                _reaches(links, parent, lambda n: is_self_signed(unique[n]), avoid),
            )
        path = _path_up(unique, links, start, favourite.__eq__)
        assert graph.path_up(start, favourite.__eq__) == path


@settings(max_examples=15, deadline=None)
@given(certs=crowds())
def test_a_crowd_of_anchors_answers_as_each_asked_in_turn(certs: list[x509.Certificate]) -> None:
    anchors = [c for c in dict.fromkeys(certs) if is_ca(c)]
    store = TrustStore(anchors)
    for cert in certs:
        # The store's order: anchors with the authority key identifier first, then without any.
        named = [a for a in anchors if name_key(a.subject) == name_key(cert.issuer)]
        aki = authority_key_id(cert)
        if aki is not None:
            named = [a for a in named if subject_key_id(a) == aki] + [
                a for a in named if subject_key_id(a) is None
            ]
        linked = (a for a in named if a is not cert and is_issued_by(cert, a))
        assert store.find_issuer(cert) == next(linked, None)
        same = [
            a
            for a in anchors
            if name_key(a.subject) == name_key(cert.subject) and a.public_key() == cert.public_key()
        ]
        fallback = same[0] if same else None
        assert store.anchor_for(cert) == next((a for a in same if is_self_signed(a)), fallback)


@settings(max_examples=15, deadline=None)
@given(certs=crowds())
def test_a_long_presented_chain_gives_the_first_issuer(certs: list[x509.Certificate]) -> None:
    for start, cert in enumerate(certs):
        walk = walk_to_anchor(certs, start, TrustStore([]), in_order=False)
        if len(walk.path) > 1:
            assert is_issued_by(cert, walk.path[1])
            first = next(c for c in certs if c is not cert and is_issued_by(cert, c))
            assert walk.path[1] is first
        assert not walk.capped


# -- the bound: a search that runs out of checks stops, and says so -----------------------------


def _self_issued_by_outsider(count: int, *, first_serial: int = 1) -> list[x509.Certificate]:
    """Self-issued CAs of one name, a key each, signed by a key none of them holds."""
    outsider = ec.generate_private_key(ec.SECP256R1())
    certs = []
    for serial in range(first_serial, first_serial + count):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name("Crowd CA"))
            .issuer_name(_name("Crowd CA"))
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=30))
        )
        certs.append(builder.sign(outsider, hashes.SHA256()))
    return certs


def test_each_key_is_checked_once_and_the_budget_bounds_the_keys_tried() -> None:
    holders = [*_self_issued_by_outsider(4), _cert("Crowd CA", "Crowd CA", 0, 0, "none")]
    child = _cert("leaf", "Crowd CA", 1, 0, "none", ca=False)
    tried = [(key_der(h), h) for h in (holders[0], holders[0], *holders)]  # a key given twice
    budget = Budget(1)  # four checks: the four keys that do not verify, then none left
    with recording_capped_searches() as capped:
        assert first_verifying_key(child, tried, budget) == (None, True)
    assert capped.certificates == [child]
    assert first_verifying_key(child, tried, Budget(2)) == (key_der(holders[-1]), False)
    assert first_verifying_key(child, tried) == (key_der(holders[-1]), False)
    assert first_verifying_key(child, tried[:-1]) == (None, False)  # no budget: no bound


def test_a_graph_past_its_budget_says_which_searches_it_cut() -> None:
    certs = _self_issued_by_outsider(20)
    with recording_capped_searches() as capped:
        graph = IssuerGraph(certs)
        assert graph.issued_any() == [False] * len(certs)
    # Each tries the 19 other keys; 4 checks per certificate, pooled, settle four of them.
    spent = SIGNATURE_CHECKS_PER_CERTIFICATE * len(certs) // (len(certs) - 1)
    assert graph.capped == list(range(spent, len(certs)))
    assert capped.certificates == certs[spent:]


def test_a_walk_past_its_budget_stops_and_says_so() -> None:
    """A ladder of self-issued CAs (each signed by the next one's key) among decoys of the
    same name, presented so that each issuer's key is among the last tried."""
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(8)]
    ladder = []
    for rung, key in enumerate(keys):
        signer = keys[min(rung + 1, len(keys) - 1)]
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name("Crowd CA"))
            .issuer_name(_name("Crowd CA"))
            .public_key(key.public_key())
            .serial_number(100 + rung)
            .not_valid_before(NOW - timedelta(days=1))
            .not_valid_after(NOW + timedelta(days=30))
        )
        ladder.append(builder.sign(signer, hashes.SHA256()))
    decoys = _self_issued_by_outsider(12)
    presented = [ladder[0], *decoys, *reversed(ladder[1:])]
    with recording_capped_searches() as capped:
        walk = walk_to_anchor(presented, 0, TrustStore([]), in_order=False)
    assert walk.capped
    assert walk.end is End.NO_ISSUER
    assert 1 < len(walk.path) < len(ladder)
    assert walk.path == ladder[: len(walk.path)]  # every step taken was right
    assert capped.certificates == [walk.path[-1]]
    # Uncut, the same walk climbs the whole ladder to its self-signed top.
    whole = walk_to_anchor([*reversed(ladder[1:]), ladder[0]], len(ladder) - 1, TrustStore([]),
                           in_order=False)  # fmt: skip
    assert (whole.end, whole.path, whole.capped) == (End.UNTRUSTED_ROOT, ladder, False)
