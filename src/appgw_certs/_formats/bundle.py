"""Certificates and keys from whatever file people have: PEM, DER, PKCS#7, PKCS#12, base64.

The format is sniffed from the bytes, never from a file name. PEM is split
here (not by ``cryptography``) so that checks can see what else the file held:
the labels of every block and whether there was text around them.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from .._errors import (
    MAX_BUNDLE_CERTIFICATES,
    MAX_INPUT_BYTES,
    AppGwCertError,
    CertificateFormatError,
    PfxPasswordError,
    tolerating_deprecated_encodings,
    translate_errors,
)
from .der import content_start, element_end
from .inputs import CertSource, Password, PrivateKey, check_size, encode_password, read_bytes
from .pfx import Pfx, check_encrypted_key_info, load_pfx
from .pkcs7 import degenerate_certificates
from .sharing import pooled, pooled_der_certificate, sharing, sharing_parsed_certificates

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

CERT_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
_PKCS7_LABELS = frozenset({"PKCS7", "CMS", "PKCS #7 SIGNED DATA"})
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
_BASE64_TEXT = re.compile(rb"[A-Za-z0-9+/=\s]+")
_WHITESPACE = re.compile(rb"\s+")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# OIDs as DER: PKCS#7 signedData, the start of a PKCS#7 ContentInfo.
_PKCS7_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")
_PFX_VERSION_3 = bytes.fromhex("020103")


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
            return base64.b64decode(_WHITESPACE.sub(b"", body), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CertificateFormatError(
                f"the PEM block {self.label!r} has broken base64 (damaged when copied?): "
                "copy the file again, BEGIN to END line"
            ) from exc


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
            if data.startswith(_PKCS7_SIGNED_DATA, _content_offset(data)):
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


def load_private_key(
    source: PrivateKey | bytes | str | os.PathLike[str], password: Password = None
) -> PrivateKey:
    """A private key from PEM (any key label), DER (PKCS#8 or traditional) or a PFX.

    A wrong or missing password raises :class:`PfxPasswordError`.

    >>> key = load_private_key(Path("server.key"))   # doctest: +SKIP
    """
    if _is_private_key(source):
        return source  # type: ignore[return-value]
    data = _key_source_bytes(source)
    secret = encode_password(password)
    fmt = sniff_format(data)
    if fmt == "base64":
        data = unwrap_base64(data) or data
        fmt = sniff_format(data)
    if fmt == "pem":
        return _pem_key(pem_blocks(data), secret)
    if fmt == "pkcs12":
        key = load_pfx(data, password).private_key
        if key is None:
            raise CertificateFormatError("the PFX holds no private key")
        return key
    return _der_key(data, secret)


def pem_blocks(data: bytes) -> list[PemBlock]:
    """The PEM blocks in ``data``, in order; an unterminated block raises.

    Runs in linear time on any input (markers are paired in one pass).

    >>> [b.label for b in pem_blocks(pem_bytes)]   # doctest: +SKIP
    ['CERTIFICATE', 'CERTIFICATE']
    """
    return _split_pem(data)[0]


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
    if data[0] == 0x30:
        offset = _content_offset(data)
        if data.startswith(_PFX_VERSION_3, offset):
            return "pkcs12"
        if data.startswith(_PKCS7_SIGNED_DATA, offset):
            return "pkcs7"
        return "der"
    if _BASE64_TEXT.fullmatch(data):
        return "base64"
    return "unknown"


def unwrap_base64(data: bytes) -> bytes | None:
    """The bytes a base64 text encodes, when it is base64 of DER; else ``None``.

    For values pasted from the portal, ARM templates and ``az`` output.
    """
    if not _BASE64_TEXT.fullmatch(data):
        return None
    try:
        decoded = base64.b64decode(_WHITESPACE.sub(b"", data), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded[:1] == b"0" else None


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


def _key_source_bytes(source: object) -> bytes:
    if isinstance(source, str):
        check_size(source)
        return source.encode("utf-8", errors="replace")
    if isinstance(source, bytes | bytearray | memoryview | os.PathLike):
        return read_bytes(source)
    raise TypeError(
        f"expected a private key, bytes, str or a pathlib.Path, got {type(source).__name__}"
    )


def _utf16_to_ascii(data: bytes) -> bytes | None:
    try:
        return data.decode("utf-16").encode("ascii")
    except UnicodeError:
        return None


def _is_private_key(value: object) -> bool:
    return hasattr(value, "private_bytes") and hasattr(value, "public_key")


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
            raise CertificateFormatError(
                "this looks like base64 text but does not decode to a certificate file: "
                "check that it was copied whole"
            )
        return replace(_parse_format(inner, password, want_key=want_key), base64_wrapped=True)
    if fmt == "pem":
        return _parse_pem(data, password, want_key=want_key)
    if fmt == "pkcs12":
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


def _parse_pem(data: bytes, password: bytes | None, *, want_key: bool) -> Bundle:
    blocks, extra_text = _split_pem(data)
    _check_count(sum(block.label in CERT_LABELS for block in blocks))  # before parsing any
    certs: list[x509.Certificate] = []
    for block in blocks:
        if block.label in CERT_LABELS:
            certs.append(_pem_certificate(block))
        elif block.label in _PKCS7_LABELS:
            certs.extend(_pkcs7_der(block.der()))
    _check_count(len(certs))  # PKCS#7 blocks add theirs
    key = _optional_pem_key(blocks, password) if want_key else None
    fmt: Format = "pem"
    return Bundle(certs, key, fmt, extra_text, tuple(b.label for b in blocks))


def _split_pem(data: bytes) -> tuple[list[PemBlock], bool]:
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


def _unterminated(begin: re.Match[bytes]) -> CertificateFormatError:
    label = begin.group(2).decode("ascii", "replace")
    return CertificateFormatError(
        f"the PEM block {label!r} has no END line: the file is truncated; copy it again whole"
    )


def load_der_certificate(der: bytes) -> x509.Certificate:
    """One DER certificate, read as the loaders read it (shared inside
    ``sharing_parsed_certificates``, no warning for a serial number <= 0);
    raises what cryptography raises.

    >>> load_der_certificate(der).subject   # doctest: +SKIP
    """
    with tolerating_deprecated_encodings():
        return pooled_der_certificate(der)


def _pem_certificate(block: PemBlock) -> x509.Certificate:
    der = block.der()
    if block.label == "TRUSTED CERTIFICATE":  # OpenSSL -trustout: certificate + trust settings
        der = der[: _first_element_length(der)]
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
    with translate_errors("the PKCS#7 (.p7b) bundle"), warnings.catch_warnings():
        # cryptography warns "PKCS#7 certificates could not be parsed as DER" when
        # a SET OF is not in DER order (openssl crl2pkcs7 writes them so); the
        # certificates are still read correctly. It is the loader's one warning,
        # and a category filter costs a third of a message filter (which
        # compiles a regular expression on every call).
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
            return Bundle([], _der_key(data, password), "der")
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
    raise CertificateFormatError(_no_certificate_in_pem(bundle.pem_labels))


def _no_certificate_in_pem(labels: tuple[str, ...]) -> str:
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


# --- keys --------------------------------------------------------------------


def _optional_pem_key(blocks: list[PemBlock], password: bytes | None) -> PrivateKey | None:
    """The first private key of a PEM bundle; None if it is encrypted and no password was given."""
    if not any(b.label in KEY_LABELS for b in blocks):
        return None
    try:
        return _pem_key(blocks, password)
    except PfxPasswordError:
        if password is None:
            return None
        raise


def _pem_key(blocks: list[PemBlock], password: bytes | None) -> PrivateKey:
    block = next((b for b in blocks if b.label in KEY_LABELS), None)
    if block is None:
        labels = ", ".join(b.label for b in blocks) or "none"
        raise CertificateFormatError(f"no private key in this PEM (blocks found: {labels})")
    if block.label == "ENCRYPTED PRIVATE KEY":
        check_encrypted_key_info(block.der())
    if block.label == "OPENSSH PRIVATE KEY":
        return _openssh_key(block.text, password)
    return _decrypt_key(
        lambda secret: serialization.load_pem_private_key(block.text, secret), password
    )


def _openssh_key(text: bytes, password: bytes | None) -> PrivateKey:
    """Unencrypted only: an encrypted OpenSSH key names its own bcrypt rounds (never derived)."""
    try:
        return _decrypt_key(lambda _: serialization.load_ssh_private_key(text, None), None)
    except PfxPasswordError as exc:
        error = PfxPasswordError if password is None else CertificateFormatError
        raise error(
            "an encrypted OpenSSH private key is not read: convert it to PKCS#8 first "
            "(ssh-keygen -p -m PKCS8 -f KEYFILE)"
        ) from exc


def _der_key(data: bytes, password: bytes | None) -> PrivateKey:
    check_encrypted_key_info(data)
    return _decrypt_key(lambda secret: serialization.load_der_private_key(data, secret), password)


def _decrypt_key(load: Callable[[bytes | None], object], password: bytes | None) -> PrivateKey:
    """Run a cryptography key loader, turning its password complaints into ours."""
    try:
        key = load(password)
    except AppGwCertError:
        raise
    except TypeError as exc:
        if password is None:  # "Password was not given but private key is encrypted"
            raise PfxPasswordError(
                "the private key is encrypted: pass its password (key_password=...)"
            ) from exc
        return _decrypt_key(load, None)  # a password given for a plain key: ignore it
    except ValueError as exc:
        if password is not None:
            # a wrong password fails the padding check, except when it passes by chance
            # (1 in 256): then the decrypted bytes fail to parse. Either way: the password.
            raise PfxPasswordError(
                "the private key's password is wrong (or the key is corrupt)"
            ) from exc
        raise CertificateFormatError(
            "could not read the private key: the bytes are corrupt or not a key"
        ) from exc
    except Exception as exc:  # UnsupportedAlgorithm and other parser failures
        raise CertificateFormatError(
            f"could not read the private key ({type(exc).__name__})"
        ) from exc
    if not _is_private_key(key) or not hasattr(key, "sign"):
        raise CertificateFormatError("this key type cannot be used with a certificate")
    return key  # type: ignore[return-value]


# --- DER framing (for sniffing only; parsing is cryptography's and pyasn1's) --


def _content_offset(data: bytes) -> int:
    """Where the outer DER/BER element's content starts, best effort (a BER
    indefinite length: right after its header)."""
    return 2 if len(data) < 2 else content_start(data, 0)


def _first_element_length(der: bytes) -> int:
    """Total length of the first DER element (for TRUSTED CERTIFICATE's trailing data)."""
    if len(der) < 2 or der[1] == 0x80:  # too short, or a BER indefinite length
        return len(der)
    return element_end(der, 0)
