"""The extensions that matter to the gateway, read for people: every reader here never raises.

Subject alternative names (DNS and IP), extended and plain key usage, basic
constraints' path length, the key identifiers, authority information access
(OCSP responders and CA issuers) and CRL distribution points. An extension that
is absent, or that cryptography cannot parse, reads as empty (``()`` or
``None``): a description never fails on one bad extension.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from .links import authority_key_id, subject_key_id
from .names import extension_value, ip_addresses

__all__ = [
    "MAX_SHOWN",
    "aki_hex",
    "ca_issuers_urls",
    "crl_urls",
    "extended_key_usage",
    "general_name_text",
    "hex_id",
    "ip_address_texts",
    "key_usage",
    "listed",
    "ocsp_urls",
    "oid_name",
    "path_length",
    "ski_hex",
]

#: RFC 5280's names for the key usage bits (4.2.1.3), in the order of the bit string.
KEY_USAGE_BITS = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)
# Readable only when keyAgreement is set (cryptography raises otherwise).
_AGREEMENT_ONLY = (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly"))
# OIDs cryptography knows but names "Unknown OID".
_OID_NAMES = {
    "2.5.29.37.0": "anyExtendedKeyUsage",
    "1.3.6.1.5.5.7.3.17": "ipsecIKE",
    "1.3.6.1.4.1.311.10.3.3": "msSGC",
    "2.16.840.1.113730.4.1": "nsSGC",
}
#: Entries of one list shown in text (a hostile SAN may hold thousands); JSON has all.
MAX_SHOWN = 20
_MAX_TEXT = 2048  # a URL or name longer than this is cut (a hostile extension is not shown whole)


def oid_name(oid: x509.ObjectIdentifier) -> str:
    """The usual short name of ``oid`` (``serverAuth``), else its dotted form.

    >>> oid_name(x509.oid.ExtendedKeyUsageOID.SERVER_AUTH)
    'serverAuth'
    """
    dotted = oid.dotted_string
    name = getattr(oid, "_name", None)
    if isinstance(name, str) and name != "Unknown OID":
        return name
    return _OID_NAMES.get(dotted, dotted)


def listed(values: tuple[str, ...], limit: int = MAX_SHOWN) -> str:
    """``a, b, c``, at most ``limit`` of them and a count of the rest; ``-`` for none.

    >>> listed(("a", "b", "c"), limit=2)
    'a, b and 1 more'
    """
    if not values:
        return "-"
    shown = ", ".join(values[:limit])
    return shown if len(values) <= limit else f"{shown} and {len(values) - limit:,} more"


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def general_name_text(name: x509.GeneralName) -> str:
    """A URI as itself, any other general name as ``TYPE:value`` (openssl's style).

    >>> general_name_text(x509.UniformResourceIdentifier("http://ocsp.contoso.com"))
    'http://ocsp.contoso.com'
    """
    try:
        if isinstance(name, x509.UniformResourceIdentifier):
            return _cut(name.value)
        if isinstance(name, x509.DNSName):
            return _cut(f"DNS:{name.value}")
        if isinstance(name, x509.RegisteredID):
            return f"RegisteredID:{oid_name(name.value)}"
        if isinstance(name, x509.DirectoryName):
            return _cut(f"DirName:{name.value.rfc4514_string()}")
        return _cut(f"{type(name).__name__}:{name.value!s}")
    except Exception:  # a value that cannot be rendered: say which kind it was
        return f"{type(name).__name__}:<unreadable>"


def ip_address_texts(cert: x509.Certificate) -> tuple[str, ...]:
    """The SAN's IP addresses as text, in order.

    >>> ip_address_texts(cert)
    ('10.0.0.4', '2001:db8::1')
    """
    return tuple(str(address) for address in ip_addresses(cert))


def extended_key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    """The extended key usages by name (``serverAuth``, ``clientAuth``); ``()`` without one.

    >>> extended_key_usage(leaf)
    ('serverAuth',)
    """
    usage = extension_value(cert, x509.ExtendedKeyUsage)
    if usage is None:
        return ()
    try:
        return tuple(oid_name(oid) for oid in usage)
    except Exception:
        return ()


def key_usage(cert: x509.Certificate) -> tuple[str, ...]:
    """The key usage bits set, by RFC 5280's names; ``()`` without the extension.

    >>> key_usage(root)
    ('keyCertSign', 'cRLSign')
    """
    usage = extension_value(cert, x509.KeyUsage)
    if usage is None:
        return ()
    try:
        bits = KEY_USAGE_BITS + (_AGREEMENT_ONLY if usage.key_agreement else ())
        return tuple(name for attribute, name in bits if getattr(usage, attribute))
    except Exception:
        return ()


def path_length(cert: x509.Certificate) -> int | None:
    """Basic constraints' path length constraint, ``None`` when there is none.

    >>> path_length(intermediate)
    0
    """
    constraints = extension_value(cert, x509.BasicConstraints)
    return None if constraints is None else constraints.path_length


def hex_id(value: bytes | None) -> str | None:
    """A key identifier as upper-case hex, ``None`` for none."""
    return None if value is None else value.hex().upper()


def ski_hex(cert: x509.Certificate) -> str | None:
    """The subject key identifier, upper-case hex (``None`` without one)."""
    return hex_id(subject_key_id(cert))


def aki_hex(cert: x509.Certificate) -> str | None:
    """The authority key identifier's key id, upper-case hex (``None`` without one)."""
    return hex_id(authority_key_id(cert))


def _access(cert: x509.Certificate, method: x509.ObjectIdentifier) -> tuple[str, ...]:
    access = extension_value(cert, x509.AuthorityInformationAccess)
    if access is None:
        return ()
    try:
        return tuple(
            general_name_text(d.access_location) for d in access if d.access_method == method
        )
    except Exception:
        return ()


def ocsp_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """Authority information access: the OCSP responders.

    >>> ocsp_urls(leaf)
    ('http://r3.o.lencr.org',)
    """
    return _access(cert, AuthorityInformationAccessOID.OCSP)


def ca_issuers_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """Authority information access: where the issuer's certificate can be fetched."""
    return _access(cert, AuthorityInformationAccessOID.CA_ISSUERS)


def crl_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """CRL distribution points: each full name (a relative name is left out).

    >>> crl_urls(intermediate)
    ('http://crl.contoso.com/issuing.crl',)
    """
    points = extension_value(cert, x509.CRLDistributionPoints)
    if points is None:
        return ()
    try:
        return tuple(
            general_name_text(name) for point in points for name in (point.full_name or ())
        )
    except Exception:
        return ()
