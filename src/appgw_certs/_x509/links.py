"""Who issued whom: whether one certificate issued another, and whether one is a root.

A link ``child -> parent`` holds when the child's issuer name is the parent's
subject (compared as RFC 5280 says: case- and space-insensitive), the child's
authority key identifier agrees with the parent's subject key identifier when
both are present, and the child's signature verifies with the parent's key.
Signatures are checked by hand (:func:`signed_by_key`, in :mod:`.signatures`)
rather than with ``verify_directly_issued_by`` because old roots (MD5, SHA-1)
must still be recognised as self-signed, and that method refuses them.

Answers never change, so they are remembered: links in one bounded memo found by
the certificates' signature bytes (:class:`SignatureMemo`), and inside
:func:`audit_scope`, where equal certificates are one object, by identity.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from cryptography import x509

from .._errors import tolerating_deprecated_encodings
from .._formats.compat import public_key_of
from .._formats.der import compare_encoded_names
from .._formats.sharing import SignatureMemo, encoded_names, sharing_parsed_certificates
from .names import extension_value, name_attributes, name_text
from .signatures import forget_key_checks, signed_by_key

__all__ = [
    "NameKey",
    "audit_scope",
    "authority_key_id",
    "encoded_name_key",
    "fold_value",
    "forget_links",
    "is_issued_by",
    "is_own_issuer",
    "is_self_issued",
    "is_self_signed",
    "issuer_key",
    "issuer_named",
    "missing_issuer_text",
    "name_key",
    "remembering_links_by_identity",
    "signed_by_key",
    "subject_key",
    "subject_key_id",
]

NameKey = Hashable
_Pair = tuple[x509.Certificate, x509.Certificate]


# -- names and key identifiers -------------------------------------------------


def name_key(name: x509.Name) -> NameKey:
    """A key under which equal names (RFC 5280 7.1: case and spaces aside) collide.

    >>> name_key(cert.issuer) == name_key(issuer.subject)
    True
    """
    try:
        return _folded([[(a.oid.dotted_string, a.value) for a in rdn] for rdn in name.rdns])
    except Exception:
        return name_text(name)


def encoded_name_key(name: bytes) -> NameKey | None:
    """:func:`name_key` of an encoded name, read from its DER without building the name;
    ``None`` when the DER alone cannot tell (other string types: parse the name).

    >>> encoded_name_key(issuer_and_subject(der)[1]) == name_key(cert.subject)
    True
    """
    attributes = name_attributes(name)
    return None if attributes is None else _folded(attributes)


def _folded(rdns: Iterable[Sequence[tuple[str, str | bytes]]]) -> NameKey:
    """Each RDN's (OID, folded value) pairs, sorted: attributes of an RDN have no order."""
    return tuple(
        ((rdn[0][0], fold_value(rdn[0][1])),)  # the usual RDN, of one attribute
        if len(rdn) == 1
        else tuple(sorted((oid, fold_value(value)) for oid, value in rdn))
        for rdn in rdns
    )


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


def issuer_key(cert: x509.Certificate) -> NameKey | None:
    """:func:`name_key` of the issuer, ``None`` when it cannot be read."""
    try:
        return name_key(cert.issuer)
    except Exception:
        return None


def subject_key(cert: x509.Certificate) -> NameKey | None:
    """:func:`name_key` of the subject, ``None`` when it cannot be read."""
    try:
        return name_key(cert.subject)
    except Exception:
        return None


# -- links -------------------------------------------------------------------


def _key_ids_agree(child: x509.Certificate, parent: x509.Certificate) -> bool:
    aki = authority_key_id(child)
    ski = subject_key_id(parent)
    return aki is None or ski is None or aki == ski


def _same_pair(known: _Pair, asked: _Pair) -> bool:
    known_child, known_parent = known
    child, parent = asked
    if not (known_child is child or known_child == child):
        return False
    if known_parent is known_child and parent is child:  # a question about one certificate
        return True
    return known_parent is parent or known_parent == parent


# Answers never change, so is_issued_by's are remembered, under both
# certificates' signatures, in one bounded memo.
_LINKS: SignatureMemo[_Pair, bool] = SignatureMemo(keep=8, limit=65_536, same=_same_pair)
# Inside remembering_links_by_identity(), link and own-issuer answers by the
# objects' ids, asked first: one object per certificate there, asked about again
# and again, and an id needs no signature read. An entry keeps its objects alive,
# so an id cannot be reused while the scope lasts; the scope's end frees them all.
_BY_IDENTITY: ContextVar[dict[tuple[int, ...], tuple[_Pair, bool]] | None] = ContextVar(
    "appgw_certs_answers_by_identity", default=None
)


