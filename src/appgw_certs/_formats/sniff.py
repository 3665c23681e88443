"""What a file is, from its first bytes: PEM, PKCS#12, PKCS#7, DER, base64 text.

The format is sniffed from the bytes, never from a file name, and without
parsing anything: the loaders decide what the bytes really hold.
"""

from __future__ import annotations

import base64
import binascii
import re

from .der import content_start

__all__ = [
    "could_be_pfx",
    "decode_base64_body",
    "is_pkcs7_der",
    "sniff_format",
    "unwrap_base64",
]

_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")
_WHITESPACE = re.compile(rb"\s+")
# The start of a DER content, as bytes: PKCS#7's signedData OID (a ContentInfo's
# first field) and PKCS#12's version 3 (a PFX's first field).
_PKCS7_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
_PFX_VERSION_3 = bytes.fromhex("020103")
_SEQUENCE, _INTEGER = 0x30, 0x02
# Tags in the long form (X.690 8.1.2.4), which BER decoders such as pyasn1 read
# even for tag numbers that have a short form.
_LONG_FORM_CONSTRUCTED, _LONG_FORM_PRIMITIVE = 0x3F, 0x1F


def sniff_format(data: bytes) -> str:
    """``"pem"``, ``"pkcs12"``, ``"pkcs7"``, ``"der"``, ``"base64"``, ``"empty"`` or ``"unknown"``.

    Only looks at the first bytes (and checks the alphabet for base64).

    >>> sniff_format(Path("site.pfx").read_bytes())   # doctest: +SKIP
    'pkcs12'
    """
    if not data or data.isspace():  # no copy, unlike strip()
        return "empty"
    if b"-----BEGIN " in data:
        return "pem"
    if data[0] == _SEQUENCE:
        offset = _content_offset(data)
        if data.startswith(_PFX_VERSION_3, offset):
            return "pkcs12"
        if data.startswith(_PKCS7_SIGNED_DATA, offset):
            return "pkcs7"
        return "der"
    if _BASE64_TEXT.fullmatch(data):
        return "base64"
    return "unknown"


def is_pkcs7_der(data: bytes) -> bool:
    """Whether ``data`` starts as a PKCS#7 SignedData in DER (or BER) does."""
    return data[:1] == b"0" and data.startswith(_PKCS7_SIGNED_DATA, _content_offset(data))


def could_be_pfx(data: bytes) -> bool:
    """``False`` when no BER decoder could read ``data`` as a PFX: it is not a
    SEQUENCE whose first field is an INTEGER (RFC 7292's version). PEM, base64
    text, a certificate and PKCS#7 are told apart here, without a decoder.

    >>> could_be_pfx(b"-----BEGIN CERTIFICATE-----"), could_be_pfx(cert_der)   # doctest: +SKIP
    (False, False)
    """
    if data[:1] == bytes((_LONG_FORM_CONSTRUCTED,)):
        return True  # a SEQUENCE tag in the long form: the decoder says what it is
    if data[:1] != bytes((_SEQUENCE,)) or len(data) < 2:
        return False
    offset = content_start(data, 0)
    return offset < len(data) and data[offset] in (_INTEGER, _LONG_FORM_PRIMITIVE)


def unwrap_base64(data: bytes) -> bytes | None:
    """The bytes a base64 text encodes, when it is base64 of DER; else ``None``.

    For values pasted from the portal, ARM templates and ``az`` output.
    """
    if not _BASE64_TEXT.fullmatch(data):
        return None
    try:
        decoded = decode_base64_body(data)
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded[:1] == b"0" else None


def decode_base64_body(body: bytes) -> bytes:
    """Base64 with any whitespace in it (a PEM body); raises ``binascii.Error``."""
    return base64.b64decode(_WHITESPACE.sub(b"", body), validate=True)


def _content_offset(data: bytes) -> int:
    """Where the outer DER/BER element's content starts, best effort (a BER
    indefinite length: right after its header)."""
    return 2 if len(data) < 2 else content_start(data, 0)
