"""PEM blocks, as found: their labels, their bodies, and whether text surrounds them.

PEM is split here (not by ``cryptography``) so that checks can see what else
the file held: the labels of every block and whether there was text around them.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .._errors import CertificateFormatError
from .der import element_end
from .sniff import decode_base64_body

__all__ = [
    "CERT_LABELS",
    "KEY_LABELS",
    "PKCS7_LABELS",
    "PemBlock",
    "certificate_ders",
    "no_certificate_message",
    "pem_blocks",
    "split_pem",
]

CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
PKCS7_LABELS = frozenset({"PKCS7", "CMS", "PKCS #7 SIGNED DATA"})
KEY_LABELS = frozenset(
    {
        "PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
    }
)
_WHAT_LABEL_IS = {
    "CERTIFICATE REQUEST": "a certificate signing request (CSR), not a certificate: "
    "submit it to a CA and use the certificate it returns",
    "NEW CERTIFICATE REQUEST": "a certificate signing request (CSR), not a certificate: "
    "submit it to a CA and use the certificate it returns",
    "PUBLIC KEY": "a bare public key, not a certificate",
    "RSA PUBLIC KEY": "a bare public key, not a certificate",
    "X509 CRL": "a certificate revocation list (CRL), not a certificate",
    "PARAMETERS": "key parameters, not a certificate",
    "EC PARAMETERS": "key parameters, not a certificate",
}
_MARKER = re.compile(rb"-----(BEGIN|END) ([^-\r\n]{1,80})-----")


@dataclass(frozen=True)
class PemBlock:
    """One ``-----BEGIN label-----`` ... ``-----END label-----`` block, as found."""

    label: str
    text: bytes  # the whole block, BEGIN line to END line

    @property
    def encrypted_header(self) -> bool:
        """Whether the block has RFC 1421 headers (``Proc-Type: 4,ENCRYPTED``)."""
        return b"Proc-Type:" in self.text

    def der(self) -> bytes:
        """The block's base64 body decoded; :class:`CertificateFormatError` if broken."""
        body = self.text[self.text.index(b"-----", 5) + 5 : self.text.rindex(b"-----END")]
        try:
            return decode_base64_body(body)
        except (binascii.Error, ValueError) as exc:
            raise CertificateFormatError(
                f"the PEM block {self.label!r} has broken base64 (damaged when copied?): "
                "copy the file again, BEGIN to END line"
            ) from exc

    def certificate_der(self) -> bytes:
        """The certificate's DER: without the trust settings that OpenSSL's
        ``-trustout`` appends in a ``TRUSTED CERTIFICATE`` block."""
        der = self.der()
        if self.label != "TRUSTED CERTIFICATE":
            return der
        return der[: _first_element_length(der)]


def pem_blocks(data: bytes) -> list[PemBlock]:
    """The PEM blocks in ``data``, in order; an unterminated block raises.

    Runs in linear time on any input (markers are paired in one pass).

    >>> [b.label for b in pem_blocks(pem_bytes)]   # doctest: +SKIP
    ['CERTIFICATE', 'CERTIFICATE']
    """
    return split_pem(data)[0]


def split_pem(data: bytes) -> tuple[list[PemBlock], bool]:
    """The PEM blocks in ``data``, and whether non-whitespace text surrounds or separates them."""
    blocks: list[PemBlock] = []
    extra_text = False
    position = 0
    begin: re.Match[bytes] | None = None
    for marker in _MARKER.finditer(data):
        kind, label = marker.group(1), marker.group(2)
        if kind == b"BEGIN":
            if begin is not None:
                raise _unterminated(begin)
            extra_text = extra_text or bool(data[position : marker.start()].strip())
            begin = marker
        elif begin is not None and label == begin.group(2):
            blocks.append(
                PemBlock(label.decode("ascii", "replace"), data[begin.start() : marker.end()])
            )
            position = marker.end()
            begin = None
        else:
            raise CertificateFormatError(
                f"a PEM END line ({label.decode('ascii', 'replace')!r}) has no matching "
                "BEGIN line: the file is damaged"
            )
    if begin is not None:
        raise _unterminated(begin)
    extra_text = extra_text or bool(data[position:].strip())
    return blocks, extra_text


def no_certificate_message(labels: tuple[str, ...]) -> str:
    """What to tell someone whose PEM holds these blocks and no certificate."""
    if not labels:
        return "no PEM block found: expected -----BEGIN CERTIFICATE-----"
    for label in labels:
        if label in KEY_LABELS:
            return (
                f"this PEM holds a private key ({label}) but no certificate: "
                "pass the certificate (.cer/.crt/.pem) file"
            )
        if label in _WHAT_LABEL_IS:
            return f"this PEM holds {_WHAT_LABEL_IS[label]}"
    return f"no certificate in this PEM (blocks found: {', '.join(labels)})"


def _unterminated(begin: re.Match[bytes]) -> CertificateFormatError:
    label = begin.group(2).decode("ascii", "replace")
    return CertificateFormatError(
        f"the PEM block {label!r} has no END line: the file is truncated; copy it again whole"
    )


def _first_element_length(der: bytes) -> int:
    """Total length of the first DER element (for TRUSTED CERTIFICATE's trailing data)."""
    if len(der) < 2 or der[1] == 0x80:  # too short, or a BER indefinite length
        return len(der)
    return element_end(der, 0)


_CERT_BEGIN = b"-----BEGIN CERTIFICATE-----"
_CERT_END = b"-----END CERTIFICATE-----"


def certificate_ders(bundle: bytes) -> Iterator[bytes]:
    """The DER of each ``CERTIFICATE`` block of a plain PEM bundle (a trust store such
    as certifi's), split on the end markers: faster than :func:`pem_blocks` for a large
    file whose other text does not matter. Blocks whose base64 is broken are skipped."""
    for chunk in bundle.split(_CERT_END):
        start = chunk.find(_CERT_BEGIN)
        if start < 0:
            continue
        try:
            yield binascii.a2b_base64(chunk[start + len(_CERT_BEGIN) :])
        except binascii.Error:
            continue
