"""Names on certificates: subjects as text, SAN entries, host-name matching.

Host names are matched as RFC 6125 says and as browsers and Application
Gateway do: the SAN's dNSName entries when the certificate has a SAN, the
subject's common name only when it has none; a wildcard only as the whole
left-most label, standing for exactly one label; IP literals only against IP
SAN entries. Every read of a foreign certificate may raise, so each helper
here catches and answers with "nothing" instead of failing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import TypeAlias, TypeVar

from cryptography import x509
from cryptography.x509.oid import NameOID

from .._formats.der import content_start, element_end

__all__ = [
    "common_names",
    "dns_names",
    "extension_value",
    "ip_addresses",
    "is_ca",
    "is_ip",
    "issuer_text",
    "matches_common_name",
    "matches_hostname",
    "name_attributes",
    "name_text",
    "subject_text",
]

_E = TypeVar("_E", bound=x509.ExtensionType)
IpAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPV4_CHARACTERS = frozenset("0123456789.")  # IPv6 literals all have a colon
# DER tags: the string types whose value cryptography gives as the UTF-8 text of
# the bytes (UTF8String, PrintableString, IA5String), and the name's framing.
_TEXT_TAGS = frozenset({0x0C, 0x13, 0x16})
_OID, _SEQUENCE, _SET = 0x06, 0x30, 0x31


def name_text(name: x509.Name) -> str:
    """An ``x509.Name`` as RFC 4514 text; never raises.

    >>> name_text(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "a")]))
    'CN=a'
    """
    try:
        return name.rfc4514_string()
    except Exception:
        return _raw_name_text(name)


def _raw_name_text(name: x509.Name) -> str:
    # A name that cryptography cannot render (odd string types, bad OIDs):
    # show its DER as hex so that two such names can still be told apart.
    try:
        return "#" + name.public_bytes().hex()
    except Exception:
        return "<unreadable name>"


def name_attributes(name: bytes) -> tuple[tuple[tuple[str, str], ...], ...] | None:
    """Each RDN of an encoded name as (dotted OID, value) pairs, the values as
    cryptography reads them, without building the name; ``None`` when a value is
    not a UTF8String, PrintableString or IA5String or does not decode (parse the
    name to know), or the layout is not a name's. Only for DER that cryptography
    has parsed (a certificate's), whose framing is known to be sound.

    >>> name_attributes(issuer_and_subject(root_der)[1])
    ((('2.5.4.6', 'US'),), (('2.5.4.3', 'Contoso Root CA'),))
    """
    try:
        if name[0] != _SEQUENCE or element_end(name, 0) != len(name):
            return None
        rdns = []
        position = content_start(name, 0)
        while position < len(name):  # RelativeDistinguishedName ::= SET OF
            rdn_end = element_end(name, position)
            if name[position] != _SET:
                return None
            attribute, pairs = content_start(name, position), []
            while attribute < rdn_end:  # AttributeTypeAndValue ::= SEQUENCE { type, value }
                oid = content_start(name, attribute)
                value = element_end(name, oid)
                value_end = element_end(name, value)
                if name[oid] != _OID or name[value] not in _TEXT_TAGS:
                    return None
                text = name[content_start(name, value) : value_end].decode("utf-8")
                pairs.append((_oid_text(name[content_start(name, oid) : value]), text))
                attribute = element_end(name, attribute)
            rdns.append(tuple(pairs))
            position = rdn_end
    except (IndexError, UnicodeDecodeError):
        return None
    return tuple(rdns)


@lru_cache(maxsize=256)  # a few attribute types recur in every name
def _oid_text(encoded: bytes) -> str:
    """An OBJECT IDENTIFIER's content octets as dotted text (X.690 8.19)."""
    arcs, value = [], 0
    for byte in encoded:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)  # the first two arcs share one number
    return ".".join(map(str, (first, arcs[0] - 40 * first, *arcs[1:])))


def subject_text(cert: x509.Certificate) -> str:
    """The certificate's subject as RFC 4514 text; never raises.

    >>> subject_text(cert)
    'CN=www.contoso.com,O=Contoso'
    """
    try:
        subject = cert.subject
    except Exception:
        return "<unreadable subject>"
    return name_text(subject)


def issuer_text(cert: x509.Certificate) -> str:
    """The certificate's issuer as RFC 4514 text; never raises.

    >>> issuer_text(cert)
    'CN=Contoso Issuing CA'
    """
    try:
        issuer = cert.issuer
    except Exception:
        return "<unreadable issuer>"
    return name_text(issuer)


