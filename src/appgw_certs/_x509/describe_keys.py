"""Private keys, public keys and certificate requests in a file, described beside its certificates.

Each says its type and size ("RSA 2048") and which certificate of the same file
has its public key (its position in the file), so that "which key goes with
which certificate" is answered without openssl's modulus hashes. Key material
is never kept in a description, never shown: only its kind and size.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from .._errors import AppGwCertError, CertificateFormatError, PfxPasswordError
from .._formats.bundle import Bundle, load_bundle
from .._formats.compat import public_key_of
from .._formats.inputs import encode_password, read_bytes
from .._formats.keys import key_description, public_key_der
from .._formats.pem import KEY_LABELS, PemBlock, pem_blocks
from .._formats.private_keys import optional_pem_key
from .._formats.sniff import sniff_format
from .extensions import listed, oid_name
from .names import name_text
from .signatures import verify_signature

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._formats.inputs import CertSource, Password

__all__ = ["MAX_KEYS", "KeyInfo", "describe_keys", "keys_html", "read_source"]

KeyKind = Literal["private key", "public key", "certificate request"]

#: Keys, public keys and requests described in one file at most (a file has one or two).
MAX_KEYS = 100
REQUEST_LABELS = frozenset({"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"})
PUBLIC_KEY_LABELS = frozenset({"PUBLIC KEY", "RSA PUBLIC KEY"})


@dataclass(frozen=True)
class KeyInfo:
    """One key or certificate request of a file: its kind, its key, the certificate it fits.

    ``matches`` is the position in the file (from 0) of the first certificate
    with the same public key, ``None`` when none has. ``key`` is "RSA 2048",
    "EC P-256"..., or says why it is not known ("encrypted: give its password").
    A request also gives its subject, SAN and whether its self-signature holds.
    """

    kind: KeyKind
    key: str
    matches: int | None = None
    encrypted: bool = False
    subject: str | None = None
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    signature_algorithm: str | None = None
    signature_valid: bool | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: tuples as lists."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def rows(self) -> list[tuple[str, str]]:
        """``(label, value)`` rows for text: the certificate it fits, then what it says.

        >>> dict(KeyInfo("private key", "RSA 2048", matches=0).rows())["certificate"]
        '[1]'
        """
        fits = f"[{self.matches + 1}]" if self.matches is not None else "none in this file"
        rows = [("certificate", fits)]
        if self.kind == "private key":
            rows.append(("encrypted", "yes" if self.encrypted else "no"))
        if self.subject is not None:
            rows.append(("subject", self.subject))
            rows.append(("dns names", listed(self.dns_names)))
            rows.append(("IP addresses", listed(self.ip_addresses)))
        if self.signature_algorithm is not None:
            valid = {True: "valid", False: "INVALID", None: "not checked"}[self.signature_valid]
            rows.append(("signature", f"{self.signature_algorithm} ({valid})"))
        return rows

    def __str__(self) -> str:
        lines = [f"{self.kind}: {self.key}"]
        lines += [f"  {label + ':':<13} {value}" for label, value in self.rows()]
        return "\n".join(lines)


def read_source(source: CertSource, password: Password) -> tuple[bytes | None, Bundle | None]:
    """The bytes of ``source`` (read once; ``None`` for certificate objects) and what
    :func:`load_bundle` finds in them; the bundle is ``None`` for a DER request or
    public key, which hold no certificate."""
    data: bytes | None = None
    given: CertSource = source
    if isinstance(source, bytes | bytearray | memoryview | os.PathLike):
        data = given = read_bytes(source)
    elif isinstance(source, str):
        data = source.encode("utf-8", errors="replace")
    try:
        return data, load_bundle(given, password)
    except CertificateFormatError:
        if data is None or not _der_objects(data):
            raise
        return data, None


def describe_keys(
    data: bytes | None,
    bundle: Bundle | None,
    certs: Sequence[x509.Certificate],
    password: Password,
) -> tuple[KeyInfo, ...]:
    """The keys and requests of a file: each PEM block of theirs, a DER one, a PFX's key.

    ``certs`` are the file's certificates in file order (what ``matches`` counts).
    """
    spki = [_certificate_key(cert) for cert in certs]
    found: list[_Found]
    if data is not None and sniff_format(data) == "pem":
        blocks = [b for b in pem_blocks(data) if b.label in _OTHER_LABELS]
        if len(blocks) > MAX_KEYS:
            raise CertificateFormatError(
                f"this file holds {len(blocks):,} keys and certificate requests, over the "
                f"limit of {MAX_KEYS}: check that this is the right file"
            )
        secret = encode_password(password)
        opener = _KeyOpener(secret, bundle.private_key if bundle is not None else None)
        found = [_block_info(block, opener) for block in blocks]
    elif bundle is None:
        found = [] if data is None else _der_objects(data)
    elif bundle.private_key is not None:  # a PFX's key, or a DER private key
        key = bundle.private_key
        shut = _was_encrypted(bundle, data)
        found = [
            (KeyInfo("private key", key_description(key), encrypted=shut), public_key_der(key))
        ]
    else:
        found = []
    return tuple(_matched(info, der, spki) for info, der in found)


def _was_encrypted(bundle: Bundle, data: bytes | None) -> bool:
    """Whether the key of a PFX or a DER file was stored encrypted."""
    if bundle.pfx is not None:
        return bundle.pfx.encryption.key_algorithm is not None
    try:  # without a password, an encrypted key is refused before any key derivation
        serialization.load_der_private_key(data or b"", None)
    except TypeError:
        return True
    except Exception:
        return False
    return False


# A description, and the SubjectPublicKeyInfo DER of its key to match with (the
# description itself keeps no key material).
_Found = tuple[KeyInfo, bytes | None]


def _matched(info: KeyInfo, der: bytes | None, spki: list[bytes | None]) -> KeyInfo:
    if der is None or der not in spki:
        return info
    return replace(info, matches=spki.index(der))


def _certificate_key(cert: x509.Certificate) -> bytes | None:
    try:
        return public_key_der(public_key_of(cert))
    except Exception:  # a key cryptography cannot load matches nothing
        return None


# -- reading ---------------------------------------------------------------------------

_OTHER_LABELS = KEY_LABELS | REQUEST_LABELS | PUBLIC_KEY_LABELS


class _KeyOpener:
    """Opens a file's private key blocks in turn: the first as the loader already read
    it (not decrypted twice), and at most :data:`MAX_DECRYPTED` encrypted ones, since
    each may cost a key derivation of up to the iteration limit."""

    def __init__(self, password: bytes | None, first: object | None) -> None:
        self.password = password
        self.first = first
        self.decrypted = 0

    def open(self, block: PemBlock, encrypted: bool) -> object | None:
        """The key of ``block``; ``None`` without a password; raises as the loader does."""
        if self.first is not None:
            key, self.first = self.first, None
            return key
        if encrypted:
            if self.decrypted >= MAX_DECRYPTED:
                raise _NotOpened
            self.decrypted += 1
        return optional_pem_key([block], self.password)


class _NotOpened(Exception):
    """An encrypted key past :data:`MAX_DECRYPTED`."""


#: Encrypted private keys decrypted in one file at most (each is a key derivation).
MAX_DECRYPTED = 4


def _block_info(block: PemBlock, opener: _KeyOpener) -> _Found:
    if block.label in REQUEST_LABELS:
        return _request_info(lambda: x509.load_pem_x509_csr(block.text))
    if block.label in PUBLIC_KEY_LABELS:
        return _public_key_info(lambda: serialization.load_pem_public_key(block.text))
    encrypted = block.label == "ENCRYPTED PRIVATE KEY" or block.encrypted_header
    try:
        key = opener.open(block, encrypted)
    except PfxPasswordError:
        raise  # a wrong password: the caller asks again or says so
    except _NotOpened:
        shut = f"encrypted: not opened (only the first {MAX_DECRYPTED} are)"
        return KeyInfo("private key", shut, encrypted=True), None
    except AppGwCertError:
        return KeyInfo("private key", "unreadable"), None
    if key is None:
        return KeyInfo("private key", "encrypted: give its password", encrypted=True), None
    return KeyInfo("private key", key_description(key), encrypted=encrypted), public_key_der(key)


def _der_objects(data: bytes) -> list[_Found]:
    """A DER certificate request or public key, as the only thing in ``data``; else ``[]``."""
    request = _request_info(lambda: x509.load_der_x509_csr(data))
    if request[0].key != "unreadable":
        return [request]
    public = _public_key_info(lambda: serialization.load_der_public_key(data))
    return [public] if public[0].key != "unreadable" else []


def _public_key_info(load: Callable[[], object]) -> _Found:
    try:
        key = load()
    except Exception:
        return KeyInfo("public key", "unreadable"), None
    return KeyInfo("public key", key_description(key)), public_key_der(key)


def _request_info(load: Callable[[], x509.CertificateSigningRequest]) -> _Found:
    try:
        request = load()
    except Exception:
        return KeyInfo("certificate request", "unreadable"), None
    try:
        key: object = public_key_of(request)
    except Exception:
        key = None
    dns, ips = _request_san(request)
    info = KeyInfo(
        "certificate request",
        key_description(key) if key is not None else "unsupported",
        subject=_request_subject(request),
        dns_names=dns,
        ip_addresses=ips,
        signature_algorithm=_request_signature_algorithm(request),
        signature_valid=_request_signature_valid(request),
    )
    return info, public_key_der(key) if key is not None else None


def _request_subject(request: x509.CertificateSigningRequest) -> str:
    try:
        return name_text(request.subject)
    except Exception:
        return "<unreadable subject>"


def _request_san(
    request: x509.CertificateSigningRequest,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        san = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except Exception:  # none, or one that cannot be parsed
        return (), ()
    return dns, ips


def _request_signature_algorithm(request: x509.CertificateSigningRequest) -> str:
    try:
        return oid_name(request.signature_algorithm_oid)
    except Exception:
        return "unknown"


def _request_signature_valid(request: x509.CertificateSigningRequest) -> bool | None:
    """Whether the request's self-signature holds; ``None`` when it cannot be checked."""
    with contextlib.suppress(Exception):
        if request.is_signature_valid:
            return True
    # cryptography answers False for SHA-1 (and MD5) signatures, which old tools still
    # make: check those by hand, as openssl req -verify does.
    try:
        return verify_signature(
            public_key_of(request),
            request.signature,
            request.tbs_certrequest_bytes,
            request.signature_hash_algorithm,
        )
    except InvalidSignature:
        return False
    except Exception:  # an algorithm cryptography cannot check
        return None


# -- Jupyter ---------------------------------------------------------------------------


def keys_html(keys: Sequence[KeyInfo]) -> str:
    """A table of ``keys`` for a notebook; empty text when there are none."""
    if not keys:
        return ""
    import html  # deferred: a notebook's table only

    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(cell)}</td>"
            for cell in (
                k.kind,
                k.key,
                f"[{k.matches + 1}]" if k.matches is not None else "none",
                k.subject or "",
            )
        )
        + "</tr>"
        for k in keys
    )
    head = "".join(f"<th>{t}</th>" for t in ("Kind", "Key", "Certificate", "Subject"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
