"""Trust stores, and whether a chain ends in a well-known CA.

Azure does not publish the list of CAs Application Gateway calls "well known"
("Use well known CA certificate" on a v2 backend setting). This module uses
Mozilla's root store, as shipped by certifi, as an approximation: a chain that
ends there very likely passes, one that does not may still pass on Azure.
"""

from __future__ import annotations

import _thread
import operator
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar, TypeVar

from cryptography import x509

from .._errors import ChainError, tolerating_deprecated_encodings
from .._formats.compat import public_key_of
from .._formats.der import issuer_and_subject, last_attribute_text
from .._formats.inputs import checked_certificates, checked_instance, checked_optional
from .._formats.pem import certificate_ders
from .._formats.sharing import SignatureMemo, encoded_names
from .graph import order_bundle
from .issuers import SMALL_SET
from .links import (
    NameKey,
    authority_key_id,
    encoded_name_key,
    fold_value,
    is_issued_by,
    is_own_issuer,
    is_self_signed,
    name_key,
    subject_key_id,
)
from .signatures import first_verifying_key, key_der
from .walk import anchored_in, certificates_of, root_of

if TYPE_CHECKING:
    from .._formats.inputs import CertSource

__all__ = [
    "APPROXIMATION_NOTE",
    "TrustStore",
    "forget_anchors",
    "is_well_known",
    "roots_from_pem",
    "well_known_root",
]

#: Say this wherever a result rests on the well-known store.
APPROXIMATION_NOTE = (
    "Azure does not publish its list of well-known CAs; "
    "this is an approximation using Mozilla's root store (certifi)"
)

_MAX_CACHED = 4096
_K = TypeVar("_K")
_V = TypeVar("_V")
# (certificate, the DER of its subject when known)
_Anchor = tuple[x509.Certificate, bytes | None]


