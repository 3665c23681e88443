"""A few fields read straight from a certificate's DER, without building its objects;
the framing of DER elements.

cryptography builds a name's Python objects on its first read. An audit asks
questions of most certificates that the encoding answers for less: is this
issuer that subject (the same bytes are the same name, and different common
names are different names), and could the subject be a trust anchor's (one
attribute value, looked up).

The names are read only from DER that cryptography has already parsed, so its
framing is known to be sound; anything unexpected gives ``None`` and the caller
reads the parsed names instead. The framing helpers (where an element's content
starts and ends, how a length is encoded) also serve format sniffing and the
declarative decoders, which wrap and unwrap elements.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat import asn1

__all__ = [
    "ber_elements",
    "compare_encoded_names",
    "content_start",
    "der_length",
    "element_end",
    "issuer_and_subject",
    "last_attribute_text",
    "tlv_encoding",
]

# String types whose value cryptography gives as the UTF-8 (or ASCII) text of
# the bytes. Others (BMPString, UniversalString, T61String...) are left to it.
_UTF8_STRING, _PRINTABLE_STRING, _IA5_STRING = 0x0C, 0x13, 0x16
_TEXT_TAGS = frozenset({_UTF8_STRING, _PRINTABLE_STRING, _IA5_STRING})
_SEQUENCE, _SET = 0x30, 0x31


def issuer_and_subject(der: bytes) -> tuple[bytes, bytes] | None:
    """The issuer and subject elements of a parsed certificate's DER; ``None`` if the
    layout is not as expected.

    >>> issuer, subject = issuer_and_subject(root_der)
    >>> issuer == subject
    True
    """
    try:
        position = content_start(der, 0)  # Certificate ::= SEQUENCE {
        position = content_start(der, position)  # tbsCertificate SEQUENCE {
        if der[position] == 0xA0:  # [0] version, absent for v1
            position = element_end(der, position)
        position = element_end(der, position)  # serialNumber
        position = element_end(der, position)  # signature AlgorithmIdentifier
        issuer_end = element_end(der, position)
        subject_start = element_end(der, issuer_end)  # validity
        subject_end = element_end(der, subject_start)
    except IndexError:
        return None
    if der[position] != _SEQUENCE or der[subject_start] != _SEQUENCE or subject_end > len(der):
        return None
    return der[position:issuer_end], der[subject_start:subject_end]


def compare_encoded_names(a: bytes, b: bytes) -> bool | None:
    """Whether two encoded names are equal as cryptography compares parsed ones
    (attribute types and values, in order): ``True`` for the same bytes, ``False``
    when their last RDNs hold one attribute each with different text, else
    ``None`` (parse them to know: other string types, attribute orders...).

    >>> compare_encoded_names(leaf_issuer, ca_subject)
    True
    >>> compare_encoded_names(leaf_issuer, leaf_subject)
    False
    """
    if a == b:
        return True
    first, second = last_attribute_text(a), last_attribute_text(b)
    if first is not None and second is not None and first != second:
        return False
    return None


@lru_cache(maxsize=4096)  # a CA's subject is compared with every leaf's issuer
def last_attribute_text(name: bytes) -> str | None:
    """The value of the one attribute of a name's last RDN (usually its CN), as
    cryptography reads it, when it is a UTF8String, PrintableString or IA5String;
    else ``None`` (an empty name, a last RDN of several attributes, another string
    type, bytes that do not decode).

    >>> last_attribute_text(subject)
    'Contoso Root CA'
    """
    try:
        end = element_end(name, 0)
        position = content_start(name, 0)
        last = None
        while position < end:  # to the last RDN
            last, position = position, element_end(name, position)
        if last is None or name[0] != _SEQUENCE or name[last] != _SET or position != end:
            return None
        attribute = content_start(name, last)  # AttributeTypeAndValue SEQUENCE {
        if name[attribute] != _SEQUENCE or element_end(name, attribute) != end:
            return None  # not the SET's one attribute
        value = element_end(name, content_start(name, attribute))  # after the type
        value_end = element_end(name, value)
        if name[value] not in _TEXT_TAGS or value_end > end:
            return None
        return name[content_start(name, value) : value_end].decode("utf-8")
    except (IndexError, UnicodeDecodeError):
        return None


def content_start(der: bytes, position: int) -> int:
    """Where the content of the element at ``position`` starts (single-byte tags)."""
    first = der[position + 1]
    if first < 0x80:
        return position + 2
    return position + 2 + (first & 0x7F)


def element_end(der: bytes, position: int) -> int:
    """Where the element at ``position`` ends (single-byte tags, definite lengths)."""
    first = der[position + 1]
    if first < 0x80:
        return position + 2 + first
    count = first & 0x7F
    start = position + 2 + count
    return start + int.from_bytes(der[position + 2 : start], "big")


def der_length(size: int) -> bytes:
    """The DER length octets of a content of ``size`` bytes (the shortest form)."""
    if size < 0x80:
        return bytes((size,))
    digits = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(digits),)) + digits


def tlv_encoding(element: asn1.TLV) -> bytes:
    """The DER of an element cryptography's declarative decoder left undecoded: its
    tag, its length (the shortest form, which the decoder enforced), its content."""
    content = element.data
    return element.tag_bytes + der_length(len(content)) + bytes(content)


def ber_elements(data: bytes, limit: int) -> int:
    """How many elements a BER encoding holds, counting those inside constructed ones
    (and the end-of-contents of indefinite lengths); stops counting past ``limit``.

    A linear scan, no decoding: a constructed element's content is a run of elements,
    scanned in turn; a primitive one is stepped over. Bytes that are not BER end the
    count (a decoder then says what is wrong). A constructed OCTET STRING of three
    one-byte chunks, indefinite length, is five elements: itself, three chunks, and
    its end-of-contents.
    """
    count, position, size = 0, 0, len(data)
    while position + 1 < size and count <= limit:
        tag, position = data[position], position + 1
        if tag & 0x1F == 0x1F:  # a tag number in the long form: its bytes, then the length
            while position < size and data[position] & 0x80:
                position += 1
            position += 1
        if position >= size:
            break
        first, position = data[position], position + 1
        count += 1
        if first == 0x80 or tag & 0x20:  # indefinite or constructed: its elements follow
            position += first & 0x7F if first > 0x80 else 0
            continue
        length = first
        if first > 0x80:
            length = int.from_bytes(data[position : position + (first & 0x7F)], "big")
            position += first & 0x7F
        position += length
    return count
