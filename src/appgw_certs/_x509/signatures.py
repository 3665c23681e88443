"""Signature checks: whether a key verifies a certificate's signature, each key asked
once, within a bound.

Many certificates may share one name: a bundle of reissued CAs, or a hostile file
of a thousand self-signed CAs with one name and no key identifiers. Names and
identifiers cannot tell such candidate issuers apart; only a signature check can,
and checking every candidate for every certificate is quadratic. Two facts keep
the search near-linear:

- a signature verifies under one key, whichever certificates hold it: candidates
  are grouped by their SubjectPublicKeyInfo (:func:`key_der`), each distinct key
  is checked once (:func:`verifies_under`, remembered), and a search stops at the
  first key that verifies (a second key could verify the same signature only if
  whoever signed made it so, as ECDSA allows);
- the checks of the searches over one set of certificates draw on one
  :class:`Budget`, :data:`SIGNATURE_CHECKS_PER_CERTIFICATE` per certificate of
  the set, pooled: one certificate may try many keys while the others settle
  with one. A search that runs out is cut short and recorded
  (:func:`recording_capped_searches`), so that callers can say an answer may be
  incomplete.

:func:`signed_by_key` is here too: what every signature check comes down to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .._formats.compat import DSAPublicKey, public_key_of
from .._formats.sharing import SignatureMemo

__all__ = [
    "SIGNATURE_CHECKS_PER_CERTIFICATE",
    "Budget",
    "CappedSearches",
    "check_cost",
    "first_verifying_key",
    "forget_key_checks",
    "key_der",
    "recording_capped_searches",
    "signed_by_key",
    "verifies_under",
    "verify_signature",
]

#: Signature checks a search for issuers may make, per certificate of the set searched
#: (pooled over the set), counted as checks under a P-256 key (:func:`check_cost`).
#: Enough for any real bundle: a certificate's issuer is found with one check when
#: key identifiers, or its own key, point to it; without them, one check per
#: distinct key holding its issuer's name.
SIGNATURE_CHECKS_PER_CERTIFICATE = 4

# What one check costs, counted in checks under a P-256 key, by curve: NIST's small
# curves have the fastest code; others are about as dear as their measured ratio
# (docs/robustness.md, "Chain search"). A curve not listed counts as the dearest.
_CURVE_COST = {
    "secp192r1": 1, "secp224r1": 1, "secp256r1": 1, "secp384r1": 4, "secp521r1": 5,
    "secp256k1": 4, "brainpoolP256r1": 4, "brainpoolP384r1": 8, "brainpoolP512r1": 12,
}  # fmt: skip


def signed_by_key(cert: x509.Certificate, public_key: object) -> bool:
    """Whether ``cert``'s signature verifies with ``public_key``; never raises.

    Works for MD5 and SHA-1 signatures too (which ``verify_directly_issued_by``
    refuses), so that old roots are still recognised.

    >>> signed_by_key(root, root.public_key())
    True
    """
    try:
        params = cert.signature_algorithm_parameters
        pss = params if isinstance(params, padding.PSS) else None
        return verify_signature(
            public_key, cert.signature, cert.tbs_certificate_bytes,
            cert.signature_hash_algorithm, pss,
        )  # fmt: skip
    except Exception:
        # InvalidSignature, UnsupportedAlgorithm (MD2, GOST), unreadable keys.
        return False


def verify_signature(
    public_key: object,
    signature: bytes,
    signed: bytes,
    algorithm: hashes.HashAlgorithm | None,
    pss: padding.PSS | None = None,
) -> bool:
    """Whether ``signature`` over ``signed`` verifies with ``public_key`` (RSA with
    ``pss`` or PKCS#1 v1.5, ECDSA, DSA, EdDSA), for any hash, MD5 and SHA-1 included;
    False for a key or a missing hash it cannot check with. Raises what cryptography
    raises: ``InvalidSignature`` for a signature that does not hold.
    """
    if isinstance(public_key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        public_key.verify(signature, signed)
        return True
    if algorithm is None:
        return False
    if isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, signed, pss or padding.PKCS1v15(), algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, signed, ec.ECDSA(algorithm))
    elif isinstance(public_key, DSAPublicKey):
        public_key.verify(signature, signed, algorithm)
    else:
        return False
    return True


def key_der(cert: x509.Certificate) -> bytes | None:
    """The DER of ``cert``'s SubjectPublicKeyInfo, as cryptography writes it (one
    encoding per key); ``None`` when the key cannot be read (it verifies nothing).

    >>> key_der(root) == key_der(cross_signed_root)
    True
    """
    try:
        return public_key_of(cert).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except Exception:
        return None


def check_cost(holder: x509.Certificate) -> int:
    """What one check under ``holder``'s key spends of a :class:`Budget`, in checks under
    a P-256 key: 1 for the keys most certificates hold (P-256, RSA up to 4096 bits
    with a small exponent, Ed25519), more for keys slower to verify with: larger
    curves, larger RSA moduli or exponents (a verification costs about the square
    of the modulus size times the exponent's length), DSA.

    >>> check_cost(p256_root), check_cost(rsa_8192_root)
    (1, 4)
    """
    try:
        key = public_key_of(holder)
        if isinstance(key, rsa.RSAPublicKey):
            exponent_bits = key.public_numbers().e.bit_length()
            return max(1, math.ceil((key.key_size / 4096) ** 2 * exponent_bits / 17))
        if isinstance(key, DSAPublicKey):
            return max(1, math.ceil((key.key_size / 1024) ** 2))
        if isinstance(key, ec.EllipticCurvePublicKey):
            return _CURVE_COST.get(key.curve.name, max(_CURVE_COST.values()))
        return 2 if isinstance(key, ed448.Ed448PublicKey) else 1
    except Exception:  # a key that cannot be read verifies nothing, quickly
        return 1


_Question = tuple[x509.Certificate, bytes]


def _same_question(known: _Question, asked: _Question) -> bool:
    return (known[0] is asked[0] or known[0] == asked[0]) and known[1] == asked[1]


# Answers never change: remembered under the signature and the key, in one bounded memo.
_CHECKED: SignatureMemo[_Question, bool] = SignatureMemo(keep=8, limit=65_536, same=_same_question)


def verifies_under(cert: x509.Certificate, key: bytes, holder: x509.Certificate) -> bool:
    """Whether ``cert``'s signature verifies under ``key``, the :func:`key_der` of
    ``holder``; never raises, and remembered.

    >>> verifies_under(leaf, key_der(intermediate), intermediate)
    True
    """

    def check() -> bool:
        try:
            public_key = public_key_of(holder)
        except Exception:
            return False
        return signed_by_key(cert, public_key)

    try:
        signature = cert.signature
    except Exception:  # nothing to look up by: just check
        return check()
    return _CHECKED.get_or_add((signature, key), (cert, key), check)


def forget_key_checks() -> None:
    """Drop the remembered answers of :func:`verifies_under` (for benchmarks of cold work).

    >>> forget_key_checks()
    """
    _CHECKED.clear()


class Budget:
    """The signature checks left to the searches over one set of certificates (in checks
    under a P-256 key, :func:`check_cost`)."""

    __slots__ = ("left",)

    def __init__(self, certificates: int) -> None:
        self.left = SIGNATURE_CHECKS_PER_CERTIFICATE * certificates


def first_verifying_key(
    cert: x509.Certificate,
    holders: Iterable[tuple[bytes | None, x509.Certificate]],
    budget: Budget | None = None,
) -> tuple[bytes | None, bool]:
    """The first of the holders' keys that verifies ``cert``'s signature, each distinct
    key checked once, and whether the search was cut short by ``budget``.

    ``holders`` are (:func:`key_der`, certificate) pairs in the order to try.
    Without a budget, every distinct key may be tried; with one, each key tried
    spends its :func:`check_cost` (remembered or not, so that answers never depend
    on what was asked before), and when none is left the search stops:
    ``(None, True)``, and ``cert`` is recorded for :func:`recording_capped_searches`.

    >>> first_verifying_key(leaf, [(key_der(root), root), (key_der(ca), ca)])
    (b'0Y0\\x13...', False)
    """
    tried: set[bytes] = set()
    for key, holder in holders:
        if key is None or key in tried:
            continue
        if budget is not None:
            if budget.left <= 0:
                _note_capped(cert)
                return None, True
            budget.left -= check_cost(holder)
        tried.add(key)
        if verifies_under(cert, key, holder):
            return key, False
    return None, False


# -- capped searches, for callers that report them -------------------------------------


class CappedSearches:
    """The certificates whose issuer search ran out of signature checks, in the order met."""

    __slots__ = ("_ids", "certificates")

    def __init__(self) -> None:
        self.certificates: list[x509.Certificate] = []
        self._ids: set[int] = set()  # the list keeps the objects alive: ids stay theirs

    def add(self, cert: x509.Certificate) -> None:
        if id(cert) not in self._ids:
            self._ids.add(id(cert))
            self.certificates.append(cert)

    def __bool__(self) -> bool:
        return bool(self.certificates)

    def __len__(self) -> int:
        return len(self.certificates)


_CAPPED: ContextVar[CappedSearches | None] = ContextVar("appgw_certs_capped_searches", default=None)


@contextmanager
def recording_capped_searches() -> Iterator[CappedSearches]:
    """Inside, every certificate whose issuer search is cut short (:class:`Budget`) is
    recorded in the object yielded: a chain found there may be incomplete.

    >>> with recording_capped_searches() as capped:
    ...     path = path_up(leaf, hostile_bundle)
    >>> bool(capped)
    False
    """
    capped = CappedSearches()
    token = _CAPPED.set(capped)
    try:
        yield capped
    finally:
        _CAPPED.reset(token)


def _note_capped(cert: x509.Certificate) -> None:
    capped = _CAPPED.get()
    if capped is not None:
        capped.add(cert)
