"""The certificates of a certificates-only PKCS#7 bundle, read by cryptography's ASN.1 decoder.

A ``.p7b`` export and a gateway's ``publicCertData`` are "degenerate" SignedData
(RFC 2315 §9.1, RFC 5652 §5.1): certificates, no signers, no content.
cryptography's ``load_der_pkcs7_certificates`` reads any PKCS#7 with OpenSSL
and then reads it again in Rust, which costs many times what reading the
certificates alone does. This module declares the degenerate layout for
cryptography's own declarative decoder (``cryptography.hazmat.asn1``, new in
47.0, documented as not yet stable), reads that, and hands each certificate's
DER to a loader: little more than the certificates cost alone.

It is a fast path only. :func:`degenerate_certificates` returns ``None`` for
anything outside the layout (signers, CRLs, BER, other certificate choices, no
certificates), for a cryptography without the module, and if the module ever
changes under us; the caller then asks ``load_der_pkcs7_certificates``, which
stays the authority for what a bundle holds. Within the layout the two agree
(tested across cryptography-vectors and openssl-written bundles).
"""

# No ``from __future__ import annotations``: the decoder reads the field types
# from the annotations, which must be evaluated where the classes are declared.
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from cryptography import x509

from .der import tlv_encoding

__all__ = ["degenerate_certificates"]

_SIGNED_DATA = "1.2.840.113549.1.7.2"
_DATA = "1.2.840.113549.1.7.1"

_Decoder = Callable[[bytes], list[Any] | None]
_Loader = Callable[[bytes], x509.Certificate]


def degenerate_certificates(
    der: bytes, load: _Loader | None = None
) -> list[x509.Certificate] | None:
    """The certificates of a certificates-only SignedData in DER, in encoded order;
    ``None`` when ``der`` is anything else (ask ``load_der_pkcs7_certificates``).

    With ``load``, each certificate's DER goes to it: an audit's loader reads an
    issuing CA that every bundle holds once, and keeps the DER. Without, the
    decoder reads the certificates itself (faster: no DER is rebuilt).

    >>> degenerate_certificates(p7b_der)   # doctest: +SKIP
    [<Certificate(subject=<Name(CN=www.contoso.com)>, ...)>, ...]
    """
    decode = _decoder(as_der=load is not None)
    if decode is None:
        return None
    try:
        found = decode(der)
        if found is None or load is None:
            return found
        return [load(tlv_encoding(element)) for element in found]
    except Exception:  # ValueError for what the layout does not fit, or an API change
        return None


@cache
def _decoder(*, as_der: bool) -> _Decoder | None:
    try:
        return _declare(as_der=as_der)
    except Exception:  # ImportError before cryptography 47; a changed API after it
        return None


def _declare(*, as_der: bool) -> _Decoder:
    from cryptography.hazmat import asn1  # on use: absent before cryptography 47

    # The members as certificates, or as elements whose DER a loader reads.
    member = asn1.TLV if as_der else x509.Certificate

    @asn1.sequence
    class ContentInfo:
        content_type: x509.ObjectIdentifier
        content: Annotated[asn1.TLV, asn1.Explicit(0)]

    @asn1.sequence
    class EncapsulatedContentInfo:
        content_type: x509.ObjectIdentifier
        content: Annotated[bytes | None, asn1.Explicit(0)]

    @asn1.sequence
    class SignedData:
        version: int
        digest_algorithms: asn1.SetOf[asn1.TLV]
        encap_content_info: EncapsulatedContentInfo
        # [0] IMPLICIT SET OF: declared as a SEQUENCE OF, whose tag the IMPLICIT
        # replaces alike, so that certificates in any order are read (openssl
        # crl2pkcs7 does not sort them; OpenSSL reads them as they come).
        certificates: Annotated[list[member] | None, asn1.Implicit(0)]  # type: ignore[valid-type]
        crls: Annotated[list[asn1.TLV] | None, asn1.Implicit(1)]
        signer_infos: asn1.SetOf[asn1.TLV]

    def decode(der: bytes) -> list[Any] | None:
        info = asn1.decode_der(ContentInfo, der)
        if info.content_type.dotted_string != _SIGNED_DATA:
            return None
        signed = info.content.parse(SignedData)
        encapsulated = signed.encap_content_info
        outside_layout = (
            not signed.certificates
            or signed.crls is not None
            or signed.digest_algorithms.as_list()
            or signed.signer_infos.as_list()
            or encapsulated.content_type.dotted_string != _DATA
            or encapsulated.content is not None
        )
        return None if outside_layout else list(signed.certificates or ())

    return decode