class TrustStore:
    """A set of trust anchors, indexed by subject name (RFC 5280 comparison).

    ``TrustStore.certifi()`` is Mozilla's root store as certifi ships it.
    Azure does not publish its list of well-known CAs, so that store is an
    approximation of what Application Gateway trusts.

    >>> store = TrustStore([my_root])
    >>> store.find_issuer(intermediate) == my_root
    True
    """

    _certifi: ClassVar[TrustStore | None] = None
    # _thread's lock, not threading's: importing threading is a visible part of the
    # first store's cost in a fresh process, and this lock is all it would give.
    _certifi_lock: ClassVar[_thread.LockType] = _thread.allocate_lock()

    def __init__(self, certificates: Iterable[x509.Certificate]) -> None:
        certificates = checked_certificates(certificates, "certificates")
        unique = dict.fromkeys(certificates)
        self._build([(cert, _encoded_subject(cert)) for cert in unique])

    @classmethod
    def _of_der(cls, ders: Iterable[bytes]) -> TrustStore:
        """A store of the certificates cryptography accepts among ``ders``, indexed from
        their DER (no name is built: the first certifi store comes within a small
        factor of parsing its file)."""
        store = cls.__new__(cls)
        store._build(_parsed(dict.fromkeys(ders)))
        return store

    def _build(self, anchors: list[_Anchor]) -> None:
        self._certificates = [cert for cert, _ in anchors]
        self._by_subject: dict[NameKey, list[x509.Certificate]] = {}
        # Every folded attribute value of the anchors' subjects: a name with a value
        # outside it names no anchor, which one value's check settles (folding a
        # whole name costs more). None when a name is unfoldable.
        self._subject_values: set[str | bytes] | None = set()
        for cert, subject in anchors:
            key = _subject_key(cert, subject)
            if key is not None:  # an anchor whose name cannot be read issues nothing
                self._by_subject.setdefault(key, []).append(cert)
                self._learn_values(key)
        # Answers cannot change (the store is immutable); bounded memos.
        self._key_ids: dict[int, bytes | None] = {}  # by anchor id: identifiers, keys' DER
        self._keys: dict[int, bytes | None] = {}
        self._anchors: SignatureMemo[x509.Certificate, x509.Certificate | None] = SignatureMemo(
            limit=_MAX_CACHED
        )
        self._roots: dict[
            tuple[int, ...], tuple[tuple[x509.Certificate, ...], x509.Certificate | None]
        ] = {}

    def _learn_values(self, key: NameKey) -> None:
        if self._subject_values is None:
            return
        if not isinstance(key, tuple):  # name_key fell back to the text: no values to learn
            self._subject_values = None
            return
        self._subject_values.update(value for rdn in key for _, value in rdn)

    @classmethod
    def certifi(cls) -> TrustStore:
        """Mozilla's root store from certifi; built on first use, then shared.

        An approximation: Azure does not publish its list of well-known CAs.
        Roots that the installed cryptography refuses are skipped, and loading
        emits no warnings (six roots, HARICA 2015 among them, have serial
        number 0, which cryptography accepts with a deprecation warning).

        >>> len(TrustStore.certifi()) > 100
        True
        """
        store = cls._certifi
        if store is None:
            with cls._certifi_lock:
                if cls._certifi is None:
                    cls._certifi = cls._of_der(certificate_ders(_certifi_bundle()))
                store = cls._certifi
        return store

    def _forget(self) -> None:
        self._anchors.clear()
        self._roots.clear()

    def find_issuer(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The store's certificate that issued ``cert`` (signature-checked), else ``None``.

        Candidates are the anchors named as ``cert``'s issuer; with an authority
        key identifier, those with that subject key identifier first, then those
        without any (a missing identifier cannot disagree). Each is confirmed by
        signature.

        >>> TrustStore.certifi().find_issuer(lets_encrypt_r3).subject.rfc4514_string()
        'CN=ISRG Root X1,O=Internet Security Research Group,C=US'
        """
        checked_instance(cert, x509.Certificate, "cert")
        candidates = self._candidates(cert)
        if len(candidates) > SMALL_SET:  # many share the name: each distinct key checked once
            holders = [(self._key(anchor), anchor) for anchor in candidates if anchor is not cert]
            key, _ = first_verifying_key(cert, holders)
            return next((anchor for der, anchor in holders if key and der == key), None)
        for candidate in candidates:
            if candidate is not cert and is_issued_by(cert, candidate):
                return candidate
        return None

    def _candidates(self, cert: x509.Certificate) -> list[x509.Certificate]:
        named = self._named(cert, issuer=True)
        key_id = authority_key_id(cert) if named else None
        if key_id is None:
            return named
        key_ids = [self._key_id(anchor) for anchor in named]
        return [a for a, k in zip(named, key_ids, strict=True) if k == key_id] + [
            a for a, k in zip(named, key_ids, strict=True) if k is None
        ]

    def _key_id(self, anchor: x509.Certificate) -> bytes | None:
        return _remembered(self._key_ids, anchor, subject_key_id)

    def _key(self, anchor: x509.Certificate) -> bytes | None:
        return _remembered(self._keys, anchor, key_der)

    def _named(self, cert: x509.Certificate, *, issuer: bool) -> list[x509.Certificate]:
        """The anchors whose subject is ``cert``'s issuer (or subject) name; read from
        the DER when an audit kept it, without building the name."""
        try:
            encoded = encoded_names(cert)
            der = None if encoded is None else encoded[0 if issuer else 1]
            if not self._may_name(cert, der, issuer):
                return []
            key = None if der is None else encoded_name_key(der)
            if key is None:
                key = name_key(cert.issuer if issuer else cert.subject)
            return self._by_subject.get(key, [])
        except Exception:
            return []

    def _may_name(self, cert: x509.Certificate, der: bytes | None, issuer: bool) -> bool:
        """Whether an anchor may have that name: its last RDN's first value is one of the
        anchors' (names equal as name_key compares them share every value)."""
        values = self._subject_values
        if values is None:
            return True
        value: str | bytes | None = None if der is None else last_attribute_text(der)
        if value is None:
            rdns = (cert.issuer if issuer else cert.subject).rdns
            if not rdns:
                return True
            value = next(iter(rdns[-1])).value
        return fold_value(value) in values

    def __contains__(self, cert: object) -> bool:
        """Whether a certificate with the same subject and public key is in the store.

        A cross-signed copy of a root counts as the root.

        >>> cross_signed_isrg_root_x1 in TrustStore.certifi()
        True
        """
        return isinstance(cert, x509.Certificate) and self.anchor_for(cert) is not None

    def anchor_for(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The store's certificate with the same subject and public key, else ``None``.

        Self-signed ones first: for a cross-signed copy of a root, the root.

        >>> TrustStore.certifi().anchor_for(cross_signed_isrg_root_x1).issuer
        <Name(CN=ISRG Root X1,O=Internet Security Research Group,C=US)>
        """
        checked_instance(cert, x509.Certificate, "cert")
        return self._anchors.get_or_add(cert.signature, cert, lambda: self._same_anchor(cert))

    def _same_anchor(self, cert: x509.Certificate) -> x509.Certificate | None:
        named = self._named(cert, issuer=False)
        if len(named) > SMALL_SET:  # many share the name: compare keys by their DER
            key = key_der(cert)
            same = [c for c in named if key is not None and self._key(c) == key]
        else:
            same = [c for c in named if _same_key(cert, c)]
        return next((c for c in same if is_self_signed(c)), same[0] if same else None)

    def __len__(self) -> int:
        return len(self._certificates)

    def __iter__(self) -> Iterator[x509.Certificate]:
        return iter(self._certificates)

    def __repr__(self) -> str:
        return f"<TrustStore of {len(self)} certificates>"

    def root_in_store(self, certs: list[x509.Certificate]) -> x509.Certificate | None:
        """The root ``certs`` chain to when the store holds it, else ``None``; remembered.

        >>> TrustStore.certifi().root_in_store([leaf, lets_encrypt_r3])
        <Certificate(subject=<Name(CN=ISRG Root X1,...)>, ...)>
        """
        certs = checked_certificates(certs, "certs")
        # Keyed by the objects' ids, which is safe because the entry keeps
        # the objects alive; equal certificates in new objects just miss.
        key = tuple(map(id, certs))
        cached = self._roots.get(key)
        if cached is None or not all(map(operator.is_, cached[0], certs)):
            cached = (tuple(certs), self._find_root_in_store(certs))
            _remember(self._roots, key, cached)
        return cached[1]

    def _find_root_in_store(self, certs: list[x509.Certificate]) -> x509.Certificate | None:
        if len(certs) == 1 and is_own_issuer(certs[0]):
            root = certs[0]  # a lone root (every trusted-root upload): no chain to build
        else:
            try:
                path, _ = order_bundle(certificates_of(certs), anchored_in(self))
                root = root_of(path, self)
            except ChainError:
                return None
        return root if root in self else None


def _encoded_subject(cert: x509.Certificate) -> bytes | None:
    encoded = encoded_names(cert)
    return None if encoded is None else encoded[1]


def _subject_key(cert: x509.Certificate, subject: bytes | None) -> NameKey | None:
    """The anchor's subject as name_key gives it: from the DER when it tells, else parsed."""
    key = None if subject is None else encoded_name_key(subject)
    if key is not None:
        return key
    try:
        return name_key(cert.subject)
    except Exception:
        return None


def forget_anchors() -> None:
    """Drop what the shared certifi store remembers about certificates it was asked
    about (for benchmarks that time cold work; answers never change).

    >>> forget_anchors()
    """
    store = TrustStore._certifi
    if store is not None:
        store._forget()


def _remembered(memo: dict[int, _V], anchor: x509.Certificate, read: Callable[..., _V]) -> _V:
    """``read(anchor)``, remembered by the anchor's id (the store holds its anchors)."""
    if id(anchor) not in memo:
        memo[id(anchor)] = read(anchor)
    return memo[id(anchor)]


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    if len(memo) >= _MAX_CACHED:
        memo.clear()
    memo[key] = value


def _same_key(a: x509.Certificate, b: x509.Certificate) -> bool:
    try:
        return bool(public_key_of(a) == public_key_of(b))
    except Exception:  # keys cryptography cannot load are never "the same"
        return False


def _certifi_bundle() -> bytes:
    import certifi  # deferred: only the well-known store needs it

    with open(certifi.where(), "rb") as handle:
        return handle.read()


def roots_from_pem(bundle: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle that cryptography accepts, one by one, silently.

    A root the installed cryptography refuses is skipped, not fatal; roots it
    accepts with a deprecation warning (serial number 0: six of certifi's,
    HARICA 2015 among them) are kept without the warning.

    >>> len(roots_from_pem(Path(certifi.where()).read_bytes()))
    117
    """
    return [cert for cert, _ in _parsed(certificate_ders(bundle))]


def _parsed(ders: Iterable[bytes]) -> list[_Anchor]:
    """Each certificate cryptography accepts among ``ders``, with its subject's DER."""
    found = []
    with tolerating_deprecated_encodings():
        for der in ders:
            try:
                cert = x509.load_der_x509_certificate(der)
            except Exception:  # noqa: S112 - one refused root must not lose the others
                continue
            names = issuer_and_subject(der)
            found.append((cert, None if names is None else names[1]))
    return found


def well_known_root(
    source: CertSource, *, store: TrustStore | None = None
) -> x509.Certificate | None:
    """The well-known root the chain in ``source`` ends in, else ``None``.

    Well known means in ``store`` (default: Mozilla's root store via certifi).
    Azure does not publish its list of well-known CAs, so with the default
    store this is an approximation. A chain that cannot be completed is not
    well known: ``None``, not an error.

    >>> well_known_root(pathlib.Path("fullchain.pem")).subject.rfc4514_string()
    'CN=ISRG Root X1,O=Internet Security Research Group,C=US'
    """
    store = checked_optional(store, TrustStore, "store")
    store = store if store is not None else TrustStore.certifi()
    return store.root_in_store(certificates_of(source))


def is_well_known(source: CertSource, *, store: TrustStore | None = None) -> bool:
    """Whether the chain in ``source`` ends in a root of ``store`` (default: certifi).

    An approximation with the default store: Azure does not publish its list of
    well-known CAs; Mozilla's root store stands in for it.

    >>> is_well_known(pathlib.Path("fullchain.pem"))
    True
    """
    return well_known_root(source, store=store) is not None