def _by_identity(
    ids: tuple[int, ...], pair: _Pair, answer: Callable[[x509.Certificate, x509.Certificate], bool]
) -> bool:
    """``answer(*pair)``, remembered under ``ids`` inside the identity scope."""
    scoped = _BY_IDENTITY.get()
    if scoped is None:
        return answer(*pair)
    entry = scoped.get(ids)
    if entry is None or entry[0][0] is not pair[0] or entry[0][1] is not pair[1]:
        entry = scoped[ids] = (pair, answer(*pair))
    return entry[1]


def is_issued_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``parent`` issued ``child``: names, key identifiers and signature agree.

    Never raises; answers are remembered, so asking again is a look-up.

    >>> is_issued_by(leaf, intermediate)
    True
    """
    return _by_identity((id(child), id(parent)), (child, parent), _remembered_link)


def _remembered_link(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        key = (child.signature, parent.signature)
    except Exception:  # nothing to look up by: just check
        return _links(child, parent)
    return _LINKS.get_or_add(key, (child, parent), lambda: _links(child, parent))


def forget_links() -> None:
    """Drop the remembered answers, links and key checks (for benchmarks of cold work).

    >>> forget_links()
    """
    _LINKS.clear()
    forget_key_checks()


@contextmanager
def remembering_links_by_identity() -> Iterator[None]:
    """Inside, :func:`is_issued_by` and :func:`is_own_issuer` answer again for the same
    objects without reading their signatures (part of :func:`audit_scope`).

    >>> with remembering_links_by_identity():
    ...     is_issued_by(leaf, intermediate)
    True
    """
    token = _BY_IDENTITY.set({})
    try:
        yield
    finally:
        _BY_IDENTITY.reset(token)


@contextmanager
def audit_scope() -> Iterator[None]:
    """The one scope of a unit of work over many certificates (an audit): loaders return
    one object per distinct certificate, keeping its DER (names then compare by
    their encoding); link answers are remembered by identity; cryptography's
    warnings about encodings it still reads are silenced once for the whole block.

    >>> with audit_scope():
    ...     report = _audit(document)
    """
    with (
        sharing_parsed_certificates(),
        remembering_links_by_identity(),
        tolerating_deprecated_encodings(),
    ):
        yield


def issuer_named(child: x509.Certificate, parent: x509.Certificate) -> bool:
    """Whether ``child`` names ``parent``'s subject as its issuer, as parsed names
    compare (exactly); raises what reading a name raises.

    Inside :func:`audit_scope` the DER usually answers without building either
    name (:func:`compare_encoded_names`).

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
    issuer = issuer_key(child)
    return issuer is not None and issuer == subject_key(parent)


def _links(child: x509.Certificate, parent: x509.Certificate) -> bool:
    if not _names_match(child, parent):
        return False
    if not _key_ids_agree(child, parent):
        return False
    try:
        public_key = public_key_of(parent)
    except Exception:
        return False
    return signed_by_key(child, public_key)


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether ``cert`` names itself as issuer and its signature verifies with its own key.

    >>> is_self_signed(root), is_self_signed(leaf)
    (True, False)
    """
    return is_issued_by(cert, cert)


def is_self_issued(cert: x509.Certificate) -> bool:
    """Whether ``cert``'s issuer and subject are the same name (RFC 5280 7.1), whatever
    signed it; ``False`` when a name cannot be read.

    >>> is_self_issued(root), is_self_issued(leaf)
    (True, False)
    """
    subject = subject_key(cert)
    return subject is not None and subject == issuer_key(cert)


def is_own_issuer(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is a root as a trust store sees one: it names itself as issuer,
    and its key identifiers, when it has both, are the same; without both, its
    signature decides. Its own signature is not checked otherwise, as path
    validation does not check a trust anchor's (docs/checking.md).

    >>> is_own_issuer(root), is_own_issuer(intermediate)
    (True, False)
    """
    # Remembered inside an audit only: the one costly part, the signature when the
    # identifiers do not settle it, is remembered as a link.
    return _by_identity((id(cert),), (cert, cert), _own_issuer)


def _own_issuer(cert: x509.Certificate, _itself: x509.Certificate) -> bool:
    """is_own_issuer's answer (asked as of a pair, as the identity memo asks)."""
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
