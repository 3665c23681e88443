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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cryptography import x509

from .der import issuer_and_subject

__all__ = [
    "encoded_names",
    "pooled",
    "pooled_der_certificate",
    "sharing",
    "sharing_parsed_certificates",
]

_MAX_PER_SIGNATURE = 8


class _Pool:
    """One object per distinct certificate: looked up by the DER read, or among the
    certificates with the same signature bytes, compared whole (a certificate's
    signature is at hand, where hashing or serialising it would be work)."""

    __slots__ = ("by_der", "by_signature", "encodings", "names")

    def __init__(self) -> None:
        self.by_der: dict[bytes, x509.Certificate] = {}
        self.by_signature: dict[bytes, list[x509.Certificate]] = {}
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
        same = self.by_signature.setdefault(cert.signature, [])
        for known in same:  # one, unless someone copied a signature onto other bodies
            if known == cert:
                return known
        if len(same) < _MAX_PER_SIGNATURE:  # copies past that are not shared: no
            same.append(cert)  # quadratic work for a hostile file
        return cert


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
