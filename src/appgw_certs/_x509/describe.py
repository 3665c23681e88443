"""Certificates described for people: notebooks, the CLI's ``inspect``, audit reports.

Each :class:`CertInfo` holds what the Azure portal and people look at: names,
validity, the SHA-1 thumbprint exactly as the portal shows it (upper-case hex),
the key ("RSA 2048", "EC P-256"), and the certificate's role in its chain.
Reading a foreign certificate can fail field by field; a field that cannot be
read says so instead of making the whole description fail.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509

from .describe_chain import chain_facts
from .describe_fields import (
    ADDED_FIELDS,
    FIELD_READERS,
    Role,
    added_fields,
    added_lines,
    fingerprints,
)
from .describe_keys import KeyInfo, describe_keys, keys_html, read_source
from .extensions import listed

if TYPE_CHECKING:
    from .._formats.inputs import CertSource, Password

__all__ = ["CertInfo", "CertInfoList", "cert_info", "describe"]

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

    A description made from a certificate (:func:`describe`, an audit's
    certificates) reads each field when it is first looked at and keeps it, so
    an audit that is only asked for its findings renders no names or hashes.
    Equality, hashing, ``repr``, pickling and :func:`dataclasses.replace` see
    every field; such a description holds its certificate until pickled.

    .. versionadded:: 0.2
       The extensions the gateway reads: ``ip_addresses`` (SAN IP entries),
       ``extended_key_usage`` (``serverAuth``...), ``key_usage``
       (``digitalSignature``...), ``path_length``, ``subject_key_id`` and
       ``authority_key_id`` (upper-case hex), ``ocsp_urls``,
       ``ca_issuers_urls``, ``crl_urls``; ``well_known`` (a root of Mozilla's
       store via certifi, an approximation of Azure's unpublished list); and,
       from :func:`describe`, ``file_index`` and ``issuer_index``: the
       certificate's and its issuer's places in the input, from 0 (``None``
       when its issuer is not in it). All have defaults.

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
    # Added in 0.2, with defaults: what the gateway looks at beyond the portal's columns.
    ip_addresses: tuple[str, ...] = ()
    extended_key_usage: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()
    path_length: int | None = None
    subject_key_id: str | None = None
    authority_key_id: str | None = None
    ocsp_urls: tuple[str, ...] = ()
    ca_issuers_urls: tuple[str, ...] = ()
    crl_urls: tuple[str, ...] = ()
    well_known: bool = False
    file_index: int | None = None
    issuer_index: int | None = None

    if not TYPE_CHECKING:  # hidden from type checkers, which would accept any name

        def __getattr__(self, name: str) -> object:
            # Only for fields not read yet (see cert_info); others are plain attributes.
            if name in _FIELDS and "_certificate" in self.__dict__:
                return _read_field(self, name)
            raise AttributeError(name)

    def __reduce__(self) -> tuple[object, ...]:
        # Every field, read now: the certificate itself cannot be pickled.
        return (_unpickled, (tuple(getattr(self, field) for field in _FIELDS),))

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
            **added_fields(self),
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
            lines.insert(2, f"  DNS names:  {listed(self.dns_names)}")
        return "\n".join(lines + added_lines(self))


_FIELDS = tuple(field.name for field in dataclasses.fields(CertInfo))
# The added fields' defaults live in __init__ only: as class attributes they would
# answer before __getattr__ could read the certificate.
for _name in ADDED_FIELDS:
    delattr(CertInfo, _name)


def _unpickled(values: tuple[object, ...]) -> CertInfo:
    """A pickled description, rebuilt without the frozen ``__init__``'s per-field
    ``object.__setattr__`` (audits of a gateway list come back by the thousand)."""
    info = object.__new__(CertInfo)
    info.__dict__.update(zip(_FIELDS, values, strict=True))
    return info


class CertInfoList(list[CertInfo]):
    """A list of :class:`CertInfo` that prints readably and renders as a table in Jupyter.

    From :func:`describe`, it also says how its file holds the chain:
    ``in_order`` (leaf to root as listed, ``None`` when not one chain),
    ``well_known_root`` (the subject of the certifi root it ends in) and
    ``keys`` (the file's private keys, public keys and requests).

    >>> print(describe(Path("chain.pem")))
    leaf: CN=www.contoso.com
      ...
    """

    keys: tuple[KeyInfo, ...] = ()
    in_order: bool | None = None
    well_known_root: str | None = None

    def __str__(self) -> str:
        parts = [str(info) for info in self] or ["(no certificates)"]
        return "\n\n".join(parts + [str(key) for key in self.keys])

    def _repr_html_(self) -> str:
        import html  # deferred: a notebook's table only

        head = "".join(f"<th>{html.escape(title)}</th>" for _, title in _COLUMNS)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_cell(info, name)}</td>" for name, _ in _COLUMNS) + "</tr>"
            for info in self
        )
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        keys = keys_html(self.keys)
        if not self:
            return table + keys
        from .pictures import chain_html  # deferred: the drawing code, for HTML only

        return f"{table}{chain_html(self, title='Chain (root at the top)')}{keys}"

    def to_dicts(self) -> list[dict[str, object]]:
        """JSON-ready list (see :meth:`CertInfo.to_dict`).

        >>> json.dumps(describe(Path("chain.pem")).to_dicts())
        """
        return [info.to_dict() for info in self]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: ``{"chain": {"in_order", "well_known_root", "order"},
        "certificates", "keys"}``; ``order`` lists the certificates' places in the
        input, leaf first.

        .. versionadded:: 0.2

        >>> describe(Path("chain.pem")).to_dict()["chain"]["in_order"]
        True
        """
        return {
            "chain": {
                "in_order": self.in_order,
                "well_known_root": self.well_known_root,
                "order": [info.file_index for info in self],
            },
            "certificates": self.to_dicts(),
            "keys": [key.to_dict() for key in self.keys],
        }


def _cell(info: CertInfo, name: str) -> str:
    import html  # deferred: a notebook's table only

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
    else in the order of the input; each says its place in the input
    (``file_index``) and its issuer's (``issuer_index``). The list also
    describes the input's keys and requests (``keys``), says whether the input
    lists its chain leaf to root (``in_order``) and which well-known root the
    chain ends in (``well_known_root``). A file of keys or requests alone is
    described too: no certificates, its ``keys``.

    .. versionchanged:: 0.2
       Keys, requests and public keys (each with the certificate it fits),
       extensions, places in the input, ``in_order`` and ``well_known_root``;
       a file of keys or requests alone no longer raises.

    >>> describe(Path("backend.pfx"), "Passw0rd")      # a table in Jupyter
    """
    data, bundle = read_source(source, password)
    certs = bundle.certificates if bundle is not None else []
    facts = chain_facts(certs)
    infos = CertInfoList(cert_info(cert) for cert in facts.ordered)
    for info, cert in zip(infos, facts.ordered, strict=True):
        object.__setattr__(info, "file_index", facts.positions[cert])
        object.__setattr__(info, "issuer_index", facts.issuers.get(cert))
    infos.keys = describe_keys(data, bundle, certs, password)
    infos.in_order, infos.well_known_root = facts.in_order, facts.well_known_root
    return infos


def cert_info(cert: x509.Certificate, role: Role | None = None) -> CertInfo:
    """Describe one certificate; ``role`` defaults to what the certificate is by itself.

    By itself: self-signed and a CA (or an old v1 root without basic
    constraints) is a root, any other CA an intermediate, the rest leaves.

    Each field is read from the certificate when first looked at, then kept:
    an audit of hundreds of certificates, whose caller may only want its
    findings, does not render names and hash keys it never shows. Equality,
    ``repr``, ``to_dict``, pickling and :func:`dataclasses.replace` see every
    field, as for any :class:`CertInfo`.

    >>> cert_info(root).role
    'root'
    """
    info = object.__new__(CertInfo)
    object.__setattr__(info, "_certificate", cert)
    if role is not None:
        object.__setattr__(info, "role", role)
    return info


def _read_field(info: CertInfo, name: str) -> object:
    """The value of field ``name`` of a lazily described certificate, read and kept."""
    cert: x509.Certificate = info.__dict__["_certificate"]
    if name in ("sha1_thumbprint", "sha256_fingerprint"):
        sha1, sha256 = fingerprints(cert)
        object.__setattr__(info, "sha1_thumbprint", sha1)
        object.__setattr__(info, "sha256_fingerprint", sha256)
        return sha1 if name == "sha1_thumbprint" else sha256
    value = FIELD_READERS[name](cert)
    object.__setattr__(info, name, value)
    return value
