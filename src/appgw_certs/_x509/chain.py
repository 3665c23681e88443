"""Who issued whom: links between certificates, and chains put in order.

A link ``child -> parent`` holds when the child's issuer name is the parent's
subject (compared as RFC 5280 says: case- and space-insensitive), the child's
authority key identifier agrees with the parent's subject key identifier when
both are present, and the child's signature verifies with the parent's key.
Signatures are checked by hand with ``public_key().verify`` rather than with
``verify_directly_issued_by`` because old roots (MD5, SHA-1) must still be
recognised as self-signed, and that method refuses them.

Bundles are ordered without quadratic work: candidates for a certificate's
issuer are looked up by name in an index, and each signature check is
remembered, so a shuffled bundle of 1,000 certificates orders in a fraction
of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, TypeAlias

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from .._errors import ChainError, translate_errors
from .._formats.der import compare_encoded_names
from .._formats.inputs import checked_optional
from .._formats.sharing import encoded_names
from .names import extension_value, name_text, subject_text

if TYPE_CHECKING:
    from .._formats.inputs import CertSource
    from .trust import TrustStore

__all__ = [
    "authority_key_id",
    "certificates_of",
    "chain_path",
    "find_root",
    "fold_value",
    "forget_links",
    "is_issued_by",
    "is_own_issuer",
    "is_self_signed",
    "issuer_named",
    "missing_issuer_text",
    "name_key",
    "order_chain",
    "remembering_links_by_identity",
    "root_of",
    "signed_by_key",
    "split_leaf",
    "subject_key_id",
]

NameKey = Hashable

# Remembered signature checks, found by the two certificates' signature bytes
# and confirmed by comparing the certificates whole (a copied signature on
# another body is another certificate). Hashing a certificate itself walks its
# parsed structure, several microseconds; its signature is at hand. Bounded:
# cleared when full, and a few entries per signature pair at most.
_Link: TypeAlias = tuple[x509.Certificate, x509.Certificate, bool]
_LINKS: dict[tuple[bytes, bytes], list[_Link]] = {}
_MAX_LINKS = 65_536
_MAX_PER_SIGNATURE_PAIR = 8
# Inside remembering_links_by_identity(), the same answers by the objects'
# ids, asked first: confirming a _LINKS entry compares certificates whole
# (microseconds), and an audit asks about the same objects again and again.
# An entry keeps its objects alive, so an id cannot be reused while the
# scope lasts; the scope's end frees them all.
_Recent: TypeAlias = dict[tuple[int, int], tuple[x509.Certificate, x509.Certificate, bool]]
_RECENT: ContextVar[_Recent | None] = ContextVar("appgw_certs_recent_links", default=None)
# is_own_issuer's answers in the same scope (a trusted root is asked three times).
_OWN: ContextVar[dict[int, tuple[x509.Certificate, bool]] | None] = ContextVar(
    "appgw_certs_own_issuers", default=None
)


# -- names and key identifiers -------------------------------------------------


def name_key(name: x509.Name) -> NameKey:
    """A key under which equal names (RFC 5280 7.1: case and spaces aside) collide.

    >>> name_key(cert.issuer) == name_key(issuer.subject)
    True
    """
    try:
        return tuple(
            tuple(sorted((a.oid.dotted_string, fold_value(a.value)) for a in rdn))
            for rdn in name.rdns
        )
    except Exception:
        return name_text(name)


def fold_value(value: str | bytes) -> str | bytes:
    """An attribute value as :func:`name_key` compares it (RFC 5280 7.1: case and
    runs of spaces aside; bytes as they are).

    >>> fold_value("Contoso   Root CA ")
    'contoso root ca'
    """
    if isinstance(value, bytes):
        return value
    return " ".join(value.split()).casefold()


def subject_key_id(cert: x509.Certificate) -> bytes | None:
    """The subject key identifier, ``None`` when absent or unreadable.

    >>> subject_key_id(root).hex()
    '4f2a...'
    """
    ski = extension_value(cert, x509.SubjectKeyIdentifier)
    return ski.digest if ski is not None else None


def authority_key_id(cert: x509.Certificate) -> bytes | None:
    """The authority key identifier's keyIdentifier, ``None`` when absent or unreadable.

    >>> authority_key_id(leaf) == subject_key_id(intermediate)
    True
    """
    aki = extension_value(cert, x509.AuthorityKeyIdentifier)
    return aki.key_identifier if aki is not None else None


def _issuer_key(cert: x509.Certificate) -> NameKey | None:
    try:
        return name_key(cert.issuer)
    except Exception:
        return None


def _subject_key(cert: x509.Certificate) -> NameKey | None:
    try:
        return name_key(cert.subject)
    except Exception:
        return None


# -- links -------------------------------------------------------------------


def signed_by_key(cert: x509.Certificate, public_key: object) -> bool:
    """Whether ``cert``'s signature verifies with ``public_key``; never raises.

    Works for MD5 and SHA-1 signatures too (which ``verify_directly_issued_by``
    refuses), so that old roots are still recognised.

    >>> signed_by_key(root, root.public_key())
    True
    """
    try:
        signature = cert.signature
        tbs = cert.tbs_certificate_bytes
        if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            public_key.verify(signature, tbs)
            return True
        algorithm = cert.signature_hash_algorithm
        if algorithm is None:
            return False
        if isinstance(public_key, rsa.RSAPublicKey):
            params = cert.signature_algorithm_parameters
            pad = params if isinstance(params, padding.PSS) else padding.PKCS1v15()
            public_key.verify(signature, tbs, pad, algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, tbs, ec.ECDSA(algorithm))
        elif isinstance(public_key, dsa.DSAPublicKey):
            public_key.verify(signature, tbs, algorithm)
        else:
            return False
    except Exception:
        # InvalidSignature, UnsupportedAlgorithm (MD2, GOST), unreadable keys.
        return False
    return True


def _key_ids_agree(child: x509.Certificate, parent: x509.Certificate) -> bool:
    aki = authority_key_id(child)
    ski = subject_key_id(parent)
    return aki is None or ski is None or aki == ski


def is_issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent`` issued ``child``: names, key identifiers and signature agree.

    Never raises; results are remembered, so asking again is a dictionary look-up.

    >>> is_issued_by(leaf, intermediate)
    True
    """
    recent = _RECENT.get()
    if recent is None:
        return _remembered_link(child, parent)
    ids = (id(child), id(parent))
    entry = recent.get(ids)
    if entry is None or entry[0] is not child or entry[1] is not parent:
        entry = recent[ids] = (child, parent, _remembered_link(child, parent))
    return entry[2]


