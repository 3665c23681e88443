"""An existing CA to issue test certificates from (``build_test_chain(ca=...)``), checked
before anything is signed: its key, that it is a CA, and the chain up to its root."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._errors import InvalidArgumentError
from .._formats.keys import key_matches
from .credential import Credential

__all__ = ["check_existing_ca"]


def check_existing_ca(
    ca: Credential, ca_chain: Sequence[x509.Certificate], intermediates: int
) -> tuple[x509.Certificate, ...]:
    """``ca_chain`` as a tuple, once ``ca`` may sign ``intermediates`` CAs and leaves below
    it and ``ca_chain`` leads from it to a root; :class:`InvalidArgumentError` otherwise."""
    if not isinstance(ca, Credential):
        raise TypeError(f"ca: must be a Credential, not {type(ca).__name__}")
    chain = tuple(ca_chain)
    if not all(isinstance(c, x509.Certificate) for c in chain):
        raise TypeError("ca_chain: must be a sequence of x509.Certificate")
    if not isinstance(ca.private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InvalidArgumentError("ca: the CA's key must be RSA or EC to sign test certificates")
    if not key_matches(ca.private_key, ca.certificate):
        raise InvalidArgumentError("ca: the private key does not match the CA certificate")
    _check_may_sign(ca.certificate, intermediates)
    below = ca.certificate
    for above in chain:
        if not _issued(below, above):
            raise InvalidArgumentError(
                f"ca_chain: {above.subject.rfc4514_string()!r} did not issue "
                f"{below.subject.rfc4514_string()!r}: list the CA's issuers in order, to the root"
            )
        below = above
    if below.issuer != below.subject:
        where = "ca_chain ends at" if chain else "ca is"
        raise InvalidArgumentError(
            f"{where} {below.subject.rfc4514_string()!r}, an intermediate CA: give its "
            "issuers up to the root as ca_chain"
        )
    return chain


def _check_may_sign(cert: x509.Certificate, intermediates: int) -> None:
    """CA:TRUE, keyCertSign when a key usage is given, and a path length that leaves room."""
    subject = cert.subject.rfc4514_string()
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    except ValueError as exc:  # an extension cryptography cannot read
        raise InvalidArgumentError(f"ca: {subject!r} has unreadable extensions") from exc
    if constraints is None or not constraints.ca:
        raise InvalidArgumentError(
            f"ca: {subject!r} is not a CA certificate (no basicConstraints CA:TRUE)"
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and not usage.key_cert_sign:
        raise InvalidArgumentError(f"ca: {subject!r} may not sign certificates (no keyCertSign)")
    if constraints.path_length is not None and constraints.path_length < intermediates:
        raise InvalidArgumentError(
            f"ca: {subject!r} allows {constraints.path_length} CA(s) below it (pathlen), "
            f"not {intermediates} intermediates"
        )


def _issued(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):  # SHA-1 included
        return False
    return True
