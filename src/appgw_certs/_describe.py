"""Certificates described for people: notebooks, the CLI's ``inspect``, audit reports.

Each :class:`CertInfo` holds what the Azure portal and people look at: names,
validity, the SHA-1 thumbprint exactly as the portal shows it (upper-case hex),
the key ("RSA 2048", "EC P-256"), and the certificate's role in its chain.
Reading a foreign certificate can fail field by field; a field that cannot be
read says so instead of making the whole description fail.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ._chain import is_self_signed, order_chain
from ._errors import ChainError, tolerating_deprecated_encodings
from ._keys import key_description
from ._names import dns_names, extension_value, issuer_text, subject_text
from ._read import load_bundle

if TYPE_CHECKING:
    from ._inputs import CertSource, Password

__all__ = ["CertInfo", "CertInfoList", "cert_info", "describe"]

Role = Literal["leaf", "intermediate", "root"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COLUMNS = (
    ("role", "Role"),
    ("subject", "Subject"),
    ("issuer", "Issuer"),
    ("not_after", "Expires"),
    ("key", "Key"),
    ("sha1_thumbprint", "Thumbprint (SHA-1)"),
)


@dataclass(frozen=True)
class CertInfo:
    """One certificate, described: what the portal shows, and its role in the chain.

    >>> info = describe(Path("backend.pfx"), "Passw0rd")[0]
    >>> info.role, info.key, info.sha1_thumbprint
    ('leaf', 'RSA 2048', '3F2A...')
    """

    subject: str
    issuer: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    sha1_thumbprint: str
    sha256_fingerprint: str
    dns_names: tuple[str, ...]
    key: str
    signature_algorithm: str
    is_ca: bool
    is_self_signed: bool
    role: Role

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: datetimes as ISO 8601 text, tuples as lists.

        >>> info.to_dict()["not_after"]
        '2027-11-26T17:00:00+00:00'
        """
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial_number": self.serial_number,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "sha1_thumbprint": self.sha1_thumbprint,
            "sha256_fingerprint": self.sha256_fingerprint,
            "dns_names": list(self.dns_names),
            "key": self.key,
            "signature_algorithm": self.signature_algorithm,
            "is_ca": self.is_ca,
            "is_self_signed": self.is_self_signed,
            "role": self.role,
        }

    def __str__(self) -> str:
        lines = [
            f"{self.role}: {self.subject}",
            f"  issuer:     {self.issuer}",
            f"  valid:      {self.not_before:%Y-%m-%d %H:%M} to "
            f"{self.not_after:%Y-%m-%d %H:%M} UTC",
            f"  key:        {self.key}, signed with {self.signature_algorithm}",
            f"  serial:     {self.serial_number}",
            f"  thumbprint: {self.sha1_thumbprint} (SHA-1, as the portal shows it)",
            f"  SHA-256:    {self.sha256_fingerprint}",
            f"  CA: {'yes' if self.is_ca else 'no'}; "
            f"self-signed: {'yes' if self.is_self_signed else 'no'}",
        ]
        if self.dns_names:
            lines.insert(2, f"  DNS names:  {', '.join(self.dns_names)}")
        return "\n".join(lines)


class CertInfoList(list[CertInfo]):
    """A list of :class:`CertInfo` that prints readably and renders as a table in Jupyter.

    >>> print(describe(Path("chain.pem")))
    leaf: CN=www.contoso.com
      ...
    """

    def __str__(self) -> str:
        if not self:
            return "(no certificates)"
        return "\n\n".join(str(info) for info in self)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in _COLUMNS)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_cell(info, name)}</td>" for name, _ in _COLUMNS) + "</tr>"
            for info in self
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    def to_dicts(self) -> list[dict[str, object]]:
        """JSON-ready list (see :meth:`CertInfo.to_dict`).

        >>> json.dumps(describe(Path("chain.pem")).to_dicts())
        """
        return [info.to_dict() for info in self]


def _cell(info: CertInfo, name: str) -> str:
    value = getattr(info, name)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if name == "subject" and info.dns_names:
        names = html.escape(", ".join(info.dns_names))
        return f"{html.escape(str(value))}<br><small>{names}</small>"
    return html.escape(str(value))


def describe(source: CertSource, password: Password = None) -> CertInfoList:
    """Describe every certificate in ``source`` (PFX with ``password``, PEM, PKCS#7, DER...).

    Certificates come in chain order (leaf first) when they form one chain,
    else in the order of the input.

    >>> describe(Path("backend.pfx"), "Passw0rd")      # a table in Jupyter
    """
    certs = load_bundle(source, password).certificates
    with contextlib.suppress(ChainError):  # several chains, or none: keep the input's order
        certs = order_chain(certs)
    return CertInfoList(cert_info(cert) for cert in certs)


def cert_info(cert: x509.Certificate, role: Role | None = None) -> CertInfo:
    """Describe one certificate; ``role`` defaults to what the certificate is by itself.

    By itself: self-signed and a CA (or an old v1 root without basic
    constraints) is a root, any other CA an intermediate, the rest leaves.

    >>> cert_info(root).role
    'root'
    """
    self_signed = is_self_signed(cert)
    constraints = extension_value(cert, x509.BasicConstraints)
    is_ca = constraints is not None and constraints.ca
    thumbprint, fingerprint = _fingerprints(cert)
    return CertInfo(
        subject=subject_text(cert),
        issuer=issuer_text(cert),
        serial_number=_serial(cert),
        not_before=_time(cert, "not_valid_before_utc"),
        not_after=_time(cert, "not_valid_after_utc"),
        sha1_thumbprint=thumbprint,
        sha256_fingerprint=fingerprint,
        dns_names=dns_names(cert),
        key=_key(cert),
        signature_algorithm=_signature_algorithm(cert),
        is_ca=is_ca,
        is_self_signed=self_signed,
        role=role or _role(self_signed=self_signed, is_ca=is_ca, constraints=constraints),
    )


def _role(*, self_signed: bool, is_ca: bool, constraints: x509.BasicConstraints | None) -> Role:
    if self_signed and (is_ca or constraints is None):
        return "root"
    return "intermediate" if is_ca else "leaf"


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


def _fingerprints(cert: x509.Certificate) -> tuple[str, str]:
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
        return key_description(cert.public_key())
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
