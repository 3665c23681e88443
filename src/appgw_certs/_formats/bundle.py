"""Certificates and keys from whatever file people have: PEM, DER, PKCS#7, PKCS#12, base64.

The format is sniffed from the bytes (``sniff``), never from a file name; PEM
is split into blocks by ``pem``; PKCS#12 is read by ``pfx``, keys by
``private_keys``. A :class:`Bundle` keeps what checks want to know about how
the input looked (PEM labels, text around blocks, base64 or UTF-16 wrapping).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .._errors import (
    MAX_BUNDLE_CERTIFICATES,
    MAX_INPUT_BYTES,
    CertificateFormatError,
    PfxPasswordError,
    tolerating_deprecated_encodings,
    translate_errors,
)
from .inputs import CertSource, Password, PrivateKey, check_size, encode_password, read_bytes
from .pem import (
    CERT_LABELS,
    KEY_LABELS,
    PKCS7_LABELS,
    PemBlock,
    no_certificate_message,
    pem_blocks,
    split_pem,
)
from .pkcs7 import degenerate_certificates
from .private_keys import der_key, load_private_key, optional_pem_key
from .sharing import pooled, pooled_der_certificate, sharing, sharing_parsed_certificates
from .sniff import is_pkcs7_der, sniff_format, unwrap_base64

if TYPE_CHECKING:
    from .pfx import Pfx

# With the loaders: PEM, sniffing and key names that the layers above import from here.
__all__ = [
    "CERT_LABELS",
    "KEY_LABELS",
    "Bundle",
    "PemBlock",
    "load_bundle",
    "load_certificates",
    "load_der_certificate",
    "load_private_key",
    "parse_certificates",
    "pem_blocks",
    "sharing_parsed_certificates",
    "sniff_format",
    "unwrap_base64",
]

Format = Literal["pem", "der", "pkcs7", "pkcs12"]

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Bundle:
    """Everything one input holds: certificates in file order, maybe a key, and how it looked.

    ``pem_extra_text`` is True when non-whitespace text surrounds or separates
    PEM blocks; ``pem_labels`` lists every PEM block's label in order.
    ``base64_wrapped`` is True when the input was base64 text of the format;
    ``utf16`` when it was UTF-16 text (Windows PowerShell's ``Out-File``).
    """

    certificates: list[x509.Certificate]
    private_key: PrivateKey | None = field(repr=False)
    format: Format
    pem_extra_text: bool = False
    pem_labels: tuple[str, ...] = ()
    base64_wrapped: bool = False
    utf16: bool = False
    pfx: Pfx | None = field(default=None, repr=False)

    @property
    def has_private_key(self) -> bool:
        """A key was read, or a private-key PEM block was seen (even one not decrypted)."""
        return self.private_key is not None or not KEY_LABELS.isdisjoint(self.pem_labels)


# --- public ---------------------------------------------------------------


def load_certificates(source: CertSource) -> list[x509.Certificate]:
    """Every certificate in ``source``, in file order.

    ``source``: PEM/DER/PKCS#7/PKCS#12 (no password) ``bytes``; PEM text as
    ``str``; a ``pathlib.Path``; certificates, passed through.

    >>> certs = load_certificates(Path("chain.pem"))   # doctest: +SKIP
    >>> [c.subject.rfc4514_string() for c in certs]
    ['CN=www.contoso.com', 'CN=Contoso Issuing CA', 'CN=Contoso Root CA']
    """
    if isinstance(source, bytes):
        if len(source) <= MAX_INPUT_BYTES:  # the common shapes first, without a detour
            certs = _common_case(source)
            if certs is not None:
                return certs
        return parse_certificates(source)
    if isinstance(source, x509.Certificate):
        return [source]
    data = _source_bytes(source)
    if data is None:
        return _certificate_list(source)
    return parse_certificates(data)


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from bytes of any format (PKCS#12 only without a password).

    >>> parse_certificates(pem_bytes)   # doctest: +SKIP
    [<Certificate(subject=<Name(CN=www.contoso.com)>, ...)>]
    """
    check_size(data)
    certs = _common_case(data)
    if certs is not None:
        return certs
    bundle = _parse(data, None, want_key=False)
    return _require_certificates(bundle)


def _common_case(data: bytes) -> list[x509.Certificate] | None:
    """The common shapes straight to cryptography: one DER certificate, a PKCS#7
    DER bundle, PEM of CERTIFICATE blocks only (text around them is fine).

    Anything else, or any failure, returns None and takes the general path,
    which says precisely what is wrong.
    """
    if data[:1] == b"0":
        try:
            if is_pkcs7_der(data):
                return _pkcs7_der(data)
            return [pooled_der_certificate(data)]
        except Exception:  # InvalidVersion and the like too: the general path explains
            return None
    blocks = data.count(b"-----BEGIN CERTIFICATE-----")
    if not blocks or blocks > MAX_BUNDLE_CERTIFICATES or not _only_certificate_blocks(data, blocks):
        return None
    try:
        certs = x509.load_pem_x509_certificates(data)
    except Exception:
        return None
    return pooled(certs) if len(certs) == blocks else None


def _only_certificate_blocks(data: bytes, blocks: int) -> bool:
    """Every BEGIN line is a CERTIFICATE one, with as many END lines. Pairing each
    END with its BEGIN is cryptography's to check: a block it does not read makes
    the count of certificates fall short, and the general path explains."""
    return data.count(b"-----BEGIN ") == blocks and data.count(b"-----END ") == blocks


def load_bundle(source: CertSource, password: Password = None) -> Bundle:
    """Certificates, private key and format facts of one input (for checks).

    ``password`` opens a PKCS#12 or an encrypted PEM/DER key. Without it, an
    encrypted PEM key is reported by label only (``private_key`` is None).

    >>> bundle = load_bundle(Path("upload.cer"))   # doctest: +SKIP
    >>> bundle.format, bundle.pem_extra_text, bundle.pem_labels
    ('pem', True, ('CERTIFICATE',))
    """
    if isinstance(source, x509.Certificate):
        return Bundle([source], None, "der")
    data = _source_bytes(source)
    if data is None:
        return Bundle(_certificate_list(source), None, "der")
    return _parse(data, encode_password(password), want_key=True)


# --- inputs ------------------------------------------------------------------


def _source_bytes(source: object) -> bytes | None:
    """Bytes of a bytes/str/path source; ``None`` for an iterable of certificates."""
    if isinstance(source, str):
        return _text_bytes(source)
    if isinstance(source, bytes | bytearray | memoryview | os.PathLike):
        return read_bytes(source)
    return None


def _text_bytes(text: str) -> bytes:
    check_size(text)
    data = text.encode("utf-8", errors="replace")
    if b"-----BEGIN " in data or unwrap_base64(data.strip()) is not None:
        return data
    raise CertificateFormatError(
        "this text holds no PEM block (-----BEGIN CERTIFICATE-----); "
        "to read a file, pass pathlib.Path(...) instead of a str"
    )


def _certificate_list(source: object) -> list[x509.Certificate]:
    if not isinstance(source, Iterable):
        raise TypeError(
            "expected bytes, str (PEM text), a pathlib.Path or certificates, "
            f"got {type(source).__name__}"
        )
    certs = list(source)
    for cert in certs:
        if not isinstance(cert, x509.Certificate):
            raise TypeError(
                f"an iterable source must hold x509.Certificate, not {type(cert).__name__}"
            )
    return certs


def _utf16_to_ascii(data: bytes) -> bytes | None:
    try:
        return data.decode("utf-16").encode("ascii")
    except UnicodeError:
        return None


# --- parsing -----------------------------------------------------------------


def _parse(data: bytes, password: bytes | None, *, want_key: bool) -> Bundle:
    with tolerating_deprecated_encodings():
        return _parse_format(data, password, want_key=want_key)


def _parse_format(data: bytes, password: bytes | None, *, want_key: bool) -> Bundle:
    if data[:2] in _UTF16_BOMS:  # Windows PowerShell's Out-File writes PEM as UTF-16
        text = _utf16_to_ascii(data)
        if text is not None:
            return replace(_parse_format(text, password, want_key=want_key), utf16=True)
    fmt = sniff_format(data)
    if fmt == "base64":
        inner = unwrap_base64(data)
        if inner is None:
            raise CertificateFormatError(_undecodable_text(data))
        return replace(_parse_format(inner, password, want_key=want_key), base64_wrapped=True)
    if fmt == "pem":
        return _parse_pem(data, password, want_key=want_key)
    if fmt == "pkcs12":
        from .pfx import load_pfx  # deferred: the PFX decoders load for a PFX only

        pfx = load_pfx(data, password)
        certs = [pfx.certificate, *pfx.chain] if pfx.certificate is not None else []
        return Bundle(certs, pfx.private_key, "pkcs12", pfx=pfx)
    if fmt == "pkcs7":
        return Bundle(_pkcs7_der(data), None, "pkcs7")
    if fmt == "der":
        return _parse_der(data, password, want_key=want_key)
    if fmt == "empty":
        raise CertificateFormatError("the input is empty: expected a certificate file")
    raise CertificateFormatError(
        "not a certificate file: expected PEM (-----BEGIN CERTIFICATE-----), DER, "
        "PKCS#7 (.p7b) or PKCS#12 (.pfx)"
    )


def _undecodable_text(data: bytes) -> str:
    """Why text of base64's alphabet is no certificate file: "base64" only when it
    reads as base64 (almost nothing but its alphabet between line breaks), not for
    words and spaces."""
    body = data.replace(b"\r", b"").replace(b"\n", b"")
    blanks = len(body) - len(body.translate(None, b" \t\f\v"))
    if blanks <= len(body) // 20:  # a stray space or two in pasted base64
        return (
            "this looks like base64 text but does not decode to a certificate file: "
            "check that it was copied whole"
        )
    return (
        "this is text with no PEM block (-----BEGIN CERTIFICATE-----) in it: "
        "expected PEM, DER, PKCS#7 (.p7b) or PKCS#12 (.pfx)"
    )


def _parse_pem(data: bytes, password: bytes | None, *, want_key: bool) -> Bundle:
    blocks, extra_text = split_pem(data)
    _check_count(sum(block.label in CERT_LABELS for block in blocks))  # before parsing any
    certs: list[x509.Certificate] = []
    for block in blocks:
        if block.label in CERT_LABELS:
            certs.append(_pem_certificate(block))
        elif block.label in PKCS7_LABELS:
            certs.extend(_pkcs7_der(block.der()))
    _check_count(len(certs))  # PKCS#7 blocks add theirs
    key = optional_pem_key(blocks, password) if want_key else None
    fmt: Format = "pem"
    return Bundle(certs, key, fmt, extra_text, tuple(b.label for b in blocks))


def load_der_certificate(der: bytes) -> x509.Certificate:
    """One DER certificate, read as the loaders read it (shared inside
    ``sharing_parsed_certificates``, no warning for a serial number <= 0);
    raises what cryptography raises.

    >>> load_der_certificate(der).subject   # doctest: +SKIP
    """
    with tolerating_deprecated_encodings():
        return pooled_der_certificate(der)


def _pem_certificate(block: PemBlock) -> x509.Certificate:
    der = block.certificate_der()
    with translate_errors(f"the PEM block {block.label!r}"):
        return pooled_der_certificate(der)


def _pkcs7_der(der: bytes) -> list[x509.Certificate]:
    # A certificates-only bundle is read quickly (inside an audit each certificate
    # as the loaders read one: shared, its DER kept); anything else by OpenSSL.
    certs = degenerate_certificates(der, pooled_der_certificate if sharing() else None)
    if certs is None:
        certs = pooled(_pkcs7_by_openssl(der))
    _check_count(len(certs))
    return certs


def _pkcs7_by_openssl(der: bytes) -> list[x509.Certificate]:
    # deferred: cryptography's pkcs7 module loads the email package's S/MIME writers
    from cryptography.hazmat.primitives.serialization import pkcs7

    with translate_errors("the PKCS#7 (.p7b) bundle"), warnings.catch_warnings():
        # cryptography warns "PKCS#7 certificates could not be parsed as DER" when
        # a SET OF is not in DER order (openssl crl2pkcs7 writes them so); the
        # certificates are still read correctly. It is the loader's one warning,
        # and a category filter is cheaper than a message filter (which compiles
        # a regular expression on every call).
        warnings.simplefilter("ignore", UserWarning)
        return pkcs7.load_der_pkcs7_certificates(der)


def _check_count(count: int) -> None:
    if count > MAX_BUNDLE_CERTIFICATES:
        raise CertificateFormatError(
            f"this bundle holds {count:,} certificates, over the limit of "
            f"{MAX_BUNDLE_CERTIFICATES:,}: a chain has a handful; check that this is the right file"
        )


def _parse_der(data: bytes, password: bytes | None, *, want_key: bool) -> Bundle:
    try:
        return Bundle([pooled_der_certificate(data)], None, "der")
    except Exception as exc:  # ValueError, InvalidVersion, ...: see what else it is
        cert_error = exc
    if want_key:
        try:
            return Bundle([], der_key(data, password), "der")
        except PfxPasswordError:
            raise
        except CertificateFormatError:
            pass
    raise CertificateFormatError(_what_der_is(data, cert_error)) from cert_error


def _what_der_is(data: bytes, cert_error: Exception) -> str:
    """A message saying what DER bytes that are not a certificate hold."""
    probes: list[tuple[str, object]] = [
        (
            "a certificate signing request (CSR), not a certificate: submit it to a CA "
            "and use the certificate it returns",
            x509.load_der_x509_csr,
        ),
        ("a private key, not a certificate", lambda d: serialization.load_der_private_key(d, None)),
        ("a bare public key, not a certificate", serialization.load_der_public_key),
        ("a certificate revocation list (CRL), not a certificate", x509.load_der_x509_crl),
    ]
    for what, loader in probes:
        try:
            loader(data)  # type: ignore[operator]
        except TypeError:  # an encrypted private key (no password given)
            if "private key" in what:
                return f"this is {what}"
        except Exception:  # noqa: S112 - probing: not this kind
            continue
        else:
            return f"this is {what}"
    reason = str(cert_error).strip().splitlines()[0][:200] if str(cert_error).strip() else ""
    return (
        f"could not read the DER certificate ({reason or type(cert_error).__name__}): the "
        "bytes are corrupt or not a certificate (expected X.509 DER, PEM, PKCS#7 or PKCS#12)"
    )


def _require_certificates(bundle: Bundle) -> list[x509.Certificate]:
    if bundle.certificates:
        return bundle.certificates
    if bundle.format == "pkcs12":
        raise CertificateFormatError("the PFX holds no certificate")
    if bundle.format == "pkcs7":
        raise CertificateFormatError("the PKCS#7 bundle holds no certificate")
    raise CertificateFormatError(no_certificate_message(bundle.pem_labels))
