"""One parsed object per distinct certificate within a unit of work (an audit).

A gateway holds the same certificates many times (an issuing CA in every
listener bundle, a root checked and then described). Inside
``sharing_parsed_certificates`` equal certificates are the same object, so
what cryptography materialises lazily (names, extensions, the key) is built
once, and each keeps the DER it was read from, so that names can be compared
by their encoding (:func:`encoded_names`). Scoped, not process-wide: a loader
called twice outside the block still parses twice.

A module of its own, light to import: the chain and trust modules ask it for
encoded names without importing the loaders.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from cryptography import x509

from .der import issuer_and_subject

__all__ = [
    "SignatureMemo",
    "encoded_names",
    "pooled",
    "pooled_der_certificate",
    "sharing",
    "sharing_parsed_certificates",
]

_T = TypeVar("_T")
_V = TypeVar("_V")


def _equal(known: object, item: object) -> bool:
    return known is item or known == item


class SignatureMemo(Generic[_T, _V]):
    """Answers about certificates (or pairs of them), found by their signature bytes and
    confirmed by comparing the certificates whole.

    Hashing a certificate walks its parsed structure, while its signature bytes are
    at hand; a signature copied onto another body is another certificate, hence the
    comparison (``same``: identity, else equality). At most ``keep`` entries share
    a signature key: past that (a hostile file copying one signature onto many
    bodies) entries are found by value, so that the work stays linear. With
    ``limit``, everything is forgotten when that many signature keys are held.

    >>> memo: SignatureMemo[x509.Certificate, str] = SignatureMemo()
    >>> memo.get_or_add(cert.signature, cert, lambda: "computed once")
    'computed once'
    """

    __slots__ = ("_by_key", "_by_value", "_keep", "_limit", "_same")

    def __init__(
        self,
        *,
        keep: int = 8,
        limit: int | None = None,
        same: Callable[[_T, _T], bool] = _equal,
    ) -> None:
        self._by_key: dict[Hashable, list[tuple[_T, _V]]] = {}
        self._by_value: dict[_T, _V] = {}
        self._keep, self._limit, self._same = keep, limit, same

    def get_or_add(self, key: Hashable, item: _T, compute: Callable[[], _V]) -> _V:
        """The value remembered for ``item`` (found under ``key``), else ``compute()``'s, kept."""
        entries = self._by_key.get(key)
        if entries is None:
            if self._limit is not None and len(self) >= self._limit:
                self.clear()
            entries = self._by_key[key] = []
        for known, value in entries:
            if known is item or self._same(known, item):  # the same object: no call
                return value
        if len(entries) < self._keep:
            value = compute()
            entries.append((item, value))
            return value
        if item not in self._by_value:
            if self._limit is not None and len(self) >= self._limit:
                self.clear()
            self._by_value[item] = compute()
        return self._by_value[item]

    def setdefault(self, key: Hashable, item: _T, value: _V) -> _V:
        """The value remembered for ``item`` (found under ``key``), else ``value``, kept."""
        return self.get_or_add(key, item, lambda: value)

    def clear(self) -> None:
        """Forget everything."""
        self._by_key.clear()
        self._by_value.clear()

    def __len__(self) -> int:
        """How many signature keys and crowded values are held."""
        return len(self._by_key) + len(self._by_value)


class _Pool:
    """One object per distinct certificate: looked up by the DER read, or by value
    through a :class:`SignatureMemo` (a certificate's signature is at hand, where
    hashing or serialising it would be work)."""

    __slots__ = ("by_der", "encodings", "names", "same")

    def __init__(self) -> None:
        self.by_der: dict[bytes, x509.Certificate] = {}
        self.same: SignatureMemo[x509.Certificate, x509.Certificate] = SignatureMemo()
        # The DER each certificate was read from, by the object's id (the pool
        # keeps the objects alive, so an id stays theirs while the pool lives).
        self.encodings: dict[int, bytes] = {}
        self.names: dict[int, tuple[bytes, bytes] | None] = {}  # encoded_names' answers

    def from_der(self, der: bytes) -> x509.Certificate:
        cert = self.by_der.get(der)
        if cert is None:
            cert = self.by_der[der] = self.adopt(x509.load_der_x509_certificate(der))
            self.encodings.setdefault(id(cert), der)
        return cert

    def adopt(self, cert: x509.Certificate) -> x509.Certificate:
        return self.same.setdefault(cert.signature, cert, cert)


_SHARED: ContextVar[_Pool | None] = ContextVar("appgw_certs_shared_certificates", default=None)


@contextmanager
def sharing_parsed_certificates() -> Iterator[None]:
    """Within the block, loaders return one object per distinct certificate.

    >>> with sharing_parsed_certificates():
    ...     parse_certificates(der)[0] is parse_certificates(der)[0]
    True
    """
    token = _SHARED.set(_Pool())
    try:
        yield
    finally:
        _SHARED.reset(token)


def sharing() -> bool:
    """Whether this runs inside ``sharing_parsed_certificates``."""
    return _SHARED.get() is not None


def pooled_der_certificate(der: bytes) -> x509.Certificate:
    """``x509.load_der_x509_certificate``, shared inside ``sharing_parsed_certificates``."""
    pool = _SHARED.get()
    return x509.load_der_x509_certificate(der) if pool is None else pool.from_der(der)


def encoded_names(cert: x509.Certificate) -> tuple[bytes, bytes] | None:
    """The issuer and subject of ``cert`` as encoded, when it was read from DER or PEM
    inside ``sharing_parsed_certificates``; else ``None``.

    Equal encodings are equal names without building either (cryptography builds a
    name's Python objects on first read). Unequal encodings may still be equal
    names: compare the parsed names then.

    >>> with sharing_parsed_certificates():
    ...     issuer, subject = encoded_names(parse_certificates(root_der)[0])
    >>> issuer == subject
    True
    """
    pool = _SHARED.get()
    if pool is None:
        return None
    key = id(cert)
    if key in pool.names:
        return pool.names[key]
    der = pool.encodings.get(key)
    found = pool.names[key] = None if der is None else issuer_and_subject(der)
    return found


def pooled(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """``certs``, each replaced by the object already parsed for the same certificate."""
    pool = _SHARED.get()
    return certs if pool is None else [pool.adopt(c) for c in certs]