def _remembered_link(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        key = (child.signature, parent.signature)
    except Exception:  # nothing to look up by: just check
        return _links(child, parent)
    for link in _LINKS.get(key, ()):
        if _same_pair(link, child, parent):
            return link[2]
    verdict = _links(child, parent)
    if len(_LINKS) >= _MAX_LINKS:
        _LINKS.clear()
    entries = _LINKS.setdefault(key, [])
    if len(entries) < _MAX_PER_SIGNATURE_PAIR:
        entries.append((child, parent, verdict))
    return verdict


def _same_pair(link: _Link, child: x509.Certificate, parent: x509.Certificate) -> bool:
    known_child, known_parent, _ = link
    if not (known_child is child or known_child == child):
        return False
    if known_parent is known_child and parent is child:  # a self-signature question
        return True
    return known_parent is parent or known_parent == parent


@contextmanager
def remembering_links_by_identity() -> Iterator[None]:
    """Inside, :func:`is_issued_by` answers again for the same objects without hashing
    them (an audit's scope, where each distinct certificate is one object).

    >>> with remembering_links_by_identity():
    ...     is_issued_by(leaf, intermediate)
    True
    """
    token, own = _RECENT.set({}), _OWN.set({})
    try:
        yield
    finally:
        _OWN.reset(own)
        _RECENT.reset(token)


def forget_links() -> None:
    """Drop the remembered signature checks (for benchmarks that time cold work).

    >>> forget_links()
    """
    _LINKS.clear()


def issuer_named(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``child`` names ``parent``'s subject as its issuer, as parsed names
    compare (exactly); raises what reading a name raises.

    Inside ``sharing_parsed_certificates`` the DER usually answers without
    building either name (:func:`compare_encoded_names`).

    >>> issuer_named(leaf, intermediate), issuer_named(leaf, leaf)
    (True, False)
    """
    encoded_child, encoded_parent = encoded_names(child), encoded_names(parent)
    if encoded_child is not None and encoded_parent is not None:
        same = compare_encoded_names(encoded_child[0], encoded_parent[1])
        if same is not None:
            return same
    return bool(child.issuer == parent.subject)


def _names_match(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        if issuer_named(child, parent):  # the usual case, and cheap
            return True
    except Exception:
        return False
    # Names that differ as parsed may still match once folded (RFC 5280: case
    # and spaces). Differing key identifiers settle most such pairs first (a
    # leaf asked whether it is self-signed), without folding any name.
    if not _key_ids_agree(child, parent):
        return False
    issuer = _issuer_key(child)
    return issuer is not None and issuer == _subject_key(parent)


def _links(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if not _names_match(child, parent):
        return False
    if not _key_ids_agree(child, parent):
        return False
    try:
        public_key = parent.public_key()
    except Exception:
        return False
    return signed_by_key(child, public_key)


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether ``cert`` names itself as issuer and its signature verifies with its own key.

    >>> is_self_signed(root), is_self_signed(leaf)
    (True, False)
    """
    return is_issued_by(cert, cert)


def is_own_issuer(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is a root as a trust store sees one: it names itself as issuer,
    and its key identifiers, when it has both, are the same. Without both, its
    signature decides (:func:`is_self_signed`).

    Path validation takes a trust anchor as given and does not check its own
    signature (RFC 5280 6.1; OpenSSL without ``X509_V_FLAG_CHECK_SS_SIGNATURE``),
    so "is this upload a root?" needs none when the key identifiers settle it:
    this differs from :func:`is_self_signed` only for a certificate whose
    identifiers say "self-signed" and whose signature does not verify.

    Key identifiers that differ settle "no" before any name is read. Inside
    ``sharing_parsed_certificates`` an issuer and subject with the same DER are
    the same name without being parsed (even where cryptography could not parse
    them; such a certificate without both identifiers is still settled by its
    signature, which needs its names).

    >>> is_own_issuer(root), is_own_issuer(intermediate)
    (True, False)
    """
    known = _OWN.get()
    if known is None:
        return _own_issuer(cert)
    entry = known.get(id(cert))
    if entry is None or entry[0] is not cert:
        entry = known[id(cert)] = (cert, _own_issuer(cert))
    return entry[1]


def _own_issuer(cert: x509.Certificate) -> bool:
    aki, ski = authority_key_id(cert), subject_key_id(cert)
    both = aki is not None and ski is not None
    if both and aki != ski:
        return False  # settled without reading a name (a leaf or an intermediate)
    if not _names_match(cert, cert):  # the same DER is the same name, neither built
        return False
    return both or is_self_signed(cert)


def missing_issuer_text(cert: x509.Certificate) -> str:
    """Describe the issuer a certificate needs: its name and key identifier.

    >>> missing_issuer_text(intermediate)
    "'CN=Contoso Root' (key identifier 4F2A...)"
    """
    try:
        issuer = name_text(cert.issuer)
    except Exception:
        issuer = "<unreadable issuer>"
    aki = authority_key_id(cert)
    key_id = f"key identifier {aki.hex(':').upper()}" if aki else "no authority key identifier"
    return f"{issuer!r} ({key_id})"


# -- ordering ------------------------------------------------------------------


def _unique(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    # dict keeps the first occurrence and the input order; certificates
    # compare by DER, so byte-identical duplicates collapse.
    return list(dict.fromkeys(certs))


class _Graph:
    """Issuer links among a bundle's certificates, found through a name index.

    Nodes are positions in ``certs`` (cheaper to hash than certificates).
    """

    def __init__(self, certs: Sequence[x509.Certificate]) -> None:
        self.certs = certs
        by_subject: dict[NameKey, list[int]] = {}
        for node, cert in enumerate(certs):
            key = _subject_key(cert)
            if key is not None:
                by_subject.setdefault(key, []).append(node)
        self.parents: list[list[int]] = [[] for _ in certs]
        self.children: list[list[int]] = [[] for _ in certs]
        for node, cert in enumerate(certs):
            key = _issuer_key(cert)
            for parent in by_subject.get(key, []) if key is not None else []:
                if parent != node and is_issued_by(cert, certs[parent]):
                    self.parents[node].append(parent)
                    self.children[parent].append(node)

    def leaves(self) -> list[int]:
        return [node for node, children in enumerate(self.children) if not children]

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
            todo.extend(self.parents[node])
        return False

    def connected(self, start: int) -> set[int]:
        seen = {start}
        todo = [start]
        while todo:
            node = todo.pop()
            for other in (*self.parents[node], *self.children[node]):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen


Preference = Callable[[x509.Certificate], bool]


def _path(graph: _Graph, leaf: int, prefer: Preference) -> list[int]:
    path = [leaf]
    on_path = {leaf}
    node = leaf
    while not is_self_signed(graph.certs[node]):
        parents = [p for p in graph.parents[node] if p not in on_path]
        if not parents:
            break
        if len(parents) > 1:
            # Cross-signed CAs give several valid issuers: take one whose way
            # up reaches a preferred CA (the trust store's), else a
            # self-signed root; among equals, the first given.
            parents.sort(
                key=lambda p: (
                    graph.reaches(p, prefer, on_path),
                    graph.reaches(p, is_self_signed, on_path),
                ),
                reverse=True,
            )
        node = parents[0]
        path.append(node)
        on_path.add(node)
    return path


def _subjects(certs: Iterable[x509.Certificate]) -> str:
    return "; ".join(repr(subject_text(c)) for c in certs)


def _leaf_of(graph: _Graph) -> int:
    leaves = graph.leaves()
    if not leaves:
        raise ChainError(
            "no leaf certificate: every certificate issued another one (a loop of "
            "cross-signed CAs?); give the server's own certificate too"
        )
    if len(leaves) > 1:
        names = _subjects(graph.certs[node] for node in leaves)
        raise ChainError(
            f"the certificates form {len(leaves)} unrelated chains, with leaves {names}; "
            "give one chain (leaf, intermediates, root) per file"
        )
    return leaves[0]


def _ordered(
    certs: Iterable[x509.Certificate], prefer: Preference
) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """The leaf-to-top path, and the certificates of the same chain off it."""
    unique = _unique(certificates_of(certs))  # anything else: CertificateFormatError
    if not unique:
        raise ChainError("no certificates given: nothing to order")
    if len(unique) == 1:  # a lone certificate is its own path (most uploads: no index needed)
        return unique, []
    graph = _Graph(unique)
    leaf = _leaf_of(graph)
    path = _path(graph, leaf, prefer)
    linked = graph.connected(leaf)
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


def _no_preference(cert: x509.Certificate) -> bool:
    return False


def order_chain(certs: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """Certificates in chain order: the leaf first, then each one's issuer.

    The leaf is the certificate that issued none of the others. Duplicates are
    dropped. With cross-signed CAs the path takes the issuer whose way up
    reaches a self-signed root; the other copies follow at the end. Raises
    :class:`ChainError` when the certificates do not form one chain (two
    leaves, a stray certificate).

    >>> [c.subject.rfc4514_string() for c in order_chain([root, leaf, intermediate])]
    ['CN=www.contoso.com', 'CN=Contoso Issuing CA', 'CN=Contoso Root']
    """
    path, alternatives = _ordered(certs, _no_preference)
    return path + alternatives


def split_leaf(
    certs: Iterable[x509.Certificate],
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The leaf, and the rest in chain order. :class:`ChainError` as :func:`order_chain`.

    >>> leaf, rest = split_leaf(bundle)
    """
    ordered = order_chain(certs)
    return ordered[0], ordered[1:]


def _anchored_in(store: TrustStore) -> Preference:
    def anchored(cert: x509.Certificate) -> bool:
        return cert in store or store.find_issuer(cert) is not None

    return anchored


def chain_path(
    certs: Iterable[x509.Certificate], store: TrustStore | None = None
) -> list[x509.Certificate]:
    """The leaf-to-top path only (no alternatives), preferring CAs found in ``store``.

    >>> chain_path([root, leaf, intermediate]) == [leaf, intermediate, root]
    True
    """
    path, _ = _ordered(certs, _anchored_in(store) if store is not None else _no_preference)
    return path


# -- roots ---------------------------------------------------------------------


def root_of(path: Sequence[x509.Certificate], store: TrustStore) -> x509.Certificate:
    """The root for a leaf-first ``path``, completed from ``store`` if needed.

    Walks up the path and stops at the first certificate that is self-signed
    or that the store holds (same subject and key; the store's copy is
    returned, so a cross-signed root gives the self-signed one, and a trust
    anchor need not be self-issued). Past the top of the path, the store is
    asked for the issuer (by key identifier and name, signature-checked).
    :class:`ChainError` names the missing issuer.

    >>> root_of([leaf, intermediate], TrustStore([root])) == root
    True
    """
    for cert in path:
        if is_self_signed(cert):
            return cert
        anchor = store.anchor_for(cert)
        if anchor is not None:
            return anchor
    top = path[-1]
    issuer = store.find_issuer(top)
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
        return cert.public_key()
    except Exception:
        return None


def find_root(source: CertSource, *, store: TrustStore | None = None) -> x509.Certificate:
    """The root CA at the top of the chain in ``source``.

    When the chain stops at an intermediate, its issuer is looked up in
    ``store`` (default: Mozilla's roots via certifi), matched by name and key
    identifier and confirmed by signature. A self-signed leaf is its own root.
    Raises :class:`ChainError` naming the missing issuer when there is none.

    >>> find_root(pathlib.Path("backend-chain.pem")).subject.rfc4514_string()
    'CN=Contoso Root'
    """
    from .trust import TrustStore

    store = checked_optional(store, TrustStore, "store")
    store = store if store is not None else TrustStore.certifi()
    return root_of(chain_path(certificates_of(source), store), store)


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
    # Imported here: the readers pull in the PFX machinery (pyasn1), which
    # chain and trust-store work on certificate objects never needs.
    from .._formats.bundle import load_certificates

    with translate_errors("the certificates"):
        return load_certificates(source)
