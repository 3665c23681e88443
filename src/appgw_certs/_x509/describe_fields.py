"""How each field of :class:`CertInfo` is read from a certificate, never raising; and how
the fields it gained in 0.2 are shown and put in JSON.

Extensions that matter to the gateway (IP SAN entries, extended and plain key
usage, path length, key identifiers, OCSP, CA issuers and CRL locations),
whether the certificate is a well-known root, and its place and its issuer's
place in the input (set by ``describe``; ``None`` for a lone description).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import tolerating_deprecated_encodings
from .._formats.compat import public_key_of
from .._formats.keys import key_description
from .describe_chain import is_well_known_root
from .extensions import (
    aki_hex,
    ca_issuers_urls,
    crl_urls,
    extended_key_usage,
    ip_address_texts,
    key_usage,
    listed,
    ocsp_urls,
    path_length,
    ski_hex,
)
from .links import is_self_signed
from .names import dns_names, extension_value, is_ca, issuer_text, subject_text

__all__ = [
    "ADDED_FIELDS",
    "ADDED_READERS",
    "FIELD_READERS",
    "Role",
    "added_fields",
    "added_lines",
    "added_rows",
    "fingerprints",
]

Role = Literal["leaf", "intermediate", "root"]


def _none(cert: x509.Certificate) -> None:
    return None


ADDED_READERS: dict[str, Callable[[x509.Certificate], object]] = {
    "ip_addresses": ip_address_texts,
    "extended_key_usage": extended_key_usage,
    "key_usage": key_usage,
    "path_length": path_length,
    "subject_key_id": ski_hex,
    "authority_key_id": aki_hex,
    "ocsp_urls": ocsp_urls,
    "ca_issuers_urls": ca_issuers_urls,
    "crl_urls": crl_urls,
    "well_known": is_well_known_root,
    "file_index": _none,
    "issuer_index": _none,
}
ADDED_FIELDS = tuple(ADDED_READERS)


class _Described(Protocol):
    """What is read here of a :class:`CertInfo` (named so to keep the import one way)."""

    @property
    def ip_addresses(self) -> tuple[str, ...]: ...
    @property
    def extended_key_usage(self) -> tuple[str, ...]: ...
    @property
    def key_usage(self) -> tuple[str, ...]: ...
    @property
    def path_length(self) -> int | None: ...
    @property
    def subject_key_id(self) -> str | None: ...
    @property
    def authority_key_id(self) -> str | None: ...
    @property
    def ocsp_urls(self) -> tuple[str, ...]: ...
    @property
    def ca_issuers_urls(self) -> tuple[str, ...]: ...
    @property
    def crl_urls(self) -> tuple[str, ...]: ...
    @property
    def well_known(self) -> bool: ...
    @property
    def file_index(self) -> int | None: ...
    @property
    def issuer_index(self) -> int | None: ...
    @property
    def is_ca(self) -> bool: ...
    @property
    def is_self_signed(self) -> bool: ...


def added_fields(info: _Described) -> dict[str, object]:
    """The added fields, JSON-ready (tuples as lists)."""
    values = {name: getattr(info, name) for name in ADDED_FIELDS}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def issuer_place(info: _Described) -> str:
    """Where the certificate's issuer is in the file, in words."""
    if info.issuer_index is not None:
        return f"[{info.issuer_index + 1}]"
    if info.is_self_signed:
        return "itself (self-signed)"
    return "not in this file"


def constraints_text(info: _Described) -> str:
    """Basic constraints: ``CA, path length 0``, ``CA`` or ``not a CA``."""
    if not info.is_ca:
        return "not a CA"
    return "CA" if info.path_length is None else f"CA, path length {info.path_length}"


def added_rows(info: _Described) -> list[tuple[str, str]]:
    """The added fields as ``(label, value)`` rows, empty ones left out."""
    rows = [
        ("IP addresses", listed(info.ip_addresses)),
        ("EKU", listed(info.extended_key_usage)),
        ("key usage", listed(info.key_usage)),
        ("basic constraints", constraints_text(info)),
        ("subject key id", info.subject_key_id or "-"),
        ("authority key id", info.authority_key_id or "-"),
        ("OCSP", listed(info.ocsp_urls)),
        ("CA issuers", listed(info.ca_issuers_urls)),
        ("CRL", listed(info.crl_urls)),
    ]
    shown = [(label, value) for label, value in rows if value != "-" or label == "EKU"]
    if info.file_index is not None:
        shown.append(("issuer in file", issuer_place(info)))
    if info.well_known:
        shown.append(("well known", "yes: a root of Mozilla's store (certifi)"))
    return shown


def added_lines(info: _Described) -> list[str]:
    """The added fields as lines of :meth:`CertInfo.__str__`, aligned with its own."""
    return [f"  {label + ':':<11} {value}" for label, value in added_rows(info)]


# -- every field's reader ------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _role(cert: x509.Certificate) -> Role:
    constraints = extension_value(cert, x509.BasicConstraints)
    ca = constraints is not None and constraints.ca
    if is_self_signed(cert) and (ca or constraints is None):  # an old v1 root has none
        return "root"
    return "intermediate" if ca else "leaf"


def _serial(cert: x509.Certificate) -> str:
    try:
        with tolerating_deprecated_encodings():  # serial 0 warns on every read
            serial = cert.serial_number
    except Exception:
        return "unreadable"
    sign, digits = ("-", f"{-serial:X}") if serial < 0 else ("", f"{serial:X}")
    return sign + digits.zfill(len(digits) + len(digits) % 2)


def _time(cert: x509.Certificate, attribute: str) -> datetime:
    try:
        value: datetime = getattr(cert, attribute)
    except Exception:
        return _EPOCH  # an unreadable date shows as 1970, plainly wrong
    return value


def fingerprints(cert: x509.Certificate) -> tuple[str, str]:
    """SHA-1 (the portal's thumbprint) and SHA-256 of the DER, in upper-case hex.

    hashlib on the DER, once: cryptography's ``fingerprint`` sets up an OpenSSL
    digest per call, several times the cost of hashing a kilobyte.
    """
    try:
        der = cert.public_bytes(serialization.Encoding.DER)
    except Exception:
        return "unreadable", "unreadable"
    sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
    return sha1, hashlib.sha256(der).hexdigest().upper()


def _key(cert: x509.Certificate) -> str:
    try:
        return key_description(public_key_of(cert))
    except Exception:  # keys cryptography cannot load (GOST...): say which algorithm
        try:
            return f"unsupported ({cert.public_key_algorithm_oid.dotted_string})"
        except Exception:
            return "unknown"


def _signature_algorithm(cert: x509.Certificate) -> str:
    try:
        oid = cert.signature_algorithm_oid
    except Exception:
        return "unknown"
    name = getattr(oid, "_name", None)
    return name if isinstance(name, str) and name != "Unknown OID" else oid.dotted_string


FIELD_READERS: dict[str, Callable[[x509.Certificate], object]] = {
    "subject": subject_text,
    "issuer": issuer_text,
    "serial_number": _serial,
    "not_before": lambda cert: _time(cert, "not_valid_before_utc"),
    "not_after": lambda cert: _time(cert, "not_valid_after_utc"),
    "dns_names": dns_names,
    "key": _key,
    "signature_algorithm": _signature_algorithm,
    "is_ca": is_ca,
    "is_self_signed": is_self_signed,
    "role": _role,
    **ADDED_READERS,
}