def extension_value(
    cert: x509.Certificate, kind: type[_E], *, if_unreadable: _E | None = None
) -> _E | None:
    """The value of the certificate's extension of type ``kind``; ``None`` if absent.

    Never raises: extensions that cannot be parsed count as absent, or as
    ``if_unreadable`` when a caller must tell the two apart (OpenSSL refuses a
    certificate whose extended key usage it cannot read, where an absent one
    allows any purpose).

    >>> extension_value(cert, x509.BasicConstraints).ca
    False
    """
    oid = getattr(kind, "oid", None)  # a class attribute on all but UnrecognizedExtension
    try:
        if not isinstance(oid, x509.ObjectIdentifier):
            return cert.extensions.get_extension_for_class(kind).value
        # By OID, and by a loop: the class look-up tests every extension with an ABC
        # isinstance, and cryptography's look-up raises for an absent one (costly).
        for extension in cert.extensions:
            if extension.oid == oid:
                value = extension.value
                return value if type(value) is kind or isinstance(value, kind) else if_unreadable
    except x509.ExtensionNotFound:
        return None
    except Exception:
        return if_unreadable  # extensions that cannot be parsed at all
    return None


def is_ca(cert: x509.Certificate) -> bool:
    """Whether basic constraints say CA:TRUE; never raises (unreadable counts as no).

    >>> is_ca(root), is_ca(leaf)
    (True, False)
    """
    constraints = extension_value(cert, x509.BasicConstraints)
    return constraints is not None and constraints.ca


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    return extension_value(cert, x509.SubjectAlternativeName)


def dns_names(cert: x509.Certificate) -> tuple[str, ...]:
    """The SAN's dNSName entries, in the order they appear; ``()`` without a SAN.

    >>> dns_names(cert)
    ('www.contoso.com', '*.contoso.com')
    """
    san = _san(cert)
    if san is None:
        return ()
    try:
        return tuple(san.get_values_for_type(x509.DNSName))
    except Exception:
        return ()


def ip_addresses(cert: x509.Certificate) -> tuple[IpAddress, ...]:
    """The SAN's iPAddress entries (networks are not addresses and are left out).

    >>> ip_addresses(cert)
    (IPv4Address('10.0.0.4'),)
    """
    san = _san(cert)
    if san is None:
        return ()
    try:
        values = san.get_values_for_type(x509.IPAddress)
    except Exception:
        return ()
    return tuple(v for v in values if isinstance(v, ipaddress.IPv4Address | ipaddress.IPv6Address))


def common_names(cert: x509.Certificate) -> tuple[str, ...]:
    """The subject's common names (usually one; none on many modern leaves).

    >>> common_names(cert)
    ('www.contoso.com',)
    """
    try:
        attributes = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return tuple(a.value for a in attributes if isinstance(a.value, str))
    except Exception:
        return ()


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 literal (brackets allowed for IPv6).

    >>> is_ip("10.0.0.4"), is_ip("[::1]"), is_ip("contoso.com")
    (True, True, False)
    """
    return _parse_ip(host) is not None


def _parse_ip(host: str) -> IpAddress | None:
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" not in text and not _IPV4_CHARACTERS.issuperset(text):
        return None  # a host name: cheaper than the ValueError ipaddress would raise
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def matches_hostname(cert: x509.Certificate, host: str) -> bool:
    """Whether the certificate covers ``host`` (RFC 6125: SAN, else CN).

    A SAN, when present, is the only source of names; the subject CN counts
    only when there is no SAN at all. ``*.contoso.com`` covers
    ``www.contoso.com`` but neither ``contoso.com`` nor ``a.b.contoso.com``.
    IP literals match only IP SAN entries, never a CN or dNSName.

    >>> matches_hostname(cert, "WWW.Contoso.com")
    True
    """
    address = _parse_ip(host)
    if address is not None:
        return address in ip_addresses(cert)
    patterns = dns_names(cert) if _san(cert) is not None else common_names(cert)
    return _covered(patterns, host)


def matches_common_name(cert: x509.Certificate, host: str) -> bool:
    """Whether the subject's common name covers ``host``, SAN or not (v1 gateways' rule).

    Same wildcard and case rules as :func:`matches_hostname`; IP literals
    compare as text.

    >>> matches_common_name(cert, "www.contoso.com")
    True
    """
    return _covered(common_names(cert), host)


def _covered(patterns: tuple[str, ...], host: str) -> bool:
    wanted = _normalise(host)
    return bool(wanted) and any(_pattern_matches(_normalise(p), wanted) for p in patterns)


def _normalise(name: str) -> str:
    # Host names compare case-insensitively; a trailing dot is the DNS root;
    # certificates carry internationalised names in their ASCII (A-label) form.
    text = name.strip().rstrip(".").lower()
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return ""  # not a valid host name: matches nothing
    return text


def _pattern_matches(pattern: str, host: str) -> bool:
    if not pattern:
        return False
    if not pattern.startswith("*."):
        return "*" not in pattern and pattern == host
    suffix = pattern[2:]
    # The wildcard is the whole left-most label and stands for exactly one
    # label; a pattern such as "*.com" (a single label after it) is refused.
    if "*" in suffix or "." not in suffix:
        return False
    first, dot, rest = host.partition(".")
    return bool(first) and bool(dot) and rest == suffix
