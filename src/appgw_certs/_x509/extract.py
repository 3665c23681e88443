"""What each SKU wants from a backend's certificates, in one call.

A v1 gateway (Standard, WAF) allow-lists the backend's own leaf certificate
("authentication certificate"); a v2 gateway (Standard_v2, WAF_v2) trusts the
root CA of the backend's chain ("trusted root certificate"), or nothing at all
when that root is a well-known CA and "Use well known CA certificate" is on.
Each function takes whatever people have: the backend's PFX (with its
password), a PEM or PKCS#7 bundle in any order, DER, or certificate objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import ChainError, translate_errors
from .._formats.bundle import Bundle, load_bundle
from .._formats.compat import public_key_of
from .._formats.convert import to_cer
from .._formats.inputs import checked_optional
from .._formats.keys import key_matches
from .chain import chain_path, split_leaf
from .graph import distinct, graph_of
from .links import is_own_issuer, is_self_signed
from .names import is_ca
from .trust import TrustStore
from .walk import certificates_of, root_of

if TYPE_CHECKING:
    from .._formats.inputs import CertSource, Password

__all__ = [
    "client_ca_file",
    "extract_authentication_cert",
    "extract_public_key",
    "extract_trusted_root",
]


def _bundle(source: CertSource, password: Password) -> Bundle:
    bundle = load_bundle(source, password)
    if not bundle.certificates:
        raise ChainError("no certificate in the input: nothing to extract")
    return bundle


def _leaf(source: CertSource, password: Password) -> x509.Certificate:
    bundle = _bundle(source, password)
    if bundle.private_key is not None:
        # A PFX (or PEM with a key) says which certificate is the server's.
        for cert in bundle.certificates:
            if key_matches(bundle.private_key, cert):
                return cert
    leaf, _ = split_leaf(bundle.certificates)
    return leaf


def extract_authentication_cert(
    source: CertSource,
    password: Password = None,
    *,
    encoding: Literal["base64", "der"] = "base64",
) -> bytes:
    """The backend's leaf certificate, public part only: a v1 authentication certificate.

    The leaf is the certificate that matches the private key when the input
    has one (a PFX), else the one that issued none of the others, whatever
    the order of the input. "base64" gives the PEM text the portal calls
    "Base-64 encoded X.509 (.CER)"; "der" the binary form.

    >>> cer = extract_authentication_cert(Path("backend.pfx"), "Passw0rd")
    >>> cer.startswith(b"-----BEGIN CERTIFICATE-----")
    True
    """
    return to_cer(_leaf(source, password), encoding=encoding)


def extract_trusted_root(
    source: CertSource,
    password: Password = None,
    *,
    store: TrustStore | None = None,
    encoding: Literal["base64", "der"] = "base64",
) -> bytes:
    """The root CA of the backend's chain: a v2 trusted root certificate.

    When the input stops at an intermediate, the root is looked up in
    ``store`` (default: Mozilla's roots via certifi) and confirmed by
    signature, climbing through any intermediates the store holds (a company's
    CA bundle); :class:`ChainError` names the missing issuer otherwise. A
    self-signed leaf is its own root (and v2 wants CA:TRUE on it, see ROOT003).

    >>> extract_trusted_root(Path("backend-chain.pem"))
    b'-----BEGIN CERTIFICATE-----\\nMIIB...'
    """
    store = checked_optional(store, TrustStore, "store")
    store = store if store is not None else TrustStore.certifi()
    root = root_of(chain_path(_bundle(source, password).certificates, store), store)
    return to_cer(_up_to_root(root, store), encoding=encoding)


def _up_to_root(cert: x509.Certificate, store: TrustStore) -> x509.Certificate:
    """Past an anchor that is not self-signed (an intermediate of a company's CA bundle
    given as ``store``) to the store's root above it: v2 wants the root itself."""
    for _ in range(len(store)):  # each step climbs to another certificate of the store
        if is_self_signed(cert):
            break
        issuer = store.find_issuer(cert)
        if issuer is None or issuer == cert:
            break
        cert = issuer
    return cert


def extract_public_key(source: CertSource, password: Password = None) -> bytes:
    """The leaf's public key as PEM SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``).

    >>> extract_public_key(Path("backend.pem")).splitlines()[0]
    b'-----BEGIN PUBLIC KEY-----'
    """
    leaf = _leaf(source, password)
    with translate_errors("the leaf certificate's public key"):
        return public_key_of(leaf).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def client_ca_file(cas: Iterable[CertSource]) -> bytes:
    """The mutual-TLS upload (trusted client CA certificate chain) made from ``cas``:
    PEM, the CA certificates only, each issuing CA before the CA that issued it and
    the one root last. Leaves and keys in the sources are dropped.

    :class:`ChainError` unless the CAs hold exactly one root (Azure:
    ``ApplicationGatewayOnlyOneRootCAAllowedInTrustedClientCertificate``).
    ``cas`` is a sequence of sources, not one: a lone ``str``, ``bytes`` or path is
    a :class:`TypeError`.

    >>> pathlib.Path("client-ca.cer").write_bytes(
    ...     client_ca_file([Path("root.cer"), Path("issuing-ca.cer")]))   # doctest: +SKIP
    """
    if isinstance(cas, str | bytes | bytearray | memoryview) or hasattr(cas, "__fspath__"):
        raise TypeError("cas is a sequence of sources (e.g. [root, intermediate]), not one")
    found = distinct(
        cert for source in cas for cert in certificates_of(source) if _readable_ca(cert)
    )
    if len(found) > _MAX_CLIENT_CAS:
        raise ChainError(
            f"{len(found)} CA certificates: more than a 25 KB trusted client CA file can hold "
            f"(at most {_MAX_CLIENT_CAS} are ordered here)"
        )
    roots = [cert for cert in found if is_own_issuer(cert)]
    if len(roots) != 1:
        raise ChainError(
            f"a trusted client CA file holds exactly one root CA; these certificates hold "
            f"{len(roots)}: give the root that issued your client certificates' CAs, once"
        )
    ordered = _issued_from(roots[0], found)
    return b"".join(to_cer(cert) for cert in reversed(ordered))


#: Azure takes 25 KB of PEM per file, a few dozen CA certificates at most; ordering
#: compares CAs pairwise, so the count is bounded before the work starts.
_MAX_CLIENT_CAS = 64


def _readable_ca(cert: x509.Certificate) -> bool:
    with translate_errors("a certificate's basic constraints"):
        return is_ca(cert)


def _issued_from(root: x509.Certificate, cas: list[x509.Certificate]) -> list[x509.Certificate]:
    """``root``, then each CA of ``cas`` after the one that issued it (breadth first, by
    the chain walker's links); CAs that do not chain to the root follow, in the order
    given (the upload checks say so: CCA008)."""
    graph = graph_of(cas)
    start = graph.node_of(root)
    ordered = [] if start is None else [start]
    waiting = [node for node in range(len(graph.certs)) if node != start]
    for parent in ordered:  # grows while it is walked: each CA is placed once
        children = [node for node in waiting if parent in graph.issuers(node)]
        ordered += children
        waiting = [node for node in waiting if node not in children]
    return [graph.certs[node] for node in ordered + waiting]
