"""What each SKU wants from a backend's certificates, in one call.

A v1 gateway (Standard, WAF) allow-lists the backend's own leaf certificate
("authentication certificate"); a v2 gateway (Standard_v2, WAF_v2) trusts the
root CA of the backend's chain ("trusted root certificate"), or nothing at all
when that root is a well-known CA and "Use well known CA certificate" is on.
Each function takes whatever people have: the backend's PFX (with its
password), a PEM or PKCS#7 bundle in any order, DER, or certificate objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import ChainError, translate_errors
from .._formats.bundle import Bundle, load_bundle
from .._formats.convert import to_cer
from .._formats.inputs import checked_optional
from .._formats.keys import key_matches
from .chain import chain_path, split_leaf
from .trust import TrustStore
from .walk import root_of

if TYPE_CHECKING:
    from .._formats.inputs import CertSource, Password

__all__ = ["extract_authentication_cert", "extract_public_key", "extract_trusted_root"]


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
    signature; :class:`ChainError` names the missing issuer otherwise. A
    self-signed leaf is its own root (and v2 wants CA:TRUE on it, see ROOT003).

    >>> extract_trusted_root(Path("backend-chain.pem"))
    b'-----BEGIN CERTIFICATE-----\\nMIIB...'
    """
    store = checked_optional(store, TrustStore, "store")
    store = store if store is not None else TrustStore.certifi()
    root = root_of(chain_path(_bundle(source, password).certificates, store), store)
    return to_cer(root, encoding=encoding)


def extract_public_key(source: CertSource, password: Password = None) -> bytes:
    """The leaf's public key as PEM SubjectPublicKeyInfo (``-----BEGIN PUBLIC KEY-----``).

    >>> extract_public_key(Path("backend.pem")).splitlines()[0]
    b'-----BEGIN PUBLIC KEY-----'
    """
    leaf = _leaf(source, password)
    with translate_errors("the leaf certificate's public key"):
        return leaf.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
