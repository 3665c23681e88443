"""Chains put in order, and the root at their top: the public face of chain work.

The work is done below: whether one certificate issued another in
:mod:`.links`, who issued whom in a set in :mod:`.issuers` and :mod:`.graph`, walks up to trust
anchors in :mod:`.walk`, the anchors themselves in :mod:`.trust`. This module
puts them together for ``order_chain`` and ``find_root``, and names the chain
functions in one place for the rest of the package (with the bound on the
search for issuers, and how to hear of a search it cut short:
:func:`recording_capped_searches`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cryptography import x509

from .._formats.inputs import checked_optional
from .graph import order_bundle
from .links import (
    authority_key_id,
    fold_value,
    forget_links,
    is_issued_by,
    is_own_issuer,
    is_self_signed,
    issuer_named,
    missing_issuer_text,
    name_key,
    remembering_links_by_identity,
    signed_by_key,
    subject_key_id,
)
from .signatures import SIGNATURE_CHECKS_PER_CERTIFICATE, CappedSearches, recording_capped_searches
from .trust import TrustStore
from .walk import anchored_in, certificates_of, root_of

if TYPE_CHECKING:
    from .._formats.inputs import CertSource

__all__ = [
    "SIGNATURE_CHECKS_PER_CERTIFICATE",
    "CappedSearches",
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
    "recording_capped_searches",
    "remembering_links_by_identity",
    "root_of",
    "signed_by_key",
    "split_leaf",
    "subject_key_id",
]


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
    path, alternatives = order_bundle(certificates_of(certs), _no_preference)
    return path + alternatives


def split_leaf(
    certs: Iterable[x509.Certificate],
) -> tuple[x509.Certificate, list[x509.Certificate]]:
    """The leaf, and the rest in chain order. :class:`ChainError` as :func:`order_chain`.

    >>> leaf, rest = split_leaf(bundle)
    """
    ordered = order_chain(certs)
    return ordered[0], ordered[1:]


def chain_path(
    certs: Iterable[x509.Certificate], store: TrustStore | None = None
) -> list[x509.Certificate]:
    """The leaf-to-top path only (no alternatives), preferring CAs found in ``store``.

    >>> chain_path([root, leaf, intermediate]) == [leaf, intermediate, root]
    True
    """
    prefer = anchored_in(store) if store is not None else _no_preference
    path, _ = order_bundle(certificates_of(certs), prefer)
    return path


def find_root(source: CertSource, *, store: TrustStore | None = None) -> x509.Certificate:
    """The root CA at the top of the chain in ``source``.

    When the chain stops at an intermediate, its issuer is looked up in
    ``store`` (default: Mozilla's roots via certifi), matched by name and key
    identifier and confirmed by signature. A self-signed leaf is its own root.
    Raises :class:`ChainError` naming the missing issuer when there is none.

    >>> find_root(pathlib.Path("backend-chain.pem")).subject.rfc4514_string()
    'CN=Contoso Root'
    """
    store = checked_optional(store, TrustStore, "store")
    store = store if store is not None else TrustStore.certifi()
    return root_of(chain_path(certificates_of(source), store), store)
